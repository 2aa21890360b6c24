//! Supplier phases: an operator hands part of a ticket to a supplier account (an antivirus
//! company, a software house). The supplier sees and updates only its phases, never the rest
//! of the ticket; the entity sees each phase's state; on-site work needs the centre's
//! authorisation, recorded on the phase.

use db::Db;
use kernel::{Actor, Role};
use serde::Serialize;
use sqlx::Row;

use crate::HelpdeskError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseState {
    Open,
    InProgress,
    Done,
    Cancelled,
}

impl PhaseState {
    pub const ALL: [PhaseState; 4] = [
        PhaseState::Open,
        PhaseState::InProgress,
        PhaseState::Done,
        PhaseState::Cancelled,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            PhaseState::Open => "open",
            PhaseState::InProgress => "in_progress",
            PhaseState::Done => "done",
            PhaseState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }
    pub fn label(self) -> &'static str {
        match self {
            PhaseState::Open => "Affidata",
            PhaseState::InProgress => "In lavorazione dal fornitore",
            PhaseState::Done => "Completata",
            PhaseState::Cancelled => "Annullata",
        }
    }
}

/// A phase as its reader may see it: contacts get no description (it is the centre's brief to
/// the supplier).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phase {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_number: String,
    pub ticket_subject: String,
    pub entity_id: i64,
    pub entity_name: String,
    pub supplier_id: i64,
    /// The supplier account's name.
    pub supplier: String,
    pub title: String,
    pub description: String,
    pub state: PhaseState,
    pub onsite_authorized: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhaseUpdate {
    pub id: i64,
    pub author: String,
    pub state: PhaseState,
    pub body: String,
    pub created_at: String,
}

const COLS: &str = "p.id, p.ticket_id, t.number, t.subject, t.entity_id, e.name, p.supplier_id, \
    CASE WHEN u.full_name = '' THEN u.username ELSE u.full_name END AS supplier, p.title, p.description, \
    p.state, p.onsite_authorized, p.version, p.created_at, p.updated_at";
const FROM: &str = "FROM ticket_phases p JOIN tickets t ON t.id = p.ticket_id \
    JOIN entities e ON e.id = t.entity_id JOIN users u ON u.id = p.supplier_id";

/// Who sees which phases: staff all ($1 = 0, $2 = 0), a supplier its own ($2), a contact
/// those of its entities' tickets ($1).
const SCOPE: &str = concat!(
    "(($1 = 0 AND $2 = 0) OR p.supplier_id = $2 OR ($1 > 0 AND ",
    db::entities_linked_to!("t.entity_id", "$1"),
    "))"
);

fn scope(actor: &Actor) -> (i64, i64) {
    match actor.role {
        Role::Admin | Role::Operator => (0, 0),
        Role::Supplier => (-1, actor.user_id),
        Role::Contact => (actor.user_id, -1),
    }
}

fn phase(r: &sqlx::any::AnyRow, actor: &Actor) -> Result<Phase, sqlx::Error> {
    let state: String = r.try_get(10)?;
    Ok(Phase {
        id: r.try_get(0)?,
        ticket_id: r.try_get(1)?,
        ticket_number: r.try_get(2)?,
        ticket_subject: r.try_get(3)?,
        entity_id: r.try_get(4)?,
        entity_name: r.try_get(5)?,
        supplier_id: r.try_get(6)?,
        supplier: r.try_get(7)?,
        title: r.try_get(8)?,
        description: if actor.role == Role::Contact {
            String::new()
        } else {
            r.try_get(9)?
        },
        state: PhaseState::parse(&state)
            .ok_or_else(|| sqlx::Error::Decode(format!("fase: stato «{state}»").into()))?,
        onsite_authorized: r.try_get::<i64, _>(11)? != 0,
        version: r.try_get(12)?,
        created_at: r.try_get(13)?,
        updated_at: r.try_get(14)?,
    })
}

async fn get_on(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<Phase, HelpdeskError> {
    let (c, s) = scope(actor);
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} {FROM} WHERE {SCOPE} AND p.id = $3"
    )))
    .bind(c)
    .bind(s)
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(HelpdeskError::NotFound)?;
    Ok(phase(&r, actor)?)
}

/// One phase the actor may see.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Phase, HelpdeskError> {
    get_on(&mut *db.pool().acquire().await?, actor, id).await
}

/// The phases of a ticket the actor may see (staff and the entity's contacts).
pub async fn for_ticket(
    db: &Db,
    actor: &Actor,
    ticket_id: i64,
) -> Result<Vec<Phase>, HelpdeskError> {
    let t = crate::store::get(db, actor, ticket_id).await?;
    for_ticket_of(db, actor, &t).await
}

/// The phases of `t`, which the caller read with `store::get` for this actor (so in scope).
pub async fn for_ticket_of(
    db: &Db,
    actor: &Actor,
    t: &crate::store::Ticket,
) -> Result<Vec<Phase>, HelpdeskError> {
    list_where(db, actor, "p.ticket_id = $3", t.id).await
}

/// A supplier's phases (staff: every phase still open), open ones first.
pub async fn mine(db: &Db, actor: &Actor) -> Result<Vec<Phase>, HelpdeskError> {
    match actor.role {
        Role::Supplier => list_where(db, actor, "p.supplier_id = $3", actor.user_id).await,
        Role::Admin | Role::Operator => {
            list_where(
                db,
                actor,
                "p.state IN ('open', 'in_progress') AND $3 = 0",
                0,
            )
            .await
        }
        Role::Contact => Err(HelpdeskError::StaffOnly),
    }
}

