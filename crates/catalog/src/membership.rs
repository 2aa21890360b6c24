//! The yearly membership fee (*quota associativa annua*): the four models of DOMAIN.md as data.
//!
//! - Padova: marginal per-inhabitant tiers (€ 0,20 up to 5.000, € 0,10 from 5.000 to 10.000) and a
//!   flat € 1.500 above 10.000 inhabitants.
//! - Pesaro Urbino: € 0,44 per inhabitant.
//! - Macerata: population bands with a yearly amount each.
//! - Lecco: the centre's fixed costs split among members in proportion to their workstations.
//!
//! Amounts are exact ([`Euro`], integer cents); rates are whole cents per inhabitant, as in the
//! seeds. A rule is checked when built ([`MembershipRule::validate`]): tiers must rise, bands must
//! cover every population once, with no gap and no overlap.

use std::collections::BTreeMap;

use kernel::Euro;
use serde::{Deserialize, Serialize};

/// A per-inhabitant rate up to a population (inclusive), counted on the inhabitants above the
/// previous tier's bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub up_to: u32,
    #[schema(value_type = String)]
    pub rate: Euro,
}

/// A yearly amount for populations `from..=to` (`to: None`: and above).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub from: u32,
    pub to: Option<u32>,
    #[schema(value_type = String)]
    pub amount: Euro,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
pub enum MembershipRule {
    /// Marginal tiers; entities above `flat_above` inhabitants pay `flat_amount` instead.
    MarginalTiers {
        tiers: Vec<Tier>,
        flat_above: Option<u32>,
        #[schema(value_type = Option<String>)]
        flat_amount: Option<Euro>,
    },
    /// One rate for every inhabitant.
    PerInhabitant {
        #[schema(value_type = String)]
        rate: Euro,
    },
    /// A yearly amount by population band.
    Bands { bands: Vec<Band> },
    /// `fixed_costs` split among all members in proportion to their workstations.
    WorkstationShare {
        #[schema(value_type = String)]
        fixed_costs: Euro,
    },
}

/// One line of a computation, in Italian, with its amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    pub text: String,
    pub amount: Euro,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fee {
    pub amount: Euro,
    pub lines: Vec<FeeLine>,
}

/// What the rule needs to know of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub id: i64,
    pub population: Option<u32>,
    pub workstations: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("regola non valida: {0}")]
    Invalid(String),
    #[error("l'ente {0} non ha la popolazione: serve per calcolare la quota")]
    NoPopulation(i64),
    #[error("nessun ente ha postazioni di lavoro: i costi fissi non si possono ripartire")]
    NoWorkstations,
    #[error("l'ente {0} non è tra gli enti su cui ripartire i costi")]
    NotAMember(i64),
    #[error("importo troppo grande")]
    Overflow,
}

fn invalid(msg: impl Into<String>) -> RuleError {
    RuleError::Invalid(msg.into())
}

fn ab(n: u32) -> String {
    format!("{} ab.", kernel::money::thousands(n.into()))
}

fn times(rate: Euro, n: u32) -> Result<Euro, RuleError> {
    rate.checked_mul(i64::from(n)).ok_or(RuleError::Overflow)
}

/// The presets' names and Italian labels.
pub const PRESETS: [(&str, &str); 4] = [
    (
        "padova",
        "Padova: scaglioni per abitante, quota fissa oltre 10.000 abitanti",
    ),
    ("pesaro-urbino", "Pesaro Urbino: € 0,44 per abitante"),
    ("macerata", "Macerata: fasce di popolazione"),
    (
        "lecco",
        "Lecco: costi fissi ripartiti per postazioni di lavoro",
    ),
];

