//! The PostgreSQL writer: a batch in one transaction, its messages and access events sent with
//! `COPY … FROM STDIN` (text format). The counter row `log_counter` hands out contiguous ids
//! and batch numbers and, being locked until commit, orders the chains when several `cst
//! serve` processes write at once. Each day's partition of `log_messages` is created before its
//! first row.

use std::collections::HashSet;
use std::fmt::Write as _;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Row;

use crate::ingest::{Gap, Record, Written};
use crate::store::hash::{BatchHasher, GENESIS};
use crate::store::sqlite_writer::{by_entity, format_name, seen_of};
use crate::store::{Location, LogStore};
use crate::LogsError;

const DAY_US: i64 = 86_400_000_000;

pub struct PgWriter {
    pool: Option<PgPool>,
    url: String,
    days: HashSet<i64>,
}

impl PgWriter {
    pub fn new(store: &LogStore) -> Self {
        let url = match store.location() {
            Location::Postgres(u) => u.clone(),
            Location::Sqlite(_) => String::new(),
        };
        Self {
            pool: None,
            url,
            days: HashSet::new(),
        }
    }

    fn pool(&mut self) -> Result<PgPool, LogsError> {
        if let Some(p) = &self.pool {
            return Ok(p.clone());
        }
        let p = PgPoolOptions::new()
            .max_connections(2)
            .connect_lazy(&self.url)
            .map_err(|e| LogsError::Store(e.to_string()))?;
        self.pool = Some(p.clone());
        Ok(p)
    }

    /// Creates the partitions of the days the batch falls in.
    async fn partitions(&mut self, pool: &PgPool, batch: &[Record]) -> Result<(), LogsError> {
        let days: HashSet<i64> = batch
            .iter()
            .map(|r| r.received.div_euclid(DAY_US))
            .filter(|d| !self.days.contains(d))
            .collect();
        for day in days {
            let name = chrono::DateTime::from_timestamp_micros(day * DAY_US)
                .map(|t| t.format("%Y%m%d").to_string())
                .unwrap_or_else(|| day.to_string());
            let sql = format!(
                "CREATE TABLE IF NOT EXISTS log_messages_d{name} PARTITION OF log_messages \
                 FOR VALUES FROM ({}) TO ({})",
                day * DAY_US,
                (day + 1) * DAY_US
            );
            match sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(pool).await {
                Ok(_) => {}
                // Another process made it a moment ago.
                Err(sqlx::Error::Database(e))
                    if matches!(e.code().as_deref(), Some("42P07" | "23505")) => {}
                Err(e) => return Err(e.into()),
            }
            self.days.insert(day);
        }
        Ok(())
    }

