//! `cst logs verify --database`: every batch's hash recomputed from its messages, each chain's
//! links and head checked, and no message outside a batch. Names each problem found.

use std::collections::HashMap;

use sqlx::Row;

use crate::store::hash::{BatchHasher, GENESIS};
use crate::store::LogStore;
use crate::LogsError;

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub batches: u64,
    pub messages: u64,
    /// What is wrong, one sentence each; empty when everything holds.
    pub problems: Vec<String>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

pub async fn verify(store: &LogStore) -> Result<Report, LogsError> {
    let mut report = Report::default();
    let batches = sqlx::query(
        "SELECT id, entity_id, first_id, last_id, prev_hash, hash FROM log_batches \
         ORDER BY entity_id, id",
    )
    .fetch_all(&store.pool)
    .await?;
    let mut last: HashMap<i64, String> = HashMap::new();
    for b in &batches {
        let (id, entity, first, last_id): (i64, i64, i64, i64) =
            (b.try_get(0)?, b.try_get(1)?, b.try_get(2)?, b.try_get(3)?);
        let (prev, hash): (String, String) = (b.try_get(4)?, b.try_get(5)?);
        report.batches += 1;
        let expected_prev = last.get(&entity).map_or(GENESIS, String::as_str);
        if prev != expected_prev {
            report.problems.push(format!(
                "blocco {id} (ente {entity}): non segue il blocco precedente della catena \
                 (un blocco è stato tolto o riordinato)"
            ));
        }
        let rows = sqlx::query(
            "SELECT id, received_at, peer, raw FROM log_messages \
             WHERE id >= $1 AND id <= $2 ORDER BY id",
        )
        .bind(first)
        .bind(last_id)
        .fetch_all(&store.pool)
        .await?;
        let want = last_id - first + 1;
        if rows.len() as i64 != want {
            report.problems.push(format!(
                "blocco {id} (ente {entity}): {} messaggi invece di {want} (messaggi cancellati)",
                rows.len()
            ));
        }
        let mut hasher = BatchHasher::new(entity, id, first, last_id, &prev);
        for r in &rows {
            let raw: Vec<u8> = r.try_get(3)?;
            let peer: String = r.try_get(2)?;
            hasher.message(r.try_get(0)?, r.try_get(1)?, &peer, &raw);
        }
        report.messages += rows.len() as u64;
        if hasher.finish() != hash {
            report.problems.push(format!(
                "blocco {id} (ente {entity}): l'impronta non corrisponde: messaggi dal n. \
                 {first} al n. {last_id} alterati"
            ));
        }
        last.insert(entity, hash);
    }
    let heads = sqlx::query("SELECT entity_id, hash FROM log_heads")
        .fetch_all(&store.pool)
        .await?;
    for h in &heads {
        let (entity, hash): (i64, String) = (h.try_get(0)?, h.try_get(1)?);
        if last.get(&entity) != Some(&hash) {
            report.problems.push(format!(
                "ente {entity}: l'ultimo blocco registrato manca (la catena è stata troncata)"
            ));
        }
    }
    let total: i64 = sqlx::query_scalar("SELECT CAST(count(*) AS BIGINT) FROM log_messages")
        .fetch_one(&store.pool)
        .await?;
    if total as u64 > report.messages {
        report.problems.push(format!(
            "{} messaggi non appartengono ad alcun blocco (aggiunti dopo la registrazione)",
            total as u64 - report.messages
        ));
    }
    Ok(report)
}
