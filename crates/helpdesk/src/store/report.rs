//! The SLA report: take-charge compliance by priority, and by month, entity and priority.

use super::*;
use crate::sla::TakeCharge;

/// SLA compliance of one priority.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaLine {
    pub priority: Priority,
    /// Tickets whose take-charge is decided: taken, or not taken and past due.
    pub total: i64,
    pub met: i64,
    /// `met / total` in percent with one decimal; 100 when there is nothing to judge.
    pub percent: f64,
    /// Not taken yet, still within the target: not judged.
    pub pending: i64,
}

/// Take-charge compliance by priority for tickets received from `from` to `to` (inclusive,
/// Rome days). Staff only. The sum of [`sla_breakdown`], so both judge a ticket the same way.
pub async fn sla_report(
    db: &Db,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<SlaLine>, HelpdeskError> {
    let rows = sla_breakdown(db, actor, from, to, now).await?;
    Ok(Priority::ALL
        .into_iter()
        .map(|p| {
            let mut sum = SlaRow {
                month: String::new(),
                entity_id: 0,
                entity_name: String::new(),
                priority: p,
                total: 0,
                met: 0,
                pending: 0,
            };
            for r in rows.iter().filter(|r| r.priority == p) {
                sum.total += r.total;
                sum.met += r.met;
                sum.pending += r.pending;
            }
            SlaLine {
                priority: p,
                total: sum.total,
                met: sum.met,
                percent: sum.percent(),
                pending: sum.pending,
            }
        })
        .collect())
}

fn rome_midnight(d: NaiveDate) -> Result<DateTime<Utc>, HelpdeskError> {
    kernel::time::ROME
        .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| HelpdeskError::field("from", "data non valida"))
}

/// One line of the SLA breakdown: a month (Rome), an entity, a priority.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaRow {
    /// `2026-11`.
    pub month: String,
    pub entity_id: i64,
    pub entity_name: String,
    pub priority: Priority,
    pub total: i64,
    pub met: i64,
    pub pending: i64,
}

impl SlaRow {
    /// Percent met with one decimal (100 when nothing is judged yet).
    pub fn percent(&self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            (self.met as f64 * 1000.0 / self.total as f64).round() / 10.0
        }
    }
}

/// Take-charge compliance by month, entity and priority for tickets received from `from` to
/// `to` (inclusive, Rome days). Staff only. Months are Rome months.
pub async fn sla_breakdown(
    db: &Db,
    actor: &Actor,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<SlaRow>, HelpdeskError> {
    if !actor.is_staff() {
        return Err(HelpdeskError::StaffOnly);
    }
    let start = rome_midnight(from)?;
    let end = rome_midnight(to.succ_opt().unwrap_or(to))?;
    let rows = sqlx::query(
        "SELECT t.entity_id, e.name, t.priority, t.received_at, t.take_charge_due_at, t.taken_at \
         FROM tickets t JOIN entities e ON e.id = t.entity_id \
         WHERE t.received_at >= $1 AND t.received_at < $2",
    )
    .bind(kernel::time::format(start))
    .bind(kernel::time::format(end))
    .fetch_all(db.pool())
    .await?;
    let mut by: std::collections::BTreeMap<(String, String, i64, Priority), SlaRow> =
        std::collections::BTreeMap::new();
    for r in &rows {
        let entity_id: i64 = r.try_get(0)?;
        let name: String = r.try_get(1)?;
        let priority = Priority::parse(&r.try_get::<String, _>(2)?)
            .ok_or_else(|| sqlx::Error::Decode("priorità".into()))?;
        let received = instant(&r.try_get::<String, _>(3)?)?;
        let due = instant(&r.try_get::<String, _>(4)?)?;
        let taken = r
            .try_get::<Option<String>, _>(5)?
            .as_deref()
            .map(instant)
            .transpose()?;
        let month = received
            .with_timezone(&kernel::time::ROME)
            .format("%Y-%m")
            .to_string();
        let row = by
            .entry((month.clone(), name.clone(), entity_id, priority))
            .or_insert_with(|| SlaRow {
                month,
                entity_id,
                entity_name: name,
                priority,
                total: 0,
                met: 0,
                pending: 0,
            });
        match crate::sla::take_charge(due, taken, now) {
            TakeCharge::Met => {
                row.total += 1;
                row.met += 1;
            }
            TakeCharge::Missed => row.total += 1,
            TakeCharge::Pending => row.pending += 1,
        }
    }
    Ok(by.into_values().collect())
}
