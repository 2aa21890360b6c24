//! Timestamps as stored: UTC, RFC 3339 with microseconds and a `Z`, so that the text sorts
//! in time order and reads the same on SQLite and PostgreSQL (and in the audit hash).

use chrono::{DateTime, SecondsFormat, Utc};

pub fn format(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn now() -> String {
    format(Utc::now())
}

pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The time zone of the people using cst.
pub const ROME: chrono_tz::Tz = chrono_tz::Europe::Rome;

/// This year, in Rome (on New Year's Eve after 23:00 UTC it is already the next one).
pub fn current_year() -> i32 {
    use chrono::Datelike;
    Utc::now().with_timezone(&ROME).year()
}

/// Today's date in Rome: the day agreements, price lists and deadlines are judged on.
pub fn today() -> chrono::NaiveDate {
    Utc::now().with_timezone(&ROME).date_naive()
}

/// A date as Italians write it: `01/03/2026`.
pub fn display_date(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The Italian months, lower-case as Italians write them.
pub const MONTHS: [&str; 12] = [
    "gennaio",
    "febbraio",
    "marzo",
    "aprile",
    "maggio",
    "giugno",
    "luglio",
    "agosto",
    "settembre",
    "ottobre",
    "novembre",
    "dicembre",
];

/// A month in words: `ottobre 2026`.
pub fn display_month(year: i32, month: u32) -> String {
    let name = MONTHS
        .get(usize::try_from(month).unwrap_or(0).wrapping_sub(1))
        .copied()
        .unwrap_or("?");
    format!("{name} {year}")
}

/// A date in words: `4 dicembre 2026`.
pub fn display_long_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let month = display_month(d.year(), d.month());
    format!("{} {month}", d.day())
}

/// A stored timestamp as an Italian reader expects it: `23/11/2026 10:15` in Rome's time
/// (daylight saving included). An unreadable value is shown as it is.
pub fn display_rome(stored: &str) -> String {
    parse(stored).map_or_else(|| stored.to_owned(), display_instant)
}

/// An instant as an Italian reader expects it: `23/11/2026 10:15` in Rome's time.
pub fn display_instant(t: DateTime<Utc>) -> String {
    t.with_timezone(&ROME).format("%d/%m/%Y %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn shown_in_rome_time_across_daylight_saving() {
        assert_eq!(
            super::display_rome("2026-01-15T09:30:00.000000Z"),
            "15/01/2026 10:30"
        );
        assert_eq!(
            super::display_rome("2026-07-15T09:30:00.000000Z"),
            "15/07/2026 11:30"
        );
        assert_eq!(super::display_rome("nonsense"), "nonsense");
    }

    #[test]
    fn stored_form_round_trips_and_sorts() {
        let a = super::parse("2026-03-29T00:59:59.5+00:00").map(super::format);
        assert_eq!(a.as_deref(), Some("2026-03-29T00:59:59.500000Z"));
        let b = super::format(chrono::DateTime::UNIX_EPOCH);
        assert!(b < a.unwrap_or_default());
    }
}

/// The time as the use cases see it: the system clock in production, a clock that tests set
/// and move (`fixed`, `advance`), so warranties, leases, deadlines, throttles and schedules
/// are tested by moving time instead of sleeping. Cloning shares the same clock.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Option<std::sync::Arc<std::sync::Mutex<DateTime<Utc>>>>,
}

impl Clock {
    /// The machine's clock.
    pub fn system() -> Self {
        Self { fixed: None }
    }

    /// A clock standing at `at` until moved.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self {
            fixed: Some(std::sync::Arc::new(std::sync::Mutex::new(at))),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.fixed {
            None => Utc::now(),
            Some(t) => *t.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Moves a fixed clock forward (a system clock moves by itself: ignored).
    pub fn advance(&self, by: chrono::Duration) {
        if let Some(t) = &self.fixed {
            let mut t = t.lock().unwrap_or_else(|p| p.into_inner());
            *t += by;
        }
    }

    /// Puts a fixed clock at `at` (a system clock cannot be set: ignored).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(t) = &self.fixed {
            *t.lock().unwrap_or_else(|p| p.into_inner()) = at;
        }
    }

    /// Today in Rome by this clock.
    pub fn today(&self) -> chrono::NaiveDate {
        self.now().with_timezone(&ROME).date_naive()
    }
}

#[cfg(test)]
mod words_tests {
    #[test]
    fn months_and_dates_in_words() {
        assert_eq!(super::display_month(2026, 10), "ottobre 2026");
        assert_eq!(super::display_month(2026, 13), "? 2026");
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert_eq!(super::display_long_date(d), "4 dicembre 2026");
    }
}

#[cfg(test)]
mod clock_tests {
    use super::*;

    #[test]
    fn a_fixed_clock_moves_only_when_told_and_clones_share_it() {
        let start = parse("2026-12-31T22:30:00Z").unwrap();
        let c = Clock::fixed(start);
        let shared = c.clone();
        assert_eq!(c.now(), start);
        assert_eq!(c.today().to_string(), "2026-12-31");
        shared.advance(chrono::Duration::hours(1));
        assert_eq!(c.now(), start + chrono::Duration::hours(1));
        assert_eq!(
            c.today().to_string(),
            "2027-01-01",
            "Rome is already in 2027"
        );
    }
}

/// The day of the week in Italian, lower case: `lunedì` … `domenica`.
pub fn weekday_name(d: chrono::Weekday) -> &'static str {
    const DAYS: [&str; 7] = [
        "lunedì",
        "martedì",
        "mercoledì",
        "giovedì",
        "venerdì",
        "sabato",
        "domenica",
    ];
    DAYS[d.num_days_from_monday() as usize]
}

/// An instant as people and the API write it: RFC 3339 (`2027-01-16T17:30:00Z`), a local time
/// in Rome (`2027-01-16T18:30`, seconds optional), or a day (`2027-01-16`) taken at `day_time`
/// in Rome. `None` for anything else, or a local time that does not exist (the spring gap).
pub fn parse_rome(v: &str, day_time: chrono::NaiveTime) -> Option<DateTime<Utc>> {
    use chrono::{NaiveDate, NaiveDateTime, TimeZone};
    let v = v.trim();
    if let Some(t) = parse(v) {
        return Some(t);
    }
    NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M"))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(day_time))
        })
        .and_then(|l| ROME.from_local_datetime(&l).earliest())
        .map(|t| t.with_timezone(&Utc))
}
