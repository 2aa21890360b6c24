//! The documents of a call for tender, in the file store; one added to a published call is
//! recorded as a correction too.

use chrono::{DateTime, Utc};
use db::Db;
use kernel::Actor;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::{get, read, rectify, Tender};
use crate::store::{audit_event, manager, About};
use crate::PortalError;

/// The largest document of a call: 20 MiB.
pub const MAX_DOCUMENT: usize = 20 * 1024 * 1024;
/// Documents per call.
pub const MAX_DOCUMENTS: i64 = 50;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TenderDocument {
    pub id: i64,
    pub tender_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub added_at: String,
}

/// The documents of a call, in the order they were added.
pub(super) async fn documents(
    conn: &mut sqlx::AnyConnection,
    tender_id: i64,
) -> Result<Vec<TenderDocument>, PortalError> {
    let rows = sqlx::query(
        "SELECT id, tender_id, name, content_type, size, sha256, added_at FROM tender_documents \
         WHERE tender_id = $1 ORDER BY id",
    )
    .bind(tender_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TenderDocument {
                id: r.try_get(0)?,
                tender_id: r.try_get(1)?,
                name: r.try_get(2)?,
                content_type: r.try_get(3)?,
                size: r.try_get(4)?,
                sha256: r.try_get(5)?,
                added_at: r.try_get(6)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Adds a document to a call (its bytes to the file store). On a published call the addition
/// is also recorded as a correction, so that it is never silent.
pub async fn add_document(
    db: &Db,
    actor: &Actor,
    tender_id: i64,
    name: &str,
    content_type: &str,
    data: &[u8],
    now: DateTime<Utc>,
) -> Result<TenderDocument, PortalError> {
    let mut tx = db.write().await?;
    let t = read(tx.conn(), actor.scope_param(), tender_id, now).await?;
    manager(actor)?;
    let name = helpdesk::attachments::clean_filename(name);
    if data.is_empty() || data.len() > MAX_DOCUMENT {
        return Err(PortalError::field(
            "file",
            format!("«{name}»: il documento deve avere da 1 byte a 20 MiB"),
        ));
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tender_documents WHERE tender_id = $1")
        .bind(tender_id)
        .fetch_one(tx.conn())
        .await?;
    if n >= MAX_DOCUMENTS {
        return Err(PortalError::field(
            "file",
            format!("il bando ha già {MAX_DOCUMENTS} documenti, il massimo"),
        ));
    }
    let content_type = helpdesk::attachments::clean_content_type(content_type);
    let stored = db::files::put(&mut tx, data).await?;
    let added = kernel::time::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tender_documents (tender_id, name, content_type, sha256, size, added_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(tender_id)
    .bind(&name)
    .bind(&content_type)
    .bind(&stored.sha256)
    .bind(stored.size)
    .bind(&added)
    .fetch_one(tx.conn())
    .await?;
    if t.published {
        let mut changes = serde_json::Map::new();
        changes.insert("documents".into(), json!([null, name]));
        rectify(
            &mut tx,
            actor,
            tender_id,
            &format!("Aggiunto il documento «{name}»"),
            &changes,
        )
        .await?;
    }
    audit_event(
        &mut tx,
        actor,
        About {
            action: "add_document",
            object: "tender",
            id: tender_id,
            entity_id: t.entity_id,
        },
        None,
        Some(json!({"title": t.title, "document": name, "sha256": stored.sha256})),
    )
    .await?;
    tx.commit().await?;
    Ok(TenderDocument {
        id,
        tender_id,
        name,
        content_type,
        size: stored.size,
        sha256: stored.sha256,
        added_at: added,
    })
}

/// A document of a call the actor may see, ready to stream (read once against its hash).
pub async fn document(
    db: &Db,
    actor: &Actor,
    tender_id: i64,
    document_id: i64,
    now: DateTime<Utc>,
) -> Result<(TenderDocument, db::files::FileReader), PortalError> {
    open(db, get(db, actor, tender_id, now).await?, document_id).await
}

/// Document `document_id` of the call `t`, opened (read once against its hash).
async fn open(
    db: &Db,
    t: Tender,
    document_id: i64,
) -> Result<(TenderDocument, db::files::FileReader), PortalError> {
    let doc = t
        .documents
        .into_iter()
        .find(|d| d.id == document_id)
        .ok_or(PortalError::DocumentNotFound)?;
    let file = db::files::open(db, &doc.sha256)
        .await
        .map_err(|e| PortalError::Closed(format!("il documento non si legge: {e}")))?;
    Ok((doc, file))
}

/// A call of the entity as the public reads it: only once its publication day has come.
pub async fn public_get(
    db: &Db,
    entity_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Tender, PortalError> {
    let mut conn = db.pool().acquire().await?;
    let t = read(&mut conn, 0, id, now).await?;
    if t.entity_id != entity_id || !t.published {
        return Err(PortalError::TenderNotFound);
    }
    Ok(t)
}

/// A document of a published call of the entity, ready to stream.
pub async fn public_document(
    db: &Db,
    entity_id: i64,
    tender_id: i64,
    document_id: i64,
    now: DateTime<Utc>,
) -> Result<(TenderDocument, db::files::FileReader), PortalError> {
    open(
        db,
        public_get(db, entity_id, tender_id, now).await?,
        document_id,
    )
    .await
}
