//! The member registry pages: list with search, detail with contacts, create and edit.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use kernel::EntityKind;
use members::store::{self, ListQuery};
use members::{Contact, ContactDraft, Entity, FieldError, MembersError};
use serde::Deserialize;

use super::form_pages::invalid_message;
use crate::auth::{PageUser, Session};
use crate::error::PageError;
use crate::pages::list::{Column, ListView, Paging, PER_PAGE};
use crate::pages::{is_htmx, messages_for, ok, parse_id, render, Field, Layout};
use crate::AppState;

pub struct Row {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub istat_code: String,
    pub province: String,
    pub population: String,
    /// The Italian way: `1.450`.
    pub workstations: String,
}

fn row(e: members::store::EntitySummary) -> Row {
    Row {
        id: e.id,
        name: e.name,
        kind: e.kind.label().into(),
        istat_code: e.istat_code,
        province: e.province,
        population: e
            .population
            .map(|p| kernel::money::thousands(p.into()))
            .unwrap_or_default(),
        workstations: kernel::money::thousands(u64::from(e.workstations)),
    }
}

#[derive(Template)]
#[template(path = "entities/list.html")]
struct ListPage {
    layout: Layout,
    list_html: String,
    q: String,
    kind: String,
    kinds: Vec<(String, String)>,
    can_create: bool,
}

/// The list itself: what htmx replaces when the search, the kind, the order or the page changes.
#[derive(Template)]
#[template(path = "entities/rows.html")]
struct RowsPartial {
    rows: Vec<Row>,
    list: ListView,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    q: String,
    kind: String,
}

pub(super) fn kinds() -> Vec<(String, String)> {
    EntityKind::ALL
        .iter()
        .map(|k| (k.code().into(), k.label().into()))
        .collect()
}

fn query(p: &ListParams, paging: &Paging) -> ListQuery {
    ListQuery {
        q: p.q.trim().chars().take(100).collect(),
        kind: EntityKind::parse(&p.kind).ok(),
        sort: store::EntitySort::parse(&paging.ordine).unwrap_or_default(),
        reverse: paging.reverse(),
        limit: PER_PAGE,
        offset: paging.offset(),
    }
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (p, paging) = crate::pages::list::params::<ListParams>(raw.as_deref());
    let q = query(&p, &paging);
    let res = store::summaries(&s.db, &sess.actor(), &q).await?;
    let kind = q.kind.map(|k| k.code().to_owned()).unwrap_or_default();
    let mut filters = Vec::new();
    if !q.q.is_empty() {
        filters.push(("q".to_owned(), q.q.clone()));
    }
    if !kind.is_empty() {
        filters.push(("kind".to_owned(), kind.clone()));
    }
    let body = RowsPartial {
        list: ListView {
            path: "/entities".into(),
            target: "entity-list",
            filters,
            sort: q.sort.as_str().to_owned(),
            default_sort: "name",
            reverse: q.reverse,
            page: paging.page(),
            total: res.total,
            more: false,
            shown: i64::try_from(res.items.len()).unwrap_or(0),
            noun: ("ente", "enti"),
            columns: vec![
                Column::sort("name", "Denominazione"),
                Column::sort("kind", "Tipo").wide(),
                Column::plain("ISTAT").wide(),
                Column::sort("province", "Prov."),
                Column::sort("population", "Popolazione").wide(),
                Column::sort("workstations", "Postazioni").wide(),
            ],
            csv: true,
        },
        rows: res.items.into_iter().map(row).collect(),
    };
    if is_htmx(&headers) {
        return Ok(ok(&body));
    }
    let list_html = crate::pages::html(&body)?;
    Ok(ok(&ListPage {
        layout: Layout::new(&s, Some(&sess), "Enti aderenti", "entities"),
        list_html,
        q: q.q,
        kind,
        kinds: kinds(),
        can_create: sess.user.role.is_staff(),
    }))
}

/// The filtered list as CSV, in its order (every page, up to 10,000 entities).
pub async fn csv(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (p, paging) = crate::pages::list::params::<ListParams>(raw.as_deref());
    let mut q = query(&p, &paging);
    q.limit = 1000;
    q.offset = 0;
    let mut out = kernel::csv::CsvWriter::new(&[
        "denominazione",
        "tipo",
        "codice ISTAT",
        "provincia",
        "popolazione",
        "postazioni di lavoro",
    ]);
    while q.offset < 10_000 {
        let page = store::summaries(&s.db, &sess.actor(), &q).await?;
        let n = page.items.len();
        for e in page.items {
            // Numbers as numbers, for a spreadsheet.
            out.row([
                e.name,
                e.kind.label().to_owned(),
                e.istat_code,
                e.province,
                e.population.map(|p| p.to_string()).unwrap_or_default(),
                e.workstations.to_string(),
            ]);
        }
        if n < 1000 {
            break;
        }
        q.offset += 1000;
    }
    Ok(crate::pages::list::csv_download("enti.csv", out.finish()))
}

