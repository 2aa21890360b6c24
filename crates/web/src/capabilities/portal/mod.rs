//! The portal's public modules (issue 14): events with a waiting list, calls for tender,
//! appointment slots; which service item carries which module.

pub mod desk_pages;
pub mod event_pages;
pub mod events_api;
pub mod modules_api;
pub mod portal_pages;
pub mod public_appointments;
pub mod public_pages;
pub mod public_rooms;
pub mod public_site;
pub mod public_tenders;
pub mod rooms_api;
pub mod sites;
pub mod slots_api;
pub mod tenders_api;

use axum::http::Method;
use chrono::{DateTime, Utc};

use crate::error::ApiError;
use crate::routes::{route, Access, Route, Surface};

#[rustfmt::skip]
pub(crate) fn routes() -> Vec<Route> {
    use Access::*;
    use Method as M;
    use Surface::*;
    vec![
        route(M::GET, "/api/v1/portal/modules", Staff, Api, modules_api::get),
        route(M::PUT, "/api/v1/portal/modules", Admin, Api, modules_api::put),
        route(M::GET, "/api/v1/entities/{id}/portal-modules", Entity, Api, modules_api::entity),
        route(M::GET, "/api/v1/entities/{id}/portal-settings", Entity, Api, modules_api::get_settings),
        route(M::PUT, "/api/v1/entities/{id}/portal-settings", Entity, Api, modules_api::put_settings),
        route(M::POST, "/api/v1/events", User, Api, events_api::create),
        route(M::GET, "/api/v1/events", User, Api, events_api::list),
        route(M::GET, "/api/v1/events/{event_id}", User, Api, events_api::get),
        route(M::PATCH, "/api/v1/events/{event_id}", User, Api, events_api::update),
        route(M::POST, "/api/v1/events/{event_id}/registrations", User, Api, events_api::register),
        route(M::GET, "/api/v1/events/{event_id}/registrations", User, Api, events_api::registrations),
        route(M::GET, "/api/v1/events/{event_id}/notices", User, Api, events_api::notices),
        route(M::GET, "/api/v1/events/{event_id}/attendance.csv", User, Api, events_api::attendance),
        route(M::POST, "/api/v1/registrations/{registration_id}/cancel", User, Api, events_api::cancel),
        route(M::PATCH, "/api/v1/registrations/{registration_id}", User, Api, events_api::edit),
        route(M::POST, "/api/v1/tenders", User, Api, tenders_api::create),
        route(M::GET, "/api/v1/tenders", User, Api, tenders_api::list),
        route(M::GET, "/api/v1/tenders/{tender_id}", User, Api, tenders_api::get),
        route(M::PUT, "/api/v1/tenders/{tender_id}", User, Api, tenders_api::update),
        route(M::POST, "/api/v1/tenders/{tender_id}/documents", User, Api, tenders_api::add_document),
        route(M::GET, "/api/v1/tenders/{tender_id}/documents/{document_id}", User, Api, tenders_api::document),
        route(M::POST, "/api/v1/appointment-slots", User, Api, slots_api::create),
        route(M::POST, "/api/v1/appointment-slots/weekly", User, Api, slots_api::weekly),
        route(M::POST, "/api/v1/appointment-bookings/{booking_id}/cancel", User, Api, slots_api::cancel),
        route(M::GET, "/api/v1/appointment-slots/{slot_id}", User, Api, slots_api::get),
        route(M::POST, "/api/v1/appointment-slots/{slot_id}/bookings", User, Api, slots_api::book),
        route(M::GET, "/api/v1/appointment-slots/{slot_id}/bookings", User, Api, slots_api::bookings),
        route(M::POST, "/api/v1/rooms", User, Api, rooms_api::create),
        route(M::GET, "/api/v1/entities/{id}/rooms", Entity, Api, rooms_api::list),
        route(M::GET, "/api/v1/rooms/{room_id}", User, Api, rooms_api::get),
        route(M::POST, "/api/v1/rooms/{room_id}/bookings", User, Api, rooms_api::book),
        route(M::GET, "/api/v1/rooms/{room_id}/bookings", User, Api, rooms_api::bookings),
        route(M::POST, "/api/v1/room-bookings/{room_booking_id}/approve", User, Api, rooms_api::approve),
        route(M::POST, "/api/v1/room-bookings/{room_booking_id}/reject", User, Api, rooms_api::reject),
        route(M::POST, "/api/v1/room-bookings/{room_booking_id}/cancel", User, Api, rooms_api::cancel),
        route(M::GET, "/entities/{id}/portale", Entity, Page, portal_pages::hub),
        route(M::POST, "/entities/{id}/portale", Entity, Page, portal_pages::save_settings),
        route(M::GET, "/entities/{id}/bandi", Entity, Page, portal_pages::tenders_list),
        route(M::POST, "/entities/{id}/bandi", Entity, Page, portal_pages::tender_create),
        route(M::GET, "/bandi/{tender_id}", User, Page, portal_pages::tender),
        route(M::POST, "/bandi/{tender_id}", User, Page, portal_pages::tender_update),
        route(M::POST, "/bandi/{tender_id}/documenti", User, Page, portal_pages::tender_document),
        route(M::GET, "/entities/{id}/sportello", Entity, Page, desk_pages::day),
        route(M::POST, "/entities/{id}/sportello/orario", Entity, Page, desk_pages::weekly),
        route(M::POST, "/entities/{id}/sportello/sale", Entity, Page, desk_pages::new_room),
        route(M::POST, "/prenotazioni-sale/{room_booking_id}/{action}", User, Page, desk_pages::room_booking),
        route(M::POST, "/prenotazioni/{booking_id}/annulla", User, Page, desk_pages::cancel_appointment),
        route(M::GET, "/entities/{id}/eventi", Entity, Page, event_pages::list),
        route(M::POST, "/entities/{id}/eventi", Entity, Page, event_pages::create),
        route(M::GET, "/eventi/{event_id}", User, Page, event_pages::detail),
        route(M::POST, "/eventi/{event_id}/iscrizioni", User, Page, event_pages::add),
        route(M::POST, "/eventi/{event_id}/iscrizioni/{registration_id}/annulla", User, Page, event_pages::cancel),
        route(M::POST, "/eventi/{event_id}/chiusura", User, Page, event_pages::closing),
        route(M::GET, "/eventi/{event_id}/presenze.csv", User, Page, event_pages::csv),
        route(M::GET, "/p/{entity}", Public, Page, public_pages::home),
        route(M::GET, "/p/{entity}/logo", Public, Page, public_site::logo),
        route(M::POST, "/entities/{id}/portale/logo", Entity, Page, portal_pages::upload_logo),
        route(M::GET, "/p/{entity}/privacy", Public, Page, public_pages::privacy),
        route(M::GET, "/p/{entity}/eventi", Public, Page, public_pages::events_list),
        route(M::GET, "/p/{entity}/eventi/{event_id}", Public, Page, public_pages::event),
        route(M::POST, "/p/{entity}/eventi/{event_id}", Public, Page, public_pages::sign_up),
        route(M::GET, "/p/{entity}/iscrizioni/{registration_id}/{code}", Public, Page, public_pages::registration),
        route(M::POST, "/p/{entity}/iscrizioni/{registration_id}/{code}", Public, Page, public_pages::cancel),
        route(M::GET, "/p/{entity}/appuntamenti", Public, Page, public_appointments::list),
        route(M::GET, "/p/{entity}/appuntamenti/{slot_id}", Public, Page, public_appointments::slot),
        route(M::POST, "/p/{entity}/appuntamenti/{slot_id}", Public, Page, public_appointments::book),
        route(M::GET, "/p/{entity}/prenotazioni/{booking_id}/{code}", Public, Page, public_appointments::booking),
        route(M::POST, "/p/{entity}/prenotazioni/{booking_id}/{code}", Public, Page, public_appointments::cancel),
        route(M::GET, "/p/{entity}/prenotazioni/{booking_id}/{code}/calendario.ics", Public, Page, public_appointments::ics),
        route(M::GET, "/p/{entity}/sale", Public, Page, public_rooms::list),
        route(M::GET, "/p/{entity}/sale/{room_id}", Public, Page, public_rooms::room),
        route(M::POST, "/p/{entity}/sale/{room_id}", Public, Page, public_rooms::request),
        route(M::GET, "/p/{entity}/sale-prenotazioni/{room_booking_id}/{code}", Public, Page, public_rooms::booking),
        route(M::POST, "/p/{entity}/sale-prenotazioni/{room_booking_id}/{code}", Public, Page, public_rooms::cancel),
        route(M::GET, "/p/{entity}/bandi", Public, Page, public_tenders::list),
        route(M::GET, "/p/{entity}/bandi.atom", Public, Page, public_tenders::feed),
        route(M::GET, "/p/{entity}/bandi/{tender_id}", Public, Page, public_tenders::detail),
        route(M::GET, "/p/{entity}/bandi/{tender_id}/documenti/{document_id}", Public, Page, public_tenders::document),
    ]
}

/// An instant as the API takes it: RFC 3339 (`2027-01-16T17:30:00Z`), a local time in Rome
/// (`2027-01-16T18:30`), or a day (`2027-01-16`: its start, or with `end_of_day` its last
/// second, in Rome). Anything else is a 422 naming `field`.
pub(crate) fn instant_field(
    v: &str,
    field: &str,
    end_of_day: bool,
) -> Result<DateTime<Utc>, ApiError> {
    let v = v.trim();
    let at = if end_of_day {
        chrono::NaiveTime::from_hms_opt(23, 59, 59)
    } else {
        chrono::NaiveTime::from_hms_opt(0, 0, 0)
    }
    .unwrap_or_default();
    kernel::time::parse_rome(v, at)
        .ok_or_else(|| {
            portal::PortalError::field(
                field,
                format!("«{v}» non è una data e ora: scrivere per esempio 2027-01-16T18:30 (ora di Roma) o 2027-01-16"),
            )
            .into()
        })
}
