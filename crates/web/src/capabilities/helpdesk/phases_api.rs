//! Supplier phases over the API: `/api/v1/tickets/{ticket_id}/phases` and `/api/v1/phases`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use helpdesk::phases::{self, NewPhase, Phase, PhaseState, PhaseUpdate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::body::{ApiJson, PathId};
use crate::auth::{ApiStaff, ApiUser};
use crate::error::{ApiError, Problem, ProblemField};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct PhaseOut {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_number: String,
    pub ticket_subject: String,
    pub entity_id: i64,
    pub entity_name: String,
    pub supplier_id: i64,
    pub supplier: String,
    pub title: String,
    /// The centre's brief to the supplier (empty for the entity's contacts).
    pub description: String,
    /// open | in_progress | done | cancelled
    pub state: String,
    /// The centre authorised the supplier to work on site.
    pub onsite_authorized: bool,
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhaseUpdateOut {
    pub author: String,
    pub state: String,
    pub body: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhaseList {
    pub items: Vec<PhaseOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhaseDetail {
    #[serde(flatten)]
    pub phase: PhaseOut,
    /// What was done, oldest first (not shown to the entity).
    pub updates: Vec<PhaseUpdateOut>,
}

pub fn phase_out(p: Phase) -> PhaseOut {
    PhaseOut {
        id: p.id,
        ticket_id: p.ticket_id,
        ticket_number: p.ticket_number,
        ticket_subject: p.ticket_subject,
        entity_id: p.entity_id,
        entity_name: p.entity_name,
        supplier_id: p.supplier_id,
        supplier: p.supplier,
        title: p.title,
        description: p.description,
        state: p.state.as_str().into(),
        onsite_authorized: p.onsite_authorized,
        version: p.version,
    }
}

fn update_out(u: PhaseUpdate) -> PhaseUpdateOut {
    PhaseUpdateOut {
        author: u.author,
        state: u.state.as_str().into(),
        body: u.body,
        created_at: kernel::time::parse(&u.created_at)
            .map_or(u.created_at, kernel::calendar::rfc3339_rome),
    }
}

/// The phases of a ticket (staff, and the entity's contacts who see their state).
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_id}/phases", tag = "helpdesk",
    params(("ticket_id" = i64, Path, description = "ticket id")), security(("bearer" = [])),
    responses((status = 200, body = PhaseList), (status = 404, body = Problem)))]
pub async fn for_ticket(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<PhaseList>, ApiError> {
    let items = phases::for_ticket(&s.db, &caller.actor(), id)
        .await?
        .into_iter()
        .map(phase_out)
        .collect();
    Ok(Json(PhaseList { items }))
}

/// `{"supplier_id": 7, "title": "Bonifica antivirus", "description": "…", "onsite_authorized": false}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseIn {
    /// The supplier account the phase is handed to.
    supplier_id: i64,
    title: String,
    #[serde(default)]
    description: String,
    /// The supplier may work on site (default false).
    #[serde(default)]
    onsite_authorized: bool,
}

/// Hands part of a ticket to a supplier account (staff).
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_id}/phases", tag = "helpdesk",
    params(("ticket_id" = i64, Path, description = "ticket id")), request_body = PhaseIn,
    security(("bearer" = [])),
    responses((status = 201, body = PhaseOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(i): ApiJson<PhaseIn>,
) -> Result<Response, ApiError> {
    let new = NewPhase {
        supplier_id: i.supplier_id,
        title: i.title,
        description: i.description,
        onsite_authorized: i.onsite_authorized,
    };
    let p = phases::create(&s.db, &user.actor(), id, &new).await?;
    Ok((StatusCode::CREATED, Json(phase_out(p))).into_response())
}

/// A supplier's phases (staff: every open phase).
#[utoipa::path(get, path = "/api/v1/phases", tag = "helpdesk", security(("bearer" = [])),
    responses((status = 200, body = PhaseList), (status = 403, body = Problem)))]
pub async fn mine(State(s): State<AppState>, caller: ApiUser) -> Result<Json<PhaseList>, ApiError> {
    let items = phases::mine(&s.db, &caller.actor())
        .await?
        .into_iter()
        .map(phase_out)
        .collect();
    Ok(Json(PhaseList { items }))
}

/// One phase with its updates.
#[utoipa::path(get, path = "/api/v1/phases/{phase_id}", tag = "helpdesk",
    params(("phase_id" = i64, Path, description = "phase id")), security(("bearer" = [])),
    responses((status = 200, body = PhaseDetail), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<PhaseDetail>, ApiError> {
    let actor = caller.actor();
    let p = phases::get(&s.db, &actor, id).await?;
    let updates = phases::updates(&s.db, &actor, id)
        .await?
        .into_iter()
        .map(update_out)
        .collect();
    Ok(Json(PhaseDetail {
        phase: phase_out(p),
        updates,
    }))
}

/// `{"state": "in_progress", "body": "Scansione avviata"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseUpdateIn {
    /// open | in_progress | done | cancelled (cancelled: staff only)
    state: String,
    #[serde(default)]
    body: String,
}

/// The supplier (or the centre) records progress on a phase.
#[utoipa::path(post, path = "/api/v1/phases/{phase_id}/updates", tag = "helpdesk",
    params(("phase_id" = i64, Path, description = "phase id")), request_body = PhaseUpdateIn,
    security(("bearer" = [])),
    responses((status = 200, body = PhaseOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(u): ApiJson<PhaseUpdateIn>,
) -> Result<Json<PhaseOut>, ApiError> {
    // Out of scope answers 404 before the state is judged.
    phases::get(&s.db, &caller.actor(), id).await?;
    let Some(state) = PhaseState::parse(&u.state) else {
        return Err(ApiError::fields(vec![ProblemField {
            field: "state".into(),
            message: "indicare lo stato: open, in_progress, done o cancelled".into(),
            line: None,
        }]));
    };
    let p = phases::update(&s.db, &caller.actor(), id, state, &u.body).await?;
    Ok(Json(phase_out(p)))
}
