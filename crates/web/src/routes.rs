//! Every route of the application, declared once with the access it requires.
//!
//! **Invariant:** the router is built only from [`table`]. The tenant-isolation test walks
//! the same table and probes every route as a contact of another entity and as a supplier;
//! a route it has no probe for fails the test.

use axum::handler::Handler;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{api, assets, capabilities, csrf, pages, AppState};

/// What a route requires of the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// Any logged-in account; what it returns is filtered by the caller's scope.
    User,
    /// Names an entity in `{id}`: an entity outside the caller's scope is "not found".
    Entity,
    /// Admins and operators.
    Staff,
    /// Admins only.
    Admin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// JSON under `/api/v1/`, bearer token.
    Api,
    /// HTML, session cookie, CSRF token on every change.
    Page,
}

#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub surface: Surface,
}

pub(crate) struct Route {
    spec: RouteSpec,
    handler: MethodRouter<AppState>,
}

pub(crate) fn route<H, T>(
    method: Method,
    path: &'static str,
    access: Access,
    surface: Surface,
    h: H,
) -> Route
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = match method {
        Method::GET => MethodFilter::GET,
        Method::POST => MethodFilter::POST,
        Method::PUT => MethodFilter::PUT,
        Method::PATCH => MethodFilter::PATCH,
        _ => MethodFilter::DELETE,
    };
    Route {
        spec: RouteSpec {
            method,
            path,
            access,
            surface,
        },
        handler: on(filter, h),
    }
}

#[rustfmt::skip]
fn routes() -> Vec<Route> {
    use Access::*;
    use Method as M;
    use Surface::*;
    let mut all = vec![
        // Shared: the document of the API, metrics, static files, the home page.
        route(M::GET, "/metrics", Public, Api, crate::metrics::scrape),
        route(M::GET, "/api/v1/openapi.json", Public, Api, api::openapi::document),
        route(M::GET, "/static/{*path}", Public, Page, assets::serve),
        route(M::GET, "/", User, Page, pages::home::home),
    ];
    for routes in [
        capabilities::ops::routes(),
        capabilities::accounts::routes(),
        capabilities::members::routes(),
        capabilities::catalog::routes(),
        capabilities::helpdesk::routes(),
        capabilities::delivery::routes(),
        capabilities::billing::routes(),
        capabilities::logs::routes(),
        capabilities::portal::routes(),
        capabilities::faq::routes(),
        capabilities::training::routes(),
        capabilities::addressbook::routes(),
        capabilities::agenda::routes(),
    ] {
        all.extend(routes);
    }
    all
}

/// The declared routes, for tests and documentation.
pub fn table() -> Vec<RouteSpec> {
    routes().into_iter().map(|r| r.spec).collect()
}

fn build(routes: Vec<Route>) -> Router<AppState> {
    let mut by_path: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
    for r in routes {
        match by_path.iter_mut().find(|(p, _)| *p == r.spec.path) {
            Some((_, mr)) => *mr = std::mem::take(mr).merge(r.handler),
            None => by_path.push((r.spec.path, r.handler)),
        }
    }
    by_path
        .into_iter()
        .fold(Router::new(), |router, (p, mr)| router.route(p, mr))
}

async fn fallback(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        crate::error::ApiError::new(
            StatusCode::NOT_FOUND,
            format!("nessuna risorsa {}", uri.path()),
        )
        .into_response()
    } else {
        pages::error_page(
            StatusCode::NOT_FOUND,
            "La pagina richiesta non esiste o non è accessibile.",
        )
    }
}

/// The largest request body accepted (attachments are at most 10 MiB of it).
pub(crate) const BODY_LIMIT: usize = 16 << 20;

pub(crate) fn too_large_message() -> String {
    format!(
        "la richiesta supera i {} MB ammessi (un allegato al massimo 10 MB)",
        BODY_LIMIT >> 20
    )
}

const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; \
                   base-uri 'self'; object-src 'none'";

pub fn router(state: AppState) -> Router {
    let (api, page): (Vec<Route>, Vec<Route>) = routes()
        .into_iter()
        .partition(|r| r.spec.surface == Surface::Api);
    let pages = build(page).layer(middleware::from_fn_with_state(
        state.clone(),
        csrf::session_layer,
    ));
    let h = |name: &'static str, v: &'static str| {
        SetResponseHeaderLayer::if_not_present(
            header::HeaderName::from_static(name),
            HeaderValue::from_static(v),
        )
    };
    build(api)
        .merge(pages)
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(crate::edge::guard_text))
        .layer(middleware::from_fn(crate::edge::uniform))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::edge::error_frame,
        ))
        .layer(h("content-security-policy", CSP))
        .layer(h("x-content-type-options", "nosniff"))
        .layer(h("x-frame-options", "DENY"))
        .layer(h("referrer-policy", "same-origin"))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(middleware::from_fn(crate::edge::request_id))
        .with_state(state)
}
