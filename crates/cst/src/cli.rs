//! The command line. Every command takes `--database URL` (or `CST_DATABASE_URL`).

use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use db::Db;
use kernel::Actor;

#[derive(Parser, Debug)]
#[command(
    name = "cst",
    version,
    about = "Centro Servizi Territoriale: gestione di enti, servizi e assistenza"
)]
pub struct Args {
    /// Database: a SQLite file (`sqlite://cst.db`, the default) or `postgres://USER@HOST/DB`.
    #[arg(
        long,
        global = true,
        env = "CST_DATABASE_URL",
        default_value = "sqlite://cst.db"
    )]
    pub database: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Starts the web application and the API (migrates the database first).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "CST_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Loads demo data (the comuni of the Provincia di Padova and demo accounts) into an
        /// empty database.
        #[arg(long)]
        demo: bool,
        /// Marks cookies Secure: set it when the site is served over HTTPS.
        #[arg(long, env = "CST_SECURE_COOKIES")]
        secure_cookies: bool,
        /// The centre's name shown in the header.
        #[arg(
            long,
            env = "CST_CENTRE_NAME",
            default_value = "Centro Servizi Territoriale"
        )]
        centre_name: String,
        #[command(flatten)]
        mail: MailArgs,
    },
    /// Applies pending database migrations.
    Migrate,
    /// Accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The audit chain.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Writes a portable archive of the database (safe on a running instance).
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Loads an archive made by `cst backup` into an empty database (SQLite or PostgreSQL).
    Restore { file: PathBuf },
    /// Imports data from files.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Working-time arithmetic of the SLA calendars.
    Sla {
        #[command(subcommand)]
        command: SlaCommand,
    },
    /// The help desk's e-mail, by hand.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
}

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
    pub smtp_url: Option<String>,
    /// The sender of outbound mail.
    #[arg(
        long,
        env = "CST_MAIL_FROM",
        default_value = "Assistenza CST <assistenza@cst.localhost>"
    )]
    pub mail_from: String,
    /// The help-desk mailbox: `imaps://user:pass@host/INBOX` (or `imap://` on loopback).
    #[arg(long, env = "CST_IMAP_URL")]
    pub imap_url: Option<String>,
    /// Seconds between two polls of the mailbox.
    #[arg(long, env = "CST_IMAP_POLL_SECONDS", default_value_t = 60)]
    pub imap_poll_seconds: u64,
    /// A PEM file with the certificate(s) of a private certificate authority to trust for the
    /// SMTP and IMAP servers, besides the public ones (mail servers with internal certificates).
    #[arg(long, env = "CST_MAIL_CA_FILE")]
    pub mail_ca_file: Option<PathBuf>,
}

impl MailArgs {
    fn settings(&self) -> Result<crate::background::MailSettings> {
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
            smtp_url: self.smtp_url.clone().filter(|s| !s.trim().is_empty()),
            from: self.mail_from.clone(),
            imap_url: self.imap_url.clone().filter(|s| !s.trim().is_empty()),
            imap_poll: std::time::Duration::from_secs(self.imap_poll_seconds.max(1)),
            ca_pem,
        })
    }
}

#[derive(Subcommand, Debug)]
pub enum SlaCommand {
    /// Prints the instant by which HOURS working hours have elapsed from FROM (RFC 3339 with
    /// the Rome offset).
    Due {
        /// consorzio-it | padova | ltt
        #[arg(long)]
        calendar: String,
        /// The start, RFC 3339 with an offset: 2026-11-23T10:00:00+01:00.
        #[arg(long)]
        from: String,
        /// Working hours, e.g. 8 or 1.5.
        #[arg(long)]
        hours: String,
    },
}

