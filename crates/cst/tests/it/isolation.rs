//! Tenant isolation, from the route table: every route, probed as a contact of entity A and as
//! a supplier assigned to A, must neither show nor change anything of entity B. A route with no
//! probe here fails the test: adding a route means saying how it is probed.

use std::collections::BTreeMap;

use reqwest::Method;
use testkit::{backends, spawn_app, Backend, TestApp};
use web::routes::{table, Access, Surface};

backends!(contact_and_supplier_never_reach_another_entity);

/// What a probe sends to a route: the body of a state-changing request.
enum Body {
    None,
    Json(&'static str),
    Form(&'static [(&'static str, &'static str)]),
    Csv(&'static str),
}

/// B's secrets: none of these may appear in any answer to A's contact or supplier.
const B_NAME: &str = "Comune Segreto di Bi";
const B_ISTAT: &str = "028099";
const B_CONTACT: &str = "Persona Riservata";
// B's ticket subject is "Guasto riservato": it must not show either.

fn probes() -> BTreeMap<(&'static str, &'static str), Body> {
    use Body::*;
    BTreeMap::from([
        (("GET", "/healthz"), None),
        (("GET", "/readyz"), None),
        (("GET", "/metrics"), None),
        (("GET", "/api/v1/openapi.json"), None),
        (("GET", "/api/v1/me"), None),
        (("GET", "/api/v1/entities"), None),
        (("POST", "/api/v1/entities"), Json(r#"{"name": "Intruso"}"#)),
        (
            ("POST", "/api/v1/entities/import"),
            Csv("name,istat_code\nRinominato,028099\n"),
        ),
        (("GET", "/api/v1/entities/{id}"), None),
        (
            ("PATCH", "/api/v1/entities/{id}"),
            Json(r#"{"name": "Rinominato"}"#),
        ),
        (("GET", "/api/v1/entities/{id}/contacts"), None),
        (
            ("POST", "/api/v1/entities/{id}/contacts"),
            Json(r#"{"full_name": "Intruso"}"#),
        ),
        (("GET", "/api/v1/entities/{id}/membership-fee"), None),
        (("GET", "/api/v1/membership-fee-rule"), None),
        (
            ("PUT", "/api/v1/membership-fee-rule"),
            Json(r#"{"preset": "macerata"}"#),
        ),
        (("GET", "/api/v1/entities/{id}/agreements"), None),
        (
            ("POST", "/api/v1/entities/{id}/agreements"),
            Json(r#"{"start_date": "2030-01-01", "term_years": 3, "signed": true}"#),
        ),
        (
            ("GET", "/api/v1/entities/{id}/agreements/{agreement_id}"),
            None,
        ),
        (
            ("PATCH", "/api/v1/entities/{id}/agreements/{agreement_id}"),
            Json(r#"{"status": "terminated", "terminated_on": "2026-06-30"}"#),
        ),
        (
            (
                "POST",
                "/api/v1/entities/{id}/agreements/{agreement_id}/renew",
            ),
            None,
        ),
        (("GET", "/api/v1/services"), None),
        (("GET", "/api/v1/services/{code}"), None),
        (
            ("PUT", "/api/v1/services/{code}"),
            Json(r#"{"name": "Rinominato", "category": "base", "description": "x"}"#),
        ),
        (("GET", "/api/v1/price-lists"), None),
        (
            ("POST", "/api/v1/price-lists"),
            Json(r#"{"name": "Intruso", "valid_from": "2031-01-01", "items": []}"#),
        ),
        (("GET", "/api/v1/price-lists/{list_id}"), None),
        (
            ("PUT", "/api/v1/price-lists/{list_id}"),
            Json(r#"{"name": "Intruso", "valid_from": "2020-10-01", "items": []}"#),
        ),
        (
            ("POST", "/api/v1/price-quotes"),
            Json(
                r#"{"service": "PD09", "entity_id": {B}, "quantity": 3, "activation_date": "2026-03-01", "year": 2027}"#,
            ),
        ),
        (
            ("POST", "/api/v1/tickets"),
            Json(
                r#"{"entity_id": {B}, "subject": "Intruso", "priority": "high", "channel": "portal"}"#,
            ),
        ),
        (("GET", "/api/v1/tickets"), None),
        (("GET", "/api/v1/tickets/{ticket_id}"), None),
        (("POST", "/api/v1/tickets/{ticket_id}/take-charge"), None),
        (("GET", "/api/v1/tickets/{ticket_id}/messages"), None),
        (
            ("POST", "/api/v1/tickets/{ticket_id}/messages"),
            Json(r#"{"body": "Intruso"}"#),
        ),
        (
            ("POST", "/api/v1/tickets/{ticket_id}/state"),
            Json(r#"{"state": "resolved", "note": "Intruso"}"#),
        ),
        (
            ("POST", "/api/v1/tickets/{ticket_id}/priority"),
            Json(r#"{"priority": "low"}"#),
        ),
        (
            ("POST", "/api/v1/tickets/{ticket_id}/assign"),
            Json(r#"{"assigned_to": null}"#),
        ),
        (("GET", "/api/v1/tickets/{ticket_id}/attachments"), None),
        (("GET", "/api/v1/tickets/{ticket_id}/phases"), None),
        (
            ("POST", "/api/v1/tickets/{ticket_id}/phases"),
            Json(r#"{"supplier_id": 1, "title": "Intruso"}"#),
        ),
        (("GET", "/api/v1/phases"), None),
        (("GET", "/api/v1/phases/{phase_id}"), None),
        (
            ("POST", "/api/v1/phases/{phase_id}/updates"),
            Json(r#"{"state": "done", "body": "Intruso"}"#),
        ),
        (("GET", "/api/v1/entities/{id}/support-profile"), None),
        (("GET", "/api/v1/entities/{id}/backup-checks"), None),
        (
            ("POST", "/api/v1/entities/{id}/backup-checks"),
            Json(r#"{"name": "Intruso"}"#),
        ),
        (
            ("POST", "/api/v1/backup-reports"),
            Json(r#"{"token": "cstbk_indovinato", "status": "failed"}"#),
        ),
        (
            ("PUT", "/api/v1/entities/{id}/support-profile"),
            Json(r#"{"profile": "enterprise"}"#),
        ),
        (
            ("POST", "/api/v1/tickets/{ticket_id}/attachments"),
            Csv("Intruso"),
        ),
        (
            (
                "GET",
                "/api/v1/tickets/{ticket_id}/attachments/{attachment_id}",
            ),
            None,
        ),
        (("GET", "/api/v1/reports/sla"), None),
        (("GET", "/api/v1/audit"), None),
        (("GET", "/static/{*path}"), None),
        (("GET", "/login"), None),
        (
            ("POST", "/login"),
            Form(&[("username", "nessuno"), ("password", "x")]),
        ),
        (("POST", "/logout"), None),
        (("GET", "/"), None),
        (("GET", "/entities"), None),
        (("GET", "/entities/new"), None),
        (("POST", "/entities"), Form(&[("name", "Intruso")])),
        (("GET", "/entities/{id}"), None),
        (("GET", "/entities/{id}/edit"), None),
        (
            ("POST", "/entities/{id}"),
            Form(&[("name", "Rinominato"), ("kind", "comune")]),
        ),
        (
            ("POST", "/entities/{id}/contacts"),
            Form(&[("full_name", "Intruso")]),
        ),
        (
            ("POST", "/entities/{id}/contacts/{contact_id}/delete"),
            None,
        ),
        (
            ("POST", "/entities/{id}/agreements"),
            Form(&[("start_date", "2030-01-01"), ("term_years", "3")]),
        ),
        (
            ("POST", "/entities/{id}/agreements/{agreement_id}"),
            Form(&[("action", "terminate"), ("date", "2026-06-30")]),
        ),
        (("GET", "/catalog"), None),
        (("GET", "/catalog/new"), None),
        (
            ("POST", "/catalog"),
            Form(&[
                ("code", "ZZ1"),
                ("name", "Intruso"),
                ("category", "base"),
                ("description", "x"),
            ]),
        ),
        (("GET", "/catalog/{code}"), None),
        (("GET", "/catalog/{code}/edit"), None),
        (
            ("POST", "/catalog/{code}"),
            Form(&[
                ("name", "Rinominato"),
                ("category", "base"),
                ("description", "x"),
            ]),
        ),
        (
            ("POST", "/catalog/{code}/quote"),
            Form(&[
                ("entity_id", "B"),
                ("quantity", "3"),
                ("activation_date", "2026-03-01"),
                ("year", "2027"),
            ]),
        ),
        (("GET", "/price-lists"), None),
        (
            ("POST", "/price-lists"),
            Form(&[
                ("name", "Intruso"),
                ("valid_from", "2031-01-01"),
                ("items_json", "[]"),
            ]),
        ),
        (("GET", "/price-lists/{list_id}"), None),
        (
            ("POST", "/price-lists/{list_id}"),
            Form(&[
                ("name", "Intruso"),
                ("valid_from", "2020-10-01"),
                ("items_json", "[]"),
            ]),
        ),
        (("GET", "/price-lists/{list_id}/json"), None),
        (
            ("POST", "/price-lists/{list_id}/fine"),
            Form(&[("valid_to", "2020-12-31"), ("confermato", "1")]),
        ),
        (("GET", "/price-lists/{list_id}/items/{item}"), None),
        (
            ("POST", "/price-lists/{list_id}/items/{item}"),
            Form(&[
                ("service", "PD09"),
                ("code", "x"),
                ("label", "Intruso"),
                ("azione", "salva"),
            ]),
        ),
        (
            ("POST", "/price-lists/{list_id}/items/{item}/anteprima"),
            Form(&[("service", "PD09")]),
        ),
        (
            ("POST", "/price-lists/{list_id}/items/{item}/elimina"),
            Form(&[("confermato", "1")]),
        ),
        (("GET", "/tickets"), None),
        (("GET", "/tickets/new"), None),
        (
            ("POST", "/tickets"),
            Form(&[
                ("entity_id", "B"),
                ("subject", "Intruso"),
                ("priority", "high"),
            ]),
        ),
        (("GET", "/tickets/{ticket_id}"), None),
        (
            ("POST", "/tickets/{ticket_id}/messages"),
            Form(&[("body", "Intruso")]),
        ),
        (("POST", "/tickets/{ticket_id}/take-charge"), None),
        (
            ("POST", "/tickets/{ticket_id}/priority"),
            Form(&[("priority", "low")]),
        ),
        (
            ("POST", "/tickets/{ticket_id}/assign"),
            Form(&[("assigned_to", "")]),
        ),
        (
            ("POST", "/tickets/bulk"),
            Form(&[("action", "assign"), ("assigned_to", ""), ("ids", "T")]),
        ),
        (("GET", "/tickets.csv"), None),
        (("GET", "/entities.csv"), None),
        (("POST", "/tickets/{ticket_id}/attachments"), None),
        (
            ("GET", "/tickets/{ticket_id}/attachments/{attachment_id}"),
            None,
        ),
        (("GET", "/helpdesk/mail"), None),
        (
            ("POST", "/helpdesk/mail/{mail_id}/ticket"),
            Form(&[("entity_id", "B"), ("priority", "high")]),
        ),
        (("GET", "/helpdesk/settings"), None),
        (
            ("POST", "/helpdesk/settings/sla"),
            Form(&[("take_charge_high", "1"), ("target_percent", "1")]),
        ),
        (
            ("POST", "/helpdesk/settings/calendar"),
            Form(&[("preset", "ltt")]),
        ),
        (
            ("POST", "/entities/{id}/calendar"),
            Form(&[("preset", "ltt")]),
        ),
        (
            ("POST", "/entities/{id}/backup-checks"),
            Form(&[("name", "Intruso")]),
        ),
        (
            ("POST", "/tickets/{ticket_id}/phases"),
            Form(&[("supplier_id", "1"), ("title", "Intruso")]),
        ),
        (("GET", "/phases"), None),
        (("GET", "/phases/{phase_id}"), None),
        (
            ("POST", "/phases/{phase_id}"),
            Form(&[("state", "done"), ("body", "Intruso")]),
        ),
        (
            ("POST", "/entities/{id}/support-profile"),
            Form(&[("profile", "enterprise")]),
        ),
        (
            ("POST", "/tickets/{ticket_id}/state"),
            Form(&[("state", "resolved"), ("note", "Intruso")]),
        ),
        (("GET", "/reports/sla"), None),
        (("GET", "/reports/sla.csv"), None),
        (("GET", "/import"), None),
        (("POST", "/import"), None),
        (("GET", "/import/{run}"), None),
        (("GET", "/users"), None),
        (("GET", "/users/new"), None),
        (
            ("POST", "/users"),
            Form(&[
                ("username", "intruso"),
                ("role", "admin"),
                ("password", "password-lunga-1"),
            ]),
        ),
        (("GET", "/users/{user_id}/edit"), None),
        (
            ("POST", "/users/{user_id}"),
            Form(&[("role", "admin"), ("active", "1"), ("entity_ids", "B")]),
        ),
        (("POST", "/users/{user_id}/tokens/{token_id}/revoke"), None),
        (("GET", "/membership-fee"), None),
        (
            ("POST", "/membership-fee"),
            Form(&[("year", "2026"), ("preset", "macerata")]),
        ),
        (
            ("POST", "/membership-fee/{year}/elimina"),
            Form(&[("confermato", "1")]),
        ),
        (
            ("POST", "/membership-fee/anteprima"),
            Form(&[("year", "2026"), ("model", "per_inhabitant"), ("rate", "1")]),
        ),
        (("GET", "/jobs.csv"), None),
        (("GET", "/audit.csv"), None),
        (("GET", "/users.csv"), None),
        (("GET", "/quotes"), None),
        (("GET", "/quotes.csv"), None),
        (
            ("POST", "/api/v1/activation-requests"),
            Json(r#"{"entity_id": {B}, "service": "PD09", "quantity": 1}"#),
        ),
        (("GET", "/api/v1/activation-requests"), None),
        (("GET", "/api/v1/activation-requests/{request_id}"), None),
        (
            ("POST", "/api/v1/activation-requests/{request_id}/approve"),
            None,
        ),
        (
            ("POST", "/api/v1/activation-requests/{request_id}/assign"),
            Json(r#"{"assigned_to": 1}"#),
        ),
        (
            ("POST", "/api/v1/activation-requests/{request_id}/deliver"),
            Json(r#"{"activation_date": "2026-12-01"}"#),
        ),
        (
            ("POST", "/api/v1/activation-requests/{request_id}/refuse"),
            Json(r#"{"reason": "no"}"#),
        ),
        (
            ("POST", "/api/v1/activation-requests/{request_id}/cancel"),
            None,
        ),
        (("GET", "/api/v1/entities/{id}/services"), None),
        (("GET", "/api/v1/active-services/{service_id}"), None),
        (
            ("POST", "/api/v1/active-services/{service_id}/quantity"),
            Json(r#"{"quantity": 5, "date": "2026-12-01"}"#),
        ),
        (
            ("POST", "/api/v1/active-services/{service_id}/deactivate"),
            Json(r#"{"end_date": "2026-12-31"}"#),
        ),
        (
            ("POST", "/active-services/{service_id}/{action}"),
            Form(&[("confermato", "1"), ("ultimo_giorno", "2026-12-31")]),
        ),
        (
            ("POST", "/api/v1/entities/{id}/packages"),
            Json(r#"{"service": "PD14", "year": 2026}"#),
        ),
        (("GET", "/api/v1/packages/{package_id}"), None),
        (
            ("POST", "/api/v1/needs-campaigns"),
            Json(r#"{"year": 2027, "deadline": "2026-12-20"}"#),
        ),
        (("GET", "/api/v1/needs-campaigns"), None),
        (("GET", "/api/v1/needs-campaigns/{campaign_id}/forms"), None),
        (
            (
                "GET",
                "/api/v1/needs-campaigns/{campaign_id}/forms/{entity_id}",
            ),
            None,
        ),
        (
            (
                "PUT",
                "/api/v1/needs-campaigns/{campaign_id}/forms/{entity_id}",
            ),
            Json(r#"{"lines": [], "notes": "Guasto riservato", "submitted": true}"#),
        ),
        (
            (
                "POST",
                "/api/v1/needs-campaigns/{campaign_id}/forms/{entity_id}/process",
            ),
            None,
        ),
        (
            ("GET", "/api/v1/needs-campaigns/{campaign_id}/summary"),
            None,
        ),
        (
            ("POST", "/api/v1/work-reports"),
            Json(r#"{"entity_id": {B}, "minutes": 10, "mode": "remote", "description": "x"}"#),
        ),
        (("GET", "/packages/{package_id}"), None),
        (
            ("POST", "/packages/{package_id}/interventi"),
            Form(&[("ore", "1"), ("modo", "remote"), ("descrizione", "x")]),
        ),
        (
            (
                "POST",
                "/packages/{package_id}/interventi/{report_id}/presa-visione",
            ),
            None,
        ),
        (
            ("POST", "/entities/{id}/packages"),
            Form(&[("servizio", "PD14"), ("anno", "2026")]),
        ),
        (
            ("POST", "/api/v1/projects"),
            Json(r#"{"entity_id": {B}, "title": "Guasto riservato"}"#),
        ),
        (("GET", "/api/v1/projects"), None),
        (("GET", "/api/v1/projects/{project_id}"), None),
        (
            ("POST", "/api/v1/projects/{project_id}/quotes"),
            Json(r#"{"lines": [{"text": "x", "amount": "1.00"}], "valid_until": "2026-12-31"}"#),
        ),
        (
            ("POST", "/api/v1/projects/{project_id}/approve"),
            Json(r#"{"version": 1}"#),
        ),
        (
            ("POST", "/api/v1/projects/{project_id}/refuse"),
            Json(r#"{"version": 1, "reason": "no"}"#),
        ),
        (("POST", "/api/v1/projects/{project_id}/withdraw"), None),
        (("GET", "/api/v1/work-reports/{report_id}/pdf"), None),
        (("GET", "/work-reports/{report_id}/pdf"), None),
        (
            ("POST", "/work-reports/{kind}/{id}"),
            Form(&[
                ("ore", "1"),
                ("modo", "remote"),
                ("descrizione", "Guasto riservato"),
            ]),
        ),
        (("GET", "/projects/{project_id}"), None),
        (
            ("POST", "/projects/{project_id}/{action}"),
            Form(&[("confermato", "1"), ("versione", "1")]),
        ),
        (
            ("POST", "/entities/{id}/projects"),
            Form(&[("titolo", "Guasto riservato")]),
        ),
        (("GET", "/api/v1/billing/settings"), None),
        (
            ("PUT", "/api/v1/billing/settings"),
            Json(r#"{"settings": {}}"#),
        ),
        (
            ("POST", "/api/v1/statements/run"),
            Json(r#"{"year": 2026, "entity_ids": [{B}]}"#),
        ),
        (("GET", "/api/v1/statements/runs/{run_id}"), None),
        (("GET", "/api/v1/statements/totals"), None),
        (("GET", "/api/v1/statements/{statement_id}"), None),
        (
            ("PATCH", "/api/v1/statements/{statement_id}"),
            Json(r#"{"cig": "Z1234567AB"}"#),
        ),
        (("POST", "/api/v1/statements/{statement_id}/issue"), None),
        (("GET", "/api/v1/entities/{id}/statements"), None),
        (("GET", "/api/v1/statements/overdue"), None),
        (
            ("POST", "/api/v1/statements/{statement_id}/payments"),
            Json(r#"{"paid_on": "2026-11-25", "amount": "1.00"}"#),
        ),
        (("GET", "/api/v1/statements/{statement_id}/payments"), None),
        (
            ("POST", "/api/v1/entities/{id}/readings"),
            Json(r#"{"service": "PD02", "year": 2026, "month": 1, "quantity": 10}"#),
        ),
        (("GET", "/api/v1/entities/{id}/readings"), None),
        (("GET", "/api/v1/readings/{reading_id}"), None),
        (
            ("POST", "/api/v1/readings/import"),
            Csv("ente;servizio;anno;mese;quantita\n{B};PD02;2026;1;10\n"),
        ),
        (("GET", "/statements"), None),
        (("GET", "/api/v1/reports/revenue"), None),
        (
            ("POST", "/api/v1/centre-costs"),
            Json(r#"{"year": 2026, "label": "Guasto riservato", "amount": "1.00"}"#),
        ),
        (("GET", "/reports/revenue"), None),
        (("GET", "/reports/revenue.xlsx"), None),
        (("GET", "/reports/revenue.csv"), None),
        (
            ("POST", "/reports/revenue/costi"),
            Form(&[("anno", "2026"), ("voce", "x"), ("importo", "1")]),
        ),
        (("GET", "/api/v1/deadlines"), None),
        (
            ("POST", "/api/v1/entities/{id}/log-sources"),
            Json(r#"{"name": "Guasto riservato", "address": "198.51.100.7"}"#),
        ),
        (("GET", "/api/v1/entities/{id}/log-sources"), None),
        (("GET", "/api/v1/entities/{id}/logs"), None),
        (("GET", "/api/v1/entities/{id}/access-events"), None),
        (("GET", "/api/v1/log-quarantine"), None),
        (("GET", "/api/v1/logs/status"), None),
        (
            ("POST", "/api/v1/log-relay"),
            Json(
                r#"{"messages": [{"id": 1, "received": 1, "peer": "x", "raw": "R3Vhc3RvIHJpc2VydmF0bw=="}]}"#,
            ),
        ),
        (("GET", "/api/v1/entities/{id}/log-settings"), None),
        (
            ("PUT", "/api/v1/entities/{id}/log-settings"),
            Json(
                r#"{"recipients": ["age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"], "retention_days": 183}"#,
            ),
        ),
        (
            ("POST", "/api/v1/entities/{id}/log-exports"),
            Json(r#"{"from": "2026-11-01", "to": "2026-11-02"}"#),
        ),
        (("GET", "/api/v1/entities/{id}/log-exports"), None),
        (("GET", "/api/v1/entities/{id}/log-compliance"), None),
        (("GET", "/api/v1/log-exports/{export_id}/file"), None),
        (("GET", "/api/v1/logs/signing-key"), None),
        (("GET", "/api/v1/entities/{id}/log-admins"), None),
        (
            ("POST", "/api/v1/entities/{id}/log-admins"),
            Json(r#"{"name": "Guasto riservato", "accounts": ["intruso"]}"#),
        ),
        (("DELETE", "/api/v1/log-admins/{admin_id}"), None),
        (("GET", "/api/v1/portal/modules"), None),
        (
            ("PUT", "/api/v1/portal/modules"),
            Json(r#"{"items": [{"module": "events", "service": "PD02", "item": "base"}]}"#),
        ),
        (("GET", "/api/v1/entities/{id}/portal-modules"), None),
        (("GET", "/api/v1/entities/{id}/portal-settings"), None),
        (
            ("PUT", "/api/v1/entities/{id}/portal-settings"),
            Json(r#"{"retention_days": 1}"#),
        ),
        (("GET", "/api/v1/events/{event_id}/attendance.csv"), None),
        (
            ("POST", "/api/v1/events"),
            Json(
                r#"{"entity_id": {B}, "title": "Intruso", "starts_at": "2027-01-16T18:00", "seats": 5}"#,
            ),
        ),
        (("GET", "/api/v1/events"), None),
        (("GET", "/api/v1/events/{event_id}"), None),
        (
            ("PATCH", "/api/v1/events/{event_id}"),
            Json(r#"{"seats": 1}"#),
        ),
        (
            ("POST", "/api/v1/events/{event_id}/registrations"),
            Json(r#"{"name": "Intruso", "email": "intruso@example.org", "seats": 1}"#),
        ),
        (("GET", "/api/v1/events/{event_id}/registrations"), None),
        (("GET", "/api/v1/events/{event_id}/notices"), None),
        (
            ("POST", "/api/v1/registrations/{registration_id}/cancel"),
            None,
        ),
        (
            ("PATCH", "/api/v1/registrations/{registration_id}"),
            Json(r#"{"seats": 2}"#),
        ),
        (
            ("POST", "/api/v1/tenders"),
            Json(
                r#"{"entity_id": {B}, "title": "Intruso", "category": "lavori", "published_on": "2026-11-01", "deadline_at": "2026-12-31"}"#,
            ),
        ),
        (("GET", "/api/v1/tenders"), None),
        (("GET", "/api/v1/tenders/{tender_id}"), None),
        (
            ("PUT", "/api/v1/tenders/{tender_id}"),
            Json(
                r#"{"entity_id": {B}, "title": "Intruso", "category": "lavori", "published_on": "2026-11-01", "deadline_at": "2026-12-31", "reason": "x"}"#,
            ),
        ),
        (
            ("POST", "/api/v1/appointment-slots"),
            Json(
                r#"{"entity_id": {B}, "office": "Anagrafe", "starts_at": "2027-01-11T09:00", "minutes": 20, "places": 1}"#,
            ),
        ),
        (
            ("POST", "/api/v1/tenders/{tender_id}/documents"),
            Csv("intruso"),
        ),
        (
            ("GET", "/api/v1/tenders/{tender_id}/documents/{document_id}"),
            None,
        ),
        (("GET", "/entities/{id}/eventi"), None),
        (
            ("POST", "/entities/{id}/eventi"),
            Form(&[
                ("titolo", "Intruso"),
                ("data", "2027-01-10"),
                ("ora", "18:00"),
                ("posti", "5"),
            ]),
        ),
        (("GET", "/eventi/{event_id}"), None),
        (
            ("POST", "/eventi/{event_id}/iscrizioni"),
            Form(&[
                ("nome", "Intruso"),
                ("email", "i@example.org"),
                ("posti", "1"),
            ]),
        ),
        (
            (
                "POST",
                "/eventi/{event_id}/iscrizioni/{registration_id}/annulla",
            ),
            Form(&[("confermato", "1")]),
        ),
        (
            ("POST", "/eventi/{event_id}/chiusura"),
            Form(&[("chiuse", "1")]),
        ),
        (("GET", "/eventi/{event_id}/presenze.csv"), None),
        (("GET", "/entities/{id}/sportello"), None),
        (
            ("POST", "/entities/{id}/sportello/orario"),
            Form(&[
                ("ufficio", "Intruso"),
                ("dal", "2027-01-04"),
                ("al", "2027-01-08"),
                ("lun", "1"),
                ("dalle", "09:00"),
                ("alle", "10:00"),
                ("minuti", "20"),
                ("posti", "1"),
            ]),
        ),
        (
            ("POST", "/entities/{id}/sportello/sale"),
            Form(&[("nome", "Sala intrusa")]),
        ),
        (
            ("POST", "/prenotazioni-sale/{room_booking_id}/{action}"),
            Form(&[("confermato", "1")]),
        ),
        (
            ("POST", "/prenotazioni/{booking_id}/annulla"),
            Form(&[("confermato", "1")]),
        ),
        (("GET", "/entities/{id}/portale"), None),
        (
            ("POST", "/api/v1/faq"),
            Json(
                r#"{"title": "Domanda", "body": "Risposta", "category": "altro", "public": true}"#,
            ),
        ),
        (("GET", "/api/v1/faq"), None),
        (("GET", "/api/v1/faq/{faq_id}"), None),
        (
            ("PUT", "/api/v1/faq/{faq_id}"),
            Json(
                r#"{"title": "Domanda", "body": "Risposta", "category": "altro", "public": true}"#,
            ),
        ),
        (("DELETE", "/api/v1/faq/{faq_id}"), None),
        (
            ("POST", "/api/v1/faq/{faq_id}/vote"),
            Json(r#"{"useful": true}"#),
        ),
        (("GET", "/faq"), None),
        (
            ("POST", "/faq"),
            Form(&[
                ("titolo", "Domanda"),
                ("risposta", "Risposta"),
                ("categoria", "altro"),
            ]),
        ),
        (("GET", "/faq/suggerimenti"), None),
        (("GET", "/faq/{faq_id}"), None),
        (
            ("POST", "/faq/{faq_id}"),
            Form(&[
                ("titolo", "Domanda"),
                ("risposta", "Risposta"),
                ("categoria", "altro"),
            ]),
        ),
        (
            ("POST", "/faq/{faq_id}/elimina"),
            Form(&[("confermato", "1")]),
        ),
        (("POST", "/faq/{faq_id}/voto"), Form(&[("utile", "1")])),
        (
            ("POST", "/api/v1/courses"),
            Json(r#"{"title": "Intruso", "seats": 5, "starts_at": "2031-01-01T09:00"}"#),
        ),
        (("GET", "/api/v1/courses"), None),
        (("GET", "/api/v1/courses/{course_id}"), None),
        (
            ("POST", "/api/v1/courses/{course_id}/enrolments"),
            Json(r#"{"entity_id": {B}, "name": "Intruso", "email": "i@example.org"}"#),
        ),
        (("POST", "/api/v1/courses/{course_id}/close-signup"), None),
        (
            ("POST", "/api/v1/courses/{course_id}/cancel"),
            Json(r#"{"reason": "Intruso"}"#),
        ),
        (("GET", "/api/v1/courses/{course_id}/register"), None),
        (("POST", "/api/v1/enrolments/{enrolment_id}/withdraw"), None),
        (
            ("POST", "/api/v1/enrolments/{enrolment_id}/transfer"),
            Json(r#"{"name": "Intruso", "email": "i@example.org"}"#),
        ),
        (
            ("PUT", "/api/v1/enrolments/{enrolment_id}/attendance"),
            Json(r#"{"attendance": "present"}"#),
        ),
        (
            ("GET", "/api/v1/enrolments/{enrolment_id}/certificate"),
            None,
        ),
        (("GET", "/api/v1/entities/{id}/training-entries"), None),
        (
            ("PUT", "/api/v1/entities/{id}/training-entries"),
            Json(r#"{"year": 2031, "entries": 9}"#),
        ),
        (("GET", "/corsi"), None),
        (
            ("POST", "/corsi"),
            Form(&[
                ("titolo", "Intruso"),
                ("inizio", "2031-01-01T09:00"),
                ("posti", "5"),
            ]),
        ),
        (("GET", "/corsi/{course_id}"), None),
        (
            ("POST", "/corsi/{course_id}/iscrizioni"),
            Form(&[
                ("ente", "B"),
                ("nome", "Intruso"),
                ("email", "i@example.org"),
            ]),
        ),
        (
            ("POST", "/corsi/{course_id}/chiusura"),
            Form(&[("confermato", "1")]),
        ),
        (
            ("POST", "/corsi/{course_id}/annulla"),
            Form(&[("confermato", "1"), ("motivo", "Intruso")]),
        ),
        (("GET", "/corsi/{course_id}/registro.pdf"), None),
        (
            ("POST", "/iscrizioni-corsi/{enrolment_id}/{action}"),
            Form(&[
                ("confermato", "1"),
                ("nome", "Intruso"),
                ("email", "i@example.org"),
            ]),
        ),
        (
            ("GET", "/iscrizioni-corsi/{enrolment_id}/attestato.pdf"),
            None,
        ),
        (("GET", "/entities/{id}/formazione"), None),
        (
            ("POST", "/entities/{id}/formazione"),
            Form(&[("anno", "2031"), ("ingressi", "9")]),
        ),
        (
            ("POST", "/api/v1/entities/{id}/address-books"),
            Json(r#"{"name": "Intrusa"}"#),
        ),
        (("GET", "/api/v1/entities/{id}/address-books"), None),
        (("GET", "/api/v1/address-books/{book_id}"), None),
        (
            ("POST", "/api/v1/address-books/{book_id}/entries"),
            Json(r#"{"name": "Intruso", "mobile": "3331112222"}"#),
        ),
        (
            ("POST", "/api/v1/address-books/{book_id}/import"),
            Csv("nome;cellulare\nIntruso;3331112222\n"),
        ),
        (("GET", "/api/v1/address-books/{book_id}/export"), None),
        (("GET", "/api/v1/address-entries/{entry_id}"), None),
        (
            ("PUT", "/api/v1/address-entries/{entry_id}"),
            Json(r#"{"name": "Intruso"}"#),
        ),
        (("DELETE", "/api/v1/address-entries/{entry_id}"), None),
        (
            ("POST", "/api/v1/entities/{id}/contact-lists"),
            Json(r#"{"name": "Intrusa"}"#),
        ),
        (("GET", "/api/v1/entities/{id}/contact-lists"), None),
        (("GET", "/api/v1/contact-lists/{contact_list_id}"), None),
        (
            ("POST", "/api/v1/contact-lists/{contact_list_id}/members"),
            Json(r#"{"name": "Intruso", "phone": "3331112222"}"#),
        ),
        (("DELETE", "/api/v1/contact-list-members/{member_id}"), None),
        (
            ("POST", "/api/v1/sms"),
            Json(r#"{"entity_id": {B}, "to": ["3471112222"], "text": "Intruso"}"#),
        ),
        (("GET", "/api/v1/entities/{id}/sms"), None),
        (
            ("PUT", "/api/v1/entities/{id}/sms-limit"),
            Json(r#"{"monthly_parts": 1}"#),
        ),
        (("GET", "/entities/{id}/sms"), None),
        (
            ("POST", "/entities/{id}/sms"),
            Form(&[
                ("numeri", "3471112222"),
                ("testo", "Intruso"),
                ("confermato", "1"),
            ]),
        ),
        (("GET", "/entities/{id}/sms/anteprima"), None),
        (
            ("POST", "/entities/{id}/sms/limite"),
            Form(&[("limite", "1")]),
        ),
        (("GET", "/rubrica"), None),
        (("GET", "/sms"), None),
        (("GET", "/entities/{id}/rubrica"), None),
        (
            ("POST", "/entities/{id}/rubrica"),
            Form(&[("nome", "Intrusa")]),
        ),
        (
            ("POST", "/entities/{id}/liste"),
            Form(&[("nome", "Intrusa")]),
        ),
        (("GET", "/rubriche/{book_id}"), None),
        (
            ("POST", "/rubriche/{book_id}"),
            Form(&[("nome", "Intruso"), ("cellulare", "3331112222")]),
        ),
        (("POST", "/rubriche/{book_id}/importa"), None),
        (("GET", "/rubriche/{book_id}/{file}"), None),
        (("GET", "/voci-rubrica/{entry_id}"), None),
        (
            ("POST", "/voci-rubrica/{entry_id}"),
            Form(&[("nome", "Intruso")]),
        ),
        (
            ("POST", "/voci-rubrica/{entry_id}/elimina"),
            Form(&[("confermato", "1")]),
        ),
        (("GET", "/liste/{contact_list_id}"), None),
        (
            ("POST", "/liste/{contact_list_id}"),
            Form(&[("nome", "Intruso"), ("cellulare", "3331112222")]),
        ),
        (
            (
                "POST",
                "/liste/{contact_list_id}/destinatari/{member_id}/togli",
            ),
            Form(&[("confermato", "1")]),
        ),
        (
            ("POST", "/api/v1/entities/{id}/calendars"),
            Json(r#"{"name": "Intrusa", "kind": "group"}"#),
        ),
        (("GET", "/api/v1/entities/{id}/calendars"), None),
        (("GET", "/api/v1/entities/{id}/agenda"), None),
        (("GET", "/api/v1/calendars/{calendar_id}"), None),
        (
            ("PUT", "/api/v1/calendars/{calendar_id}"),
            Json(r#"{"name": "Intrusa", "kind": "group"}"#),
        ),
        (("DELETE", "/api/v1/calendars/{calendar_id}"), None),
        (
            ("POST", "/api/v1/calendars/{calendar_id}/events"),
            Json(
                r#"{"title": "Intruso", "starts": "2027-01-11T09:00", "ends": "2027-01-11T10:00"}"#,
            ),
        ),
        (("GET", "/api/v1/agenda-events/{agenda_event_id}"), None),
        (
            ("PUT", "/api/v1/agenda-events/{agenda_event_id}"),
            Json(
                r#"{"title": "Intruso", "starts": "2027-01-11T09:00", "ends": "2027-01-11T10:00", "version": 1}"#,
            ),
        ),
        (
            ("POST", "/api/v1/agenda-events/{agenda_event_id}/cancel"),
            None,
        ),
        (
            (
                "POST",
                "/api/v1/agenda-events/{agenda_event_id}/invitations",
            ),
            Json(r#"{"invitees": [{"email": "intruso@example.org"}]}"#),
        ),
        (("GET", "/agenda"), None),
        (("POST", "/agenda/feed"), None),
        (("GET", "/agenda/feed/{file}"), None),
        (("GET", "/agenda/invito/{token}"), None),
        (
            ("POST", "/agenda/invito/{token}"),
            Form(&[("risposta", "si")]),
        ),
        (("GET", "/entities/{id}/agenda"), None),
        (
            ("POST", "/entities/{id}/agende"),
            Form(&[("nome", "Intrusa"), ("tipo", "gruppo")]),
        ),
        (
            ("POST", "/agende/{calendar_id}/elimina"),
            Form(&[("confermato", "1")]),
        ),
        (("GET", "/agende/{calendar_id}/nuovo"), None),
        (
            ("POST", "/agende/{calendar_id}/nuovo"),
            Form(&[
                ("titolo", "Intruso"),
                ("giorno", "2027-01-11"),
                ("dalle", "09:00"),
                ("alle", "10:00"),
            ]),
        ),
        (("GET", "/appuntamenti/{agenda_event_id}"), None),
        (("GET", "/appuntamenti/{agenda_event_id}/modifica"), None),
        (
            ("POST", "/appuntamenti/{agenda_event_id}/modifica"),
            Form(&[
                ("titolo", "Intruso"),
                ("giorno", "2027-01-11"),
                ("dalle", "09:00"),
                ("alle", "10:00"),
                ("versione", "1"),
            ]),
        ),
        (
            ("POST", "/appuntamenti/{agenda_event_id}/annulla"),
            Form(&[("confermato", "1")]),
        ),
        (
            ("POST", "/appuntamenti/{agenda_event_id}/invita"),
            Form(&[("indirizzi", "intruso@example.org")]),
        ),
        (("POST", "/entities/{id}/portale/logo"), None),
        (("GET", "/p/{entity}/logo"), None),
        (
            ("POST", "/entities/{id}/portale"),
            Form(&[("conservazione", "30"), ("informativa", "x")]),
        ),
        (("GET", "/entities/{id}/bandi"), None),
        (
            ("POST", "/entities/{id}/bandi"),
            Form(&[("titolo", "Intruso"), ("categoria", "lavori")]),
        ),
        (("GET", "/bandi/{tender_id}"), None),
        (
            ("POST", "/bandi/{tender_id}"),
            Form(&[("titolo", "Intruso"), ("motivo", "x")]),
        ),
        (("POST", "/bandi/{tender_id}/documenti"), None),
        (("GET", "/p/{entity}"), None),
        (("GET", "/p/{entity}/privacy"), None),
        (("GET", "/p/{entity}/eventi"), None),
        (("GET", "/p/{entity}/eventi/{event_id}"), None),
        (
            ("POST", "/p/{entity}/eventi/{event_id}"),
            Form(&[
                ("nome", "Intruso"),
                ("email", "i@example.org"),
                ("posti", "1"),
                ("consenso", "1"),
            ]),
        ),
        (
            ("GET", "/p/{entity}/iscrizioni/{registration_id}/{code}"),
            None,
        ),
        (
            ("POST", "/p/{entity}/iscrizioni/{registration_id}/{code}"),
            None,
        ),
        (("GET", "/p/{entity}/appuntamenti"), None),
        (("GET", "/p/{entity}/appuntamenti/{slot_id}"), None),
        (
            ("POST", "/p/{entity}/appuntamenti/{slot_id}"),
            Form(&[
                ("nome", "Intruso"),
                ("email", "i@example.org"),
                ("consenso", "1"),
            ]),
        ),
        (
            ("GET", "/p/{entity}/prenotazioni/{booking_id}/{code}"),
            None,
        ),
        (
            ("POST", "/p/{entity}/prenotazioni/{booking_id}/{code}"),
            None,
        ),
        (
            (
                "GET",
                "/p/{entity}/prenotazioni/{booking_id}/{code}/calendario.ics",
            ),
            None,
        ),
        (
            ("POST", "/api/v1/appointment-slots/weekly"),
            Json(
                r#"{"entity_id": {B}, "office": "Anagrafe", "from": "2027-01-04", "to": "2027-01-08", "openings": [{"weekday": 1, "start": "09:00", "end": "10:00", "minutes": 20, "places": 1}]}"#,
            ),
        ),
        (
            ("POST", "/api/v1/appointment-bookings/{booking_id}/cancel"),
            None,
        ),
        (("GET", "/p/{entity}/bandi"), None),
        (("GET", "/p/{entity}/bandi.atom"), None),
        (("GET", "/p/{entity}/bandi/{tender_id}"), None),
        (
            (
                "GET",
                "/p/{entity}/bandi/{tender_id}/documenti/{document_id}",
            ),
            None,
        ),
        (("GET", "/api/v1/appointment-slots/{slot_id}"), None),
        (
            ("POST", "/api/v1/rooms"),
            Json(r#"{"entity_id": {B}, "name": "Sala intrusa"}"#),
        ),
        (("GET", "/api/v1/entities/{id}/rooms"), None),
        (("GET", "/api/v1/rooms/{room_id}"), None),
        (
            ("POST", "/api/v1/rooms/{room_id}/bookings"),
            Json(
                r#"{"name": "Intruso", "email": "intruso@example.org", "purpose": "Festa", "starts_at": "2027-01-16T18:00", "hours": 2}"#,
            ),
        ),
        (("GET", "/api/v1/rooms/{room_id}/bookings"), None),
        (
            ("POST", "/api/v1/room-bookings/{room_booking_id}/approve"),
            None,
        ),
        (
            ("POST", "/api/v1/room-bookings/{room_booking_id}/reject"),
            Json(r#"{"note": "no"}"#),
        ),
        (
            ("POST", "/api/v1/room-bookings/{room_booking_id}/cancel"),
            Json(r#"{}"#),
        ),
        (("GET", "/p/{entity}/sale"), None),
        (("GET", "/p/{entity}/sale/{room_id}"), None),
        (
            ("POST", "/p/{entity}/sale/{room_id}"),
            Form(&[
                ("giorno", "2027-01-16"),
                ("dalle", "18"),
                ("alle", "20"),
                ("nome", "Intruso"),
                ("email", "i@example.org"),
                ("uso", "Festa"),
                ("consenso", "1"),
            ]),
        ),
        (
            (
                "GET",
                "/p/{entity}/sale-prenotazioni/{room_booking_id}/{code}",
            ),
            None,
        ),
        (
            (
                "POST",
                "/p/{entity}/sale-prenotazioni/{room_booking_id}/{code}",
            ),
            None,
        ),
        (
            ("POST", "/api/v1/appointment-slots/{slot_id}/bookings"),
            Json(r#"{"name": "Intruso", "email": "intruso@example.org"}"#),
        ),
        (
            ("GET", "/api/v1/appointment-slots/{slot_id}/bookings"),
            None,
        ),
        (("GET", "/api/v1/entities/{id}/log-reviewers"), None),
        (
            ("PUT", "/api/v1/entities/{id}/log-reviewers"),
            Json(r#"{"user_id": 1, "kind": "titolare"}"#),
        ),
        (("GET", "/api/v1/entities/{id}/log-reviews"), None),
        (("GET", "/entities/{id}/logs"), None),
        (("GET", "/entities/{id}/logs.csv"), None),
        (("GET", "/entities/{id}/logs/messaggi"), None),
        (
            ("POST", "/entities/{id}/logs/amministratori"),
            Form(&[("nome", "Guasto riservato"), ("account", "intruso")]),
        ),
        (
            (
                "POST",
                "/entities/{id}/logs/amministratori/{admin_id}/togli",
            ),
            Form(&[("confermato", "1")]),
        ),
        (
            ("POST", "/entities/{id}/logs/verifiche"),
            Form(&[
                ("dal", "2026-01-01"),
                ("al", "2026-06-30"),
                ("note", "Guasto riservato"),
                ("dichiaro", "1"),
            ]),
        ),
        (
            ("POST", "/entities/{id}/logs/referenti"),
            Form(&[("utente", "1"), ("ruolo", "titolare")]),
        ),
        (
            ("POST", "/api/v1/entities/{id}/log-reviews"),
            Json(r#"{"from": "2026-01-01", "to": "2026-11-01", "notes": "Guasto riservato"}"#),
        ),
        (
            ("POST", "/api/v1/deadlines"),
            Json(r#"{"entity_id": {B}, "title": "Guasto riservato", "due_on": "2026-12-31"}"#),
        ),
        (
            ("POST", "/api/v1/deadlines/renew"),
            Json(r#"{"key": "agreement:1", "date": "2026-12-31"}"#),
        ),
        (("POST", "/api/v1/calendar-feed"), None),
        (("GET", "/calendar/{file}"), None),
        (("GET", "/deadlines"), None),
        (
            ("POST", "/deadlines/{action}"),
            Form(&[
                ("ente", "B"),
                ("titolo", "Guasto riservato"),
                ("data", "2026-12-31"),
            ]),
        ),
        (("POST", "/api/v1/statements/{statement_id}/invoice"), None),
        (("GET", "/api/v1/statements/{statement_id}/invoices"), None),
        (("GET", "/api/v1/invoices/zip"), None),
        (("POST", "/api/v1/invoices/receipts"), None),
        (("GET", "/api/v1/invoices/{invoice_id}"), None),
        (("GET", "/api/v1/invoices/{invoice_id}/xml"), None),
        (("GET", "/invoices/fatture.zip"), None),
        (("GET", "/invoices/{invoice_id}/xml"), None),
        (("GET", "/statements/export.xlsx"), None),
        (("GET", "/statements/export.csv"), None),
        (("GET", "/statements/{statement_id}/rendiconto.xlsx"), None),
        (("GET", "/api/v1/statements/{statement_id}/xlsx"), None),
        (("GET", "/api/v1/statements/{statement_id}/pdf"), None),
        (("GET", "/statements/{statement_id}/rendiconto.pdf"), None),
        (("GET", "/api/v1/statements/runs/{run_id}/xlsx"), None),
        (("GET", "/api/v1/statements/runs/{run_id}/csv"), None),
        (("POST", "/statements/elabora"), Form(&[("anno", "2026")])),
        (
            ("POST", "/statements/emetti"),
            Form(&[("anno", "2026"), ("confermato", "1")]),
        ),
        (("GET", "/statements/{statement_id}"), None),
        (
            ("POST", "/statements/{statement_id}/{action}"),
            Form(&[
                ("confermato", "1"),
                ("importo", "1,00"),
                ("data", "2026-11-25"),
            ]),
        ),
        (("GET", "/billing/settings"), None),
        (
            ("POST", "/billing/settings"),
            Form(&[("denominazione", "Guasto riservato")]),
        ),
        (("GET", "/needs"), None),
        (
            ("POST", "/needs"),
            Form(&[("anno", "2027"), ("scadenza", "2026-12-20")]),
        ),
        (("GET", "/needs/{campaign_id}"), None),
        (("GET", "/needs/{campaign_id}/riepilogo.xlsx"), None),
        (("GET", "/needs/{campaign_id}/forms/{entity_id}"), None),
        (
            ("POST", "/needs/{campaign_id}/forms/{entity_id}"),
            Form(&[
                ("s0", "PD09"),
                ("a0", "stop"),
                ("note", "Guasto riservato"),
                ("azione", "invia"),
            ]),
        ),
        (
            ("POST", "/needs/{campaign_id}/forms/{entity_id}/elabora"),
            Form(&[("confermato", "1")]),
        ),
        (("GET", "/requests"), None),
        (("GET", "/requests/new"), None),
        (
            ("POST", "/requests/new"),
            Form(&[
                ("ente", "B"),
                ("servizio", "PD09"),
                ("quantita", "1"),
                ("azione", "invia"),
            ]),
        ),
        (("GET", "/requests/{request_id}"), None),
        (
            ("POST", "/requests/{request_id}/{action}"),
            Form(&[("confermato", "1"), ("motivo", "no")]),
        ),
        (("GET", "/jobs"), None),
        (("POST", "/jobs/{job_id}/retry"), None),
        (("POST", "/jobs/{job_id}/cancel"), None),
        (("GET", "/audit"), None),
        (("POST", "/audit/verify"), None),
    ])
}

/// Everything stored about B and the accounts, to compare before and after the probes.
async fn snapshot(app: &TestApp, b_id: i64) -> String {
    let mut out = String::new();
    for q in [
        format!("SELECT name, version FROM entities WHERE id = {b_id}"),
        "SELECT COUNT(*) FROM entities".to_owned(),
        format!("SELECT full_name FROM contacts WHERE entity_id = {b_id} ORDER BY id"),
        "SELECT COUNT(*) FROM contacts".to_owned(),
        "SELECT username, role FROM users ORDER BY id".to_owned(),
        "SELECT user_id, entity_id FROM user_entities ORDER BY user_id, entity_id".to_owned(),
        "SELECT valid_from_year, rule_json FROM membership_fee_rules ORDER BY id".to_owned(),
        "SELECT code, name, version FROM services ORDER BY id".to_owned(),
        "SELECT name, valid_from, version FROM price_lists ORDER BY id".to_owned(),
        "SELECT entity_id, status, start_date, version FROM agreements ORDER BY id".to_owned(),
        "SELECT COUNT(*) FROM price_quotes".to_owned(),
        "SELECT number, state, version FROM tickets ORDER BY id".to_owned(),
        "SELECT COUNT(*) FROM ticket_messages".to_owned(),
        "SELECT id FROM api_tokens WHERE revoked_at IS NOT NULL ORDER BY id".to_owned(),
        "SELECT id, state, attempts FROM jobs ORDER BY id".to_owned(),
        "SELECT entity_id, state, version FROM activation_requests ORDER BY id".to_owned(),
        "SELECT COUNT(*) FROM active_services".to_owned(),
        "SELECT COUNT(*) FROM packages".to_owned(),
        "SELECT COUNT(*) FROM work_reports".to_owned(),
        "SELECT COUNT(*) FROM needs_campaigns".to_owned(),
        "SELECT entity_id, state, notes, version FROM needs_forms ORDER BY id".to_owned(),
        "SELECT COUNT(*) FROM needs_lines".to_owned(),
        "SELECT id, quantity, version FROM active_services ORDER BY id".to_owned(),
        "SELECT id, state, quote_version, version FROM projects ORDER BY id".to_owned(),
        "SELECT COUNT(*) FROM project_quotes".to_owned(),
        "SELECT id, COALESCE(acknowledged_at, '') FROM work_reports ORDER BY id".to_owned(),
        "SELECT id, state, name, email, attendance, version FROM course_enrolments ORDER BY id"
            .to_owned(),
        "SELECT id, state, version FROM courses ORDER BY id".to_owned(),
        "SELECT entity_id, year, entries FROM training_entries ORDER BY entity_id".to_owned(),
        "SELECT id, name, mobile, version FROM address_entries ORDER BY id".to_owned(),
        "SELECT id, name FROM address_books ORDER BY id".to_owned(),
        "SELECT id, name FROM contact_lists ORDER BY id".to_owned(),
        "SELECT id, name, phone FROM contact_list_members ORDER BY id".to_owned(),
        "SELECT id, state FROM sms_parts ORDER BY id".to_owned(),
        "SELECT entity_id, monthly_parts FROM sms_limits ORDER BY entity_id".to_owned(),
        "SELECT id, name, kind FROM agenda_calendars ORDER BY id".to_owned(),
        "SELECT id, title, starts_local, version, COALESCE(cancelled_at, '') FROM agenda_events ORDER BY id".to_owned(),
        "SELECT COUNT(*) FROM agenda_invitations".to_owned(),
    ] {
        let rows = sqlx::query(sqlx::AssertSqlSafe(q.clone()))
            .fetch_all(app.db.pool())
            .await
            .unwrap();
        out.push_str(&format!("{q}: "));
        for r in rows {
            use sqlx::Row;
            for i in 0..r.len() {
                let v = r
                    .try_get::<i64, _>(i)
                    .map(|n| n.to_string())
                    .or_else(|_| r.try_get::<String, _>(i))
                    .unwrap();
                out.push_str(&v);
                out.push('|');
            }
        }
        out.push('\n');
    }
    out
}

async fn contact_and_supplier_never_reach_another_entity(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.entity("Comune di Ai", Some("028001")).await;
    let bb = app.entity(B_NAME, Some(B_ISTAT)).await;
    let b_contact = members::store::add_contact(
        &app.db,
        &kernel::Actor::system("t"),
        bb.id,
        &members::ContactDraft {
            full_name: B_CONTACT.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let contact = app.user("referente-a", "contact", &[a.id]).await;
    let supplier = app.user("fornitore-a", "supplier", &[a.id]).await;

    catalog::store::set_rule(
        &app.db,
        &kernel::Actor::system("t"),
        2026,
        "padova",
        &catalog::membership::preset("padova", None).unwrap(),
    )
    .await
    .unwrap();

    catalog::store::load_padova_catalogue(&app.db, &kernel::Actor::system("t"))
        .await
        .unwrap();
    let agreement = || catalog::store::agreements::AgreementDraft {
        start_date: "2024-01-01".parse().ok(),
        term_years: Some(5),
        signed: true,
        ..Default::default()
    };
    let b_agreement = catalog::store::agreements::create(
        &app.db,
        &kernel::Actor::system("t"),
        bb.id,
        &agreement(),
    )
    .await
    .unwrap();
    catalog::store::agreements::create(&app.db, &kernel::Actor::system("t"), a.id, &agreement())
        .await
        .unwrap();
    // B asked for a service: nobody of A may read, approve, deliver or cancel it.
    let b_request = delivery::store::submit(
        &app.db,
        &kernel::Actor::system("t"),
        &delivery::store::RequestDraft {
            entity_id: bb.id,
            service: "PD09".into(),
            quantity: 2,
            notes: "Guasto riservato".into(),
            ..Default::default()
        },
        app.clock.today(),
    )
    .await
    .unwrap();
    // B has a service: nobody of A may read, change or stop it.
    let sys = kernel::Actor::system("t");
    let b_delivered = delivery::store::submit(
        &app.db,
        &sys,
        &delivery::store::RequestDraft {
            entity_id: bb.id,
            service: "PD09".into(),
            quantity: 3,
            ..Default::default()
        },
        app.clock.today(),
    )
    .await
    .unwrap();
    delivery::store::approve(&app.db, &sys, b_delivered.id, app.clock.today(), None)
        .await
        .unwrap();
    let (_, b_service) =
        delivery::store::deliver(&app.db, &sys, b_delivered.id, app.clock.today(), None)
            .await
            .unwrap();
    // B has a needs form: nobody of A may read, answer or process it.
    let campaign = delivery::store::needs::open(
        &app.db,
        &sys,
        2027,
        "2026-12-15".parse().unwrap(),
        app.clock.today(),
    )
    .await
    .unwrap();
    // B has a project with a quote: nobody of A may read, approve or refuse it.
    let b_project =
        delivery::store::projects::create_project(&app.db, &sys, bb.id, "Guasto riservato", "")
            .await
            .unwrap();
    delivery::store::projects::propose(
        &app.db,
        &sys,
        b_project.id,
        &[delivery::store::projects::QuoteLineDraft {
            text: "Guasto riservato".into(),
            amount: Some(kernel::Euro::from_cents(10_000)),
            ..Default::default()
        }],
        "2026-12-31".parse().unwrap(),
        app.clock.today(),
    )
    .await
    .unwrap();
    // B bought a package: nobody of A may read its balance.
    let b_package = delivery::store::work::create_package(
        &app.db,
        &kernel::Actor::system("t"),
        bb.id,
        &delivery::store::work::PackageDraft {
            service: "PD14".into(),
            year: 2026,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (b_report, _) = delivery::store::work::report(
        &app.db,
        &kernel::Actor::system("t"),
        &delivery::store::work::ReportDraft {
            entity_id: bb.id,
            package_id: Some(b_package.id),
            minutes: 60,
            mode: "remote".into(),
            description: "Guasto riservato".into(),
            ..Default::default()
        },
        app.clock.today(),
    )
    .await
    .unwrap();
    // B sent SMS in January: nobody of A may read the reading.
    let b_reading = billing::store::readings::record(
        &app.db,
        &sys,
        &billing::store::readings::ReadingDraft {
            entity_id: bb.id,
            service: "PD02".into(),
            year: 2026,
            month: 1,
            quantity: 120,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // B has an issued statement (its package): nobody of A may read it.
    sqlx::query(
        "UPDATE entities SET population = 900, population_date = '2025-01-01' WHERE id = $1",
    )
    .bind(bb.id)
    .execute(app.db.pool())
    .await
    .unwrap();
    let b_run = billing::store::runs::start(&app.db, &sys, 2026, Some(vec![bb.id]))
        .await
        .unwrap();
    let done = billing::store::runs::execute(&app.db, b_run.id)
        .await
        .unwrap();
    assert_eq!(done.state, "done", "{done:?}");
    let b_statement = billing::store::statements::of_entity(&app.db, &sys, bb.id, Some(2026))
        .await
        .unwrap()
        .remove(0);
    billing::store::statements::issue(&app.db, &sys, b_statement.id, app.clock.today())
        .await
        .unwrap();
    // … and its e-invoice (the demo centre's data, B's office code and address).
    billing::store::put_settings(
        &app.db,
        &sys,
        &billing::settings::BillingSettings::demo(),
        None,
    )
    .await
    .unwrap();
    sqlx::query(
        "UPDATE entities SET office_code = 'UFB0B0', tax_code = '80000000002', address = 'Piazza 1', \
         postal_code = '35100', city = 'Padova' WHERE id = $1",
    )
    .bind(bb.id)
    .execute(app.db.pool())
    .await
    .unwrap();
    let b_invoice =
        billing::store::invoices::create(&app.db, &sys, b_statement.id, app.clock.today())
            .await
            .unwrap();
    let list_id = catalog::store::price_lists::summaries(&app.db)
        .await
        .unwrap()[0]
        .id;
    let b_ticket = helpdesk::store::create(
        &app.db,
        &kernel::Actor::system("t"),
        &helpdesk::model::NewTicket {
            entity_id: bb.id,
            subject: "Guasto riservato".into(),
            priority: "high".into(),
            channel: "phone".into(),
            ..Default::default()
        },
        app.clock.now(),
    )
    .await
    .unwrap();

    let b_file = helpdesk::attachments::add(
        &app.db,
        &kernel::Actor::system("t"),
        b_ticket.id,
        "segreto.txt",
        "text/plain",
        b"Guasto riservato: dettagli",
    )
    .await
    .unwrap();

    // B's ticket has a phase handed to another supplier (not the one assigned to A).
    let other_supplier = app.user("fornitore-b", "supplier", &[bb.id]).await;
    let b_phase = helpdesk::phases::create(
        &app.db,
        &kernel::Actor::system("t"),
        b_ticket.id,
        &helpdesk::phases::NewPhase {
            supplier_id: other_supplier.id,
            title: "Guasto riservato: bonifica".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    // B has a sealed export of its logs (an empty period: the file exists all the same).
    let (_, b_recipient) =
        crate::log_exports::age_key(&std::env::temp_dir(), &format!("iso-{}", testkit::unique()));
    logs::settings::put(
        &app.db,
        &kernel::Actor::system("t"),
        bb.id,
        &logs::settings::SettingsDraft {
            recipients: vec![b_recipient],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let store = logs::LogStore::open(&app.testdb.url).await.unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    let b_export = logs::export::export(
        &app.db,
        &store,
        &logs::export::entity_target(&app.exports(), bb.id),
        &kernel::Actor::system("t"),
        bb.id,
        day,
        day,
        "api",
    )
    .await
    .unwrap();

    let b_admin = logs::review::add_admin(
        &app.db,
        &kernel::Actor::system("t"),
        bb.id,
        "Amministratore di B",
        &["ced-b".to_owned()],
        "",
    )
    .await
    .unwrap();

    // B publishes an event (with a sign-up), a call for tender and an appointment slot (with a
    // booking); their texts carry B's secret so that any leak shows.
    let sys = kernel::Actor::system("t");
    let b_event = portal::store::events::create(
        &app.db,
        &sys,
        &portal::store::events::EventDraft {
            entity_id: bb.id,
            title: "Guasto riservato: concerto".into(),
            starts_at: Some(app.clock.now() + chrono::Duration::days(30)),
            seats: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let b_registration = portal::store::events::register(
        &app.db,
        &sys,
        b_event.id,
        &portal::store::events::RegistrationDraft {
            name: B_CONTACT.into(),
            email: "riservata@example.org".into(),
            seats: 2,
            ..Default::default()
        },
        portal::store::events::Channel::Web,
    )
    .await
    .unwrap()
    .registration;
    let b_tender = portal::store::tenders::create(
        &app.db,
        &sys,
        &portal::store::tenders::TenderDraft {
            entity_id: bb.id,
            title: "Guasto riservato: appalto".into(),
            category: "lavori".into(),
            published_on: Some(app.clock.today()),
            deadline_at: Some(app.clock.now() + chrono::Duration::days(20)),
            ..Default::default()
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    let b_document = portal::store::tenders::add_document(
        &app.db,
        &sys,
        b_tender.id,
        "capitolato.pdf",
        "application/pdf",
        b"%PDF-1.4 Guasto riservato",
        app.clock.now(),
    )
    .await
    .unwrap();
    let b_slot = portal::store::slots::create(
        &app.db,
        &sys,
        &portal::store::slots::SlotDraft {
            entity_id: bb.id,
            office: "Guasto riservato".into(),
            starts_at: Some(app.clock.now() + chrono::Duration::days(3)),
            minutes: 20,
            places: 2,
        },
    )
    .await
    .unwrap();
    let b_booking = portal::store::slots::book(
        &app.db,
        &sys,
        b_slot.id,
        &portal::store::slots::BookingDraft {
            name: B_CONTACT.into(),
            email: "riservata@example.org".into(),
            ..Default::default()
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    let b_room = portal::store::rooms::create(
        &app.db,
        &sys,
        &portal::store::rooms::RoomDraft {
            entity_id: bb.id,
            name: "Sala riservata".into(),
            needs_approval: true,
            opens_hour: 8,
            closes_hour: 23,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let b_room_booking = portal::store::rooms::book(
        &app.db,
        &sys,
        b_room.id,
        &portal::store::rooms::RoomBookingDraft {
            name: B_CONTACT.into(),
            email: "riservata@example.org".into(),
            purpose: "Riunione riservata".into(),
            day: Some(app.clock.today() + chrono::Days::new(3)),
            from: 18,
            to: 20,
            ..Default::default()
        },
        app.clock.now(),
    )
    .await
    .unwrap();

    let b_faq = faq::store::create(
        &app.db,
        &sys,
        &faq::store::Draft {
            title: "Come si rinnova la firma?".into(),
            body: "Su appuntamento.".into(),
            category: "firma".into(),
            public: false,
        },
    )
    .await
    .unwrap();

    // B has a person on a course: nobody of A may see, move or withdraw them.
    let b_course = training::store::create(
        &app.db,
        &sys,
        &training::store::CourseDraft {
            title: "Corso aperto".into(),
            seats: 10,
            starts_at: "2031-01-01T08:00:00Z".parse().ok(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let b_enrolment = training::store::enrolments::enrol(
        &app.db,
        &sys,
        b_course.id,
        &training::store::enrolments::EnrolmentDraft {
            entity_id: bb.id,
            name: B_CONTACT.into(),
            email: "riservata@example.org".into(),
        },
    )
    .await
    .unwrap();
    training::store::entries::set(&app.db, &sys, bb.id, 2031, 4)
        .await
        .unwrap();

    // B keeps an address book and a send list: nobody of A may read or change them.
    let b_book = addressbook::store::create_book(&app.db, &sys, bb.id, "Rubrica riservata")
        .await
        .unwrap();
    let b_entry = addressbook::store::add(
        &app.db,
        &sys,
        b_book.id,
        &addressbook::Card {
            name: B_CONTACT.into(),
            mobile: "+39 347 0000001".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let b_list = addressbook::store::lists::create(&app.db, &sys, bb.id, "Lista riservata")
        .await
        .unwrap();
    let b_member = addressbook::store::lists::add(
        &app.db,
        &sys,
        b_list.id,
        &addressbook::store::lists::MemberDraft {
            entry_id: Some(b_entry.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    // B keeps a group's calendar with an event.
    let b_calendar = agenda::store::create_calendar(
        &app.db,
        &sys,
        bb.id,
        &agenda::store::CalendarDraft {
            name: "Agenda riservata".into(),
            kind: "group".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let b_agenda_event = agenda::store::events::create(
        &app.db,
        &sys,
        b_calendar.id,
        &agenda::store::events::EventDraft {
            title: "Riunione riservata".into(),
            starts: "2027-01-11T09:00".into(),
            ends: "2027-01-11T10:00".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    // B sent an SMS to its list and has a monthly limit.
    addressbook::sms::send(
        &app.db,
        &sys,
        &addressbook::sms::SendDraft {
            entity_id: bb.id,
            list_id: Some(b_list.id),
            text: "Guasto riservato".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    addressbook::sms::set_limit(&app.db, &sys, bb.id, Some(500))
        .await
        .unwrap();

    // Positive control: the probes can see A, so a 404 for B is about scope, not a broken route.
    let api = app.api(&contact).await;
    assert_eq!(api.get(&format!("/api/v1/entities/{}", a.id)).await.0, 200);

    let before = snapshot(&app, bb.id).await;
    let probes = probes();
    let mut missing = Vec::new();
    for route in table() {
        let key = (route.method.as_str(), route.path);
        let Some(body) = probes.get(&key) else {
            missing.push(format!("{} {}", route.method, route.path));
            continue;
        };
        let path = route
            .path
            .replace("{id}", &bb.id.to_string())
            .replace("{contact_id}", &b_contact.id.to_string())
            .replace("{run}", "1")
            .replace("{user_id}", &supplier.id.to_string())
            .replace("{agreement_id}", &b_agreement.id.to_string())
            .replace("{code}", "PD09")
            .replace("{list_id}", &list_id.to_string())
            .replace("{request_id}", &b_request.id.to_string())
            .replace("{action}", "annulla")
            .replace("{package_id}", &b_package.id.to_string())
            .replace("{report_id}", &b_report.id.to_string())
            .replace("{service_id}", &b_service.id.to_string())
            .replace("{campaign_id}", &campaign.id.to_string())
            .replace("{project_id}", &b_project.id.to_string())
            .replace("{statement_id}", &b_statement.id.to_string())
            .replace("{run_id}", &b_run.id.to_string())
            .replace("{reading_id}", &b_reading.id.to_string())
            .replace("{invoice_id}", &b_invoice.id.to_string())
            .replace("{kind}", "ticket")
            .replace("{entity_id}", &bb.id.to_string())
            .replace("{item}", "1")
            .replace("{year}", "2026")
            .replace("{ticket_id}", &b_ticket.id.to_string())
            .replace("{attachment_id}", &b_file.id.to_string())
            .replace("{phase_id}", &b_phase.id.to_string())
            .replace("{mail_id}", "1")
            .replace("{token_id}", "1")
            .replace("{job_id}", "1")
            .replace("{export_id}", &b_export.id.to_string())
            .replace("{admin_id}", &b_admin.id.to_string())
            .replace("{event_id}", &b_event.id.to_string())
            .replace("{registration_id}", &b_registration.id.to_string())
            .replace("{tender_id}", &b_tender.id.to_string())
            .replace("{slot_id}", &b_slot.id.to_string())
            .replace("{room_id}", &b_room.id.to_string())
            .replace("{faq_id}", &b_faq.id.to_string())
            .replace("{course_id}", &b_course.id.to_string())
            .replace("{enrolment_id}", &b_enrolment.id.to_string())
            .replace("{book_id}", &b_book.id.to_string())
            .replace("{entry_id}", &b_entry.id.to_string())
            .replace("{contact_list_id}", &b_list.id.to_string())
            .replace("{calendar_id}", &b_calendar.id.to_string())
            .replace("{agenda_event_id}", &b_agenda_event.id.to_string())
            .replace("{token}", "inv_sconosciuto")
            .replace("{member_id}", &b_member.id.to_string())
            .replace("{file}", "rubrica.csv")
            .replace("{room_booking_id}", &b_room_booking.0.id.to_string())
            .replace("{document_id}", &b_document.id.to_string())
            .replace("{entity}", &bb.id.to_string())
            .replace("{booking_id}", &b_booking.0.id.to_string())
            .replace("{code}", "0000")
            .replace("{*path}", "css/app.css");
        for (who, user) in [("contact", &contact), ("supplier", &supplier)] {
            let (status, text) = match route.surface {
                Surface::Api => {
                    let api = app.api(user).await;
                    let mut rb = api.request(route.method.clone(), &path);
                    rb = match body {
                        Body::Json(j) => rb
                            .header("content-type", "application/json")
                            .body(j.replace("{B}", &bb.id.to_string())),
                        Body::Csv(c) => rb.header("content-type", "text/csv").body(*c),
                        Body::Form(f) => rb.form(f),
                        Body::None => rb,
                    };
                    let r = rb.send().await.unwrap();
                    (r.status().as_u16(), r.text().await.unwrap())
                }
                Surface::Page => {
                    let br = app.browser(&user.username).await;
                    if route.method == Method::GET {
                        br.get(&path).await
                    } else {
                        let b_id = bb.id.to_string();
                        let t_id = b_ticket.id.to_string();
                        let fields: Vec<(&str, &str)> = match body {
                            Body::Form(f) => f
                                .iter()
                                .map(|(k, v)| {
                                    let v = match *v {
                                        "B" => b_id.as_str(),
                                        "T" => t_id.as_str(),
                                        v => v,
                                    };
                                    (*k, v)
                                })
                                .collect(),
                            _ => vec![],
                        };
                        br.post(&path, &fields).await
                    }
                }
            };
            let what = format!("{who}: {} {path} -> {status}", route.method);
            for secret in [B_NAME, B_CONTACT, "Guasto riservato"] {
                assert!(!text.contains(secret), "{what} shows B's data ({secret})");
            }
            // B's ISTAT code as a value (not six digits inside a timestamp's microseconds or
            // a random token, which can happen to match).
            for shown in [
                format!("\"{B_ISTAT}\""),
                format!(">{B_ISTAT}<"),
                format!(" {B_ISTAT}"),
            ] {
                assert!(!text.contains(&shown), "{what} shows B's data ({B_ISTAT})");
            }
            if route.path == "/api/v1/price-quotes"
                || route.path == "/catalog/{code}/quote"
                || (route.path.starts_with("/api/v1/tickets/{ticket_id}")
                    || route.path.starts_with("/api/v1/phases/{phase_id}")
                    || route.path.starts_with("/phases/{phase_id}"))
                    && route.access != Access::Staff
                || (route.path == "/api/v1/tickets" && route.method == Method::POST)
                || route.path == "/api/v1/activation-requests/{request_id}"
                || route.path == "/api/v1/packages/{package_id}"
                || route.path == "/api/v1/active-services/{service_id}"
                || (route.path.starts_with("/api/v1/projects/{project_id}")
                    || route.path.contains("/work-reports/{report_id}"))
                    && route.access != Access::Staff
                || (route.path.starts_with("/projects/{project_id}") && who == "contact")
                || route
                    .path
                    .starts_with("/api/v1/needs-campaigns/{campaign_id}/forms/{entity_id}")
                    && route.access != Access::Staff
                || (route.path.starts_with("/requests/{request_id}") && who == "contact")
                || (route
                    .path
                    .starts_with("/needs/{campaign_id}/forms/{entity_id}")
                    && route.access != Access::Staff
                    && who == "contact")
                || (route.path.starts_with("/packages/{package_id}") && who == "contact")
                || (route.path == "/api/v1/statements/{statement_id}"
                    && route.method == Method::GET)
                || route.path == "/api/v1/statements/{statement_id}/xlsx"
                || route.path == "/api/v1/statements/{statement_id}/pdf"
                || route.path == "/api/v1/statements/{statement_id}/invoices"
                || route.path.contains("{invoice_id}")
                || route.path == "/api/v1/statements/{statement_id}/payments"
                    && route.method == Method::GET
                || route.path == "/api/v1/readings/{reading_id}"
                || (route.path == "/api/v1/deadlines" && route.method == Method::POST)
                || route.path.starts_with("/statements/{statement_id}")
                || route.path.contains("{event_id}")
                || route.path.contains("{registration_id}")
                || route.path.contains("{tender_id}")
                || route.path.contains("{slot_id}")
                || route.path.contains("{room_id}") && route.path.starts_with("/api/")
                || route.path.contains("{room_booking_id}") && !route.path.starts_with("/p/")
                || route.path == "/prenotazioni/{booking_id}/annulla"
                || route.path.contains("{booking_id}") && route.path.starts_with("/api/")
                || route.path.contains("{enrolment_id}") && route.access != Access::Staff
                || route.path == "/api/v1/courses/{course_id}/enrolments"
                || (route.path == "/api/v1/sms" && route.method == Method::POST)
                || [
                    "{book_id}",
                    "{entry_id}",
                    "{contact_list_id}",
                    "{member_id}",
                    "{calendar_id}",
                    "{agenda_event_id}",
                ]
                .iter()
                .any(|p| route.path.contains(p))
                || (route.method == Method::POST
                    && matches!(
                        route.path,
                        "/api/v1/events"
                            | "/api/v1/tenders"
                            | "/api/v1/appointment-slots"
                            | "/api/v1/appointment-slots/weekly"
                            | "/api/v1/rooms"
                    ))
            {
                assert_eq!(status, 404, "{what}: B's id in the body must not be found");
            }
            match route.access {
                Access::Entity => {
                    assert_eq!(status, 404, "{what}: B must look like it does not exist")
                }
                Access::Staff | Access::Admin => {
                    assert!(status == 403 || status == 404, "{what}: must be refused")
                }
                Access::User | Access::Public => {
                    assert!(status < 500, "{what}: must not fail");
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes without a tenant-isolation probe: {missing:?}"
    );
    assert_eq!(
        snapshot(&app, bb.id).await,
        before,
        "B or the accounts changed"
    );

    // The lists a contact and a supplier see hold only A.
    for user in [&contact, &supplier] {
        let api = app.api(user).await;
        let (_, list) = api.get("/api/v1/entities").await;
        let ids: Vec<i64> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![a.id]);
    }
}
