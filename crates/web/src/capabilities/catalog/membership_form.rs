//! The membership-fee rule as a form: the draft of what was typed (model, rate, tiers, bands,
//! fixed costs), read into a rule with a message per field, and the preview of every member's
//! fee under a rule with the total.

use catalog::membership::{preset, Member, MembershipRule, PRESETS};
use kernel::Euro;
use members::store::FeeBasis;

use super::price_item_form::{
    band_draft, money, rows_named, tier_draft, value, BandDraft, FieldErrors, Reader, TierDraft,
};

pub const YEAR_RANGE: &str = "L'anno deve essere tra il 2000 e il 2100";

/// "1 ente", "1.234 enti".
pub(super) fn entities(n: usize) -> String {
    match n {
        1 => "1 ente".to_owned(),
        n => format!("{} enti", kernel::money::thousands(n as u64)),
    }
}

pub const MODELS: [(&str, &str); 4] = [
    (
        "marginal_tiers",
        "Scaglioni per abitante, con quota fissa oltre una soglia",
    ),
    ("per_inhabitant", "Un importo per abitante"),
    ("bands", "Fasce di popolazione, un importo per fascia"),
    (
        "workstation_share",
        "Costi fissi del centro ripartiti per postazioni di lavoro",
    ),
];

/// The rule as typed.
#[derive(Debug, Clone, Default)]
pub struct RuleDraft {
    pub year: String,
    pub model: String,
    pub rate: String,
    pub tiers: Vec<TierDraft>,
    pub flat_above: String,
    pub flat_amount: String,
    pub bands: Vec<BandDraft>,
    pub fixed_costs: String,
}

impl RuleDraft {
    pub(super) fn of(year: String, rule: &MembershipRule) -> Self {
        let mut d = Self {
            year,
            ..Default::default()
        };
        match rule {
            MembershipRule::MarginalTiers {
                tiers,
                flat_above,
                flat_amount,
            } => {
                d.model = "marginal_tiers".into();
                d.tiers = tiers.iter().map(tier_draft).collect();
                d.flat_above = flat_above.map(|n| n.to_string()).unwrap_or_default();
                d.flat_amount = flat_amount.map(money).unwrap_or_default();
            }
            MembershipRule::PerInhabitant { rate } => {
                d.model = "per_inhabitant".into();
                d.rate = money(*rate);
            }
            MembershipRule::Bands { bands } => {
                d.model = "bands".into();
                d.bands = bands.iter().map(band_draft).collect();
            }
            MembershipRule::WorkstationShare { fixed_costs } => {
                d.model = "workstation_share".into();
                d.fixed_costs = money(*fixed_costs);
            }
        }
        d
    }

    pub(super) fn from_form(pairs: &[(String, String)]) -> Self {
        let v = |name: &str| value(pairs, name).to_owned();
        Self {
            year: v("year"),
            model: v("model"),
            rate: v("rate"),
            tiers: (0..rows_named(pairs, "t"))
                .map(|j| TierDraft {
                    up_to: v(&format!("t{j}_up_to")),
                    rate: v(&format!("t{j}_rate")),
                })
                .collect(),
            flat_above: v("flat_above"),
            flat_amount: v("flat_amount"),
            bands: (0..rows_named(pairs, "b"))
                .map(|j| BandDraft {
                    from: v(&format!("b{j}_from")),
                    to: v(&format!("b{j}_to")),
                    amount: v(&format!("b{j}_amount")),
                })
                .collect(),
            fixed_costs: v("fixed_costs"),
        }
    }

    /// The year and the rule, or a message for each field that cannot be read; what is read
    /// but wrong (bands with a gap) is left to [`MembershipRule::validate`].
    pub(super) fn read(&self) -> Result<(i32, MembershipRule), FieldErrors> {
        let mut r = Reader::new();
        let year = match self
            .year
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|y| catalog::store::check_year(y).ok())
        {
            Some(y) => y,
            None => {
                r.errors.push(("year".into(), YEAR_RANGE.into()));
                0
            }
        };
        let rule = match self.model.as_str() {
            "marginal_tiers" => Some(MembershipRule::MarginalTiers {
                tiers: r.tiers("", &self.tiers),
                flat_above: r.count("flat_above", "Soglia della quota fissa", &self.flat_above),
                flat_amount: r.euro("flat_amount", "Quota fissa", &self.flat_amount),
            }),
            "per_inhabitant" => Some(MembershipRule::PerInhabitant {
                rate: r.required_euro("rate", "Importo per abitante", &self.rate),
            }),
            "bands" => Some(MembershipRule::Bands {
                bands: r.bands("", &self.bands),
            }),
            "workstation_share" => Some(MembershipRule::WorkstationShare {
                fixed_costs: r.required_euro("fixed_costs", "Costi fissi annui", &self.fixed_costs),
            }),
            _ => {
                r.errors.push(("model".into(), "Scegli un modello".into()));
                None
            }
        };
        match rule {
            Some(rule) if r.errors.is_empty() => Ok((year, rule)),
            _ => Err(r.errors),
        }
    }

    /// One empty band and tier row where there is none, so that choosing bands or tiers
    /// shows a row to fill (rows left empty are not read).
    pub(super) fn pad(&mut self) {
        if self.bands.is_empty() {
            self.bands.push(BandDraft::default());
        }
        if self.tiers.is_empty() {
            self.tiers.push(TierDraft::default());
        }
    }

    /// Applies a button that changes the form rather than saving it: a preset (`modello-…`),
    /// a row more (`fascia`, `scaglione`). Returns false for any other action.
    pub(super) fn reshape(&mut self, action: &str) -> bool {
        if let Some(name) = action.strip_prefix("modello-") {
            let fixed = Euro::parse(&self.fixed_costs)
                .ok()
                .or(Some(Euro::from_cents(10_000_000)));
            if let Ok(rule) = preset(name, fixed) {
                *self = Self::of(std::mem::take(&mut self.year), &rule);
            }
            return true;
        }
        match action {
            "fascia" => self.bands.push(BandDraft::default()),
            "scaglione" => self.tiers.push(TierDraft::default()),
            _ => return false,
        }
        true
    }
}

