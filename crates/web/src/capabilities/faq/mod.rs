//! The FAQ and knowledge base (issue 15): the API, the public page (no login), an article's
//! page with its "was this useful" vote, the suggestions while a ticket's subject is typed, and
//! the staff's forms.

pub mod api;
pub mod pages;

use axum::http::Method;

use crate::routes::{route, Access, Route, Surface};

#[rustfmt::skip]
pub(crate) fn routes() -> Vec<Route> {
    use Access::*;
    use Method as M;
    use Surface::*;
    vec![
        route(M::POST, "/api/v1/faq", Staff, Api, api::create),
        route(M::GET, "/api/v1/faq", User, Api, api::list),
        route(M::GET, "/api/v1/faq/{faq_id}", User, Api, api::get),
        route(M::PUT, "/api/v1/faq/{faq_id}", Staff, Api, api::update),
        route(M::DELETE, "/api/v1/faq/{faq_id}", Staff, Api, api::delete),
        route(M::POST, "/api/v1/faq/{faq_id}/vote", User, Api, api::vote),
        route(M::GET, "/faq", Public, Page, pages::list),
        route(M::POST, "/faq", Staff, Page, pages::create),
        route(M::GET, "/faq/suggerimenti", Public, Page, pages::suggest),
        route(M::GET, "/faq/{faq_id}", Public, Page, pages::article),
        route(M::POST, "/faq/{faq_id}", Staff, Page, pages::update),
        route(M::POST, "/faq/{faq_id}/elimina", Staff, Page, pages::delete),
        route(M::POST, "/faq/{faq_id}/voto", Public, Page, pages::vote),
    ]
}
