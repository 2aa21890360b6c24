use kernel::refusal::{Kind, Refusal};
use kernel::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum LogsError {
    #[error("{}", kernel::refusal::describe_fields(.0))]
    Invalid(Vec<FieldError>),
    #[error("sorgente non trovata")]
    SourceNotFound,
    #[error("operazione riservata al personale del centro servizi")]
    StaffOnly,
    #[error("i registri degli accessi sono riservati al titolare del trattamento dell'ente e ai suoi delegati")]
    ReviewersOnly,
    /// The address or certificate is already another source's.
    #[error("{0}")]
    Conflict(String),
    #[error("il registro dei log non è disponibile: {0}")]
    Store(String),
    #[error("esportazione non trovata")]
    ExportNotFound,
    #[error("amministratore non trovato")]
    AdminNotFound,
    /// The export target refused or failed (a folder not writable, a bucket unreachable).
    #[error("esportazione non riuscita: {0}")]
    ExportFailed(String),
    /// The target's manifest was altered: nothing is appended to it.
    #[error("il manifesto delle esportazioni è stato alterato, non vi si aggiunge nulla: {0}")]
    ManifestDamaged(String),
    #[error(transparent)]
    Members(#[from] members::MembersError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl LogsError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<rusqlite::Error> for LogsError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e.to_string())
    }
}

impl Refusal for LogsError {
    fn kind(&self) -> Kind {
        match self {
            Self::Invalid(_) => Kind::Invalid,
            Self::SourceNotFound | Self::ExportNotFound | Self::AdminNotFound => Kind::NotFound,
            Self::ExportFailed(_) | Self::ManifestDamaged(_) => Kind::Conflict,
            Self::StaffOnly | Self::ReviewersOnly => Kind::Forbidden,
            Self::Conflict(_) => Kind::Conflict,
            Self::Members(e) => e.kind(),
            Self::Db(_) | Self::Store(_) => Kind::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_fields",
            Self::SourceNotFound => "log_source_not_found",
            Self::ExportNotFound => "log_export_not_found",
            Self::AdminNotFound => "log_admin_not_found",
            Self::ExportFailed(_) => "log_export_failed",
            Self::ManifestDamaged(_) => "log_manifest_damaged",
            Self::StaffOnly => "staff_only",
            Self::ReviewersOnly => "log_reviewers_only",
            Self::Conflict(_) => "log_source_taken",
            Self::Members(e) => e.code(),
            Self::Db(_) | Self::Store(_) => "internal",
        }
    }
    fn fields(&self) -> Vec<FieldError> {
        match self {
            Self::Invalid(f) => f.clone(),
            Self::Members(e) => e.fields(),
            _ => Vec::new(),
        }
    }
}
