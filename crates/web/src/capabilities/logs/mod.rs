//! System-log tracking (issue 13): an entity's log sources, its messages and the
//! administrators' access events read out of them, the quarantine of unknown senders, and the
//! receivers' counters.

pub mod api;
pub mod exports_api;
pub mod messages_page;
pub mod pages;
pub mod review_api;
pub mod review_forms;

use axum::http::Method;

use crate::routes::{route, Access, Route, Surface};

#[rustfmt::skip]
pub(crate) fn routes() -> Vec<Route> {
    use Access::*;
    use Method as M;
    use Surface::*;
    vec![
        route(M::POST, "/api/v1/entities/{id}/log-sources", Staff, Api, api::create_source),
        route(M::GET, "/api/v1/entities/{id}/log-sources", Entity, Api, api::sources),
        route(M::GET, "/api/v1/entities/{id}/logs", Entity, Api, api::messages),
        route(M::GET, "/api/v1/entities/{id}/access-events", Entity, Api, api::access_events),
        route(M::GET, "/api/v1/log-quarantine", Staff, Api, api::quarantine),
        route(M::GET, "/api/v1/logs/status", Staff, Api, api::status),
        route(M::POST, "/api/v1/log-relay", Public, Api, api::relay),
        route(M::GET, "/api/v1/entities/{id}/log-settings", Entity, Api, exports_api::get_settings),
        route(M::PUT, "/api/v1/entities/{id}/log-settings", Entity, Api, exports_api::put_settings),
        route(M::POST, "/api/v1/entities/{id}/log-exports", Entity, Api, exports_api::create_export),
        route(M::GET, "/api/v1/entities/{id}/log-exports", Entity, Api, exports_api::exports),
        route(M::GET, "/api/v1/entities/{id}/log-compliance", Entity, Api, exports_api::compliance),
        route(M::GET, "/api/v1/log-exports/{export_id}/file", User, Api, exports_api::export_file),
        route(M::GET, "/api/v1/logs/signing-key", User, Api, exports_api::signing_key),
        route(M::GET, "/api/v1/entities/{id}/log-admins", Entity, Api, review_api::admins),
        route(M::POST, "/api/v1/entities/{id}/log-admins", Entity, Api, review_api::add_admin),
        route(M::DELETE, "/api/v1/log-admins/{admin_id}", User, Api, review_api::remove_admin),
        route(M::GET, "/api/v1/entities/{id}/log-reviewers", Entity, Api, review_api::reviewers),
        route(M::PUT, "/api/v1/entities/{id}/log-reviewers", Staff, Api, review_api::set_reviewer),
        route(M::GET, "/api/v1/entities/{id}/log-reviews", Entity, Api, review_api::reviews),
        route(M::POST, "/api/v1/entities/{id}/log-reviews", Entity, Api, review_api::sign_review),
        route(M::GET, "/entities/{id}/logs", Entity, Page, pages::review),
        route(M::GET, "/entities/{id}/logs.csv", Entity, Page, pages::review_csv),
        route(M::GET, "/entities/{id}/logs/messaggi", Entity, Page, messages_page::messages),
        route(M::POST, "/entities/{id}/logs/amministratori", Entity, Page, review_forms::add_admin),
        route(M::POST, "/entities/{id}/logs/amministratori/{admin_id}/togli", Entity, Page, review_forms::remove_admin),
        route(M::POST, "/entities/{id}/logs/verifiche", Entity, Page, review_forms::sign_review),
        route(M::POST, "/entities/{id}/logs/referenti", Staff, Page, review_forms::set_reviewer),
    ]
}
