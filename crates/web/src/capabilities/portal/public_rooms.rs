//! Rooms on the entity's public pages (part of the appointments module): the rooms, a room's
//! day hour by hour with the request form (braked, trapped, with the privacy notice), and the
//! request's own page with its state and its cancellation.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::{NaiveDate, TimeZone};
use portal::store::rooms::{self, public, Room, RoomBookingDraft};
use portal::PortalError;

use super::public_pages::{cancelled, frame, guard, when, with_module, Frame, Fresh};
use crate::auth::Session;
use crate::client::ClientIp;
use crate::error::PageError;
use crate::pages::render;
use crate::AppState;

/// What a room's card says.
struct RoomView {
    href: String,
    name: String,
    description: String,
    facts: String,
}

fn hours(r: &Room) -> String {
    format!(
        "prenotabile dalle {:02}:00 alle {:02}:00",
        r.opens_hour, r.closes_hour
    )
}

fn room_view(id: i64, r: &Room) -> RoomView {
    let mut facts = vec![];
    if r.capacity > 0 {
        facts.push(format!(
            "{} posti",
            kernel::money::thousands(r.capacity as u64)
        ));
    }
    facts.push(hours(r));
    facts.push(
        if r.needs_approval {
            "le richieste sono approvate dall'ente"
        } else {
            "la prenotazione è confermata subito"
        }
        .into(),
    );
    RoomView {
        href: format!("/p/{id}/sale/{}", r.id),
        name: r.name.clone(),
        description: r.description.clone(),
        facts: facts.join(" · "),
    }
}

#[derive(Template)]
#[template(path = "public/rooms.html")]
struct RoomsPage {
    p: Frame,
    rooms: Vec<RoomView>,
}

