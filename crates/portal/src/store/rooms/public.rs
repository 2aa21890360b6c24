//! Rooms on the entity's public pages, without an account: the rooms, the hours already held
//! on a day, a request (marked as made on the web, audited as made by the public portal), and
//! the request's own page through the code of its link: read it, cancel it.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use db::Db;
use sqlx::Row;

use super::{booking_row, decide, request_in, Room, RoomBooking, RoomBookingDraft, BOOKING_COLS};
use crate::store::events::public::citizen;
use crate::store::{hash_secret, stored};
use crate::PortalError;

/// One room of the entity.
pub async fn room(db: &Db, entity_id: i64, id: i64) -> Result<Room, PortalError> {
    let mut conn = db.pool().acquire().await?;
    let r = super::read_room(&mut conn, 0, id).await?;
    if r.entity_id != entity_id {
        return Err(PortalError::RoomNotFound);
    }
    Ok(r)
}

/// The start (UTC) of the day `day` in Rome and of the next one.
pub fn day_bounds(day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = |d: NaiveDate| {
        kernel::time::ROME
            .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    Some((start(day)?, start(day.succ_opt()?)?))
}

/// The hours (their start, UTC) of a room held on `day` (Rome) by a request or a booking.
pub async fn held_on(db: &Db, room_id: i64, day: NaiveDate) -> Result<Vec<String>, PortalError> {
    let Some((from, to)) = day_bounds(day) else {
        return Ok(vec![]);
    };
    Ok(sqlx::query_scalar(
        "SELECT hour_at FROM room_hours WHERE room_id = $1 AND hour_at >= $2 AND hour_at < $3 \
         ORDER BY hour_at",
    )
    .bind(room_id)
    .bind(stored(from))
    .bind(stored(to))
    .fetch_all(db.pool())
    .await?)
}

/// A citizen asks for a room of the entity.
pub async fn request(
    db: &Db,
    entity_id: i64,
    room_id: i64,
    d: &RoomBookingDraft,
    now: DateTime<Utc>,
) -> Result<(RoomBooking, String), PortalError> {
    room(db, entity_id, room_id).await?;
    request_in(db, &citizen(), 0, room_id, d, now, true).await
}

/// A request of the entity read with the code of its link (a wrong code: not found).
pub async fn by_code(
    db: &Db,
    entity_id: i64,
    booking_id: i64,
    code: &str,
) -> Result<(Room, RoomBooking), PortalError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BOOKING_COLS}, cancel_hash FROM room_bookings WHERE id = $1 AND entity_id = $2"
    )))
    .bind(booking_id)
    .bind(entity_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(PortalError::RoomBookingNotFound)?;
    let hash: String = r.try_get(14)?;
    if hash != hash_secret(code.trim()) {
        return Err(PortalError::RoomBookingNotFound);
    }
    let b = booking_row(&r)?;
    let room = room(db, entity_id, b.room_id)
        .await
        .map_err(|_| PortalError::RoomBookingNotFound)?;
    Ok((room, b))
}

/// The citizen cancels their request or booking through their link: the hours are free again.
pub async fn cancel_by_code(
    db: &Db,
    entity_id: i64,
    booking_id: i64,
    code: &str,
) -> Result<RoomBooking, PortalError> {
    let (room, b) = by_code(db, entity_id, booking_id, code).await?;
    decide::step(
        db,
        &citizen(),
        &room,
        &b,
        &["requested", "approved"],
        "cancelled",
        "",
    )
    .await
}
