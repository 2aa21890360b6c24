//! The SQL of the help desk: calendars, the SLA policy, profiles, tickets and their states;
//! the thread in `store/thread.rs`, the SLA report in `store/report.rs`.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::calendar::{Calendar, Precomputed};
use kernel::{Actor, Role};
use serde::Serialize;
use sqlx::Row;

use crate::model::{ticket_number, Channel, NewTicket, Priority, State};
use crate::sla::SlaPolicy;
use crate::support::Profile;
use crate::HelpdeskError;

mod report;
mod thread;
pub use report::*;
pub use thread::*;

/// The calendar used when the centre has not chosen one.
pub const DEFAULT_CALENDAR: &str = "padova";

/// A calendar as stored, with what identifies its content.
#[derive(Debug, Clone)]
pub struct StoredCalendar {
    pub id: i64,
    pub version: i64,
    pub preset: String,
    pub calendar: Calendar,
}

/// The calendar of an entity: its own, else the centre's, else [`DEFAULT_CALENDAR`].
pub async fn calendar_for(
    conn: &mut sqlx::AnyConnection,
    entity_id: i64,
) -> Result<StoredCalendar, HelpdeskError> {
    let row = sqlx::query(
        "SELECT id, version, preset, calendar_json FROM calendars \
         WHERE owner = $1 OR owner = 'centre' ORDER BY CASE WHEN owner = 'centre' THEN 1 ELSE 0 END LIMIT 1",
    )
    .bind(format!("entity:{entity_id}"))
    .fetch_optional(conn)
    .await?;
    match row {
        Some(r) => {
            let json: String = r.try_get(3)?;
            Ok(StoredCalendar {
                id: r.try_get(0)?,
                version: r.try_get(1)?,
                preset: r.try_get(2)?,
                calendar: serde_json::from_str(&json)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            })
        }
        None => Ok(StoredCalendar {
            id: 0,
            version: 0,
            preset: DEFAULT_CALENDAR.into(),
            calendar: Calendar::preset(DEFAULT_CALENDAR)?,
        }),
    }
}

