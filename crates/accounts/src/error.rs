#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error("nome utente o password non corretti")]
    BadCredentials,
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("utente non trovato")]
    NotFound,
    #[error("operazione riservata agli amministratori")]
    Forbidden,
    #[error("ente {0} non trovato")]
    UnknownEntity(i64),
    #[error("nome utente già in uso")]
    UsernameTaken,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl AccountsError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }
}
