//! The yearly membership-fee model (admins), chosen by form: the model and its parameters
//! (per-inhabitant rate, bands, tiers with a flat amount above a threshold, the fixed costs
//! shared by workstations), filled from a preset if wanted, with a live preview of every
//! member's fee for the year and the total. The rule as JSON stays for power users.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use catalog::membership::{preset, Member, MembershipRule, PRESETS};
use catalog::CatalogError;
use chrono::Datelike;
use kernel::Euro;
use members::store::FeeBasis;

use super::price_item_form::{
    band_draft, money, rows_named, tier_draft, value, BandDraft, FieldErrors, Reader, TierDraft,
};
use super::price_item_pages::Errors;
use crate::auth::{Flash, PageAdmin, Session};
use crate::error::PageError;
use crate::pages::{back_with, ok, render, Layout};
use crate::AppState;

pub struct RuleRow {
    pub year: i32,
    pub preset: String,
    pub description: String,
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
    fn of(year: String, rule: &MembershipRule) -> Self {
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

    fn from_form(pairs: &[(String, String)]) -> Self {
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
    fn read(&self) -> Result<(i32, MembershipRule), FieldErrors> {
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
    fn pad(&mut self) {
        if self.bands.is_empty() {
            self.bands.push(BandDraft::default());
        }
        if self.tiers.is_empty() {
            self.tiers.push(TierDraft::default());
        }
    }

    /// Applies a button that changes the form rather than saving it: a preset (`modello-…`),
    /// a row more (`fascia`, `scaglione`). Returns false for any other action.
    fn reshape(&mut self, action: &str) -> bool {
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
fn preset_of(rule: &MembershipRule) -> &'static str {
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

fn fee_preview(year: i32, rule: &MembershipRule, basis: &[FeeBasis]) -> FeePreview {
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

#[derive(Template)]
#[template(path = "membership/page.html")]
struct Page {
    layout: Layout,
    rules: Vec<RuleRow>,
    presets: Vec<(String, String)>,
    models: Vec<(&'static str, &'static str)>,
    draft: RuleDraft,
    errors: Errors,
    message: String,
    saved: String,
    rule_json: String,
    /// The JSON was what the admin saved (and was refused): its section stays open.
    json_open: bool,
    preview: FeePreview,
}

#[derive(Template)]
#[template(path = "membership/preview.html")]
struct PreviewFragment {
    preview: FeePreview,
}

async fn preview_of(s: &AppState, draft: &RuleDraft) -> Result<FeePreview, PageError> {
    Ok(match draft.read() {
        Ok((year, rule)) => {
            let basis = members::store::fee_basis(&s.db)
                .await
                .map_err(CatalogError::from)?;
            fee_preview(year, &rule, &basis)
        }
        Err(errors) => FeePreview {
            error: errors
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join("; "),
            ..Default::default()
        },
    })
}

async fn page(
    s: &AppState,
    sess: &Session,
    draft: Option<RuleDraft>,
    errors: Errors,
    message: String,
    rule_json: Option<String>,
) -> Result<Page, PageError> {
    let all = catalog::store::rules(&s.db).await?;
    let year = s.clock.today().year();
    // The form starts from the rule in force (or Padova's when there is none).
    let current = match all
        .iter()
        .rev()
        .find(|r| r.valid_from_year <= year)
        .or(all.last())
    {
        Some(r) => r.rule.clone(),
        None => preset("padova", None).map_err(CatalogError::from)?,
    };
    let mut draft = draft.unwrap_or_else(|| RuleDraft::of(year.to_string(), &current));
    let json_open = rule_json.is_some();
    let rule_json =
        rule_json.unwrap_or_else(|| serde_json::to_string_pretty(&current).unwrap_or_default());
    let rules = all
        .into_iter()
        .rev()
        .map(|r| RuleRow {
            year: r.valid_from_year,
            preset: PRESETS
                .iter()
                .find(|(n, _)| *n == r.preset)
                .map_or("regola personalizzata", |(_, l)| l)
                .to_owned(),
            description: r.rule.describe(),
        })
        .collect();
    let preview = preview_of(s, &draft).await?;
    draft.pad();
    let flash = crate::pages::notice(s, sess).await?;
    Ok(Page {
        layout: Layout::new(s, Some(sess), "Quota associativa", "membership"),
        rules,
        presets: PRESETS
            .iter()
            .map(|(n, l)| ((*n).into(), (*l).into()))
            .collect(),
        models: MODELS.to_vec(),
        draft,
        errors,
        message,
        saved: flash.saved,
        rule_json,
        json_open,
        preview,
    })
}

pub async fn show(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
) -> Result<Response, PageError> {
    Ok(ok(&page(
        &s,
        &sess,
        None,
        Errors::default(),
        String::new(),
        None,
    )
    .await?))
}

/// The live preview of the rule as typed (htmx).
pub async fn live_preview(
    State(s): State<AppState>,
    PageAdmin(_sess): PageAdmin,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let draft = RuleDraft::from_form(&pairs);
    Ok(ok(&PreviewFragment {
        preview: preview_of(&s, &draft).await?,
    }))
}

/// Saves the rule from the form (or from the JSON, with `azione=json`), or applies a button
/// that reshapes the form.
pub async fn set(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut draft = RuleDraft::from_form(&pairs);
    let action = value(&pairs, "azione");
    let typed_json = value(&pairs, "rule_json").to_owned();
    let json = action == "json";
    if !json && draft.reshape(action) {
        let p = page(
            &s,
            &sess,
            Some(draft),
            Errors::default(),
            String::new(),
            None,
        )
        .await?;
        return Ok(ok(&p));
    }
    let year_error = || ("year".to_owned(), YEAR_RANGE.to_owned());
    let read = if json {
        let year = draft
            .year
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|y| catalog::store::check_year(y).ok());
        match (year, serde_json::from_str::<MembershipRule>(&typed_json)) {
            (None, _) => Err((vec![year_error()], String::new())),
            (_, Err(e)) => Err((
                vec![],
                crate::pages::sentence(&format!(
                    "la regola in JSON: {}.",
                    super::price_lists_pages::json_problem(&e)
                )),
            )),
            (Some(y), Ok(rule)) => Ok((y, rule)),
        }
    } else {
        draft.read().map_err(|errors| {
            (
                errors,
                "Alcuni campi non sono validi: sono segnalati qui sotto.".to_owned(),
            )
        })
    };
    let refusal = match read {
        Err(refusal) => refusal,
        Ok((year, rule)) => match decide(&s, &sess, year, &rule, &pairs).await? {
            Decision::Refused(message) => (vec![], message),
            Decision::Ask(page) => return Ok(page),
            Decision::Save => {
                match catalog::store::set_rule(&s.db, &sess.actor(), year, preset_of(&rule), &rule)
                    .await
                {
                    Ok(_) => {
                        let saved = format!(
                            "Quota associativa salvata: dal {year} vale «{}».",
                            rule.describe()
                        );
                        return back_with(&s, &sess, "/membership-fee", Flash::saved(saved)).await;
                    }
                    Err(CatalogError::Rule(e)) => (vec![], crate::pages::sentence(&e.to_string())),
                    Err(e) => return Err(e.into()),
                }
            }
        },
    };
    let (errors, message) = refusal;
    if json {
        if let Ok(rule) = serde_json::from_str::<MembershipRule>(&typed_json) {
            draft = RuleDraft::of(draft.year.clone(), &rule);
        }
    }
    let p = page(
        &s,
        &sess,
        Some(draft),
        Errors(errors),
        message,
        json.then_some(typed_json),
    )
    .await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

const YEAR_RANGE: &str = "L'anno deve essere tra il 2000 e il 2100";

enum Decision {
    Save,
    Refused(String),
    Ask(Response),
}

/// Whether a readable rule may be saved: not when some member's fee cannot be computed with
/// it (an amount too large), and not without a confirmation when it changes the fees of this
/// year or of years past.
async fn decide(
    s: &AppState,
    sess: &Session,
    year: i32,
    rule: &MembershipRule,
    pairs: &[(String, String)],
) -> Result<Decision, PageError> {
    let basis = members::store::fee_basis(&s.db)
        .await
        .map_err(CatalogError::from)?;
    let p = fee_preview(year, rule, &basis);
    if !p.error.is_empty() {
        return Ok(Decision::Refused(p.error));
    }
    let broken: Vec<&FeeRow> = p
        .rows
        .iter()
        .filter(|r| !r.error.is_empty() && !r.missing_population)
        .collect();
    if let Some(first) = broken.first() {
        return Ok(Decision::Refused(format!(
            "Con questa regola la quota di {} non si può calcolare ({}: {}): controlla gli importi.",
            entities(broken.len()),
            first.name,
            first.error.to_lowercase()
        )));
    }
    let now = s.clock.today().year();
    if year > now || crate::pages::confirm::confirmed(value(pairs, "confermato")) {
        return Ok(Decision::Save);
    }
    let all = catalog::store::rules(&s.db).await?;
    let mut consequences = vec![if year == now {
        format!(
            "Le quote del {now} si calcoleranno con la nuova regola: «{}».",
            rule.describe()
        )
    } else {
        format!(
            "Le quote degli anni dal {year} al {now} si calcoleranno con la nuova regola: «{}».",
            rule.describe()
        )
    }];
    if let Some(old) = all.iter().find(|r| r.valid_from_year == year) {
        consequences.push(format!(
            "Sostituisce la regola fissata dal {year}: «{}».",
            old.rule.describe()
        ));
    } else if let Some(old) = all.iter().rev().find(|r| r.valid_from_year < year) {
        consequences.push(format!(
            "Finora per quegli anni valeva la regola del {}: «{}».",
            old.valid_from_year,
            old.rule.describe()
        ));
    }
    consequences.push(format!(
        "Totale delle quote del {year}: {} da {}.",
        p.total, p.counted
    ));
    let fields = pairs
        .iter()
        .filter(|(k, _)| k != "_csrf" && k != "confermato")
        .cloned()
        .collect();
    Ok(Decision::Ask(crate::pages::confirm::page(
        s,
        sess,
        "membership",
        crate::pages::confirm::Confirm {
            question: format!("Cambiare la quota associativa dal {year}?"),
            consequences,
            action: "/membership-fee".into(),
            fields,
            note: None,
            confirm_label: "Cambia la quota".into(),
            cancel: "/membership-fee".into(),
        },
    )))
}

/// Takes away the rule of a year, after a confirmation naming the rule that applies instead.
pub async fn remove(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    axum::extract::Path(year): axum::extract::Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let year: i32 = year.trim().parse().map_err(|_| PageError::not_found())?;
    let all = catalog::store::rules(&s.db).await?;
    let Some(rule) = all.iter().find(|r| r.valid_from_year == year) else {
        return Err(PageError::not_found());
    };
    if !crate::pages::confirm::confirmed(value(&pairs, "confermato")) {
        let instead = all.iter().rev().find(|r| r.valid_from_year < year);
        let mut consequences = vec![format!("Si toglie la regola «{}».", rule.rule.describe())];
        consequences.push(match instead {
            Some(r) => format!(
                "Dal {year} le quote si calcoleranno con la regola del {}: «{}».",
                r.valid_from_year,
                r.rule.describe()
            ),
            None => format!(
                "Dal {year} fino alla regola successiva, se c'è, le quote non si potranno calcolare."
            ),
        });
        return Ok(crate::pages::confirm::page(
            &s,
            &sess,
            "membership",
            crate::pages::confirm::Confirm {
                question: format!("Togliere la regola della quota associativa del {year}?"),
                consequences,
                action: format!("/membership-fee/{year}/elimina"),
                fields: vec![],
                note: None,
                confirm_label: "Togli la regola".into(),
                cancel: "/membership-fee".into(),
            },
        ));
    }
    catalog::store::delete_rule(&s.db, &sess.actor(), year).await?;
    back_with(
        &s,
        &sess,
        "/membership-fee",
        Flash::saved(format!("Regola del {year} tolta.")),
    )
    .await
}

fn entities(n: usize) -> String {
    match n {
        1 => "1 ente".to_owned(),
        n => format!("{} enti", kernel::money::thousands(n as u64)),
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
