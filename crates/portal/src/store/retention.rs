//! Citizens' data kept only as long as the entity says: the sign-ups of events and the
//! bookings of slots that took place more than the entity's retention ago are deleted (the
//! events and slots stay, with their counts); each deletion is audited with its counts, never
//! with the people.

use chrono::{DateTime, Utc};
use db::Db;
use kernel::Actor;
use serde_json::json;

use super::{audit_event, stored, About};
use crate::PortalError;

/// Days citizens' data is kept after the event or the appointment, unless the entity sets
/// another figure.
pub const DEFAULT_RETENTION_DAYS: i64 = 90;

/// What one round deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub registrations: u64,
    pub bookings: u64,
    pub room_bookings: u64,
}

/// Deletes what each entity's retention no longer keeps, as of `now`.
pub async fn purge(db: &Db, now: DateTime<Utc>) -> Result<Purged, PortalError> {
    let entities: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT e.entity_id, s.retention_days FROM \
         (SELECT entity_id FROM portal_events UNION SELECT entity_id FROM appointment_slots \
         UNION SELECT entity_id FROM room_bookings) e \
         LEFT JOIN portal_settings s ON s.entity_id = e.entity_id ORDER BY e.entity_id",
    )
    .fetch_all(db.pool())
    .await?;
    let mut total = Purged::default();
    for (entity, days) in entities {
        let days = days.unwrap_or(DEFAULT_RETENTION_DAYS).max(0);
        let before = stored(now - chrono::Duration::days(days));
        let mut tx = db.write().await?;
        let registrations = sqlx::query(
            "DELETE FROM portal_registrations WHERE event_id IN \
             (SELECT id FROM portal_events WHERE entity_id = $1 AND starts_at < $2)",
        )
        .bind(entity)
        .bind(&before)
        .execute(tx.conn())
        .await?
        .rows_affected();
        let bookings = sqlx::query(
            "DELETE FROM appointment_bookings WHERE slot_id IN \
             (SELECT id FROM appointment_slots WHERE entity_id = $1 AND starts_at < $2)",
        )
        .bind(entity)
        .bind(&before)
        .execute(tx.conn())
        .await?
        .rows_affected();
        // A room's hours go with their booking; the room stays.
        sqlx::query(
            "DELETE FROM room_hours WHERE booking_id IN \
             (SELECT id FROM room_bookings WHERE entity_id = $1 AND ends_at < $2)",
        )
        .bind(entity)
        .bind(&before)
        .execute(tx.conn())
        .await?;
        let room_bookings =
            sqlx::query("DELETE FROM room_bookings WHERE entity_id = $1 AND ends_at < $2")
                .bind(entity)
                .bind(&before)
                .execute(tx.conn())
                .await?
                .rows_affected();
        if registrations + bookings + room_bookings == 0 {
            continue;
        }
        audit_event(
            &mut tx,
            &Actor::system("conservazione"),
            About {
                action: "purge",
                object: "citizen_data",
                id: entity,
                entity_id: entity,
            },
            None,
            Some(json!({"before": before, "retention_days": days,
                        "registrations": registrations, "bookings": bookings,
                        "room_bookings": room_bookings})),
        )
        .await?;
        tx.commit().await?;
        total.registrations += registrations;
        total.bookings += bookings;
        total.room_bookings += room_bookings;
    }
    Ok(total)
}
