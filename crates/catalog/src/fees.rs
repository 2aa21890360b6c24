//! Service fees as data, and the quote engine. Pure code: no I/O.
//!
//! A [`PriceList`] holds, for a validity period, the fee of every service as one or more
//! [`PriceItem`]s (*voci*: PEC "standard", "silver", …). An item is a list of [`Component`]s that
//! are charged together, each with **when** it is charged ([`When`]: one-off, yearly from/until a
//! year of service and maybe pro-rated, metered, included in the membership fee, free, on
//! quotation) and **how much** ([`Price`]: flat, per unit, per block, population bands, marginal
//! tiers with a cap, N days at another item's day rate). Every shape of DOMAIN.md is a value of
//! these types, so a centre changes prices by editing data, never code.
//!
//! [`quote`] gives the amount of one item for one calendar year, with Italian lines that show
//! the computation. Years of service count from the activation date: the activation year is the
//! 1st year of service.

use chrono::{Datelike, NaiveDate};
use kernel::money::{thousands, Thousands};
use kernel::Euro;
use serde::{Deserialize, Serialize};

use crate::membership::{validate_bands_of, Band, FeeLine, Tier};

/// What a per-unit or per-block amount counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Read from the entity's population, not from the quantity.
    Inhabitant,
    Workstation,
    User,
    Mailbox,
    Gb,
    TbMonth,
    Day,
    Hour,
    Sms,
    Person,
    /// A protected client or server.
    Device,
    /// A signature device or certificate.
    Certificate,
}

impl Unit {
    pub const ALL: [Unit; 12] = [
        Unit::Inhabitant,
        Unit::Workstation,
        Unit::User,
        Unit::Mailbox,
        Unit::Gb,
        Unit::TbMonth,
        Unit::Day,
        Unit::Hour,
        Unit::Sms,
        Unit::Person,
        Unit::Device,
        Unit::Certificate,
    ];

    /// Italian, singular and plural.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Unit::Inhabitant => ("ab.", "ab."),
            Unit::Workstation => ("postazione", "postazioni"),
            Unit::User => ("utente", "utenti"),
            Unit::Mailbox => ("casella", "caselle"),
            Unit::Gb => ("GB", "GB"),
            Unit::TbMonth => ("TB/mese", "TB/mese"),
            Unit::Day => ("giornata", "giornate"),
            Unit::Hour => ("ora", "ore"),
            Unit::Sms => ("SMS", "SMS"),
            Unit::Person => ("persona", "persone"),
            Unit::Device => ("client/server", "client/server"),
            Unit::Certificate => ("dispositivo/certificato", "dispositivi/certificati"),
        }
    }

    /// `3 postazioni`, `1 giornata`, `7.500 ab.`.
    pub fn count(self, n: u64) -> String {
        let (one, many) = self.names();
        format!("{} {}", Thousands(n), if n == 1 { one } else { many })
    }
}

/// When a component is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// Once, in the year of activation (*una tantum*).
    OneOff,
    /// Every year of service from `from_year` (1 = the activation year) to `until_year`.
    Yearly,
    /// On consumption (*a consumo*); a quote shows the quantity given as an estimate.
    Metered,
    /// Covered by the yearly membership fee.
    Included,
    /// No charge to the entity.
    Free,
    /// Priced after an assessment (*su preventivo*).
    OnQuotation,
}

/// How much a component costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Price {
    Flat {
        #[schema(value_type = String)]
        amount: Euro,
    },
    PerUnit {
        #[schema(value_type = String)]
        amount: Euro,
        unit: Unit,
    },
    /// `amount` for each started block of `block` units (per 5 GB, per 10 mailboxes).
    PerBlock {
        #[schema(value_type = String)]
        amount: Euro,
        unit: Unit,
        block: u32,
    },
    /// One amount by band of the quantity (or of the population).
    Bands { unit: Unit, bands: Vec<Band> },
    /// Marginal rates per tier; above `flat_above` units the amount is `flat_amount`; the total
    /// never exceeds `cap`.
    Tiers {
        unit: Unit,
        tiers: Vec<Tier>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        flat_above: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<String>)]
        flat_amount: Option<Euro>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<String>)]
        cap: Option<Euro>,
    },
    /// `days` × the day rate of another item of the same price list (a per-day price), times
    /// the quantity when `per_quantity` (extra days bought one by one).
    DaysOf {
        service: String,
        item: String,
        days: u32,
        #[serde(default, skip_serializing_if = "is_false")]
        per_quantity: bool,
    },
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

fn is_false(b: &bool) -> bool {
    !b
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// What it is, in Italian: "Realizzazione sito web".
    pub label: String,
    pub when: When,
    /// For yearly fees: the first year of service charged (2 = "dal secondo anno").
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub from_year: u32,
    /// For yearly fees: the last year of service charged (1 = first year only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_year: Option<u32>,
    /// For yearly fees charged in the activation year: pro-rated by the days from the
    /// activation date to 31 December (false: the whole year is due whatever the date).
    #[serde(default, skip_serializing_if = "is_false")]
    pub pro_rata: bool,
    /// Required for one-off, yearly and metered components; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Price>,
}

/// One way of buying a service (*voce di listino*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceItem {
    /// The service's code, `PD11`.
    pub service: String,
    /// Unique within the service: `standard`, `silver`, …
    pub code: String,
    pub label: String,
    pub components: Vec<Component>,
}

