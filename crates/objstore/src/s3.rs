//! The S3 side of a [`Target`](crate::Target): path-style requests (`{endpoint}/{bucket}/{key}`)
//! signed with AWS Signature V4. Every body's SHA-256 is computed and signed (no
//! `UNSIGNED-PAYLOAD`): the store refuses a body that is not the one hashed. A file is read
//! twice, once to hash it and once to send it as a stream with its `Content-Length`, so memory
//! stays flat. Files up to 64 MiB go in one `PUT`; larger ones as a multipart upload of 16 MiB
//! parts, each hashed and streamed from its place in the file, the upload aborted if a part
//! fails.

use std::fmt;
use std::io::SeekFrom;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::sigv4::{self, Credentials, EMPTY_SHA256};
use crate::{ByteStream, StoreError};

mod upload;

/// One part of a multipart upload.
pub const PART: u64 = 16 * 1024 * 1024;
/// The largest file sent in one `PUT`.
pub const SINGLE_PUT: u64 = 64 * 1024 * 1024;

#[derive(Clone)]
pub struct S3Target {
    endpoint: reqwest::Url,
    bucket: String,
    /// Without slashes at either end; may be empty.
    prefix: String,
    creds: Credentials,
    client: reqwest::Client,
    /// Keys asked per page of a listing (`max-keys`; tests make it small to see the paging).
    pub list_page: u32,
}

impl fmt::Debug for S3Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "S3Target({self} at {})", self.endpoint)
    }
}

/// `s3://bucket/prefix`: no endpoint, no credentials.
impl fmt::Display for S3Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix.is_empty() {
            write!(f, "s3://{}", self.bucket)
        } else {
            write!(f, "s3://{}/{}", self.bucket, self.prefix)
        }
    }
}

/// `<Tag>text</Tag>` occurrences in a small XML answer, unescaped.
pub(crate) fn tags(xml: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        let raw = &after[..j];
        out.push(
            quick_xml::escape::unescape(raw).map_or_else(|_| raw.to_owned(), |c| c.into_owned()),
        );
        rest = &after[j + close.len()..];
    }
    out
}

fn first(xml: &str, tag: &str) -> Option<String> {
    tags(xml, tag).into_iter().next()
}

/// What a request sends.
enum Body {
    Bytes(Vec<u8>),
    /// `len` bytes of a local file from `offset`, whose SHA-256 (hex) is `sha256`.
    File {
        path: PathBuf,
        offset: u64,
        len: u64,
        sha256: String,
    },
}

impl Body {
    fn empty() -> Body {
        Body::Bytes(Vec::new())
    }
}

/// The SHA-256 (hex) of `len` bytes of the file at `path` from `offset`; an error if the
/// file is shorter.
async fn sha256_of(path: &Path, offset: u64, len: u64) -> std::io::Result<String> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Seek};
        let mut f = std::fs::File::open(&path)?;
        f.seek(SeekFrom::Start(offset))?;
        let mut f = f.take(len);
        let mut sha = Sha256::new();
        let mut buf = vec![0u8; 1024 * 1024];
        let mut read = 0u64;
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                break;
            }
            sha.update(&buf[..n]);
            read += n as u64;
        }
        if read != len {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "il file si è accorciato durante la lettura",
            ));
        }
        Ok(hex::encode(sha.finalize()))
    })
    .await
    .map_err(std::io::Error::other)?
}

impl S3Target {
    /// From `bucket/prefix…` and the environment's endpoint (`AWS_ENDPOINT_URL`, default
    /// `https://s3.{region}.amazonaws.com`), region (`AWS_REGION`, else `AWS_DEFAULT_REGION`,
    /// else `us-east-1`) and credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`:
    /// required).
    pub fn from_env(
        rest: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<S3Target, StoreError> {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(StoreError::BadTarget(
                "manca il nome del bucket (s3://BUCKET/PREFISSO)".into(),
            ));
        }
        let var = |k: &str| {
            env(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let need = |k: &str| {
            var(k).ok_or_else(|| {
                StoreError::BadTarget(format!("per s3://{rest} serve la variabile d'ambiente {k}"))
            })
        };
        let region = var("AWS_REGION")
            .or_else(|| var("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| "us-east-1".into());
        let endpoint =
            var("AWS_ENDPOINT_URL").unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        let endpoint = reqwest::Url::parse(endpoint.trim_end_matches('/'))
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| {
                StoreError::BadTarget(format!(
                    "AWS_ENDPOINT_URL non è un indirizzo http(s): «{endpoint}»"
                ))
            })?;
        let creds = Credentials {
            access_key: need("AWS_ACCESS_KEY_ID")?,
            secret_key: need("AWS_SECRET_ACCESS_KEY")?,
            region,
        };
        let client = reqwest::Client::builder()
            .build()
            .map_err(|e| StoreError::BadTarget(e.to_string()))?;
        Ok(S3Target {
            endpoint,
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
            creds,
            client,
            list_page: 1000,
        })
    }

    /// The endpoint requests go to (without credentials).
    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str()
    }

    pub fn region(&self) -> &str {
        &self.creds.region
    }

    pub fn child(&self, sub: &str) -> S3Target {
        let mut c = self.clone();
        let sub = sub.trim_matches('/');
        c.prefix = match (self.prefix.is_empty(), sub.is_empty()) {
            (_, true) => self.prefix.clone(),
            (true, false) => sub.to_owned(),
            (false, false) => format!("{}/{sub}", self.prefix),
        };
        c
    }

    fn key(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}/{name}", self.prefix)
        }
    }

