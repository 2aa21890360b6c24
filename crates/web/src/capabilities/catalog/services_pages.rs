//! The service catalogue: service cards with a quote preview, created and edited by admins.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use catalog::fees::{self};
use catalog::service::{Category, DayKind, DeliveryTime, ServiceCard};
use catalog::store::{price_lists, quotes, services};
use catalog::CatalogError;
use serde::Deserialize;

use crate::auth::{PageAdmin, PageUser, Session};
use crate::error::PageError;
use crate::pages::{is_htmx, messages_for, ok, render, see_other, Field, Layout};
use crate::AppState;

/// One item of a service's fees, in words.
pub struct ItemView {
    pub code: String,
    pub label: String,
    pub parts: Vec<String>,
}

pub(super) fn item_view(i: &fees::PriceItem) -> ItemView {
    ItemView {
        code: i.code.clone(),
        label: i.label.clone(),
        parts: i
            .components
            .iter()
            .map(|c| format!("{}: {}", c.label, fees::describe(c)))
            .collect(),
    }
}

fn item_views(list: Option<&price_lists::StoredPriceList>, code: &str) -> Vec<ItemView> {
    list.map_or_else(Vec::new, |l| l.list.items_of(code).map(item_view).collect())
}

pub(super) async fn list_today(
    s: &AppState,
) -> Result<Option<price_lists::StoredPriceList>, PageError> {
    match price_lists::on(&s.db, kernel::time::today()).await {
        Ok(l) => Ok(Some(l)),
        Err(CatalogError::NoPriceListOn(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub struct ServiceRow {
    pub code: String,
    pub name: String,
    pub active: bool,
    pub delivery: String,
    pub fees: Vec<ItemView>,
}

pub struct CategoryGroup {
    pub label: &'static str,
    pub services: Vec<ServiceRow>,
}

#[derive(Template)]
#[template(path = "catalog/list.html")]
struct ListPage {
    layout: Layout,
    groups: Vec<CategoryGroup>,
    list_name: String,
    is_admin: bool,
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
) -> Result<Response, PageError> {
    let is_admin = sess.actor().is_admin();
    let all = services::list(&s.db, sess.actor().is_staff()).await?;
    let price_list = list_today(&s).await?;
    let groups = Category::ALL
        .into_iter()
        .map(|c| CategoryGroup {
            label: c.heading(),
            services: all
                .iter()
                .filter(|svc| svc.card.category == c)
                .map(|svc| ServiceRow {
                    code: svc.card.code.clone(),
                    name: svc.card.name.clone(),
                    active: svc.card.active,
                    delivery: svc
                        .card
                        .delivery_time
                        .map(DeliveryTime::label)
                        .unwrap_or_default(),
                    fees: item_views(price_list.as_ref(), &svc.card.code),
                })
                .collect(),
        })
        .filter(|g| !g.services.is_empty())
        .collect();
    Ok(ok(&ListPage {
        layout: Layout::new(&s, Some(&sess), "Catalogo dei servizi", "catalog"),
        groups,
        list_name: price_list.map(|l| l.list.name).unwrap_or_default(),
        is_admin,
    }))
}

/// The quote form's values, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct QuoteForm {
    entity_id: String,
    item: String,
    quantity: String,
    activation_date: String,
    year: String,
}

/// A computed quote, as the card shows it.
pub struct QuoteView {
    pub amount: String,
    pub lines: Vec<(String, String)>,
    pub note: String,
}

#[derive(Template)]
#[template(path = "catalog/quote.html")]
struct QuoteFragment {
    quote: Option<QuoteView>,
    error: String,
}

#[derive(Template)]
#[template(path = "catalog/card.html")]
struct CardPage {
    layout: Layout,
    s: services::Service,
    category: &'static str,
    delivery_time: String,
    items: Vec<ItemView>,
    list_name: String,
    entities: Vec<(String, String)>,
    form: QuoteForm,
    result: QuoteFragment,
    is_admin: bool,
    is_supplier: bool,
}

async fn card_page(
    s: &AppState,
    sess: &Session,
    code: &str,
    form: QuoteForm,
    result: QuoteFragment,
) -> Result<CardPage, PageError> {
    let svc = services::get(&s.db, code).await?;
    if !svc.card.active && !sess.actor().is_staff() {
        return Err(PageError::not_found());
    }
    let list = list_today(s).await?;
    let entities = members::store::names(&s.db, &sess.actor())
        .await?
        .into_iter()
        .map(|(id, name)| (id.to_string(), name))
        .collect();
    let today = kernel::time::today();
    let form = QuoteForm {
        quantity: if form.quantity.is_empty() {
            "1".into()
        } else {
            form.quantity
        },
        activation_date: if form.activation_date.is_empty() {
            today.to_string()
        } else {
            form.activation_date
        },
        year: if form.year.is_empty() {
            chrono::Datelike::year(&today).to_string()
        } else {
            form.year
        },
        ..form
    };
    Ok(CardPage {
        layout: Layout::new(
            s,
            Some(sess),
            format!("{} {}", svc.card.code, svc.card.name),
            "catalog",
        ),
        category: svc.card.category.label(),
        delivery_time: svc
            .card
            .delivery_time
            .map(DeliveryTime::label)
            .unwrap_or_default(),
        items: item_views(list.as_ref(), &svc.card.code),
        list_name: list.map(|l| l.list.name).unwrap_or_default(),
        entities,
        form,
        result,
        is_admin: sess.actor().is_admin(),
        is_supplier: sess.user.role == kernel::Role::Supplier,
        s: svc,
    })
}

pub async fn card(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let empty = QuoteFragment {
        quote: None,
        error: String::new(),
    };
    Ok(ok(&card_page(
        &s,
        &sess,
        &code,
        QuoteForm::default(),
        empty,
    )
    .await?))
}

fn quote_request(code: &str, f: &QuoteForm) -> Result<quotes::QuoteRequest, String> {
    let entity_id = f
        .entity_id
        .trim()
        .parse()
        .map_err(|_| "Scegliere l'ente.".to_owned())?;
    let quantity = f
        .quantity
        .trim()
        .parse()
        .map_err(|_| "Quantità non valida: un numero intero da 0 in su.".to_owned())?;
    let activation_date = f
        .activation_date
        .trim()
        .parse()
        .map_err(|_| "Data di attivazione non valida (gg/mm/aaaa).".to_owned())?;
    let year = f
        .year
        .trim()
        .parse()
        .map_err(|_| "Anno non valido.".to_owned())?;
    Ok(quotes::QuoteRequest {
        entity_id,
        service: code.to_owned(),
        item: Some(f.item.clone()).filter(|i| !i.is_empty()),
        quantity,
        activation_date,
        year,
    })
}

/// The quote preview: computed, not kept (the API's `POST /api/v1/price-quotes` keeps one).
pub async fn quote(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(code): Path<String>,
    headers: HeaderMap,
    Form(f): Form<QuoteForm>,
) -> Result<Response, PageError> {
    let outcome = match quote_request(&code, &f) {
        Err(msg) => Err(msg),
        Ok(req) => match quotes::compute(&s.db, &sess.actor(), &req).await {
            Ok(q) => Ok(q),
            Err(
                e @ (CatalogError::Members(members::MembersError::EntityNotFound)
                | CatalogError::NoService(_)),
            ) => return Err(e.into()),
            Err(CatalogError::Db(e)) => return Err(CatalogError::Db(e).into()),
            Err(e) => Err(e.to_string()),
        },
    };
    let (status, fragment) = match outcome {
        Ok(q) => (
            StatusCode::OK,
            QuoteFragment {
                quote: Some(QuoteView {
                    amount: q.amount.to_italian(),
                    note: format!(
                        "{}: {}° anno di servizio, prezzi del listino «{}»{}.",
                        q.year,
                        q.service_year,
                        q.price_list_name,
                        if q.on_quotation {
                            "; una parte è su preventivo"
                        } else {
                            ""
                        }
                    ),
                    lines: q
                        .lines
                        .into_iter()
                        .map(|l| (l.text, l.amount.to_italian()))
                        .collect(),
                }),
                error: String::new(),
            },
        ),
        Err(error) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            QuoteFragment { quote: None, error },
        ),
    };
    if is_htmx(&headers) {
        // htmx swaps only successful answers by default: the error is shown with 200.
        return Ok(render(StatusCode::OK, &fragment));
    }
    let page = card_page(&s, &sess, &code, f, fragment).await?;
    Ok(render(status, &page))
}

/// The card form's values, as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CardForm {
    code: String,
    name: String,
    category: String,
    description: String,
    request: String,
    delivery: String,
    included: String,
    excluded: String,
    delivery_days: String,
    delivery_day_kind: String,
    prerequisites: String,
    active: String,
    version: String,
}

impl CardForm {
    fn of(s: &services::Service) -> Self {
        let c = &s.card;
        Self {
            code: c.code.clone(),
            name: c.name.clone(),
            category: c.category.as_str().into(),
            description: c.description.clone(),
            request: c.request.clone(),
            delivery: c.delivery.clone(),
            included: c.included.clone(),
            excluded: c.excluded.clone(),
            delivery_days: c
                .delivery_time
                .map(|t| t.days.to_string())
                .unwrap_or_default(),
            delivery_day_kind: match c.delivery_time.map(|t| t.kind) {
                Some(DayKind::Calendar) => "calendar".into(),
                _ => "working".into(),
            },
            prerequisites: c.prerequisites.clone(),
            active: if c.active { "1".into() } else { String::new() },
            version: s.version.to_string(),
        }
    }

    fn parse(&self) -> Result<ServiceCard, Vec<members::FieldError>> {
        let mut errors = Vec::new();
        let category = Category::parse(&self.category).unwrap_or_else(|| {
            errors.push(members::FieldError::new(
                "category",
                "scegliere la categoria",
            ));
            Category::Base
        });
        let delivery_time = match self.delivery_days.trim() {
            "" => None,
            d => match d.parse::<u32>() {
                Ok(days) => Some(DeliveryTime {
                    days,
                    kind: if self.delivery_day_kind == "calendar" {
                        DayKind::Calendar
                    } else {
                        DayKind::Working
                    },
                }),
                Err(_) => {
                    errors.push(members::FieldError::new(
                        "delivery_days",
                        "un numero di giorni",
                    ));
                    None
                }
            },
        };
        let card = ServiceCard {
            code: self.code.trim().to_owned(),
            name: self.name.clone(),
            category,
            description: self.description.clone(),
            request: self.request.clone(),
            delivery: self.delivery.clone(),
            included: self.included.clone(),
            excluded: self.excluded.clone(),
            delivery_time,
            prerequisites: self.prerequisites.clone(),
            active: !self.active.is_empty(),
        };
        errors.extend(card.check());
        if errors.is_empty() {
            Ok(card)
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "catalog/form.html")]
struct CardFormPage {
    layout: Layout,
    action: String,
    is_new: bool,
    fields: Vec<Field>,
    active: bool,
    version: String,
    message: String,
}

fn card_form_page(
    s: &AppState,
    sess: &Session,
    is_new: bool,
    f: &CardForm,
    errors: &[members::FieldError],
    message: String,
) -> CardFormPage {
    let mut fields = Vec::new();
    let mut add = |name: &'static str,
                   label: &'static str,
                   kind: &'static str,
                   value: &str,
                   required: bool| {
        let mut fd = Field::new(name, label, kind);
        fd.value = value.to_owned();
        fd.required = required;
        fd.error = messages_for(errors, name);
        if name == "delivery_days" {
            fd.error = [
                messages_for(errors, "delivery_days"),
                messages_for(errors, "delivery_time"),
            ]
            .into_iter()
            .filter(|m| !m.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        }
        fields.push(fd);
    };
    if is_new {
        add("code", "Codice (es. PD21)", "text", &f.code, true);
    }
    add("name", "Nome", "text", &f.name, true);
    add("category", "Categoria", "select", &f.category, true);
    add(
        "description",
        "Descrizione",
        "textarea",
        &f.description,
        true,
    );
    add("request", "Come si richiede", "textarea", &f.request, false);
    add("delivery", "Come si eroga", "textarea", &f.delivery, false);
    add("included", "Cosa comprende", "textarea", &f.included, false);
    add("excluded", "Cosa esclude", "textarea", &f.excluded, false);
    add(
        "delivery_days",
        "Tempo di consegna: giorni",
        "number",
        &f.delivery_days,
        false,
    );
    add(
        "delivery_day_kind",
        "Tipo di giorni",
        "select",
        &f.delivery_day_kind,
        false,
    );
    add(
        "prerequisites",
        "Prerequisiti",
        "textarea",
        &f.prerequisites,
        false,
    );
    for fd in &mut fields {
        match fd.name {
            "category" => {
                fd.options = Category::ALL
                    .iter()
                    .map(|c| (c.as_str().to_owned(), c.label().to_owned()))
                    .collect();
            }
            "delivery_day_kind" => {
                fd.options = vec![
                    ("working".into(), "lavorativi".into()),
                    ("calendar".into(), "di calendario".into()),
                ];
            }
            _ => {}
        }
    }
    CardFormPage {
        layout: Layout::new(
            s,
            Some(sess),
            if is_new {
                "Nuovo servizio".to_owned()
            } else {
                format!("Modifica {}", f.code)
            },
            "catalog",
        ),
        action: if is_new {
            "/catalog".into()
        } else {
            format!("/catalog/{}", f.code)
        },
        is_new,
        fields,
        active: is_new || !f.active.is_empty(),
        version: f.version.clone(),
        message,
    }
}

pub async fn new_form(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
) -> Result<Response, PageError> {
    let f = CardForm {
        category: "base".into(),
        active: "1".into(),
        ..Default::default()
    };
    Ok(ok(&card_form_page(&s, &sess, true, &f, &[], String::new())))
}

pub async fn edit_form(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let svc = services::get(&s.db, &code).await?;
    Ok(ok(&card_form_page(
        &s,
        &sess,
        false,
        &CardForm::of(&svc),
        &[],
        String::new(),
    )))
}

async fn save(
    s: &AppState,
    sess: &Session,
    is_new: bool,
    f: CardForm,
) -> Result<Response, PageError> {
    let version = f.version.trim().parse::<i64>().ok();
    let result = match f.parse() {
        Err(errs) => Err(CatalogError::Invalid(errs)),
        Ok(card) if is_new && services::get(&s.db, &card.code).await.is_ok() => {
            Err(CatalogError::field(
                "code",
                format!("il codice {} è già nel catalogo", card.code),
            ))
        }
        Ok(card) => services::put(&s.db, &sess.actor(), &card, version).await,
    };
    let (errors, message) = match result {
        Ok((svc, _)) => return Ok(see_other(&format!("/catalog/{}", svc.card.code))),
        Err(CatalogError::Invalid(errs)) => (
            errs,
            "Il servizio non è stato salvato: correggere i campi indicati.".to_owned(),
        ),
        Err(e @ CatalogError::Conflict) => (vec![], e.to_string()),
        Err(e) => return Err(e.into()),
    };
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &card_form_page(s, sess, is_new, &f, &errors, message),
    ))
}

pub async fn create(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Form(f): Form<CardForm>,
) -> Result<Response, PageError> {
    save(&s, &sess, true, f).await
}

pub async fn update(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Path(code): Path<String>,
    Form(f): Form<CardForm>,
) -> Result<Response, PageError> {
    services::get(&s.db, &code).await?;
    save(&s, &sess, false, CardForm { code, ..f }).await
}
