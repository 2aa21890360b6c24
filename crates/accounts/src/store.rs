//! The only file of this crate with SQL.

use db::{audit, Db, WriteTx};
use kernel::audit::AuditEvent;
use kernel::{Actor, Role};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{password, secret, AccountsError};

mod directory;
mod tokens;
pub use directory::{search, UserQuery, UserSort};
pub use tokens::{
    issue_token, revoke_tokens, tokens_of, user_by_token, TokenInfo, Tokens, DEFAULT_TOKEN_DAYS,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub created_at: String,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor::user(self.id, &self.username, self.role)
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub role: String,
    pub password: String,
    pub entity_ids: Vec<i64>,
}

const USER_COLS: &str = "id, username, full_name, email, role, active, created_at";

pub(crate) fn user_from_row(r: &AnyRow) -> Result<User, sqlx::Error> {
    let role: String = r.try_get(4)?;
    Ok(User {
        id: r.try_get(0)?,
        username: r.try_get(1)?,
        full_name: r.try_get(2)?,
        email: r.try_get(3)?,
        role: Role::parse(&role)
            .ok_or_else(|| sqlx::Error::Decode(format!("unknown role {role}").into()))?,
        active: r.try_get::<i64, _>(5)? != 0,
        created_at: r.try_get(6)?,
    })
}

pub fn parse_username(s: &str) -> Result<String, AccountsError> {
    let u = s.trim().to_lowercase();
    if (3..=64).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-@".contains(&b))
    {
        Ok(u)
    } else {
        Err(AccountsError::invalid(
            "username",
            "nome utente non valido: da 3 a 64 tra lettere, cifre e . _ - @",
        ))
    }
}

async fn event(
    tx: &mut WriteTx,
    actor: &Actor,
    action: &str,
    user: &User,
    before: Option<String>,
    after: Option<String>,
) -> Result<(), sqlx::Error> {
    audit_change(
        tx,
        actor,
        action,
        "user",
        user.id.to_string(),
        before,
        after,
    )
    .await
}

/// Appends the audit record of a change to an account or one of its tokens.
pub(crate) async fn audit_change(
    tx: &mut WriteTx,
    actor: &Actor,
    action: &str,
    object_type: &str,
    object_id: String,
    before: Option<String>,
    after: Option<String>,
) -> Result<(), sqlx::Error> {
    audit::append(
        tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: action.into(),
            object_type: object_type.into(),
            object_id,
            entity_id: None,
            before,
            after,
        },
    )
    .await
    .map(|_| ())
}

/// The user with its entities, as written to the audit chain (never the password hash).
#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    user: &'a User,
    entity_ids: &'a [i64],
}

fn snapshot(u: &User, entities: &[i64]) -> Option<String> {
    serde_json::to_string(&Snapshot {
        user: u,
        entity_ids: entities,
    })
    .ok()
}

async fn set_entities(tx: &mut WriteTx, user_id: i64, ids: &[i64]) -> Result<(), AccountsError> {
    sqlx::query("DELETE FROM user_entities WHERE user_id = $1")
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    for id in ids {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entities WHERE id = $1")
            .bind(id)
            .fetch_one(tx.conn())
            .await?;
        if n == 0 {
            return Err(AccountsError::UnknownEntity(*id));
        }
        sqlx::query("INSERT INTO user_entities (user_id, entity_id) VALUES ($1, $2)")
            .bind(user_id)
            .bind(id)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

fn check_role_entities(role: Role, ids: &[i64]) -> Result<(), AccountsError> {
    match role {
        Role::Contact if ids.is_empty() => Err(AccountsError::invalid(
            "entity_ids",
            "un referente deve essere collegato ad almeno un ente",
        )),
        Role::Admin | Role::Operator if !ids.is_empty() => Err(AccountsError::invalid(
            "entity_ids",
            "amministratori e operatori vedono tutti gli enti: non vanno collegati a enti",
        )),
        _ => Ok(()),
    }
}

fn parse_role(s: &str) -> Result<Role, AccountsError> {
    Role::parse(s).ok_or_else(|| {
        AccountsError::invalid(
            "role",
            "ruolo non valido: admin, operator, supplier o contact",
        )
    })
}

/// The entity links, sorted and without repeats, if they suit the role.
fn checked_entities(role: Role, ids: &[i64]) -> Result<Vec<i64>, AccountsError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    check_role_entities(role, &ids)?;
    Ok(ids)
}

pub async fn create(db: &Db, actor: &Actor, new: &NewUser) -> Result<User, AccountsError> {
    if !actor.is_admin() {
        return Err(AccountsError::Forbidden);
    }
    let username = parse_username(&new.username)?;
    let role = parse_role(&new.role)?;
    let ids = checked_entities(role, &new.entity_ids)?;
    password::check_policy(&new.password)?;
    let hash = password::hash(&new.password)?;
    let mut tx = db.write().await?;
    let now = kernel::time::now();
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO users (username, full_name, email, role, password_hash, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING {USER_COLS}"
    )))
    .bind(&username)
    .bind(new.full_name.trim())
    .bind(new.email.trim())
    .bind(role.code())
    .bind(&hash)
    .bind(&now)
    .fetch_one(tx.conn())
    .await
    .map_err(|e| {
        if db::is_unique_violation(&e) {
            AccountsError::UsernameTaken
        } else {
            AccountsError::Db(e)
        }
    })?;
    let user = user_from_row(&row)?;
    set_entities(&mut tx, user.id, &ids).await?;
    event(&mut tx, actor, "create", &user, None, snapshot(&user, &ids)).await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn by_username(db: &Db, username: &str) -> Result<User, AccountsError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLS} FROM users WHERE username = $1"
    )))
    .bind(username.trim().to_lowercase())
    .fetch_optional(db.pool())
    .await?
    .ok_or(AccountsError::NotFound)?;
    Ok(user_from_row(&row)?)
}

