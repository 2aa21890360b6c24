//! Benchmark (not a test): SLA due-time computations per second on one core, with a
//! precomputed calendar (target ≥ 5 million/s), and with the day-by-day reference walk.
//!
//!     cargo bench -p kernel --bench sla

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Instant;

use kernel::calendar::{Calendar, Precomputed, PRESETS};

fn main() {
    // Starts spread over 2025–2029, 8, 12 or 16 working hours (the seed 001 SLA).
    let base = 1_735_689_600i64; // 2025-01-01T00:00:00Z
    let span = 5 * 365 * 86_400i64;
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let inputs: Vec<(i64, i64)> = (0..1_000_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let from = base + (x % span as u64) as i64;
            let hours = [8, 12, 16][(x >> 40) as usize % 3];
            (from, hours * 3600)
        })
        .collect();
    for name in PRESETS {
        let cal = Calendar::preset(name).unwrap();
        let t = Instant::now();
        let pre = Precomputed::new(&cal, 2024, 2031).unwrap();
        let layout = t.elapsed();
        let mut best = f64::MAX;
        let mut check = 0i64;
        for _ in 0..10 {
            let t = Instant::now();
            let mut sum = 0i64;
            for &(from, secs) in &inputs {
                sum = sum.wrapping_add(black_box(pre.add_seconds(black_box(from), secs)).unwrap());
            }
            best = best.min(t.elapsed().as_secs_f64());
            check = sum;
        }
        // The reference walk, on a sample.
        let sample = &inputs[..20_000];
        let t = Instant::now();
        let mut agree = 0;
        for &(from, secs) in sample {
            let f = chrono::DateTime::from_timestamp(from, 0).unwrap();
            let r = cal.add_working(f, chrono::Duration::seconds(secs)).unwrap();
            if Some(r.timestamp()) == pre.add_seconds(from, secs) {
                agree += 1;
            }
        }
        let walk = t.elapsed().as_secs_f64();
        assert_eq!(agree, sample.len(), "the two implementations disagree");
        println!(
            "{name:>13}: precomputed {:>6.1} M due times/s ({:.0} ns each; 2024–2031 laid out in {:.1} ms), reference walk {:.2} M/s (checksum {check})",
            inputs.len() as f64 / best / 1e6,
            best / inputs.len() as f64 * 1e9,
            layout.as_secs_f64() * 1e3,
            sample.len() as f64 / walk / 1e6,
        );
    }
}