/// The presets an administrator can pick (DOMAIN.md, "Fee models").
pub fn preset(name: &str, fixed_costs: Option<Euro>) -> Result<MembershipRule, RuleError> {
    let e = Euro::from_cents;
    let rule = match name {
        "padova" => MembershipRule::MarginalTiers {
            tiers: vec![
                Tier {
                    up_to: 5_000,
                    rate: e(20),
                },
                Tier {
                    up_to: 10_000,
                    rate: e(10),
                },
            ],
            flat_above: Some(10_000),
            flat_amount: Some(e(150_000)),
        },
        "pesaro-urbino" => MembershipRule::PerInhabitant { rate: e(44) },
        // The seed reads "< 500 | da 501 a 1000 | … | da 20001 a 40000 | > 40001", leaving 500 and
        // 40.001 in no band: here 500 belongs to the first band and 40.001 to the last.
        "macerata" => MembershipRule::Bands {
            bands: [
                (0, Some(500), 150),
                (501, Some(1_000), 960),
                (1_001, Some(2_300), 1_440),
                (2_301, Some(3_000), 2_112),
                (3_001, Some(4_500), 2_200),
                (4_501, Some(7_000), 2_816),
                (7_001, Some(8_500), 3_520),
                (8_501, Some(12_500), 4_840),
                (12_501, Some(20_000), 5_720),
                (20_001, Some(40_000), 7_000),
                (40_001, None, 10_500),
            ]
            .into_iter()
            .map(|(from, to, euros)| Band {
                from,
                to,
                amount: e(euros * 100),
            })
            .collect(),
        },
        "lecco" => MembershipRule::WorkstationShare {
            fixed_costs: fixed_costs.ok_or_else(|| {
                invalid("il modello lecco richiede i costi fissi del centro (fixed_costs)")
            })?,
        },
        other => {
            return Err(invalid(format!(
                "modello «{other}» sconosciuto: padova, pesaro-urbino, macerata o lecco"
            )))
        }
    };
    rule.validate()?;
    Ok(rule)
}

/// Bands of population must start at 0, follow each other with no gap and no overlap, and end
/// open.
pub fn validate_bands(bands: &[Band]) -> Result<(), RuleError> {
    validate_bands_of(bands, "abitanti")
}

/// Bands of any quantity (`units`: "abitanti", "utenti"…), as [`validate_bands`].
pub fn validate_bands_of(bands: &[Band], units: &str) -> Result<(), RuleError> {
    let Some(first) = bands.first() else {
        return Err(invalid("servono una o più fasce"));
    };
    if first.from != 0 {
        return Err(invalid(format!(
            "le fasce devono partire da 0 {units} (la prima parte da {})",
            first.from
        )));
    }
    for w in bands.windows(2) {
        let Some(to) = w[0].to else {
            return Err(invalid("solo l'ultima fascia può essere aperta"));
        };
        if w[0].from > to {
            return Err(invalid(format!("fascia {}–{} rovesciata", w[0].from, to)));
        }
        if w[1].from <= to {
            return Err(invalid(format!(
                "le fasce si sovrappongono: {}–{} e da {}",
                w[0].from, to, w[1].from
            )));
        }
        if w[1].from > to + 1 {
            let (a, b) = (to + 1, w[1].from - 1);
            return Err(invalid(if a == b {
                format!("manca la fascia per {a} {units}")
            } else {
                format!("manca la fascia da {a} a {b} {units}")
            }));
        }
    }
    if bands.last().is_some_and(|b| b.to.is_some()) {
        return Err(invalid(
            "l'ultima fascia deve essere aperta (senza limite superiore)",
        ));
    }
    Ok(())
}

impl MembershipRule {
    /// Refuses a rule that cannot give one well-defined fee for every population.
    pub fn validate(&self) -> Result<(), RuleError> {
        match self {
            MembershipRule::MarginalTiers {
                tiers,
                flat_above,
                flat_amount,
            } => {
                if tiers.is_empty() {
                    return Err(invalid("servono uno o più scaglioni"));
                }
                for w in tiers.windows(2) {
                    if w[1].up_to <= w[0].up_to {
                        return Err(invalid(format!(
                            "gli scaglioni devono crescere: {} dopo {}",
                            w[1].up_to, w[0].up_to
                        )));
                    }
                }
                if tiers.iter().any(|t| t.rate < Euro::ZERO) {
                    return Err(invalid("una tariffa per abitante è negativa"));
                }
                match (flat_above, flat_amount) {
                    (Some(_), None) | (None, Some(_)) => Err(invalid(
                        "la quota fissa richiede sia la soglia sia l'importo",
                    )),
                    (Some(above), Some(_)) if tiers.last().is_some_and(|t| t.up_to < *above) => {
                        Err(invalid(
                            "gli scaglioni devono arrivare fino alla soglia della quota fissa",
                        ))
                    }
                    (Some(above), Some(_)) if tiers.iter().any(|t| t.up_to > *above) => {
                        Err(invalid(format!(
                            "gli scaglioni oltre la soglia della quota fissa ({}) non si applicherebbero mai",
                            ab(*above)
                        )))
                    }
                    _ => Ok(()),
                }
            }
            MembershipRule::PerInhabitant { rate } if *rate < Euro::ZERO => {
                Err(invalid("la tariffa per abitante è negativa"))
            }
            MembershipRule::PerInhabitant { .. } => Ok(()),
            MembershipRule::Bands { bands } => validate_bands(bands),
            MembershipRule::WorkstationShare { fixed_costs } if *fixed_costs < Euro::ZERO => {
                Err(invalid("i costi fissi sono negativi"))
            }
            MembershipRule::WorkstationShare { .. } => Ok(()),
        }
    }

