//! `/api/v1/entities/{id}/agreements`: membership agreements (*convenzioni*).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use catalog::agreement::Agreement;
use catalog::store::agreements::{self, AgreementChange, AgreementDraft};
use serde::Serialize;
use utoipa::ToSchema;

use super::{from_object, json_object, parse_id, take_version};
use crate::auth::{ApiStaff, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementOut {
    pub id: i64,
    pub entity_id: i64,
    pub number: String,
    pub start_date: String,
    /// Inclusive.
    pub end_date: String,
    pub term_years: u32,
    /// Today's state: draft | signed (not in force yet) | active | expiring (ends within 90
    /// days) | expired | terminated.
    pub state: String,
    /// Whether services can be charged today under it.
    pub in_force: bool,
    pub signed_on: Option<String>,
    /// The last day in force, when terminated early.
    pub terminated_on: Option<String>,
    pub termination_reason: String,
    /// The agreement this one renews.
    pub renews_id: Option<i64>,
    pub notes: String,
    pub version: i64,
}

pub fn agreement_out(a: Agreement) -> AgreementOut {
    let today = kernel::time::today();
    AgreementOut {
        state: a.state_on(today).as_str().into(),
        in_force: a.in_force_on(today),
        id: a.id,
        entity_id: a.entity_id,
        number: a.number,
        start_date: a.start_date.to_string(),
        end_date: a.end_date.to_string(),
        term_years: a.term_years,
        signed_on: a.signed_on.map(|d| d.to_string()),
        terminated_on: a.terminated_on.map(|d| d.to_string()),
        termination_reason: a.termination_reason,
        renews_id: a.renews_id,
        notes: a.notes,
        version: a.version,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementList {
    pub items: Vec<AgreementOut>,
}

fn ids(id: &str, agreement_id: &str) -> Result<(i64, i64), ApiError> {
    Ok((parse_id(id)?, parse_id(agreement_id)?))
}

/// The agreements of an entity, latest first.
#[utoipa::path(get, path = "/api/v1/entities/{id}/agreements", tag = "agreements",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = AgreementList), (status = 404, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    Path(id): Path<String>,
) -> Result<Json<AgreementList>, ApiError> {
    let id = parse_id(&id)?;
    let items = agreements::list(&s.db, &caller.actor(), id)
        .await?
        .into_iter()
        .map(agreement_out)
        .collect();
    Ok(Json(AgreementList { items }))
}

/// `{"start_date": "2026-01-01", "term_years": 5, "number": "12/2026", "signed": true}`; or
/// `end_date` instead of `term_years`; `signed: false` (default) records a draft.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct AgreementIn {
    start_date: String,
    term_years: Option<u32>,
    end_date: Option<String>,
    number: Option<String>,
    notes: Option<String>,
    signed: Option<bool>,
    signed_on: Option<String>,
}

/// Records an agreement (staff only).
#[utoipa::path(post, path = "/api/v1/entities/{id}/agreements", tag = "agreements",
    params(("id" = i64, Path, description = "entity id")), request_body = AgreementIn,
    security(("bearer" = [])),
    responses((status = 201, body = AgreementOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let draft: AgreementDraft = from_object(json_object(&headers, &body)?)?;
    let a = agreements::create(&s.db, &user.actor(), id, &draft).await?;
    Ok((StatusCode::CREATED, Json(agreement_out(a))).into_response())
}

/// One agreement.
#[utoipa::path(get, path = "/api/v1/entities/{id}/agreements/{agreement_id}", tag = "agreements",
    params(("id" = i64, Path, description = "entity id"), ("agreement_id" = i64, Path, description = "agreement id")),
    security(("bearer" = [])),
    responses((status = 200, body = AgreementOut), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    Path((id, agreement_id)): Path<(String, String)>,
) -> Result<Json<AgreementOut>, ApiError> {
    let (id, agreement_id) = ids(&id, &agreement_id)?;
    Ok(Json(agreement_out(
        agreements::get(&s.db, &caller.actor(), id, agreement_id).await?,
    )))
}

/// A change: a draft's `number`, `start_date`, `term_years`, `end_date`, `notes`; or
/// `{"status": "signed", "signed_on": …}`; or `{"status": "terminated", "terminated_on": …,
/// "termination_reason": …}`. `version` refuses lost updates.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct AgreementPatch {
    number: Option<String>,
    start_date: Option<String>,
    term_years: Option<u32>,
    end_date: Option<String>,
    notes: Option<String>,
    status: Option<String>,
    signed_on: Option<String>,
    terminated_on: Option<String>,
    termination_reason: Option<String>,
    version: Option<i64>,
}

/// Edits a draft, signs it, or terminates a signed agreement (staff only).
#[utoipa::path(patch, path = "/api/v1/entities/{id}/agreements/{agreement_id}", tag = "agreements",
    params(("id" = i64, Path, description = "entity id"), ("agreement_id" = i64, Path, description = "agreement id")),
    request_body = AgreementPatch, security(("bearer" = [])),
    responses((status = 200, body = AgreementOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn patch(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    Path((id, agreement_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<AgreementOut>, ApiError> {
    let (id, agreement_id) = ids(&id, &agreement_id)?;
    let mut obj = json_object(&headers, &body)?;
    let version = take_version(&mut obj)?;
    let change: AgreementChange = from_object(obj)?;
    Ok(Json(agreement_out(
        agreements::update(&s.db, &user.actor(), id, agreement_id, &change, version).await?,
    )))
}

/// Renews a signed agreement: a draft with the same term from the day after it ends.
#[utoipa::path(post, path = "/api/v1/entities/{id}/agreements/{agreement_id}/renew", tag = "agreements",
    params(("id" = i64, Path, description = "entity id"), ("agreement_id" = i64, Path, description = "agreement id")),
    security(("bearer" = [])),
    responses((status = 201, body = AgreementOut), (status = 409, body = Problem)))]
pub async fn renew(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    Path((id, agreement_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (id, agreement_id) = ids(&id, &agreement_id)?;
    let a = agreements::renew(&s.db, &user.actor(), id, agreement_id).await?;
    Ok((StatusCode::CREATED, Json(agreement_out(a))).into_response())
}
