//! What the public pages of an entity do with its events, without an account: read the
//! upcoming events, sign up (always as made on the web), and read or cancel one's own sign-up
//! with the code of its link. Every read names the entity: an event of another entity is not
//! found. Changes are audited as made by the public portal (`portale`), never naming the person.

use chrono::{DateTime, Utc};
use db::Db;
use kernel::Actor;
use sqlx::Row;

use super::signups::{cancel_in, register_in};
use super::{event_row, registration_row, Channel, Event, Made, Registration, RegistrationDraft};
use super::{ECOLS, RCOLS};
use crate::store::{hash_secret, stored};
use crate::PortalError;

/// The actor of what citizens do on the public pages.
pub fn citizen() -> Actor {
    Actor::system("portale")
}

/// An entity's events from `now` on, soonest first (at most 200).
pub async fn upcoming(
    db: &Db,
    entity_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Event>, PortalError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ECOLS} FROM portal_events WHERE entity_id = $1 AND starts_at >= $2 \
         ORDER BY starts_at, id LIMIT 200"
    )))
    .bind(entity_id)
    .bind(stored(now))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| event_row(r).map(|(e, _)| e))
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}

/// One event of the entity.
pub async fn event(db: &Db, entity_id: i64, id: i64) -> Result<Event, PortalError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ECOLS} FROM portal_events WHERE id = $1 AND entity_id = $2"
    )))
    .bind(id)
    .bind(entity_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(PortalError::EventNotFound)?;
    Ok(event_row(&r)?.0)
}

/// A citizen signs up on the web for an event of the entity that has not begun.
pub async fn sign_up(
    db: &Db,
    entity_id: i64,
    id: i64,
    d: &RegistrationDraft,
    now: DateTime<Utc>,
) -> Result<Made, PortalError> {
    let e = event(db, entity_id, id).await?;
    if e.starts_at.as_str() <= stored(now).as_str() {
        return Err(PortalError::Closed(
            "l'evento è già iniziato: le iscrizioni sono chiuse".into(),
        ));
    }
    register_in(db, &citizen(), 0, id, d, Channel::Web).await
}

/// A sign-up of the entity read with the code of its link (a wrong code: not found).
pub async fn by_code(
    db: &Db,
    entity_id: i64,
    registration_id: i64,
    code: &str,
) -> Result<(Event, Registration), PortalError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RCOLS}, cancel_hash FROM portal_registrations WHERE id = $1"
    )))
    .bind(registration_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(PortalError::RegistrationNotFound)?;
    let hash: String = r.try_get(12)?;
    if hash != hash_secret(code.trim()) {
        return Err(PortalError::RegistrationNotFound);
    }
    let reg = registration_row(&r)?;
    let e = event(db, entity_id, reg.event_id)
        .await
        .map_err(|_| PortalError::RegistrationNotFound)?;
    Ok((e, reg))
}

/// The citizen cancels their sign-up through their link.
pub async fn cancel_by_code(
    db: &Db,
    entity_id: i64,
    registration_id: i64,
    code: &str,
) -> Result<Registration, PortalError> {
    by_code(db, entity_id, registration_id, code).await?;
    cancel_in(db, &citizen(), 0, registration_id).await
}
