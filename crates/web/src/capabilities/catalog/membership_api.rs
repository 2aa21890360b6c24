//! The yearly membership fee: the centre's rule, and an entity's fee with its computation.

use axum::extract::{RawQuery, State};
use axum::Json;
use catalog::membership::{preset, MembershipRule};
use catalog::store::{self, RuleInForce};
use kernel::Euro;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::{ApiJson, PathId};
use crate::api::{query, unprocessable};
use crate::auth::{ApiAdmin, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleOut {
    /// The first year the rule applies to (until a later rule starts).
    pub valid_from_year: i32,
    /// `padova`, `pesaro-urbino`, `macerata`, `lecco`, or empty for a custom rule.
    pub preset: String,
    /// The rule as data: `{"model": "marginal_tiers" | "per_inhabitant" | "bands" | "workstation_share", …}`
    /// with amounts as decimal strings.
    pub rule: MembershipRule,
}

impl From<RuleInForce> for RuleOut {
    fn from(r: RuleInForce) -> Self {
        Self {
            valid_from_year: r.valid_from_year,
            preset: r.preset,
            rule: r.rule,
        }
    }
}

/// A shipped model, `{"preset": "padova"}` or `{"preset": "lecco", "fixed_costs":
/// "100000.00"}`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresetIn {
    /// padova | pesaro-urbino | macerata | lecco
    preset: String,
    /// For `lecco`: the fixed costs shared by workstations, a decimal string.
    fixed_costs: Option<String>,
    /// The first year it applies to (default: this year).
    valid_from_year: Option<i64>,
}

/// A rule as data, `{"model": "bands", "bands": [...]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleDocIn {
    #[serde(flatten)]
    rule: MembershipRule,
    /// The first year it applies to (default: this year).
    valid_from_year: Option<i64>,
}

/// The yearly membership-fee rule: a preset or a rule as data. A body with `preset` is read
/// as a preset, any other as a rule; unknown fields are refused in both.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum RuleIn {
    Preset(PresetIn),
    Rule(RuleDocIn),
}

impl RuleIn {
    fn from_body(mut body: serde_json::Map<String, serde_json::Value>) -> Result<Self, ApiError> {
        use crate::api::body::decode_value;
        if body.contains_key("preset") {
            return decode_value(serde_json::Value::Object(body)).map(RuleIn::Preset);
        }
        #[derive(Deserialize)]
        struct Year {
            valid_from_year: Option<i64>,
        }
        let year: Year = decode_value(serde_json::json!({
            "valid_from_year": body.remove("valid_from_year").unwrap_or_default()
        }))?;
        Ok(RuleIn::Rule(RuleDocIn {
            rule: decode_value(serde_json::Value::Object(body))?,
            valid_from_year: year.valid_from_year,
        }))
    }
}

/// Sets the yearly membership-fee rule from a year on (admins only).
#[utoipa::path(put, path = "/api/v1/membership-fee-rule", tag = "catalog", request_body = RuleIn,
    security(("bearer" = [])),
    responses((status = 200, body = RuleOut), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn put_rule(
    State(s): State<AppState>,
    ApiAdmin(user): ApiAdmin,
    ApiJson(body): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<RuleOut>, ApiError> {
    let input = RuleIn::from_body(body)?;
    let year_of = |y: Option<i64>| match y {
        None => Ok(kernel::time::current_year()),
        Some(y) => store::check_year(y),
    };
    let (year, name, rule) = match input {
        RuleIn::Preset(p) => {
            let fixed = p
                .fixed_costs
                .map(|f| Euro::parse(&f).map_err(|e| unprocessable(format!("fixed_costs: {e}"))))
                .transpose()?;
            let rule = preset(&p.preset, fixed).map_err(catalog::CatalogError::from)?;
            (year_of(p.valid_from_year)?, p.preset, rule)
        }
        RuleIn::Rule(r) => (year_of(r.valid_from_year)?, String::new(), r.rule),
    };
    let saved = store::set_rule(&s.db, &user.actor(), year, &name, &rule).await?;
    Ok(Json(saved.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct YearParams {
    /// The year (default: this year).
    year: Option<i64>,
}

fn year_of(raw: Option<&str>) -> Result<i32, ApiError> {
    let p: YearParams = query(raw)?;
    Ok(store::check_year(
        p.year
            .map_or(i64::from(kernel::time::current_year()), |y| y),
    )?)
}

/// The membership-fee rule in force in a year.
#[utoipa::path(get, path = "/api/v1/membership-fee-rule", tag = "catalog", params(YearParams),
    security(("bearer" = [])),
    responses((status = 200, body = RuleOut), (status = 404, body = Problem)))]
pub async fn get_rule(
    State(s): State<AppState>,
    _: ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<RuleOut>, ApiError> {
    let year = year_of(raw.as_deref())?;
    Ok(Json(store::rule_for(&s.db, year).await?.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeeLineOut {
    /// The computation in Italian, e.g. "5.000 ab. × € 0,20 = € 1.000,00".
    pub text: String,
    /// Decimal string, e.g. "1000.00".
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeeOut {
    pub entity_id: i64,
    pub year: i32,
    /// Decimal string, e.g. "1250.00".
    pub amount: String,
    pub currency: String,
    pub lines: Vec<FeeLineOut>,
    pub rule: RuleOut,
}

/// The yearly membership fee of an entity, with the computation line by line.
#[utoipa::path(get, path = "/api/v1/entities/{id}/membership-fee", tag = "catalog",
    params(("id" = i64, Path, description = "entity id"), YearParams), security(("bearer" = [])),
    responses((status = 200, body = FeeOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn membership_fee(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    RawQuery(raw): RawQuery,
) -> Result<Json<FeeOut>, ApiError> {
    let year = year_of(raw.as_deref())?;
    let (rule, fee) = store::membership_fee(&s.db, &caller.actor(), id, year).await?;
    Ok(Json(FeeOut {
        entity_id: id,
        year,
        amount: fee.amount.to_decimal_string(),
        currency: "EUR".into(),
        lines: fee
            .lines
            .into_iter()
            .map(|l| FeeLineOut {
                text: l.text,
                amount: l.amount.to_decimal_string(),
            })
            .collect(),
        rule: rule.into(),
    }))
}
