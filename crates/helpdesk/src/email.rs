//! What an inbound e-mail means to the help desk: a reply to a ticket (by In-Reply-To /
//! References to a message of the ticket, else by the ticket number in the subject), or a new
//! ticket of the sender's entity; anything else is kept, whole, for an operator. Each message
//! is taken once: its Message-ID is stored in the same transaction as what it produced.

use chrono::{DateTime, Utc};
use db::Db;
use kernel::Actor;
use serde::Serialize;
use sqlx::Row;

use crate::model::{NewTicket, State};
use crate::sla::SlaPolicy;
use crate::store::{self, Ticket};
use crate::HelpdeskError;

/// What became of an inbound message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// A new ticket, with its number.
    Ticket { number: String },
    /// A reply added to a ticket.
    Reply { number: String },
    /// Seen before (fetched again after a crash, or sent twice): nothing done.
    Duplicate,
    /// Kept for an operator, with the reason.
    Unmatched { reason: String },
    /// A backup system's daily report (recorded on its check).
    Backup,
    /// An invitee's answer to an agenda invitation, sent by their calendar program.
    AgendaReply,
}

/// Finds `YYYY/NNNNNN` in a subject.
pub fn number_in(subject: &str) -> Option<String> {
    let b = subject.as_bytes();
    (0..b.len().saturating_sub(10)).find_map(|i| {
        let w = b.get(i..i + 11)?;
        let ok = w[..4].iter().all(u8::is_ascii_digit)
            && w[4] == b'/'
            && w[5..].iter().all(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 11).is_none_or(|c| !c.is_ascii_digit());
        ok.then(|| String::from_utf8_lossy(w).into_owned())
    })
}

/// The ticket an inbound message answers, if any.
async fn ticket_of(db: &Db, m: &mail::Incoming) -> Result<Option<Ticket>, HelpdeskError> {
    let mut id: Option<i64> = None;
    for r in &m.references {
        id = sqlx::query_scalar(
            "SELECT ticket_id FROM ticket_mail_ids WHERE message_id = $1 OR message_id = $2 LIMIT 1",
        )
        .bind(r)
        .bind(mail::local_part(r))
        .fetch_optional(db.pool())
        .await?;
        if id.is_some() {
            break;
        }
    }
    if id.is_none() {
        if let Some(n) = number_in(&m.subject) {
            id = sqlx::query_scalar("SELECT id FROM tickets WHERE number = $1")
                .bind(n)
                .fetch_optional(db.pool())
                .await?;
        }
    }
    match id {
        // Read through the store, as the system: it exists.
        Some(id) => Ok(Some(store::get(db, &Actor::system("email"), id).await?)),
        None => Ok(None),
    }
}

/// The entities the sender is a contact of (registry contacts and portal accounts), with
/// names, and the portal account with that address, if one.
async fn sender(
    db: &Db,
    address: &str,
) -> Result<(Vec<(i64, String)>, Option<i64>), HelpdeskError> {
    if address.is_empty() {
        return Ok((Vec::new(), None));
    }
    let rows = sqlx::query(
        "SELECT e.id, e.name FROM entities e WHERE e.id IN ( \
           SELECT entity_id FROM contacts WHERE LOWER(email) = $1 \
           UNION SELECT ue.entity_id FROM user_entities ue JOIN users u ON u.id = ue.user_id \
             WHERE LOWER(u.email) = $1 AND u.active = 1 AND u.role = 'contact') ORDER BY e.name",
    )
    .bind(address)
    .fetch_all(db.pool())
    .await?;
    let entities = rows
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let user: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM users WHERE LOWER(email) = $1 AND active = 1 AND role = 'contact' ORDER BY id LIMIT 1",
    )
    .bind(address)
    .fetch_optional(db.pool())
    .await?;
    Ok((entities, user))
}

async fn seen(db: &Db, message_id: &str) -> Result<bool, HelpdeskError> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT id FROM inbound_mail WHERE message_id = $1")
            .bind(message_id)
            .fetch_optional(db.pool())
            .await?
            .is_some(),
    )
}

