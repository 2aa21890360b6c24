//! What a year's statements are computed from, read for many entities at once (one query per
//! kind of fact, whatever the number of entities), and what issued statements already billed.

use std::collections::{BTreeMap, HashMap};

use catalog::membership::{Member, MembershipRule};
use chrono::{Datelike, NaiveDate};
use db::Db;
use delivery::work::{self, Holding, Mode, Overage, Used};
use kernel::Euro;
use sqlx::Row;

use super::date;
use crate::engine::{
    Billed, Facts, LineKind, PackageFacts, Period, PriceLists, ProjectFacts, Rates, ReadingFacts,
    ServiceFacts, TrainingFacts, WorkFacts,
};
use crate::settings::BillingSettings;
use crate::BillingError;

/// The SQL condition "agreement `a` is in force on some day of the year" (bound as `$1`, `$2`:
/// its first and last day).
const IN_FORCE_IN_YEAR: &str = "a.status <> 'draft' AND a.start_date <= $2 AND a.end_date >= $1 \
     AND (a.terminated_on IS NULL OR a.terminated_on >= $1)";

fn bounds(year: i32) -> (String, String) {
    (format!("{year:04}-01-01"), format!("{year:04}-12-31"))
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// The entities a run bills: those with an agreement in force during the year, or the ones
/// given (whether or not they have one: then no membership fee is due).
pub async fn entities_to_bill(
    db: &Db,
    year: i32,
    only: Option<&[i64]>,
) -> Result<Vec<i64>, BillingError> {
    let (first, last) = bounds(year);
    if let Some(ids) = only {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        return Ok(ids);
    }
    let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT e.id FROM entities e WHERE EXISTS (SELECT 1 FROM agreements a \
         WHERE a.entity_id = e.id AND {IN_FORCE_IN_YEAR}) ORDER BY e.id"
    )))
    .bind(&first)
    .bind(&last)
    .fetch_all(db.pool())
    .await?;
    Ok(ids)
}

/// Everything the run of `year` needs, for every entity at once.
pub struct YearFacts {
    pub facts: HashMap<i64, Facts>,
    /// Entities that cannot be billed, and why (a fee that needs a missing population).
    pub problems: BTreeMap<i64, String>,
    pub lists: PriceLists,
    pub rates: Rates,
}

/// Every price list, full.
pub async fn price_lists(db: &Db) -> Result<PriceLists, BillingError> {
    let mut lists = Vec::new();
    for s in catalog::store::price_lists::summaries(db).await? {
        lists.push(catalog::store::price_lists::get(db, s.id).await?.list);
    }
    Ok(PriceLists(lists))
}

/// The rates work is billed at: the day rate of the settings' item in the list in force at
/// the start of the year.
pub fn rates(settings: &BillingSettings, lists: &PriceLists, year: i32) -> Rates {
    let day = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
    let day_rate = lists.on(day).and_then(|l| {
        let input = catalog::fees::QuoteInput {
            service: &settings.work_service,
            item: Some(&settings.work_item),
            quantity: 1,
            population: None,
            activation: day,
            year,
        };
        catalog::fees::parts(l, &input).ok().and_then(|parts| {
            parts
                .iter()
                .map(|p| p.line.amount)
                .find(|a| *a != Euro::ZERO)
        })
    });
    Rates {
        day_rate,
        call_out_fee: settings.call_out_fee,
    }
}

