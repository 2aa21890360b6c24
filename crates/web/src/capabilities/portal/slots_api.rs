//! `/api/v1/appointment-slots`: an office's slots and the bookings in them; never more
//! bookings than places (a full slot answers 409).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use portal::store::slots::{self, AppointmentSlot, Booking, BookingDraft, SlotDraft};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::instant_field;
use crate::api::body::{ApiJson, PathId};
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotIn {
    pub entity_id: i64,
    /// The office's name (`Anagrafe`); made on first use.
    pub office: String,
    pub starts_at: String,
    pub minutes: i64,
    pub places: i64,
}

/// Publishes one slot of an office.
#[utoipa::path(post, path = "/api/v1/appointment-slots", tag = "portal", request_body = SlotIn,
    security(("bearer" = [])),
    responses((status = 201, body = AppointmentSlot), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: ApiUser,
    ApiJson(d): ApiJson<SlotIn>,
) -> Result<Response, ApiError> {
    let starts_at = instant_field(&d.starts_at, "starts_at", false)?;
    let saved = slots::create(
        &s.db,
        &caller.actor(),
        &SlotDraft {
            entity_id: d.entity_id,
            office: d.office,
            starts_at: Some(starts_at),
            minutes: d.minutes,
            places: d.places,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

/// One slot with its free places.
#[utoipa::path(get, path = "/api/v1/appointment-slots/{slot_id}", tag = "portal",
    params(("slot_id" = i64, Path, description = "slot id")), security(("bearer" = [])),
    responses((status = 200, body = AppointmentSlot), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<AppointmentSlot>, ApiError> {
    Ok(Json(slots::get(&s.db, &caller.actor(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingIn {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BookingMade {
    #[serde(flatten)]
    pub booking: Booking,
    /// The code of the person's cancel link; shown only now.
    pub cancel_code: String,
}

/// Books a place in a slot: 201, or 409 when the slot is full or already begun.
#[utoipa::path(post, path = "/api/v1/appointment-slots/{slot_id}/bookings", tag = "portal",
    request_body = BookingIn,
    params(("slot_id" = i64, Path, description = "slot id")), security(("bearer" = [])),
    responses((status = 201, body = BookingMade), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn book(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<BookingIn>,
) -> Result<Response, ApiError> {
    let (booking, code) = slots::book(
        &s.db,
        &caller.actor(),
        id,
        &BookingDraft {
            name: b.name,
            email: b.email,
            phone: b.phone.unwrap_or_default(),
            reason: b.reason.unwrap_or_default(),
        },
        s.clock.now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(BookingMade {
            booking,
            cancel_code: code,
        }),
    )
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BookingList {
    pub items: Vec<Booking>,
}

/// The bookings of a slot.
#[utoipa::path(get, path = "/api/v1/appointment-slots/{slot_id}/bookings", tag = "portal",
    params(("slot_id" = i64, Path, description = "slot id")), security(("bearer" = [])),
    responses((status = 200, body = BookingList), (status = 404, body = Problem)))]
pub async fn bookings(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<BookingList>, ApiError> {
    let items = slots::bookings(&s.db, &caller.actor(), id).await?;
    Ok(Json(BookingList { items }))
}
