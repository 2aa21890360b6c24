//! Work and what it uses (pure code): the flags of a work report, and the balance of a day
//! package or an hour bank.
//!
//! A day of work is 6 hours on site or 8 hours remote (seed 000 §15): a 3-hour on-site report
//! uses half a day, an 8-hour remote one a whole day. Minutes are kept exactly and every sum is
//! done in whole units (a day is 1,440 "quarter-minutes": 4 per on-site minute, 3 per remote
//! one), so that the balance never drifts however many reports there are; only what is shown
//! is rounded, to two places.

use kernel::Euro;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Onsite,
    Remote,
}

impl Mode {
    pub fn code(self) -> &'static str {
        match self {
            Mode::Onsite => "onsite",
            Mode::Remote => "remote",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "onsite" => Some(Mode::Onsite),
            "remote" => Some(Mode::Remote),
            _ => None,
        }
    }

    /// Units of a day per minute of work: a day is [`DAY_UNITS`].
    fn units_per_minute(self) -> u64 {
        match self {
            Mode::Onsite => 4,
            Mode::Remote => 3,
        }
    }
}

/// A day in units: 360 on-site minutes × 4 = 480 remote minutes × 3 = 1,440.
pub const DAY_UNITS: u64 = 1_440;

/// Remote assistance longer than this is beyond assistance (seed 001): the operator decides
/// whether it becomes billable work or a change request.
pub const REMOTE_ASSISTANCE_MINUTES: u32 = 30;

/// What a report is, for its flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportFacts {
    pub minutes: u32,
    pub mode: Mode,
    /// The entity's support profile includes on-site visits (no call-out fee).
    pub visits_included: bool,
    /// The work is on a ticket reopened within its warranty (no charge).
    pub in_warranty: bool,
}

/// The flags of a report, in a fixed order: `remote_over_30_minutes`, `call_out_fee`,
/// `warranty`.
pub fn flags(f: &ReportFacts) -> Vec<&'static str> {
    let mut out = Vec::new();
    if f.mode == Mode::Remote && f.minutes > REMOTE_ASSISTANCE_MINUTES {
        out.push("remote_over_30_minutes");
    }
    if f.mode == Mode::Onsite && !f.visits_included && !f.in_warranty {
        out.push("call_out_fee");
    }
    if f.in_warranty {
        out.push("warranty");
    }
    out
}

/// What a package holds: days (Global Service, PD14, PD18) or hours (an hour bank).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holding {
    Days(u32),
    Hours(u32),
}

/// Use beyond what was bought: billed at a rate per day or hour, or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overage {
    Billed(Euro),
    Refused,
}

/// A package's balance. Quantities are hundredths (of a day or of an hour), rounded half up
/// from the exact sums; `onsite_share` is in thousandths of the work used (0–1000).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub bought: u64,
    pub used: u64,
    pub remaining: u64,
    pub beyond: u64,
    pub onsite_share: u32,
    pub overage_amount: Euro,
    /// 80 and 100 when crossed (the warnings to staff and the contact).
    pub warnings: Vec<u8>,
}

/// Minutes used on site and remote: what a balance is computed from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Used {
    pub onsite_minutes: u64,
    pub remote_minutes: u64,
}

impl Used {
    pub fn add(&mut self, minutes: u32, mode: Mode) {
        match mode {
            Mode::Onsite => self.onsite_minutes += u64::from(minutes),
            Mode::Remote => self.remote_minutes += u64::from(minutes),
        }
    }
}

/// `num / den` in hundredths, rounded half up.
fn hundredths(num: u64, den: u64) -> u64 {
    (num * 200 + den) / (2 * den)
}

