//! The calls for tender on the entity's public pages: by state (active, expired, expired with
//! outcome, archive), each with its documents and its dated corrections, and an Atom feed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use portal::store::tenders::{self, category_label, Tender};
use portal::tenders::TenderState;

use super::public_pages::{frame, with_module, Frame};
use crate::error::PageError;
use crate::pages::render;
use crate::AppState;

/// The tabs: the code in the address, the label, the state.
const TABS: [(&str, &str, TenderState); 4] = [
    ("attivi", "Attivi", TenderState::Active),
    ("scaduti", "Scaduti", TenderState::Expired),
    (
        "esito",
        "Scaduti con esito",
        TenderState::ExpiredWithOutcome,
    ),
    ("archivio", "Archivio", TenderState::Archived),
];

struct Row {
    id: i64,
    title: String,
    category: &'static str,
    published: String,
    deadline: String,
    corrections: usize,
    corrections_label: String,
}

#[derive(Template)]
#[template(path = "public/tenders.html")]
struct TendersPage {
    p: Frame,
    tabs: Vec<(&'static str, &'static str, bool)>,
    tenders: Vec<Row>,
    empty_label: String,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TabQuery {
    stato: String,
}

fn day(v: &str) -> String {
    v.parse::<chrono::NaiveDate>()
        .map_or_else(|_| v.to_owned(), kernel::time::display_date)
}

pub async fn list(
    State(s): State<AppState>,
    Path(entity): Path<String>,
    Query(q): Query<TabQuery>,
) -> Result<Response, PageError> {
    let (id, name) = with_module(&s, &entity, "tenders").await?;
    let tab = TABS
        .iter()
        .find(|(code, _, _)| *code == q.stato)
        .unwrap_or(&TABS[0]);
    let all = tenders::list(&s.db, id, s.clock.now(), Some(tab.2), true).await?;
    let tenders = all
        .iter()
        .map(|t| Row {
            id: t.id,
            title: t.title.clone(),
            category: category_label(&t.category),
            published: day(&t.published_on),
            deadline: kernel::time::display_rome(&t.deadline_at),
            corrections: t.rectifications.len(),
            corrections_label: if t.rectifications.len() == 1 {
                "1 rettifica".into()
            } else {
                format!("{} rettifiche", t.rectifications.len())
            },
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &TendersPage {
            p: frame(id, &name, "Bandi di gara", vec![]),
            tabs: TABS
                .iter()
                .map(|(code, label, st)| (*code, *label, *st == tab.2))
                .collect(),
            tenders,
            empty_label: match tab.2 {
                TenderState::Active => "attivo".into(),
                TenderState::Expired => "scaduto in attesa di esito".into(),
                TenderState::ExpiredWithOutcome => "scaduto con esito".into(),
                TenderState::Archived => "in archivio".into(),
            },
        },
    ))
}

struct TenderView {
    category: &'static str,
    title: String,
    state: &'static str,
    badge: &'static str,
    published: String,
    deadline: String,
    outcome_on: String,
    description: Vec<String>,
    outcome: Vec<String>,
    documents: Vec<(String, String, String)>,
    corrections: Vec<(String, String, String)>,
}

fn paragraphs(t: &str) -> Vec<String> {
    t.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// What a correction changed, in words: "Scadenza: 15/12/2026 12:00 → 22/12/2026 12:00".
fn changed(changes: &serde_json::Value) -> String {
    let shown = |field: &str, v: &serde_json::Value| -> String {
        let s = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        match (field, v) {
            (_, serde_json::Value::Null) => "—".into(),
            ("deadline_at" | "outcome_on", _) => kernel::time::display_rome(&s),
            ("published_on", _) => day(&s),
            ("category", _) => category_label(&s).to_owned(),
            ("description" | "outcome", _) => "testo modificato".into(),
            _ => format!("«{s}»"),
        }
    };
    let label = |f: &str| match f {
        "title" => "Titolo",
        "category" => "Categoria",
        "description" => "Descrizione",
        "published_on" => "Pubblicazione",
        "deadline_at" => "Scadenza",
        "outcome_on" => "Esito",
        "outcome" => "Testo dell'esito",
        "archive_months" => "Mesi prima dell'archivio",
        "documents" => "Documenti",
        _ => "Altro",
    };
    changes
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let (before, after) = (&v[0], &v[1]);
            if k == "documents" {
                // The correction's own text already names the document.
                String::new()
            } else if matches!(k.as_str(), "description" | "outcome") {
                format!("{}: testo modificato", label(k))
            } else {
                format!("{}: {} → {}", label(k), shown(k, before), shown(k, after))
            }
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

fn view(entity_id: i64, t: &Tender) -> TenderView {
    let (state, badge) = match t.state {
        TenderState::Active => ("Attivo", "success"),
        TenderState::Expired => ("Scaduto", "secondary"),
        TenderState::ExpiredWithOutcome => ("Scaduto con esito", "primary"),
        TenderState::Archived => ("Archivio", "dark"),
    };
    TenderView {
        category: category_label(&t.category),
        title: t.title.clone(),
        state,
        badge,
        published: day(&t.published_on),
        deadline: kernel::time::display_rome(&t.deadline_at),
        outcome_on: t
            .outcome_on
            .as_deref()
            .map(kernel::time::display_rome)
            .unwrap_or_default(),
        description: paragraphs(&t.description),
        outcome: if t.state == TenderState::ExpiredWithOutcome || t.state == TenderState::Archived {
            paragraphs(&t.outcome)
        } else {
            vec![]
        },
        documents: t
            .documents
            .iter()
            .map(|d| {
                (
                    format!("/p/{entity_id}/bandi/{}/documenti/{}", t.id, d.id),
                    d.name.clone(),
                    size(d.size),
                )
            })
            .collect(),
        corrections: t
            .rectifications
            .iter()
            .map(|r| {
                (
                    kernel::time::display_rome(&r.at),
                    r.text.clone(),
                    changed(&r.changes),
                )
            })
            .collect(),
    }
}

/// A size the Italian way: "12 kB", "1,5 MB".
fn size(bytes: i64) -> String {
    if bytes < 1_000_000 {
        format!("{} kB", (bytes + 999) / 1000)
    } else {
        format!("{:.1} MB", bytes as f64 / 1e6).replace('.', ",")
    }
}

#[derive(Template)]
#[template(path = "public/tender.html")]
struct TenderPage {
    p: Frame,
    t: TenderView,
}

pub async fn detail(
    State(s): State<AppState>,
    Path((entity, tender)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (id, name) = with_module(&s, &entity, "tenders").await?;
    let tid: i64 = tender.parse().map_err(|_| PageError::not_found())?;
    let t = tenders::public_get(&s.db, id, tid, s.clock.now())
        .await
        .map_err(|_| PageError::not_found())?;
    Ok(render(
        StatusCode::OK,
        &TenderPage {
            p: frame(
                id,
                &name,
                &t.title,
                vec![(format!("/p/{id}/bandi"), "Bandi di gara".into())],
            ),
            t: view(id, &t),
        },
    ))
}

pub async fn document(
    State(s): State<AppState>,
    Path((entity, tender, doc)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let (id, _) = with_module(&s, &entity, "tenders").await?;
    let (tid, did): (i64, i64) = match (tender.parse(), doc.parse()) {
        (Ok(t), Ok(d)) => (t, d),
        _ => return Err(PageError::not_found()),
    };
    let (d, file) = tenders::public_document(&s.db, id, tid, did, s.clock.now())
        .await
        .map_err(|_| PageError::not_found())?;
    Ok(
        crate::capabilities::helpdesk::attachments_api::named_file_response(
            &d.name,
            &d.content_type,
            file,
        ),
    )
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The entity's published calls as an Atom feed (RFC 4287), the most recently changed first.
pub async fn feed(
    State(s): State<AppState>,
    Path(entity): Path<String>,
) -> Result<Response, PageError> {
    let (id, name) = with_module(&s, &entity, "tenders").await?;
    let now = s.clock.now();
    let mut all = tenders::list(&s.db, id, now, None, true).await?;
    let updated = |t: &Tender| {
        t.rectifications
            .last()
            .map_or_else(|| t.created_at.clone(), |r| r.at.clone())
    };
    all.sort_by_key(|t| std::cmp::Reverse(updated(t)));
    all.truncate(100);
    let latest = all
        .first()
        .map_or_else(|| kernel::time::format(now), updated);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"it\">\n\
         <title>Bandi di gara – {}</title>\n<id>urn:cst:entity:{id}:tenders</id>\n<updated>{latest}</updated>\n\
         <link rel=\"alternate\" href=\"/p/{id}/bandi\"/>\n<link rel=\"self\" href=\"/p/{id}/bandi.atom\"/>\n\
         <author><name>{}</name></author>\n",
        xml(&name),
        xml(&name)
    );
    for t in &all {
        let v = view(id, t);
        out.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>urn:cst:tender:{}</id>\n<updated>{}</updated>\n\
             <link rel=\"alternate\" href=\"/p/{id}/bandi/{}\"/>\n<category term=\"{}\" label=\"{}\"/>\n\
             <summary>{}: {} · scadenza {}{}</summary>\n</entry>\n",
            xml(&t.title),
            t.id,
            updated(t),
            t.id,
            xml(&t.category),
            xml(v.category),
            v.state,
            xml(v.category),
            xml(&v.deadline),
            if t.rectifications.is_empty() {
                String::new()
            } else {
                format!(" · {} rettifiche", t.rectifications.len())
            }
        ));
    }
    out.push_str("</feed>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        out,
    )
        .into_response())
}
