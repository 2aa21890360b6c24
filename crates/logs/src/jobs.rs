//! The log capability's background work on the job runner of `cst serve`: every hour, each
//! entity with a schedule gets the exports it is owed (whole past days, weeks or months since
//! its last export), and each entity with settings has its store purged of what its retention
//! lets go (only what verified exports cover). A schedule slot runs once even with several
//! processes on one database; exports of one process are one at a time.

use std::sync::Arc;
use std::time::Duration;

use db::Db;
use kernel::time::Clock;
use kernel::Actor;
use objstore::Target;
use worker::{Failure, Handler, Retry, Runner, Schedule};

use crate::period::{day_of, due_periods, parse_day};
use crate::LogStore;

/// Make the exports that are due and purge what retention lets go.
pub const EXPORT_AND_PURGE: &str = "logs.export_and_purge";
/// Mark the sources silent for longer than expected (and open their tickets).
pub const SILENCE: &str = "logs.silence";

/// The Italian name of a job kind of this crate, if it is one.
pub fn label(kind: &str) -> Option<&'static str> {
    match kind {
        EXPORT_AND_PURGE => Some("Esportazioni sigillate e conservazione dei log"),
        SILENCE => Some("Controllo delle sorgenti dei log silenziose"),
        _ => None,
    }
}

/// One round: the exports due on `today`, then the purges. Returns how many exports and
/// purges were made; an entity's failure is logged and the others go on (the next round
/// tries again).
pub async fn round(
    db: &Db,
    store: &LogStore,
    target: &Target,
    today: chrono::NaiveDate,
) -> Result<(usize, usize), crate::LogsError> {
    let actor = Actor::system("system:log-exports");
    let (mut exported, mut purged) = (0, 0);
    for s in crate::settings::all(db).await? {
        let Some(every) = s.schedule.filter(|_| !s.recipients.is_empty()) else {
            continue;
        };
        let Some(oldest) = crate::retention::oldest(store, s.entity_id).await? else {
            continue;
        };
        let last_to = crate::export::of_entity(db, s.entity_id)
            .await?
            .iter()
            .filter_map(|e| parse_day(&e.to))
            .max();
        for (from, to) in due_periods(every, day_of(oldest), last_to, today) {
            let target = crate::export::entity_target(target, s.entity_id);
            match crate::export::export(
                db,
                store,
                &target,
                &actor,
                s.entity_id,
                from,
                to,
                "schedule",
            )
            .await
            {
                Ok(_) => exported += 1,
                Err(e) => {
                    tracing::warn!(entity = s.entity_id, %from, %to, "scheduled log export failed: {e}");
                    break;
                }
            }
        }
    }
    for s in crate::settings::all(db).await? {
        match crate::retention::purge(db, store, target, &actor, s.entity_id, today).await {
            Ok(Some(p)) => {
                tracing::info!(
                    entity = s.entity_id,
                    before = p.before_day,
                    messages = p.messages,
                    "log store purged"
                );
                purged += 1;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(entity = s.entity_id, "log purge failed: {e}"),
        }
    }
    Ok((exported, purged))
}

fn handler(db: Db, store: LogStore, target: Target, clock: Clock) -> Handler {
    Arc::new(move |_job| {
        let (db, store, target, today) = (db.clone(), store.clone(), target.clone(), clock.today());
        Box::pin(async move {
            round(&db, &store, &target, today)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?;
            Ok(())
        })
    })
}

fn silence_handler(db: Db, store: LogStore, clock: Clock) -> Handler {
    Arc::new(move |_job| {
        let (db, store, now) = (db.clone(), store.clone(), clock.now());
        Box::pin(async move {
            let r = crate::silence::evaluate(&db, &store, now)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?;
            if !r.silent.is_empty() || !r.tickets.is_empty() {
                tracing::warn!(silent = ?r.silent, tickets = ?r.tickets, "log sources silent");
            }
            Ok(())
        })
    })
}

/// Adds the log capability's job kinds and schedules to `runner`.
pub fn register(runner: Runner, db: &Db, store: &LogStore, target: &Target) -> Runner {
    let clock = runner.clock().clone();
    runner
        .handle(
            SILENCE,
            Retry {
                max_attempts: 1,
                ..Retry::default()
            },
            silence_handler(db.clone(), store.clone(), clock.clone()),
        )
        .every(Schedule::new(
            "log-silence",
            SILENCE,
            Duration::from_secs(5 * 60),
        ))
        .handle(
            EXPORT_AND_PURGE,
            Retry {
                max_attempts: 1,
                ..Retry::default()
            },
            handler(db.clone(), store.clone(), target.clone(), clock),
        )
        .every(Schedule::new(
            "log-exports",
            EXPORT_AND_PURGE,
            Duration::from_secs(60 * 60),
        ))
}
