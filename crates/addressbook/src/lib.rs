//! The entity's address books and send lists (issue 15, IntranetCST's "contatti"): shared by
//! the entity's users, invisible to every other entity.
//!
//! - [`card`]: an address-book entry as data, its checks, and the key that finds duplicates
//!   (pure).
//! - [`csvfile`], [`vcard`]: reading and writing CSV and vCard files (pure): every row read is
//!   a card or the reasons it is wrong, with its line.
//! - [`store`]: the only module with SQL: books, entries, imports (all rows or none), send
//!   lists and their members.
//! - [`sms`]: texts to a send list or to numbers, queued per part, the cost before sending, the
//!   monthly limit, the log; [`sms::job`] hands the parts to the provider over SMPP.

pub mod card;
pub mod csvfile;
pub mod error;
pub mod sms;
pub mod store;
pub mod vcard;

pub use card::Card;
pub use error::AddressBookError;
