//! Backup checks (seed 001 §3.1.12): an entity's backup system reports every day, by e-mail
//! (from a known sender) or over HTTP (with the check's token). A failed report, or none for
//! longer than allowed, is an incident; each incident opens one ticket on the entity's behalf
//! (not one an hour), and a good report ends it.

use chrono::{DateTime, Duration, Utc};
use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::Actor;
use serde::Serialize;
use sqlx::Row;

use crate::model::NewTicket;
use crate::sla::SlaPolicy;
use crate::store;
use crate::HelpdeskError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupCheck {
    pub id: i64,
    pub entity_id: i64,
    pub name: String,
    pub email_from: String,
    pub max_silence_hours: i64,
    pub last_report_at: Option<String>,
    /// ok | failed | "" (never reported)
    pub last_status: String,
    pub last_detail: String,
    pub incident_since: Option<String>,
    /// failed | missing | ""
    pub incident_kind: String,
    pub incident_ticket_id: Option<i64>,
}

const COLS: &str =
    "id, entity_id, name, email_from, max_silence_hours, last_report_at, last_status, \
    last_detail, incident_since, incident_kind, incident_ticket_id";

fn check(r: &sqlx::any::AnyRow) -> Result<BackupCheck, sqlx::Error> {
    Ok(BackupCheck {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        name: r.try_get(2)?,
        email_from: r.try_get(3)?,
        max_silence_hours: r.try_get(4)?,
        last_report_at: r.try_get(5)?,
        last_status: r.try_get(6)?,
        last_detail: r.try_get(7)?,
        incident_since: r.try_get(8)?,
        incident_kind: r.try_get(9)?,
        incident_ticket_id: r.try_get(10)?,
    })
}

/// A new check: returns it with its HTTP reporting token, shown once (only its hash is kept).
pub async fn create(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    name: &str,
    email_from: &str,
    max_silence_hours: i64,
) -> Result<(BackupCheck, String), HelpdeskError> {
    if !actor.is_admin() {
        return Err(HelpdeskError::StaffOnly);
    }
    members::store::get(db, actor, entity_id).await?;
    let name = name.trim();
    let email_from = email_from.trim().to_lowercase();
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 100 {
        errors.push(members::FieldError::new(
            "name",
            "dare un nome al sistema di backup (al massimo 100 caratteri)",
        ));
    }
    if !email_from.is_empty() && !mail::is_address(&email_from) {
        errors.push(members::FieldError::new(
            "email_from",
            "indirizzo del mittente dei rapporti non valido",
        ));
    }
    if !(1..=24 * 14).contains(&max_silence_hours) {
        errors.push(members::FieldError::new(
            "max_silence_hours",
            "ore di silenzio ammesse: da 1 a 336",
        ));
    }
    if !errors.is_empty() {
        return Err(HelpdeskError::Invalid(errors));
    }
    let token = accounts::secret::random("cstbk_");
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO backup_checks (entity_id, name, email_from, token_hash, max_silence_hours, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(entity_id)
    .bind(name)
    .bind(&email_from)
    .bind(accounts::secret::digest(&token))
    .bind(max_silence_hours)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    let c = BackupCheck {
        id,
        entity_id,
        name: name.to_owned(),
        email_from,
        max_silence_hours,
        last_report_at: None,
        last_status: String::new(),
        last_detail: String::new(),
        incident_since: None,
        incident_kind: String::new(),
        incident_ticket_id: None,
    };
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "backup_check".into(),
            object_id: id.to_string(),
            entity_id: Some(entity_id),
            before: None,
            after: serde_json::to_string(&c).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((c, token))
}

/// The checks of an entity the actor may see.
pub async fn of_entity(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
) -> Result<Vec<BackupCheck>, HelpdeskError> {
    members::store::get(db, actor, entity_id).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM backup_checks WHERE entity_id = $1 AND active = 1 ORDER BY name, id"
    )))
    .bind(entity_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(check).collect::<Result<_, _>>()?)
}

/// `ok` or `failed` from a report's words: failure words win (a report saying "0 errors"
/// without a success word is not trusted as good).
pub fn status_of(text: &str) -> Option<&'static str> {
    let t = text.to_lowercase();
    let words: Vec<&str> = t
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let starts = |ps: &[&str]| words.iter().any(|w| ps.iter().any(|p| w.starts_with(p)));
    let is = |ws: &[&str]| words.iter().any(|w| ws.contains(w));
    let no_errors = ["0 error", "0 errori", "nessun errore", "no error"]
        .iter()
        .any(|p| t.contains(p));
    let failed = starts(&["fail", "fallit", "warning", "avvis"])
        || is(&["ko"])
        || t.contains("non riusc")
        || (starts(&["error", "errore", "errori"]) && !no_errors);
    if failed {
        Some("failed")
    } else if starts(&["success", "riuscit", "complet"]) || is(&["ok"]) {
        Some("ok")
    } else {
        None
    }
}

