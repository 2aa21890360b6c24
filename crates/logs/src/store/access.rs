//! Access events: "the accesses of administrator X on entity Y in a month", with their total.
//! One SQL text for both databases; on SQLite it runs through a rusqlite read connection on a
//! blocking thread (`LogStore::read_sqlite`), on PostgreSQL through the sqlx pool. On SQLite the
//! table is clustered by entity, account and time (`WITHOUT ROWID`, see `store.rs`), so one
//! account's month is a run of neighbouring pages, read whole, even from a cold file.

use serde::Serialize;
use sqlx::any::AnyArguments;
use sqlx::{Arguments, Row};

use crate::store::query::MAX_PAGE;
use crate::store::{instant, LogStore};
use crate::LogsError;

#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    pub entity_id: i64,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub user: Option<String>,
    /// Only these accounts (the entity's named administrators); empty: any.
    pub accounts: Vec<String>,
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

/// An argument of the statement, bound by either driver.
#[derive(Debug, Clone)]
enum Arg {
    Int(i64),
    Text(String),
}

impl rusqlite::ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        match self {
            Arg::Int(v) => v.to_sql(),
            Arg::Text(v) => v.to_sql(),
        }
    }
}

/// Conditions and their arguments, numbered `$1`, `$2`… as they are added (SQLite reads `$N`
/// as a parameter too, numbered in order of appearance).
struct Where {
    sql: String,
    args: Vec<Arg>,
}

impl Where {
    fn of(f: &AccessFilter) -> Where {
        let mut w = Where {
            sql: "entity_id = $1".into(),
            args: vec![Arg::Int(f.entity_id)],
        };
        if let Some(u) = &f.user {
            w.push("username = ", Arg::Text(u.clone()));
        }
        if !f.accounts.is_empty() {
            let mut list = Vec::new();
            for a in &f.accounts {
                w.args.push(Arg::Text(a.clone()));
                list.push(format!("${}", w.args.len()));
            }
            w.sql
                .push_str(&format!(" AND username IN ({})", list.join(", ")));
        }
        if let Some(v) = f.from {
            w.push("at >= ", Arg::Int(v));
        }
        if let Some(v) = f.to {
            w.push("at < ", Arg::Int(v));
        }
        if let Some(h) = &f.host {
            w.push("host = ", Arg::Text(h.clone()));
        }
        if let Some(o) = &f.outcome {
            w.push("outcome = ", Arg::Text(o.clone()));
        }
        w
    }

    fn push(&mut self, cond: &str, v: Arg) {
        self.args.push(v);
        self.sql
            .push_str(&format!(" AND {cond}${}", self.args.len()));
    }

    fn any_args(&self) -> AnyArguments {
        let mut out = AnyArguments::default();
        for a in &self.args {
            let _ = match a {
                Arg::Int(v) => out.add(*v),
                Arg::Text(v) => out.add(v.clone()),
            };
        }
        out
    }
}

/// A row of [`COLUMNS`] as an [`AccessLine`], with either driver's getter.
macro_rules! access_line {
    ($r:ident, $get:ident) => {
        AccessLine {
            id: $r.$get(0)?,
            message_id: $r.$get(1)?,
            at: instant($r.$get(2)?),
            user: $r.$get(3)?,
            target_user: $r.$get(4)?,
            from: $r.$get(5)?,
            host: $r.$get(6)?,
            action: $r.$get(7)?,
            outcome: $r.$get(8)?,
            method: $r.$get(9)?,
            family: $r.$get(10)?,
            code: $r.$get(11)?,
            detail: $r.$get(12)?,
        }
    };
}

const COLUMNS: &str = "id, message_id, at, username, target_user, from_addr, host, action, \
                       outcome, method, family, code, detail";

/// An entity's access events matching `f`, newest first, one page, and how many match.
pub async fn access_events(
    store: &LogStore,
    f: &AccessFilter,
) -> Result<(Vec<AccessLine>, i64), LogsError> {
    let mut w = Where::of(f);
    let count = format!(
        "SELECT CAST(count(*) AS BIGINT) FROM log_access WHERE {}",
        w.sql
    );
    let n = w.args.len();
    let page = format!(
        "SELECT {COLUMNS} FROM log_access WHERE {} ORDER BY at DESC, id DESC \
         LIMIT ${} OFFSET ${}",
        w.sql,
        n + 1,
        n + 2
    );
    let (limit, offset) = (f.limit.clamp(1, MAX_PAGE), f.offset.max(0));
    if store.readers.is_some() {
        return store
            .read_sqlite(move |conn| {
                let total: i64 = conn
                    .prepare_cached(&count)?
                    .query_row(rusqlite::params_from_iter(&w.args), |r| r.get(0))?;
                w.args.push(Arg::Int(limit));
                w.args.push(Arg::Int(offset));
                let mut st = conn.prepare_cached(&page)?;
                let items = st
                    .query_map(rusqlite::params_from_iter(&w.args), |r| {
                        Ok(access_line!(r, get))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((items, total))
            })
            .await;
    }
    let total: i64 = sqlx::query_scalar_with(sqlx::AssertSqlSafe(count), w.any_args())
        .fetch_one(&store.pool)
        .await?;
    w.args.push(Arg::Int(limit));
    w.args.push(Arg::Int(offset));
    let rows = sqlx::query_with(sqlx::AssertSqlSafe(page), w.any_args())
        .fetch_all(&store.pool)
        .await?;
    let items = rows
        .iter()
        .map(|r| Ok(access_line!(r, try_get)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((items, total))
}
