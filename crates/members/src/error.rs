use serde::Serialize;

/// One refused field, with a message in Italian a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MembersError {
    #[error("dati non validi: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    #[error("ente non trovato")]
    EntityNotFound,
    #[error("operazione riservata al personale del centro servizi")]
    Forbidden,
    #[error("referente non trovato")]
    ContactNotFound,
    #[error("l'ente è stato modificato da qualcun altro nel frattempo: ricaricare la pagina e ripetere la modifica")]
    Conflict,
    #[error("file non importato: {} righe con errori", .0.len())]
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
