//! The centre's billing settings: its letterhead and fiscal data (the *cedente* of its
//! e-invoices), VAT per price-list item, payment terms, and the rates work is billed at.
//! Kept as one JSON document (one row), validated whole before it is stored.

use chrono::{Datelike, NaiveDate};
use kernel::{Euro, FieldError};
use serde::{Deserialize, Serialize};

use crate::vat::{check_natura, Vat};

/// The centre, as it appears on statements and e-invoices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Centre {
    pub name: String,
    /// Partita IVA, 11 digits.
    pub vat_number: String,
    /// Codice fiscale (11 digits for a body); the transmitter id of its e-invoices.
    pub fiscal_code: String,
    pub address: String,
    pub postal_code: String,
    pub town: String,
    /// Two-letter sigla.
    pub province: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub pec: String,
    #[serde(default)]
    pub phone: String,
    /// Where payments go: an Italian IBAN.
    pub iban: String,
    /// RF01 (ordinary) unless the centre says otherwise.
    #[serde(default = "rf01")]
    pub tax_regime: String,
}

fn rf01() -> String {
    "RF01".into()
}

/// When a statement is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DueRule {
    /// A fixed day of the statement's year (Macerata: 31 January; Pesaro: 31 October); a
    /// statement issued after it is due `days` later.
    FixedDate { month: u32, day: u32, days: u32 },
    /// A number of days after issue.
    DaysAfterIssue { days: u32 },
}

impl DueRule {
    /// The due date of a statement of `year` issued on `issued`.
    pub fn due(&self, year: i32, issued: NaiveDate) -> NaiveDate {
        let later = |days: u32| issued + chrono::Duration::days(i64::from(days));
        match *self {
            DueRule::FixedDate { month, day, days } => {
                match NaiveDate::from_ymd_opt(year, month, day) {
                    Some(d) if d >= issued => d,
                    _ => later(days),
                }
            }
            DueRule::DaysAfterIssue { days } => later(days),
        }
    }

    /// In Italian, for the statement: "entro il 31/01/2027".
    pub fn describe(&self) -> String {
        match self {
            DueRule::FixedDate { month, day, days } => {
                format!("entro il {day:02}/{month:02} dell'anno (o {days} giorni dall'emissione, se successiva)")
            }
            DueRule::DaysAfterIssue { days } => format!("a {days} giorni dall'emissione"),
        }
    }
}

/// The VAT of one item (or of every item of a service when `item` is absent). The service
/// codes `_quota`, `_lavoro`, `_progetto` and `_formazione` name the membership fee, work,
/// projects and training courses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VatRule {
    pub service: String,
    #[serde(default)]
    pub item: Option<String>,
    /// The rate as a decimal string (`"22"`, `"10"`), or absent with `natura`.
    #[serde(default)]
    pub rate: Option<String>,
    #[serde(default)]
    pub natura: Option<String>,
    /// The law that makes it not taxable (required with `natura`).
    #[serde(default)]
    pub reference: Option<String>,
}

/// Every billing setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingSettings {
    pub centre: Centre,
    pub due: DueRule,
    /// Public bodies pay the VAT to the Treasury (art. 17-ter DPR 633/1972).
    #[serde(default = "yes")]
    pub split_payment: bool,
    #[serde(default)]
    pub vat_rules: Vec<VatRule>,
    /// The price-list item whose day rate bills work (`PD15`/`base`).
    pub work_service: String,
    pub work_item: String,
    /// Per on-site visit not included in the support profile; absent: not charged.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub call_out_fee: Option<Euro>,
    /// How services renew, for the deadlines calendar.
    #[serde(default = "crate::deadlines::padova_renewals")]
    pub renewals: Vec<crate::deadlines::RenewalRule>,
    /// Days before a deadline its reminder is sent, by kind (`agreement`, `payment`…); a kind
    /// not named keeps its default (90 for agreements, 30 for renewals, 7 for payments…).
    #[serde(default)]
    pub reminder_days: std::collections::BTreeMap<String, u32>,
}

