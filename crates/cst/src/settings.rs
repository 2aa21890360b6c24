//! The settings, in one place and one order: defaults, then an optional TOML file
//! (`--config FILE` or `CST_CONFIG`), then `CST_*` environment variables, then flags. The file
//! uses the flags' names with underscores; an unknown key is refused (a typo must not be
//! silently ignored). Secrets (passwords inside URLs) are held as `SecretString` and never
//! printed: `cst serve --print-config` shows the effective settings with them redacted.
//!
//! ```toml
//! database = "postgres://cst:secret@db.cst.example.it/cst"
//! listen = "0.0.0.0:8080"
//! secure_cookies = true
//! trusted_proxies = ["10.0.0.1"]
//! smtp_url = "smtp://cst:secret@mail.cst.example.it:587?tls=required"
//! imap_url = "imaps://assistenza:secret@mail.cst.example.it/INBOX"
//! ```

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::parser::ValueSource;
use clap::ArgMatches;
use serde::{Deserialize, Serialize};

use crate::cli::{Args, Command};

/// What a settings file may hold. Every key is optional.
#[derive(Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub database: Option<String>,
    pub log_format: Option<String>,
    pub listen: Option<SocketAddr>,
    pub secure_cookies: Option<bool>,
    pub centre_name: Option<String>,
    pub public_url: Option<String>,
    pub trusted_proxies: Option<Vec<IpAddr>>,
    pub smtp_url: Option<String>,
    pub smpp_url: Option<String>,
    pub mail_from: Option<String>,
    pub imap_url: Option<String>,
    pub imap_poll_seconds: Option<u64>,
    pub mail_ca_file: Option<PathBuf>,
    pub mail_authserv_id: Option<String>,
    pub syslog_udp: Option<SocketAddr>,
    pub syslog_tcp: Option<SocketAddr>,
    pub syslog_tls: Option<SocketAddr>,
    pub syslog_tls_cert: Option<PathBuf>,
    pub syslog_tls_key: Option<PathBuf>,
    pub log_exports: Option<String>,
    pub syslog_forward: Option<String>,
    pub syslog_forward_token: Option<String>,
}

impl FileSettings {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("settings file {} not readable", path.display()))?;
        let mut file: Self = toml::from_str(&text).map_err(|e| {
            let line = e.span().map_or(1, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            anyhow::anyhow!(
                "settings file {}, line {line}: {}",
                path.display(),
                e.message()
            )
        })?;
        // Checked as the flag is: a wrong address must not reach the e-mails.
        if let Some(u) = &file.public_url {
            file.public_url = Some(crate::cli::parse_public_url(u).map_err(|e| {
                anyhow::anyhow!("settings file {}, public_url: {e}", path.display())
            })?);
        }
        Ok(file)
    }
}

/// Whether an argument was given by the person (flag or environment), not left at its default.
fn given(matches: &[&ArgMatches], id: &str) -> bool {
    matches.iter().any(|m| {
        m.try_get_raw(id).is_ok()
            && matches!(
                m.value_source(id),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            )
    })
}

