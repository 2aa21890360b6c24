//! Sealed exports: an entity's records of a period, in a file encrypted for the entity's age
//! recipients, written to the centre's export target (a folder or an S3 bucket) under
//! `ente-{id}/`, its SHA-256 chained into that folder's manifest, which the centre's key
//! signs. See `docs/logs.md` for the format a person reads after decrypting.
//!
//! The plain text is gzip-compressed JSON Lines: a first line describing the file
//! (`{"format":"cst-log-export","version":1,"entity_id":…,"from":…,"to":…}`), one line per
//! message (the fields of the review, the raw text and, where there is one, the access event
//! read out of it), and a last line `{"end":true,"records":N}`, so a cut file shows.
//!
//! The file is made in a temporary file (encrypting as it is written: memory is one segment
//! and one 64 KiB chunk), sent to the target, read back there and hashed again: an export is
//! *verified* only when what the target holds has the hash recorded.

use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::Actor;
use objstore::Target;
use seal::manifest::{self, Manifest};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::period::{day_start, parse_day};
use crate::store::query::{line_parsed, parsed, LogLine};
use crate::store::scan::each_message;
use crate::store::LogStore;
use crate::LogsError;

/// The longest period one export may cover.
pub const MAX_DAYS: i64 = 366;

/// One export, as recorded in the main database.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LogExport {
    pub id: i64,
    pub entity_id: i64,
    /// First and last day of the period (Rome), both included.
    pub from: String,
    pub to: String,
    pub records: i64,
    /// Size of the encrypted file.
    pub bytes: i64,
    /// SHA-256 (hex) of the encrypted file.
    pub sha256: String,
    pub file_name: String,
    /// Where it was written (no secrets).
    pub target: String,
    /// Its line in the target's manifest.
    pub manifest_seq: i64,
    /// `api`, `cli` or `schedule`.
    pub made_by: String,
    pub created_at: String,
    /// When the file the target holds was read back and matched its hash.
    pub verified_at: Option<String>,
}

const COLS: &str = "id, entity_id, period_from, period_to, records, bytes, sha256, file_name, \
    target, manifest_seq, made_by, created_at, verified_at";

fn row(r: &sqlx::any::AnyRow) -> Result<LogExport, sqlx::Error> {
    Ok(LogExport {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        from: r.try_get(2)?,
        to: r.try_get(3)?,
        records: r.try_get(4)?,
        bytes: r.try_get(5)?,
        sha256: r.try_get(6)?,
        file_name: r.try_get(7)?,
        target: r.try_get(8)?,
        manifest_seq: r.try_get(9)?,
        made_by: r.try_get(10)?,
        created_at: r.try_get(11)?,
        verified_at: r.try_get(12)?,
    })
}

/// The folder (or prefix) of an entity's exports in the centre's target.
pub fn entity_target(base: &Target, entity_id: i64) -> Target {
    base.child(&format!("ente-{entity_id}"))
}

/// One export at a time in this process: each appends to a manifest.
static EXPORTING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn target_err(e: impl std::fmt::Display) -> LogsError {
    LogsError::ExportFailed(e.to_string())
}

/// Checks a period asked for: both days, in order, at most [`MAX_DAYS`], over before today.
pub fn check_period(
    from: &str,
    to: &str,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), LogsError> {
    let mut errors = Vec::new();
    let f = parse_day(from);
    let t = parse_day(to);
    if f.is_none() {
        errors.push(kernel::FieldError::new(
            "from",
            format!("«{from}» non è una data (AAAA-MM-GG)"),
        ));
    }
    if t.is_none() {
        errors.push(kernel::FieldError::new(
            "to",
            format!("«{to}» non è una data (AAAA-MM-GG)"),
        ));
    }
    if let (Some(f), Some(t)) = (f, t) {
        if t < f {
            errors.push(kernel::FieldError::new(
                "to",
                "la fine del periodo precede l'inizio",
            ));
        } else if (t - f).num_days() >= MAX_DAYS {
            errors.push(kernel::FieldError::new(
                "to",
                format!("un'esportazione copre al massimo {MAX_DAYS} giorni"),
            ));
        }
        if t >= today {
            errors.push(kernel::FieldError::new(
                "to",
                "si esportano solo giorni conclusi: l'ultimo giorno è ieri",
            ));
        }
        if errors.is_empty() {
            return Ok((f, t));
        }
    }
    Err(LogsError::Invalid(errors))
}