pub async fn list(
    State(s): State<AppState>,
    Path(entity): Path<String>,
) -> Result<Response, PageError> {
    let (id, name) = with_module(&s, &entity, "appointments").await?;
    let rooms = rooms::of_entity(&s.db, id).await?;
    Ok(render(
        StatusCode::OK,
        &RoomsPage {
            p: frame(id, &name, "Sale", vec![]),
            rooms: rooms.iter().map(|r| room_view(id, r)).collect(),
        },
    ))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DayQuery {
    giorno: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RequestForm {
    giorno: String,
    dalle: String,
    alle: String,
    nome: String,
    email: String,
    telefono: String,
    associazione: String,
    uso: String,
    consenso: String,
    sito: String,
    #[serde(rename = "_csrf")]
    _csrf: String,
}

struct Typed {
    name: String,
    email: String,
    phone: String,
    organisation: String,
    purpose: String,
    from: u32,
    to: u32,
    consent: bool,
}

#[derive(Template)]
#[template(path = "public/room.html")]
struct RoomPage {
    p: Frame,
    room: RoomView,
    day: String,
    day_words: String,
    past: bool,
    previous: String,
    next: String,
    /// Each hour of the day: «18:00–19:00» and whether it is held.
    grid: Vec<(String, bool)>,
    starts: Vec<(u32, String)>,
    ends: Vec<(u32, String)>,
    action: String,
    form: Typed,
    errors: Vec<String>,
    csrf: String,
}

/// «giovedì 10 dicembre 2026».
fn day_words(d: NaiveDate) -> String {
    let Some((start, _)) = public::day_bounds(d) else {
        return d.to_string();
    };
    let w = when(&kernel::time::format(start));
    w.rsplit_once(", ore")
        .map_or(w.clone(), |(d, _)| d.to_owned())
}

#[allow(clippy::too_many_arguments)]
async fn room_page(
    s: &AppState,
    entity: &str,
    room: &str,
    day: Option<NaiveDate>,
    session: Option<&Session>,
    form: Typed,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (id, name) = with_module(s, entity, "appointments").await?;
    let rid: i64 = room.parse().map_err(|_| PageError::not_found())?;
    let r = public::room(&s.db, id, rid)
        .await
        .map_err(|_| PageError::not_found())?;
    let today = kernel::time::ROME
        .from_utc_datetime(&s.clock.now().naive_utc())
        .date_naive();
    // A day within ten years either way (anything else: tomorrow), so the neighbours exist.
    let day = day
        .filter(|d| (d.signed_duration_since(today).num_days()).abs() <= 3_650)
        .unwrap_or(today + chrono::Days::new(1));
    let held = public::held_on(&s.db, r.id, day).await?;
    let mut grid = vec![];
    for h in r.opens_hour..r.closes_hour {
        let taken = portal::rooms::hours_of(day, h as u32, h as u32 + 1, 0, 24)
            .ok()
            .and_then(|v| v.first().copied())
            .is_none_or(|t| held.contains(&kernel::time::format(t)));
        grid.push((format!("{h:02}:00–{:02}:00", h + 1), taken));
    }
    let hh = |h: i64| (h as u32, format!("{h:02}:00"));
    Ok(render(
        status,
        &RoomPage {
            p: frame(
                id,
                &name,
                &r.name,
                vec![(format!("/p/{id}/sale"), "Sale".into())],
            ),
            room: room_view(id, &r),
            day: day.to_string(),
            day_words: day_words(day),
            past: day < today,
            previous: format!(
                "/p/{id}/sale/{}?giorno={}",
                r.id,
                day - chrono::Days::new(1)
            ),
            next: format!(
                "/p/{id}/sale/{}?giorno={}",
                r.id,
                day + chrono::Days::new(1)
            ),
            grid,
            starts: (r.opens_hour..r.closes_hour).map(hh).collect(),
            ends: (r.opens_hour + 1..=r.closes_hour).map(hh).collect(),
            action: format!("/p/{id}/sale/{}", r.id),
            form,
            errors,
            csrf: session.map(|x| x.csrf.clone()).unwrap_or_default(),
        },
    ))
}

pub async fn room(
    State(s): State<AppState>,
    session: Option<Extension<Session>>,
    Path((entity, room)): Path<(String, String)>,
    Query(q): Query<DayQuery>,
) -> Result<Response, PageError> {
    let (day, errors) = match q.giorno.as_deref().map(str::trim) {
        None | Some("") => (None, vec![]),
        Some(v) => match v.parse::<NaiveDate>() {
            Ok(d) => (Some(d), vec![]),
            Err(_) => (
                None,
                vec![format!(
                    "«{v}» non è una data: si mostra il giorno di domani."
                )],
            ),
        },
    };
    let blank = Typed {
        name: String::new(),
        email: String::new(),
        phone: String::new(),
        organisation: String::new(),
        purpose: String::new(),
        from: 0,
        to: 0,
        consent: false,
    };
    room_page(
        &s,
        &entity,
        &room,
        day,
        session.as_deref(),
        blank,
        errors,
        StatusCode::OK,
    )
    .await
}

/// A request from the public page; success leads to the request's own page.
pub async fn request(
    State(s): State<AppState>,
    session: Option<Extension<Session>>,
    ClientIp(ip): ClientIp,
    Path((entity, room)): Path<(String, String)>,
    Form(f): Form<RequestForm>,
) -> Result<Response, PageError> {
    let (id, _) = with_module(&s, &entity, "appointments").await?;
    let rid: i64 = room.parse().map_err(|_| PageError::not_found())?;
    let hour = |v: &str| v.trim().parse::<u32>().ok();
    let day = f.giorno.trim().parse::<NaiveDate>().ok();
    let typed = Typed {
        name: f.nome.clone(),
        email: f.email.clone(),
        phone: f.telefono.clone(),
        organisation: f.associazione.clone(),
        purpose: f.uso.clone(),
        from: hour(&f.dalle).unwrap_or_default(),
        to: hour(&f.alle).unwrap_or_default(),
        consent: !f.consenso.is_empty(),
    };
    let session = session.as_deref();
    if let Err((errors, status)) = guard(&s, ip, &f.sito, typed.consent) {
        return room_page(&s, &entity, &room, day, session, typed, errors, status).await;
    }
    let (Some(from), Some(to)) = (hour(&f.dalle), hour(&f.alle)) else {
        let errors = vec!["Scegliere l'ora d'inizio e quella di fine.".to_owned()];
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return room_page(&s, &entity, &room, day, session, typed, errors, status).await;
    };
    let made = public::request(
        &s.db,
        id,
        rid,
        &RoomBookingDraft {
            name: f.nome,
            email: f.email,
            phone: f.telefono,
            organisation: f.associazione,
            purpose: f.uso,
            day,
            from,
            to,
        },
        s.clock.now(),
    )
    .await;
    let (errors, status) = match made {
        Ok((b, code)) => {
            return Ok(Redirect::to(&format!(
                "/p/{id}/sale-prenotazioni/{}/{code}?nuova=1",
                b.id
            ))
            .into_response())
        }
        Err(PortalError::Invalid(fields)) => (
            fields
                .into_iter()
                .map(|f| crate::pages::sentence(&f.message))
                .collect(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e @ (PortalError::RoomTaken | PortalError::Closed(_))) => {
            (vec![e.to_string()], StatusCode::CONFLICT)
        }
        Err(PortalError::RoomNotFound) => return Err(PageError::not_found()),
        Err(e) => return Err(e.into()),
    };
    room_page(&s, &entity, &room, day, session, typed, errors, status).await
}

#[derive(Template)]
#[template(path = "public/room_booking.html")]
struct BookingPage {
    p: Frame,
    just_made: bool,
    room: String,
    when: String,
    name: String,
    organisation: String,
    purpose: String,
    state: String,
    note: String,
    waiting: bool,
    open: bool,
    action: String,
    csrf: String,
}

async fn booking_page(
    s: &AppState,
    entity: &str,
    booking: &str,
    code: &str,
    just_made: bool,
    session: Option<&Session>,
) -> Result<Response, PageError> {
    let (id, name) = with_module(s, entity, "appointments").await?;
    let bid: i64 = booking.parse().map_err(|_| PageError::not_found())?;
    let (r, b) = public::by_code(&s.db, id, bid, code)
        .await
        .map_err(|_| PageError::not_found())?;
    Ok(render(
        StatusCode::OK,
        &BookingPage {
            p: frame(
                id,
                &name,
                "La sua richiesta della sala",
                vec![(format!("/p/{id}/sale"), "Sale".into())],
            ),
            just_made,
            room: r.name.clone(),
            when: portal::notify::rooms::span(&b),
            name: b.name.clone(),
            organisation: b.organisation.clone(),
            purpose: b.purpose.clone(),
            state: rooms::decide::state_word(&b.state).into(),
            note: b.decision_note.clone(),
            waiting: b.state == "requested",
            open: matches!(b.state.as_str(), "requested" | "approved"),
            action: format!("/p/{id}/sale-prenotazioni/{}/{}", b.id, code.trim()),
            csrf: session.map(|x| x.csrf.clone()).unwrap_or_default(),
        },
    ))
}

pub async fn booking(
    State(s): State<AppState>,
    session: Option<Extension<Session>>,
    Path((entity, booking, code)): Path<(String, String, String)>,
    Query(q): Query<Fresh>,
) -> Result<Response, PageError> {
    booking_page(
        &s,
        &entity,
        &booking,
        &code,
        q.nuova.is_some(),
        session.as_deref(),
    )
    .await
}

/// The person withdraws their request or cancels their booking through their link.
pub async fn cancel(
    State(s): State<AppState>,
    session: Option<Extension<Session>>,
    Path((entity, booking, code)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let (id, _) = with_module(&s, &entity, "appointments").await?;
    let bid: i64 = booking.parse().map_err(|_| PageError::not_found())?;
    cancelled(public::cancel_by_code(&s.db, id, bid, &code).await)?;
    booking_page(&s, &entity, &booking, &code, false, session.as_deref()).await
}
