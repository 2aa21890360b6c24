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

mod mail_out;
pub use mail_out::remind;

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

/// Checks a form's lines against what the entity has and the catalogue: the lines to store,
/// with every active service answered (those left out are renewed as they are).
async fn lines_of(
    conn: &mut sqlx::AnyConnection,
    entity_id: i64,
    drafts: &[LineDraft],
) -> Result<Vec<FormLine>, DeliveryError> {
    let active = running_services(conn, entity_id).await?;
    let catalogue: HashMap<String, i64> = sqlx::query("SELECT code, active FROM services")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    if drafts.len() > MAX_LINES {
        return Err(DeliveryError::field(
            "lines",
            format!("al massimo {MAX_LINES} righe"),
        ));
    }
    let mut wrong = vec![];
    let mut used = vec![false; active.len()];
    let mut out: Vec<FormLine> = vec![];
    for (i, d) in drafts.iter().enumerate() {
        let at = |f: &str| format!("lines[{i}].{f}");
        let service = d.service.trim().to_uppercase();
        let item = d.item.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if !catalogue.contains_key(&service) {
            wrong.push(kernel::FieldError::new(
                &at("service"),
                format!("il servizio «{}» non è nel catalogo", d.service.trim()),
            ));
            continue;
        }
        if d.quantity.is_some_and(|q| q > quotes::MAX_QUANTITY) {
            wrong.push(kernel::FieldError::new(
                &at("quantity"),
                "la quantità va da 0 a 1.000.000",
            ));
            continue;
        }
        let has = active
            .iter()
            .enumerate()
            .find(|(k, a)| !used[*k] && a.service == service && item.is_none_or(|it| a.item == it));
        if d.answer.for_active() {
            let Some((k, a)) = has else {
                wrong.push(kernel::FieldError::new(
                    &at("answer"),
                    format!(
                        "l'ente non ha {service}{}: si può rinnovare o cessare solo un servizio attivo (per uno nuovo: interested)",
                        item.map(|i| format!(" «{i}»")).unwrap_or_default()
                    ),
                ));
                continue;
            };
            used[k] = true;
            let quantity = match d.answer {
                Answer::Stop => 0,
                _ => d.quantity.unwrap_or(a.quantity),
            };
            if d.answer == Answer::Renew && quantity == 0 {
                wrong.push(kernel::FieldError::new(
                    &at("quantity"),
                    "per rinnovare serve almeno 1 (per lasciare il servizio: stop)",
                ));
                continue;
            }
            out.push(FormLine {
                service: a.service.clone(),
                item: a.item.clone(),
                answer: d.answer,
                quantity,
                current_quantity: a.quantity,
                active_service_id: Some(a.id),
                activation_date: Some(a.activation_date),
            });
        } else {
            if has.is_some()
                || active
                    .iter()
                    .any(|a| a.service == service && item.is_none())
            {
                wrong.push(kernel::FieldError::new(
                    &at("answer"),
                    format!("l'ente ha già {service}: rinnovarlo (renew, anche con un'altra quantità) o cessarlo (stop)"),
                ));
                continue;
            }
            if d.answer == Answer::Interested && catalogue.get(&service) != Some(&1) {
                wrong.push(kernel::FieldError::new(
                    &at("service"),
                    format!("il servizio {service} non è più offerto"),
                ));
                continue;
            }
            let quantity = match d.answer {
                Answer::No => 0,
                _ => d.quantity.unwrap_or(1),
            };
            if d.answer == Answer::Interested && quantity == 0 {
                wrong.push(kernel::FieldError::new(
                    &at("quantity"),
                    "indicare almeno 1 (se non serve: no)",
                ));
                continue;
            }
            if out.iter().any(|l| {
                l.service == service && l.item == item.unwrap_or("") && !l.answer.for_active()
            }) {
                wrong.push(kernel::FieldError::new(
                    &at("service"),
                    format!("{service} compare due volte"),
                ));
                continue;
            }
            out.push(FormLine {
                service,
                item: item.unwrap_or("").to_owned(),
                answer: d.answer,
                quantity,
                current_quantity: 0,
                active_service_id: None,
                activation_date: None,
            });
        }
    }
    if !wrong.is_empty() {
        return Err(DeliveryError::Invalid(wrong));
    }
    // What was not answered is renewed as it is.
    for (k, a) in active.iter().enumerate() {
        if !used[k] {
            out.push(FormLine {
                service: a.service.clone(),
                item: a.item.clone(),
                answer: Answer::Renew,
                quantity: a.quantity,
                current_quantity: a.quantity,
                active_service_id: Some(a.id),
                activation_date: Some(a.activation_date),
            });
        }
    }
    Ok(out)
}

