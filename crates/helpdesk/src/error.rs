#[derive(Debug, thiserror::Error)]
pub enum HelpdeskError {
    #[error("dati non validi: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<members::FieldError>),
    #[error("ticket non trovato")]
    NotFound,
    #[error("operazione riservata al personale del centro servizi")]
    StaffOnly,
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Calendar(#[from] kernel::calendar::CalendarError),
    #[error(transparent)]
    Members(#[from] members::MembersError),
    #[error(transparent)]
    Mail(#[from] mail::MailError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl HelpdeskError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![members::FieldError::new(field, message)])
    }
}
