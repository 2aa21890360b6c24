//! The handlers of each capability, API and pages side by side, each folder giving its routes
//! to the one route table (`crate::routes`).

pub mod accounts;
pub mod addressbook;
pub mod agenda;
pub mod billing;
pub mod catalog;
pub mod delivery;
pub mod faq;
pub mod helpdesk;
pub mod logs;
pub mod members;
pub mod ops;
pub mod portal;
pub mod training;
