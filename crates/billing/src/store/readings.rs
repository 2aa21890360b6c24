//! Metered use (SMS sent, GB kept, TB-months of remote backup): one reading per entity, item
//! and month, entered by staff or imported from CSV (all rows or none). A reading bills the
//! item's metered price in the next run; a changed one is adjusted there.

use catalog::fees::When;
use db::{audit, Db, WriteTx};
use kernel::audit::AuditEvent;
use kernel::{Actor, FieldError};
use serde::Serialize;
use sqlx::Row;

use crate::BillingError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reading {
    pub id: i64,
    pub entity_id: i64,
    pub service: String,
    pub item: String,
    pub year: i32,
    pub month: u32,
    pub quantity: u32,
    pub note: String,
    pub created_by: String,
    pub created_at: String,
}

/// A reading to record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadingDraft {
    pub entity_id: i64,
    pub service: String,
    /// `None`: the service's first item with a metered price.
    pub item: Option<String>,
    pub year: i64,
    pub month: i64,
    pub quantity: i64,
    pub note: String,
}

const COLS: &str = "id, entity_id, service_code, item_code, year, month, quantity, note, \
    created_by, created_at";

fn row(r: &sqlx::any::AnyRow) -> Result<Reading, sqlx::Error> {
    Ok(Reading {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        service: r.try_get(2)?,
        item: r.try_get(3)?,
        year: i32::try_from(r.try_get::<i64, _>(4)?).unwrap_or(0),
        month: u32::try_from(r.try_get::<i64, _>(5)?).unwrap_or(0),
        quantity: u32::try_from(r.try_get::<i64, _>(6)?).unwrap_or(0),
        note: r.try_get(7)?,
        created_by: r.try_get(8)?,
        created_at: r.try_get(9)?,
    })
}

/// Checks a draft against the price list in force in its month: the item must have a metered
/// price. Returns the item's code.
fn check(d: &ReadingDraft, lists: &crate::engine::PriceLists) -> Result<String, Vec<FieldError>> {
    let mut errors = Vec::new();
    if !(2000..=2100).contains(&d.year) {
        errors.push(FieldError::new("year", "anno non valido: tra 2000 e 2100"));
    }
    if !(1..=12).contains(&d.month) {
        errors.push(FieldError::new("month", "mese non valido: da 1 a 12"));
    }
    if !(0..=100_000_000).contains(&d.quantity) {
        errors.push(FieldError::new(
            "quantity",
            "quantità non valida: un numero intero da 0 a 100.000.000",
        ));
    }
    if d.note.chars().count() > 500 {
        errors.push(FieldError::new(
            "note",
            "nota troppo lunga (al più 500 caratteri)",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let day = chrono::NaiveDate::from_ymd_opt(d.year as i32, d.month as u32, 1).unwrap_or_default();
    let Some(list) = lists.on(day) else {
        return Err(vec![FieldError::new(
            "year",
            format!("nessun listino in vigore nel {:02}/{}", d.month, d.year),
        )]);
    };
    let metered =
        |i: &catalog::fees::PriceItem| i.components.iter().any(|c| c.when == When::Metered);
    let service = d.service.trim();
    let item = match d.item.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => list
            .items_of(service)
            .find(|i| i.code == code)
            .ok_or_else(|| {
                vec![FieldError::new(
                    "item",
                    format!("il servizio {service} non ha la voce «{code}» nel listino"),
                )]
            })
            .and_then(|i| {
                if metered(i) {
                    Ok(i)
                } else {
                    Err(vec![FieldError::new(
                        "item",
                        format!("la voce {service} «{code}» non ha un prezzo a consumo"),
                    )])
                }
            })?,
        None => list.items_of(service).find(|i| metered(i)).ok_or_else(|| {
            vec![FieldError::new(
                "service",
                format!("il servizio «{service}» non ha voci a consumo nel listino"),
            )]
        })?,
    };
    Ok(item.code.clone())
}

async fn insert(
    tx: &mut WriteTx,
    actor: &Actor,
    d: &ReadingDraft,
    item: &str,
) -> Result<i64, sqlx::Error> {
    let before: Option<(i64, i64)> = sqlx::query_as(
        "SELECT id, quantity FROM meter_readings WHERE entity_id = $1 AND service_code = $2 \
         AND item_code = $3 AND year = $4 AND month = $5",
    )
    .bind(d.entity_id)
    .bind(d.service.trim())
    .bind(item)
    .bind(d.year)
    .bind(d.month)
    .fetch_optional(tx.conn())
    .await?;
    let now = kernel::time::now();
    let (id, action, old) = match before {
        Some((id, q)) => {
            sqlx::query(
                "UPDATE meter_readings SET quantity = $1, note = $2, created_by = $3, created_at = $4 \
                 WHERE id = $5",
            )
            .bind(d.quantity)
            .bind(&d.note)
            .bind(&actor.label)
            .bind(&now)
            .bind(id)
            .execute(tx.conn())
            .await?;
            (
                id,
                "update",
                Some(serde_json::json!({ "quantity": q }).to_string()),
            )
        }
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO meter_readings (entity_id, service_code, item_code, year, month, \
                 quantity, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 RETURNING id",
            )
            .bind(d.entity_id)
            .bind(d.service.trim())
            .bind(item)
            .bind(d.year)
            .bind(d.month)
            .bind(d.quantity)
            .bind(&d.note)
            .bind(&actor.label)
            .bind(&now)
            .fetch_one(tx.conn())
            .await?;
            (id, "create", None)
        }
    };
    audit::append(
        tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: action.into(),
            object_type: "meter_reading".into(),
            object_id: id.to_string(),
            entity_id: Some(d.entity_id),
            before: old,
            after: Some(
                serde_json::json!({"service": d.service.trim(), "item": item, "year": d.year,
                    "month": d.month, "quantity": d.quantity})
                .to_string(),
            ),
        },
    )
    .await?;
    Ok(id)
}

