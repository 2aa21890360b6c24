//! The e-mails a request's entity receives at each step (sent, approved with its deadline,
//! handed to a technician, delivered, refused with the reason, cancelled): queued in the
//! transaction of the change, so that they leave only if it commits. And the warnings of a
//! package: 80% and 100% used, the on-site minimum out of reach.

use db::WriteTx;
use sqlx::Row;

use crate::model::RequestState;
use crate::store::work::{HoldingOut, Package};
use crate::store::Request;
use crate::work::two_places;
use crate::DeliveryError;

const FOOTER: &str = "Può seguire la richiesta dal portale del centro servizi, alla voce \
«Richieste di attivazione».\n\n-- \nCentro Servizi Territoriale";

/// Who is told: the entity's primary contacts with an address (else every contact with one),
/// and the account that sent the request when it is a contact's. Lower case, once each.
async fn recipients(tx: &mut WriteTx, r: &Request) -> Result<Vec<String>, DeliveryError> {
    let mut to = entity_addresses(tx, r.entity_id, false).await?;
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
            calendar: None,
        },
    )
    .await
    .map_err(|e| DeliveryError::Mail(e.to_string()))?;
    Ok(())
}

/// Who hears from the centre about an entity: its primary contacts with an address (else every
/// contact with one) and, with `accounts`, the active contact accounts of the entity; lower
/// case, valid addresses, once each.
pub async fn entity_addresses(
    tx: &mut WriteTx,
    entity_id: i64,
    accounts: bool,
) -> Result<Vec<String>, DeliveryError> {
    let rows = sqlx::query(
        "SELECT email, is_primary FROM contacts WHERE entity_id = $1 AND email <> '' ORDER BY id",
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
    let mut to: Vec<String> = all.into_iter().map(|(e, _)| e.to_lowercase()).collect();
    if accounts {
        let users: Vec<String> = sqlx::query_scalar(
            "SELECT u.email FROM users u JOIN user_entities ue ON ue.user_id = u.id \
             WHERE ue.entity_id = $1 AND u.role = 'contact' AND u.active = 1 AND u.email <> ''",
        )
        .bind(entity_id)
        .fetch_all(tx.conn())
        .await?;
        to.extend(users.into_iter().map(|e| e.to_lowercase()));
    }
    to.retain(|a| mail::is_address(a));
    to.sort();
    to.dedup();
    Ok(to)
}

/// The centre's active staff with an address (administrators and operators), lower case.
pub async fn staff_addresses(tx: &mut WriteTx) -> Result<Vec<String>, DeliveryError> {
    let staff: Vec<String> = sqlx::query_scalar(
        "SELECT email FROM users WHERE active = 1 AND role IN ('admin', 'operator') AND email <> ''",
    )
    .fetch_all(tx.conn())
    .await?;
    Ok(staff.into_iter().map(|e| e.to_lowercase()).collect())
}

/// What a package's warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageWarning {
    /// 80 or 100 (per cent used).
    Used(u8),
    /// The on-site minimum can no longer be reached.
    Onsite,
}

