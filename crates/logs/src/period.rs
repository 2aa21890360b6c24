//! Pure rules of the sealed exports and the retention: the days of a period in Rome, which
//! periods a schedule owes, and up to which day a purge may go.

use chrono::{Datelike, NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};

/// The legal floor of the retention: six months (the Garante's rule), as days.
pub const MIN_RETENTION_DAYS: i64 = 183;
/// The retention of an entity that set none: one year.
pub const DEFAULT_RETENTION_DAYS: i64 = 365;
/// At most this many periods are exported by one round of the schedule (a long-idle
/// schedule catches up over several rounds).
pub const MAX_PERIODS_PER_ROUND: usize = 31;

/// How often an entity's records are exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportEvery {
    Daily,
    Weekly,
    Monthly,
}

impl ExportEvery {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "daily" => Some(Self::Daily),
            "weekly" => Some(Self::Weekly),
            "monthly" => Some(Self::Monthly),
            _ => None,
        }
    }

    /// The period of this schedule that contains `day`: the day, its ISO week (Monday to
    /// Sunday), or its calendar month.
    pub fn period_of(self, day: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self {
            Self::Daily => (day, day),
            Self::Weekly => {
                let monday =
                    day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()));
                (monday, monday + chrono::Days::new(6))
            }
            Self::Monthly => {
                let first = day.with_day(1).unwrap_or(day);
                let next = first
                    .checked_add_months(chrono::Months::new(1))
                    .unwrap_or(first);
                (first, next.pred_opt().unwrap_or(first))
            }
        }
    }
}

/// The first instant (µs since the epoch) of a day in Rome.
pub fn day_start(day: NaiveDate) -> i64 {
    let local = day.and_time(chrono::NaiveTime::MIN);
    chrono_tz::Europe::Rome
        .from_local_datetime(&local)
        .earliest()
        .map_or_else(
            || local.and_utc().timestamp_micros(),
            |t| t.timestamp_micros(),
        )
}

/// The day in Rome of an instant (µs since the epoch).
pub fn day_of(micros: i64) -> NaiveDate {
    let t = chrono::DateTime::from_timestamp_micros(micros).unwrap_or_default();
    t.with_timezone(&chrono_tz::Europe::Rome).date_naive()
}

