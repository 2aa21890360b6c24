//! Files attached to a ticket: from the portal, the API or an e-mail. At most [`MAX_BYTES`]
//! each; the name is reduced to a safe base name, the type to a plain `type/subtype`; the
//! content goes to the file store (`db::files`, so backups carry it) under its SHA-256 — the
//! same file attached twice is kept once — and is served back only as a download (never
//! rendered inline by the browser).

use db::files::{FileError, FileReader};
use db::{Db, WriteTx};
use kernel::{Actor, Role};
use serde::Serialize;
use sqlx::Row;

use crate::store::{get, Ticket};
use crate::HelpdeskError;

/// The largest file accepted: 10 MiB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Files per ticket.
pub const MAX_PER_TICKET: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentInfo {
    pub id: i64,
    pub ticket_id: i64,
    pub message_id: Option<i64>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_by: String,
    pub created_at: String,
}

/// A base name without path, control characters or characters that mean something to a
/// shell or a header; never empty, at most 150 characters (the extension kept).
pub fn clean_filename(s: &str) -> String {
    let base = s.rsplit(['/', '\\']).next().unwrap_or("");
    let mut out: String = base
        .chars()
        .map(|c| {
            // Besides overrides and isolates, the directional marks and the invisible
            // separators a name has no use for.
            let invisible = matches!(
                c,
                '\u{200B}'
                    ..='\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{00AD}'
            );
            if c.is_control()
                || invisible
                || kernel::text::is_bidi_control(c)
                || "\"'<>:|?*;`$%".contains(c)
            {
                '_'
            } else {
                c
            }
        })
        .collect();
    out = out.trim().trim_start_matches('.').to_owned();
    if out.chars().count() > 150 {
        let ext: String = out
            .rsplit_once('.')
            .map(|(_, e)| e)
            .filter(|e| e.chars().count() <= 10)
            .map(|e| format!(".{e}"))
            .unwrap_or_default();
        out = out
            .chars()
            .take(150 - ext.chars().count())
            .collect::<String>()
            + &ext;
    }
    if out.is_empty() {
        "allegato".into()
    } else {
        out
    }
}

/// `type/subtype` in lower case, else `application/octet-stream`.
pub fn clean_content_type(s: &str) -> String {
    let t = s
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 60
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-+.".contains(&b))
    };
    match t.split_once('/') {
        Some((a, b)) if ok(a) && ok(b) => t,
        _ => "application/octet-stream".into(),
    }
}

fn too_big(name: &str, size: usize) -> HelpdeskError {
    HelpdeskError::field(
        "file",
        format!(
            "il file «{name}» pesa {} e supera il limite di {}",
            human(size),
            human(MAX_BYTES)
        ),
    )
}

