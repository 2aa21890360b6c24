//! Store and forward: an instance of cst at an entity (on-site) keeps its own log store and
//! forwards it to the centre's (on-cloud) over HTTPS, in order, a message counted as forwarded
//! only once the centre has committed it. While the link is down nothing moves and nothing is
//! lost: the local store holds everything and the forwarder resumes from its cursor.
//!
//! The centre registers the instance as a *relay source* of the entity and gives it the token
//! made then; the instance presents it (`POST /api/v1/log-relay`). The centre keeps, per relay
//! source, the last message id it committed, and skips what it already has: a batch sent again
//! after a lost answer is not stored twice (at least once on the wire, once in the store,
//! except if the centre stops between committing and recording the id).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use db::Db;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::ingest::{Chunk, Resolved, Transport};
use crate::store::segment::{self, Segment};
use crate::store::LogStore;
use crate::{Ingest, LogsError, Source};

/// Messages in one request at most.
pub const MAX_BATCH: usize = 5_000;

pub fn new_token() -> String {
    let mut b = [0u8; 32];
    let _ = getrandom::fill(&mut b);
    format!("cstrelay_{}", hex::encode(b))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// The relay source a token belongs to.
pub async fn source_of(db: &Db, token: &str) -> Result<Option<Source>, LogsError> {
    crate::sources::find(db, "relay_token_hash = $1", &token_hash(token)).await
}

/// One message as relayed: its id at the instance, when and from whom the instance received
/// it, and its raw bytes (base64).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelayMessage {
    pub id: i64,
    /// µs since the epoch.
    pub received: i64,
    pub peer: String,
    pub raw: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelayBatch {
    pub messages: Vec<RelayMessage>,
}

/// What the centre answers once the batch is committed.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RelayAck {
    /// Stored now.
    pub stored: u64,
    /// Already stored by an earlier request.
    pub skipped: u64,
    /// The last message id the centre holds from this instance.
    pub last_id: i64,
}

