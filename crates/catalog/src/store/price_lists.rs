//! Price lists in the database: one row per validity period, the items as JSON.
//!
//! Periods never overlap, so one list is valid on any date. A list that a quote (and, later, a
//! yearly statement) was computed from is frozen: its figures must read the same for ever, so
//! a price change is a new list with a later `valid_from`.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use chrono::{Days, NaiveDate};
use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::time::display_date;
use kernel::Actor;
use serde::Serialize;
use sqlx::Row;

use super::date;
use crate::fees::{PriceItem, PriceList};
use crate::CatalogError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredPriceList {
    pub id: i64,
    #[serde(flatten)]
    pub list: PriceList,
    pub version: i64,
    /// How many quotes or statements were computed from it (0: still editable).
    pub uses: i64,
}

/// A list without its items, for listings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriceListSummary {
    pub id: i64,
    pub name: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub uses: i64,
}

/// Uses of a list. Statements (a later issue) add their count here.
const USES: &str = "(SELECT COUNT(*) FROM price_quotes q WHERE q.price_list_id = price_lists.id)";

fn from_row(r: &sqlx::any::AnyRow) -> Result<StoredPriceList, sqlx::Error> {
    let items: String = r.try_get("items_json")?;
    let to: Option<String> = r.try_get("valid_to")?;
    Ok(StoredPriceList {
        id: r.try_get("id")?,
        list: PriceList {
            name: r.try_get("name")?,
            valid_from: date(&r.try_get::<String, _>("valid_from")?)?,
            valid_to: to.as_deref().map(date).transpose()?,
            items: serde_json::from_str::<Vec<PriceItem>>(&items)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        },
        version: r.try_get("version")?,
        uses: r.try_get("uses")?,
    })
}

fn cols() -> String {
    format!("id, name, valid_from, valid_to, items_json, version, {USES} AS uses")
}

pub async fn summaries(db: &Db) -> Result<Vec<PriceListSummary>, CatalogError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, name, valid_from, valid_to, {USES} AS uses FROM price_lists ORDER BY valid_from DESC"
    )))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| -> Result<_, sqlx::Error> {
            let to: Option<String> = r.try_get("valid_to")?;
            Ok(PriceListSummary {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                valid_from: date(&r.try_get::<String, _>("valid_from")?)?,
                valid_to: to.as_deref().map(date).transpose()?,
                uses: r.try_get("uses")?,
            })
        })
        .collect::<Result<_, _>>()
        .map_err(CatalogError::from)
}

pub async fn get(db: &Db, id: i64) -> Result<StoredPriceList, CatalogError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM price_lists WHERE id = $1",
        cols()
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(CatalogError::NoPriceList)?;
    Ok(from_row(&row)?)
}

/// The list valid on `day`.
pub async fn on(db: &Db, day: NaiveDate) -> Result<StoredPriceList, CatalogError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM price_lists WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1) \
         ORDER BY valid_from DESC LIMIT 1",
        cols()
    )))
    .bind(day.to_string())
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| CatalogError::NoPriceListOn(display_date(day)))?;
    Ok(from_row(&row)?)
}

type ListCache = HashMap<(u64, i64, i64), Arc<PriceList>>;

/// Parsed lists by (database, id, version): a list's content never changes without its version
/// changing, so an entry is never stale; quoting does not parse the JSON again each time.
static CACHE: LazyLock<Mutex<ListCache>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// The list valid on `day` for quoting: id, version and the parsed list (cached).
pub(crate) async fn for_quote(
    db: &Db,
    conn: &mut sqlx::AnyConnection,
    day: NaiveDate,
) -> Result<(i64, i64, Arc<PriceList>), CatalogError> {
    let d = day.to_string();
    let row = sqlx::query(
        "SELECT id, version FROM price_lists WHERE valid_from <= $1 \
         AND (valid_to IS NULL OR valid_to >= $1) ORDER BY valid_from DESC LIMIT 1",
    )
    .bind(&d)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| CatalogError::NoPriceListOn(display_date(day)))?;
    let (id, version): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
    let key = (db.instance(), id, version);
    if let Some(l) = CACHE.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok((id, version, l));
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM price_lists WHERE id = $1 AND version = $2",
        cols()
    )))
    .bind(id)
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(CatalogError::Conflict)?;
    let list = Arc::new(from_row(&row)?.list);
    if let Ok(mut c) = CACHE.lock() {
        if c.len() >= 256 {
            c.clear();
        }
        c.insert(key, list.clone());
    }
    Ok((id, version, list))
}

