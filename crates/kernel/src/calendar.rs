//! Working-time calendars: when a centre works, and working-time arithmetic on top of it.
//!
//! A [`Calendar`] is data: weekly opening hours (several intervals a day, e.g. a lunch break),
//! the Italian public holidays as rules with the years they hold (laws change the list: the 4
//! October is a national holiday from 2026, L. 151/2025), the patron saint's day, and extra
//! closure days, all in the wall-clock time of Europe/Rome (so daylight-saving changes are
//! handled by the time-zone database, not by us).
//!
//! Two implementations of the same arithmetic:
//! - [`Calendar::add_working`] / [`Calendar::working_between`] walk the calendar day by day: simple
//!   and obviously right, the reference the tests compare against;
//! - [`Precomputed`] lays out every working interval of a span of years as UTC seconds with the
//!   working time before each, so a due time is two binary searches (millions per second).
//!
//! **Due time.** Adding `d` of working time to an instant gives the earliest instant by which `d`
//! of working time has elapsed. Intervals are half-open; a deadline that uses up an interval lands
//! on its closing time (8:30 + 4 h on a 8:30–12:30 morning is 12:30, not 14:00), and adding zero
//! to an instant outside working hours gives the next opening. So a due time is always a working
//! instant or the closing edge of one.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::time::ROME;

/// How a public holiday falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HolidayRule {
    /// Every year on this day.
    Fixed { month: u32, day: u32 },
    /// The day after Easter Sunday (Gregorian computus).
    EasterMonday,
}

/// A holiday and the years it holds (inclusive; `None`: no limit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub name: String,
    pub rule: HolidayRule,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_year: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_year: Option<i32>,
}

impl Holiday {
    fn fixed(name: &str, month: u32, day: u32) -> Self {
        Self {
            name: name.into(),
            rule: HolidayRule::Fixed { month, day },
            from_year: None,
            to_year: None,
        }
    }

    /// The date it falls on in `year`, if it holds that year.
    pub fn date_in(&self, year: i32) -> Option<NaiveDate> {
        if self.from_year.is_some_and(|f| year < f) || self.to_year.is_some_and(|t| year > t) {
            return None;
        }
        match self.rule {
            HolidayRule::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day),
            HolidayRule::EasterMonday => easter_sunday(year).and_then(|d| d.succ_opt()),
        }
    }
}

/// Easter Sunday of a Gregorian year (the "anonymous Gregorian" algorithm).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The national public holidays of Italy, with the years each holds since 1977 (L. 54/1977
/// moved 6 January and 2 June; D.P.R. 792/1985 restored the Epiphany from 1986, L. 336/2000 the
/// Republic Day from 2001; L. 151/2025 adds 4 October from 2026).
pub fn italian_holidays() -> Vec<Holiday> {
    let mut v = vec![
        Holiday::fixed("Capodanno", 1, 1),
        Holiday {
            from_year: Some(1986),
            ..Holiday::fixed("Epifania", 1, 6)
        },
        Holiday {
            name: "Lunedì dell'Angelo".into(),
            rule: HolidayRule::EasterMonday,
            from_year: None,
            to_year: None,
        },
        Holiday::fixed("Festa della Liberazione", 4, 25),
        Holiday::fixed("Festa del Lavoro", 5, 1),
        Holiday {
            from_year: Some(2001),
            ..Holiday::fixed("Festa della Repubblica", 6, 2)
        },
        Holiday::fixed("Ferragosto", 8, 15),
        Holiday {
            from_year: Some(2026),
            ..Holiday::fixed("San Francesco d'Assisi, patrono d'Italia", 10, 4)
        },
        Holiday::fixed("Ognissanti", 11, 1),
        Holiday::fixed("Immacolata Concezione", 12, 8),
        Holiday::fixed("Natale", 12, 25),
        Holiday::fixed("Santo Stefano", 12, 26),
    ];
    v.shrink_to_fit();
    v
}

/// An opening interval of a day, wall-clock time, `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// A centre's working time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    pub name: String,
    /// Monday first; each day's intervals sorted and not overlapping.
    pub week: [Vec<Interval>; 7],
    pub holidays: Vec<Holiday>,
    /// The patron saint's day (month, day), a holiday of the town.
    #[serde(default)]
    pub patron: Option<(u32, u32)>,
    /// Company closures and other days off.
    #[serde(default)]
    pub closures: Vec<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("calendario non valido: {0}")]
    Invalid(String),
    #[error("calendario «{0}» sconosciuto: consorzio-it, padova o ltt")]
    UnknownPreset(String),
    #[error("il calendario non ha ore lavorative: nessuna scadenza si può calcolare")]
    NeverOpen,
    #[error("scadenza oltre l'anno {0}")]
    OutOfRange(i32),
}

/// The presets' names.
pub const PRESETS: [&str; 3] = ["consorzio-it", "padova", "ltt"];

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

