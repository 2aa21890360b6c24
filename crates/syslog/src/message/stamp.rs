//! Timestamps: RFC 3339 (RFC 5424 and rsyslog's ISO templates) and the BSD `Mmm dd hh:mm:ss`
//! of RFC 3164 with the variations devices send. Scanning (is this a timestamp, where does it
//! end) is separate from the value: a well-shaped but impossible date ("Feb 30") still ends
//! the header, with no value.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono::{LocalResult, NaiveTime};

use super::SourceTime;

/// A timestamp found at some position of a header.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stamp {
    /// Index after the timestamp (after the `:` when `colon`).
    pub end: usize,
    pub value: Option<DateTime<Utc>>,
    /// Cisco style: the timestamp is closed by `:` and the content follows (no host, no tag).
    pub colon: bool,
}

/// Fields as written; values not yet checked.
#[derive(Debug, Clone, Copy)]
struct Fields {
    year: Option<i32>,
    month: u32,
    day: u32,
    hour: u32,
    min: u32,
    sec: u32,
    micro: u32,
    /// Offset east of UTC in seconds; None: local time of the source.
    offset: Option<i32>,
}

const MONTHS: [&[u8; 3]; 12] = [
    b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
];

/// An RFC 3339 timestamp filling `s` exactly (RFC 5424 TIMESTAMP). Without a zone: local time
/// of the source.
pub(super) fn rfc3339(s: &str, source: &SourceTime) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    let (f, end) = iso(b, 0)?;
    if end != b.len() {
        return None;
    }
    f.fixed_or_local(f.year?, source)
}

/// A timestamp at `p` in a RFC 3164 header: optional `*` or `.` (Cisco: clock not in sync),
/// then ISO (`2026-12-04T10:00:00.123+01:00`, `T` or a space) or BSD (`Dec  4 10:00:00`,
/// `Dec 4 2026 10:00:00`, `Dec 4 10:00:00 2026`, fraction, Cisco zone name before `:`).
pub(super) fn scan(b: &[u8], p: usize, received: DateTime<Utc>, src: &SourceTime) -> Option<Stamp> {
    let q = match b.get(p) {
        Some(b'*' | b'.') => p + 1,
        _ => p,
    };
    let (f, mut end) = iso(b, q).or_else(|| bsd(b, q))?;
    let colon = b.get(end) == Some(&b':');
    if colon {
        end += 1;
    }
    match b.get(end) {
        None | Some(b' ' | b'\t') => {}
        Some(_) => return None,
    }
    let value = match f.year {
        Some(y) => f.fixed_or_local(y, src),
        None => match src.year {
            Some(y) => f.fixed_or_local(y, src),
            None => f.guess_year(received, src),
        },
    };
    Some(Stamp { end, value, colon })
}

fn digits(b: &[u8], p: usize, n: usize) -> Option<u32> {
    let mut v = 0u32;
    for i in 0..n {
        let d = *b.get(p + i)?;
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(d - b'0');
    }
    Some(v)
}

/// `.ffffff…` at `p`: microseconds (extra digits truncated) and the end.
fn fraction(b: &[u8], p: usize) -> (u32, usize) {
    if b.get(p) != Some(&b'.') || !b.get(p + 1).is_some_and(u8::is_ascii_digit) {
        return (0, p);
    }
    let mut i = p + 1;
    let mut micro = 0u32;
    let mut n = 0;
    while let Some(&d) = b.get(i).filter(|d| d.is_ascii_digit()) {
        if n < 6 {
            micro = micro * 10 + u32::from(d - b'0');
            n += 1;
        }
        i += 1;
    }
    while n < 6 {
        micro *= 10;
        n += 1;
    }
    (micro, i)
}

/// `hh:mm:ss[.f]` at `p`.
fn clock(b: &[u8], p: usize) -> Option<(u32, u32, u32, u32, usize)> {
    let h = digits(b, p, 2)?;
    (b.get(p + 2) == Some(&b':')).then_some(())?;
    let m = digits(b, p + 3, 2)?;
    (b.get(p + 5) == Some(&b':')).then_some(())?;
    let s = digits(b, p + 6, 2)?;
    let (micro, end) = fraction(b, p + 8);
    Some((h, m, s, micro, end))
}

