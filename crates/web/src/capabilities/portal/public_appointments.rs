//! Appointments with the entity's offices on its public pages: the free times of the coming
//! weeks by office and day, the booking form (braked, trapped, with the privacy notice), the
//! booking's own page with its `.ics` file and its cancellation.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use portal::store::slots::public;
use portal::store::slots::{AppointmentSlot, BookingDraft};
use portal::PortalError;

use super::public_pages::{cancelled, frame, guard, when, with_module, Frame, Fresh};
use crate::auth::Session;
use crate::client::ClientIp;
use crate::error::PageError;
use crate::pages::render;
use crate::AppState;

/// How far ahead the free times are shown.
const DAYS_AHEAD: i64 = 30;

/// A day of an office: its date in words and its free times (link, time, free places).
type Day = (String, Vec<(String, String, String)>);

#[derive(Template)]
#[template(path = "public/appointments.html")]
struct AppointmentsPage {
    p: Frame,
    days: i64,
    offices: Vec<(String, Vec<Day>)>,
}

fn places(n: i64) -> String {
    if n == 1 {
        "1 posto libero".into()
    } else {
        format!("{n} posti liberi")
    }
}

pub async fn list(
    State(s): State<AppState>,
    Path(entity): Path<String>,
) -> Result<Response, PageError> {
    let (id, name) = with_module(&s, &entity, "appointments").await?;
    let now = s.clock.now();
    let slots =
        public::open_slots(&s.db, id, now, now + chrono::Duration::days(DAYS_AHEAD)).await?;
    let mut offices: Vec<(String, Vec<Day>)> = Vec::new();
    for sl in &slots {
        let at: chrono::DateTime<chrono::Utc> = sl.starts_at.parse().unwrap_or_default();
        let local = at.with_timezone(&kernel::time::ROME);
        let day = when(&sl.starts_at)
            .rsplit_once(", ore")
            .map_or_else(String::new, |(d, _)| d.to_owned());
        let entry = (
            format!("/p/{id}/appuntamenti/{}", sl.id),
            local.format("%H:%M").to_string(),
            places(sl.free),
        );
        if offices.last().is_none_or(|(o, _)| *o != sl.office) {
            offices.push((sl.office.clone(), Vec::new()));
        }
        if let Some((_, days)) = offices.last_mut() {
            match days.last_mut() {
                Some((d, list)) if *d == day => list.push(entry),
                _ => days.push((day, vec![entry])),
            }
        }
    }
    Ok(render(
        StatusCode::OK,
        &AppointmentsPage {
            p: frame(id, &name, "Appuntamenti", vec![]),
            days: DAYS_AHEAD,
            offices,
        },
    ))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct BookingForm {
    nome: String,
    email: String,
    telefono: String,
    motivo: String,
    consenso: String,
    sito: String,
    #[serde(rename = "_csrf")]
    _csrf: String,
}

struct Typed {
    name: String,
    email: String,
    phone: String,
    reason: String,
    consent: bool,
}

#[derive(Template)]
#[template(path = "public/slot.html")]
struct SlotPage {
    p: Frame,
    office: String,
    when: String,
    minutes: i64,
    free: String,
    open: bool,
    closed_reason: String,
    action: String,
    form: Typed,
    errors: Vec<String>,
    csrf: String,
}

async fn slot_page(
    s: &AppState,
    entity: &str,
    slot: &str,
    session: Option<&Session>,
    form: Typed,
    errors: Vec<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (id, name) = with_module(s, entity, "appointments").await?;
    let sid: i64 = slot.parse().map_err(|_| PageError::not_found())?;
    let sl: AppointmentSlot = public::slot(&s.db, id, sid)
        .await
        .map_err(|_| PageError::not_found())?;
    let begun = sl.starts_at.as_str() <= kernel::time::format(s.clock.now()).as_str();
    let (open, closed_reason) = if begun {
        (false, "L'orario è già passato.".to_owned())
    } else if sl.free == 0 {
        (
            false,
            "Tutti i posti di questo orario sono stati prenotati.".to_owned(),
        )
    } else {
        (true, String::new())
    };
    Ok(render(
        status,
        &SlotPage {
            p: frame(
                id,
                &name,
                "Prenotare un appuntamento",
                vec![(format!("/p/{id}/appuntamenti"), "Appuntamenti".into())],
            ),
            office: sl.office.clone(),
            when: when(&sl.starts_at),
            minutes: sl.minutes,
            free: places(sl.free),
            open,
            closed_reason,
            action: format!("/p/{id}/appuntamenti/{}", sl.id),
            form,
            errors,
            csrf: session.map(|x| x.csrf.clone()).unwrap_or_default(),
        },
    ))
}

pub async fn slot(
    State(s): State<AppState>,
    session: Option<Extension<Session>>,
    Path((entity, slot)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let blank = Typed {
        name: String::new(),
        email: String::new(),
        phone: String::new(),
        reason: String::new(),
        consent: false,
    };
    slot_page(
        &s,
        &entity,
        &slot,
        session.as_deref(),
        blank,
        vec![],
        StatusCode::OK,
    )
    .await
}

/// A booking from the public page; success leads to the booking's own page.
pub async fn book(
    State(s): State<AppState>,
    session: Option<Extension<Session>>,
    ClientIp(ip): ClientIp,
    Path((entity, slot)): Path<(String, String)>,
    Form(f): Form<BookingForm>,
) -> Result<Response, PageError> {
    let (id, _) = with_module(&s, &entity, "appointments").await?;
    let sid: i64 = slot.parse().map_err(|_| PageError::not_found())?;
    let typed = Typed {
        name: f.nome.clone(),
        email: f.email.clone(),
        phone: f.telefono.clone(),
        reason: f.motivo.clone(),
        consent: !f.consenso.is_empty(),
    };
    let session = session.as_deref();
    if let Err((errors, status)) = guard(&s, ip, &f.sito, typed.consent) {
        return slot_page(&s, &entity, &slot, session, typed, errors, status).await;
    }
    let made = public::book(
        &s.db,
        id,
        sid,
        &BookingDraft {
            name: f.nome,
            email: f.email,
            phone: f.telefono,
            reason: f.motivo,
        },
        s.clock.now(),
    )
    .await;
    let (errors, status) = match made {
        Ok((b, code)) => {
            return Ok(
                Redirect::to(&format!("/p/{id}/prenotazioni/{}/{code}?nuova=1", b.id))
                    .into_response(),
            )
        }
        Err(PortalError::Invalid(fields)) => (
            fields.into_iter().map(|f| f.message).collect(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e @ (PortalError::SlotFull | PortalError::Closed(_))) => {
            (vec![e.to_string()], StatusCode::CONFLICT)
        }
        Err(PortalError::SlotNotFound) => return Err(PageError::not_found()),
        Err(e) => return Err(e.into()),
    };
    slot_page(&s, &entity, &slot, session, typed, errors, status).await
}

#[derive(Template)]
#[template(path = "public/booking.html")]
struct BookingPage {
    p: Frame,
    just_made: bool,
    office: String,
    when: String,
    minutes: i64,
    name: String,
    reason: String,
    state: String,
    cancelled: bool,
    ics: String,
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
    let (sl, b) = public::by_code(&s.db, id, bid, code)
        .await
        .map_err(|_| PageError::not_found())?;
    let cancelled = b.state == "cancelled";
    let base = format!("/p/{id}/prenotazioni/{}/{}", b.id, code.trim());
    Ok(render(
        StatusCode::OK,
        &BookingPage {
            p: frame(
                id,
                &name,
                "Il suo appuntamento",
                vec![(format!("/p/{id}/appuntamenti"), "Appuntamenti".into())],
            ),
            just_made,
            office: sl.office.clone(),
            when: when(&sl.starts_at),
            minutes: sl.minutes,
            name: b.name.clone(),
            reason: b.reason.clone(),
            state: if cancelled { "annullato" } else { "prenotato" }.into(),
            cancelled,
            ics: format!("{base}/calendario.ics"),
            action: base,
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

/// The person cancels through their link (the page asked first).
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

/// The booking as an iCalendar file.
pub async fn ics(
    State(s): State<AppState>,
    Path((entity, booking, code)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let (id, name) = with_module(&s, &entity, "appointments").await?;
    let bid: i64 = booking.parse().map_err(|_| PageError::not_found())?;
    let (sl, b) = public::by_code(&s.db, id, bid, &code)
        .await
        .map_err(|_| PageError::not_found())?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"appuntamento-{}.ics\"", b.id),
            ),
        ],
        public::ics(&name, &sl, &b),
    )
        .into_response())
}
