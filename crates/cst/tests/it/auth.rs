use testkit::{backends, spawn_app, Backend, PASSWORD};

backends!(
    login_sets_a_safe_cookie_and_logout_ends_the_session,
    wrong_passwords_slow_down_that_account_from_that_address_only,
    api_tokens_end_for_good_and_expire,
    forms_without_csrf_token_or_from_another_site_are_refused,
    roles_limit_pages,
);

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn login_sets_a_safe_cookie_and_logout_ends_the_session(b: Backend) {
    let app = spawn_app(b).await;
    app.user("admin", "admin", &[]).await;
    let c = client();
    let r = c.get(app.url("/entities")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/login?next=%2Fentities");
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", "ADMIN"),
            ("password", PASSWORD),
            ("next", "/entities"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/entities");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let page = c.get(app.url("/entities")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Enti aderenti"));
    assert!(html.contains("bootstrap-italia.min.css"));
    let csrf = testkit::csrf_in(&html).unwrap();
    let r = c
        .post(app.url("/logout"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = c.get(app.url("/entities")).send().await.unwrap();
    assert_eq!(r.status(), 303, "session ended");

    // An open redirect through `next` is refused.
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", "admin"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/");
    // A tab (browsers drop it: `//evil.example`), a backslash or a newline: home instead.
    for next in [
        "/\t/evil.example",
        "/\\evil.example",
        "/x\r\nSet-Cookie: a=b",
    ] {
        let r = client()
            .post(app.url("/login"))
            .form(&[
                ("username", "admin"),
                ("password", PASSWORD),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{next:?}");
        assert_eq!(r.headers()["location"], "/", "{next:?}");
    }
}

async fn login(
    c: &reqwest::Client,
    url: String,
    from: &str,
    username: &str,
    password: &str,
) -> (u16, Option<String>, String) {
    let r = c
        .post(url)
        .header("x-forwarded-for", from)
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (r.status().as_u16(), retry, r.text().await.unwrap())
}

async fn wrong_passwords_slow_down_that_account_from_that_address_only(b: Backend) {
    // Behind a reverse proxy on 127.0.0.1, as a centre's deployment would be.
    let app = testkit::spawn_app_with(
        b,
        web::WebConfig {
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
            ..Default::default()
        },
    )
    .await;
    app.user("mario", "operator", &[]).await;
    app.user("luigi", "operator", &[]).await;
    // No cookie store: every attempt is a new visitor, as a guesser's would be.
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = || app.url("/login");
    let guesser = "203.0.113.7";
    for _ in 0..accounts::throttle::FREE_FAILURES {
        let (s, _, html) = login(&c, url(), guesser, "mario", "sbagliata!!").await;
        assert_eq!(s, 401);
        assert!(html.contains("Nome utente o password non corretti"));
    }
    // The next failure imposes a wait, said in words and in Retry-After.
    let (s, retry, html) = login(&c, url(), guesser, "Mario", "sbagliata!!").await;
    assert_eq!((s, retry.as_deref()), (429, Some("5")));
    assert!(html.contains("riprovare tra 5 secondi"), "{html}");
    // Even the right password waits, from that address.
    let (s, _, _) = login(&c, url(), guesser, "mario", PASSWORD).await;
    assert_eq!(s, 429, "waiting even with the right password");
    // A second process on the same database knows it too.
    let other = app.other_process().await;
    let (s, _, _) = login(&c, other.url("/login"), guesser, "mario", PASSWORD).await;
    assert_eq!(s, 429, "the counters are shared through the database");
    // Nobody else is locked out: mario from his office, luigi behind the same address.
    let (s, _, _) = login(&c, url(), "198.51.100.9", "mario", PASSWORD).await;
    assert_eq!(s, 303, "the account is not locked for its owner");
    let (s, _, _) = login(&c, url(), guesser, "luigi", PASSWORD).await;
    assert_eq!(
        s, 303,
        "other accounts behind the same address are not locked"
    );
    // When the wait is over the right password works and clears the counter.
    app.clock.advance(chrono::Duration::seconds(5));
    let (s, _, _) = login(&c, url(), guesser, "mario", PASSWORD).await;
    assert_eq!(s, 303);
    let (s, _, _) = login(&c, url(), guesser, "mario", "sbagliata!!").await;
    assert_eq!(s, 401, "the counter started again");
    // Waits grow: 5, 10, 20 seconds.
    for _ in 1..accounts::throttle::FREE_FAILURES {
        login(&c, url(), guesser, "mario", "sbagliata!!").await;
    }
    for wait in ["5", "10", "20"] {
        let (s, retry, _) = login(&c, url(), guesser, "mario", "sbagliata!!").await;
        assert_eq!((s, retry.as_deref()), (429, Some(wait)));
        app.clock
            .advance(chrono::Duration::seconds(wait.parse().unwrap()));
    }
    // Unknown users get the same answer as wrong passwords.
    let (s, _, _) = login(&c, url(), "192.0.2.1", "nessuno", "x").await;
    assert_eq!(s, 401);
    // Without a trusted proxy the header is ignored: the guesser cannot pose as others.
    let plain = spawn_app(b).await;
    plain.user("mario", "operator", &[]).await;
    for n in 0..=accounts::throttle::FREE_FAILURES {
        let from = format!("192.0.2.{n}");
        let (s, _, _) = login(&c, plain.url("/login"), &from, "mario", "x").await;
        assert_eq!(s, if n < 3 { 401 } else { 429 }, "{from}");
    }
}

async fn api_tokens_end_for_good_and_expire(b: Backend) {
    use crate::cli::cst;
    let app = spawn_app(b).await;
    let url = app.testdb.url.clone();
    let mario = app.user("mario", "operator", &[]).await;
    let me = |token: String| {
        let http = reqwest::Client::new();
        let u = app.url("/api/v1/me");
        async move {
            http.get(u)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let issue = |label: &str, days: &str| {
        let out = cst(
            &[
                "token",
                "issue",
                "--username",
                "mario",
                "--label",
                label,
                "--days",
                days,
                "--database",
                &url,
            ],
            None,
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let run = |args: &[&str]| {
        let mut a = args.to_vec();
        a.extend(["--database", url.as_str()]);
        let out = cst(&a, None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };

    // Deactivation ends the token for good: reactivating the account does not revive it.
    let t = issue("script", "30");
    assert_eq!(me(t.clone()).await, 200);
    run(&["user", "deactivate", "--username", "mario"]);
    assert_eq!(me(t.clone()).await, 401);
    run(&["user", "activate", "--username", "mario"]);
    assert_eq!(me(t.clone()).await, 401, "an old token came back to life");

    // A password change ends tokens too.
    let t = issue("script", "30");
    assert_eq!(me(t.clone()).await, 200);
    accounts::store::set_password(
        &app.db,
        &kernel::Actor::system("t"),
        mario.id,
        "nuova-password-1",
    )
    .await
    .unwrap();
    assert_eq!(me(t).await, 401);

    // Revoked by label, then all; the rest keep working until then.
    let a = issue("a", "30");
    let bb = issue("b", "30");
    run(&["token", "revoke", "--username", "mario", "--label", "a"]);
    assert_eq!((me(a).await, me(bb.clone()).await), (401, 200));
    let listed = run(&["token", "list", "--username", "mario"]);
    assert!(
        listed.contains("\tb\t") && listed.contains("live"),
        "{listed}"
    );
    assert_eq!(listed.matches("revoked").count(), 3, "{listed}");
    run(&["token", "revoke", "--username", "mario", "--all"]);
    assert_eq!(me(bb).await, 401);
    let out = cst(
        &["token", "revoke", "--username", "mario", "--database", &url],
        None,
    );
    assert!(!out.status.success(), "neither --label nor --all");

    // Tokens expire: one issued two days ago for one day no longer works.
    let old = accounts::store::issue_token(
        &app.db,
        &kernel::Actor::system("t"),
        &mario,
        "vecchio",
        1,
        chrono::Utc::now() - chrono::Duration::days(2),
    )
    .await
    .unwrap();
    assert_eq!(me(old).await, 401);
    let out = cst(
        &[
            "token",
            "issue",
            "--username",
            "mario",
            "--days",
            "0",
            "--database",
            &url,
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("da 1 a 3650 giorni"));

    // The account's page lists its tokens with their last use, and revokes one after asking.
    let live = issue("integrazione", "365");
    assert_eq!(me(live.clone()).await, 200);
    app.user("admin", "admin", &[]).await;
    let br = app.browser("admin").await;
    let (s, html) = br.get(&format!("/users/{}/edit", mario.id)).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Token API") && html.contains("integrazione"),
        "{html}"
    );
    assert!(html.contains("scaduto") && html.contains("revocato") && html.contains("attivo"));
    assert!(html.contains("Conferma la revoca"));
    let id = accounts::store::tokens_of(&app.db, mario.id).await.unwrap()[0].clone();
    assert_eq!(id.label, "integrazione");
    assert!(id.last_used_at.is_some(), "its use was noted");
    let (s, _) = br
        .post(&format!("/users/{}/tokens/{}/revoke", mario.id, id.id), &[])
        .await;
    assert_eq!(s, 303);
    assert_eq!(me(live).await, 401);
    let (s, _) = br
        .post(&format!("/users/{}/tokens/999999/revoke", mario.id), &[])
        .await;
    assert_eq!(s, 404);
}

async fn forms_without_csrf_token_or_from_another_site_are_refused(b: Backend) {
    let app = spawn_app(b).await;
    app.user("admin", "admin", &[]).await;
    let e = app.entity("Comune di Agna", None).await;
    let br = app.browser("admin").await;
    let path = app.url(&format!("/entities/{}", e.id));
    let r = br
        .http
        .post(&path)
        .form(&[("name", "Rubato")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = br
        .http
        .post(&path)
        .form(&[("name", "Rubato"), ("_csrf", "0000")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = br
        .http
        .post(&path)
        .header("origin", "https://evil.example")
        .form(&[("name", "Rubato"), ("_csrf", br.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = br
        .http
        .post(&path)
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", "Rubato"), ("_csrf", br.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let same = members::store::get(&app.db, &kernel::Actor::system("t"), e.id)
        .await
        .unwrap();
    assert_eq!(same.data.name, "Comune di Agna");
    // With the token, the same change goes through.
    let (s, _) = br
        .post(
            &format!("/entities/{}", e.id),
            &[
                ("name", "Comune di Agna (PD)"),
                ("kind", "comune"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(s, 303);
}

async fn roles_limit_pages(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.entity("Comune di Agna", None).await;
    app.user("operatore", "operator", &[]).await;
    app.user("referente", "contact", &[a.id]).await;
    let op = app.browser("operatore").await;
    assert_eq!(op.get("/entities/new").await.0, 200);
    assert_eq!(op.get("/users").await.0, 403);
    assert_eq!(op.get("/import").await.0, 403);
    let c = app.browser("referente").await;
    assert_eq!(c.get("/entities/new").await.0, 403);
    assert_eq!(c.get(&format!("/entities/{}/edit", a.id)).await.0, 403);
    let (s, html) = c.get(&format!("/entities/{}", a.id)).await;
    assert_eq!(s, 200);
    assert!(
        !html.contains("Modifica</a>"),
        "a contact sees no edit button"
    );
    // Bad form input: a clear Italian message, nothing stored.
    let (s, html) = op
        .post("/entities", &[("name", ""), ("istat_code", "123")])
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("ente è obbligatorio"), "{html}");
    assert!(html.contains("codice ISTAT"));
}

backends!(deactivating_an_account_ends_its_access);

async fn deactivating_an_account_ends_its_access(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.entity("Comune di Agna", None).await;
    let other = app.entity("Comune di Arre", None).await;
    let admin = app.user("admin", "admin", &[]).await;
    let anna = app.user("anna", "contact", &[a.id]).await;
    let anna_api = app.api(&anna).await;
    let anna_web = app.browser("anna").await;
    let br = app.browser("admin").await;
    let path = format!("/users/{}", anna.id);

    // Wrong input: a clear message, nothing changed.
    let (s, html) = br
        .post(
            &path,
            &[("role", "contact"), ("active", "1"), ("password", "corta")],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("almeno 10 caratteri"), "{html}");
    let (s, html) = br
        .post(&path, &[("role", "contact"), ("active", "1")])
        .await;
    assert_eq!(s, 422, "a contact needs an entity");
    assert!(html.contains("almeno un ente"));
    assert_eq!(
        anna_api.get("/api/v1/me").await.1["entity_ids"],
        serde_json::json!([a.id])
    );

    // Moved to another entity: sees that one now.
    let other_id = other.id.to_string();
    let (s, _) = br
        .post(
            &path,
            &[
                ("role", "contact"),
                ("entity_ids", &other_id),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    assert_eq!(
        anna_api.get(&format!("/api/v1/entities/{}", a.id)).await.0,
        404
    );
    assert_eq!(
        anna_api
            .get(&format!("/api/v1/entities/{}", other.id))
            .await
            .0,
        200
    );

    // Deactivating is asked first (a page naming what ends), and only then done: the
    // session ends and the token stops working.
    let (s, html) = br
        .post(&path, &[("role", "contact"), ("entity_ids", &other_id)])
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("confermato"), "{html}");
    assert_eq!(
        anna_api.get("/api/v1/me").await.0,
        200,
        "asking ends nothing"
    );
    let (s, _) = br
        .post(
            &path,
            &[
                ("role", "contact"),
                ("entity_ids", &other_id),
                ("confermato", "1"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    assert_eq!(anna_api.get("/api/v1/me").await.0, 401);
    assert_eq!(
        anna_web.get("/entities").await.0,
        303,
        "back to the login page"
    );
    let (_, trail) = app
        .api(&admin)
        .await
        .get(&format!(
            "/api/v1/audit?object_type=user&object_id={}",
            anna.id
        ))
        .await;
    assert_eq!(trail[0]["action"], "update");
    assert!(trail[0]["after"]
        .as_str()
        .unwrap()
        .contains("\"active\":false"));

    // An administrator cannot lock themselves out.
    let (s, html) = br
        .post(
            &format!("/users/{}", admin.id),
            &[("role", "operator"), ("active", "1")],
        )
        .await;
    assert_eq!(s, 422);
    assert!(html.contains("proprio account"));
}
