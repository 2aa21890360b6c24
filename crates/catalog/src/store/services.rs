//! The service catalogue in the database.

use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::Actor;
use serde::Serialize;
use sqlx::Row;

use crate::service::{Category, DayKind, DeliveryTime, ServiceCard};
use crate::CatalogError;

/// A stored service: its card, with the id and the version that guards concurrent edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    pub id: i64,
    #[serde(flatten)]
    pub card: ServiceCard,
    pub version: i64,
}

const COLS: &str = "id, code, name, category, description, request, delivery, included, excluded, \
                    delivery_days, delivery_day_kind, prerequisites, active, version";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Service, sqlx::Error> {
    let category: String = r.try_get("category")?;
    let days: Option<i64> = r.try_get("delivery_days")?;
    let kind: Option<String> = r.try_get("delivery_day_kind")?;
    let bad = |what: &str| sqlx::Error::Decode(format!("services: {what} non valido").into());
    Ok(Service {
        id: r.try_get("id")?,
        card: ServiceCard {
            code: r.try_get("code")?,
            name: r.try_get("name")?,
            category: Category::parse(&category).ok_or_else(|| bad("category"))?,
            description: r.try_get("description")?,
            request: r.try_get("request")?,
            delivery: r.try_get("delivery")?,
            included: r.try_get("included")?,
            excluded: r.try_get("excluded")?,
            delivery_time: match (days, kind.as_deref()) {
                (Some(d), Some(k)) => Some(DeliveryTime {
                    days: u32::try_from(d).map_err(|_| bad("delivery_days"))?,
                    kind: match k {
                        "working" => DayKind::Working,
                        "calendar" => DayKind::Calendar,
                        _ => return Err(bad("delivery_day_kind")),
                    },
                }),
                _ => None,
            },
            prerequisites: r.try_get("prerequisites")?,
            active: r.try_get::<i64, _>("active")? != 0,
        },
        version: r.try_get("version")?,
    })
}

/// The catalogue by code; inactive services only when asked.
pub async fn list(db: &Db, include_inactive: bool) -> Result<Vec<Service>, CatalogError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM services WHERE active = 1 OR $1 = 1 ORDER BY code"
    )))
    .bind(i64::from(include_inactive))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

pub async fn get(db: &Db, code: &str) -> Result<Service, CatalogError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM services WHERE code = $1"
    )))
    .bind(code)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| CatalogError::NoService(code.to_owned()))?;
    Ok(from_row(&row)?)
}

/// Every service code, for checking a price list.
pub(crate) async fn codes(conn: &mut sqlx::AnyConnection) -> Result<Vec<String>, CatalogError> {
    Ok(
        sqlx::query_scalar("SELECT code FROM services ORDER BY code")
            .fetch_all(conn)
            .await?,
    )
}

/// Creates the service `card.code`, or replaces its card. Admins only. With
/// `expected_version`, an update made meanwhile by someone else is refused.
pub async fn put(
    db: &Db,
    actor: &Actor,
    card: &ServiceCard,
    expected_version: Option<i64>,
) -> Result<(Service, bool), CatalogError> {
    if !actor.is_admin() {
        return Err(CatalogError::Forbidden);
    }
    let errors = card.check();
    if !errors.is_empty() {
        return Err(CatalogError::Invalid(errors));
    }
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let before = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM services WHERE code = $1"
    )))
    .bind(&card.code)
    .fetch_optional(tx.conn())
    .await?
    .map(|r| from_row(&r))
    .transpose()?;
    if let (Some(b), Some(v)) = (&before, expected_version) {
        if b.version != v {
            return Err(CatalogError::Conflict);
        }
    }
    let (days, kind) = match card.delivery_time {
        Some(t) => (
            Some(i64::from(t.days)),
            Some(match t.kind {
                DayKind::Working => "working",
                DayKind::Calendar => "calendar",
            }),
        ),
        None => (None, None),
    };
    let q = if before.is_some() {
        "UPDATE services SET name = $2, category = $3, description = $4, request = $5, \
         delivery = $6, included = $7, excluded = $8, delivery_days = $9, delivery_day_kind = $10, \
         prerequisites = $11, active = $12, version = version + 1, updated_at = $13 WHERE code = $1"
    } else {
        "INSERT INTO services (code, name, category, description, request, delivery, included, \
         excluded, delivery_days, delivery_day_kind, prerequisites, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)"
    };
    sqlx::query(q)
        .bind(&card.code)
        .bind(card.name.trim())
        .bind(card.category.as_str())
        .bind(card.description.trim())
        .bind(card.request.trim())
        .bind(card.delivery.trim())
        .bind(card.included.trim())
        .bind(card.excluded.trim())
        .bind(days)
        .bind(kind)
        .bind(card.prerequisites.trim())
        .bind(i64::from(card.active))
        .bind(&now)
        .execute(tx.conn())
        .await?;
    let after = from_row(
        &sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM services WHERE code = $1"
        )))
        .bind(&card.code)
        .fetch_one(tx.conn())
        .await?,
    )?;
    let json = |s: &Service| serde_json::to_string(s).ok();
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: if before.is_some() { "update" } else { "create" }.into(),
            object_type: "service".into(),
            object_id: card.code.clone(),
            entity_id: None,
            before: before.as_ref().and_then(json),
            after: json(&after),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((after, before.is_none()))
}
