//! The landing page after login.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{ok, Layout};
use crate::auth::PageUser;
use crate::error::PageError;
use crate::AppState;

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    layout: Layout,
    entity_count: i64,
    entities: Vec<(i64, String)>,
    audit_head: i64,
}

pub async fn home(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
) -> Result<Response, PageError> {
    let actor = sess.actor();
    let page = members::store::summaries(
        &s.db,
        &actor,
        &members::store::ListQuery {
            limit: 10,
            ..Default::default()
        },
    )
    .await?;
    let audit_head = if actor.is_admin() {
        db::audit::list(
            &s.db,
            &db::audit::Query {
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .map_err(crate::error::ApiError::internal)?
        .first()
        .map_or(0, |r| r.seq)
    } else {
        0
    };
    Ok(ok(&Home {
        layout: Layout::new(&s, Some(&sess), "Cruscotto", "home"),
        entity_count: page.total,
        entities: page.items.into_iter().map(|e| (e.id, e.name)).collect(),
        audit_head,
    }))
}
