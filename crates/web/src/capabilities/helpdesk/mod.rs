//! The help desk: tickets, their thread and files, supplier phases, backup checks, the SLA report and settings.

pub mod attachments_api;
pub mod attachments_pages;
pub mod backups_api;
pub mod home;
pub mod mail_pages;
pub mod phases_api;
pub mod phases_pages;
pub mod queue_pages;
pub mod reports_pages;
pub mod service_levels_api;
pub mod settings_pages;
pub mod ticket_actions_pages;
pub mod tickets_api;
pub mod tickets_pages;

use axum::http::Method;

use crate::routes::{route, Access, Route, Surface};

#[rustfmt::skip]
pub(crate) fn routes() -> Vec<Route> {
    use Access::*;
    use Method as M;
    use Surface::*;
    vec![
        route(M::GET, "/api/v1/entities/{id}/support-profile", Entity, Api, service_levels_api::get_profile),
        route(M::GET, "/api/v1/entities/{id}/backup-checks", Entity, Api, backups_api::list),
        route(M::POST, "/api/v1/entities/{id}/backup-checks", Admin, Api, backups_api::create),
        route(M::POST, "/api/v1/backup-reports", Public, Api, backups_api::report),
        route(M::PUT, "/api/v1/entities/{id}/support-profile", Admin, Api, service_levels_api::put_profile),
        route(M::POST, "/api/v1/tickets", User, Api, tickets_api::create),
        route(M::GET, "/api/v1/tickets", User, Api, tickets_api::list),
        route(M::GET, "/api/v1/tickets/{ticket_id}", User, Api, tickets_api::get),
        route(M::POST, "/api/v1/tickets/{ticket_id}/take-charge", Staff, Api, tickets_api::take_charge),
        route(M::GET, "/api/v1/tickets/{ticket_id}/messages", User, Api, tickets_api::messages),
        route(M::POST, "/api/v1/tickets/{ticket_id}/messages", User, Api, tickets_api::add_message),
        route(M::POST, "/api/v1/tickets/{ticket_id}/state", Staff, Api, tickets_api::set_state),
        route(M::POST, "/api/v1/tickets/{ticket_id}/priority", Staff, Api, tickets_api::set_priority),
        route(M::POST, "/api/v1/tickets/{ticket_id}/assign", Staff, Api, tickets_api::assign),
        route(M::GET, "/api/v1/tickets/{ticket_id}/phases", User, Api, phases_api::for_ticket),
        route(M::POST, "/api/v1/tickets/{ticket_id}/phases", Staff, Api, phases_api::create),
        route(M::GET, "/api/v1/phases", User, Api, phases_api::mine),
        route(M::GET, "/api/v1/phases/{phase_id}", User, Api, phases_api::get),
        route(M::POST, "/api/v1/phases/{phase_id}/updates", User, Api, phases_api::update),
        route(M::GET, "/api/v1/tickets/{ticket_id}/attachments", User, Api, attachments_api::attachments),
        route(M::POST, "/api/v1/tickets/{ticket_id}/attachments", User, Api, attachments_api::upload),
        route(M::GET, "/api/v1/tickets/{ticket_id}/attachments/{attachment_id}", User, Api, attachments_api::download),
        route(M::GET, "/api/v1/reports/sla", Staff, Api, service_levels_api::sla_report),
        route(M::POST, "/entities/{id}/support-profile", Admin, Page, ticket_actions_pages::set_profile),
        route(M::GET, "/tickets", User, Page, queue_pages::list),
        route(M::GET, "/tickets/new", User, Page, tickets_pages::new_form),
        route(M::POST, "/tickets", User, Page, tickets_pages::create),
        route(M::GET, "/tickets/{ticket_id}", User, Page, tickets_pages::detail),
        route(M::POST, "/tickets/{ticket_id}/messages", User, Page, ticket_actions_pages::reply),
        route(M::POST, "/tickets/{ticket_id}/take-charge", Staff, Page, ticket_actions_pages::take_charge),
        route(M::POST, "/tickets/{ticket_id}/state", Staff, Page, ticket_actions_pages::set_state),
        route(M::POST, "/tickets/{ticket_id}/priority", Staff, Page, ticket_actions_pages::set_priority),
        route(M::POST, "/tickets/{ticket_id}/assign", Staff, Page, queue_pages::assign),
        route(M::POST, "/tickets/bulk", Staff, Page, queue_pages::bulk),
        route(M::GET, "/tickets.csv", User, Page, queue_pages::csv),
        route(M::POST, "/tickets/{ticket_id}/attachments", User, Page, attachments_pages::upload),
        route(M::GET, "/tickets/{ticket_id}/attachments/{attachment_id}", User, Page, attachments_pages::download),
        route(M::GET, "/helpdesk/mail", Staff, Page, mail_pages::mail),
        route(M::POST, "/helpdesk/mail/{mail_id}/ticket", Staff, Page, mail_pages::assign_mail),
        route(M::GET, "/helpdesk/settings", Admin, Page, settings_pages::page),
        route(M::POST, "/helpdesk/settings/sla", Admin, Page, settings_pages::save_policy),
        route(M::POST, "/helpdesk/settings/calendar", Admin, Page, settings_pages::save_calendar),
        route(M::POST, "/entities/{id}/calendar", Admin, Page, settings_pages::save_entity_calendar),
        route(M::POST, "/entities/{id}/backup-checks", Admin, Page, settings_pages::add_backup_check),
        route(M::POST, "/tickets/{ticket_id}/phases", Staff, Page, phases_pages::create),
        route(M::GET, "/phases", User, Page, phases_pages::list),
        route(M::GET, "/phases/{phase_id}", User, Page, phases_pages::detail),
        route(M::POST, "/phases/{phase_id}", User, Page, phases_pages::update),
        route(M::GET, "/reports/sla", Staff, Page, reports_pages::sla),
        route(M::GET, "/reports/sla.csv", Staff, Page, reports_pages::sla_csv),
    ]
}
