//! The yearly membership-fee model (admins), chosen by form: the model and its parameters
//! (per-inhabitant rate, bands, tiers with a flat amount above a threshold, the fixed costs
//! shared by workstations), filled from a preset if wanted, with a live preview of every
//! member's fee for the year and the total. The rule as JSON stays for power users.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use catalog::membership::{preset, MembershipRule, PRESETS};
use catalog::CatalogError;
use chrono::Datelike;

use super::membership_form::{
    entities, fee_preview, preset_of, FeePreview, FeeRow, RuleDraft, MODELS, YEAR_RANGE,
};
use super::price_item_form::value;
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