pub async fn list(db: &Db, actor: &Actor) -> Result<Vec<(User, Vec<i64>)>, AccountsError> {
    if !actor.is_admin() {
        return Err(AccountsError::Forbidden);
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLS} FROM users ORDER BY username"
    )))
    .fetch_all(db.pool())
    .await?;
    let links = sqlx::query("SELECT user_id, entity_id FROM user_entities ORDER BY entity_id")
        .fetch_all(db.pool())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let u = user_from_row(r)?;
        let mut ids = Vec::new();
        for l in &links {
            if l.try_get::<i64, _>(0)? == u.id {
                ids.push(l.try_get(1)?);
            }
        }
        out.push((u, ids));
    }
    Ok(out)
}

/// The names people read for these accounts (full name, else username), by id, in one query;
/// ids of no account are left out.
pub async fn display_names(
    db: &Db,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>, sqlx::Error> {
    let mut ids: Vec<i64> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    // Numbers, not text from a request: the list is written into the SQL.
    let list = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, COALESCE(NULLIF(full_name, ''), username) AS name FROM users WHERE id IN ({list})"
    )))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect()
}

pub async fn by_id(db: &Db, id: i64) -> Result<User, AccountsError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLS} FROM users WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AccountsError::NotFound)?;
    Ok(user_from_row(&row)?)
}

/// What an administrator may change of an account (the username stays).
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub full_name: String,
    pub email: String,
    pub role: String,
    pub entity_ids: Vec<i64>,
    pub active: bool,
}

/// Changes an account. Deactivating it ends its sessions and revokes its API tokens for good.
/// An administrator cannot deactivate or demote their own account (nobody would be left to undo it).
pub async fn update(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    change: &UserChange,
) -> Result<User, AccountsError> {
    if !actor.is_admin() {
        return Err(AccountsError::Forbidden);
    }
    let role = parse_role(&change.role)?;
    let ids = checked_entities(role, &change.entity_ids)?;
    if actor.user_id == user_id && (!change.active || role != Role::Admin) {
        return Err(AccountsError::invalid(
            "active",
            "non è possibile disattivare o declassare il proprio account",
        ));
    }
    let mut tx = db.write().await?;
    let before_row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLS} FROM users WHERE id = $1"
    )))
    .bind(user_id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AccountsError::NotFound)?;
    let before = user_from_row(&before_row)?;
    let before_ids: Vec<i64> = sqlx::query_scalar(
        "SELECT entity_id FROM user_entities WHERE user_id = $1 ORDER BY entity_id",
    )
    .bind(user_id)
    .fetch_all(tx.conn())
    .await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE users SET full_name = $1, email = $2, role = $3, active = $4, updated_at = $5 \
         WHERE id = $6 RETURNING {USER_COLS}"
    )))
    .bind(change.full_name.trim())
    .bind(change.email.trim())
    .bind(role.code())
    .bind(i64::from(change.active))
    .bind(kernel::time::now())
    .bind(user_id)
    .fetch_one(tx.conn())
    .await?;
    let after = user_from_row(&row)?;
    set_entities(&mut tx, user_id, &ids).await?;
    if !after.active {
        end_access(&mut tx, user_id).await?;
    }
    event(
        &mut tx,
        actor,
        "update",
        &after,
        snapshot(&before, &before_ids),
        snapshot(&after, &ids),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Activates or deactivates an account, keeping everything else (see [`update`]).
pub async fn set_active(
    db: &Db,
    actor: &Actor,
    user: &User,
    active: bool,
) -> Result<User, AccountsError> {
    let change = UserChange {
        full_name: user.full_name.clone(),
        email: user.email.clone(),
        role: user.role.code().to_owned(),
        entity_ids: entity_ids(db, user.id).await?,
        active,
    };
    update(db, actor, user.id, &change).await
}

/// Ends every session of an account and revokes its API tokens for good: reactivating the
/// account later does not bring them back.
async fn end_access(tx: &mut WriteTx, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(kernel::time::now())
        .bind(user_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

pub async fn entity_ids(db: &Db, user_id: i64) -> Result<Vec<i64>, AccountsError> {
    Ok(sqlx::query_scalar(
        "SELECT entity_id FROM user_entities WHERE user_id = $1 ORDER BY entity_id",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?)
}

/// Checks a password login. Unknown users cost as much time as known ones.
pub async fn authenticate(db: &Db, username: &str, pw: &str) -> Result<User, AccountsError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLS}, password_hash FROM users WHERE username = $1"
    )))
    .bind(username.trim().to_lowercase())
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        let _ = password::hash(pw);
        return Err(AccountsError::BadCredentials);
    };
    let stored: String = row.try_get(7)?;
    let user = user_from_row(&row)?;
    if password::verify(pw, &stored) && user.active {
        Ok(user)
    } else {
        Err(AccountsError::BadCredentials)
    }
}

