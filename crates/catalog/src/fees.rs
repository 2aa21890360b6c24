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

mod quote;

use quote::ordinal;
pub use quote::{parts, pricing_date, quote, Part, Quote, QuoteInput};

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
mod tests;
