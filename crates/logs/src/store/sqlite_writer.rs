//! The SQLite writer: one rusqlite connection, owned by the log writer's thread, committing a
//! batch in one `BEGIN IMMEDIATE` transaction with cached prepared statements. WAL with
//! `synchronous = FULL`: a committed batch survives a crash of the process and of the machine.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::ingest::{Gap, Record, Written};
use crate::store::hash::{BatchHasher, GENESIS};
use crate::LogsError;

/// A writing connection to the log file, with the pragmas every writer uses.
pub fn connect(path: &Path) -> Result<Connection, LogsError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| LogsError::Store(e.to_string()))?;
    }
    let conn = Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000; \
         PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
    )?;
    Ok(conn)
}

pub struct SqliteWriter {
    conn: Connection,
}

/// Records of each entity, in arrival order: a batch is stored as one chained block per entity.
pub(crate) fn by_entity(batch: &[Record]) -> BTreeMap<i64, Vec<usize>> {
    let mut groups: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, r) in batch.iter().enumerate() {
        groups.entry(r.entity_id).or_default().push(i);
    }
    groups
}

/// `Some(v)` as an SQL integer.
fn opt_u8(v: Option<u8>) -> Option<i64> {
    v.map(i64::from)
}

impl SqliteWriter {
    pub fn open(path: &Path) -> Result<Self, LogsError> {
        Ok(Self {
            conn: connect(path)?,
        })
    }

    pub fn write(&mut self, batch: &[Record], gaps: &[Gap]) -> Result<Written, LogsError> {
        let groups = by_entity(batch);
        let now = chrono::Utc::now().timestamp_micros();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (mut next_id, mut next_batch): (i64, i64) = tx.query_row(
            "UPDATE log_counter SET next_message = next_message + ?1, \
             next_batch = next_batch + ?2 WHERE id = 1 \
             RETURNING next_message - ?1, next_batch - ?2",
            params![batch.len() as i64, groups.len() as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut written = Written::default();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO log_messages (id, entity_id, source_id, received_at, peer, \
                 transport, format, facility, severity, ts, hostname, app, procid, msgid, raw) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?;
            let mut access = tx.prepare_cached(
                "INSERT INTO log_access (message_id, entity_id, at, username, target_user, \
                 from_addr, host, action, outcome, method, family, code, detail) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?;
            let mut head = tx.prepare_cached("SELECT hash FROM log_heads WHERE entity_id = ?1")?;
            let mut put_head = tx.prepare_cached(
                "INSERT INTO log_heads (entity_id, batch_id, hash) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (entity_id) DO UPDATE SET batch_id = excluded.batch_id, \
                 hash = excluded.hash",
            )?;
            let mut put_batch = tx.prepare_cached(
                "INSERT INTO log_batches (id, entity_id, first_id, last_id, received_from, \
                 received_to, prev_hash, hash, committed_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for (entity, idx) in &groups {
                let prev: String = head
                    .query_row(params![entity], |r| r.get(0))
                    .optional()?
                    .unwrap_or_else(|| GENESIS.to_owned());
                let first = next_id;
                let last = first + idx.len() as i64 - 1;
                let mut hasher = BatchHasher::new(*entity, next_batch, first, last, &prev);
                let (mut from, mut to) = (i64::MAX, i64::MIN);
                for &i in idx {
                    let r = &batch[i];
                    let m = &r.message;
                    let id = next_id;
                    next_id += 1;
                    hasher.message(id, r.received, &r.peer, &r.raw);
                    from = from.min(r.received);
                    to = to.max(r.received);
                    insert.execute(params![
                        id,
                        r.entity_id,
                        r.source_id,
                        r.received,
                        &*r.peer,
                        r.transport.as_str(),
                        format_name(m.format),
                        opt_u8(m.facility),
                        opt_u8(m.severity),
                        m.timestamp.map(|t| t.timestamp_micros()),
                        m.hostname.as_deref(),
                        m.app.as_deref(),
                        m.procid.as_deref(),
                        m.msgid.as_deref(),
                        &r.raw,
                    ])?;
                    if let Some(a) = &r.access {
                        access.execute(params![
                            id,
                            r.entity_id,
                            m.timestamp.map_or(r.received, |t| t.timestamp_micros()),
                            &a.user,
                            a.target_user.as_deref(),
                            a.from.as_deref(),
                            a.host.as_deref().or(m.hostname.as_deref()),
                            a.action.as_str(),
                            a.outcome.as_str(),
                            a.method.as_deref(),
                            a.family,
                            a.code.as_deref(),
                            a.detail.as_deref(),
                        ])?;
                        written.access += 1;
                    }
                }
                let hash = hasher.finish();
                put_batch.execute(params![
                    next_batch, entity, first, last, from, to, prev, hash, now
                ])?;
                put_head.execute(params![entity, next_batch, hash])?;
                next_batch += 1;
                written.messages += idx.len() as u64;
                if *entity == 0 {
                    written.quarantined += idx.len() as u64;
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
        Ok(written)
    }
}

/// Per source (or per unknown peer): its entity, source, last receive time and count.
pub(crate) fn seen_of(batch: &[Record]) -> BTreeMap<String, (i64, Option<i64>, i64, i64)> {
    let mut seen: BTreeMap<String, (i64, Option<i64>, i64, i64)> = BTreeMap::new();
    for r in batch {
        let key = match r.source_id {
            Some(s) => format!("source:{s}"),
            None => format!("peer:{}", r.peer),
        };
        let e = seen
            .entry(key)
            .or_insert((r.entity_id, r.source_id, r.received, 0));
        e.2 = e.2.max(r.received);
        e.3 += 1;
    }
    seen
}

pub(crate) fn format_name(f: syslog::Format) -> &'static str {
    match f {
        syslog::Format::Rfc5424 => "rfc5424",
        syslog::Format::Rfc3164 => "rfc3164",
        syslog::Format::Unknown => "unknown",
    }
}
