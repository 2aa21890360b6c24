//! An event as pages: the form (a new event or a change, repetition included, shown again
//! with what is wrong), the event with its invitations and answers, the invitations sent, and
//! the cancellation after a confirmation.

use agenda::recur::{End, Freq, Rule};
use agenda::store::events::{self, Event, EventDraft};
use agenda::store::{self, Calendar, Person};
use agenda::AgendaError;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use chrono::{NaiveDate, Weekday};
use serde::Deserialize;

use super::pages::{answer_label, not_found, ConfirmForm, NAV};
use crate::auth::{Flash, PageUser};
use crate::capabilities::delivery::work_pages::refusal;
use crate::error::PageError;
use crate::pages::confirm::{self, Confirm};
use crate::pages::{back_with, ok, parse_id, Layout};
use crate::AppState;

/// The event form's fields as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EventForm {
    titolo: String,
    luogo: String,
    note: String,
    giorno: String,
    dalle: String,
    alle: String,
    al_giorno: String,
    tutto_il_giorno: String,
    ripeti: String,
    ogni: String,
    fine: String,
    volte: String,
    fino: String,
    salta: String,
    versione: String,
    #[serde(flatten)]
    rest: std::collections::HashMap<String, String>,
}

const WEEK: [(Weekday, &str, &str); 7] = [
    (Weekday::Mon, "g_lu", "lun"),
    (Weekday::Tue, "g_ma", "mar"),
    (Weekday::Wed, "g_me", "mer"),
    (Weekday::Thu, "g_gi", "gio"),
    (Weekday::Fri, "g_ve", "ven"),
    (Weekday::Sat, "g_sa", "sab"),
    (Weekday::Sun, "g_do", "dom"),
];

impl EventForm {
    fn all_day(&self) -> bool {
        !self.tutto_il_giorno.is_empty()
    }

    fn day_ticked(&self, key: &str) -> bool {
        self.rest.contains_key(key)
    }

