//! The background work of `cst serve`: the job runner (outbound e-mail through SMTP, with
//! retries) and the IMAP poller of the help-desk mailbox.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use db::Db;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Mail settings from the command line or the environment.
#[derive(Debug, Clone, Default)]
pub struct MailSettings {
    /// `smtp://host:port`, `smtp://user:pass@host:587?tls=required`, `smtps://…`; none: mail
    /// stays queued (nothing is lost) until one is configured.
    pub smtp_url: Option<String>,
    /// `Assistenza <assistenza@cst.example.it>`.
    pub from: String,
    /// `imaps://user:pass@host/INBOX`; none: no inbound mail.
    pub imap_url: Option<String>,
    pub imap_poll: Duration,
    /// A private certificate authority (PEM) trusted for both servers.
    pub ca_pem: Option<Vec<u8>>,
    /// The authserv-id whose `Authentication-Results` are believed (our receiving server).
    pub authserv_id: Option<String>,
}

async fn stopped(mut rx: watch::Receiver<bool>) {
    while !*rx.borrow() {
        if rx.changed().await.is_err() {
            return;
        }
    }
}

/// Starts what is configured; every task ends when `stop` turns true.
pub fn spawn(
    db: &Db,
    s: &MailSettings,
    stop: &watch::Receiver<bool>,
) -> Result<Vec<JoinHandle<()>>> {
    let mut tasks = Vec::new();
    if let Some(url) = &s.smtp_url {
        let sender =
            Arc::new(mail::Sender::new(url, &s.from, s.ca_pem.as_deref()).context("SMTP")?);
        let runner = worker::Runner::new(db.clone()).handle(
            mail::SEND_JOB,
            mail::smtp::retry(),
            sender.handler(),
        );
        tracing::info!("sending e-mail through {}", crate::cli::redact(url));
        tasks.push(tokio::spawn(runner.run(stopped(stop.clone()))));
    } else {
        tracing::warn!("no SMTP server configured (--smtp-url): e-mails stay queued");
    }
    // Backup checks: silent backup systems become incidents, each with one ticket.
    {
        let db = db.clone();
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let done = stopped(stop);
            tokio::pin!(done);
            loop {
                match evaluate_backups(&db).await {
                    Ok(opened) if !opened.is_empty() => {
                        tracing::warn!(?opened, "backup checks: tickets opened")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!("backup checks: {e}"),
                }
                tokio::select! {
                    () = &mut done => return,
                    () = tokio::time::sleep(Duration::from_secs(15 * 60)) => {}
                }
            }
        }));
    }
    if let Some(url) = &s.imap_url {
        let mut cfg = mail::imap::ImapConfig::from_url(url).context("IMAP")?;
        cfg.ca_pem = s.ca_pem.clone();
        cfg.authserv_id = s.authserv_id.clone();
        tracing::info!("fetching help-desk mail from {cfg:?}");
        let db = db.clone();
        let every = s.imap_poll;
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let done = stopped(stop);
            tokio::pin!(done);
            loop {
                match poll(&db, &cfg).await {
                    Ok(r) if r.fetched > 0 => tracing::info!(?r, "help-desk mailbox polled"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!("help-desk mailbox: {e}"),
                }
                tokio::select! {
                    () = &mut done => return,
                    () = tokio::time::sleep(every) => {}
                }
            }
        }));
    }
    Ok(tasks)
}

/// One poll of the help-desk mailbox (see [`helpdesk::email::poll`]).
pub async fn poll(db: &Db, cfg: &mail::imap::ImapConfig) -> Result<mail::imap::PollReport> {
    let policy = helpdesk::store::policy(db).await?;
    Ok(helpdesk::email::poll(db, &policy, cfg).await?)
}

/// One evaluation of the backup checks with the centre's SLA policy.
async fn evaluate_backups(db: &Db) -> Result<Vec<String>, helpdesk::HelpdeskError> {
    let policy = helpdesk::store::policy(db).await?;
    helpdesk::backups::evaluate(db, &policy, chrono::Utc::now()).await
}
