//! Accounts (admins only): list, create, change (role, entities, active, password).

use accounts::store::{UserQuery, UserSort};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;

use crate::auth::{PageAdmin, Session};
use crate::error::PageError;
use crate::pages::list::{choices, Choice, Column, ListView, Paging, PER_PAGE};
use crate::pages::{is_htmx, ok, parse_id, render, see_other, Layout};
use crate::AppState;
use serde::Deserialize;

pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub entities: String,
    pub active: bool,
    pub created: String,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    layout: Layout,
    list_html: String,
    saved: String,
    f: UserFilters,
    roles: Vec<Choice>,
    states: Vec<Choice>,
    entities: Vec<Choice>,
}

/// The list itself: what htmx replaces when a filter, the order or the page changes.
#[derive(Template)]
#[template(path = "users/rows.html")]
struct RowsPartial {
    rows: Vec<UserRow>,
    list: ListView,
}

/// The filters of the list, as they stand in the URL.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct UserFilters {
    q: String,
    ruolo: String,
    stato: String,
    ente: String,
}

impl UserFilters {
    fn query(&self, paging: &Paging) -> UserQuery {
        UserQuery {
            q: self.q.trim().chars().take(100).collect(),
            role: kernel::Role::parse(&self.ruolo),
            active: match self.stato.as_str() {
                "attivi" => Some(true),
                "disattivati" => Some(false),
                _ => None,
            },
            entity_id: self.ente.trim().parse().ok(),
            sort: UserSort::parse(&paging.ordine).unwrap_or_default(),
            reverse: paging.reverse(),
            limit: PER_PAGE,
            offset: paging.offset(),
        }
    }

