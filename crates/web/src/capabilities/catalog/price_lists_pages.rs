//! Price lists: the list of periods, one list with its items, a new list, edits while unused.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use catalog::fees::PriceList;
use catalog::store::price_lists;
use catalog::CatalogError;
use serde::Deserialize;

use super::services_pages::{item_view, list_today, ItemView};
use crate::auth::{PageAdmin, PageUser, Session};
use crate::error::PageError;
use crate::pages::{ok, parse_id, render, see_other, Layout};
use crate::AppState;

pub struct PriceListRow {
    pub id: i64,
    pub name: String,
    pub period: String,
    pub uses: i64,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "catalog/price_lists.html")]
struct PriceListsPage {
    layout: Layout,
    lists: Vec<PriceListRow>,
    is_admin: bool,
    name: String,
    valid_from: String,
    /// The list whose items a new list starts from ("" for none).
    start_from: String,
    items_json: String,
    message: String,
}

fn period(from: chrono::NaiveDate, to: Option<chrono::NaiveDate>) -> String {
    use kernel::time::display_date;
    match to {
        Some(t) => format!("dal {} al {}", display_date(from), display_date(t)),
        None => format!("dal {}", display_date(from)),
    }
}

async fn lists_page(
    s: &AppState,
    sess: &Session,
    name: String,
    valid_from: String,
    start_from: Option<String>,
    items_json: Option<String>,
    message: String,
) -> Result<PriceListsPage, PageError> {
    let today = kernel::time::today();
    let current = list_today(s).await?;
    let lists = price_lists::summaries(&s.db)
        .await?
        .into_iter()
        .map(|l| PriceListRow {
            current: l.valid_from <= today && l.valid_to.is_none_or(|t| today <= t),
            id: l.id,
            name: l.name,
            period: period(l.valid_from, l.valid_to),
            uses: l.uses,
        })
        .collect();
    // A new list starts as a copy of today's, to edit item by item.
    let start_from =
        start_from.unwrap_or_else(|| current.map(|l| l.id.to_string()).unwrap_or_default());
    Ok(PriceListsPage {
        layout: Layout::new(s, Some(sess), "Listini", "price-lists"),
        lists,
        is_admin: sess.actor().is_admin(),
        name,
        valid_from,
        start_from,
        items_json: items_json.unwrap_or_default(),
        message,
    })
}