fn iv(a: (u32, u32), b: (u32, u32)) -> Interval {
    Interval {
        start: hm(a.0, a.1),
        end: hm(b.0, b.1),
    }
}

impl Calendar {
    /// `consorzio-it` (Mon–Fri 8:30–12:30, 14:00–18:00), `padova` (Mon–Thu 9:00–16:30, Fri
    /// 9:00–13:00, patron 13 June), `ltt` (Mon–Fri 9–13, 14–18, Sat 9–13).
    pub fn preset(name: &str) -> Result<Calendar, CalendarError> {
        let none = Vec::new;
        let (week, patron): ([Vec<Interval>; 7], _) = match name {
            "consorzio-it" => {
                let day = || vec![iv((8, 30), (12, 30)), iv((14, 0), (18, 0))];
                ([day(), day(), day(), day(), day(), none(), none()], None)
            }
            "padova" => {
                let day = || vec![iv((9, 0), (16, 30))];
                (
                    [
                        day(),
                        day(),
                        day(),
                        day(),
                        vec![iv((9, 0), (13, 0))],
                        none(),
                        none(),
                    ],
                    Some((6, 13)),
                )
            }
            "ltt" => {
                let day = || vec![iv((9, 0), (13, 0)), iv((14, 0), (18, 0))];
                (
                    [
                        day(),
                        day(),
                        day(),
                        day(),
                        day(),
                        vec![iv((9, 0), (13, 0))],
                        none(),
                    ],
                    None,
                )
            }
            other => return Err(CalendarError::UnknownPreset(other.to_owned())),
        };
        let c = Calendar {
            name: name.to_owned(),
            week,
            holidays: italian_holidays(),
            patron,
            closures: Vec::new(),
        };
        c.validate()?;
        Ok(c)
    }

    pub fn validate(&self) -> Result<(), CalendarError> {
        for (d, day) in self.week.iter().enumerate() {
            for i in day {
                if i.start >= i.end {
                    return Err(CalendarError::Invalid(format!(
                        "giorno {}: intervallo {}–{} vuoto o rovesciato",
                        d + 1,
                        i.start.format("%H:%M"),
                        i.end.format("%H:%M")
                    )));
                }
            }
            for w in day.windows(2) {
                if w[1].start < w[0].end {
                    return Err(CalendarError::Invalid(format!(
                        "giorno {}: intervalli sovrapposti o fuori ordine",
                        d + 1
                    )));
                }
            }
        }
        if self.week.iter().all(Vec::is_empty) {
            return Err(CalendarError::NeverOpen);
        }
        if let Some((m, d)) = self.patron {
            if NaiveDate::from_ymd_opt(2024, m, d).is_none() {
                return Err(CalendarError::Invalid(format!(
                    "patrono: {d}/{m} non è una data"
                )));
            }
        }
        Ok(())
    }

    /// Why the calendar is closed on `date` (not counting the weekly rest days), in Italian:
    /// the holiday's name, the patron saint's day, or a closure.
    pub fn day_off(&self, date: NaiveDate) -> Option<String> {
        if let Some(h) = self
            .holidays
            .iter()
            .find(|h| h.date_in(date.year()) == Some(date))
        {
            return Some(h.name.clone());
        }
        if self.patron == Some((date.month(), date.day())) {
            return Some("Festa del santo patrono".into());
        }
        if self.closures.contains(&date) {
            return Some("Chiusura degli uffici".into());
        }
        None
    }

    /// Whether nobody works on `date` (a holiday, the patron's day or a closure).
    pub fn is_closed(&self, date: NaiveDate) -> bool {
        let y = date.year();
        self.closures.contains(&date)
            || self
                .patron
                .is_some_and(|(m, d)| date.month() == m && date.day() == d)
            || self.holidays.iter().any(|h| h.date_in(y) == Some(date))
    }

    /// The working intervals of a date as UTC instants (none on closed days).
    pub fn intervals_on(&self, date: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if self.is_closed(date) {
            return Vec::new();
        }
        let day = &self.week[date.weekday().num_days_from_monday() as usize];
        day.iter()
            .filter_map(|i| Some((local(date, i.start)?, local(date, i.end)?)))
            .collect()
    }

