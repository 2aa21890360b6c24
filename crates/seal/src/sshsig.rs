//! OpenSSH signatures (`PROTOCOL.sshsig`) made with an ed25519 key: what `ssh-keygen -Y sign`
//! writes and `ssh-keygen -Y verify` checks, so anybody can check a signature of the centre
//! with a standard tool.
//!
//! The signed data is `"SSHSIG" ‖ string(namespace) ‖ string("") ‖ string("sha512") ‖
//! string(SHA-512(message))`; the armored blob carries the magic, version 1, the public key,
//! the namespace, the hash algorithm and the signature.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine as _;
use ring::signature::{Ed25519KeyPair, KeyPair as _, UnparsedPublicKey, ED25519};
use sha2::{Digest, Sha256, Sha512};

use crate::SealError;

const MAGIC: &[u8] = b"SSHSIG";
const KEY_TYPE: &str = "ssh-ed25519";
const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
const END: &str = "-----END SSH SIGNATURE-----";

fn put_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

/// Reads SSH wire strings one after the other.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SealError> {
        if self.0.len() < n {
            return Err(SealError::BadSignature("firma troncata".into()));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u32(&mut self) -> Result<u32, SealError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn string(&mut self) -> Result<&'a [u8], SealError> {
        let n = self.u32()? as usize;
        self.take(n)
    }
}

/// An ed25519 public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    fn blob(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(51);
        put_string(&mut b, KEY_TYPE.as_bytes());
        put_string(&mut b, &self.0);
        b
    }

    fn from_blob(blob: &[u8]) -> Result<Self, SealError> {
        let mut r = Reader(blob);
        let kind = r.string()?;
        if kind != KEY_TYPE.as_bytes() {
            return Err(SealError::BadKey(format!(
                "chiave di tipo «{}», non ed25519",
                String::from_utf8_lossy(kind)
            )));
        }
        let key: [u8; 32] = r
            .string()?
            .try_into()
            .map_err(|_| SealError::BadKey("lunghezza della chiave errata".into()))?;
        Ok(Self(key))
    }

    /// `ssh-ed25519 AAAA…`, as in `authorized_keys`.
    pub fn to_openssh(&self) -> String {
        format!("{KEY_TYPE} {}", STANDARD.encode(self.blob()))
    }

    /// Reads `ssh-ed25519 AAAA… [comment]`.
    pub fn parse_openssh(s: &str) -> Result<Self, SealError> {
        let mut parts = s.split_whitespace();
        let (Some(kind), Some(b64)) = (parts.next(), parts.next()) else {
            return Err(SealError::BadKey(
                "attesa una chiave pubblica «ssh-ed25519 AAAA…»".into(),
            ));
        };
        if kind != KEY_TYPE {
            return Err(SealError::BadKey(format!(
                "chiave di tipo «{kind}», non ed25519"
            )));
        }
        let blob = STANDARD
            .decode(b64)
            .map_err(|_| SealError::BadKey("la chiave non è in base64".into()))?;
        Self::from_blob(&blob)
    }

    /// As `ssh-keygen -l` prints it: `SHA256:` and the unpadded base64 of the key's hash.
    pub fn fingerprint(&self) -> String {
        format!(
            "SHA256:{}",
            STANDARD_NO_PAD.encode(Sha256::digest(self.blob()))
        )
    }
}

/// An ed25519 signing key, kept as its 32-byte seed.
pub struct SigningKey {
    seed: [u8; 32],
    pair: Ed25519KeyPair,
}

impl SigningKey {
    pub fn generate() -> Result<Self, SealError> {
        let mut seed = [0u8; 32];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed)?;
        Self::from_seed(&seed)
    }

    pub fn from_seed(seed: &[u8; 32]) -> Result<Self, SealError> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|e| SealError::BadKey(e.to_string()))?;
        Ok(Self { seed: *seed, pair })
    }

    pub fn seed(&self) -> [u8; 32] {
        self.seed
    }

    pub fn public(&self) -> PublicKey {
        let mut k = [0u8; 32];
        k.copy_from_slice(self.pair.public_key().as_ref());
        PublicKey(k)
    }

    /// The armored signature of `message` in `namespace` (SHA-512).
    pub fn sign(&self, namespace: &str, message: &[u8]) -> String {
        let sig = self.pair.sign(&signed_data(namespace, "sha512", message));
        let mut sig_blob = Vec::with_capacity(83);
        put_string(&mut sig_blob, KEY_TYPE.as_bytes());
        put_string(&mut sig_blob, sig.as_ref());
        let mut blob = MAGIC.to_vec();
        blob.extend_from_slice(&1u32.to_be_bytes());
        put_string(&mut blob, &self.public().blob());
        put_string(&mut blob, namespace.as_bytes());
        put_string(&mut blob, b"");
        put_string(&mut blob, b"sha512");
        put_string(&mut blob, &sig_blob);
        let b64 = STANDARD.encode(&blob);
        let mut out = format!("{BEGIN}\n");
        for line in b64.as_bytes().chunks(70) {
            out.push_str(&String::from_utf8_lossy(line));
            out.push('\n');
        }
        out.push_str(END);
        out.push('\n');
        out
    }
}

fn signed_data(namespace: &str, hash: &str, message: &[u8]) -> Vec<u8> {
    let digest: Vec<u8> = match hash {
        "sha256" => Sha256::digest(message).to_vec(),
        _ => Sha512::digest(message).to_vec(),
    };
    let mut d = MAGIC.to_vec();
    put_string(&mut d, namespace.as_bytes());
    put_string(&mut d, b"");
    put_string(&mut d, hash.as_bytes());
    put_string(&mut d, &digest);
    d
}