/// Fills from `file` what neither a flag nor the environment set.
pub fn apply(args: &mut Args, matches: &ArgMatches, file: FileSettings) {
    let serve = matches.subcommand_matches("serve");
    let mut all = vec![matches];
    all.extend(serve);
    let take = |id: &str| !given(&all, id);
    if let Some(v) = file.database.filter(|_| take("database")) {
        args.database = v;
    }
    if let Some(v) = file.log_format.filter(|_| take("log_format")) {
        args.log_format = v;
    }
    if let Command::Serve {
        listen,
        secure_cookies,
        centre_name,
        public_url,
        trusted_proxies,
        mail,
        syslog,
        ..
    } = &mut args.command
    {
        if let Some(v) = file.syslog_udp.filter(|_| take("syslog_udp")) {
            syslog.syslog_udp = Some(v);
        }
        if let Some(v) = file.syslog_tcp.filter(|_| take("syslog_tcp")) {
            syslog.syslog_tcp = Some(v);
        }
        if let Some(v) = file.syslog_tls.filter(|_| take("syslog_tls")) {
            syslog.syslog_tls = Some(v);
        }
        if let Some(v) = file.syslog_tls_cert.filter(|_| take("syslog_tls_cert")) {
            syslog.syslog_tls_cert = Some(v);
        }
        if let Some(v) = file.syslog_tls_key.filter(|_| take("syslog_tls_key")) {
            syslog.syslog_tls_key = Some(v);
        }
        if let Some(v) = file.log_exports.filter(|_| take("log_exports")) {
            syslog.log_exports = Some(v);
        }
        if let Some(v) = file.syslog_forward.filter(|_| take("syslog_forward")) {
            syslog.syslog_forward = Some(v);
        }
        if let Some(v) = file
            .syslog_forward_token
            .filter(|_| take("syslog_forward_token"))
        {
            syslog.syslog_forward_token = Some(v);
        }
        if let Some(v) = file.listen.filter(|_| take("listen")) {
            *listen = v;
        }
        if let Some(v) = file.secure_cookies.filter(|_| take("secure_cookies")) {
            *secure_cookies = v;
        }
        if let Some(v) = file.centre_name.filter(|_| take("centre_name")) {
            *centre_name = v;
        }
        if let Some(v) = file.public_url.filter(|_| take("public_url")) {
            *public_url = Some(v);
        }
        if let Some(v) = file.smpp_url.filter(|_| take("smpp_url")) {
            mail.smpp_url = Some(v.into());
        }
        if let Some(v) = file.trusted_proxies.filter(|_| take("trusted_proxies")) {
            *trusted_proxies = v;
        }
        if let Some(v) = file.smtp_url.filter(|_| take("smtp_url")) {
            mail.smtp_url = Some(v.into());
        }
        if let Some(v) = file.mail_from.filter(|_| take("mail_from")) {
            mail.mail_from = v;
        }
        if let Some(v) = file.imap_url.filter(|_| take("imap_url")) {
            mail.imap_url = Some(v.into());
        }
        if let Some(v) = file.imap_poll_seconds.filter(|_| take("imap_poll_seconds")) {
            mail.imap_poll_seconds = v;
        }
        if let Some(v) = file.mail_ca_file.filter(|_| take("mail_ca_file")) {
            mail.mail_ca_file = Some(v);
        }
        if let Some(v) = file.mail_authserv_id.filter(|_| take("mail_authserv_id")) {
            mail.mail_authserv_id = Some(v);
        }
    }
}

/// The effective settings of `serve` as TOML, secrets redacted.
pub fn print(args: &Args) -> Result<String> {
    let Command::Serve {
        listen,
        secure_cookies,
        centre_name,
        public_url,
        trusted_proxies,
        mail,
        syslog,
        ..
    } = &args.command
    else {
        anyhow::bail!("--print-config is an option of cst serve");
    };
    use secrecy::ExposeSecret;
    let shown = FileSettings {
        database: Some(crate::cli::redact(&args.database)),
        log_format: Some(args.log_format.clone()),
        listen: Some(*listen),
        secure_cookies: Some(*secure_cookies),
        centre_name: Some(centre_name.clone()),
        public_url: public_url.clone(),
        trusted_proxies: Some(trusted_proxies.clone()),
        smtp_url: mail
            .smtp_url
            .as_ref()
            .map(|u| crate::cli::redact(u.expose_secret())),
        smpp_url: mail
            .smpp_url
            .as_ref()
            .map(|u| crate::cli::redact(u.expose_secret())),
        mail_from: Some(mail.mail_from.clone()),
        imap_url: mail
            .imap_url
            .as_ref()
            .map(|u| crate::cli::redact(u.expose_secret())),
        imap_poll_seconds: Some(mail.imap_poll_seconds),
        mail_ca_file: mail.mail_ca_file.clone(),
        mail_authserv_id: mail.mail_authserv_id.clone(),
        syslog_udp: syslog.syslog_udp,
        syslog_tcp: syslog.syslog_tcp,
        syslog_tls: syslog.syslog_tls,
        syslog_tls_cert: syslog.syslog_tls_cert.clone(),
        syslog_tls_key: syslog.syslog_tls_key.clone(),
        log_exports: syslog.log_exports.clone(),
        syslog_forward: syslog.syslog_forward.clone(),
        syslog_forward_token: syslog
            .syslog_forward_token
            .as_ref()
            .map(|_| "***".to_owned()),
    };
    Ok(toml::to_string(&shown)?)
}
