//! The service catalogue, price lists and the fee engine (issue 3; in progress).
//!
//! So far: the yearly **membership fee**: the engine ([`membership`], pure code with no I/O) and
//! the centre's rule by year with the fee of an entity ([`store`]). Every
//! fee model of DOMAIN.md is a [`membership::MembershipRule`] value (data, not code), checked when
//! it is built, and every computed fee comes with the lines that explain it.

pub mod error;
pub mod membership;
pub mod store;

pub use error::CatalogError;
