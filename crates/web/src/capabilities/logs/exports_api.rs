//! `/api/v1/entities/{id}/log-settings`, `…/log-exports`, `…/log-compliance`,
//! `/api/v1/log-exports/{export_id}/file`, `/api/v1/logs/signing-key`: the sealed exports and the
//! retention of an entity's logs.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use logs::export::LogExport;
use logs::retention::Compliance;
use logs::settings::{LogSettings, SettingsDraft};
use logs::LogsError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::body::{ApiJson, PathId};
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::AppState;

/// The entity's export and retention settings (defaults when none were set).
#[utoipa::path(get, path = "/api/v1/entities/{id}/log-settings", tag = "logs",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = LogSettings), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_settings(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<LogSettings>, ApiError> {
    Ok(Json(logs::settings::get(&s.db, &caller.actor(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsIn {
    /// The age recipients (`age1…`) the exports are encrypted for: the entity's own keys.
    pub recipients: Vec<String>,
    /// `daily`, `weekly` or `monthly`; none: exports only on request.
    #[serde(default)]
    pub schedule: Option<String>,
    /// Days the log store keeps the records: 183 (six months) to 3,660 (default 365).
    #[serde(default)]
    pub retention_days: Option<i64>,
}

/// Sets the entity's export and retention settings (staff, or the entity's people).
#[utoipa::path(put, path = "/api/v1/entities/{id}/log-settings", tag = "logs", request_body = SettingsIn,
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = LogSettings), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn put_settings(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<SettingsIn>,
) -> Result<Json<LogSettings>, ApiError> {
    let draft = SettingsDraft {
        recipients: b.recipients,
        schedule: b.schedule,
        retention_days: b.retention_days,
    };
    Ok(Json(
        logs::settings::put(&s.db, &caller.actor(), id, &draft).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportIn {
    /// First day (`2026-11-01`, Rome).
    pub from: String,
    /// Last day, included; before today.
    pub to: String,
}

/// Exports the entity's records of a period now: encrypted for its recipients, written to
/// the centre's export target, chained into the signed manifest, read back and verified.
#[utoipa::path(post, path = "/api/v1/entities/{id}/log-exports", tag = "logs", request_body = ExportIn,
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 201, body = LogExport), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_export(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<ExportIn>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    logs::sources::may_review(&s.db, &actor, id).await?;
    let (from, to) = logs::export::check_period(&b.from, &b.to, s.clock.today())?;
    let target = logs::export::entity_target(&s.logs.exports, id);
    let e =
        logs::export::export(&s.db, &s.logs.store, &target, &actor, id, from, to, "api").await?;
    Ok((StatusCode::CREATED, Json(e)).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportList {
    pub items: Vec<LogExport>,
}

/// The entity's exports, newest first.
#[utoipa::path(get, path = "/api/v1/entities/{id}/log-exports", tag = "logs",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = ExportList), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn exports(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<ExportList>, ApiError> {
    logs::sources::may_review(&s.db, &caller.actor(), id).await?;
    Ok(Json(ExportList {
        items: logs::export::of_entity(&s.db, id).await?,
    }))
}

/// The encrypted file of an export, as the target holds it (decrypt with `age -d -i KEY`).
#[utoipa::path(get, path = "/api/v1/log-exports/{export_id}/file", tag = "logs",
    params(("export_id" = i64, Path, description = "export id")), security(("bearer" = [])),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn export_file(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let e = logs::export::get(&s.db, &caller.actor(), id).await?;
    let target = logs::export::target_of(&e, &s.logs.exports)?;
    let (size, stream) = target
        .open(&e.file_name)
        .await
        .map_err(|err| LogsError::ExportFailed(err.to_string()))?
        .ok_or_else(|| {
            LogsError::ExportFailed(format!("il file {} non è più in {target}", e.file_name))
        })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", e.file_name),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CONTENT_LENGTH, size.to_string()),
            (
                header::HeaderName::from_static("x-content-sha256"),
                e.sha256,
            ),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}

/// The entity's retention in force, its oldest record kept, its last purge and export.
#[utoipa::path(get, path = "/api/v1/entities/{id}/log-compliance", tag = "logs",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = Compliance), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn compliance(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Compliance>, ApiError> {
    logs::sources::may_review(&s.db, &caller.actor(), id).await?;
    Ok(Json(
        logs::retention::compliance(&s.db, &s.logs.store, id).await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SigningKey {
    /// The centre's public key (`ssh-ed25519 AAAA…`) that signs every export manifest.
    pub public_key: String,
    /// As `ssh-keygen -l` prints it (`SHA256:…`).
    pub fingerprint: String,
    /// The line of an `allowed_signers` file for `ssh-keygen -Y verify`.
    pub allowed_signers: String,
}

/// The centre's manifest-signing key (made on first use), to check exports independently.
#[utoipa::path(get, path = "/api/v1/logs/signing-key", tag = "logs", security(("bearer" = [])),
    responses((status = 200, body = SigningKey), (status = 401, body = Problem)))]
pub async fn signing_key(
    State(s): State<AppState>,
    _caller: ApiUser,
) -> Result<Json<SigningKey>, ApiError> {
    let key = logs::keys::signing_key(&s.db).await?.public();
    Ok(Json(SigningKey {
        public_key: key.to_openssh(),
        fingerprint: key.fingerprint(),
        allowed_signers: seal::sshsig::allowed_signers_line(
            seal::manifest::PRINCIPAL,
            seal::manifest::NAMESPACE,
            &key,
        ),
    }))
}
