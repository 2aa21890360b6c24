//! Agreements on the entity page: record one, sign, terminate, renew (staff).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use catalog::agreement::Agreement;
use catalog::store::agreements::{self, AgreementChange, AgreementDraft};
use catalog::CatalogError;
use serde::Deserialize;

use crate::auth::PageStaff;
use crate::error::PageError;
use crate::pages::parse_id;
use crate::AppState;

/// An agreement as the entity page lists it.
pub struct AgreementView {
    pub id: i64,
    pub number: String,
    pub period: String,
    pub term_years: u32,
    pub state: &'static str,
    pub state_code: &'static str,
    pub detail: String,
    pub can_sign: bool,
    pub can_terminate: bool,
    pub can_renew: bool,
    pub version: i64,
}

pub fn views(list: &[Agreement]) -> Vec<AgreementView> {
    use kernel::time::display_date;
    let today = kernel::time::today();
    list.iter()
        .map(|a| {
            let state = a.state_on(today);
            let mut detail = Vec::new();
            if let Some(d) = a.signed_on {
                detail.push(format!("firmata il {}", display_date(d)));
            }
            if let Some(d) = a.terminated_on {
                detail.push(format!("in vigore fino al {}", display_date(d)));
            }
            if !a.termination_reason.is_empty() {
                detail.push(a.termination_reason.clone());
            }
            if a.renews_id.is_some() {
                detail.push("rinnovo".into());
            }
            if !a.notes.is_empty() {
                detail.push(a.notes.clone());
            }
            AgreementView {
                id: a.id,
                number: a.number.clone(),
                period: format!(
                    "{} – {}",
                    display_date(a.start_date),
                    display_date(a.end_date)
                ),
                term_years: a.term_years,
                state: state.label(),
                state_code: state.as_str(),
                detail: detail.join(" · "),
                can_sign: a.status == catalog::agreement::Status::Draft,
                can_terminate: a.status == catalog::agreement::Status::Signed,
                can_renew: a.status == catalog::agreement::Status::Signed
                    && !list.iter().any(|o| o.renews_id == Some(a.id)),
                version: a.version,
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewForm {
    number: String,
    start_date: String,
    term_years: String,
    signed: String,
}

/// Back to the agreements of the entity page, with the reason of a refusal if any (and the
/// typed fields, to show them again).
async fn back(
    s: &AppState,
    sess: &crate::auth::Session,
    id: i64,
    message: &str,
    values: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let flash = crate::auth::Flash {
        error: message.to_owned(),
        place: "convenzioni".into(),
        values,
        ..Default::default()
    };
    crate::pages::back_with(s, sess, &format!("/entities/{id}#convenzioni"), flash).await
}

/// What the entity page says when a change was refused (bad input or a refused transition).
fn refusal(e: CatalogError) -> Result<String, PageError> {
    match e {
        CatalogError::Invalid(errs) => Ok(errs
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")),
        e @ (CatalogError::AgreementRefused(_) | CatalogError::Conflict) => Ok(e.to_string()),
        e => Err(e.into()),
    }
}

pub async fn create(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path(id): Path<String>,
    Form(f): Form<NewForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let typed = vec![
        ("number".to_owned(), f.number.clone()),
        ("start_date".to_owned(), f.start_date.clone()),
        ("term_years".to_owned(), f.term_years.clone()),
    ];
    let mut bad = Vec::new();
    let start_date = match f.start_date.trim() {
        "" => None,
        d => d.parse().map_or_else(
            |_| {
                bad.push("data di inizio non valida");
                None
            },
            Some,
        ),
    };
    let term_years = match f.term_years.trim() {
        "" => None,
        t => t.parse().map_or_else(
            |_| {
                bad.push("durata non valida: un numero di anni");
                None
            },
            Some,
        ),
    };
    if !bad.is_empty() {
        return back(&s, &sess, id, &bad.join("; "), typed).await;
    }
    let draft = AgreementDraft {
        number: f.number,
        start_date,
        term_years,
        signed: !f.signed.is_empty(),
        ..Default::default()
    };
    match agreements::create(&s.db, &sess.actor(), id, &draft).await {
        Ok(_) => back(&s, &sess, id, "", vec![]).await,
        Err(e) => back(&s, &sess, id, &refusal(e)?, typed).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    action: String,
    date: String,
    reason: String,
    version: String,
    /// `1` once the person confirmed a termination on the confirmation page.
    confermato: String,
}

pub async fn act(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path((id, agreement_id)): Path<(String, String)>,
    Form(f): Form<ActionForm>,
) -> Result<Response, PageError> {
    let (id, agreement_id) = (parse_id(&id)?, parse_id(&agreement_id)?);
    let actor = sess.actor();
    let date: Option<chrono::NaiveDate> = match f.date.trim() {
        "" => None,
        d => match d.parse() {
            Ok(d) => Some(d),
            Err(_) => return back(&s, &sess, id, "data non valida", vec![]).await,
        },
    };
    let version = f.version.trim().parse().ok();
    if f.action == "terminate" {
        // Terminating needs its last day, and a confirmation that names what follows.
        let Some(last) = date else {
            return back(
                &s,
                &sess,
                id,
                "Per cessare la convenzione indicare l'ultimo giorno in cui resta in vigore.",
                vec![],
            )
            .await;
        };
        if !crate::pages::confirm::confirmed(&f.confermato) {
            let a = agreements::get(&s.db, &actor, id, agreement_id).await?;
            let entity = members::store::get(&s.db, &actor, id).await?;
            let name = if a.number.is_empty() {
                "la convenzione".to_owned()
            } else {
                format!("la convenzione n. {}", a.number)
            };
            let next = last.succ_opt().unwrap_or(last);
            let d = kernel::time::display_date;
            return Ok(crate::pages::confirm::page(
                &s,
                &sess,
                "entities",
                crate::pages::confirm::Confirm {
                    question: format!("Cessare {name} del {}?", entity.data.name),
                    consequences: vec![
                        format!(
                            "Resta in vigore fino al {} compreso, invece che fino al {}.",
                            d(last),
                            d(a.end_date)
                        ),
                        format!(
                            "Dal {} all'ente non si potranno addebitare servizi, finché non avrà una nuova convenzione firmata.",
                            d(next)
                        ),
                        "La cessazione resta nel registro delle modifiche; per tornare indietro si registra e si firma una nuova convenzione.".into(),
                    ],
                    action: format!("/entities/{id}/agreements/{agreement_id}"),
                    fields: vec![
                        ("action".into(), "terminate".into()),
                        ("date".into(), last.to_string()),
                        ("version".into(), f.version.clone()),
                    ],
                    note: Some(("reason", "Motivo della cessazione (facoltativo)")),
                    confirm_label: "Cessa la convenzione".into(),
                    cancel: format!("/entities/{id}#convenzioni"),
                },
            ));
        }
    }
    let result = match f.action.as_str() {
        "sign" => agreements::update(
            &s.db,
            &actor,
            id,
            agreement_id,
            &AgreementChange {
                status: Some("signed".into()),
                signed_on: date,
                ..Default::default()
            },
            version,
        )
        .await
        .map(|_| ()),
        "terminate" => agreements::update(
            &s.db,
            &actor,
            id,
            agreement_id,
            &AgreementChange {
                status: Some("terminated".into()),
                terminated_on: date,
                termination_reason: Some(f.reason),
                ..Default::default()
            },
            version,
        )
        .await
        .map(|_| ()),
        "renew" => agreements::renew(&s.db, &actor, id, agreement_id)
            .await
            .map(|_| ()),
        _ => {
            return Err(PageError::new(
                StatusCode::BAD_REQUEST,
                "Azione sconosciuta.",
            ))
        }
    };
    match result {
        Ok(()) => {
            let saved = match f.action.as_str() {
                "sign" => "Convenzione firmata.".to_owned(),
                "terminate" => format!(
                    "Convenzione cessata: in vigore fino al {}.",
                    date.map(kernel::time::display_date).unwrap_or_default()
                ),
                _ => "Rinnovo registrato come bozza: firmarlo quando è sottoscritto.".to_owned(),
            };
            let flash = crate::auth::Flash {
                saved,
                place: "convenzioni".into(),
                ..Default::default()
            };
            crate::pages::back_with(&s, &sess, &format!("/entities/{id}#convenzioni"), flash).await
        }
        Err(e) => back(&s, &sess, id, &refusal(e)?, vec![]).await,
    }
}
