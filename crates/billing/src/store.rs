//! The only module of this crate with SQL: the billing settings (here), the facts a year's
//! statements are computed from ([`facts`]), billing runs ([`runs`]) and statements
//! ([`statements`]). Drafts are recomputed by each run; an issued statement is never changed.

pub mod deadlines;
pub mod facts;
pub mod invoices;
pub mod payments;
pub mod readings;
pub mod reports;
pub mod runs;
pub mod statement_list;
pub mod statements;

use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::Actor;

use crate::settings::BillingSettings;
use crate::BillingError;

/// The stored settings and their version, if any were stored.
pub async fn stored_settings(db: &Db) -> Result<Option<(BillingSettings, i64)>, BillingError> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT settings_json, version FROM billing_settings WHERE id = 1")
            .fetch_optional(db.pool())
            .await?;
    row.map(|(json, v)| {
        serde_json::from_str(&json)
            .map(|s| (s, v))
            .map_err(|e| BillingError::Db(sqlx::Error::Decode(Box::new(e))))
    })
    .transpose()
}

/// The settings in force: the stored ones, else the defaults (no centre data yet).
pub async fn settings(db: &Db) -> Result<BillingSettings, BillingError> {
    Ok(stored_settings(db)
        .await?
        .map(|(s, _)| s)
        .unwrap_or_default())
}

/// Stores the settings (admins only), refusing invalid ones whole and a stale `version`.
pub async fn put_settings(
    db: &Db,
    actor: &Actor,
    s: &BillingSettings,
    version: Option<i64>,
) -> Result<(BillingSettings, i64), BillingError> {
    if !actor.is_admin() {
        return Err(BillingError::AdminOnly);
    }
    let problems = s.check();
    if !problems.is_empty() {
        return Err(BillingError::Invalid(problems));
    }
    let json = serde_json::to_string(s).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let now = kernel::time::now();
    let mut tx = db.write().await?;
    let before: Option<(String, i64)> =
        sqlx::query_as("SELECT settings_json, version FROM billing_settings WHERE id = 1")
            .fetch_optional(tx.conn())
            .await?;
    let new_version = match &before {
        Some((_, v)) => {
            if version.is_some_and(|want| want != *v) {
                return Err(BillingError::Conflict(
                    "le impostazioni sono state cambiate da qualcun altro: ricaricare la pagina"
                        .into(),
                ));
            }
            sqlx::query(
                "UPDATE billing_settings SET settings_json = $1, version = version + 1, \
                 updated_by = $2, updated_at = $3 WHERE id = 1",
            )
            .bind(&json)
            .bind(&actor.label)
            .bind(&now)
            .execute(tx.conn())
            .await?;
            v + 1
        }
        None => {
            sqlx::query(
                "INSERT INTO billing_settings (id, settings_json, version, updated_by, updated_at) \
                 VALUES (1, $1, 1, $2, $3)",
            )
            .bind(&json)
            .bind(&actor.label)
            .bind(&now)
            .execute(tx.conn())
            .await?;
            1
        }
    };
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: if before.is_some() { "update" } else { "create" }.into(),
            object_type: "billing_settings".into(),
            object_id: "1".into(),
            entity_id: None,
            before: before.map(|(j, _)| j),
            after: Some(json),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((s.clone(), new_version))
}

/// A stored `YYYY-MM-DD` date.
pub(crate) fn date(s: &str) -> Result<chrono::NaiveDate, sqlx::Error> {
    s.get(..10)
        .unwrap_or(s)
        .parse()
        .map_err(|e| sqlx::Error::Decode(format!("data «{s}» non valida: {e}").into()))
}

/// Who billing's e-mails go to: the entity's contacts (and its contact accounts), if any, and
/// the centre's staff; valid addresses, once each.
pub(crate) async fn recipients(
    tx: &mut db::WriteTx,
    entity_id: Option<i64>,
) -> Result<Vec<String>, BillingError> {
    let mut to = match entity_id {
        Some(e) => delivery::notify::entity_addresses(tx, e, true).await?,
        None => vec![],
    };
    to.extend(delivery::notify::staff_addresses(tx).await?);
    to.retain(|a| mail::is_address(a));
    to.sort();
    to.dedup();
    Ok(to)
}
