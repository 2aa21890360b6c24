//! 10,000 SMS queued through the API and handed to a real SMSC (testkit's smsc.pl, Debian's
//! Net::SMPP) by the `sms.send` job, with none lost or doubled: prints the rate of queueing and
//! of sending. SQLite by default; `BENCH_BACKEND=postgres` for PostgreSQL on 127.0.0.1:5432.
//!
//!   cargo bench -p cst --bench sms_queue
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use addressbook::sms::job::Gateway;
use reqwest::Method;
use serde_json::json;
use testkit::smsc::Smsc;
use testkit::{spawn_app, Backend};

const N: usize = 10_000;

#[tokio::main]
async fn main() {
    let backend = match std::env::var("BENCH_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let app = spawn_app(backend).await;
    let staff = app.api(&app.user("capo", "admin", &[]).await).await;
    let (_, e) = staff
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "Comune di Prova"}),
        )
        .await;
    let to: Vec<String> = (0..N).map(|i| format!("+39 347 {i:07}")).collect();
    let t = Instant::now();
    let (s, p) = staff
        .send_json(
            Method::POST,
            "/api/v1/sms",
            json!({"entity_id": e["id"], "to": to, "text": "Avviso del Comune: prova di invio."}),
        )
        .await;
    assert_eq!(s, 202, "{p}");
    let queued = t.elapsed();
    let smsc = Smsc::start().await;
    let mut config = sms::client::Config::from_url(&smsc.url()).unwrap();
    config.window = 50;
    let mut gw = Gateway::new(app.db.clone(), config);
    gw.receipt_wait = std::time::Duration::from_millis(300);
    let t = Instant::now();
    let pass = gw.pass().await.unwrap();
    let sent = t.elapsed();
    let got = smsc.submitted();
    let mut dests: Vec<&str> = got.iter().map(|s| s.destination.as_str()).collect();
    dests.sort_unstable();
    dests.dedup();
    println!("backend: {backend:?}, {N} SMS of one part");
    println!(
        "queued in {:.2} s ({:.0} messages/s, one API call)",
        queued.as_secs_f64(),
        N as f64 / queued.as_secs_f64()
    );
    println!(
        "handed to the SMSC in {:.2} s ({:.0} parts/s, window 50); accepted {}, receipts {}",
        sent.as_secs_f64(),
        N as f64 / sent.as_secs_f64(),
        pass.accepted,
        pass.receipts
    );
    println!(
        "SMSC received {} submits for {} distinct numbers: lost {}, doubled {}",
        got.len(),
        dests.len(),
        N - dests.len(),
        got.len() - dests.len()
    );
    assert_eq!((got.len(), dests.len(), pass.accepted), (N, N, N));
}
