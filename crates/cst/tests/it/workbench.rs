//! The daily workbench (issue 10): each role's home, the queue with its filters, sort, pages
//! and CSV, assigning tickets (one, or several at once), and the error pages in the person's
//! own frame.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app, Backend};

backends!(
    the_queue_filters_sorts_and_assigns,
    several_tickets_are_assigned_and_moved_at_once,
    each_role_finds_its_work_on_the_home_page,
    error_pages_keep_the_persons_menu,
);

fn ticket(entity: i64, subject: &str, priority: &str, received: &str) -> Value {
    json!({"entity_id": entity, "subject": subject, "priority": priority, "channel": "phone",
           "received_at": received})
}

fn numbers(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["subject"].as_str().unwrap().to_owned())
        .collect()
}

async fn the_queue_filters_sorts_and_assigns(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let other_op = app.user("secondo", "operator", &[]).await;
    let api = app.api(&op).await;
    let e = app.entity("Comune di Mezzo", None).await;
    let contact = app.user("referente", "contact", &[e.id]).await;
    let mut ids = Vec::new();
    // The test's clock is Wednesday 25 November 2026, 12:00 in Rome.
    for (subject, priority, received) in [
        ("Alpha", "low", "2026-11-25T09:00:00+01:00"),
        ("Bravo", "high", "2026-11-24T09:00:00+01:00"),
        ("Charlie", "medium", "2026-11-25T10:00:00+01:00"),
    ] {
        let (s, t) = api
            .send_json(
                Method::POST,
                "/api/v1/tickets",
                ticket(e.id, subject, priority, received),
            )
            .await;
        assert_eq!(s, 201, "{t}");
        assert_eq!(t["assigned_to"], Value::Null);
        ids.push(t["id"].as_i64().unwrap());
    }
    // Assigning: to another operator (the take-charge clock keeps running), then checked.
    let (s, t) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{}/assign", ids[0]),
            json!({"assigned_to": other_op.id}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["assigned_to"], other_op.id);
    assert_eq!(t["assigned_name"], "Utente secondo");
    assert_eq!(t["state"], "new", "assigning is not taking charge");
    // Only an active operator of the centre: a contact, or a number that is nobody, is refused.
    for who in [json!(contact.id), json!(999_999)] {
        let (s, p) = api
            .send_json(
                Method::POST,
                &format!("/api/v1/tickets/{}/assign", ids[1]),
                json!({ "assigned_to": who }),
            )
            .await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(p["errors"][0]["field"], "assigned_to", "{p}");
    }
    let (s, p) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{}/assign", ids[1]),
            json!({"assigned": 1}),
        )
        .await;
    assert_eq!(s, 422, "an unknown field is refused: {p}");
    // A contact may not assign.
    let capi = app.api(&contact).await;
    let (s, _) = capi
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{}/assign", ids[1]),
            json!({"assigned_to": op.id}),
        )
        .await;
    assert_eq!(s, 403);
    // Taking charge assigns the ticket to whoever takes it.
    let (s, _) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{}/take-charge", ids[2]),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    // Filters: operator, nobody, priority; sorts with their natural direction and reversed.
    let (_, v) = api
        .get(&format!("/api/v1/tickets?assigned_to={}", other_op.id))
        .await;
    assert_eq!(numbers(&v), ["Alpha"], "{v}");
    let (_, v) = api.get("/api/v1/tickets?unassigned=true").await;
    assert_eq!(numbers(&v), ["Bravo"], "{v}");
    let (_, v) = api.get("/api/v1/tickets?mine=true").await;
    assert_eq!(numbers(&v), ["Charlie"], "{v}");
    let (_, v) = api.get("/api/v1/tickets?priority=high").await;
    assert_eq!(numbers(&v), ["Bravo"], "{v}");
    let (_, v) = api.get("/api/v1/tickets?sort=priority").await;
    assert_eq!(numbers(&v), ["Bravo", "Charlie", "Alpha"], "{v}");
    let (_, v) = api.get("/api/v1/tickets?sort=received").await;
    assert_eq!(
        numbers(&v),
        ["Charlie", "Alpha", "Bravo"],
        "newest first: {v}"
    );
    let (_, v) = api.get("/api/v1/tickets?sort=received&reverse=true").await;
    assert_eq!(numbers(&v), ["Bravo", "Alpha", "Charlie"], "{v}");
    let (_, v) = api.get("/api/v1/tickets").await;
    assert_eq!(v["total"], 3);
    assert_eq!(
        numbers(&v),
        ["Charlie", "Bravo", "Alpha"],
        "by number, newest first"
    );
    for bad in ["sort=alfabetico", "priority=urgente", "assigned_to=uno"] {
        let (s, p) = api.get(&format!("/api/v1/tickets?{bad}")).await;
        assert_eq!(s, 400, "{bad}: {p}");
    }
    // A resolved ticket is not assigned any more.
    for st in ["resolved"] {
        let (s, _) = api
            .send_json(
                Method::POST,
                &format!("/api/v1/tickets/{}/state", ids[2]),
                json!({ "state": st }),
            )
            .await;
        assert_eq!(s, 200);
    }
    let (s, p) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{}/assign", ids[2]),
            json!({"assigned_to": other_op.id}),
        )
        .await;
    assert_eq!(s, 409, "{p}");
    // The audit log keeps who had it before and after.
    let (_, audit) = app
        .api(&app.user("capo", "admin", &[]).await)
        .await
        .get("/api/v1/audit?limit=100")
        .await;
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"] == "assign"),
        "{audit}"
    );

    // The page: filters in the URL, the operator shown, the CSV of what is filtered.
    let br = app.browser("operatore").await;
    let (s, html) = br.get("/tickets?priorita=high").await;
    assert_eq!(s, 200);
    assert!(html.contains("Bravo") && !html.contains("Alpha"), "{html}");
    assert!(
        html.contains("1 ticket"),
        "the summary counts what is filtered"
    );
    let (_, html) = br.get(&format!("/tickets?operatore={}", other_op.id)).await;
    assert!(html.contains("Alpha") && !html.contains("Bravo"));
    let (_, html) = br.get("/tickets?operatore=nessuno").await;
    assert!(html.contains("Bravo") && !html.contains("Alpha"));
    let (_, html) = br
        .get("/tickets?stato=tutti&ordine=priority&inverso=1")
        .await;
    let (a, c) = (html.find("Alpha").unwrap(), html.find("Charlie").unwrap());
    assert!(a < c, "lowest priority first when reversed");
    // htmx asks for the list alone.
    let r = br
        .http
        .get(format!("{}/tickets?q=brav", br.base))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    let part = r.text().await.unwrap();
    assert!(part.starts_with("<div id=\"ticket-list\">"), "{part}");
    assert!(part.contains("Bravo") && !part.contains("<header"));
    let (s, csv) = br.get("/tickets.csv?stato=tutti&ordine=priority").await;
    assert_eq!(s, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("numero,ente,oggetto"), "{csv}");
    assert!(
        lines[1].contains("Bravo") && lines[3].contains("Alpha"),
        "{csv}"
    );
    // Nonsense in the URL is no filter at all, never an error.
    let (s, html) = br
        .get("/tickets?pagina=abc&ordine=%3Cscript%3E&priorita=urgente&operatore=x")
        .await;
    assert_eq!(s, 200);
    assert!(
        !html.contains("<script>"),
        "nothing typed is echoed as markup"
    );
    // The page's assignment form, with a confirmation of what happened.
    let (s, html) = br
        .post_follow(
            &format!("/tickets/{}/assign", ids[1]),
            &[("assigned_to", &op.id.to_string())],
        )
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("assegnato a Utente operatore"), "{html}");
    let (_, html) = br
        .post_follow(
            &format!("/tickets/{}/assign", ids[1]),
            &[("assigned_to", "nessuno")],
        )
        .await;
    assert!(html.contains("scegliere un operatore"), "{html}");
}

