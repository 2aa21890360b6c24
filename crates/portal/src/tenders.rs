//! A call for tender's state, read from its dates and the day asked about (pure code): nothing
//! is updated at night, the state is what the dates say.
//!
//! - **active** (*attivo*) until the deadline;
//! - **expired** (*scaduto*) after it;
//! - **expired with outcome** (*scaduto con esito*) once the outcome is published;
//! - **archived** (*archivio*) a number of months after the deadline (12 unless the entity sets
//!   another), outcome or not.

use chrono::{DateTime, Months, Utc};
use serde::Serialize;

/// Months after the deadline a call moves to the archive, unless the entity sets another.
pub const ARCHIVE_MONTHS: u32 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TenderState {
    Active,
    Expired,
    ExpiredWithOutcome,
    Archived,
}

impl TenderState {
    pub fn code(self) -> &'static str {
        match self {
            TenderState::Active => "active",
            TenderState::Expired => "expired",
            TenderState::ExpiredWithOutcome => "expired_with_outcome",
            TenderState::Archived => "archived",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "active" => TenderState::Active,
            "expired" => TenderState::Expired,
            "expired_with_outcome" => TenderState::ExpiredWithOutcome,
            "archived" => TenderState::Archived,
            _ => return None,
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            TenderState::Active => "attivo",
            TenderState::Expired => "scaduto",
            TenderState::ExpiredWithOutcome => "scaduto con esito",
            TenderState::Archived => "archivio",
        }
    }
}

/// The state at `now` of a call whose offers are due by `deadline`, whose outcome was
/// published at `outcome` (if it was), archived `archive_months` after the deadline.
pub fn state(
    now: DateTime<Utc>,
    deadline: DateTime<Utc>,
    outcome: Option<DateTime<Utc>>,
    archive_months: u32,
) -> TenderState {
    if now < deadline {
        return TenderState::Active;
    }
    let archive = deadline
        .checked_add_months(Months::new(archive_months))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    if now >= archive {
        TenderState::Archived
    } else if outcome.is_some_and(|o| o <= now) {
        TenderState::ExpiredWithOutcome
    } else {
        TenderState::Expired
    }
}

/// When the state next changes on its own (the deadline, the outcome's publication, the
/// archive), for caches and feeds; `None` once archived.
pub fn next_change(
    now: DateTime<Utc>,
    deadline: DateTime<Utc>,
    outcome: Option<DateTime<Utc>>,
    archive_months: u32,
) -> Option<DateTime<Utc>> {
    let archive = deadline.checked_add_months(Months::new(archive_months))?;
    [Some(deadline), outcome, Some(archive)]
        .into_iter()
        .flatten()
        .filter(|t| *t > now)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn the_state_follows_the_dates() {
        let deadline = t("2026-03-31T10:00:00Z");
        let outcome = Some(t("2026-05-15T08:00:00Z"));
        for (now, outcome, months, want) in [
            ("2026-03-01T00:00:00Z", None, 12, TenderState::Active),
            ("2026-03-31T09:59:59Z", None, 12, TenderState::Active),
            ("2026-03-31T10:00:00Z", None, 12, TenderState::Expired),
            ("2026-05-15T07:59:59Z", outcome, 12, TenderState::Expired),
            (
                "2026-05-15T08:00:00Z",
                outcome,
                12,
                TenderState::ExpiredWithOutcome,
            ),
            (
                "2027-03-31T09:59:59Z",
                outcome,
                12,
                TenderState::ExpiredWithOutcome,
            ),
            ("2027-03-31T10:00:00Z", outcome, 12, TenderState::Archived),
            ("2027-03-31T10:00:00Z", None, 12, TenderState::Archived),
            ("2026-09-30T10:00:00Z", None, 6, TenderState::Archived),
            ("2026-09-30T09:00:00Z", None, 6, TenderState::Expired),
            // An outcome set before the deadline changes nothing until the deadline.
            (
                "2026-03-01T00:00:00Z",
                Some(t("2026-02-01T00:00:00Z")),
                12,
                TenderState::Active,
            ),
        ] {
            assert_eq!(state(t(now), deadline, outcome, months), want, "{now}");
        }
        assert_eq!(
            next_change(t("2026-04-01T00:00:00Z"), deadline, outcome, 12),
            outcome
        );
        assert_eq!(
            next_change(t("2026-06-01T00:00:00Z"), deadline, outcome, 12),
            Some(t("2027-03-31T10:00:00Z"))
        );
    }

    proptest! {
        /// As time goes by a call only moves forward: active, expired (with outcome), archive.
        #[test]
        fn a_call_never_goes_back(
            a in 0i64..1_000_000_000, b in 0i64..1_000_000_000,
            d in 0i64..1_000_000_000, o in proptest::option::of(0i64..1_000_000_000),
            months in 1u32..60,
        ) {
            let at = |s: i64| DateTime::<Utc>::from_timestamp(1_700_000_000 + s, 0).unwrap_or_default();
            let rank = |s: TenderState| match s {
                TenderState::Active => 0,
                TenderState::Expired | TenderState::ExpiredWithOutcome => 1,
                TenderState::Archived => 2,
            };
            let (early, late) = (a.min(b), a.max(b));
            let s1 = state(at(early), at(d), o.map(at), months);
            let s2 = state(at(late), at(d), o.map(at), months);
            prop_assert!(rank(s1) <= rank(s2));
            if s1 == TenderState::ExpiredWithOutcome {
                prop_assert!(matches!(s2, TenderState::ExpiredWithOutcome | TenderState::Archived));
            }
        }
    }
}
