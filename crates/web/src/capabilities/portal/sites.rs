//! What every public page asks first — the entity's name, the modules it has today, whether it
//! has a logo — kept in this process for a few seconds, so a busy public page does not read them
//! again for each visitor. Only entities with at least one module are kept (a page that is not
//! found stays not found until it exists); a change made here empties the entry at once, one made
//! by another process is seen within [`KEEP`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

/// How long an entry is used.
pub const KEEP: Duration = Duration::from_secs(10);

/// An entity's public site as the pages need it.
#[derive(Debug, Clone)]
pub struct Site {
    pub name: String,
    pub modules: Vec<String>,
    pub logo: bool,
}

#[derive(Default)]
pub struct Sites {
    map: Mutex<HashMap<i64, (Instant, NaiveDate, Site)>>,
}

impl Sites {
    /// The entry of `entity` for `day`, if fresh.
    pub fn get(&self, entity: i64, day: NaiveDate, now: Instant) -> Option<Site> {
        let map = self.map.lock().ok()?;
        map.get(&entity)
            .filter(|(at, d, _)| *d == day && now.duration_since(*at) < KEEP)
            .map(|(_, _, s)| s.clone())
    }

    pub fn put(&self, entity: i64, day: NaiveDate, now: Instant, site: Site) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() > 10_000 {
                map.clear();
            }
            map.insert(entity, (now, day, site));
        }
    }

    /// Forgets an entity (its settings changed) or, with `None`, every entity (the modules'
    /// mapping changed).
    pub fn forget(&self, entity: Option<i64>) {
        if let Ok(mut map) = self.map.lock() {
            match entity {
                Some(e) => {
                    map.remove(&e);
                }
                None => map.clear(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_lasts_a_few_seconds_and_one_day() {
        let sites = Sites::default();
        let t0 = Instant::now();
        let day: NaiveDate = "2026-12-05".parse().unwrap_or_default();
        let site = Site {
            name: "Comune di Padova".into(),
            modules: vec!["events".into()],
            logo: false,
        };
        sites.put(7, day, t0, site);
        assert!(sites.get(7, day, t0 + Duration::from_secs(9)).is_some());
        assert!(sites.get(7, day, t0 + KEEP).is_none());
        assert!(sites.get(7, day.succ_opt().unwrap_or(day), t0).is_none());
        sites.forget(Some(7));
        assert!(sites.get(7, day, t0).is_none());
    }
}
