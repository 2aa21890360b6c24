//! A batch turned into what both writers store: one segment per entity, chained to that
//! entity's previous one, with ids handed out in arrival order; the access events to insert;
//! when each source was last heard. Pure: the writers read the chain heads and the counter, and
//! write what this returns.

use std::collections::{BTreeMap, HashMap};

use crate::ingest::Record;
use crate::store::hash::{BatchHasher, GENESIS};
use crate::store::segment::SegmentWriter;

/// Records of each entity, in arrival order.
pub fn by_entity(batch: &[Record]) -> BTreeMap<i64, Vec<usize>> {
    let mut groups: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, r) in batch.iter().enumerate() {
        groups.entry(r.entity_id).or_default().push(i);
    }
    groups
}

/// One segment ready to insert.
pub struct Built {
    pub id: i64,
    pub entity: i64,
    pub first: i64,
    pub last: i64,
    pub from: i64,
    pub to: i64,
    pub prev: String,
    pub hash: String,
    pub data: Vec<u8>,
    /// (message id, record index) of each record with an access event.
    pub access: Vec<(i64, usize)>,
}

/// The segments of a batch, ids from `next_id` and segment numbers from `next_segment`;
/// `heads` holds the last hash of each entity's chain (absent: a new chain). Blobs are written
/// into buffers taken from `spare` (the writer gives them back after the commit: large buffers
/// asked of the system anew cost more than the copying).
pub fn build(
    batch: &[Record],
    groups: &BTreeMap<i64, Vec<usize>>,
    mut next_id: i64,
    mut next_segment: i64,
    heads: &HashMap<i64, String>,
    spare: &mut Vec<Vec<u8>>,
) -> Vec<Built> {
    let mut out = Vec::with_capacity(groups.len());
    for (entity, idx) in groups {
        let prev = heads
            .get(entity)
            .cloned()
            .unwrap_or_else(|| GENESIS.to_owned());
        let first = next_id;
        let last = first + idx.len() as i64 - 1;
        let bytes: usize = idx.iter().map(|&i| batch[i].raw.bytes().len() + 40).sum();
        let mut w = SegmentWriter::reusing(spare.pop().unwrap_or_default(), bytes + 64);
        let (mut from, mut to) = (i64::MAX, i64::MIN);
        let mut access = Vec::new();
        for &i in idx {
            let r = &batch[i];
            w.push(r);
            from = from.min(r.received);
            to = to.max(r.received);
            if r.access.is_some() {
                access.push((next_id, i));
            }
            next_id += 1;
        }
        // Stored compressed: a quarter of the bytes to write (and to sync) is what lets the
        // store outpace a daemon writing plain text to a file (bench/syslog).
        let plain = w.finish();
        let data = super::segment::pack(&plain);
        if spare.len() < 4 {
            spare.push(plain);
        }
        let mut h = BatchHasher::new(*entity, next_segment, first, last, &prev);
        h.bytes(&data);
        out.push(Built {
            id: next_segment,
            entity: *entity,
            first,
            last,
            from,
            to,
            prev,
            hash: h.finish(),
            data,
            access,
        });
        next_segment += 1;
    }
    out
}

/// Per source (or per unknown peer): its entity, source, last receive time and count.
pub fn seen_of(batch: &[Record]) -> BTreeMap<String, (i64, Option<i64>, i64, i64)> {
    let mut seen: BTreeMap<String, (i64, Option<i64>, i64, i64)> = BTreeMap::new();
    for r in batch {
        let key = match r.source_id {
            Some(s) => format!("source:{s}"),
            None => format!("peer:{}", r.peer),
        };
        let e = seen
            .entry(key)
            .or_insert((r.entity_id, r.source_id, r.received, 0));
        e.2 = e.2.max(r.received);
        e.3 += 1;
    }
    seen
}

/// When an access event happened: the time the message states, else its receive time.
pub fn access_at(r: &Record) -> i64 {
    r.stated.unwrap_or(r.received)
}

/// Keeps a few blobs' memory for the next batch.
pub fn recycle(built: Vec<Built>, spare: &mut Vec<Vec<u8>>) {
    for b in built {
        if spare.len() < 4 {
            spare.push(b.data);
        }
    }
}
