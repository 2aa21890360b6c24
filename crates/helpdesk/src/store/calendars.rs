//! Working-time calendars of the centre and of each entity, laid out and cached, and the
//! deadlines of a ticket computed in them.

use super::*;

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

pub(super) type LayoutCache = HashMap<(u64, i64, i64, String), Arc<Precomputed>>;

/// Laid-out calendars by (database, calendar id, version, preset): content never changes under
/// the same key, so entries are never stale.
pub(super) static LAYOUTS: LazyLock<Mutex<LayoutCache>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The calendar laid out around this year (cached).
pub(super) fn layout(db: &Db, cal: &StoredCalendar) -> Result<Arc<Precomputed>, HelpdeskError> {
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
pub(super) fn add(
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
pub(super) fn working(
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
pub(super) fn deadlines(
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
