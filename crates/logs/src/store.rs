//! The log store. On SQLite it is a file of its own beside the main database (`cst.db` →
//! `cst.logs.db`), so that ingest never waits for the business writer lock and the business
//! backup never carries it; on PostgreSQL it is a set of `log_*` tables in the same database,
//! the messages partitioned by day of receipt. Reads go through one sqlx `Any` pool (one SQL
//! text for both); writes go through the fastest path of each database: one rusqlite
//! connection on a thread of its own for SQLite (`sqlite_writer`), `COPY` for PostgreSQL
//! (`pg_writer`).
//!
//! Times are `BIGINT` microseconds since the Unix epoch, UTC: this store is operational data,
//! outside the business tables' portable-text convention, and integers keep its indexes small.
//!
//! **Segments.** A committed batch is stored as one row per entity (0: quarantine), its
//! messages packed in one blob with contiguous ids (`segment.rs`): one row per batch, not per
//! message, is what keeps ingest as fast as a daemon appending to a file. The access events
//! read out of the messages are rows of their own (`log_access`), indexed for the review.
//!
//! **Tamper evidence.** A segment's hash covers the previous segment's hash of the same entity,
//! its own number and id range, and its whole blob (`hash.rs`). `log_heads` keeps each chain's
//! last hash. `verify` recomputes every chain.

pub mod access;
pub mod batch;
pub mod hash;
pub mod pg_writer;
pub mod query;
pub mod scan;
pub mod segment;
pub mod sqlite_writer;
pub mod verify;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use db::Backend;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::AnyPool;

use crate::LogsError;

/// Where the log store lives, from the main database's URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The SQLite file of the logs.
    Sqlite(PathBuf),
    /// The PostgreSQL database (the main one).
    Postgres(String),
}

impl Location {
    /// `sqlite:///srv/cst/cst.db` → `/srv/cst/cst.logs.db`; a PostgreSQL URL → itself.
    pub fn of(main_url: &str) -> Result<Location, LogsError> {
        let (url, backend) =
            db::normalize_url(main_url).map_err(|e| LogsError::Store(e.to_string()))?;
        match backend {
            Backend::Postgres => Ok(Location::Postgres(url)),
            Backend::Sqlite => {
                let path = url
                    .strip_prefix("sqlite://")
                    .unwrap_or(&url)
                    .split('?')
                    .next()
                    .unwrap_or_default();
                let p = PathBuf::from(path);
                let stem = p
                    .file_stem()
                    .map_or_else(|| "cst".into(), |s| s.to_string_lossy().into_owned());
                Ok(Location::Sqlite(
                    p.with_file_name(format!("{stem}.logs.db")),
                ))
            }
        }
    }
}

impl Location {
    /// Where the sealed exports go when the centre named no target: a folder beside the
    /// SQLite database (`cst.db` → `cst.log-exports/`), or `log-exports/` in the working
    /// folder with PostgreSQL.
    pub fn default_exports(&self) -> PathBuf {
        match self {
            Location::Sqlite(p) => {
                let name = p.file_name().map_or_else(
                    || "cst".into(),
                    |s| s.to_string_lossy().trim_end_matches(".logs.db").to_owned(),
                );
                p.with_file_name(format!("{name}.log-exports"))
            }
            Location::Postgres(_) => PathBuf::from("log-exports"),
        }
    }
}

/// The handle to the log store. Cheap to clone.
#[derive(Clone)]
pub struct LogStore {
    pub(crate) pool: AnyPool,
    pub(crate) location: Location,
    /// On SQLite, the read connections of the hot queries (see [`LogStore::read_sqlite`]).
    pub(crate) readers: Option<Arc<Readers>>,
}

/// Idle rusqlite connections to the SQLite log file, opened read-only as needed and kept for
/// the next read (each keeps its page cache warm).
pub(crate) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

/// The idle read connections kept; more run at once when asked, and are closed after.
const READERS_KEPT: usize = 4;

impl Readers {
    fn take(&self) -> Result<rusqlite::Connection, LogsError> {
        if let Some(c) = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop() {
            return Ok(c);
        }
        let conn = rusqlite::Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.execute_batch("PRAGMA busy_timeout = 10000; PRAGMA cache_size = -32768;")?;
        Ok(conn)
    }

