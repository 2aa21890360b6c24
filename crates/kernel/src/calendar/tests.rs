use super::*;
use proptest::prelude::*;

/// A Rome wall-clock time, `2026-11-23 10:00`.
fn at(s: &str) -> DateTime<Utc> {
    let n = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    ROME.from_local_datetime(&n)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn h(hours: f64) -> Duration {
    Duration::seconds((hours * 3600.0) as i64)
}

/// Both implementations, which must agree.
fn due(cal: &Calendar, from: &str, hours: f64) -> DateTime<Utc> {
    let reference = cal.add_working(at(from), h(hours)).unwrap();
    let pre = Precomputed::new(cal, 2018, 2040).unwrap();
    assert_eq!(
        pre.add_working(at(from), h(hours)),
        Some(reference),
        "{from} + {hours} h"
    );
    reference
}

fn cal(name: &str) -> Calendar {
    Calendar::preset(name).unwrap()
}

#[test]
fn easter_sundays() {
    for (y, e) in [
        (2000, "2000-04-23"),
        (2019, "2019-04-21"),
        (2024, "2024-03-31"),
        (2025, "2025-04-20"),
        (2026, "2026-04-05"),
        (2027, "2027-03-28"),
        (2028, "2028-04-16"),
        (2038, "2038-04-25"),
        (2285, "2285-03-22"),
    ] {
        assert_eq!(easter_sunday(y), Some(d(e)), "{y}");
    }
}

#[test]
fn italian_holidays_by_year() {
    let c = cal("padova");
    for day in [
        "2026-01-01",
        "2026-01-06",
        "2026-04-06",
        "2026-04-25",
        "2026-05-01",
        "2026-06-02",
        "2026-06-13",
        "2026-08-15",
        "2026-10-04",
        "2026-11-01",
        "2026-12-08",
        "2026-12-25",
        "2026-12-26",
        "2025-04-21",
        "2027-03-29",
        "2027-10-04",
        "2028-04-17",
    ] {
        assert!(c.is_closed(d(day)), "{day} is a holiday");
    }
    // 4 October is a national holiday only from 2026 (L. 151/2025).
    assert!(!c.is_closed(d("2025-10-04")));
    // Easter Sunday itself is a Sunday; the day after it is the holiday.
    assert!(!c.is_closed(d("2026-04-07")));
    // The patron saint belongs to Padova's calendar, not to the others.
    assert!(!cal("consorzio-it").is_closed(d("2025-06-13")));
    // Republic Day was moved to a Sunday from 1977 to 2000.
    assert!(!c.is_closed(d("1999-06-02")));
    assert!(c.is_closed(d("2001-06-02")));
}

#[test]
fn within_a_day_and_across_the_lunch_break() {
    let c = cal("consorzio-it");
    assert_eq!(due(&c, "2026-11-23 09:00", 2.0), at("2026-11-23 11:00"));
    assert_eq!(due(&c, "2026-11-23 12:00", 1.0), at("2026-11-23 14:30"));
    // 10:00 + 8 h: 2.5 h in the morning, 4 h in the afternoon, 1.5 h on Tuesday.
    assert_eq!(due(&c, "2026-11-23 10:00", 8.0), at("2026-11-24 10:00"));
    assert_eq!(due(&c, "2026-11-23 10:00", 16.0), at("2026-11-25 10:00"));
}

#[test]
fn a_deadline_that_uses_up_an_interval_lands_on_its_closing_time() {
    assert_eq!(
        due(&cal("consorzio-it"), "2026-11-23 08:30", 4.0),
        at("2026-11-23 12:30")
    );
    assert_eq!(
        due(&cal("consorzio-it"), "2026-11-23 08:30", 8.0),
        at("2026-11-23 18:00")
    );
    assert_eq!(
        due(&cal("padova"), "2026-11-27 09:00", 4.0),
        at("2026-11-27 13:00")
    );
    assert_eq!(
        due(&cal("padova"), "2026-11-23 09:00", 7.5),
        at("2026-11-23 16:30")
    );
}

#[test]
fn starts_outside_working_hours() {
    let c = cal("consorzio-it");
    // Saturday morning, Sunday night, before opening, at lunch, after closing.
    assert_eq!(due(&c, "2026-11-21 10:00", 1.0), at("2026-11-23 09:30"));
    assert_eq!(due(&c, "2026-11-22 23:59", 1.0), at("2026-11-23 09:30"));
    assert_eq!(due(&c, "2026-11-23 07:00", 1.0), at("2026-11-23 09:30"));
    assert_eq!(due(&c, "2026-11-23 13:00", 1.0), at("2026-11-23 15:00"));
    assert_eq!(due(&c, "2026-11-23 19:00", 1.0), at("2026-11-24 09:30"));
    // Zero hours: the next opening, or the instant itself when open.
    assert_eq!(due(&c, "2026-11-21 10:00", 0.0), at("2026-11-23 08:30"));
    assert_eq!(due(&c, "2026-11-23 10:15", 0.0), at("2026-11-23 10:15"));
}

#[test]
fn holidays_and_the_christmas_bridge() {
    let c = cal("consorzio-it");
    // Thursday 24 December 17:00 + 8 h: 1 h, then Christmas, Santo Stefano and the weekend.
    assert_eq!(due(&c, "2026-12-24 17:00", 8.0), at("2026-12-28 17:00"));
    // Thursday 31 December 2026 17:00 + 16 h (low priority): 1 January is a holiday.
    assert_eq!(due(&c, "2026-12-31 17:00", 16.0), at("2027-01-05 17:00"));
    // Easter Monday 2026.
    assert_eq!(due(&c, "2026-04-03 17:00", 2.0), at("2026-04-07 09:30"));
    // Padova's patron: Thursday 12 June 2025 16:00 + 1 h, Friday 13 June closed.
    assert_eq!(
        due(&cal("padova"), "2025-06-12 16:00", 1.0),
        at("2025-06-16 09:30")
    );
    // A company closure is a closure.
    let mut closed = cal("padova");
    closed.closures.push(d("2026-11-24"));
    assert_eq!(
        due(&closed, "2026-11-23 16:00", 1.0),
        at("2026-11-25 09:30")
    );
}

#[test]
fn saturday_mornings_in_the_ltt_calendar() {
    let c = cal("ltt");
    assert_eq!(due(&c, "2026-11-21 09:00", 4.0), at("2026-11-21 13:00"));
    assert_eq!(due(&c, "2026-11-21 12:00", 2.0), at("2026-11-23 10:00"));
    assert_eq!(due(&c, "2026-11-20 17:00", 3.0), at("2026-11-21 11:00"));
}

#[test]
fn daylight_saving_weeks() {
    let c = cal("consorzio-it");
    // Summer time starts on Sunday 29 March 2026: Friday 17:00 (UTC+1) + 4 h ends Monday
    // 11:30 in summer time (UTC+2), 09:30 UTC.
    let t = due(&c, "2026-03-27 17:00", 4.0);
    assert_eq!(t, at("2026-03-30 11:30"));
    assert_eq!(rfc3339_rome(t), "2026-03-30T11:30:00+02:00");
    assert_eq!(t.to_rfc3339(), "2026-03-30T09:30:00+00:00");
    // Winter time on Sunday 25 October 2026.
    let t = due(&c, "2026-10-23 17:00", 2.0);
    assert_eq!(rfc3339_rome(t), "2026-10-26T09:30:00+01:00");
    // A working week across the change is still 5 × 8 h.
    assert_eq!(
        c.working_between(at("2026-10-19 00:00"), at("2026-10-26 00:00")),
        Duration::hours(40)
    );
    assert_eq!(
        c.working_between(at("2026-03-23 00:00"), at("2026-03-30 18:00")),
        Duration::hours(48)
    );
}

#[test]
fn presets_and_bad_calendars() {
    for p in PRESETS {
        Calendar::preset(p).unwrap();
    }
    assert_eq!(
        Calendar::preset("roma").unwrap_err(),
        CalendarError::UnknownPreset("roma".into())
    );
    let mut c = cal("padova");
    c.week[0] = vec![iv((12, 0), (11, 0))];
    assert!(c.validate().is_err());
    c.week = Default::default();
    assert_eq!(c.validate(), Err(CalendarError::NeverOpen));
}

#[test]
fn the_precomputed_span_has_edges() {
    let p = Precomputed::new(&cal("padova"), 2026, 2026).unwrap();
    assert_eq!(p.add_working(at("2026-12-30 09:00"), h(100.0)), None);
    assert_eq!(p.add_working(at("2027-01-04 09:00"), h(1.0)), None);
    assert_eq!(p.years(), (2026, 2026));
}

fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 2024-01-01 to 2030-12-31, by minutes.
    (0i64..(7 * 366 * 24 * 60)).prop_map(|m| at("2024-01-01 00:00") + Duration::minutes(m))
}