/// Records (or corrects) a month's reading (staff). The same entity, item and month again
/// replaces the quantity: the next run bills the difference.
pub async fn record(db: &Db, actor: &Actor, d: &ReadingDraft) -> Result<Reading, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::StaffOnly);
    }
    members::store::get(db, actor, d.entity_id).await?;
    let lists = super::facts::price_lists(db).await?;
    let item = check(d, &lists).map_err(BillingError::Invalid)?;
    let mut tx = db.write().await?;
    let id = insert(&mut tx, actor, d, &item).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// One reading the actor may see.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Reading, BillingError> {
    const IN_SCOPE: &str = db::entities_in_scope!("entity_id", "$1");
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM meter_readings WHERE id = $2 AND {IN_SCOPE}"
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(BillingError::ReadingNotFound)?;
    Ok(row(&r)?)
}

/// An entity's readings, for a year or all, by month.
pub async fn of_entity(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    year: Option<i32>,
) -> Result<Vec<Reading>, BillingError> {
    members::store::get(db, actor, entity_id).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM meter_readings WHERE entity_id = $1 AND ($2 = 0 OR year = $2) \
         ORDER BY year DESC, month DESC, service_code, item_code"
    )))
    .bind(entity_id)
    .bind(i64::from(year.unwrap_or(0)))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
}

