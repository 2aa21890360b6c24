//! Events with a waiting list: the entity publishes an event with its seats; people sign up
//! for one or more seats (on the web or through an operator); the rules of [`crate::seats`]
//! decide, inside one transaction that first takes the event's row (so that two sign-ups never
//! see the same free seats, on SQLite by its single writer, on PostgreSQL by the row lock).

use chrono::{DateTime, Utc};
use db::{Db, WriteTx};
use kernel::{Actor, FieldError};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::{audit_event, line, manager, stored, About, IN_SCOPE};
use crate::seats::{Notice, RequestState};
use crate::PortalError;

pub mod public;
mod signups;
pub use signups::{cancel, edit, notices, register, registrations, Made, RegistrationChange};

/// The most seats an event has.
pub const MAX_SEATS: u32 = 100_000;
/// The most seats one request asks for unless the event says fewer.
pub const MAX_PER_REQUEST: u32 = 10;

#[derive(Debug, Clone, Default)]
pub struct EventDraft {
    pub entity_id: i64,
    pub title: String,
    pub description: String,
    pub place: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub seats: i64,
    pub max_per_request: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub id: i64,
    pub entity_id: i64,
    pub title: String,
    pub description: String,
    pub place: String,
    pub starts_at: String,
    pub seats: i64,
    pub max_per_request: i64,
    /// Sign-ups closed by the flag.
    pub closed: bool,
    /// Seats held by confirmed sign-ups.
    pub confirmed_seats: i64,
    /// Seats still free (what the public page shows).
    pub seats_left: i64,
    /// Sign-ups waiting.
    pub waiting: i64,
    pub created_by: String,
    pub created_at: String,
    pub version: i64,
}

/// `web` (the person on the public page) or `operator` (entered or changed by the entity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Operator,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Operator => "operator",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "web" => Some(Channel::Web),
            "operator" => Some(Channel::Operator),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Channel::Web => "dal sito",
            Channel::Operator => "da operatore",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RegistrationDraft {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub seats: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Registration {
    pub id: i64,
    pub event_id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub seats: i64,
    /// `confirmed`, `waiting` or `cancelled`.
    #[schema(value_type = String)]
    pub state: RequestState,
    pub channel: Channel,
    /// The place in the waiting list (1 = next), while waiting.
    pub position: Option<i64>,
    pub created_at: String,
    pub confirmed_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub version: i64,
}

/// What the administrator was told: seats freed up, fewer than the first waiting sign-up asks.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventNotice {
    pub id: i64,
    pub event_id: i64,
    pub free_seats: i64,
    pub registration_id: i64,
    pub asked: i64,
    pub text: String,
    pub created_at: String,
}

pub(super) const ECOLS: &str =
    "id, entity_id, title, description, place, starts_at, seats, max_per_request, \
    closed, confirmed_seats, waiting, created_by, created_at, version, told_free, \
    told_registration";

pub(super) fn event_row(r: &sqlx::any::AnyRow) -> Result<(Event, Option<Notice>), sqlx::Error> {
    let seats: i64 = r.try_get(6)?;
    let confirmed: i64 = r.try_get(9)?;
    let told_free: Option<i64> = r.try_get(14)?;
    let told_id: Option<i64> = r.try_get(15)?;
    let e = Event {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        title: r.try_get(2)?,
        description: r.try_get(3)?,
        place: r.try_get(4)?,
        starts_at: r.try_get(5)?,
        seats,
        max_per_request: r.try_get(7)?,
        closed: r.try_get::<i64, _>(8)? != 0,
        confirmed_seats: confirmed,
        seats_left: (seats - confirmed).max(0),
        waiting: r.try_get(10)?,
        created_by: r.try_get(11)?,
        created_at: r.try_get(12)?,
        version: r.try_get(13)?,
    };
    // The asked seats are not kept with the standing notice: the comparison is on the free
    // seats and the first waiting sign-up, which is what makes a notice new.
    let told = match (told_free, told_id) {
        (Some(f), Some(id)) => Some((f, id)),
        _ => None,
    };
    Ok((
        e,
        told.map(|(f, id)| Notice {
            free: f as u32,
            id,
            asked: 0,
        }),
    ))
}

