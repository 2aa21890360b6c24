//! The background work in one place (admins): the schedules with their last run, the queue
//! by kind and state, each job with its last error; retry a failed job, cancel one that has
//! not run. Says plainly when no SMTP server or mailbox is configured.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

use crate::auth::{Flash, PageAdmin};
use crate::error::PageError;
use crate::pages::{ok, parse_id, Layout};
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
    states: Vec<(&'static str, &'static str)>,
    state: String,
    jobs: Vec<JobRow>,
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
}

pub async fn list(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let p: Params = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let state = Some(p.stato.as_str()).filter(|st| worker::admin::STATES.contains(st));
    let internal = |e: worker::JobError| crate::error::ApiError::internal(e);
    let n = crate::pages::notice(&s, &sess).await?;
    let schedules = worker::schedule::list(&s.db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|x| ScheduleRow {
            label: helpdesk::jobs::label(&x.kind),
            every: every(x.every_seconds),
            last: x
                .last_run_at
                .map_or_else(|| "mai".to_owned(), kernel::time::display_instant),
        })
        .collect();
    let counts = worker::admin::counts(&s.db)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|(k, st, c)| (helpdesk::jobs::label(&k), state_label(&st), c))
        .collect();
    let jobs = worker::admin::recent(&s.db, state, 100)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|j| JobRow {
            id: j.id,
            label: helpdesk::jobs::label(&j.kind),
            can_retry: matches!(j.state.as_str(), "failed" | "cancelled"),
            can_cancel: matches!(j.state.as_str(), "queued" | "failed"),
            state: state_of_one(&j.state),
            attempts: j.attempts,
            at: kernel::time::display_rome(&j.run_at),
            error: j.last_error.unwrap_or_default(),
        })
        .collect();
    let mut states = vec![("", "tutti")];
    states.extend(
        worker::admin::STATES
            .iter()
            .map(|st| (*st, state_label(st))),
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
        state: state.unwrap_or("").to_owned(),
        jobs,
    }))
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
