//! The e-mails of room bookings: to the person (request received, confirmed, approved,
//! rejected, cancelled) and, for a request that waits, to the entity's administrator.

use db::WriteTx;

use super::{admin_addresses, entity_name, FOOTER};
use crate::store::rooms::{Room, RoomBooking};
use crate::store::settings::link;
use crate::PortalError;

/// Which e-mail of a room's booking.
pub enum Mail<'a> {
    /// Received, waiting for approval; with the code of the person's link.
    Requested(&'a str),
    /// Confirmed at once; with the code of the person's link.
    Confirmed(&'a str),
    Approved,
    Rejected,
    Cancelled,
}

/// «dalle 18:00 alle 20:00 di giovedì 10 dicembre 2026».
pub fn span(b: &RoomBooking) -> String {
    let at = |v: &str| {
        v.parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap_or_default()
            .with_timezone(&kernel::time::ROME)
    };
    use chrono::Datelike;
    let (s, e) = (at(&b.starts_at), at(&b.ends_at));
    let day = format!(
        "{} {}",
        kernel::time::weekday_name(s.weekday()),
        kernel::time::display_long_date(s.date_naive())
    );
    format!(
        "{day}, dalle {} alle {}",
        s.format("%H:%M"),
        if e.format("%H:%M").to_string() == "00:00" {
            "24:00".to_owned()
        } else {
            e.format("%H:%M").to_string()
        }
    )
}

fn what(room: &Room, b: &RoomBooking) -> String {
    format!(
        "Sala: {}\nQuando: {}\n{}Uso: {}\n",
        room.name,
        span(b),
        if b.organisation.is_empty() {
            String::new()
        } else {
            format!("Per: {}\n", b.organisation)
        },
        b.purpose
    )
}

/// Tells the person where their booking stands.
pub async fn person(
    tx: &mut WriteTx,
    room: &Room,
    b: &RoomBooking,
    kind: Mail<'_>,
) -> Result<(), PortalError> {
    let entity = entity_name(tx, room.entity_id).await?;
    let what = what(room, b);
    let page = match kind {
        Mail::Requested(code) | Mail::Confirmed(code) => {
            let path = format!("/p/{}/sale-prenotazioni/{}/{code}", room.entity_id, b.id);
            link(tx, room.entity_id, &path).await?
        }
        _ => String::new(),
    };
    let note = if b.decision_note.is_empty() {
        String::new()
    } else {
        format!("\nNota dell'ente: {}\n", b.decision_note)
    };
    let (subject, text, key) = match kind {
        Mail::Requested(_) => (
            "richiesta ricevuta",
            format!(
                "abbiamo ricevuto la sua richiesta della sala: l'ente la esamina e le scriverà \
                 se è approvata o respinta. Fino ad allora quelle ore restano riservate a \
                 lei.\n\n{what}\nDalla pagina {} del portale dell'ente può vederne lo stato o \
                 ritirarla.\n",
                page
            ),
            "requested",
        ),
        Mail::Confirmed(_) => (
            "prenotazione confermata",
            format!(
                "la sala è prenotata per lei.\n\n{what}\nDalla pagina {} del portale dell'ente \
                 può annullare la prenotazione se non le serve più.\n",
                page
            ),
            "confirmed",
        ),
        Mail::Approved => (
            "richiesta approvata",
            format!("la sua richiesta della sala è stata approvata.\n\n{what}{note}"),
            "approved",
        ),
        Mail::Rejected => (
            "richiesta respinta",
            format!(
                "purtroppo la sua richiesta della sala è stata respinta; le ore richieste sono \
                 di nuovo libere.\n\n{what}{note}"
            ),
            "rejected",
        ),
        Mail::Cancelled => (
            "prenotazione annullata",
            format!("la prenotazione della sala è stata annullata.\n\n{what}{note}"),
            "cancelled",
        ),
    };
    mail::smtp::queue(
        tx,
        &mail::Outgoing {
            to: vec![b.email.clone()],
            subject: format!("{entity} – {}: {subject}", room.name),
            body: format!("Gentile {},\n\n{text}\n{entity}\n\n-- \n{FOOTER}\n", b.name),
            local_id: mail::new_local_id(&format!("room-booking{}-{key}", b.id)),
            references: vec![],
            calendar: None,
        },
    )
    .await?;
    Ok(())
}

/// Tells the entity's administrator that a request waits for a decision.
pub async fn administrator(
    tx: &mut WriteTx,
    room: &Room,
    b: &RoomBooking,
) -> Result<(), PortalError> {
    let to = admin_addresses(tx, room.entity_id).await?;
    if to.is_empty() {
        return Ok(());
    }
    mail::smtp::queue(
        tx,
        &mail::Outgoing {
            to,
            subject: format!("[Sala {}] {}: richiesta da approvare", room.id, room.name),
            body: format!(
                "Gentile amministratore,\n\n{} ({}{}) chiede la sala.\n\n{}\nLa richiesta si \
                 approva o si respinge dalla pagina «Appuntamenti e sale» dell'ente in cst.\n\n\
                 -- \n{FOOTER}\n",
                b.name,
                b.email,
                if b.phone.is_empty() {
                    String::new()
                } else {
                    format!(", tel. {}", b.phone)
                },
                what(room, b)
            ),
            local_id: mail::new_local_id(&format!("room-booking{}-request", b.id)),
            references: vec![],
            calendar: None,
        },
    )
    .await?;
    Ok(())
}
