//! `/api/v1/entities/{id}/log-admins`, `/api/v1/log-admins/{admin_id}`,
//! `/api/v1/entities/{id}/log-reviewers`, `/api/v1/entities/{id}/log-reviews`: the named
//! administrators, who reviews, and the signed-off checks.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use logs::review::{LogAdmin, LogReview, Reviewer};
use logs::store::query;
use logs::LogsError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::body::{ApiJson, PathId};
use crate::auth::{ApiStaff, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminList {
    pub items: Vec<LogAdmin>,
}

/// The entity's named system administrators.
#[utoipa::path(get, path = "/api/v1/entities/{id}/log-admins", tag = "logs",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = AdminList), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn admins(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<AdminList>, ApiError> {
    logs::review::may_review(&s.db, &caller.actor(), id).await?;
    Ok(Json(AdminList {
        items: logs::review::admins(&s.db, id).await?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminIn {
    /// Name and surname.
    pub name: String,
    /// The accounts the systems write for them (`mrossi`, `COMUNE\mrossi`).
    pub accounts: Vec<String>,
    /// What they administer, or for whom they work.
    #[serde(default)]
    pub role: Option<String>,
}

/// Names a system administrator of the entity (staff, or its titolare and delegates).
#[utoipa::path(post, path = "/api/v1/entities/{id}/log-admins", tag = "logs", request_body = AdminIn,
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 201, body = LogAdmin), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn add_admin(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<AdminIn>,
) -> Result<Response, ApiError> {
    let a = logs::review::add_admin(
        &s.db,
        &caller.actor(),
        id,
        &b.name,
        &b.accounts,
        b.role.as_deref().unwrap_or(""),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(a)).into_response())
}

/// Removes a named administrator (staff, or the entity's titolare and delegates).
#[utoipa::path(delete, path = "/api/v1/log-admins/{admin_id}", tag = "logs",
    params(("admin_id" = i64, Path, description = "administrator id")), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn remove_admin(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    logs::review::remove_admin(&s.db, &caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewerList {
    pub items: Vec<Reviewer>,
}

/// Who reviews the entity's logs: its titolare and delegates.
#[utoipa::path(get, path = "/api/v1/entities/{id}/log-reviewers", tag = "logs",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = ReviewerList), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn reviewers(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<ReviewerList>, ApiError> {
    logs::review::may_review(&s.db, &caller.actor(), id).await?;
    Ok(Json(ReviewerList {
        items: logs::review::reviewers(&s.db, id).await?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewerIn {
    /// A contact account of the entity.
    pub user_id: i64,
    /// `titolare`, `delegato`, or null to remove the mark.
    pub kind: Option<String>,
}

/// Marks one of the entity's contacts as its titolare (one) or a delegate, or removes the
/// mark (staff).
#[utoipa::path(put, path = "/api/v1/entities/{id}/log-reviewers", tag = "logs", request_body = ReviewerIn,
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = ReviewerList), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn set_reviewer(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(b): ApiJson<ReviewerIn>,
) -> Result<Json<ReviewerList>, ApiError> {
    let items =
        logs::review::set_reviewer(&s.db, &user.actor(), id, b.user_id, b.kind.as_deref()).await?;
    Ok(Json(ReviewerList { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewList {
    pub items: Vec<LogReview>,
}

/// The entity's signed-off checks, newest first.
#[utoipa::path(get, path = "/api/v1/entities/{id}/log-reviews", tag = "logs",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = ReviewList), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn reviews(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<ReviewList>, ApiError> {
    logs::review::may_review(&s.db, &caller.actor(), id).await?;
    Ok(Json(ReviewList {
        items: logs::review::reviews(&s.db, id).await?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    /// First day checked (`2026-01-01`).
    pub from: String,
    /// Last day checked, included.
    pub to: String,
    /// What was found, what was asked of whom.
    #[serde(default)]
    pub notes: Option<String>,
}

/// How many access events the entity's named administrators have in `[from, to]`, and how
/// many of them failed.
pub async fn admin_counts(
    s: &AppState,
    entity_id: i64,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<(i64, i64), ApiError> {
    let accounts = super::api::admin_accounts(s, entity_id, None, true)
        .await?
        .unwrap_or_default();
    if accounts.is_empty() {
        return Ok((0, 0));
    }
    let mut f = query::AccessFilter {
        entity_id,
        from: Some(logs::period::day_start(from)),
        to: Some(logs::period::day_start(to.succ_opt().unwrap_or(to))),
        accounts,
        limit: 1,
        ..Default::default()
    };
    let (_, events) = query::access_events(&s.logs.store, &f).await?;
    f.outcome = Some("failure".into());
    let (_, failures) = query::access_events(&s.logs.store, &f).await?;
    Ok((events, failures))
}

/// Checks a review's period: two days in order, the last not after today.
pub fn review_period(
    from: &str,
    to: &str,
    today: chrono::NaiveDate,
) -> Result<(chrono::NaiveDate, chrono::NaiveDate), LogsError> {
    let f = logs::period::parse_day(from);
    let t = logs::period::parse_day(to);
    let mut errors = Vec::new();
    if f.is_none() {
        errors.push(kernel::FieldError::new(
            "from",
            format!("«{from}» non è una data (AAAA-MM-GG)"),
        ));
    }
    match t {
        None => errors.push(kernel::FieldError::new(
            "to",
            format!("«{to}» non è una data (AAAA-MM-GG)"),
        )),
        Some(t) if t > today => {
            errors.push(kernel::FieldError::new(
                "to",
                "non si può verificare un periodo futuro",
            ));
        }
        Some(t) if f.is_some_and(|f| t < f) => {
            errors.push(kernel::FieldError::new(
                "to",
                "la fine del periodo precede l'inizio",
            ));
        }
        Some(_) => {}
    }
    match (f, t) {
        (Some(f), Some(t)) if errors.is_empty() => Ok((f, t)),
        _ => Err(LogsError::Invalid(errors)),
    }
}

/// How a signature reads: the person's name and in what quality they sign.
pub async fn signature(
    s: &AppState,
    user: &accounts::User,
    entity_id: i64,
) -> Result<String, ApiError> {
    let name = if user.full_name.trim().is_empty() {
        user.username.clone()
    } else {
        format!("{} ({})", user.full_name.trim(), user.username)
    };
    let quality = if user.role.is_staff() {
        "per il centro servizi".to_owned()
    } else {
        let kind = logs::review::reviewers(&s.db, entity_id)
            .await?
            .into_iter()
            .find(|r| r.user_id == user.id)
            .map(|r| r.kind)
            .unwrap_or_default();
        if kind == "titolare" {
            "titolare del trattamento".to_owned()
        } else {
            "delegato del titolare".to_owned()
        }
    };
    Ok(format!("{name}, {quality}"))
}

/// Records the periodic check of the administrators' work, signed off by the caller (a
/// titolare or delegate of the entity, or staff): the period, what the log store holds for
/// the named administrators in it, and the notes.
#[utoipa::path(post, path = "/api/v1/entities/{id}/log-reviews", tag = "logs", request_body = ReviewIn,
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 201, body = LogReview), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn sign_review(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<ReviewIn>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    logs::review::may_review(&s.db, &actor, id).await?;
    let (from, to) = review_period(&b.from, &b.to, s.clock.today())?;
    let (events, failures) = admin_counts(&s, id, from, to).await?;
    let who = signature(&s, &caller.0, id).await?;
    let r = logs::review::sign_review(
        &s.db,
        &actor,
        &who,
        id,
        from,
        to,
        events,
        failures,
        b.notes.as_deref().unwrap_or(""),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}
