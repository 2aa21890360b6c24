//! The yearly needs form (seed 003): an administrator opens next year's campaign with a
//! deadline; every entity with an agreement in force gets its form (and an e-mail, and
//! reminders before the deadline while it has not answered); the contact answers for the
//! services the entity has and for the catalogue, saves a draft, sends it; the centre reads the
//! aggregate per service priced with next year's list, and turns a sent form into activation
//! requests, quantity changes and deactivations in one transaction.

use std::collections::HashMap;

use catalog::fees::{self, QuoteInput};

use super::services::{change_quantity_in, deactivate_in};
use super::*;
use crate::needs::{self, Answer, ServiceNeed};

mod answers;
mod centre;
mod mail_out;
mod process;

pub use answers::save;
pub use centre::{forms, own_forms, summary, FormQuery, FormRow, Summary};
pub use mail_out::remind;
pub use process::{process, Processed};

/// The longest notes a form keeps.
pub const MAX_FORM_NOTES: usize = 4_000;
/// The most lines a form takes (the whole catalogue is a few dozen services).
pub const MAX_LINES: usize = 500;

/// A year's campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Campaign {
    pub id: i64,
    pub year: i32,
    pub deadline: NaiveDate,
    pub opened_by: String,
    pub opened_at: String,
    /// Forms sent (one per entity), and how many were submitted (or processed).
    pub forms: i64,
    pub submitted: i64,
}

/// Where a form is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormState {
    /// Sent to the entity, not yet touched.
    Sent,
    Draft,
    Submitted,
    /// Turned into requests and changes: closed.
    Processed,
}

impl FormState {
    pub fn code(self) -> &'static str {
        match self {
            FormState::Sent => "sent",
            FormState::Draft => "draft",
            FormState::Submitted => "submitted",
            FormState::Processed => "processed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "sent" => FormState::Sent,
            "draft" => FormState::Draft,
            "submitted" => FormState::Submitted,
            "processed" => FormState::Processed,
            _ => return None,
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            FormState::Sent => "da compilare",
            FormState::Draft => "bozza",
            FormState::Submitted => "inviata",
            FormState::Processed => "elaborata",
        }
    }
    /// The entity has answered.
    pub fn answered(self) -> bool {
        matches!(self, FormState::Submitted | FormState::Processed)
    }
}

/// One answered line of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormLine {
    pub service: String,
    pub item: String,
    pub answer: Answer,
    /// Wanted next year (0: stop, no).
    pub quantity: u32,
    /// What the entity had when it answered (0: not active).
    pub current_quantity: u32,
    pub active_service_id: Option<i64>,
    pub activation_date: Option<NaiveDate>,
}

/// An entity's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Form {
    pub id: i64,
    pub campaign_id: i64,
    pub year: i32,
    pub deadline: NaiveDate,
    pub entity_id: i64,
    pub entity_name: String,
    pub state: FormState,
    pub notes: String,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<String>,
    pub processed_at: Option<String>,
    pub version: i64,
    pub lines: Vec<FormLine>,
}

/// A line as the entity answers it.
#[derive(Debug, Clone)]
pub struct LineDraft {
    pub service: String,
    /// `None`: the service's item the entity has, or the main item.
    pub item: Option<String>,
    pub answer: Answer,
    /// Renew: the current quantity when absent; interested: 1 when absent.
    pub quantity: Option<u32>,
}

/// A form as saved.
#[derive(Debug, Clone, Default)]
pub struct FormDraft {
    pub lines: Vec<LineDraft>,
    pub notes: String,
    pub submitted: bool,
    pub version: Option<i64>,
}

fn first_of(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()
}

fn admin(actor: &Actor) -> Result<(), DeliveryError> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(DeliveryError::AdminOnly)
    }
}

fn needs_event(
    actor: &Actor,
    object_type: &str,
    id: i64,
    action: &str,
    entity_id: Option<i64>,
    after: Option<String>,
) -> AuditEvent {
    AuditEvent {
        actor: actor.label.clone(),
        action: action.into(),
        object_type: object_type.into(),
        object_id: id.to_string(),
        entity_id,
        before: None,
        after,
    }
}

/// The entities that get a campaign's form: an agreement in force on `today` or on the first
/// day of the year.
fn eligible_sql() -> String {
    format!(
        "SELECT e.id FROM entities e WHERE EXISTS (SELECT 1 FROM agreements a WHERE a.entity_id = e.id \
         AND (({}) OR ({}))) ORDER BY e.id",
        catalog::store::agreements::in_force_sql("$1"),
        catalog::store::agreements::in_force_sql("$2"),
    )
}

