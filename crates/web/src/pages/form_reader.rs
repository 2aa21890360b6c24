//! Reading typed form fields into numbers and amounts, with an Italian message per field that
//! cannot be read (whole numbers, amounts the Italian way, rows of bands and tiers). Shared by
//! the forms that edit structured data (price items, the membership-fee model).

use catalog::membership::{Band, Tier};
use kernel::Euro;

/// A row of a bands table as typed.
#[derive(Debug, Clone, Default)]
pub struct BandDraft {
    pub from: String,
    pub to: String,
    pub amount: String,
}

/// A row of a tiers table as typed.
#[derive(Debug, Clone, Default)]
pub struct TierDraft {
    pub up_to: String,
    pub rate: String,
}

/// The digits of a whole number written the Italian way: `1234` or `1.234` (dots only between
/// groups of three); `None` for anything else (`1.5` is not 15).
/// A posted field by name, trimmed (empty when absent): for forms read as name/value pairs.
pub fn field(posted: &[(String, String)], name: &str) -> String {
    posted
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

pub fn italian_digits(t: &str) -> Option<String> {
    let t = t.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        return Some(t.to_owned());
    }
    let mut groups = t.split('.');
    let first = groups.next()?;
    let rest: Vec<&str> = groups.collect();
    let ok = (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && !rest.is_empty()
        && rest
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    ok.then(|| t.replace('.', ""))
}

/// A quantity typed on a page: a whole number from 0 to 1,000,000 the Italian way, or why not.
pub fn quantity(v: &str) -> Result<u32, String> {
    let t = v.trim();
    match italian_digits(t).and_then(|d| d.parse::<u32>().ok()) {
        Some(n) if n <= 1_000_000 => Ok(n),
        Some(_) => Err("la quantità va da 0 a 1.000.000".to_owned()),
        None if t.starts_with('-') && t[1..].bytes().all(|b| b.is_ascii_digit()) && t.len() > 1 => {
            Err("la quantità va da 0 a 1.000.000".to_owned())
        }
        None if italian_digits(t).is_some() => Err("la quantità va da 0 a 1.000.000".to_owned()),
        None => Err(format!("«{t}» non è un numero intero")),
    }
}

/// A field's message: (field name, Italian message).
pub type FieldErrors = Vec<(String, String)>;

/// Reads fields, collecting a message for each one that cannot be read.
pub struct Reader {
    pub errors: FieldErrors,
}

impl Reader {
    pub fn new() -> Self {
        Self { errors: vec![] }
    }

    pub fn fail(&mut self, field: &str, message: String) {
        self.errors.push((field.to_owned(), message));
    }

    /// A whole number, or `None` when empty.
    pub fn count(&mut self, field: &str, what: &str, v: &str) -> Option<u32> {
        let t = v.trim();
        if t.is_empty() {
            return None;
        }
        let t = italian_digits(t).unwrap_or_else(|| t.to_owned());
        match t.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                let why = if t.starts_with('-') {
                    "non può essere negativo".to_owned()
                } else if t.bytes().all(|b| b.is_ascii_digit()) {
                    "è troppo grande".to_owned()
                } else {
                    format!("«{}» non è un numero intero", v.trim())
                };
                self.fail(field, format!("{what}: {why}"));
                None
            }
        }
    }

    /// A whole number that must be there.
    pub fn required_count(&mut self, field: &str, what: &str, v: &str) -> u32 {
        if v.trim().is_empty() {
            self.fail(field, format!("{what}: obbligatorio"));
            return 0;
        }
        self.count(field, what, v).unwrap_or(0)
    }

    /// An amount, or `None` when empty.
    pub fn euro(&mut self, field: &str, what: &str, v: &str) -> Option<Euro> {
        if v.trim().is_empty() {
            return None;
        }
        match Euro::parse(&italian_amount(v)) {
            Ok(e) if e < Euro::ZERO => {
                self.fail(field, format!("{what}: non può essere negativo"));
                None
            }
            Ok(e) => Some(e),
            Err(_) => {
                let t = v.trim();
                let decimals = t.rsplit_once(',').map(|(_, d)| d.len()).unwrap_or_default();
                let why = if decimals > 2 {
                    format!("«{t}» ha più di due decimali")
                } else {
                    format!("«{t}» non è un importo (per esempio 1.250,00)")
                };
                self.fail(field, format!("{what}: {why}"));
                None
            }
        }
    }

    /// An amount that must be there.
    pub fn required_euro(&mut self, field: &str, what: &str, v: &str) -> Euro {
        if v.trim().is_empty() {
            self.fail(field, format!("{what}: obbligatorio"));
            return Euro::ZERO;
        }
        self.euro(field, what, v).unwrap_or(Euro::ZERO)
    }

    /// Bands from rows; rows left empty are skipped.
    pub fn bands(&mut self, prefix: &str, rows: &[BandDraft]) -> Vec<Band> {
        let mut out = vec![];
        for (j, b) in rows.iter().enumerate() {
            if b.from.trim().is_empty() && b.to.trim().is_empty() && b.amount.trim().is_empty() {
                continue;
            }
            let n = j + 1;
            let from = self.required_count(
                &format!("{prefix}b{j}_from"),
                &format!("fascia {n}, da"),
                &b.from,
            );
            let to = self.count(
                &format!("{prefix}b{j}_to"),
                &format!("fascia {n}, a"),
                &b.to,
            );
            let amount = self.required_euro(
                &format!("{prefix}b{j}_amount"),
                &format!("fascia {n}, importo"),
                &b.amount,
            );
            out.push(Band { from, to, amount });
        }
        out
    }

    /// Tiers from rows; rows left empty are skipped.
    pub fn tiers(&mut self, prefix: &str, rows: &[TierDraft]) -> Vec<Tier> {
        let mut out = vec![];
        for (j, t) in rows.iter().enumerate() {
            if t.up_to.trim().is_empty() && t.rate.trim().is_empty() {
                continue;
            }
            let n = j + 1;
            let up_to = self.required_count(
                &format!("{prefix}t{j}_up_to"),
                &format!("scaglione {n}, fino a"),
                &t.up_to,
            );
            let rate = self.required_euro(
                &format!("{prefix}t{j}_rate"),
                &format!("scaglione {n}, tariffa"),
                &t.rate,
            );
            out.push(Tier { up_to, rate });
        }
        out
    }
}

impl Default for Reader {
    fn default() -> Self {
        Self::new()
    }
}

/// An amount typed the Italian way with thousands and no decimals (`1.250`, `12.500`) reads as
/// thousands, not as decimals; anything else goes to [`Euro::parse`] as typed.
pub fn italian_amount(v: &str) -> String {
    let t = v.trim().trim_start_matches('€').trim();
    let groups: Vec<&str> = t.split('.').collect();
    let thousands = !t.contains(',')
        && groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups
            .iter()
            .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
        && groups[1..].iter().all(|g| g.len() == 3);
    if thousands {
        groups.concat()
    } else {
        v.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_the_italian_way() {
        for (typed, got) in [
            ("12", Ok(12)),
            ("1.234", Ok(1_234)),
            (" 1.000.000 ", Ok(1_000_000)),
            ("1.5", Err("«1.5» non è un numero intero".to_owned())),
            ("12.34", Err("«12.34» non è un numero intero".to_owned())),
            ("-3", Err("la quantità va da 0 a 1.000.000".to_owned())),
            (
                "2.000.000",
                Err("la quantità va da 0 a 1.000.000".to_owned()),
            ),
            ("dieci", Err("«dieci» non è un numero intero".to_owned())),
        ] {
            assert_eq!(quantity(typed), got, "{typed}");
        }
    }
}
