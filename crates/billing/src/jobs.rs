//! Billing's background work, registered on the job runner of `cst serve`: the billing runs
//! an admin asks for (one job per run; a run interrupted by a stop is claimed again when its
//! lease ends, and picks up safely: every draft is recomputed from the facts).

use std::sync::Arc;
use std::time::Duration;

use db::Db;
use kernel::time::Clock;
use worker::{Failure, Handler, Retry, Runner, Schedule};

use crate::store::runs::{self, RUN_JOB};

/// The Italian name of a job kind of this crate, if it is one.
pub fn label(kind: &str) -> Option<&'static str> {
    match kind {
        RUN_JOB => Some("Elaborazione dei rendiconti"),
        REMIND_OVERDUE => Some("Solleciti dei pagamenti scaduti"),
        REMIND_DEADLINES => Some("Promemoria delle scadenze"),
        _ => None,
    }
}

/// Send the reminders of overdue statements (a daily schedule).
pub const REMIND_OVERDUE: &str = "billing.payments.remind";

/// Send the deadlines' reminders that are due (a schedule).
pub const REMIND_DEADLINES: &str = "billing.deadlines.remind";

fn deadlines_handler(db: Db, clock: Clock) -> Handler {
    Arc::new(move |_job| {
        let (db, today) = (db.clone(), clock.today());
        Box::pin(async move {
            let sent = crate::store::deadlines::remind(&db, today)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?;
            if sent > 0 {
                tracing::info!(sent, "deadline reminders queued");
            }
            Ok(())
        })
    })
}

fn remind_handler(db: Db, clock: Clock) -> Handler {
    Arc::new(move |_job| {
        let (db, today) = (db.clone(), clock.today());
        Box::pin(async move {
            let sent = crate::store::payments::remind(&db, today)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?;
            if sent > 0 {
                tracing::info!(sent, "overdue payment reminders queued");
            }
            Ok(())
        })
    })
}

#[derive(serde::Deserialize)]
struct Payload {
    run_id: i64,
}

fn run_handler(db: Db) -> Handler {
    Arc::new(move |job| {
        let db = db.clone();
        Box::pin(async move {
            let p: Payload = serde_json::from_str(&job.payload)
                .map_err(|e| Failure::Permanent(format!("payload: {e}")))?;
            let run = runs::execute(&db, p.run_id)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?;
            tracing::info!(run = run.id, state = %run.state, done = run.done, lines = run.lines_added, "billing run");
            Ok(())
        })
    })
}

/// Adds billing's job kinds to `runner`.
pub fn register(runner: Runner, db: &Db) -> Runner {
    let clock = runner.clock().clone();
    runner
        .handle(
            RUN_JOB,
            Retry {
                max_attempts: 3,
                ..Retry::default()
            },
            run_handler(db.clone()),
        )
        .handle(
            REMIND_OVERDUE,
            Retry {
                max_attempts: 1,
                ..Retry::default()
            },
            remind_handler(db.clone(), clock.clone()),
        )
        .handle(
            REMIND_DEADLINES,
            Retry {
                max_attempts: 1,
                ..Retry::default()
            },
            deadlines_handler(db.clone(), clock),
        )
        .every(Schedule::new(
            "deadline-reminders",
            REMIND_DEADLINES,
            Duration::from_secs(6 * 60 * 60),
        ))
        .every(Schedule::new(
            "overdue-reminders",
            REMIND_OVERDUE,
            Duration::from_secs(6 * 60 * 60),
        ))
}
