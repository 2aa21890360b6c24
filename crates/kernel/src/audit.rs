//! The audit record and its hash chain.
//!
//! **Invariant:** record `n` stores `prev_hash` = hash of record `n-1` (64 zeros for the
//! first) and `hash` = SHA-256 over its own fields and `prev_hash`, each field written with
//! its length so no two records can be made to hash alike by moving bytes between fields.
//! Sequence numbers are contiguous from 1. Editing, deleting or reordering any record
//! therefore breaks either the sequence or a hash, and [`verify`] names the first such record.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One change to stored data: who, when, what, and the state before and after (JSON text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: i64,
    /// UTC, RFC 3339 with microseconds (see [`crate::time`]).
    pub at: String,
    /// `user:<id>:<username>`, or `system`/`cli` for changes not made by a logged-in person.
    pub actor: String,
    /// `create`, `update`, `delete`, `import`, `login`, …
    pub action: String,
    /// The kind of object changed (`entity`, `contact`, `user`, …) and its id.
    pub object_type: String,
    pub object_id: String,
    /// The member entity the change belongs to, if any: lets a contact read its own trail.
    pub entity_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The fields of a record before it is chained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub entity_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl AuditEvent {
    /// Chains this event after a record with sequence `prev_seq` and hash `prev_hash`.
    pub fn chain(self, prev_seq: i64, prev_hash: &str, at: String) -> AuditRecord {
        let mut r = AuditRecord {
            seq: prev_seq + 1,
            at,
            actor: self.actor,
            action: self.action,
            object_type: self.object_type,
            object_id: self.object_id,
            entity_id: self.entity_id,
            before: self.before,
            after: self.after,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        r.hash = r.compute_hash();
        r
    }
}

impl AuditRecord {
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut field = |tag: &str, v: Option<&str>| {
            h.update(tag.as_bytes());
            match v {
                Some(s) => {
                    h.update((s.len() as u64).to_be_bytes());
                    h.update(s.as_bytes());
                }
                None => h.update(u64::MAX.to_be_bytes()),
            }
        };
        let seq = self.seq.to_string();
        let entity = self.entity_id.map(|e| e.to_string());
        field("cst-audit-v1", None);
        field("seq", Some(&seq));
        field("at", Some(&self.at));
        field("actor", Some(&self.actor));
        field("action", Some(&self.action));
        field("object_type", Some(&self.object_type));
        field("object_id", Some(&self.object_id));
        field("entity_id", entity.as_deref());
        field("before", self.before.as_deref());
        field("after", self.after.as_deref());
        field("prev_hash", Some(&self.prev_hash));
        hex::encode(h.finalize())
    }
}

/// What is wrong with a chain, naming the first bad record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error(
        "record {found}: expected sequence number {expected} (a record was deleted or reordered)"
    )]
    Gap { expected: i64, found: i64 },
    #[error("record {seq}: prev_hash does not match the hash of record {}", seq - 1)]
    BrokenLink { seq: i64 },
    #[error("record {seq}: content does not match its hash (the record was edited)")]
    Tampered { seq: i64 },
    #[error("the chain ends at record {last} but the head says {head} (records were removed from the end)")]
    Truncated { last: i64, head: i64 },
    #[error("the chain head hash does not match record {seq}")]
    HeadMismatch { seq: i64 },
}

/// Incremental verifier: feed records in sequence order, then `finish` against the head.
#[derive(Debug)]
pub struct Verifier {
    expected_seq: i64,
    prev_hash: String,
    pub checked: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Self {
            expected_seq: 1,
            prev_hash: GENESIS.to_owned(),
            checked: 0,
        }
    }
}

impl Verifier {
    pub fn push(&mut self, r: &AuditRecord) -> Result<(), ChainError> {
        if r.seq != self.expected_seq {
            return Err(ChainError::Gap {
                expected: self.expected_seq,
                found: r.seq,
            });
        }
        if r.prev_hash != self.prev_hash {
            return Err(ChainError::BrokenLink { seq: r.seq });
        }
        if r.compute_hash() != r.hash {
            return Err(ChainError::Tampered { seq: r.seq });
        }
        self.expected_seq += 1;
        self.prev_hash.clone_from(&r.hash);
        self.checked += 1;
        Ok(())
    }

