//! Login throttling: after `MAX_FAILURES` failed logins within `WINDOW` for one username, or
//! `MAX_FAILURES * 4` from one client address, further attempts are refused until the window
//! has passed, even with the right password. Kept in memory: a restart forgets it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: usize = 5;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    fn keys(username: &str, client: &str) -> [(String, usize); 2] {
        [
            (
                format!("u:{}", username.trim().to_lowercase()),
                MAX_FAILURES,
            ),
            (format!("c:{client}"), MAX_FAILURES * 4),
        ]
    }

    /// `Some(wait)` when this login must be refused now.
    pub fn check(&self, username: &str, client: &str) -> Option<Duration> {
        let now = Instant::now();
        let map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        Self::keys(username, client)
            .iter()
            .filter_map(|(k, max)| {
                let recent: Vec<&Instant> = map
                    .get(k)?
                    .iter()
                    .filter(|t| now.duration_since(**t) < WINDOW)
                    .collect();
                (recent.len() >= *max)
                    .then(|| WINDOW.saturating_sub(now.duration_since(*recent[0])))
            })
            .max()
    }

    pub fn failed(&self, username: &str, client: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            map.retain(|_, v| v.last().is_some_and(|t| now.duration_since(*t) < WINDOW));
        }
        for (k, _) in Self::keys(username, client) {
            let v = map.entry(k).or_default();
            v.retain(|t| now.duration_since(*t) < WINDOW);
            v.push(now);
        }
    }

    pub fn succeeded(&self, username: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("u:{}", username.trim().to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_per_username() {
        let t = Throttle::default();
        for _ in 0..MAX_FAILURES {
            assert!(t.check("Mario", "1.2.3.4").is_none());
            t.failed("mario", "1.2.3.4");
        }
        assert!(t.check("mario", "5.6.7.8").is_some());
        assert!(t.check("luigi", "5.6.7.8").is_none());
        t.succeeded("MARIO");
        assert!(t.check("mario", "5.6.7.8").is_none());
    }
}
