//! Who is calling. The API authenticates with `Authorization: Bearer TOKEN`; pages with the
//! session cookie (resolved once per request by the session layer in `csrf.rs`).
//! Role extractors refuse the wrong role; entity scope is enforced by the capability crates.

use accounts::User;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kernel::Actor;

use crate::error::{ApiError, PageError};
use crate::AppState;

pub const SESSION_COOKIE: &str = "cst_session";

/// An authenticated API caller (any role).
pub struct ApiUser(pub User);

/// An API caller of the centre's staff (admin or operator).
pub struct ApiStaff(pub User);

/// An API caller with the admin role.
pub struct ApiAdmin(pub User);

impl ApiUser {
    pub fn actor(&self) -> Actor {
        self.0.actor()
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let unauthorized = |d: &str| {
            let mut e = ApiError::new(StatusCode::UNAUTHORIZED, d);
            e.www_authenticate = true;
            e
        };
        let token = bearer(parts).ok_or_else(|| {
            unauthorized("manca l'intestazione Authorization: Bearer TOKEN (un token si crea con `cst token issue`)")
        })?;
        match accounts::store::user_by_token(&state.db, token).await? {
            Some(u) => Ok(ApiUser(u)),
            None => Err(unauthorized("token non valido o revocato")),
        }
    }
}

impl FromRequestParts<AppState> for ApiStaff {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiUser(u) = ApiUser::from_request_parts(parts, state).await?;
        if u.role.is_staff() {
            Ok(ApiStaff(u))
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "operazione riservata al personale del centro servizi",
            ))
        }
    }
}

impl FromRequestParts<AppState> for ApiAdmin {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiUser(u) = ApiUser::from_request_parts(parts, state).await?;
        if u.role == kernel::Role::Admin {
            Ok(ApiAdmin(u))
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "operazione riservata agli amministratori",
            ))
        }
    }
}

/// The browser session of the request, put in the request's extensions by the session layer.
#[derive(Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    pub cookie: String,
    /// The message left for this page by the previous action (see [`crate::pages::back_with`]).
    pub flash: Option<Flash>,
}

/// What an action tells the next page: a refusal with what was typed, or a confirmation.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Flash {
    /// Why the action was refused (shown in red).
    pub error: String,
    /// What was done (shown in green).
    pub saved: String,
    /// The fields as typed, to fill the form again.
    pub values: Vec<(String, String)>,
    /// The section of the page the message belongs to (`convenzioni`, `assistenza`), if any.
    pub place: String,
}

impl Flash {
    pub fn saved(message: impl Into<String>) -> Self {
        Self {
            saved: message.into(),
            ..Default::default()
        }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Self {
            error: message.into(),
            ..Default::default()
        }
    }
    /// The typed value of a field, if the refused form carried it.
    pub fn value(&self, field: &str) -> String {
        self.values
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

impl Session {
    pub fn actor(&self) -> Actor {
        self.user.actor()
    }
}

/// A logged-in page visitor (any role).
pub struct PageUser(pub Session);
/// A logged-in member of the centre's staff.
pub struct PageStaff(pub Session);
/// A logged-in administrator.
pub struct PageAdmin(pub Session);

/// Not logged in: to the login page, coming back here afterwards.
pub struct LoginRedirect(String);

impl IntoResponse for LoginRedirect {
    fn into_response(self) -> Response {
        let to = format!("/login?next={}", crate::pages::urlencode(&self.0));
        // htmx follows HX-Redirect with a full page load instead of swapping a login form in.
        let mut res = Redirect::to(&to).into_response();
        if let Ok(v) = header::HeaderValue::from_str(&to) {
            res.headers_mut().insert("HX-Redirect", v);
        }
        res
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = LoginRedirect;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, LoginRedirect> {
        match parts.extensions.get::<Session>() {
            Some(s) => Ok(PageUser(s.clone())),
            None => Err(LoginRedirect(
                parts
                    .uri
                    .path_and_query()
                    .map_or("/", |p| p.as_str())
                    .to_owned(),
            )),
        }
    }
}

pub enum PageRejection {
    Login(LoginRedirect),
    Forbidden(PageError),
}

impl IntoResponse for PageRejection {
    fn into_response(self) -> Response {
        match self {
            PageRejection::Login(r) => r.into_response(),
            PageRejection::Forbidden(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for PageStaff {
    type Rejection = PageRejection;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, PageRejection> {
        let PageUser(sess) = PageUser::from_request_parts(parts, s)
            .await
            .map_err(PageRejection::Login)?;
        if sess.user.role.is_staff() {
            Ok(PageStaff(sess))
        } else {
            Err(PageRejection::Forbidden(PageError::new(
                StatusCode::FORBIDDEN,
                "Questa pagina è riservata al personale del centro servizi.",
            )))
        }
    }
}

impl FromRequestParts<AppState> for PageAdmin {
    type Rejection = PageRejection;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, PageRejection> {
        let PageUser(sess) = PageUser::from_request_parts(parts, s)
            .await
            .map_err(PageRejection::Login)?;
        if sess.user.role == kernel::Role::Admin {
            Ok(PageAdmin(sess))
        } else {
            Err(PageRejection::Forbidden(PageError::new(
                StatusCode::FORBIDDEN,
                "Questa pagina è riservata agli amministratori.",
            )))
        }
    }
}

pub fn cookie_value(parts_headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    parts_headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}