/// The balance of a package holding `holding`, with `used` work, billing or refusing what goes
/// beyond it.
pub fn balance(holding: Holding, used: Used, overage: Overage) -> Balance {
    // Everything in the package's own exact unit: day units, or minutes for hours.
    let (bought_exact, used_exact, unit) = match holding {
        Holding::Days(d) => (
            u64::from(d) * DAY_UNITS,
            used.onsite_minutes * Mode::Onsite.units_per_minute()
                + used.remote_minutes * Mode::Remote.units_per_minute(),
            DAY_UNITS,
        ),
        Holding::Hours(h) => (
            u64::from(h) * 60,
            used.onsite_minutes + used.remote_minutes,
            60,
        ),
    };
    let beyond_exact = used_exact.saturating_sub(bought_exact);
    let onsite_exact = match holding {
        Holding::Days(_) => used.onsite_minutes * Mode::Onsite.units_per_minute(),
        Holding::Hours(_) => used.onsite_minutes,
    };
    let onsite_share = if used_exact == 0 {
        0
    } else {
        u32::try_from((onsite_exact * 2000 + used_exact) / (2 * used_exact)).unwrap_or(1000)
    };
    let overage_amount = match overage {
        Overage::Billed(rate) => {
            // rate × beyond / unit, to the cent, half up.
            let cents = i128::from(rate.cents()) * i128::from(beyond_exact);
            let den = i128::from(unit);
            Euro::from_cents(i64::try_from((cents * 2 + den) / (2 * den)).unwrap_or(i64::MAX))
        }
        Overage::Refused => Euro::ZERO,
    };
    let used_h = hundredths(used_exact, unit);
    let bought_h = hundredths(bought_exact, unit);
    let mut warnings = Vec::new();
    if bought_exact > 0 {
        if used_exact * 5 >= bought_exact * 4 {
            warnings.push(80);
        }
        if used_exact >= bought_exact {
            warnings.push(100);
        }
    }
    Balance {
        bought: bought_h,
        used: used_h,
        remaining: hundredths(bought_exact - used_exact.min(bought_exact), unit),
        beyond: hundredths(beyond_exact, unit),
        onsite_share,
        overage_amount,
        warnings,
    }
}

/// Whether a new report of `minutes` in `mode` fits what is left (a package that refuses
/// overage takes no report that would go beyond it).
pub fn fits(holding: Holding, used: Used, minutes: u32, mode: Mode) -> bool {
    let mut after = used;
    after.add(minutes, mode);
    match holding {
        Holding::Days(d) => {
            after.onsite_minutes * Mode::Onsite.units_per_minute()
                + after.remote_minutes * Mode::Remote.units_per_minute()
                <= u64::from(d) * DAY_UNITS
        }
        Holding::Hours(h) => after.onsite_minutes + after.remote_minutes <= u64::from(h) * 60,
    }
}

/// The minutes of a report from its duration (`minutes`, 0 when not given) and its start and
/// end times: either alone, or both when they agree. The reason in Italian otherwise.
pub fn duration(
    minutes: u32,
    start: Option<chrono::NaiveTime>,
    end: Option<chrono::NaiveTime>,
) -> Result<u32, String> {
    match (start, end) {
        (None, None) => Ok(minutes),
        (Some(_), None) | (None, Some(_)) => {
            Err("indicare l'ora di inizio e quella di fine, o la sola durata".into())
        }
        (Some(a), Some(b)) if b <= a => Err(
            "l'ora di fine viene prima di quella di inizio (l'intervento inizia e finisce nello stesso giorno)".into(),
        ),
        (Some(a), Some(b)) => {
            let span = u32::try_from((b - a).num_minutes()).unwrap_or(0);
            if minutes == 0 || minutes == span {
                Ok(span)
            } else {
                Err(format!(
                    "la durata ({minutes} minuti) non corrisponde a inizio e fine ({span} minuti)"
                ))
            }
        }
    }
}

