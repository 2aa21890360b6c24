//! An entity's messages of a time window in the order they were received, one segment at a
//! time (memory: one segment): what the sealed exports read. Messages that waited in
//! quarantine before their address was registered to the entity are included, as in the
//! review.

use sqlx::Row;

use crate::store::segment::{unpack, Segment, Stored};
use crate::store::LogStore;
use crate::LogsError;

/// Calls `f` with each message's id and the message, oldest first, for messages received in
/// `[from, to)` (µs). Returns how many there were.
pub async fn each_message<F>(
    store: &LogStore,
    entity_id: i64,
    from: i64,
    to: i64,
    mut f: F,
) -> Result<u64, LogsError>
where
    F: FnMut(i64, &Stored<'_>) -> Result<(), LogsError>,
{
    use futures_util::TryStreamExt;
    let assigned: Vec<String> =
        sqlx::query_scalar("SELECT peer FROM log_assignments WHERE entity_id = $1")
            .bind(entity_id)
            .fetch_all(&store.pool)
            .await?;
    let entities = if assigned.is_empty() {
        "entity_id = $1"
    } else {
        "(entity_id = $1 OR entity_id = 0)"
    };
    let sql = format!(
        "SELECT entity_id, first_id, data FROM log_segments WHERE {entities} \
         AND received_to >= $2 AND received_from < $3 ORDER BY id"
    );
    let mut n = 0u64;
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(entity_id)
        .bind(from)
        .bind(to)
        .fetch(&store.pool);
    while let Some(r) = rows.try_next().await? {
        let entity: i64 = r.try_get(0)?;
        let first: i64 = r.try_get(1)?;
        let data: Vec<u8> = r.try_get(2)?;
        let data = unpack(&data).map_err(|u| LogsError::Store(u.0.to_owned()))?;
        let seg = Segment::read(&data).map_err(|u| {
            LogsError::Store(format!(
                "blocco dal messaggio n. {first} illeggibile ({}): verificare con cst logs verify",
                u.0
            ))
        })?;
        for m in seg.messages() {
            let m = m.map_err(|u| LogsError::Store(u.0.to_owned()))?;
            if m.received < from || m.received >= to {
                continue;
            }
            if entity == 0 && !assigned.iter().any(|p| p == m.peer) {
                continue;
            }
            f(first + i64::from(m.index), &m)?;
            n += 1;
        }
    }
    Ok(n)
}