    /// The rule in one Italian sentence, for people choosing or checking it.
    pub fn describe(&self) -> String {
        match self {
            MembershipRule::MarginalTiers {
                tiers,
                flat_above,
                flat_amount,
            } => {
                let mut parts: Vec<String> = tiers
                    .iter()
                    .map(|t| format!("fino a {} {}/ab.", ab(t.up_to), t.rate))
                    .collect();
                if let (Some(above), Some(flat)) = (flat_above, flat_amount) {
                    parts.push(format!("oltre {} {flat} fissi", ab(*above)));
                }
                format!("Scaglioni per abitante: {}", parts.join("; "))
            }
            MembershipRule::PerInhabitant { rate } => format!("{rate} per abitante"),
            MembershipRule::Bands { bands } => format!(
                "{} fasce di popolazione, da {} a {}",
                bands.len(),
                bands.first().map_or(Euro::ZERO, |b| b.amount),
                bands.last().map_or(Euro::ZERO, |b| b.amount)
            ),
            MembershipRule::WorkstationShare { fixed_costs } => {
                format!("Costi fissi di {fixed_costs} ripartiti per postazioni di lavoro")
            }
        }
    }

    /// The fee of `member`; `all` are every member the costs are shared among (used only by
    /// [`MembershipRule::WorkstationShare`]).
    pub fn fee(&self, member: &Member, all: &[Member]) -> Result<Fee, RuleError> {
        let population = || member.population.ok_or(RuleError::NoPopulation(member.id));
        match self {
            MembershipRule::MarginalTiers {
                tiers,
                flat_above,
                flat_amount,
            } => {
                let p = population()?;
                if let (Some(above), Some(flat)) = (flat_above, flat_amount) {
                    if p > *above {
                        return Ok(Fee {
                            amount: *flat,
                            lines: vec![FeeLine {
                                text: format!("oltre {}: quota fissa {flat}", ab(*above)),
                                amount: *flat,
                            }],
                        });
                    }
                }
                let mut lines = Vec::new();
                let mut below = 0u32;
                for t in tiers {
                    if p <= below {
                        break;
                    }
                    let n = p.min(t.up_to) - below;
                    let amount = times(t.rate, n)?;
                    lines.push(FeeLine {
                        text: format!("{} × {} = {amount}", ab(n), t.rate),
                        amount,
                    });
                    below = t.up_to;
                }
                let amount = lines
                    .iter()
                    .try_fold(Euro::ZERO, |acc, l| acc.checked_add(l.amount))
                    .ok_or(RuleError::Overflow)?;
                Ok(Fee { amount, lines })
            }
            MembershipRule::PerInhabitant { rate } => {
                let p = population()?;
                let amount = times(*rate, p)?;
                Ok(Fee {
                    amount,
                    lines: vec![FeeLine {
                        text: format!("{} × {rate} = {amount}", ab(p)),
                        amount,
                    }],
                })
            }
            MembershipRule::Bands { bands } => {
                let p = population()?;
                let band = bands
                    .iter()
                    .find(|b| b.from <= p && b.to.is_none_or(|to| p <= to))
                    .ok_or_else(|| invalid(format!("nessuna fascia per {}", ab(p))))?;
                let range = match band.to {
                    Some(to) => format!("fascia da {} a {}", ab(band.from), ab(to)),
                    None => format!("fascia da {} in su", ab(band.from)),
                };
                Ok(Fee {
                    amount: band.amount,
                    lines: vec![FeeLine {
                        text: format!("{} ({range}): {}", ab(p), band.amount),
                        amount: band.amount,
                    }],
                })
            }
            MembershipRule::WorkstationShare { fixed_costs } => {
                let shares = workstation_shares(*fixed_costs, all)?;
                let amount = *shares
                    .get(&member.id)
                    .ok_or(RuleError::NotAMember(member.id))?;
                let total: u64 = all.iter().map(|m| u64::from(m.workstations)).sum();
                Ok(Fee {
                    amount,
                    lines: vec![FeeLine {
                        text: format!(
                            "{fixed_costs} di costi fissi × {} postazioni su {} = {amount}",
                            member.workstations,
                            kernel::money::thousands(total)
                        ),
                        amount,
                    }],
                })
            }
        }
    }
}

