//! Delivery (issue 11): how a member asks for a catalogue service and how the centre delivers
//! it within its deadline.
//!
//! - [`deadline`]: the delivery deadline of a service card in the entity's working calendar
//!   (pure code).
//! - [`model`]: an activation request's states and the moves between them (pure code).
//! - [`work`]: the flags of a work report and the balance of a day package or an hour bank
//!   (pure code).
//! - [`needs`]: the yearly needs form's answers and their aggregate per service (pure code).
//! - [`store`]: the only module with SQL: requests, and the active services delivery creates.

pub mod deadline;
pub mod error;
pub mod jobs;
pub mod model;
pub mod needs;
pub mod notify;
pub mod store;
pub mod work;

pub use error::DeliveryError;