/// Checks a list against the catalogue and the other lists (all but `except`), closing an
/// open-ended earlier list the day before this one starts. Returns the audit events of the
/// lists it closed.
async fn fit(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    list: &PriceList,
    except: Option<i64>,
) -> Result<Vec<AuditEvent>, CatalogError> {
    list.validate()?;
    let codes = super::services::codes(conn).await?;
    if let Some(i) = list
        .items
        .iter()
        .find(|i| codes.binary_search(&i.service).is_err())
    {
        return Err(CatalogError::field(
            "items",
            format!("il servizio {} non è nel catalogo", i.service),
        ));
    }
    let others = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM price_lists WHERE id <> $1 ORDER BY valid_from",
        cols()
    )))
    .bind(except.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(from_row)
    .collect::<Result<Vec<_>, _>>()?;
    let mut closed = Vec::new();
    let end = |l: &PriceList| l.valid_to.unwrap_or(NaiveDate::MAX);
    for o in others {
        let mut other = o.list.clone();
        // An open-ended earlier list ends where the new one begins.
        if other.valid_to.is_none() && other.valid_from < list.valid_from {
            let day_before = list
                .valid_from
                .checked_sub_days(Days::new(1))
                .unwrap_or(list.valid_from);
            // Closing must not take away a date a quote was already priced on.
            let priced_after: Option<String> = sqlx::query_scalar(
                "SELECT MAX(pricing_date) FROM price_quotes WHERE price_list_id = $1 AND pricing_date >= $2",
            )
            .bind(o.id)
            .bind(list.valid_from.to_string())
            .fetch_one(&mut *conn)
            .await?;
            if let Some(last) = priced_after {
                return Err(CatalogError::field(
                    "valid_from",
                    format!(
                        "il listino «{}» ha già dato prezzi per il {}: il nuovo listino deve iniziare dopo",
                        other.name,
                        date(&last).map_or(last.clone(), display_date)
                    ),
                ));
            }
            other.valid_to = Some(day_before);
            sqlx::query("UPDATE price_lists SET valid_to = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                .bind(day_before.to_string())
                .bind(kernel::time::now())
                .bind(o.id)
                .execute(&mut *conn)
                .await?;
            closed.push(AuditEvent {
                actor: actor.label.clone(),
                action: "close".into(),
                object_type: "price_list".into(),
                object_id: o.id.to_string(),
                entity_id: None,
                before: Some("{\"valid_to\":null}".to_owned()),
                after: Some(format!("{{\"valid_to\":\"{day_before}\"}}")),
            });
        }
        if other.valid_from <= end(list) && list.valid_from <= end(&other) {
            let period = match other.valid_to {
                Some(t) => format!(
                    "dal {} al {}",
                    display_date(other.valid_from),
                    display_date(t)
                ),
                None => format!("dal {}", display_date(other.valid_from)),
            };
            return Err(CatalogError::PriceListOverlap(other.name, period));
        }
    }
    Ok(closed)
}

fn list_json(l: &PriceList) -> Result<String, sqlx::Error> {
    serde_json::to_string(l).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

/// Adds a price list (admins only). An open-ended list that starts earlier is closed the day
/// before this one starts; any other overlap is refused.
pub async fn create(
    db: &Db,
    actor: &Actor,
    list: &PriceList,
) -> Result<StoredPriceList, CatalogError> {
    if !actor.is_admin() {
        return Err(CatalogError::Forbidden);
    }
    let mut tx = db.write().await?;
    let closed = fit(tx.conn(), actor, list, None).await?;
    let items = serde_json::to_string(&list.items).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let now = kernel::time::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO price_lists (name, valid_from, valid_to, items_json, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(list.name.trim())
    .bind(list.valid_from.to_string())
    .bind(list.valid_to.map(|d| d.to_string()))
    .bind(&items)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    for e in closed {
        audit::append(&mut tx, e).await?;
    }
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "price_list".into(),
            object_id: id.to_string(),
            entity_id: None,
            before: None,
            after: Some(list_json(list)?),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, id).await
}

/// Replaces a list that nothing has used yet (admins only).
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    list: &PriceList,
    expected_version: Option<i64>,
) -> Result<StoredPriceList, CatalogError> {
    if !actor.is_admin() {
        return Err(CatalogError::Forbidden);
    }
    let mut tx = db.write().await?;
    let before = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM price_lists WHERE id = $1",
        cols()
    )))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(CatalogError::NoPriceList)
    .and_then(|r| Ok(from_row(&r)?))?;
    if before.uses > 0 {
        return Err(CatalogError::PriceListUsed(before.uses));
    }
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(CatalogError::Conflict);
    }
    let closed = fit(tx.conn(), actor, list, Some(id)).await?;
    let items = serde_json::to_string(&list.items).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "UPDATE price_lists SET name = $1, valid_from = $2, valid_to = $3, items_json = $4, \
         version = version + 1, updated_at = $5 WHERE id = $6",
    )
    .bind(list.name.trim())
    .bind(list.valid_from.to_string())
    .bind(list.valid_to.map(|d| d.to_string()))
    .bind(&items)
    .bind(kernel::time::now())
    .bind(id)
    .execute(tx.conn())
    .await?;
    for e in closed {
        audit::append(&mut tx, e).await?;
    }
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "update".into(),
            object_type: "price_list".into(),
            object_id: id.to_string(),
            entity_id: None,
            before: Some(list_json(&before.list)?),
            after: Some(list_json(list)?),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, id).await
}

