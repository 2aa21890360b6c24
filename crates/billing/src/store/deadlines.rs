//! The deadlines calendar: automatic deadlines computed from the data (one query per kind),
//! deadlines added by hand, "renewed" marks, reminders by e-mail sent once, and each person's
//! calendar feed (a secret address; only its SHA-256 is kept).

use chrono::NaiveDate;
use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::{Actor, Role};
use sqlx::Row;

use super::date;
use crate::deadlines::{Deadline, Kind};
use crate::BillingError;

/// What a list of deadlines is asked for.
#[derive(Debug, Clone)]
pub struct DeadlineQuery {
    pub entity_id: Option<i64>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub kind: Option<Kind>,
}

const ENTITY_SCOPE: &str = db::entities_in_scope!("e.id", "$1");

/// The deadlines the actor may see in `[from, to]`, by date (contacts: their entities'; the
/// centre's own deadlines are staff's). At most three years at a time.
pub async fn list(
    db: &Db,
    actor: &Actor,
    q: &DeadlineQuery,
) -> Result<Vec<Deadline>, BillingError> {
    if actor.role == Role::Supplier {
        return Err(BillingError::StaffOnly);
    }
    if q.to < q.from {
        return Err(BillingError::field("to", "la fine viene prima dell'inizio"));
    }
    if (q.to - q.from).num_days() > 1_100 {
        return Err(BillingError::field("to", "al più tre anni alla volta"));
    }
    if let Some(e) = q.entity_id {
        members::store::get(db, actor, e).await?;
    }
    let settings = super::settings(db).await?;
    let (from, to) = (q.from.to_string(), q.to.to_string());
    let want = |k: Kind| q.kind.is_none_or(|x| x == k);
    let entity = q.entity_id.unwrap_or(0);
    let mut out: Vec<Deadline> = Vec::new();
    let scoped = |sql: &str| {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{sql} AND {ENTITY_SCOPE} AND ($2 = 0 OR e.id = $2)"
        )))
        .bind(actor.scope_param())
        .bind(entity)
        .bind(from.clone())
        .bind(to.clone())
    };
    if want(Kind::Agreement) {
        for r in scoped(
            "SELECT a.id, e.id, e.name, a.number, a.end_date FROM agreements a \
             JOIN entities e ON e.id = a.entity_id WHERE a.status = 'signed' \
             AND a.end_date >= $3 AND a.end_date <= $4 AND a.terminated_on IS NULL",
        )
        .fetch_all(db.pool())
        .await?
        {
            let number: String = r.try_get(3)?;
            out.push(Deadline {
                date: date(&r.try_get::<String, _>(4)?)?,
                kind: Kind::Agreement,
                key: format!("agreement:{}", r.try_get::<i64, _>(0)?),
                text: if number.is_empty() {
                    "La convenzione finisce: rinnovarla".into()
                } else {
                    format!("La convenzione n. {number} finisce: rinnovarla")
                },
                entity_id: Some(r.try_get(1)?),
                entity_name: r.try_get(2)?,
                href: format!("/entities/{}#convenzioni", r.try_get::<i64, _>(1)?),
                state: "open",
            });
        }
    }
    if want(Kind::Renewal) || want(Kind::Certificate) {
        for r in scoped(
            "SELECT s.id, e.id, e.name, s.service_code, s.item_code, s.activation_date, s.end_date, \
             s.quantity FROM active_services s JOIN entities e ON e.id = s.entity_id \
             WHERE (s.end_date IS NULL OR s.end_date >= $3) AND s.activation_date <= $4 \
             AND NOT EXISTS (SELECT 1 FROM active_services n WHERE n.previous_id = s.id)",
        )
        .fetch_all(db.pool())
        .await?
        {
            let (service, item): (String, String) = (r.try_get(3)?, r.try_get(4)?);
            let Some(rule) = settings.renewals.iter().find(|x| x.applies(&service, &item)) else {
                continue;
            };
            if !want(rule.kind()) {
                continue;
            }
            let end: Option<String> = r.try_get(6)?;
            let end = end.as_deref().map(date).transpose()?;
            let id: i64 = r.try_get(0)?;
            let e: i64 = r.try_get(1)?;
            let quantity: i64 = r.try_get(7)?;
            for due in rule.occurrences(date(&r.try_get::<String, _>(5)?)?, end, q.from, q.to) {
                out.push(Deadline {
                    date: due,
                    kind: rule.kind(),
                    key: format!("service:{id}:{}", rule.kind().code()),
                    text: format!("{} ({service}, {quantity})", rule.label),
                    entity_id: Some(e),
                    entity_name: r.try_get(2)?,
                    href: format!("/entities/{e}#servizi"),
                    state: "open",
                });
            }
        }
    }
    if want(Kind::Package) {
        let (fy, ty) = (
            chrono::Datelike::year(&q.from),
            chrono::Datelike::year(&q.to),
        );
        for r in sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT p.id, e.id, e.name, p.service_code, p.year, p.quantity, p.unit FROM packages p \
             JOIN entities e ON e.id = p.entity_id WHERE p.year >= $3 AND p.year <= $4 \
             AND {ENTITY_SCOPE} AND ($2 = 0 OR e.id = $2)"
        )))
        .bind(actor.scope_param())
        .bind(entity)
        .bind(i64::from(fy))
        .bind(i64::from(ty))
        .fetch_all(db.pool())
        .await?
        {
            let year = i32::try_from(r.try_get::<i64, _>(4)?).unwrap_or(fy);
            let Some(due) = NaiveDate::from_ymd_opt(year, 12, 31) else {
                continue;
            };
            if due < q.from || due > q.to {
                continue;
            }
            let id: i64 = r.try_get(0)?;
            let unit = if r.try_get::<String, _>(6)? == "hours" {
                "ore"
            } else {
                "giornate"
            };
            out.push(Deadline {
                date: due,
                kind: Kind::Package,
                key: format!("package:{id}"),
                text: format!(
                    "Il pacchetto {} di {} {unit} del {year} finisce",
                    r.try_get::<String, _>(3)?,
                    r.try_get::<i64, _>(5)?
                ),
                entity_id: Some(r.try_get(1)?),
                entity_name: r.try_get(2)?,
                href: format!("/packages/{id}"),
                state: "open",
            });
        }
    }
    if want(Kind::Needs) {
        for r in scoped(
            "SELECT c.id, e.id, e.name, c.year, c.deadline FROM needs_forms f \
             JOIN needs_campaigns c ON c.id = f.campaign_id JOIN entities e ON e.id = f.entity_id \
             WHERE f.state IN ('sent', 'draft') AND c.deadline >= $3 AND c.deadline <= $4",
        )
        .fetch_all(db.pool())
        .await?
        {
            let (c, e): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
            out.push(Deadline {
                date: date(&r.try_get::<String, _>(4)?)?,
                kind: Kind::Needs,
                key: format!("needs:{c}:{e}"),
                text: format!(
                    "Inviare la scheda dei fabbisogni per il {}",
                    r.try_get::<i64, _>(3)?
                ),
                entity_id: Some(e),
                entity_name: r.try_get(2)?,
                href: format!("/needs/{c}/forms/{e}"),
                state: "open",
            });
        }
    }
    if want(Kind::Payment) {
        for r in scoped(
            "SELECT s.id, e.id, e.name, s.number, s.due_on, s.payable_cents - s.paid_cents \
             FROM statements s JOIN entities e ON e.id = s.entity_id \
             WHERE s.state IN ('issued', 'invoiced') AND s.paid_cents < s.payable_cents \
             AND s.due_on >= $3 AND s.due_on <= $4",
        )
        .fetch_all(db.pool())
        .await?
        {
            let id: i64 = r.try_get(0)?;
            out.push(Deadline {
                date: date(&r.try_get::<String, _>(4)?)?,
                kind: Kind::Payment,
                key: format!("statement:{id}"),
                text: format!(
                    "Pagare il rendiconto n. {}: {}",
                    r.try_get::<Option<String>, _>(3)?.unwrap_or_default(),
                    kernel::Euro::from_cents(r.try_get(5)?)
                ),
                entity_id: Some(r.try_get(1)?),
                entity_name: r.try_get(2)?,
                href: format!("/statements/{id}"),
                state: "open",
            });
        }
    }
    if want(Kind::Manual) {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT d.id, d.entity_id, COALESCE(e.name, ''), d.title, d.due_on, d.state FROM deadlines d \
             LEFT JOIN entities e ON e.id = d.entity_id WHERE d.due_on >= $3 AND d.due_on <= $4 \
             AND ($2 = 0 OR d.entity_id = $2) \
             AND (($1 = 0) OR (d.entity_id IS NOT NULL AND {}))",
            db::entities_in_scope!("d.entity_id", "$1")
        )))
        .bind(actor.scope_param())
        .bind(entity)
        .bind(from.clone())
        .bind(to.clone())
        .fetch_all(db.pool())
        .await?;
        for r in &rows {
            let e: Option<i64> = r.try_get(1)?;
            out.push(Deadline {
                date: date(&r.try_get::<String, _>(4)?)?,
                kind: Kind::Manual,
                key: format!("manual:{}", r.try_get::<i64, _>(0)?),
                text: r.try_get(3)?,
                entity_id: e,
                entity_name: r.try_get(2)?,
                href: e
                    .map(|e| format!("/entities/{e}#scadenze"))
                    .unwrap_or_else(|| "/deadlines".into()),
                state: if r.try_get::<String, _>(5)? == "done" {
                    "done"
                } else {
                    "open"
                },
            });
        }
    }
    // The renewed ones.
    let marks: std::collections::HashSet<(String, String)> = sqlx::query_as(
        "SELECT key, due_on FROM deadline_marks WHERE due_on >= $1 AND due_on <= $2",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .collect();
    for d in &mut out {
        if marks.contains(&(d.key.clone(), d.date.to_string())) {
            d.state = "renewed";
        }
    }
    out.sort_by(|a, b| (a.date, &a.entity_name, &a.key).cmp(&(b.date, &b.entity_name, &b.key)));
    Ok(out)
}

