//! A send list as a page: its recipients, adding one from the address book or typed in,
//! taking one off after a confirmation.

use addressbook::store;
use addressbook::store::lists::{self, MemberDraft};
use addressbook::AddressBookError;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use super::pages::{not_found, Confirmed};
use crate::auth::{Flash, PageUser};
use crate::capabilities::delivery::work_pages::refusal;
use crate::error::PageError;
use crate::pages::confirm::{self, Confirm};
use crate::pages::{back_with, ok, parse_id, Layout};
use crate::AppState;

#[derive(Template)]
#[template(path = "addressbook/list.html")]
struct ListPage {
    layout: Layout,
    d: lists::ListDetail,
    entity: String,
    entries: Vec<(i64, String)>,
    flash: Flash,
}

/// `/liste/{list_id}`: the recipients and the forms.
pub async fn list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let d = not_found(lists::detail(&s.db, &actor, id).await)?;
    let e = members::store::get(&s.db, &actor, d.list.entity_id).await?;
    let mut entries = vec![];
    for b in store::books(&s.db, &actor, d.list.entity_id).await? {
        for x in store::book_detail(&s.db, &actor, b.id).await?.items {
            if !x.card.mobile.is_empty() || !x.card.phone.is_empty() || !x.card.email.is_empty() {
                let how = [&x.card.mobile, &x.card.email]
                    .iter()
                    .filter(|v| !v.is_empty())
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                entries.push((x.id, format!("{} ({how}) · {}", x.card.label(), b.name)));
            }
        }
    }
    Ok(ok(&ListPage {
        layout: Layout::new(&s, Some(&sess), d.list.name.clone(), "addressbook"),
        d,
        entity: e.data.name,
        entries,
        flash: crate::pages::notice(&s, &sess).await?,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MemberForm {
    voce: String,
    nome: String,
    cellulare: String,
    email: String,
}

/// Adds a recipient from the list's page: an entry chosen, or one typed in.
pub async fn add_member(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<MemberForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let draft = MemberDraft {
        name: f.nome.clone(),
        phone: f.cellulare.clone(),
        email: f.email.clone(),
        entry_id: f.voce.trim().parse().ok(),
    };
    let flash = match lists::add(&s.db, &sess.actor(), id, &draft).await {
        Ok(m) => Flash::saved(format!("«{}» aggiunto alla lista.", m.name)),
        Err(AddressBookError::ListNotFound) => return Err(PageError::not_found()),
        Err(AddressBookError::EntryNotFound) => {
            Flash::error("Scegliere un contatto della rubrica dell'ente.")
        }
        Err(e) => {
            let mut fl = Flash::error(refusal(e)?);
            fl.values = vec![
                ("nome".into(), f.nome),
                ("cellulare".into(), f.cellulare),
                ("email".into(), f.email),
            ];
            fl
        }
    };
    back_with(&s, &sess, &format!("/liste/{id}"), flash).await
}

/// Takes a recipient off a list, after a page that asks.
pub async fn remove_member(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((list_id, member_id)): Path<(String, String)>,
    Form(f): Form<Confirmed>,
) -> Result<Response, PageError> {
    let list_id = parse_id(&list_id)?;
    let member_id = parse_id(&member_id)?;
    let actor = sess.actor();
    let d = not_found(lists::detail(&s.db, &actor, list_id).await)?;
    let Some(m) = d.items.iter().find(|m| m.id == member_id) else {
        return Err(PageError::not_found());
    };
    if !confirm::confirmed(&f.confermato) {
        return Ok(confirm::page(
            &s,
            &sess,
            "addressbook",
            Confirm {
                question: format!("Togliere «{}» dalla lista «{}»?", m.name, d.list.name),
                consequences: vec![
                    "I prossimi invii alla lista non lo raggiungeranno; la rubrica non cambia."
                        .into(),
                ],
                action: format!("/liste/{list_id}/destinatari/{member_id}/togli"),
                fields: vec![],
                note: None,
                confirm_label: "Togli dalla lista".into(),
                cancel: format!("/liste/{list_id}"),
            },
        ));
    }
    lists::remove(&s.db, &actor, member_id).await?;
    back_with(
        &s,
        &sess,
        &format!("/liste/{list_id}"),
        Flash::saved(format!("«{}» tolto dalla lista.", m.name)),
    )
    .await
}
