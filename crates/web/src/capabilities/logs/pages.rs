//! `/entities/{id}/logs`: the page where the entity's titolare (or a delegate, or staff)
//! reviews the system administrators' accesses — filtered by administrator, account, system,
//! outcome and days, as a list that pages and downloads as CSV —, keeps the list of named
//! administrators, and signs off the periodic check (its forms: `review_forms.rs`; the raw
//! messages' search: `messages_page.rs`).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use logs::review::{LogAdmin, LogReview, Reviewer};
use logs::store::query::{self, AccessLine};
use serde::Deserialize;

use crate::auth::{Flash, PageUser};
use crate::error::PageError;
use crate::pages::list::{self, Column, ListView, Paging, PER_PAGE};
use crate::pages::{is_htmx, notice, ok, parse_id, Layout};
use crate::AppState;

/// The filters of the access list, as they stand in the URL.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct AccessFilters {
    /// `""` every account, `tutti` the named administrators, or one administrator's id.
    amministratore: String,
    account: String,
    sistema: String,
    /// `riuscito` or `fallito`.
    esito: String,
    dal: String,
    al: String,
}

impl AccessFilters {
    fn pairs(&self) -> Vec<(String, String)> {
        list::filled(&[
            ("amministratore", &self.amministratore),
            ("account", &self.account),
            ("sistema", &self.sistema),
            ("esito", &self.esito),
            ("dal", &self.dal),
            ("al", &self.al),
        ])
    }
}

/// The query for the store, and what in the filters was not understood (said on the page).
fn access_query(
    entity_id: i64,
    f: &AccessFilters,
    admins: &[LogAdmin],
    paging: &Paging,
) -> (Option<query::AccessFilter>, Vec<String>) {
    let mut problems = Vec::new();
    let (from, to) = match logs::model::window(Some(&f.dal), Some(&f.al)) {
        Ok(w) => w,
        Err(e) => {
            problems.extend(e.into_iter().map(|e| {
                let what = if e.field == "from" { "Dal" } else { "Al" };
                format!("{what}: {}", e.message)
            }));
            (None, None)
        }
    };
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let accounts = match f.amministratore.trim() {
        "" => None,
        "tutti" => Some(admins.iter().flat_map(|a| a.accounts.clone()).collect()),
        id => admins
            .iter()
            .find(|a| a.id.to_string() == id)
            .map(|a| a.accounts.clone()),
    };
    // Administrators asked for but none named: nothing matches.
    if accounts.as_ref().is_some_and(Vec::is_empty) {
        return (None, problems);
    }
    let outcome = match f.esito.as_str() {
        "riuscito" => Some("success".to_owned()),
        "fallito" => Some("failure".to_owned()),
        _ => None,
    };
    (
        Some(query::AccessFilter {
            entity_id,
            from,
            to,
            user: text(&f.account),
            accounts: accounts.unwrap_or_default(),
            host: text(&f.sistema),
            outcome,
            limit: PER_PAGE,
            offset: paging.offset(),
        }),
        problems,
    )
}

pub struct AccessRow {
    pub at: String,
    pub user: String,
    /// The named administrator the account belongs to, if any.
    pub admin: String,
    pub action: &'static str,
    pub failed: bool,
    pub host: String,
    pub from: String,
    pub method: String,
    pub detail: String,
}

fn action_label(a: &str) -> &'static str {
    match a {
        "login" => "Accesso",
        "logout" => "Uscita",
        "session_open" => "Sessione aperta",
        "session_close" => "Sessione chiusa",
        "privilege" => "Privilegi elevati",
        _ => "Altro",
    }
}

fn access_row(a: AccessLine, admins: &[LogAdmin]) -> AccessRow {
    let admin = admins
        .iter()
        .find(|x| x.accounts.iter().any(|acc| acc == &a.user))
        .map(|x| x.name.clone())
        .unwrap_or_default();
    AccessRow {
        at: kernel::time::display_rome(&a.at),
        admin,
        action: action_label(&a.action),
        failed: a.outcome == "failure",
        host: a.host.unwrap_or_default(),
        from: a.from.unwrap_or_default(),
        method: a.method.unwrap_or_default(),
        detail: match (a.target_user, a.detail) {
            (Some(t), Some(d)) => format!("come {t} · {d}"),
            (Some(t), None) => format!("come {t}"),
            (None, Some(d)) => d,
            (None, None) => String::new(),
        },
        user: a.user,
    }
}

