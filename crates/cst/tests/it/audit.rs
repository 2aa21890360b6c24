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
}
