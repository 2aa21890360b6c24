//! `/api/v1/tickets/{ticket_id}/attachments`: a ticket's files, uploaded as the body and
//! downloaded as a stream of the file store's chunks.

use crate::api::body::{PathId, PathIds};
use crate::api::query;
use crate::auth::ApiUser;
use crate::error::{ApiError, Problem};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kernel::calendar::rfc3339_rome;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A file attached to a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    pub sha256: String,
    pub created_by: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentList {
    pub items: Vec<AttachmentOut>,
}

fn attachment_out(a: helpdesk::attachments::AttachmentInfo) -> AttachmentOut {
    AttachmentOut {
        id: a.id,
        filename: a.filename,
        content_type: a.content_type,
        size: a.size,
        sha256: a.sha256,
        created_by: a.created_by,
        created_at: kernel::time::parse(&a.created_at).map_or(a.created_at, rfc3339_rome),
    }
}

/// The files of a ticket (those of internal notes only for staff).
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_id}/attachments", tag = "helpdesk",
    params(("ticket_id" = i64, Path, description = "ticket id")), security(("bearer" = [])),
    responses((status = 200, body = AttachmentList), (status = 404, body = Problem)))]
pub async fn attachments(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
) -> Result<Json<AttachmentList>, ApiError> {
    let items = helpdesk::attachments::list(&s.db, &caller.actor(), id)
        .await?
        .into_iter()
        .map(attachment_out)
        .collect();
    Ok(Json(AttachmentList { items }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name (a base name is kept; default `allegato`).
    pub(crate) filename: Option<String>,
}

/// An uploaded body's name (from `?filename=`, default `allegato`) and type (`Content-Type`,
/// default `application/octet-stream`): for every upload of a file as the request body.
pub(crate) fn upload_meta(
    uri: &axum::http::Uri,
    headers: &HeaderMap,
) -> Result<(String, String), ApiError> {
    let q: UploadQuery = query(uri.query())?;
    let ctype = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream");
    Ok((
        q.filename.unwrap_or_else(|| "allegato".into()),
        ctype.to_owned(),
    ))
}

/// Attaches a file: the body is the file itself, its type in `Content-Type`, its name in
/// `?filename=`. At most 10 MiB.
#[utoipa::path(post, path = "/api/v1/tickets/{ticket_id}/attachments", tag = "helpdesk",
    params(("ticket_id" = i64, Path, description = "ticket id"), UploadQuery),
    request_body(content = String, content_type = "application/octet-stream", description = "the file's bytes"),
    security(("bearer" = [])),
    responses((status = 201, body = AttachmentOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn upload(
    State(s): State<AppState>,
    caller: ApiUser,
    PathId(id): PathId,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (filename, ctype) = upload_meta(&uri, &headers)?;
    let a =
        helpdesk::attachments::add(&s.db, &caller.actor(), id, &filename, &ctype, &body).await?;
    Ok((StatusCode::CREATED, Json(attachment_out(a))).into_response())
}

/// Downloads a file: always as an attachment, its type as stored, never sniffed.
#[utoipa::path(get, path = "/api/v1/tickets/{ticket_id}/attachments/{attachment_id}", tag = "helpdesk",
    params(("ticket_id" = i64, Path, description = "ticket id"), ("attachment_id" = i64, Path, description = "attachment id")),
    security(("bearer" = [])),
    responses((status = 200, description = "the file's bytes, with the type it was stored with", content_type = "*/*"),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "the stored file no longer matches its SHA-256")))]
pub async fn download(
    State(s): State<AppState>,
    caller: ApiUser,
    PathIds(id, aid): PathIds,
) -> Result<Response, ApiError> {
    let (meta, file) = helpdesk::attachments::fetch(&s.db, &caller.actor(), id, aid).await?;
    Ok(file_response(&meta, file))
}

/// The response of a stored file (API and pages): its chunks streamed as they are read, so a
/// download holds one chunk in memory whatever the file's size.
pub fn file_response(
    meta: &helpdesk::attachments::AttachmentInfo,
    file: db::files::FileReader,
) -> Response {
    named_file_response(&meta.filename, &meta.content_type, file)
}

/// A stored file as a download named `filename` of type `content_type` (never rendered
/// inline, never sniffed), streamed chunk by chunk.
pub fn named_file_response(
    filename: &str,
    content_type: &str,
    file: db::files::FileReader,
) -> Response {
    use axum::http::header;
    // The name travels percent-encoded (RFC 6266 filename*), with an ASCII fallback.
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._- ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox".to_owned(),
            ),
            (header::CONTENT_LENGTH, file.file.size.to_string()),
        ],
        axum::body::Body::from_stream(file.into_stream()),
    )
        .into_response()
}
