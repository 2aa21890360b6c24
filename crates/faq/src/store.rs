//! The articles in the database and the search over them. Every change moves `faq_revision` in
//! its transaction; a [`Library`] (one per process) rebuilds its index when the number it finds
//! is not the one it built from, so several processes sharing a database answer alike.

use std::collections::HashMap;
use std::sync::Arc;

use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::{Actor, FieldError, Role};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;
use tokio::sync::RwLock;

use crate::index::{Ask, Index, Source};
use crate::FaqError;

/// The categories of the articles: (code, Italian).
pub const CATEGORIES: [(&str, &str); 8] = [
    ("firma", "Firma digitale"),
    ("pec", "Posta elettronica certificata"),
    ("posta", "Posta elettronica"),
    ("domini", "Domini e siti"),
    ("hosting", "Hosting e server"),
    ("sicurezza", "Sicurezza e antivirus"),
    ("applicativi", "Applicativi"),
    ("altro", "Altro"),
];

pub fn category_label(code: &str) -> &'static str {
    CATEGORIES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("Altro", |(_, l)| l)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Article {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub category: String,
    /// On the public page (else for the entities' contacts and the staff).
    pub public: bool,
    /// "Useful" votes.
    pub useful: i64,
    /// "Not useful" votes.
    pub not_useful: i64,
    pub updated_at: String,
    pub version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Draft {
    pub title: String,
    pub body: String,
    pub category: String,
    pub public: bool,
}

/// Who reads: what they may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Anyone, without login: the public articles.
    Public,
    /// An entity's contact (or a supplier): the public ones and those for contacts.
    Contact,
    /// The centre's staff: all.
    Staff,
}

impl Reader {
    pub fn of(actor: &Actor) -> Self {
        match actor.role {
            Role::Admin | Role::Operator => Self::Staff,
            Role::Contact => Self::Contact,
            Role::Supplier => Self::Public,
        }
    }
    fn sees(self, public: bool) -> bool {
        public || self != Reader::Public
    }
}

const COLS: &str = "id, title, body, category, public, useful, not_useful, updated_at, version";

fn row(r: &sqlx::any::AnyRow) -> Result<Article, sqlx::Error> {
    Ok(Article {
        id: r.try_get(0)?,
        title: r.try_get(1)?,
        body: r.try_get(2)?,
        category: r.try_get(3)?,
        public: r.try_get::<i64, _>(4)? != 0,
        useful: r.try_get(5)?,
        not_useful: r.try_get(6)?,
        updated_at: r.try_get(7)?,
        version: r.try_get(8)?,
    })
}

fn check(d: &Draft) -> Result<(String, String, String), FaqError> {
    let mut wrong = vec![];
    let title = d.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 300 {
        wrong.push(FieldError::new(
            "title",
            "scrivere la domanda (al massimo 300 caratteri)",
        ));
    }
    let body = d.body.trim().to_owned();
    if body.is_empty() || body.chars().count() > 50_000 {
        wrong.push(FieldError::new(
            "body",
            "scrivere la risposta (al massimo 50.000 caratteri)",
        ));
    }
    let category = d.category.trim().to_owned();
    if !CATEGORIES.iter().any(|(c, _)| *c == category) {
        wrong.push(FieldError::new(
            "category",
            format!(
                "categoria sconosciuta: {}",
                CATEGORIES.map(|(c, _)| c).join(", ")
            ),
        ));
    }
    if !wrong.is_empty() {
        return Err(FaqError::Invalid(wrong));
    }
    Ok((title, body, category))
}

fn staff(actor: &Actor) -> Result<(), FaqError> {
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(FaqError::StaffOnly)
    }
}

async fn bump(tx: &mut db::WriteTx) -> Result<(), FaqError> {
    sqlx::query("UPDATE faq_revision SET n = n + 1 WHERE id = 1")
        .execute(tx.conn())
        .await?;
    Ok(())
}

async fn audited(
    tx: &mut db::WriteTx,
    actor: &Actor,
    action: &str,
    id: i64,
    after: serde_json::Value,
) -> Result<(), FaqError> {
    audit::append(
        tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: action.into(),
            object_type: "faq_article".into(),
            object_id: id.to_string(),
            entity_id: None,
            before: None,
            after: Some(after.to_string()),
        },
    )
    .await?;
    Ok(())
}

