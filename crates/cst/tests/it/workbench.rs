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
    a_tickets_story_tells_everything_in_order,
    destructive_actions_ask_first_and_name_the_consequence,
    the_audit_register_reads_in_italian_and_filters,
    the_entity_list_sorts_pages_and_exports,
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
                json!({ "state": st, "note": "Fatto." }),
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
    let part = br.get_htmx("/tickets?q=brav").await;
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
    assert!(html.contains("Scegliere un operatore"), "{html}");
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

async fn a_tickets_story_tells_everything_in_order(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let e = app.entity("Comune di Mezzo", None).await;
    let contact = app.user("referente", "contact", &[e.id]).await;
    let supplier = app.user("fornitore", "supplier", &[e.id]).await;
    let (_, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            json!({"entity_id": e.id, "subject": "Server lento", "priority": "low", "channel": "phone",
                   "received_at": "2026-11-25T09:00:00+01:00", "requester_email": "ced@mezzo.example.it"}),
        )
        .await;
    let id = t["id"].as_i64().unwrap();
    let path = |p: &str| format!("/api/v1/tickets/{id}{p}");
    let ok = |s: u16, v: &Value| assert!(s < 300, "{v}");
    let (s, v) = api
        .send_json(
            Method::POST,
            &path("/assign"),
            json!({"assigned_to": op.id}),
        )
        .await;
    ok(s, &v);
    let (s, v) = api
        .send_json(
            Method::POST,
            &path("/priority"),
            json!({"priority": "high"}),
        )
        .await;
    ok(s, &v);
    let (s, v) = api
        .send_json(Method::POST, &path("/take-charge"), json!({}))
        .await;
    ok(s, &v);
    let (s, v) = api
        .send_json(
            Method::POST,
            &path("/messages"),
            json!({"body": "Quale server?"}),
        )
        .await;
    ok(s, &v);
    let (s, v) = api
        .send_json(
            Method::POST,
            &path("/messages"),
            json!({"body": "Chiamare il fornitore", "internal": true}),
        )
        .await;
    ok(s, &v);
    let (s, v) = api
        .send_json(
            Method::POST,
            &path("/state"),
            json!({"state": "waiting_entity"}),
        )
        .await;
    ok(s, &v);
    let (s, v) = app
        .api(&contact)
        .await
        .send_json(
            Method::POST,
            &path("/messages"),
            json!({"body": "Quello del protocollo"}),
        )
        .await;
    ok(s, &v);
    let (s, phase) = api
        .send_json(
            Method::POST,
            &path("/phases"),
            json!({"supplier_id": supplier.id, "title": "Sostituzione dischi"}),
        )
        .await;
    ok(s, &phase);
    let (s, v) = app
        .api(&supplier)
        .await
        .send_json(
            Method::POST,
            &format!("/api/v1/phases/{}/updates", phase["id"]),
            json!({"state": "done", "body": "Dischi sostituiti, RAID ricostruito"}),
        )
        .await;
    ok(s, &v);
    // Resolving needs the note for the requester: refused without, nothing changed.
    let (s, p) = api
        .send_json(Method::POST, &path("/state"), json!({"state": "resolved"}))
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "note", "{p}");
    let (_, v) = api.get(&path("")).await;
    assert_eq!(v["state"], "in_progress");
    let (s, v) = api
        .send_json(
            Method::POST,
            &path("/state"),
            json!({"state": "resolved", "note": "Sostituiti i dischi del server del protocollo."}),
        )
        .await;
    ok(s, &v);
    // The note is in the thread, public, and e-mailed like any reply.
    let (_, msgs) = api.get(&path("/messages")).await;
    let last = msgs["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["body"],
        "Sostituiti i dischi del server del protocollo."
    );
    assert_eq!(last["internal"], false);

    let page = |html: String| html.replace("&#39;", "'").replace("&#x27;", "'");
    let (_, staff) = app
        .browser("operatore")
        .await
        .get(&format!("/tickets/{id}"))
        .await;
    let staff = page(staff);
    let start = staff.find("id=\"thread\"").unwrap();
    let story = &staff[start..start + staff[start..].find("</ol>").unwrap()];
    let expected = [
        "Richiesta ricevuta per telefono",
        "Assegnata a Utente operatore",
        "Priorità cambiata da bassa ad alta",
        "Presa in carico",
        "Quale server?",
        "Chiamare il fornitore",
        "In attesa di una risposta dell'ente",
        "Quello del protocollo",
        "Fase «Sostituzione dischi» affidata a Utente fornitore",
        "Fase «Sostituzione dischi»: completata",
        "Dischi sostituiti, RAID ricostruito",
        "Sostituiti i dischi del server del protocollo.",
        "Risolta",
    ];
    let mut from = 0;
    for x in expected {
        let at = story[from..]
            .find(x)
            .unwrap_or_else(|| panic!("«{x}» missing or out of order in {story}"));
        from += at;
    }
    assert!(
        story.contains("E-mail a ced@mezzo.example.it in coda di invio"),
        "{story}"
    );
    assert!(
        story.contains("[Ticket 2026/000001] Server lento"),
        "the e-mail's subject: {story}"
    );
    // The contact reads the same story without the internal note nor the supplier's words.
    let (_, theirs) = app
        .browser("referente")
        .await
        .get(&format!("/tickets/{id}"))
        .await;
    let theirs = page(theirs);
    assert!(theirs.contains("Presa in carico") && theirs.contains("Risolta"));
    assert!(
        !theirs.contains("Chiamare il fornitore"),
        "internal notes stay internal"
    );
    assert!(
        !theirs.contains("RAID ricostruito"),
        "the supplier's notes are the centre's"
    );
    assert!(theirs.contains("Fase «Sostituzione dischi»: completata"));
    // The page's resolve form: without a note, refused with what to do (a resolved ticket is
    // reopened first to try it).
    let br = app.browser("operatore").await;
    let (_, html) = br
        .post_follow(&format!("/tickets/{id}/state"), &[("state", "in_progress")])
        .await;
    assert!(page(html).contains("ora è «In lavorazione»"));
    let (_, html) = br
        .post_follow(
            &format!("/tickets/{id}/state"),
            &[("state", "resolved"), ("note", "  ")],
        )
        .await;
    assert!(page(html).contains("Scrivere la nota di risoluzione"));
}

