//! The help desk's settings (admins): the SLA policy and the centre's working-time calendar;
//! an entity's own calendar is chosen on the entity's page.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use helpdesk::model::Priority;
use helpdesk::sla::SlaPolicy;
use helpdesk::store;
use helpdesk::HelpdeskError;
use kernel::calendar::Calendar;
use serde::Deserialize;

use crate::auth::PageAdmin;
use crate::error::PageError;
use crate::pages::{ok, parse_id, refusal, see_other, Layout};
use crate::AppState;

pub const PRESETS: [(&str, &str); 3] = [
    (
        "consorzio-it",
        "Consorzio.IT: lun–ven 8:30–12:30 e 14:00–18:00",
    ),
    (
        "padova",
        "Padova: lun–gio 9:00–16:30, ven 9:00–13:00, patrono 13 giugno",
    ),
    ("ltt", "LTT: lun–ven 9–13 e 14–18, sabato 9–13"),
];

pub struct PolicyRow {
    pub code: &'static str,
    pub label: &'static str,
    pub take_charge: String,
    pub resolution: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    rows: Vec<PolicyRow>,
    target: String,
    days_back: String,
    presets: Vec<(&'static str, &'static str)>,
    preset: String,
    patron: String,
    closures: String,
    message: String,
    saved: String,
}

