//! The help desk pages: the entity's portal (open a ticket, follow it, reply) and the operators'
//! queue (take charge, reply, notes, waiting, resolution).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use helpdesk::model::{Channel, NewTicket, Priority, State as TicketState};
use helpdesk::store::{self, Ticket};
use helpdesk::HelpdeskError;
use kernel::Role;
use serde::Deserialize;

use crate::auth::{PageUser, Session};
use crate::error::PageError;
use crate::pages::{messages_for, ok, parse_id, render, see_other, Layout};
use crate::AppState;

use kernel::time::display_instant as rome;

/// A ticket as the pages show it.
pub struct TicketView {
    pub id: i64,
    pub number: String,
    pub entity_id: i64,
    pub entity_name: String,
    pub subject: String,
    pub description: String,
    pub priority: &'static str,
    pub priority_code: &'static str,
    pub channel: &'static str,
    pub state: &'static str,
    pub state_code: &'static str,
    pub received_at: String,
    pub due: String,
    /// "rispettato", "non rispettato", or empty while open and in time.
    pub sla: &'static str,
    pub taken: String,
    /// The operator it is assigned to, by name (empty: nobody).
    pub operator: String,
    pub resolution_due: String,
    pub paused: String,
    pub is_new: bool,
}

pub fn view(t: &Ticket) -> TicketView {
    let now = chrono::Utc::now();
    let sla = match t.taken_at {
        Some(at) if at <= t.take_charge_due_at => "rispettato",
        Some(_) => "non rispettato",
        None if now > t.take_charge_due_at => "non rispettato",
        None => "",
    };
    let paused = match t.paused_since {
        Some(since) => format!("sospeso dal {} (in attesa dell'ente)", rome(since)),
        None if t.paused_seconds > 0 => format!(
            "sospeso in tutto {} h {:02} min lavorative",
            t.paused_seconds / 3600,
            t.paused_seconds % 3600 / 60
        ),
        None => String::new(),
    };
    TicketView {
        id: t.id,
        number: t.number.clone(),
        entity_id: t.entity_id,
        entity_name: t.entity_name.clone(),
        subject: t.subject.clone(),
        description: t.description.clone(),
        priority: t.priority.label(),
        priority_code: t.priority.as_str(),
        channel: match t.channel {
            Channel::Portal => "portale",
            Channel::Email => "e-mail",
            Channel::Phone => "telefono",
            Channel::Monitoring => "monitoraggio",
        },
        state: t.state.label(),
        state_code: t.state.as_str(),
        received_at: rome(t.received_at),
        due: rome(t.take_charge_due_at),
        sla,
        taken: match (&t.taken_at, &t.taken_by) {
            (Some(at), Some(by)) => format!("{} da {by}", rome(*at)),
            (Some(at), None) => rome(*at),
            _ => String::new(),
        },
        operator: t.assigned_name.clone().unwrap_or_default(),
        resolution_due: t.resolution_due_at.map(rome).unwrap_or_default(),
        paused,
        is_new: t.state == TicketState::New,
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NewForm {
    entity_id: String,
    subject: String,
    description: String,
    category: String,
    priority: String,
    channel: String,
    received_at: String,
    requester_email: String,
    on_call: String,
}

pub struct PriorityOption {
    pub code: &'static str,
    pub label: &'static str,
    pub definition: &'static str,
    pub hours: i64,
}

#[derive(Template)]
#[template(path = "tickets/new.html")]
struct NewPage {
    layout: Layout,
    entities: Vec<(String, String)>,
    priorities: Vec<PriorityOption>,
    form: NewForm,
    is_staff: bool,
    errors: Vec<(String, String)>,
    message: String,
}

impl NewPage {
    fn error(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

async fn new_page(
    s: &AppState,
    sess: &Session,
    form: NewForm,
    errors: &[members::FieldError],
    message: String,
) -> Result<NewPage, PageError> {
    let policy = store::policy(&s.db).await?;
    Ok(NewPage {
        layout: Layout::new(s, Some(sess), "Nuova richiesta di assistenza", "tickets"),
        entities: members::store::names(&s.db, &sess.actor())
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect(),
        priorities: Priority::ALL
            .iter()
            .map(|p| PriorityOption {
                code: p.as_str(),
                label: p.label(),
                definition: p.definition(),
                hours: policy.take_charge(*p).num_hours(),
            })
            .collect(),
        form,
        is_staff: sess.actor().is_staff(),
        errors: errors
            .iter()
            .map(|e| {
                (
                    e.field.clone(),
                    messages_for(std::slice::from_ref(e), &e.field),
                )
            })
            .collect(),
        message,
    })
}

fn forbid_suppliers(sess: &Session) -> Result<(), PageError> {
    if sess.user.role == Role::Supplier {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "I fornitori seguono le fasi loro assegnate, non aprono ticket.",
        ));
    }
    Ok(())
}

pub async fn new_form(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
) -> Result<Response, PageError> {
    forbid_suppliers(&sess)?;
    let form = NewForm {
        priority: "low".into(),
        channel: if sess.actor().is_staff() {
            "phone".into()
        } else {
            "portal".into()
        },
        ..Default::default()
    };
    Ok(ok(&new_page(&s, &sess, form, &[], String::new()).await?))
}

pub async fn create(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Form(f): Form<NewForm>,
) -> Result<Response, PageError> {
    forbid_suppliers(&sess)?;
    let actor = sess.actor();
    let entity_id = match f.entity_id.trim().parse() {
        Ok(id) => id,
        Err(_) => {
            let errs = [members::FieldError::new("entity_id", "scegliere l'ente")];
            let p = new_page(
                &s,
                &sess,
                f,
                &errs,
                "La richiesta non è stata inviata.".into(),
            )
            .await?;
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p));
        }
    };
    // The form's datetime-local is Rome time without an offset.
    let received_at = match f.received_at.trim() {
        "" => None,
        t => chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M")
            .ok()
            .and_then(|n| {
                use chrono::TimeZone;
                kernel::time::ROME.from_local_datetime(&n).earliest()
            })
            .map(|d| d.to_rfc3339())
            .or_else(|| Some(t.to_owned())),
    };
    let new = NewTicket {
        entity_id,
        subject: f.subject.clone(),
        description: f.description.clone(),
        category: f.category.clone(),
        priority: f.priority.clone(),
        channel: if actor.is_staff() {
            f.channel.clone()
        } else {
            "portal".into()
        },
        received_at: if actor.is_staff() { received_at } else { None },
        requester_email: actor.is_staff().then(|| f.requester_email.clone()),
        on_call: !f.on_call.is_empty(),
    };
    match store::create(&s.db, &actor, &new, s.clock.now()).await {
        Ok(t) => Ok(see_other(&format!("/tickets/{}", t.id))),
        Err(HelpdeskError::Invalid(errs)) => {
            let p = new_page(
                &s,
                &sess,
                f,
                &errs,
                "La richiesta non è stata inviata: correggere i campi indicati.".into(),
            )
            .await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
        Err(e) => Err(e.into()),
    }
}

/// An item of the ticket's story as the page shows it.
pub struct StoryItem {
    /// `message`, `event` or `mail`.
    pub kind: &'static str,
    pub who: String,
    pub title: String,
    pub body: String,
    pub at: String,
    /// The machine-readable instant, for `<time datetime>`.
    pub iso: String,
    pub internal: bool,
    pub tone: &'static str,
}

#[derive(Template)]
#[template(path = "tickets/detail.html")]
struct DetailPage {
    layout: Layout,
    t: TicketView,
    story: Vec<StoryItem>,
    is_staff: bool,
    can_reply: bool,
    actions: Vec<(&'static str, &'static str)>,
    /// Staff may resolve it (with a note for the requester).
    can_resolve: bool,
    /// The resolution note as typed before a refusal.
    note: String,
    /// The resolution form was refused: show it open.
    resolve_open: bool,
    message: String,
    /// What the last action did.
    saved: String,
    /// Whom the ticket may be assigned to (staff, open tickets).
    operators: Vec<(i64, String)>,
    assigned_to: i64,
    files: Vec<FileView>,
    max_file: String,
    requester_email: String,
    warranty: String,
    in_warranty: bool,
    on_call: bool,
    reopen_count: i64,
    phases: Vec<crate::capabilities::helpdesk::phases_pages::PhaseView>,
    suppliers: Vec<(i64, String)>,
    /// The reply as typed before a refusal.
    reply_body: String,
    /// The work recorded on the ticket (staff record it here).
    work: crate::capabilities::delivery::work_on_pages::WorkSection,
}

pub struct FileView {
    pub id: i64,
    pub name: String,
    pub size: String,
    pub by: String,
    pub at: String,
}

async fn detail_page(
    s: &AppState,
    sess: &Session,
    id: i64,
    message: String,
) -> Result<DetailPage, PageError> {
    let actor = sess.actor();
    let t = store::get(&s.db, &actor, id).await?;
    let story = store::timeline(&s.db, &actor, &t)
        .await?
        .into_iter()
        .map(|i| StoryItem {
            kind: match i.kind {
                store::ItemKind::Message => "message",
                store::ItemKind::Event => "event",
                store::ItemKind::Mail => "mail",
            },
            who: i.who,
            title: i.title,
            body: i.body,
            at: rome(i.at),
            iso: i.at.to_rfc3339(),
            internal: i.internal,
            tone: i.tone,
        })
        .collect();
    let files = helpdesk::attachments::list_of(&s.db, &actor, &t)
        .await?
        .into_iter()
        .map(|a| FileView {
            id: a.id,
            name: a.filename,
            size: helpdesk::attachments::human(usize::try_from(a.size).unwrap_or(0)),
            by: a.created_by.rsplit(':').next().unwrap_or("").to_owned(),
            at: kernel::time::display_rome(&a.created_at),
        })
        .collect();
    use TicketState::*;
    let actions = if actor.is_staff() {
        match t.state {
            New => vec![],
            InProgress => vec![("waiting_entity", "In attesa dell'ente")],
            WaitingEntity => vec![("in_progress", "Riprendi")],
            Resolved => vec![("closed", "Chiudi"), ("in_progress", "Riapri")],
            Closed => vec![("in_progress", "Riapri")],
        }
    } else {
        vec![]
    };
    let work = crate::capabilities::delivery::work_on_pages::section(
        s,
        sess,
        "ticket",
        t.id,
        actor.is_staff(),
        None,
    )
    .await?;
    Ok(DetailPage {
        work,
        layout: Layout::new(s, Some(sess), format!("Ticket {}", t.number), "tickets"),
        is_staff: actor.is_staff(),
        can_reply: actor.role != Role::Supplier
            && (t.state != Closed
                || (!actor.is_staff()
                    && t.warranty_until.is_some_and(|w| kernel::time::today() <= w))),
        warranty: t
            .warranty_until
            .map(kernel::time::display_date)
            .unwrap_or_default(),
        in_warranty: t.warranty_until.is_some_and(|w| kernel::time::today() <= w),
        on_call: t.on_call,
        reopen_count: t.reopen_count,
        phases: helpdesk::phases::for_ticket_of(&s.db, &actor, &t)
            .await?
            .iter()
            .map(crate::capabilities::helpdesk::phases_pages::view)
            .collect(),
        suppliers: if actor.is_staff() {
            helpdesk::phases::suppliers(&s.db, &actor).await?
        } else {
            Vec::new()
        },
        operators: if actor.is_staff() && !matches!(t.state, Resolved | Closed) {
            store::operators(&s.db).await?
        } else {
            Vec::new()
        },
        assigned_to: t.assigned_to.unwrap_or(0),
        can_resolve: actor.is_staff() && t.state.may_become(Resolved),
        note: String::new(),
        resolve_open: false,
        saved: String::new(),
        files,
        max_file: helpdesk::attachments::human(helpdesk::attachments::MAX_BYTES),
        requester_email: t.requester_email.clone(),
        t: view(&t),
        story,
        actions,
        message,
        reply_body: String::new(),
    })
}

pub async fn detail(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let n = crate::pages::notice(&s, &sess).await?;
    let mut page = detail_page(&s, &sess, parse_id(&id)?, n.error.clone()).await?;
    page.reply_body = n.value("body");
    page.note = n.value("note");
    page.resolve_open = n.value("resolve") == "1";
    page.work.typed = n.values.clone();
    if n.place == "interventi" {
        // The work section says what happened to the report, next to its form.
        page.message = String::new();
        page.work.saved = n.saved;
        page.work.error = n.error;
    } else {
        page.saved = n.saved;
    }
    Ok(ok(&page))
}
