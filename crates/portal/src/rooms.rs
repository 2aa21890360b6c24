//! Rooms booked by the hour (pure code): the hours a request covers on a day in Rome, inside
//! the room's opening hours, and the rule of rooms: a request takes all of its hours or none,
//! and no hour is ever held by two bookings.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Rome;

/// The longest booking, in hours.
pub const MAX_HOURS: u32 = 12;

/// Why a request's hours are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoursRefused {
    /// `to` is not after `from`.
    Empty,
    /// Outside the room's opening hours.
    Outside { opens: u32, closes: u32 },
    /// Longer than [`MAX_HOURS`].
    TooLong,
    /// An hour that does not exist that day (the spring change of time).
    NoSuchHour,
}

impl std::fmt::Display for HoursRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("l'ora di fine deve venire dopo quella d'inizio"),
            Self::Outside { opens, closes } => write!(
                f,
                "la sala si prenota dalle {opens:02}:00 alle {closes:02}:00"
            ),
            Self::TooLong => write!(f, "si prenota al massimo per {MAX_HOURS} ore di seguito"),
            Self::NoSuchHour => f.write_str(
                "quell'ora non esiste in quel giorno (cambio dell'ora legale): sceglierne un'altra",
            ),
        }
    }
}

/// The start (UTC) of each hour from `from` to `to` (whole hours of `day` in Rome; `to` may be
/// 24, midnight of the next day) in a room open from `opens` to `closes`. On the autumn change
/// of time the night has one hour more, on the spring change one less.
pub fn hours_of(
    day: NaiveDate,
    from: u32,
    to: u32,
    opens: u32,
    closes: u32,
) -> Result<Vec<DateTime<Utc>>, HoursRefused> {
    if to <= from {
        return Err(HoursRefused::Empty);
    }
    if from < opens || to > closes || to > 24 {
        return Err(HoursRefused::Outside { opens, closes });
    }
    if to - from > MAX_HOURS {
        return Err(HoursRefused::TooLong);
    }
    let at = |h: u32| -> Result<DateTime<Utc>, HoursRefused> {
        let (d, h) = if h == 24 {
            (day.succ_opt().ok_or(HoursRefused::NoSuchHour)?, 0)
        } else {
            (day, h)
        };
        let local = d.and_hms_opt(h, 0, 0).ok_or(HoursRefused::NoSuchHour)?;
        Rome.from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or(HoursRefused::NoSuchHour)
    };
    let (start, end) = (at(from)?, at(to)?);
    let mut out = Vec::new();
    let mut t = start;
    while t < end {
        out.push(t);
        t += chrono::Duration::hours(1);
    }
    Ok(out)
}

/// Takes `wanted` into `held` when none of its hours is held already (all or nothing); says
/// whether it did.
pub fn take(held: &mut BTreeSet<DateTime<Utc>>, wanted: &[DateTime<Utc>]) -> bool {
    if wanted.iter().any(|h| held.contains(h)) {
        return false;
    }
    held.extend(wanted.iter().copied());
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }
    fn iso(v: &[DateTime<Utc>]) -> Vec<String> {
        v.iter()
            .map(|t| t.format("%Y-%m-%dT%H:%MZ").to_string())
            .collect()
    }

    #[test]
    fn a_request_covers_its_whole_hours_in_rome() {
        type Case = (
            &'static str,
            u32,
            u32,
            Result<Vec<&'static str>, HoursRefused>,
        );
        let cases: &[Case] = &[
            // Winter: 18–20 in Rome is 17–19 UTC.
            (
                "2026-12-10",
                18,
                20,
                Ok(vec!["2026-12-10T17:00Z", "2026-12-10T18:00Z"]),
            ),
            // Summer: one hour less from UTC.
            ("2026-07-01", 9, 10, Ok(vec!["2026-07-01T07:00Z"])),
            // Until midnight.
            ("2026-12-10", 23, 24, Ok(vec!["2026-12-10T22:00Z"])),
            ("2026-12-10", 20, 20, Err(HoursRefused::Empty)),
            ("2026-12-10", 21, 19, Err(HoursRefused::Empty)),
            (
                "2026-12-10",
                7,
                9,
                Err(HoursRefused::Outside {
                    opens: 8,
                    closes: 24,
                }),
            ),
            ("2026-12-10", 8, 21, Err(HoursRefused::TooLong)),
        ];
        for (day, from, to, want) in cases {
            let got = hours_of(d(day), *from, *to, 8, 24);
            let want: Result<Vec<String>, HoursRefused> = want
                .clone()
                .map(|v| v.iter().map(|s| s.to_string()).collect());
            assert_eq!(got.map(|v| iso(&v)), want, "{day} {from}-{to}");
        }
    }

    #[test]
    fn the_nights_of_the_change_of_time() {
        // 25 October 2026: 00–04 in Rome has five hours (02:00 happens twice).
        let autumn = hours_of(d("2026-10-25"), 0, 4, 0, 24).unwrap_or_default();
        assert_eq!(autumn.len(), 5);
        // 29 March 2026: 00–04 has three (02:00 does not exist), and 02:00 cannot start.
        let spring = hours_of(d("2026-03-29"), 0, 4, 0, 24).unwrap_or_default();
        assert_eq!(spring.len(), 3);
        assert_eq!(
            hours_of(d("2026-03-29"), 2, 3, 0, 24),
            Err(HoursRefused::NoSuchHour)
        );
    }

    #[test]
    fn requests_take_all_their_hours_or_none() {
        let day = d("2026-12-10");
        let h = |a, b| hours_of(day, a, b, 0, 24).unwrap_or_default();
        let mut held = BTreeSet::new();
        assert!(take(&mut held, &h(18, 20)));
        // 19–21 overlaps at 19: refused, and 20 stays free.
        assert!(!take(&mut held, &h(19, 21)));
        assert!(take(&mut held, &h(20, 21)));
        assert!(take(&mut held, &h(17, 18)));
        assert_eq!(held.len(), 4);
    }

    proptest! {
        /// Whatever the requests and their order, no hour is held twice and every request is
        /// taken whole or not at all.
        #[test]
        fn no_hour_is_ever_held_twice(reqs in proptest::collection::vec((0u32..24, 1u32..6), 0..60)) {
            let day = d("2026-12-10");
            let mut held = BTreeSet::new();
            let mut taken: Vec<Vec<DateTime<Utc>>> = vec![];
            for (from, len) in reqs {
                let Ok(hours) = hours_of(day, from, (from + len).min(24), 0, 24) else { continue };
                let before = held.len();
                if take(&mut held, &hours) {
                    prop_assert_eq!(held.len(), before + hours.len());
                    taken.push(hours);
                } else {
                    prop_assert_eq!(held.len(), before);
                }
            }
            let all: Vec<_> = taken.iter().flatten().collect();
            let unique: BTreeSet<_> = all.iter().collect();
            prop_assert_eq!(all.len(), unique.len());
        }
    }
}
