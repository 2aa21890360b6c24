//! The background work in one place (admins): the schedules with their last run, the queue
//! by kind and state, each job with its last error; retry a failed job, cancel one that has
//! not run. Says plainly when no SMTP server or mailbox is configured.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use worker::admin::{JobQuery, JobSort};

use crate::auth::{Flash, PageAdmin};
use crate::error::PageError;
use crate::pages::list::{choices, Choice, Column, ListView, Paging, PER_PAGE};
use crate::pages::{is_htmx, ok, parse_id, sentence, Layout};
use crate::AppState;

pub struct ScheduleRow {
    pub label: &'static str,
    pub every: String,
    pub last: String,
}

pub struct JobRow {
    pub id: i64,
    pub label: &'static str,
    pub state: &'static str,
    pub attempts: i64,
    pub at: String,
    pub error: String,
    pub can_retry: bool,
    pub can_cancel: bool,
}

#[derive(Template)]
#[template(path = "jobs/list.html")]
struct JobsPage {
    layout: Layout,
    message: String,
    saved: String,
    smtp_configured: bool,
    mailbox_configured: bool,
    schedules: Vec<ScheduleRow>,
    counts: Vec<(&'static str, &'static str, i64)>,
    states: Vec<Choice>,
    kinds: Vec<Choice>,
    list_html: String,
}

/// The list itself: what htmx replaces when a filter, the order or the page changes.
#[derive(Template)]
#[template(path = "jobs/rows.html")]
struct RowsPartial {
    csrf: String,
    jobs: Vec<JobRow>,
    list: ListView,
}

/// The Italian word for one job's state.
fn state_of_one(state: &str) -> &'static str {
    match state {
        "queued" => "in coda",
        "running" => "in esecuzione",
        "failed" => "non riuscita",
        "done" => "completata",
        "cancelled" => "annullata",
        _ => "sconosciuto",
    }
}

/// The Italian word for a state of several jobs ("3 non riuscite").
fn state_label(state: &str) -> &'static str {
    match state {
        "queued" => "in coda",
        "running" => "in esecuzione",
        "failed" => "non riuscite",
        "done" => "completate",
        "cancelled" => "annullate",
        _ => "sconosciuto",
    }
}

