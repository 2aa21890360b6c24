//! Login throttling per account *and* client address together, with a growing delay instead
//! of a lock: the first `FREE_FAILURES` wrong passwords cost nothing, each later one doubles
//! the wait before the next attempt from that address for that account (5 s, 10 s, 20 s, …,
//! at most 15 minutes). So nobody can lock `admin` out by guessing wrong from elsewhere, a
//! reverse proxy's address does not tie innocent accounts together, and a guesser still
//! gets only a few hundred tries a day. The counters are rows of `login_failures`, shared
//! by every process on the database; a success or a quiet day clears them.

use chrono::{DateTime, Duration, Utc};
use db::Db;

use crate::AccountsError;

/// Wrong passwords without any wait.
pub const FREE_FAILURES: i64 = 3;
/// The wait after the first failure past the free ones; it doubles at each further one.
pub const FIRST_DELAY_SECONDS: i64 = 5;
/// The longest wait.
pub const MAX_DELAY_SECONDS: i64 = 15 * 60;
/// Failures older than this are forgotten.
pub const FORGET_AFTER_HOURS: i64 = 24;

/// The wait imposed after the `failures`-th consecutive failure (pure).
pub fn delay_after(failures: i64) -> Duration {
    let past = failures - FREE_FAILURES;
    if past <= 0 {
        return Duration::zero();
    }
    let factor = 1i64 << (past - 1).clamp(0, 20);
    Duration::seconds((FIRST_DELAY_SECONDS * factor).min(MAX_DELAY_SECONDS))
}

fn key(username: &str) -> String {
    username.trim().to_lowercase()
}

/// `Some(wait)` when a login for `username` from `client` must be refused at `now`, even
/// with the right password.
pub async fn check(
    db: &Db,
    username: &str,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Option<Duration>, AccountsError> {
    let retry: Option<String> = sqlx::query_scalar(
        "SELECT retry_after FROM login_failures WHERE username = $1 AND client = $2",
    )
    .bind(key(username))
    .bind(client)
    .fetch_optional(db.pool())
    .await?;
    Ok(retry
        .and_then(|r| kernel::time::parse(&r))
        .filter(|r| *r > now)
        .map(|r| r - now))
}

/// Records a failure; returns the wait now imposed (zero while failures are free).
pub async fn failed(
    db: &Db,
    username: &str,
    client: &str,
    now: DateTime<Utc>,
) -> Result<Duration, AccountsError> {
    let now_s = kernel::time::format(now);
    let forget = kernel::time::format(now - Duration::hours(FORGET_AFTER_HOURS));
    let mut tx = db.write().await?;
    sqlx::query("DELETE FROM login_failures WHERE last_failure_at < $1")
        .bind(&forget)
        .execute(tx.conn())
        .await?;
    let failures: i64 = sqlx::query_scalar(
        "INSERT INTO login_failures (username, client, failures, last_failure_at, retry_after) \
         VALUES ($1, $2, 1, $3, $3) \
         ON CONFLICT (username, client) DO UPDATE SET failures = login_failures.failures + 1, \
         last_failure_at = $3 RETURNING failures",
    )
    .bind(key(username))
    .bind(client)
    .bind(&now_s)
    .fetch_one(tx.conn())
    .await?;
    let wait = delay_after(failures);
    sqlx::query("UPDATE login_failures SET retry_after = $1 WHERE username = $2 AND client = $3")
        .bind(kernel::time::format(now + wait))
        .bind(key(username))
        .bind(client)
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(wait)
}

/// A successful login clears the counter of that account and address.
pub async fn succeeded(db: &Db, username: &str, client: &str) -> Result<(), AccountsError> {
    let mut tx = db.write().await?;
    sqlx::query("DELETE FROM login_failures WHERE username = $1 AND client = $2")
        .bind(key(username))
        .bind(client)
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_grows_from_the_fourth_failure_and_stops_at_fifteen_minutes() {
        let secs = |n| delay_after(n).num_seconds();
        assert_eq!([secs(0), secs(1), secs(2), secs(3)], [0, 0, 0, 0]);
        assert_eq!([secs(4), secs(5), secs(6), secs(7)], [5, 10, 20, 40]);
        assert_eq!(secs(11), 640);
        assert_eq!(secs(12), MAX_DELAY_SECONDS);
        assert_eq!(secs(1_000_000), MAX_DELAY_SECONDS);
    }

    #[test]
    fn a_day_of_guessing_from_one_address_gets_few_tries() {
        // Each try waits the delay of the previous failure.
        let (mut t, mut n) = (0i64, 0i64);
        while t < 24 * 3600 {
            n += 1;
            t += delay_after(n).num_seconds();
        }
        assert!(n < 110, "{n} tries in a day");
    }
}
