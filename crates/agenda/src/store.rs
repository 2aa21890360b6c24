//! The agendas in the database. A calendar belongs to an entity: its users (contacts) and the
//! staff see and change it; anyone else finds nothing. Events are in [`events`], invitations
//! and their answers in [`invitations`].

use db::{audit, Db, WriteTx};
use kernel::audit::AuditEvent;
use kernel::{Actor, Role};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::AgendaError;

pub mod events;
pub mod invitations;

/// One of the entity's users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = AgendaPerson)]
pub struct Person {
    pub user_id: i64,
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AgendaCalendar)]
pub struct Calendar {
    pub id: i64,
    pub entity_id: i64,
    pub name: String,
    /// `person` (one person's) or `group` (several people's).
    pub kind: String,
    /// A person's calendar: whose.
    pub owner: Option<Person>,
    /// A group's calendar: its people.
    pub members: Vec<Person>,
    /// Events it holds, cancelled ones included.
    pub events: i64,
    pub created_at: String,
}

/// What a calendar is made of.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = AgendaCalendarDraft)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarDraft {
    pub name: String,
    /// `person` or `group`.
    pub kind: String,
    /// A person's calendar: the user (one of the entity's).
    pub owner_id: Option<i64>,
    /// A group's calendar: its users (the entity's).
    pub members: Vec<i64>,
}

/// Suppliers keep no agendas: for them every entity is "not found".
pub(crate) fn user(actor: &Actor) -> Result<(), AgendaError> {
    if actor.role == Role::Supplier {
        return Err(AgendaError::EntityNotFound);
    }
    Ok(())
}

pub(crate) async fn entity_in_scope(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    entity_id: i64,
) -> Result<(), AgendaError> {
    user(actor)?;
    if db::scope::sees_entity(conn, actor, entity_id).await? {
        Ok(())
    } else {
        Err(AgendaError::EntityNotFound)
    }
}

pub(crate) async fn audit_event(
    tx: &mut WriteTx,
    actor: &Actor,
    action: &str,
    object: &str,
    id: i64,
    entity_id: i64,
    after: serde_json::Value,
) -> Result<(), AgendaError> {
    audit::append(
        tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: action.into(),
            object_type: object.into(),
            object_id: id.to_string(),
            entity_id: Some(entity_id),
            before: None,
            after: Some(after.to_string()),
        },
    )
    .await?;
    Ok(())
}

/// The entity's active users, by name: who a calendar can be of.
pub async fn people(db: &Db, actor: &Actor, entity_id: i64) -> Result<Vec<Person>, AgendaError> {
    let mut conn = db.pool().acquire().await?;
    entity_in_scope(&mut conn, actor, entity_id).await?;
    people_of(&mut conn, entity_id).await
}

pub(crate) async fn people_of(
    conn: &mut sqlx::AnyConnection,
    entity_id: i64,
) -> Result<Vec<Person>, AgendaError> {
    let rows = sqlx::query(
        "SELECT u.id, u.full_name, u.username, u.email FROM users u \
         JOIN user_entities ue ON ue.user_id = u.id \
         WHERE ue.entity_id = $1 AND u.active = 1 AND u.role = 'contact' ORDER BY u.full_name, u.id",
    )
    .bind(entity_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let name: String = r.try_get(1)?;
            Ok(Person {
                user_id: r.try_get(0)?,
                name: if name.is_empty() { r.try_get(2)? } else { name },
                email: r.try_get(3)?,
            })
        })
        .collect()
}

