//! `cst logs verify --database`: every segment's hash recomputed from its blob, its messages
//! read back and counted, each chain's links and head checked. Names each problem found.

use std::collections::HashMap;

use sqlx::Row;

use crate::store::hash::{BatchHasher, GENESIS};
use crate::store::segment::{unpack, Segment, Unreadable};
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
    use futures_util::TryStreamExt;
    let mut report = Report::default();
    // A purged entity's chain starts from the last purged segment's hash.
    let purged: HashMap<i64, String> =
        sqlx::query_as::<_, (i64, String)>("SELECT entity_id, hash FROM log_purged")
            .fetch_all(&store.pool)
            .await?
            .into_iter()
            .collect();
    let mut last: HashMap<i64, String> = purged.clone();
    let mut rows = sqlx::query(
        "SELECT id, entity_id, first_id, last_id, prev_hash, hash, data FROM log_segments \
         ORDER BY entity_id, id",
    )
    .fetch(&store.pool);
    while let Some(b) = rows.try_next().await? {
        let (id, entity, first, last_id): (i64, i64, i64, i64) =
            (b.try_get(0)?, b.try_get(1)?, b.try_get(2)?, b.try_get(3)?);
        let (prev, hash): (String, String) = (b.try_get(4)?, b.try_get(5)?);
        let data: Vec<u8> = b.try_get(6)?;
        report.batches += 1;
        let expected_prev = last.get(&entity).map_or(GENESIS, String::as_str);
        if prev != expected_prev {
            report.problems.push(format!(
                "blocco {id} (ente {entity}): non segue il blocco precedente della catena \
                 (un blocco è stato tolto o riordinato)"
            ));
        }
        let mut hasher = BatchHasher::new(entity, id, first, last_id, &prev);
        hasher.bytes(&data);
        if hasher.finish() != hash {
            report.problems.push(format!(
                "blocco {id} (ente {entity}): l'impronta non corrisponde: messaggi dal n. \
                 {first} al n. {last_id} alterati o cancellati"
            ));
        }
        let plain = match unpack(&data) {
            Ok(p) => p,
            Err(Unreadable(why)) => {
                report
                    .problems
                    .push(format!("blocco {id} (ente {entity}): {why}"));
                last.insert(entity, hash);
                continue;
            }
        };
        match Segment::read(&plain) {
            Err(Unreadable(why)) => report
                .problems
                .push(format!("blocco {id} (ente {entity}): {why}")),
            Ok(seg) => {
                let mut n = 0u64;
                let mut broken = None;
                for m in seg.messages() {
                    match m {
                        Ok(_) => n += 1,
                        Err(Unreadable(why)) => broken = Some(why),
                    }
                }
                if let Some(why) = broken {
                    report
                        .problems
                        .push(format!("blocco {id} (ente {entity}): {why}"));
                } else if n as i64 != last_id - first + 1 {
                    report.problems.push(format!(
                        "blocco {id} (ente {entity}): {n} messaggi invece di {} (messaggi cancellati)",
                        last_id - first + 1
                    ));
                }
                report.messages += n;
            }
        }
        last.insert(entity, hash);
    }
    drop(rows);
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
    Ok(report)
}
