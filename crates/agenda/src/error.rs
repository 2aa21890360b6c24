use kernel::refusal::{Kind, Refusal};
use kernel::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AgendaError {
    #[error("{}", kernel::refusal::describe_fields(.0))]
    Invalid(Vec<FieldError>),
    #[error("agenda non trovata")]
    CalendarNotFound,
    #[error("appuntamento non trovato")]
    EventNotFound,
    #[error("invito non trovato o non più valido")]
    InvitationNotFound,
    #[error("ente non trovato")]
    EntityNotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("l'appuntamento è stato modificato da qualcun altro: ricaricare la pagina")]
    Stale,
    #[error(transparent)]
    Mail(#[from] mail::MailError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl AgendaError {
    pub fn field(name: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(name, message)])
    }
}

impl Refusal for AgendaError {
    fn kind(&self) -> Kind {
        match self {
            Self::Invalid(_) | Self::Mail(mail::MailError::Address(_)) => Kind::Invalid,
            Self::CalendarNotFound
            | Self::EventNotFound
            | Self::InvitationNotFound
            | Self::EntityNotFound => Kind::NotFound,
            Self::Conflict(_) | Self::Stale => Kind::Conflict,
            Self::Db(_) | Self::Mail(_) => Kind::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_fields",
            Self::Mail(mail::MailError::Address(_)) => "invalid_address",
            Self::Mail(_) => "internal",
            Self::CalendarNotFound => "calendar_not_found",
            Self::EventNotFound => "agenda_event_not_found",
            Self::InvitationNotFound => "invitation_not_found",
            Self::EntityNotFound => "entity_not_found",
            Self::Conflict(_) => "calendar_conflict",
            Self::Stale => "edit_conflict",
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
