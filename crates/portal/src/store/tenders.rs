//! Calls for tender (*bandi di gara*): published by the entity by category; the state is read
//! from the dates ([`crate::tenders::state`]); a call already published is never changed
//! silently: each change is a dated correction (*rettifica*) kept and shown with it.

use chrono::{DateTime, NaiveDate, Utc};
use db::{Db, WriteTx};
use kernel::{Actor, FieldError};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::{audit_event, line, manager, stored, About, IN_SCOPE};
use crate::tenders::{state, TenderState, ARCHIVE_MONTHS};
use crate::PortalError;

mod documents;
use documents::documents;
pub use documents::{
    add_document, document, public_document, public_get, TenderDocument, MAX_DOCUMENT,
    MAX_DOCUMENTS,
};

/// The categories, as the seed names them (works, services, supplies, public notices, other).
pub const CATEGORIES: [(&str, &str); 5] = [
    ("lavori", "Appalti di lavori"),
    ("servizi", "Appalti di servizi"),
    ("forniture", "Appalti di forniture"),
    ("avvisi", "Avvisi pubblici"),
    ("altro", "Altri bandi"),
];

pub fn category_label(code: &str) -> &'static str {
    CATEGORIES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("Altri bandi", |(_, l)| l)
}

#[derive(Debug, Clone, Default)]
pub struct TenderDraft {
    pub entity_id: i64,
    pub title: String,
    pub category: String,
    pub description: String,
    pub published_on: Option<NaiveDate>,
    pub deadline_at: Option<DateTime<Utc>>,
    pub outcome_on: Option<DateTime<Utc>>,
    pub outcome: String,
    pub archive_months: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Rectification {
    pub id: i64,
    pub at: String,
    pub text: String,
    /// What changed: `{field: [before, after]}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub created_by: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tender {
    pub id: i64,
    pub entity_id: i64,
    pub title: String,
    pub category: String,
    pub description: String,
    pub published_on: String,
    pub deadline_at: String,
    pub outcome_on: Option<String>,
    pub outcome: String,
    pub archive_months: i64,
    /// `active`, `expired`, `expired_with_outcome` or `archived`, on the day asked.
    pub state: TenderState,
    /// Published (its publication day has come): from then on every change is a correction.
    pub published: bool,
    pub rectifications: Vec<Rectification>,
    pub documents: Vec<TenderDocument>,
    pub created_by: String,
    pub created_at: String,
    pub version: i64,
}

const TCOLS: &str = "id, entity_id, title, category, description, published_on, deadline_at, \
    outcome_on, outcome, archive_months, created_by, created_at, version";

fn instant(s: &str) -> DateTime<Utc> {
    s.parse().unwrap_or_default()
}

fn tender_row(r: &sqlx::any::AnyRow, now: DateTime<Utc>) -> Result<Tender, sqlx::Error> {
    let published_on: String = r.try_get(5)?;
    let deadline: String = r.try_get(6)?;
    let outcome_on: Option<String> = r.try_get(7)?;
    let months: i64 = r.try_get(9)?;
    let today = super::rome_date(now);
    Ok(Tender {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        title: r.try_get(2)?,
        category: r.try_get(3)?,
        description: r.try_get(4)?,
        published: published_on.as_str() <= today.to_string().as_str(),
        published_on,
        state: state(
            now,
            instant(&deadline),
            outcome_on.as_deref().map(instant),
            u32::try_from(months).unwrap_or(ARCHIVE_MONTHS),
        ),
        deadline_at: deadline,
        outcome_on,
        outcome: r.try_get(8)?,
        archive_months: months,
        rectifications: vec![],
        documents: vec![],
        created_by: r.try_get(10)?,
        created_at: r.try_get(11)?,
        version: r.try_get(12)?,
    })
}

struct Checked {
    title: String,
    category: String,
    description: String,
    published_on: NaiveDate,
    deadline_at: DateTime<Utc>,
    outcome_on: Option<DateTime<Utc>>,
    outcome: String,
    archive_months: i64,
}

fn check(d: &TenderDraft) -> Result<Checked, PortalError> {
    let mut wrong = vec![];
    let title = line(
        &mut wrong,
        "title",
        &d.title,
        300,
        "il titolo è obbligatorio",
    );
    let category = d.category.trim().to_lowercase();
    if !CATEGORIES.iter().any(|(c, _)| *c == category) {
        wrong.push(FieldError::new(
            "category",
            "categoria sconosciuta: lavori, servizi, forniture, avvisi o altro",
        ));
    }
    if d.description.chars().count() > 20_000 {
        wrong.push(FieldError::new(
            "description",
            "al massimo 20.000 caratteri",
        ));
    }
    if d.outcome.chars().count() > 20_000 {
        wrong.push(FieldError::new("outcome", "al massimo 20.000 caratteri"));
    }
    let Some(published_on) = d.published_on else {
        wrong.push(FieldError::new(
            "published_on",
            "indicare il giorno di pubblicazione (AAAA-MM-GG)",
        ));
        return Err(PortalError::Invalid(wrong));
    };
    match d.deadline_at {
        None => wrong.push(FieldError::new(
            "deadline_at",
            "indicare la scadenza, data e ora (AAAA-MM-GGTHH:MM:SSZ)",
        )),
        Some(t) if super::rome_date(t) < published_on => wrong.push(FieldError::new(
            "deadline_at",
            "la scadenza non può precedere la pubblicazione",
        )),
        Some(_) => {}
    }
    if let (Some(o), Some(dl)) = (d.outcome_on, d.deadline_at) {
        if o < dl {
            wrong.push(FieldError::new(
                "outcome_on",
                "l'esito si pubblica dopo la scadenza",
            ));
        }
    }
    let months = d.archive_months.unwrap_or(i64::from(ARCHIVE_MONTHS));
    if !(1..=120).contains(&months) {
        wrong.push(FieldError::new(
            "archive_months",
            "i mesi prima dell'archivio vanno da 1 a 120",
        ));
    }
    if !wrong.is_empty() {
        return Err(PortalError::Invalid(wrong));
    }
    Ok(Checked {
        title,
        category,
        description: d.description.trim().to_owned(),
        published_on,
        deadline_at: d.deadline_at.unwrap_or_default(),
        outcome_on: d.outcome_on,
        outcome: d.outcome.trim().to_owned(),
        archive_months: months,
    })
}

async fn read(
    conn: &mut sqlx::AnyConnection,
    scope: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Tender, PortalError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TCOLS} FROM tenders WHERE id = $2 AND {IN_SCOPE}"
    )))
    .bind(scope)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(PortalError::TenderNotFound)?;
    let mut t = tender_row(&r, now)?;
    t.rectifications = sqlx::query(
        "SELECT id, at, text, changes, created_by FROM tender_rectifications \
         WHERE tender_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let changes: String = r.try_get(3)?;
        Ok(Rectification {
            id: r.try_get(0)?,
            at: r.try_get(1)?,
            text: r.try_get(2)?,
            changes: serde_json::from_str(&changes).unwrap_or_default(),
            created_by: r.try_get(4)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    t.documents = documents(conn, id).await?;
    Ok(t)
}

fn audit_json(t: &Tender) -> serde_json::Value {
    json!({"title": t.title, "category": t.category, "published_on": t.published_on,
           "deadline_at": t.deadline_at, "outcome_on": t.outcome_on,
           "archive_months": t.archive_months})
}

/// Records a call for tender of an entity.
pub async fn create(
    db: &Db,
    actor: &Actor,
    d: &TenderDraft,
    now: DateTime<Utc>,
) -> Result<Tender, PortalError> {
    members::store::get(db, actor, d.entity_id).await?;
    manager(actor)?;
    let mut d = d.clone();
    if d.archive_months.is_none() {
        d.archive_months = Some(super::settings::of(db, d.entity_id).await?.archive_months);
    }
    let c = check(&d)?;
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tenders (entity_id, title, category, description, published_on, \
         deadline_at, outcome_on, outcome, archive_months, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(d.entity_id)
    .bind(&c.title)
    .bind(&c.category)
    .bind(&c.description)
    .bind(c.published_on.to_string())
    .bind(stored(c.deadline_at))
    .bind(c.outcome_on.map(stored))
    .bind(&c.outcome)
    .bind(c.archive_months)
    .bind(&actor.label)
    .bind(kernel::time::now())
    .fetch_one(tx.conn())
    .await?;
    let t = read(tx.conn(), 0, id, now).await?;
    audit_event(
        &mut tx,
        actor,
        About {
            action: "create",
            object: "tender",
            id,
            entity_id: t.entity_id,
        },
        None,
        Some(audit_json(&t)),
    )
    .await?;
    tx.commit().await?;
    Ok(t)
}

/// A call the actor may see, its state at `now`.
pub async fn get(
    db: &Db,
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Tender, PortalError> {
    let mut conn = db.pool().acquire().await?;
    let t = read(&mut conn, actor.scope_param(), id, now).await?;
    manager(actor)?;
    Ok(t)
}

/// An entity's calls with their corrections (not their documents), newest deadline first;
/// `only` keeps one state; `public` only those published by `now` (at most 500).
pub async fn list(
    db: &Db,
    entity_id: i64,
    now: DateTime<Utc>,
    only: Option<TenderState>,
    public: bool,
) -> Result<Vec<Tender>, PortalError> {
    let today = super::rome_date(now).to_string();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {TCOLS} FROM tenders WHERE entity_id = $1 AND ($2 = 0 OR published_on <= $3) \
         ORDER BY deadline_at DESC, id DESC LIMIT 500"
    )))
    .bind(entity_id)
    .bind(i64::from(public))
    .bind(&today)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let t = tender_row(r, now)?;
        if only.is_none_or(|s| s == t.state) {
            out.push(t);
        }
    }
    // Their corrections, with one query for the entity's calls.
    let corrections = sqlx::query(
        "SELECT r.tender_id, r.id, r.at, r.text, r.changes, r.created_by \
         FROM tender_rectifications r JOIN tenders t ON t.id = r.tender_id \
         WHERE t.entity_id = $1 ORDER BY r.id",
    )
    .bind(entity_id)
    .fetch_all(db.pool())
    .await?;
    for r in &corrections {
        let tender: i64 = r.try_get(0)?;
        if let Some(t) = out.iter_mut().find(|t| t.id == tender) {
            let changes: String = r.try_get(4)?;
            t.rectifications.push(Rectification {
                id: r.try_get(1)?,
                at: r.try_get(2)?,
                text: r.try_get(3)?,
                changes: serde_json::from_str(&changes).unwrap_or_default(),
                created_by: r.try_get(5)?,
            });
        }
    }
    Ok(out)
}

