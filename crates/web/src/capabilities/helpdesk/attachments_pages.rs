//! A ticket's files from its page: uploaded from a form, downloaded as a stream.

use super::ticket_actions_pages::back;
use crate::auth::PageUser;
use crate::error::PageError;
use crate::pages::{parse_id, refusal};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use helpdesk::store::{self};

/// Attaches a file from the ticket page (multipart, field `file`).
pub async fn upload(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    mut mp: axum::extract::Multipart,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    // Out of scope is "not found" before anything is read.
    store::get(&s.db, &sess.actor(), id).await?;
    let mut file: Option<(String, String, Vec<u8>)> = None;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return back(&s, &sess, id, &format!("invio del file non riuscito: {e}")).await
            }
        };
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("allegato").to_owned();
            let ctype = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            match field.bytes().await {
                Ok(b) => file = Some((name, ctype, b.to_vec())),
                Err(e) => return back(&s, &sess, id, &format!("file non leggibile: {e}")).await,
            }
        }
    }
    let Some((name, ctype, data)) = file.filter(|(_, _, d)| !d.is_empty()) else {
        return back(&s, &sess, id, "scegliere un file da allegare").await;
    };
    match helpdesk::attachments::add(&s.db, &sess.actor(), id, &name, &ctype, &data).await {
        Ok(_) => back(&s, &sess, id, "").await,
        Err(e) => back(&s, &sess, id, &refusal(e)?).await,
    }
}

/// Downloads a file of a ticket.
pub async fn download(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((id, attachment_id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (id, aid) = (parse_id(&id)?, parse_id(&attachment_id)?);
    let (meta, file) = helpdesk::attachments::fetch(&s.db, &sess.actor(), id, aid).await?;
    Ok(crate::capabilities::helpdesk::attachments_api::file_response(&meta, file))
}
