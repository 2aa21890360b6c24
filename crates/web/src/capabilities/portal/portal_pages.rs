//! The entity's portal as pages for its staff and contacts (and the centre's): the modules it
//! has today with the links to its public pages and the settings (retention of citizens' data,
//! privacy notice, administrator's address, months before the archive, the public site's
//! address); its calls for tender, a new call, and one call with its corrections and documents.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use portal::store::settings::{self, SettingsDraft};
use portal::store::tenders::{self, Tender, TenderDraft};
use serde::Deserialize;

use super::public_pages::when;
use crate::auth::{Flash, PageUser};
use crate::capabilities::delivery::work_pages::refusal;
use crate::error::PageError;
use crate::pages::{back_with, notice, ok, parse_id, Layout};
use crate::AppState;

#[derive(Template)]
#[template(path = "portal/portal.html")]
struct PortalPage {
    layout: Layout,
    entity_id: i64,
    entity: String,
    modules: Vec<(String, String)>,
    set: settings::PortalSettings,
    flash: Flash,
}

pub async fn hub(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let entity = members::store::get(&s.db, &actor, id).await?;
    let set = settings::get(&s.db, &actor, id).await?;
    let active = portal::store::modules::active(&s.db, id, s.clock.today()).await?;
    let modules = active
        .iter()
        .map(|m| {
            let label = portal::store::modules::MODULES
                .iter()
                .find(|(c, _)| c == m)
                .map_or(m.as_str(), |(_, l)| l);
            let href = match m.as_str() {
                "events" => format!("/p/{id}/eventi"),
                "tenders" => format!("/p/{id}/bandi"),
                _ => format!("/p/{id}/appuntamenti"),
            };
            (label.to_owned(), href)
        })
        .collect();
    let flash = notice(&s, &sess).await?;
    Ok(ok(&PortalPage {
        layout: Layout::new(&s, Some(&sess), "Portale dell'ente", "entities"),
        entity_id: id,
        entity: entity.data.name,
        modules,
        set,
        flash,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    conservazione: String,
    informativa: String,
    email: String,
    archivio: String,
    sito: String,
}

pub async fn save_settings(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<SettingsForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let number = |v: &str| v.trim().parse::<i64>().unwrap_or(0);
    let done = settings::put(
        &s.db,
        &sess.actor(),
        id,
        &SettingsDraft {
            retention_days: Some(number(&f.conservazione)),
            consent_text: Some(f.informativa),
            admin_email: Some(f.email),
            archive_months: Some(number(&f.archivio)),
            site_url: Some(f.sito),
        },
    )
    .await;
    s.sites.forget(Some(id));
    let flash = match done {
        Ok(_) => Flash::saved("Impostazioni del portale salvate."),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &format!("/entities/{id}/portale"), flash).await
}

struct TenderRow {
    id: i64,
    title: String,
    category: String,
    deadline: String,
    state: String,
    corrections: usize,
}

#[derive(Template)]
#[template(path = "portal/tenders.html")]
struct TendersPage {
    layout: Layout,
    entity_id: i64,
    entity: String,
    tenders: Vec<TenderRow>,
    categories: Vec<(&'static str, &'static str)>,
    flash: Flash,
}

pub async fn tenders_list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let entity = members::store::get(&s.db, &actor, id).await?;
    settings::get(&s.db, &actor, id).await?;
    let list = tenders::list(&s.db, id, s.clock.now(), None, false).await?;
    let flash = notice(&s, &sess).await?;
    Ok(ok(&TendersPage {
        layout: Layout::new(&s, Some(&sess), "Bandi di gara", "entities"),
        entity_id: id,
        entity: entity.data.name,
        tenders: list
            .iter()
            .map(|t| TenderRow {
                id: t.id,
                title: t.title.clone(),
                category: tenders::category_label(&t.category).into(),
                deadline: when(&t.deadline_at),
                state: if t.published {
                    t.state.label().into()
                } else {
                    format!("da pubblicare il {}", t.published_on)
                },
                corrections: t.rectifications.len(),
            })
            .collect(),
        categories: tenders::CATEGORIES.to_vec(),
        flash,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TenderForm {
    titolo: String,
    categoria: String,
    descrizione: String,
    pubblicazione: String,
    scadenza: String,
    ora: String,
    esito_il: String,
    esito: String,
    motivo: String,
}

impl TenderForm {
    fn draft(&self, entity_id: i64) -> TenderDraft {
        let at = |day: &str, time: &str| {
            let day = day.trim();
            if day.is_empty() {
                return None;
            }
            let time = if time.trim().is_empty() {
                "12:00"
            } else {
                time.trim()
            };
            super::instant_field(&format!("{day}T{time}"), "deadline_at", false).ok()
        };
        TenderDraft {
            entity_id,
            title: self.titolo.clone(),
            category: self.categoria.clone(),
            description: self.descrizione.clone(),
            published_on: self.pubblicazione.trim().parse().ok(),
            deadline_at: at(&self.scadenza, &self.ora),
            outcome_on: at(&self.esito_il, "00:00"),
            outcome: self.esito.clone(),
            archive_months: None,
        }
    }
}

pub async fn tender_create(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<TenderForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    match tenders::create(&s.db, &sess.actor(), &f.draft(id), s.clock.now()).await {
        Ok(t) => {
            back_with(
                &s,
                &sess,
                &format!("/bandi/{}", t.id),
                Flash::saved("Bando registrato."),
            )
            .await
        }
        Err(e) => {
            let mut flash = Flash::error(refusal(e)?);
            flash.values = vec![
                ("titolo".into(), f.titolo),
                ("categoria".into(), f.categoria),
                ("descrizione".into(), f.descrizione),
                ("pubblicazione".into(), f.pubblicazione),
                ("scadenza".into(), f.scadenza),
                ("ora".into(), f.ora),
            ];
            back_with(&s, &sess, &format!("/entities/{id}/bandi"), flash).await
        }
    }
}

#[derive(Template)]
#[template(path = "portal/tender.html")]
struct TenderPage {
    layout: Layout,
    t: Tender,
    entity: String,
    category: String,
    state: String,
    deadline: String,
    deadline_day: String,
    deadline_time: String,
    outcome_day: String,
    corrections: Vec<(String, String, String)>,
    categories: Vec<(&'static str, &'static str)>,
    flash: Flash,
}

fn rome(stored: &str, fmt: &str) -> String {
    kernel::time::parse(stored)
        .map(|t| t.with_timezone(&kernel::time::ROME).format(fmt).to_string())
        .unwrap_or_default()
}

pub async fn tender(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(tid): Path<String>,
) -> Result<Response, PageError> {
    let tid = parse_id(&tid)?;
    let actor = sess.actor();
    let t = tenders::get(&s.db, &actor, tid, s.clock.now()).await?;
    let entity = members::store::get(&s.db, &actor, t.entity_id).await?;
    let flash = notice(&s, &sess).await?;
    Ok(ok(&TenderPage {
        layout: Layout::new(&s, Some(&sess), t.title.clone(), "entities"),
        entity: entity.data.name,
        category: tenders::category_label(&t.category).into(),
        state: if t.published {
            t.state.label().into()
        } else {
            format!("da pubblicare il {}", t.published_on)
        },
        deadline: when(&t.deadline_at),
        deadline_day: rome(&t.deadline_at, "%Y-%m-%d"),
        deadline_time: rome(&t.deadline_at, "%H:%M"),
        outcome_day: t
            .outcome_on
            .as_deref()
            .map(|v| rome(v, "%Y-%m-%d"))
            .unwrap_or_default(),
        corrections: t
            .rectifications
            .iter()
            .map(|r| {
                (
                    when(&r.at),
                    r.text.clone(),
                    r.changes
                        .as_object()
                        .map(|m| m.keys().cloned().collect::<Vec<_>>().join(", "))
                        .unwrap_or_default(),
                )
            })
            .collect(),
        categories: tenders::CATEGORIES.to_vec(),
        t,
        flash,
    }))
}

pub async fn tender_update(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(tid): Path<String>,
    Form(f): Form<TenderForm>,
) -> Result<Response, PageError> {
    let tid = parse_id(&tid)?;
    let actor = sess.actor();
    let t = tenders::get(&s.db, &actor, tid, s.clock.now()).await?;
    let mut draft = f.draft(t.entity_id);
    draft.published_on = draft.published_on.or_else(|| t.published_on.parse().ok());
    draft.archive_months = Some(t.archive_months);
    let flash = match tenders::update(&s.db, &actor, tid, &draft, &f.motivo, s.clock.now()).await {
        Ok(_) => Flash::saved(if t.published {
            "Rettifica pubblicata con il bando."
        } else {
            "Bando modificato."
        }),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &format!("/bandi/{tid}"), flash).await
}

/// Adds a document to a call from its page (multipart, field `file`).
pub async fn tender_document(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(tid): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    use axum::extract::FromRequest;
    let tid = parse_id(&tid)?;
    let actor = sess.actor();
    // Out of scope is "not found" before anything is read.
    tenders::get(&s.db, &actor, tid, s.clock.now()).await?;
    let back = format!("/bandi/{tid}");
    let Ok(mut mp) = axum::extract::Multipart::from_request(req, &()).await else {
        let flash = Flash::error("Scegliere un file da aggiungere.");
        return back_with(&s, &sess, &back, flash).await;
    };
    let mut file: Option<(String, String, Vec<u8>)> = None;
    let mut error = String::new();
    loop {
        match mp.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("documento").to_owned();
                let ctype = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                match field.bytes().await {
                    Ok(b) => file = Some((name, ctype, b.to_vec())),
                    Err(e) => error = format!("File non leggibile: {e}"),
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                error = format!("Invio del file non riuscito: {e}");
                break;
            }
        }
    }
    let flash = match (error.is_empty(), file.filter(|(_, _, d)| !d.is_empty())) {
        (false, _) => Flash::error(error),
        (true, None) => Flash::error("Scegliere un file da aggiungere."),
        (true, Some((name, ctype, data))) => {
            match tenders::add_document(&s.db, &actor, tid, &name, &ctype, &data, s.clock.now())
                .await
            {
                Ok(d) => Flash::saved(format!("Documento «{}» aggiunto.", d.name)),
                Err(e) => Flash::error(refusal(e)?),
            }
        }
    };
    back_with(&s, &sess, &back, flash).await
}

/// Sets or removes the entity's logo from the portal's page (multipart: `logo`, or `togli`).
pub async fn upload_logo(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    use axum::extract::FromRequest;
    let id = parse_id(&id)?;
    let actor = sess.actor();
    // Out of scope is "not found" before anything is read.
    settings::get(&s.db, &actor, id).await?;
    let back = format!("/entities/{id}/portale");
    let mut image: Option<Vec<u8>> = None;
    let mut remove = false;
    if let Ok(mut mp) = axum::extract::Multipart::from_request(req, &()).await {
        while let Ok(Some(field)) = mp.next_field().await {
            match field.name() {
                Some("togli") => remove = true,
                Some("logo") => image = field.bytes().await.ok().map(|b| b.to_vec()),
                _ => {}
            }
        }
    }
    let done = match (remove, image.filter(|b| !b.is_empty())) {
        (true, _) => settings::set_logo(&s.db, &actor, id, None).await,
        (false, Some(b)) => settings::set_logo(&s.db, &actor, id, Some(&b)).await,
        (false, None) => {
            let flash = Flash::error("Scegliere un'immagine PNG o JPEG.");
            return back_with(&s, &sess, &back, flash).await;
        }
    };
    s.sites.forget(Some(id));
    let flash = match done {
        Ok(set) if set.logo => Flash::saved("Logo delle pagine pubbliche cambiato."),
        Ok(_) => Flash::saved("Logo tolto: le pagine pubbliche mostrano il simbolo generico."),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &back, flash).await
}