    fn draft(&self) -> Result<EventDraft, AgendaError> {
        let all_day = self.all_day();
        let last = if self.al_giorno.trim().is_empty() {
            self.giorno.trim()
        } else {
            self.al_giorno.trim()
        };
        let (starts, ends) = if all_day {
            (self.giorno.trim().to_owned(), last.to_owned())
        } else {
            (
                format!("{}T{}", self.giorno.trim(), self.dalle.trim()),
                format!("{last}T{}", self.alle.trim()),
            )
        };
        let repeat = match self.ripeti.as_str() {
            "" | "no" => String::new(),
            f => {
                let freq = match f {
                    "giorno" => Freq::Daily,
                    "settimana" => Freq::Weekly,
                    "mese" => Freq::Monthly,
                    "anno" => Freq::Yearly,
                    _ => {
                        return Err(AgendaError::Invalid(vec![kernel::FieldError::new(
                            "repeat",
                            "scegliere ogni quanto si ripete",
                        )]))
                    }
                };
                let interval = if self.ogni.trim().is_empty() {
                    1
                } else {
                    self.ogni.trim().parse().map_err(|_| {
                        AgendaError::Invalid(vec![kernel::FieldError::new(
                            "repeat",
                            "«ogni» va indicato con un numero da 1 a 99",
                        )])
                    })?
                };
                let by_day = if freq == Freq::Weekly {
                    WEEK.iter()
                        .filter(|(_, k, _)| self.day_ticked(k))
                        .map(|(d, _, _)| *d)
                        .collect()
                } else {
                    vec![]
                };
                let end = match self.fine.as_str() {
                    "volte" => End::Count(self.volte.trim().parse().map_err(|_| {
                        AgendaError::Invalid(vec![kernel::FieldError::new(
                            "repeat",
                            "indicare quante volte, con un numero da 1 a 999",
                        )])
                    })?),
                    "data" => End::Until(
                        NaiveDate::parse_from_str(self.fino.trim(), "%Y-%m-%d").map_err(|_| {
                            AgendaError::Invalid(vec![kernel::FieldError::new(
                                "repeat",
                                "indicare il giorno in cui finisce la ripetizione",
                            )])
                        })?,
                    ),
                    _ => End::Never,
                };
                let r = Rule {
                    freq,
                    interval,
                    by_day,
                    end,
                };
                r.check().map_err(|why| {
                    AgendaError::Invalid(vec![kernel::FieldError::new("repeat", why)])
                })?;
                r.to_rrule(all_day)
            }
        };
        Ok(EventDraft {
            title: self.titolo.clone(),
            place: self.luogo.clone(),
            notes: self.note.clone(),
            starts,
            ends,
            all_day,
            repeat,
            except: self
                .salta
                .split([',', '\n', ' '])
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|x| {
                    // dd/mm/yyyy as Italians write it, or yyyy-mm-dd.
                    NaiveDate::parse_from_str(x, "%d/%m/%Y")
                        .map(|d| d.to_string())
                        .unwrap_or_else(|_| x.to_owned())
                })
                .collect(),
            version: self.versione.parse().ok(),
        })
    }

    fn of(e: &Event) -> Self {
        let rule = Rule::parse(&e.repeat).ok();
        let mut rest = std::collections::HashMap::new();
        if let Some(r) = &rule {
            for (d, k, _) in WEEK {
                if r.by_day.contains(&d) {
                    rest.insert(k.to_owned(), "1".to_owned());
                }
            }
        }
        let (fine, volte, fino) = match rule.as_ref().map(|r| r.end) {
            Some(End::Count(n)) => ("volte", n.to_string(), String::new()),
            Some(End::Until(d)) => ("data", String::new(), d.to_string()),
            _ => ("mai", String::new(), String::new()),
        };
        Self {
            titolo: e.title.clone(),
            luogo: e.place.clone(),
            note: e.notes.clone(),
            giorno: e.starts.get(..10).unwrap_or("").into(),
            dalle: e.starts.get(11..16).unwrap_or("").into(),
            alle: e.ends.get(11..16).unwrap_or("").into(),
            // Only when it differs: an empty "until" means the same day.
            al_giorno: if e.ends.get(..10) == e.starts.get(..10) {
                String::new()
            } else {
                e.ends.get(..10).unwrap_or("").into()
            },
            tutto_il_giorno: if e.all_day { "1".into() } else { String::new() },
            ripeti: match rule.as_ref().map(|r| r.freq) {
                Some(Freq::Daily) => "giorno",
                Some(Freq::Weekly) => "settimana",
                Some(Freq::Monthly) => "mese",
                Some(Freq::Yearly) => "anno",
                None => "no",
            }
            .into(),
            ogni: rule
                .as_ref()
                .map(|r| r.interval.to_string())
                .unwrap_or_else(|| "1".into()),
            fine: fine.into(),
            volte,
            fino,
            salta: e
                .except
                .iter()
                .filter_map(|d| d.parse::<NaiveDate>().ok())
                .map(kernel::time::display_date)
                .collect::<Vec<_>>()
                .join(", "),
            versione: e.version.to_string(),
            rest,
        }
    }
}

/// Whose form it is: a new event of a calendar, or a change of an event.
struct Target {
    heading: String,
    action: String,
    back: String,
    calendar: String,
}

impl Target {
    fn new_in(c: &Calendar) -> Self {
        Self {
            heading: "Nuovo appuntamento".into(),
            action: format!("/agende/{}/nuovo", c.id),
            back: format!("/entities/{}/agenda", c.entity_id),
            calendar: c.name.clone(),
        }
    }

