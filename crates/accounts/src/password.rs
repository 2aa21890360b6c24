//! Password hashing with argon2id (the crate's defaults: m=19 MiB, t=2, p=1, OWASP's
//! recommended minimum).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::AccountsError;

pub const MIN_LEN: usize = 10;

pub fn check_policy(password: &str) -> Result<(), AccountsError> {
    if password.chars().count() < MIN_LEN {
        return Err(AccountsError::invalid(
            "password",
            format!("la password deve avere almeno {MIN_LEN} caratteri"),
        ));
    }
    if password.len() > 1024 {
        return Err(AccountsError::invalid("password", "password troppo lunga"));
    }
    Ok(())
}

pub fn hash(password: &str) -> Result<String, AccountsError> {
    let mut raw = [0u8; 16];
    getrandom::fill(&mut raw).map_err(|e| AccountsError::invalid("password", e.to_string()))?;
    let salt = SaltString::encode_b64(&raw)
        .map_err(|e| AccountsError::invalid("password", e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountsError::invalid("password", e.to_string()))
}

pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hash_verifies_and_policy_holds() {
        let h = super::hash("una password lunga").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify("una password lunga", &h));
        assert!(!super::verify("un'altra password", &h));
        assert!(!super::verify("x", "not a hash"));
        assert!(super::check_policy("corta").is_err());
    }
}
