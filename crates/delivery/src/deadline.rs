//! The delivery deadline (*tempo di attivazione*) of a service card: "within N working days"
//! (in the entity's working calendar) or "within N calendar days" of the approval.

use catalog::service::{DayKind, DeliveryTime};
use chrono::{Days, NaiveDate};

/// The day a request approved on `approved` is due: the N-th working (or calendar) day after
/// it. `working` says whether a day is a working day in the entity's calendar. `None` when no
/// working day comes within ten years (a calendar with no working time).
pub fn due_date(
    approved: NaiveDate,
    time: DeliveryTime,
    working: impl Fn(NaiveDate) -> bool,
) -> Option<NaiveDate> {
    match time.kind {
        DayKind::Calendar => approved.checked_add_days(Days::new(u64::from(time.days))),
        DayKind::Working => {
            let mut day = approved;
            let mut left = time.days;
            let mut steps = 0u32;
            while left > 0 {
                day = day.succ_opt()?;
                steps += 1;
                if steps > 3_660 {
                    return None;
                }
                if working(day) {
                    left -= 1;
                }
            }
            Some(day)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Monday to Friday, with the Italian holidays of the test.
    fn weekdays(day: NaiveDate) -> bool {
        let holidays = [
            d("2026-12-08"),
            d("2026-12-25"),
            d("2026-12-26"),
            d("2027-01-01"),
        ];
        day.weekday().num_days_from_monday() < 5 && !holidays.contains(&day)
    }

    fn working(days: u32) -> DeliveryTime {
        DeliveryTime {
            days,
            kind: DayKind::Working,
        }
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // (approved, days, due)
        for (approved, days, due) in [
            ("2026-12-01", 1, "2026-12-02"), // Tuesday → Wednesday
            ("2026-12-04", 1, "2026-12-07"), // Friday → Monday
            ("2026-12-04", 2, "2026-12-09"), // Friday → Wednesday: 8 December is a holiday
            ("2026-12-05", 1, "2026-12-07"), // approved on a Saturday → Monday
            ("2026-12-23", 3, "2026-12-29"), // across Christmas
            ("2026-12-30", 3, "2027-01-05"), // across New Year
            ("2026-12-01", 0, "2026-12-01"), // nothing to wait
        ] {
            assert_eq!(
                due_date(d(approved), working(days), weekdays),
                Some(d(due)),
                "{approved} + {days}"
            );
        }
    }

    #[test]
    fn calendar_days_count_every_day() {
        let t = DeliveryTime {
            days: 30,
            kind: DayKind::Calendar,
        };
        assert_eq!(
            due_date(d("2026-12-15"), t, |_| false),
            Some(d("2027-01-14"))
        );
    }

    #[test]
    fn a_calendar_without_working_days_has_no_deadline() {
        assert_eq!(due_date(d("2026-12-01"), working(1), |_| false), None);
    }

    proptest! {
        /// The due day is a working day, after the approval, with exactly N working days in
        /// between (the due day included).
        #[test]
        fn the_due_day_is_the_nth_working_day(start in 0i64..3_000, days in 1u32..60) {
            let approved = d("2024-01-01") + chrono::Duration::days(start);
            let due = due_date(approved, working(days), weekdays).unwrap();
            prop_assert!(due > approved);
            prop_assert!(weekdays(due));
            let counted = approved.iter_days().skip(1).take_while(|x| *x <= due).filter(|x| weekdays(*x)).count();
            prop_assert_eq!(counted, days as usize);
        }
    }
}
