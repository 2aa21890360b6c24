//! The kept quotes as a list (staff, and contacts for their own entities): search, filters by
//! entity, service and year, sortable columns, pages with totals, htmx partials and the CSV of
//! what is filtered; each quote's computation line by line.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use catalog::store::quote_list::{self, QuoteQuery, QuoteRow, QuoteSort};
use serde::Deserialize;

use crate::auth::{PageUser, Session};
use crate::error::PageError;
use crate::pages::list::{choices, Choice, Column, ListView, Paging, PER_PAGE};
use crate::pages::{is_htmx, ok, Layout};
use crate::AppState;

pub struct Row {
    pub id: i64,
    pub entity_id: i64,
    pub entity: String,
    pub service: String,
    pub service_name: String,
    pub item: String,
    pub quantity: String,
    pub year: i32,
    pub amount: String,
    pub lines: Vec<String>,
    pub when: String,
}

fn row(q: QuoteRow) -> Row {
    Row {
        id: q.id,
        entity_id: q.entity_id,
        entity: q.entity_name,
        service: q.service,
        service_name: q.service_name,
        item: q.item,
        quantity: kernel::money::thousands(q.quantity.into()),
        year: q.year,
        amount: format!(
            "{}{}",
            q.amount,
            if q.on_quotation { " + preventivo" } else { "" }
        ),
        lines: q
            .lines
            .into_iter()
            .map(|l| format!("{} ({})", l.text, l.amount))
            .collect(),
        when: kernel::time::display_rome(&q.created_at),
    }
}

#[derive(Template)]
#[template(path = "quotes/list.html")]
struct ListPage {
    layout: Layout,
    list_html: String,
    f: Filters,
    entities: Vec<Choice>,
    services: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "quotes/rows.html")]
struct RowsPartial {
    rows: Vec<Row>,
    list: ListView,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Filters {
    q: String,
    ente: String,
    servizio: String,
    anno: String,
}

impl Filters {
    fn query(&self, paging: &Paging) -> QuoteQuery {
        QuoteQuery {
            q: self.q.trim().chars().take(100).collect(),
            entity_id: self.ente.trim().parse().ok(),
            service: Some(self.servizio.trim())
                .filter(|s| !s.is_empty())
                .map(|s| s.chars().take(20).collect()),
            year: self.anno.trim().parse().ok(),
            sort: QuoteSort::parse(&paging.ordine).unwrap_or_default(),
            reverse: paging.reverse(),
            limit: PER_PAGE,
            offset: paging.offset(),
        }
    }

    fn in_url(&self) -> Vec<(String, String)> {
        [
            ("q", &self.q),
            ("ente", &self.ente),
            ("servizio", &self.servizio),
            ("anno", &self.anno),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect()
    }
}

/// Suppliers deliver work; prices are not theirs to read.
fn no_supplier(sess: &Session) -> Result<(), PageError> {
    if sess.user.role == kernel::Role::Supplier {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "I preventivi sono riservati al centro servizi e ai referenti degli enti.",
        ));
    }
    Ok(())
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let (f, paging) = crate::pages::list::params::<Filters>(raw.as_deref());
    let q = f.query(&paging);
    let (total, rows) = quote_list::list(&s.db, &sess.actor(), &q).await?;
    let body = RowsPartial {
        list: ListView {
            path: "/quotes".into(),
            target: "quote-list",
            filters: f.in_url(),
            sort: q.sort.as_str().to_owned(),
            default_sort: "recenti",
            reverse: q.reverse,
            page: paging.page(),
            total,
            more: false,
            shown: i64::try_from(rows.len()).unwrap_or(0),
            noun: ("preventivo", "preventivi"),
            columns: vec![
                Column::sort("recenti", "N."),
                Column::sort("ente", "Ente"),
                Column::sort("servizio", "Servizio"),
                Column::sort("anno", "Anno").wide(),
                Column::plain("Quantità").wide(),
                Column::sort("importo", "Importo"),
            ],
            csv: true,
        },
        rows: rows.into_iter().map(row).collect(),
    };
    if is_htmx(&headers) {
        return Ok(ok(&body));
    }
    let list_html = crate::pages::html(&body)?;
    let entities = choices(
        f.ente.trim(),
        members::store::names(&s.db, &sess.actor())
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n)),
    );
    let services = choices(
        f.servizio.trim(),
        catalog::store::services::list(&s.db, true)
            .await?
            .into_iter()
            .map(|c| {
                (
                    c.card.code.clone(),
                    format!("{} · {}", c.card.code, c.card.name),
                )
            }),
    );
    Ok(ok(&ListPage {
        layout: Layout::new(&s, Some(&sess), "Preventivi", "quotes"),
        list_html,
        f,
        entities,
        services,
    }))
}

/// The filtered quotes as CSV, in their order (up to 10.000), amounts as numbers.
pub async fn csv(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let (f, paging) = crate::pages::list::params::<Filters>(raw.as_deref());
    let mut q = f.query(&paging);
    q.limit = 1000;
    q.offset = 0;
    let mut out = kernel::csv::CsvWriter::new(&[
        "numero",
        "ente",
        "servizio",
        "voce",
        "quantità",
        "anno",
        "importo",
        "su preventivo",
        "calcolato il",
        "da",
    ]);
    while q.offset < 10_000 {
        let (_, rows) = quote_list::list(&s.db, &sess.actor(), &q).await?;
        let n = rows.len();
        for r in rows {
            out.row([
                r.id.to_string(),
                r.entity_name,
                r.service,
                r.item,
                r.quantity.to_string(),
                r.year.to_string(),
                r.amount.to_decimal_string(),
                if r.on_quotation { "sì" } else { "no" }.to_owned(),
                kernel::time::display_rome(&r.created_at),
                kernel::audit::actor_words(&r.created_by),
            ]);
        }
        if n < 1000 {
            break;
        }
        q.offset += 1000;
    }
    Ok(crate::pages::list::csv_download(
        "preventivi.csv",
        out.finish(),
    ))
}
