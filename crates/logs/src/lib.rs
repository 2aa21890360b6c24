//! System-log tracking (issue 13; the Garante's rule of 27 November 2008 on system
//! administrators, see `docs/logs.md`): syslog receivers (`receive`), the ingest pipeline
//! that commits messages in batches of at most ~100 ms (`ingest`), the log store — its own
//! SQLite file beside the main database, or its own tables with daily partitions on
//! PostgreSQL, with a hash chain per entity (`store`) —, the registered sources and the
//! entities' administrators (`sources`, in the main database, audited).
//!
//! Logs are operational data: they never pass through the business writer lock or the audit
//! chain, and `cst backup` leaves them out (the sealed exports are their backup).

pub mod error;
pub mod export;
pub mod ingest;
pub mod jobs;
pub mod keys;
pub mod model;
pub mod period;
pub mod receive;
pub mod relay;
pub mod retention;
pub mod review;
pub mod settings;
pub mod silence;
pub mod sources;
pub mod store;

pub use error::LogsError;
pub use ingest::{Ingest, Stats};
pub use model::{Cidr, Source, SourceDraft};
pub use store::LogStore;
