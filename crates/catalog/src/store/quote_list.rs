//! The kept quotes as a list: one page matching an entity, a service, a year and a text, in an
//! order, with the total; within the caller's tenant scope.

use db::Db;
use kernel::{Actor, Euro};
use sqlx::Row;

use crate::membership::FeeLine;
use crate::CatalogError;

const IN_SCOPE: &str = db::entities_in_scope!("q.entity_id", "$1");

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum QuoteSort {
    /// Newest first.
    #[default]
    Recent,
    /// Largest amount first.
    Amount,
    /// By entity, then newest.
    Entity,
    /// By service, then newest.
    Service,
    /// By the year priced, latest first.
    Year,
}

impl QuoteSort {
    pub const ALL: [QuoteSort; 5] = [
        QuoteSort::Recent,
        QuoteSort::Amount,
        QuoteSort::Entity,
        QuoteSort::Service,
        QuoteSort::Year,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuoteSort::Recent => "recenti",
            QuoteSort::Amount => "importo",
            QuoteSort::Entity => "ente",
            QuoteSort::Service => "servizio",
            QuoteSort::Year => "anno",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    fn sql(self, reverse: bool) -> String {
        let (asc, desc) = db::directions(reverse);
        match self {
            QuoteSort::Recent => format!("q.id {desc}"),
            QuoteSort::Amount => format!("q.amount_cents {desc}, q.id {desc}"),
            QuoteSort::Entity => format!("e.name {asc}, q.id {desc}"),
            QuoteSort::Service => format!("q.service_code {asc}, q.id {desc}"),
            QuoteSort::Year => format!("q.year {desc}, q.id {desc}"),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct QuoteQuery {
    /// Part of the entity's name or the service's code or name.
    pub q: String,
    pub entity_id: Option<i64>,
    pub service: Option<String>,
    pub year: Option<i32>,
    pub sort: QuoteSort,
    pub reverse: bool,
    pub limit: i64,
    pub offset: i64,
}

/// A kept quote as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteRow {
    pub id: i64,
    pub entity_id: i64,
    pub entity_name: String,
    pub service: String,
    pub service_name: String,
    pub item: String,
    pub quantity: u32,
    pub year: i32,
    pub amount: Euro,
    pub on_quotation: bool,
    pub lines: Vec<FeeLine>,
    pub created_by: String,
    pub created_at: String,
}

/// One page of the quotes of the entities the actor may see, with the total.
pub async fn list(
    db: &Db,
    actor: &Actor,
    q: &QuoteQuery,
) -> Result<(i64, Vec<QuoteRow>), CatalogError> {
    let like = match db.backend() {
        db::Backend::Sqlite => "LIKE",
        db::Backend::Postgres => "ILIKE",
    };
    // Only the filters in use are written into the statement; their values are bound.
    let mut filter = vec![IN_SCOPE.to_owned()];
    let search = q.q.trim();
    if !search.is_empty() {
        filter.push(format!(
            "(e.name {like} $2 OR q.service_code {like} $2 OR s.name {like} $2)"
        ));
    }
    if q.entity_id.is_some() {
        filter.push("q.entity_id = $3".into());
    }
    if q.service.is_some() {
        filter.push("q.service_code = $4".into());
    }
    if q.year.is_some() {
        filter.push("q.year = $5".into());
    }
    let where_ = filter.join(" AND ");
    let from = "price_quotes q JOIN entities e ON e.id = q.entity_id \
                LEFT JOIN services s ON s.code = q.service_code";
    let bind = |sql: String| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(actor.scope_param())
            .bind(format!("%{search}%"))
            .bind(q.entity_id.unwrap_or(0))
            .bind(q.service.clone().unwrap_or_default())
            .bind(i64::from(q.year.unwrap_or(0)))
    };
    let total: i64 = bind(format!("SELECT COUNT(*) FROM {from} WHERE {where_}"))
        .fetch_one(db.pool())
        .await?
        .try_get(0)?;
    let rows = bind(format!(
        "SELECT q.id, q.entity_id, e.name, q.service_code, COALESCE(s.name, ''), q.item_code, \
         q.quantity, q.year, q.amount_cents, q.on_quotation, q.lines_json, q.created_by, q.created_at \
         FROM {from} WHERE {where_} ORDER BY {} LIMIT $6 OFFSET $7",
        q.sort.sql(q.reverse)
    ))
    .bind(q.limit.clamp(1, 1000))
    .bind(q.offset.max(0))
    .fetch_all(db.pool())
    .await?;
    let rows = rows
        .iter()
        .map(|r| {
            let lines: String = r.try_get(10)?;
            Ok(QuoteRow {
                id: r.try_get(0)?,
                entity_id: r.try_get(1)?,
                entity_name: r.try_get(2)?,
                service: r.try_get(3)?,
                service_name: r.try_get(4)?,
                item: r.try_get(5)?,
                quantity: u32::try_from(r.try_get::<i64, _>(6)?).unwrap_or(0),
                year: i32::try_from(r.try_get::<i64, _>(7)?).unwrap_or(0),
                amount: Euro::from_cents(r.try_get(8)?),
                on_quotation: r.try_get::<i64, _>(9)? != 0,
                lines: serde_json::from_str(&lines)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                created_by: r.try_get(11)?,
                created_at: r.try_get(12)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((total, rows))
}
