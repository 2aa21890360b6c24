//! FatturaPA: the electronic invoices the service centre sends to public bodies through the
//! Sistema di Interscambio (SdI).
//!
//! - [`to_xml`] writes an [`Invoice`] as an FPA12 v1.2 document, after checking it (Italian
//!   messages field by field) and before returning it validates the result against the
//!   official schema: an invalid invoice is never produced.
//! - [`validate`] checks any FatturaPA document against the vendored official XSD
//!   (`schema/`, loaded at run time by [`xsd::Schema`]).
//! - [`parse_receipt`] reads the SdI's notices (RC, NS, MC, NE, DT, AT).
//! - [`file_name`] and [`progressive`] name the files as the SdI wants.
//!
//! Pure: no I/O, no clock. Amounts are integer cents.

mod check;
mod error;
mod model;
mod naming;
mod receipt;
mod text;
mod totals;
mod write;
mod xml;
pub mod xsd;

pub use error::{InvoiceError, ReceiptError};
pub use model::{
    Address, ContractRef, Customer, DocumentKind, Invoice, Line, Natura, NaturaError, Payment, Qty,
    Rea, RelatedInvoice, Supplier, TaxId, Vat,
};
pub use naming::{file_name, progressive};
pub use receipt::{
    parse_receipt, Receipt, ReceiptKind, SdiError, MESSAGES_NAMESPACE, MESSAGES_NAMESPACE_AE,
};
pub use text::{split_causale, to_ascii, to_latin1};
pub use totals::{
    line_total, stamp_duty_due, summaries, totals, vat_of, Summary, SummaryKey, Totals,
    STAMP_DUTY_CENTS, STAMP_DUTY_THRESHOLD_CENTS,
};
pub use write::NAMESPACE;
pub use xsd::{validate, SchemaError};

/// Checks an invoice without writing it: every wrong field, in Italian.
pub fn check(invoice: &Invoice) -> Result<(), InvoiceError> {
    let problems = check::check(invoice);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(InvoiceError::Invalid(problems))
    }
}

/// The FPA12 document of an invoice: checked, written, then validated against the
/// official schema (a schema error is returned, never an invalid document).
pub fn to_xml(invoice: &Invoice) -> Result<String, InvoiceError> {
    check(invoice)?;
    let xml = write::write(invoice);
    validate(&xml).map_err(InvoiceError::Schema)?;
    Ok(xml)
}
