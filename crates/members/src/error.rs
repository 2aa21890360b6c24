use kernel::refusal::{Kind, Refusal};

/// One refused field, with a message in Italian a person can act on.
pub use kernel::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum MembersError {
    #[error("{}", kernel::refusal::describe_fields(.0))]
    Invalid(Vec<FieldError>),
    #[error("ente non trovato")]
    EntityNotFound,
    #[error("operazione riservata al personale del centro servizi")]
    Forbidden,
    #[error("referente non trovato")]
    ContactNotFound,
    #[error("l'ente è stato modificato da qualcun altro nel frattempo: ricaricare la pagina e ripetere la modifica")]
    Conflict,
    #[error("file non importato, nessun dato modificato: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(" | "))]
    Import(Vec<crate::import::RowError>),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl MembersError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

/// Maps a unique violation to the field it concerns.
impl Refusal for MembersError {
    fn kind(&self) -> Kind {
        match self {
            Self::Invalid(_) | Self::Import(_) => Kind::Invalid,
            Self::EntityNotFound | Self::ContactNotFound => Kind::NotFound,
            Self::Forbidden => Kind::Forbidden,
            Self::Conflict => Kind::Conflict,
            Self::Db(_) => Kind::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_fields",
            Self::Import(_) => "import_refused",
            Self::EntityNotFound => "entity_not_found",
            Self::ContactNotFound => "contact_not_found",
            Self::Forbidden => "staff_only",
            Self::Conflict => "edit_conflict",
            Self::Db(_) => "internal",
        }
    }
    fn fields(&self) -> Vec<FieldError> {
        match self {
            Self::Invalid(errs) => errs.clone(),
            Self::Import(rows) => rows
                .iter()
                .flat_map(|r| r.errors.iter().map(|e| e.clone().at_line(r.line)))
                .collect(),
            _ => Vec::new(),
        }
    }
}

pub(crate) fn from_sql(e: sqlx::Error) -> MembersError {
    if db::is_unique_violation(&e) {
        let c = db::violated_constraint(&e).unwrap_or_default();
        for (col, label) in [
            ("istat_code", "codice ISTAT"),
            ("tax_code", "codice fiscale"),
            ("ipa_code", "codice IPA"),
        ] {
            if c.contains(col) {
                return MembersError::field(col, format!("{label} già usato da un altro ente"));
            }
        }
        return MembersError::field("name", "dato già presente in un altro ente");
    }
    MembersError::Db(e)
}
