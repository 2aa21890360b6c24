//! The Academy4PA rules as pure functions (no SQL, no clock): who takes a seat, who waits,
//! what closing the sign-up does, whether the course runs, which participations use the
//! entity's yearly entries and which are extra, and how an LTT class's cost is split.
//!
//! - **Sign-up order decides**: people are considered in the order they signed up, and a
//!   later sign-up never takes a seat an earlier one could have had.
//! - **At most `per_entity` people per entity while sign-up is open** (2 by default): the
//!   others wait. When sign-up closes, the waiting people take the seats that remain, in order,
//!   whatever their entity.
//! - **A minimum to run** (5 by default): at closing, fewer admitted people cancel the course.
//! - **Entries**: each participation in a course that runs uses one of the entity's entries of
//!   the course's year, an unjustified absence too; a justified absence does not. Beyond the
//!   entries a participation is an *extra entry*, charged at 20% off, never refused.
//! - **LTT classes**: at most 15 people; the course's cost (each 4-hour session €1,500) is
//!   split among the participating people, each entity paying its people's share.

use kernel::Euro;
use serde::{Deserialize, Serialize};

/// The largest LTT class.
pub const LTT_MAX_SEATS: u32 = 15;
/// The discount on an extra entry, in percent.
pub const EXTRA_DISCOUNT_PERCENT: i64 = 20;

/// Where a sign-up stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Holds a seat.
    Admitted,
    /// Waits for a seat, in sign-up order.
    Waiting,
    /// Withdrawn (by the entity or the centre), or refused by the centre.
    Withdrawn,
}

impl Standing {
    pub fn code(self) -> &'static str {
        match self {
            Standing::Admitted => "admitted",
            Standing::Waiting => "waiting",
            Standing::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admitted" => Some(Standing::Admitted),
            "waiting" => Some(Standing::Waiting),
            "withdrawn" => Some(Standing::Withdrawn),
            _ => None,
        }
    }
    pub fn italian(self) -> &'static str {
        match self {
            Standing::Admitted => "ammesso",
            Standing::Waiting => "in attesa",
            Standing::Withdrawn => "ritirato",
        }
    }
}

/// The limits of a course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub seats: u32,
    pub per_entity: u32,
    pub min_participants: u32,
}

/// A sign-up as the rules see it: its entity and where it stands, in sign-up order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seat {
    pub entity_id: i64,
    pub standing: Standing,
}

fn admitted(seats: &[Seat]) -> u32 {
    u32::try_from(
        seats
            .iter()
            .filter(|s| s.standing == Standing::Admitted)
            .count(),
    )
    .unwrap_or(u32::MAX)
}

#[cfg(test)]
fn admitted_of(seats: &[Seat], entity_id: i64) -> u32 {
    u32::try_from(
        seats
            .iter()
            .filter(|s| s.standing == Standing::Admitted && s.entity_id == entity_id)
            .count(),
    )
    .unwrap_or(u32::MAX)
}

/// Where a new sign-up of `entity_id` goes, after `seats` (all earlier sign-ups, in order),
/// while sign-up is open: a seat when one is free, no one earlier waits for it, and the entity
/// has fewer than its limit admitted; else the waiting list.
pub fn place(limits: Limits, seats: &[Seat], entity_id: i64) -> Standing {
    let mut with: Vec<Seat> = seats.to_vec();
    with.push(Seat {
        entity_id,
        standing: Standing::Waiting,
    });
    if promote(limits, &with, false).contains(&(with.len() - 1)) {
        Standing::Admitted
    } else {
        Standing::Waiting
    }
}

/// The waiting sign-ups that now take a seat (their indices, in order): going through the
/// waiting list in sign-up order while seats are free, each one whose entity is under its
/// limit (no limit once sign-up is `closed`). The admitted stay admitted: nobody loses a seat.
pub fn promote(limits: Limits, seats: &[Seat], closed: bool) -> Vec<usize> {
    let mut taken = admitted(seats);
    let mut per: std::collections::HashMap<i64, u32> = std::collections::HashMap::new();
    for s in seats.iter().filter(|s| s.standing == Standing::Admitted) {
        *per.entry(s.entity_id).or_default() += 1;
    }
    let mut out = Vec::new();
    for (i, s) in seats.iter().enumerate() {
        if taken >= limits.seats {
            break;
        }
        if s.standing != Standing::Waiting {
            continue;
        }
        let n = per.entry(s.entity_id).or_default();
        if closed || *n < limits.per_entity {
            *n += 1;
            taken += 1;
            out.push(i);
        }
    }
    out
}

