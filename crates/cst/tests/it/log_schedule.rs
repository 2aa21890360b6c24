//! Sealed exports to a real S3 server (moto) and by the hourly schedule (issue 13): what lands
//! in the bucket decrypts and verifies as a folder does; a daily schedule exports each whole
//! day once.

use testkit::{backends, Backend};

use crate::log_exports::{decrypt, run, settled, sha256, Settled};
use serde_json::json;

backends!(
    sealed_exports_go_to_an_s3_bucket,
    a_schedule_exports_each_owed_period_once,
);

/// The centre's target is an S3 bucket (a real S3 server: moto): the export, its manifest,
/// signature and signers land there; read back, they decrypt and verify as in a folder.
async fn sealed_exports_go_to_an_s3_bucket(b: Backend) {
    let Settled {
        app,
        abano,
        identity,
        keys,
        ..
    } = settled(b, 30, json!({})).await;
    let moto = objstore::testing::Moto::start().await;
    let env = moto.env();
    let base = objstore::Target::parse("s3://archivio-log/centro", &env).unwrap();
    let objstore::Target::S3(bucket) = &base else {
        unreachable!()
    };
    bucket.create_bucket().await.unwrap();
    let store = app.syslog.as_ref().unwrap().store.clone();
    let today = chrono::Utc::now().date_naive();
    let target = logs::export::entity_target(&base, abano);
    let e = logs::export::export(
        &app.db,
        &store,
        &target,
        &kernel::Actor::system("test"),
        abano,
        today.pred_opt().unwrap(),
        today.succ_opt().unwrap(),
        "api",
    )
    .await
    .unwrap();
    assert_eq!(e.records, 30);
    assert!(e.verified_at.is_some());
    assert_eq!(e.target, format!("s3://archivio-log/centro/ente-{abano}"));
    let names: Vec<String> = target
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "allowed_signers".to_owned(),
            e.file_name.clone(),
            "manifest.txt".to_owned(),
            "manifest.txt.sig".to_owned()
        ]
    );
    // Copied down as they are, the folder verifies and the file decrypts.
    let down = keys.0.join("down");
    std::fs::create_dir_all(&down).unwrap();
    for n in &names {
        let bytes = target.get_bytes(n).await.unwrap().unwrap();
        std::fs::write(down.join(n), bytes).unwrap();
    }
    assert_eq!(
        sha256(&std::fs::read(down.join(&e.file_name)).unwrap()),
        e.sha256
    );
    let (ok, said) = run(&["logs", "verify", down.to_str().unwrap()], &app.testdb.url);
    assert!(ok, "{said}");
    let lines = decrypt(&identity, &std::fs::read(down.join(&e.file_name)).unwrap()).unwrap();
    assert_eq!(lines.len(), 32);
    // The retention reads it back from the bucket, where it is: a purge may go ahead.
    let later = today + chrono::Days::new(400);
    let p = logs::retention::purge(
        &app.db,
        &store,
        &base,
        &kernel::Actor::system("test"),
        abano,
        later,
    )
    .await
    .unwrap();
    assert_eq!(p.map(|p| p.messages), Some(30));
}

/// The hourly round: a daily schedule exports each whole day since the oldest record, once;
/// a later round owes nothing until another day is over.
async fn a_schedule_exports_each_owed_period_once(b: Backend) {
    let Settled {
        app,
        admin,
        abano,
        identity,
        // Held to the end: the identity lives in its folder.
        keys: _keys,
    } = settled(b, 20, json!({"schedule": "daily"})).await;
    let store = app.syslog.as_ref().unwrap().store.clone();
    let base = app.exports();
    // Today is not over: nothing is owed yet.
    let today = chrono::Utc::now().date_naive();
    assert_eq!(
        logs::jobs::round(&app.db, &store, &base, today)
            .await
            .unwrap(),
        (0, 0)
    );
    // Three days on: the records' day and the two after it, one export each.
    let later = today + chrono::Days::new(3);
    let (made, purged) = logs::jobs::round(&app.db, &store, &base, later)
        .await
        .unwrap();
    assert!((2..=4).contains(&made), "{made}");
    assert_eq!(purged, 0);
    assert_eq!(
        logs::jobs::round(&app.db, &store, &base, later)
            .await
            .unwrap(),
        (0, 0)
    );
    let (_, list) = admin
        .get(&format!("/api/v1/entities/{abano}/log-exports"))
        .await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), made);
    assert!(items
        .iter()
        .all(|e| e["made_by"] == "schedule" && e["from"] == e["to"]));
    let records: i64 = items.iter().map(|e| e["records"].as_i64().unwrap()).sum();
    assert_eq!(records, 20);
    let dir = app.testdb.exports.join(format!("ente-{abano}"));
    let (ok, said) = run(&["logs", "verify", dir.to_str().unwrap()], &app.testdb.url);
    assert!(ok, "{said}");
    let with_records = items.iter().find(|e| e["records"] == 20).unwrap();
    let file = dir.join(with_records["file_name"].as_str().unwrap());
    assert_eq!(
        decrypt(&identity, &std::fs::read(file).unwrap())
            .unwrap()
            .len(),
        22
    );
}
