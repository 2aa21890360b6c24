//! SMS as pages: the entity's form (a send list and/or numbers, the text with its parts and
//! cost counted while it is typed), a confirmation that says how many messages and what they
//! cost, the log of sent messages with their states, and the staff's monthly limit.

use addressbook::sms::{self, SendDraft};
use addressbook::store::lists;
use addressbook::AddressBookError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use kernel::Euro;
use serde::Deserialize;

use crate::auth::{Flash, PageUser};
use crate::capabilities::delivery::work_pages::refusal;
use crate::error::PageError;
use crate::pages::confirm::{self, Confirm};
use crate::pages::{back_with, ok, parse_id, Layout};
use crate::AppState;

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct SmsForm {
    lista: String,
    numeri: String,
    testo: String,
    confermato: String,
}

impl SmsForm {
    fn draft(&self, entity_id: i64) -> SendDraft {
        SendDraft {
            entity_id,
            list_id: self.lista.trim().parse().ok(),
            to: self
                .numeri
                .split(['\n', ',', ';'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            text: self.testo.clone(),
        }
    }
}

fn euro(v: &str) -> String {
    Euro::parse(v).map(|e| e.to_italian()).unwrap_or_default()
}

struct Row {
    when: String,
    who: String,
    text: String,
    parts: i64,
    state: &'static str,
    state_code: String,
    error: String,
}

#[derive(Template)]
#[template(path = "addressbook/sms.html")]
struct SmsPage {
    layout: Layout,
    entity_id: i64,
    entity: String,
    lists: Vec<lists::ContactList>,
    rows: Vec<Row>,
    used: i64,
    limit: Option<i64>,
    unit: String,
    staff: bool,
    flash: Flash,
}

/// `/sms`: the entity's SMS page, or the choice among the caller's entities.
pub async fn choose(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
) -> Result<Response, PageError> {
    crate::pages::choose::entity(
        &s,
        &sess,
        crate::pages::choose::Choice {
            heading: "SMS",
            nav: "sms",
            lead: "Gli SMS partono a nome dell'ente, alle sue liste o ai numeri scritti, e sono addebitati all'ente.",
            list_id: "sms-entities",
            suffix: "/sms",
        },
    )
    .await
}

/// `/entities/{id}/sms`.
pub async fn page(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let e = members::store::get(&s.db, &actor, id).await?;
    let lists = match lists::of_entity(&s.db, &actor, id).await {
        Ok(l) => l,
        Err(AddressBookError::EntityNotFound) => return Err(PageError::not_found()),
        Err(e) => return Err(e.into()),
    };
    let rows = sms::log(&s.db, &actor, id, 200)
        .await?
        .into_iter()
        .map(|m| Row {
            when: kernel::time::display_rome(&m.created_at),
            who: if m.name.is_empty() {
                format!("+{}", m.destination)
            } else {
                format!("{} (+{})", m.name, m.destination)
            },
            text: if m.text.chars().count() > 60 {
                format!("{}…", m.text.chars().take(60).collect::<String>())
            } else {
                m.text
            },
            parts: m.parts,
            state: sms::state_italian(&m.state),
            state_code: m.state,
            error: m.error,
        })
        .collect();
    let (used, limit) = sms::usage(&s.db, id).await?;
    Ok(ok(&SmsPage {
        layout: Layout::new(&s, Some(&sess), "SMS", "sms"),
        entity_id: id,
        entity: e.data.name,
        lists,
        rows,
        used,
        limit,
        unit: sms::cost(&s.db, 1, kernel::time::today())
            .await?
            .to_italian(),
        staff: actor.is_staff(),
        flash: crate::pages::notice(&s, &sess).await?,
    }))
}

#[derive(Template)]
#[template(path = "addressbook/sms_preview.html")]
struct PreviewFragment {
    error: String,
    p: Option<sms::Preview>,
    cost: String,
}

/// The counts while the text is typed (a fragment for htmx).
pub async fn preview(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Query(f): Query<SmsForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let r = sms::preview(&s.db, &sess.actor(), &f.draft(id)).await;
    Ok(ok(&match r {
        Ok(p) => PreviewFragment {
            error: String::new(),
            cost: euro(&p.cost),
            p: Some(p),
        },
        Err(AddressBookError::EntityNotFound | AddressBookError::ListNotFound) => {
            return Err(PageError::not_found())
        }
        Err(e) => PreviewFragment {
            error: refusal(e)?,
            p: None,
            cost: String::new(),
        },
    }))
}

/// Sends, after a page that says how many messages and what they cost.
pub async fn send(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<SmsForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let back = format!("/entities/{id}/sms");
    let draft = f.draft(id);
    let keep = |mut flash: Flash| {
        flash.values = vec![
            ("lista".into(), f.lista.clone()),
            ("numeri".into(), f.numeri.clone()),
            ("testo".into(), f.testo.clone()),
        ];
        flash
    };
    if !confirm::confirmed(&f.confermato) {
        let p = match sms::preview(&s.db, &actor, &draft).await {
            Ok(p) => p,
            Err(AddressBookError::EntityNotFound | AddressBookError::ListNotFound) => {
                return Err(PageError::not_found())
            }
            Err(e) => return back_with(&s, &sess, &back, keep(Flash::error(refusal(e)?))).await,
        };
        return Ok(confirm::page(
            &s,
            &sess,
            "sms",
            Confirm {
                question: format!("Inviare {} SMS?", p.messages),
                consequences: vec![
                    format!(
                        "{} {} in tutto ({} per messaggio), costo {} addebitato nel rendiconto dell'ente.",
                        p.parts,
                        if p.parts == 1 { "parte" } else { "parti" },
                        p.parts_each,
                        euro(&p.cost)
                    ),
                    format!("Il testo: «{}».", f.testo.trim()),
                    "Un messaggio accettato dal gestore non si può richiamare.".into(),
                ],
                action: back.clone(),
                fields: vec![
                    ("lista".into(), f.lista.clone()),
                    ("numeri".into(), f.numeri.clone()),
                    ("testo".into(), f.testo.clone()),
                ],
                note: None,
                confirm_label: "Invia".into(),
                cancel: back.clone(),
            },
        ));
    }
    let flash = match sms::send(&s.db, &actor, &draft).await {
        Ok(p) => Flash::saved(format!(
            "{} SMS in coda per l'invio ({} parti, {}).",
            p.messages,
            p.parts,
            euro(&p.cost)
        )),
        Err(AddressBookError::EntityNotFound | AddressBookError::ListNotFound) => {
            return Err(PageError::not_found())
        }
        Err(e) => keep(Flash::error(refusal(e)?)),
    };
    back_with(&s, &sess, &back, flash).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LimitForm {
    limite: String,
}

/// Sets the monthly limit (staff); empty: no limit.
pub async fn set_limit(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<LimitForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let v = f.limite.trim();
    let limit = if v.is_empty() {
        None
    } else {
        Some(v.parse::<i64>().unwrap_or(-1))
    };
    let flash = match sms::set_limit(&s.db, &sess.actor(), id, limit).await {
        Ok(()) => Flash::saved(match limit {
            Some(n) => format!("Limite mensile: {n} parti."),
            None => "Nessun limite mensile.".to_owned(),
        }),
        Err(AddressBookError::EntityNotFound) => return Err(PageError::not_found()),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &format!("/entities/{id}/sms"), flash).await
}
