//! The four kinds of account and what each may reach.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The centre's administrators: everything.
    Admin,
    /// Help-desk and technician staff of the centre: every entity, no account management.
    Operator,
    /// An external company: only what is assigned to it.
    Supplier,
    /// A person at one or several member entities: only those entities.
    Contact,
}

impl Role {
    pub const ALL: [Role; 4] = [Self::Admin, Self::Operator, Self::Supplier, Self::Contact];
    pub fn code(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Operator => "operator",
            Self::Supplier => "supplier",
            Self::Contact => "contact",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "Amministratore",
            Self::Operator => "Operatore",
            Self::Supplier => "Fornitore",
            Self::Contact => "Referente ente",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s.trim())
    }
    /// Staff of the centre see every entity; the others see only their assigned ones.
    pub fn is_staff(self) -> bool {
        matches!(self, Self::Admin | Self::Operator)
    }
}
