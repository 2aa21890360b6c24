//! Printable and downloadable files: the PDF work report ([`pdf`]) and spreadsheet exports
//! ([`xlsx`]).
//!
//! This crate exists to hold the heavy file-format dependencies (printpdf with lopdf and its
//! font tables, rust_xlsxwriter with zip) in one place, so that the capability crates stay
//! lean to build and only what serves files depends on it. Everything here is pure: plain
//! data in, bytes out, no I/O, no database, no HTTP. Callers format dates, durations and
//! amounts for people before handing them over (except euro cents in a sheet, which stay
//! numbers so that a spreadsheet can add them up).
//!
//! Nothing here panics on any input: the report always renders (text wrapped, paginated and
//! brought into the built-in fonts' repertoire), and a workbook fails only when a sheet
//! exceeds Excel's grid.

mod error;
pub mod pdf;
pub mod xlsx;

pub use error::PrintoutError;
pub use pdf::{
    attendance_register, certificate, statement, work_report, CertificateSheet, RegisterSheet,
    StatementRow, StatementSheet, WorkReportSheet,
};
pub use xlsx::{workbook, Cell, Sheet};