fn yes() -> bool {
    true
}

impl Default for BillingSettings {
    fn default() -> Self {
        Self {
            centre: Centre {
                tax_regime: rf01(),
                ..Centre::default()
            },
            due: DueRule::DaysAfterIssue { days: 30 },
            split_payment: true,
            vat_rules: vec![],
            work_service: "PD15".into(),
            work_item: "base".into(),
            call_out_fee: None,
            renewals: crate::deadlines::padova_renewals(),
            reminder_days: Default::default(),
        }
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// A rate as a decimal string (`22`, `22.00`, `4,5`) in hundredths, 0–100%.
pub fn parse_rate(s: &str) -> Option<u32> {
    let t = s.trim().trim_end_matches('%').trim().replace(',', ".");
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if int.is_empty()
        || frac.len() > 2
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: u32 = int.parse().ok()?;
    let mut f: u32 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    if frac.len() == 1 {
        f *= 10;
    }
    let h = whole.checked_mul(100)?.checked_add(f)?;
    (h <= 10_000).then_some(h)
}

impl BillingSettings {
    /// Every problem, by field (`centre.vat_number`, `vat_rules[2].natura`…).
    pub fn check(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        let mut bad = |f: &str, m: String| out.push(FieldError::new(f, m));
        let c = &self.centre;
        if c.name.trim().is_empty() || c.name.chars().count() > 80 {
            bad(
                "centre.name",
                "la denominazione del centro è obbligatoria (al più 80 caratteri)".into(),
            );
        }
        if !c.vat_number.is_empty() && kernel::codes::TaxCode::parse(&c.vat_number).is_err() {
            bad(
                "centre.vat_number",
                "partita IVA non valida: 11 cifre, l'ultima di controllo".into(),
            );
        }
        if !c.fiscal_code.is_empty() && kernel::codes::TaxCode::parse(&c.fiscal_code).is_err() {
            bad(
                "centre.fiscal_code",
                "codice fiscale non valido: 11 cifre, l'ultima di controllo".into(),
            );
        }
        if !c.postal_code.is_empty() && !digits(&c.postal_code, 5) {
            bad("centre.postal_code", "il CAP ha 5 cifre".into());
        }
        let sigla = c.province.len() == 2 && c.province.bytes().all(|b| b.is_ascii_uppercase());
        if !c.province.is_empty() && !sigla {
            bad(
                "centre.province",
                "la provincia è la sigla di due lettere maiuscole (PD)".into(),
            );
        }
        let iban: String = c.iban.split_whitespace().collect();
        if !iban.is_empty() && !valid_iban(&iban) {
            bad(
                "centre.iban",
                "IBAN non valido: controllare le cifre (IT e 25 caratteri)".into(),
            );
        }
        if !["RF01", "RF02", "RF04", "RF18", "RF19"].contains(&c.tax_regime.as_str()) {
            bad(
                "centre.tax_regime",
                "regime fiscale non previsto: usare RF01 (ordinario)".into(),
            );
        }
        match self.due {
            DueRule::FixedDate { month, day, days } => {
                if NaiveDate::from_ymd_opt(2025, month, day).is_none() {
                    bad("due", format!("il {day:02}/{month:02} non è una data"));
                }
                if days == 0 || days > 365 {
                    bad("due.days", "i giorni vanno da 1 a 365".into());
                }
            }
            DueRule::DaysAfterIssue { days } => {
                if days == 0 || days > 365 {
                    bad("due.days", "i giorni vanno da 1 a 365".into());
                }
            }
        }
        for (i, r) in self.vat_rules.iter().enumerate() {
            let f = |name: &str| format!("vat_rules[{i}].{name}");
            if r.service.trim().is_empty() {
                bad(
                    &f("service"),
                    "indicare il servizio (o _quota, _lavoro, _progetto, _formazione)".into(),
                );
            }
            match (&r.rate, &r.natura) {
                (Some(rate), None) => {
                    if parse_rate(rate).is_none() {
                        bad(
                            &f("rate"),
                            format!("aliquota «{rate}» non valida: ad esempio 22"),
                        );
                    }
                }
                (None, Some(n)) => {
                    if let Err(m) = check_natura(n) {
                        bad(&f("natura"), m);
                    }
                    if r.reference.as_deref().is_none_or(|s| s.trim().is_empty()) {
                        bad(
                            &f("reference"),
                            "indicare la norma per cui non è imponibile".into(),
                        );
                    }
                }
                _ => bad(
                    &f("rate"),
                    "indicare l'aliquota oppure la natura, non entrambe".into(),
                ),
            }
        }
        if self.work_service.trim().is_empty() || self.work_item.trim().is_empty() {
            bad(
                "work_service",
                "indicare la voce del listino con la tariffa a giornata".into(),
            );
        }
        for (i, r) in self.renewals.iter().enumerate() {
            if r.service.trim().is_empty() || r.label.trim().is_empty() {
                bad(
                    &format!("renewals[{i}].service"),
                    "indicare il servizio e che cosa si rinnova".into(),
                );
            }
            if r.months == 0 || r.months > 120 {
                bad(
                    &format!("renewals[{i}].months"),
                    "ogni quanti mesi: da 1 a 120".into(),
                );
            }
        }
        for (k, days) in &self.reminder_days {
            if crate::deadlines::Kind::parse(k).is_none() {
                bad(
                    "reminder_days",
                    format!("tipo di scadenza «{k}» sconosciuto"),
                );
            } else if *days > 365 {
                bad(
                    "reminder_days",
                    format!("{k}: al più 365 giorni di preavviso"),
                );
            }
        }
        if self.call_out_fee.is_some_and(|f| f < Euro::ZERO) {
            bad(
                "call_out_fee",
                "il diritto di chiamata non può essere negativo".into(),
            );
        }
        out
    }

    /// What an e-invoice needs of the centre and is missing, in Italian.
    pub fn missing_for_invoices(&self) -> Vec<&'static str> {
        let c = &self.centre;
        let mut out = Vec::new();
        if c.vat_number.is_empty() {
            out.push("la partita IVA del centro");
        }
        if c.fiscal_code.is_empty() {
            out.push("il codice fiscale del centro");
        }
        if c.address.is_empty() || c.postal_code.is_empty() || c.town.is_empty() {
            out.push("l'indirizzo del centro");
        }
        if c.iban.is_empty() {
            out.push("l'IBAN del centro");
        }
        out
    }

    /// Days before a deadline of `kind` its reminder is sent.
    pub fn reminder_days_for(&self, kind: crate::deadlines::Kind) -> u32 {
        self.reminder_days
            .get(kind.code())
            .copied()
            .unwrap_or_else(|| kind.default_reminder_days())
    }

    /// The VAT of a line of `service`/`item`: the item's rule, else the service's, else 22%.
    pub fn vat_for(&self, service: &str, item: &str) -> Vat {
        let rule = self
            .vat_rules
            .iter()
            .find(|r| r.service == service && r.item.as_deref() == Some(item))
            .or_else(|| {
                self.vat_rules
                    .iter()
                    .find(|r| r.service == service && r.item.is_none())
            });
        match rule {
            Some(VatRule {
                natura: Some(n),
                reference,
                ..
            }) => Vat::Exempt {
                natura: n.clone(),
                reference: reference.clone().unwrap_or_default(),
            },
            Some(VatRule { rate: Some(r), .. }) => Vat::Rate {
                hundredths: parse_rate(r).unwrap_or(2200),
            },
            _ => Vat::STANDARD,
        }
    }

    /// A plausible centre for the demo, so a new user can issue an e-invoice at once.
    pub fn demo() -> Self {
        Self {
            centre: Centre {
                name: "Provincia di Padova - Centro Servizi Territoriale".into(),
                vat_number: "00700440282".into(),
                fiscal_code: "80006510285".into(),
                address: "Piazza Antenore 3".into(),
                postal_code: "35121".into(),
                town: "Padova".into(),
                province: "PD".into(),
                email: "cst@provincia.padova.example".into(),
                pec: "cst@pec.provincia.padova.example".into(),
                phone: "049 8201111".into(),
                iban: "IT60X0542811101000000123456".into(),
                tax_regime: rf01(),
            },
            due: DueRule::FixedDate {
                month: 10,
                day: 31,
                days: 30,
            },
            split_payment: true,
            vat_rules: vec![VatRule {
                service: "_quota".into(),
                item: None,
                rate: None,
                natura: Some("N2.2".into()),
                reference: Some("Quota associativa fuori campo IVA (art. 4 DPR 633/1972)".into()),
            }],
            work_service: "PD15".into(),
            work_item: "base".into(),
            call_out_fee: Some(Euro::from_cents(3_000)),
            renewals: crate::deadlines::padova_renewals(),
            reminder_days: Default::default(),
        }
    }
}

/// ISO 13616 check of an IBAN (mod 97), Italian ones 27 characters.
pub fn valid_iban(iban: &str) -> bool {
    let s = iban.to_ascii_uppercase();
    if s.len() < 15 || s.len() > 34 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return false;
    }
    if s.starts_with("IT") && s.len() != 27 {
        return false;
    }
    let (head, tail) = s.split_at(4);
    let mut rem: u32 = 0;
    for b in tail.bytes().chain(head.bytes()) {
        let v = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// The statement year's first day, for due dates of a year not yet begun.
pub fn year_start(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()
}

/// The year of a day (re-exported for callers that hold only dates).
pub fn year_of(d: NaiveDate) -> i32 {
    d.year()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_demo_settings_are_valid_and_complete() {
        let s = BillingSettings::demo();
        assert_eq!(s.check(), vec![]);
        assert!(s.missing_for_invoices().is_empty());
        assert!(valid_iban("IT60X0542811101000000123456"));
        assert!(!valid_iban("IT60X0542811101000000123457"));
    }

    #[test]
    fn vat_follows_item_then_service_then_standard() {
        let mut s = BillingSettings::demo();
        s.vat_rules.push(VatRule {
            service: "PD11".into(),
            item: Some("pec-standard".into()),
            rate: Some("10".into()),
            natura: None,
            reference: None,
        });
        assert_eq!(
            s.vat_for("PD11", "pec-standard"),
            Vat::Rate { hundredths: 1000 }
        );
        assert_eq!(s.vat_for("PD11", "pec-gold"), Vat::STANDARD);
        assert!(matches!(s.vat_for("_quota", ""), Vat::Exempt { .. }));
    }

    #[test]
    fn bad_settings_are_named_by_field() {
        let mut s = BillingSettings::demo();
        s.centre.vat_number = "123".into();
        s.centre.iban = "IT00X0000000000000000000000".into();
        s.vat_rules[0].natura = Some("N2".into());
        s.due = DueRule::FixedDate {
            month: 2,
            day: 30,
            days: 30,
        };
        let fields: Vec<String> = s.check().into_iter().map(|f| f.field).collect();
        assert_eq!(
            fields,
            [
                "centre.vat_number",
                "centre.iban",
                "due",
                "vat_rules[0].natura"
            ]
        );
    }

    #[test]
    fn due_dates_follow_the_rhythm() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let macerata = DueRule::FixedDate {
            month: 1,
            day: 31,
            days: 30,
        };
        assert_eq!(macerata.due(2027, d(2027, 1, 5)), d(2027, 1, 31));
        assert_eq!(macerata.due(2026, d(2026, 12, 4)), d(2027, 1, 3));
        assert_eq!(
            DueRule::DaysAfterIssue { days: 30 }.due(2026, d(2026, 12, 4)),
            d(2027, 1, 3)
        );
        assert_eq!(parse_rate("22"), Some(2200));
        assert_eq!(parse_rate("4,5%"), Some(450));
        assert_eq!(parse_rate("101"), None);
    }
}
