//! Delivery's background work, registered on the job runner of `cst serve`: the needs
//! campaign's reminders, looked at every hour (a schedule: with several processes on one
//! database each slot runs once, and each reminder is marked before it is queued).

use std::sync::Arc;
use std::time::Duration;

use db::Db;
use kernel::time::Clock;
use worker::{Failure, Handler, Retry, Runner, Schedule};

/// Send the needs campaign's reminders that are due.
pub const REMIND_NEEDS: &str = "delivery.needs.remind";

/// The Italian name of a job kind of this crate, if it is one.
pub fn label(kind: &str) -> Option<&'static str> {
    (kind == REMIND_NEEDS).then_some("Promemoria della scheda dei fabbisogni")
}

fn remind_handler(db: Db, clock: Clock) -> Handler {
    Arc::new(move |_job| {
        let (db, today) = (db.clone(), clock.today());
        Box::pin(async move {
            let sent = crate::store::needs::remind(&db, today)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?;
            if sent > 0 {
                tracing::info!(sent, "needs form reminders queued");
            }
            Ok(())
        })
    })
}

/// Adds delivery's job kinds and schedules to `runner`.
pub fn register(runner: Runner, db: &Db) -> Runner {
    let clock = runner.clock().clone();
    runner
        .handle(
            REMIND_NEEDS,
            Retry {
                max_attempts: 1,
                ..Retry::default()
            },
            remind_handler(db.clone(), clock),
        )
        .every(Schedule::new(
            "needs-reminders",
            REMIND_NEEDS,
            Duration::from_secs(60 * 60),
        ))
}
