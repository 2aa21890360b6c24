//! The statement engine (pure code): the charges of one entity for one calendar year, from
//! what it had and used, and what is left to bill once what was already billed is known.
//!
//! Every charge carries a **key** naming its source (`servizio:12:2026`, `pacchetto:4`,
//! `intervento:88`): a key is billed at most once per entity and year. [`reconcile`] compares
//! the year's charges with what issued statements already billed under the same keys: a new
//! key is billed whole, a key whose amount changed gets an adjustment line of the difference
//! (a later change is never an edit of an issued statement), a key that no longer applies is
//! reversed. So running the year again adds only what is new, and changes nothing when
//! nothing changed.
//!
//! Rules (see `docs/billing.md`):
//! - membership fee: the rule in force for the year, when an agreement is in force on some
//!   day of the year;
//! - a service's yearly fees: its price list item for the year, on the highest quantity in
//!   force during the year (an increase is due for the year, a decrease from the next one);
//!   its one-off fees in the activation year only; metered parts only from readings;
//! - packages: the item's price for the quantity bought, in the package's year, and the work
//!   beyond it at its overage rate;
//! - work reports outside packages, projects, activation requests and warranty: the time of
//!   remote work over 30 minutes and of on-site work with a call-out fee, at the day rate
//!   (6 hours on site, 8 remote), and the call-out fee itself;
//! - custom projects: the approved quote, in the year it was approved.

use catalog::fees::{self, FeeError, PriceList, QuoteInput, When};
use chrono::{Datelike, NaiveDate};
use delivery::work::{Mode, DAY_UNITS};
use kernel::Euro;
use serde::Serialize;

/// What a statement line bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Membership,
    Yearly,
    OneOff,
    Metered,
    Package,
    Overage,
    Work,
    CallOut,
    Project,
    Training,
}

impl LineKind {
    pub const ALL: [LineKind; 10] = [
        LineKind::Membership,
        LineKind::Yearly,
        LineKind::OneOff,
        LineKind::Metered,
        LineKind::Package,
        LineKind::Overage,
        LineKind::Work,
        LineKind::CallOut,
        LineKind::Project,
        LineKind::Training,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LineKind::Membership => "membership",
            LineKind::Yearly => "yearly",
            LineKind::OneOff => "one_off",
            LineKind::Metered => "metered",
            LineKind::Package => "package",
            LineKind::Overage => "overage",
            LineKind::Work => "work",
            LineKind::CallOut => "call_out",
            LineKind::Project => "project",
            LineKind::Training => "training",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Italian, for pages and documents.
    pub fn label(self) -> &'static str {
        match self {
            LineKind::Membership => "Quota associativa",
            LineKind::Yearly => "Canone annuo",
            LineKind::OneOff => "Una tantum",
            LineKind::Metered => "A consumo",
            LineKind::Package => "Pacchetto",
            LineKind::Overage => "Oltre il pacchetto",
            LineKind::Work => "Intervento",
            LineKind::CallOut => "Diritto di chiamata",
            LineKind::Project => "Progetto",
            LineKind::Training => "Formazione",
        }
    }
}

/// One charge of a year, before or after reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Charge {
    /// What it bills, unique per entity and year: see the module's documentation.
    pub key: String,
    pub kind: LineKind,
    pub text: String,
    pub amount: Euro,
    /// The API path of its source (`/api/v1/packages/4`), empty for the membership fee.
    pub source: String,
    /// The price-list item it comes from, for VAT and the totals per service; empty for work
    /// and projects.
    pub service: String,
    pub item: String,
    /// A difference against what an issued statement already billed under the same key.
    pub adjusts: bool,
}

/// A period of a service: a quantity from a day to a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    /// Inclusive; `None` while running.
    pub to: Option<NaiveDate>,
    pub quantity: u32,
}

/// A service an entity had: all the periods of one activation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceFacts {
    /// The first period's id: the key of its charges.
    pub id: i64,
    pub service: String,
    pub item: String,
    pub activation: NaiveDate,
    pub periods: Vec<Period>,
}

/// A metered reading: units used in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadingFacts {
    pub id: i64,
    pub service: String,
    pub item: String,
    pub year: i32,
    pub month: u32,
    pub quantity: u32,
}

/// A package bought for a year, with its overage so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFacts {
    pub id: i64,
    pub service: String,
    pub item: String,
    pub year: i32,
    /// Days or hours bought.
    pub quantity: u32,
    pub hours: bool,
    /// What the work beyond it costs so far, and the hundredths beyond (of a day or hour).
    pub overage: Euro,
    pub beyond: u64,
}