/// The periods a schedule owes on `today`, oldest first: whole periods that ended before
/// `today`, after the last one exported (`last_to`, its last day), or starting with the
/// period of `first_day` (the oldest record kept) when nothing was exported yet. At most
/// [`MAX_PERIODS_PER_ROUND`].
pub fn due_periods(
    every: ExportEvery,
    first_day: NaiveDate,
    last_to: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<(NaiveDate, NaiveDate)> {
    let mut from = match last_to.and_then(|d| d.succ_opt()) {
        Some(d) => d,
        None => every.period_of(first_day).0,
    };
    let mut out = Vec::new();
    while out.len() < MAX_PERIODS_PER_ROUND {
        let (start, end) = every.period_of(from);
        // A period begun inside (after an export on request) runs from where it left off.
        let start = start.max(from);
        if end >= today {
            break;
        }
        out.push((start, end));
        match end.succ_opt() {
            Some(d) => from = d,
            None => break,
        }
    }
    out
}

/// The first day of the store that a purge may remove up to (excluded) on `today`: the
/// retention's limit, but never past the end of what verified exports cover without a gap
/// from `oldest` (the oldest record kept). `exported` are the verified exports' periods
/// (first and last day, included), in any order. None: nothing may be purged.
pub fn purge_limit(
    today: NaiveDate,
    retention_days: i64,
    oldest: NaiveDate,
    exported: &[(NaiveDate, NaiveDate)],
) -> Option<NaiveDate> {
    let keep_from =
        today - chrono::Days::new(u64::try_from(retention_days.max(MIN_RETENTION_DAYS)).ok()?);
    let mut periods = exported.to_vec();
    periods.sort();
    // How far exports cover the store from its oldest day, without a hole.
    let mut covered_to: Option<NaiveDate> = None;
    let mut next = oldest;
    for (from, to) in periods {
        if from > next {
            break;
        }
        if to >= next {
            covered_to = Some(to);
            next = match to.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
    }
    let covered_until = covered_to?.succ_opt()?;
    let limit = keep_from.min(covered_until);
    (limit > oldest).then_some(limit)
}

/// A day written `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_day(s).unwrap()
    }

    #[test]
    fn periods_of_each_schedule() {
        let cases = [
            (ExportEvery::Daily, "2026-12-04", "2026-12-04", "2026-12-04"),
            (
                ExportEvery::Weekly,
                "2026-12-04",
                "2026-11-30",
                "2026-12-06",
            ),
            (
                ExportEvery::Weekly,
                "2026-11-30",
                "2026-11-30",
                "2026-12-06",
            ),
            (
                ExportEvery::Monthly,
                "2026-02-14",
                "2026-02-01",
                "2026-02-28",
            ),
            (
                ExportEvery::Monthly,
                "2028-02-29",
                "2028-02-01",
                "2028-02-29",
            ),
            (
                ExportEvery::Monthly,
                "2026-12-31",
                "2026-12-01",
                "2026-12-31",
            ),
        ];
        for (every, day, from, to) in cases {
            assert_eq!(every.period_of(d(day)), (d(from), d(to)), "{every:?} {day}");
        }
    }

    #[test]
    fn a_schedule_owes_whole_past_periods_after_the_last_export() {
        let today = d("2026-12-04");
        assert_eq!(
            due_periods(ExportEvery::Daily, d("2026-12-01"), None, today),
            vec![
                (d("2026-12-01"), d("2026-12-01")),
                (d("2026-12-02"), d("2026-12-02")),
                (d("2026-12-03"), d("2026-12-03"))
            ]
        );
        assert_eq!(
            due_periods(
                ExportEvery::Daily,
                d("2026-12-01"),
                Some(d("2026-12-03")),
                today
            ),
            vec![]
        );
        // The current week is not over: only last week.
        assert_eq!(
            due_periods(ExportEvery::Weekly, d("2026-11-25"), None, today),
            vec![(d("2026-11-23"), d("2026-11-29"))]
        );
        // An export on request up to the 10th: the month goes on from the 11th.
        assert_eq!(
            due_periods(
                ExportEvery::Monthly,
                d("2026-10-01"),
                Some(d("2026-10-10")),
                today
            ),
            vec![
                (d("2026-10-11"), d("2026-10-31")),
                (d("2026-11-01"), d("2026-11-30"))
            ]
        );
        // A long silence catches up at most 31 periods at a time, oldest first.
        let many = due_periods(ExportEvery::Daily, d("2025-01-01"), None, today);
        assert_eq!(many.len(), MAX_PERIODS_PER_ROUND);
        assert_eq!(many[0], (d("2025-01-01"), d("2025-01-01")));
    }

    #[test]
    fn a_purge_stops_at_the_retention_and_at_the_first_hole_in_the_exports() {
        let today = d("2026-12-04");
        let oldest = d("2026-01-01");
        // Retention 183 days: keep from 2026-06-04.
        let all = [(d("2026-01-01"), d("2026-11-30"))];
        assert_eq!(purge_limit(today, 183, oldest, &all), Some(d("2026-06-04")));
        // Exports only to the end of March: no further.
        let march = [
            (d("2026-01-01"), d("2026-01-31")),
            (d("2026-02-01"), d("2026-03-31")),
        ];
        assert_eq!(
            purge_limit(today, 183, oldest, &march),
            Some(d("2026-04-01"))
        );
        // A hole in February: only January.
        let holed = [
            (d("2026-01-01"), d("2026-01-31")),
            (d("2026-02-02"), d("2026-11-30")),
        ];
        assert_eq!(
            purge_limit(today, 183, oldest, &holed),
            Some(d("2026-02-01"))
        );
        // Nothing exported, or the first day missing: nothing.
        assert_eq!(purge_limit(today, 183, oldest, &[]), None);
        assert_eq!(
            purge_limit(today, 183, oldest, &[(d("2026-01-02"), d("2026-11-30"))]),
            None
        );
        // A retention under the floor counts as the floor; a long one purges nothing yet.
        assert_eq!(purge_limit(today, 30, oldest, &all), Some(d("2026-06-04")));
        assert_eq!(purge_limit(today, 400, oldest, &all), None);
    }

    #[test]
    fn days_start_at_midnight_in_rome() {
        // Winter: UTC+1.
        assert_eq!(
            day_start(d("2026-12-04")),
            chrono::DateTime::parse_from_rfc3339("2026-12-03T23:00:00Z")
                .unwrap()
                .timestamp_micros()
        );
        assert_eq!(day_of(day_start(d("2026-07-01"))), d("2026-07-01"));
        assert_eq!(day_of(day_start(d("2026-07-01")) - 1), d("2026-06-30"));
    }
}
