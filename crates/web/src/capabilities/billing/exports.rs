//! A statement as a spreadsheet, and a year's statements (what a run produced) as XLSX and
//! CSV: one row per line, with the statement's number, entity and state, so a spreadsheet can
//! total them any way.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use billing::store::statements::{self, Statement};
use printout::{Cell, Sheet};

use crate::api::body::PathId;
use crate::auth::{ApiStaff, ApiUser, PageStaff, PageUser};
use crate::error::{ApiError, PageError, Problem};
use crate::pages::parse_id;
use crate::AppState;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const LINE_HEADERS: [&str; 11] = [
    "Numero",
    "Anno",
    "Ente",
    "Codice fiscale",
    "Stato",
    "Voce",
    "Descrizione",
    "Servizio",
    "IVA",
    "Importo",
    "Conguaglio",
];

fn number(s: &Statement) -> String {
    s.number.clone().unwrap_or_else(|| "bozza".into())
}

fn line_rows(list: &[Statement], tax: &std::collections::HashMap<i64, String>) -> Vec<Vec<Cell>> {
    list.iter()
        .flat_map(|s| {
            s.lines.iter().map(move |l| {
                vec![
                    Cell::Text(number(s)),
                    Cell::Int(i64::from(s.year)),
                    Cell::Text(s.entity_name.clone()),
                    Cell::Text(tax.get(&s.entity_id).cloned().unwrap_or_default()),
                    Cell::Text(s.state_label().into()),
                    Cell::Text(l.kind.label().into()),
                    Cell::Text(l.text.clone()),
                    Cell::Text(l.service.clone()),
                    Cell::Text(l.vat.label()),
                    Cell::Cents(l.amount.cents()),
                    Cell::Text(if l.adjusts { "sì" } else { "" }.into()),
                ]
            })
        })
        .collect()
}

fn statement_rows(list: &[Statement]) -> Vec<Vec<Cell>> {
    list.iter()
        .map(|s| {
            vec![
                Cell::Text(number(s)),
                Cell::Text(s.entity_name.clone()),
                Cell::Text(s.state_label().into()),
                Cell::Cents(s.net.cents()),
                Cell::Cents(s.vat.cents()),
                Cell::Cents(s.total.cents()),
                Cell::Cents(s.payable.cents()),
                Cell::Cents(s.paid.cents()),
                Cell::Text(s.due_on.map(kernel::time::display_date).unwrap_or_default()),
            ]
        })
        .collect()
}

async fn tax_codes(s: &AppState) -> Result<std::collections::HashMap<i64, String>, sqlx::Error> {
    let rows: Vec<(i64, Option<String>)> = sqlx::query_as("SELECT id, tax_code FROM entities")
        .fetch_all(s.db.pool())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, t)| (id, t.unwrap_or_default()))
        .collect())
}

fn workbook(
    list: &[Statement],
    tax: &std::collections::HashMap<i64, String>,
) -> Result<Vec<u8>, printout::PrintoutError> {
    printout::workbook(&[
        Sheet {
            name: "Rendiconti".into(),
            headers: [
                "Numero",
                "Ente",
                "Stato",
                "Imponibile",
                "IVA",
                "Totale",
                "Da versare al centro",
                "Pagato",
                "Scadenza",
            ]
            .map(String::from)
            .to_vec(),
            rows: statement_rows(list),
        },
        Sheet {
            name: "Righe".into(),
            headers: LINE_HEADERS.map(String::from).to_vec(),
            rows: line_rows(list, tax),
        },
    ])
}

fn csv(list: &[Statement], tax: &std::collections::HashMap<i64, String>) -> String {
    let mut w = kernel::csv::CsvWriter::new(&LINE_HEADERS);
    for s in list {
        for l in &s.lines {
            w.row([
                number(s),
                s.year.to_string(),
                s.entity_name.clone(),
                tax.get(&s.entity_id).cloned().unwrap_or_default(),
                s.state_label().to_owned(),
                l.kind.label().to_owned(),
                l.text.clone(),
                l.service.clone(),
                l.vat.label(),
                l.amount.to_decimal_string(),
                if l.adjusts { "sì" } else { "" }.to_owned(),
            ]);
        }
    }
    w.finish()
}

