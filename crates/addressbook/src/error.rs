use kernel::refusal::{Kind, Refusal};
use kernel::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AddressBookError {
    #[error("{}", kernel::refusal::describe_fields(.0))]
    Invalid(Vec<FieldError>),
    /// An import with wrong rows: nothing was stored. Each error carries its line.
    #[error("importazione rifiutata: {} righe da correggere, nulla è stato importato", .0.len())]
    Import(Vec<FieldError>),
    #[error("rubrica non trovata")]
    BookNotFound,
    #[error("contatto non trovato")]
    EntryNotFound,
    #[error("lista non trovata")]
    ListNotFound,
    #[error("destinatario non trovato")]
    MemberNotFound,
    #[error("ente non trovato")]
    EntityNotFound,
    #[error("i fornitori non hanno rubriche degli enti")]
    NotForSuppliers,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Limit(String),
    #[error("il limite mensile degli SMS è deciso dal centro servizi")]
    StaffOnly,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl Refusal for AddressBookError {
    fn kind(&self) -> Kind {
        match self {
            Self::Invalid(_) | Self::Import(_) => Kind::Invalid,
            Self::BookNotFound
            | Self::EntryNotFound
            | Self::ListNotFound
            | Self::MemberNotFound
            | Self::EntityNotFound
            | Self::NotForSuppliers => Kind::NotFound,
            Self::Conflict(_) | Self::Limit(_) => Kind::Conflict,
            Self::StaffOnly => Kind::Forbidden,
            Self::Db(_) => Kind::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_fields",
            Self::Import(_) => "import_refused",
            Self::BookNotFound => "address_book_not_found",
            Self::EntryNotFound => "address_entry_not_found",
            Self::ListNotFound => "contact_list_not_found",
            Self::MemberNotFound => "list_member_not_found",
            Self::EntityNotFound | Self::NotForSuppliers => "entity_not_found",
            Self::Conflict(_) => "name_taken",
            Self::Limit(_) => "sms_limit",
            Self::StaffOnly => "staff_only",
            Self::Db(_) => "internal",
        }
    }
    fn fields(&self) -> Vec<FieldError> {
        match self {
            Self::Invalid(f) | Self::Import(f) => f.clone(),
            _ => vec![],
        }
    }
}
