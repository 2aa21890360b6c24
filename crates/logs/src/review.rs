//! The review of the administrators' accesses (the Garante's yearly check): each entity names
//! its system administrators and the accounts they use; staff mark which of the entity's people
//! review the logs (the *titolare* and delegates: only they, and staff, read the entity's logs);
//! a reviewer records each check signed off (who, which period, what was seen, notes).
//! All in the main database, audited.

use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::{Actor, FieldError, Role};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::LogsError;

/// A named system administrator of an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LogAdmin {
    pub id: i64,
    pub entity_id: i64,
    pub name: String,
    /// The account names the systems write for them.
    pub accounts: Vec<String>,
    pub role: String,
    pub created_at: String,
}

fn admin_row(r: &sqlx::any::AnyRow) -> Result<LogAdmin, sqlx::Error> {
    let accounts: String = r.try_get(3)?;
    Ok(LogAdmin {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        name: r.try_get(2)?,
        accounts: serde_json::from_str(&accounts).unwrap_or_default(),
        role: r.try_get(4)?,
        created_at: r.try_get(5)?,
    })
}

/// The entity's administrators, by name (no scope check: callers check).
pub async fn admins(db: &Db, entity_id: i64) -> Result<Vec<LogAdmin>, LogsError> {
    let rows = sqlx::query(
        "SELECT id, entity_id, name, accounts, role, created_at FROM log_admins \
         WHERE entity_id = $1 ORDER BY name, id",
    )
    .bind(entity_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(admin_row).collect::<Result<_, _>>()?)
}

/// Checks an administrator as asked: a name, one to twenty accounts without spaces.
pub fn check_admin(
    name: &str,
    accounts: &[String],
    role: &str,
) -> Result<(String, Vec<String>, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new(
            "name",
            "indicare nome e cognome (al massimo 200 caratteri)",
        ));
    }
    let mut list: Vec<String> = Vec::new();
    for a in accounts.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        if a.chars().any(char::is_whitespace) || a.chars().count() > 200 {
            errors.push(FieldError::new(
                "accounts",
                format!("«{a}» non è un nome di account (senza spazi, al massimo 200 caratteri)"),
            ));
        } else if !list.iter().any(|x| x == a) {
            list.push(a.to_owned());
        }
    }
    if list.is_empty() {
        errors.push(FieldError::new(
            "accounts",
            "indicare almeno un account con cui accede ai sistemi (per esempio mrossi)",
        ));
    } else if list.len() > 20 {
        errors.push(FieldError::new("accounts", "al massimo 20 account"));
    }
    let role = role.trim();
    if role.chars().count() > 200 {
        errors.push(FieldError::new("role", "al massimo 200 caratteri"));
    }
    if errors.is_empty() {
        Ok((name.to_owned(), list, role.to_owned()))
    } else {
        Err(errors)
    }
}

