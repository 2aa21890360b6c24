//! Rooms of an entity (council hall, gym) booked by the hour. Each hour a request holds is a row
//! of `room_hours` whose primary key is the room and the hour: a second booking of the same hour
//! fails inside its own transaction, whatever the number of people booking at the same moment,
//! on either database. A request that waits for the staff's approval holds its hours too, so
//! nobody is told "free" for an hour someone else asked first.

use chrono::{DateTime, NaiveDate, Utc};
use db::Db;
use kernel::{Actor, FieldError};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::{audit_event, line, manager, secret, stored, About, IN_SCOPE};
use crate::rooms::hours_of;
use crate::{notify, PortalError};

pub mod decide;
pub mod public;
pub use decide::{approve, cancel, reject};

/// How far ahead a room can be booked.
pub const MAX_DAYS_AHEAD: i64 = 400;

#[derive(Debug, Clone, Default)]
pub struct RoomDraft {
    pub entity_id: i64,
    pub name: String,
    pub description: String,
    pub capacity: i64,
    pub needs_approval: bool,
    pub opens_hour: i64,
    pub closes_hour: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Room {
    pub id: i64,
    pub entity_id: i64,
    pub name: String,
    pub description: String,
    /// People it holds (0: not said).
    pub capacity: i64,
    /// A citizen's request waits for the staff's approval.
    pub needs_approval: bool,
    /// First hour it can be booked (Rome), 0–23.
    pub opens_hour: i64,
    /// Hour it closes (Rome), 1–24.
    pub closes_hour: i64,
}

#[derive(Debug, Clone, Default)]
pub struct RoomBookingDraft {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub organisation: String,
    pub purpose: String,
    /// The day, in Rome.
    pub day: Option<NaiveDate>,
    /// First hour (Rome).
    pub from: u32,
    /// Hour it ends (Rome), up to 24.
    pub to: u32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoomBooking {
    pub id: i64,
    pub room_id: i64,
    pub entity_id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    /// The association or group, if any.
    pub organisation: String,
    pub purpose: String,
    pub starts_at: String,
    pub ends_at: String,
    /// `requested` (waits for approval), `approved`, `rejected` or `cancelled`.
    pub state: String,
    /// `web` or `operator`.
    pub channel: String,
    /// Why it was rejected or cancelled by the staff, if they said.
    pub decision_note: String,
    pub created_at: String,
}

const ROOM_COLS: &str =
    "id, entity_id, name, description, capacity, needs_approval, opens_hour, closes_hour";
pub(crate) const BOOKING_COLS: &str = "id, room_id, entity_id, name, email, phone, organisation, \
     purpose, starts_at, ends_at, state, channel, decision_note, created_at";

fn room_row(r: &sqlx::any::AnyRow) -> Result<Room, sqlx::Error> {
    Ok(Room {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        name: r.try_get(2)?,
        description: r.try_get(3)?,
        capacity: r.try_get(4)?,
        needs_approval: r.try_get::<i64, _>(5)? != 0,
        opens_hour: r.try_get(6)?,
        closes_hour: r.try_get(7)?,
    })
}

pub(crate) fn booking_row(r: &sqlx::any::AnyRow) -> Result<RoomBooking, sqlx::Error> {
    Ok(RoomBooking {
        id: r.try_get(0)?,
        room_id: r.try_get(1)?,
        entity_id: r.try_get(2)?,
        name: r.try_get(3)?,
        email: r.try_get(4)?,
        phone: r.try_get(5)?,
        organisation: r.try_get(6)?,
        purpose: r.try_get(7)?,
        starts_at: r.try_get(8)?,
        ends_at: r.try_get(9)?,
        state: r.try_get(10)?,
        channel: r.try_get(11)?,
        decision_note: r.try_get(12)?,
        created_at: r.try_get(13)?,
    })
}

/// Adds a room to an entity.
pub async fn create(db: &Db, actor: &Actor, d: &RoomDraft) -> Result<Room, PortalError> {
    members::store::get(db, actor, d.entity_id).await?;
    manager(actor)?;
    let mut wrong = vec![];
    let name = line(
        &mut wrong,
        "name",
        &d.name,
        120,
        "indicare il nome della sala",
    );
    if d.description.chars().count() > 2_000 {
        wrong.push(FieldError::new("description", "al massimo 2.000 caratteri"));
    }
    if !(0..=10_000).contains(&d.capacity) {
        wrong.push(FieldError::new(
            "capacity",
            "i posti della sala vanno da 0 (non indicati) a 10.000",
        ));
    }
    if !(0..=23).contains(&d.opens_hour) {
        wrong.push(FieldError::new(
            "opens_at",
            "l'apertura è un'ora intera da 00:00 a 23:00",
        ));
    }
    if !(1..=24).contains(&d.closes_hour) || d.closes_hour <= d.opens_hour {
        wrong.push(FieldError::new(
            "closes_at",
            "la chiusura è un'ora intera dopo l'apertura, al più tardi 24:00",
        ));
    }
    if !wrong.is_empty() {
        return Err(PortalError::Invalid(wrong));
    }
    let mut tx = db.write().await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO portal_rooms (entity_id, name, description, capacity, needs_approval, \
         opens_hour, closes_hour, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(d.entity_id)
    .bind(&name)
    .bind(d.description.trim())
    .bind(d.capacity)
    .bind(i64::from(d.needs_approval))
    .bind(d.opens_hour)
    .bind(d.closes_hour)
    .bind(kernel::time::now())
    .fetch_optional(tx.conn())
    .await?;
    let Some(id) = id else {
        return Err(PortalError::field(
            "name",
            format!("l'ente ha già una sala chiamata «{name}»"),
        ));
    };
    let room = read_room(tx.conn(), 0, id).await?;
    audit_event(
        &mut tx,
        actor,
        About {
            action: "create",
            object: "room",
            id,
            entity_id: d.entity_id,
        },
        None,
        Some(json!({"name": room.name, "capacity": room.capacity,
                    "needs_approval": room.needs_approval, "opens_hour": room.opens_hour,
                    "closes_hour": room.closes_hour})),
    )
    .await?;
    tx.commit().await?;
    Ok(room)
}

pub(crate) async fn read_room(
    conn: &mut sqlx::AnyConnection,
    scope: i64,
    id: i64,
) -> Result<Room, PortalError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ROOM_COLS} FROM portal_rooms WHERE id = $2 AND {IN_SCOPE}"
    )))
    .bind(scope)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(PortalError::RoomNotFound)?;
    Ok(room_row(&r)?)
}

