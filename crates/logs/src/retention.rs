//! Retention: an entity's records older than its retention (six months at least) leave the log
//! store, but only where verified exports cover them without a gap, and only after each of
//! those exports was read back from its target once more and still matched its hash. The
//! chain stays checkable: the last purged segment's hash is kept (`log_purged`) and the
//! remaining chain starts from it. Every purge is recorded and audited in the main database.

use chrono::NaiveDate;
use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::Actor;
use serde::Serialize;
use sqlx::Row;

use crate::export::LogExport;
use crate::period::{day_of, day_start, parse_day, purge_limit};
use crate::store::LogStore;
use crate::LogsError;
use objstore::Target;

/// What a purge removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Purge {
    pub entity_id: i64,
    /// Records received before this day (Rome) were removed.
    pub before_day: String,
    pub batches: i64,
    pub messages: i64,
    pub purged_at: String,
}

/// The state of an entity's retention, for the compliance view.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Compliance {
    pub retention_days: i64,
    /// The oldest record the store keeps (RFC 3339), if any.
    pub oldest_record: Option<String>,
    pub last_purge: Option<Purge>,
    pub last_export: Option<LogExport>,
    /// Days from the oldest record up to which verified exports reach without a gap.
    pub exported_through: Option<String>,
}

/// The oldest record of the entity in the store (µs), if any.
pub async fn oldest(store: &LogStore, entity_id: i64) -> Result<Option<i64>, LogsError> {
    Ok(
        sqlx::query_scalar("SELECT MIN(received_from) FROM log_segments WHERE entity_id = $1")
            .bind(entity_id)
            .fetch_one(&store.pool)
            .await?,
    )
}

async fn last_purge(db: &Db, entity_id: i64) -> Result<Option<Purge>, LogsError> {
    let r = sqlx::query(
        "SELECT entity_id, before_day, batches, messages, purged_at FROM log_purges \
         WHERE entity_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(entity_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(match r {
        Some(r) => Some(Purge {
            entity_id: r.try_get(0)?,
            before_day: r.try_get(1)?,
            batches: r.try_get(2)?,
            messages: r.try_get(3)?,
            purged_at: r.try_get(4)?,
        }),
        None => None,
    })
}

fn verified_periods(exports: &[LogExport]) -> Vec<(NaiveDate, NaiveDate)> {
    exports
        .iter()
        .filter(|e| e.verified_at.is_some())
        .filter_map(|e| Some((parse_day(&e.from)?, parse_day(&e.to)?)))
        .collect()
}

/// The entity's retention in force, oldest record, last purge and export (caller checked
/// the scope).
pub async fn compliance(
    db: &Db,
    store: &LogStore,
    entity_id: i64,
) -> Result<Compliance, LogsError> {
    let settings = crate::settings::read(db, entity_id).await?;
    let exports = crate::export::of_entity(db, entity_id).await?;
    let oldest = oldest(store, entity_id).await?;
    let exported_through = oldest.and_then(|o| {
        let far = parse_day("9999-12-31")?;
        // With an endless retention, the limit is where exports stop covering.
        purge_limit(
            far,
            crate::period::MIN_RETENTION_DAYS,
            day_of(o),
            &verified_periods(&exports),
        )
        .and_then(|d| d.pred_opt())
        .map(|d| d.to_string())
    });
    Ok(Compliance {
        retention_days: settings.retention_days,
        oldest_record: oldest.map(crate::store::instant),
        last_purge: last_purge(db, entity_id).await?,
        last_export: exports.into_iter().next(),
        exported_through,
    })
}

