//! The yearly needs form (*scheda dei fabbisogni*): what each answer means and the aggregate
//! the centre reads per service (pure code; the store loads the lines and prices them).
//!
//! An entity answers for each service it has (`renew` with a quantity, or `stop`) and for the
//! catalogue (`interested` with a quantity, or `no`). The aggregate counts, per service, the
//! entities that want it next year, the quantity, the estimated amount (each line priced with
//! next year's list), and the change against what the same entities have this year.

use std::collections::{BTreeMap, BTreeSet};

use kernel::Euro;
use serde::Serialize;

/// An answer on one line of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Keep a service it has, with a quantity (the same or changed).
    Renew,
    /// Stop a service it has at the end of this year.
    Stop,
    /// Wants a service it does not have, with a quantity.
    Interested,
    /// Does not want it.
    No,
}

impl Answer {
    pub fn code(self) -> &'static str {
        match self {
            Answer::Renew => "renew",
            Answer::Stop => "stop",
            Answer::Interested => "interested",
            Answer::No => "no",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "renew" => Answer::Renew,
            "stop" => Answer::Stop,
            "interested" => Answer::Interested,
            "no" => Answer::No,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Answer::Renew => "rinnova",
            Answer::Stop => "cessa",
            Answer::Interested => "interessato",
            Answer::No => "non interessato",
        }
    }

    /// Whether the answer is about a service the entity has.
    pub fn for_active(self) -> bool {
        matches!(self, Answer::Renew | Answer::Stop)
    }

    /// Whether the service is wanted next year.
    pub fn wanted(self) -> bool {
        matches!(self, Answer::Renew | Answer::Interested)
    }
}

/// One answered line, as the aggregate reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedLine {
    pub entity_id: i64,
    pub service: String,
    pub answer: Answer,
    /// Wanted next year (0 when stopped or not wanted).
    pub quantity: u64,
    /// What the entity has this year (0 when it does not have it).
    pub current_quantity: u64,
    /// Next year's amount of the line with next year's list; `None` when the list cannot
    /// price it (the line is counted as not priced).
    pub amount: Option<Euro>,
}

/// The aggregate of one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceNeed {
    pub service: String,
    /// Entities that want it next year.
    pub entities: u64,
    /// Their quantity next year.
    pub quantity: u64,
    /// The estimated amount of next year, from the priced lines.
    pub estimated_amount: Euro,
    /// Wanted lines the list could not price.
    pub unpriced: u64,
    /// Entities that have it this year (among those that answered).
    pub current_entities: u64,
    /// Their quantity this year.
    pub current_quantity: u64,
    /// Entities that stop it.
    pub stopping: u64,
    /// Entities that do not have it and want it.
    pub new_entities: u64,
}

/// The aggregate per service, ordered by service code. A service appears once any line names
/// it (even only "no").
pub fn aggregate(lines: &[NeedLine]) -> Vec<ServiceNeed> {
    #[derive(Default)]
    struct Acc {
        wanting: BTreeSet<i64>,
        having: BTreeSet<i64>,
        stopping: BTreeSet<i64>,
        new: BTreeSet<i64>,
        quantity: u64,
        current: u64,
        amount: i64,
        unpriced: u64,
    }
    let mut by: BTreeMap<&str, Acc> = BTreeMap::new();
    for l in lines {
        let a = by.entry(l.service.as_str()).or_default();
        if l.current_quantity > 0 {
            a.having.insert(l.entity_id);
            a.current = a.current.saturating_add(l.current_quantity);
        }
        match l.answer {
            Answer::Stop => {
                a.stopping.insert(l.entity_id);
            }
            Answer::No => {}
            Answer::Renew | Answer::Interested if l.quantity > 0 => {
                a.wanting.insert(l.entity_id);
                if l.answer == Answer::Interested {
                    a.new.insert(l.entity_id);
                }
                a.quantity = a.quantity.saturating_add(l.quantity);
                match l.amount {
                    Some(e) => a.amount = a.amount.saturating_add(e.cents()),
                    None => a.unpriced += 1,
                }
            }
            Answer::Renew | Answer::Interested => {}
        }
    }
    let n = |s: &BTreeSet<i64>| s.len() as u64;
    by.into_iter()
        .map(|(service, a)| ServiceNeed {
            service: service.to_owned(),
            entities: n(&a.wanting),
            quantity: a.quantity,
            estimated_amount: Euro::from_cents(a.amount),
            unpriced: a.unpriced,
            current_entities: n(&a.having),
            current_quantity: a.current,
            stopping: n(&a.stopping),
            new_entities: n(&a.new),
        })
        .collect()
}

