//! The member registry pages: list with search, detail with contacts, create and edit.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use kernel::EntityKind;
use members::store::{self, ListQuery};
use members::{Contact, ContactDraft, Entity, EntityDraft, FieldError, MembersError};
use serde::Deserialize;

use crate::auth::{PageStaff, PageUser, Session};
use crate::error::PageError;
use crate::pages::{is_htmx, messages_for, ok, parse_id, render, see_other, Field, Layout};
use crate::AppState;

const PAGE_SIZE: i64 = 50;

pub struct Row {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub istat_code: String,
    pub province: String,
    pub population: String,
    pub workstations: u32,
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
        workstations: e.workstations,
    }
}

#[derive(Template)]
#[template(path = "entities/list.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    q: String,
    kind: String,
    kinds: Vec<(String, String)>,
    total: i64,
    page: i64,
    pages: i64,
    can_create: bool,
}

#[derive(Template)]
#[template(path = "entities/rows.html")]
struct RowsPartial {
    rows: Vec<Row>,
    q: String,
    kind: String,
    total: i64,
    page: i64,
    pages: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListParams {
    q: String,
    kind: String,
    page: i64,
}

fn kinds() -> Vec<(String, String)> {
    EntityKind::ALL
        .iter()
        .map(|k| (k.code().into(), k.label().into()))
        .collect()
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let p: ListParams = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|_| PageError::new(StatusCode::BAD_REQUEST, "Parametri di ricerca non validi."))?;
    let kind = EntityKind::parse(&p.kind).ok();
    let page = p.page.max(1);
    let res = store::summaries(
        &s.db,
        &sess.actor(),
        &ListQuery {
            q: p.q.clone(),
            kind,
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        },
    )
    .await?;
    let rows: Vec<Row> = res.items.into_iter().map(row).collect();
    let pages = ((res.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let kind = kind.map(|k| k.code().to_owned()).unwrap_or_default();
    if is_htmx(&headers) {
        return Ok(ok(&RowsPartial {
            rows,
            q: p.q,
            kind,
            total: res.total,
            page,
            pages,
        }));
    }
    Ok(ok(&ListPage {
        layout: Layout::new(&s, Some(&sess), "Enti aderenti", "entities"),
        rows,
        q: p.q,
        kind,
        kinds: kinds(),
        total: res.total,
        page,
        pages,
        can_create: sess.user.role.is_staff(),
    }))
}

#[derive(Template)]
#[template(path = "entities/form.html")]
struct FormPage {
    layout: Layout,
    action: String,
    fields: Vec<Field>,
    version: i64,
    message: String,
    cancel: String,
}

/// What is wrong with one field, as the form shows it under the field.
fn fields(d: &EntityDraft, errors: &[FieldError]) -> Vec<Field> {
    let spec: [(&'static str, &'static str, &'static str, &'static str); 17] = [
        ("name", "Denominazione", "text", "Es. Comune di Abano Terme"),
        ("kind", "Tipo di ente", "select", ""),
        (
            "istat_code",
            "Codice ISTAT",
            "text",
            "6 cifre, solo per i comuni (es. 028001)",
        ),
        (
            "cadastral_code",
            "Codice catastale",
            "text",
            "Una lettera e tre cifre (es. A001)",
        ),
        ("tax_code", "Codice fiscale", "text", "11 cifre"),
        (
            "ipa_code",
            "Codice IPA",
            "text",
            "Codice dell'ente nell'Indice PA (es. c_a001)",
        ),
        (
            "office_code",
            "Codice univoco ufficio",
            "text",
            "6 caratteri, per la fatturazione elettronica",
        ),
        ("address", "Indirizzo", "text", ""),
        ("postal_code", "CAP", "text", ""),
        ("city", "Località", "text", ""),
        ("province", "Provincia (sigla)", "text", "Es. PD"),
        ("pec", "PEC", "email", ""),
        ("population", "Popolazione", "number", "Residenti"),
        (
            "population_date",
            "Data di riferimento della popolazione",
            "date",
            "Obbligatoria se si indica la popolazione",
        ),
        ("workstations", "Postazioni di lavoro", "number", ""),
        ("servers", "Server", "number", ""),
        ("notes", "Note", "textarea", ""),
    ];
    let mut draft = d.clone();
    spec.iter()
        .map(|(name, label, kind, help)| {
            let mut f = Field::new(name, label, kind);
            f.help = help;
            f.required = *name == "name";
            f.value = draft.field_mut(name).map(|v| v.clone()).unwrap_or_default();
            f.error = messages_for(errors, name);
            if *name == "kind" {
                f.options = kinds();
                if f.value.is_empty() {
                    f.value = "comune".into();
                }
            }
            f
        })
        .collect()
}

/// Where an entity form posts and what it edits.
struct Target {
    title: String,
    action: String,
    cancel: String,
    /// The version being edited (0 for a new entity).
    version: i64,
}

impl Target {
    fn new_entity() -> Self {
        Self {
            title: "Nuovo ente".into(),
            action: "/entities".into(),
            cancel: "/entities".into(),
            version: 0,
        }
    }
    fn edit(e: &Entity, version: i64) -> Self {
        Self {
            title: format!("Modifica: {}", e.data.name),
            action: format!("/entities/{}", e.id),
            cancel: format!("/entities/{}", e.id),
            version,
        }
    }
}

fn form_page(
    s: &AppState,
    sess: &Session,
    t: Target,
    d: &EntityDraft,
    errors: &[FieldError],
    message: String,
) -> FormPage {
    FormPage {
        layout: Layout::new(s, Some(sess), t.title, "entities"),
        action: t.action,
        fields: fields(d, errors),
        version: t.version,
        message,
        cancel: t.cancel,
    }
}

pub async fn new_form(State(s): State<AppState>, PageStaff(sess): PageStaff) -> Response {
    ok(&form_page(
        &s,
        &sess,
        Target::new_entity(),
        &EntityDraft::default(),
        &[],
        String::new(),
    ))
}

fn draft_from(form: &[(String, String)]) -> (EntityDraft, Option<i64>) {
    let mut d = EntityDraft::default();
    let mut version = None;
    for (k, v) in form {
        if k == "version" {
            version = v.parse().ok();
        } else if let Some(f) = d.field_mut(k) {
            f.clone_from(v);
        }
    }
    (d, version)
}

fn invalid_message(errs: &[FieldError]) -> String {
    format!(
        "Alcuni campi non sono validi ({}): correggerli e salvare di nuovo. Nulla è stato salvato.",
        errs.len()
    )
}

pub async fn create(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (draft, _) = draft_from(&form);
    let result = match draft.parse() {
        Ok(input) => store::create(&s.db, &sess.actor(), &input).await,
        Err(errs) => Err(MembersError::Invalid(errs)),
    };
    match result {
        Ok(e) => Ok(see_other(&format!("/entities/{}", e.id))),
        Err(MembersError::Invalid(errs)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &form_page(
                &s,
                &sess,
                Target::new_entity(),
                &draft,
                &errs,
                invalid_message(&errs),
            ),
        )),
        Err(e) => Err(e.into()),
    }
}

pub struct AuditLine {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
}

#[derive(Template)]
#[template(path = "entities/detail.html")]
struct DetailPage {
    layout: Layout,
    e: Entity,
    population: String,
    contacts: Vec<Contact>,
    contact_fields: Vec<Field>,
    contact_message: String,
    can_edit: bool,
    history: Vec<AuditLine>,
    fee_year: i32,
    fee: Option<FeeView>,
    fee_message: String,
    agreements: Vec<crate::capabilities::catalog::agreements_pages::AgreementView>,
    agreement_error: String,
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
    let (agreement_flash, helpdesk_error) = match flash.place.as_str() {
        "convenzioni" => (flash.clone(), String::new()),
        _ => (crate::auth::Flash::default(), flash.error.clone()),
    };
    let actor = sess.actor();
    let e = store::get(&s.db, &actor, id).await?;
    let contacts = store::contacts_of(&s.db, &e).await?;
    let history = if actor.is_staff() {
        db::audit::list(
            &s.db,
            &db::audit::Query {
                entity_id: Some(id),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .map_err(crate::error::ApiError::internal)?
        .into_iter()
        .map(|r| AuditLine {
            at: kernel::time::display_rome(&r.at),
            actor: r.actor,
            action: r.action,
            object: format!("{} {}", r.object_type, r.object_id),
        })
        .collect()
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
        agreement_typed: agreement_flash,
        helpdesk_error,
        fee_year,
        fee,
        fee_message,
        layout: Layout::new(s, Some(sess), e.data.name.clone(), "entities"),
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

fn forbidden_edit() -> PageError {
    PageError::new(
        StatusCode::FORBIDDEN,
        "Solo il personale del centro servizi può modificare gli enti.",
    )
}

pub async fn edit_form(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let e = store::get(&s.db, &sess.actor(), parse_id(&id)?).await?;
    if !sess.user.role.is_staff() {
        return Err(forbidden_edit());
    }
    Ok(ok(&form_page(
        &s,
        &sess,
        Target::edit(&e, e.version),
        &e.data.to_draft(),
        &[],
        String::new(),
    )))
}

pub async fn update(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let current = store::get(&s.db, &actor, id).await?;
    if !actor.is_staff() {
        return Err(forbidden_edit());
    }
    // A change touches only the fields the form carries; the rest stay as stored.
    let mut draft = current.data.to_draft();
    let mut version = None;
    for (k, v) in &form {
        if k == "version" {
            version = v.trim().parse::<i64>().ok();
        } else if let Some(f) = draft.field_mut(k) {
            f.clone_from(v);
        }
    }
    let result = match (version, draft.parse()) {
        // Without the version the form was read from, a lost update cannot be detected.
        (None, _) => Err(MembersError::Conflict),
        (Some(v), Ok(input)) => store::update(&s.db, &actor, id, Some(v), &input).await,
        (Some(_), Err(errs)) => Err(MembersError::Invalid(errs)),
    };
    let again = |errs: &[FieldError], message: String, status| {
        render(
            status,
            &form_page(
                &s,
                &sess,
                Target::edit(&current, version.unwrap_or(current.version)),
                &draft,
                errs,
                message,
            ),
        )
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/entities/{id}"))),
        Err(MembersError::Invalid(errs)) => Ok(again(
            &errs,
            invalid_message(&errs),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(MembersError::Conflict) => Ok(again(
            &[],
            MembersError::Conflict.to_string(),
            StatusCode::CONFLICT,
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn add_contact(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(draft): Form<ContactDraft>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    match store::add_contact(&s.db, &sess.actor(), id, &draft).await {
        Ok(_) => Ok(see_other(&format!("/entities/{id}#referenti"))),
        Err(MembersError::Invalid(errs)) => {
            let page = detail_page(&s, &sess, id, &draft, &errs, DetailQuery::default()).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_contact(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((id, contact_id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    store::delete_contact(&s.db, &sess.actor(), id, parse_id(&contact_id)?).await?;
    Ok(see_other(&format!("/entities/{id}#referenti")))
}
