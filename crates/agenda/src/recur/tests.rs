#![allow(clippy::unwrap_used)]
use super::*;
use chrono::{NaiveTime, Timelike};
use proptest::prelude::*;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn weekly(start: NaiveDateTime, end: End) -> Series {
    Series {
        start,
        length: Duration::minutes(90),
        all_day: false,
        rule: Some(Rule {
            freq: Freq::Weekly,
            interval: 1,
            by_day: vec![],
            end,
        }),
        except: vec![],
    }
}

#[test]
fn a_weekly_meeting_keeps_its_wall_time_across_both_changes() {
    // Tuesdays at 9:00 from 17 March 2026: summer time starts on Sunday 29 March and ends on
    // Sunday 25 October.
    let s = weekly(at(2026, 3, 17, 9, 0), End::Never);
    let got = s.between(utc("2026-03-01T00:00:00Z"), utc("2026-04-08T00:00:00Z"));
    let starts: Vec<String> = got.iter().map(|o| o.starts.to_rfc3339()).collect();
    assert_eq!(
        starts,
        [
            "2026-03-17T08:00:00+00:00",
            "2026-03-24T08:00:00+00:00",
            "2026-03-31T07:00:00+00:00",
            "2026-04-07T07:00:00+00:00"
        ]
    );
    assert!(got
        .iter()
        .all(|o| o.ends - o.starts == Duration::minutes(90)));
    let autumn = s.between(utc("2026-10-19T00:00:00Z"), utc("2026-11-01T00:00:00Z"));
    let starts: Vec<String> = autumn.iter().map(|o| o.starts.to_rfc3339()).collect();
    assert_eq!(
        starts,
        ["2026-10-20T07:00:00+00:00", "2026-10-27T08:00:00+00:00"]
    );
}

#[test]
fn a_time_in_the_spring_gap_moves_forward_and_a_repeated_one_is_the_first() {
    let s = Series {
        start: at(2026, 3, 28, 2, 30),
        length: Duration::hours(1),
        all_day: false,
        rule: Some(Rule {
            freq: Freq::Daily,
            interval: 1,
            by_day: vec![],
            end: End::Count(3),
        }),
        except: vec![],
    };
    let got = s.between(utc("2026-03-01T00:00:00Z"), utc("2026-04-01T00:00:00Z"));
    let rome: Vec<String> = got
        .iter()
        .map(|o| o.starts.with_timezone(&ROME).format("%d %H:%M").to_string())
        .collect();
    // 29 March has no 2:30: the offset before the gap makes it 3:30 summer time.
    assert_eq!(rome, ["28 02:30", "29 03:30", "30 02:30"]);
    assert_eq!(
        resolve(at(2026, 10, 25, 2, 30)),
        utc("2026-10-25T00:30:00Z")
    );
}

#[test]
fn month_ends_and_leap_days_are_skipped_not_moved() {
    let mut s = weekly(at(2027, 1, 31, 10, 0), End::Count(4));
    s.rule.as_mut().unwrap().freq = Freq::Monthly;
    let days: Vec<NaiveDate> = s
        .between(utc("2027-01-01T00:00:00Z"), utc("2028-01-01T00:00:00Z"))
        .iter()
        .map(|o| o.local.date())
        .collect();
    assert_eq!(
        days,
        ["2027-01-31", "2027-03-31", "2027-05-31", "2027-07-31"]
            .map(|d| d.parse::<NaiveDate>().unwrap())
    );
    let mut y = weekly(at(2028, 2, 29, 10, 0), End::Count(2));
    y.rule.as_mut().unwrap().freq = Freq::Yearly;
    let years: Vec<i32> = y
        .between(utc("2028-01-01T00:00:00Z"), utc("2040-01-01T00:00:00Z"))
        .iter()
        .map(|o| o.local.year())
        .collect();
    assert_eq!(years, [2028, 2032]);
}

#[test]
fn weekdays_counts_until_and_exceptions() {
    let mut s = weekly(at(2026, 12, 2, 15, 0), End::Count(5)); // a Wednesday
    s.rule.as_mut().unwrap().by_day = vec![Weekday::Mon, Weekday::Wed, Weekday::Fri];
    s.except = vec!["2026-12-07".parse().unwrap()];
    let days: Vec<String> = s
        .between(utc("2026-11-01T00:00:00Z"), utc("2027-02-01T00:00:00Z"))
        .iter()
        .map(|o| o.local.format("%a %d").to_string())
        .collect();
    // Wed 2, Fri 4, (Mon 7 left out, still counted), Wed 9, Fri 11.
    assert_eq!(days, ["Wed 02", "Fri 04", "Wed 09", "Fri 11"]);
    assert_eq!(s.last_day(), Some("2026-12-11".parse().unwrap()));
    let u = weekly(
        at(2026, 12, 1, 9, 0),
        End::Until("2026-12-15".parse().unwrap()),
    );
    assert_eq!(
        u.between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC)
            .len(),
        3
    );
}

#[test]
fn an_all_day_event_covers_its_days_in_rome() {
    let s = Series {
        start: at(2026, 10, 24, 0, 0),
        length: Duration::days(2),
        all_day: true,
        rule: None,
        except: vec![],
    };
    let o = &s.between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC)[0];
    assert_eq!(o.starts, utc("2026-10-23T22:00:00Z"));
    // Two calendar days, 49 hours: the clocks go back on the 25th.
    assert_eq!(o.ends, utc("2026-10-25T23:00:00Z"));
}

