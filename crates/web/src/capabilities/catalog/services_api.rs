//! The service catalogue, price lists and price quotes.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use catalog::fees::{self, PriceItem, PriceList};
use catalog::service::{Category, DeliveryTime, ServiceCard};
use catalog::store::{price_lists, quotes, services};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::{ApiJson, PathId};
use crate::api::{query, unprocessable};
use crate::auth::{ApiAdmin, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

/// A service item of the price list, with each component in words.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeeItemOut {
    pub code: String,
    pub label: String,
    /// Each component in Italian, e.g. "€ 265,00 per utente una tantum".
    pub summary: Vec<String>,
    /// The components as data (see `PUT /api/v1/price-lists/{list_id}`).
    pub components: Vec<fees::Component>,
}

fn items_out<'a>(items: impl Iterator<Item = &'a PriceItem>) -> Vec<FeeItemOut> {
    items
        .map(|i| FeeItemOut {
            code: i.code.clone(),
            label: i.label.clone(),
            summary: i
                .components
                .iter()
                .map(|c| format!("{}: {}", c.label, fees::describe(c)))
                .collect(),
            components: i.components.clone(),
        })
        .collect()
}

/// A catalogue service: its card, and its fees in the price list valid on the date asked.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceOut {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// base | intermediate | advanced
    pub category: String,
    pub description: String,
    /// How it is requested.
    pub request: String,
    /// How it is delivered.
    pub delivery: String,
    pub included: String,
    pub excluded: String,
    /// `{"days": 7, "kind": "working" | "calendar"}` or null.
    #[schema(value_type = Option<Object>)]
    pub delivery_time: Option<catalog::service::DeliveryTime>,
    pub prerequisites: String,
    pub active: bool,
    pub version: i64,
    /// The price list the fees come from (null when none is valid on the date).
    pub price_list_id: Option<i64>,
    pub fees: Vec<FeeItemOut>,
}

