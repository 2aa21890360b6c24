//! Billing (issue 12): the year's statements, the billing runs that make them, and the
//! centre's billing settings.

pub mod api;
pub mod deadlines_web;
pub mod exports;
pub mod invoices_api;
pub mod pages;
pub mod payments_api;
pub mod readings_api;
pub mod reports_web;
pub mod settings_pages;
pub mod statement_pages;

use axum::http::Method;

use crate::routes::{route, Access, Route, Surface};

#[rustfmt::skip]
pub(crate) fn routes() -> Vec<Route> {
    use Access::*;
    use Method as M;
    use Surface::*;
    vec![
        route(M::GET, "/api/v1/billing/settings", Admin, Api, api::get_settings),
        route(M::PUT, "/api/v1/billing/settings", Admin, Api, api::put_settings),
        route(M::POST, "/api/v1/statements/run", Admin, Api, api::run),
        route(M::GET, "/api/v1/statements/runs/{run_id}", Staff, Api, api::run_status),
        route(M::GET, "/api/v1/statements/totals", Staff, Api, api::totals),
        route(M::GET, "/api/v1/statements/overdue", Staff, Api, payments_api::overdue),
        route(M::POST, "/api/v1/statements/{statement_id}/payments", Admin, Api, payments_api::create),
        route(M::GET, "/api/v1/statements/{statement_id}/payments", User, Api, payments_api::list),
        route(M::GET, "/api/v1/statements/{statement_id}", User, Api, api::get),
        route(M::PATCH, "/api/v1/statements/{statement_id}", Admin, Api, api::patch),
        route(M::POST, "/api/v1/statements/{statement_id}/issue", Admin, Api, api::issue),
        route(M::GET, "/api/v1/entities/{id}/statements", Entity, Api, api::of_entity),
        route(M::POST, "/api/v1/entities/{id}/readings", Staff, Api, readings_api::create),
        route(M::GET, "/api/v1/entities/{id}/readings", Entity, Api, readings_api::list),
        route(M::GET, "/api/v1/readings/{reading_id}", User, Api, readings_api::get),
        route(M::POST, "/api/v1/readings/import", Staff, Api, readings_api::import),
        route(M::POST, "/api/v1/statements/{statement_id}/invoice", Admin, Api, invoices_api::create),
        route(M::GET, "/api/v1/statements/{statement_id}/invoices", User, Api, invoices_api::of_statement),
        route(M::GET, "/api/v1/invoices/zip", Staff, Api, invoices_api::zip),
        route(M::POST, "/api/v1/invoices/receipts", Admin, Api, invoices_api::receipt),
        route(M::GET, "/api/v1/invoices/{invoice_id}", User, Api, invoices_api::get),
        route(M::GET, "/api/v1/invoices/{invoice_id}/xml", User, Api, invoices_api::xml),
        route(M::GET, "/invoices/fatture.zip", Staff, Page, invoices_api::page_zip),
        route(M::GET, "/invoices/{invoice_id}/xml", User, Page, invoices_api::page_xml),
        route(M::GET, "/api/v1/deadlines", User, Api, deadlines_web::list),
        route(M::POST, "/api/v1/deadlines", User, Api, deadlines_web::create),
        route(M::POST, "/api/v1/deadlines/renew", Staff, Api, deadlines_web::renew),
        route(M::POST, "/api/v1/calendar-feed", User, Api, deadlines_web::new_feed),
        route(M::GET, "/calendar/{file}", Public, Page, deadlines_web::feed),
        route(M::GET, "/deadlines", User, Page, deadlines_web::page),
        route(M::POST, "/deadlines/{action}", User, Page, deadlines_web::act),
        route(M::GET, "/api/v1/reports/revenue", Staff, Api, reports_web::api_revenue),
        route(M::POST, "/api/v1/centre-costs", Admin, Api, reports_web::api_add_cost),
        route(M::GET, "/reports/revenue", Staff, Page, reports_web::page),
        route(M::GET, "/reports/revenue.xlsx", Staff, Page, reports_web::export),
        route(M::GET, "/reports/revenue.csv", Staff, Page, reports_web::export),
        route(M::POST, "/reports/revenue/costi", Admin, Page, reports_web::add_cost),
        route(M::GET, "/statements", User, Page, pages::list),
        route(M::GET, "/statements/export.xlsx", Staff, Page, exports::page_year_xlsx),
        route(M::GET, "/statements/export.csv", Staff, Page, exports::page_year_csv),
        route(M::GET, "/statements/{statement_id}/rendiconto.xlsx", User, Page, exports::page_xlsx),
        route(M::GET, "/api/v1/statements/{statement_id}/xlsx", User, Api, exports::api_xlsx),
        route(M::GET, "/api/v1/statements/{statement_id}/pdf", User, Api, exports::api_pdf),
        route(M::GET, "/statements/{statement_id}/rendiconto.pdf", User, Page, exports::page_pdf),
        route(M::GET, "/api/v1/statements/runs/{run_id}/xlsx", Staff, Api, exports::run_xlsx),
        route(M::GET, "/api/v1/statements/runs/{run_id}/csv", Staff, Api, exports::run_csv),
        route(M::GET, "/billing/settings", Admin, Page, settings_pages::form),
        route(M::POST, "/billing/settings", Admin, Page, settings_pages::save),
        route(M::POST, "/statements/elabora", Admin, Page, pages::start),
        route(M::POST, "/statements/emetti", Admin, Page, pages::issue_all),
        route(M::GET, "/statements/{statement_id}", User, Page, statement_pages::detail),
        route(M::POST, "/statements/{statement_id}/{action}", User, Page, statement_pages::act),
    ]
}