#[derive(Template)]
#[template(path = "logs/rows.html")]
struct Rows {
    rows: Vec<AccessRow>,
    list: ListView,
}

/// A signed-off check as the page shows it.
pub struct ReviewRow {
    pub reviewer: String,
    pub signed_at: String,
    pub period: String,
    pub events: String,
    pub failures: String,
    pub notes: String,
    pub digest: String,
}

fn day(s: &str) -> String {
    logs::period::parse_day(s).map_or_else(|| s.to_owned(), kernel::time::display_date)
}

fn review_row(r: LogReview) -> ReviewRow {
    ReviewRow {
        signed_at: kernel::time::display_rome(&r.signed_at),
        period: format!("{} – {}", day(&r.from), day(&r.to)),
        events: list::count(r.events),
        failures: list::count(r.failures),
        reviewer: r.reviewer,
        notes: r.notes,
        digest: r.digest,
    }
}

pub struct ContactChoice {
    pub user_id: i64,
    pub label: String,
}

#[derive(Template)]
#[template(path = "logs/review.html")]
struct ReviewPage {
    layout: Layout,
    entity_id: i64,
    entity_name: String,
    f: AccessFilters,
    problems: Vec<String>,
    list_html: String,
    admins: Vec<LogAdmin>,
    reviewers: Vec<Reviewer>,
    reviews: Vec<ReviewRow>,
    contacts: Vec<ContactChoice>,
    is_staff: bool,
    retention_days: i64,
    oldest: String,
    /// The last purge: when, and up to which day.
    last_purge: String,
    exported_through: String,
    last_export: String,
    last_review: String,
    review_due: bool,
    silent: Vec<(String, String)>,
    flash: Flash,
    today: String,
    year_ago: String,
}

impl ReviewPage {
    fn selected_admin(&self, id: &i64) -> bool {
        self.f.amministratore == id.to_string()
    }
}

async fn entity_contacts(s: &AppState, entity_id: i64) -> Result<Vec<ContactChoice>, PageError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT u.id, u.username, u.full_name FROM users u \
         JOIN user_entities ue ON ue.user_id = u.id \
         WHERE ue.entity_id = $1 AND u.role = 'contact' AND u.active = 1 ORDER BY u.full_name, u.username",
    )
    .bind(entity_id)
    .fetch_all(s.db.pool())
    .await
    .map_err(|e| PageError::from(logs::LogsError::from(e)))?;
    Ok(rows
        .into_iter()
        .map(|(user_id, username, full)| ContactChoice {
            user_id,
            label: if full.trim().is_empty() {
                username
            } else {
                format!("{full} ({username})")
            },
        })
        .collect())
}

fn list_view(
    entity_id: i64,
    f: &AccessFilters,
    paging: &Paging,
    total: i64,
    shown: usize,
) -> ListView {
    ListView {
        csv: true,
        ..ListView::unsorted(
            format!("/entities/{entity_id}/logs"),
            "access-list",
            f.pairs(),
            paging,
            total,
            shown,
            ("accesso", "accessi"),
            vec![
                Column::plain("Quando"),
                Column::plain("Account"),
                Column::plain("Azione"),
                Column::plain("Esito"),
                Column::plain("Sistema").wide(),
                Column::plain("Da").wide(),
                Column::plain("Dettagli").wide(),
            ],
        )
    }
}

