//! Events laid out: their occurrences over a span of days, and the events of a person's feed.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use db::Db;
use kernel::Actor;

use super::{row_to_event, Event, Occurrence, COLUMNS};
use crate::AgendaError;

/// The longest span of days one request lays out.
pub const MAX_SPAN_DAYS: i64 = 400;

fn span(from: NaiveDate, to: NaiveDate) -> Result<(), AgendaError> {
    if to <= from || (to - from).num_days() > MAX_SPAN_DAYS {
        return Err(AgendaError::field(
            "to",
            format!("il periodo va da 1 a {MAX_SPAN_DAYS} giorni"),
        ));
    }
    Ok(())
}

/// Checks a span of days and that the actor sees the entity: what every layer of an agenda
/// needs, events or not.
pub async fn check_span(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(), AgendaError> {
    span(from, to)?;
    let mut conn = db.pool().acquire().await?;
    crate::store::entity_in_scope(&mut conn, actor, entity_id).await
}

/// The occurrences of the entity's events (of one calendar, if given) on the days `[from,
/// to)`, in order; cancelled events are left out.
pub async fn occurrences(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    calendar_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Occurrence>, AgendaError> {
    span(from, to)?;
    let mut conn = db.pool().acquire().await?;
    crate::store::entity_in_scope(&mut conn, actor, entity_id).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM agenda_events e JOIN agenda_calendars c ON c.id = e.calendar_id \
         WHERE c.entity_id = $1 AND e.cancelled_at IS NULL AND ($2 = 0 OR e.calendar_id = $2) \
         AND e.starts_local < $3 AND (e.last_day IS NULL OR e.last_day >= $4)"
    )))
    .bind(entity_id)
    .bind(calendar_id.unwrap_or(0))
    .bind(to.to_string())
    .bind(from.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let window = |d: NaiveDate| crate::recur::resolve(d.and_time(NaiveTime::MIN));
    let (a, b) = (window(from), window(to));
    let mut out = Vec::new();
    for r in &rows {
        let e = row_to_event(r)?;
        out.extend(lay_out(&e, a, b));
    }
    out.sort_by(|x, y| (&x.starts, &x.title).cmp(&(&y.starts, &y.title)));
    Ok(out)
}

/// An event's occurrences in `[from, to)`.
pub fn lay_out(e: &Event, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
    let rome = |t: DateTime<Utc>| t.with_timezone(&kernel::time::ROME).to_rfc3339();
    e.series()
        .between(from, to)
        .into_iter()
        .map(|o| Occurrence {
            event_id: e.id,
            calendar_id: e.calendar_id,
            calendar_name: e.calendar_name.clone(),
            title: e.title.clone(),
            place: e.place.clone(),
            starts: rome(o.starts),
            ends: rome(o.ends),
            all_day: e.all_day,
            repeats: !e.repeat.is_empty(),
        })
        .collect()
}

/// The events a person's feed carries: those of their own calendar and of the groups they
/// are in, and those they are invited to and have not declined (cancelled ones too, so the
/// calendar programs take them away).
pub async fn of_person(db: &Db, user_id: i64) -> Result<Vec<Event>, AgendaError> {
    let mut conn = db.pool().acquire().await?;
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or_default();
    let email = email.to_lowercase();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM agenda_events e JOIN agenda_calendars c ON c.id = e.calendar_id \
         WHERE e.id IN ({PERSON_EVENTS}) ORDER BY e.starts_local, e.id"
    )))
    .bind(user_id)
    .bind(&email)
    .fetch_all(&mut *conn)
    .await?;
    let mut invitations =
        super::super::invitations::of_events(&mut conn, PERSON_EVENTS, user_id, &email).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let mut e = row_to_event(r)?;
        e.invitations = invitations
            .extract_if(.., |(event, _)| *event == e.id)
            .map(|(_, i)| i)
            .collect();
        out.push(e);
    }
    Ok(out)
}

/// The events of a person (`$1`, address `$2`): their own calendar's, their groups', and those
/// they are invited to and have not declined.
const PERSON_EVENTS: &str = "SELECT e.id FROM agenda_events e \
    JOIN agenda_calendars c ON c.id = e.calendar_id \
    WHERE c.owner_id = $1 \
       OR EXISTS (SELECT 1 FROM agenda_members m WHERE m.calendar_id = c.id AND m.user_id = $1) \
       OR EXISTS (SELECT 1 FROM agenda_invitations i WHERE i.event_id = e.id \
                  AND i.email = $2 AND i.email <> '' AND i.answer <> 'declined')";