    pub async fn write(&mut self, batch: &[Record], gaps: &[Gap]) -> Result<Written, LogsError> {
        let pool = self.pool()?;
        self.partitions(&pool, batch).await?;
        let groups = by_entity(batch);
        let now = chrono::Utc::now().timestamp_micros();
        let mut tx = pool.begin().await?;
        let row = sqlx::query(
            "UPDATE log_counter SET next_message = next_message + $1, \
             next_batch = next_batch + $2 WHERE id = 1 \
             RETURNING next_message - $1, next_batch - $2",
        )
        .bind(batch.len() as i64)
        .bind(groups.len() as i64)
        .fetch_one(&mut *tx)
        .await?;
        let (mut next_id, mut next_batch): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
        let mut messages = String::with_capacity(batch.len() * 400);
        let mut access = String::new();
        let mut blocks = Vec::with_capacity(groups.len());
        let mut written = Written::default();
        for (entity, idx) in &groups {
            let prev: String =
                sqlx::query_scalar("SELECT hash FROM log_heads WHERE entity_id = $1")
                    .bind(entity)
                    .fetch_optional(&mut *tx)
                    .await?
                    .unwrap_or_else(|| GENESIS.to_owned());
            let first = next_id;
            let last = first + idx.len() as i64 - 1;
            let mut hasher = BatchHasher::new(*entity, next_batch, first, last, &prev);
            let (mut from, mut to) = (i64::MAX, i64::MIN);
            for &i in idx {
                let r = &batch[i];
                let id = next_id;
                next_id += 1;
                hasher.message(id, r.received, &r.peer, &r.raw);
                from = from.min(r.received);
                to = to.max(r.received);
                message_line(&mut messages, id, r);
                if let Some(a) = &r.access {
                    access_line(&mut access, id, r, a);
                    written.access += 1;
                }
            }
            blocks.push((
                next_batch,
                *entity,
                first,
                last,
                from,
                to,
                prev,
                hasher.finish(),
            ));
            next_batch += 1;
            written.messages += idx.len() as u64;
            if *entity == 0 {
                written.quarantined += idx.len() as u64;
            }
        }
        let mut copy = tx
            .copy_in_raw(
                "COPY log_messages (id, entity_id, source_id, received_at, peer, transport, \
                 format, facility, severity, ts, hostname, app, procid, msgid, raw) FROM STDIN",
            )
            .await?;
        copy.send(messages.into_bytes()).await?;
        copy.finish().await?;
        if !access.is_empty() {
            let mut copy = tx
                .copy_in_raw(
                    "COPY log_access (message_id, entity_id, at, username, target_user, \
                     from_addr, host, action, outcome, method, family, code, detail) FROM STDIN",
                )
                .await?;
            copy.send(access.into_bytes()).await?;
            copy.finish().await?;
        }
        for (id, entity, first, last, from, to, prev, hash) in &blocks {
            sqlx::query(
                "INSERT INTO log_batches (id, entity_id, first_id, last_id, received_from, \
                 received_to, prev_hash, hash, committed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(entity)
            .bind(first)
            .bind(last)
            .bind(from)
            .bind(to)
            .bind(prev)
            .bind(hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO log_heads (entity_id, batch_id, hash) VALUES ($1, $2, $3) \
                 ON CONFLICT (entity_id) DO UPDATE SET batch_id = excluded.batch_id, \
                 hash = excluded.hash",
            )
            .bind(entity)
            .bind(id)
            .bind(hash)
            .execute(&mut *tx)
            .await?;
        }
        for g in gaps {
            sqlx::query(
                "INSERT INTO log_gaps (entity_id, peer, app, expected, got, at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(g.entity_id)
            .bind(clean(&g.peer))
            .bind(clean(&g.app))
            .bind(g.expected as i64)
            .bind(g.got as i64)
            .bind(g.at)
            .execute(&mut *tx)
            .await?;
        }
        for (key, (entity, source, at, n)) in seen_of(batch) {
            sqlx::query(
                "INSERT INTO log_seen (source_key, entity_id, source_id, last_at, messages) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source_key) DO UPDATE SET \
                 entity_id = excluded.entity_id, source_id = excluded.source_id, \
                 last_at = greatest(log_seen.last_at, excluded.last_at), \
                 messages = log_seen.messages + excluded.messages",
            )
            .bind(clean(&key))
            .bind(entity)
            .bind(source)
            .bind(at)
            .bind(n)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(written)
    }
}

/// Text PostgreSQL can hold: NUL becomes U+FFFD (the raw bytes keep the original).
fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\0') {
        s.replace('\0', "\u{FFFD}").into()
    } else {
        s.into()
    }
}

/// One field in COPY's text format: `\N` for none, backslash escapes otherwise.
fn field(out: &mut String, v: Option<&str>) {
    let Some(v) = v else {
        out.push_str("\\N");
        return;
    };
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

fn int(out: &mut String, v: Option<i64>) {
    match v {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push_str("\\N"),
    }
}

fn message_line(out: &mut String, id: i64, r: &Record) {
    let m = &r.message;
    int(out, Some(id));
    out.push('\t');
    int(out, Some(r.entity_id));
    out.push('\t');
    int(out, r.source_id);
    out.push('\t');
    int(out, Some(r.received));
    out.push('\t');
    field(out, Some(&r.peer));
    out.push('\t');
    field(out, Some(r.transport.as_str()));
    out.push('\t');
    field(out, Some(format_name(m.format)));
    out.push('\t');
    int(out, m.facility.map(i64::from));
    out.push('\t');
    int(out, m.severity.map(i64::from));
    out.push('\t');
    int(out, m.timestamp.map(|t| t.timestamp_micros()));
    out.push('\t');
    field(out, m.hostname.as_deref());
    out.push('\t');
    field(out, m.app.as_deref());
    out.push('\t');
    field(out, m.procid.as_deref());
    out.push('\t');
    field(out, m.msgid.as_deref());
    out.push('\t');
    // bytea in hex, its backslash escaped for COPY.
    out.push_str("\\\\x");
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in &r.raw {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out.push('\n');
}

fn access_line(out: &mut String, id: i64, r: &Record, a: &syslog::AccessEvent) {
    let m = &r.message;
    int(out, Some(id));
    out.push('\t');
    int(out, Some(r.entity_id));
    out.push('\t');
    int(
        out,
        Some(m.timestamp.map_or(r.received, |t| t.timestamp_micros())),
    );
    for v in [
        Some(a.user.as_str()),
        a.target_user.as_deref(),
        a.from.as_deref(),
        a.host.as_deref().or(m.hostname.as_deref()),
        Some(a.action.as_str()),
        Some(a.outcome.as_str()),
        a.method.as_deref(),
        Some(a.family),
        a.code.as_deref(),
        a.detail.as_deref(),
    ] {
        out.push('\t');
        field(out, v);
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_would_break_a_row() {
        let mut out = String::new();
        field(&mut out, Some("a\tb\nc\\d\re\0"));
        assert_eq!(out, "a\\tb\\nc\\\\d\\re\u{FFFD}");
        let mut none = String::new();
        field(&mut none, None);
        int(&mut none, None);
        assert_eq!(none, "\\N\\N");
    }
}