#[derive(Serialize)]
struct Header<'a> {
    format: &'a str,
    version: u32,
    entity_id: i64,
    from: String,
    to: String,
    time_zone: &'a str,
    created_at: &'a str,
}

#[derive(Serialize)]
struct Record<'a> {
    #[serde(flatten)]
    line: &'a LogLine,
    access: Option<syslog::AccessEvent>,
}

/// Counts and hashes what passes through to the file.
struct Hashing<W: Write> {
    inner: W,
    sha: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The encrypted file, made in a temporary file.
struct Sealed {
    path: PathBuf,
    records: u64,
    bytes: u64,
    sha256: String,
}

impl Drop for Sealed {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Writes the period's records, compressed and encrypted, to a temporary file. The scan
/// sends the lines of each segment to a blocking thread that compresses, encrypts and writes.
async fn seal_period(
    store: &LogStore,
    recipients: Vec<seal::age::Recipient>,
    entity_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    created_at: &str,
) -> Result<Sealed, LogsError> {
    let path = std::env::temp_dir().join(format!(
        "cst-log-export-{}-{entity_id}-{}.age",
        std::process::id(),
        hex::encode(rand_bytes())
    ));
    let file = std::fs::File::create(&path)
        .map_err(|e| LogsError::ExportFailed(format!("file temporaneo: {e}")))?;
    let mut sealed = Sealed {
        path,
        records: 0,
        bytes: 0,
        sha256: String::new(),
    };
    let header = serde_json::to_vec(&Header {
        format: "cst-log-export",
        version: 1,
        entity_id,
        from: from.to_string(),
        to: to.to_string(),
        time_zone: "Europe/Rome",
        created_at,
    })
    .map_err(|e| LogsError::Store(e.to_string()))?;
    // The scan hands the lines over in pieces of about 1 MiB to a blocking thread that
    // compresses, encrypts and writes; a full hand-over waits for the writer (memory stays
    // bounded whatever the period's size).
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
    let writer = tokio::task::spawn_blocking(move || -> Result<(u64, String), String> {
        let out = Hashing {
            inner: std::io::BufWriter::with_capacity(1 << 16, file),
            sha: Sha256::new(),
            bytes: 0,
        };
        let enc = seal::age::Encryptor::new(&recipients, out).map_err(|e| e.to_string())?;
        let mut gz = flate2::write::GzEncoder::new(enc, flate2::Compression::fast());
        gz.write_all(&header).map_err(|e| e.to_string())?;
        gz.write_all(b"\n").map_err(|e| e.to_string())?;
        while let Ok(chunk) = rx.recv() {
            gz.write_all(&chunk).map_err(|e| e.to_string())?;
        }
        let enc = gz.finish().map_err(|e| e.to_string())?;
        let mut out = enc.finish().map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())?;
        out.inner.get_ref().sync_all().map_err(|e| e.to_string())?;
        Ok((out.bytes, hex::encode(out.sha.finalize())))
    });
    let mut buf = Vec::with_capacity(1 << 20);
    let mut records = 0u64;
    let stopped = || LogsError::ExportFailed("la scrittura del file si è interrotta".into());
    let end = day_start(to.succ_opt().unwrap_or(to));
    let scanned = each_message(store, entity_id, day_start(from), end, |id, m| {
        let p = parsed(m);
        let access = syslog::extract(&p);
        let line = line_parsed(id - i64::from(m.index), m, p);
        serde_json::to_writer(
            &mut buf,
            &Record {
                line: &line,
                access,
            },
        )
        .map_err(|e| LogsError::Store(e.to_string()))?;
        buf.push(b'\n');
        records += 1;
        if buf.len() >= 1 << 20 {
            tx.send(std::mem::take(&mut buf)).map_err(|_| stopped())?;
        }
        Ok(())
    })
    .await;
    let sent = scanned.and_then(|_| {
        let trailer = serde_json::json!({"end": true, "records": records}).to_string();
        buf.extend_from_slice(trailer.as_bytes());
        buf.push(b'\n');
        tx.send(std::mem::take(&mut buf)).map_err(|_| stopped())
    });
    drop(tx);
    let written = writer
        .await
        .map_err(|e| LogsError::ExportFailed(e.to_string()))?;
    let (bytes, sha256) = written.map_err(LogsError::ExportFailed)?;
    sent?;
    sealed.records = records;
    sealed.bytes = bytes;
    sealed.sha256 = sha256;
    Ok(sealed)
}

fn rand_bytes() -> [u8; 8] {
    let mut b = [0u8; 8];
    let _ = getrandom::fill(&mut b);
    b
}

/// Reads a file back from the target and hashes it.
pub(crate) async fn hash_at(
    target: &Target,
    name: &str,
) -> Result<Option<(u64, String)>, LogsError> {
    use futures_util::StreamExt;
    let Some((_, mut stream)) = target.open(name).await.map_err(target_err)? else {
        return Ok(None);
    };
    let mut sha = Sha256::new();
    let mut n = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(target_err)?;
        n += chunk.len() as u64;
        sha.update(&chunk);
    }
    Ok(Some((n, hex::encode(sha.finalize()))))
}

