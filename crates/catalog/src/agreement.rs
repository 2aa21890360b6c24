//! Membership agreements (*convenzioni*): dates, term and state. Pure code: the state of an
//! agreement is computed from its dates, what people decided (draft, signed, terminated) and
//! the day asked about, so it never goes stale and needs no nightly job.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// What people decided; stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Signed,
    Terminated,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Signed => "signed",
            Status::Terminated => "terminated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Status::Draft, Status::Signed, Status::Terminated]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// The state on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Not signed yet.
    Draft,
    /// Signed, starting later (a renewal, typically).
    Signed,
    /// In force.
    Active,
    /// In force, ending within [`EXPIRING_DAYS`] days.
    Expiring,
    /// Past its end date.
    Expired,
    /// Ended early, or ending early on `terminated_on`.
    Terminated,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Signed => "signed",
            State::Active => "active",
            State::Expiring => "expiring",
            State::Expired => "expired",
            State::Terminated => "terminated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Draft => "Bozza",
            State::Signed => "Firmata, non ancora in vigore",
            State::Active => "Attiva",
            State::Expiring => "In scadenza",
            State::Expired => "Scaduta",
            State::Terminated => "Cessata",
        }
    }
}

/// An agreement ends "soon" when its last day is this close.
pub const EXPIRING_DAYS: u64 = 90;

/// Terms the seeds name are 3 (Macerata) and 5 years (Pesaro, Lecco); up to 10 are accepted.
pub const MAX_TERM_YEARS: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agreement {
    pub id: i64,
    pub entity_id: i64,
    pub number: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub term_years: u32,
    pub status: Status,
    pub signed_on: Option<NaiveDate>,
    pub terminated_on: Option<NaiveDate>,
    pub termination_reason: String,
    pub renews_id: Option<i64>,
    pub notes: String,
    pub version: i64,
}

/// The last day of an agreement of `term_years` starting on `start`.
pub fn end_of_term(start: NaiveDate, term_years: u32) -> Option<NaiveDate> {
    start
        .checked_add_months(Months::new(12 * term_years))?
        .checked_sub_days(Days::new(1))
}

impl Agreement {
    /// The last day it gives access to services (its end, or an earlier termination).
    pub fn last_day(&self) -> NaiveDate {
        match self.terminated_on {
            Some(t) if t < self.end_date => t,
            _ => self.end_date,
        }
    }

    /// Whether services may be charged to the entity on `day` under this agreement.
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.status != Status::Draft && self.start_date <= day && day <= self.last_day()
    }

    pub fn state_on(&self, today: NaiveDate) -> State {
        match self.status {
            Status::Draft => State::Draft,
            Status::Terminated => State::Terminated,
            Status::Signed if today < self.start_date => State::Signed,
            Status::Signed if today > self.end_date => State::Expired,
            Status::Signed => {
                if today
                    .checked_add_days(Days::new(EXPIRING_DAYS))
                    .is_none_or(|soon| soon >= self.end_date)
                {
                    State::Expiring
                } else {
                    State::Active
                }
            }
        }
    }

    /// Whether two agreements' periods of access share a day.
    pub fn overlaps(&self, other: &Agreement) -> bool {
        self.start_date <= other.last_day() && other.start_date <= self.last_day()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn signed(start: &str, years: u32) -> Agreement {
        let start = d(start);
        Agreement {
            id: 1,
            entity_id: 1,
            number: String::new(),
            start_date: start,
            end_date: end_of_term(start, years).unwrap(),
            term_years: years,
            status: Status::Signed,
            signed_on: Some(start),
            terminated_on: None,
            termination_reason: String::new(),
            renews_id: None,
            notes: String::new(),
            version: 1,
        }
    }

    #[test]
    fn a_term_ends_the_day_before_its_anniversary() {
        assert_eq!(end_of_term(d("2024-01-01"), 3), Some(d("2026-12-31")));
        assert_eq!(end_of_term(d("2024-02-29"), 5), Some(d("2029-02-27")));
        assert_eq!(end_of_term(d("2026-03-15"), 5), Some(d("2031-03-14")));
    }

    #[test]
    fn states_follow_the_calendar() {
        let a = signed("2024-01-01", 3);
        assert_eq!(a.state_on(d("2023-12-31")), State::Signed);
        assert_eq!(a.state_on(d("2024-01-01")), State::Active);
        assert_eq!(a.state_on(d("2026-10-01")), State::Active);
        assert_eq!(a.state_on(d("2026-10-02")), State::Expiring);
        assert_eq!(a.state_on(d("2026-12-31")), State::Expiring);
        assert_eq!(a.state_on(d("2027-01-01")), State::Expired);
        assert!(a.in_force_on(d("2026-12-31")));
        assert!(!a.in_force_on(d("2027-01-01")));
        assert!(!a.in_force_on(d("2023-12-31")));
    }

    #[test]
    fn drafts_give_no_access_and_termination_cuts_it_short() {
        let mut a = signed("2024-01-01", 5);
        a.status = Status::Draft;
        assert_eq!(a.state_on(d("2025-06-01")), State::Draft);
        assert!(!a.in_force_on(d("2025-06-01")));
        a.status = Status::Terminated;
        a.terminated_on = Some(d("2025-06-30"));
        assert_eq!(a.state_on(d("2025-06-01")), State::Terminated);
        assert!(a.in_force_on(d("2025-06-30")));
        assert!(!a.in_force_on(d("2025-07-01")));
    }

    #[test]
    fn a_renewal_follows_without_overlap() {
        let a = signed("2024-01-01", 3);
        let mut b = signed("2027-01-01", 3);
        assert!(!a.overlaps(&b));
        b.start_date = d("2026-12-31");
        assert!(a.overlaps(&b));
    }
}
