//! Accounts (admins only).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;

use super::{ok, render, see_other, Layout};
use crate::auth::{PageAdmin, Session};
use crate::error::PageError;
use crate::AppState;

pub struct UserRow {
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub entities: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    layout: Layout,
    users: Vec<UserRow>,
}

pub async fn list(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
) -> Result<Response, PageError> {
    let users = accounts::store::list(&s.db, &sess.actor()).await?;
    let names = entity_names(&s).await?;
    let rows = users
        .into_iter()
        .map(|(u, ids)| UserRow {
            entities: ids
                .iter()
                .map(|id| {
                    names
                        .iter()
                        .find(|(i, _)| i == id)
                        .map_or(id.to_string(), |(_, n)| n.clone())
                })
                .collect::<Vec<_>>()
                .join(", "),
            username: u.username,
            full_name: u.full_name,
            role: u.role.label().into(),
            active: u.active,
        })
        .collect();
    Ok(ok(&ListPage {
        layout: Layout::new(&s, Some(&sess), "Utenti", "users"),
        users: rows,
    }))
}

async fn entity_names(s: &AppState) -> Result<Vec<(i64, String)>, PageError> {
    let page = members::store::list(
        &s.db,
        &kernel::Actor::system("system"),
        &members::store::ListQuery {
            limit: 1000,
            ..Default::default()
        },
    )
    .await?;
    Ok(page
        .items
        .into_iter()
        .map(|e| (e.id, e.data.name))
        .collect())
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    layout: Layout,
    username: String,
    full_name: String,
    email: String,
    role: String,
    roles: Vec<(String, String)>,
    entities: Vec<(i64, String, bool)>,
    error: String,
}

async fn form_page(
    s: &AppState,
    sess: &Session,
    f: &[(String, String)],
    error: String,
) -> Result<FormPage, PageError> {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let chosen: Vec<String> = f
        .iter()
        .filter(|(n, _)| n == "entity_ids")
        .map(|(_, v)| v.clone())
        .collect();
    Ok(FormPage {
        layout: Layout::new(s, Some(sess), "Nuovo utente", "users"),
        username: get("username"),
        full_name: get("full_name"),
        email: get("email"),
        role: get("role"),
        roles: kernel::Role::ALL
            .iter()
            .map(|r| (r.code().into(), r.label().into()))
            .collect(),
        entities: entity_names(s)
            .await?
            .into_iter()
            .map(|(id, n)| (id, n, chosen.contains(&id.to_string())))
            .collect(),
        error,
    })
}

pub async fn new_form(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
) -> Result<Response, PageError> {
    Ok(ok(&form_page(&s, &sess, &[], String::new()).await?))
}

pub async fn create(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut ids = Vec::new();
    for (k, v) in &f {
        if k == "entity_ids" {
            match v.parse() {
                Ok(id) => ids.push(id),
                Err(_) => return Err(PageError::new(StatusCode::BAD_REQUEST, "Ente non valido.")),
            }
        }
    }
    let new = accounts::NewUser {
        username: get("username"),
        full_name: get("full_name"),
        email: get("email"),
        role: get("role"),
        password: get("password"),
        entity_ids: ids,
    };
    match accounts::store::create(&s.db, &sess.actor(), &new).await {
        Ok(_) => Ok(see_other("/users")),
        Err(
            e @ (accounts::AccountsError::Invalid { .. }
            | accounts::AccountsError::UsernameTaken
            | accounts::AccountsError::UnknownEntity(_)),
        ) => {
            let page = form_page(&s, &sess, &f, e.to_string()).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}
