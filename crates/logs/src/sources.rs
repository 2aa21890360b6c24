//! The registered log sources (main database, audited): which address, network or TLS
//! certificate speaks for which entity. Staff register them; an entity's people see their own.

use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::Actor;
use sqlx::Row;

use crate::model::{Source, SourceDraft};
use crate::LogsError;

const COLS: &str = "id, entity_id, name, address, fingerprint, time_zone, expected_minutes, \
    ticket_on_silence, created_at, version, silent_since, silence_ticket_id, relay_token_hash";

fn row(r: &sqlx::any::AnyRow) -> Result<Source, sqlx::Error> {
    Ok(Source {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        name: r.try_get(2)?,
        address: r.try_get(3)?,
        fingerprint: r.try_get(4)?,
        time_zone: r.try_get(5)?,
        expected_minutes: r.try_get(6)?,
        ticket_on_silence: r.try_get::<i64, _>(7)? != 0,
        created_at: r.try_get(8)?,
        version: r.try_get(9)?,
        silent_since: r.try_get(10)?,
        silence_ticket_id: r.try_get(11)?,
        relay: r.try_get::<Option<String>, _>(12)?.is_some(),
    })
}

/// Every source of every entity: what the receivers look peers up in.
pub async fn all(db: &Db) -> Result<Vec<Source>, LogsError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM log_sources ORDER BY id"
    )))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
}

/// The one source where `condition` (with `$1` bound to `value`) holds, if any.
pub(crate) async fn find(
    db: &Db,
    condition: &'static str,
    value: &str,
) -> Result<Option<Source>, LogsError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM log_sources WHERE {condition}"
    )))
    .bind(value)
    .fetch_optional(db.pool())
    .await?;
    Ok(r.as_ref().map(row).transpose()?)
}

/// The sources of an entity the actor may see (else 404).
pub async fn of_entity(db: &Db, actor: &Actor, entity_id: i64) -> Result<Vec<Source>, LogsError> {
    members::store::get(db, actor, entity_id).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM log_sources WHERE entity_id = $1 ORDER BY name, id"
    )))
    .bind(entity_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
}

/// Registers a source of the entity (staff only). An address, network or certificate already
/// registered is refused (409), naming the source that has it. A relay source comes with the
/// token its instance presents (given here once, kept only as its hash).
pub async fn create(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    draft: &SourceDraft,
) -> Result<(Source, Option<String>), LogsError> {
    members::store::get(db, actor, entity_id).await?;
    if !actor.is_staff() {
        return Err(LogsError::StaffOnly);
    }
    let input = draft.parse().map_err(LogsError::Invalid)?;
    let address = input.address.map(|a| a.to_string());
    let token = input.relay.then(crate::relay::new_token);
    let mut tx = db.write().await?;
    let taken: Option<(String, i64)> = sqlx::query_as(
        "SELECT name, entity_id FROM log_sources WHERE address = $1 OR fingerprint = $2",
    )
    .bind(&address)
    .bind(&input.fingerprint)
    .fetch_optional(tx.conn())
    .await?;
    if let Some((name, other)) =
        taken.filter(|_| input.address.is_some() || input.fingerprint.is_some())
    {
        return Err(LogsError::Conflict(format!(
            "l'indirizzo o il certificato è già registrato come sorgente «{name}» (ente n. {other})"
        )));
    }
    let now = kernel::time::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO log_sources (entity_id, name, address, fingerprint, time_zone, \
         expected_minutes, ticket_on_silence, created_at, relay_token_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(entity_id)
    .bind(&input.name)
    .bind(&address)
    .bind(&input.fingerprint)
    .bind(input.zone.name())
    .bind(input.expected_minutes)
    .bind(i64::from(input.ticket_on_silence))
    .bind(&now)
    .bind(token.as_ref().map(|t| crate::relay::token_hash(t)))
    .fetch_one(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "log_source".into(),
            object_id: id.to_string(),
            entity_id: Some(entity_id),
            before: None,
            after: Some(
                serde_json::json!({
                    "name": input.name, "address": address, "fingerprint": input.fingerprint,
                    "time_zone": input.zone.name(), "expected_minutes": input.expected_minutes,
                    "ticket_on_silence": input.ticket_on_silence, "relay": input.relay,
                })
                .to_string(),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        Source {
            id,
            entity_id,
            name: input.name,
            address,
            fingerprint: input.fingerprint,
            time_zone: input.zone.name().to_owned(),
            expected_minutes: input.expected_minutes,
            ticket_on_silence: input.ticket_on_silence,
            created_at: now,
            version: 1,
            silent_since: None,
            silence_ticket_id: None,
            relay: input.relay,
        },
        token,
    ))
}

/// Whether the actor may read the entity's logs (see [`crate::review::may_review`]).
pub async fn may_review(db: &Db, actor: &Actor, entity_id: i64) -> Result<(), LogsError> {
    crate::review::may_review(db, actor, entity_id)
        .await
        .map(|_| ())
}
