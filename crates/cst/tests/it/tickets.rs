//! The help desk through the API: numbering, the take-charge SLA in the entity's calendar,
//! scope, and the SLA report.

use kernel::calendar::Calendar;
use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app, Backend};

backends!(
    tickets_get_a_number_and_a_take_charge_deadline_in_working_time,
    contacts_open_tickets_for_their_entities_only,
    concurrent_tickets_are_numbered_without_gaps_or_doubles,
    the_sla_report_counts_met_missed_and_pending,
    the_thread_and_the_paused_resolution_clock,
    profiles_order_the_queue_and_open_the_saturday_on_call,
    the_warranty_reopens_the_same_problem_within_ten_working_days,
    suppliers_see_and_update_only_their_phases,
    a_failed_or_missing_backup_report_opens_one_ticket,
    admins_set_the_sla_policy_and_the_calendars,
    reclassifying_the_priority_moves_the_deadlines,
    uploads_over_the_limits_are_refused_and_store_nothing,
    csv_exports_neutralise_formulas,
    refusals_come_back_with_what_was_typed_never_through_the_url,
    the_queue_is_searched_and_filtered_to_what_is_overdue,
);

fn phone(entity: i64, received: &str, priority: &str) -> Value {
    json!({"entity_id": entity, "subject": "Il server non risponde", "description": "Chiamata del sindaco",
           "priority": priority, "channel": "phone", "received_at": received})
}

async fn tickets_get_a_number_and_a_take_charge_deadline_in_working_time(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let e = app.entity("Comune di Mezzo", None).await;

    // Default calendar: Padova (Mon–Thu 9:00–16:30). Monday 10:00 + 8 h → Tuesday 10:30.
    let (s, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(e.id, "2026-11-16T10:00:00+01:00", "high"),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    assert_eq!(t["number"], "2026/000001");
    assert_eq!(t["state"], "new");
    assert_eq!(t["channel"], "phone");
    assert_eq!(t["received_at"], "2026-11-16T10:00:00+01:00");
    assert_eq!(t["take_charge_due_at"], "2026-11-17T10:30:00+01:00");
    assert_eq!(t["take_charge_met"], false, "long past due and not taken");

    // The centre chooses the Consorzio.IT calendar: 10:00 + 8 h → Tuesday 10:00; medium 12 h →
    // Tuesday 15:30; low 16 h → Wednesday 10:00. A 2025 call is numbered in 2025.
    helpdesk::store::set_calendar(
        &app.db,
        &kernel::Actor::system("t"),
        None,
        "consorzio-it",
        &Calendar::preset("consorzio-it").unwrap(),
    )
    .await
    .unwrap();
    for (priority, due, number) in [
        ("high", "2026-11-17T10:00:00+01:00", "2026/000002"),
        ("medium", "2026-11-17T15:30:00+01:00", "2026/000003"),
        ("low", "2026-11-18T10:00:00+01:00", "2026/000004"),
    ] {
        let (s, t) = api
            .send_json(
                Method::POST,
                "/api/v1/tickets",
                phone(e.id, "2026-11-16T10:00:00+01:00", priority),
            )
            .await;
        assert_eq!(s, 201, "{t}");
        assert_eq!(t["take_charge_due_at"], due, "{priority}");
        assert_eq!(t["number"], number);
    }
    // A call dated eleven months back is a typo (year 0001 and 1970 were accepted once)…
    for when in [
        "2025-12-31T17:30:00+01:00",
        "0001-01-01T00:00:00Z",
        "1970-01-01T00:00:00Z",
    ] {
        let (s, p) = api
            .send_json(Method::POST, "/api/v1/tickets", phone(e.id, when, "high"))
            .await;
        assert_eq!(
            (s, p["errors"][0]["field"].as_str()),
            (422, Some("received_at")),
            "{p}"
        );
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("non può essere anteriore al 26/10/2026"),
            "{p}"
        );
    }
    // …unless the centre allows logging a year back.
    helpdesk::store::set_policy(
        &app.db,
        &kernel::Actor::system("t"),
        &helpdesk::sla::SlaPolicy {
            received_max_days_back: 365,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (_, old) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(e.id, "2025-12-31T17:30:00+01:00", "high"),
        )
        .await;
    assert_eq!(old["number"], "2025/000001");
    // Wednesday 31 December 17:30 + 8 h: 0.5 h, New Year's Day closed, then Friday 2 January
    // 8:30–12:30 and 14:00 + 3.5 h.
    assert_eq!(old["take_charge_due_at"], "2026-01-02T17:30:00+01:00");

    // An entity with its own calendar (LTT works on Saturday mornings).
    helpdesk::store::set_calendar(
        &app.db,
        &kernel::Actor::system("t"),
        Some(e.id),
        "ltt",
        &Calendar::preset("ltt").unwrap(),
    )
    .await
    .unwrap();
    let (_, sat) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(e.id, "2026-11-20T17:00:00+01:00", "high"),
        )
        .await;
    // Friday 17:00: 1 h, Saturday 9–13: 4 h, Monday 9:00 + 3 h.
    assert_eq!(sat["take_charge_due_at"], "2026-11-23T12:00:00+01:00");

    // Take charge: the operator is named; a second time is refused.
    let id = t_id(&sat);
    let (s, taken) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/take-charge"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{taken}");
    assert_eq!(taken["state"], "in_progress");
    assert_eq!(taken["taken_by"], "operatore");
    let (s, p) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/take-charge"),
            json!({}),
        )
        .await;
    assert_eq!(s, 409, "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("da operatore"),
        "{p}"
    );
    let (s, one) = api.get(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(one["number"], sat["number"]);

    // Wrong requests: every wrong field at once, nothing stored.
    let before = count(&app).await;
    let (s, p) = api
        .send_json(Method::POST, "/api/v1/tickets", json!({"entity_id": e.id, "subject": " ", "priority": "urgent", "channel": "fax", "colour": "red"}))
        .await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["colour"]);
    let (s, p) = api
        .send_json(Method::POST, "/api/v1/tickets", json!({"entity_id": e.id, "subject": " ", "priority": "urgent", "channel": "fax", "received_at": "ieri"}))
        .await;
    assert_eq!(s, 422, "{p}");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["subject", "priority", "channel", "received_at"]);
    // Control characters: a NUL anywhere is refused before any handler, a line break in the
    // subject by the ticket's own rule; nothing is stored.
    let stored = api
        .get(&format!("/api/v1/tickets?entity_id={}", e.id))
        .await
        .1["total"]
        .clone();
    for (body, field, code) in [
        (
            json!({"entity_id": e.id, "subject": "Stampante\u{0}", "priority": "low", "channel": "phone"}),
            "subject",
            "control_characters",
        ),
        (
            json!({"entity_id": e.id, "subject": "Stampante\nrotta", "priority": "low", "channel": "phone"}),
            "subject",
            "invalid_fields",
        ),
        (
            json!({"entity_id": e.id, "subject": "Stampante", "description": "riga\u{1b}[31m", "priority": "low", "channel": "phone"}),
            "description",
            "control_characters",
        ),
    ] {
        let (s, p) = api.send_json(Method::POST, "/api/v1/tickets", body).await;
        assert_eq!(
            (s, p["errors"][0]["field"].as_str(), p["code"].as_str()),
            (422, Some(field), Some(code)),
            "{p}"
        );
        assert!(
            p["request_id"].as_str().is_some_and(|r| r.len() == 16),
            "{p}"
        );
    }
    let after = api
        .get(&format!("/api/v1/tickets?entity_id={}", e.id))
        .await
        .1["total"]
        .clone();
    assert_eq!(after, stored);
    let (s, p) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(e.id, "2099-01-01T10:00:00+01:00", "high"),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    let (s, _) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(e.id + 1000, "2026-11-16T10:00:00+01:00", "high"),
        )
        .await;
    assert_eq!(s, 404);
    assert_eq!(count(&app).await, before);
    // Each ticket and take-charge is in the audit chain.
    let audited: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE object_type = 'ticket'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(audited, before + 1);
    let (s, ok) = api
        .send_json(Method::POST, "/api/v1/tickets", json!({"entity_id": e.id, "subject": "Stampante", "description": "riga uno\n\triga due", "priority": "low", "channel": "phone"}))
        .await;
    assert_eq!(s, 201, "a multi-line description keeps its lines: {ok}");
    assert_eq!(ok["description"], "riga uno\n\triga due");
}

