use kernel::refusal::{Kind, Refusal};
use kernel::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum TrainingError {
    #[error("{}", kernel::refusal::describe_fields(.0))]
    Invalid(Vec<FieldError>),
    #[error("corso non trovato")]
    CourseNotFound,
    #[error("iscrizione non trovata")]
    EnrolmentNotFound,
    #[error("ente non trovato")]
    EntityNotFound,
    #[error("i corsi sono gestiti dal personale del centro servizi")]
    StaffOnly,
    /// The course is not in the state the request needs (sign-up closed, cancelled, …).
    #[error("{0}")]
    State(String),
    #[error("{0} è già iscritto a questo corso")]
    AlreadyEnrolled(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Mail(#[from] mail::MailError),
}

impl Refusal for TrainingError {
    fn kind(&self) -> Kind {
        match self {
            Self::Invalid(_) => Kind::Invalid,
            Self::CourseNotFound | Self::EnrolmentNotFound | Self::EntityNotFound => Kind::NotFound,
            Self::StaffOnly => Kind::Forbidden,
            Self::State(_) | Self::AlreadyEnrolled(_) => Kind::Conflict,
            Self::Db(_) | Self::Mail(_) => Kind::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_fields",
            Self::CourseNotFound => "course_not_found",
            Self::EnrolmentNotFound => "enrolment_not_found",
            Self::EntityNotFound => "entity_not_found",
            Self::StaffOnly => "staff_only",
            Self::State(_) => "course_state",
            Self::AlreadyEnrolled(_) => "already_enrolled",
            Self::Db(_) | Self::Mail(_) => "internal",
        }
    }
    fn fields(&self) -> Vec<FieldError> {
        match self {
            Self::Invalid(f) => f.clone(),
            _ => vec![],
        }
    }
}
