//! Appointment slots of an entity's offices and the citizens' bookings. A booking takes a place
//! with one conditional update (`booked < places`): never more bookings than places, whatever
//! the number of people booking at the same moment, on either database.

use chrono::{DateTime, Utc};
use db::Db;
use kernel::{Actor, FieldError};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::{audit_event, line, manager, secret, stored, About, IN_SCOPE};
use crate::{notify, PortalError};

#[derive(Debug, Clone, Default)]
pub struct SlotDraft {
    pub entity_id: i64,
    pub office: String,
    pub starts_at: Option<DateTime<Utc>>,
    pub minutes: i64,
    pub places: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AppointmentSlot {
    pub id: i64,
    pub entity_id: i64,
    pub office: String,
    pub starts_at: String,
    pub minutes: i64,
    pub places: i64,
    pub booked: i64,
    /// Places still free.
    pub free: i64,
}

#[derive(Debug, Clone, Default)]
pub struct BookingDraft {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Booking {
    pub id: i64,
    pub slot_id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub reason: String,
    /// `booked` or `cancelled`.
    pub state: String,
    pub created_at: String,
}

pub mod public;
pub mod weekly;
pub use weekly::{publish_weekly, WeeklyDraft};

const SCOLS: &str = "s.id, s.entity_id, o.name, s.starts_at, s.minutes, s.places, s.booked";

fn slot_row(r: &sqlx::any::AnyRow) -> Result<AppointmentSlot, sqlx::Error> {
    let places: i64 = r.try_get(5)?;
    let booked: i64 = r.try_get(6)?;
    Ok(AppointmentSlot {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        office: r.try_get(2)?,
        starts_at: r.try_get(3)?,
        minutes: r.try_get(4)?,
        places,
        booked,
        free: (places - booked).max(0),
    })
}

/// Publishes one slot of an office (made on first use of its name).
pub async fn create(db: &Db, actor: &Actor, d: &SlotDraft) -> Result<AppointmentSlot, PortalError> {
    members::store::get(db, actor, d.entity_id).await?;
    manager(actor)?;
    let mut wrong = vec![];
    let office = line(&mut wrong, "office", &d.office, 100, "indicare l'ufficio");
    if d.starts_at.is_none() {
        wrong.push(FieldError::new(
            "starts_at",
            "indicare data e ora d'inizio (AAAA-MM-GGTHH:MM:SSZ)",
        ));
    }
    if !(5..=480).contains(&d.minutes) {
        wrong.push(FieldError::new("minutes", "la durata va da 5 a 480 minuti"));
    }
    if !(1..=500).contains(&d.places) {
        wrong.push(FieldError::new("places", "i posti vanno da 1 a 500"));
    }
    if !wrong.is_empty() {
        return Err(PortalError::Invalid(wrong));
    }
    let starts = stored(d.starts_at.unwrap_or_default());
    let mut tx = db.write().await?;
    sqlx::query(
        "INSERT INTO portal_offices (entity_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(d.entity_id)
    .bind(&office)
    .execute(tx.conn())
    .await?;
    let office_id: i64 =
        sqlx::query_scalar("SELECT id FROM portal_offices WHERE entity_id = $1 AND name = $2")
            .bind(d.entity_id)
            .bind(&office)
            .fetch_one(tx.conn())
            .await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO appointment_slots (entity_id, office_id, starts_at, minutes, places, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(d.entity_id)
    .bind(office_id)
    .bind(&starts)
    .bind(d.minutes)
    .bind(d.places)
    .bind(kernel::time::now())
    .fetch_optional(tx.conn())
    .await?;
    let Some(id) = id else {
        return Err(PortalError::Closed(format!(
            "l'ufficio «{office}» ha già una fascia che inizia a quell'ora"
        )));
    };
    let s = read(tx.conn(), 0, id).await?;
    audit_event(
        &mut tx,
        actor,
        About {
            action: "create",
            object: "appointment_slot",
            id,
            entity_id: d.entity_id,
        },
        None,
        Some(
            json!({"office": s.office, "starts_at": s.starts_at, "minutes": s.minutes,
                    "places": s.places}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

async fn read(
    conn: &mut sqlx::AnyConnection,
    scope: i64,
    id: i64,
) -> Result<AppointmentSlot, PortalError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SCOLS} FROM appointment_slots s JOIN portal_offices o ON o.id = s.office_id \
         WHERE s.id = $2 AND {}",
        db::entities_in_scope!("s.entity_id", "$1")
    )))
    .bind(scope)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(PortalError::SlotNotFound)?;
    Ok(slot_row(&r)?)
}

/// A slot the actor may see.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<AppointmentSlot, PortalError> {
    let mut conn = db.pool().acquire().await?;
    let s = read(&mut conn, actor.scope_param(), id).await?;
    manager(actor)?;
    Ok(s)
}

/// Books a place in a slot; refused when the slot is full or already begun.
pub async fn book(
    db: &Db,
    actor: &Actor,
    slot_id: i64,
    d: &BookingDraft,
    now: DateTime<Utc>,
) -> Result<(Booking, String), PortalError> {
    book_in(db, actor, actor.scope_param(), slot_id, d, now).await
}

pub(crate) async fn book_in(
    db: &Db,
    actor: &Actor,
    scope: i64,
    slot_id: i64,
    d: &BookingDraft,
    now: DateTime<Utc>,
) -> Result<(Booking, String), PortalError> {
    let mut tx = db.write().await?;
    let slot = read(tx.conn(), scope, slot_id).await?;
    manager(actor)?;
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
    if d.reason.chars().count() > 1_000 {
        wrong.push(FieldError::new("reason", "al massimo 1.000 caratteri"));
    }
    if !wrong.is_empty() {
        return Err(PortalError::Invalid(wrong));
    }
    if slot.starts_at.as_str() <= stored(now).as_str() {
        return Err(PortalError::Closed(
            "la fascia oraria è già iniziata: sceglierne un'altra".into(),
        ));
    }
    let taken = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE appointment_slots SET booked = booked + 1 WHERE id = $2 AND booked < places \
         AND {IN_SCOPE}"
    )))
    .bind(scope)
    .bind(slot_id)
    .execute(tx.conn())
    .await?;
    if taken.rows_affected() == 0 {
        return Err(PortalError::SlotFull);
    }
    let (cancel_secret, cancel_hash) = secret();
    let created = kernel::time::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO appointment_bookings (slot_id, name, email, phone, reason, state, \
         cancel_hash, created_at) VALUES ($1, $2, $3, $4, $5, 'booked', $6, $7) RETURNING id",
    )
    .bind(slot_id)
    .bind(&name)
    .bind(&email)
    .bind(d.phone.trim())
    .bind(d.reason.trim())
    .bind(&cancel_hash)
    .bind(&created)
    .fetch_one(tx.conn())
    .await?;
    let booking = Booking {
        id,
        slot_id,
        name: name.clone(),
        email: email.clone(),
        phone: d.phone.trim().to_owned(),
        reason: d.reason.trim().to_owned(),
        state: "booked".into(),
        created_at: created.clone(),
    };
    notify::booking(
        &mut tx,
        &slot,
        &booking,
        notify::BookingMail::Confirmed(&cancel_secret),
    )
    .await?;
    audit_event(
        &mut tx,
        actor,
        About {
            action: "book",
            object: "appointment_booking",
            id,
            entity_id: slot.entity_id,
        },
        None,
        Some(json!({"slot_id": slot_id, "office": slot.office, "starts_at": slot.starts_at})),
    )
    .await?;
    tx.commit().await?;
    Ok((booking, cancel_secret))
}

