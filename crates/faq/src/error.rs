use kernel::refusal::{Kind, Refusal};
use kernel::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum FaqError {
    #[error("{}", kernel::refusal::describe_fields(.0))]
    Invalid(Vec<FieldError>),
    #[error("articolo non trovato")]
    NotFound,
    #[error("le risposte alle domande frequenti sono scritte dal personale del centro servizi")]
    StaffOnly,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl Refusal for FaqError {
    fn kind(&self) -> Kind {
        match self {
            Self::Invalid(_) => Kind::Invalid,
            Self::NotFound => Kind::NotFound,
            Self::StaffOnly => Kind::Forbidden,
            Self::Db(_) => Kind::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_fields",
            Self::NotFound => "faq_not_found",
            Self::StaffOnly => "staff_only",
            Self::Db(_) => "internal",
        }
    }
    fn fields(&self) -> Vec<FieldError> {
        match self {
            Self::Invalid(f) => f.clone(),
            _ => vec![],
        }
    }
}
