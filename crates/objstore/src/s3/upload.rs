//! Putting a local file: one streamed `PUT` up to 64 MiB, a multipart upload of 16 MiB parts
//! above (each part hashed and streamed from its offset; the upload aborted if a part fails).

use std::path::Path;

use super::*;

impl S3Target {
    pub async fn put_file(&self, name: &str, path: &Path) -> Result<u64, StoreError> {
        let io = |e| self.local("lettura del file locale", name, e);
        let size = tokio::fs::metadata(path).await.map_err(io)?.len();
        let key = self.key(name);
        if size <= SINGLE_PUT {
            let sha256 = sha256_of(path, 0, size).await.map_err(io)?;
            let body = Body::File {
                path: path.to_owned(),
                offset: 0,
                len: size,
                sha256,
            };
            self.send("scrittura", name, reqwest::Method::PUT, &key, &[], body)
                .await?;
            return Ok(size);
        }
        let started = self
            .send(
                "avvio del caricamento in parti",
                name,
                reqwest::Method::POST,
                &key,
                &[("uploads".into(), String::new())],
                Body::empty(),
            )
            .await?;
        let xml = started
            .text()
            .await
            .map_err(|e| self.fail("avvio del caricamento in parti", name, e))?;
        let upload = first(&xml, "UploadId").ok_or_else(|| {
            self.fail(
                "avvio del caricamento in parti",
                name,
                "la risposta non ha UploadId",
            )
        })?;
        match self.parts(name, &key, &upload, path, size).await {
            Ok(()) => Ok(size),
            Err(e) => {
                // Best effort: the parts already sent are not kept (nor billed) once aborted.
                let _ = self
                    .send(
                        "annullamento del caricamento",
                        name,
                        reqwest::Method::DELETE,
                        &key,
                        &[("uploadId".into(), upload)],
                        Body::empty(),
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
        path: &Path,
        size: u64,
    ) -> Result<(), StoreError> {
        let mut etags = Vec::new();
        let mut offset = 0u64;
        while offset < size {
            let len = PART.min(size - offset);
            let sha256 = sha256_of(path, offset, len)
                .await
                .map_err(|e| self.local("lettura del file locale", name, e))?;
            let number = etags.len() + 1;
            let answer = self
                .send(
                    "caricamento di una parte",
                    name,
                    reqwest::Method::PUT,
                    key,
                    &[
                        ("partNumber".into(), number.to_string()),
                        ("uploadId".into(), upload.to_owned()),
                    ],
                    Body::File {
                        path: path.to_owned(),
                        offset,
                        len,
                        sha256,
                    },
                )
                .await?;
            let etag = answer
                .headers()
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .ok_or_else(|| {
                    self.fail(
                        "caricamento di una parte",
                        name,
                        format!("la risposta alla parte {number} non ha ETag"),
                    )
                })?;
            etags.push(etag);
            offset += len;
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
                "chiusura del caricamento in parti",
                name,
                reqwest::Method::POST,
                key,
                &[("uploadId".into(), upload.to_owned())],
                Body::Bytes(xml.into_bytes()),
            )
            .await?;
        // S3 may answer 200 and put an error in the body.
        let body = done
            .text()
            .await
            .map_err(|e| self.fail("chiusura del caricamento in parti", name, e))?;
        if let Some(code) = first(&body, "Code") {
            return Err(StoreError::S3 {
                target: self.to_string(),
                op: "chiusura del caricamento in parti",
                name: name.to_owned(),
                status: 200,
                code,
                message: first(&body, "Message").unwrap_or_default(),
            });
        }
        Ok(())
    }
}
