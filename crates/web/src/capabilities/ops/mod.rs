//! Operations: health, readiness, the caller, the audit log (API and page), background jobs.

pub mod api;
pub mod audit_pages;
pub mod home;
pub mod jobs_pages;

use axum::http::Method;

use crate::routes::{route, Access, Route, Surface};

#[rustfmt::skip]
pub(crate) fn routes() -> Vec<Route> {
    use Access::*;
    use Method as M;
    use Surface::*;
    vec![
        route(M::GET, "/healthz", Public, Api, api::healthz),
        route(M::GET, "/readyz", Public, Api, api::readyz),
        route(M::GET, "/api/v1/me", User, Api, api::me),
        route(M::GET, "/api/v1/audit", Admin, Api, api::audit),
        route(M::GET, "/jobs", Admin, Page, jobs_pages::list),
        route(M::GET, "/jobs.csv", Admin, Page, jobs_pages::csv),
        route(M::POST, "/jobs/{job_id}/retry", Admin, Page, jobs_pages::retry),
        route(M::POST, "/jobs/{job_id}/cancel", Admin, Page, jobs_pages::cancel),
        route(M::GET, "/audit", Admin, Page, audit_pages::list),
        route(M::GET, "/audit.csv", Admin, Page, audit_pages::csv),
        route(M::POST, "/audit/verify", Admin, Page, audit_pages::verify),
    ]
}
