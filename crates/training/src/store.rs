//! The courses in the database. Every change of a course or its sign-ups first takes the
//! course's row (`UPDATE … RETURNING`): on SQLite the single writer, on PostgreSQL the row
//! lock, so two sign-ups never see the same free seat and the order of sign-up is the order of
//! the positions written.

use chrono::{DateTime, Datelike, Utc};
use db::{audit, Db, WriteTx};
use kernel::audit::AuditEvent;
use kernel::{Actor, Euro, FieldError, Role};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::rules::{self, Limits, Seat, Standing};
use crate::{notify, TrainingError};

mod draft;
pub mod enrolments;
pub mod entries;

use draft::check;

pub use enrolments::Enrolment;

/// The most seats a course has.
pub const MAX_SEATS: i64 = 1_000;
/// The most sessions a course has.
pub const MAX_SESSIONS: usize = 50;
/// What an LTT session of 4 hours costs, split among the participants.
pub const LTT_SESSION_COST: Euro = Euro::from_cents(150_000);

/// `academy` or `ltt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Academy4PA: each participation uses one of the entity's entries of the year; beyond
    /// them an extra entry at 20% off the course's price.
    Academy,
    /// An LTT class (at most 15): each session's cost is split among the participants.
    Ltt,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Academy => "academy",
            Kind::Ltt => "ltt",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "academy" => Some(Kind::Academy),
            "ltt" => Some(Kind::Ltt),
            _ => None,
        }
    }
    pub fn italian(self) -> &'static str {
        match self {
            Kind::Academy => "Academy4PA",
            Kind::Ltt => "Aula LTT",
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Session {
    pub starts_at: String,
    pub hours: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Course {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub place: String,
    pub kind: Kind,
    pub seats: i64,
    /// How many people an entity may place while sign-up is open.
    pub per_entity: i64,
    /// The fewest participants it runs with.
    pub min_participants: i64,
    /// Academy: the full price of a participation (an extra entry costs 20% less); LTT: the
    /// cost of one session, split among the participants. Euros, `150.00`.
    pub price: String,
    /// The first session's start.
    pub starts_at: String,
    /// The calendar year (Rome) whose entries it uses.
    pub year: i32,
    /// `open`, `confirmed` or `cancelled`.
    pub state: String,
    pub closed_at: Option<String>,
    pub cancel_reason: String,
    pub sessions: Vec<Session>,
    pub admitted: i64,
    pub waiting: i64,
    pub seats_left: i64,
    /// The sign-ups the caller may see, in order (the staff: all; a contact: their entities'),
    /// on a course's own page; empty in lists.
    pub enrolments: Vec<Enrolment>,
    pub created_at: String,
    pub version: i64,
}

impl Course {
    pub fn limits(&self) -> Limits {
        Limits {
            seats: u32::try_from(self.seats).unwrap_or(0),
            per_entity: u32::try_from(self.per_entity).unwrap_or(0),
            min_participants: u32::try_from(self.min_participants).unwrap_or(0),
        }
    }
    pub fn price_euro(&self) -> Euro {
        Euro::parse(&self.price).unwrap_or(Euro::ZERO)
    }
    /// Total hours of its sessions.
    pub fn hours(&self) -> i64 {
        self.sessions.iter().map(|s| s.hours).sum()
    }
    pub fn state_italian(&self) -> &'static str {
        state_italian(&self.state)
    }
}

pub fn state_italian(state: &str) -> &'static str {
    match state {
        "open" => "iscrizioni aperte",
        "confirmed" => "confermato",
        "cancelled" => "annullato",
        _ => "",
    }
}

/// A session to create.
#[derive(Debug, Clone)]
pub struct SessionDraft {
    pub starts_at: Option<DateTime<Utc>>,
    pub hours: i64,
}