impl PriceItem {
    /// Whether the item's amounts depend on the entity's population (a price per inhabitant):
    /// otherwise two entities with the same quantity and dates get the same quote.
    pub fn uses_population(&self) -> bool {
        self.components.iter().any(|c| {
            matches!(
                &c.price,
                Some(
                    Price::PerUnit {
                        unit: Unit::Inhabitant,
                        ..
                    } | Price::PerBlock {
                        unit: Unit::Inhabitant,
                        ..
                    } | Price::Bands {
                        unit: Unit::Inhabitant,
                        ..
                    } | Price::Tiers {
                        unit: Unit::Inhabitant,
                        ..
                    }
                )
            )
        })
    }
}

/// The fees of every service for a validity period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceList {
    pub name: String,
    pub valid_from: NaiveDate,
    /// Inclusive; `None`: until a later list starts.
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    pub items: Vec<PriceItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    #[error("listino non valido: {0}")]
    Invalid(String),
    #[error("il servizio {0} non ha voci nel listino")]
    NoService(String),
    #[error("il servizio {0} non ha la voce «{1}»")]
    NoItem(String, String),
    #[error("l'ente non ha la popolazione: serve per calcolare questa tariffa")]
    NoPopulation,
    #[error("il servizio è attivato il {activation}: nel {year} non è ancora attivo")]
    BeforeActivation { activation: String, year: i32 },
    #[error("importo troppo grande")]
    Overflow,
}

/// A rule's refusal without its "regola non valida:" prefix: inside a price it reads alone.
fn plain(e: &crate::membership::RuleError) -> String {
    match e {
        crate::membership::RuleError::Invalid(m) => m.clone(),
        other => other.to_string(),
    }
}

fn invalid(msg: impl Into<String>) -> FeeError {
    FeeError::Invalid(msg.into())
}

impl PriceList {
    /// Refuses a list that could not give one well-defined amount for every quote.
    pub fn validate(&self) -> Result<(), FeeError> {
        if self.name.trim().is_empty() {
            return Err(invalid("il nome è obbligatorio"));
        }
        if let Some(to) = self.valid_to {
            if to < self.valid_from {
                return Err(invalid(format!(
                    "la validità finisce ({}) prima di iniziare ({})",
                    kernel::time::display_date(to),
                    kernel::time::display_date(self.valid_from)
                )));
            }
        }
        for (i, item) in self.items.iter().enumerate() {
            let at = format!("{} «{}»", item.service, item.code);
            if item.service.trim().is_empty() || item.code.trim().is_empty() {
                return Err(invalid(format!(
                    "voce {}: servizio e codice della voce sono obbligatori",
                    i + 1
                )));
            }
            if self.items[..i]
                .iter()
                .any(|o| o.service == item.service && o.code == item.code)
            {
                return Err(invalid(format!("{at}: voce ripetuta")));
            }
            if item.components.is_empty() {
                return Err(invalid(format!("{at}: nessuna componente di prezzo")));
            }
            for c in &item.components {
                self.validate_component(c)
                    .map_err(|e| invalid(format!("{at}, «{}»: {e}", c.label)))?;
            }
        }
        Ok(())
    }

    /// What is wrong with one component of this list, in one Italian clause (for forms that
    /// show it beside the component).
    pub fn check_component(&self, c: &Component) -> Result<(), String> {
        self.validate_component(c)
    }

    fn validate_component(&self, c: &Component) -> Result<(), String> {
        if c.label.trim().is_empty() {
            return Err("la descrizione è obbligatoria".into());
        }
        let priced = matches!(c.when, When::OneOff | When::Yearly | When::Metered);
        match (&c.price, priced) {
            (None, true) => return Err("manca il prezzo".into()),
            (Some(_), false) => {
                return Err("compresa, gratuita o su preventivo: non ha prezzo".into())
            }
            _ => {}
        }
        if c.when != When::Yearly && (c.from_year != 1 || c.until_year.is_some() || c.pro_rata) {
            return Err("anni di servizio e pro rata valgono solo per i canoni annui".into());
        }
        if c.from_year == 0 {
            return Err("gli anni di servizio partono da 1".into());
        }
        if c.until_year.is_some_and(|u| u < c.from_year) {
            return Err(format!(
                "l'ultimo anno ({}) precede il primo ({})",
                c.until_year.unwrap_or_default(),
                c.from_year
            ));
        }
        if c.pro_rata && c.from_year != 1 {
            return Err("il pro rata vale solo per un canone dovuto dal 1° anno".into());
        }
        let negative = |a: &Euro| *a < Euro::ZERO;
        match &c.price {
            None => Ok(()),
            Some(Price::Flat { amount } | Price::PerUnit { amount, .. }) if negative(amount) => {
                Err("importo negativo".into())
            }
            Some(Price::PerBlock { amount, block, .. }) => {
                if negative(amount) {
                    Err("importo negativo".into())
                } else if *block == 0 {
                    Err("un blocco deve contare almeno 1 unità".into())
                } else {
                    Ok(())
                }
            }
            Some(Price::Bands { bands, unit }) => {
                if bands.iter().any(|b| negative(&b.amount)) {
                    return Err("importo negativo in una fascia".into());
                }
                let units = match unit {
                    Unit::Inhabitant => "abitanti",
                    other => other.names().1,
                };
                validate_bands_of(bands, units).map_err(|e| plain(&e))
            }
            Some(Price::Tiers {
                tiers,
                flat_above,
                flat_amount,
                cap,
                ..
            }) => {
                crate::membership::MembershipRule::MarginalTiers {
                    tiers: tiers.clone(),
                    flat_above: *flat_above,
                    flat_amount: *flat_amount,
                }
                .validate()
                .map_err(|e| plain(&e))?;
                if cap.is_some_and(|c| c < Euro::ZERO) {
                    return Err("tetto negativo".into());
                }
                Ok(())
            }
            Some(Price::DaysOf {
                service,
                item,
                days,
                ..
            }) => {
                if *days == 0 {
                    return Err("servono una o più giornate".into());
                }
                self.day_rate(service, item).map(|_| ())
            }
            Some(_) => Ok(()),
        }
    }

