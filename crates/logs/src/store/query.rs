//! Reads of the log store: an entity's messages (its segments read in the period asked, newest
//! first, filtered as they are unpacked) and access events (rows, indexed), with their total;
//! the quarantine by peer. Scope is checked by the caller against the main database (the log
//! store has no accounts): these functions take an entity the actor may see.

use serde::Serialize;
use sqlx::Row;

pub use crate::store::access::{access_events, AccessFilter, AccessLine};

use crate::store::segment::{unpack, Segment, Stored};
use crate::store::{decode, instant, LogStore};
use crate::LogsError;

/// What the person filters by. Times are µs since the epoch; `to` is exclusive.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub entity_id: i64,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Text the raw message contains (as bytes, case-sensitive).
    pub q: Option<String>,
    pub host: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LogLine {
    pub id: i64,
    /// When cst received it (UTC).
    pub received_at: String,
    /// The address it came from.
    pub peer: String,
    pub source_id: Option<i64>,
    pub transport: String,
    /// `rfc5424`, `rfc3164` or `unknown`.
    pub format: String,
    pub facility: Option<i64>,
    pub severity: Option<i64>,
    /// The time the message states, when it states one that could be read.
    pub timestamp: Option<String>,
    pub hostname: Option<String>,
    pub app: Option<String>,
    pub procid: Option<String>,
    pub msgid: Option<String>,
    /// The raw message as text (UTF-8, or Latin-1 when it is not UTF-8).
    pub text: String,
    pub latin1: bool,
}

pub(crate) const MAX_PAGE: i64 = 500;

/// An entity's messages, newest first, and how many match. Messages from an address that
/// waited in quarantine before its source was registered are read where they were stored.
pub async fn messages(store: &LogStore, f: &LogFilter) -> Result<(Vec<LogLine>, i64), LogsError> {
    use futures_util::TryStreamExt;
    let assigned: Vec<String> = if f.entity_id == 0 {
        Vec::new()
    } else {
        sqlx::query_scalar("SELECT peer FROM log_assignments WHERE entity_id = $1")
            .bind(f.entity_id)
            .fetch_all(&store.pool)
            .await?
    };
    let unassigned: Vec<String> = if f.entity_id == 0 {
        sqlx::query_scalar("SELECT peer FROM log_assignments")
            .fetch_all(&store.pool)
            .await?
    } else {
        Vec::new()
    };
    let entities = if assigned.is_empty() {
        "entity_id = $1"
    } else {
        "(entity_id = $1 OR entity_id = 0)"
    };
    let sql = format!(
        "SELECT id, entity_id, first_id, data FROM log_segments WHERE {entities} \
         AND received_to >= $2 AND received_from < $3 ORDER BY id DESC"
    );
    let needle = f.q.as_deref().map(str::as_bytes).filter(|q| !q.is_empty());
    let finder = needle.map(memchr::memmem::Finder::new);
    let (limit, offset) = (f.limit.clamp(1, MAX_PAGE), f.offset.max(0));
    let mut total = 0i64;
    let mut items = Vec::new();
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(f.entity_id)
        .bind(f.from.unwrap_or(i64::MIN))
        .bind(f.to.unwrap_or(i64::MAX))
        .fetch(&store.pool);
    while let Some(r) = rows.try_next().await? {
        let entity: i64 = r.try_get(1)?;
        let first: i64 = r.try_get(2)?;
        let data: Vec<u8> = r.try_get(3)?;
        let Ok(data) = unpack(&data) else {
            continue;
        };
        let Ok(seg) = Segment::read(&data) else {
            continue;
        };
        let mut in_seg: Vec<_> = seg.messages().filter_map(Result::ok).collect();
        in_seg.reverse();
        for m in in_seg {
            if entity == 0 && f.entity_id != 0 && !assigned.iter().any(|p| p == m.peer) {
                continue;
            }
            if entity == 0 && f.entity_id == 0 && unassigned.iter().any(|p| p == m.peer) {
                continue;
            }
            if f.from.is_some_and(|t| m.received < t) || f.to.is_some_and(|t| m.received >= t) {
                continue;
            }
            if finder.as_ref().is_some_and(|fd| fd.find(m.raw).is_none()) {
                continue;
            }
            let line = if f.host.is_some() || (total >= offset && (items.len() as i64) < limit) {
                Some(line_of(first, &m))
            } else {
                None
            };
            if let Some(h) = &f.host {
                if line.as_ref().and_then(|l| l.hostname.as_deref()) != Some(h.as_str()) {
                    continue;
                }
            }
            if total >= offset && (items.len() as i64) < limit {
                items.extend(line);
            }
            total += 1;
        }
    }
    Ok((items, total))
}

fn line_of(first: i64, m: &Stored<'_>) -> LogLine {
    line_parsed(first, m, parsed(m))
}

/// A stored message parsed again (the time zone was applied at receipt: `stated`).
pub(crate) fn parsed(m: &Stored<'_>) -> syslog::Message {
    let at = chrono::DateTime::from_timestamp_micros(m.received).unwrap_or_default();
    syslog::parse(m.raw, at, &syslog::SourceTime::default())
}

