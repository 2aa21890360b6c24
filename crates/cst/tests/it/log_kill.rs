//! `kill -9` during ingest (issue 13): a real `cst serve` receiving syslog over TCP, killed
//! with SIGKILL in the middle of a stream, loses at most the batch not yet committed.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use testkit::{backends, Backend};

use crate::logs::verify;

backends!(a_kill_during_ingest_loses_at_most_the_open_batch,);

/// A real `cst serve` receiving syslog over TCP; killed with SIGKILL in the middle of a stream.
async fn a_kill_during_ingest_loses_at_most_the_open_batch(b: Backend) {
    let app = testkit::spawn_app(b).await;
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (http, syslog) = (free(), free());
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_cst"))
            .args(["serve", "--listen", &format!("127.0.0.1:{http}")])
            .args(["--database", &app.testdb.url])
            .args(["--syslog-tcp", &format!("127.0.0.1:{syslog}")])
            .env("CST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut child = start();
    let metric = |name: &'static str| async move {
        let text = reqwest::get(format!("http://127.0.0.1:{http}/metrics"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok())
    };
    // Started once /metrics answers with the log counter.
    let started = || async {
        for _ in 0..300 {
            if metric("cst_syslog_messages_committed_total ")
                .await
                .is_some()
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    };
    assert!(started().await, "cst serve did not start");
    // A sender writing numbered messages as fast as it can, until the connection breaks.
    let sender = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", syslog)).unwrap();
        let mut n = 0u64;
        loop {
            let mut chunk = Vec::with_capacity(64 * 1024);
            for _ in 0..200 {
                n += 1;
                let m = format!(
                    "<14>1 2026-12-04T10:00:00Z host app - - [meta sequenceId=\"{n}\"] numero {n}"
                );
                chunk.extend(format!("{} {m}", m.len()).into_bytes());
            }
            if s.write_all(&chunk).is_err() {
                return n;
            }
        }
    });
    let mut seen = 0;
    for _ in 0..400 {
        seen = metric("cst_syslog_messages_committed_total ")
            .await
            .unwrap_or(0);
        if seen > 20_000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(seen > 0, "nothing committed");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let sent = sender.join().unwrap();
    // Everything counted as received before the kill is there, in order, with no hole.
    let store = logs::LogStore::open(&app.testdb.url).await.unwrap();
    let (last, total) = logs::store::query::messages(
        &store,
        &logs::store::query::LogFilter {
            entity_id: 0,
            limit: 1,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    store.close().await;
    assert!(
        total as u64 >= seen,
        "{total} stored, {seen} counted before the kill"
    );
    assert!((total as u64) < sent, "{total} stored of {sent} sent");
    let newest = &last[0].text;
    assert!(
        newest.ends_with(&format!("numero {total}")),
        "the newest stored message is {newest}, {total} stored: a hole"
    );
    let (ok, said) = verify(&app);
    assert!(ok, "{said}");
    // Restarted, it goes on.
    let mut child = start();
    assert!(started().await, "cst serve did not start again");
    let mut s = std::net::TcpStream::connect(("127.0.0.1", syslog)).unwrap();
    s.write_all(b"<13>Dec  4 10:00:00 host app: dopo il riavvio\n")
        .unwrap();
    drop(s);
    let mut after = 0;
    for _ in 0..100 {
        after = metric("cst_syslog_messages_committed_total ")
            .await
            .unwrap_or(0);
        if after >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(after, 1);
    let _ = child.kill();
    let _ = child.wait();
    let (ok, said) = verify(&app);
    assert!(ok, "{said}");
}
