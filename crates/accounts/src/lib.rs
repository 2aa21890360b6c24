//! Accounts, roles and their access to entities; password login (argon2id); browser
//! sessions; API bearer tokens; login throttling.
//!
//! **Invariant:** secrets are never stored: passwords as argon2id hashes, session cookies and
//! API tokens as SHA-256 digests. Account changes are audited; secrets never reach the audit.

pub mod error;
pub mod password;
pub mod secret;
pub mod store;
pub mod throttle;

pub use error::AccountsError;
pub use store::{NewUser, User};
