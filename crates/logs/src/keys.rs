//! The centre's key that signs the export manifests (ed25519, OpenSSH signature format so that
//! `ssh-keygen -Y verify` checks it). Made on first use and kept in the main database (table
//! `centre_keys`, a secret like the password hashes; in the backup, so that a restored centre
//! signs with the same key). Never audited, never shown: only its public half is.

use db::Db;
use seal::sshsig::{PublicKey, SigningKey};

use crate::LogsError;

const PURPOSE: &str = "log-export";

fn bad(e: impl std::fmt::Display) -> LogsError {
    LogsError::Store(format!("chiave di firma del centro: {e}"))
}

/// The signing key, made and stored the first time. Two processes making it at once keep
/// the one stored first.
pub async fn signing_key(db: &Db) -> Result<SigningKey, LogsError> {
    if let Some(k) = stored(db).await? {
        return Ok(k);
    }
    let key = SigningKey::generate().map_err(bad)?;
    let mut tx = db.write().await?;
    sqlx::query(
        "INSERT INTO centre_keys (purpose, secret, public_key, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (purpose) DO NOTHING",
    )
    .bind(PURPOSE)
    .bind(hex::encode(key.seed()))
    .bind(key.public().to_openssh())
    .bind(kernel::time::now())
    .execute(tx.conn())
    .await?;
    tx.commit().await?;
    stored(db).await?.ok_or_else(|| bad("non salvata"))
}

/// The public half, if the key was made.
pub async fn public_key(db: &Db) -> Result<Option<PublicKey>, LogsError> {
    Ok(stored(db).await?.map(|k| k.public()))
}

async fn stored(db: &Db) -> Result<Option<SigningKey>, LogsError> {
    let secret: Option<String> =
        sqlx::query_scalar("SELECT secret FROM centre_keys WHERE purpose = $1")
            .bind(PURPOSE)
            .fetch_optional(db.pool())
            .await?;
    let Some(secret) = secret else {
        return Ok(None);
    };
    let bytes = hex::decode(secret.trim()).map_err(bad)?;
    let seed: [u8; 32] = bytes.try_into().map_err(|_| bad("lunghezza errata"))?;
    SigningKey::from_seed(&seed).map(Some).map_err(bad)
}
