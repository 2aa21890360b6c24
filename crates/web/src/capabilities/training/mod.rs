//! Training courses by the Academy4PA rules (issue 15): the API, the pages, the PDFs.

pub mod api;
pub mod entries_pages;
pub mod pages;
pub mod printouts;

use axum::http::Method;

use crate::routes::{route, Access, Route, Surface};

#[rustfmt::skip]
pub(crate) fn routes() -> Vec<Route> {
    use Access::*;
    use Method as M;
    use Surface::*;
    vec![
        route(M::POST, "/api/v1/courses", Staff, Api, api::create),
        route(M::GET, "/api/v1/courses", User, Api, api::list),
        route(M::GET, "/api/v1/courses/{course_id}", User, Api, api::get),
        route(M::POST, "/api/v1/courses/{course_id}/enrolments", User, Api, api::enrol),
        route(M::POST, "/api/v1/courses/{course_id}/close-signup", Staff, Api, api::close_signup),
        route(M::POST, "/api/v1/courses/{course_id}/cancel", Staff, Api, api::cancel),
        route(M::GET, "/api/v1/courses/{course_id}/register", Staff, Api, api::register),
        route(M::POST, "/api/v1/enrolments/{enrolment_id}/withdraw", User, Api, api::withdraw),
        route(M::POST, "/api/v1/enrolments/{enrolment_id}/transfer", User, Api, api::transfer),
        route(M::PUT, "/api/v1/enrolments/{enrolment_id}/attendance", Staff, Api, api::attendance),
        route(M::GET, "/api/v1/enrolments/{enrolment_id}/certificate", User, Api, api::certificate),
        route(M::GET, "/api/v1/entities/{id}/training-entries", Entity, Api, api::year_use),
        route(M::PUT, "/api/v1/entities/{id}/training-entries", Entity, Api, api::set_entries),
        route(M::GET, "/corsi", User, Page, pages::list),
        route(M::POST, "/corsi", Staff, Page, pages::create),
        route(M::GET, "/corsi/{course_id}", User, Page, pages::course),
        route(M::POST, "/corsi/{course_id}/iscrizioni", User, Page, pages::enrol),
        route(M::POST, "/corsi/{course_id}/chiusura", Staff, Page, pages::close),
        route(M::POST, "/corsi/{course_id}/annulla", Staff, Page, pages::cancel),
        route(M::GET, "/corsi/{course_id}/registro.pdf", Staff, Page, pages::register),
        route(M::POST, "/iscrizioni-corsi/{enrolment_id}/{action}", User, Page, pages::enrolment_action),
        route(M::GET, "/iscrizioni-corsi/{enrolment_id}/attestato.pdf", User, Page, pages::certificate),
        route(M::GET, "/entities/{id}/formazione", Entity, Page, entries_pages::entity_entries),
        route(M::POST, "/entities/{id}/formazione", Entity, Page, entries_pages::set_entries),
    ]
}
