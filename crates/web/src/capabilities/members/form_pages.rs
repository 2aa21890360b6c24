//! The entity form: a new entity (staff), an edit of one the actor may change, refused with
//! the typed values and every wrong field named.

use super::pages::kinds;
use crate::auth::{PageStaff, PageUser, Session};
use crate::error::PageError;
use crate::pages::{messages_for, ok, parse_id, render, see_other, Field, Layout};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use members::store;
use members::{Entity, EntityDraft, FieldError, MembersError};

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

pub(super) fn invalid_message(errs: &[FieldError]) -> String {
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
