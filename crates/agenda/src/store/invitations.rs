//! Invitations: people invited by e-mail to an event, each with a secret link to answer, and
//! their answers, by that link or by their calendar program's reply.

use db::{Db, WriteTx};
use kernel::{Actor, FieldError};
use serde::Deserialize;
use sqlx::Row;

use super::audit_event;
use super::events::{bump, read, visible, Event, Invitation};
use crate::AgendaError;

/// Someone to invite.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = AgendaInvitee)]
#[serde(default, deny_unknown_fields)]
pub struct Invitee {
    pub email: String,
    pub name: String,
}

const INVITATION: &str = "SELECT event_id, id, email, name, answer, comment, answered_at, \
    invited_at FROM agenda_invitations";

fn invitation(r: &sqlx::any::AnyRow) -> Result<(i64, Invitation), sqlx::Error> {
    Ok((
        r.try_get(0)?,
        Invitation {
            id: r.try_get(1)?,
            email: r.try_get(2)?,
            name: r.try_get(3)?,
            answer: r.try_get(4)?,
            comment: r.try_get(5)?,
            answered_at: r.try_get(6)?,
            invited_at: r.try_get(7)?,
        },
    ))
}

pub(crate) async fn of_event(
    conn: &mut sqlx::AnyConnection,
    event_id: i64,
) -> Result<Vec<Invitation>, AgendaError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{INVITATION} WHERE event_id = $1 ORDER BY id"
    )))
    .bind(event_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| invitation(r).map(|(_, i)| i))
        .collect::<Result<_, _>>()?)
}

/// The invitations of the events `events_sql` selects (a `SELECT e.id …` with `$1` the user
/// and `$2` the address), as (event id, invitation) by id.
pub(crate) async fn of_events(
    conn: &mut sqlx::AnyConnection,
    events_sql: &str,
    user_id: i64,
    email: &str,
) -> Result<Vec<(i64, Invitation)>, AgendaError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{INVITATION} WHERE event_id IN ({events_sql}) ORDER BY id"
    )))
    .bind(user_id)
    .bind(email)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(invitation).collect::<Result<_, _>>()?)
}

