//! Support profiles, the Saturday on-call and the warranty (seed 001 §3.1 and DOMAIN.md):
//! pure rules, no I/O.
//!
//! - A profile per entity (MINIMAL / BASIC / PRO / ENTERPRISE) gives its tickets a queue
//!   priority (none / base / medium / high) and, from BASIC up, the Saturday on-call.
//! - The Saturday on-call (8:30–12:30) takes blocking (high-priority) issues only; such a
//!   ticket's take-charge clock also runs in that window.
//! - Each intervention has a warranty of 10 working days from its resolution: the same problem
//!   reported again within it reopens the ticket at no charge.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use kernel::calendar::{Calendar, Interval};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    Minimal,
    Basic,
    Pro,
    Enterprise,
}

impl Profile {
    pub const ALL: [Profile; 4] = [
        Profile::Minimal,
        Profile::Basic,
        Profile::Pro,
        Profile::Enterprise,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Minimal => "minimal",
            Profile::Basic => "basic",
            Profile::Pro => "pro",
            Profile::Enterprise => "enterprise",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
    }

    pub fn label(self) -> &'static str {
        match self {
            Profile::Minimal => "MINIMAL",
            Profile::Basic => "BASIC",
            Profile::Pro => "PRO",
            Profile::Enterprise => "ENTERPRISE",
        }
    }

    /// Whether the call-out fee (*diritto di chiamata*) of an on-site visit is included (seed
    /// 001 §3.1: from BASIC up).
    pub fn call_out_included(self) -> bool {
        self != Profile::Minimal
    }

    /// Who it is for, as seed 001 sizes it.
    pub fn description(self) -> &'static str {
        match self {
            Profile::Minimal => "assistenza di base, senza priorità in coda né reperibilità",
            Profile::Basic => "da 1 a 11 postazioni, fino a 2 server",
            Profile::Pro => "da 11 a 20 postazioni, 3 server",
            Profile::Enterprise => "da 21 a 45 postazioni, oltre 3 server",
        }
    }

    /// The queue priority: 0 none, 1 base, 2 medium, 3 high.
    pub fn queue_rank(self) -> i64 {
        match self {
            Profile::Minimal => 0,
            Profile::Basic => 1,
            Profile::Pro => 2,
            Profile::Enterprise => 3,
        }
    }

    /// The queue rank of the profile stored in `column`, as SQL (one definition: this one).
    pub fn rank_sql(column: &str) -> String {
        let arms: String = Self::ALL
            .iter()
            .map(|p| format!(" WHEN '{}' THEN {}", p.as_str(), p.queue_rank()))
            .collect();
        format!("CASE {column}{arms} ELSE 0 END")
    }

    pub fn queue_label(self) -> &'static str {
        match self {
            Profile::Minimal => "nessuna",
            Profile::Basic => "base",
            Profile::Pro => "media",
            Profile::Enterprise => "alta",
        }
    }

    /// The Saturday on-call is for BASIC and better.
    pub fn has_on_call(self) -> bool {
        self >= Profile::Basic
    }
}

/// The Saturday on-call window.
pub fn on_call_window() -> Interval {
    Interval {
        start: NaiveTime::from_hms_opt(8, 30, 0).unwrap_or(NaiveTime::MIN),
        end: NaiveTime::from_hms_opt(12, 30, 0).unwrap_or(NaiveTime::MIN),
    }
}

/// True when `t` falls in the Saturday on-call window of a day that is not a holiday or a
/// closure of the calendar.
pub fn in_on_call_window(cal: &Calendar, t: DateTime<Utc>) -> bool {
    let local = t.with_timezone(&kernel::time::ROME);
    let w = on_call_window();
    local.weekday() == chrono::Weekday::Sat
        && !cal.is_closed(local.date_naive())
        && w.start <= local.time()
        && local.time() < w.end
}

/// The calendar with the Saturday on-call window added (merged with any Saturday opening).
pub fn with_on_call(cal: &Calendar) -> Calendar {
    let mut c = cal.clone();
    let w = on_call_window();
    let sat = &mut c.week[5];
    let mut all: Vec<Interval> = sat.drain(..).chain([w]).collect();
    all.sort_by_key(|i| i.start);
    let mut merged: Vec<Interval> = Vec::new();
    for i in all {
        match merged.last_mut() {
            Some(last) if i.start <= last.end => last.end = last.end.max(i.end),
            _ => merged.push(i),
        }
    }
    *sat = merged;
    c
}