/// Opens the needs campaign of `year` (administrators): every entity with an agreement in
/// force gets its form and an e-mail, in one transaction.
pub async fn open(
    db: &Db,
    actor: &Actor,
    year: i32,
    deadline: NaiveDate,
    today: NaiveDate,
) -> Result<Campaign, DeliveryError> {
    admin(actor)?;
    let mut wrong = vec![];
    if !(today.year()..=today.year() + 1).contains(&year) {
        wrong.push(kernel::FieldError::new(
            "year",
            format!(
                "la campagna è per quest'anno o per il prossimo ({} o {})",
                today.year(),
                today.year() + 1
            ),
        ));
    }
    if deadline < today {
        wrong.push(kernel::FieldError::new(
            "deadline",
            "la scadenza è già passata",
        ));
    } else if deadline.year() > year {
        wrong.push(kernel::FieldError::new(
            "deadline",
            format!("la scadenza va fissata entro il {year}"),
        ));
    }
    if !wrong.is_empty() {
        return Err(DeliveryError::Invalid(wrong));
    }
    let mut tx = db.write().await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM needs_campaigns WHERE year = $1")
        .bind(i64::from(year))
        .fetch_optional(tx.conn())
        .await?;
    if taken.is_some() {
        return Err(DeliveryError::Closed(format!(
            "la campagna dei fabbisogni {year} è già aperta"
        )));
    }
    let now = kernel::time::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO needs_campaigns (year, deadline, opened_by, opened_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(i64::from(year))
    .bind(deadline.to_string())
    .bind(&actor.label)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    let entities: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(eligible_sql()))
        .bind(today.to_string())
        .bind(first_of(year).to_string())
        .fetch_all(tx.conn())
        .await?;
    for e in &entities {
        sqlx::query(
            "INSERT INTO needs_forms (campaign_id, entity_id, state) VALUES ($1, $2, 'sent')",
        )
        .bind(id)
        .bind(e)
        .execute(tx.conn())
        .await?;
        mail_out::invite(&mut tx, id, year, deadline, *e, false).await?;
    }
    let c = Campaign {
        id,
        year,
        deadline,
        opened_by: actor.label.clone(),
        opened_at: now,
        forms: entities.len() as i64,
        submitted: 0,
    };
    audit::append(
        &mut tx,
        needs_event(
            actor,
            "needs_campaign",
            id,
            "create",
            None,
            serde_json::to_string(&c).ok(),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

const CAMPAIGN_COLS: &str = "c.id, c.year, c.deadline, c.opened_by, c.opened_at, \
    (SELECT COUNT(*) FROM needs_forms f WHERE f.campaign_id = c.id), \
    (SELECT COUNT(*) FROM needs_forms f WHERE f.campaign_id = c.id AND f.state IN ('submitted', 'processed'))";

fn campaign_row(r: &sqlx::any::AnyRow) -> Result<Campaign, sqlx::Error> {
    Ok(Campaign {
        id: r.try_get(0)?,
        year: i32::try_from(r.try_get::<i64, _>(1)?).unwrap_or(0),
        deadline: date(r.try_get(2)?)?.unwrap_or_default(),
        opened_by: r.try_get(3)?,
        opened_at: r.try_get(4)?,
        forms: r.try_get(5)?,
        submitted: r.try_get(6)?,
    })
}

/// The campaigns the actor may see, newest year first: all for staff; for a contact those
/// where one of their entities has a form.
pub async fn campaigns(db: &Db, actor: &Actor) -> Result<Vec<Campaign>, DeliveryError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CAMPAIGN_COLS} FROM needs_campaigns c WHERE $1 = 0 OR EXISTS (SELECT 1 FROM \
         needs_forms f WHERE f.campaign_id = c.id AND {}) ORDER BY c.year DESC",
        db::entities_in_scope!("f.entity_id", "$1")
    )))
    .bind(actor.scope_param())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| campaign_row(r).map_err(DeliveryError::from))
        .collect()
}

/// One campaign the actor may see.
pub async fn campaign(db: &Db, actor: &Actor, id: i64) -> Result<Campaign, DeliveryError> {
    campaigns(db, actor)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(DeliveryError::CampaignNotFound)
}

fn line_row(r: &sqlx::any::AnyRow) -> Result<FormLine, sqlx::Error> {
    let answer: String = r.try_get(2)?;
    Ok(FormLine {
        service: r.try_get(0)?,
        item: r.try_get(1)?,
        answer: Answer::parse(&answer).ok_or_else(|| {
            sqlx::Error::Decode(format!("risposta «{answer}» sconosciuta").into())
        })?,
        quantity: u32::try_from(r.try_get::<i64, _>(3)?).unwrap_or(0),
        current_quantity: u32::try_from(r.try_get::<i64, _>(4)?).unwrap_or(0),
        active_service_id: r.try_get(5)?,
        activation_date: date(r.try_get(6)?)?,
    })
}

