//! The integration suite: one binary, every test once on SQLite and once on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod addressbook;
mod agenda;
mod api;
mod audit;
mod auth;
mod backup;
mod billing;
mod catalog;
mod cli;
mod deadlines;
mod delivery;
mod delivery_changes;
mod email;
mod faq;
mod files;
mod forms;
mod import;
mod isolation;
mod lists;
mod log_exports;
mod log_kill;
mod log_relay;
mod log_review;
mod log_schedule;
mod logs;
mod needs;
mod portal;
mod portal_public;
mod portal_rooms;
mod processes;
mod projects;
mod services;
mod sms;
mod tickets;
mod training;
mod workbench;
