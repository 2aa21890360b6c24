//! An office's weekly timetable published as dated slots for a span of days, skipping the days
//! the entity's calendar closes (holidays, the patron's day, closures) and the slots already
//! there.

use chrono::NaiveDate;
use db::Db;
use kernel::{Actor, FieldError};
use serde::Serialize;
use serde_json::json;

use crate::slots::{expand, Opening};
use crate::store::{audit_event, line, manager, stored, About};
use crate::PortalError;

/// The longest span published at once.
pub const MAX_DAYS: i64 = 366;
/// The most slots published at once.
pub const MAX_SLOTS: usize = 5_000;

#[derive(Debug, Clone, Default)]
pub struct WeeklyDraft {
    pub entity_id: i64,
    pub office: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub openings: Vec<Opening>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Published {
    /// Slots made.
    pub created: u64,
    /// Slots that were already there (left as they are).
    pub existing: u64,
    /// Days skipped because the entity's calendar closes them.
    pub closed_days: Vec<String>,
}

pub async fn publish_weekly(
    db: &Db,
    actor: &Actor,
    d: &WeeklyDraft,
) -> Result<Published, PortalError> {
    members::store::get(db, actor, d.entity_id).await?;
    manager(actor)?;
    let mut wrong = vec![];
    let office = line(&mut wrong, "office", &d.office, 100, "indicare l'ufficio");
    match (d.from, d.to) {
        (Some(f), Some(t)) if t < f => {
            wrong.push(FieldError::new("to", "l'ultimo giorno viene dopo il primo"))
        }
        (Some(f), Some(t)) if (t - f).num_days() >= MAX_DAYS => {
            wrong.push(FieldError::new("to", "al massimo un anno alla volta"))
        }
        (Some(_), Some(_)) => {}
        _ => wrong.push(FieldError::new(
            "from",
            "indicare il primo e l'ultimo giorno (AAAA-MM-GG)",
        )),
    }
    if d.openings.is_empty() || d.openings.len() > 50 {
        wrong.push(FieldError::new(
            "openings",
            "indicare da 1 a 50 aperture settimanali",
        ));
    }
    for (i, o) in d.openings.iter().enumerate() {
        if o.end <= o.start {
            wrong.push(FieldError::new(
                &format!("openings[{i}].end"),
                "la chiusura viene dopo l'apertura",
            ));
        }
        if !(5..=480).contains(&o.minutes) {
            wrong.push(FieldError::new(
                &format!("openings[{i}].minutes"),
                "la durata va da 5 a 480 minuti",
            ));
        }
        if !(1..=500).contains(&o.places) {
            wrong.push(FieldError::new(
                &format!("openings[{i}].places"),
                "i posti vanno da 1 a 500",
            ));
        }
    }
    if !wrong.is_empty() {
        return Err(PortalError::Invalid(wrong));
    }
    let (from, to) = (d.from.unwrap_or_default(), d.to.unwrap_or_default());
    let mut tx = db.write().await?;
    let calendar = helpdesk::store::calendar_for(tx.conn(), d.entity_id)
        .await
        .map_err(|e| PortalError::Closed(e.to_string()))?
        .calendar;
    let mut closed_days = vec![];
    let mut day = from;
    while day <= to {
        if calendar.is_closed(day) {
            closed_days.push(day.to_string());
        }
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    let slots = expand(&d.openings, from, to, |day| !calendar.is_closed(day));
    if slots.len() > MAX_SLOTS {
        return Err(PortalError::field(
            "openings",
            format!(
                "sarebbero {} fasce: al massimo {} alla volta (accorciare il periodo o allungare le fasce)",
                kernel::money::thousands(slots.len() as u64),
                kernel::money::thousands(MAX_SLOTS as u64)
            ),
        ));
    }
    sqlx::query(
        "INSERT INTO portal_offices (entity_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(d.entity_id)
    .bind(&office)
    .execute(tx.conn())
    .await?;
    let office_id: i64 =
        sqlx::query_scalar("SELECT id FROM portal_offices WHERE entity_id = $1 AND name = $2")
            .bind(d.entity_id)
            .bind(&office)
            .fetch_one(tx.conn())
            .await?;
    let now = kernel::time::now();
    let mut created = 0;
    for s in &slots {
        let made = sqlx::query(
            "INSERT INTO appointment_slots (entity_id, office_id, starts_at, minutes, places, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(d.entity_id)
        .bind(office_id)
        .bind(stored(s.starts_at))
        .bind(i64::from(s.minutes))
        .bind(i64::from(s.places))
        .bind(&now)
        .execute(tx.conn())
        .await?;
        created += made.rows_affected();
    }
    audit_event(
        &mut tx,
        actor,
        About {
            action: "publish",
            object: "appointment_slot",
            id: office_id,
            entity_id: d.entity_id,
        },
        None,
        Some(
            json!({"office": office, "from": from.to_string(), "to": to.to_string(),
                    "created": created}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Published {
        created,
        existing: slots.len() as u64 - created,
        closed_days,
    })
}
