//! Events: made, read, changed (the invitees are told), cancelled (the invitees are told), and
//! laid out as occurrences over a span of days.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use db::{Db, WriteTx};
use kernel::{Actor, FieldError};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{audit_event, in_scope, load};

mod layout;
use crate::recur::{Rule, Series};
use crate::AgendaError;
pub use layout::{check_span, lay_out, occurrences, of_person, MAX_SPAN_DAYS};

/// What an event is made of. Times are Rome's wall clock: `2026-12-07T09:00`; an all-day
/// event gives days, the last one included: `2026-12-24` to `2026-12-26`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = AgendaEventDraft)]
#[serde(default, deny_unknown_fields)]
pub struct EventDraft {
    pub title: String,
    pub place: String,
    pub notes: String,
    pub starts: String,
    pub ends: String,
    pub all_day: bool,
    /// How it repeats, as iCalendar's RRULE (`FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270630`);
    /// empty: once.
    pub repeat: String,
    /// Days whose occurrence is left out (`2026-12-28`).
    pub except: Vec<String>,
    /// The version read, when changing an event (ignored when making one).
    pub version: Option<i64>,
}

/// An invitee and the answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AgendaInvitation)]
pub struct Invitation {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// `pending`, `accepted`, `tentative` or `declined`.
    pub answer: String,
    pub comment: String,
    pub answered_at: Option<String>,
    pub invited_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AgendaEvent)]
pub struct Event {
    pub id: i64,
    pub calendar_id: i64,
    pub calendar_name: String,
    pub entity_id: i64,
    /// iCalendar's UID.
    pub uid: String,
    pub title: String,
    pub place: String,
    pub notes: String,
    pub starts: String,
    pub ends: String,
    pub all_day: bool,
    pub repeat: String,
    /// The repetition in Italian ("ogni settimana (lunedì), 10 volte"); empty when once.
    pub repeat_text: String,
    pub except: Vec<String>,
    pub cancelled: bool,
    pub organiser_name: String,
    pub organiser_email: String,
    pub sequence: i64,
    pub invitations: Vec<Invitation>,
    pub created_by: String,
    pub updated_at: String,
    pub version: i64,
}

impl Event {
    /// The event's times as the recurrence engine reads them.
    pub fn series(&self) -> Series {
        let start = parse_start(&self.starts, self.all_day).unwrap_or_default();
        Series {
            start,
            length: if self.all_day {
                let last = parse_day(&self.ends).unwrap_or(start.date());
                Duration::days((last - start.date()).num_days() + 1)
            } else {
                parse_start(&self.ends, false).unwrap_or(start) - start
            },
            all_day: self.all_day,
            rule: Rule::parse(&self.repeat).ok(),
            except: self.except.iter().filter_map(|d| parse_day(d)).collect(),
        }
    }
}

/// One occurrence, for a day or a month on a page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AgendaOccurrence)]
pub struct Occurrence {
    pub event_id: i64,
    pub calendar_id: i64,
    pub calendar_name: String,
    pub title: String,
    pub place: String,
    /// RFC 3339 with Rome's offset.
    pub starts: String,
    pub ends: String,
    pub all_day: bool,
    pub repeats: bool,
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim().get(..10)?, "%Y-%m-%d").ok()
}

fn parse_start(s: &str, all_day: bool) -> Option<NaiveDateTime> {
    let s = s.trim();
    if all_day {
        return parse_day(s).map(|d| d.and_time(NaiveTime::MIN));
    }
    let s = s.replacen(' ', "T", 1);
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&s, f).ok())
}

/// An event checked: what goes in the row.
pub(crate) struct Checked {
    pub title: String,
    pub place: String,
    pub notes: String,
    pub start: NaiveDateTime,
    pub minutes: i64,
    pub all_day: bool,
    pub rule: Option<Rule>,
    pub except: Vec<NaiveDate>,
    pub last_day: Option<NaiveDate>,
}

impl Checked {
    fn series(&self) -> Series {
        Series {
            start: self.start,
            length: Duration::minutes(self.minutes),
            all_day: self.all_day,
            rule: self.rule.clone(),
            except: self.except.clone(),
        }
    }

    fn local(&self) -> String {
        self.start.format("%Y-%m-%dT%H:%M").to_string()
    }

