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

#[cfg(test)]
mod tests {
    #[test]
    fn stored_form_round_trips_and_sorts() {
        let a = super::parse("2026-03-29T00:59:59.5+00:00").map(super::format);
        assert_eq!(a.as_deref(), Some("2026-03-29T00:59:59.500000Z"));
        let b = super::format(chrono::DateTime::UNIX_EPOCH);
        assert!(b < a.unwrap_or_default());
    }
}
