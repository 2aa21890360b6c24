//! Shared pure types of `cst`: identifiers, Italian registry codes, money, roles, the
//! audit record and its hash chain, timestamps, and working-time calendars.
//!
//! **Invariant:** this crate does no I/O. Every value here is parsed once at the edge
//! (`parse` constructors returning a typed error a person can act on) and trusted after.

pub mod actor;
pub mod audit;
pub mod calendar;
pub mod codes;
pub mod csv;
pub mod ical;
pub mod money;
pub mod refusal;
pub mod role;
pub mod text;
pub mod time;

pub use actor::{Actor, Scope};
pub use codes::{
    CadastralCode, CodeError, EntityKind, IpaCode, IstatCode, OfficeCode, Pec, Population, TaxCode,
};
pub use money::Euro;
pub use refusal::{FieldError, Kind, Refusal};
pub use role::Role;