/// Queues a package's warning to the entity's contacts and the centre's active staff with an
/// address (administrators and operators).
pub async fn package_warning(
    tx: &mut WriteTx,
    p: &Package,
    what: PackageWarning,
) -> Result<(), DeliveryError> {
    let mut to = entity_addresses(tx, p.entity_id, false).await?;
    to.extend(staff_addresses(tx).await?);
    to.retain(|a| mail::is_address(a));
    to.sort();
    to.dedup();
    if to.is_empty() {
        return Ok(());
    }
    let entity: String = sqlx::query_scalar("SELECT name FROM entities WHERE id = $1")
        .bind(p.entity_id)
        .fetch_one(tx.conn())
        .await?;
    let unit = match p.holding {
        HoldingOut::Days(_) => "giornate",
        HoldingOut::Hours(_) => "ore",
    };
    let b = &p.balance;
    let state = format!(
        "Ente: {entity}\nPacchetto: {} «{}» del {}\nAcquistate: {} {unit}\nUsate: {} {unit}\nRestano: {} {unit}\n",
        p.service,
        p.item,
        p.year,
        two_places(b.bought),
        two_places(b.used),
        two_places(b.remaining)
    );
    let (subject, text, code) = match what {
        PackageWarning::Used(100) => (
            "esaurito".to_owned(),
            match p.overage_rate {
                Some(rate) => format!(
                    "il pacchetto è esaurito: il lavoro oltre si addebita a {rate} per {}.",
                    if unit == "ore" { "ora" } else { "giornata" }
                ),
                None => "il pacchetto è esaurito: non si possono registrare altri interventi su di esso.".to_owned(),
            },
            "100",
        ),
        PackageWarning::Used(_) => (
            "usato oltre l'80%".to_owned(),
            "il pacchetto ha superato l'80% di quanto acquistato.".to_owned(),
            "80",
        ),
        PackageWarning::Onsite => (
            "quota in presenza non più raggiungibile".to_owned(),
            format!(
                "con il lavoro da remoto già registrato, il pacchetto non può più raggiungere la quota minima del {}% di giornate in presenza, anche se le giornate che restano fossero tutte presso l'ente. Quota in presenza attuale: {}%.",
                (p.min_onsite_share + 5) / 10,
                (b.onsite_share + 5) / 10
            ),
            "onsite",
        ),
    };
    mail::smtp::queue(
        tx,
        &mail::Outgoing {
            to,
            subject: format!("[Pacchetto {}] {} {}: {subject}", p.id, p.service, p.year),
            body: format!(
                "Gentile referente,\n\n{text}\n\n{state}\nIl saldo aggiornato è nel portale del centro servizi, alla pagina del pacchetto.\n\n-- \nCentro Servizi Territoriale\n"
            ),
            local_id: mail::new_local_id(&format!("package{}-{code}", p.id)),
            references: vec![],
            calendar: None,
        },
    )
    .await
    .map_err(|e| DeliveryError::Mail(e.to_string()))?;
    Ok(())
}

/// Queues the e-mail of a project's news to its entity (a quote to decide on) or to the
/// centre's staff (the entity's decision).
pub async fn project_changed(
    tx: &mut WriteTx,
    p: &crate::store::projects::Project,
) -> Result<(), DeliveryError> {
    use crate::store::projects::ProjectState;
    let entity: String = sqlx::query_scalar("SELECT name FROM entities WHERE id = $1")
        .bind(p.entity_id)
        .fetch_one(tx.conn())
        .await?;
    let current = p.current();
    let (mut to, subject, text) = match p.state {
        ProjectState::Proposed => {
            let to = entity_addresses(tx, p.entity_id, true).await?;
            (
                to,
                format!("preventivo da approvare (versione {})", p.quote_version),
                format!(
                    "il centro servizi ha preparato il preventivo del progetto «{}» per {entity}: {} (versione {}, valido fino al {}).\n\nLo può leggere e approvare o rifiutare dal portale del centro servizi: /projects/{}\n\nNessun lavoro comincia prima dell'approvazione.",
                    p.title,
                    current.map(|q| q.total.to_string()).unwrap_or_default(),
                    p.quote_version,
                    current
                        .map(|q| kernel::time::display_date(q.valid_until))
                        .unwrap_or_default(),
                    p.id
                ),
            )
        }
        ProjectState::Approved | ProjectState::Refused => {
            let staff = staff_addresses(tx).await?;
            let approved = p.state == ProjectState::Approved;
            (
                staff,
                if approved {
                    format!(
                        "preventivo approvato (versione {})",
                        p.decided_version.unwrap_or(0)
                    )
                } else {
                    format!(
                        "preventivo rifiutato (versione {})",
                        p.decided_version.unwrap_or(0)
                    )
                },
                format!(
                    "{entity} ha {} il preventivo del progetto «{}» (versione {}).{}",
                    if approved { "approvato" } else { "rifiutato" },
                    p.title,
                    p.decided_version.unwrap_or(0),
                    if p.decision_note.is_empty() {
                        String::new()
                    } else {
                        format!("\n\nMotivo: {}", p.decision_note)
                    }
                ),
            )
        }
        _ => return Ok(()),
    };
    to.retain(|a| mail::is_address(a));
    to.sort();
    to.dedup();
    if to.is_empty() {
        return Ok(());
    }
    mail::smtp::queue(
        tx,
        &mail::Outgoing {
            to,
            subject: format!("[Progetto {}] {}: {subject}", p.id, p.title),
            body: format!("Gentile referente,\n\n{text}\n\n-- \nCentro Servizi Territoriale\n"),
            local_id: mail::new_local_id(&format!(
                "project{}-{}-{}",
                p.id,
                p.state.code(),
                p.version
            )),
            references: vec![],
            calendar: None,
        },
    )
    .await
    .map_err(|e| DeliveryError::Mail(e.to_string()))?;
    Ok(())
}