pub(crate) fn line_parsed(first: i64, m: &Stored<'_>, p: syslog::Message) -> LogLine {
    LogLine {
        id: first + i64::from(m.index),
        received_at: instant(m.received),
        peer: m.peer.to_owned(),
        source_id: m.source_id,
        transport: m.transport.as_str().to_owned(),
        format: match p.format {
            syslog::Format::Rfc5424 => "rfc5424",
            syslog::Format::Rfc3164 => "rfc3164",
            syslog::Format::Unknown => "unknown",
        }
        .to_owned(),
        facility: p.facility.map(i64::from),
        severity: p.severity.map(i64::from),
        timestamp: m.stated.map(instant),
        hostname: p.hostname,
        app: p.app,
        procid: p.procid,
        msgid: p.msgid,
        text: p.text,
        latin1: p.latin1,
    }
}

/// Messages from one unknown peer, waiting in quarantine.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuarantinedPeer {
    pub peer: String,
    pub messages: i64,
    pub first_at: String,
    pub last_at: String,
    /// The latest message's text.
    pub sample: String,
}

/// The newest quarantine segments read to list the unknown senders.
const QUARANTINE_SCAN: i64 = 2_000;

pub async fn quarantine(store: &LogStore) -> Result<Vec<QuarantinedPeer>, LogsError> {
    let assigned: Vec<String> = sqlx::query_scalar("SELECT peer FROM log_assignments")
        .fetch_all(&store.pool)
        .await?;
    let rows =
        sqlx::query("SELECT data FROM log_segments WHERE entity_id = 0 ORDER BY id DESC LIMIT $1")
            .bind(QUARANTINE_SCAN)
            .fetch_all(&store.pool)
            .await?;
    // peer → (count, first, last, latest text)
    let mut by_peer: std::collections::HashMap<String, (i64, i64, i64, String)> =
        std::collections::HashMap::new();
    for r in rows {
        let data: Vec<u8> = r.try_get(0)?;
        let Ok(data) = unpack(&data) else {
            continue;
        };
        let Ok(seg) = Segment::read(&data) else {
            continue;
        };
        for m in seg.messages().filter_map(Result::ok) {
            if assigned.iter().any(|p| p == m.peer) {
                continue;
            }
            let e = by_peer.entry(m.peer.to_owned()).or_insert((
                0,
                m.received,
                m.received,
                String::new(),
            ));
            e.0 += 1;
            e.1 = e.1.min(m.received);
            if m.received >= e.2 || e.3.is_empty() {
                e.2 = m.received;
                e.3 = decode(m.raw).0;
            }
        }
    }
    let mut out: Vec<QuarantinedPeer> = by_peer
        .into_iter()
        .map(|(peer, (messages, first, last, sample))| QuarantinedPeer {
            peer,
            messages,
            first_at: instant(first),
            last_at: instant(last),
            sample,
        })
        .collect();
    out.sort_by(|a, b| b.last_at.cmp(&a.last_at).then(a.peer.cmp(&b.peer)));
    out.truncate(500);
    Ok(out)
}

/// Gives the quarantined messages of the peers inside `network` to a newly registered source:
/// they stay in the segments (and under the hashes) they were stored in, and are read as the
/// entity's from there on; their access events move. Returns how many messages.
pub async fn assign_quarantine(
    store: &LogStore,
    network: &crate::Cidr,
    entity_id: i64,
    source_id: i64,
) -> Result<u64, LogsError> {
    use futures_util::TryStreamExt;
    let taken: Vec<String> = sqlx::query_scalar("SELECT peer FROM log_assignments")
        .fetch_all(&store.pool)
        .await?;
    let mut counts: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut rows =
        sqlx::query("SELECT data FROM log_segments WHERE entity_id = 0").fetch(&store.pool);
    while let Some(r) = rows.try_next().await? {
        let data: Vec<u8> = r.try_get(0)?;
        let Ok(data) = unpack(&data) else {
            continue;
        };
        let Ok(seg) = Segment::read(&data) else {
            continue;
        };
        for m in seg.messages().filter_map(Result::ok) {
            let inside = m
                .peer
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| network.contains(ip));
            if inside && !taken.iter().any(|p| p == m.peer) {
                *counts.entry(m.peer.to_owned()).or_default() += 1;
            }
        }
    }
    drop(rows);
    let now = chrono::Utc::now().timestamp_micros();
    let mut tx = store.pool.begin().await?;
    for peer in counts.keys() {
        sqlx::query(
            "INSERT INTO log_assignments (peer, entity_id, source_id, assigned_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(peer)
        .bind(entity_id)
        .bind(source_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE log_access SET entity_id = $1 WHERE entity_id = 0 AND peer = $2")
            .bind(entity_id)
            .bind(peer)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(counts.values().sum())
}

/// When each source and each unknown peer last sent something.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Seen {
    pub source_id: Option<i64>,
    pub entity_id: i64,
    pub last_at: String,
    pub messages: i64,
}

pub async fn seen(store: &LogStore, entity_id: i64) -> Result<Vec<Seen>, LogsError> {
    let rows = sqlx::query(
        "SELECT source_id, entity_id, last_at, messages FROM log_seen WHERE entity_id = $1 \
         ORDER BY source_key",
    )
    .bind(entity_id)
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Seen {
                source_id: r.try_get(0)?,
                entity_id: r.try_get(1)?,
                last_at: instant(r.try_get(2)?),
                messages: r.try_get(3)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
