//! `/api/v1/entities/{id}/readings`, `/api/v1/readings`: metered use (SMS, GB, TB-months) by
//! month, entered by staff or imported from CSV; the next billing run bills them.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use billing::store::readings::{self, Reading, ReadingDraft};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::api::YearParams;
use crate::api::body::{ApiJson, PathId};
use crate::api::query;
use crate::auth::{ApiStaff, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadingIn {
    /// `PD02`, `PD18`…
    pub service: String,
    /// The item with a metered price (`sms`, `hosting-remoto`); the service's first such item
    /// when absent.
    #[serde(default)]
    pub item: Option<String>,
    pub year: i64,
    /// 1–12.
    pub month: i64,
    /// Units used in the month (SMS, GB, TB-months).
    pub quantity: i64,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadingOut {
    pub id: i64,
    pub entity_id: i64,
    pub service: String,
    pub item: String,
    pub year: i32,
    pub month: u32,
    pub quantity: u32,
    pub note: String,
    pub created_by: String,
    pub created_at: String,
}

fn out(r: Reading) -> ReadingOut {
    ReadingOut {
        id: r.id,
        entity_id: r.entity_id,
        service: r.service,
        item: r.item,
        year: r.year,
        month: r.month,
        quantity: r.quantity,
        note: r.note,
        created_by: r.created_by,
        created_at: r.created_at,
    }
}

/// Records a month's metered use of an entity (staff); the same item and month again
/// corrects it (the next run bills the difference).
#[utoipa::path(post, path = "/api/v1/entities/{id}/readings", tag = "billing", request_body = ReadingIn,
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 201, body = ReadingOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(r): ApiJson<ReadingIn>,
) -> Result<Response, ApiError> {
    let saved = readings::record(
        &s.db,
        &user.actor(),
        &ReadingDraft {
            entity_id: id,
            service: r.service,
            item: r.item,
            year: r.year,
            month: r.month,
            quantity: r.quantity,
            note: r.note.unwrap_or_default(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(out(saved))).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadingList {
    pub items: Vec<ReadingOut>,
}

/// An entity's readings, newest month first.
#[utoipa::path(get, path = "/api/v1/entities/{id}/readings", tag = "billing",
    params(("id" = i64, Path, description = "entity id"), YearParams), security(("bearer" = [])),
    responses((status = 200, body = ReadingList), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    RawQuery(raw): RawQuery,
) -> Result<Json<ReadingList>, ApiError> {
    let p: YearParams = query(raw.as_deref())?;
    let year = p.year.map(catalog::store::check_year).transpose()?;
    let items = readings::of_entity(&s.db, &caller.actor(), id, year)
        .await?
        .into_iter()
        .map(out)
        .collect();
    Ok(Json(ReadingList { items }))
}

/// One reading (what a statement's metered line links to).
#[utoipa::path(get, path = "/api/v1/readings/{reading_id}", tag = "billing",
    params(("reading_id" = i64, Path, description = "reading id")), security(("bearer" = [])),
    responses((status = 200, body = ReadingOut), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<ReadingOut>, ApiError> {
    Ok(Json(out(readings::get(&s.db, &caller.actor(), id).await?)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadingImportOut {
    pub recorded: usize,
}

/// Imports readings from CSV (staff): columns `ente` (id or ISTAT code), `servizio`, `voce`,
/// `anno`, `mese`, `quantita`, `nota`; all rows or none, each error with its line.
#[utoipa::path(post, path = "/api/v1/readings/import", tag = "billing",
    request_body(content = String, content_type = "text/csv"), security(("bearer" = [])),
    responses((status = 200, body = ReadingImportOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn import(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    body: Bytes,
) -> Result<Json<ReadingImportOut>, ApiError> {
    let recorded = readings::import(&s.db, &user.actor(), &body).await?;
    Ok(Json(ReadingImportOut { recorded }))
}
