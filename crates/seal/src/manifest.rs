//! The manifest of a folder of sealed exports, and the check of the whole folder.
//!
//! A folder holds the encrypted files (`*.age`), `manifest.txt`, its signature
//! `manifest.txt.sig` (OpenSSH format, namespace `cst-log-export`) and `allowed_signers` (the
//! centre's public key, principal `cst-centre`). By hand:
//!
//! ```text
//! ssh-keygen -Y verify -f allowed_signers -I cst-centre -n cst-log-export \
//!     -s manifest.txt.sig < manifest.txt
//! sha256sum ente-12_2026-11-01_2026-11-30_00001.jsonl.gz.age
//! ```
//!
//! `manifest.txt` is text, one export per line after the header, fields separated by tabs:
//!
//! ```text
//! cst-log-export-manifest 1
//! seq  created  entity_id  from  to  records  bytes  sha256  file  prev
//! ```
//!
//! `seq` counts from 1 without gaps; `created` is RFC 3339 UTC; `from` and `to` are the
//! period's first and last day; `bytes` and `sha256` are the encrypted file's size and
//! SHA-256; `prev` is the SHA-256 of the previous entry's line (without its line feed), 64
//! zeros for the first: removing, changing or reordering an entry breaks the chain, and the
//! signature covers the whole text.

use std::io::Read as _;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::sshsig::{self, PublicKey};
use crate::SealError;

pub const MANIFEST_FILE: &str = "manifest.txt";
pub const SIGNATURE_FILE: &str = "manifest.txt.sig";
pub const SIGNERS_FILE: &str = "allowed_signers";
pub const NAMESPACE: &str = "cst-log-export";
pub const PRINCIPAL: &str = "cst-centre";
const HEADER: &str = "cst-log-export-manifest 1";
const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One export in the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub seq: u64,
    pub created: String,
    pub entity_id: i64,
    pub from: String,
    pub to: String,
    pub records: u64,
    pub bytes: u64,
    pub sha256: String,
    pub file: String,
    pub prev: String,
}

impl Entry {
    fn line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            self.seq,
            self.created,
            self.entity_id,
            self.from,
            self.to,
            self.records,
            self.bytes,
            self.sha256,
            self.file,
            self.prev
        )
    }

    fn link(&self) -> String {
        hex::encode(Sha256::digest(self.line().as_bytes()))
    }
}

/// Whether `name` is a plain file name an export may have.
pub fn valid_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\t', '\n'])
        && !name.contains("..")
        && name.ends_with(".age")
}

fn is_day(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub entries: Vec<Entry>,
}

