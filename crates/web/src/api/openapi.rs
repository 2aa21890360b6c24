//! `GET /api/v1/openapi.json`. A test checks it documents exactly the API routes of the table.

use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::capabilities::addressbook::api as address_api;
use crate::capabilities::addressbook::sms_api;
use crate::capabilities::agenda::api as agenda_api;
use crate::capabilities::billing::api as billing;
use crate::capabilities::billing::deadlines_web as deadlines;
use crate::capabilities::billing::exports;
use crate::capabilities::billing::invoices_api as invoices;
use crate::capabilities::billing::payments_api as payments;
use crate::capabilities::billing::readings_api as readings;
use crate::capabilities::billing::reports_web as revenue;
use crate::capabilities::catalog::{
    agreements_api as agreements, membership_api as catalog, services_api as services,
};
use crate::capabilities::delivery::needs_api as needs;
use crate::capabilities::delivery::printouts;
use crate::capabilities::delivery::projects_api as projects;
use crate::capabilities::delivery::requests_api as delivery;
use crate::capabilities::delivery::services_web as active;
use crate::capabilities::delivery::work_api as work;
use crate::capabilities::faq::api as faq_api;
use crate::capabilities::helpdesk::{
    attachments_api as attachments, backups_api as backups, phases_api as phases,
    service_levels_api as levels, tickets_api as tickets,
};
use crate::capabilities::logs::api as logs;
use crate::capabilities::logs::exports_api as log_exports;
use crate::capabilities::logs::review_api as log_review;
use crate::capabilities::members::api as entities;
use crate::capabilities::ops::api as misc;
use crate::capabilities::portal::{
    events_api as events, modules_api as portal_modules, rooms_api as rooms, slots_api as slots,
    tenders_api as tenders,
};
use crate::capabilities::training::api as training_api;
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

/// The refusals every operation can answer, said once: a problem document
/// (`application/problem+json`) with its `code`. Any request can be refused for control
/// characters in its address (400); an authenticated one for a missing or bad token (401) or
/// a role that may not (403); an id in the path may name nothing (404); a body may be too large
/// (413), not JSON (415) or wrong (422), and query parameters may be wrong (400, 422).
struct Refusals;

