//! `/api/v1/needs-campaigns`: the yearly needs form. An administrator opens a year's campaign
//! with a deadline; each entity's contact reads and answers the entity's form (draft, then
//! sent); staff read who answered and the aggregate per service, and turn a sent form into
//! requests and changes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use delivery::needs::Answer;
use delivery::store::needs::{self, Campaign, Form, FormDraft, LineDraft, Summary};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::body::{ApiJson, PathId, PathIds};
use crate::auth::{ApiAdmin, ApiStaff, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

/// A campaign to open.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignIn {
    /// The year the needs are for (this year or the next).
    pub year: i32,
    /// The last day to answer.
    #[schema(value_type = String, format = Date)]
    pub deadline: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignOut {
    pub id: i64,
    pub year: i32,
    pub deadline: String,
    /// Forms sent, one per entity with an agreement in force.
    pub forms: i64,
    /// Forms the entities sent back.
    pub submitted: i64,
    pub opened_by: String,
    pub opened_at: String,
}

fn campaign_out(c: Campaign) -> CampaignOut {
    CampaignOut {
        id: c.id,
        year: c.year,
        deadline: c.deadline.to_string(),
        forms: c.forms,
        submitted: c.submitted,
        opened_by: c.opened_by,
        opened_at: c.opened_at,
    }
}

/// Opens a year's needs campaign (administrators): every entity with an agreement in force
/// gets its form and an e-mail.
#[utoipa::path(post, path = "/api/v1/needs-campaigns", tag = "delivery", request_body = CampaignIn,
    security(("bearer" = [])),
    responses((status = 201, body = CampaignOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open(
    State(s): State<AppState>,
    ApiAdmin(user): ApiAdmin,
    ApiJson(c): ApiJson<CampaignIn>,
) -> Result<Response, ApiError> {
    let c = needs::open(&s.db, &user.actor(), c.year, c.deadline, s.clock.today()).await?;
    Ok((StatusCode::CREATED, Json(campaign_out(c))).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignList {
    pub items: Vec<CampaignOut>,
}

/// The campaigns the caller may see (a contact: those with a form of their entities).
#[utoipa::path(get, path = "/api/v1/needs-campaigns", tag = "delivery", security(("bearer" = [])),
    responses((status = 200, body = CampaignList)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
) -> Result<Json<CampaignList>, ApiError> {
    let items = needs::campaigns(&s.db, &caller.actor())
        .await?
        .into_iter()
        .map(campaign_out)
        .collect();
    Ok(Json(CampaignList { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedsLineOut {
    pub service: String,
    pub item: String,
    /// renew | stop | interested | no
    pub answer: &'static str,
    pub quantity: u32,
    /// What the entity had when it answered (0: not active).
    pub current_quantity: u32,
    pub active_service_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedsFormOut {
    pub id: i64,
    pub campaign_id: i64,
    pub year: i32,
    pub deadline: String,
    pub entity_id: i64,
    pub entity_name: String,
    /// sent | draft | submitted | processed
    pub state: &'static str,
    pub state_label: &'static str,
    pub submitted: bool,
    pub notes: String,
    pub submitted_at: Option<String>,
    pub processed_at: Option<String>,
    pub version: i64,
    pub lines: Vec<NeedsLineOut>,
}

pub(crate) fn form_out(f: Form) -> NeedsFormOut {
    NeedsFormOut {
        id: f.id,
        campaign_id: f.campaign_id,
        year: f.year,
        deadline: f.deadline.to_string(),
        entity_id: f.entity_id,
        entity_name: f.entity_name,
        state: f.state.code(),
        state_label: f.state.label(),
        submitted: f.state.answered(),
        notes: f.notes,
        submitted_at: f.submitted_at,
        processed_at: f.processed_at,
        version: f.version,
        lines: f
            .lines
            .into_iter()
            .map(|l| NeedsLineOut {
                service: l.service,
                item: l.item,
                answer: l.answer.code(),
                quantity: l.quantity,
                current_quantity: l.current_quantity,
                active_service_id: l.active_service_id,
            })
            .collect(),
    }
}

/// An entity's form in a campaign.
#[utoipa::path(get, path = "/api/v1/needs-campaigns/{campaign_id}/forms/{entity_id}", tag = "delivery",
    params(("campaign_id" = i64, Path, description = "campaign id"), ("entity_id" = i64, Path, description = "entity id")),
    security(("bearer" = [])),
    responses((status = 200, body = NeedsFormOut), (status = 404, body = Problem)))]
pub async fn get_form(
    State(s): State<AppState>,
    caller: ApiUser,
    PathIds(campaign, entity): PathIds,
) -> Result<Json<NeedsFormOut>, ApiError> {
    let f = needs::form(&s.db, &caller.actor(), campaign, entity).await?;
    Ok(Json(form_out(f)))
}

/// One answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedsLineIn {
    /// The service's code, `PD09`.
    pub service: String,
    /// The item; the one the entity has (or the main item) when absent.
    #[serde(default)]
    pub item: Option<String>,
    /// `renew` or `stop` for a service the entity has; `interested` or `no` for another.
    pub answer: String,
    /// Wanted next year: renew keeps the current quantity when absent; interested asks 1.
    #[serde(default)]
    pub quantity: Option<u32>,
}

/// A form as saved (`submitted: false`, a draft) or sent (`submitted: true`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedsFormIn {
    /// The answers; the services the entity has and are not named are renewed as they are.
    pub lines: Vec<NeedsLineIn>,
    #[serde(default)]
    pub notes: Option<String>,
    pub submitted: bool,
    /// The form's version as read (a conflict when somebody saved it meanwhile).
    #[serde(default)]
    pub version: Option<i64>,
}

/// Saves or sends an entity's form (its contact until the deadline; staff at any time).
#[utoipa::path(put, path = "/api/v1/needs-campaigns/{campaign_id}/forms/{entity_id}", tag = "delivery",
    params(("campaign_id" = i64, Path, description = "campaign id"), ("entity_id" = i64, Path, description = "entity id")),
    request_body = NeedsFormIn, security(("bearer" = [])),
    responses((status = 200, body = NeedsFormOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn put_form(
    State(s): State<AppState>,
    caller: ApiUser,
    PathIds(campaign, entity): PathIds,
    ApiJson(f): ApiJson<NeedsFormIn>,
) -> Result<Json<NeedsFormOut>, ApiError> {
    let mut wrong = vec![];
    let mut lines = vec![];
    for (i, l) in f.lines.into_iter().enumerate() {
        match Answer::parse(l.answer.trim()) {
            Some(answer) => lines.push(LineDraft {
                service: l.service,
                item: l.item,
                answer,
                quantity: l.quantity,
            }),
            None => wrong.push(kernel::FieldError::new(
                &format!("lines[{i}].answer"),
                format!(
                    "risposta «{}» sconosciuta: renew, stop, interested o no",
                    l.answer
                ),
            )),
        }
    }
    if !wrong.is_empty() {
        return Err(delivery::DeliveryError::Invalid(wrong).into());
    }
    let saved = needs::save(
        &s.db,
        &caller.actor(),
        campaign,
        entity,
        &FormDraft {
            lines,
            notes: f.notes.unwrap_or_default(),
            submitted: f.submitted,
            version: f.version,
        },
        s.clock.today(),
    )
    .await?;
    Ok(Json(form_out(saved)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedsFormRowOut {
    pub entity_id: i64,
    pub entity_name: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub submitted_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedsFormList {
    pub items: Vec<NeedsFormRowOut>,
}

/// Every form of a campaign with its state (staff): who answered.
#[utoipa::path(get, path = "/api/v1/needs-campaigns/{campaign_id}/forms", tag = "delivery",
    params(("campaign_id" = i64, Path, description = "campaign id")), security(("bearer" = [])),
    responses((status = 200, body = NeedsFormList), (status = 404, body = Problem)))]
pub async fn forms(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(campaign): PathId,
) -> Result<Json<NeedsFormList>, ApiError> {
    let (rows, _) = needs::forms(&s.db, &user.actor(), campaign, &Default::default()).await?;
    let items = rows
        .into_iter()
        .map(|r| NeedsFormRowOut {
            entity_id: r.entity_id,
            entity_name: r.entity_name,
            state: r.state.code(),
            state_label: r.state.label(),
            submitted_at: r.submitted_at,
        })
        .collect();
    Ok(Json(NeedsFormList { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedsServiceOut {
    pub service: String,
    pub name: String,
    /// Entities that want it next year.
    pub entities: u64,
    pub quantity: u64,
    /// Next year's estimated amount, priced with next year's list (decimal string).
    pub estimated_amount: String,
    /// Wanted lines next year's list cannot price.
    pub unpriced: u64,
    /// Entities that have it this year (among those that answered) and their quantity.
    pub current_entities: u64,
    pub current_quantity: u64,
    /// quantity − current_quantity.
    pub quantity_change: i64,
    pub stopping: u64,
    pub new_entities: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedsFormCounts {
    pub sent: i64,
    pub draft: i64,
    pub submitted: i64,
    pub processed: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedsSummaryOut {
    pub campaign: CampaignOut,
    /// The list next year's amounts come from; null when none is valid on 1 January.
    pub price_list: Option<String>,
    pub forms: NeedsFormCounts,
    pub services: Vec<NeedsServiceOut>,
}

pub(crate) fn summary_out(s: Summary) -> NeedsSummaryOut {
    let count = |st: &str| {
        s.states
            .iter()
            .find(|(x, _)| x.code() == st)
            .map_or(0, |(_, n)| *n)
    };
    NeedsSummaryOut {
        forms: NeedsFormCounts {
            sent: count("sent"),
            draft: count("draft"),
            submitted: count("submitted"),
            processed: count("processed"),
        },
        campaign: campaign_out(s.campaign),
        price_list: s.price_list,
        services: s
            .services
            .into_iter()
            .map(|(n, name)| NeedsServiceOut {
                quantity_change: i64::try_from(n.quantity).unwrap_or(i64::MAX)
                    - i64::try_from(n.current_quantity).unwrap_or(i64::MAX),
                service: n.service,
                name,
                entities: n.entities,
                quantity: n.quantity,
                estimated_amount: n.estimated_amount.to_decimal_string(),
                unpriced: n.unpriced,
                current_entities: n.current_entities,
                current_quantity: n.current_quantity,
                stopping: n.stopping,
                new_entities: n.new_entities,
            })
            .collect(),
    }
}

/// The aggregate of the answered forms per service (staff).
#[utoipa::path(get, path = "/api/v1/needs-campaigns/{campaign_id}/summary", tag = "delivery",
    params(("campaign_id" = i64, Path, description = "campaign id")), security(("bearer" = [])),
    responses((status = 200, body = NeedsSummaryOut), (status = 404, body = Problem)))]
pub async fn summary(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(campaign): PathId,
) -> Result<Json<NeedsSummaryOut>, ApiError> {
    let sum = needs::summary(&s.db, &user.actor(), campaign).await?;
    Ok(Json(summary_out(sum)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedsProcessedOut {
    pub form: NeedsFormOut,
    /// Activation requests sent for the new services.
    pub requests: Vec<i64>,
    /// Services with another quantity from 1 January (their new periods).
    pub changed: Vec<i64>,
    /// Services stopped on 31 December.
    pub stopped: Vec<i64>,
}

/// Turns a sent form into activation requests, quantity changes and deactivations (staff),
/// in one transaction; the form is then closed.
#[utoipa::path(post, path = "/api/v1/needs-campaigns/{campaign_id}/forms/{entity_id}/process", tag = "delivery",
    params(("campaign_id" = i64, Path, description = "campaign id"), ("entity_id" = i64, Path, description = "entity id")),
    security(("bearer" = [])),
    responses((status = 200, body = NeedsProcessedOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn process(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathIds(campaign, entity): PathIds,
) -> Result<Json<NeedsProcessedOut>, ApiError> {
    let (f, done) = needs::process(&s.db, &user.actor(), campaign, entity, s.clock.today()).await?;
    Ok(Json(NeedsProcessedOut {
        form: form_out(f),
        requests: done.requests,
        changed: done.changed,
        stopped: done.stopped,
    }))
}
