//! Member entities (*enti aderenti*) and their contacts (*referenti*), and importing them
//! from CSV (our own format, or ISTAT's "Elenco comuni" joined with population figures).
//!
//! **Invariant:** every read takes an [`Actor`] and filters by its scope: staff see every entity, a contact or a
//! supplier only the entities assigned to them. An entity outside the scope is reported
//! exactly like one that does not exist.
//!
//! **Invariant:** every write appends to the audit chain in the same transaction.

pub mod error;
pub mod import;
pub mod model;
pub mod reference;
pub mod store;

pub use error::{FieldError, MembersError};
pub use model::{Contact, ContactDraft, ContactInput, Entity, EntityDraft, EntityInput};

pub use kernel::{Actor, Scope};