/// `YYYY-MM-DD(T| )hh:mm:ss[.f][Z|±hh:mm|±hhmm]` at `p`.
fn iso(b: &[u8], p: usize) -> Option<(Fields, usize)> {
    let year = digits(b, p, 4)?;
    (b.get(p + 4) == Some(&b'-')).then_some(())?;
    let month = digits(b, p + 5, 2)?;
    (b.get(p + 7) == Some(&b'-')).then_some(())?;
    let day = digits(b, p + 8, 2)?;
    matches!(b.get(p + 10), Some(b'T' | b't' | b' ')).then_some(())?;
    let (hour, min, sec, micro, mut end) = clock(b, p + 11)?;
    let offset = match b.get(end) {
        Some(b'Z' | b'z') => {
            end += 1;
            Some(0)
        }
        Some(&sign @ (b'+' | b'-')) => {
            let hh = digits(b, end + 1, 2)?;
            let (mm, e) = if b.get(end + 3) == Some(&b':') {
                (digits(b, end + 4, 2)?, end + 6)
            } else {
                (digits(b, end + 3, 2)?, end + 5)
            };
            end = e;
            // An impossible offset makes the value None, not the shape.
            let secs = if hh > 23 || mm > 59 {
                i32::MAX
            } else {
                i32::try_from(hh * 3600 + mm * 60).ok()?
            };
            Some(if sign == b'-' && secs != i32::MAX {
                -secs
            } else {
                secs
            })
        }
        _ => None,
    };
    let year = i32::try_from(year).ok();
    let f = Fields {
        year,
        month,
        day,
        hour,
        min,
        sec,
        micro,
        offset,
    };
    Some((f, end))
}

/// `Mmm( |  )d[d] [YYYY ]hh:mm:ss[.f][ YYYY][ ZONE]` at `p`; ZONE (UTC, GMT, CET, CEST, or
/// 3-4 capitals ending in T) only before a `:`.
fn bsd(b: &[u8], p: usize) -> Option<(Fields, usize)> {
    let mon = b.get(p..p + 3)?;
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(mon))
        .and_then(|i| u32::try_from(i + 1).ok())?;
    (b.get(p + 3) == Some(&b' ')).then_some(())?;
    let mut i = p + 4;
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    let (day, e) = match digits(b, i, 2) {
        Some(d) => (d, i + 2),
        None => (digits(b, i, 1)?, i + 1),
    };
    (b.get(e) == Some(&b' ')).then_some(())?;
    i = e + 1;
    let mut year = None;
    if b.get(i + 4) == Some(&b' ') {
        if let Some(y) = digits(b, i, 4) {
            year = i32::try_from(y).ok();
            i += 5;
        }
    }
    let (hour, min, sec, micro, mut end) = clock(b, i)?;
    if year.is_none() && b.get(end) == Some(&b' ') {
        if let Some(y) = digits(b, end + 1, 4) {
            if matches!(b.get(end + 5), None | Some(b' ')) {
                year = i32::try_from(y).ok();
                end += 5;
            }
        }
    }
    let mut offset = None;
    if b.get(end) == Some(&b' ') {
        let z = end + 1;
        let n = b
            .get(z..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_uppercase())
            .count();
        let name = b.get(z..z + n).unwrap_or_default();
        let zone_like =
            zone_offset(name).is_some() || ((3..=4).contains(&n) && name.ends_with(b"T"));
        if zone_like && b.get(z + n) == Some(&b':') {
            offset = zone_offset(name);
            end = z + n;
        }
    }
    let f = Fields {
        year,
        month,
        day,
        hour,
        min,
        sec,
        micro,
        offset,
    };
    Some((f, end))
}

/// Zone names with a known offset; any other name means local time of the source.
fn zone_offset(name: &[u8]) -> Option<i32> {
    match name {
        b"UTC" | b"GMT" | b"UT" | b"Z" => Some(0),
        b"CET" => Some(3600),
        b"CEST" => Some(7200),
        _ => None,
    }
}

impl Fields {
    fn naive(&self, year: i32) -> Option<NaiveDateTime> {
        let date = NaiveDate::from_ymd_opt(year, self.month, self.day)?;
        // A leap second is read as the last microsecond of its minute.
        let (sec, micro) = if self.sec == 60 {
            (59, 999_999)
        } else {
            (self.sec, self.micro)
        };
        let time = NaiveTime::from_hms_micro_opt(self.hour, self.min, sec, micro)?;
        Some(date.and_time(time))
    }

    fn fixed_or_local(&self, year: i32, src: &SourceTime) -> Option<DateTime<Utc>> {
        let naive = self.naive(year)?;
        match self.offset {
            Some(off) if off.unsigned_abs() < 86_400 => naive
                .checked_sub_signed(TimeDelta::seconds(i64::from(off)))
                .map(|t| Utc.from_utc_datetime(&t)),
            Some(_) => None,
            None => local(src, naive),
        }
    }

