//! `/api/v1/…/calendars`, `/api/v1/agenda-events`, `/api/v1/entities/{id}/agenda`: an entity's
//! shared agendas. The staff act for any entity, an entity's contacts for their own; another
//! entity's calendars and events are "not found".

use agenda::store::events::{self, Event, EventDraft, Occurrence};
use agenda::store::invitations::{self, Invitee};
use agenda::store::{self, Calendar, CalendarDraft, Person};
use agenda::AgendaError;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use kernel::Actor;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::{ApiJson, PathId};
use crate::api::query;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarList {
    pub items: Vec<Calendar>,
    /// The entity's users, whom a calendar can be of.
    pub people: Vec<Person>,
}

/// Creates a calendar of the entity: one person's or a group's.
#[utoipa::path(post, path = "/api/v1/entities/{id}/calendars", tag = "agenda",
    request_body = CalendarDraft, params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 201, body = Calendar), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_calendar(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(d): ApiJson<CalendarDraft>,
) -> Result<Response, ApiError> {
    let c = store::create_calendar(&s.db, &caller.actor(), id, &d).await?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

/// The entity's calendars and users.
#[utoipa::path(get, path = "/api/v1/entities/{id}/calendars", tag = "agenda",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = CalendarList), (status = 404, body = Problem)))]
pub async fn calendars(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<CalendarList>, ApiError> {
    let actor = caller.actor();
    Ok(Json(CalendarList {
        items: store::calendars(&s.db, &actor, id).await?,
        people: store::people(&s.db, &actor, id).await?,
    }))
}

/// One calendar.
#[utoipa::path(get, path = "/api/v1/calendars/{calendar_id}", tag = "agenda",
    params(("calendar_id" = i64, Path, description = "calendar id")), security(("bearer" = [])),
    responses((status = 200, body = Calendar), (status = 404, body = Problem)))]