    fn rrule(&self) -> String {
        self.rule
            .as_ref()
            .map(|r| r.to_rrule(self.all_day))
            .unwrap_or_default()
    }

    fn except_text(&self) -> String {
        self.except
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(",")
    }
}

const MAX_TIMED: i64 = 14 * 24 * 60;
const MAX_DAYS: i64 = 366;

pub(crate) fn check(d: &EventDraft) -> Result<Checked, AgendaError> {
    let mut errs = Vec::new();
    let single = |v: &str| kernel::text::strip_forbidden(v.trim(), kernel::text::Lines::Single);
    let title = single(&d.title);
    if title.is_empty() || title.chars().count() > 200 {
        errs.push(FieldError::new(
            "title",
            "scrivere l'oggetto dell'appuntamento (al massimo 200 caratteri)",
        ));
    }
    let place = single(&d.place);
    if place.chars().count() > 200 {
        errs.push(FieldError::new(
            "place",
            "il luogo è troppo lungo (al massimo 200 caratteri)",
        ));
    }
    let notes = kernel::text::strip_forbidden(d.notes.trim(), kernel::text::Lines::Multi);
    if notes.chars().count() > 4000 {
        errs.push(FieldError::new(
            "notes",
            "le note sono troppo lunghe (al massimo 4000 caratteri)",
        ));
    }
    let shape = if d.all_day {
        "una data nella forma AAAA-MM-GG"
    } else {
        "data e ora nella forma AAAA-MM-GGTHH:MM"
    };
    let in_range = |t: &NaiveDateTime| (2000..=2100).contains(&chrono::Datelike::year(t));
    let start = parse_start(&d.starts, d.all_day).filter(in_range);
    if start.is_none() {
        errs.push(FieldError::new(
            "starts",
            format!("indicare l'inizio: {shape}, tra il 2000 e il 2100"),
        ));
    }
    let end = parse_start(&d.ends, d.all_day).filter(in_range);
    if end.is_none() {
        errs.push(FieldError::new(
            "ends",
            format!("indicare la fine: {shape}, tra il 2000 e il 2100"),
        ));
    }
    let mut minutes = 0;
    if let (Some(s), Some(e)) = (start, end) {
        if d.all_day {
            let days = (e.date() - s.date()).num_days() + 1;
            if days < 1 {
                errs.push(FieldError::new(
                    "ends",
                    "l'ultimo giorno non può venire prima del primo",
                ));
            } else if days > MAX_DAYS {
                errs.push(FieldError::new(
                    "ends",
                    "un appuntamento dura al massimo un anno",
                ));
            }
            minutes = days * 24 * 60;
        } else {
            // The length is the wall-clock difference read as exact time (the engine keeps
            // it for every occurrence).
            let (rs, re) = (crate::recur::resolve(s), crate::recur::resolve(e));
            minutes = (re - rs).num_minutes();
            if minutes <= 0 {
                errs.push(FieldError::new("ends", "la fine deve venire dopo l'inizio"));
            } else if minutes > MAX_TIMED {
                errs.push(FieldError::new(
                    "ends",
                    "un appuntamento con orario dura al massimo 14 giorni: per periodi più lunghi usare «tutto il giorno»",
                ));
            }
        }
    }
    let rule = if d.repeat.trim().is_empty() {
        None
    } else {
        match Rule::parse(&d.repeat) {
            Ok(r) => Some(r),
            Err(why) => {
                errs.push(FieldError::new(
                    "repeat",
                    format!("ripetizione non valida: {why}"),
                ));
                None
            }
        }
    };
    let mut except = Vec::new();
    if d.except.len() > MAX_DAYS as usize {
        errs.push(FieldError::new(
            "except",
            format!("al massimo {MAX_DAYS} giorni da saltare"),
        ));
    }
    for x in d
        .except
        .iter()
        .take(MAX_DAYS as usize)
        .filter(|x| !x.trim().is_empty())
    {
        match NaiveDate::parse_from_str(x.trim(), "%Y-%m-%d") {
            Ok(day) => except.push(day),
            Err(_) => errs.push(FieldError::new(
                "except",
                format!("«{x}» non è una data nella forma AAAA-MM-GG"),
            )),
        }
    }
    except.sort_unstable();
    except.dedup();
    if !except.is_empty() && rule.is_none() {
        errs.push(FieldError::new(
            "except",
            "si possono saltare giorni solo di un appuntamento che si ripete",
        ));
    }
    if let (Some(r), Some(s)) = (&rule, start) {
        if let crate::recur::End::Until(u) = r.end {
            if u < s.date() {
                errs.push(FieldError::new(
                    "repeat",
                    "la ripetizione finisce prima dell'inizio",
                ));
            }
        }
    }
    if !errs.is_empty() {
        return Err(AgendaError::Invalid(errs));
    }
    let (Some(start), true) = (start, minutes > 0) else {
        return Err(AgendaError::field("starts", "indicare inizio e fine"));
    };
    let mut c = Checked {
        title,
        place,
        notes,
        start,
        minutes,
        all_day: d.all_day,
        rule,
        except,
        last_day: None,
    };
    c.last_day = c.series().last_day();
    Ok(c)
}

