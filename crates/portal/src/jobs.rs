//! The portal's background work on the job runner of `cst serve`: the appointments' reminders
//! (looked at every hour, each booking reminded once, the day before) and the deletion of
//! citizens' data past the entity's retention (every six hours). Schedules: with several
//! processes on one database each slot runs once.

use std::sync::Arc;
use std::time::Duration;

use db::Db;
use kernel::time::Clock;
use worker::{Failure, Handler, Retry, Runner, Schedule};

pub const REMIND: &str = "portal.bookings.remind";
pub const PURGE: &str = "portal.citizen_data.purge";

/// The Italian name of a job kind of this crate, if it is one.
pub fn label(kind: &str) -> Option<&'static str> {
    match kind {
        REMIND => Some("Promemoria degli appuntamenti di domani"),
        PURGE => Some("Cancellazione dei dati dei cittadini scaduti"),
        _ => None,
    }
}

fn remind_handler(db: Db, clock: Clock) -> Handler {
    Arc::new(move |_job| {
        let (db, now) = (db.clone(), clock.now());
        Box::pin(async move {
            let sent = crate::store::slots::public::remind(&db, now)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?;
            if sent > 0 {
                tracing::info!(sent, "appointment reminders queued");
            }
            Ok(())
        })
    })
}

fn purge_handler(db: Db, clock: Clock) -> Handler {
    Arc::new(move |_job| {
        let (db, now) = (db.clone(), clock.now());
        Box::pin(async move {
            let p = crate::store::retention::purge(&db, now)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?;
            if p.registrations + p.bookings > 0 {
                tracing::info!(
                    registrations = p.registrations,
                    bookings = p.bookings,
                    "citizens' data past retention deleted"
                );
            }
            Ok(())
        })
    })
}

/// Adds the portal's job kinds and schedules to `runner`.
pub fn register(runner: Runner, db: &Db) -> Runner {
    let clock = runner.clock().clone();
    let once = Retry {
        max_attempts: 1,
        ..Retry::default()
    };
    runner
        .handle(REMIND, once, remind_handler(db.clone(), clock.clone()))
        .handle(PURGE, once, purge_handler(db.clone(), clock))
        .every(Schedule::new(
            "portal-reminders",
            REMIND,
            Duration::from_secs(60 * 60),
        ))
        .every(Schedule::new(
            "portal-retention",
            PURGE,
            Duration::from_secs(6 * 60 * 60),
        ))
}
