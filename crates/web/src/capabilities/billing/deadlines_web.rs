//! The deadlines calendar: `GET /api/v1/deadlines` and the page `/deadlines` (filters by
//! entity, kind and dates; staff mark one renewed after a confirmation; anyone adds one by
//! hand), and each person's iCalendar feed at a secret address (`/calendar/{token}`).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use billing::deadlines::{Deadline, Kind};
use billing::store::deadlines::{self as store, DeadlineQuery, ManualDraft};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::body::ApiJson;
use crate::api::query;
use crate::auth::{ApiStaff, ApiUser, Flash, PageUser};
use crate::capabilities::delivery::work_pages::refusal;
use crate::error::{ApiError, PageError, Problem};
use crate::pages::list::{choices, Choice};
use crate::pages::{back_with, ok, Layout};
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeadlineParams {
    #[serde(default)]
    pub entity_id: Option<i64>,
    /// First day (today when absent).
    #[serde(default)]
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last day (a year after `from` when absent); at most three years.
    #[serde(default)]
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// agreement | certificate | renewal | package | needs | payment | manual
    #[serde(default)]
    pub kind: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineOut {
    pub date: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub text: String,
    /// Unique with the date: what `POST /api/v1/deadlines/renew` names.
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<i64>,
    pub entity_name: String,
    /// open | renewed | done
    pub state: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineList {
    pub items: Vec<DeadlineOut>,
}

fn out(d: Deadline) -> DeadlineOut {
    DeadlineOut {
        date: d.date.to_string(),
        kind: d.kind.code(),
        kind_label: d.kind.label(),
        text: d.text,
        key: d.key,
        entity_id: d.entity_id,
        entity_name: d.entity_name,
        state: d.state,
    }
}

fn window(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let from = from.unwrap_or(today);
    let to = to.unwrap_or_else(|| from + chrono::Duration::days(365));
    (from, to)
}

/// The deadlines the caller may see, by date.
#[utoipa::path(get, path = "/api/v1/deadlines", tag = "billing", params(DeadlineParams),
    security(("bearer" = [])),
    responses((status = 200, body = DeadlineList), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(s): State<AppState>,
    caller: ApiUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<DeadlineList>, ApiError> {
    let p: DeadlineParams = query(raw.as_deref())?;
    let kind = match p.kind.as_deref() {
        None | Some("") => None,
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            billing::BillingError::field("kind", format!("tipo di scadenza «{k}» sconosciuto"))
        })?),
    };
    let (from, to) = window(p.from, p.to, s.clock.today());
    let items = store::list(
        &s.db,
        &caller.actor(),
        &DeadlineQuery {
            entity_id: p.entity_id,
            from,
            to,
            kind,
        },
    )
    .await?
    .into_iter()
    .map(out)
    .collect();
    Ok(Json(DeadlineList { items }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineIn {
    /// The entity it concerns; absent: the centre's own (staff).
    #[serde(default)]
    pub entity_id: Option<i64>,
    pub title: String,
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
    /// Renewed, the next one comes this many months later (0: once).
    #[serde(default)]
    pub every_months: u32,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineCreated {
    pub key: String,
}

/// Adds a deadline by hand (staff, or an entity's contact for their entity).
#[utoipa::path(post, path = "/api/v1/deadlines", tag = "billing", request_body = DeadlineIn,
    security(("bearer" = [])),
    responses((status = 201, body = DeadlineCreated), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(s): State<AppState>,
    caller: ApiUser,
    ApiJson(d): ApiJson<DeadlineIn>,
) -> Result<Response, ApiError> {
    let id = store::create(
        &s.db,
        &caller.actor(),
        &ManualDraft {
            entity_id: d.entity_id,
            title: d.title,
            due_on: Some(d.due_on),
            every_months: d.every_months,
            notes: d.notes.unwrap_or_default(),
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(DeadlineCreated {
            key: format!("manual:{id}"),
        }),
    )
        .into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenewIn {
    pub key: String,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
}

/// Marks a deadline renewed (staff): it closes, and the next one follows from its rule.
#[utoipa::path(post, path = "/api/v1/deadlines/renew", tag = "billing", request_body = RenewIn,
    security(("bearer" = [])),
    responses((status = 204, description = "renewed"), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn renew(
    State(s): State<AppState>,
    ApiStaff(user): ApiStaff,
    ApiJson(r): ApiJson<RenewIn>,
) -> Result<StatusCode, ApiError> {
    store::renew(&s.db, &user.actor(), &r.key, r.date).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeedOut {
    /// The feed's secret address: whoever has it reads the deadlines; asking again makes a
    /// new one and the old stops working.
    pub path: String,
}

/// A new calendar feed address for the caller.
#[utoipa::path(post, path = "/api/v1/calendar-feed", tag = "billing", security(("bearer" = [])),
    responses((status = 201, body = CalendarFeedOut), (status = 403, body = Problem)))]
pub async fn new_feed(State(s): State<AppState>, caller: ApiUser) -> Result<Response, ApiError> {
    let token = store::new_feed(&s.db, &caller.actor()).await?;
    Ok((
        StatusCode::CREATED,
        Json(CalendarFeedOut {
            path: format!("/calendar/{token}.ics"),
        }),
    )
        .into_response())
}

/// `/calendar/{token}.ics`: the person's deadlines from a month ago to a year ahead.
pub async fn feed(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let Some((actor, name)) = store::feed_owner(&s.db, token).await? else {
        return Err(PageError::not_found());
    };
    let today = s.clock.today();
    let list = store::list(
        &s.db,
        &actor,
        &DeadlineQuery {
            entity_id: None,
            from: today - chrono::Duration::days(30),
            to: today + chrono::Duration::days(365),
            kind: None,
        },
    )
    .await?;
    let stamp = s.clock.now().format("%Y%m%dT%H%M%SZ").to_string();
    let text = billing::deadlines::ics(
        &format!("Scadenze · {name}"),
        &list,
        &stamp,
        &crate::pages::site(&s, &headers),
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        text,
    )
        .into_response())
}

/// A deadline as the page shows it.
pub struct DeadlineRow {
    /// Renewing means something for it (not for a payment or the needs form).
    pub renewable: bool,
    pub date: String,
    pub iso: String,
    pub kind: &'static str,
    pub text: String,
    pub key: String,
    pub entity_id: Option<i64>,
    pub entity: String,
    pub href: String,
    pub state: &'static str,
}

pub fn row(d: Deadline) -> DeadlineRow {
    DeadlineRow {
        renewable: !matches!(d.kind, Kind::Payment | Kind::Needs),
        date: kernel::time::display_date(d.date),
        iso: d.date.to_string(),
        kind: d.kind.label(),
        text: d.text,
        key: d.key,
        entity_id: d.entity_id,
        entity: d.entity_name,
        href: d.href,
        state: match d.state {
            "renewed" => "rinnovata",
            "done" => "chiusa",
            _ => "",
        },
    }
}

#[derive(Template)]
#[template(path = "statements/deadlines.html")]
struct DeadlinesPage {
    layout: Layout,
    rows: Vec<DeadlineRow>,
    f: PageFilters,
    kinds: Vec<Choice>,
    entities: Vec<Choice>,
    is_staff: bool,
    has_feed: bool,
    feed: String,
    flash: Flash,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PageFilters {
    ente: String,
    tipo: String,
    dal: String,
    al: String,
}

/// `/deadlines`.
pub async fn page(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    headers: axum::http::HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let actor = sess.actor();
    if actor.role == kernel::Role::Supplier {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "Lo scadenzario è del centro servizi e degli enti.",
        ));
    }
    let f: PageFilters =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let flash = crate::pages::notice(&s, &sess).await?;
    let (from, to) = window(f.dal.parse().ok(), f.al.parse().ok(), s.clock.today());
    let q = DeadlineQuery {
        entity_id: f.ente.trim().parse().ok(),
        from,
        to,
        kind: Kind::parse(f.tipo.trim()),
    };
    let (rows, error) = match store::list(&s.db, &actor, &q).await {
        Ok(list) => (list.into_iter().take(500).map(row).collect(), String::new()),
        Err(e) => (vec![], refusal(e)?),
    };
    let kinds = choices(
        f.tipo.trim(),
        Kind::ALL
            .into_iter()
            .map(|k| (k.code().to_owned(), k.label().to_owned())),
    );
    let entities = choices(
        f.ente.trim(),
        members::store::names(&s.db, &actor)
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n)),
    );
    let mut flash = flash;
    if !error.is_empty() {
        flash.error = error;
    }
    let feed = flash
        .values
        .iter()
        .find(|(k, _)| k == "feed")
        .map(|(_, v)| format!("{}{v}", crate::pages::site(&s, &headers)))
        .unwrap_or_default();
    Ok(ok(&DeadlinesPage {
        layout: Layout::new(&s, Some(&sess), "Scadenzario", "deadlines"),
        rows,
        f: PageFilters {
            dal: from.to_string(),
            al: to.to_string(),
            ..f
        },
        kinds,
        entities,
        is_staff: actor.is_staff(),
        has_feed: store::has_feed(&s.db, &actor).await?,
        feed,
        flash,
    }))
}

/// `/deadlines/{action}`: `nuova` (by hand), `rinnova` (staff, after a confirmation), `feed`.
pub async fn act(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(action): Path<String>,
    Form(t): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let actor = sess.actor();
    let field = |k: &str| crate::pages::form_reader::field(&t, k);
    let back = match field("ritorno").as_str() {
        r if r.starts_with("/entities/") && !r.contains("//") => r.to_owned(),
        _ => "/deadlines".to_owned(),
    };
    let done: Result<String, billing::BillingError> = match action.as_str() {
        "nuova" => match field("ogni").parse::<u32>() {
            Err(_) if !field("ogni").is_empty() => Err(billing::BillingError::field(
                "every_months",
                "«si ripete ogni» è un numero di mesi (12 per ogni anno), oppure vuoto",
            )),
            every => store::create(
                &s.db,
                &actor,
                &ManualDraft {
                    entity_id: field("ente").parse().ok(),
                    title: field("titolo"),
                    due_on: field("data").parse().ok(),
                    every_months: every.unwrap_or(0),
                    notes: field("note"),
                },
            )
            .await
            .map(|_| "Scadenza aggiunta.".to_owned()),
        },
        "rinnova" if !crate::pages::confirm::confirmed(&field("confermato")) => {
            if !actor.is_staff() {
                return Err(PageError::new(
                    StatusCode::FORBIDDEN,
                    "Operazione riservata al centro servizi.",
                ));
            }
            return Ok(crate::pages::confirm::page(
                &s,
                &sess,
                "deadlines",
                crate::pages::confirm::Confirm {
                    question: format!("Segnare come rinnovata la scadenza del {}?", field("data_it")),
                    consequences: vec![
                        field("testo"),
                        "La scadenza si chiude; quella successiva, se ricorre, compare nello scadenzario.".into(),
                    ],
                    action: "/deadlines/rinnova".into(),
                    fields: vec![
                        ("chiave".into(), field("chiave")),
                        ("data".into(), field("data")),
                        ("ritorno".into(), back.clone()),
                    ],
                    note: None,
                    confirm_label: "Segna come rinnovata".into(),
                    cancel: back.clone(),
                },
            ));
        }
        "rinnova" => match field("data").parse::<NaiveDate>() {
            Ok(d) => store::renew(&s.db, &actor, &field("chiave"), d)
                .await
                .map(|()| "Scadenza segnata come rinnovata.".to_owned()),
            Err(_) => Err(billing::BillingError::field("date", "data non valida")),
        },
        "feed" => {
            let had = store::has_feed(&s.db, &actor).await?;
            let token = store::new_feed(&s.db, &actor).await;
            return match token {
                Ok(t) => {
                    let flash = Flash {
                        saved: if had {
                            "Nuovo indirizzo del calendario creato: quello di prima non funziona più."
                        } else {
                            "Indirizzo del calendario creato: copialo nell'app del calendario."
                        }
                        .into(),
                        values: vec![("feed".into(), format!("/calendar/{t}.ics"))],
                        ..Default::default()
                    };
                    back_with(&s, &sess, "/deadlines", flash).await
                }
                Err(e) => Err(e.into()),
            };
        }
        _ => return Err(PageError::new(StatusCode::NOT_FOUND, "Azione sconosciuta.")),
    };
    let flash = match done {
        Ok(said) => Flash::saved(said),
        Err(e) => Flash {
            error: refusal(e)?,
            values: t.iter().filter(|(k, _)| k != "_csrf").cloned().collect(),
            place: "scadenze".into(),
            ..Default::default()
        },
    };
    back_with(&s, &sess, &back, flash).await
}

/// The next deadlines of an entity, for its page.
pub async fn entity_rows(
    s: &AppState,
    actor: &kernel::Actor,
    entity_id: i64,
) -> Result<Vec<DeadlineRow>, PageError> {
    if actor.role == kernel::Role::Supplier {
        return Ok(vec![]);
    }
    let today = s.clock.today();
    Ok(store::list(
        &s.db,
        actor,
        &DeadlineQuery {
            entity_id: Some(entity_id),
            from: today,
            to: today + chrono::Duration::days(365),
            kind: None,
        },
    )
    .await?
    .into_iter()
    .take(10)
    .map(row)
    .collect())
}