fn service_out(s: services::Service, list: Option<&price_lists::StoredPriceList>) -> ServiceOut {
    let fees = list.map_or_else(Vec::new, |l| items_out(l.list.items_of(&s.card.code)));
    let c = s.card;
    ServiceOut {
        id: s.id,
        code: c.code,
        name: c.name,
        category: c.category.as_str().into(),
        description: c.description,
        request: c.request,
        delivery: c.delivery,
        included: c.included,
        excluded: c.excluded,
        delivery_time: c.delivery_time,
        prerequisites: c.prerequisites,
        active: c.active,
        version: s.version,
        price_list_id: list.map(|l| l.id),
        fees,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ServiceParams {
    /// The date whose price list gives the fees (YYYY-MM-DD, default today).
    #[param(value_type = Option<String>)]
    date: Option<NaiveDate>,
    /// Include services no longer active (default false).
    include_inactive: Option<bool>,
}

async fn list_on(
    s: &AppState,
    date: Option<NaiveDate>,
) -> Result<Option<price_lists::StoredPriceList>, ApiError> {
    match price_lists::on(&s.db, date.unwrap_or_else(kernel::time::today)).await {
        Ok(l) => Ok(Some(l)),
        Err(catalog::CatalogError::NoPriceListOn(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceList {
    pub items: Vec<ServiceOut>,
}

/// The service catalogue, with each service's fees.
#[utoipa::path(get, path = "/api/v1/services", tag = "catalog", params(ServiceParams),
    security(("bearer" = [])), responses((status = 200, body = ServiceList)))]
pub async fn list(
    State(s): State<AppState>,
    _: ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<ServiceList>, ApiError> {
    let p: ServiceParams = query(raw.as_deref())?;
    let list = list_on(&s, p.date).await?;
    let items = services::list(&s.db, p.include_inactive.unwrap_or(false))
        .await?
        .into_iter()
        .map(|svc| service_out(svc, list.as_ref()))
        .collect();
    Ok(Json(ServiceList { items }))
}

/// One service: its card and fees.
#[utoipa::path(get, path = "/api/v1/services/{code}", tag = "catalog",
    params(("code" = String, Path, description = "service code, e.g. PD09"), ServiceParams),
    security(("bearer" = [])),
    responses((status = 200, body = ServiceOut), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    _: ApiUser,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<ServiceOut>, ApiError> {
    let p: ServiceParams = query(raw.as_deref())?;
    let svc = services::get(&s.db, &code).await?;
    let list = list_on(&s, p.date).await?;
    Ok(Json(service_out(svc, list.as_ref())))
}

/// A service card; `code` comes from the path (if sent, it must be the same). `version`
/// (optional) guards concurrent edits.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceIn {
    code: Option<String>,
    name: String,
    category: Category,
    description: String,
    /// How it is requested.
    #[serde(default)]
    request: String,
    /// How it is delivered.
    #[serde(default)]
    delivery: String,
    #[serde(default)]
    included: String,
    #[serde(default)]
    excluded: String,
    delivery_time: Option<DeliveryTime>,
    #[serde(default)]
    prerequisites: String,
    /// Offered to entities (default true).
    active: Option<bool>,
    version: Option<i64>,
}

/// Creates or replaces a service card (admins only).
#[utoipa::path(put, path = "/api/v1/services/{code}", tag = "catalog",
    params(("code" = String, Path, description = "service code, e.g. PD09")), request_body = ServiceIn,
    security(("bearer" = [])),
    responses((status = 200, body = ServiceOut), (status = 201, body = ServiceOut),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn put(
    State(s): State<AppState>,
    ApiAdmin(user): ApiAdmin,
    Path(code): Path<String>,
    ApiJson(i): ApiJson<ServiceIn>,
) -> Result<Response, ApiError> {
    if i.code.as_ref().is_some_and(|c| *c != code) {
        return Err(unprocessable("code: il codice è quello dell'indirizzo"));
    }
    let card = ServiceCard {
        code,
        name: i.name,
        category: i.category,
        description: i.description,
        request: i.request,
        delivery: i.delivery,
        included: i.included,
        excluded: i.excluded,
        delivery_time: i.delivery_time,
        prerequisites: i.prerequisites,
        active: i.active.unwrap_or(true),
    };
    let (svc, created) = services::put(&s.db, &user.actor(), &card, i.version).await?;
    let list = list_on(&s, None).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(service_out(svc, list.as_ref()))).into_response())
}

/// A price list without its items.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceListSummaryOut {
    pub id: i64,
    pub name: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// Quotes (and statements) computed from it; a used list cannot be edited.
    pub uses: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceListsOut {
    pub items: Vec<PriceListSummaryOut>,
}

/// The price lists, latest first.
#[utoipa::path(get, path = "/api/v1/price-lists", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = PriceListsOut)))]
pub async fn price_lists_list(
    State(s): State<AppState>,
    _: ApiUser,
) -> Result<Json<PriceListsOut>, ApiError> {
    let items = price_lists::summaries(&s.db)
        .await?
        .into_iter()
        .map(|l| PriceListSummaryOut {
            id: l.id,
            name: l.name,
            valid_from: l.valid_from.to_string(),
            valid_to: l.valid_to.map(|d| d.to_string()),
            uses: l.uses,
        })
        .collect();
    Ok(Json(PriceListsOut { items }))
}

/// A price list with every item as data.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceListOut {
    pub id: i64,
    pub name: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// `[{"service": "PD09", "code": "postazione", "label": …, "components": [{"label": …,
    /// "when": "one_off" | "yearly" | "metered" | "included" | "free" | "on_quotation",
    /// "from_year": 2, "until_year": 1, "pro_rata": true, "price": {"kind": "flat" | "per_unit" |
    /// "per_block" | "bands" | "tiers" | "days_of", …}}]}]`
    pub items: Vec<PriceItem>,
    pub version: i64,
    pub uses: i64,
}

fn price_list_out(l: price_lists::StoredPriceList) -> PriceListOut {
    PriceListOut {
        id: l.id,
        name: l.list.name,
        valid_from: l.list.valid_from.to_string(),
        valid_to: l.list.valid_to.map(|d| d.to_string()),
        items: l.list.items,
        version: l.version,
        uses: l.uses,
    }
}

/// One price list.
#[utoipa::path(get, path = "/api/v1/price-lists/{list_id}", tag = "catalog",
    params(("list_id" = i64, Path, description = "price list id")), security(("bearer" = [])),
    responses((status = 200, body = PriceListOut), (status = 404, body = Problem)))]
pub async fn price_list_get(
    State(s): State<AppState>,
    _: ApiUser,
    PathId(id): PathId,
) -> Result<Json<PriceListOut>, ApiError> {
    Ok(Json(price_list_out(price_lists::get(&s.db, id).await?)))
}

/// A price list to replace one nothing has used yet: the list and the `version` read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceListPut {
    name: String,
    valid_from: NaiveDate,
    /// Inclusive; none: until a later list starts.
    valid_to: Option<NaiveDate>,
    items: Vec<PriceItem>,
    /// The version read; the change is refused (409) if the list changed since.
    version: Option<i64>,
}

impl PriceListPut {
    fn list(self) -> (PriceList, Option<i64>) {
        let list = PriceList {
            name: self.name,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            items: self.items,
        };
        (list, self.version)
    }
}

/// Adds a price list (admins only). An open-ended earlier list is closed the day before.
#[utoipa::path(post, path = "/api/v1/price-lists", tag = "catalog", request_body = PriceList,
    security(("bearer" = [])),
    responses((status = 201, body = PriceListOut), (status = 422, body = Problem)))]
pub async fn price_list_create(
    State(s): State<AppState>,
    ApiAdmin(user): ApiAdmin,
    ApiJson(list): ApiJson<PriceList>,
) -> Result<Response, ApiError> {
    let saved = price_lists::create(&s.db, &user.actor(), &list).await?;
    Ok((StatusCode::CREATED, Json(price_list_out(saved))).into_response())
}

