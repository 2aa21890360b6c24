//! Activation requests as pages: the list (staff see every entity's, a contact their own), a new
//! request with its quote shown before sending, and one request with the actions its state
//! allows (approve, hand to a technician, deliver, refuse, cancel).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use chrono::NaiveDate;
use delivery::model::RequestState;
use delivery::store::{self, Request, RequestQuery, RequestSort};
use delivery::DeliveryError;
use kernel::Role;
use serde::Deserialize;

use crate::auth::{Flash, PageUser, Session};
use crate::error::PageError;
use crate::pages::list::{choices, Choice, Column, ListView, Paging, PER_PAGE};
use crate::pages::{back_with, is_htmx, ok, parse_id, sentence, Layout};
use crate::AppState;

pub struct Row {
    pub id: i64,
    pub entity_id: i64,
    pub entity: String,
    pub service: String,
    pub item: String,
    pub quantity: String,
    pub state: &'static str,
    pub open: bool,
    pub due: String,
    pub overdue: bool,
    pub amount: String,
}

fn row(r: Request, entity: String, today: NaiveDate) -> Row {
    Row {
        overdue: r.state.is_open() && r.due_date.is_some_and(|d| d < today),
        open: r.state.is_open(),
        id: r.id,
        entity_id: r.entity_id,
        entity,
        service: r.service,
        item: r.item,
        quantity: kernel::money::thousands(r.quantity.into()),
        state: r.state.label(),
        due: r
            .due_date
            .map(kernel::time::display_date)
            .unwrap_or_default(),
        amount: r.quote_amount.to_string(),
    }
}

#[derive(Template)]
#[template(path = "requests/list.html")]
struct ListPage {
    layout: Layout,
    list_html: String,
    states: Vec<Choice>,
    entities: Vec<Choice>,
    saved: String,
}

#[derive(Template)]
#[template(path = "requests/rows.html")]
struct RowsPartial {
    rows: Vec<Row>,
    list: ListView,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Filters {
    /// `aperte` (the default), `scadute`, `tutte`, or one state's code.
    stato: String,
    ente: String,
}

impl Filters {
    fn query(&self, paging: &Paging, today: NaiveDate) -> RequestQuery {
        let (state, open, overdue) = match self.stato.as_str() {
            "" | "aperte" => (None, true, None),
            "scadute" => (None, true, Some(today)),
            "tutte" => (None, false, None),
            other => (RequestState::parse(other), false, None),
        };
        RequestQuery {
            entity_id: self.ente.trim().parse().ok(),
            state,
            open,
            overdue_on: overdue,
            service: None,
            sort: RequestSort::parse(&paging.ordine).unwrap_or_default(),
            reverse: paging.reverse(),
            limit: PER_PAGE,
            offset: paging.offset(),
        }
    }

    fn in_url(&self) -> Vec<(String, String)> {
        [("stato", &self.stato), ("ente", &self.ente)]
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
            .collect()
    }
}

pub(super) fn no_supplier(sess: &Session) -> Result<(), PageError> {
    if sess.user.role == Role::Supplier {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "Le richieste di attivazione sono riservate al centro servizi e ai referenti degli enti.",
        ));
    }
    Ok(())
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let (f, paging) = crate::pages::list::params::<Filters>(raw.as_deref());
    let today = s.clock.today();
    let q = f.query(&paging, today);
    let (total, items) = store::page(&s.db, &sess.actor(), &q).await?;
    let body = RowsPartial {
        list: ListView {
            path: "/requests".into(),
            target: "request-list",
            filters: f.in_url(),
            sort: q.sort.as_str().to_owned(),
            default_sort: "recenti",
            reverse: q.reverse,
            page: paging.page(),
            total,
            more: false,
            shown: i64::try_from(items.len()).unwrap_or(0),
            noun: ("richiesta", "richieste"),
            columns: vec![
                Column::sort("recenti", "N."),
                Column::sort("ente", "Ente"),
                Column::sort("servizio", "Servizio"),
                Column::plain("Quantità").wide(),
                Column::plain("Stato"),
                Column::sort("scadenza", "Scadenza").wide(),
                Column::plain("Importo").wide(),
            ],
            csv: false,
        },
        rows: items
            .into_iter()
            .map(|(r, name)| row(r, name, today))
            .collect(),
    };
    if is_htmx(&headers) {
        return Ok(ok(&body));
    }
    let list_html = crate::pages::html(&body)?;
    let mut states = vec![
        ("aperte".to_owned(), "Da attivare".to_owned()),
        ("scadute".to_owned(), "Scadute".to_owned()),
        ("tutte".to_owned(), "Tutte".to_owned()),
    ];
    states.extend(
        RequestState::ALL
            .iter()
            .map(|st| (st.code().to_owned(), sentence(st.label()))),
    );
    let current = if f.stato.is_empty() {
        "aperte"
    } else {
        f.stato.as_str()
    };
    let entities = choices(
        f.ente.trim(),
        members::store::names(&s.db, &sess.actor())
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n)),
    );
    let n = crate::pages::notice(&s, &sess).await?;
    Ok(ok(&ListPage {
        layout: Layout::new(&s, Some(&sess), "Richieste di attivazione", "requests"),
        list_html,
        states: choices(current, states),
        entities,
        saved: n.saved,
    }))
}

