//! Tickets: reading them in the actor's scope, opening one (prepared outside the writer
//! lock, numbered inside it). Lists are in `queue.rs`.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ticket {
    pub id: i64,
    pub number: String,
    pub entity_id: i64,
    pub entity_name: String,
    pub subject: String,
    pub description: String,
    pub category: String,
    pub priority: Priority,
    pub channel: Channel,
    pub state: State,
    pub received_at: DateTime<Utc>,
    pub take_charge_due_at: DateTime<Utc>,
    pub taken_at: Option<DateTime<Utc>>,
    /// The operator who took charge.
    pub taken_by: Option<String>,
    /// The operator the ticket is assigned to (whoever took charge, or whom staff assigned it).
    pub assigned_to: Option<i64>,
    /// Their name as people read it.
    pub assigned_name: Option<String>,
    pub created_by: String,
    pub version: i64,
    /// The resolution deadline, moved on by the working time spent waiting for the entity.
    pub resolution_due_at: Option<DateTime<Utc>>,
    /// Waiting for the entity since then (the resolution clock is paused).
    pub paused_since: Option<DateTime<Utc>>,
    /// Working seconds paused so far.
    pub paused_seconds: i64,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Where the acknowledgement, the take-charge notice and public replies are e-mailed.
    pub requester_email: String,
    /// Received through the Saturday on-call.
    pub on_call: bool,
    /// The last day on which the entity reopens it at no charge (set when resolved).
    pub warranty_until: Option<NaiveDate>,
    /// Times reopened within the warranty.
    pub reopen_count: i64,
}

pub(super) const COLS: &str = "t.id, t.number, t.entity_id, e.name AS entity_name, t.subject, t.description, \
    t.category, t.priority, t.channel, t.state, t.received_at, t.take_charge_due_at, t.taken_at, \
    u.username AS taken_by, t.assigned_to, COALESCE(NULLIF(a.full_name, ''), a.username) AS assigned_name, t.created_by, t.version, t.resolution_due_at, t.paused_since, \
    t.paused_seconds, t.resolved_at, t.requester_email, t.on_call, t.warranty_until, t.reopen_count";

pub(super) const FROM: &str = "FROM tickets t JOIN entities e ON e.id = t.entity_id \
    LEFT JOIN users u ON u.id = t.taken_by LEFT JOIN users a ON a.id = t.assigned_to";

pub(super) fn instant(s: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    kernel::time::parse(s).ok_or_else(|| sqlx::Error::Decode(format!("istante «{s}»").into()))
}

pub(super) fn opt_instant(
    r: &sqlx::any::AnyRow,
    col: &str,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    r.try_get::<Option<String>, _>(col)?
        .as_deref()
        .map(instant)
        .transpose()
}

pub(super) fn from_row(r: &sqlx::any::AnyRow) -> Result<Ticket, sqlx::Error> {
    let bad = |w: &str| sqlx::Error::Decode(format!("tickets: {w} non valido").into());
    let taken: Option<String> = r.try_get("taken_at")?;
    Ok(Ticket {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        entity_id: r.try_get("entity_id")?,
        entity_name: r.try_get("entity_name")?,
        subject: r.try_get("subject")?,
        description: r.try_get("description")?,
        category: r.try_get("category")?,
        priority: Priority::parse(&r.try_get::<String, _>("priority")?)
            .ok_or_else(|| bad("priority"))?,
        channel: Channel::parse(&r.try_get::<String, _>("channel")?)
            .ok_or_else(|| bad("channel"))?,
        state: State::parse(&r.try_get::<String, _>("state")?).ok_or_else(|| bad("state"))?,
        received_at: instant(&r.try_get::<String, _>("received_at")?)?,
        take_charge_due_at: instant(&r.try_get::<String, _>("take_charge_due_at")?)?,
        taken_at: taken.as_deref().map(instant).transpose()?,
        taken_by: r.try_get("taken_by")?,
        assigned_to: r.try_get("assigned_to")?,
        assigned_name: r.try_get("assigned_name")?,
        created_by: r.try_get("created_by")?,
        version: r.try_get("version")?,
        resolution_due_at: opt_instant(r, "resolution_due_at")?,
        paused_since: opt_instant(r, "paused_since")?,
        paused_seconds: r.try_get("paused_seconds")?,
        resolved_at: opt_instant(r, "resolved_at")?,
        requester_email: r.try_get("requester_email")?,
        on_call: r.try_get::<i64, _>("on_call")? != 0,
        warranty_until: r
            .try_get::<Option<String>, _>("warranty_until")?
            .map(|d| d.parse().map_err(|_| bad("warranty_until")))
            .transpose()?,
        reopen_count: r.try_get("reopen_count")?,
    })
}

