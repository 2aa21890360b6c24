//! Reads of the log store: an entity's messages and access events, filtered, newest first,
//! with their total; the quarantine by peer. Only the conditions asked for are written, each
//! bound. Scope is checked by the caller against the main database (the log store has no
//! accounts): these functions take an entity the actor may see.

use serde::Serialize;
use sqlx::any::AnyArguments;
use sqlx::{Arguments, Row};

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

#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    pub entity_id: i64,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub user: Option<String>,
    pub host: Option<String>,
    /// `success` or `failure`.
    pub outcome: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccessLine {
    pub id: i64,
    pub message_id: i64,
    /// When it happened: the message's time, else its receive time (UTC).
    pub at: String,
    pub user: String,
    pub target_user: Option<String>,
    pub from: Option<String>,
    pub host: Option<String>,
    /// `login`, `logout`, `session_open`, `session_close`, `privilege`.
    pub action: String,
    /// `success` or `failure`.
    pub outcome: String,
    pub method: Option<String>,
    /// The kind of system that said it: `sshd`, `windows`, `cisco-ios`…
    pub family: String,
    pub code: Option<String>,
    pub detail: Option<String>,
}

/// Conditions and their arguments, numbered as they are added.
struct Where {
    sql: String,
    args: AnyArguments,
    n: usize,
}

impl Where {
    fn new(entity_id: i64) -> Self {
        let mut args = AnyArguments::default();
        let _ = args.add(entity_id);
        Self {
            sql: "entity_id = $1".into(),
            args,
            n: 1,
        }
    }

    fn push<T>(&mut self, cond: &str, v: T)
    where
        T: 'static + Send + sqlx::Encode<'static, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        self.n += 1;
        self.sql.push_str(" AND ");
        self.sql
            .push_str(&cond.replace("$?", &format!("${}", self.n)));
        let _ = self.args.add(v);
    }
}

const MAX_PAGE: i64 = 500;

fn message_where(store: &LogStore, f: &LogFilter) -> Where {
    let mut w = Where::new(f.entity_id);
    if let Some(v) = f.from {
        w.push("received_at >= $?", v);
    }
    if let Some(v) = f.to {
        w.push("received_at < $?", v);
    }
    if let Some(h) = f.host.clone() {
        w.push("hostname = $?", h);
    }
    if let Some(q) = f.q.clone() {
        let cond = match store.backend() {
            db::Backend::Sqlite => "instr(raw, $?) > 0",
            db::Backend::Postgres => "position($? in raw) > 0",
        };
        w.push(cond, q.into_bytes());
    }
    w
}

pub async fn messages(store: &LogStore, f: &LogFilter) -> Result<(Vec<LogLine>, i64), LogsError> {
    let w = message_where(store, f);
    let total: i64 = sqlx::query_scalar_with(
        sqlx::AssertSqlSafe(format!(
            "SELECT CAST(count(*) AS BIGINT) FROM log_messages WHERE {}",
            w.sql
        )),
        w.args,
    )
    .fetch_one(&store.pool)
    .await?;
    let w = message_where(store, f);
    let mut args = w.args;
    let _ = args.add(f.limit.clamp(1, MAX_PAGE));
    let _ = args.add(f.offset.max(0));
    let rows = sqlx::query_with(
        sqlx::AssertSqlSafe(format!(
            "SELECT id, received_at, peer, source_id, transport, format, facility, severity, \
             ts, hostname, app, procid, msgid, raw FROM log_messages WHERE {} \
             ORDER BY received_at DESC, id DESC LIMIT ${} OFFSET ${}",
            w.sql,
            w.n + 1,
            w.n + 2
        )),
        args,
    )
    .fetch_all(&store.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let raw: Vec<u8> = r.try_get(13)?;
        let (text, latin1) = decode(&raw);
        out.push(LogLine {
            id: r.try_get(0)?,
            received_at: instant(r.try_get(1)?),
            peer: r.try_get(2)?,
            source_id: r.try_get(3)?,
            transport: r.try_get(4)?,
            format: r.try_get(5)?,
            facility: r.try_get(6)?,
            severity: r.try_get(7)?,
            timestamp: r.try_get::<Option<i64>, _>(8)?.map(instant),
            hostname: r.try_get(9)?,
            app: r.try_get(10)?,
            procid: r.try_get(11)?,
            msgid: r.try_get(12)?,
            text,
            latin1,
        });
    }
    Ok((out, total))
}

