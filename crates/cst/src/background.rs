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
    pub smtp_url: Option<secrecy::SecretString>,
    /// `smpp://system_id:password@host:2775?source=Comune`; none: SMS stay queued.
    pub smpp_url: Option<secrecy::SecretString>,
    /// `Assistenza <assistenza@cst.example.it>`.
    pub from: String,
    /// `imaps://user:pass@host/INBOX`; none: no inbound mail.
    pub imap_url: Option<secrecy::SecretString>,
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

/// Starts the job runner, whatever is configured: every capability registers its job kinds
/// and schedules on it (the help desk: backup checks, and the mailbox if one is configured;
/// e-mail sending if an SMTP server is). Without SMTP, e-mails wait in the queue (the admin
/// page says so). The task ends when `stop` turns true.
pub fn spawn(
    db: &Db,
    s: &MailSettings,
    logs: (&logs::LogStore, &objstore::Target),
    stop: &watch::Receiver<bool>,
) -> Result<Vec<JoinHandle<()>>> {
    let mut runner = worker::Runner::new(db.clone());
    use secrecy::ExposeSecret;
    if let Some(url) = s.smtp_url.as_ref().map(ExposeSecret::expose_secret) {
        let sender =
            Arc::new(mail::Sender::new(url, &s.from, s.ca_pem.as_deref()).context("SMTP")?);
        runner = runner.handle(mail::SEND_JOB, mail::smtp::retry(), sender.handler());
        tracing::info!("sending e-mail through {}", crate::cli::redact(url));
    } else {
        tracing::warn!("no SMTP server configured (--smtp-url): e-mails stay queued");
    }
    if let Some(url) = s.smpp_url.as_ref().map(ExposeSecret::expose_secret) {
        let config =
            sms::client::Config::from_url(url).map_err(|e| anyhow::anyhow!("SMPP: {e}"))?;
        let gateway = Arc::new(addressbook::sms::job::Gateway::new(db.clone(), config));
        runner = runner
            .handle(
                addressbook::sms::job::SEND_JOB,
                addressbook::sms::job::retry(),
                gateway.clone().handler(),
            )
            .handle(
                addressbook::sms::job::RECEIPTS_JOB,
                worker::Retry {
                    max_attempts: 1,
                    ..worker::Retry::default()
                },
                gateway.receipts_handler(),
            )
            .every(worker::Schedule::new(
                "sms-receipts",
                addressbook::sms::job::RECEIPTS_JOB,
                Duration::from_secs(600),
            ));
        tracing::info!("sending SMS through {}", crate::cli::redact(url));
    } else {
        tracing::warn!("no SMS provider configured (--smpp-url): SMS stay queued");
    }
    let mailbox = match s.imap_url.as_ref().map(ExposeSecret::expose_secret) {
        Some(url) => {
            let mut cfg = mail::imap::ImapConfig::from_url(url).context("IMAP")?;
            cfg.ca_pem = s.ca_pem.clone();
            cfg.authserv_id = s.authserv_id.clone();
            tracing::info!("fetching help-desk mail from {cfg:?}");
            Some((cfg, s.imap_poll))
        }
        None => None,
    };
    let runner = helpdesk::jobs::register(runner, db, mailbox);
    let runner = delivery::jobs::register(runner, db);
    let runner = portal::jobs::register(runner, db);
    let runner = billing::jobs::register(runner, db);
    let runner = logs::jobs::register(runner, db, logs.0, logs.1);
    Ok(vec![tokio::spawn(runner.run(stopped(stop.clone())))])
}

/// One poll of the help-desk mailbox (see [`helpdesk::email::poll`]).
pub async fn poll(db: &Db, cfg: &mail::imap::ImapConfig) -> Result<mail::imap::PollReport> {
    Ok(helpdesk::email::poll(db, cfg, chrono::Utc::now()).await?)
}

/// Starts the syslog receivers and the log writer; the sources are read again every 10
/// seconds (another process may have registered one). Returns the pipeline, the writer's
/// handle (done once everything received is committed) and the bound addresses.
pub async fn receive_syslog(
    db: &Db,
    store: &logs::LogStore,
    listen: &logs::receive::Listen,
    stop: &watch::Receiver<bool>,
    tasks: &mut Vec<JoinHandle<()>>,
) -> Result<(logs::Ingest, JoinHandle<()>, logs::receive::Bound)> {
    let sources = logs::sources::all(db).await?;
    let (ingest, writer) = logs::Ingest::start(
        store,
        logs::ingest::SourceMap::new(&sources),
        kernel::time::Clock::system(),
    )?;
    let (bound, receivers) = logs::receive::start(&ingest, listen, stop).await?;
    tasks.extend(receivers);
    let (db, reload, stop) = (db.clone(), ingest.clone(), stop.clone());
    tasks.push(tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(10));
        let done = stopped(stop);
        tokio::pin!(done);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = &mut done => return,
            }
            match logs::sources::all(&db).await {
                Ok(all) => reload.set_sources(logs::ingest::SourceMap::new(&all)),
                Err(e) => tracing::warn!("log sources not reloaded: {e}"),
            }
        }
    }));
    Ok((ingest, writer, bound))
}
