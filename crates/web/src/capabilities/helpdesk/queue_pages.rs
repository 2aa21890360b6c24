//! The tickets' list: the operators' queue and the entity's requests, through the one list
//! component (filters and search in the URL, sortable columns, pages, htmx, CSV); assigning a
//! ticket to an operator, and acting on several tickets at once.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Form;
use helpdesk::model::{Priority, State as TicketState};
use helpdesk::store::{self, Assignee, Sort, TicketQuery};
use kernel::Role;
use serde::Deserialize;

use super::ticket_actions_pages::back;
use super::tickets_pages::{view, TicketView};
use crate::auth::{Flash, PageStaff, PageUser, Session};
use crate::error::PageError;
use crate::pages::list::{choices, Choice, Column, ListView, Paging, PER_PAGE};
use crate::pages::{is_htmx, ok, parse_id, refusal, Layout};
use crate::AppState;

/// The queue's filters as they stand in the URL.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Filters {
    /// Text searched in the number, the subject and the requester's address.
    pub q: String,
    /// An entity id.
    pub ente: String,
    /// `high`, `medium`, `low`.
    pub priorita: String,
    /// `aperti` (the default), `tutti`, or one state.
    pub stato: String,
    /// `nessuno`, `io`, or an operator's id.
    pub operatore: String,
    /// Only the overdue tickets.
    pub scaduti: String,
    /// Older links: `tutti=1` (every state) and `miei=1` (my work).
    tutti: String,
    miei: String,
}

impl Filters {
    fn parse(raw: Option<&str>) -> (Self, Paging) {
        let raw = raw.unwrap_or("");
        let mut f: Filters = serde_urlencoded::from_str(raw).unwrap_or_default();
        if !f.tutti.is_empty() && f.stato.is_empty() {
            f.stato = "tutti".into();
        }
        if !f.miei.is_empty() && f.operatore.is_empty() {
            f.operatore = "io".into();
        }
        f.q = f.q.trim().chars().take(100).collect();
        (f, serde_urlencoded::from_str(raw).unwrap_or_default())
    }

    /// The filters in force, for the links of the list (only those set, defaults left out).
    fn pairs(&self) -> Vec<(String, String)> {
        [
            ("q", &self.q),
            ("ente", &self.ente),
            ("priorita", &self.priorita),
            ("stato", &self.stato),
            ("operatore", &self.operatore),
            ("scaduti", &self.scaduti),
        ]
        .into_iter()
        .filter(|(k, v)| !(v.is_empty() || (*k == "stato" && v.as_str() == "aperti")))
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
    }

    fn query(&self, s: &AppState, sess: &Session, paging: &Paging) -> TicketQuery {
        let actor = sess.actor();
        let staff = actor.is_staff();
        let state = TicketState::parse(&self.stato);
        let default_sort = if staff { Sort::Queue } else { Sort::Number };
        TicketQuery {
            entity_id: self.ente.trim().parse().ok(),
            state,
            priority: Priority::parse(&self.priorita),
            open_only: state.is_none() && self.stato != "tutti",
            assignee: match self.operatore.as_str() {
                _ if !staff => Assignee::Anyone,
                "nessuno" => Assignee::Nobody,
                "io" => Assignee::User(actor.user_id),
                o => o.parse().map_or(Assignee::Anyone, Assignee::User),
            },
            text: Some(self.q.clone()).filter(|q| !q.is_empty()),
            overdue_at: (!self.scaduti.is_empty()).then(|| s.clock.now()),
            sort: Sort::parse(&paging.ordine)
                .filter(|o| *o != Sort::Queue || staff)
                .unwrap_or(default_sort),
            reverse: paging.reverse(),
            limit: PER_PAGE,
            offset: paging.offset(),
        }
    }
}

/// The list itself: what htmx replaces when a filter, a sort or a page changes.
#[derive(Template)]
#[template(path = "tickets/queue_list.html")]
struct QueueList {
    list: ListView,
    tickets: Vec<TicketView>,
    is_staff: bool,
    csrf: String,
    operators: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "tickets/list.html")]
struct QueuePage {
    layout: Layout,
    f: Filters,
    list_html: String,
    is_staff: bool,
    is_admin: bool,
    can_open: bool,
    mine: bool,
    entities: Vec<Choice>,
    priorities: Vec<Choice>,
    states: Vec<Choice>,
    operators: Vec<Choice>,
    saved: String,
    error: String,
}