#[derive(Template)]
#[template(path = "requests/detail.html")]
struct DetailPage {
    layout: Layout,
    r: Request,
    entity: String,
    service_name: String,
    state: &'static str,
    overdue: bool,
    lines: Vec<(String, String)>,
    amount: String,
    wanted: String,
    approved: String,
    due: String,
    activation: String,
    assignee: String,
    is_staff: bool,
    can_cancel: bool,
    operators: Vec<Choice>,
    today: String,
    saved: String,
    error: String,
    work: super::work_on_pages::WorkSection,
}

pub async fn detail(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let r = store::get(&s.db, &sess.actor(), parse_id(&id)?).await?;
    let today = s.clock.today();
    let entity = members::store::get(&s.db, &sess.actor(), r.entity_id)
        .await?
        .data
        .name;
    let service_name = catalog::store::services::get(&s.db, &r.service)
        .await
        .map(|c| c.card.name)
        .unwrap_or_default();
    let is_staff = sess.user.role.is_staff();
    let operators = if is_staff {
        let ops = helpdesk::store::operators(&s.db).await?;
        choices(
            &r.assigned_to.map(|i| i.to_string()).unwrap_or_default(),
            ops.into_iter().map(|(id, name)| (id.to_string(), name)),
        )
    } else {
        vec![]
    };
    let assignee = match r.assigned_to {
        Some(u) => accounts::store::display_names(&s.db, [u])
            .await
            .map_err(crate::error::ApiError::internal)?
            .remove(&u)
            .unwrap_or_default(),
        None => String::new(),
    };
    let n = crate::pages::notice(&s, &sess).await?;
    let d = |x: Option<NaiveDate>| x.map(kernel::time::display_date).unwrap_or_default();
    let work = super::work_on_pages::section(
        &s,
        &sess,
        "richiesta",
        r.id,
        matches!(r.state, RequestState::InDelivery | RequestState::Delivered),
        Some(&n),
    )
    .await?;
    Ok(ok(&DetailPage {
        work,
        layout: Layout::new(
            &s,
            Some(&sess),
            format!("Richiesta n. {}", r.id),
            "requests",
        ),
        state: r.state.label(),
        overdue: r.state.is_open() && r.due_date.is_some_and(|x| x < today),
        lines: r
            .lines
            .iter()
            .map(|l| (l.text.clone(), l.amount.to_string()))
            .collect(),
        amount: r.quote_amount.to_string(),
        wanted: d(r.wanted_date),
        approved: d(r.approved_on),
        due: d(r.due_date),
        activation: d(r.activation_date),
        can_cancel: r.state.may_become(RequestState::Cancelled),
        today: today.to_string(),
        entity,
        service_name,
        assignee,
        is_staff,
        operators,
        saved: if n.place == "interventi" {
            String::new()
        } else {
            n.saved
        },
        error: if n.place == "interventi" {
            String::new()
        } else {
            n.error
        },
        r,
    }))
}

