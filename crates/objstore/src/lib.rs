//! Where sealed files go: a local folder, or a bucket of an S3-compatible store (AWS, MinIO,
//! Garage, Ceph…; path-style addressing, AWS Signature V4 written here in `sigv4`). One type,
//! [`Target`], with the few operations the sealed exports need: put a file (streamed from
//! disk: one `PUT` up to 64 MiB on S3, a multipart upload of 16 MiB parts above), put and get
//! small files, open a file as a stream, list, delete. Names are plain file names; a target's
//! folder or prefix is chosen with `child`.
//!
//! Folder writes are atomic: a temporary file (`.NAME.tmp-RANDOM`: hidden, so never listed
//! and never a valid name), `fsync`, rename, `fsync` of the folder.

pub mod s3;
pub mod sigv4;
pub mod testing;

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use futures_util::Stream;
use tokio::io::{AsyncRead, AsyncReadExt};

pub use s3::S3Target;

/// A file's bytes, as they come.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send>>;

/// " di «name»", or nothing when the operation is not about one file (a listing).
fn of(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!(" di «{name}»")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("nome di file non ammesso: «{0}» (serve un nome semplice: niente «/», «..», punto iniziale)")]
    BadName(String),
    #[error("destinazione non valida: {0}")]
    BadTarget(String),
    #[error("{target}: {op}{} non riuscita: {source}", of(name))]
    Io {
        target: String,
        op: &'static str,
        name: String,
        source: std::io::Error,
    },
    /// The S3 store answered with an error: its HTTP status and the `Code` of its XML body.
    #[error(
        "{target}: {op}{} rifiutata (HTTP {status}, {code}): {message}",
        of(name)
    )]
    S3 {
        target: String,
        op: &'static str,
        name: String,
        status: u16,
        code: String,
        message: String,
    },
    /// The S3 store could not be reached, or its answer not read.
    #[error("{target}: {op}{} non riuscita: {message}", of(name))]
    Http {
        target: String,
        op: &'static str,
        name: String,
        message: String,
    },
}

/// A folder or an S3 bucket and prefix.
#[derive(Debug, Clone)]
pub enum Target {
    Folder(PathBuf),
    S3(S3Target),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Folder(p) => write!(f, "{}", p.display()),
            Target::S3(s) => write!(f, "{s}"),
        }
    }
}

/// Refuses what is not a plain file name.
pub fn check_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && !name.starts_with('.')
        && !name.contains("..")
        && !name.contains(['/', '\\'])
        && !name.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadName(name.to_owned()))
    }
}

pub(crate) fn random_suffix() -> String {
    let mut b = [0u8; 8];
    if getrandom::fill(&mut b).is_err() {
        // No randomness: the process and the clock still tell two writers apart.
        let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
        return format!("{}-{nanos}", std::process::id());
    }
    hex::encode(b)
}

