//! An entity's export and retention settings (main database, audited): the age recipients its
//! exports are encrypted for, how often they are made, and how long the log store keeps its
//! records (six months at least).

use db::{audit, Db};
use kernel::audit::AuditEvent;
use kernel::{Actor, FieldError};
use serde::Serialize;
use sqlx::Row;

use crate::period::{ExportEvery, DEFAULT_RETENTION_DAYS, MIN_RETENTION_DAYS};
use crate::LogsError;

/// The longest retention that can be set: ten years.
pub const MAX_RETENTION_DAYS: i64 = 3_660;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LogSettings {
    pub entity_id: i64,
    /// The age recipients (`age1…`) every export is encrypted for.
    pub recipients: Vec<String>,
    /// `daily`, `weekly` or `monthly`; none: exports only on request.
    pub schedule: Option<ExportEvery>,
    /// Days the log store keeps the entity's records (183 at least).
    pub retention_days: i64,
    pub updated_at: Option<String>,
    pub version: i64,
}

impl LogSettings {
    /// What an entity that set nothing has: no recipients (no exports), the default retention.
    pub fn unset(entity_id: i64) -> Self {
        Self {
            entity_id,
            recipients: Vec::new(),
            schedule: None,
            retention_days: DEFAULT_RETENTION_DAYS,
            updated_at: None,
            version: 0,
        }
    }

    pub fn recipients(&self) -> Result<Vec<seal::age::Recipient>, LogsError> {
        self.recipients
            .iter()
            .map(|r| seal::age::Recipient::parse(r))
            .collect::<Result<_, _>>()
            .map_err(|e| LogsError::field("recipients", e.to_string()))
    }
}

/// The settings as asked: checked by [`SettingsDraft::check`].
#[derive(Debug, Clone, Default)]
pub struct SettingsDraft {
    pub recipients: Vec<String>,
    pub schedule: Option<String>,
    pub retention_days: Option<i64>,
}

impl SettingsDraft {
    pub fn check(&self, entity_id: i64) -> Result<LogSettings, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut recipients: Vec<String> = Vec::new();
        if self.recipients.is_empty() {
            errors.push(FieldError::new(
                "recipients",
                "indicare almeno un destinatario age (age1…) per cui cifrare le esportazioni",
            ));
        }
        for (i, r) in self.recipients.iter().enumerate() {
            match seal::age::Recipient::parse(r.trim()) {
                Ok(p) => {
                    let s = p.to_string();
                    if !recipients.contains(&s) {
                        recipients.push(s);
                    }
                }
                Err(e) => errors.push(FieldError::new(&format!("recipients[{i}]"), e.to_string())),
            }
        }
        if recipients.len() > 20 {
            errors.push(FieldError::new("recipients", "al massimo 20 destinatari"));
        }
        let schedule = match self.schedule.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => match ExportEvery::parse(s) {
                Some(e) => Some(e),
                None => {
                    errors.push(FieldError::new(
                        "schedule",
                        format!("«{s}» non è una cadenza: daily, weekly o monthly"),
                    ));
                    None
                }
            },
        };
        let retention_days = self.retention_days.unwrap_or(DEFAULT_RETENTION_DAYS);
        if retention_days < MIN_RETENTION_DAYS {
            errors.push(FieldError::new(
                "retention_days",
                format!(
                    "i registri vanno conservati almeno sei mesi ({MIN_RETENTION_DAYS} giorni), \
                     non {retention_days}"
                ),
            ));
        } else if retention_days > MAX_RETENTION_DAYS {
            errors.push(FieldError::new(
                "retention_days",
                format!("al massimo {MAX_RETENTION_DAYS} giorni (dieci anni)"),
            ));
        }
        if errors.is_empty() {
            Ok(LogSettings {
                entity_id,
                recipients,
                schedule,
                retention_days,
                updated_at: None,
                version: 0,
            })
        } else {
            Err(errors)
        }
    }
}

fn row(r: &sqlx::any::AnyRow) -> Result<LogSettings, sqlx::Error> {
    let recipients: String = r.try_get(1)?;
    let schedule: Option<String> = r.try_get(2)?;
    Ok(LogSettings {
        entity_id: r.try_get(0)?,
        recipients: serde_json::from_str(&recipients).unwrap_or_default(),
        schedule: schedule.as_deref().and_then(ExportEvery::parse),
        retention_days: r.try_get(3)?,
        updated_at: r.try_get(4)?,
        version: r.try_get(5)?,
    })
}

const COLS: &str = "entity_id, recipients, schedule, retention_days, updated_at, version";

/// The entity's settings, or the defaults when it set none (no scope check: callers check).
pub async fn read(db: &Db, entity_id: i64) -> Result<LogSettings, LogsError> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM log_settings WHERE entity_id = $1"
    )))
    .bind(entity_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(match r {
        Some(r) => row(&r)?,
        None => LogSettings::unset(entity_id),
    })
}

/// Every entity's settings that has some.
pub async fn all(db: &Db) -> Result<Vec<LogSettings>, LogsError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM log_settings ORDER BY entity_id"
    )))
    .fetch_all(db.pool())
    .await?;
    Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
}

/// The entity's settings as the actor may see them (staff, the entity's people; else 404).
pub async fn get(db: &Db, actor: &Actor, entity_id: i64) -> Result<LogSettings, LogsError> {
    crate::sources::may_review(db, actor, entity_id).await?;
    read(db, entity_id).await
}

/// Sets the entity's settings (staff, or the entity's people: the recipients are the
/// entity's own keys). Audited with the settings before and after.
pub async fn put(
    db: &Db,
    actor: &Actor,
    entity_id: i64,
    draft: &SettingsDraft,
) -> Result<LogSettings, LogsError> {
    crate::sources::may_review(db, actor, entity_id).await?;
    let mut new = draft.check(entity_id).map_err(LogsError::Invalid)?;
    let before = read(db, entity_id).await?;
    let now = kernel::time::now();
    let recipients = serde_json::to_string(&new.recipients).unwrap_or_else(|_| "[]".into());
    let mut tx = db.write().await?;
    let version: i64 = sqlx::query_scalar(
        "INSERT INTO log_settings (entity_id, recipients, schedule, retention_days, updated_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (entity_id) DO UPDATE SET recipients = excluded.recipients, \
         schedule = excluded.schedule, retention_days = excluded.retention_days, \
         updated_at = excluded.updated_at, version = log_settings.version + 1 \
         RETURNING version",
    )
    .bind(entity_id)
    .bind(&recipients)
    .bind(new.schedule.map(ExportEvery::as_str))
    .bind(new.retention_days)
    .bind(&now)
    .fetch_one(tx.conn())
    .await?;
    let json = |s: &LogSettings| {
        serde_json::json!({
            "recipients": s.recipients, "schedule": s.schedule.map(ExportEvery::as_str),
            "retention_days": s.retention_days,
        })
        .to_string()
    };
    audit::append(
        &mut tx,
        AuditEvent {
            actor: actor.label.clone(),
            action: "update".into(),
            object_type: "log_settings".into(),
            object_id: entity_id.to_string(),
            entity_id: Some(entity_id),
            before: (before.version > 0).then(|| json(&before)),
            after: Some(json(&new)),
        },
    )
    .await?;
    tx.commit().await?;
    new.updated_at = Some(now);
    new.version = version;
    Ok(new)
}