pub async fn calendar(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Calendar>, ApiError> {
    Ok(Json(store::calendar(&s.db, &caller.actor(), id).await?))
}

/// Changes a calendar's name and people.
#[utoipa::path(put, path = "/api/v1/calendars/{calendar_id}", tag = "agenda",
    request_body = CalendarDraft, params(("calendar_id" = i64, Path, description = "calendar id")), security(("bearer" = [])),
    responses((status = 200, body = Calendar), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_calendar(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(d): ApiJson<CalendarDraft>,
) -> Result<Json<Calendar>, ApiError> {
    Ok(Json(
        store::update_calendar(&s.db, &caller.actor(), id, &d).await?,
    ))
}

/// Deletes an empty calendar (one with events is refused).
#[utoipa::path(delete, path = "/api/v1/calendars/{calendar_id}", tag = "agenda",
    params(("calendar_id" = i64, Path, description = "calendar id")), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_calendar(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    store::delete_calendar(&s.db, &caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds an event to the calendar; the caller organises it.
#[utoipa::path(post, path = "/api/v1/calendars/{calendar_id}/events", tag = "agenda",
    request_body = EventDraft, params(("calendar_id" = i64, Path, description = "calendar id")), security(("bearer" = [])),
    responses((status = 201, body = Event), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_event(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(d): ApiJson<EventDraft>,
) -> Result<Response, ApiError> {
    let e = events::create(&s.db, &caller.actor(), id, &d).await?;
    Ok((StatusCode::CREATED, Json(e)).into_response())
}

/// One event with its invitations and their answers.
#[utoipa::path(get, path = "/api/v1/agenda-events/{agenda_event_id}", tag = "agenda",
    params(("agenda_event_id" = i64, Path, description = "event id")), security(("bearer" = [])),
    responses((status = 200, body = Event), (status = 404, body = Problem)))]
pub async fn event(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Event>, ApiError> {
    Ok(Json(events::get(&s.db, &caller.actor(), id).await?))
}

/// Changes an event (`version` as read); the invitees get the new request and answer again.
#[utoipa::path(put, path = "/api/v1/agenda-events/{agenda_event_id}", tag = "agenda",
    request_body = EventDraft, params(("agenda_event_id" = i64, Path, description = "event id")), security(("bearer" = [])),
    responses((status = 200, body = Event), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_event(
    State(s): State<AppState>,
    caller: ApiUser,
    headers: HeaderMap,
    PathId(id): PathId,
    ApiJson(d): ApiJson<EventDraft>,
) -> Result<Json<Event>, ApiError> {
    let Some(version) = d.version else {
        return Err(AgendaError::field(
            "version",
            "indicare la versione letta (il campo «version» dell'appuntamento)",
        )
        .into());
    };
    let base = crate::pages::site(&s, &headers);
    Ok(Json(
        events::update(&s.db, &caller.actor(), id, version, &d, &base).await?,
    ))
}

/// Cancels an event; the invitees are told.
#[utoipa::path(post, path = "/api/v1/agenda-events/{agenda_event_id}/cancel", tag = "agenda",
    params(("agenda_event_id" = i64, Path, description = "event id")), security(("bearer" = [])),
    responses((status = 200, body = Event), (status = 404, body = Problem)))]
pub async fn cancel_event(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Event>, ApiError> {
    Ok(Json(events::cancel(&s.db, &caller.actor(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteIn {
    pub invitees: Vec<Invitee>,
}

/// Invites people by e-mail: each gets the request (`.ics`) and a link to answer.
#[utoipa::path(post, path = "/api/v1/agenda-events/{agenda_event_id}/invitations", tag = "agenda",
    request_body = InviteIn, params(("agenda_event_id" = i64, Path, description = "event id")), security(("bearer" = [])),
    responses((status = 200, body = Event), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn invite(
    State(s): State<AppState>,
    caller: ApiUser,
    headers: HeaderMap,
    PathId(id): PathId,
    ApiJson(b): ApiJson<InviteIn>,
) -> Result<Json<Event>, ApiError> {
    let base = crate::pages::site(&s, &headers);
    Ok(Json(
        invitations::invite(&s.db, &caller.actor(), id, &b.invitees, &base).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AgendaParams {
    /// First day (`2026-12-01`); default today.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// The day after the last (`2027-01-01`); default 31 days after `from`. At most 400 days.
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// Only this calendar's events.
    #[serde(default)]
    pub calendar_id: Option<i64>,
    /// What to show, comma separated: `events`, `closures` (holidays and the entity's closed
    /// days), `deadlines` (the deadlines calendar). Default: all three.
    #[serde(default)]
    pub layers: Option<String>,
}

/// One line of the agenda: an event's occurrence, a day the entity is closed, or a deadline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgendaItem {
    /// `event`, `closure` or `deadline`.
    pub kind: String,
    pub title: String,
    /// RFC 3339 in Rome for an event; a day (`2026-12-08`) for the others.
    pub starts: String,
    pub ends: String,
    pub all_day: bool,
    pub event_id: Option<i64>,
    pub calendar_id: Option<i64>,
    pub calendar_name: String,
    pub place: String,
    pub repeats: bool,
    /// Where it is read on a page.
    pub href: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgendaList {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub items: Vec<AgendaItem>,
}

/// Which layers are asked for.
pub(crate) struct Layers {
    pub events: bool,
    pub closures: bool,
    pub deadlines: bool,
}

impl Layers {
    pub(crate) fn parse(v: Option<&str>) -> Result<Self, AgendaError> {
        let Some(v) = v.filter(|v| !v.trim().is_empty()) else {
            return Ok(Self {
                events: true,
                closures: true,
                deadlines: true,
            });
        };
        let mut l = Self {
            events: false,
            closures: false,
            deadlines: false,
        };
        for x in v.split(',').map(str::trim) {
            match x {
                "events" => l.events = true,
                "closures" => l.closures = true,
                "deadlines" => l.deadlines = true,
                other => {
                    return Err(AgendaError::field(
                        "layers",
                        format!("livello «{other}» sconosciuto: events, closures o deadlines"),
                    ))
                }
            }
        }
        Ok(l)
    }
}

impl From<Occurrence> for AgendaItem {
    fn from(o: Occurrence) -> Self {
        Self {
            kind: "event".into(),
            href: format!("/appuntamenti/{}", o.event_id),
            title: o.title,
            starts: o.starts,
            ends: o.ends,
            all_day: o.all_day,
            event_id: Some(o.event_id),
            calendar_id: Some(o.calendar_id),
            calendar_name: o.calendar_name,
            place: o.place,
            repeats: o.repeats,
        }
    }
}

fn day_item(kind: &str, day: NaiveDate, title: String, href: String) -> AgendaItem {
    AgendaItem {
        kind: kind.into(),
        title,
        starts: day.to_string(),
        ends: day.to_string(),
        all_day: true,
        event_id: None,
        calendar_id: None,
        calendar_name: String::new(),
        place: String::new(),
        repeats: false,
        href,
    }
}

/// The agenda of an entity over `[from, to)`: the layers asked for, by time.
pub(crate) async fn gather<E>(
    s: &AppState,
    actor: &Actor,
    entity_id: i64,
    calendar_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
    layers: &Layers,
) -> Result<Vec<AgendaItem>, E>
where
    E: From<AgendaError> + From<helpdesk::HelpdeskError> + From<billing::BillingError>,
{
    let mut items: Vec<AgendaItem> = if layers.events {
        events::occurrences(&s.db, actor, entity_id, calendar_id, from, to)
            .await?
            .into_iter()
            .map(AgendaItem::from)
            .collect()
    } else {
        events::check_span(&s.db, actor, entity_id, from, to).await?;
        Vec::new()
    };
    if layers.closures {
        let mut conn = s.db.pool().acquire().await.map_err(AgendaError::from)?;
        let cal = helpdesk::store::calendar_for(&mut conn, entity_id).await?;
        let mut d = from;
        while d < to {
            if let Some(why) = cal.calendar.day_off(d) {
                items.push(day_item("closure", d, why, String::new()));
            }
            d = d.succ_opt().unwrap_or(to);
        }
    }
    if layers.deadlines && actor.role != kernel::Role::Supplier {
        let list = billing::store::deadlines::list(
            &s.db,
            actor,
            &billing::store::deadlines::DeadlineQuery {
                entity_id: Some(entity_id),
                from,
                to: to.pred_opt().unwrap_or(to),
                kind: None,
            },
        )
        .await?;
        for d in list {
            items.push(day_item(
                "deadline",
                d.date,
                format!("{} – {}", d.kind.label(), d.text),
                d.href,
            ));
        }
    }
    // By day, the whole-day lines first (closures, deadlines, all-day events), then by time.
    items.sort_by(|a, b| {
        let key = |i: &AgendaItem| {
            (
                i.starts.get(..10).unwrap_or("").to_owned(),
                !i.all_day,
                i.starts.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    Ok(items)
}

/// The entity's agenda over a span of days: events (every occurrence), the days it is closed
/// and its deadlines.
#[utoipa::path(get, path = "/api/v1/entities/{id}/agenda", tag = "agenda",
    params(("id" = i64, Path, description = "entity id"), AgendaParams), security(("bearer" = [])),
    responses((status = 200, body = AgendaList), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn agenda(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    RawQuery(raw): RawQuery,
) -> Result<Json<AgendaList>, ApiError> {
    let p: AgendaParams = query(raw.as_deref())?;
    let from = p.from.unwrap_or_else(|| s.clock.today());
    let to = p.to.unwrap_or(from + chrono::Duration::days(31));
    let layers = Layers::parse(p.layers.as_deref())?;
    let items =
        gather::<ApiError>(&s, &caller.actor(), id, p.calendar_id, from, to, &layers).await?;
    Ok(Json(AgendaList { from, to, items }))
}