pub async fn price_lists(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
) -> Result<Response, PageError> {
    Ok(ok(&lists_page(
        &s,
        &sess,
        String::new(),
        String::new(),
        None,
        None,
        String::new(),
    )
    .await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewListForm {
    name: String,
    valid_from: String,
    start_from: String,
    items_json: String,
}

pub async fn price_list_create(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Form(f): Form<NewListForm>,
) -> Result<Response, PageError> {
    // Items: the JSON typed by a power user, else a copy of the chosen list, else none.
    let items_json = if !f.items_json.trim().is_empty() {
        f.items_json.clone()
    } else if let Ok(from) = f.start_from.trim().parse::<i64>() {
        let l = price_lists::get(&s.db, from).await?;
        serde_json::to_string(&l.list.items).unwrap_or_else(|_| "[]".into())
    } else {
        "[]".into()
    };
    let message = match list_from_form(&f.name, &f.valid_from, "", &items_json) {
        Err(m) => m,
        Ok(list) => {
            let before = price_lists::summaries(&s.db).await?;
            match price_lists::create(&s.db, &sess.actor(), &list).await {
                Ok(saved) => {
                    // Say which list the new one closed, if any.
                    let after = price_lists::summaries(&s.db).await?;
                    let mut said = format!("Listino «{}» creato.", saved.list.name);
                    for b in &before {
                        if let Some(a) = after
                            .iter()
                            .find(|a| a.id == b.id && a.valid_to != b.valid_to)
                        {
                            if let Some(to) = a.valid_to {
                                said.push_str(&format!(
                                    " Il listino «{}» ora vale fino al {}.",
                                    a.name,
                                    kernel::time::display_date(to)
                                ));
                            }
                        }
                    }
                    return crate::pages::back_with(
                        &s,
                        &sess,
                        &format!("/price-lists/{}", saved.id),
                        crate::auth::Flash::saved(said),
                    )
                    .await;
                }
                Err(CatalogError::Db(e)) => return Err(CatalogError::Db(e).into()),
                Err(e) => super::said(&e),
            }
        }
    };
    let message = crate::pages::sentence(&message);
    let p = lists_page(
        &s,
        &sess,
        f.name,
        f.valid_from,
        Some(f.start_from),
        Some(f.items_json),
        message,
    )
    .await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

/// A price list as typed in the create or edit form, or what is wrong with it (every field
/// at once).
fn list_from_form(
    name: &str,
    valid_from: &str,
    valid_to: &str,
    items_json: &str,
) -> Result<PriceList, String> {
    let mut wrong = vec![];
    if name.trim().is_empty() {
        wrong.push("il nome è obbligatorio".to_owned());
    }
    let valid_from = match valid_from.trim() {
        "" => {
            wrong.push("la data di inizio validità è obbligatoria".to_owned());
            None
        }
        t => t.parse().map_or_else(
            |_| {
                wrong.push("la data di inizio validità non è valida".to_owned());
                None
            },
            Some,
        ),
    };
    let valid_to = match valid_to.trim() {
        "" => None,
        t => t.parse().map_or_else(
            |_| {
                wrong.push("la data di fine validità non è valida".to_owned());
                None
            },
            Some,
        ),
    };
    let items = match serde_json::from_str(items_json) {
        Ok(items) => Some(items),
        Err(e) => {
            wrong.push(format!("le voci in JSON: {}", json_problem(&e)));
            None
        }
    };
    match (valid_from, items) {
        (Some(valid_from), Some(items)) if wrong.is_empty() => Ok(PriceList {
            name: name.trim().to_owned(),
            valid_from,
            valid_to,
            items,
        }),
        _ => Err(crate::pages::sentence(&format!("{}.", wrong.join("; ")))),
    }
}

/// What is wrong with a JSON text, in Italian, with where: the parser's own words (which name
/// the field or value in question) follow for the power user who typed it.
pub(crate) fn json_problem(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Eof => {
            "il testo finisce prima del previsto (manca una parentesi o una virgoletta?)"
        }
        Category::Syntax => "il testo non è JSON valido",
        Category::Data => "un campo o un valore non va bene",
        Category::Io => "il testo non si legge",
    };
    format!("{what}, riga {}, colonna {} ({e})", e.line(), e.column())
}

pub struct ListItemRow {
    /// The item's number in the list, from 1: its address for editing.
    pub number: usize,
    pub service: String,
    pub item: ItemView,
}

#[derive(Template)]
#[template(path = "catalog/price_list.html")]
struct PriceListPage {
    layout: Layout,
    id: i64,
    name: String,
    period: String,
    uses: i64,
    rows: Vec<ListItemRow>,
    can_edit: bool,
    is_admin: bool,
    /// The list has a last day and no later list starts after it: it can be reopened.
    can_reopen: bool,
    valid_to: String,
    version: i64,
    form: EditListForm,
    message: String,
    flash: crate::auth::Flash,
}

/// The edit form of a list nothing has used yet.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EditListForm {
    name: String,
    valid_from: String,
    valid_to: String,
    items_json: String,
    version: String,
}

pub async fn price_list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    Ok(ok(&list_page(
        &s,
        &sess,
        parse_id(&id)?,
        None,
        String::new(),
    )
    .await?))
}

async fn list_page(
    s: &AppState,
    sess: &Session,
    id: i64,
    form: Option<EditListForm>,
    message: String,
) -> Result<PriceListPage, PageError> {
    let l = price_lists::get(&s.db, id).await?;
    let form = form.unwrap_or_else(|| EditListForm {
        name: l.list.name.clone(),
        valid_from: l.list.valid_from.to_string(),
        valid_to: l.list.valid_to.map(|d| d.to_string()).unwrap_or_default(),
        items_json: serde_json::to_string_pretty(&l.list.items).unwrap_or_default(),
        version: l.version.to_string(),
    });
    let rows = l
        .list
        .items
        .iter()
        .enumerate()
        .map(|(k, i)| ListItemRow {
            number: k + 1,
            service: i.service.clone(),
            item: item_view(i),
        })
        .collect();
    let later = price_lists::summaries(&s.db)
        .await?
        .iter()
        .any(|o| o.id != l.id && o.valid_from > l.list.valid_from);
    let flash = crate::pages::notice(s, sess).await?;
    Ok(PriceListPage {
        layout: Layout::new(s, Some(sess), l.list.name.clone(), "price-lists"),
        id: l.id,
        period: period(l.list.valid_from, l.list.valid_to),
        name: l.list.name,
        uses: l.uses,
        rows,
        can_edit: sess.actor().is_admin() && l.uses == 0,
        is_admin: sess.actor().is_admin(),
        can_reopen: l.list.valid_to.is_some() && !later,
        valid_to: l.list.valid_to.map(|d| d.to_string()).unwrap_or_default(),
        version: l.version,
        form,
        message,
        flash,
    })
}

/// Saves an edited list; refused (with the reason) when it was used meanwhile or is invalid.
pub async fn price_list_update(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Path(id): Path<String>,
    Form(f): Form<EditListForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    price_lists::get(&s.db, id).await?;
    let parsed = list_from_form(&f.name, &f.valid_from, &f.valid_to, &f.items_json);
    let version = f.version.trim().parse().ok();
    let message = match parsed {
        Err(m) => m,
        Ok(list) => match price_lists::update(&s.db, &sess.actor(), id, &list, version).await {
            Ok(_) => return Ok(see_other(&format!("/price-lists/{id}"))),
            Err(CatalogError::Db(e)) => return Err(CatalogError::Db(e).into()),
            Err(e) => super::said(&e),
        },
    };
    let page = list_page(&s, &sess, id, Some(f), message).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// The list as JSON, to keep or to edit by hand and import as a new list.
pub async fn export(
    State(s): State<AppState>,
    PageUser(_sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let l = price_lists::get(&s.db, parse_id(&id)?).await?;
    let body = serde_json::to_string_pretty(&l.list).unwrap_or_default();
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"listino-{}.json\"", l.id),
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndForm {
    valid_to: String,
    version: String,
    confermato: String,
}

/// Closes a list on a day (after a confirmation naming what follows), or reopens it when the
/// form carries no day: the undo of a closing, while no later list has started.
pub async fn set_end(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Path(id): Path<String>,
    Form(f): Form<EndForm>,
) -> Result<Response, PageError> {
    use crate::auth::Flash;
    use kernel::time::display_date;
    let id = parse_id(&id)?;
    let l = price_lists::get(&s.db, id).await?;
    let back = format!("/price-lists/{id}");
    let reopen = f.valid_to.trim().is_empty() && l.list.valid_to.is_some();
    let valid_to = match f.valid_to.trim() {
        "" if reopen => None,
        "" => {
            return crate::pages::refused(
                &s,
                &sess,
                &back,
                "Indica l'ultimo giorno di validità del listino.",
            )
            .await
        }
        t => match t.parse::<chrono::NaiveDate>() {
            Ok(d) => Some(d),
            Err(_) => {
                return crate::pages::refused(&s, &sess, &back, "Data di fine validità non valida.")
                    .await
            }
        },
    };
    if valid_to.is_some_and(|to| to < l.list.valid_from) {
        let why = format!(
            "Il listino inizia il {}: non può finire prima.",
            display_date(l.list.valid_from)
        );
        return crate::pages::refused(&s, &sess, &back, &why).await;
    }
    if let (Some(to), false) = (valid_to, crate::pages::confirm::confirmed(&f.confermato)) {
        let next = to.succ_opt().unwrap_or(to);
        return Ok(crate::pages::confirm::page(
            &s,
            &sess,
            "price-lists",
            crate::pages::confirm::Confirm {
                question: format!("Chiudere il listino «{}» il {}?", l.list.name, display_date(to)),
                consequences: vec![
                    format!(
                        "Dal {} questo listino non darà più prezzi: preventivi e servizi attivati da quel giorno useranno il listino successivo, se c'è; altrimenti non si potranno preventivare finché non se ne crea uno.",
                        display_date(next)
                    ),
                    "I preventivi e i rendiconti già fatti con questo listino non cambiano.".into(),
                    "Si può riaprire finché non inizia un listino successivo.".into(),
                ],
                action: format!("/price-lists/{id}/fine"),
                fields: vec![
                    ("valid_to".into(), to.to_string()),
                    ("version".into(), f.version.clone()),
                ],
                note: None,
                confirm_label: "Chiudi il listino".into(),
                cancel: back,
            },
        ));
    }
    let version = f.version.trim().parse().ok();
    let flash = match price_lists::set_end(&s.db, &sess.actor(), id, valid_to, version).await {
        Ok(_) => Flash::saved(match valid_to {
            Some(to) => format!("Listino chiuso: vale fino al {}.", display_date(to)),
            None => "Listino riaperto: vale senza data di fine.".to_owned(),
        }),
        Err(CatalogError::Db(e)) => return Err(CatalogError::Db(e).into()),
        Err(e) => Flash::error(super::said(&e)),
    };
    crate::pages::back_with(&s, &sess, &back, flash).await
}
