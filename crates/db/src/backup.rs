//! Portable backup archives: gzip-compressed JSON lines, the same for SQLite and PostgreSQL.
//!
//! ```text
//! {"format":"cst-backup","version":1,"schema_version":1,"source":"sqlite","created_at":"…"}
//! {"table":"entities","columns":["id","name",…],"rows":2}
//! [1,"Comune di Padova",…]
//! [2,…]
//! …one header and its rows per table; bytes (file chunks of 256 KiB) as {"b64":"…"}…
//! {"end":true,"tables":{"entities":2,…},"sha256":"<hash of every line above>"}
//! ```
//! The dump reads one snapshot (a running instance keeps working meanwhile). Restore goes
//! into an empty database of either kind inside one transaction: all or nothing.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{Column, Row};

use crate::{Backend, Db, DbError};

/// Tables in the order they are restored (parents before children), with their ordering key.
/// A table added by a migration must be listed here: a test checks the list is complete.
pub const TABLES: &[(&str, &str)] = &[
    ("files", "id"),
    ("file_chunks", "file_id, seq"),
    ("entities", "id"),
    ("contacts", "id"),
    ("users", "id"),
    ("user_entities", "user_id, entity_id"),
    ("api_tokens", "id"),
    ("audit_log", "seq"),
    ("audit_head", "id"),
    ("jobs", "id"),
    ("membership_fee_rules", "id"),
    ("services", "id"),
    ("price_lists", "id"),
    ("agreements", "id"),
    ("price_quotes", "id"),
    ("calendars", "id"),
    ("ticket_counters", "year"),
    ("tickets", "id"),
    ("ticket_messages", "id"),
    ("ticket_mail_ids", "message_id"),
    ("inbound_mail", "id"),
    ("ticket_attachments", "id"),
    ("support_profiles", "entity_id"),
    ("ticket_phases", "id"),
    ("ticket_phase_updates", "id"),
    ("backup_checks", "id"),
    ("backup_reports", "id"),
    ("helpdesk_settings", "key"),
    ("activation_requests", "id"),
    ("active_services", "id"),
    ("packages", "id"),
    ("projects", "id"),
    ("project_quotes", "id"),
    ("work_reports", "id"),
    ("needs_campaigns", "id"),
    ("needs_forms", "id"),
    ("needs_lines", "id"),
    ("billing_settings", "id"),
    ("meter_readings", "id"),
    ("statement_runs", "id"),
    ("statements", "id"),
    ("statement_lines", "id"),
    ("invoices", "id"),
    ("invoice_events", "id"),
    ("payments", "id"),
    ("deadlines", "id"),
    ("deadline_marks", "key, due_on"),
    ("deadline_reminders", "key, due_on"),
    ("calendar_feeds", "user_id"),
    ("centre_costs", "id"),
    ("log_sources", "id"),
    ("log_settings", "entity_id"),
    ("log_exports", "id"),
    ("log_purges", "id"),
    ("centre_keys", "purpose"),
    ("log_admins", "id"),
    ("log_reviewers", "entity_id, user_id"),
    ("log_reviews", "id"),
    ("portal_module_items", "module, service_code, item_code"),
    ("portal_settings", "entity_id"),
    ("portal_events", "id"),
    ("portal_registrations", "id"),
    ("portal_event_notices", "id"),
    ("tenders", "id"),
    ("tender_documents", "id"),
    ("tender_rectifications", "id"),
    ("portal_offices", "id"),
    ("appointment_slots", "id"),
    ("appointment_bookings", "id"),
    ("portal_rooms", "id"),
    ("room_bookings", "id"),
    ("room_hours", "room_id, hour_at"),
    ("faq_articles", "id"),
    ("courses", "id"),
    ("course_sessions", "id"),
    ("course_enrolments", "id"),
    ("training_entries", "entity_id, year"),
    ("address_books", "id"),
    ("address_entries", "id"),
    ("contact_lists", "id"),
    ("contact_list_members", "id"),
    ("sms_messages", "id"),
    ("sms_parts", "id"),
    ("sms_limits", "entity_id"),
    ("agenda_calendars", "id"),
    ("agenda_members", "calendar_id, user_id"),
    ("agenda_events", "id"),
    ("agenda_invitations", "id"),
];

