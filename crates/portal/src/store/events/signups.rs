//! Sign-ups of an event: made, cancelled, changed by an operator, and the waiting list
//! settled when seats free up. Each inside one transaction that first takes the event's row.

use db::{Db, WriteTx};
use kernel::{Actor, FieldError};
use sqlx::Row;

use super::{
    get, read_event, registration_audit, registration_row, take_event, Channel, EventNotice,
    Registration, RegistrationDraft, RCOLS,
};
use crate::seats::{self, Counters, Notice, RequestState, Waiting};
use crate::store::{audit_event, line, manager, secret, About};
use crate::{notify, PortalError};

fn check_registration(
    d: &RegistrationDraft,
    max: i64,
) -> Result<(String, String, String), PortalError> {
    let mut wrong = vec![];
    let name = line(&mut wrong, "name", &d.name, 200, "il nome è obbligatorio");
    let email = d.email.trim().to_lowercase();
    if !mail::is_address(&email) {
        wrong.push(FieldError::new(
            "email",
            "indicare un indirizzo e-mail valido (nome@dominio.it)",
        ));
    }
    let phone = d.phone.trim().to_owned();
    if phone.chars().count() > 30
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '/' | '.'))
    {
        wrong.push(FieldError::new(
            "phone",
            "il telefono ha solo cifre, spazi e + (al massimo 30 caratteri)",
        ));
    }
    if d.seats < 1 || d.seats > max {
        wrong.push(FieldError::new(
            "seats",
            format!("si possono chiedere da 1 a {max} posti"),
        ));
    }
    if !wrong.is_empty() {
        return Err(PortalError::Invalid(wrong));
    }
    Ok((name, email, phone))
}

/// A sign-up as made, and the secret of the person's cancel link (shown once, e-mailed).
#[derive(Debug, Clone)]
pub struct Made {
    pub registration: Registration,
    pub cancel_secret: String,
}

/// Signs a person up for an event (the entity's staff or contact; `channel` says how it came).
/// `scope` 0 for the public page, which reaches every event (its route checks the entity).
pub async fn register(
    db: &Db,
    actor: &Actor,
    event_id: i64,
    d: &RegistrationDraft,
    channel: Channel,
) -> Result<Made, PortalError> {
    register_in(db, actor, actor.scope_param(), event_id, d, channel).await
}

pub(super) async fn register_in(
    db: &Db,
    actor: &Actor,
    scope: i64,
    event_id: i64,
    d: &RegistrationDraft,
    channel: Channel,
) -> Result<Made, PortalError> {
    let mut tx = db.write().await?;
    let (e, _) = take_event(&mut tx, scope, event_id).await?;
    manager(actor)?;
    let (name, email, phone) = check_registration(d, e.max_per_request)?;
    if e.closed && channel == Channel::Web {
        return Err(PortalError::Closed(
            "le iscrizioni a questo evento sono chiuse".into(),
        ));
    }
    let state = seats::place(
        Counters {
            seats: e.seats as u32,
            confirmed: e.confirmed_seats as u32,
            waiting: e.waiting as u32,
        },
        d.seats as u32,
    );
    let now = kernel::time::now();
    let (cancel_secret, cancel_hash) = secret();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO portal_registrations (event_id, name, email, phone, seats, state, channel, \
         cancel_hash, created_at, confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         RETURNING id",
    )
    .bind(event_id)
    .bind(&name)
    .bind(&email)
    .bind(&phone)
    .bind(d.seats)
    .bind(state.code())
    .bind(channel.code())
    .bind(&cancel_hash)
    .bind(&now)
    .bind((state == RequestState::Confirmed).then(|| now.clone()))
    .fetch_one(tx.conn())
    .await?;
    let (seats_delta, waiting_delta) = match state {
        RequestState::Confirmed => (d.seats, 0),
        _ => (0, 1),
    };
    sqlx::query(
        "UPDATE portal_events SET confirmed_seats = confirmed_seats + $2, \
         waiting = waiting + $3 WHERE id = $1",
    )
    .bind(event_id)
    .bind(seats_delta)
    .bind(waiting_delta)
    .execute(tx.conn())
    .await?;
    // The row as just written (read back it would say the same; one round trip less while the
    // event's row is held).
    let r = Registration {
        id,
        event_id,
        name,
        email,
        phone,
        seats: d.seats,
        state,
        channel,
        position: (state == RequestState::Waiting).then_some(e.waiting + 1),
        confirmed_at: (state == RequestState::Confirmed).then(|| now.clone()),
        created_at: now,
        cancelled_at: None,
        version: 1,
    };
    notify::registration(&mut tx, &e, &r, Some(&cancel_secret)).await?;
    audit_event(
        &mut tx,
        actor,
        About {
            action: "register",
            object: "event_registration",
            id,
            entity_id: e.entity_id,
        },
        None,
        Some(registration_audit(&r)),
    )
    .await?;
    tx.commit().await?;
    Ok(Made {
        registration: r,
        cancel_secret,
    })
}

