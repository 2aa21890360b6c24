//! Benchmark (not a test): the yearly membership fee of every Italian comune (ISTAT list and 2023
//! population shipped in data/reference) under each preset, in the engine alone. Prints the time
//! of the whole run (best of several) and the total charged.
//!
//!     cargo bench -p catalog --bench membership

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use catalog::membership::{preset, Member};
use kernel::Euro;

fn main() {
    let rows = members::import::parse_istat(
        members::reference::COMUNI_ISTAT,
        Some(members::reference::POPULATION_2023),
        None,
    )
    .expect("reference data");
    let comuni: Vec<Member> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let population = r
                .set
                .iter()
                .find(|(k, _)| k == "population")
                .and_then(|(_, v)| v.parse().ok());
            // No workstation counts exist for real comuni: one per 150 inhabitants, at least 2.
            let workstations = population.map_or(2, |p: u32| (p / 150).max(2));
            Member {
                id: i as i64,
                population,
                workstations,
            }
        })
        .filter(|m| m.population.is_some())
        .collect();
    println!("{} comuni with a population", comuni.len());
    for name in ["padova", "pesaro-urbino", "macerata", "lecco"] {
        let rule = preset(name, Some(Euro::from_cents(1_000_000_000))).unwrap();
        let mut best = Duration::MAX;
        let mut total = Euro::ZERO;
        for _ in 0..20 {
            let start = Instant::now();
            total = if name == "lecco" {
                // Every share depends on every member: the whole split at once.
                catalog::membership::workstation_shares(Euro::from_cents(1_000_000_000), &comuni)
                    .unwrap()
                    .values()
                    .fold(Euro::ZERO, |a, b| a + *b)
            } else {
                comuni
                    .iter()
                    .fold(Euro::ZERO, |a, m| a + rule.fee(m, &[]).unwrap().amount)
            };
            best = best.min(start.elapsed());
        }
        println!(
            "{name:>14}: {:>8.3} ms for every comune (best of 20), {:.0} ns per fee, total {}",
            best.as_secs_f64() * 1e3,
            best.as_nanos() as f64 / comuni.len() as f64,
            total
        );
    }
}
