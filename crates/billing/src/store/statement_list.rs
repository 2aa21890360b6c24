//! The statements as a list that scales (the workbench's list component): search by entity,
//! filters by year and state, sortable columns, pages.

use chrono::NaiveDate;
use db::Db;
use kernel::Actor;

use super::statements::{statement_row, Statement, COLS, IN_SCOPE};
use crate::BillingError;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatementSort {
    /// By number within the year, drafts last.
    #[default]
    Number,
    Entity,
    Net,
    Due,
}

impl StatementSort {
    pub fn as_str(self) -> &'static str {
        match self {
            StatementSort::Number => "numero",
            StatementSort::Entity => "ente",
            StatementSort::Net => "importo",
            StatementSort::Due => "scadenza",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Number, Self::Entity, Self::Net, Self::Due]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    fn order(self, reverse: bool) -> String {
        let (asc, desc) = db::directions(reverse);
        match self {
            StatementSort::Number => {
                format!("s.year {desc}, s.number_seq IS NULL {asc}, s.number_seq {asc}, e.name {asc}, s.id {asc}")
            }
            StatementSort::Entity => format!("e.name {asc}, s.year {desc}, s.id {asc}"),
            StatementSort::Net => format!("s.net_cents {desc}, s.id {asc}"),
            StatementSort::Due => format!("s.due_on IS NULL {asc}, s.due_on {asc}, s.id {asc}"),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct StatementQuery {
    pub q: String,
    pub year: Option<i32>,
    /// draft | issued | invoiced | paid | overdue
    pub state: Option<String>,
    pub entity_id: Option<i64>,
    pub sort: StatementSort,
    pub reverse: bool,
    pub limit: i64,
    pub offset: i64,
}

/// A page of the statements the actor may see (contacts: issued ones of their entities),
/// without their lines, and how many match.
pub async fn page(
    db: &Db,
    actor: &Actor,
    q: &StatementQuery,
    today: NaiveDate,
) -> Result<(i64, Vec<Statement>), BillingError> {
    let state_sql = match q.state.as_deref() {
        Some("draft") => "s.state = 'draft'",
        Some("issued") => "s.state = 'issued'",
        Some("invoiced") => "s.state = 'invoiced'",
        Some("paid") => "s.state = 'paid'",
        Some("overdue") => {
            "s.state IN ('issued', 'invoiced') AND s.due_on < $5 AND s.paid_cents < s.payable_cents"
        }
        _ => "$5 = $5",
    };
    let filter = format!(
        "{IN_SCOPE} AND ($2 = 0 OR s.year = $2) AND ($3 = 0 OR s.entity_id = $3) \
         AND ($4 = '' OR LOWER(e.name) LIKE $4) AND ($6 = 1 OR s.state <> 'draft') AND {state_sql}"
    );
    let like = if q.q.trim().is_empty() {
        String::new()
    } else {
        format!(
            "%{}%",
            helpdesk::store::like_pattern(&q.q.trim().to_lowercase())
        )
    };
    let bind = |sql: String| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(actor.scope_param())
            .bind(i64::from(q.year.unwrap_or(0)))
            .bind(q.entity_id.unwrap_or(0))
            .bind(like.clone())
            .bind(today.to_string())
            .bind(i64::from(actor.is_staff()))
    };
    let total: i64 = {
        use sqlx::Row;
        bind(format!(
            "SELECT COUNT(*) FROM statements s JOIN entities e ON e.id = s.entity_id WHERE {filter}"
        ))
        .fetch_one(db.pool())
        .await?
        .try_get(0)?
    };
    let rows = bind(format!(
        "SELECT {COLS} FROM statements s JOIN entities e ON e.id = s.entity_id WHERE {filter} \
         ORDER BY {} LIMIT {} OFFSET {}",
        q.sort.order(q.reverse),
        q.limit.clamp(1, 500),
        q.offset.max(0)
    ))
    .fetch_all(db.pool())
    .await?;
    let list = rows
        .iter()
        .map(statement_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((total, list))
}
