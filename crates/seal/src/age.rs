//! The age v1 file format (<https://age-encryption.org/v1>), encryption to X25519 recipients.
//!
//! A random 16-byte file key is wrapped for each recipient: an ephemeral X25519 key agrees a
//! secret with the recipient's key, HKDF-SHA-256 (salt: ephemeral share ‖ recipient, info
//! `age-encryption.org/v1/X25519`) makes the wrapping key, ChaCha20-Poly1305 (zero nonce)
//! wraps the file key. The header ends with an HMAC-SHA-256 over itself (key: HKDF of the file
//! key, info `header`). The payload is a 16-byte nonce, then the plain text in 64 KiB chunks,
//! each sealed with ChaCha20-Poly1305 under HKDF(file key, salt nonce, info `payload`), the
//! chunk nonce an 11-byte big-endian counter and a byte that is 1 on the last chunk.
//!
//! [`Encryptor`] streams: memory is one chunk whatever the size of what is encrypted.

use std::fmt;
use std::io::Write;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305};
use ring::agreement::{agree_ephemeral, EphemeralPrivateKey, UnparsedPublicKey, X25519};
use ring::hkdf::{Salt, HKDF_SHA256};
use ring::rand::{SecureRandom, SystemRandom};

use crate::SealError;

const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/// An X25519 recipient, written `age1…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    key: [u8; 32],
    text: String,
}