#[test]
fn rules_are_read_and_written_as_rfc_5545() {
    let r = Rule::parse("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH,MO;UNTIL=20270630T215959Z").unwrap();
    assert_eq!(r.by_day, [Weekday::Mon, Weekday::Thu]);
    assert_eq!(r.end, End::Until("2027-06-30".parse().unwrap()));
    assert_eq!(
        r.to_rrule(false),
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270630T215959Z"
    );
    assert_eq!(
        r.to_rrule(true),
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270630"
    );
    assert_eq!(
        r.describe(),
        "ogni 2 settimane (lunedì, giovedì), fino al 30/06/2027"
    );
    for bad in [
        "FREQ=HOURLY",
        "FREQ=DAILY;BYDAY=MO",
        "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;INTERVAL=100",
        "FREQ=MONTHLY;BYSETPOS=-1",
        "FREQ=DAILY;COUNT=2;UNTIL=20270101",
        "INTERVAL=2",
    ] {
        assert!(Rule::parse(bad).is_err(), "{bad}");
    }
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        0..4usize,
        1..5u32,
        proptest::collection::vec(0..7u32, 0..4),
        0..3usize,
        1..60u32,
        0..800i64,
    )
        .prop_map(|(f, interval, days, e, n, until)| {
            let freq = [Freq::Daily, Freq::Weekly, Freq::Monthly, Freq::Yearly][f];
            let mut by_day: Vec<Weekday> = if freq == Freq::Weekly {
                days.into_iter().map(|d| DAYS[d as usize].0).collect()
            } else {
                vec![]
            };
            normalise_days(&mut by_day);
            let end = match e {
                0 => End::Never,
                1 => End::Count(n),
                _ => End::Until(
                    NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + Duration::days(until * 3),
                ),
            };
            Rule {
                freq,
                interval,
                by_day,
                end,
            }
        })
}

fn series() -> impl Strategy<Value = Series> {
    (
        0..3650i64,
        0..24u32,
        prop_oneof![Just(0u32), Just(30), Just(45)],
        1..600i64,
        proptest::option::of(rule()),
        proptest::collection::vec(0..400i64, 0..4),
    )
        .prop_map(|(day, h, m, minutes, rule, except)| {
            let d0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + Duration::days(day);
            Series {
                start: d0.and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap()),
                length: Duration::minutes(minutes),
                all_day: false,
                rule,
                except: except.into_iter().map(|x| d0 + Duration::days(x)).collect(),
            }
        })
}

fn window() -> impl Strategy<Value = (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>)> {
    (0..5000i64, 1..800i64, 0..100u32).prop_map(|(a, len, cut)| {
        let from = utc("2024-01-01T00:00:00Z") + Duration::hours(a * 24 + 7);
        let to = from + Duration::days(len);
        let mid = from + (to - from) * i32::try_from(cut).unwrap() / 100;
        (from, mid, to)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn occurrences_keep_the_wall_time_and_the_length(s in series(), (from, _, to) in window()) {
        let got = s.between(from, to);
        for w in got.windows(2) {
            prop_assert!(w[0].starts < w[1].starts);
        }
        for o in &got {
            prop_assert!(o.starts < to && o.ends > from);
            prop_assert_eq!(o.ends - o.starts, s.length);
            prop_assert_eq!(o.local.time(), s.start.time());
            prop_assert!(!s.except.contains(&o.local.date()));
            prop_assert!(o.local >= s.start);
            let wall = o.starts.with_timezone(&ROME).naive_local();
            if wall != o.local {
                // Only a time in the spring gap moves, by the hour the clocks skip.
                prop_assert!(ROME.from_local_datetime(&o.local).single().is_none());
                prop_assert_eq!(wall - o.local, Duration::hours(1));
                prop_assert_eq!(wall.hour(), 3);
            }
            if let Some(r) = &s.rule {
                if let End::Until(d) = r.end {
                    prop_assert!(o.local.date() <= d);
                }
                if r.freq == Freq::Weekly && !r.by_day.is_empty() {
                    prop_assert!(r.by_day.contains(&o.local.weekday()));
                }
            } else {
                prop_assert_eq!(o.local, s.start);
            }
        }
    }

    #[test]
    fn a_window_cut_in_two_gives_the_same_occurrences(s in series(), (from, mid, to) in window()) {
        let whole = s.between(from, to);
        let mut parts = s.between(from, mid);
        for o in s.between(mid, to) {
            if !parts.contains(&o) {
                parts.push(o);
            }
        }
        prop_assert_eq!(whole, parts);
    }

    #[test]
    fn count_is_the_number_of_occurrences_before_exceptions(s in series()) {
        if let Some(Rule { end: End::Count(n), .. }) = s.rule {
            let mut all = s.clone();
            all.except.clear();
            let every = all.between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
            prop_assert_eq!(every.len(), n as usize);
            let kept = s.between(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
            let dropped = every.iter().filter(|o| s.except.contains(&o.local.date())).count();
            prop_assert_eq!(kept.len() + dropped, n as usize);
        }
    }

    #[test]
    fn a_rule_reads_back_what_it_writes(r in rule(), all_day in any::<bool>()) {
        prop_assert_eq!(Rule::parse(&r.to_rrule(all_day)).unwrap(), r);
    }
}