fn file(kind: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn xlsx_failed(e: printout::PrintoutError) -> ApiError {
    tracing::error!(error = %e, "statement XLSX");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "il foglio di calcolo non si è potuto preparare: riprovare",
    )
}

async fn one_xlsx(s: &AppState, actor: &kernel::Actor, id: i64) -> Result<Response, ApiError> {
    let st = statements::get(&s.db, actor, id).await?;
    let tax = tax_codes(s).await.map_err(ApiError::internal)?;
    let bytes = workbook(std::slice::from_ref(&st), &tax).map_err(xlsx_failed)?;
    let name = match &st.number {
        Some(n) => format!("rendiconto-{}.xlsx", n.replace('/', "-")),
        None => format!("bozza-rendiconto-{}-{}.xlsx", st.year, st.entity_id),
    };
    Ok(file(XLSX, &name, bytes))
}

/// A statement as a spreadsheet.
#[utoipa::path(get, path = "/api/v1/statements/{statement_id}/xlsx", tag = "billing",
    params(("statement_id" = i64, Path, description = "statement id")), security(("bearer" = [])),
    responses((status = 200, description = "XLSX file", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = Problem)))]
pub async fn api_xlsx(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    one_xlsx(&s, &caller.actor(), id).await
}

/// `/statements/{id}/rendiconto.xlsx`.
pub async fn page_xlsx(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    Ok(one_xlsx(&s, &sess.actor(), parse_id(&id)?).await?)
}

async fn year_file(
    s: &AppState,
    actor: &kernel::Actor,
    year: i32,
    as_csv: bool,
) -> Result<Response, ApiError> {
    let list = statements::of_year(&s.db, actor, year).await?;
    let tax = tax_codes(s).await.map_err(ApiError::internal)?;
    Ok(if as_csv {
        file(
            "text/csv; charset=utf-8",
            &format!("rendiconti-{year}.csv"),
            csv(&list, &tax).into_bytes(),
        )
    } else {
        file(
            XLSX,
            &format!("rendiconti-{year}.xlsx"),
            workbook(&list, &tax).map_err(xlsx_failed)?,
        )
    })
}

/// The statements of a run's year as a spreadsheet: a sheet of statements, a sheet of lines.
#[utoipa::path(get, path = "/api/v1/statements/runs/{run_id}/xlsx", tag = "billing",
    params(("run_id" = i64, Path, description = "run id")), security(("bearer" = [])),
    responses((status = 200, description = "XLSX file", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = Problem)))]
pub async fn run_xlsx(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let run = billing::store::runs::get(&s.db, &user.actor(), id).await?;
    year_file(&s, &user.actor(), run.year, false).await
}

/// The statements of a run's year as CSV, one row per line.
#[utoipa::path(get, path = "/api/v1/statements/runs/{run_id}/csv", tag = "billing",
    params(("run_id" = i64, Path, description = "run id")), security(("bearer" = [])),
    responses((status = 200, description = "CSV file", content_type = "text/csv"), (status = 404, body = Problem)))]
pub async fn run_csv(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    let run = billing::store::runs::get(&s.db, &user.actor(), id).await?;
    year_file(&s, &user.actor(), run.year, true).await
}

fn year_of_query(s: &AppState, raw: Option<&str>) -> i32 {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "anno")
        .and_then(|(_, v)| v.trim().parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| chrono::Datelike::year(&s.clock.today()))
}

/// `/statements/export.xlsx?anno=` (staff).
pub async fn page_year_xlsx(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let year = year_of_query(&s, raw.as_deref());
    Ok(year_file(&s, &sess.actor(), year, false).await?)
}

/// `/statements/export.csv?anno=` (staff).
pub async fn page_year_csv(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let year = year_of_query(&s, raw.as_deref());
    Ok(year_file(&s, &sess.actor(), year, true).await?)
}