fn polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut chk: u32 = 1;
    for v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(*v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// Decodes a lowercase bech32 string (BIP 173, checksum checked): its human-readable part and
/// bytes. The caller has refused uppercase.
fn bech32_decode(s: &str) -> Result<(String, Vec<u8>), String> {
    let pos = s.rfind('1').ok_or("manca il separatore «1»")?;
    let (hrp, data) = (&s[..pos], &s[pos + 1..]);
    if hrp.is_empty() || data.len() < 6 {
        return Err("troppo corto".into());
    }
    let mut values = Vec::with_capacity(data.len());
    for c in data.bytes() {
        let v = CHARSET
            .iter()
            .position(|&x| x == c)
            .ok_or_else(|| format!("carattere «{}» non ammesso", char::from(c)))?;
        values.push(v as u8);
    }
    let mut check: Vec<u8> = hrp.bytes().map(|b| b >> 5).collect();
    check.push(0);
    check.extend(hrp.bytes().map(|b| b & 31));
    check.extend(&values);
    if polymod(&check) != 1 {
        return Err("il codice di controllo non torna (un carattere è sbagliato)".into());
    }
    // 5-bit groups to bytes; the padding must be under 5 bits and zero.
    let (mut acc, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for v in &values[..values.len() - 6] {
        acc = (acc << 5) | u32::from(*v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 5 || acc != 0 {
        return Err("riempimento non valido".into());
    }
    Ok((hrp.to_owned(), out))
}

impl Recipient {
    /// Reads an `age1…` recipient: lowercase bech32 (checksum checked), prefix `age`, 32
    /// bytes. Uppercase is refused, as `age -r` refuses it. A pasted secret key
    /// (`AGE-SECRET-KEY-1…`) is refused without being repeated in the message.
    pub fn parse(s: &str) -> Result<Recipient, SealError> {
        let s = s.trim();
        if s.to_ascii_uppercase().starts_with("AGE-SECRET-KEY-") {
            return Err(SealError::BadRecipient(
                "questa è una chiave segreta age, non un destinatario: indicare la riga \
                 «# public key: age1…» del file della chiave (e tenere segreta la chiave)"
                    .into(),
            ));
        }
        let bad = |why: &str| {
            SealError::BadRecipient(format!(
                "«{s}» non è un destinatario age (atteso age1…): {why}"
            ))
        };
        let looks_age = s.to_ascii_lowercase().starts_with("age1");
        if looks_age && s.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(bad(if s.chars().any(|c| c.is_ascii_lowercase()) {
                "maiuscole e minuscole mescolate"
            } else {
                "è scritto in maiuscolo, i destinatari age si scrivono in minuscolo"
            }));
        }
        let (hrp, key) = bech32_decode(s).map_err(|e| {
            if looks_age {
                bad(&e)
            } else {
                bad("non inizia con «age1»")
            }
        })?;
        if hrp != "age" {
            return Err(bad(&format!("il prefisso è «{hrp}», non «age»")));
        }
        let key: [u8; 32] = key
            .try_into()
            .map_err(|k: Vec<u8>| bad(&format!("{} byte invece di 32", k.len())))?;
        Ok(Recipient {
            key,
            text: s.to_owned(),
        })
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8]) -> Result<[u8; 32], SealError> {
    let prk = Salt::new(HKDF_SHA256, salt).extract(ikm);
    let info = [info];
    let okm = prk.expand(&info, HKDF_SHA256)?;
    let mut out = [0u8; 32];
    okm.fill(&mut out)?;
    Ok(out)
}

fn aead(key: &[u8; 32]) -> Result<LessSafeKey, SealError> {
    Ok(LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, key)?))
}

/// The header's stanza for one recipient.
fn stanza(rng: &SystemRandom, r: &Recipient, file_key: &[u8; 16]) -> Result<String, SealError> {
    let eph = EphemeralPrivateKey::generate(&X25519, rng)?;
    let share = eph.compute_public_key()?;
    let share: Vec<u8> = share.as_ref().to_vec();
    let shared = agree_ephemeral(eph, &UnparsedPublicKey::new(&X25519, r.key), |s| s.to_vec())?;
    if shared.iter().all(|&b| b == 0) {
        return Err(SealError::Crypto);
    }
    let mut salt = share.clone();
    salt.extend_from_slice(&r.key);
    let wrap = hkdf(&salt, &shared, b"age-encryption.org/v1/X25519")?;
    let mut body = file_key.to_vec();
    aead(&wrap)?.seal_in_place_append_tag(
        Nonce::assume_unique_for_key([0; 12]),
        Aad::empty(),
        &mut body,
    )?;
    // The body is 32 bytes: one base64 line of 43 characters (under 64: no empty line).
    Ok(format!(
        "-> X25519 {}\n{}\n",
        STANDARD_NO_PAD.encode(&share),
        STANDARD_NO_PAD.encode(&body)
    ))
}

/// Encrypts what is written to it into `out`, in the age format, for the recipients.
pub struct Encryptor<W: Write> {
    out: Option<W>,
    key: LessSafeKey,
    counter: u64,
    buf: Vec<u8>,
}

impl<W: Write> Encryptor<W> {
    /// Writes the header and the payload nonce.
    pub fn new(recipients: &[Recipient], mut out: W) -> Result<Self, SealError> {
        if recipients.is_empty() {
            return Err(SealError::BadRecipient(
                "nessun destinatario per cui cifrare".into(),
            ));
        }
        let rng = SystemRandom::new();
        let mut file_key = [0u8; 16];
        rng.fill(&mut file_key)?;
        let mut header = String::from("age-encryption.org/v1\n");
        for r in recipients {
            header.push_str(&stanza(&rng, r, &file_key)?);
        }
        header.push_str("---");
        let mac_key =
            ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &hkdf(&[], &file_key, b"header")?);
        let mac = ring::hmac::sign(&mac_key, header.as_bytes());
        header.push(' ');
        header.push_str(&STANDARD_NO_PAD.encode(mac.as_ref()));
        header.push('\n');
        out.write_all(header.as_bytes())?;
        let mut nonce = [0u8; 16];
        rng.fill(&mut nonce)?;
        out.write_all(&nonce)?;
        let key = aead(&hkdf(&nonce, &file_key, b"payload")?)?;
        Ok(Self {
            out: Some(out),
            key,
            counter: 0,
            buf: Vec::with_capacity(CHUNK + TAG),
        })
    }

    fn seal_chunk(&mut self, last: bool) -> std::io::Result<()> {
        let mut nonce = [0u8; 12];
        nonce[3..11].copy_from_slice(&self.counter.to_be_bytes());
        nonce[11] = u8::from(last);
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::empty(),
                &mut self.buf,
            )
            .map_err(|_| std::io::Error::other("cifratura non riuscita"))?;
        if let Some(out) = self.out.as_mut() {
            out.write_all(&self.buf)?;
        }
        self.buf.clear();
        self.counter += 1;
        Ok(())
    }

    /// Seals the last chunk and hands back the writer.
    pub fn finish(mut self) -> Result<W, SealError> {
        self.seal_chunk(true)?;
        let mut out = self.out.take().ok_or(SealError::Crypto)?;
        out.flush()?;
        Ok(out)
    }
}

