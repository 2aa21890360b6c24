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
    // A new list starts as a copy of today's, to edit.
    let items_json = match items_json {
        Some(j) => j,
        None => current
            .map(|l| serde_json::to_string_pretty(&l.list.items).unwrap_or_default())
            .unwrap_or_else(|| "[]".into()),
    };
    Ok(PriceListsPage {
        layout: Layout::new(s, Some(sess), "Listini", "price-lists"),
        lists,
        is_admin: sess.actor().is_admin(),
        name,
        valid_from,
        items_json,
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
        String::new(),
    )
    .await?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewListForm {
    name: String,
    valid_from: String,
    items_json: String,
}

pub async fn price_list_create(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Form(f): Form<NewListForm>,
) -> Result<Response, PageError> {
    let message = match list_from_form(&f.name, &f.valid_from, "", &f.items_json) {
        Err(m) => m,
        Ok(list) => match price_lists::create(&s.db, &sess.actor(), &list).await {
            Ok(saved) => return Ok(see_other(&format!("/price-lists/{}", saved.id))),
            Err(CatalogError::Db(e)) => return Err(CatalogError::Db(e).into()),
            Err(e) => e.to_string(),
        },
    };
    let p = lists_page(&s, &sess, f.name, f.valid_from, Some(f.items_json), message).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &p))
}

/// A price list as typed in the create or edit form, or what is wrong with it.
fn list_from_form(
    name: &str,
    valid_from: &str,
    valid_to: &str,
    items_json: &str,
) -> Result<PriceList, String> {
    let valid_from = valid_from
        .trim()
        .parse()
        .map_err(|_| "Data di inizio validità non valida.".to_owned())?;
    let valid_to = match valid_to.trim() {
        "" => None,
        t => Some(
            t.parse()
                .map_err(|_| "Data di fine validità non valida.".to_owned())?,
        ),
    };
    let items = serde_json::from_str(items_json).map_err(|e| format!("Voci non valide: {e}"))?;
    Ok(PriceList {
        name: name.trim().to_owned(),
        valid_from,
        valid_to,
        items,
    })
}

pub struct ListItemRow {
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
    form: EditListForm,
    message: String,
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
        .map(|i| ListItemRow {
            service: i.service.clone(),
            item: item_view(i),
        })
        .collect();
    Ok(PriceListPage {
        layout: Layout::new(s, Some(sess), l.list.name.clone(), "price-lists"),
        id: l.id,
        period: period(l.list.valid_from, l.list.valid_to),
        name: l.list.name,
        uses: l.uses,
        rows,
        can_edit: sess.actor().is_admin() && l.uses == 0,
        form,
        message,
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
            Err(e) => e.to_string(),
        },
    };
    let page = list_page(&s, &sess, id, Some(f), message).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}
