//! The entity's public pages under `/p/{entity}/…`: no login, the look of a comune, on only for
//! the modules the entity has today. The forms are braked per client address
//! ([`crate::public_limit`]), carry a field only robots fill, and ask for the privacy notice to
//! be read; nothing is stored when any of these fails.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use portal::store::events::{self, public, Event, RegistrationDraft};
use portal::PortalError;

use crate::auth::Session;
use crate::client::ClientIp;
use crate::error::PageError;
use crate::pages::render;
use crate::AppState;

pub(crate) use super::public_site::{entity_of, frame, when, with_module, Frame};

#[derive(Template)]
#[template(path = "public/home.html")]
struct HomePage {
    p: Frame,
    modules: Vec<(String, String, String)>,
}

pub async fn home(
    State(s): State<AppState>,
    Path(entity): Path<String>,
) -> Result<Response, PageError> {
    let (id, name, modules) = entity_of(&s, &entity).await?;
    let card = |href: String, title: &str, text: &str| (href, title.to_owned(), text.to_owned());
    let mut cards = vec![];
    for m in &modules {
        match m.as_str() {
            "events" => cards.push(card(
                format!("/p/{id}/eventi"),
                "Eventi",
                "Gli eventi in programma, con i posti disponibili e l'iscrizione online.",
            )),
            "appointments" => {
                cards.push(card(
                    format!("/p/{id}/appuntamenti"),
                    "Appuntamenti",
                    "Prenotare un appuntamento con gli uffici dell'ente, scegliendo giorno e ora.",
                ));
                cards.push(card(
                    format!("/p/{id}/sale"),
                    "Sale",
                    "Chiedere una sala dell'ente (sala consiliare, palestra…) per qualche ora.",
                ));
            }
            "tenders" => cards.push(card(
                format!("/p/{id}/bandi"),
                "Bandi di gara",
                "Le gare e gli avvisi dell'ente: attivi, scaduti, con esito, in archivio.",
            )),
            _ => {}
        }
    }
    Ok(render(
        StatusCode::OK,
        &HomePage {
            p: frame(id, &name, "Servizi online", vec![]),
            modules: cards,
        },
    ))
}

#[derive(Template)]
#[template(path = "public/privacy.html")]
struct PrivacyPage {
    p: Frame,
    consent: Vec<String>,
    retention_days: i64,
}

pub async fn privacy(
    State(s): State<AppState>,
    Path(entity): Path<String>,
) -> Result<Response, PageError> {
    let (id, name, _) = entity_of(&s, &entity).await?;
    let set = portal::store::settings::of(&s.db, id).await?;
    let (text, days) = (set.consent_text, set.retention_days);
    Ok(render(
        StatusCode::OK,
        &PrivacyPage {
            p: frame(
                id,
                &name,
                "Informativa sul trattamento dei dati personali",
                vec![],
            ),
            consent: text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned)
                .collect(),
            retention_days: days,
        },
    ))
}

/// An event as the public pages show it.
struct EventView {
    id: i64,
    title: String,
    when: String,
    place: String,
    description: Vec<String>,
    availability: String,
}

fn view(e: &Event) -> EventView {
    let thousands = |n: i64| kernel::money::thousands(n.max(0) as u64);
    let availability = if e.closed {
        "Iscrizioni chiuse".to_owned()
    } else if e.seats_left > 0 && e.waiting == 0 {
        format!(
            "Posti disponibili: {} su {}",
            thousands(e.seats_left),
            thousands(e.seats)
        )
    } else if e.waiting > 0 {
        format!(
            "Al completo: ci si può iscrivere in lista d'attesa ({} in attesa)",
            thousands(e.waiting)
        )
    } else {
        "Al completo: ci si può iscrivere in lista d'attesa".to_owned()
    };
    EventView {
        id: e.id,
        title: e.title.clone(),
        when: when(&e.starts_at),
        place: e.place.clone(),
        description: e
            .description
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect(),
        availability,
    }
}

#[derive(Template)]
#[template(path = "public/events.html")]
struct EventsPage {
    p: Frame,
    events: Vec<EventView>,
}

pub async fn events_list(
    State(s): State<AppState>,
    Path(entity): Path<String>,
) -> Result<Response, PageError> {
    let (id, name) = with_module(&s, &entity, "events").await?;
    let list = public::upcoming(&s.db, id, s.clock.now()).await?;
    Ok(render(
        StatusCode::OK,
        &EventsPage {
            p: frame(id, &name, "Eventi", vec![]),
            events: list.iter().map(view).collect(),
        },
    ))
}

/// What the person typed, shown again when something is wrong.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SignUpForm {
    nome: String,
    email: String,
    telefono: String,
    posti: String,
    consenso: String,
    sito: String,
    #[serde(rename = "_csrf")]
    _csrf: String,
}

