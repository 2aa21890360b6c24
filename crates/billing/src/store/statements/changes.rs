//! What changes a statement once drafted: issuing it (one or the year's), and the CIG, CUP and
//! pagoPA notice code it carries into its e-invoice.

use chrono::NaiveDate;
use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::{Actor, Euro};

use super::{get, Statement};
use crate::BillingError;

/// Issues a draft (admins): numbered in its year (`2026/0001`), dated `today`, due by the
/// centre's rhythm, and frozen from then on.
pub async fn issue(
    db: &Db,
    actor: &Actor,
    id: i64,
    today: NaiveDate,
) -> Result<Statement, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::NotFound);
    }
    let s = get(db, actor, id).await?;
    if !actor.is_admin() {
        return Err(BillingError::AdminOnly);
    }
    if s.state != "draft" {
        return Err(BillingError::Conflict(format!(
            "il rendiconto è già emesso con il numero {}",
            s.number.as_deref().unwrap_or("?")
        )));
    }
    if s.lines.is_empty() || s.net == Euro::ZERO {
        return Err(BillingError::Conflict(
            "il rendiconto non ha importi da emettere".into(),
        ));
    }
    let settings = crate::store::settings(db).await?;
    let due = settings.due.due(s.year, today);
    let mut tx = db.write().await?;
    let next: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(number_seq), 0) + 1 AS BIGINT) FROM statements WHERE year = $1",
    )
    .bind(i64::from(s.year))
    .fetch_one(tx.conn())
    .await?;
    let number = format!("{}/{next:04}", s.year);
    let done = sqlx::query(
        "UPDATE statements SET state = 'issued', number_seq = $1, number = $2, issued_on = $3, \
         issued_by = $4, due_on = $5, version = version + 1, updated_at = $6 \
         WHERE id = $7 AND state = 'draft' AND version = $8",
    )
    .bind(next)
    .bind(&number)
    .bind(today.to_string())
    .bind(&actor.label)
    .bind(due.to_string())
    .bind(kernel::time::now())
    .bind(id)
    .bind(s.version)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() != 1 {
        return Err(BillingError::Conflict(
            "il rendiconto è cambiato nel frattempo: ricaricare la pagina".into(),
        ));
    }
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "issue".into(),
            object_type: "statement".into(),
            object_id: id.to_string(),
            entity_id: Some(s.entity_id),
            before: None,
            after: Some(
                serde_json::json!({
                    "number": number, "year": s.year, "net": s.net.to_decimal_string(),
                    "vat": s.vat.to_decimal_string(), "total": s.total.to_decimal_string(),
                    "due_on": due.to_string(),
                })
                .to_string(),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// What identifies a statement's procurement and payment: CIG, CUP, the pagoPA notice code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct References {
    pub cig: Option<String>,
    pub cup: Option<String>,
    pub notice_code: Option<String>,
}

/// Sets a statement's CIG, CUP and pagoPA notice code (admins), before its e-invoice is made
/// (they go into it). Blank clears one.
pub async fn set_references(
    db: &Db,
    actor: &Actor,
    id: i64,
    r: &References,
) -> Result<Statement, BillingError> {
    if !actor.is_staff() {
        return Err(BillingError::NotFound);
    }
    let s = get(db, actor, id).await?;
    if !actor.is_admin() {
        return Err(BillingError::AdminOnly);
    }
    if s.state == "invoiced" || s.state == "paid" {
        return Err(BillingError::Conflict(
            "la fattura elettronica è già fatta: CIG, CUP e codice avviso non cambiano più".into(),
        ));
    }
    // As printed on paper, with spaces: kept without them.
    let clean = |v: &Option<String>| {
        v.as_deref()
            .map(|x| x.split_whitespace().collect::<String>().to_uppercase())
            .filter(|x| !x.is_empty())
    };
    let (cig, cup, notice) = (clean(&r.cig), clean(&r.cup), clean(&r.notice_code));
    let mut errors = Vec::new();
    let alnum = |x: &str, n: usize| x.len() == n && x.bytes().all(|b| b.is_ascii_alphanumeric());
    if cig.as_deref().is_some_and(|c| !alnum(c, 10)) {
        errors.push(kernel::FieldError::new(
            "cig",
            "il CIG ha 10 caratteri, lettere e cifre",
        ));
    }
    if cup.as_deref().is_some_and(|c| !alnum(c, 15)) {
        errors.push(kernel::FieldError::new(
            "cup",
            "il CUP ha 15 caratteri, lettere e cifre",
        ));
    }
    if notice
        .as_deref()
        .is_some_and(|c| c.len() != 18 || !c.bytes().all(|b| b.is_ascii_digit()))
    {
        errors.push(kernel::FieldError::new(
            "notice_code",
            "il codice avviso pagoPA ha 18 cifre",
        ));
    }
    if !errors.is_empty() {
        return Err(BillingError::Invalid(errors));
    }
    let mut tx = db.write().await?;
    sqlx::query(
        "UPDATE statements SET cig = $1, cup = $2, notice_code = $3, version = version + 1, \
         updated_at = $4 WHERE id = $5",
    )
    .bind(&cig)
    .bind(&cup)
    .bind(&notice)
    .bind(kernel::time::now())
    .bind(id)
    .execute(tx.conn())
    .await?;
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "update".into(),
            object_type: "statement".into(),
            object_id: id.to_string(),
            entity_id: Some(s.entity_id),
            before: Some(serde_json::json!({"number": s.number, "cig": s.cig, "cup": s.cup, "notice_code": s.notice_code}).to_string()),
            after: Some(serde_json::json!({"number": s.number, "cig": cig, "cup": cup, "notice_code": notice}).to_string()),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, actor, id).await
}

/// Issues every draft of `year` with an amount (admins), in the order of the entities'
/// names, so the numbers follow it. Returns how many were issued.
pub async fn issue_year(
    db: &Db,
    actor: &Actor,
    year: i32,
    today: NaiveDate,
) -> Result<i64, BillingError> {
    if !actor.is_admin() {
        return Err(BillingError::AdminOnly);
    }
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT s.id FROM statements s JOIN entities e ON e.id = s.entity_id \
         WHERE s.year = $1 AND s.state = 'draft' AND s.net_cents <> 0 ORDER BY e.name, s.id",
    )
    .bind(i64::from(year))
    .fetch_all(db.pool())
    .await?;
    if ids.is_empty() {
        return Err(BillingError::Conflict(format!(
            "nessuna bozza da emettere per il {year}: elaborare prima i rendiconti"
        )));
    }
    let mut n = 0;
    for id in ids {
        issue(db, actor, id, today).await?;
        n += 1;
    }
    Ok(n)
}