/// The bookings of a slot (the entity's staff and contacts).
pub async fn bookings(db: &Db, actor: &Actor, slot_id: i64) -> Result<Vec<Booking>, PortalError> {
    let s = get(db, actor, slot_id).await?;
    let rows = sqlx::query(
        "SELECT id, slot_id, name, email, phone, reason, state, created_at \
         FROM appointment_bookings WHERE slot_id = $1 ORDER BY id",
    )
    .bind(s.id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Booking {
                id: r.try_get(0)?,
                slot_id: r.try_get(1)?,
                name: r.try_get(2)?,
                email: r.try_get(3)?,
                phone: r.try_get(4)?,
                reason: r.try_get(5)?,
                state: r.try_get(6)?,
                created_at: r.try_get(7)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

fn booking_row(r: &sqlx::any::AnyRow) -> Result<Booking, sqlx::Error> {
    Ok(Booking {
        id: r.try_get(0)?,
        slot_id: r.try_get(1)?,
        name: r.try_get(2)?,
        email: r.try_get(3)?,
        phone: r.try_get(4)?,
        reason: r.try_get(5)?,
        state: r.try_get(6)?,
        created_at: r.try_get(7)?,
    })
}

/// A booking and its slot, both of an entity the actor may see.
pub async fn booking_of(
    db: &Db,
    actor: &Actor,
    booking_id: i64,
) -> Result<(AppointmentSlot, Booking), PortalError> {
    let r = sqlx::query(
        "SELECT id, slot_id, name, email, phone, reason, state, created_at \
         FROM appointment_bookings WHERE id = $1",
    )
    .bind(booking_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(PortalError::BookingNotFound)?;
    let b = booking_row(&r)?;
    let s = get(db, actor, b.slot_id)
        .await
        .map_err(|_| PortalError::BookingNotFound)?;
    Ok((s, b))
}

/// Cancels a booking (the entity's staff or contact): the place is free again and the person
/// is told. Cancelling twice is refused.
pub async fn cancel(db: &Db, actor: &Actor, booking_id: i64) -> Result<Booking, PortalError> {
    let r = sqlx::query(
        "SELECT id, slot_id, name, email, phone, reason, state, created_at \
         FROM appointment_bookings WHERE id = $1",
    )
    .bind(booking_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(PortalError::BookingNotFound)?;
    let b = booking_row(&r)?;
    let s = get(db, actor, b.slot_id)
        .await
        .map_err(|_| PortalError::BookingNotFound)?;
    cancel_in(db, actor, &s, &b).await
}

async fn cancel_in(
    db: &Db,
    actor: &Actor,
    s: &AppointmentSlot,
    b: &Booking,
) -> Result<Booking, PortalError> {
    let mut tx = db.write().await?;
    let done = sqlx::query(
        "UPDATE appointment_bookings SET state = 'cancelled', cancelled_at = $2 \
         WHERE id = $1 AND state = 'booked'",
    )
    .bind(b.id)
    .bind(kernel::time::now())
    .execute(tx.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(PortalError::Closed(
            "la prenotazione è già annullata".into(),
        ));
    }
    sqlx::query("UPDATE appointment_slots SET booked = booked - 1 WHERE id = $1 AND booked > 0")
        .bind(s.id)
        .execute(tx.conn())
        .await?;
    let after = Booking {
        state: "cancelled".into(),
        ..b.clone()
    };
    notify::booking(&mut tx, s, &after, notify::BookingMail::Cancelled).await?;
    audit_event(
        &mut tx,
        actor,
        About {
            action: "cancel",
            object: "appointment_booking",
            id: b.id,
            entity_id: s.entity_id,
        },
        Some(json!({"slot_id": s.id, "state": "booked"})),
        Some(json!({"slot_id": s.id, "office": s.office, "starts_at": s.starts_at, "state": "cancelled"})),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The slots of an entity's offices from `from` to `to` with their bookings (every state), by
/// office then time: the office's day, to read or print (no scope check: the callers check it).
pub async fn with_bookings(
    db: &Db,
    entity_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(AppointmentSlot, Vec<Booking>)>, PortalError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SCOLS} FROM appointment_slots s JOIN portal_offices o ON o.id = s.office_id \
         WHERE s.entity_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3 \
         ORDER BY o.name, s.starts_at LIMIT 2000"
    )))
    .bind(entity_id)
    .bind(stored(from))
    .bind(stored(to))
    .fetch_all(db.pool())
    .await?;
    let slots: Vec<AppointmentSlot> = rows.iter().map(slot_row).collect::<Result<_, _>>()?;
    let rows = sqlx::query(
        "SELECT b.id, b.slot_id, b.name, b.email, b.phone, b.reason, b.state, b.created_at \
         FROM appointment_bookings b JOIN appointment_slots s ON s.id = b.slot_id \
         WHERE s.entity_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3 ORDER BY b.id",
    )
    .bind(entity_id)
    .bind(stored(from))
    .bind(stored(to))
    .fetch_all(db.pool())
    .await?;
    let bookings: Vec<Booking> = rows.iter().map(booking_row).collect::<Result<_, _>>()?;
    Ok(slots
        .into_iter()
        .map(|s| {
            let mine = bookings
                .iter()
                .filter(|b| b.slot_id == s.id)
                .cloned()
                .collect();
            (s, mine)
        })
        .collect())
}
