//! The agenda as pages: an entity's agenda by day (a week or a month; events, closed days and
//! deadlines as layers that can be hidden), its calendars, an event with its invitations and
//! answers, the event form (repetition included), and the invitee's answer page (no login).

use agenda::store::events;
use agenda::store::{self, Calendar, CalendarDraft, Person};
use agenda::AgendaError;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{Datelike, Duration, NaiveDate};
use serde::Deserialize;

use super::api::{gather, AgendaItem, Layers};
use crate::auth::{Flash, PageUser};
use crate::capabilities::delivery::work_pages::refusal;
use crate::error::PageError;
use crate::pages::confirm::{self, Confirm};
use crate::pages::{back_with, ok, parse_id, Layout};
use crate::AppState;

pub(super) const NAV: &str = "agenda";

pub(super) fn answer_label(a: &str) -> &'static str {
    match a {
        "accepted" => "Parteciperà",
        "tentative" => "Forse",
        "declined" => "Non parteciperà",
        _ => "In attesa di risposta",
    }
}

pub(super) use crate::pages::choose::or_not_found as not_found;

/// `/agenda`: the entity's page, or the choice among the caller's entities.
pub async fn choose(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
) -> Result<Response, PageError> {
    crate::pages::choose::entity(
        &s,
        &sess,
        crate::pages::choose::Choice {
            heading: "Agenda",
            nav: NAV,
            lead: "Le agende sono dell'ente: le vedono e le modificano tutti i suoi utenti.",
            list_id: "agenda-entities",
            suffix: "/agenda",
        },
    )
    .await
}

/// A day of the agenda page.
struct Day {
    label: String,
    today: bool,
    items: Vec<Line>,
}

struct Line {
    kind: String,
    time: String,
    title: String,
    place: String,
    calendar: String,
    href: String,
    repeats: bool,
}

fn hm(rfc: &str) -> String {
    rfc.get(11..16).unwrap_or("").to_owned()
}

fn line(i: AgendaItem, day: &str) -> Line {
    let time = if i.all_day {
        match i.kind.as_str() {
            "closure" => "Ufficio chiuso".into(),
            "deadline" => "Scadenza".into(),
            _ => "Tutto il giorno".into(),
        }
    } else {
        let (a, b) = (
            i.starts.get(..10) == Some(day),
            i.ends.get(..10) == Some(day),
        );
        match (a, b) {
            (true, true) => format!("{}–{}", hm(&i.starts), hm(&i.ends)),
            (true, false) => format!("dalle {}", hm(&i.starts)),
            (false, true) => format!("fino alle {}", hm(&i.ends)),
            (false, false) => "Tutto il giorno".into(),
        }
    };
    Line {
        kind: i.kind,
        time,
        title: i.title,
        place: i.place,
        calendar: i.calendar_name,
        href: i.href,
        repeats: i.repeats,
    }
}

/// Lays the items out by day: an event spanning days is shown on each.
fn by_day(
    items: Vec<AgendaItem>,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
    all_days: bool,
) -> Vec<Day> {
    let mut days = Vec::new();
    let mut d = from;
    while d < to {
        let key = d.to_string();
        let on: Vec<Line> = items
            .iter()
            .filter(|i| {
                let first = i.starts.get(..10).unwrap_or("");
                let last = if i.kind != "event" {
                    i.ends.get(..10).unwrap_or("").to_owned()
                } else {
                    // An event ending at midnight does not reach the next day.
                    let end = i.ends.get(..16).unwrap_or("");
                    if end.ends_with("T00:00") {
                        (NaiveDate::parse_from_str(end.get(..10).unwrap_or(""), "%Y-%m-%d")
                            .unwrap_or(d)
                            - Duration::days(1))
                        .to_string()
                    } else {
                        end.get(..10).unwrap_or("").to_owned()
                    }
                };
                first <= key.as_str() && key.as_str() <= last.as_str()
            })
            .cloned()
            .map(|i| line(i, &key))
            .collect();
        if all_days || !on.is_empty() || d == today {
            days.push(Day {
                label: format!(
                    "{} {}",
                    crate::pages::sentence(kernel::time::weekday_name(d.weekday())),
                    kernel::time::display_long_date(d)
                ),
                today: d == today,
                items: on,
            });
        }
        d = d.succ_opt().unwrap_or(to);
    }
    days
}

