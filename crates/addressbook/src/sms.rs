//! SMS from an entity to a send list or to numbers: the text split as the networks count it,
//! the cost shown before sending (the price list's PD02 `sms` item, per part), the centre's
//! monthly limit, one message per recipient and one row per part queued for the gateway
//! ([`job`]), the sent-messages log with each message's state from its parts.

use chrono::{Datelike, Utc};
use db::Db;
use kernel::{Actor, Euro, FieldError};
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::card::{msisdn, phone};
use crate::store::{audit_event, entity_in_scope, lists};
use crate::AddressBookError;

pub mod job;

/// The price-list item SMS are metered to.
pub const SERVICE: &str = "PD02";
pub const ITEM: &str = "sms";
/// The most recipients of one send.
pub const MAX_RECIPIENTS: usize = 20_000;

/// What a text costs to send, before it is sent.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Preview {
    /// `gsm7` or `ucs2`.
    pub coding: String,
    /// Characters as the networks count them.
    pub length: usize,
    /// Parts of each message.
    pub parts_each: usize,
    /// Characters that force UCS-2 (70 per message instead of 160).
    pub unicode: Vec<String>,
    /// Recipients with a number.
    pub messages: usize,
    /// Parts in all (what is charged).
    pub parts: usize,
    /// Euros (`0.25`), at the price list in force today.
    pub cost: String,
}

#[derive(Debug, Clone, Default)]
pub struct SendDraft {
    pub entity_id: i64,
    pub list_id: Option<i64>,
    pub to: Vec<String>,
    pub text: String,
}

/// The cost of `parts` SMS parts on `day`: the PD02 `sms` item of the price list in force
/// (nothing without a list or without the item).
pub async fn cost(db: &Db, parts: usize, day: chrono::NaiveDate) -> Result<Euro, AddressBookError> {
    let list = match catalog::store::price_lists::on(db, day).await {
        Ok(l) => l.list,
        Err(catalog::CatalogError::Db(e)) => return Err(AddressBookError::Db(e)),
        Err(_) => return Ok(Euro::ZERO),
    };
    let input = catalog::fees::QuoteInput {
        service: SERVICE,
        item: Some(ITEM),
        quantity: u32::try_from(parts).unwrap_or(u32::MAX),
        population: None,
        activation: day,
        year: day.year(),
    };
    Ok(catalog::fees::quote(&list, &input).map_or(Euro::ZERO, |q| q.amount))
}

/// The recipients of a send: (name, number as written, number as the networks see it), each
/// number once.
async fn recipients(
    db: &Db,
    actor: &Actor,
    d: &SendDraft,
) -> Result<(Vec<(String, String, String)>, String), AddressBookError> {
    let mut out: Vec<(String, String, String)> = vec![];
    let mut list_name = String::new();
    let mut wrong = vec![];
    if let Some(id) = d.list_id {
        let l = lists::detail(db, actor, id).await?;
        if l.list.entity_id != d.entity_id {
            return Err(AddressBookError::ListNotFound);
        }
        list_name = l.list.name.clone();
        for m in l.items.into_iter().filter(|m| !m.phone.is_empty()) {
            out.push((m.name, m.phone.clone(), msisdn(&m.phone)));
        }
    }
    for (i, t) in d.to.iter().enumerate() {
        match phone(t) {
            Ok(p) if !p.is_empty() => out.push((String::new(), p.clone(), msisdn(&p))),
            Ok(_) => {}
            Err(m) => wrong.push(FieldError::new(
                &format!("to[{i}]"),
                format!("«{}»: {m}", t.trim()),
            )),
        }
    }
    if !wrong.is_empty() {
        return Err(AddressBookError::Invalid(wrong));
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|r| seen.insert(r.2.clone()));
    if out.is_empty() {
        return Err(AddressBookError::Invalid(vec![FieldError::new(
            if d.list_id.is_some() { "list_id" } else { "to" },
            "nessun destinatario con un numero di cellulare",
        )]));
    }
    if out.len() > MAX_RECIPIENTS {
        return Err(AddressBookError::Invalid(vec![FieldError::new(
            "to",
            format!("al massimo {MAX_RECIPIENTS} destinatari per invio"),
        )]));
    }
    Ok((out, list_name))
}

fn checked_text(text: &str) -> Result<sms::Split, AddressBookError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AddressBookError::Invalid(vec![FieldError::new(
            "text",
            "scrivere il testo del messaggio",
        )]));
    }
    let s = sms::text::split(t);
    if s.parts.len() > sms::text::MAX_PARTS {
        return Err(AddressBookError::Invalid(vec![FieldError::new(
            "text",
            format!(
                "testo troppo lungo: {} parti, al massimo {} ({} caratteri {})",
                s.parts.len(),
                sms::text::MAX_PARTS,
                sms::text::MAX_PARTS * s.coding.limits().1,
                if s.coding == sms::Coding::Gsm7 {
                    "semplici"
                } else {
                    "con accenti maiuscoli o simboli"
                }
            ),
        )]));
    }
    Ok(s)
}