/// Reads a readings CSV: columns `ente` (the entity's id or ISTAT code), `servizio`, `voce`
/// (may be empty), `anno`, `mese`, `quantita`, `nota` (optional); `;` or `,` separated, UTF-8.
pub fn parse_csv(body: &[u8]) -> Result<Vec<(usize, String, ReadingDraft)>, Vec<FieldError>> {
    let text = std::str::from_utf8(body).map_err(|_| {
        vec![FieldError::new(
            "file",
            "il file non è in UTF-8: salvarlo come CSV UTF-8",
        )]
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or("");
    let sep = if first.matches(';').count() >= first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut rd = csv::ReaderBuilder::new()
        .delimiter(sep)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rd
        .headers()
        .map_err(|e| {
            vec![FieldError::new(
                "file",
                format!("intestazione illeggibile: {e}"),
            )]
        })?
        .iter()
        .map(|h| h.trim().to_lowercase().replace('à', "a"))
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let need = ["ente", "servizio", "anno", "mese", "quantita"];
    let missing: Vec<&str> = need.iter().copied().filter(|n| col(n).is_none()).collect();
    if !missing.is_empty() {
        return Err(vec![FieldError::new(
            "file",
            format!(
                "mancano le colonne {}: servono ente, servizio, voce, anno, mese, quantita, nota",
                missing.join(", ")
            ),
        )]);
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, rec) in rd.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors
                    .push(FieldError::new("file", format!("riga illeggibile: {e}")).at_line(line));
                continue;
            }
        };
        let get = |name: &str| {
            col(name)
                .and_then(|c| rec.get(c))
                .unwrap_or("")
                .trim()
                .to_owned()
        };
        let num = |name: &str, errors: &mut Vec<FieldError>| -> i64 {
            let v = get(name).replace('.', "");
            v.parse().unwrap_or_else(|_| {
                errors.push(
                    FieldError::new(name, format!("«{}» non è un numero intero", get(name)))
                        .at_line(line),
                );
                -1
            })
        };
        let d = ReadingDraft {
            entity_id: 0,
            service: get("servizio"),
            item: Some(get("voce")).filter(|s| !s.is_empty()),
            year: num("anno", &mut errors),
            month: num("mese", &mut errors),
            quantity: num("quantita", &mut errors),
            note: get("nota"),
        };
        out.push((line, get("ente"), d));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Imports readings (staff): every row checked first; one bad row refuses the whole file,
/// each error named with its line. Returns how many rows were recorded.
pub async fn import(db: &Db, actor: &Actor, body: &[u8]) -> Result<usize, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::StaffOnly);
    }
    let rows = parse_csv(body).map_err(BillingError::Invalid)?;
    if rows.is_empty() {
        return Err(BillingError::field(
            "file",
            "il file non ha righe di letture",
        ));
    }
    if rows.len() > 100_000 {
        return Err(BillingError::field("file", "troppe righe: al più 100.000"));
    }
    let lists = super::facts::price_lists(db).await?;
    let ids: Vec<(i64, Option<String>)> = sqlx::query_as("SELECT id, istat_code FROM entities")
        .fetch_all(db.pool())
        .await?;
    let mut errors = Vec::new();
    let mut ready = Vec::with_capacity(rows.len());
    let mut seen = std::collections::HashMap::new();
    for (line, who, mut d) in rows {
        let found = ids.iter().find(|(id, istat)| {
            who.parse::<i64>().ok() == Some(*id) && who.len() != 6
                || istat.as_deref() == Some(who.as_str())
        });
        match found {
            Some((id, _)) => d.entity_id = *id,
            None => {
                errors.push(
                    FieldError::new("ente", format!("nessun ente «{who}» (id o codice ISTAT)"))
                        .at_line(line),
                );
                continue;
            }
        }
        match check(&d, &lists) {
            Ok(item) => {
                let key = (
                    d.entity_id,
                    d.service.clone(),
                    item.clone(),
                    d.year,
                    d.month,
                );
                if let Some(first) = seen.insert(key, line) {
                    errors.push(
                        FieldError::new(
                            "mese",
                            format!(
                                "stessa lettura della riga {first}: una sola per ente, voce e mese"
                            ),
                        )
                        .at_line(line),
                    );
                    continue;
                }
                ready.push((d, item));
            }
            Err(es) => errors.extend(es.into_iter().map(|e| e.at_line(line))),
        }
    }
    if !errors.is_empty() {
        return Err(BillingError::Invalid(errors));
    }
    let mut tx = db.write().await?;
    for (d, item) in &ready {
        insert(&mut tx, actor, d, item).await?;
    }
    tx.commit().await?;
    Ok(ready.len())
}
