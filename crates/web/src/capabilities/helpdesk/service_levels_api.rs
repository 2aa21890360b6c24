//! Service levels through the API: the SLA compliance report (staff) and an entity's support
//! profile (read by whoever sees the entity, set by admins).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{Datelike, NaiveDate};
use helpdesk::store;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::{ApiJson, PathId};
use crate::api::query;
use crate::auth::{ApiStaff, ApiUser};
use crate::error::{ApiError, Problem, ProblemField};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// First day (YYYY-MM-DD, Rome), default the first of this month.
    #[param(value_type = Option<String>)]
    from: Option<NaiveDate>,
    /// Last day, inclusive, default today.
    #[param(value_type = Option<String>)]
    to: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaLineOut {
    pub priority: String,
    /// Tickets judged: taken in charge, or not taken and past due.
    pub total: i64,
    pub met: i64,
    /// Percent met, one decimal.
    pub percent: f64,
    /// Not taken yet and still within the deadline.
    pub pending: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaReport {
    pub from: String,
    pub to: String,
    /// Seed 001: at least 90% of tickets taken in charge within the deadline.
    pub target_percent: u32,
    pub items: Vec<SlaLineOut>,
}

/// Take-charge SLA compliance per priority for tickets received in a period (staff only).
#[utoipa::path(get, path = "/api/v1/reports/sla", tag = "helpdesk", params(ReportParams),
    security(("bearer" = [])), responses((status = 200, body = SlaReport), (status = 400, body = Problem)))]
pub async fn sla_report(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    RawQuery(raw): RawQuery,
) -> Result<Json<SlaReport>, ApiError> {
    let p: ReportParams = query(raw.as_deref())?;
    let today = kernel::time::today();
    let from = p.from.unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let to = p.to.unwrap_or(today);
    if to < from {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "il periodo finisce prima di iniziare",
        ));
    }
    let items = store::sla_report(&s.db, &user.actor(), from, to, s.clock.now())
        .await?
        .into_iter()
        .map(|l| SlaLineOut {
            priority: l.priority.as_str().into(),
            total: l.total,
            met: l.met,
            percent: l.percent,
            pending: l.pending,
        })
        .collect();
    Ok(Json(SlaReport {
        from: from.to_string(),
        to: to.to_string(),
        target_percent: store::policy(&s.db).await?.target_percent,
        items,
    }))
}

/// An entity's support profile (seed 001 §3.1).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProfileOut {
    /// minimal | basic | pro | enterprise
    pub profile: String,
    /// 0 none, 1 base, 2 medium, 3 high.
    pub queue_rank: i64,
    /// May use the Saturday on-call for blocking issues.
    pub saturday_on_call: bool,
}

fn profile_out(p: helpdesk::support::Profile) -> ProfileOut {
    ProfileOut {
        profile: p.as_str().into(),
        queue_rank: p.queue_rank(),
        saturday_on_call: p.has_on_call(),
    }
}

#[utoipa::path(get, path = "/api/v1/entities/{id}/support-profile", tag = "helpdesk",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = ProfileOut), (status = 404, body = Problem)))]
pub async fn get_profile(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<ProfileOut>, ApiError> {
    let p = store::profile_of(&s.db, &caller.actor(), id).await?;
    Ok(Json(profile_out(p)))
}

/// `{"profile": "pro"}` (admins).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileIn {
    /// minimal | basic | pro | enterprise
    profile: String,
}

#[utoipa::path(put, path = "/api/v1/entities/{id}/support-profile", tag = "helpdesk",
    params(("id" = i64, Path, description = "entity id")), request_body = ProfileIn,
    security(("bearer" = [])),
    responses((status = 200, body = ProfileOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_profile(
    State(s): State<AppState>,
    crate::auth::ApiAdmin(u): crate::auth::ApiAdmin,
    PathId(id): PathId,
    ApiJson(i): ApiJson<ProfileIn>,
) -> Result<Json<ProfileOut>, ApiError> {
    let Some(p) = helpdesk::support::Profile::parse(&i.profile) else {
        return Err(ApiError::fields(vec![ProblemField {
            field: "profile".into(),
            message: "indicare il profilo: minimal, basic, pro o enterprise".into(),
            line: None,
        }]));
    };
    store::set_support_profile(&s.db, &u.actor(), id, p).await?;
    Ok(Json(profile_out(p)))
}
