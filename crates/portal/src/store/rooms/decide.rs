//! What happens to a room's booking after it is made: the staff (or the entity's contact)
//! approve or reject a request, anyone responsible cancels; a rejected or cancelled booking
//! frees its hours in the same transaction. Each step is refused when the booking is no longer
//! in a state that allows it (two people deciding at once: one wins, the other is told).

use db::Db;
use kernel::Actor;
use serde_json::json;

use super::{booking_row, read_room, Room, RoomBooking, BOOKING_COLS};
use crate::store::{audit_event, manager, About};
use crate::{notify, PortalError};

/// A booking of a room the actor may see.
pub async fn read(
    db: &Db,
    scope: i64,
    booking_id: i64,
) -> Result<(Room, RoomBooking), PortalError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {BOOKING_COLS} FROM room_bookings WHERE id = $1"
    )))
    .bind(booking_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(PortalError::RoomBookingNotFound)?;
    let b = booking_row(&r)?;
    let mut conn = db.pool().acquire().await?;
    let room = read_room(&mut conn, scope, b.room_id)
        .await
        .map_err(|_| PortalError::RoomBookingNotFound)?;
    Ok((room, b))
}

/// Moves a booking from one of `from` to `to`, freeing its hours when `to` holds none; tells
/// the person.
pub(crate) async fn step(
    db: &Db,
    actor: &Actor,
    room: &Room,
    b: &RoomBooking,
    from: &[&str],
    to: &str,
    note: &str,
) -> Result<RoomBooking, PortalError> {
    if note.chars().count() > 1_000 {
        return Err(PortalError::field("note", "al massimo 1.000 caratteri"));
    }
    let mut tx = db.write().await?;
    let allowed = from
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE room_bookings SET state = $2, decision_note = $3, decided_by = $4, \
         decided_at = $5 WHERE id = $1 AND state IN ({allowed})"
    )))
    .bind(b.id)
    .bind(to)
    .bind(note.trim())
    .bind(&actor.label)
    .bind(kernel::time::now())
    .execute(tx.conn())
    .await?;
    if done.rows_affected() == 0 {
        let now: Option<String> =
            sqlx::query_scalar("SELECT state FROM room_bookings WHERE id = $1")
                .bind(b.id)
                .fetch_optional(tx.conn())
                .await?;
        return Err(PortalError::Closed(format!(
            "la prenotazione è già {}",
            state_word(now.as_deref().unwrap_or_default())
        )));
    }
    if matches!(to, "rejected" | "cancelled") {
        sqlx::query("DELETE FROM room_hours WHERE booking_id = $1")
            .bind(b.id)
            .execute(tx.conn())
            .await?;
    }
    let after = RoomBooking {
        state: to.into(),
        decision_note: note.trim().into(),
        ..b.clone()
    };
    let mail = match to {
        "approved" => notify::rooms::Mail::Approved,
        "rejected" => notify::rooms::Mail::Rejected,
        _ => notify::rooms::Mail::Cancelled,
    };
    notify::rooms::person(&mut tx, room, &after, mail).await?;
    audit_event(
        &mut tx,
        actor,
        About {
            action: match to {
                "approved" => "approve",
                "rejected" => "reject",
                _ => "cancel",
            },
            object: "room_booking",
            id: b.id,
            entity_id: room.entity_id,
        },
        Some(json!({"state": b.state})),
        Some(
            json!({"room_id": room.id, "starts_at": b.starts_at, "ends_at": b.ends_at,
                    "state": to, "note": note.trim()}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The state in words (Italian, feminine: «la prenotazione è …»).
pub fn state_word(state: &str) -> &'static str {
    match state {
        "requested" => "in attesa di approvazione",
        "approved" => "confermata",
        "rejected" => "respinta",
        "cancelled" => "annullata",
        _ => "in uno stato sconosciuto",
    }
}

/// Approves a request (the entity's staff or contact).
pub async fn approve(db: &Db, actor: &Actor, booking_id: i64) -> Result<RoomBooking, PortalError> {
    let (room, b) = read(db, actor.scope_param(), booking_id).await?;
    manager(actor)?;
    step(db, actor, &room, &b, &["requested"], "approved", "").await
}

/// Rejects a request, saying why if one wants: its hours are free again.
pub async fn reject(
    db: &Db,
    actor: &Actor,
    booking_id: i64,
    note: &str,
) -> Result<RoomBooking, PortalError> {
    let (room, b) = read(db, actor.scope_param(), booking_id).await?;
    manager(actor)?;
    step(db, actor, &room, &b, &["requested"], "rejected", note).await
}

/// Cancels a request or a booking: its hours are free again.
pub async fn cancel(
    db: &Db,
    actor: &Actor,
    booking_id: i64,
    note: &str,
) -> Result<RoomBooking, PortalError> {
    let (room, b) = read(db, actor.scope_param(), booking_id).await?;
    manager(actor)?;
    step(
        db,
        actor,
        &room,
        &b,
        &["requested", "approved"],
        "cancelled",
        note,
    )
    .await
}
