//! Sign-ups: an entity's contact (or the staff) signs a person of the entity up; the rules
//! decide a seat or the waiting list; a seat can be withdrawn (the next waiting person in
//! order takes it) or passed to a colleague of the same entity; the staff record attendance.

use db::{audit, Db, WriteTx};
use kernel::audit::AuditEvent;
use kernel::{Actor, FieldError};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::{reader, staff, take, Course};
use crate::rules::{self, Attendance, Seat, Standing};
use crate::{notify, TrainingError};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Enrolment {
    pub id: i64,
    pub course_id: i64,
    pub entity_id: i64,
    pub entity_name: String,
    /// Sign-up order within the course.
    pub position: i64,
    pub name: String,
    pub email: String,
    /// `admitted`, `waiting` or `withdrawn`.
    pub state: Standing,
    /// `unknown`, `present`, `absent` (unjustified: uses an entry) or `excused`.
    pub attendance: Attendance,
    /// Who held the seat before it was passed to this person (empty: nobody).
    pub transferred_from: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

impl Enrolment {
    pub fn seat(&self) -> Seat {
        Seat {
            entity_id: self.entity_id,
            standing: self.state,
        }
    }
}

const COLS: &str = "n.id, n.course_id, n.entity_id, e.name, n.position, n.name, n.email, \
    n.state, n.attendance, n.transferred_from, n.created_by, n.created_at, n.updated_at, n.version";

fn row(r: &sqlx::any::AnyRow) -> Result<Enrolment, sqlx::Error> {
    Ok(Enrolment {
        id: r.try_get(0)?,
        course_id: r.try_get(1)?,
        entity_id: r.try_get(2)?,
        entity_name: r.try_get(3)?,
        position: r.try_get(4)?,
        name: r.try_get(5)?,
        email: r.try_get(6)?,
        state: Standing::parse(&r.try_get::<String, _>(7)?).unwrap_or(Standing::Waiting),
        attendance: Attendance::parse(&r.try_get::<String, _>(8)?).unwrap_or(Attendance::Unknown),
        transferred_from: r.try_get(9)?,
        created_by: r.try_get(10)?,
        created_at: r.try_get(11)?,
        updated_at: r.try_get(12)?,
        version: r.try_get(13)?,
    })
}

/// Every sign-up of a course in order, inside a transaction.
pub(crate) async fn all_in(
    tx: &mut WriteTx,
    course_id: i64,
) -> Result<Vec<Enrolment>, TrainingError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM course_enrolments n JOIN entities e ON e.id = n.entity_id \
         WHERE n.course_id = $1 ORDER BY n.position"
    )))
    .bind(course_id)
    .fetch_all(tx.conn())
    .await?;
    Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
}

/// The sign-ups of a course the actor may see, in order.
pub async fn of_course(
    db: &Db,
    actor: &Actor,
    course_id: i64,
) -> Result<Vec<Enrolment>, TrainingError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM course_enrolments n JOIN entities e ON e.id = n.entity_id \
         WHERE n.course_id = $2 AND {} ORDER BY n.position",
        db::entities_in_scope!("n.entity_id", "$1")
    )))
    .bind(actor.scope_param())
    .bind(course_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
}

/// The sign-ups of an entity, newest course first (for its page).
pub async fn of_entity(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
) -> Result<Vec<Enrolment>, TrainingError> {
    reader(actor)?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM course_enrolments n JOIN entities e ON e.id = n.entity_id \
         JOIN courses c ON c.id = n.course_id \
         WHERE n.entity_id = $2 AND {} ORDER BY c.starts_at DESC, n.position LIMIT 500",
        db::entities_in_scope!("n.entity_id", "$1")
    )))
    .bind(actor.scope_param())
    .bind(entity_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
}

async fn one(tx: &mut WriteTx, id: i64) -> Result<Enrolment, TrainingError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM course_enrolments n JOIN entities e ON e.id = n.entity_id WHERE n.id = $1"
    )))
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(TrainingError::EnrolmentNotFound)?;
    Ok(row(&r)?)
}

