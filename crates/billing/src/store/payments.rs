//! Payments of issued statements (date, amount, reference; partial payments add up), the
//! overdue list, and the overdue reminders by e-mail (to the entity's contacts and the centre,
//! at most once a week per statement).

use chrono::NaiveDate;
use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::{Actor, Euro};
use serde::Serialize;
use sqlx::Row;

use super::date;
use super::statements::{self, Statement};
use crate::BillingError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payment {
    pub id: i64,
    pub statement_id: i64,
    pub paid_on: NaiveDate,
    pub amount: Euro,
    pub reference: String,
    pub created_by: String,
    pub created_at: String,
}

/// Days between two reminders of the same overdue statement.
pub const REMIND_EVERY_DAYS: i64 = 7;

fn row(r: &sqlx::any::AnyRow) -> Result<Payment, sqlx::Error> {
    Ok(Payment {
        id: r.try_get(0)?,
        statement_id: r.try_get(1)?,
        paid_on: date(&r.try_get::<String, _>(2)?)?,
        amount: Euro::from_cents(r.try_get(3)?),
        reference: r.try_get(4)?,
        created_by: r.try_get(5)?,
        created_at: r.try_get(6)?,
    })
}

/// The payments of a statement the actor may see, in date order.
pub async fn of_statement(db: &Db, actor: &Actor, id: i64) -> Result<Vec<Payment>, BillingError> {
    statements::get(db, actor, id).await?;
    let rows = sqlx::query(
        "SELECT id, statement_id, paid_on, amount_cents, reference, created_by, created_at \
         FROM payments WHERE statement_id = $1 ORDER BY paid_on, id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
}

/// Records a payment (admins). Refused on a draft, a credit note, in the future, before the
/// issue date, zero or negative, or beyond what is still due; the statement is `paid` once
/// the payments reach what the entity owes the centre.
pub async fn record(
    db: &Db,
    actor: &Actor,
    id: i64,
    paid_on: NaiveDate,
    amount: Euro,
    reference: &str,
    today: NaiveDate,
) -> Result<Statement, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::NotFound);
    }
    let s = statements::get(db, actor, id).await?;
    if !actor.is_admin() {
        return Err(BillingError::AdminOnly);
    }
    if s.state == "draft" {
        return Err(BillingError::Conflict(
            "il rendiconto è ancora una bozza: emetterlo prima di registrare pagamenti".into(),
        ));
    }
    if s.is_credit() {
        return Err(BillingError::Conflict(
            "una nota di credito non si paga: è il centro che restituisce".into(),
        ));
    }
    let left = s.payable - s.paid;
    let mut errors = Vec::new();
    if amount <= Euro::ZERO {
        errors.push(kernel::FieldError::new(
            "amount",
            "l'importo deve essere maggiore di zero",
        ));
    } else if amount > left {
        errors.push(kernel::FieldError::new(
            "amount",
            format!("l'importo supera quanto resta da pagare ({left})"),
        ));
    }
    if paid_on > today {
        errors.push(kernel::FieldError::new(
            "paid_on",
            "la data del pagamento è nel futuro",
        ));
    }
    if s.issued_on.is_some_and(|d| paid_on < d) {
        errors.push(kernel::FieldError::new(
            "paid_on",
            "la data del pagamento è precedente all'emissione del rendiconto",
        ));
    }
    if reference.chars().count() > 200 {
        errors.push(kernel::FieldError::new(
            "reference",
            "riferimento troppo lungo (al più 200 caratteri)",
        ));
    }
    if !errors.is_empty() {
        return Err(BillingError::Invalid(errors));
    }
    let paid = s.paid + amount;
    let state = if paid >= s.payable {
        "paid"
    } else {
        s.state.as_str()
    };
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let done = sqlx::query(
        "UPDATE statements SET paid_cents = $1, state = $2, version = version + 1, updated_at = $3 \
         WHERE id = $4 AND version = $5",
    )
    .bind(paid.cents())
    .bind(state)
    .bind(&now)
    .bind(id)
    .bind(s.version)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(BillingError::Conflict(
            "il rendiconto è cambiato nel frattempo: ricaricare la pagina".into(),
        ));
    }
    let pid: i64 = sqlx::query_scalar(
        "INSERT INTO payments (statement_id, paid_on, amount_cents, reference, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(id)
    .bind(paid_on.to_string())
    .bind(amount.cents())
    .bind(reference.trim())
    .bind(&actor.label)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "create".into(),
            object_type: "payment".into(),
            object_id: pid.to_string(),
            entity_id: Some(s.entity_id),
            before: None,
            after: Some(
                serde_json::json!({"statement": s.number, "paid_on": paid_on.to_string(),
                    "amount": amount.to_decimal_string(), "reference": reference.trim(),
                    "state": state})
                .to_string(),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    statements::get(db, actor, id).await
}

/// Issued statements past their due date and not fully paid, oldest due first (staff).
pub async fn overdue(
    db: &Db,
    actor: &Actor,
    today: NaiveDate,
) -> Result<Vec<Statement>, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::StaffOnly);
    }
    // One read of the statements and one of their lines, however many are overdue.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM statements s JOIN entities e ON e.id = s.entity_id \
         WHERE s.state IN ('issued', 'invoiced') AND s.due_on < $1 \
         AND s.paid_cents < s.payable_cents ORDER BY s.due_on, s.id",
        statements::COLS
    )))
    .bind(today.to_string())
    .fetch_all(db.pool())
    .await?;
    let list = rows
        .iter()
        .map(statements::statement_row)
        .collect::<Result<Vec<_>, _>>()?;
    statements::fill_lines(db, list).await
}

