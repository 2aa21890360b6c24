//! Statements: drafts written by the runs, issued (numbered per year, frozen) by an admin.
//! A contact sees their entities' issued statements; staff see drafts too.

use std::collections::HashMap;

use chrono::NaiveDate;
use db::Db;
use kernel::{Actor, Euro};
use serde::Serialize;
use sqlx::Row;

use super::date;
use crate::engine::{Charge, LineKind};
use crate::vat::{self, Vat};
use crate::BillingError;

/// A line about to be written to a draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftLine {
    pub charge: Charge,
    pub vat: Vat,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    pub position: i64,
    pub kind: LineKind,
    pub key: String,
    pub source: String,
    pub text: String,
    pub service: String,
    pub item: String,
    pub amount: Euro,
    pub vat: Vat,
    pub adjusts: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub id: i64,
    pub entity_id: i64,
    pub entity_name: String,
    pub year: i32,
    /// draft | issued | invoiced | paid
    pub state: String,
    pub number: Option<String>,
    pub net: Euro,
    pub vat: Euro,
    pub total: Euro,
    pub payable: Euro,
    pub paid: Euro,
    pub split_payment: bool,
    pub cig: Option<String>,
    pub cup: Option<String>,
    pub notice_code: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub issued_by: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub run_id: Option<i64>,
    pub version: i64,
    pub lines: Vec<Line>,
}

impl Statement {
    /// A statement whose net is negative gives money back: a credit note.
    pub fn is_credit(&self) -> bool {
        self.net < Euro::ZERO
    }

    /// Italian, for pages.
    pub fn state_label(&self) -> &'static str {
        state_label(&self.state)
    }
}

pub fn state_label(state: &str) -> &'static str {
    match state {
        "draft" => "Bozza",
        "issued" => "Emesso",
        "invoiced" => "Fatturato",
        "paid" => "Pagato",
        _ => "?",
    }
}

pub(crate) const IN_SCOPE: &str = db::entities_in_scope!("s.entity_id", "$1");

pub(crate) const COLS: &str =
    "s.id, s.entity_id, e.name, s.year, s.state, s.number, s.net_cents, s.vat_cents, \
    s.total_cents, s.payable_cents, s.paid_cents, s.split_payment, s.cig, s.cup, s.notice_code, \
    s.issued_on, s.issued_by, s.due_on, s.run_id, s.version";

pub(crate) fn statement_row(r: &sqlx::any::AnyRow) -> Result<Statement, sqlx::Error> {
    let opt_date = |v: Option<String>| v.as_deref().map(date).transpose();
    Ok(Statement {
        id: r.try_get(0)?,
        entity_id: r.try_get(1)?,
        entity_name: r.try_get(2)?,
        year: i32::try_from(r.try_get::<i64, _>(3)?).unwrap_or(0),
        state: r.try_get(4)?,
        number: r.try_get(5)?,
        net: Euro::from_cents(r.try_get(6)?),
        vat: Euro::from_cents(r.try_get(7)?),
        total: Euro::from_cents(r.try_get(8)?),
        payable: Euro::from_cents(r.try_get(9)?),
        paid: Euro::from_cents(r.try_get(10)?),
        split_payment: r.try_get::<i64, _>(11)? == 1,
        cig: r.try_get(12)?,
        cup: r.try_get(13)?,
        notice_code: r.try_get(14)?,
        issued_on: opt_date(r.try_get(15)?)?,
        issued_by: r.try_get(16)?,
        due_on: opt_date(r.try_get(17)?)?,
        run_id: r.try_get(18)?,
        version: r.try_get(19)?,
        lines: vec![],
    })
}

fn vat_json(v: &Vat) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn line_row(r: &sqlx::any::AnyRow) -> Result<(i64, Line), sqlx::Error> {
    let vat: String = r.try_get(9)?;
    Ok((
        r.try_get(0)?,
        Line {
            position: r.try_get(1)?,
            kind: LineKind::parse(&r.try_get::<String, _>(2)?).unwrap_or(LineKind::Yearly),
            key: r.try_get(3)?,
            source: r.try_get(4)?,
            text: r.try_get(5)?,
            service: r.try_get(6)?,
            item: r.try_get(7)?,
            amount: Euro::from_cents(r.try_get(8)?),
            vat: serde_json::from_str(&vat).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            adjusts: r.try_get::<i64, _>(10)? == 1,
        },
    ))
}

