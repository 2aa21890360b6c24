//! What every request passes through around its handler, in one place:
//! - a request id: in the `x-request-id` header, in every log line of the request (a tracing
//!   span), and in every problem document, so a person reporting an error can be found in the logs;
//! - the text guard: control characters in a query, a path, a form, a JSON body or a CSV file
//!   are refused before any handler sees them ([`kernel::text`], multi-line rule: single-line
//!   fields are checked again by their model);
//! - uniform refusals: what axum or hyper answer by themselves (415, 405, 400 on a broken
//!   multipart, 413, a missing file) becomes a problem document on the API and an Italian page
//!   elsewhere, and an over-long address is refused before routing;
//! - error pages in the person's frame: an Italian error page (404, 403, 405…) is drawn again
//!   with the header and menu of the signed-in person, whoever produced it;
//! - `Cache-Control: no-store` on every answer that does not set its own (static files do):
//!   pages and API answers about entities must not stay in a shared or browser cache.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kernel::text::{check, Lines};
use tracing::Instrument;

use crate::error::{ApiError, ProblemField};

/// The longest address (path and query) accepted.
pub const MAX_URI: usize = 8 * 1024;

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn refuse(api: bool, e: ApiError) -> Response {
    if api {
        e.into_response()
    } else {
        crate::pages::error_page(e.status, &e.detail)
    }
}

/// Draws an error page again inside the signed-in person's header and menu. Error pages are
/// rendered where the session is not at hand (axum's own refusals, the fallback, extractors);
/// the session is looked up only for them.
pub async fn error_frame(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let cookie = crate::auth::cookie_value(req.headers(), crate::auth::SESSION_COOKIE);
    let resp = next.run(req).await;
    let (Some(cookie), Some(shown)) = (cookie, resp.extensions().get::<crate::pages::ErrorShown>())
    else {
        return resp;
    };
    let message = shown.0.clone();
    let Ok(Some(live)) = accounts::store::session(&state.db, &cookie).await else {
        return resp;
    };
    let session = crate::auth::Session {
        user: live.user,
        csrf: live.csrf,
        cookie,
        flash: None,
    };
    let (mut parts, _) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let framed = crate::pages::error_page_for(&state, &session, parts.status, &message);
    let (_, body) = framed.into_parts();
    Response::from_parts(parts, body)
}

pub async fn request_id(req: Request, next: Next) -> Response {
    let id = accounts::secret::random("")[..16].to_owned();
    // At the error level so that the span is kept whatever the filter: every line logged while
    // serving the request, even a warning with CST_LOG=warn, carries its id.
    let span =
        tracing::error_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let mut resp = next.run(req).instrument(span).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    let problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !problem {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return (parts.status, "").into_response();
    };
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut m)) => {
            m.insert("request_id".into(), id.into());
            serde_json::to_vec(&m).unwrap_or_else(|_| bytes.to_vec())
        }
        _ => bytes.to_vec(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// A percent-decoded byte of `raw` that is a control character, if any.
fn control_in_escaped(raw: &str) -> bool {
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let byte = if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(v) => {
                    i += 2;
                    v
                }
                None => b[i],
            }
        } else {
            b[i]
        };
        if byte < 0x20 || byte == 0x7f {
            return true;
        }
        i += 1;
    }
    false
}

fn check_json(path: &str, v: &serde_json::Value, errs: &mut Vec<ProblemField>) {
    let bad = |errs: &mut Vec<ProblemField>, field: String, m: String| {
        errs.push(ProblemField {
            field,
            message: m,
            line: None,
        })
    };
    match v {
        serde_json::Value::String(s) => {
            if let Some(m) = check(s, Lines::Multi) {
                bad(errs, path.to_owned(), m);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                check_json(&format!("{path}[{i}]"), x, errs);
            }
        }
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if let Some(msg) = check(k, Lines::Single) {
                    bad(errs, p.clone(), format!("nome di campo non valido: {msg}"));
                }
                check_json(&p, x, errs);
            }
        }
        _ => {}
    }
}

fn check_pairs(pairs: &[(String, String)], errs: &mut Vec<ProblemField>) {
    for (k, v) in pairs {
        if let Some(m) = check(k, Lines::Single).or_else(|| check(v, Lines::Multi)) {
            errs.push(ProblemField {
                field: kernel::text::strip_forbidden(k, Lines::Single),
                message: m,
                line: None,
            });
        }
    }
}

fn check_csv(bytes: &[u8], errs: &mut Vec<ProblemField>) {
    for (n, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(b) = line
            .iter()
            .find(|b| (**b < 0x20 && **b != b'\t') || **b == 0x7f)
        {
            errs.push(ProblemField {
                field: "file".into(),
                message: format!("contiene un carattere di controllo non ammesso (U+{b:04X})"),
                line: Some(n + 1),
            });
        }
    }
}

