//! What is left to bill once what issued statements billed is known (see the module above).

use std::collections::BTreeMap;

use kernel::Euro;

use super::{Charge, LineKind};

/// What issued statements already billed under one key: the sum of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Billed {
    pub amount: Euro,
    /// The first line's text, kind and item (to describe a reversal).
    pub text: String,
    pub kind: LineKind,
    pub source: String,
    pub service: String,
    pub item: String,
}

/// What is left to bill: `charges` against what issued statements already billed (by key).
/// The result, added to what was billed, makes every key's total equal its charge.
pub fn reconcile(charges: &[Charge], billed: &BTreeMap<String, Billed>) -> Vec<Charge> {
    let mut out = Vec::new();
    for c in charges {
        match billed.get(&c.key) {
            None => out.push(c.clone()),
            Some(b) if b.amount == c.amount => {}
            Some(b) => {
                let delta = c.amount - b.amount;
                out.push(Charge {
                    text: format!(
                        "Conguaglio: {} (già addebitati {}, ora {})",
                        c.text, b.amount, c.amount
                    ),
                    amount: delta,
                    adjusts: true,
                    ..c.clone()
                });
            }
        }
    }
    for (key, b) in billed {
        if b.amount == Euro::ZERO || charges.iter().any(|c| &c.key == key) {
            continue;
        }
        out.push(Charge {
            key: key.clone(),
            kind: b.kind,
            text: format!("Storno: {} (non più dovuto)", b.text),
            amount: Euro::ZERO - b.amount,
            source: b.source.clone(),
            service: b.service.clone(),
            item: b.item.clone(),
            adjusts: true,
        });
    }
    out
}
