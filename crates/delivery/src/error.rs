use kernel::refusal::{Kind, Refusal};
use kernel::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("{}", kernel::refusal::describe_fields(.0))]
    Invalid(Vec<FieldError>),
    #[error("richiesta di attivazione non trovata")]
    NotFound,
    #[error("pacchetto non trovato")]
    PackageNotFound,
    #[error("operazione riservata al personale del centro servizi")]
    StaffOnly,
    #[error("operazione riservata agli amministratori del centro servizi")]
    AdminOnly,
    #[error("campagna dei fabbisogni non trovata")]
    CampaignNotFound,
    #[error("scheda dei fabbisogni non trovata")]
    FormNotFound,
    #[error("progetto non trovato")]
    ProjectNotFound,
    /// A state that forbids the change: a campaign already open for the year, a form already
    /// processed or past its deadline.
    #[error("{0}")]
    Closed(String),
    #[error(
        "le richieste di attivazione sono riservate al centro servizi e ai referenti degli enti"
    )]
    NotForSuppliers,
    #[error("la richiesta è «{from}»: non può diventare «{to}»")]
    BadMove {
        from: &'static str,
        to: &'static str,
    },
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    #[error(transparent)]
    Members(#[from] members::MembersError),
    #[error(transparent)]
    Helpdesk(#[from] helpdesk::HelpdeskError),
    #[error("e-mail non accodata: {0}")]
    Mail(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl DeliveryError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

impl Refusal for DeliveryError {
    fn kind(&self) -> Kind {
        match self {
            Self::Invalid(_) => Kind::Invalid,
            Self::NotFound
            | Self::PackageNotFound
            | Self::CampaignNotFound
            | Self::FormNotFound
            | Self::ProjectNotFound => Kind::NotFound,
            Self::StaffOnly | Self::AdminOnly | Self::NotForSuppliers => Kind::Forbidden,
            Self::BadMove { .. } | Self::Closed(_) => Kind::Conflict,
            Self::Catalog(e) => e.kind(),
            Self::Members(e) => e.kind(),
            Self::Helpdesk(e) => e.kind(),
            Self::Db(_) | Self::Mail(_) => Kind::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_fields",
            Self::NotFound => "activation_request_not_found",
            Self::PackageNotFound => "package_not_found",
            Self::StaffOnly => "staff_only",
            Self::AdminOnly => "admin_only",
            Self::CampaignNotFound => "needs_campaign_not_found",
            Self::FormNotFound => "needs_form_not_found",
            Self::ProjectNotFound => "project_not_found",
            Self::Closed(_) => "closed",
            Self::NotForSuppliers => "not_for_suppliers",
            Self::BadMove { .. } => "activation_request_state",
            Self::Catalog(e) => e.code(),
            Self::Members(e) => e.code(),
            Self::Helpdesk(e) => e.code(),
            Self::Db(_) | Self::Mail(_) => "internal",
        }
    }
    fn fields(&self) -> Vec<FieldError> {
        match self {
            Self::Invalid(f) => f.clone(),
            Self::Catalog(e) => e.fields(),
            Self::Members(e) => e.fields(),
            Self::Helpdesk(e) => e.fields(),
            _ => vec![],
        }
    }
}
