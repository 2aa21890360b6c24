//! The help desk's background work, registered on the job runner of `cst serve`: the backup
//! checks evaluated every 15 minutes, and the help-desk mailbox fetched every poll interval.
//! Both are schedules (see `worker::schedule`), so with several processes on one database
//! each slot runs once and the mailbox has one poller at a time.

use std::sync::Arc;
use std::time::Duration;

use db::Db;
use kernel::time::Clock;
use worker::{Failure, Handler, Retry, Runner, Schedule};

/// Evaluate the backup checks: a silent or failed backup becomes an incident with one ticket.
pub const EVALUATE_BACKUPS: &str = "helpdesk.backups.evaluate";
/// Fetch the help-desk mailbox once.
pub const FETCH_MAIL: &str = "helpdesk.mail.fetch";

/// How often the backup checks are evaluated.
pub const BACKUP_EVERY: Duration = Duration::from_secs(15 * 60);

/// A scheduled job is not retried: the next slot runs it again. Its failure stays visible.
fn once() -> Retry {
    Retry {
        max_attempts: 1,
        ..Retry::default()
    }
}

/// The Italian name of a job kind, for the admin page.
pub fn label(kind: &str) -> &'static str {
    match kind {
        EVALUATE_BACKUPS => "Controllo dei backup degli enti",
        FETCH_MAIL => "Lettura della casella dell'assistenza",
        mail::SEND_JOB => "Invio di un'e-mail",
        _ => "Altra attività",
    }
}

fn evaluate_handler(db: Db, clock: Clock) -> Handler {
    Arc::new(move |_job| {
        let (db, now) = (db.clone(), clock.now());
        Box::pin(async move {
            let opened = crate::backups::evaluate(&db, now)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?;
            if !opened.is_empty() {
                tracing::warn!(?opened, "backup checks: tickets opened");
            }
            Ok(())
        })
    })
}

fn fetch_handler(db: Db, cfg: Arc<mail::imap::ImapConfig>, clock: Clock) -> Handler {
    Arc::new(move |_job| {
        let (db, cfg, now) = (db.clone(), cfg.clone(), clock.now());
        Box::pin(async move {
            let r = crate::email::poll(&db, &cfg, now)
                .await
                .map_err(|e| Failure::Transient(e.to_string()))?;
            if r.fetched > 0 {
                tracing::info!(?r, "help-desk mailbox polled");
            }
            Ok(())
        })
    })
}

/// Adds the help desk's job kinds and schedules to `runner`; the mailbox only when one is
/// configured (with its poll interval).
pub fn register(
    runner: Runner,
    db: &Db,
    mailbox: Option<(mail::imap::ImapConfig, Duration)>,
) -> Runner {
    let clock = runner.clock().clone();
    let mut runner = runner
        .handle(
            EVALUATE_BACKUPS,
            once(),
            evaluate_handler(db.clone(), clock.clone()),
        )
        .every(Schedule::new(
            "backup-checks",
            EVALUATE_BACKUPS,
            BACKUP_EVERY,
        ));
    if let Some((cfg, every)) = mailbox {
        runner = runner
            .handle(
                FETCH_MAIL,
                once(),
                fetch_handler(db.clone(), Arc::new(cfg), clock),
            )
            .every(Schedule::new("mailbox", FETCH_MAIL, every));
    }
    runner
}