pub(super) const RCOLS: &str =
    "id, event_id, name, email, phone, seats, state, channel, created_at, \
    confirmed_at, cancelled_at, version";

pub(super) fn registration_row(r: &sqlx::any::AnyRow) -> Result<Registration, sqlx::Error> {
    let state: String = r.try_get(6)?;
    let channel: String = r.try_get(7)?;
    Ok(Registration {
        id: r.try_get(0)?,
        event_id: r.try_get(1)?,
        name: r.try_get(2)?,
        email: r.try_get(3)?,
        phone: r.try_get(4)?,
        seats: r.try_get(5)?,
        state: RequestState::parse(&state)
            .ok_or_else(|| sqlx::Error::Decode(format!("stato «{state}» sconosciuto").into()))?,
        channel: Channel::parse(&channel)
            .ok_or_else(|| sqlx::Error::Decode(format!("canale «{channel}» sconosciuto").into()))?,
        position: None,
        created_at: r.try_get(8)?,
        confirmed_at: r.try_get(9)?,
        cancelled_at: r.try_get(10)?,
        version: r.try_get(11)?,
    })
}

/// The audit's view of a sign-up: its numbers, never the person.
pub(super) fn registration_audit(r: &Registration) -> serde_json::Value {
    json!({"event_id": r.event_id, "seats": r.seats, "state": r.state.code(),
           "channel": r.channel.code()})
}

pub(super) fn event_audit(e: &Event) -> serde_json::Value {
    json!({"title": e.title, "starts_at": e.starts_at, "place": e.place, "seats": e.seats,
           "max_per_request": e.max_per_request, "closed": e.closed})
}

/// An event's fields, checked.
struct Checked {
    title: String,
    description: String,
    place: String,
    starts_at: DateTime<Utc>,
    seats: i64,
    max: i64,
}

fn check_event(d: &EventDraft) -> Result<Checked, PortalError> {
    let mut wrong = vec![];
    let title = line(
        &mut wrong,
        "title",
        &d.title,
        200,
        "il titolo è obbligatorio",
    );
    let place = d.place.trim().to_owned();
    if place.chars().count() > 200 {
        wrong.push(FieldError::new("place", "al massimo 200 caratteri"));
    }
    let description = d.description.trim().to_owned();
    if description.chars().count() > 8_000 {
        wrong.push(FieldError::new("description", "al massimo 8.000 caratteri"));
    }
    if d.starts_at.is_none() {
        wrong.push(FieldError::new(
            "starts_at",
            "indicare data e ora d'inizio (AAAA-MM-GGTHH:MM:SSZ)",
        ));
    }
    if d.seats < 1 || d.seats > i64::from(MAX_SEATS) {
        wrong.push(FieldError::new("seats", "i posti vanno da 1 a 100.000"));
    }
    let max = d.max_per_request.unwrap_or(i64::from(MAX_PER_REQUEST));
    if !(1..=i64::from(MAX_SEATS)).contains(&max) {
        wrong.push(FieldError::new(
            "max_per_request",
            "i posti per iscrizione vanno da 1 a 100.000",
        ));
    }
    if !wrong.is_empty() {
        return Err(PortalError::Invalid(wrong));
    }
    Ok(Checked {
        title,
        description,
        place,
        starts_at: d.starts_at.unwrap_or_default(),
        seats: d.seats,
        max,
    })
}

/// Publishes an event of an entity (staff for any entity, a contact for their own).
pub async fn create(db: &Db, actor: &Actor, d: &EventDraft) -> Result<Event, PortalError> {
    members::store::get(db, actor, d.entity_id).await?;
    manager(actor)?;
    let Checked {
        title,
        description,
        place,
        starts_at,
        seats,
        max,
    } = check_event(d)?;
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO portal_events (entity_id, title, description, place, starts_at, seats, \
         max_per_request, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id",
    )
    .bind(d.entity_id)
    .bind(&title)
    .bind(&description)
    .bind(&place)
    .bind(stored(starts_at))
    .bind(seats)
    .bind(max)
    .bind(&actor.label)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    let (e, _) = read_event(&mut tx, 0, id).await?;
    audit_event(
        &mut tx,
        actor,
        About {
            action: "create",
            object: "event",
            id,
            entity_id: e.entity_id,
        },
        None,
        Some(event_audit(&e)),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

pub(super) async fn read_event(
    tx: &mut WriteTx,
    scope: i64,
    id: i64,
) -> Result<(Event, Option<Notice>), PortalError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ECOLS} FROM portal_events WHERE id = $2 AND {IN_SCOPE}"
    )))
    .bind(scope)
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(PortalError::EventNotFound)?;
    Ok(event_row(&r)?)
}