/// Sets the centre's calendar (`entity_id: None`) or an entity's own (admins only).
pub async fn set_calendar(
    db: &Db,
    actor: &Actor,
    entity_id: Option<i64>,
    preset: &str,
    calendar: &Calendar,
) -> Result<(), HelpdeskError> {
    if !actor.is_admin() {
        return Err(HelpdeskError::StaffOnly);
    }
    calendar.validate()?;
    if let Some(id) = entity_id {
        members::store::get(db, actor, id).await?;
    }
    let owner = entity_id.map_or_else(|| "centre".to_owned(), |id| format!("entity:{id}"));
    let json = serde_json::to_string(calendar).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let before: Option<String> =
        sqlx::query_scalar("SELECT calendar_json FROM calendars WHERE owner = $1")
            .bind(&owner)
            .fetch_optional(tx.conn())
            .await?;
    if before.is_some() {
        sqlx::query(
            "UPDATE calendars SET preset = $1, calendar_json = $2, version = version + 1, updated_at = $3 WHERE owner = $4",
        )
        .bind(preset)
        .bind(&json)
        .bind(&now)
        .bind(&owner)
        .execute(tx.conn())
        .await?;
    } else {
        sqlx::query(
            "INSERT INTO calendars (owner, entity_id, preset, calendar_json, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(&owner)
        .bind(entity_id)
        .bind(preset)
        .bind(&json)
        .bind(&now)
        .execute(tx.conn())
        .await?;
    }
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: if before.is_some() { "update" } else { "create" }.into(),
            object_type: "calendar".into(),
            object_id: owner,
            entity_id,
            before,
            after: Some(json),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Appends the audit record of a change to ticket `number` (of `entity_id`), in the caller's
/// transaction: every help-desk change is audited under the ticket it concerns.
pub(crate) async fn audit_ticket(
    tx: &mut db::WriteTx,
    actor: &str,
    action: impl Into<String>,
    number: &str,
    entity_id: i64,
    before: Option<String>,
    after: Option<String>,
) -> Result<(), HelpdeskError> {
    audit::append(
        tx,
        AuditEvent {
            actor: actor.to_owned(),
            action: action.into(),
            object_type: "ticket".into(),
            object_id: number.to_owned(),
            entity_id: Some(entity_id),
            before,
            after,
        },
    )
    .await?;
    Ok(())
}

/// An entity's support profile (MINIMAL when none was set).
pub async fn support_profile(
    conn: &mut sqlx::AnyConnection,
    entity_id: i64,
) -> Result<Profile, HelpdeskError> {
    let p: Option<String> =
        sqlx::query_scalar("SELECT profile FROM support_profiles WHERE entity_id = $1")
            .bind(entity_id)
            .fetch_optional(conn)
            .await?;
    Ok(p.as_deref()
        .and_then(Profile::parse)
        .unwrap_or(Profile::Minimal))
}

/// The support profile of an entity the actor may see.
pub async fn profile_of(db: &Db, actor: &Actor, entity_id: i64) -> Result<Profile, HelpdeskError> {
    members::store::get(db, actor, entity_id).await?;
    support_profile(&mut *db.pool().acquire().await?, entity_id).await
}

/// Sets an entity's support profile (admins), audited.
pub async fn set_support_profile(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    profile: Profile,
) -> Result<(), HelpdeskError> {
    if !actor.is_admin() {
        return Err(HelpdeskError::StaffOnly);
    }
    members::store::get(db, actor, entity_id).await?;
    let mut tx = db.write().await?;
    let before = support_profile(tx.conn(), entity_id).await?;
    sqlx::query(
        "INSERT INTO support_profiles (entity_id, profile, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (entity_id) DO UPDATE SET profile = $2, updated_at = $3",
    )
    .bind(entity_id)
    .bind(profile.as_str())
    .bind(kernel::time::now())
    .execute(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "update".into(),
            object_type: "support_profile".into(),
            object_id: entity_id.to_string(),
            entity_id: Some(entity_id),
            before: Some(before.as_str().into()),
            after: Some(profile.as_str().into()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The SLA policy chosen by the administrators (seed 001's when none was chosen).
pub async fn policy(db: &Db) -> Result<SlaPolicy, HelpdeskError> {
    let json: Option<String> =
        sqlx::query_scalar("SELECT value_json FROM helpdesk_settings WHERE key = 'sla_policy'")
            .fetch_optional(db.pool())
            .await?;
    Ok(match json {
        Some(j) => serde_json::from_str(&j).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        None => SlaPolicy::default(),
    })
}

/// Sets the SLA policy (admins), checked and audited. New tickets follow it; deadlines
/// already computed stay as they were promised.
pub async fn set_policy(db: &Db, actor: &Actor, p: &SlaPolicy) -> Result<(), HelpdeskError> {
    if !actor.is_admin() {
        return Err(HelpdeskError::StaffOnly);
    }
    p.validate().map_err(HelpdeskError::Invalid)?;
    let json = serde_json::to_string(p).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let before: Option<String> =
        sqlx::query_scalar("SELECT value_json FROM helpdesk_settings WHERE key = 'sla_policy'")
            .fetch_optional(tx.conn())
            .await?;
    sqlx::query(
        "INSERT INTO helpdesk_settings (key, value_json, updated_at) VALUES ('sla_policy', $1, $2) \
         ON CONFLICT (key) DO UPDATE SET value_json = $1, version = helpdesk_settings.version + 1, updated_at = $2",
    )
    .bind(&json)
    .bind(&now)
    .execute(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "update".into(),
            object_type: "sla_policy".into(),
            object_id: "centre".into(),
            entity_id: None,
            before,
            after: Some(json),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The stored calendar of the centre (`None`) or of an entity, if one was set.
pub async fn own_calendar(
    db: &Db,
    entity_id: Option<i64>,
) -> Result<Option<StoredCalendar>, HelpdeskError> {
    let owner = entity_id.map_or_else(|| "centre".to_owned(), |id| format!("entity:{id}"));
    let row =
        sqlx::query("SELECT id, version, preset, calendar_json FROM calendars WHERE owner = $1")
            .bind(owner)
            .fetch_optional(db.pool())
            .await?;
    row.map(|r| -> Result<StoredCalendar, HelpdeskError> {
        let json: String = r.try_get(3)?;
        Ok(StoredCalendar {
            id: r.try_get(0)?,
            version: r.try_get(1)?,
            preset: r.try_get(2)?,
            calendar: serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        })
    })
    .transpose()
}

/// Removes an entity's own calendar (admins): it follows the centre's again.
pub async fn clear_calendar(db: &Db, actor: &Actor, entity_id: i64) -> Result<(), HelpdeskError> {
    if !actor.is_admin() {
        return Err(HelpdeskError::StaffOnly);
    }
    members::store::get(db, actor, entity_id).await?;
    let owner = format!("entity:{entity_id}");
    let mut tx = db.write().await?;
    let before: Option<String> =
        sqlx::query_scalar("SELECT calendar_json FROM calendars WHERE owner = $1")
            .bind(&owner)
            .fetch_optional(tx.conn())
            .await?;
    if before.is_none() {
        return Ok(());
    }
    sqlx::query("DELETE FROM calendars WHERE owner = $1")
        .bind(&owner)
        .execute(tx.conn())
        .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "delete".into(),
            object_type: "calendar".into(),
            object_id: owner,
            entity_id: Some(entity_id),
            before,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

type LayoutCache = HashMap<(u64, i64, i64, String), Arc<Precomputed>>;

/// Laid-out calendars by (database, calendar id, version, preset): content never changes under
/// the same key, so entries are never stale.
static LAYOUTS: LazyLock<Mutex<LayoutCache>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// The calendar laid out around this year (cached).
fn layout(db: &Db, cal: &StoredCalendar) -> Result<Arc<Precomputed>, HelpdeskError> {
    let key = (db.instance(), cal.id, cal.version, cal.preset.clone());
    if let Some(l) = LAYOUTS.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(l);
    }
    let year = kernel::time::current_year();
    let l = Arc::new(Precomputed::new(&cal.calendar, year - 3, year + 7)?);
    if let Ok(mut c) = LAYOUTS.lock() {
        if c.len() > 1024 {
            c.clear();
        }
        c.insert(key, l.clone());
    }
    Ok(l)
}

/// `from` plus `d` of working time in the calendar (the layout, else the day-by-day walk).
fn add(
    db: &Db,
    cal: &StoredCalendar,
    from: DateTime<Utc>,
    d: chrono::Duration,
) -> Result<DateTime<Utc>, HelpdeskError> {
    layout(db, cal)?
        .add_working(from, d)
        .or_else(|| cal.calendar.add_working(from, d))
        .ok_or(HelpdeskError::Calendar(
            kernel::calendar::CalendarError::NeverOpen,
        ))
}

/// Working time between two instants in the calendar.
fn working(
    db: &Db,
    cal: &StoredCalendar,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<chrono::Duration, HelpdeskError> {
    let l = layout(db, cal)?;
    let (first, last) = l.years();
    let inside =
        |t: DateTime<Utc>| (first..=last).contains(&t.with_timezone(&kernel::time::ROME).year());
    Ok(if inside(from) && inside(to) {
        chrono::Duration::seconds(l.working_seconds_between(from.timestamp(), to.timestamp()))
    } else {
        cal.calendar.working_between(from, to)
    })
}

/// The take-charge and resolution deadlines of a ticket received at `received` with
/// `priority`, the resolution moved on by `paused` working time, in its calendar — with the
/// Saturday on-call window for an on-call ticket (walked day by day: the layout cache holds
/// only the calendars as stored).
fn deadlines(
    db: &Db,
    cal: &StoredCalendar,
    on_call: bool,
    policy: &SlaPolicy,
    priority: Priority,
    received: DateTime<Utc>,
    paused: chrono::Duration,
) -> Result<(DateTime<Utc>, Option<DateTime<Utc>>), HelpdeskError> {
    let on_call = on_call.then(|| crate::support::with_on_call(&cal.calendar));
    let due = |d: chrono::Duration| match &on_call {
        Some(c) => c.add_working(received, d).ok_or(HelpdeskError::Calendar(
            kernel::calendar::CalendarError::NeverOpen,
        )),
        None => add(db, cal, received, d),
    };
    Ok((
        due(policy.take_charge(priority))?,
        policy
            .resolution(priority)
            .map(|d| due(d + paused))
            .transpose()?,
    ))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ticket {
    pub id: i64,
    pub number: String,
    pub entity_id: i64,
    pub entity_name: String,
    pub subject: String,
    pub description: String,
    pub category: String,
    pub priority: Priority,
    pub channel: Channel,
    pub state: State,
    pub received_at: DateTime<Utc>,
    pub take_charge_due_at: DateTime<Utc>,
    pub taken_at: Option<DateTime<Utc>>,
    /// The operator who took charge.
    pub taken_by: Option<String>,
    pub created_by: String,
    pub version: i64,
    /// The resolution deadline, moved on by the working time spent waiting for the entity.
    pub resolution_due_at: Option<DateTime<Utc>>,
    /// Waiting for the entity since then (the resolution clock is paused).
    pub paused_since: Option<DateTime<Utc>>,
    /// Working seconds paused so far.
    pub paused_seconds: i64,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Where the acknowledgement, the take-charge notice and public replies are e-mailed.
    pub requester_email: String,
    /// Received through the Saturday on-call.
    pub on_call: bool,
    /// The last day on which the entity reopens it at no charge (set when resolved).
    pub warranty_until: Option<NaiveDate>,
    /// Times reopened within the warranty.
    pub reopen_count: i64,
}

const COLS: &str = "t.id, t.number, t.entity_id, e.name AS entity_name, t.subject, t.description, \
    t.category, t.priority, t.channel, t.state, t.received_at, t.take_charge_due_at, t.taken_at, \
    u.username AS taken_by, t.created_by, t.version, t.resolution_due_at, t.paused_since, \
    t.paused_seconds, t.resolved_at, t.requester_email, t.on_call, t.warranty_until, t.reopen_count";

const FROM: &str =
    "FROM tickets t JOIN entities e ON e.id = t.entity_id LEFT JOIN users u ON u.id = t.taken_by";

fn instant(s: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    kernel::time::parse(s).ok_or_else(|| sqlx::Error::Decode(format!("istante «{s}»").into()))
}

fn opt_instant(r: &sqlx::any::AnyRow, col: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    r.try_get::<Option<String>, _>(col)?
        .as_deref()
        .map(instant)
        .transpose()
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Ticket, sqlx::Error> {
    let bad = |w: &str| sqlx::Error::Decode(format!("tickets: {w} non valido").into());
    let taken: Option<String> = r.try_get("taken_at")?;
    Ok(Ticket {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        entity_id: r.try_get("entity_id")?,
        entity_name: r.try_get("entity_name")?,
        subject: r.try_get("subject")?,
        description: r.try_get("description")?,
        category: r.try_get("category")?,
        priority: Priority::parse(&r.try_get::<String, _>("priority")?)
            .ok_or_else(|| bad("priority"))?,
        channel: Channel::parse(&r.try_get::<String, _>("channel")?)
            .ok_or_else(|| bad("channel"))?,
        state: State::parse(&r.try_get::<String, _>("state")?).ok_or_else(|| bad("state"))?,
        received_at: instant(&r.try_get::<String, _>("received_at")?)?,
        take_charge_due_at: instant(&r.try_get::<String, _>("take_charge_due_at")?)?,
        taken_at: taken.as_deref().map(instant).transpose()?,
        taken_by: r.try_get("taken_by")?,
        created_by: r.try_get("created_by")?,
        version: r.try_get("version")?,
        resolution_due_at: opt_instant(r, "resolution_due_at")?,
        paused_since: opt_instant(r, "paused_since")?,
        paused_seconds: r.try_get("paused_seconds")?,
        resolved_at: opt_instant(r, "resolved_at")?,
        requester_email: r.try_get("requester_email")?,
        on_call: r.try_get::<i64, _>("on_call")? != 0,
        warranty_until: r
            .try_get::<Option<String>, _>("warranty_until")?
            .map(|d| d.parse().map_err(|_| bad("warranty_until")))
            .transpose()?,
        reopen_count: r.try_get("reopen_count")?,
    })
}

/// Who may see which tickets: staff all, contacts their entities', suppliers none yet (they
/// will see the phases handed to them).
const IN_SCOPE: &str = db::entities_in_scope!("t.entity_id", "$1");

fn scope_param(actor: &Actor) -> i64 {
    match actor.role {
        Role::Supplier => -1,
        _ => actor.scope_param(),
    }
}

async fn get_on(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<Ticket, HelpdeskError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} {FROM} WHERE {IN_SCOPE} AND t.id = $2 AND $1 >= 0"
    )))
    .bind(scope_param(actor))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(HelpdeskError::NotFound)?;
    Ok(from_row(&row)?)
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Ticket, HelpdeskError> {
    get_on(&mut *db.pool().acquire().await?, actor, id).await
}

/// A new ticket checked, its entity read and its deadlines computed: everything that needs no
/// writer lock.
pub(crate) struct Prepared {
    input: crate::model::TicketInput,
    entity_name: String,
    due_at: DateTime<Utc>,
    resolution_due: Option<DateTime<Utc>>,
    requester: Option<i64>,
}

pub(crate) async fn prepare(
    db: &Db,
    actor: &Actor,
    new: &NewTicket,
    policy: &SlaPolicy,
    now: DateTime<Utc>,
) -> Result<Prepared, HelpdeskError> {
    let oldest = now - chrono::Duration::days(i64::from(policy.received_max_days_back));
    let mut input = new.check(now, oldest).map_err(HelpdeskError::Invalid)?;
    let entity = members::store::get(db, actor, input.entity_id).await?;
    match actor.role {
        Role::Admin | Role::Operator => {}
        Role::Contact => {
            if new
                .received_at
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty())
            {
                return Err(HelpdeskError::field(
                    "received_at",
                    "solo il personale del centro registra l'ora di una chiamata",
                ));
            }
            if !matches!(input.channel, Channel::Portal | Channel::Email) {
                input.channel = Channel::Portal;
            }
            // A contact is answered at their own address.
            let own: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
                .bind(actor.user_id)
                .fetch_optional(db.pool())
                .await?;
            input.requester_email = own
                .map(|e| e.trim().to_lowercase())
                .filter(|e| mail::is_address(e))
                .unwrap_or_default();
        }
        Role::Supplier => return Err(HelpdeskError::StaffOnly),
    }
    let received = input.received_at;
    let mut conn = db.pool().acquire().await?;
    let cal = calendar_for(&mut conn, input.entity_id).await?;
    if input.on_call {
        let profile = support_profile(&mut conn, input.entity_id).await?;
        let mut errors = Vec::new();
        if !profile.has_on_call() {
            errors.push(members::FieldError::new(
                "on_call",
                format!(
                    "la reperibilità del sabato è per i profili BASIC, PRO ed ENTERPRISE: {} ha il profilo {}",
                    entity.data.name,
                    profile.label()
                ),
            ));
        }
        if input.priority != Priority::High {
            errors.push(members::FieldError::new(
                "on_call",
                "la reperibilità del sabato è solo per i problemi bloccanti (priorità alta)",
            ));
        }
        if !crate::support::in_on_call_window(&cal.calendar, received) {
            errors.push(members::FieldError::new(
                "on_call",
                "la reperibilità è attiva il sabato dalle 8:30 alle 12:30, festivi esclusi",
            ));
        }
        if !errors.is_empty() {
            return Err(HelpdeskError::Invalid(errors));
        }
    }
    let (due_at, resolution_due) = deadlines(
        db,
        &cal,
        input.on_call,
        policy,
        input.priority,
        received,
        chrono::Duration::zero(),
    )?;
    drop(conn);
    Ok(Prepared {
        input,
        entity_name: entity.data.name,
        due_at,
        resolution_due,
        requester: (actor.role == Role::Contact).then_some(actor.user_id),
    })
}

/// Numbers and stores a prepared ticket in the caller's transaction, audited, with the
/// acknowledgement e-mail queued when the requester has an address.
pub(crate) async fn insert(
    tx: &mut db::WriteTx,
    actor: &Actor,
    p: Prepared,
) -> Result<Ticket, HelpdeskError> {
    let Prepared {
        input,
        entity_name,
        due_at,
        resolution_due,
        requester,
    } = p;
    let received = input.received_at;
    let year = received.with_timezone(&kernel::time::ROME).year();
    let stamp = kernel::time::now();
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_counters (year, last_seq) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last_seq = ticket_counters.last_seq + 1 RETURNING last_seq",
    )
    .bind(i64::from(year))
    .fetch_one(tx.conn())
    .await?;
    let number = ticket_number(year, seq);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tickets (year, seq, number, entity_id, subject, description, category, priority, \
         channel, state, received_at, take_charge_due_at, requester_id, created_by, created_at, updated_at, \
         resolution_due_at, requester_email, on_call) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'new', $10, $11, $12, $13, $14, $14, $15, $16, $17) RETURNING id",
    )
    .bind(i64::from(year))
    .bind(seq)
    .bind(&number)
    .bind(input.entity_id)
    .bind(&input.subject)
    .bind(&input.description)
    .bind(&input.category)
    .bind(input.priority.as_str())
    .bind(input.channel.as_str())
    .bind(kernel::time::format(received))
    .bind(kernel::time::format(due_at))
    .bind(requester)
    .bind(&actor.label)
    .bind(&stamp)
    .bind(resolution_due.map(kernel::time::format))
    .bind(&input.requester_email)
    .bind(i64::from(input.on_call))
    .fetch_one(tx.conn())
    .await?;
    let t = Ticket {
        id,
        number: number.clone(),
        entity_id: input.entity_id,
        entity_name,
        subject: input.subject,
        description: input.description,
        category: input.category,
        priority: input.priority,
        channel: input.channel,
        state: State::New,
        // As stored: microsecond precision.
        received_at: instant(&kernel::time::format(received))?,
        take_charge_due_at: instant(&kernel::time::format(due_at))?,
        taken_at: None,
        taken_by: None,
        created_by: actor.label.clone(),
        version: 1,
        resolution_due_at: resolution_due
            .map(|d| instant(&kernel::time::format(d)))
            .transpose()?,
        paused_since: None,
        paused_seconds: 0,
        resolved_at: None,
        requester_email: input.requester_email,
        on_call: input.on_call,
        warranty_until: None,
        reopen_count: 0,
    };
    crate::store::audit_ticket(
        tx,
        &actor.label,
        "create",
        &number,
        t.entity_id,
        None,
        serde_json::to_string(&t).ok(),
    )
    .await?;
    crate::notify::received(tx, &t).await?;
    Ok(t)
}

/// Opens a ticket: checked, numbered in its year, its take-charge due time computed in the
/// entity's calendar, audited, acknowledged by e-mail. Staff for any entity; a contact for
/// their own, from the portal. `now` is the instant of the request (the app's clock).
pub async fn create(
    db: &Db,
    actor: &Actor,
    new: &NewTicket,
    policy: &SlaPolicy,
    now: DateTime<Utc>,
) -> Result<Ticket, HelpdeskError> {
    // The deadline is computed before taking the writer lock, which then covers only numbering,
    // the row, the audit record and the queued e-mail.
    let p = prepare(db, actor, new, policy, now).await?;
    let mut tx = db.write().await?;
    let t = insert(&mut tx, actor, p).await?;
    tx.commit().await?;
    Ok(t)
}

/// An operator takes charge of a new ticket: the take-charge clock stops.
pub async fn take_charge(
    db: &Db,
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Ticket, HelpdeskError> {
    // Out of scope is "not found" first, then only staff may act.
    let before = get(db, actor, id).await?;
    if !actor.is_staff() {
        return Err(HelpdeskError::StaffOnly);
    }
    let mut tx = db.write().await?;
    let now = kernel::time::format(now);
    let n = sqlx::query(
        "UPDATE tickets SET state = 'in_progress', taken_at = $1, taken_by = $2, assigned_to = $2, \
         version = version + 1, updated_at = $1 WHERE id = $3 AND state = 'new'",
    )
    .bind(&now)
    .bind(actor.user_id)
    .bind(id)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        let current = get_on(tx.conn(), actor, id).await?;
        return Err(HelpdeskError::Refused(format!(
            "il ticket {} è già stato preso in carico{}",
            current.number,
            current
                .taken_by
                .map(|u| format!(" da {u}"))
                .unwrap_or_default()
        )));
    }
    let after = get_on(tx.conn(), actor, id).await?;
    crate::store::audit_ticket(
        &mut tx,
        &actor.label,
        "take_charge",
        &after.number,
        after.entity_id,
        serde_json::to_string(&before).ok(),
        serde_json::to_string(&after).ok(),
    )
    .await?;
    crate::notify::taken(&mut tx, &after, actor.user_id).await?;
    tx.commit().await?;
    Ok(after)
}

#[derive(Debug, Clone, Default)]
pub struct TicketQuery {
    pub entity_id: Option<i64>,
    pub state: Option<State>,
    /// Only tickets still open (new, in progress, waiting).
    pub open_only: bool,
    /// The operators' queue order: new tickets first, by take-charge deadline; else newest first.
    pub queue: bool,
    /// Only the tickets assigned to this operator ("my work").
    pub assigned_to: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

/// Lists count at most this many tickets.
pub const COUNT_CAP: i64 = 1_000;

#[derive(Debug, Clone, Serialize)]
pub struct TicketPage {
    /// The number of matching tickets, at most [`COUNT_CAP`].
    pub total: i64,
    /// More than [`COUNT_CAP`] match.
    pub more: bool,
    pub items: Vec<Ticket>,
}

/// Tickets the actor may see, newest first (or in queue order). Only the conditions asked for
/// are in the SQL, so the planner uses `tickets_entity` / `tickets_entity_state` for an entity.
pub async fn list(db: &Db, actor: &Actor, q: &TicketQuery) -> Result<TicketPage, HelpdeskError> {
    let scope = scope_param(actor);
    if scope < 0 {
        return Ok(TicketPage {
            total: 0,
            more: false,
            items: Vec::new(),
        });
    }
    let mut filter = Vec::new();
    if scope > 0 {
        filter.push(db::entities_linked_to!("t.entity_id", "$1").to_owned());
    } else {
        filter.push("$1 = 0".to_owned());
    }
    if q.entity_id.is_some() {
        filter.push("t.entity_id = $2".to_owned());
    } else {
        filter.push("$2 = 0".to_owned());
    }
    if q.state.is_some() {
        filter.push("t.state = $3".to_owned());
    } else {
        filter.push("$3 = ''".to_owned());
    }
    if q.open_only {
        filter.push("t.state IN ('new', 'in_progress', 'waiting_entity')".to_owned());
    }
    if let Some(u) = q.assigned_to {
        // A number from the caller's own session, never from the request text.
        filter.push(format!("t.assigned_to = {u}"));
    }
    let filter = format!("WHERE {}", filter.join(" AND "));
    // The queue: new tickets first, on-call ones first among them, then by the entity's
    // support profile (queue priority), then by SLA due time.
    let order = if q.queue {
        format!(
            "CASE t.state WHEN 'new' THEN 0 WHEN 'in_progress' THEN 1 WHEN 'waiting_entity' THEN 2 ELSE 3 END, \
             t.on_call DESC, COALESCE((SELECT {} FROM support_profiles sp WHERE sp.entity_id = t.entity_id), 0) DESC, \
             t.take_charge_due_at, t.id",
            Profile::rank_sql("sp.profile")
        )
    } else {
        "t.id DESC".to_owned()
    };
    let state = q.state.map_or("", State::as_str);
    // Counting is capped: past COUNT_CAP the page says "more than" instead of scanning an
    // index range that grows with the years (a million tickets must list as fast as ten).
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM tickets t {filter} LIMIT {}) c",
        COUNT_CAP + 1
    )))
    .bind(scope)
    .bind(q.entity_id.unwrap_or(0))
    .bind(state)
    .fetch_one(db.pool())
    .await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} {FROM} {filter} ORDER BY {order} LIMIT $4 OFFSET $5"
    )))
    .bind(scope)
    .bind(q.entity_id.unwrap_or(0))
    .bind(state)
    .bind(q.limit.clamp(1, 500))
    .bind(q.offset.max(0))
    .fetch_all(db.pool())
    .await?;
    Ok(TicketPage {
        total: total.min(COUNT_CAP),
        more: total > COUNT_CAP,
        items: rows.iter().map(from_row).collect::<Result<_, _>>()?,
    })
}