#[derive(Debug, Clone, Default)]
pub struct CourseDraft {
    pub title: String,
    pub description: String,
    pub place: String,
    /// `academy` (default) or `ltt`.
    pub kind: String,
    pub seats: i64,
    pub per_entity: Option<i64>,
    pub min_participants: Option<i64>,
    /// Euros as written (`150`, `150,00`); none: 0 for Academy, €1.500,00 a session for LTT.
    pub price: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    /// None: one session of 4 hours at `starts_at`.
    pub sessions: Vec<SessionDraft>,
    /// E-mail every entity's primary contacts that the course is open.
    pub announce: bool,
}

const COLS: &str = "id, title, description, place, kind, seats, per_entity, min_participants, \
    price_cents, starts_at, year, state, closed_at, cancel_reason, created_at, version";

fn row(r: &sqlx::any::AnyRow) -> Result<Course, sqlx::Error> {
    Ok(Course {
        id: r.try_get(0)?,
        title: r.try_get(1)?,
        description: r.try_get(2)?,
        place: r.try_get(3)?,
        kind: Kind::parse(&r.try_get::<String, _>(4)?).unwrap_or(Kind::Academy),
        seats: r.try_get(5)?,
        per_entity: r.try_get(6)?,
        min_participants: r.try_get(7)?,
        price: Euro::from_cents(r.try_get(8)?).to_decimal_string(),
        starts_at: r.try_get(9)?,
        year: i32::try_from(r.try_get::<i64, _>(10)?).unwrap_or(0),
        state: r.try_get(11)?,
        closed_at: r.try_get(12)?,
        cancel_reason: r.try_get(13)?,
        created_at: r.try_get(14)?,
        version: r.try_get(15)?,
        sessions: vec![],
        admitted: 0,
        waiting: 0,
        seats_left: 0,
        enrolments: vec![],
    })
}

/// Staff act on courses; contacts read them and sign their entities' people up; suppliers see
/// none (as if there were none).
pub(crate) fn reader(actor: &Actor) -> Result<(), TrainingError> {
    if actor.role == Role::Supplier {
        return Err(TrainingError::CourseNotFound);
    }
    Ok(())
}

pub(crate) fn staff(actor: &Actor) -> Result<(), TrainingError> {
    if !actor.is_staff() {
        return Err(TrainingError::StaffOnly);
    }
    Ok(())
}

/// Opens a course for sign-up (staff), with its sessions; when `announce`, every entity's
/// primary contacts are e-mailed that it is open.
pub async fn create(db: &Db, actor: &Actor, d: &CourseDraft) -> Result<Course, TrainingError> {
    staff(actor)?;
    let c = check(d)?;
    let first = c.sessions[0].0;
    let year = first.with_timezone(&kernel::time::ROME).year();
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO courses (title, description, place, kind, seats, per_entity, \
         min_participants, price_cents, starts_at, year, state, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11, $12) RETURNING id",
    )
    .bind(&c.title)
    .bind(&c.description)
    .bind(&c.place)
    .bind(c.kind.code())
    .bind(c.seats)
    .bind(c.per_entity)
    .bind(c.min)
    .bind(c.price.cents())
    .bind(kernel::time::format(first))
    .bind(i64::from(year))
    .bind(&actor.label)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    for (t, h) in &c.sessions {
        sqlx::query(
            "INSERT INTO course_sessions (course_id, starts_at, hours) VALUES ($1, $2, $3)",
        )
        .bind(id)
        .bind(kernel::time::format(*t))
        .bind(*h)
        .execute(tx.conn())
        .await?;
    }
    let course = read(&mut tx, id).await?;
    if d.announce {
        notify::announce(&mut tx, &course).await?;
    }
    audit_course(&mut tx, actor, "create", &course, None).await?;
    tx.commit().await?;
    Ok(course)
}

/// A course with its sessions and counts, inside a transaction.
pub(crate) async fn read(tx: &mut WriteTx, id: i64) -> Result<Course, TrainingError> {
    load(tx.conn(), id).await
}

