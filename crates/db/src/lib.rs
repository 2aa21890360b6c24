//! The database: one connection pool over SQLite (embedded, the default) or PostgreSQL,
//! chosen at run time from the URL; forward-only migrations for both; write transactions;
//! the audit chain's storage; and portable backup archives.
//!
//! **Boundary:** capability crates keep their SQL in their own `store.rs` and reach the
//! database only through [`Db`] and [`WriteTx`]. All SQL is portable: `$1` placeholders,
//! `BIGINT` integers, text timestamps (see `kernel::time`), money as integer cents.
//!
//! **Invariant:** every write goes through [`Db::write`], and every change to stored data
//! appends an audit record ([`audit::append`]) in the same transaction.

pub mod audit;
pub mod backup;
pub mod files;
pub mod json;
mod migrate;
pub mod scope;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub use migrate::{migrations, Migration};
pub use sqlx;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database URL «{0}» not understood: use sqlite://FILE or postgres://USER@HOST/DB")]
    BadUrl(String),
    #[error("cannot open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("migration {version} ({name}) was changed after it was applied to this database")]
    MigrationChanged { version: i64, name: String },
    #[error("this database has migration {0}, newer than this program knows: upgrade cst")]
    MigrationUnknown(i64),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// The shared handle to the database. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time: writers queue here instead of failing with
    /// `database is locked`. PostgreSQL writers run concurrently.
    write_lock: Arc<tokio::sync::Mutex<()>>,
    /// Unique in the process: lets caches keep apart values of different databases.
    instance: u64,
}

static INSTANCES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A write transaction. Dropped without [`WriteTx::commit`] it rolls back.
pub struct WriteTx {
    tx: Transaction<'static, sqlx::Any>,
    _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
    pub backend: Backend,
}

impl WriteTx {
    pub fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

/// Turns a plain path or `sqlite:` URL into one sqlx understands, creating the file if needed.
pub fn normalize_url(url: &str) -> Result<(String, Backend), DbError> {
    let u = url.trim();
    if u.starts_with("postgres://") || u.starts_with("postgresql://") {
        return Ok((u.to_owned(), Backend::Postgres));
    }
    let path = u
        .strip_prefix("sqlite://")
        .or_else(|| u.strip_prefix("sqlite:"))
        .unwrap_or(u);
    if path.is_empty() || u.contains("://") && !u.starts_with("sqlite://") {
        return Err(DbError::BadUrl(u.to_owned()));
    }
    let (file, query) = path.split_once('?').unwrap_or((path, ""));
    let mut q = query.to_owned();
    if !q.contains("mode=") {
        if !q.is_empty() {
            q.push('&');
        }
        q.push_str("mode=rwc");
    }
    Ok((format!("sqlite://{file}?{q}"), Backend::Sqlite))
}

impl Db {
    /// Opens the pool. SQLite runs in WAL mode with foreign keys on; readers never block the
    /// writer. Does not migrate: call [`Db::migrate`].
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalize_url(url)?;
        let opts = AnyConnectOptions::from_str(&url).map_err(|_| DbError::BadUrl(url.clone()))?;
        let max = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        sqlx::raw_sql(
                            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                             PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
                        )
                        .execute(&mut *conn)
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await
            .map_err(DbError::Connect)?;
        Ok(Db {
            pool,
            backend,
            write_lock: Arc::new(tokio::sync::Mutex::new(())),
            instance: INSTANCES.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        })
    }

    /// This pool's number in the process (clones share it): a cache key part, so that values
    /// read from one database are never served for another.
    pub fn instance(&self) -> u64 {
        self.instance
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// For reads. Writes go through [`Db::write`].
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction (on SQLite `BEGIN IMMEDIATE`, one writer at a time).
    pub async fn write(&self) -> Result<WriteTx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => {
                let guard = self.write_lock.clone().lock_owned().await;
                let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(WriteTx {
                    tx,
                    _guard: Some(guard),
                    backend: self.backend,
                })
            }
            Backend::Postgres => Ok(WriteTx {
                tx: self.pool.begin().await?,
                _guard: None,
                backend: self.backend,
            }),
        }
    }

    /// A read-only snapshot: every query in it sees the same committed state.
    pub async fn snapshot(&self) -> Result<Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN DEFERRED").await,
            Backend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// True when the error is a violated unique constraint (both databases).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.is_unique_violation()
                || d.message().contains("UNIQUE constraint failed")
                || d.code().as_deref() == Some("23505")
        }
        _ => false,
    }
}

/// A unique violation as the field it is about, among `fields` (the column names a store may
/// violate), for a refusal that names it: "valid_from" for `price_lists.valid_from`.
pub fn unique_field(e: &sqlx::Error, fields: &[&'static str]) -> Option<&'static str> {
    if !is_unique_violation(e) {
        return None;
    }
    let c = violated_constraint(e).unwrap_or_default();
    // Longest first: `valid_from_year` before `valid_from`.
    let mut sorted = fields.to_vec();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.len()));
    Some(sorted.into_iter().find(|f| c.contains(f)).unwrap_or("body"))
}

/// The constraint or column named in a unique violation, when the database says it.
pub fn violated_constraint(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(d) => d.constraint().map(str::to_owned).or_else(|| {
            d.message()
                .strip_prefix("UNIQUE constraint failed: ")
                .map(str::to_owned)
        }),
        _ => None,
    }
}

/// The SQL words of a sort's two directions, `(natural ascending, natural descending)`, turned
/// round when `reverse`: list orders write `{asc}` where their natural order ascends and
/// `{desc}` where it descends.
pub fn directions(reverse: bool) -> (&'static str, &'static str) {
    if reverse {
        ("DESC", "ASC")
    } else {
        ("ASC", "DESC")
    }
}