async fn read_registration(tx: &mut WriteTx, id: i64) -> Result<Registration, PortalError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RCOLS} FROM portal_registrations WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(PortalError::RegistrationNotFound)?;
    Ok(registration_row(&r)?)
}

/// The event of a sign-up in the actor's scope (`scope` 0: any).
async fn event_of(tx: &mut WriteTx, scope: i64, registration_id: i64) -> Result<i64, PortalError> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT r.event_id FROM portal_registrations r JOIN portal_events e ON e.id = r.event_id \
         WHERE r.id = $2 AND {}",
        db::entities_in_scope!("e.entity_id", "$1")
    )))
    .bind(scope)
    .bind(registration_id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(PortalError::RegistrationNotFound)
}

/// Cancels a sign-up (the entity, or the person through their link): its seats go to the
/// waiting list. Cancelling twice is refused.
pub async fn cancel(db: &Db, actor: &Actor, id: i64) -> Result<Registration, PortalError> {
    cancel_in(db, actor, actor.scope_param(), id).await
}

pub(super) async fn cancel_in(
    db: &Db,
    actor: &Actor,
    scope: i64,
    id: i64,
) -> Result<Registration, PortalError> {
    let mut tx = db.write().await?;
    let event_id = event_of(&mut tx, scope, id).await?;
    manager(actor)?;
    let (e, told) = take_event(&mut tx, 0, event_id).await?;
    let before = read_registration(&mut tx, id).await?;
    if before.state == RequestState::Cancelled {
        return Err(PortalError::Closed("l'iscrizione è già annullata".into()));
    }
    let now = kernel::time::now();
    sqlx::query(
        "UPDATE portal_registrations SET state = 'cancelled', cancelled_at = $2, \
         version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(&now)
    .execute(tx.conn())
    .await?;
    let (seats_delta, waiting_delta) = match before.state {
        RequestState::Confirmed => (before.seats, 0),
        _ => (0, 1),
    };
    sqlx::query(
        "UPDATE portal_events SET confirmed_seats = confirmed_seats - $2, \
         waiting = waiting - $3, version = version + 1 WHERE id = $1",
    )
    .bind(event_id)
    .bind(seats_delta)
    .bind(waiting_delta)
    .execute(tx.conn())
    .await?;
    let after = read_registration(&mut tx, id).await?;
    notify::registration(&mut tx, &e, &after, None).await?;
    settle(&mut tx, event_id, told).await?;
    audit_event(
        &mut tx,
        actor,
        About {
            action: "cancel",
            object: "event_registration",
            id,
            entity_id: e.entity_id,
        },
        Some(registration_audit(&before)),
        Some(registration_audit(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// What an operator changes of a sign-up; the sign-up counts as made by an operator from then on.
#[derive(Debug, Clone, Default)]
pub struct RegistrationChange {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub seats: Option<i64>,
}

/// An operator changes a sign-up. More seats on a confirmed sign-up only when they are free and
/// nobody waits; fewer seats free them for the waiting list; a waiting sign-up keeps its place.
pub async fn edit(
    db: &Db,
    actor: &Actor,
    id: i64,
    c: &RegistrationChange,
) -> Result<Registration, PortalError> {
    let mut tx = db.write().await?;
    let event_id = event_of(&mut tx, actor.scope_param(), id).await?;
    manager(actor)?;
    let (e, told) = take_event(&mut tx, 0, event_id).await?;
    let before = read_registration(&mut tx, id).await?;
    if before.state == RequestState::Cancelled {
        return Err(PortalError::Closed(
            "l'iscrizione è annullata: non si modifica più".into(),
        ));
    }
    let d = RegistrationDraft {
        name: c.name.clone().unwrap_or_else(|| before.name.clone()),
        email: c.email.clone().unwrap_or_else(|| before.email.clone()),
        phone: c.phone.clone().unwrap_or_else(|| before.phone.clone()),
        seats: c.seats.unwrap_or(before.seats),
    };
    let (name, email, phone) = check_registration(&d, e.max_per_request.max(before.seats))?;
    let delta = d.seats - before.seats;
    if before.state == RequestState::Confirmed
        && delta > 0
        && (e.waiting > 0 || delta > e.seats_left)
    {
        {
            return Err(PortalError::field(
                "seats",
                format!(
                    "restano {} posti liberi{}: per chiederne di più serve una nuova iscrizione",
                    e.seats_left,
                    if e.waiting > 0 {
                        " e c'è chi è in lista d'attesa"
                    } else {
                        ""
                    }
                ),
            ));
        }
    }
    sqlx::query(
        "UPDATE portal_registrations SET name = $2, email = $3, phone = $4, seats = $5, \
         channel = 'operator', version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(&name)
    .bind(&email)
    .bind(&phone)
    .bind(d.seats)
    .execute(tx.conn())
    .await?;
    if before.state == RequestState::Confirmed && delta != 0 {
        sqlx::query(
            "UPDATE portal_events SET confirmed_seats = confirmed_seats + $2, \
             version = version + 1 WHERE id = $1",
        )
        .bind(event_id)
        .bind(delta)
        .execute(tx.conn())
        .await?;
    }
    if delta < 0 || before.state == RequestState::Waiting {
        settle(&mut tx, event_id, told).await?;
    }
    let after = read_registration(&mut tx, id).await?;
    audit_event(
        &mut tx,
        actor,
        About {
            action: "update",
            object: "event_registration",
            id,
            entity_id: e.entity_id,
        },
        Some(registration_audit(&before)),
        Some(registration_audit(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Gives freed seats to the waiting list in order; tells the administrator when the first
/// waiting sign-up asks for more than is free. Inside the caller's transaction, with the
/// event's row taken.
pub(super) async fn settle(
    tx: &mut WriteTx,
    event_id: i64,
    told: Option<Notice>,
) -> Result<(), PortalError> {
    let (e, _) = read_event(tx, 0, event_id).await?;
    if e.waiting == 0 {
        return Ok(());
    }
    let queue = sqlx::query(
        "SELECT id, seats FROM portal_registrations WHERE event_id = $1 AND state = 'waiting' \
         ORDER BY id",
    )
    .bind(event_id)
    .fetch_all(tx.conn())
    .await?
    .iter()
    .map(|r| {
        Ok(Waiting {
            id: r.try_get(0)?,
            seats: r.try_get::<i64, _>(1)? as u32,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let free = e.seats_left as u32;
    // The standing notice is compared by free seats and first sign-up.
    let told = told.and_then(|t| {
        queue.iter().find(|w| w.id == t.id).map(|w| Notice {
            free: t.free,
            id: t.id,
            asked: w.seats,
        })
    });
    let s = seats::settle(free, &queue, told);
    let now = kernel::time::now();
    for id in &s.confirm {
        let seats = queue.iter().find(|w| w.id == *id).map_or(0, |w| w.seats);
        sqlx::query(
            "UPDATE portal_registrations SET state = 'confirmed', confirmed_at = $2, \
             version = version + 1 WHERE id = $1",
        )
        .bind(id)
        .bind(&now)
        .execute(tx.conn())
        .await?;
        sqlx::query(
            "UPDATE portal_events SET confirmed_seats = confirmed_seats + $2, \
             waiting = waiting - 1 WHERE id = $1",
        )
        .bind(event_id)
        .bind(i64::from(seats))
        .execute(tx.conn())
        .await?;
        let r = read_registration(tx, *id).await?;
        notify::registration(tx, &e, &r, None).await?;
    }
    if let Some(n) = s.notice {
        let text = format!(
            "Si sono liberati {} posti per «{}», ma la prima iscrizione in lista d'attesa \
             (n. {}) ne chiede {}: nessuno è stato confermato. Decidere se aumentare i posti, \
             modificare l'iscrizione o attendere altre disdette.",
            n.free, e.title, n.id, n.asked
        );
        sqlx::query(
            "INSERT INTO portal_event_notices (event_id, free_seats, registration_id, asked, \
             text, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(event_id)
        .bind(i64::from(n.free))
        .bind(n.id)
        .bind(i64::from(n.asked))
        .bind(&text)
        .bind(&now)
        .execute(tx.conn())
        .await?;
        sqlx::query(
            "UPDATE portal_events SET told_free = $2, told_registration = $3 WHERE id = $1",
        )
        .bind(event_id)
        .bind(i64::from(n.free))
        .bind(n.id)
        .execute(tx.conn())
        .await?;
        notify::administrator(tx, &e, &text).await?;
    }
    Ok(())
}

/// An event's sign-ups in order (confirmed and waiting first by arrival, then cancelled), with
/// each waiting one's place.
pub async fn registrations(
    db: &Db,
    actor: &Actor,
    event_id: i64,
) -> Result<Vec<Registration>, PortalError> {
    let e = get(db, actor, event_id).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RCOLS} FROM portal_registrations WHERE event_id = $1 ORDER BY id"
    )))
    .bind(e.id)
    .fetch_all(db.pool())
    .await?;
    let mut out = rows
        .iter()
        .map(registration_row)
        .collect::<Result<Vec<_>, _>>()?;
    let mut place = 0;
    for r in &mut out {
        if r.state == RequestState::Waiting {
            place += 1;
            r.position = Some(place);
        }
    }
    Ok(out)
}

/// What the administrator was told about an event, newest first.
pub async fn notices(
    db: &Db,
    actor: &Actor,
    event_id: i64,
) -> Result<Vec<EventNotice>, PortalError> {
    let e = get(db, actor, event_id).await?;
    let rows = sqlx::query(
        "SELECT id, event_id, free_seats, registration_id, asked, text, created_at \
         FROM portal_event_notices WHERE event_id = $1 ORDER BY id DESC",
    )
    .bind(e.id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(EventNotice {
                id: r.try_get(0)?,
                event_id: r.try_get(1)?,
                free_seats: r.try_get(2)?,
                registration_id: r.try_get(3)?,
                asked: r.try_get(4)?,
                text: r.try_get(5)?,
                created_at: r.try_get(6)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
