//! VAT of a statement (pure code): each line carries a rate or, for what is not taxable, a
//! specific *natura* code; the tax is computed per rate group on the group's sum, half up to
//! the cent (as the FatturaPA summary does), so the statement and its e-invoice agree.

use std::collections::BTreeMap;

use kernel::Euro;
use serde::{Deserialize, Serialize};

/// The VAT of a line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Vat {
    /// A rate in hundredths of a percent: 2200 = 22%.
    Rate { hundredths: u32 },
    /// Not taxable: a specific natura code (`N2.2`, `N4`…) and the law it rests on.
    Exempt { natura: String, reference: String },
}

impl Vat {
    pub const STANDARD: Vat = Vat::Rate { hundredths: 2200 };

    /// `22%`, `esente (N4)`.
    pub fn label(&self) -> String {
        match self {
            Vat::Rate { hundredths } if hundredths % 100 == 0 => format!("{}%", hundredths / 100),
            Vat::Rate { hundredths } => {
                format!("{},{:02}%", hundredths / 100, hundredths % 100)
            }
            Vat::Exempt { natura, .. } => {
                let what = match natura.get(..2).unwrap_or("") {
                    "N1" => "esclusa (art. 15)",
                    "N2" => "non soggetta",
                    "N3" => "non imponibile",
                    "N4" => "esente",
                    "N5" => "regime del margine",
                    "N6" => "inversione contabile",
                    _ => "senza IVA",
                };
                format!("{what} ({natura})")
            }
        }
    }
}

/// The natura codes SdI accepts. The generic N2, N3 and N6 have been refused since 2021.
pub const NATURE: [&str; 21] = [
    "N1", "N2.1", "N2.2", "N3.1", "N3.2", "N3.3", "N3.4", "N3.5", "N3.6", "N4", "N5", "N6.1",
    "N6.2", "N6.3", "N6.4", "N6.5", "N6.6", "N6.7", "N6.8", "N6.9", "N7",
];

/// Checks a natura code, saying why one is refused.
pub fn check_natura(code: &str) -> Result<(), String> {
    if NATURE.contains(&code) {
        return Ok(());
    }
    if matches!(code, "N2" | "N3" | "N6") {
        return Err(format!(
            "la natura generica {code} non è più accettata dal Sistema di Interscambio dal 2021: usare un codice specifico ({code}.1, {code}.2…)"
        ));
    }
    Err(format!(
        "natura «{code}» non valida: usare uno di {}",
        NATURE.join(", ")
    ))
}

/// One group of the VAT summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub vat: Vat,
    pub taxable: Euro,
    pub tax: Euro,
}

/// A statement's totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub net: Euro,
    pub vat: Euro,
    pub total: Euro,
    /// What the entity pays the centre: the total, less the VAT under split payment (the
    /// entity pays that VAT to the Treasury itself).
    pub payable: Euro,
    /// The sum of the lines without VAT (what the stamp duty depends on).
    pub exempt: Euro,
    pub groups: Vec<Group>,
}

/// `amount × hundredths / 10_000`, half up (away from zero) to the cent.
pub fn tax_of(amount: Euro, hundredths: u32) -> Euro {
    let n = i128::from(amount.cents()) * i128::from(hundredths);
    let half = if n < 0 { -5_000 } else { 5_000 };
    Euro::from_cents(((n + half) / 10_000) as i64)
}

/// The totals of lines given as (amount, VAT).
pub fn totals<'a>(lines: impl IntoIterator<Item = (Euro, &'a Vat)>, split_payment: bool) -> Totals {
    let mut by: BTreeMap<&Vat, Euro> = BTreeMap::new();
    for (amount, vat) in lines {
        let e = by.entry(vat).or_insert(Euro::ZERO);
        *e = *e + amount;
    }
    let mut t = Totals::default();
    for (vat, taxable) in by {
        let tax = match vat {
            Vat::Rate { hundredths } => tax_of(taxable, *hundredths),
            Vat::Exempt { .. } => {
                t.exempt = t.exempt + taxable;
                Euro::ZERO
            }
        };
        t.net = t.net + taxable;
        t.vat = t.vat + tax;
        t.groups.push(Group {
            vat: vat.clone(),
            taxable,
            tax,
        });
    }
    t.total = t.net + t.vat;
    t.payable = if split_payment { t.net } else { t.total };
    t
}

/// The virtual stamp duty (*bollo*) is due on amounts without VAT above € 77,47.
pub const STAMP_DUTY_THRESHOLD: Euro = Euro::from_cents(7_747);
pub const STAMP_DUTY: Euro = Euro::from_cents(200);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tax_is_computed_per_group_half_up() {
        let v = Vat::STANDARD;
        let n4 = Vat::Exempt {
            natura: "N4".into(),
            reference: "art. 10 DPR 633/72".into(),
        };
        // 0.05 × 22% = 0.011 per line, but 3 lines together: 0.15 × 22% = 0.033 → 0.03.
        let lines = [
            (Euro::from_cents(5), &v),
            (Euro::from_cents(5), &v),
            (Euro::from_cents(5), &v),
            (Euro::from_cents(10_000), &n4),
        ];
        let t = totals(lines, true);
        assert_eq!(t.vat, Euro::from_cents(3));
        assert_eq!(t.net, Euro::from_cents(10_015));
        assert_eq!(t.total, Euro::from_cents(10_018));
        assert_eq!(t.payable, Euro::from_cents(10_015));
        assert_eq!(t.exempt, Euro::from_cents(10_000));
        assert_eq!(tax_of(Euro::from_cents(250), 2200), Euro::from_cents(55));
        assert_eq!(tax_of(Euro::from_cents(-250), 2200), Euro::from_cents(-55));
        assert_eq!(tax_of(Euro::from_cents(125), 1000), Euro::from_cents(13));
    }

    #[test]
    fn generic_natura_codes_are_refused_with_the_reason() {
        assert!(check_natura("N2.2").is_ok());
        assert!(check_natura("N2").unwrap_err().contains("2021"));
        assert!(check_natura("X9").unwrap_err().contains("non valida"));
        assert_eq!(Vat::STANDARD.label(), "22%");
    }
}
