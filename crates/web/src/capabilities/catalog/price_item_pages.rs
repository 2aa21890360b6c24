//! One price-list item edited by form, with a live preview of what three sample entities would
//! pay; adding and removing items. Only a list nothing has used yet is edited (a used list is
//! frozen: prices change with a new list).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use catalog::fees::{self, Price, PriceItem, PriceList, QuoteInput, Unit};
use catalog::store::{price_lists, services};
use catalog::CatalogError;
use chrono::Datelike;
use members::store::FeeBasis;

use super::price_item_form::{units, value, FieldErrors, ItemDraft, KINDS, WHENS};
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

/// What one sample entity would pay, year by year.
pub struct PreviewRow {
    pub name: String,
    pub facts: String,
    pub years: Vec<PreviewYear>,
}

pub struct PreviewYear {
    pub label: String,
    pub amount: String,
    pub lines: Vec<String>,
    pub error: String,
}

#[derive(Default)]
pub struct Preview {
    pub rows: Vec<PreviewRow>,
    /// Why there is no preview (the item cannot be read or is not valid).
    pub error: String,
    pub activation: String,
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
    preview: Preview,
}

/// The three entities a preview is computed for: the smallest, the middle and the largest by
/// population (entities without a population are left out when others have one).
pub fn samples(mut all: Vec<FeeBasis>) -> Vec<FeeBasis> {
    if all.iter().any(|e| e.population.is_some()) {
        all.retain(|e| e.population.is_some());
    }
    all.sort_by_key(|e| (e.population, e.id));
    match all.len() {
        0..=3 => all,
        n => vec![all[0].clone(), all[n / 2].clone(), all[n - 1].clone()],
    }
}

fn uses_workstations(item: &PriceItem) -> bool {
    item.components.iter().any(|c| {
        matches!(
            &c.price,
            Some(
                Price::PerUnit {
                    unit: Unit::Workstation,
                    ..
                } | Price::PerBlock {
                    unit: Unit::Workstation,
                    ..
                } | Price::Bands {
                    unit: Unit::Workstation,
                    ..
                } | Price::Tiers {
                    unit: Unit::Workstation,
                    ..
                }
            )
        )
    })
}

