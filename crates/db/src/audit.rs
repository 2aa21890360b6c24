//! Storage of the audit chain. The record format and hashing live in `kernel::audit`.

use kernel::audit::{AuditEvent, AuditRecord, ChainError, Verifier};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Db, WriteTx};

/// Appends `ev` to the chain inside the caller's transaction. The `UPDATE` of the head row
/// takes its lock first, so two writers never chain onto the same record.
pub async fn append(tx: &mut WriteTx, ev: AuditEvent) -> Result<AuditRecord, sqlx::Error> {
    append_on(tx.conn(), ev).await
}

pub(crate) async fn append_on(
    conn: &mut AnyConnection,
    ev: AuditEvent,
) -> Result<AuditRecord, sqlx::Error> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    let seq: i64 = head.try_get(0)?;
    let prev: String = head.try_get(1)?;
    let rec = ev.chain(seq - 1, &prev, kernel::time::now());
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, entity_id, \
         before_json, after_json, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(rec.seq)
    .bind(&rec.at)
    .bind(&rec.actor)
    .bind(&rec.action)
    .bind(&rec.object_type)
    .bind(&rec.object_id)
    .bind(rec.entity_id)
    .bind(&rec.before)
    .bind(&rec.after)
    .bind(&rec.prev_hash)
    .bind(&rec.hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&rec.hash)
        .execute(&mut *conn)
        .await?;
    Ok(rec)
}

const COLUMNS: &str = "seq, at, actor, action, object_type, object_id, entity_id, \
                       before_json, after_json, prev_hash, hash";

fn record(r: &AnyRow) -> Result<AuditRecord, sqlx::Error> {
    Ok(AuditRecord {
        seq: r.try_get(0)?,
        at: r.try_get(1)?,
        actor: r.try_get(2)?,
        action: r.try_get(3)?,
        object_type: r.try_get(4)?,
        object_id: r.try_get(5)?,
        entity_id: r.try_get(6)?,
        before: r.try_get(7)?,
        after: r.try_get(8)?,
        prev_hash: r.try_get(9)?,
        hash: r.try_get(10)?,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("audit chain broken at {0}")]
    Broken(#[from] ChainError),
    #[error("audit chain does not match the checkpoint: {0}")]
    Checkpoint(String),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// Checks the whole chain in sequence order, in pages, against the head.
/// Returns how many records were checked.
pub async fn verify(db: &Db) -> Result<u64, VerifyError> {
    let mut snap = db.snapshot().await?;
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *snap)
        .await?;
    let (head_seq, head_hash): (i64, String) = (head.try_get(0)?, head.try_get(1)?);
    let mut v = Verifier::default();
    let mut after = -1i64;
    loop {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000"
        )))
        .bind(after)
        .fetch_all(&mut *snap)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get(0)?;
        for r in &rows {
            v.push(&record(r)?)?;
        }
    }
    snap.rollback().await?;
    Ok(v.finish(head_seq, &head_hash)?)
}

/// A point of the chain written down outside the database: its sequence number and hash.
/// Whoever keeps one can later prove that the chain still holds that record unchanged, which
/// catches what the chain alone cannot: the last records deleted and `audit_head` rewritten.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    pub format: String,
    pub seq: i64,
    pub hash: String,
    pub at: String,
}

pub const CHECKPOINT_FORMAT: &str = "cst-audit-checkpoint";

/// Verifies the chain and returns its head as a checkpoint.
pub async fn checkpoint(db: &Db) -> Result<Checkpoint, VerifyError> {
    verify(db).await?;
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    Ok(Checkpoint {
        format: CHECKPOINT_FORMAT.into(),
        seq: head.try_get(0)?,
        hash: head.try_get(1)?,
        at: kernel::time::now(),
    })
}

/// Verifies the chain, then that it still holds the checkpoint's record with its hash.
pub async fn verify_against(db: &Db, cp: &Checkpoint) -> Result<u64, VerifyError> {
    if cp.format != CHECKPOINT_FORMAT {
        return Err(VerifyError::Checkpoint(format!(
            "not a cst audit checkpoint (format {})",
            cp.format
        )));
    }
    let n = verify(db).await?;
    if cp.seq == 0 {
        return Ok(n);
    }
    let hash: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
        .bind(cp.seq)
        .fetch_optional(db.pool())
        .await?;
    match hash {
        None => Err(VerifyError::Checkpoint(format!(
            "record {} of the checkpoint taken at {} is missing: the chain now ends at {n} \
             records, so records were deleted and the head rewritten",
            cp.seq, cp.at
        ))),
        Some(h) if h != cp.hash => Err(VerifyError::Checkpoint(format!(
            "record {} differs from the checkpoint taken at {}: the chain was rewritten",
            cp.seq, cp.at
        ))),
        Some(_) => Ok(n),
    }
}

