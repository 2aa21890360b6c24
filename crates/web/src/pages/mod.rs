//! The Italian web UI. Each page is an askama template under `templates/`, rendered whole,
//! or as a fragment when htmx asks for one (`HX-Request`).

pub mod audit_words;
pub mod choose;
pub mod confirm;
pub mod form_reader;
pub mod home;
pub mod list;
pub mod menu;

use askama::Template;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::auth::Session;
use crate::AppState;

/// What every page's frame needs.
pub struct Layout {
    pub title: String,
    pub centre: String,
    pub user: Option<UserView>,
    pub csrf: String,
    /// The navigation entry to mark active.
    pub nav: &'static str,
    /// The main menu for this person (empty without a session).
    pub menu: Vec<menu::NavGroup>,
}

pub struct UserView {
    pub name: String,
    pub role: String,
    pub is_staff: bool,
    pub is_admin: bool,
    /// Suppliers and staff see the supplier phases.
    pub sees_phases: bool,
}

impl Layout {
    pub fn new(
        state: &AppState,
        session: Option<&Session>,
        title: impl Into<String>,
        nav: &'static str,
    ) -> Self {
        Self {
            title: title.into(),
            centre: state.config.centre_name.clone(),
            user: session.map(|s| UserView {
                name: if s.user.full_name.is_empty() {
                    s.user.username.clone()
                } else {
                    s.user.full_name.clone()
                },
                role: s.user.role.label().into(),
                is_staff: s.user.role.is_staff(),
                is_admin: s.user.role == kernel::Role::Admin,
                sees_phases: s.user.role != kernel::Role::Contact,
            }),
            csrf: session.map(|s| s.csrf.clone()).unwrap_or_default(),
            nav,
            menu: session
                .map(|s| menu::menu(s.user.role, nav))
                .unwrap_or_default(),
        }
    }
}

pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template error");
            (StatusCode::INTERNAL_SERVER_ERROR, "errore interno").into_response()
        }
    }
}

/// A template as HTML to put inside a page (a list drawn alone for htmx and inside its page).
pub fn html<T: Template>(t: &T) -> Result<String, crate::error::PageError> {
    t.render().map_err(|e| {
        tracing::error!(error = %e, "template error");
        crate::error::PageError::new(StatusCode::INTERNAL_SERVER_ERROR, "errore interno")
    })
}

/// The site's address for links in e-mails and feeds: the configured public address, else the
/// one the request reached (`https://cst.example.it`).
pub fn site(s: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(u) = &s.config.public_url {
        return u.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if s.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

pub fn ok<T: Template>(t: &T) -> Response {
    render(StatusCode::OK, t)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    message: String,
}

/// What an error page said, kept on its response so that [`crate::edge::error_frame`] can draw
/// it again inside the person's own header and menu.
#[derive(Clone)]
pub struct ErrorShown(pub String);

/// An error page without the session (the frame shows no user menu until
/// [`crate::edge::error_frame`] finds one).
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let t = ErrorPage {
        layout: Layout {
            title: "Errore".into(),
            centre: String::new(),
            user: None,
            csrf: String::new(),
            nav: "",
            menu: Vec::new(),
        },
        status: status.as_u16(),
        message: message.to_owned(),
    };
    let mut r = render(status, &t);
    r.extensions_mut().insert(ErrorShown(message.to_owned()));
    r
}

/// The same error page within the frame of a signed-in person.
pub fn error_page_for(
    state: &AppState,
    session: &Session,
    status: StatusCode,
    message: &str,
) -> Response {
    render(
        status,
        &ErrorPage {
            layout: Layout::new(state, Some(session), "Errore", ""),
            status: status.as_u16(),
            message: message.to_owned(),
        },
    )
}

pub fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// After a successful form post: see the result (303 so a reload does not post again).
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|x| x.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// A form field as the templates draw it.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    pub error: String,
    /// `text`, `number`, `date`, `email`, `textarea`, `select`, `password`
    pub kind: &'static str,
    pub options: Vec<(String, String)>,
    pub help: &'static str,
    pub required: bool,
}

impl Field {
    pub fn new(name: &'static str, label: &'static str, kind: &'static str) -> Self {
        Self {
            name,
            label,
            value: String::new(),
            error: String::new(),
            kind,
            options: vec![],
            help: "",
            required: false,
        }
    }
}

/// Path ids that are not numbers name nothing: "not found", like an id that does not exist.
pub fn parse_id(id: &str) -> Result<i64, crate::error::PageError> {
    id.parse().map_err(|_| crate::error::PageError::not_found())
}

/// The messages of one field, joined.
pub fn messages_for(errors: &[members::FieldError], field: &str) -> String {
    errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// What a page says when a help-desk action was refused for a reason the user can act on
/// (invalid fields, a refused transition, a wrong calendar); anything else is an error page.
pub fn refusal(e: helpdesk::HelpdeskError) -> Result<String, crate::error::PageError> {
    use helpdesk::HelpdeskError as H;
    match e {
        H::Invalid(errs) => Ok(errs
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ")),
        e @ (H::Refused(_) | H::StaffOnly | H::Calendar(_)) => Ok(e.to_string()),
        e => Err(e.into()),
    }
}

/// `text` as a sentence: its first letter a capital.
pub fn sentence(text: &str) -> String {
    let mut c = text.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Back to `path` after an action, leaving `flash` for that page in the session (never in
/// the URL: a link cannot put words on a cst page, and what was typed is not lost).
pub async fn back_with(
    s: &AppState,
    sess: &Session,
    path: &str,
    mut flash: crate::auth::Flash,
) -> Result<Response, crate::error::PageError> {
    // The stores' reasons are clauses ("il ticket … va prima preso in carico"); on a page they
    // stand alone, so they start with a capital.
    flash.error = sentence(&flash.error);
    if !flash.error.is_empty() || !flash.saved.is_empty() {
        let json = serde_json::to_string(&flash).unwrap_or_default();
        accounts::store::set_flash(&s.db, &sess.cookie, Some(&json)).await?;
    }
    Ok(see_other(path))
}

/// Back to `path` with the reason of a refusal (nothing when `error` is empty).
pub async fn refused(
    s: &AppState,
    sess: &Session,
    path: &str,
    error: &str,
) -> Result<Response, crate::error::PageError> {
    back_with(s, sess, path, crate::auth::Flash::error(error)).await
}

/// The message left for this page, read once: it is cleared as it is shown.
pub async fn notice(
    s: &AppState,
    sess: &Session,
) -> Result<crate::auth::Flash, crate::error::PageError> {
    match &sess.flash {
        None => Ok(crate::auth::Flash::default()),
        Some(f) => {
            accounts::store::set_flash(&s.db, &sess.cookie, None).await?;
            Ok(f.clone())
        }
    }
}
