//! Revenue reports (staff): per year, per service and per entity from issued statements, with
//! charts (SVG drawn here: bars are attributes, so the page's Content-Security-Policy holds),
//! the sustainability view (revenue against the centre's costs, which an administrator
//! enters), and the same figures as XLSX and CSV.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use billing::store::reports::{self, Revenue};
use chrono::Datelike;
use kernel::Euro;
use printout::{Cell, Sheet};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::ApiJson;
use crate::api::query;
use crate::auth::{ApiAdmin, ApiStaff, Flash, PageAdmin, PageStaff};
use crate::capabilities::delivery::work_pages::refusal;
use crate::error::{ApiError, PageError, Problem};
use crate::pages::form_reader::italian_amount;
use crate::pages::{back_with, ok, Layout};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RevenueParams {
    /// First year (five years before `to` when absent).
    #[serde(default)]
    pub from: Option<i32>,
    /// Last year (this year when absent).
    #[serde(default)]
    pub to: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevenueRow {
    /// A service code, a kind of line, or an entity's name.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<i64>,
    /// One decimal string per year, in `years` order.
    pub amounts: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevenueOut {
    pub years: Vec<i32>,
    /// Net revenue per year (issued statements; credit notes count negative).
    pub totals: Vec<String>,
    /// The centre's costs per year (empty string where none were entered).
    pub costs: Vec<String>,
    pub by_service: Vec<RevenueRow>,
    pub by_entity: Vec<RevenueRow>,
}

fn dec(v: &[Euro]) -> Vec<String> {
    v.iter().map(|e| e.to_decimal_string()).collect()
}

fn revenue_out(r: &Revenue) -> RevenueOut {
    RevenueOut {
        years: r.years.clone(),
        totals: r
            .by_year
            .iter()
            .map(|(_, e)| e.to_decimal_string())
            .collect(),
        costs: r
            .years
            .iter()
            .map(|y| {
                r.costs
                    .iter()
                    .find(|(c, _)| c == y)
                    .map(|(_, e)| e.to_decimal_string())
                    .unwrap_or_default()
            })
            .collect(),
        by_service: r
            .by_service
            .iter()
            .map(|(n, v)| RevenueRow {
                name: n.clone(),
                entity_id: None,
                amounts: dec(v),
            })
            .collect(),
        by_entity: r
            .by_entity
            .iter()
            .map(|(id, n, v)| RevenueRow {
                name: n.clone(),
                entity_id: Some(*id),
                amounts: dec(v),
            })
            .collect(),
    }
}

fn span(s: &AppState, from: Option<i32>, to: Option<i32>) -> (i32, i32) {
    let to = to.unwrap_or_else(|| s.clock.today().year());
    (from.unwrap_or(to - 4), to)
}

/// Revenue per year, service and entity, with the centre's costs (staff).
#[utoipa::path(get, path = "/api/v1/reports/revenue", tag = "billing", params(RevenueParams),
    security(("bearer" = [])),
    responses((status = 200, body = RevenueOut), (status = 400, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn api_revenue(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    RawQuery(raw): RawQuery,
) -> Result<Json<RevenueOut>, ApiError> {
    let p: RevenueParams = query(raw.as_deref())?;
    let (from, to) = span(&s, p.from, p.to);
    let r = reports::revenue(&s.db, &user.actor(), from, to).await?;
    Ok(Json(revenue_out(&r)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CostIn {
    pub year: i64,
    pub label: String,
    /// Decimal string.
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CostCreated {
    pub id: i64,
}

/// Adds one of the centre's yearly costs (admins), for the sustainability view.
#[utoipa::path(post, path = "/api/v1/centre-costs", tag = "billing", request_body = CostIn,
    security(("bearer" = [])),
    responses((status = 201, body = CostCreated), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn api_add_cost(
    State(s): State<AppState>,
    ApiAdmin(user): ApiAdmin,
    ApiJson(c): ApiJson<CostIn>,
) -> Result<Response, ApiError> {
    let amount = Euro::parse(&c.amount)
        .map_err(|e| billing::BillingError::field("amount", e.to_string()))?;
    let id = reports::add_cost(&s.db, &user.actor(), c.year, &c.label, amount).await?;
    Ok((StatusCode::CREATED, Json(CostCreated { id })).into_response())
}

/// A horizontal bar chart as SVG: one bar per item, the value written after it; negative
/// values drawn from the same origin in another colour. Its title names it for screen readers
/// (the same figures are in the table below it).
pub fn bar_chart(title: &str, items: &[(String, i64)], marks: &[(usize, i64)]) -> String {
    let max = items
        .iter()
        .map(|(_, v)| v.abs())
        .chain(marks.iter().map(|(_, v)| v.abs()))
        .max()
        .unwrap_or(0)
        .max(1);
    let row = 28;
    let height = items.len() as i64 * row + 8;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 640 {height}\" width=\"100%\" role=\"img\" aria-labelledby=\"ch-{id}\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"ch-{id}\">{t}</title>",
        id = title.len() + items.len(),
        t = askama::filters::escape(title, askama::filters::Html).map(|e| e.to_string()).unwrap_or_default(),
    );
    for (i, (label, v)) in items.iter().enumerate() {
        let y = i as i64 * row + 4;
        let w = v.abs() * 300 / max;
        let fill = if *v < 0 { "#a61919" } else { "#0066cc" };
        let label = askama::filters::escape(label, askama::filters::Html)
            .map(|e| e.to_string())
            .unwrap_or_default();
        let shown: String = label.chars().take(28).collect();
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"13\" fill=\"#1a1a1a\">{shown}</text><rect x=\"210\" y=\"{y}\" width=\"{w}\" height=\"18\" fill=\"{fill}\"/><text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"#1a1a1a\">{}</text>",
            y + 14,
            216 + w,
            y + 14,
            Euro::from_cents(*v)
        ));
        if let Some((_, m)) = marks.iter().find(|(at, _)| *at == i) {
            let x = 210 + m.abs() * 300 / max;
            svg.push_str(&format!(
                "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#1a1a1a\" stroke-width=\"3\"/>",
                y - 2,
                y + 20
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

#[derive(Template)]
#[template(path = "statements/revenue.html")]
struct RevenuePage {
    layout: Layout,
    from: i32,
    to: i32,
    years: Vec<i32>,
    year_chart: String,
    service_chart: String,
    last: i32,
    /// (year, revenue, costs, coverage)
    rows: Vec<(i32, String, String, String)>,
    services: Vec<(String, Vec<String>)>,
    entities: Vec<(i64, String, Vec<String>)>,
    is_admin: bool,
    flash: Flash,
}

fn years_of(raw: Option<&str>, s: &AppState) -> (i32, i32) {
    let get = |k: &str| {
        form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .find(|(n, _)| n == k)
            .and_then(|(_, v)| v.trim().parse::<i32>().ok())
    };
    span(s, get("dal"), get("al"))
}

/// `/reports/revenue?dal=&al=`.
pub async fn page(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (from, to) = years_of(raw.as_deref(), &s);
    let mut flash = crate::pages::notice(&s, &sess).await?;
    let (from, to) = if (to - from) > 19 || to < from {
        flash.error = "Anni non validi: al più 20 anni, il primo prima dell'ultimo.".into();
        (s.clock.today().year() - 4, s.clock.today().year())
    } else {
        (from, to)
    };
    let r = reports::revenue(&s.db, &sess.actor(), from, to).await?;
    let last = to;
    let at_last = r.years.len().saturating_sub(1);
    let year_items: Vec<(String, i64)> = r
        .by_year
        .iter()
        .map(|(y, e)| (y.to_string(), e.cents()))
        .collect();
    let marks: Vec<(usize, i64)> = r
        .years
        .iter()
        .enumerate()
        .filter_map(|(i, y)| {
            r.costs
                .iter()
                .find(|(c, _)| c == y)
                .map(|(_, e)| (i, e.cents()))
        })
        .collect();
    let mut service_items: Vec<(String, i64)> = r
        .by_service
        .iter()
        .map(|(n, v)| (n.clone(), v.get(at_last).map_or(0, |e| e.cents())))
        .filter(|(_, v)| *v != 0)
        .collect();
    service_items.sort_by_key(|x| std::cmp::Reverse(x.1));
    let rows = r
        .by_year
        .iter()
        .map(|(y, e)| {
            let cost = r.costs.iter().find(|(c, _)| c == y).map(|(_, c)| *c);
            (
                *y,
                e.to_string(),
                cost.map(|c| c.to_string()).unwrap_or_default(),
                r.coverage(*y)
                    .map(|pm| format!("{},{}%", pm / 10, pm % 10))
                    .unwrap_or_default(),
            )
        })
        .collect();
    let show = |v: &[Euro]| v.iter().map(|e| e.to_string()).collect::<Vec<_>>();
    Ok(ok(&RevenuePage {
        layout: Layout::new(&s, Some(&sess), "Ricavi e sostenibilità", "revenue"),
        year_chart: bar_chart(
            &format!(
                "Ricavi per anno dal {from} al {to}; il segno verticale indica i costi del centro"
            ),
            &year_items,
            &marks,
        ),
        service_chart: bar_chart(
            &format!("Ricavi per servizio nel {last}"),
            &service_items,
            &[],
        ),
        rows,
        services: r
            .by_service
            .iter()
            .map(|(n, v)| (n.clone(), show(v)))
            .collect(),
        entities: r
            .by_entity
            .iter()
            .take(50)
            .map(|(id, n, v)| (*id, n.clone(), show(v)))
            .collect(),
        years: r.years.clone(),
        from,
        to,
        last,
        is_admin: sess.actor().is_admin(),
        flash,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CostForm {
    anno: String,
    voce: String,
    importo: String,
}

/// `/reports/revenue/costi`: an administrator adds a yearly cost.
pub async fn add_cost(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Form(f): Form<CostForm>,
) -> Result<Response, PageError> {
    let done = match Euro::parse(&italian_amount(&f.importo)) {
        Ok(a) => reports::add_cost(
            &s.db,
            &sess.actor(),
            f.anno.trim().parse().unwrap_or(0),
            &f.voce,
            a,
        )
        .await
        .map(|_| format!("Costo aggiunto al {}.", f.anno.trim())),
        Err(_) => Err(billing::BillingError::field(
            "amount",
            "l'importo va scritto come numero, ad esempio 120.000,00",
        )),
    };
    let (flash, to) = match done {
        Ok(said) => (Flash::saved(said), "/reports/revenue"),
        Err(e) => (
            Flash {
                error: refusal(e)?,
                values: vec![
                    ("anno".into(), f.anno),
                    ("voce".into(), f.voce),
                    ("importo".into(), f.importo),
                ],
                place: "costi".into(),
                ..Default::default()
            },
            "/reports/revenue#costs",
        ),
    };
    back_with(&s, &sess, to, flash).await
}

fn sheets(r: &Revenue) -> Vec<Sheet> {
    let mut head = vec!["Voce".to_owned()];
    head.extend(r.years.iter().map(i32::to_string));
    let row = |name: String, v: &[Euro]| {
        let mut cells = vec![Cell::Text(name)];
        cells.extend(v.iter().map(|e| Cell::Cents(e.cents())));
        cells
    };
    let totals: Vec<Euro> = r.by_year.iter().map(|(_, e)| *e).collect();
    let costs: Vec<Euro> = r
        .years
        .iter()
        .map(|y| {
            r.costs
                .iter()
                .find(|(c, _)| c == y)
                .map_or(Euro::ZERO, |(_, e)| *e)
        })
        .collect();
    vec![
        Sheet {
            name: "Ricavi e costi".into(),
            headers: head.clone(),
            rows: vec![
                row("Ricavi".into(), &totals),
                row("Costi del centro".into(), &costs),
            ],
        },
        Sheet {
            name: "Per servizio".into(),
            headers: head.clone(),
            rows: r
                .by_service
                .iter()
                .map(|(n, v)| row(n.clone(), v))
                .collect(),
        },
        Sheet {
            name: "Per ente".into(),
            headers: head,
            rows: r
                .by_entity
                .iter()
                .map(|(_, n, v)| row(n.clone(), v))
                .collect(),
        },
    ]
}

/// `/reports/revenue.xlsx` and `.csv` (one row per entity and year in the CSV).
pub async fn export(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    axum::extract::OriginalUri(uri): axum::extract::OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (from, to) = years_of(raw.as_deref(), &s);
    let r = reports::revenue(&s.db, &sess.actor(), from, to).await?;
    if uri.path().ends_with(".csv") {
        let mut w = kernel::csv::CsvWriter::new(&["Tipo", "Voce", "Anno", "Importo"]);
        for (i, y) in r.years.iter().enumerate() {
            w.row([
                "Totale".to_owned(),
                "Ricavi".into(),
                y.to_string(),
                r.by_year[i].1.to_decimal_string(),
            ]);
            for (n, v) in &r.by_service {
                w.row([
                    "Servizio".to_owned(),
                    n.clone(),
                    y.to_string(),
                    v[i].to_decimal_string(),
                ]);
            }
            for (_, n, v) in &r.by_entity {
                w.row([
                    "Ente".to_owned(),
                    n.clone(),
                    y.to_string(),
                    v[i].to_decimal_string(),
                ]);
            }
        }
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"ricavi-{from}-{to}.csv\""),
                ),
            ],
            w.finish(),
        )
            .into_response());
    }
    let bytes = printout::workbook(&sheets(&r)).map_err(|e| {
        tracing::error!(error = %e, "revenue XLSX");
        PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Il foglio non si è potuto preparare: riprovare.",
        )
    })?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"ricavi-{from}-{to}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
