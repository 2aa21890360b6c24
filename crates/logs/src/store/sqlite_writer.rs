//! The SQLite writer: one rusqlite connection, owned by the log writer's thread, committing a
//! batch in one `BEGIN IMMEDIATE` transaction: one segment row per entity, one row per access
//! event. WAL with `synchronous = FULL`: a committed batch survives a crash of the process and
//! of the machine.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::ingest::{Gap, Record, Written};
use crate::store::batch::{access_at, build, by_entity, recycle, seen_of};
use crate::LogsError;

/// A writing connection to the log file, with the pragmas every writer uses.
pub fn connect(path: &Path) -> Result<Connection, LogsError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| LogsError::Store(e.to_string()))?;
    }
    let conn = Connection::open(path)?;
    // SQLite's default 4 KiB pages: the segments are compressed (a few MB a batch), and the
    // access events' indexes take random inserts, which larger pages make dearer (one trial
    // filling access events with 64 KiB pages went several times slower, on a machine that was
    // also running the tests; the ingest rates in docs/logs.md are with 4 KiB pages).
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000; \
         PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
    )?;
    Ok(conn)
}

pub struct SqliteWriter {
    conn: Connection,
    spare: Vec<Vec<u8>>,
}

impl SqliteWriter {
    pub fn open(path: &Path) -> Result<Self, LogsError> {
        Ok(Self {
            conn: connect(path)?,
            spare: Vec::new(),
        })
    }

    pub fn write(&mut self, batch: &[Record], gaps: &[Gap]) -> Result<Written, LogsError> {
        let groups = by_entity(batch);
        let now = chrono::Utc::now().timestamp_micros();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (next_id, next_segment): (i64, i64) = tx.query_row(
            "UPDATE log_counter SET next_message = next_message + ?1, \
             next_segment = next_segment + ?2 WHERE id = 1 \
             RETURNING next_message - ?1, next_segment - ?2",
            params![batch.len() as i64, groups.len() as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut heads = HashMap::new();
        {
            let mut head = tx.prepare_cached("SELECT hash FROM log_heads WHERE entity_id = ?1")?;
            for entity in groups.keys() {
                if let Some(h) = head
                    .query_row(params![entity], |r| r.get::<_, String>(0))
                    .optional()?
                {
                    heads.insert(*entity, h);
                }
            }
        }
        let built = build(
            batch,
            &groups,
            next_id,
            next_segment,
            &heads,
            &mut self.spare,
        );
        let mut written = Written::default();
        {
            let mut segment = tx.prepare_cached(
                "INSERT INTO log_segments (id, entity_id, first_id, last_id, received_from, \
                 received_to, prev_hash, hash, committed_at, data) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            let mut access = tx.prepare_cached(
                "INSERT INTO log_access (id, message_id, segment_id, entity_id, peer, at, \
                 username, target_user, from_addr, host, action, outcome, method, family, code, \
                 detail) VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            let mut put_head = tx.prepare_cached(
                "INSERT INTO log_heads (entity_id, segment_id, hash) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (entity_id) DO UPDATE SET segment_id = excluded.segment_id, \
                 hash = excluded.hash",
            )?;
            for b in &built {
                segment.execute(params![
                    b.id, b.entity, b.first, b.last, b.from, b.to, b.prev, b.hash, now, b.data
                ])?;
                put_head.execute(params![b.entity, b.id, b.hash])?;
                for &(message_id, i) in &b.access {
                    let r = &batch[i];
                    let Some(a) = &r.access else { continue };
                    access.execute(params![
                        message_id,
                        b.id,
                        r.entity_id,
                        &*r.peer,
                        access_at(r),
                        &a.user,
                        a.target_user.as_deref(),
                        a.from.as_deref(),
                        a.host.as_deref(),
                        a.action.as_str(),
                        a.outcome.as_str(),
                        a.method.as_deref(),
                        a.family,
                        a.code.as_deref(),
                        a.detail.as_deref(),
                    ])?;
                    written.access += 1;
                }
                let n = (b.last - b.first + 1) as u64;
                written.messages += n;
                if b.entity == 0 {
                    written.quarantined += n;
                }
            }
            let mut gap = tx.prepare_cached(
                "INSERT INTO log_gaps (entity_id, peer, app, expected, got, at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for g in gaps {
                gap.execute(params![
                    g.entity_id,
                    &*g.peer,
                    g.app,
                    g.expected as i64,
                    g.got as i64,
                    g.at
                ])?;
            }
            let mut seen = tx.prepare_cached(
                "INSERT INTO log_seen (source_key, entity_id, source_id, last_at, messages) \
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (source_key) DO UPDATE SET \
                 entity_id = excluded.entity_id, source_id = excluded.source_id, \
                 last_at = max(log_seen.last_at, excluded.last_at), \
                 messages = log_seen.messages + excluded.messages",
            )?;
            for (key, (entity, source, at, n)) in seen_of(batch) {
                seen.execute(params![key, entity, source, at, n])?;
            }
        }
        tx.commit()?;
        recycle(built, &mut self.spare);
        Ok(written)
    }
}
