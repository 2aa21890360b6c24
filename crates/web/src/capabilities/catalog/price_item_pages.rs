//! One price-list item edited by form, with a live preview of what three sample entities would
//! pay; adding and removing items. Only a list nothing has used yet is edited (a used list is
//! frozen: prices change with a new list).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use catalog::fees::{Price, PriceList, Unit};
use catalog::store::{price_lists, services};
use catalog::CatalogError;
use chrono::Datelike;

use super::price_item_form::{units, value, FieldErrors, ItemDraft, KINDS, WHENS};
use super::price_item_preview::{check, preview, samples, Preview};
use crate::auth::{Flash, PageAdmin, Session};
use crate::error::PageError;
use crate::pages::{back_with, ok, parse_id, render, Layout};
use crate::AppState;

/// The messages of a refused form, by field.
#[derive(Default)]
pub struct Errors(pub FieldErrors);

impl Errors {
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
    /// The message of a component as a whole.
    pub fn component(&self, i: &usize) -> String {
        self.get(&format!("c{i}"))
    }
    /// The message of a component's field.
    pub fn at(&self, i: &usize, name: &str) -> String {
        self.get(&format!("c{i}_{name}"))
    }
    /// The message of a row's field outside components: `row("b", 0, "from")`.
    pub fn row(&self, kind: &str, j: &usize, name: &str) -> String {
        self.get(&format!("{kind}{j}_{name}"))
    }
    /// The message of a band's field.
    pub fn band(&self, i: &usize, j: &usize, name: &str) -> String {
        self.get(&format!("c{i}_b{j}_{name}"))
    }
    /// The message of a tier's field.
    pub fn tier(&self, i: &usize, j: &usize, name: &str) -> String {
        self.get(&format!("c{i}_t{j}_{name}"))
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Template)]
#[template(path = "catalog/item_preview.html")]
struct PreviewFragment {
    preview: Preview,
}

