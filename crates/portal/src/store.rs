//! The only module of this crate with SQL. Every change is audited under its entity; the
//! audit records of sign-ups and bookings name the object and its numbers, never the citizen
//! (names and addresses stay in their rows only, which the retention deletes).

use chrono::{DateTime, Utc};
use db::{audit, WriteTx};
use kernel::audit::AuditEvent;
use kernel::{Actor, Role};
use sha2::{Digest, Sha256};

use crate::PortalError;

pub mod events;
pub mod modules;
pub mod retention;
pub mod rooms;
pub mod settings;
pub mod slots;
pub mod tenders;

pub(crate) const IN_SCOPE: &str = db::entities_in_scope!("entity_id", "$1");

/// Staff and the entities' contacts manage the modules; suppliers do not.
pub(crate) fn manager(actor: &Actor) -> Result<(), PortalError> {
    if actor.role == Role::Supplier {
        return Err(PortalError::NotForSuppliers);
    }
    Ok(())
}

/// A new secret for a person's link (cancel a sign-up or a booking) and its SHA-256, which
/// is all that is kept.
pub(crate) fn secret() -> (String, String) {
    let mut b = [0u8; 24];
    // The operating system's generator does not fail on the systems we run on; if it ever
    // did, the link would still be unguessable from the row's hash alone.
    let _ = getrandom::fill(&mut b);
    let s = hex::encode(b);
    let h = hash_secret(&s);
    (s, h)
}

pub(crate) fn hash_secret(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// What an audit record is about.
pub(crate) struct About<'a> {
    pub action: &'a str,
    pub object: &'a str,
    pub id: i64,
    pub entity_id: i64,
}

pub(crate) async fn audit_event(
    tx: &mut WriteTx,
    actor: &Actor,
    about: About<'_>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), PortalError> {
    audit::append(
        tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: about.action.into(),
            object_type: about.object.into(),
            object_id: about.id.to_string(),
            entity_id: Some(about.entity_id),
            before: before.map(|v| v.to_string()),
            after: after.map(|v| v.to_string()),
        },
    )
    .await?;
    Ok(())
}

/// A stored instant as a date and time.
pub(crate) fn stored(t: DateTime<Utc>) -> String {
    kernel::time::format(t)
}

/// A required single-line text of at most `max` characters; `required` says it is missing.
pub(crate) fn line(
    wrong: &mut Vec<kernel::FieldError>,
    field: &str,
    v: &str,
    max: usize,
    required: &str,
) -> String {
    let t = v.trim();
    if t.is_empty() {
        wrong.push(kernel::FieldError::new(field, required));
    } else if t.chars().count() > max {
        wrong.push(kernel::FieldError::new(
            field,
            format!("al massimo {max} caratteri"),
        ));
    }
    t.to_owned()
}

/// The day in Rome of an instant.
pub(crate) fn rome_date(t: DateTime<Utc>) -> chrono::NaiveDate {
    t.with_timezone(&kernel::time::ROME).date_naive()
}