impl Target {
    /// `s3://bucket/prefix` (credentials and endpoint from `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL`), or a folder.
    pub fn parse(spec: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Target, StoreError> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Err(StoreError::BadTarget("vuota".into()));
        }
        match spec.strip_prefix("s3://") {
            Some(rest) => Ok(Target::S3(S3Target::from_env(rest, env)?)),
            None => Ok(Target::Folder(PathBuf::from(spec))),
        }
    }

    /// A sub-folder, or a sub-prefix.
    pub fn child(&self, sub: &str) -> Target {
        match self {
            Target::Folder(p) => Target::Folder(p.join(sub)),
            Target::S3(s) => Target::S3(s.child(sub)),
        }
    }

    fn io(&self, op: &'static str, name: &str, source: std::io::Error) -> StoreError {
        StoreError::Io {
            target: self.to_string(),
            op,
            name: name.to_owned(),
            source,
        }
    }

    /// Stores the local file `path` as `name`; returns its size.
    pub async fn put_file(&self, name: &str, path: &Path) -> Result<u64, StoreError> {
        check_name(name)?;
        match self {
            Target::Folder(dir) => {
                let (dir, name2, path) = (dir.clone(), name.to_owned(), path.to_owned());
                tokio::task::spawn_blocking(move || {
                    write_atomic(&dir, &name2, |tmp| std::fs::copy(&path, tmp))
                })
                .await
                .map_err(|e| self.io("scrittura", name, std::io::Error::other(e)))?
                .map_err(|e| self.io("scrittura", name, e))
            }
            Target::S3(s) => s.put_file(name, path).await,
        }
    }

    /// Stores small bytes as `name` (replacing it).
    pub async fn put_bytes(&self, name: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        check_name(name)?;
        match self {
            Target::Folder(dir) => {
                let (dir, name2) = (dir.clone(), name.to_owned());
                tokio::task::spawn_blocking(move || {
                    write_atomic(&dir, &name2, |tmp| std::fs::write(tmp, &bytes).map(|()| 0))
                })
                .await
                .map_err(|e| self.io("scrittura", name, std::io::Error::other(e)))?
                .map_err(|e| self.io("scrittura", name, e))
                .map(|_| ())
            }
            Target::S3(s) => s.put_bytes(name, bytes).await,
        }
    }

    /// A small file's bytes, or `None` if there is no such file.
    pub async fn get_bytes(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        check_name(name)?;
        match self {
            Target::Folder(dir) => match tokio::fs::read(dir.join(name)).await {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(self.io("lettura", name, e)),
            },
            Target::S3(s) => s.get_bytes(name).await,
        }
    }

    /// A file's size and bytes as a stream, or `None` if there is no such file.
    pub async fn open(&self, name: &str) -> Result<Option<(u64, ByteStream)>, StoreError> {
        check_name(name)?;
        match self {
            Target::Folder(dir) => {
                let file = match tokio::fs::File::open(dir.join(name)).await {
                    Ok(f) => f,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(self.io("lettura", name, e)),
                };
                let size = file
                    .metadata()
                    .await
                    .map_err(|e| self.io("lettura", name, e))?
                    .len();
                Ok(Some((size, read_stream(file.take(size)))))
            }
            Target::S3(s) => s.open(name).await,
        }
    }

    /// The files directly in the folder or prefix, with their sizes, by name.
    pub async fn list(&self) -> Result<Vec<(String, u64)>, StoreError> {
        match self {
            Target::Folder(dir) => {
                let mut out = Vec::new();
                let mut rd = match tokio::fs::read_dir(dir).await {
                    Ok(r) => r,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
                    Err(e) => return Err(self.io("elenco dei file", "", e)),
                };
                while let Some(e) = rd
                    .next_entry()
                    .await
                    .map_err(|e| self.io("elenco dei file", "", e))?
                {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let meta = e
                        .metadata()
                        .await
                        .map_err(|e| self.io("elenco dei file", "", e))?;
                    if meta.is_file() && !name.starts_with('.') {
                        out.push((name, meta.len()));
                    }
                }
                out.sort();
                Ok(out)
            }
            Target::S3(s) => s.list().await,
        }
    }

    /// Removes `name`; a name that is not there is not an error.
    pub async fn delete(&self, name: &str) -> Result<(), StoreError> {
        check_name(name)?;
        match self {
            Target::Folder(dir) => match tokio::fs::remove_file(dir.join(name)).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(self.io("eliminazione", name, e)),
            },
            Target::S3(s) => s.delete(name).await,
        }
    }
}

/// A reader's bytes as a stream of chunks of up to 64 KiB.
pub(crate) fn read_stream(reader: impl AsyncRead + Unpin + Send + 'static) -> ByteStream {
    Box::pin(futures_util::stream::unfold(
        Some(reader),
        |reader| async move {
            let mut reader = reader?;
            let mut buf = bytes::BytesMut::with_capacity(64 * 1024);
            match reader.read_buf(&mut buf).await {
                Ok(0) => None,
                Ok(_) => Some((Ok(buf.freeze()), Some(reader))),
                Err(e) => Some((Err(e), None)),
            }
        },
    ))
}