/// The preset a rule is exactly, if any: the register names it.
pub(super) fn preset_of(rule: &MembershipRule) -> &'static str {
    let fixed = match rule {
        MembershipRule::WorkstationShare { fixed_costs } => Some(*fixed_costs),
        _ => None,
    };
    PRESETS
        .iter()
        .find(|(name, _)| preset(name, fixed).is_ok_and(|p| &p == rule))
        .map_or("", |(name, _)| name)
}

/// Every member's fee for a year under a rule, by name, and the total.
pub struct FeeRow {
    pub name: String,
    pub facts: String,
    pub amount: String,
    pub error: String,
    /// The rule needs a population the entity lacks (not an error of the rule).
    pub missing_population: bool,
}

#[derive(Default)]
pub struct FeePreview {
    pub rows: Vec<FeeRow>,
    pub total: String,
    pub counted: String,
    /// The members the rule gives no fee ("4 enti senza quota"), or empty.
    pub left_out: String,
    pub error: String,
    pub year: String,
}

pub(super) fn fee_preview(year: i32, rule: &MembershipRule, basis: &[FeeBasis]) -> FeePreview {
    if let Err(e) = rule.validate() {
        return FeePreview {
            error: crate::pages::sentence(&e.to_string()),
            ..Default::default()
        };
    }
    let all: Vec<Member> = basis
        .iter()
        .map(|e| Member {
            id: e.id,
            population: e.population,
            workstations: e.workstations,
        })
        .collect();
    let mut total = Euro::ZERO;
    let mut priced = 0usize;
    let rows = basis
        .iter()
        .zip(&all)
        .map(|(e, m)| {
            let facts = format!(
                "{} · {}",
                e.population.map_or_else(
                    || "popolazione mancante".to_owned(),
                    |p| format!("{} ab.", kernel::money::thousands(p.into()))
                ),
                catalog::fees::Unit::Workstation.count(e.workstations.into())
            );
            match rule.fee(m, &all) {
                Ok(fee) => {
                    total = total.checked_add(fee.amount).unwrap_or(total);
                    priced += 1;
                    FeeRow {
                        name: e.name.clone(),
                        facts,
                        amount: fee.amount.to_string(),
                        error: String::new(),
                        missing_population: false,
                    }
                }
                Err(err) => FeeRow {
                    name: e.name.clone(),
                    facts,
                    amount: String::new(),
                    missing_population: matches!(
                        err,
                        catalog::membership::RuleError::NoPopulation(_)
                    ),
                    error: match err {
                        catalog::membership::RuleError::NoPopulation(_) => {
                            "Manca la popolazione: la quota non si calcola".to_owned()
                        }
                        other => crate::pages::sentence(&other.to_string()),
                    },
                },
            }
        })
        .collect();
    FeePreview {
        rows,
        total: total.to_string(),
        counted: entities(priced),
        left_out: match basis.len() - priced {
            0 => String::new(),
            n => format!("{} senza quota", entities(n)),
        },
        error: String::new(),
        year: year.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_preset_comes_back_from_its_form() {
        for (name, _) in PRESETS {
            let rule = preset(name, Some(Euro::from_cents(12_345_600))).unwrap();
            let d = RuleDraft::of("2027".into(), &rule);
            let (year, back) = d.read().unwrap();
            assert_eq!((year, &back), (2027, &rule), "{name}");
            assert_eq!(preset_of(&back), name);
        }
    }

    #[test]
    fn the_preview_sums_every_member() {
        let basis = vec![
            FeeBasis {
                id: 1,
                name: "A".into(),
                population: Some(1_000),
                workstations: 10,
            },
            FeeBasis {
                id: 2,
                name: "B".into(),
                population: Some(20_000),
                workstations: 30,
            },
            FeeBasis {
                id: 3,
                name: "C".into(),
                population: None,
                workstations: 0,
            },
        ];
        let p = fee_preview(2027, &preset("padova", None).unwrap(), &basis);
        // 1.000 × € 0,20 = € 200,00; above 10.000: € 1.500,00 flat.
        assert_eq!(p.rows[0].amount, "€ 200,00");
        assert_eq!(p.rows[1].amount, "€ 1.500,00");
        assert!(p.rows[2].error.starts_with("Manca la popolazione"));
        assert_eq!(p.total, "€ 1.700,00");
        assert_eq!(p.counted, "2 enti");
        let lecco = fee_preview(
            2027,
            &preset("lecco", Some(Euro::from_cents(400_000))).unwrap(),
            &basis,
        );
        assert_eq!(lecco.rows[0].amount, "€ 1.000,00");
        assert_eq!(lecco.total, "€ 4.000,00");
    }
}
