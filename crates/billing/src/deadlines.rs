//! The deadlines calendar (*scadenzario*, pure code): what kinds of deadline there are, how a
//! service's renewals recur, and the iCalendar text of a list of deadlines.
//!
//! Deadlines are made from what the platform knows — agreement ends, certificates, yearly
//! renewals of PEC, domains and licences, package years, the needs form, payment due dates —
//! and by hand. An automatic one is never stored: it is computed when read; "renewed" stores
//! a mark for its key and date, and the next occurrence follows from the rule.

use chrono::{Datelike, Months, NaiveDate};
use kernel::ical::{fold, text as ics_text};
use serde::{Deserialize, Serialize};

/// What a deadline is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Agreement,
    Certificate,
    Renewal,
    Package,
    Needs,
    Payment,
    Manual,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Agreement,
        Kind::Certificate,
        Kind::Renewal,
        Kind::Package,
        Kind::Needs,
        Kind::Payment,
        Kind::Manual,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Agreement => "agreement",
            Kind::Certificate => "certificate",
            Kind::Renewal => "renewal",
            Kind::Package => "package",
            Kind::Needs => "needs",
            Kind::Payment => "payment",
            Kind::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Italian, for pages and e-mails.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Agreement => "Fine della convenzione",
            Kind::Certificate => "Scadenza del certificato di firma",
            Kind::Renewal => "Rinnovo annuale",
            Kind::Package => "Fine del pacchetto",
            Kind::Needs => "Scheda dei fabbisogni",
            Kind::Payment => "Pagamento",
            Kind::Manual => "Scadenza aggiunta a mano",
        }
    }

    /// Days before a deadline its reminder is sent, unless the settings say otherwise.
    pub fn default_reminder_days(self) -> u32 {
        match self {
            Kind::Agreement => 90,
            Kind::Certificate | Kind::Renewal | Kind::Package => 30,
            Kind::Manual => 14,
            Kind::Needs | Kind::Payment => 7,
        }
    }
}

/// How a service renews: every `months` from its activation (36 for a signature certificate,
/// 12 for PEC and licences), or on 31 December each year (Padova's provider package).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewalRule {
    pub service: String,
    /// Only this item; absent: every item of the service.
    #[serde(default)]
    pub item: Option<String>,
    pub months: u32,
    /// Due on 31 December of each year instead of the activation's anniversary.
    #[serde(default)]
    pub year_end: bool,
    /// What is renewed, in Italian ("Caselle PEC").
    pub label: String,
}

impl RenewalRule {
    pub fn applies(&self, service: &str, item: &str) -> bool {
        self.service == service && self.item.as_deref().is_none_or(|i| i == item)
    }

    /// A certificate's expiry (36 months) rather than a yearly renewal.
    pub fn kind(&self) -> Kind {
        if self.months >= 36 {
            Kind::Certificate
        } else {
            Kind::Renewal
        }
    }

    /// The due dates in `[from, to]` of a service activated on `activation` and running
    /// until `end` (inclusive, `None` while running).
    pub fn occurrences(
        &self,
        activation: NaiveDate,
        end: Option<NaiveDate>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        if self.months == 0 {
            return out;
        }
        for k in 1..=200u32 {
            let due = if self.year_end {
                NaiveDate::from_ymd_opt(activation.year() + (k as i32 - 1), 12, 31)
            } else {
                activation.checked_add_months(Months::new(self.months * k))
            };
            let Some(due) = due else { break };
            if due > to || end.is_some_and(|e| due > e) {
                break;
            }
            if due >= from {
                out.push(due);
            }
        }
        out
    }
}

/// The Padova catalogue's renewals: PEC yearly, signature certificates after 3 years, the
/// provider package (domain, mailboxes) by 31 December, antivirus and GDPR-register licences
/// yearly.
pub fn padova_renewals() -> Vec<RenewalRule> {
    let rule = |service: &str, item: Option<&str>, months, year_end, label: &str| RenewalRule {
        service: service.into(),
        item: item.map(Into::into),
        months,
        year_end,
        label: label.into(),
    };
    vec![
        rule(
            "PD05",
            Some("pacchetto"),
            12,
            true,
            "Dominio, caselle e spazio web",
        ),
        rule("PD11", Some("pec-standard"), 12, false, "Caselle PEC"),
        rule("PD11", Some("pec-silver"), 12, false, "Caselle PEC"),
        rule("PD11", Some("pec-gold"), 12, false, "Caselle PEC"),
        rule("PD11", Some("pec-massiva"), 12, false, "Caselle PEC"),
        rule(
            "PD11",
            Some("pec-dominio"),
            12,
            false,
            "Dominio PEC personalizzato",
        ),
        rule(
            "PD11",
            Some("firma-businesskey"),
            36,
            false,
            "Certificati di firma digitale",
        ),
        rule(
            "PD11",
            Some("firma-rinnovo"),
            36,
            false,
            "Certificati di firma digitale",
        ),
        rule(
            "PD11",
            Some("firma-remota"),
            36,
            false,
            "Certificati di firma remota",
        ),
        rule("PD13", None, 12, false, "Licenze antivirus"),
        rule(
            "PD16",
            None,
            12,
            false,
            "Licenza del registro dei trattamenti",
        ),
    ]
}

