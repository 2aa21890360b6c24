//! The file store: every stored document (ticket attachments today; statement PDFs and
//! spreadsheets, e-invoice XML and log exports next) kept as bytes (`BLOB` on SQLite, `bytea`
//! on PostgreSQL), addressed by its SHA-256 and kept once however many records point at it.
//!
//! A file is cut into chunks of [`CHUNK`] bytes (`file_chunks`, keyed by the file's row and
//! the chunk's number), so that writing, reading, backing up and restoring hold one chunk at a
//! time, whatever the file's size. The `files` row says the file is complete: its hash is set
//! only when the last chunk is written ([`FileWriter::finish`]), inside the caller's
//! transaction, so a file is stored with the record that uses it or not at all.
//!
//! Records refer to a file by its hash (`ticket_attachments.sha256`); reading checks the bytes
//! against it before the first byte is served ([`open`]), so a file altered in the database is
//! refused, never delivered.

use futures_util::Stream;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Backend, Db, WriteTx};

/// The size of a chunk: 256 KiB.
pub const CHUNK: usize = 256 * 1024;

/// A complete file in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFile {
    pub sha256: String,
    pub size: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("file {0} is not in the store")]
    Missing(String),
    #[error("file {0} no longer matches its SHA-256: it was altered")]
    Altered(String),
    #[error(transparent)]
    Sql(#[from] sqlx::Error),
}

/// Writes one file chunk by chunk inside the caller's transaction. Bytes given to
/// [`FileWriter::write`] are kept until a chunk is full, then written: the writer never holds
/// more than one chunk.
pub struct FileWriter {
    id: Option<i64>,
    hash: Sha256,
    buf: Vec<u8>,
    seq: i64,
    size: i64,
}

impl Default for FileWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl FileWriter {
    pub fn new() -> Self {
        FileWriter {
            id: None,
            hash: Sha256::new(),
            buf: Vec::with_capacity(CHUNK),
            seq: 0,
            size: 0,
        }
    }

    /// Appends bytes; full chunks go to the database.
    pub async fn write(&mut self, tx: &mut WriteTx, mut bytes: &[u8]) -> Result<(), sqlx::Error> {
        self.hash.update(bytes);
        self.size += i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        while !bytes.is_empty() {
            let room = CHUNK - self.buf.len();
            let (now, later) = bytes.split_at(room.min(bytes.len()));
            self.buf.extend_from_slice(now);
            bytes = later;
            if self.buf.len() == CHUNK {
                self.flush(tx).await?;
            }
        }
        Ok(())
    }

    async fn flush(&mut self, tx: &mut WriteTx) -> Result<(), sqlx::Error> {
        let id = match self.id {
            Some(id) => id,
            None => {
                // The row of a file being written: no hash yet, so no reader can find it.
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO files (sha256, size, created_at) VALUES (NULL, 0, $1) RETURNING id",
                )
                .bind(kernel::time::now())
                .fetch_one(tx.conn())
                .await?;
                self.id = Some(id);
                id
            }
        };
        insert_chunk(tx.conn(), id, self.seq, std::mem::take(&mut self.buf)).await?;
        self.buf.reserve(CHUNK);
        self.seq += 1;
        Ok(())
    }

    /// Completes the file. When the store already holds the same bytes, the chunks just
    /// written are dropped and the stored file is the answer: each content is kept once.
    pub async fn finish(mut self, tx: &mut WriteTx) -> Result<StoredFile, sqlx::Error> {
        let sha = hex::encode(self.hash.clone().finalize());
        lock_hash(tx, &sha).await?;
        if let Some((_, existing)) = find(tx.conn(), &sha).await? {
            if let Some(id) = self.id {
                sqlx::query("DELETE FROM file_chunks WHERE file_id = $1")
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
                sqlx::query("DELETE FROM files WHERE id = $1")
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
            }
            return Ok(existing);
        }
        if !self.buf.is_empty() || self.id.is_none() {
            self.flush(tx).await?;
        }
        let Some(id) = self.id else {
            return Err(sqlx::Error::Protocol("file row not written".into()));
        };
        sqlx::query("UPDATE files SET sha256 = $1, size = $2 WHERE id = $3")
            .bind(&sha)
            .bind(self.size)
            .bind(id)
            .execute(tx.conn())
            .await?;
        Ok(StoredFile {
            sha256: sha,
            size: self.size,
        })
    }
}

/// Stores `bytes` (already in memory) in the caller's transaction; the same content twice is
/// kept once. When the stored copy of the same content was damaged (a chunk altered or lost),
/// it is written again from these bytes: uploading the original repairs it.
pub async fn put(tx: &mut WriteTx, bytes: &[u8]) -> Result<StoredFile, sqlx::Error> {
    let sha = hex::encode(Sha256::digest(bytes));
    lock_hash(tx, &sha).await?;
    if let Some((id, existing)) = find(tx.conn(), &sha).await? {
        if !intact(tx.conn(), id, &sha, existing.size).await? {
            tracing::warn!(sha256 = %sha, "stored file was damaged: written again from an upload");
            sqlx::query("DELETE FROM file_chunks WHERE file_id = $1")
                .bind(id)
                .execute(tx.conn())
                .await?;
            for (seq, chunk) in (0i64..).zip(bytes.chunks(CHUNK)) {
                insert_chunk(tx.conn(), id, seq, chunk.to_vec()).await?;
            }
        }
        return Ok(existing);
    }
    let mut w = FileWriter::new();
    w.write(tx, bytes).await?;
    w.finish(tx).await
}

