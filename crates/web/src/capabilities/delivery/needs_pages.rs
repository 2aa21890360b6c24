//! The yearly needs form as pages: the campaigns (an administrator opens one) and the centre's
//! view of a campaign (who answered, the aggregate per service, the XLSX). An entity's form is
//! in `needs_form_pages`.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use chrono::{Datelike, NaiveDate};
use delivery::store::needs::{self, FormQuery, FormState};
use kernel::Role;
use serde::Deserialize;

use super::work_pages::refusal;
use crate::auth::{Flash, PageAdmin, PageStaff, PageUser, Session};
use crate::error::PageError;
use crate::pages::list::{choices, params, Choice, Column, ListView, Paging, PER_PAGE};
use crate::pages::{back_with, ok, parse_id, see_other, Layout};
use crate::AppState;

pub(super) fn no_supplier(sess: &Session) -> Result<(), PageError> {
    if sess.user.role == Role::Supplier {
        Err(PageError::new(
            StatusCode::FORBIDDEN,
            "La scheda dei fabbisogni è del centro servizi e dei referenti degli enti.",
        ))
    } else {
        Ok(())
    }
}

pub(super) fn day(d: NaiveDate) -> String {
    kernel::time::display_date(d)
}

/// A campaign in the list.
pub struct CampaignRow {
    pub id: i64,
    pub year: i32,
    pub deadline: String,
    pub forms: String,
    pub submitted: String,
    /// The actor's entities' forms (contacts): (entity id, name, state).
    pub mine: Vec<(i64, String, &'static str)>,
}

#[derive(Template)]
#[template(path = "needs/list.html")]
struct ListPage {
    layout: Layout,
    campaigns: Vec<CampaignRow>,
    is_admin: bool,
    is_staff: bool,
    next_year: i32,
    flash: Flash,
}

/// `/needs`: the campaigns; an administrator opens next year's.
pub async fn list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let actor = sess.actor();
    let flash = crate::pages::notice(&s, &sess).await?;
    let mut campaigns = vec![];
    for c in needs::campaigns(&s.db, &actor).await? {
        let mine = if actor.is_staff() {
            vec![]
        } else {
            needs::own_forms(&s.db, &actor, c.id)
                .await?
                .into_iter()
                .map(|f| (f.entity_id, f.entity_name, f.state.label()))
                .collect()
        };
        campaigns.push(CampaignRow {
            id: c.id,
            year: c.year,
            deadline: day(c.deadline),
            forms: crate::pages::list::count(c.forms),
            submitted: crate::pages::list::count(c.submitted),
            mine,
        });
    }
    Ok(ok(&ListPage {
        layout: Layout::new(&s, Some(&sess), "Scheda dei fabbisogni", "needs"),
        campaigns,
        is_admin: actor.is_admin(),
        is_staff: actor.is_staff(),
        next_year: s.clock.today().year() + 1,
        flash,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OpenForm {
    anno: String,
    scadenza: String,
}

/// Opens a campaign (administrators).
pub async fn open(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Form(f): Form<OpenForm>,
) -> Result<Response, PageError> {
    let typed = vec![
        ("anno".to_owned(), f.anno.clone()),
        ("scadenza".to_owned(), f.scadenza.clone()),
    ];
    let refused = |message: String| Flash {
        error: message,
        values: typed.clone(),
        ..Default::default()
    };
    let (Ok(year), Ok(deadline)) = (
        f.anno.trim().parse::<i32>(),
        f.scadenza.trim().parse::<NaiveDate>(),
    ) else {
        return back_with(
            &s,
            &sess,
            "/needs",
            refused("Indica l'anno (un numero) e la scadenza (una data).".into()),
        )
        .await;
    };
    match needs::open(&s.db, &sess.actor(), year, deadline, s.clock.today()).await {
        Ok(c) => {
            back_with(
                &s,
                &sess,
                &format!("/needs/{}", c.id),
                Flash::saved(format!(
                    "Campagna {} aperta: {} schede inviate agli enti con una convenzione in vigore, da compilare entro il {}.",
                    c.year,
                    crate::pages::list::count(c.forms),
                    day(c.deadline)
                )),
            )
            .await
        }
        Err(e) => {
            let said = refusal(e)?;
            back_with(&s, &sess, "/needs", refused(said)).await
        }
    }
}

/// A service's line of the aggregate.
pub struct ServiceLine {
    pub service: String,
    pub name: String,
    pub entities: String,
    pub quantity: String,
    pub change: String,
    pub amount: String,
    pub stopping: String,
    pub new: String,
    pub unpriced: u64,
}

/// A form in the centre's list.
pub struct FormLineView {
    pub entity_id: i64,
    pub entity: String,
    pub state: &'static str,
    pub submitted: String,
}

#[derive(Template)]
#[template(path = "needs/campaign.html")]
struct CampaignPage {
    layout: Layout,
    id: i64,
    year: i32,
    deadline: String,
    counts: Vec<(&'static str, String)>,
    price_list: String,
    services: Vec<ServiceLine>,
    total: String,
    forms: Vec<FormLineView>,
    list: ListView,
    states: Vec<Choice>,
    q: String,
    flash: Flash,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FormFilters {
    stato: String,
    q: String,
}

fn signed(n: i64) -> String {
    let t = kernel::money::thousands(n.unsigned_abs());
    match n.signum() {
        1 => format!("+{t}"),
        -1 => format!("−{t}"),
        _ => "0".into(),
    }
}

/// `/needs/{campaign_id}`: staff see who answered and the aggregate; a contact goes to their
/// entity's form (or the list, when they have several).
pub async fn campaign(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let id = parse_id(&id)?;
    let actor = sess.actor();
    if !actor.is_staff() {
        needs::campaign(&s.db, &actor, id).await?;
        let mine = needs::own_forms(&s.db, &actor, id).await?;
        return Ok(match mine.as_slice() {
            [one] => see_other(&format!("/needs/{id}/forms/{}", one.entity_id)),
            _ => see_other("/needs"),
        });
    }
    let (f, paging): (FormFilters, Paging) = params(raw.as_deref());
    let flash = crate::pages::notice(&s, &sess).await?;
    let sum = needs::summary(&s.db, &actor, id).await?;
    let state = FormState::parse(&f.stato);
    let (rows, total) = needs::forms(
        &s.db,
        &actor,
        id,
        &FormQuery {
            state,
            q: f.q.clone(),
            offset: paging.offset(),
            limit: PER_PAGE,
        },
    )
    .await?;
    let c = &sum.campaign;
    let total_amount = sum
        .services
        .iter()
        .map(|(n, _)| n.estimated_amount.cents())
        .sum::<i64>();
    let mut filters = vec![];
    if state.is_some() {
        filters.push(("stato".to_owned(), f.stato.clone()));
    }
    if !f.q.trim().is_empty() {
        filters.push(("q".to_owned(), f.q.trim().to_owned()));
    }
    let page = CampaignPage {
        layout: Layout::new(
            &s,
            Some(&sess),
            format!("Scheda dei fabbisogni {}", c.year),
            "needs",
        ),
        id: c.id,
        year: c.year,
        deadline: day(c.deadline),
        counts: sum
            .states
            .iter()
            .map(|(st, n)| (st.label(), crate::pages::list::count(*n)))
            .collect(),
        price_list: sum.price_list.clone().unwrap_or_default(),
        total: kernel::Euro::from_cents(total_amount).to_string(),
        services: sum
            .services
            .iter()
            .map(|(n, name)| ServiceLine {
                service: n.service.clone(),
                name: name.clone(),
                entities: kernel::money::thousands(n.entities),
                quantity: kernel::money::thousands(n.quantity),
                change: signed(
                    i64::try_from(n.quantity).unwrap_or(0)
                        - i64::try_from(n.current_quantity).unwrap_or(0),
                ),
                amount: n.estimated_amount.to_string(),
                stopping: kernel::money::thousands(n.stopping),
                new: kernel::money::thousands(n.new_entities),
                unpriced: n.unpriced,
            })
            .collect(),
        forms: rows
            .into_iter()
            .map(|r| FormLineView {
                entity_id: r.entity_id,
                entity: r.entity_name,
                state: r.state.label(),
                submitted: r
                    .submitted_at
                    .as_deref()
                    .map(kernel::time::display_rome)
                    .unwrap_or_default(),
            })
            .collect(),
        list: ListView {
            path: format!("/needs/{id}"),
            target: "form-list",
            filters,
            sort: String::new(),
            default_sort: "",
            reverse: false,
            page: paging.page(),
            total,
            more: false,
            shown: 0,
            noun: ("scheda", "schede"),
            columns: vec![
                Column::plain("Ente"),
                Column::plain("Stato"),
                Column::plain("Inviata il").wide(),
            ],
            csv: false,
        },
        states: choices(
            &f.stato,
            std::iter::once((String::new(), "Tutte".to_owned())).chain(
                [
                    FormState::Submitted,
                    FormState::Draft,
                    FormState::Sent,
                    FormState::Processed,
                ]
                .into_iter()
                .map(|st| (st.code().to_owned(), st.label().to_owned())),
            ),
        ),
        q: f.q,
        flash,
    };
    Ok(ok(&page))
}

/// `/needs/{campaign_id}/riepilogo.xlsx`: the aggregate per service and every form's state.
pub async fn xlsx(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    use printout::{Cell, Sheet};
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let sum = needs::summary(&s.db, &actor, id).await?;
    let (forms, _) = needs::forms(&s.db, &actor, id, &FormQuery::default()).await?;
    let year = sum.campaign.year;
    let count = |n: u64| Cell::Int(i64::try_from(n).unwrap_or(i64::MAX));
    let services = Sheet {
        name: format!("Servizi {year}"),
        headers: [
            "Servizio",
            "Nome",
            "Enti",
            "Quantità",
            "Quantità quest'anno",
            "Variazione",
            "Importo stimato",
            "Righe senza prezzo",
            "Enti che cessano",
            "Enti nuovi",
        ]
        .map(String::from)
        .to_vec(),
        rows: sum
            .services
            .iter()
            .map(|(n, name)| {
                vec![
                    Cell::Text(n.service.clone()),
                    Cell::Text(name.clone()),
                    count(n.entities),
                    count(n.quantity),
                    count(n.current_quantity),
                    Cell::Int(
                        i64::try_from(n.quantity).unwrap_or(0)
                            - i64::try_from(n.current_quantity).unwrap_or(0),
                    ),
                    Cell::Cents(n.estimated_amount.cents()),
                    count(n.unpriced),
                    count(n.stopping),
                    count(n.new_entities),
                ]
            })
            .collect(),
    };
    let sheets = [
        services,
        Sheet {
            name: "Schede".into(),
            headers: ["Ente", "Stato", "Inviata il", "Note"]
                .map(String::from)
                .to_vec(),
            rows: forms
                .into_iter()
                .map(|f| {
                    vec![
                        Cell::Text(f.entity_name),
                        Cell::Text(f.state.label().into()),
                        Cell::Text(
                            f.submitted_at
                                .as_deref()
                                .map(kernel::time::display_rome)
                                .unwrap_or_default(),
                        ),
                        Cell::Text(f.notes),
                    ]
                })
                .collect(),
        },
    ];
    let bytes = printout::workbook(&sheets).map_err(|e| {
        tracing::error!(error = %e, "needs summary XLSX");
        PageError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Il riepilogo non si è potuto preparare: riprovare.",
        )
    })?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"fabbisogni-{year}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
