//! Several `cst serve` on one database behave as one service: a login made on one is valid on
//! the other, each schedule slot runs once, and the help-desk mailbox and the outbound queue
//! are worked once (no ticket twice, no e-mail sent twice). Real processes of the binary.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mail::imap::ImapConfig;
use testkit::mailservers::{ImapServer, SmtpServer};
use testkit::{backends, spawn_app, Backend};

backends!(
    two_processes_on_one_database_behave_as_one,
    a_schedule_slot_is_enqueued_once_by_racing_processes,
    admins_see_retry_and_cancel_background_work,
);

/// A real `cst serve` on `database` with the mail servers; killed when dropped.
struct Serve {
    child: Child,
    base: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn serve(database: &str, smtp: &SmtpServer, imap: &ImapServer) -> Serve {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cst"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--database", database])
        .args(["--smtp-url", &smtp.url()])
        .args(["--mail-from", "Assistenza <assistenza@cst.example.it>"])
        .args(["--imap-url", &imap.url(), "--imap-poll-seconds", "1"])
        .env("CST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return Serve { child, base };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("cst serve did not start");
}

async fn scalar(db: &db::Db, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

async fn two_processes_on_one_database_behave_as_one(b: Backend) {
    let app = spawn_app(b).await;
    let smtp = SmtpServer::start().await;
    let imap = ImapServer::start().await;
    let e = app.entity("Comune di Abano Terme", None).await;
    accounts::store::create(
        &app.db,
        &kernel::Actor::system("t"),
        &accounts::NewUser {
            username: "referente".into(),
            full_name: "Referente".into(),
            email: "ced@abano.example.it".into(),
            role: "contact".into(),
            password: testkit::PASSWORD.into(),
            entity_ids: vec![e.id],
        },
    )
    .await
    .unwrap();
    let one = serve(&app.testdb.url, &smtp, &imap).await;
    let two = serve(&app.testdb.url, &smtp, &imap).await;

    // A login made on one process is valid on the other.
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = c
        .post(format!("{}/login", one.base))
        .form(&[("username", "referente"), ("password", testkit::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    let session = cookie.split(';').next().unwrap().to_owned();
    let r = reqwest::Client::new()
        .get(format!("{}/tickets", two.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "the session of process one is known to process two"
    );

    // Five requests in the mailbox, both processes polling every second: five tickets, five
    // acknowledgements, nothing twice.
    let cfg = ImapConfig::from_url(&imap.url()).unwrap();
    for n in 0..5 {
        mail::imap::append(
            &cfg,
            format!(
                "From: CED Abano <ced@abano.example.it>\r\nSubject: Richiesta {n}\r\n\
                 Message-ID: <multi-{n}@abano.example.it>\r\n\r\nTesto {n}.\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    }
    let got = smtp.wait_messages(5).await;
    // Let both processes run a few more rounds: nothing more may happen.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(scalar(&app.db, "SELECT COUNT(*) FROM tickets").await, 5);
    let mut subjects: Vec<String> = smtp
        .messages()
        .iter()
        .map(|m| mail::parse(m).unwrap().subject)
        .collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(got.len(), 5);
    assert_eq!(
        smtp.messages().len(),
        5,
        "no e-mail sent twice: {subjects:?}"
    );
    assert_eq!(subjects.len(), 5);
    assert_eq!(mail::imap::count(&cfg).await.unwrap(), 0);

    // Each schedule slot ran once: one backup evaluation per quarter of an hour (two only if
    // the test crossed one) although both processes started, one mailbox job per slot.
    let evaluations = scalar(
        &app.db,
        "SELECT COUNT(*) FROM jobs WHERE kind = 'helpdesk.backups.evaluate'",
    )
    .await;
    let evaluation_slots = scalar(
        &app.db,
        "SELECT COUNT(DISTINCT payload) FROM jobs WHERE kind = 'helpdesk.backups.evaluate'",
    )
    .await;
    assert!(
        (1..=2).contains(&evaluations) && evaluations == evaluation_slots,
        "{evaluations} evaluations in {evaluation_slots} slots"
    );
    let fetches = scalar(
        &app.db,
        "SELECT COUNT(*) FROM jobs WHERE kind = 'helpdesk.mail.fetch'",
    )
    .await;
    let slots = scalar(
        &app.db,
        "SELECT COUNT(DISTINCT payload) FROM jobs WHERE kind = 'helpdesk.mail.fetch'",
    )
    .await;
    assert_eq!(fetches, slots, "a mailbox slot enqueued twice");
    assert_eq!(
        scalar(&app.db, "SELECT COUNT(*) FROM jobs WHERE state = 'failed'").await,
        0
    );
    drop(one);
    drop(two);
}

async fn a_schedule_slot_is_enqueued_once_by_racing_processes(b: Backend) {
    let app = spawn_app(b).await;
    let other = app.testdb.connect().await;
    let every = worker::Schedule::new("prova", "prova.kind", Duration::from_secs(60));
    let at = testkit::test_now();
    // Ten ticks from each of two pools at the same instant: one job.
    let mut futs = Vec::new();
    for _ in 0..10 {
        for db in [app.db.clone(), other.clone()] {
            let every = every.clone();
            futs.push(async move { worker::schedule::tick(&db, &[every], at).await });
        }
    }
    let queued: usize = futures_join(futs).await;
    assert_eq!(queued, 1);
    // Later in the same minute: nothing; the next minute: one more; an earlier one: nothing.
    let n = |t| worker::schedule::tick(&app.db, std::slice::from_ref(&every), t);
    assert!(n(at + chrono::Duration::seconds(59))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        n(at + chrono::Duration::seconds(60)).await.unwrap().len(),
        1
    );
    assert!(n(at - chrono::Duration::hours(1)).await.unwrap().is_empty());
    // A day off makes up nothing: only the current slot runs.
    assert_eq!(n(at + chrono::Duration::days(1)).await.unwrap().len(), 1);
    assert_eq!(scalar(&app.db, "SELECT COUNT(*) FROM jobs").await, 3);
    let listed = worker::schedule::list(&app.db).await.unwrap();
    assert_eq!(listed[0].every_seconds, 60);
    assert_eq!(
        listed[0].last_run_at,
        Some(at + chrono::Duration::days(1) - chrono::Duration::seconds(at.timestamp() % 60))
    );
}

/// Runs the futures concurrently and adds up how many jobs they enqueued.
async fn futures_join(
    futs: Vec<
        impl std::future::Future<Output = Result<Vec<i64>, worker::JobError>> + Send + 'static,
    >,
) -> usize {
    let handles: Vec<_> = futs.into_iter().map(tokio::spawn).collect();
    let mut n = 0;
    for h in handles {
        n += h.await.unwrap().unwrap().len();
    }
    n
}

async fn admins_see_retry_and_cancel_background_work(b: Backend) {
    let app = spawn_app(b).await;
    app.user("amministratore", "admin", &[]).await;
    app.user("operatore", "operator", &[]).await;
    // A failed job and a queued one.
    let mut tx = app.db.write().await.unwrap();
    let failed = worker::enqueue(&mut tx, mail::SEND_JOB, &serde_json::json!({}), None, None)
        .await
        .unwrap()
        .unwrap();
    let queued = worker::enqueue(&mut tx, mail::SEND_JOB, &serde_json::json!({}), None, None)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    sqlx::query("UPDATE jobs SET state = 'failed', attempts = 10, last_error = '550 casella inesistente' WHERE id = $1")
        .bind(failed)
        .execute(app.db.pool())
        .await
        .unwrap();
    let br = app.browser("amministratore").await;
    let (s, html) = br.get("/jobs").await;
    assert_eq!(s, 200);
    assert!(html.contains("Nessun server SMTP è configurato"), "{html}");
    assert!(
        html.contains("550 casella inesistente") && html.contains("Invio di un&#39;e-mail"),
        "{html}"
    );
    assert!(html.contains("Conferma l'annullamento"));
    let (_, only_failed) = br.get("/jobs?stato=failed").await;
    assert!(!only_failed.contains(&format!("<td>{queued}</td>")));
    // Retry the failed one, cancel the queued one; retrying the queued one again is refused.
    let (s, html) = br.post_follow(&format!("/jobs/{failed}/retry"), &[]).await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!("L&#39;attività {failed} è di nuovo in coda")),
        "{html}"
    );
    let (_, html) = br.post_follow(&format!("/jobs/{queued}/cancel"), &[]).await;
    assert!(html.contains("è stata annullata"), "{html}");
    let (_, html) = br.post_follow(&format!("/jobs/{failed}/retry"), &[]).await;
    assert!(
        html.contains("si ripete solo un&#39;attività non riuscita"),
        "{html}"
    );
    let (s, _) = br.post("/jobs/999999/cancel", &[]).await;
    assert_eq!(s, 303, "a missing job is said on the page");
    let states: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT id, state, attempts FROM jobs ORDER BY id")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert_eq!(
        states,
        [
            (failed, "queued".to_owned(), 0),
            (queued, "cancelled".to_owned(), 0)
        ]
    );
    // Both are in the audit chain.
    assert_eq!(
        scalar(
            &app.db,
            "SELECT COUNT(*) FROM audit_log WHERE object_type = 'job'"
        )
        .await,
        2
    );
    // Operators do not see the page.
    let op = app.browser("operatore").await;
    assert_eq!(op.get("/jobs").await.0, 403);
    // The command line lists and acts the same way.
    let url = app.testdb.url.clone();
    let out = crate::cli::cst(&["jobs", "list", "--database", &url], None);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("{queued}\tmail.send\tcancelled")),
        "{text}"
    );
    let out = crate::cli::cst(
        &["jobs", "retry", &queued.to_string(), "--database", &url],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = crate::cli::cst(&["jobs", "cancel", "424242", "--database", &url], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("attività 424242 non trovata"));
    let out = crate::cli::cst(
        &["jobs", "list", "--state", "rotto", "--database", &url],
        None,
    );
    assert!(!out.status.success());
}

/// `--log-format json`: one JSON object a line, and a line logged while serving a request
/// carries that request's id, the one the client got in `x-request-id`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_log_lines_carry_the_request_id() {
    let dir = std::env::temp_dir().join(format!("cst-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let database = format!("sqlite://{}", dir.join("log.db").display());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_cst"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--database", &database, "--log-format", "json"])
        .env("CST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut id = String::new();
    for _ in 0..300 {
        if let Ok(r) = http
            .post(format!("{base}/login"))
            .form(&[("username", "nessuno"), ("password", "sbagliata")])
            .send()
            .await
        {
            id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(id.len(), 16);
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let out = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    let line = log
        .lines()
        .find(|l| l.contains("failed login"))
        .unwrap_or_else(|| panic!("no failed-login line in {log}"));
    let v: serde_json::Value = serde_json::from_str(line).expect("a JSON object");
    assert_eq!(v["span"]["id"], id.as_str(), "{line}");
    assert_eq!(v["level"], "WARN");
    let _ = std::fs::remove_dir_all(&dir);
}
