use reqwest::Method;
use serde_json::json;
use testkit::{backends, spawn_app, Backend};

backends!(
    entity_create_read_update,
    invalid_entity_is_refused_with_every_field_named,
    malformed_requests_get_problem_documents,
    concurrent_edit_is_refused,
    contacts_by_api,
    openapi_documents_every_api_route,
    every_refusal_is_a_problem_document_or_an_italian_page,
    health_readiness_and_metrics,
);

async fn entity_create_read_update(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let (s, e) = api
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "Comune di Padova", "kind": "comune", "istat_code": "028060",
                   "cadastral_code": "g224", "tax_code": "00644060287", "population": 206496,
                   "population_date": "2023-01-01", "workstations": 1450, "pec": "Protocollo@PEC.comune.padova.it"}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(e["cadastral_code"], "G224");
    assert_eq!(e["pec"], "protocollo@pec.comune.padova.it");
    assert_eq!(e["population"], 206496);
    let id = e["id"].as_i64().unwrap();

    let (s, got) = api.get(&format!("/api/v1/entities/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(got, e);

    let (s, p) = api
        .send_json(
            Method::PATCH,
            &format!("/api/v1/entities/{id}"),
            json!({"servers": 38, "pec": null}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["servers"], 38);
    assert_eq!(p["pec"], serde_json::Value::Null);
    assert_eq!(p["version"], 2);
    assert_eq!(p["name"], "Comune di Padova");

    let (s, list) = api.get("/api/v1/entities?q=padova").await;
    assert_eq!(s, 200);
    assert_eq!(list["total"], 1);
    let (_, none) = api.get("/api/v1/entities?q=verona").await;
    assert_eq!(none["total"], 0);

    // The same ISTAT code twice is refused on the field, and nothing is added.
    let (s, dup) = api
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "Doppione", "istat_code": "028060"}),
        )
        .await;
    assert_eq!(s, 422, "{dup}");
    assert_eq!(dup["errors"][0]["field"], "istat_code");
    let (_, list) = api.get("/api/v1/entities").await;
    assert_eq!(list["total"], 1);
}

async fn invalid_entity_is_refused_with_every_field_named(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let (s, p) = api
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "", "kind": "regione", "istat_code": "28060", "tax_code": "00644060288",
                   "population": -5, "workstations": "molte"}),
        )
        .await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "name",
        "kind",
        "istat_code",
        "tax_code",
        "population",
        "workstations",
    ] {
        assert!(fields.contains(&f), "{f} not reported in {p}");
    }
    assert!(
        p["detail"].as_str().unwrap().contains("cifra di controllo"),
        "{p}"
    );
    let (_, list) = api.get("/api/v1/entities").await;
    assert_eq!(list["total"], 0, "nothing stored");
}