/// Who may see which tickets: staff all, contacts their entities', suppliers none yet (they
/// will see the phases handed to them).
pub(super) const IN_SCOPE: &str = db::entities_in_scope!("t.entity_id", "$1");

pub(super) fn scope_param(actor: &Actor) -> i64 {
    match actor.role {
        Role::Supplier => -1,
        _ => actor.scope_param(),
    }
}

pub(super) async fn get_on(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<Ticket, HelpdeskError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} {FROM} WHERE {IN_SCOPE} AND t.id = $2 AND $1 >= 0"
    )))
    .bind(scope_param(actor))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(HelpdeskError::NotFound)?;
    Ok(from_row(&row)?)
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<Ticket, HelpdeskError> {
    get_on(&mut *db.pool().acquire().await?, actor, id).await
}

/// A new ticket checked, its entity read and its deadlines computed: everything that needs no
/// writer lock.
pub(crate) struct Prepared {
    input: crate::model::TicketInput,
    entity_name: String,
    due_at: DateTime<Utc>,
    resolution_due: Option<DateTime<Utc>>,
    requester: Option<i64>,
}

pub(crate) async fn prepare(
    db: &Db,
    actor: &Actor,
    new: &NewTicket,
    policy: &SlaPolicy,
    now: DateTime<Utc>,
) -> Result<Prepared, HelpdeskError> {
    let oldest = now - chrono::Duration::days(i64::from(policy.received_max_days_back));
    let mut input = new.check(now, oldest).map_err(HelpdeskError::Invalid)?;
    let entity = members::store::get(db, actor, input.entity_id).await?;
    match actor.role {
        Role::Admin | Role::Operator => {}
        Role::Contact => {
            if new
                .received_at
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty())
            {
                return Err(HelpdeskError::field(
                    "received_at",
                    "solo il personale del centro registra l'ora di una chiamata",
                ));
            }
            if !matches!(input.channel, Channel::Portal | Channel::Email) {
                input.channel = Channel::Portal;
            }
            // A contact is answered at their own address.
            let own: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
                .bind(actor.user_id)
                .fetch_optional(db.pool())
                .await?;
            input.requester_email = own
                .map(|e| e.trim().to_lowercase())
                .filter(|e| mail::is_address(e))
                .unwrap_or_default();
        }
        Role::Supplier => return Err(HelpdeskError::StaffOnly),
    }
    let received = input.received_at;
    let mut conn = db.pool().acquire().await?;
    let cal = calendar_for(&mut conn, input.entity_id).await?;
    if input.on_call {
        let profile = support_profile(&mut conn, input.entity_id).await?;
        let mut errors = Vec::new();
        if !profile.has_on_call() {
            errors.push(members::FieldError::new(
                "on_call",
                format!(
                    "la reperibilità del sabato è per i profili BASIC, PRO ed ENTERPRISE: {} ha il profilo {}",
                    entity.data.name,
                    profile.label()
                ),
            ));
        }
        if input.priority != Priority::High {
            errors.push(members::FieldError::new(
                "on_call",
                "la reperibilità del sabato è solo per i problemi bloccanti (priorità alta)",
            ));
        }
        if !crate::support::in_on_call_window(&cal.calendar, received) {
            errors.push(members::FieldError::new(
                "on_call",
                "la reperibilità è attiva il sabato dalle 8:30 alle 12:30, festivi esclusi",
            ));
        }
        if !errors.is_empty() {
            return Err(HelpdeskError::Invalid(errors));
        }
    }
    let (due_at, resolution_due) = deadlines(
        db,
        &cal,
        input.on_call,
        policy,
        input.priority,
        received,
        chrono::Duration::zero(),
    )?;
    drop(conn);
    Ok(Prepared {
        input,
        entity_name: entity.data.name,
        due_at,
        resolution_due,
        requester: (actor.role == Role::Contact).then_some(actor.user_id),
    })
}

