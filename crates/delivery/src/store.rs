//! The only module of this crate with SQL: activation requests from submission to delivery,
//! and the active services delivery creates. Every change is audited under the request (or
//! the service) and its entity; what a contact may read or do is limited to their entities.

use chrono::{Datelike, NaiveDate};
use db::{audit, Db, WriteTx};
use kernel::audit::AuditEvent;
use kernel::{Actor, Euro, Role};
use serde::Serialize;
use sqlx::Row;

use catalog::membership::FeeLine;
use catalog::store::quotes::{self, QuoteRequest};

use crate::deadline;
use crate::model::RequestState;
use crate::DeliveryError;

mod list;
mod moves;
pub mod needs;
pub mod projects;
mod services;
pub mod work;

pub use list::{page, RequestQuery, RequestSort};
pub use moves::{approve, assign, cancel, deliver, refuse};
pub use services::{
    active_service, change_quantity, deactivate, services_from, services_on, ActiveService,
};

const IN_SCOPE: &str = db::entities_in_scope!("entity_id", "$1");

/// The longest note a request keeps.
pub const MAX_NOTES: usize = 2_000;

/// What a request is sent with.
#[derive(Debug, Clone, Default)]
pub struct RequestDraft {
    pub entity_id: i64,
    pub service: String,
    /// `None`: the service's main item.
    pub item: Option<String>,
    pub quantity: u32,
    /// When the entity would like the service to start (today when not given).
    pub wanted_date: Option<NaiveDate>,
    pub notes: String,
}

/// An activation request as stored, with the quote it was sent with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request {
    pub id: i64,
    pub entity_id: i64,
    pub service: String,
    pub item: String,
    pub quantity: u32,
    pub wanted_date: Option<NaiveDate>,
    pub notes: String,
    pub state: RequestState,
    pub quote_amount: Euro,
    /// Some part is priced only after an assessment.
    pub on_quotation: bool,
    pub lines: Vec<FeeLine>,
    pub price_list_id: i64,
    pub submitted_by: String,
    pub submitted_at: String,
    pub approved_on: Option<NaiveDate>,
    /// The delivery deadline, from the approval and the service card.
    pub due_date: Option<NaiveDate>,
    pub assigned_to: Option<i64>,
    pub activation_date: Option<NaiveDate>,
    /// Why it was refused or cancelled.
    pub reason: String,
    pub version: i64,
}

const COLS: &str = "id, entity_id, service_code, item_code, quantity, wanted_date, notes, state, \
    quote_amount_cents, quote_on_quotation, quote_lines_json, price_list_id, submitted_by, \
    submitted_at, approved_on, due_date, assigned_to, activation_date, reason, version";

fn date(v: Option<String>) -> Result<Option<NaiveDate>, sqlx::Error> {
    v.map(|s| {
        s.parse()
            .map_err(|e| sqlx::Error::Decode(format!("data «{s}» non valida: {e}").into()))
    })
    .transpose()
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Request, sqlx::Error> {
    let state: String = r.try_get(7)?;
    let lines: String = r.try_get(10)?;
    Ok(Request {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        service: r.try_get(2)?,
        item: r.try_get(3)?,
        quantity: u32::try_from(r.try_get::<i64, _>(4)?).unwrap_or(0),
        wanted_date: date(r.try_get(5)?)?,
        notes: r.try_get(6)?,
        state: RequestState::parse(&state)
            .ok_or_else(|| sqlx::Error::Decode(format!("stato «{state}» sconosciuto").into()))?,
        quote_amount: Euro::from_cents(r.try_get(8)?),
        on_quotation: r.try_get::<i64, _>(9)? != 0,
        lines: serde_json::from_str(&lines).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        price_list_id: r.try_get(11)?,
        submitted_by: r.try_get(12)?,
        submitted_at: r.try_get(13)?,
        approved_on: date(r.try_get(14)?)?,
        due_date: date(r.try_get(15)?)?,
        assigned_to: r.try_get(16)?,
        activation_date: date(r.try_get(17)?)?,
        reason: r.try_get(18)?,
        version: r.try_get(19)?,
    })
}

fn json(r: &Request) -> Option<String> {
    serde_json::to_string(r).ok()
}

/// Sends a request (a contact for their entity, staff for any), priced by the quote engine on
/// the wanted date: refused when the entity has no agreement in force then, the service is not
/// active, or the quantity is out of range (the quote's own checks).
pub async fn submit(
    db: &Db,
    actor: &Actor,
    draft: &RequestDraft,
    today: NaiveDate,
) -> Result<Request, DeliveryError> {
    if actor.role == Role::Supplier {
        return Err(DeliveryError::NotForSuppliers);
    }
    let mut wrong = vec![];
    if draft.service.trim().is_empty() {
        wrong.push(kernel::FieldError::new(
            "service",
            "il servizio è obbligatorio",
        ));
    }
    if draft.notes.chars().count() > MAX_NOTES {
        wrong.push(kernel::FieldError::new(
            "notes",
            format!("al massimo {MAX_NOTES} caratteri"),
        ));
    }
    if draft.wanted_date.is_some_and(|d| d < today) {
        wrong.push(kernel::FieldError::new(
            "wanted_date",
            "la data desiderata è già passata",
        ));
    }
    if !wrong.is_empty() {
        return Err(DeliveryError::Invalid(wrong));
    }
    let quote = price(db, actor, draft, today).await?;
    let mut tx = db.write().await?;
    let request = insert(&mut tx, actor, draft, &quote).await?;
    tx.commit().await?;
    Ok(request)
}

/// The quote a request is sent with: the entity's scope, the service, the agreement and the
/// price on the wanted date (the quote engine's checks).
async fn price(
    db: &Db,
    actor: &Actor,
    draft: &RequestDraft,
    today: NaiveDate,
) -> Result<quotes::StoredQuote, DeliveryError> {
    let start = draft.wanted_date.unwrap_or(today);
    Ok(quotes::compute(
        db,
        actor,
        &QuoteRequest {
            entity_id: draft.entity_id,
            service: draft.service.trim().to_owned(),
            item: draft.item.clone().filter(|i| !i.trim().is_empty()),
            quantity: draft.quantity,
            activation_date: start,
            year: start.year(),
        },
    )
    .await?)
}

/// Stores a request priced by [`price`], audited, its e-mail queued, in `tx`.
async fn insert(
    tx: &mut WriteTx,
    actor: &Actor,
    draft: &RequestDraft,
    quote: &quotes::StoredQuote,
) -> Result<Request, DeliveryError> {
    let lines =
        serde_json::to_string(&quote.lines).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let now = kernel::time::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO activation_requests (entity_id, service_code, item_code, quantity, wanted_date, \
         notes, state, quote_amount_cents, quote_on_quotation, quote_lines_json, price_list_id, \
         submitted_by, submitted_at, reason, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $8, $9, $10, $11, $12, '', $12) RETURNING id",
    )
    .bind(draft.entity_id)
    .bind(&quote.service)
    .bind(&quote.item)
    .bind(i64::from(quote.quantity))
    .bind(draft.wanted_date.map(|d| d.to_string()))
    .bind(draft.notes.trim())
    .bind(quote.amount.cents())
    .bind(i64::from(quote.on_quotation))
    .bind(&lines)
    .bind(quote.price_list_id)
    .bind(&actor.label)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    let request = read(tx, id).await?;
    audit::append(tx, event(actor, &request, "create", None, json(&request))).await?;
    tell(tx, &request).await?;
    Ok(request)
}

