//! What staff and contacts do on a ticket's page: reply, take charge, move it on (resolving
//! with its note), reclassify; each action comes back to the ticket saying what it did, or why
//! it was refused with what was typed.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use helpdesk::model::{Priority, State as TicketState};
use helpdesk::store;
use serde::Deserialize;

use crate::auth::{PageStaff, PageUser};
use crate::error::PageError;
use crate::pages::{parse_id, refusal, see_other};
use crate::AppState;

use kernel::time::display_instant as rome;

pub async fn back(
    s: &AppState,
    sess: &crate::auth::Session,
    id: i64,
    message: &str,
) -> Result<Response, PageError> {
    crate::pages::refused(s, sess, &format!("/tickets/{id}"), message).await
}

/// Back to the ticket with what was done, said in green.
pub async fn done(
    s: &AppState,
    sess: &crate::auth::Session,
    id: i64,
    saved: String,
) -> Result<Response, PageError> {
    crate::pages::back_with(
        s,
        sess,
        &format!("/tickets/{id}"),
        crate::auth::Flash::saved(saved),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReplyForm {
    body: String,
    internal: String,
}

pub async fn reply(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<ReplyForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let internal = !f.internal.is_empty();
    match store::add_message(&s.db, &sess.actor(), id, &f.body, internal, s.clock.now()).await {
        Ok(_) => {
            let said = if internal {
                "Nota interna aggiunta: l'ente non la vede."
            } else if sess.actor().is_staff() {
                "Risposta inviata: il richiedente la riceve anche per e-mail."
            } else {
                "Messaggio inviato al centro."
            };
            done(&s, &sess, id, said.to_owned()).await
        }
        Err(e) => {
            let flash = crate::auth::Flash {
                error: refusal(e)?,
                values: vec![("body".into(), f.body.clone())],
                ..Default::default()
            };
            crate::pages::back_with(&s, &sess, &format!("/tickets/{id}"), flash).await
        }
    }
}

pub async fn take_charge(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    match store::take_charge(&s.db, &sess.actor(), id, s.clock.now()).await {
        Ok(t) => {
            let when = t.taken_at.map(rome).unwrap_or_default();
            done(
                &s,
                &sess,
                id,
                format!("Ticket {} preso in carico il {when}.", t.number),
            )
            .await
        }
        Err(e) => back(&s, &sess, id, &refusal(e)?).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StateForm {
    state: String,
    /// The resolution note.
    note: String,
}

pub async fn set_state(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path(id): Path<String>,
    Form(f): Form<StateForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let Some(to) = TicketState::parse(&f.state) else {
        return back(&s, &sess, id, "stato sconosciuto").await;
    };
    let note = Some(f.note.as_str()).filter(|n| !n.trim().is_empty());
    match store::set_state(&s.db, &sess.actor(), id, to, note, s.clock.now()).await {
        Ok(t) => {
            done(
                &s,
                &sess,
                id,
                format!("Ticket {}: ora è «{}».", t.number, t.state.label()),
            )
            .await
        }
        Err(e) => {
            let flash = crate::auth::Flash {
                error: refusal(e)?,
                values: vec![
                    ("note".into(), f.note.clone()),
                    (
                        "resolve".into(),
                        if to == TicketState::Resolved {
                            "1".into()
                        } else {
                            String::new()
                        },
                    ),
                ],
                ..Default::default()
            };
            crate::pages::back_with(&s, &sess, &format!("/tickets/{id}"), flash).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfileForm {
    profile: String,
}

/// Sets an entity's support profile (admins), from the entity page.
pub async fn set_profile(
    State(s): State<AppState>,
    crate::auth::PageAdmin(sess): crate::auth::PageAdmin,
    Path(id): Path<String>,
    Form(f): Form<ProfileForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let Some(p) = helpdesk::support::Profile::parse(&f.profile) else {
        return Err(PageError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Profilo sconosciuto: MINIMAL, BASIC, PRO o ENTERPRISE.",
        ));
    };
    store::set_support_profile(&s.db, &sess.actor(), id, p).await?;
    Ok(see_other(&format!("/entities/{id}#assistenza")))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PriorityForm {
    priority: String,
}

/// Reclassifies a ticket from its page (staff).
pub async fn set_priority(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path(id): Path<String>,
    Form(f): Form<PriorityForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let Some(to) = Priority::parse(&f.priority) else {
        return back(&s, &sess, id, "priorità sconosciuta").await;
    };
    let before = store::get(&s.db, &sess.actor(), id).await?.priority;
    match store::set_priority(&s.db, &sess.actor(), id, to, s.clock.now()).await {
        Ok(_) if before == to => {
            let same = format!("La priorità era già {}.", to.label().to_lowercase());
            done(&s, &sess, id, same).await
        }
        Ok(t) => {
            done(
                &s,
                &sess,
                id,
                format!(
                    "Priorità cambiata da {} {}: presa in carico entro il {}.",
                    before.label().to_lowercase(),
                    kernel::text::to_word(&t.priority.label().to_lowercase()),
                    rome(t.take_charge_due_at)
                ),
            )
            .await
        }
        Err(e) => back(&s, &sess, id, &refusal(e)?).await,
    }
}
