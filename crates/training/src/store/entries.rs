//! Each entity's entries (*ingressi*) of a calendar year, what its people's participations used
//! of them, and what a year's courses charge each entity (read by the billing run):
//! Academy participations beyond the entries at 20% off the course's price, and each LTT
//! class's cost split among its participants.

use std::collections::BTreeMap;

use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::{Actor, Euro, FieldError};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use super::{reader, staff, Kind};
use crate::rules::{self, Attendance, Participation, Use};
use crate::TrainingError;

/// The most entries an entity may have in a year.
pub const MAX_ENTRIES: i64 = 10_000;

/// One participation and what paid for it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UseLine {
    pub course_id: i64,
    pub course_title: String,
    pub starts_at: String,
    pub enrolment_id: i64,
    pub name: String,
    pub attendance: Attendance,
    /// `entry`, `extra` (charged at 20% off) or `nothing` (justified absence).
    #[serde(rename = "use")]
    pub used: Use,
    /// What the extra entry costs (euros; `0.00` otherwise).
    pub amount: String,
}

/// An entity's year of Academy courses.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearUse {
    pub entity_id: i64,
    pub year: i32,
    pub entries: i64,
    pub used: i64,
    pub extra: i64,
    /// What the extra entries cost so far (euros).
    pub extra_amount: String,
    pub participations: Vec<UseLine>,
}

/// A charge of a year's courses to an entity, as the billing run takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// Unique per entity and year: `corso:{course}:{enrolment}` or `corso:{course}`.
    pub key: String,
    pub text: String,
    pub amount: Euro,
    pub source: String,
}

async fn entity_visible(db: &Db, actor: &Actor, entity_id: i64) -> Result<(), TrainingError> {
    let mut conn = db.pool().acquire().await?;
    if db::scope::sees_entity(&mut conn, actor, entity_id).await? {
        Ok(())
    } else {
        Err(TrainingError::EntityNotFound)
    }
}

fn check_year(year: i64) -> Result<i32, TrainingError> {
    if !(2000..=2100).contains(&year) {
        return Err(TrainingError::Invalid(vec![FieldError::new(
            "year",
            "anno non valido: tra 2000 e 2100",
        )]));
    }
    Ok(i32::try_from(year).unwrap_or(2000))
}

/// Sets an entity's entries for a year (staff).
pub async fn set(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    year: i64,
    entries: i64,
) -> Result<YearUse, TrainingError> {
    reader(actor)?;
    entity_visible(db, actor, entity_id).await?;
    staff(actor)?;
    let year = check_year(year)?;
    if !(0..=MAX_ENTRIES).contains(&entries) {
        return Err(TrainingError::Invalid(vec![FieldError::new(
            "entries",
            "gli ingressi sono un numero intero da 0 a 10.000",
        )]));
    }
    let mut tx = db.write().await?;
    let before: Option<i64> = sqlx::query_scalar(
        "SELECT entries FROM training_entries WHERE entity_id = $1 AND year = $2",
    )
    .bind(entity_id)
    .bind(i64::from(year))
    .fetch_optional(tx.conn())
    .await?;
    let now = kernel::time::now();
    if before.is_some() {
        sqlx::query(
            "UPDATE training_entries SET entries = $3, updated_by = $4, updated_at = $5 \
             WHERE entity_id = $1 AND year = $2",
        )
    } else {
        sqlx::query(
            "INSERT INTO training_entries (entity_id, year, entries, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
    }
    .bind(entity_id)
    .bind(i64::from(year))
    .bind(entries)
    .bind(&actor.label)
    .bind(&now)
    .execute(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "set_entries".into(),
            object_type: "training_entries".into(),
            object_id: format!("{entity_id}:{year}"),
            entity_id: Some(entity_id),
            before: before.map(|b| json!({"year": year, "entries": b}).to_string()),
            after: Some(json!({"year": year, "entries": entries}).to_string()),
        },
    )
    .await?;
    tx.commit().await?;
    year_use(db, actor, entity_id, i64::from(year)).await
}

