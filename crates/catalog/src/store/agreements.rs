//! Membership agreements (*convenzioni*) in the database.

use chrono::{Days, NaiveDate};
use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::time::display_date;
use kernel::Actor;
use serde::Deserialize;
use sqlx::Row;

use super::date;
use crate::agreement::{end_of_term, Agreement, Status, MAX_TERM_YEARS};
use crate::CatalogError;

const COLS: &str = "id, entity_id, number, start_date, end_date, term_years, status, signed_on, \
                    terminated_on, termination_reason, renews_id, notes, version";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Agreement, sqlx::Error> {
    let opt = |c: &str| -> Result<Option<NaiveDate>, sqlx::Error> {
        r.try_get::<Option<String>, _>(c)?
            .as_deref()
            .map(date)
            .transpose()
    };
    let status: String = r.try_get("status")?;
    Ok(Agreement {
        id: r.try_get("id")?,
        entity_id: r.try_get("entity_id")?,
        number: r.try_get("number")?,
        start_date: date(&r.try_get::<String, _>("start_date")?)?,
        end_date: date(&r.try_get::<String, _>("end_date")?)?,
        term_years: u32::try_from(r.try_get::<i64, _>("term_years")?).unwrap_or(0),
        status: Status::parse(&status)
            .ok_or_else(|| sqlx::Error::Decode(format!("stato «{status}» sconosciuto").into()))?,
        signed_on: opt("signed_on")?,
        terminated_on: opt("terminated_on")?,
        termination_reason: r.try_get("termination_reason")?,
        renews_id: r.try_get("renews_id")?,
        notes: r.try_get("notes")?,
        version: r.try_get("version")?,
    })
}

async fn of_entity(
    conn: &mut sqlx::AnyConnection,
    entity_id: i64,
) -> Result<Vec<Agreement>, CatalogError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM agreements WHERE entity_id = $1 ORDER BY start_date DESC, id DESC"
    )))
    .bind(entity_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// The agreements of an entity the actor may see, latest first.
pub async fn list(db: &Db, actor: &Actor, entity_id: i64) -> Result<Vec<Agreement>, CatalogError> {
    members::store::get(db, actor, entity_id).await?;
    of_entity(&mut *db.pool().acquire().await?, entity_id).await
}

pub async fn get(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    id: i64,
) -> Result<Agreement, CatalogError> {
    list(db, actor, entity_id)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(CatalogError::NoAgreement)
}

/// The SQL condition "agreement `a` gives access to services on the date bound as `day`":
/// the one definition of `Agreement::in_force_on` in SQL, for every query that needs it.
pub fn in_force_sql(day: &str) -> String {
    format!(
        "a.status <> 'draft' AND a.start_date <= {day} AND a.end_date >= {day} \
         AND (a.terminated_on IS NULL OR a.terminated_on >= {day})"
    )
}

/// The agreement giving the entity access to services on `day`, if any.
pub async fn in_force(
    conn: &mut sqlx::AnyConnection,
    entity_id: i64,
    day: NaiveDate,
) -> Result<Option<Agreement>, CatalogError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM agreements a WHERE a.entity_id = $1 AND {} LIMIT 1",
        in_force_sql("$2")
    )))
    .bind(entity_id)
    .bind(day.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Refuses to charge an entity that has no agreement in force on `day`.
pub async fn ensure_chargeable(
    conn: &mut sqlx::AnyConnection,
    entity_id: i64,
    day: NaiveDate,
) -> Result<Agreement, CatalogError> {
    in_force(conn, entity_id, day)
        .await?
        .ok_or_else(|| CatalogError::NotChargeable(display_date(day)))
}

/// A new agreement, as written in a form or an API call.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementDraft {
    #[serde(default)]
    pub number: String,
    pub start_date: Option<NaiveDate>,
    /// Years; the end date is the day before the last anniversary.
    pub term_years: Option<u32>,
    /// Explicit end date, for agreements whose term is not whole years.
    pub end_date: Option<NaiveDate>,
    #[serde(default)]
    pub notes: String,
    /// Signed already (state active from its start).
    #[serde(default)]
    pub signed: bool,
    pub signed_on: Option<NaiveDate>,
}

fn refused(msg: impl Into<String>) -> CatalogError {
    CatalogError::AgreementRefused(msg.into())
}