/// The target's manifest, checked against the centre's key: an export is never appended to
/// a manifest that was altered (its chain or signature broken).
async fn manifest_of(
    target: &Target,
    key: &seal::sshsig::PublicKey,
) -> Result<Manifest, LogsError> {
    let Some(text) = target
        .get_bytes(manifest::MANIFEST_FILE)
        .await
        .map_err(target_err)?
    else {
        return Ok(Manifest::default());
    };
    let damaged = |why: String| LogsError::ManifestDamaged(format!("{target}: {why}"));
    let sig = target
        .get_bytes(manifest::SIGNATURE_FILE)
        .await
        .map_err(target_err)?
        .ok_or_else(|| damaged("manca la firma del manifesto".into()))?;
    let sig = String::from_utf8(sig).map_err(|_| damaged("firma illeggibile".into()))?;
    seal::sshsig::verify(key, manifest::NAMESPACE, &text, &sig)
        .map_err(|e| damaged(format!("la firma del manifesto non è valida ({e})")))?;
    let text = String::from_utf8(text).map_err(|_| damaged("manifesto illeggibile".into()))?;
    let m = Manifest::parse(&text).map_err(|e| damaged(e.to_string()))?;
    let problems = m.check_chain();
    if !problems.is_empty() {
        return Err(damaged(problems.join("; ")));
    }
    Ok(m)
}

