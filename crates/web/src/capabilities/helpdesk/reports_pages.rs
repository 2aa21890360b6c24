//! The SLA compliance report (staff): per priority, and per month, entity and priority, with a
//! chart against the target, exportable as CSV.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use helpdesk::store;
use serde::Deserialize;

use crate::auth::PageStaff;
use crate::error::PageError;
use crate::pages::{ok, Layout};
use crate::AppState;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Params {
    from: String,
    to: String,
}

/// The period asked for, or this month; an unreadable or reversed period is a 400 page.
fn period(raw: Option<&str>) -> Result<(NaiveDate, NaiveDate, Params), PageError> {
    let p: Params = serde_urlencoded::from_str(raw.unwrap_or("")).unwrap_or_default();
    let today = kernel::time::today();
    let bad = |m: &str| PageError::new(StatusCode::BAD_REQUEST, m.to_owned());
    let from = match p.from.trim() {
        "" => today.with_day(1).unwrap_or(today),
        f => f
            .parse()
            .map_err(|_| bad("Data di inizio non valida (aaaa-mm-gg)."))?,
    };
    let to = match p.to.trim() {
        "" => today,
        t => t
            .parse()
            .map_err(|_| bad("Data di fine non valida (aaaa-mm-gg)."))?,
    };
    if to < from {
        return Err(bad("Il periodo finisce prima di iniziare."));
    }
    Ok((from, to, p))
}

pub struct Bar {
    pub label: &'static str,
    pub code: &'static str,
    pub total: i64,
    pub met: i64,
    pub pending: i64,
    pub percent: String,
    /// Bar width in the chart, 0–300 px.
    pub width: i64,
    pub ok: bool,
}

pub struct Line {
    pub month: String,
    pub entity: String,
    pub priority: &'static str,
    pub total: i64,
    pub met: i64,
    pub pending: i64,
    pub percent: String,
    pub ok: bool,
}

/// Take-charge compliance per priority against the target, drawn as bars (the SLA page and
/// the staff's home show the same chart).
pub struct SlaChart {
    pub target: u32,
    /// The target's position in the chart, px.
    pub target_x: i64,
    pub bars: Vec<Bar>,
}

impl SlaChart {
    /// The chart of tickets received from `from` to `to`.
    pub async fn of(
        s: &AppState,
        actor: &kernel::Actor,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Self, PageError> {
        let target = store::policy(&s.db).await?.target_percent;
        let bars = store::sla_report(&s.db, actor, from, to, s.clock.now())
            .await?
            .into_iter()
            .map(|l| Bar {
                label: l.priority.label(),
                code: l.priority.as_str(),
                total: l.total,
                met: l.met,
                pending: l.pending,
                // Nothing judged yet: no figure, no bar.
                percent: if l.total == 0 {
                    "–".into()
                } else {
                    pct(l.percent)
                },
                width: if l.total == 0 {
                    0
                } else {
                    (l.percent * 3.0).round() as i64
                },
                ok: l.total == 0 || l.percent >= f64::from(target),
            })
            .collect();
        Ok(Self {
            target,
            target_x: i64::from(target) * 3,
            bars,
        })
    }

    pub fn height(&self) -> usize {
        self.bars.len() * 40 + 30
    }
}

#[derive(Template)]
#[template(path = "reports/sla.html")]
struct Page {
    layout: Layout,
    from: String,
    to: String,
    chart: SlaChart,
    lines: Vec<Line>,
    csv: String,
}

/// `2026-10` as `ottobre 2026` (as it is, if it is not a month).
fn month_words(m: &str) -> String {
    m.split_once('-')
        .and_then(|(y, mo)| {
            Some(kernel::time::display_month(
                y.parse().ok()?,
                mo.parse().ok()?,
            ))
        })
        .unwrap_or_else(|| m.to_owned())
}

/// A percentage the Italian way: `92,5%`.
pub fn pct(p: f64) -> String {
    format!("{p:.1}").replace('.', ",") + "%"
}

pub async fn sla(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (from, to, _) = period(raw.as_deref())?;
    let actor = sess.actor();
    let chart = SlaChart::of(&s, &actor, from, to).await?;
    let target = chart.target;
    let lines = store::sla_breakdown(&s.db, &actor, from, to, s.clock.now())
        .await?
        .into_iter()
        .map(|r| Line {
            percent: if r.total == 0 {
                "–".into()
            } else {
                pct(r.percent())
            },
            ok: r.percent() >= f64::from(target),
            month: month_words(&r.month),
            entity: r.entity_name,
            priority: r.priority.label(),
            total: r.total,
            met: r.met,
            pending: r.pending,
        })
        .collect();
    Ok(ok(&Page {
        layout: Layout::new(&s, Some(&sess), "Rispetto degli SLA", "reports"),
        from: from.to_string(),
        to: to.to_string(),
        chart,
        lines,
        csv: format!("/reports/sla.csv?from={from}&to={to}"),
    }))
}

/// A CSV field, quoted when it needs to be.
pub async fn sla_csv(
    State(s): State<AppState>,
    PageStaff(sess): PageStaff,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let (from, to, _) = period(raw.as_deref())?;
    let rows = store::sla_breakdown(&s.db, &sess.actor(), from, to, s.clock.now()).await?;
    let mut out = kernel::csv::CsvWriter::new(&[
        "month",
        "entity_id",
        "entity",
        "priority",
        "total",
        "met",
        "pending",
        "percent",
    ]);
    for r in rows {
        out.row([
            r.month.clone(),
            r.entity_id.to_string(),
            r.entity_name.clone(),
            r.priority.as_str().to_owned(),
            r.total.to_string(),
            r.met.to_string(),
            r.pending.to_string(),
            format!("{:.1}", r.percent()),
        ]);
    }
    let out = out.finish();
    Ok(crate::pages::list::csv_download(
        &format!("sla-{from}-{to}.csv"),
        out,
    ))
}