struct Typed {
    name: String,
    email: String,
    phone: String,
    seats: String,
    consent: bool,
}

#[derive(Template)]
#[template(path = "public/event.html")]
struct EventPage {
    p: Frame,
    e: EventView,
    open: bool,
    closed_reason: String,
    seat_choices: Vec<i64>,
    form: Typed,
    errors: Vec<String>,
    csrf: String,
}

async fn event_page(
    s: &AppState,
    entity: &str,
    event_id: &str,
    session: Option<&Session>,
    form: Typed,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (id, name) = with_module(s, entity, "events").await?;
    let eid: i64 = event_id.parse().map_err(|_| PageError::not_found())?;
    let e = public::event(&s.db, id, eid)
        .await
        .map_err(|_| PageError::not_found())?;
    let begun = e.starts_at.as_str() <= kernel::time::format(s.clock.now()).as_str();
    let (open, closed_reason) = if e.closed {
        (
            false,
            "L'ente ha chiuso le iscrizioni a questo evento.".to_owned(),
        )
    } else if begun {
        (false, "L'evento è già iniziato.".to_owned())
    } else {
        (true, String::new())
    };
    Ok(render(
        status,
        &EventPage {
            p: frame(
                id,
                &name,
                &e.title,
                vec![(format!("/p/{id}/eventi"), "Eventi".into())],
            ),
            seat_choices: (1..=e.max_per_request.min(events::MAX_PER_REQUEST.into())).collect(),
            e: view(&e),
            open,
            closed_reason,
            form,
            errors,
            csrf: session.map(|x| x.csrf.clone()).unwrap_or_default(),
        },
    ))
}