#[derive(Template)]
#[template(path = "entities/detail.html")]
struct DetailPage {
    layout: Layout,
    e: Entity,
    population: String,
    /// Workstations and servers the Italian way (`1.450`).
    workstations: String,
    servers: String,
    contacts: Vec<Contact>,
    contact_fields: Vec<Field>,
    contact_message: String,
    can_edit: bool,
    /// Staff, or the entity's titolare or a delegate: the logs' review page.
    can_review_logs: bool,
    history: Vec<crate::pages::audit_words::Line>,
    fee_year: i32,
    fee: Option<FeeView>,
    fee_message: String,
    agreements: Vec<crate::capabilities::catalog::agreements_pages::AgreementView>,
    agreement_error: String,
    /// What the last action did.
    saved: String,
    /// The fields of the contact just removed (the undo posts them again), or none.
    restore: Vec<(String, String)>,
    /// The services the entity has today and those that start later.
    active_services: Vec<crate::capabilities::delivery::services_web::ServiceView>,
    /// Staff change and stop services.
    can_change_services: bool,
    /// A refused package, with what was typed.
    package_flash: crate::auth::Flash,
    /// The entity's projects (custom work with a quote).
    projects: Vec<crate::capabilities::delivery::projects_pages::ProjectRow>,
    statements: Vec<crate::capabilities::billing::pages::StatementRow>,
    deadlines: Vec<crate::capabilities::billing::deadlines_web::DeadlineRow>,
    /// Why a new project was refused, and its title and description as typed.
    project_error: String,
    project_typed: (String, String),
    /// Staff and contacts ask for services; suppliers do not.
    can_request: bool,
    /// The entity's day packages and hour banks with their balance (staff and contacts).
    packages: Vec<crate::capabilities::delivery::work_pages::PackageView>,
    /// The services a package can be bought for (staff's form).
    package_services: Vec<(String, String)>,
    this_year: i32,
    /// The agreement form as typed before a refusal.
    agreement_typed: crate::auth::Flash,
    tickets: Vec<crate::capabilities::helpdesk::tickets_pages::TicketView>,
    tickets_open: i64,
    tickets_more: bool,
    profile: helpdesk::support::Profile,
    profiles: Vec<helpdesk::support::Profile>,
    is_admin: bool,
    backup_checks: Vec<BackupView>,
    helpdesk_error: String,
    /// The entity's own calendar preset, empty when it follows the centre's.
    own_calendar: String,
    presets: Vec<(&'static str, &'static str)>,
}

pub struct BackupView {
    pub name: String,
    pub email_from: String,
    pub last: String,
    pub status: &'static str,
    pub incident: String,
    pub ticket_id: Option<i64>,
}

/// The detail page's query: the membership-fee year to show.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    anno: String,
}

/// The entity's membership fee for this year, as the detail page shows it.
pub struct FeeView {
    pub amount: String,
    pub lines: Vec<String>,
    pub rule: String,
}

