//! One way to refuse. Every capability's error says what *kind* of refusal it is and gives a
//! stable `code` (snake case, never renamed once published: API clients switch on it); the
//! web edge maps the kind to an HTTP status in one place and shows the error's Italian text.
//! Wrong input is named field by field with [`FieldError`].

use serde::Serialize;

/// One wrong field: its name as the form or the JSON body calls it, and what is wrong, in
/// Italian. `line` is the line of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
            line: None,
        }
    }

    /// The same error on line `line` of a file.
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
}

/// What kind of refusal an error is; the web edge gives each one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The request itself is malformed (400).
    BadRequest,
    /// Fields or a file are wrong; nothing was stored (422).
    Invalid,
    /// Not there, or not visible to this actor (404): the two look the same.
    NotFound,
    /// Visible, but this actor may not do it (403).
    Forbidden,
    /// It conflicts with what is stored: changed meanwhile, frozen, overlapping (409).
    Conflict,
    /// Who is asking is not known (401).
    Unauthenticated,
    /// Too many attempts: retry later (429).
    Throttled,
    /// Our fault or the database's: logged, never shown (500).
    Internal,
}

/// An error that refuses a request. `Display` is the Italian sentence a person reads.
pub trait Refusal: std::fmt::Display {
    fn kind(&self) -> Kind;
    /// Stable machine-readable code, e.g. `entity_not_found`, `price_list_frozen`.
    fn code(&self) -> &'static str;
    /// The wrong fields, if the refusal is about input.
    fn fields(&self) -> Vec<FieldError> {
        Vec::new()
    }
    /// The sentence shown; by default the error's `Display`.
    fn message(&self) -> String {
        self.to_string()
    }
}

/// "dati non validi: nome: obbligatorio; pec: …": the sentence for a list of wrong fields.
pub fn describe_fields(errors: &[FieldError]) -> String {
    format!(
        "dati non validi: {}",
        errors
            .iter()
            .map(|e| match e.line {
                Some(l) => format!("riga {l}, {}: {}", e.field, e.message),
                None => format!("{}: {}", e.field, e.message),
            })
            .collect::<Vec<_>>()
            .join("; ")
    )
}