/// A work report that may be billable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkFacts {
    pub id: i64,
    pub date: NaiveDate,
    pub minutes: u32,
    pub mode: Mode,
    /// On a package, a project or an activation request: billed through those, not here.
    pub covered: bool,
    pub warranty: bool,
    pub call_out: bool,
    pub remote_over_30: bool,
}

/// A custom project whose quote the entity approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectFacts {
    pub id: i64,
    pub title: String,
    pub version: i64,
    pub total: Euro,
    pub approved_on: NaiveDate,
}

/// Everything the year's charges of one entity are computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub year: i32,
    pub population: Option<u32>,
    /// The membership fee's text and amount, when due for the year.
    pub membership: Option<(String, Euro)>,
    pub services: Vec<ServiceFacts>,
    pub readings: Vec<ReadingFacts>,
    pub packages: Vec<PackageFacts>,
    pub work: Vec<WorkFacts>,
    pub projects: Vec<ProjectFacts>,
    /// What the year's training courses charge (extra Academy entries, LTT shares), computed
    /// by the training rules.
    pub training: Vec<TrainingFacts>,
}

/// A charge of a training course, as the training rules computed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingFacts {
    pub key: String,
    pub text: String,
    pub amount: Euro,
    pub source: String,
}

/// The rates work is billed at (from the centre's settings).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rates {
    /// A day of work (6 hours on site, 8 remote); `None`: work time is not billed.
    pub day_rate: Option<Euro>,
    /// Per on-site visit without visits in the support profile; `None`: not charged.
    pub call_out_fee: Option<Euro>,
}

/// The price lists by validity.
#[derive(Debug, Clone, Default)]
pub struct PriceLists(pub Vec<PriceList>);

impl PriceLists {
    /// The list in force on `day`: the latest starting on or before it and not yet ended.
    pub fn on(&self, day: NaiveDate) -> Option<&PriceList> {
        self.0
            .iter()
            .filter(|l| l.valid_from <= day && l.valid_to.is_none_or(|t| day <= t))
            .max_by_key(|l| l.valid_from)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("nessun listino in vigore il {0}")]
    NoPriceList(String),
    #[error("{service} «{item}»: {error}")]
    Fee {
        service: String,
        item: String,
        error: FeeError,
    },
    #[error("importo troppo grande")]
    Overflow,
}

fn first_day(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()
}

fn last_day(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default()
}

fn sum_parts(parts: &[fees::Part], when: &[When]) -> Result<(Euro, Vec<String>), EngineError> {
    let mut total = Euro::ZERO;
    let mut texts = Vec::new();
    for p in parts.iter().filter(|p| when.contains(&p.when)) {
        if p.line.amount == Euro::ZERO {
            continue;
        }
        total = total
            .checked_add(p.line.amount)
            .ok_or(EngineError::Overflow)?;
        texts.push(p.line.text.clone());
    }
    Ok((total, texts))
}

fn list_on(lists: &PriceLists, day: NaiveDate) -> Result<&PriceList, EngineError> {
    lists
        .on(day)
        .ok_or_else(|| EngineError::NoPriceList(kernel::time::display_date(day)))
}

fn fee_error(service: &str, item: &str) -> impl FnOnce(FeeError) -> EngineError {
    let (service, item) = (service.to_owned(), item.to_owned());
    move |error| EngineError::Fee {
        service,
        item,
        error,
    }
}

/// The highest quantity of a service in force on some day of `year`, if any.
pub fn quantity_in_year(periods: &[Period], year: i32) -> Option<u32> {
    let (start, end) = (first_day(year), last_day(year));
    periods
        .iter()
        .filter(|p| p.from <= end && p.to.is_none_or(|t| t >= start && t >= p.from))
        .map(|p| p.quantity)
        .max()
}

/// A work report's billable time in day units (see [`delivery::work::DAY_UNITS`]).
fn work_units(w: &WorkFacts) -> u64 {
    let per_minute = match w.mode {
        Mode::Onsite => DAY_UNITS / 360,
        Mode::Remote => DAY_UNITS / 480,
    };
    u64::from(w.minutes) * per_minute
}