/// One deadline, automatic or by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub date: NaiveDate,
    pub kind: Kind,
    /// What it is, unique with the date: `agreement:4`, `service:12:renewal`, `manual:3`.
    pub key: String,
    pub text: String,
    pub entity_id: Option<i64>,
    pub entity_name: String,
    /// Where it is read on a page.
    pub href: String,
    /// open | renewed | done
    pub state: &'static str,
}

/// The deadlines as an iCalendar file of all-day events; `stamp` is the feed's time
/// (`YYYYMMDDTHHMMSSZ`), `base` the site's address for the links.
pub fn ics(name: &str, deadlines: &[Deadline], stamp: &str, base: &str) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//cst//Scadenzario//IT",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        out.push_str(&fold(l));
    }
    out.push_str(&fold(&format!("X-WR-CALNAME:{}", ics_text(name))));
    for d in deadlines {
        let day = d.date.format("%Y%m%d");
        let next = (d.date + chrono::Duration::days(1)).format("%Y%m%d");
        let who = if d.entity_name.is_empty() {
            String::new()
        } else {
            format!("{}: ", d.entity_name)
        };
        out.push_str(&fold("BEGIN:VEVENT"));
        out.push_str(&fold(&format!(
            "UID:{}-{}@cst",
            d.key.replace(':', "-"),
            day
        )));
        out.push_str(&fold(&format!("DTSTAMP:{stamp}")));
        out.push_str(&fold(&format!("DTSTART;VALUE=DATE:{day}")));
        out.push_str(&fold(&format!("DTEND;VALUE=DATE:{next}")));
        out.push_str(&fold(&format!(
            "SUMMARY:{}",
            ics_text(&format!("{who}{} – {}", d.kind.label(), d.text))
        )));
        if !d.href.is_empty() {
            out.push_str(&fold(&format!("URL:{base}{}", d.href)));
        }
        out.push_str(&fold("TRANSP:TRANSPARENT"));
        out.push_str(&fold("END:VEVENT"));
    }
    out.push_str(&fold("END:VCALENDAR"));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn renewals_recur_from_the_activation_or_at_year_end() {
        let pec = &padova_renewals()[1];
        assert_eq!(
            pec.occurrences(d(2024, 3, 15), None, d(2026, 1, 1), d(2027, 12, 31)),
            [d(2026, 3, 15), d(2027, 3, 15)]
        );
        // A certificate lasts 3 years; a stopped service renews no more.
        let cert = padova_renewals()
            .into_iter()
            .find(|r| r.months == 36)
            .unwrap();
        assert_eq!(cert.kind(), Kind::Certificate);
        assert_eq!(
            cert.occurrences(d(2024, 2, 29), None, d(2026, 1, 1), d(2030, 12, 31)),
            [d(2027, 2, 28), d(2030, 2, 28)]
        );
        assert_eq!(
            pec.occurrences(
                d(2024, 3, 15),
                Some(d(2026, 1, 31)),
                d(2026, 1, 1),
                d(2027, 12, 31)
            ),
            Vec::<NaiveDate>::new()
        );
        let provider = &padova_renewals()[0];
        assert_eq!(
            provider.occurrences(d(2025, 6, 1), None, d(2025, 1, 1), d(2026, 12, 31)),
            [d(2025, 12, 31), d(2026, 12, 31)]
        );
    }

    #[test]
    fn the_feed_is_valid_icalendar() {
        let dl = Deadline {
            date: d(2027, 1, 31),
            kind: Kind::Payment,
            key: "statement:4".into(),
            text: "Rendiconto n. 2026/0004; € 1.250,00, da pagare".into(),
            entity_id: Some(4),
            entity_name: "Comune di Abano Terme".into(),
            href: "/statements/4".into(),
            state: "open",
        };
        let text = ics(
            "Scadenze di Giulia",
            &[dl],
            "20261204T120000Z",
            "https://cst.example.it",
        );
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20270131\r\n"));
        assert!(text.contains("DTEND;VALUE=DATE:20270201\r\n"));
        assert!(text.contains("UID:statement-4-20270131@cst\r\n"));
        assert!(text
            .replace("\r\n ", "")
            .contains("2026/0004\\; € 1.250\\,00"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
    }
}
