//! The PostgreSQL writer: a batch in one transaction, one segment row per entity, the access
//! events sent with `COPY … FROM STDIN` (text format). The counter row `log_counter` hands out
//! contiguous ids and segment numbers and, being locked until commit, orders the chains when
//! several `cst serve` processes write at once. Each day's partition of `log_segments` is
//! created before its first row.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Row;

use crate::ingest::{Gap, Record, Written};
use crate::store::batch::{access_at, build, by_entity, recycle, seen_of};
use crate::store::{Location, LogStore};
use crate::LogsError;

const DAY_US: i64 = 86_400_000_000;

pub struct PgWriter {
    pool: Option<PgPool>,
    url: String,
    days: HashSet<i64>,
    spare: Vec<Vec<u8>>,
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
            spare: Vec::new(),
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

    /// Creates the partitions of the days the segments start in.
    async fn partitions(&mut self, pool: &PgPool, starts: &[i64]) -> Result<(), LogsError> {
        let days: HashSet<i64> = starts
            .iter()
            .map(|t| t.div_euclid(DAY_US))
            .filter(|d| !self.days.contains(d))
            .collect();
        for day in days {
            let name = chrono::DateTime::from_timestamp_micros(day * DAY_US)
                .map(|t| t.format("%Y%m%d").to_string())
                .unwrap_or_else(|| day.to_string());
            let sql = format!(
                "CREATE TABLE IF NOT EXISTS log_segments_d{name} PARTITION OF log_segments \
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
        let groups = by_entity(batch);
        let starts: Vec<i64> = groups
            .values()
            .filter_map(|idx| idx.iter().map(|&i| batch[i].received).min())
            .collect();
        self.partitions(&pool, &starts).await?;
        let now = chrono::Utc::now().timestamp_micros();
        let mut tx = pool.begin().await?;
        let row = sqlx::query(
            "UPDATE log_counter SET next_message = next_message + $1, \
             next_segment = next_segment + $2 WHERE id = 1 \
             RETURNING next_message - $1, next_segment - $2",
        )
        .bind(batch.len() as i64)
        .bind(groups.len() as i64)
        .fetch_one(&mut *tx)
        .await?;
        let (next_id, next_segment): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
        let entities: Vec<i64> = groups.keys().copied().collect();
        let heads: HashMap<i64, String> =
            sqlx::query_as("SELECT entity_id, hash FROM log_heads WHERE entity_id = ANY($1)")
                .bind(&entities)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .collect();
        let built = build(
            batch,
            &groups,
            next_id,
            next_segment,
            &heads,
            &mut self.spare,
        );
        let mut access = String::new();
        let mut written = Written::default();
        for b in &built {
            sqlx::query(
                "INSERT INTO log_segments (id, entity_id, first_id, last_id, received_from, \
                 received_to, prev_hash, hash, committed_at, data) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(b.id)
            .bind(b.entity)
            .bind(b.first)
            .bind(b.last)
            .bind(b.from)
            .bind(b.to)
            .bind(&b.prev)
            .bind(&b.hash)
            .bind(now)
            .bind(&b.data)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO log_heads (entity_id, segment_id, hash) VALUES ($1, $2, $3) \
                 ON CONFLICT (entity_id) DO UPDATE SET segment_id = excluded.segment_id, \
                 hash = excluded.hash",
            )
            .bind(b.entity)
            .bind(b.id)
            .bind(&b.hash)
            .execute(&mut *tx)
            .await?;
            for &(message_id, i) in &b.access {
                if let Some(a) = &batch[i].access {
                    access_line(&mut access, message_id, b.id, &batch[i], a);
                    written.access += 1;
                }
            }
            let n = (b.last - b.first + 1) as u64;
            written.messages += n;
            if b.entity == 0 {
                written.quarantined += n;
            }
        }
        if !access.is_empty() {
            let mut copy = tx
                .copy_in_raw(
                    "COPY log_access (message_id, segment_id, entity_id, peer, at, username, \
                     target_user, from_addr, host, action, outcome, method, family, code, detail) \
                     FROM STDIN",
                )
                .await?;
            copy.send(access.into_bytes()).await?;
            copy.finish().await?;
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
        recycle(built, &mut self.spare);
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

fn access_line(out: &mut String, id: i64, segment: i64, r: &Record, a: &syslog::AccessEvent) {
    int(out, Some(id));
    out.push('\t');
    int(out, Some(segment));
    out.push('\t');
    int(out, Some(r.entity_id));
    out.push('\t');
    field(out, Some(&r.peer));
    out.push('\t');
    int(out, Some(access_at(r)));
    for v in [
        Some(a.user.as_str()),
        a.target_user.as_deref(),
        a.from.as_deref(),
        a.host.as_deref(),
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