    fn give_back(&self, conn: rusqlite::Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < READERS_KEPT {
            idle.push(conn);
        }
    }
}

impl LogStore {
    /// Opens (and creates) the log store that belongs with the main database `main_url`.
    pub async fn open(main_url: &str) -> Result<LogStore, LogsError> {
        Self::open_at(Location::of(main_url)?).await
    }

    pub async fn open_at(location: Location) -> Result<LogStore, LogsError> {
        sqlx::any::install_default_drivers();
        let url = match &location {
            Location::Sqlite(p) => format!("sqlite://{}?mode=rwc", p.display()),
            Location::Postgres(u) => u.clone(),
        };
        let opts =
            AnyConnectOptions::from_str(&url).map_err(|e| LogsError::Store(e.to_string()))?;
        let sqlite = matches!(location, Location::Sqlite(_));
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 4 } else { 8 })
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        sqlx::raw_sql("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000;")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await
            .map_err(|e| LogsError::Store(e.to_string()))?;
        let readers = match &location {
            Location::Sqlite(path) => Some(Arc::new(Readers {
                path: path.clone(),
                idle: Mutex::new(Vec::new()),
            })),
            Location::Postgres(_) => None,
        };
        let store = LogStore {
            pool,
            location,
            readers,
        };
        store.create_schema().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        match self.location {
            Location::Sqlite(_) => Backend::Sqlite,
            Location::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Runs `read` on a read connection to the SQLite log file, on a blocking thread: the
    /// path of the review's hot queries, without the per-row cost of the `Any` pool. Only for a
    /// SQLite store (`readers` is set).
    pub(crate) async fn read_sqlite<T, F>(&self, read: F) -> Result<T, LogsError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T, LogsError> + Send + 'static,
    {
        let readers = self
            .readers
            .clone()
            .ok_or_else(|| LogsError::Store("not a SQLite log store".into()))?;
        tokio::task::spawn_blocking(move || {
            let conn = readers.take()?;
            let out = read(&conn);
            readers.give_back(conn);
            out
        })
        .await
        .map_err(|e| LogsError::Store(e.to_string()))?
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn create_schema(&self) -> Result<(), LogsError> {
        match &self.location {
            Location::Sqlite(path) => {
                let conn = sqlite_writer::connect(path)?;
                conn.execute_batch(&schema(Backend::Sqlite))?;
            }
            Location::Postgres(_) => {
                let mut conn = self.pool.acquire().await?;
                // Two processes starting at once: the advisory lock makes one wait.
                sqlx::raw_sql("SELECT pg_advisory_lock(727001)")
                    .execute(&mut *conn)
                    .await?;
                let made = sqlx::raw_sql(sqlx::AssertSqlSafe(schema(Backend::Postgres)))
                    .execute(&mut *conn)
                    .await;
                sqlx::raw_sql("SELECT pg_advisory_unlock(727001)")
                    .execute(&mut *conn)
                    .await?;
                made?;
            }
        }
        Ok(())
    }
}

/// The tables of the log store, one text for both databases: `{{rowid}}` is an automatic key,
/// `{{blob}}` bytes, `{{segments}}` the end of `log_segments` (on PostgreSQL partitioned by the
/// day of a segment's first message; `pg_writer` creates each day's partition before its first
/// segment). A segment holds the messages of one entity from one batch (`segment.rs`);
/// `log_access` the access events read out of them, one row each.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS log_counter (
    id BIGINT PRIMARY KEY, next_message BIGINT NOT NULL, next_segment BIGINT NOT NULL);
