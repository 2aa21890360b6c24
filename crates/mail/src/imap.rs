//! Inbound mail over IMAP, at-least-once: each message is fetched without marking it read,
//! handed to the caller, and flagged deleted and expunged only after the caller reports that
//! what it made of the message is committed. A crash in between fetches it again next time;
//! the caller recognises it by Message-ID.

use std::future::Future;
use std::sync::Arc;

use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::MailError;

/// Where the help desk's mailbox is.
#[derive(Clone)]
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    pub tls: bool,
    pub user: String,
    pub password: String,
    pub mailbox: String,
    /// Certificates (PEM) of a private certificate authority trusted besides the public ones.
    pub ca_pem: Option<Vec<u8>>,
    /// The authserv-id of the server that receives the help desk's mail: only the
    /// `Authentication-Results` it writes are believed (a sender can forge any other).
    pub authserv_id: Option<String>,
}

impl std::fmt::Debug for ImapConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}://{}@{}:{}/{}",
            if self.tls { "imaps" } else { "imap" },
            self.user,
            self.host,
            self.port,
            self.mailbox
        )
    }
}

impl ImapConfig {
    /// `imaps://user:password@host[:993][/MAILBOX]` (TLS), or `imap://…[:143]` without TLS
    /// (loopback or a trusted network only). User and password are percent-decoded.
    pub fn from_url(s: &str) -> Result<Self, MailError> {
        let bad = |w: &str| MailError::Config(format!("IMAP: {w}"));
        let u = url::Url::parse(s).map_err(|e| bad(&e.to_string()))?;
        let tls = match u.scheme() {
            "imaps" => true,
            "imap" => false,
            other => return Err(bad(&format!("schema «{other}»: usare imap:// o imaps://"))),
        };
        let dec = |x: &str| {
            url::form_urlencoded::parse(format!("x={}", x.replace('+', "%2B")).as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        let user = dec(u.username());
        if user.is_empty() {
            return Err(bad("manca l'utente"));
        }
        let mailbox = match u.path().trim_matches('/') {
            "" => "INBOX".to_owned(),
            p => dec(p),
        };
        Ok(Self {
            host: u.host_str().ok_or_else(|| bad("manca l'host"))?.to_owned(),
            port: u.port().unwrap_or(if tls { 993 } else { 143 }),
            tls,
            user,
            password: u.password().map(dec).unwrap_or_default(),
            mailbox,
            ca_pem: None,
            authserv_id: None,
        })
    }
}

/// A byte stream the IMAP client can run on (plain TCP or TLS).
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Stream for T {}

pub type Session = async_imap::Session<Box<dyn Stream>>;

/// Connects and logs in.
pub async fn connect(cfg: &ImapConfig) -> Result<Session, MailError> {
    let tcp = tokio::net::TcpStream::connect((cfg.host.as_str(), cfg.port)).await?;
    let stream: Box<dyn Stream> = if cfg.tls {
        let mut roots = tokio_rustls::rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(pem) = &cfg.ca_pem {
            for cert in crate::parse_ca(pem)? {
                roots
                    .add(cert)
                    .map_err(|e| MailError::Config(format!("certificati della CA: {e}")))?;
            }
        }
        let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(Arc::new(
            tokio_rustls::rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| MailError::Imap(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from(cfg.host.clone())
            .map_err(|e| MailError::Imap(e.to_string()))?;
        Box::new(
            tokio_rustls::TlsConnector::from(Arc::new(config))
                .connect(name, tcp)
                .await?,
        )
    } else {
        Box::new(tcp)
    };
    let mut client = async_imap::Client::new(stream);
    client
        .read_response()
        .await?
        .ok_or_else(|| MailError::Imap("connessione chiusa prima del saluto".into()))?;
    client
        .login(&cfg.user, &cfg.password)
        .await
        .map_err(|(e, _)| MailError::Imap(format!("accesso come {}: {e}", cfg.user)))
}

fn imap(e: async_imap::error::Error) -> MailError {
    MailError::Imap(e.to_string())
}

/// What one poll did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PollReport {
    /// Messages fetched.
    pub fetched: usize,
    /// Accepted (committed by the caller) and removed from the mailbox.
    pub accepted: usize,
    /// Refused by the caller this time: left in the mailbox for the next poll.
    pub left: usize,
}

/// Fetches up to `max` messages, oldest first, hands each raw message to `accept`, and removes
/// those it accepted. `accept` must return `Ok` only once its result is committed.
pub async fn poll_once<F, Fut>(
    cfg: &ImapConfig,
    max: usize,
    mut accept: F,
) -> Result<PollReport, MailError>
where
    F: FnMut(Vec<u8>) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let mut s = connect(cfg).await?;
    s.select(&cfg.mailbox).await.map_err(imap)?;
    let mut uids: Vec<u32> = s
        .uid_search("UNDELETED")
        .await
        .map_err(imap)?
        .into_iter()
        .collect();
    uids.sort_unstable();
    uids.truncate(max);
    let mut report = PollReport::default();
    let mut done = Vec::new();
    for uid in uids {
        let raw = {
            let fetches: Vec<_> = s
                .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
                .await
                .map_err(imap)?
                .try_collect()
                .await
                .map_err(imap)?;
            fetches
                .iter()
                .find(|f| f.uid == Some(uid))
                .and_then(|f| f.body().map(<[u8]>::to_vec))
        };
        let Some(raw) = raw else { continue };
        report.fetched += 1;
        match accept(raw).await {
            Ok(()) => {
                // Flag it at once: if the connection drops before the expunge, the next poll
                // (UNDELETED) does not hand it over again.
                let _: Vec<_> = s
                    .uid_store(uid.to_string(), "+FLAGS.SILENT (\\Deleted)")
                    .await
                    .map_err(imap)?
                    .try_collect()
                    .await
                    .map_err(imap)?;
                done.push(uid);
                report.accepted += 1;
            }
            Err(e) => {
                tracing::warn!(uid, "inbound message left in the mailbox: {e}");
                report.left += 1;
            }
        }
    }
    if !done.is_empty() {
        let _: Vec<_> = s
            .expunge()
            .await
            .map_err(imap)?
            .try_collect()
            .await
            .map_err(imap)?;
    }
    s.logout().await.map_err(imap)?;
    Ok(report)
}

/// Puts a raw message into a mailbox (tests, and re-queueing by an operator).
pub async fn append(cfg: &ImapConfig, raw: &[u8]) -> Result<(), MailError> {
    let mut s = connect(cfg).await?;
    s.append(&cfg.mailbox, None, None, raw)
        .await
        .map_err(imap)?;
    s.logout().await.map_err(imap)?;
    Ok(())
}

/// How many messages are in the mailbox, deleted ones excluded (tests and the status page).
pub async fn count(cfg: &ImapConfig) -> Result<usize, MailError> {
    let mut s = connect(cfg).await?;
    s.select(&cfg.mailbox).await.map_err(imap)?;
    let n = s.uid_search("UNDELETED").await.map_err(imap)?.len();
    s.logout().await.map_err(imap)?;
    Ok(n)
}
