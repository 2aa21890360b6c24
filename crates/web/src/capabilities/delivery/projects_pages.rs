//! Custom work as pages: staff describe a project from the entity's page and send versions of
//! its quote (rows of days × day rate, or amounts, with a validity date); the entity's contact
//! reads the current version and approves it or refuses it with a reason, after a confirmation
//! that names the amount and the version.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::NaiveDate;
use delivery::store::projects::{self, Project, ProjectState, QuoteLineDraft};
use delivery::DeliveryError;
use kernel::{Euro, Role};
use serde::Deserialize;

use super::work_pages::refusal;
use crate::auth::{Flash, PageStaff, PageUser};
use crate::error::PageError;
use crate::pages::form_reader::italian_amount;
use crate::pages::{back_with, ok, parse_id, Layout};
use crate::AppState;

/// A project as the entity's page lists it.
pub struct ProjectRow {
    pub id: i64,
    pub title: String,
    pub state: &'static str,
    pub total: String,
}

pub fn project_row(p: &Project) -> ProjectRow {
    ProjectRow {
        id: p.id,
        title: p.title.clone(),
        state: p.state.label(),
        total: p.current().map(|q| q.total.to_string()).unwrap_or_default(),
    }
}

/// A quote version as the page shows it.
pub struct QuoteView {
    pub version: i64,
    pub lines: Vec<(String, String, String)>,
    pub total: String,
    pub valid_until: String,
    pub expired: bool,
}

#[derive(Template)]
#[template(path = "projects/detail.html")]
struct ProjectPage {
    layout: Layout,
    p: Project,
    entity: String,
    state: &'static str,
    current: Option<QuoteView>,
    earlier: Vec<QuoteView>,
    decision: String,
    can_decide: bool,
    can_propose: bool,
    /// The quote form's rows: (index, text, days, rate, amount) as typed before a refusal.
    rows: Vec<(usize, String, String, String, String)>,
    next_month: String,
    flash: Flash,
    work: super::work_on_pages::WorkSection,
}

fn days_words(h: u64) -> String {
    delivery::work::two_places(h)
}

fn quote_view(q: &projects::ProjectQuote, today: NaiveDate) -> QuoteView {
    QuoteView {
        version: q.version,
        lines: q
            .lines
            .iter()
            .map(|l| {
                let how = match (l.days_hundredths, l.rate_cents) {
                    (Some(d), Some(r)) => format!("{} gg × {}", days_words(d), Euro::from_cents(r)),
                    _ => String::new(),
                };
                (
                    l.text.clone(),
                    how,
                    Euro::from_cents(l.amount_cents).to_string(),
                )
            })
            .collect(),
        total: q.total.to_string(),
        valid_until: kernel::time::display_date(q.valid_until),
        expired: q.valid_until < today,
    }
}

