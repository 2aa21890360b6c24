//! Sealed files, pure and without a database: the age v1 file format for X25519 recipients
//! (`age`, encryption only: the entities decrypt with their own tools), OpenSSH signatures
//! with an ed25519 key (`sshsig`, checked by `ssh-keygen -Y verify`), and the manifest that
//! chains and signs a folder of encrypted exports (`manifest`).
//!
//! All the cryptography is `ring`'s (already built for TLS): X25519, ChaCha20-Poly1305,
//! HKDF-SHA-256, HMAC-SHA-256, Ed25519.

pub mod age;
pub mod manifest;
pub mod sshsig;

pub use age::{Encryptor, Recipient};
pub use manifest::{DirReport, Entry, Manifest};
pub use sshsig::{PublicKey, SigningKey};

/// Why sealing, signing or checking failed. The messages are Italian: they reach people.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("{0}")]
    BadRecipient(String),
    #[error("chiave non valida: {0}")]
    BadKey(String),
    #[error("firma non valida: {0}")]
    BadSignature(String),
    #[error("manifesto non valido: {0}")]
    BadManifest(String),
    #[error("errore crittografico")]
    Crypto,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<ring::error::Unspecified> for SealError {
    fn from(_: ring::error::Unspecified) -> Self {
        Self::Crypto
    }
}