/// Queues the overdue reminders due `today` (each overdue statement at most once every
/// [`REMIND_EVERY_DAYS`]): to the entity's contacts and the centre's staff. Returns how many.
pub async fn remind(db: &Db, today: NaiveDate) -> Result<usize, BillingError> {
    let sys = Actor::system("billing");
    let since = (today - chrono::Duration::days(REMIND_EVERY_DAYS)).to_string();
    let mut sent = 0;
    for s in overdue(db, &sys, today).await? {
        let mut tx = db.write().await?;
        // Marked first, in the same transaction: two processes never send it twice.
        let marked = sqlx::query(
            "UPDATE statements SET reminded_on = $1 WHERE id = $2 \
             AND (reminded_on IS NULL OR reminded_on <= $3)",
        )
        .bind(today.to_string())
        .bind(s.id)
        .bind(&since)
        .execute(tx.conn())
        .await?;
        if marked.rows_affected() != 1 {
            continue;
        }
        let to = super::recipients(&mut tx, Some(s.entity_id)).await?;
        if to.is_empty() {
            tx.commit().await?;
            continue;
        }
        let number = s.number.clone().unwrap_or_default();
        let due = s.due_on.map(kernel::time::display_date).unwrap_or_default();
        let left = s.payable - s.paid;
        mail::smtp::queue(
            &mut tx,
            &mail::Outgoing {
                to,
                subject: format!("[Rendiconto {number}] Pagamento scaduto il {due}"),
                body: format!(
                    "Gentile referente,\n\nil rendiconto n. {number} dell'anno {} intestato a {} era da pagare entro il {due}.\nImporto dovuto: {}\nGià pagato: {}\nResta da pagare: {left}\n\nSe il pagamento è già stato disposto, non occorre fare altro: verrà registrato appena ricevuto.\nIl dettaglio è nel portale del centro servizi, alla pagina dell'ente.\n\n-- \nCentro Servizi Territoriale\n",
                    s.year, s.entity_name, s.payable, s.paid
                ),
                local_id: mail::new_local_id(&format!("statement{}-overdue-{today}", s.id)),
                references: vec![],
                calendar: None,
            },
        )
        .await
        .map_err(|e| BillingError::Job(e.to_string()))?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}
