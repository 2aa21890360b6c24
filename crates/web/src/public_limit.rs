//! The brake on the public forms (sign-ups, bookings): at most [`PER_WINDOW`] submissions per
//! client address in [`WINDOW`], counted in this process's memory (several `cst serve`
//! processes behind one proxy each count their own). A form refused by it changes nothing.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Submissions an address may make in a window.
pub const PER_WINDOW: u32 = 10;
/// The window: ten minutes.
pub const WINDOW: Duration = Duration::from_secs(600);
/// Addresses remembered before the expired ones are forgotten.
const SWEEP_AT: usize = 10_000;

#[derive(Default)]
pub struct PublicLimit {
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl PublicLimit {
    /// Counts one submission from `ip` at `now`: `Err` with the seconds to wait when the
    /// address has used up its window.
    pub fn take(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= SWEEP_AT {
            seen.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let e = seen.entry(ip).or_insert((now, 0));
        if now.duration_since(e.0) >= WINDOW {
            *e = (now, 0);
        }
        if e.1 >= PER_WINDOW {
            return Err(WINDOW
                .saturating_sub(now.duration_since(e.0))
                .as_secs()
                .max(1));
        }
        e.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_share_per_window_and_others_theirs() {
        let l = PublicLimit::default();
        let t0 = Instant::now();
        let a: IpAddr = [192, 0, 2, 1].into();
        let b: IpAddr = [192, 0, 2, 2].into();
        for _ in 0..PER_WINDOW {
            assert!(l.take(a, t0).is_ok());
        }
        let wait = l.take(a, t0 + Duration::from_secs(60)).unwrap_err();
        assert_eq!(wait, 540);
        assert!(l.take(b, t0).is_ok(), "another address is not held back");
        assert!(l.take(a, t0 + WINDOW).is_ok(), "a new window starts afresh");
    }
}