INSERT INTO log_counter (id, next_message, next_segment) VALUES (1, 1, 1) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS log_segments (
    id BIGINT NOT NULL,
    entity_id BIGINT NOT NULL,
    first_id BIGINT NOT NULL,
    last_id BIGINT NOT NULL,
    received_from BIGINT NOT NULL,
    received_to BIGINT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    committed_at BIGINT NOT NULL,
    data {{blob}} NOT NULL,
    {{segments}};
CREATE INDEX IF NOT EXISTS log_segments_entity ON log_segments (entity_id, received_to);
CREATE TABLE IF NOT EXISTS log_access (
    id {{access_id}},
    message_id BIGINT NOT NULL,
    segment_id BIGINT NOT NULL,
    entity_id BIGINT NOT NULL,
    peer TEXT NOT NULL,
    at BIGINT NOT NULL,
    username TEXT NOT NULL,
    target_user TEXT,
    from_addr TEXT,
    host TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    method TEXT,
    family TEXT NOT NULL,
    code TEXT,
    detail TEXT{{access}};
CREATE INDEX IF NOT EXISTS log_access_entity ON log_access (entity_id, at);
CREATE TABLE IF NOT EXISTS log_gaps (
    id {{rowid}}, entity_id BIGINT NOT NULL, peer TEXT NOT NULL, app TEXT NOT NULL,
    expected BIGINT NOT NULL, got BIGINT NOT NULL, at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS log_gaps_entity ON log_gaps (entity_id, at);
CREATE TABLE IF NOT EXISTS log_heads (
    entity_id BIGINT PRIMARY KEY, segment_id BIGINT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS log_seen (
    source_key TEXT PRIMARY KEY, entity_id BIGINT NOT NULL, source_id BIGINT,
    last_at BIGINT NOT NULL, messages BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS log_relay (
    source_id BIGINT PRIMARY KEY, last_id BIGINT NOT NULL, at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS log_forward (
    id BIGINT PRIMARY KEY, last_id BIGINT NOT NULL, at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS log_purged (
    entity_id BIGINT PRIMARY KEY, segment_id BIGINT NOT NULL, hash TEXT NOT NULL,
    before_at BIGINT NOT NULL, purged_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS log_assignments (
    peer TEXT PRIMARY KEY, entity_id BIGINT NOT NULL, source_id BIGINT NOT NULL,
    assigned_at BIGINT NOT NULL);
";

/// [`SCHEMA`] in the dialect of `backend`.
fn schema(backend: Backend) -> String {
    let (rowid, blob, segments) = match backend {
        Backend::Sqlite => ("INTEGER PRIMARY KEY", "BLOB", "PRIMARY KEY (id))"),
        Backend::Postgres => (
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "BYTEA",
            "PRIMARY KEY (id, received_from)) PARTITION BY RANGE (received_from)",
        ),
    };
    // SQLite keeps the access events in the order the review reads them (clustered by entity,
    // account and time; the id is the message's, given by the writer); PostgreSQL in a heap
    // with an index on the same columns.
    let (access_id, access) = match backend {
        Backend::Sqlite => (
            "BIGINT NOT NULL",
            ",\n    PRIMARY KEY (entity_id, username, at, id)) WITHOUT ROWID",
        ),
        Backend::Postgres => (
            rowid,
            ");\nCREATE INDEX IF NOT EXISTS log_access_user ON log_access (entity_id, username, at)",
        ),
    };
    SCHEMA
        .replace("{{access_id}}", access_id)
        .replace("{{access}}", access)
        .replace("{{rowid}}", rowid)
        .replace("{{blob}}", blob)
        .replace("{{segments}}", segments)
}

/// Microseconds since the Unix epoch.
pub fn micros(t: chrono::DateTime<chrono::Utc>) -> i64 {
    t.timestamp_micros()
}

/// The stored instant as RFC 3339 UTC with microseconds (the API's form).
pub fn instant(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(kernel::time::format)
        .unwrap_or_default()
}

/// Raw bytes as text: UTF-8 when valid, else Latin-1 (every byte a character).
pub fn decode(raw: &[u8]) -> (String, bool) {
    match std::str::from_utf8(raw) {
        Ok(s) => (s.to_owned(), false),
        Err(_) => (raw.iter().map(|&b| char::from(b)).collect(), true),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_log_file_sits_beside_the_main_database() {
        assert_eq!(
            Location::of("sqlite:///srv/cst/cst.db?mode=rwc").unwrap(),
            Location::Sqlite("/srv/cst/cst.logs.db".into())
        );
        assert_eq!(
            Location::of("/tmp/x/data.sqlite").unwrap(),
            Location::Sqlite("/tmp/x/data.logs.db".into())
        );
        assert!(matches!(
            Location::of("postgres://u@h/db").unwrap(),
            Location::Postgres(_)
        ));
    }

    #[test]
    fn raw_bytes_decode_as_utf8_or_latin1() {
        assert_eq!(decode("perché".as_bytes()), ("perché".into(), false));
        assert_eq!(decode(b"perch\xe9"), ("perché".into(), true));
    }
}