fn staff(actor: &Actor) -> Result<(), CatalogError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(CatalogError::StaffOnly)
    }
}

/// Dates and term of a draft, checked; every field error at once.
fn period(d: &AgreementDraft) -> Result<(NaiveDate, NaiveDate, u32), CatalogError> {
    let mut errors = Vec::new();
    let start = d.start_date;
    if start.is_none() {
        errors.push(members::FieldError::new(
            "start_date",
            "la data di inizio è obbligatoria",
        ));
    }
    let term = d.term_years.unwrap_or(0);
    if d.term_years.is_some() && !(1..=MAX_TERM_YEARS).contains(&term) {
        errors.push(members::FieldError::new(
            "term_years",
            format!("la durata va da 1 a {MAX_TERM_YEARS} anni"),
        ));
    }
    if d.term_years.is_none() && d.end_date.is_none() {
        errors.push(members::FieldError::new(
            "term_years",
            "indicare la durata in anni oppure la data di fine",
        ));
    }
    if d.number.chars().count() > 100 {
        errors.push(members::FieldError::new(
            "number",
            "il numero supera i 100 caratteri",
        ));
    }
    let mut out = None;
    if let Some(start) = start {
        let end = match (d.end_date, d.term_years) {
            (Some(e), _) => Some(e),
            (None, Some(t)) if (1..=MAX_TERM_YEARS).contains(&t) => end_of_term(start, t),
            _ => None,
        };
        if let Some(end) = end {
            if end < start {
                errors.push(members::FieldError::new(
                    "end_date",
                    "la data di fine precede quella di inizio",
                ));
            } else {
                let years = if d.term_years.is_some() {
                    term
                } else {
                    // Whole years covered, at least 1.
                    u32::try_from(((end - start).num_days() + 1) / 365)
                        .unwrap_or(1)
                        .max(1)
                };
                out = Some((start, end, years));
            }
        }
    }
    match out {
        Some(p) if errors.is_empty() => Ok(p),
        _ => Err(CatalogError::Invalid(errors)),
    }
}

/// Refuses a signed agreement whose period overlaps another signed one of the same entity.
async fn no_overlap(conn: &mut sqlx::AnyConnection, a: &Agreement) -> Result<(), CatalogError> {
    for other in of_entity(conn, a.entity_id).await? {
        if other.id != a.id && other.status != Status::Draft && other.overlaps(a) {
            return Err(refused(format!(
                "il periodo si sovrappone alla convenzione {}dal {} al {}",
                if other.number.is_empty() {
                    String::new()
                } else {
                    format!("n. {} ", other.number)
                },
                display_date(other.start_date),
                display_date(other.last_day())
            )));
        }
    }
    Ok(())
}

fn json(a: &Agreement) -> Option<String> {
    serde_json::to_string(a).ok()
}

async fn insert(conn: &mut sqlx::AnyConnection, a: &Agreement) -> Result<i64, CatalogError> {
    let now = kernel::time::now();
    Ok(sqlx::query_scalar(
        "INSERT INTO agreements (entity_id, number, start_date, end_date, term_years, status, \
         signed_on, terminated_on, termination_reason, renews_id, notes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, '', $8, $9, $10, $10) RETURNING id",
    )
    .bind(a.entity_id)
    .bind(&a.number)
    .bind(a.start_date.to_string())
    .bind(a.end_date.to_string())
    .bind(i64::from(a.term_years))
    .bind(a.status.as_str())
    .bind(a.signed_on.map(|d| d.to_string()))
    .bind(a.renews_id)
    .bind(&a.notes)
    .bind(&now)
    .fetch_one(conn)
    .await?)
}

/// Records an agreement (staff only).
pub async fn create(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    draft: &AgreementDraft,
) -> Result<Agreement, CatalogError> {
    staff(actor)?;
    members::store::get(db, actor, entity_id).await?;
    let (start, end, years) = period(draft)?;
    let mut a = Agreement {
        id: 0,
        entity_id,
        number: draft.number.trim().to_owned(),
        start_date: start,
        end_date: end,
        term_years: years,
        status: if draft.signed {
            Status::Signed
        } else {
            Status::Draft
        },
        signed_on: if draft.signed {
            Some(draft.signed_on.unwrap_or(kernel::time::today()))
        } else {
            None
        },
        terminated_on: None,
        termination_reason: String::new(),
        renews_id: None,
        notes: draft.notes.trim().to_owned(),
        version: 1,
    };
    let mut tx = db.write().await?;
    if a.status == Status::Signed {
        no_overlap(tx.conn(), &a).await?;
    }
    a.id = insert(tx.conn(), &a).await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "agreement".into(),
            object_id: a.id.to_string(),
            entity_id: Some(entity_id),
            before: None,
            after: json(&a),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(a)
}

