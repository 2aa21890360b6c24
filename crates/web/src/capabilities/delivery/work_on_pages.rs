//! Work recorded where it happens: the reports on a ticket, an activation request or a project,
//! listed on its page with their PDFs, and a form for staff to record one there (on a phone
//! too). Packages have their own page (`work_pages`).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use delivery::store::work::{self as store, ReportDraft, WorkOn};

use super::work_pages::{record, report_views, ReportForm, ReportView};
use crate::auth::{Flash, PageStaff, Session};
use crate::error::PageError;
use crate::pages::parse_id;
use crate::AppState;

/// The work section of a page.
pub struct WorkSection {
    /// `ticket`, `richiesta`, `progetto`: where the form posts.
    pub kind: &'static str,
    pub on_id: i64,
    pub reports: Vec<ReportView>,
    pub can_add: bool,
    pub today: String,
    /// The form as typed before a refusal.
    pub typed: Vec<(String, String)>,
    /// What the last report said (recorded, or why not).
    pub saved: String,
    pub error: String,
}

impl WorkSection {
    pub fn value(&self, field: &str) -> String {
        self.typed
            .iter()
            .find(|(k, _)| k == field)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

fn on(kind: &str, id: i64) -> Option<WorkOn> {
    Some(match kind {
        "ticket" => WorkOn::Ticket(id),
        "richiesta" => WorkOn::Request(id),
        "progetto" => WorkOn::Project(id),
        _ => return None,
    })
}

/// The reports on `kind`/`id` (the caller has already read the object in the actor's scope)
/// and the form for staff (`can_add`), with what was typed if `flash` carries it.
pub async fn section(
    s: &AppState,
    sess: &Session,
    kind: &'static str,
    id: i64,
    can_add: bool,
    flash: Option<&Flash>,
) -> Result<WorkSection, PageError> {
    let Some(which) = on(kind, id) else {
        return Err(PageError::not_found());
    };
    let reports = store::reports_on(&s.db, &sess.actor(), which, 200).await?;
    Ok(WorkSection {
        kind,
        on_id: id,
        reports: report_views(s, reports).await?,
        can_add: can_add && sess.user.role.is_staff(),
        today: s.clock.today().to_string(),
        typed: flash.map(|f| f.values.clone()).unwrap_or_default(),
        saved: flash
            .filter(|f| f.place == "interventi")
            .map(|f| f.saved.clone())
            .unwrap_or_default(),
        error: flash
            .filter(|f| f.place == "interventi")
            .map(|f| f.error.clone())
            .unwrap_or_default(),
    })
}

/// Records work on a ticket, an activation request or a project (staff), back to its page.
pub async fn add(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path((kind, id)): Path<(String, String)>,
    Form(f): Form<ReportForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    // The object in the actor's scope gives the entity and the page to go back to.
    let (base, back) = match kind.as_str() {
        "ticket" => {
            let t = helpdesk::store::get(&s.db, &actor, id).await?;
            (
                ReportDraft {
                    entity_id: t.entity_id,
                    ticket_id: Some(id),
                    ..Default::default()
                },
                format!("/tickets/{id}#interventi"),
            )
        }
        "richiesta" => {
            let r = delivery::store::get(&s.db, &actor, id).await?;
            (
                ReportDraft {
                    entity_id: r.entity_id,
                    request_id: Some(id),
                    ..Default::default()
                },
                format!("/requests/{id}#interventi"),
            )
        }
        "progetto" => {
            let p = delivery::store::projects::project(&s.db, &actor, id).await?;
            (
                ReportDraft {
                    entity_id: p.entity_id,
                    project_id: Some(id),
                    ..Default::default()
                },
                format!("/projects/{id}#interventi"),
            )
        }
        _ => return Err(PageError::not_found()),
    };
    record(&s, &sess, base, &back, &f).await
}
