//! Sealed exports and retention of the system logs (issue 13): an entity's records exported
//! into a file encrypted for its age recipients (decrypted here by Debian's `age`), the SHA-256
//! recorded, the folder's manifest chained and signed by the centre's key (checked by
//! `ssh-keygen -Y verify` and by `cst logs verify DIR`, which names every altered, missing or
//! unlisted file); the command-line export; the retention's purge, only of what verified
//! exports cover, audited, the chain still verifying after it.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, Backend, TestApp};

use crate::logs::{committed, entity, receiving, tcp_send, verify};

backends!(
    sealed_exports_decrypt_with_age_and_verify_with_ssh_keygen,
    retention_purges_only_what_verified_exports_cover,
);

/// An age identity made by Debian's `age-keygen`, and its recipient.
pub(crate) fn age_key(dir: &Path, name: &str) -> (PathBuf, String) {
    let file = dir.join(format!("{name}.key"));
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(&file)
        .output()
        .expect("age is installed by scripts/install-test-deps.sh");
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&file).unwrap();
    let recipient = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_owned();
    (file, recipient)
}

/// Decrypts with Debian's `age` and un-gzips: the export's JSON lines.
pub(crate) fn decrypt(identity: &Path, sealed: &[u8]) -> Result<Vec<Value>, String> {
    let mut child = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(identity)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(sealed).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let mut text = String::new();
    flate2::read::GzDecoder::new(&out.stdout[..])
        .read_to_string(&mut text)
        .unwrap();
    Ok(text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect())
}

pub(crate) fn run(args: &[&str], db: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cst"))
        .args(args)
        .env("CST_DATABASE_URL", db)
        .env("CST_LOG", "error")
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Days around now: records received now fall in `[before, after]` whatever the time zone.
pub(crate) fn days_around_now() -> (String, String) {
    let today = chrono::Utc::now().date_naive();
    (
        today.pred_opt().unwrap().to_string(),
        today.succ_opt().unwrap().to_string(),
    )
}

/// An app receiving syslog whose clock stands three days ahead (so today's records are in a
/// past, exportable period), an entity with a source, and `n` messages of which some are
/// access events.
pub(crate) async fn app_with_records(b: Backend, n: usize) -> (TestApp, testkit::Api, i64) {
    let app = receiving(b, None).await;
    app.clock
        .set(chrono::Utc::now() + chrono::Duration::days(3));
    let tcp = app.syslog.as_ref().unwrap().bound.tcp.unwrap();
    let admin = app.api(&app.user("capo", "admin", &[]).await).await;
    let abano = entity(&admin, "Comune di Abano Terme").await;
    let (s, src) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-sources"),
            json!({"name": "Server anagrafe", "address": "127.0.0.0/8"}),
        )
        .await;
    assert_eq!(s, 201, "{src}");
    let mut all = Vec::new();
    for i in 0..n {
        let line = if i % 10 == 0 {
            format!("<38>Dec  4 10:00:01 srv-anagrafe sshd[811]: Accepted password for mrossi from 10.0.0.5 port {} ssh2\n", 50000 + i)
        } else {
            format!("<13>Dec  4 10:00:00 srv-anagrafe app: messaggio «{i}» perché sì\n")
        };
        all.extend(line.into_bytes());
    }
    tcp_send(tcp, &all).await;
    committed(&admin, n as u64).await;
    (app, admin, abano)
}

/// A folder of age keys made for a test, removed with it.
pub(crate) struct Keys(pub PathBuf);

impl Keys {
    pub(crate) fn new() -> Keys {
        let dir = std::env::temp_dir().join(format!("cst-age-{}", testkit::unique()));
        std::fs::create_dir_all(&dir).unwrap();
        Keys(dir)
    }
}

impl Drop for Keys {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An app with `n` records of an entity whose log settings are `settings` with one recipient
/// made here (its identity decrypts the exports).
pub(crate) struct Settled {
    pub app: TestApp,
    pub admin: testkit::Api,
    pub abano: i64,
    pub identity: PathBuf,
    pub keys: Keys,
}

pub(crate) async fn settled(b: Backend, n: usize, mut settings: Value) -> Settled {
    let keys = Keys::new();
    let (identity, recipient) = age_key(&keys.0, "titolare");
    let (app, admin, abano) = app_with_records(b, n).await;
    settings["recipients"] = json!([recipient]);
    let (s, set) = admin
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{abano}/log-settings"),
            settings,
        )
        .await;
    assert_eq!(s, 200, "{set}");
    Settled {
        app,
        admin,
        abano,
        identity,
        keys,
    }
}