impl Manifest {
    pub fn parse(text: &str) -> Result<Manifest, SealError> {
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Err(SealError::BadManifest(format!(
                "la prima riga non è «{HEADER}»"
            )));
        }
        let mut entries = Vec::new();
        for (i, line) in lines.enumerate() {
            let n = i + 2;
            let bad = |why: &str| SealError::BadManifest(format!("riga {n}: {why}"));
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 10 {
                return Err(bad(&format!("{} campi invece di 10", f.len())));
            }
            let num = |s: &str, what: &str| s.parse::<u64>().map_err(|_| bad(what));
            let entry = Entry {
                seq: num(f[0], "numero d'ordine non valido")?,
                created: f[1].to_owned(),
                entity_id: f[2].parse().map_err(|_| bad("ente non valido"))?,
                from: f[3].to_owned(),
                to: f[4].to_owned(),
                records: num(f[5], "numero di record non valido")?,
                bytes: num(f[6], "dimensione non valida")?,
                sha256: f[7].to_owned(),
                file: f[8].to_owned(),
                prev: f[9].to_owned(),
            };
            if entry.created.is_empty() {
                return Err(bad("manca la data di creazione"));
            }
            if !is_day(&entry.from) || !is_day(&entry.to) || entry.to < entry.from {
                return Err(bad("periodo non valido"));
            }
            if !is_hex64(&entry.sha256) || !is_hex64(&entry.prev) {
                return Err(bad("impronta non valida"));
            }
            if !valid_file_name(&entry.file) {
                return Err(bad("nome di file non valido"));
            }
            entries.push(entry);
        }
        Ok(Manifest { entries })
    }

    pub fn to_text(&self) -> String {
        let mut s = String::from(HEADER);
        s.push('\n');
        for e in &self.entries {
            s.push_str(&e.line());
            s.push('\n');
        }
        s
    }

    /// The hash the next entry chains to.
    pub fn last_link(&self) -> String {
        self.entries
            .last()
            .map_or_else(|| ZERO.to_owned(), Entry::link)
    }

    /// Adds an export, numbered and chained.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        created: String,
        entity_id: i64,
        from: String,
        to: String,
        records: u64,
        bytes: u64,
        sha256: String,
        file: String,
    ) -> &Entry {
        let e = Entry {
            seq: self.entries.len() as u64 + 1,
            created,
            entity_id,
            from,
            to,
            records,
            bytes,
            sha256,
            file,
            prev: self.last_link(),
        };
        self.entries.push(e);
        &self.entries[self.entries.len() - 1]
    }

    /// What is wrong with the chain, one sentence each.
    pub fn check_chain(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut prev = ZERO.to_owned();
        for (i, e) in self.entries.iter().enumerate() {
            if e.seq != i as u64 + 1 {
                problems.push(format!(
                    "voce {} (file {}): numero d'ordine {} invece di {} (una voce è stata tolta o riordinata)",
                    i + 1,
                    e.file,
                    e.seq,
                    i + 1
                ));
            }
            if e.prev != prev {
                problems.push(format!(
                    "voce {} (file {}): non è legata alla voce precedente (una voce è stata tolta, cambiata o riordinata)",
                    e.seq, e.file
                ));
            }
            prev = e.link();
        }
        problems
    }
}

/// The outcome of checking a folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirReport {
    /// Files listed in the manifest.
    pub files: usize,
    /// The fingerprint of the key the signature was checked with.
    pub signer: Option<String>,
    /// What is wrong, one sentence each, naming the file; empty when all holds.
    pub problems: Vec<String>,
}

fn read_opt(path: &Path) -> Result<Option<Vec<u8>>, SealError> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Size and SHA-256 of a file, read in 64 KiB pieces.
fn hash_file(path: &Path) -> Result<Option<(u64, String)>, SealError> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut sha = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        sha.update(&buf[..k]);
        n += k as u64;
    }
    Ok(Some((n, hex::encode(sha.finalize()))))
}

