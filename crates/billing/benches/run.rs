//! Benchmark (not a test): the billing run of a year for every Italian comune (issue 12: the
//! shipped ISTAT list, 7,904 comuni, each with 10 active services; statements and validated
//! XML under 10 s on SQLite, peak RSS under 300 MB).
//!
//! Setup (not timed): a fresh database, the Padova catalogue and fee rule, the comuni of the
//! shipped ISTAT list with their 2023 populations, a signed agreement, the fiscal data an
//! e-invoice needs, and 10 active services each (activated between 2024 and 2026, so some
//! one-off fees fall in 2026), inserted with SQL. Timed, through the stores:
//!
//! 1. the billing run of 2026 (`runs::start` + `runs::execute`: facts read, charges computed,
//!    79,040+ lines written to 7,904 drafts);
//! 2. the same run again (nothing new: every draft compared and left alone);
//! 3. the FatturaPA XML of every statement, each built and validated against the FPA12
//!    schema (`invoices::model` + `fatturapa::to_xml`);
//! 4. issuing every draft (`issue_year`) and storing every e-invoice (`invoices::create`),
//!    reported apart: it is the administrator's later step, one audited transaction each.
//!
//! Run it with `cargo bench -p billing --bench run` (SQLite), or on PostgreSQL with
//! `CST_BENCH_PG=postgres://postgres@127.0.0.1/cst_bench cargo bench -p billing --bench run`.
//!
//! Prints each figure and the peak resident memory (VmHWM).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use kernel::Actor;