/// Whether a package of days can still reach `min_share` (per mille) of on-site work, if every
/// day left were worked on site: false once the remote days already used make it impossible.
/// Always true for hour banks and without a minimum.
pub fn onsite_reachable(holding: Holding, used: Used, min_share: u32) -> bool {
    let Holding::Days(d) = holding else {
        return true;
    };
    if min_share == 0 {
        return true;
    }
    let bought = u64::from(d) * DAY_UNITS;
    let onsite = used.onsite_minutes * Mode::Onsite.units_per_minute();
    let remote = used.remote_minutes * Mode::Remote.units_per_minute();
    let left = bought.saturating_sub(onsite + remote);
    // At the end, the best share is (onsite + left) / (onsite + remote + left).
    let total = onsite + remote + left;
    total == 0 || (onsite + left) * 1000 >= u64::from(min_share) * total
}

/// A hundredths figure the Italian way: `2,50`.
pub fn two_places(h: u64) -> String {
    format!("{},{:02}", kernel::money::thousands(h / 100), h % 100)
}

/// A hundredths figure as the API's decimal string: `2.50`.
pub fn decimal(h: u64) -> String {
    format!("{}.{:02}", h / 100, h % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn used(onsite: u64, remote: u64) -> Used {
        Used {
            onsite_minutes: onsite,
            remote_minutes: remote,
        }
    }

    #[test]
    fn a_day_is_six_hours_on_site_or_eight_remote() {
        // (on-site minutes, remote minutes, days used in hundredths)
        for (on, rem, days) in [
            (180, 0, 50),    // 3 hours on site: half a day
            (0, 480, 100),   // 8 hours remote: a whole day
            (360, 240, 150), // a day on site and half a day remote
            (20, 0, 6),      // 20 minutes on site: 0,0555… → 0,06
            (0, 1, 0),       // one remote minute: 0,0020… → 0,00
        ] {
            let b = balance(Holding::Days(5), used(on, rem), Overage::Refused);
            assert_eq!(b.used, days, "{on} on site, {rem} remote");
            assert_eq!(b.bought, 500);
        }
    }

    #[test]
    fn use_beyond_a_package_is_billed_or_refused() {
        // PD14: 5 days for € 1.867, extra days at the advanced Global Service rate (€ 393).
        let b = balance(
            Holding::Days(5),
            used(6 * 360, 0),
            Overage::Billed(Euro::from_cents(39_300)),
        );
        assert_eq!((b.used, b.remaining, b.beyond), (600, 0, 100));
        assert_eq!(b.overage_amount, Euro::from_cents(39_300));
        assert_eq!(b.warnings, [80, 100]);
        // An hour bank: 20 hours, 90 minutes beyond at € 50.
        let b = balance(
            Holding::Hours(20),
            used(21 * 60 + 30, 0),
            Overage::Billed(Euro::from_cents(5_000)),
        );
        assert_eq!((b.used, b.beyond), (2150, 150));
        assert_eq!(b.overage_amount, Euro::from_cents(7_500));
        assert!(!fits(Holding::Days(1), used(300, 0), 61, Mode::Onsite));
        assert!(fits(Holding::Days(1), used(300, 0), 60, Mode::Onsite));
    }

    #[test]
    fn the_on_site_share_is_of_the_days_used() {
        // 4 days on site, 1 remote: 80%.
        let b = balance(Holding::Days(10), used(4 * 360, 480), Overage::Refused);
        assert_eq!(b.onsite_share, 800);
        assert_eq!(
            balance(Holding::Days(10), Used::default(), Overage::Refused).onsite_share,
            0
        );
        assert_eq!(b.warnings, Vec::<u8>::new());
    }

    #[test]
    fn the_flags_of_a_report() {
        let f = |minutes, mode, visits_included, in_warranty| {
            flags(&ReportFacts {
                minutes,
                mode,
                visits_included,
                in_warranty,
            })
        };
        assert!(
            f(30, Mode::Remote, false, false).is_empty(),
            "30 minutes is assistance"
        );
        assert_eq!(
            f(31, Mode::Remote, false, false),
            ["remote_over_30_minutes"]
        );
        assert_eq!(f(60, Mode::Onsite, false, false), ["call_out_fee"]);
        assert!(
            f(60, Mode::Onsite, true, false).is_empty(),
            "visits in the profile"
        );
        assert_eq!(f(60, Mode::Onsite, false, true), ["warranty"]);
        assert_eq!(two_places(12_345), "123,45");
        assert_eq!(decimal(5), "0.05");
    }

    #[test]
    fn a_duration_comes_from_minutes_or_from_start_and_end() {
        let t = |s: &str| chrono::NaiveTime::parse_from_str(s, "%H:%M").ok();
        for (minutes, start, end, got) in [
            (90, None, None, Ok(90)),
            (0, t("09:00"), t("11:30"), Ok(150)),
            (150, t("09:00"), t("11:30"), Ok(150)),
            (120, t("09:00"), t("11:30"), Err(())),
            (0, t("11:00"), t("09:00"), Err(())),
            (0, t("09:00"), t("09:00"), Err(())),
            (0, t("09:00"), None, Err(())),
        ] {
            assert_eq!(
                duration(minutes, start, end).map_err(|_| ()),
                got,
                "{minutes} {start:?} {end:?}"
            );
        }
    }

    #[test]
    fn the_on_site_minimum_is_reachable_until_remote_days_forbid_it() {
        // (days, on-site minutes, remote minutes, minimum ‰, reachable)
        for (days, on, rem, min, ok) in [
            (5, 0, 0, 800, true),         // nothing used yet
            (5, 0, 480, 800, true),       // 1 remote day of 5: 4 on site left → 80%
            (5, 0, 481, 800, false),      // a minute more remote: no longer
            (5, 4 * 360, 480, 800, true), // all used, exactly 80%
            (10, 0, 3 * 480, 800, false), // 3 remote days of 10: at best 70%
            (10, 0, 3 * 480, 0, true),    // no minimum
            (0, 0, 0, 800, true),         // an empty package
        ] {
            assert_eq!(
                onsite_reachable(Holding::Days(days), used(on, rem), min),
                ok,
                "{days} days, {on} on site, {rem} remote, minimum {min}"
            );
        }
        assert!(onsite_reachable(Holding::Hours(20), used(0, 1_000), 800));
    }

    proptest! {
        /// Once unreachable, more work never makes the on-site minimum reachable again
        /// unless it is on site; with no remote work it is always reachable.
        #[test]
        fn only_remote_work_makes_the_minimum_unreachable(
            days in 1u32..20,
            onsite in 0u64..10_000,
            min in 0u32..=1000,
        ) {
            prop_assert!(onsite_reachable(Holding::Days(days), used(onsite, 0), min));
        }

        /// Used + remaining = bought while within the package, never negative; the share in
        /// [0, 1]; adding reports one by one gives the same balance as adding them at once.
        #[test]
        fn a_balance_adds_up(
            days in 0u32..50,
            reports in proptest::collection::vec((1u32..600, any::<bool>()), 0..60),
        ) {
            let mut all = Used::default();
            for (m, onsite) in &reports {
                all.add(*m, if *onsite { Mode::Onsite } else { Mode::Remote });
            }
            let b = balance(Holding::Days(days), all, Overage::Refused);
            prop_assert!(b.onsite_share <= 1000);
            let exact_used = all.onsite_minutes * 4 + all.remote_minutes * 3;
            let bought = u64::from(days) * DAY_UNITS;
            if exact_used <= bought {
                prop_assert_eq!(b.beyond, 0);
                // Rounded separately, the two may differ from the whole by one hundredth.
                prop_assert!((b.used + b.remaining).abs_diff(b.bought) <= 1);
            } else {
                prop_assert_eq!(b.remaining, 0);
                prop_assert!(b.beyond > 0 || exact_used - bought < 8);
            }
            let on: u64 = reports.iter().filter(|r| r.1).map(|r| u64::from(r.0)).sum();
            let rem: u64 = reports.iter().filter(|r| !r.1).map(|r| u64::from(r.0)).sum();
            prop_assert_eq!(all, used(on, rem));
        }
    }
}