const COLUMNS: &str = "e.id, e.calendar_id, c.name, c.entity_id, e.uid, e.title, e.place, e.notes, \
    e.starts_local, e.minutes, e.all_day, e.rrule, e.except_days, e.cancelled_at, e.organiser_name, \
    e.organiser_email, e.sequence, e.created_by, e.updated_at, e.version";

fn row_to_event(r: &sqlx::any::AnyRow) -> Result<Event, sqlx::Error> {
    let all_day = r.try_get::<i64, _>(10)? != 0;
    let local: String = r.try_get(8)?;
    let minutes: i64 = r.try_get(9)?;
    let start = parse_start(&local, false).unwrap_or_default();
    let (starts, ends) = if all_day {
        let last = start.date() + Duration::days((minutes / 1440 - 1).max(0));
        (start.date().to_string(), last.to_string())
    } else {
        let end = crate::recur::resolve(start) + Duration::minutes(minutes);
        (
            start.format("%Y-%m-%dT%H:%M").to_string(),
            end.with_timezone(&kernel::time::ROME)
                .format("%Y-%m-%dT%H:%M")
                .to_string(),
        )
    };
    let repeat: String = r.try_get(11)?;
    let except: String = r.try_get(12)?;
    Ok(Event {
        id: r.try_get(0)?,
        calendar_id: r.try_get(1)?,
        calendar_name: r.try_get(2)?,
        entity_id: r.try_get(3)?,
        uid: r.try_get(4)?,
        title: r.try_get(5)?,
        place: r.try_get(6)?,
        notes: r.try_get(7)?,
        starts,
        ends,
        all_day,
        repeat_text: Rule::parse(&repeat)
            .map(|r| r.describe())
            .unwrap_or_default(),
        repeat,
        except: except
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        cancelled: r.try_get::<Option<String>, _>(13)?.is_some(),
        organiser_name: r.try_get(14)?,
        organiser_email: r.try_get(15)?,
        sequence: r.try_get(16)?,
        invitations: vec![],
        created_by: r.try_get(17)?,
        updated_at: r.try_get(18)?,
        version: r.try_get(19)?,
    })
}

pub(crate) async fn read(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Event, AgendaError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM agenda_events e JOIN agenda_calendars c ON c.id = e.calendar_id WHERE e.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AgendaError::EventNotFound)?;
    let mut e = row_to_event(&r)?;
    e.invitations = super::invitations::of_event(conn, id).await?;
    Ok(e)
}

/// Reads an event and checks the actor may see it.
pub(crate) async fn visible(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<Event, AgendaError> {
    let e = read(conn, id).await?;
    super::entity_in_scope(conn, actor, e.entity_id)
        .await
        .map_err(|err| match err {
            AgendaError::EntityNotFound => AgendaError::EventNotFound,
            err => err,
        })?;
    Ok(e)
}

/// One event with its invitations.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Event, AgendaError> {
    let mut conn = db.pool().acquire().await?;
    visible(&mut conn, actor, id).await
}

