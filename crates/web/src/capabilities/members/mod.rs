//! The member registry: entities and contacts (API and pages), imports.

pub mod api;
pub mod form_pages;
pub mod import;
pub mod pages;

use axum::http::Method;

use crate::routes::{route, Access, Route, Surface};

#[rustfmt::skip]
pub(crate) fn routes() -> Vec<Route> {
    use Access::*;
    use Method as M;
    use Surface::*;
    vec![
        route(M::GET, "/api/v1/entities", User, Api, api::list),
        route(M::POST, "/api/v1/entities", Staff, Api, api::create),
        route(M::POST, "/api/v1/entities/import", Admin, Api, api::import),
        route(M::GET, "/api/v1/entities/{id}", Entity, Api, api::get),
        route(M::PATCH, "/api/v1/entities/{id}", Entity, Api, api::patch),
        route(M::GET, "/api/v1/entities/{id}/contacts", Entity, Api, api::contacts),
        route(M::POST, "/api/v1/entities/{id}/contacts", Entity, Api, api::add_contact),
        route(M::GET, "/entities", User, Page, pages::list),
        route(M::GET, "/entities.csv", User, Page, pages::csv),
        route(M::GET, "/entities/new", Staff, Page, form_pages::new_form),
        route(M::POST, "/entities", Staff, Page, form_pages::create),
        route(M::GET, "/entities/{id}", Entity, Page, pages::detail),
        route(M::GET, "/entities/{id}/edit", Entity, Page, form_pages::edit_form),
        route(M::POST, "/entities/{id}", Entity, Page, form_pages::update),
        route(M::POST, "/entities/{id}/contacts", Entity, Page, pages::add_contact),
        route(M::POST, "/entities/{id}/contacts/{contact_id}/delete", Entity, Page, pages::delete_contact),
        route(M::GET, "/import", Admin, Page, import::form),
        route(M::POST, "/import", Admin, Page, import::upload),
        route(M::GET, "/import/{run}", Admin, Page, import::progress),
    ]
}
