use testkit::{backends, spawn_app, Backend, PASSWORD};

backends!(
    login_sets_a_safe_cookie_and_logout_ends_the_session,
    wrong_password_is_throttled,
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
}

async fn wrong_password_is_throttled(b: Backend) {
    let app = spawn_app(b).await;
    app.user("mario", "operator", &[]).await;
    let c = client();
    for _ in 0..accounts::throttle::MAX_FAILURES {
        let r = c
            .post(app.url("/login"))
            .form(&[("username", "mario"), ("password", "sbagliata!!")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("Nome utente o password non corretti"));
    }
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "mario"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429, "locked even with the right password");
    assert!(r.text().await.unwrap().contains("Troppi tentativi"));
    // Unknown users get the same answer as wrong passwords.
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "nessuno"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
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

    // Deactivated: the session ends and the token stops working.
    let (s, _) = br
        .post(&path, &[("role", "contact"), ("entity_ids", &other_id)])
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
