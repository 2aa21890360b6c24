//! Forward-only migrations, embedded in the binary. See `migrations/README.md`.

use crate::{Backend, Db, DbError, WriteTx};
use futures_util::future::BoxFuture;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A data step in Rust, run in the migration's transaction after its SQL.
pub type Step = for<'a> fn(&'a mut WriteTx) -> BoxFuture<'a, Result<(), sqlx::Error>>;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    sql: &'static str,
    step: Option<Step>,
}

pub fn migrations() -> &'static [Migration] {
    &[
        Migration {
            version: 1,
            name: "foundation",
            sql: include_str!("../../../migrations/0001_foundation.sql"),
            step: None,
        },
        Migration {
            version: 2,
            name: "membership_fee_rules",
            sql: include_str!("../../../migrations/0002_membership_fee_rules.sql"),
            step: None,
        },
        Migration {
            version: 3,
            name: "catalog",
            sql: include_str!("../../../migrations/0003_catalog.sql"),
            step: None,
        },
        Migration {
            version: 4,
            name: "helpdesk",
            sql: include_str!("../../../migrations/0004_helpdesk.sql"),
            step: None,
        },
        Migration {
            version: 5,
            name: "ticket_thread",
            sql: include_str!("../../../migrations/0005_ticket_thread.sql"),
            step: None,
        },
        Migration {
            version: 6,
            name: "ticket_indexes",
            sql: include_str!("../../../migrations/0006_ticket_indexes.sql"),
            step: None,
        },
        Migration {
            version: 7,
            name: "helpdesk_mail",
            sql: include_str!("../../../migrations/0007_helpdesk_mail.sql"),
            step: None,
        },
        Migration {
            version: 8,
            name: "support_profiles",
            sql: include_str!("../../../migrations/0008_support_profiles.sql"),
            step: None,
        },
        Migration {
            version: 9,
            name: "ticket_phases",
            sql: include_str!("../../../migrations/0009_ticket_phases.sql"),
            step: None,
        },
        Migration {
            version: 10,
            name: "backup_checks",
            sql: include_str!("../../../migrations/0010_backup_checks.sql"),
            step: None,
        },
        Migration {
            version: 11,
            name: "helpdesk_settings",
            sql: include_str!("../../../migrations/0011_helpdesk_settings.sql"),
            step: None,
        },
        Migration {
            version: 12,
            name: "tokens_and_throttle",
            sql: include_str!("../../../migrations/0012_tokens_and_throttle.sql"),
            step: None,
        },
        Migration {
            version: 13,
            name: "session_flash",
            sql: include_str!("../../../migrations/0013_session_flash.sql"),
            step: None,
        },
        Migration {
            version: 14,
            name: "message_sender_check",
            sql: include_str!("../../../migrations/0014_message_sender_check.sql"),
            step: None,
        },
        Migration {
            version: 15,
            name: "schedules",
            sql: include_str!("../../../migrations/0015_schedules.sql"),
            step: None,
        },
        Migration {
            version: 16,
            name: "files",
            sql: include_str!("../../../migrations/0016_files.sql"),
            step: Some(|tx| Box::pin(attachments_into_file_store(tx))),
        },
        Migration {
            version: 17,
            name: "attachments_in_file_store",
            sql: include_str!("../../../migrations/0017_attachments_in_file_store.sql"),
            step: None,
        },
        Migration {
            version: 18,
            name: "ticket_queue",
            sql: include_str!("../../../migrations/0018_ticket_queue.sql"),
            step: None,
        },
        Migration {
            version: 19,
            name: "delivery",
            sql: include_str!("../../../migrations/0019_delivery.sql"),
            step: None,
        },
        Migration {
            version: 20,
            name: "work",
            sql: include_str!("../../../migrations/0020_work.sql"),
            step: None,
        },
        Migration {
            version: 21,
            name: "service_changes",
            sql: include_str!("../../../migrations/0021_service_changes.sql"),
            step: None,
        },
        Migration {
            version: 22,
            name: "needs",
            sql: include_str!("../../../migrations/0022_needs.sql"),
            step: None,
        },
        Migration {
            version: 23,
            name: "projects",
            sql: include_str!("../../../migrations/0023_projects.sql"),
            step: None,
        },
        Migration {
            version: 24,
            name: "billing",
            sql: include_str!("../../../migrations/0024_billing.sql"),
            step: None,
        },
        Migration {
            version: 25,
            name: "deadlines",
            sql: include_str!("../../../migrations/0025_deadlines.sql"),
            step: None,
        },
        Migration {
            version: 26,
            name: "centre_costs",
            sql: include_str!("../../../migrations/0026_centre_costs.sql"),
            step: None,
        },
        Migration {
            version: 27,
            name: "log_sources",
            sql: include_str!("../../../migrations/0027_log_sources.sql"),
            step: None,
        },
        Migration {
            version: 28,
            name: "log_exports",
            sql: include_str!("../../../migrations/0028_log_exports.sql"),
            step: None,
        },
        Migration {
            version: 29,
            name: "log_review",
            sql: include_str!("../../../migrations/0029_log_review.sql"),
            step: None,
        },
        Migration {
            version: 30,
            name: "portal",
            sql: include_str!("../../../migrations/0030_portal.sql"),
            step: None,
        },
        Migration {
            version: 31,
            name: "portal_rooms",
            sql: include_str!("../../../migrations/0031_portal_rooms.sql"),
            step: None,
        },
        Migration {
            version: 32,
            name: "faq",
            sql: include_str!("../../../migrations/0032_faq.sql"),
            step: None,
        },
        Migration {
            version: 33,
            name: "training",
            sql: include_str!("../../../migrations/0033_training.sql"),
            step: None,
        },
        Migration {
            version: 34,
            name: "address_books",
            sql: include_str!("../../../migrations/0034_address_books.sql"),
            step: None,
        },
        Migration {
            version: 35,
            name: "sms",
            sql: include_str!("../../../migrations/0035_sms.sql"),
            step: None,
        },
        Migration {
            version: 36,
            name: "agenda",
            sql: include_str!("../../../migrations/0036_agenda.sql"),
            step: None,
        },
    ]
}