pub async fn page(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
) -> Result<Response, PageError> {
    let q = crate::pages::notice(&s, &sess).await?;
    // After a refusal the forms show what was typed, not what is stored.
    let typed = |field: &str, stored: String| {
        if q.values.iter().any(|(k, _)| k == field) {
            q.value(field)
        } else {
            stored
        }
    };
    let policy = store::policy(&s.db).await?;
    let cal = store::own_calendar(&s.db, None).await?;
    let (preset, calendar) = match cal {
        Some(c) => (c.preset, c.calendar),
        None => (
            store::DEFAULT_CALENDAR.to_owned(),
            Calendar::preset(store::DEFAULT_CALENDAR).map_err(HelpdeskError::from)?,
        ),
    };
    Ok(ok(&SettingsPage {
        layout: Layout::new(
            &s,
            Some(&sess),
            "Impostazioni dell'assistenza",
            "helpdesk-settings",
        ),
        rows: Priority::ALL
            .into_iter()
            .map(|p| PolicyRow {
                code: p.as_str(),
                label: p.label(),
                take_charge: typed(
                    &format!("take_charge_{}", p.as_str()),
                    policy.take_charge_hours_of(p).to_string(),
                ),
                resolution: typed(
                    &format!("resolution_{}", p.as_str()),
                    policy
                        .resolution_hours_of(p)
                        .map(|h| h.to_string())
                        .unwrap_or_default(),
                ),
            })
            .collect(),
        target: typed("target_percent", policy.target_percent.to_string()),
        days_back: typed(
            "received_max_days_back",
            policy.received_max_days_back.to_string(),
        ),
        presets: PRESETS.to_vec(),
        preset,
        patron: typed(
            "patron",
            calendar
                .patron
                .map(|(m, d)| format!("{d:02}/{m:02}"))
                .unwrap_or_default(),
        ),
        closures: typed(
            "closures",
            calendar
                .closures
                .iter()
                .map(|d| kernel::time::display_date(*d))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        message: q.error.clone(),
        saved: q.saved.clone(),
    }))
}

/// Back to the settings page with a refusal (and what was typed) or a confirmation.
async fn back(
    s: &AppState,
    sess: &crate::auth::Session,
    error: &str,
    saved: &str,
    values: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let flash = crate::auth::Flash {
        error: error.to_owned(),
        saved: saved.to_owned(),
        values: if error.is_empty() { Vec::new() } else { values },
        ..Default::default()
    };
    crate::pages::back_with(s, sess, "/helpdesk/settings", flash).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PolicyForm {
    take_charge_high: String,
    take_charge_medium: String,
    take_charge_low: String,
    resolution_high: String,
    resolution_medium: String,
    resolution_low: String,
    target_percent: String,
    received_max_days_back: String,
}

impl PolicyForm {
    /// The fields as typed, to show them again after a refusal.
    fn values(&self) -> Vec<(String, String)> {
        [
            ("take_charge_high", &self.take_charge_high),
            ("take_charge_medium", &self.take_charge_medium),
            ("take_charge_low", &self.take_charge_low),
            ("resolution_high", &self.resolution_high),
            ("resolution_medium", &self.resolution_medium),
            ("resolution_low", &self.resolution_low),
            ("target_percent", &self.target_percent),
            ("received_max_days_back", &self.received_max_days_back),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
    }
}

pub async fn save_policy(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Form(f): Form<PolicyForm>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let mut num = |field: &str, v: &str| -> u32 {
        match v.trim().parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                errors.push(format!("{field}: scrivere un numero intero"));
                0
            }
        }
    };
    let take = [
        (Priority::High, &f.take_charge_high),
        (Priority::Medium, &f.take_charge_medium),
        (Priority::Low, &f.take_charge_low),
    ]
    .map(|(p, v)| {
        (
            p,
            num(&format!("presa in carico, priorità {}", p.label()), v),
        )
    });
    let target = num("quota da rispettare", &f.target_percent);
    // A form without the field (an older page) keeps the stored value.
    let days_back = if f.received_max_days_back.trim().is_empty() {
        store::policy(&s.db).await?.received_max_days_back
    } else {
        num("giorni di retrodatazione", &f.received_max_days_back)
    };
    let mut resolution = Vec::new();
    for (p, v) in [
        (Priority::High, &f.resolution_high),
        (Priority::Medium, &f.resolution_medium),
        (Priority::Low, &f.resolution_low),
    ] {
        if !v.trim().is_empty() {
            resolution.push((p, num(&format!("risoluzione, priorità {}", p.label()), v)));
        }
    }
    let typed = f.values();
    if !errors.is_empty() {
        return back(&s, &sess, &errors.join("; "), "", typed).await;
    }
    let policy = SlaPolicy {
        take_charge_hours: take,
        target_percent: target,
        resolution_hours: resolution,
        received_max_days_back: days_back,
    };
    match store::set_policy(&s.db, &sess.actor(), &policy).await {
        Ok(()) => {
            back(
                &s,
                &sess,
                "",
                "Obiettivi SLA salvati: valgono per i nuovi ticket.",
                vec![],
            )
            .await
        }
        Err(e) => back(&s, &sess, &refusal(e)?, "", typed).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CalendarForm {
    preset: String,
    patron: String,
    closures: String,
}

/// The calendar from a preset, a patron's day `DD/MM` and closure days, one a line
/// (`DD/MM/YYYY` or `YYYY-MM-DD`).
fn calendar_from(f: &CalendarForm) -> Result<Calendar, String> {
    let mut cal = Calendar::preset(f.preset.trim())
        .map_err(|_| format!("calendario «{}» sconosciuto", f.preset))?;
    let patron = f.patron.trim();
    if !patron.is_empty() {
        let (d, m) = patron
            .split_once('/')
            .and_then(|(d, m)| Some((d.trim().parse::<u32>().ok()?, m.trim().parse::<u32>().ok()?)))
            .filter(|(d, m)| chrono::NaiveDate::from_ymd_opt(2024, *m, *d).is_some())
            .ok_or_else(|| format!("patrono «{patron}»: scrivere giorno/mese, es. 13/06"))?;
        cal.patron = Some((m, d));
    }
    let mut closures = Vec::new();
    for line in f.closures.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let d = chrono::NaiveDate::parse_from_str(line, "%d/%m/%Y")
            .or_else(|_| chrono::NaiveDate::parse_from_str(line, "%Y-%m-%d"))
            .map_err(|_| format!("giorno di chiusura «{line}»: scrivere es. 24/12/2026"))?;
        closures.push(d);
    }
    closures.sort_unstable();
    closures.dedup();
    cal.closures = closures;
    Ok(cal)
}

pub async fn save_calendar(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Form(f): Form<CalendarForm>,
) -> Result<Response, PageError> {
    let typed = vec![
        ("patron".to_owned(), f.patron.clone()),
        ("closures".to_owned(), f.closures.clone()),
    ];
    let cal = match calendar_from(&f) {
        Ok(c) => c,
        Err(m) => return back(&s, &sess, &m, "", typed).await,
    };
    match store::set_calendar(&s.db, &sess.actor(), None, f.preset.trim(), &cal).await {
        Ok(()) => {
            back(
                &s,
                &sess,
                "",
                "Calendario del centro salvato: vale per i nuovi ticket.",
                vec![],
            )
            .await
        }
        Err(e) => back(&s, &sess, &refusal(e)?, "", typed).await,
    }
}

/// An entity's own calendar (`preset` = `centre` to follow the centre's again).
pub async fn save_entity_calendar(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Path(id): Path<String>,
    Form(f): Form<CalendarForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let actor = sess.actor();
    if f.preset.trim() == "centre" {
        store::clear_calendar(&s.db, &actor, id).await?;
        return Ok(see_other(&format!("/entities/{id}#assistenza")));
    }
    let cal = calendar_from(&f).map_err(|m| PageError::new(StatusCode::UNPROCESSABLE_ENTITY, m))?;
    store::set_calendar(&s.db, &actor, Some(id), f.preset.trim(), &cal).await?;
    Ok(see_other(&format!("/entities/{id}#assistenza")))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BackupCheckForm {
    name: String,
    email_from: String,
    max_silence_hours: String,
}

#[derive(Template)]
#[template(path = "backup_token.html")]
struct BackupTokenPage {
    layout: Layout,
    entity_id: i64,
    name: String,
    email_from: String,
    token: String,
    base: String,
}

/// Adds a backup check to an entity (admins) and shows its reporting token, once.
pub async fn add_backup_check(
    State(s): State<AppState>,
    PageAdmin(sess): PageAdmin,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    Form(f): Form<BackupCheckForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let hours = match f.max_silence_hours.trim() {
        "" => 26,
        h => match h.parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                return entity_refusal(&s, &sess, id, "ore di silenzio ammesse: un numero intero")
                    .await
            }
        },
    };
    match helpdesk::backups::create(&s.db, &sess.actor(), id, &f.name, &f.email_from, hours).await {
        Ok((c, token)) => {
            let host = headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("cst.example.it");
            Ok(ok(&BackupTokenPage {
                layout: Layout::new(&s, Some(&sess), "Controllo dei backup", "entities"),
                entity_id: id,
                name: c.name,
                email_from: c.email_from,
                token,
                base: format!("http://{host}"),
            }))
        }
        Err(e) => entity_refusal(&s, &sess, id, &refusal(e)?).await,
    }
}

/// Back to the entity page with a refused help-desk setting, shown in its section.
pub async fn entity_refusal(
    s: &AppState,
    sess: &crate::auth::Session,
    id: i64,
    error: &str,
) -> Result<Response, PageError> {
    let flash = crate::auth::Flash {
        error: error.to_owned(),
        place: "assistenza".into(),
        ..Default::default()
    };
    crate::pages::back_with(s, sess, &format!("/entities/{id}#assistenza"), flash).await
}
