//! The SQL of the help desk, one module per subject: `calendars` (working time and
//! deadlines), `settings` (SLA policy, support profiles), `tickets` (read, open), `queue`
//! (lists, filters, orders, the open queue's counts),
//! `lifecycle` (take charge, priority, states), `thread` (replies, notes, resume, warranty
//! reopen), `report` (the SLA report), `timeline` (a ticket's whole story). Every change is audited under its ticket.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::calendar::{Calendar, Precomputed};
use kernel::{Actor, Role};
use serde::Serialize;
use sqlx::Row;

use crate::model::{ticket_number, Channel, NewTicket, Priority, State};
use crate::sla::SlaPolicy;
use crate::support::Profile;
use crate::HelpdeskError;

mod calendars;
mod lifecycle;
mod queue;
mod report;
mod settings;
mod thread;
mod tickets;
mod timeline;
pub use calendars::*;
pub use lifecycle::*;
pub use queue::*;
pub use report::*;
pub use settings::*;
pub use thread::*;
pub use tickets::*;
pub use timeline::*;

/// Appends the audit record of a change to ticket `number` (of `entity_id`), in the caller's
/// transaction: every help-desk change is audited under the ticket it concerns.
pub(crate) async fn audit_ticket(
    tx: &mut db::WriteTx,
    actor: &str,
    action: impl Into<String>,
    number: &str,
    entity_id: i64,
    before: Option<String>,
    after: Option<String>,
) -> Result<(), HelpdeskError> {
    audit::append(
        tx,
        AuditEvent {
            actor: actor.to_owned(),
            action: action.into(),
            object_type: "ticket".into(),
            object_id: number.to_owned(),
            entity_id: Some(entity_id),
            before,
            after,
        },
    )
    .await?;
    Ok(())
}