/// The first instant of this month in Rome, stored form.
fn month_start(now: chrono::DateTime<Utc>) -> String {
    let local = now.with_timezone(&kernel::time::ROME);
    let first = local.date_naive().with_day(1).unwrap_or(local.date_naive());
    let t = first
        .and_hms_opt(0, 0, 0)
        .and_then(|n| chrono::TimeZone::from_local_datetime(&kernel::time::ROME, &n).earliest())
        .map_or(now, |t| t.with_timezone(&Utc));
    kernel::time::format(t)
}

/// Parts an entity used this month (everything not refused for good).
async fn used_parts(conn: &mut sqlx::AnyConnection, entity_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM sms_parts p JOIN sms_messages m ON m.id = p.message_id \
         WHERE m.entity_id = $1 AND m.created_at >= $2 AND p.state <> 'failed'",
    )
    .bind(entity_id)
    .bind(month_start(Utc::now()))
    .fetch_one(conn)
    .await
}

async fn limit_of(
    conn: &mut sqlx::AnyConnection,
    entity_id: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT monthly_parts FROM sms_limits WHERE entity_id = $1")
        .bind(entity_id)
        .fetch_optional(conn)
        .await
}

/// Parts an entity used this month and its limit.
pub async fn usage(db: &Db, entity_id: i64) -> Result<(i64, Option<i64>), AddressBookError> {
    let mut conn = db.pool().acquire().await?;
    Ok((
        used_parts(&mut conn, entity_id).await?,
        limit_of(&mut conn, entity_id).await?,
    ))
}

/// A send worked out once: what it costs, the split text, the recipients.
struct Plan {
    preview: Preview,
    split: sms::Split,
    to: Vec<(String, String, String)>,
    list_name: String,
}

async fn plan(db: &Db, actor: &Actor, d: &SendDraft) -> Result<Plan, AddressBookError> {
    let mut conn = db.pool().acquire().await?;
    entity_in_scope(&mut conn, actor, d.entity_id).await?;
    drop(conn);
    let split = checked_text(&d.text)?;
    let (to, list_name) = recipients(db, actor, d).await?;
    let parts = to.len() * split.parts.len();
    let preview = Preview {
        coding: split.coding.code().into(),
        length: split.length,
        parts_each: split.parts.len(),
        unicode: split.unicode.iter().map(|c| c.to_string()).collect(),
        messages: to.len(),
        parts,
        cost: cost(db, parts, kernel::time::today())
            .await?
            .to_decimal_string(),
    };
    Ok(Plan {
        preview,
        split,
        to,
        list_name,
    })
}

/// What sending would do (nothing is stored).
pub async fn preview(db: &Db, actor: &Actor, d: &SendDraft) -> Result<Preview, AddressBookError> {
    Ok(plan(db, actor, d).await?.preview)
}

/// Queues a text to a list or to numbers: refused past the entity's monthly limit; one
/// message per recipient and one row per part, handed to the gateway by the `sms.send` job.
pub async fn send(db: &Db, actor: &Actor, d: &SendDraft) -> Result<Preview, AddressBookError> {
    let Plan {
        preview: p,
        split: s,
        to,
        list_name,
    } = plan(db, actor, d).await?;
    let mut tx = db.write().await?;
    // The limit is checked inside the write, so two sends cannot both pass it.
    let used = used_parts(tx.conn(), d.entity_id).await?;
    let limit = limit_of(tx.conn(), d.entity_id).await?;
    if let Some(l) = limit {
        if used + p.parts as i64 > l {
            return Err(AddressBookError::Limit(format!(
                "limite mensile di SMS raggiunto: usate {used} parti su {l}, questo invio ne chiede {}",
                p.parts
            )));
        }
    }
    let now = kernel::time::now();
    let batch = format!("{}-{}", d.entity_id, kernel::time::format(Utc::now()));
    let text = d.text.trim();
    for (name, _, number) in &to {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sms_messages (entity_id, batch, list_name, name, destination, text, coding, \
             parts, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(d.entity_id)
        .bind(&batch)
        .bind(&list_name)
        .bind(name)
        .bind(number)
        .bind(text)
        .bind(s.coding.code())
        .bind(s.parts.len() as i64)
        .bind(&actor.label)
        .bind(&now)
        .fetch_one(tx.conn())
        .await?;
        for part in 1..=s.parts.len() {
            sqlx::query(
                "INSERT INTO sms_parts (message_id, part, state, updated_at) VALUES ($1, $2, 'queued', $3)",
            )
            .bind(id)
            .bind(part as i64)
            .bind(&now)
            .execute(tx.conn())
            .await?;
        }
    }
    worker::enqueue(&mut tx, job::SEND_JOB, &json!({}), None, None)
        .await
        .map_err(|e| AddressBookError::Db(sqlx::Error::Protocol(e.to_string())))?;
    audit_event(
        &mut tx,
        actor,
        "send",
        "sms",
        d.entity_id,
        d.entity_id,
        json!({"messages": p.messages, "parts": p.parts, "cost": p.cost, "list": list_name}),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

/// A message in the log, with its state from its parts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Message {
    pub id: i64,
    pub name: String,
    pub list_name: String,
    pub destination: String,
    pub text: String,
    pub parts: i64,
    /// `queued`, `accepted`, `delivered`, `undelivered`, `failed` or `uncertain`.
    pub state: String,
    pub error: String,
    pub created_at: String,
}

/// A message's state from its parts' states.
pub fn state_of(parts: &[String]) -> &'static str {
    let any = |s: &str| parts.iter().any(|p| p == s);
    if any("failed") {
        "failed"
    } else if any("uncertain") {
        "uncertain"
    } else if any("queued") || any("sending") {
        "queued"
    } else if any("undelivered") {
        "undelivered"
    } else if !parts.is_empty() && parts.iter().all(|p| p == "delivered") {
        "delivered"
    } else {
        "accepted"
    }
}

pub fn state_italian(s: &str) -> &'static str {
    match s {
        "queued" => "in coda",
        "accepted" => "accettato dal gestore",
        "delivered" => "consegnato",
        "undelivered" => "non consegnato",
        "failed" => "rifiutato",
        "uncertain" => "esito incerto (non reinviato)",
        _ => "",
    }
}

