//! Price quotes: computed from the list valid on the pricing date, for an entity with an
//! agreement in force, and kept with their lines so they read the same for ever.

use chrono::NaiveDate;
use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::{Actor, Euro, Role};
use serde::Serialize;
use sqlx::Row;

use crate::fees::{self, pricing_date, QuoteInput};
use crate::membership::FeeLine;
use crate::CatalogError;

/// What a quote is asked for.
#[derive(Debug, Clone)]
pub struct QuoteRequest {
    pub entity_id: i64,
    pub service: String,
    pub item: Option<String>,
    pub quantity: u32,
    pub activation_date: NaiveDate,
    pub year: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredQuote {
    pub id: i64,
    pub entity_id: i64,
    pub service: String,
    pub service_name: String,
    pub item: String,
    pub item_label: String,
    pub quantity: u32,
    pub activation_date: NaiveDate,
    pub year: i32,
    pub service_year: u32,
    pub pricing_date: NaiveDate,
    pub price_list_id: i64,
    pub price_list_name: String,
    #[serde(skip)]
    pub price_list_version: i64,
    pub amount: Euro,
    pub on_quotation: bool,
    pub lines: Vec<FeeLine>,
}

/// The largest quantity a quote is computed for (workstations, users, GB, hours…).
pub const MAX_QUANTITY: u32 = 1_000_000;

/// Computes a quote without storing it: the figures a quote would have.
pub async fn compute(
    db: &Db,
    actor: &Actor,
    req: &QuoteRequest,
) -> Result<StoredQuote, CatalogError> {
    if !(1..=MAX_QUANTITY).contains(&req.quantity) {
        return Err(CatalogError::field(
            "quantity",
            "la quantità va da 1 a 1.000.000",
        ));
    }
    let day = pricing_date(req.activation_date, req.year);
    let d = day.to_string();
    let mut conn = db.pool().acquire().await?;
    // One read for what the quote depends on: the entity in the caller's scope, the service,
    // and whether an agreement is in force on the pricing date.
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT e.population, s.name, s.active, \
           (SELECT COUNT(*) FROM agreements a WHERE a.entity_id = e.id AND {}) \
         FROM entities e LEFT JOIN services s ON s.code = $3 \
         WHERE {} AND e.id = $2",
        super::agreements::in_force_sql("$4"),
        db::entities_in_scope!("e.id", "$1")
    )))
    .bind(actor.scope_param())
    .bind(req.entity_id)
    .bind(&req.service)
    .bind(&d)
    .fetch_optional(&mut *conn)
    .await?
    // Scope first: an entity out of scope is "not found" whoever asks.
    .ok_or(members::MembersError::EntityNotFound)?;
    if !(actor.is_staff() || actor.role == Role::Contact) {
        return Err(CatalogError::StaffOnly);
    }
    crate::store::check_year(i64::from(req.year))?;
    let population: Option<i64> = row.try_get(0)?;
    let service_name: Option<String> = row.try_get(1)?;
    let active: Option<i64> = row.try_get(2)?;
    let in_force: i64 = row.try_get(3)?;
    let Some(service_name) = service_name else {
        return Err(CatalogError::NoService(req.service.clone()));
    };
    if active != Some(1) {
        return Err(CatalogError::InactiveService(req.service.clone()));
    }
    if in_force == 0 {
        return Err(CatalogError::NotChargeable(kernel::time::display_date(day)));
    }
    let (list_id, list_version, list) = super::price_lists::for_quote(db, &mut conn, day).await?;
    let q = fees::quote(
        &list,
        &QuoteInput {
            service: &req.service,
            item: req.item.as_deref(),
            quantity: req.quantity,
            population: population.and_then(|p| u32::try_from(p).ok()),
            activation: req.activation_date,
            year: req.year,
        },
    )?;
    Ok(StoredQuote {
        id: 0,
        entity_id: req.entity_id,
        service: q.service,
        service_name,
        item: q.item,
        item_label: q.item_label,
        quantity: req.quantity,
        activation_date: req.activation_date,
        year: req.year,
        service_year: q.service_year,
        pricing_date: day,
        price_list_id: list_id,
        price_list_name: list.name.clone(),
        price_list_version: list_version,
        amount: q.amount,
        on_quotation: q.on_quotation,
        lines: q.lines,
    })
}

/// Computes a quote; staff quotes are kept (`id` > 0) and freeze the price list they used. A
/// contact's quote is a preview (`id` 0), kept only when it becomes an activation request:
/// otherwise anyone with an account could freeze the list, or fill the table.
pub async fn create(
    db: &Db,
    actor: &Actor,
    req: &QuoteRequest,
) -> Result<StoredQuote, CatalogError> {
    let mut q = compute(db, actor, req).await?;
    if !actor.is_staff() {
        return Ok(q);
    }
    let lines_json =
        serde_json::to_string(&q.lines).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let mut tx = db.write().await?;
    // The list may have changed between computing and now: check again under the write lock.
    let version_now: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM price_lists WHERE id = $1 AND version = $2 AND valid_from <= $3 \
         AND (valid_to IS NULL OR valid_to >= $3)",
    )
    .bind(q.price_list_id)
    .bind(q.price_list_version)
    .bind(q.pricing_date.to_string())
    .fetch_optional(tx.conn())
    .await?;
    if version_now.is_none() {
        return Err(CatalogError::Conflict);
    }
    q.id = sqlx::query_scalar(
        "INSERT INTO price_quotes (entity_id, service_code, item_code, quantity, activation_date, \
         year, pricing_date, price_list_id, amount_cents, on_quotation, lines_json, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(q.entity_id)
    .bind(&q.service)
    .bind(&q.item)
    .bind(i64::from(q.quantity))
    .bind(q.activation_date.to_string())
    .bind(i64::from(q.year))
    .bind(q.pricing_date.to_string())
    .bind(q.price_list_id)
    .bind(q.amount.cents())
    .bind(i64::from(q.on_quotation))
    .bind(&lines_json)
    .bind(&actor.label)
    .bind(kernel::time::now())
    .fetch_one(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "price_quote".into(),
            object_id: q.id.to_string(),
            entity_id: Some(q.entity_id),
            before: None,
            after: serde_json::to_string(&q).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(q)
}
