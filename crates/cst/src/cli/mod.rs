//! The command line. Every command takes `--database URL` (or `CST_DATABASE_URL`); each
//! group of commands is a module of its own.

mod accounts;
mod data;
mod jobs;
mod logs;
mod mail;
mod serve;
mod sla;
mod syslog;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use db::Db;
use secrecy::ExposeSecret;

pub use accounts::{TokenCommand, UserCommand};
pub use data::{AuditCommand, ImportCommand};
pub use jobs::JobsCommand;
pub use mail::{MailArgs, MailCommand};
pub use sla::SlaCommand;
pub use syslog::SyslogArgs;

#[derive(Parser, Debug)]
#[command(
    name = "cst",
    version,
    about = "Centro Servizi Territoriale: gestione di enti, servizi e assistenza"
)]
pub struct Args {
    /// Database: a SQLite file (`sqlite://cst.db`, the default) or `postgres://USER@HOST/DB`.
    /// Given without a value (`cst logs verify --database`), it names the database of
    /// `CST_DATABASE_URL` or the default.
    #[arg(
        long,
        global = true,
        env = "CST_DATABASE_URL",
        default_value = "sqlite://cst.db",
        num_args = 0..=1,
        default_missing_value = UNNAMED_DATABASE
    )]
    pub database: String,
    /// Log lines on standard error: `text` for people, `json` (one object a line, with the
    /// request id of every line logged while serving a request) for a log collector.
    #[arg(long, global = true, env = "CST_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
    /// A TOML settings file (keys as the flags, with underscores); flags and `CST_*`
    /// variables win over it. Unknown keys are refused.
    #[arg(long, global = true, env = "CST_CONFIG")]
    pub config: Option<PathBuf>,
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
        /// The site's public address (`https://cst.provincia.padova.it`): the links sent in
        /// e-mails (invitations) and shown for calendar feeds. Without it they take the address
        /// the request came in by, which a client can choose: set it in production.
        #[arg(long, env = "CST_PUBLIC_URL", value_parser = parse_public_url)]
        public_url: Option<String>,
        /// A reverse proxy in front of cst (repeatable, or comma-separated in the variable):
        /// requests from it name the client in `X-Forwarded-For`.
        #[arg(
            long = "trusted-proxy",
            env = "CST_TRUSTED_PROXIES",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<std::net::IpAddr>,
        #[command(flatten)]
        mail: MailArgs,
        #[command(flatten)]
        syslog: Box<SyslogArgs>,
        /// Prints the effective settings (defaults, file, environment, flags; secrets
        /// redacted) and exits.
        #[arg(long)]
        print_config: bool,
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
    /// The system-log store: verify its hash chains.
    Logs {
        #[command(subcommand)]
        command: logs::LogsCommand,
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
    /// Background work: schedules and jobs (list, retry, cancel).
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
}

pub(crate) async fn open(url: &str) -> Result<Db> {
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

/// `--database` given without a URL.
const UNNAMED_DATABASE: &str = "(default)";

pub async fn run(mut args: Args) -> Result<()> {
    if args.database == UNNAMED_DATABASE {
        args.database =
            std::env::var("CST_DATABASE_URL").unwrap_or_else(|_| "sqlite://cst.db".into());
    }
    if let Command::Serve {
        print_config: true, ..
    } = &args.command
    {
        print!("{}", crate::settings::print(&args)?);
        return Ok(());
    }
    let url = args.database;
    match args.command {
        Command::Serve {
            listen,
            demo,
            secure_cookies,
            centre_name,
            public_url,
            trusted_proxies,
            mail,
            syslog,
            print_config: _,
        } => {
            let config = web::WebConfig {
                secure_cookies,
                centre_name,
                public_url,
                demo_logins: vec![],
                trusted_proxies,
                smtp_configured: mail
                    .smtp_url
                    .as_ref()
                    .is_some_and(|u| !u.expose_secret().trim().is_empty()),
                mailbox_configured: mail
                    .imap_url
                    .as_ref()
                    .is_some_and(|u| !u.expose_secret().trim().is_empty()),
            };
            serve::run(&url, listen, demo, config, &mail, &syslog).await
        }
        Command::Mail { command } => mail::run(&url, command).await,
        Command::Jobs { command } => jobs::run(&url, command).await,
        Command::Migrate => {
            let db = Db::connect(&url).await?;
            let applied = db.migrate().await?;
            println!(
                "database at schema version {} ({} migrations applied now)",
                db.schema_version().await?,
                applied.len()
            );
            Ok(())
        }
        Command::User { command } => accounts::user(&url, command).await,
        Command::Token { command } => accounts::token(&url, command).await,
        Command::Sla { command } => sla::run(command),
        Command::Audit { command } => data::audit(&url, command).await,
        Command::Logs { command } => logs::run(&url, command).await,
        Command::Backup { out } => data::backup(&url, &out).await,
        Command::Restore { file } => data::restore(&url, &file).await,
        Command::Import { command } => data::import(&url, command).await,
    }
}

/// `https://host[:port][/path]` or `http://…`, without a trailing slash.
pub(crate) fn parse_public_url(v: &str) -> Result<String, String> {
    let u = url::Url::parse(v.trim()).map_err(|e| format!("«{v}»: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(format!(
            "«{v}»: serve un indirizzo http:// o https:// con il nome del sito"
        ));
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err(format!("«{v}»: senza ? né #"));
    }
    Ok(u.as_str().trim_end_matches('/').to_owned())
}
