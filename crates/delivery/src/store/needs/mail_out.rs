//! The needs campaign's e-mails: the invitation when the campaign opens, and the reminders to
//! the entities that have not sent their form, a week and a day before the deadline (each
//! once, however many processes run the schedule).

use chrono::NaiveDate;
use db::{Db, WriteTx};
use sqlx::Row;

use crate::DeliveryError;

/// Queues the invitation (or, with `reminder`, the reminder) of an entity's form.
pub(super) async fn invite(
    tx: &mut WriteTx,
    campaign_id: i64,
    year: i32,
    deadline: NaiveDate,
    entity_id: i64,
    reminder: bool,
) -> Result<(), DeliveryError> {
    let to = crate::notify::entity_addresses(tx, entity_id, true).await?;
    if to.is_empty() {
        return Ok(());
    }
    let entity: String = sqlx::query_scalar("SELECT name FROM entities WHERE id = $1")
        .bind(entity_id)
        .fetch_one(tx.conn())
        .await?;
    let d = kernel::time::display_date(deadline);
    let (subject, opening) = if reminder {
        (
            format!("Promemoria: scheda dei fabbisogni {year} entro il {d}"),
            format!(
                "la scheda dei fabbisogni {year} di {entity} non ci è ancora arrivata: la aspettiamo entro il {d}."
            ),
        )
    } else {
        (
            format!("Scheda dei fabbisogni {year}: da compilare entro il {d}"),
            format!(
                "come ogni anno il centro servizi raccoglie i fabbisogni degli enti soci per il {year}: le chiediamo di compilare la scheda di {entity} entro il {d}."
            ),
        )
    };
    mail::smtp::queue(
        tx,
        &mail::Outgoing {
            to,
            subject,
            body: format!(
                "Gentile referente,\n\n{opening}\n\nNella scheda trova i servizi che l'ente ha oggi (da rinnovare, con la stessa quantità o un'altra, o da cessare) e il catalogo dei servizi (per indicare quelli che le interessano). Si può salvare una bozza e inviarla quando è completa.\n\nLa scheda è nel portale del centro servizi: /needs/{campaign_id}/forms/{entity_id}\n\n-- \nCentro Servizi Territoriale\n"
            ),
            local_id: mail::new_local_id(&format!(
                "needs{campaign_id}-{entity_id}-{}",
                if reminder { "reminder" } else { "invite" }
            )),
            references: vec![],
            calendar: None,
        },
    )
    .await
    .map_err(|e| DeliveryError::Mail(e.to_string()))?;
    Ok(())
}

/// The days before the deadline a reminder goes out.
pub const REMIND_BEFORE: [i64; 2] = [7, 1];

/// The reminder that is due on `today` for a deadline: the latest reminder day reached, if the
/// deadline has not passed.
pub fn reminder_day(deadline: NaiveDate, today: NaiveDate) -> Option<NaiveDate> {
    if today > deadline {
        return None;
    }
    REMIND_BEFORE
        .iter()
        .filter_map(|d| deadline.checked_sub_days(chrono::Days::new(u64::try_from(*d).ok()?)))
        .filter(|d| *d <= today)
        .max()
}

/// Sends the reminders due on `today` to the entities whose form is not sent: each reminder
/// once (a conditional update marks the form first). Gives how many went out.
pub async fn remind(db: &Db, today: NaiveDate) -> Result<usize, DeliveryError> {
    let campaigns =
        sqlx::query("SELECT id, year, deadline FROM needs_campaigns WHERE deadline >= $1")
            .bind(today.to_string())
            .fetch_all(db.pool())
            .await?;
    let mut sent = 0;
    for c in &campaigns {
        let id: i64 = c.try_get(0)?;
        let year = i32::try_from(c.try_get::<i64, _>(1)?).unwrap_or(0);
        let deadline: NaiveDate = c
            .try_get::<String, _>(2)?
            .parse()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        let Some(due) = reminder_day(deadline, today) else {
            continue;
        };
        let mut tx = db.write().await?;
        let forms: Vec<i64> = sqlx::query_scalar(
            "SELECT entity_id FROM needs_forms WHERE campaign_id = $1 AND state IN ('sent', 'draft') \
             AND (reminded_on IS NULL OR reminded_on < $2) ORDER BY entity_id",
        )
        .bind(id)
        .bind(due.to_string())
        .fetch_all(tx.conn())
        .await?;
        for e in forms {
            let marked = sqlx::query(
                "UPDATE needs_forms SET reminded_on = $1 WHERE campaign_id = $2 AND entity_id = $3 \
                 AND (reminded_on IS NULL OR reminded_on < $4)",
            )
            .bind(today.to_string())
            .bind(id)
            .bind(e)
            .bind(due.to_string())
            .execute(tx.conn())
            .await?
            .rows_affected();
            if marked == 1 {
                invite(&mut tx, id, year, deadline, e, true).await?;
                sent += 1;
            }
        }
        tx.commit().await?;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_a_week_and_a_day_before() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
        let deadline = d("2026-12-15");
        for (today, due) in [
            ("2026-12-01", None),
            ("2026-12-08", Some("2026-12-08")),
            ("2026-12-10", Some("2026-12-08")),
            ("2026-12-14", Some("2026-12-14")),
            ("2026-12-15", Some("2026-12-14")),
            ("2026-12-16", None),
        ] {
            assert_eq!(reminder_day(deadline, d(today)), due.map(d), "{today}");
        }
    }
}
