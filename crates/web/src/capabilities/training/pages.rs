//! The courses as pages: the list with the staff's form for a new course, a course's page
//! (sessions, seats, sign-ups, the sign-up form, withdrawal and transfer, attendance, closing
//! and cancelling after a confirmation, the register and certificates as PDFs), and an
//! entity's entries of the year.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use kernel::Euro;
use serde::Deserialize;
use training::rules::{Attendance, Standing};
use training::store::enrolments::{self, EnrolmentDraft};
use training::store::{self, Course, CourseDraft, Enrolment, Kind, SessionDraft};
use training::TrainingError;

use super::api::instant;
use super::printouts::{self, session_words};
use crate::auth::{Flash, PageUser};
use crate::capabilities::delivery::work_pages::refusal;
use crate::error::PageError;
use crate::pages::confirm::{self, Confirm};
use crate::pages::{back_with, ok, parse_id, Layout};
use crate::AppState;

pub(super) fn euro(v: &str) -> String {
    Euro::parse(v).map(|e| e.to_italian()).unwrap_or_default()
}

/// A course in the list.
struct Row {
    id: i64,
    title: String,
    kind: &'static str,
    when: String,
    seats: String,
    state: &'static str,
    state_code: String,
}

fn row(c: &Course) -> Row {
    Row {
        id: c.id,
        title: c.title.clone(),
        kind: c.kind.italian(),
        when: printouts::dates_words(c),
        seats: format!(
            "{} ammessi su {} posti{}",
            c.admitted,
            c.seats,
            if c.waiting > 0 {
                format!(", {} in attesa", c.waiting)
            } else {
                String::new()
            }
        ),
        state: c.state_italian(),
        state_code: c.state.clone(),
    }
}

#[derive(Template)]
#[template(path = "training/list.html")]
struct ListPage {
    layout: Layout,
    year: i32,
    years: Vec<i32>,
    courses: Vec<Row>,
    staff: bool,
    flash: Flash,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    pub(super) anno: String,
}

pub(super) fn year_of(q: &str) -> i32 {
    q.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(kernel::time::current_year)
}

