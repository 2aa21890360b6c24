//! The entity's events as pages for its staff and contacts (and the centre's): the list with a
//! form for a new event, and one event with its sign-ups — those made on the web and those made
//! by an operator in two colours —, the waiting list in order, what the administrator was told,
//! a sign-up added by an operator, a cancellation after a confirmation, the flag that closes
//! sign-ups, the attendance list as CSV.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Form;
use portal::seats::RequestState;
use portal::store::events::{
    self, Channel, Event, EventChange, EventDraft, EventNotice, Registration, RegistrationDraft,
};
use serde::Deserialize;

use super::public_pages::when;
use crate::auth::{Flash, PageUser};
use crate::capabilities::delivery::work_pages::refusal;
use crate::error::PageError;
use crate::pages::confirm::{self, Confirm};
use crate::pages::{back_with, notice, ok, parse_id, Layout};
use crate::AppState;

struct EventRow {
    id: i64,
    title: String,
    when: String,
    seats: String,
}

fn seats_line(e: &Event) -> String {
    format!(
        "{} posti, {} confermati, {} liberi, {} in lista d'attesa{}",
        e.seats,
        e.confirmed_seats,
        e.seats_left,
        e.waiting,
        if e.closed {
            " · iscrizioni chiuse"
        } else {
            ""
        }
    )
}

