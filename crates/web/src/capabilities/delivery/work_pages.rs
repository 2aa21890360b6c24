//! Packages and work reports as pages: a package with its balance and its reports (staff record
//! work on it, on a phone too; the entity's contact acknowledges each report), and buying a
//! package from the entity's page.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::NaiveDate;
use delivery::store::work::{self as store, HoldingOut, Package, PackageDraft, ReportDraft};
use delivery::work::two_places;
use kernel::Role;
use serde::Deserialize;

use crate::auth::{Flash, PageStaff, PageUser, Session};
use crate::error::PageError;
use crate::pages::{back_with, ok, parse_id, Layout};
use crate::AppState;

/// A package as its page and the entity's page show it.
pub struct PackageView {
    pub id: i64,
    pub title: String,
    pub unit: &'static str,
    pub bought: String,
    pub used: String,
    pub remaining: String,
    pub beyond: String,
    pub onsite: String,
    /// 0–100, for the bar.
    pub percent: u64,
    pub overage: String,
    pub warning: String,
    /// The warning in two words, for the entity page's list.
    pub badge: &'static str,
}

pub fn package_view(p: &Package) -> PackageView {
    let unit = match p.holding {
        HoldingOut::Days(_) => "giornate",
        HoldingOut::Hours(_) => "ore",
    };
    let b = &p.balance;
    let percent = (b.used * 100).checked_div(b.bought).unwrap_or(0).min(100);
    PackageView {
        id: p.id,
        title: format!("{} «{}» · {}", p.service, p.item, p.year),
        unit,
        bought: two_places(b.bought),
        used: two_places(b.used),
        remaining: two_places(b.remaining),
        beyond: if b.beyond > 0 {
            two_places(b.beyond)
        } else {
            String::new()
        },
        onsite: match (b.used, p.min_onsite_share) {
            (0, 0) => "nessun lavoro ancora registrato".to_owned(),
            (0, m) => format!(
                "nessun lavoro ancora registrato (minimo richiesto: {}%)",
                (m + 5) / 10
            ),
            (_, 0) => format!("{}% del lavoro svolto", (b.onsite_share + 5) / 10),
            (_, m) => format!(
                "{}% del lavoro svolto (minimo richiesto: {}%)",
                (b.onsite_share + 5) / 10,
                (m + 5) / 10
            ),
        },
        percent,
        overage: if b.overage_amount > kernel::Euro::ZERO {
            b.overage_amount.to_string()
        } else {
            String::new()
        },
        badge: if b.warnings.contains(&100) {
            "esaurito"
        } else if b.warnings.contains(&80) {
            "oltre l'80%"
        } else if !p.onsite_reachable {
            "minimo in sede mancato"
        } else {
            ""
        },
        warning: if !p.onsite_reachable {
            format!(
                "Il minimo in sede ({}%) non è più raggiungibile, nemmeno con tutte le giornate che restano in sede.",
                (p.min_onsite_share + 5) / 10
            )
        } else if b.warnings.contains(&100) {
            format!("Pacchetto esaurito: le {unit} oltre si addebitano a parte o non si possono registrare.")
        } else if b.warnings.contains(&80) {
            format!(
                "Usato oltre l'80%: restano {} {unit}.",
                two_places(b.remaining)
            )
        } else {
            String::new()
        },
    }
}

/// A report's duration in words: `2 h 30 min`, with its times (`dalle 09:00 alle 11:30`) when
/// recorded.
pub fn duration_words(r: &store::ReportLine) -> String {
    let mut out = format!("{} h {:02} min", r.minutes / 60, r.minutes % 60);
    if let Some((a, b)) = &r.times {
        out.push_str(&format!(" (dalle {a} alle {b})"));
    }
    out
}

/// The reports as a page lists them: people's names, durations and flags in words.
pub async fn report_views(
    s: &AppState,
    reports: Vec<store::ReportLine>,
) -> Result<Vec<ReportView>, PageError> {
    let names = accounts::store::display_names(
        &s.db,
        reports
            .iter()
            .filter_map(|r| kernel::audit::actor_user(&r.author).map(|(id, _)| id))
            .chain(reports.iter().filter_map(|r| {
                r.acknowledged
                    .as_ref()
                    .and_then(|(by, _)| kernel::audit::actor_user(by).map(|(id, _)| id))
            })),
    )
    .await
    .map_err(crate::error::ApiError::internal)?;
    let who = |label: &str| {
        kernel::audit::actor_user(label)
            .and_then(|(id, _)| names.get(&id).cloned())
            .unwrap_or_else(|| kernel::audit::actor_words(label))
    };
    Ok(reports
        .into_iter()
        .map(|r| ReportView {
            id: r.id,
            date: kernel::time::display_date(r.date),
            duration: duration_words(&r),
            mode: match r.mode {
                delivery::work::Mode::Onsite if r.travel_minutes > 0 => {
                    format!("in sede · trasferta {} min", r.travel_minutes)
                }
                delivery::work::Mode::Onsite => "in sede".to_owned(),
                delivery::work::Mode::Remote => "da remoto".to_owned(),
            },
            description: r.description,
            flags: r
                .flags
                .iter()
                .map(|f| flag_words(f))
                .filter(|w| !w.is_empty())
                .collect(),
            author: who(&r.author),
            acknowledged: r
                .acknowledged
                .map(|(by, at)| format!("{} il {}", who(&by), kernel::time::display_rome(&at)))
                .unwrap_or_default(),
        })
        .collect())
}