    fn fail(&self, op: &'static str, name: &str, e: impl fmt::Display) -> StoreError {
        StoreError::Http {
            target: self.to_string(),
            op,
            name: name.to_owned(),
            message: e.to_string(),
        }
    }

    fn local(&self, op: &'static str, name: &str, source: std::io::Error) -> StoreError {
        StoreError::Io {
            target: self.to_string(),
            op,
            name: name.to_owned(),
            source,
        }
    }

    /// Sends a signed request for `key` (empty: the bucket) and returns the answer, or the
    /// store's error as [`StoreError::S3`].
    async fn send(
        &self,
        op: &'static str,
        name: &str,
        method: reqwest::Method,
        key: &str,
        query: &[(String, String)],
        body: Body,
    ) -> Result<reqwest::Response, StoreError> {
        let path = if key.is_empty() {
            format!("/{}", sigv4::uri_encode(&self.bucket, false))
        } else {
            format!(
                "/{}/{}",
                sigv4::uri_encode(&self.bucket, false),
                sigv4::uri_encode(key, true)
            )
        };
        let base_path = self.endpoint.path().trim_end_matches('/');
        let path = format!("{base_path}{path}");
        let mut url = self.endpoint.clone();
        url.set_path(&path);
        let q = sigv4::canonical_query(query);
        url.set_query((!q.is_empty()).then_some(q.as_str()));
        // As reqwest writes the Host header: the port only when not the scheme's default.
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let (payload, body, len) = match body {
            Body::Bytes(b) if b.is_empty() => (EMPTY_SHA256.to_owned(), reqwest::Body::from(b), 0),
            Body::Bytes(b) => {
                let len = b.len() as u64;
                (sigv4::sha256_hex(&b), reqwest::Body::from(b), len)
            }
            Body::File {
                path,
                offset,
                len,
                sha256,
            } => {
                let io = |e| self.local("lettura del file locale", name, e);
                let mut file = tokio::fs::File::open(&path).await.map_err(io)?;
                file.seek(SeekFrom::Start(offset)).await.map_err(io)?;
                let stream = crate::read_stream(file.take(len));
                (sha256, reqwest::Body::wrap_stream(stream), len)
            }
        };
        let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
        let headers = [
            ("host".to_owned(), host),
            ("x-amz-content-sha256".to_owned(), payload.clone()),
            ("x-amz-date".to_owned(), amz_date.clone()),
        ];
        let auth = sigv4::authorization(
            &sigv4::Request {
                method: method.as_str(),
                path: &path,
                query,
                headers: &headers,
                payload_sha256: &payload,
            },
            &self.creds,
            &amz_date,
        );
        let mut request = self
            .client
            .request(method.clone(), url)
            .header("x-amz-content-sha256", payload)
            .header("x-amz-date", amz_date)
            .header("authorization", auth);
        if method == reqwest::Method::PUT || method == reqwest::Method::POST {
            // S3 wants the length of every upload; a streamed body would otherwise go chunked.
            request = request.header(reqwest::header::CONTENT_LENGTH, len);
        }
        let answer = request
            .body(body)
            .send()
            .await
            .map_err(|e| self.fail(op, name, error_chain(&e)))?;
        if answer.status().is_success() {
            return Ok(answer);
        }
        let status = answer.status().as_u16();
        let text = answer.text().await.unwrap_or_default();
        Err(StoreError::S3 {
            target: self.to_string(),
            op,
            name: name.to_owned(),
            status,
            code: first(&text, "Code").unwrap_or_default(),
            message: first(&text, "Message").unwrap_or_default(),
        })
    }

