//! Who is acting: the account behind a request, a command-line run or a background job.

use crate::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// 0 for the command line and the system.
    pub user_id: i64,
    /// Written to the audit chain: `user:<id>:<username>`, `cli`, `system`.
    pub label: String,
    pub role: Role,
}

/// What part of the member registry an actor may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every entity (admin, operator, command line, system jobs).
    All,
    /// Only the entities linked to this user (contacts and suppliers).
    User(i64),
}

impl Actor {
    pub fn user(user_id: i64, username: &str, role: Role) -> Self {
        Self {
            user_id,
            label: format!("user:{user_id}:{username}"),
            role,
        }
    }
    /// The command line and system jobs act with full rights.
    pub fn system(label: &str) -> Self {
        Self {
            user_id: 0,
            label: label.to_owned(),
            role: Role::Admin,
        }
    }
    pub fn scope(&self) -> Scope {
        if self.role.is_staff() {
            Scope::All
        } else {
            Scope::User(self.user_id)
        }
    }
    /// The `user_entities` filter parameter: 0 means every entity.
    pub fn scope_param(&self) -> i64 {
        match self.scope() {
            Scope::All => 0,
            Scope::User(id) => id,
        }
    }
    pub fn is_staff(&self) -> bool {
        self.role.is_staff()
    }
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}
