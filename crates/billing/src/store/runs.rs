//! Billing runs: an admin asks for the year's statements (every entity with an agreement in
//! force, or a selection); a background job computes each entity's charges, reconciles them
//! with what issued statements already billed, and writes the drafts, reporting progress.

use std::collections::{BTreeMap, HashMap};

use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::Actor;
use serde::Serialize;
use sqlx::Row;

use super::facts;
use super::statements::{write_drafts, DraftLine};
use crate::engine::{self, Billed};
use crate::BillingError;

/// The job kind that runs a billing run.
pub const RUN_JOB: &str = "billing.statements.run";

/// Entities written per transaction (and per progress step).
const CHUNK: usize = 250;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Run {
    pub id: i64,
    pub year: i32,
    pub entity_ids: Option<Vec<i64>>,
    /// queued | running | done | failed
    pub state: String,
    pub done: i64,
    pub total: i64,
    pub lines_added: i64,
    /// Entities left out, and why: fixed, they are billed by the next run.
    pub problems: Vec<Problem>,
    pub error: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub finished_at: Option<String>,
}

/// An entity a run left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Problem {
    pub entity_id: i64,
    #[serde(default)]
    pub entity_name: String,
    pub message: String,
}

const COLS: &str = "id, year, entity_ids, state, done, total, lines_added, error, created_by, \
    created_at, finished_at, problems";

fn run_row(r: &sqlx::any::AnyRow) -> Result<Run, sqlx::Error> {
    let ids: Option<String> = r.try_get(2)?;
    Ok(Run {
        id: r.try_get(0)?,
        year: i32::try_from(r.try_get::<i64, _>(1)?).unwrap_or(0),
        entity_ids: ids.and_then(|s| serde_json::from_str(&s).ok()),
        state: r.try_get(3)?,
        done: r.try_get(4)?,
        total: r.try_get(5)?,
        lines_added: r.try_get(6)?,
        error: r.try_get(7)?,
        created_by: r.try_get(8)?,
        created_at: r.try_get(9)?,
        finished_at: r.try_get(10)?,
        problems: serde_json::from_str(&r.try_get::<String, _>(11)?).unwrap_or_default(),
    })
}

/// Queues a run of `year` (admins only). Refused while another run of the same year is
/// queued or running.
pub async fn start(
    db: &Db,
    actor: &Actor,
    year: i64,
    entity_ids: Option<Vec<i64>>,
) -> Result<Run, BillingError> {
    if !actor.is_admin() {
        return Err(BillingError::AdminOnly);
    }
    let year = catalog::store::check_year(year).map_err(|_| {
        BillingError::field("year", format!("anno {year} non valido: tra 2000 e 2100"))
    })?;
    if let Some(ids) = &entity_ids {
        if ids.is_empty() {
            return Err(BillingError::field(
                "entity_ids",
                "indicare almeno un ente, oppure nessuna lista per tutti gli enti con convenzione",
            ));
        }
        if ids.len() > 100_000 {
            return Err(BillingError::field("entity_ids", "troppi enti"));
        }
    }
    let mut tx = db.write().await?;
    if let Some(ids) = &entity_ids {
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        for chunk in unique.chunks(500) {
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let found: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM entities WHERE id IN ({list})"
            )))
            .fetch_one(tx.conn())
            .await?;
            if found != chunk.len() as i64 {
                return Err(BillingError::field(
                    "entity_ids",
                    "uno o più enti indicati non esistono",
                ));
            }
        }
    }
    let busy: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM statement_runs WHERE year = $1 AND state IN ('queued', 'running')",
    )
    .bind(i64::from(year))
    .fetch_one(tx.conn())
    .await?;
    if busy > 0 {
        return Err(BillingError::Conflict(format!(
            "i rendiconti del {year} sono già in elaborazione: attendere che finisca"
        )));
    }
    let ids_json = entity_ids
        .as_ref()
        .map(|ids| serde_json::to_string(ids).unwrap_or_default());
    let now = kernel::time::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO statement_runs (year, entity_ids, state, created_by, created_at) \
         VALUES ($1, $2, 'queued', $3, $4) RETURNING id",
    )
    .bind(i64::from(year))
    .bind(&ids_json)
    .bind(&actor.label)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    worker::enqueue(
        &mut tx,
        RUN_JOB,
        &serde_json::json!({ "run_id": id }),
        Some(&format!("statement-run-{id}")),
        None,
    )
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "statement_run".into(),
            object_id: id.to_string(),
            entity_id: None,
            before: None,
            after: Some(serde_json::json!({"year": year, "entity_ids": entity_ids}).to_string()),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// A run (staff).
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Run, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::RunNotFound);
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM statement_runs WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(BillingError::RunNotFound)?;
    Ok(run_row(&row)?)
}