    /// Creates the bucket (for operators and tests); outside `us-east-1` the region is named
    /// in the request, as S3 asks.
    pub async fn create_bucket(&self) -> Result<(), StoreError> {
        let body = if self.creds.region == "us-east-1" {
            Vec::new()
        } else {
            format!(
                "<CreateBucketConfiguration><LocationConstraint>{}</LocationConstraint>\
                 </CreateBucketConfiguration>",
                quick_xml::escape::escape(self.creds.region.as_str())
            )
            .into_bytes()
        };
        self.send(
            "creazione del bucket",
            "",
            reqwest::Method::PUT,
            "",
            &[],
            Body::Bytes(body),
        )
        .await
        .map(|_| ())
    }

    pub async fn put_bytes(&self, name: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        let key = self.key(name);
        self.send(
            "scrittura",
            name,
            reqwest::Method::PUT,
            &key,
            &[],
            Body::Bytes(bytes),
        )
        .await
        .map(|_| ())
    }

    /// GETs the object; `None` when the store says there is no such key (a missing bucket
    /// stays an error).
    async fn get(&self, name: &str) -> Result<Option<reqwest::Response>, StoreError> {
        let key = self.key(name);
        match self
            .send(
                "lettura",
                name,
                reqwest::Method::GET,
                &key,
                &[],
                Body::empty(),
            )
            .await
        {
            Ok(r) => Ok(Some(r)),
            Err(StoreError::S3 {
                status: 404, code, ..
            }) if code != "NoSuchBucket" => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn get_bytes(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(r) = self.get(name).await? else {
            return Ok(None);
        };
        let bytes = r.bytes().await.map_err(|e| self.fail("lettura", name, e))?;
        Ok(Some(bytes.to_vec()))
    }

    pub async fn open(&self, name: &str) -> Result<Option<(u64, ByteStream)>, StoreError> {
        let Some(r) = self.get(name).await? else {
            return Ok(None);
        };
        let size = r
            .headers()
            .get(reqwest::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| self.fail("lettura", name, "la risposta non ha Content-Length"))?;
        let stream = r.bytes_stream().map(|c| c.map_err(std::io::Error::other));
        Ok(Some((size, Box::pin(stream))))
    }

    /// ListObjectsV2 of the prefix with `/` as delimiter, page after page.
    pub async fn list(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let prefix = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut q = vec![
                ("list-type".to_owned(), "2".to_owned()),
                ("prefix".to_owned(), prefix.clone()),
                ("delimiter".to_owned(), "/".to_owned()),
                ("max-keys".to_owned(), self.list_page.max(1).to_string()),
            ];
            if let Some(t) = &token {
                q.push(("continuation-token".to_owned(), t.clone()));
            }
            let r = self
                .send(
                    "elenco dei file",
                    "",
                    reqwest::Method::GET,
                    "",
                    &q,
                    Body::empty(),
                )
                .await?;
            let xml = r
                .text()
                .await
                .map_err(|e| self.fail("elenco dei file", "", e))?;
            for block in tags(&xml, "Contents") {
                let key = first(&block, "Key").unwrap_or_default();
                let size = first(&block, "Size")
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(|| {
                        self.fail(
                            "elenco dei file",
                            "",
                            format!("dimensione illeggibile per «{key}»"),
                        )
                    })?;
                if let Some(name) = key.strip_prefix(&prefix) {
                    if !name.is_empty() && !name.contains('/') {
                        out.push((name.to_owned(), size));
                    }
                }
            }
            let truncated = first(&xml, "IsTruncated").as_deref() == Some("true");
            token = first(&xml, "NextContinuationToken");
            if !truncated {
                break;
            }
            if token.is_none() {
                return Err(self.fail(
                    "elenco dei file",
                    "",
                    "elenco troncato senza NextContinuationToken",
                ));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Removes the object; S3 answers alike whether it was there or not.
    pub async fn delete(&self, name: &str) -> Result<(), StoreError> {
        let key = self.key(name);
        self.send(
            "eliminazione",
            name,
            reqwest::Method::DELETE,
            &key,
            &[],
            Body::empty(),
        )
        .await
        .map(|_| ())
    }
}

/// An error and its causes, on one line (reqwest's own message hides the cause).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

#[cfg(test)]
mod tests;