    /// The year that puts the time within (received − 334 days, received + 31 days]: the
    /// receive year in the source zone, else the one before (December read in January), else
    /// the one after (a clock slightly ahead at New Year). Outside every window: receive year.
    fn guess_year(&self, received: DateTime<Utc>, src: &SourceTime) -> Option<DateTime<Utc>> {
        let y = received.with_timezone(&src.zone).year();
        let lo = received - TimeDelta::days(334);
        let hi = received + TimeDelta::days(31);
        let here = self.fixed_or_local(y, src);
        for cand in [
            here,
            self.fixed_or_local(y - 1, src),
            self.fixed_or_local(y + 1, src),
        ] {
            if let Some(t) = cand.filter(|t| *t > lo && *t <= hi) {
                return Some(t);
            }
        }
        here
    }
}

/// Local time in the source zone: an ambiguous time (autumn) is the earlier instant, a time in
/// the spring gap is read with the offset in force before the gap.
fn local(src: &SourceTime, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    match src.zone.from_local_datetime(&naive) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        LocalResult::None => {
            let before = naive.checked_sub_signed(TimeDelta::days(1))?;
            let off = src.zone.offset_from_utc_datetime(&before).fix();
            naive
                .checked_sub_signed(TimeDelta::seconds(i64::from(off.local_minus_utc())))
                .map(|t| Utc.from_utc_datetime(&t))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use chrono_tz::Europe::Rome;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn one(s: &str, received: &str) -> Option<Stamp> {
        scan(s.as_bytes(), 0, at(received), &SourceTime::default())
    }

    #[test]
    fn rfc3339_forms() {
        let src = SourceTime::default();
        let t = rfc3339("2026-12-04T10:00:00.1234567+01:00", &src).unwrap();
        assert_eq!(t, at("2026-12-04T09:00:00.123456Z"));
        assert_eq!(
            rfc3339("2026-12-04T10:00:00Z", &src),
            Some(at("2026-12-04T10:00:00Z"))
        );
        assert_eq!(rfc3339("2026-02-30T10:00:00Z", &src), None);
        assert_eq!(rfc3339("2026-12-04T10:00:00Zx", &src), None);
        assert_eq!(rfc3339("2026-12-04T10:00:00+25:00", &src), None);
        // No zone: local time (Rome, winter).
        assert_eq!(
            rfc3339("2026-12-04T10:00:00", &src),
            Some(at("2026-12-04T09:00:00Z"))
        );
    }

    #[test]
    fn bsd_forms() {
        let r = "2026-12-04T12:00:00Z";
        let s = one("Dec  4 10:00:00 host", r).unwrap();
        assert_eq!((s.end, s.colon), (15, false));
        assert_eq!(s.value, Some(at("2026-12-04T09:00:00Z")));
        let s = one("Dec 4 2026 10:00:00 host", r).unwrap();
        assert_eq!(s.value, Some(at("2026-12-04T09:00:00Z")));
        let s = one("*Dec  4 10:00:00.123 UTC: %SYS", r).unwrap();
        assert_eq!(s.value, Some(at("2026-12-04T10:00:00.123Z")));
        assert!(s.colon);
        let s = one("Dec  4 10:00:00.123 CET: x", r).unwrap();
        assert_eq!(s.value, Some(at("2026-12-04T09:00:00.123Z")));
        let s = one("Feb 30 10:00:00 host", r).unwrap();
        assert_eq!((s.end, s.value), (15, None));
        assert!(one("Dec  4 10:00:00x", r).is_none());
        assert!(one("Dez  4 10:00:00 h", r).is_none());
    }

    #[test]
    fn year_rule() {
        let s = one("Dec 31 23:59:00 h", "2027-01-01T00:30:00Z").unwrap();
        assert_eq!(s.value, Some(at("2026-12-31T22:59:00Z")));
        let s = one("Jan  1 00:00:10 h", "2026-12-31T22:59:00Z").unwrap();
        assert_eq!(s.value, Some(at("2026-12-31T23:00:10Z")));
        let src = SourceTime {
            zone: Rome,
            year: Some(2020),
        };
        let s = scan(b"Dec 31 23:59:00 h", 0, at("2027-01-01T00:30:00Z"), &src).unwrap();
        assert_eq!(s.value, Some(at("2020-12-31T22:59:00Z")));
    }

    #[test]
    fn dst_edges() {
        let src = SourceTime::default();
        // Spring gap in Rome (2026-03-29 02:00 -> 03:00): read with the winter offset.
        let t = rfc3339("2026-03-29T02:30:00", &src).unwrap();
        assert_eq!(t, at("2026-03-29T01:30:00Z"));
        // Autumn ambiguity (2026-10-25 03:00 -> 02:00): the earlier instant.
        let t = rfc3339("2026-10-25T02:30:00", &src).unwrap();
        assert_eq!(t, at("2026-10-25T00:30:00Z"));
    }
}
