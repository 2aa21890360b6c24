//! Which service item carries which module: data, set by the centre's administrators (the
//! service must be in the catalogue; the item is the price list's code, as services carry it). An
//! entity has a module on a day when one of its services that day is an item mapped to it; the
//! module's public pages are on only then.

use chrono::NaiveDate;
use db::Db;
use kernel::{Actor, Role};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{audit_event, About};
use crate::PortalError;

/// The modules an entity may have.
pub const MODULES: [(&str, &str); 3] = [
    ("events", "Eventi con iscrizione"),
    ("tenders", "Bandi di gara"),
    ("appointments", "Appuntamenti e sale"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ModuleItem {
    /// `events`, `tenders` or `appointments`.
    pub module: String,
    pub service: String,
    pub item: String,
}

/// Every mapping, by module.
pub async fn items(db: &Db) -> Result<Vec<ModuleItem>, PortalError> {
    let rows = sqlx::query(
        "SELECT module, service_code, item_code FROM portal_module_items \
         ORDER BY module, service_code, item_code",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ModuleItem {
                module: r.try_get(0)?,
                service: r.try_get(1)?,
                item: r.try_get(2)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Replaces the mapping (administrators): every module named must be one we have, every
/// service item one of the catalogue.
pub async fn set_items(
    db: &Db,
    actor: &Actor,
    items: &[ModuleItem],
) -> Result<Vec<ModuleItem>, PortalError> {
    if actor.role != Role::Admin {
        return Err(PortalError::StaffOnly);
    }
    let mut wrong = vec![];
    for (i, m) in items.iter().enumerate() {
        if !MODULES.iter().any(|(code, _)| *code == m.module) {
            wrong.push(kernel::FieldError::new(
                &format!("items[{i}].module"),
                "modulo sconosciuto: events, tenders o appointments",
            ));
        }
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM services WHERE code = $1")
            .bind(&m.service)
            .fetch_optional(db.pool())
            .await?;
        if known.is_none() {
            wrong.push(kernel::FieldError::new(
                &format!("items[{i}].service"),
                format!("il servizio «{}» non è nel catalogo", m.service),
            ));
        }
        if m.item.trim().is_empty() || m.item.chars().count() > 50 {
            wrong.push(kernel::FieldError::new(
                &format!("items[{i}].item"),
                "indicare il codice della voce di listino (al massimo 50 caratteri)",
            ));
        }
    }
    if !wrong.is_empty() {
        return Err(PortalError::Invalid(wrong));
    }
    let before = items_json(&self::items(db).await?);
    let mut tx = db.write().await?;
    sqlx::query("DELETE FROM portal_module_items")
        .execute(tx.conn())
        .await?;
    for m in items {
        sqlx::query(
            "INSERT INTO portal_module_items (module, service_code, item_code) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&m.module)
        .bind(&m.service)
        .bind(&m.item)
        .execute(tx.conn())
        .await?;
    }
    let after = items_json(items);
    let mut t = tx;
    audit_event(
        &mut t,
        actor,
        About {
            action: "update",
            object: "portal_modules",
            id: 0,
            entity_id: 0,
        },
        Some(before),
        Some(after),
    )
    .await?;
    t.commit().await?;
    self::items(db).await
}

fn items_json(items: &[ModuleItem]) -> serde_json::Value {
    serde_json::to_value(items).unwrap_or_default()
}

/// The modules an entity has on `day`.
pub async fn active(db: &Db, entity_id: i64, day: NaiveDate) -> Result<Vec<String>, PortalError> {
    let d = day.to_string();
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT m.module FROM portal_module_items m JOIN active_services s \
         ON s.service_code = m.service_code AND s.item_code = m.item_code \
         WHERE s.entity_id = $1 AND s.from_date <= $2 AND (s.end_date IS NULL OR s.end_date >= $2) \
         ORDER BY m.module",
    )
    .bind(entity_id)
    .bind(&d)
    .fetch_all(db.pool())
    .await?)
}