async fn destructive_actions_ask_first_and_name_the_consequence(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("capo", "admin", &[]).await;
    let api = app.api(&admin).await;
    let e = app.entity("Comune di Mezzo", None).await;
    let (s, a) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{}/agreements", e.id),
            json!({"number": "59/2024", "start_date": "2024-01-01", "term_years": 5, "signed": true}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let aid = a["id"].as_i64().unwrap();
    let version = a["version"].as_i64().unwrap().to_string();
    let (_, c) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{}/contacts", e.id),
            json!({"full_name": "Marco Zanon", "email": "protocollo@mezzo.example.it"}),
        )
        .await;
    let cid = c["id"].as_i64().unwrap();
    let br = app.browser("capo").await;
    let page = |h: String| h.replace("&#39;", "'");
    let agreement = format!("/api/v1/entities/{}/agreements/{aid}", e.id);
    let act = format!("/entities/{}/agreements/{aid}", e.id);
    // No date: refused, saying what is needed; nothing changed.
    let (_, html) = br
        .post_follow(
            &act,
            &[("action", "terminate"), ("date", ""), ("version", &version)],
        )
        .await;
    assert!(page(html).contains("indicare l'ultimo giorno"));
    assert_eq!(api.get(&agreement).await.1["state"], "active");
    // With the date: a confirmation that names the consequence, and still nothing changed.
    let (s, html) = br
        .post(
            &act,
            &[
                ("action", "terminate"),
                ("date", "2026-12-01"),
                ("version", &version),
            ],
        )
        .await;
    let html = page(html);
    assert_eq!(s, 200);
    assert!(
        html.contains("Cessare la convenzione n. 59/2024 del Comune di Mezzo?"),
        "{html}"
    );
    assert!(
        html.contains("Dal 02/12/2026 all'ente non si potranno addebitare servizi"),
        "{html}"
    );
    assert!(html.contains("name=\"confermato\" value=\"1\""));
    assert_eq!(
        api.get(&agreement).await.1["state"],
        "active",
        "asking changes nothing"
    );
    // Confirmed: done, with the reason typed on the confirmation page, and said.
    let (_, html) = br
        .post_follow(
            &act,
            &[
                ("action", "terminate"),
                ("date", "2026-12-01"),
                ("version", &version),
                ("reason", "Recesso del comune"),
                ("confermato", "1"),
            ],
        )
        .await;
    assert!(page(html).contains("Convenzione cessata: in vigore fino al 01/12/2026."));
    let (_, after) = api
        .get(&format!("/api/v1/entities/{}/agreements/{aid}", e.id))
        .await;
    assert_eq!(after["state"], "terminated");
    assert_eq!(after["terminated_on"], "2026-12-01");
    assert_eq!(after["termination_reason"], "Recesso del comune");
    // A contact: asked first, removed once confirmed.
    let del = format!("/entities/{}/contacts/{cid}/delete", e.id);
    let (s, html) = br.post(&del, &[]).await;
    assert_eq!(s, 200);
    assert!(html.contains("Rimuovere Marco Zanon dai referenti del Comune di Mezzo?"));
    let (_, list) = api
        .get(&format!("/api/v1/entities/{}/contacts", e.id))
        .await;
    assert_eq!(
        list.as_array().map_or(0, Vec::len) + list["items"].as_array().map_or(0, Vec::len),
        1
    );
    let (_, html) = br.post_follow(&del, &[("confermato", "1")]).await;
    assert!(page(html.clone()).contains("Marco Zanon non è più tra i referenti."));
    let (_, list) = api
        .get(&format!("/api/v1/entities/{}/contacts", e.id))
        .await;
    assert_eq!(
        list.as_array().map_or(0, Vec::len) + list["items"].as_array().map_or(0, Vec::len),
        0
    );
    // Undo: the confirmation carries the contact's data; putting it back restores them.
    let html = page(html);
    let i = html.find("id=\"contact-restore\"").expect("an undo button");
    let form = &html[i..html[i..].find("</form>").unwrap() + i];
    let field = |name: &str| {
        let at = form.find(&format!("name=\"{name}\" value=\"")).unwrap() + name.len() + 15;
        form[at..].split('"').next().unwrap().to_owned()
    };
    let restore: Vec<(String, String)> = ["full_name", "role", "email", "phone", "is_primary"]
        .iter()
        .map(|k| ((*k).to_owned(), field(k)))
        .collect();
    let restore: Vec<(&str, &str)> = restore
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (_, html) = br
        .post_follow(&format!("/entities/{}/contacts", e.id), &restore)
        .await;
    assert!(page(html).contains("Marco Zanon è tra i referenti."));
    let (_, list) = api
        .get(&format!("/api/v1/entities/{}/contacts", e.id))
        .await;
    let back = list
        .as_array()
        .cloned()
        .or_else(|| list["items"].as_array().cloned())
        .unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0]["full_name"], "Marco Zanon");
    assert_eq!(back[0]["email"], "protocollo@mezzo.example.it");
    // Deactivating an account: asked first, naming the sessions and tokens it ends.
    let victim = app.user("uscente", "operator", &[]).await;
    let form = [
        ("full_name", "Utente uscente"),
        ("role", "operator"),
        ("email", ""),
    ];
    let (s, html) = br.post(&format!("/users/{}", victim.id), &form).await;
    assert_eq!(s, 200);
    let html = page(html);
    assert!(html.contains("Disattivare l'account uscente?"), "{html}");
    assert!(html.contains("le sue sessioni aperte finiscono subito"));
    assert!(
        accounts::store::by_id(&app.db, victim.id)
            .await
            .unwrap()
            .active,
        "asking changes nothing"
    );
    let mut confirmed = form.to_vec();
    confirmed.push(("confermato", "1"));
    let (_, html) = br
        .post_follow(&format!("/users/{}", victim.id), &confirmed)
        .await;
    assert!(page(html).contains("Account uscente disattivato."));
    assert!(
        !accounts::store::by_id(&app.db, victim.id)
            .await
            .unwrap()
            .active
    );
}