/// A course with its sessions and counts (without its sign-ups), on any connection.
async fn load(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Course, TrainingError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM courses WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(TrainingError::CourseNotFound)?;
    let mut c = row(&r)?;
    c.sessions = sessions_in(conn, id).await?;
    let (a, w) = counts_in(conn, id).await?;
    c.admitted = a;
    c.waiting = w;
    c.seats_left = (c.seats - a).max(0);
    Ok(c)
}

async fn sessions_in(conn: &mut sqlx::AnyConnection, id: i64) -> Result<Vec<Session>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT starts_at, hours FROM course_sessions WHERE course_id = $1 ORDER BY starts_at",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Session {
                starts_at: r.try_get(0)?,
                hours: r.try_get(1)?,
            })
        })
        .collect()
}

async fn counts_in(conn: &mut sqlx::AnyConnection, id: i64) -> Result<(i64, i64), sqlx::Error> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(CASE WHEN state = 'admitted' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN state = 'waiting' THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM course_enrolments WHERE course_id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok((r.try_get(0)?, r.try_get(1)?))
}

/// Takes the course's row for a change (see the module's documentation).
pub(crate) async fn take(tx: &mut WriteTx, id: i64) -> Result<Course, TrainingError> {
    let found: Option<i64> =
        sqlx::query_scalar("UPDATE courses SET version = version + 1 WHERE id = $1 RETURNING id")
            .bind(id)
            .fetch_optional(tx.conn())
            .await?;
    found.ok_or(TrainingError::CourseNotFound)?;
    read(tx, id).await
}

/// One course with the sign-ups the actor may see.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Course, TrainingError> {
    reader(actor)?;
    let mut conn = db.pool().acquire().await?;
    let mut c = load(&mut conn, id).await?;
    drop(conn);
    c.enrolments = enrolments::of_course(db, actor, id).await?;
    Ok(c)
}

/// The courses of a year (all years: `None`), soonest first, without their sign-ups.
pub async fn list(db: &Db, actor: &Actor, year: Option<i32>) -> Result<Vec<Course>, TrainingError> {
    reader(actor)?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM courses WHERE ($1 = 0 OR year = $1) ORDER BY starts_at, id LIMIT 1000"
    )))
    .bind(i64::from(year.unwrap_or(0)))
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<Course> = rows.iter().map(row).collect::<Result<_, _>>()?;
    let counts = sqlx::query(
        "SELECT n.course_id, CAST(SUM(CASE WHEN n.state = 'admitted' THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN n.state = 'waiting' THEN 1 ELSE 0 END) AS BIGINT) \
         FROM course_enrolments n JOIN courses c ON c.id = n.course_id \
         WHERE ($1 = 0 OR c.year = $1) GROUP BY n.course_id",
    )
    .bind(i64::from(year.unwrap_or(0)))
    .fetch_all(db.pool())
    .await?;
    let mut by: std::collections::HashMap<i64, (i64, i64)> = std::collections::HashMap::new();
    for r in &counts {
        by.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
    }
    let sessions = sqlx::query(
        "SELECT s.course_id, s.starts_at, s.hours FROM course_sessions s \
         JOIN courses c ON c.id = s.course_id WHERE ($1 = 0 OR c.year = $1) \
         ORDER BY s.course_id, s.starts_at",
    )
    .bind(i64::from(year.unwrap_or(0)))
    .fetch_all(db.pool())
    .await?;
    let mut ses: std::collections::HashMap<i64, Vec<Session>> = std::collections::HashMap::new();
    for r in &sessions {
        ses.entry(r.try_get(0)?).or_default().push(Session {
            starts_at: r.try_get(1)?,
            hours: r.try_get(2)?,
        });
    }
    for c in &mut out {
        let (a, w) = by.get(&c.id).copied().unwrap_or((0, 0));
        c.admitted = a;
        c.waiting = w;
        c.seats_left = (c.seats - a).max(0);
        c.sessions = ses.remove(&c.id).unwrap_or_default();
    }
    Ok(out)
}