    /// The day rate of `service`/`item`: its first per-day component.
    fn day_rate(&self, service: &str, item: &str) -> Result<Euro, String> {
        let target = self
            .items
            .iter()
            .find(|i| i.service == service && i.code == item)
            .ok_or_else(|| format!("la voce {service} «{item}» non è nel listino"))?;
        target
            .components
            .iter()
            .find_map(|c| match &c.price {
                Some(Price::PerUnit {
                    amount,
                    unit: Unit::Day,
                }) => Some(*amount),
                _ => None,
            })
            .ok_or_else(|| format!("la voce {service} «{item}» non ha una tariffa a giornata"))
    }

    /// The items of a service, the first being its main one.
    pub fn items_of<'a>(&'a self, service: &'a str) -> impl Iterator<Item = &'a PriceItem> + 'a {
        self.items.iter().filter(move |i| i.service == service)
    }

    /// `item`, or the service's main item.
    pub fn item(&self, service: &str, item: Option<&str>) -> Result<&PriceItem, FeeError> {
        let mut items = self.items.iter().filter(|i| i.service == service);
        let first = items
            .next()
            .ok_or_else(|| FeeError::NoService(service.to_owned()))?;
        match item {
            None => Ok(first),
            Some(code) if first.code == code => Ok(first),
            Some(code) => items
                .find(|i| i.code == code)
                .ok_or_else(|| FeeError::NoItem(service.to_owned(), code.to_owned())),
        }
    }
}

/// What a quote is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuoteInput<'a> {
    pub service: &'a str,
    /// `None`: the service's main item.
    pub item: Option<&'a str>,
    /// Units bought (workstations, users, GB, …); per-inhabitant prices use `population`.
    pub quantity: u32,
    pub population: Option<u32>,
    pub activation: NaiveDate,
    /// The calendar year whose amount is wanted.
    pub year: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub service: String,
    pub item: String,
    pub item_label: String,
    /// 1 = the activation year.
    pub service_year: u32,
    pub amount: Euro,
    pub lines: Vec<FeeLine>,
    /// Some part is priced only after an assessment.
    pub on_quotation: bool,
}

/// The date whose price list applies to `year` for a service activated on `activation`: the
/// activation date in the activation year, 1 January afterwards.
pub fn pricing_date(activation: NaiveDate, year: i32) -> NaiveDate {
    if year <= activation.year() {
        activation
    } else {
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(activation)
    }
}

fn days_in_year(year: i32) -> i64 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    }
}

/// `amount × num / den`, rounded half up to the cent.
fn share(amount: Euro, num: i64, den: i64) -> Result<Euro, FeeError> {
    let v = (i128::from(amount.cents()) * i128::from(num) * 2 + i128::from(den))
        / (2 * i128::from(den));
    i64::try_from(v)
        .map(Euro::from_cents)
        .map_err(|_| FeeError::Overflow)
}

fn mul(amount: Euro, n: u64) -> Result<Euro, FeeError> {
    i64::try_from(n)
        .ok()
        .and_then(|n| amount.checked_mul(n))
        .ok_or(FeeError::Overflow)
}

fn ordinal(n: u32) -> String {
    format!("{n}°")
}

/// The amount of one component for one service year, with the line that explains it.
fn price_amount(
    list: &PriceList,
    price: &Price,
    input: &QuoteInput<'_>,
) -> Result<(Euro, String), FeeError> {
    let units = |unit: Unit| -> Result<u64, FeeError> {
        match unit {
            Unit::Inhabitant => input
                .population
                .map(u64::from)
                .ok_or(FeeError::NoPopulation),
            _ => Ok(u64::from(input.quantity)),
        }
    };
    match price {
        Price::Flat { amount } => Ok((*amount, format!("{amount}"))),
        Price::PerUnit { amount, unit } => {
            let n = units(*unit)?;
            let total = mul(*amount, n)?;
            Ok((total, format!("{} × {amount} = {total}", unit.count(n))))
        }
        Price::PerBlock {
            amount,
            unit,
            block,
        } => {
            let n = units(*unit)?;
            let blocks = n.div_ceil(u64::from(*block));
            let total = mul(*amount, blocks)?;
            Ok((
                total,
                format!(
                    "{} = {blocks} {} da {} × {amount} = {total}",
                    unit.count(n),
                    if blocks == 1 { "blocco" } else { "blocchi" },
                    unit.count(u64::from(*block)),
                ),
            ))
        }
        Price::Bands { unit, bands } => {
            let n = units(*unit)?;
            let band = bands
                .iter()
                .find(|b| u64::from(b.from) <= n && b.to.is_none_or(|t| n <= u64::from(t)))
                .ok_or_else(|| invalid(format!("nessuna fascia per {}", unit.count(n))))?;
            let range = match band.to {
                Some(to) => format!("{}–{}", thousands(band.from.into()), thousands(to.into())),
                None => format!(
                    "oltre {}",
                    thousands(u64::from(band.from).saturating_sub(1))
                ),
            };
            Ok((
                band.amount,
                format!(
                    "{}: fascia {range} {} = {}",
                    unit.count(n),
                    unit.names().1,
                    band.amount
                ),
            ))
        }
        Price::Tiers {
            unit,
            tiers,
            flat_above,
            flat_amount,
            cap,
        } => {
            let n = units(*unit)?;
            if let (Some(above), Some(flat)) = (flat_above, flat_amount) {
                if n > u64::from(*above) {
                    return Ok((
                        *flat,
                        format!(
                            "{}: oltre {} importo fisso {flat}",
                            unit.count(n),
                            unit.count(u64::from(*above))
                        ),
                    ));
                }
            }
            let mut parts = Vec::new();
            let mut total = Euro::ZERO;
            let mut below = 0u64;
            for t in tiers {
                if n <= below {
                    break;
                }
                let k = n.min(u64::from(t.up_to)) - below;
                let a = mul(t.rate, k)?;
                parts.push(format!("{} × {} = {a}", unit.count(k), t.rate));
                total = total.checked_add(a).ok_or(FeeError::Overflow)?;
                below = u64::from(t.up_to);
            }
            if n > below {
                // Above the last tier with no flat amount: the last rate goes on.
                let last = tiers.last().map_or(Euro::ZERO, |t| t.rate);
                let a = mul(last, n - below)?;
                parts.push(format!("{} × {last} = {a}", unit.count(n - below)));
                total = total.checked_add(a).ok_or(FeeError::Overflow)?;
            }
            let mut text = parts.join("; ");
            if let Some(c) = cap {
                if total > *c {
                    text.push_str(&format!("; totale {total} oltre il tetto: {c}"));
                    total = *c;
                }
            }
            Ok((total, text))
        }
        Price::DaysOf {
            service,
            item,
            days,
            per_quantity,
        } => {
            let rate = list.day_rate(service, item).map_err(invalid)?;
            let n = u64::from(*days)
                * if *per_quantity {
                    u64::from(input.quantity)
                } else {
                    1
                };
            let total = mul(rate, n)?;
            Ok((
                total,
                format!(
                    "{} × {rate} ({service} «{item}») = {total}",
                    Unit::Day.count(n)
                ),
            ))
        }
    }
}

