//! FAQ and knowledge base (issue 15): articles by category, public or for the entities'
//! contacts only, found by an Italian search.
//!
//! - [`text`]: folding, splitting, stop words, stems, the typo distance (pure code).
//! - [`index`]: the ranked search in memory (pure code).
//! - [`store`]: the only module with SQL: the articles, the votes, and a process's search
//!   ([`store::Library`]) rebuilt when the articles change.

pub mod error;
pub mod index;
pub mod store;
pub mod text;

pub use error::FaqError;
