//! Accounts: login and logout, users and their API tokens.

pub mod auth_pages;
pub mod users_pages;

use axum::http::Method;

use crate::routes::{route, Access, Route, Surface};

#[rustfmt::skip]
pub(crate) fn routes() -> Vec<Route> {
    use Access::*;
    use Method as M;
    use Surface::*;
    vec![
        route(M::GET, "/login", Public, Page, auth_pages::login_form),
        route(M::POST, "/login", Public, Page, auth_pages::login),
        route(M::POST, "/logout", User, Page, auth_pages::logout),
        route(M::GET, "/users", Admin, Page, users_pages::list),
        route(M::GET, "/users.csv", Admin, Page, users_pages::csv),
        route(M::GET, "/users/new", Admin, Page, users_pages::new_form),
        route(M::POST, "/users", Admin, Page, users_pages::create),
        route(M::GET, "/users/{user_id}/edit", Admin, Page, users_pages::edit_form),
        route(M::POST, "/users/{user_id}", Admin, Page, users_pages::update),
        route(M::POST, "/users/{user_id}/tokens/{token_id}/revoke", Admin, Page, users_pages::revoke_token),
    ]
}