fn t_id(t: &Value) -> i64 {
    t["id"].as_i64().unwrap()
}

async fn count(app: &testkit::TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn contacts_open_tickets_for_their_entities_only(b: Backend) {
    let app = spawn_app(b).await;
    let mine = app.entity("Comune Mio", None).await;
    let other = app.entity("Comune Altrui", None).await;
    let contact = app.user("referente", "contact", &[mine.id]).await;
    let capi = app.api(&contact).await;
    let (s, t) = capi
        .send_json(Method::POST, "/api/v1/tickets", json!({"entity_id": mine.id, "subject": "Stampante", "priority": "low", "channel": "phone"}))
        .await;
    assert_eq!(s, 201, "{t}");
    assert_eq!(t["channel"], "portal", "a contact writes from the portal");
    let (s, p) = capi
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(mine.id, "2026-11-16T10:00:00+01:00", "low"),
        )
        .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "received_at");
    let (s, _) = capi
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            json!({"entity_id": other.id, "subject": "x", "priority": "low", "channel": "portal"}),
        )
        .await;
    assert_eq!(s, 404);
    // Staff open one for the other entity; the contact neither lists nor reads it.
    let op = app.user("operatore", "operator", &[]).await;
    let oapi = app.api(&op).await;
    let (_, theirs) = oapi
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(other.id, "2026-11-16T10:00:00+01:00", "high"),
        )
        .await;
    let (_, list) = capi.get("/api/v1/tickets").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["entity_name"], "Comune Mio");
    let (_, filtered) = capi
        .get(&format!("/api/v1/tickets?entity_id={}", other.id))
        .await;
    assert_eq!(filtered["total"], 0);
    assert_eq!(
        capi.get(&format!("/api/v1/tickets/{}", t_id(&theirs)))
            .await
            .0,
        404
    );
    // The contact cannot take charge; staff see both.
    let (s, _) = capi
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{}/take-charge", t_id(&t)),
            json!({}),
        )
        .await;
    assert_eq!(s, 403);
    let (_, all) = oapi.get("/api/v1/tickets").await;
    assert_eq!(all["total"], 2);
    let (_, by_entity) = oapi
        .get(&format!("/api/v1/tickets?entity_id={}&state=new", mine.id))
        .await;
    assert_eq!(by_entity["total"], 1);
    assert_eq!(oapi.get("/api/v1/tickets?state=boh").await.0, 400);
    // A supplier assigned to the entity does not open tickets for it (phases come to them).
    let supplier = app.user("fornitore", "supplier", &[mine.id]).await;
    let (s, _) = app
        .api(&supplier)
        .await
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            json!({"entity_id": mine.id, "subject": "x", "priority": "low", "channel": "portal"}),
        )
        .await;
    assert_eq!(s, 403);
    let (_, none) = app.api(&supplier).await.get("/api/v1/tickets").await;
    assert_eq!(none["total"], 0);
}

