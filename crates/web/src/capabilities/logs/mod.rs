//! System-log tracking (issue 13): an entity's log sources, its messages and the
//! administrators' access events read out of them, the quarantine of unknown senders, and the
//! receivers' counters.

pub mod api;
pub mod exports_api;

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
        route(M::GET, "/api/v1/entities/{id}/log-settings", Entity, Api, exports_api::get_settings),
        route(M::PUT, "/api/v1/entities/{id}/log-settings", Entity, Api, exports_api::put_settings),
        route(M::POST, "/api/v1/entities/{id}/log-exports", Entity, Api, exports_api::create_export),
        route(M::GET, "/api/v1/entities/{id}/log-exports", Entity, Api, exports_api::exports),
        route(M::GET, "/api/v1/entities/{id}/log-compliance", Entity, Api, exports_api::compliance),
        route(M::GET, "/api/v1/log-exports/{export_id}/file", User, Api, exports_api::export_file),
        route(M::GET, "/api/v1/logs/signing-key", User, Api, exports_api::signing_key),
    ]
}
