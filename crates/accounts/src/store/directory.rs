//! The accounts as a list: one page matching a search, a role, a state and an entity, in an
//! order, with the total; each account with the entities it is linked to.

use db::Db;
use kernel::{Actor, Role};
use sqlx::Row;

use super::{user_from_row, User, USER_COLS};
use crate::AccountsError;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserSort {
    /// A to Z.
    #[default]
    Username,
    /// By full name.
    Name,
    /// By role, then username.
    Role,
    /// Newest first.
    Created,
}

impl UserSort {
    pub const ALL: [UserSort; 4] = [
        UserSort::Username,
        UserSort::Name,
        UserSort::Role,
        UserSort::Created,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UserSort::Username => "username",
            UserSort::Name => "name",
            UserSort::Role => "role",
            UserSort::Created => "created",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    fn sql(self, reverse: bool) -> String {
        let (asc, desc) = db::directions(reverse);
        match self {
            UserSort::Username => format!("username {asc}, id {asc}"),
            UserSort::Name => format!("full_name {asc}, username {asc}, id {asc}"),
            UserSort::Role => format!("role {asc}, username {asc}, id {asc}"),
            UserSort::Created => format!("created_at {desc}, id {desc}"),
        }
    }
}

/// What the list of accounts is asked for.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    /// Part of the username, the full name or the e-mail address.
    pub q: String,
    pub role: Option<Role>,
    /// `Some(true)`: active accounts only; `Some(false)`: deactivated ones only.
    pub active: Option<bool>,
    /// Accounts linked to this entity.
    pub entity_id: Option<i64>,
    pub sort: UserSort,
    pub reverse: bool,
    pub limit: i64,
    pub offset: i64,
}

/// One page of accounts (admins only) with the total, each with its entities' ids.
pub async fn search(
    db: &Db,
    actor: &Actor,
    q: &UserQuery,
) -> Result<(i64, Vec<(User, Vec<i64>)>), AccountsError> {
    if !actor.is_admin() {
        return Err(AccountsError::Forbidden);
    }
    let like = match db.backend() {
        db::Backend::Sqlite => "LIKE",
        db::Backend::Postgres => "ILIKE",
    };
    // Only the filters in use are written into the statement; their values are bound.
    let mut filter = vec!["1 = 1".to_owned()];
    let search = q.q.trim();
    if !search.is_empty() {
        filter.push(format!(
            "(username {like} $1 OR full_name {like} $1 OR email {like} $1)"
        ));
    }
    if q.role.is_some() {
        filter.push("role = $2".into());
    }
    if q.active.is_some() {
        filter.push("active = $3".into());
    }
    if q.entity_id.is_some() {
        filter.push("id IN (SELECT user_id FROM user_entities WHERE entity_id = $4)".into());
    }
    let where_ = filter.join(" AND ");
    let bind = |sql: String| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(format!("%{search}%"))
            .bind(q.role.map_or("", Role::code))
            .bind(i64::from(q.active.unwrap_or(true)))
            .bind(q.entity_id.unwrap_or(0))
    };
    let total: i64 = bind(format!("SELECT COUNT(*) FROM users WHERE {where_}"))
        .fetch_one(db.pool())
        .await?
        .try_get(0)?;
    let rows = bind(format!(
        "SELECT {USER_COLS} FROM users WHERE {where_} ORDER BY {} LIMIT $5 OFFSET $6",
        q.sort.sql(q.reverse)
    ))
    .bind(q.limit.clamp(1, 1000))
    .bind(q.offset.max(0))
    .fetch_all(db.pool())
    .await?;
    let users = rows
        .iter()
        .map(user_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let mut links: std::collections::HashMap<i64, Vec<i64>> = Default::default();
    if !users.is_empty() {
        // Numbers of the page just read, not text from a request.
        let ids = users
            .iter()
            .map(|u| u.id.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT user_id, entity_id FROM user_entities WHERE user_id IN ({ids}) ORDER BY entity_id"
        )))
        .fetch_all(db.pool())
        .await?
        {
            links.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
        }
    }
    Ok((
        total,
        users
            .into_iter()
            .map(|u| {
                let ids = links.remove(&u.id).unwrap_or_default();
                (u, ids)
            })
            .collect(),
    ))
}