/// Sets the last day of a list, used or not (admins only): `Some(day)` closes it (nothing may
/// have been priced on it after that day), `None` reopens it (no later list may start). The
/// items never change, so the figures already computed from it stay as they were.
pub async fn set_end(
    db: &Db,
    actor: &Actor,
    id: i64,
    valid_to: Option<NaiveDate>,
    expected_version: Option<i64>,
) -> Result<StoredPriceList, CatalogError> {
    if !actor.is_admin() {
        return Err(CatalogError::Forbidden);
    }
    let mut tx = db.write().await?;
    let stored = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM price_lists WHERE id = $1",
        cols()
    )))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(CatalogError::NoPriceList)
    .and_then(|r| Ok(from_row(&r)?))?;
    if expected_version.is_some_and(|v| v != stored.version) {
        return Err(CatalogError::Conflict);
    }
    if let Some(to) = valid_to {
        if to < stored.list.valid_from {
            return Err(CatalogError::field(
                "valid_to",
                format!(
                    "il listino inizia il {}: non può finire prima",
                    display_date(stored.list.valid_from)
                ),
            ));
        }
        let priced_after: Option<String> = sqlx::query_scalar(
            "SELECT MAX(pricing_date) FROM price_quotes WHERE price_list_id = $1 AND pricing_date > $2",
        )
        .bind(id)
        .bind(to.to_string())
        .fetch_one(tx.conn())
        .await?;
        if let Some(last) = priced_after {
            return Err(CatalogError::field(
                "valid_to",
                format!(
                    "il listino ha già dato prezzi per il {}: non può finire prima",
                    date(&last).map_or(last.clone(), display_date)
                ),
            ));
        }
    }
    let end = valid_to.unwrap_or(NaiveDate::MAX);
    let others = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM price_lists WHERE id <> $1 ORDER BY valid_from",
        cols()
    )))
    .bind(id)
    .fetch_all(tx.conn())
    .await?
    .iter()
    .map(from_row)
    .collect::<Result<Vec<_>, _>>()?;
    for o in others {
        let other_end = o.list.valid_to.unwrap_or(NaiveDate::MAX);
        if o.list.valid_from <= end && stored.list.valid_from <= other_end {
            let period = match o.list.valid_to {
                Some(t) => format!(
                    "dal {} al {}",
                    display_date(o.list.valid_from),
                    display_date(t)
                ),
                None => format!("dal {}", display_date(o.list.valid_from)),
            };
            return Err(CatalogError::PriceListOverlap(o.list.name, period));
        }
    }
    sqlx::query(
        "UPDATE price_lists SET valid_to = $1, version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(valid_to.map(|d| d.to_string()))
    .bind(kernel::time::now())
    .bind(id)
    .execute(tx.conn())
    .await?;
    let as_json = |d: Option<NaiveDate>| match d {
        Some(d) => format!("{{\"valid_to\":\"{d}\"}}"),
        None => "{\"valid_to\":null}".to_owned(),
    };
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: if valid_to.is_some() {
                "close"
            } else {
                "reopen"
            }
            .into(),
            object_type: "price_list".into(),
            object_id: id.to_string(),
            entity_id: None,
            before: Some(as_json(stored.list.valid_to)),
            after: Some(as_json(valid_to)),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, id).await
}
