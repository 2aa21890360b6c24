//! Day packages and hour banks (`/api/v1/entities/{id}/packages`, `/api/v1/packages/{id}`) and
//! work reports (`/api/v1/work-reports`): staff record work, counted against a package; the
//! package's balance is read by staff and the entity's contacts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use delivery::store::work::{self as store, HoldingOut, Package, PackageDraft, ReportDraft};
use delivery::work::decimal;
use delivery::DeliveryError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::body::{ApiJson, PathId};
use crate::auth::{ApiStaff, ApiUser};
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageIn {
    /// `PD14`, `PD15`, `PD18`…
    pub service: String,
    /// The item; the service's main item when absent.
    #[serde(default)]
    pub item: Option<String>,
    pub year: i32,
    /// Days bought (the item's own days when absent and it has them: PD14 base = 5).
    #[serde(default)]
    pub days: Option<u32>,
    /// Hours bought (an hour bank).
    #[serde(default)]
    pub hours: Option<u32>,
    /// `billed` (the default: at the item's day rate) or `refused`.
    #[serde(default)]
    pub overage: Option<String>,
    /// The least share of the days to work on site, 0 to 1 as a decimal string (`"0.8"` for
    /// Padova's packages); none when absent.
    #[serde(default)]
    pub min_onsite_share: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PackageOut {
    pub id: i64,
    pub entity_id: i64,
    pub service: String,
    pub item: String,
    pub year: i32,
    /// Days bought, decimal string (absent for an hour bank).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<String>,
    /// Hours bought, decimal string (absent for a day package).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    /// Days or hours used, two decimals.
    pub used: String,
    pub remaining: String,
    /// Used beyond the package.
    pub beyond: String,
    /// The share of the work used done on site, 0 to 1.
    pub onsite_share: String,
    /// What the use beyond the package costs, in euro.
    pub overage_amount: String,
    /// Per day or hour beyond; null when use beyond the package is refused.
    pub overage_rate: Option<String>,
    /// 80 and 100 once that share of the package is used.
    pub warnings: Vec<u8>,
    /// The least on-site share of the days, 0 to 1 (`0.000`: none).
    pub min_onsite_share: String,
    /// False once the on-site minimum cannot be reached even working every day left on site.
    pub onsite_reachable: bool,
}

pub fn package_out(p: Package) -> PackageOut {
    let (days, hours) = match p.holding {
        HoldingOut::Days(d) => (Some(decimal(u64::from(d) * 100)), None),
        HoldingOut::Hours(h) => (None, Some(decimal(u64::from(h) * 100))),
    };
    PackageOut {
        id: p.id,
        entity_id: p.entity_id,
        service: p.service,
        item: p.item,
        year: p.year,
        days,
        hours,
        used: decimal(p.balance.used),
        remaining: decimal(p.balance.remaining),
        beyond: decimal(p.balance.beyond),
        onsite_share: format!(
            "{}.{:03}",
            p.balance.onsite_share / 1000,
            p.balance.onsite_share % 1000
        ),
        overage_amount: p.balance.overage_amount.to_decimal_string(),
        overage_rate: p.overage_rate.map(kernel::Euro::to_decimal_string),
        warnings: p.balance.warnings,
        min_onsite_share: format!(
            "{}.{:03}",
            p.min_onsite_share / 1000,
            p.min_onsite_share % 1000
        ),
        onsite_reachable: p.onsite_reachable,
    }
}

/// A share from 0 to 1 as typed (`0.8`, `0,80`, `1`) in per mille.
fn per_mille(v: &str) -> Option<u32> {
    let t = v.trim().replace(',', ".");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && frac.is_empty()
        || frac.len() > 3
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let w: u32 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let f: u32 = format!("{frac:0<3}").parse().ok()?;
    let n = w.checked_mul(1000)?.checked_add(f)?;
    (n <= 1000).then_some(n)
}

/// Buys a day package or an hour bank for an entity (staff).
#[utoipa::path(post, path = "/api/v1/entities/{id}/packages", tag = "delivery",
    params(("id" = i64, Path, description = "entity id")), request_body = PackageIn,
    security(("bearer" = [])),
    responses((status = 201, body = PackageOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_package(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
    ApiJson(p): ApiJson<PackageIn>,
) -> Result<Response, ApiError> {
    let refuse_overage = match p.overage.as_deref().map(str::trim) {
        None | Some("") | Some("billed") => false,
        Some("refused") => true,
        Some(other) => {
            return Err(crate::api::unprocessable(format!(
                "overage «{other}» sconosciuto: billed o refused"
            )))
        }
    };
    let min_onsite_share = match p.min_onsite_share.as_deref() {
        None => 0,
        Some(v) => per_mille(v).ok_or_else(|| {
            crate::api::unprocessable(format!(
                "min_onsite_share «{v}» non valido: un numero da 0 a 1 (0.8 per l'80%)"
            ))
        })?,
    };
    let saved = store::create_package(
        &s.db,
        &user.actor(),
        id,
        &PackageDraft {
            service: p.service,
            item: p.item,
            year: p.year,
            days: p.days,
            hours: p.hours,
            refuse_overage,
            min_onsite_share,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(package_out(saved))).into_response())
}

/// A package with its balance (staff, and the entity's contacts).
#[utoipa::path(get, path = "/api/v1/packages/{package_id}", tag = "delivery",
    params(("package_id" = i64, Path, description = "package id")), security(("bearer" = [])),
    responses((status = 200, body = PackageOut), (status = 404, body = Problem)))]
pub async fn package(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<PackageOut>, ApiError> {
    Ok(Json(package_out(
        store::package(&s.db, &caller.actor(), id).await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportIn {
    pub entity_id: i64,
    #[serde(default)]
    pub ticket_id: Option<i64>,
    /// The package the work is counted against.
    #[serde(default)]
    pub package_id: Option<i64>,
    /// A project of the entity whose quote was approved.
    #[serde(default)]
    pub project_id: Option<i64>,
    /// An activation request of the entity being delivered.
    #[serde(default)]
    pub request_id: Option<i64>,
    /// The day of the work (today when absent); not in the future.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<NaiveDate>,
    /// 1 to 1,440; may be left out when `start` and `end` give it.
    #[serde(default)]
    pub minutes: u32,
    /// Start and end times (`HH:MM`), the same day: the minutes are their span.
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    /// Travel to an on-site visit (recorded; not counted as work).
    #[serde(default)]
    pub travel_minutes: u32,
    /// `onsite` or `remote`.
    pub mode: String,
    pub description: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOut {
    pub id: i64,
    pub entity_id: i64,
    pub ticket_id: Option<i64>,
    pub package_id: Option<i64>,
    pub project_id: Option<i64>,
    pub request_id: Option<i64>,
    pub date: String,
    pub minutes: u32,
    pub mode: &'static str,
    pub description: String,
    /// `remote_over_30_minutes`, `call_out_fee`, `warranty`.
    pub flags: Vec<&'static str>,
    /// The package's balance after this report.
    pub package: Option<PackageOut>,
}

/// Records work (staff): flagged, and counted against its package when it names one.
#[utoipa::path(post, path = "/api/v1/work-reports", tag = "delivery",
    request_body = ReportIn, security(("bearer" = [])),
    responses((status = 201, body = ReportOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_report(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    ApiJson(r): ApiJson<ReportIn>,
) -> Result<Response, ApiError> {
    let time = |v: &Option<String>, field: &str| -> Result<Option<chrono::NaiveTime>, ApiError> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => chrono::NaiveTime::parse_from_str(t, "%H:%M")
                .map(Some)
                .map_err(|_| {
                    DeliveryError::field(field, format!("«{t}» non è un'ora (HH:MM)")).into()
                }),
        }
    };
    let (start, end) = (time(&r.start, "start")?, time(&r.end, "end")?);
    let (report, pkg) = store::report(
        &s.db,
        &user.actor(),
        &ReportDraft {
            entity_id: r.entity_id,
            ticket_id: r.ticket_id,
            package_id: r.package_id,
            project_id: r.project_id,
            request_id: r.request_id,
            date: r.date,
            minutes: r.minutes,
            start,
            end,
            travel_minutes: r.travel_minutes,
            mode: r.mode,
            description: r.description,
        },
        s.clock.today(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(ReportOut {
            id: report.id,
            entity_id: report.entity_id,
            ticket_id: report.ticket_id,
            package_id: report.package_id,
            project_id: report.project_id,
            request_id: report.request_id,
            date: report.date.to_string(),
            minutes: report.minutes,
            mode: report.mode.code(),
            description: report.description,
            flags: report.flags,
            package: pkg.map(package_out),
        }),
    )
        .into_response())
}