/// A deadline added by hand: for an entity (its staff or contacts) or for the centre (staff).
#[derive(Debug, Clone, Default)]
pub struct ManualDraft {
    pub entity_id: Option<i64>,
    pub title: String,
    pub due_on: Option<NaiveDate>,
    pub every_months: u32,
    pub notes: String,
}

pub async fn create(db: &Db, actor: &Actor, d: &ManualDraft) -> Result<i64, BillingError> {
    match d.entity_id {
        Some(e) => {
            members::store::get(db, actor, e).await?;
            if actor.role == Role::Supplier {
                return Err(BillingError::StaffOnly);
            }
        }
        None if !actor.is_staff() => return Err(BillingError::StaffOnly),
        None => {}
    }
    let mut errors = Vec::new();
    let title = d.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(kernel::FieldError::new(
            "title",
            "scrivere che cosa scade (al più 200 caratteri)",
        ));
    } else if let Some(e) = kernel::text::check(title, kernel::text::Lines::Single) {
        errors.push(kernel::FieldError::new("title", e));
    }
    if let Some(e) = kernel::text::check(&d.notes, kernel::text::Lines::Multi) {
        errors.push(kernel::FieldError::new("notes", e));
    }
    if d.due_on.is_none() {
        errors.push(kernel::FieldError::new(
            "due_on",
            "indicare la data della scadenza",
        ));
    }
    if d.every_months > 120 {
        errors.push(kernel::FieldError::new(
            "every_months",
            "ogni quanti mesi: da 0 (una volta) a 120",
        ));
    }
    if d.notes.chars().count() > 2_000 {
        errors.push(kernel::FieldError::new(
            "notes",
            "note troppo lunghe (al più 2.000 caratteri)",
        ));
    }
    let Some(due) = d.due_on.filter(|_| errors.is_empty()) else {
        return Err(BillingError::Invalid(errors));
    };
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO deadlines (entity_id, title, due_on, every_months, notes, state, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7) RETURNING id",
    )
    .bind(d.entity_id)
    .bind(title)
    .bind(due.to_string())
    .bind(i64::from(d.every_months))
    .bind(d.notes.trim())
    .bind(&actor.label)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "deadline".into(),
            object_id: id.to_string(),
            entity_id: d.entity_id,
            before: None,
            after: Some(serde_json::json!({"title": title, "due_on": due.to_string(), "every_months": d.every_months}).to_string()),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Marks a deadline renewed (staff): an automatic one keeps a mark and its next occurrence
