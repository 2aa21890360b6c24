//! The scheduler: it only enqueues. Each [`Schedule`] cuts time into slots of `every`; the
//! first process to move the stored `last_slot` on enqueues that slot's job (idempotency key
//! `schedule:NAME:SLOT`), in the same transaction, so a slot runs once whatever the number of
//! processes. A slot missed while nothing ran is not made up: the next tick runs the current
//! one (a check every 15 minutes need not run 96 times after a day off).

use std::time::Duration;

use chrono::{DateTime, Utc};
use db::Db;
use serde::Serialize;
use sqlx::Row;

use crate::{enqueue, JobError};

/// Something that runs by itself every `every`.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Stable name (the row in `schedules`).
    pub name: String,
    /// The job kind it enqueues (a handler must be registered for it).
    pub kind: String,
    pub every: Duration,
}

impl Schedule {
    pub fn new(name: &str, kind: &str, every: Duration) -> Self {
        Self {
            name: name.into(),
            kind: kind.into(),
            every: every.max(Duration::from_secs(1)),
        }
    }

    fn seconds(&self) -> i64 {
        i64::try_from(self.every.as_secs())
            .unwrap_or(i64::MAX)
            .max(1)
    }

    /// The slot `now` falls in.
    pub fn slot(&self, now: DateTime<Utc>) -> i64 {
        now.timestamp().div_euclid(self.seconds())
    }
}

/// A schedule as stored.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ScheduleInfo {
    pub name: String,
    pub kind: String,
    pub every_seconds: i64,
    /// When the last slot run started (its slot's start), if ever.
    pub last_run_at: Option<DateTime<Utc>>,
}

/// Enqueues the job of every schedule whose current slot has not been taken yet. Returns the
/// ids of the jobs enqueued.
pub async fn tick(
    db: &Db,
    schedules: &[Schedule],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, JobError> {
    if schedules.is_empty() {
        return Ok(Vec::new());
    }
    let stored: Vec<(String, i64)> = sqlx::query("SELECT name, last_slot FROM schedules")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let mut queued = Vec::new();
    for s in schedules {
        let slot = s.slot(now);
        if stored.iter().any(|(n, last)| *n == s.name && *last >= slot) {
            continue;
        }
        let stamp = kernel::time::format(now);
        let mut tx = db.write().await?;
        sqlx::query(
            "INSERT INTO schedules (name, kind, every_seconds, last_slot, updated_at) \
             VALUES ($1, $2, $3, -1, $4) ON CONFLICT (name) DO NOTHING",
        )
        .bind(&s.name)
        .bind(&s.kind)
        .bind(s.seconds())
        .bind(&stamp)
        .execute(tx.conn())
        .await?;
        let moved = sqlx::query(
            "UPDATE schedules SET last_slot = $1, kind = $2, every_seconds = $3, updated_at = $4 \
             WHERE name = $5 AND last_slot < $1",
        )
        .bind(slot)
        .bind(&s.kind)
        .bind(s.seconds())
        .bind(&stamp)
        .bind(&s.name)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if moved == 1 {
            let key = format!("schedule:{}:{slot}", s.name);
            let payload = serde_json::json!({"schedule": s.name, "slot": slot});
            if let Some(id) = enqueue(&mut tx, &s.kind, &payload, Some(&key), None).await? {
                queued.push(id);
            }
        }
        tx.commit().await?;
    }
    Ok(queued)
}

/// The stored schedules.
pub async fn list(db: &Db) -> Result<Vec<ScheduleInfo>, JobError> {
    let rows =
        sqlx::query("SELECT name, kind, every_seconds, last_slot FROM schedules ORDER BY name")
            .fetch_all(db.pool())
            .await?;
    rows.iter()
        .map(|r| {
            let every: i64 = r.try_get(2)?;
            let last: i64 = r.try_get(3)?;
            Ok(ScheduleInfo {
                name: r.try_get(0)?,
                kind: r.try_get(1)?,
                every_seconds: every,
                last_run_at: (last >= 0)
                    .then(|| DateTime::from_timestamp(last.saturating_mul(every), 0))
                    .flatten(),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_cut_time_in_equal_parts() {
        let s = Schedule::new("x", "k", Duration::from_secs(900));
        let t = kernel::time::parse("2026-11-25T11:14:59Z").unwrap();
        assert_eq!(
            s.slot(t),
            s.slot(kernel::time::parse("2026-11-25T11:00:00Z").unwrap())
        );
        assert_eq!(
            s.slot(t) + 1,
            s.slot(kernel::time::parse("2026-11-25T11:15:00Z").unwrap())
        );
    }
}
