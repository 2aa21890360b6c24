//! The training PDFs: the attendance register (staff) and a participant's certificate (the
//! staff, or a contact of the participant's entity, once attendance is recorded as present).

use chrono::Datelike;
use kernel::Actor;
use training::rules::{Attendance, Standing};
use training::store::{self, enrolments, Course};
use training::TrainingError;

use crate::AppState;

pub(crate) use crate::capabilities::delivery::printouts::pdf_response as pdf;

fn local(stored: &str) -> Option<chrono::DateTime<chrono_tz::Tz>> {
    kernel::time::parse(stored).map(|t| t.with_timezone(&kernel::time::ROME))
}

/// "lunedì 11/01/2027, 9:00–13:00 (4 ore)".
pub(crate) fn session_words(starts_at: &str, hours: i64) -> String {
    let Some(t) = local(starts_at) else {
        return String::new();
    };
    let end = t + chrono::Duration::hours(hours);
    format!(
        "{} {}, {}–{} ({} {})",
        kernel::time::weekday_name(t.weekday()),
        kernel::time::display_date(t.date_naive()),
        t.format("%-H:%M"),
        end.format("%-H:%M"),
        hours,
        if hours == 1 { "ora" } else { "ore" }
    )
}

/// "il 11/01/2027" or "dal 11/01/2027 al 18/01/2027".
pub(crate) fn dates_words(c: &Course) -> String {
    let days: Vec<chrono::NaiveDate> = c
        .sessions
        .iter()
        .filter_map(|s| local(&s.starts_at).map(|t| t.date_naive()))
        .collect();
    match (days.first(), days.last()) {
        (Some(a), Some(b)) if a == b => format!("il {}", kernel::time::display_date(*a)),
        (Some(a), Some(b)) => format!(
            "dal {} al {}",
            kernel::time::display_date(*a),
            kernel::time::display_date(*b)
        ),
        _ => String::new(),
    }
}

fn file_part(title: &str) -> String {
    let s: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    s.chars().take(40).collect()
}

/// The register of a course (staff): one sheet per session with the admitted people.
pub(crate) async fn register(
    s: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<(String, Vec<u8>), TrainingError> {
    let c = store::get(&s.db, actor, id).await?;
    if !actor.is_staff() {
        return Err(TrainingError::StaffOnly);
    }
    let participants = c
        .enrolments
        .iter()
        .filter(|e| e.state == Standing::Admitted)
        .map(|e| (e.name.clone(), e.entity_name.clone()))
        .collect();
    let n = c.sessions.len();
    let sheet = printout::RegisterSheet {
        centre: s.config.centre_name.clone(),
        course: c.title.clone(),
        details: vec![
            format!("{} · {}", c.kind.italian(), dates_words(&c)),
            c.place.clone(),
        ],
        sessions: c
            .sessions
            .iter()
            .enumerate()
            .map(|(i, x)| {
                if n == 1 {
                    format!("Sessione · {}", session_words(&x.starts_at, x.hours))
                } else {
                    format!(
                        "Sessione {} · {}",
                        i + 1,
                        session_words(&x.starts_at, x.hours)
                    )
                }
            })
            .collect(),
        participants,
        printed_at: kernel::time::display_rome(&kernel::time::now()),
    };
    Ok((
        format!("registro-presenze-{}-{}.pdf", c.id, file_part(&c.title)),
        printout::attendance_register(&sheet),
    ))
}

/// A participant's certificate: only for someone recorded present on a confirmed course.
pub(crate) async fn certificate(
    s: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<(String, Vec<u8>), TrainingError> {
    let (c, e) = enrolments::get(&s.db, actor, id).await?;
    if c.state != "confirmed"
        || e.state != Standing::Admitted
        || e.attendance != Attendance::Present
    {
        return Err(TrainingError::State(
            "l'attestato si rilascia a chi risulta presente a un corso confermato".into(),
        ));
    }
    let hours = c.hours();
    let sheet = printout::CertificateSheet {
        centre: s.config.centre_name.clone(),
        name: e.name.clone(),
        entity: e.entity_name.clone(),
        course: c.title.clone(),
        dates: dates_words(&c),
        hours: format!("{hours} {}", if hours == 1 { "ora" } else { "ore" }),
        place: c.place.clone(),
        issued: format!(
            "Rilasciato il {}",
            kernel::time::display_date(kernel::time::today())
        ),
    };
    Ok((
        format!("attestato-{}-{}.pdf", e.id, file_part(&e.name)),
        printout::certificate(&sheet),
    ))
}
