//! Test support: the real application on a free port with its own fresh database, on SQLite
//! (a file in a temporary folder) or PostgreSQL (a new database created in the server named
//! by `CST_TEST_PG`, default `postgres://postgres@127.0.0.1:5432/postgres`, dropped after).
//! Factories for entities, accounts, tokens and logged-in browsers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod mailservers;
pub mod smsc;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use accounts::User;
use db::Db;
use kernel::Actor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Unique across the tests of this process and across processes running at once.
pub fn unique() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{}_{n}_{nanos}", std::process::id())
}

pub fn pg_admin_url() -> String {
    std::env::var("CST_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh, empty database. Removed when dropped.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    /// The folder the app writes its sealed log exports to (removed with the database).
    pub exports: PathBuf,
    dir: Option<PathBuf>,
    pg_name: Option<String>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("cst-test-{}", unique()));
                std::fs::create_dir_all(&dir).unwrap();
                TestDb {
                    url: format!("sqlite://{}", dir.join("cst.db").display()),
                    backend,
                    exports: dir.join("exports"),
                    dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!("cst_test_{}", unique());
                let admin = pg_admin_url();
                sqlx::any::install_default_drivers();
                let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("PostgreSQL at {admin} is needed for the postgres tests: {e}")
                    });
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let base = admin
                    .rsplit_once('/')
                    .map_or(admin.as_str(), |(b, _)| b)
                    .to_owned();
                TestDb {
                    url: format!("{base}/{name}"),
                    backend,
                    exports: std::env::temp_dir().join(format!("cst-test-exports-{}", unique())),
                    dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    pub async fn connect(&self) -> Db {
        let db = Db::connect(&self.url).await.unwrap();
        db.migrate().await.unwrap();
        db
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        let _ = std::fs::remove_dir_all(&self.exports);
        if let Some(name) = self.pg_name.take() {
            // Drop runs outside any async context we can use: a short-lived runtime on its own thread.
            let admin = pg_admin_url();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    if let Ok(mut c) =
                        <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await
                    {
                        let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&mut c)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

/// The running application.
pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub testdb: TestDb,
    /// The application's clock: fixed at [`TEST_NOW`], moved or set by the test.
    pub clock: kernel::time::Clock,
    config: web::WebConfig,
    server: tokio::task::JoinHandle<()>,
    /// Set by [`spawn_app_receiving`]: the receivers' addresses and their stop switch.
    pub syslog: Option<Syslog>,
}

/// Syslog receivers of a test app.
pub struct Syslog {
    pub bound: logs::receive::Bound,
    pub ingest: logs::Ingest,
    pub store: logs::LogStore,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        if let Some(s) = &self.syslog {
            let _ = s.stop.send(true);
        }
    }
}

/// Where every test's clock stands at the start: Wednesday 25 November 2026, 12:00 in Rome, a
/// working day. Tests that date tickets (phone calls on 16 November…) stay true whatever the
/// day the suite runs, and warranties, deadlines, inbound mail and backup checks are tested
/// by moving it. Sessions, API tokens and login counters run on the real time on purpose:
/// they are shared with other processes (`other_process`, `cst` commands), which cannot share
/// a test's clock; job runners built by a test take a clock of their own (`with_clock`).
pub const TEST_NOW: &str = "2026-11-25T11:00:00Z";

pub fn test_now() -> chrono::DateTime<chrono::Utc> {
    kernel::time::parse(TEST_NOW).expect("TEST_NOW is RFC 3339")
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, web::WebConfig::default()).await
}

/// The real app with these web settings (trusted proxies, secure cookies…).
pub async fn spawn_app_with(backend: Backend, config: web::WebConfig) -> TestApp {
    let testdb = TestDb::new(backend).await;
    let db = testdb.connect().await;
    let clock = kernel::time::Clock::fixed(test_now());
    let (base, server) = serve(db.clone(), &testdb, None, config.clone(), clock.clone()).await;
    TestApp {
        base,
        db,
        testdb,
        clock,
        config,
        server,
        syslog: None,
    }
}

/// The real app with syslog receivers listening where `listen` says (port 0: any free port;
/// the bound addresses are in `app.syslog`). Receive times come from the real clock.
pub async fn spawn_app_receiving(backend: Backend, listen: logs::receive::Listen) -> TestApp {
    let testdb = TestDb::new(backend).await;
    let db = testdb.connect().await;
    let clock = kernel::time::Clock::fixed(test_now());
    let store = logs::LogStore::open(&testdb.url).await.unwrap();
    let sources = logs::sources::all(&db).await.unwrap();
    let (ingest, _writer) = logs::Ingest::start(
        &store,
        logs::ingest::SourceMap::new(&sources),
        kernel::time::Clock::system(),
    )
    .unwrap();
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let (bound, _tasks) = logs::receive::start(&ingest, &listen, &stop_rx)
        .await
        .unwrap();
    let config = web::WebConfig::default();
    let (base, server) = serve(
        db.clone(),
        &testdb,
        Some(ingest.clone()),
        config.clone(),
        clock.clone(),
    )
    .await;
    TestApp {
        base,
        db,
        testdb,
        clock,
        config,
        server,
        syslog: Some(Syslog {
            bound,
            ingest,
            store,
            stop,
        }),
    }
}

