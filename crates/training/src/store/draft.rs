//! A course's draft checked: every wrong field named at once, the defaults filled in (two
//! people per entity, a minimum of five, one session of four hours, an LTT class's price).

use chrono::{DateTime, Datelike, Utc};
use kernel::{Euro, FieldError};

use super::{CourseDraft, Kind, LTT_SESSION_COST, MAX_SEATS, MAX_SESSIONS};
use crate::rules;
use crate::TrainingError;

fn text(
    wrong: &mut Vec<FieldError>,
    field: &str,
    v: &str,
    max: usize,
    required: Option<&str>,
) -> String {
    let t = v.trim().to_owned();
    if let Some(msg) = required {
        if t.is_empty() {
            wrong.push(FieldError::new(field, msg));
            return t;
        }
    }
    if t.chars().count() > max {
        wrong.push(FieldError::new(
            field,
            format!(
                "al massimo {} caratteri",
                kernel::money::thousands(max as u64)
            ),
        ));
    }
    t
}

pub(super) struct Checked {
    pub(super) title: String,
    pub(super) description: String,
    pub(super) place: String,
    pub(super) kind: Kind,
    pub(super) seats: i64,
    pub(super) per_entity: i64,
    pub(super) min: i64,
    pub(super) price: Euro,
    pub(super) sessions: Vec<(DateTime<Utc>, i64)>,
}

pub(super) fn check(d: &CourseDraft) -> Result<Checked, TrainingError> {
    let mut wrong = vec![];
    let title = text(
        &mut wrong,
        "title",
        &d.title,
        200,
        Some("il titolo è obbligatorio"),
    );
    let description = text(&mut wrong, "description", &d.description, 10_000, None);
    let place = text(&mut wrong, "place", &d.place, 300, None);
    let kind = match d.kind.trim() {
        "" => Some(Kind::Academy),
        k => Kind::parse(k),
    };
    if kind.is_none() {
        wrong.push(FieldError::new(
            "kind",
            "il tipo è «academy» (Academy4PA) o «ltt» (aula LTT)",
        ));
    }
    let kind = kind.unwrap_or(Kind::Academy);
    let max_seats = if kind == Kind::Ltt {
        i64::from(rules::LTT_MAX_SEATS)
    } else {
        MAX_SEATS
    };
    if !(1..=max_seats).contains(&d.seats) {
        wrong.push(FieldError::new(
            "seats",
            if kind == Kind::Ltt {
                format!("un'aula LTT ha da 1 a {max_seats} posti")
            } else {
                format!(
                    "i posti vanno da 1 a {}",
                    kernel::money::thousands(max_seats as u64)
                )
            },
        ));
    }
    let per_entity = d.per_entity.unwrap_or(2);
    if !(1..=MAX_SEATS).contains(&per_entity) {
        wrong.push(FieldError::new(
            "per_entity",
            "le persone per ente vanno da 1 in su (di norma 2)",
        ));
    }
    let min = d.min_participants.unwrap_or(5);
    if !(1..=MAX_SEATS).contains(&min) {
        wrong.push(FieldError::new(
            "min_participants",
            "il minimo di partecipanti va da 1 in su (di norma 5)",
        ));
    } else if min > d.seats && (1..=max_seats).contains(&d.seats) {
        wrong.push(FieldError::new(
            "min_participants",
            "il minimo di partecipanti non può superare i posti",
        ));
    }
    let price = match d.price.as_deref().map(str::trim) {
        None | Some("") => Some(if kind == Kind::Ltt {
            LTT_SESSION_COST
        } else {
            Euro::ZERO
        }),
        Some(p) => Euro::parse(p)
            .ok()
            .filter(|e| e.cents() >= 0 && e.cents() <= 100_000_000),
    };
    if price.is_none() {
        wrong.push(FieldError::new(
            "price",
            "prezzo non valido: un importo in euro come 150,00",
        ));
    }
    let mut sessions = vec![];
    if d.sessions.is_empty() {
        match d.starts_at {
            Some(t) => sessions.push((t, 4)),
            None => wrong.push(FieldError::new(
                "starts_at",
                "indicare quando inizia (data e ora)",
            )),
        }
    } else if d.sessions.len() > MAX_SESSIONS {
        wrong.push(FieldError::new(
            "sessions",
            format!("al massimo {MAX_SESSIONS} sessioni"),
        ));
    } else {
        for (i, s) in d.sessions.iter().enumerate() {
            match s.starts_at {
                Some(t) if (1..=12).contains(&s.hours) => sessions.push((t, s.hours)),
                Some(_) => wrong.push(FieldError::new(
                    &format!("sessions[{i}].hours"),
                    "una sessione dura da 1 a 12 ore",
                )),
                None => wrong.push(FieldError::new(
                    &format!("sessions[{i}].starts_at"),
                    "indicare quando inizia la sessione",
                )),
            }
        }
        sessions.sort();
        if sessions.windows(2).any(|w| w[0].0 == w[1].0) {
            wrong.push(FieldError::new("sessions", "due sessioni alla stessa ora"));
        }
        if let (Some(first), Some(at)) = (sessions.first(), d.starts_at) {
            if first.0 != at {
                wrong.push(FieldError::new(
                    "starts_at",
                    "l'inizio è quello della prima sessione: ometterlo o indicare lo stesso",
                ));
            }
        }
    }
    if sessions
        .iter()
        .any(|(t, _)| !(2000..=2100).contains(&t.year()))
    {
        wrong.push(FieldError::new(
            "starts_at",
            "data fuori dal calendario (tra il 2000 e il 2100)",
        ));
    }
    if !wrong.is_empty() {
        return Err(TrainingError::Invalid(wrong));
    }
    Ok(Checked {
        title,
        description,
        place,
        kind,
        seats: d.seats,
        per_entity,
        min,
        price: price.unwrap_or(Euro::ZERO),
        sessions,
    })
}
