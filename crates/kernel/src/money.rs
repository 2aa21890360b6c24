//! Money: exact euro amounts held as integer cents (the database stores the same integer).
//! The API writes them as decimal strings (`"1250.00"`), the UI in Italian form (`€ 1.250,00`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Sub};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Euro(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("importo «{0}» non valido: usare ad esempio 1250.00 oppure 1.250,00")]
pub struct EuroError(String);

impl Euro {
    pub const ZERO: Euro = Euro(0);
    pub const fn from_cents(cents: i64) -> Self {
        Self(cents)
    }
    pub const fn cents(self) -> i64 {
        self.0
    }
    pub fn checked_add(self, o: Euro) -> Option<Euro> {
        self.0.checked_add(o.0).map(Euro)
    }
    pub fn checked_mul(self, n: i64) -> Option<Euro> {
        self.0.checked_mul(n).map(Euro)
    }

    /// Parses `1250`, `1250.5`, `1250.00`, `1.250,00`, `€ 1.250,00`, `-3,10`. At most two
    /// decimals: a third is refused rather than rounded, so no figure changes silently.
    pub fn parse(s: &str) -> Result<Self, EuroError> {
        let bad = || EuroError(s.to_owned());
        let t = s.trim().trim_start_matches('€').trim();
        let (neg, t) = match t.strip_prefix('-') {
            Some(r) => (true, r.trim()),
            None => (false, t),
        };
        // Italian form uses ',' for decimals and '.' for thousands; the API uses '.'.
        let normal: String = if t.contains(',') {
            t.replace('.', "").replace(',', ".")
        } else if t.matches('.').count() > 1 {
            return Err(bad());
        } else {
            t.to_owned()
        };
        let (int, frac) = normal.split_once('.').unwrap_or((&normal, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let units: i64 = int.parse().map_err(|_| bad())?;
        let mut cents: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| bad())?
        };
        if frac.len() == 1 {
            cents *= 10;
        }
        let v = units
            .checked_mul(100)
            .and_then(|u| u.checked_add(cents))
            .ok_or_else(bad)?;
        Ok(Euro(if neg { -v } else { v }))
    }

    /// The API form: `1250.00`.
    pub fn to_decimal_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }

    /// The Italian form: `€ 1.250,00`.
    pub fn to_italian(self) -> String {
        self.to_string()
    }
}

/// A whole number in Italian form, written without allocating: `206496` → `206.496`.
#[derive(Debug, Clone, Copy)]
pub struct Thousands(pub u64);

impl fmt::Display for Thousands {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut digits = [0u8; 20];
        let mut n = self.0;
        let mut len = 0;
        loop {
            digits[len] = b'0' + (n % 10) as u8;
            len += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let mut out = [0u8; 27];
        let mut o = 0;
        for i in (0..len).rev() {
            out[o] = digits[i];
            o += 1;
            if i > 0 && i % 3 == 0 {
                out[o] = b'.';
                o += 1;
            }
        }
        f.write_str(std::str::from_utf8(&out[..o]).map_err(|_| fmt::Error)?)
    }
}

/// A whole number in Italian form: `206496` → `206.496`.
pub fn thousands(n: u64) -> String {
    Thousands(n).to_string()
}

/// The Italian form: `€ 1.250,00`.
impl fmt::Display for Euro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "€ {sign}{},{:02}", Thousands(a / 100), a % 100)
    }
}

impl Add for Euro {
    type Output = Euro;
    fn add(self, o: Euro) -> Euro {
        Euro(self.0 + o.0)
    }
}

impl Sub for Euro {
    type Output = Euro;
    fn sub(self, o: Euro) -> Euro {
        Euro(self.0 - o.0)
    }
}

impl Serialize for Euro {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_decimal_string())
    }
}

impl<'de> Deserialize<'de> for Euro {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Euro::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::Euro;

    #[test]
    fn parses_api_and_italian_forms() {
        for (s, c) in [
            ("1250", 125_000),
            ("1250.5", 125_050),
            ("1250.00", 125_000),
            ("1.250,00", 125_000),
            ("€ 1.250,00", 125_000),
            ("0,05", 5),
            ("-3,10", -310),
        ] {
            assert_eq!(Euro::parse(s), Ok(Euro::from_cents(c)), "{s}");
        }
        for bad in ["", "1,2,3", "1.2.3", "0.005", "abc", "1e3", "€"] {
            assert!(Euro::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats() {
        assert_eq!(super::thousands(206_496), "206.496");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(1_000), "1.000");
        assert_eq!(super::thousands(u64::MAX), "18.446.744.073.709.551.615");
        assert_eq!(Euro::from_cents(125_000).to_decimal_string(), "1250.00");
        assert_eq!(Euro::from_cents(125_000).to_italian(), "€ 1.250,00");
        assert_eq!(Euro::from_cents(5).to_italian(), "€ 0,05");
        assert_eq!(
            Euro::from_cents(-123_456_789).to_italian(),
            "€ -1.234.567,89"
        );
        assert_eq!(Euro::from_cents(-5).to_decimal_string(), "-0.05");
    }

    proptest::proptest! {
        #[test]
        fn both_forms_round_trip(c in -1_000_000_000_000i64..1_000_000_000_000) {
            let e = Euro::from_cents(c);
            proptest::prop_assert_eq!(Euro::parse(&e.to_decimal_string()), Ok(e));
            proptest::prop_assert_eq!(Euro::parse(&e.to_italian()), Ok(e));
        }
    }
}