async fn malformed_requests_get_problem_documents(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let e = app.entity("Comune di Agna", Some("028002")).await;

    let r = api
        .request(Method::POST, "/api/v1/entities")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: serde_json::Value = r.json().await.unwrap();
    assert!(
        p["detail"].as_str().unwrap().starts_with("JSON non valido"),
        "{p}"
    );

    let r = api
        .request(Method::POST, "/api/v1/entities")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);

    let (s, p) = api
        .send_json(
            Method::PATCH,
            &format!("/api/v1/entities/{}", e.id),
            json!({"colour": "red"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "colour");
    let (s, p) = api
        .send_json(
            Method::PATCH,
            &format!("/api/v1/entities/{}", e.id),
            json!({"name": ["a"]}),
        )
        .await;
    assert_eq!(s, 422, "{p}");

    for path in [
        "/api/v1/entities/abc",
        "/api/v1/entities/999999",
        "/api/v1/nothing",
    ] {
        let (s, p) = api.get(path).await;
        assert_eq!(s, 404, "{path}");
        assert_eq!(p["status"], 404);
    }
    let (s, p) = api.get("/api/v1/entities?limit=x").await;
    assert_eq!(s, 400, "{p}");
    let (s, _) = api.get("/api/v1/entities?kind=regione").await;
    assert_eq!(s, 400);

    let r = reqwest::get(app.url("/api/v1/entities")).await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/entities"))
        .bearer_auth("cst_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Nothing changed by any of it.
    let (_, after) = api.get(&format!("/api/v1/entities/{}", e.id)).await;
    assert_eq!(after["version"], 1);
}

async fn concurrent_edit_is_refused(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let e = app.entity("Comune di Arre", None).await;
    let path = format!("/api/v1/entities/{}", e.id);
    let (s, _) = api
        .send_json(Method::PATCH, &path, json!({"servers": 2, "version": 1}))
        .await;
    assert_eq!(s, 200);
    let (s, p) = api
        .send_json(Method::PATCH, &path, json!({"servers": 3, "version": 1}))
        .await;
    assert_eq!(s, 409, "{p}");
    let (_, now) = api.get(&path).await;
    assert_eq!(now["servers"], 2);

    // The edit page: a missing or wrong version is refused (it skipped the check before), and
    // a change touches only the fields the form carries (it blanked the others before).
    let br = app.browser("operatore").await;
    let page = format!("/entities/{}", e.id);
    for version in [None, Some("due"), Some("1")] {
        let mut form = vec![("name", "Comune di Arre (modificato)")];
        if let Some(v) = version {
            form.push(("version", v));
        }
        let (s, html) = br.post(&page, &form).await;
        assert_eq!(s, 409, "version {version:?}");
        assert!(html.contains("modificato da qualcun altro"), "{html}");
    }
    let (_, still) = api.get(&path).await;
    assert_eq!(
        (still["name"].as_str(), still["version"].as_i64()),
        (Some("Comune di Arre"), Some(2))
    );
    let (s, _) = br
        .post(
            &page,
            &[
                ("name", "Comune di Arre"),
                ("city", "Arre"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(s, 303);
    let (_, after) = api.get(&path).await;
    assert_eq!(
        (
            after["city"].as_str(),
            after["servers"].as_i64(),
            after["version"].as_i64()
        ),
        (Some("Arre"), Some(2), Some(3)),
        "servers kept: the form did not carry it"
    );
}

async fn contacts_by_api(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let e = app.entity("Comune di Baone", None).await;
    let path = format!("/api/v1/entities/{}/contacts", e.id);
    let (s, c) = api
        .send_json(Method::POST, &path, json!({"full_name": "Anna Rizzo", "email": "ced@comune.baone.pd.it", "is_primary": true}))
        .await;
    assert_eq!(s, 201, "{c}");
    let (s, bad) = api
        .send_json(Method::POST, &path, json!({"full_name": "", "email": "x"}))
        .await;
    assert_eq!(s, 422, "{bad}");
    let (_, list) = api.get(&path).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["full_name"], "Anna Rizzo");
}

async fn openapi_documents_every_api_route(b: Backend) {
    let app = spawn_app(b).await;
    let doc: serde_json::Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut documented: Vec<String> = paths
        .iter()
        .flat_map(|(p, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{} {p}", m.to_uppercase()))
        })
        .collect();
    let mut routed: Vec<String> = web::routes::table()
        .into_iter()
        .filter(|r| r.surface == web::routes::Surface::Api)
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    documented.sort();
    routed.sort();
    assert_eq!(
        documented, routed,
        "the OpenAPI document and the route table differ"
    );
    for f in [
        "name",
        "kind",
        "istat_code",
        "cadastral_code",
        "tax_code",
        "ipa_code",
        "office_code",
        "population",
        "workstations",
        "servers",
    ] {
        assert!(
            doc["components"]["schemas"]["EntityOut"]["properties"][f].is_object(),
            "{f} undocumented"
        );
    }
}

/// The status, content type and body of an answer.
async fn answer(r: reqwest::RequestBuilder) -> (u16, String, String, reqwest::header::HeaderMap) {
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let ct = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, r.text().await.unwrap(), headers)
}

async fn every_refusal_is_a_problem_document_or_an_italian_page(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("admin", "admin", &[]).await;
    let api = app.api(&admin).await;
    let br = app.browser("admin").await;
    let e = app.entity("Comune di Agna", None).await;
    let problem = |(s, ct, body, h): (u16, String, String, reqwest::header::HeaderMap)| {
        assert_eq!(ct, "application/problem+json", "{s} {body}");
        let p: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(p["status"], s);
        assert!(p["code"].as_str().is_some_and(|c| !c.is_empty()), "{p}");
        assert_eq!(
            p["request_id"].as_str().unwrap(),
            h["x-request-id"].to_str().unwrap(),
            "the id in the header is the id in the document"
        );
        (s, p)
    };
    let page = |(s, ct, body, _): (u16, String, String, reqwest::header::HeaderMap)| {
        assert!(ct.starts_with("text/html"), "{s} {ct} {body}");
        assert!(body.contains("lang=\"it\""), "{body}");
        (s, body)
    };

    // DELETE on an API route: 405 with what is allowed.
    let r = answer(api.request(Method::DELETE, &format!("/api/v1/entities/{}", e.id))).await;
    assert!(r.3.contains_key("allow"));
    let (s, p) = problem(r);
    assert_eq!((s, p["code"].as_str()), (405, Some("method_not_allowed")));
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("DELETE non è ammesso"),
        "{p}"
    );
    // A JSON route given a form: 415.
    let (s, p) = problem(
        answer(
            api.request(Method::POST, "/api/v1/entities")
                .header("content-type", "text/plain")
                .body("name=x"),
        )
        .await,
    );
    assert_eq!(
        (s, p["code"].as_str()),
        (415, Some("unsupported_media_type")),
        "{p}"
    );
    // Broken JSON: 400, said in Italian.
    let (s, p) = problem(
        answer(
            api.request(Method::POST, "/api/v1/entities")
                .header("content-type", "application/json")
                .body("{\"name\": "),
        )
        .await,
    );
    assert_eq!(s, 400, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("JSON non valido"),
        "{p}"
    );
    // An over-long address: 414 before routing.
    let long = format!("/api/v1/entities?q={}", "a".repeat(9000));
    let (s, p) = problem(answer(api.request(Method::GET, &long)).await);
    assert_eq!((s, p["code"].as_str()), (414, Some("uri_too_long")));
    // A NUL in a path or a query.
    let (s, p) = problem(answer(api.request(Method::GET, "/api/v1/services/PD%00")).await);
    assert_eq!(
        (s, p["code"].as_str()),
        (400, Some("control_characters")),
        "{p}"
    );
    let (s, p) = problem(answer(api.request(Method::GET, "/api/v1/entities?q=a%00b")).await);
    assert_eq!(
        (s, p["code"].as_str()),
        (422, Some("control_characters")),
        "{p}"
    );
    // A capability's own refusal keeps its code.
    let (s, p) = problem(answer(api.request(Method::GET, "/api/v1/entities/999999")).await);
    assert_eq!((s, p["code"].as_str()), (404, Some("entity_not_found")));

    // Pages: a form posted as JSON, a multipart without boundary, a missing file, a long URL.
    let (s, html) = page(
        answer(
            br.http
                .post(app.url(&format!("/entities/{}", e.id)))
                .header("x-csrf-token", &br.csrf)
                .header("content-type", "application/json")
                .body("{\"name\": \"x\"}"),
        )
        .await,
    );
    assert_eq!(s, 415);
    assert!(html.contains("il modulo va inviato come"), "{html}");
    let (s, html) = page(
        answer(
            br.http
                .post(app.url(&format!("/import?_csrf={}", br.csrf)))
                .header("content-type", "multipart/form-data")
                .body("x"),
        )
        .await,
    );
    assert_eq!(s, 400);
    assert!(html.contains("richiesta non valida"), "{html}");
    let (s, html) = page(answer(br.http.get(app.url("/static/nessuno.css"))).await);
    assert_eq!(s, 404);
    assert!(html.contains("Il file richiesto non esiste"), "{html}");
    let (s, _) = page(
        answer(
            br.http
                .get(app.url(&format!("/entities?q={}", "a".repeat(9000)))),
        )
        .await,
    );
    assert_eq!(s, 414);
    let (s, html) = page(
        answer(
            br.http
                .post(app.url(&format!("/entities/{}/contacts", e.id)))
                .form(&[
                    ("_csrf", br.csrf.as_str()),
                    ("full_name", "Mario\u{0}Rossi"),
                ]),
        )
        .await,
    );
    assert_eq!(s, 422);
    assert!(html.contains("carattere di controllo"), "{html}");
    let (_, contacts) = api
        .get(&format!("/api/v1/entities/{}/contacts", e.id))
        .await;
    assert_eq!(contacts.as_array().unwrap().len(), 0, "nothing stored");

    // Authenticated answers are never cached; static files are.
    let (_, _, _, h) =
        answer(api.request(Method::GET, &format!("/api/v1/entities/{}", e.id))).await;
    assert_eq!(h["cache-control"], "no-store");
    let (_, _, _, h) = answer(br.http.get(app.url(&format!("/entities/{}", e.id)))).await;
    assert_eq!(h["cache-control"], "no-store");
    let (_, _, _, h) = answer(br.http.get(app.url("/static/css/app.css"))).await;
    assert_eq!(h["cache-control"], "public, max-age=86400");

    // The CSRF origin check looks at the scheme too: a page on http:// cannot post into the site
    // served on https:// (and the other way round).
    let host = app.base.trim_start_matches("http://").to_owned();
    let (s, _) = page(
        answer(
            br.http
                .post(app.url(&format!("/entities/{}/contacts", e.id)))
                .header("origin", format!("https://{host}"))
                .form(&[("_csrf", br.csrf.as_str()), ("full_name", "Mario Rossi")]),
        )
        .await,
    );
    assert_eq!(s, 403);
}

async fn health_readiness_and_metrics(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let http = reqwest::Client::new();
    let get = |p: &str| http.get(app.url(p)).send();
    let r = get("/healthz").await.unwrap();
    assert_eq!(r.status(), 200);
    let r = get("/readyz").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap()["status"],
        "ready"
    );
    // Requests are counted under their route's pattern, never the id.
    let e = app.entity("Comune di Agna", None).await;
    for _ in 0..3 {
        assert_eq!(api.get(&format!("/api/v1/entities/{}", e.id)).await.0, 200);
    }
    assert_eq!(api.get("/api/v1/entities/999999").await.0, 404);
    let text = get("/metrics").await.unwrap().text().await.unwrap();
    let l = "method=\"GET\",route=\"/api/v1/entities/{id}\"";
    assert!(
        text.contains(&format!(
            "cst_http_requests_seconds_count{{{l},status=\"200\"}} 3"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "cst_http_requests_seconds_count{{{l},status=\"404\"}} 1"
        )),
        "{text}"
    );
    assert!(
        !text.contains("route=\"/api/v1/entities/1\""),
        "ids never become labels"
    );
    assert!(
        text.contains("cst_emails_sent_total 0")
            && text.contains("cst_db_pool_connections{state=\"idle\"}"),
        "{text}"
    );
    // A database behind the program's schema is not ready.
    sqlx::query("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)")
        .execute(app.db.pool())
        .await
        .unwrap();
    let r = get("/readyz").await.unwrap();
    assert_eq!(r.status(), 503);
    let p: serde_json::Value = r.json().await.unwrap();
    assert_eq!(p["code"], "not_ready");
    assert!(p["detail"].as_str().unwrap().contains("cst migrate"), "{p}");
    assert_eq!(
        get("/healthz").await.unwrap().status(),
        200,
        "alive all the same"
    );
}