/// An operator reclassifies a ticket's priority (e-mailed tickets arrive as medium). The
/// deadlines follow the priority of the problem, so they are computed again from when the
/// request came in, in the entity's calendar: the take-charge deadline only while the ticket is
/// still new (once taken, that target is already judged), the resolution deadline (moved on by
/// the pauses so far) while it is open. Staff only; audited with both priorities.
pub async fn set_priority(
    db: &Db,
    actor: &Actor,
    id: i64,
    to: Priority,
    policy: &SlaPolicy,
    now: DateTime<Utc>,
) -> Result<Ticket, HelpdeskError> {
    let t = get(db, actor, id).await?;
    if !actor.is_staff() {
        return Err(HelpdeskError::StaffOnly);
    }
    if matches!(t.state, State::Resolved | State::Closed) {
        return Err(HelpdeskError::Refused(format!(
            "il ticket {} è {}: la priorità non cambia più",
            t.number,
            t.state.label().to_lowercase()
        )));
    }
    if t.priority == to {
        return Ok(t);
    }
    let cal = calendar_for(&mut *db.pool().acquire().await?, t.entity_id).await?;
    let (due, resolution) = deadlines(
        db,
        &cal,
        t.on_call,
        policy,
        to,
        t.received_at,
        chrono::Duration::seconds(t.paused_seconds),
    )?;
    // Once taken, the take-charge target is judged: it stays.
    let take_charge = if t.state == State::New {
        due
    } else {
        t.take_charge_due_at
    };
    let mut tx = db.write().await?;
    let n = sqlx::query(
        "UPDATE tickets SET priority = $1, take_charge_due_at = $2, resolution_due_at = $3, \
         version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
    )
    .bind(to.as_str())
    .bind(kernel::time::format(take_charge))
    .bind(resolution.map(kernel::time::format))
    .bind(kernel::time::format(now))
    .bind(id)
    .bind(t.version)
    .execute(tx.conn())
    .await?
    .rows_affected();
    if n == 0 {
        return Err(HelpdeskError::Refused(format!(
            "il ticket {} è stato modificato nel frattempo: ricaricare la pagina",
            t.number
        )));
    }
    let after = get_on(tx.conn(), actor, id).await?;
    crate::store::audit_ticket(
        &mut tx,
        &actor.label,
        format!("priority:{}", to.as_str()),
        &t.number,
        t.entity_id,
        serde_json::to_string(&t).ok(),
        serde_json::to_string(&after).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Moves a ticket on (staff only): `waiting_entity` (pauses the resolution clock),
/// `in_progress` (resumes it, or reopens a resolved ticket), `resolved`, `closed`.
pub async fn set_state(
    db: &Db,
    actor: &Actor,
    id: i64,
    to: State,
    now: DateTime<Utc>,
) -> Result<Ticket, HelpdeskError> {
    let t = get(db, actor, id).await?;
    if !actor.is_staff() {
        return Err(HelpdeskError::StaffOnly);
    }
    use State::*;
    let allowed = matches!(
        (t.state, to),
        (InProgress, WaitingEntity)
            | (WaitingEntity, InProgress)
            | (InProgress | WaitingEntity, Resolved)
            | (Resolved, Closed)
            | (Resolved | Closed, InProgress)
    );
    if !allowed {
        return Err(HelpdeskError::Refused(match (t.state, to) {
            (New, _) => format!("il ticket {} va prima preso in carico", t.number),
            (from, to) => format!(
                "il ticket {} non passa da «{}» a «{}»",
                t.number,
                from.as_str(),
                to.as_str()
            ),
        }));
    }
    let stamp = kernel::time::format(now);
    let mut tx = db.write().await?;
    if t.state == WaitingEntity {
        resume(db, &mut tx, &t, now).await?;
    }
    // Resolving starts the warranty: 10 working days of the entity's calendar.
    let warranty = if to == Resolved {
        let cal = calendar_for(tx.conn(), t.entity_id).await?;
        Some(crate::support::warranty_until(&cal.calendar, now).to_string())
    } else {
        t.warranty_until.map(|d| d.to_string())
    };
    sqlx::query(
        "UPDATE tickets SET state = $1, paused_since = CASE WHEN $1 = 'waiting_entity' THEN $2 ELSE paused_since END, \
         resolved_at = CASE WHEN $1 = 'resolved' THEN $2 WHEN $1 = 'in_progress' THEN NULL ELSE resolved_at END, \
         warranty_until = $4, version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(to.as_str())
    .bind(&stamp)
    .bind(id)
    .bind(warranty)
    .execute(tx.conn())
    .await?;
    let after = get_on(tx.conn(), actor, id).await?;
    crate::store::audit_ticket(
        &mut tx,
        &actor.label,
        format!("state:{}", to.as_str()),
        &t.number,
        t.entity_id,
        serde_json::to_string(&t).ok(),
        serde_json::to_string(&after).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
