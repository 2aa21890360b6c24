//! The portal's public modules (issue 14): what an entity offers its citizens on its own pages.
//!
//! - [`seats`]: an event's seats and waiting list, as seed 002 §5.5 has them (pure code).
//! - [`tenders`]: a call for tender's state from its dates (pure code).
//! - [`slots`]: an office's weekly timetable as dated slots, and the rule of places (pure code).
//! - [`rooms`]: the hours a room's booking covers, taken all or none (pure code).
//! - [`store`]: the only module with SQL: modules by service item, events and their sign-ups,
//!   calls for tender with their corrections, appointment slots and bookings.
//! - [`notify`]: the e-mails to the people who sign up and to the entity's administrator.

pub mod error;
pub mod jobs;
pub mod notify;
pub mod rooms;
pub mod seats;
pub mod slots;
pub mod store;
pub mod tenders;

pub use error::PortalError;