/// `8`, `1.5`, `0.25` hours as whole seconds (rounded half up); at most 1,000,000 hours.
pub fn parse_hours(s: &str) -> Result<i64> {
    let bad = || anyhow::anyhow!("ore «{s}» non valide: un numero come 8 oppure 1.5");
    let t = s.trim().replace(',', ".");
    let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 6
        || int.len() > 7
    {
        return Err(bad());
    }
    let whole: i64 = int.parse().map_err(|_| bad())?;
    if whole > 1_000_000 {
        return Err(bad());
    }
    let scale = 10i64.pow(frac.len() as u32);
    let part: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| bad())?
    };
    Ok(whole * 3600 + (part * 3600 + scale / 2) / scale)
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Creates an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// admin | operator | supplier | contact
        #[arg(long)]
        role: String,
        /// An entity the account may see (contacts and suppliers); repeatable.
        #[arg(long = "entity")]
        entities: Vec<i64>,
        #[arg(long, default_value = "")]
        full_name: String,
        #[arg(long, default_value = "")]
        email: String,
        /// Read the password from standard input (the only way: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Issues an API token for a user and prints it alone on standard output.
    Issue {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "cli")]
        label: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Checks the whole hash chain; names the first bad record if any.
    Verify,
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Imports member entities from a CSV file: all rows or none.
    Entities {
        file: PathBuf,
        /// `cst` (our format) or `istat` (ISTAT's list of comuni).
        #[arg(long, default_value = "cst")]
        format: String,
        /// With `istat`: only this province (sigla, e.g. PD).
        #[arg(long)]
        province: Option<String>,
        /// With `istat`: population file `codice_istat;popolazione;data_riferimento`
        /// (default: the 2023 figures shipped with cst).
        #[arg(long)]
        population: Option<PathBuf>,
    },
}

async fn open(url: &str) -> Result<Db> {
    let db = Db::connect(url)
        .await
        .with_context(|| format!("database {}", redact(url)))?;
    db.migrate().await?;
    Ok(db)
}

/// The URL without its password, for messages.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

