//! The list component on the accounts, the background jobs and the kept quotes (issue 10,
//! point 2): filters in the URL, sortable columns, totals, htmx partials, CSV of what is
//! filtered, and the quotes within each person's entities.

use reqwest::Method;
use serde_json::json;
use testkit::{backends, spawn_app, Backend};

backends!(
    the_users_list_filters_sorts_and_exports,
    the_jobs_list_filters_and_exports,
    the_quotes_list_keeps_to_each_persons_entities,
);

async fn the_users_list_filters_sorts_and_exports(b: Backend) {
    let app = spawn_app(b).await;
    app.user("capo", "admin", &[]).await;
    let e = app.entity("Comune di Lista", None).await;
    let other = app.entity("Comune Altro", None).await;
    app.user("bianchi", "operator", &[]).await;
    app.user("rossi", "contact", &[e.id]).await;
    app.user("verdi", "contact", &[other.id]).await;
    let br = app.browser("capo").await;
    let table = |h: &str| h[h.find("id=\"user-table\"").unwrap()..].to_owned();

    let (s, html) = br.get("/users").await;
    assert_eq!(s, 200);
    assert!(html.contains("4 utenti"), "{html}");
    // By role, by entity, by text; the entities named.
    let t = table(&br.get("/users?ruolo=contact").await.1);
    assert!(
        t.contains("rossi") && t.contains("verdi") && !t.contains("bianchi"),
        "{t}"
    );
    let t = table(&br.get(&format!("/users?ente={}", e.id)).await.1);
    assert!(t.contains("rossi") && !t.contains("verdi"), "{t}");
    assert!(t.contains("Comune di Lista"));
    let t = table(&br.get("/users?q=BIAN").await.1);
    assert!(t.contains("bianchi") && !t.contains("rossi"), "{t}");
    // Sorted by username, then the other way round.
    let t = table(&br.get("/users?ordine=username&inverso=1").await.1);
    assert!(t.find("verdi").unwrap() < t.find("bianchi").unwrap(), "{t}");
    // A deactivated account shows under its filter only.
    let verdi = accounts::store::by_username(&app.db, "verdi")
        .await
        .unwrap();
    accounts::store::set_active(&app.db, &kernel::Actor::system("t"), &verdi, false)
        .await
        .unwrap();
    let t = table(&br.get("/users?stato=disattivati").await.1);
    assert!(t.contains("verdi") && !t.contains("rossi"), "{t}");
    // An htmx partial; the CSV of what is filtered.
    let part = br.get_htmx("/users?ruolo=operator").await;
    assert!(!part.contains("<html") && part.contains("bianchi"));
    let (s, csv) = br.get("/users.csv?ruolo=contact").await;
    assert_eq!(s, 200);
    assert!(
        csv.starts_with("utente,nome,e-mail,ruolo,enti,stato,creato il"),
        "{csv}"
    );
    assert!(csv.contains("rossi") && csv.contains("Comune di Lista") && !csv.contains("bianchi"));
    // Admins only.
    let op = app.browser("bianchi").await;
    assert_eq!(op.get("/users.csv").await.0, 403);
}

async fn the_jobs_list_filters_and_exports(b: Backend) {
    let app = spawn_app(b).await;
    app.user("capo", "admin", &[]).await;
    let mut tx = app.db.write().await.unwrap();
    for k in ["uno", "due", "tre"] {
        worker::enqueue(&mut tx, "test.prova", &json!({ "n": k }), None, None)
            .await
            .unwrap();
    }
    worker::enqueue(&mut tx, "test.altro", &json!({}), None, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let br = app.browser("capo").await;
    let (s, html) = br.get("/jobs").await;
    assert_eq!(s, 200);
    assert!(html.contains("4 attività"), "{html}");
    let (_, html) = br.get("/jobs?tipo=test.altro").await;
    assert!(html.contains("1 attività"), "{html}");
    let (_, html) = br.get("/jobs?stato=failed").await;
    assert!(html.contains("Nessuna attività"), "{html}");
    let (s, csv) = br.get("/jobs.csv?tipo=test.prova").await;
    assert_eq!(s, 200);
    assert!(csv.starts_with("numero,attività,tipo,stato,tentativi,quando,ultimo errore"));
    assert_eq!(csv.matches("test.prova").count(), 3, "{csv}");
    let part = br.get_htmx("/jobs?ordine=tentativi").await;
    assert!(!part.contains("<html") && part.contains("id=\"job-list\""));
}

async fn the_quotes_list_keeps_to_each_persons_entities(b: Backend) {
    let app = spawn_app(b).await;
    catalog::store::load_padova_catalogue(&app.db, &kernel::Actor::system("t"))
        .await
        .unwrap();
    let admin = app.user("capo", "admin", &[]).await;
    let api = app.api(&admin).await;
    let mut ids = vec![];
    for name in ["Comune di Sopra", "Comune di Sotto"] {
        let (_, e) = api
            .send_json(
                Method::POST,
                "/api/v1/entities",
                json!({"name": name, "population": 5000, "population_date": "2023-01-01"}),
            )
            .await;
        let id = e["id"].as_i64().unwrap();
        api.send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/agreements"),
            json!({"start_date": "2024-01-01", "term_years": 5, "number": format!("{id}/2024"), "signed": true}),
        )
        .await;
        ids.push(id);
    }
    for (entity, quantity) in [(ids[0], 3), (ids[0], 5), (ids[1], 2)] {
        let (s, q) = api
            .send_json(
                Method::POST,
                "/api/v1/price-quotes",
                json!({"service": "PD09", "entity_id": entity, "quantity": quantity,
                       "activation_date": "2026-03-01", "year": 2027}),
            )
            .await;
        assert_eq!(s, 201, "{q}");
    }
    let br = app.browser("capo").await;
    let (s, html) = br.get("/quotes").await;
    assert_eq!(s, 200);
    assert!(html.contains("3 preventivi"), "{html}");
    // 5 users × € 200,00 from the 2nd year: the largest first when sorted by amount.
    let (_, html) = br.get("/quotes?ordine=importo").await;
    let t = &html[html.find("id=\"quote-table\"").unwrap()..];
    assert!(
        t.find("€ 1.000,00").unwrap() < t.find("€ 600,00").unwrap(),
        "{t}"
    );
    assert!(t.contains("5 utenti × € 200,00"), "the computation: {t}");
    let (_, html) = br.get(&format!("/quotes?ente={}", ids[1])).await;
    assert!(html.contains("1 preventivo"), "{html}");
    let (s, csv) = br.get("/quotes.csv?q=sopra").await;
    assert_eq!(s, 200);
    assert!(
        csv.starts_with("numero,ente,servizio,voce,quantità,anno,importo"),
        "{csv}"
    );
    assert!(
        csv.contains("1000.00") && csv.contains("600.00") && !csv.contains("Sotto"),
        "{csv}"
    );
    // A contact sees their entity's quotes only; a supplier none.
    app.user("referente", "contact", &[ids[1]]).await;
    let contact = app.browser("referente").await;
    let (s, html) = contact.get("/quotes").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("1 preventivo") && !html.contains("Comune di Sopra"),
        "{html}"
    );
    let (_, csv) = contact.get("/quotes.csv").await;
    assert!(!csv.contains("Sopra"), "{csv}");
    app.user("fornitore", "supplier", &[ids[0]]).await;
    let supplier = app.browser("fornitore").await;
    assert_eq!(supplier.get("/quotes").await.0, 403);
}
