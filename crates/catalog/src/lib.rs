//! The service catalogue, price lists, agreements and the fee engine (issue 3).
//!
//! - [`membership`]: the yearly **membership fee**, every model of DOMAIN.md as a
//!   [`membership::MembershipRule`] value (pure code, no I/O).
//! - [`service`]: the catalogue's service cards, and the Padova reference catalogue.
//! - [`fees`]: every fee shape as data ([`fees::PriceList`]) and the quote engine (pure code).
//! - [`agreement`]: membership agreements (*convenzioni*) and their states (pure code).
//! - [`store`]: the only module with SQL.
//!
//! Every computed amount comes with the Italian lines that explain it.

pub mod agreement;
pub mod error;
pub mod fees;
pub mod membership;
pub mod service;
pub mod store;

pub use error::CatalogError;
