//! Benchmark (not a test): the membership fee and the quotes of 10 Padova services for every
//! Italian comune with a population (ISTAT list and 2023 population in data/reference),
//!
//! 1. in the engine alone (pure code, price list in memory): target < 200 ms for all of them;
//! 2. end to end through the store, on a fresh SQLite file: every comune imported with a signed
//!    agreement, then for each one `store::fee_of` and `store::quotes::compute` × 10 (scope
//!    check, service, agreement in force, price list of the date, engine), sequentially.
//!
//!     cargo bench -p catalog --bench quotes
//!
//! Prints the time of each run (best of several for the engine) and the totals, which must be
//! the same in both.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use catalog::fees::{quote, QuoteInput};
use catalog::membership::{preset, Member};
use catalog::service::padova;
use chrono::NaiveDate;
use kernel::{Actor, Euro};

/// Ten services and the quantity each is quoted for.
const SERVICES: [(&str, u32); 10] = [
    ("PD05", 1),
    ("PD06", 1),
    ("PD08", 150),
    ("PD09", 3),
    ("PD11", 20),
    ("PD12", 5),
    ("PD13", 25),
    ("PD16", 1),
    ("PD18", 1),
    ("PD19", 1),
];

fn main() {
    let rows = members::import::parse_istat(
        members::reference::COMUNI_ISTAT,
        Some(members::reference::POPULATION_2023),
        None,
    )
    .expect("reference data");
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| r.set.iter().any(|(k, _)| k == "population"))
        .collect();
    let populations: Vec<u32> = rows
        .iter()
        .map(|r| {
            r.set
                .iter()
                .find(|(k, _)| k == "population")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap()
        })
        .collect();
    println!(
        "{} comuni with a population × (membership fee + {} services)",
        populations.len(),
        SERVICES.len()
    );
    let activation = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let year = 2027;

    // 1. The engine.
    let rule = preset("padova", None).unwrap();
    let list = padova::price_list().unwrap();
    let mut best = Duration::MAX;
    let mut engine_total = Euro::ZERO;
    for _ in 0..20 {
        let start = Instant::now();
        let mut total = Euro::ZERO;
        for (i, p) in populations.iter().enumerate() {
            let m = Member {
                id: i as i64,
                population: Some(*p),
                workstations: 2,
            };
            total = total + rule.fee(&m, &[]).unwrap().amount;
            for (service, quantity) in SERVICES {
                let q = quote(
                    &list,
                    &QuoteInput {
                        service,
                        item: None,
                        quantity,
                        population: Some(*p),
                        activation,
                        year,
                    },
                )
                .unwrap();
                total = total + q.amount;
            }
        }
        best = best.min(start.elapsed());
        engine_total = total;
    }
    let n = populations.len() * (SERVICES.len() + 1);
    println!(
        "engine: {:>9.3} ms for {n} fees and quotes (best of 20), {:.0} ns each, total {engine_total}",
        best.as_secs_f64() * 1e3,
        best.as_nanos() as f64 / n as f64,
    );

    // 2. End to end through the store.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("cst-bench-quotes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("bench.db").display());
        let db = db::Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let actor = Actor::system("bench");
        let setup = Instant::now();
        members::store::import(&db, &actor, &rows, &|_, _| {})
            .await
            .unwrap();
        catalog::store::set_rule(&db, &actor, 2020, "padova", &rule)
            .await
            .unwrap();
        catalog::store::load_padova_catalogue(&db, &actor)
            .await
            .unwrap();
        let entities: Vec<i64> = members::store::names(&db, &actor)
            .await
            .unwrap()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        for id in &entities {
            catalog::store::agreements::create(
                &db,
                &actor,
                *id,
                &catalog::store::agreements::AgreementDraft {
                    start_date: NaiveDate::from_ymd_opt(2025, 1, 1),
                    term_years: Some(5),
                    signed: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        println!(
            "store setup: {} comuni imported with agreements in {:.1} s",
            entities.len(),
            setup.elapsed().as_secs_f64()
        );
        let start = Instant::now();
        let mut total = Euro::ZERO;
        for id in &entities {
            let e = members::store::get(&db, &actor, *id).await.unwrap();
            total = total
                + catalog::store::fee_of(&db, &e, year)
                    .await
                    .unwrap()
                    .1
                    .amount;
            for (service, quantity) in SERVICES {
                let q = catalog::store::quotes::compute(
                    &db,
                    &actor,
                    &catalog::store::quotes::QuoteRequest {
                        entity_id: *id,
                        service: service.into(),
                        item: None,
                        quantity,
                        activation_date: activation,
                        year,
                    },
                )
                .await
                .unwrap();
                total = total + q.amount;
            }
        }
        let took = start.elapsed();
        println!(
            "store:  {:>9.3} ms for {n} fees and quotes on SQLite, {:.0} µs each, total {total}",
            took.as_secs_f64() * 1e3,
            took.as_micros() as f64 / n as f64,
        );
        assert_eq!(total, engine_total, "the store and the engine disagree");
        db.close().await;
        std::fs::remove_dir_all(&dir).ok();
    });
}