/// `/corsi`: the year's courses; the staff's form for a new one.
pub async fn list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let actor = sess.actor();
    // Without a year: the courses of the last three months and those to come, of any year.
    let year = q
        .anno
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    let mut courses = store::list(&s.db, &actor, year)
        .await
        .map_err(|_| PageError::not_found())?;
    if year.is_none() {
        let since = kernel::time::format(chrono::Utc::now() - chrono::Duration::days(90));
        courses.retain(|c| c.starts_at >= since);
    }
    let now = kernel::time::current_year();
    Ok(ok(&ListPage {
        layout: Layout::new(&s, Some(&sess), "Corsi di formazione", "courses"),
        year: year.unwrap_or(0),
        years: (now - 2..=now + 1).collect(),
        courses: courses.iter().map(row).collect(),
        staff: actor.is_staff(),
        flash: crate::pages::notice(&s, &sess).await?,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CourseForm {
    titolo: String,
    tipo: String,
    inizio: String,
    ore: String,
    altre: String,
    posti: String,
    per_ente: String,
    minimo: String,
    prezzo: String,
    luogo: String,
    descrizione: String,
    annuncio: String,
}

pub(super) fn number(v: &str) -> i64 {
    v.trim().parse().unwrap_or(-1)
}

/// A new course from the staff's form; the other sessions one per line ("2027-01-18 09:00").
pub async fn create(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Form(f): Form<CourseForm>,
) -> Result<Response, PageError> {
    let hours = if f.ore.trim().is_empty() {
        4
    } else {
        number(&f.ore)
    };
    let mut sessions = vec![SessionDraft {
        starts_at: instant(&f.inizio),
        hours,
    }];
    let mut bad_line = None;
    for l in f.altre.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let t = instant(l);
        if t.is_none() && bad_line.is_none() {
            bad_line = Some(l.to_owned());
        }
        sessions.push(SessionDraft {
            starts_at: t,
            hours,
        });
    }
    let result = match bad_line {
        Some(l) => Err(TrainingError::Invalid(vec![kernel::FieldError::new(
            "sessions",
            format!("«{l}» non è una data e ora: una sessione per riga, come 2027-01-18 09:00"),
        )])),
        None if f.inizio.trim().is_empty() => {
            Err(TrainingError::Invalid(vec![kernel::FieldError::new(
                "starts_at",
                "indicare quando inizia (data e ora)",
            )]))
        }
        None => {
            store::create(
                &s.db,
                &sess.actor(),
                &CourseDraft {
                    title: f.titolo.clone(),
                    description: f.descrizione.clone(),
                    place: f.luogo.clone(),
                    kind: f.tipo.clone(),
                    seats: number(&f.posti),
                    per_entity: (!f.per_ente.trim().is_empty()).then(|| number(&f.per_ente)),
                    min_participants: (!f.minimo.trim().is_empty()).then(|| number(&f.minimo)),
                    price: (!f.prezzo.trim().is_empty()).then(|| f.prezzo.clone()),
                    starts_at: None,
                    sessions,
                    announce: !f.annuncio.is_empty(),
                },
            )
            .await
        }
    };
    match result {
        Ok(c) => {
            back_with(
                &s,
                &sess,
                &format!("/corsi/{}", c.id),
                Flash::saved("Corso aperto alle iscrizioni."),
            )
            .await
        }
        Err(e) => {
            let mut flash = Flash::error(refusal(e)?);
            flash.values = vec![
                ("titolo".into(), f.titolo),
                ("tipo".into(), f.tipo),
                ("inizio".into(), f.inizio),
                ("ore".into(), f.ore),
                ("altre".into(), f.altre),
                ("posti".into(), f.posti),
                ("per_ente".into(), f.per_ente),
                ("minimo".into(), f.minimo),
                ("prezzo".into(), f.prezzo),
                ("luogo".into(), f.luogo),
                ("descrizione".into(), f.descrizione),
            ];
            back_with(&s, &sess, "/corsi", flash).await
        }
    }
}

/// A sign-up on the course's page.
struct Person {
    id: i64,
    position: i64,
    name: String,
    email: String,
    entity: String,
    state: &'static str,
    state_code: &'static str,
    attendance: &'static str,
    attendance_code: &'static str,
    transferred_from: String,
    present: bool,
    active: bool,
}

fn person(e: &Enrolment) -> Person {
    Person {
        id: e.id,
        position: e.position,
        name: e.name.clone(),
        email: e.email.clone(),
        entity: e.entity_name.clone(),
        state: e.state.italian(),
        state_code: e.state.code(),
        attendance: e.attendance.italian(),
        attendance_code: e.attendance.code(),
        transferred_from: e.transferred_from.clone(),
        present: e.attendance == Attendance::Present,
        active: e.state != Standing::Withdrawn,
    }
}

#[derive(Template)]
#[template(path = "training/course.html")]
struct CoursePage {
    layout: Layout,
    c: Course,
    kind: &'static str,
    state: &'static str,
    price: String,
    extra_price: String,
    ltt: bool,
    sessions: Vec<String>,
    people: Vec<Person>,
    entities: Vec<(i64, String)>,
    staff: bool,
    started: bool,
    attendances: Vec<(&'static str, &'static str)>,
    flash: Flash,
}

/// `/corsi/{course_id}`: the course, its sign-ups as the caller may see them, the forms.
pub async fn course(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let c = store::get(&s.db, &actor, id)
        .await
        .map_err(|_| PageError::not_found())?;
    let entities = members::store::names(&s.db, &actor).await?;
    let started = kernel::time::parse(&c.starts_at).is_some_and(|t| t <= chrono::Utc::now());
    Ok(ok(&CoursePage {
        layout: Layout::new(&s, Some(&sess), c.title.clone(), "courses"),
        kind: c.kind.italian(),
        state: c.state_italian(),
        price: euro(&c.price),
        extra_price: training::rules::extra_price(c.price_euro()).to_italian(),
        ltt: c.kind == Kind::Ltt,
        sessions: c
            .sessions
            .iter()
            .map(|x| session_words(&x.starts_at, x.hours))
            .collect(),
        people: c.enrolments.iter().map(person).collect(),
        entities,
        staff: actor.is_staff(),
        started,
        attendances: [
            Attendance::Unknown,
            Attendance::Present,
            Attendance::Absent,
            Attendance::Excused,
        ]
        .iter()
        .map(|a| (a.code(), a.italian()))
        .collect(),
        flash: crate::pages::notice(&s, &sess).await?,
        c,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EnrolForm {
    ente: String,
    nome: String,
    email: String,
}

/// Signs a person up from the course's page.
pub async fn enrol(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<EnrolForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let draft = EnrolmentDraft {
        entity_id: f.ente.trim().parse().unwrap_or(0),
        name: f.nome.clone(),
        email: f.email.clone(),
    };
    let flash = match enrolments::enrol(&s.db, &sess.actor(), id, &draft).await {
        Ok(e) if e.state == Standing::Admitted => {
            Flash::saved(format!("{} è iscritto al corso: posto assegnato.", e.name))
        }
        Ok(e) => Flash::saved(format!(
            "{} è iscritto in lista d'attesa (posizione {} nell'ordine di iscrizione).",
            e.name, e.position
        )),
        Err(TrainingError::CourseNotFound) => return Err(PageError::not_found()),
        Err(TrainingError::EntityNotFound) => Flash::error("Scegliere uno dei propri enti."),
        Err(e) => {
            let mut flash = Flash::error(refusal(e)?);
            flash.values = vec![
                ("ente".into(), f.ente),
                ("nome".into(), f.nome),
                ("email".into(), f.email),
            ];
            flash
        }
    };
    back_with(&s, &sess, &format!("/corsi/{id}#iscrizioni"), flash).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CloseForm {
    confermato: String,
    motivo: String,
}

/// Closes the sign-up (staff), after a page that says what follows.
pub async fn close(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<CloseForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let c = store::get(&s.db, &actor, id)
        .await
        .map_err(|_| PageError::not_found())?;
    if !actor.is_staff() {
        return Err(TrainingError::StaffOnly.into());
    }
    if !confirm::confirmed(&f.confermato) {
        let runs = c.admitted + c.waiting.min(c.seats_left) >= c.min_participants;
        return Ok(confirm::page(
            &s,
            &sess,
            "courses",
            Confirm {
                question: format!("Chiudere le iscrizioni a «{}»?", c.title),
                consequences: vec![
                    "I posti rimasti vanno a chi è in lista d'attesa, nell'ordine di iscrizione, \
                     anche oltre le 2 persone per ente."
                        .into(),
                    if runs {
                        format!(
                            "Con almeno {} partecipanti il corso è confermato e gli iscritti \
                             ricevono un'e-mail.",
                            c.min_participants
                        )
                    } else {
                        format!(
                            "Gli iscritti sono meno di {}: il corso sarà annullato e tutti \
                             riceveranno un'e-mail.",
                            c.min_participants
                        )
                    },
                    "Le iscrizioni non si possono riaprire.".into(),
                ],
                action: format!("/corsi/{id}/chiusura"),
                fields: vec![],
                note: None,
                confirm_label: "Chiudi le iscrizioni".into(),
                cancel: format!("/corsi/{id}"),
            },
        ));
    }
    let flash = match store::close_signup(&s.db, &actor, id).await {
        Ok(c) if c.state == "confirmed" => Flash::saved(format!(
            "Iscrizioni chiuse: il corso è confermato con {} partecipanti.",
            c.admitted
        )),
        Ok(c) => Flash::saved(format!(
            "Iscrizioni chiuse: il corso è annullato ({}).",
            c.cancel_reason
        )),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &format!("/corsi/{id}"), flash).await
}

/// Cancels the course (staff), after a page that asks the reason.
pub async fn cancel(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<CloseForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let c = store::get(&s.db, &actor, id)
        .await
        .map_err(|_| PageError::not_found())?;
    if !actor.is_staff() {
        return Err(TrainingError::StaffOnly.into());
    }
    if !confirm::confirmed(&f.confermato) {
        return Ok(confirm::page(
            &s,
            &sess,
            "courses",
            Confirm {
                question: format!("Annullare il corso «{}»?", c.title),
                consequences: vec![
                    "Tutti gli iscritti, ammessi e in attesa, ricevono un'e-mail con il motivo."
                        .into(),
                    "Il corso non consuma ingressi e non è addebitato a nessun ente.".into(),
                    "L'annullamento non si può revocare.".into(),
                ],
                action: format!("/corsi/{id}/annulla"),
                fields: vec![],
                note: Some(("motivo", "Motivo dell'annullamento (obbligatorio)")),
                confirm_label: "Annulla il corso".into(),
                cancel: format!("/corsi/{id}"),
            },
        ));
    }
    let flash = match store::cancel(&s.db, &actor, id, &f.motivo).await {
        Ok(_) => Flash::saved("Corso annullato: gli iscritti sono stati avvisati."),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &format!("/corsi/{id}"), flash).await
}

/// `/corsi/{course_id}/registro.pdf` (staff).
pub async fn register(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let (name, bytes) = printouts::register(&s, &sess.actor(), id).await?;
    Ok(printouts::pdf(&name, bytes))
}

/// `/iscrizioni-corsi/{enrolment_id}/attestato.pdf`.
pub async fn certificate(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let (name, bytes) = printouts::certificate(&s, &sess.actor(), id).await?;
    Ok(printouts::pdf(&name, bytes))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EnrolmentAction {
    confermato: String,
    nome: String,
    email: String,
    presenza: String,
}

/// `/iscrizioni-corsi/{enrolment_id}/{action}`: `ritira` (after a confirmation), `passa` (to
/// a colleague), `presenza` (staff).
pub async fn enrolment_action(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<EnrolmentAction>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let (c, e) = enrolments::get(&s.db, &actor, id)
        .await
        .map_err(|_| PageError::not_found())?;
    let back = format!("/corsi/{}#iscrizioni", c.id);
    let result = match action.as_str() {
        "ritira" => {
            if !confirm::confirmed(&f.confermato) {
                return Ok(confirm::page(
                    &s,
                    &sess,
                    "courses",
                    Confirm {
                        question: format!("Ritirare l'iscrizione di {} a «{}»?", e.name, c.title),
                        consequences: vec![
                            if e.state == Standing::Admitted {
                                "Il posto passa alla prima persona in lista d'attesa che può \
                                 averlo, che riceve un'e-mail."
                                    .into()
                            } else {
                                "La persona esce dalla lista d'attesa.".into()
                            },
                            format!("{} riceve un'e-mail.", e.name),
                            "Per iscriversi di nuovo si torna in fondo all'ordine di iscrizione."
                                .into(),
                        ],
                        action: format!("/iscrizioni-corsi/{id}/ritira"),
                        fields: vec![],
                        note: None,
                        confirm_label: "Ritira l'iscrizione".into(),
                        cancel: back,
                    },
                ));
            }
            enrolments::withdraw(&s.db, &actor, id)
                .await
                .map(|x| format!("Iscrizione di {} ritirata.", x.name))
        }
        "passa" => enrolments::transfer(&s.db, &actor, id, &f.nome, &f.email)
            .await
            .map(|x| format!("Il posto di {} è passato a {}.", e.name, x.name)),
        "presenza" => match Attendance::parse(&f.presenza) {
            Some(a) => enrolments::attendance(&s.db, &actor, id, a)
                .await
                .map(|x| format!("{}: {}.", x.name, x.attendance.italian())),
            None => Err(TrainingError::Invalid(vec![kernel::FieldError::new(
                "presenza",
                "scegliere la presenza dall'elenco",
            )])),
        },
        _ => return Err(PageError::not_found()),
    };
    let flash = match result {
        Ok(m) => Flash::saved(m),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &back, flash).await
}
