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
    #[error("dati non validi: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
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

impl CatalogError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![members::FieldError::new(field, message)])
    }
}
