//! Mail kept for an operator (no ticket or entity found for it): the list, and turning one
//! into a ticket of the entity the operator chooses, once.

use db::Db;
use kernel::Actor;
use serde::Serialize;
use sqlx::Row;

use crate::model::NewTicket;
use crate::store;
use crate::HelpdeskError;

/// An inbound message kept for an operator.
#[derive(Debug, Clone, Serialize)]
pub struct UnmatchedMail {
    pub id: i64,
    pub message_id: String,
    pub from_address: String,
    pub subject: String,
    pub reason: String,
    pub body: String,
    pub received_at: String,
}

/// An operator turns a kept (unmatched) mail into a ticket of the entity they choose: the
/// sender becomes the requester (acknowledged by e-mail), the mail's Message-ID threads the
/// replies, and the kept mail points to the ticket. Staff only; a mail already assigned is
/// refused.
pub async fn assign(
    db: &Db,
    actor: &Actor,
    mail_id: i64,
    entity_id: i64,
    priority: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<crate::store::Ticket, HelpdeskError> {
    if !actor.is_staff() {
        return Err(HelpdeskError::StaffOnly);
    }
    let row = sqlx::query(
        "SELECT message_id, from_address, subject, body, outcome FROM inbound_mail WHERE id = $1",
    )
    .bind(mail_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(HelpdeskError::NotFound)?;
    let message_id: String = row.try_get(0)?;
    let from: String = row.try_get(1)?;
    let subject: String = row.try_get(2)?;
    let body: String = row.try_get(3)?;
    let outcome: String = row.try_get(4)?;
    if outcome != "unmatched" {
        return Err(HelpdeskError::Refused(
            "questo messaggio è già stato assegnato a un ticket".into(),
        ));
    }
    let p = store::prepare(
        db,
        actor,
        &NewTicket {
            entity_id,
            subject: if subject.trim().is_empty() {
                "(senza oggetto)".into()
            } else {
                kernel::text::strip_forbidden(&subject, kernel::text::Lines::Single)
                    .chars()
                    .take(200)
                    .collect()
            },
            description: kernel::text::strip_forbidden(
                &body.chars().take(19_000).collect::<String>(),
                kernel::text::Lines::Multi,
            ),
            category: String::new(),
            priority: priority.into(),
            channel: "email".into(),
            received_at: None,
            requester_email: mail::is_address(&from).then(|| from.clone()),
            on_call: false,
        },
        &crate::store::policy(db).await?,
        now,
    )
    .await?;
    let mut tx = db.write().await?;
    let t = store::insert(&mut tx, actor, p).await?;
    let n = sqlx::query(
        "UPDATE inbound_mail SET outcome = 'ticket', ticket_id = $1 WHERE id = $2 AND outcome = 'unmatched'",
    )
    .bind(t.id)
    .bind(mail_id)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n != 1 {
        // Another operator assigned it meanwhile: this ticket is rolled back.
        return Err(HelpdeskError::Refused(
            "questo messaggio è già stato assegnato a un ticket".into(),
        ));
    }
    sqlx::query(
        "INSERT INTO ticket_mail_ids (message_id, ticket_id, direction, created_at) VALUES ($1, $2, 'in', $3) \
         ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(&message_id)
    .bind(t.id)
    .bind(kernel::time::format(now))
    .execute(tx.conn())
    .await?;
    crate::store::audit_ticket(
        &mut tx,
        &actor.label,
        "assign_mail",
        &t.number,
        t.entity_id,
        None,
        serde_json::to_string(
            &serde_json::json!({"inbound_mail": mail_id, "message_id": message_id, "from": from}),
        )
        .ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(t)
}

/// Inbound mail that found no ticket or entity, newest first (staff only).
pub async fn unmatched(
    db: &Db,
    actor: &Actor,
    limit: i64,
) -> Result<Vec<UnmatchedMail>, HelpdeskError> {
    if !actor.is_staff() {
        return Err(HelpdeskError::StaffOnly);
    }
    let rows = sqlx::query(
        "SELECT id, message_id, from_address, subject, reason, body, received_at FROM inbound_mail \
         WHERE outcome = 'unmatched' ORDER BY id DESC LIMIT $1",
    )
    .bind(limit.clamp(1, 500))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(UnmatchedMail {
                id: r.try_get(0)?,
                message_id: r.try_get(1)?,
                from_address: r.try_get(2)?,
                subject: r.try_get(3)?,
                reason: r.try_get(4)?,
                body: r.try_get(5)?,
                received_at: r.try_get(6)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(HelpdeskError::from)
}
