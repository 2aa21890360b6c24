//! A ticket's thread: public replies and internal notes, the entity's reply resuming a
//! paused ticket or reopening it within its warranty.

use super::*;

/// A message of a ticket's thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub id: i64,
    pub author: String,
    /// Internal notes are for the centre's staff only.
    pub internal: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// Came by e-mail from a sender our mail server could not authenticate.
    pub unverified_sender: bool,
}

/// The thread of a ticket the actor may see (internal notes for staff only), oldest first.
pub async fn messages(db: &Db, actor: &Actor, id: i64) -> Result<Vec<Message>, HelpdeskError> {
    let t = get(db, actor, id).await?;
    thread_of(db, actor, &t).await
}

/// The thread of `t`, which the caller read with [`get`] for this actor (so in scope).
pub async fn thread_of(db: &Db, actor: &Actor, t: &Ticket) -> Result<Vec<Message>, HelpdeskError> {
    let id = t.id;
    let rows = sqlx::query(
        "SELECT id, author, visibility, body, created_at, sender_verified FROM ticket_messages \
         WHERE ticket_id = $1 AND ($2 = 1 OR visibility = 'public') ORDER BY id",
    )
    .bind(id)
    .bind(i64::from(actor.is_staff()))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| -> Result<Message, sqlx::Error> {
            Ok(Message {
                id: r.try_get(0)?,
                author: r.try_get(1)?,
                internal: r.try_get::<String, _>(2)? == "internal",
                body: r.try_get(3)?,
                created_at: instant(&r.try_get::<String, _>(4)?)?,
                unverified_sender: r.try_get::<Option<i64>, _>(5)? == Some(0),
            })
        })
        .collect::<Result<_, _>>()
        .map_err(HelpdeskError::from)
}

/// The name a message is signed with.
pub(crate) fn author_of(actor: &Actor) -> String {
    // `user:<id>:<username>` → the username.
    actor
        .label
        .rsplit(':')
        .next()
        .unwrap_or(&actor.label)
        .to_owned()
}

/// Adds a reply (public) or a note (internal, staff only). A public reply of the entity to a
/// ticket waiting for it resumes the work (and the resolution clock).
pub async fn add_message(
    db: &Db,
    actor: &Actor,
    id: i64,
    body: &str,
    internal: bool,
    now: DateTime<Utc>,
) -> Result<Message, HelpdeskError> {
    let t = get(db, actor, id).await?;
    if actor.role == Role::Supplier || (internal && !actor.is_staff()) {
        return Err(HelpdeskError::StaffOnly);
    }
    let body = body.trim();
    if body.is_empty() {
        return Err(HelpdeskError::field("body", "il messaggio è vuoto"));
    }
    if body.chars().count() > 20_000 {
        return Err(HelpdeskError::field(
            "body",
            "il messaggio supera i 20.000 caratteri",
        ));
    }
    let mut tx = db.write().await?;
    let m = insert_message(
        db,
        &mut tx,
        &t,
        NewMessage {
            author: author_of(actor),
            author_id: (actor.user_id > 0).then_some(actor.user_id),
            body,
            internal,
            from_entity: !actor.is_staff(),
            actor_label: &actor.label,
            at: now,
            sender_verified: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

/// A message to add to a thread, from whatever channel.
pub(crate) struct NewMessage<'a> {
    pub author: String,
    pub author_id: Option<i64>,
    pub body: &'a str,
    pub internal: bool,
    /// Written by the entity (portal or e-mail): resumes a ticket waiting for it.
    pub from_entity: bool,
    pub actor_label: &'a str,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// For a message that came by e-mail: whether our server authenticated its sender.
    pub sender_verified: Option<bool>,
}

/// Stores a message in the caller's transaction, audited; the entity's reply resumes a ticket
/// waiting for it; the centre's public reply is e-mailed to the requester.
pub(crate) async fn insert_message(
    db: &Db,
    tx: &mut db::WriteTx,
    t: &Ticket,
    m: NewMessage<'_>,
) -> Result<Message, HelpdeskError> {
    let now = m.at;
    let stamp = kernel::time::format(now);
    let reopen = m.from_entity && matches!(t.state, State::Resolved | State::Closed);
    if reopen {
        match t.warranty_until {
            Some(until) if now.with_timezone(&kernel::time::ROME).date_naive() <= until => {}
            Some(until) => {
                return Err(HelpdeskError::Refused(format!(
                    "la garanzia del ticket {} è terminata il {}: per lo stesso problema si apre una nuova richiesta",
                    t.number,
                    kernel::time::display_date(until)
                )))
            }
            None => {
                return Err(HelpdeskError::Refused(format!(
                    "il ticket {} è chiuso: si apre una nuova richiesta",
                    t.number
                )))
            }
        }
    }
    let mid: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_messages (ticket_id, author_id, author, visibility, body, created_at, \
         sender_verified) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(t.id)
    .bind(m.author_id)
    .bind(&m.author)
    .bind(if m.internal { "internal" } else { "public" })
    .bind(m.body)
    .bind(&stamp)
    .bind(m.sender_verified.map(i64::from))
    .fetch_one(tx.conn())
    .await?;
    if reopen {
        // The same problem within the warranty: the ticket reopens at no charge.
        sqlx::query(
            "UPDATE tickets SET state = 'in_progress', resolved_at = NULL, reopen_count = reopen_count + 1, \
             version = version + 1, updated_at = $1 WHERE id = $2",
        )
        .bind(&stamp)
        .bind(t.id)
        .execute(tx.conn())
        .await?;
        crate::store::audit_ticket(
            tx,
            m.actor_label,
            "warranty_reopen",
            &t.number,
            t.entity_id,
            Some(t.state.as_str().into()),
            Some("in_progress".into()),
        )
        .await?;
    }
    if m.from_entity && t.state == State::WaitingEntity {
        resume(db, tx, t, now).await?;
        sqlx::query("UPDATE tickets SET state = 'in_progress', version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(&stamp)
            .bind(t.id)
            .execute(tx.conn())
            .await?;
    }
    crate::store::audit_ticket(
        tx,
        m.actor_label,
        if m.internal { "note" } else { "reply" },
        &t.number,
        t.entity_id,
        None,
        serde_json::to_string(
            &serde_json::json!({"message_id": mid, "internal": m.internal, "body": m.body}),
        )
        .ok(),
    )
    .await?;
    if !m.internal && !m.from_entity {
        crate::notify::replied(tx, t, &m.author, m.body).await?;
    }
    Ok(Message {
        id: mid,
        author: m.author,
        internal: m.internal,
        body: m.body.to_owned(),
        created_at: now,
        unverified_sender: m.sender_verified == Some(false),
    })
}

/// Ends a pause: the working time it lasted is added to the paused total and moves the
/// resolution deadline on.
pub(super) async fn resume(
    db: &Db,
    tx: &mut db::WriteTx,
    t: &Ticket,
    now: DateTime<Utc>,
) -> Result<(), HelpdeskError> {
    let Some(since) = t.paused_since else {
        return Ok(());
    };
    let cal = calendar_for(tx.conn(), t.entity_id).await?;
    let paused = working(db, &cal, since, now)?;
    let due = t
        .resolution_due_at
        .map(|d| add(db, &cal, d, paused))
        .transpose()?;
    sqlx::query(
        "UPDATE tickets SET paused_since = NULL, paused_seconds = paused_seconds + $1, \
         resolution_due_at = $2 WHERE id = $3",
    )
    .bind(paused.num_seconds())
    .bind(due.map(kernel::time::format))
    .bind(t.id)
    .execute(tx.conn())
    .await?;
    Ok(())
}