const LINE_COLS: &str = "statement_id, position, kind, source_key, source, text, service_code, \
    item_code, amount_cents, vat_json, adjusts";

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

async fn lines_of(
    conn: &mut sqlx::AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<Line>>, sqlx::Error> {
    let mut out: HashMap<i64, Vec<Line>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {LINE_COLS} FROM statement_lines WHERE statement_id IN ({}) \
             ORDER BY statement_id, position",
            id_list(chunk)
        )))
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            let (sid, line) = line_row(r)?;
            out.entry(sid).or_default().push(line);
        }
    }
    Ok(out)
}

fn same(old: &[Line], new: &[DraftLine]) -> bool {
    old.len() == new.len()
        && old.iter().zip(new).all(|(o, n)| {
            o.key == n.charge.key
                && o.amount == n.charge.amount
                && o.text == n.charge.text
                && o.kind == n.charge.kind
                && o.vat == n.vat
                && o.adjusts == n.charge.adjusts
                && o.source == n.charge.source
        })
}

/// Writes the drafts of `entities` for `year` (one transaction): a draft whose lines did not
/// change is left alone, an empty one is removed. Returns the lines written.
pub(crate) async fn write_drafts(
    db: &Db,
    year: i32,
    run_id: i64,
    entities: &[i64],
    drafts: &HashMap<i64, Vec<DraftLine>>,
    split_payment: bool,
) -> Result<i64, BillingError> {
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, entity_id FROM statements WHERE year = $1 AND state = 'draft' \
         AND entity_id IN ({})",
        id_list(entities)
    )))
    .bind(i64::from(year))
    .fetch_all(tx.conn())
    .await?;
    let mut existing: HashMap<i64, i64> = HashMap::new();
    for r in &rows {
        existing.insert(r.try_get(1)?, r.try_get(0)?);
    }
    let ids: Vec<i64> = existing.values().copied().collect();
    let old = lines_of(tx.conn(), &ids).await?;
    let none: Vec<DraftLine> = vec![];
    let mut written = 0i64;
    for entity in entities {
        let new = drafts.get(entity).unwrap_or(&none);
        let draft = existing.get(entity).copied();
        if let Some(sid) = draft {
            if same(old.get(&sid).map_or(&[][..], |v| v.as_slice()), new) {
                continue;
            }
            sqlx::query("DELETE FROM statement_lines WHERE statement_id = $1")
                .bind(sid)
                .execute(tx.conn())
                .await?;
            if new.is_empty() {
                sqlx::query("DELETE FROM statements WHERE id = $1")
                    .bind(sid)
                    .execute(tx.conn())
                    .await?;
                continue;
            }
        } else if new.is_empty() {
            continue;
        }
        let t = vat::totals(new.iter().map(|l| (l.charge.amount, &l.vat)), split_payment);
        let sid = match draft {
            Some(sid) => {
                sqlx::query(
                    "UPDATE statements SET net_cents = $1, vat_cents = $2, total_cents = $3, \
                     payable_cents = $4, split_payment = $5, run_id = $6, version = version + 1, \
                     updated_at = $7 WHERE id = $8",
                )
                .bind(t.net.cents())
                .bind(t.vat.cents())
                .bind(t.total.cents())
                .bind(t.payable.cents())
                .bind(i64::from(split_payment))
                .bind(run_id)
                .bind(&now)
                .bind(sid)
                .execute(tx.conn())
                .await?;
                sid
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO statements (entity_id, year, state, net_cents, vat_cents, \
                     total_cents, payable_cents, split_payment, run_id, created_at, updated_at) \
                     VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                )
                .bind(*entity)
                .bind(i64::from(year))
                .bind(t.net.cents())
                .bind(t.vat.cents())
                .bind(t.total.cents())
                .bind(t.payable.cents())
                .bind(i64::from(split_payment))
                .bind(run_id)
                .bind(&now)
                .fetch_one(tx.conn())
                .await?
            }
        };
        for (n, chunk) in new.chunks(60).enumerate() {
            let mut sql = format!("INSERT INTO statement_lines ({LINE_COLS}) VALUES ");
            for i in 0..chunk.len() {
                let b = i * 11;
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 8,
                    b + 9,
                    b + 10,
                    b + 11
                ));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (i, l) in chunk.iter().enumerate() {
                let c = &l.charge;
                q = q
                    .bind(sid)
                    .bind((n * 60 + i + 1) as i64)
                    .bind(c.kind.code())
                    .bind(c.key.clone())
                    .bind(c.source.clone())
                    .bind(c.text.clone())
                    .bind(c.service.clone())
                    .bind(c.item.clone())
                    .bind(c.amount.cents())
                    .bind(vat_json(&l.vat))
                    .bind(i64::from(c.adjusts));
            }
            q.execute(tx.conn()).await?;
        }
        written += new.len() as i64;
    }
    tx.commit().await?;
    Ok(written)
}

