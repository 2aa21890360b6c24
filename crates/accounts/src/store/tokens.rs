//! API bearer tokens: issued with an expiry, revoked for good (by hand, or when the account is
//! deactivated or its password changes), and listed with their last use. Only the SHA-256 of a
//! token is stored.

use chrono::{DateTime, Duration, Utc};
use db::Db;
use kernel::Actor;
use serde::Serialize;
use sqlx::Row;

use super::{user_from_row, User};
use crate::{secret, AccountsError};

/// A token lives one year unless chosen otherwise.
pub const DEFAULT_TOKEN_DAYS: u32 = 365;
/// At most ten years: a token that never ends is a token nobody remembers to revoke.
pub const MAX_TOKEN_DAYS: u32 = 3650;
/// The last use is written at most once a minute per token, so a busy client does not turn
/// every read into a write.
const LAST_USE_PRECISION_SECONDS: i64 = 60;

/// A token as its owner's page shows it (never the secret).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: i64,
    pub label: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

impl TokenInfo {
    /// Usable at `now`: not revoked and not expired.
    pub fn live(&self, now: &str) -> bool {
        self.revoked_at.is_none() && self.expires_at.as_deref().is_none_or(|e| e > now)
    }
}

async fn token_event(
    tx: &mut db::WriteTx,
    actor: &Actor,
    action: &str,
    id: String,
    after: serde_json::Value,
) -> Result<(), sqlx::Error> {
    let after = serde_json::to_string(&after).ok();
    super::audit_change(tx, actor, action, "api_token", id, None, after).await
}

/// Issues a bearer token valid for `valid_days` (1 to 3650) from `now`; returns it (shown once,
/// never stored in clear). Refused for an inactive account.
pub async fn issue_token(
    db: &Db,
    actor: &Actor,
    user: &User,
    label: &str,
    valid_days: u32,
    now: DateTime<Utc>,
) -> Result<String, AccountsError> {
    if !actor.is_admin() && actor.user_id != user.id {
        return Err(AccountsError::Forbidden);
    }
    if !(1..=MAX_TOKEN_DAYS).contains(&valid_days) {
        return Err(AccountsError::invalid(
            "days",
            format!("la durata di un token va da 1 a {MAX_TOKEN_DAYS} giorni"),
        ));
    }
    if !user.active {
        return Err(AccountsError::invalid(
            "username",
            "l'account è disattivato: lo si riattiva prima di emettere un token",
        ));
    }
    let label = label.trim();
    let token = secret::random("cst_");
    let expires = kernel::time::format(now + Duration::days(i64::from(valid_days)));
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO api_tokens (user_id, token_hash, label, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user.id)
    .bind(secret::digest(&token))
    .bind(label)
    .bind(kernel::time::format(now))
    .bind(&expires)
    .fetch_one(tx.conn())
    .await?;
    token_event(
        &mut tx,
        actor,
        "token.issue",
        id.to_string(),
        serde_json::json!({"user_id": user.id, "label": label, "expires_at": expires}),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Which tokens of an account to revoke.
#[derive(Debug, Clone, Copy)]
pub enum Tokens<'a> {
    All,
    Labelled(&'a str),
    One(i64),
}

/// Revokes the live tokens of an account that `which` names. Returns how many were revoked
/// (0 is not an error: there was nothing to end).
pub async fn revoke_tokens(
    db: &Db,
    actor: &Actor,
    user: &User,
    which: Tokens<'_>,
) -> Result<u64, AccountsError> {
    if !actor.is_admin() && actor.user_id != user.id {
        return Err(AccountsError::Forbidden);
    }
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let base = "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL";
    let cond = match which {
        Tokens::All => "",
        Tokens::Labelled(_) => " AND label = $3",
        Tokens::One(_) => " AND id = $3",
    };
    let q = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("{base}{cond} RETURNING id")))
        .bind(&now)
        .bind(user.id);
    let q = match which {
        Tokens::All => q,
        Tokens::Labelled(l) => q.bind(l.trim().to_owned()),
        Tokens::One(id) => q.bind(id),
    };
    let ids: Vec<i64> = q.fetch_all(tx.conn()).await?;
    if !ids.is_empty() {
        token_event(
            &mut tx,
            actor,
            "token.revoke",
            user.id.to_string(),
            serde_json::json!({"user_id": user.id, "token_ids": ids}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ids.len() as u64)
}

/// Every token of an account, newest first.
pub async fn tokens_of(db: &Db, user_id: i64) -> Result<Vec<TokenInfo>, AccountsError> {
    let rows = sqlx::query(
        "SELECT id, label, created_at, expires_at, last_used_at, revoked_at FROM api_tokens \
         WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TokenInfo {
                id: r.try_get(0)?,
                label: r.try_get(1)?,
                created_at: r.try_get(2)?,
                expires_at: r.try_get(3)?,
                last_used_at: r.try_get(4)?,
                revoked_at: r.try_get(5)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// The active account of a live token (not revoked, not expired), noting its use.
pub async fn user_by_token(db: &Db, token: &str) -> Result<Option<User>, AccountsError> {
    let now = Utc::now();
    let now_s = kernel::time::format(now);
    let row = sqlx::query(
        "SELECT u.id, u.username, u.full_name, u.email, u.role, u.active, u.created_at, \
                t.id, t.last_used_at \
         FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = 1 \
           AND (t.expires_at IS NULL OR t.expires_at > $2)",
    )
    .bind(secret::digest(token))
    .bind(&now_s)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let user = user_from_row(&row)?;
    let token_id: i64 = row.try_get(7)?;
    let last: Option<String> = row.try_get(8)?;
    let stale = kernel::time::format(now - Duration::seconds(LAST_USE_PRECISION_SECONDS));
    if last.as_deref().is_none_or(|l| l < stale.as_str()) {
        // Technical bookkeeping, like sessions: not audited.
        let mut tx = db.write().await?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(&now_s)
            .bind(token_id)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
    }
    Ok(Some(user))
}