/// Checks a folder of exports: the manifest's signature (with `trusted`, else the folder's own
/// `allowed_signers`), its chain, each file's size and hash, and files no entry lists.
pub fn verify_dir(dir: &Path, trusted: Option<&PublicKey>) -> Result<DirReport, SealError> {
    let mut report = DirReport::default();
    let listing = std::fs::read_dir(dir)?;
    let Some(text) = read_opt(&dir.join(MANIFEST_FILE))? else {
        report.problems.push(format!("{MANIFEST_FILE}: manca"));
        return Ok(report);
    };
    let key = match trusted {
        Some(k) => Some(k.clone()),
        None => match read_opt(&dir.join(SIGNERS_FILE))? {
            None => {
                report.problems.push(format!(
                    "{SIGNERS_FILE}: manca (indicare la chiave del centro)"
                ));
                None
            }
            Some(b) => {
                let line = String::from_utf8_lossy(&b).into_owned();
                let key_text = line
                    .split_whitespace()
                    .skip_while(|w| *w != "ssh-ed25519")
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ");
                match PublicKey::parse_openssh(&key_text) {
                    Ok(k) => Some(k),
                    Err(e) => {
                        report.problems.push(format!("{SIGNERS_FILE}: {e}"));
                        None
                    }
                }
            }
        },
    };
    if let Some(k) = &key {
        report.signer = Some(k.fingerprint());
        match read_opt(&dir.join(SIGNATURE_FILE))? {
            None => report.problems.push(format!("{SIGNATURE_FILE}: manca")),
            Some(sig) => {
                let sig = String::from_utf8_lossy(&sig);
                if let Err(e) = sshsig::verify(k, NAMESPACE, &text, &sig) {
                    report.problems.push(format!(
                        "{SIGNATURE_FILE}: la firma non corrisponde al manifesto ({e})"
                    ));
                }
            }
        }
    }
    let manifest = match Manifest::parse(&String::from_utf8_lossy(&text)) {
        Ok(m) => m,
        Err(e) => {
            report.problems.push(format!("{MANIFEST_FILE}: {e}"));
            return Ok(report);
        }
    };
    report.problems.extend(manifest.check_chain());
    report.files = manifest.entries.len();
    for e in &manifest.entries {
        match hash_file(&dir.join(&e.file))? {
            None => report.problems.push(format!("{}: manca", e.file)),
            Some((n, _)) if n != e.bytes => report.problems.push(format!(
                "{}: dimensione {n} byte invece di {} (file alterato o troncato)",
                e.file, e.bytes
            )),
            Some((_, sha)) if sha != e.sha256 => report.problems.push(format!(
                "{}: l'impronta SHA-256 non corrisponde (file alterato)",
                e.file
            )),
            Some(_) => {}
        }
    }
    let mut extra: Vec<String> = listing
        .filter_map(Result::ok)
        .map(|d| d.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".age") && !manifest.entries.iter().any(|e| &e.file == n))
        .collect();
    extra.sort();
    for n in extra {
        report.problems.push(format!("{n}: non è nel manifesto"));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::sshsig::SigningKey;
    use proptest::prelude::*;

    /// A folder of three exports, signed.
    fn folder(key: &SigningKey) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "seal-dir-{}-{}",
            std::process::id(),
            hex::encode(key.seed())[..8].to_owned()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut m = Manifest::default();
        for i in 0..3 {
            let bytes: Vec<u8> = (0..1000 + i * 77).map(|j| (j % 256) as u8).collect();
            let name = format!(
                "ente-1_2026-11-0{}_2026-11-0{}_0000{}.jsonl.gz.age",
                i + 1,
                i + 1,
                i + 1
            );
            std::fs::write(dir.join(&name), &bytes).unwrap();
            m.push(
                "2026-12-04T17:00:00Z".into(),
                1,
                format!("2026-11-0{}", i + 1),
                format!("2026-11-0{}", i + 1),
                5,
                bytes.len() as u64,
                hex::encode(Sha256::digest(&bytes)),
                name,
            );
        }
        let text = m.to_text();
        std::fs::write(dir.join(MANIFEST_FILE), &text).unwrap();
        std::fs::write(
            dir.join(SIGNATURE_FILE),
            key.sign(NAMESPACE, text.as_bytes()),
        )
        .unwrap();
        std::fs::write(
            dir.join(SIGNERS_FILE),
            sshsig::allowed_signers_line(PRINCIPAL, NAMESPACE, &key.public()),
        )
        .unwrap();
        dir
    }

    fn problems(dir: &Path, key: Option<&PublicKey>) -> Vec<String> {
        verify_dir(dir, key).unwrap().problems
    }

    #[test]
    fn a_clean_folder_verifies_and_each_alteration_is_named() {
        let key = SigningKey::generate().unwrap();
        let dir = folder(&key);
        let r = verify_dir(&dir, None).unwrap();
        assert_eq!((r.files, r.problems.clone()), (3, vec![]), "{r:?}");
        assert_eq!(r.signer, Some(key.public().fingerprint()));
        assert!(problems(&dir, Some(&key.public())).is_empty());
        // ssh-keygen agrees.
        let ok = std::process::Command::new("ssh-keygen")
            .args(["-Y", "verify", "-f"])
            .arg(dir.join(SIGNERS_FILE))
            .args(["-I", PRINCIPAL, "-n", NAMESPACE, "-s"])
            .arg(dir.join(SIGNATURE_FILE))
            .stdin(std::fs::File::open(dir.join(MANIFEST_FILE)).unwrap())
            .output()
            .expect("ssh-keygen")
            .status
            .success();
        assert!(ok);
        let m =
            Manifest::parse(&std::fs::read_to_string(dir.join(MANIFEST_FILE)).unwrap()).unwrap();
        let name = |i: usize| m.entries[i].file.clone();

        // Another key than the centre's.
        let other = SigningKey::generate().unwrap().public();
        let p = problems(&dir, Some(&other));
        assert!(p.iter().any(|p| p.starts_with(SIGNATURE_FILE)), "{p:?}");

        // A changed byte in a file; a deleted file; an unlisted file.
        let f0 = dir.join(name(0));
        let mut b = std::fs::read(&f0).unwrap();
        b[10] ^= 1;
        std::fs::write(&f0, &b).unwrap();
        std::fs::remove_file(dir.join(name(1))).unwrap();
        std::fs::write(dir.join("intruso.age"), b"x").unwrap();
        let p = problems(&dir, None);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(
            p[0].starts_with(&name(0)) && p[0].contains("SHA-256"),
            "{p:?}"
        );
        assert!(
            p[1].starts_with(&name(1)) && p[1].contains("manca"),
            "{p:?}"
        );
        assert!(p[2].starts_with("intruso.age"), "{p:?}");

        // A middle line removed: the chain breaks and the signature no longer holds.
        let text = std::fs::read_to_string(dir.join(MANIFEST_FILE)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let cut = format!("{}\n{}\n{}\n", lines[0], lines[1], lines[3]);
        std::fs::write(dir.join(MANIFEST_FILE), cut).unwrap();
        let p = problems(&dir, None);
        assert!(p.iter().any(|p| p.starts_with(SIGNATURE_FILE)), "{p:?}");
        assert!(p.iter().any(|p| p.contains("non è legata")), "{p:?}");
        // A figure changed: only the signature tells.
        std::fs::write(dir.join(MANIFEST_FILE), text.replacen("\t5\t", "\t6\t", 1)).unwrap();
        let p = problems(&dir, None);
        assert!(p.iter().any(|p| p.starts_with(SIGNATURE_FILE)), "{p:?}");
        // No manifest at all.
        std::fs::remove_file(dir.join(MANIFEST_FILE)).unwrap();
        assert_eq!(
            problems(&dir, None),
            vec![format!("{MANIFEST_FILE}: manca")]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_truncated_file_and_a_missing_signature_or_key_are_named() {
        let key = SigningKey::generate().unwrap();
        let dir = folder(&key);
        let m =
            Manifest::parse(&std::fs::read_to_string(dir.join(MANIFEST_FILE)).unwrap()).unwrap();
        let e = &m.entries[2];
        let b = std::fs::read(dir.join(&e.file)).unwrap();
        std::fs::write(dir.join(&e.file), &b[..b.len() - 1]).unwrap();
        let p = problems(&dir, None);
        assert_eq!(
            p,
            vec![format!(
                "{}: dimensione {} byte invece di {} (file alterato o troncato)",
                e.file,
                e.bytes - 1,
                e.bytes
            )]
        );
        std::fs::write(dir.join(&e.file), &b).unwrap();

        std::fs::write(dir.join(SIGNATURE_FILE), "non una firma").unwrap();
        let p = problems(&dir, None);
        assert!(p.len() == 1 && p[0].starts_with(SIGNATURE_FILE), "{p:?}");
        std::fs::remove_file(dir.join(SIGNATURE_FILE)).unwrap();
        assert_eq!(
            problems(&dir, None),
            vec![format!("{SIGNATURE_FILE}: manca")]
        );
        std::fs::write(
            dir.join(SIGNATURE_FILE),
            key.sign(NAMESPACE, m.to_text().as_bytes()),
        )
        .unwrap();
        assert!(problems(&dir, None).is_empty());

        // Without allowed_signers the trusted key still checks the folder.
        std::fs::remove_file(dir.join(SIGNERS_FILE)).unwrap();
        let r = verify_dir(&dir, None).unwrap();
        assert_eq!(r.signer, None);
        assert!(
            r.problems.len() == 1 && r.problems[0].starts_with(SIGNERS_FILE),
            "{r:?}"
        );
        assert!(problems(&dir, Some(&key.public())).is_empty());
        std::fs::write(dir.join(SIGNERS_FILE), "cst-centre ssh-rsa AAAA\n").unwrap();
        let p = problems(&dir, None);
        assert!(p.len() == 1 && p[0].starts_with(SIGNERS_FILE), "{p:?}");

        // A folder that is not there is an error, not a report.
        let _ = std::fs::remove_dir_all(&dir);
        assert!(verify_dir(&dir, None).is_err());
    }

    #[test]
    fn bad_manifests_are_refused_naming_the_line() {
        for (text, why) in [
            ("", "prima riga"),
            ("cst-log-export-manifest 1\n1\t2\n", "riga 2"),
            ("cst-log-export-manifest 1\nx\tc\t1\t2026-11-01\t2026-11-02\t1\t1\t{h}\tf.age\t{h}\n", "riga 2"),
            ("cst-log-export-manifest 1\n1\tc\t1\t2026-11-02\t2026-11-01\t1\t1\t{h}\tf.age\t{h}\n", "periodo"),
            ("cst-log-export-manifest 1\n1\tc\t1\t2026-11-01\t2026-11-02\t1\t1\t{h}\t../f.age\t{h}\n", "nome"),
            ("cst-log-export-manifest 1\n1\tc\t1\t2026-11-01\t2026-11-02\t1\t1\tABC\tf.age\t{h}\n", "impronta"),
        ] {
            let text = text.replace("{h}", ZERO);
            let e = Manifest::parse(&text).unwrap_err().to_string();
            assert!(e.contains(why), "{text:?}: {e}");
        }
    }

    /// What the export of one entry may hold: any text for `created` without tabs or line
    /// breaks, any numbers, ordered days, any hash, a plain `.age` name.
    fn fields() -> impl Strategy<Value = (String, i64, String, String, u64, u64, String, String)> {
        let day = (2000u32..2100, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"));
        (
            "[^\t\r\n]{1,30}",
            any::<i64>(),
            (day.clone(), day).prop_map(|(a, b)| if a <= b { (a, b) } else { (b, a) }),
            any::<u64>(),
            any::<u64>(),
            any::<[u8; 32]>().prop_map(hex::encode),
            "[a-z0-9_-][a-z0-9_.-]{0,20}\\.age".prop_filter("no ..", |f| !f.contains("..")),
        )
            .prop_map(|(created, entity, (from, to), records, bytes, sha, file)| {
                (created, entity, from, to, records, bytes, sha, file)
            })
    }

    proptest! {
        #[test]
        fn entries_round_trip_and_any_removal_or_swap_breaks_the_chain(
            pushes in proptest::collection::vec(fields(), 1..12),
            pick in any::<prop::sample::Index>(),
            other in any::<prop::sample::Index>(),
        ) {
            let mut m = Manifest::default();
            for (created, entity, from, to, records, bytes, sha, file) in pushes {
                let e = m.push(created, entity, from, to, records, bytes, sha, file).clone();
                prop_assert_eq!(m.last_link(), e.link());
            }
            let back = Manifest::parse(&m.to_text()).unwrap();
            prop_assert_eq!(&back, &m);
            prop_assert_eq!(back.to_text(), m.to_text());
            prop_assert!(back.check_chain().is_empty());

            let n = m.entries.len();
            let i = pick.index(n);
            // Removing any entry but the last breaks the chain. Dropping the last leaves a
            // valid shorter chain: the signature (and the database's record) tell that.
            if i + 1 < n {
                let mut removed = m.clone();
                removed.entries.remove(i);
                prop_assert!(!removed.check_chain().is_empty());
            }
            // Swapping any two entries breaks it.
            let j = other.index(n);
            if i != j {
                let mut swapped = m.clone();
                swapped.entries.swap(i, j);
                prop_assert!(!swapped.check_chain().is_empty());
            }
        }
    }
}
