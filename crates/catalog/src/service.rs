//! The service catalogue: what a centre sells, each service with its card (*scheda servizio*).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Base,
    Intermediate,
    Advanced,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Base, Category::Intermediate, Category::Advanced];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Base => "base",
            Category::Intermediate => "intermediate",
            Category::Advanced => "advanced",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Base => "Base",
            Category::Intermediate => "Intermedio",
            Category::Advanced => "Avanzato",
        }
    }

    /// The heading of the category's services: "Servizi intermedi".
    pub fn heading(self) -> &'static str {
        match self {
            Category::Base => "Servizi base",
            Category::Intermediate => "Servizi intermedi",
            Category::Advanced => "Servizi avanzati",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Working,
    Calendar,
}

/// "Within N working (or calendar) days of the request."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryTime {
    pub days: u32,
    pub kind: DayKind,
}

impl DeliveryTime {
    pub fn label(self) -> String {
        let kind = match self.kind {
            DayKind::Working => "lavorativi",
            DayKind::Calendar => "di calendario",
        };
        let days = if self.days == 1 { "giorno" } else { "giorni" };
        let kind = if self.days == 1 {
            kind.trim_end_matches('i').to_owned() + "o"
        } else {
            kind.to_owned()
        };
        format!("entro {} {days} {kind}", self.days)
    }
}

/// A catalogue service and its card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceCard {
    /// Unique, upper case: `PD09`.
    pub code: String,
    pub name: String,
    pub category: Category,
    pub description: String,
    /// How it is requested.
    #[serde(default)]
    pub request: String,
    /// How it is delivered.
    #[serde(default)]
    pub delivery: String,
    #[serde(default)]
    pub included: String,
    #[serde(default)]
    pub excluded: String,
    #[serde(default)]
    pub delivery_time: Option<DeliveryTime>,
    #[serde(default)]
    pub prerequisites: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

pub use members::FieldError;

/// `PD09`, `WEB-2`: 2 to 16 upper-case letters, digits, `-` or `_`, starting with a letter.
pub fn valid_code(code: &str) -> bool {
    (2..=16).contains(&code.len())
        && code.starts_with(|c: char| c.is_ascii_uppercase())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

impl ServiceCard {
    /// Every problem of the card, so a form can show them all at once.
    pub fn check(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut err = |field: &str, message: &str| errors.push(FieldError::new(field, message));
        if !valid_code(&self.code) {
            err(
                "code",
                "codice non valido: da 2 a 16 lettere maiuscole, cifre, - o _, iniziando con una lettera (es. PD09)",
            );
        }
        if self.name.trim().is_empty() {
            err("name", "il nome è obbligatorio");
        } else if self.name.chars().count() > 200 {
            err("name", "il nome supera i 200 caratteri");
        }
        if self.description.trim().is_empty() {
            err("description", "la descrizione è obbligatoria");
        }
        if let Some(t) = self.delivery_time {
            if !(1..=365).contains(&t.days) {
                err("delivery_time", "i giorni di consegna vanno da 1 a 365");
            }
        }
        for (field, v) in [
            ("description", &self.description),
            ("request", &self.request),
            ("delivery", &self.delivery),
            ("included", &self.included),
            ("excluded", &self.excluded),
            ("prerequisites", &self.prerequisites),
        ] {
            if v.chars().count() > 5_000 {
                err(field, "il testo supera i 5.000 caratteri");
            }
        }
        errors
    }
}

/// The Padova catalogue (seed 000): the reference data set. See `data/catalog/README.md`.
pub mod padova {
    use super::ServiceCard;
    use crate::fees::PriceList;

    pub const SERVICES_JSON: &str = include_str!("../../../data/catalog/padova-servizi.json");
    pub const PRICE_LIST_JSON: &str =
        include_str!("../../../data/catalog/padova-listino-2020.json");

    /// The 20 cards (the tests check that the shipped file parses).
    pub fn services() -> Result<Vec<ServiceCard>, serde_json::Error> {
        serde_json::from_str(SERVICES_JSON)
    }

    pub fn price_list() -> Result<PriceList, serde_json::Error> {
        serde_json::from_str(PRICE_LIST_JSON)
    }
}
