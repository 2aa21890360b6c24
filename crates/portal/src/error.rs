use kernel::refusal::{Kind, Refusal};
use kernel::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("{}", kernel::refusal::describe_fields(.0))]
    Invalid(Vec<FieldError>),
    #[error("evento non trovato")]
    EventNotFound,
    #[error("iscrizione non trovata")]
    RegistrationNotFound,
    #[error("bando non trovato")]
    TenderNotFound,
    #[error("documento non trovato")]
    DocumentNotFound,
    #[error("fascia oraria non trovata")]
    SlotNotFound,
    #[error("prenotazione non trovata")]
    BookingNotFound,
    #[error("sala non trovata")]
    RoomNotFound,
    #[error("prenotazione della sala non trovata")]
    RoomBookingNotFound,
    /// One of the hours asked for is held by another request or booking.
    #[error("la sala è già riservata in almeno una di quelle ore: scegliere un altro orario")]
    RoomTaken,
    /// The slot's places are all taken.
    #[error("la fascia oraria è al completo: scegliere un altro orario")]
    SlotFull,
    /// A state that forbids the change (sign-ups closed, a cancelled sign-up, a past slot).
    #[error("{0}")]
    Closed(String),
    #[error("operazione riservata al personale del centro servizi")]
    StaffOnly,
    #[error("i moduli del portale sono gestiti dal centro servizi e dai referenti degli enti")]
    NotForSuppliers,
    #[error(transparent)]
    Members(#[from] members::MembersError),
    #[error("e-mail non accodata: {0}")]
    Mail(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl PortalError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<mail::MailError> for PortalError {
    fn from(e: mail::MailError) -> Self {
        Self::Mail(e.to_string())
    }
}

impl Refusal for PortalError {
    fn kind(&self) -> Kind {
        match self {
            Self::Invalid(_) => Kind::Invalid,
            Self::EventNotFound
            | Self::RegistrationNotFound
            | Self::TenderNotFound
            | Self::SlotNotFound
            | Self::DocumentNotFound
            | Self::BookingNotFound
            | Self::RoomNotFound
            | Self::RoomBookingNotFound => Kind::NotFound,
            Self::StaffOnly | Self::NotForSuppliers => Kind::Forbidden,
            Self::SlotFull | Self::RoomTaken | Self::Closed(_) => Kind::Conflict,
            Self::Members(e) => e.kind(),
            Self::Db(_) | Self::Mail(_) => Kind::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_fields",
            Self::EventNotFound => "event_not_found",
            Self::RegistrationNotFound => "registration_not_found",
            Self::TenderNotFound => "tender_not_found",
            Self::SlotNotFound => "slot_not_found",
            Self::DocumentNotFound => "document_not_found",
            Self::BookingNotFound => "booking_not_found",
            Self::SlotFull => "slot_full",
            Self::RoomNotFound => "room_not_found",
            Self::RoomBookingNotFound => "room_booking_not_found",
            Self::RoomTaken => "room_taken",
            Self::Closed(_) => "closed",
            Self::StaffOnly => "staff_only",
            Self::NotForSuppliers => "not_for_suppliers",
            Self::Members(e) => e.code(),
            Self::Db(_) | Self::Mail(_) => "internal",
        }
    }
    fn fields(&self) -> Vec<FieldError> {
        match self {
            Self::Invalid(f) => f.clone(),
            Self::Members(e) => e.fields(),
            _ => vec![],
        }
    }
}