/// Tables deliberately left out: sessions (everyone logs in again after a restore), failed
/// login counters, the scheduler's last slots (the current slot runs again), and the migration
/// ledger (the target is migrated by the restoring program).
pub const SKIPPED: &[&str] = &[
    "sessions",
    "login_failures",
    "schedules",
    "schema_migrations",
    // The FAQ's counter of changes, only a signal to rebuild the search index: a restored
    // database starts from its migration's row.
    "faq_revision",
];

/// Tables whose rows can weigh megabytes (a whole kept e-mail): read one row at a time.
/// Files are not among them: their chunks are 256 KiB each.
const LARGE_ROWS: &[&str] = &["inbound_mail", "invoices"];

/// Tables whose `id` comes from a sequence on PostgreSQL.
const IDENTITY: &[&str] = &[
    "files",
    "entities",
    "contacts",
    "users",
    "api_tokens",
    "jobs",
    "membership_fee_rules",
    "services",
    "price_lists",
    "agreements",
    "price_quotes",
    "calendars",
    "tickets",
    "ticket_messages",
    "inbound_mail",
    "ticket_attachments",
    "ticket_phases",
    "ticket_phase_updates",
    "backup_checks",
    "backup_reports",
    "activation_requests",
    "active_services",
    "packages",
    "projects",
    "project_quotes",
    "work_reports",
    "needs_campaigns",
    "needs_forms",
    "needs_lines",
    "meter_readings",
    "statement_runs",
    "statements",
    "statement_lines",
    "invoices",
    "invoice_events",
    "payments",
    "deadlines",
    "centre_costs",
    "log_sources",
    "log_exports",
    "log_purges",
    "log_admins",
    "log_reviews",
    "portal_events",
    "portal_registrations",
    "portal_event_notices",
    "tenders",
    "tender_documents",
    "tender_rectifications",
    "portal_offices",
    "appointment_slots",
    "appointment_bookings",
    "portal_rooms",
    "room_bookings",
    "faq_articles",
    "courses",
    "course_sessions",
    "course_enrolments",
    "address_books",
    "address_entries",
    "contact_lists",
    "contact_list_members",
    "sms_messages",
    "sms_parts",
    "agenda_calendars",
    "agenda_events",
    "agenda_invitations",
];

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    schema_version: i64,
    source: String,
    created_at: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct TableHeader {
    table: String,
    columns: Vec<String>,
    rows: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Trailer {
    end: bool,
    tables: BTreeMap<String, u64>,
    sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Invalid(String),
    #[error(
        "the target database is not empty (table {0} has rows): restore only into a new database"
    )]
    NotEmpty(String),
    #[error(
        "the archive was made with schema version {0}, newer than this program's {1}: upgrade cst"
    )]
    NewerSchema(i64, i64),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// Counts per table, as written or restored.
pub type Summary = BTreeMap<String, u64>;

struct HashingWriter<W: Write> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> HashingWriter<W> {
    fn line(&mut self, v: &impl Serialize) -> Result<(), BackupError> {
        let mut s = serde_json::to_string(v).map_err(|e| BackupError::Invalid(e.to_string()))?;
        s.push('\n');
        self.hash.update(s.as_bytes());
        self.inner.write_all(s.as_bytes())?;
        Ok(())
    }
}

