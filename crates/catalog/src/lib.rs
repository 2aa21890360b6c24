//! The service catalogue, price lists and the fee engine (issue 3; in progress).
//!
//! So far: the yearly **membership fee** engine ([`membership`]), pure code with no I/O. Every
//! fee model of DOMAIN.md is a [`membership::MembershipRule`] value (data, not code), checked when
//! it is built, and every computed fee comes with the lines that explain it.

pub mod membership;