/// A change to an agreement: edit a draft's fields, sign it, or terminate a signed one.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementChange {
    pub number: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub term_years: Option<u32>,
    pub end_date: Option<NaiveDate>,
    pub notes: Option<String>,
    /// `signed` (from a draft) or `terminated` (from signed).
    pub status: Option<String>,
    pub signed_on: Option<NaiveDate>,
    /// The last day in force when terminating (default: today).
    pub terminated_on: Option<NaiveDate>,
    pub termination_reason: Option<String>,
    /// The version read (API): the change is refused if the agreement changed since. The
    /// caller passes it to [`update`] as `expected_version`.
    #[serde(default)]
    pub version: Option<i64>,
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    id: i64,
    change: &AgreementChange,
    expected_version: Option<i64>,
) -> Result<Agreement, CatalogError> {
    staff(actor)?;
    members::store::get(db, actor, entity_id).await?;
    let mut tx = db.write().await?;
    let before = of_entity(tx.conn(), entity_id)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(CatalogError::NoAgreement)?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(CatalogError::Conflict);
    }
    let mut a = before.clone();
    let edits_terms = change.number.is_some()
        || change.start_date.is_some()
        || change.term_years.is_some()
        || change.end_date.is_some();
    if edits_terms {
        if before.status != Status::Draft {
            return Err(refused(
                "una convenzione firmata non si modifica: si cessa o si rinnova",
            ));
        }
        let draft = AgreementDraft {
            number: change.number.clone().unwrap_or(before.number.clone()),
            start_date: Some(change.start_date.unwrap_or(before.start_date)),
            term_years: change.term_years.or(if change.end_date.is_some() {
                None
            } else {
                Some(before.term_years)
            }),
            end_date: change.end_date,
            notes: String::new(),
            signed: false,
            signed_on: None,
        };
        let (s, e, y) = period(&draft)?;
        a.number = draft.number.trim().to_owned();
        a.start_date = s;
        a.end_date = e;
        a.term_years = y;
    }
    if let Some(n) = &change.notes {
        a.notes = n.trim().to_owned();
    }
    let mut action = "update";
    match change.status.as_deref() {
        None => {}
        Some("signed") => {
            if before.status != Status::Draft {
                return Err(refused("si firma solo una convenzione in bozza"));
            }
            a.status = Status::Signed;
            a.signed_on = Some(change.signed_on.unwrap_or(kernel::time::today()));
            no_overlap(tx.conn(), &a).await?;
            action = "sign";
        }
        Some("terminated") => {
            if before.status != Status::Signed {
                return Err(refused("si cessa solo una convenzione firmata"));
            }
            let on = change.terminated_on.unwrap_or(kernel::time::today());
            if on
                < a.start_date
                    .checked_sub_days(Days::new(1))
                    .unwrap_or(a.start_date)
                || on > a.end_date
            {
                return Err(CatalogError::field(
                    "terminated_on",
                    format!(
                        "la cessazione deve cadere tra il {} e il {}",
                        display_date(a.start_date),
                        display_date(a.end_date)
                    ),
                ));
            }
            a.status = Status::Terminated;
            a.terminated_on = Some(on);
            a.termination_reason = change
                .termination_reason
                .clone()
                .unwrap_or_default()
                .trim()
                .to_owned();
            action = "terminate";
        }
        Some(other) => {
            return Err(CatalogError::field(
                "status",
                format!("«{other}»: indicare signed (firma) o terminated (cessazione)"),
            ))
        }
    }
    sqlx::query(
        "UPDATE agreements SET number = $1, start_date = $2, end_date = $3, term_years = $4, \
         status = $5, signed_on = $6, terminated_on = $7, termination_reason = $8, notes = $9, \
         version = version + 1, updated_at = $10 WHERE id = $11",
    )
    .bind(&a.number)
    .bind(a.start_date.to_string())
    .bind(a.end_date.to_string())
    .bind(i64::from(a.term_years))
    .bind(a.status.as_str())
    .bind(a.signed_on.map(|d| d.to_string()))
    .bind(a.terminated_on.map(|d| d.to_string()))
    .bind(&a.termination_reason)
    .bind(&a.notes)
    .bind(kernel::time::now())
    .bind(id)
    .execute(tx.conn())
    .await?;
    a.version += 1;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: action.into(),
            object_type: "agreement".into(),
            object_id: id.to_string(),
            entity_id: Some(entity_id),
            before: json(&before),
            after: json(&a),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(a)
}

