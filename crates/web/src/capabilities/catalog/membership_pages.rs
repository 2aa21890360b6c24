//! The yearly membership-fee model (admins): the rules by year, and choosing a preset.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use catalog::membership::{preset, PRESETS};
use serde::Deserialize;

use crate::auth::{PageAdmin, Session};
use crate::error::PageError;
use crate::pages::{ok, render, see_other, Layout};
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
    year: String,
    chosen: String,
    fixed_costs: String,
    rule_json: String,
    error: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RuleForm {
    year: String,
    preset: String,
    fixed_costs: String,
    /// With `preset = custom`: the whole rule as JSON (a preset's rule, edited).
    rule_json: String,
}

async fn page(s: &AppState, sess: &Session, f: RuleForm, error: String) -> Result<Page, PageError> {
    let all = catalog::store::rules(&s.db).await?;
    // The editor starts from the rule in force (or Padova's when there is none).
    let rule_json = if f.rule_json.is_empty() {
        let current = all
            .last()
            .map(|r| r.rule.clone())
            .map_or_else(|| preset("padova", None), Ok)
            .map_err(catalog::CatalogError::from)?;
        serde_json::to_string_pretty(&current).unwrap_or_default()
    } else {
        f.rule_json.clone()
    };
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
    Ok(Page {
        layout: Layout::new(s, Some(sess), "Quota associativa", "membership"),
        rules,
        presets: PRESETS
            .iter()
            .map(|(n, l)| ((*n).into(), (*l).into()))
            .collect(),
        year: if f.year.is_empty() {
            kernel::time::current_year().to_string()
        } else {
            f.year
        },
        chosen: f.preset,
        fixed_costs: f.fixed_costs,
        rule_json,
        error,
    })
}

pub async fn show(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
) -> Result<Response, PageError> {
    Ok(ok(
        &page(&s, &sess, RuleForm::default(), String::new()).await?
    ))
}

pub async fn set(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Form(f): Form<RuleForm>,
) -> Result<Response, PageError> {
    let result = async {
        let year = f
            .year
            .trim()
            .parse::<i64>()
            .map_err(|_| catalog::CatalogError::BadYear(0))
            .and_then(catalog::store::check_year)?;
        let fixed = match f.fixed_costs.trim() {
            "" => None,
            t => Some(kernel::Euro::parse(t).map_err(|e| {
                catalog::CatalogError::Rule(catalog::membership::RuleError::Invalid(e.to_string()))
            })?),
        };
        if f.preset == "custom" {
            let rule: catalog::membership::MembershipRule = serde_json::from_str(&f.rule_json)
                .map_err(|e| {
                    catalog::CatalogError::Rule(catalog::membership::RuleError::Invalid(format!(
                        "JSON della regola: {e}"
                    )))
                })?;
            return catalog::store::set_rule(&s.db, &sess.actor(), year, "", &rule).await;
        }
        let rule = preset(&f.preset, fixed)?;
        catalog::store::set_rule(&s.db, &sess.actor(), year, &f.preset, &rule).await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other("/membership-fee")),
        Err(e @ (catalog::CatalogError::Rule(_) | catalog::CatalogError::BadYear(_))) => {
            let message = match e {
                catalog::CatalogError::BadYear(_) => "Anno non valido: tra 2000 e 2100.".to_owned(),
                e => e.to_string(),
            };
            let p = page(&s, &sess, f, message).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}
