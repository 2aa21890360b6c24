//! The syslog receivers of `cst serve` (issue 13): where they listen, and the TLS certificate.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};

#[derive(clap::Args, Debug, Clone, Default)]
pub struct SyslogArgs {
    /// Receive syslog over UDP (RFC 5426) on this address, e.g. `0.0.0.0:514`.
    #[arg(long, env = "CST_SYSLOG_UDP")]
    pub syslog_udp: Option<SocketAddr>,
    /// Receive syslog over TCP (RFC 6587: octet counting or one message per line).
    #[arg(long, env = "CST_SYSLOG_TCP")]
    pub syslog_tcp: Option<SocketAddr>,
    /// Receive syslog over TLS (RFC 5425, usually port 6514); needs the certificate and key.
    #[arg(long, env = "CST_SYSLOG_TLS")]
    pub syslog_tls: Option<SocketAddr>,
    /// The TLS server certificate chain (PEM).
    #[arg(long, env = "CST_SYSLOG_TLS_CERT")]
    pub syslog_tls_cert: Option<PathBuf>,
    /// The TLS server private key (PEM).
    #[arg(long, env = "CST_SYSLOG_TLS_KEY")]
    pub syslog_tls_key: Option<PathBuf>,
    /// Where the sealed log exports are written: a folder, or `s3://BUCKET/PREFIX` (with
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL`).
    /// Default: a folder beside the SQLite database (`cst.log-exports`), or `log-exports`.
    #[arg(long, env = "CST_LOG_EXPORTS")]
    pub log_exports: Option<String>,
    /// An instance at an entity: forward the log store to the centre at this address
    /// (`https://cst.centro.example.it`), in order, each message once the centre has committed
    /// it; while the link is down the store keeps everything and forwarding resumes after.
    #[arg(long, env = "CST_SYSLOG_FORWARD", requires = "syslog_forward_token")]
    pub syslog_forward: Option<String>,
    /// The token of this instance's relay source at the centre.
    #[arg(long, env = "CST_SYSLOG_FORWARD_TOKEN", hide_env_values = true)]
    pub syslog_forward_token: Option<String>,
}

/// The export target named, or the default one of the log store's location.
pub fn exports_target(spec: Option<&str>, store: &logs::LogStore) -> Result<objstore::Target> {
    match spec.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Ok(objstore::Target::parse(s, &|k| std::env::var(k).ok())?),
        None => Ok(objstore::Target::Folder(store.location().default_exports())),
    }
}

impl SyslogArgs {
    /// The listeners asked for; `None` when this process receives nothing.
    pub fn listen(&self) -> Result<Option<logs::receive::Listen>> {
        let tls = match self.syslog_tls {
            None => None,
            Some(addr) => {
                let read = |p: &Option<PathBuf>, flag: &str| -> Result<Vec<u8>> {
                    let p = p
                        .as_ref()
                        .with_context(|| format!("--syslog-tls needs {flag}"))?;
                    std::fs::read(p).with_context(|| format!("{flag} {} not readable", p.display()))
                };
                Some(logs::receive::TlsListen {
                    addr,
                    cert_pem: read(&self.syslog_tls_cert, "--syslog-tls-cert")?,
                    key_pem: read(&self.syslog_tls_key, "--syslog-tls-key")?,
                })
            }
        };
        if self.syslog_udp.is_none() && self.syslog_tcp.is_none() && tls.is_none() {
            return Ok(None);
        }
        Ok(Some(logs::receive::Listen {
            udp: self.syslog_udp,
            tcp: self.syslog_tcp,
            tls,
        }))
    }
}
