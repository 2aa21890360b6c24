//! An entity's address books and send lists (issue 15): the API and the pages.

pub mod api;
pub mod list_pages;
pub mod pages;
pub mod sms_api;
pub mod sms_pages;

use axum::http::Method;

use crate::routes::{route, Access, Route, Surface};

#[rustfmt::skip]
pub(crate) fn routes() -> Vec<Route> {
    use Access::*;
    use Method as M;
    use Surface::*;
    vec![
        route(M::POST, "/api/v1/entities/{id}/address-books", Entity, Api, api::create_book),
        route(M::GET, "/api/v1/entities/{id}/address-books", Entity, Api, api::books),
        route(M::GET, "/api/v1/address-books/{book_id}", User, Api, api::book),
        route(M::POST, "/api/v1/address-books/{book_id}/entries", User, Api, api::add),
        route(M::POST, "/api/v1/address-books/{book_id}/import", User, Api, api::import),
        route(M::GET, "/api/v1/address-books/{book_id}/export", User, Api, api::export),
        route(M::GET, "/api/v1/address-entries/{entry_id}", User, Api, api::entry),
        route(M::PUT, "/api/v1/address-entries/{entry_id}", User, Api, api::update),
        route(M::DELETE, "/api/v1/address-entries/{entry_id}", User, Api, api::delete),
        route(M::POST, "/api/v1/entities/{id}/contact-lists", Entity, Api, api::create_list),
        route(M::GET, "/api/v1/entities/{id}/contact-lists", Entity, Api, api::list_lists),
        route(M::GET, "/api/v1/contact-lists/{contact_list_id}", User, Api, api::get_list),
        route(M::POST, "/api/v1/contact-lists/{contact_list_id}/members", User, Api, api::add_member),
        route(M::DELETE, "/api/v1/contact-list-members/{member_id}", User, Api, api::remove_member),
        route(M::POST, "/api/v1/sms", User, Api, sms_api::send),
        route(M::GET, "/api/v1/entities/{id}/sms", Entity, Api, sms_api::log),
        route(M::PUT, "/api/v1/entities/{id}/sms-limit", Entity, Api, sms_api::set_limit),
        route(M::GET, "/sms", User, Page, sms_pages::choose),
        route(M::GET, "/entities/{id}/sms", Entity, Page, sms_pages::page),
        route(M::POST, "/entities/{id}/sms", Entity, Page, sms_pages::send),
        route(M::GET, "/entities/{id}/sms/anteprima", Entity, Page, sms_pages::preview),
        route(M::POST, "/entities/{id}/sms/limite", Entity, Page, sms_pages::set_limit),
        route(M::GET, "/rubrica", User, Page, pages::choose),
        route(M::GET, "/entities/{id}/rubrica", Entity, Page, pages::entity),
        route(M::POST, "/entities/{id}/rubrica", Entity, Page, pages::create_book),
        route(M::POST, "/entities/{id}/liste", Entity, Page, pages::create_list),
        route(M::GET, "/rubriche/{book_id}", User, Page, pages::book),
        route(M::POST, "/rubriche/{book_id}", User, Page, pages::add),
        route(M::POST, "/rubriche/{book_id}/importa", User, Page, pages::import),
        route(M::GET, "/rubriche/{book_id}/{file}", User, Page, pages::export),
        route(M::GET, "/voci-rubrica/{entry_id}", User, Page, pages::entry),
        route(M::POST, "/voci-rubrica/{entry_id}", User, Page, pages::update),
        route(M::POST, "/voci-rubrica/{entry_id}/elimina", User, Page, pages::delete),
        route(M::GET, "/liste/{contact_list_id}", User, Page, list_pages::list),
        route(M::POST, "/liste/{contact_list_id}", User, Page, list_pages::add_member),
        route(M::POST, "/liste/{contact_list_id}/destinatari/{member_id}/togli", User, Page, list_pages::remove_member),
    ]
}