/// Stores a relayed batch for the relay source `source` and answers once it is committed.
pub async fn accept(
    store: &LogStore,
    ingest: &Ingest,
    source: &Source,
    batch: &RelayBatch,
) -> Result<RelayAck, LogsError> {
    if batch.messages.len() > MAX_BATCH {
        return Err(LogsError::field(
            "messages",
            format!("al massimo {MAX_BATCH} messaggi per richiesta"),
        ));
    }
    let mut last: i64 = sqlx::query_scalar("SELECT last_id FROM log_relay WHERE source_id = $1")
        .bind(source.id)
        .fetch_optional(&store.pool)
        .await?
        .unwrap_or(0);
    let mut errors = Vec::new();
    let mut prev = 0i64;
    let mut raws = Vec::with_capacity(batch.messages.len());
    for (i, m) in batch.messages.iter().enumerate() {
        if m.id <= prev {
            errors.push(kernel::FieldError::new(
                &format!("messages[{i}].id"),
                "i messaggi vanno in ordine di numero crescente",
            ));
        }
        prev = m.id;
        match base64::engine::general_purpose::STANDARD.decode(&m.raw) {
            Ok(r) if r.len() <= syslog::frame::MAX_FRAME => raws.push(r),
            Ok(_) => errors.push(kernel::FieldError::new(
                &format!("messages[{i}].raw"),
                "messaggio più lungo di 64 KiB",
            )),
            Err(_) => errors.push(kernel::FieldError::new(
                &format!("messages[{i}].raw"),
                "non è in base64",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(LogsError::Invalid(errors));
    }
    let zone = source
        .time_zone
        .parse::<chrono_tz::Tz>()
        .unwrap_or(chrono_tz::Europe::Rome);
    let from = Resolved {
        entity_id: source.entity_id,
        source_id: Some(source.id),
        time: syslog::SourceTime {
            zone,
            ..Default::default()
        },
    };
    let mut chunk = Chunk::with_capacity(raws.iter().map(Vec::len).sum());
    let mut skipped = 0u64;
    let mut newest = last;
    for (m, raw) in batch.messages.iter().zip(&raws) {
        if m.id <= last {
            skipped += 1;
            continue;
        }
        let peer: Arc<str> = Arc::from(m.peer.as_str());
        chunk.add(raw, &peer, &from, m.received);
        newest = m.id;
    }
    let stored = chunk.len() as u64;
    ingest
        .send_committed(chunk.into_records(Transport::Relay))
        .await?;
    if newest > last {
        sqlx::query(
            "INSERT INTO log_relay (source_id, last_id, at) VALUES ($1, $2, $3) \
             ON CONFLICT (source_id) DO UPDATE SET last_id = excluded.last_id, at = excluded.at",
        )
        .bind(source.id)
        .bind(newest)
        .bind(chrono::Utc::now().timestamp_micros())
        .execute(&store.pool)
        .await?;
        last = newest;
    }
    Ok(RelayAck {
        stored,
        skipped,
        last_id: last,
    })
}

/// The messages after `cursor` in this store, oldest first, at most `limit`.
pub async fn after(
    store: &LogStore,
    cursor: i64,
    limit: usize,
) -> Result<Vec<RelayMessage>, LogsError> {
    use futures_util::TryStreamExt;
    let mut out = Vec::new();
    let mut rows =
        sqlx::query("SELECT first_id, data FROM log_segments WHERE last_id > $1 ORDER BY first_id")
            .bind(cursor)
            .fetch(&store.pool);
    while let Some(r) = rows.try_next().await? {
        let first: i64 = r.try_get(0)?;
        let data: Vec<u8> = r.try_get(1)?;
        let data = segment::unpack(&data).map_err(|u| LogsError::Store(u.0.to_owned()))?;
        let seg = Segment::read(&data).map_err(|u| LogsError::Store(u.0.to_owned()))?;
        for m in seg.messages() {
            let m = m.map_err(|u| LogsError::Store(u.0.to_owned()))?;
            let id = first + i64::from(m.index);
            if id <= cursor {
                continue;
            }
            out.push(RelayMessage {
                id,
                received: m.received,
                peer: m.peer.to_owned(),
                raw: base64::engine::general_purpose::STANDARD.encode(m.raw),
            });
            if out.len() >= limit {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

async fn cursor(store: &LogStore) -> Result<i64, LogsError> {
    Ok(
        sqlx::query_scalar("SELECT last_id FROM log_forward WHERE id = 1")
            .fetch_optional(&store.pool)
            .await?
            .unwrap_or(0),
    )
}

async fn set_cursor(store: &LogStore, last: i64) -> Result<(), LogsError> {
    sqlx::query(
        "INSERT INTO log_forward (id, last_id, at) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET last_id = excluded.last_id, at = excluded.at",
    )
    .bind(last)
    .bind(chrono::Utc::now().timestamp_micros())
    .execute(&store.pool)
    .await?;
    Ok(())
}

/// Where this instance forwards its store.
#[derive(Clone)]
pub struct Forward {
    /// The centre's address (`https://cst.centro.example.it`).
    pub url: String,
    pub token: String,
}

/// Sends one batch after the cursor; returns how many messages the centre now holds of it
/// (0: nothing to send).
pub async fn forward_once(
    store: &LogStore,
    client: &reqwest::Client,
    to: &Forward,
) -> Result<usize, String> {
    let from = cursor(store).await.map_err(|e| e.to_string())?;
    let messages = after(store, from, MAX_BATCH)
        .await
        .map_err(|e| e.to_string())?;
    let Some(last) = messages.last().map(|m| m.id) else {
        return Ok(0);
    };
    let n = messages.len();
    let answer = client
        .post(format!("{}/api/v1/log-relay", to.url.trim_end_matches('/')))
        .bearer_auth(&to.token)
        .json(&RelayBatch { messages })
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !answer.status().is_success() {
        let status = answer.status();
        let body = answer.text().await.unwrap_or_default();
        return Err(format!("the centre answered {status}: {body}"));
    }
    let ack: RelayAck = answer.json().await.map_err(|e| e.to_string())?;
    // The centre may hold more than this batch (an earlier answer lost): its word wins.
    set_cursor(store, ack.last_id.max(last))
        .await
        .map_err(|e| e.to_string())?;
    Ok(n)
}

/// Forwards until `stop`: a batch as soon as there is one, a pause of a second when there is
/// none, a growing pause (up to a minute) while the centre cannot be reached.
pub async fn forward(store: LogStore, to: Forward, mut stop: tokio::sync::watch::Receiver<bool>) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("log forwarding not started: {e}");
            return;
        }
    };
    let mut pause = Duration::from_secs(1);
    loop {
        if *stop.borrow() {
            return;
        }
        let wait = match forward_once(&store, &client, &to).await {
            Ok(n) if n >= MAX_BATCH => Duration::ZERO,
            Ok(_) => {
                pause = Duration::from_secs(1);
                pause
            }
            Err(e) => {
                tracing::warn!(
                    "log forwarding to {} failed, retrying in {pause:?}: {e}",
                    to.url
                );
                let p = pause;
                pause = (pause * 2).min(Duration::from_secs(60));
                p
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
    }
}