async fn detail_page(
    s: &AppState,
    sess: &Session,
    id: i64,
    contact: &ContactDraft,
    contact_errors: &[FieldError],
    q: DetailQuery,
) -> Result<DetailPage, PageError> {
    // A refused agreement or help-desk change, shown in its section.
    let flash = crate::pages::notice(s, sess).await?;
    let (project_error, project_typed) = if flash.place == "progetti" {
        (
            flash.error.clone(),
            (flash.value("titolo"), flash.value("descrizione")),
        )
    } else {
        (String::new(), (String::new(), String::new()))
    };
    let (agreement_flash, helpdesk_error) = match flash.place.as_str() {
        "convenzioni" => (flash.clone(), String::new()),
        // The sections that show their own messages, next to their forms.
        p if p == "progetti" || p == "pacchetti" || p.starts_with("servizi:") => {
            (crate::auth::Flash::default(), String::new())
        }
        _ => (crate::auth::Flash::default(), flash.error.clone()),
    };
    let package_flash = if flash.place == "pacchetti" {
        flash.clone()
    } else {
        crate::auth::Flash::default()
    };
    let actor = sess.actor();
    let e = store::get(&s.db, &actor, id).await?;
    let contacts = store::contacts_of(&s.db, &e).await?;
    let history = if actor.is_staff() {
        let recs = db::audit::search(
            &s.db,
            &db::audit::Search {
                entity_id: Some(id),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .map_err(crate::error::ApiError::internal)?;
        crate::pages::audit_words::lines(s, recs).await?
    } else {
        vec![]
    };
    let spec = [
        ("full_name", "Nome e cognome", "text"),
        ("role", "Ruolo", "text"),
        ("email", "E-mail", "email"),
        ("phone", "Telefono", "text"),
    ];
    let contact_fields = spec
        .iter()
        .map(|(name, label, kind)| {
            let mut f = Field::new(name, label, kind);
            f.required = *name == "full_name";
            f.value = match *name {
                "full_name" => contact.full_name.clone(),
                "role" => contact.role.clone(),
                "email" => contact.email.clone(),
                _ => contact.phone.clone(),
            };
            f.error = messages_for(contact_errors, name);
            f
        })
        .collect();
    let fee_year = q
        .anno
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|y| catalog::store::check_year(y).ok())
        .unwrap_or_else(kernel::time::current_year);
    let agreements = crate::capabilities::catalog::agreements_pages::views(
        &catalog::store::agreements::list(&s.db, &actor, e.id).await?,
    );
    let (fee, fee_message) = match catalog::store::fee_of(&s.db, &e, fee_year).await {
        Ok((rule, f)) => (
            Some(FeeView {
                amount: f.amount.to_italian(),
                lines: f.lines.into_iter().map(|l| l.text).collect(),
                rule: rule.rule.describe(),
            }),
            String::new(),
        ),
        Err(e @ (catalog::CatalogError::NoRule(_) | catalog::CatalogError::Rule(_))) => {
            (None, e.to_string())
        }
        Err(e) => return Err(e.into()),
    };
    // The entity's help-desk panel: its latest tickets, open and closed.
    let page = helpdesk::store::list(
        &s.db,
        &actor,
        &helpdesk::store::TicketQuery {
            entity_id: Some(e.id),
            limit: 20,
            ..Default::default()
        },
    )
    .await?;
    let open = helpdesk::store::list(
        &s.db,
        &actor,
        &helpdesk::store::TicketQuery {
            entity_id: Some(e.id),
            open_only: true,
            limit: 1,
            ..Default::default()
        },
    )
    .await?;
    let profile = helpdesk::store::profile_of(&s.db, &actor, e.id).await?;
    let backup_checks = helpdesk::backups::of_entity(&s.db, &actor, e.id)
        .await?
        .into_iter()
        .map(|c| BackupView {
            last: c
                .last_report_at
                .as_deref()
                .map(kernel::time::display_rome)
                .unwrap_or_else(|| "mai".into()),
            status: match c.last_status.as_str() {
                "ok" => "riuscito",
                "failed" => "non riuscito",
                _ => "nessun rapporto",
            },
            incident: match c.incident_kind.as_str() {
                "failed" => "backup non riuscito".into(),
                "missing" => format!("nessun rapporto da oltre {} ore", c.max_silence_hours),
                _ => String::new(),
            },
            ticket_id: c.incident_ticket_id,
            name: c.name,
            email_from: c.email_from,
        })
        .collect();
    let can_review_logs = logs::review::may_review(&s.db, &actor, e.id).await.is_ok();
    Ok(DetailPage {
        tickets: page
            .items
            .iter()
            .map(crate::capabilities::helpdesk::tickets_pages::view)
            .collect(),
        tickets_open: open.total,
        tickets_more: page.total > 20,
        profile,
        profiles: helpdesk::support::Profile::ALL.to_vec(),
        is_admin: actor.is_admin(),
        backup_checks,
        own_calendar: helpdesk::store::own_calendar(&s.db, Some(e.id))
            .await?
            .map(|c| c.preset)
            .unwrap_or_default(),
        presets: crate::capabilities::helpdesk::settings_pages::PRESETS.to_vec(),
        agreements,
        agreement_error: agreement_flash.error.clone(),
        saved: flash.saved.clone(),
        can_request: actor.role != kernel::Role::Supplier,
        packages: if actor.role == kernel::Role::Supplier {
            vec![]
        } else {
            delivery::store::work::packages_of(&s.db, &actor, id)
                .await?
                .iter()
                .map(crate::capabilities::delivery::work_pages::package_view)
                .collect()
        },
        package_services: if actor.is_staff() {
            ["PD14", "PD15", "PD18"]
                .into_iter()
                .map(|c| (c.to_owned(), c.to_owned()))
                .collect()
        } else {
            vec![]
        },
        this_year: chrono::Datelike::year(&s.clock.today()),
        active_services: delivery::store::services_from(&s.db, &actor, id, s.clock.today())
            .await?
            .iter()
            .map(|a| {
                crate::capabilities::delivery::services_web::ServiceView::of(a).with_flash(&flash)
            })
            .collect(),
        package_flash,
        can_change_services: actor.is_staff(),
        projects: if actor.role == kernel::Role::Supplier {
            vec![]
        } else {
            delivery::store::projects::projects(&s.db, &actor, Some(id))
                .await?
                .iter()
                .map(crate::capabilities::delivery::projects_pages::project_row)
                .collect()
        },
        statements: crate::capabilities::billing::pages::entity_rows(s, &actor, id).await?,
        deadlines: crate::capabilities::billing::deadlines_web::entity_rows(s, &actor, id).await?,
        // A removed contact can be put back with the same data.
        restore: if flash.place == "referente-rimosso" {
            flash.values.clone()
        } else {
            vec![]
        },
        agreement_typed: agreement_flash,
        helpdesk_error,
        project_error,
        project_typed,
        fee_year,
        fee,
        fee_message,
        layout: Layout::new(s, Some(sess), e.data.name.clone(), "entities"),
        workstations: kernel::money::thousands(u64::from(e.data.workstations)),
        servers: kernel::money::thousands(u64::from(e.data.servers)),
        population: e
            .data
            .population
            .map(|p| kernel::money::thousands(p.get().into()))
            .unwrap_or_default(),
        e,
        contacts,
        contact_fields,
        contact_message: if contact_errors.is_empty() {
            String::new()
        } else {
            invalid_message(contact_errors)
        },
        can_edit: actor.is_staff(),
        can_review_logs,
        history,
    })
}

pub async fn detail(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, PageError> {
    let q: DetailQuery =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let page = detail_page(&s, &sess, parse_id(&id)?, &ContactDraft::default(), &[], q).await?;
    Ok(ok(&page))
}

pub async fn add_contact(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(draft): Form<ContactDraft>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    match store::add_contact(&s.db, &sess.actor(), id, &draft).await {
        Ok(c) => {
            crate::pages::back_with(
                &s,
                &sess,
                &format!("/entities/{id}#referenti"),
                crate::auth::Flash::saved(format!("{} è tra i referenti.", c.data.full_name)),
            )
            .await
        }
        Err(MembersError::Invalid(errs)) => {
            let page = detail_page(&s, &sess, id, &draft, &errs, DetailQuery::default()).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DeleteContactForm {
    /// `1` once confirmed on the confirmation page.
    confermato: String,
}

/// Removes a contact after a confirmation that names them and what follows.
pub async fn delete_contact(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((id, contact_id)): Path<(String, String)>,
    axum::Form(f): axum::Form<DeleteContactForm>,
) -> Result<Response, PageError> {
    let (id, contact_id) = (parse_id(&id)?, parse_id(&contact_id)?);
    let actor = sess.actor();
    let e = store::get(&s.db, &actor, id).await?;
    let c = store::contacts_of(&s.db, &e)
        .await?
        .into_iter()
        .find(|c| c.id == contact_id)
        .ok_or_else(PageError::not_found)?;
    if !crate::pages::confirm::confirmed(&f.confermato) {
        return Ok(crate::pages::confirm::page(
            &s,
            &sess,
            "entities",
            crate::pages::confirm::Confirm {
                question: format!(
                    "Rimuovere {} dai referenti del {}?",
                    c.data.full_name, e.data.name
                ),
                consequences: vec![
                    "Non comparirà più tra i referenti dell'ente e il centro non lo contatterà più come tale.".into(),
                    "I suoi dati restano nel registro delle modifiche; per riaverlo tra i referenti lo si aggiunge di nuovo.".into(),
                ],
                action: format!("/entities/{id}/contacts/{contact_id}/delete"),
                fields: vec![],
                note: None,
                confirm_label: "Rimuovi il referente".into(),
                cancel: format!("/entities/{id}#referenti"),
            },
        ));
    }
    store::delete_contact(&s.db, &actor, id, contact_id).await?;
    // The contact's data travel with the confirmation, for the undo button beside it.
    let flash = crate::auth::Flash {
        saved: format!("{} non è più tra i referenti.", c.data.full_name),
        values: vec![
            ("full_name".into(), c.data.full_name.clone()),
            ("role".into(), c.data.role.clone()),
            ("email".into(), c.data.email.clone()),
            ("phone".into(), c.data.phone.clone()),
            (
                "is_primary".into(),
                if c.data.is_primary { "1" } else { "" }.into(),
            ),
        ],
        place: "referente-rimosso".into(),
        ..Default::default()
    };
    crate::pages::back_with(&s, &sess, &format!("/entities/{id}#referenti"), flash).await
}