fn any_preset() -> impl Strategy<Value = &'static str> {
    prop::sample::select(PRESETS.to_vec())
}

/// Each preset laid out once for all the property tests.
fn pre(p: &str) -> &'static Precomputed {
    static ALL: std::sync::LazyLock<Vec<(&str, Precomputed)>> = std::sync::LazyLock::new(|| {
        PRESETS
            .iter()
            .map(|p| {
                (
                    *p,
                    Precomputed::new(&Calendar::preset(p).unwrap(), 2023, 2040).unwrap(),
                )
            })
            .collect()
    });
    &ALL.iter().find(|(n, _)| *n == p).unwrap().1
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn adding_h1_then_h2_is_adding_h1_plus_h2(
        p in any_preset(), t in any_instant(), h1 in 1i64..200_000, h2 in 1i64..200_000
    ) {
        let pre = pre(p);
        let two = pre.add_seconds(pre.add_seconds(t.timestamp(), h1).unwrap(), h2);
        prop_assert_eq!(two, pre.add_seconds(t.timestamp(), h1 + h2));
    }

    #[test]
    fn the_two_implementations_agree(p in any_preset(), t in any_instant(), s in 0i64..300_000) {
        let c = cal(p);
        let r = c.add_working(t, Duration::seconds(s));
        prop_assert_eq!(pre(p).add_working(t, Duration::seconds(s)), r);
        // And exactly that much working time lies between.
        prop_assert_eq!(c.working_between(t, r.unwrap()), Duration::seconds(s).max(Duration::zero()));
    }

    #[test]
    fn a_due_time_is_never_inside_a_closure(p in any_preset(), t in any_instant(), s in 1i64..300_000) {
        let c = cal(p);
        let r = c.add_working(t, Duration::seconds(s)).unwrap();
        // A working instant, or the closing edge of one.
        prop_assert!(c.is_working(r) || c.is_working(r - Duration::seconds(1)), "{r}");
        prop_assert!(!c.is_closed(r.with_timezone(&ROME).date_naive()));
    }

    #[test]
    fn monotonic_in_the_start(p in any_preset(), t in any_instant(), later in 0i64..500_000, s in 0i64..200_000) {
        let pre = pre(p);
        let a = pre.add_seconds(t.timestamp(), s).unwrap();
        let b = pre.add_seconds(t.timestamp() + later, s).unwrap();
        prop_assert!(a <= b);
    }
}