impl Modify for Refusals {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        const PROBLEM: &str = "application/problem+json";
        let problem = |what: &str| {
            ResponseBuilder::new()
                .description(what)
                .content(
                    PROBLEM,
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        for (path, item) in doc.paths.paths.iter_mut() {
            let ops = [
                item.get.as_mut(),
                item.put.as_mut(),
                item.post.as_mut(),
                item.patch.as_mut(),
                item.delete.as_mut(),
            ];
            for op in ops.into_iter().flatten() {
                let r = &mut op.responses.responses;
                // Problem documents are declared with their own media type.
                for resp in r.values_mut() {
                    if let RefOr::T(resp) = resp {
                        let is_problem = resp.content.get("application/json").is_some_and(|c| {
                            matches!(&c.schema, Some(RefOr::Ref(x)) if x.ref_location.ends_with("/Problem"))
                        });
                        if is_problem {
                            if let Some(c) = resp.content.shift_remove("application/json") {
                                resp.content.insert(PROBLEM.into(), c);
                            }
                        }
                    }
                }
                let mut add = |status: &str, what: &str| {
                    r.entry(status.into())
                        .or_insert_with(|| RefOr::T(problem(what)));
                };
                add(
                    "400",
                    "richiesta non valida (caratteri di controllo, parametri)",
                );
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                if secured {
                    add("401", "token mancante, scaduto o revocato");
                    add("403", "il ruolo non consente l'operazione");
                }
                if path.contains('{') {
                    add("404", "non trovato (o fuori dall'ambito di chi chiede)");
                }
                let query = op
                    .parameters
                    .as_ref()
                    .is_some_and(|ps| ps.iter().any(|p| p.parameter_in == ParameterIn::Query));
                if query {
                    add("422", "parametri non validi");
                }
                if op.request_body.is_some() {
                    add("413", "corpo troppo grande");
                    add("415", "tipo di contenuto non accettato");
                    add("422", "dati non validi, campo per campo");
                }
            }
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
        tickets::create, tickets::list, tickets::get, tickets::take_charge, levels::sla_report,
        tickets::messages, tickets::add_message, tickets::set_state,
        attachments::attachments, attachments::upload, attachments::download,
        levels::get_profile, levels::put_profile, tickets::set_priority, tickets::assign,
        phases::for_ticket, phases::create, phases::mine, phases::get, phases::update,
        backups::list, backups::create, backups::report,
        delivery::create, delivery::list, delivery::get, delivery::approve, delivery::assign,
        delivery::deliver, delivery::refuse, delivery::cancel, delivery::services,
        work::create_package, work::package, work::create_report,
        active::get, active::quantity, active::deactivate,
        needs::open, needs::list, needs::forms, needs::get_form, needs::put_form, needs::process,
        needs::summary, printouts::api_pdf,
        projects::create, projects::list, projects::get, projects::propose, projects::approve,
        projects::refuse, projects::withdraw,
        billing::get_settings, billing::put_settings, billing::run, billing::run_status,
        billing::totals, billing::get, billing::patch, billing::issue, billing::of_entity,
        readings::create, readings::list, readings::get, readings::import,
        payments::create, payments::list, payments::overdue,
        exports::api_xlsx, exports::api_pdf, exports::run_xlsx, exports::run_csv,
        invoices::create, invoices::of_statement, invoices::get, invoices::xml, invoices::receipt,
        revenue::api_revenue, revenue::api_add_cost,
        invoices::zip, deadlines::list, deadlines::create, deadlines::renew, deadlines::new_feed,
        logs::create_source, logs::sources, logs::messages, logs::access_events, logs::quarantine,
        logs::status, logs::relay, log_exports::get_settings, log_exports::put_settings,
        log_exports::create_export, log_exports::exports, log_exports::export_file,
        log_exports::compliance, log_exports::signing_key,
        log_review::admins, log_review::add_admin, log_review::remove_admin,
        log_review::reviewers, log_review::set_reviewer, log_review::reviews,
        log_review::sign_review,
        portal_modules::get, portal_modules::put, portal_modules::entity,
        portal_modules::get_settings, portal_modules::put_settings,
        events::create, events::list, events::get, events::update, events::register,
        events::registrations, events::notices, events::cancel, events::edit, events::attendance,
        tenders::create, tenders::list, tenders::get, tenders::update, tenders::add_document,
        tenders::document,
        slots::create, slots::get, slots::book, slots::bookings, slots::weekly, slots::cancel,
        rooms::create, rooms::list, rooms::get, rooms::book, rooms::bookings, rooms::approve,
        rooms::reject, rooms::cancel,
        faq_api::create, faq_api::list, faq_api::get, faq_api::update, faq_api::delete,
        faq_api::vote,
        training_api::create, training_api::list, training_api::get, training_api::enrol,
        training_api::close_signup, training_api::cancel, training_api::register,
        training_api::withdraw, training_api::transfer, training_api::attendance,
        training_api::certificate, training_api::year_use, training_api::set_entries,
        address_api::create_book, address_api::books, address_api::book, address_api::add,
        address_api::import, address_api::export, address_api::entry, address_api::update,
        address_api::delete, address_api::create_list, address_api::list_lists,
        address_api::get_list, address_api::add_member, address_api::remove_member,
        sms_api::send, sms_api::log, sms_api::set_limit,
        agenda_api::create_calendar, agenda_api::calendars, agenda_api::calendar,
        agenda_api::update_calendar, agenda_api::delete_calendar, agenda_api::create_event,
        agenda_api::event, agenda_api::update_event, agenda_api::cancel_event,
        agenda_api::invite, agenda_api::agenda,
    ),
    components(schemas(Problem, ProblemField)),
    modifiers(&Bearer, &Refusals)
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
