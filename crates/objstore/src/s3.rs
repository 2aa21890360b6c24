//! The S3 side of a [`Target`](crate::Target): path-style requests (`{endpoint}/{bucket}/{key}`)
//! signed with AWS Signature V4, every body's SHA-256 computed (no unsigned payloads). Files
//! up to 16 MiB go in one `PUT`; larger ones as a multipart upload of 16 MiB parts read one at
//! a time (memory: one part), aborted if a part fails.

use std::fmt;
use std::path::Path;

use futures_util::StreamExt;
use tokio::io::AsyncReadExt;

use crate::sigv4::{self, Credentials, EMPTY_SHA256};
use crate::{ByteStream, StoreError};

/// One part of a multipart upload, and the largest file sent in one request.
pub const PART: usize = 16 * 1024 * 1024;

#[derive(Clone)]
pub struct S3Target {
    endpoint: reqwest::Url,
    bucket: String,
    /// Without slashes at either end; may be empty.
    prefix: String,
    creds: Credentials,
    client: reqwest::Client,
    /// Keys asked per page of a listing (tests make it small to see the paging).
    pub list_page: u32,
}

impl fmt::Debug for S3Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "S3Target({self} at {})", self.endpoint)
    }
}

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
fn tags(xml: &str, tag: &str) -> Vec<String> {
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

impl S3Target {
    /// From `bucket/prefix…` and the environment's endpoint, region and credentials.
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
        let need = |k: &str| {
            env(k).filter(|v| !v.trim().is_empty()).ok_or_else(|| {
                StoreError::BadTarget(format!("per s3:// serve la variabile d'ambiente {k}"))
            })
        };
        let region = env("AWS_REGION")
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| "us-east-1".into());
        let endpoint =
            env("AWS_ENDPOINT_URL").unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        let endpoint = reqwest::Url::parse(endpoint.trim_end_matches('/'))
            .map_err(|e| StoreError::BadTarget(format!("AWS_ENDPOINT_URL: {e}")))?;
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

    pub fn child(&self, sub: &str) -> S3Target {
        let mut c = self.clone();
        let sub = sub.trim_matches('/');
        c.prefix = if self.prefix.is_empty() {
            sub.to_owned()
        } else {
            format!("{}/{sub}", self.prefix)
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

    /// Sends a signed request for `key` (empty: the bucket) and returns the answer, or the
    /// store's error as [`StoreError::S3`].
    async fn send(
        &self,
        op: &'static str,
        name: &str,
        method: reqwest::Method,
        key: &str,
        query: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<reqwest::Response, StoreError> {
        let path = if key.is_empty() {
            format!("/{}", self.bucket)
        } else {
            format!("/{}/{}", self.bucket, sigv4::uri_encode(key, true))
        };
        let base_path = self.endpoint.path().trim_end_matches('/');
        let path = format!("{base_path}{path}");
        let mut url = self.endpoint.clone();
        url.set_path(&path);
        let q = sigv4::canonical_query(query);
        url.set_query((!q.is_empty()).then_some(q.as_str()));
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let payload = if body.is_empty() {
            EMPTY_SHA256.to_owned()
        } else {
            sigv4::sha256_hex(&body)
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
        let answer = self
            .client
            .request(method, url)
            .header("x-amz-content-sha256", payload)
            .header("x-amz-date", amz_date)
            .header("authorization", auth)
            .body(body)
            .send()
            .await
            .map_err(|e| self.fail(op, name, e))?;
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
            code: tags(&text, "Code").into_iter().next().unwrap_or_default(),
            message: tags(&text, "Message")
                .into_iter()
                .next()
                .unwrap_or_default(),
        })
    }

    /// Creates the bucket (for operators and tests).
    pub async fn create_bucket(&self) -> Result<(), StoreError> {
        // Outside us-east-1 the region is named in the body.
        let body = if self.creds.region == "us-east-1" {
            Vec::new()
        } else {
            format!(
                "<CreateBucketConfiguration><LocationConstraint>{}</LocationConstraint>\
                 </CreateBucketConfiguration>",
                self.creds.region
            )
            .into_bytes()
        };
        self.send(
            "creazione del bucket",
            "",
            reqwest::Method::PUT,
            "",
            &[],
            body,
        )
        .await
        .map(|_| ())
    }

    pub async fn put_bytes(&self, name: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        let key = self.key(name);
        self.send("scrittura", name, reqwest::Method::PUT, &key, &[], bytes)
            .await
            .map(|_| ())
    }

    pub async fn put_file(&self, name: &str, path: &Path) -> Result<u64, StoreError> {
        let io = |e: std::io::Error| self.fail("lettura locale", name, e);
        let mut file = tokio::fs::File::open(path).await.map_err(io)?;
        let size = file.metadata().await.map_err(io)?.len();
        if size <= PART as u64 {
            let mut buf = Vec::with_capacity(size as usize);
            file.read_to_end(&mut buf).await.map_err(io)?;
            self.put_bytes(name, buf).await?;
            return Ok(size);
        }
        let key = self.key(name);
        let started = self
            .send(
                "avvio del caricamento",
                name,
                reqwest::Method::POST,
                &key,
                &[("uploads".into(), String::new())],
                Vec::new(),
            )
            .await?;
        let xml = started
            .text()
            .await
            .map_err(|e| self.fail("avvio", name, e))?;
        let upload = tags(&xml, "UploadId")
            .into_iter()
            .next()
            .ok_or_else(|| self.fail("avvio del caricamento", name, "manca UploadId"))?;
        match self.parts(name, &key, &upload, &mut file).await {
            Ok(()) => Ok(size),
            Err(e) => {
                let _ = self
                    .send(
                        "annullamento",
                        name,
                        reqwest::Method::DELETE,
                        &key,
                        &[("uploadId".into(), upload)],
                        Vec::new(),
                    )
                    .await;
                Err(e)
            }
        }
    }

    async fn parts(
        &self,
        name: &str,
        key: &str,
        upload: &str,
        file: &mut tokio::fs::File,
    ) -> Result<(), StoreError> {
        let mut etags = Vec::new();
        loop {
            let mut part = Vec::with_capacity(PART);
            let mut limited = (&mut *file).take(PART as u64);
            limited
                .read_to_end(&mut part)
                .await
                .map_err(|e| self.fail("lettura locale", name, e))?;
            if part.is_empty() {
                break;
            }
            let n = etags.len() + 1;
            let answer = self
                .send(
                    "caricamento di una parte",
                    name,
                    reqwest::Method::PUT,
                    key,
                    &[
                        ("partNumber".into(), n.to_string()),
                        ("uploadId".into(), upload.to_owned()),
                    ],
                    part,
                )
                .await?;
            let etag = answer
                .headers()
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            etags.push(etag);
        }
        let mut xml = String::from("<CompleteMultipartUpload>");
        for (i, e) in etags.iter().enumerate() {
            xml.push_str(&format!(
                "<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>",
                i + 1,
                quick_xml::escape::escape(e.as_str())
            ));
        }
        xml.push_str("</CompleteMultipartUpload>");
        let done = self
            .send(
                "chiusura del caricamento",
                name,
                reqwest::Method::POST,
                key,
                &[("uploadId".into(), upload.to_owned())],
                xml.into_bytes(),
            )
            .await?;
        // S3 may answer 200 with an error in the body.
        let body = done.text().await.unwrap_or_default();
        if let Some(code) = tags(&body, "Code").into_iter().next() {
            return Err(StoreError::S3 {
                target: self.to_string(),
                op: "chiusura del caricamento",
                name: name.to_owned(),
                status: 200,
                code,
                message: tags(&body, "Message")
                    .into_iter()
                    .next()
                    .unwrap_or_default(),
            });
        }
        Ok(())
    }

    pub async fn get_bytes(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let key = self.key(name);
        match self
            .send("lettura", name, reqwest::Method::GET, &key, &[], Vec::new())
            .await
        {
            Ok(r) => Ok(Some(
                r.bytes()
                    .await
                    .map_err(|e| self.fail("lettura", name, e))?
                    .to_vec(),
            )),
            Err(StoreError::S3 { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn open(&self, name: &str) -> Result<Option<(u64, ByteStream)>, StoreError> {
        let key = self.key(name);
        match self
            .send("lettura", name, reqwest::Method::GET, &key, &[], Vec::new())
            .await
        {
            Ok(r) => {
                let size = r.content_length().unwrap_or_default();
                let stream = r.bytes_stream().map(|c| c.map_err(std::io::Error::other));
                Ok(Some((size, Box::pin(stream))))
            }
            Err(StoreError::S3 { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

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
                ("max-keys".to_owned(), self.list_page.to_string()),
            ];
            if let Some(t) = &token {
                q.push(("continuation-token".to_owned(), t.clone()));
            }
            let r = self
                .send("elenco", "", reqwest::Method::GET, "", &q, Vec::new())
                .await?;
            let xml = r.text().await.map_err(|e| self.fail("elenco", "", e))?;
            for block in tags(&xml, "Contents") {
                let key = tags(&block, "Key").into_iter().next().unwrap_or_default();
                let size = tags(&block, "Size")
                    .into_iter()
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                if let Some(name) = key.strip_prefix(&prefix) {
                    if !name.is_empty() && !name.contains('/') {
                        out.push((name.to_owned(), size));
                    }
                }
            }
            let truncated = tags(&xml, "IsTruncated").first().map(String::as_str) == Some("true");
            token = tags(&xml, "NextContinuationToken").into_iter().next();
            if !truncated || token.is_none() {
                break;
            }
        }
        out.sort();
        Ok(out)
    }

    pub async fn delete(&self, name: &str) -> Result<(), StoreError> {
        let key = self.key(name);
        self.send(
            "eliminazione",
            name,
            reqwest::Method::DELETE,
            &key,
            &[],
            Vec::new(),
        )
        .await
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_answers_are_read() {
        let xml = "<Error><Code>SignatureDoesNotMatch</Code><Message>a &amp; b</Message></Error>";
        assert_eq!(tags(xml, "Code"), ["SignatureDoesNotMatch"]);
        assert_eq!(tags(xml, "Message"), ["a & b"]);
        assert!(tags(xml, "Key").is_empty());
    }
}
