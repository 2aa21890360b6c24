use reqwest::Method;
use serde_json::json;
use testkit::{backends, spawn_app, Backend};

use crate::cli::cst;

backends!(every_change_is_audited_and_tampering_is_named);

async fn every_change_is_audited_and_tampering_is_named(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("admin", "admin", &[]).await;
    let api = app.api(&admin).await;
    let (_, e) = api
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "Comune di Agna"}),
        )
        .await;
    let id = e["id"].as_i64().unwrap();
    api.send_json(
        Method::PATCH,
        &format!("/api/v1/entities/{id}"),
        json!({"servers": 3}),
    )
    .await;
    api.send_json(
        Method::POST,
        &format!("/api/v1/entities/{id}/contacts"),
        json!({"full_name": "Anna"}),
    )
    .await;

    let (s, trail) = api.get(&format!("/api/v1/audit?entity_id={id}")).await;
    assert_eq!(s, 200);
    let actions: Vec<(&str, &str)> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["object_type"].as_str().unwrap(),
                r["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("contact", "create"),
            ("entity", "update"),
            ("entity", "create")
        ]
    );
    let update = &trail[1];
    assert_eq!(update["actor"], format!("user:{}:admin", admin.id));
    let before: serde_json::Value =
        serde_json::from_str(update["before"].as_str().unwrap()).unwrap();
    let after: serde_json::Value = serde_json::from_str(update["after"].as_str().unwrap()).unwrap();
    assert_eq!(
        (before["servers"].as_i64(), after["servers"].as_i64()),
        (Some(0), Some(3))
    );
    // The user record in the trail never carries the password hash.
    let (_, users) = api.get("/api/v1/audit?object_type=user").await;
    assert!(!users.to_string().contains("argon2"));

    let url = app.testdb.url.clone();
    let ok = cst(&["--database", &url, "audit", "verify"], None);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("audit chain intact"));

    // Edit a record: named.
    let exec = |sql: &'static str| {
        let db = app.db.clone();
        async move { sqlx::query(sql).execute(db.pool()).await.unwrap() }
    };
    exec("UPDATE audit_log SET after_json = '{\"servers\": 99}' WHERE seq = 3").await;
    let bad = cst(&["--database", &url, "audit", "verify"], None);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("record 3") && err.contains("edited"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one-line reason: {err}");

    // A deleted record is named too (on a fresh chain: verify stops at the first bad record).
    let fresh = spawn_app(b).await;
    for n in 0..4 {
        members::store::create(
            &fresh.db,
            &kernel::Actor::system("t"),
            &members::EntityDraft {
                name: format!("Ente {n}"),
                ..Default::default()
            }
            .parse()
            .unwrap(),
        )
        .await
        .unwrap();
    }
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(fresh.db.pool())
        .await
        .unwrap();
    let out = cst(&["--database", &fresh.testdb.url, "audit", "verify"], None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("record 3") && err.contains("deleted or reordered"),
        "{err}"
    );

    // Deleting the last records and rewriting the head fools the chain alone; a checkpoint
    // kept outside the database does not.
    let dir = std::env::temp_dir().join(format!("cst-audit-{}-{b:?}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cp = dir.join("checkpoint.json");
    let tail = spawn_app(b).await;
    for n in 0..3 {
        tail.entity(&format!("Ente {n}"), None).await;
    }
    let out = cst(
        &[
            "--database",
            &tail.testdb.url,
            "audit",
            "checkpoint",
            "--out",
            cp.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = cst(
        &["--database", &tail.testdb.url, "audit", "checkpoint"],
        None,
    );
    let line: serde_json::Value =
        serde_json::from_slice(&printed.stdout).expect("one JSON line on standard output");
    assert_eq!(line["format"], "cst-audit-checkpoint");
    let verify = |db: &str| {
        cst(
            &[
                "--database",
                db,
                "audit",
                "verify",
                "--checkpoint",
                cp.to_str().unwrap(),
            ],
            None,
        )
    };
    let out = verify(&tail.testdb.url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("matches the checkpoint"));
    let last: i64 = sqlx::query_scalar("SELECT MAX(seq) FROM audit_log")
        .fetch_one(tail.db.pool())
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM audit_log WHERE seq = {last}"
    )))
    .execute(tail.db.pool())
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE audit_head SET seq = {p}, hash = (SELECT hash FROM audit_log WHERE seq = {p}) WHERE id = 1",
        p = last - 1
    )))
    .execute(tail.db.pool())
    .await
    .unwrap();
    let alone = cst(&["--database", &tail.testdb.url, "audit", "verify"], None);
    assert!(alone.status.success(), "the chain alone cannot see it");
    let out = verify(&tail.testdb.url);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("record {last}")) && err.contains("missing"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);

    // The API's page size is bounded and says so.
    let (s, p) = api.get("/api/v1/audit?limit=100000").await;
    assert_eq!(
        (s, p["errors"][0]["field"].as_str()),
        (422, Some("limit")),
        "{p}"
    );
    let (s, _) = api.get("/api/v1/audit?limit=0").await;
    assert_eq!(s, 422);
    let (s, page) = api.get("/api/v1/audit?limit=2").await;
    assert_eq!((s, page.as_array().unwrap().len()), (200, 2));
}