/// Adds an event to a calendar; the actor is its organiser.
pub async fn create(
    db: &Db,
    actor: &Actor,
    calendar_id: i64,
    d: &EventDraft,
) -> Result<Event, AgendaError> {
    let c = check(d)?;
    let mut tx = db.write().await?;
    let cal = load(tx.conn(), calendar_id).await?;
    in_scope(tx.conn(), actor, &cal).await?;
    let (organiser_name, organiser_email): (String, String) = sqlx::query_as(
        "SELECT CASE WHEN full_name = '' THEN username ELSE full_name END, email FROM users WHERE id = $1",
    )
    .bind(actor.user_id)
    .fetch_optional(tx.conn())
    .await?
    .unwrap_or_else(|| (actor.label.clone(), String::new()));
    let now = kernel::time::now();
    let uid = format!("{}@cst", accounts::secret::random("agenda-"));
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agenda_events (calendar_id, uid, title, place, notes, starts_local, \
         minutes, all_day, rrule, except_days, last_day, organiser_email, organiser_name, created_by, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) RETURNING id",
    )
    .bind(calendar_id)
    .bind(&uid)
    .bind(&c.title)
    .bind(&c.place)
    .bind(&c.notes)
    .bind(c.local())
    .bind(c.minutes)
    .bind(i64::from(c.all_day))
    .bind(c.rrule())
    .bind(c.except_text())
    .bind(c.last_day.map(|d| d.to_string()))
    .bind(&organiser_email)
    .bind(&organiser_name)
    .bind(&actor.label)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    let e = read(tx.conn(), id).await?;
    audit_event(
        &mut tx,
        actor,
        "agenda_event.create",
        "agenda_event",
        id,
        cal.entity_id,
        summary(&e),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

fn summary(e: &Event) -> serde_json::Value {
    serde_json::json!({
        "calendar_id": e.calendar_id, "title": e.title, "starts": e.starts, "ends": e.ends,
        "all_day": e.all_day, "repeat": e.repeat, "except": e.except, "place": e.place,
    })
}

/// Changes an event whose version is `version` (else [`AgendaError::Stale`]); the invitees
/// get the new request (`base`: the site's address, for the answer links).
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i64,
    d: &EventDraft,
    base: &str,
) -> Result<Event, AgendaError> {
    let c = check(d)?;
    let mut tx = db.write().await?;
    let before = visible(tx.conn(), actor, id).await?;
    if before.cancelled {
        return Err(AgendaError::Conflict(
            "l'appuntamento è annullato: non si modifica".into(),
        ));
    }
    let n = sqlx::query(
        "UPDATE agenda_events SET title = $1, place = $2, notes = $3, starts_local = $4, minutes = $5, \
         all_day = $6, rrule = $7, except_days = $8, last_day = $9, sequence = sequence + 1, \
         updated_at = $10, version = version + 1 WHERE id = $11 AND version = $12",
    )
    .bind(&c.title)
    .bind(&c.place)
    .bind(&c.notes)
    .bind(c.local())
    .bind(c.minutes)
    .bind(i64::from(c.all_day))
    .bind(c.rrule())
    .bind(c.except_text())
    .bind(c.last_day.map(|d| d.to_string()))
    .bind(kernel::time::now())
    .bind(id)
    .bind(version)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AgendaError::Stale);
    }
    let e = super::invitations::ask_again(&mut tx, id, base).await?;
    audit_event(
        &mut tx,
        actor,
        "agenda_event.update",
        "agenda_event",
        id,
        e.entity_id,
        summary(&e),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

/// Cancels an event: it stays, marked, and the invitees are told.
pub async fn cancel(db: &Db, actor: &Actor, id: i64) -> Result<Event, AgendaError> {
    let mut tx = db.write().await?;
    let before = visible(tx.conn(), actor, id).await?;
    if before.cancelled {
        return Ok(before);
    }
    sqlx::query(
        "UPDATE agenda_events SET cancelled_at = $1, sequence = sequence + 1, updated_at = $1, \
         version = version + 1 WHERE id = $2",
    )
    .bind(kernel::time::now())
    .bind(id)
    .execute(tx.conn())
    .await?;
    let e = read(tx.conn(), id).await?;
    crate::notify::cancelled(&mut tx, &e).await?;
    audit_event(
        &mut tx,
        actor,
        "agenda_event.cancel",
        "agenda_event",
        id,
        e.entity_id,
        summary(&e),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

pub(crate) async fn bump(tx: &mut WriteTx, id: i64) -> Result<(), AgendaError> {
    sqlx::query("UPDATE agenda_events SET updated_at = $1 WHERE id = $2")
        .bind(kernel::time::now())
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}