#[derive(Template)]
#[template(path = "catalog/item_edit.html")]
struct ItemPage {
    layout: Layout,
    list_id: i64,
    list_name: String,
    /// The item as the breadcrumb names it.
    crumb: String,
    /// `nuova` or the item's number in the list (from 1).
    position: String,
    version: i64,
    draft: ItemDraft,
    errors: Errors,
    message: String,
    services: Vec<(String, String)>,
    day_items: Vec<(String, String)>,
    whens: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    units: Vec<(&'static str, String)>,
    quantity: String,
    activation: String,
    preview: Preview,
}

/// `nuova` (None) or an item's number from 1 (Some(index)).
fn position(list: &PriceList, n: &str) -> Result<Option<usize>, PageError> {
    if n == "nuova" {
        return Ok(None);
    }
    match n.parse::<usize>() {
        Ok(k) if k >= 1 && k <= list.items.len() => Ok(Some(k - 1)),
        _ => Err(PageError::not_found()),
    }
}

/// What the preview is computed for, as typed: the quantity and the activation day.
pub struct PreviewInput {
    pub quantity_typed: String,
    pub quantity: u32,
    pub activation_typed: String,
    pub activation: chrono::NaiveDate,
    /// What cannot be read, by field.
    pub errors: FieldErrors,
}

/// The day a preview activates the service by default: today while the list is in force, else
/// the list's first day.
fn default_activation(list: &PriceList, today: chrono::NaiveDate) -> chrono::NaiveDate {
    if list.valid_from <= today && list.valid_to.is_none_or(|t| today <= t) {
        today
    } else {
        list.valid_from
    }
}

fn preview_input(
    list: &PriceList,
    pairs: &[(String, String)],
    today: chrono::NaiveDate,
) -> PreviewInput {
    let mut errors = vec![];
    let quantity_typed = value(pairs, "anteprima_quantita").trim().to_owned();
    let quantity = match quantity_typed.replace('.', "").parse::<u32>() {
        _ if quantity_typed.is_empty() => 1,
        Ok(q) if (1..=catalog::store::quotes::MAX_QUANTITY).contains(&q) => q,
        _ => {
            errors.push((
                "anteprima_quantita".to_owned(),
                format!(
                    "Quantità per l'anteprima: «{quantity_typed}» non va bene, serve un numero intero da 1 a 1.000.000"
                ),
            ));
            1
        }
    };
    let activation_typed = value(pairs, "anteprima_attivazione").trim().to_owned();
    let activation = match activation_typed.parse::<chrono::NaiveDate>() {
        Ok(d) if (2000..=2100).contains(&d.year()) => d,
        _ if activation_typed.is_empty() => default_activation(list, today),
        _ => {
            errors.push((
                "anteprima_attivazione".to_owned(),
                "Attivato il: data non valida".to_owned(),
            ));
            default_activation(list, today)
        }
    };
    PreviewInput {
        quantity_typed: if quantity_typed.is_empty() {
            "1".into()
        } else {
            quantity_typed
        },
        quantity,
        activation_typed: activation.to_string(),
        activation,
        errors,
    }
}

/// The preview of the item as typed, or what keeps it from being computed.
async fn preview_of(
    s: &AppState,
    list: &PriceList,
    at: Option<usize>,
    draft: &ItemDraft,
    input: &PreviewInput,
) -> Result<Preview, PageError> {
    let blank = draft.service.is_empty() && draft.code.is_empty() && draft.label.is_empty();
    let problems = match check(list, at, draft) {
        Ok(item) if input.errors.is_empty() => {
            let basis = samples(
                members::store::fee_basis(&s.db)
                    .await
                    .map_err(CatalogError::from)?,
            );
            return Ok(preview(
                list,
                at,
                &item,
                &basis,
                input.quantity,
                input.activation,
            ));
        }
        Ok(_) => input.errors.clone(),
        Err(mut e) => {
            e.extend(input.errors.iter().cloned());
            e
        }
    };
    Ok(Preview {
        error: if blank {
            "Scegli il servizio e dai un codice e un nome alla voce: l'anteprima appare qui.".into()
        } else {
            problems
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join("; ")
        },
        ..Default::default()
    })
}

#[allow(clippy::too_many_arguments)]
async fn item_page(
    s: &AppState,
    sess: &Session,
    stored: &price_lists::StoredPriceList,
    at: Option<usize>,
    mut draft: ItemDraft,
    errors: Errors,
    message: String,
    input: PreviewInput,
) -> Result<ItemPage, PageError> {
    let services = services::list(&s.db, true)
        .await?
        .into_iter()
        .map(|c| {
            (
                c.card.code.clone(),
                format!("{} · {}", c.card.code, c.card.name),
            )
        })
        .collect();
    let day_items = stored
        .list
        .items
        .iter()
        .filter(|i| {
            i.components.iter().any(|c| {
                matches!(
                    c.price,
                    Some(Price::PerUnit {
                        unit: Unit::Day,
                        ..
                    })
                )
            })
        })
        .map(|i| {
            (
                format!("{}/{}", i.service, i.code),
                format!("{} · {}", i.service, i.label),
            )
        })
        .collect();
    let shown = preview_of(s, &stored.list, at, &draft, &input).await?;
    let (title, crumb) = match at {
        None => ("Nuova voce".to_owned(), "Nuova voce".to_owned()),
        Some(i) => {
            let saved = &stored.list.items[i];
            (
                format!("Voce {} «{}»", saved.service, saved.label),
                format!("{} «{}»", saved.service, saved.label),
            )
        }
    };
    let mut errors = errors;
    errors.0.extend(input.errors.iter().cloned());
    draft.pad();
    Ok(ItemPage {
        layout: Layout::new(s, Some(sess), title, "price-lists"),
        list_id: stored.id,
        list_name: stored.list.name.clone(),
        crumb,
        position: at.map_or_else(|| "nuova".to_owned(), |i| (i + 1).to_string()),
        version: stored.version,
        draft,
        errors,
        message,
        services,
        day_items,
        whens: WHENS.to_vec(),
        kinds: KINDS.to_vec(),
        units: units(),
        quantity: input.quantity_typed,
        activation: input.activation_typed,
        preview: shown,
    })
}

/// A used list is not edited: back to it with the reason.
async fn frozen(
    s: &AppState,
    sess: &Session,
    stored: &price_lists::StoredPriceList,
) -> Result<Option<Response>, PageError> {
    if stored.uses == 0 {
        return Ok(None);
    }
    let why = CatalogError::PriceListUsed(stored.uses).to_string();
    Ok(Some(
        back_with(
            s,
            sess,
            &format!("/price-lists/{}", stored.id),
            Flash::error(why),
        )
        .await?,
    ))
}

pub async fn edit(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Path((id, n)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let stored = price_lists::get(&s.db, parse_id(&id)?).await?;
    if let Some(r) = frozen(&s, &sess, &stored).await? {
        return Ok(r);
    }
    let at = position(&stored.list, &n)?;
    let draft = match at {
        Some(i) => ItemDraft::of(&stored.list.items[i]),
        None => {
            let mut d = ItemDraft::default();
            d.reshape("aggiungi");
            d
        }
    };
    let input = preview_input(&stored.list, &[], s.clock.today());
    let page = item_page(
        &s,
        &sess,
        &stored,
        at,
        draft,
        Errors::default(),
        String::new(),
        input,
    )
    .await?;
    Ok(ok(&page))
}

/// Saves the item, or applies a button that reshapes the form (adds a component, a band…).
pub async fn save(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Path((id, n)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let stored = price_lists::get(&s.db, id).await?;
    if let Some(r) = frozen(&s, &sess, &stored).await? {
        return Ok(r);
    }
    let at = position(&stored.list, &n)?;
    let mut draft = ItemDraft::from_form(&pairs);
    let input = preview_input(&stored.list, &pairs, s.clock.today());
    if draft.reshape(value(&pairs, "azione")) {
        let page = item_page(
            &s,
            &sess,
            &stored,
            at,
            draft,
            Errors::default(),
            String::new(),
            input,
        )
        .await?;
        return Ok(ok(&page));
    }
    let version = value(&pairs, "version").trim().parse().ok();
    let (errors, message) = match check(&stored.list, at, &draft) {
        Err(errors) => (
            Errors(errors),
            "Alcuni campi non sono validi: sono segnalati qui sotto.".to_owned(),
        ),
        Ok(item) => {
            let mut list = stored.list.clone();
            match at {
                Some(i) => list.items[i] = item.clone(),
                None => list.items.push(item.clone()),
            }
            match price_lists::update(&s.db, &sess.actor(), id, &list, version).await {
                Ok(_) => {
                    let saved = format!("Voce {} «{}» salvata.", item.service, item.label);
                    return back_with(
                        &s,
                        &sess,
                        &format!("/price-lists/{id}"),
                        Flash::saved(saved),
                    )
                    .await;
                }
                Err(CatalogError::Db(e)) => return Err(CatalogError::Db(e).into()),
                Err(e) => (Errors::default(), super::said(&e)),
            }
        }
    };
    let page = item_page(&s, &sess, &stored, at, draft, errors, message, input).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// The live preview of the item as typed (htmx, on every change of the form).
pub async fn live_preview(
    State(s): State<AppState>,
    PageAdmin(_sess): PageAdmin,
    Path((id, n)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let stored = price_lists::get(&s.db, parse_id(&id)?).await?;
    let at = position(&stored.list, &n)?;
    let draft = ItemDraft::from_form(&pairs);
    let input = preview_input(&stored.list, &pairs, s.clock.today());
    let preview = preview_of(&s, &stored.list, at, &draft, &input).await?;
    Ok(ok(&PreviewFragment { preview }))
}

/// Takes an item out of the list, after a confirmation.
pub async fn remove(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Path((id, n)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let stored = price_lists::get(&s.db, id).await?;
    if let Some(r) = frozen(&s, &sess, &stored).await? {
        return Ok(r);
    }
    let Some(at) = position(&stored.list, &n)? else {
        return Err(PageError::not_found());
    };
    let item = stored.list.items[at].clone();
    if !crate::pages::confirm::confirmed(value(&pairs, "confermato")) {
        let others = stored.list.items_of(&item.service).count() - 1;
        let mut consequences = vec![format!(
            "Il servizio {} non si potrà più preventivare come «{}» con il listino «{}».",
            item.service, item.label, stored.list.name
        )];
        if others == 0 {
            consequences.push(format!(
                "Era la sua unica voce: il servizio {} resterà senza prezzo in questo listino.",
                item.service
            ));
        }
        consequences
            .push("Si può rimettere con «Aggiungi una voce» finché il listino non è usato.".into());
        return Ok(crate::pages::confirm::page(
            &s,
            &sess,
            "price-lists",
            crate::pages::confirm::Confirm {
                question: format!("Togliere la voce {} «{}»?", item.service, item.label),
                consequences,
                action: format!("/price-lists/{id}/items/{n}/elimina"),
                fields: vec![("version".into(), stored.version.to_string())],
                note: None,
                confirm_label: "Togli la voce".into(),
                cancel: format!("/price-lists/{id}"),
            },
        ));
    }
    let mut list = stored.list.clone();
    list.items.remove(at);
    let version = value(&pairs, "version").trim().parse().ok();
    let flash = match price_lists::update(&s.db, &sess.actor(), id, &list, version).await {
        Ok(_) => Flash::saved(format!(
            "Voce {} «{}» tolta dal listino.",
            item.service, item.label
        )),
        Err(CatalogError::Db(e)) => return Err(CatalogError::Db(e).into()),
        Err(e) => Flash::error(e.to_string()),
    };
    back_with(&s, &sess, &format!("/price-lists/{id}"), flash).await
}
