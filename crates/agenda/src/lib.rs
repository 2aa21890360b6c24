//! Shared agendas (IntranetCST's "agenda/e"): an entity's calendars, one person's or a group's,
//! shared by the entity's users; events once or repeating, expanded in Rome's wall-clock time
//! ([`recur`]); invitations by e-mail with an iCalendar request and their replies, by link or by
//! the invitee's calendar program ([`ics`]); each person's secret feed.

pub mod error;
pub mod ics;
pub mod notify;
pub mod recur;
pub mod store;

pub use error::AgendaError;
