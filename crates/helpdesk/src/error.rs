#[derive(Debug, thiserror::Error)]
pub enum HelpdeskError {
    #[error("{}", kernel::refusal::describe_fields(.0))]
    Invalid(Vec<members::FieldError>),
    #[error("ticket non trovato")]
    NotFound,
    #[error("operazione riservata al personale del centro servizi")]
    StaffOnly,
    #[error("{0}")]
    Refused(String),
    /// A stored file no longer matches its SHA-256 (altered or incomplete in the database).
    #[error("il file «{0}» non corrisponde più alla sua impronta: è stato alterato nel database; ricaricare l'originale lo ripristina")]
    FileAltered(String),
    #[error("allegato non trovato")]
    AttachmentNotFound,
    #[error(transparent)]
    Calendar(#[from] kernel::calendar::CalendarError),
    #[error(transparent)]
    Members(#[from] members::MembersError),
    #[error(transparent)]
    Mail(#[from] mail::MailError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl kernel::Refusal for HelpdeskError {
    fn kind(&self) -> kernel::Kind {
        use kernel::Kind as K;
        match self {
            Self::Invalid(_) | Self::Calendar(_) | Self::Mail(mail::MailError::Address(_)) => {
                K::Invalid
            }
            Self::NotFound | Self::AttachmentNotFound => K::NotFound,
            Self::FileAltered(_) => K::Conflict,
            Self::StaffOnly => K::Forbidden,
            Self::Refused(_) => K::Conflict,
            Self::Members(m) => m.kind(),
            Self::Db(e) if db::is_unique_violation(e) => K::Conflict,
            Self::Mail(_) | Self::Db(_) => K::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_fields",
            Self::NotFound => "ticket_not_found",
            Self::AttachmentNotFound => "attachment_not_found",
            Self::FileAltered(_) => "file_altered",
            Self::StaffOnly => "staff_only",
            Self::Refused(_) => "ticket_action_refused",
            Self::Calendar(_) => "calendar_invalid",
            Self::Mail(mail::MailError::Address(_)) => "email_address_invalid",
            Self::Members(m) => m.code(),
            Self::Db(e) if db::is_unique_violation(e) => "already_exists",
            Self::Mail(_) | Self::Db(_) => "internal",
        }
    }
    fn fields(&self) -> Vec<kernel::FieldError> {
        match self {
            Self::Invalid(errs) => errs.clone(),
            Self::Members(m) => m.fields(),
            _ => Vec::new(),
        }
    }
    fn message(&self) -> String {
        match self {
            Self::Db(e) if db::is_unique_violation(e) => {
                "è stato appena registrato da un'altra richiesta: ricaricare e verificare".into()
            }
            e => e.to_string(),
        }
    }
}

impl HelpdeskError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![members::FieldError::new(field, message)])
    }
}
