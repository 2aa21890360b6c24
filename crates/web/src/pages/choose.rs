//! Pages that belong to one entity, reached from the menu: the caller's only entity straight
//! away, or the choice among theirs; and a refusal of such a page shown as "not found".

use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};

use super::{ok, Layout};
use crate::auth::Session;
use crate::error::PageError;
use crate::AppState;

/// What the choice page says and where it leads.
pub struct Choice {
    /// The heading and the page's title: "Agenda".
    pub heading: &'static str,
    /// The navigation entry to mark active.
    pub nav: &'static str,
    /// A sentence on whose the pages are.
    pub lead: &'static str,
    /// The list's id on the page (the browser tests find it).
    pub list_id: &'static str,
    /// The entity's page: `/entities/{id}{suffix}`.
    pub suffix: &'static str,
}

#[derive(Template)]
#[template(path = "choose_entity.html")]
struct ChoosePage {
    layout: Layout,
    c: Choice,
    entities: Vec<(i64, String)>,
}

/// The entity's page when the caller has one entity, else the choice among theirs.
pub async fn entity(s: &AppState, sess: &Session, c: Choice) -> Result<Response, PageError> {
    let entities = members::store::names(&s.db, &sess.actor()).await?;
    if let [(id, _)] = entities.as_slice() {
        return Ok(Redirect::to(&format!("/entities/{id}{}", c.suffix)).into_response());
    }
    Ok(ok(&ChoosePage {
        layout: Layout::new(s, Some(sess), c.heading, c.nav),
        c,
        entities,
    }))
}

/// A refusal on a page about another entity's thing reads as "not found", as if it did not
/// exist; only a failure of ours is shown as one.
pub fn or_not_found<T, E: kernel::Refusal>(r: Result<T, E>) -> Result<T, PageError> {
    r.map_err(|e| match e.kind() {
        kernel::Kind::Internal => PageError::from(e),
        _ => PageError::not_found(),
    })
}