#[derive(Template)]
#[template(path = "agenda/entity.html")]
struct EntityPage {
    layout: Layout,
    entity_id: i64,
    entity: String,
    period: String,
    week: bool,
    from: String,
    prev: String,
    next: String,
    today: String,
    days: Vec<Day>,
    calendars: Vec<Calendar>,
    people: Vec<Person>,
    calendar_id: i64,
    show_events: bool,
    show_closures: bool,
    show_deadlines: bool,
    query_layers: String,
    has_feed: bool,
    flash: Flash,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AgendaQuery {
    dal: String,
    vista: String,
    agenda: String,
    appuntamenti: Option<String>,
    chiusure: Option<String>,
    scadenze: Option<String>,
    livelli: Option<String>,
}

/// `/entities/{id}/agenda`: the days of a week or a month with their events, closed days and
/// deadlines.
pub async fn entity(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let q: AgendaQuery =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let today = s.clock.today();
    let week = q.vista == "settimana";
    let anchor = NaiveDate::parse_from_str(q.dal.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (2000..=2100).contains(&d.year()))
        .unwrap_or(today);
    let (from, to, prev, next, period) = if week {
        let monday = anchor - Duration::days(i64::from(anchor.weekday().num_days_from_monday()));
        let sunday = monday + Duration::days(6);
        (
            monday,
            monday + Duration::days(7),
            monday - Duration::days(7),
            monday + Duration::days(7),
            format!(
                "Settimana dal {} al {}",
                kernel::time::display_date(monday),
                kernel::time::display_date(sunday)
            ),
        )
    } else {
        let first = NaiveDate::from_ymd_opt(anchor.year(), anchor.month(), 1).unwrap_or(anchor);
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(first);
        let prev = first
            .checked_sub_months(chrono::Months::new(1))
            .unwrap_or(first);
        (
            first,
            next,
            prev,
            next,
            crate::pages::sentence(&kernel::time::display_month(first.year(), first.month())),
        )
    };
    // The layer boxes: the form sends `livelli=1` with the boxes ticked; a bare address shows all.
    let chosen = q.livelli.is_some();
    let layers = Layers {
        events: !chosen || q.appuntamenti.is_some(),
        closures: !chosen || q.chiusure.is_some(),
        deadlines: !chosen || q.scadenze.is_some(),
    };
    let calendars = not_found(store::calendars(&s.db, &actor, id).await)?;
    let calendar_id = q
        .agenda
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|c| calendars.iter().any(|x| x.id == *c));
    let items = gather::<PageError>(&s, &actor, id, calendar_id, from, to, &layers).await?;
    let e = members::store::get(&s.db, &actor, id).await?;
    let mut query_layers = String::new();
    if chosen {
        query_layers.push_str("&livelli=1");
        for (on, name) in [
            (layers.events, "appuntamenti"),
            (layers.closures, "chiusure"),
            (layers.deadlines, "scadenze"),
        ] {
            if on {
                query_layers.push_str(&format!("&{name}=1"));
            }
        }
    }
    if let Some(c) = calendar_id {
        query_layers.push_str(&format!("&agenda={c}"));
    }
    Ok(ok(&EntityPage {
        layout: Layout::new(&s, Some(&sess), "Agenda", NAV),
        entity_id: id,
        entity: e.data.name,
        period,
        week,
        from: from.to_string(),
        prev: prev.to_string(),
        next: next.to_string(),
        today: today.to_string(),
        days: by_day(items, from, to, today, week),
        people: not_found(store::people(&s.db, &actor, id).await)?,
        calendars,
        calendar_id: calendar_id.unwrap_or(0),
        show_events: layers.events,
        show_closures: layers.closures,
        show_deadlines: layers.deadlines,
        query_layers,
        has_feed: billing::store::deadlines::has_feed(&s.db, &actor)
            .await
            .unwrap_or(false),
        flash: crate::pages::notice(&s, &sess).await?,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CalendarForm {
    nome: String,
    tipo: String,
    persona: String,
    #[serde(flatten)]
    rest: std::collections::HashMap<String, String>,
}

/// A new calendar (`/entities/{id}/agende`): a person's, or a group's with the people ticked
/// (`m_{user id}`).
pub async fn create_calendar(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<CalendarForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let members: Vec<i64> = f
        .rest
        .keys()
        .filter_map(|k| k.strip_prefix("m_")?.parse().ok())
        .collect();
    let d = CalendarDraft {
        name: f.nome.clone(),
        kind: if f.tipo == "gruppo" {
            "group".into()
        } else {
            "person".into()
        },
        owner_id: f.persona.parse().ok(),
        members,
    };
    let back = format!("/entities/{id}/agenda");
    match store::create_calendar(&s.db, &sess.actor(), id, &d).await {
        Ok(c) => {
            back_with(
                &s,
                &sess,
                &back,
                Flash::saved(format!("Agenda «{}» creata.", c.name)),
            )
            .await
        }
        Err(AgendaError::EntityNotFound) => Err(PageError::not_found()),
        Err(e) => {
            let mut flash = Flash::error(refusal(e)?);
            flash.values = vec![("nome".into(), f.nome)];
            flash.place = "agende".into();
            back_with(&s, &sess, &back, flash).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    pub(super) confermato: String,
}

/// Deletes an empty calendar, after a confirmation.
pub async fn delete_calendar(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let c = not_found(store::calendar(&s.db, &actor, id).await)?;
    let back = format!("/entities/{}/agenda", c.entity_id);
    if !confirm::confirmed(&f.confermato) {
        return Ok(confirm::page(
            &s,
            &sess,
            NAV,
            Confirm {
                question: format!("Eliminare l'agenda «{}»?", c.name),
                consequences: vec![if c.events == 0 {
                    "L'agenda è vuota: sparirà dall'elenco dell'ente.".into()
                } else {
                    format!("L'agenda contiene {} appuntamenti: non potrà essere eliminata finché non saranno spostati.", c.events)
                }],
                action: format!("/agende/{id}/elimina"),
                fields: vec![],
                note: None,
                confirm_label: "Elimina l'agenda".into(),
                cancel: back,
            },
        ));
    }
    match store::delete_calendar(&s.db, &actor, id).await {
        Ok(()) => {
            back_with(
                &s,
                &sess,
                &back,
                Flash::saved(format!("Agenda «{}» eliminata.", c.name)),
            )
            .await
        }
        Err(e) => back_with(&s, &sess, &back, Flash::error(refusal(e)?)).await,
    }
}

/// Gives the caller a new secret address for their calendar feeds (the old one stops).
pub async fn new_feed(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    headers: HeaderMap,
    Form(f): Form<BackForm>,
) -> Result<Response, PageError> {
    let back = if f.torna.starts_with("/entities/") {
        f.torna
    } else {
        "/agenda".into()
    };
    match billing::store::deadlines::new_feed(&s.db, &sess.actor()).await {
        Ok(token) => {
            let site = crate::pages::site(&s, &headers);
            back_with(&s, &sess, &back, Flash::saved(format!(
                "Nuovo indirizzo creato (quello di prima non funziona più). Agenda: {site}/agenda/feed/{token}.ics — Scadenze: {site}/calendar/{token}.ics. Lo copi ora nel suo programma di calendario: non sarà più mostrato."
            ))).await
        }
        Err(e) => back_with(&s, &sess, &back, Flash::error(e.to_string())).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BackForm {
    torna: String,
}

/// `/agenda/feed/{token}.ics`: the person's agenda (their calendar, their groups', the events
/// they are invited to), for a calendar program. No login: the address is the secret.
pub async fn feed(
    State(s): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let Some((actor, name)) = billing::store::deadlines::feed_owner(&s.db, token).await? else {
        return Err(PageError::not_found());
    };
    let list = events::of_person(&s.db, actor.user_id).await?;
    let stamp = s.clock.now().format("%Y%m%dT%H%M%SZ").to_string();
    let text = agenda::ics::feed(&format!("Agenda · {name}"), &list, &stamp);
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/calendar; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "private, max-age=300"),
        ],
        text,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn item(kind: &str, starts: &str, ends: &str, all_day: bool) -> AgendaItem {
        AgendaItem {
            kind: kind.into(),
            title: format!("{kind} {starts}"),
            starts: starts.into(),
            ends: ends.into(),
            all_day,
            event_id: None,
            calendar_id: None,
            calendar_name: String::new(),
            place: String::new(),
            repeats: false,
            href: String::new(),
        }
    }

    #[test]
    fn an_event_is_shown_on_the_days_it_covers_and_not_the_day_its_end_begins() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let items = vec![
            // All day on Friday 11: ends at Saturday's midnight.
            item(
                "event",
                "2026-12-11T00:00:00+01:00",
                "2026-12-12T00:00:00+01:00",
                true,
            ),
            // Saturday 22:00 to Sunday 01:00.
            item(
                "event",
                "2026-12-12T22:00:00+01:00",
                "2026-12-13T01:00:00+01:00",
                false,
            ),
            // A closure covers its own day.
            item("closure", "2026-12-14", "2026-12-14", true),
        ];
        let days = by_day(
            items,
            d("2026-12-11"),
            d("2026-12-15"),
            d("2026-12-01"),
            true,
        );
        let counts: Vec<usize> = days.iter().map(|x| x.items.len()).collect();
        assert_eq!(counts, [1, 1, 1, 1]);
        assert_eq!(days[1].items[0].time, "dalle 22:00");
        assert_eq!(days[2].items[0].time, "fino alle 01:00");
        assert_eq!(days[3].items[0].time, "Ufficio chiuso");
    }
}
