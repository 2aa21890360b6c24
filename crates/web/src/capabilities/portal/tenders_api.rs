//! `/api/v1/tenders`: calls for tender (*bandi di gara*) by category; the state follows the
//! dates; a change to a published call is a dated correction (*rettifica*) with its reason.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portal::store::tenders::{self, Tender, TenderDocument, TenderDraft};
use portal::tenders::TenderState;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::instant_field;
use crate::api::body::{ApiJson, PathId, PathIds};
use crate::api::query;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenderIn {
    pub entity_id: i64,
    pub title: String,
    /// `lavori`, `servizi`, `forniture`, `avvisi` or `altro`.
    pub category: String,
    /// The day it is published (`2027-01-10`).
    pub published_on: String,
    /// When offers are due: an instant, a local time in Rome, or a day (its end).
    pub deadline_at: String,
    /// When the outcome is (or was) published: an instant or a day (its start).
    #[serde(default)]
    pub outcome_on: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Months after the deadline it goes to the archive (12 when not said).
    #[serde(default)]
    pub archive_months: Option<i64>,
}

fn draft(t: TenderIn) -> Result<TenderDraft, ApiError> {
    let published_on = t.published_on.trim().parse().map_err(|_| {
        ApiError::from(portal::PortalError::field(
            "published_on",
            "indicare il giorno di pubblicazione (AAAA-MM-GG)",
        ))
    })?;
    Ok(TenderDraft {
        entity_id: t.entity_id,
        title: t.title,
        category: t.category,
        description: t.description.unwrap_or_default(),
        published_on: Some(published_on),
        deadline_at: Some(instant_field(&t.deadline_at, "deadline_at", true)?),
        outcome_on: t
            .outcome_on
            .as_deref()
            .filter(|v| !v.trim().is_empty())
            .map(|v| instant_field(v, "outcome_on", false))
            .transpose()?,
        outcome: t.outcome.unwrap_or_default(),
        archive_months: t.archive_months,
    })
}

/// Records a call for tender of an entity.
#[utoipa::path(post, path = "/api/v1/tenders", tag = "portal", request_body = TenderIn,
    security(("bearer" = [])),
    responses((status = 201, body = Tender), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: ApiUser,
    ApiJson(t): ApiJson<TenderIn>,
) -> Result<Response, ApiError> {
    let saved = tenders::create(&s.db, &caller.actor(), &draft(t)?, s.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TenderParams {
    pub entity_id: i64,
    /// `active`, `expired`, `expired_with_outcome` or `archived`.
    #[serde(default)]
    pub state: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenderList {
    pub items: Vec<Tender>,
}

/// An entity's calls, latest deadline first, optionally in one state.
#[utoipa::path(get, path = "/api/v1/tenders", tag = "portal", params(TenderParams),
    security(("bearer" = [])),
    responses((status = 200, body = TenderList), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<TenderList>, ApiError> {
    let p: TenderParams = query(raw.as_deref())?;
    let only = match p.state.as_deref().filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => Some(TenderState::parse(v).ok_or_else(|| {
            ApiError::from(portal::PortalError::field(
                "state",
                "stato sconosciuto: active, expired, expired_with_outcome o archived",
            ))
        })?),
    };
    let actor = caller.actor();
    members::store::get(&s.db, &actor, p.entity_id).await?;
    if actor.role == kernel::Role::Supplier {
        return Err(portal::PortalError::NotForSuppliers.into());
    }
    let items = tenders::list(&s.db, p.entity_id, s.clock.now(), only, false).await?;
    Ok(Json(TenderList { items }))
}

/// One call with its corrections.
#[utoipa::path(get, path = "/api/v1/tenders/{tender_id}", tag = "portal",
    params(("tender_id" = i64, Path, description = "call id")), security(("bearer" = [])),
    responses((status = 200, body = Tender), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Tender>, ApiError> {
    Ok(Json(
        tenders::get(&s.db, &caller.actor(), id, s.clock.now()).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenderUpdate {
    #[serde(flatten)]
    pub tender: TenderIn,
    /// Why a published call changes (required once published, unless only the outcome is set).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Changes a call: freely before its publication day; afterwards as a dated correction with
/// its reason, shown with the call.
#[utoipa::path(put, path = "/api/v1/tenders/{tender_id}", tag = "portal", request_body = TenderUpdate,
    params(("tender_id" = i64, Path, description = "call id")), security(("bearer" = [])),
    responses((status = 200, body = Tender), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(u): ApiJson<TenderUpdate>,
) -> Result<Json<Tender>, ApiError> {
    let reason = u.reason.unwrap_or_default();
    Ok(Json(
        tenders::update(
            &s.db,
            &caller.actor(),
            id,
            &draft(u.tender)?,
            &reason,
            s.clock.now(),
        )
        .await?,
    ))
}

/// Adds a document to a call: the body is the file, its type in `Content-Type`, its name in
/// `?filename=`; at most 20 MiB. On a published call the addition is a correction too.
#[utoipa::path(post, path = "/api/v1/tenders/{tender_id}/documents", tag = "portal",
    params(("tender_id" = i64, Path, description = "call id"), crate::capabilities::helpdesk::attachments_api::UploadQuery),
    request_body(content = String, content_type = "application/octet-stream", description = "the file's bytes"),
    security(("bearer" = [])),
    responses((status = 201, body = TenderDocument), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_document(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (filename, ctype) =
        crate::capabilities::helpdesk::attachments_api::upload_meta(&uri, &headers)?;
    let d = tenders::add_document(
        &s.db,
        &caller.actor(),
        id,
        &filename,
        &ctype,
        &body,
        s.clock.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(d)).into_response())
}

/// Downloads a document of a call.
#[utoipa::path(get, path = "/api/v1/tenders/{tender_id}/documents/{document_id}", tag = "portal",
    params(("tender_id" = i64, Path, description = "call id"), ("document_id" = i64, Path, description = "document id")),
    security(("bearer" = [])),
    responses((status = 200, description = "the document's bytes", content_type = "*/*"),
        (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn document(
    State(s): State<AppState>,
    caller: ApiUser,
    PathIds(id, doc): PathIds,
) -> Result<Response, ApiError> {
    let (d, file) = tenders::document(&s.db, &caller.actor(), id, doc, s.clock.now()).await?;
    Ok(
        crate::capabilities::helpdesk::attachments_api::named_file_response(
            &d.name,
            &d.content_type,
            file,
        ),
    )
}
