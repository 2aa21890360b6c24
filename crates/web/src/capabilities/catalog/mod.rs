//! What a centre sells: services, price lists, quotes, agreements, the membership fee.

pub mod agreements_api;
pub mod agreements_pages;
pub mod home;
pub mod membership_api;
pub mod membership_form;
pub mod membership_pages;
pub mod price_item_form;
pub mod price_item_pages;
pub mod price_item_preview;
pub mod price_lists_pages;
pub mod quotes_pages;
pub mod services_api;
pub mod services_pages;

use axum::http::Method;

use crate::routes::{route, Access, Route, Surface};

/// A refusal of the catalogue as a page says it: a sentence, with the fields' messages but
/// not their technical names.
pub(crate) fn said(e: &catalog::CatalogError) -> String {
    let text = match e {
        catalog::CatalogError::Invalid(fields) => fields
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    crate::pages::sentence(&text)
}

#[rustfmt::skip]
pub(crate) fn routes() -> Vec<Route> {
    use Access::*;
    use Method as M;
    use Surface::*;
    vec![
        route(M::GET, "/api/v1/entities/{id}/membership-fee", Entity, Api, membership_api::membership_fee),
        route(M::GET, "/api/v1/membership-fee-rule", User, Api, membership_api::get_rule),
        route(M::PUT, "/api/v1/membership-fee-rule", Admin, Api, membership_api::put_rule),
        route(M::GET, "/api/v1/entities/{id}/agreements", Entity, Api, agreements_api::list),
        route(M::POST, "/api/v1/entities/{id}/agreements", Staff, Api, agreements_api::create),
        route(M::GET, "/api/v1/entities/{id}/agreements/{agreement_id}", Entity, Api, agreements_api::get),
        route(M::PATCH, "/api/v1/entities/{id}/agreements/{agreement_id}", Staff, Api, agreements_api::patch),
        route(M::POST, "/api/v1/entities/{id}/agreements/{agreement_id}/renew", Staff, Api, agreements_api::renew),
        route(M::GET, "/api/v1/services", User, Api, services_api::list),
        route(M::GET, "/api/v1/services/{code}", User, Api, services_api::get),
        route(M::PUT, "/api/v1/services/{code}", Admin, Api, services_api::put),
        route(M::GET, "/api/v1/price-lists", User, Api, services_api::price_lists_list),
        route(M::POST, "/api/v1/price-lists", Admin, Api, services_api::price_list_create),
        route(M::GET, "/api/v1/price-lists/{list_id}", User, Api, services_api::price_list_get),
        route(M::PUT, "/api/v1/price-lists/{list_id}", Admin, Api, services_api::price_list_put),
        route(M::POST, "/api/v1/price-quotes", User, Api, services_api::quote),
        route(M::POST, "/entities/{id}/agreements", Staff, Page, agreements_pages::create),
        route(M::POST, "/entities/{id}/agreements/{agreement_id}", Staff, Page, agreements_pages::act),
        route(M::GET, "/catalog", User, Page, services_pages::list),
        route(M::GET, "/catalog/new", Admin, Page, services_pages::new_form),
        route(M::POST, "/catalog", Admin, Page, services_pages::create),
        route(M::GET, "/catalog/{code}", User, Page, services_pages::card),
        route(M::GET, "/catalog/{code}/edit", Admin, Page, services_pages::edit_form),
        route(M::POST, "/catalog/{code}", Admin, Page, services_pages::update),
        route(M::POST, "/catalog/{code}/quote", User, Page, services_pages::quote),
        route(M::GET, "/price-lists", User, Page, price_lists_pages::price_lists),
        route(M::POST, "/price-lists", Admin, Page, price_lists_pages::price_list_create),
        route(M::GET, "/price-lists/{list_id}", User, Page, price_lists_pages::price_list),
        route(M::POST, "/price-lists/{list_id}", Admin, Page, price_lists_pages::price_list_update),
        route(M::GET, "/price-lists/{list_id}/json", User, Page, price_lists_pages::export),
        route(M::POST, "/price-lists/{list_id}/fine", Admin, Page, price_lists_pages::set_end),
        route(M::GET, "/price-lists/{list_id}/items/{item}", Admin, Page, price_item_pages::edit),
        route(M::POST, "/price-lists/{list_id}/items/{item}", Admin, Page, price_item_pages::save),
        route(M::POST, "/price-lists/{list_id}/items/{item}/anteprima", Admin, Page, price_item_pages::live_preview),
        route(M::POST, "/price-lists/{list_id}/items/{item}/elimina", Admin, Page, price_item_pages::remove),
        route(M::GET, "/quotes", User, Page, quotes_pages::list),
        route(M::GET, "/quotes.csv", User, Page, quotes_pages::csv),
        route(M::GET, "/membership-fee", Admin, Page, membership_pages::show),
        route(M::POST, "/membership-fee", Admin, Page, membership_pages::set),
        route(M::POST, "/membership-fee/anteprima", Admin, Page, membership_pages::live_preview),
        route(M::POST, "/membership-fee/{year}/elimina", Admin, Page, membership_pages::remove),
    ]
}
