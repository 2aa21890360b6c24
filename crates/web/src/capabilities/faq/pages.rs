//! The FAQ as pages: the list and the search (no login: the public answers; a contact also
//! those for contacts), an answer's page with its vote, the suggestions shown while a ticket's
//! subject is typed, and the staff's forms (a new answer, a change, a deletion after a
//! confirmation).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use faq::store::{self, category_label, Article, Draft, Reader, CATEGORIES};
use serde::Deserialize;

use crate::auth::{Flash, PageUser, Session};
use crate::capabilities::delivery::work_pages::refusal;
use crate::client::ClientIp;
use crate::error::PageError;
use crate::pages::confirm::{self, Confirm};
use crate::pages::{back_with, ok, parse_id, render, Layout};
use crate::AppState;

fn reader(session: Option<&Session>) -> Reader {
    session.map_or(Reader::Public, |s| Reader::of(&s.actor()))
}

/// An answer in a list: link, question, category, the start of the answer.
struct Item {
    id: i64,
    title: String,
    category: String,
    excerpt: String,
    public: bool,
}

fn excerpt(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 180 {
        flat
    } else {
        let cut: String = flat.chars().take(180).collect();
        let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
        format!("{cut}…")
    }
}

fn item(a: &Article) -> Item {
    Item {
        id: a.id,
        title: a.title.clone(),
        category: category_label(&a.category).into(),
        excerpt: excerpt(&a.body),
        public: a.public,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
    categoria: String,
}

#[derive(Template)]
#[template(path = "faq/list.html")]
struct ListPage {
    layout: Layout,
    q: String,
    category: String,
    categories: Vec<(&'static str, &'static str)>,
    searched: bool,
    items: Vec<Item>,
    staff: bool,
    flash: Flash,
}

pub async fn list(
    State(s): State<AppState>,
    session: Option<Extension<Session>>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let session = session.as_deref();
    let who = reader(session);
    let category = CATEGORIES
        .iter()
        .find(|(c, _)| *c == q.categoria)
        .map(|(c, _)| *c);
    let searched = !q.q.trim().is_empty();
    let items: Vec<Item> = if searched {
        s.faq
            .search(&s.db, who, &q.q, category, false, 50)
            .await?
            .iter()
            .map(|f| item(&f.article))
            .collect()
    } else {
        store::all(&s.db, who)
            .await?
            .iter()
            .filter(|a| category.is_none_or(|c| a.category == c))
            .map(item)
            .collect()
    };
    let flash = match session {
        Some(sess) => crate::pages::notice(&s, sess).await?,
        None => Flash::default(),
    };
    Ok(ok(&ListPage {
        layout: Layout::new(&s, session, "Domande frequenti", "faq"),
        q: q.q.trim().to_owned(),
        category: category.unwrap_or_default().to_owned(),
        categories: CATEGORIES.to_vec(),
        searched,
        items,
        staff: who == Reader::Staff,
        flash,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ArticleForm {
    titolo: String,
    risposta: String,
    categoria: String,
    pubblica: String,
}

impl ArticleForm {
    fn draft(&self) -> Draft {
        Draft {
            title: self.titolo.clone(),
            body: self.risposta.clone(),
            category: self.categoria.clone(),
            public: !self.pubblica.is_empty(),
        }
    }
}

/// A new answer from the staff's form.
pub async fn create(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Form(f): Form<ArticleForm>,
) -> Result<Response, PageError> {
    match store::create(&s.db, &sess.actor(), &f.draft()).await {
        Ok(a) => {
            back_with(
                &s,
                &sess,
                &format!("/faq/{}", a.id),
                Flash::saved("Risposta pubblicata."),
            )
            .await
        }
        Err(e) => {
            let mut flash = Flash::error(refusal(e)?);
            flash.values = vec![
                ("titolo".into(), f.titolo),
                ("risposta".into(), f.risposta),
                ("categoria".into(), f.categoria),
            ];
            back_with(&s, &sess, "/faq", flash).await
        }
    }
}

#[derive(Template)]
#[template(path = "faq/article.html")]
struct ArticlePage {
    layout: Layout,
    a: Article,
    category: String,
    paragraphs: Vec<Vec<String>>,
    voted: bool,
    staff: bool,
    categories: Vec<(&'static str, &'static str)>,
    flash: Flash,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Voted {
    votato: Option<String>,
}

pub async fn article(
    State(s): State<AppState>,
    session: Option<Extension<Session>>,
    Path(id): Path<String>,
    Query(v): Query<Voted>,
) -> Result<Response, PageError> {
    let session = session.as_deref();
    let id = parse_id(&id)?;
    let who = reader(session);
    let a = store::get(&s.db, who, id)
        .await
        .map_err(|_| PageError::not_found())?;
    let flash = match session {
        Some(sess) => crate::pages::notice(&s, sess).await?,
        None => Flash::default(),
    };
    let paragraphs = a
        .body
        .split("\n\n")
        .map(|p| {
            p.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect();
    Ok(ok(&ArticlePage {
        layout: Layout::new(&s, session, a.title.clone(), "faq"),
        category: category_label(&a.category).into(),
        paragraphs,
        voted: v.votato.is_some(),
        staff: who == Reader::Staff,
        categories: CATEGORIES.to_vec(),
        a,
        flash,
    }))
}

/// A change from the staff's form on the answer's page.
pub async fn update(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<ArticleForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let flash = match store::update(&s.db, &sess.actor(), id, &f.draft()).await {
        Ok(_) => Flash::saved("Risposta aggiornata."),
        Err(faq::FaqError::NotFound) => return Err(PageError::not_found()),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &format!("/faq/{id}"), flash).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Confirmed {
    confermato: String,
}

/// Deletes an answer, after a page that asks.
pub async fn delete(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<Confirmed>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let a = store::get(&s.db, Reader::of(&sess.actor()), id)
        .await
        .map_err(|_| PageError::not_found())?;
    if !confirm::confirmed(&f.confermato) {
        return Ok(confirm::page(
            &s,
            &sess,
            "faq",
            Confirm {
                question: format!("Eliminare la risposta «{}»?", a.title),
                consequences: vec![
                    "La risposta sparisce dalle domande frequenti e dai suggerimenti.".into(),
                    "L'operazione non si può annullare; resta nel registro delle attività.".into(),
                ],
                action: format!("/faq/{id}/elimina"),
                fields: vec![],
                note: None,
                confirm_label: "Elimina la risposta".into(),
                cancel: format!("/faq/{id}"),
            },
        ));
    }
    let flash = match store::delete(&s.db, &sess.actor(), id).await {
        Ok(()) => Flash::saved(format!("Risposta «{}» eliminata.", a.title)),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, "/faq", flash).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VoteForm {
    utile: String,
}

/// A "was this useful" vote, braked per client address like every public form.
pub async fn vote(
    State(s): State<AppState>,
    session: Option<Extension<Session>>,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(f): Form<VoteForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let who = reader(session.as_deref());
    store::get(&s.db, who, id)
        .await
        .map_err(|_| PageError::not_found())?;
    if s.public_limit.take(ip, std::time::Instant::now()).is_err() {
        return Ok((
            StatusCode::TOO_MANY_REQUESTS,
            "Troppe richieste da questo indirizzo: riprovi tra qualche minuto.",
        )
            .into_response());
    }
    store::vote(&s.db, who, id, f.utile == "1").await?;
    Ok(Redirect::to(&format!("/faq/{id}?votato=1")).into_response())
}

#[derive(Template)]
#[template(path = "faq/suggestions.html")]
struct Suggestions {
    items: Vec<Item>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SuggestQuery {
    q: String,
    subject: String,
}

/// The answers that match what is being typed (a fragment for htmx: the new ticket's form).
pub async fn suggest(
    State(s): State<AppState>,
    session: Option<Extension<Session>>,
    Query(q): Query<SuggestQuery>,
) -> Result<Response, PageError> {
    let text = if q.q.trim().is_empty() {
        &q.subject
    } else {
        &q.q
    };
    let items = if text.trim().chars().count() < 3 {
        vec![]
    } else {
        s.faq
            .search(&s.db, reader(session.as_deref()), text, None, true, 5)
            .await?
            .iter()
            .map(|f| item(&f.article))
            .collect()
    };
    Ok(render(StatusCode::OK, &Suggestions { items }))
}