/// A calendar checked: name, kind, owner, members.
type Checked = (String, &'static str, Option<i64>, Vec<i64>);

fn check(d: &CalendarDraft, people: &[Person]) -> Result<Checked, AgendaError> {
    let name = kernel::text::strip_forbidden(d.name.trim(), kernel::text::Lines::Single);
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AgendaError::field(
            "name",
            "scrivere il nome dell'agenda (al massimo 100 caratteri)",
        ));
    }
    let known = |id: i64| people.iter().any(|p| p.user_id == id);
    match d.kind.as_str() {
        "person" => {
            let Some(owner) = d.owner_id else {
                return Err(AgendaError::field(
                    "owner_id",
                    "scegliere la persona di cui è l'agenda",
                ));
            };
            if !known(owner) {
                return Err(AgendaError::field(
                    "owner_id",
                    "la persona scelta non è un utente di questo ente",
                ));
            }
            Ok((name, "person", Some(owner), vec![]))
        }
        "group" => {
            let mut members = d.members.clone();
            members.sort_unstable();
            members.dedup();
            if let Some(bad) = members.iter().find(|m| !known(**m)) {
                return Err(AgendaError::field(
                    "members",
                    format!("l'utente {bad} non è un utente di questo ente"),
                ));
            }
            Ok((name, "group", None, members))
        }
        other => Err(AgendaError::field(
            "kind",
            format!(
                "tipo «{other}» non previsto: «person» (di una persona) o «group» (di un gruppo)"
            ),
        )),
    }
}

async fn refuse_twin(
    conn: &mut sqlx::AnyConnection,
    entity_id: i64,
    name: &str,
    except: i64,
) -> Result<(), AgendaError> {
    let twin: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM agenda_calendars WHERE entity_id = $1 AND lower(name) = lower($2) AND id <> $3",
    )
    .bind(entity_id)
    .bind(name)
    .bind(except)
    .fetch_optional(conn)
    .await?;
    match twin {
        Some(_) => Err(AgendaError::Conflict(format!(
            "l'ente ha già un'agenda «{name}»"
        ))),
        None => Ok(()),
    }
}