async fn the_audit_register_reads_in_italian_and_filters(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("capo", "admin", &[]).await;
    let op = app.user("operatore", "operator", &[]).await;
    let e = app.entity("Comune di Mezzo", None).await;
    let (s, v) = app
        .api(&admin)
        .await
        .send_json(
            Method::PATCH,
            &format!("/api/v1/entities/{}", e.id),
            json!({"workstations": 1450}),
        )
        .await;
    assert!(s < 300, "{v}");
    let api = app.api(&op).await;
    let (_, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            ticket(e.id, "Stampante", "low", "2026-11-25T09:00:00+01:00"),
        )
        .await;
    api.send_json(
        Method::POST,
        &format!("/api/v1/tickets/{}/take-charge", t["id"]),
        json!({}),
    )
    .await;
    let br = app.browser("capo").await;
    let page = |h: String| h.replace("&#39;", "'");
    let (s, html) = br.get(&format!("/audit?ente={}", e.id)).await;
    assert_eq!(s, 200);
    let html = page(html);
    assert!(html.contains("Ente modificato"), "{html}");
    assert!(
        html.contains("postazioni di lavoro"),
        "the change is named: {html}"
    );
    assert!(html.contains("Utente capo"), "names, not account labels");
    assert!(!html.contains("user:"), "no raw labels: {html}");
    assert!(html.contains("Presa in carico"));
    assert!(html.contains("Ticket 2026/000001"));
    // The records only (the filters' choices name every action).
    let records = |h: &str| h[h.find("id=\"audit-table\"").unwrap()..].to_owned();
    // By person, by what, by action.
    let (_, html) = br.get(&format!("/audit?chi={}", op.id)).await;
    let r = records(&html);
    assert!(r.contains("Presa in carico") && !r.contains("Ente modificato"));
    let (_, html) = br.get("/audit?oggetto=entity").await;
    let r = records(&html);
    assert!(r.contains("Ente modificato") && !r.contains("Presa in carico"));
    let (_, html) = br.get("/audit?azione=ticket%2Ftake_charge").await;
    let r = records(&html);
    assert!(
        r.contains("Presa in carico") && !r.contains("Ticket aperto"),
        "{r}"
    );
    assert!(html.contains("1 registrazione"), "the total: {html}");
    // Oldest first, as an htmx partial; the CSV of what is filtered.
    let newest = records(&br.get("/audit").await.1);
    let oldest = br.get_htmx("/audit?inverso=1").await;
    assert!(!oldest.contains("<html"), "a partial");
    let first_seq = |h: &str| {
        let i = h.find("id=\"audit-").unwrap();
        h[i..].split('"').nth(1).unwrap().to_owned()
    };
    assert_ne!(
        first_seq(&newest),
        first_seq(&oldest[oldest.find("audit-table").unwrap()..])
    );
    let (s, csv) = br.get(&format!("/audit.csv?ente={}", e.id)).await;
    assert_eq!(s, 200);
    assert!(
        csv.starts_with("numero,quando,chi,azione,oggetto,ente,modifiche,hash"),
        "{csv}"
    );
    assert!(
        csv.contains("Ente modificato") && csv.contains("postazioni di lavoro"),
        "{csv}"
    );
    // By day: nothing in the future; a day that is not a date is said.
    let (_, html) = br.get("/audit?dal=2099-01-01").await;
    assert!(html.contains("Nessuna registrazione corrisponde ai filtri"));
    let (s, html) = br.get("/audit?dal=ieri").await;
    assert_eq!(s, 400);
    assert!(html.contains("aaaa-mm-gg"));
    // The entity's page tells its latest changes the same way.
    let (_, html) = br.get(&format!("/entities/{}", e.id)).await;
    let html = page(html);
    let history = &html[html.find("id=\"entity-history\"").unwrap()..];
    assert!(history.contains("Ente modificato") && history.contains("postazioni di lavoro"));
}