    /// The reference implementation of the due time: walks day by day. `None` when no working
    /// time comes within 20 years.
    pub fn add_working(&self, from: DateTime<Utc>, d: Duration) -> Option<DateTime<Utc>> {
        let mut left = d.max(Duration::zero());
        let mut date = from.with_timezone(&ROME).date_naive();
        let limit = date.checked_add_signed(Duration::days(366 * 20))?;
        while date <= limit {
            for (s, e) in self.intervals_on(date) {
                if e <= from {
                    continue;
                }
                let s = s.max(from);
                let span = e - s;
                if left <= span {
                    return Some(s + left);
                }
                left -= span;
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// Working time between two instants (zero if `to <= from`), day by day.
    pub fn working_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        let mut total = Duration::zero();
        if to <= from {
            return total;
        }
        let mut date = from.with_timezone(&ROME).date_naive();
        let last = to.with_timezone(&ROME).date_naive();
        while date <= last {
            for (s, e) in self.intervals_on(date) {
                let (s, e) = (s.max(from), e.min(to));
                if s < e {
                    total += e - s;
                }
            }
            match date.succ_opt() {
                Some(d) => date = d,
                None => break,
            }
        }
        total
    }

    /// Whether `t` is inside a working interval.
    pub fn is_working(&self, t: DateTime<Utc>) -> bool {
        self.intervals_on(t.with_timezone(&ROME).date_naive())
            .iter()
            .any(|(s, e)| *s <= t && t < *e)
    }
}

/// A Rome wall-clock time as a UTC instant. Opening hours never fall in the skipped or repeated
/// hour of a daylight-saving change (2:00–3:00 at night); if one did, the earlier reading wins.
fn local(date: NaiveDate, t: NaiveTime) -> Option<DateTime<Utc>> {
    ROME.from_local_datetime(&date.and_time(t))
        .earliest()
        .map(|d| d.with_timezone(&Utc))
}

/// A calendar laid out for a span of years: every working interval as UTC seconds, and the
/// working seconds before each, for due times in O(log n).
#[derive(Debug, Clone)]
pub struct Precomputed {
    starts: Vec<i64>,
    ends: Vec<i64>,
    /// Working seconds before interval i.
    before: Vec<i64>,
    /// Working seconds up to the end of interval i.
    after: Vec<i64>,
    first_year: i32,
    last_year: i32,
}

impl Precomputed {
    /// Lays out `first_year..=last_year`.
    pub fn new(cal: &Calendar, first_year: i32, last_year: i32) -> Result<Self, CalendarError> {
        cal.validate()?;
        let mut p = Precomputed {
            starts: Vec::new(),
            ends: Vec::new(),
            before: Vec::new(),
            after: Vec::new(),
            first_year,
            last_year,
        };
        let mut date = NaiveDate::from_ymd_opt(first_year, 1, 1)
            .ok_or(CalendarError::OutOfRange(first_year))?;
        let end = NaiveDate::from_ymd_opt(last_year, 12, 31)
            .ok_or(CalendarError::OutOfRange(last_year))?;
        let mut acc = 0i64;
        while date <= end {
            for (s, e) in cal.intervals_on(date) {
                p.starts.push(s.timestamp());
                p.ends.push(e.timestamp());
                p.before.push(acc);
                acc += e.timestamp() - s.timestamp();
                p.after.push(acc);
            }
            date = date
                .succ_opt()
                .ok_or(CalendarError::OutOfRange(last_year))?;
        }
        if p.starts.is_empty() {
            return Err(CalendarError::NeverOpen);
        }
        Ok(p)
    }

    /// The years laid out.
    pub fn years(&self) -> (i32, i32) {
        (self.first_year, self.last_year)
    }

    /// Working seconds from the start of the span to `t` (clamped to the span).
    #[inline]
    fn position(&self, t: i64) -> i64 {
        // The first interval ending after t.
        let i = self.ends.partition_point(|&e| e <= t);
        if i == self.ends.len() {
            return self.after[i - 1];
        }
        self.before[i] + (t - self.starts[i]).max(0)
    }

    /// The due instant, in UTC seconds, of `seconds` of working time from `from` (UTC seconds);
    /// `None` beyond the span. Same rule as [`Calendar::add_working`].
    #[inline]
    pub fn add_seconds(&self, from: i64, seconds: i64) -> Option<i64> {
        if seconds <= 0 {
            let i = self.ends.partition_point(|&e| e <= from);
            return (i < self.ends.len()).then(|| from.max(self.starts[i]));
        }
        if from >= self.ends[self.ends.len() - 1] {
            return None;
        }
        let target = self.position(from) + seconds;
        // The first interval whose working time, once done, reaches the target.
        let j = self.after.partition_point(|&a| a < target);
        (j < self.after.len()).then(|| self.starts[j] + (target - self.before[j]))
    }

    pub fn add_working(&self, from: DateTime<Utc>, d: Duration) -> Option<DateTime<Utc>> {
        self.add_seconds(from.timestamp(), d.num_seconds())
            .and_then(|s| DateTime::from_timestamp(s, 0))
    }

    /// Working seconds between two instants inside the span.
    pub fn working_seconds_between(&self, from: i64, to: i64) -> i64 {
        (self.position(to) - self.position(from)).max(0)
    }
}

/// The offset-carrying Rome form of an instant: `2026-11-24T11:30:00+01:00`.
pub fn rfc3339_rome(t: DateTime<Utc>) -> String {
    t.with_timezone::<Tz>(&ROME)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

#[cfg(test)]
#[path = "calendar/tests.rs"]
mod tests;
