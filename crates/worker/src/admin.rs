//! What an administrator does with the queue: see every job (queued, running, failed with the
//! last error, done), retry a failed one, cancel one that has not run. Retries and
//! cancellations are people's decisions, so they are audited (the queue's own bookkeeping is
//! not).

use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::Actor;
use sqlx::Row;

use crate::{JobError, JobInfo};

/// The states a job can be in.
pub const STATES: [&str; 5] = ["queued", "running", "failed", "done", "cancelled"];

/// Jobs, newest first, of one state or all (at most `limit`, 1 to 500).
pub async fn recent(db: &Db, state: Option<&str>, limit: i64) -> Result<Vec<JobInfo>, JobError> {
    let rows = sqlx::query(
        "SELECT id, kind, state, attempts, run_at, last_error FROM jobs \
         WHERE ($1 = '' OR state = $1) ORDER BY id DESC LIMIT $2",
    )
    .bind(state.unwrap_or(""))
    .bind(limit.clamp(1, 500))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(crate::job_info).collect()
}

/// The orders of the list of jobs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum JobSort {
    /// Newest first.
    #[default]
    Recent,
    /// By when it runs (or ran), latest first.
    RunAt,
    /// Most attempts first.
    Attempts,
}

impl JobSort {
    pub const ALL: [JobSort; 3] = [JobSort::Recent, JobSort::RunAt, JobSort::Attempts];

    pub fn as_str(self) -> &'static str {
        match self {
            JobSort::Recent => "recenti",
            JobSort::RunAt => "quando",
            JobSort::Attempts => "tentativi",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    fn sql(self, reverse: bool) -> String {
        let (_, desc) = db::directions(reverse);
        match self {
            JobSort::Recent => format!("id {desc}"),
            JobSort::RunAt => format!("run_at {desc}, id {desc}"),
            JobSort::Attempts => format!("attempts {desc}, id {desc}"),
        }
    }
}

/// What the list of jobs is asked for.
#[derive(Debug, Clone, Default)]
pub struct JobQuery {
    /// One of [`STATES`], or all.
    pub state: Option<String>,
    /// One kind of job, or all.
    pub kind: Option<String>,
    pub sort: JobSort,
    pub reverse: bool,
    pub limit: i64,
    pub offset: i64,
}

/// The most jobs a list counts exactly; past it the total reads "oltre 10.000".
pub const COUNT_CAP: i64 = 10_000;

/// One page of jobs, with the number matching (capped at [`COUNT_CAP`] + 1: the done jobs of
/// years of e-mail are many, and counting them all would read the whole table each time).
pub async fn page(db: &Db, q: &JobQuery) -> Result<(i64, Vec<JobInfo>), JobError> {
    let where_ = "($1 = '' OR state = $1) AND ($2 = '' OR kind = $2)";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM jobs WHERE {where_} LIMIT $3) AS matching"
    )))
    .bind(q.state.as_deref().unwrap_or(""))
    .bind(q.kind.as_deref().unwrap_or(""))
    .bind(COUNT_CAP + 1)
    .fetch_one(db.pool())
    .await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, kind, state, attempts, run_at, last_error FROM jobs WHERE {where_} \
         ORDER BY {} LIMIT $3 OFFSET $4",
        q.sort.sql(q.reverse)
    )))
    .bind(q.state.as_deref().unwrap_or(""))
    .bind(q.kind.as_deref().unwrap_or(""))
    .bind(q.limit.clamp(1, 1000))
    .bind(q.offset.max(0))
    .fetch_all(db.pool())
    .await?;
    Ok((
        total,
        rows.iter().map(crate::job_info).collect::<Result<_, _>>()?,
    ))
}

/// How many jobs are in each state, by kind: `(kind, state, count)`.
pub async fn counts(db: &Db) -> Result<Vec<(String, String, i64)>, JobError> {
    let rows = sqlx::query(
        "SELECT kind, state, COUNT(*) FROM jobs GROUP BY kind, state ORDER BY kind, state",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Why a retry or a cancellation was refused.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("attività {0} non trovata")]
    NotFound(i64),
    #[error("l'attività {id} è «{state}»: {what}")]
    Refused {
        id: i64,
        state: String,
        what: &'static str,
    },
    #[error("operazione riservata agli amministratori")]
    AdminOnly,
    #[error(transparent)]
    Job(#[from] JobError),
}

impl From<sqlx::Error> for ActionError {
    fn from(e: sqlx::Error) -> Self {
        Self::Job(JobError::Sql(e))
    }
}

impl kernel::Refusal for ActionError {
    fn kind(&self) -> kernel::Kind {
        match self {
            Self::NotFound(_) => kernel::Kind::NotFound,
            Self::Refused { .. } => kernel::Kind::Conflict,
            Self::AdminOnly => kernel::Kind::Forbidden,
            Self::Job(_) => kernel::Kind::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "job_not_found",
            Self::Refused { .. } => "job_action_refused",
            Self::AdminOnly => "admin_only",
            Self::Job(_) => "internal",
        }
    }
}

async fn act(
    db: &Db,
    actor: &Actor,
    id: i64,
    from: &[&str],
    to_sql: &str,
    action: &str,
    what: &'static str,
) -> Result<(), ActionError> {
    if !actor.is_admin() {
        return Err(ActionError::AdminOnly);
    }
    let mut tx = db.write().await.map_err(JobError::from)?;
    let state: Option<String> = sqlx::query_scalar("SELECT state FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    let state = state.ok_or(ActionError::NotFound(id))?;
    if !from.contains(&state.as_str()) {
        return Err(ActionError::Refused { id, state, what });
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE jobs SET {to_sql}, locked_until = NULL, updated_at = $1 WHERE id = $2"
    )))
    .bind(kernel::time::now())
    .bind(id)
    .execute(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: action.into(),
            object_type: "job".into(),
            object_id: id.to_string(),
            entity_id: None,
            before: Some(state),
            after: None,
        },
    )
    .await?;
    tx.commit().await.map_err(JobError::from)?;
    Ok(())
}

/// A failed (or cancelled) job runs again now, with its attempts counted from zero.
pub async fn retry(db: &Db, actor: &Actor, id: i64) -> Result<(), ActionError> {
    act(
        db,
        actor,
        id,
        &["failed", "cancelled"],
        "state = 'queued', attempts = 0, run_at = $1",
        "job.retry",
        "si ripete solo un'attività non riuscita o annullata",
    )
    .await
}

/// A job that has not run yet (queued, or failed waiting for a retry) will never run.
pub async fn cancel(db: &Db, actor: &Actor, id: i64) -> Result<(), ActionError> {
    act(
        db,
        actor,
        id,
        &["queued", "failed"],
        "state = 'cancelled'",
        "job.cancel",
        "si annulla solo un'attività in coda o non riuscita",
    )
    .await
}

/// How many jobs failed for good (read from the `jobs_due` index).
pub async fn failed_count(db: &Db) -> Result<i64, JobError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state = 'failed'")
            .fetch_one(db.pool())
            .await?,
    )
}
