//! Where sealed files go: a local folder, or a bucket of an S3-compatible store (AWS, MinIO,
//! Garage, Ceph…; path-style addressing, AWS Signature V4 written here in `sigv4`). One type,
//! [`Target`], with the few operations the sealed exports need: put a file (streamed from
//! disk, in parts above 16 MiB on S3), put and get small files, open a file as a stream, list,
//! delete. Names are plain file names; a target's folder or prefix is chosen with `child`.
//!
//! Folder writes are atomic: a temporary file, `fsync`, rename, `fsync` of the folder.

pub mod s3;
pub mod sigv4;
pub mod testing;

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use futures_util::Stream;

pub use s3::S3Target;

/// A file's bytes, as they come.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send>>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("nome di file non ammesso: «{0}»")]
    BadName(String),
    #[error("destinazione non valida: {0}")]
    BadTarget(String),
    #[error("{target}: {op} di «{name}» non riuscita: {source}")]
    Io {
        target: String,
        op: &'static str,
        name: String,
        source: std::io::Error,
    },
    /// The S3 store answered with an error.
    #[error("{target}: {op} di «{name}» rifiutata (HTTP {status}, {code}): {message}")]
    S3 {
        target: String,
        op: &'static str,
        name: String,
        status: u16,
        code: String,
        message: String,
    },
    #[error("{target}: {op} di «{name}» non riuscita: {message}")]
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

fn random_suffix() -> String {
    let mut b = [0u8; 8];
    let _ = getrandom::fill(&mut b);
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
                let size = tokio::fs::metadata(path)
                    .await
                    .map_err(|e| self.io("lettura", name, e))?
                    .len();
                let (dir, name2, path) = (dir.clone(), name.to_owned(), path.to_owned());
                tokio::task::spawn_blocking(move || {
                    write_atomic(&dir, &name2, |tmp| std::fs::copy(&path, tmp).map(|_| ()))
                })
                .await
                .map_err(|e| self.io("scrittura", name, std::io::Error::other(e)))?
                .map_err(|e| self.io("scrittura", name, e))?;
                Ok(size)
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
                    write_atomic(&dir, &name2, |tmp| std::fs::write(tmp, &bytes))
                })
                .await
                .map_err(|e| self.io("scrittura", name, std::io::Error::other(e)))?
                .map_err(|e| self.io("scrittura", name, e))
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
                let stream = futures_util::stream::unfold(Some(file), |file| async move {
                    use tokio::io::AsyncReadExt;
                    let mut file = file?;
                    let mut buf = vec![0u8; 64 * 1024];
                    match file.read(&mut buf).await {
                        Ok(0) => None,
                        Ok(n) => {
                            buf.truncate(n);
                            Some((Ok(bytes::Bytes::from(buf)), Some(file)))
                        }
                        Err(e) => Some((Err(e), None)),
                    }
                });
                Ok(Some((size, Box::pin(stream))))
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
                    Err(e) => return Err(self.io("elenco", "", e)),
                };
                while let Some(e) = rd
                    .next_entry()
                    .await
                    .map_err(|e| self.io("elenco", "", e))?
                {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let meta = e.metadata().await.map_err(|e| self.io("elenco", "", e))?;
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

/// Writes `name` in `dir` through a temporary file: written by `fill`, synced, renamed over
/// the name, the folder synced.
fn write_atomic(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&Path) -> std::io::Result<()>,
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{name}.tmp-{}", random_suffix()));
    let done = fill(&tmp).and_then(|()| std::fs::File::open(&tmp)?.sync_all());
    if let Err(e) = done {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, dir.join(name))?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn targets_are_read_from_their_spec() {
        let env = |k: &str| match k {
            "AWS_ACCESS_KEY_ID" => Some("ak".to_owned()),
            "AWS_SECRET_ACCESS_KEY" => Some("sk".to_owned()),
            "AWS_ENDPOINT_URL" => Some("http://127.0.0.1:9000".to_owned()),
            _ => None,
        };
        let t = Target::parse("s3://archivio/log/centro", &env).unwrap();
        assert_eq!(t.to_string(), "s3://archivio/log/centro");
        assert_eq!(
            t.child("ente-3").to_string(),
            "s3://archivio/log/centro/ente-3"
        );
        let t = Target::parse("s3://archivio", &env).unwrap();
        assert_eq!(t.child("ente-3").to_string(), "s3://archivio/ente-3");
        assert!(matches!(
            Target::parse("/srv/x", &env).unwrap(),
            Target::Folder(_)
        ));
        let none = |_: &str| None;
        let e = Target::parse("s3://archivio", &none)
            .unwrap_err()
            .to_string();
        assert!(e.contains("AWS_ACCESS_KEY_ID"), "{e}");
        assert!(Target::parse("s3://", &env).is_err());
        assert!(Target::parse("  ", &env).is_err());
    }

    #[test]
    fn only_plain_names_are_allowed() {
        for bad in ["", ".x", "a/b", "..", "a..b", "a\\b", "a\nb"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        check_name("ente-1_2026-11-01_2026-11-30_00001.jsonl.gz.age").unwrap();
    }
}