/// Purges what the entity's retention lets go on `today`, if anything. Exports covering the
/// purged days are read back from where they were written first (`base`: the centre's
/// target); one that no longer matches is marked
/// unverified and stops the purge there.
pub async fn purge(
    db: &Db,
    store: &LogStore,
    base: &Target,
    actor: &Actor,
    entity_id: i64,
    today: NaiveDate,
) -> Result<Option<Purge>, LogsError> {
    let Some(oldest_us) = oldest(store, entity_id).await? else {
        return Ok(None);
    };
    let oldest = day_of(oldest_us);
    let settings = crate::settings::read(db, entity_id).await?;
    let mut exports = crate::export::of_entity(db, entity_id).await?;
    let Some(limit) = purge_limit(
        today,
        settings.retention_days,
        oldest,
        &verified_periods(&exports),
    ) else {
        return Ok(None);
    };
    // Read back every export that covers a purged day, where it was written.
    for e in exports.iter_mut().filter(|e| e.verified_at.is_some()) {
        let starts_before = parse_day(&e.from).is_some_and(|f| f < limit);
        if !starts_before {
            continue;
        }
        let target = crate::export::target_of(e, base)?;
        let holds = matches!(
            crate::export::hash_at(&target, &e.file_name).await?,
            Some((n, sha)) if n as i64 == e.bytes && sha == e.sha256
        );
        if !holds {
            tracing::warn!(
                "export {} of entity {entity_id} ({}) no longer matches at {target}",
                e.id,
                e.file_name
            );
            let mut tx = db.write().await?;
            sqlx::query("UPDATE log_exports SET verified_at = NULL WHERE id = $1")
                .bind(e.id)
                .execute(tx.conn())
                .await?;
            tx.commit().await?;
            e.verified_at = None;
        }
    }
    let Some(limit) = purge_limit(
        today,
        settings.retention_days,
        oldest,
        &verified_periods(&exports),
    ) else {
        return Ok(None);
    };
    let before = day_start(limit);
    let (batches, messages) = remove_before(store, entity_id, before).await?;
    if batches == 0 {
        return Ok(None);
    }
    let p = Purge {
        entity_id,
        before_day: limit.to_string(),
        batches,
        messages,
        purged_at: kernel::time::now(),
    };
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO log_purges (entity_id, before_day, batches, messages, purged_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(entity_id)
    .bind(&p.before_day)
    .bind(p.batches)
    .bind(p.messages)
    .bind(&p.purged_at)
    .fetch_one(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "log_purge".into(),
            object_id: id.to_string(),
            entity_id: Some(entity_id),
            before: None,
            after: Some(
                serde_json::json!({
                    "before_day": p.before_day, "batches": p.batches, "messages": p.messages,
                    "retention_days": settings.retention_days,
                })
                .to_string(),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(p))
}

/// Removes the entity's segments received wholly before `before` (µs) — the longest prefix
/// of its chain that is — with their access events, keeping the last removed hash as the
/// chain's new start. Returns the segments and messages removed.
async fn remove_before(
    store: &LogStore,
    entity_id: i64,
    before: i64,
) -> Result<(i64, i64), LogsError> {
    let mut tx = store.pool.begin().await?;
    let first_kept: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(id) FROM log_segments WHERE entity_id = $1 AND received_to >= $2",
    )
    .bind(entity_id)
    .bind(before)
    .fetch_one(&mut *tx)
    .await?;
    let cut = first_kept.unwrap_or(i64::MAX);
    let last: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, hash FROM log_segments WHERE entity_id = $1 AND id < $2 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(entity_id)
    .bind(cut)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((last_id, last_hash)) = last else {
        return Ok((0, 0));
    };
    let (batches, messages): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), CAST(SUM(last_id - first_id + 1) AS BIGINT) FROM log_segments \
         WHERE entity_id = $1 AND id <= $2",
    )
    .bind(entity_id)
    .bind(last_id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM log_access WHERE entity_id = $1 AND segment_id <= $2")
        .bind(entity_id)
        .bind(last_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM log_segments WHERE entity_id = $1 AND id <= $2")
        .bind(entity_id)
        .bind(last_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO log_purged (entity_id, segment_id, hash, before_at, purged_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (entity_id) DO UPDATE SET \
         segment_id = excluded.segment_id, hash = excluded.hash, \
         before_at = excluded.before_at, purged_at = excluded.purged_at",
    )
    .bind(entity_id)
    .bind(last_id)
    .bind(&last_hash)
    .bind(before)
    .bind(chrono::Utc::now().timestamp_micros())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((batches, messages.unwrap_or(0)))
}
