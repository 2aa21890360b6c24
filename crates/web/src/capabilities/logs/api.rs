//! `/api/v1/entities/{id}/log-sources`, `…/logs`, `…/access-events`, `/api/v1/log-quarantine`,
//! `/api/v1/logs/status`.

use std::sync::atomic::Ordering;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use logs::store::query::{self, AccessLine, LogLine, QuarantinedPeer, Seen};
use logs::{LogsError, Source, SourceDraft};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::{ApiJson, PathId};
use crate::api::query as read_query;
use crate::auth::{ApiStaff, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceIn {
    /// What the source is: "Firewall sede", "Server posta".
    pub name: String,
    /// The address or network its messages come from: `10.1.2.3`, `10.1.0.0/24`.
    #[serde(default)]
    pub address: Option<String>,
    /// Or the SHA-256 fingerprint (hex) of the TLS client certificate it presents.
    #[serde(default)]
    pub fingerprint: Option<String>,
    /// Time zone of its RFC 3164 timestamps (default `Europe/Rome`).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Minutes of silence after which an alert is raised (5 to 44,640); none: no alert.
    #[serde(default)]
    pub expected_minutes: Option<i64>,
    /// Also open a help-desk ticket when it falls silent.
    #[serde(default)]
    pub ticket_on_silence: Option<bool>,
    /// An instance of cst at the entity that forwards its own log store here: no address, a
    /// token instead (in the answer, once).
    #[serde(default)]
    pub relay: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceOut {
    #[serde(flatten)]
    pub source: Source,
    /// Messages waiting in quarantine from its address, now assigned to it.
    pub assigned: u64,
    /// For a relay source: the token its instance presents (`--syslog-forward-token`), shown
    /// this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay_token: Option<String>,
}

/// Registers a source of the entity's syslog messages (staff). Messages from its address
/// already waiting in quarantine move to the entity.
#[utoipa::path(post, path = "/api/v1/entities/{id}/log-sources", tag = "logs", request_body = SourceIn,
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 201, body = SourceOut), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_source(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(b): ApiJson<SourceIn>,
) -> Result<Response, ApiError> {
    let draft = SourceDraft {
        name: b.name,
        address: b.address,
        fingerprint: b.fingerprint,
        time_zone: b.time_zone,
        expected_minutes: b.expected_minutes,
        ticket_on_silence: b.ticket_on_silence.unwrap_or(false),
        relay: b.relay.unwrap_or(false),
    };
    let (source, relay_token) = logs::sources::create(&s.db, &user.actor(), id, &draft).await?;
    s.logs.refresh_sources(&s.db).await;
    let network = source.address.as_deref().and_then(|a| a.parse().ok());
    let assigned = match network {
        Some(n) => query::assign_quarantine(&s.logs.store, &n, id, source.id).await?,
        None => 0,
    };
    Ok((
        StatusCode::CREATED,
        Json(SourceOut {
            source,
            assigned,
            relay_token,
        }),
    )
        .into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceList {
    pub items: Vec<Source>,
    /// When each source last sent something, and how many messages.
    pub seen: Vec<Seen>,
}

/// The entity's log sources.
#[utoipa::path(get, path = "/api/v1/entities/{id}/log-sources", tag = "logs",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = SourceList), (status = 404, body = Problem)))]
pub async fn sources(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<SourceList>, ApiError> {
    let items = logs::sources::of_entity(&s.db, &caller.actor(), id).await?;
    let seen = query::seen(&s.logs.store, id).await?;
    Ok(Json(SourceList { items, seen }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LogParams {
    /// From this date (`2026-12-01`, a day in Rome) or instant (RFC 3339).
    #[serde(default)]
    pub from: Option<String>,
    /// To this date (included) or instant (excluded).
    #[serde(default)]
    pub to: Option<String>,
    /// Text the raw message contains (case-sensitive).
    #[serde(default)]
    pub q: Option<String>,
    /// The host name the message states.
    #[serde(default)]
    pub host: Option<String>,
    /// 1 to 500 (default 100).
    #[serde(default)]
    pub limit: Option<i64>,
    #[serde(default)]
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogPage {
    pub items: Vec<LogLine>,
    /// Messages matching the filters.
    pub total: i64,
}

fn window(from: Option<&str>, to: Option<&str>) -> Result<(Option<i64>, Option<i64>), ApiError> {
    logs::model::window(from, to).map_err(|e| LogsError::Invalid(e).into())
}

fn text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// The entity's messages, newest first, with how many match.
#[utoipa::path(get, path = "/api/v1/entities/{id}/logs", tag = "logs",
    params(("id" = i64, Path, description = "entity id"), LogParams), security(("bearer" = [])),
    responses((status = 200, body = LogPage), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn messages(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    RawQuery(raw): RawQuery,
) -> Result<Json<LogPage>, ApiError> {
    logs::sources::may_review(&s.db, &caller.actor(), id).await?;
    let p: LogParams = read_query(raw.as_deref())?;
    let (from, to) = window(p.from.as_deref(), p.to.as_deref())?;
    let f = query::LogFilter {
        entity_id: id,
        from,
        to,
        q: text(p.q),
        host: text(p.host),
        limit: p.limit.unwrap_or(100),
        offset: p.offset.unwrap_or(0),
    };
    let (items, total) = query::messages(&s.logs.store, &f).await?;
    Ok(Json(LogPage { items, total }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AccessParams {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// The account, exactly as the system names it.
    #[serde(default)]
    pub user: Option<String>,
    /// Only the accounts of this named administrator (its id).
    #[serde(default)]
    pub admin: Option<i64>,
    /// `true`: only the accounts of the entity's named administrators.
    #[serde(default)]
    pub admins: Option<bool>,
    /// The system accessed.
    #[serde(default)]
    pub host: Option<String>,
    /// `success` or `failure`.
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
    #[serde(default)]
    pub offset: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessPage {
    pub items: Vec<AccessLine>,
    pub total: i64,
}

/// The access events read out of the entity's messages (logins, logouts, sessions, privilege
/// use), newest first.
#[utoipa::path(get, path = "/api/v1/entities/{id}/access-events", tag = "logs",
    params(("id" = i64, Path, description = "entity id"), AccessParams), security(("bearer" = [])),
    responses((status = 200, body = AccessPage), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn access_events(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    RawQuery(raw): RawQuery,
) -> Result<Json<AccessPage>, ApiError> {
    logs::sources::may_review(&s.db, &caller.actor(), id).await?;
    let p: AccessParams = read_query(raw.as_deref())?;
    let (from, to) = window(p.from.as_deref(), p.to.as_deref())?;
    let outcome = text(p.outcome);
    if let Some(o) = &outcome {
        if o != "success" && o != "failure" {
            return Err(
                LogsError::field("outcome", "«success» (riuscito) o «failure» (fallito)").into(),
            );
        }
    }
    let accounts = admin_accounts(&s, id, p.admin, p.admins.unwrap_or(false)).await?;
    if accounts.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Json(AccessPage {
            items: Vec::new(),
            total: 0,
        }));
    }
    let f = query::AccessFilter {
        entity_id: id,
        from,
        to,
        user: text(p.user),
        accounts: accounts.unwrap_or_default(),
        host: text(p.host),
        outcome,
        limit: p.limit.unwrap_or(100),
        offset: p.offset.unwrap_or(0),
    };
    let (items, total) = query::access_events(&s.logs.store, &f).await?;
    Ok(Json(AccessPage { items, total }))
}

/// The accounts to keep for `admin` (one administrator) or `admins` (all of them): None when
/// neither is asked; an unknown administrator is a wrong field.
pub async fn admin_accounts(
    s: &AppState,
    entity_id: i64,
    admin: Option<i64>,
    all: bool,
) -> Result<Option<Vec<String>>, ApiError> {
    if admin.is_none() && !all {
        return Ok(None);
    }
    let list = logs::review::admins(&s.db, entity_id).await?;
    match admin {
        Some(a) => match list.into_iter().find(|x| x.id == a) {
            Some(x) => Ok(Some(x.accounts)),
            None => Err(LogsError::field("admin", "non è un amministratore di questo ente").into()),
        },
        None => Ok(Some(list.into_iter().flat_map(|a| a.accounts).collect())),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuarantineList {
    pub items: Vec<QuarantinedPeer>,
}

/// Messages from addresses no source is registered for, by address (staff): register a
/// source for the address to assign them.
#[utoipa::path(get, path = "/api/v1/log-quarantine", tag = "logs", security(("bearer" = [])),
    responses((status = 200, body = QuarantineList), (status = 403, body = Problem)))]
pub async fn quarantine(
    State(s): State<AppState>,
    ApiStaff(_): ApiStaff,
) -> Result<Json<QuarantineList>, ApiError> {
    Ok(Json(QuarantineList {
        items: query::quarantine(&s.logs.store).await?,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogStatus {
    /// Whether this process runs syslog receivers.
    pub receiving: bool,
    /// Frames read off the sockets by this process since it started.
    pub received: u64,
    /// Messages committed to the store: what counts as received.
    pub committed: u64,
    pub batches: u64,
    pub quarantined: u64,
    pub access_events: u64,
    /// Gaps found in senders' sequence numbers.
    pub sequence_gaps: u64,
    /// Over-long messages cut to 64 KiB.
    pub truncated: u64,
    /// Connections closed for a broken octet count.
    pub framing_errors: u64,
    pub tls_failures: u64,
    /// Datagrams the kernel dropped on the UDP socket (its buffer was full).
    pub udp_dropped: u64,
    /// Failed commits (each retried, nothing dropped).
    pub write_errors: u64,
    pub connections: i64,
    pub last_commit_at: Option<String>,
}

/// The receivers' counters in this process.
#[utoipa::path(get, path = "/api/v1/logs/status", tag = "logs", security(("bearer" = [])),
    responses((status = 200, body = LogStatus), (status = 403, body = Problem)))]
pub async fn status(
    State(s): State<AppState>,
    ApiStaff(_): ApiStaff,
) -> Result<Json<LogStatus>, ApiError> {
    Ok(Json(status_of(&s)))
}

pub fn status_of(s: &AppState) -> LogStatus {
    let Some(i) = &s.logs.ingest else {
        return LogStatus {
            receiving: false,
            received: 0,
            committed: 0,
            batches: 0,
            quarantined: 0,
            access_events: 0,
            sequence_gaps: 0,
            truncated: 0,
            framing_errors: 0,
            tls_failures: 0,
            udp_dropped: 0,
            write_errors: 0,
            connections: 0,
            last_commit_at: None,
        };
    };
    let st = &i.stats;
    let last = st.last_commit.load(Ordering::Relaxed);
    LogStatus {
        receiving: true,
        received: st.received.load(Ordering::Relaxed),
        committed: st.committed.load(Ordering::Relaxed),
        batches: st.batches.load(Ordering::Relaxed),
        quarantined: st.quarantined.load(Ordering::Relaxed),
        access_events: st.access_events.load(Ordering::Relaxed),
        sequence_gaps: st.gaps.load(Ordering::Relaxed),
        truncated: st.truncated.load(Ordering::Relaxed),
        framing_errors: st.framing_errors.load(Ordering::Relaxed),
        tls_failures: st.tls_failures.load(Ordering::Relaxed),
        udp_dropped: st.udp_kernel_drops(),
        write_errors: st.write_errors.load(Ordering::Relaxed),
        connections: st.connections.load(Ordering::Relaxed),
        last_commit_at: (last > 0).then(|| logs::store::instant(last)),
    }
}

/// Messages forwarded by an instance of cst at an entity (`cst serve --syslog-forward`),
/// authenticated by its relay source's token; answered once committed, with the last message
/// id held, so the instance moves its cursor only then.
#[utoipa::path(post, path = "/api/v1/log-relay", tag = "logs", request_body = logs::relay::RelayBatch,
    security(("bearer" = [])),
    responses((status = 200, body = logs::relay::RelayAck), (status = 401, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn relay(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiJson(b): ApiJson<logs::relay::RelayBatch>,
) -> Result<Json<logs::relay::RelayAck>, ApiError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let Some(source) = logs::relay::source_of(&s.db, token).await? else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "token di inoltro dei log mancante o sconosciuto",
        )
        .with_code("log_relay_token"));
    };
    let Some(ingest) = &s.logs.ingest else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "questo centro non riceve log: avviarlo con --syslog-tcp o --syslog-udp",
        )
        .with_code("log_relay_unavailable"));
    };
    Ok(Json(
        logs::relay::accept(&s.logs.store, ingest, &source, &b).await?,
    ))
}