/// A room the actor may see.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Room, PortalError> {
    let mut conn = db.pool().acquire().await?;
    let r = read_room(&mut conn, actor.scope_param(), id).await?;
    manager(actor)?;
    Ok(r)
}

/// The rooms of an entity, by name (no scope check: the callers check it).
pub async fn of_entity(db: &Db, entity_id: i64) -> Result<Vec<Room>, PortalError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ROOM_COLS} FROM portal_rooms WHERE entity_id = $1 ORDER BY name, id"
    )))
    .bind(entity_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(room_row)
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}

/// The rooms of an entity the actor may see.
pub async fn list(db: &Db, actor: &Actor, entity_id: i64) -> Result<Vec<Room>, PortalError> {
    members::store::get(db, actor, entity_id).await?;
    manager(actor)?;
    of_entity(db, entity_id).await
}

/// Books a room for an entity's staff or contact: confirmed at once, marked as by operator.
pub async fn book(
    db: &Db,
    actor: &Actor,
    room_id: i64,
    d: &RoomBookingDraft,
    now: DateTime<Utc>,
) -> Result<(RoomBooking, String), PortalError> {
    request_in(db, actor, actor.scope_param(), room_id, d, now, false).await
}

/// The request itself: checks, holds every hour (all or none: a taken hour is a 409), stores
/// the booking — approved, or requested when a citizen asks for a room that needs approval —,
/// tells the person and, for a request, the entity's administrator.
pub(crate) async fn request_in(
    db: &Db,
    actor: &Actor,
    scope: i64,
    room_id: i64,
    d: &RoomBookingDraft,
    now: DateTime<Utc>,
    web: bool,
) -> Result<(RoomBooking, String), PortalError> {
    let mut wrong = vec![];
    let name = line(&mut wrong, "name", &d.name, 200, "il nome è obbligatorio");
    let email = d.email.trim().to_lowercase();
    if !mail::is_address(&email) {
        wrong.push(FieldError::new(
            "email",
            "indicare un indirizzo e-mail valido (nome@dominio.it)",
        ));
    }
    if d.phone.chars().count() > 30 {
        wrong.push(FieldError::new("phone", "al massimo 30 caratteri"));
    }
    if d.organisation.chars().count() > 200 {
        wrong.push(FieldError::new("organisation", "al massimo 200 caratteri"));
    }
    let purpose = line(
        &mut wrong,
        "purpose",
        &d.purpose,
        1_000,
        "indicare per che cosa serve la sala",
    );
    let mut tx = db.write().await?;
    let room = read_room(tx.conn(), scope, room_id).await?;
    manager(actor)?;
    let hours = match d.day {
        None => {
            wrong.push(FieldError::new("starts_at", "indicare il giorno"));
            vec![]
        }
        Some(day) => {
            let to_u32 = |v: i64| u32::try_from(v).unwrap_or_default();
            match hours_of(
                day,
                d.from,
                d.to,
                to_u32(room.opens_hour),
                to_u32(room.closes_hour),
            ) {
                Ok(h) => h,
                Err(e) => {
                    wrong.push(FieldError::new("hours", e.to_string()));
                    vec![]
                }
            }
        }
    };
    if !wrong.is_empty() {
        return Err(PortalError::Invalid(wrong));
    }
    let (Some(first), Some(last)) = (hours.first(), hours.last()) else {
        return Err(PortalError::field("hours", "indicare almeno un'ora"));
    };
    if *first <= now {
        return Err(PortalError::Closed(
            "l'orario scelto è già passato: sceglierne uno futuro".into(),
        ));
    }
    if *first > now + chrono::Duration::days(MAX_DAYS_AHEAD) {
        return Err(PortalError::field(
            "starts_at",
            format!("si prenota al massimo {MAX_DAYS_AHEAD} giorni prima"),
        ));
    }
    let end = *last + chrono::Duration::hours(1);
    let state = if web && room.needs_approval {
        "requested"
    } else {
        "approved"
    };
    let channel = if web { "web" } else { "operator" };
    let (cancel_secret, cancel_hash) = secret();
    let created = kernel::time::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO room_bookings (room_id, entity_id, name, email, phone, organisation, \
         purpose, starts_at, ends_at, state, channel, cancel_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(room.id)
    .bind(room.entity_id)
    .bind(&name)
    .bind(&email)
    .bind(d.phone.trim())
    .bind(d.organisation.trim())
    .bind(&purpose)
    .bind(stored(*first))
    .bind(stored(end))
    .bind(state)
    .bind(channel)
    .bind(&cancel_hash)
    .bind(&created)
    .fetch_one(tx.conn())
    .await?;
    for h in &hours {
        // The primary key (room, hour) refuses an hour already held; the transaction is then
        // dropped and nothing of this request stays.
        let held = sqlx::query(
            "INSERT INTO room_hours (room_id, hour_at, booking_id) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(room.id)
        .bind(stored(*h))
        .bind(id)
        .execute(tx.conn())
        .await?;
        if held.rows_affected() == 0 {
            return Err(PortalError::RoomTaken);
        }
    }
    let booking = RoomBooking {
        id,
        room_id: room.id,
        entity_id: room.entity_id,
        name,
        email,
        phone: d.phone.trim().to_owned(),
        organisation: d.organisation.trim().to_owned(),
        purpose,
        starts_at: stored(*first),
        ends_at: stored(end),
        state: state.into(),
        channel: channel.into(),
        decision_note: String::new(),
        created_at: created,
    };
    let mail = if state == "requested" {
        notify::rooms::Mail::Requested(&cancel_secret)
    } else {
        notify::rooms::Mail::Confirmed(&cancel_secret)
    };
    notify::rooms::person(&mut tx, &room, &booking, mail).await?;
    if state == "requested" {
        notify::rooms::administrator(&mut tx, &room, &booking).await?;
    }
    audit_event(
        &mut tx,
        actor,
        About {
            action: if state == "requested" {
                "request"
            } else {
                "book"
            },
            object: "room_booking",
            id,
            entity_id: room.entity_id,
        },
        None,
        Some(
            json!({"room_id": room.id, "room": room.name, "starts_at": booking.starts_at,
                    "ends_at": booking.ends_at, "state": state, "channel": channel}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((booking, cancel_secret))
}

/// The bookings of a room from `from` to `to` (every state), by time.
pub async fn bookings(
    db: &Db,
    actor: &Actor,
    room_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<RoomBooking>, PortalError> {
    let room = get(db, actor, room_id).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BOOKING_COLS} FROM room_bookings WHERE room_id = $1 AND ends_at > $2 \
         AND starts_at < $3 ORDER BY starts_at, id LIMIT 2000"
    )))
    .bind(room.id)
    .bind(stored(from))
    .bind(stored(to))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(booking_row)
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}

/// The requests of an entity still waiting for a decision, oldest first (no scope check).
pub async fn waiting(db: &Db, entity_id: i64) -> Result<Vec<RoomBooking>, PortalError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BOOKING_COLS} FROM room_bookings WHERE entity_id = $1 AND state = 'requested' \
         ORDER BY starts_at, id LIMIT 500"
    )))
    .bind(entity_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(booking_row)
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}

/// The bookings (requested or approved) of an entity's rooms from `from` to `to` (no scope
/// check).
pub async fn held_between(
    db: &Db,
    entity_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<RoomBooking>, PortalError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BOOKING_COLS} FROM room_bookings WHERE entity_id = $1 \
         AND state IN ('requested', 'approved') AND ends_at > $2 AND starts_at < $3 \
         ORDER BY starts_at, id LIMIT 2000"
    )))
    .bind(entity_id)
    .bind(stored(from))
    .bind(stored(to))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(booking_row)
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}
