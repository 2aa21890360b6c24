//! `/api/v1/tickets`: the help desk, and `/api/v1/reports/sla`.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use helpdesk::model::{NewTicket, Priority, State as TicketState};
use helpdesk::store::{self, Assignee, Sort, Ticket, TicketQuery};
use kernel::calendar::rfc3339_rome;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::{ApiJson, PathId};
use crate::api::query;
use crate::auth::{ApiStaff, ApiUser};
use crate::error::{ApiError, Problem, ProblemField};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketOut {
    pub id: i64,
    /// Progressive per year: `2026/000123`.
    pub number: String,
    pub entity_id: i64,
    pub entity_name: String,
    pub subject: String,
    pub description: String,
    pub category: String,
    /// low | medium | high
    pub priority: String,
    /// portal | email | phone | monitoring
    pub channel: String,
    /// new | in_progress | waiting_entity | resolved | closed
    pub state: String,
    /// RFC 3339 with the Rome offset.
    pub received_at: String,
    /// The take-charge deadline: the priority's working hours in the entity's calendar.
    pub take_charge_due_at: String,
    pub taken_at: Option<String>,
    /// Username of the operator who took charge.
    pub taken_by: Option<String>,
    /// Id of the operator the ticket is assigned to.
    pub assigned_to: Option<i64>,
    /// Their name.
    pub assigned_name: Option<String>,
    /// Whether the take-charge was (or, if still open, is so far) within the deadline.
    pub take_charge_met: Option<bool>,
    /// The resolution deadline (when the centre sets one), moved on by the pauses.
    pub resolution_due_at: Option<String>,
    /// Waiting for the entity since then: the resolution clock is paused.
    pub paused_since: Option<String>,
    /// Working seconds paused so far.
    pub paused_seconds: i64,
    pub resolved_at: Option<String>,
    /// Where the ticket's e-mails go (acknowledgement, take-charge, public replies).
    pub requester_email: String,
    /// Received through the Saturday on-call.
    pub on_call: bool,
    /// The last day (YYYY-MM-DD) on which the entity reopens it at no charge.
    pub warranty_until: Option<String>,
    /// Times reopened within the warranty.
    pub reopen_count: i64,
    pub version: i64,
}

pub fn ticket_out(t: Ticket) -> TicketOut {
    let met = match t.taken_at {
        Some(at) => Some(at <= t.take_charge_due_at),
        None if chrono::Utc::now() > t.take_charge_due_at => Some(false),
        None => None,
    };
    TicketOut {
        id: t.id,
        number: t.number,
        entity_id: t.entity_id,
        entity_name: t.entity_name,
        subject: t.subject,
        description: t.description,
        category: t.category,
        priority: t.priority.as_str().into(),
        channel: t.channel.as_str().into(),
        state: t.state.as_str().into(),
        received_at: rfc3339_rome(t.received_at),
        take_charge_due_at: rfc3339_rome(t.take_charge_due_at),
        taken_at: t.taken_at.map(rfc3339_rome),
        taken_by: t.taken_by,
        assigned_to: t.assigned_to,
        assigned_name: t.assigned_name,
        take_charge_met: met,
        resolution_due_at: t.resolution_due_at.map(rfc3339_rome),
        paused_since: t.paused_since.map(rfc3339_rome),
        paused_seconds: t.paused_seconds,
        resolved_at: t.resolved_at.map(rfc3339_rome),
        requester_email: t.requester_email,
        on_call: t.on_call,
        warranty_until: t.warranty_until.map(|d| d.to_string()),
        reopen_count: t.reopen_count,
        version: t.version,
    }
}

/// `{"entity_id": 12, "subject": …, "description": …, "priority": "high", "channel": "phone",
/// "received_at": "2026-11-23T09:12:00+01:00"}`; `received_at` (staff only) defaults to now.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketIn {
    entity_id: i64,
    subject: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    category: String,
    /// low | medium | high (seed 001 §7)
    priority: String,
    /// portal | email | phone | monitoring
    channel: String,
    /// When the request came in (staff logging a call), RFC 3339; at most 30 days back
    /// (settable), never in the future.
    received_at: Option<String>,
    /// Where to send the acknowledgement and the replies (staff; a contact's own address is
    /// used for them).
    requester_email: Option<String>,
    /// Received through the Saturday on-call (8:30–12:30; high priority, BASIC profile or better).
    #[serde(default)]
    on_call: bool,
}

