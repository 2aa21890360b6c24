//! `cst mail send|fetch`: the help desk's e-mail by hand, and the mail options of `serve`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;
use secrecy::{ExposeSecret, SecretString};

use super::open;

#[derive(Subcommand, Debug)]
pub enum MailCommand {
    /// Sends the queued e-mails that are due, once, and reports what is left.
    Send {
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Polls the help-desk mailbox once.
    Fetch {
        #[command(flatten)]
        mail: MailArgs,
    },
}

/// E-mail of the help desk.
#[derive(clap::Args, Debug, Clone)]
pub struct MailArgs {
    /// SMTP server for outbound mail: `smtp://host:25`, `smtp://user:pass@host:587?tls=required`
    /// or `smtps://user:pass@host:465`. Without it e-mails stay queued until one is set.
    #[arg(long, env = "CST_SMTP_URL")]
    pub smtp_url: Option<SecretString>,
    /// The SMS provider over SMPP 3.4: `smpp://system_id:password@host:2775?source=Comune`
    /// (`source`: the sender shown on phones; `window`: submits outstanding, 10). Without it
    /// SMS stay queued (nothing is lost) until one is set.
    #[arg(long, env = "CST_SMPP_URL")]
    pub smpp_url: Option<SecretString>,
    /// The sender of outbound mail.
    #[arg(
        long,
        env = "CST_MAIL_FROM",
        default_value = "Assistenza CST <assistenza@cst.localhost>"
    )]
    pub mail_from: String,
    /// The help-desk mailbox: `imaps://user:pass@host/INBOX` (or `imap://` on loopback).
    #[arg(long, env = "CST_IMAP_URL")]
    pub imap_url: Option<SecretString>,
    /// Seconds between two polls of the mailbox.
    #[arg(long, env = "CST_IMAP_POLL_SECONDS", default_value_t = 60)]
    pub imap_poll_seconds: u64,
    /// A PEM file with the certificate(s) of a private certificate authority to trust for the
    /// SMTP and IMAP servers, besides the public ones (mail servers with internal certificates).
    #[arg(long, env = "CST_MAIL_CA_FILE")]
    pub mail_ca_file: Option<PathBuf>,
    /// The authserv-id of the server that receives the help desk's mail (the first word of
    /// the `Authentication-Results` it adds, e.g. `mx.cst.example.it`): its SPF/DKIM/DMARC
    /// verdicts are believed, a forged sender is kept for an operator, and replies it could not
    /// authenticate are marked in the thread. Without it every e-mailed reply is marked.
    #[arg(long, env = "CST_MAIL_AUTHSERV_ID")]
    pub mail_authserv_id: Option<String>,
}

impl MailArgs {
    pub fn settings(&self) -> Result<crate::background::MailSettings> {
        let ca_pem = match &self.mail_ca_file {
            Some(p) => {
                let pem = std::fs::read(p)
                    .with_context(|| format!("CA file {} not readable", p.display()))?;
                mail::parse_ca(&pem).with_context(|| format!("CA file {}", p.display()))?;
                Some(pem)
            }
            None => None,
        };
        Ok(crate::background::MailSettings {
            smtp_url: self
                .smtp_url
                .clone()
                .filter(|s| !s.expose_secret().trim().is_empty()),
            smpp_url: self
                .smpp_url
                .clone()
                .filter(|s| !s.expose_secret().trim().is_empty()),
            from: self.mail_from.clone(),
            imap_url: self
                .imap_url
                .clone()
                .filter(|s| !s.expose_secret().trim().is_empty()),
            imap_poll: std::time::Duration::from_secs(self.imap_poll_seconds.max(1)),
            ca_pem,
            authserv_id: self
                .mail_authserv_id
                .clone()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty()),
        })
    }
}

pub async fn run(url: &str, command: MailCommand) -> Result<()> {
    match command {
        MailCommand::Send { mail } => {
            let db = open(url).await?;
            let s = mail.settings()?;
            let url = s
                .smtp_url
                .context("no SMTP server: give --smtp-url or CST_SMTP_URL")?;
            let sender = std::sync::Arc::new(mail::Sender::new(
                url.expose_secret(),
                &s.from,
                s.ca_pem.as_deref(),
            )?);
            let runner = worker::Runner::new(db.clone()).handle(
                mail::SEND_JOB,
                mail::smtp::retry(),
                sender.handler(),
            );
            let n = runner.run_due().await?;
            let queued = worker::count(&db, mail::SEND_JOB, "queued").await?;
            let failed = worker::count(&db, mail::SEND_JOB, "failed").await?;
            println!("{n} e-mail tried; {queued} still queued, {failed} failed for good");
            Ok(())
        }
        MailCommand::Fetch { mail } => {
            let db = open(url).await?;
            let s = mail.settings()?;
            let url = s
                .imap_url
                .context("no mailbox: give --imap-url or CST_IMAP_URL")?;
            let mut cfg = mail::imap::ImapConfig::from_url(url.expose_secret())?;
            cfg.ca_pem = s.ca_pem;
            cfg.authserv_id = s.authserv_id;
            let r = crate::background::poll(&db, &cfg).await?;
            println!(
                "{} messages fetched, {} taken, {} left in the mailbox",
                r.fetched, r.accepted, r.left
            );
            Ok(())
        }
    }
}