/// Exports the entity's records of `[from, to]` (days in Rome, both included) into `target`
/// (the entity's folder: [`entity_target`] of the centre's, or one named on the command
/// line). The caller checked the scope and the period.
#[allow(clippy::too_many_arguments)]
pub async fn export(
    db: &Db,
    store: &LogStore,
    target: &Target,
    actor: &Actor,
    entity_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    made_by: &str,
) -> Result<LogExport, LogsError> {
    let settings = crate::settings::read(db, entity_id).await?;
    if settings.recipients.is_empty() {
        return Err(LogsError::field(
            "recipients",
            "l'ente non ha ancora destinatari per cui cifrare le esportazioni: \
             impostarli nelle impostazioni dei log",
        ));
    }
    let recipients = settings.recipients()?;
    let key = crate::keys::signing_key(db).await?;
    let public = key.public();
    let _one = EXPORTING.lock().await;
    let mut manifest = manifest_of(target, &public).await?;
    let created_at = kernel::time::now();
    let sealed = seal_period(store, recipients, entity_id, from, to, &created_at).await?;
    let seq = manifest.entries.len() + 1;
    let file_name = format!("ente-{entity_id}_{from}_{to}_{seq:05}.jsonl.gz.age");
    target
        .put_file(&file_name, &sealed.path)
        .await
        .map_err(target_err)?;
    let verified = match hash_at(target, &file_name).await? {
        Some((n, sha)) if n == sealed.bytes && sha == sealed.sha256 => Some(kernel::time::now()),
        _ => None,
    };
    let entry = manifest
        .push(
            created_at.clone(),
            entity_id,
            from.to_string(),
            to.to_string(),
            sealed.records,
            sealed.bytes,
            sealed.sha256.clone(),
            file_name.clone(),
        )
        .clone();
    let text = manifest.to_text();
    let sig = key.sign(manifest::NAMESPACE, text.as_bytes());
    let signers =
        seal::sshsig::allowed_signers_line(manifest::PRINCIPAL, manifest::NAMESPACE, &public);
    // The signature before the manifest: a reader never meets a manifest newer than its
    // signature for long, and a crash in between leaves a mismatch that verify names.
    target
        .put_bytes(manifest::SIGNERS_FILE, signers.into_bytes())
        .await
        .map_err(target_err)?;
    target
        .put_bytes(manifest::SIGNATURE_FILE, sig.into_bytes())
        .await
        .map_err(target_err)?;
    target
        .put_bytes(manifest::MANIFEST_FILE, text.into_bytes())
        .await
        .map_err(target_err)?;
    let target_name = target.to_string();
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO log_exports (entity_id, period_from, period_to, records, bytes, sha256, \
         file_name, target, manifest_seq, made_by, created_at, verified_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(entity_id)
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(sealed.records as i64)
    .bind(sealed.bytes as i64)
    .bind(&sealed.sha256)
    .bind(&file_name)
    .bind(&target_name)
    .bind(entry.seq as i64)
    .bind(made_by)
    .bind(&created_at)
    .bind(&verified)
    .fetch_one(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "log_export".into(),
            object_id: id.to_string(),
            entity_id: Some(entity_id),
            before: None,
            after: Some(
                serde_json::json!({
                    "from": from.to_string(), "to": to.to_string(), "records": sealed.records,
                    "bytes": sealed.bytes, "sha256": sealed.sha256, "file_name": file_name,
                    "target": target_name, "verified": verified.is_some(),
                })
                .to_string(),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(LogExport {
        id,
        entity_id,
        from: from.to_string(),
        to: to.to_string(),
        records: sealed.records as i64,
        bytes: sealed.bytes as i64,
        sha256: sealed.sha256.clone(),
        file_name,
        target: target_name,
        manifest_seq: entry.seq as i64,
        made_by: made_by.to_owned(),
        created_at,
        verified_at: verified,
    })
}

/// The entity's exports, newest first (no scope check: callers check).
pub async fn of_entity(db: &Db, entity_id: i64) -> Result<Vec<LogExport>, LogsError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM log_exports WHERE entity_id = $1 ORDER BY id DESC"
    )))
    .bind(entity_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
}

/// Where an export was written, from its record: the entity's folder of the centre's target
/// `base` (with its credentials) when it was written there, else the place recorded (a
/// folder named on the command line; S3 credentials from the environment).
pub fn target_of(e: &LogExport, base: &Target) -> Result<Target, LogsError> {
    let usual = entity_target(base, e.entity_id);
    if usual.to_string() == e.target {
        return Ok(usual);
    }
    Target::parse(&e.target, &|k| std::env::var(k).ok()).map_err(target_err)
}

/// One export, if the actor may see its entity (else 404).
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<LogExport, LogsError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM log_exports WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(LogsError::ExportNotFound)?;
    let e = row(&r)?;
    match crate::sources::may_review(db, actor, e.entity_id).await {
        Ok(()) => Ok(e),
        Err(LogsError::Members(_)) => Err(LogsError::ExportNotFound),
        Err(other) => Err(other),
    }
}
