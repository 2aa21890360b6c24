//! The audit trail and its verification (admins only).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::auth::PageAdmin;
use crate::error::{ApiError, PageError};
use crate::pages::Layout;
use crate::AppState;

pub struct Line {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub entity_id: String,
    pub hash: String,
}

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    layout: Layout,
    lines: Vec<Line>,
    next_before: i64,
    verdict: String,
    verdict_ok: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Params {
    before: Option<i64>,
}

async fn page(
    s: &AppState,
    sess: &crate::auth::Session,
    before: Option<i64>,
    verdict: String,
    verdict_ok: bool,
) -> Result<Response, PageError> {
    let recs = db::audit::list(
        &s.db,
        &db::audit::Query {
            before_seq: before,
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .map_err(ApiError::internal)?;
    let next_before = if recs.len() == 50 {
        recs.last().map_or(0, |r| r.seq)
    } else {
        0
    };
    let lines = recs
        .into_iter()
        .map(|r| Line {
            seq: r.seq,
            at: kernel::time::display_rome(&r.at),
            actor: r.actor,
            action: r.action,
            object: format!("{} {}", r.object_type, r.object_id),
            entity_id: r.entity_id.map(|e| e.to_string()).unwrap_or_default(),
            hash: r.hash.chars().take(12).collect(),
        })
        .collect();
    Ok(crate::pages::render(
        if verdict.is_empty() || verdict_ok {
            StatusCode::OK
        } else {
            StatusCode::CONFLICT
        },
        &ListPage {
            layout: Layout::new(s, Some(sess), "Registro delle modifiche", "audit"),
            lines,
            next_before,
            verdict,
            verdict_ok,
        },
    ))
}

pub async fn list(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let p: Params = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|_| PageError::new(StatusCode::BAD_REQUEST, "Parametri non validi."))?;
    page(&s, &sess, p.before, String::new(), true).await
}

pub async fn verify(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
) -> Result<Response, PageError> {
    let (verdict, good) = match db::audit::verify(&s.db).await {
        Ok(n) => (
            format!("Catena integra: {n} registrazioni verificate."),
            true,
        ),
        Err(db::audit::VerifyError::Broken(e)) => (format!("Catena NON integra: {e}"), false),
        Err(e) => return Err(ApiError::internal(e).into()),
    };
    page(&s, &sess, None, verdict, good).await
}
