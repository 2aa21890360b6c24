//! `/api/v1/sms`: texts from an entity to a send list or to numbers, the log and the monthly
//! limit.

use addressbook::sms::{self, Message, Preview, SendDraft};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::{ApiJson, PathId};
use crate::api::query;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmsIn {
    pub entity_id: i64,
    /// A send list of the entity (its members with a number).
    #[serde(default)]
    pub list_id: Option<i64>,
    /// Numbers (`+39 347 1234567`, `347 1234567`), besides or instead of the list.
    #[serde(default)]
    pub to: Option<Vec<String>>,
    pub text: String,
    /// Say what it would cost, sending nothing.
    #[serde(default)]
    pub dry_run: Option<bool>,
}

/// Sends a text (queued for the gateway): 202 with the messages, the parts and the cost; with
/// `dry_run` 200 and nothing sent.
#[utoipa::path(post, path = "/api/v1/sms", tag = "contacts", request_body = SmsIn,
    security(("bearer" = [])),
    responses((status = 202, body = Preview), (status = 200, body = Preview), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn send(
    State(s): State<AppState>,
    caller: ApiUser,
    ApiJson(m): ApiJson<SmsIn>,
) -> Result<Response, ApiError> {
    let d = SendDraft {
        entity_id: m.entity_id,
        list_id: m.list_id,
        to: m.to.unwrap_or_default(),
        text: m.text,
    };
    if m.dry_run.unwrap_or(false) {
        return Ok(Json(sms::preview(&s.db, &caller.actor(), &d).await?).into_response());
    }
    let p = sms::send(&s.db, &caller.actor(), &d).await?;
    Ok((StatusCode::ACCEPTED, Json(p)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LogParams {
    /// At most this many, newest first (1–1000, default 200).
    #[serde(default)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SmsLog {
    pub items: Vec<Message>,
    /// Parts used this month (all but those refused for good).
    pub used_parts: i64,
    /// The centre's monthly limit of parts (none: no limit).
    pub monthly_limit: Option<i64>,
}

/// The entity's sent messages with their states, and this month's use.
#[utoipa::path(get, path = "/api/v1/entities/{id}/sms", tag = "contacts",
    params(("id" = i64, Path, description = "entity id"), LogParams), security(("bearer" = [])),
    responses((status = 200, body = SmsLog), (status = 404, body = Problem)))]
pub async fn log(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    RawQuery(raw): RawQuery,
) -> Result<Json<SmsLog>, ApiError> {
    let p: LogParams = query(raw.as_deref())?;
    let items = sms::log(&s.db, &caller.actor(), id, p.limit.unwrap_or(200)).await?;
    let (used_parts, monthly_limit) = sms::usage(&s.db, id).await?;
    Ok(Json(SmsLog {
        items,
        used_parts,
        monthly_limit,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitIn {
    /// Parts a month; `null`: no limit.
    pub monthly_parts: Option<i64>,
}

/// Sets the entity's monthly limit of SMS parts (staff).
#[utoipa::path(put, path = "/api/v1/entities/{id}/sms-limit", tag = "contacts",
    request_body = LimitIn, params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn set_limit(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(l): ApiJson<LimitIn>,
) -> Result<StatusCode, ApiError> {
    sms::set_limit(&s.db, &caller.actor(), id, l.monthly_parts).await?;
    Ok(StatusCode::NO_CONTENT)
}