/// The latest runs, newest first (staff).
pub async fn recent(db: &Db, actor: &Actor, limit: i64) -> Result<Vec<Run>, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::StaffOnly);
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM statement_runs ORDER BY id DESC LIMIT $1"
    )))
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(run_row).collect::<Result<_, _>>()?)
}

async fn set_state(db: &Db, id: i64, state: &str, error: Option<&str>) -> Result<(), BillingError> {
    let finished = matches!(state, "done" | "failed").then(kernel::time::now);
    let mut tx = db.write().await?;
    sqlx::query("UPDATE statement_runs SET state = $1, error = $2, finished_at = $3 WHERE id = $4")
        .bind(state)
        .bind(error)
        .bind(finished)
        .bind(id)
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Runs a queued (or interrupted) run to its end: the job's work. Safe to repeat: each
/// entity's draft is recomputed from the facts, so a second pass writes nothing new.
pub async fn execute(db: &Db, id: i64) -> Result<Run, BillingError> {
    let run = get(db, &Actor::system("billing"), id).await?;
    if run.state == "done" || run.state == "failed" {
        return Ok(run);
    }
    match execute_inner(db, &run).await {
        Ok(()) => {
            set_state(db, id, "done", None).await?;
        }
        Err(e) => {
            set_state(db, id, "failed", Some(&e.to_string())).await?;
            tracing::warn!(run = id, error = %e, "billing run failed");
        }
    }
    get(db, &Actor::system("billing"), id).await
}

async fn execute_inner(db: &Db, run: &Run) -> Result<(), BillingError> {
    let settings = super::settings(db).await?;
    let entities = facts::entities_to_bill(db, run.year, run.entity_ids.as_deref()).await?;
    {
        let mut tx = db.write().await?;
        sqlx::query(
            "UPDATE statement_runs SET state = 'running', total = $1, done = 0 WHERE id = $2",
        )
        .bind(entities.len() as i64)
        .bind(run.id)
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
    }
    let year_facts = facts::load(db, run.year, &entities, &settings).await?;
    let billed = facts::billed(db, run.year).await?;
    let empty: BTreeMap<String, Billed> = BTreeMap::new();
    let mut problems = year_facts.problems.clone();
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut done = 0i64;
    let mut added = 0i64;
    for chunk in entities.chunks(CHUNK) {
        let mut drafts: HashMap<i64, Vec<DraftLine>> = HashMap::with_capacity(chunk.len());
        let mut billable = Vec::with_capacity(chunk.len());
        for id in chunk {
            let Some(f) = year_facts.facts.get(id) else {
                continue;
            };
            if problems.contains_key(id) {
                continue;
            }
            let charges = match engine::charges(f, &year_facts.lists, &year_facts.rates) {
                Ok(c) => c,
                Err(e) => {
                    problems.insert(*id, e.to_string());
                    continue;
                }
            };
            billable.push(*id);
            let left = engine::reconcile(&charges, billed.get(id).unwrap_or(&empty));
            let lines = left
                .into_iter()
                .map(|c| {
                    let vat = match c.kind {
                        engine::LineKind::Membership => settings.vat_for("_quota", ""),
                        engine::LineKind::Work | engine::LineKind::CallOut => {
                            settings.vat_for("_lavoro", "")
                        }
                        engine::LineKind::Project => settings.vat_for("_progetto", ""),
                        engine::LineKind::Training => settings.vat_for("_formazione", ""),
                        _ => settings.vat_for(&c.service, &c.item),
                    };
                    DraftLine { charge: c, vat }
                })
                .collect();
            drafts.insert(*id, lines);
        }
        if !billable.is_empty() {
            added += write_drafts(
                db,
                run.year,
                run.id,
                &billable,
                &drafts,
                settings.split_payment,
            )
            .await?;
        }
        done += chunk.len() as i64;
        let mut list: Vec<Problem> = Vec::with_capacity(problems.len());
        for (entity_id, message) in &problems {
            // Each entity's name is read once, the first chunk it is a problem in.
            if !names.contains_key(entity_id) {
                let name: Option<String> =
                    sqlx::query_scalar("SELECT name FROM entities WHERE id = $1")
                        .bind(entity_id)
                        .fetch_optional(db.pool())
                        .await?;
                names.insert(*entity_id, name.unwrap_or_default());
            }
            list.push(Problem {
                entity_id: *entity_id,
                entity_name: names.get(entity_id).cloned().unwrap_or_default(),
                message: message.clone(),
            });
        }
        let mut tx = db.write().await?;
        sqlx::query(
            "UPDATE statement_runs SET done = $1, lines_added = $2, problems = $3 WHERE id = $4",
        )
        .bind(done)
        .bind(added)
        .bind(serde_json::to_string(&list).unwrap_or_else(|_| "[]".into()))
        .bind(run.id)
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
    }
    Ok(())
}