async fn serve(
    db: Db,
    testdb: &TestDb,
    ingest: Option<logs::Ingest>,
    config: web::WebConfig,
    clock: kernel::time::Clock,
) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let logs = web::LogsState {
        store: logs::LogStore::open(&testdb.url).await.unwrap(),
        ingest,
        exports: objstore::Target::Folder(testdb.exports.clone()),
    };
    let state = web::AppState::new(db, logs, config).with_clock(clock);
    let server = tokio::spawn(async move {
        let _ = web::serve(listener, state, std::future::pending()).await;
    });
    (base, server)
}

/// Another server on the same database with its own connection pool, as a second `cst serve`
/// process would be (the same clock).
pub struct OtherProcess {
    pub base: String,
    pub db: Db,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for OtherProcess {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl OtherProcess {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

pub const PASSWORD: &str = "password-di-prova";

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Where the app writes its sealed log exports.
    pub fn exports(&self) -> objstore::Target {
        objstore::Target::Folder(self.testdb.exports.clone())
    }

    /// Starts a second server on this database (see [`OtherProcess`]).
    pub async fn other_process(&self) -> OtherProcess {
        let db = self.testdb.connect().await;
        let (base, server) = serve(
            db.clone(),
            &self.testdb,
            None,
            self.config.clone(),
            self.clock.clone(),
        )
        .await;
        OtherProcess { base, db, server }
    }

    /// Creates an entity directly through the store (as the system).
    pub async fn entity(&self, name: &str, istat: Option<&str>) -> members::Entity {
        let d = members::EntityDraft {
            name: name.into(),
            istat_code: istat.unwrap_or("").into(),
            ..Default::default()
        };
        members::store::create(&self.db, &Actor::system("test"), &d.parse().unwrap())
            .await
            .unwrap()
    }

    /// Creates an account with password [`PASSWORD`].
    pub async fn user(&self, username: &str, role: &str, entities: &[i64]) -> User {
        accounts::store::create(
            &self.db,
            &Actor::system("test"),
            &accounts::NewUser {
                username: username.into(),
                full_name: format!("Utente {username}"),
                email: String::new(),
                role: role.into(),
                password: PASSWORD.into(),
                entity_ids: entities.to_vec(),
            },
        )
        .await
        .unwrap()
    }

    /// An API client authenticated as `user`.
    pub async fn api(&self, user: &User) -> Api {
        let token = accounts::store::issue_token(
            &self.db,
            &Actor::system("test"),
            user,
            "test",
            accounts::store::DEFAULT_TOKEN_DAYS,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        Api {
            base: self.base.clone(),
            token,
            http: reqwest::Client::new(),
        }
    }

    /// A browser-like client (cookies kept) logged in as `username`, with the CSRF token of
    /// its session.
    pub async fn browser(&self, username: &str) -> Browser {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let res = http
            .post(self.url("/login"))
            .form(&[
                ("username", username),
                ("password", PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "login of {username} failed");
        let home = http
            .get(self.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_in(&home).expect("no CSRF token on the home page");
        Browser {
            base: self.base.clone(),
            http,
            csrf,
        }
    }
}

/// The CSRF token in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    Some(html[i..].split('"').next()?.to_owned())
}

#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
    }
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }
    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let r = self.request(method, path).json(&body).send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(serde_json::Value::Null))
    }
}

pub struct Browser {
    pub base: String,
    pub http: reqwest::Client,
    pub csrf: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
    /// What htmx gets for `path` (`HX-Request: true`): the part of the page it swaps in.
    pub async fn get_htmx(&self, path: &str) -> String {
        self.http
            .get(format!("{}{}", self.base, path))
            .header("hx-request", "true")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Posts a form with this session's CSRF token (redirects not followed).
    async fn send_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let mut f: Vec<(&str, &str)> = form.to_vec();
        f.push(("_csrf", &self.csrf));
        self.http
            .post(format!("{}{}", self.base, path))
            .form(&f)
            .send()
            .await
            .unwrap()
    }

    /// Posts a form and follows a redirect: the status and body of the page it leads to.
    pub async fn post_follow(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let r = self.send_form(path, form).await;
        match r.headers().get("location").and_then(|l| l.to_str().ok()) {
            Some(loc) if r.status().is_redirection() => self.get(loc).await,
            _ => (r.status().as_u16(), r.text().await.unwrap()),
        }
    }

    /// Posts a form with this session's CSRF token.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let r = self.send_form(path, form).await;
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

/// Runs one test body once per database backend: `backends!(name);` after
/// `async fn name(b: Backend)` generates `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::Backend::Postgres).await
            }
        }
    )*};
}
