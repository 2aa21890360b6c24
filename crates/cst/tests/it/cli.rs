use std::io::Write;
use std::process::{Command, Output, Stdio};

use testkit::{backends, spawn_app, Backend};

/// Runs the real `cst` binary.
pub fn cst(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cst"))
        .args(args)
        .env_remove("CST_DATABASE_URL")
        .env("CST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

backends!(
    user_add_and_token_issue_work_against_a_running_instance,
    cli_errors_are_one_line,
    a_changed_migration_is_refused,
);

async fn a_changed_migration_is_refused(b: Backend) {
    let app = spawn_app(b).await;
    let url = app.testdb.url.clone();
    sqlx::query("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1")
        .execute(app.db.pool())
        .await
        .unwrap();
    let out = cst(&["migrate", "--database", &url], None);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("migration 1 (foundation) was changed"),
        "{err}"
    );
    // Nor does the server start on it.
    let out = cst(
        &["serve", "--listen", "127.0.0.1:0", "--database", &url],
        None,
    );
    assert!(!out.status.success());
}

async fn user_add_and_token_issue_work_against_a_running_instance(b: Backend) {
    let app = spawn_app(b).await;
    let e = app.entity("Comune di Agna", None).await;
    let url = app.testdb.url.clone();
    let id = e.id.to_string();
    let out = cst(
        &[
            "user",
            "add",
            "--username",
            "anna",
            "--role",
            "contact",
            "--entity",
            &id,
            "--password-stdin",
            "--database",
            &url,
        ],
        Some("una password sicura\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cst(&["token", "issue", "--username", "anna"], None);
    assert!(
        !out.status.success(),
        "default database is not the test one"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cst"))
        .args(["token", "issue", "--username", "anna"])
        .env("CST_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap();
    let token = token.strip_suffix('\n').unwrap();
    assert!(
        token.starts_with("cst_") && token.len() == 68 && !token.contains(char::is_whitespace),
        "{token:?}"
    );
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let me: serde_json::Value = r.json().await.unwrap();
    assert_eq!(me["username"], "anna");
    assert_eq!(me["entity_ids"], serde_json::json!([e.id]));
    // The new user can log in to the pages with that password.
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "anna"), ("password", "una password sicura")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    let m = cst(&["migrate", "--database", &url], None);
    assert!(m.status.success());
    assert!(String::from_utf8_lossy(&m.stdout).contains("0 migrations applied now"));
}

async fn cli_errors_are_one_line(b: Backend) {
    let app = spawn_app(b).await;
    let url = app.testdb.url.clone();
    for (args, stdin, needle) in [
        (
            vec![
                "user",
                "add",
                "--username",
                "utente1",
                "--role",
                "boss",
                "--password-stdin",
            ],
            Some("password lunga\n"),
            "ruolo non valido",
        ),
        (
            vec![
                "user",
                "add",
                "--username",
                "utente2",
                "--role",
                "contact",
                "--password-stdin",
            ],
            Some("password lunga\n"),
            "almeno un ente",
        ),
        (
            vec![
                "user",
                "add",
                "--username",
                "utente3",
                "--role",
                "admin",
                "--password-stdin",
            ],
            Some("corta\n"),
            "almeno 10 caratteri",
        ),
        (
            vec!["token", "issue", "--username", "nessuno"],
            None,
            "utente non trovato",
        ),
        (vec!["restore", "/nonexistent/file"], None, "cannot open"),
    ] {
        let mut a = args.clone();
        a.extend(["--database", &url]);
        let out = cst(&a, stdin);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
    let out = cst(&["migrate", "--database", "mysql://nope"], None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not understood"));
}

/// `cst sla due` needs no database: a plain test, not one per backend.
#[test]
fn sla_due_prints_the_due_instant_with_the_rome_offset() {
    for (calendar, from, hours, due) in [
        (
            "consorzio-it",
            "2026-11-23T10:00:00+01:00",
            "8",
            "2026-11-24T10:00:00+01:00",
        ),
        (
            "consorzio-it",
            "2026-11-23T08:30:00+01:00",
            "4",
            "2026-11-23T12:30:00+01:00",
        ),
        (
            "consorzio-it",
            "2026-12-24T17:00:00+01:00",
            "8",
            "2026-12-28T17:00:00+01:00",
        ),
        (
            "consorzio-it",
            "2026-03-27T16:00:00Z",
            "4",
            "2026-03-30T11:30:00+02:00",
        ),
        (
            "padova",
            "2025-06-12T16:00:00+02:00",
            "1",
            "2025-06-16T09:30:00+02:00",
        ),
        (
            "padova",
            "2026-11-27T09:00:00+01:00",
            "4",
            "2026-11-27T13:00:00+01:00",
        ),
        (
            "ltt",
            "2026-11-21T12:00:00+01:00",
            "1.5",
            "2026-11-23T09:30:00+01:00",
        ),
        (
            "ltt",
            "2026-11-21T12:00:00+01:00",
            "2.5",
            "2026-11-23T10:30:00+01:00",
        ),
    ] {
        let out = cst(
            &[
                "sla",
                "due",
                "--calendar",
                calendar,
                "--from",
                from,
                "--hours",
                hours,
            ],
            None,
        );
        assert!(out.status.success(), "{:?}", out);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            due,
            "{calendar} {from} + {hours} h"
        );
    }
    for (args, needle) in [
        (
            [
                "--calendar",
                "roma",
                "--from",
                "2026-11-23T10:00:00Z",
                "--hours",
                "1",
            ],
            "roma",
        ),
        (
            [
                "--calendar",
                "padova",
                "--from",
                "23/11/2026",
                "--hours",
                "1",
            ],
            "RFC 3339",
        ),
        (
            [
                "--calendar",
                "padova",
                "--from",
                "2026-11-23T10:00:00Z",
                "--hours",
                "otto",
            ],
            "otto",
        ),
    ] {
        let mut a = vec!["sla", "due"];
        a.extend(args);
        let out = cst(&a, None);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{err}");
    }
}

/// Defaults, then the settings file, then `CST_*` variables, then flags; unknown keys refused;
/// secrets never printed.
#[test]
fn settings_come_from_defaults_file_environment_and_flags_in_that_order() {
    let dir = std::env::temp_dir().join(format!("cst-settings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cst.toml");
    std::fs::write(
        &file,
        "database = \"postgres://cst:segretissima@127.0.0.1/cst\"\n\
         listen = \"127.0.0.1:9090\"\ncentre_name = \"CST dal file\"\n\
         smtp_url = \"smtp://cst:segreto@mail.example.it:587\"\ntrusted_proxies = [\"10.0.0.1\"]\n\
         public_url = \"https://cst.example.it/\"\nsmpp_url = \"smpp://cst:segretosms@sms.example.it:2775\"\n",
    )
    .unwrap();
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_cst"));
        c.env_remove("CST_DATABASE_URL")
            .env_remove("CST_SMTP_URL")
            .env_remove("CST_SMPP_URL")
            .env_remove("CST_PUBLIC_URL");
        for (k, v) in env {
            c.env(k, v);
        }
        c.args(["--config", file.to_str().unwrap()]).args(args);
        c.output().unwrap()
    };
    let out = run(
        &[("CST_CENTRE_NAME", "CST da variabile")],
        &["serve", "--print-config", "--listen", "127.0.0.1:7000"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("listen = \"127.0.0.1:7000\""),
        "flag over file: {text}"
    );
    assert!(
        text.contains("centre_name = \"CST da variabile\""),
        "variable over file: {text}"
    );
    assert!(
        text.contains("trusted_proxies = [\"10.0.0.1\"]"),
        "file over default: {text}"
    );
    assert!(text.contains("imap_poll_seconds = 60"), "default: {text}");
    assert!(
        text.contains("public_url = \"https://cst.example.it\"")
            && text.contains("smpp_url = \"smpp://cst:***@sms.example.it:2775\""),
        "public address and SMS provider from the file: {text}"
    );
    assert!(!text.contains("segret"), "secrets redacted: {text}");
    assert!(text.contains("postgres://cst:***@127.0.0.1/cst") && text.contains("smtp://cst:***@"));
    // A typo is refused with the line.
    std::fs::write(&file, "listen = \"127.0.0.1:1\"\nlisen = \"x\"\n").unwrap();
    let out = run(&[], &["serve", "--print-config"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 2") && err.contains("unknown field `lisen`"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    // A public address that is not one is refused too.
    std::fs::write(&file, "public_url = \"cst.example.it\"\n").unwrap();
    let out = run(&[], &["serve", "--print-config"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("public_url"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
