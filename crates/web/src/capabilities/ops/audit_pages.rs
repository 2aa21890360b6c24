//! The audit trail and its verification (admins only).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use crate::auth::PageAdmin;
use crate::error::{ApiError, PageError};
use crate::pages::audit_words::{self, Line};
use crate::pages::list::{choices, Choice, ListView, Paging, PER_PAGE};
use crate::pages::{is_htmx, Layout};
use crate::AppState;

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    layout: Layout,
    list_html: String,
    verdict: String,
    verdict_ok: bool,
    f: Params,
    entities: Vec<Choice>,
    people: Vec<Choice>,
    kinds: Vec<Choice>,
    actions: Vec<Choice>,
    filtered: bool,
}

/// The records of one page: what htmx replaces when a filter, the order or the page changes.
#[derive(Template)]
#[template(path = "audit/rows.html")]
struct RowsPartial {
    lines: Vec<Line>,
    list: ListView,
}

/// The page's filters, as they stand in the URL.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Params {
    /// An entity's id.
    ente: String,
    /// An account's id.
    chi: String,
    /// An object type (`ticket`, `entity`, `agreement`…).
    oggetto: String,
    /// An action: `ticket/take_charge`, `ticket/state:`.
    azione: String,
    /// From this day (YYYY-MM-DD), inclusive.
    dal: String,
    /// To this day, inclusive.
    al: String,
}

impl Params {
    fn in_url(&self) -> Vec<(String, String)> {
        [
            ("ente", &self.ente),
            ("chi", &self.chi),
            ("oggetto", &self.oggetto),
            ("azione", &self.azione),
            ("dal", &self.dal),
            ("al", &self.al),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect()
    }
}

/// The actions the filter offers: every action people read, and the changes of a ticket's
/// state or priority as one choice each.
fn action_choices() -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = audit_words::ACTIONS
        .iter()
        .map(|(o, a, label)| (format!("{o}/{a}"), (*label).to_owned()))
        .collect();
    all.push((
        "ticket/state:".into(),
        "Cambio di stato di un ticket".into(),
    ));
    all.push((
        "ticket/priority:".into(),
        "Cambio di priorità di un ticket".into(),
    ));
    all.push(("ticket/phase:".into(), "Avanzamento di una fase".into()));
    all.sort_by(|a, b| a.1.cmp(&b.1));
    all
}

/// The most records the register counts and pages through (past it, narrow the filters).
const COUNT_CAP: i64 = 10_000;

/// The kinds of objects the filter offers, as people call them.
const KINDS: [(&str, &str); 12] = [
    ("ticket", "Ticket"),
    ("entity", "Enti"),
    ("contact", "Referenti"),
    ("agreement", "Convenzioni"),
    ("user", "Account"),
    ("api_token", "Token API"),
    ("price_list", "Listini"),
    ("service", "Servizi"),
    ("membership_fee_rule", "Quota associativa"),
    ("price_quote", "Preventivi"),
    ("sla_policy", "Obiettivi SLA"),
    ("job", "Attività"),
];

/// Midnight in Rome of `day`, in the stored form.
fn rome_day(day: chrono::NaiveDate) -> Option<String> {
    use chrono::TimeZone;
    kernel::time::ROME
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| kernel::time::format(t.with_timezone(&chrono::Utc)))
}

/// The search the filters ask for, or why a date cannot be read.
fn search_of(f: &Params, paging: &Paging) -> Result<db::audit::Search, PageError> {
    let bad = |m: &str| PageError::new(StatusCode::BAD_REQUEST, m.to_owned());
    let day = |d: &str, what: &str| -> Result<Option<chrono::NaiveDate>, PageError> {
        match d.trim() {
            "" => Ok(None),
            d => d
                .parse()
                .map(Some)
                .map_err(|_| bad(&format!("Data {what} non valida: usare aaaa-mm-gg."))),
        }
    };
    let (from, to) = (day(&f.dal, "di inizio")?, day(&f.al, "di fine")?);
    let action = action_choices()
        .into_iter()
        .find(|(k, _)| *k == f.azione.trim())
        .and_then(|(k, _)| k.split_once('/').map(|(o, a)| (o.to_owned(), a.to_owned())));
    Ok(db::audit::Search {
        entity_id: f.ente.trim().parse().ok(),
        object_type: KINDS
            .iter()
            .find(|(k, _)| *k == f.oggetto)
            .map(|(k, _)| (*k).to_owned()),
        user_id: f.chi.trim().parse().ok(),
        from: from.and_then(rome_day),
        until: to.and_then(|d| d.succ_opt()).and_then(rome_day),
        action,
        before_seq: None,
        oldest_first: paging.reverse(),
        offset: paging.offset(),
        limit: PER_PAGE,
    })
}