/// The entity's messages, newest first (at most `limit`).
pub async fn log(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    limit: i64,
) -> Result<Vec<Message>, AddressBookError> {
    let mut conn = db.pool().acquire().await?;
    entity_in_scope(&mut conn, actor, entity_id).await?;
    let rows = sqlx::query(
        "SELECT id, name, list_name, destination, text, parts, created_at FROM sms_messages \
         WHERE entity_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(entity_id)
    .bind(limit.clamp(1, 1000))
    .fetch_all(&mut *conn)
    .await?;
    // The parts of the messages listed, in one query.
    let parts = sqlx::query(
        "SELECT message_id, state, error FROM sms_parts WHERE message_id IN \
         (SELECT id FROM sms_messages WHERE entity_id = $1 ORDER BY id DESC LIMIT $2) \
         ORDER BY message_id, part",
    )
    .bind(entity_id)
    .bind(limit.clamp(1, 1000))
    .fetch_all(&mut *conn)
    .await?;
    let mut by: std::collections::HashMap<i64, (Vec<String>, String)> = Default::default();
    for p in &parts {
        let e = by.entry(p.try_get(0)?).or_default();
        e.0.push(p.try_get(1)?);
        let err: String = p.try_get(2)?;
        if e.1.is_empty() {
            e.1 = err;
        }
    }
    let mut out = vec![];
    for r in &rows {
        let id: i64 = r.try_get(0)?;
        let (states, error) = by.remove(&id).unwrap_or_default();
        out.push(Message {
            id,
            name: r.try_get(1)?,
            list_name: r.try_get(2)?,
            destination: r.try_get(3)?,
            text: r.try_get(4)?,
            parts: r.try_get(5)?,
            state: state_of(&states).into(),
            error,
            created_at: r.try_get(6)?,
        });
    }
    Ok(out)
}

/// Sets (or removes, with `None`) an entity's monthly limit of parts (staff).
pub async fn set_limit(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    monthly: Option<i64>,
) -> Result<(), AddressBookError> {
    let mut tx = db.write().await?;
    entity_in_scope(tx.conn(), actor, entity_id).await?;
    if !actor.is_staff() {
        return Err(AddressBookError::StaffOnly);
    }
    if monthly.is_some_and(|m| !(0..=10_000_000).contains(&m)) {
        return Err(AddressBookError::Invalid(vec![FieldError::new(
            "monthly_parts",
            "il limite è un numero intero da 0 a 10.000.000 (vuoto: nessun limite)",
        )]));
    }
    sqlx::query("DELETE FROM sms_limits WHERE entity_id = $1")
        .bind(entity_id)
        .execute(tx.conn())
        .await?;
    if let Some(m) = monthly {
        sqlx::query(
            "INSERT INTO sms_limits (entity_id, monthly_parts, updated_by, updated_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(entity_id)
        .bind(m)
        .bind(&actor.label)
        .bind(kernel::time::now())
        .execute(tx.conn())
        .await?;
    }
    audit_event(
        &mut tx,
        actor,
        "set_limit",
        "sms",
        entity_id,
        entity_id,
        json!({"monthly_parts": monthly}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