pub async fn guard_text(req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let mut errs = Vec::new();
    if control_in_escaped(req.uri().path()) {
        return refuse(
            api,
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "l'indirizzo contiene caratteri di controllo",
            )
            .with_code("control_characters"),
        );
    }
    if let Some(q) = req.uri().query() {
        if let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(q) {
            check_pairs(&pairs, &mut errs);
        }
    }
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let kind = if ct.starts_with("application/x-www-form-urlencoded") {
        Some(0)
    } else if ct.starts_with("application/json") || ct.starts_with("application/merge-patch+json") {
        Some(1)
    } else if ct.starts_with("text/csv") {
        Some(2)
    } else {
        None
    };
    let req = match kind {
        None => req,
        Some(kind) => {
            let (parts, body) = req.into_parts();
            let bytes = match axum::body::to_bytes(body, crate::routes::BODY_LIMIT).await {
                Ok(b) => b,
                Err(_) => {
                    return refuse(
                        api,
                        ApiError::new(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            crate::routes::too_large_message(),
                        ),
                    )
                }
            };
            match kind {
                0 => {
                    if let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                    {
                        check_pairs(&pairs, &mut errs);
                    }
                }
                1 => {
                    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                        check_json("", &v, &mut errs);
                    }
                }
                _ => check_csv(&bytes, &mut errs),
            }
            Request::from_parts(parts, Body::from(bytes))
        }
    };
    if !errs.is_empty() {
        return refuse(api, ApiError::fields(errs).with_code("control_characters"));
    }
    next.run(req).await
}

/// The Italian sentence for a refusal that axum or hyper made without one.
fn sentence(status: StatusCode, method: &Method, api: bool) -> String {
    match status.as_u16() {
        400 => "richiesta non valida: il corpo non è nel formato indicato dal suo Content-Type \
                (un modulo multipart senza boundary, un JSON troncato…)"
            .into(),
        404 if api => "risorsa non trovata".into(),
        404 => "La pagina richiesta non esiste o non è accessibile.".into(),
        405 => format!("il metodo {method} non è ammesso per questo indirizzo"),
        413 => crate::routes::too_large_message(),
        414 => format!(
            "l'indirizzo supera la lunghezza massima di {} KB",
            MAX_URI / 1024
        ),
        415 if api => {
            "il corpo della richiesta deve essere JSON (Content-Type: application/json)".into()
        }
        415 => "il modulo va inviato come application/x-www-form-urlencoded o multipart/form-data"
            .into(),
        422 => "i dati inviati non sono validi: controllare i campi del modulo".into(),
        _ => crate::error::title(status).to_lowercase(),
    }
}

pub async fn uniform(req: Request, next: Next) -> Response {
    let api = is_api(req.uri().path());
    let method = req.method().clone();
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    let mut resp = if uri_len > MAX_URI {
        refuse(
            api,
            ApiError::new(
                StatusCode::URI_TOO_LONG,
                sentence(StatusCode::URI_TOO_LONG, &method, api),
            ),
        )
    } else {
        next.run(req).await
    };
    let status = resp.status();
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.as_bytes().to_vec())
        .unwrap_or_default();
    let ours = ct.starts_with(b"application/problem+json") || ct.starts_with(b"text/html");
    if status.as_u16() >= 400 && !ours {
        let allow = resp.headers().get(header::ALLOW).cloned();
        let retry = resp.headers().get(header::RETRY_AFTER).cloned();
        resp = refuse(api, ApiError::new(status, sentence(status, &method, api)));
        for (name, v) in [(header::ALLOW, allow), (header::RETRY_AFTER, retry)] {
            if let Some(v) = v {
                resp.headers_mut().insert(name, v);
            }
        }
    }
    if !resp.headers().contains_key(header::CACHE_CONTROL) {
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_controls_in_a_path_are_found() {
        assert!(control_in_escaped("/api/v1/services/PD%00"));
        assert!(control_in_escaped("/a%0ab"));
        assert!(control_in_escaped("/a%7F"));
        assert!(!control_in_escaped("/catalog/PD09"));
        assert!(!control_in_escaped("/entities/%C3%A0"));
        assert!(!control_in_escaped("/x%2"));
        assert!(!control_in_escaped("/x%"));
    }

    #[test]
    fn every_string_of_a_json_body_is_checked_with_its_path() {
        let v = serde_json::json!({"name": "ok", "items": [{"note": "a\u{0}b"}], "t": "a\nb"});
        let mut errs = Vec::new();
        check_json("", &v, &mut errs);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "items[0].note");
    }

    #[test]
    fn csv_lines_with_controls_are_named() {
        let mut errs = Vec::new();
        check_csv(
            b"nome;codice\r\nAgna;028002\r\nArqu\x00;028005\n",
            &mut errs,
        );
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, Some(3));
    }
}
