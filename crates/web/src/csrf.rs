//! The session layer of the pages: resolves the session cookie once per request, and
//! refuses a state-changing request (POST, PUT, PATCH, DELETE) that
//! - comes from another site (`Sec-Fetch-Site: cross-site`, or an `Origin` other than ours), or
//! - belongs to a session but lacks its CSRF token (header `X-CSRF-Token`, form field `_csrf`,
//!   or query parameter `_csrf` for file uploads).

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{cookie_value, Session, SESSION_COOKIE};
use crate::error::PageError;
use crate::AppState;

/// Largest form body read by the layer (file uploads carry the token in the query).
const MAX_FORM: usize = 1 << 20;

fn forbidden(msg: &str) -> Response {
    PageError::new(StatusCode::FORBIDDEN, msg).into_response()
}

/// The request comes from our own pages: `Sec-Fetch-Site` says so, and an `Origin` names our
/// host with our scheme (`https` when the site is served over TLS, i.e. with secure cookies;
/// `http` otherwise), so a page on `http://` cannot post into the `https://` site.
fn same_origin(req: &Request, secure: bool) -> bool {
    let scheme = if secure { "https" } else { "http" };
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    match (h.get(header::ORIGIN), h.get(header::HOST)) {
        (Some(o), Some(host)) => {
            let o = o.to_str().unwrap_or("");
            let host = host.to_str().unwrap_or("");
            o.split_once("://")
                .is_some_and(|(s, rest)| s.eq_ignore_ascii_case(scheme) && rest == host)
        }
        (Some(_), None) => false,
        _ => true,
    }
}

fn token_in_query(req: &Request) -> Option<String> {
    let q = req.uri().query()?;
    serde_urlencoded::from_str::<Vec<(String, String)>>(q)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v)
}

pub async fn session_layer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let session = match cookie_value(req.headers(), SESSION_COOKIE) {
        Some(cookie) => match accounts::store::session(&state.db, &cookie).await {
            Ok(Some(live)) => Some(Session {
                user: live.user,
                csrf: live.csrf,
                cookie,
                flash: live
                    .flash
                    .and_then(|f| serde_json::from_str::<crate::auth::Flash>(&f).ok()),
            }),
            Ok(None) => None,
            Err(e) => {
                return crate::error::ApiError::internal(e)
                    .into_response()
                    .map(Body::new)
            }
        },
        None => None,
    };
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method {
        if !same_origin(&req, state.config.secure_cookies) {
            return forbidden("Richiesta rifiutata: proviene da un altro sito.");
        }
        if let Some(s) = &session {
            let mut token = req
                .headers()
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .or_else(|| token_in_query(&req));
            let is_form = req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
            if token.is_none() && is_form {
                let (parts, body) = req.into_parts();
                let bytes = match to_bytes(body, MAX_FORM).await {
                    Ok(b) => b,
                    Err(_) => {
                        return PageError::new(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            "Modulo troppo grande.",
                        )
                        .into_response()
                    }
                };
                token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                    .ok()
                    .and_then(|f| f.into_iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v));
                req = Request::from_parts(parts, Body::from(bytes));
            }
            if !token.is_some_and(|t| accounts::secret::constant_eq(&t, &s.csrf)) {
                return forbidden(
                    "Richiesta rifiutata: il modulo è scaduto o non proviene da questa applicazione. Ricaricare la pagina e riprovare.",
                );
            }
        }
    }
    if let Some(s) = session {
        req.extensions_mut().insert(s);
    }
    next.run(req).await
}