/// Records a report for a check (in its own transaction) and acts on it at once: a failure
/// opens the incident's ticket, a success ends the incident.
async fn record(
    db: &Db,
    policy: &SlaPolicy,
    c: &BackupCheck,
    ok: bool,
    source: &str,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<(), HelpdeskError> {
    let now = kernel::time::format(at);
    let detail: String = detail.trim().chars().take(2000).collect();
    let status = if ok { "ok" } else { "failed" };
    let mut tx = db.write().await?;
    sqlx::query(
        "INSERT INTO backup_reports (check_id, received_at, status, source, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(c.id)
    .bind(&now)
    .bind(status)
    .bind(source)
    .bind(&detail)
    .execute(tx.conn())
    .await?;
    if ok {
        sqlx::query(
            "UPDATE backup_checks SET last_report_at = $1, last_status = 'ok', last_detail = $2, \
             incident_since = NULL, incident_kind = '', incident_ticket_id = NULL, updated_at = $1 WHERE id = $3",
        )
        .bind(&now)
        .bind(&detail)
        .bind(c.id)
        .execute(tx.conn())
        .await?;
    } else {
        sqlx::query(
            "UPDATE backup_checks SET last_report_at = $1, last_status = 'failed', last_detail = $2, \
             incident_since = COALESCE(incident_since, $1), \
             incident_kind = CASE WHEN incident_since IS NULL THEN 'failed' ELSE incident_kind END, \
             updated_at = $1 WHERE id = $3",
        )
        .bind(&now)
        .bind(&detail)
        .bind(c.id)
        .execute(tx.conn())
        .await?;
    }
    tx.commit().await?;
    if !ok {
        open_tickets(db, policy, at).await?;
    }
    Ok(())
}

/// A report over HTTP: the check is found by its token. `None`: no such token.
pub async fn report_http(
    db: &Db,
    token: &str,
    status: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<BackupCheck, HelpdeskError> {
    let ok = match status.trim() {
        "ok" => true,
        "failed" => false,
        _ => {
            return Err(HelpdeskError::field(
                "status",
                "indicare lo stato del backup: ok oppure failed",
            ))
        }
    };
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM backup_checks WHERE token_hash = $1 AND active = 1"
    )))
    .bind(accounts::secret::digest(token.trim()))
    .fetch_optional(db.pool())
    .await?
    .ok_or(HelpdeskError::NotFound)?;
    let c = check(&row)?;
    let policy = crate::store::policy(db).await?;
    record(db, &policy, &c, ok, "http", detail, now).await?;
    Ok(c)
}

/// An inbound e-mail that may be a backup report: from a check's sender address. Returns
/// `true` when it was one (recorded), `false` when the address is no check's.
pub async fn report_email(
    db: &Db,
    policy: &SlaPolicy,
    from: &str,
    subject: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<bool, HelpdeskError> {
    if from.is_empty() {
        return Ok(false);
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM backup_checks WHERE email_from = $1 AND active = 1 ORDER BY id"
    )))
    .bind(from)
    .fetch_all(db.pool())
    .await?;
    let Some(c) = rows.first().map(check).transpose()? else {
        return Ok(false);
    };
    // The subject decides; the body when the subject says nothing; unreadable is a failure
    // (a report nobody can read does not prove a backup).
    let ok = matches!(status_of(subject).or_else(|| status_of(text)), Some("ok"));
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    record(
        db,
        policy,
        &c,
        ok,
        "email",
        &format!("{subject} — {first_line}"),
        now,
    )
    .await?;
    Ok(true)
}

/// Marks checks silent for longer than allowed, and opens one ticket per incident that has
/// none. Run periodically (and after a failed report). Returns the tickets opened.
pub async fn evaluate(db: &Db, now: DateTime<Utc>) -> Result<Vec<String>, HelpdeskError> {
    let policy = &crate::store::policy(db).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS}, created_at FROM backup_checks WHERE active = 1 AND incident_since IS NULL"
    )))
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        let c = check(r)?;
        let created: String = r.try_get(11)?;
        let since = c.last_report_at.as_deref().unwrap_or(&created);
        let Some(since) = kernel::time::parse(since) else {
            continue;
        };
        if now - since > Duration::hours(c.max_silence_hours) {
            let mut tx = db.write().await?;
            sqlx::query(
                "UPDATE backup_checks SET incident_since = $1, incident_kind = 'missing', updated_at = $1 \
                 WHERE id = $2 AND incident_since IS NULL",
            )
            .bind(kernel::time::format(now))
            .bind(c.id)
            .execute(tx.conn())
            .await?;
            tx.commit().await?;
        }
    }
    open_tickets(db, policy, now).await
}

