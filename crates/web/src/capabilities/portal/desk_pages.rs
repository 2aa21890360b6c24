//! The entity's front desk as a page for its staff and contacts (and the centre's): one day of
//! its offices' appointments and its rooms' bookings, to read or print; the rooms' requests that
//! wait for a decision, approved at once or rejected after a confirmation; cancellations after a
//! confirmation; the forms that publish an office's weekly timetable and add a room.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use chrono::{NaiveDate, NaiveTime, TimeZone, Weekday};
use portal::store::rooms::{self, RoomBooking};
use portal::store::slots;
use serde::Deserialize;

use crate::auth::{Flash, PageUser};
use crate::capabilities::delivery::work_pages::refusal;
use crate::error::PageError;
use crate::pages::confirm::{self, Confirm};
use crate::pages::{back_with, notice, ok, parse_id, Layout};
use crate::AppState;

/// A line of the day: an appointment or a room's booking.
struct Line {
    time: String,
    who: String,
    contact: String,
    what: String,
    state: String,
    live: bool,
    cancel: String,
}

struct Office {
    name: String,
    lines: Vec<Line>,
}

struct Request {
    id: i64,
    room: String,
    when: String,
    who: String,
    contact: String,
    what: String,
}

#[derive(Template)]
#[template(path = "portal/desk.html")]
struct DeskPage {
    layout: Layout,
    entity_id: i64,
    entity: String,
    day: String,
    day_words: String,
    previous: String,
    next: String,
    requests: Vec<Request>,
    offices: Vec<Office>,
    rooms: Vec<Office>,
    hours: Vec<(i64, String)>,
    flash: Flash,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DayQuery {
    giorno: String,
}

fn hm(stored: &str) -> String {
    kernel::time::parse(stored)
        .map(|t| {
            t.with_timezone(&kernel::time::ROME)
                .format("%H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

fn contact(email: &str, phone: &str) -> String {
    if phone.is_empty() {
        email.to_owned()
    } else {
        format!("{email} · tel. {phone}")
    }
}

fn room_line(b: &RoomBooking) -> Line {
    let end = hm(&b.ends_at);
    Line {
        time: format!(
            "{}–{}",
            hm(&b.starts_at),
            if end == "00:00" { "24:00".into() } else { end }
        ),
        who: if b.organisation.is_empty() {
            b.name.clone()
        } else {
            format!("{} ({})", b.name, b.organisation)
        },
        contact: contact(&b.email, &b.phone),
        what: b.purpose.clone(),
        state: rooms::decide::state_word(&b.state).into(),
        live: true,
        cancel: format!("/prenotazioni-sale/{}/annulla", b.id),
    }
}

pub async fn day(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let entity = members::store::get(&s.db, &actor, id).await?;
    let room_list = rooms::list(&s.db, &actor, id).await?;
    let today = kernel::time::ROME
        .from_utc_datetime(&s.clock.now().naive_utc())
        .date_naive();
    // A day within ten years either way (anything else: today), so the neighbours exist.
    let day = q
        .giorno
        .trim()
        .parse::<NaiveDate>()
        .ok()
        .filter(|d| (d.signed_duration_since(today).num_days()).abs() <= 3_650)
        .unwrap_or(today);
    let (from, to) = rooms::public::day_bounds(day).ok_or_else(PageError::not_found)?;
    let mut offices: Vec<Office> = Vec::new();
    for (slot, bookings) in slots::with_bookings(&s.db, id, from, to).await? {
        if offices.last().is_none_or(|o| o.name != slot.office) {
            offices.push(Office {
                name: slot.office.clone(),
                lines: vec![],
            });
        }
        let Some(office) = offices.last_mut() else {
            continue;
        };
        let time = hm(&slot.starts_at);
        for b in &bookings {
            office.lines.push(Line {
                time: time.clone(),
                who: b.name.clone(),
                contact: contact(&b.email, &b.phone),
                what: b.reason.clone(),
                state: if b.state == "cancelled" {
                    "annullato"
                } else {
                    "prenotato"
                }
                .into(),
                live: b.state == "booked",
                cancel: format!("/prenotazioni/{}/annulla", b.id),
            });
        }
        if slot.free > 0 {
            office.lines.push(Line {
                time,
                who: String::new(),
                contact: String::new(),
                what: String::new(),
                state: if slot.free == 1 {
                    "1 posto libero".into()
                } else {
                    format!("{} posti liberi", slot.free)
                },
                live: false,
                cancel: String::new(),
            });
        }
    }
    let held = rooms::held_between(&s.db, id, from, to).await?;
    let room_days = room_list
        .iter()
        .map(|r| Office {
            name: r.name.clone(),
            lines: held
                .iter()
                .filter(|b| b.room_id == r.id)
                .map(room_line)
                .collect(),
        })
        .collect();
    let name_of = |rid: i64| {
        room_list
            .iter()
            .find(|r| r.id == rid)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let requests = rooms::waiting(&s.db, id)
        .await?
        .iter()
        .map(|b| {
            let l = room_line(b);
            Request {
                id: b.id,
                room: name_of(b.room_id),
                when: portal::notify::rooms::span(b),
                who: l.who,
                contact: l.contact,
                what: l.what,
            }
        })
        .collect();
    let words = super::public_pages::when(&kernel::time::format(from));
    let flash = notice(&s, &sess).await?;
    Ok(ok(&DeskPage {
        layout: Layout::new(&s, Some(&sess), "Appuntamenti e sale", "entities"),
        entity_id: id,
        entity: entity.data.name,
        day: day.to_string(),
        day_words: words
            .rsplit_once(", ore")
            .map_or(words.clone(), |(d, _)| d.to_owned()),
        previous: format!(
            "/entities/{id}/sportello?giorno={}",
            day - chrono::Days::new(1)
        ),
        next: format!(
            "/entities/{id}/sportello?giorno={}",
            day + chrono::Days::new(1)
        ),
        requests,
        offices,
        rooms: room_days,
        hours: (0..=24).map(|h| (h, format!("{h:02}:00"))).collect(),
        flash,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WeeklyForm {
    ufficio: String,
    dal: String,
    al: String,
    lun: String,
    mar: String,
    mer: String,
    gio: String,
    ven: String,
    sab: String,
    dom: String,
    dalle: String,
    alle: String,
    minuti: String,
    posti: String,
}

/// Publishes an office's weekly timetable from the form.
pub async fn weekly(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<WeeklyForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let back = format!("/entities/{id}/sportello");
    let time = |v: &str| NaiveTime::parse_from_str(v.trim(), "%H:%M").ok();
    let number = |v: &str| v.trim().parse::<u32>().unwrap_or(0);
    let days = [
        (&f.lun, Weekday::Mon),
        (&f.mar, Weekday::Tue),
        (&f.mer, Weekday::Wed),
        (&f.gio, Weekday::Thu),
        (&f.ven, Weekday::Fri),
        (&f.sab, Weekday::Sat),
        (&f.dom, Weekday::Sun),
    ];
    let flash = match (time(&f.dalle), time(&f.alle)) {
        _ if days.iter().all(|(v, _)| v.is_empty()) => {
            Flash::error("Scegliere almeno un giorno della settimana.")
        }
        (Some(start), Some(end)) => {
            let openings = days
                .iter()
                .filter(|(v, _)| !v.is_empty())
                .map(|(_, weekday)| portal::slots::Opening {
                    weekday: *weekday,
                    start,
                    end,
                    minutes: number(&f.minuti),
                    places: number(&f.posti),
                })
                .collect();
            let done = slots::publish_weekly(
                &s.db,
                &sess.actor(),
                &slots::WeeklyDraft {
                    entity_id: id,
                    office: f.ufficio.clone(),
                    from: f.dal.trim().parse().ok(),
                    to: f.al.trim().parse().ok(),
                    openings,
                },
            )
            .await;
            match done {
                Ok(p) => Flash::saved(format!(
                    "Orario di «{}» pubblicato: {}{}{}.",
                    f.ufficio.trim(),
                    match p.created {
                        1 => "1 nuovo appuntamento".to_owned(),
                        n => format!("{} nuovi appuntamenti", kernel::money::thousands(n)),
                    },
                    if p.existing > 0 {
                        format!(", {} già presenti", p.existing)
                    } else {
                        String::new()
                    },
                    if p.closed_days.is_empty() {
                        String::new()
                    } else {
                        match p.closed_days.len() {
                            1 => ", 1 giorno di chiusura saltato".to_owned(),
                            n => format!(", {n} giorni di chiusura saltati"),
                        }
                    }
                )),
                Err(e) => Flash::error(refusal(e)?),
            }
        }
        _ => Flash::error("Indicare l'orario come 09:00 e 12:30."),
    };
    back_with(&s, &sess, &back, flash).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoomForm {
    nome: String,
    descrizione: String,
    posti: String,
    apertura: String,
    chiusura: String,
    approvazione: String,
}

/// Adds a room from the form.
pub async fn new_room(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<RoomForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let back = format!("/entities/{id}/sportello");
    let number = |v: &str, default: i64| {
        let v = v.trim();
        if v.is_empty() {
            default
        } else {
            v.parse::<i64>().unwrap_or(-1)
        }
    };
    let made = rooms::create(
        &s.db,
        &sess.actor(),
        &rooms::RoomDraft {
            entity_id: id,
            name: f.nome.clone(),
            description: f.descrizione.clone(),
            capacity: number(&f.posti, 0),
            needs_approval: !f.approvazione.is_empty(),
            opens_hour: number(&f.apertura, 8),
            closes_hour: number(&f.chiusura, 23),
        },
    )
    .await;
    let flash = match made {
        Ok(r) => Flash::saved(format!("Sala «{}» aggiunta.", r.name)),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &back, flash).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Decision {
    confermato: String,
    nota: String,
    giorno: String,
}

/// Approves (at once), rejects or cancels (after a confirmation) a room's booking.
pub async fn room_booking(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((bid, action)): Path<(String, String)>,
    Form(f): Form<Decision>,
) -> Result<Response, PageError> {
    let bid = parse_id(&bid)?;
    let actor = sess.actor();
    // Suppliers manage no portal module: nothing of a booking is shown to them.
    if actor.role == kernel::Role::Supplier {
        return Err(PageError::not_found());
    }
    let (room, b) = rooms::decide::read(&s.db, actor.scope_param(), bid)
        .await
        .map_err(|_| PageError::not_found())?;
    let back = format!(
        "/entities/{}/sportello{}",
        room.entity_id,
        if f.giorno.trim().is_empty() {
            String::new()
        } else {
            format!("?giorno={}", f.giorno.trim())
        }
    );
    let who = b.name.clone();
    let done = match action.as_str() {
        "approva" => rooms::approve(&s.db, &actor, bid).await,
        "respingi" | "annulla" if !confirm::confirmed(&f.confermato) => {
            let reject = action == "respingi";
            return Ok(confirm::page(
                &s,
                &sess,
                "entities",
                Confirm {
                    question: if reject {
                        format!("Respingere la richiesta di {who}?")
                    } else {
                        format!("Annullare la prenotazione di {who}?")
                    },
                    consequences: vec![
                        format!(
                            "{}, {}: le ore tornano libere per altri.",
                            room.name,
                            portal::notify::rooms::span(&b)
                        ),
                        format!("{who} riceverà un'e-mail, con la nota se la scrive."),
                    ],
                    action: format!("/prenotazioni-sale/{bid}/{action}"),
                    fields: vec![("giorno".into(), f.giorno.clone())],
                    note: Some(("nota", "Nota per la persona (facoltativa)")),
                    confirm_label: if reject {
                        "Respingi la richiesta".into()
                    } else {
                        "Annulla la prenotazione".into()
                    },
                    cancel: back,
                },
            ));
        }
        "respingi" => rooms::reject(&s.db, &actor, bid, &f.nota).await,
        "annulla" => rooms::cancel(&s.db, &actor, bid, &f.nota).await,
        _ => return Err(PageError::not_found()),
    };
    let flash = match done {
        Ok(after) => Flash::saved(format!(
            "Prenotazione della sala di {who}: {}.",
            rooms::decide::state_word(&after.state)
        )),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &back, flash).await
}

/// Cancels an appointment, after a confirmation.
pub async fn cancel_appointment(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(bid): Path<String>,
    Form(f): Form<Decision>,
) -> Result<Response, PageError> {
    let bid = parse_id(&bid)?;
    let actor = sess.actor();
    let (slot, b) = slots::booking_of(&s.db, &actor, bid)
        .await
        .map_err(|_| PageError::not_found())?;
    let back = format!(
        "/entities/{}/sportello{}",
        slot.entity_id,
        if f.giorno.trim().is_empty() {
            String::new()
        } else {
            format!("?giorno={}", f.giorno.trim())
        }
    );
    if !confirm::confirmed(&f.confermato) {
        return Ok(confirm::page(
            &s,
            &sess,
            "entities",
            Confirm {
                question: format!("Annullare l'appuntamento di {}?", b.name),
                consequences: vec![
                    format!(
                        "{}, {}: il posto torna libero per altri.",
                        slot.office,
                        super::public_pages::when(&slot.starts_at)
                    ),
                    format!(
                        "{} riceverà un'e-mail che l'appuntamento è annullato.",
                        b.name
                    ),
                ],
                action: format!("/prenotazioni/{bid}/annulla"),
                fields: vec![("giorno".into(), f.giorno.clone())],
                note: None,
                confirm_label: "Annulla l'appuntamento".into(),
                cancel: back,
            },
        ));
    }
    let flash = match slots::cancel(&s.db, &actor, bid).await {
        Ok(_) => Flash::saved(format!("Appuntamento di {} annullato.", b.name)),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &back, flash).await
}