/// Filter for reading the trail.
#[derive(Debug, Default, Clone)]
pub struct Query {
    /// Only records of this entity (a contact reads its own entities' trail).
    pub entity_id: Option<i64>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// Records with `seq` below this (newest first paging).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

/// The records of one object, oldest first (at most `limit`, 1 to 2,000), read through the
/// `audit_log_object` index: a ticket's story, however long the log.
pub async fn of_object(
    db: &Db,
    object_type: &str,
    object_id: &str,
    limit: i64,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM audit_log WHERE object_type = $1 AND object_id = $2 \
         ORDER BY seq LIMIT $3"
    )))
    .bind(object_type)
    .bind(object_id)
    .bind(limit.clamp(1, 2_000))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(record).collect()
}

/// What the audit page filters by; only the conditions given are in the SQL.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub entity_id: Option<i64>,
    pub object_type: Option<String>,
    /// Changes made by this account.
    pub user_id: Option<i64>,
    /// From this instant (stored form), inclusive.
    pub from: Option<String>,
    /// Before this instant (stored form).
    pub until: Option<String>,
    /// This action on the object type (`ticket`, `take_charge`); an action ending in `:`
    /// matches every action it starts (`state:` for every change of a ticket's state).
    pub action: Option<(String, String)>,
    /// Records with `seq` below this (newest first paging).
    pub before_seq: Option<i64>,
    /// Oldest first instead of newest first.
    pub oldest_first: bool,
    pub offset: i64,
    pub limit: i64,
}

impl Search {
    /// The WHERE clause and its bound texts; numbers from the caller's parsed input are
    /// written into the SQL, text is bound.
    fn filter(&self) -> (String, Vec<String>) {
        let mut binds: Vec<String> = Vec::new();
        let mut cond = Vec::new();
        let mut p = |v: String| {
            binds.push(v);
            format!("${}", binds.len())
        };
        if let Some(e) = self.entity_id {
            cond.push(format!("entity_id = {e}"));
        }
        if let Some(t) = &self.object_type {
            cond.push(format!("object_type = {}", p(t.clone())));
        }
        if let Some((t, a)) = &self.action {
            cond.push(format!("object_type = {}", p(t.clone())));
            if let Some(prefix) = a.strip_suffix(':') {
                cond.push(format!("action LIKE {}", p(format!("{prefix}:%"))));
            } else {
                cond.push(format!("action = {}", p(a.clone())));
            }
        }
        if let Some(u) = self.user_id {
            cond.push(format!("actor LIKE {}", p(format!("user:{u}:%"))));
        }
        if let Some(f) = &self.from {
            cond.push(format!("at >= {}", p(f.clone())));
        }
        if let Some(u) = &self.until {
            cond.push(format!("at < {}", p(u.clone())));
        }
        if let Some(b) = self.before_seq {
            cond.push(format!("seq < {b}"));
        }
        let filter = if cond.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", cond.join(" AND "))
        };
        (filter, binds)
    }
}

/// How many records match `s`, counted up to `cap` + 1 (more than `cap`: "over `cap`").
pub async fn count(db: &Db, s: &Search, cap: i64) -> Result<i64, sqlx::Error> {
    let (filter, binds) = s.filter();
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM audit_log {filter} LIMIT {}) AS matching",
        cap.max(0) + 1
    );
    let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
    for b in &binds {
        q = q.bind(b.clone());
    }
    q.fetch_one(db.pool()).await
}

/// Records matching `s`, newest first (or oldest first).
pub async fn search(db: &Db, s: &Search) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let (filter, binds) = s.filter();
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log {filter} ORDER BY seq {} LIMIT {} OFFSET {}",
        if s.oldest_first { "ASC" } else { "DESC" },
        s.limit.clamp(1, 1000),
        s.offset.max(0)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in &binds {
        q = q.bind(b.clone());
    }
    q.fetch_all(db.pool()).await?.iter().map(record).collect()
}

/// Newest first.
pub async fn list(db: &Db, q: &Query) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM audit_log \
         WHERE ($1 = 0 OR entity_id = $2) AND ($3 = '' OR object_type = $3) \
           AND ($4 = '' OR object_id = $4) AND seq < $5 \
         ORDER BY seq DESC LIMIT $6"
    )))
    .bind(i64::from(q.entity_id.is_some()))
    .bind(q.entity_id.unwrap_or(0))
    .bind(q.object_type.clone().unwrap_or_default())
    .bind(q.object_id.clone().unwrap_or_default())
    .bind(q.before_seq.unwrap_or(i64::MAX))
    .bind(q.limit.clamp(1, 500))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(record).collect()
}
