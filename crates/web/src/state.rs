use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use db::Db;
use members::import::{ImportReport, RowError};

/// Settings of the web edge, from the binary's `Settings`.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (the site is served over TLS, directly or by a proxy).
    pub secure_cookies: bool,
    /// The centre's name, shown in the header.
    pub centre_name: String,
    /// The site's public address, for links that leave it (e-mails, calendar feeds); `None`:
    /// the address of the request.
    pub public_url: Option<String>,
    /// Shown on the login page when running with demo data.
    pub demo_logins: Vec<(String, String, String)>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (see [`crate::client`]).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// An SMTP server is set: e-mails leave (else they wait in the queue).
    pub smtp_configured: bool,
    /// A help-desk mailbox is set: inbound mail is fetched.
    pub mailbox_configured: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            centre_name: "Centro Servizi Territoriale".into(),
            public_url: None,
            demo_logins: Vec::new(),
            trusted_proxies: Vec::new(),
            smtp_configured: false,
            mailbox_configured: false,
        }
    }
}

/// The log store and, when this process receives syslog, its ingest pipeline.
pub struct LogsState {
    pub store: logs::LogStore,
    pub ingest: Option<logs::Ingest>,
    /// Where the sealed exports are written (`ente-{id}/` under it).
    pub exports: objstore::Target,
}

impl LogsState {
    /// After sources change: the receivers look peers up in the new list.
    pub async fn refresh_sources(&self, db: &Db) {
        if let Some(i) = &self.ingest {
            match logs::sources::all(db).await {
                Ok(all) => i.set_sources(logs::ingest::SourceMap::new(&all)),
                Err(e) => tracing::warn!("log sources not reloaded: {e}"),
            }
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub logs: Arc<LogsState>,
    /// The time every use case is given (a fixed, movable clock in tests).
    pub clock: kernel::time::Clock,
    /// Request counters and latencies of this process (`/metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    pub imports: Arc<ImportRuns>,
    /// The brake on the public forms, per client address.
    pub public_limit: Arc<crate::public_limit::PublicLimit>,
    /// The entities' public sites, kept a few seconds.
    pub sites: Arc<crate::capabilities::portal::sites::Sites>,
    /// The FAQ's search, rebuilt when the articles change.
    pub faq: faq::store::Library,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(db: Db, logs: LogsState, config: WebConfig) -> Self {
        Self {
            db,
            logs: Arc::new(logs),
            clock: kernel::time::Clock::system(),
            metrics: Arc::new(crate::metrics::Metrics::default()),
            imports: Arc::new(ImportRuns::default()),
            public_limit: Arc::new(crate::public_limit::PublicLimit::default()),
            sites: Arc::default(),
            faq: faq::store::Library::default(),
            config: Arc::new(config),
        }
    }

    /// The same state with another clock (tests).
    pub fn with_clock(mut self, clock: kernel::time::Clock) -> Self {
        self.clock = clock;
        self
    }
}

/// Imports started from the web page, running in the background, with their progress.
#[derive(Default)]
pub struct ImportRuns {
    next: AtomicU64,
    runs: Mutex<HashMap<u64, Arc<ImportRun>>>,
}

#[derive(Default)]
pub struct ImportRun {
    pub total: AtomicUsize,
    pub done: AtomicUsize,
    pub outcome: Mutex<Option<Result<ImportReport, Vec<RowError>>>>,
}

impl ImportRuns {
    pub fn start(&self, total: usize) -> (u64, Arc<ImportRun>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let run = Arc::new(ImportRun {
            total: AtomicUsize::new(total),
            ..Default::default()
        });
        let mut runs = self.runs.lock().unwrap_or_else(|p| p.into_inner());
        if runs.len() > 100 {
            runs.retain(|_, r| r.outcome.lock().map(|o| o.is_none()).unwrap_or(false));
        }
        runs.insert(id, run.clone());
        (id, run)
    }
    pub fn get(&self, id: u64) -> Option<Arc<ImportRun>> {
        self.runs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    }
}