async fn list_where(
    db: &Db,
    actor: &Actor,
    cond: &str,
    v: i64,
) -> Result<Vec<Phase>, HelpdeskError> {
    let (c, s) = scope(actor);
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} {FROM} WHERE {SCOPE} AND {cond} \
         ORDER BY CASE p.state WHEN 'open' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END, p.id DESC LIMIT 500"
    )))
    .bind(c)
    .bind(s)
    .bind(v)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| phase(r, actor))
        .collect::<Result<_, _>>()?)
}

/// A new phase, as an operator writes it.
#[derive(Debug, Clone, Default)]
pub struct NewPhase {
    pub supplier_id: i64,
    pub title: String,
    pub description: String,
    pub onsite_authorized: bool,
}

/// Hands part of a ticket to a supplier account (staff), audited.
pub async fn create(
    db: &Db,
    actor: &Actor,
    ticket_id: i64,
    new: &NewPhase,
) -> Result<Phase, HelpdeskError> {
    let t = crate::store::get(db, actor, ticket_id).await?;
    if !actor.is_staff() {
        return Err(HelpdeskError::StaffOnly);
    }
    let mut errors = Vec::new();
    let title = new.title.trim();
    if title.is_empty() {
        errors.push(members::FieldError::new(
            "title",
            "indicare che cosa si affida",
        ));
    } else if title.chars().count() > 200 {
        errors.push(members::FieldError::new(
            "title",
            "il titolo supera i 200 caratteri",
        ));
    }
    if new.description.chars().count() > 20_000 {
        errors.push(members::FieldError::new(
            "description",
            "la descrizione supera i 20.000 caratteri",
        ));
    }
    let supplier: Option<(String, i64)> =
        sqlx::query("SELECT role, active FROM users WHERE id = $1")
            .bind(new.supplier_id)
            .fetch_optional(db.pool())
            .await?
            .map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?)))
            .transpose()?;
    match supplier {
        Some((role, 1)) if role == "supplier" => {}
        _ => errors.push(members::FieldError::new(
            "supplier_id",
            "scegliere un account fornitore attivo",
        )),
    }
    if !errors.is_empty() {
        return Err(HelpdeskError::Invalid(errors));
    }
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_phases (ticket_id, supplier_id, title, description, state, onsite_authorized, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $7) RETURNING id",
    )
    .bind(t.id)
    .bind(new.supplier_id)
    .bind(title)
    .bind(new.description.trim())
    .bind(i64::from(new.onsite_authorized))
    .bind(&actor.label)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    let p = get_on(tx.conn(), actor, id).await?;
    crate::store::audit_ticket(
        &mut tx,
        &actor.label,
        "phase_create",
        &t.number,
        t.entity_id,
        None,
        serde_json::to_string(&p).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// The supplier (or the centre) records progress: a new state and what was done. A
/// cancelled phase is the centre's to reopen; the supplier cannot change it.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    state: PhaseState,
    body: &str,
) -> Result<Phase, HelpdeskError> {
    let before = get(db, actor, id).await?;
    let may = match actor.role {
        Role::Admin | Role::Operator => true,
        Role::Supplier => before.state != PhaseState::Cancelled && state != PhaseState::Cancelled,
        Role::Contact => false,
    };
    if !may {
        return Err(if actor.role == Role::Contact {
            HelpdeskError::StaffOnly
        } else {
            HelpdeskError::Refused(format!(
                "la fase «{}» è annullata o si vuole annullarla: lo decide il centro servizi",
                before.title
            ))
        });
    }
    let body = body.trim();
    if body.chars().count() > 20_000 {
        return Err(HelpdeskError::field(
            "body",
            "il testo supera i 20.000 caratteri",
        ));
    }
    if body.is_empty() && state == before.state {
        return Err(HelpdeskError::field(
            "body",
            "scrivere che cosa è stato fatto o cambiare lo stato",
        ));
    }
    let now = kernel::time::now();
    let author = crate::store::author_of(actor);
    let mut tx = db.write().await?;
    sqlx::query(
        "UPDATE ticket_phases SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3",
    )
    .bind(state.as_str())
    .bind(&now)
    .bind(id)
    .execute(tx.conn())
    .await?;
    sqlx::query(
        "INSERT INTO ticket_phase_updates (phase_id, author, state, body, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(&author)
    .bind(state.as_str())
    .bind(body)
    .bind(&now)
    .execute(tx.conn())
    .await?;
    let after = get_on(tx.conn(), actor, id).await?;
    crate::store::audit_ticket(
        &mut tx,
        &actor.label,
        format!("phase:{}", state.as_str()),
        &after.ticket_number,
        after.entity_id,
        serde_json::to_string(&before).ok(),
        serde_json::to_string(&serde_json::json!({"phase": &after, "body": body})).ok(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The updates of a phase (staff and its supplier; contacts see only the state).
pub async fn updates(db: &Db, actor: &Actor, id: i64) -> Result<Vec<PhaseUpdate>, HelpdeskError> {
    get(db, actor, id).await?;
    if actor.role == Role::Contact {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(
        "SELECT id, author, state, body, created_at FROM ticket_phase_updates WHERE phase_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let st: String = r.try_get(2)?;
            Ok(PhaseUpdate {
                id: r.try_get(0)?,
                author: r.try_get(1)?,
                state: PhaseState::parse(&st).unwrap_or(PhaseState::Open),
                body: r.try_get(3)?,
                created_at: r.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(HelpdeskError::from)
}

/// Supplier accounts, for the operator's choice.
pub async fn suppliers(db: &Db, actor: &Actor) -> Result<Vec<(i64, String)>, HelpdeskError> {
    if !actor.is_staff() {
        return Err(HelpdeskError::StaffOnly);
    }
    let rows = sqlx::query(
        "SELECT id, CASE WHEN full_name = '' THEN username ELSE full_name END FROM users \
         WHERE role = 'supplier' AND active = 1 ORDER BY 2",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(HelpdeskError::from)
}
