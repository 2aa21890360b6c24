//! Folders and a real S3 server (moto) behind one `Target`: files of every size back
//! byte for byte, multipart above 16 MiB, listings paged, the store's errors carried.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;

use futures_util::StreamExt;
use objstore::testing::Moto;
use objstore::{StoreError, Target};
use sha2::{Digest, Sha256};

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("objstore-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A file of `size` bytes on disk (written in pieces) and its SHA-256.
fn file_of(dir: &std::path::Path, size: usize) -> (std::path::PathBuf, String) {
    let path = dir.join(format!("src-{size}"));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut sha = Sha256::new();
    let piece: Vec<u8> = (0..65_536u32).map(|i| (i * 7 % 253) as u8).collect();
    let mut left = size;
    while left > 0 {
        let n = left.min(piece.len());
        f.write_all(&piece[..n]).unwrap();
        sha.update(&piece[..n]);
        left -= n;
    }
    f.flush().unwrap();
    (path, hex::encode(sha.finalize()))
}

async fn read_back(t: &Target, name: &str) -> (u64, String) {
    let (size, mut s) = t.open(name).await.unwrap().unwrap();
    let mut sha = Sha256::new();
    let mut n = 0u64;
    while let Some(c) = s.next().await {
        let c = c.unwrap();
        n += c.len() as u64;
        sha.update(&c);
    }
    assert_eq!(n, size);
    (n, hex::encode(sha.finalize()))
}

async fn exercise(t: &Target, local: &std::path::Path) {
    for size in [0usize, 1, 70 * 1024 * 1024 + 3] {
        let (path, sha) = file_of(local, size);
        let name = format!("f-{size}.age");
        assert_eq!(t.put_file(&name, &path).await.unwrap(), size as u64);
        assert_eq!(read_back(t, &name).await, (size as u64, sha));
        std::fs::remove_file(path).unwrap();
    }
    t.put_bytes("manifest.txt", b"uno".to_vec()).await.unwrap();
    t.put_bytes("manifest.txt", b"due".to_vec()).await.unwrap();
    assert_eq!(t.get_bytes("manifest.txt").await.unwrap().unwrap(), b"due");
    assert_eq!(t.get_bytes("nessuno.txt").await.unwrap(), None);
    assert!(t.open("nessuno.txt").await.unwrap().is_none());
    for i in 0..5 {
        t.put_bytes(&format!("p{i}.age"), vec![b'x'; i])
            .await
            .unwrap();
    }
    let names: Vec<(String, u64)> = t.list().await.unwrap();
    assert_eq!(
        names,
        vec![
            ("f-0.age".to_owned(), 0),
            ("f-1.age".to_owned(), 1),
            ("f-73400323.age".to_owned(), 73_400_323),
            ("manifest.txt".to_owned(), 3),
            ("p0.age".to_owned(), 0),
            ("p1.age".to_owned(), 1),
            ("p2.age".to_owned(), 2),
            ("p3.age".to_owned(), 3),
            ("p4.age".to_owned(), 4),
        ]
    );
    t.delete("p0.age").await.unwrap();
    t.delete("p0.age").await.unwrap();
    assert_eq!(t.list().await.unwrap().len(), 8);
    assert!(matches!(
        t.put_bytes("../fuori", vec![]).await,
        Err(StoreError::BadName(_))
    ));
    // A sibling prefix sees nothing of this one.
    assert!(t.child("altro").list().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_folder_holds_files_of_every_size() {
    let dir = tmp("folder");
    let t = Target::Folder(dir.join("dest"));
    exercise(&t.child("ente-1"), &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn an_s3_bucket_holds_files_of_every_size() {
    let moto = Moto::start().await;
    let env = moto.env();
    let root = Target::parse("s3://archivio-log/centro", &env).unwrap();
    let Target::S3(s3) = &root else { panic!() };
    s3.create_bucket().await.unwrap();
    let mut t = root.child("ente-1");
    if let Target::S3(s) = &mut t {
        s.list_page = 2;
    }
    let dir = tmp("s3");
    exercise(&t, &dir).await;

    // The store's refusals come back with its code. (moto does not check signatures unless
    // its IAM is set up; the signing itself is checked against Amazon's published example in
    // `sigv4.rs`.)
    let missing = Target::parse("s3://nessun-bucket", &env).unwrap();
    match missing.put_bytes("x.age", vec![1]).await {
        Err(StoreError::S3 { status, code, .. }) => {
            assert_eq!((status, code.as_str()), (404, "NoSuchBucket"));
        }
        other => panic!("{other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