/// The amount of one item of `list` for `input.year`, line by line.
pub fn quote(list: &PriceList, input: &QuoteInput<'_>) -> Result<Quote, FeeError> {
    let item = list.item(input.service, input.item)?;
    let first = input.activation.year();
    if input.year < first {
        return Err(FeeError::BeforeActivation {
            activation: kernel::time::display_date(input.activation),
            year: input.year,
        });
    }
    let service_year = u32::try_from(input.year - first + 1).map_err(|_| FeeError::Overflow)?;
    let mut lines = Vec::with_capacity(item.components.len());
    let mut on_quotation = false;
    for c in &item.components {
        let label = &c.label;
        let line = |text: String, amount: Euro| FeeLine { text, amount };
        match c.when {
            When::Included => lines.push(line(
                format!("{label}: compreso nella quota associativa annua"),
                Euro::ZERO,
            )),
            When::Free => lines.push(line(
                format!("{label}: nessun onere per l'ente"),
                Euro::ZERO,
            )),
            When::OnQuotation => {
                on_quotation = true;
                lines.push(line(
                    format!("{label}: su preventivo, dopo la verifica dei requisiti"),
                    Euro::ZERO,
                ));
            }
            When::OneOff => {
                let price = c.price.as_ref().ok_or_else(|| invalid("manca il prezzo"))?;
                if service_year == 1 {
                    let (a, text) = price_amount(list, price, input)?;
                    lines.push(line(format!("{label} (una tantum): {text}"), a));
                } else {
                    lines.push(line(
                        format!("{label} (una tantum): già addebitato nel {first}"),
                        Euro::ZERO,
                    ));
                }
            }
            When::Metered => {
                let price = c.price.as_ref().ok_or_else(|| invalid("manca il prezzo"))?;
                let (a, text) = price_amount(list, price, input)?;
                lines.push(line(format!("{label} (a consumo, stima): {text}"), a));
            }
            When::Yearly => {
                let price = c.price.as_ref().ok_or_else(|| invalid("manca il prezzo"))?;
                let span = match (c.from_year, c.until_year) {
                    (1, None) => "annuo".to_owned(),
                    (1, Some(1)) => "1° anno".to_owned(),
                    (f, None) => format!("annuo dal {} anno", ordinal(f)),
                    (f, Some(u)) if f == u => format!("{} anno", ordinal(f)),
                    (f, Some(u)) => format!("annuo dal {} al {} anno", ordinal(f), ordinal(u)),
                };
                let due =
                    service_year >= c.from_year && c.until_year.is_none_or(|u| service_year <= u);
                if !due {
                    lines.push(line(
                        format!(
                            "{label} ({span}): non dovuto nel {} anno di servizio",
                            ordinal(service_year)
                        ),
                        Euro::ZERO,
                    ));
                    continue;
                }
                let (a, text) = price_amount(list, price, input)?;
                if c.pro_rata && service_year == 1 {
                    let end = NaiveDate::from_ymd_opt(first, 12, 31).ok_or(FeeError::Overflow)?;
                    let days = (end - input.activation).num_days() + 1;
                    let year_days = days_in_year(first);
                    let part = share(a, days, year_days)?;
                    lines.push(line(
                        format!(
                            "{label} ({span}, in proporzione dal {}): {text}; × {days}/{year_days} giorni = {part}",
                            kernel::time::display_date(input.activation)
                        ),
                        part,
                    ));
                } else {
                    lines.push(line(format!("{label} ({span}): {text}"), a));
                }
            }
        }
    }
    let amount = lines
        .iter()
        .try_fold(Euro::ZERO, |acc, l| acc.checked_add(l.amount))
        .ok_or(FeeError::Overflow)?;
    Ok(Quote {
        service: item.service.clone(),
        item: item.code.clone(),
        item_label: item.label.clone(),
        service_year,
        amount,
        lines,
        on_quotation,
    })
}

