//! `/api/v1/statements/{id}/invoice`, `/api/v1/invoices`: FatturaPA e-invoices of issued
//! statements (validated against the official schema before they are stored), their XML, a
//! year's files to send as one ZIP, and SdI's receipts that move their state.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use billing::store::invoices::{self, Invoice};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::PathId;
use crate::api::query;
use crate::auth::{ApiAdmin, ApiStaff, ApiUser, PageStaff, PageUser};
use crate::error::{ApiError, PageError, Problem};
use crate::pages::parse_id;
use crate::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceEventOut {
    /// RC | NS | MC | NE | DT | AT
    pub kind: String,
    /// What the receipt said: errors (NS), the outcome (NE), descriptions.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub received_at: String,
    pub created_by: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceOut {
    pub id: i64,
    pub statement_id: i64,
    pub entity_id: i64,
    /// `IT<fiscal code>_<progressive>.xml`; the progressive is never used again.
    pub file_name: String,
    /// TD01 (invoice) | TD04 (credit note)
    pub document_kind: String,
    /// ready | delivered | rejected | not_delivered | accepted | refused | expired | certified
    pub state: String,
    pub state_label: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sdi_id: Option<String>,
    pub created_by: String,
    pub created_at: String,
    pub events: Vec<InvoiceEventOut>,
}

pub(crate) fn invoice_out(i: Invoice) -> InvoiceOut {
    InvoiceOut {
        state_label: invoices::state_label(&i.state),
        id: i.id,
        statement_id: i.statement_id,
        entity_id: i.entity_id,
        file_name: i.file_name,
        document_kind: i.document_kind,
        state: i.state,
        sdi_id: i.sdi_id,
        created_by: i.created_by,
        created_at: i.created_at,
        events: i
            .events
            .into_iter()
            .map(|e| InvoiceEventOut {
                kind: e.kind,
                detail: e.detail,
                received_at: e.received_at,
                created_by: e.created_by,
            })
            .collect(),
    }
}

/// Makes the FatturaPA e-invoice of an issued statement (admins): TD01, or TD04 for a credit
/// note; refused with the reason when the entity lacks its office code (or the centre its
/// data), or when a live invoice exists (a new file only after a rejection or a refusal).
#[utoipa::path(post, path = "/api/v1/statements/{statement_id}/invoice", tag = "billing",
    params(("statement_id" = i64, Path, description = "statement id")), security(("bearer" = [])),
    responses((status = 201, body = InvoiceOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let inv = invoices::create(&s.db, &user.actor(), id, s.clock.today()).await?;
    Ok((StatusCode::CREATED, Json(invoice_out(inv))).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceList {
    pub items: Vec<InvoiceOut>,
}

/// The e-invoices of a statement, oldest first (a resend after a rejection is a new one).
#[utoipa::path(get, path = "/api/v1/statements/{statement_id}/invoices", tag = "billing",
    params(("statement_id" = i64, Path, description = "statement id")), security(("bearer" = [])),
    responses((status = 200, body = InvoiceList), (status = 404, body = Problem)))]
pub async fn of_statement(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<InvoiceList>, ApiError> {
    let items = invoices::of_statement(&s.db, &caller.actor(), id)
        .await?
        .into_iter()
        .map(invoice_out)
        .collect();
    Ok(Json(InvoiceList { items }))
}

/// An e-invoice with what SdI said of it.
#[utoipa::path(get, path = "/api/v1/invoices/{invoice_id}", tag = "billing",
    params(("invoice_id" = i64, Path, description = "invoice id")), security(("bearer" = [])),
    responses((status = 200, body = InvoiceOut), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<InvoiceOut>, ApiError> {
    Ok(Json(invoice_out(
        invoices::get(&s.db, &caller.actor(), id).await?,
    )))
}

async fn xml_file(s: &AppState, actor: &kernel::Actor, id: i64) -> Result<Response, ApiError> {
    let (name, xml) = invoices::xml(&s.db, actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/xml".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        xml,
    )
        .into_response())
}

/// The e-invoice's XML file, as stored (validated against FPA12 1.2.3).
#[utoipa::path(get, path = "/api/v1/invoices/{invoice_id}/xml", tag = "billing",
    params(("invoice_id" = i64, Path, description = "invoice id")), security(("bearer" = [])),
    responses((status = 200, description = "FatturaPA XML", content_type = "application/xml"), (status = 404, body = Problem)))]
pub async fn xml(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    xml_file(&s, &caller.actor(), id).await
}

/// `/invoices/{invoice_id}/xml` (pages).
pub async fn page_xml(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    Ok(xml_file(&s, &sess.actor(), parse_id(&id)?).await?)
}

/// Imports an SdI receipt (admins; the XML file as the body): RC delivered, NS rejected with
/// its error codes, MC not delivered, NE accepted or refused, DT terms elapsed, AT certified.
#[utoipa::path(post, path = "/api/v1/invoices/receipts", tag = "billing",
    request_body(content = String, content_type = "application/xml"), security(("bearer" = [])),
    responses((status = 200, body = InvoiceOut), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn receipt(
    State(s): State<AppState>,
    ApiAdmin(user): ApiAdmin,
    body: Bytes,
) -> Result<Json<InvoiceOut>, ApiError> {
    Ok(Json(invoice_out(
        invoices::receipt(&s.db, &user.actor(), &body).await?,
    )))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ZipParams {
    /// The statements' year.
    pub year: i64,
}

async fn zip_file(s: &AppState, actor: &kernel::Actor, year: i32) -> Result<Response, ApiError> {
    match invoices::zip_ready(&s.db, actor, year).await? {
        Some(bytes) => Ok((
            [
                (header::CONTENT_TYPE, "application/zip".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"fatture-{year}.zip\""),
                ),
            ],
            bytes,
        )
            .into_response()),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("nessuna fattura del {year} pronta per l'invio"),
        )),
    }
}

/// The year's e-invoices ready to send, as one ZIP for the centre's intermediary or PEC.
#[utoipa::path(get, path = "/api/v1/invoices/zip", tag = "billing", params(ZipParams),
    security(("bearer" = [])),
    responses((status = 200, description = "ZIP of XML files", content_type = "application/zip"), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn zip(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p: ZipParams = query(raw.as_deref())?;
    let year = catalog::store::check_year(p.year)?;
    zip_file(&s, &user.actor(), year).await
}

/// `/invoices/fatture.zip?anno=` (pages, staff).
pub async fn page_zip(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let year = form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "anno")
        .and_then(|(_, v)| v.trim().parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| chrono::Datelike::year(&s.clock.today()));
    Ok(zip_file(&s, &sess.actor(), year).await?)
}
