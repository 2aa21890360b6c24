//! The statements as pages: the list of the year (search, filters, sortable columns, pages)
//! with the billing run and its progress bar and the totals per service (staff), and each
//! entity's statements on its page (staff and its contacts).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use billing::store::runs::{self, Run};
use billing::store::statement_list::{self, StatementQuery, StatementSort};
use billing::store::statements::{self, Statement};
use chrono::{Datelike, NaiveDate};
use kernel::{Actor, Euro};
use serde::Deserialize;

use crate::auth::{Flash, PageAdmin, PageUser, Session};
use crate::capabilities::delivery::work_pages::refusal;
use crate::error::PageError;
use crate::pages::list::{choices, Choice, Column, ListView, Paging, PER_PAGE};
use crate::pages::{back_with, is_htmx, ok, Layout};
use crate::AppState;

/// A statement in a list.
pub struct StatementRow {
    pub id: i64,
    pub entity_id: i64,
    pub entity: String,
    pub year: i32,
    /// `2026/0001`, or "bozza".
    pub number: String,
    pub state: &'static str,
    pub net: String,
    pub total: String,
    pub due: String,
    pub paid: String,
    pub left: String,
    pub overdue: bool,
}

pub fn statement_row(s: &Statement, today: NaiveDate) -> StatementRow {
    let left = s.payable - s.paid;
    StatementRow {
        id: s.id,
        entity_id: s.entity_id,
        entity: s.entity_name.clone(),
        year: s.year,
        number: s.number.clone().unwrap_or_else(|| "bozza".into()),
        state: s.state_label(),
        net: s.net.to_string(),
        total: s.total.to_string(),
        due: s.due_on.map(kernel::time::display_date).unwrap_or_default(),
        paid: s.paid.to_string(),
        left: if s.state == "draft" || left <= Euro::ZERO {
            String::new()
        } else {
            left.to_string()
        },
        overdue: s.state != "draft"
            && s.state != "paid"
            && left > Euro::ZERO
            && s.due_on.is_some_and(|d| d < today),
    }
}

/// The statements an entity's page shows (issued ones to its contacts).
pub async fn entity_rows(
    s: &AppState,
    actor: &Actor,
    entity_id: i64,
) -> Result<Vec<StatementRow>, PageError> {
    if actor.role == kernel::Role::Supplier {
        return Ok(vec![]);
    }
    let today = s.clock.today();
    Ok(statements::of_entity(&s.db, actor, entity_id, None)
        .await?
        .iter()
        .map(|x| statement_row(x, today))
        .collect())
}

/// A run as the page shows it.
pub struct RunView {
    pub id: i64,
    pub year: i32,
    pub running: bool,
    pub failed: bool,
    pub percent: i64,
    pub done: String,
    pub total: String,
    pub lines: String,
    pub error: String,
    pub when: String,
    pub problems: Vec<(i64, String, String)>,
}

fn run_view(r: Run) -> RunView {
    let running = r.state == "queued" || r.state == "running";
    RunView {
        id: r.id,
        year: r.year,
        running,
        failed: r.state == "failed",
        percent: if r.total > 0 {
            r.done * 100 / r.total
        } else if running {
            0
        } else {
            100
        },
        done: crate::pages::list::count(r.done),
        total: crate::pages::list::count(r.total),
        lines: crate::pages::list::count(r.lines_added),
        error: r.error.unwrap_or_default(),
        when: kernel::time::display_rome(&r.created_at),
        problems: r
            .problems
            .into_iter()
            .map(|p| (p.entity_id, p.entity_name, p.message))
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "statements/list.html")]
struct ListPage {
    layout: Layout,
    title: String,
    list_html: String,
    f: Filters,
    states: Vec<Choice>,
    is_admin: bool,
    is_staff: bool,
    run: Option<RunView>,
    year: i32,
    by_service: Vec<(String, String, String)>,
    drafts: i64,
    /// E-invoices of the year ready to send.
    ready: i64,
    flash: Flash,
}

#[derive(Template)]
#[template(path = "statements/rows.html")]
struct RowsPartial {
    rows: Vec<StatementRow>,
    list: ListView,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Filters {
    q: String,
    anno: String,
    stato: String,
}

impl Filters {
    fn year(&self, today: NaiveDate) -> i32 {
        self.anno
            .trim()
            .parse()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .unwrap_or(today.year())
    }

    fn in_url(&self) -> Vec<(String, String)> {
        [("q", &self.q), ("anno", &self.anno), ("stato", &self.stato)]
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
            .collect()
    }
}

fn no_supplier(sess: &Session) -> Result<(), PageError> {
    if sess.user.role == kernel::Role::Supplier {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "I rendiconti sono riservati al centro servizi e ai referenti degli enti.",
        ));
    }
    Ok(())
}