fn columns(staff: bool) -> Vec<Column> {
    let mut c = vec![
        Column::sort("number", "Numero"),
        Column::plain("Oggetto"),
        Column::sort("entity", "Ente").wide(),
        Column::sort("priority", "Priorità"),
        Column::sort("state", "Stato").wide(),
    ];
    if staff {
        c.push(Column::plain("Operatore").wide());
    }
    c.push(Column::sort("received", "Ricevuto").wide());
    c.push(Column::sort("due", "Presa in carico entro").wide());
    c
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (f, paging) = Filters::parse(raw.as_deref());
    let actor = sess.actor();
    let staff = actor.is_staff();
    let q = f.query(&s, &sess, &paging);
    let page = store::list(&s.db, &actor, &q).await?;
    let operators = if staff {
        store::operators(&s.db).await?
    } else {
        Vec::new()
    };
    let body = QueueList {
        list: ListView {
            path: "/tickets".into(),
            target: "ticket-list",
            filters: f.pairs(),
            sort: q.sort.as_str().to_owned(),
            default_sort: if staff { "queue" } else { "number" },
            reverse: q.reverse,
            page: paging.page(),
            total: page.total,
            more: page.more,
            shown: i64::try_from(page.items.len()).unwrap_or(0),
            noun: ("ticket", "ticket"),
            columns: columns(staff),
            csv: true,
        },
        tickets: page.items.iter().map(view).collect(),
        is_staff: staff,
        csrf: sess.csrf.clone(),
        operators: operators.clone(),
    };
    if is_htmx(&headers) {
        return Ok(ok(&body));
    }
    let n = crate::pages::notice(&s, &sess).await?;
    let list_html = crate::pages::html(&body)?;
    let entities = members::store::names(&s.db, &actor).await?;
    let mut state_options = vec![
        ("aperti".to_owned(), "Aperti".to_owned()),
        ("tutti".to_owned(), "Tutti".to_owned()),
    ];
    state_options.extend(
        [
            TicketState::New,
            TicketState::InProgress,
            TicketState::WaitingEntity,
            TicketState::Resolved,
            TicketState::Closed,
        ]
        .map(|x| (x.as_str().to_owned(), x.label().to_owned())),
    );
    let mut operator_options = vec![
        (String::new(), "Tutti".to_owned()),
        ("io".to_owned(), "Assegnati a me".to_owned()),
        ("nessuno".to_owned(), "Non assegnati".to_owned()),
    ];
    operator_options.extend(operators.iter().map(|(id, n)| (id.to_string(), n.clone())));
    let stato = if f.stato.is_empty() {
        "aperti"
    } else {
        f.stato.as_str()
    };
    Ok(ok(&QueuePage {
        layout: Layout::new(&s, Some(&sess), "Assistenza", "tickets"),
        is_staff: staff,
        is_admin: actor.is_admin(),
        can_open: actor.role != Role::Supplier,
        mine: f.operatore == "io",
        entities: choices(
            &f.ente,
            std::iter::once((String::new(), "Tutti".to_owned()))
                .chain(entities.into_iter().map(|(id, n)| (id.to_string(), n))),
        ),
        priorities: choices(
            &f.priorita,
            std::iter::once((String::new(), "Tutte".to_owned()))
                .chain(Priority::ALL.map(|p| (p.as_str().to_owned(), p.label().to_owned()))),
        ),
        states: choices(stato, state_options),
        operators: choices(&f.operatore, operator_options),
        list_html,
        f,
        saved: n.saved,
        error: n.error,
    }))
}

