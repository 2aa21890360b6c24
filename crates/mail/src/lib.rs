//! E-mail: outbound messages queued as jobs in the database and sent over SMTP with retries
//! (a queued message survives a restart), and inbound messages fetched over IMAP,
//! at-least-once: a message is removed from the mailbox only after the caller committed what
//! it made of it, and callers de-duplicate by Message-ID.
//!
//! This crate knows transports and formats, not tickets: the help desk decides what to send and
//! what an inbound message means.

pub mod imap;
mod parse;
pub mod smtp;

pub use parse::{parse, Attachment, Incoming};
pub use smtp::{Outgoing, Sender, SEND_JOB};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("indirizzo di posta «{0}» non valido")]
    Address(String),
    #[error("configurazione della posta non valida: {0}")]
    Config(String),
    #[error("server IMAP: {0}")]
    Imap(String),
    #[error(transparent)]
    Job(#[from] worker::JobError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The certificates of a PEM file of a private certificate authority: refused when the file
/// holds none or a broken one.
pub fn parse_ca(
    pem: &[u8],
) -> Result<Vec<tokio_rustls::rustls::pki_types::CertificateDer<'static>>, MailError> {
    use tokio_rustls::rustls::pki_types::{pem::PemObject, CertificateDer};
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| MailError::Config(format!("certificati della CA non leggibili: {e}")))?;
    if certs.is_empty() {
        return Err(MailError::Config(
            "nel file della CA non c'è alcun certificato PEM (-----BEGIN CERTIFICATE-----)".into(),
        ));
    }
    Ok(certs)
}

/// A new random Message-ID local part (128 bits), unique without coordination.
pub fn new_local_id(prefix: &str) -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // The clock and a counter still make it unique within the process.
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        b.copy_from_slice(&n.to_le_bytes());
    }
    format!("{prefix}.{}", hex::encode(b))
}

/// The part of a Message-ID before `@`, without angle brackets.
pub fn local_part(message_id: &str) -> &str {
    let t = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    t.split_once('@').map_or(t, |(l, _)| l)
}

/// A plausible e-mail address: one `@`, something on both sides, no spaces or brackets.
pub fn is_address(s: &str) -> bool {
    let s = s.trim();
    match s.split_once('@') {
        Some((l, d)) => {
            !l.is_empty()
                && d.contains('.')
                && !d.starts_with('.')
                && !d.ends_with('.')
                && !s
                    .chars()
                    .any(|c| c.is_whitespace() || "<>(),;:\"[]\\".contains(c))
                && !d.contains('@')
        }
        None => false,
    }
}