/// Reads the facts of `year` for `entities`.
pub async fn load(
    db: &Db,
    year: i32,
    entities: &[i64],
    settings: &BillingSettings,
) -> Result<YearFacts, BillingError> {
    let (first, last) = bounds(year);
    let wanted: std::collections::HashSet<i64> = entities.iter().copied().collect();
    let mut facts: HashMap<i64, Facts> = entities
        .iter()
        .map(|id| {
            (
                *id,
                Facts {
                    year,
                    ..Facts::default()
                },
            )
        })
        .collect();
    let lists = price_lists(db).await?;
    let rates = rates(settings, &lists, year);

    // Populations and the membership fee (due with an agreement in force during the year).
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT e.id, e.population, e.workstations, \
         CASE WHEN EXISTS (SELECT 1 FROM agreements a WHERE a.entity_id = e.id AND {IN_FORCE_IN_YEAR}) \
         THEN 1 ELSE 0 END FROM entities e ORDER BY e.id"
    )))
    .bind(&first)
    .bind(&last)
    .fetch_all(db.pool())
    .await?;
    let mut members = Vec::with_capacity(rows.len());
    let mut in_force = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get(0)?;
        let population: Option<i64> = r.try_get(1)?;
        let m = Member {
            id,
            population: population.map(count),
            workstations: count(r.try_get(2)?),
        };
        if r.try_get::<i64, _>(3)? == 1 && wanted.contains(&id) {
            in_force.push(m);
        }
        if let Some(f) = facts.get_mut(&id) {
            f.population = m.population;
        }
        members.push(m);
    }
    let mut problems = BTreeMap::new();
    if let Ok(rule) = catalog::store::rule_for(db, year).await {
        let all: &[Member] = match rule.rule {
            MembershipRule::WorkstationShare { .. } => &members,
            _ => &[],
        };
        for m in in_force {
            let fee = match rule.rule.fee(&m, all) {
                Ok(fee) => fee,
                Err(e) => {
                    problems.insert(
                        m.id,
                        format!("la quota associativa non si può calcolare ({e})"),
                    );
                    continue;
                }
            };
            let text = fee
                .lines
                .iter()
                .map(|l| l.text.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            if let Some(f) = facts.get_mut(&m.id) {
                f.membership = Some((text, fee.amount));
            }
        }
    }

    // Services: the periods running some day of the year, grouped by activation.
    let rows = sqlx::query(
        "SELECT id, entity_id, service_code, item_code, quantity, activation_date, from_date, \
         end_date, previous_id FROM active_services \
         WHERE from_date <= $2 AND (end_date IS NULL OR end_date >= $1) ORDER BY id",
    )
    .bind(&first)
    .bind(&last)
    .fetch_all(db.pool())
    .await?;
    let mut group_of: HashMap<i64, (i64, usize)> = HashMap::new();
    for r in &rows {
        let id: i64 = r.try_get(0)?;
        let entity: i64 = r.try_get(1)?;
        let Some(f) = facts.get_mut(&entity) else {
            continue;
        };
        let previous: Option<i64> = r.try_get(8)?;
        let end: Option<String> = r.try_get(7)?;
        let period = Period {
            from: date(&r.try_get::<String, _>(6)?)?,
            to: end.as_deref().map(date).transpose()?,
            quantity: count(r.try_get(4)?),
        };
        // Rows come by id, and a period's previous one always has a smaller id.
        match previous.and_then(|p| group_of.get(&p).copied()) {
            Some((e, index)) if e == entity => {
                f.services[index].periods.push(period);
                group_of.insert(id, (entity, index));
            }
            _ => {
                f.services.push(ServiceFacts {
                    id,
                    service: r.try_get(2)?,
                    item: r.try_get(3)?,
                    activation: date(&r.try_get::<String, _>(5)?)?,
                    periods: vec![period],
                });
                group_of.insert(id, (entity, f.services.len() - 1));
            }
        }
    }

    let rows = sqlx::query(
        "SELECT id, entity_id, service_code, item_code, month, quantity FROM meter_readings \
         WHERE year = $1 ORDER BY id",
    )
    .bind(i64::from(year))
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        if let Some(f) = facts.get_mut(&r.try_get::<i64, _>(1)?) {
            f.readings.push(ReadingFacts {
                id: r.try_get(0)?,
                service: r.try_get(2)?,
                item: r.try_get(3)?,
                year,
                month: count(r.try_get(4)?),
                quantity: count(r.try_get(5)?),
            });
        }
    }

    let rows = sqlx::query(
        "SELECT id, entity_id, service_code, item_code, unit, quantity, overage_rate_cents, \
         onsite_minutes, remote_minutes FROM packages WHERE year = $1 ORDER BY id",
    )
    .bind(i64::from(year))
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        let Some(f) = facts.get_mut(&r.try_get::<i64, _>(1)?) else {
            continue;
        };
        let hours = r.try_get::<String, _>(4)? == "hours";
        let quantity = count(r.try_get(5)?);
        let rate: Option<i64> = r.try_get(6)?;
        let used = Used {
            onsite_minutes: u64::try_from(r.try_get::<i64, _>(7)?).unwrap_or(0),
            remote_minutes: u64::try_from(r.try_get::<i64, _>(8)?).unwrap_or(0),
        };
        let holding = if hours {
            Holding::Hours(quantity)
        } else {
            Holding::Days(quantity)
        };
        let overage = rate.map_or(Overage::Refused, |c| Overage::Billed(Euro::from_cents(c)));
        let b = work::balance(holding, used, overage);
        f.packages.push(PackageFacts {
            id: r.try_get(0)?,
            service: r.try_get(2)?,
            item: r.try_get(3)?,
            year,
            quantity,
            hours,
            overage: b.overage_amount,
            beyond: b.beyond,
        });
    }

    let rows = sqlx::query(
        "SELECT id, entity_id, work_date, minutes, mode, flags, package_id, project_id, request_id \
         FROM work_reports WHERE work_date >= $1 AND work_date <= $2 ORDER BY id",
    )
    .bind(&first)
    .bind(&last)
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        let Some(f) = facts.get_mut(&r.try_get::<i64, _>(1)?) else {
            continue;
        };
        let flags: String = r.try_get(5)?;
        let has = |flag: &str| flags.split(',').any(|x| x == flag);
        let (pkg, proj, req): (Option<i64>, Option<i64>, Option<i64>) =
            (r.try_get(6)?, r.try_get(7)?, r.try_get(8)?);
        f.work.push(WorkFacts {
            id: r.try_get(0)?,
            date: date(&r.try_get::<String, _>(2)?)?,
            minutes: count(r.try_get(3)?),
            mode: Mode::parse(&r.try_get::<String, _>(4)?).unwrap_or(Mode::Remote),
            covered: pkg.is_some() || proj.is_some() || req.is_some(),
            warranty: has("warranty"),
            call_out: has("call_out_fee"),
            remote_over_30: has("remote_over_30_minutes"),
        });
    }

    // Projects approved during the year (by the Rome date of the decision).
    let rows = sqlx::query(
        "SELECT p.id, p.entity_id, p.title, p.decided_version, p.decided_at, q.total_cents \
         FROM projects p JOIN project_quotes q ON q.project_id = p.id AND q.version = p.decided_version \
         WHERE p.state = 'approved' AND p.decided_at >= $1 AND p.decided_at <= $2 ORDER BY p.id",
    )
    // A margin of a day each side for the time zone; the exact year is checked below.
    .bind(format!("{:04}-12-31", year - 1))
    .bind(format!("{:04}-01-02", year + 1))
    .fetch_all(db.pool())
    .await?;
    for r in &rows {
        let Some(f) = facts.get_mut(&r.try_get::<i64, _>(1)?) else {
            continue;
        };
        let at: String = r.try_get(4)?;
        let Some(day) =
            kernel::time::parse(&at).map(|t| t.with_timezone(&kernel::time::ROME).date_naive())
        else {
            continue;
        };
        if day.year() != year {
            continue;
        }
        f.projects.push(ProjectFacts {
            id: r.try_get(0)?,
            title: r.try_get(2)?,
            version: r.try_get::<Option<i64>, _>(3)?.unwrap_or(0),
            total: Euro::from_cents(r.try_get(5)?),
            approved_on: day,
        });
    }
    // Training courses of the year, as their rules charge them.
    let training = training::store::entries::charges(db, year)
        .await
        .map_err(|e| match e {
            training::TrainingError::Db(e) => BillingError::from(e),
            other => BillingError::from(sqlx::Error::Protocol(other.to_string())),
        })?;
    for (entity_id, charges) in training {
        let Some(f) = facts.get_mut(&entity_id) else {
            continue;
        };
        f.training = charges
            .into_iter()
            .map(|c| TrainingFacts {
                key: c.key,
                text: c.text,
                amount: c.amount,
                source: c.source,
            })
            .collect();
    }
    Ok(YearFacts {
        facts,
        problems,
        lists,
        rates,
    })
}