/// `/statements`: the year's statements; staff also see the billing run and the totals.
pub async fn list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let actor = sess.actor();
    let today = s.clock.today();
    let (f, paging): (Filters, Paging) = crate::pages::list::params(raw.as_deref());
    let year = f.year(today);
    // What is overdue is overdue whatever its year, unless a year is asked for.
    let overdue_all = f.stato.trim() == "overdue" && f.anno.trim().is_empty();
    let q = StatementQuery {
        q: f.q.trim().chars().take(100).collect(),
        year: (!overdue_all).then_some(year),
        state: Some(f.stato.trim().to_owned()).filter(|s| !s.is_empty()),
        entity_id: None,
        sort: StatementSort::parse(&paging.ordine).unwrap_or_default(),
        reverse: paging.reverse(),
        limit: PER_PAGE,
        offset: paging.offset(),
    };
    let (total, rows) = statement_list::page(&s.db, &actor, &q, today).await?;
    let body = RowsPartial {
        list: ListView {
            path: "/statements".into(),
            target: "statement-list",
            filters: f.in_url(),
            sort: q.sort.as_str().to_owned(),
            default_sort: "numero",
            reverse: q.reverse,
            page: paging.page(),
            total,
            more: false,
            shown: i64::try_from(rows.len()).unwrap_or(0),
            noun: ("rendiconto", "rendiconti"),
            columns: vec![
                Column::sort("numero", "Numero"),
                Column::sort("ente", "Ente"),
                Column::plain("Stato").wide(),
                Column::sort("importo", "Netto"),
                Column::plain("Totale").wide(),
                Column::sort("scadenza", "Scadenza").wide(),
            ],
            csv: false,
        },
        rows: rows.iter().map(|x| statement_row(x, today)).collect(),
    };
    // The progress bar polls the whole page (its target is `run-progress`); the list's
    // search and paging ask for the list only.
    let wants_list = headers
        .get("hx-target")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|t| t == "statement-list");
    if is_htmx(&headers) && wants_list {
        return Ok(ok(&body));
    }
    let flash = crate::pages::notice(&s, &sess).await?;
    let ready = if actor.is_staff() {
        billing::store::invoices::ready_count(&s.db, &actor, year).await?
    } else {
        0
    };
    let (run, by_service, drafts) = if actor.is_staff() {
        let run = runs::recent(&s.db, &actor, 20)
            .await?
            .into_iter()
            .find(|r| r.year == year)
            .map(run_view);
        let t = statements::year_totals(&s.db, &actor, year).await?;
        (
            run,
            t.by_service
                .into_iter()
                .map(|(k, d, i)| (k, d.to_string(), i.to_string()))
                .collect(),
            t.drafts,
        )
    } else {
        (None, vec![], 0)
    };
    let states = choices(
        f.stato.trim(),
        [
            ("draft", "Bozze"),
            ("issued", "Emessi"),
            ("invoiced", "Fatturati"),
            ("paid", "Pagati"),
            ("overdue", "Scaduti e non pagati"),
        ]
        .into_iter()
        .filter(|(k, _)| actor.is_staff() || *k != "draft")
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    Ok(ok(&ListPage {
        title: if overdue_all {
            "Pagamenti scaduti".to_owned()
        } else {
            format!("Rendiconti {year}")
        },
        layout: Layout::new(
            &s,
            Some(&sess),
            if overdue_all {
                "Pagamenti scaduti"
            } else {
                "Rendiconti"
            },
            if overdue_all { "overdue" } else { "statements" },
        ),
        list_html: crate::pages::html(&body)?,
        f,
        states,
        is_admin: actor.is_admin(),
        is_staff: actor.is_staff(),
        run,
        year,
        by_service,
        drafts,
        ready,
        flash,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RunForm {
    anno: String,
    confermato: String,
}

/// `/statements/elabora`: starts the year's billing run (administrators).
pub async fn start(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Form(f): Form<RunForm>,
) -> Result<Response, PageError> {
    year_action(s, sess, "elabora", f).await
}

/// `/statements/emetti`: issues every draft of the year, after a confirmation.
pub async fn issue_all(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Form(f): Form<RunForm>,
) -> Result<Response, PageError> {
    year_action(s, sess, "emetti", f).await
}

async fn year_action(
    s: AppState,
    sess: Session,
    action: &str,
    f: RunForm,
) -> Result<Response, PageError> {
    let actor = sess.actor();
    let year: i64 = f.anno.trim().parse().unwrap_or(0);
    let back = format!("/statements?anno={}", f.anno.trim());
    let done: Result<String, billing::BillingError> = match action {
        "elabora" => runs::start(&s.db, &actor, year, None).await.map(|r| {
            format!(
                "Elaborazione dei rendiconti del {} avviata: la barra mostra l'avanzamento.",
                r.year
            )
        }),
        "emetti" if !crate::pages::confirm::confirmed(&f.confermato) => {
            let t = statements::year_totals(&s.db, &actor, year as i32).await?;
            return Ok(crate::pages::confirm::page(
                &s,
                &sess,
                "statements",
                crate::pages::confirm::Confirm {
                    question: format!(
                        "Emettere {} del {year}?",
                        if t.drafts == 1 {
                            "la bozza".to_owned()
                        } else {
                            format!("le {} bozze", crate::pages::list::count(t.drafts))
                        }
                    ),
                    consequences: vec![
                        format!("Imponibile complessivo: {}.", t.draft_net),
                        "Ogni rendiconto prende il suo numero dell'anno e non si potrà più modificare: una correzione successiva diventa un conguaglio o una nota di credito.".into(),
                        "Gli enti li vedono nel portale da subito.".into(),
                    ],
                    action: "/statements/emetti".into(),
                    fields: vec![("anno".into(), year.to_string())],
                    note: None,
                    confirm_label: "Emetti i rendiconti".into(),
                    cancel: back.clone(),
                },
            ));
        }
        "emetti" => statements::issue_year(&s.db, &actor, year as i32, s.clock.today())
            .await
            .map(|n| {
                format!(
                    "Emessi {} rendiconti del {year}.",
                    crate::pages::list::count(n)
                )
            }),
        _ => return Err(PageError::new(StatusCode::NOT_FOUND, "Azione sconosciuta.")),
    };
    let flash = match done {
        Ok(said) => Flash::saved(said),
        Err(e) => Flash {
            error: refusal(e)?,
            values: vec![("anno".into(), f.anno.clone())],
            place: "elaborazione".into(),
            ..Default::default()
        },
    };
    back_with(&s, &sess, &back, flash).await
}
