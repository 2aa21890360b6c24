//! `/api/v1/rooms`: an entity's rooms booked by the hour and their bookings; two bookings never
//! hold one hour (a taken hour answers 409 `room_taken`); requests that need approval are
//! approved or rejected here.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Timelike;
use portal::store::rooms::{self, Room, RoomBooking, RoomBookingDraft, RoomDraft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::instant_field;
use crate::api::body::{ApiJson, PathId};
use crate::api::query;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomIn {
    pub entity_id: i64,
    /// `Sala consiliare`.
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// People it holds (shown, not a rule).
    #[serde(default)]
    pub capacity: Option<i64>,
    /// A citizen's request waits for approval (default true).
    #[serde(default)]
    pub needs_approval: Option<bool>,
    /// Whole hour it opens, Rome (`08:00`, default `08:00`).
    #[serde(default)]
    pub opens_at: Option<String>,
    /// Whole hour it closes, Rome (`23:00`, up to `24:00`; default `23:00`).
    #[serde(default)]
    pub closes_at: Option<String>,
}

/// `08:00` → 8; `24:00` → 24; anything else (minutes too) → None.
fn whole_hour(v: &str) -> Option<i64> {
    let (h, m) = v.trim().split_once(':')?;
    let h: i64 = h.parse().ok()?;
    (m == "00" && (0..=24).contains(&h)).then_some(h)
}

/// Adds a room to an entity.
#[utoipa::path(post, path = "/api/v1/rooms", tag = "portal", request_body = RoomIn,
    security(("bearer" = [])),
    responses((status = 201, body = Room), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: ApiUser,
    ApiJson(d): ApiJson<RoomIn>,
) -> Result<Response, ApiError> {
    let mut wrong = vec![];
    let mut hour = |v: Option<&str>, default: i64, field: &str| match v {
        None => default,
        Some(v) => whole_hour(v).unwrap_or_else(|| {
            wrong.push(kernel::FieldError::new(
                field,
                "indicare un'ora intera come 08:00 (fino a 24:00)",
            ));
            -1
        }),
    };
    let opens = hour(d.opens_at.as_deref(), 8, "opens_at");
    let closes = hour(d.closes_at.as_deref(), 23, "closes_at");
    if !wrong.is_empty() {
        return Err(portal::PortalError::Invalid(wrong).into());
    }
    let saved = rooms::create(
        &s.db,
        &caller.actor(),
        &RoomDraft {
            entity_id: d.entity_id,
            name: d.name,
            description: d.description.unwrap_or_default(),
            capacity: d.capacity.unwrap_or_default(),
            needs_approval: d.needs_approval.unwrap_or(true),
            opens_hour: opens,
            closes_hour: closes,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoomList {
    pub items: Vec<Room>,
}

/// An entity's rooms, by name.
#[utoipa::path(get, path = "/api/v1/entities/{id}/rooms", tag = "portal",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = RoomList), (status = 404, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<RoomList>, ApiError> {
    Ok(Json(RoomList {
        items: rooms::list(&s.db, &caller.actor(), id).await?,
    }))
}

/// One room.
#[utoipa::path(get, path = "/api/v1/rooms/{room_id}", tag = "portal",
    params(("room_id" = i64, Path, description = "room id")), security(("bearer" = [])),
    responses((status = 200, body = Room), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Room>, ApiError> {
    Ok(Json(rooms::get(&s.db, &caller.actor(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomBookingIn {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// The association or group, if any.
    #[serde(default)]
    pub organisation: Option<String>,
    /// What the room is for.
    pub purpose: String,
    /// The first hour, on the hour (`2027-01-16T18:00`, Rome, or RFC 3339).
    pub starts_at: String,
    /// How many hours (1–12).
    pub hours: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoomBookingMade {
    #[serde(flatten)]
    pub booking: RoomBooking,
    /// The code of the person's link; shown only now.
    pub cancel_code: String,
}

/// Books a room for its staff or contact (confirmed at once): 201, 409 `room_taken` when an
/// hour is held, 422 outside the room's hours.
#[utoipa::path(post, path = "/api/v1/rooms/{room_id}/bookings", tag = "portal",
    request_body = RoomBookingIn,
    params(("room_id" = i64, Path, description = "room id")), security(("bearer" = [])),
    responses((status = 201, body = RoomBookingMade), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn book(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<RoomBookingIn>,
) -> Result<Response, ApiError> {
    let at = instant_field(&b.starts_at, "starts_at", false)?.with_timezone(&kernel::time::ROME);
    if at.minute() != 0 || at.second() != 0 {
        return Err(portal::PortalError::field(
            "starts_at",
            "le sale si prenotano a ore intere: indicare per esempio 2027-01-16T18:00",
        )
        .into());
    }
    if !(1..=portal::rooms::MAX_HOURS).contains(&b.hours) {
        return Err(portal::PortalError::field(
            "hours",
            format!("le ore vanno da 1 a {}", portal::rooms::MAX_HOURS),
        )
        .into());
    }
    let from = at.hour();
    let (booking, code) = rooms::book(
        &s.db,
        &caller.actor(),
        id,
        &RoomBookingDraft {
            name: b.name,
            email: b.email,
            phone: b.phone.unwrap_or_default(),
            organisation: b.organisation.unwrap_or_default(),
            purpose: b.purpose,
            day: Some(at.date_naive()),
            from,
            to: from + b.hours,
        },
        s.clock.now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(RoomBookingMade {
            booking,
            cancel_code: code,
        }),
    )
        .into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RangeParams {
    /// From (default: now).
    #[serde(default)]
    pub from: Option<String>,
    /// To (default: 60 days after `from`).
    #[serde(default)]
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoomBookingList {
    pub items: Vec<RoomBooking>,
}

/// The bookings of a room in a period, every state, by time.
#[utoipa::path(get, path = "/api/v1/rooms/{room_id}/bookings", tag = "portal",
    params(("room_id" = i64, Path, description = "room id"), RangeParams), security(("bearer" = [])),
    responses((status = 200, body = RoomBookingList), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn bookings(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    RawQuery(raw): RawQuery,
) -> Result<Json<RoomBookingList>, ApiError> {
    let p: RangeParams = query(raw.as_deref())?;
    let from = match p.from.as_deref() {
        Some(v) => instant_field(v, "from", false)?,
        None => s.clock.now(),
    };
    let to = match p.to.as_deref() {
        Some(v) => instant_field(v, "to", true)?,
        None => from + chrono::Duration::days(60),
    };
    let items: Vec<RoomBooking> = rooms::bookings(&s.db, &caller.actor(), id, from, to).await?;
    Ok(Json(RoomBookingList { items }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    /// Why (sent to the person).
    #[serde(default)]
    pub note: Option<String>,
}

/// Approves a request that waits.
#[utoipa::path(post, path = "/api/v1/room-bookings/{room_booking_id}/approve", tag = "portal",
    params(("room_booking_id" = i64, Path, description = "room booking id")), security(("bearer" = [])),
    responses((status = 200, body = RoomBooking), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn approve(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<RoomBooking>, ApiError> {
    Ok(Json(rooms::approve(&s.db, &caller.actor(), id).await?))
}

/// Rejects a request that waits: its hours are free again and the person is told.
#[utoipa::path(post, path = "/api/v1/room-bookings/{room_booking_id}/reject", tag = "portal",
    request_body = NoteIn,
    params(("room_booking_id" = i64, Path, description = "room booking id")), security(("bearer" = [])),
    responses((status = 200, body = RoomBooking), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reject(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(n): ApiJson<NoteIn>,
) -> Result<Json<RoomBooking>, ApiError> {
    let note = n.note.unwrap_or_default();
    Ok(Json(
        rooms::reject(&s.db, &caller.actor(), id, &note).await?,
    ))
}

/// Cancels a request or a booking: its hours are free again and the person is told.
#[utoipa::path(post, path = "/api/v1/room-bookings/{room_booking_id}/cancel", tag = "portal",
    request_body = NoteIn,
    params(("room_booking_id" = i64, Path, description = "room booking id")), security(("bearer" = [])),
    responses((status = 200, body = RoomBooking), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn cancel(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(n): ApiJson<NoteIn>,
) -> Result<Json<RoomBooking>, ApiError> {
    let note = n.note.unwrap_or_default();
    Ok(Json(
        rooms::cancel(&s.db, &caller.actor(), id, &note).await?,
    ))
}
