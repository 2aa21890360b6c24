//! The `sms.send` job: hands the queued parts to the provider over SMPP and records what it
//! answered. A part is claimed (`sending`) before it is written; the provider's answer makes
//! it `accepted` (metered into the entity's statement), `failed` (refused for good) or
//! `queued` again (refused for now, or never written because the session broke); a part
//! written without an answer is `uncertain` and is **never sent again**. A gateway that is down
//! leaves every part queued and the job is retried. Receipts read on the session make parts
//! `delivered` or `undelivered`; those that come later (a phone off for hours) are read by the
//! `sms.receipts` job, every ten minutes while parts accepted in the last three days still wait
//! for one.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Datelike;
use db::Db;
use sms::client::{Config, Outcome, Session};
use sms::pdu::{self, Submit};
use sqlx::Row;
use worker::{Failure, Handler, Job, Retry};

use super::{ITEM, SERVICE};

pub const SEND_JOB: &str = "sms.send";
pub const RECEIPTS_JOB: &str = "sms.receipts";

/// How long after it was accepted a part's receipt is still awaited (the networks stop trying
/// to deliver after two or three days).
const RECEIPT_DAYS: i64 = 3;

/// The Italian name of a job kind of the SMS, if it is one.
pub fn label(kind: &str) -> Option<&'static str> {
    match kind {
        SEND_JOB => Some("Invio degli SMS"),
        RECEIPTS_JOB => Some("Lettura delle ricevute di consegna degli SMS"),
        _ => None,
    }
}

/// Parts claimed per round.
const ROUND: i64 = 1000;

/// Retries of a pass when the gateway is down: 12 attempts, from 30 seconds up to an hour.
pub fn retry() -> Retry {
    Retry {
        max_attempts: 12,
        first_delay: Duration::from_secs(30),
        max_delay: Duration::from_secs(3600),
    }
}

/// What a pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    pub accepted: usize,
    pub failed: usize,
    pub requeued: usize,
    pub uncertain: usize,
    pub receipts: usize,
}

pub struct Gateway {
    db: Db,
    config: Config,
    /// How long to wait for receipts after the last answer.
    pub receipt_wait: Duration,
}

struct Claimed {
    id: i64,
    message_id: i64,
    part: usize,
    entity_id: i64,
    destination: String,
    text: String,
}

impl Gateway {
    pub fn new(db: Db, config: Config) -> Self {
        Self {
            db,
            config,
            receipt_wait: Duration::from_millis(800),
        }
    }

    pub fn handler(self: Arc<Self>) -> Handler {
        Arc::new(move |_job: Job| {
            let me = self.clone();
            Box::pin(async move { me.pass().await.map(|_| ()) })
        })
    }

    /// The handler of [`RECEIPTS_JOB`].
    pub fn receipts_handler(self: Arc<Self>) -> Handler {
        Arc::new(move |_job: Job| {
            let me = self.clone();
            Box::pin(async move { me.late_receipts().await.map(|_| ()) })
        })
    }

