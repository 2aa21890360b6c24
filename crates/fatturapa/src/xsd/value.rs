//! The lexical and value spaces of the XSD built-in types the schemas use: parsing a
//! whitespace-normalised literal into a value that facets compare.

use std::cmp::Ordering;

/// The built-in primitive or derived types supported; any other `xs:` type makes schema
/// loading fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    String,
    NormalizedString,
    Token,
    Decimal,
    Integer,
    NonNegativeInteger,
    PositiveInteger,
    Date,
    DateTime,
    Base64Binary,
    Boolean,
}

impl Builtin {
    pub fn from_local(local: &str) -> Option<Self> {
        Some(match local {
            "string" => Self::String,
            "normalizedString" => Self::NormalizedString,
            "token" => Self::Token,
            "decimal" => Self::Decimal,
            "integer" => Self::Integer,
            "nonNegativeInteger" => Self::NonNegativeInteger,
            "positiveInteger" => Self::PositiveInteger,
            "date" => Self::Date,
            "dateTime" => Self::DateTime,
            "base64Binary" => Self::Base64Binary,
            "boolean" => Self::Boolean,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::String => "xs:string",
            Self::NormalizedString => "xs:normalizedString",
            Self::Token => "xs:token",
            Self::Decimal => "xs:decimal",
            Self::Integer => "xs:integer",
            Self::NonNegativeInteger => "xs:nonNegativeInteger",
            Self::PositiveInteger => "xs:positiveInteger",
            Self::Date => "xs:date",
            Self::DateTime => "xs:dateTime",
            Self::Base64Binary => "xs:base64Binary",
            Self::Boolean => "xs:boolean",
        }
    }

    /// The whiteSpace facet the type starts with.
    pub fn whitespace(self) -> WhiteSpace {
        match self {
            Self::String => WhiteSpace::Preserve,
            Self::NormalizedString => WhiteSpace::Replace,
            _ => WhiteSpace::Collapse,
        }
    }

    /// Whether length facets apply (strings count characters, binary counts octets).
    pub fn has_length(self) -> bool {
        matches!(
            self,
            Self::String | Self::NormalizedString | Self::Token | Self::Base64Binary
        )
    }

    /// Whether the value space is ordered (bound facets apply).
    pub fn is_ordered(self) -> bool {
        matches!(
            self,
            Self::Decimal
                | Self::Integer
                | Self::NonNegativeInteger
                | Self::PositiveInteger
                | Self::Date
                | Self::DateTime
        )
    }

    /// Whether digit facets apply.
    pub fn is_decimal(self) -> bool {
        matches!(
            self,
            Self::Decimal | Self::Integer | Self::NonNegativeInteger | Self::PositiveInteger
        )
    }

    pub fn is_string(self) -> bool {
        matches!(self, Self::String | Self::NormalizedString | Self::Token)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum WhiteSpace {
    Preserve,
    Replace,
    Collapse,
}

impl WhiteSpace {
    pub fn apply(self, s: &str) -> String {
        match self {
            Self::Preserve => s.to_owned(),
            Self::Replace => s.replace(['\t', '\n', '\r'], " "),
            Self::Collapse => s
                .split([' ', '\t', '\n', '\r'])
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        }
    }
}

/// A decimal number exactly: sign, integer digits without leading zeros, fraction digits
/// without trailing zeros. Zero is never negative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dec {
    neg: bool,
    int: String,
    frac: String,
}

impl Dec {
    fn parse(s: &str, integer_only: bool) -> Option<Dec> {
        let (neg, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (int, frac) = match body.split_once('.') {
            Some(_) if integer_only => return None,
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let int = int.trim_start_matches('0').to_owned();
        let frac = frac.trim_end_matches('0').to_owned();
        let zero = int.is_empty() && frac.is_empty();
        Some(Dec {
            neg: neg && !zero,
            int,
            frac,
        })
    }

    pub fn total_digits(&self) -> usize {
        (self.int.len() + self.frac.len()).max(1)
    }

    pub fn fraction_digits(&self) -> usize {
        self.frac.len()
    }

    fn magnitude_cmp(&self, o: &Dec) -> Ordering {
        self.int
            .len()
            .cmp(&o.int.len())
            .then_with(|| self.int.cmp(&o.int))
            .then_with(|| self.frac.cmp(&o.frac))
    }
}

impl Ord for Dec {
    fn cmp(&self, o: &Self) -> Ordering {
        match (self.neg, o.neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.magnitude_cmp(o),
            (true, true) => o.magnitude_cmp(self),
        }
    }
}

impl PartialOrd for Dec {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// A date or date-time in the proleptic Gregorian calendar; the time zone, when given, is
/// kept in minutes east of UTC. Values are compared on their local fields when either has
/// no zone, and on UTC when both have one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Moment {
    year: i64,
    month: u32,
    day: u32,
    /// Seconds since midnight and the fraction digits (trailing zeros removed).
    secs: u32,
    frac: String,
    tz: Option<i32>,
}

impl Moment {
    fn key(&self, utc: bool) -> (i64, String) {
        // Days from a fixed epoch (civil calendar), then seconds; shifted to UTC on request.
        let (y, m) = if self.month <= 2 {
            (self.year - 1, i64::from(self.month) + 9)
        } else {
            (self.year, i64::from(self.month) - 3)
        };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let doy = (153 * m + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe;
        let mut secs = days * 86_400 + i64::from(self.secs);
        if utc {
            secs -= i64::from(self.tz.unwrap_or(0)) * 60;
        }
        (secs, self.frac.clone())
    }

    fn compare(&self, o: &Moment) -> Ordering {
        let utc = self.tz.is_some() && o.tz.is_some();
        self.key(utc).cmp(&o.key(utc))
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `-?YYYY-MM-DD` (year of four or more digits, no leading zero beyond four, not 0000).
fn parse_date_part(s: &str) -> Option<(i64, u32, u32)> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let mut parts = body.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() < 4 || (y.len() > 4 && y.starts_with('0')) || !y.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let year: i64 = y.parse().ok()?;
    if year == 0 {
        return None;
    }
    let (month, day) = (digits(m, 2)?, digits(d, 2)?);
    let year = if neg { -year } else { year };
    // Leap years of negative years follow the proleptic calendar shifted by one (XSD 1.0).
    let leap_year = if year < 0 { year + 1 } else { year };
    ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(leap_year, month))
        .then_some((year, month, day))
}

/// Splits a trailing time zone (`Z`, `+hh:mm`, `-hh:mm`) off `s`.
fn split_tz(s: &str) -> Option<(&str, Option<i32>)> {
    if let Some(rest) = s.strip_suffix('Z') {
        return Some((rest, Some(0)));
    }
    if s.len() > 6 && s.is_char_boundary(s.len() - 6) && s[s.len() - 6..].is_ascii() {
        let (rest, tz) = s.split_at(s.len() - 6);
        let b = tz.as_bytes();
        if (b[0] == b'+' || b[0] == b'-') && b[3] == b':' {
            let h = digits(&tz[1..3], 2)?;
            let m = digits(&tz[4..6], 2)?;
            if m > 59 || h > 14 || (h == 14 && m > 0) {
                return None;
            }
            let minutes = i32::try_from(h * 60 + m).ok()?;
            return Some((rest, Some(if b[0] == b'-' { -minutes } else { minutes })));
        }
    }
    Some((s, None))
}

fn parse_date(s: &str) -> Option<Moment> {
    let (body, tz) = split_tz(s)?;
    let (year, month, day) = parse_date_part(body)?;
    Some(Moment {
        year,
        month,
        day,
        secs: 0,
        frac: String::new(),
        tz,
    })
}

fn parse_date_time(s: &str) -> Option<Moment> {
    let (body, tz) = split_tz(s)?;
    let (date, time) = body.split_once('T')?;
    let (year, month, day) = parse_date_part(date)?;
    let (hms, frac) = match time.split_once('.') {
        Some((hms, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (hms, f),
        Some(_) => return None,
        None => (time, ""),
    };
    let mut parts = hms.split(':');
    let (h, m, sec) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (h, m, sec) = (digits(h, 2)?, digits(m, 2)?, digits(sec, 2)?);
    let frac = frac.trim_end_matches('0').to_owned();
    let midnight = h == 24 && m == 0 && sec == 0 && frac.is_empty();
    if !(h < 24 && m < 60 && sec < 60 || midnight) {
        return None;
    }
    Some(Moment {
        year,
        month,
        day,
        secs: h * 3600 + m * 60 + sec,
        frac,
        tz,
    })
}

/// The number of octets a base64Binary literal encodes, if it is one (whitespace between
/// characters is allowed, padding only at the end, with the unused bits zero).
fn base64_octets(s: &str) -> Option<usize> {
    let chars: Vec<u8> = s.bytes().filter(|b| *b != b' ').collect();
    if !chars.len().is_multiple_of(4) {
        return None;
    }
    let pad = chars.iter().rev().take_while(|b| **b == b'=').count();
    let body = &chars[..chars.len() - pad];
    let b64 = |b: &u8| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/';
    if pad > 2 || !body.iter().all(b64) {
        return None;
    }
    if let Some(last) = body.last() {
        let ok = match pad {
            1 => b"AEIMQUYcgkosw048".contains(last),
            2 => b"AQgw".contains(last),
            _ => true,
        };
        if !ok {
            return None;
        }
    }
    Some(chars.len() / 4 * 3 - pad)
}

/// A value of one of the built-in types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Str(String),
    Dec(Dec),
    Moment(Moment),
    Bool(bool),
    /// The whitespace-free literal and its length in octets.
    Bin(String, usize),
}

impl Value {
    /// Parses a whitespace-normalised literal; the error says what the type expects.
    pub fn parse(builtin: Builtin, s: &str) -> Result<Value, String> {
        let fail = |what: &str| Err(format!("{what} ({})", builtin.name()));
        match builtin {
            Builtin::String | Builtin::NormalizedString | Builtin::Token => {
                Ok(Value::Str(s.to_owned()))
            }
            Builtin::Decimal => match Dec::parse(s, false) {
                Some(d) => Ok(Value::Dec(d)),
                None => fail("non è un numero decimale"),
            },
            Builtin::Integer | Builtin::NonNegativeInteger | Builtin::PositiveInteger => {
                let Some(d) = Dec::parse(s, true) else {
                    return fail("non è un numero intero");
                };
                let zero = d.int.is_empty();
                match builtin {
                    Builtin::NonNegativeInteger if d.neg => fail("non è un intero non negativo"),
                    Builtin::PositiveInteger if d.neg || zero => fail("non è un intero positivo"),
                    _ => Ok(Value::Dec(d)),
                }
            }
            Builtin::Date => match parse_date(s) {
                Some(m) => Ok(Value::Moment(m)),
                None => fail("non è una data valida AAAA-MM-GG"),
            },
            Builtin::DateTime => match parse_date_time(s) {
                Some(m) => Ok(Value::Moment(m)),
                None => fail("non è una data e ora valida AAAA-MM-GGThh:mm:ss"),
            },
            Builtin::Boolean => match s {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                _ => fail("non è un valore booleano"),
            },
            Builtin::Base64Binary => match base64_octets(s) {
                Some(n) => Ok(Value::Bin(s.replace(' ', ""), n)),
                None => fail("non è un contenuto base64 valido"),
            },
        }
    }

    /// The order of two values of an ordered type (`None` across kinds).
    pub fn compare(&self, o: &Value) -> Option<Ordering> {
        match (self, o) {
            (Value::Dec(a), Value::Dec(b)) => Some(a.cmp(b)),
            (Value::Moment(a), Value::Moment(b)) => Some(a.compare(b)),
            _ => None,
        }
    }

    /// Equality in the value space (enumerations).
    pub fn same(&self, o: &Value) -> bool {
        match (self, o) {
            (Value::Moment(a), Value::Moment(b)) => a.compare(b) == Ordering::Equal,
            _ => self == o,
        }
    }

    /// The length the length facets measure: characters, or octets for binary.
    pub fn length(&self) -> Option<usize> {
        match self {
            Value::Str(s) => Some(s.chars().count()),
            Value::Bin(_, n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_dec(&self) -> Option<&Dec> {
        match self {
            Value::Dec(d) => Some(d),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn v(b: Builtin, s: &str) -> Value {
        Value::parse(b, s).unwrap()
    }

    #[test]
    fn decimals() {
        use Builtin::Decimal as D;
        assert_eq!(v(D, "100.00").compare(&v(D, "100")), Some(Ordering::Equal));
        assert_eq!(v(D, "-0.0").compare(&v(D, "0")), Some(Ordering::Equal));
        assert_eq!(v(D, "22.5").compare(&v(D, "100.00")), Some(Ordering::Less));
        assert_eq!(v(D, "-3").compare(&v(D, "-2.5")), Some(Ordering::Less));
        assert_eq!(v(D, "+.5").compare(&v(D, "0.49")), Some(Ordering::Greater));
        for bad in ["", ".", "1.2.3", "1e3", "--1", " 1"] {
            assert!(Value::parse(D, bad).is_err(), "{bad}");
        }
        assert!(Value::parse(Builtin::Integer, "1.0").is_err());
        assert!(Value::parse(Builtin::PositiveInteger, "0").is_err());
        assert_eq!(v(D, "001.2300").as_dec().unwrap().total_digits(), 3);
    }

    #[test]
    fn dates() {
        use Builtin::{Date, DateTime};
        assert!(Value::parse(Date, "2024-02-29").is_ok());
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "0000-01-01",
            "2024-01-01T00:00",
        ] {
            assert!(Value::parse(Date, bad).is_err(), "{bad}");
        }
        assert_eq!(
            v(Date, "1969-12-31").compare(&v(Date, "1970-01-01")),
            Some(Ordering::Less)
        );
        assert!(Value::parse(DateTime, "2026-01-15T10:22:31.123+01:00").is_ok());
        assert!(Value::parse(DateTime, "2026-01-15T24:00:00").is_ok());
        assert!(Value::parse(DateTime, "2026-01-15T24:00:01").is_err());
        assert!(Value::parse(DateTime, "2026-01-15T10:22").is_err());
        assert_eq!(
            v(DateTime, "2026-01-15T10:00:00+01:00").compare(&v(DateTime, "2026-01-15T09:00:00Z")),
            Some(Ordering::Equal)
        );
    }

    #[test]
    fn base64() {
        assert_eq!(base64_octets("QUJD"), Some(3));
        assert_eq!(base64_octets("QUI="), Some(2));
        assert_eq!(base64_octets("QQ=="), Some(1));
        assert_eq!(base64_octets("QR=="), None);
        assert_eq!(base64_octets("QUJ"), None);
        assert_eq!(base64_octets(""), Some(0));
    }

    #[test]
    fn whitespace() {
        assert_eq!(WhiteSpace::Replace.apply("a\tb\n"), "a b ");
        assert_eq!(WhiteSpace::Collapse.apply("  a \t b \n"), "a b");
    }
}
