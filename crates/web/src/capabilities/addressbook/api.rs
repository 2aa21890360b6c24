//! `/api/v1/…/address-books`, `/api/v1/address-entries`, `/api/v1/…/contact-lists`: an
//! entity's address books and send lists, shared by its users. The staff act for any entity,
//! an entity's contacts for their own; another entity's books and lists are "not found".

use addressbook::store::lists::{self, ContactList, ListDetail, Member, MemberDraft};
use addressbook::store::{self, Book, BookDetail, Entry, Format, ImportReport};
use addressbook::{AddressBookError, Card};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kernel::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::{ApiJson, PathId};
use crate::api::query;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::AppState;

/// An entry's fields (all optional but a name or an organisation).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct CardIn {
    pub name: String,
    pub organisation: String,
    pub role: String,
    /// The number SMS go to.
    pub mobile: String,
    pub phone: String,
    pub fax: String,
    pub email: String,
    pub email2: String,
    pub notes: String,
}

impl From<CardIn> for Card {
    fn from(c: CardIn) -> Self {
        Card {
            name: c.name,
            organisation: c.organisation,
            role: c.role,
            mobile: c.mobile,
            phone: c.phone,
            fax: c.fax,
            email: c.email,
            email2: c.email2,
            notes: c.notes,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameIn {
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BookList {
    pub items: Vec<Book>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListList {
    pub items: Vec<ContactList>,
}

/// Creates an address book of the entity.
#[utoipa::path(post, path = "/api/v1/entities/{id}/address-books", tag = "contacts",
    request_body = NameIn, params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 201, body = Book), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_book(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<NameIn>,
) -> Result<Response, ApiError> {
    let book = store::create_book(&s.db, &caller.actor(), id, &b.name).await?;
    Ok((StatusCode::CREATED, Json(book)).into_response())
}

/// The entity's address books.
#[utoipa::path(get, path = "/api/v1/entities/{id}/address-books", tag = "contacts",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = BookList), (status = 404, body = Problem)))]
pub async fn books(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<BookList>, ApiError> {
    Ok(Json(BookList {
        items: store::books(&s.db, &caller.actor(), id).await?,
    }))
}

/// An address book with its entries.
#[utoipa::path(get, path = "/api/v1/address-books/{book_id}", tag = "contacts",
    params(("book_id" = i64, Path, description = "address book id")), security(("bearer" = [])),
    responses((status = 200, body = BookDetail), (status = 404, body = Problem)))]
pub async fn book(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<BookDetail>, ApiError> {
    Ok(Json(store::book_detail(&s.db, &caller.actor(), id).await?))
}

/// Adds an entry; the same person twice (a shared number or address) is refused.
#[utoipa::path(post, path = "/api/v1/address-books/{book_id}/entries", tag = "contacts",
    request_body = CardIn, params(("book_id" = i64, Path, description = "address book id")), security(("bearer" = [])),
    responses((status = 201, body = Entry), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(c): ApiJson<CardIn>,
) -> Result<Response, ApiError> {
    let e = store::add(&s.db, &caller.actor(), id, &c.into()).await?;
    Ok((StatusCode::CREATED, Json(e)).into_response())
}

/// One entry.
#[utoipa::path(get, path = "/api/v1/address-entries/{entry_id}", tag = "contacts",
    params(("entry_id" = i64, Path, description = "entry id")), security(("bearer" = [])),
    responses((status = 200, body = Entry), (status = 404, body = Problem)))]
pub async fn entry(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<Entry>, ApiError> {
    Ok(Json(store::entry(&s.db, &caller.actor(), id).await?))
}

/// Changes an entry.
#[utoipa::path(put, path = "/api/v1/address-entries/{entry_id}", tag = "contacts",
    request_body = CardIn, params(("entry_id" = i64, Path, description = "entry id")), security(("bearer" = [])),
    responses((status = 200, body = Entry), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(c): ApiJson<CardIn>,
) -> Result<Json<Entry>, ApiError> {
    Ok(Json(
        store::update(&s.db, &caller.actor(), id, &c.into()).await?,
    ))
}

/// Deletes an entry (send lists keep their copy).
#[utoipa::path(delete, path = "/api/v1/address-entries/{entry_id}", tag = "contacts",
    params(("entry_id" = i64, Path, description = "entry id")), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    store::delete(&s.db, &caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportParams {
    /// `csv` or `vcard` (else from the body's content type: `text/vcard` is vCard).
    #[serde(default)]
    pub format: Option<String>,
    /// Say what would be added and what is a duplicate, storing nothing.
    #[serde(default)]
    pub dry_run: Option<bool>,
}

pub(crate) fn format_of(
    name: Option<&str>,
    content_type: &str,
) -> Result<Format, AddressBookError> {
    match name.map(str::trim) {
        Some("csv") => Ok(Format::Csv),
        Some("vcard" | "vcf") => Ok(Format::VCard),
        Some(other) => Err(AddressBookError::Invalid(vec![FieldError::new(
            "format",
            format!("formato «{other}» sconosciuto: csv o vcard"),
        )])),
        None if content_type.contains("vcard") || content_type.contains("directory") => {
            Ok(Format::VCard)
        }
        None => Ok(Format::Csv),
    }
}

/// Imports a CSV or vCard file (the body): any wrong line refuses the whole file, each line
/// named; people already in the book (or twice in the file) are left out and listed.
#[utoipa::path(post, path = "/api/v1/address-books/{book_id}/import", tag = "contacts",
    params(("book_id" = i64, Path, description = "address book id"), ImportParams),
    request_body(content = String, content_type = "text/csv"), security(("bearer" = [])),
    responses((status = 200, body = ImportReport), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn import(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let actor = caller.actor();
    // Out of scope is "not found" before the file is read.
    store::book(&s.db, &actor, id).await?;
    let p: ImportParams = query(raw.as_deref())?;
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let f = format_of(p.format.as_deref(), &ctype)?;
    Ok(Json(
        store::import(&s.db, &actor, id, f, &body, p.dry_run.unwrap_or(false)).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// `csv` (default) or `vcard`.
    #[serde(default)]
    pub format: Option<String>,
}

pub(crate) fn file(name: &str, ctype: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, ctype.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// The book as a CSV or vCard file.
#[utoipa::path(get, path = "/api/v1/address-books/{book_id}/export", tag = "contacts",
    params(("book_id" = i64, Path, description = "address book id"), ExportParams), security(("bearer" = [])),
    responses((status = 200, description = "CSV or vCard file", content_type = "text/csv"), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn export(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    store::book(&s.db, &actor, id).await?;
    let p: ExportParams = query(raw.as_deref())?;
    let f = format_of(Some(p.format.as_deref().unwrap_or("csv")), "")?;
    let (name, ctype, body) = store::export(&s.db, &actor, id, f).await?;
    Ok(file(&name, ctype, body))
}

/// Creates a send list of the entity.
#[utoipa::path(post, path = "/api/v1/entities/{id}/contact-lists", tag = "contacts",
    request_body = NameIn, params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 201, body = ContactList), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_list(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(b): ApiJson<NameIn>,
) -> Result<Response, ApiError> {
    let l = lists::create(&s.db, &caller.actor(), id, &b.name).await?;
    Ok((StatusCode::CREATED, Json(l)).into_response())
}

/// The entity's send lists.
#[utoipa::path(get, path = "/api/v1/entities/{id}/contact-lists", tag = "contacts",
    params(("id" = i64, Path, description = "entity id")), security(("bearer" = [])),
    responses((status = 200, body = ListList), (status = 404, body = Problem)))]
pub async fn list_lists(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<ListList>, ApiError> {
    Ok(Json(ListList {
        items: lists::of_entity(&s.db, &caller.actor(), id).await?,
    }))
}

/// A send list with its members.
#[utoipa::path(get, path = "/api/v1/contact-lists/{contact_list_id}", tag = "contacts",
    params(("contact_list_id" = i64, Path, description = "send list id")), security(("bearer" = [])),
    responses((status = 200, body = ListDetail), (status = 404, body = Problem)))]
pub async fn get_list(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<ListDetail>, ApiError> {
    Ok(Json(lists::detail(&s.db, &caller.actor(), id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIn {
    /// With `entry_id` the entry's name is used.
    #[serde(default)]
    pub name: Option<String>,
    /// A mobile for SMS.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Taken from this entry of the entity's address books.
    #[serde(default)]
    pub entry_id: Option<i64>,
}

/// Adds a recipient (typed in, or from the address book); the same number or address twice
/// in a list is refused.
#[utoipa::path(post, path = "/api/v1/contact-lists/{contact_list_id}/members", tag = "contacts",
    request_body = MemberIn, params(("contact_list_id" = i64, Path, description = "send list id")), security(("bearer" = [])),
    responses((status = 201, body = Member), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_member(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    ApiJson(m): ApiJson<MemberIn>,
) -> Result<Response, ApiError> {
    let saved = lists::add(
        &s.db,
        &caller.actor(),
        id,
        &MemberDraft {
            name: m.name.unwrap_or_default(),
            phone: m.phone.unwrap_or_default(),
            email: m.email.unwrap_or_default(),
            entry_id: m.entry_id,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(saved)).into_response())
}

/// Takes a recipient off its list.
#[utoipa::path(delete, path = "/api/v1/contact-list-members/{member_id}", tag = "contacts",
    params(("member_id" = i64, Path, description = "member id")), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn remove_member(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<StatusCode, ApiError> {
    lists::remove(&s.db, &caller.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
