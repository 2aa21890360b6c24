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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningIn {
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u32,
    /// `09:00`.
    pub start: String,
    /// `12:30`.
    pub end: String,
    pub minutes: u32,
    pub places: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyIn {
    pub entity_id: i64,
    pub office: String,
    /// First day (`2027-01-04`).
    pub from: String,
    /// Last day, included.
    pub to: String,
    pub openings: Vec<OpeningIn>,
}

/// Publishes an office's weekly timetable as slots from `from` to `to`, skipping the days the
/// entity's calendar closes and the slots already there.
#[utoipa::path(post, path = "/api/v1/appointment-slots/weekly", tag = "portal", request_body = WeeklyIn,
    security(("bearer" = [])),
    responses((status = 201, body = portal::store::slots::weekly::Published), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn weekly(
    State(s): State<AppState>,
    caller: ApiUser,
    ApiJson(w): ApiJson<WeeklyIn>,
) -> Result<Response, ApiError> {
    use chrono::{NaiveTime, Weekday};
    let mut wrong = vec![];
    let day = |v: &str, field: &str, wrong: &mut Vec<kernel::FieldError>| {
        let d = v.trim().parse::<chrono::NaiveDate>().ok();
        if d.is_none() {
            wrong.push(kernel::FieldError::new(
                field,
                "indicare un giorno (AAAA-MM-GG)",
            ));
        }
        d
    };
    let (from, to) = (
        day(&w.from, "from", &mut wrong),
        day(&w.to, "to", &mut wrong),
    );
    let mut openings = vec![];
    for (i, o) in w.openings.iter().enumerate() {
        let time = |v: &str| NaiveTime::parse_from_str(v.trim(), "%H:%M").ok();
        let weekday = match o.weekday {
            1 => Some(Weekday::Mon),
            2 => Some(Weekday::Tue),
            3 => Some(Weekday::Wed),
            4 => Some(Weekday::Thu),
            5 => Some(Weekday::Fri),
            6 => Some(Weekday::Sat),
            7 => Some(Weekday::Sun),
            _ => None,
        };
        match (weekday, time(&o.start), time(&o.end)) {
            (Some(weekday), Some(start), Some(end)) => openings.push(portal::slots::Opening {
                weekday,
                start,
                end,
                minutes: o.minutes,
                places: o.places,
            }),
            (None, _, _) => wrong.push(kernel::FieldError::new(
                &format!("openings[{i}].weekday"),
                "il giorno della settimana va da 1 (lunedì) a 7 (domenica)",
            )),
            _ => wrong.push(kernel::FieldError::new(
                &format!("openings[{i}].start"),
                "indicare apertura e chiusura come 09:00 e 12:30",
            )),
        }
    }
    if !wrong.is_empty() {
        return Err(portal::PortalError::Invalid(wrong).into());
    }
    let done = slots::publish_weekly(
        &s.db,
        &caller.actor(),
        &slots::WeeklyDraft {
            entity_id: w.entity_id,
            office: w.office,
            from,
            to,
            openings,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(done)).into_response())
}

/// Cancels a booking: the place is free again and the person is told.
#[utoipa::path(post, path = "/api/v1/appointment-bookings/{booking_id}/cancel", tag = "portal",
    params(("booking_id" = i64, Path, description = "booking id")), security(("bearer" = [])),
    responses((status = 200, body = Booking), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Booking>, ApiError> {
    Ok(Json(slots::cancel(&s.db, &caller.actor(), id).await?))
}