pub(crate) async fn fill_lines(
    db: &Db,
    mut list: Vec<Statement>,
) -> Result<Vec<Statement>, BillingError> {
    let ids: Vec<i64> = list.iter().map(|s| s.id).collect();
    let mut conn = db.pool().acquire().await?;
    let mut lines = lines_of(&mut conn, &ids).await?;
    for s in &mut list {
        s.lines = lines.remove(&s.id).unwrap_or_default();
    }
    Ok(list)
}

/// The statements of an entity the actor may see, for a year or all years, newest first.
/// Contacts see issued ones only.
pub async fn of_entity(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    year: Option<i32>,
) -> Result<Vec<Statement>, BillingError> {
    members::store::get(db, actor, entity_id).await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM statements s JOIN entities e ON e.id = s.entity_id \
         WHERE s.entity_id = $2 AND ($3 = 0 OR s.year = $3) AND ($4 = 1 OR s.state <> 'draft') \
         AND {IN_SCOPE} ORDER BY s.year DESC, s.id DESC"
    )))
    .bind(actor.scope_param())
    .bind(entity_id)
    .bind(i64::from(year.unwrap_or(0)))
    .bind(i64::from(actor.is_staff()))
    .fetch_all(db.pool())
    .await?;
    let list = rows
        .iter()
        .map(statement_row)
        .collect::<Result<Vec<_>, _>>()?;
    fill_lines(db, list).await
}

/// Every statement of a year with its lines (staff), by number then entity: the exports.
pub async fn of_year(db: &Db, actor: &Actor, year: i32) -> Result<Vec<Statement>, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::StaffOnly);
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM statements s JOIN entities e ON e.id = s.entity_id \
         WHERE s.year = $1 ORDER BY s.number_seq IS NULL, s.number_seq, e.name, s.id"
    )))
    .bind(i64::from(year))
    .fetch_all(db.pool())
    .await?;
    let list = rows
        .iter()
        .map(statement_row)
        .collect::<Result<Vec<_>, _>>()?;
    fill_lines(db, list).await
}

/// One statement the actor may see (a contact: issued ones of their entities).
pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Statement, BillingError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM statements s JOIN entities e ON e.id = s.entity_id \
         WHERE s.id = $2 AND ($3 = 1 OR s.state <> 'draft') AND {IN_SCOPE}"
    )))
    .bind(actor.scope_param())
    .bind(id)
    .bind(i64::from(actor.is_staff()))
    .fetch_optional(db.pool())
    .await?
    .ok_or(BillingError::NotFound)?;
    let s = statement_row(&row)?;
    fill_lines(db, vec![s])
        .await?
        .pop()
        .ok_or(BillingError::NotFound)
}

mod changes;
mod totals;

pub use changes::{issue, issue_year, set_references, References};
pub use totals::{year_totals, YearTotals};
