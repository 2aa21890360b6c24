//! `/api/v1/statements`, `/api/v1/entities/{id}/statements`, `/api/v1/billing/settings`: the
//! year's statements. An admin starts a billing run (a background job with progress), reads
//! the totals per service and per entity, and issues each draft (numbered, frozen); the
//! entity's contacts read their issued statements.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use billing::settings::BillingSettings;
use billing::store::runs::{self, Run};
use billing::store::statements::{self, Statement, YearTotals};
use billing::vat::Vat;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::{ApiJson, PathId};
use crate::api::query;
use crate::auth::{ApiAdmin, ApiStaff, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct StatementLineOut {
    /// membership | yearly | one_off | metered | package | overage | work | call_out | project
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub text: String,
    /// Decimal string; negative for an adjustment that gives back.
    pub amount: String,
    /// The API path of what it bills (empty for the membership fee).
    pub source: String,
    /// What it bills, unique per entity and year (`servizio:12:2026`).
    pub key: String,
    /// `22%` or the natura code of what is not taxable.
    pub vat: String,
    /// A difference against what an issued statement already billed.
    pub adjusts: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatementOut {
    pub id: i64,
    pub entity_id: i64,
    pub entity_name: String,
    pub year: i32,
    /// draft | issued | invoiced | paid
    pub state: String,
    pub state_label: &'static str,
    /// `statement`, or `credit_note` when the net is negative.
    pub document: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The sum of the lines.
    pub net: String,
    pub vat: String,
    /// Net plus VAT.
    pub total: String,
    /// What the entity pays the centre (the net under split payment).
    pub payable: String,
    pub paid: String,
    pub split_payment: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cig: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cup: Option<String>,
    pub version: i64,
    pub lines: Vec<StatementLineOut>,
}

fn vat_text(v: &Vat) -> String {
    match v {
        Vat::Rate { .. } => v.label(),
        Vat::Exempt { natura, .. } => natura.clone(),
    }
}

pub(crate) fn statement_out(s: Statement) -> StatementOut {
    StatementOut {
        id: s.id,
        entity_id: s.entity_id,
        year: s.year,
        state_label: s.state_label(),
        document: if s.is_credit() {
            "credit_note"
        } else {
            "statement"
        },
        number: s.number.clone(),
        net: s.net.to_decimal_string(),
        vat: s.vat.to_decimal_string(),
        total: s.total.to_decimal_string(),
        payable: s.payable.to_decimal_string(),
        paid: s.paid.to_decimal_string(),
        split_payment: s.split_payment,
        issued_on: s.issued_on.map(|d| d.to_string()),
        due_on: s.due_on.map(|d| d.to_string()),
        cig: s.cig.clone(),
        cup: s.cup.clone(),
        version: s.version,
        lines: s
            .lines
            .iter()
            .map(|l| StatementLineOut {
                kind: l.kind.code(),
                kind_label: l.kind.label(),
                text: l.text.clone(),
                amount: l.amount.to_decimal_string(),
                source: l.source.clone(),
                key: l.key.clone(),
                vat: vat_text(&l.vat),
                adjusts: l.adjusts,
            })
            .collect(),
        entity_name: s.entity_name,
        state: s.state,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementRunIn {
    pub year: i64,
    /// Some entities only; absent: every entity with an agreement in force during the year.
    #[serde(default)]
    pub entity_ids: Option<Vec<i64>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatementRunOut {
    pub run_id: i64,
    pub year: i32,
    /// queued | running | done | failed
    pub state: String,
    /// Entities done and to do.
    pub done: i64,
    pub total: i64,
    /// Lines written to drafts.
    pub lines_added: i64,
    /// Entities left out, and why (fixed, the next run bills them).
    pub problems: Vec<StatementRunProblem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub created_by: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatementRunProblem {
    pub entity_id: i64,
    pub entity_name: String,
    pub message: String,
}

pub(crate) fn run_out(r: Run) -> StatementRunOut {
    StatementRunOut {
        run_id: r.id,
        year: r.year,
        state: r.state,
        done: r.done,
        total: r.total,
        lines_added: r.lines_added,
        problems: r
            .problems
            .into_iter()
            .map(|p| StatementRunProblem {
                entity_id: p.entity_id,
                entity_name: p.entity_name,
                message: p.message,
            })
            .collect(),
        error: r.error,
        created_by: r.created_by,
        created_at: r.created_at,
        finished_at: r.finished_at,
    }
}

/// Starts the year's billing run in the background (admins): every entity with an agreement
/// in force during the year, or the ones given. Running again adds only what is new.
#[utoipa::path(post, path = "/api/v1/statements/run", tag = "billing", request_body = StatementRunIn,
    security(("bearer" = [])),
    responses((status = 202, body = StatementRunOut), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn run(
    State(s): State<AppState>,
    ApiAdmin(user): ApiAdmin,
    ApiJson(p): ApiJson<StatementRunIn>,
) -> Result<Response, ApiError> {
    let r = runs::start(&s.db, &user.actor(), p.year, p.entity_ids).await?;
    Ok((StatusCode::ACCEPTED, Json(run_out(r))).into_response())
}

/// A billing run's progress (staff).
#[utoipa::path(get, path = "/api/v1/statements/runs/{run_id}", tag = "billing",
    params(("run_id" = i64, Path, description = "run id")), security(("bearer" = [])),
    responses((status = 200, body = StatementRunOut), (status = 404, body = Problem)))]
pub async fn run_status(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
) -> Result<Json<StatementRunOut>, ApiError> {
    Ok(Json(run_out(runs::get(&s.db, &user.actor(), id).await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct YearParams {
    /// The calendar year (all years when absent, where allowed).
    #[serde(default)]
    pub year: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatementList {
    pub items: Vec<StatementOut>,
}

/// An entity's statements, for a year or all years, newest first. Contacts see issued ones.
#[utoipa::path(get, path = "/api/v1/entities/{id}/statements", tag = "billing",
    params(("id" = i64, Path, description = "entity id"), YearParams), security(("bearer" = [])),
    responses((status = 200, body = StatementList), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn of_entity(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    RawQuery(raw): RawQuery,
) -> Result<Json<StatementList>, ApiError> {
    let p: YearParams = query(raw.as_deref())?;
    let year = p.year.map(catalog::store::check_year).transpose()?;
    let items = statements::of_entity(&s.db, &caller.actor(), id, year)
        .await?
        .into_iter()
        .map(statement_out)
        .collect();
    Ok(Json(StatementList { items }))
}

/// One statement with its lines.
#[utoipa::path(get, path = "/api/v1/statements/{statement_id}", tag = "billing",
    params(("statement_id" = i64, Path, description = "statement id")), security(("bearer" = [])),
    responses((status = 200, body = StatementOut), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<StatementOut>, ApiError> {
    Ok(Json(statement_out(
        statements::get(&s.db, &caller.actor(), id).await?,
    )))
}

/// Issues a draft (admins): numbered in its year, dated today, due by the centre's payment
/// terms, and never changed again (a later change is an adjustment in a new statement).
#[utoipa::path(post, path = "/api/v1/statements/{statement_id}/issue", tag = "billing",
    params(("statement_id" = i64, Path, description = "statement id")), security(("bearer" = [])),
    responses((status = 200, body = StatementOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn issue(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
) -> Result<Json<StatementOut>, ApiError> {
    Ok(Json(statement_out(
        statements::issue(&s.db, &user.actor(), id, s.clock.today()).await?,
    )))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceTotalOut {
    /// The service code, or the kind of line for what has none (work, projects, fee).
    pub service: String,
    pub draft: String,
    pub issued: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EntityTotalOut {
    pub entity_id: i64,
    pub entity_name: String,
    pub draft: String,
    pub issued: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct YearTotalsOut {
    pub year: i32,
    pub drafts: i64,
    pub issued: i64,
    pub draft_net: String,
    pub issued_net: String,
    pub by_service: Vec<ServiceTotalOut>,
    pub by_entity: Vec<EntityTotalOut>,
}

pub(crate) fn totals_out(t: YearTotals) -> YearTotalsOut {
    YearTotalsOut {
        year: t.year,
        drafts: t.drafts,
        issued: t.issued,
        draft_net: t.draft_net.to_decimal_string(),
        issued_net: t.issued_net.to_decimal_string(),
        by_service: t
            .by_service
            .into_iter()
            .map(|(service, d, i)| ServiceTotalOut {
                service,
                draft: d.to_decimal_string(),
                issued: i.to_decimal_string(),
            })
            .collect(),
        by_entity: t
            .by_entity
            .into_iter()
            .map(|(entity_id, entity_name, d, i)| EntityTotalOut {
                entity_id,
                entity_name,
                draft: d.to_decimal_string(),
                issued: i.to_decimal_string(),
            })
            .collect(),
    }
}

/// The year's totals per service and per entity, drafts and issued apart (staff).
#[utoipa::path(get, path = "/api/v1/statements/totals", tag = "billing", params(YearParams),
    security(("bearer" = [])),
    responses((status = 200, body = YearTotalsOut), (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn totals(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    RawQuery(raw): RawQuery,
) -> Result<Json<YearTotalsOut>, ApiError> {
    let p: YearParams = query(raw.as_deref())?;
    let year = catalog::store::check_year(p.year.unwrap_or(i64::from(s.clock.today().year())))?;
    Ok(Json(totals_out(
        statements::year_totals(&s.db, &user.actor(), year).await?,
    )))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingSettingsDoc {
    pub settings: BillingSettings,
    /// The version read; a stale one is refused (409). Absent on the first save.
    #[serde(default)]
    pub version: Option<i64>,
}

/// The centre's billing settings (admins): its fiscal data, VAT per item, payment terms.
#[utoipa::path(get, path = "/api/v1/billing/settings", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = BillingSettingsDoc), (status = 403, body = Problem)))]
pub async fn get_settings(
    State(s): State<AppState>,
    ApiAdmin(_user): ApiAdmin,
) -> Result<Json<BillingSettingsDoc>, ApiError> {
    let (settings, version) = match billing::store::stored_settings(&s.db).await? {
        Some((st, v)) => (st, Some(v)),
        None => (BillingSettings::default(), None),
    };
    Ok(Json(BillingSettingsDoc { settings, version }))
}

/// Stores the billing settings (admins), checked whole: a wrong field refuses everything.
#[utoipa::path(put, path = "/api/v1/billing/settings", tag = "billing", request_body = BillingSettingsDoc,
    security(("bearer" = [])),
    responses((status = 200, body = BillingSettingsDoc), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn put_settings(
    State(s): State<AppState>,
    ApiAdmin(user): ApiAdmin,
    ApiJson(p): ApiJson<BillingSettingsDoc>,
) -> Result<Json<BillingSettingsDoc>, ApiError> {
    let (settings, version) =
        billing::store::put_settings(&s.db, &user.actor(), &p.settings, p.version).await?;
    Ok(Json(BillingSettingsDoc {
        settings,
        version: Some(version),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementReferencesIn {
    /// 10 characters; blank clears it.
    #[serde(default)]
    pub cig: Option<String>,
    /// 15 characters; blank clears it.
    #[serde(default)]
    pub cup: Option<String>,
    /// The pagoPA notice code, 18 digits; blank clears it.
    #[serde(default)]
    pub notice_code: Option<String>,
}

/// Sets a statement's CIG, CUP and pagoPA notice code (admins), before its e-invoice.
#[utoipa::path(patch, path = "/api/v1/statements/{statement_id}", tag = "billing",
    request_body = StatementReferencesIn,
    params(("statement_id" = i64, Path, description = "statement id")), security(("bearer" = [])),
    responses((status = 200, body = StatementOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn patch(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(r): ApiJson<StatementReferencesIn>,
) -> Result<Json<StatementOut>, ApiError> {
    Ok(Json(statement_out(
        statements::set_references(
            &s.db,
            &user.actor(),
            id,
            &statements::References {
                cig: r.cig,
                cup: r.cup,
                notice_code: r.notice_code,
            },
        )
        .await?,
    )))
}
