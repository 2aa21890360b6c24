//! Benchmark (not a test): a package's balance with 100,000 work reports stored (issue 11:
//! p99 under 5 ms), on a fresh SQLite file: one entity, one PD15 package of 1,000 days holding
//! 100,000 reports (a random mix of on-site and remote work), plus 100,000 reports on other
//! packages; then 2,000 reads of the balance through the store (`store::work::package`: the
//! scope check, the package and its two minute totals), sequentially.
//!
//!     cargo bench -p delivery --bench packages
//!
//! Prints the percentiles of one read.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use kernel::Actor;

const REPORTS: usize = 100_000;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("cst-bench-packages-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("bench.db").display());
        let db = db::Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let actor = Actor::system("bench");
        catalog::store::load_padova_catalogue(&db, &actor)
            .await
            .unwrap();
        let draft = members::EntityDraft {
            name: "Comune di Prova".into(),
            ..Default::default()
        };
        let e = members::store::create(&db, &actor, &draft.parse().unwrap())
            .await
            .unwrap();
        let package = |days| delivery::store::work::PackageDraft {
            service: "PD15".into(),
            year: 2026,
            days: Some(days),
            ..Default::default()
        };
        let p = delivery::store::work::create_package(&db, &actor, e.id, &package(1_000))
            .await
            .unwrap();
        let other = delivery::store::work::create_package(&db, &actor, e.id, &package(1_000))
            .await
            .unwrap();
        let setup = Instant::now();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut expected = (0u64, 0u64);
        for (package_id, count) in [(p.id, REPORTS), (other.id, REPORTS)] {
            let mut tx = db.write().await.unwrap();
            for _ in 0..count {
                let minutes = 10 + (next() % 470) as i64;
                let onsite = next() % 2 == 0;
                if package_id == p.id {
                    if onsite {
                        expected.0 += minutes as u64;
                    } else {
                        expected.1 += minutes as u64;
                    }
                }
                sqlx::query(
                    "INSERT INTO work_reports (entity_id, package_id, work_date, minutes, mode, \
                     description, flags, author, created_at) \
                     VALUES ($1, $2, '2026-06-01', $3, $4, 'lavoro', '', 'bench', '2026-06-01T08:00:00.000000Z')",
                )
                .bind(e.id)
                .bind(package_id)
                .bind(minutes)
                .bind(if onsite { "onsite" } else { "remote" })
                .execute(tx.conn())
                .await
                .unwrap();
            }
            // The store moves a package's totals with each report; inserted here in bulk, they
            // are set once from the sums.
            sqlx::query(
                "UPDATE packages SET \
                 onsite_minutes = (SELECT COALESCE(CAST(SUM(minutes) AS BIGINT), 0) FROM work_reports \
                   WHERE package_id = $1 AND mode = 'onsite'), \
                 remote_minutes = (SELECT COALESCE(CAST(SUM(minutes) AS BIGINT), 0) FROM work_reports \
                   WHERE package_id = $1 AND mode = 'remote') WHERE id = $1",
            )
            .bind(package_id)
            .execute(tx.conn())
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        println!(
            "setup: {} reports in {:.1} s",
            2 * REPORTS,
            setup.elapsed().as_secs_f64()
        );
        let engine = delivery::work::balance(
            delivery::work::Holding::Days(1_000),
            delivery::work::Used {
                onsite_minutes: expected.0,
                remote_minutes: expected.1,
            },
            delivery::work::Overage::Refused,
        );
        let mut times: Vec<Duration> = Vec::with_capacity(2_000);
        let mut last = None;
        for _ in 0..2_000 {
            let t = Instant::now();
            let got = delivery::store::work::package(&db, &actor, p.id).await.unwrap();
            times.push(t.elapsed());
            last = Some(got);
        }
        let got = last.unwrap();
        assert_eq!(got.balance.used, engine.used, "the store and the engine agree");
        times.sort();
        let pct = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
        println!(
            "balance of a package with {REPORTS} reports (used {} days): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            delivery::work::two_places(got.balance.used),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            times.last().unwrap().as_secs_f64() * 1e3,
        );
        std::fs::remove_dir_all(&dir).ok();
    });
}