    fn in_url(&self) -> Vec<(String, String)> {
        [
            ("q", &self.q),
            ("ruolo", &self.ruolo),
            ("stato", &self.stato),
            ("ente", &self.ente),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect()
    }
}

async fn entity_names(s: &AppState, sess: &Session) -> Result<Vec<(i64, String)>, PageError> {
    Ok(members::store::names(&s.db, &sess.actor()).await?)
}

/// The rows of one page, entities by name.
async fn rows_of(
    s: &AppState,
    users: Vec<(accounts::User, Vec<i64>)>,
) -> Result<Vec<UserRow>, PageError> {
    let names =
        members::store::names_of(&s.db, users.iter().flat_map(|(_, ids)| ids.clone())).await?;
    Ok(users
        .into_iter()
        .map(|(u, ids)| UserRow {
            entities: ids
                .iter()
                .map(|id| names.get(id).cloned().unwrap_or_else(|| id.to_string()))
                .collect::<Vec<_>>()
                .join(", "),
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            role: u.role.label().into(),
            active: u.active,
            created: kernel::time::display_rome(&u.created_at),
        })
        .collect())
}

pub async fn list(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (f, paging) = crate::pages::list::params::<UserFilters>(raw.as_deref());
    let q = f.query(&paging);
    let (total, users) = accounts::store::search(&s.db, &sess.actor(), &q).await?;
    let body = RowsPartial {
        list: ListView {
            path: "/users".into(),
            target: "user-list",
            filters: f.in_url(),
            sort: q.sort.as_str().to_owned(),
            default_sort: "username",
            reverse: q.reverse,
            page: paging.page(),
            total,
            more: false,
            shown: i64::try_from(users.len()).unwrap_or(0),
            noun: ("utente", "utenti"),
            columns: vec![
                Column::sort("username", "Utente"),
                Column::sort("name", "Nome").wide(),
                Column::sort("role", "Ruolo"),
                Column::plain("Enti").wide(),
                Column::sort("created", "Creato il").wide(),
                Column::plain("Stato").wide(),
                Column::plain("Azioni"),
            ],
            csv: true,
        },
        rows: rows_of(&s, users).await?,
    };
    if is_htmx(&headers) {
        return Ok(ok(&body));
    }
    let list_html = crate::pages::html(&body)?;
    let n = crate::pages::notice(&s, &sess).await?;
    let roles = choices(
        &f.ruolo,
        kernel::Role::ALL
            .iter()
            .map(|r| (r.code().to_owned(), r.label().to_owned())),
    );
    let states = choices(
        &f.stato,
        [("attivi", "Attivi"), ("disattivati", "Disattivati")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    let entities = choices(
        f.ente.trim(),
        entity_names(&s, &sess)
            .await?
            .into_iter()
            .map(|(id, name)| (id.to_string(), name)),
    );
    Ok(ok(&ListPage {
        layout: Layout::new(&s, Some(&sess), "Utenti", "users"),
        list_html,
        saved: n.saved,
        f,
        roles,
        states,
        entities,
    }))
}

/// The filtered accounts as CSV, in their order (up to 10.000).
pub async fn csv(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (f, paging) = crate::pages::list::params::<UserFilters>(raw.as_deref());
    let mut q = f.query(&paging);
    q.limit = 1000;
    q.offset = 0;
    let mut out = kernel::csv::CsvWriter::new(&[
        "utente",
        "nome",
        "e-mail",
        "ruolo",
        "enti",
        "stato",
        "creato il",
    ]);
    while q.offset < 10_000 {
        let (_, users) = accounts::store::search(&s.db, &sess.actor(), &q).await?;
        let n = users.len();
        let emails: Vec<String> = users.iter().map(|(u, _)| u.email.clone()).collect();
        for (r, email) in rows_of(&s, users).await?.into_iter().zip(emails) {
            out.row([
                r.username,
                r.full_name,
                email,
                r.role,
                r.entities,
                if r.active { "attivo" } else { "disattivato" }.to_owned(),
                r.created,
            ]);
        }
        if n < 1000 {
            break;
        }
        q.offset += 1000;
    }
    Ok(crate::pages::list::csv_download("utenti.csv", out.finish()))
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    layout: Layout,
    /// 0 for a new account.
    user_id: i64,
    username: String,
    full_name: String,
    email: String,
    role: String,
    active: bool,
    roles: Vec<(String, String)>,
    entities: Vec<(i64, String, bool)>,
    /// The chosen entities' names, as the form says them.
    chosen_names: String,
    /// The account's API tokens (an edit only).
    tokens: Vec<TokenRow>,
    error: String,
}

/// An API token as the account's page lists it.
pub struct TokenRow {
    pub id: i64,
    pub label: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub state: &'static str,
    pub live: bool,
}

fn token_rows(tokens: Vec<accounts::store::TokenInfo>, now: &str) -> Vec<TokenRow> {
    let show = |t: &Option<String>| {
        t.as_deref()
            .map_or_else(|| "mai".to_owned(), kernel::time::display_rome)
    };
    tokens
        .into_iter()
        .map(|t| TokenRow {
            live: t.live(now),
            state: match (&t.revoked_at, t.live(now)) {
                (Some(_), _) => "revocato",
                (None, true) => "attivo",
                (None, false) => "scaduto",
            },
            id: t.id,
            label: t.label.clone(),
            created: kernel::time::display_rome(&t.created_at),
            expires: t
                .expires_at
                .as_deref()
                .map_or_else(|| "nessuna".to_owned(), kernel::time::display_rome),
            last_used: show(&t.last_used_at),
        })
        .collect()
}

/// The form's fields as posted (or as stored, for an edit).
struct Values<'a>(&'a [(String, String)]);

impl Values<'_> {
    fn get(&self, k: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    fn entity_ids(&self) -> Result<Vec<i64>, PageError> {
        self.0
            .iter()
            .filter(|(n, _)| n == "entity_ids")
            .map(|(_, v)| {
                v.parse()
                    .map_err(|_| PageError::new(StatusCode::BAD_REQUEST, "Ente non valido."))
            })
            .collect()
    }
}

async fn form_page(
    s: &AppState,
    sess: &Session,
    user_id: i64,
    f: &Values<'_>,
    error: String,
) -> Result<FormPage, PageError> {
    let chosen = f.entity_ids().unwrap_or_default();
    let entities: Vec<(i64, String, bool)> = entity_names(s, sess)
        .await?
        .into_iter()
        .map(|(id, n)| (id, n, chosen.contains(&id)))
        .collect();
    let title = if user_id == 0 {
        "Nuovo utente".to_owned()
    } else {
        format!("Utente {}", f.get("username"))
    };
    Ok(FormPage {
        layout: Layout::new(s, Some(sess), title, "users"),
        user_id,
        username: f.get("username"),
        full_name: f.get("full_name"),
        email: f.get("email"),
        role: f.get("role"),
        active: user_id == 0 || f.get("active") == "1",
        roles: kernel::Role::ALL
            .iter()
            .map(|r| (r.code().into(), r.label().into()))
            .collect(),
        entities: entities.clone(),
        chosen_names: entities
            .iter()
            .filter(|(_, _, c)| *c)
            .map(|(_, n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        tokens: if user_id == 0 {
            Vec::new()
        } else {
            token_rows(
                accounts::store::tokens_of(&s.db, user_id).await?,
                // Tokens are judged on the real time (see `user_by_token`).
                &kernel::time::now(),
            )
        },
        error,
    })
}

fn shown_to_admin(e: &accounts::AccountsError) -> bool {
    matches!(
        e,
        accounts::AccountsError::Invalid { .. }
            | accounts::AccountsError::UsernameTaken
            | accounts::AccountsError::UnknownEntity(_)
    )
}

pub async fn new_form(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
) -> Result<Response, PageError> {
    Ok(ok(
        &form_page(&s, &sess, 0, &Values(&[]), String::new()).await?
    ))
}

pub async fn create(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let v = Values(&f);
    let new = accounts::NewUser {
        username: v.get("username"),
        full_name: v.get("full_name"),
        email: v.get("email"),
        role: v.get("role"),
        password: v.get("password"),
        entity_ids: v.entity_ids()?,
    };
    match accounts::store::create(&s.db, &sess.actor(), &new).await {
        Ok(_) => Ok(see_other("/users")),
        Err(e) if shown_to_admin(&e) => {
            let page = form_page(&s, &sess, 0, &v, e.to_string()).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let u = accounts::store::by_id(&s.db, parse_id(&id)?).await?;
    let mut stored = vec![
        ("username".to_owned(), u.username.clone()),
        ("full_name".to_owned(), u.full_name.clone()),
        ("email".to_owned(), u.email.clone()),
        ("role".to_owned(), u.role.code().to_owned()),
        (
            "active".to_owned(),
            if u.active { "1" } else { "0" }.to_owned(),
        ),
    ];
    for e in accounts::store::entity_ids(&s.db, u.id).await? {
        stored.push(("entity_ids".into(), e.to_string()));
    }
    Ok(ok(&form_page(
        &s,
        &sess,
        u.id,
        &Values(&stored),
        String::new(),
    )
    .await?))
}

pub async fn update(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let user = accounts::store::by_id(&s.db, id).await?;
    let mut f = f;
    f.retain(|(k, _)| k != "username");
    f.push(("username".into(), user.username.clone()));
    let v = Values(&f);
    let change = accounts::store::UserChange {
        full_name: v.get("full_name"),
        email: v.get("email"),
        role: v.get("role"),
        entity_ids: v.entity_ids()?,
        active: v.get("active") == "1",
    };
    let actor = sess.actor();
    let password = v.get("password");
    // Deactivating ends the account's sessions and tokens for good: asked first, naming that.
    if user.active && !change.active && !crate::pages::confirm::confirmed(&v.get("confermato")) {
        let now = kernel::time::now();
        let tokens = accounts::store::tokens_of(&s.db, user.id)
            .await?
            .iter()
            .filter(|t| t.live(&now))
            .count();
        let who = if user.full_name.is_empty() {
            user.username.clone()
        } else {
            format!("{} ({})", user.full_name, user.username)
        };
        let mut consequences = vec![
            format!("{who} non potrà più accedere: le sue sessioni aperte finiscono subito."),
            match tokens {
                0 => "Non ha token API attivi.".to_owned(),
                1 => "Il suo token API attivo è revocato per sempre: non torna valido riattivando l'account.".to_owned(),
                n => format!("I suoi {n} token API attivi sono revocati per sempre: non tornano validi riattivando l'account."),
            },
            "L'account si può riattivare in ogni momento da questa pagina; le modifiche restano nel registro.".to_owned(),
        ];
        if !password.is_empty() {
            consequences.push("La nuova password scritta nel modulo non viene salvata.".to_owned());
        }
        return Ok(crate::pages::confirm::page(
            &s,
            &sess,
            "users",
            crate::pages::confirm::Confirm {
                question: format!("Disattivare l'account {}?", user.username),
                consequences,
                action: format!("/users/{id}"),
                fields: f
                    .iter()
                    .filter(|(k, _)| {
                        !matches!(k.as_str(), "password" | "_csrf" | "confermato" | "username")
                    })
                    .cloned()
                    .collect(),
                note: None,
                confirm_label: "Disattiva l'account".into(),
                cancel: format!("/users/{id}/edit"),
            },
        ));
    }
    // The password is checked first, so a refused one changes nothing else either.
    let result = match accounts::password::check_policy(&password) {
        Err(e) if !password.is_empty() => Err(e),
        _ => accounts::store::update(&s.db, &actor, id, &change).await,
    };
    let result = match result {
        Ok(_) if !password.is_empty() => {
            accounts::store::set_password(&s.db, &actor, id, &password).await
        }
        Ok(_) => Ok(()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            let saved = if user.active && !change.active {
                format!("Account {} disattivato.", user.username)
            } else if !user.active && change.active {
                format!("Account {} riattivato.", user.username)
            } else {
                format!("Account {} salvato.", user.username)
            };
            crate::pages::back_with(&s, &sess, "/users", crate::auth::Flash::saved(saved)).await
        }
        Err(e) if shown_to_admin(&e) => {
            let page = form_page(&s, &sess, id, &v, e.to_string()).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

/// Revokes one API token of an account (the page asks for confirmation first).
pub async fn revoke_token(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Path((id, token_id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let user = accounts::store::by_id(&s.db, parse_id(&id)?).await?;
    let token_id = parse_id(&token_id)?;
    let n = accounts::store::revoke_tokens(
        &s.db,
        &sess.actor(),
        &user,
        accounts::store::Tokens::One(token_id),
    )
    .await?;
    if n == 0
        && !accounts::store::tokens_of(&s.db, user.id)
            .await?
            .iter()
            .any(|t| t.id == token_id)
    {
        return Err(PageError::new(StatusCode::NOT_FOUND, "Token non trovato."));
    }
    Ok(see_other(&format!("/users/{}/edit#token-api", user.id)))
}