/// What closing the sign-up decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    /// The waiting sign-ups that take the seats left (indices, in order).
    pub admitted: Vec<usize>,
    /// Whether the course runs: enough people admitted.
    pub runs: bool,
}

/// Closes the sign-up: the waiting people take the seats left in order, whatever their
/// entity; the course runs with at least the minimum admitted.
pub fn close(limits: Limits, seats: &[Seat]) -> Closing {
    let admitted_now = promote(limits, seats, true);
    let total = admitted(seats) + u32::try_from(admitted_now.len()).unwrap_or(u32::MAX);
    Closing {
        admitted: admitted_now,
        runs: total >= limits.min_participants,
    }
}

/// How a participant's attendance was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    /// Not recorded yet (counts as a participation).
    Unknown,
    Present,
    /// Absent without a justification: still uses an entry.
    Absent,
    /// Absent with a justification accepted by the centre: uses nothing.
    Excused,
}

impl Attendance {
    pub fn code(self) -> &'static str {
        match self {
            Attendance::Unknown => "unknown",
            Attendance::Present => "present",
            Attendance::Absent => "absent",
            Attendance::Excused => "excused",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "unknown" => Some(Attendance::Unknown),
            "present" => Some(Attendance::Present),
            "absent" => Some(Attendance::Absent),
            "excused" => Some(Attendance::Excused),
            _ => None,
        }
    }
    pub fn italian(self) -> &'static str {
        match self {
            Attendance::Unknown => "da registrare",
            Attendance::Present => "presente",
            Attendance::Absent => "assente ingiustificato",
            Attendance::Excused => "assente giustificato",
        }
    }
    /// Whether it uses an entry.
    pub fn counts(self) -> bool {
        self != Attendance::Excused
    }
}

/// One admitted person of a course that runs, as the entries see it. Give them in the order
/// the entries are used: by the course's first day, then the course, then sign-up order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Participation {
    pub attendance: Attendance,
}

/// How a participation is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Use {
    /// One of the entity's entries of the year.
    Entry,
    /// Beyond the entries: an extra entry, charged at 20% off.
    Extra,
    /// A justified absence: nothing used.
    Nothing,
}

/// Which participations use the `entries` of the year and which are extra, in order.
pub fn uses(entries: u32, participations: &[Participation]) -> Vec<Use> {
    let mut left = entries;
    participations
        .iter()
        .map(|p| {
            if !p.attendance.counts() {
                Use::Nothing
            } else if left > 0 {
                left -= 1;
                Use::Entry
            } else {
                Use::Extra
            }
        })
        .collect()
}

/// The price of an extra entry: the full price less 20%, to the cent (half a cent up).
pub fn extra_price(full: Euro) -> Euro {
    let c = full.cents();
    let num = c * (100 - EXTRA_DISCOUNT_PERCENT);
    Euro::from_cents(num.div_euclid(100) + i64::from(num.rem_euclid(100) >= 50))
}

/// Splits `total` among the entities by their number of people (largest remainder: the
/// shares add up to the total to the cent; ties go to the entity listed first). Entities with
/// no people get nothing and are left out.
pub fn split(total: Euro, people: &[(i64, u32)]) -> Vec<(i64, Euro)> {
    let all: i64 = people.iter().map(|(_, n)| i64::from(*n)).sum();
    if all == 0 {
        return vec![];
    }
    let t = i128::from(total.cents());
    let mut shares: Vec<(i64, i64, i128, usize)> = people
        .iter()
        .enumerate()
        .filter(|(_, (_, n))| *n > 0)
        .map(|(i, (e, n))| {
            let exact = t * i128::from(*n);
            let floor = exact.div_euclid(i128::from(all));
            let rest = exact.rem_euclid(i128::from(all));
            (*e, i64::try_from(floor).unwrap_or(0), rest, i)
        })
        .collect();
    let given: i64 = shares.iter().map(|s| s.1).sum();
    let mut left = total.cents() - given;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| {
        shares[*b]
            .2
            .cmp(&shares[*a].2)
            .then(shares[*a].3.cmp(&shares[*b].3))
    });
    for i in order {
        if left <= 0 {
            break;
        }
        shares[i].1 += 1;
        left -= 1;
    }
    shares
        .into_iter()
        .map(|(e, c, _, _)| (e, Euro::from_cents(c)))
        .collect()
}

#[cfg(test)]
mod tests;
