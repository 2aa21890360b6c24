//! Benchmark (not a test): the needs campaign's aggregate for 7,904 entities × 20 services
//! (issue 11: under 1 s on SQLite), on a fresh SQLite file: the Padova catalogue, 7,904
//! entities with populations from 100 to 300,000 and a signed agreement, the campaign of 2027
//! opened through the store (every form and invitation created), then 20 answered lines per
//! entity inserted with SQL (renewals of services activated in earlier years with quantities
//! 1–50, new services, stops and refusals) and every form submitted. Then `summary` through
//! the store, 10 times: one read of the 158,080 lines, each priced with the 2027 list.
//!
//!     cargo bench -p delivery --bench needs
//!
//! Prints the time of each run and the best, and the aggregate's total.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use kernel::Actor;

const ENTITIES: usize = 7_904;
const SERVICES: [&str; 20] = [
    "PD01", "PD02", "PD03", "PD04", "PD05", "PD06", "PD07", "PD08", "PD09", "PD10", "PD11", "PD12",
    "PD13", "PD14", "PD15", "PD16", "PD17", "PD18", "PD19", "PD20",
];

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("cst-bench-needs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("bench.db").display());
        let db = db::Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let actor = Actor::system("bench");
        catalog::store::load_padova_catalogue(&db, &actor)
            .await
            .unwrap();
        let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM services ORDER BY code")
            .fetch_all(db.pool())
            .await
            .unwrap();
        let services: Vec<&str> = SERVICES
            .iter()
            .copied()
            .filter(|s| codes.iter().any(|c| c == s))
            .chain(codes.iter().map(String::as_str))
            .take(20)
            .collect();
        let setup = Instant::now();
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        {
            let mut tx = db.write().await.unwrap();
            for i in 0..ENTITIES {
                let population = 100 + (next() % 300_000) as i64;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO entities (name, kind, population, population_date, created_at, updated_at) \
                     VALUES ($1, 'comune', $2, '2023-01-01', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z') \
                     RETURNING id",
                )
                .bind(format!("Comune di Prova {i:04}"))
                .bind(population)
                .fetch_one(tx.conn())
                .await
                .unwrap();
                sqlx::query(
                    "INSERT INTO agreements (entity_id, number, status, start_date, end_date, term_years, \
                     created_at, updated_at) VALUES ($1, $2, 'signed', '2024-01-01', '2028-12-31', 5, \
                     '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
                )
                .bind(id)
                .bind(format!("{i}/2024"))
                .execute(tx.conn())
                .await
                .unwrap();
            }
            tx.commit().await.unwrap();
        }
        let today = "2026-11-25".parse().unwrap();
        let campaign = delivery::store::needs::open(
            &db,
            &actor,
            2027,
            "2026-12-15".parse().unwrap(),
            today,
        )
        .await
        .unwrap();
        assert_eq!(campaign.forms, ENTITIES as i64);
        {
            let mut tx = db.write().await.unwrap();
            let forms: Vec<(i64,)> =
                sqlx::query_as("SELECT id FROM needs_forms WHERE campaign_id = $1")
                    .bind(campaign.id)
                    .fetch_all(tx.conn())
                    .await
                    .unwrap();
            for (form,) in forms {
                for service in &services {
                    let (answer, quantity, current, activation) = match next() % 4 {
                        0 => ("renew", 1 + next() % 50, 1 + next() % 50, Some("2024-03-01")),
                        1 => ("stop", 0, 1 + next() % 50, Some("2025-06-01")),
                        2 => ("interested", 1 + next() % 50, 0, None),
                        _ => ("no", 0, 0, None),
                    };
                    sqlx::query(
                        "INSERT INTO needs_lines (form_id, campaign_id, service_code, item_code, answer, \
                         quantity, current_quantity, activation_date) VALUES ($1, $2, $3, '', $4, $5, $6, $7)",
                    )
                    .bind(form)
                    .bind(campaign.id)
                    .bind(*service)
                    .bind(answer)
                    .bind(quantity as i64)
                    .bind(current as i64)
                    .bind(activation)
                    .execute(tx.conn())
                    .await
                    .unwrap();
                }
            }
            sqlx::query("UPDATE needs_forms SET state = 'submitted' WHERE campaign_id = $1")
                .bind(campaign.id)
                .execute(tx.conn())
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        println!(
            "setup: {ENTITIES} entities, {} lines in {:.1} s",
            ENTITIES * services.len(),
            setup.elapsed().as_secs_f64()
        );
        // The read alone, for comparison: what the aggregate costs beyond fetching the lines.
        let t = Instant::now();
        let rows = sqlx::query(
            "SELECT f.entity_id, l.service_code, l.item_code, l.answer, l.quantity, l.current_quantity, \
             l.activation_date, e.population FROM needs_lines l JOIN needs_forms f ON f.id = l.form_id \
             JOIN entities e ON e.id = f.entity_id \
             WHERE l.campaign_id = $1 AND f.state IN ('submitted', 'processed')",
        )
        .bind(campaign.id)
        .fetch_all(db.pool())
        .await
        .unwrap();
        println!("the read alone: {} rows in {:.0} ms", rows.len(), t.elapsed().as_secs_f64() * 1000.0);
        let mut best = f64::MAX;
        let mut total = None;
        for run in 1..=10 {
            let t = Instant::now();
            let s = delivery::store::needs::summary(&db, &actor, campaign.id)
                .await
                .unwrap();
            let secs = t.elapsed().as_secs_f64();
            best = best.min(secs);
            let sum: i64 = s.services.iter().map(|(n, _)| n.estimated_amount.cents()).sum();
            let unpriced: u64 = s.services.iter().map(|(n, _)| n.unpriced).sum();
            if let Some(prev) = total {
                assert_eq!(prev, (sum, unpriced), "the same figures every run");
            }
            total = Some((sum, unpriced));
            println!("run {run}: {:.0} ms ({} services)", secs * 1000.0, s.services.len());
        }
        let (sum, unpriced) = total.unwrap();
        println!(
            "needs aggregate, {ENTITIES} entities × {} services: best {:.0} ms; estimated total {} ({unpriced} lines the list cannot price)",
            services.len(),
            best * 1000.0,
            kernel::Euro::from_cents(sum)
        );
        std::fs::remove_dir_all(&dir).ok();
    });
}