/// Numbers and stores a prepared ticket in the caller's transaction, audited, with the
/// acknowledgement e-mail queued when the requester has an address.
pub(crate) async fn insert(
    tx: &mut db::WriteTx,
    actor: &Actor,
    p: Prepared,
) -> Result<Ticket, HelpdeskError> {
    let Prepared {
        input,
        entity_name,
        due_at,
        resolution_due,
        requester,
    } = p;
    let received = input.received_at;
    let year = received.with_timezone(&kernel::time::ROME).year();
    let stamp = kernel::time::now();
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_counters (year, last_seq) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last_seq = ticket_counters.last_seq + 1 RETURNING last_seq",
    )
    .bind(i64::from(year))
    .fetch_one(tx.conn())
    .await?;
    let number = ticket_number(year, seq);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO tickets (year, seq, number, entity_id, subject, description, category, priority, \
         channel, state, received_at, take_charge_due_at, requester_id, created_by, created_at, updated_at, \
         resolution_due_at, requester_email, on_call) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'new', $10, $11, $12, $13, $14, $14, $15, $16, $17) RETURNING id",
    )
    .bind(i64::from(year))
    .bind(seq)
    .bind(&number)
    .bind(input.entity_id)
    .bind(&input.subject)
    .bind(&input.description)
    .bind(&input.category)
    .bind(input.priority.as_str())
    .bind(input.channel.as_str())
    .bind(kernel::time::format(received))
    .bind(kernel::time::format(due_at))
    .bind(requester)
    .bind(&actor.label)
    .bind(&stamp)
    .bind(resolution_due.map(kernel::time::format))
    .bind(&input.requester_email)
    .bind(i64::from(input.on_call))
    .fetch_one(tx.conn())
    .await?;
    let t = Ticket {
        id,
        number: number.clone(),
        entity_id: input.entity_id,
        entity_name,
        subject: input.subject,
        description: input.description,
        category: input.category,
        priority: input.priority,
        channel: input.channel,
        state: State::New,
        // As stored: microsecond precision.
        received_at: instant(&kernel::time::format(received))?,
        take_charge_due_at: instant(&kernel::time::format(due_at))?,
        taken_at: None,
        taken_by: None,
        assigned_to: None,
        assigned_name: None,
        created_by: actor.label.clone(),
        version: 1,
        resolution_due_at: resolution_due
            .map(|d| instant(&kernel::time::format(d)))
            .transpose()?,
        paused_since: None,
        paused_seconds: 0,
        resolved_at: None,
        requester_email: input.requester_email,
        on_call: input.on_call,
        warranty_until: None,
        reopen_count: 0,
    };
    crate::store::audit_ticket(
        tx,
        &actor.label,
        "create",
        &number,
        t.entity_id,
        None,
        serde_json::to_string(&t).ok(),
    )
    .await?;
    crate::notify::received(tx, &t).await?;
    Ok(t)
}

/// Opens a ticket: checked, numbered in its year, its take-charge due time computed in the
/// entity's calendar, audited, acknowledged by e-mail. Staff for any entity; a contact for
/// their own, from the portal. `now` is the instant of the request (the app's clock); the
/// SLA policy is the one the administrators set.
pub async fn create(
    db: &Db,
    actor: &Actor,
    new: &NewTicket,
    now: DateTime<Utc>,
) -> Result<Ticket, HelpdeskError> {
    // The deadline is computed before taking the writer lock, which then covers only numbering,
    // the row, the audit record and the queued e-mail.
    let policy = policy(db).await?;
    let p = prepare(db, actor, new, &policy, now).await?;
    let mut tx = db.write().await?;
    let t = insert(&mut tx, actor, p).await?;
    tx.commit().await?;
    Ok(t)
}
