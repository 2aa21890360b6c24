//! Training courses (issue 15) by the Academy4PA rules, and LTT classes.
//!
//! - [`rules`]: the rules as pure functions (seats, waiting list, closing, entries, shares).
//! - [`store`]: the only module with SQL: courses and sessions, sign-ups
//!   ([`store::enrolments`]), entries and what a year charges ([`store::entries`]).
//! - [`notify`]: the e-mails, queued in the change's transaction.

pub mod error;
pub mod notify;
pub mod rules;
pub mod store;

pub use error::TrainingError;