/// Writes the archive of `db` to `out`.
pub async fn dump<W: Write>(db: &Db, out: W) -> Result<Summary, BackupError> {
    let schema_version = db.schema_version().await?;
    let gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
    let mut w = HashingWriter {
        inner: gz,
        hash: Sha256::new(),
    };
    w.line(&Header {
        format: "cst-backup".into(),
        version: 1,
        schema_version,
        source: db.backend().name().into(),
        created_at: kernel::time::now(),
    })?;
    let mut snap = db.snapshot().await?;
    let mut summary = Summary::new();
    for (table, order) in TABLES {
        // Row by row from the snapshot: memory stays bounded whatever the table's size. The
        // count, read in the same snapshot, is the number of rows that follow.
        let count: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&mut *snap)
                .await?;
        let rows_declared = u64::try_from(count).unwrap_or(0);
        let mut written = 0u64;
        if LARGE_ROWS.contains(table) {
            // Rows of megabytes: one at a time, so that the driver's row buffer (50 rows on
            // SQLite) never holds many of them.
            let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM {table} ORDER BY id"
            )))
            .fetch_all(&mut *snap)
            .await?;
            for (i, id) in ids.iter().enumerate() {
                let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT * FROM {table} WHERE id = $1"
                )))
                .bind(id)
                .fetch_one(&mut *snap)
                .await?;
                if i == 0 {
                    w.line(&TableHeader {
                        table: (*table).into(),
                        columns: r.columns().iter().map(|c| c.name().to_owned()).collect(),
                        rows: rows_declared,
                    })?;
                }
                w.line(&crate::json::values(&r)?)?;
                written += 1;
            }
            if ids.is_empty() {
                w.line(&TableHeader {
                    table: (*table).into(),
                    columns: Vec::new(),
                    rows: 0,
                })?;
            }
        } else {
            let mut rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT * FROM {table} ORDER BY {order}"
            )))
            .fetch(&mut *snap);
            let first = rows.try_next().await?;
            let columns = first.as_ref().map_or_else(Vec::new, |r| {
                r.columns().iter().map(|c| c.name().to_owned()).collect()
            });
            w.line(&TableHeader {
                table: (*table).into(),
                columns,
                rows: rows_declared,
            })?;
            if let Some(r) = first {
                w.line(&crate::json::values(&r)?)?;
                written += 1;
            }
            while let Some(r) = rows.try_next().await? {
                w.line(&crate::json::values(&r)?)?;
                written += 1;
            }
        }
        if written != rows_declared {
            return Err(BackupError::Invalid(format!(
                "table {table}: {written} rows read, {rows_declared} counted in the same snapshot"
            )));
        }
        summary.insert((*table).into(), written);
    }
    snap.rollback().await?;
    let sha = hex::encode(w.hash.clone().finalize());
    w.line(&Trailer {
        end: true,
        tables: summary.clone(),
        sha256: sha,
    })?;
    w.inner.finish()?.flush()?;
    Ok(summary)
}

fn parse<T: for<'de> Deserialize<'de>>(line: &str, what: &str, n: usize) -> Result<T, BackupError> {
    serde_json::from_str(line)
        .map_err(|e| BackupError::Invalid(format!("archive line {n}: expected {what}: {e}")))
}

/// Loads an archive into `db`, which must be migrated and empty. All or nothing.
pub async fn restore<R: Read>(db: &Db, input: R) -> Result<Summary, BackupError> {
    let mut lines = BufReader::new(flate2::read::GzDecoder::new(input)).lines();
    let mut hash = Sha256::new();
    let mut n = 0usize;
    let mut next = |hash: &mut Sha256| -> Result<Option<String>, BackupError> {
        n += 1;
        match lines.next() {
            None => Ok(None),
            Some(Err(e)) => Err(BackupError::Invalid(format!(
                "archive unreadable at line {n} (not a cst backup, or damaged): {e}"
            ))),
            Some(Ok(l)) => {
                hash.update(l.as_bytes());
                hash.update(b"\n");
                Ok(Some(l))
            }
        }
    };
    let first = next(&mut hash)?.ok_or_else(|| BackupError::Invalid("archive is empty".into()))?;
    let header: Header = parse(&first, "the cst-backup header", 1)?;
    if header.format != "cst-backup" || header.version != 1 {
        return Err(BackupError::Invalid(format!(
            "not a cst backup archive (format {} version {})",
            header.format, header.version
        )));
    }
    let ours = crate::migrations()
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    if header.schema_version > ours {
        return Err(BackupError::NewerSchema(header.schema_version, ours));
    }
    for (table, _) in TABLES {
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {table} WHERE {}",
            if *table == "audit_head" {
                "seq > 0"
            } else {
                "1 = 1"
            }
        )))
        .fetch_one(db.pool())
        .await?;
        if count > 0 {
            return Err(BackupError::NotEmpty((*table).into()));
        }
    }

    let mut tx = db.write().await?;
    sqlx::query("DELETE FROM audit_head")
        .execute(tx.conn())
        .await?;
    let mut summary = Summary::new();
    let mut line_no = 1usize;
    let trailer: Trailer = loop {
        let before = hash.clone();
        let Some(line) = next(&mut hash)? else {
            return Err(BackupError::Invalid(
                "archive ends early: no end marker (incomplete copy?)".into(),
            ));
        };
        line_no += 1;
        if line.starts_with("{\"end\"") {
            let t: Trailer = parse(&line, "the end marker", line_no)?;
            if t.sha256 != hex::encode(before.finalize()) {
                return Err(BackupError::Invalid(
                    "archive checksum does not match its content (damaged)".into(),
                ));
            }
            break t;
        }
        let th: TableHeader = parse(&line, "a table header", line_no)?;
        if !TABLES.iter().any(|(t, _)| *t == th.table) {
            return Err(BackupError::Invalid(format!(
                "archive line {line_no}: unknown table {}",
                th.table
            )));
        }
        // Archives made before the file store (schema 15 and older) carry each attachment's
        // content as base64 text in the row: it goes to the store, the row without it.
        let legacy_b64 = (th.table == "ticket_attachments")
            .then(|| th.columns.iter().position(|c| c == "content_b64"))
            .flatten();
        let mut columns = th.columns.clone();
        if let Some(i) = legacy_b64 {
            columns.remove(i);
        }
        for _ in 0..th.rows {
            let Some(row) = next(&mut hash)? else {
                return Err(BackupError::Invalid(format!(
                    "archive ends inside table {}",
                    th.table
                )));
            };
            line_no += 1;
            let vals: Vec<Value> = parse(&row, "a row", line_no)?;
            if vals.len() != th.columns.len() {
                return Err(BackupError::Invalid(format!(
                    "archive line {line_no}: {} values for {} columns",
                    vals.len(),
                    th.columns.len()
                )));
            }
            let mut vals = vals;
            if let Some(i) = legacy_b64 {
                let content = vals.remove(i);
                let bytes = content
                    .as_str()
                    .and_then(|t| {
                        use base64::Engine;
                        base64::engine::general_purpose::STANDARD.decode(t).ok()
                    })
                    .ok_or_else(|| {
                        BackupError::Invalid(format!(
                            "archive line {line_no}: an attachment's content is not base64"
                        ))
                    })?;
                crate::files::put(&mut tx, &bytes).await?;
            }
            insert_row(&mut tx, &th.table, &columns, vals).await?;
        }
        summary.insert(th.table.clone(), th.rows);
    };
    if trailer.tables != summary {
        return Err(BackupError::Invalid(
            "archive table counts do not match its end marker".into(),
        ));
    }
    if tx.backend == Backend::Postgres {
        for t in IDENTITY {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), \
                 COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {t}"
            )))
            .execute(tx.conn())
            .await?;
        }
    }
    let head: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_head")
        .fetch_one(tx.conn())
        .await?;
    if head != 1 {
        return Err(BackupError::Invalid(
            "archive has no audit chain head".into(),
        ));
    }
    tx.commit().await?;
    Ok(summary)
}