/// Invites people to an event; each gets an e-mail with the request and a link to answer
/// (`base`: the site's address). Someone already invited is refused by name; nothing is
/// stored when one address is wrong.
pub async fn invite(
    db: &Db,
    actor: &Actor,
    event_id: i64,
    who: &[Invitee],
    base: &str,
) -> Result<Event, AgendaError> {
    let mut errs = Vec::new();
    let mut clean: Vec<(String, String)> = Vec::new();
    if who.is_empty() {
        errs.push(FieldError::new(
            "invitees",
            "indicare almeno una persona da invitare",
        ));
    }
    if who.len() > 200 {
        errs.push(FieldError::new(
            "invitees",
            "al massimo 200 inviti per volta",
        ));
    }
    for (n, i) in who.iter().enumerate() {
        let email = i.email.trim().to_lowercase();
        let name = kernel::text::strip_forbidden(i.name.trim(), kernel::text::Lines::Single);
        if !mail::is_address(&email) {
            errs.push(FieldError::new(
                &format!("invitees[{n}].email"),
                format!("«{}» non è un indirizzo di posta", i.email.trim()),
            ));
        } else if name.chars().count() > 100 {
            errs.push(FieldError::new(
                &format!("invitees[{n}].name"),
                "nome troppo lungo (al massimo 100 caratteri)",
            ));
        } else if !clean.iter().any(|(e, _)| *e == email) {
            clean.push((email, name));
        }
    }
    if !errs.is_empty() {
        return Err(AgendaError::Invalid(errs));
    }
    let mut tx = db.write().await?;
    let e = visible(tx.conn(), actor, event_id).await?;
    if e.cancelled {
        return Err(AgendaError::Conflict(
            "l'appuntamento è annullato: non si invita nessuno".into(),
        ));
    }
    let twins: Vec<&str> = clean
        .iter()
        .filter(|(m, _)| e.invitations.iter().any(|i| i.email == *m))
        .map(|(m, _)| m.as_str())
        .collect();
    if !twins.is_empty() {
        return Err(AgendaError::Conflict(format!(
            "già invitati: {}",
            twins.join(", ")
        )));
    }
    let now = kernel::time::now();
    let mut links = Vec::new();
    for (email, name) in &clean {
        let token = accounts::secret::random("inv_");
        sqlx::query(
            "INSERT INTO agenda_invitations (event_id, email, name, token_sha256, invited_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(event_id)
        .bind(email)
        .bind(name)
        .bind(accounts::secret::digest(&token))
        .bind(&now)
        .execute(tx.conn())
        .await
        .map_err(|e| {
            // Invited a moment ago from another page: the same answer as above.
            if db::is_unique_violation(&e) {
                AgendaError::Conflict(format!("già invitati: {email}"))
            } else {
                e.into()
            }
        })?;
        links.push((email.clone(), token));
    }
    bump(&mut tx, event_id).await?;
    let e = read(tx.conn(), event_id).await?;
    for (email, token) in &links {
        crate::notify::invited(&mut tx, &e, email, &format!("{base}/agenda/invito/{token}"))
            .await?;
    }
    audit_event(
        &mut tx,
        actor,
        "agenda_event.invite",
        "agenda_event",
        event_id,
        e.entity_id,
        serde_json::json!({"invited": clean.iter().map(|(m, _)| m).collect::<Vec<_>>()}),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

/// An invitation by its link's secret, with its event.
pub async fn by_token(db: &Db, token: &str) -> Result<(Event, Invitation), AgendaError> {
    let mut conn = db.pool().acquire().await?;
    let found: Option<(i64, i64)> =
        sqlx::query_as("SELECT id, event_id FROM agenda_invitations WHERE token_sha256 = $1")
            .bind(accounts::secret::digest(token.trim()))
            .fetch_optional(&mut *conn)
            .await?;
    let (id, event_id) = found.ok_or(AgendaError::InvitationNotFound)?;
    let e = read(&mut conn, event_id).await?;
    let i = e
        .invitations
        .iter()
        .find(|i| i.id == id)
        .cloned()
        .ok_or(AgendaError::InvitationNotFound)?;
    Ok((e, i))
}

fn answer_of(v: &str) -> Result<&'static str, AgendaError> {
    match v {
        "accepted" => Ok("accepted"),
        "tentative" => Ok("tentative"),
        "declined" => Ok("declined"),
        other => Err(AgendaError::field(
            "answer",
            format!("risposta «{other}» non prevista: accepted, tentative o declined"),
        )),
    }
}

async fn record(
    tx: &mut WriteTx,
    e: &Event,
    i: &Invitation,
    answer: &'static str,
    comment: &str,
    by: &str,
) -> Result<Event, AgendaError> {
    let comment = kernel::text::strip_forbidden(comment.trim(), kernel::text::Lines::Multi);
    let comment: String = comment.chars().take(1000).collect();
    sqlx::query(
        "UPDATE agenda_invitations SET answer = $1, comment = $2, answered_at = $3, answered_by = $4 \
         WHERE id = $5",
    )
    .bind(answer)
    .bind(&comment)
    .bind(kernel::time::now())
    .bind(by)
    .bind(i.id)
    .execute(tx.conn())
    .await?;
    bump(tx, e.id).await?;
    let after = read(tx.conn(), e.id).await?;
    let who = Actor::system(&format!("invitato:{}", i.email));
    audit_event(
        tx,
        &who,
        "agenda_event.answer",
        "agenda_event",
        e.id,
        e.entity_id,
        serde_json::json!({"email": i.email, "answer": answer, "by": by}),
    )
    .await?;
    if i.answer != answer || i.comment != comment {
        crate::notify::answered(tx, &after, &i.email, answer, &comment).await?;
    }
    Ok(after)
}

/// Records the answer given by the invitation's link.
pub async fn answer(
    db: &Db,
    token: &str,
    answer: &str,
    comment: &str,
) -> Result<(Event, Invitation), AgendaError> {
    let answer = answer_of(answer)?;
    let (e, i) = by_token(db, token).await?;
    if e.cancelled {
        return Err(AgendaError::Conflict(
            "l'appuntamento è stato annullato".into(),
        ));
    }
    let mut tx = db.write().await?;
    let after = record(&mut tx, &e, &i, answer, comment, "link").await?;
    tx.commit().await?;
    let i = after
        .invitations
        .iter()
        .find(|x| x.id == i.id)
        .cloned()
        .ok_or(AgendaError::InvitationNotFound)?;
    Ok((after, i))
}

/// Records an answer that came by e-mail as an iCalendar `REPLY` from `sender` (the address
/// the mail came from, which must be the invitee's). `Ok(None)`: not a reply to one of ours.
pub async fn answer_by_mail(
    db: &Db,
    sender: &str,
    ics: &str,
) -> Result<Option<Event>, AgendaError> {
    let Some(r) = crate::ics::read_reply(ics) else {
        return Ok(None);
    };
    if r.email != sender.trim().to_lowercase() {
        return Ok(None);
    }
    let mut conn = db.pool().acquire().await?;
    let event_id: Option<i64> = sqlx::query_scalar("SELECT id FROM agenda_events WHERE uid = $1")
        .bind(&r.uid)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(event_id) = event_id else {
        return Ok(None);
    };
    let e = read(&mut conn, event_id).await?;
    drop(conn);
    let Some(i) = e.invitations.iter().find(|i| i.email == r.email).cloned() else {
        return Ok(None);
    };
    if e.cancelled {
        return Ok(Some(e));
    }
    let mut tx = db.write().await?;
    let after = record(&mut tx, &e, &i, r.answer, &r.comment, "email").await?;
    tx.commit().await?;
    Ok(Some(after))
}

/// After a change: every invitee answers again, with a new link (`base`: the site's address)
/// and the new request.
pub(crate) async fn ask_again(
    tx: &mut WriteTx,
    event_id: i64,
    base: &str,
) -> Result<Event, AgendaError> {
    let before = read(tx.conn(), event_id).await?;
    let mut links = Vec::new();
    for i in &before.invitations {
        let token = accounts::secret::random("inv_");
        sqlx::query(
            "UPDATE agenda_invitations SET token_sha256 = $1, answer = 'pending', answered_at = NULL, \
             answered_by = '' WHERE id = $2",
        )
        .bind(accounts::secret::digest(&token))
        .bind(i.id)
        .execute(tx.conn())
        .await?;
        links.push((i.email.clone(), token));
    }
    let e = read(tx.conn(), event_id).await?;
    for (email, token) in &links {
        crate::notify::changed(tx, &e, email, &format!("{base}/agenda/invito/{token}")).await?;
    }
    Ok(e)
}