/// The filtered list as CSV (every page, up to 10,000 tickets), formulas neutralised.
pub async fn csv(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (f, paging) = Filters::parse(raw.as_deref());
    let actor = sess.actor();
    let mut q = f.query(&s, &sess, &paging);
    q.limit = 500;
    q.offset = 0;
    let mut out = kernel::csv::CsvWriter::new(&[
        "numero",
        "ente",
        "oggetto",
        "priorità",
        "stato",
        "operatore",
        "ricevuto",
        "presa in carico entro",
        "presa in carico",
        "richiedente",
    ]);
    while q.offset < 10_000 {
        let page = store::list(&s.db, &actor, &q).await?;
        for t in &page.items {
            let v = view(t);
            out.row([
                v.number.as_str(),
                v.entity_name.as_str(),
                v.subject.as_str(),
                v.priority,
                v.state,
                v.operator.as_str(),
                v.received_at.as_str(),
                v.due.as_str(),
                v.taken.as_str(),
                t.requester_email.as_str(),
            ]);
        }
        if page.items.len() < 500 {
            break;
        }
        q.offset += 500;
    }
    Ok(crate::pages::list::csv_download("ticket.csv", out.finish()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    assigned_to: String,
}

fn operator_of(raw: &str) -> Result<Option<i64>, String> {
    match raw.trim() {
        "" => Ok(None),
        x => x
            .parse()
            .map(Some)
            .map_err(|_| "scegliere un operatore dall'elenco".to_owned()),
    }
}

/// Assigns a ticket from its page (staff).
pub async fn assign(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path(id): Path<String>,
    Form(f): Form<AssignForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let to = match operator_of(&f.assigned_to) {
        Ok(to) => to,
        Err(e) => return back(&s, &sess, id, &e).await,
    };
    match store::assign(&s.db, &sess.actor(), id, to, s.clock.now()).await {
        Ok(t) => {
            let saved = match &t.assigned_name {
                Some(n) => format!("Ticket {} assegnato a {n}.", t.number),
                None => format!("Il ticket {} non è più assegnato a nessuno.", t.number),
            };
            crate::pages::back_with(&s, &sess, &format!("/tickets/{id}"), Flash::saved(saved)).await
        }
        Err(e) => back(&s, &sess, id, &refusal(e)?).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BulkForm {
    /// `assign`, `take`, or a state to move to.
    action: String,
    assigned_to: String,
    /// The page of the queue to come back to.
    back: String,
    /// The tickets chosen (the field repeats).
    #[serde(skip)]
    ids: Vec<i64>,
}

/// The tickets chosen in the queue, at most this many at once.
const BULK_MAX: usize = 200;

/// Acts on several tickets of the queue at once (staff): assign them, take them in charge, or
/// move them to another state. Each ticket is one change of its own (audited as usual); the
/// queue then says how many changed and why the others did not.
pub async fn bulk(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    axum::extract::RawForm(raw): axum::extract::RawForm,
) -> Result<Response, PageError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&raw).unwrap_or_default();
    let mut f: BulkForm = serde_urlencoded::from_bytes(&raw).unwrap_or_default();
    f.ids = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    // Back to the queue as it was: only a path of the queue is accepted.
    let back_to = if f.back.starts_with("/tickets") && !f.back.starts_with("/tickets/") {
        f.back.clone()
    } else {
        "/tickets".to_owned()
    };
    let refuse = |msg: &str| Flash::error(msg);
    if f.ids.is_empty() {
        let flash = refuse("Selezionare almeno un ticket.");
        return crate::pages::back_with(&s, &sess, &back_to, flash).await;
    }
    if f.ids.len() > BULK_MAX {
        let flash = refuse(&format!(
            "Al massimo {BULK_MAX} ticket alla volta: restringere la selezione."
        ));
        return crate::pages::back_with(&s, &sess, &back_to, flash).await;
    }
    let actor = sess.actor();
    let now = s.clock.now();
    let to = match f.action.as_str() {
        "assign" => match operator_of(&f.assigned_to) {
            Ok(to) => Some(to),
            Err(e) => return crate::pages::back_with(&s, &sess, &back_to, refuse(&e)).await,
        },
        "take" => None,
        other => match TicketState::parse(other) {
            Some(TicketState::WaitingEntity | TicketState::InProgress | TicketState::Closed) => {
                None
            }
            Some(TicketState::Resolved) => {
                let flash = refuse(
                    "Un ticket si risolve dalla sua pagina, con la nota di risoluzione per il richiedente.",
                );
                return crate::pages::back_with(&s, &sess, &back_to, flash).await;
            }
            _ => {
                let flash = refuse("Scegliere l'operazione da applicare.");
                return crate::pages::back_with(&s, &sess, &back_to, flash).await;
            }
        },
    };
    let mut done = Vec::new();
    let mut refused = Vec::new();
    for id in &f.ids {
        let r = match (f.action.as_str(), to) {
            ("assign", Some(to)) => store::assign(&s.db, &actor, *id, to, now).await,
            ("take", _) => store::take_charge(&s.db, &actor, *id, now).await,
            (state, _) => match TicketState::parse(state) {
                Some(st) => store::set_state(&s.db, &actor, *id, st, None, now).await,
                None => continue,
            },
        };
        match r {
            Ok(t) => done.push(t.number),
            Err(helpdesk::HelpdeskError::NotFound) => refused.push(format!(
                "un ticket scelto non esiste più o non è accessibile (id {id})"
            )),
            Err(e) => refused.push(refusal(e)?),
        }
    }
    let (one, many) = match f.action.as_str() {
        "assign" => ("assegnato", "assegnati"),
        "take" => ("preso in carico", "presi in carico"),
        "waiting_entity" => ("messo in attesa dell'ente", "messi in attesa dell'ente"),
        "in_progress" => ("ripreso in lavorazione", "ripresi in lavorazione"),
        _ => ("chiuso", "chiusi"),
    };
    let whom = match (f.action.as_str(), to) {
        ("assign", Some(Some(u))) => store::operators(&s.db)
            .await?
            .into_iter()
            .find(|(id, _)| *id == u)
            .map(|(_, n)| format!(" a {n}"))
            .unwrap_or_default(),
        ("assign", _) => " a nessuno".to_owned(),
        _ => String::new(),
    };
    let saved = match done.len() {
        0 => String::new(),
        1 => format!("Ticket {} {one}{whom}.", done[0]),
        n => format!("{n} ticket {many}{whom}: {}.", done.join(", ")),
    };
    let flash = Flash {
        saved,
        error: if refused.is_empty() {
            String::new()
        } else {
            format!(
                "{} non modificat{}: {}.",
                refused.len(),
                if refused.len() == 1 { "o" } else { "i" },
                refused.join("; ")
            )
        },
        ..Default::default()
    };
    crate::pages::back_with(&s, &sess, &back_to, flash).await
}