/// Opens a ticket (staff for any entity; a contact for their own).
#[utoipa::path(post, path = "/api/v1/tickets", tag = "helpdesk", request_body = TicketIn,
    security(("bearer" = [])),
    responses((status = 201, body = TicketOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: ApiUser,
    ApiJson(i): ApiJson<TicketIn>,
) -> Result<Response, ApiError> {
    let new = NewTicket {
        entity_id: i.entity_id,
        subject: i.subject,
        description: i.description,
        category: i.category,
        priority: i.priority,
        channel: i.channel,
        received_at: i.received_at,
        requester_email: i.requester_email,
        on_call: i.on_call,
    };
    let t = store::create(&s.db, &caller.actor(), &new, s.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(ticket_out(t))).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TicketParams {
    entity_id: Option<i64>,
    /// new | in_progress | waiting_entity | resolved | closed
    state: Option<String>,
    /// 1–500, default 50.
    limit: Option<i64>,
    offset: Option<i64>,
    /// `true`: the operators' queue — open tickets only, new first (on-call first among them),
    /// then by the entity's support profile, then by take-charge deadline.
    queue: Option<bool>,
    /// `true` (staff): only the tickets assigned to the caller.
    mine: Option<bool>,
    /// Text searched in the number, the subject and the requester's address (at most 100
    /// characters, case-insensitive).
    q: Option<String>,
    /// `true`: only the overdue tickets — new past the take-charge deadline, or in progress
    /// past the resolution deadline.
    overdue: Option<bool>,
    /// high | medium | low
    priority: Option<String>,
    /// Only the tickets assigned to this operator (a user id).
    assigned_to: Option<i64>,
    /// `true`: only the tickets assigned to nobody.
    unassigned: Option<bool>,
    /// queue | number (default, newest first) | received | due | priority | state | entity
    sort: Option<String>,
    /// `true`: the sort's natural direction turned round (oldest first, latest deadline first…).
    reverse: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketList {
    /// Matching tickets, counted up to 1,000.
    pub total: i64,
    /// More than 1,000 match (`total` is then 1,000).
    pub total_is_lower_bound: bool,
    pub items: Vec<TicketOut>,
}

/// The tickets the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "helpdesk", params(TicketParams),
    security(("bearer" = [])), responses((status = 200, body = TicketList), (status = 400, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<TicketList>, ApiError> {
    let p: TicketParams = query(raw.as_deref())?;
    if p.q.as_ref().is_some_and(|t| t.chars().count() > 100) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "parametro «q» non valido: al massimo 100 caratteri",
        ));
    }
    let state = match p.state.as_deref() {
        None | Some("") => None,
        Some(x) => Some(TicketState::parse(x).ok_or_else(|| {
            ApiError::new(StatusCode::BAD_REQUEST, format!("stato «{x}» sconosciuto"))
        })?),
    };
    let priority = match p.priority.as_deref() {
        None | Some("") => None,
        Some(x) => Some(Priority::parse(x).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("priorità «{x}» sconosciuta: high, medium o low"),
            )
        })?),
    };
    let queue = p.queue.unwrap_or(false);
    let sort = match p.sort.as_deref() {
        None | Some("") if queue => Sort::Queue,
        None | Some("") => Sort::Number,
        Some(x) => Sort::parse(x).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!(
                    "ordinamento «{x}» sconosciuto: {}",
                    Sort::ALL.map(Sort::as_str).join(", ")
                ),
            )
        })?,
    };
    let actor = caller.actor();
    let assignee = if p.unassigned.unwrap_or(false) {
        Assignee::Nobody
    } else if p.mine.unwrap_or(false) && actor.is_staff() {
        Assignee::User(actor.user_id)
    } else if let Some(u) = p.assigned_to {
        Assignee::User(u)
    } else {
        Assignee::Anyone
    };
    let page = store::list(
        &s.db,
        &actor,
        &TicketQuery {
            entity_id: p.entity_id,
            state,
            priority,
            open_only: queue,
            assignee,
            limit: p.limit.unwrap_or(50),
            offset: p.offset.unwrap_or(0),
            text: p.q.clone(),
            overdue_at: p.overdue.unwrap_or(false).then(|| s.clock.now()),
            sort,
            reverse: p.reverse.unwrap_or(false),
        },
    )
    .await?;
    Ok(Json(TicketList {
        total: page.total,
        total_is_lower_bound: page.more,
        items: page.items.into_iter().map(ticket_out).collect(),
    }))
}