/// Working days of warranty after a resolution.
pub const WARRANTY_WORKING_DAYS: u32 = 10;

/// The last day of the warranty of an intervention resolved at `resolved`: the 10th working
/// day of the calendar after the day of the resolution (Rome days).
pub fn warranty_until(cal: &Calendar, resolved: DateTime<Utc>) -> NaiveDate {
    let mut d = resolved.with_timezone(&kernel::time::ROME).date_naive();
    let mut left = WARRANTY_WORKING_DAYS;
    // A calendar open on no day would loop: a year is the bound.
    for _ in 0..366 {
        let Some(next) = d.succ_opt() else { break };
        d = next;
        let open = !cal.week[d.weekday().num_days_from_monday() as usize].is_empty();
        if open && !cal.is_closed(d) {
            left -= 1;
            if left == 0 {
                return d;
            }
        }
    }
    d
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    fn rome(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        kernel::time::ROME
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn profiles_rank_the_queue_and_open_the_on_call() {
        let ranks: Vec<i64> = Profile::ALL.iter().map(|p| p.queue_rank()).collect();
        assert_eq!(ranks, [0, 1, 2, 3]);
        assert!(!Profile::Minimal.has_on_call());
        assert!(Profile::Basic.has_on_call() && Profile::Enterprise.has_on_call());
        assert_eq!(Profile::parse("PRO"), Some(Profile::Pro));
        assert_eq!(Profile::parse("gold"), None);
        assert_eq!(
            Profile::rank_sql("sp.profile"),
            "CASE sp.profile WHEN 'minimal' THEN 0 WHEN 'basic' THEN 1 WHEN 'pro' THEN 2 WHEN 'enterprise' THEN 3 ELSE 0 END"
        );
    }

    #[test]
    fn the_on_call_window_is_saturday_morning_except_holidays() {
        let cal = Calendar::preset("consorzio-it").unwrap();
        assert!(in_on_call_window(&cal, rome(2026, 11, 28, 9, 0)));
        assert!(in_on_call_window(&cal, rome(2026, 11, 28, 8, 30)));
        assert!(!in_on_call_window(&cal, rome(2026, 11, 28, 12, 30)));
        assert!(
            !in_on_call_window(&cal, rome(2026, 11, 27, 9, 0)),
            "a Friday"
        );
        // Saturday 26 December 2026 is Santo Stefano.
        assert!(!in_on_call_window(&cal, rome(2026, 12, 26, 9, 0)));
    }

    #[test]
    fn an_on_call_ticket_runs_its_clock_on_saturday_morning() {
        let cal = with_on_call(&Calendar::preset("consorzio-it").unwrap());
        // Saturday 9:00 + 8 h: 3.5 h on Saturday, 4 h Monday morning, 0.5 h after lunch.
        let due = cal
            .add_working(rome(2026, 11, 28, 9, 0), chrono::Duration::hours(8))
            .unwrap();
        assert_eq!(due, rome(2026, 11, 30, 14, 30));
        // LTT already opens Saturday 9–13: the union is 8:30–13:00.
        let ltt = with_on_call(&Calendar::preset("ltt").unwrap());
        assert_eq!(ltt.week[5].len(), 1);
        assert_eq!(
            ltt.week[5][0].start,
            NaiveTime::from_hms_opt(8, 30, 0).unwrap()
        );
        assert_eq!(
            ltt.week[5][0].end,
            NaiveTime::from_hms_opt(13, 0, 0).unwrap()
        );
    }

    #[test]
    fn the_warranty_counts_ten_working_days() {
        let cal = Calendar::preset("consorzio-it").unwrap();
        // Resolved Monday 23 November 2026: 10 working days end Monday 7 December.
        assert_eq!(
            warranty_until(&cal, rome(2026, 11, 23, 17, 0)),
            NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
        );
        // Resolved Friday 4 December: 8 December is a holiday, so it ends Monday 21 December
        // (7, 9, 10, 11, 14, 15, 16, 17, 18, 21).
        assert_eq!(
            warranty_until(&cal, rome(2026, 12, 4, 12, 0)),
            NaiveDate::from_ymd_opt(2026, 12, 21).unwrap()
        );
        // Over Christmas: resolved 23 December, skips 25, 26 (Sat anyway), 1 and 6 January.
        assert_eq!(
            warranty_until(&cal, rome(2026, 12, 23, 10, 0)),
            NaiveDate::from_ymd_opt(2027, 1, 11).unwrap()
        );
    }
}