impl<W: Write> Write for Encryptor<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        // A full chunk is sealed only once more data shows it is not the last.
        if self.buf.len() == CHUNK {
            self.seal_chunk(false)?;
        }
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.out.as_mut() {
            Some(o) => o.flush(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::process::{Command, Stdio};

    fn keygen(dir: &std::path::Path, name: &str) -> (std::path::PathBuf, Recipient) {
        let file = dir.join(name);
        let out = Command::new("age-keygen")
            .arg("-o")
            .arg(&file)
            .output()
            .expect("age-keygen (Debian's age, installed by scripts/install-test-deps.sh)");
        assert!(out.status.success(), "{out:?}");
        let text = std::fs::read_to_string(&file).unwrap();
        let r = text
            .lines()
            .find_map(|l| l.strip_prefix("# public key: "))
            .unwrap();
        (file, Recipient::parse(r).unwrap())
    }

    fn age_decrypt(identity: &std::path::Path, sealed: &[u8]) -> Option<Vec<u8>> {
        let mut child = Command::new("age")
            .arg("-d")
            .arg("-i")
            .arg(identity)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("age (Debian's, installed by scripts/install-test-deps.sh)");
        let mut stdin = child.stdin.take().unwrap();
        let sealed = sealed.to_vec();
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(&sealed);
        });
        let out = child.wait_with_output().unwrap();
        feeder.join().unwrap();
        out.status.success().then_some(out.stdout)
    }

    fn seal(recipients: &[Recipient], plain: &[u8], pieces: usize) -> Vec<u8> {
        let mut enc = Encryptor::new(recipients, Vec::new()).unwrap();
        for part in plain.chunks((plain.len() / pieces.max(1)).max(1)) {
            enc.write_all(part).unwrap();
        }
        enc.finish().unwrap()
    }

    #[test]
    fn debian_age_decrypts_every_size_for_every_recipient() {
        let dir = std::env::temp_dir().join(format!("seal-age-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let keys: Vec<_> = (0..3).map(|i| keygen(&dir, &format!("k{i}"))).collect();
        let (stranger, _) = keygen(&dir, "stranger");
        for size in [0usize, 1, 65_535, 65_536, 65_537, 200_000] {
            let plain: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
            for n in [1usize, 3] {
                let rs: Vec<Recipient> = keys[..n].iter().map(|k| k.1.clone()).collect();
                let sealed = seal(&rs, &plain, 7);
                for (id, _) in &keys[..n] {
                    assert_eq!(
                        age_decrypt(id, &sealed).as_deref(),
                        Some(&plain[..]),
                        "size {size}, {n} recipients"
                    );
                }
                assert_eq!(age_decrypt(&stranger, &sealed), None, "size {size}");
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn recipients_are_checked() {
        let good = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
        assert_eq!(Recipient::parse(good).unwrap().to_string(), good);
        assert_eq!(
            Recipient::parse(&format!(" {good}\n")).unwrap().to_string(),
            good
        );
        let upper = good.to_ascii_uppercase();
        let cases = [
            (
                "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8q",
                "controllo",
            ),
            (
                "age1QL3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
                "mescolate",
            ),
            (upper.as_str(), "maiuscolo"),
            ("ssh-ed25519 AAAA", "non inizia con «age1»"),
            (
                "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqb",
                "non ammesso",
            ),
            (
                "agb1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p",
                "non inizia con «age1»",
            ),
            ("", "non inizia con «age1»"),
            ("age1", "troppo corto"),
        ];
        for (s, why) in cases {
            let e = Recipient::parse(s).unwrap_err().to_string();
            assert!(e.contains(why), "{s}: {e}");
        }
        // A pasted secret key is refused and not repeated (messages reach screens and logs).
        let secret = "AGE-SECRET-KEY-1RH6GX502WMAV3NYM238TXCQ53ZXAGR5YNG726JGVV83L5LFMWG2SDCZSVW";
        let e = Recipient::parse(secret).unwrap_err().to_string();
        assert!(e.contains("chiave segreta") && !e.contains("RH6GX"), "{e}");
    }

    #[test]
    fn a_recipient_of_another_kind_or_length_is_refused() {
        // Valid bech32 with another prefix, and with 20 bytes.
        let mut data: Vec<u8> = Vec::new();
        let bytes = [7u8; 20];
        let (mut acc, mut bits) = (0u32, 0u32);
        for b in bytes {
            acc = (acc << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                data.push(((acc >> bits) & 31) as u8);
            }
        }
        if bits > 0 {
            data.push(((acc << (5 - bits)) & 31) as u8);
        }
        let encode = |hrp: &str| {
            let mut v: Vec<u8> = hrp.bytes().map(|b| b >> 5).collect();
            v.push(0);
            v.extend(hrp.bytes().map(|b| b & 31));
            v.extend(&data);
            v.extend([0u8; 6]);
            let pm = polymod(&v) ^ 1;
            let check: Vec<u8> = (0..6).map(|i| ((pm >> (5 * (5 - i))) & 31) as u8).collect();
            let body: String = data
                .iter()
                .chain(&check)
                .map(|&c| char::from(CHARSET[usize::from(c)]))
                .collect();
            format!("{hrp}1{body}")
        };
        let short = encode("age");
        assert!(Recipient::parse(&short)
            .unwrap_err()
            .to_string()
            .contains("20 byte"));
        let other = encode("bc");
        assert!(Recipient::parse(&other)
            .unwrap_err()
            .to_string()
            .contains("«bc»"));
    }
}