/// Splits `total` among `members` in proportion to their workstations, exactly: each gets the
/// rounded-down cents of its share, and the cents left over go one each to the largest
/// remainders (ties to the lower id). The shares always add up to `total`.
pub fn workstation_shares(
    total: Euro,
    members: &[Member],
) -> Result<BTreeMap<i64, Euro>, RuleError> {
    let weight: i128 = members.iter().map(|m| i128::from(m.workstations)).sum();
    if weight == 0 {
        return Err(RuleError::NoWorkstations);
    }
    let cents = i128::from(total.cents());
    let mut parts: Vec<(i64, i128, i128)> = members
        .iter()
        .map(|m| {
            let exact = cents * i128::from(m.workstations);
            (m.id, exact / weight, exact % weight)
        })
        .collect();
    let given: i128 = parts.iter().map(|p| p.1).sum();
    let mut left = cents - given;
    parts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    for p in parts.iter_mut() {
        if left <= 0 {
            break;
        }
        p.1 += 1;
        left -= 1;
    }
    parts
        .into_iter()
        .map(|(id, c, _remainder)| {
            Ok((
                id,
                Euro::from_cents(i64::try_from(c).map_err(|_| RuleError::Overflow)?),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(population: u32) -> Member {
        Member {
            id: 1,
            population: Some(population),
            workstations: 0,
        }
    }

    fn fee(preset_name: &str, population: u32) -> Fee {
        preset(preset_name, None)
            .unwrap()
            .fee(&m(population), &[])
            .unwrap()
    }

    #[test]
    fn padova_seed_figures() {
        let f = fee("padova", 7_500);
        assert_eq!(f.amount, Euro::from_cents(125_000));
        let texts: Vec<&str> = f.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "5.000 ab. × € 0,20 = € 1.000,00",
                "2.500 ab. × € 0,10 = € 250,00"
            ]
        );
        assert_eq!(fee("padova", 10_000).amount, Euro::from_cents(150_000));
        assert_eq!(fee("padova", 10_001).amount, Euro::from_cents(150_000));
        assert_eq!(
            fee("padova", 206_496).lines[0].text,
            "oltre 10.000 ab.: quota fissa € 1.500,00"
        );
        assert_eq!(fee("padova", 3_000).amount, Euro::from_cents(60_000));
        assert_eq!(fee("padova", 0).amount, Euro::ZERO);
    }

    #[test]
    fn pesaro_and_macerata_seed_figures() {
        assert_eq!(fee("pesaro-urbino", 1_234).amount, Euro::from_cents(54_296));
        for (p, euros) in [
            (0, 150),
            (499, 150),
            (500, 150),
            (501, 960),
            (2_300, 1_440),
            (2_301, 2_112),
            (12_500, 4_840),
            (40_000, 7_000),
            (40_001, 10_500),
            (2_800_000, 10_500),
        ] {
            assert_eq!(
                fee("macerata", p).amount,
                Euro::from_cents(euros * 100),
                "{p}"
            );
        }
        assert_eq!(
            fee("macerata", 2_350).lines[0].text,
            "2.350 ab. (fascia da 2.301 ab. a 3.000 ab.): € 2.112,00"
        );
    }

    #[test]
    fn lecco_shares_add_up_exactly() {
        let rule = preset("lecco", Some(Euro::from_cents(10_000_000))).unwrap();
        let all = [
            Member {
                id: 1,
                population: None,
                workstations: 1,
            },
            Member {
                id: 2,
                population: None,
                workstations: 1,
            },
            Member {
                id: 3,
                population: None,
                workstations: 1,
            },
        ];
        let fees: Vec<Euro> = all
            .iter()
            .map(|x| rule.fee(x, &all).unwrap().amount)
            .collect();
        // 100.000,00 / 3: one cent more to the first by id, and the total is exact.
        assert_eq!(
            fees,
            [3_333_334, 3_333_333, 3_333_333].map(Euro::from_cents)
        );
        assert!(preset("lecco", None).is_err());
        let none = [Member {
            id: 1,
            population: None,
            workstations: 0,
        }];
        assert_eq!(rule.fee(&none[0], &none), Err(RuleError::NoWorkstations));
    }

    #[test]
    fn bad_rules_are_refused_with_a_reason() {
        let band = |from, to: Option<u32>| Band {
            from,
            to,
            amount: Euro::from_cents(100),
        };
        let gap = MembershipRule::Bands {
            bands: vec![band(0, Some(499)), band(501, None)],
        };
        assert_eq!(
            gap.validate(),
            Err(invalid("manca la fascia per 500 abitanti"))
        );
        let overlap = MembershipRule::Bands {
            bands: vec![band(0, Some(500)), band(500, None)],
        };
        assert!(overlap
            .validate()
            .unwrap_err()
            .to_string()
            .contains("sovrappongono"));
        let closed = MembershipRule::Bands {
            bands: vec![band(0, Some(500))],
        };
        assert!(closed.validate().is_err());
        let late = MembershipRule::Bands {
            bands: vec![band(1, None)],
        };
        assert!(late.validate().is_err());
        let falling = MembershipRule::MarginalTiers {
            tiers: vec![
                Tier {
                    up_to: 10,
                    rate: Euro::from_cents(1),
                },
                Tier {
                    up_to: 5,
                    rate: Euro::from_cents(1),
                },
            ],
            flat_above: None,
            flat_amount: None,
        };
        assert!(falling.validate().is_err());
        assert!(preset("verona", None).is_err());
        assert_eq!(
            preset("padova", None).unwrap().fee(
                &Member {
                    id: 9,
                    population: None,
                    workstations: 0
                },
                &[]
            ),
            Err(RuleError::NoPopulation(9))
        );
    }

    #[test]
    fn rules_describe_themselves() {
        assert_eq!(
            preset("padova", None).unwrap().describe(),
            "Scaglioni per abitante: fino a 5.000 ab. € 0,20/ab.; fino a 10.000 ab. € 0,10/ab.; oltre 10.000 ab. € 1.500,00 fissi"
        );
        assert_eq!(
            preset("macerata", None).unwrap().describe(),
            "11 fasce di popolazione, da € 150,00 a € 10.500,00"
        );
    }

    #[test]
    fn rules_are_data() {
        let rule = preset("padova", None).unwrap();
        let json = serde_json::to_string(&rule).unwrap();
        assert!(json.starts_with(r#"{"model":"marginal_tiers""#), "{json}");
        let back: MembershipRule = serde_json::from_str(&json).unwrap();
        assert_eq!(back, rule);
    }

    proptest::proptest! {
        #[test]
        fn marginal_fee_never_decreases_with_population(p in 0u32..10_000_000) {
            let a = fee("padova", p).amount;
            let b = fee("padova", p + 1).amount;
            proptest::prop_assert!(a <= b);
        }

        #[test]
        fn preset_bands_give_every_population_one_fee(p in 0u32..10_000_000) {
            let rule = preset("macerata", None).unwrap();
            let MembershipRule::Bands { bands } = &rule else { unreachable!() };
            let matching = bands.iter().filter(|b| b.from <= p && b.to.is_none_or(|to| p <= to)).count();
            proptest::prop_assert_eq!(matching, 1);
        }

        #[test]
        fn shares_always_add_up(total in 0i64..1_000_000_000, ws in proptest::collection::vec(0u32..500, 1..40)) {
            let members: Vec<Member> = ws.iter().enumerate()
                .map(|(i, w)| Member { id: i as i64, population: None, workstations: *w }).collect();
            if ws.iter().all(|w| *w == 0) {
                proptest::prop_assert!(workstation_shares(Euro::from_cents(total), &members).is_err());
            } else {
                let shares = workstation_shares(Euro::from_cents(total), &members).unwrap();
                let sum: i64 = shares.values().map(|e| e.cents()).sum();
                proptest::prop_assert_eq!(sum, total);
                for m in &members {
                    if m.workstations == 0 {
                        proptest::prop_assert_eq!(shares[&m.id], Euro::ZERO);
                    }
                }
            }
        }
    }
}
