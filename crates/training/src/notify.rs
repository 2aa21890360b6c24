//! The courses' e-mails, queued in the change's transaction (they leave only if it commits):
//! a course opened (to every entity's primary contacts), a sign-up's standing (admitted,
//! waiting, admitted from the waiting list, withdrawn), a seat passed to a colleague, and the
//! outcome of closing (confirmed, cancelled, still waiting).

use db::WriteTx;
use sqlx::Row;

use crate::rules::Standing;
use crate::store::{Course, Enrolment};
use crate::TrainingError;

const FOOTER: &str = "Questo messaggio è stato inviato automaticamente: non occorre rispondere.";

/// The course in a few lines: title, when (each session), where.
pub fn summary(c: &Course) -> String {
    let mut s = format!("Corso: {}\n", c.title);
    if c.sessions.len() == 1 {
        s.push_str(&format!(
            "Quando: {} ({} ore)\n",
            kernel::time::display_rome(&c.sessions[0].starts_at),
            c.sessions[0].hours
        ));
    } else {
        s.push_str("Sessioni:\n");
        for x in &c.sessions {
            s.push_str(&format!(
                "- {} ({} ore)\n",
                kernel::time::display_rome(&x.starts_at),
                x.hours
            ));
        }
    }
    if !c.place.is_empty() {
        s.push_str(&format!("Dove: {}\n", c.place));
    }
    s
}

async fn send(
    tx: &mut WriteTx,
    to: Vec<String>,
    subject: String,
    body: String,
    key: &str,
) -> Result<(), TrainingError> {
    if to.is_empty() {
        return Ok(());
    }
    mail::smtp::queue(
        tx,
        &mail::Outgoing {
            to,
            subject,
            body: format!("{body}\n-- \n{FOOTER}\n"),
            local_id: mail::new_local_id(key),
            references: vec![],
            calendar: None,
        },
    )
    .await?;
    Ok(())
}

/// Tells every entity (its primary contacts, else its contacts with an address) that a course
/// is open for sign-up.
pub async fn announce(tx: &mut WriteTx, c: &Course) -> Result<(), TrainingError> {
    let rows = sqlx::query(
        "SELECT entity_id, email, is_primary FROM contacts WHERE email <> '' \
         ORDER BY entity_id, id",
    )
    .fetch_all(tx.conn())
    .await?;
    let mut by: std::collections::BTreeMap<i64, Vec<(String, bool)>> = Default::default();
    for r in &rows {
        by.entry(r.try_get(0)?).or_default().push((
            r.try_get::<String, _>(1)?.to_lowercase(),
            r.try_get::<i64, _>(2)? != 0,
        ));
    }
    for (entity_id, mut all) in by {
        if all.iter().any(|(_, p)| *p) {
            all.retain(|(_, p)| *p);
        }
        let mut to: Vec<String> = all
            .into_iter()
            .map(|(a, _)| a)
            .filter(|a| mail::is_address(a))
            .collect();
        to.sort();
        to.dedup();
        send(
            tx,
            to,
            format!("Nuovo corso: {}", c.title),
            format!(
                "Gentili referenti,\n\nsono aperte le iscrizioni a un nuovo corso.\n\n{}Posti: {} \
                 (al più {} persone per ente finché le iscrizioni sono aperte)\n\nL'ordine di \
                 iscrizione determina la partecipazione. Le iscrizioni si fanno dalla pagina \
                 Formazione del gestionale del centro servizi.\n",
                summary(c),
                c.seats,
                c.per_entity
            ),
            &format!("course{}-open-{entity_id}", c.id),
        )
        .await?;
    }
    Ok(())
}

/// Tells the person where their sign-up stands. `why`: `new`, `promoted`, `withdrawn`.
pub async fn enrolment(
    tx: &mut WriteTx,
    c: &Course,
    e: &Enrolment,
    why: &str,
) -> Result<(), TrainingError> {
    let (subject, text) = match (why, e.state) {
        ("promoted", _) => (
            "posto assegnato dalla lista d'attesa",
            "si è liberato un posto: la sua iscrizione, che era in lista d'attesa, ora è \
             ammessa.",
        ),
        ("withdrawn", _) => ("iscrizione ritirata", "la sua iscrizione è stata ritirata."),
        (_, Standing::Admitted) => ("iscrizione ammessa", "la sua iscrizione è ammessa."),
        (_, _) => (
            "in lista d'attesa",
            "la sua iscrizione è in lista d'attesa: i posti sono esauriti, oppure il suo ente \
             ha già iscritto il numero massimo di persone. Alla chiusura delle iscrizioni i \
             posti rimasti vanno a chi attende, nell'ordine di iscrizione; le scriveremo.",
        ),
    };
    send(
        tx,
        vec![e.email.clone()],
        format!("{}: {subject}", c.title),
        format!(
            "Gentile {},\n\n{text}\n\n{}Ente: {}\n",
            e.name,
            summary(c),
            e.entity_name
        ),
        &format!("enrolment{}-{why}", e.id),
    )
    .await
}

/// Tells both people that a seat passed from one to the other.
pub async fn transferred(
    tx: &mut WriteTx,
    c: &Course,
    before: &Enrolment,
    after: &Enrolment,
) -> Result<(), TrainingError> {
    send(
        tx,
        vec![before.email.clone()],
        format!("{}: posto passato a un collega", c.title),
        format!(
            "Gentile {},\n\nla sua iscrizione è stata passata a {}, dello stesso ente.\n\n{}",
            before.name,
            after.name,
            summary(c)
        ),
        &format!("enrolment{}-from-v{}", before.id, before.version),
    )
    .await?;
    send(
        tx,
        vec![after.email.clone()],
        format!("{}: iscrizione a suo nome", c.title),
        format!(
            "Gentile {},\n\n{} le ha passato la sua iscrizione ({}).\n\n{}Ente: {}\n",
            after.name,
            before.name,
            after.state.italian(),
            summary(c),
            after.entity_name
        ),
        &format!("enrolment{}-to-v{}", after.id, after.version),
    )
    .await
}

/// After closing or cancelling: the admitted learn that the course runs (or not), those still
/// waiting that they are not admitted (or that the course is cancelled).
pub async fn closed(
    tx: &mut WriteTx,
    c: &Course,
    people: &[Enrolment],
) -> Result<(), TrainingError> {
    for e in people.iter().filter(|e| e.state != Standing::Withdrawn) {
        let (subject, text) = match (c.state.as_str(), e.state) {
            ("cancelled", _) => (
                "corso annullato".to_owned(),
                format!(
                    "il corso è annullato: {}. Non le sarà addebitato nulla.",
                    c.cancel_reason
                ),
            ),
            (_, Standing::Admitted) => (
                "corso confermato".to_owned(),
                "le iscrizioni sono chiuse e il corso è confermato: la aspettiamo.".to_owned(),
            ),
            _ => (
                "posti esauriti".to_owned(),
                "le iscrizioni sono chiuse e i posti sono esauriti: resta in lista d'attesa e \
                 le scriveremo se qualcuno rinuncia."
                    .to_owned(),
            ),
        };
        send(
            tx,
            vec![e.email.clone()],
            format!("{}: {subject}", c.title),
            format!("Gentile {},\n\n{text}\n\n{}", e.name, summary(c)),
            &format!("enrolment{}-{}", e.id, c.state),
        )
        .await?;
    }
    Ok(())
}