/// `/projects/{project_id}`.
pub async fn detail(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let p = projects::project(&s.db, &actor, id).await?;
    let entity = members::store::get(&s.db, &actor, p.entity_id)
        .await?
        .data
        .name;
    let today = s.clock.today();
    let flash = crate::pages::notice(&s, &sess).await?;
    let names = accounts::store::display_names(
        &s.db,
        p.decided_by
            .as_deref()
            .and_then(kernel::audit::actor_user)
            .map(|(id, _)| id),
    )
    .await
    .map_err(crate::error::ApiError::internal)?;
    let who = |label: &str| {
        kernel::audit::actor_user(label)
            .and_then(|(id, _)| names.get(&id).cloned())
            .unwrap_or_else(|| kernel::audit::actor_words(label))
    };
    let decision = match (&p.decided_by, &p.decided_at, p.decided_version) {
        (Some(by), Some(at), Some(v)) => format!(
            "{} da {} il {} (versione {v} del preventivo){}",
            if p.state == ProjectState::Approved {
                "Approvato"
            } else {
                "Rifiutato"
            },
            who(by),
            kernel::time::display_rome(at),
            if p.decision_note.is_empty() {
                String::new()
            } else {
                format!(": «{}»", p.decision_note)
            }
        ),
        _ => String::new(),
    };
    let current = p.current().map(|q| quote_view(q, today));
    let earlier = p
        .quotes
        .iter()
        .filter(|q| q.version != p.quote_version)
        .map(|q| quote_view(q, today))
        .collect();
    let work = super::work_on_pages::section(
        &s,
        &sess,
        "progetto",
        p.id,
        p.state == ProjectState::Approved,
        Some(&flash),
    )
    .await?;
    Ok(ok(&ProjectPage {
        work,
        layout: Layout::new(&s, Some(&sess), format!("Progetto {}", p.title), "entities"),
        entity,
        state: p.state.label(),
        can_decide: sess.user.role == Role::Contact && p.state == ProjectState::Proposed,
        can_propose: actor.is_staff()
            && !matches!(p.state, ProjectState::Approved | ProjectState::Withdrawn),
        current,
        earlier,
        decision,
        rows: {
            let typed = |k: String| flash.value(&k);
            let last = (0..projects::MAX_QUOTE_LINES)
                .filter(|i| !typed(format!("testo{i}")).is_empty())
                .max()
                .map_or(5, |i| (i + 2).max(5));
            (0..last)
                .map(|i| {
                    (
                        i,
                        typed(format!("testo{i}")),
                        typed(format!("giornate{i}")),
                        typed(format!("tariffa{i}")),
                        typed(format!("importo{i}")),
                    )
                })
                .collect()
        },
        next_month: (today + chrono::Days::new(30)).to_string(),
        flash,
        p,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewProjectForm {
    titolo: String,
    descrizione: String,
}

/// Describes a project from the entity's page (staff).
pub async fn create(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path(id): Path<String>,
    Form(f): Form<NewProjectForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    match projects::create_project(&s.db, &sess.actor(), id, &f.titolo, &f.descrizione).await {
        Ok(p) => {
            back_with(
                &s,
                &sess,
                &format!("/projects/{}", p.id),
                Flash::saved("Progetto registrato: ora prepara il preventivo."),
            )
            .await
        }
        Err(e) => {
            let said = refusal(e)?;
            back_with(
                &s,
                &sess,
                &format!("/entities/{id}#progetti"),
                Flash {
                    error: said,
                    values: vec![
                        ("titolo".into(), f.titolo),
                        ("descrizione".into(), f.descrizione),
                    ],
                    place: "progetti".into(),
                    ..Default::default()
                },
            )
            .await
        }
    }
}

/// An action on a project: `preventivo` (staff: a new version of the quote from the rows
/// `testo{i}`, `giornate{i}`, `tariffa{i}`, `importo{i}` and `validita`), `approva` and
/// `rifiuta` (the contact, after a confirmation), `ritira` (staff, after a confirmation).
pub async fn act(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((id, action)): Path<(String, String)>,
    Form(t): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let back = format!("/projects/{id}");
    let field = |k: &str| crate::pages::form_reader::field(&t, k);
    let confirmed = crate::pages::confirm::confirmed(&field("confermato"));
    let today = s.clock.today();
    let p = projects::project(&s.db, &actor, id).await?;
    let ask = |question: String, consequences: Vec<String>, label: &str, note: bool| {
        crate::pages::confirm::page(
            &s,
            &sess,
            "entities",
            crate::pages::confirm::Confirm {
                question,
                consequences,
                action: format!("/projects/{id}/{action}"),
                fields: vec![("versione".into(), field("versione"))],
                note: note.then_some(("motivo", "Motivo del rifiuto (il centro servizi lo legge)")),
                confirm_label: label.into(),
                cancel: back.clone(),
            },
        )
    };
    let version = field("versione").parse::<i64>().unwrap_or(p.quote_version);
    let total = p.current().map(|q| q.total.to_string()).unwrap_or_default();
    let done: Result<String, DeliveryError> = match action.as_str() {
        "preventivo" => {
            let mut lines = vec![];
            let mut wrong = vec![];
            for i in 0..projects::MAX_QUOTE_LINES {
                let (text, days, rate, amount) = (
                    field(&format!("testo{i}")),
                    field(&format!("giornate{i}")),
                    field(&format!("tariffa{i}")),
                    field(&format!("importo{i}")),
                );
                if text.is_empty() && days.is_empty() && rate.is_empty() && amount.is_empty() {
                    continue;
                }
                let money = |v: &str| -> Result<Option<Euro>, ()> {
                    if v.is_empty() {
                        Ok(None)
                    } else {
                        Euro::parse(&italian_amount(v)).map(Some).map_err(|_| ())
                    }
                };
                let row = i + 1;
                match (
                    if days.is_empty() {
                        Ok(None)
                    } else {
                        projects::parse_days(&days).map(Some).ok_or(())
                    },
                    money(&rate),
                    money(&amount),
                ) {
                    (Ok(d), Ok(r), Ok(a)) => lines.push(QuoteLineDraft {
                        text,
                        days_hundredths: d,
                        rate: r,
                        amount: a,
                    }),
                    _ => wrong.push(format!(
                        "riga {row}: giornate (es. 2,5) e importi (es. 393,00) vanno scritti come numeri"
                    )),
                }
            }
            let valid = field("validita").parse::<NaiveDate>();
            match (wrong.is_empty(), valid) {
                (false, _) => Err(DeliveryError::field("lines", wrong.join("; "))),
                (true, Err(_)) => Err(DeliveryError::field(
                    "valid_until",
                    "indica fino a quando vale il preventivo",
                )),
                (true, Ok(until)) => projects::propose(&s.db, &actor, id, &lines, until, today)
                    .await
                    .map(|p| {
                        format!(
                            "Preventivo inviato all'ente: versione {}, {}.",
                            p.quote_version,
                            p.current().map(|q| q.total.to_string()).unwrap_or_default()
                        )
                    }),
            }
        }
        "approva" if !confirmed => {
            return Ok(ask(
                format!("Approvare il preventivo di {total}?"),
                vec![
                    format!("Si approva la versione {version} del preventivo del progetto «{}».", p.title),
                    "Il centro servizi può cominciare il lavoro; l'approvazione resta registrata con il suo nome e l'ora.".into(),
                ],
                "Approva il preventivo",
                false,
            ));
        }
        "approva" => projects::decide(&s.db, &actor, id, version, true, "", today)
            .await
            .map(|_| "Preventivo approvato: il centro servizi è stato avvisato.".to_owned()),
        "rifiuta" if !confirmed => {
            return Ok(ask(
                format!("Rifiutare il preventivo di {total}?"),
                vec![
                    format!(
                        "Si rifiuta la versione {version} del preventivo del progetto «{}».",
                        p.title
                    ),
                    "Il centro servizi legge il motivo e può proporre un'altra versione.".into(),
                ],
                "Rifiuta il preventivo",
                true,
            ));
        }
        "rifiuta" => projects::decide(&s.db, &actor, id, version, false, &field("motivo"), today)
            .await
            .map(|_| "Preventivo rifiutato: il centro servizi è stato avvisato.".to_owned()),
        "ritira" if !confirmed => {
            return Ok(ask(
                format!("Ritirare il progetto «{}»?", p.title),
                vec!["L'ente non potrà più approvarne il preventivo.".into()],
                "Ritira il progetto",
                false,
            ));
        }
        "ritira" => projects::withdraw(&s.db, &actor, id)
            .await
            .map(|_| "Progetto ritirato.".to_owned()),
        _ => return Err(PageError::new(StatusCode::NOT_FOUND, "Azione sconosciuta.")),
    };
    let flash = match done {
        Ok(said) => Flash::saved(said),
        Err(e) => Flash {
            error: refusal(e)?,
            // The quote's rows come back as typed.
            values: if action == "preventivo" {
                t.iter().filter(|(k, _)| k != "_csrf").cloned().collect()
            } else {
                vec![]
            },
            ..Default::default()
        },
    };
    back_with(&s, &sess, &back, flash).await
}
