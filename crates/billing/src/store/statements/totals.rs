//! The totals of a year per service and per entity, drafts and issued apart.

use db::Db;
use kernel::{Actor, Euro};
use serde::Serialize;
use sqlx::Row;

use crate::engine::LineKind;
use crate::BillingError;

/// The totals of a year, per entity and per service (staff): what a run produced, before
/// and after issuing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct YearTotals {
    pub year: i32,
    pub draft_net: Euro,
    pub issued_net: Euro,
    pub drafts: i64,
    pub issued: i64,
    /// (service code or line kind, net of drafts, net of issued)
    pub by_service: Vec<(String, Euro, Euro)>,
    /// (entity id, name, net of drafts, net of issued)
    pub by_entity: Vec<(i64, String, Euro, Euro)>,
}

/// The totals of `year` (staff).
pub async fn year_totals(db: &Db, actor: &Actor, year: i32) -> Result<YearTotals, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::StaffOnly);
    }
    let mut t = YearTotals {
        year,
        ..YearTotals::default()
    };
    let rows = sqlx::query(
        "SELECT CASE WHEN l.service_code = '' THEN l.kind ELSE l.service_code END, \
         CASE WHEN s.state = 'draft' THEN 1 ELSE 0 END, CAST(SUM(l.amount_cents) AS BIGINT) \
         FROM statement_lines l JOIN statements s ON s.id = l.statement_id WHERE s.year = $1 \
         GROUP BY 1, 2 ORDER BY 1",
    )
    .bind(i64::from(year))
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        let key: String = r.try_get(0)?;
        let draft = r.try_get::<i64, _>(1)? == 1;
        let cents = Euro::from_cents(r.try_get(2)?);
        let label = LineKind::parse(&key).map_or(key.clone(), |k| k.label().to_owned());
        if t.by_service.last().is_none_or(|l| l.0 != label) {
            t.by_service.push((label, Euro::ZERO, Euro::ZERO));
        }
        if let Some(last) = t.by_service.last_mut() {
            if draft {
                last.1 = last.1 + cents;
            } else {
                last.2 = last.2 + cents;
            }
        }
    }
    let rows = sqlx::query(
        "SELECT s.entity_id, e.name, CASE WHEN s.state = 'draft' THEN 1 ELSE 0 END, \
         CAST(SUM(s.net_cents) AS BIGINT), COUNT(*) FROM statements s \
         JOIN entities e ON e.id = s.entity_id WHERE s.year = $1 GROUP BY 1, 2, 3 ORDER BY 2, 1",
    )
    .bind(i64::from(year))
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        let id: i64 = r.try_get(0)?;
        let draft = r.try_get::<i64, _>(2)? == 1;
        let cents = Euro::from_cents(r.try_get(3)?);
        let n: i64 = r.try_get(4)?;
        if t.by_entity.last().is_none_or(|l| l.0 != id) {
            t.by_entity
                .push((id, r.try_get(1)?, Euro::ZERO, Euro::ZERO));
        }
        if let Some(last) = t.by_entity.last_mut() {
            if draft {
                last.2 = last.2 + cents;
                t.draft_net = t.draft_net + cents;
                t.drafts += n;
            } else {
                last.3 = last.3 + cents;
                t.issued_net = t.issued_net + cents;
                t.issued += n;
            }
        }
    }
    Ok(t)
}
