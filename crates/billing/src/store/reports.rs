//! Revenue reports from issued statements (drafts are not revenue yet): per year, per service
//! and per entity; and the sustainability view (Lecco): each year's revenue against the
//! centre's costs, which an administrator enters.

use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::{Actor, Euro};
use serde::Serialize;
use sqlx::Row;

use crate::engine::LineKind;
use crate::BillingError;

/// Revenue of some years: net amounts of issued statements (credit notes count negative).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Revenue {
    pub years: Vec<i32>,
    /// (year, net)
    pub by_year: Vec<(i32, Euro)>,
    /// (service code or line kind label, net per year in `years` order)
    pub by_service: Vec<(String, Vec<Euro>)>,
    /// (entity id, name, net per year), largest total first
    pub by_entity: Vec<(i64, String, Vec<Euro>)>,
    /// (year, costs) where entered
    pub costs: Vec<(i32, Euro)>,
}

impl Revenue {
    /// The share of the year's costs the revenue covers, in per mille, where costs exist.
    pub fn coverage(&self, year: i32) -> Option<i64> {
        let cost = self.costs.iter().find(|(y, _)| *y == year)?.1;
        let rev = self
            .by_year
            .iter()
            .find(|(y, _)| *y == year)
            .map_or(Euro::ZERO, |x| x.1);
        (cost > Euro::ZERO).then(|| rev.cents() * 1000 / cost.cents())
    }
}

/// Revenue of `[from, to]` (staff), at most 20 years.
pub async fn revenue(db: &Db, actor: &Actor, from: i32, to: i32) -> Result<Revenue, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::StaffOnly);
    }
    if to < from || to - from > 19 || !(2000..=2100).contains(&from) || !(2000..=2100).contains(&to)
    {
        return Err(BillingError::field(
            "to",
            "anni non validi: da 2000 a 2100, al più 20 anni",
        ));
    }
    let years: Vec<i32> = (from..=to).collect();
    let at = |y: i32| usize::try_from(y - from).unwrap_or(0);
    let mut r = Revenue {
        years: years.clone(),
        by_year: years.iter().map(|y| (*y, Euro::ZERO)).collect(),
        ..Revenue::default()
    };
    let rows = sqlx::query(
        "SELECT s.year, CASE WHEN l.service_code = '' THEN l.kind ELSE l.service_code END, \
         CAST(SUM(l.amount_cents) AS BIGINT) FROM statement_lines l JOIN statements s ON s.id = l.statement_id \
         WHERE s.state <> 'draft' AND s.year >= $1 AND s.year <= $2 GROUP BY 1, 2 ORDER BY 2, 1",
    )
    .bind(i64::from(from))
    .bind(i64::from(to))
    .fetch_all(db.pool())
    .await?;
    for row in &rows {
        let y = i32::try_from(row.try_get::<i64, _>(0)?).unwrap_or(from);
        let key: String = row.try_get(1)?;
        let label = LineKind::parse(&key).map_or(key.clone(), |k| k.label().to_owned());
        let cents = Euro::from_cents(row.try_get(2)?);
        if r.by_service.last().is_none_or(|(k, _)| *k != label) {
            r.by_service.push((label, vec![Euro::ZERO; years.len()]));
        }
        if let Some((_, v)) = r.by_service.last_mut() {
            v[at(y)] = v[at(y)] + cents;
        }
        r.by_year[at(y)].1 = r.by_year[at(y)].1 + cents;
    }
    let rows = sqlx::query(
        "SELECT s.entity_id, e.name, s.year, CAST(SUM(s.net_cents) AS BIGINT) FROM statements s \
         JOIN entities e ON e.id = s.entity_id WHERE s.state <> 'draft' AND s.year >= $1 AND s.year <= $2 \
         GROUP BY 1, 2, 3 ORDER BY 1",
    )
    .bind(i64::from(from))
    .bind(i64::from(to))
    .fetch_all(db.pool())
    .await?;
    for row in &rows {
        let id: i64 = row.try_get(0)?;
        let y = i32::try_from(row.try_get::<i64, _>(2)?).unwrap_or(from);
        if r.by_entity.last().is_none_or(|(e, _, _)| *e != id) {
            r.by_entity
                .push((id, row.try_get(1)?, vec![Euro::ZERO; years.len()]));
        }
        if let Some((_, _, v)) = r.by_entity.last_mut() {
            v[at(y)] = v[at(y)] + Euro::from_cents(row.try_get(3)?);
        }
    }
    let total = |v: &[Euro]| v.iter().map(|e| e.cents()).sum::<i64>();
    r.by_entity
        .sort_by(|a, b| total(&b.2).cmp(&total(&a.2)).then(a.1.cmp(&b.1)));
    let rows = sqlx::query(
        "SELECT year, CAST(SUM(amount_cents) AS BIGINT) FROM centre_costs WHERE year >= $1 AND year <= $2 \
         GROUP BY 1 ORDER BY 1",
    )
    .bind(i64::from(from))
    .bind(i64::from(to))
    .fetch_all(db.pool())
    .await?;
    for row in &rows {
        r.costs.push((
            i32::try_from(row.try_get::<i64, _>(0)?).unwrap_or(from),
            Euro::from_cents(row.try_get(1)?),
        ));
    }
    Ok(r)
}

/// One of the centre's costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cost {
    pub id: i64,
    pub year: i32,
    pub label: String,
    pub amount: Euro,
}

/// The costs of a year (staff).
pub async fn costs(db: &Db, actor: &Actor, year: i32) -> Result<Vec<Cost>, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::StaffOnly);
    }
    let rows = sqlx::query(
        "SELECT id, year, label, amount_cents FROM centre_costs WHERE year = $1 ORDER BY id",
    )
    .bind(i64::from(year))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Cost {
                id: r.try_get(0)?,
                year: i32::try_from(r.try_get::<i64, _>(1)?).unwrap_or(year),
                label: r.try_get(2)?,
                amount: Euro::from_cents(r.try_get(3)?),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(BillingError::from)
}

/// Adds a cost of a year (admins).
pub async fn add_cost(
    db: &Db,
    actor: &Actor,
    year: i64,
    label: &str,
    amount: Euro,
) -> Result<i64, BillingError> {
    if !actor.is_admin() {
        return Err(BillingError::AdminOnly);
    }
    let mut errors = Vec::new();
    if !(2000..=2100).contains(&year) {
        errors.push(kernel::FieldError::new(
            "year",
            "anno non valido: tra 2000 e 2100",
        ));
    }
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 120 {
        errors.push(kernel::FieldError::new(
            "label",
            "scrivere la voce di costo (al più 120 caratteri)",
        ));
    } else if let Some(e) = kernel::text::check(label, kernel::text::Lines::Single) {
        errors.push(kernel::FieldError::new("label", e));
    }
    if amount <= Euro::ZERO {
        errors.push(kernel::FieldError::new(
            "amount",
            "l'importo deve essere maggiore di zero",
        ));
    }
    if !errors.is_empty() {
        return Err(BillingError::Invalid(errors));
    }
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO centre_costs (year, label, amount_cents, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(year)
    .bind(label)
    .bind(amount.cents())
    .bind(&actor.label)
    .bind(kernel::time::now())
    .fetch_one(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "centre_cost".into(),
            object_id: id.to_string(),
            entity_id: None,
            before: None,
            after: Some(serde_json::json!({"year": year, "label": label, "amount": amount.to_decimal_string()}).to_string()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