    fn change_of(e: &Event) -> Self {
        Self {
            heading: format!("Modifica: {}", e.title),
            action: format!("/appuntamenti/{}/modifica", e.id),
            back: format!("/appuntamenti/{}", e.id),
            calendar: e.calendar_name.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "agenda/event_form.html")]
struct EventFormPage {
    layout: Layout,
    t: Target,
    f: EventForm,
    week: Vec<(&'static str, &'static str, bool)>,
    errors: Vec<String>,
}

/// The form, with what is wrong (422) or as it starts (200).
fn form_page(
    s: &AppState,
    sess: &crate::auth::Session,
    t: Target,
    f: EventForm,
    errors: Vec<String>,
) -> Response {
    let week = WEEK
        .iter()
        .map(|(_, k, l)| (*k, *l, f.day_ticked(k)))
        .collect();
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = ok(&EventFormPage {
        layout: Layout::new(s, Some(sess), t.heading.clone(), NAV),
        t,
        f,
        week,
        errors,
    });
    *r.status_mut() = status;
    r
}

fn messages(e: AgendaError) -> Result<Vec<String>, PageError> {
    let fields = kernel::Refusal::fields(&e);
    if fields.is_empty() {
        return Ok(vec![refusal(e)?]);
    }
    Ok(fields
        .into_iter()
        .map(|f| crate::pages::sentence(&f.message))
        .collect())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    giorno: Option<NaiveDate>,
}

/// `/agende/{calendar_id}/nuovo`: the form of a new event.
pub async fn new_event(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let c = not_found(store::calendar(&s.db, &sess.actor(), id).await)?;
    let q: NewQuery = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let day = q.giorno.unwrap_or_else(|| s.clock.today());
    let f = EventForm {
        giorno: day.to_string(),
        dalle: "09:00".into(),
        alle: "10:00".into(),
        ripeti: "no".into(),
        ogni: "1".into(),
        fine: "mai".into(),
        ..Default::default()
    };
    Ok(form_page(&s, &sess, Target::new_in(&c), f, vec![]))
}

/// Saves a new event, or shows the form again with what is wrong.
pub async fn create_event(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<EventForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let c = not_found(store::calendar(&s.db, &actor, id).await)?;
    let made = match f.draft() {
        Ok(d) => events::create(&s.db, &actor, id, &d).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(e) => {
            back_with(
                &s,
                &sess,
                &format!("/appuntamenti/{}", e.id),
                Flash::saved("Appuntamento salvato. Ora può invitare chi deve partecipare."),
            )
            .await
        }
        Err(e) => Ok(form_page(&s, &sess, Target::new_in(&c), f, messages(e)?)),
    }
}

#[derive(Template)]
#[template(path = "agenda/event.html")]
struct EventPage {
    layout: Layout,
    e: Event,
    entity: String,
    when: String,
    people: Vec<Person>,
    answers: Vec<(String, String, String, String, String)>,
    flash: Flash,
}

/// `/appuntamenti/{agenda_event_id}`: an event, its invitations and their answers.
pub async fn event(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let e = not_found(events::get(&s.db, &actor, id).await)?;
    let entity = members::store::get(&s.db, &actor, e.entity_id)
        .await?
        .data
        .name;
    let people = not_found(store::people(&s.db, &actor, e.entity_id).await)?
        .into_iter()
        .filter(|p| {
            !p.email.is_empty()
                && !e
                    .invitations
                    .iter()
                    .any(|i| i.email == p.email.to_lowercase())
        })
        .collect();
    let answers = e
        .invitations
        .iter()
        .map(|i| {
            (
                if i.name.is_empty() {
                    i.email.clone()
                } else {
                    i.name.clone()
                },
                i.email.clone(),
                i.answer.clone(),
                answer_label(&i.answer).to_owned(),
                i.comment.clone(),
            )
        })
        .collect();
    Ok(ok(&EventPage {
        layout: Layout::new(&s, Some(&sess), e.title.clone(), NAV),
        when: agenda::notify::when(&e),
        entity,
        people,
        answers,
        e,
        flash: crate::pages::notice(&s, &sess).await?,
    }))
}

/// `/appuntamenti/{id}/modifica`: the form of an event as it is.
pub async fn edit(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let e = not_found(events::get(&s.db, &sess.actor(), id).await)?;
    Ok(form_page(
        &s,
        &sess,
        Target::change_of(&e),
        EventForm::of(&e),
        vec![],
    ))
}

/// Saves a change; the invitees get the new request.
pub async fn update(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<EventForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let e = not_found(events::get(&s.db, &actor, id).await)?;
    let base = crate::pages::site(&s, &headers);
    let done = match f.draft() {
        Ok(d) => events::update(&s.db, &actor, id, d.version.unwrap_or(0), &d, &base).await,
        Err(x) => Err(x),
    };
    match done {
        Ok(after) => {
            let told = if after.invitations.is_empty() {
                String::new()
            } else {
                format!(
                    " Gli invitati ({}) riceveranno la modifica e risponderanno di nuovo.",
                    after.invitations.len()
                )
            };
            back_with(
                &s,
                &sess,
                &format!("/appuntamenti/{id}"),
                Flash::saved(format!("Appuntamento modificato.{told}")),
            )
            .await
        }
        Err(x) => Ok(form_page(&s, &sess, Target::change_of(&e), f, messages(x)?)),
    }
}

/// Cancels an event after a confirmation; the invitees are told.
pub async fn cancel(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let e = not_found(events::get(&s.db, &actor, id).await)?;
    if !confirm::confirmed(&f.confermato) {
        let told = e
            .invitations
            .iter()
            .filter(|i| i.answer != "declined")
            .count();
        return Ok(confirm::page(
            &s,
            &sess,
            NAV,
            Confirm {
                question: format!("Annullare l'appuntamento «{}»?", e.title),
                consequences: vec![
                    if e.repeat.is_empty() {
                        "L'appuntamento resterà visibile come annullato e sparirà dall'agenda."
                            .into()
                    } else {
                        "Saranno annullate tutte le ripetizioni, anche quelle passate restano solo come storico.".into()
                    },
                    if told == 0 {
                        "Non ci sono invitati da avvisare.".into()
                    } else {
                        format!("Riceveranno l'annullamento via e-mail {told} invitati.")
                    },
                ],
                action: format!("/appuntamenti/{id}/annulla"),
                fields: vec![],
                note: None,
                confirm_label: "Annulla l'appuntamento".into(),
                cancel: format!("/appuntamenti/{id}"),
            },
        ));
    }
    let e = not_found(events::cancel(&s.db, &actor, id).await)?;
    back_with(
        &s,
        &sess,
        &format!("/appuntamenti/{}", e.id),
        Flash::saved("Appuntamento annullato; gli invitati sono stati avvisati."),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InviteForm {
    indirizzi: String,
    #[serde(flatten)]
    rest: std::collections::HashMap<String, String>,
}

/// Invites the ticked users (`p_{user id}`) and the addresses typed, one a line or separated
/// by commas.
pub async fn invite(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<InviteForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let e = not_found(events::get(&s.db, &actor, id).await)?;
    let people = not_found(store::people(&s.db, &actor, e.entity_id).await)?;
    let mut who: Vec<agenda::store::invitations::Invitee> = people
        .iter()
        .filter(|p| f.rest.contains_key(&format!("p_{}", p.user_id)))
        .map(|p| agenda::store::invitations::Invitee {
            email: p.email.clone(),
            name: p.name.clone(),
        })
        .collect();
    for a in f
        .indirizzi
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        who.push(agenda::store::invitations::Invitee {
            email: a.to_owned(),
            name: String::new(),
        });
    }
    let back = format!("/appuntamenti/{id}");
    let base = crate::pages::site(&s, &headers);
    match agenda::store::invitations::invite(&s.db, &actor, id, &who, &base).await {
        Ok(_) => {
            back_with(
                &s,
                &sess,
                &back,
                Flash::saved(format!("Inviti spediti: {}.", who.len())),
            )
            .await
        }
        Err(x) => {
            let mut flash = Flash::error(messages(x)?.join(" "));
            flash.values = vec![("indirizzi".into(), f.indirizzi)];
            back_with(&s, &sess, &back, flash).await
        }
    }
}