/// An entity's entries of a year and what used them, in the order they were used.
pub async fn year_use(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    year: i64,
) -> Result<YearUse, TrainingError> {
    reader(actor)?;
    entity_visible(db, actor, entity_id).await?;
    let year = check_year(year)?;
    let entries = entries_of(db, year).await?;
    let rows = participations(db, year, Some(entity_id)).await?;
    let mine = rows
        .into_iter()
        .filter(|p| p.kind == Kind::Academy)
        .collect::<Vec<_>>();
    let n = entries.get(&entity_id).copied().unwrap_or(0);
    Ok(summarise(entity_id, year, n, &mine))
}

fn summarise(entity_id: i64, year: i32, entries: i64, ps: &[Row_]) -> YearUse {
    let uses = rules::uses(
        u32::try_from(entries).unwrap_or(0),
        &ps.iter()
            .map(|p| Participation {
                attendance: p.attendance,
            })
            .collect::<Vec<_>>(),
    );
    let mut total = Euro::ZERO;
    let participations: Vec<UseLine> = ps
        .iter()
        .zip(&uses)
        .map(|(p, u)| {
            let amount = if *u == Use::Extra {
                rules::extra_price(p.price)
            } else {
                Euro::ZERO
            };
            total = total + amount;
            UseLine {
                course_id: p.course_id,
                course_title: p.title.clone(),
                starts_at: p.starts_at.clone(),
                enrolment_id: p.enrolment_id,
                name: p.name.clone(),
                attendance: p.attendance,
                used: *u,
                amount: amount.to_decimal_string(),
            }
        })
        .collect();
    YearUse {
        entity_id,
        year,
        entries,
        used: uses.iter().filter(|u| **u == Use::Entry).count() as i64,
        extra: uses.iter().filter(|u| **u == Use::Extra).count() as i64,
        extra_amount: total.to_decimal_string(),
        participations,
    }
}

async fn entries_of(db: &Db, year: i32) -> Result<BTreeMap<i64, i64>, TrainingError> {
    let rows = sqlx::query("SELECT entity_id, entries FROM training_entries WHERE year = $1")
        .bind(i64::from(year))
        .fetch_all(db.pool())
        .await?;
    let mut out = BTreeMap::new();
    for r in &rows {
        out.insert(r.try_get::<i64, _>(0)?, r.try_get::<i64, _>(1)?);
    }
    Ok(out)
}

/// An admitted person of a confirmed course of the year.
struct Row_ {
    entity_id: i64,
    course_id: i64,
    kind: Kind,
    title: String,
    starts_at: String,
    price: Euro,
    hours: i64,
    enrolment_id: i64,
    name: String,
    attendance: Attendance,
}

