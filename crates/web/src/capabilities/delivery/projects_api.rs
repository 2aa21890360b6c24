//! `/api/v1/projects`: custom work with a quote. Staff describe a project and send versions of
//! its quote; the entity's contact approves or refuses the current version (who, when and
//! which version are recorded); work is recorded on a project only once approved.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use delivery::store::projects::{self, Project, QuoteLineDraft};
use delivery::DeliveryError;
use kernel::Euro;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::{decode, ApiJson, PathId};
use crate::api::query;
use crate::auth::{ApiStaff, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectIn {
    pub entity_id: i64,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectLineOut {
    pub text: String,
    /// Decimal string (`2.50`), with `rate`; absent for an amount line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<String>,
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectQuoteOut {
    pub version: i64,
    pub lines: Vec<ProjectLineOut>,
    pub total: String,
    pub valid_until: String,
    pub created_by: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectOut {
    pub id: i64,
    pub entity_id: i64,
    pub title: String,
    pub description: String,
    /// draft | proposed | approved | refused | withdrawn
    pub state: &'static str,
    pub state_label: &'static str,
    /// The current quote's version (0: none yet).
    pub quote_version: i64,
    /// Who decided, when, and on which version.
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decided_version: Option<i64>,
    pub decision_note: String,
    pub version: i64,
    /// Every version of the quote, newest first.
    pub quotes: Vec<ProjectQuoteOut>,
}

fn hundredths(h: u64) -> String {
    delivery::work::decimal(h)
}

pub(crate) fn project_out(p: Project) -> ProjectOut {
    ProjectOut {
        id: p.id,
        entity_id: p.entity_id,
        title: p.title,
        description: p.description,
        state: p.state.code(),
        state_label: p.state.label(),
        quote_version: p.quote_version,
        decided_by: p.decided_by,
        decided_at: p.decided_at,
        decided_version: p.decided_version,
        decision_note: p.decision_note,
        version: p.version,
        quotes: p
            .quotes
            .into_iter()
            .map(|q| ProjectQuoteOut {
                version: q.version,
                lines: q
                    .lines
                    .into_iter()
                    .map(|l| ProjectLineOut {
                        text: l.text,
                        days: l.days_hundredths.map(hundredths),
                        rate: l
                            .rate_cents
                            .map(|c| Euro::from_cents(c).to_decimal_string()),
                        amount: Euro::from_cents(l.amount_cents).to_decimal_string(),
                    })
                    .collect(),
                total: q.total.to_decimal_string(),
                valid_until: q.valid_until.to_string(),
                created_by: q.created_by,
                created_at: q.created_at,
            })
            .collect(),
    }
}

/// Describes a project for an entity (staff).
#[utoipa::path(post, path = "/api/v1/projects", tag = "delivery", request_body = ProjectIn,
    security(("bearer" = [])),
    responses((status = 201, body = ProjectOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    ApiJson(p): ApiJson<ProjectIn>,
) -> Result<Response, ApiError> {
    let saved = projects::create_project(
        &s.db,
        &user.actor(),
        p.entity_id,
        &p.title,
        p.description.as_deref().unwrap_or(""),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(project_out(saved))).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ProjectParams {
    #[serde(default)]
    pub entity_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectList {
    pub items: Vec<ProjectOut>,
}

/// The projects the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/projects", tag = "delivery", params(ProjectParams),
    security(("bearer" = [])),
    responses((status = 200, body = ProjectList), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<ProjectList>, ApiError> {
    let p: ProjectParams = query(raw.as_deref())?;
    let items = projects::projects(&s.db, &caller.actor(), p.entity_id)
        .await?
        .into_iter()
        .map(project_out)
        .collect();
    Ok(Json(ProjectList { items }))
}

/// A project with every version of its quote.
#[utoipa::path(get, path = "/api/v1/projects/{project_id}", tag = "delivery",
    params(("project_id" = i64, Path, description = "project id")), security(("bearer" = [])),
    responses((status = 200, body = ProjectOut), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<ProjectOut>, ApiError> {
    Ok(Json(project_out(
        projects::project(&s.db, &caller.actor(), id).await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectLineIn {
    pub text: String,
    /// Days (decimal string, `2.5`), with `rate`.
    #[serde(default)]
    pub days: Option<String>,
    /// The day rate (decimal string, `393.00`).
    #[serde(default)]
    pub rate: Option<String>,
    /// An amount instead of days × rate.
    #[serde(default)]
    pub amount: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectQuoteIn {
    pub lines: Vec<ProjectLineIn>,
    /// The last day the entity may approve it.
    #[schema(value_type = String, format = Date)]
    pub valid_until: NaiveDate,
}

/// Sends the entity a new version of the quote (staff).
#[utoipa::path(post, path = "/api/v1/projects/{project_id}/quotes", tag = "delivery",
    params(("project_id" = i64, Path, description = "project id")), request_body = ProjectQuoteIn,
    security(("bearer" = [])),
    responses((status = 200, body = ProjectOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn propose(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(q): ApiJson<ProjectQuoteIn>,
) -> Result<Json<ProjectOut>, ApiError> {
    let mut wrong = vec![];
    let mut lines = vec![];
    for (i, l) in q.lines.into_iter().enumerate() {
        let mut money = |v: Option<String>, f: &str| -> Option<Euro> {
            let v = v?;
            match Euro::parse(v.trim()) {
                Ok(e) => Some(e),
                Err(_) => {
                    wrong.push(kernel::FieldError::new(
                        &format!("lines[{i}].{f}"),
                        format!("«{v}» non è un importo (per esempio 393.00)"),
                    ));
                    None
                }
            }
        };
        let rate = money(l.rate, "rate");
        let amount = money(l.amount, "amount");
        let days = match l.days {
            None => None,
            Some(d) => match projects::parse_days(&d) {
                Some(h) => Some(h),
                None => {
                    wrong.push(kernel::FieldError::new(
                        &format!("lines[{i}].days"),
                        format!("«{d}» non è un numero di giornate (al più due decimali)"),
                    ));
                    None
                }
            },
        };
        lines.push(QuoteLineDraft {
            text: l.text,
            days_hundredths: days,
            rate,
            amount,
        });
    }
    if !wrong.is_empty() {
        return Err(DeliveryError::Invalid(wrong).into());
    }
    let p = projects::propose(
        &s.db,
        &user.actor(),
        id,
        &lines,
        q.valid_until,
        s.clock.today(),
    )
    .await?;
    Ok(Json(project_out(p)))
}

#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// The quote version read (it must still be the current one).
    pub version: i64,
    /// Why it is refused (required to refuse).
    #[serde(default)]
    pub reason: Option<String>,
}

async fn decide(
    s: &AppState,
    caller: &ApiUser,
    id: i64,
    body: &Bytes,
    approve: bool,
) -> Result<Json<ProjectOut>, ApiError> {
    let d: DecisionIn = decode(body)?;
    let p = projects::decide(
        &s.db,
        &caller.actor(),
        id,
        d.version,
        approve,
        d.reason.as_deref().unwrap_or(""),
        s.clock.today(),
    )
    .await?;
    Ok(Json(project_out(p)))
}

/// The entity's contact approves the current version of the quote: work may start.
#[utoipa::path(post, path = "/api/v1/projects/{project_id}/approve", tag = "delivery",
    params(("project_id" = i64, Path, description = "project id")), request_body = DecisionIn,
    security(("bearer" = [])),
    responses((status = 200, body = ProjectOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn approve(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    body: Bytes,
) -> Result<Json<ProjectOut>, ApiError> {
    decide(&s, &caller, id, &body, true).await
}

/// The entity's contact refuses the current version of the quote, with the reason.
#[utoipa::path(post, path = "/api/v1/projects/{project_id}/refuse", tag = "delivery",
    params(("project_id" = i64, Path, description = "project id")), request_body = DecisionIn,
    security(("bearer" = [])),
    responses((status = 200, body = ProjectOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn refuse(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    body: Bytes,
) -> Result<Json<ProjectOut>, ApiError> {
    decide(&s, &caller, id, &body, false).await
}

/// Withdraws a project not yet approved (staff).
#[utoipa::path(post, path = "/api/v1/projects/{project_id}/withdraw", tag = "delivery",
    params(("project_id" = i64, Path, description = "project id")), security(("bearer" = [])),
    responses((status = 200, body = ProjectOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn withdraw(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
) -> Result<Json<ProjectOut>, ApiError> {
    Ok(Json(project_out(
        projects::withdraw(&s.db, &user.actor(), id).await?,
    )))
}
