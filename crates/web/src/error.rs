//! Errors at the edge: RFC 9457 problem documents for the API, an Italian page for the UI.
//! Causes of server errors are logged, never shown.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use kernel::{Kind, Refusal};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// The field (or `file`) that is wrong.
    pub field: String,
    pub message: String,
    /// For imports: the line of the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// Stable machine-readable reason (`entity_not_found`, `invalid_fields`, …): switch on
    /// this, never on `detail`.
    pub code: String,
    /// What is wrong, in words a person can act on.
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// An error of the API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable reason code; by default the one of the status (see [`default_code`]).
    pub code: &'static str,
    pub detail: String,
    pub errors: Vec<ProblemField>,
    pub www_authenticate: bool,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            code: default_code(status),
            detail: detail.into(),
            errors: vec![],
            www_authenticate: false,
        }
    }
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "risorsa non trovata")
    }
    /// 422 naming each wrong field.
    pub fn fields(errors: Vec<ProblemField>) -> Self {
        let detail = format!(
            "dati non validi: {}",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        );
        let mut a = Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail).with_code("invalid_fields");
        a.errors = errors;
        a
    }
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "errore interno: riprovare; se si ripete, avvisare l'amministratore",
        )
    }
}

/// The code of a refusal that has none of its own: one per status.
pub fn default_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "too_large",
        414 => "uri_too_long",
        415 => "unsupported_media_type",
        422 => "invalid_fields",
        429 => "throttled",
        503 => "unavailable",
        _ => "internal",
    }
}

/// The Italian title of a status.
pub fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Richiesta non valida",
        401 => "Autenticazione richiesta",
        403 => "Operazione non consentita",
        404 => "Non trovato",
        405 => "Metodo non consentito",
        409 => "Conflitto",
        413 => "Richiesta troppo grande",
        414 => "Indirizzo troppo lungo",
        415 => "Formato non supportato",
        422 => "Dati non validi",
        429 => "Troppi tentativi",
        503 => "Servizio non disponibile",
        _ => "Errore interno",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: "about:blank".into(),
            title: title(self.status).into(),
            status: self.status.as_u16(),
            code: self.code.to_owned(),
            detail: self.detail,
            errors: self.errors,
        };
        let mut res = (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            serde_json::to_string(&body).unwrap_or_default(),
        )
            .into_response();
        if self.www_authenticate {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"cst\""),
            );
        }
        res
    }
}

pub fn field_problems(errs: &[kernel::FieldError]) -> Vec<ProblemField> {
    errs.iter()
        .map(|e| ProblemField {
            field: e.field.clone(),
            message: e.message.clone(),
            line: e.line,
        })
        .collect()
}

/// The one mapping from a kind of refusal to an HTTP status.
pub fn status_of(kind: Kind) -> StatusCode {
    match kind {
        Kind::BadRequest => StatusCode::BAD_REQUEST,
        Kind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        Kind::NotFound => StatusCode::NOT_FOUND,
        Kind::Forbidden => StatusCode::FORBIDDEN,
        Kind::Conflict => StatusCode::CONFLICT,
        Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
        Kind::Throttled => StatusCode::TOO_MANY_REQUESTS,
        Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Every capability's error becomes a problem document the same way.
impl<E: Refusal> From<E> for ApiError {
    fn from(e: E) -> Self {
        if e.kind() == Kind::Internal {
            return ApiError::internal(&e);
        }
        let mut a = ApiError::new(status_of(e.kind()), e.message()).with_code(e.code());
        a.errors = field_problems(&e.fields());
        a
    }
}

impl<E: Refusal> From<E> for PageError {
    fn from(e: E) -> Self {
        ApiError::from(e).into()
    }
}

/// An error page of the UI.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub message: String,
}

impl PageError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "La pagina richiesta non esiste o non è accessibile.",
        )
    }
}

impl From<ApiError> for PageError {
    fn from(a: ApiError) -> Self {
        Self::new(a.status, a.detail)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        crate::pages::error_page(self.status, &self.message)
    }
}