async fn read_form(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    campaign_id: i64,
    entity_id: i64,
) -> Result<Form, DeliveryError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT f.id, f.campaign_id, c.year, c.deadline, f.entity_id, e.name, f.state, f.notes, \
         f.updated_by, f.updated_at, f.submitted_by, f.submitted_at, f.processed_at, f.version \
         FROM needs_forms f JOIN needs_campaigns c ON c.id = f.campaign_id \
         JOIN entities e ON e.id = f.entity_id \
         WHERE f.campaign_id = $2 AND f.entity_id = $3 AND {}",
        db::entities_in_scope!("f.entity_id", "$1")
    )))
    .bind(actor.scope_param())
    .bind(campaign_id)
    .bind(entity_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(DeliveryError::FormNotFound)?;
    let id: i64 = row.try_get(0)?;
    let state: String = row.try_get(6)?;
    let lines = sqlx::query(
        "SELECT service_code, item_code, answer, quantity, current_quantity, active_service_id, \
         activation_date FROM needs_lines WHERE form_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(line_row)
    .collect::<Result<Vec<_>, _>>()?;
    Ok(Form {
        id,
        campaign_id: row.try_get(1)?,
        year: i32::try_from(row.try_get::<i64, _>(2)?).unwrap_or(0),
        deadline: date(row.try_get(3)?)?.unwrap_or_default(),
        entity_id: row.try_get(4)?,
        entity_name: row.try_get(5)?,
        state: FormState::parse(&state)
            .ok_or_else(|| sqlx::Error::Decode(format!("stato «{state}» sconosciuto").into()))?,
        notes: row.try_get(7)?,
        updated_by: row.try_get(8)?,
        updated_at: row.try_get(9)?,
        submitted_by: row.try_get(10)?,
        submitted_at: row.try_get(11)?,
        processed_at: row.try_get(12)?,
        version: row.try_get(13)?,
        lines,
    })
}

/// An entity's form in a campaign (not found out of scope, or without a form).
pub async fn form(
    db: &Db,
    actor: &Actor,
    campaign_id: i64,
    entity_id: i64,
) -> Result<Form, DeliveryError> {
    let mut conn = db.pool().acquire().await?;
    read_form(&mut conn, actor, campaign_id, entity_id).await
}

/// The services the entity has that run on (end date not set): what the form asks to renew
/// or stop. A quantity change already planned for next year shows as its new period.
async fn running_services(
    conn: &mut sqlx::AnyConnection,
    entity_id: i64,
) -> Result<Vec<ActiveService>, DeliveryError> {
    let rows = sqlx::query(
        "SELECT id, service_code, item_code, quantity, activation_date FROM active_services \
         WHERE entity_id = $1 AND end_date IS NULL ORDER BY service_code, item_code, id",
    )
    .bind(entity_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let activation = date(r.try_get(4)?)?.unwrap_or_default();
            Ok(ActiveService {
                id: r.try_get(0)?,
                entity_id,
                service: r.try_get(1)?,
                item: r.try_get(2)?,
                quantity: u32::try_from(r.try_get::<i64, _>(3)?).unwrap_or(0),
                activation_date: activation,
                from_date: activation,
                end_date: None,
                price_list_id: 0,
                request_id: None,
                previous_id: None,
                version: 0,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(DeliveryError::from)
}

/// What a form offers: the services the entity has, and the active catalogue services
/// (code, name) it does not have.
#[derive(Debug, Clone, Serialize)]
pub struct Offer {
    pub active: Vec<ActiveService>,
    pub catalogue: Vec<(String, String)>,
}

pub async fn offer(
    db: &Db,
    actor: &Actor,
    campaign_id: i64,
    entity_id: i64,
) -> Result<Offer, DeliveryError> {
    let mut conn = db.pool().acquire().await?;
    read_form(&mut conn, actor, campaign_id, entity_id).await?;
    let active = running_services(&mut conn, entity_id).await?;
    let rows = sqlx::query("SELECT code, name FROM services WHERE active = 1 ORDER BY code")
        .fetch_all(&mut *conn)
        .await?;
    let catalogue = rows
        .iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?
        .into_iter()
        .filter(|(c, _)| !active.iter().any(|a| &a.service == c))
        .collect();
    Ok(Offer { active, catalogue })
}
