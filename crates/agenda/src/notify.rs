//! The agenda's e-mails, queued in the change's transaction: an invitation, a change (the
//! invitees answer again), a cancellation, each with its iCalendar object for the invitee's
//! calendar program; and the organiser told of each answer.

use chrono::NaiveDate;
use db::WriteTx;

use crate::store::events::Event;
use crate::AgendaError;

const FOOTER: &str = "Messaggio inviato dall'agenda del Centro Servizi Territoriale.";

fn day(s: &str) -> String {
    s.get(..10)
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .map(|d| {
            format!(
                "{} {}",
                kernel::time::weekday_name(chrono::Datelike::weekday(&d)),
                kernel::time::display_long_date(d)
            )
        })
        .unwrap_or_else(|| s.to_owned())
}

/// When, in Italian: "lunedì 7 dicembre 2026, dalle 9:00 alle 10:30".
pub fn when(e: &Event) -> String {
    let mut s = if e.all_day {
        if e.starts == e.ends {
            format!("{}, tutto il giorno", day(&e.starts))
        } else {
            format!("da {} a {}", day(&e.starts), day(&e.ends))
        }
    } else {
        // 9:00, not 09:00, as Italians write an hour.
        let hm = |t: &str| {
            chrono::NaiveTime::parse_from_str(t.get(11..16).unwrap_or(""), "%H:%M")
                .map(|x| x.format("%-H:%M").to_string())
                .unwrap_or_default()
        };
        if e.starts.get(..10) == e.ends.get(..10) {
            format!(
                "{}, dalle {} alle {}",
                day(&e.starts),
                hm(&e.starts),
                hm(&e.ends)
            )
        } else {
            format!(
                "da {} alle {} a {} alle {}",
                day(&e.starts),
                hm(&e.starts),
                day(&e.ends),
                hm(&e.ends)
            )
        }
    };
    if !e.repeat_text.is_empty() {
        s.push_str(&format!("; si ripete {}", e.repeat_text));
    }
    s
}

fn details(e: &Event) -> String {
    let mut s = format!("Appuntamento: {}\nQuando: {}\n", e.title, when(e));
    if !e.place.is_empty() {
        s.push_str(&format!("Dove: {}\n", e.place));
    }
    if !e.organiser_name.is_empty() {
        s.push_str(&format!("Organizzato da: {}\n", e.organiser_name));
    }
    if !e.notes.is_empty() {
        s.push_str(&format!("\n{}\n", e.notes));
    }
    s
}

fn stamp() -> String {
    chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string()
}

async fn send(
    tx: &mut WriteTx,
    to: &str,
    subject: String,
    body: String,
    calendar: Option<String>,
) -> Result<(), AgendaError> {
    mail::smtp::queue(
        tx,
        &mail::Outgoing {
            to: vec![to.to_owned()],
            subject,
            body: format!("{body}\n-- \n{FOOTER}\n"),
            local_id: mail::new_local_id("agenda"),
            references: vec![],
            calendar,
        },
    )
    .await?;
    Ok(())
}

/// The invitation to one person, with the link to answer.
pub async fn invited(tx: &mut WriteTx, e: &Event, to: &str, link: &str) -> Result<(), AgendaError> {
    send(
        tx,
        to,
        format!("Invito: {} – {}", e.title, day(&e.starts)),
        format!(
            "Buongiorno,\nla invitiamo a questo appuntamento.\n\n{}\nPer rispondere (partecipo, forse, non partecipo) apra questo collegamento:\n{link}\n\nIn alternativa può rispondere dal suo programma di calendario, che legge l'invito allegato.\n",
            details(e)
        ),
        Some(crate::ics::request(e, &stamp())),
    )
    .await
}

/// A change, to one invitee, with a new link (the old one no longer works).
pub async fn changed(tx: &mut WriteTx, e: &Event, to: &str, link: &str) -> Result<(), AgendaError> {
    send(
        tx,
        to,
        format!("Appuntamento modificato: {} – {}", e.title, day(&e.starts)),
        format!(
            "Buongiorno,\nl'appuntamento a cui è invitato è stato modificato. Ecco come è ora:\n\n{}\nLe chiediamo di rispondere di nuovo da questo collegamento:\n{link}\n",
            details(e)
        ),
        Some(crate::ics::request(e, &stamp())),
    )
    .await
}

/// The cancellation, to every invitee who had not declined.
pub async fn cancelled(tx: &mut WriteTx, e: &Event) -> Result<(), AgendaError> {
    let ics = crate::ics::cancel(e, &stamp());
    for i in e.invitations.iter().filter(|i| i.answer != "declined") {
        send(
            tx,
            &i.email,
            format!("Appuntamento annullato: {} – {}", e.title, day(&e.starts)),
            format!(
                "Buongiorno,\nl'appuntamento a cui era invitato è stato annullato.\n\n{}",
                details(e)
            ),
            Some(ics.clone()),
        )
        .await?;
    }
    Ok(())
}

/// The organiser told of an answer.
pub async fn answered(
    tx: &mut WriteTx,
    e: &Event,
    who: &str,
    answer: &str,
    comment: &str,
) -> Result<(), AgendaError> {
    if !mail::is_address(&e.organiser_email) {
        return Ok(());
    }
    let name = e
        .invitations
        .iter()
        .find(|i| i.email == who)
        .map(|i| {
            if i.name.is_empty() {
                i.email.clone()
            } else {
                format!("{} <{}>", i.name, i.email)
            }
        })
        .unwrap_or_else(|| who.to_owned());
    let said = match answer {
        "accepted" => "parteciperà",
        "tentative" => "forse parteciperà",
        _ => "non parteciperà",
    };
    let mut body = format!("{name} {said} a questo appuntamento.\n\n{}", details(e));
    if !comment.is_empty() {
        body.push_str(&format!("\nIl suo commento: {comment}\n"));
    }
    send(
        tx,
        &e.organiser_email.clone(),
        format!("Risposta all'invito: {} – {}", e.title, said),
        body,
        None,
    )
    .await
}