/// follows from its rule; one by hand is closed and, if it recurs, the next is made.
pub async fn renew(db: &Db, actor: &Actor, key: &str, due: NaiveDate) -> Result<(), BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::StaffOnly);
    }
    let window = DeadlineQuery {
        entity_id: None,
        from: due,
        to: due,
        kind: None,
    };
    let found = list(db, actor, &window)
        .await?
        .into_iter()
        .find(|d| d.key == key && d.date == due)
        .ok_or_else(|| {
            BillingError::field("key", "nessuna scadenza con questa chiave e questa data")
        })?;
    if matches!(found.kind, Kind::Payment | Kind::Needs) {
        return Err(BillingError::Conflict(
            "un pagamento o la scheda dei fabbisogni non si rinnovano: si chiudono da soli quando sono fatti".into(),
        ));
    }
    if found.state != "open" {
        return Err(BillingError::Conflict(
            "la scadenza è già rinnovata o chiusa".into(),
        ));
    }
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    if let Some(id) = key
        .strip_prefix("manual:")
        .and_then(|x| x.parse::<i64>().ok())
    {
        let (every, title, notes, entity): (i64, String, String, Option<i64>) = sqlx::query_as(
            "SELECT every_months, title, notes, entity_id FROM deadlines WHERE id = $1",
        )
        .bind(id)
        .fetch_one(tx.conn())
        .await?;
        sqlx::query(
            "UPDATE deadlines SET state = 'done', closed_by = $1, closed_at = $2 WHERE id = $3",
        )
        .bind(&actor.label)
        .bind(&now)
        .bind(id)
        .execute(tx.conn())
        .await?;
        if every > 0 {
            if let Some(next) = due.checked_add_months(chrono::Months::new(every as u32)) {
                sqlx::query(
                    "INSERT INTO deadlines (entity_id, title, due_on, every_months, notes, state, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, 'open', $6, $7)",
                )
                .bind(entity)
                .bind(&title)
                .bind(next.to_string())
                .bind(every)
                .bind(&notes)
                .bind(&actor.label)
                .bind(&now)
                .execute(tx.conn())
                .await?;
            }
        }
    } else {
        sqlx::query("INSERT INTO deadline_marks (key, due_on, marked_by, marked_at) VALUES ($1, $2, $3, $4)")
            .bind(key)
            .bind(due.to_string())
            .bind(&actor.label)
            .bind(&now)
            .execute(tx.conn())
            .await?;
    }
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "renew".into(),
            object_type: "deadline".into(),
            object_id: key.to_owned(),
            entity_id: found.entity_id,
            before: None,
            after: Some(
                serde_json::json!({"due_on": due.to_string(), "text": found.text}).to_string(),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues the reminders due `today`: each open deadline within its kind's notice (the
/// settings' days) gets one e-mail to the entity's contacts and the centre's staff, once.
pub async fn remind(db: &Db, today: NaiveDate) -> Result<usize, BillingError> {
    let sys = Actor::system("billing");
    let settings = super::settings(db).await?;
    let longest = Kind::ALL
        .iter()
        .map(|k| settings.reminder_days_for(*k))
        .max()
        .unwrap_or(0);
    let all = list(
        db,
        &sys,
        &DeadlineQuery {
            entity_id: None,
            from: today,
            to: today + chrono::Duration::days(i64::from(longest)),
            kind: None,
        },
    )
    .await?;
    let mut sent = 0;
    for d in all {
        let days = (d.date - today).num_days();
        if d.state != "open" || days > i64::from(settings.reminder_days_for(d.kind)) {
            continue;
        }
        let mut tx = db.write().await?;
        let fresh = sqlx::query(
            "INSERT INTO deadline_reminders (key, due_on, sent_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key, due_on) DO NOTHING",
        )
        .bind(&d.key)
        .bind(d.date.to_string())
        .bind(kernel::time::now())
        .execute(tx.conn())
        .await?;
        if fresh.rows_affected() != 1 {
            continue;
        }
        let to = super::recipients(&mut tx, d.entity_id).await?;
        if !to.is_empty() {
            let when = kernel::time::display_date(d.date);
            let entity = if d.entity_name.is_empty() {
                String::new()
            } else {
                format!("Ente: {}\n", d.entity_name)
            };
            mail::smtp::queue(
                &mut tx,
                &mail::Outgoing {
                    to,
                    subject: format!("[Scadenza {when}] {}", d.text),
                    body: format!(
                        "Gentile referente,\n\nil {when} scade: {}.\n{entity}Tipo: {}\n\nLo scadenzario è nel portale del centro servizi.\n\n-- \nCentro Servizi Territoriale\n",
                        d.text,
                        d.kind.label()
                    ),
                    local_id: mail::new_local_id(&format!("deadline-{}-{}", d.key.replace(':', "-"), d.date)),
                    references: vec![],
                    calendar: None,
                },
            )
            .await
            .map_err(|e| BillingError::Job(e.to_string()))?;
        }
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// Gives the actor a new calendar feed secret (the old address stops working); returns it.
pub async fn new_feed(db: &Db, actor: &Actor) -> Result<String, BillingError> {
    if actor.user_id == 0 || actor.role == Role::Supplier {
        return Err(BillingError::StaffOnly);
    }
    let token = accounts::secret::random("cal_");
    let mut tx = db.write().await?;
    sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1")
        .bind(actor.user_id)
        .execute(tx.conn())
        .await?;
    sqlx::query(
        "INSERT INTO calendar_feeds (user_id, token_sha256, created_at) VALUES ($1, $2, $3)",
    )
    .bind(actor.user_id)
    .bind(accounts::secret::digest(&token))
    .bind(kernel::time::now())
    .execute(tx.conn())
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Whether the actor has a feed.
pub async fn has_feed(db: &Db, actor: &Actor) -> Result<bool, BillingError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM calendar_feeds WHERE user_id = $1")
        .bind(actor.user_id)
        .fetch_one(db.pool())
        .await?;
    Ok(n > 0)
}

/// The account a feed's secret belongs to, if it is active: (actor, full name).
pub async fn feed_owner(db: &Db, token: &str) -> Result<Option<(Actor, String)>, BillingError> {
    let row: Option<(i64, String, String, String)> = sqlx::query_as(
        "SELECT u.id, u.username, u.role, u.full_name FROM calendar_feeds f JOIN users u ON u.id = f.user_id \
         WHERE f.token_sha256 = $1 AND u.active = 1",
    )
    .bind(accounts::secret::digest(token))
    .fetch_optional(db.pool())
    .await?;
    Ok(row.and_then(|(id, username, role, name)| {
        Role::parse(&role).map(|r| (Actor::user(id, &username, r), name))
    }))
}