/// The renewal of a signed agreement: a draft with the same term, starting the day after it
/// ends. Refused when the agreement was terminated or already renewed.
pub async fn renew(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    id: i64,
) -> Result<Agreement, CatalogError> {
    staff(actor)?;
    members::store::get(db, actor, entity_id).await?;
    let mut tx = db.write().await?;
    let all = of_entity(tx.conn(), entity_id).await?;
    let old = all
        .iter()
        .find(|a| a.id == id)
        .ok_or(CatalogError::NoAgreement)?;
    if old.status != Status::Signed {
        return Err(refused(
            "si rinnova solo una convenzione firmata e non cessata",
        ));
    }
    if all.iter().any(|a| a.renews_id == Some(id)) {
        return Err(refused("la convenzione è già stata rinnovata"));
    }
    let start = old
        .end_date
        .checked_add_days(Days::new(1))
        .ok_or_else(|| refused("data di fine non valida"))?;
    let mut a = Agreement {
        id: 0,
        entity_id,
        number: String::new(),
        start_date: start,
        end_date: end_of_term(start, old.term_years).ok_or_else(|| refused("durata non valida"))?,
        term_years: old.term_years,
        status: Status::Draft,
        signed_on: None,
        terminated_on: None,
        termination_reason: String::new(),
        renews_id: Some(id),
        notes: String::new(),
        version: 1,
    };
    a.id = insert(tx.conn(), &a).await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "renew".into(),
            object_type: "agreement".into(),
            object_id: a.id.to_string(),
            entity_id: Some(entity_id),
            before: None,
            after: json(&a),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(a)
}

/// Signed agreements of the entities the actor may see whose last day falls from `today` to
/// `today + days` (inclusive), soonest first, with the entity's name: what must be renewed.
pub async fn ending_within(
    db: &Db,
    actor: &Actor,
    today: NaiveDate,
    days: u64,
) -> Result<Vec<(Agreement, String)>, CatalogError> {
    let until = today
        .checked_add_days(Days::new(days))
        .unwrap_or(NaiveDate::MAX);
    // The last day is the end, or an earlier termination date.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {}, e.name AS entity_name FROM agreements a JOIN entities e ON e.id = a.entity_id \
         WHERE {} AND a.status IN ('signed', 'terminated') \
         AND (CASE WHEN a.terminated_on IS NOT NULL AND a.terminated_on < a.end_date \
              THEN a.terminated_on ELSE a.end_date END) BETWEEN $2 AND $3 \
         ORDER BY a.end_date, e.name LIMIT 200",
        COLS.split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        db::entities_in_scope!("a.entity_id", "$1"),
    )))
    .bind(actor.scope_param())
    .bind(today.to_string())
    .bind(until.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((from_row(r)?, r.try_get("entity_name")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(CatalogError::from)
}

/// For each entity the actor may see (at most `limit`, by name), the agreement that matters on
/// `today`: the one in force, else the latest; `None` when it has none.
pub async fn current(
    db: &Db,
    actor: &Actor,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<(i64, String, Option<Agreement>)>, CatalogError> {
    let entities = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT e.id, e.name FROM entities e WHERE {} ORDER BY e.name, e.id LIMIT $2",
        db::entities_in_scope!("e.id", "$1")
    )))
    .bind(actor.scope_param())
    .bind(limit.clamp(1, 500))
    .fetch_all(db.pool())
    .await?;
    let mut conn = db.pool().acquire().await?;
    let mut out = Vec::new();
    for r in &entities {
        let id: i64 = r.try_get("id")?;
        let all = of_entity(&mut conn, id).await?;
        let pick = all
            .iter()
            .find(|a| a.in_force_on(today))
            .or_else(|| all.first())
            .cloned();
        out.push((id, r.try_get("name")?, pick));
    }
    Ok(out)
}
