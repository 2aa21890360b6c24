//! `/api/v1/statements/{id}/payments`, `/api/v1/statements/overdue`: what has been paid of an
//! issued statement (partial payments add up) and what is past its due date.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use billing::store::payments::{self, Payment};
use chrono::NaiveDate;
use kernel::Euro;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::api::{statement_out, StatementList, StatementOut};
use crate::api::body::{ApiJson, PathId};
use crate::auth::{ApiStaff, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentIn {
    #[schema(value_type = String, format = Date)]
    pub paid_on: NaiveDate,
    /// Decimal string (`1250.00`).
    pub amount: String,
    /// The bank transfer's reference (CRO/TRN) or the pagoPA receipt.
    #[serde(default)]
    pub reference: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentOut {
    pub id: i64,
    pub statement_id: i64,
    pub paid_on: String,
    pub amount: String,
    pub reference: String,
    pub created_by: String,
    pub created_at: String,
}

fn out(p: Payment) -> PaymentOut {
    PaymentOut {
        id: p.id,
        statement_id: p.statement_id,
        paid_on: p.paid_on.to_string(),
        amount: p.amount.to_decimal_string(),
        reference: p.reference,
        created_by: p.created_by,
        created_at: p.created_at,
    }
}

/// Records a payment of an issued statement (admins); the statement is `paid` once the
/// payments reach what the entity owes the centre.
#[utoipa::path(post, path = "/api/v1/statements/{statement_id}/payments", tag = "billing",
    request_body = PaymentIn, params(("statement_id" = i64, Path, description = "statement id")),
    security(("bearer" = [])),
    responses((status = 201, body = StatementOut), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(p): ApiJson<PaymentIn>,
) -> Result<Response, ApiError> {
    let amount = Euro::parse(&p.amount)
        .map_err(|e| billing::BillingError::field("amount", e.to_string()))?;
    let st = payments::record(
        &s.db,
        &user.actor(),
        id,
        p.paid_on,
        amount,
        p.reference.as_deref().unwrap_or(""),
        s.clock.today(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(statement_out(st))).into_response())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentList {
    pub items: Vec<PaymentOut>,
}

/// The payments of a statement, by date.
#[utoipa::path(get, path = "/api/v1/statements/{statement_id}/payments", tag = "billing",
    params(("statement_id" = i64, Path, description = "statement id")), security(("bearer" = [])),
    responses((status = 200, body = PaymentList), (status = 404, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<PaymentList>, ApiError> {
    let items = payments::of_statement(&s.db, &caller.actor(), id)
        .await?
        .into_iter()
        .map(out)
        .collect();
    Ok(Json(PaymentList { items }))
}

/// Issued statements past their due date and not fully paid, oldest first (staff).
#[utoipa::path(get, path = "/api/v1/statements/overdue", tag = "billing", security(("bearer" = [])),
    responses((status = 200, body = StatementList), (status = 403, body = Problem)))]
pub async fn overdue(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
) -> Result<Json<StatementList>, ApiError> {
    let items = payments::overdue(&s.db, &user.actor(), s.clock.today())
        .await?
        .into_iter()
        .map(statement_out)
        .collect();
    Ok(Json(StatementList { items }))
}
