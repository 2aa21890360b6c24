//! A new activation request as a page: the form, the quote shown before sending, and sending.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::NaiveDate;
use delivery::store::{self, RequestDraft};
use delivery::DeliveryError;
use serde::Deserialize;

use super::requests_pages::no_supplier;
use crate::auth::{Flash, PageUser, Session};
use crate::error::PageError;
use crate::pages::list::{choices, Choice};
use crate::pages::{back_with, ok, render, sentence, Layout};
use crate::AppState;

/// The new-request form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NewForm {
    ente: String,
    servizio: String,
    voce: String,
    quantita: String,
    data: String,
    note: String,
    /// `anteprima` (show the quote) or `invia`.
    azione: String,
}

pub struct QuoteView {
    pub amount: String,
    pub lines: Vec<(String, String)>,
    pub on_quotation: bool,
}

#[derive(Template)]
#[template(path = "requests/new.html")]
struct NewPage {
    layout: Layout,
    f: NewForm,
    entities: Vec<Choice>,
    services: Vec<Choice>,
    items: Vec<Choice>,
    quote: Option<QuoteView>,
    errors: Vec<(String, String)>,
    message: String,
}

impl NewPage {
    fn error(&self, field: &str) -> String {
        self.errors
            .iter()
            .filter(|(k, _)| k == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

async fn new_page(
    s: &AppState,
    sess: &Session,
    f: NewForm,
    quote: Option<QuoteView>,
    errors: Vec<(String, String)>,
    message: String,
) -> Result<NewPage, PageError> {
    let names = members::store::names(&s.db, &sess.actor()).await?;
    let mut f = f;
    if f.ente.is_empty() && names.len() == 1 {
        f.ente = names[0].0.to_string();
    }
    let services = catalog::store::services::list(&s.db, false).await?;
    let list = catalog::store::price_lists::on(&s.db, s.clock.today())
        .await
        .ok();
    let items = list
        .as_ref()
        .map(|l| {
            l.list
                .items_of(f.servizio.trim())
                .map(|i| (i.code.clone(), i.label.clone()))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    Ok(NewPage {
        layout: Layout::new(s, Some(sess), "Nuova richiesta di attivazione", "requests"),
        entities: choices(
            f.ente.trim(),
            names.into_iter().map(|(id, n)| (id.to_string(), n)),
        ),
        services: choices(
            f.servizio.trim(),
            services.into_iter().map(|c| {
                (
                    c.card.code.clone(),
                    format!("{} · {}", c.card.code, c.card.name),
                )
            }),
        ),
        items: choices(f.voce.trim(), items),
        f,
        quote,
        errors,
        message,
    })
}

pub async fn new_form(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let f: NewForm = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let f = NewForm {
        quantita: if f.quantita.is_empty() {
            "1".into()
        } else {
            f.quantita
        },
        ..f
    };
    Ok(ok(
        &new_page(&s, &sess, f, None, vec![], String::new()).await?
    ))
}

/// The draft a form gives, or what cannot be read.
fn draft_of(f: &NewForm) -> Result<RequestDraft, Vec<(String, String)>> {
    let mut wrong = vec![];
    let entity_id = f.ente.trim().parse::<i64>().ok();
    if entity_id.is_none() {
        wrong.push(("ente".to_owned(), "Scegli l'ente".to_owned()));
    }
    if f.servizio.trim().is_empty() {
        wrong.push(("servizio".to_owned(), "Scegli il servizio".to_owned()));
    }
    let quantity = match crate::pages::form_reader::quantity(&f.quantita) {
        Ok(q) => q,
        Err(why) => {
            wrong.push(("quantita".to_owned(), crate::pages::sentence(&why)));
            0
        }
    };
    let wanted = match f.data.trim() {
        "" => None,
        d => match d.parse::<NaiveDate>() {
            Ok(d) => Some(d),
            Err(_) => {
                wrong.push(("data".to_owned(), "Data non valida".to_owned()));
                None
            }
        },
    };
    match entity_id {
        Some(entity_id) if wrong.is_empty() => Ok(RequestDraft {
            entity_id,
            service: f.servizio.trim().to_owned(),
            item: Some(f.voce.trim().to_owned()).filter(|v| !v.is_empty()),
            quantity,
            wanted_date: wanted,
            notes: f.note.clone(),
        }),
        _ => Err(wrong),
    }
}

/// The API's field names as the form's.
fn form_field(api: &str) -> &str {
    match api {
        "entity_id" => "ente",
        "service" => "servizio",
        "item" => "voce",
        "quantity" => "quantita",
        "wanted_date" | "activation_date" => "data",
        "notes" => "note",
        other => other,
    }
}

/// Shows the quote (`azione=anteprima`) or sends the request (`azione=invia`).
pub async fn create(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Form(f): Form<NewForm>,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let today = s.clock.today();
    let draft = match draft_of(&f) {
        Ok(d) => d,
        Err(errors) => {
            let p = new_page(
                &s,
                &sess,
                f,
                None,
                errors,
                "Controlla i campi segnalati.".into(),
            )
            .await?;
            return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p));
        }
    };
    let refused = |e: DeliveryError| -> Result<(Vec<(String, String)>, String), PageError> {
        use kernel::Refusal;
        if e.kind() == kernel::Kind::Internal {
            return Err(e.into());
        }
        let fields: Vec<(String, String)> = e
            .fields()
            .into_iter()
            .map(|x| (form_field(&x.field).to_owned(), sentence(&x.message)))
            .collect();
        let message = if fields.is_empty() {
            sentence(&e.to_string())
        } else {
            "Controlla i campi segnalati.".to_owned()
        };
        Ok((fields, message))
    };
    if f.azione != "invia" {
        // The quote before sending: what the request would be priced at.
        let start = draft.wanted_date.unwrap_or(today);
        let computed = catalog::store::quotes::compute(
            &s.db,
            &sess.actor(),
            &catalog::store::quotes::QuoteRequest {
                entity_id: draft.entity_id,
                service: draft.service.clone(),
                item: draft.item.clone(),
                quantity: draft.quantity,
                activation_date: start,
                year: chrono::Datelike::year(&start),
            },
        )
        .await;
        let (quote, errors, message) = match computed {
            Ok(q) => (
                Some(QuoteView {
                    amount: q.amount.to_string(),
                    lines: q
                        .lines
                        .into_iter()
                        .map(|l| (l.text, l.amount.to_string()))
                        .collect(),
                    on_quotation: q.on_quotation,
                }),
                vec![],
                String::new(),
            ),
            Err(e) => {
                let (errors, message) = refused(DeliveryError::from(e))?;
                (None, errors, message)
            }
        };
        let status = if quote.is_some() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let p = new_page(&s, &sess, f, quote, errors, message).await?;
        return Ok(render(status, &p));
    }
    match store::submit(&s.db, &sess.actor(), &draft, today).await {
        Ok(r) => {
            back_with(
                &s,
                &sess,
                &format!("/requests/{}", r.id),
                Flash::saved(format!(
                    "Richiesta n. {} inviata: il centro servizi la esamina e la approva.",
                    r.id
                )),
            )
            .await
        }
        Err(e) => {
            let (errors, message) = refused(e)?;
            let p = new_page(&s, &sess, f, None, errors, message).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
    }
}
