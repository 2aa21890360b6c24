//! The audit trail and its verification (admins only).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::auth::PageAdmin;
use crate::error::{ApiError, PageError};
use crate::pages::audit_words::{self, Line};
use crate::pages::list::{choices, Choice};
use crate::pages::Layout;
use crate::AppState;

#[derive(Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    layout: Layout,
    lines: Vec<Line>,
    next: String,
    verdict: String,
    verdict_ok: bool,
    f: Params,
    entities: Vec<Choice>,
    people: Vec<Choice>,
    kinds: Vec<Choice>,
    filtered: bool,
}

/// The page's filters, as they stand in the URL.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Params {
    before: String,
    /// An entity's id.
    ente: String,
    /// An account's id.
    chi: String,
    /// An object type (`ticket`, `entity`, `agreement`…).
    oggetto: String,
    /// From this day (YYYY-MM-DD), inclusive.
    dal: String,
    /// To this day, inclusive.
    al: String,
}

/// The kinds of objects the filter offers, as people call them.
const KINDS: [(&str, &str); 12] = [
    ("ticket", "Ticket"),
    ("entity", "Enti"),
    ("contact", "Referenti"),
    ("agreement", "Convenzioni"),
    ("user", "Account"),
    ("api_token", "Token API"),
    ("price_list", "Listini"),
    ("service", "Servizi"),
    ("membership_fee_rule", "Quota associativa"),
    ("price_quote", "Preventivi"),
    ("sla_policy", "Obiettivi SLA"),
    ("job", "Attività"),
];

/// Midnight in Rome of `day`, in the stored form.
fn rome_day(day: chrono::NaiveDate) -> Option<String> {
    use chrono::TimeZone;
    kernel::time::ROME
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| kernel::time::format(t.with_timezone(&chrono::Utc)))
}

async fn page(
    s: &AppState,
    sess: &crate::auth::Session,
    f: Params,
    verdict: String,
    verdict_ok: bool,
) -> Result<Response, PageError> {
    let bad = |m: &str| PageError::new(StatusCode::BAD_REQUEST, m.to_owned());
    let day = |d: &str, what: &str| -> Result<Option<chrono::NaiveDate>, PageError> {
        match d.trim() {
            "" => Ok(None),
            d => d
                .parse()
                .map(Some)
                .map_err(|_| bad(&format!("Data {what} non valida: usare aaaa-mm-gg."))),
        }
    };
    let (from, to) = (day(&f.dal, "di inizio")?, day(&f.al, "di fine")?);
    let search = db::audit::Search {
        entity_id: f.ente.trim().parse().ok(),
        object_type: KINDS
            .iter()
            .find(|(k, _)| *k == f.oggetto)
            .map(|(k, _)| (*k).to_owned()),
        user_id: f.chi.trim().parse().ok(),
        from: from.and_then(rome_day),
        until: to.and_then(|d| d.succ_opt()).and_then(rome_day),
        before_seq: f.before.trim().parse().ok(),
        limit: 50,
    };
    let recs = db::audit::search(&s.db, &search)
        .await
        .map_err(ApiError::internal)?;
    let next = if recs.len() == 50 {
        let mut q: Vec<(&str, String)> = vec![];
        for (k, v) in [
            ("ente", &f.ente),
            ("chi", &f.chi),
            ("oggetto", &f.oggetto),
            ("dal", &f.dal),
            ("al", &f.al),
        ] {
            if !v.is_empty() {
                q.push((k, v.clone()));
            }
        }
        q.push(("before", recs.last().map_or(0, |r| r.seq).to_string()));
        format!(
            "/audit?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    } else {
        String::new()
    };
    let lines = audit_words::lines(s, recs).await?;
    let choice = |current: &str, all: &str, options: Vec<(String, String)>| {
        choices(
            current,
            std::iter::once((String::new(), all.to_owned())).chain(options),
        )
    };
    let entities = members::store::names(&s.db, &sess.actor()).await?;
    let people = accounts::store::list(&s.db, &sess.actor()).await?;
    Ok(crate::pages::render(
        if verdict.is_empty() || verdict_ok {
            StatusCode::OK
        } else {
            StatusCode::CONFLICT
        },
        &ListPage {
            layout: Layout::new(s, Some(sess), "Registro delle modifiche", "audit"),
            lines,
            next,
            verdict,
            verdict_ok,
            entities: choice(
                &f.ente,
                "Tutti",
                entities
                    .into_iter()
                    .map(|(id, n)| (id.to_string(), n))
                    .collect(),
            ),
            people: choice(
                &f.chi,
                "Tutti",
                people
                    .into_iter()
                    .map(|(u, _)| {
                        let name = if u.full_name.is_empty() {
                            u.username.clone()
                        } else {
                            format!("{} ({})", u.full_name, u.username)
                        };
                        (u.id.to_string(), name)
                    })
                    .collect(),
            ),
            kinds: choice(
                &f.oggetto,
                "Tutto",
                KINDS
                    .iter()
                    .map(|(k, l)| ((*k).to_owned(), (*l).to_owned()))
                    .collect(),
            ),
            filtered: [&f.ente, &f.chi, &f.oggetto, &f.dal, &f.al]
                .iter()
                .any(|v| !v.is_empty()),
            f,
        },
    ))
}

pub async fn list(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let p: Params = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|_| PageError::new(StatusCode::BAD_REQUEST, "Parametri non validi."))?;
    page(&s, &sess, p, String::new(), true).await
}

pub async fn verify(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
) -> Result<Response, PageError> {
    let (verdict, good) = match db::audit::verify(&s.db).await {
        Ok(n) => (
            format!("Catena integra: {n} registrazioni verificate."),
            true,
        ),
        Err(db::audit::VerifyError::Broken(e)) => (format!("Catena NON integra: {e}"), false),
        Err(e) => return Err(ApiError::internal(e).into()),
    };
    page(&s, &sess, Params::default(), verdict, good).await
}
