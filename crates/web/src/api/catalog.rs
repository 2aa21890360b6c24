//! The yearly membership fee: the centre's rule, and an entity's fee with its computation.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::Json;
use catalog::membership::{preset, MembershipRule};
use catalog::store::{self, RuleInForce};
use kernel::Euro;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{json_object, parse_id, query, unprocessable};
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
    #[schema(value_type = Object)]
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

/// `{"preset": "padova"}`, `{"preset": "lecco", "fixed_costs": "100000.00"}`, or a full rule
/// document (`{"model": "bands", "bands": [...]}`); `valid_from_year` defaults to this year.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct RuleIn {
    preset: Option<String>,
    fixed_costs: Option<String>,
    valid_from_year: Option<i64>,
    model: Option<String>,
}

/// Sets the yearly membership-fee rule from a year on (admins only).
#[utoipa::path(put, path = "/api/v1/membership-fee-rule", tag = "catalog", request_body = RuleIn,
    security(("bearer" = [])),
    responses((status = 200, body = RuleOut), (status = 422, body = Problem), (status = 403, body = Problem)))]
pub async fn put_rule(
    State(s): State<AppState>,
    ApiAdmin(user): ApiAdmin,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<RuleOut>, ApiError> {
    let mut obj = json_object(&headers, &body)?;
    let year = match obj.remove("valid_from_year") {
        None => kernel::time::current_year(),
        Some(v) => store::check_year(v.as_i64().ok_or_else(|| {
            unprocessable("valid_from_year: deve essere un anno (numero intero)")
        })?)?,
    };
    let (name, rule) = match obj.remove("preset") {
        Some(serde_json::Value::String(name)) => {
            let fixed = match obj.remove("fixed_costs") {
                None => None,
                Some(serde_json::Value::String(f)) => {
                    Some(Euro::parse(&f).map_err(|e| unprocessable(format!("fixed_costs: {e}")))?)
                }
                Some(_) => {
                    return Err(unprocessable(
                        "fixed_costs: un importo come testo, es. \"100000.00\"",
                    ))
                }
            };
            if let Some(k) = obj.keys().next() {
                return Err(unprocessable(format!(
                    "campo «{k}» sconosciuto con un preset"
                )));
            }
            (
                name.clone(),
                preset(&name, fixed).map_err(catalog::CatalogError::from)?,
            )
        }
        Some(_) => return Err(unprocessable("preset: un nome, es. \"padova\"")),
        None => {
            let rule: MembershipRule = serde_json::from_value(serde_json::Value::Object(obj))
                .map_err(|e| unprocessable(format!("regola non valida: {e}")))?;
            (String::new(), rule)
        }
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
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<FeeOut>, ApiError> {
    let id = parse_id(&id)?;
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