pub(crate) async fn set_standing(
    tx: &mut WriteTx,
    id: i64,
    s: Standing,
) -> Result<(), TrainingError> {
    sqlx::query(
        "UPDATE course_enrolments SET state = $2, updated_at = $3, version = version + 1 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(s.code())
    .bind(kernel::time::now())
    .execute(tx.conn())
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct EnrolmentDraft {
    pub entity_id: i64,
    pub name: String,
    pub email: String,
}

fn person(name: &str, email: &str) -> Result<(String, String), TrainingError> {
    let mut wrong = vec![];
    let n = name.trim().to_owned();
    if n.is_empty() || n.chars().count() > 200 {
        wrong.push(FieldError::new(
            "name",
            "scrivere nome e cognome (al massimo 200 caratteri)",
        ));
    }
    let e = email.trim().to_lowercase();
    if !mail::is_address(&e) {
        wrong.push(FieldError::new(
            "email",
            "indicare un indirizzo e-mail valido (nome@dominio.it)",
        ));
    }
    if !wrong.is_empty() {
        return Err(TrainingError::Invalid(wrong));
    }
    Ok((n, e))
}

/// The entity, if the actor may act for it (else "not found", as if it did not exist).
async fn entity_in_scope(
    tx: &mut WriteTx,
    actor: &Actor,
    entity_id: i64,
) -> Result<(), TrainingError> {
    if db::scope::sees_entity(tx.conn(), actor, entity_id).await? {
        Ok(())
    } else {
        Err(TrainingError::EntityNotFound)
    }
}

fn must_not_have_started(c: &Course, what: &str) -> Result<(), TrainingError> {
    if c.state == "cancelled" {
        return Err(TrainingError::State(format!(
            "il corso è annullato: {what} non è più possibile"
        )));
    }
    let started = kernel::time::parse(&c.starts_at).is_some_and(|t| t <= chrono::Utc::now());
    if started {
        return Err(TrainingError::State(format!(
            "il corso è già iniziato: {what} non è più possibile"
        )));
    }
    Ok(())
}

/// Signs a person of an entity up (the entity's contact or the staff) while sign-up is open:
/// a seat or the waiting list, by the rules. The same address twice on a course is refused.
pub async fn enrol(
    db: &Db,
    actor: &Actor,
    course_id: i64,
    d: &EnrolmentDraft,
) -> Result<Enrolment, TrainingError> {
    reader(actor)?;
    let mut tx = db.write().await?;
    let course = take(&mut tx, course_id).await?;
    entity_in_scope(&mut tx, actor, d.entity_id).await?;
    let (name, email) = person(&d.name, &d.email)?;
    if course.state != "open" {
        return Err(TrainingError::State(format!(
            "le iscrizioni a questo corso sono chiuse (il corso è {})",
            course.state_italian()
        )));
    }
    let all = all_in(&mut tx, course_id).await?;
    if all
        .iter()
        .any(|x| x.state != Standing::Withdrawn && x.email == email)
    {
        return Err(TrainingError::AlreadyEnrolled(email));
    }
    let seats: Vec<Seat> = all.iter().map(Enrolment::seat).collect();
    let standing = rules::place(course.limits(), &seats, d.entity_id);
    let position = all.last().map_or(1, |x| x.position + 1);
    let now = kernel::time::now();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO course_enrolments (course_id, entity_id, position, name, email, state, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
         RETURNING id",
    )
    .bind(course_id)
    .bind(d.entity_id)
    .bind(position)
    .bind(&name)
    .bind(&email)
    .bind(standing.code())
    .bind(&actor.label)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    let e = one(&mut tx, id).await?;
    notify::enrolment(&mut tx, &course, &e, "new").await?;
    audit_enrolment(&mut tx, actor, "enrol", &e, None).await?;
    tx.commit().await?;
    Ok(e)
}

/// The course of a sign-up the actor may act on (its entity in scope), taken for a change.
async fn take_for(
    tx: &mut WriteTx,
    actor: &Actor,
    id: i64,
) -> Result<(Course, Enrolment), TrainingError> {
    let course_id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT course_id FROM course_enrolments WHERE id = $2 AND {}",
        db::entities_in_scope!("entity_id", "$1")
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(tx.conn())
    .await?
    .ok_or(TrainingError::EnrolmentNotFound)?;
    let c = take(tx, course_id).await?;
    let e = one(tx, id).await?;
    Ok((c, e))
}

/// Withdraws a sign-up (the entity or the staff, before the course starts): a seat it held
/// goes to the first waiting person the rules allow, who is told.
pub async fn withdraw(db: &Db, actor: &Actor, id: i64) -> Result<Enrolment, TrainingError> {
    reader(actor)?;
    let mut tx = db.write().await?;
    let (course, before) = take_for(&mut tx, actor, id).await?;
    if before.state == Standing::Withdrawn {
        return Err(TrainingError::State("l'iscrizione è già ritirata".into()));
    }
    must_not_have_started(&course, "ritirare l'iscrizione")?;
    set_standing(&mut tx, id, Standing::Withdrawn).await?;
    if before.state == Standing::Admitted {
        let all = all_in(&mut tx, course.id).await?;
        let seats: Vec<Seat> = all.iter().map(Enrolment::seat).collect();
        for i in rules::promote(course.limits(), &seats, course.state != "open") {
            set_standing(&mut tx, all[i].id, Standing::Admitted).await?;
            let promoted = one(&mut tx, all[i].id).await?;
            notify::enrolment(&mut tx, &course, &promoted, "promoted").await?;
        }
    }
    let after = one(&mut tx, id).await?;
    notify::enrolment(&mut tx, &course, &after, "withdrawn").await?;
    audit_enrolment(&mut tx, actor, "withdraw", &after, Some(&before)).await?;
    tx.commit().await?;
    Ok(after)
}

/// Passes a sign-up to a colleague of the same entity (before the course starts): the place
/// in the order and the seat stay; both people are told.
pub async fn transfer(
    db: &Db,
    actor: &Actor,
    id: i64,
    name: &str,
    email: &str,
) -> Result<Enrolment, TrainingError> {
    reader(actor)?;
    let mut tx = db.write().await?;
    let (course, before) = take_for(&mut tx, actor, id).await?;
    let (name, email) = person(name, email)?;
    if before.state == Standing::Withdrawn {
        return Err(TrainingError::State(
            "l'iscrizione è ritirata: non si può passare a un collega".into(),
        ));
    }
    must_not_have_started(&course, "passare il posto a un collega")?;
    if email == before.email {
        return Err(TrainingError::Invalid(vec![FieldError::new(
            "email",
            "è l'indirizzo di chi è già iscritto: indicare quello del collega",
        )]));
    }
    let all = all_in(&mut tx, course.id).await?;
    if all
        .iter()
        .any(|x| x.id != id && x.state != Standing::Withdrawn && x.email == email)
    {
        return Err(TrainingError::AlreadyEnrolled(email));
    }
    sqlx::query(
        "UPDATE course_enrolments SET name = $2, email = $3, transferred_from = $4, \
         updated_at = $5, version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(&name)
    .bind(&email)
    .bind(format!("{} <{}>", before.name, before.email))
    .bind(kernel::time::now())
    .execute(tx.conn())
    .await?;
    let after = one(&mut tx, id).await?;
    notify::transferred(&mut tx, &course, &before, &after).await?;
    audit_enrolment(&mut tx, actor, "transfer", &after, Some(&before)).await?;
    tx.commit().await?;
    Ok(after)
}

/// Records a participant's attendance (staff) on a confirmed course.
pub async fn attendance(
    db: &Db,
    actor: &Actor,
    id: i64,
    a: Attendance,
) -> Result<Enrolment, TrainingError> {
    reader(actor)?;
    let mut tx = db.write().await?;
    let (course, before) = take_for(&mut tx, actor, id).await?;
    staff(actor)?;
    if course.state != "confirmed" {
        return Err(TrainingError::State(
            "le presenze si registrano sui corsi confermati".into(),
        ));
    }
    if before.state != Standing::Admitted {
        return Err(TrainingError::State(
            "le presenze si registrano per chi è ammesso al corso".into(),
        ));
    }
    sqlx::query(
        "UPDATE course_enrolments SET attendance = $2, updated_at = $3, version = version + 1 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(a.code())
    .bind(kernel::time::now())
    .execute(tx.conn())
    .await?;
    let after = one(&mut tx, id).await?;
    audit_enrolment(&mut tx, actor, "attendance", &after, Some(&before)).await?;
    tx.commit().await?;
    Ok(after)
}

/// One sign-up the actor may see, with its course.
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<(Course, Enrolment), TrainingError> {
    reader(actor)?;
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM course_enrolments n JOIN entities e ON e.id = n.entity_id \
         WHERE n.id = $2 AND {}",
        db::entities_in_scope!("n.entity_id", "$1")
    )))
    .bind(actor.scope_param())
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(TrainingError::EnrolmentNotFound)?;
    let e = row(&r)?;
    let c = super::get(db, actor, e.course_id).await?;
    Ok((c, e))
}

fn enrolment_audit(e: &Enrolment) -> String {
    json!({
        "course_id": e.course_id, "entity_id": e.entity_id, "position": e.position,
        "name": e.name, "email": e.email, "state": e.state.code(),
        "attendance": e.attendance.code(), "transferred_from": e.transferred_from,
    })
    .to_string()
}

async fn audit_enrolment(
    tx: &mut WriteTx,
    actor: &Actor,
    action: &str,
    e: &Enrolment,
    before: Option<&Enrolment>,
) -> Result<(), TrainingError> {
    audit::append(
        tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: action.into(),
            object_type: "course_enrolment".into(),
            object_id: e.id.to_string(),
            entity_id: Some(e.entity_id),
            before: before.map(enrolment_audit),
            after: Some(enrolment_audit(e)),
        },
    )
    .await?;
    Ok(())
}
