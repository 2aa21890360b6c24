//! Appointment slots of an office (pure code): a weekly timetable turned into dated slots in the
//! entity's time zone, skipping the days the entity's calendar closes (holidays, closures), and
//! the rule of places: a slot takes as many bookings as it has places, never one more.

use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Rome;

/// A weekly opening of an office: on `weekday`, from `start` to `end`, slots of `minutes`
/// minutes each with `places` places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    pub weekday: Weekday,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub minutes: u32,
    pub places: u32,
}

/// A slot to publish: its start (UTC), length and places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub starts_at: chrono::DateTime<Utc>,
    pub minutes: u32,
    pub places: u32,
}

/// The slots of `openings` on the days `from..=to` (Rome time) that `open(day)` says are open.
/// A slot that would end after its opening's end is not made; a start that does not exist on
/// a day (the spring change of time) is skipped.
pub fn expand(
    openings: &[Opening],
    from: NaiveDate,
    to: NaiveDate,
    open: impl Fn(NaiveDate) -> bool,
) -> Vec<Slot> {
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        if open(day) {
            for o in openings.iter().filter(|o| o.weekday == day.weekday()) {
                if o.minutes == 0 {
                    continue;
                }
                let step = chrono::Duration::minutes(i64::from(o.minutes));
                let mut t = o.start;
                while t < o.end {
                    let (end, wrapped) = t.overflowing_add_signed(step);
                    if wrapped != 0 || end > o.end {
                        break;
                    }
                    if let Some(at) = Rome.from_local_datetime(&day.and_time(t)).earliest() {
                        out.push(Slot {
                            starts_at: at.with_timezone(&Utc),
                            minutes: o.minutes,
                            places: o.places,
                        });
                    }
                    t = end;
                }
            }
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    out.sort_by_key(|s| s.starts_at);
    out
}

/// Whether one more booking fits in a slot of `places` places that has `booked` bookings.
pub fn fits(places: u32, booked: u32) -> bool {
    booked < places
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }
    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn a_weekly_timetable_becomes_slots_on_open_days() {
        let anagrafe = [
            Opening {
                weekday: Weekday::Mon,
                start: hm(9, 0),
                end: hm(10, 0),
                minutes: 20,
                places: 1,
            },
            Opening {
                weekday: Weekday::Thu,
                start: hm(15, 0),
                end: hm(16, 10),
                minutes: 30,
                places: 2,
            },
        ];
        // Mon 7 December 2026 to Tue 8 December (the Immaculate Conception, a holiday).
        let slots = expand(&anagrafe, d("2026-12-07"), d("2026-12-10"), |day| {
            day != d("2026-12-08")
        });
        let starts: Vec<String> = slots.iter().map(|s| s.starts_at.to_rfc3339()).collect();
        assert_eq!(
            starts,
            [
                "2026-12-07T08:00:00+00:00",
                "2026-12-07T08:20:00+00:00",
                "2026-12-07T08:40:00+00:00",
                // 15:00 and 15:30; 16:00–16:30 would pass 16:10.
                "2026-12-10T14:00:00+00:00",
                "2026-12-10T14:30:00+00:00",
            ]
        );
        assert_eq!(slots[3].places, 2);
        // A closed Monday has none.
        assert!(expand(&anagrafe, d("2026-12-07"), d("2026-12-07"), |_| false).is_empty());
        // Summer time: 9:00 in Rome is 7:00 UTC.
        let june = expand(&anagrafe, d("2026-06-01"), d("2026-06-01"), |_| true);
        assert_eq!(june[0].starts_at.to_rfc3339(), "2026-06-01T07:00:00+00:00");
    }

    #[test]
    fn a_night_opening_does_not_wrap_past_midnight() {
        let late = [Opening {
            weekday: Weekday::Fri,
            start: hm(23, 0),
            end: hm(23, 59),
            minutes: 45,
            places: 1,
        }];
        let slots = expand(&late, d("2026-12-04"), d("2026-12-04"), |_| true);
        assert_eq!(slots.len(), 1);
    }

    proptest! {
        /// Slots of one opening never overlap, stay inside it and keep its length and places.
        #[test]
        fn slots_stay_inside_their_opening(
            sh in 0u32..23, len in 1u32..600, minutes in 1u32..240, places in 1u32..10,
            day in 0u64..3650,
        ) {
            let start = hm(sh, 0);
            let end = start.overflowing_add_signed(chrono::Duration::minutes(i64::from(len))).0.max(start);
            let from = d("2026-01-01") + chrono::Days::new(day);
            let o = Opening { weekday: from.weekday(), start, end, minutes, places };
            let slots = expand(&[o], from, from, |_| true);
            let fit = end.signed_duration_since(start).num_minutes() / i64::from(minutes);
            prop_assert!(slots.len() as i64 <= fit);
            for p in slots.windows(2) {
                prop_assert!(p[0].starts_at + chrono::Duration::minutes(i64::from(minutes)) <= p[1].starts_at);
            }
            prop_assert!(slots.iter().all(|s| s.places == places && s.minutes == minutes));
        }

        /// Bookings one by one never pass the places.
        #[test]
        fn never_more_bookings_than_places(places in 0u32..50, tries in 0u32..200) {
            let mut booked = 0;
            for _ in 0..tries {
                if fits(places, booked) { booked += 1; }
            }
            prop_assert_eq!(booked, places.min(tries));
        }
    }
}