async fn the_entity_list_sorts_pages_and_exports(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("capo", "admin", &[]).await;
    let api = app.api(&admin).await;
    for (name, ws) in [
        ("Comune di Alfa", 5),
        ("Comune di Beta", 1450),
        ("Comune di Gamma", 40),
    ] {
        let (s, v) = api
            .send_json(
                Method::POST,
                "/api/v1/entities",
                json!({"name": name, "kind": "comune", "workstations": ws}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
    }
    let br = app.browser("capo").await;
    let order = |html: &str| {
        let mut at: Vec<(usize, &str)> = ["Alfa", "Beta", "Gamma"]
            .into_iter()
            .map(|n| (html.find(&format!("Comune di {n}")).unwrap(), n))
            .collect();
        at.sort();
        at.into_iter().map(|(_, n)| n).collect::<Vec<_>>()
    };
    let (_, html) = br.get("/entities").await;
    assert_eq!(order(&html), ["Alfa", "Beta", "Gamma"], "A to Z by default");
    assert!(html.contains("aria-sort=\"ascending\""));
    let (_, html) = br.get("/entities?ordine=workstations").await;
    assert_eq!(
        order(&html),
        ["Beta", "Gamma", "Alfa"],
        "most workstations first"
    );
    assert!(html.contains("1.450"), "thousands the Italian way");
    let (_, html) = br.get("/entities?ordine=name&inverso=1").await;
    assert_eq!(order(&html), ["Gamma", "Beta", "Alfa"]);
    let (_, html) = br
        .get("/entities?q=comune+di&ordine=nonsense&pagina=x")
        .await;
    assert_eq!(
        order(&html),
        ["Alfa", "Beta", "Gamma"],
        "nonsense is no order at all"
    );
    assert!(html.contains("3 enti"));
    // htmx gets the list alone; the CSV is what is filtered, in its order.
    let part = br.get_htmx("/entities?q=beta").await;
    assert!(
        part.starts_with("<div id=\"entity-list\">") && part.contains("1 ente"),
        "{part}"
    );
    let (s, csv) = br
        .get("/entities.csv?q=comune+di&ordine=workstations")
        .await;
    assert_eq!(s, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "denominazione,tipo,codice ISTAT,provincia,popolazione,postazioni di lavoro"
    );
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[1].starts_with("Comune di Beta,") && lines[1].ends_with(",1450"),
        "{csv}"
    );
}