async fn concurrent_tickets_are_numbered_without_gaps_or_doubles(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let e = app.entity("Comune di Mezzo", None).await;
    // Every request is sent before any answer is awaited.
    let tasks: Vec<_> = (0..24)
        .map(|_| {
            let rb = api.request(Method::POST, "/api/v1/tickets").json(&phone(
                e.id,
                "2026-11-16T10:00:00+01:00",
                "medium",
            ));
            tokio::spawn(async move {
                let r = rb.send().await.unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut numbers = Vec::new();
    for t in tasks {
        let (s, t) = t.await.unwrap();
        assert_eq!(s, 201, "{t}");
        numbers.push(t["number"].as_str().unwrap().to_owned());
    }
    numbers.sort();
    let expected: Vec<String> = (1..=24).map(|n| format!("2026/{n:06}")).collect();
    assert_eq!(numbers, expected);
}

async fn the_sla_report_counts_met_missed_and_pending(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let e = app.entity("Comune di Mezzo", None).await;
    // High: one missed (received a week ago, taken now), one met (received now, taken now).
    let (_, late) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(e.id, "2026-11-02T10:00:00+01:00", "high"),
        )
        .await;
    api.send_json(
        Method::POST,
        &format!("/api/v1/tickets/{}/take-charge", t_id(&late)),
        json!({}),
    )
    .await;
    let (_, fresh) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            json!({"entity_id": e.id, "subject": "Ora", "priority": "high", "channel": "portal"}),
        )
        .await;
    api.send_json(
        Method::POST,
        &format!("/api/v1/tickets/{}/take-charge", t_id(&fresh)),
        json!({}),
    )
    .await;
    // Low: one past due and never taken (missed); Medium: one received now, not taken (pending).
    api.send_json(
        Method::POST,
        "/api/v1/tickets",
        phone(e.id, "2026-11-03T10:00:00+01:00", "low"),
    )
    .await;
    api.send_json(
        Method::POST,
        "/api/v1/tickets",
        json!({"entity_id": e.id, "subject": "Dopo", "priority": "medium", "channel": "portal"}),
    )
    .await;
    let today = app.clock.today();
    let (s, r) = api
        .get(&format!("/api/v1/reports/sla?from=2026-11-01&to={today}"))
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["target_percent"], 90);
    let line = |p: &str| {
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["priority"] == p)
            .unwrap()
            .clone()
    };
    assert_eq!(line("high")["total"], 2);
    assert_eq!(line("high")["met"], 1);
    assert_eq!(line("high")["percent"], 50.0);
    assert_eq!(line("low")["total"], 1);
    assert_eq!(line("low")["met"], 0);
    assert_eq!(line("medium")["total"], 0);
    assert_eq!(line("medium")["pending"], 1);
    assert_eq!(line("medium")["percent"], 100.0);
    // Outside the period nothing counts; a reversed period is refused; contacts may not see it.
    let (_, empty) = api
        .get("/api/v1/reports/sla?from=2026-10-01&to=2026-10-31")
        .await;
    assert_eq!(empty["items"][0]["total"], 0);
    assert_eq!(
        api.get("/api/v1/reports/sla?from=2026-11-30&to=2026-11-01")
            .await
            .0,
        400
    );
    let contact = app.user("referente", "contact", &[e.id]).await;
    assert_eq!(
        app.api(&contact).await.get("/api/v1/reports/sla").await.0,
        403
    );

    // The page and its CSV: by month (Rome), entity and priority.
    let br = app.browser("operatore").await;
    let (s, html) = br
        .get(&format!("/reports/sla?from=2026-11-01&to={today}"))
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("50,0%"), "high priority at 50%");
    assert!(html.contains("sotto l"), "below the target is said");
    let (s, csv) = br
        .get(&format!("/reports/sla.csv?from=2026-11-01&to={today}"))
        .await;
    assert_eq!(s, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "month,entity_id,entity,priority,total,met,pending,percent"
    );
    // Every ticket is of November 2026 (the test's clock stands on 25 November).
    let has = |l: String| lines.contains(&l.as_str());
    assert!(
        has(format!("2026-11,{},Comune di Mezzo,high,2,1,0,50.0", e.id)),
        "{csv}"
    );
    assert!(
        has(format!("2026-11,{},Comune di Mezzo,low,1,0,0,0.0", e.id)),
        "{csv}"
    );
    assert!(
        has(format!(
            "2026-11,{},Comune di Mezzo,medium,0,0,1,100.0",
            e.id
        )),
        "{csv}"
    );
    assert_eq!(
        br.get("/reports/sla?from=2026-11-30&to=2026-11-01").await.0,
        400
    );
    assert_eq!(
        app.browser("referente")
            .await
            .get("/reports/sla.csv")
            .await
            .0,
        403
    );
}

async fn the_thread_and_the_paused_resolution_clock(b: Backend) {
    let app = spawn_app(b).await;
    let e = app.entity("Comune di Mezzo", None).await;
    let op = app.user("operatore", "operator", &[]).await;
    let contact = app.user("referente", "contact", &[e.id]).await;
    let (oapi, capi) = (app.api(&op).await, app.api(&contact).await);
    // A centre with a resolution target of 16 working hours for high priority.
    let policy = helpdesk::sla::SlaPolicy {
        resolution_hours: vec![(helpdesk::model::Priority::High, 16)],
        ..Default::default()
    };
    helpdesk::store::set_policy(&app.db, &kernel::Actor::system("admin"), &policy)
        .await
        .unwrap();
    let t = helpdesk::store::create(
        &app.db,
        &kernel::Actor::system("t"),
        &helpdesk::model::NewTicket {
            entity_id: e.id,
            subject: "Posta bloccata".into(),
            priority: "high".into(),
            channel: "portal".into(),
            ..Default::default()
        },
        app.clock.now(),
    )
    .await
    .unwrap();
    let id = t.id;
    let first_due = t.resolution_due_at.unwrap();
    assert!(first_due > t.take_charge_due_at);

    // No pause before taking charge.
    let state = |s: &str| json!({"state": s, "note": "Fatto."});
    let (s, p) = oapi
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/state"),
            state("waiting_entity"),
        )
        .await;
    assert_eq!(s, 409, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("preso in carico"));
    oapi.send_json(
        Method::POST,
        &format!("/api/v1/tickets/{id}/take-charge"),
        json!({}),
    )
    .await;

    // A public reply and an internal note; the contact sees only the reply.
    let (s, m) = oapi
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/messages"),
            json!({"body": "Ci serve la password dell'amministratore"}),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    assert_eq!(m["author"], "operatore");
    oapi.send_json(
        Method::POST,
        &format!("/api/v1/tickets/{id}/messages"),
        json!({"body": "Fornitore avvisato", "internal": true}),
    )
    .await;
    let (_, thread) = capi.get(&format!("/api/v1/tickets/{id}/messages")).await;
    let bodies: Vec<&str> = thread["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["Ci serve la password dell'amministratore"]);
    let (_, all) = oapi.get(&format!("/api/v1/tickets/{id}/messages")).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    let (s, _) = capi
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/messages"),
            json!({"body": "nota", "internal": true}),
        )
        .await;
    assert_eq!(s, 403, "contacts write no internal notes");
    let (s, p) = capi
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/messages"),
            json!({"body": "  "}),
        )
        .await;
    assert_eq!(s, 422, "{p}");

    // Waiting for the entity pauses the resolution clock; the entity's reply resumes it.
    let (s, w) = oapi
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/state"),
            state("waiting_entity"),
        )
        .await;
    assert_eq!(s, 200, "{w}");
    assert!(w["paused_since"].is_string());
    let (s, _) = capi
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/messages"),
            json!({"body": "Eccola: la trovate in busta chiusa"}),
        )
        .await;
    assert_eq!(s, 201);
    let (_, r) = capi.get(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(r["state"], "in_progress");
    assert_eq!(r["paused_since"], Value::Null);
    let paused = r["paused_seconds"].as_i64().unwrap();
    assert!(paused >= 0);
    let moved =
        chrono::DateTime::parse_from_rfc3339(r["resolution_due_at"].as_str().unwrap()).unwrap();
    assert!(moved >= first_due, "the due time only moves on");

    // Resolve, reopen, resolve, close; a closed ticket cannot be paused; contacts cannot move it.
    for (to, code) in [
        ("resolved", 200),
        ("in_progress", 200),
        ("resolved", 200),
        ("closed", 200),
        ("waiting_entity", 409),
        ("archived", 422),
    ] {
        let (s, p) = oapi
            .send_json(
                Method::POST,
                &format!("/api/v1/tickets/{id}/state"),
                state(to),
            )
            .await;
        assert_eq!(s, code, "{to}: {p}");
    }
    let (s, _) = capi
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/state"),
            state("in_progress"),
        )
        .await;
    assert_eq!(s, 403);
    let (_, closed) = oapi.get(&format!("/api/v1/tickets/{id}")).await;
    assert_eq!(closed["state"], "closed");
    assert!(closed["resolved_at"].is_string());
}