/// What a store counts per service in one grouped read: the counts of [`aggregate`] that do
/// not need prices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceCounts {
    pub service: String,
    pub entities: u64,
    pub quantity: u64,
    pub current_entities: u64,
    pub current_quantity: u64,
    pub stopping: u64,
    pub new_entities: u64,
}

/// Identical wanted lines (same service, item, quantity, dates and, where the price reads it,
/// population): priced once, `lines` times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedGroup {
    pub service: String,
    pub amount: Option<Euro>,
    pub lines: u64,
}

/// The aggregate from grouped counts and priced groups: the same figures as [`aggregate`] over
/// the lines they were grouped from (a test checks it against the database).
pub fn combine(counts: Vec<ServiceCounts>, priced: &[PricedGroup]) -> Vec<ServiceNeed> {
    let mut by: BTreeMap<String, ServiceNeed> = counts
        .into_iter()
        .map(|c| {
            (
                c.service.clone(),
                ServiceNeed {
                    service: c.service,
                    entities: c.entities,
                    quantity: c.quantity,
                    estimated_amount: Euro::ZERO,
                    unpriced: 0,
                    current_entities: c.current_entities,
                    current_quantity: c.current_quantity,
                    stopping: c.stopping,
                    new_entities: c.new_entities,
                },
            )
        })
        .collect();
    for g in priced {
        let Some(n) = by.get_mut(&g.service) else {
            continue;
        };
        match g.amount {
            Some(a) => {
                let add = a
                    .cents()
                    .saturating_mul(i64::try_from(g.lines).unwrap_or(i64::MAX));
                n.estimated_amount =
                    Euro::from_cents(n.estimated_amount.cents().saturating_add(add));
            }
            None => n.unpriced += g.lines,
        }
    }
    by.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(
        entity: i64,
        service: &str,
        answer: Answer,
        q: u64,
        cur: u64,
        cents: Option<i64>,
    ) -> NeedLine {
        NeedLine {
            entity_id: entity,
            service: service.into(),
            answer,
            quantity: q,
            current_quantity: cur,
            amount: cents.map(Euro::from_cents),
        }
    }

    #[test]
    fn the_aggregate_of_a_few_forms() {
        use Answer::*;
        let lines = [
            // Entity 1 renews PD09 from 3 to 5 users, stops PD12, wants PD14.
            line(1, "PD09", Renew, 5, 3, Some(50_000)),
            line(1, "PD12", Stop, 0, 1, None),
            line(1, "PD14", Interested, 1, 0, Some(186_700)),
            // Entity 2 keeps PD09 (2), does not want PD14; two items of PD09 count it once.
            line(2, "PD09", Renew, 2, 2, Some(20_000)),
            line(2, "PD09", Renew, 1, 1, None),
            line(2, "PD14", No, 0, 0, None),
        ];
        let a = aggregate(&lines);
        let get = |s: &str| a.iter().find(|x| x.service == s).unwrap().clone();
        let pd09 = get("PD09");
        assert_eq!((pd09.entities, pd09.quantity, pd09.unpriced), (2, 8, 1));
        assert_eq!(pd09.estimated_amount, Euro::from_cents(70_000));
        assert_eq!((pd09.current_entities, pd09.current_quantity), (2, 6));
        let pd12 = get("PD12");
        assert_eq!(
            (pd12.entities, pd12.stopping, pd12.current_quantity),
            (0, 1, 1)
        );
        let pd14 = get("PD14");
        assert_eq!((pd14.entities, pd14.new_entities, pd14.quantity), (1, 1, 1));
        assert_eq!(
            a.iter().map(|x| x.service.as_str()).collect::<Vec<_>>(),
            ["PD09", "PD12", "PD14"]
        );
        assert!(aggregate(&[]).is_empty());
        for (code, ans) in [
            ("renew", Renew),
            ("stop", Stop),
            ("interested", Interested),
            ("no", No),
        ] {
            assert_eq!(Answer::parse(code), Some(ans));
            assert_eq!(ans.code(), code);
        }
        assert_eq!(Answer::parse("maybe"), None);
    }

    fn answer() -> impl Strategy<Value = Answer> {
        prop_oneof![
            Just(Answer::Renew),
            Just(Answer::Stop),
            Just(Answer::Interested),
            Just(Answer::No)
        ]
    }

    proptest! {
        /// The quantities and amounts of the wanted lines are all counted, once, under their
        /// service; entities are never more than those that answered; stopping or refusing
        /// adds nothing to next year.
        #[test]
        fn the_aggregate_adds_up(
            raw in proptest::collection::vec(
                (0i64..30, 0usize..4, answer(), 0u64..50, 0u64..50, proptest::option::of(0i64..100_000)),
                0..200,
            )
        ) {
            let services = ["PD01", "PD09", "PD14", "PD18"];
            let lines: Vec<NeedLine> = raw
                .iter()
                .map(|(e, s, a, q, c, m)| {
                    let q = if a.wanted() { *q } else { 0 };
                    line(*e, services[*s], *a, q, *c, *m)
                })
                .collect();
            let agg = aggregate(&lines);
            let wanted: Vec<&NeedLine> = lines.iter().filter(|l| l.answer.wanted() && l.quantity > 0).collect();
            prop_assert_eq!(
                agg.iter().map(|x| x.quantity).sum::<u64>(),
                wanted.iter().map(|l| l.quantity).sum::<u64>()
            );
            prop_assert_eq!(
                agg.iter().map(|x| x.estimated_amount.cents()).sum::<i64>(),
                wanted.iter().filter_map(|l| l.amount).map(Euro::cents).sum::<i64>()
            );
            prop_assert_eq!(
                agg.iter().map(|x| x.unpriced).sum::<u64>(),
                wanted.iter().filter(|l| l.amount.is_none()).count() as u64
            );
            let answered: BTreeSet<i64> = lines.iter().map(|l| l.entity_id).collect();
            for x in &agg {
                prop_assert!(x.entities <= answered.len() as u64);
                prop_assert!(x.new_entities <= x.entities);
                prop_assert!(x.current_entities <= answered.len() as u64);
            }
            // Grouped the way the store groups them, the same figures.
            let mut counts: BTreeMap<String, ServiceCounts> = BTreeMap::new();
            let mut sets: BTreeMap<(String, u8), BTreeSet<i64>> = BTreeMap::new();
            let mut groups: BTreeMap<(String, Option<i64>), u64> = BTreeMap::new();
            for l in &lines {
                let c = counts.entry(l.service.clone()).or_insert_with(|| ServiceCounts {
                    service: l.service.clone(),
                    ..Default::default()
                });
                let wanted = l.answer.wanted() && l.quantity > 0;
                if wanted {
                    c.quantity += l.quantity;
                    sets.entry((l.service.clone(), 0)).or_default().insert(l.entity_id);
                    *groups.entry((l.service.clone(), l.amount.map(Euro::cents))).or_default() += 1;
                    if l.answer == Answer::Interested {
                        sets.entry((l.service.clone(), 3)).or_default().insert(l.entity_id);
                    }
                }
                c.current_quantity += l.current_quantity;
                if l.current_quantity > 0 {
                    sets.entry((l.service.clone(), 1)).or_default().insert(l.entity_id);
                }
                if l.answer == Answer::Stop {
                    sets.entry((l.service.clone(), 2)).or_default().insert(l.entity_id);
                }
            }
            for ((service, k), set) in &sets {
                let c = counts.get_mut(service).unwrap();
                let n = set.len() as u64;
                match k {
                    0 => c.entities = n,
                    1 => c.current_entities = n,
                    2 => c.stopping = n,
                    _ => c.new_entities = n,
                }
            }
            let priced: Vec<PricedGroup> = groups
                .into_iter()
                .map(|((service, cents), n)| PricedGroup {
                    service,
                    amount: cents.map(Euro::from_cents),
                    lines: n,
                })
                .collect();
            prop_assert_eq!(combine(counts.into_values().collect(), &priced), agg.clone());
            // The order of the lines does not matter.
            let mut rev = lines.clone();
            rev.reverse();
            prop_assert_eq!(aggregate(&rev), agg);
        }
    }
}
