//! Integration tests of the fatturapa crate: documents written and cross-checked with
//! libxml2's `xmllint` (the reference validator), mutations both validators must refuse,
//! SdI receipts, totals and names, and generated invoices.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod differential;
mod documents;
mod negative;
mod props;
mod receipts;
mod units;
