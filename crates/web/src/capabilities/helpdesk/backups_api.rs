//! Backup checks over the API: configuration per entity (admins) and the reports of the
//! backup systems (`POST /api/v1/backup-reports`, authenticated by the check's own token).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use helpdesk::backups::{self, BackupCheck};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::body::{ApiJson, PathId};
use crate::auth::{ApiAdmin, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct BackupCheckOut {
    pub id: i64,
    pub entity_id: i64,
    pub name: String,
    /// Reports e-mailed from this address count for this check.
    pub email_from: String,
    pub max_silence_hours: i64,
    pub last_report_at: Option<String>,
    /// ok | failed | "" (never reported)
    pub last_status: String,
    pub last_detail: String,
    /// failed | missing | "" (no incident)
    pub incident: String,
    pub incident_ticket_id: Option<i64>,
    /// Only in the answer that created the check: the token the backup system sends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

fn out(c: BackupCheck, token: Option<String>) -> BackupCheckOut {
    let rome = |s: String| kernel::time::parse(&s).map_or(s, kernel::calendar::rfc3339_rome);
    BackupCheckOut {
        id: c.id,
        entity_id: c.entity_id,
        name: c.name,
        email_from: c.email_from,
        max_silence_hours: c.max_silence_hours,
        last_report_at: c.last_report_at.map(rome),
        last_status: c.last_status,
        last_detail: c.last_detail,
        incident: c.incident_kind,
        incident_ticket_id: c.incident_ticket_id,
        token,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BackupCheckList {
    pub items: Vec<BackupCheckOut>,
}

/// The backup checks of an entity.
#[utoipa::path(get, path = "/api/v1/entities/{id}/backup-checks", tag = "helpdesk",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = BackupCheckList), (status = 404, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<BackupCheckList>, ApiError> {
    let items = backups::of_entity(&s.db, &caller.actor(), id)
        .await?
        .into_iter()
        .map(|c| out(c, None))
        .collect();
    Ok(Json(BackupCheckList { items }))
}

/// `{"name": "Veeam SRV01", "email_from": "veeam@comune.example.it", "max_silence_hours": 26}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupCheckIn {
    name: String,
    /// The sender of the backup system's e-mailed reports (none: reports over HTTP only).
    #[serde(default)]
    email_from: String,
    /// Hours without a report before the check is late (default 26).
    max_silence_hours: Option<i64>,
}

/// Adds a backup check to an entity (admins); the answer carries its reporting token, once.
#[utoipa::path(post, path = "/api/v1/entities/{id}/backup-checks", tag = "helpdesk",
    params(("id" = i64, Path, description = "entity id")), request_body = BackupCheckIn,
    security(("bearer" = [])),
    responses((status = 201, body = BackupCheckOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiAdmin(user): ApiAdmin,
    PathId(id): PathId,
    ApiJson(i): ApiJson<BackupCheckIn>,
) -> Result<Response, ApiError> {
    let (c, token) = backups::create(
        &s.db,
        &user.actor(),
        id,
        &i.name,
        &i.email_from,
        i.max_silence_hours.unwrap_or(26),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(out(c, Some(token)))).into_response())
}

/// `{"token": "cstbk_…", "status": "ok" | "failed", "detail": "…"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupReportIn {
    /// The check's reporting token, `cstbk_…`.
    token: String,
    /// ok | failed
    status: String,
    #[serde(default)]
    detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BackupReportOut {
    pub check: String,
    pub status: String,
}

/// A backup system's daily report. No account: the check's token authenticates it. A failed
/// report opens a ticket for the entity (once per incident).
#[utoipa::path(post, path = "/api/v1/backup-reports", tag = "helpdesk", request_body = BackupReportIn,
    responses((status = 202, body = BackupReportOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn report(
    State(s): State<AppState>,
    ApiJson(r): ApiJson<BackupReportIn>,
) -> Result<Response, ApiError> {
    let status = r.status;
    let c = backups::report_http(&s.db, &r.token, &status, &r.detail, s.clock.now())
        .await
        .map_err(|e| match e {
            helpdesk::HelpdeskError::NotFound => ApiError::new(
                StatusCode::NOT_FOUND,
                "nessun controllo di backup con questo token",
            ),
            e => e.into(),
        })?;
    Ok((
        StatusCode::ACCEPTED,
        Json(BackupReportOut {
            check: c.name,
            status,
        }),
    )
        .into_response())
}