async fn profiles_order_the_queue_and_open_the_saturday_on_call(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("amministratore", "admin", &[]).await;
    let op = app.user("operatore", "operator", &[]).await;
    let admin_api = app.api(&admin).await;
    let api = app.api(&op).await;
    let mini = app.entity("Comune Minimo", None).await;
    let pro = app.entity("Comune Medio", None).await;
    let ent = app.entity("Comune Grande", None).await;
    // Ferragosto below is more than 30 days before the test's today.
    helpdesk::store::set_policy(
        &app.db,
        &kernel::Actor::system("t"),
        &helpdesk::sla::SlaPolicy {
            received_max_days_back: 365,
            ..Default::default()
        },
    )
    .await
    .unwrap();

    // Profiles: admins set them; MINIMAL when none; a wrong one is refused with the choices.
    let (s, p) = api
        .get(&format!("/api/v1/entities/{}/support-profile", mini.id))
        .await;
    assert_eq!(
        (s, p["profile"].as_str(), p["saturday_on_call"].as_bool()),
        (200, Some("minimal"), Some(false))
    );
    for (e, profile) in [(&pro, "pro"), (&ent, "enterprise")] {
        let (s, p) = admin_api
            .send_json(
                Method::PUT,
                &format!("/api/v1/entities/{}/support-profile", e.id),
                json!({"profile": profile}),
            )
            .await;
        assert_eq!(s, 200, "{p}");
    }
    let (s, p) = admin_api
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{}/support-profile", mini.id),
            json!({"profile": "gold"}),
        )
        .await;
    assert_eq!(
        (s, p["errors"][0]["field"].as_str()),
        (422, Some("profile"))
    );
    let (s, _) = api
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{}/support-profile", mini.id),
            json!({"profile": "pro"}),
        )
        .await;
    assert_eq!(s, 403, "operators do not change profiles");

    // Three high tickets received together: the queue puts ENTERPRISE, then PRO, then MINIMAL.
    for e in [&mini, &pro, &ent] {
        let (s, t) = api
            .send_json(
                Method::POST,
                "/api/v1/tickets",
                phone(e.id, "2026-11-16T10:00:00+01:00", "high"),
            )
            .await;
        assert_eq!(s, 201, "{t}");
    }
    let queue = |list: &Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["entity_name"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, list) = api.get("/api/v1/tickets?queue=true").await;
    assert_eq!(
        queue(&list),
        ["Comune Grande", "Comune Medio", "Comune Minimo"]
    );

    // The Saturday on-call: blocking issues of BASIC-or-better entities, Saturday 8:30–12:30.
    let on_call = |e: i64, at: &str, priority: &str| {
        let mut v = phone(e, at, priority);
        v["on_call"] = json!(true);
        v
    };
    let refused = [
        (
            on_call(mini.id, "2026-11-21T09:00:00+01:00", "high"),
            "profilo MINIMAL",
        ),
        (
            on_call(pro.id, "2026-11-21T09:00:00+01:00", "medium"),
            "solo per i problemi bloccanti",
        ),
        (
            on_call(pro.id, "2026-11-17T09:00:00+01:00", "high"),
            "il sabato dalle 8:30 alle 12:30",
        ),
        (
            on_call(pro.id, "2026-08-15T09:00:00+02:00", "high"),
            "festivi esclusi",
        ),
    ];
    for (body, why) in refused {
        let (s, p) = api.send_json(Method::POST, "/api/v1/tickets", body).await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(p["errors"][0]["field"], "on_call", "{p}");
        assert!(p.to_string().contains(why), "{why}: {p}");
    }
    // Accepted (Saturday 21 November): the clock runs 9:00–12:30 (3.5 h), then the Padova
    // calendar on Monday from 9:00 (4.5 h): due Monday 13:30. It heads the queue.
    let (s, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            on_call(pro.id, "2026-11-21T09:00:00+01:00", "high"),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    assert_eq!(t["on_call"], true);
    assert_eq!(t["take_charge_due_at"], "2026-11-23T13:30:00+01:00");
    let (_, list) = api.get("/api/v1/tickets?queue=true").await;
    assert_eq!(list["items"][0]["id"], t["id"]);
    assert_eq!(list["total"], 4);

    // "My work": what the operator took in charge.
    let on_call_id = t["id"].as_i64().unwrap();
    let (s, _) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{on_call_id}/take-charge"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, mine) = api.get("/api/v1/tickets?mine=true").await;
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["items"][0]["id"], on_call_id);
    let other_op = app.user("collega", "operator", &[]).await;
    let (_, theirs) = app
        .api(&other_op)
        .await
        .get("/api/v1/tickets?mine=true")
        .await;
    assert_eq!(theirs["total"], 0);
}