impl Migration {
    pub fn render(&self, backend: Backend) -> String {
        let pk = match backend {
            Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
            Backend::Postgres => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        };
        let blob = match backend {
            Backend::Sqlite => "BLOB",
            Backend::Postgres => "BYTEA",
        };
        self.sql.replace("{{pk}}", pk).replace("{{blob}}", blob)
    }
    pub fn checksum(&self) -> String {
        hex::encode(Sha256::digest(self.sql.as_bytes()))
    }
}

/// Migration 16's step: each attachment's base64 text becomes a file in the store, one
/// attachment in memory at a time, checked against the hash recorded when it was received.
async fn attachments_into_file_store(tx: &mut WriteTx) -> Result<(), sqlx::Error> {
    use base64::Engine;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM ticket_attachments ORDER BY id")
        .fetch_all(tx.conn())
        .await?;
    for id in ids {
        let (sha, b64): (String, String) =
            sqlx::query_as("SELECT sha256, content_b64 FROM ticket_attachments WHERE id = $1")
                .bind(id)
                .fetch_one(tx.conn())
                .await?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let stored = crate::files::put(tx, &bytes).await?;
        if stored.sha256 != sha {
            // Bytes that no longer match their recorded hash are kept under the hash they
            // have: the attachment then reads as altered, as it did before.
            tracing::warn!(
                attachment = id,
                "attachment does not match its recorded SHA-256"
            );
        }
    }
    Ok(())
}

impl Db {
    /// Applies the migrations this database lacks, each in its own transaction.
    /// Returns the versions applied.
    pub async fn migrate(&self) -> Result<Vec<i64>, DbError> {
        self.migrate_up_to(i64::MAX).await
    }

    /// Applies the missing migrations up to version `last` (a test of a data step builds the
    /// database as an older program left it, then migrates the rest).
    pub async fn migrate_up_to(&self, last: i64) -> Result<Vec<i64>, DbError> {
        let mut tx = self.write().await?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, name TEXT NOT NULL,
                checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(tx.conn())
        .await?;
        tx.commit().await?;

        let applied: Vec<(i64, String)> =
            sqlx::query("SELECT version, checksum FROM schema_migrations ORDER BY version")
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_, sqlx::Error>>()?;
        let known = migrations();
        for (v, sum) in &applied {
            match known.iter().find(|m| m.version == *v) {
                None => return Err(DbError::MigrationUnknown(*v)),
                Some(m) if &m.checksum() != sum => {
                    return Err(DbError::MigrationChanged {
                        version: m.version,
                        name: m.name.to_owned(),
                    })
                }
                Some(_) => {}
            }
        }
        let mut done = Vec::new();
        for m in known
            .iter()
            .filter(|m| m.version <= last && !applied.iter().any(|(v, _)| *v == m.version))
        {
            let fail = |source| DbError::Migration {
                version: m.version,
                name: m.name.to_owned(),
                source,
            };
            let mut tx = self.write().await.map_err(fail)?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(m.render(self.backend())))
                .execute(tx.conn())
                .await
                .map_err(fail)?;
            if let Some(step) = m.step {
                step(&mut tx).await.map_err(fail)?;
            }
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(m.checksum())
            .bind(kernel::time::now())
            .execute(tx.conn())
            .await
            .map_err(fail)?;
            tx.commit().await.map_err(fail)?;
            tracing::info!(version = m.version, name = m.name, "migration applied");
            done.push(m.version);
        }
        Ok(done)
    }

    /// The newest applied migration (0 for an empty database).
    pub async fn schema_version(&self) -> Result<i64, sqlx::Error> {
        let exists = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema = current_schema()"
            }
        };
        let n: i64 = sqlx::query_scalar(exists).fetch_one(self.pool()).await?;
        if n == 0 {
            return Ok(0);
        }
        let v: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_one(self.pool())
            .await?;
        Ok(v.unwrap_or(0))
    }
}
