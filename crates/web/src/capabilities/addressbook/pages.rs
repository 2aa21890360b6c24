//! The address books and send lists as pages: the entity's books and lists, a book with its
//! entries (search, add, change, delete after a confirmation, import a CSV or vCard file,
//! export both), a list with its recipients.

use addressbook::store::lists;
use addressbook::store::{self, Format};
use addressbook::{AddressBookError, Card};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;

use crate::auth::{Flash, PageUser};
use crate::capabilities::delivery::work_pages::refusal;
use crate::error::PageError;
use crate::pages::confirm::{self, Confirm};
use crate::pages::{back_with, ok, parse_id, Layout};
use crate::AppState;

pub(super) use crate::pages::choose::or_not_found as not_found;

/// `/rubrica`: the entity's page, or the choice among the caller's entities.
pub async fn choose(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
) -> Result<Response, PageError> {
    crate::pages::choose::entity(
        &s,
        &sess,
        crate::pages::choose::Choice {
            heading: "Rubrica e liste",
            nav: "addressbook",
            lead: "Le rubriche e le liste di invio sono dell'ente: le vedono e le modificano tutti i suoi utenti.",
            list_id: "addressbook-entities",
            suffix: "/rubrica",
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "addressbook/entity.html")]
struct EntityPage {
    layout: Layout,
    entity_id: i64,
    entity: String,
    books: Vec<store::Book>,
    lists: Vec<lists::ContactList>,
    flash: Flash,
}

/// `/entities/{id}/rubrica`: the entity's address books and send lists.
pub async fn entity(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let books = not_found(store::books(&s.db, &actor, id).await)?;
    let e = members::store::get(&s.db, &actor, id).await?;
    Ok(ok(&EntityPage {
        layout: Layout::new(&s, Some(&sess), "Rubrica e liste", "addressbook"),
        entity_id: id,
        entity: e.data.name,
        books,
        lists: lists::of_entity(&s.db, &actor, id).await?,
        flash: crate::pages::notice(&s, &sess).await?,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NameForm {
    nome: String,
}

/// A new book (`/entities/{id}/rubrica`) or list (`/entities/{id}/liste`).
pub async fn create_book(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<NameForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    match store::create_book(&s.db, &sess.actor(), id, &f.nome).await {
        Ok(b) => {
            back_with(
                &s,
                &sess,
                &format!("/rubriche/{}", b.id),
                Flash::saved(format!("Rubrica «{}» creata.", b.name)),
            )
            .await
        }
        Err(AddressBookError::EntityNotFound) => Err(PageError::not_found()),
        Err(e) => {
            back_with(
                &s,
                &sess,
                &format!("/entities/{id}/rubrica"),
                Flash::error(refusal(e)?),
            )
            .await
        }
    }
}

pub async fn create_list(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<NameForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    match lists::create(&s.db, &sess.actor(), id, &f.nome).await {
        Ok(l) => {
            back_with(
                &s,
                &sess,
                &format!("/liste/{}", l.id),
                Flash::saved(format!("Lista «{}» creata.", l.name)),
            )
            .await
        }
        Err(AddressBookError::EntityNotFound) => Err(PageError::not_found()),
        Err(e) => {
            back_with(
                &s,
                &sess,
                &format!("/entities/{id}/rubrica"),
                Flash::error(refusal(e)?),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "addressbook/book.html")]
struct BookPage {
    layout: Layout,
    book: store::Book,
    entity: String,
    q: String,
    items: Vec<store::Entry>,
    total: usize,
    flash: Flash,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

fn matches(e: &store::Entry, q: &str) -> bool {
    let q = q.to_lowercase();
    let c = &e.card;
    [
        &c.name,
        &c.organisation,
        &c.role,
        &c.email,
        &c.email2,
        &c.notes,
    ]
    .iter()
    .any(|f| f.to_lowercase().contains(&q))
        || {
            let digits: String = q.chars().filter(char::is_ascii_digit).collect();
            !digits.is_empty()
                && [&c.mobile, &c.phone, &c.fax].iter().any(|p| {
                    p.chars()
                        .filter(char::is_ascii_digit)
                        .collect::<String>()
                        .contains(&digits)
                })
        }
}

/// `/rubriche/{book_id}`: the entries, searched; the forms.
pub async fn book(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let d = not_found(store::book_detail(&s.db, &actor, id).await)?;
    let e = members::store::get(&s.db, &actor, d.book.entity_id).await?;
    let total = d.items.len();
    let q = q.q.trim().to_owned();
    let items = d
        .items
        .into_iter()
        .filter(|x| q.is_empty() || matches(x, &q))
        .collect();
    Ok(ok(&BookPage {
        layout: Layout::new(&s, Some(&sess), d.book.name.clone(), "addressbook"),
        book: d.book,
        entity: e.data.name,
        q,
        items,
        total,
        flash: crate::pages::notice(&s, &sess).await?,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EntryForm {
    nome: String,
    organizzazione: String,
    ruolo: String,
    cellulare: String,
    telefono: String,
    fax: String,
    email: String,
    email2: String,
    note: String,
}

impl EntryForm {
    fn card(&self) -> Card {
        Card {
            name: self.nome.clone(),
            organisation: self.organizzazione.clone(),
            role: self.ruolo.clone(),
            mobile: self.cellulare.clone(),
            phone: self.telefono.clone(),
            fax: self.fax.clone(),
            email: self.email.clone(),
            email2: self.email2.clone(),
            notes: self.note.clone(),
        }
    }
    fn values(self) -> Vec<(String, String)> {
        vec![
            ("nome".into(), self.nome),
            ("organizzazione".into(), self.organizzazione),
            ("ruolo".into(), self.ruolo),
            ("cellulare".into(), self.cellulare),
            ("telefono".into(), self.telefono),
            ("fax".into(), self.fax),
            ("email".into(), self.email),
            ("email2".into(), self.email2),
            ("note".into(), self.note),
        ]
    }
}

/// Adds an entry from the book's page.
pub async fn add(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<EntryForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let flash = match store::add(&s.db, &sess.actor(), id, &f.card()).await {
        Ok(e) => Flash::saved(format!("«{}» aggiunto alla rubrica.", e.card.label())),
        Err(AddressBookError::BookNotFound) => return Err(PageError::not_found()),
        Err(e) => {
            let mut fl = Flash::error(refusal(e)?);
            fl.values = f.values();
            fl
        }
    };
    back_with(&s, &sess, &format!("/rubriche/{id}#nuovo"), flash).await
}

#[derive(Template)]
#[template(path = "addressbook/entry.html")]
struct EntryPage {
    layout: Layout,
    e: store::Entry,
    book: store::Book,
    flash: Flash,
}

/// `/voci-rubrica/{entry_id}`: an entry's form.
pub async fn entry(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let e = not_found(store::entry(&s.db, &actor, id).await)?;
    let book = store::book(&s.db, &actor, e.book_id).await?;
    Ok(ok(&EntryPage {
        layout: Layout::new(&s, Some(&sess), e.card.label().to_owned(), "addressbook"),
        e,
        book,
        flash: crate::pages::notice(&s, &sess).await?,
    }))
}

/// Saves an entry's form.
pub async fn update(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<EntryForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let before = not_found(store::entry(&s.db, &actor, id).await)?;
    match store::update(&s.db, &actor, id, &f.card()).await {
        Ok(e) => {
            back_with(
                &s,
                &sess,
                &format!("/rubriche/{}", before.book_id),
                Flash::saved(format!("«{}» aggiornato.", e.card.label())),
            )
            .await
        }
        Err(e) => {
            back_with(
                &s,
                &sess,
                &format!("/voci-rubrica/{id}"),
                Flash::error(refusal(e)?),
            )
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Confirmed {
    pub(super) confermato: String,
}

/// Deletes an entry, after a page that asks.
pub async fn delete(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<Confirmed>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let e = not_found(store::entry(&s.db, &actor, id).await)?;
    if !confirm::confirmed(&f.confermato) {
        return Ok(confirm::page(
            &s,
            &sess,
            "addressbook",
            Confirm {
                question: format!("Eliminare «{}» dalla rubrica?", e.card.label()),
                consequences: vec![
                    "Il contatto sparisce dalla rubrica per tutti gli utenti dell'ente.".into(),
                    "Le liste di invio che lo contengono conservano nome e numero.".into(),
                ],
                action: format!("/voci-rubrica/{id}/elimina"),
                fields: vec![],
                note: None,
                confirm_label: "Elimina il contatto".into(),
                cancel: format!("/rubriche/{}", e.book_id),
            },
        ));
    }
    store::delete(&s.db, &actor, id).await?;
    back_with(
        &s,
        &sess,
        &format!("/rubriche/{}", e.book_id),
        Flash::saved(format!("«{}» eliminato dalla rubrica.", e.card.label())),
    )
    .await
}

/// Imports a file from the book's page (multipart: `file`; `anteprima` for a dry run).
pub async fn import(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    use axum::extract::FromRequest;
    let id = parse_id(&id)?;
    let actor = sess.actor();
    not_found(store::book(&s.db, &actor, id).await)?;
    let back = format!("/rubriche/{id}#importa");
    let Ok(mut mp) = axum::extract::Multipart::from_request(req, &()).await else {
        return back_with(
            &s,
            &sess,
            &back,
            Flash::error("Scegliere un file CSV o vCard."),
        )
        .await;
    };
    let (mut file, mut dry, mut error) = (None::<(String, String, Vec<u8>)>, false, String::new());
    loop {
        match mp.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("").to_lowercase();
                let ctype = field.content_type().unwrap_or("").to_lowercase();
                match field.bytes().await {
                    Ok(b) => file = Some((name, ctype, b.to_vec())),
                    Err(e) => error = format!("File non leggibile: {e}"),
                }
            }
            Ok(Some(field)) if field.name() == Some("anteprima") => dry = true,
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => {
                error = format!("Invio del file non riuscito: {e}");
                break;
            }
        }
    }
    let flash = match (error.is_empty(), file.filter(|f| !f.2.is_empty())) {
        (false, _) => Flash::error(error),
        (true, None) => Flash::error("Scegliere un file CSV o vCard."),
        (true, Some((name, ctype, data))) => {
            let format =
                if name.ends_with(".vcf") || name.ends_with(".vcard") || ctype.contains("vcard") {
                    Format::VCard
                } else {
                    Format::Csv
                };
            match store::import(&s.db, &actor, id, format, &data, dry).await {
                Ok(r) => {
                    let dups = if r.duplicates.is_empty() {
                        String::new()
                    } else {
                        format!(
                            " Già presenti e lasciati fuori: {}.",
                            r.duplicates
                                .iter()
                                .take(20)
                                .map(|d| format!(
                                    "riga {} «{}» (come «{}»)",
                                    d.line, d.name, d.matches
                                ))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    Flash::saved(if dry {
                        format!("Anteprima: si aggiungerebbero {} contatti; nulla è stato salvato.{dups}", r.added)
                    } else {
                        format!("Importati {} contatti.{dups}", r.added)
                    })
                }
                Err(AddressBookError::Import(rows)) => Flash::error(format!(
                    "Nulla è stato importato: correggere il file e riprovare. {}{}",
                    rows.iter()
                        .take(20)
                        .map(|e| format!(
                            "Riga {}: {}{}",
                            e.line.unwrap_or(0),
                            if e.field == "file" {
                                String::new()
                            } else {
                                format!("{} – ", e.field)
                            },
                            e.message
                        ))
                        .collect::<Vec<_>>()
                        .join("; "),
                    if rows.len() > 20 {
                        format!(" (e altre {} righe)", rows.len() - 20)
                    } else {
                        String::new()
                    }
                )),
                Err(e) => Flash::error(refusal(e)?),
            }
        }
    };
    back_with(&s, &sess, &back, flash).await
}

/// `/rubriche/{book_id}/{file}`: `rubrica.csv` or `rubrica.vcf`.
pub async fn export(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let format = match file.as_str() {
        "rubrica.csv" => Format::Csv,
        "rubrica.vcf" => Format::VCard,
        _ => return Err(PageError::not_found()),
    };
    let (name, ctype, body) = not_found(store::export(&s.db, &sess.actor(), id, format).await)?;
    Ok(super::api::file(&name, ctype, body))
}
