#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use super::*;

#[test]
fn xml_answers_are_read() {
    let xml = "<Error><Code>SignatureDoesNotMatch</Code><Message>a &amp; b</Message></Error>";
    assert_eq!(tags(xml, "Code"), ["SignatureDoesNotMatch"]);
    assert_eq!(tags(xml, "Message"), ["a & b"]);
    assert!(tags(xml, "Key").is_empty());
}

fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    }
}

#[test]
fn aws_is_the_default_endpoint() {
    let env = env_of(&[("AWS_ACCESS_KEY_ID", "ak"), ("AWS_SECRET_ACCESS_KEY", "sk")]);
    let t = S3Target::from_env("archivio/log", &env).unwrap();
    assert_eq!(t.endpoint(), "https://s3.us-east-1.amazonaws.com/");
    assert_eq!(t.region(), "us-east-1");
    let env = env_of(&[
        ("AWS_ACCESS_KEY_ID", "ak"),
        ("AWS_SECRET_ACCESS_KEY", "sk"),
        ("AWS_REGION", "eu-south-1"),
    ]);
    let t = S3Target::from_env("archivio", &env).unwrap();
    assert_eq!(t.endpoint(), "https://s3.eu-south-1.amazonaws.com/");
    let env = env_of(&[
        ("AWS_ACCESS_KEY_ID", "ak"),
        ("AWS_SECRET_ACCESS_KEY", "sk"),
        ("AWS_ENDPOINT_URL", "ftp://x"),
    ]);
    let e = S3Target::from_env("archivio", &env)
        .unwrap_err()
        .to_string();
    assert!(e.contains("AWS_ENDPOINT_URL"), "{e}");
}

/// One request as a fake S3 server saw it: the head (lowercase) and the body.
type Seen = (String, Vec<u8>);

/// A fake S3 server on a loopback port: each request's head and body are recorded and
/// answered by `answer(head)` (status line and extra headers, body).
async fn fake_s3(
    answer: fn(&str) -> (&'static str, String),
) -> (String, tokio::task::JoinHandle<Vec<Seen>>) {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let mut seen = Vec::new();
        // One connection, kept alive (reqwest reuses it), until the client drops it.
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut got = Vec::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let head_end = loop {
                if let Some(i) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(i + 4);
                }
                let n = sock.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    break None;
                }
                got.extend_from_slice(&buf[..n]);
            };
            let Some(head_end) = head_end else {
                return seen;
            };
            let head = String::from_utf8_lossy(&got[..head_end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            while got.len() < head_end + len {
                let n = sock.read(&mut buf).await.unwrap();
                assert!(n > 0, "body cut short");
                got.extend_from_slice(&buf[..n]);
            }
            let body = got[head_end..head_end + len].to_vec();
            got.drain(..head_end + len);
            let (status, reply) = answer(&head);
            let out = format!(
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\n\r\n{reply}",
                reply.len()
            );
            sock.write_all(out.as_bytes()).await.unwrap();
            seen.push((head, body));
        }
    });
    (endpoint, server)
}

fn target_at(endpoint: String, spec: &str) -> S3Target {
    let env = move |k: &str| match k {
        "AWS_ENDPOINT_URL" => Some(endpoint.clone()),
        "AWS_ACCESS_KEY_ID" => Some("ak".into()),
        "AWS_SECRET_ACCESS_KEY" => Some("sk".into()),
        _ => None,
    };
    S3Target::from_env(spec, &env).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "objstore-{name}-{}-{}",
        std::process::id(),
        crate::random_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A streamed upload carries its length (S3 refuses chunked uploads without it) and the
/// body's SHA-256, and arrives whole, at its encoded path.
#[tokio::test]
async fn a_streamed_put_says_its_length_and_hash() {
    let (endpoint, server) = fake_s3(|_| ("200 OK", String::new())).await;
    let dir = scratch("put");
    let path = dir.join("src");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let t = target_at(endpoint, "b/p q");
    assert_eq!(t.put_file("f 1+$.age", &path).await.unwrap(), 300_000);
    drop(t);
    let seen = server.await.unwrap();
    let [(head, body)] = &seen[..] else {
        panic!("{seen:?}")
    };
    assert!(
        head.starts_with("put /b/p%20q/f%201%2b%24.age http/1.1\r\n"),
        "{head}"
    );
    assert!(head.contains("content-length: 300000\r\n"), "{head}");
    assert!(!head.contains("transfer-encoding"), "{head}");
    let sha = sigv4::sha256_hex(&data);
    assert!(
        head.contains(&format!("x-amz-content-sha256: {sha}\r\n")),
        "{head}"
    );
    assert!(head.contains("signedheaders=host;x-amz-content-sha256;x-amz-date,"));
    assert_eq!(body, &data);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A multipart upload whose second part is refused is aborted, and the store's error
/// comes back. The file is sparse: 65 MiB that take no room.
#[tokio::test]
async fn a_failed_multipart_upload_is_aborted() {
    let (endpoint, server) = fake_s3(|head| {
        let line = head.lines().next().unwrap_or_default();
        if line.starts_with("post /b/big.age?uploads=") {
            (
                "200 OK",
                "<InitiateMultipartUploadResult><UploadId>u-1</UploadId>\
                 </InitiateMultipartUploadResult>"
                    .to_owned(),
            )
        } else if line.starts_with("put /b/big.age?partnumber=1&") {
            ("200 OK\r\netag: \"e1\"", String::new())
        } else if line.starts_with("delete /b/big.age?uploadid=u-1 ") {
            ("204 No Content", String::new())
        } else {
            (
                "500 Internal Server Error",
                "<Error><Code>InternalError</Code><Message>giù</Message></Error>".to_owned(),
            )
        }
    })
    .await;
    let dir = scratch("multipart");
    let path = dir.join("big");
    let size = SINGLE_PUT + 1024 * 1024;
    std::fs::File::create(&path).unwrap().set_len(size).unwrap();
    let t = target_at(endpoint, "b");
    match t.put_file("big.age", &path).await {
        Err(StoreError::S3 {
            status: 500, code, ..
        }) => assert_eq!(code, "InternalError"),
        other => panic!("{other:?}"),
    }
    drop(t);
    let seen = server.await.unwrap();
    let lines: Vec<&str> = seen
        .iter()
        .map(|(h, _)| h.split(" http/1.1").next().unwrap_or_default())
        .collect();
    assert_eq!(
        lines,
        [
            "post /b/big.age?uploads=",
            "put /b/big.age?partnumber=1&uploadid=u-1",
            "put /b/big.age?partnumber=2&uploadid=u-1",
            "delete /b/big.age?uploadid=u-1",
        ]
    );
    assert_eq!(seen[1].1.len() as u64, PART);
    assert_eq!(seen[2].1.len() as u64, PART);
    let _ = std::fs::remove_dir_all(&dir);
}
