//! One way to confirm a destructive action: the action's form posts once without
//! `confermato`, and the handler answers with this page, which names what will be done and
//! its consequences and posts the same fields again with `confermato=1`. It works without
//! JavaScript, on a phone, and the question is a page a screen reader reads from its heading.

use askama::Template;
use axum::response::Response;

use super::{ok, Layout};
use crate::auth::Session;
use crate::AppState;

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    layout: Layout,
    c: Confirm,
}

/// What the confirmation page asks.
pub struct Confirm {
    /// The question, as the page's heading: "Cessare la convenzione n. 59/2024?".
    pub question: String,
    /// What will happen, one sentence each.
    pub consequences: Vec<String>,
    /// Where the confirmed form posts.
    pub action: String,
    /// The fields to post again.
    pub fields: Vec<(String, String)>,
    /// An optional text the person may add (the termination reason): (name, label).
    pub note: Option<(&'static str, &'static str)>,
    /// The button: "Cessa la convenzione".
    pub confirm_label: String,
    /// Where "Annulla" leads.
    pub cancel: String,
}

/// Whether a form carries the confirmation.
pub fn confirmed(value: &str) -> bool {
    value == "1"
}

pub fn page(s: &AppState, sess: &Session, nav: &'static str, c: Confirm) -> Response {
    ok(&ConfirmPage {
        layout: Layout::new(s, Some(sess), c.question.clone(), nav),
        c,
    })
}