/// Saves an entity's form as a draft or sends it (`submitted`): a contact for their entity
/// until the deadline, staff at any time (a form on paper); never once processed.
pub async fn save(
    db: &Db,
    actor: &Actor,
    campaign_id: i64,
    entity_id: i64,
    draft: &FormDraft,
    today: NaiveDate,
) -> Result<Form, DeliveryError> {
    let mut tx = db.write().await?;
    // Not found out of scope, whoever asks; then suppliers are refused.
    let before = read_form(tx.conn(), actor, campaign_id, entity_id).await?;
    if actor.role == Role::Supplier {
        return Err(DeliveryError::NotForSuppliers);
    }
    if before.state == FormState::Processed {
        return Err(DeliveryError::Closed(
            "la scheda è già stata elaborata dal centro servizi: non si modifica più".into(),
        ));
    }
    if !actor.is_staff() && today > before.deadline {
        return Err(DeliveryError::Closed(format!(
            "il termine per la scheda è scaduto il {}: per correggerla scrivere al centro servizi",
            kernel::time::display_date(before.deadline)
        )));
    }
    if draft.version.is_some_and(|v| v != before.version) {
        return Err(DeliveryError::Catalog(catalog::CatalogError::Conflict));
    }
    if draft.notes.chars().count() > MAX_FORM_NOTES {
        return Err(DeliveryError::field(
            "notes",
            format!("al massimo {MAX_FORM_NOTES} caratteri"),
        ));
    }
    let lines = lines_of(tx.conn(), entity_id, &draft.lines).await?;
    sqlx::query("DELETE FROM needs_lines WHERE form_id = $1")
        .bind(before.id)
        .execute(tx.conn())
        .await?;
    for l in &lines {
        sqlx::query(
            "INSERT INTO needs_lines (form_id, campaign_id, service_code, item_code, answer, \
             quantity, current_quantity, active_service_id, activation_date) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(before.id)
        .bind(campaign_id)
        .bind(&l.service)
        .bind(&l.item)
        .bind(l.answer.code())
        .bind(i64::from(l.quantity))
        .bind(i64::from(l.current_quantity))
        .bind(l.active_service_id)
        .bind(l.activation_date.map(|d| d.to_string()))
        .execute(tx.conn())
        .await?;
    }
    let now = kernel::time::now();
    let state = if draft.submitted {
        FormState::Submitted
    } else {
        FormState::Draft
    };
    sqlx::query(
        "UPDATE needs_forms SET state = $1, notes = $2, updated_by = $3, updated_at = $4, \
         submitted_by = CASE WHEN $1 = 'submitted' THEN $3 ELSE NULL END, \
         submitted_at = CASE WHEN $1 = 'submitted' THEN $4 ELSE NULL END, \
         version = version + 1 WHERE id = $5",
    )
    .bind(state.code())
    .bind(draft.notes.trim())
    .bind(&actor.label)
    .bind(&now)
    .bind(before.id)
    .execute(tx.conn())
    .await?;
    let after = read_form(tx.conn(), actor, campaign_id, entity_id).await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: if draft.submitted { "submit" } else { "update" }.into(),
            object_type: "needs_form".into(),
            object_id: after.id.to_string(),
            entity_id: Some(entity_id),
            before: serde_json::to_string(&before).ok(),
            after: serde_json::to_string(&after).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// An entity's form as the centre's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormRow {
    pub entity_id: i64,
    pub entity_name: String,
    pub state: FormState,
    pub submitted_at: Option<String>,
    pub notes: String,
}

/// The forms of a campaign of the entities the actor may see (a contact's own), by name.
pub async fn own_forms(
    db: &Db,
    actor: &Actor,
    campaign_id: i64,
) -> Result<Vec<FormRow>, DeliveryError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT f.entity_id, e.name, f.state, f.submitted_at, f.notes FROM needs_forms f \
         JOIN entities e ON e.id = f.entity_id WHERE f.campaign_id = $2 AND {} \
         ORDER BY e.name, e.id LIMIT 100",
        db::entities_in_scope!("f.entity_id", "$1")
    )))
    .bind(actor.scope_param())
    .bind(campaign_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let state: String = r.try_get(2)?;
            Ok(FormRow {
                entity_id: r.try_get(0)?,
                entity_name: r.try_get(1)?,
                state: FormState::parse(&state).unwrap_or(FormState::Sent),
                submitted_at: r.try_get(3)?,
                notes: r.try_get(4)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(DeliveryError::from)
}

/// Which forms of a campaign to list.
#[derive(Debug, Clone, Default)]
pub struct FormQuery {
    pub state: Option<FormState>,
    /// Part of the entity's name.
    pub q: String,
    pub offset: i64,
    /// 0: all.
    pub limit: i64,
}

/// The forms of a campaign (staff), by entity name, with how many match.
pub async fn forms(
    db: &Db,
    actor: &Actor,
    campaign_id: i64,
    query: &FormQuery,
) -> Result<(Vec<FormRow>, i64), DeliveryError> {
    staff(actor)?;
    campaign(db, actor, campaign_id).await?;
    let pattern = helpdesk::store::like_pattern(query.q.trim());
    let state = query.state.map_or("", FormState::code);
    const WHERE: &str =
        "f.campaign_id = $1 AND ($2 = '' OR f.state = $2) AND LOWER(e.name) LIKE $3 ESCAPE '\\'";
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM needs_forms f JOIN entities e ON e.id = f.entity_id WHERE {WHERE}"
    )))
    .bind(campaign_id)
    .bind(state)
    .bind(&pattern)
    .fetch_one(db.pool())
    .await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT f.entity_id, e.name, f.state, f.submitted_at, f.notes FROM needs_forms f \
         JOIN entities e ON e.id = f.entity_id WHERE {WHERE} ORDER BY e.name, e.id \
         LIMIT $4 OFFSET $5"
    )))
    .bind(campaign_id)
    .bind(state)
    .bind(&pattern)
    .bind(if query.limit > 0 {
        query.limit
    } else {
        i64::MAX
    })
    .bind(query.offset.max(0))
    .fetch_all(db.pool())
    .await?;
    let rows = rows
        .iter()
        .map(|r| {
            let state: String = r.try_get(2)?;
            Ok(FormRow {
                entity_id: r.try_get(0)?,
                entity_name: r.try_get(1)?,
                state: FormState::parse(&state).unwrap_or(FormState::Sent),
                submitted_at: r.try_get(3)?,
                notes: r.try_get(4)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((rows, total))
}

/// The centre's view of a campaign: who answered and the aggregate per service.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub campaign: Campaign,
    /// The list next year's amounts come from (none: the amounts are zero and say so).
    pub price_list: Option<String>,
    /// Forms per state: sent (untouched), draft, submitted, processed.
    pub states: Vec<(FormState, i64)>,
    /// Per service, with the service's name.
    pub services: Vec<(ServiceNeed, String)>,
}

/// The aggregate of the answered forms (sent or processed) of a campaign (staff): the counts
/// per service in one grouped read, and the wanted lines grouped by what their price depends
/// on (service, item, quantity, activation date, and the population for services with a
/// per-inhabitant item), each group priced once with next year's list: the same figures as
/// [`needs::aggregate`] over the lines one by one (a test checks it).
pub async fn summary(db: &Db, actor: &Actor, campaign_id: i64) -> Result<Summary, DeliveryError> {
    staff(actor)?;
    let campaign = campaign(db, actor, campaign_id).await?;
    let year = campaign.year;
    let list = catalog::store::price_lists::on(db, first_of(year))
        .await
        .ok();
    // The counts per service, in one grouped read.
    const ANSWERED: &str = "FROM needs_lines l JOIN needs_forms f ON f.id = l.form_id \
        WHERE l.campaign_id = $1 AND f.state IN ('submitted', 'processed')";
    const WANTED: &str = "l.answer IN ('renew', 'interested') AND l.quantity > 0";
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT l.service_code, \
           COUNT(DISTINCT CASE WHEN {WANTED} THEN f.entity_id END), \
           CAST(COALESCE(SUM(CASE WHEN {WANTED} THEN l.quantity ELSE 0 END), 0) AS BIGINT), \
           COUNT(DISTINCT CASE WHEN l.current_quantity > 0 THEN f.entity_id END), \
           CAST(COALESCE(SUM(l.current_quantity), 0) AS BIGINT), \
           COUNT(DISTINCT CASE WHEN l.answer = 'stop' THEN f.entity_id END), \
           COUNT(DISTINCT CASE WHEN l.answer = 'interested' AND l.quantity > 0 THEN f.entity_id END) \
         {ANSWERED} GROUP BY l.service_code"
    )))
    .bind(campaign_id)
    .fetch_all(db.pool())
    .await?;
    let n = |r: &sqlx::any::AnyRow, i: usize| -> Result<u64, sqlx::Error> {
        Ok(u64::try_from(r.try_get::<i64, _>(i)?).unwrap_or(0))
    };
    let counts = rows
        .iter()
        .map(|r| {
            Ok(needs::ServiceCounts {
                service: r.try_get(0)?,
                entities: n(r, 1)?,
                quantity: n(r, 2)?,
                current_entities: n(r, 3)?,
                current_quantity: n(r, 4)?,
                stopping: n(r, 5)?,
                new_entities: n(r, 6)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    // The wanted lines grouped by what their price depends on: the population only for the
    // services with a per-inhabitant item (bound one by one: codes are data).
    let mut priced = vec![];
    if let Some(l) = &list {
        let mut by_population: Vec<&str> = l
            .list
            .items
            .iter()
            .filter(|i| i.uses_population())
            .map(|i| i.service.as_str())
            .collect();
        by_population.sort_unstable();
        by_population.dedup();
        let marks = (0..by_population.len())
            .map(|k| format!("${}", k + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let population = if by_population.is_empty() {
            "NULL".to_owned()
        } else {
            format!("CASE WHEN l.service_code IN ({marks}) THEN e.population END")
        };
        let sql = format!(
            "SELECT l.service_code, l.item_code, l.quantity, l.activation_date, {population}, COUNT(*) \
             FROM needs_lines l JOIN needs_forms f ON f.id = l.form_id JOIN entities e ON e.id = f.entity_id \
             WHERE l.campaign_id = $1 AND f.state IN ('submitted', 'processed') AND {WANTED} \
             GROUP BY 1, 2, 3, 4, 5"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(campaign_id);
        for code in &by_population {
            q = q.bind(*code);
        }
        for r in q.fetch_all(db.pool()).await? {
            let service: String = r.try_get(0)?;
            let item: String = r.try_get(1)?;
            let quantity = u32::try_from(r.try_get::<i64, _>(2)?).unwrap_or(0);
            let activation = date(r.try_get(3)?)?.unwrap_or(first_of(year));
            let population = r
                .try_get::<Option<i64>, _>(4)?
                .and_then(|p| u32::try_from(p).ok());
            let amount = fees::quote(
                &l.list,
                &QuoteInput {
                    service: &service,
                    item: Some(item.as_str()).filter(|i| !i.is_empty()),
                    quantity,
                    population,
                    activation,
                    year,
                },
            )
            .ok()
            .map(|q| q.amount);
            priced.push(needs::PricedGroup {
                service,
                amount,
                lines: n(&r, 5)?,
            });
        }
    }
    let names: HashMap<String, String> = sqlx::query("SELECT code, name FROM services")
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    let services = needs::combine(counts, &priced)
        .into_iter()
        .map(|s| {
            let name = names.get(&s.service).cloned().unwrap_or_default();
            (s, name)
        })
        .collect();
    let counts = sqlx::query(
        "SELECT state, COUNT(*) FROM needs_forms WHERE campaign_id = $1 GROUP BY state",
    )
    .bind(campaign_id)
    .fetch_all(db.pool())
    .await?;
    let mut states: Vec<(FormState, i64)> = [
        FormState::Sent,
        FormState::Draft,
        FormState::Submitted,
        FormState::Processed,
    ]
    .into_iter()
    .map(|s| (s, 0))
    .collect();
    for r in &counts {
        let s: String = r.try_get(0)?;
        let n: i64 = r.try_get(1)?;
        if let Some(x) = states.iter_mut().find(|x| x.0.code() == s) {
            x.1 = n;
        }
    }
    Ok(Summary {
        campaign,
        price_list: list.map(|l| l.list.name),
        states,
        services,
    })
}

/// What processing a form did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Processed {
    /// Activation requests sent for the new services (to start on 1 January).
    pub requests: Vec<i64>,
    /// Services whose quantity changes from 1 January (the new periods).
    pub changed: Vec<i64>,
    /// Services stopped on 31 December.
    pub stopped: Vec<i64>,
}

/// Turns a sent form into what it asks (staff), in one transaction: an activation request
/// for each new service wanted (from 1 January of the year, priced with that year's list), a
/// quantity change for each renewal with another quantity, a deactivation on 31 December for
/// each service stopped. The form is then processed and closed.
pub async fn process(
    db: &Db,
    actor: &Actor,
    campaign_id: i64,
    entity_id: i64,
    today: NaiveDate,
) -> Result<(Form, Processed), DeliveryError> {
    staff(actor)?;
    let f = form(db, actor, campaign_id, entity_id).await?;
    if f.state != FormState::Submitted {
        return Err(DeliveryError::Closed(match f.state {
            FormState::Processed => "la scheda è già stata elaborata".to_owned(),
            _ => "la scheda non è ancora stata inviata dall'ente".to_owned(),
        }));
    }
    let start = first_of(f.year).max(today);
    let Some(last_day) = first_of(f.year).pred_opt() else {
        return Err(DeliveryError::field("year", "anno non valido"));
    };
    // The new services are priced before the transaction (the quote engine's reads).
    let mut wanted = vec![];
    for l in f
        .lines
        .iter()
        .filter(|l| l.answer == Answer::Interested && l.quantity > 0)
    {
        let draft = RequestDraft {
            entity_id,
            service: l.service.clone(),
            item: Some(l.item.clone()).filter(|i| !i.is_empty()),
            quantity: l.quantity,
            wanted_date: Some(start),
            notes: format!("Dalla scheda dei fabbisogni {}.", f.year),
        };
        let quote = super::price(db, actor, &draft, today).await?;
        wanted.push((draft, quote));
    }
    let mut tx = db.write().await?;
    // Nobody processed or changed it meanwhile.
    let again = read_form(tx.conn(), actor, campaign_id, entity_id).await?;
    if again.version != f.version {
        return Err(DeliveryError::Catalog(catalog::CatalogError::Conflict));
    }
    let mut done = Processed::default();
    for l in &f.lines {
        let Some(sid) = l.active_service_id else {
            continue;
        };
        let stale = |e: DeliveryError| {
            match e {
            DeliveryError::Invalid(_) => DeliveryError::Closed(format!(
                "il servizio {} dell'ente è cambiato dopo la scheda: controllarlo dalla pagina dell'ente",
                l.service
            )),
            other => other,
        }
        };
        match l.answer {
            Answer::Renew if l.quantity != l.current_quantity => {
                let n = change_quantity_in(&mut tx, actor, sid, l.quantity, start, None)
                    .await
                    .map_err(stale)?;
                done.changed.push(n.id);
            }
            Answer::Stop => {
                let n = deactivate_in(&mut tx, actor, sid, last_day.max(today), None)
                    .await
                    .map_err(stale)?;
                done.stopped.push(n.id);
            }
            _ => {}
        }
    }
    for (draft, quote) in &wanted {
        let r = super::insert(&mut tx, actor, draft, quote).await?;
        done.requests.push(r.id);
    }
    sqlx::query(
        "UPDATE needs_forms SET state = 'processed', processed_by = $1, processed_at = $2, \
         version = version + 1 WHERE id = $3",
    )
    .bind(&actor.label)
    .bind(kernel::time::now())
    .bind(f.id)
    .execute(tx.conn())
    .await?;
    let after = read_form(tx.conn(), actor, campaign_id, entity_id).await?;
    audit::append(
        &mut tx,
        needs_event(
            actor,
            "needs_form",
            f.id,
            "process",
            Some(entity_id),
            serde_json::to_string(&done).ok(),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((after, done))
}
