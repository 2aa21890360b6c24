//! The forms of the review page (`/entities/{id}/logs`): naming and removing administrators
//! (removal confirmed first), signing off the periodic check, and marking who reviews.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use crate::auth::{Flash, PageStaff, PageUser};
use crate::error::PageError;
use crate::pages::confirm::{self, Confirm};
use crate::pages::list;
use crate::pages::{back_with, parse_id};
use crate::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AdminForm {
    nome: String,
    account: String,
    ruolo: String,
}

fn back_to(id: i64, place: &str) -> String {
    format!("/entities/{id}/logs#{place}")
}

/// Names an administrator.
pub async fn add_admin(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<AdminForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let accounts: Vec<String> = f
        .account
        .split([',', ';', ' ', '\n'])
        .map(str::to_owned)
        .collect();
    let flash =
        match logs::review::add_admin(&s.db, &sess.actor(), id, &f.nome, &accounts, &f.ruolo).await
        {
            Ok(a) => Flash {
                saved: format!("{} aggiunto agli amministratori di sistema.", a.name),
                place: "amministratori".into(),
                ..Default::default()
            },
            Err(logs::LogsError::Invalid(errors)) => Flash {
                error: errors
                    .iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("; "),
                values: vec![
                    ("nome".into(), f.nome),
                    ("account".into(), f.account),
                    ("ruolo".into(), f.ruolo),
                ],
                place: "amministratori".into(),
                ..Default::default()
            },
            Err(e) => return Err(e.into()),
        };
    back_with(&s, &sess, &back_to(id, "amministratori"), flash).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RemoveForm {
    confermato: String,
}

/// Removes an administrator from the list, after a confirmation.
pub async fn remove_admin(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((id, admin_id)): Path<(String, String)>,
    Form(f): Form<RemoveForm>,
) -> Result<Response, PageError> {
    let (id, admin_id) = (parse_id(&id)?, parse_id(&admin_id)?);
    logs::review::may_review(&s.db, &sess.actor(), id).await?;
    let admin = logs::review::admins(&s.db, id)
        .await?
        .into_iter()
        .find(|a| a.id == admin_id)
        .ok_or(logs::LogsError::AdminNotFound)?;
    if !confirm::confirmed(&f.confermato) {
        return Ok(confirm::page(
            &s,
            &sess,
            "entities",
            Confirm {
                question: format!("Togliere {} dagli amministratori di sistema?", admin.name),
                consequences: vec![
                    format!(
                        "I suoi account ({}) non saranno più distinti tra gli accessi degli amministratori.",
                        admin.accounts.join(", ")
                    ),
                    "Gli accessi registrati restano nel registro.".into(),
                ],
                action: format!("/entities/{id}/logs/amministratori/{admin_id}/togli"),
                fields: Vec::new(),
                note: None,
                confirm_label: "Togli dall'elenco".into(),
                cancel: back_to(id, "amministratori"),
            },
        ));
    }
    logs::review::remove_admin(&s.db, &sess.actor(), admin_id).await?;
    let flash = Flash {
        saved: format!("{} tolto dagli amministratori di sistema.", admin.name),
        place: "amministratori".into(),
        ..Default::default()
    };
    back_with(&s, &sess, &back_to(id, "amministratori"), flash).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    dal: String,
    al: String,
    note: String,
    dichiaro: String,
}

/// Signs off a periodic check.
pub async fn sign_review(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    logs::review::may_review(&s.db, &actor, id).await?;
    let refuse = |error: String| Flash {
        error,
        values: vec![
            ("dal".into(), f.dal.clone()),
            ("al".into(), f.al.clone()),
            ("note".into(), f.note.clone()),
        ],
        place: "verifiche".into(),
        ..Default::default()
    };
    let flash = if f.dichiaro != "1" {
        refuse("Per firmare la verifica va spuntata la dichiarazione.".into())
    } else {
        match super::review_api::review_period(&f.dal, &f.al, s.clock.today()) {
            Err(logs::LogsError::Invalid(errors)) => refuse(
                errors
                    .iter()
                    .map(|e| {
                        let what = if e.field == "from" { "Dal" } else { "Al" };
                        format!("{what}: {}", e.message)
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Err(e) => return Err(e.into()),
            Ok((from, to)) => {
                let (events, failures) = super::review_api::admin_counts(&s, id, from, to).await?;
                let who = super::review_api::signature(&s, &sess.user, id).await?;
                match logs::review::sign_review(
                    &s.db, &actor, &who, id, from, to, events, failures, &f.note,
                )
                .await
                {
                    Ok(r) => Flash {
                        saved: format!(
                            "Verifica dal {} al {} firmata ({} accessi degli amministratori, {} falliti).",
                            kernel::time::display_date(from),
                            kernel::time::display_date(to),
                            list::count(r.events),
                            list::count(r.failures)
                        ),
                        place: "verifiche".into(),
                        ..Default::default()
                    },
                    Err(logs::LogsError::Invalid(errors)) => refuse(
                        errors
                            .iter()
                            .map(|e| e.message.clone())
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                    Err(e) => return Err(e.into()),
                }
            }
        }
    };
    back_with(&s, &sess, &back_to(id, "verifiche"), flash).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewerForm {
    utente: String,
    ruolo: String,
}

/// Marks a contact as titolare or delegate, or removes the mark (staff).
pub async fn set_reviewer(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path(id): Path<String>,
    Form(f): Form<ReviewerForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let user_id = f.utente.trim().parse::<i64>().unwrap_or(0);
    let kind = match f.ruolo.as_str() {
        "titolare" => Some("titolare"),
        "delegato" => Some("delegato"),
        _ => None,
    };
    let flash = match logs::review::set_reviewer(&s.db, &sess.actor(), id, user_id, kind).await {
        Ok(_) => Flash {
            saved: match kind {
                Some("titolare") => "Titolare del trattamento indicato.".into(),
                Some(_) => "Delegato indicato.".into(),
                None => "Il referente non verifica più i log.".into(),
            },
            place: "chi-verifica".into(),
            ..Default::default()
        },
        Err(logs::LogsError::Invalid(errors)) => Flash {
            error: errors
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
            place: "chi-verifica".into(),
            ..Default::default()
        },
        Err(e) => return Err(e.into()),
    };
    back_with(&s, &sess, &back_to(id, "chi-verifica"), flash).await
}