/// Changes a call. Before its publication day, freely; once published, only with `reason`,
/// recorded as a dated correction with what changed.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    d: &TenderDraft,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Tender, PortalError> {
    let mut tx = db.write().await?;
    let before = read(tx.conn(), actor.scope_param(), id, now).await?;
    manager(actor)?;
    let c = check(&TenderDraft {
        entity_id: before.entity_id,
        ..d.clone()
    })?;
    let after_fields = json!({
        "title": c.title, "category": c.category, "description": c.description,
        "published_on": c.published_on.to_string(), "deadline_at": stored(c.deadline_at),
        "outcome_on": c.outcome_on.map(stored), "outcome": c.outcome,
        "archive_months": c.archive_months,
    });
    let before_fields = json!({
        "title": before.title, "category": before.category, "description": before.description,
        "published_on": before.published_on, "deadline_at": before.deadline_at,
        "outcome_on": before.outcome_on, "outcome": before.outcome,
        "archive_months": before.archive_months,
    });
    let mut changes = serde_json::Map::new();
    for (k, v) in after_fields.as_object().into_iter().flatten() {
        let old = &before_fields[k];
        if old != v {
            changes.insert(k.clone(), json!([old, v]));
        }
    }
    if changes.is_empty() {
        return Ok(before);
    }
    // The outcome published after the deadline is the call's next step, not a correction.
    let only_outcome = changes.keys().all(|k| k == "outcome" || k == "outcome_on");
    let reason = reason.trim();
    if before.published && !only_outcome {
        if reason.is_empty() {
            return Err(PortalError::field(
                "reason",
                "il bando è già pubblicato: ogni modifica è una rettifica, con il suo motivo",
            ));
        }
        if reason.chars().count() > 2_000 {
            return Err(PortalError::field("reason", "al massimo 2.000 caratteri"));
        }
    }
    sqlx::query(
        "UPDATE tenders SET title = $2, category = $3, description = $4, published_on = $5, \
         deadline_at = $6, outcome_on = $7, outcome = $8, archive_months = $9, \
         version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(&c.title)
    .bind(&c.category)
    .bind(&c.description)
    .bind(c.published_on.to_string())
    .bind(stored(c.deadline_at))
    .bind(c.outcome_on.map(stored))
    .bind(&c.outcome)
    .bind(c.archive_months)
    .execute(tx.conn())
    .await?;
    if before.published && !only_outcome {
        rectify(&mut tx, actor, id, reason, &changes).await?;
    }
    let after = read(tx.conn(), 0, id, now).await?;
    audit_event(
        &mut tx,
        actor,
        About {
            action: "update",
            object: "tender",
            id,
            entity_id: after.entity_id,
        },
        Some(audit_json(&before)),
        Some(audit_json(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

async fn rectify(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    reason: &str,
    changes: &serde_json::Map<String, serde_json::Value>,
) -> Result<(), PortalError> {
    sqlx::query(
        "INSERT INTO tender_rectifications (tender_id, at, text, changes, created_by) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(kernel::time::now())
    .bind(reason)
    .bind(serde_json::Value::Object(changes.clone()).to_string())
    .bind(&actor.label)
    .execute(tx.conn())
    .await?;
    Ok(())
}