/// Two transactions storing the same new content on PostgreSQL would both find it missing;
/// the second would then break on the unique hash and lose its whole transaction. A
/// transaction-scoped lock on the hash makes the second wait and find the first's file.
/// SQLite has one writer at a time already.
async fn lock_hash(tx: &mut WriteTx, sha: &str) -> Result<(), sqlx::Error> {
    if tx.backend == Backend::Postgres {
        let key = i64::from_str_radix(&sha[..15], 16).unwrap_or(0);
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

async fn insert_chunk(
    conn: &mut sqlx::AnyConnection,
    file_id: i64,
    seq: i64,
    data: Vec<u8>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO file_chunks (file_id, seq, data) VALUES ($1, $2, $3)")
        .bind(file_id)
        .bind(seq)
        .bind(data)
        .execute(conn)
        .await?;
    Ok(())
}

/// The complete file with this hash: its row and what it is.
async fn find(
    conn: &mut sqlx::AnyConnection,
    sha: &str,
) -> Result<Option<(i64, StoredFile)>, sqlx::Error> {
    let row: Option<(i64, i64)> = sqlx::query_as("SELECT id, size FROM files WHERE sha256 = $1")
        .bind(sha)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(id, size)| {
        (
            id,
            StoredFile {
                sha256: sha.to_owned(),
                size,
            },
        )
    }))
}

/// Whether file `id`'s chunks, read one at a time, add up to `size` bytes hashing to `sha`.
async fn intact(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    sha: &str,
    size: i64,
) -> Result<bool, sqlx::Error> {
    let seqs: Vec<i64> =
        sqlx::query_scalar("SELECT seq FROM file_chunks WHERE file_id = $1 ORDER BY seq")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let mut hash = Sha256::new();
    let mut total = 0i64;
    for (i, seq) in seqs.iter().enumerate() {
        if *seq != i64::try_from(i).unwrap_or(-1) {
            return Ok(false);
        }
        let data: Vec<u8> =
            sqlx::query_scalar("SELECT data FROM file_chunks WHERE file_id = $1 AND seq = $2")
                .bind(id)
                .bind(seq)
                .fetch_one(&mut *conn)
                .await?;
        total += i64::try_from(data.len()).unwrap_or(i64::MAX);
        hash.update(&data);
    }
    Ok(total == size && hex::encode(hash.finalize()) == sha)
}

/// A stored file ready to be read chunk by chunk (see [`open`]).
#[derive(Clone)]
pub struct FileReader {
    db: Db,
    id: i64,
    chunks: i64,
    pub file: StoredFile,
}

/// Opens a file after reading it once against its hash (one chunk in memory at a time), so
/// that what is then served is known whole and unaltered.
pub async fn open(db: &Db, sha: &str) -> Result<FileReader, FileError> {
    let row = sqlx::query(
        "SELECT f.id, f.size, (SELECT COUNT(*) FROM file_chunks c WHERE c.file_id = f.id) AS chunks \
         FROM files f WHERE f.sha256 = $1",
    )
    .bind(sha)
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| FileError::Missing(sha.to_owned()))?;
    let reader = FileReader {
        db: db.clone(),
        id: row.try_get("id")?,
        chunks: row.try_get("chunks")?,
        file: StoredFile {
            sha256: sha.to_owned(),
            size: row.try_get("size")?,
        },
    };
    let mut conn = db.pool().acquire().await?;
    if !intact(&mut conn, reader.id, sha, reader.file.size).await? {
        return Err(FileError::Altered(sha.to_owned()));
    }
    Ok(reader)
}

impl FileReader {
    /// Chunk `seq` (from 0).
    pub async fn chunk(&self, seq: i64) -> Result<Vec<u8>, FileError> {
        let data: Option<Vec<u8>> =
            sqlx::query_scalar("SELECT data FROM file_chunks WHERE file_id = $1 AND seq = $2")
                .bind(self.id)
                .bind(seq)
                .fetch_optional(self.db.pool())
                .await?;
        data.ok_or_else(|| FileError::Altered(self.file.sha256.clone()))
    }

    /// The chunks in order, each read when asked for: a response body that streams the file.
    pub fn into_stream(self) -> impl Stream<Item = Result<Vec<u8>, std::io::Error>> + Send {
        futures_util::stream::try_unfold((self, 0i64), |(r, seq)| async move {
            if seq >= r.chunks {
                return Ok(None);
            }
            let c = r.chunk(seq).await.map_err(std::io::Error::other)?;
            Ok(Some((c, (r, seq + 1))))
        })
    }

    /// The whole file in memory (for small files: a mail attachment, a preview).
    pub async fn read_all(&self) -> Result<Vec<u8>, FileError> {
        let mut out = Vec::with_capacity(usize::try_from(self.file.size).unwrap_or(0));
        for seq in 0..self.chunks {
            out.extend(self.chunk(seq).await?);
        }
        Ok(out)
    }
}

/// Checks every stored file against its hash, one chunk in memory at a time: the files
/// checked, and the hashes of those that no longer match (or are incomplete).
pub async fn verify_all(db: &Db) -> Result<(u64, Vec<String>), sqlx::Error> {
    let hashes: Vec<String> =
        sqlx::query_scalar("SELECT sha256 FROM files WHERE sha256 IS NOT NULL ORDER BY id")
            .fetch_all(db.pool())
            .await?;
    let mut bad = Vec::new();
    for h in &hashes {
        match open(db, h).await {
            Ok(_) => {}
            Err(FileError::Sql(e)) => return Err(e),
            Err(_) => bad.push(h.clone()),
        }
    }
    Ok((hashes.len() as u64, bad))
}