const SERVICES: [(&str, &str, u32); 10] = [
    ("PD05", "pacchetto", 1),
    ("PD06", "sito", 1),
    ("PD08", "base", 150),
    ("PD09", "postazione", 4),
    ("PD11", "pec-standard", 12),
    ("PD12", "base", 20),
    ("PD13", "avanzato", 40),
    ("PD14", "base", 1),
    ("PD16", "base", 1),
    ("PD19", "base", 1),
];

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// An 11-digit codice fiscale with its check digit, from a 10-digit body.
fn tax_code(body: u64) -> String {
    let digits: Vec<u32> = format!("{body:010}")
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                d
            } else {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            }
        })
        .sum();
    format!("{body:010}{}", (10 - sum % 10) % 10)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = match std::env::var("CST_BENCH_PG") {
            Ok(u) => u,
            Err(_) => {
                let dir = std::env::temp_dir().join(format!("cst-bench-billing-{}", std::process::id()));
                std::fs::create_dir_all(&dir).unwrap();
                format!("sqlite://{}", dir.join("bench.db").display())
            }
        };
        let db = db::Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let actor = Actor::system("bench");
        let setup = Instant::now();
        catalog::store::load_padova_catalogue(&db, &actor).await.unwrap();
        catalog::store::set_rule(
            &db,
            &actor,
            2026,
            "padova",
            &catalog::membership::preset("padova", None).unwrap(),
        )
        .await
        .unwrap();
        billing::store::put_settings(&db, &actor, &billing::settings::BillingSettings::demo(), None)
            .await
            .unwrap();
        let list_id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM price_lists")
            .fetch_one(db.pool())
            .await
            .unwrap();
        let rows = members::import::parse_istat(
            members::reference::COMUNI_ISTAT,
            Some(members::reference::POPULATION_2023),
            None,
        )
        .unwrap();
        let now = "2026-01-01T00:00:00.000000Z";
        {
            let mut tx = db.write().await.unwrap();
            for (i, row) in rows.iter().enumerate() {
                let get = |k: &str| {
                    row.set
                        .iter()
                        .chain(row.set_on_create.iter())
                        .find(|(f, _)| f == k)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                let population: i64 = get("population").parse().unwrap_or(1_000);
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO entities (name, kind, istat_code, population, population_date, province, \
                     city, tax_code, office_code, address, postal_code, created_at, updated_at) \
                     VALUES ($1, 'comune', $2, $3, '2023-01-01', $4, $5, $6, $7, 'Piazza del Municipio 1', \
                     '00100', $8, $8) RETURNING id",
                )
                .bind(get("name"))
                .bind(get("istat_code"))
                .bind(population)
                .bind(get("province"))
                .bind(get("city"))
                .bind(tax_code(8_000_000_000 + i as u64))
                .bind(format!("UF{i:04}"))
                .bind(now)
                .fetch_one(tx.conn())
                .await
                .unwrap();
                sqlx::query(
                    "INSERT INTO agreements (entity_id, number, status, start_date, end_date, term_years, \
                     created_at, updated_at) VALUES ($1, $2, 'signed', '2024-01-01', '2028-12-31', 5, $3, $3)",
                )
                .bind(id)
                .bind(format!("{i}/2024"))
                .bind(now)
                .execute(tx.conn())
                .await
                .unwrap();
                for (k, (service, item, quantity)) in SERVICES.iter().enumerate() {
                    let activation = format!("{}-{:02}-15", 2024 + (i + k) % 3, 1 + (i + k) % 12);
                    sqlx::query(
                        "INSERT INTO active_services (entity_id, service_code, item_code, quantity, \
                         activation_date, from_date, price_list_id, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $7)",
                    )
                    .bind(id)
                    .bind(*service)
                    .bind(*item)
                    .bind(i64::from(*quantity))
                    .bind(&activation)
                    .bind(list_id)
                    .bind(now)
                    .execute(tx.conn())
                    .await
                    .unwrap();
                }
            }
            tx.commit().await.unwrap();
        }
        let entities = rows.len();
        println!(
            "{} — setup: {entities} comuni × {} services in {:.1} s",
            db.backend().name(),
            SERVICES.len(),
            setup.elapsed().as_secs_f64()
        );

        let t = Instant::now();
        let run = billing::store::runs::start(&db, &actor, 2026, None).await.unwrap();
        let run = billing::store::runs::execute(&db, run.id).await.unwrap();
        let first = t.elapsed().as_secs_f64();
        assert_eq!(run.state, "done", "{run:?}");
        println!(
            "billing run 2026: {} entities, {} lines in {first:.2} s ({} left out)",
            run.done,
            run.lines_added,
            run.problems.len()
        );

        let t = Instant::now();
        let again = billing::store::runs::start(&db, &actor, 2026, None).await.unwrap();
        let again = billing::store::runs::execute(&db, again.id).await.unwrap();
        println!(
            "billing run again: {} lines written in {:.2} s",
            again.lines_added,
            t.elapsed().as_secs_f64()
        );

        let t = Instant::now();
        let statements = billing::store::statements::of_year(&db, &actor, 2026).await.unwrap();
        let settings = billing::store::settings(&db).await.unwrap();
        let today = "2026-11-25".parse().unwrap();
        let mut bytes = 0usize;
        for (n, st) in statements.iter().enumerate() {
            let mut st = st.clone();
            st.number = Some(format!("2026/{:04}", n + 1));
            let progressive = fatturapa::progressive(n as u64 + 1).unwrap();
            let entity = members::store::get(&db, &actor, st.entity_id).await.unwrap();
            let doc = billing::store::invoices::model(
                &st,
                &entity,
                &settings,
                &progressive,
                today,
                None,
                None,
            )
            .unwrap();
            bytes += fatturapa::to_xml(&doc).unwrap().len();
        }
        let xml = t.elapsed().as_secs_f64();
        println!(
            "FatturaPA XML of {} statements, each validated against FPA12 1.2.3: {xml:.2} s ({:.1} MB)",
            statements.len(),
            bytes as f64 / 1e6
        );
        println!("run + XML: {:.2} s", first + xml);

        let t = Instant::now();
        let issued = billing::store::statements::issue_year(&db, &actor, 2026, today)
            .await
            .unwrap();
        let issue = t.elapsed().as_secs_f64();
        let t = Instant::now();
        for st in billing::store::statements::of_year(&db, &actor, 2026).await.unwrap() {
            billing::store::invoices::create(&db, &actor, st.id, today).await.unwrap();
        }
        println!(
            "issue {issued} statements: {issue:.2} s; store their {issued} e-invoices: {:.2} s",
            t.elapsed().as_secs_f64()
        );
        println!("peak RSS: {:.0} MB", peak_rss_mb());
    });
}
