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

use crate::{api, assets, csrf, pages, AppState};

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

struct Route {
    spec: RouteSpec,
    handler: MethodRouter<AppState>,
}

fn route<H, T>(method: Method, path: &'static str, access: Access, surface: Surface, h: H) -> Route
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
    vec![
        // Operations and the API.
        route(M::GET, "/healthz", Public, Api, api::misc::healthz),
        route(M::GET, "/readyz", Public, Api, api::misc::readyz),
        route(M::GET, "/metrics", Public, Api, crate::metrics::scrape),
        route(M::GET, "/api/v1/openapi.json", Public, Api, api::openapi::document),
        route(M::GET, "/api/v1/me", User, Api, api::misc::me),
        route(M::GET, "/api/v1/entities", User, Api, api::entities::list),
        route(M::POST, "/api/v1/entities", Staff, Api, api::entities::create),
        route(M::POST, "/api/v1/entities/import", Admin, Api, api::entities::import),
        route(M::GET, "/api/v1/entities/{id}", Entity, Api, api::entities::get),
        route(M::PATCH, "/api/v1/entities/{id}", Entity, Api, api::entities::patch),
        route(M::GET, "/api/v1/entities/{id}/contacts", Entity, Api, api::entities::contacts),
        route(M::POST, "/api/v1/entities/{id}/contacts", Entity, Api, api::entities::add_contact),
        route(M::GET, "/api/v1/entities/{id}/membership-fee", Entity, Api, api::catalog::membership_fee),
        route(M::GET, "/api/v1/membership-fee-rule", User, Api, api::catalog::get_rule),
        route(M::PUT, "/api/v1/membership-fee-rule", Admin, Api, api::catalog::put_rule),
        route(M::GET, "/api/v1/entities/{id}/agreements", Entity, Api, api::agreements::list),
        route(M::GET, "/api/v1/entities/{id}/support-profile", Entity, Api, api::tickets::get_profile),
        route(M::GET, "/api/v1/entities/{id}/backup-checks", Entity, Api, api::backups::list),
        route(M::POST, "/api/v1/entities/{id}/backup-checks", Admin, Api, api::backups::create),
        route(M::POST, "/api/v1/backup-reports", Public, Api, api::backups::report),
        route(M::PUT, "/api/v1/entities/{id}/support-profile", Admin, Api, api::tickets::put_profile),
        route(M::POST, "/api/v1/entities/{id}/agreements", Staff, Api, api::agreements::create),
        route(M::GET, "/api/v1/entities/{id}/agreements/{agreement_id}", Entity, Api, api::agreements::get),
        route(M::PATCH, "/api/v1/entities/{id}/agreements/{agreement_id}", Staff, Api, api::agreements::patch),
        route(M::POST, "/api/v1/entities/{id}/agreements/{agreement_id}/renew", Staff, Api, api::agreements::renew),
        route(M::GET, "/api/v1/services", User, Api, api::services::list),
        route(M::GET, "/api/v1/services/{code}", User, Api, api::services::get),
        route(M::PUT, "/api/v1/services/{code}", Admin, Api, api::services::put),
        route(M::GET, "/api/v1/price-lists", User, Api, api::services::price_lists_list),
        route(M::POST, "/api/v1/price-lists", Admin, Api, api::services::price_list_create),
        route(M::GET, "/api/v1/price-lists/{list_id}", User, Api, api::services::price_list_get),
        route(M::PUT, "/api/v1/price-lists/{list_id}", Admin, Api, api::services::price_list_put),
        route(M::POST, "/api/v1/price-quotes", User, Api, api::services::quote),
        route(M::POST, "/api/v1/tickets", User, Api, api::tickets::create),
        route(M::GET, "/api/v1/tickets", User, Api, api::tickets::list),
        route(M::GET, "/api/v1/tickets/{ticket_id}", User, Api, api::tickets::get),
        route(M::POST, "/api/v1/tickets/{ticket_id}/take-charge", Staff, Api, api::tickets::take_charge),
        route(M::GET, "/api/v1/tickets/{ticket_id}/messages", User, Api, api::tickets::messages),
        route(M::POST, "/api/v1/tickets/{ticket_id}/messages", User, Api, api::tickets::add_message),
        route(M::POST, "/api/v1/tickets/{ticket_id}/state", Staff, Api, api::tickets::set_state),
        route(M::POST, "/api/v1/tickets/{ticket_id}/priority", Staff, Api, api::tickets::set_priority),
        route(M::GET, "/api/v1/tickets/{ticket_id}/phases", User, Api, api::phases::for_ticket),
        route(M::POST, "/api/v1/tickets/{ticket_id}/phases", Staff, Api, api::phases::create),
        route(M::GET, "/api/v1/phases", User, Api, api::phases::mine),
        route(M::GET, "/api/v1/phases/{phase_id}", User, Api, api::phases::get),
        route(M::POST, "/api/v1/phases/{phase_id}/updates", User, Api, api::phases::update),
        route(M::GET, "/api/v1/tickets/{ticket_id}/attachments", User, Api, api::tickets::attachments),
        route(M::POST, "/api/v1/tickets/{ticket_id}/attachments", User, Api, api::tickets::upload),
        route(M::GET, "/api/v1/tickets/{ticket_id}/attachments/{attachment_id}", User, Api, api::tickets::download),
        route(M::GET, "/api/v1/reports/sla", Staff, Api, api::tickets::sla_report),
        route(M::GET, "/api/v1/audit", Admin, Api, api::misc::audit),
        // Pages.
        route(M::GET, "/static/{*path}", Public, Page, assets::serve),
        route(M::GET, "/login", Public, Page, pages::auth::login_form),
        route(M::POST, "/login", Public, Page, pages::auth::login),
        route(M::POST, "/logout", User, Page, pages::auth::logout),
        route(M::GET, "/", User, Page, pages::home::home),
        route(M::GET, "/entities", User, Page, pages::entities::list),
        route(M::GET, "/entities/new", Staff, Page, pages::entities::new_form),
        route(M::POST, "/entities", Staff, Page, pages::entities::create),
        route(M::GET, "/entities/{id}", Entity, Page, pages::entities::detail),
        route(M::GET, "/entities/{id}/edit", Entity, Page, pages::entities::edit_form),
        route(M::POST, "/entities/{id}", Entity, Page, pages::entities::update),
        route(M::POST, "/entities/{id}/contacts", Entity, Page, pages::entities::add_contact),
        route(M::POST, "/entities/{id}/contacts/{contact_id}/delete", Entity, Page, pages::entities::delete_contact),
        route(M::POST, "/entities/{id}/agreements", Staff, Page, pages::agreements::create),
        route(M::POST, "/entities/{id}/support-profile", Admin, Page, pages::tickets::set_profile),
        route(M::POST, "/entities/{id}/agreements/{agreement_id}", Staff, Page, pages::agreements::act),
        route(M::GET, "/catalog", User, Page, pages::catalog::list),
        route(M::GET, "/catalog/new", Admin, Page, pages::catalog::new_form),
        route(M::POST, "/catalog", Admin, Page, pages::catalog::create),
        route(M::GET, "/catalog/{code}", User, Page, pages::catalog::card),
        route(M::GET, "/catalog/{code}/edit", Admin, Page, pages::catalog::edit_form),
        route(M::POST, "/catalog/{code}", Admin, Page, pages::catalog::update),
        route(M::POST, "/catalog/{code}/quote", User, Page, pages::catalog::quote),
        route(M::GET, "/price-lists", User, Page, pages::catalog::price_lists),
        route(M::POST, "/price-lists", Admin, Page, pages::catalog::price_list_create),
        route(M::GET, "/price-lists/{list_id}", User, Page, pages::catalog::price_list),
        route(M::POST, "/price-lists/{list_id}", Admin, Page, pages::catalog::price_list_update),
        route(M::GET, "/tickets", User, Page, pages::tickets::list),
        route(M::GET, "/tickets/new", User, Page, pages::tickets::new_form),
        route(M::POST, "/tickets", User, Page, pages::tickets::create),
        route(M::GET, "/tickets/{ticket_id}", User, Page, pages::tickets::detail),
        route(M::POST, "/tickets/{ticket_id}/messages", User, Page, pages::tickets::reply),
        route(M::POST, "/tickets/{ticket_id}/take-charge", Staff, Page, pages::tickets::take_charge),
        route(M::POST, "/tickets/{ticket_id}/state", Staff, Page, pages::tickets::set_state),
        route(M::POST, "/tickets/{ticket_id}/priority", Staff, Page, pages::tickets::set_priority),
        route(M::POST, "/tickets/{ticket_id}/attachments", User, Page, pages::tickets::upload),
        route(M::GET, "/tickets/{ticket_id}/attachments/{attachment_id}", User, Page, pages::tickets::download),
        route(M::GET, "/helpdesk/mail", Staff, Page, pages::tickets::mail),
        route(M::POST, "/helpdesk/mail/{mail_id}/ticket", Staff, Page, pages::tickets::assign_mail),
        route(M::GET, "/helpdesk/settings", Admin, Page, pages::settings::page),
        route(M::POST, "/helpdesk/settings/sla", Admin, Page, pages::settings::save_policy),
        route(M::POST, "/helpdesk/settings/calendar", Admin, Page, pages::settings::save_calendar),
        route(M::POST, "/entities/{id}/calendar", Admin, Page, pages::settings::save_entity_calendar),
        route(M::POST, "/entities/{id}/backup-checks", Admin, Page, pages::settings::add_backup_check),
        route(M::POST, "/tickets/{ticket_id}/phases", Staff, Page, pages::phases::create),
        route(M::GET, "/phases", User, Page, pages::phases::list),
        route(M::GET, "/phases/{phase_id}", User, Page, pages::phases::detail),
        route(M::POST, "/phases/{phase_id}", User, Page, pages::phases::update),
        route(M::GET, "/reports/sla", Staff, Page, pages::reports::sla),
        route(M::GET, "/reports/sla.csv", Staff, Page, pages::reports::sla_csv),
        route(M::GET, "/import", Admin, Page, pages::import::form),
        route(M::POST, "/import", Admin, Page, pages::import::upload),
        route(M::GET, "/import/{run}", Admin, Page, pages::import::progress),
        route(M::GET, "/users", Admin, Page, pages::users::list),
        route(M::GET, "/users/new", Admin, Page, pages::users::new_form),
        route(M::POST, "/users", Admin, Page, pages::users::create),
        route(M::GET, "/users/{user_id}/edit", Admin, Page, pages::users::edit_form),
        route(M::POST, "/users/{user_id}", Admin, Page, pages::users::update),
        route(M::POST, "/users/{user_id}/tokens/{token_id}/revoke", Admin, Page, pages::users::revoke_token),
        route(M::GET, "/membership-fee", Admin, Page, pages::membership::show),
        route(M::POST, "/membership-fee", Admin, Page, pages::membership::set),
        route(M::GET, "/jobs", Admin, Page, pages::jobs::list),
        route(M::POST, "/jobs/{job_id}/retry", Admin, Page, pages::jobs::retry),
        route(M::POST, "/jobs/{job_id}/cancel", Admin, Page, pages::jobs::cancel),
        route(M::GET, "/audit", Admin, Page, pages::audit::list),
        route(M::POST, "/audit/verify", Admin, Page, pages::audit::verify),
    ]
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
        .layer(h("content-security-policy", CSP))
        .layer(h("x-content-type-options", "nosniff"))
        .layer(h("x-frame-options", "DENY"))
        .layer(h("referrer-policy", "same-origin"))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(middleware::from_fn(crate::edge::request_id))
        .with_state(state)
}
