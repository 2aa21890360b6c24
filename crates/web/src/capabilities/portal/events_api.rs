//! `/api/v1/events`: events with a waiting list. The entity's staff and contacts publish an
//! event with its seats, sign people up (as made on the web or by an operator), change and
//! cancel sign-ups, and read what the administrator was told.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use portal::store::events::{
    self, Channel, Event, EventChange, EventDraft, EventNotice, Registration, RegistrationChange,
    RegistrationDraft,
};
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
pub struct EventIn {
    pub entity_id: i64,
    pub title: String,
    /// RFC 3339 (`2027-01-16T17:30:00Z`), or a local time in Rome (`2027-01-16T18:30`).
    pub starts_at: String,
    pub seats: i64,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    /// The most seats one sign-up may ask for (10 when not said).
    #[serde(default)]
    pub max_per_request: Option<i64>,
}

/// Publishes an event of an entity.
#[utoipa::path(post, path = "/api/v1/events", tag = "portal", request_body = EventIn,
    security(("bearer" = [])),
    responses((status = 201, body = Event), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: ApiUser,
    ApiJson(e): ApiJson<EventIn>,
) -> Result<Response, ApiError> {
    let starts_at = instant_field(&e.starts_at, "starts_at", false)?;
    let saved = events::create(
        &s.db,
        &caller.actor(),
        &EventDraft {
            entity_id: e.entity_id,
            title: e.title,
            description: e.description.unwrap_or_default(),
            place: e.place.unwrap_or_default(),
            starts_at: Some(starts_at),
            seats: e.seats,
            max_per_request: e.max_per_request,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EventParams {
    pub entity_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<Event>,
}

/// An entity's events, soonest first.
#[utoipa::path(get, path = "/api/v1/events", tag = "portal", params(EventParams),
    security(("bearer" = [])),
    responses((status = 200, body = EventList), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<EventList>, ApiError> {
    let p: EventParams = query(raw.as_deref())?;
    let items = events::list(&s.db, &caller.actor(), p.entity_id, None).await?;
    Ok(Json(EventList { items }))
}

/// One event, with its seats left and its waiting list's length.
#[utoipa::path(get, path = "/api/v1/events/{event_id}", tag = "portal",
    params(("event_id" = i64, Path, description = "event id")), security(("bearer" = [])),
    responses((status = 200, body = Event), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Event>, ApiError> {
    Ok(Json(events::get(&s.db, &caller.actor(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub starts_at: Option<String>,
    /// Not under the seats already confirmed; more seats go to the waiting list at once.
    #[serde(default)]
    pub seats: Option<i64>,
    #[serde(default)]
    pub max_per_request: Option<i64>,
    /// Closes (true) or reopens (false) the sign-ups on the web.
    #[serde(default)]
    pub closed: Option<bool>,
}

/// Changes an event: its text, its seats, the flag that closes sign-ups.
#[utoipa::path(patch, path = "/api/v1/events/{event_id}", tag = "portal", request_body = EventPatch,
    params(("event_id" = i64, Path, description = "event id")), security(("bearer" = [])),
    responses((status = 200, body = Event), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(p): ApiJson<EventPatch>,
) -> Result<Json<Event>, ApiError> {
    let starts_at = p
        .starts_at
        .as_deref()
        .map(|v| instant_field(v, "starts_at", false))
        .transpose()?;
    Ok(Json(
        events::update(
            &s.db,
            &caller.actor(),
            id,
            &EventChange {
                title: p.title,
                description: p.description,
                place: p.place,
                starts_at,
                seats: p.seats,
                max_per_request: p.max_per_request,
                closed: p.closed,
            },
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationIn {
    pub name: String,
    pub email: String,
    /// Seats asked for (1 when not said).
    #[serde(default)]
    pub seats: Option<i64>,
    #[serde(default)]
    pub phone: Option<String>,
    /// `web` (made by the person on the web) or `operator` (the default).
    #[serde(default)]
    pub channel: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationMade {
    #[serde(flatten)]
    pub registration: Registration,
    /// The code of the person's cancel link (also in their e-mail); shown only now.
    pub cancel_code: String,
}

/// Signs a person up: confirmed whole when the seats are free and nobody waits, otherwise on
/// the waiting list (the person is told by e-mail either way).
#[utoipa::path(post, path = "/api/v1/events/{event_id}/registrations", tag = "portal",
    request_body = RegistrationIn,
    params(("event_id" = i64, Path, description = "event id")), security(("bearer" = [])),
    responses((status = 201, body = RegistrationMade), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn register(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(r): ApiJson<RegistrationIn>,
) -> Result<Response, ApiError> {
    let channel = match r.channel.as_deref() {
        None => Channel::Operator,
        Some(c) => Channel::parse(c).ok_or_else(|| {
            ApiError::from(portal::PortalError::field(
                "channel",
                "il canale è «web» oppure «operator»",
            ))
        })?,
    };
    let made = events::register(
        &s.db,
        &caller.actor(),
        id,
        &RegistrationDraft {
            name: r.name,
            email: r.email,
            phone: r.phone.unwrap_or_default(),
            seats: r.seats.unwrap_or(1),
        },
        channel,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(RegistrationMade {
            registration: made.registration,
            cancel_code: made.cancel_secret,
        }),
    )
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationList {
    pub items: Vec<Registration>,
}

/// An event's sign-ups in arrival order, each waiting one with its place in the list.
#[utoipa::path(get, path = "/api/v1/events/{event_id}/registrations", tag = "portal",
    params(("event_id" = i64, Path, description = "event id")), security(("bearer" = [])),
    responses((status = 200, body = RegistrationList), (status = 404, body = Problem)))]
pub async fn registrations(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<RegistrationList>, ApiError> {
    let items = events::registrations(&s.db, &caller.actor(), id).await?;
    Ok(Json(RegistrationList { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeList {
    pub items: Vec<EventNotice>,
}

/// What the administrator was told about the event's waiting list, newest first.
#[utoipa::path(get, path = "/api/v1/events/{event_id}/notices", tag = "portal",
    params(("event_id" = i64, Path, description = "event id")), security(("bearer" = [])),
    responses((status = 200, body = NoticeList), (status = 404, body = Problem)))]
pub async fn notices(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<NoticeList>, ApiError> {
    let items = events::notices(&s.db, &caller.actor(), id).await?;
    Ok(Json(NoticeList { items }))
}

/// Cancels a sign-up; its seats go to the waiting list.
#[utoipa::path(post, path = "/api/v1/registrations/{registration_id}/cancel", tag = "portal",
    params(("registration_id" = i64, Path, description = "sign-up id")), security(("bearer" = [])),
    responses((status = 200, body = Registration), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Registration>, ApiError> {
    Ok(Json(events::cancel(&s.db, &caller.actor(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub seats: Option<i64>,
}

/// An operator changes a sign-up (it counts as made by an operator from then on).
#[utoipa::path(patch, path = "/api/v1/registrations/{registration_id}", tag = "portal",
    request_body = RegistrationPatch,
    params(("registration_id" = i64, Path, description = "sign-up id")), security(("bearer" = [])),
    responses((status = 200, body = Registration), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn edit(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(p): ApiJson<RegistrationPatch>,
) -> Result<Json<Registration>, ApiError> {
    Ok(Json(
        events::edit(
            &s.db,
            &caller.actor(),
            id,
            &RegistrationChange {
                name: p.name,
                email: p.email,
                phone: p.phone,
                seats: p.seats,
            },
        )
        .await?,
    ))
}

/// The attendance list of an event as CSV (sign-ups in arrival order, the cancelled ones too,
/// with their state and channel), for the door or a spreadsheet.
#[utoipa::path(get, path = "/api/v1/events/{event_id}/attendance.csv", tag = "portal",
    params(("event_id" = i64, Path, description = "event id")), security(("bearer" = [])),
    responses((status = 200, description = "CSV, one row per sign-up", content_type = "text/csv"), (status = 404, body = Problem)))]
pub async fn attendance(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let e = events::get(&s.db, &caller.actor(), id).await?;
    let regs = events::registrations(&s.db, &caller.actor(), id).await?;
    let csv = attendance_csv(&regs);
    let name: String = e
        .title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"presenze-{}-{name}.csv\"", e.id),
            ),
        ],
        csv,
    )
        .into_response())
}

/// The attendance list's CSV: one row per sign-up in arrival order.
pub(crate) fn attendance_csv(regs: &[Registration]) -> String {
    let mut out = kernel::csv::CsvWriter::new(&[
        "numero",
        "nome",
        "e-mail",
        "telefono",
        "posti",
        "stato",
        "posizione in lista d'attesa",
        "iscrizione",
        "iscritto il",
    ]);
    for r in regs {
        out.row([
            r.id.to_string(),
            r.name.clone(),
            r.email.clone(),
            r.phone.clone(),
            r.seats.to_string(),
            r.state.label().to_owned(),
            r.position.map(|p| p.to_string()).unwrap_or_default(),
            r.channel.label().to_owned(),
            kernel::time::display_rome(&r.created_at),
        ]);
    }
    out.finish()
}
