//! Login and logout.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

use crate::auth::{PageUser, SESSION_COOKIE};
use crate::client::ClientIp;
use crate::pages::{render, Layout};
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

/// Only paths of this site: never `//host`, `https://…`, a backslash (`/\\host` is another
/// host to browsers) or a control character (browsers drop tabs and newlines, so `/\t/host`
/// becomes `//host`; a newline would also break the `Location` header).
pub(crate) fn safe_next(next: &str) -> String {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control)
    {
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

/// "riprovare tra 40 secondi" / "tra 3 minuti".
fn retry_in(wait: chrono::Duration) -> String {
    let secs = wait.num_seconds().max(1);
    if secs < 60 {
        format!("{secs} second{}", if secs == 1 { "o" } else { "i" })
    } else {
        let m = (secs + 59) / 60;
        format!("{m} minut{}", if m == 1 { "o" } else { "i" })
    }
}

pub async fn login(
    State(s): State<AppState>,
    ClientIp(client): ClientIp,
    Form(f): Form<LoginForm>,
) -> Response {
    let who = client.to_string();
    let next = safe_next(&f.next);
    let now = s.clock.now();
    let refuse = |s: &AppState, f: LoginForm, next, wait| {
        let mut r = page(
            s,
            f.username,
            next,
            format!(
                "Troppi tentativi di accesso non riusciti per questo utente da questo indirizzo: \
                 riprovare tra {}.",
                retry_in(wait)
            ),
            StatusCode::TOO_MANY_REQUESTS,
        );
        if let Ok(v) = wait.num_seconds().max(1).to_string().parse() {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r
    };
    match accounts::throttle::check(&s.db, &f.username, &who, now).await {
        Ok(Some(wait)) => return refuse(&s, f, next, wait),
        Ok(None) => {}
        Err(e) => return crate::error::PageError::from(e).into_response(),
    }
    let user = match accounts::store::authenticate(&s.db, &f.username, &f.password).await {
        Ok(u) => u,
        Err(accounts::AccountsError::BadCredentials) => {
            tracing::warn!(username = %f.username, client = %who, "failed login");
            return match accounts::throttle::failed(&s.db, &f.username, &who, now).await {
                Ok(wait) if wait > chrono::Duration::zero() => refuse(&s, f, next, wait),
                Ok(_) => page(
                    &s,
                    f.username,
                    next,
                    "Nome utente o password non corretti.".into(),
                    StatusCode::UNAUTHORIZED,
                ),
                Err(e) => crate::error::PageError::from(e).into_response(),
            };
        }
        Err(e) => return crate::error::PageError::from(e).into_response(),
    };
    if let Err(e) = accounts::throttle::succeeded(&s.db, &f.username, &who).await {
        return crate::error::PageError::from(e).into_response();
    }
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

#[cfg(test)]
mod tests {
    use super::{retry_in, safe_next};

    #[test]
    fn next_stays_on_this_site() {
        for ok in ["/", "/entities?q=a%20b", "/tickets/3#fine"] {
            assert_eq!(safe_next(ok), ok);
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/x",
            "/ok\r\nSet-Cookie: a=b",
            "https://evil.example",
            "evil",
            "",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }

    #[test]
    fn the_wait_is_said_in_italian() {
        assert_eq!(retry_in(chrono::Duration::seconds(1)), "1 secondo");
        assert_eq!(retry_in(chrono::Duration::seconds(40)), "40 secondi");
        assert_eq!(retry_in(chrono::Duration::seconds(61)), "2 minuti");
        assert_eq!(retry_in(chrono::Duration::seconds(60)), "1 minuto");
    }
}