/// What issued statements of `year` billed, by entity and key.
pub async fn billed(
    db: &Db,
    year: i32,
) -> Result<HashMap<i64, BTreeMap<String, Billed>>, BillingError> {
    let rows = sqlx::query(
        "SELECT s.entity_id, l.source_key, l.amount_cents, l.kind, l.text, l.source, \
         l.service_code, l.item_code FROM statement_lines l JOIN statements s ON s.id = l.statement_id \
         WHERE s.year = $1 AND s.state <> 'draft' ORDER BY s.id, l.position",
    )
    .bind(i64::from(year))
    .fetch_all(db.pool())
    .await?;
    let mut out: HashMap<i64, BTreeMap<String, Billed>> = HashMap::new();
    for r in &rows {
        let amount = Euro::from_cents(r.try_get(2)?);
        let kind = LineKind::parse(&r.try_get::<String, _>(3)?).unwrap_or(LineKind::Yearly);
        let b = out
            .entry(r.try_get(0)?)
            .or_default()
            .entry(r.try_get(1)?)
            .or_insert(Billed {
                amount: Euro::ZERO,
                text: r.try_get(4)?,
                kind,
                source: r.try_get(5)?,
                service: r.try_get(6)?,
                item: r.try_get(7)?,
            });
        b.amount = b.amount + amount;
    }
    Ok(out)
}
