//! Supplier phases in the UI: the supplier's list and a phase's page (updates), and handing a
//! phase from the ticket page.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use helpdesk::phases::{self, NewPhase, PhaseState};
use serde::Deserialize;

use crate::auth::{PageStaff, PageUser};
use crate::error::PageError;
use crate::pages::{ok, parse_id, refusal, see_other, Layout};
use crate::AppState;

pub struct PhaseView {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_number: String,
    pub ticket_subject: String,
    pub entity_name: String,
    pub supplier: String,
    pub title: String,
    pub description: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub onsite: bool,
    pub updated: String,
}

pub fn view(p: &phases::Phase) -> PhaseView {
    PhaseView {
        id: p.id,
        ticket_id: p.ticket_id,
        ticket_number: p.ticket_number.clone(),
        ticket_subject: p.ticket_subject.clone(),
        entity_name: p.entity_name.clone(),
        supplier: p.supplier.clone(),
        title: p.title.clone(),
        description: p.description.clone(),
        state: p.state.label(),
        state_code: p.state.as_str(),
        onsite: p.onsite_authorized,
        updated: kernel::time::display_rome(&p.updated_at),
    }
}

#[derive(Template)]
#[template(path = "phases/list.html")]
struct ListPage {
    layout: Layout,
    phases: Vec<PhaseView>,
    is_staff: bool,
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
) -> Result<Response, PageError> {
    let actor = sess.actor();
    let items = phases::mine(&s.db, &actor).await?;
    Ok(ok(&ListPage {
        layout: Layout::new(&s, Some(&sess), "Fasi affidate ai fornitori", "phases"),
        phases: items.iter().map(view).collect(),
        is_staff: actor.is_staff(),
    }))
}

pub struct UpdateView {
    pub author: String,
    pub state: &'static str,
    pub body: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "phases/detail.html")]
struct DetailPage {
    layout: Layout,
    p: PhaseView,
    updates: Vec<UpdateView>,
    states: Vec<(&'static str, &'static str)>,
    is_staff: bool,
    message: String,
    /// What was typed before a refusal.
    typed_body: String,
}

pub async fn detail(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let q = crate::pages::notice(&s, &sess).await?;
    let actor = sess.actor();
    let p = phases::get(&s.db, &actor, id).await?;
    let updates = phases::updates(&s.db, &actor, id)
        .await?
        .into_iter()
        .map(|u| UpdateView {
            author: u.author,
            state: u.state.label(),
            body: u.body,
            at: kernel::time::display_rome(&u.created_at),
        })
        .collect();
    let states = PhaseState::ALL
        .into_iter()
        .filter(|st| actor.is_staff() || *st != PhaseState::Cancelled)
        .map(|st| (st.as_str(), st.label()))
        .collect();
    Ok(ok(&DetailPage {
        layout: Layout::new(&s, Some(&sess), format!("Fase: {}", p.title), "phases"),
        p: view(&p),
        updates,
        states,
        is_staff: actor.is_staff(),
        typed_body: q.value("body"),
        message: q.error,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UpdateForm {
    state: String,
    body: String,
}

pub async fn update(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<UpdateForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    phases::get(&s.db, &actor, id).await?;
    let path = format!("/phases/{id}");
    let Some(state) = PhaseState::parse(&f.state) else {
        return crate::pages::refused(&s, &sess, &path, "stato sconosciuto").await;
    };
    match phases::update(&s.db, &actor, id, state, &f.body).await {
        Ok(_) => Ok(crate::pages::see_other(&path)),
        Err(e) => {
            let flash = crate::auth::Flash {
                error: refusal(e)?,
                values: vec![("body".into(), f.body.clone())],
                ..Default::default()
            };
            crate::pages::back_with(&s, &sess, &path, flash).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewForm {
    supplier_id: String,
    title: String,
    description: String,
    onsite_authorized: String,
}

/// Hands a phase to a supplier from the ticket page (staff).
pub async fn create(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path(id): Path<String>,
    Form(f): Form<NewForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let new = NewPhase {
        supplier_id: f.supplier_id.trim().parse().unwrap_or(0),
        title: f.title,
        description: f.description,
        onsite_authorized: !f.onsite_authorized.is_empty(),
    };
    match phases::create(&s.db, &sess.actor(), id, &new).await {
        Ok(_) => Ok(see_other(&format!("/tickets/{id}#fasi"))),
        Err(e) => crate::pages::refused(&s, &sess, &format!("/tickets/{id}"), &refusal(e)?).await,
    }
}
