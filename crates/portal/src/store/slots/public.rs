//! Appointments on the entity's public pages, without an account: the slots still free, a
//! booking (audited as made by the public portal), and the booking's own page through the code
//! of its link: read, cancel, add to one's calendar.

use chrono::{DateTime, TimeZone, Utc};
use db::Db;
use sqlx::Row;

use super::{book_in, read, AppointmentSlot, Booking, BookingDraft, SCOLS};
use crate::store::events::public::citizen;
use crate::store::{hash_secret, stored};
use crate::{notify, PortalError};

/// The entity's slots with a free place from `now` to `until`, by office then time (at most
/// 2,000).
pub async fn open_slots(
    db: &Db,
    entity_id: i64,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<AppointmentSlot>, PortalError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SCOLS} FROM appointment_slots s JOIN portal_offices o ON o.id = s.office_id \
         WHERE s.entity_id = $1 AND s.starts_at > $2 AND s.starts_at < $3 AND s.booked < s.places \
         ORDER BY o.name, s.starts_at LIMIT 2000"
    )))
    .bind(entity_id)
    .bind(stored(now))
    .bind(stored(until))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(super::slot_row)
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}

/// One slot of the entity.
pub async fn slot(db: &Db, entity_id: i64, id: i64) -> Result<AppointmentSlot, PortalError> {
    let mut conn = db.pool().acquire().await?;
    let s = read(&mut conn, 0, id).await?;
    if s.entity_id != entity_id {
        return Err(PortalError::SlotNotFound);
    }
    Ok(s)
}

/// A citizen books a place in a slot of the entity.
pub async fn book(
    db: &Db,
    entity_id: i64,
    slot_id: i64,
    d: &BookingDraft,
    now: DateTime<Utc>,
) -> Result<(Booking, String), PortalError> {
    slot(db, entity_id, slot_id).await?;
    book_in(db, &citizen(), 0, slot_id, d, now).await
}

/// A booking of the entity read with the code of its link (a wrong code: not found).
pub async fn by_code(
    db: &Db,
    entity_id: i64,
    booking_id: i64,
    code: &str,
) -> Result<(AppointmentSlot, Booking), PortalError> {
    let r = sqlx::query(
        "SELECT id, slot_id, name, email, phone, reason, state, created_at, cancel_hash \
         FROM appointment_bookings WHERE id = $1",
    )
    .bind(booking_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(PortalError::BookingNotFound)?;
    let hash: String = r.try_get(8)?;
    if hash != hash_secret(code.trim()) {
        return Err(PortalError::BookingNotFound);
    }
    let b = super::booking_row(&r)?;
    let s = slot(db, entity_id, b.slot_id)
        .await
        .map_err(|_| PortalError::BookingNotFound)?;
    Ok((s, b))
}

/// The citizen cancels their booking through their link: the place is free again.
pub async fn cancel_by_code(
    db: &Db,
    entity_id: i64,
    booking_id: i64,
    code: &str,
) -> Result<Booking, PortalError> {
    let (s, b) = by_code(db, entity_id, booking_id, code).await?;
    super::cancel_in(db, &citizen(), &s, &b).await
}

/// The booking as an iCalendar event (RFC 5545), for the person's calendar.
pub fn ics(entity: &str, s: &AppointmentSlot, b: &Booking) -> String {
    let at = |t: DateTime<Utc>| t.format("%Y%m%dT%H%M%SZ").to_string();
    let start: DateTime<Utc> = s.starts_at.parse().unwrap_or_default();
    let end = start + chrono::Duration::minutes(s.minutes);
    let text = |v: &str| {
        v.replace('\\', "\\\\")
            .replace(';', "\\;")
            .replace(',', "\\,")
            .replace('\n', "\\n")
    };
    let stamp: DateTime<Utc> = b.created_at.parse().unwrap_or(start);
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//cst//portale//IT\r\nMETHOD:PUBLISH\r\n\
         BEGIN:VEVENT\r\nUID:booking-{}@cst\r\nDTSTAMP:{}\r\nDTSTART:{}\r\nDTEND:{}\r\n\
         SUMMARY:{}\r\nLOCATION:{}\r\nDESCRIPTION:{}\r\nSTATUS:{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        b.id,
        at(stamp),
        at(start),
        at(end),
        text(&format!("Appuntamento: {}", s.office)),
        text(entity),
        text(&b.reason),
        if b.state == "cancelled" {
            "CANCELLED"
        } else {
            "CONFIRMED"
        }
    )
}

/// Queues tomorrow's reminders (Rome): each booking still held in a slot of tomorrow, once.
/// Returns how many.
pub async fn remind(db: &Db, now: DateTime<Utc>) -> Result<u64, PortalError> {
    let today = crate::store::rome_date(now);
    let tomorrow = today + chrono::Days::new(1);
    let from = kernel::time::ROME
        .from_local_datetime(&tomorrow.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now);
    let to = from + chrono::Duration::hours(24);
    let due: Vec<i64> = sqlx::query_scalar(
        "SELECT b.id FROM appointment_bookings b JOIN appointment_slots s ON s.id = b.slot_id \
         WHERE b.state = 'booked' AND b.reminded_at IS NULL AND s.starts_at >= $1 \
         AND s.starts_at < $2 ORDER BY b.id LIMIT 5000",
    )
    .bind(stored(from))
    .bind(stored(to))
    .fetch_all(db.pool())
    .await?;
    let mut sent = 0;
    for id in due {
        let mut tx = db.write().await?;
        // Marked in the transaction that queues it: another process finds it marked.
        let marked = sqlx::query(
            "UPDATE appointment_bookings SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL",
        )
        .bind(id)
        .bind(kernel::time::now())
        .execute(tx.conn())
        .await?;
        if marked.rows_affected() == 0 {
            continue;
        }
        let r = sqlx::query(
            "SELECT id, slot_id, name, email, phone, reason, state, created_at \
             FROM appointment_bookings WHERE id = $1",
        )
        .bind(id)
        .fetch_one(tx.conn())
        .await?;
        let b = super::booking_row(&r)?;
        let s = read(tx.conn(), 0, b.slot_id).await?;
        notify::booking(&mut tx, &s, &b, notify::BookingMail::Reminder).await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}
