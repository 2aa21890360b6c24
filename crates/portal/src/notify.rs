//! The e-mails of the public modules, queued in the change's transaction (they leave only if
//! it commits): to the person who signed up (confirmed, on the waiting list, confirmed from the
//! waiting list, cancelled) and to the entity's administrator (seats freed, fewer than the
//! first waiting sign-up asks for).

use db::WriteTx;
use sqlx::Row;

use crate::seats::RequestState;
use crate::store::events::{Event, Registration};
use crate::store::settings::link;
use crate::store::slots::{AppointmentSlot, Booking};
use crate::PortalError;

pub mod rooms;

pub(crate) const FOOTER: &str =
    "Questo messaggio è stato inviato automaticamente: non occorre rispondere.";

/// The entity's name, for the messages.
pub(crate) async fn entity_name(tx: &mut WriteTx, entity_id: i64) -> Result<String, PortalError> {
    Ok(
        sqlx::query_scalar("SELECT name FROM entities WHERE id = $1")
            .bind(entity_id)
            .fetch_optional(tx.conn())
            .await?
            .unwrap_or_default(),
    )
}

/// Tells the person where their sign-up stands; `cancel_secret` (on a new sign-up) gives them
/// the code of their cancel link.
pub async fn registration(
    tx: &mut WriteTx,
    e: &Event,
    r: &Registration,
    cancel_secret: Option<&str>,
) -> Result<(), PortalError> {
    let entity = entity_name(tx, e.entity_id).await?;
    let when = kernel::time::display_rome(&e.starts_at);
    let what = format!(
        "Evento: {}\nQuando: {when}{}\nPosti: {}\n",
        e.title,
        if e.place.is_empty() {
            String::new()
        } else {
            format!("\nDove: {}", e.place)
        },
        r.seats
    );
    let cancel = match cancel_secret {
        Some(s) => format!(
            "\nPer annullare l'iscrizione apra la pagina {} del portale dell'ente.\n",
            link(
                tx,
                e.entity_id,
                &format!("/p/{}/iscrizioni/{}/{s}", e.entity_id, r.id)
            )
            .await?
        ),
        None => String::new(),
    };
    let (subject, text, key) = match (r.state, cancel_secret.is_some()) {
        (RequestState::Confirmed, true) => (
            "iscrizione confermata",
            format!("la sua iscrizione è confermata.\n\n{what}{cancel}"),
            "confirmed",
        ),
        (RequestState::Confirmed, false) => (
            "posto confermato dalla lista d'attesa",
            format!(
                "si sono liberati i posti che aveva chiesto: la sua iscrizione, che era in lista \
                 d'attesa, ora è confermata.\n\n{what}"
            ),
            "promoted",
        ),
        (RequestState::Waiting, _) => (
            "in lista d'attesa",
            format!(
                "l'evento è al completo: la sua richiesta è in lista d'attesa. Le scriveremo \
                 se si liberano i posti che ha chiesto; la richiesta si conferma per intero o \
                 resta in attesa.\n\n{what}{cancel}"
            ),
            "waiting",
        ),
        (RequestState::Cancelled, _) => (
            "iscrizione annullata",
            format!("la sua iscrizione è stata annullata.\n\n{what}"),
            "cancelled",
        ),
    };
    mail::smtp::queue(
        tx,
        &mail::Outgoing {
            to: vec![r.email.clone()],
            subject: format!("{entity} – {}: {subject}", e.title),
            body: format!("Gentile {},\n\n{text}\n{entity}\n\n-- \n{FOOTER}\n", r.name),
            local_id: mail::new_local_id(&format!("registration{}-{key}", r.id)),
            references: vec![],
            calendar: None,
        },
    )
    .await?;
    Ok(())
}