    /// Reads the receipts that came after the pass that sent their parts: only when parts
    /// accepted in the last three days still wait for one, a session is opened just to
    /// receive. Returns how many parts they settled.
    pub async fn late_receipts(&self) -> Result<usize, Failure> {
        let since = kernel::time::format(chrono::Utc::now() - chrono::Duration::days(RECEIPT_DAYS));
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sms_parts WHERE state = 'accepted' AND updated_at >= $1",
        )
        .bind(since)
        .fetch_one(self.db.pool())
        .await
        .map_err(|e| Failure::Transient(format!("database: {e}")))?;
        if waiting == 0 {
            return Ok(0);
        }
        let mut session = Session::open(&self.config)
            .await
            .map_err(|e| Failure::Transient(e.to_string()))?;
        let got = session.receipts(self.receipt_wait).await;
        session.close().await;
        self.receipts(&got).await
    }

    async fn claim(&self) -> Result<Vec<Claimed>, Failure> {
        let db_err = |e: sqlx::Error| Failure::Transient(format!("database: {e}"));
        let mut tx = self.db.write().await.map_err(db_err)?;
        let rows = sqlx::query(
            "SELECT p.id, p.message_id, p.part, m.entity_id, m.destination, m.text FROM sms_parts p \
             JOIN sms_messages m ON m.id = p.message_id WHERE p.state = 'queued' ORDER BY p.id LIMIT $1",
        )
        .bind(ROUND)
        .fetch_all(tx.conn())
        .await
        .map_err(db_err)?;
        let now = kernel::time::now();
        let mut out = vec![];
        for r in &rows {
            let id: i64 = r.try_get(0).map_err(db_err)?;
            // Another process may have claimed it meanwhile: only a row still queued is ours.
            let got: Option<i64> = sqlx::query_scalar(
                "UPDATE sms_parts SET state = 'sending', attempts = attempts + 1, updated_at = $2 \
                 WHERE id = $1 AND state = 'queued' RETURNING id",
            )
            .bind(id)
            .bind(&now)
            .fetch_optional(tx.conn())
            .await
            .map_err(db_err)?;
            if got.is_some() {
                out.push(Claimed {
                    id,
                    message_id: r.try_get(1).map_err(db_err)?,
                    part: usize::try_from(r.try_get::<i64, _>(2).map_err(db_err)?).unwrap_or(1),
                    entity_id: r.try_get(3).map_err(db_err)?,
                    destination: r.try_get(4).map_err(db_err)?,
                    text: r.try_get(5).map_err(db_err)?,
                });
            }
        }
        tx.commit().await.map_err(db_err)?;
        Ok(out)
    }

    async fn release(&self, claimed: &[Claimed], why: &str) -> Result<(), Failure> {
        let db_err = |e: sqlx::Error| Failure::Transient(format!("database: {e}"));
        let mut tx = self.db.write().await.map_err(db_err)?;
        for c in claimed {
            sqlx::query("UPDATE sms_parts SET state = 'queued', error = $2 WHERE id = $1 AND state = 'sending'")
                .bind(c.id)
                .bind(why)
                .execute(tx.conn())
                .await
                .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    /// Sends everything queued, round by round; an error once some answers are recorded.
    pub async fn pass(&self) -> Result<Pass, Failure> {
        let mut total = Pass::default();
        loop {
            let claimed = self.claim().await?;
            if claimed.is_empty() {
                return Ok(total);
            }
            let mut session = match Session::open(&self.config).await {
                Ok(s) => s,
                Err(e) => {
                    self.release(&claimed, &e.to_string()).await?;
                    return Err(Failure::Transient(e.to_string()));
                }
            };
            let mut splits: HashMap<i64, sms::Split> = HashMap::new();
            let items: Vec<Submit> = claimed
                .iter()
                .map(|c| {
                    let s = splits
                        .entry(c.message_id)
                        .or_insert_with(|| sms::text::split(&c.text));
                    let total = s.parts.len();
                    let mut message = vec![];
                    if total > 1 {
                        let reference = u8::try_from(c.message_id % 255 + 1).unwrap_or(1);
                        message.extend_from_slice(&sms::text::udh(
                            reference,
                            u8::try_from(total).unwrap_or(u8::MAX),
                            u8::try_from(c.part).unwrap_or(1),
                        ));
                    }
                    message.extend_from_slice(s.parts.get(c.part - 1).map_or(&[][..], |p| p));
                    Submit {
                        source: self.config.source.clone(),
                        destination: c.destination.clone(),
                        esm_class: if total > 1 { 0x40 } else { 0 },
                        data_coding: s.coding.data_coding(),
                        registered_delivery: true,
                        message,
                    }
                })
                .collect();
            let r = session.submit_all(&items, self.config.window).await;
            let round = self.record(&claimed, &r).await?;
            total.accepted += round.accepted;
            total.failed += round.failed;
            total.requeued += round.requeued;
            total.uncertain += round.uncertain;
            if r.error.is_none() {
                let receipts = session.receipts(self.receipt_wait).await;
                total.receipts += self.receipts(&receipts).await?;
                session.close().await;
            }
            if let Some(e) = r.error {
                return Err(Failure::Transient(e.to_string()));
            }
        }
    }

    /// Records the provider's answers, and meters the accepted parts, in one transaction.
    async fn record(
        &self,
        claimed: &[Claimed],
        r: &sms::client::Submitted,
    ) -> Result<Pass, Failure> {
        let db_err = |e: sqlx::Error| Failure::Transient(format!("database: {e}"));
        let mut tx = self.db.write().await.map_err(db_err)?;
        let now = kernel::time::now();
        let mut pass = Pass::default();
        let mut meter: HashMap<i64, i64> = HashMap::new();
        for (i, c) in claimed.iter().enumerate() {
            let (state, provider, error) = if i >= r.sent {
                pass.requeued += 1;
                ("queued", None, String::new())
            } else {
                match &r.outcomes[i] {
                    Some(Outcome::Accepted(id)) => {
                        pass.accepted += 1;
                        *meter.entry(c.entity_id).or_default() += 1;
                        ("accepted", Some(id.clone()), String::new())
                    }
                    Some(Outcome::Refused(st)) if pdu::retryable(*st) => {
                        pass.requeued += 1;
                        ("queued", None, pdu::status_words(*st))
                    }
                    Some(Outcome::Refused(st)) => {
                        pass.failed += 1;
                        ("failed", None, pdu::status_words(*st))
                    }
                    None => {
                        pass.uncertain += 1;
                        (
                            "uncertain",
                            None,
                            "collegamento interrotto dopo l'invio, senza risposta: non viene reinviato"
                                .to_owned(),
                        )
                    }
                }
            };
            sqlx::query(
                "UPDATE sms_parts SET state = $2, provider_id = $3, error = $4, updated_at = $5 WHERE id = $1",
            )
            .bind(c.id)
            .bind(state)
            .bind(provider)
            .bind(error)
            .bind(&now)
            .execute(tx.conn())
            .await
            .map_err(db_err)?;
        }
        let today = kernel::time::today();
        for (entity, n) in meter {
            sqlx::query(
                "INSERT INTO meter_readings (entity_id, service_code, item_code, year, month, quantity, \
                 note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'SMS inviati', 'sms', $7) \
                 ON CONFLICT (entity_id, service_code, item_code, year, month) \
                 DO UPDATE SET quantity = meter_readings.quantity + excluded.quantity",
            )
            .bind(entity)
            .bind(SERVICE)
            .bind(ITEM)
            .bind(i64::from(today.year()))
            .bind(i64::from(today.month()))
            .bind(n)
            .bind(&now)
            .execute(tx.conn())
            .await
            .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(pass)
    }

    /// Applies delivery receipts to the parts they name; returns how many matched.
    async fn receipts(&self, receipts: &[pdu::Receipt]) -> Result<usize, Failure> {
        if receipts.is_empty() {
            return Ok(0);
        }
        let db_err = |e: sqlx::Error| Failure::Transient(format!("database: {e}"));
        let mut tx = self.db.write().await.map_err(db_err)?;
        let mut n = 0;
        for r in receipts {
            let (state, error) = match r.stat.as_str() {
                "DELIVRD" => ("delivered", String::new()),
                "ACCEPTD" | "ENROUTE" => continue,
                other => (
                    "undelivered",
                    format!("esito del gestore: {other} (errore {})", r.err),
                ),
            };
            let done = sqlx::query(
                "UPDATE sms_parts SET state = $2, error = $3, updated_at = $4 \
                 WHERE provider_id = $1 AND state = 'accepted'",
            )
            .bind(&r.message_id)
            .bind(state)
            .bind(error)
            .bind(kernel::time::now())
            .execute(tx.conn())
            .await
            .map_err(db_err)?;
            n += usize::try_from(done.rows_affected()).unwrap_or(0);
        }
        tx.commit().await.map_err(db_err)?;
        Ok(n)
    }
}
