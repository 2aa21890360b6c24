use crate::fees::FeeError;
use crate::membership::RuleError;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(transparent)]
    Rule(#[from] RuleError),
    #[error(transparent)]
    Fee(#[from] FeeError),
    #[error("nessuna regola della quota associativa vale per il {0}: impostarla (PUT /api/v1/membership-fee-rule)")]
    NoRule(i32),
    #[error("anno {0} non valido: tra 2000 e 2100")]
    BadYear(i64),
    #[error("operazione riservata agli amministratori")]
    Forbidden,
    #[error("operazione riservata al personale del centro servizi")]
    StaffOnly,
    #[error("servizio {0} non trovato nel catalogo")]
    NoService(String),
    #[error("il servizio {0} non è attivo nel catalogo")]
    InactiveService(String),
    #[error("{}", kernel::refusal::describe_fields(.0))]
    Invalid(Vec<members::FieldError>),
    #[error("listino non trovato")]
    NoPriceList,
    #[error("nessun listino è valido il {0}")]
    NoPriceListOn(String),
    #[error("il listino è già stato usato da {0} preventivi o rendiconti: non si modifica più, si crea un nuovo listino con una validità successiva")]
    PriceListUsed(i64),
    #[error("la validità si sovrappone al listino «{0}» ({1}): i periodi dei listini non possono sovrapporsi")]
    PriceListOverlap(String, String),
    #[error("convenzione non trovata")]
    NoAgreement,
    #[error("{0}")]
    AgreementRefused(String),
    #[error("l'ente non ha una convenzione in vigore il {0}: senza convenzione attiva non gli si possono addebitare servizi")]
    NotChargeable(String),
    #[error(
        "è stato modificato da qualcun altro nel frattempo: ricaricare e ripetere la modifica"
    )]
    Conflict,
    #[error(transparent)]
    Members(#[from] members::MembersError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl kernel::Refusal for CatalogError {
    fn kind(&self) -> kernel::Kind {
        use kernel::Kind as K;
        match self {
            Self::Rule(_)
            | Self::Fee(_)
            | Self::InactiveService(_)
            | Self::NoPriceListOn(_)
            | Self::PriceListOverlap(..)
            | Self::NotChargeable(_)
            | Self::Invalid(_) => K::Invalid,
            Self::NoRule(_) | Self::NoService(_) | Self::NoPriceList | Self::NoAgreement => {
                K::NotFound
            }
            Self::BadYear(_) => K::BadRequest,
            Self::Forbidden | Self::StaffOnly => K::Forbidden,
            Self::PriceListUsed(_) | Self::AgreementRefused(_) | Self::Conflict => K::Conflict,
            Self::Members(m) => m.kind(),
            Self::Db(e) if db::is_unique_violation(e) => K::Conflict,
            Self::Db(_) => K::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Rule(_) => "membership_rule_invalid",
            Self::Fee(_) => "fee_invalid",
            Self::NoRule(_) => "membership_rule_missing",
            Self::BadYear(_) => "year_out_of_range",
            Self::Forbidden => "admin_only",
            Self::StaffOnly => "staff_only",
            Self::NoService(_) => "service_not_found",
            Self::InactiveService(_) => "service_inactive",
            Self::Invalid(_) => "invalid_fields",
            Self::NoPriceList => "price_list_not_found",
            Self::NoPriceListOn(_) => "no_price_list_on_date",
            Self::PriceListUsed(_) => "price_list_frozen",
            Self::PriceListOverlap(..) => "price_list_overlap",
            Self::NoAgreement => "agreement_not_found",
            Self::AgreementRefused(_) => "agreement_refused",
            Self::NotChargeable(_) => "no_agreement_in_force",
            Self::Conflict => "edit_conflict",
            Self::Members(m) => m.code(),
            Self::Db(e) if db::is_unique_violation(e) => "already_exists",
            Self::Db(_) => "internal",
        }
    }
    fn fields(&self) -> Vec<kernel::FieldError> {
        match self {
            Self::Invalid(errs) => errs.clone(),
            Self::Members(m) => m.fields(),
            Self::Db(e) => db::unique_field(e, UNIQUE_FIELDS)
                .map(|f| vec![kernel::FieldError::new(f, ALREADY_EXISTS)])
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
    fn message(&self) -> String {
        match self {
            Self::Db(e) if db::is_unique_violation(e) => ALREADY_EXISTS.into(),
            e => e.to_string(),
        }
    }
}

/// The unique columns of the catalogue's tables.
const UNIQUE_FIELDS: &[&str] = &["code", "valid_from_year", "valid_from"];
const ALREADY_EXISTS: &str =
    "esiste già un elemento con questo valore (forse salvato nel frattempo da qualcun altro)";

impl CatalogError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![members::FieldError::new(field, message)])
    }
}