/// The fields of an action's form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    version: String,
    operatore: String,
    data: String,
    motivo: String,
    confermato: String,
}

/// One action on a request: `approva`, `assegna`, `attiva`, `rifiuta`, `annulla`. Refusing and
/// cancelling ask first.
pub async fn act(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<ActionForm>,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let back = format!("/requests/{id}");
    let version = f.version.trim().parse().ok();
    let today = s.clock.today();
    let ask = |question: String, consequences: Vec<String>, label: &str| {
        crate::pages::confirm::page(
            &s,
            &sess,
            "requests",
            crate::pages::confirm::Confirm {
                question,
                consequences,
                action: format!("/requests/{id}/{action}"),
                fields: vec![
                    ("version".into(), f.version.clone()),
                    ("motivo".into(), f.motivo.clone()),
                ],
                note: None,
                confirm_label: label.into(),
                cancel: back.clone(),
            },
        )
    };
    let done = match action.as_str() {
        "approva" => store::approve(&s.db, &actor, id, today, version)
            .await
            .map(|r| match r.due_date {
                Some(d) => format!(
                    "Richiesta approvata: da attivare entro il {}.",
                    kernel::time::display_date(d)
                ),
                None => "Richiesta approvata.".to_owned(),
            }),
        "assegna" => match f.operatore.trim().parse::<i64>() {
            Ok(user) => store::assign(&s.db, &actor, id, user, version)
                .await
                .map(|_| "Richiesta affidata al tecnico: ora è in attivazione.".to_owned()),
            Err(_) => Err(DeliveryError::field("operatore", "scegli il tecnico")),
        },
        "attiva" => match f.data.trim().parse::<NaiveDate>() {
            Ok(day) => store::deliver(&s.db, &actor, id, day, version)
                .await
                .map(|_| {
                    format!(
                        "Servizio attivato dal {}: è tra i servizi attivi dell'ente.",
                        kernel::time::display_date(day)
                    )
                }),
            Err(_) => Err(DeliveryError::field(
                "data",
                "indica la data di attivazione",
            )),
        },
        "rifiuta" => {
            if f.motivo.trim().is_empty() {
                Err(DeliveryError::field(
                    "motivo",
                    "il motivo del rifiuto è obbligatorio: l'ente lo legge",
                ))
            } else if !crate::pages::confirm::confirmed(&f.confermato) {
                return Ok(ask(
                    format!("Rifiutare la richiesta n. {id}?"),
                    vec![
                        format!("L'ente legge il motivo: «{}».", f.motivo.trim()),
                        "La richiesta non si potrà più approvare: l'ente potrà farne una nuova."
                            .into(),
                    ],
                    "Rifiuta la richiesta",
                ));
            } else {
                store::refuse(&s.db, &actor, id, &f.motivo, version)
                    .await
                    .map(|_| "Richiesta rifiutata.".to_owned())
            }
        }
        "annulla" => {
            if !crate::pages::confirm::confirmed(&f.confermato) {
                return Ok(ask(
                    format!("Annullare la richiesta n. {id}?"),
                    vec![
                        "Il centro servizi non attiverà il servizio richiesto.".into(),
                        "Per riaverlo servirà una nuova richiesta.".into(),
                    ],
                    "Annulla la richiesta",
                ));
            }
            store::cancel(&s.db, &actor, id, &f.motivo, version)
                .await
                .map(|_| "Richiesta annullata.".to_owned())
        }
        _ => return Err(PageError::not_found()),
    };
    let flash = match done {
        Ok(said) => Flash::saved(said),
        Err(e) => {
            use kernel::Refusal;
            if e.kind() == kernel::Kind::Internal || e.kind() == kernel::Kind::NotFound {
                return Err(e.into());
            }
            let fields = e.fields();
            Flash::error(if fields.is_empty() {
                e.to_string()
            } else {
                fields
                    .into_iter()
                    .map(|x| x.message)
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        }
    };
    back_with(&s, &sess, &back, flash).await
}