#[derive(Template)]
#[template(path = "portal/events.html")]
struct EventsPage {
    layout: Layout,
    entity_id: i64,
    entity: String,
    events: Vec<EventRow>,
    flash: Flash,
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let entity = members::store::get(&s.db, &actor, id).await?;
    let list = events::list(&s.db, &actor, id, None).await?;
    let flash = notice(&s, &sess).await?;
    Ok(ok(&EventsPage {
        layout: Layout::new(&s, Some(&sess), "Eventi con iscrizione", "entities"),
        entity_id: id,
        entity: entity.data.name,
        events: list
            .iter()
            .rev()
            .map(|e| EventRow {
                id: e.id,
                title: e.title.clone(),
                when: when(&e.starts_at),
                seats: seats_line(e),
            })
            .collect(),
        flash,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewEvent {
    titolo: String,
    data: String,
    ora: String,
    luogo: String,
    posti: String,
    massimo: String,
    descrizione: String,
}

pub async fn create(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<NewEvent>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let back = format!("/entities/{id}/eventi");
    let starts_at = super::instant_field(
        &format!("{}T{}", f.data.trim(), f.ora.trim()),
        "starts_at",
        false,
    )
    .ok();
    let number = |v: &str| v.trim().parse::<i64>().unwrap_or(0);
    let made = events::create(
        &s.db,
        &sess.actor(),
        &EventDraft {
            entity_id: id,
            title: f.titolo.clone(),
            description: f.descrizione.clone(),
            place: f.luogo.clone(),
            starts_at,
            seats: number(&f.posti),
            max_per_request: (!f.massimo.trim().is_empty()).then(|| number(&f.massimo)),
        },
    )
    .await;
    match made {
        Ok(e) => {
            back_with(
                &s,
                &sess,
                &format!("/eventi/{}", e.id),
                Flash::saved("Evento pubblicato."),
            )
            .await
        }
        Err(e) => {
            let mut flash = Flash::error(refusal(e)?);
            flash.values = vec![
                ("titolo".into(), f.titolo),
                ("data".into(), f.data),
                ("ora".into(), f.ora),
                ("luogo".into(), f.luogo),
                ("posti".into(), f.posti),
                ("massimo".into(), f.massimo),
                ("descrizione".into(), f.descrizione),
            ];
            back_with(&s, &sess, &back, flash).await
        }
    }
}

struct SignUpRow {
    id: i64,
    name: String,
    contact: String,
    seats: i64,
    state: String,
    /// `web` or `operator`: the colour.
    channel: &'static str,
    channel_label: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "portal/event.html")]
struct EventPage {
    layout: Layout,
    e: Event,
    entity: String,
    when: String,
    seats: String,
    notices: Vec<EventNotice>,
    rows: Vec<SignUpRow>,
    flash: Flash,
}

fn row(r: &Registration) -> SignUpRow {
    SignUpRow {
        id: r.id,
        name: r.name.clone(),
        contact: if r.phone.is_empty() {
            r.email.clone()
        } else {
            format!("{} · {}", r.email, r.phone)
        },
        seats: r.seats,
        state: match (r.state, r.position) {
            (RequestState::Waiting, Some(n)) => format!("in lista d'attesa ({n}º)"),
            (st, _) => st.label().to_owned(),
        },
        channel: r.channel.code(),
        channel_label: r.channel.label(),
        active: r.state != RequestState::Cancelled,
    }
}

pub async fn detail(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let e = events::get(&s.db, &actor, id).await?;
    let entity = members::store::get(&s.db, &actor, e.entity_id).await?;
    let regs = events::registrations(&s.db, &actor, id).await?;
    let notices = events::notices(&s.db, &actor, id).await?;
    let flash = notice(&s, &sess).await?;
    Ok(ok(&EventPage {
        layout: Layout::new(&s, Some(&sess), e.title.clone(), "entities"),
        when: when(&e.starts_at),
        seats: seats_line(&e),
        entity: entity.data.name,
        notices,
        rows: regs.iter().map(row).collect(),
        e,
        flash,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OperatorSignUp {
    nome: String,
    email: String,
    telefono: String,
    posti: String,
}

/// An operator signs a person up (by phone, at the counter).
pub async fn add(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<OperatorSignUp>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let back = format!("/eventi/{id}");
    let made = events::register(
        &s.db,
        &sess.actor(),
        id,
        &RegistrationDraft {
            name: f.nome.clone(),
            email: f.email.clone(),
            phone: f.telefono.clone(),
            seats: f.posti.trim().parse().unwrap_or(0),
        },
        Channel::Operator,
    )
    .await;
    match made {
        Ok(m) => {
            let what = if m.registration.state == RequestState::Confirmed {
                "confermata"
            } else {
                "in lista d'attesa"
            };
            back_with(
                &s,
                &sess,
                &back,
                Flash::saved(format!("Iscrizione di {} {what}.", m.registration.name)),
            )
            .await
        }
        Err(e) => {
            let mut flash = Flash::error(refusal(e)?);
            flash.values = vec![
                ("nome".into(), f.nome),
                ("email".into(), f.email),
                ("telefono".into(), f.telefono),
                ("posti".into(), f.posti),
            ];
            back_with(&s, &sess, &back, flash).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Confirmed {
    confermato: String,
}

/// Cancels a sign-up, after a page that names the consequence.
pub async fn cancel(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((id, reg)): Path<(String, String)>,
    Form(f): Form<Confirmed>,
) -> Result<Response, PageError> {
    let (id, reg) = (parse_id(&id)?, parse_id(&reg)?);
    let back = format!("/eventi/{id}");
    let actor = sess.actor();
    let r = events::registrations(&s.db, &actor, id)
        .await?
        .into_iter()
        .find(|r| r.id == reg)
        .ok_or_else(PageError::not_found)?;
    if !confirm::confirmed(&f.confermato) {
        return Ok(confirm::page(
            &s,
            &sess,
            "entities",
            Confirm {
                question: format!("Annullare l'iscrizione di {}?", r.name),
                consequences: vec![
                    format!(
                        "{} riceverà un'e-mail che la sua iscrizione è annullata.",
                        r.name
                    ),
                    "I posti passano a chi è in lista d'attesa, in ordine.".into(),
                ],
                action: format!("/eventi/{id}/iscrizioni/{reg}/annulla"),
                fields: vec![],
                note: None,
                confirm_label: "Annulla l'iscrizione".into(),
                cancel: back,
            },
        ));
    }
    let flash = match events::cancel(&s.db, &actor, reg).await {
        Ok(r) => Flash::saved(format!("Iscrizione di {} annullata.", r.name)),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &back, flash).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Closing {
    chiuse: String,
}

/// Closes or reopens the sign-ups on the web.
pub async fn closing(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<Closing>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let closed = f.chiuse == "1";
    let flash = match events::update(
        &s.db,
        &sess.actor(),
        id,
        &EventChange {
            closed: Some(closed),
            ..Default::default()
        },
    )
    .await
    {
        Ok(_) if closed => Flash::saved("Iscrizioni dal sito chiuse."),
        Ok(_) => Flash::saved("Iscrizioni dal sito riaperte."),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &format!("/eventi/{id}"), flash).await
}

/// The attendance list as CSV (the page's link; the API has its own).
pub async fn csv(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let e = events::get(&s.db, &actor, id).await?;
    let regs = events::registrations(&s.db, &actor, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"presenze-{}.csv\"", e.id),
            ),
        ],
        super::events_api::attendance_csv(&regs),
    )
        .into_response())
}