/// `rate × units / DAY_UNITS`, half up to the cent.
fn day_share(rate: Euro, units: u64) -> Result<Euro, EngineError> {
    let num = i128::from(rate.cents()) * i128::from(units);
    let den = i128::from(DAY_UNITS);
    let v = (num * 2 + den) / (2 * den);
    i64::try_from(v)
        .map(Euro::from_cents)
        .map_err(|_| EngineError::Overflow)
}

fn hours_minutes(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Every charge of the entity for `facts.year`, in a stable order (by key within kind).
pub fn charges(
    facts: &Facts,
    lists: &PriceLists,
    rates: &Rates,
) -> Result<Vec<Charge>, EngineError> {
    let year = facts.year;
    let mut out = Vec::new();
    if let Some((text, amount)) = &facts.membership {
        if *amount != Euro::ZERO {
            out.push(Charge {
                key: format!("quota:{year}"),
                kind: LineKind::Membership,
                text: format!("Quota associativa {year}: {text}"),
                amount: *amount,
                source: String::new(),
                service: String::new(),
                item: String::new(),
                adjusts: false,
            });
        }
    }
    for s in &facts.services {
        let Some(quantity) = quantity_in_year(&s.periods, year) else {
            continue;
        };
        if year < s.activation.year() {
            continue;
        }
        let day = fees::pricing_date(s.activation, year);
        let list = list_on(lists, day)?;
        let input = QuoteInput {
            service: &s.service,
            item: Some(&s.item),
            quantity,
            population: facts.population,
            activation: s.activation,
            year,
        };
        let parts = fees::parts(list, &input).map_err(fee_error(&s.service, &s.item))?;
        let name = list
            .item(&s.service, Some(&s.item))
            .map(|i| i.label.clone())
            .unwrap_or_else(|_| s.item.clone());
        let source = format!("/api/v1/active-services/{}", s.id);
        let (yearly, texts) = sum_parts(&parts, &[When::Yearly])?;
        if yearly != Euro::ZERO {
            out.push(Charge {
                key: format!("servizio:{}:{year}", s.id),
                kind: LineKind::Yearly,
                text: format!("{} «{name}» {year}: {}", s.service, texts.join("; ")),
                amount: yearly,
                source: source.clone(),
                service: s.service.clone(),
                item: s.item.clone(),
                adjusts: false,
            });
        }
        if year == s.activation.year() {
            let (once, texts) = sum_parts(&parts, &[When::OneOff])?;
            if once != Euro::ZERO {
                out.push(Charge {
                    key: format!("servizio:{}:una-tantum", s.id),
                    kind: LineKind::OneOff,
                    text: format!(
                        "{} «{name}», attivato il {}: {}",
                        s.service,
                        kernel::time::display_date(s.activation),
                        texts.join("; ")
                    ),
                    amount: once,
                    source,
                    service: s.service.clone(),
                    item: s.item.clone(),
                    adjusts: false,
                });
            }
        }
    }
    for r in facts.readings.iter().filter(|r| r.year == year) {
        let day = NaiveDate::from_ymd_opt(r.year, r.month, 1).unwrap_or(first_day(year));
        let list = list_on(lists, day)?;
        let input = QuoteInput {
            service: &r.service,
            item: Some(&r.item),
            quantity: r.quantity,
            population: facts.population,
            activation: day,
            year,
        };
        let parts = fees::parts(list, &input).map_err(fee_error(&r.service, &r.item))?;
        let (amount, texts) = sum_parts(&parts, &[When::Metered])?;
        if amount != Euro::ZERO {
            let texts: Vec<String> = texts.iter().map(|t| t.replace(", stima)", ")")).collect();
            out.push(Charge {
                key: format!("lettura:{}", r.id),
                kind: LineKind::Metered,
                text: format!(
                    "{} consumo di {:02}/{}: {}",
                    r.service,
                    r.month,
                    r.year,
                    texts.join("; ")
                ),
                amount,
                source: format!("/api/v1/readings/{}", r.id),
                service: r.service.clone(),
                item: r.item.clone(),
                adjusts: false,
            });
        }
    }
    for p in facts.packages.iter().filter(|p| p.year == year) {
        let day = first_day(year);
        let list = list_on(lists, day)?;
        let input = QuoteInput {
            service: &p.service,
            item: Some(&p.item),
            quantity: p.quantity,
            population: facts.population,
            activation: day,
            year,
        };
        let parts = fees::parts(list, &input).map_err(fee_error(&p.service, &p.item))?;
        let (amount, texts) = sum_parts(&parts, &[When::Yearly, When::OneOff, When::Metered])?;
        let texts: Vec<String> = texts.iter().map(|t| t.replace(", stima)", ")")).collect();
        let what = if p.hours { "ore" } else { "giornate" };
        let source = format!("/api/v1/packages/{}", p.id);
        if amount != Euro::ZERO {
            out.push(Charge {
                key: format!("pacchetto:{}", p.id),
                kind: LineKind::Package,
                text: format!(
                    "Pacchetto {} di {} {what} ({year}): {}",
                    p.service,
                    p.quantity,
                    texts.join("; ")
                ),
                amount,
                source: source.clone(),
                service: p.service.clone(),
                item: p.item.clone(),
                adjusts: false,
            });
        }
        if p.overage != Euro::ZERO {
            out.push(Charge {
                key: format!("pacchetto:{}:oltre", p.id),
                kind: LineKind::Overage,
                text: format!(
                    "Pacchetto {} ({year}): {} {what} oltre il pacchetto",
                    p.service,
                    delivery::work::decimal(p.beyond).replace('.', ",")
                ),
                amount: p.overage,
                source,
                service: p.service.clone(),
                item: p.item.clone(),
                adjusts: false,
            });
        }
    }
    for w in facts.work.iter().filter(|w| w.date.year() == year) {
        if w.covered || w.warranty {
            continue;
        }
        let source = format!("/api/v1/work-reports/{}/pdf", w.id);
        let place = match w.mode {
            Mode::Onsite => "in sede",
            Mode::Remote => "da remoto",
        };
        let billed_time = w.remote_over_30 || w.call_out;
        if let (true, Some(rate)) = (billed_time, rates.day_rate) {
            let units = work_units(w);
            let amount = day_share(rate, units)?;
            if amount != Euro::ZERO {
                let day = match w.mode {
                    Mode::Onsite => "6 ore in sede",
                    Mode::Remote => "8 ore da remoto",
                };
                out.push(Charge {
                    key: format!("intervento:{}", w.id),
                    kind: LineKind::Work,
                    text: format!(
                        "Intervento del {} ({place}, {}): {} giornate × {rate} (giornata di {day})",
                        kernel::time::display_date(w.date),
                        hours_minutes(w.minutes),
                        delivery::work::decimal((units * 100 * 2 + DAY_UNITS) / (2 * DAY_UNITS))
                            .replace('.', ","),
                    ),
                    amount,
                    source: source.clone(),
                    service: String::new(),
                    item: String::new(),
                    adjusts: false,
                });
            }
        }
        if let (true, Some(fee)) = (w.call_out, rates.call_out_fee) {
            if fee != Euro::ZERO {
                out.push(Charge {
                    key: format!("intervento:{}:uscita", w.id),
                    kind: LineKind::CallOut,
                    text: format!(
                        "Diritto di chiamata, intervento in sede del {}",
                        kernel::time::display_date(w.date)
                    ),
                    amount: fee,
                    source,
                    service: String::new(),
                    item: String::new(),
                    adjusts: false,
                });
            }
        }
    }
    for p in facts
        .projects
        .iter()
        .filter(|p| p.approved_on.year() == year)
    {
        if p.total == Euro::ZERO {
            continue;
        }
        out.push(Charge {
            key: format!("progetto:{}", p.id),
            kind: LineKind::Project,
            text: format!(
                "Progetto «{}»: preventivo v{} approvato il {}",
                p.title,
                p.version,
                kernel::time::display_date(p.approved_on)
            ),
            amount: p.total,
            source: format!("/api/v1/projects/{}", p.id),
            service: String::new(),
            item: String::new(),
            adjusts: false,
        });
    }
    for t in &facts.training {
        if t.amount == Euro::ZERO {
            continue;
        }
        out.push(Charge {
            key: t.key.clone(),
            kind: LineKind::Training,
            text: t.text.clone(),
            amount: t.amount,
            source: t.source.clone(),
            service: String::new(),
            item: String::new(),
            adjusts: false,
        });
    }
    Ok(out)
}

/// The sum of some charges' amounts.
pub fn net(charges: &[Charge]) -> Result<Euro, EngineError> {
    charges.iter().try_fold(Euro::ZERO, |acc, c| {
        acc.checked_add(c.amount).ok_or(EngineError::Overflow)
    })
}

mod reconcile;

pub use reconcile::{reconcile, Billed};

#[cfg(test)]
mod tests;