    /// `head_seq`/`head_hash`: the chain head kept beside the records.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<u64, ChainError> {
        let last = self.expected_seq - 1;
        if last != head_seq {
            return Err(ChainError::Truncated {
                last,
                head: head_seq,
            });
        }
        if self.prev_hash != head_hash {
            return Err(ChainError::HeadMismatch { seq: last });
        }
        Ok(self.checked)
    }
}

/// Verifies a whole chain in memory.
pub fn verify(records: &[AuditRecord], head_seq: i64, head_hash: &str) -> Result<u64, ChainError> {
    let mut v = Verifier::default();
    for r in records {
        v.push(r)?;
    }
    v.finish(head_seq, head_hash)
}

/// The account behind an actor label `user:<id>:<username>`: its id and username.
pub fn actor_user(label: &str) -> Option<(i64, &str)> {
    let rest = label.strip_prefix("user:")?;
    let (id, username) = rest.split_once(':')?;
    Some((id.parse().ok()?, username))
}

/// How a reader is told who acted when it was not a person's account: the mailbox, the
/// backup checks, the command line, the system.
pub fn actor_words(label: &str) -> String {
    if let Some((_, username)) = actor_user(label) {
        return username.to_owned();
    }
    match label {
        "email" => "posta in arrivo".to_owned(),
        "backup-check" => "controllo dei backup".to_owned(),
        "cli" => "riga di comando".to_owned(),
        l if l.starts_with("email:") => format!("e-mail di {}", &l["email:".len()..]),
        l if l.contains('@') => format!("e-mail di {l}"),
        _ => "sistema".to_owned(),
    }
}

#[cfg(test)]
mod words_tests {
    use super::*;

    #[test]
    fn actors_are_named_for_people() {
        assert_eq!(actor_user("user:12:operatore"), Some((12, "operatore")));
        assert_eq!(actor_user("user:x:operatore"), None);
        assert_eq!(actor_user("system"), None);
        assert_eq!(actor_words("user:12:operatore"), "operatore");
        assert_eq!(actor_words("cli"), "riga di comando");
        assert_eq!(actor_words("demo"), "sistema");
        assert_eq!(
            actor_words("email:ced@comune.it"),
            "e-mail di ced@comune.it"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for i in 0..n {
            let (seq, hash) = out
                .last()
                .map_or((0, GENESIS.to_owned()), |r| (r.seq, r.hash.clone()));
            let ev = AuditEvent {
                actor: "user:1:admin".into(),
                action: "update".into(),
                object_type: "entity".into(),
                object_id: i.to_string(),
                entity_id: Some(i as i64),
                before: Some(format!("{{\"n\":{i}}}")),
                after: None,
            };
            out.push(ev.chain(seq, &hash, format!("2026-01-01T00:00:{i:02}.000000Z")));
        }
        out
    }

    fn head(c: &[AuditRecord]) -> (i64, String) {
        c.last()
            .map_or((0, GENESIS.into()), |r| (r.seq, r.hash.clone()))
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        let (s, h) = head(&c);
        assert_eq!(verify(&c, s, &h), Ok(5));
        assert_eq!(verify(&[], 0, GENESIS), Ok(0));
    }

    #[test]
    fn edit_delete_reorder_and_truncation_are_named() {
        let c = chain(5);
        let (s, h) = head(&c);

        let mut edited = c.clone();
        edited[2].after = Some("{}".into());
        assert_eq!(verify(&edited, s, &h), Err(ChainError::Tampered { seq: 3 }));

        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(
            verify(&deleted, s, &h),
            Err(ChainError::Gap {
                expected: 2,
                found: 3
            })
        );

        let mut reordered = c.clone();
        reordered.swap(1, 2);
        assert_eq!(
            verify(&reordered, s, &h),
            Err(ChainError::Gap {
                expected: 2,
                found: 3
            })
        );

        // Renumbered after a swap: the links break instead.
        let mut renumbered = reordered.clone();
        renumbered[1].seq = 2;
        renumbered[2].seq = 3;
        assert_eq!(
            verify(&renumbered, s, &h),
            Err(ChainError::BrokenLink { seq: 2 })
        );

        let truncated = &c[..4];
        assert_eq!(
            verify(truncated, s, &h),
            Err(ChainError::Truncated { last: 4, head: 5 })
        );
    }

    #[test]
    fn moving_bytes_between_fields_changes_the_hash() {
        let c = chain(1);
        let mut r = c[0].clone();
        r.action = "updat".into();
        r.object_type = "eentity".into();
        assert_ne!(r.compute_hash(), c[0].hash);
    }
}
