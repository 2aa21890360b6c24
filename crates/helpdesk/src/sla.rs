//! The SLA policy as data (seed 001 §7: take charge within 8, 12 or 16 working hours for high,
//! medium and low priority, met in at least 90% of cases) and due times in a calendar.

use chrono::{DateTime, Duration, Utc};
use kernel::calendar::Calendar;
use serde::{Deserialize, Serialize};

use crate::model::Priority;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    /// Working hours to take charge, by priority.
    pub take_charge_hours: [(Priority, u32); 3],
    /// The share of tickets that must meet it, in percent.
    pub target_percent: u32,
    /// Optional working hours to resolve, by priority (none: no resolution target). Time spent
    /// waiting for the entity does not count.
    #[serde(default)]
    pub resolution_hours: Vec<(Priority, u32)>,
    /// How many days back staff may date a request they log (a phone call, a letter): an
    /// older date is a typo, not a late entry. Never in the future.
    #[serde(default = "default_days_back")]
    pub received_max_days_back: u32,
}

fn default_days_back() -> u32 {
    30
}

impl Default for SlaPolicy {
    fn default() -> Self {
        Self {
            take_charge_hours: [
                (Priority::High, 8),
                (Priority::Medium, 12),
                (Priority::Low, 16),
            ],
            target_percent: 90,
            resolution_hours: Vec::new(),
            received_max_days_back: default_days_back(),
        }
    }
}

impl SlaPolicy {
    pub fn take_charge(&self, p: Priority) -> Duration {
        let h = self
            .take_charge_hours
            .iter()
            .find(|(q, _)| *q == p)
            .map_or(16, |(_, h)| *h);
        Duration::hours(i64::from(h))
    }

    pub fn resolution(&self, p: Priority) -> Option<Duration> {
        self.resolution_hours
            .iter()
            .find(|(q, _)| *q == p)
            .map(|(_, h)| Duration::hours(i64::from(*h)))
    }

    /// Every wrong value at once: hours from 1 to 2,000, the target from 1 to 100, the days
    /// back from 1 to 365.
    pub fn validate(&self) -> Result<(), Vec<members::FieldError>> {
        let mut errors = Vec::new();
        if !(1..=365).contains(&self.received_max_days_back) {
            errors.push(members::FieldError::new(
                "received_max_days_back",
                "i giorni di retrodatazione vanno da 1 a 365",
            ));
        }
        for (p, h) in &self.take_charge_hours {
            if !(1..=2000).contains(h) {
                errors.push(members::FieldError::new(
                    &format!("take_charge_{}", p.as_str()),
                    format!(
                        "presa in carico, priorità {}: ore lavorative da 1 a 2.000",
                        p.label()
                    ),
                ));
            }
        }
        for (p, h) in &self.resolution_hours {
            if !(1..=2000).contains(h) {
                errors.push(members::FieldError::new(
                    &format!("resolution_{}", p.as_str()),
                    format!(
                        "risoluzione, priorità {}: ore lavorative da 1 a 2.000, oppure vuoto per nessun obiettivo",
                        p.label()
                    ),
                ));
            }
        }
        if !(1..=100).contains(&self.target_percent) {
            errors.push(members::FieldError::new(
                "target_percent",
                "quota da rispettare: percentuale da 1 a 100",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    pub fn take_charge_hours_of(&self, p: Priority) -> u32 {
        self.take_charge_hours
            .iter()
            .find(|(q, _)| *q == p)
            .map_or(16, |(_, h)| *h)
    }

    pub fn resolution_hours_of(&self, p: Priority) -> Option<u32> {
        self.resolution_hours
            .iter()
            .find(|(q, _)| *q == p)
            .map(|(_, h)| *h)
    }

    /// When a ticket received at `received` must be taken in charge.
    pub fn take_charge_due(
        &self,
        cal: &Calendar,
        p: Priority,
        received: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        cal.add_working(received, self.take_charge(p))
    }
}

/// How a ticket stands against its take-charge target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TakeCharge {
    /// Taken by the deadline.
    Met,
    /// Taken late, or not taken and the deadline has passed.
    Missed,
    /// Not taken yet, still in time: not judged.
    Pending,
}

/// The take-charge verdict of a ticket due at `due`, taken at `taken` (if it was), at `now`.
pub fn take_charge(
    due: DateTime<Utc>,
    taken: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> TakeCharge {
    match taken {
        Some(at) if at <= due => TakeCharge::Met,
        Some(_) => TakeCharge::Missed,
        None if due < now => TakeCharge::Missed,
        None => TakeCharge::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn take_charge_is_judged_at_the_deadline() {
        let due = Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap();
        let before = due - Duration::minutes(1);
        let after = due + Duration::minutes(1);
        assert_eq!(take_charge(due, Some(due), after), TakeCharge::Met);
        assert_eq!(take_charge(due, Some(after), after), TakeCharge::Missed);
        assert_eq!(take_charge(due, None, before), TakeCharge::Pending);
        assert_eq!(take_charge(due, None, due), TakeCharge::Pending);
        assert_eq!(take_charge(due, None, after), TakeCharge::Missed);
    }

    #[test]
    fn seed_001_targets_in_the_consorzio_calendar() {
        let cal = Calendar::preset("consorzio-it").unwrap();
        let p = SlaPolicy::default();
        // Monday 23 November 2026 10:00 in Rome.
        let t = kernel::time::ROME
            .with_ymd_and_hms(2026, 11, 23, 10, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let due = |pr| kernel::calendar::rfc3339_rome(p.take_charge_due(&cal, pr, t).unwrap());
        assert_eq!(due(Priority::High), "2026-11-24T10:00:00+01:00");
        assert_eq!(due(Priority::Medium), "2026-11-24T15:30:00+01:00");
        assert_eq!(due(Priority::Low), "2026-11-25T10:00:00+01:00");
    }
}
