//! The requests as a paged list, in the caller's scope.

use super::*;

/// The orders of the list of requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RequestSort {
    /// Newest first.
    #[default]
    Recent,
    /// The nearest deadline first (those without one last).
    Due,
    /// By entity, then newest.
    Entity,
    /// By service, then newest.
    Service,
}

impl RequestSort {
    pub const ALL: [RequestSort; 4] = [
        RequestSort::Recent,
        RequestSort::Due,
        RequestSort::Entity,
        RequestSort::Service,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestSort::Recent => "recenti",
            RequestSort::Due => "scadenza",
            RequestSort::Entity => "ente",
            RequestSort::Service => "servizio",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    fn sql(self, reverse: bool) -> String {
        let (asc, desc) = db::directions(reverse);
        match self {
            RequestSort::Recent => format!("r.id {desc}"),
            RequestSort::Due => {
                format!(
                    "CASE WHEN r.due_date IS NULL THEN 1 ELSE 0 END, r.due_date {asc}, r.id {asc}"
                )
            }
            RequestSort::Entity => format!("e.name {asc}, r.id {desc}"),
            RequestSort::Service => format!("r.service_code {asc}, r.id {desc}"),
        }
    }
}

/// What the list of requests is asked for.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    pub entity_id: Option<i64>,
    pub state: Option<RequestState>,
    /// Only those still to deliver (submitted, approved, in delivery).
    pub open: bool,
    /// Only the open ones whose deadline passed before this day.
    pub overdue_on: Option<NaiveDate>,
    pub service: Option<String>,
    pub sort: RequestSort,
    pub reverse: bool,
    pub limit: i64,
    pub offset: i64,
}

/// One page of the requests the actor may see, each with its entity's name, and the total.
pub async fn page(
    db: &Db,
    actor: &Actor,
    q: &RequestQuery,
) -> Result<(i64, Vec<(Request, String)>), DeliveryError> {
    const SCOPE: &str = db::entities_in_scope!("r.entity_id", "$1");
    let mut filter = vec![SCOPE.to_owned()];
    if q.entity_id.is_some() {
        filter.push("r.entity_id = $2".into());
    }
    if q.state.is_some() {
        filter.push("r.state = $3".into());
    }
    if q.open || q.overdue_on.is_some() {
        filter.push("r.state IN ('submitted', 'approved', 'in_delivery')".into());
    }
    if q.overdue_on.is_some() {
        filter.push("r.due_date < $4".into());
    }
    if q.service.is_some() {
        filter.push("r.service_code = $5".into());
    }
    let where_ = filter.join(" AND ");
    let from = "activation_requests r JOIN entities e ON e.id = r.entity_id";
    let bind = |sql: String| {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(actor.scope_param())
            .bind(q.entity_id.unwrap_or(0))
            .bind(q.state.map_or("", RequestState::code))
            .bind(q.overdue_on.map(|d| d.to_string()).unwrap_or_default())
            .bind(q.service.clone().unwrap_or_default())
    };
    let total: i64 = bind(format!("SELECT COUNT(*) FROM {from} WHERE {where_}"))
        .fetch_one(db.pool())
        .await?
        .try_get(0)?;
    let cols = COLS
        .split(", ")
        .map(|c| format!("r.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = bind(format!(
        "SELECT {cols}, e.name FROM {from} WHERE {where_} ORDER BY {} LIMIT $6 OFFSET $7",
        q.sort.sql(q.reverse)
    ))
    .bind(q.limit.clamp(1, 1000))
    .bind(q.offset.max(0))
    .fetch_all(db.pool())
    .await?;
    let items = rows
        .iter()
        .map(|r| Ok((from_row(r)?, r.try_get::<String, _>(20)?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((total, items))
}