/// One ticket for each incident that has none yet; the claim on the check and the ticket
/// are one transaction, so two runs never open two tickets.
async fn open_tickets(
    db: &Db,
    policy: &SlaPolicy,
    now: DateTime<Utc>,
) -> Result<Vec<String>, HelpdeskError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM backup_checks WHERE active = 1 AND incident_since IS NOT NULL \
         AND incident_ticket_id IS NULL ORDER BY id"
    )))
    .fetch_all(db.pool())
    .await?;
    let mut opened = Vec::new();
    for r in &rows {
        let c = check(r)?;
        let since = c
            .incident_since
            .as_deref()
            .map(kernel::time::display_rome)
            .unwrap_or_default();
        let (subject, description) = if c.incident_kind == "missing" {
            (
                format!("Backup «{}»: rapporto giornaliero mancante", c.name),
                format!(
                    "Dal {since} non arriva il rapporto del sistema di backup «{}» (atteso almeno ogni {} ore). \
                     Ultimo rapporto: {}.",
                    c.name,
                    c.max_silence_hours,
                    c.last_report_at
                        .as_deref()
                        .map(kernel::time::display_rome)
                        .unwrap_or_else(|| "mai".into())
                ),
            )
        } else {
            (
                format!("Backup «{}» non riuscito", c.name),
                format!(
                    "Il sistema di backup «{}» ha segnalato un errore il {since}: {}",
                    c.name, c.last_detail
                ),
            )
        };
        let actor = Actor::system("backup-check");
        let p = store::prepare(
            db,
            &actor,
            &NewTicket {
                entity_id: c.entity_id,
                subject,
                description,
                category: "Backup".into(),
                priority: "high".into(),
                channel: "monitoring".into(),
                ..Default::default()
            },
            policy,
            now,
        )
        .await?;
        let mut tx = db.write().await?;
        let t = store::insert(&mut tx, &actor, p).await?;
        let claimed = sqlx::query(
            "UPDATE backup_checks SET incident_ticket_id = $1, updated_at = $2 \
             WHERE id = $3 AND incident_since IS NOT NULL AND incident_ticket_id IS NULL",
        )
        .bind(t.id)
        .bind(kernel::time::format(now))
        .bind(c.id)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if claimed == 1 {
            tx.commit().await?;
            opened.push(t.number);
        }
        // else: another run took it first; dropping the transaction undoes this ticket.
    }
    Ok(opened)
}

/// The checks in trouble (a failed report, or none for too long) of the entities the actor
/// may see, with the entity's name, the longest-standing first.
pub async fn failing(db: &Db, actor: &Actor) -> Result<Vec<(BackupCheck, String)>, HelpdeskError> {
    let cols = COLS
        .split(", ")
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {cols}, e.name FROM backup_checks c JOIN entities e ON e.id = c.entity_id \
         WHERE c.active = 1 AND c.incident_kind <> '' AND {} \
         ORDER BY c.incident_since, e.name LIMIT 200",
        db::entities_in_scope!("c.entity_id", "$1")
    )))
    .bind(actor.scope_param())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((check(r)?, r.try_get(11)?)))
        .collect::<Result<_, sqlx::Error>>()?)
}

#[cfg(test)]
mod tests {
    use super::status_of;

    #[test]
    fn report_words() {
        assert_eq!(status_of("Backup job SRV01: Success"), Some("ok"));
        assert_eq!(
            status_of("[Veeam] Backup completato con successo"),
            Some("ok")
        );
        assert_eq!(status_of("Backup FAILED: disk full"), Some("failed"));
        assert_eq!(status_of("Backup fallito"), Some("failed"));
        assert_eq!(status_of("Backup completed with warning"), Some("failed"));
        assert_eq!(status_of("Job finished, 0 errors, success"), Some("ok"));
        assert_eq!(status_of("Rapporto giornaliero"), None);
        assert_eq!(status_of("Backup non riuscito"), Some("failed"));
        assert_eq!(status_of("Esito: KO"), Some("failed"));
        assert_eq!(status_of("Lookup book: ok"), Some("ok"));
    }
}