pub async fn set_password(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    pw: &str,
) -> Result<(), AccountsError> {
    if !actor.is_admin() && actor.user_id != user_id {
        return Err(AccountsError::Forbidden);
    }
    password::check_policy(pw)?;
    let hash = password::hash(pw)?;
    let mut tx = db.write().await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3 RETURNING {USER_COLS}"
    )))
    .bind(hash)
    .bind(kernel::time::now())
    .bind(user_id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(AccountsError::NotFound)?;
    let user = user_from_row(&row)?;
    // Sessions and API tokens end: a changed password locks out whoever had the old one.
    end_access(&mut tx, user_id).await?;
    event(&mut tx, actor, "password", &user, None, None).await?;
    tx.commit().await?;
    Ok(())
}

// ---- sessions ----

pub const SESSION_HOURS: i64 = 12;

/// A browser session: the cookie value (secret) and the CSRF token bound to it.
pub struct NewSession {
    pub cookie: String,
    pub csrf: String,
}

pub async fn start_session(db: &Db, user: &User) -> Result<NewSession, AccountsError> {
    let cookie = secret::random("");
    let csrf = secret::random("");
    let now = chrono::Utc::now();
    let mut tx = db.write().await?;
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
        .bind(kernel::time::format(now))
        .execute(tx.conn())
        .await?;
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(secret::digest(&cookie))
    .bind(user.id)
    .bind(&csrf)
    .bind(kernel::time::format(now))
    .bind(kernel::time::format(now + chrono::Duration::hours(SESSION_HOURS)))
    .execute(tx.conn())
    .await?;
    event(&mut tx, &user.actor(), "login", user, None, None).await?;
    tx.commit().await?;
    Ok(NewSession { cookie, csrf })
}

/// A live session: its user, its CSRF token, and the message left for its next page.
pub struct LiveSession {
    pub user: User,
    pub csrf: String,
    pub flash: Option<String>,
}

/// The live session of a cookie.
pub async fn session(db: &Db, cookie: &str) -> Result<Option<LiveSession>, AccountsError> {
    let row = sqlx::query(
        "SELECT u.id, u.username, u.full_name, u.email, u.role, u.active, u.created_at, \
                s.csrf_token, s.flash \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.active = 1",
    )
    .bind(secret::digest(cookie))
    .bind(kernel::time::now())
    .fetch_optional(db.pool())
    .await?;
    match row {
        Some(r) => Ok(Some(LiveSession {
            user: user_from_row(&r)?,
            csrf: r.try_get(7)?,
            flash: r.try_get(8)?,
        })),
        None => Ok(None),
    }
}

/// Leaves a message (JSON) for the session's next page, or clears it with `None`. Technical
/// state, like the session itself: not audited.
pub async fn set_flash(db: &Db, cookie: &str, flash: Option<&str>) -> Result<(), AccountsError> {
    let mut tx = db.write().await?;
    sqlx::query("UPDATE sessions SET flash = $1 WHERE id_hash = $2")
        .bind(flash)
        .bind(secret::digest(cookie))
        .execute(tx.conn())
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn end_session(db: &Db, cookie: &str, user: &User) -> Result<(), AccountsError> {
    let mut tx = db.write().await?;
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(secret::digest(cookie))
        .execute(tx.conn())
        .await?;
    event(&mut tx, &user.actor(), "logout", user, None, None).await?;
    tx.commit().await?;
    Ok(())
}