/// Replaces a price list nothing has used yet (admins only); a used one answers 409.
#[utoipa::path(put, path = "/api/v1/price-lists/{list_id}", tag = "catalog",
    params(("list_id" = i64, Path, description = "price list id")), request_body = PriceListPut,
    security(("bearer" = [])),
    responses((status = 200, body = PriceListOut), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn price_list_put(
    State(s): State<AppState>,
    ApiAdmin(user): ApiAdmin,
    PathId(id): PathId,
    ApiJson(p): ApiJson<PriceListPut>,
) -> Result<Json<PriceListOut>, ApiError> {
    let (list, version) = p.list();
    Ok(Json(price_list_out(
        price_lists::update(&s.db, &user.actor(), id, &list, version).await?,
    )))
}

/// `{"service": "PD09", "entity_id": 12, "quantity": 3, "activation_date": "2026-03-01",
/// "year": 2027}`; `item` picks one of the service's items (default: its main one); `year`
/// defaults to the activation year, `quantity` to 1.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteIn {
    service: String,
    entity_id: i64,
    item: Option<String>,
    quantity: Option<u32>,
    #[schema(value_type = String, example = "2026-03-01")]
    activation_date: NaiveDate,
    year: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteLineOut {
    /// The computation in Italian, e.g. "3 utenti × € 200,00 = € 600,00".
    pub text: String,
    /// Decimal string.
    pub amount: String,
}

/// A quote: the amount due for one calendar year, line by line.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteOut {
    /// The kept quote; null for a contact's preview (not kept, freezes nothing).
    pub id: Option<i64>,
    /// Kept (staff quotes) or only computed (a contact's preview).
    pub kept: bool,
    pub entity_id: i64,
    pub service: String,
    pub service_name: String,
    pub item: String,
    pub item_label: String,
    pub quantity: u32,
    pub activation_date: String,
    pub year: i32,
    /// 1 = the activation year.
    pub service_year: u32,
    /// The day whose price list applies: the activation date in its year, then 1 January.
    pub pricing_date: String,
    pub price_list_id: i64,
    pub price_list_name: String,
    /// Decimal string, e.g. "600.00".
    pub amount: String,
    pub currency: String,
    /// Part of the service is priced only after an assessment.
    pub on_quotation: bool,
    pub lines: Vec<QuoteLineOut>,
}

impl From<quotes::StoredQuote> for QuoteOut {
    fn from(q: quotes::StoredQuote) -> Self {
        Self {
            id: (q.id > 0).then_some(q.id),
            kept: q.id > 0,
            entity_id: q.entity_id,
            service: q.service,
            service_name: q.service_name,
            item: q.item,
            item_label: q.item_label,
            quantity: q.quantity,
            activation_date: q.activation_date.to_string(),
            year: q.year,
            service_year: q.service_year,
            pricing_date: q.pricing_date.to_string(),
            price_list_id: q.price_list_id,
            price_list_name: q.price_list_name,
            amount: q.amount.to_decimal_string(),
            currency: "EUR".into(),
            on_quotation: q.on_quotation,
            lines: q
                .lines
                .into_iter()
                .map(|l| QuoteLineOut {
                    text: l.text,
                    amount: l.amount.to_decimal_string(),
                })
                .collect(),
        }
    }
}

/// Computes a price quote for an entity: kept when staff ask (201), a preview for the entity's
/// own contact (200, not kept). The entity needs an agreement in force on the pricing date.
#[utoipa::path(post, path = "/api/v1/price-quotes", tag = "catalog", request_body = QuoteIn,
    security(("bearer" = [])),
    responses((status = 201, body = QuoteOut), (status = 200, body = QuoteOut, description = "a contact's preview, not kept"), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn quote(
    State(s): State<AppState>,
    caller: ApiUser,
    ApiJson(q): ApiJson<QuoteIn>,
) -> Result<Response, ApiError> {
    let req = quotes::QuoteRequest {
        entity_id: q.entity_id,
        service: q.service,
        item: q.item,
        quantity: q.quantity.unwrap_or(1),
        year: q
            .year
            .unwrap_or_else(|| chrono::Datelike::year(&q.activation_date)),
        activation_date: q.activation_date,
    };
    let saved = quotes::create(&s.db, &caller.actor(), &req).await?;
    let status = if saved.id > 0 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(QuoteOut::from(saved))).into_response())
}

#[cfg(test)]
mod tests {
    use super::PriceListPut;
    use crate::api::body::decode;

    #[test]
    fn a_price_list_put_refuses_unknown_fields() {
        let p: PriceListPut =
            decode(br#"{"name": "2027", "valid_from": "2027-01-01", "items": [], "version": 2}"#)
                .unwrap();
        let (list, version) = p.list();
        assert_eq!((list.name.as_str(), version), ("2027", Some(2)));
        let e = decode::<PriceListPut>(
            br#"{"name": "2027", "valid_from": "2027-01-01", "items": [], "extra": 1}"#,
        )
        .unwrap_err();
        assert!(e.detail.contains("extra"), "{}", e.detail);
    }
}
