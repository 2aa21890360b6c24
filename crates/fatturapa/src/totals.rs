//! DatiRiepilogo and the document totals, computed from the lines.

use serde::Serialize;

use crate::model::{Invoice, Line, Natura, Qty, Vat};

/// Stamp duty is due when the amounts not subject to VAT exceed this (€77.47).
pub const STAMP_DUTY_THRESHOLD_CENTS: i64 = 7747;
/// The stamp duty amount (€2.00).
pub const STAMP_DUTY_CENTS: i64 = 200;

/// What a summary groups lines by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SummaryKey {
    Rate { hundredths: u32 },
    Exempt { natura: Natura, reference: String },
}

/// One DatiRiepilogo: lines of one VAT rate, or of one nature and legal reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub key: SummaryKey,
    /// ImponibileImporto: the sum of the line totals.
    pub taxable_cents: i64,
    /// Imposta: taxable × rate, rounded half up to the cent (zero when exempt).
    pub vat_cents: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Lines subject to VAT.
    pub taxable_cents: i64,
    /// Lines not subject to VAT (any Natura).
    pub exempt_cents: i64,
    pub vat_cents: i64,
    /// ImportoTotaleDocumento: taxable + exempt + VAT (also under split payment).
    pub total_cents: i64,
    /// What the customer pays the supplier: the total, less the VAT under split payment.
    pub payable_cents: i64,
}

/// `amount × hundredths / 10000` rounded half away from zero (half up on the magnitude).
pub fn vat_of(amount_cents: i64, hundredths: u32) -> i64 {
    let n = i128::from(amount_cents) * i128::from(hundredths);
    let (q, r) = (n / 10_000, n % 10_000);
    let q = if r.abs() * 2 >= 10_000 {
        q + r.signum()
    } else {
        q
    };
    i64::try_from(q).unwrap_or(if q > 0 { i64::MAX } else { i64::MIN })
}

/// A line's total: quantity (hundredths) × unit price, rounded half away from zero to the
/// cent; the unit price itself without a quantity.
pub fn line_total(quantity: Option<Qty>, unit_price_cents: i64) -> i64 {
    let Some(Qty(q)) = quantity else {
        return unit_price_cents;
    };
    let n = i128::from(q) * i128::from(unit_price_cents);
    let (d, r) = (n / 100, n % 100);
    let d = if r.abs() * 2 >= 100 {
        d + r.signum()
    } else {
        d
    };
    i64::try_from(d).unwrap_or(if d > 0 { i64::MAX } else { i64::MIN })
}

fn key_of(vat: &Vat) -> SummaryKey {
    match vat {
        Vat::Rate { hundredths } => SummaryKey::Rate {
            hundredths: *hundredths,
        },
        Vat::Exempt { natura, reference } => SummaryKey::Exempt {
            natura: *natura,
            reference: reference.trim().to_owned(),
        },
    }
}

/// The summaries in the order their first line appears. Line totals are summed first and
/// the VAT computed once per summary, as the SdI checks it.
pub fn summaries(lines: &[Line]) -> Vec<Summary> {
    let mut out: Vec<Summary> = Vec::new();
    for line in lines {
        let key = key_of(&line.vat);
        match out.iter_mut().find(|s| s.key == key) {
            Some(s) => s.taxable_cents = s.taxable_cents.saturating_add(line.total_cents),
            None => out.push(Summary {
                key,
                taxable_cents: line.total_cents,
                vat_cents: 0,
            }),
        }
    }
    for s in &mut out {
        if let SummaryKey::Rate { hundredths } = s.key {
            s.vat_cents = vat_of(s.taxable_cents, hundredths);
        }
    }
    out
}

pub fn totals(invoice: &Invoice) -> Totals {
    let mut t = Totals {
        taxable_cents: 0,
        exempt_cents: 0,
        vat_cents: 0,
        total_cents: 0,
        payable_cents: 0,
    };
    for s in summaries(&invoice.lines) {
        match s.key {
            SummaryKey::Rate { .. } => {
                t.taxable_cents = t.taxable_cents.saturating_add(s.taxable_cents);
            }
            SummaryKey::Exempt { .. } => {
                t.exempt_cents = t.exempt_cents.saturating_add(s.taxable_cents);
            }
        }
        t.vat_cents = t.vat_cents.saturating_add(s.vat_cents);
    }
    t.total_cents = t
        .taxable_cents
        .saturating_add(t.exempt_cents)
        .saturating_add(t.vat_cents);
    t.payable_cents = if invoice.split_payment {
        t.total_cents.saturating_sub(t.vat_cents)
    } else {
        t.total_cents
    };
    t
}

/// Whether stamp duty is due: the amounts of natures subject to it (see
/// [`Natura::stamp_duty_applies`]) exceed €77.47.
pub fn stamp_duty_due(lines: &[Line]) -> bool {
    let subject: i64 = lines
        .iter()
        .filter_map(|l| match &l.vat {
            Vat::Exempt { natura, .. } if natura.stamp_duty_applies() => Some(l.total_cents),
            _ => None,
        })
        .fold(0, i64::saturating_add);
    subject > STAMP_DUTY_THRESHOLD_CENTS
}