async fn the_warranty_reopens_the_same_problem_within_ten_working_days(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let e = app.entity("Comune di Mezzo", None).await;
    let contact = app.user("referente", "contact", &[e.id]).await;
    let api = app.api(&op).await;
    let capi = app.api(&contact).await;
    let (_, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(e.id, "2026-11-16T10:00:00+01:00", "low"),
        )
        .await;
    let id = t["id"].as_i64().unwrap();
    let path = |p: &str| format!("/api/v1/tickets/{id}{p}");
    assert_eq!(
        api.send_json(Method::POST, &path("/take-charge"), json!({}))
            .await
            .0,
        200
    );
    let (s, t) = api
        .send_json(
            Method::POST,
            &path("/state"),
            json!({"state": "resolved", "note": "Risolto: sostituito il toner."}),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    // The warranty runs 10 working days of the entity's calendar from the resolution.
    let resolved = helpdesk::store::get(&app.db, &kernel::Actor::system("t"), id)
        .await
        .unwrap();
    let expected = helpdesk::support::warranty_until(
        &kernel::calendar::Calendar::preset("padova").unwrap(),
        resolved.resolved_at.unwrap(),
    );
    assert_eq!(t["warranty_until"], expected.to_string());
    assert!(expected > kernel::time::today());

    // The contact reports the same problem: the ticket reopens, at no charge, counted.
    let (s, m) = capi
        .send_json(
            Method::POST,
            &path("/messages"),
            json!({"body": "Il problema è tornato."}),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let (_, t) = capi.get(&path("")).await;
    assert_eq!(
        (t["state"].as_str(), t["reopen_count"].as_i64()),
        (Some("in_progress"), Some(1))
    );

    // Resolved and closed again; once the warranty is over, a reply is refused with the date.
    assert_eq!(
        api.send_json(
            Method::POST,
            &path("/state"),
            json!({"state": "resolved", "note": "Risolto: sostituito il toner."})
        )
        .await
        .0,
        200
    );
    assert_eq!(
        api.send_json(Method::POST, &path("/state"), json!({"state": "closed"}))
            .await
            .0,
        200
    );
    sqlx::query("UPDATE tickets SET warranty_until = '2026-01-02' WHERE id = $1")
        .bind(id)
        .execute(app.db.pool())
        .await
        .unwrap();
    let (s, p) = capi
        .send_json(Method::POST, &path("/messages"), json!({"body": "Ancora!"}))
        .await;
    assert_eq!(s, 409, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("terminata il 02/01/2026"),
        "{p}"
    );
    let (_, t) = capi.get(&path("")).await;
    assert_eq!(
        (t["state"].as_str(), t["reopen_count"].as_i64()),
        (Some("closed"), Some(1))
    );
}

async fn suppliers_see_and_update_only_their_phases(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let e = app.entity("Comune di Mezzo", None).await;
    let contact = app.user("referente", "contact", &[e.id]).await;
    let av = app.user("antivirus", "supplier", &[]).await;
    let other = app.user("softwarehouse", "supplier", &[e.id]).await;
    let (api, capi, sapi, oapi) = (
        app.api(&op).await,
        app.api(&contact).await,
        app.api(&av).await,
        app.api(&other).await,
    );
    let (_, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(e.id, "2026-11-16T10:00:00+01:00", "high"),
        )
        .await;
    let id = t["id"].as_i64().unwrap();

    // Only a supplier account can take a phase; the reason is given.
    let (s, p) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/phases"),
            json!({"supplier_id": contact.id, "title": "Bonifica"}),
        )
        .await;
    assert_eq!(
        (s, p["errors"][0]["field"].as_str()),
        (422, Some("supplier_id")),
        "{p}"
    );
    let (s, ph) = api
        .send_json(Method::POST, &format!("/api/v1/tickets/{id}/phases"),
            json!({"supplier_id": av.id, "title": "Bonifica antivirus", "description": "Server SRV01, accesso VPN"}))
        .await;
    assert_eq!(s, 201, "{ph}");
    assert_eq!(ph["state"], "open");
    let pid = ph["id"].as_i64().unwrap();

    // The supplier sees its phase and the brief, never the ticket itself.
    assert_eq!(sapi.get(&format!("/api/v1/tickets/{id}")).await.0, 404);
    assert_eq!(
        sapi.get(&format!("/api/v1/tickets/{id}/messages")).await.0,
        404
    );
    let (_, mine) = sapi.get("/api/v1/phases").await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(mine["items"][0]["description"], "Server SRV01, accesso VPN");
    let (s, p) = sapi
        .send_json(
            Method::POST,
            &format!("/api/v1/phases/{pid}/updates"),
            json!({"state": "in_progress", "body": "Scansione avviata"}),
        )
        .await;
    assert_eq!((s, p["state"].as_str()), (200, Some("in_progress")), "{p}");
    let (s, p) = sapi
        .send_json(
            Method::POST,
            &format!("/api/v1/phases/{pid}/updates"),
            json!({"state": "cancelled"}),
        )
        .await;
    assert_eq!(s, 409, "cancelling is the centre's: {p}");
    // Another supplier, even one assigned to the entity, does not see it.
    assert_eq!(oapi.get(&format!("/api/v1/phases/{pid}")).await.0, 404);
    assert_eq!(
        oapi.get("/api/v1/phases").await.1["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // The entity follows the phase's state, not the brief nor the supplier's notes.
    let (_, list) = capi.get(&format!("/api/v1/tickets/{id}/phases")).await;
    assert_eq!(list["items"][0]["state"], "in_progress");
    assert_eq!(list["items"][0]["supplier"], "Utente antivirus");
    assert_eq!(list["items"][0]["description"], "");
    let (_, d) = capi.get(&format!("/api/v1/phases/{pid}")).await;
    assert_eq!(d["updates"].as_array().unwrap().len(), 0);
    let (s, _) = capi
        .send_json(
            Method::POST,
            &format!("/api/v1/phases/{pid}/updates"),
            json!({"state": "done"}),
        )
        .await;
    assert_eq!(s, 403);

    // The operator sees the supplier's update and it is audited.
    let (_, d) = api.get(&format!("/api/v1/phases/{pid}")).await;
    assert_eq!(d["updates"][0]["body"], "Scansione avviata");
    assert_eq!(d["updates"][0]["author"], "antivirus");
    db::audit::verify(&app.db).await.unwrap();
}

async fn a_failed_or_missing_backup_report_opens_one_ticket(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("amministratore", "admin", &[]).await;
    let api = app.api(&admin).await;
    let e = app.entity("Comune di Mezzo", None).await;
    let (s, c) = api
        .send_json(Method::POST, &format!("/api/v1/entities/{}/backup-checks", e.id),
            json!({"name": "Veeam SRV01", "email_from": "Veeam@Mezzo.example.it", "max_silence_hours": 26}))
        .await;
    assert_eq!(s, 201, "{c}");
    let token = c["token"].as_str().unwrap().to_owned();
    let (s, p) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{}/backup-checks", e.id),
            json!({"name": "", "email_from": "x"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"].as_array().unwrap().len(), 2, "{p}");
    let open = || async {
        let (_, l) = api
            .get(&format!("/api/v1/tickets?entity_id={}", e.id))
            .await;
        l["items"].as_array().unwrap().clone()
    };
    let http = reqwest::Client::new();
    let report = |status: &'static str| {
        http.post(app.url("/api/v1/backup-reports"))
            .json(&json!({"token": token, "status": status, "detail": "disco pieno"}))
            .send()
    };

    // From the entity page: the token is shown once; a wrong address is refused with why.
    let br = app.browser("amministratore").await;
    let (s, html) = br
        .post_follow(
            &format!("/entities/{}/backup-checks", e.id),
            &[
                ("name", "NAS ufficio"),
                ("email_from", "non-valido"),
                ("max_silence_hours", "26"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Indirizzo del mittente dei rapporti non valido"),
        "{html}"
    );
    let (s, html) = br
        .post_follow(
            &format!("/entities/{}/backup-checks", e.id),
            &[
                ("name", "NAS ufficio"),
                ("email_from", ""),
                ("max_silence_hours", "48"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    let shown = html
        .split("id=\"backup-token\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(shown.starts_with("cstbk_"), "{html}");
    let (_, page) = br.get(&format!("/entities/{}", e.id)).await;
    assert!(
        page.contains("NAS ufficio") && !page.contains(&shown),
        "listed, token not shown again"
    );

    // A wrong token is refused, and opens nothing.
    let r = http
        .post(app.url("/api/v1/backup-reports"))
        .json(&json!({"token": "cstbk_falso", "status": "failed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // A good report: nothing to do.
    assert_eq!(report("ok").await.unwrap().status(), 202);
    assert!(open().await.is_empty());
    // A failure opens a ticket on the entity's behalf, at once; more failures do not open more.
    assert_eq!(report("failed").await.unwrap().status(), 202);
    assert_eq!(report("failed").await.unwrap().status(), 202);
    helpdesk::backups::evaluate(&app.db, app.clock.now())
        .await
        .unwrap();
    let t = open().await;
    assert_eq!(t.len(), 1);
    assert_eq!(t[0]["subject"], "Backup «Veeam SRV01» non riuscito");
    assert_eq!(
        (t[0]["channel"].as_str(), t[0]["priority"].as_str()),
        (Some("monitoring"), Some("high"))
    );
    assert!(t[0]["description"]
        .as_str()
        .unwrap()
        .contains("disco pieno"));

    // A good report by e-mail ends the incident (the e-mail is not a ticket).
    let mail_ok = "From: veeam@mezzo.example.it\r\nSubject: [Success] Backup job SRV01\r\nMessage-ID: <v1@mezzo>\r\n\r\nProcessed 3 VMs.\r\n";
    let outcome = helpdesk::email::accept(&app.db, mail_ok.as_bytes(), app.clock.now())
        .await
        .unwrap();
    assert_eq!(outcome, helpdesk::email::Outcome::Backup);
    let (_, checks) = api
        .get(&format!("/api/v1/entities/{}/backup-checks", e.id))
        .await;
    let veeam = checks["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Veeam SRV01")
        .unwrap();
    assert_eq!(
        (veeam["last_status"].as_str(), veeam["incident"].as_str()),
        (Some("ok"), Some(""))
    );
    assert!(veeam.get("token").is_none(), "the token is shown once");

    // Silence: after 26 hours without a report, one ticket, however often it is checked.
    app.clock.advance(chrono::Duration::hours(27));
    let later = app.clock.now();
    let opened = helpdesk::backups::evaluate(&app.db, later).await.unwrap();
    assert_eq!(opened.len(), 1);
    for _ in 0..3 {
        assert!(
            helpdesk::backups::evaluate(&app.db, later + chrono::Duration::hours(1))
                .await
                .unwrap()
                .is_empty()
        );
    }
    let t = open().await;
    assert_eq!(t.len(), 2);
    assert_eq!(
        t[0]["subject"],
        "Backup «Veeam SRV01»: rapporto giornaliero mancante"
    );
    db::audit::verify(&app.db).await.unwrap();
}

async fn admins_set_the_sla_policy_and_the_calendars(b: Backend) {
    let app = spawn_app(b).await;
    app.user("amministratore", "admin", &[]).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let e = app.entity("Comune di Mezzo", None).await;
    let other = app.entity("Comune di Lato", None).await;
    let br = app.browser("amministratore").await;

    // Wrong values are refused with the reason, and nothing changes.
    let (s, html) = br
        .post_follow(
            "/helpdesk/settings/sla",
            &[
                ("take_charge_high", "0"),
                ("take_charge_medium", "12"),
                ("take_charge_low", "sedici"),
                ("target_percent", "90"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Presa in carico, priorità Bassa: scrivere un numero intero"),
        "{html}"
    );
    let (s, html) = br
        .post_follow(
            "/helpdesk/settings/sla",
            &[
                ("take_charge_high", "0"),
                ("take_charge_medium", "12"),
                ("take_charge_low", "16"),
                ("target_percent", "90"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Presa in carico, priorità Alta: ore lavorative da 1 a 2.000"),
        "{html}"
    );
    assert_eq!(
        helpdesk::store::policy(&app.db).await.unwrap(),
        helpdesk::sla::SlaPolicy::default()
    );

    // High: 4 hours to take charge, 16 to resolve; the centre works Consorzio.IT hours and is
    // closed on Monday 16 November 2026.
    let (s, html) = br
        .post_follow(
            "/helpdesk/settings/sla",
            &[
                ("take_charge_high", "4"),
                ("take_charge_medium", "12"),
                ("take_charge_low", "16"),
                ("resolution_high", "16"),
                ("target_percent", "95"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("Obiettivi SLA salvati"), "{html}");
    let (s, html) = br
        .post_follow(
            "/helpdesk/settings/calendar",
            &[
                ("preset", "consorzio-it"),
                ("patron", ""),
                ("closures", "16/11/2026\n2026-12-24"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("Calendario del centro salvato"), "{html}");
    let (_, html) = br
        .post_follow(
            "/helpdesk/settings/calendar",
            &[("preset", "consorzio-it"), ("closures", "31/02/2026")],
        )
        .await;
    assert!(html.contains("Giorno di chiusura «31/02/2026»"), "{html}");

    // Received Monday 16 at 10:00 (closed): the clock starts Tuesday 8:30; 4 h → 12:30;
    // 16 h to resolve → all of Tuesday and Wednesday, 18:00.
    let (_, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(e.id, "2026-11-16T10:00:00+01:00", "high"),
        )
        .await;
    assert_eq!(t["take_charge_due_at"], "2026-11-17T12:30:00+01:00", "{t}");
    assert_eq!(t["resolution_due_at"], "2026-11-18T18:00:00+01:00", "{t}");
    let (_, r) = api
        .get("/api/v1/reports/sla?from=2026-11-01&to=2026-11-30")
        .await;
    assert_eq!(r["target_percent"], 95);

    // One entity keeps Padova's hours (open Monday 16, 9:00–16:30): 10:00 + 4 h → 14:00.
    let (s, _) = br
        .post_follow(
            &format!("/entities/{}/calendar", other.id),
            &[("preset", "padova")],
        )
        .await;
    assert_eq!(s, 200);
    let (_, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(other.id, "2026-11-16T10:00:00+01:00", "high"),
        )
        .await;
    assert_eq!(t["take_charge_due_at"], "2026-11-16T14:00:00+01:00", "{t}");
    // Back to the centre's.
    br.post_follow(
        &format!("/entities/{}/calendar", other.id),
        &[("preset", "centre")],
    )
    .await;
    let (_, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(other.id, "2026-11-16T10:00:00+01:00", "high"),
        )
        .await;
    assert_eq!(t["take_charge_due_at"], "2026-11-17T12:30:00+01:00", "{t}");

    // Operators do not reach the settings.
    let obr = app.browser("operatore").await;
    assert_eq!(obr.get("/helpdesk/settings").await.0, 403);
    db::audit::verify(&app.db).await.unwrap();
}

async fn reclassifying_the_priority_moves_the_deadlines(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let e = app.entity("Comune di Mezzo", None).await;
    let contact = app.user("referente", "contact", &[e.id]).await;
    // Medium, Monday 10:00 in Padova's calendar: 6.5 h on Monday, 5.5 h on Tuesday → 14:30.
    let (_, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(e.id, "2026-11-16T10:00:00+01:00", "medium"),
        )
        .await;
    assert_eq!(t["take_charge_due_at"], "2026-11-17T14:30:00+01:00");
    let id = t["id"].as_i64().unwrap();
    let path = format!("/api/v1/tickets/{id}/priority");
    let (s, p) = api
        .send_json(Method::POST, &path, json!({"priority": "urgente"}))
        .await;
    assert_eq!(
        (s, p["errors"][0]["field"].as_str()),
        (422, Some("priority")),
        "{p}"
    );
    let (s, _) = app
        .api(&contact)
        .await
        .send_json(Method::POST, &path, json!({"priority": "high"}))
        .await;
    assert_eq!(s, 403, "contacts do not reclassify");
    // High: 8 h from when it came in → Tuesday 10:30.
    let (s, t) = api
        .send_json(Method::POST, &path, json!({"priority": "high"}))
        .await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(
        (t["priority"].as_str(), t["take_charge_due_at"].as_str()),
        (Some("high"), Some("2026-11-17T10:30:00+01:00"))
    );
    // Once taken, the take-charge target is judged: lowering the priority does not move it.
    api.send_json(
        Method::POST,
        &format!("/api/v1/tickets/{id}/take-charge"),
        json!({}),
    )
    .await;
    let (_, t) = api
        .send_json(Method::POST, &path, json!({"priority": "low"}))
        .await;
    assert_eq!(
        (t["priority"].as_str(), t["take_charge_due_at"].as_str()),
        (Some("low"), Some("2026-11-17T10:30:00+01:00"))
    );
    // Resolved: no more changes.
    api.send_json(
        Method::POST,
        &format!("/api/v1/tickets/{id}/state"),
        json!({"state": "resolved", "note": "Risolto: sostituito il toner."}),
    )
    .await;
    let (s, p) = api
        .send_json(Method::POST, &path, json!({"priority": "high"}))
        .await;
    assert_eq!(s, 409, "{p}");
    db::audit::verify(&app.db).await.unwrap();
}

async fn uploads_over_the_limits_are_refused_and_store_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let e = app.entity("Comune di Mezzo", None).await;
    let (_, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(e.id, "2026-11-16T10:00:00+01:00", "low"),
        )
        .await;
    let path = format!("/api/v1/tickets/{}/attachments", t["id"]);
    let upload = |name: &str, body: Vec<u8>| {
        api.request(Method::POST, &format!("{path}?filename={name}"))
            .header("content-type", "application/pdf")
            .body(body)
            .send()
    };
    let problem = |r: reqwest::Response| async move {
        let s = r.status().as_u16();
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        (s, r.json::<Value>().await.unwrap())
    };
    let (s, p) = problem(upload("vuoto.pdf", Vec::new()).await.unwrap()).await;
    assert_eq!(s, 422);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("il file «vuoto.pdf» è vuoto"),
        "{p}"
    );
    let (s, p) = problem(
        upload("grande.pdf", vec![0; 10 * 1024 * 1024 + 1])
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 422);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("supera il limite di 10,0 MB"),
        "{p}"
    );
    // Beyond what the server reads at all: the same kind of answer, not a bare text. The
    // server answers from the declared length without reading the body and closes; a client
    // still writing may see its write broken before it reads the answer (seen under load):
    // then it sends again.
    let mut answer = None;
    for _ in 0..5 {
        // On a connection of its own: the server closes it after the unread body, and the
        // client's pool must not hand it to the next request.
        let sent = api
            .request(Method::POST, &format!("{path}?filename=enorme.pdf"))
            .header("content-type", "application/pdf")
            .header("connection", "close")
            .body(vec![0; 17 * 1024 * 1024])
            .send();
        match sent.await {
            Ok(r) => {
                answer = Some(r);
                break;
            }
            Err(e) if e.is_request() => continue,
            Err(e) => panic!("{e}"),
        }
    }
    let (s, p) = problem(answer.expect("an answer to the oversized upload")).await;
    assert_eq!(s, 413);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("supera i 16 MB ammessi"),
        "{p}"
    );
    let (_, list) = api.get(&path).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "nothing stored");
    let r = upload("verbale.pdf", b"%PDF-1.4\n".to_vec()).await.unwrap();
    assert_eq!(r.status(), 201);
    let (_, list) = api.get(&path).await;
    assert_eq!(list["items"][0]["filename"], "verbale.pdf");
    assert_eq!(list["items"][0]["size"], 9);
}

async fn csv_exports_neutralise_formulas(b: Backend) {
    let app = spawn_app(b).await;
    app.user("operatore", "operator", &[]).await;
    let e = app
        .entity("=HYPERLINK(\"http://evil.example\",\"Agna\")", None)
        .await;
    let op = accounts::store::by_username(&app.db, "operatore")
        .await
        .unwrap();
    let api = app.api(&op).await;
    let (s, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(e.id, "2026-11-16T10:00:00+01:00", "high"),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let br = app.browser("operatore").await;
    let (s, csv) = br
        .get("/reports/sla.csv?from=2026-11-01&to=2026-11-30")
        .await;
    assert_eq!(s, 200);
    assert!(
        csv.contains(&format!(
            "2026-11,{},\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Agna\"\")\",high,1,",
            e.id
        )),
        "{csv}"
    );
}

async fn refusals_come_back_with_what_was_typed_never_through_the_url(b: Backend) {
    let app = spawn_app(b).await;
    app.user("amministratore", "admin", &[]).await;
    let e = app.entity("Comune di Mezzo", None).await;
    let admin = accounts::store::by_username(&app.db, "amministratore")
        .await
        .unwrap();
    let api = app.api(&admin).await;
    let (_, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            phone(e.id, "2026-11-16T10:00:00+01:00", "high"),
        )
        .await;
    let br = app.browser("amministratore").await;
    let page = format!("/tickets/{}", t["id"]);
    // A crafted link no longer prints its words in a red alert.
    let (s, html) = br
        .get(&format!(
            "{page}?errore=Il%20vostro%20account%20%C3%A8%20sospeso"
        ))
        .await;
    assert_eq!(s, 200);
    assert!(!html.contains("account è sospeso"), "{html}");
    // A refused reply: the reason, and what was typed, in the form again; once.
    let long = format!("Il server SRV01 non risponde. {}", "x".repeat(20_000));
    let (s, html) = br
        .post_follow(&format!("{page}/messages"), &[("body", long.as_str())])
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("supera i 20.000 caratteri"), "{html}");
    assert!(
        html.contains("Il server SRV01 non risponde."),
        "the typed text is kept"
    );
    let (_, again) = br.get(&page).await;
    assert!(!again.contains("supera i 20.000 caratteri"), "shown once");
    assert!(!again.contains("Il server SRV01 non risponde."));
    // The settings page shows the refused values, not the stored ones.
    let (s, html) = br
        .post_follow(
            "/helpdesk/settings/sla",
            &[
                ("take_charge_high", "9"),
                ("take_charge_medium", "12"),
                ("take_charge_low", "16"),
                ("target_percent", "150"),
                ("received_max_days_back", "30"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("value=\"150\"") && html.contains("value=\"9\""),
        "{html}"
    );
    assert_eq!(
        helpdesk::store::policy(&app.db)
            .await
            .unwrap()
            .take_charge_hours[0]
            .1,
        8,
        "nothing stored"
    );
    // The entity page: a refused agreement keeps its typed number, in its section.
    let (s, html) = br
        .post_follow(
            &format!("/entities/{}/agreements", e.id),
            &[
                ("start_date", "2026-13-01"),
                ("term_years", "5"),
                ("number", "12/2026"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert!(html.contains("id=\"agreement-error\""), "{html}");
    assert!(html.contains("value=\"12/2026\""), "{html}");
}

/// Issue 10's first step: `GET /api/v1/tickets?q=…&overdue=true`, with `total`.
async fn the_queue_is_searched_and_filtered_to_what_is_overdue(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let e = app.entity("Comune di Mezzo", None).await;
    let contact = app.user("referente", "contact", &[e.id]).await;
    let other = app.entity("Comune di Altrove", None).await;
    let open = |entity: i64, subject: &str, received: &str, email: &str| {
        json!({"entity_id": entity, "subject": subject, "priority": "low", "channel": "phone",
               "received_at": received, "requester_email": email})
    };
    // Ten days before the test's clock (Wednesday 25 November 2026, 12:00): 16 working hours
    // for a low priority are long gone. Today's is still in time.
    let mut ids = Vec::new();
    for body in [
        open(
            e.id,
            "Stampante 100% bloccata",
            "2026-11-16T09:00:00+01:00",
            "ced@mezzo.example.it",
        ),
        open(e.id, "Rete lenta", "2026-11-25T11:30:00+01:00", ""),
        open(
            e.id,
            "Posta non arriva",
            "2026-11-16T10:00:00+01:00",
            "sindaco@mezzo.example.it",
        ),
        open(
            other.id,
            "Stampante del protocollo",
            "2026-11-16T09:00:00+01:00",
            "",
        ),
    ] {
        let (s, t) = api.send_json(Method::POST, "/api/v1/tickets", body).await;
        assert_eq!(s, 201, "{t}");
        ids.push((
            t["id"].as_i64().unwrap(),
            t["number"].as_str().unwrap().to_owned(),
        ));
    }
    // The third is taken in charge (late, but taken): with no resolution target it is no
    // longer overdue.
    let (s, _) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{}/take-charge", ids[2].0),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    let subjects = |v: &Value| -> Vec<String> {
        let mut s: Vec<String> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["subject"].as_str().unwrap().to_owned())
            .collect();
        s.sort();
        s
    };
    let (s, v) = api.get("/api/v1/tickets?overdue=true").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["total"], 2);
    assert_eq!(
        subjects(&v),
        ["Stampante 100% bloccata", "Stampante del protocollo"]
    );
    // Search: subject without regard to case, the number, the requester's address.
    let (_, v) = api.get("/api/v1/tickets?q=STAMPANTE").await;
    assert_eq!(v["total"], 2, "{v}");
    let (_, v) = api
        .get(&format!(
            "/api/v1/tickets?q={}",
            ids[1].1.replace('/', "%2F")
        ))
        .await;
    assert_eq!(subjects(&v), ["Rete lenta"], "{v}");
    let (_, v) = api.get("/api/v1/tickets?q=sindaco%40mezzo").await;
    assert_eq!(subjects(&v), ["Posta non arriva"], "{v}");
    // `%` and `_` are themselves, not wildcards.
    let (_, v) = api.get("/api/v1/tickets?q=100%25").await;
    assert_eq!(subjects(&v), ["Stampante 100% bloccata"], "{v}");
    let (_, v) = api.get("/api/v1/tickets?q=%25%25").await;
    assert_eq!(v["total"], 0, "{v}");
    // Combined with the other filters, and within the caller's scope.
    let (_, v) = api
        .get(&format!(
            "/api/v1/tickets?q=stampante&overdue=true&entity_id={}",
            e.id
        ))
        .await;
    assert_eq!(subjects(&v), ["Stampante 100% bloccata"], "{v}");
    let capi = app.api(&contact).await;
    let (_, v) = capi.get("/api/v1/tickets?q=stampante").await;
    assert_eq!(
        subjects(&v),
        ["Stampante 100% bloccata"],
        "a contact sees their entity's only"
    );
    // Refused in Italian: an over-long search, a flag that is not true or false.
    let (s, p) = api
        .get(&format!("/api/v1/tickets?q={}", "x".repeat(101)))
        .await;
    assert_eq!(s, 400);
    assert!(
        p["detail"].as_str().unwrap().contains("al massimo 100"),
        "{p}"
    );
    let (s, p) = api.get("/api/v1/tickets?overdue=forse").await;
    assert_eq!(s, 400);
    assert_eq!(
        p["detail"], "parametro «overdue» non valido: serve true o false",
        "{p}"
    );
}