pub struct ReportView {
    pub id: i64,
    pub date: String,
    pub duration: String,
    pub mode: String,
    pub description: String,
    pub flags: Vec<&'static str>,
    pub author: String,
    pub acknowledged: String,
}

fn flag_words(f: &str) -> &'static str {
    match f {
        "remote_over_30_minutes" => "da remoto oltre 30 minuti",
        "call_out_fee" => "diritto di chiamata",
        "warranty" => "in garanzia",
        _ => "",
    }
}

#[derive(Template)]
#[template(path = "packages/detail.html")]
struct PackagePage {
    layout: Layout,
    p: PackageView,
    entity_id: i64,
    entity: String,
    reports: Vec<ReportView>,
    is_staff: bool,
    is_contact: bool,
    today: String,
    saved: String,
    error: String,
    typed: Flash,
}

fn no_supplier(sess: &Session) -> Result<(), PageError> {
    if sess.user.role == Role::Supplier {
        return Err(PageError::new(
            StatusCode::FORBIDDEN,
            "I pacchetti sono riservati al centro servizi e ai referenti degli enti.",
        ));
    }
    Ok(())
}

pub async fn detail(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let actor = sess.actor();
    let p = store::package(&s.db, &actor, parse_id(&id)?).await?;
    let entity = members::store::get(&s.db, &actor, p.entity_id)
        .await?
        .data
        .name;
    let reports = store::reports_of(&s.db, &actor, p.id, 200).await?;
    let n = crate::pages::notice(&s, &sess).await?;
    Ok(ok(&PackagePage {
        layout: Layout::new(
            &s,
            Some(&sess),
            format!("Pacchetto {}", p.service),
            "entities",
        ),
        p: package_view(&p),
        entity_id: p.entity_id,
        entity,
        reports: report_views(&s, reports).await?,
        is_staff: sess.user.role.is_staff(),
        is_contact: sess.user.role == Role::Contact,
        today: s.clock.today().to_string(),
        saved: n.saved.clone(),
        error: n.error.clone(),
        typed: n,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportForm {
    data: String,
    ore: String,
    minuti: String,
    /// Start and end times (`HH:MM`), instead of hours and minutes.
    dalle: String,
    alle: String,
    /// Travel minutes to an on-site visit.
    trasferta: String,
    modo: String,
    descrizione: String,
}

/// Records work on a package (staff).
pub async fn add_report(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path(id): Path<String>,
    Form(f): Form<ReportForm>,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let id = parse_id(&id)?;
    let actor = sess.actor();
    let p = store::package(&s.db, &actor, id).await?;
    record(
        &s,
        &sess,
        ReportDraft {
            entity_id: p.entity_id,
            package_id: Some(id),
            ..Default::default()
        },
        &format!("/packages/{id}"),
        &f,
    )
    .await
}

/// Records work from a form (staff): `base` says the entity and what the work is on; back to
/// `back` with what was done, or the reason and what was typed.
pub(crate) async fn record(
    s: &AppState,
    sess: &Session,
    base: ReportDraft,
    back: &str,
    f: &ReportForm,
) -> Result<Response, PageError> {
    let actor = sess.actor();
    let number = |v: &str| -> Option<u32> {
        match v.trim() {
            "" => Some(0),
            t => t.parse().ok(),
        }
    };
    let typed = vec![
        ("data".to_owned(), f.data.clone()),
        ("ore".to_owned(), f.ore.clone()),
        ("minuti".to_owned(), f.minuti.clone()),
        ("dalle".to_owned(), f.dalle.clone()),
        ("alle".to_owned(), f.alle.clone()),
        ("trasferta".to_owned(), f.trasferta.clone()),
        ("modo".to_owned(), f.modo.clone()),
        ("descrizione".to_owned(), f.descrizione.clone()),
    ];
    // On a ticket, a request or a project the message goes to the work section (its anchor).
    let place = if back.ends_with("#interventi") {
        "interventi".to_owned()
    } else {
        String::new()
    };
    let refuse = |message: String| Flash {
        error: message,
        values: typed.clone(),
        place: place.clone(),
        ..Default::default()
    };
    let (Some(h), Some(m), Some(travel)) =
        (number(&f.ore), number(&f.minuti), number(&f.trasferta))
    else {
        return back_with(
            s,
            sess,
            back,
            refuse("Ore, minuti e trasferta: numeri interi.".into()),
        )
        .await;
    };
    let time = |v: &str| match v.trim() {
        "" => Ok(None),
        t => chrono::NaiveTime::parse_from_str(t, "%H:%M")
            .map(Some)
            .map_err(|_| format!("«{t}» non è un'ora (per esempio 09:30).")),
    };
    let (start, end) = match (time(&f.dalle), time(&f.alle)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return back_with(s, sess, back, refuse(e)).await,
    };
    let date = match f.data.trim() {
        "" => None,
        d => match d.parse::<NaiveDate>() {
            Ok(d) => Some(d),
            Err(_) => return back_with(s, sess, back, refuse("Data non valida.".into())).await,
        },
    };
    let minutes = h.saturating_mul(60).saturating_add(m);
    let result = store::report(
        &s.db,
        &actor,
        &ReportDraft {
            date,
            minutes,
            start,
            end,
            travel_minutes: travel,
            mode: f.modo.clone(),
            description: f.descrizione.clone(),
            ..base
        },
        s.clock.today(),
    )
    .await;
    let flash = match result {
        Ok((r, Some(after))) => {
            let v = package_view(&after);
            let mut said = format!(
                "Intervento registrato: {} h {:02} min {}; usate {} {} su {}.",
                r.minutes / 60,
                r.minutes % 60,
                if r.mode == delivery::work::Mode::Onsite {
                    "in sede"
                } else {
                    "da remoto"
                },
                v.used,
                v.unit,
                v.bought
            );
            if !v.warning.is_empty() {
                said.push(' ');
                said.push_str(&v.warning);
            }
            Flash::saved(said)
        }
        Ok((_, None)) => Flash {
            saved: "Intervento registrato.".to_owned(),
            place: place.clone(),
            ..Default::default()
        },
        Err(e) => refuse(refusal(e)?),
    };
    back_with(s, sess, back, flash).await
}

/// The sentence of a refusal on a page (fields' messages without their names).
pub(crate) fn refusal<E: kernel::Refusal>(e: E) -> Result<String, PageError> {
    if matches!(
        e.kind(),
        kernel::Kind::Internal | kernel::Kind::NotFound | kernel::Kind::Forbidden
    ) {
        return Err(e.into());
    }
    let fields = e.fields();
    Ok(crate::pages::sentence(&if fields.is_empty() {
        e.to_string()
    } else {
        fields
            .into_iter()
            .map(|x| x.message)
            .collect::<Vec<_>>()
            .join("; ")
    }))
}

/// The entity's contact acknowledges a report.
pub async fn acknowledge(
    State(s): State<AppState>,
    PageUser(sess): PageUser,
    Path((id, report)): Path<(String, String)>,
) -> Result<Response, PageError> {
    no_supplier(&sess)?;
    let id = parse_id(&id)?;
    let flash = match store::acknowledge(&s.db, &sess.actor(), parse_id(&report)?).await {
        Ok(()) => Flash::saved("Presa visione registrata.".to_owned()),
        Err(e) => Flash::error(refusal(e)?),
    };
    back_with(&s, &sess, &format!("/packages/{id}"), flash).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PackageForm {
    servizio: String,
    anno: String,
    giornate: String,
    ore: String,
    presenza: String,
}

/// Buys a package for an entity, from its page (staff).
pub async fn create(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    Path(id): Path<String>,
    Form(f): Form<PackageForm>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let back = format!("/entities/{id}#pacchetti");
    let count = |v: &str| -> Result<Option<u32>, ()> {
        match v.trim() {
            "" => Ok(None),
            t => t.parse().map(Some).map_err(|_| ()),
        }
    };
    // A refusal is shown in the packages' section with what was typed.
    let refuse = |message: String| Flash {
        error: message,
        values: vec![
            ("giornate".into(), f.giornate.clone()),
            ("ore".into(), f.ore.clone()),
            ("presenza".into(), f.presenza.clone()),
        ],
        place: "pacchetti".into(),
        ..Default::default()
    };
    let (Ok(days), Ok(hours), Ok(year), Ok(onsite)) = (
        count(&f.giornate),
        count(&f.ore),
        f.anno.trim().parse::<i32>(),
        count(f.presenza.trim().trim_end_matches('%')),
    ) else {
        return back_with(
            &s,
            &sess,
            &back,
            refuse(
                "Anno, giornate, ore e minimo in sede vanno scritti come numeri interi (per esempio 80)."
                    .into(),
            ),
        )
        .await;
    };
    if onsite.is_some_and(|p| p > 100) {
        return back_with(
            &s,
            &sess,
            &back,
            refuse("Il minimo in sede va da 0 a 100%.".into()),
        )
        .await;
    }
    let result = store::create_package(
        &s.db,
        &sess.actor(),
        id,
        &PackageDraft {
            service: f.servizio.clone(),
            item: None,
            year,
            days,
            hours,
            refuse_overage: false,
            min_onsite_share: onsite.unwrap_or(0) * 10,
        },
    )
    .await;
    match result {
        Ok(p) => {
            back_with(
                &s,
                &sess,
                &format!("/packages/{}", p.id),
                Flash::saved(format!(
                    "Pacchetto registrato: {} {}.",
                    package_view(&p).bought,
                    package_view(&p).unit
                )),
            )
            .await
        }
        Err(e) => {
            let said = refusal(e)?;
            back_with(&s, &sess, &back, refuse(said)).await
        }
    }
}
