//! The help desk's e-mail for staff: the outbound queue and the inbound mail kept because it
//! matched no ticket or entity, which an operator can turn into a ticket.

use crate::auth::PageStaff;
use crate::error::PageError;
use crate::pages::{ok, parse_id, refusal, see_other, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use helpdesk::HelpdeskError;
use serde::Deserialize;

pub struct MailView {
    pub id: i64,
    pub from: String,
    pub subject: String,
    pub reason: String,
    pub body: String,
    pub at: String,
}

pub struct JobView {
    pub id: i64,
    pub state: &'static str,
    pub attempts: i64,
    pub next: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "tickets/mail.html")]
struct MailPage {
    layout: Layout,
    unmatched: Vec<MailView>,
    entities: Vec<(i64, String)>,
    message: String,
    queued: i64,
    failed: i64,
    sent: i64,
    jobs: Vec<JobView>,
}

/// The help desk's e-mail for staff: outbound queue (waiting, failed for good, with the last
/// error) and inbound mail that found no ticket or entity, kept whole.
pub async fn mail(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
) -> Result<Response, PageError> {
    let notice = crate::pages::notice(&s, &sess).await?;
    let actor = sess.actor();
    let unmatched = helpdesk::email::unmatched(&s.db, &actor, 100)
        .await?
        .into_iter()
        .map(|m| MailView {
            id: m.id,
            from: m.from_address,
            subject: m.subject,
            reason: m.reason,
            body: m.body,
            at: kernel::time::display_rome(&m.received_at),
        })
        .collect();
    let internal = crate::error::ApiError::internal;
    let count = |state: &'static str| worker::count(&s.db, mail::SEND_JOB, state);
    let (queued, failed, sent) = (
        count("queued").await.map_err(internal)?,
        count("failed").await.map_err(internal)?,
        count("done").await.map_err(internal)?,
    );
    let jobs = worker::list(&s.db, mail::SEND_JOB, 50)
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|j| j.state != "done")
        .map(|j| JobView {
            id: j.id,
            state: match j.state.as_str() {
                "queued" => "in coda",
                "running" => "in invio",
                "failed" => "non inviata",
                _ => "inviata",
            },
            attempts: j.attempts,
            next: kernel::time::display_rome(&j.run_at),
            error: j.last_error.unwrap_or_default(),
        })
        .collect();
    Ok(ok(&MailPage {
        layout: Layout::new(&s, Some(&sess), "Posta dell'assistenza", "mail"),
        unmatched,
        entities: members::store::names(&s.db, &actor).await?,
        message: notice.error,
        queued,
        failed,
        sent,
        jobs,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    entity_id: String,
    priority: String,
}

/// Turns a kept mail into a ticket of the chosen entity (staff).
pub async fn assign_mail(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path(id): Path<String>,
    Form(f): Form<AssignForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let Ok(entity_id) = f.entity_id.trim().parse::<i64>() else {
        return crate::pages::refused(&s, &sess, "/helpdesk/mail", "scegliere l'ente").await;
    };
    let now = s.clock.now();
    match helpdesk::email::assign(&s.db, &sess.actor(), id, entity_id, &f.priority, now).await {
        Ok(t) => Ok(see_other(&format!("/tickets/{}", t.id))),
        Err(HelpdeskError::Members(members::MembersError::EntityNotFound)) => {
            crate::pages::refused(&s, &sess, "/helpdesk/mail", "ente non trovato").await
        }
        Err(e) => crate::pages::refused(&s, &sess, "/helpdesk/mail", &refusal(e)?).await,
    }
}
