//! The hash of a committed segment (version 1). Written once here, used by both writers and by
//! `verify`:
//!
//! ```text
//! SHA-256( "cst-logs/1" 0x0A entity 0x0A segment 0x0A first_id 0x0A last_id 0x0A prev_hash 0x0A
//!          blob )
//! ```
//!
//! numbers in decimal ASCII, hashes in lowercase hex; the blob is the segment exactly as stored
//! (every message's receive time, stated time, source, sender address and raw bytes).

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

    pub fn bytes(&mut self, blob: &[u8]) {
        self.0.update(blob);
    }

    pub fn finish(self) -> String {
        hex::encode(self.0.finalize())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_covered_part_changes_the_hash() {
        let h = |entity, seg, prev: &str, first, last, blob: &[u8]| {
            let mut b = BatchHasher::new(entity, seg, first, last, prev);
            b.bytes(blob);
            b.finish()
        };
        let base = h(1, 1, GENESIS, 1, 2, b"m");
        assert_eq!(base, h(1, 1, GENESIS, 1, 2, b"m"));
        assert_ne!(base, h(2, 1, GENESIS, 1, 2, b"m"));
        assert_ne!(base, h(1, 2, GENESIS, 1, 2, b"m"));
        assert_ne!(base, h(1, 1, &"1".repeat(64), 1, 2, b"m"));
        assert_ne!(base, h(1, 1, GENESIS, 2, 2, b"m"));
        assert_ne!(base, h(1, 1, GENESIS, 1, 3, b"m"));
        assert_ne!(base, h(1, 1, GENESIS, 1, 2, b"n"));
    }
}
