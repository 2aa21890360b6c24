use reqwest::Method;
use serde_json::json;
use sqlx::Row;
use testkit::{backends, spawn_app, Backend, TestDb};

use crate::cli::cst;

backends!(backup_of_a_running_instance_moves_to_the_other_database_and_back);

async fn dump(db: &db::Db) -> Vec<String> {
    let mut out = Vec::new();
    for (table, order) in db::backup::TABLES {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM {table} ORDER BY {order}"
        )))
        .fetch_all(db.pool())
        .await
        .unwrap();
        for r in rows {
            let vals: Vec<String> = (0..r.len())
                .map(|i| {
                    r.try_get::<Option<i64>, _>(i)
                        .map(|v| format!("{v:?}"))
                        .or_else(|_| r.try_get::<Option<String>, _>(i).map(|v| format!("{v:?}")))
                        .unwrap()
                })
                .collect();
            out.push(format!("{table}: {}", vals.join("|")));
        }
    }
    out
}

async fn backup_of_a_running_instance_moves_to_the_other_database_and_back(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("admin", "admin", &[]).await;
    let api = app.api(&admin).await;
    for (name, istat) in [
        ("Comune di Agna", "028002"),
        ("Comune di Arquà Petrarca", "028005"),
    ] {
        let (s, e) = api
            .send_json(
                Method::POST,
                "/api/v1/entities",
                json!({"name": name, "istat_code": istat, "notes": "àèìòù €"}),
            )
            .await;
        assert_eq!(s, 201);
        api.send_json(
            Method::POST,
            &format!("/api/v1/entities/{}/contacts", e["id"]),
            json!({"full_name": "Referente"}),
        )
        .await;
    }
    app.user("referente", "contact", &[1]).await;
    let original = dump(&app.db).await;

    let dir = std::env::temp_dir().join(format!("cst-backup-{}-{:?}", std::process::id(), b));
    std::fs::create_dir_all(&dir).unwrap();
    let archive = dir.join("one.cstbak");
    let out = cst(
        &[
            "backup",
            "--out",
            archive.to_str().unwrap(),
            "--database",
            &app.testdb.url,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Into the other kind of database, and back again.
    let other = if b == Backend::Sqlite {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let moved = TestDb::new(other).await;
    let out = cst(
        &[
            "restore",
            archive.to_str().unwrap(),
            "--database",
            &moved.url,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("audit chain intact"));
    let moved_db = moved.connect().await;
    assert_eq!(
        dump(&moved_db).await,
        original,
        "{b:?} -> {other:?} changed the data"
    );
    // The moved instance keeps working: new ids do not collide, the chain goes on.
    let e = members::store::create(
        &moved_db,
        &kernel::Actor::system("t"),
        &members::EntityDraft {
            name: "Nuovo".into(),
            ..Default::default()
        }
        .parse()
        .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(e.id, 3);
    assert!(db::audit::verify(&moved_db).await.is_ok());
    // The same password still logs in.
    assert!(
        accounts::store::authenticate(&moved_db, "admin", testkit::PASSWORD)
            .await
            .is_ok()
    );

    let back_archive = dir.join("two.cstbak");
    let out = cst(
        &[
            "backup",
            "--out",
            back_archive.to_str().unwrap(),
            "--database",
            &moved.url,
        ],
        None,
    );
    assert!(out.status.success());
    let back = TestDb::new(b).await;
    let out = cst(
        &[
            "restore",
            back_archive.to_str().unwrap(),
            "--database",
            &back.url,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back_db = back.connect().await;
    assert_eq!(dump(&back_db).await, dump(&moved_db).await);

    // A second restore into a database with data is refused and changes nothing.
    let out = cst(
        &[
            "restore",
            archive.to_str().unwrap(),
            "--database",
            &back.url,
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    assert_eq!(dump(&back_db).await, dump(&moved_db).await);

    // A damaged archive is refused and leaves the target empty.
    let bytes = std::fs::read(&archive).unwrap();
    let cut = dir.join("cut.cstbak");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let empty = TestDb::new(b).await;
    let out = cst(
        &["restore", cut.to_str().unwrap(), "--database", &empty.url],
        None,
    );
    assert!(!out.status.success());
    let empty_db = empty.connect().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entities")
        .fetch_one(empty_db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn backup_covers_every_table() {
    let sql: String = db::migrations()
        .iter()
        .map(|m| m.render(db::Backend::Sqlite))
        .collect();
    let mut created: Vec<String> = sql
        .lines()
        .filter_map(|l| l.trim().strip_prefix("CREATE TABLE "))
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect();
    created.sort();
    let mut covered: Vec<String> = db::backup::TABLES
        .iter()
        .map(|(t, _)| (*t).to_owned())
        .chain(
            db::backup::SKIPPED
                .iter()
                .filter(|t| **t != "schema_migrations")
                .map(|t| (*t).to_owned()),
        )
        .collect();
    covered.sort();
    assert_eq!(
        created, covered,
        "a table is neither backed up nor deliberately skipped"
    );
}
