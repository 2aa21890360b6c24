//! The e-mails the help desk writes to a ticket's requester: received, taken in charge (naming
//! the operator), and the centre's public replies. Queued in the transaction of the change
//! (sent only if it commits), threaded by Message-ID so that replies find their ticket.

use db::WriteTx;
use sqlx::Row;

use crate::store::Ticket;
use crate::HelpdeskError;

/// The subject of every e-mail of a ticket: the number in brackets lets a reply find it even
/// when the mail client drops In-Reply-To.
pub fn subject(t: &Ticket) -> String {
    format!("[Ticket {}] {}", t.number, t.subject)
}

const FOOTER: &str = "Per aggiungere informazioni risponda a questa e-mail lasciando nell'oggetto \
il numero del ticket. Può seguire la richiesta anche dal portale dell'ente.\n\n\
-- \nServizio di assistenza del Centro Servizi Territoriale";

/// Queues one e-mail of ticket `t` to its requester, threaded after the ticket's earlier mail.
async fn queue(tx: &mut WriteTx, t: &Ticket, body: String) -> Result<(), HelpdeskError> {
    if !mail::is_address(&t.requester_email) {
        return Ok(());
    }
    let refs: Vec<String> = sqlx::query_scalar(
        "SELECT message_id FROM ticket_mail_ids WHERE ticket_id = $1 ORDER BY created_at, message_id LIMIT 20",
    )
    .bind(t.id)
    .fetch_all(tx.conn())
    .await?;
    let local_id = mail::new_local_id(&format!("ticket{}", t.id));
    mail::smtp::queue(
        tx,
        &mail::Outgoing {
            to: vec![t.requester_email.clone()],
            subject: subject(t),
            body,
            local_id: local_id.clone(),
            references: refs,
            calendar: None,
        },
    )
    .await?;
    sqlx::query(
        "INSERT INTO ticket_mail_ids (message_id, ticket_id, direction, created_at) VALUES ($1, $2, 'out', $3)",
    )
    .bind(local_id)
    .bind(t.id)
    .bind(kernel::time::now())
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// "We received your request": number, priority, and by when it will be taken in charge.
pub async fn received(tx: &mut WriteTx, t: &Ticket) -> Result<(), HelpdeskError> {
    let body = format!(
        "Gentile referente,\n\nabbiamo ricevuto la sua richiesta e l'abbiamo registrata con il \
         numero {}.\n\nEnte: {}\nOggetto: {}\nPriorità: {}\nSarà presa in carico entro: {}\n\n{FOOTER}\n",
        t.number,
        t.entity_name,
        t.subject,
        t.priority.label(),
        kernel::time::display_instant(t.take_charge_due_at),
    );
    queue(tx, t, body).await
}

/// "Your request was taken in charge by …", naming the operator.
pub async fn taken(tx: &mut WriteTx, t: &Ticket, operator_id: i64) -> Result<(), HelpdeskError> {
    let row = sqlx::query("SELECT full_name, username FROM users WHERE id = $1")
        .bind(operator_id)
        .fetch_optional(tx.conn())
        .await?;
    let operator = match row {
        Some(r) => {
            let full: String = r.try_get(0)?;
            let user: String = r.try_get(1)?;
            if full.trim().is_empty() {
                user
            } else {
                full
            }
        }
        None => "un operatore del centro".to_owned(),
    };
    let when = t
        .taken_at
        .map(kernel::time::display_instant)
        .unwrap_or_default();
    let body = format!(
        "Gentile referente,\n\nla sua richiesta {} («{}») è stata presa in carico da {operator} \
         il {when}.\n\n{FOOTER}\n",
        t.number, t.subject,
    );
    queue(tx, t, body).await
}

/// A public reply of the centre.
pub async fn replied(
    tx: &mut WriteTx,
    t: &Ticket,
    author: &str,
    text: &str,
) -> Result<(), HelpdeskError> {
    let body = format!(
        "Gentile referente,\n\n{author} ha risposto alla richiesta {}:\n\n{text}\n\n{FOOTER}\n",
        t.number
    );
    queue(tx, t, body).await
}
