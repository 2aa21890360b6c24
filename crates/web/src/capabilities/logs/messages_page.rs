//! `/entities/{id}/logs/messaggi`: the search in an entity's raw messages, on the shared list
//! component.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use logs::store::query::{self, LogLine};
use serde::Deserialize;

use crate::auth::PageUser;
use crate::error::PageError;
use crate::pages::list::{self, Column, ListView, PER_PAGE};
use crate::pages::{ok, parse_id, Layout};
use crate::AppState;

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct MessageFilters {
    testo: String,
    sistema: String,
    dal: String,
    al: String,
}

pub struct MessageRow {
    pub at: String,
    pub host: String,
    pub app: String,
    pub peer: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "logs/messages.html")]
struct MessagesPage {
    layout: Layout,
    entity_id: i64,
    entity_name: String,
    f: MessageFilters,
    problems: Vec<String>,
    rows: Vec<MessageRow>,
    list: ListView,
}

fn message_row(m: LogLine) -> MessageRow {
    MessageRow {
        at: kernel::time::display_rome(&m.received_at),
        host: m.hostname.unwrap_or_default(),
        app: m.app.unwrap_or_default(),
        peer: m.peer,
        text: m.text,
    }
}

/// Search in the raw messages.
pub async fn messages(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let entity = logs::review::may_review(&s.db, &actor, id).await?;
    let (f, paging) = list::params::<MessageFilters>(raw.as_deref());
    let mut problems = Vec::new();
    let (from, to) = match logs::model::window(Some(&f.dal), Some(&f.al)) {
        Ok(w) => w,
        Err(e) => {
            problems.extend(e.into_iter().map(|e| e.message));
            (None, None)
        }
    };
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let (items, total) = if problems.is_empty() {
        query::messages(
            &s.logs.store,
            &query::LogFilter {
                entity_id: id,
                from,
                to,
                q: text(&f.testo),
                host: text(&f.sistema),
                limit: PER_PAGE,
                offset: paging.offset(),
            },
        )
        .await?
    } else {
        (Vec::new(), 0)
    };
    let filters = list::filled(&[
        ("testo", &f.testo),
        ("sistema", &f.sistema),
        ("dal", &f.dal),
        ("al", &f.al),
    ]);
    let shown = items.len();
    Ok(ok(&MessagesPage {
        layout: Layout::new(
            &s,
            Some(&sess),
            format!("Messaggi di sistema – {}", entity.data.name),
            "entities",
        ),
        entity_id: id,
        entity_name: entity.data.name,
        f,
        problems,
        rows: items.into_iter().map(message_row).collect(),
        list: ListView::unsorted(
            format!("/entities/{id}/logs/messaggi"),
            "message-list",
            filters,
            &paging,
            total,
            shown,
            ("messaggio", "messaggi"),
            vec![
                Column::plain("Ricevuto"),
                Column::plain("Sistema"),
                Column::plain("Messaggio"),
            ],
        ),
    }))
}