async fn set_members(tx: &mut WriteTx, id: i64, members: &[i64]) -> Result<(), AgendaError> {
    sqlx::query("DELETE FROM agenda_members WHERE calendar_id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    for m in members {
        sqlx::query("INSERT INTO agenda_members (calendar_id, user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(m)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// Creates a calendar of the entity.
pub async fn create_calendar(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    d: &CalendarDraft,
) -> Result<Calendar, AgendaError> {
    let mut tx = db.write().await?;
    entity_in_scope(tx.conn(), actor, entity_id).await?;
    let people = people_of(tx.conn(), entity_id).await?;
    let (name, kind, owner, members) = check(d, &people)?;
    refuse_twin(tx.conn(), entity_id, &name, 0).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agenda_calendars (entity_id, name, kind, owner_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(entity_id)
    .bind(&name)
    .bind(kind)
    .bind(owner)
    .bind(&actor.label)
    .bind(kernel::time::now())
    .fetch_one(tx.conn())
    .await?;
    set_members(&mut tx, id, &members).await?;
    audit_event(
        &mut tx,
        actor,
        "agenda_calendar.create",
        "agenda_calendar",
        id,
        entity_id,
        serde_json::json!({"name": name, "kind": kind, "owner_id": owner, "members": members}),
    )
    .await?;
    let c = load(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(c)
}

/// Changes a calendar's name and people (its kind stays).
pub async fn update_calendar(
    db: &Db,
    actor: &Actor,
    id: i64,
    d: &CalendarDraft,
) -> Result<Calendar, AgendaError> {
    let mut tx = db.write().await?;
    let before = load(tx.conn(), id).await?;
    in_scope(tx.conn(), actor, &before).await?;
    let people = people_of(tx.conn(), before.entity_id).await?;
    if !d.kind.is_empty() && d.kind != before.kind {
        return Err(AgendaError::field(
            "kind",
            "il tipo di un'agenda non si cambia: crearne una nuova",
        ));
    }
    let draft = CalendarDraft {
        kind: before.kind.clone(),
        ..d.clone()
    };
    let (name, _, owner, members) = check(&draft, &people)?;
    refuse_twin(tx.conn(), before.entity_id, &name, id).await?;
    sqlx::query("UPDATE agenda_calendars SET name = $1, owner_id = $2 WHERE id = $3")
        .bind(&name)
        .bind(owner)
        .bind(id)
        .execute(tx.conn())
        .await?;
    set_members(&mut tx, id, &members).await?;
    audit_event(
        &mut tx,
        actor,
        "agenda_calendar.update",
        "agenda_calendar",
        id,
        before.entity_id,
        serde_json::json!({"name": name, "owner_id": owner, "members": members}),
    )
    .await?;
    let c = load(tx.conn(), id).await?;
    tx.commit().await?;
    Ok(c)
}

/// Deletes an empty calendar; one with events is refused (cancel or move them first, so no
/// invitee is left with an appointment nobody keeps).
pub async fn delete_calendar(db: &Db, actor: &Actor, id: i64) -> Result<(), AgendaError> {
    let mut tx = db.write().await?;
    let c = load(tx.conn(), id).await?;
    in_scope(tx.conn(), actor, &c).await?;
    if c.events > 0 {
        return Err(AgendaError::Conflict(format!(
            "l'agenda «{}» contiene {} appuntamenti: non si può eliminare",
            c.name, c.events
        )));
    }
    sqlx::query("DELETE FROM agenda_members WHERE calendar_id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    sqlx::query("DELETE FROM agenda_calendars WHERE id = $1")
        .bind(id)
        .execute(tx.conn())
        .await?;
    audit_event(
        &mut tx,
        actor,
        "agenda_calendar.delete",
        "agenda_calendar",
        id,
        c.entity_id,
        serde_json::json!({"name": c.name}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn in_scope(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    c: &Calendar,
) -> Result<(), AgendaError> {
    entity_in_scope(conn, actor, c.entity_id)
        .await
        .map_err(|e| match e {
            AgendaError::EntityNotFound => AgendaError::CalendarNotFound,
            e => e,
        })
}

/// A calendar, if the actor may see it.
pub async fn calendar(db: &Db, actor: &Actor, id: i64) -> Result<Calendar, AgendaError> {
    let mut conn = db.pool().acquire().await?;
    let c = load(&mut conn, id).await?;
    in_scope(&mut conn, actor, &c).await?;
    Ok(c)
}

/// The entity's calendars, people's first then groups', by name (three queries, however many
/// calendars there are).
pub async fn calendars(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
) -> Result<Vec<Calendar>, AgendaError> {
    let mut conn = db.pool().acquire().await?;
    entity_in_scope(&mut conn, actor, entity_id).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{CALENDAR} WHERE c.entity_id = $1 ORDER BY c.kind DESC, c.name, c.id"
    )))
    .bind(entity_id)
    .fetch_all(&mut *conn)
    .await?;
    let people = people_of(&mut conn, entity_id).await?;
    let members: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT m.calendar_id, m.user_id FROM agenda_members m \
         JOIN agenda_calendars c ON c.id = m.calendar_id WHERE c.entity_id = $1 \
         ORDER BY m.calendar_id, m.user_id",
    )
    .bind(entity_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| assemble(r, &people, &members))
        .collect()
}

const CALENDAR: &str = "SELECT c.id, c.entity_id, c.name, c.kind, c.owner_id, c.created_at, \
    (SELECT COUNT(*) FROM agenda_events e WHERE e.calendar_id = c.id) FROM agenda_calendars c";

/// A calendar from its row, the entity's people and the (calendar, user) pairs of members.
fn assemble(
    r: &sqlx::any::AnyRow,
    people: &[Person],
    members: &[(i64, i64)],
) -> Result<Calendar, AgendaError> {
    let id: i64 = r.try_get(0)?;
    let owner_id: Option<i64> = r.try_get(4)?;
    let who = |uid: i64| {
        people
            .iter()
            .find(|p| p.user_id == uid)
            .cloned()
            .unwrap_or(Person {
                user_id: uid,
                name: format!("utente {uid} (non più attivo)"),
                email: String::new(),
            })
    };
    Ok(Calendar {
        id,
        entity_id: r.try_get(1)?,
        name: r.try_get(2)?,
        kind: r.try_get(3)?,
        owner: owner_id.map(who),
        members: members
            .iter()
            .filter(|(c, _)| *c == id)
            .map(|(_, u)| who(*u))
            .collect(),
        events: r.try_get(6)?,
        created_at: r.try_get(5)?,
    })
}

pub(crate) async fn load(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Calendar, AgendaError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!("{CALENDAR} WHERE c.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AgendaError::CalendarNotFound)?;
    let people = people_of(&mut *conn, r.try_get(1)?).await?;
    let members: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT calendar_id, user_id FROM agenda_members WHERE calendar_id = $1 ORDER BY user_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    assemble(&r, &people, &members)
}