/// Names an administrator of the entity (staff, or the entity's reviewers). Audited.
pub async fn add_admin(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    name: &str,
    accounts: &[String],
    role: &str,
) -> Result<LogAdmin, LogsError> {
    may_review(db, actor, entity_id).await?;
    let (name, accounts, role) = check_admin(name, accounts, role).map_err(LogsError::Invalid)?;
    let now = kernel::time::now();
    let json = serde_json::to_string(&accounts).unwrap_or_else(|_| "[]".into());
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO log_admins (entity_id, name, accounts, role, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(entity_id)
    .bind(&name)
    .bind(&json)
    .bind(&role)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "log_admin".into(),
            object_id: id.to_string(),
            entity_id: Some(entity_id),
            before: None,
            after: Some(
                serde_json::json!({"name": name, "accounts": accounts, "role": role}).to_string(),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(LogAdmin {
        id,
        entity_id,
        name,
        accounts,
        role,
        created_at: now,
    })
}

/// Removes an administrator from the entity's list (staff, or its reviewers). Audited.
pub async fn remove_admin(db: &Db, actor: &Actor, id: i64) -> Result<LogAdmin, LogsError> {
    let r = sqlx::query(
        "SELECT id, entity_id, name, accounts, role, created_at FROM log_admins WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(LogsError::AdminNotFound)?;
    let a = admin_row(&r)?;
    match may_review(db, actor, a.entity_id).await {
        Err(LogsError::Members(_)) => return Err(LogsError::AdminNotFound),
        other => other?,
    };
    let mut tx = db.write().await?;
    sqlx::query("DELETE FROM log_admins WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "delete".into(),
            object_type: "log_admin".into(),
            object_id: id.to_string(),
            entity_id: Some(a.entity_id),
            before: Some(
                serde_json::json!({"name": a.name, "accounts": a.accounts, "role": a.role})
                    .to_string(),
            ),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(a)
}

/// Who reviews an entity's logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Reviewer {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    /// `titolare` or `delegato`.
    pub kind: String,
}

pub async fn reviewers(db: &Db, entity_id: i64) -> Result<Vec<Reviewer>, LogsError> {
    let rows = sqlx::query(
        "SELECT r.user_id, u.username, u.full_name, r.kind FROM log_reviewers r \
         JOIN users u ON u.id = r.user_id WHERE r.entity_id = $1 \
         ORDER BY CASE r.kind WHEN 'titolare' THEN 0 ELSE 1 END, u.full_name, u.username",
    )
    .bind(entity_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Reviewer {
                user_id: r.try_get(0)?,
                username: r.try_get(1)?,
                full_name: r.try_get(2)?,
                kind: r.try_get(3)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Marks one of the entity's people as its titolare or a delegate (staff only; one titolare:
/// marking another moves the mark). `kind` None removes the mark. Audited.
pub async fn set_reviewer(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    user_id: i64,
    kind: Option<&str>,
) -> Result<Vec<Reviewer>, LogsError> {
    members::store::get(db, actor, entity_id).await?;
    if !actor.is_staff() {
        return Err(LogsError::StaffOnly);
    }
    if let Some(k) = kind {
        if k != "titolare" && k != "delegato" {
            return Err(LogsError::field("kind", "«titolare» o «delegato»"));
        }
    }
    // Only a contact account of this entity may be marked.
    let eligible: Option<i64> = sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN user_entities ue ON ue.user_id = u.id \
         WHERE u.id = $1 AND ue.entity_id = $2 AND u.role = 'contact' AND u.active = 1",
    )
    .bind(user_id)
    .bind(entity_id)
    .fetch_optional(db.pool())
    .await?;
    if eligible.is_none() {
        return Err(LogsError::field(
            "user_id",
            "l'utente non è un referente attivo di questo ente",
        ));
    }
    let mut tx = db.write().await?;
    if kind == Some("titolare") {
        sqlx::query(
            "UPDATE log_reviewers SET kind = 'delegato' WHERE entity_id = $1 AND kind = 'titolare'",
        )
        .bind(entity_id)
        .execute(tx.conn())
        .await?;
    }
    sqlx::query("DELETE FROM log_reviewers WHERE entity_id = $1 AND user_id = $2")
        .bind(entity_id)
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    if let Some(k) = kind {
        sqlx::query(
            "INSERT INTO log_reviewers (entity_id, user_id, kind, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(entity_id)
        .bind(user_id)
        .bind(k)
        .bind(kernel::time::now())
        .execute(tx.conn())
        .await?;
    }
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "update".into(),
            object_type: "log_reviewer".into(),
            object_id: user_id.to_string(),
            entity_id: Some(entity_id),
            before: None,
            after: Some(serde_json::json!({"kind": kind}).to_string()),
        },
    )
    .await?;
    tx.commit().await?;
    reviewers(db, entity_id).await
}

/// Whether the actor may read and review the entity's logs: staff, or one of the entity's
/// people marked as its titolare or a delegate (the entity, if so). Out of scope is 404, as
/// everywhere.
pub async fn may_review(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
) -> Result<members::Entity, LogsError> {
    let entity = members::store::get(db, actor, entity_id).await?;
    if actor.is_staff() {
        return Ok(entity);
    }
    if actor.role == Role::Contact {
        let marked: Option<String> = sqlx::query_scalar(
            "SELECT kind FROM log_reviewers WHERE entity_id = $1 AND user_id = $2",
        )
        .bind(entity_id)
        .bind(actor.user_id)
        .fetch_optional(db.pool())
        .await?;
        if marked.is_some() {
            return Ok(entity);
        }
    }
    Err(LogsError::ReviewersOnly)
}

/// A periodic check, signed off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LogReview {
    pub id: i64,
    pub entity_id: i64,
    pub user_id: i64,
    pub reviewer: String,
    pub from: String,
    pub to: String,
    /// The administrators' access events in the period, and the failed ones among them.
    pub events: i64,
    pub failures: i64,
    pub notes: String,
    /// SHA-256 of what was signed (period, counts, administrators, notes).
    pub digest: String,
    pub signed_at: String,
}

pub async fn reviews(db: &Db, entity_id: i64) -> Result<Vec<LogReview>, LogsError> {
    let rows = sqlx::query(
        "SELECT id, entity_id, user_id, reviewer, period_from, period_to, events, failures, \
         notes, digest, signed_at FROM log_reviews WHERE entity_id = $1 ORDER BY id DESC",
    )
    .bind(entity_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LogReview {
                id: r.try_get(0)?,
                entity_id: r.try_get(1)?,
                user_id: r.try_get(2)?,
                reviewer: r.try_get(3)?,
                from: r.try_get(4)?,
                to: r.try_get(5)?,
                events: r.try_get(6)?,
                failures: r.try_get(7)?,
                notes: r.try_get(8)?,
                digest: r.try_get(9)?,
                signed_at: r.try_get(10)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Records a check signed off by a reviewer of the entity (a marked titolare or delegate, or
/// staff acting for them), with what it saw: `events` and `failures` are counted by the
/// caller from the log store for the administrators' accounts. Audited.
#[allow(clippy::too_many_arguments)]
pub async fn sign_review(
    db: &Db,
    actor: &Actor,
    reviewer: &str,
    entity_id: i64,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    events: i64,
    failures: i64,
    notes: &str,
) -> Result<LogReview, LogsError> {
    may_review(db, actor, entity_id).await?;
    let notes = notes.trim();
    if notes.chars().count() > 5000 {
        return Err(LogsError::field("notes", "al massimo 5.000 caratteri"));
    }
    let admins = admins(db, entity_id).await?;
    let summary = serde_json::json!({
        "entity_id": entity_id, "from": from.to_string(), "to": to.to_string(),
        "events": events, "failures": failures, "notes": notes, "reviewer": reviewer,
        "admins": admins.iter().map(|a| serde_json::json!({"name": a.name, "accounts": a.accounts})).collect::<Vec<_>>(),
    })
    .to_string();
    let digest = hex::encode(Sha256::digest(summary.as_bytes()));
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO log_reviews (entity_id, user_id, reviewer, period_from, period_to, events, \
         failures, notes, digest, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         RETURNING id",
    )
    .bind(entity_id)
    .bind(actor.user_id)
    .bind(reviewer)
    .bind(from.to_string())
    .bind(to.to_string())
    .bind(events)
    .bind(failures)
    .bind(notes)
    .bind(&digest)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "log_review".into(),
            object_id: id.to_string(),
            entity_id: Some(entity_id),
            before: None,
            after: Some(summary),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(LogReview {
        id,
        entity_id,
        user_id: actor.user_id,
        reviewer: reviewer.to_owned(),
        from: from.to_string(),
        to: to.to_string(),
        events,
        failures,
        notes: notes.to_owned(),
        digest,
        signed_at: now,
    })
}