async fn record(
    tx: &mut db::WriteTx,
    now: DateTime<Utc>,
    m: &mail::Incoming,
    outcome: &str,
    ticket_id: Option<i64>,
    reason: &str,
    body: &str,
) -> Result<(), HelpdeskError> {
    sqlx::query(
        "INSERT INTO inbound_mail (message_id, from_address, subject, outcome, ticket_id, reason, body, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&m.message_id)
    .bind(&m.from)
    .bind(&m.subject)
    .bind(outcome)
    .bind(ticket_id)
    .bind(reason)
    .bind(body)
    .bind(kernel::time::format(now))
    .execute(tx.conn())
    .await?;
    if ticket_id.is_some() {
        sqlx::query(
            "INSERT INTO ticket_mail_ids (message_id, ticket_id, direction, created_at) VALUES ($1, $2, 'in', $3) \
             ON CONFLICT (message_id) DO NOTHING",
        )
        .bind(&m.message_id)
        .bind(ticket_id)
        .bind(kernel::time::format(now))
        .execute(tx.conn())
        .await?;
    }
    Ok(())
}

/// The attachments of `m` on ticket `t`; a file over the limit is named in the thread instead.
async fn attach(
    tx: &mut db::WriteTx,
    t: &Ticket,
    message_id: Option<i64>,
    m: &mail::Incoming,
    by: &str,
) -> Result<Vec<String>, HelpdeskError> {
    let mut skipped = Vec::new();
    for a in &m.attachments {
        if a.data.len() > crate::attachments::MAX_BYTES || a.data.is_empty() {
            skipped.push(format!(
                "{} ({})",
                crate::attachments::clean_filename(&a.filename),
                crate::attachments::human(a.data.len())
            ));
            continue;
        }
        // A refused file (the ticket already holds the most files it may) is named, never a
        // reason to refuse the message: a mail that could not be accepted would be fetched
        // again at every poll.
        match crate::attachments::insert(
            tx,
            t,
            message_id,
            &a.filename,
            &a.content_type,
            &a.data,
            by,
        )
        .await
        {
            Ok(_) => {}
            Err(HelpdeskError::Invalid(errs)) => skipped.push(format!(
                "{} ({})",
                crate::attachments::clean_filename(&a.filename),
                errs.first().map_or("rifiutato", |e| e.message.as_str())
            )),
            Err(e) => return Err(e),
        }
    }
    Ok(skipped)
}

/// The text with a line for each attachment that could not be kept (too large or empty), so
/// the thread says what the sender attached.
fn with_skipped_note(text: String, m: &mail::Incoming) -> String {
    let skipped: Vec<String> = m
        .attachments
        .iter()
        .filter(|a| a.data.len() > crate::attachments::MAX_BYTES || a.data.is_empty())
        .map(|a| {
            format!(
                "[allegato «{}» ({}) non conservato: vuoto o oltre il limite di {}]",
                crate::attachments::clean_filename(&a.filename),
                crate::attachments::human(a.data.len()),
                crate::attachments::human(crate::attachments::MAX_BYTES)
            )
        })
        .collect();
    if skipped.is_empty() {
        text
    } else {
        format!("{text}\n\n{}", skipped.join("\n"))
    }
}

fn text_of(m: &mail::Incoming) -> String {
    let t = m.text.trim();
    let t: String = t.chars().take(19_000).collect();
    if t.is_empty() {
        "(messaggio senza testo)".into()
    } else {
        t
    }
}

/// Takes one inbound message (raw RFC 5322). Returns only once what it produced is committed.
/// Two pollers racing on the same message: the loser's insert of the Message-ID fails, its
/// transaction rolls back, and it reports a duplicate.
pub async fn accept(db: &Db, raw: &[u8], now: DateTime<Utc>) -> Result<Outcome, HelpdeskError> {
    accept_trusting(db, None, raw, now).await
}

/// [`accept`], believing the `Authentication-Results` written by the receiving server named
/// `authserv_id`: a sender it found forged is kept for an operator, never put in a ticket;
/// a reply whose sender it could not authenticate is marked in the thread.
pub async fn accept_trusting(
    db: &Db,
    authserv_id: Option<&str>,
    raw: &[u8],
    now: DateTime<Utc>,
) -> Result<Outcome, HelpdeskError> {
    let policy = crate::store::policy(db).await?;
    accept_with(db, &policy, authserv_id, raw, now).await
}

/// [`accept_trusting`] under a policy read once (a poll reads it once for all its messages).
async fn accept_with(
    db: &Db,
    policy: &SlaPolicy,
    authserv_id: Option<&str>,
    raw: &[u8],
    now: DateTime<Utc>,
) -> Result<Outcome, HelpdeskError> {
    match accept_once(db, policy, authserv_id, raw, now).await {
        Err(HelpdeskError::Db(e)) if db::is_unique_violation(&e) => Ok(Outcome::Duplicate),
        other => other,
    }
}

async fn accept_once(
    db: &Db,
    policy: &SlaPolicy,
    authserv_id: Option<&str>,
    raw: &[u8],
    now: DateTime<Utc>,
) -> Result<Outcome, HelpdeskError> {
    let m = match mail::parse(raw) {
        Some(m) => m,
        None => mail::Incoming {
            message_id: format!(
                "sha256:{}",
                hex::encode(<sha2::Sha256 as sha2::Digest>::digest(raw))
            ),
            from: String::new(),
            from_name: String::new(),
            subject: String::new(),
            references: Vec::new(),
            text: String::from_utf8_lossy(raw).into_owned(),
            attachments: Vec::new(),
            automatic: false,
            auth_results: Vec::new(),
            calendar: None,
        },
    };
    if seen(db, &m.message_id).await? {
        return Ok(Outcome::Duplicate);
    }
    let verified = match crate::mailauth::check(&m.auth_results, authserv_id, &m.from) {
        crate::mailauth::SenderCheck::Fail(why) => return keep(db, now, &m, why).await,
        crate::mailauth::SenderCheck::Pass => true,
        crate::mailauth::SenderCheck::Unknown => false,
    };
    if crate::backups::report_email(db, policy, &m.from, &m.subject, &m.text, now).await? {
        let mut tx = db.write().await?;
        record(&mut tx, now, &m, "backup", None, "", "").await?;
        commit(tx).await?;
        return Ok(Outcome::Backup);
    }
    // A calendar program's answer to an agenda invitation (iMIP `REPLY`): only from the
    // invitee's own address, and only for an invitation of ours; anything else goes on.
    if let Some(ics) = &m.calendar {
        if agenda::store::invitations::answer_by_mail(db, &m.from, ics)
            .await
            .map_err(|e| match e {
                agenda::AgendaError::Db(d) => HelpdeskError::Db(d),
                other => HelpdeskError::Refused(other.to_string()),
            })?
            .is_some()
        {
            let mut tx = db.write().await?;
            record(&mut tx, now, &m, "agenda", None, "", "").await?;
            commit(tx).await?;
            return Ok(Outcome::AgendaReply);
        }
    }
    // An automatic answer (out of office, a list) is not the entity replying: it must not
    // resume a paused clock nor open a ticket. Kept for an operator.
    if m.automatic {
        return keep(
            db,
            now,
            &m,
            "risposta automatica (fuori ufficio o simile)".into(),
        )
        .await;
    }
    let by = format!("email:{}", m.from);
    let (entities, user) = sender(db, &m.from).await?;
    // A reply to a ticket whose warranty is over is new work: a new ticket that names it.
    let mut follow_up: Option<(i64, String)> = None;
    let mut reply_to: Option<Ticket> = None;
    if let Some(t) = ticket_of(db, &m).await? {
        let allowed = entities.iter().any(|(e, _)| *e == t.entity_id)
            || (!m.from.is_empty() && m.from == t.requester_email);
        if !allowed {
            return keep(
                db,
                now,
                &m,
                format!(
                    "risposta al ticket {} da {}, che non è un referente di {}",
                    t.number,
                    if m.from.is_empty() {
                        "un mittente ignoto"
                    } else {
                        &m.from
                    },
                    t.entity_name
                ),
            )
            .await;
        }
        let over = matches!(t.state, State::Resolved | State::Closed)
            && t.warranty_until
                .is_none_or(|w| now.with_timezone(&kernel::time::ROME).date_naive() > w);
        if over {
            follow_up = Some((t.entity_id, t.number.clone()));
        } else {
            reply_to = Some(t);
        }
    }
    if let Some(t) = reply_to {
        let mut tx = db.write().await?;
        let author = if m.from_name.is_empty() {
            m.from.clone()
        } else {
            format!("{} <{}>", m.from_name, m.from)
        };
        let body = with_skipped_note(text_of(&m), &m);
        let msg = store::insert_message(
            db,
            &mut tx,
            &t,
            store::NewMessage {
                author,
                author_id: user,
                body: &body,
                internal: false,
                from_entity: true,
                actor_label: &by,
                at: now,
                sender_verified: Some(verified),
            },
        )
        .await?;
        let skipped = attach(&mut tx, &t, Some(msg.id), &m, &by).await?;
        record(
            &mut tx,
            now,
            &m,
            "reply",
            Some(t.id),
            &skipped.join(", "),
            "",
        )
        .await?;
        commit(tx).await?;
        return Ok(Outcome::Reply { number: t.number });
    }
    let entity_id = match (&follow_up, entities.as_slice()) {
        (Some((id, _)), _) => *id,
        (None, entities) => match entities {
            [] => {
                return keep(
                    db,
                    now,
                    &m,
                    if m.from.is_empty() {
                        "messaggio senza mittente leggibile".into()
                    } else {
                        format!("{} non è il referente di alcun ente", m.from)
                    },
                )
                .await
            }
            [(id, _)] => *id,
            many => {
                return keep(
                    db,
                    now,
                    &m,
                    format!(
                        "{} è referente di più enti ({}): l'operatore sceglie l'ente",
                        m.from,
                        many.iter()
                            .map(|(_, n)| n.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .await
            }
        },
    };
    let subject = if m.subject.is_empty() {
        "(senza oggetto)".to_owned()
    } else {
        m.subject.clone()
    };
    let subject = kernel::text::strip_forbidden(&subject, kernel::text::Lines::Single);
    let subject: String = match &follow_up {
        Some((_, number)) => format!("Seguito di {number} (garanzia terminata): {subject}"),
        None => subject,
    }
    .chars()
    .take(200)
    .collect();
    let actor = Actor::system(&by);
    let p = store::prepare(
        db,
        &actor,
        &NewTicket {
            entity_id,
            subject,
            description: kernel::text::strip_forbidden(
                &with_skipped_note(text_of(&m), &m),
                kernel::text::Lines::Multi,
            ),
            category: String::new(),
            priority: "medium".into(),
            channel: "email".into(),
            received_at: None,
            requester_email: Some(m.from.clone()),
            on_call: false,
        },
        policy,
        now,
    )
    .await?;
    let mut tx = db.write().await?;
    let t = store::insert(&mut tx, &actor, p).await?;
    let skipped = attach(&mut tx, &t, None, &m, &by).await?;
    record(
        &mut tx,
        now,
        &m,
        "ticket",
        Some(t.id),
        &skipped.join(", "),
        "",
    )
    .await?;
    commit(tx).await?;
    Ok(Outcome::Ticket { number: t.number })
}

/// One poll of the help-desk mailbox at `now` (the runner's clock): every message becomes a ticket, a reply or an unmatched
/// mail, committed before it is removed from the mailbox (at most 200 a poll).
pub async fn poll(
    db: &Db,
    cfg: &mail::imap::ImapConfig,
    now: DateTime<Utc>,
) -> Result<mail::imap::PollReport, HelpdeskError> {
    let policy = &crate::store::policy(db).await?;
    Ok(mail::imap::poll_once(cfg, 200, |raw| async move {
        accept_with(db, policy, cfg.authserv_id.as_deref(), &raw, now)
            .await
            .map(|o| tracing::info!(?o, "inbound e-mail"))
            .map_err(|e| e.to_string())
    })
    .await?)
}

/// Keeps a message that found no ticket or entity, whole, for an operator.
async fn keep(
    db: &Db,
    now: DateTime<Utc>,
    m: &mail::Incoming,
    reason: String,
) -> Result<Outcome, HelpdeskError> {
    let mut tx = db.write().await?;
    let body: String = m.text.chars().take(100_000).collect();
    record(&mut tx, now, m, "unmatched", None, &reason, &body).await?;
    commit(tx).await?;
    Ok(Outcome::Unmatched { reason })
}

/// Commits; a unique violation means another poller took the same message first.
mod kept;
pub use kept::{assign, unmatched, UnmatchedMail};

async fn commit(tx: db::WriteTx) -> Result<(), HelpdeskError> {
    tx.commit().await.map_err(HelpdeskError::from)
}

#[cfg(test)]
mod tests {
    use super::number_in;

    #[test]
    fn finds_the_ticket_number() {
        assert_eq!(
            number_in("Re: [Ticket 2026/000123] Stampante").as_deref(),
            Some("2026/000123")
        );
        assert_eq!(number_in("2026/000001").as_deref(), Some("2026/000001"));
        assert_eq!(number_in("Fattura 12026/0001234"), None);
        assert_eq!(number_in("nessun numero"), None);
        assert_eq!(number_in("è 2026/000009!").as_deref(), Some("2026/000009"));
    }
}
