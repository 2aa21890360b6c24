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

/// The printed statement: the centre's letterhead from the settings, the entity, the lines,
/// the totals (taxable by VAT group, VAT, total, what to pay the centre) and the payment terms.
async fn pdf_of(s: &AppState, actor: &kernel::Actor, id: i64) -> Result<Response, ApiError> {
    let st = statements::get(&s.db, actor, id).await?;
    let settings = billing::store::settings(&s.db).await?;
    let e = members::store::get(&s.db, actor, st.entity_id).await?;
    let c = &settings.centre;
    let mut centre_lines = vec![format!(
        "{}, {} {} ({})",
        c.address, c.postal_code, c.town, c.province
    )];
    if !c.vat_number.is_empty() {
        centre_lines.push(format!("P.IVA {} - C.F. {}", c.vat_number, c.fiscal_code));
    }
    for (k, v) in [("E-mail", &c.email), ("PEC", &c.pec), ("Tel.", &c.phone)] {
        if !v.is_empty() {
            centre_lines.push(format!("{k} {v}"));
        }
    }
    let d = &e.data;
    let mut entity_lines = vec![d.name.clone()];
    if !d.address.is_empty() {
        entity_lines.push(d.address.clone());
    }
    if !d.city.is_empty() {
        entity_lines.push(
            format!("{} {} {}", d.postal_code, d.city, d.province)
                .trim()
                .to_owned(),
        );
    }
    if let Some(t) = &d.tax_code {
        entity_lines.push(format!("C.F. {}", t.as_str()));
    }
    if let Some(o) = &d.office_code {
        entity_lines.push(format!("Codice univoco ufficio {}", o.as_str()));
    }
    let mut facts = vec![("Anno".to_owned(), st.year.to_string())];
    if let Some(d) = st.issued_on {
        facts.push(("Emesso il".into(), kernel::time::display_date(d)));
    }
    if let Some(d) = st.due_on {
        facts.push(("Da pagare entro il".into(), kernel::time::display_date(d)));
    }
    for (k, v) in [("CIG", &st.cig), ("CUP", &st.cup)] {
        if let Some(v) = v {
            facts.push((k.into(), v.clone()));
        }
    }
    let mut payment = vec![format!(
        "Pagamento con bonifico sul conto IBAN {} intestato a {}{}.",
        c.iban,
        c.name,
        st.due_on
            .map(|d| format!(", entro il {}", kernel::time::display_date(d)))
            .unwrap_or_default()
    )];
    payment.push(format!(
        "Codice avviso pagoPA: {}",
        st.notice_code.clone().unwrap_or_else(|| "—".into())
    ));
    if st.paid > kernel::Euro::ZERO {
        payment.push(format!(
            "Già pagato: {}; resta da pagare: {}.",
            st.paid,
            st.payable - st.paid
        ));
    }
    let sheet = printout::StatementSheet {
        centre_name: c.name.clone(),
        centre_lines,
        title: super::statement_pages::title(&st),
        draft: st.state == "draft",
        entity_lines,
        facts,
        lines: st
            .lines
            .iter()
            .map(|l| printout::StatementRow {
                kind: if l.adjusts {
                    format!("{} (conguaglio)", l.kind.label())
                } else {
                    l.kind.label().to_owned()
                },
                text: l.text.clone(),
                vat: l.vat.label(),
                amount: l.amount.to_string(),
            })
            .collect(),
        totals: super::statement_pages::summary(&st),
        payment,
        notes: vec![
            "Il rendiconto riepiloga i servizi dell'anno; la fattura elettronica, inviata tramite il Sistema di Interscambio, ne riporta gli stessi importi.".into(),
        ],
    };
    let bytes = printout::statement(&sheet);
    let name = match &st.number {
        Some(n) => format!("rendiconto-{}.pdf", n.replace('/', "-")),
        None => format!("bozza-rendiconto-{}-{}.pdf", st.year, st.entity_id),
    };
    Ok(file("application/pdf", &name, bytes))
}

/// The statement as a PDF (Italian, the centre's letterhead, lines, totals, payment terms).
#[utoipa::path(get, path = "/api/v1/statements/{statement_id}/pdf", tag = "billing",
    params(("statement_id" = i64, Path, description = "statement id")), security(("bearer" = [])),
    responses((status = 200, description = "PDF file", content_type = "application/pdf"), (status = 404, body = Problem)))]
pub async fn api_pdf(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Response, ApiError> {
    pdf_of(&s, &caller.actor(), id).await
}

/// `/statements/{id}/rendiconto.pdf`.
pub async fn page_pdf(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    Ok(pdf_of(&s, &sess.actor(), parse_id(&id)?).await?)
}
