//! "Accesses of administrator X on entity Y in a month" with many records stored: fills a
//! log store's access table (SQLite, the default store) with `ROWS` events (default 50,000,000: 200 entities × 25 accounts over a year),
//! then runs `QUERIES` (default 2,000) random month-by-account queries through the same
//! function the API uses (count and first page) and prints p50, p99 and max.
//!
//!   cargo bench -p logs --bench access_p99                 # 50M rows, SQLite
//!   ROWS=5000000 cargo bench -p logs --bench access_p99    # smaller
//!   COLD=1 cargo bench -p logs --bench access_p99          # page cache dropped first (root)
//!
//! The filled store is kept in `target/bench-logs/` and reused when it already has the rows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use logs::store::query::{access_events, AccessFilter};
use logs::store::{Location, LogStore};

const ENTITIES: i64 = 200;
const ACCOUNTS: i64 = 25;
const YEAR_START: i64 = 1_767_222_000_000_000; // 2026-01-01T00:00:00+01:00 in µs
const YEAR: i64 = 365 * 86_400_000_000;
const MONTH: i64 = 30 * 86_400_000_000;

fn env_num(k: &str, d: u64) -> u64 {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}

/// A small deterministic generator (xorshift), so that runs compare.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn fill_sqlite(path: &std::path::Path, rows: u64) {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")
        .unwrap();
    // The count of a finished fill is kept apart: counting 50 million rows at every run would
    // read an index whole and warm the cache the cold run is meant to find empty.
    conn.execute_batch("CREATE TABLE IF NOT EXISTS bench_filled (rows INTEGER NOT NULL)")
        .unwrap();
    let have: i64 = conn
        .query_row(
            "SELECT coalesce(max(rows), -1) FROM bench_filled",
            [],
            |r| r.get(0),
        )
        .unwrap();
    if have >= 0 && have as u64 >= rows {
        println!("store already holds {have} access events");
        return;
    }
    conn.execute("DELETE FROM log_access", []).unwrap();
    let started = Instant::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let per_tx = 1_000_000u64;
    let mut done = 0u64;
    while done < rows {
        let tx = conn.transaction().unwrap();
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO log_access (id, message_id, segment_id, entity_id, peer, at, \
                     username, from_addr, host, action, outcome, method, family) \
                     VALUES (?1, ?1, ?2, ?3, '10.0.0.1', ?4, ?5, '10.1.2.3', ?6, 'login', ?7, 'password', 'sshd')",
                )
                .unwrap();
            for i in done..(done + per_tx).min(rows) {
                let r = rng.next();
                let entity = (r % ENTITIES as u64) as i64 + 1;
                let account = ((r >> 8) % ACCOUNTS as u64) as i64;
                // Time grows with i (as in a real store), spread over the year.
                let at = YEAR_START + (i as i64) * (YEAR / rows as i64);
                let outcome = if (r >> 16).is_multiple_of(10) {
                    "failure"
                } else {
                    "success"
                };
                st.execute(rusqlite::params![
                    i as i64,
                    (i / 5000) as i64,
                    entity,
                    at,
                    format!("admin{account:02}"),
                    format!("srv-{}", (r >> 24) % 8),
                    outcome
                ])
                .unwrap();
            }
        }
        tx.commit().unwrap();
        done = (done + per_tx).min(rows);
        eprint!("\r{done} rows ({:.0} s)", started.elapsed().as_secs_f64());
    }
    eprintln!();
    conn.execute("DELETE FROM bench_filled", []).unwrap();
    conn.execute("INSERT INTO bench_filled (rows) VALUES (?1)", [rows as i64])
        .unwrap();
    println!(
        "filled {rows} access events in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

fn main() {
    let rows = env_num("ROWS", 50_000_000);
    let queries = env_num("QUERIES", 2_000) as usize;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-logs");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("access.logs.db");
        let store = LogStore::open_at(Location::Sqlite(path.clone())).await.unwrap();
        fill_sqlite(&path, rows);
        if std::env::var("COLD").is_ok_and(|v| v == "1") {
            // The cold case: nothing of the store in the operating system's page cache.
            let dropped = std::process::Command::new("sync").status().is_ok()
                && std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok();
            println!(
                "{}",
                if dropped {
                    "page cache dropped: a cold run"
                } else {
                    "could not drop the page cache (needs root): not a cold run"
                }
            );
        }
        let mut rng = Rng(42);
        let mut times = Vec::with_capacity(queries);
        let mut matched = 0i64;
        for _ in 0..queries {
            let r = rng.next();
            let entity = (r % ENTITIES as u64) as i64 + 1;
            let account = (r >> 8) % ACCOUNTS as u64;
            let month = ((r >> 16) % 11) as i64;
            let f = AccessFilter {
                entity_id: entity,
                user: Some(format!("admin{account:02}")),
                from: Some(YEAR_START + month * MONTH),
                to: Some(YEAR_START + (month + 1) * MONTH),
                limit: 100,
                ..Default::default()
            };
            let t = Instant::now();
            let (_, total) = access_events(&store, &f).await.unwrap();
            times.push(t.elapsed());
            matched += total;
        }
        times.sort();
        let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
        println!(
            "{queries} queries (one account of one entity, one month; count and first page of 100) \
             over {rows} access events: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {:.0} events per answer",
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            times.last().unwrap().as_secs_f64() * 1e3,
            matched as f64 / queries as f64
        );
    });
}
