//! Folders and a real S3 server (moto, checking every signature as AWS does) behind one
//! `Target`: files of every size back byte for byte, multipart above 64 MiB, listings paged,
//! names refused, the store's errors carried with their code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::path::{Path, PathBuf};

use futures_util::StreamExt;
use objstore::testing::Moto;
use objstore::{StoreError, Target};
use sha2::{Digest, Sha256};

/// A fresh temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let d =
            std::env::temp_dir().join(format!("objstore-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A file of `size` bytes on disk (written 64 KiB at a time) and its SHA-256.
fn file_of(dir: &Path, size: usize) -> (PathBuf, String) {
    let path = dir.join(format!("src-{size}"));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut sha = Sha256::new();
    let mut left = size;
    let mut round = 0u32;
    while left > 0 {
        // A different piece each time, so misplaced parts would show.
        let piece: Vec<u8> = (0..65_536u32)
            .map(|i| (i.wrapping_mul(7).wrapping_add(round) % 253) as u8)
            .collect();
        let n = left.min(piece.len());
        f.write_all(&piece[..n]).unwrap();
        sha.update(&piece[..n]);
        left -= n;
        round += 1;
    }
    f.flush().unwrap();
    (path, hex::encode(sha.finalize()))
}

/// Size and SHA-256 of `name`, read as a stream.
async fn read_back(t: &Target, name: &str) -> (u64, String) {
    let (size, mut s) = t.open(name).await.unwrap().expect(name);
    let mut sha = Sha256::new();
    let mut n = 0u64;
    while let Some(c) = s.next().await {
        let c = c.unwrap();
        n += c.len() as u64;
        sha.update(&c);
    }
    assert_eq!(n, size, "{name}: announced size");
    (n, hex::encode(sha.finalize()))
}

const BIG: usize = 70 * 1024 * 1024 + 3;

/// The listing, with moto's signature checks off meanwhile (see `Moto::check_signatures`:
/// moto cannot check a query with `/` in it).
async fn list(t: &Target, moto: Option<&Moto>) -> Vec<(String, u64)> {
    if let Some(m) = moto {
        m.check_signatures(false).await;
    }
    let listed = t.list().await.unwrap();
    if let Some(m) = moto {
        m.check_signatures(true).await;
    }
    listed
}

async fn exercise(t: &Target, local: &Path, moto: Option<&Moto>) {
    for (size, name) in [
        (0usize, "f-0.age"),
        (1, "f-1.age"),
        (BIG, "f-big.age"),
        // A space, `%20` in the signed path. Not `è` `+` `$` `=` and the like: moto
        // rebuilds the path through werkzeug, which leaves them unencoded where AWS encodes
        // them, and refuses the right signature (sigv4.rs checks `$` against Amazon's own
        // example; s3.rs checks `+` is sent as `%2B`).
        (1000, "con spazio.age"),
    ] {
        let (path, sha) = file_of(local, size);
        assert_eq!(
            t.put_file(name, &path).await.unwrap(),
            size as u64,
            "{name}"
        );
        assert_eq!(read_back(t, name).await, (size as u64, sha), "{name}");
        std::fs::remove_file(path).unwrap();
    }
    assert_eq!(t.get_bytes("f-1.age").await.unwrap().unwrap().len(), 1);

    t.put_bytes("manifest.txt", b"uno".to_vec()).await.unwrap();
    t.put_bytes("manifest.txt", b"due!".to_vec()).await.unwrap();
    assert_eq!(t.get_bytes("manifest.txt").await.unwrap().unwrap(), b"due!");
    assert_eq!(t.get_bytes("nessuno.txt").await.unwrap(), None);
    assert!(t.open("nessuno.txt").await.unwrap().is_none());

    for i in 0..5 {
        t.put_bytes(&format!("p{i}.age"), vec![b'x'; i])
            .await
            .unwrap();
    }
    // Not directly in this folder or prefix: not listed.
    t.child("sotto").put_bytes("x.age", vec![1]).await.unwrap();
    let expected = |skip: &str| -> Vec<(String, u64)> {
        [
            ("con spazio.age", 1000),
            ("f-0.age", 0),
            ("f-1.age", 1),
            ("f-big.age", BIG as u64),
            ("manifest.txt", 4),
            ("p0.age", 0),
            ("p1.age", 1),
            ("p2.age", 2),
            ("p3.age", 3),
            ("p4.age", 4),
        ]
        .into_iter()
        .filter(|(n, _)| *n != skip)
        .map(|(n, s)| (n.to_owned(), s))
        .collect()
    };
    assert_eq!(list(t, moto).await, expected(""));
    t.delete("p0.age").await.unwrap();
    t.delete("p0.age").await.unwrap();
    assert_eq!(t.get_bytes("p0.age").await.unwrap(), None);
    assert_eq!(list(t, moto).await, expected("p0.age"));
    assert_eq!(
        list(&t.child("sotto"), moto).await,
        [("x.age".to_owned(), 1)]
    );
    // A sibling prefix sees nothing of this one.
    assert!(list(&t.child("altro"), moto).await.is_empty());

    let some_file = local.join("qualcosa");
    std::fs::write(&some_file, b"x").unwrap();
    for bad in ["../fuori", "a/b", "", ".nascosto", ".."] {
        let refused = |r: Result<(), StoreError>| {
            assert!(matches!(r, Err(StoreError::BadName(_))), "{bad:?}: {r:?}");
        };
        refused(t.put_bytes(bad, vec![]).await);
        refused(t.put_file(bad, &some_file).await.map(|_| ()));
        refused(t.get_bytes(bad).await.map(|_| ()));
        refused(t.open(bad).await.map(|_| ()));
        refused(t.delete(bad).await);
    }
}

#[tokio::test]
async fn a_folder_holds_files_of_every_size() {
    let dir = TempDir::new("folder");
    let root = dir.0.join("dest");
    let t = Target::Folder(root.clone()).child("ente-1");
    // Listing a folder not made yet: empty.
    assert!(t.list().await.unwrap().is_empty());
    exercise(&t, &dir.0, None).await;
    // No temporary file left behind.
    let left: Vec<String> = std::fs::read_dir(root.join("ente-1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    // A missing source file is an error naming the target and the name.
    let e = t
        .put_file("x.age", &dir.0.join("manca"))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("ente-1") && e.contains("«x.age»"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_s3_bucket_holds_files_of_every_size() {
    let started = std::time::Instant::now();
    let moto = Moto::start_checking_signatures().await;
    let env = moto.env();
    let root = Target::parse("s3://archivio-log/centro", &env).unwrap();
    let Target::S3(s3) = &root else {
        panic!("{root:?}")
    };
    s3.create_bucket().await.unwrap();
    let mut t = root.child("ente-1");
    if let Target::S3(s) = &mut t {
        // Ten files and a sub-prefix: pages of 2 make the listing come in six.
        s.list_page = 2;
    }
    let dir = TempDir::new("s3");
    exercise(&t, &dir.0, Some(&moto)).await;

    // A wrong secret: the store refuses the signature, and says so.
    let wrong = |k: &str| match k {
        "AWS_SECRET_ACCESS_KEY" => Some("non-è-questa".to_owned()),
        _ => env(k),
    };
    let bad = Target::parse("s3://archivio-log/centro", &wrong).unwrap();
    for r in [
        bad.put_bytes("x.age", vec![1]).await,
        bad.get_bytes("manifest.txt").await.map(|_| ()),
    ] {
        match r {
            Err(e @ StoreError::S3 { .. }) => {
                let StoreError::S3 { status, code, .. } = &e else {
                    unreachable!()
                };
                assert_eq!((*status, code.as_str()), (403, "SignatureDoesNotMatch"));
                let msg = e.to_string();
                assert!(
                    msg.contains("s3://archivio-log/centro") && msg.contains("HTTP 403"),
                    "{msg}"
                );
                assert!(msg.contains("SignatureDoesNotMatch"), "{msg}");
            }
            other => panic!("{other:?}"),
        }
    }

    // A bucket that is not there: an error with the store's code, not an absent file.
    let missing = Target::parse("s3://nessun-bucket", &env).unwrap();
    for r in [
        missing.put_bytes("x.age", vec![1]).await,
        missing.get_bytes("x.age").await.map(|_| ()),
    ] {
        match r {
            Err(StoreError::S3 { status, code, .. }) => {
                assert_eq!((status, code.as_str()), (404, "NoSuchBucket"));
            }
            other => panic!("{other:?}"),
        }
    }
    eprintln!("S3 test on moto: {:.1?}", started.elapsed());
}