/// Writes a new article (the centre's staff).
pub async fn create(db: &Db, actor: &Actor, d: &Draft) -> Result<Article, FaqError> {
    staff(actor)?;
    let (title, body, category) = check(d)?;
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO faq_articles (title, body, category, public, created_by, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(&title)
    .bind(&body)
    .bind(&category)
    .bind(i64::from(d.public))
    .bind(&actor.label)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    bump(&mut tx).await?;
    audited(
        &mut tx,
        actor,
        "create",
        id,
        json!({"title": title, "category": category, "public": d.public}),
    )
    .await?;
    tx.commit().await?;
    get(db, Reader::Staff, id).await
}

/// Changes an article (the centre's staff).
pub async fn update(db: &Db, actor: &Actor, id: i64, d: &Draft) -> Result<Article, FaqError> {
    staff(actor)?;
    let (title, body, category) = check(d)?;
    let mut tx = db.write().await?;
    let done = sqlx::query(
        "UPDATE faq_articles SET title = $2, body = $3, category = $4, public = $5, \
         updated_at = $6, version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(&title)
    .bind(&body)
    .bind(&category)
    .bind(i64::from(d.public))
    .bind(kernel::time::now())
    .execute(tx.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Err(FaqError::NotFound);
    }
    bump(&mut tx).await?;
    audited(
        &mut tx,
        actor,
        "update",
        id,
        json!({"title": title, "category": category, "public": d.public}),
    )
    .await?;
    tx.commit().await?;
    get(db, Reader::Staff, id).await
}

/// Deletes an article (the centre's staff).
pub async fn delete(db: &Db, actor: &Actor, id: i64) -> Result<(), FaqError> {
    staff(actor)?;
    let a = get(db, Reader::Staff, id).await?;
    let mut tx = db.write().await?;
    let done = sqlx::query("DELETE FROM faq_articles WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    if done.rows_affected() == 0 {
        return Err(FaqError::NotFound);
    }
    bump(&mut tx).await?;
    audited(&mut tx, actor, "delete", id, json!({"title": a.title})).await?;
    tx.commit().await?;
    Ok(())
}

/// One article the reader may see.
pub async fn get(db: &Db, reader: Reader, id: i64) -> Result<Article, FaqError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM faq_articles WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(FaqError::NotFound)?;
    let a = row(&r)?;
    if !reader.sees(a.public) {
        return Err(FaqError::NotFound);
    }
    Ok(a)
}

/// The articles the reader may see, by category then title (at most 2,000).
pub async fn all(db: &Db, reader: Reader) -> Result<Vec<Article>, FaqError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM faq_articles WHERE public = 1 OR $1 = 1 \
         ORDER BY category, title, id LIMIT 2000"
    )))
    .bind(i64::from(reader != Reader::Public))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(row)
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}

/// Counts a "was this useful" vote.
pub async fn vote(db: &Db, reader: Reader, id: i64, useful: bool) -> Result<Article, FaqError> {
    get(db, reader, id).await?;
    let column = if useful { "useful" } else { "not_useful" };
    let mut tx = db.write().await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE faq_articles SET {column} = {column} + 1 WHERE id = $1"
    )))
    .bind(id)
    .execute(tx.conn())
    .await?;
    tx.commit().await?;
    get(db, reader, id).await
}

/// A search's answer: the article and its score.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Found {
    #[serde(flatten)]
    pub article: Article,
    pub score: f32,
}

struct Built {
    revision: i64,
    index: Index,
    articles: HashMap<i64, Article>,
}

/// The search of one process: the index of every article, rebuilt when the articles change.
#[derive(Clone, Default)]
pub struct Library {
    built: Arc<RwLock<Option<Built>>>,
}

impl Library {
    async fn fresh(
        &self,
        db: &Db,
    ) -> Result<tokio::sync::RwLockReadGuard<'_, Option<Built>>, FaqError> {
        let now: i64 = sqlx::query_scalar("SELECT n FROM faq_revision WHERE id = 1")
            .fetch_one(db.pool())
            .await?;
        {
            let guard = self.built.read().await;
            if guard.as_ref().is_some_and(|b| b.revision == now) {
                return Ok(guard);
            }
        }
        let mut w = self.built.write().await;
        if w.as_ref().is_none_or(|b| b.revision != now) {
            // Read the revision with the rows, so an index never claims a newer one than it has.
            let mut tx = db.pool().begin().await?;
            let revision: i64 = sqlx::query_scalar("SELECT n FROM faq_revision WHERE id = 1")
                .fetch_one(&mut *tx)
                .await?;
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLS} FROM faq_articles ORDER BY id"
            )))
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            let articles: Vec<Article> = rows.iter().map(row).collect::<Result<_, _>>()?;
            let index = Index::build(articles.iter().map(|a| Source {
                id: a.id,
                public: a.public,
                category: &a.category,
                title: &a.title,
                body: &a.body,
            }));
            *w = Some(Built {
                revision,
                index,
                articles: articles.into_iter().map(|a| (a.id, a)).collect(),
            });
        }
        Ok(w.downgrade())
    }

    /// The articles the reader may see that answer `q`, best first; `category` keeps one.
    pub async fn search(
        &self,
        db: &Db,
        reader: Reader,
        q: &str,
        category: Option<&str>,
        typing: bool,
        limit: usize,
    ) -> Result<Vec<Found>, FaqError> {
        let built = self.fresh(db).await?;
        let Some(b) = built.as_ref() else {
            return Ok(vec![]);
        };
        let hits = b.index.search(
            q,
            Ask { typing },
            |e| reader.sees(e.public) && category.is_none_or(|c| e.category == c),
            limit,
        );
        Ok(hits
            .into_iter()
            .filter_map(|(id, score)| {
                b.articles.get(&id).map(|a| Found {
                    article: a.clone(),
                    score,
                })
            })
            .collect())
    }
}