/// Closes the sign-up (staff): the waiting people take the seats left in order whatever their
/// entity; with fewer than the minimum the course is cancelled and everyone told, else it is
/// confirmed and the admitted told.
pub async fn close_signup(db: &Db, actor: &Actor, id: i64) -> Result<Course, TrainingError> {
    reader(actor)?;
    let mut tx = db.write().await?;
    let before = take(&mut tx, id).await?;
    staff(actor)?;
    if before.state != "open" {
        return Err(TrainingError::State(format!(
            "le iscrizioni sono già chiuse: il corso è {}",
            before.state_italian()
        )));
    }
    let all = enrolments::all_in(&mut tx, id).await?;
    let seats: Vec<Seat> = all.iter().map(Enrolment::seat).collect();
    let closing = rules::close(before.limits(), &seats);
    for &i in &closing.admitted {
        enrolments::set_standing(&mut tx, all[i].id, Standing::Admitted).await?;
    }
    let now = kernel::time::now();
    let state = if closing.runs {
        "confirmed"
    } else {
        "cancelled"
    };
    let reason = if closing.runs {
        String::new()
    } else {
        format!(
            "meno di {} partecipanti alla chiusura delle iscrizioni",
            before.min_participants
        )
    };
    sqlx::query("UPDATE courses SET state = $2, closed_at = $3, cancel_reason = $4 WHERE id = $1")
        .bind(id)
        .bind(state)
        .bind(&now)
        .bind(&reason)
        .execute(tx.conn())
        .await?;
    let after = read(&mut tx, id).await?;
    let people = enrolments::all_in(&mut tx, id).await?;
    notify::closed(&mut tx, &after, &people).await?;
    audit_course(&mut tx, actor, "close_signup", &after, Some(&before)).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Cancels a course (staff) with its reason; everyone signed up is told.
pub async fn cancel(
    db: &Db,
    actor: &Actor,
    id: i64,
    reason: &str,
) -> Result<Course, TrainingError> {
    reader(actor)?;
    let mut tx = db.write().await?;
    let before = take(&mut tx, id).await?;
    staff(actor)?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(TrainingError::Invalid(vec![FieldError::new(
            "reason",
            "scrivere il motivo dell'annullamento (al massimo 500 caratteri)",
        )]));
    }
    if before.state == "cancelled" {
        return Err(TrainingError::State("il corso è già annullato".into()));
    }
    if kernel::time::parse(&before.starts_at).is_some_and(|t| t <= chrono::Utc::now()) {
        return Err(TrainingError::State(
            "il corso è già iniziato: non si può più annullare".into(),
        ));
    }
    sqlx::query(
        "UPDATE courses SET state = 'cancelled', cancel_reason = $2, \
         closed_at = COALESCE(closed_at, $3) WHERE id = $1",
    )
    .bind(id)
    .bind(reason)
    .bind(kernel::time::now())
    .execute(tx.conn())
    .await?;
    let after = read(&mut tx, id).await?;
    let people = enrolments::all_in(&mut tx, id).await?;
    notify::closed(&mut tx, &after, &people).await?;
    audit_course(&mut tx, actor, "cancel", &after, Some(&before)).await?;
    tx.commit().await?;
    get(db, actor, id).await
}

fn course_audit(c: &Course) -> serde_json::Value {
    json!({
        "title": c.title, "kind": c.kind.code(), "seats": c.seats, "per_entity": c.per_entity,
        "min_participants": c.min_participants, "price": c.price, "starts_at": c.starts_at,
        "state": c.state, "admitted": c.admitted, "waiting": c.waiting,
        "cancel_reason": c.cancel_reason,
    })
}

async fn audit_course(
    tx: &mut WriteTx,
    actor: &Actor,
    action: &str,
    c: &Course,
    before: Option<&Course>,
) -> Result<(), TrainingError> {
    audit::append(
        tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: action.into(),
            object_type: "course".into(),
            object_id: c.id.to_string(),
            entity_id: None,
            before: before.map(|b| course_audit(b).to_string()),
            after: Some(course_audit(c).to_string()),
        },
    )
    .await?;
    Ok(())
}
