//! Why an invoice cannot be written.

use kernel::refusal::describe_fields;
use kernel::{FieldError, Kind, Refusal};

use crate::xsd::SchemaError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InvoiceError {
    /// The invoice data are wrong: each field and what is wrong with it, in Italian.
    #[error("{}", describe_fields(.0))]
    Invalid(Vec<FieldError>),
    /// The XML written does not conform to the FatturaPA schema. This is our fault (the
    /// checks should have caught it): nothing is stored, the errors say where.
    #[error("la fattura prodotta non rispetta lo schema FatturaPA: {}", join(.0))]
    Schema(Vec<SchemaError>),
}

fn join(errors: &[SchemaError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Refusal for InvoiceError {
    fn kind(&self) -> Kind {
        match self {
            Self::Invalid(_) => Kind::Invalid,
            Self::Schema(_) => Kind::Internal,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invoice_invalid",
            Self::Schema(_) => "invoice_schema_violation",
        }
    }

    fn fields(&self) -> Vec<FieldError> {
        match self {
            Self::Invalid(f) => f.clone(),
            Self::Schema(_) => Vec::new(),
        }
    }
}

/// Why an SdI notice could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("la notifica SdI non è un XML leggibile: {0}")]
    Malformed(String),
    #[error(
        "il file non è una notifica SdI riconosciuta (elemento radice «{0}»): sono attese \
         RicevutaConsegna, NotificaScarto, NotificaMancataConsegna, NotificaEsito, \
         NotificaDecorrenzaTermini o AttestazioneTrasmissioneFattura"
    )]
    Unknown(String),
    #[error(
        "il file non è una notifica SdI: il namespace «{0}» non è quello dei messaggi SdI \
         (http://www.fatturapa.gov.it/sdi/messaggi/v1.0)"
    )]
    Namespace(String),
    #[error("la notifica SdI «{kind}» è incompleta: manca {missing}")]
    Incomplete { kind: String, missing: String },
}

impl Refusal for ReceiptError {
    fn kind(&self) -> Kind {
        Kind::Invalid
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "receipt_malformed",
            Self::Unknown(_) | Self::Namespace(_) => "receipt_unknown",
            Self::Incomplete { .. } => "receipt_incomplete",
        }
    }
}
