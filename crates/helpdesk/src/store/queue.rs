//! Lists of tickets: the query built from the filters asked for (each bound, only those in the
//! SQL), the orders, and the open queue's counts for the staff's home. The open tickets are
//! said word for word as the partial index `tickets_open_queue` (migration 18) says them.

use super::tickets::{from_row, scope_param, COLS, FROM};
use super::*;

/// Whose tickets a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Assignee {
    #[default]
    Anyone,
    /// Assigned to nobody yet.
    Nobody,
    /// Assigned to this operator (a user id).
    User(i64),
}

/// The order of a list of tickets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// The operators' queue: new tickets first, on-call ones first among them, then by the
    /// entity's support profile, then by take-charge deadline.
    Queue,
    /// By number, newest first.
    #[default]
    Number,
    Received,
    /// By take-charge deadline.
    Due,
    /// High, medium, low.
    Priority,
    State,
    Entity,
}

impl Sort {
    pub const ALL: [Sort; 7] = [
        Sort::Queue,
        Sort::Number,
        Sort::Received,
        Sort::Due,
        Sort::Priority,
        Sort::State,
        Sort::Entity,
    ];

    /// The name in URLs and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Queue => "queue",
            Sort::Number => "number",
            Sort::Received => "received",
            Sort::Due => "due",
            Sort::Priority => "priority",
            Sort::State => "state",
            Sort::Entity => "entity",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The SQL order: each sort has its natural direction (newest, earliest deadline, highest
    /// priority, first state, A to Z first); `reverse` turns it round.
    fn sql(self, reverse: bool) -> String {
        let (asc, desc) = db::directions(reverse);
        match self {
            Sort::Queue => format!(
                "CASE t.state WHEN 'new' THEN 0 WHEN 'in_progress' THEN 1 WHEN 'waiting_entity' THEN 2 ELSE 3 END, \
                 t.on_call DESC, COALESCE((SELECT {} FROM support_profiles sp WHERE sp.entity_id = t.entity_id), 0) DESC, \
                 t.take_charge_due_at, t.id",
                Profile::rank_sql("sp.profile")
            ),
            Sort::Number => format!("t.id {desc}"),
            Sort::Received => format!("t.received_at {desc}, t.id {desc}"),
            Sort::Due => format!("t.take_charge_due_at {asc}, t.id {asc}"),
            Sort::Priority => format!(
                "CASE t.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END {asc}, t.id DESC"
            ),
            Sort::State => format!(
                "CASE t.state WHEN 'new' THEN 0 WHEN 'in_progress' THEN 1 WHEN 'waiting_entity' THEN 2 \
                 WHEN 'resolved' THEN 3 ELSE 4 END {asc}, t.id DESC"
            ),
            Sort::Entity => format!("e.name {asc}, t.id DESC"),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct TicketQuery {
    pub entity_id: Option<i64>,
    pub state: Option<State>,
    pub priority: Option<Priority>,
    /// Only tickets still open (new, in progress, waiting).
    pub open_only: bool,
    pub assignee: Assignee,
    /// Text searched, case-insensitively, in the number, the subject and the requester's
    /// address (`%` and `_` are themselves).
    pub text: Option<String>,
    /// Only the tickets overdue at this instant: new past the take-charge deadline, or in
    /// progress past the resolution deadline (a ticket waiting for the entity has its
    /// resolution clock paused, so it is not overdue while it waits).
    pub overdue_at: Option<DateTime<Utc>>,
    pub sort: Sort,
    /// The sort's natural direction turned round (the queue order has none).
    pub reverse: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Lists count at most this many tickets.
pub const COUNT_CAP: i64 = 1_000;

#[derive(Debug, Clone, Serialize)]
pub struct TicketPage {
    /// The number of matching tickets, at most [`COUNT_CAP`].
    pub total: i64,
    /// More than [`COUNT_CAP`] match.
    pub more: bool,
    pub items: Vec<Ticket>,
}

/// The open tickets, word for word the condition of the partial index `tickets_open_queue`
/// (migration 18): a planner uses a partial index only for a query that says the same.
const OPEN: &str = "t.state IN ('new', 'in_progress', 'waiting_entity')";

/// The SQL condition of the overdue tickets at `$now`.
fn overdue_sql(now: &str) -> String {
    format!(
        "((t.state = 'new' AND t.take_charge_due_at < {now}) OR (t.state = 'in_progress' \
         AND t.resolution_due_at IS NOT NULL AND t.resolution_due_at < {now}))"
    )
}

/// `text` as a `LIKE` pattern matching it anywhere, lower-case, `%`, `_` and `\` literal.
pub fn like_pattern(text: &str) -> String {
    let escaped: String = text
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

/// A bound value of a list query.
enum Arg {
    Int(i64),
    Text(String),
}

/// Tickets the actor may see, in the order asked. Only the conditions asked for are in the
/// SQL (each value bound), so the planner picks the index that fits: `tickets_entity` /
/// `tickets_entity_state` for an entity, `tickets_open_queue` for the open queue.
pub async fn list(db: &Db, actor: &Actor, q: &TicketQuery) -> Result<TicketPage, HelpdeskError> {
    let scope = scope_param(actor);
    if scope < 0 {
        return Ok(TicketPage {
            total: 0,
            more: false,
            items: Vec::new(),
        });
    }
    let mut args: Vec<Arg> = Vec::new();
    let mut bind = |a: Arg| {
        args.push(a);
        format!("${}", args.len())
    };
    let mut filter = Vec::new();
    if scope > 0 {
        let p = bind(Arg::Int(scope));
        filter.push(db::entities_linked_to!("t.entity_id", "{P}").replace("{P}", &p));
    }
    if let Some(e) = q.entity_id {
        filter.push(format!("t.entity_id = {}", bind(Arg::Int(e))));
    }
    if let Some(st) = q.state {
        filter.push(format!("t.state = {}", bind(Arg::Text(st.as_str().into()))));
    } else if q.open_only || q.overdue_at.is_some() {
        // Overdue tickets are open ones: saying so lets the planner read only the open part.
        filter.push(OPEN.to_owned());
    }
    if let Some(p) = q.priority {
        filter.push(format!(
            "t.priority = {}",
            bind(Arg::Text(p.as_str().into()))
        ));
    }
    match q.assignee {
        Assignee::Anyone => {}
        Assignee::Nobody => filter.push("t.assigned_to IS NULL".to_owned()),
        Assignee::User(u) => filter.push(format!("t.assigned_to = {}", bind(Arg::Int(u)))),
    }
    if let Some(text) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let p = bind(Arg::Text(like_pattern(text)));
        filter.push(format!(
            "(LOWER(t.number) LIKE {p} ESCAPE '\\' OR LOWER(t.subject) LIKE {p} ESCAPE '\\' \
             OR LOWER(t.requester_email) LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(now) = q.overdue_at {
        let p = bind(Arg::Text(kernel::time::format(now)));
        filter.push(overdue_sql(&p));
    }
    let filter = if filter.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", filter.join(" AND "))
    };
    let order = q.sort.sql(q.reverse);
    let n = args.len();
    let bound = |sql: String| {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for a in &args {
            query = match a {
                Arg::Int(i) => query.bind(*i),
                Arg::Text(t) => query.bind(t.clone()),
            };
        }
        query
    };
    // Counting is capped: past COUNT_CAP the page says "more than" instead of scanning an
    // index range that grows with the years (a million tickets must list as fast as ten).
    // The entity join is only in the count when the order needs it (never: counts need none).
    let total: i64 = bound(format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM tickets t {filter} LIMIT {}) c",
        COUNT_CAP + 1
    ))
    .fetch_one(db.pool())
    .await?
    .try_get("n")?;
    let rows = bound(format!(
        "SELECT {COLS} {FROM} {filter} ORDER BY {order} LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    ))
    .bind(q.limit.clamp(1, 500))
    .bind(q.offset.max(0))
    .fetch_all(db.pool())
    .await?;
    Ok(TicketPage {
        total: total.min(COUNT_CAP),
        more: total > COUNT_CAP,
        items: rows.iter().map(from_row).collect::<Result<_, _>>()?,
    })
}

/// The open queue at a glance, for the staff's home: counted from `tickets_open_queue`, an
/// index over the open states, so the cost follows the open tickets, not the years of history.
#[derive(Debug, Clone, Default, Serialize)]
pub struct QueueCounts {
    pub open: i64,
    /// Open tickets by priority, high first.
    pub by_priority: Vec<(Priority, i64)>,
    pub new: i64,
    pub waiting_entity: i64,
    /// New past the take-charge deadline, or in progress past the resolution deadline.
    pub overdue: i64,
    /// Open and assigned to nobody.
    pub unassigned: i64,
    /// Open and assigned to the caller.
    pub mine: i64,
}

/// Counts of the open queue (staff only).
pub async fn queue_counts(
    db: &Db,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<QueueCounts, HelpdeskError> {
    if !actor.is_staff() {
        return Err(HelpdeskError::StaffOnly);
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT t.state, t.priority, COUNT(*) AS n, \
         CAST(SUM(CASE WHEN t.assigned_to IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS unassigned, \
         CAST(SUM(CASE WHEN t.assigned_to = $2 THEN 1 ELSE 0 END) AS BIGINT) AS mine, \
         CAST(SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS BIGINT) AS overdue \
         FROM tickets t WHERE {OPEN} GROUP BY t.state, t.priority",
        overdue_sql("$1")
    )))
    .bind(kernel::time::format(now))
    .bind(actor.user_id)
    .fetch_all(db.pool())
    .await?;
    let mut c = QueueCounts {
        by_priority: Priority::ALL.iter().map(|p| (*p, 0)).collect(),
        ..Default::default()
    };
    for r in &rows {
        let n: i64 = r.try_get("n")?;
        let state: String = r.try_get("state")?;
        let priority = Priority::parse(&r.try_get::<String, _>("priority")?);
        c.open += n;
        match state.as_str() {
            "new" => c.new += n,
            "waiting_entity" => c.waiting_entity += n,
            _ => {}
        }
        if let Some(slot) = c.by_priority.iter_mut().find(|(p, _)| Some(*p) == priority) {
            slot.1 += n;
        }
        // Each group has rows, so the sums are numbers (cast: PostgreSQL's SUM of BIGINT is a
        // NUMERIC, which the Any driver cannot read).
        c.unassigned += r.try_get::<Option<i64>, _>("unassigned")?.unwrap_or(0);
        c.mine += r.try_get::<Option<i64>, _>("mine")?.unwrap_or(0);
        c.overdue += r.try_get::<Option<i64>, _>("overdue")?.unwrap_or(0);
    }
    Ok(c)
}
