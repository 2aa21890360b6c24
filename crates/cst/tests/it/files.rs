//! The file store (issue 9): bytes as BLOB/bytea by SHA-256, in chunks, kept once, streamed
//! back, checked against their hash; the migration and old archives that held base64 text.

use std::io::{BufRead, Write};

use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use testkit::{backends, spawn_app, Backend, TestDb};

use crate::cli::cst;

backends!(
    files_are_kept_once_in_chunks_and_streamed_back_whole,
    an_altered_file_is_refused_never_served,
    the_migration_moves_base64_attachments_into_the_store,
    an_archive_from_before_the_file_store_restores_its_attachments,
);

/// Bytes that do not repeat (so no chunk equals another), `n` long.
fn content(n: usize, seed: u8) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    let mut block = Sha256::digest([seed]);
    while out.len() < n {
        out.extend_from_slice(&block);
        block = Sha256::digest(block);
    }
    out.truncate(n);
    out
}

async fn ticket(api: &testkit::Api, entity: i64, subject: &str) -> i64 {
    let (s, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            json!({"entity_id": entity, "subject": subject, "priority": "low", "channel": "phone"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    t["id"].as_i64().unwrap()
}

async fn upload(api: &testkit::Api, ticket: i64, name: &str, bytes: &[u8]) -> Value {
    let r = api
        .request(
            Method::POST,
            &format!("/api/v1/tickets/{ticket}/attachments?filename={name}"),
        )
        .header("content-type", "application/pdf")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

async fn count(db: &db::Db, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn files_are_kept_once_in_chunks_and_streamed_back_whole(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("admin", "admin", &[]).await;
    let api = app.api(&admin).await;
    let e = app.entity("Comune di Agna", None).await;
    let (t1, t2) = (
        ticket(&api, e.id, "Primo").await,
        ticket(&api, e.id, "Secondo").await,
    );
    // Two chunks and a part: 256 KiB + 256 KiB + 100,000 bytes.
    let bytes = content(2 * db::files::CHUNK + 100_000, 1);
    let a = upload(&api, t1, "verbale.pdf", &bytes).await;
    let sha = hex::encode(Sha256::digest(&bytes));
    assert_eq!(a["sha256"], sha);
    assert_eq!(a["size"], bytes.len());
    // The same document on another ticket, under another name: one copy in the store.
    let a2 = upload(&api, t2, "copia.pdf", &bytes).await;
    assert_eq!(a2["sha256"], sha);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM files").await, 1);
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM file_chunks").await, 3);
    let sizes: Vec<i64> = sqlx::query_scalar(
        "SELECT CAST(LENGTH(data) AS BIGINT) FROM file_chunks c JOIN files f ON f.id = c.file_id \
         WHERE f.sha256 = $1 ORDER BY seq",
    )
    .bind(&sha)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(sizes, vec![262_144, 262_144, 100_000]);
    // The bytes are bytes, not text: no base64 anywhere.
    let first: Vec<u8> = sqlx::query_scalar("SELECT data FROM file_chunks WHERE seq = 0")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(first, bytes[..db::files::CHUNK]);

    for (t, id, name) in [(t1, &a["id"], "verbale.pdf"), (t2, &a2["id"], "copia.pdf")] {
        let r = api
            .request(
                Method::GET,
                &format!("/api/v1/tickets/{t}/attachments/{id}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.headers()["content-length"].to_str().unwrap(),
            bytes.len().to_string()
        );
        assert!(r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(name));
        assert_eq!(r.bytes().await.unwrap().as_ref(), bytes.as_slice());
    }
    // A small file is one chunk; a file that is a whole number of chunks has no empty one.
    let exact = content(db::files::CHUNK, 2);
    upload(&api, t1, "esatto.bin", &exact).await;
    assert_eq!(count(&app.db, "SELECT COUNT(*) FROM file_chunks").await, 4);
    // The audit record of the attachment names the file by hash.
    let audited = count(
        &app.db,
        &format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'attach' AND after_json LIKE '%{sha}%'"
        ),
    )
    .await;
    assert_eq!(audited, 2);

    let out = cst(&["audit", "verify", "--database", &app.testdb.url], None);
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("files intact: 2 checked"),
        "{out:?}"
    );
}

async fn an_altered_file_is_refused_never_served(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("admin", "admin", &[]).await;
    let api = app.api(&admin).await;
    let e = app.entity("Comune di Agna", None).await;
    let t = ticket(&api, e.id, "Allegato").await;
    let bytes = content(db::files::CHUNK + 10, 3);
    let a = upload(&api, t, "delibera.pdf", &bytes).await;
    let path = format!("/api/v1/tickets/{t}/attachments/{}", a["id"]);
    // Someone with access to the database rewrites the second chunk.
    let mut forged = bytes[db::files::CHUNK..].to_vec();
    forged[0] ^= 1;
    sqlx::query("UPDATE file_chunks SET data = $1 WHERE seq = 1")
        .bind(forged)
        .execute(app.db.pool())
        .await
        .unwrap();
    let (s, p) = api.get(&path).await;
    assert_eq!(s, 409, "{p}");
    assert_eq!(p["code"], "file_altered");
    assert!(
        p["detail"].as_str().unwrap().contains("è stato alterato"),
        "{p}"
    );
    let browser = app.browser("admin").await;
    let (s, html) = browser
        .get(&format!("/tickets/{t}/attachments/{}", a["id"]))
        .await;
    assert_eq!(s, 409);
    assert!(html.contains("è stato alterato"), "{html}");
    let out = cst(&["audit", "verify", "--database", &app.testdb.url], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 of 1 stored files no longer match their SHA-256")
            && err.contains(a["sha256"].as_str().unwrap()),
        "{err}"
    );
    // Uploading the original again repairs the stored copy: both attachments read whole.
    let again = upload(&api, t, "delibera-originale.pdf", &bytes).await;
    assert_eq!(again["sha256"], a["sha256"]);
    for id in [&a["id"], &again["id"]] {
        let r = api
            .request(
                Method::GET,
                &format!("/api/v1/tickets/{t}/attachments/{id}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.bytes().await.unwrap().as_ref(), bytes.as_slice());
    }
    // A chunk removed reads as altered too.
    sqlx::query("DELETE FROM file_chunks WHERE seq = 1")
        .execute(app.db.pool())
        .await
        .unwrap();
    assert_eq!(api.get(&path).await.0, 409);
}

async fn the_migration_moves_base64_attachments_into_the_store(b: Backend) {
    let tdb = TestDb::new(b).await;
    let db = db::Db::connect(&tdb.url).await.unwrap();
    db.migrate_up_to(15).await.unwrap();
    // As the program of migration 15 kept them: the content as base64 text in the row.
    let now = "2026-11-20T10:00:00.000000Z";
    sqlx::query(
        "INSERT INTO entities (id, name, kind, created_at, updated_at) VALUES (1, 'Comune di Agna', 'comune', $1, $1)",
    )
    .bind(now)
    .execute(db.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO tickets (id, year, seq, number, entity_id, subject, priority, channel, state, \
         received_at, take_charge_due_at, created_by, created_at, updated_at) \
         VALUES (1, 2026, 1, '2026/000001', 1, 'Stampante', 'low', 'phone', 'new', $1, $1, 'x', $1, $1)",
    )
    .bind(now)
    .execute(db.pool())
    .await
    .unwrap();
    let files = [
        content(3 * db::files::CHUNK + 7, 4),
        b"relazione".to_vec(),
        content(3 * db::files::CHUNK + 7, 4),
    ];
    for (i, f) in files.iter().enumerate() {
        sqlx::query(
            "INSERT INTO ticket_attachments (ticket_id, filename, content_type, size, sha256, \
             content_b64, created_by, created_at) VALUES (1, $1, 'application/pdf', $2, $3, $4, 'x', $5)",
        )
        .bind(format!("file-{i}.pdf"))
        .bind(f.len() as i64)
        .bind(hex::encode(Sha256::digest(f)))
        .bind(base64::engine::general_purpose::STANDARD.encode(f))
        .bind(now)
        .execute(db.pool())
        .await
        .unwrap();
    }
    assert_eq!(db.migrate().await.unwrap().first(), Some(&16));
    // Two distinct contents, the first one in four chunks.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM files").await, 2);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM file_chunks").await, 5);
    let actor = kernel::Actor::system("test");
    for (i, f) in files.iter().enumerate() {
        let (meta, reader) = helpdesk::attachments::fetch(&db, &actor, 1, i as i64 + 1)
            .await
            .unwrap();
        assert_eq!(meta.filename, format!("file-{i}.pdf"));
        assert_eq!(&reader.read_all().await.unwrap(), f);
    }
    // The base64 column is gone.
    assert!(sqlx::query("SELECT content_b64 FROM ticket_attachments")
        .fetch_all(db.pool())
        .await
        .is_err());
    db.close().await;
}

/// Rewrites a current archive as cst made it before the file store (schema 15): no `files`
/// nor `file_chunks`, each attachment's content as base64 text in its row.
fn as_schema_15(archive: &[u8], contents: &std::collections::HashMap<String, Vec<u8>>) -> Vec<u8> {
    let lines: Vec<String> = std::io::BufReader::new(flate2::read::GzDecoder::new(archive))
        .lines()
        .map(Result::unwrap)
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut header: Value = serde_json::from_str(&lines[0]).unwrap();
    header["schema_version"] = json!(15);
    out.push(header.to_string());
    let mut i = 1;
    let mut trailer: Value = Value::Null;
    while i < lines.len() {
        let l: Value = serde_json::from_str(&lines[i]).unwrap();
        if l.get("end").is_some() {
            trailer = l;
            break;
        }
        let table = l["table"].as_str().unwrap().to_owned();
        let rows = l["rows"].as_u64().unwrap() as usize;
        let body = &lines[i + 1..i + 1 + rows];
        i += 1 + rows;
        match table.as_str() {
            "files" | "file_chunks" => continue,
            "ticket_attachments" => {
                let mut h = l.clone();
                let cols = h["columns"].as_array_mut().unwrap();
                let sha_at = cols.iter().position(|c| c == "sha256").unwrap();
                cols.push(json!("content_b64"));
                out.push(h.to_string());
                for r in body {
                    let mut row: Vec<Value> = serde_json::from_str(r).unwrap();
                    let bytes = &contents[row[sha_at].as_str().unwrap()];
                    row.push(json!(
                        base64::engine::general_purpose::STANDARD.encode(bytes)
                    ));
                    out.push(serde_json::to_string(&row).unwrap());
                }
            }
            _ => {
                out.push(lines[i - 1 - rows].clone());
                out.extend(body.iter().cloned());
            }
        }
    }
    let tables = trailer["tables"].as_object_mut().unwrap();
    tables.remove("files");
    tables.remove("file_chunks");
    let mut hash = Sha256::new();
    for l in &out {
        hash.update(l.as_bytes());
        hash.update(b"\n");
    }
    trailer["sha256"] = json!(hex::encode(hash.finalize()));
    out.push(trailer.to_string());
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for l in &out {
        gz.write_all(l.as_bytes()).unwrap();
        gz.write_all(b"\n").unwrap();
    }
    gz.finish().unwrap()
}

async fn an_archive_from_before_the_file_store_restores_its_attachments(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("admin", "admin", &[]).await;
    let api = app.api(&admin).await;
    let e = app.entity("Comune di Agna", None).await;
    let t = ticket(&api, e.id, "Allegati").await;
    let big = content(db::files::CHUNK * 2 + 1, 5);
    let small = b"verbale di sopralluogo".to_vec();
    let a1 = upload(&api, t, "grande.pdf", &big).await;
    let a2 = upload(&api, t, "piccolo.pdf", &small).await;
    let mut archive = Vec::new();
    db::backup::dump(&app.db, &mut archive).await.unwrap();
    let contents = [&big, &small]
        .into_iter()
        .map(|c| (hex::encode(Sha256::digest(c)), c.clone()))
        .collect();
    let old = as_schema_15(&archive, &contents);

    let target = TestDb::new(b).await;
    let db = target.connect().await;
    let summary = db::backup::restore(&db, old.as_slice()).await.unwrap();
    assert_eq!(summary["ticket_attachments"], 2);
    assert!(!summary.contains_key("files"));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM files").await, 2);
    let actor = kernel::Actor::system("test");
    for (a, c) in [(&a1, &big), (&a2, &small)] {
        let (_, reader) = helpdesk::attachments::fetch(&db, &actor, t, a["id"].as_i64().unwrap())
            .await
            .unwrap();
        assert_eq!(&reader.read_all().await.unwrap(), c);
    }
    // A new file after the restore gets a fresh row id (the sequence was moved on).
    let mut tx = db.write().await.unwrap();
    db::files::put(&mut tx, b"dopo il ripristino")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM files").await, 3);
    db.close().await;
}
