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

impl kernel::Refusal for AccountsError {
    fn kind(&self) -> kernel::Kind {
        use kernel::Kind as K;
        match self {
            Self::BadCredentials => K::Unauthenticated,
            Self::Invalid { .. } | Self::UnknownEntity(_) => K::Invalid,
            Self::NotFound => K::NotFound,
            Self::Forbidden => K::Forbidden,
            Self::UsernameTaken => K::Conflict,
            Self::Db(_) => K::Internal,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::BadCredentials => "bad_credentials",
            Self::Invalid { .. } => "invalid_fields",
            Self::UnknownEntity(_) => "entity_not_found",
            Self::NotFound => "user_not_found",
            Self::Forbidden => "admin_only",
            Self::UsernameTaken => "username_taken",
            Self::Db(_) => "internal",
        }
    }
    fn fields(&self) -> Vec<kernel::FieldError> {
        match self {
            Self::Invalid { field, message } => vec![kernel::FieldError::new(field, message)],
            Self::UsernameTaken => vec![kernel::FieldError::new("username", self.to_string())],
            Self::UnknownEntity(_) => vec![kernel::FieldError::new("entity_ids", self.to_string())],
            _ => Vec::new(),
        }
    }
}

impl AccountsError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }
}
