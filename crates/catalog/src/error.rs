use crate::membership::RuleError;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error("nessuna regola della quota associativa vale per il {0}: impostarla (PUT /api/v1/membership-fee-rule)")]
    NoRule(i32),
    #[error("anno {0} non valido: tra 2000 e 2100")]
    BadYear(i64),
    #[error("operazione riservata agli amministratori")]
    Forbidden,
    #[error(transparent)]
    Members(#[from] members::MembersError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}