/// "15 minuti", "1 minuto", "30 secondi", "2 ore".
fn every(seconds: i64) -> String {
    let (n, one, many) = if seconds % 3600 == 0 {
        (seconds / 3600, "ora", "ore")
    } else if seconds % 60 == 0 {
        (seconds / 60, "minuto", "minuti")
    } else {
        (seconds, "secondo", "secondi")
    };
    format!("{n} {}", if n == 1 { one } else { many })
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct Params {
    stato: String,
    tipo: String,
}

/// The query of the list: only known states; a kind as given (it matches nothing otherwise).
fn query(p: &Params, paging: &Paging) -> JobQuery {
    JobQuery {
        state: Some(p.stato.trim())
            .filter(|st| worker::admin::STATES.contains(st))
            .map(str::to_owned),
        kind: Some(p.tipo.trim())
            .filter(|k| !k.is_empty())
            .map(|k| k.chars().take(100).collect()),
        sort: JobSort::parse(&paging.ordine).unwrap_or_default(),
        reverse: paging.reverse(),
        limit: PER_PAGE,
        offset: paging.offset(),
    }
}

fn internal(e: worker::JobError) -> PageError {
    crate::error::ApiError::internal(e).into()
}

fn job_row(j: worker::JobInfo) -> JobRow {
    JobRow {
        id: j.id,
        label: job_label(&j.kind),
        can_retry: matches!(j.state.as_str(), "failed" | "cancelled"),
        can_cancel: matches!(j.state.as_str(), "queued" | "failed"),
        state: state_of_one(&j.state),
        attempts: j.attempts,
        at: kernel::time::display_rome(&j.run_at),
        error: j.last_error.unwrap_or_default(),
    }
}

pub async fn list(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (p, paging) = crate::pages::list::params::<Params>(raw.as_deref());
    let q = query(&p, &paging);
    let (total, jobs) = worker::admin::page(&s.db, &q).await.map_err(internal)?;
    let mut filters = vec![];
    if let Some(st) = &q.state {
        filters.push(("stato".to_owned(), st.clone()));
    }
    if let Some(k) = &q.kind {
        filters.push(("tipo".to_owned(), k.clone()));
    }
    let body = RowsPartial {
        csrf: sess.csrf.clone(),
        list: ListView {
            path: "/jobs".into(),
            target: "job-list",
            filters,
            sort: q.sort.as_str().to_owned(),
            default_sort: "recenti",
            reverse: q.reverse,
            page: paging.page(),
            total: total.min(worker::admin::COUNT_CAP),
            more: total > worker::admin::COUNT_CAP,
            shown: i64::try_from(jobs.len()).unwrap_or(0),
            noun: ("attività", "attività"),
            columns: vec![
                Column::sort("recenti", "N."),
                Column::plain("Attività"),
                Column::plain("Stato"),
                Column::sort("tentativi", "Tentativi").wide(),
                Column::sort("quando", "Quando").wide(),
                Column::plain("Ultimo errore").wide(),
                Column::plain("Azioni"),
            ],
            csv: true,
        },
        jobs: jobs.into_iter().map(job_row).collect(),
    };
    if is_htmx(&headers) {
        return Ok(ok(&body));
    }
    let list_html = crate::pages::html(&body)?;
    let n = crate::pages::notice(&s, &sess).await?;
    let schedules = worker::schedule::list(&s.db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|x| ScheduleRow {
            label: job_label(&x.kind),
            every: every(x.every_seconds),
            last: x
                .last_run_at
                .map_or_else(|| "mai".to_owned(), kernel::time::display_instant),
        })
        .collect();
    let raw_counts = worker::admin::counts(&s.db).await.map_err(internal)?;
    let mut kinds: Vec<String> = raw_counts.iter().map(|(k, _, _)| k.clone()).collect();
    kinds.dedup();
    let counts = raw_counts
        .into_iter()
        .map(|(k, st, c)| (job_label(&k), state_label(&st), c))
        .collect();
    let states = choices(
        q.state.as_deref().unwrap_or(""),
        worker::admin::STATES
            .iter()
            .map(|st| ((*st).to_owned(), sentence(state_label(st)))),
    );
    let kinds = choices(
        q.kind.as_deref().unwrap_or(""),
        kinds.into_iter().map(|k| {
            let label = job_label(&k).to_owned();
            (k, label)
        }),
    );
    Ok(ok(&JobsPage {
        layout: Layout::new(&s, Some(&sess), "Attività in background", "jobs"),
        message: n.error,
        saved: n.saved,
        smtp_configured: s.config.smtp_configured,
        mailbox_configured: s.config.mailbox_configured,
        schedules,
        counts,
        states,
        kinds,
        list_html,
    }))
}

/// The filtered jobs as CSV, in their order (up to 10.000).
pub async fn csv(
    State(s): State<AppState>,
    PageAdmin(_sess): PageAdmin,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (p, paging) = crate::pages::list::params::<Params>(raw.as_deref());
    let mut q = query(&p, &paging);
    q.limit = 1000;
    q.offset = 0;
    let mut out = kernel::csv::CsvWriter::new(&[
        "numero",
        "attività",
        "tipo",
        "stato",
        "tentativi",
        "quando",
        "ultimo errore",
    ]);
    while q.offset < worker::admin::COUNT_CAP {
        let (_, jobs) = worker::admin::page(&s.db, &q).await.map_err(internal)?;
        let n = jobs.len();
        for j in jobs {
            let kind = j.kind.clone();
            let r = job_row(j);
            out.row([
                r.id.to_string(),
                r.label.to_owned(),
                kind,
                r.state.to_owned(),
                r.attempts.to_string(),
                r.at,
                r.error,
            ]);
        }
        if n < 1000 {
            break;
        }
        q.offset += 1000;
    }
    Ok(crate::pages::list::csv_download(
        "attivita.csv",
        out.finish(),
    ))
}

async fn act(
    s: &AppState,
    sess: &crate::auth::Session,
    result: Result<(), worker::admin::ActionError>,
    done: String,
) -> Result<Response, PageError> {
    let flash = match result {
        Ok(()) => Flash {
            saved: done,
            ..Default::default()
        },
        Err(
            e @ (worker::admin::ActionError::Refused { .. }
            | worker::admin::ActionError::NotFound(_)),
        ) => Flash::error(e.to_string()),
        Err(e) => return Err(e.into()),
    };
    crate::pages::back_with(s, sess, "/jobs", flash).await
}

pub async fn retry(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let r = worker::admin::retry(&s.db, &sess.actor(), id).await;
    act(&s, &sess, r, format!("L'attività {id} è di nuovo in coda.")).await
}

pub async fn cancel(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let r = worker::admin::cancel(&s.db, &sess.actor(), id).await;
    act(&s, &sess, r, format!("L'attività {id} è stata annullata.")).await
}

/// The Italian name of a job kind, whichever capability registered it.
fn job_label(kind: &str) -> &'static str {
    delivery::jobs::label(kind)
        .or_else(|| billing::jobs::label(kind))
        .or_else(|| logs::jobs::label(kind))
        .or_else(|| portal::jobs::label(kind))
        .or_else(|| addressbook::sms::job::label(kind))
        .unwrap_or_else(|| helpdesk::jobs::label(kind))
}

#[cfg(test)]
mod tests {
    use super::every;

    #[test]
    fn intervals_read_in_italian() {
        assert_eq!(every(900), "15 minuti");
        assert_eq!(every(60), "1 minuto");
        assert_eq!(every(7200), "2 ore");
        assert_eq!(every(45), "45 secondi");
    }
}