/// The review page.
pub async fn review(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let entity = logs::review::may_review(&s.db, &actor, id).await?;
    let (f, paging) = list::params::<AccessFilters>(raw.as_deref());
    let admins = logs::review::admins(&s.db, id).await?;
    let (q, problems) = access_query(id, &f, &admins, &paging);
    let (items, total) = match &q {
        Some(q) => query::access_events(&s.logs.store, q).await?,
        None => (Vec::new(), 0),
    };
    let shown = items.len();
    let rows = Rows {
        rows: items.into_iter().map(|a| access_row(a, &admins)).collect(),
        list: list_view(id, &f, &paging, total, shown),
    };
    if is_htmx(&headers) {
        return Ok(ok(&rows));
    }
    let list_html = crate::pages::html(&rows)?;
    let compliance = logs::retention::compliance(&s.db, &s.logs.store, id).await?;
    let reviews = logs::review::reviews(&s.db, id).await?;
    let today = s.clock.today();
    let year_ago = today - chrono::Days::new(365);
    let last_signed = reviews
        .first()
        .and_then(|r| kernel::time::parse(&r.signed_at));
    let review_due = last_signed.is_none_or(|t| t.date_naive() < year_ago);
    let is_staff = sess.user.role.is_staff();
    let silent = logs::sources::of_entity(&s.db, &actor, id)
        .await?
        .into_iter()
        .filter_map(|src| {
            src.silent_since
                .map(|t| (src.name, kernel::time::display_rome(&t)))
        })
        .collect();
    let flash = notice(&s, &sess).await?;
    Ok(ok(&ReviewPage {
        layout: Layout::new(
            &s,
            Some(&sess),
            format!("Registro degli accessi – {}", entity.data.name),
            "entities",
        ),
        entity_id: id,
        entity_name: entity.data.name,
        f,
        problems,
        list_html,
        reviewers: logs::review::reviewers(&s.db, id).await?,
        contacts: if is_staff {
            entity_contacts(&s, id).await?
        } else {
            Vec::new()
        },
        admins,
        reviews: reviews.into_iter().map(review_row).collect(),
        is_staff,
        retention_days: compliance.retention_days,
        oldest: compliance
            .oldest_record
            .as_deref()
            .map(kernel::time::display_rome)
            .unwrap_or_default(),
        last_purge: compliance
            .last_purge
            .as_ref()
            .map(|p| {
                format!(
                    "Ultima eliminazione il {}: messaggi anteriori al {} ({}).",
                    kernel::time::display_rome(&p.purged_at),
                    day(&p.before_day),
                    list::count(p.messages)
                )
            })
            .unwrap_or_else(|| "Nessuna eliminazione finora.".to_owned()),
        exported_through: compliance
            .exported_through
            .as_deref()
            .and_then(logs::period::parse_day)
            .map(kernel::time::display_date)
            .unwrap_or_default(),
        last_export: compliance
            .last_export
            .map(|e| kernel::time::display_rome(&e.created_at))
            .unwrap_or_default(),
        last_review: last_signed
            .map(kernel::time::display_instant)
            .unwrap_or_default(),
        review_due,
        silent,
        flash,
        today: today.to_string(),
        year_ago: year_ago.to_string(),
    }))
}

/// The filtered access list as CSV (every page, up to 100,000 events).
pub async fn review_csv(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    logs::review::may_review(&s.db, &sess.actor(), id).await?;
    let (f, paging) = list::params::<AccessFilters>(raw.as_deref());
    let admins = logs::review::admins(&s.db, id).await?;
    let mut out = kernel::csv::CsvWriter::new(&[
        "quando",
        "account",
        "amministratore",
        "azione",
        "esito",
        "sistema",
        "da",
        "metodo",
        "dettagli",
    ]);
    if let (Some(mut q), _) = access_query(id, &f, &admins, &paging) {
        q.limit = 500;
        q.offset = 0;
        while q.offset < 100_000 {
            let (items, _) = query::access_events(&s.logs.store, &q).await?;
            let n = items.len();
            for a in items {
                let r = access_row(a, &admins);
                out.row([
                    r.at,
                    r.user,
                    r.admin,
                    r.action.to_owned(),
                    if r.failed { "fallito" } else { "riuscito" }.to_owned(),
                    r.host,
                    r.from,
                    r.method,
                    r.detail,
                ]);
            }
            if n < 500 {
                break;
            }
            q.offset += 500;
        }
    }
    Ok(list::csv_download(
        &format!("accessi-ente-{id}.csv"),
        out.finish(),
    ))
}
