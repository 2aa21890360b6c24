//! `/api/v1/entities/{id}/agreements`: membership agreements (*convenzioni*).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use catalog::agreement::Agreement;
use catalog::store::agreements::{self, AgreementChange, AgreementDraft};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::body::{ApiJson, PathId, PathIds};
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

/// The agreements of an entity, latest first.
#[utoipa::path(get, path = "/api/v1/entities/{id}/agreements", tag = "agreements",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = AgreementList), (status = 404, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<AgreementList>, ApiError> {
    let items = agreements::list(&s.db, &caller.actor(), id)
        .await?
        .into_iter()
        .map(agreement_out)
        .collect();
    Ok(Json(AgreementList { items }))
}

/// Records an agreement (staff only).
#[utoipa::path(post, path = "/api/v1/entities/{id}/agreements", tag = "agreements",
    params(("id" = i64, Path, description = "entity id")), request_body = AgreementDraft,
    security(("bearer" = [])),
    responses((status = 201, body = AgreementOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(draft): ApiJson<AgreementDraft>,
) -> Result<Response, ApiError> {
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
    PathIds(id, agreement_id): PathIds,
) -> Result<Json<AgreementOut>, ApiError> {
    Ok(Json(agreement_out(
        agreements::get(&s.db, &caller.actor(), id, agreement_id).await?,
    )))
}

/// Edits a draft, signs it, or terminates a signed agreement (staff only).
#[utoipa::path(patch, path = "/api/v1/entities/{id}/agreements/{agreement_id}", tag = "agreements",
    params(("id" = i64, Path, description = "entity id"), ("agreement_id" = i64, Path, description = "agreement id")),
    request_body = AgreementChange, security(("bearer" = [])),
    responses((status = 200, body = AgreementOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn patch(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathIds(id, agreement_id): PathIds,
    ApiJson(change): ApiJson<AgreementChange>,
) -> Result<Json<AgreementOut>, ApiError> {
    Ok(Json(agreement_out(
        agreements::update(
            &s.db,
            &user.actor(),
            id,
            agreement_id,
            &change,
            change.version,
        )
        .await?,
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
    PathIds(id, agreement_id): PathIds,
) -> Result<Response, ApiError> {
    let a = agreements::renew(&s.db, &user.actor(), id, agreement_id).await?;
    Ok((StatusCode::CREATED, Json(agreement_out(a))).into_response())
}

#[cfg(test)]
mod tests {
    use crate::api::body::decode;
    use catalog::store::agreements::AgreementChange as AgreementPatch;

    #[test]
    fn a_patch_takes_the_change_and_its_version_and_nothing_else() {
        let p: AgreementPatch =
            decode(br#"{"version": 3, "notes": "rinnovo", "end_date": "2030-12-31"}"#).unwrap();
        assert_eq!(p.version, Some(3));
        assert_eq!(p.notes.as_deref(), Some("rinnovo"));
        let e = decode::<AgreementPatch>(br#"{"version": 3, "colour": "blu"}"#).unwrap_err();
        assert_eq!(e.status.as_u16(), 422);
        assert!(e.detail.contains("colour"), "{}", e.detail);
        let e = decode::<AgreementPatch>(br#"{"end_date": "2030-02-30"}"#).unwrap_err();
        assert!(e.detail.contains("data non valida"), "{}", e.detail);
    }
}
