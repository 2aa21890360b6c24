use kernel::refusal::{Kind, Refusal};
use kernel::FieldError;

use crate::engine::EngineError;

#[derive(Debug, thiserror::Error)]
pub enum BillingError {
    #[error("{}", kernel::refusal::describe_fields(.0))]
    Invalid(Vec<FieldError>),
    #[error("rendiconto non trovato")]
    NotFound,
    #[error("elaborazione dei rendiconti non trovata")]
    RunNotFound,
    #[error("lettura non trovata")]
    ReadingNotFound,
    #[error("fattura non trovata")]
    InvoiceNotFound,
    #[error("operazione riservata al personale del centro servizi")]
    StaffOnly,
    #[error("operazione riservata agli amministratori del centro servizi")]
    AdminOnly,
    /// A state that forbids the change (an issued statement, a run already going).
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    #[error(transparent)]
    Members(#[from] members::MembersError),
    #[error(transparent)]
    Delivery(#[from] delivery::DeliveryError),
    #[error("lavoro non accodato: {0}")]
    Job(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl BillingError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<worker::JobError> for BillingError {
    fn from(e: worker::JobError) -> Self {
        Self::Job(e.to_string())
    }
}

impl Refusal for BillingError {
    fn kind(&self) -> Kind {
        match self {
            Self::Invalid(_) | Self::Engine(_) => Kind::Invalid,
            Self::NotFound | Self::RunNotFound | Self::InvoiceNotFound | Self::ReadingNotFound => {
                Kind::NotFound
            }
            Self::StaffOnly | Self::AdminOnly => Kind::Forbidden,
            Self::Conflict(_) => Kind::Conflict,
            Self::Catalog(e) => e.kind(),
            Self::Members(e) => e.kind(),
            Self::Delivery(e) => e.kind(),
            Self::Db(_) | Self::Job(_) => Kind::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_fields",
            Self::Engine(_) => "statement_not_computable",
            Self::NotFound => "statement_not_found",
            Self::RunNotFound => "statement_run_not_found",
            Self::InvoiceNotFound => "invoice_not_found",
            Self::ReadingNotFound => "reading_not_found",
            Self::StaffOnly => "staff_only",
            Self::AdminOnly => "admin_only",
            Self::Conflict(_) => "statement_state",
            Self::Catalog(e) => e.code(),
            Self::Members(e) => e.code(),
            Self::Delivery(e) => e.code(),
            Self::Db(_) | Self::Job(_) => "internal",
        }
    }
    fn fields(&self) -> Vec<FieldError> {
        match self {
            Self::Invalid(f) => f.clone(),
            Self::Catalog(e) => e.fields(),
            Self::Members(e) => e.fields(),
            Self::Delivery(e) => e.fields(),
            _ => vec![],
        }
    }
}
