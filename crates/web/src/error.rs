//! Errors at the edge: RFC 9457 problem documents for the API, an Italian page for the UI.
//! Causes of server errors are logged, never shown.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use accounts::AccountsError;
use members::MembersError;

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
    /// What is wrong, in words a person can act on.
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// An error of the API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: String,
    pub errors: Vec<ProblemField>,
    pub www_authenticate: bool,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            errors: vec![],
            www_authenticate: false,
        }
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
        let mut a = Self::new(StatusCode::UNPROCESSABLE_ENTITY, detail);
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

fn title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Richiesta non valida",
        401 => "Autenticazione richiesta",
        403 => "Operazione non consentita",
        404 => "Non trovato",
        409 => "Conflitto",
        413 => "Richiesta troppo grande",
        415 => "Formato non supportato",
        422 => "Dati non validi",
        429 => "Troppi tentativi",
        _ => "Errore interno",
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: "about:blank".into(),
            title: title(self.status).into(),
            status: self.status.as_u16(),
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

pub fn field_problems(errs: &[members::FieldError]) -> Vec<ProblemField> {
    errs.iter()
        .map(|e| ProblemField {
            field: e.field.clone(),
            message: e.message.clone(),
            line: None,
        })
        .collect()
}

impl From<MembersError> for ApiError {
    fn from(e: MembersError) -> Self {
        match e {
            MembersError::Invalid(errs) => {
                let mut a = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    MembersError::Invalid(errs.clone()).to_string(),
                );
                a.errors = field_problems(&errs);
                a
            }
            MembersError::Import(rows) => {
                let detail = format!(
                    "file non importato, nessun dato modificato: {}",
                    rows.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let mut a = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, detail);
                a.errors = rows
                    .iter()
                    .flat_map(|r| {
                        r.errors.iter().map(move |e| ProblemField {
                            field: e.field.clone(),
                            message: e.message.clone(),
                            line: Some(r.line),
                        })
                    })
                    .collect();
                a
            }
            MembersError::EntityNotFound | MembersError::ContactNotFound => {
                ApiError::new(StatusCode::NOT_FOUND, e.to_string())
            }
            MembersError::Forbidden => ApiError::new(StatusCode::FORBIDDEN, e.to_string()),
            MembersError::Conflict => ApiError::new(StatusCode::CONFLICT, e.to_string()),
            MembersError::Db(e) => ApiError::internal(e),
        }
    }
}

impl From<AccountsError> for ApiError {
    fn from(e: AccountsError) -> Self {
        let status = match &e {
            AccountsError::BadCredentials => StatusCode::UNAUTHORIZED,
            AccountsError::Invalid { .. } | AccountsError::UnknownEntity(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AccountsError::NotFound => StatusCode::NOT_FOUND,
            AccountsError::Forbidden => StatusCode::FORBIDDEN,
            AccountsError::UsernameTaken => StatusCode::CONFLICT,
            AccountsError::Db(e) => return ApiError::internal(e),
        };
        let mut a = ApiError::new(status, e.to_string());
        if let AccountsError::Invalid { field, message } = &e {
            a.errors = vec![ProblemField {
                field: (*field).to_owned(),
                message: message.clone(),
                line: None,
            }];
        }
        a
    }
}

impl From<catalog::CatalogError> for ApiError {
    fn from(e: catalog::CatalogError) -> Self {
        use catalog::CatalogError as C;
        match e {
            C::Rule(_)
            | C::Fee(_)
            | C::InactiveService(_)
            | C::NoPriceListOn(_)
            | C::PriceListOverlap(..)
            | C::NotChargeable(_) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
            C::NoRule(_) | C::NoService(_) | C::NoPriceList | C::NoAgreement => {
                ApiError::new(StatusCode::NOT_FOUND, e.to_string())
            }
            C::BadYear(_) => ApiError::new(StatusCode::BAD_REQUEST, e.to_string()),
            C::Forbidden | C::StaffOnly => ApiError::new(StatusCode::FORBIDDEN, e.to_string()),
            C::PriceListUsed(_) | C::AgreementRefused(_) | C::Conflict => {
                ApiError::new(StatusCode::CONFLICT, e.to_string())
            }
            C::Invalid(errs) => members::MembersError::Invalid(errs).into(),
            C::Members(m) => m.into(),
            C::Db(d) => ApiError::internal(d),
        }
    }
}

impl From<helpdesk::HelpdeskError> for ApiError {
    fn from(e: helpdesk::HelpdeskError) -> Self {
        use helpdesk::HelpdeskError as H;
        match e {
            H::Invalid(errs) => members::MembersError::Invalid(errs).into(),
            H::NotFound => ApiError::new(StatusCode::NOT_FOUND, e.to_string()),
            H::StaffOnly => ApiError::new(StatusCode::FORBIDDEN, e.to_string()),
            H::Refused(_) => ApiError::new(StatusCode::CONFLICT, e.to_string()),
            H::Calendar(_) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
            H::Members(m) => m.into(),
            H::Mail(mail::MailError::Address(_)) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
            }
            H::Mail(m) => ApiError::internal(m),
            H::Db(d) => ApiError::internal(d),
        }
    }
}

impl From<helpdesk::HelpdeskError> for PageError {
    fn from(e: helpdesk::HelpdeskError) -> Self {
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

impl From<MembersError> for PageError {
    fn from(e: MembersError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<catalog::CatalogError> for PageError {
    fn from(e: catalog::CatalogError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<AccountsError> for PageError {
    fn from(e: AccountsError) -> Self {
        ApiError::from(e).into()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        crate::pages::error_page(self.status, &self.message)
    }
}
