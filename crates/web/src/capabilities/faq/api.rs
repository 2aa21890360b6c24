//! `/api/v1/faq`: the centre's answers to frequent questions. The staff write them; everyone
//! with an account reads and searches what their role may see (contacts: the public ones and
//! those for contacts).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use faq::store::{self, Article, Draft, Found, Reader};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::{ApiJson, PathId};
use crate::api::query;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleIn {
    /// The question.
    pub title: String,
    /// The answer (plain text; blank lines separate paragraphs).
    pub body: String,
    /// `firma`, `pec`, `posta`, `domini`, `hosting`, `sicurezza`, `applicativi`, `altro`.
    pub category: String,
    /// On the public page (else for the entities' contacts only).
    pub public: bool,
}

impl From<ArticleIn> for Draft {
    fn from(a: ArticleIn) -> Self {
        Draft {
            title: a.title,
            body: a.body,
            category: a.category,
            public: a.public,
        }
    }
}

/// Writes an answer (staff).
#[utoipa::path(post, path = "/api/v1/faq", tag = "faq", request_body = ArticleIn,
    security(("bearer" = [])),
    responses((status = 201, body = Article), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: ApiUser,
    ApiJson(a): ApiJson<ArticleIn>,
) -> Result<Response, ApiError> {
    let saved = store::create(&s.db, &caller.actor(), &a.into()).await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// The words looked for (accents, plurals and small typos forgiven); none: every article.
    #[serde(default)]
    pub q: Option<String>,
    /// One category.
    #[serde(default)]
    pub category: Option<String>,
    /// The last word is still being typed: it also matches the words it begins.
    #[serde(default)]
    pub typing: Option<bool>,
    /// At most this many (1–100, default 20).
    #[serde(default)]
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FoundList {
    pub items: Vec<Found>,
}

/// The answers the caller may see, best first for a search.
#[utoipa::path(get, path = "/api/v1/faq", tag = "faq", params(SearchParams),
    security(("bearer" = [])),
    responses((status = 200, body = FoundList), (status = 400, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<FoundList>, ApiError> {
    let p: SearchParams = query(raw.as_deref())?;
    let reader = Reader::of(&caller.actor());
    let limit = p.limit.unwrap_or(20).clamp(1, 100);
    let q = p.q.unwrap_or_default();
    let items = if q.trim().is_empty() {
        store::all(&s.db, reader)
            .await?
            .into_iter()
            .filter(|a| p.category.as_deref().is_none_or(|c| a.category == c))
            .take(limit)
            .map(|article| Found {
                article,
                score: 0.0,
            })
            .collect()
    } else {
        s.faq
            .search(
                &s.db,
                reader,
                &q,
                p.category.as_deref(),
                p.typing.unwrap_or(false),
                limit,
            )
            .await?
    };
    Ok(Json(FoundList { items }))
}

/// One answer.
#[utoipa::path(get, path = "/api/v1/faq/{faq_id}", tag = "faq",
    params(("faq_id" = i64, Path, description = "article id")), security(("bearer" = [])),
    responses((status = 200, body = Article), (status = 404, body = Problem)))]
pub async fn get(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Article>, ApiError> {
    Ok(Json(
        store::get(&s.db, Reader::of(&caller.actor()), id).await?,
    ))
}

/// Changes an answer (staff).
#[utoipa::path(put, path = "/api/v1/faq/{faq_id}", tag = "faq", request_body = ArticleIn,
    params(("faq_id" = i64, Path, description = "article id")), security(("bearer" = [])),
    responses((status = 200, body = Article), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(a): ApiJson<ArticleIn>,
) -> Result<Json<Article>, ApiError> {
    Ok(Json(
        store::update(&s.db, &caller.actor(), id, &a.into()).await?,
    ))
}

/// Deletes an answer (staff).
#[utoipa::path(delete, path = "/api/v1/faq/{faq_id}", tag = "faq",
    params(("faq_id" = i64, Path, description = "article id")), security(("bearer" = [])),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn delete(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    store::delete(&s.db, &caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteIn {
    /// Whether the answer was useful.
    pub useful: bool,
}

/// Counts a "was this useful" vote.
#[utoipa::path(post, path = "/api/v1/faq/{faq_id}/vote", tag = "faq", request_body = VoteIn,
    params(("faq_id" = i64, Path, description = "article id")), security(("bearer" = [])),
    responses((status = 200, body = Article), (status = 404, body = Problem)))]
pub async fn vote(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(v): ApiJson<VoteIn>,
) -> Result<Json<Article>, ApiError> {
    Ok(Json(
        store::vote(&s.db, Reader::of(&caller.actor()), id, v.useful).await?,
    ))
}
