//! Background jobs in our own database: enqueued inside the transaction of the business change
//! that needs them (so a job exists exactly when the change committed), claimed atomically,
//! retried with exponential backoff, idempotent by key, and surviving restarts (a job claimed
//! by a process that died is claimed again when its lease runs out).
//!
//! The queue's bookkeeping (claims, attempts, errors) is operational state, not business data:
//! it is not audited; the change that enqueued the job is.

pub mod admin;
pub mod schedule;

pub use schedule::Schedule;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use db::{Backend, Db, WriteTx};
use serde::Serialize;
use sqlx::Row;
use tokio::sync::Notify;

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
    #[error("job payload not valid JSON: {0}")]
    Payload(#[from] serde_json::Error),
}

/// A job as claimed by a worker.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    /// 1 on the first run.
    pub attempt: i64,
}

/// A job's state as stored (for pages and tests).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JobInfo {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub attempts: i64,
    pub run_at: String,
    pub last_error: Option<String>,
}

/// Queues a job inside the caller's transaction, to run at `run_at` (now when `None`). With an
/// idempotency key, a second job with the same key is not queued (returns `None`).
pub async fn enqueue(
    tx: &mut WriteTx,
    kind: &str,
    payload: &impl Serialize,
    key: Option<&str>,
    run_at: Option<DateTime<Utc>>,
) -> Result<Option<i64>, JobError> {
    let payload = serde_json::to_string(payload)?;
    let now = kernel::time::now();
    let run_at = run_at.map_or_else(|| now.clone(), kernel::time::format);
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, idempotency_key, state, attempts, run_at, created_at, updated_at) \
         VALUES ($1, $2, $3, 'queued', 0, $4, $5, $5) \
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(kind)
    .bind(payload)
    .bind(key)
    .bind(run_at)
    .bind(now)
    .fetch_optional(tx.conn())
    .await?;
    Ok(id)
}

/// How a failed job is retried.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts in all, the first included; after the last the job is `failed`.
    pub max_attempts: i64,
    /// Delay after the first failure; doubled after each further one.
    pub first_delay: Duration,
    /// The delay never exceeds this.
    pub max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            first_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(6 * 3600),
        }
    }
}

impl Retry {
    /// The delay before the next attempt after `attempt` failed.
    pub fn delay(&self, attempt: i64) -> Duration {
        let shift = u32::try_from((attempt - 1).clamp(0, 30)).unwrap_or(30);
        self.first_delay
            .checked_mul(1u32 << shift)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

/// Claims the job due first among `kinds`, for `lease`: until then no other worker takes it;
/// after it (the process died mid-job) it is claimed again.
pub async fn claim(db: &Db, kinds: &[&str], lease: Duration) -> Result<Option<Job>, JobError> {
    let now = Utc::now();
    claim_due_by(db, kinds, lease, now, now).await
}

/// Claims the first job among `kinds` that was due by `due_by` (a job retried within this
/// round is due later, so a round tries each job once).
async fn claim_due_by(
    db: &Db,
    kinds: &[&str],
    lease: Duration,
    due_by: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<Job>, JobError> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(5));
    let marks: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 3)).collect();
    let lock = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $1, updated_at = $2 \
         WHERE id = (SELECT id FROM jobs WHERE kind IN ({}) AND \
           ((state = 'queued' AND run_at <= ${due}) OR (state = 'running' AND locked_until < $2)) \
           ORDER BY run_at, id LIMIT 1{lock}) \
         RETURNING id, kind, payload, attempts",
        marks.join(", "),
        due = kinds.len() + 3
    );
    let mut tx = db.write().await?;
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(kernel::time::format(until))
        .bind(kernel::time::format(now));
    for k in kinds {
        q = q.bind(*k);
    }
    q = q.bind(kernel::time::format(due_by));
    let row = q.fetch_optional(tx.conn()).await?;
    tx.commit().await?;
    Ok(match row {
        Some(r) => Some(Job {
            id: r.try_get(0)?,
            kind: r.try_get(1)?,
            payload: r.try_get(2)?,
            attempt: r.try_get(3)?,
        }),
        None => None,
    })
}

/// Marks a claimed job done.
pub async fn complete(db: &Db, id: i64) -> Result<(), JobError> {
    complete_at(db, id, Utc::now()).await
}