/// `2,5 MB`.
pub fn human(n: usize) -> String {
    if n < 1024 * 1024 {
        format!("{} kB", n.div_ceil(1024))
    } else {
        let tenths = (n as u64 * 10).div_ceil(1024 * 1024);
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

/// Stores one file of ticket `t` in the caller's transaction, audited (name, size and hash,
/// not the content).
pub(crate) async fn insert(
    tx: &mut WriteTx,
    t: &Ticket,
    message_id: Option<i64>,
    filename: &str,
    content_type: &str,
    data: &[u8],
    created_by: &str,
) -> Result<AttachmentInfo, HelpdeskError> {
    let filename = clean_filename(filename);
    if data.is_empty() {
        return Err(HelpdeskError::field(
            "file",
            format!("il file «{filename}» è vuoto"),
        ));
    }
    if data.len() > MAX_BYTES {
        return Err(too_big(&filename, data.len()));
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket_attachments WHERE ticket_id = $1")
        .bind(t.id)
        .fetch_one(tx.conn())
        .await?;
    if n >= MAX_PER_TICKET {
        return Err(HelpdeskError::field(
            "file",
            format!("il ticket ha già {MAX_PER_TICKET} allegati, il massimo"),
        ));
    }
    let content_type = clean_content_type(content_type);
    let stored = db::files::put(tx, data).await?;
    let (sha, size) = (stored.sha256, stored.size);
    let now = kernel::time::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_attachments (ticket_id, message_id, filename, content_type, size, sha256, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(t.id)
    .bind(message_id)
    .bind(&filename)
    .bind(&content_type)
    .bind(size)
    .bind(&sha)
    .bind(created_by)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    let info = AttachmentInfo {
        id,
        ticket_id: t.id,
        message_id,
        filename,
        content_type,
        size,
        sha256: sha,
        created_by: created_by.to_owned(),
        created_at: now,
    };
    crate::store::audit_ticket(
        tx,
        created_by,
        "attach",
        &t.number,
        t.entity_id,
        None,
        serde_json::to_string(&info).ok(),
    )
    .await?;
    Ok(info)
}

/// Attaches a file to a ticket the actor may see (staff, or a contact of its entity).
pub async fn add(
    db: &Db,
    actor: &Actor,
    ticket_id: i64,
    filename: &str,
    content_type: &str,
    data: &[u8],
) -> Result<AttachmentInfo, HelpdeskError> {
    let t = get(db, actor, ticket_id).await?;
    if actor.role == Role::Supplier {
        return Err(HelpdeskError::StaffOnly);
    }
    if data.len() > MAX_BYTES {
        return Err(too_big(&clean_filename(filename), data.len()));
    }
    let mut tx = db.write().await?;
    let info = insert(
        &mut tx,
        &t,
        None,
        filename,
        content_type,
        data,
        &actor.label,
    )
    .await?;
    tx.commit().await?;
    Ok(info)
}

const VISIBLE: &str = "a.ticket_id = $1 AND ($2 = 1 OR a.message_id IS NULL OR \
    a.message_id IN (SELECT id FROM ticket_messages WHERE ticket_id = $1 AND visibility = 'public'))";

fn info(r: &sqlx::any::AnyRow) -> Result<AttachmentInfo, sqlx::Error> {
    Ok(AttachmentInfo {
        id: r.try_get("id")?,
        ticket_id: r.try_get("ticket_id")?,
        message_id: r.try_get("message_id")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        created_by: r.try_get("created_by")?,
        created_at: r.try_get("created_at")?,
    })
}

const INFO_COLS: &str =
    "a.id, a.ticket_id, a.message_id, a.filename, a.content_type, a.size, a.sha256, a.created_by, a.created_at";

/// The files of a ticket the actor may see (those of internal notes for staff only).
pub async fn list(
    db: &Db,
    actor: &Actor,
    ticket_id: i64,
) -> Result<Vec<AttachmentInfo>, HelpdeskError> {
    let t = get(db, actor, ticket_id).await?;
    list_of(db, actor, &t).await
}

/// The files of `t`, which the caller read with `store::get` for this actor (so in scope).
pub async fn list_of(
    db: &Db,
    actor: &Actor,
    t: &Ticket,
) -> Result<Vec<AttachmentInfo>, HelpdeskError> {
    let ticket_id = t.id;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {INFO_COLS} FROM ticket_attachments a WHERE {VISIBLE} ORDER BY a.id"
    )))
    .bind(ticket_id)
    .bind(i64::from(actor.is_staff()))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(info).collect::<Result<_, _>>()?)
}

/// One file, checked whole against its hash before it is handed back to be streamed.
pub async fn fetch(
    db: &Db,
    actor: &Actor,
    ticket_id: i64,
    id: i64,
) -> Result<(AttachmentInfo, FileReader), HelpdeskError> {
    get(db, actor, ticket_id).await?;
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {INFO_COLS} FROM ticket_attachments a WHERE {VISIBLE} AND a.id = $3"
    )))
    .bind(ticket_id)
    .bind(i64::from(actor.is_staff()))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(HelpdeskError::AttachmentNotFound)?;
    let meta = info(&r)?;
    match db::files::open(db, &meta.sha256).await {
        Ok(reader) => Ok((meta, reader)),
        Err(FileError::Sql(e)) => Err(e.into()),
        Err(FileError::Missing(_) | FileError::Altered(_)) => {
            tracing::error!(sha256 = %meta.sha256, attachment = meta.id, "stored file altered");
            Err(HelpdeskError::FileAltered(meta.filename))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_made_safe() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("C:\\Users\\x\\verbale.pdf"), "verbale.pdf");
        assert_eq!(clean_filename(".htaccess"), "htaccess");
        assert_eq!(clean_filename("a\"b<c>.txt"), "a_b_c_.txt");
        assert_eq!(clean_filename(""), "allegato");
        // A right-to-left override would show "fatturaexe.txt" for an executable.
        assert_eq!(clean_filename("fattura\u{202e}txt.exe"), "fattura_txt.exe");
        assert_eq!(clean_filename("a\u{2066}b\u{2069}.pdf"), "a_b_.pdf");
        assert_eq!(
            clean_filename("a\u{200F}b\u{200B}c\u{FEFF}.pdf"),
            "a_b_c_.pdf"
        );
        let long = format!("{}.pdf", "x".repeat(300));
        let c = clean_filename(&long);
        assert_eq!(c.chars().count(), 150);
        assert!(c.ends_with(".pdf"));
    }

    #[test]
    fn types_are_plain() {
        assert_eq!(clean_content_type("Image/PNG; name=x"), "image/png");
        assert_eq!(
            clean_content_type("text/html\r\nX-Evil: 1"),
            "application/octet-stream"
        );
        assert_eq!(clean_content_type(""), "application/octet-stream");
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human(1), "1 kB");
        assert_eq!(human(MAX_BYTES), "10,0 MB");
        assert_eq!(human(MAX_BYTES + 1), "10,1 MB");
    }
}