/// What the sample entities would pay for `item` placed at `at` in `list` (or added), in the
/// first two years of service from the list's first day.
pub fn preview(
    list: &PriceList,
    at: Option<usize>,
    item: &PriceItem,
    samples: &[FeeBasis],
    quantity: u32,
) -> Preview {
    let mut list = list.clone();
    match at {
        Some(i) if i < list.items.len() => list.items[i] = item.clone(),
        _ => list.items.push(item.clone()),
    }
    // Activated on 1 January of this year when the list is in force then (a list of the past:
    // on its first day), so that the figures are this year's and the next.
    let jan1 = chrono::NaiveDate::from_ymd_opt(kernel::time::today().year(), 1, 1)
        .unwrap_or(list.valid_from);
    let activation = if list.valid_to.is_none_or(|t| t >= jan1) {
        list.valid_from.max(jan1)
    } else {
        list.valid_from
    };
    let mut p = Preview {
        activation: kernel::time::display_date(activation),
        ..Default::default()
    };
    if let Err(e) = list.validate() {
        p.error = crate::pages::sentence(&e.to_string());
        return p;
    }
    let by_workstation = uses_workstations(item);
    for e in samples {
        let q = if by_workstation {
            e.workstations
        } else {
            quantity
        };
        let mut facts = vec![];
        if let Some(pop) = e.population {
            facts.push(format!("{} ab.", kernel::money::thousands(pop.into())));
        }
        facts.push(Unit::Workstation.count(e.workstations.into()));
        if !by_workstation {
            facts.push(format!("quantità {q}"));
        }
        let years = [activation.year(), activation.year() + 1]
            .into_iter()
            .enumerate()
            .map(|(k, year)| {
                let label = format!("{}° anno ({year})", k + 1);
                let input = QuoteInput {
                    service: &item.service,
                    item: Some(&item.code),
                    quantity: q,
                    population: e.population,
                    activation,
                    year,
                };
                match fees::quote(&list, &input) {
                    Ok(quote) => PreviewYear {
                        label,
                        amount: format!(
                            "{}{}",
                            quote.amount,
                            if quote.on_quotation {
                                " + preventivo"
                            } else {
                                ""
                            }
                        ),
                        lines: quote.lines.into_iter().map(|l| l.text).collect(),
                        error: String::new(),
                    },
                    Err(err) => PreviewYear {
                        label,
                        amount: String::new(),
                        lines: vec![],
                        error: crate::pages::sentence(&err.to_string()),
                    },
                }
            })
            .collect();
        p.rows.push(PreviewRow {
            name: e.name.clone(),
            facts: facts.join(" · "),
            years,
        });
    }
    p
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

fn quantity_of(pairs: &[(String, String)]) -> (String, u32) {
    let typed = value(pairs, "anteprima_quantita").trim().to_owned();
    let q = typed.parse::<u32>().ok().filter(|q| *q > 0).unwrap_or(1);
    (if typed.is_empty() { "1".into() } else { typed }, q)
}

#[allow(clippy::too_many_arguments)]
async fn item_page(
    s: &AppState,
    sess: &Session,
    stored: &price_lists::StoredPriceList,
    at: Option<usize>,
    draft: ItemDraft,
    errors: Errors,
    message: String,
    quantity: (String, u32),
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
    let shown = match draft.read() {
        Ok(item) => {
            let basis = samples(
                members::store::fee_basis(&s.db)
                    .await
                    .map_err(CatalogError::from)?,
            );
            preview(&stored.list, at, &item, &basis, quantity.1)
        }
        Err(_) => Preview {
            error: "Correggi i campi segnalati per vedere l'anteprima.".into(),
            ..Default::default()
        },
    };
    let title = match at {
        None => "Nuova voce".to_owned(),
        Some(_) => format!("Voce {} «{}»", draft.service, draft.label),
    };
    Ok(ItemPage {
        layout: Layout::new(s, Some(sess), title, "price-lists"),
        list_id: stored.id,
        list_name: stored.list.name.clone(),
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
        quantity: quantity.0,
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
    let page = item_page(
        &s,
        &sess,
        &stored,
        at,
        draft,
        Errors::default(),
        String::new(),
        ("1".into(), 1),
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
    let quantity = quantity_of(&pairs);
    if draft.reshape(value(&pairs, "azione")) {
        let page = item_page(
            &s,
            &sess,
            &stored,
            at,
            draft,
            Errors::default(),
            String::new(),
            quantity,
        )
        .await?;
        return Ok(ok(&page));
    }
    let version = value(&pairs, "version").trim().parse().ok();
    let refused = |errors: FieldErrors, message: String| (Errors(errors), message);
    let (errors, message) = match draft.read() {
        Err(errors) => refused(
            errors,
            "Alcuni campi non si possono leggere: sono segnalati qui sotto.".into(),
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
                Err(e) => refused(vec![], crate::pages::sentence(&e.to_string())),
            }
        }
    };
    let page = item_page(&s, &sess, &stored, at, draft, errors, message, quantity).await?;
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
    let preview = match draft.read() {
        Ok(item) => {
            let basis = samples(
                members::store::fee_basis(&s.db)
                    .await
                    .map_err(CatalogError::from)?,
            );
            preview(&stored.list, at, &item, &basis, quantity_of(&pairs).1)
        }
        Err(errors) => Preview {
            error: errors
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join("; "),
            ..Default::default()
        },
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn basis(id: i64, population: Option<u32>) -> FeeBasis {
        FeeBasis {
            id,
            name: format!("Ente {id}"),
            population,
            workstations: 10,
        }
    }

    #[test]
    fn samples_are_the_smallest_the_middle_and_the_largest() {
        let all = vec![
            basis(1, Some(500)),
            basis(2, None),
            basis(3, Some(90_000)),
            basis(4, Some(3_000)),
            basis(5, Some(7_000)),
        ];
        let ids: Vec<i64> = samples(all).iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![1, 5, 3]);
        assert_eq!(samples(vec![basis(2, None)]).len(), 1);
    }

    #[test]
    fn the_preview_prices_the_item_as_typed() {
        let list = catalog::service::padova::price_list().unwrap();
        let at = 0;
        let mut item = list.items[at].clone();
        item.components.truncate(1);
        item.components[0].when = fees::When::Yearly;
        item.components[0].pro_rata = false;
        item.components[0].from_year = 1;
        item.components[0].until_year = None;
        item.components[0].price = Some(Price::PerUnit {
            amount: kernel::Euro::from_cents(1_000),
            unit: Unit::Workstation,
        });
        let p = preview(&list, Some(at), &item, &[basis(1, Some(500))], 1);
        assert_eq!(p.error, "");
        assert_eq!(p.rows[0].years[0].amount, "€ 100,00");
        assert_eq!(p.rows[0].years[1].amount, "€ 100,00");
        assert!(
            p.rows[0].facts.contains("10 postazioni"),
            "{}",
            p.rows[0].facts
        );
    }
}
