//! Day packages and hour banks, and the work reports counted against them.

use chrono::{Datelike, NaiveDate};
use db::{audit, Db, WriteTx};
use kernel::audit::AuditEvent;
use kernel::{Actor, Euro};
use serde::Serialize;
use sqlx::Row;

use catalog::fees::{Price, Unit};

use crate::work::{self, Balance, Holding, Mode, Overage, ReportFacts, Used};
use crate::DeliveryError;

const IN_SCOPE: &str = db::entities_in_scope!("entity_id", "$1");

mod read;
mod report;
pub use read::{
    acknowledge, keep_printout, packages_of, printable, reports_of, reports_on, Printable,
    ReportLine, WorkOn,
};
pub use report::{report, Report, ReportDraft};

/// What a package is bought with.
#[derive(Debug, Clone, Default)]
pub struct PackageDraft {
    pub service: String,
    pub item: Option<String>,
    pub year: i32,
    pub days: Option<u32>,
    pub hours: Option<u32>,
    /// Refuse work beyond the package instead of billing it.
    pub refuse_overage: bool,
    /// The least share of the days to work on site, per mille (0: none; Padova: 800).
    pub min_onsite_share: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    pub id: i64,
    pub entity_id: i64,
    pub service: String,
    pub item: String,
    pub year: i32,
    pub holding: HoldingOut,
    /// Per day or hour beyond the package; `None`: refused.
    pub overage_rate: Option<Euro>,
    pub balance: Balance,
    /// The minutes used on site and remote.
    #[serde(skip)]
    pub balance_minutes: (u64, u64),
    /// The least on-site share of the days used, per mille (0: none).
    pub min_onsite_share: u32,
    /// The on-site minimum can still be reached if the days left are worked on site.
    pub onsite_reachable: bool,
    /// The usage warning already sent (0, 80, 100) and whether the on-site one was.
    #[serde(skip)]
    pub warned: (u8, bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldingOut {
    Days(u32),
    Hours(u32),
}

impl HoldingOut {
    fn engine(self) -> Holding {
        match self {
            HoldingOut::Days(d) => Holding::Days(d),
            HoldingOut::Hours(h) => Holding::Hours(h),
        }
    }
}

fn staff(actor: &Actor) -> Result<(), DeliveryError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(DeliveryError::StaffOnly)
    }
}

/// "5 giornate" in a component's description: the days a package item holds when its price
/// is a flat amount for them (PD14 "Pacchetto annuo di 5 giornate", PD18 "… 5 giornate").
fn days_in_words(item: &catalog::fees::PriceItem) -> Option<u32> {
    item.components.iter().find_map(|c| {
        let words: Vec<&str> = c.label.split_whitespace().collect();
        words.windows(2).find_map(|w| {
            (w[1].trim_matches(|ch: char| !ch.is_alphabetic()) == "giornate")
                .then(|| w[0].parse::<u32>().ok())
                .flatten()
        })
    })
}

/// The days an item holds and the rate of a day beyond them, read from the list: the days from
/// its description ("5 giornate") or its days-of component; the rate from a sibling item that
/// sells extra days (PD14 "giornata-extra" → PD15 avanzato, € 393), else from the item its
/// days-of component counts, else its own per-day (or per-hour) price.
fn item_terms(
    list: &catalog::fees::PriceList,
    item: &catalog::fees::PriceItem,
) -> (Option<u32>, Option<Euro>) {
    let target_rate =
        |service: &str, target: &str| list.item(service, Some(target)).ok().and_then(day_rate);
    let mut days = days_in_words(item);
    let mut rate = list
        .items_of(&item.service)
        .flat_map(|i| i.components.iter())
        .find_map(|c| match &c.price {
            Some(Price::DaysOf {
                service,
                item: target,
                per_quantity: true,
                ..
            }) => target_rate(service, target),
            _ => None,
        });
    for c in &item.components {
        match &c.price {
            Some(Price::DaysOf {
                service,
                item: target,
                days: d,
                per_quantity: false,
            }) => {
                days = days.or(Some(*d));
                rate = rate.or_else(|| target_rate(service, target));
            }
            Some(Price::PerUnit {
                amount,
                unit: Unit::Day | Unit::Hour,
            }) => rate = rate.or(Some(*amount)),
            _ => {}
        }
    }
    (days, rate)
}

fn day_rate(item: &catalog::fees::PriceItem) -> Option<Euro> {
    item.components.iter().find_map(|c| match &c.price {
        Some(Price::PerUnit {
            amount,
            unit: Unit::Day,
        }) => Some(*amount),
        _ => None,
    })
}