async fn sealed_exports_decrypt_with_age_and_verify_with_ssh_keygen(b: Backend) {
    let keys = std::env::temp_dir().join(format!("cst-age-{}", testkit::unique()));
    std::fs::create_dir_all(&keys).unwrap();
    let (id_titolare, r_titolare) = age_key(&keys, "titolare");
    let (id_delegato, r_delegato) = age_key(&keys, "delegato");
    let (id_estraneo, _) = age_key(&keys, "estraneo");
    let (app, admin, abano) = app_with_records(b, 120).await;
    let (from, to) = days_around_now();

    // No recipients yet: nothing to encrypt for.
    let (s, none) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-exports"),
            json!({"from": from, "to": to}),
        )
        .await;
    assert_eq!(s, 422, "{none}");
    assert_eq!(none["errors"][0]["field"], "recipients", "{none}");

    // Settings: wrong recipients and a retention under six months are refused, each named.
    let (s, bad) = admin
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{abano}/log-settings"),
            json!({"recipients": [r_titolare, "age1sbagliato"], "schedule": "ogni tanto", "retention_days": 30}),
        )
        .await;
    assert_eq!(s, 422, "{bad}");
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["recipients[1]", "schedule", "retention_days"],
        "{bad}"
    );
    let (s, set) = admin
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{abano}/log-settings"),
            json!({"recipients": [r_titolare, r_delegato], "retention_days": 200}),
        )
        .await;
    assert_eq!(s, 200, "{set}");
    assert_eq!(set["retention_days"], 200);

    // A period not over, or upside down, is refused.
    let (s, open) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-exports"),
            json!({"from": from, "to": "2099-01-01"}),
        )
        .await;
    assert_eq!(s, 422, "{open}");
    let (s, upside) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-exports"),
            json!({"from": to, "to": from}),
        )
        .await;
    assert_eq!(s, 422, "{upside}");

    let (s, e1) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-exports"),
            json!({"from": from, "to": to}),
        )
        .await;
    assert_eq!(s, 201, "{e1}");
    assert_eq!(e1["records"], 120, "{e1}");
    assert!(e1["verified_at"].is_string(), "{e1}");
    assert_eq!(e1["manifest_seq"], 1);

    // The file as the API serves it: its hash is the one recorded; both recipients decrypt it,
    // nobody else does; it holds every record, raw text and access event, and its trailer.
    let r = admin
        .request(
            Method::GET,
            &format!("/api/v1/log-exports/{}/file", e1["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let sealed = r.bytes().await.unwrap().to_vec();
    assert_eq!(sha256(&sealed), e1["sha256"].as_str().unwrap());
    assert_eq!(sealed.len() as i64, e1["bytes"].as_i64().unwrap());
    assert!(sealed.starts_with(b"age-encryption.org/v1\n"));
    let lines = decrypt(&id_titolare, &sealed).unwrap();
    assert_eq!(decrypt(&id_delegato, &sealed).unwrap(), lines);
    assert!(decrypt(&id_estraneo, &sealed).is_err());
    assert_eq!(lines.len(), 122);
    assert_eq!(lines[0]["format"], "cst-log-export");
    assert_eq!(lines[0]["entity_id"], abano);
    assert_eq!(lines[121], json!({"end": true, "records": 120}));
    assert_eq!(lines[1]["hostname"], "srv-anagrafe");
    assert_eq!(lines[1]["peer"], "127.0.0.1");
    assert_eq!(lines[1]["transport"], "tcp");
    assert_eq!(lines[1]["access"]["user"], "mrossi", "{}", lines[1]);
    assert_eq!(lines[1]["access"]["outcome"], "success");
    assert!(lines[2]["text"]
        .as_str()
        .unwrap()
        .contains("messaggio «1» perché sì"));
    assert!(lines[2]["access"].is_null());

    // A second export goes on the same manifest.
    let (s, e2) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-exports"),
            json!({"from": from, "to": from}),
        )
        .await;
    assert_eq!(s, 201, "{e2}");
    assert_eq!(e2["manifest_seq"], 2);
    let (s, list) = admin
        .get(&format!("/api/v1/entities/{abano}/log-exports"))
        .await;
    assert_eq!((s, list["items"].as_array().unwrap().len()), (200, 2));

    // The folder checks out by hand and by `cst logs verify DIR`.
    let dir = app.testdb.exports.join(format!("ente-{abano}"));
    let manifest = std::fs::read(dir.join("manifest.txt")).unwrap();
    let ssh = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(dir.join("allowed_signers"))
        .args(["-I", "cst-centre", "-n", "cst-log-export", "-s"])
        .arg(dir.join("manifest.txt.sig"))
        .stdin(std::fs::File::open(dir.join("manifest.txt")).unwrap())
        .output()
        .expect("ssh-keygen is installed by scripts/install-test-deps.sh");
    assert!(ssh.status.success(), "{ssh:?}");
    let text = String::from_utf8(manifest).unwrap();
    assert!(text.contains(e1["sha256"].as_str().unwrap()), "{text}");
    let (s, key) = admin.get("/api/v1/logs/signing-key").await;
    assert_eq!(s, 200, "{key}");
    let key_file = keys.join("centre.pub");
    std::fs::write(&key_file, key["public_key"].as_str().unwrap()).unwrap();
    let folder = dir.to_str().unwrap();
    let (ok, said) = run(
        &[
            "logs",
            "verify",
            folder,
            "--key",
            key_file.to_str().unwrap(),
        ],
        &app.testdb.url,
    );
    assert!(ok, "{said}");
    assert!(said.contains("2 file(s)"), "{said}");

    // Tampering: a changed byte, a removed file, an unlisted file, each named.
    let f1 = dir.join(e1["file_name"].as_str().unwrap());
    let mut bytes = std::fs::read(&f1).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&f1, &bytes).unwrap();
    std::fs::remove_file(dir.join(e2["file_name"].as_str().unwrap())).unwrap();
    std::fs::write(dir.join("intruso.age"), b"x").unwrap();
    let (ok, said) = run(&["logs", "verify", folder], &app.testdb.url);
    assert!(!ok, "{said}");
    for named in [
        e1["file_name"].as_str().unwrap(),
        e2["file_name"].as_str().unwrap(),
        "intruso.age",
    ] {
        assert!(said.contains(named), "{named} not named in: {said}");
    }
    // Another key than the centre's: the signature does not hold.
    let other = keys.join("other");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&other)
        .status()
        .unwrap();
    assert!(made.success());
    let (ok, said) = run(
        &[
            "logs",
            "verify",
            folder,
            "--key",
            other.with_extension("pub").to_str().unwrap(),
        ],
        &app.testdb.url,
    );
    assert!(!ok && said.contains("manifest.txt.sig"), "{said}");

    // A manifest edited by hand: nothing more is appended to it.
    std::fs::write(dir.join("manifest.txt"), text.replace("\t120\t", "\t119\t")).unwrap();
    let (s, refused) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-exports"),
            json!({"from": from, "to": from}),
        )
        .await;
    assert_eq!(
        (s, refused["code"].as_str()),
        (409, Some("log_manifest_damaged")),
        "{refused}"
    );

    // The command line (on the real clock: a period not over is refused, so yesterday, which
    // has no records) exports into a folder of its own, with its own manifest.
    let out = keys.join("cli-out");
    let (ok, said) = run(
        &[
            "logs",
            "export",
            "--entity",
            &abano.to_string(),
            "--from",
            &from,
            "--to",
            "2099-12-31",
            "--out",
            out.to_str().unwrap(),
        ],
        &app.testdb.url,
    );
    assert!(!ok && said.contains("giorni conclusi"), "{said}");
    let (ok, said) = run(
        &[
            "logs",
            "export",
            "--entity",
            &abano.to_string(),
            "--from",
            &from,
            "--to",
            &from,
            "--out",
            out.to_str().unwrap(),
        ],
        &app.testdb.url,
    );
    assert!(ok, "{said}");
    assert!(
        said.contains("0 records") && said.contains("verified"),
        "{said}"
    );
    let (ok, said) = run(&["logs", "verify", out.to_str().unwrap()], &app.testdb.url);
    assert!(ok, "{said}");
    let file = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "age"))
        .unwrap();
    assert_eq!(
        decrypt(&id_delegato, &std::fs::read(file).unwrap())
            .unwrap()
            .len(),
        2
    );

    // Another entity's contact sees none of it.
    let borgo = entity(&admin, "Comune di Borgo Veneto").await;
    let stranger = app
        .api(&app.user("ref-borgo", "contact", &[borgo]).await)
        .await;
    let r = stranger
        .request(
            Method::GET,
            &format!("/api/v1/log-exports/{}/file", e1["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let (s, _) = stranger
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-exports"),
            json!({"from": from, "to": to}),
        )
        .await;
    assert_eq!(s, 404);
    let _ = std::fs::remove_dir_all(&keys);
}

async fn retention_purges_only_what_verified_exports_cover(b: Backend) {
    let Settled {
        app, admin, abano, ..
    } = settled(b, 50, json!({"retention_days": 183})).await;
    let (from, to) = days_around_now();
    let store = app.syslog.as_ref().unwrap().store.clone();
    let actor = kernel::Actor::system("test");
    let later = chrono::Utc::now().date_naive() + chrono::Days::new(200);

    // Within the retention: nothing goes.
    let now = chrono::Utc::now().date_naive();
    assert_eq!(
        logs::retention::purge(&app.db, &store, &app.exports(), &actor, abano, now)
            .await
            .unwrap(),
        None
    );
    // Past it, but nothing exported: nothing goes either.
    assert_eq!(
        logs::retention::purge(&app.db, &store, &app.exports(), &actor, abano, later)
            .await
            .unwrap(),
        None
    );
    // Exported, but the file vanished from the target: still nothing, and the export is
    // no longer counted as verified.
    let (s, e) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-exports"),
            json!({"from": from, "to": to}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let dir = app.testdb.exports.join(format!("ente-{abano}"));
    let file = dir.join(e["file_name"].as_str().unwrap());
    let kept = std::fs::read(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    assert_eq!(
        logs::retention::purge(&app.db, &store, &app.exports(), &actor, abano, later)
            .await
            .unwrap(),
        None
    );
    let (_, list) = admin
        .get(&format!("/api/v1/entities/{abano}/log-exports"))
        .await;
    assert!(list["items"][0]["verified_at"].is_null(), "{list}");

    // A verified export covering the days: they go, audited, and the chain still verifies.
    std::fs::write(&file, &kept).unwrap();
    let (s, e) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-exports"),
            json!({"from": from, "to": to}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let p = logs::retention::purge(&app.db, &store, &app.exports(), &actor, abano, later)
        .await
        .unwrap()
        .expect("a purge");
    assert_eq!(p.messages, 50, "{p:?}");
    let (s, page) = admin.get(&format!("/api/v1/entities/{abano}/logs")).await;
    assert_eq!((s, page["total"].as_i64()), (200, Some(0)), "{page}");
    let (s, acc) = admin
        .get(&format!("/api/v1/entities/{abano}/access-events"))
        .await;
    assert_eq!((s, acc["total"].as_i64()), (200, Some(0)), "{acc}");
    let (ok, said) = verify(&app);
    assert!(ok, "{said}");
    let (s, c) = admin
        .get(&format!("/api/v1/entities/{abano}/log-compliance"))
        .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["retention_days"], 183);
    assert_eq!(c["last_purge"]["messages"], 50, "{c}");
    assert!(c["oldest_record"].is_null(), "{c}");
    let (_, page) = app
        .browser("capo")
        .await
        .get(&format!("/entities/{abano}/logs"))
        .await;
    assert!(
        page.contains("Ultima eliminazione il"),
        "the page tells the last purge"
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE object_type = 'log_purge' AND entity_id = $1",
    )
    .bind(abano)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // New records after the purge chain on from it.
    let tcp = app.syslog.as_ref().unwrap().bound.tcp.unwrap();
    tcp_send(tcp, b"<13>Dec  4 10:00:00 srv-anagrafe app: dopo\n").await;
    committed(&admin, 51).await;
    let (ok, said) = verify(&app);
    assert!(ok, "{said}");
}
