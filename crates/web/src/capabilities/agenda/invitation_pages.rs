//! The invitee's page, reached by the link in the invitation (no login: the link is the
//! secret): the event, the answer given, and the form to answer.

use agenda::store::events::{Event, Invitation};
use agenda::AgendaError;
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::pages::{answer_label, not_found};
use crate::error::PageError;
use crate::pages::{ok, Layout};
use crate::AppState;

#[derive(Template)]
#[template(path = "agenda/invitation.html")]
struct InvitationPage {
    layout: Layout,
    e: Event,
    when: String,
    name: String,
    answer: String,
    answer_label: String,
    comment: String,
    token: String,
    saved: bool,
    /// Why the answer sent was refused.
    error: String,
}

impl InvitationPage {
    fn new(s: &AppState, token: String, e: Event, i: Invitation) -> Self {
        Self {
            layout: Layout::new(s, None, format!("Invito: {}", e.title), ""),
            when: agenda::notify::when(&e),
            name: if i.name.is_empty() {
                i.email.clone()
            } else {
                i.name.clone()
            },
            answer_label: answer_label(&i.answer).into(),
            answer: i.answer,
            comment: i.comment,
            token,
            saved: false,
            error: String::new(),
            e,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    risposta: String,
    commento: String,
}

/// `/agenda/invito/{token}`: the invitee sees the event and answers. No login: the link is
/// the secret; an unknown link is "not found".
pub async fn invitation(
    State(s): State<AppState>,
    Path(token): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (e, i) = not_found(agenda::store::invitations::by_token(&s.db, &token).await)?;
    let mut page = InvitationPage::new(&s, token, e, i);
    page.saved = raw.as_deref() == Some("risposto=1");
    Ok(ok(&page))
}

/// Records the invitee's answer; a missing one is asked for again, with the comment kept.
pub async fn answer(
    State(s): State<AppState>,
    crate::client::ClientIp(ip): crate::client::ClientIp,
    Path(token): Path<String>,
    Form(f): Form<AnswerForm>,
) -> Result<Response, PageError> {
    if s.public_limit.take(ip, std::time::Instant::now()).is_err() {
        return Ok((
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            "Troppe richieste da questo indirizzo: riprovi tra qualche minuto.",
        )
            .into_response());
    }
    let answer = match f.risposta.as_str() {
        "si" => "accepted",
        "forse" => "tentative",
        "no" => "declined",
        _ => "",
    };
    let why = match agenda::store::invitations::answer(&s.db, &token, answer, &f.commento).await {
        Ok(_) => {
            return Ok(Redirect::to(&format!("/agenda/invito/{token}?risposto=1")).into_response())
        }
        Err(AgendaError::Invalid(_)) => {
            "Scegliere una risposta: partecipo, forse o non partecipo.".to_owned()
        }
        Err(AgendaError::Conflict(why)) => crate::pages::sentence(&why),
        // An unknown link is "not found"; a failure of ours is shown as one.
        Err(e) => return not_found(Err(e)),
    };
    let (e, i) = not_found(agenda::store::invitations::by_token(&s.db, &token).await)?;
    let mut page = InvitationPage::new(&s, token, e, i);
    page.comment = f.commento;
    page.error = why;
    let mut r = ok(&page);
    *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}
