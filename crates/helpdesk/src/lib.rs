//! The help desk (issue 4, in progress): tickets numbered per year, take-charge with an SLA
//! measured in the working time of the entity's calendar ([`kernel::calendar`]), and the SLA
//! compliance report.
//!
//! - [`model`]: priorities, channels, states, and the checks of a new ticket (pure).
//! - [`sla`]: the SLA policy of seed 001 §7 as data, and due times (pure).
//! - [`store`]: the only SQL: calendars, tickets, take-charge, the report.

pub mod attachments;
pub mod backups;
pub mod email;
pub mod error;
pub mod jobs;
pub mod mailauth;
pub mod model;
pub mod notify;
pub mod phases;
pub mod sla;
pub mod store;
pub mod support;

pub use error::HelpdeskError;
