//! `GET /api/v1/openapi.json`. A test checks it documents exactly the API routes of the table.

use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{agreements, backups, catalog, entities, misc, phases, services, tickets};
use crate::error::{Problem, ProblemField};

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = doc.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "cst API", version = "1", description = "API del Centro Servizi Territoriale. Errors are RFC 9457 problem documents (application/problem+json)."),
    paths(
        misc::healthz, misc::readyz, crate::metrics::scrape, document, misc::me, misc::audit,
        entities::list, entities::create, entities::import, entities::get, entities::patch,
        entities::contacts, entities::add_contact,
        catalog::put_rule, catalog::get_rule, catalog::membership_fee,
        services::list, services::get, services::put,
        services::price_lists_list, services::price_list_get, services::price_list_create,
        services::price_list_put, services::quote,
        agreements::list, agreements::create, agreements::get, agreements::patch, agreements::renew,
        tickets::create, tickets::list, tickets::get, tickets::take_charge, tickets::sla_report,
        tickets::messages, tickets::add_message, tickets::set_state,
        tickets::attachments, tickets::upload, tickets::download,
        tickets::get_profile, tickets::put_profile, tickets::set_priority,
        phases::for_ticket, phases::create, phases::mine, phases::get, phases::update,
        backups::list, backups::create, backups::report,
    ),
    components(schemas(Problem, ProblemField)),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn document() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        ApiDoc::openapi().to_json().unwrap_or_default(),
    )
        .into_response()
}