fn access_where(f: &AccessFilter) -> Where {
    let mut w = Where::new(f.entity_id);
    if let Some(u) = f.user.clone() {
        w.push("username = $?", u);
    }
    if let Some(v) = f.from {
        w.push("at >= $?", v);
    }
    if let Some(v) = f.to {
        w.push("at < $?", v);
    }
    if let Some(h) = f.host.clone() {
        w.push("host = $?", h);
    }
    if let Some(o) = f.outcome.clone() {
        w.push("outcome = $?", o);
    }
    w
}

pub async fn access_events(
    store: &LogStore,
    f: &AccessFilter,
) -> Result<(Vec<AccessLine>, i64), LogsError> {
    let w = access_where(f);
    let total: i64 = sqlx::query_scalar_with(
        sqlx::AssertSqlSafe(format!(
            "SELECT CAST(count(*) AS BIGINT) FROM log_access WHERE {}",
            w.sql
        )),
        w.args,
    )
    .fetch_one(&store.pool)
    .await?;
    let w = access_where(f);
    let mut args = w.args;
    let _ = args.add(f.limit.clamp(1, MAX_PAGE));
    let _ = args.add(f.offset.max(0));
    let rows = sqlx::query_with(
        sqlx::AssertSqlSafe(format!(
            "SELECT id, message_id, at, username, target_user, from_addr, host, action, outcome, \
             method, family, code, detail FROM log_access WHERE {} \
             ORDER BY at DESC, id DESC LIMIT ${} OFFSET ${}",
            w.sql,
            w.n + 1,
            w.n + 2
        )),
        args,
    )
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AccessLine {
                id: r.try_get(0)?,
                message_id: r.try_get(1)?,
                at: instant(r.try_get(2)?),
                user: r.try_get(3)?,
                target_user: r.try_get(4)?,
                from: r.try_get(5)?,
                host: r.try_get(6)?,
                action: r.try_get(7)?,
                outcome: r.try_get(8)?,
                method: r.try_get(9)?,
                family: r.try_get(10)?,
                code: r.try_get(11)?,
                detail: r.try_get(12)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
        .map(|v| (v, total))
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

pub async fn quarantine(store: &LogStore) -> Result<Vec<QuarantinedPeer>, LogsError> {
    let rows = sqlx::query(
        "SELECT peer, CAST(count(*) AS BIGINT), min(received_at), max(received_at), max(id) \
         FROM log_messages WHERE entity_id = 0 GROUP BY peer ORDER BY 4 DESC LIMIT 500",
    )
    .fetch_all(&store.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let last_id: i64 = r.try_get(4)?;
        let raw: Vec<u8> = sqlx::query_scalar("SELECT raw FROM log_messages WHERE id = $1")
            .bind(last_id)
            .fetch_one(&store.pool)
            .await?;
        out.push(QuarantinedPeer {
            peer: r.try_get(0)?,
            messages: r.try_get(1)?,
            first_at: instant(r.try_get(2)?),
            last_at: instant(r.try_get(3)?),
            sample: decode(&raw).0,
        });
    }
    Ok(out)
}

/// Moves the quarantined messages of the peers inside `network` to a newly registered source.
/// Their batches (and hashes) stay where they are: the hash does not cover the entity.
pub async fn assign_quarantine(
    store: &LogStore,
    network: &crate::Cidr,
    entity_id: i64,
    source_id: i64,
) -> Result<u64, LogsError> {
    let peers: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT peer FROM log_messages WHERE entity_id = 0")
            .fetch_all(&store.pool)
            .await?;
    let mut moved = 0;
    for p in peers {
        let inside = p
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| network.contains(ip));
        if !inside {
            continue;
        }
        let mut tx = store.pool.begin().await?;
        let n = sqlx::query(
            "UPDATE log_messages SET entity_id = $1, source_id = $2 \
             WHERE entity_id = 0 AND peer = $3",
        )
        .bind(entity_id)
        .bind(source_id)
        .bind(&p)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query(
            "UPDATE log_access SET entity_id = $1 WHERE entity_id = 0 AND message_id IN \
             (SELECT id FROM log_messages WHERE entity_id = $1 AND peer = $2)",
        )
        .bind(entity_id)
        .bind(&p)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        moved += n;
    }
    Ok(moved)
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