async fn rows(s: &AppState, f: &Params, paging: &Paging) -> Result<RowsPartial, PageError> {
    let search = search_of(f, paging)?;
    let total = db::audit::count(&s.db, &search, COUNT_CAP)
        .await
        .map_err(ApiError::internal)?;
    let recs = db::audit::search(&s.db, &search)
        .await
        .map_err(ApiError::internal)?;
    let shown = i64::try_from(recs.len()).unwrap_or(0);
    Ok(RowsPartial {
        lines: audit_words::lines(s, recs).await?,
        list: ListView {
            path: "/audit".into(),
            target: "audit-list",
            filters: f.in_url(),
            sort: "recenti".into(),
            default_sort: "recenti",
            reverse: paging.reverse(),
            page: paging.page(),
            total: total.min(COUNT_CAP),
            more: total > COUNT_CAP,
            shown,
            noun: ("registrazione", "registrazioni"),
            columns: vec![],
            csv: true,
        },
    })
}

async fn page(
    s: &AppState,
    sess: &crate::auth::Session,
    headers: &HeaderMap,
    f: Params,
    paging: Paging,
    verdict: String,
    verdict_ok: bool,
) -> Result<Response, PageError> {
    let body = rows(s, &f, &paging).await?;
    if is_htmx(headers) {
        return Ok(crate::pages::ok(&body));
    }
    let list_html = crate::pages::html(&body)?;
    let choice = |current: &str, all: &str, options: Vec<(String, String)>| {
        choices(
            current,
            std::iter::once((String::new(), all.to_owned())).chain(options),
        )
    };
    let entities = members::store::names(&s.db, &sess.actor()).await?;
    let people = accounts::store::list(&s.db, &sess.actor()).await?;
    Ok(crate::pages::render(
        if verdict.is_empty() || verdict_ok {
            StatusCode::OK
        } else {
            StatusCode::CONFLICT
        },
        &ListPage {
            layout: Layout::new(s, Some(sess), "Registro delle modifiche", "audit"),
            list_html,
            verdict,
            verdict_ok,
            entities: choice(
                &f.ente,
                "Tutti",
                entities
                    .into_iter()
                    .map(|(id, n)| (id.to_string(), n))
                    .collect(),
            ),
            people: choice(
                &f.chi,
                "Tutti",
                people
                    .into_iter()
                    .map(|(u, _)| {
                        let name = if u.full_name.is_empty() {
                            u.username.clone()
                        } else {
                            format!("{} ({})", u.full_name, u.username)
                        };
                        (u.id.to_string(), name)
                    })
                    .collect(),
            ),
            kinds: choice(
                &f.oggetto,
                "Tutto",
                KINDS
                    .iter()
                    .map(|(k, l)| ((*k).to_owned(), (*l).to_owned()))
                    .collect(),
            ),
            actions: choice(&f.azione, "Tutte", action_choices()),
            filtered: !f.in_url().is_empty(),
            f,
        },
    ))
}

fn params(raw: Option<&str>) -> Result<(Params, Paging), PageError> {
    let raw = raw.unwrap_or("");
    let bad = |_| PageError::new(StatusCode::BAD_REQUEST, "Parametri non validi.");
    Ok((
        serde_urlencoded::from_str(raw).map_err(bad)?,
        serde_urlencoded::from_str(raw).map_err(bad)?,
    ))
}

/// The filtered register as CSV, in its order (up to 10.000 records).
pub async fn csv(
    State(s): State<AppState>,
    PageAdmin(_sess): PageAdmin,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (f, paging) = params(raw.as_deref())?;
    let mut search = search_of(&f, &paging)?;
    search.limit = 1000;
    search.offset = 0;
    let mut out = kernel::csv::CsvWriter::new(&[
        "numero",
        "quando",
        "chi",
        "azione",
        "oggetto",
        "ente",
        "modifiche",
        "hash",
    ]);
    while search.offset < COUNT_CAP {
        let recs = db::audit::search(&s.db, &search)
            .await
            .map_err(ApiError::internal)?;
        let n = recs.len();
        for l in audit_words::lines(&s, recs).await? {
            out.row([
                l.seq.to_string(),
                l.at,
                l.who,
                l.action,
                l.object,
                l.entity,
                l.changes
                    .iter()
                    .map(|c| format!("{}: {} → {}", c.field, c.before, c.after))
                    .collect::<Vec<_>>()
                    .join("; "),
                l.hash,
            ]);
        }
        if n < 1000 {
            break;
        }
        search.offset += 1000;
    }
    Ok(crate::pages::list::csv_download(
        "registro.csv",
        out.finish(),
    ))
}

pub async fn list(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (f, paging) = params(raw.as_deref())?;
    page(&s, &sess, &headers, f, paging, String::new(), true).await
}

pub async fn verify(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (verdict, good) = match db::audit::verify(&s.db).await {
        Ok(n) => (
            format!("Catena integra: {n} registrazioni verificate."),
            true,
        ),
        Err(db::audit::VerifyError::Broken(e)) => (format!("Catena NON integra: {e}"), false),
        Err(e) => return Err(ApiError::internal(e).into()),
    };
    page(
        &s,
        &sess,
        &headers,
        Params::default(),
        Paging::default(),
        verdict,
        good,
    )
    .await
}
