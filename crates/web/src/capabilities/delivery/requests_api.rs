//! `/api/v1/activation-requests`: a member asks for a catalogue service, staff approve (the
//! delivery deadline starts), assign, deliver (the entity's active service starts), refuse;
//! the entity's contact or staff cancel. `/api/v1/entities/{id}/services?on=`: what an entity
//! had on a day.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use delivery::model::RequestState;
use delivery::store::{self, ActiveService, Request, RequestDraft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::{decode, ApiJson, PathId};
use crate::api::{query, unprocessable};
use crate::auth::{ApiStaff, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

/// A request for a catalogue service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestIn {
    pub entity_id: i64,
    /// The service's code, `PD09`.
    pub service: String,
    /// The item (`standard`, `silver`…); the service's main item when absent.
    #[serde(default)]
    pub item: Option<String>,
    /// Units wanted (users, workstations, GB…), 1 to 1,000,000.
    pub quantity: u32,
    /// When the service should start (today when absent); not in the past.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub wanted_date: Option<NaiveDate>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestLineOut {
    pub text: String,
    /// Decimal string, `600.00`.
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestQuoteOut {
    /// Decimal string, `600.00`: the first calendar year's amount.
    pub amount: String,
    pub currency: &'static str,
    /// Some part is priced only after an assessment.
    pub on_quotation: bool,
    pub lines: Vec<RequestLineOut>,
    pub price_list_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestOut {
    pub id: i64,
    pub entity_id: i64,
    pub service: String,
    pub item: String,
    pub quantity: u32,
    pub wanted_date: Option<String>,
    pub notes: String,
    /// submitted | approved | in_delivery | delivered | refused | cancelled
    pub state: &'static str,
    /// The state in Italian.
    pub state_label: &'static str,
    /// The quote the request was sent with: it does not change if prices change.
    pub quote: RequestQuoteOut,
    pub submitted_at: String,
    pub approved_on: Option<String>,
    /// The delivery deadline (`YYYY-MM-DD`), once approved, when the service card gives one.
    pub due_date: Option<String>,
    /// Still open with the deadline passed.
    pub overdue: bool,
    pub assigned_to: Option<i64>,
    pub activation_date: Option<String>,
    /// Why it was refused or cancelled.
    pub reason: String,
    pub version: i64,
}

fn request_out(r: Request, today: NaiveDate) -> RequestOut {
    RequestOut {
        overdue: r.state.is_open() && r.due_date.is_some_and(|d| d < today),
        id: r.id,
        entity_id: r.entity_id,
        service: r.service,
        item: r.item,
        quantity: r.quantity,
        wanted_date: r.wanted_date.map(|d| d.to_string()),
        notes: r.notes,
        state: r.state.code(),
        state_label: r.state.label(),
        quote: RequestQuoteOut {
            amount: r.quote_amount.to_decimal_string(),
            currency: "EUR",
            on_quotation: r.on_quotation,
            lines: r
                .lines
                .into_iter()
                .map(|l| RequestLineOut {
                    text: l.text,
                    amount: l.amount.to_decimal_string(),
                })
                .collect(),
            price_list_id: r.price_list_id,
        },
        submitted_at: r.submitted_at,
        approved_on: r.approved_on.map(|d| d.to_string()),
        due_date: r.due_date.map(|d| d.to_string()),
        assigned_to: r.assigned_to,
        activation_date: r.activation_date.map(|d| d.to_string()),
        reason: r.reason,
        version: r.version,
    }
}

/// Sends a request (a contact for their entity, staff for any), priced on the wanted date.
#[utoipa::path(post, path = "/api/v1/activation-requests", tag = "delivery",
    request_body = RequestIn, security(("bearer" = [])),
    responses((status = 201, body = RequestOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: ApiUser,
    ApiJson(r): ApiJson<RequestIn>,
) -> Result<Response, ApiError> {
    let today = s.clock.today();
    let draft = RequestDraft {
        entity_id: r.entity_id,
        service: r.service,
        item: r.item,
        quantity: r.quantity,
        wanted_date: r.wanted_date,
        notes: r.notes.unwrap_or_default(),
    };
    let saved = store::submit(&s.db, &caller.actor(), &draft, today).await?;
    Ok((StatusCode::CREATED, Json(request_out(saved, today))).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only this entity's requests.
    #[serde(default)]
    pub entity_id: Option<i64>,
    /// Only those in this state.
    #[serde(default)]
    pub state: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<RequestOut>,
    pub total: usize,
}

/// The requests the caller may see, newest first (at most 500).
#[utoipa::path(get, path = "/api/v1/activation-requests", tag = "delivery",
    params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = RequestList), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<RequestList>, ApiError> {
    let p: ListParams = query(raw.as_deref())?;
    let state = match p.state.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(st) => Some(RequestState::parse(st).ok_or_else(|| {
            unprocessable(format!(
                "stato «{st}» sconosciuto: submitted, approved, in_delivery, delivered, refused o cancelled"
            ))
        })?),
    };
    let today = s.clock.today();
    let items: Vec<RequestOut> = store::list(&s.db, &caller.actor(), p.entity_id, state)
        .await?
        .into_iter()
        .map(|r| request_out(r, today))
        .collect();
    Ok(Json(RequestList {
        total: items.len(),
        items,
    }))
}

/// One request.
#[utoipa::path(get, path = "/api/v1/activation-requests/{request_id}", tag = "delivery",
    params(("request_id" = i64, Path, description = "request id")), security(("bearer" = [])),
    responses((status = 200, body = RequestOut), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<RequestOut>, ApiError> {
    Ok(Json(request_out(
        store::get(&s.db, &caller.actor(), id).await?,
        s.clock.today(),
    )))
}

/// What a change may carry: the version read (optional), and a reason or a person.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestChangeIn {
    /// The version read: refused with 409 when the request changed meanwhile.
    #[serde(default)]
    pub version: Option<i64>,
    /// Why (refusing: required; cancelling: optional).
    #[serde(default)]
    pub reason: Option<String>,
}

/// A body that may be empty.
fn optional<T: Default + serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        decode(body)
    }
}

/// Approves a request (staff): the delivery deadline counts from today.
#[utoipa::path(post, path = "/api/v1/activation-requests/{request_id}/approve", tag = "delivery",
    params(("request_id" = i64, Path, description = "request id")), request_body(content = Option<RequestChangeIn>),
    security(("bearer" = [])),
    responses((status = 200, body = RequestOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn approve(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    body: Bytes,
) -> Result<Json<RequestOut>, ApiError> {
    let c: RequestChangeIn = optional(&body)?;
    let today = s.clock.today();
    let r = store::approve(&s.db, &user.actor(), id, today, c.version).await?;
    Ok(Json(request_out(r, today)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestAssignIn {
    /// An active administrator or operator.
    pub assigned_to: i64,
    #[serde(default)]
    pub version: Option<i64>,
}

/// Hands an approved request to a technician (staff).
#[utoipa::path(post, path = "/api/v1/activation-requests/{request_id}/assign", tag = "delivery",
    params(("request_id" = i64, Path, description = "request id")), request_body = RequestAssignIn,
    security(("bearer" = [])),
    responses((status = 200, body = RequestOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn assign(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(a): ApiJson<RequestAssignIn>,
) -> Result<Json<RequestOut>, ApiError> {
    let r = store::assign(&s.db, &user.actor(), id, a.assigned_to, a.version).await?;
    Ok(Json(request_out(r, s.clock.today())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliverIn {
    /// The day the service started (may be in the past).
    #[schema(value_type = String, format = Date)]
    pub activation_date: NaiveDate,
    #[serde(default)]
    pub version: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActiveServiceOut {
    pub id: i64,
    pub service: String,
    pub item: String,
    pub quantity: u32,
    /// The day the service was first activated.
    pub activation_date: String,
    /// The day this period (this quantity) starts: the activation or a quantity change.
    pub from_date: String,
    /// Inclusive; null while active.
    pub end_date: Option<String>,
    /// The list that prices it.
    pub price_list_id: i64,
    /// The request that delivered it.
    pub request_id: Option<i64>,
    /// The period this one follows after a quantity change.
    pub previous_id: Option<i64>,
    /// For changes: send it back to be sure nobody changed the service meanwhile.
    pub version: i64,
}

pub(crate) fn service_out(a: ActiveService) -> ActiveServiceOut {
    ActiveServiceOut {
        id: a.id,
        service: a.service,
        item: a.item,
        quantity: a.quantity,
        activation_date: a.activation_date.to_string(),
        from_date: a.from_date.to_string(),
        end_date: a.end_date.map(|d| d.to_string()),
        price_list_id: a.price_list_id,
        request_id: a.request_id,
        previous_id: a.previous_id,
        version: a.version,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveredOut {
    #[serde(flatten)]
    pub request: RequestOut,
    /// The entity's service that now runs.
    pub active_service: ActiveServiceOut,
}

/// Delivers a request (staff): the entity's active service starts on the activation date.
#[utoipa::path(post, path = "/api/v1/activation-requests/{request_id}/deliver", tag = "delivery",
    params(("request_id" = i64, Path, description = "request id")), request_body = DeliverIn,
    security(("bearer" = [])),
    responses((status = 200, body = DeliveredOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn deliver(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(d): ApiJson<DeliverIn>,
) -> Result<Json<DeliveredOut>, ApiError> {
    let (r, a) = store::deliver(&s.db, &user.actor(), id, d.activation_date, d.version).await?;
    Ok(Json(DeliveredOut {
        request: request_out(r, s.clock.today()),
        active_service: service_out(a),
    }))
}

/// Refuses a request not yet delivered (staff), with the reason.
#[utoipa::path(post, path = "/api/v1/activation-requests/{request_id}/refuse", tag = "delivery",
    params(("request_id" = i64, Path, description = "request id")), request_body = RequestChangeIn,
    security(("bearer" = [])),
    responses((status = 200, body = RequestOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn refuse(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    body: Bytes,
) -> Result<Json<RequestOut>, ApiError> {
    let c: RequestChangeIn = optional(&body)?;
    let r = store::refuse(
        &s.db,
        &user.actor(),
        id,
        c.reason.as_deref().unwrap_or(""),
        c.version,
    )
    .await?;
    Ok(Json(request_out(r, s.clock.today())))
}

/// Withdraws a request before delivery starts (the entity's contact, or staff).
#[utoipa::path(post, path = "/api/v1/activation-requests/{request_id}/cancel", tag = "delivery",
    params(("request_id" = i64, Path, description = "request id")), request_body(content = Option<RequestChangeIn>),
    security(("bearer" = [])),
    responses((status = 200, body = RequestOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    body: Bytes,
) -> Result<Json<RequestOut>, ApiError> {
    let c: RequestChangeIn = optional(&body)?;
    let r = store::cancel(
        &s.db,
        &caller.actor(),
        id,
        c.reason.as_deref().unwrap_or(""),
        c.version,
    )
    .await?;
    Ok(Json(request_out(r, s.clock.today())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OnParams {
    /// The day (`YYYY-MM-DD`); today when absent.
    #[serde(default)]
    #[param(value_type = Option<String>, format = Date)]
    pub on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActiveServiceList {
    pub on: String,
    pub items: Vec<ActiveServiceOut>,
}

/// The services an entity had on a day.
#[utoipa::path(get, path = "/api/v1/entities/{id}/services", tag = "delivery",
    params(("id" = i64, Path, description = "entity id"), OnParams), security(("bearer" = [])),
    responses((status = 200, body = ActiveServiceList), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn services(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    RawQuery(raw): RawQuery,
) -> Result<Json<ActiveServiceList>, ApiError> {
    let p: OnParams = query(raw.as_deref())?;
    let day = p.on.unwrap_or_else(|| s.clock.today());
    let items = store::services_on(&s.db, &caller.actor(), id, day)
        .await?
        .into_iter()
        .map(service_out)
        .collect();
    Ok(Json(ActiveServiceList {
        on: day.to_string(),
        items,
    }))
}
