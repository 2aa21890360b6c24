//! `/api/v1/portal/modules`: which service item carries which module of the portal (data, set
//! by the administrators), and the modules an entity has today.

use axum::extract::State;
use axum::Json;
use portal::store::modules::{self, ModuleItem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::body::{ApiJson, PathId};
use crate::auth::{ApiAdmin, ApiStaff, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuleItems {
    pub items: Vec<ModuleItem>,
}

/// Which service item carries which module.
#[utoipa::path(get, path = "/api/v1/portal/modules", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = ModuleItems), (status = 403, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    _staff: ApiStaff,
) -> Result<Json<ModuleItems>, ApiError> {
    Ok(Json(ModuleItems {
        items: modules::items(&s.db).await?,
    }))
}

/// Replaces the mapping of modules to service items (administrators).
#[utoipa::path(put, path = "/api/v1/portal/modules", tag = "portal", request_body = ModuleItems,
    security(("bearer" = [])),
    responses((status = 200, body = ModuleItems), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put(
    State(s): State<AppState>,
    ApiAdmin(admin): ApiAdmin,
    ApiJson(m): ApiJson<ModuleItems>,
) -> Result<Json<ModuleItems>, ApiError> {
    let items = modules::set_items(&s.db, &admin.actor(), &m.items).await?;
    s.sites.forget(None);
    Ok(Json(ModuleItems { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntityModules {
    /// The modules the entity has today: `events`, `tenders`, `appointments`.
    pub modules: Vec<String>,
}

/// The modules an entity has today (from its active services).
#[utoipa::path(get, path = "/api/v1/entities/{id}/portal-modules", tag = "portal",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = EntityModules), (status = 404, body = Problem)))]
pub async fn entity(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<EntityModules>, ApiError> {
    members::store::get(&s.db, &caller.actor(), id).await?;
    Ok(Json(EntityModules {
        modules: modules::active(&s.db, id, s.clock.today()).await?,
    }))
}

/// An entity's settings of its public pages.
#[utoipa::path(get, path = "/api/v1/entities/{id}/portal-settings", tag = "portal",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = portal::store::settings::PortalSettings), (status = 404, body = Problem)))]
pub async fn get_settings(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<portal::store::settings::PortalSettings>, ApiError> {
    Ok(Json(
        portal::store::settings::get(&s.db, &caller.actor(), id).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsIn {
    /// Days citizens' data is kept after the event or the appointment (1–3650).
    #[serde(default)]
    pub retention_days: Option<i64>,
    /// The privacy notice of the public forms.
    #[serde(default)]
    pub consent_text: Option<String>,
    /// Where the administrator's notices go ("" for the entity's primary contacts).
    #[serde(default)]
    pub admin_email: Option<String>,
    /// Months after the deadline a new call goes to the archive (1–120).
    #[serde(default)]
    pub archive_months: Option<i64>,
    /// The public site's address for the links in the e-mails (`https://servizi.comune.it`,
    /// "" for paths only).
    #[serde(default)]
    pub site_url: Option<String>,
}

/// Changes an entity's settings of its public pages (what is not given stays).
#[utoipa::path(put, path = "/api/v1/entities/{id}/portal-settings", tag = "portal", request_body = SettingsIn,
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = portal::store::settings::PortalSettings), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_settings(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(d): ApiJson<SettingsIn>,
) -> Result<Json<portal::store::settings::PortalSettings>, ApiError> {
    Ok(Json(
        portal::store::settings::put(
            &s.db,
            &caller.actor(),
            id,
            &portal::store::settings::SettingsDraft {
                retention_days: d.retention_days,
                consent_text: d.consent_text,
                admin_email: d.admin_email,
                archive_months: d.archive_months,
                site_url: d.site_url,
            },
        )
        .await?,
    ))
}