pub async fn run(args: Args) -> Result<()> {
    let cli = Actor::system("cli");
    match args.command {
        Command::Serve {
            listen,
            demo,
            secure_cookies,
            centre_name,
            mail,
        } => {
            let db = open(&args.database).await?;
            let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
            let tasks = crate::background::spawn(&db, &mail.settings()?, &stop_rx)?;
            let mut config = web::WebConfig {
                secure_cookies,
                centre_name,
                demo_logins: vec![],
            };
            if demo {
                config.demo_logins = crate::demo::load(&db).await.context("loading demo data")?;
            }
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            let addr = listener.local_addr()?;
            println!(
                "cst listening on http://{addr}/ (database: {})",
                redact(&args.database)
            );
            for (u, p, what) in &config.demo_logins {
                println!("  demo login: {u} / {p}  ({what})");
            }
            std::io::stdout().flush()?;
            let state = web::AppState::new(db.clone(), config);
            let served = web::serve(listener, state, shutdown_signal()).await;
            // The job runner finishes the job in hand; an unfinished one is claimed again
            // after its lease on the next start.
            let _ = stop_tx.send(true);
            for t in tasks {
                let _ = t.await;
            }
            served?;
            db.close().await;
            Ok(())
        }
        Command::Mail {
            command: MailCommand::Send { mail },
        } => {
            let db = open(&args.database).await?;
            let s = mail.settings()?;
            let url = s
                .smtp_url
                .context("no SMTP server: give --smtp-url or CST_SMTP_URL")?;
            let sender =
                std::sync::Arc::new(mail::Sender::new(&url, &s.from, s.ca_pem.as_deref())?);
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
        Command::Mail {
            command: MailCommand::Fetch { mail },
        } => {
            let db = open(&args.database).await?;
            let s = mail.settings()?;
            let url = s
                .imap_url
                .context("no mailbox: give --imap-url or CST_IMAP_URL")?;
            let mut cfg = mail::imap::ImapConfig::from_url(&url)?;
            cfg.ca_pem = s.ca_pem;
            let r = crate::background::poll(&db, &cfg).await?;
            println!(
                "{} messages fetched, {} taken, {} left in the mailbox",
                r.fetched, r.accepted, r.left
            );
            Ok(())
        }
        Command::Migrate => {
            let db = Db::connect(&args.database).await?;
            let applied = db.migrate().await?;
            println!(
                "database at schema version {} ({} migrations applied now)",
                db.schema_version().await?,
                applied.len()
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    entities,
                    full_name,
                    email,
                    password_stdin: _,
                },
        } => {
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\n', '\r']).to_owned();
            let db = open(&args.database).await?;
            let u = accounts::store::create(
                &db,
                &cli,
                &accounts::NewUser {
                    username,
                    full_name,
                    email,
                    role,
                    password,
                    entity_ids: entities,
                },
            )
            .await?;
            println!(
                "user {} created (id {}, role {})",
                u.username,
                u.id,
                u.role.code()
            );
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Issue { username, label },
        } => {
            let db = open(&args.database).await?;
            let user = accounts::store::by_username(&db, &username)
                .await
                .with_context(|| format!("user {username}"))?;
            let token = accounts::store::issue_token(&db, &cli, &user, &label).await?;
            println!("{token}");
            Ok(())
        }
        Command::Sla {
            command:
                SlaCommand::Due {
                    calendar,
                    from,
                    hours,
                },
        } => {
            let cal = kernel::calendar::Calendar::preset(&calendar)?;
            let start = chrono::DateTime::parse_from_rfc3339(from.trim())
                .map_err(|e| anyhow::anyhow!("--from «{from}» non è un istante RFC 3339 con fuso (es. 2026-11-23T10:00:00+01:00): {e}"))?
                .with_timezone(&chrono::Utc);
            let seconds = parse_hours(&hours)?;
            let due = cal
                .add_working(start, chrono::Duration::seconds(seconds))
                .ok_or_else(|| anyhow::anyhow!("nessuna scadenza entro 20 anni"))?;
            println!("{}", kernel::calendar::rfc3339_rome(due));
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let db = open(&args.database).await?;
            let n = db::audit::verify(&db).await?;
            println!("audit chain intact: {n} records verified");
            Ok(())
        }
        Command::Backup { out } => {
            let db = open(&args.database).await?;
            let tmp = out.with_extension("partial");
            // The archive holds password and token hashes: readable by its owner only.
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let file = opts
                .open(&tmp)
                .with_context(|| format!("cannot create {}", tmp.display()))?;
            let summary = db::backup::dump(&db, std::io::BufWriter::new(file)).await?;
            std::fs::rename(&tmp, &out)
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "backup written to {}: {}",
                out.display(),
                describe(&summary)
            );
            Ok(())
        }
        Command::Restore { file } => {
            let input = std::fs::File::open(&file)
                .with_context(|| format!("cannot open {}", file.display()))?;
            let db = open(&args.database).await?;
            let summary = db::backup::restore(&db, std::io::BufReader::new(input)).await?;
            let n = db::audit::verify(&db)
                .await
                .context("the restored audit chain does not verify")?;
            println!(
                "restored from {}: {}; audit chain intact ({n} records)",
                file.display(),
                describe(&summary)
            );
            Ok(())
        }
        Command::Import {
            command:
                ImportCommand::Entities {
                    file,
                    format,
                    province,
                    population,
                },
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let pop = match &population {
                Some(p) => {
                    Some(std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?)
                }
                None => None,
            };
            let rows = match format.as_str() {
                "cst" => members::import::parse_cst(&bytes),
                "istat" => members::import::parse_istat(
                    &bytes,
                    Some(
                        pop.as_deref()
                            .unwrap_or(members::reference::POPULATION_2023),
                    ),
                    province.as_deref(),
                ),
                other => bail!("format {other} unknown: cst or istat"),
            };
            let rows = rows.map_err(|errs| import_error(&errs))?;
            let db = open(&args.database).await?;
            let total = rows.len();
            let progress = |done: usize, total: usize| {
                if done.is_multiple_of(500) || done == total {
                    eprint!("\rimporting: {done}/{total}");
                }
            };
            let r = members::store::import(&db, &cli, &rows, &progress).await;
            eprintln!();
            let r = r.map_err(|e| match e {
                members::MembersError::Import(errs) => import_error(&errs),
                e => anyhow::Error::new(e),
            })?;
            println!(
                "{total} rows imported: {} created, {} updated, {} unchanged",
                r.created, r.updated, r.unchanged
            );
            Ok(())
        }
    }
}

fn import_error(errs: &[members::import::RowError]) -> anyhow::Error {
    anyhow::anyhow!(
        "file not imported, nothing changed: {}",
        errs.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" | ")
    )
}

fn describe(s: &db::backup::Summary) -> String {
    s.iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
