//! Login and logout.

use askama::Template;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use std::net::SocketAddr;

use super::{render, Layout};
use crate::auth::{PageUser, SESSION_COOKIE};
use crate::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    username: String,
    next: String,
    error: String,
    demo_logins: Vec<(String, String, String)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
}

/// Only paths of this site: never `//host` or `https://…`.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/".into()
    }
}

fn page(
    state: &AppState,
    username: String,
    next: String,
    error: String,
    status: StatusCode,
) -> Response {
    render(
        status,
        &LoginPage {
            layout: Layout::new(state, None, "Accesso", ""),
            username,
            next,
            error,
            demo_logins: state.config.demo_logins.clone(),
        },
    )
}

pub async fn login_form(State(s): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let next = serde_urlencoded::from_str::<Vec<(String, String)>>(q.as_deref().unwrap_or(""))
        .ok()
        .and_then(|v| v.into_iter().find(|(k, _)| k == "next").map(|(_, v)| v))
        .unwrap_or_else(|| "/".into());
    page(
        &s,
        String::new(),
        safe_next(&next),
        String::new(),
        StatusCode::OK,
    )
}

pub async fn login(
    State(s): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(f): Form<LoginForm>,
) -> Response {
    // The peer address: behind a reverse proxy all clients share it, and the per-username
    // limit is what protects accounts.
    let who = addr.ip().to_string();
    let next = safe_next(&f.next);
    if let Some(wait) = s.throttle.check(&f.username, &who) {
        let minutes = wait.as_secs().div_ceil(60).max(1);
        return page(
            &s,
            f.username,
            next,
            format!("Troppi tentativi di accesso non riusciti: riprovare tra {minutes} minuti."),
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let user = match accounts::store::authenticate(&s.db, &f.username, &f.password).await {
        Ok(u) => u,
        Err(accounts::AccountsError::BadCredentials) => {
            s.throttle.failed(&f.username, &who);
            tracing::warn!(username = %f.username, client = %who, "failed login");
            return page(
                &s,
                f.username,
                next,
                "Nome utente o password non corretti.".into(),
                StatusCode::UNAUTHORIZED,
            );
        }
        Err(e) => return crate::error::PageError::from(e).into_response(),
    };
    s.throttle.succeeded(&f.username);
    match accounts::store::start_session(&s.db, &user).await {
        Ok(sess) => {
            let secure = if s.config.secure_cookies {
                "; Secure"
            } else {
                ""
            };
            let cookie = format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
                sess.cookie,
                accounts::store::SESSION_HOURS * 3600
            );
            (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, next), (header::SET_COOKIE, cookie)],
            )
                .into_response()
        }
        Err(e) => crate::error::PageError::from(e).into_response(),
    }
}

pub async fn logout(State(s): State<AppState>, PageUser(sess): PageUser) -> Response {
    if let Err(e) = accounts::store::end_session(&s.db, &sess.cookie, &sess.user).await {
        return crate::error::PageError::from(e).into_response();
    }
    let secure = if s.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/login".to_owned()),
            (
                header::SET_COOKIE,
                format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
            ),
        ],
    )
        .into_response()
}