/// Checks an armored signature of `message` by `key` in `namespace`.
pub fn verify(
    key: &PublicKey,
    namespace: &str,
    message: &[u8],
    armored: &str,
) -> Result<(), SealError> {
    let bad = |why: &str| SealError::BadSignature(why.to_owned());
    let body = armored
        .trim()
        .strip_prefix(BEGIN)
        .and_then(|s| s.strip_suffix(END))
        .ok_or_else(|| bad("non è una firma SSH (manca l'intestazione)"))?;
    let b64: String = body.split_whitespace().collect();
    let blob = STANDARD
        .decode(b64)
        .map_err(|_| bad("la firma non è in base64"))?;
    let mut r = Reader(&blob);
    if r.take(6)? != MAGIC || r.u32()? != 1 {
        return Err(bad("formato di firma sconosciuto"));
    }
    let signer = PublicKey::from_blob(r.string()?)?;
    if &signer != key {
        return Err(bad(&format!(
            "firmata da un'altra chiave ({})",
            signer.fingerprint()
        )));
    }
    if r.string()? != namespace.as_bytes() {
        return Err(bad("firma fatta per un altro uso (namespace)"));
    }
    let _reserved = r.string()?;
    let hash = r.string()?;
    let hash = match hash {
        b"sha256" => "sha256",
        b"sha512" => "sha512",
        _ => return Err(bad("algoritmo di hash sconosciuto")),
    };
    let mut s = Reader(r.string()?);
    if s.string()? != KEY_TYPE.as_bytes() {
        return Err(bad("firma non ed25519"));
    }
    let sig = s.string()?;
    UnparsedPublicKey::new(&ED25519, key.0)
        .verify(&signed_data(namespace, hash, message), sig)
        .map_err(|_| bad("il contenuto firmato è stato alterato"))
}

/// A line of an `allowed_signers` file for `ssh-keygen -Y verify`.
pub fn allowed_signers_line(principal: &str, namespace: &str, key: &PublicKey) -> String {
    format!(
        "{principal} namespaces=\"{namespace}\" {}\n",
        key.to_openssh()
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::process::Command;

    fn tmp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("seal-sig-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn ssh_verify(dir: &std::path::Path, key: &PublicKey, message: &[u8], sig: &str) -> bool {
        std::fs::write(
            dir.join("allowed_signers"),
            allowed_signers_line("cst-centre", "cst-log-export", key),
        )
        .unwrap();
        std::fs::write(dir.join("m"), message).unwrap();
        std::fs::write(dir.join("m.sig"), sig).unwrap();
        Command::new("ssh-keygen")
            .args(["-Y", "verify", "-f"])
            .arg(dir.join("allowed_signers"))
            .args(["-I", "cst-centre", "-n", "cst-log-export", "-s"])
            .arg(dir.join("m.sig"))
            .stdin(std::fs::File::open(dir.join("m")).unwrap())
            .output()
            .expect("ssh-keygen (openssh-client)")
            .status
            .success()
    }

    #[test]
    fn ssh_keygen_verifies_our_signatures_and_refuses_a_changed_message() {
        let dir = tmp("ours");
        let key = SigningKey::generate().unwrap();
        let msg = b"cst-log-export-manifest 1\nriga\n";
        let sig = key.sign("cst-log-export", msg);
        assert!(ssh_verify(&dir, &key.public(), msg, &sig));
        assert!(!ssh_verify(
            &dir,
            &key.public(),
            b"cst-log-export-manifest 1\nrigA\n",
            &sig
        ));
        // The same key from its seed signs alike; the fingerprint is ssh-keygen's.
        let again = SigningKey::from_seed(&key.seed()).unwrap();
        assert_eq!(again.public(), key.public());
        std::fs::write(dir.join("k.pub"), key.public().to_openssh()).unwrap();
        let fp = Command::new("ssh-keygen")
            .arg("-lf")
            .arg(dir.join("k.pub"))
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&fp.stdout).contains(&key.public().fingerprint()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn we_verify_ssh_keygen_signatures_and_refuse_what_does_not_match() {
        let dir = tmp("theirs");
        let keyfile = dir.join("id");
        assert!(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&keyfile)
            .status()
            .unwrap()
            .success());
        std::fs::write(dir.join("m"), b"contenuto").unwrap();
        assert!(Command::new("ssh-keygen")
            .args(["-Y", "sign", "-f"])
            .arg(&keyfile)
            .args(["-n", "cst-log-export"])
            .arg(dir.join("m"))
            .output()
            .unwrap()
            .status
            .success());
        let sig = std::fs::read_to_string(dir.join("m.sig")).unwrap();
        let public = PublicKey::parse_openssh(
            &std::fs::read_to_string(keyfile.with_extension("pub")).unwrap(),
        )
        .unwrap();
        verify(&public, "cst-log-export", b"contenuto", &sig).unwrap();
        assert!(verify(&public, "cst-log-export", b"contenutO", &sig).is_err());
        assert!(verify(&public, "altro", b"contenuto", &sig).is_err());
        let other = SigningKey::generate().unwrap().public();
        let e = verify(&other, "cst-log-export", b"contenuto", &sig).unwrap_err();
        assert!(e.to_string().contains("un'altra chiave"), "{e}");
        assert!(verify(&public, "cst-log-export", b"contenuto", "niente").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn public_keys_are_read_back() {
        let k = SigningKey::generate().unwrap().public();
        assert_eq!(
            PublicKey::parse_openssh(&format!("{} commento", k.to_openssh())).unwrap(),
            k
        );
        assert!(PublicKey::parse_openssh("ssh-rsa AAAAB3").is_err());
        assert!(PublicKey::parse_openssh("ssh-ed25519 !!!").is_err());
        assert!(PublicKey::parse_openssh("").is_err());
    }
}