/// A component's price in one Italian phrase, for the service card: "€ 265,00 per postazione".
pub fn describe(c: &Component) -> String {
    let when = match c.when {
        When::OneOff => "una tantum".to_owned(),
        When::Yearly => match (c.from_year, c.until_year) {
            (1, None) if c.pro_rata => "all'anno, in proporzione dall'attivazione".to_owned(),
            (1, None) => "all'anno".to_owned(),
            (1, Some(1)) => "il 1° anno".to_owned(),
            (f, None) => format!("all'anno dal {} anno", ordinal(f)),
            (f, Some(u)) => format!("all'anno dal {} al {} anno", ordinal(f), ordinal(u)),
        },
        When::Metered => "a consumo".to_owned(),
        When::Included => return "compreso nella quota associativa".to_owned(),
        When::Free => return "gratuito".to_owned(),
        When::OnQuotation => return "su preventivo".to_owned(),
    };
    let price = match &c.price {
        None => String::new(),
        Some(Price::Flat { amount }) => amount.to_string(),
        Some(Price::PerUnit { amount, unit }) => format!("{amount} per {}", unit.names().0),
        Some(Price::PerBlock {
            amount,
            unit,
            block,
        }) => format!("{amount} ogni {}", unit.count(u64::from(*block))),
        Some(Price::Bands { unit, bands }) => format!(
            "da {} a {} secondo {} fasce di {}",
            bands.iter().map(|b| b.amount).min().unwrap_or_default(),
            bands.iter().map(|b| b.amount).max().unwrap_or_default(),
            bands.len(),
            match unit {
                Unit::Inhabitant => "popolazione",
                other => other.names().1,
            }
        ),
        Some(Price::Tiers { tiers, unit, .. }) => format!(
            "a scaglioni ({} scaglioni per {})",
            tiers.len(),
            unit.names().0
        ),
        Some(Price::DaysOf {
            service,
            item,
            days,
            per_quantity,
        }) => format!(
            "{}{} alla tariffa di {service} «{item}»",
            Unit::Day.count(u64::from(*days)),
            if *per_quantity { " per unità" } else { "" }
        ),
    };
    format!("{price} {when}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::padova;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn e(s: &str) -> Euro {
        Euro::parse(s).unwrap()
    }

    fn q(
        list: &PriceList,
        service: &str,
        item: Option<&str>,
        quantity: u32,
        activation: &str,
        year: i32,
    ) -> Quote {
        quote(
            list,
            &QuoteInput {
                service,
                item,
                quantity,
                population: Some(7_500),
                activation: d(activation),
                year,
            },
        )
        .unwrap()
    }

    fn amount(
        service: &str,
        item: Option<&str>,
        quantity: u32,
        activation: &str,
        year: i32,
    ) -> Euro {
        q(
            &padova::price_list().unwrap(),
            service,
            item,
            quantity,
            activation,
            year,
        )
        .amount
    }

    #[test]
    fn the_padova_list_is_valid_and_covers_the_20_services() {
        let list = padova::price_list().unwrap();
        list.validate().unwrap();
        for n in 1..=20 {
            let code = format!("PD{n:02}");
            assert!(list.items_of(&code).next().is_some(), "{code}");
        }
        let cards = padova::services().unwrap();
        assert_eq!(cards.len(), 20);
        for c in &cards {
            assert!(c.check().is_empty(), "{}: {:?}", c.code, c.check());
        }
    }

    #[test]
    fn included_free_and_on_quotation_cost_nothing_now() {
        assert_eq!(amount("PD01", None, 1, "2026-03-01", 2026), Euro::ZERO);
        assert_eq!(amount("PD03", None, 1, "2026-03-01", 2026), Euro::ZERO);
        assert_eq!(amount("PD04", None, 1, "2026-03-01", 2026), Euro::ZERO);
        let hosting = q(
            &padova::price_list().unwrap(),
            "PD10",
            None,
            1,
            "2026-03-01",
            2026,
        );
        assert!(hosting.on_quotation);
        assert_eq!(hosting.amount, Euro::ZERO);
        assert!(
            hosting.lines[1].text.contains("su preventivo"),
            "{:?}",
            hosting.lines
        );
        assert!(q(
            &padova::price_list().unwrap(),
            "PD01",
            None,
            1,
            "2026-03-01",
            2026
        )
        .lines[0]
            .text
            .contains("compreso nella quota associativa"));
    }

    #[test]
    fn one_off_fees_are_charged_in_the_activation_year_only() {
        assert_eq!(
            amount("PD02", Some("prenotazioni"), 1, "2026-05-10", 2026),
            e("786")
        );
        assert_eq!(
            amount("PD02", Some("prenotazioni"), 1, "2026-05-10", 2027),
            Euro::ZERO
        );
        assert_eq!(amount("PD07", None, 1, "2026-05-10", 2026), e("200"));
        assert_eq!(amount("PD19", None, 1, "2026-05-10", 2026), e("1047"));
        assert_eq!(
            amount("PD11", Some("firma-businesskey"), 4, "2026-05-10", 2026),
            e("152")
        );
        assert_eq!(
            amount("PD11", Some("firma-remota"), 1, "2026-05-10", 2026),
            e("50")
        );
        assert_eq!(
            amount("PD11", Some("firma-rinnovo"), 2, "2026-05-10", 2026),
            e("26")
        );
    }

    #[test]
    fn yearly_from_the_second_year() {
        // PD06: € 2.000 una tantum, then € 150 a year from the second year.
        let first = q(
            &padova::price_list().unwrap(),
            "PD06",
            None,
            1,
            "2026-03-01",
            2026,
        );
        assert_eq!(first.amount, e("2000"));
        assert_eq!(first.service_year, 1);
        assert!(
            first.lines[1].text.contains("non dovuto nel 1° anno"),
            "{:?}",
            first.lines
        );
        assert_eq!(amount("PD06", None, 1, "2026-03-01", 2027), e("150"));
        assert_eq!(amount("PD06", None, 1, "2026-03-01", 2031), e("150"));
        // PD09, the example: 3 users activated 1 March 2026, year 2027.
        assert_eq!(amount("PD09", None, 3, "2026-03-01", 2026), e("795"));
        let y2 = q(
            &padova::price_list().unwrap(),
            "PD09",
            None,
            3,
            "2026-03-01",
            2027,
        );
        assert_eq!(y2.amount, e("600"));
        assert!(
            y2.lines[1].text.contains("3 utenti × € 200,00 = € 600,00"),
            "{:?}",
            y2.lines
        );
    }

    #[test]
    fn first_year_and_later_years_amounts() {
        assert_eq!(amount("PD16", None, 1, "2026-09-01", 2026), e("900"));
        assert_eq!(amount("PD16", None, 1, "2026-09-01", 2027), e("500"));
        assert_eq!(amount("PD16", None, 1, "2026-09-01", 2030), e("500"));
    }

    #[test]
    fn per_unit_per_block_and_metered() {
        assert_eq!(amount("PD13", None, 12, "2026-01-10", 2026), e("180"));
        assert_eq!(
            amount("PD13", Some("avanzato"), 12, "2026-01-10", 2026),
            e("300")
        );
        assert_eq!(amount("PD11", None, 4, "2026-01-10", 2026), e("30"));
        assert_eq!(
            amount("PD11", Some("pec-silver"), 1, "2026-01-10", 2026),
            e("15")
        );
        assert_eq!(
            amount("PD11", Some("pec-gold"), 1, "2026-01-10", 2026),
            e("22")
        );
        assert_eq!(
            amount("PD11", Some("pec-massiva"), 1, "2026-01-10", 2026),
            e("185")
        );
        assert_eq!(
            amount("PD11", Some("pec-spazio"), 3, "2026-01-10", 2026),
            e("12")
        );
        assert_eq!(
            amount("PD11", Some("pec-conservazione"), 2, "2026-01-10", 2026),
            e("196")
        );
        // 10 custom-domain PECs: € 60/yr per 10 + € 60 once; 11 mailboxes are two packs.
        assert_eq!(
            amount("PD11", Some("pec-dominio"), 10, "2026-01-10", 2026),
            e("120")
        );
        assert_eq!(
            amount("PD11", Some("pec-dominio"), 11, "2026-01-10", 2026),
            e("180")
        );
        assert_eq!(
            amount("PD11", Some("pec-dominio"), 11, "2026-01-10", 2027),
            e("120")
        );
        // PRO mailbox: € 30 per started block of 5 GB.
        let pro = q(
            &padova::price_list().unwrap(),
            "PD05",
            Some("posta-pro"),
            12,
            "2026-01-10",
            2026,
        );
        assert_eq!(pro.amount, e("90"));
        assert!(
            pro.lines[0]
                .text
                .contains("12 GB = 3 blocchi da 5 GB × € 30,00 = € 90,00"),
            "{:?}",
            pro.lines
        );
        // Lizard/GPE: € 300 to start, € 100 per 100 GB from the second year.
        assert_eq!(amount("PD08", None, 150, "2026-01-10", 2026), e("300"));
        assert_eq!(amount("PD08", None, 150, "2026-01-10", 2027), e("200"));
        assert_eq!(amount("PD12", None, 5, "2026-01-10", 2026), e("998"));
        assert_eq!(amount("PD12", None, 5, "2026-01-10", 2027), e("490"));
        assert_eq!(
            amount("PD12", Some("connettore"), 1, "2026-01-10", 2026),
            e("508")
        );
        let sms = q(
            &padova::price_list().unwrap(),
            "PD02",
            Some("sms"),
            1_000,
            "2026-01-10",
            2026,
        );
        assert_eq!(sms.amount, e("50"));
        assert!(sms.lines[0].text.contains("a consumo"), "{:?}", sms.lines);
        assert_eq!(
            amount("PD18", Some("hosting-remoto"), 24, "2026-01-10", 2026),
            e("480")
        );
        assert_eq!(amount("PD15", None, 5, "2026-01-10", 2026), e("1440"));
        assert_eq!(
            amount("PD15", Some("avanzato"), 5, "2026-01-10", 2026),
            e("1965")
        );
        assert_eq!(
            amount("PD09", Some("formazione"), 2, "2026-01-10", 2026),
            e("300")
        );
    }

    #[test]
    fn days_at_another_services_day_rate() {
        assert_eq!(amount("PD14", None, 1, "2026-01-10", 2026), e("1867"));
        assert_eq!(
            amount("PD14", Some("giornata-extra"), 2, "2026-01-10", 2026),
            e("786")
        );
        assert_eq!(amount("PD17", None, 1, "2026-01-10", 2026), e("981"));
        let upkeep = q(
            &padova::price_list().unwrap(),
            "PD17",
            None,
            1,
            "2026-01-10",
            2027,
        );
        assert_eq!(upkeep.amount, e("288"));
        assert!(
            upkeep.lines[1]
                .text
                .contains("1 giornata × € 288,00 (PD15 «base»)"),
            "{:?}",
            upkeep.lines
        );
        assert_eq!(amount("PD18", None, 1, "2026-01-10", 2026), e("1439"));
        assert_eq!(amount("PD18", None, 1, "2026-01-10", 2027), e("1152"));
        assert_eq!(amount("PD19", None, 1, "2026-01-10", 2027), e("576"));
        // The day rate is read from the list: a new rate moves every fee defined on it.
        let mut list = padova::price_list().unwrap();
        for i in &mut list.items {
            if i.service == "PD15" && i.code == "base" {
                i.components[0].price = Some(Price::PerUnit {
                    amount: e("300"),
                    unit: Unit::Day,
                });
            }
        }
        assert_eq!(
            q(&list, "PD19", None, 1, "2026-01-10", 2027).amount,
            e("600")
        );
    }

    #[test]
    fn the_provider_package_is_due_whole_whatever_the_activation_date() {
        assert_eq!(amount("PD05", None, 1, "2026-12-15", 2026), e("100"));
        assert_eq!(amount("PD05", None, 1, "2026-12-15", 2027), e("100"));
    }

    #[test]
    fn a_pro_rata_fee_counts_the_days_from_activation() {
        let mut list = padova::price_list().unwrap();
        for i in &mut list.items {
            if i.service == "PD05" && i.code == "pacchetto" {
                i.components[0].pro_rata = true;
            }
        }
        list.validate().unwrap();
        // 1 March to 31 December 2026: 306 days of 365; 100 × 306 / 365 = 83.835… → 83,84.
        let part = q(&list, "PD05", None, 1, "2026-03-01", 2026);
        assert_eq!(part.amount, e("83.84"));
        assert!(part.lines[0].text.contains("306/365"), "{:?}", part.lines);
        assert_eq!(
            q(&list, "PD05", None, 1, "2026-01-01", 2026).amount,
            e("100")
        );
        assert_eq!(
            q(&list, "PD05", None, 1, "2026-12-31", 2026).amount,
            e("0.27")
        );
        // Leap year: 1 March to 31 December 2028 is 306 of 366 days.
        assert_eq!(
            q(&list, "PD05", None, 1, "2028-03-01", 2028).amount,
            e("83.61")
        );
        // The following years are whole.
        assert_eq!(
            q(&list, "PD05", None, 1, "2026-03-01", 2027).amount,
            e("100")
        );
    }

    fn one_item(components: Vec<Component>) -> PriceList {
        PriceList {
            name: "prova".into(),
            valid_from: d("2026-01-01"),
            valid_to: None,
            items: vec![PriceItem {
                service: "X1".into(),
                code: "base".into(),
                label: "prova".into(),
                components,
            }],
        }
    }

    fn yearly(price: Price) -> Component {
        Component {
            label: "canone".into(),
            when: When::Yearly,
            from_year: 1,
            until_year: None,
            pro_rata: false,
            price: Some(price),
        }
    }

    fn quote_pop(list: &PriceList, quantity: u32, population: u32) -> Quote {
        quote(
            list,
            &QuoteInput {
                service: "X1",
                item: None,
                quantity,
                population: Some(population),
                activation: d("2026-01-01"),
                year: 2026,
            },
        )
        .unwrap()
    }

    fn lecco_web_bands() -> Price {
        // Lecco's web site by entity size: € 900 to € 2.000 a year.
        Price::Bands {
            unit: Unit::Inhabitant,
            bands: vec![
                crate::membership::Band {
                    from: 0,
                    to: Some(3_000),
                    amount: e("900"),
                },
                crate::membership::Band {
                    from: 3_001,
                    to: Some(10_000),
                    amount: e("1400"),
                },
                crate::membership::Band {
                    from: 10_001,
                    to: None,
                    amount: e("2000"),
                },
            ],
        }
    }

    #[test]
    fn population_bands() {
        let list = one_item(vec![yearly(lecco_web_bands())]);
        list.validate().unwrap();
        assert_eq!(quote_pop(&list, 1, 2_999).amount, e("900"));
        assert_eq!(quote_pop(&list, 1, 3_000).amount, e("900"));
        assert_eq!(quote_pop(&list, 1, 3_001).amount, e("1400"));
        let big = quote_pop(&list, 1, 50_000);
        assert_eq!(big.amount, e("2000"));
        assert!(
            big.lines[0]
                .text
                .contains("50.000 ab.: fascia oltre 10.000"),
            "{:?}",
            big.lines
        );
    }

    #[test]
    fn a_band_table_with_a_gap_or_an_overlap_is_refused() {
        let band = |from, to: Option<u32>, a| crate::membership::Band {
            from,
            to,
            amount: e(a),
        };
        let gap = one_item(vec![yearly(Price::Bands {
            unit: Unit::Inhabitant,
            bands: vec![band(0, Some(1000), "1"), band(1002, None, "2")],
        })]);
        let err = gap.validate().unwrap_err().to_string();
        assert!(err.contains("manca la fascia per 1001 abitanti"), "{err}");
        let overlap = one_item(vec![yearly(Price::Bands {
            unit: Unit::Inhabitant,
            bands: vec![band(0, Some(1000), "1"), band(900, None, "2")],
        })]);
        let err = overlap.validate().unwrap_err().to_string();
        assert!(err.contains("si sovrappongono"), "{err}");
    }

    fn tiers(cap: Option<&str>) -> Price {
        Price::Tiers {
            unit: Unit::Inhabitant,
            tiers: vec![
                Tier {
                    up_to: 5_000,
                    rate: e("0.20"),
                },
                Tier {
                    up_to: 10_000,
                    rate: e("0.10"),
                },
            ],
            flat_above: None,
            flat_amount: None,
            cap: cap.map(e),
        }
    }

    #[test]
    fn marginal_tiers_with_a_cap() {
        let list = one_item(vec![yearly(tiers(Some("1200")))]);
        list.validate().unwrap();
        let t = quote_pop(&list, 1, 7_500);
        assert_eq!(t.amount, e("1200"));
        assert!(
            t.lines[0]
                .text
                .contains("5.000 ab. × € 0,20 = € 1.000,00; 2.500 ab. × € 0,10 = € 250,00"),
            "{:?}",
            t.lines
        );
        assert!(t.lines[0].text.contains("tetto"), "{:?}", t.lines);
        assert_eq!(quote_pop(&list, 1, 4_000).amount, e("800"));
        // Without a cap, above the last tier the last rate goes on.
        let open = one_item(vec![yearly(tiers(None))]);
        assert_eq!(quote_pop(&open, 1, 12_000).amount, e("1700"));
    }

    #[test]
    fn bad_components_are_refused_with_the_reason() {
        let mut no_price = yearly(Price::Flat { amount: e("1") });
        no_price.price = None;
        assert!(one_item(vec![no_price])
            .validate()
            .unwrap_err()
            .to_string()
            .contains("manca il prezzo"));
        let mut priced_free = yearly(Price::Flat { amount: e("1") });
        priced_free.when = When::Free;
        assert!(one_item(vec![priced_free]).validate().is_err());
        let mut backwards = yearly(Price::Flat { amount: e("1") });
        backwards.from_year = 3;
        backwards.until_year = Some(2);
        assert!(one_item(vec![backwards])
            .validate()
            .unwrap_err()
            .to_string()
            .contains("precede"));
        let dangling = yearly(Price::DaysOf {
            service: "PD15".into(),
            item: "base".into(),
            days: 2,
            per_quantity: false,
        });
        let err = one_item(vec![dangling]).validate().unwrap_err().to_string();
        assert!(err.contains("PD15 «base» non è nel listino"), "{err}");
        let zero_block = yearly(Price::PerBlock {
            amount: e("1"),
            unit: Unit::Gb,
            block: 0,
        });
        assert!(one_item(vec![zero_block]).validate().is_err());
    }

    #[test]
    fn a_quote_before_activation_or_for_an_unknown_item_is_refused() {
        let list = padova::price_list().unwrap();
        let input = QuoteInput {
            service: "PD06",
            item: None,
            quantity: 1,
            population: None,
            activation: d("2027-02-01"),
            year: 2026,
        };
        assert!(matches!(
            quote(&list, &input),
            Err(FeeError::BeforeActivation { .. })
        ));
        let unknown = QuoteInput {
            service: "PD99",
            year: 2027,
            ..input
        };
        assert_eq!(
            quote(&list, &unknown).unwrap_err(),
            FeeError::NoService("PD99".into())
        );
        let no_item = QuoteInput {
            item: Some("oro"),
            year: 2027,
            ..input
        };
        assert_eq!(
            quote(&list, &no_item).unwrap_err(),
            FeeError::NoItem("PD06".into(), "oro".into())
        );
    }

    #[test]
    fn the_list_round_trips_as_json() {
        let list = padova::price_list().unwrap();
        let json = serde_json::to_string(&list).unwrap();
        assert_eq!(serde_json::from_str::<PriceList>(&json).unwrap(), list);
    }

    #[test]
    fn the_pricing_date_is_the_activation_then_new_year() {
        assert_eq!(pricing_date(d("2026-03-01"), 2026), d("2026-03-01"));
        assert_eq!(pricing_date(d("2026-03-01"), 2027), d("2027-01-01"));
    }

    proptest! {
        #[test]
        fn marginal_tier_fees_never_decrease(p in 0u32..2_000_000) {
            let list = one_item(vec![yearly(tiers(Some("1200")))]);
            prop_assert!(quote_pop(&list, 1, p).amount <= quote_pop(&list, 1, p + 1).amount);
        }

        #[test]
        fn every_population_falls_in_exactly_one_band(p in 0u32..5_000_000) {
            let list = one_item(vec![yearly(lecco_web_bands())]);
            let Price::Bands { bands, .. } = lecco_web_bands() else { unreachable!() };
            let n = bands.iter().filter(|b| b.from <= p && b.to.is_none_or(|t| p <= t)).count();
            prop_assert_eq!(n, 1);
            prop_assert!(quote_pop(&list, 1, p).amount >= e("900"));
        }

        #[test]
        fn quotes_add_up_their_lines(n in 0u32..100_000, year in 2020i32..2040) {
            let list = padova::price_list().unwrap();
            for item in &list.items {
                let r = quote(&list, &QuoteInput {
                    service: &item.service,
                    item: Some(&item.code),
                    quantity: n,
                    population: Some(n),
                    activation: d("2020-06-15"),
                    year,
                }).unwrap();
                let sum = r.lines.iter().fold(Euro::ZERO, |a, l| a + l.amount);
                prop_assert_eq!(sum, r.amount);
                prop_assert!(r.amount >= Euro::ZERO);
            }
        }

        #[test]
        fn pro_rata_never_exceeds_the_whole_year(day in 0u64..366) {
            let mut c = yearly(Price::Flat { amount: e("1867") });
            c.pro_rata = true;
            let list = one_item(vec![c]);
            let start = d("2028-01-01").checked_add_days(chrono::Days::new(day)).unwrap();
            let r = quote(&list, &QuoteInput {
                service: "X1", item: None, quantity: 1, population: None,
                activation: start, year: 2028,
            }).unwrap();
            prop_assert!(r.amount <= e("1867"));
            prop_assert!(r.amount > Euro::ZERO);
        }
    }
}
