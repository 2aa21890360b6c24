//! Delivery (issue 11): activation requests from submission to delivery, and each entity's
//! active services.

pub mod home;
pub mod needs_api;
pub mod needs_form_pages;
pub mod needs_pages;
pub mod printouts;
pub mod projects_api;
pub mod projects_pages;
pub mod request_new_pages;
pub mod requests_api;
pub mod requests_pages;
pub mod services_web;
pub mod work_api;
pub mod work_on_pages;
pub mod work_pages;

use axum::http::Method;

use crate::routes::{route, Access, Route, Surface};

#[rustfmt::skip]
pub(crate) fn routes() -> Vec<Route> {
    use Access::*;
    use Method as M;
    use Surface::*;
    vec![
        route(M::POST, "/api/v1/activation-requests", User, Api, requests_api::create),
        route(M::GET, "/api/v1/activation-requests", User, Api, requests_api::list),
        route(M::GET, "/api/v1/activation-requests/{request_id}", User, Api, requests_api::get),
        route(M::POST, "/api/v1/activation-requests/{request_id}/approve", Staff, Api, requests_api::approve),
        route(M::POST, "/api/v1/activation-requests/{request_id}/assign", Staff, Api, requests_api::assign),
        route(M::POST, "/api/v1/activation-requests/{request_id}/deliver", Staff, Api, requests_api::deliver),
        route(M::POST, "/api/v1/activation-requests/{request_id}/refuse", Staff, Api, requests_api::refuse),
        route(M::POST, "/api/v1/activation-requests/{request_id}/cancel", User, Api, requests_api::cancel),
        route(M::GET, "/api/v1/entities/{id}/services", Entity, Api, requests_api::services),
        route(M::GET, "/api/v1/active-services/{service_id}", User, Api, services_web::get),
        route(M::POST, "/api/v1/active-services/{service_id}/quantity", Staff, Api, services_web::quantity),
        route(M::POST, "/api/v1/active-services/{service_id}/deactivate", Staff, Api, services_web::deactivate),
        route(M::POST, "/active-services/{service_id}/{action}", Staff, Page, services_web::act),
        route(M::POST, "/api/v1/entities/{id}/packages", Staff, Api, work_api::create_package),
        route(M::GET, "/api/v1/packages/{package_id}", User, Api, work_api::package),
        route(M::POST, "/api/v1/work-reports", Staff, Api, work_api::create_report),
        route(M::POST, "/api/v1/projects", Staff, Api, projects_api::create),
        route(M::GET, "/api/v1/projects", User, Api, projects_api::list),
        route(M::GET, "/api/v1/projects/{project_id}", User, Api, projects_api::get),
        route(M::POST, "/api/v1/projects/{project_id}/quotes", Staff, Api, projects_api::propose),
        route(M::POST, "/api/v1/projects/{project_id}/approve", User, Api, projects_api::approve),
        route(M::POST, "/api/v1/projects/{project_id}/refuse", User, Api, projects_api::refuse),
        route(M::POST, "/api/v1/projects/{project_id}/withdraw", Staff, Api, projects_api::withdraw),
        route(M::GET, "/projects/{project_id}", User, Page, projects_pages::detail),
        route(M::POST, "/projects/{project_id}/{action}", User, Page, projects_pages::act),
        route(M::POST, "/entities/{id}/projects", Staff, Page, projects_pages::create),
        route(M::GET, "/api/v1/work-reports/{report_id}/pdf", User, Api, printouts::api_pdf),
        route(M::GET, "/work-reports/{report_id}/pdf", User, Page, printouts::page_pdf),
        route(M::POST, "/work-reports/{kind}/{id}", Staff, Page, work_on_pages::add),
        route(M::GET, "/packages/{package_id}", User, Page, work_pages::detail),
        route(M::POST, "/packages/{package_id}/interventi", User, Page, work_pages::add_report),
        route(M::POST, "/packages/{package_id}/interventi/{report_id}/presa-visione", User, Page, work_pages::acknowledge),
        route(M::POST, "/entities/{id}/packages", Staff, Page, work_pages::create),
        route(M::POST, "/api/v1/needs-campaigns", Admin, Api, needs_api::open),
        route(M::GET, "/api/v1/needs-campaigns", User, Api, needs_api::list),
        route(M::GET, "/api/v1/needs-campaigns/{campaign_id}/forms", Staff, Api, needs_api::forms),
        route(M::GET, "/api/v1/needs-campaigns/{campaign_id}/forms/{entity_id}", User, Api, needs_api::get_form),
        route(M::PUT, "/api/v1/needs-campaigns/{campaign_id}/forms/{entity_id}", User, Api, needs_api::put_form),
        route(M::POST, "/api/v1/needs-campaigns/{campaign_id}/forms/{entity_id}/process", Staff, Api, needs_api::process),
        route(M::GET, "/api/v1/needs-campaigns/{campaign_id}/summary", Staff, Api, needs_api::summary),
        route(M::GET, "/needs", User, Page, needs_pages::list),
        route(M::POST, "/needs", Admin, Page, needs_pages::open),
        route(M::GET, "/needs/{campaign_id}", User, Page, needs_pages::campaign),
        route(M::GET, "/needs/{campaign_id}/riepilogo.xlsx", Staff, Page, needs_pages::xlsx),
        route(M::GET, "/needs/{campaign_id}/forms/{entity_id}", User, Page, needs_form_pages::form),
        route(M::POST, "/needs/{campaign_id}/forms/{entity_id}", User, Page, needs_form_pages::save),
        route(M::POST, "/needs/{campaign_id}/forms/{entity_id}/elabora", Staff, Page, needs_form_pages::process),
        route(M::GET, "/requests", User, Page, requests_pages::list),
        route(M::GET, "/requests/new", User, Page, request_new_pages::new_form),
        route(M::POST, "/requests/new", User, Page, request_new_pages::create),
        route(M::GET, "/requests/{request_id}", User, Page, requests_pages::detail),
        route(M::POST, "/requests/{request_id}/{action}", User, Page, requests_pages::act),
    ]
}
