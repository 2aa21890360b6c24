//! System-log tracking (issue 13): an entity's log sources, its messages and the
//! administrators' access events read out of them, the quarantine of unknown senders, and the
//! receivers' counters.

pub mod api;

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
    ]
}