async fn several_tickets_are_assigned_and_moved_at_once(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let other_op = app.user("secondo", "operator", &[]).await;
    let api = app.api(&op).await;
    let e = app.entity("Comune di Mezzo", None).await;
    let mut ids = Vec::new();
    for s in ["Uno", "Due", "Tre"] {
        let (_, t) = api
            .send_json(
                Method::POST,
                "/api/v1/tickets",
                ticket(e.id, s, "low", "2026-11-25T09:00:00+01:00"),
            )
            .await;
        ids.push(t["id"].as_i64().unwrap().to_string());
    }
    let br = app.browser("operatore").await;
    let other = other_op.id.to_string();
    let form = |action: &'static str, who: &str, which: &[&String]| {
        let mut f = vec![
            ("action".to_owned(), action.to_owned()),
            ("assigned_to".to_owned(), who.to_owned()),
            ("back".to_owned(), "/tickets?stato=tutti".to_owned()),
        ];
        f.extend(which.iter().map(|i| ("ids".to_owned(), (*i).clone())));
        f
    };
    let post = |f: Vec<(String, String)>| {
        let br = &br;
        async move {
            let refs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let (s, html) = br.post_follow("/tickets/bulk", &refs).await;
            (s, html.replace("&#39;", "'"))
        }
    };
    let (s, html) = post(form("assign", &other, &[&ids[0], &ids[1]])).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("2 ticket assegnati a Utente secondo"),
        "{html}"
    );
    let (_, v) = api
        .get(&format!("/api/v1/tickets?assigned_to={}", other_op.id))
        .await;
    assert_eq!(v["total"], 2);
    // Taking charge of all three; then "waiting" for the entity: each is its own change.
    let (_, html) = post(form("take", "", &[&ids[0], &ids[1], &ids[2]])).await;
    assert!(html.contains("3 ticket presi in carico"), "{html}");
    let (_, html) = post(form("waiting_entity", "", &[&ids[0]])).await;
    assert!(
        html.contains("messo in attesa dell&#x27;ente")
            || html.contains("messo in attesa dell'ente"),
        "{html}"
    );
    // What cannot happen is named, the rest is done: a ticket already waiting cannot wait again.
    let (_, html) = post(form("waiting_entity", "", &[&ids[0], &ids[1]])).await;
    assert!(html.contains("1 non modificato"), "{html}");
    assert!(html.contains("messo in attesa"), "{html}");
    // Resolving needs a note for the requester: not from the queue.
    let (_, html) = post(form("resolved", "", &[&ids[2]])).await;
    assert!(html.contains("nota di risoluzione"), "{html}");
    let (_, v) = api.get(&format!("/api/v1/tickets/{}", ids[2])).await;
    assert_eq!(v["state"], "in_progress");
    // Nothing chosen, or an operation that does not exist: said, nothing changed.
    let (_, html) = post(form("assign", &other, &[])).await;
    assert!(html.contains("Selezionare almeno un ticket"), "{html}");
    let (_, html) = post(form("cancella", "", &[&ids[2]])).await;
    assert!(
        html.contains("Scegliere l&#x27;operazione") || html.contains("Scegliere l'operazione"),
        "{html}"
    );
    // `back` only leads to the queue.
    let r = br
        .http
        .post(format!("{}/tickets/bulk", br.base))
        .form(&[
            ("_csrf", br.csrf.as_str()),
            ("action", "take"),
            ("ids", &ids[2]),
            ("back", "https://altrove.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/tickets");
}

async fn each_role_finds_its_work_on_the_home_page(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("capo", "admin", &[]).await;
    let op = app.user("operatore", "operator", &[]).await;
    let e = app.entity("Comune di Mezzo", None).await;
    app.user("referente", "contact", &[e.id]).await;
    let supplier = app.user("fornitore", "supplier", &[e.id]).await;
    let api = app.api(&op).await;
    let mut ids = Vec::new();
    for (s, p, r) in [
        ("Vecchio", "high", "2026-11-16T09:00:00+01:00"),
        ("Nuovo", "low", "2026-11-25T11:30:00+01:00"),
        ("Atteso", "medium", "2026-11-25T09:00:00+01:00"),
    ] {
        let (_, t) = api
            .send_json(Method::POST, "/api/v1/tickets", ticket(e.id, s, p, r))
            .await;
        ids.push(t["id"].as_i64().unwrap());
    }
    api.send_json(
        Method::POST,
        &format!("/api/v1/tickets/{}/take-charge", ids[2]),
        json!({}),
    )
    .await;
    api.send_json(
        Method::POST,
        &format!("/api/v1/tickets/{}/state", ids[2]),
        json!({"state": "waiting_entity"}),
    )
    .await;
    api.send_json(
        Method::POST,
        &format!("/api/v1/tickets/{}/phases", ids[1]),
        json!({"supplier_id": supplier.id, "title": "Sopralluogo in municipio"}),
    )
    .await;
    let _ = admin;
    // Staff: the open queue by priority, what is overdue and unassigned, each a link to the
    // filtered list.
    let br = app.browser("operatore").await;
    let (s, html) = br.get("/").await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"card-queue\""), "{html}");
    let card = |id: &str| {
        let start = html.find(&format!("id=\"{id}\"")).unwrap();
        let end = html[start..].find("</section>").unwrap() + start;
        html[start..end].to_owned()
    };
    let queue = card("card-queue");
    assert!(queue.contains(">3<"), "three open: {queue}");
    assert!(queue.contains("href=\"/tickets?priorita=high\""), "{queue}");
    let todo = card("card-todo");
    assert!(todo.contains("href=\"/tickets?scaduti=1\""), "{todo}");
    // Overdue: "Vecchio" (high, new, a week late); unassigned: "Vecchio" and "Nuovo".
    let figures: Vec<&str> = todo
        .split("text-nowrap\">")
        .skip(1)
        .map(|x| x.split('<').next().unwrap())
        .collect();
    assert_eq!(
        figures,
        ["1", "2", "1", "1"],
        "overdue, unassigned, mine, waiting: {todo}"
    );
    assert!(card("card-sla").contains("SLA di novembre 2026"));
    assert!(html.contains("id=\"card-agreements\""));
    assert!(html.contains("id=\"card-backups\""));
    assert!(!html.contains("id=\"card-jobs\""), "jobs are the admins'");
    let (_, html) = app.browser("capo").await.get("/").await;
    assert!(html.contains("id=\"card-jobs\""));
    // The contact: the request waiting for them first, a button to open one.
    let (_, html) = app.browser("referente").await.get("/").await;
    let requests = &html[html.find("id=\"card-requests\"").unwrap()..];
    let (atteso, vecchio) = (
        requests.find("Atteso").unwrap(),
        requests.find("Vecchio").unwrap(),
    );
    assert!(atteso < vecchio, "waiting for them comes first");
    assert!(requests.contains("aspetta la tua risposta"));
    assert!(html.contains("href=\"/tickets/new\""));
    assert!(html.contains("id=\"card-fee\"") && html.contains("id=\"card-agreements\""));
    assert!(
        !html.contains("card-queue"),
        "a contact does not see the centre's queue"
    );
    // The supplier: their phase.
    let (_, html) = app.browser("fornitore").await.get("/").await;
    assert!(html.contains("Sopralluogo in municipio"), "{html}");
    assert!(!html.contains("card-requests") && !html.contains("card-queue"));
}

async fn error_pages_keep_the_persons_menu(b: Backend) {
    let app = spawn_app(b).await;
    app.user("operatore", "operator", &[]).await;
    let br = app.browser("operatore").await;
    for path in ["/nessuna-pagina", "/tickets/999999", "/users"] {
        let (s, html) = br.get(path).await;
        assert!(s == 404 || s == 403, "{path}: {s}");
        assert!(
            html.contains("id=\"main-menu\""),
            "{path}: the menu is kept"
        );
        assert!(
            html.contains("operatore · Operatore"),
            "{path}: the person is named"
        );
    }
    // Without a session: the plain frame.
    let r = reqwest::get(app.url("/nessuna-pagina")).await.unwrap();
    assert_eq!(r.status(), 404);
    let html = r.text().await.unwrap();
    assert!(html.contains("Pagina non trovata") && !html.contains("main-menu"));
}
