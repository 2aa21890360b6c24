//! Random secrets and their stored digests.

use sha2::{Digest, Sha256};

/// 32 random bytes as hex, with a prefix naming what it is (`cst_` tokens are greppable in
/// leaked logs).
pub fn random(prefix: &str) -> String {
    let mut b = [0u8; 32];
    // The operating system's generator; if it fails there is no safe fallback.
    if getrandom::fill(&mut b).is_err() {
        std::process::abort();
    }
    format!("{prefix}{}", hex::encode(b))
}

pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares without an early exit, so timing does not tell how much matched.
pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