/// A column name as our migrations write them: a lowercase letter or `_`, then lowercase
/// letters, digits and `_` (`sha256`). Anything else is refused before it reaches SQL text.
fn is_identifier(c: &str) -> bool {
    let mut bytes = c.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

async fn insert_row(
    tx: &mut crate::WriteTx,
    table: &str,
    columns: &[String],
    vals: Vec<Value>,
) -> Result<(), BackupError> {
    for c in columns {
        if !is_identifier(c) {
            return Err(BackupError::Invalid(format!("bad column name {c}")));
        }
    }
    // NULLs are written literally: a typed NULL parameter would not fit every column type.
    let mut placeholders = Vec::with_capacity(vals.len());
    let mut k = 0;
    for v in &vals {
        if v.is_null() {
            placeholders.push("NULL".to_owned());
        } else {
            k += 1;
            placeholders.push(format!("${k}"));
        }
    }
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        placeholders.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for v in vals {
        q = match &v {
            Value::Null => q,
            Value::Number(n) => q.bind(n.as_i64().ok_or_else(|| {
                BackupError::Invalid(format!("table {table}: non-integer number {n}"))
            })?),
            Value::String(s) => q.bind(s.clone()),
            Value::Object(_) => q.bind(crate::json::blob(&v).ok_or_else(|| {
                BackupError::Invalid(format!("table {table}: unexpected value {v}"))
            })?),
            other => {
                return Err(BackupError::Invalid(format!(
                    "table {table}: unexpected value {other}"
                )))
            }
        };
    }
    q.execute(tx.conn()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_identifier;

    #[test]
    fn column_names_with_digits_are_identifiers_and_sql_is_not() {
        for ok in ["sha256", "id", "_x", "take_charge_due_at", "a1b2"] {
            assert!(is_identifier(ok), "{ok}");
        }
        for bad in ["", "1a", "Sha256", "id;drop", "a b", "a-b", "\"x\"", "é"] {
            assert!(!is_identifier(bad), "{bad}");
        }
    }
}