/// Takes the event's row for this transaction (the row lock on PostgreSQL; SQLite has one
/// writer) and reads it.
pub(super) async fn take_event(
    tx: &mut WriteTx,
    scope: i64,
    id: i64,
) -> Result<(Event, Option<Notice>), PortalError> {
    // One round trip: the row is taken and read by the same statement.
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE portal_events SET version = version WHERE id = $2 AND {IN_SCOPE} \
         RETURNING {ECOLS}"
    )))
    .bind(scope)
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(PortalError::EventNotFound)?;
    Ok(event_row(&r)?)
}

/// An event the actor may see.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Event, PortalError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ECOLS} FROM portal_events WHERE id = $2 AND {IN_SCOPE}"
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(PortalError::EventNotFound)?;
    manager(actor)?;
    Ok(event_row(&r)?.0)
}

/// An entity's events, from `from` on (all when `None`), soonest first (at most 500).
pub async fn list(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    from: Option<DateTime<Utc>>,
) -> Result<Vec<Event>, PortalError> {
    members::store::get(db, actor, entity_id).await?;
    manager(actor)?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ECOLS} FROM portal_events WHERE entity_id = $1 AND starts_at >= $2 \
         ORDER BY starts_at, id LIMIT 500"
    )))
    .bind(entity_id)
    .bind(from.map(stored).unwrap_or_default())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| event_row(r).map(|(e, _)| e))
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}

/// What may change of an event: its text, its seats, the flag that closes sign-ups.
#[derive(Debug, Clone, Default)]
pub struct EventChange {
    pub title: Option<String>,
    pub description: Option<String>,
    pub place: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub seats: Option<i64>,
    pub max_per_request: Option<i64>,
    pub closed: Option<bool>,
}

/// Changes an event. Seats cannot go under those already confirmed; more seats go to the
/// waiting list at once.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    c: &EventChange,
) -> Result<Event, PortalError> {
    let mut tx = db.write().await?;
    let (before, told) = take_event(&mut tx, actor.scope_param(), id).await?;
    manager(actor)?;
    let draft = EventDraft {
        entity_id: before.entity_id,
        title: c.title.clone().unwrap_or_else(|| before.title.clone()),
        description: c
            .description
            .clone()
            .unwrap_or_else(|| before.description.clone()),
        place: c.place.clone().unwrap_or_else(|| before.place.clone()),
        starts_at: c.starts_at.or_else(|| before.starts_at.parse().ok()),
        seats: c.seats.unwrap_or(before.seats),
        max_per_request: Some(c.max_per_request.unwrap_or(before.max_per_request)),
    };
    let Checked {
        title,
        description,
        place,
        starts_at,
        seats,
        max,
    } = check_event(&draft)?;
    if seats < before.confirmed_seats {
        return Err(PortalError::field(
            "seats",
            format!(
                "i posti già confermati sono {}: annullare prima le iscrizioni di troppo",
                before.confirmed_seats
            ),
        ));
    }
    sqlx::query(
        "UPDATE portal_events SET title = $2, description = $3, place = $4, starts_at = $5, \
         seats = $6, max_per_request = $7, closed = $8, version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(&title)
    .bind(&description)
    .bind(&place)
    .bind(stored(starts_at))
    .bind(seats)
    .bind(max)
    .bind(i64::from(c.closed.unwrap_or(before.closed)))
    .execute(tx.conn())
    .await?;
    if seats > before.seats {
        signups::settle(&mut tx, id, told).await?;
    }
    let (after, _) = read_event(&mut tx, 0, id).await?;
    audit_event(
        &mut tx,
        actor,
        About {
            action: "update",
            object: "event",
            id,
            entity_id: after.entity_id,
        },
        Some(event_audit(&before)),
        Some(event_audit(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