async fn complete_at(db: &Db, id: i64, now: DateTime<Utc>) -> Result<(), JobError> {
    let mut tx = db.write().await?;
    sqlx::query(
        "UPDATE jobs SET state = 'done', locked_until = NULL, last_error = NULL, updated_at = $1 WHERE id = $2",
    )
    .bind(kernel::time::format(now))
    .bind(id)
    .execute(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records a failed attempt: the job is queued again after the backoff delay, or `failed`
/// for good after the last attempt (or at once when `permanent`).
pub async fn fail(
    db: &Db,
    job: &Job,
    error: &str,
    retry: &Retry,
    permanent: bool,
) -> Result<(), JobError> {
    fail_at(db, job, error, retry, permanent, Utc::now()).await
}

async fn fail_at(
    db: &Db,
    job: &Job,
    error: &str,
    retry: &Retry,
    permanent: bool,
    now: DateTime<Utc>,
) -> Result<(), JobError> {
    let give_up = permanent || job.attempt >= retry.max_attempts;
    let next = now
        + chrono::Duration::from_std(retry.delay(job.attempt))
            .unwrap_or(chrono::Duration::hours(1));
    let mut tx = db.write().await?;
    sqlx::query(
        "UPDATE jobs SET state = $1, run_at = $2, locked_until = NULL, last_error = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(if give_up { "failed" } else { "queued" })
    .bind(kernel::time::format(next))
    .bind(error.chars().take(2000).collect::<String>())
    .bind(kernel::time::format(now))
    .bind(job.id)
    .execute(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How many jobs of a kind are in a state.
pub async fn count(db: &Db, kind: &str, state: &str) -> Result<i64, JobError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = $1 AND state = $2")
            .bind(kind)
            .bind(state)
            .fetch_one(db.pool())
            .await?,
    )
}

/// Jobs of a kind, newest first (at most `limit`).
pub async fn list(db: &Db, kind: &str, limit: i64) -> Result<Vec<JobInfo>, JobError> {
    let rows = sqlx::query(
        "SELECT id, kind, state, attempts, run_at, last_error FROM jobs WHERE kind = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(kind)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(job_info).collect()
}

/// A row of `SELECT id, kind, state, attempts, run_at, last_error FROM jobs`.
pub(crate) fn job_info(r: &sqlx::any::AnyRow) -> Result<JobInfo, JobError> {
    Ok(JobInfo {
        id: r.try_get(0)?,
        kind: r.try_get(1)?,
        state: r.try_get(2)?,
        attempts: r.try_get(3)?,
        run_at: r.try_get(4)?,
        last_error: r.try_get(5)?,
    })
}

/// What a handler reports when a job failed.
#[derive(Debug)]
pub enum Failure {
    /// Worth retrying (a server down, a timeout).
    Transient(String),
    /// Retrying cannot help (a malformed address): the job fails at once.
    Permanent(String),
}

pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), Failure>> + Send>>;
pub type Handler = Arc<dyn Fn(Job) -> HandlerFuture + Send + Sync>;

/// Runs the handlers of some job kinds until shut down.
pub struct Runner {
    db: Db,
    handlers: HashMap<String, (Handler, Retry)>,
    /// Wakes the runner at once when something was queued (else it polls).
    pub wake: Arc<Notify>,
    pub poll: Duration,
    pub lease: Duration,
    /// What the runner enqueues by itself (see [`schedule`]).
    schedules: Vec<Schedule>,
    /// The time the runner judges due jobs, leases, backoff and schedule slots by: the
    /// system's, or the one a test moves.
    clock: kernel::time::Clock,
}

impl Runner {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            handlers: HashMap::new(),
            wake: Arc::new(Notify::new()),
            poll: Duration::from_secs(2),
            lease: Duration::from_secs(300),
            schedules: Vec::new(),
            clock: kernel::time::Clock::system(),
        }
    }

    /// Judges time by `clock` (the application's; a test's fixed clock moves leases on).
    pub fn with_clock(mut self, clock: kernel::time::Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The runner's clock, for the handlers that judge time (the backup checks).
    pub fn clock(&self) -> &kernel::time::Clock {
        &self.clock
    }

    /// Runs `kind` on its own every `schedule.every` (its handler must be registered too).
    pub fn every(mut self, schedule: Schedule) -> Self {
        self.schedules.push(schedule);
        self
    }

    /// The schedules and the job kinds this runner serves (for the admin page).
    pub fn schedules(&self) -> &[Schedule] {
        &self.schedules
    }

    pub fn kinds(&self) -> Vec<String> {
        let mut k: Vec<String> = self.handlers.keys().cloned().collect();
        k.sort();
        k
    }

    pub fn handle(mut self, kind: &str, retry: Retry, h: Handler) -> Self {
        self.handlers.insert(kind.to_owned(), (h, retry));
        self
    }

    /// Runs every job that is due now; returns how many ran (for tests and `cst jobs run`).
    pub async fn run_due(&self) -> Result<usize, JobError> {
        let kinds: Vec<&str> = self.handlers.keys().map(String::as_str).collect();
        let mut n = 0;
        let round = self.clock.now();
        while let Some(job) =
            claim_due_by(&self.db, &kinds, self.lease, round, self.clock.now()).await?
        {
            n += 1;
            let Some((h, retry)) = self.handlers.get(&job.kind) else {
                continue;
            };
            match h(job.clone()).await {
                Ok(()) => complete_at(&self.db, job.id, self.clock.now()).await?,
                Err(Failure::Transient(e)) => {
                    tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempt, "job failed: {e}");
                    fail_at(&self.db, &job, &e, retry, false, self.clock.now()).await?;
                }
                Err(Failure::Permanent(e)) => {
                    tracing::error!(job = job.id, kind = %job.kind, "job failed for good: {e}");
                    fail_at(&self.db, &job, &e, retry, true, self.clock.now()).await?;
                }
            }
        }
        Ok(n)
    }

    /// Enqueues the schedules' due slots, then runs every job that is due (one round).
    pub async fn round(&self) -> Result<usize, JobError> {
        schedule::tick(&self.db, &self.schedules, self.clock.now()).await?;
        self.run_due().await
    }

    /// Runs rounds, waiting for a wake-up or the poll interval between them, until `shutdown`
    /// resolves.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            if let Err(e) = self.round().await {
                tracing::error!("job runner: {e}");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.poll) => {}
            }
        }
    }
}