pub async fn event(
    State(s): State<AppState>,
    session: Option<Extension<Session>>,
    Path((entity, event_id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let blank = Typed {
        name: String::new(),
        email: String::new(),
        phone: String::new(),
        seats: "1".into(),
        consent: false,
    };
    event_page(
        &s,
        &entity,
        &event_id,
        session.as_deref(),
        blank,
        vec![],
        StatusCode::OK,
    )
    .await
}

/// The checks of every public form, before anything is stored: the brake per client address,
/// the field only robots fill, the privacy notice ticked. `Err` with the messages and the
/// status of the page drawn again.
pub(crate) fn guard(
    s: &AppState,
    ip: std::net::IpAddr,
    trap: &str,
    consent: bool,
) -> Result<(), (Vec<String>, StatusCode)> {
    if let Err(wait) = s.public_limit.take(ip, std::time::Instant::now()) {
        let minutes = wait.div_ceil(60);
        return Err((
            vec![format!(
                "Troppe richieste da questo indirizzo: riprovi tra {minutes} minut{}.",
                if minutes == 1 { "o" } else { "i" }
            )],
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    if !trap.trim().is_empty() {
        return Err((
            vec!["La richiesta non è stata accettata.".into()],
            StatusCode::BAD_REQUEST,
        ));
    }
    if !consent {
        return Err((
            vec!["Per proseguire occorre dichiarare di aver letto l'informativa sul trattamento dei dati.".into()],
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    Ok(())
}

/// A sign-up from the public page: braked, trapped, with the notice read; then the rules of
/// the waiting list. Success leads to the sign-up's own page (its address is the cancel link).
pub async fn sign_up(
    State(s): State<AppState>,
    session: Option<Extension<Session>>,
    ClientIp(ip): ClientIp,
    Path((entity, event_id)): Path<(String, String)>,
    Form(f): Form<SignUpForm>,
) -> Result<Response, PageError> {
    let (id, _) = with_module(&s, &entity, "events").await?;
    let eid: i64 = event_id.parse().map_err(|_| PageError::not_found())?;
    let typed = Typed {
        name: f.nome.clone(),
        email: f.email.clone(),
        phone: f.telefono.clone(),
        seats: f.posti.clone(),
        consent: !f.consenso.is_empty(),
    };
    let again = |typed: Typed, errors: Vec<String>, status: StatusCode| {
        let s = s.clone();
        let (entity, event_id) = (entity.clone(), event_id.clone());
        let session = session.clone();
        async move {
            event_page(
                &s,
                &entity,
                &event_id,
                session.as_deref(),
                typed,
                errors,
                status,
            )
            .await
        }
    };
    let mut errors = match guard(&s, ip, &f.sito, typed.consent) {
        Ok(()) => vec![],
        Err((errors, status)) => return again(typed, errors, status).await,
    };
    let seats: i64 = match f.posti.trim().parse() {
        Ok(n) => n,
        Err(_) => {
            errors.push("Scegliere quanti posti si chiedono.".to_owned());
            0
        }
    };
    if !errors.is_empty() {
        return again(typed, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let made = public::sign_up(
        &s.db,
        id,
        eid,
        &RegistrationDraft {
            name: f.nome,
            email: f.email,
            phone: f.telefono,
            seats,
        },
        s.clock.now(),
    )
    .await;
    match made {
        Ok(m) => Ok(Redirect::to(&format!(
            "/p/{id}/iscrizioni/{}/{}?nuova=1",
            m.registration.id, m.cancel_secret
        ))
        .into_response()),
        Err(PortalError::Invalid(fields)) => {
            let errors = fields.into_iter().map(|f| f.message).collect();
            again(typed, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(PortalError::Closed(why)) => again(typed, vec![why], StatusCode::CONFLICT).await,
        Err(PortalError::EventNotFound) => Err(PageError::not_found()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "public/registration.html")]
struct RegistrationPage {
    p: Frame,
    just_made: bool,
    waiting: bool,
    headline: String,
    event_id: i64,
    event_title: String,
    when: String,
    name: String,
    seats: String,
    state: String,
    cancelled: bool,
    action: String,
    csrf: String,
}

/// `?nuova=1`: the page a form led to, just made.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Fresh {
    pub(crate) nuova: Option<String>,
}

/// What a cancellation through a person's link leads to: its page again when it was done or
/// had been done already; not found for a wrong link.
pub(crate) fn cancelled<T>(r: Result<T, PortalError>) -> Result<(), PageError> {
    use kernel::Refusal;
    match r {
        Ok(_) | Err(PortalError::Closed(_)) => Ok(()),
        Err(e) if e.kind() == kernel::refusal::Kind::NotFound => Err(PageError::not_found()),
        Err(e) => Err(e.into()),
    }
}

async fn registration_page(
    s: &AppState,
    entity: &str,
    reg: &str,
    code: &str,
    just_made: bool,
    session: Option<&Session>,
) -> Result<Response, PageError> {
    let (id, name) = with_module(s, entity, "events").await?;
    let rid: i64 = reg.parse().map_err(|_| PageError::not_found())?;
    let (e, r) = public::by_code(&s.db, id, rid, code)
        .await
        .map_err(|_| PageError::not_found())?;
    let position = if r.state == portal::seats::RequestState::Waiting {
        events::registrations(&s.db, &public::citizen(), e.id)
            .await?
            .iter()
            .find(|x| x.id == r.id)
            .and_then(|x| x.position)
    } else {
        None
    };
    let state = match (r.state, position) {
        (portal::seats::RequestState::Waiting, Some(n)) => {
            format!("in lista d'attesa, al {n}º posto")
        }
        (st, _) => st.label().to_owned(),
    };
    let headline = match r.state {
        portal::seats::RequestState::Confirmed => "Iscrizione confermata.".to_owned(),
        portal::seats::RequestState::Waiting => {
            "L'evento è al completo: la richiesta è in lista d'attesa. Le scriveremo se si liberano i posti che ha chiesto.".to_owned()
        }
        portal::seats::RequestState::Cancelled => "Iscrizione annullata.".to_owned(),
    };
    Ok(render(
        StatusCode::OK,
        &RegistrationPage {
            p: frame(
                id,
                &name,
                "La sua iscrizione",
                vec![(format!("/p/{id}/eventi"), "Eventi".into())],
            ),
            just_made,
            waiting: r.state == portal::seats::RequestState::Waiting,
            headline,
            event_id: e.id,
            event_title: e.title.clone(),
            when: when(&e.starts_at),
            name: r.name.clone(),
            seats: if r.seats == 1 {
                "1 posto".into()
            } else {
                format!("{} posti", r.seats)
            },
            state,
            cancelled: r.state == portal::seats::RequestState::Cancelled,
            action: format!("/p/{id}/iscrizioni/{}/{}", r.id, code.trim()),
            csrf: session.map(|x| x.csrf.clone()).unwrap_or_default(),
        },
    ))
}

pub async fn registration(
    State(s): State<AppState>,
    session: Option<Extension<Session>>,
    Path((entity, reg, code)): Path<(String, String, String)>,
    axum::extract::Query(q): axum::extract::Query<Fresh>,
) -> Result<Response, PageError> {
    registration_page(
        &s,
        &entity,
        &reg,
        &code,
        q.nuova.is_some(),
        session.as_deref(),
    )
    .await
}

/// The person cancels through their link (the page asked first).
pub async fn cancel(
    State(s): State<AppState>,
    session: Option<Extension<Session>>,
    Path((entity, reg, code)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let (id, _) = with_module(&s, &entity, "events").await?;
    let rid: i64 = reg.parse().map_err(|_| PageError::not_found())?;
    cancelled(public::cancel_by_code(&s.db, id, rid, &code).await)?;
    registration_page(&s, &entity, &reg, &code, false, session.as_deref()).await
}