/// Writes `name` in `dir` through a temporary file: written by `fill` (which returns the
/// size), synced, renamed over the name, the folder synced. The folder is made if missing.
fn write_atomic(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&Path) -> std::io::Result<u64>,
) -> std::io::Result<u64> {
    if !dir.is_dir() {
        std::fs::create_dir_all(dir)?;
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::File::open(parent)?.sync_all()?;
        }
    }
    let tmp = dir.join(format!(".{name}.tmp-{}", random_suffix()));
    let done = fill(&tmp).and_then(|size| {
        std::fs::File::open(&tmp)?.sync_all()?;
        Ok(size)
    });
    let size = match done {
        Ok(size) => size,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    if let Err(e) = std::fs::rename(&tmp, dir.join(name)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::File::open(dir)?.sync_all()?;
    Ok(size)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn env(k: &str) -> Option<String> {
        match k {
            "AWS_ACCESS_KEY_ID" => Some("ak".to_owned()),
            "AWS_SECRET_ACCESS_KEY" => Some("segreto-da-non-mostrare".to_owned()),
            "AWS_ENDPOINT_URL" => Some("http://127.0.0.1:9000".to_owned()),
            _ => None,
        }
    }

    #[test]
    fn targets_are_read_from_their_spec() {
        let t = Target::parse("s3://archivio/log/centro/", &env).unwrap();
        assert_eq!(t.to_string(), "s3://archivio/log/centro");
        assert_eq!(
            t.child("ente-3").to_string(),
            "s3://archivio/log/centro/ente-3"
        );
        let Target::S3(s) = &t else { panic!("{t:?}") };
        assert_eq!(s.endpoint(), "http://127.0.0.1:9000/");
        assert_eq!(s.region(), "us-east-1");
        let t = Target::parse("s3://archivio", &env).unwrap();
        assert_eq!(t.to_string(), "s3://archivio");
        assert_eq!(t.child("ente-3").to_string(), "s3://archivio/ente-3");
        // Neither Display nor Debug shows the secret.
        assert!(!format!("{t} {t:?}").contains("segreto"));
        assert_eq!(
            Target::parse("/srv/x", &env)
                .unwrap()
                .child("ente-3")
                .to_string(),
            "/srv/x/ente-3"
        );
        assert!(matches!(
            Target::parse("esportazioni", &env).unwrap(),
            Target::Folder(p) if p == Path::new("esportazioni")
        ));
        assert!(Target::parse("s3://", &env).is_err());
        assert!(Target::parse("s3:///x", &env).is_err());
        assert!(Target::parse("  ", &env).is_err());
    }

    #[test]
    fn a_missing_credential_is_named() {
        let none = |_: &str| None;
        let e = Target::parse("s3://archivio", &none)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("serve la variabile d'ambiente AWS_ACCESS_KEY_ID"),
            "{e}"
        );
        let only_id = |k: &str| (k == "AWS_ACCESS_KEY_ID").then(|| "ak".to_owned());
        let e = Target::parse("s3://archivio", &only_id)
            .unwrap_err()
            .to_string();
        assert!(e.contains("AWS_SECRET_ACCESS_KEY"), "{e}");
        let blank = |k: &str| match k {
            "AWS_ACCESS_KEY_ID" => Some("ak".to_owned()),
            _ => Some("  ".to_owned()),
        };
        let e = Target::parse("s3://archivio", &blank)
            .unwrap_err()
            .to_string();
        assert!(e.contains("AWS_SECRET_ACCESS_KEY"), "{e}");
    }

    #[test]
    fn only_plain_names_are_allowed() {
        for bad in ["", ".x", ".", "..", "a/b", "/a", "a..b", "a\\b", "a\nb"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        check_name("ente-1_2026-11-01_2026-11-30_00001.jsonl.gz.age").unwrap();
        check_name("manifest.txt").unwrap();
    }

    #[test]
    fn errors_name_the_target_and_the_file() {
        let e = StoreError::S3 {
            target: "s3://archivio/ente-1".into(),
            op: "scrittura",
            name: "manifest.txt".into(),
            status: 403,
            code: "SignatureDoesNotMatch".into(),
            message: "…".into(),
        };
        assert_eq!(
            e.to_string(),
            "s3://archivio/ente-1: scrittura di «manifest.txt» rifiutata \
             (HTTP 403, SignatureDoesNotMatch): …"
        );
        let e = StoreError::Http {
            target: "s3://archivio".into(),
            op: "elenco dei file",
            name: String::new(),
            message: "connessione rifiutata".into(),
        };
        assert_eq!(
            e.to_string(),
            "s3://archivio: elenco dei file non riuscita: connessione rifiutata"
        );
    }
}