/// The admitted people of the year's confirmed courses (of one entity, or all), in the order
/// entries are used: the course's start, the course, the sign-up order.
async fn participations(
    db: &Db,
    year: i32,
    entity: Option<i64>,
) -> Result<Vec<Row_>, TrainingError> {
    let rows = sqlx::query(
        "SELECT n.entity_id, c.id, c.kind, c.title, c.starts_at, c.price_cents, \
         (SELECT CAST(COALESCE(SUM(s.hours), 0) AS BIGINT) FROM course_sessions s WHERE s.course_id = c.id), \
         n.id, n.name, n.attendance \
         FROM course_enrolments n JOIN courses c ON c.id = n.course_id \
         WHERE c.year = $1 AND c.state = 'confirmed' AND n.state = 'admitted' \
         AND ($2 = 0 OR n.entity_id = $2) ORDER BY c.starts_at, c.id, n.position",
    )
    .bind(i64::from(year))
    .bind(entity.unwrap_or(0))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Row_ {
                entity_id: r.try_get(0)?,
                course_id: r.try_get(1)?,
                kind: Kind::parse(&r.try_get::<String, _>(2)?).unwrap_or(Kind::Academy),
                title: r.try_get(3)?,
                starts_at: r.try_get(4)?,
                price: Euro::from_cents(r.try_get(5)?),
                hours: r.try_get(6)?,
                enrolment_id: r.try_get(7)?,
                name: r.try_get(8)?,
                attendance: Attendance::parse(&r.try_get::<String, _>(9)?)
                    .unwrap_or(Attendance::Unknown),
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(TrainingError::from)
}

/// What the year's courses charge, by entity: the Academy's extra entries and the LTT shares.
pub async fn charges(db: &Db, year: i32) -> Result<BTreeMap<i64, Vec<Charge>>, TrainingError> {
    let entries = entries_of(db, year).await?;
    let all = participations(db, year, None).await?;
    let mut out: BTreeMap<i64, Vec<Charge>> = BTreeMap::new();
    // Academy: each entity's participations against its entries.
    let mut academy: BTreeMap<i64, Vec<Row_>> = BTreeMap::new();
    let mut ltt: BTreeMap<i64, Vec<Row_>> = BTreeMap::new();
    for p in all {
        match p.kind {
            Kind::Academy => academy.entry(p.entity_id).or_default().push(p),
            Kind::Ltt => ltt.entry(p.course_id).or_default().push(p),
        }
    }
    for (entity_id, ps) in &academy {
        let y = summarise(
            *entity_id,
            year,
            entries.get(entity_id).copied().unwrap_or(0),
            ps,
        );
        for (p, line) in ps.iter().zip(&y.participations) {
            if line.used != Use::Extra || p.price == Euro::ZERO {
                continue;
            }
            out.entry(*entity_id).or_default().push(Charge {
                key: format!("corso:{}:{}", p.course_id, p.enrolment_id),
                text: format!(
                    "Corso «{}» del {}: ingresso aggiuntivo per {} (oltre gli ingressi \
                     dell'anno, sconto del 20%)",
                    p.title,
                    day(&p.starts_at),
                    p.name
                ),
                amount: rules::extra_price(p.price),
                source: format!("/api/v1/courses/{}", p.course_id),
            });
        }
    }
    // LTT: the class's cost (the price per 4 hours) split by people among the entities.
    for (course_id, ps) in &ltt {
        let Some(first) = ps.first() else { continue };
        let total = ltt_total(first.price, first.hours);
        let mut people: Vec<(i64, u32)> = vec![];
        for p in ps {
            match people.iter_mut().find(|(e, _)| *e == p.entity_id) {
                Some(x) => x.1 += 1,
                None => people.push((p.entity_id, 1)),
            }
        }
        let n = ps.len();
        for ((entity_id, share), (_, k)) in rules::split(total, &people).into_iter().zip(&people) {
            out.entry(entity_id).or_default().push(Charge {
                key: format!("corso:{course_id}"),
                text: format!(
                    "Aula LTT «{}» del {} ({} ore, {} partecipanti, {} in tutto): quota per \
                     {} {}",
                    first.title,
                    day(&first.starts_at),
                    first.hours,
                    n,
                    total.to_italian(),
                    k,
                    if *k == 1 { "persona" } else { "persone" }
                ),
                amount: share,
                source: format!("/api/v1/courses/{course_id}"),
            });
        }
    }
    Ok(out)
}

/// An LTT class's cost: the price of a 4-hour session for every 4 hours (to the cent).
pub fn ltt_total(per_session: Euro, hours: i64) -> Euro {
    let c = i128::from(per_session.cents()) * i128::from(hours);
    let cents = (c + 2) / 4;
    Euro::from_cents(i64::try_from(cents).unwrap_or(i64::MAX))
}

fn day(stored: &str) -> String {
    kernel::time::parse(stored)
        .map(|t| kernel::time::display_date(t.with_timezone(&kernel::time::ROME).date_naive()))
        .unwrap_or_default()
}