/// One ticket.
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_id}", tag = "helpdesk",
    params(("ticket_id" = i64, Path, description = "ticket id")), security(("bearer" = [])),
    responses((status = 200, body = TicketOut), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<TicketOut>, ApiError> {
    Ok(Json(ticket_out(
        store::get(&s.db, &caller.actor(), id).await?,
    )))
}

/// An operator takes charge of a new ticket (staff only): the take-charge clock stops.
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_id}/take-charge", tag = "helpdesk",
    params(("ticket_id" = i64, Path, description = "ticket id")), security(("bearer" = [])),
    responses((status = 200, body = TicketOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn take_charge(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
) -> Result<Json<TicketOut>, ApiError> {
    Ok(Json(ticket_out(
        store::take_charge(&s.db, &user.actor(), id, s.clock.now()).await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub id: i64,
    pub author: String,
    /// Internal notes are shown to the centre's staff only.
    pub internal: bool,
    pub body: String,
    pub created_at: String,
    /// Came by e-mail from a sender the receiving mail server could not authenticate.
    pub unverified_sender: bool,
}

fn message_out(m: helpdesk::store::Message) -> MessageOut {
    MessageOut {
        id: m.id,
        author: m.author,
        internal: m.internal,
        body: m.body,
        created_at: rfc3339_rome(m.created_at),
        unverified_sender: m.unverified_sender,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    pub items: Vec<MessageOut>,
}

/// The thread of a ticket (internal notes only for staff), oldest first.
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_id}/messages", tag = "helpdesk",
    params(("ticket_id" = i64, Path, description = "ticket id")), security(("bearer" = [])),
    responses((status = 200, body = MessageList), (status = 404, body = Problem)))]
pub async fn messages(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<MessageList>, ApiError> {
    let items = store::messages(&s.db, &caller.actor(), id)
        .await?
        .into_iter()
        .map(message_out)
        .collect();
    Ok(Json(MessageList { items }))
}

/// `{"body": "…", "internal": false}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageIn {
    body: String,
    /// An internal note (staff only); default false, a public reply.
    #[serde(default)]
    internal: bool,
}

/// Adds a public reply or an internal note. The entity's reply to a ticket waiting for it
/// resumes the work.
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_id}/messages", tag = "helpdesk",
    params(("ticket_id" = i64, Path, description = "ticket id")), request_body = MessageIn,
    security(("bearer" = [])),
    responses((status = 201, body = MessageOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_message(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(m): ApiJson<MessageIn>,
) -> Result<Response, ApiError> {
    let saved = store::add_message(
        &s.db,
        &caller.actor(),
        id,
        &m.body,
        m.internal,
        s.clock.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(message_out(saved))).into_response())
}

/// `{"state": "waiting_entity" | "in_progress" | "resolved" | "closed", "note": "…"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateIn {
    state: String,
    /// The resolution note, required to resolve: it joins the thread as a public reply and is
    /// e-mailed to the requester.
    #[serde(default)]
    note: Option<String>,
}

/// Moves a ticket on (staff only): waiting for the entity pauses the resolution clock;
/// resolving needs a `note` for the requester.
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_id}/state", tag = "helpdesk",
    params(("ticket_id" = i64, Path, description = "ticket id")), request_body = StateIn,
    security(("bearer" = [])),
    responses((status = 200, body = TicketOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_state(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(st): ApiJson<StateIn>,
) -> Result<Json<TicketOut>, ApiError> {
    let to = TicketState::parse(&st.state).ok_or_else(|| {
        crate::api::unprocessable(format!(
            "stato «{}» sconosciuto: waiting_entity, in_progress, resolved o closed",
            st.state
        ))
    })?;
    Ok(Json(ticket_out(
        store::set_state(
            &s.db,
            &user.actor(),
            id,
            to,
            st.note.as_deref(),
            s.clock.now(),
        )
        .await?,
    )))
}

/// `{"priority": "high"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityIn {
    /// low | medium | high
    priority: String,
}

/// Reclassifies a ticket (staff): its deadlines are computed again from when it came in.
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_id}/priority", tag = "helpdesk",
    params(("ticket_id" = i64, Path, description = "ticket id")), request_body = PriorityIn,
    security(("bearer" = [])),
    responses((status = 200, body = TicketOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_priority(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(p): ApiJson<PriorityIn>,
) -> Result<Json<TicketOut>, ApiError> {
    let to = helpdesk::model::Priority::parse(p.priority.trim()).ok_or_else(|| {
        ApiError::fields(vec![ProblemField {
            field: "priority".into(),
            message: "indicare la priorità: low, medium o high".into(),
            line: None,
        }])
    })?;
    Ok(Json(ticket_out(
        store::set_priority(&s.db, &user.actor(), id, to, s.clock.now()).await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignIn {
    /// The operator's user id (an active admin or operator), or `null` for nobody.
    assigned_to: Option<i64>,
}

/// Assigns an open ticket to an operator of the centre, or to nobody (staff). The operator
/// still takes charge of it: assigning does not stop the take-charge clock.
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_id}/assign", tag = "helpdesk",
    params(("ticket_id" = i64, Path, description = "ticket id")), request_body = AssignIn,
    security(("bearer" = [])),
    responses((status = 200, body = TicketOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn assign(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(a): ApiJson<AssignIn>,
) -> Result<Json<TicketOut>, ApiError> {
    Ok(Json(ticket_out(
        store::assign(&s.db, &user.actor(), id, a.assigned_to, s.clock.now()).await?,
    )))
}
