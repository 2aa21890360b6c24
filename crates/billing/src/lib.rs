//! Billing (issue 12): what each member used and owes for a year, and the documents that ask
//! for it.
//!
//! - [`engine`]: the charges of an entity for a year from what it had and used, and what is
//!   left to bill against what was already billed (pure code).
//! - [`vat`]: VAT of a statement's lines, by rate group (pure code).
//! - [`deadlines`]: the deadlines calendar's kinds, renewal rules and iCalendar text (pure).
//! - [`settings`]: the centre's billing data (its letterhead, VAT rules, payment terms).
//! - [`store`]: the only module with SQL: statement runs, statements and their lines.

pub mod deadlines;
pub mod engine;
pub mod error;
pub mod jobs;
pub mod settings;
pub mod store;
pub mod vat;

pub use error::BillingError;
