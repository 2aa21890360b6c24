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