/// The entity's administrator for the portal: the address in its settings, else its primary
/// contacts (else all its contacts with an address).
pub(crate) async fn admin_addresses(
    tx: &mut WriteTx,
    entity_id: i64,
) -> Result<Vec<String>, PortalError> {
    let set: Option<String> =
        sqlx::query_scalar("SELECT admin_email FROM portal_settings WHERE entity_id = $1")
            .bind(entity_id)
            .fetch_optional(tx.conn())
            .await?;
    let mut to: Vec<String> = set.into_iter().filter(|a| !a.is_empty()).collect();
    if to.is_empty() {
        let rows = sqlx::query(
            "SELECT email, is_primary FROM contacts WHERE entity_id = $1 AND email <> '' \
             ORDER BY id",
        )
        .bind(entity_id)
        .fetch_all(tx.conn())
        .await?;
        let mut all: Vec<(String, bool)> = rows
            .iter()
            .map(|x| Ok((x.try_get::<String, _>(0)?, x.try_get::<i64, _>(1)? != 0)))
            .collect::<Result<_, sqlx::Error>>()?;
        if all.iter().any(|(_, p)| *p) {
            all.retain(|(_, p)| *p);
        }
        to = all.into_iter().map(|(a, _)| a.to_lowercase()).collect();
    }
    to.retain(|a| mail::is_address(a));
    to.sort();
    to.dedup();
    Ok(to)
}

/// Tells the entity's administrator (the portal's address, else the entity's primary contacts)
/// what the waiting list cannot settle alone. Nobody to tell: the notice stays on the event.
pub async fn administrator(tx: &mut WriteTx, e: &Event, text: &str) -> Result<(), PortalError> {
    let to = admin_addresses(tx, e.entity_id).await?;
    if to.is_empty() {
        return Ok(());
    }
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM portal_event_notices WHERE event_id = $1")
            .bind(e.id)
            .fetch_one(tx.conn())
            .await?;
    mail::smtp::queue(
        tx,
        &mail::Outgoing {
            to,
            subject: format!("[Evento {}] {}: lista d'attesa da decidere", e.id, e.title),
            body: format!("Gentile amministratore,\n\n{text}\n\n-- \n{FOOTER}\n"),
            local_id: mail::new_local_id(&format!("event{}-notice{n}", e.id)),
            references: vec![],
            calendar: None,
        },
    )
    .await?;
    Ok(())
}

/// Which e-mail of a booking.
pub enum BookingMail<'a> {
    /// Booked, with the code of the person's link.
    Confirmed(&'a str),
    Cancelled,
    /// The day before.
    Reminder,
}

/// Tells the person about their appointment.
pub async fn booking(
    tx: &mut WriteTx,
    s: &AppointmentSlot,
    b: &Booking,
    kind: BookingMail<'_>,
) -> Result<(), PortalError> {
    let entity = entity_name(tx, s.entity_id).await?;
    let what = format!(
        "Ufficio: {}\nQuando: {} ({} minuti)\n{}",
        s.office,
        kernel::time::display_rome(&s.starts_at),
        s.minutes,
        if b.reason.is_empty() {
            String::new()
        } else {
            format!("Motivo: {}\n", b.reason)
        }
    );
    let (subject, text, key) = match kind {
        BookingMail::Confirmed(code) => (
            "appuntamento prenotato",
            format!(
                "il suo appuntamento è prenotato.\n\n{what}\nLa pagina {} del portale dell'ente le \
                 permette di aggiungerlo al calendario (file .ics) o di annullarlo.\nLe \
                 ricorderemo l'appuntamento il giorno prima.\n",
                link(
                    tx,
                    s.entity_id,
                    &format!("/p/{}/prenotazioni/{}/{code}", s.entity_id, b.id)
                )
                .await?
            ),
            "booked",
        ),
        BookingMail::Cancelled => (
            "appuntamento annullato",
            format!("il suo appuntamento è stato annullato.\n\n{what}"),
            "cancelled",
        ),
        BookingMail::Reminder => (
            "promemoria per domani",
            format!(
                "le ricordiamo l'appuntamento di domani.\n\n{what}\nSe non può venire, lo annulli \
                 dalla pagina indicata nell'e-mail di conferma: il posto servirà a qualcun altro.\n"
            ),
            "reminder",
        ),
    };
    mail::smtp::queue(
        tx,
        &mail::Outgoing {
            to: vec![b.email.clone()],
            subject: format!("{entity} – {}: {subject}", s.office),
            body: format!("Gentile {},\n\n{text}\n{entity}\n\n-- \n{FOOTER}\n", b.name),
            local_id: mail::new_local_id(&format!("booking{}-{key}", b.id)),
            references: vec![],
            calendar: None,
        },
    )
    .await?;
    Ok(())
}
