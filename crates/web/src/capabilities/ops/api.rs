//! Health, the caller's own account, and the audit trail.

use axum::extract::{RawQuery, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::query;
use crate::auth::{ApiAdmin, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub database: String,
}

/// Liveness: the process answers (no database involved).
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, body = Health)))]
pub async fn healthz(State(s): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        database: s.db.backend().name().into(),
    })
}

/// Readiness: the database answers and its schema is the one this program expects (a load
/// balancer sends traffic only then).
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Health), (status = 503, body = Problem)))]
pub async fn readyz(State(s): State<AppState>) -> Result<Json<Health>, ApiError> {
    let unavailable = |why: String| {
        ApiError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, why).with_code("not_ready")
    };
    let version =
        s.db.schema_version()
            .await
            .map_err(|e| unavailable(format!("database non raggiungibile: {e}")))?;
    let expected = db::migrations()
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    if version != expected {
        return Err(unavailable(format!(
            "schema del database alla versione {version}, questo programma si aspetta la {expected}: eseguire cst migrate"
        )));
    }
    Ok(Json(Health {
        status: "ready".into(),
        database: s.db.backend().name().into(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    /// admin | operator | supplier | contact
    pub role: String,
    /// The entities a contact or supplier may see (empty for staff, who see all).
    pub entity_ids: Vec<i64>,
}

/// The calling account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(State(s): State<AppState>, ApiUser(u): ApiUser) -> Result<Json<Me>, ApiError> {
    let entity_ids = accounts::store::entity_ids(&s.db, u.id).await?;
    Ok(Json(Me {
        id: u.id,
        username: u.username,
        full_name: u.full_name,
        role: u.role.code().into(),
        entity_ids,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    entity_id: Option<i64>,
    object_type: Option<String>,
    object_id: Option<String>,
    /// Records before this sequence number (paging newest first).
    before: Option<i64>,
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub entity_id: Option<i64>,
    /// JSON text of the object before the change.
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl From<kernel::audit::AuditRecord> for AuditOut {
    fn from(r: kernel::audit::AuditRecord) -> Self {
        Self {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// The audit trail, newest first (admin only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams), security(("bearer" = [])),
    responses((status = 200, body = Vec<AuditOut>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn audit(
    State(s): State<AppState>,
    _: ApiAdmin,
    RawQuery(raw): RawQuery,
) -> Result<Json<Vec<AuditOut>>, ApiError> {
    let p: AuditParams = query(raw.as_deref())?;
    let limit = p.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(crate::error::ApiError::fields(vec![
            crate::error::ProblemField {
                field: "limit".into(),
                message: "da 1 a 500 record per pagina (per i precedenti: before)".into(),
                line: None,
            },
        ]));
    }
    let recs = db::audit::list(
        &s.db,
        &db::audit::Query {
            entity_id: p.entity_id,
            object_type: p.object_type,
            object_id: p.object_id,
            before_seq: p.before,
            limit,
        },
    )
    .await
    .map_err(ApiError::internal)?;
    Ok(Json(recs.into_iter().map(AuditOut::from).collect()))
}
