//! The registered log sources (main database, audited): which address, network or TLS
//! certificate speaks for which entity. Staff register them; an entity's people see their own.

use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::{Actor, Role};
use sqlx::Row;

use crate::model::{Source, SourceDraft};
use crate::LogsError;

const COLS: &str = "id, entity_id, name, address, fingerprint, time_zone, expected_minutes, \
    ticket_on_silence, created_at, version";

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
/// registered is refused (409), naming the source that has it.
pub async fn create(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    draft: &SourceDraft,
) -> Result<Source, LogsError> {
    members::store::get(db, actor, entity_id).await?;
    if !actor.is_staff() {
        return Err(LogsError::StaffOnly);
    }
    let input = draft.parse().map_err(LogsError::Invalid)?;
    let address = input.address.map(|a| a.to_string());
    let mut tx = db.write().await?;
    let taken: Option<(String, i64)> = sqlx::query_as(
        "SELECT name, entity_id FROM log_sources WHERE address = $1 OR fingerprint = $2",
    )
    .bind(&address)
    .bind(&input.fingerprint)
    .fetch_optional(tx.conn())
    .await?;
    if let Some((name, other)) = taken {
        return Err(LogsError::Conflict(format!(
            "l'indirizzo o il certificato è già registrato come sorgente «{name}» (ente n. {other})"
        )));
    }
    let now = kernel::time::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO log_sources (entity_id, name, address, fingerprint, time_zone, \
         expected_minutes, ticket_on_silence, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(entity_id)
    .bind(&input.name)
    .bind(&address)
    .bind(&input.fingerprint)
    .bind(input.zone.name())
    .bind(input.expected_minutes)
    .bind(i64::from(input.ticket_on_silence))
    .bind(&now)
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
                    "ticket_on_silence": input.ticket_on_silence,
                })
                .to_string(),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Source {
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
    })
}

/// Whether the actor may read the entity's logs: staff, or a person of the entity (the
/// *titolare* and delegates are marked in a later step; until then the entity's contacts).
/// Out of scope is 404, as everywhere.
pub async fn may_review(db: &Db, actor: &Actor, entity_id: i64) -> Result<(), LogsError> {
    members::store::get(db, actor, entity_id).await?;
    if actor.is_staff() || actor.role == Role::Contact {
        Ok(())
    } else {
        Err(LogsError::ReviewersOnly)
    }
}
