//! The e-mails a request's entity receives at each step (sent, approved with its deadline,
//! handed to a technician, delivered, refused with the reason, cancelled): queued in the
//! transaction of the change, so that they leave only if it commits.

use db::WriteTx;
use sqlx::Row;

use crate::model::RequestState;
use crate::store::Request;
use crate::DeliveryError;

const FOOTER: &str = "Può seguire la richiesta dal portale del centro servizi, alla voce \
«Richieste di attivazione».\n\n-- \nCentro Servizi Territoriale";

/// Who is told: the entity's primary contacts with an address (else every contact with one),
/// and the account that sent the request when it is a contact's. Lower case, once each.
async fn recipients(tx: &mut WriteTx, r: &Request) -> Result<Vec<String>, DeliveryError> {
    let rows = sqlx::query(
        "SELECT email, is_primary FROM contacts WHERE entity_id = $1 AND email <> '' ORDER BY id",
    )
    .bind(r.entity_id)
    .fetch_all(tx.conn())
    .await?;
    let mut all: Vec<(String, bool)> = rows
        .iter()
        .map(|x| Ok((x.try_get::<String, _>(0)?, x.try_get::<i64, _>(1)? != 0)))
        .collect::<Result<_, sqlx::Error>>()?;
    if all.iter().any(|(_, p)| *p) {
        all.retain(|(_, p)| *p);
    }
    let mut to: Vec<String> = all.into_iter().map(|(e, _)| e.to_lowercase()).collect();
    if let Some((id, _)) = kernel::audit::actor_user(&r.submitted_by) {
        let sender: Option<String> = sqlx::query_scalar(
            "SELECT email FROM users WHERE id = $1 AND role = 'contact' AND email <> ''",
        )
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
        to.extend(sender.map(|e| e.to_lowercase()));
    }
    to.retain(|a| mail::is_address(a));
    to.sort();
    to.dedup();
    Ok(to)
}

/// Queues the e-mail of the request's new state (none when nobody has an address).
pub async fn state_changed(
    tx: &mut WriteTx,
    r: &Request,
    entity: &str,
    service: &str,
) -> Result<(), DeliveryError> {
    let to = recipients(tx, r).await?;
    if to.is_empty() {
        return Ok(());
    }
    let date = |d: Option<chrono::NaiveDate>| d.map(kernel::time::display_date).unwrap_or_default();
    let what = format!(
        "Ente: {entity}\nServizio: {} {service} (voce «{}»)\nQuantità: {}\n",
        r.service, r.item, r.quantity
    );
    let (subject, text) = match r.state {
        RequestState::Submitted => (
            "ricevuta",
            format!(
                "abbiamo ricevuto la richiesta di attivazione n. {}.\n\n{what}Preventivo: {}\n\nLa esamineremo e le scriveremo quando sarà approvata.",
                r.id, r.quote_amount
            ),
        ),
        RequestState::Approved => (
            "approvata",
            match r.due_date {
                Some(_) => format!(
                    "la richiesta di attivazione n. {} è stata approvata: il servizio sarà attivato entro il {}.\n\n{what}",
                    r.id,
                    date(r.due_date)
                ),
                None => format!(
                    "la richiesta di attivazione n. {} è stata approvata: le scriveremo quando il servizio sarà attivo.\n\n{what}",
                    r.id
                ),
            },
        ),
        RequestState::InDelivery => (
            "in attivazione",
            format!(
                "la richiesta di attivazione n. {} è stata affidata a un tecnico del centro servizi.\n\n{what}",
                r.id
            ),
        ),
        RequestState::Delivered => (
            "servizio attivato",
            format!(
                "il servizio della richiesta n. {} è attivo dal {}.\n\n{what}",
                r.id,
                date(r.activation_date)
            ),
        ),
        RequestState::Refused => (
            "non accolta",
            format!(
                "la richiesta di attivazione n. {} non è stata accolta.\n\nMotivo: {}\n\n{what}",
                r.id, r.reason
            ),
        ),
        RequestState::Cancelled => (
            "annullata",
            format!(
                "la richiesta di attivazione n. {} è stata annullata.\n\n{what}",
                r.id
            ),
        ),
    };
    mail::smtp::queue(
        tx,
        &mail::Outgoing {
            to,
            subject: format!("[Richiesta {}] {}: {subject}", r.id, r.service),
            body: format!("Gentile referente,\n\n{text}\n{FOOTER}\n"),
            local_id: mail::new_local_id(&format!("request{}-{}", r.id, r.state.code())),
            references: vec![],
        },
    )
    .await
    .map_err(|e| DeliveryError::Mail(e.to_string()))?;
    Ok(())
}
