//! The hash of a committed batch (version 1). Written once here, used by both writers and by
//! `verify`:
//!
//! ```text
//! SHA-256( "cst-logs/1" 0x0A entity 0x0A batch 0x0A first_id 0x0A last_id 0x0A prev_hash 0x0A
//!          { id 0x0A received_at 0x0A peer 0x0A len(raw) 0x0A raw 0x0A } for each message by id )
//! ```
//!
//! numbers in decimal ASCII, hashes in lowercase hex. The entity a message belongs to is left
//! out on purpose: a quarantined message assigned to an entity later keeps its hash.

use sha2::{Digest, Sha256};

/// The hash before a chain's first batch (and the anchor after a purge starts from it).
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub struct BatchHasher(Sha256);

impl BatchHasher {
    pub fn new(entity: i64, batch: i64, first_id: i64, last_id: i64, prev: &str) -> Self {
        let mut h = Sha256::new();
        h.update(b"cst-logs/1\n");
        for n in [entity, batch, first_id, last_id] {
            h.update(n.to_string().as_bytes());
            h.update(b"\n");
        }
        h.update(prev.as_bytes());
        h.update(b"\n");
        Self(h)
    }

    pub fn message(&mut self, id: i64, received_at: i64, peer: &str, raw: &[u8]) {
        let h = &mut self.0;
        let mut buf = itoa_buf(id);
        h.update(&buf);
        buf = itoa_buf(received_at);
        h.update(&buf);
        h.update(peer.as_bytes());
        h.update(b"\n");
        h.update(itoa_buf(raw.len() as i64));
        h.update(raw);
        h.update(b"\n");
    }

    pub fn finish(self) -> String {
        hex::encode(self.0.finalize())
    }
}

/// `n` in decimal followed by a line feed.
fn itoa_buf(n: i64) -> Vec<u8> {
    let mut v = n.to_string().into_bytes();
    v.push(b'\n');
    v
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_covered_part_changes_the_hash() {
        let h = |entity, batch, prev: &str, id, at, peer: &str, raw: &[u8]| {
            let mut b = BatchHasher::new(entity, batch, id, id, prev);
            b.message(id, at, peer, raw);
            b.finish()
        };
        let base = h(1, 1, GENESIS, 1, 10, "10.0.0.1", b"m");
        assert_eq!(base, h(1, 1, GENESIS, 1, 10, "10.0.0.1", b"m"));
        assert_ne!(base, h(2, 1, GENESIS, 1, 10, "10.0.0.1", b"m"));
        assert_ne!(base, h(1, 2, GENESIS, 1, 10, "10.0.0.1", b"m"));
        assert_ne!(base, h(1, 1, &"1".repeat(64), 1, 10, "10.0.0.1", b"m"));
        assert_ne!(base, h(1, 1, GENESIS, 2, 10, "10.0.0.1", b"m"));
        assert_ne!(base, h(1, 1, GENESIS, 1, 11, "10.0.0.1", b"m"));
        assert_ne!(base, h(1, 1, GENESIS, 1, 10, "10.0.0.2", b"m"));
        assert_ne!(base, h(1, 1, GENESIS, 1, 10, "10.0.0.1", b"n"));
    }
}
