//! The notices the Sistema di Interscambio sends back about an invoice (MessaggiTypes v1.x),
//! recognised by the local name of their root element in the SdI messages namespace.

use serde::{Deserialize, Serialize};

use crate::error::ReceiptError;
use crate::xml::{self, Element};

/// The namespace of the SdI messages (MessaggiTypes_v1.1.xsd).
pub const MESSAGES_NAMESPACE: &str = "http://www.fatturapa.gov.it/sdi/messaggi/v1.0";
/// The same messages as published under the Agenzia delle Entrate's schema address.
pub const MESSAGES_NAMESPACE_AE: &str =
    "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/messaggi/v1.0";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReceiptKind {
    /// RC: delivered to the recipient.
    Delivered,
    /// NS: refused by the SdI checks; the invoice does not exist for the SdI.
    Rejected,
    /// MC: could not be delivered (the SdI keeps trying or issues AT).
    NotDelivered,
    /// NE: the public body accepted (EC01) or refused (EC02) the invoice.
    Outcome,
    /// DT: 15 days passed without an outcome from the public body.
    TermsElapsed,
    /// AT: delivery impossible; the invoice counts as transmitted.
    TransmissionCertificate,
}

impl ReceiptKind {
    /// The SdI's two-letter code (as in the notice file names).
    pub fn code(self) -> &'static str {
        match self {
            Self::Delivered => "RC",
            Self::Rejected => "NS",
            Self::NotDelivered => "MC",
            Self::Outcome => "NE",
            Self::TermsElapsed => "DT",
            Self::TransmissionCertificate => "AT",
        }
    }

    fn from_root(local: &str) -> Option<Self> {
        Some(match local {
            "RicevutaConsegna" => Self::Delivered,
            "NotificaScarto" => Self::Rejected,
            "NotificaMancataConsegna" => Self::NotDelivered,
            "NotificaEsito" => Self::Outcome,
            "NotificaDecorrenzaTermini" => Self::TermsElapsed,
            "AttestazioneTrasmissioneFattura" => Self::TransmissionCertificate,
            _ => return None,
        })
    }
}

/// One error of a NotificaScarto.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdiError {
    /// The SdI control code, e.g. `00404`.
    pub code: String,
    pub description: String,
    pub suggestion: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub kind: ReceiptKind,
    /// The number the SdI gave the invoice file.
    pub identificativo_sdi: Option<String>,
    /// NomeFile: the invoice file the notice is about.
    pub file_name: String,
    /// DataOraRicezione (or DataOraConsegna for RC), as written (ISO 8601).
    pub date_time: Option<String>,
    /// DataOraConsegna for RC.
    pub delivered_at: Option<String>,
    pub errors: Vec<SdiError>,
    /// For NE: `EC01` (accepted) or `EC02` (refused).
    pub outcome: Option<String>,
    /// Descrizione (NE's from the public body, MC's and DT's from the SdI).
    pub description: Option<String>,
    pub message_id: Option<String>,
    pub note: Option<String>,
}

impl Receipt {
    /// Whether the public body accepted the invoice (NE with EC01).
    pub fn accepted(&self) -> bool {
        self.kind == ReceiptKind::Outcome && self.outcome.as_deref() == Some("EC01")
    }

    /// Whether the invoice is refused, by the SdI (NS) or by the public body (NE EC02).
    pub fn refused(&self) -> bool {
        self.kind == ReceiptKind::Rejected
            || (self.kind == ReceiptKind::Outcome && self.outcome.as_deref() == Some("EC02"))
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// Reads an SdI notice (UTF-8 XML, not signed-enveloped: a `.p7m` must be opened first).
pub fn parse_receipt(bytes: &[u8]) -> Result<Receipt, ReceiptError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ReceiptError::Malformed("il testo non è in UTF-8".into()))?;
    let root = xml::parse(text, false).map_err(ReceiptError::Malformed)?;
    let kind = ReceiptKind::from_root(&root.local)
        .ok_or_else(|| ReceiptError::Unknown(root.local.clone()))?;
    let ns = root.ns.as_deref().unwrap_or("");
    if ns != MESSAGES_NAMESPACE && ns != MESSAGES_NAMESPACE_AE {
        return Err(ReceiptError::Namespace(ns.to_owned()));
    }
    let missing = |what: &str| ReceiptError::Incomplete {
        kind: root.local.clone(),
        missing: what.to_owned(),
    };
    let file_name = non_empty(root.child_text("NomeFile")).ok_or_else(|| missing("NomeFile"))?;
    let mut receipt = Receipt {
        kind,
        identificativo_sdi: non_empty(root.child_text("IdentificativoSdI")),
        file_name,
        date_time: non_empty(root.child_text("DataOraRicezione")),
        delivered_at: non_empty(root.child_text("DataOraConsegna")),
        errors: Vec::new(),
        outcome: None,
        description: non_empty(root.child_text("Descrizione")),
        message_id: non_empty(root.child_text("MessageId")),
        note: non_empty(root.child_text("Note")),
    };
    match kind {
        ReceiptKind::Rejected => {
            let list = root
                .child("ListaErrori")
                .ok_or_else(|| missing("ListaErrori"))?;
            receipt.errors = errors(list);
            if receipt.errors.is_empty() {
                return Err(missing("ListaErrori/Errore"));
            }
        }
        ReceiptKind::Outcome => {
            let esito = root
                .child("EsitoCommittente")
                .ok_or_else(|| missing("EsitoCommittente"))?;
            let outcome = non_empty(esito.child_text("Esito"))
                .ok_or_else(|| missing("EsitoCommittente/Esito"))?;
            if outcome != "EC01" && outcome != "EC02" {
                return Err(missing("un esito EC01 o EC02"));
            }
            receipt.outcome = Some(outcome);
            receipt.description = non_empty(esito.child_text("Descrizione"));
            if receipt.identificativo_sdi.is_none() {
                receipt.identificativo_sdi = non_empty(esito.child_text("IdentificativoSdI"));
            }
        }
        _ => {}
    }
    if receipt.identificativo_sdi.is_none() {
        return Err(missing("IdentificativoSdI"));
    }
    Ok(receipt)
}

fn errors(list: &Element) -> Vec<SdiError> {
    list.elements()
        .filter(|e| e.local == "Errore")
        .map(|e| SdiError {
            code: e.child_text("Codice").unwrap_or_default(),
            description: e.child_text("Descrizione").unwrap_or_default(),
            suggestion: non_empty(e.child_text("Suggerimento")),
        })
        .collect()
}