/// Buys a package for an entity (staff): days (the item's own when it has them, PD14 = 5) or
/// hours; work beyond it billed at the item's day rate, or refused.
pub async fn create_package(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    draft: &PackageDraft,
) -> Result<Package, DeliveryError> {
    staff(actor)?;
    members::store::get(db, actor, entity_id).await?;
    if !(2000..=2100).contains(&draft.year) {
        return Err(DeliveryError::field("year", "l'anno va dal 2000 al 2100"));
    }
    let day = NaiveDate::from_ymd_opt(draft.year, 1, 1).unwrap_or_default();
    let list = match catalog::store::price_lists::on(db, day).await {
        Ok(l) => l,
        // A list that starts later in the year (the demo's 1 October 2020) prices that year too.
        Err(_) => {
            catalog::store::price_lists::on(
                db,
                NaiveDate::from_ymd_opt(draft.year, 12, 31).unwrap_or_default(),
            )
            .await?
        }
    };
    let item = list
        .list
        .item(
            draft.service.trim(),
            draft.item.as_deref().filter(|i| !i.is_empty()),
        )
        .map_err(catalog::CatalogError::from)?
        .clone();
    let (own_days, rate) = item_terms(&list.list, &item);
    let holding = match (draft.days, draft.hours, own_days) {
        (Some(_), Some(_), _) => {
            return Err(DeliveryError::field(
                "days",
                "un pacchetto è di giornate o di ore, non di entrambe",
            ))
        }
        (Some(0), _, _) | (_, Some(0), _) => {
            return Err(DeliveryError::field(
                "days",
                "servono almeno una giornata o un'ora",
            ))
        }
        (Some(d), None, _) if d <= 1_000 => HoldingOut::Days(d),
        (None, Some(h), _) if h <= 10_000 => HoldingOut::Hours(h),
        (Some(_), None, _) | (None, Some(_), _) => {
            return Err(DeliveryError::field("days", "quantità troppo grande"))
        }
        (None, None, Some(d)) => HoldingOut::Days(d),
        (None, None, None) => {
            return Err(DeliveryError::field(
                "days",
                format!(
                    "la voce {} «{}» non ha giornate proprie: indicare le giornate o le ore",
                    item.service, item.code
                ),
            ))
        }
    };
    if draft.min_onsite_share > 1000 {
        return Err(DeliveryError::field(
            "min_onsite_share",
            "il minimo in sede va da 0 a 100%",
        ));
    }
    if draft.min_onsite_share > 0 && matches!(holding, HoldingOut::Hours(_)) {
        return Err(DeliveryError::field(
            "min_onsite_share",
            "il minimo in sede vale per i pacchetti di giornate, non per i monte ore",
        ));
    }
    let overage_rate = if draft.refuse_overage { None } else { rate };
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO packages (entity_id, service_code, item_code, year, unit, quantity, \
         overage_rate_cents, created_by, created_at, min_onsite_share) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(entity_id)
    .bind(&item.service)
    .bind(&item.code)
    .bind(i64::from(draft.year))
    .bind(match holding {
        HoldingOut::Days(_) => "days",
        HoldingOut::Hours(_) => "hours",
    })
    .bind(i64::from(match holding {
        HoldingOut::Days(n) | HoldingOut::Hours(n) => n,
    }))
    .bind(overage_rate.map(Euro::cents))
    .bind(&actor.label)
    .bind(kernel::time::now())
    .bind(i64::from(draft.min_onsite_share))
    .fetch_one(tx.conn())
    .await?;
    let p = package_on(tx.conn(), actor, id).await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "package".into(),
            object_id: id.to_string(),
            entity_id: Some(entity_id),
            before: None,
            after: serde_json::to_string(&p).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// A package of an entity the actor may see, with its balance (one indexed sum).
pub async fn package(db: &Db, actor: &Actor, id: i64) -> Result<Package, DeliveryError> {
    let mut conn = db.pool().acquire().await?;
    package_on(&mut conn, actor, id).await
}

async fn package_on(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<Package, DeliveryError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, entity_id, service_code, item_code, year, unit, quantity, overage_rate_cents, \
         onsite_minutes, remote_minutes, min_onsite_share, warned_percent, warned_onsite \
         FROM packages WHERE id = $2 AND {IN_SCOPE}"
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(DeliveryError::PackageNotFound)?;
    let unit: String = row.try_get(5)?;
    let n = u32::try_from(row.try_get::<i64, _>(6)?).unwrap_or(0);
    let holding = if unit == "hours" {
        HoldingOut::Hours(n)
    } else {
        HoldingOut::Days(n)
    };
    let rate: Option<i64> = row.try_get(7)?;
    let overage_rate = rate.map(Euro::from_cents);
    let minutes = |i: usize| -> Result<u64, sqlx::Error> {
        Ok(u64::try_from(row.try_get::<i64, _>(i)?).unwrap_or(0))
    };
    let used = Used {
        onsite_minutes: minutes(8)?,
        remote_minutes: minutes(9)?,
    };
    let min_share = u32::try_from(row.try_get::<i64, _>(10)?).unwrap_or(0);
    Ok(Package {
        id: row.try_get(0)?,
        entity_id: row.try_get(1)?,
        service: row.try_get(2)?,
        item: row.try_get(3)?,
        year: i32::try_from(row.try_get::<i64, _>(4)?).unwrap_or(0),
        holding,
        overage_rate,
        balance: work::balance(
            holding.engine(),
            used,
            overage_rate.map_or(Overage::Refused, Overage::Billed),
        ),
        balance_minutes: (used.onsite_minutes, used.remote_minutes),
        min_onsite_share: min_share,
        onsite_reachable: work::onsite_reachable(holding.engine(), used, min_share),
        warned: (
            u8::try_from(row.try_get::<i64, _>(11)?).unwrap_or(0),
            row.try_get::<i64, _>(12)? != 0,
        ),
    })
}

/// The minutes of a package's reports, summed from the reports themselves: what its totals
/// must equal (checked by the tests).
pub async fn summed_minutes(db: &Db, package_id: i64) -> Result<Used, DeliveryError> {
    let rows = sqlx::query(
        "SELECT mode, CAST(SUM(minutes) AS BIGINT) FROM work_reports WHERE package_id = $1 GROUP BY mode",
    )
    .bind(package_id)
    .fetch_all(db.pool())
    .await?;
    let mut used = Used::default();
    for r in rows {
        let mode: String = r.try_get(0)?;
        let minutes: i64 = r.try_get(1)?;
        let m = u64::try_from(minutes).unwrap_or(0);
        match Mode::parse(&mode) {
            Some(Mode::Onsite) => used.onsite_minutes += m,
            Some(Mode::Remote) => used.remote_minutes += m,
            None => {}
        }
    }
    Ok(used)
}
