//! Silent sources: a source that sent nothing for longer than its expected interval is marked
//! silent (from its last message, or from its registration if it never spoke), shown on the
//! entity's log page and in its sources, and — when the source asks for it — opens one
//! help-desk ticket per silence, like the backup checks. A message from it ends the silence.

use chrono::{DateTime, Duration, Utc};
use db::Db;
use kernel::Actor;

use crate::store::LogStore;
use crate::LogsError;

/// What one evaluation changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SilenceReport {
    /// Sources that fell silent now.
    pub silent: Vec<i64>,
    /// Sources that spoke again.
    pub back: Vec<i64>,
    /// Tickets opened (their numbers).
    pub tickets: Vec<String>,
}

/// Marks and unmarks silent sources at `now`, opening the tickets asked for.
pub async fn evaluate(
    db: &Db,
    store: &LogStore,
    now: DateTime<Utc>,
) -> Result<SilenceReport, LogsError> {
    let mut report = SilenceReport::default();
    for s in crate::sources::all(db).await? {
        let Some(minutes) = s.expected_minutes else {
            continue;
        };
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(last_at) FROM log_seen WHERE source_id = $1")
                .bind(s.id)
                .fetch_one(&store.pool)
                .await?;
        let since = match last {
            Some(us) => DateTime::from_timestamp_micros(us),
            None => kernel::time::parse(&s.created_at),
        };
        let Some(since) = since else { continue };
        let silent = now - since > Duration::minutes(minutes);
        if silent && s.silent_since.is_none() {
            let mut tx = db.write().await?;
            sqlx::query(
                "UPDATE log_sources SET silent_since = $1 WHERE id = $2 AND silent_since IS NULL",
            )
            .bind(kernel::time::format(since))
            .bind(s.id)
            .execute(tx.conn())
            .await?;
            tx.commit().await?;
            report.silent.push(s.id);
        } else if !silent && s.silent_since.is_some() {
            let mut tx = db.write().await?;
            sqlx::query(
                "UPDATE log_sources SET silent_since = NULL, silence_ticket_id = NULL WHERE id = $1",
            )
            .bind(s.id)
            .execute(tx.conn())
            .await?;
            tx.commit().await?;
            report.back.push(s.id);
            continue;
        }
        if silent && s.ticket_on_silence && s.silence_ticket_id.is_none() {
            let t = helpdesk::store::create(
                db,
                &Actor::system("log-silence"),
                &helpdesk::model::NewTicket {
                    entity_id: s.entity_id,
                    subject: format!("Log: la sorgente «{}» non invia messaggi", s.name),
                    description: format!(
                        "La sorgente dei log «{}» non invia messaggi dal {} (atteso almeno uno ogni {} minuti). \
                         Finché tace, gli accessi dei suoi amministratori non vengono registrati.",
                        s.name,
                        kernel::time::display_instant(since),
                        minutes
                    ),
                    category: "Log di sistema".into(),
                    priority: "high".into(),
                    channel: "monitoring".into(),
                    ..Default::default()
                },
                now,
            )
            .await
            .map_err(|e| LogsError::Store(format!("ticket non aperto: {e}")))?;
            let mut tx = db.write().await?;
            sqlx::query(
                "UPDATE log_sources SET silence_ticket_id = $1 WHERE id = $2 AND silence_ticket_id IS NULL",
            )
            .bind(t.id)
            .bind(s.id)
            .execute(tx.conn())
            .await?;
            tx.commit().await?;
            report.tickets.push(t.number);
        }
    }
    Ok(report)
}