/// Queues the e-mail of the request's state to its entity, in the change's transaction.
async fn tell(tx: &mut WriteTx, r: &Request) -> Result<(), DeliveryError> {
    let row = sqlx::query(
        "SELECT e.name, COALESCE((SELECT s.name FROM services s WHERE s.code = $2), '') \
         FROM entities e WHERE e.id = $1",
    )
    .bind(r.entity_id)
    .bind(&r.service)
    .fetch_one(tx.conn())
    .await?;
    let (entity, service): (String, String) = (row.try_get(0)?, row.try_get(1)?);
    crate::notify::state_changed(tx, r, &entity, &service).await
}

fn event(
    actor: &Actor,
    r: &Request,
    action: &str,
    before: Option<String>,
    after: Option<String>,
) -> AuditEvent {
    AuditEvent {
        actor: actor.label.clone(),
        action: action.into(),
        object_type: "activation_request".into(),
        object_id: r.id.to_string(),
        entity_id: Some(r.entity_id),
        before,
        after,
    }
}

async fn read(tx: &mut WriteTx, id: i64) -> Result<Request, DeliveryError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM activation_requests WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(DeliveryError::NotFound)?;
    Ok(from_row(&row)?)
}

/// A request of an entity the actor may see.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Request, DeliveryError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM activation_requests WHERE id = $2 AND {IN_SCOPE}"
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(DeliveryError::NotFound)?;
    Ok(from_row(&row)?)
}

/// The requests the actor may see, newest first (at most 500): of one entity, in one state.
pub async fn list(
    db: &Db,
    actor: &Actor,
    entity_id: Option<i64>,
    state: Option<RequestState>,
) -> Result<Vec<Request>, DeliveryError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM activation_requests WHERE {IN_SCOPE} \
         AND ($2 = 0 OR entity_id = $2) AND ($3 = '' OR state = $3) ORDER BY id DESC LIMIT 500"
    )))
    .bind(actor.scope_param())
    .bind(entity_id.unwrap_or(0))
    .bind(state.map_or("", RequestState::code))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| from_row(r).map_err(DeliveryError::from))
        .collect()
}

/// The request, in the actor's scope, for a change: checks the move and the version.
async fn for_change(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
    to: RequestState,
    expected_version: Option<i64>,
) -> Result<Request, DeliveryError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM activation_requests WHERE id = $2 AND {IN_SCOPE}"
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(DeliveryError::NotFound)?;
    let r = from_row(&row)?;
    if expected_version.is_some_and(|v| v != r.version) {
        return Err(DeliveryError::Catalog(catalog::CatalogError::Conflict));
    }
    if !r.state.may_become(to) {
        return Err(DeliveryError::BadMove {
            from: r.state.label(),
            to: to.label(),
        });
    }
    Ok(r)
}

/// Writes the new state (and the columns `set` names, bound from `$4` on by `bind`), audits
/// the change, and gives the request as it now is.
async fn finish(
    mut tx: WriteTx,
    actor: &Actor,
    before: Request,
    action: &str,
    set: &str,
    bind: impl FnOnce(
        sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
    to: RequestState,
) -> Result<(WriteTx, Request), DeliveryError> {
    let sql = format!(
        "UPDATE activation_requests SET state = $1, updated_at = $2, version = version + 1{set} \
         WHERE id = $3"
    );
    let q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(to.code())
        .bind(kernel::time::now())
        .bind(before.id);
    bind(q).execute(tx.conn()).await?;
    let after = read(&mut tx, before.id).await?;
    audit::append(
        &mut tx,
        event(actor, &after, action, json(&before), json(&after)),
    )
    .await?;
    tell(&mut tx, &after).await?;
    Ok((tx, after))
}

fn staff(actor: &Actor) -> Result<(), DeliveryError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(DeliveryError::StaffOnly)
    }
}
