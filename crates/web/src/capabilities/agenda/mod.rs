//! Shared agendas (issue 15): the API and the pages.

pub mod api;
pub mod event_pages;
pub mod invitation_pages;
pub mod pages;

use axum::http::Method;

use crate::routes::{route, Access, Route, Surface};

#[rustfmt::skip]
pub(crate) fn routes() -> Vec<Route> {
    use Access::*;
    use Method as M;
    use Surface::*;
    vec![
        route(M::POST, "/api/v1/entities/{id}/calendars", Entity, Api, api::create_calendar),
        route(M::GET, "/api/v1/entities/{id}/calendars", Entity, Api, api::calendars),
        route(M::GET, "/api/v1/entities/{id}/agenda", Entity, Api, api::agenda),
        route(M::GET, "/api/v1/calendars/{calendar_id}", User, Api, api::calendar),
        route(M::PUT, "/api/v1/calendars/{calendar_id}", User, Api, api::update_calendar),
        route(M::DELETE, "/api/v1/calendars/{calendar_id}", User, Api, api::delete_calendar),
        route(M::POST, "/api/v1/calendars/{calendar_id}/events", User, Api, api::create_event),
        route(M::GET, "/api/v1/agenda-events/{agenda_event_id}", User, Api, api::event),
        route(M::PUT, "/api/v1/agenda-events/{agenda_event_id}", User, Api, api::update_event),
        route(M::POST, "/api/v1/agenda-events/{agenda_event_id}/cancel", User, Api, api::cancel_event),
        route(M::POST, "/api/v1/agenda-events/{agenda_event_id}/invitations", User, Api, api::invite),
        route(M::GET, "/agenda", User, Page, pages::choose),
        route(M::POST, "/agenda/feed", User, Page, pages::new_feed),
        route(M::GET, "/agenda/feed/{file}", Public, Page, pages::feed),
        route(M::GET, "/agenda/invito/{token}", Public, Page, invitation_pages::invitation),
        route(M::POST, "/agenda/invito/{token}", Public, Page, invitation_pages::answer),
        route(M::GET, "/entities/{id}/agenda", Entity, Page, pages::entity),
        route(M::POST, "/entities/{id}/agende", Entity, Page, pages::create_calendar),
        route(M::POST, "/agende/{calendar_id}/elimina", User, Page, pages::delete_calendar),
        route(M::GET, "/agende/{calendar_id}/nuovo", User, Page, event_pages::new_event),
        route(M::POST, "/agende/{calendar_id}/nuovo", User, Page, event_pages::create_event),
        route(M::GET, "/appuntamenti/{agenda_event_id}", User, Page, event_pages::event),
        route(M::GET, "/appuntamenti/{agenda_event_id}/modifica", User, Page, event_pages::edit),
        route(M::POST, "/appuntamenti/{agenda_event_id}/modifica", User, Page, event_pages::update),
        route(M::POST, "/appuntamenti/{agenda_event_id}/annulla", User, Page, event_pages::cancel),
        route(M::POST, "/appuntamenti/{agenda_event_id}/invita", User, Page, event_pages::invite),
    ]
}
