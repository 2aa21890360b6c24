//! Training courses by the Academy4PA rules (issue 15): sign-up order, at most two people per
//! entity until sign-up closes, the waiting list, the minimum of five, withdrawals and seats
//! passed to a colleague, attendance, the entries of the year with extra entries at 20% off
//! billed in the statements, LTT classes whose cost is split, the register and certificates,
//! the e-mails through a real SMTP server, and sign-ups at the same moment on both databases.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app, Api, Backend, TestApp};

use crate::delivery::mail_out;

backends!(
    academy_rules_from_sign_up_to_the_statement,
    a_course_short_of_five_is_cancelled_and_everyone_told,
    an_ltt_class_is_split_among_its_participants,
    sign_ups_at_the_same_moment_keep_order_and_limits,
);

async fn entity(staff: &Api, name: &str) -> i64 {
    let (s, e) = staff
        .send_json(Method::POST, "/api/v1/entities", json!({"name": name}))
        .await;
    assert_eq!(s, 201, "{e}");
    e["id"].as_i64().unwrap()
}

async fn enrol(api: &Api, course: i64, entity: i64, name: &str) -> (u16, Value) {
    api.send_json(
        Method::POST,
        &format!("/api/v1/courses/{course}/enrolments"),
        json!({"entity_id": entity, "name": name,
               "email": format!("{}@example.org", name.to_lowercase().replace(' ', "."))}),
    )
    .await
}

fn state(v: &Value) -> &str {
    v["state"].as_str().unwrap_or_default()
}

async fn lines(app: &TestApp, entity: i64, year: i32) -> Vec<(String, i64, String)> {
    use sqlx::Row;
    sqlx::query(
        "SELECT l.kind, l.amount_cents, l.text FROM statement_lines l \
         JOIN statements s ON s.id = l.statement_id WHERE s.entity_id = $1 AND s.year = $2 \
         ORDER BY l.position",
    )
    .bind(entity)
    .bind(i64::from(year))
    .fetch_all(app.db.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect()
}

async fn bill(app: &TestApp, year: i32, entities: Vec<i64>) {
    let sys = kernel::Actor::system("t");
    let run = billing::store::runs::start(&app.db, &sys, i64::from(year), Some(entities))
        .await
        .unwrap();
    let done = billing::store::runs::execute(&app.db, run.id)
        .await
        .unwrap();
    assert_eq!(done.state, "done", "{done:?}");
}

async fn academy_rules_from_sign_up_to_the_statement(b: Backend) {
    let app = spawn_app(b).await;
    let admin = app.user("capo", "admin", &[]).await;
    let staff = app.api(&admin).await;
    let a = entity(&staff, "Comune di Abano").await;
    let bb = entity(&staff, "Comune di Bovolenta").await;
    let c = entity(&staff, "Comune di Cervarese").await;
    let ca = app.api(&app.user("ref-a", "contact", &[a]).await).await;
    let cb = app.api(&app.user("ref-b", "contact", &[bb]).await).await;
    let supplier = app.api(&app.user("ditta", "supplier", &[a]).await).await;

    // Wrong courses are refused field by field; only the staff open courses.
    for (body, field) in [
        (
            json!({"title": "", "seats": 7, "starts_at": "2031-03-10T09:00"}),
            "title",
        ),
        (
            json!({"title": "X", "seats": 0, "starts_at": "2031-03-10T09:00"}),
            "seats",
        ),
        (
            json!({"title": "X", "seats": 7, "starts_at": "domani"}),
            "starts_at",
        ),
        (
            json!({"title": "X", "seats": 7, "starts_at": "2031-03-10T09:00", "min_participants": 9}),
            "min_participants",
        ),
        (
            json!({"title": "X", "seats": 7, "starts_at": "2031-03-10T09:00", "price": "1,234"}),
            "price",
        ),
        (
            json!({"title": "X", "seats": 7, "starts_at": "2031-03-10T09:00", "kind": "webinar"}),
            "kind",
        ),
        (
            json!({"title": "X", "seats": 7, "sessions": [{"starts_at": "2031-03-10T09:00", "hours": 0}]}),
            "sessions[0].hours",
        ),
    ] {
        let (s, r) = staff.send_json(Method::POST, "/api/v1/courses", body).await;
        assert_eq!(
            (s, r["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{r}"
        );
    }
    let (s, r) = ca
        .send_json(
            Method::POST,
            "/api/v1/courses",
            json!({"title": "X", "seats": 7, "starts_at": "2031-03-10T09:00"}),
        )
        .await;
    assert_eq!((s, r["code"].as_str()), (403, Some("staff_only")), "{r}");

    let (s, course) = staff
        .send_json(
            Method::POST,
            "/api/v1/courses",
            json!({"title": "La firma digitale", "seats": 7, "price": "100.00",
                   "sessions": [{"starts_at": "2031-03-10T09:00"}, {"starts_at": "2031-03-17T09:00", "hours": 3}],
                   "place": "Sala corsi", "announce": false}),
        )
        .await;
    assert_eq!(s, 201, "{course}");
    assert_eq!(
        (
            state(&course),
            course["per_entity"].as_i64(),
            course["min_participants"].as_i64()
        ),
        ("open", Some(2), Some(5))
    );
    assert_eq!(course["year"], 2031);
    let id = course["id"].as_i64().unwrap();

    // Sign-up order decides; two per entity while open, the third waits.
    let mut ids = std::collections::HashMap::new();
    for (api, ent, name, want) in [
        (&ca, a, "Anna Uno", "admitted"),
        (&ca, a, "Aldo Due", "admitted"),
        (&ca, a, "Alba Tre", "waiting"),
        (&cb, bb, "Bruno Uno", "admitted"),
        (&cb, bb, "Bice Due", "admitted"),
        (&staff, c, "Carla Uno", "admitted"),
        (&staff, c, "Ciro Due", "admitted"),
        (&cb, bb, "Berto Tre", "waiting"),
    ] {
        let (s, e) = enrol(api, id, ent, name).await;
        assert_eq!((s, state(&e)), (201, want), "{name}: {e}");
        ids.insert(name, e["id"].as_i64().unwrap());
    }
    // Someone of another entity, the same address twice, wrong fields: refused, nothing kept.
    let (s, r) = enrol(&ca, id, bb, "Intruso").await;
    assert_eq!(
        (s, r["code"].as_str()),
        (404, Some("entity_not_found")),
        "{r}"
    );
    let (s, r) = enrol(&ca, id, a, "Anna Uno").await;
    assert_eq!(
        (s, r["code"].as_str()),
        (409, Some("already_enrolled")),
        "{r}"
    );
    let (s, r) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/courses/{id}/enrolments"),
            json!({"entity_id": a, "name": " ", "email": "no"}),
        )
        .await;
    assert_eq!(s, 422, "{r}");
    assert_eq!(r["errors"].as_array().unwrap().len(), 2, "{r}");
    let (s, r) = supplier.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!((s, r["code"].as_str()), (404, Some("course_not_found")));

    // A contact sees the course's counts and only their own entity's people.
    let (_, seen) = ca.get(&format!("/api/v1/courses/{id}")).await;
    assert_eq!(
        (seen["admitted"].as_i64(), seen["waiting"].as_i64()),
        (Some(6), Some(2))
    );
    let names: Vec<&str> = seen["enrolments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Anna Uno", "Aldo Due", "Alba Tre"]);

    // B withdraws one: the seat goes to B's third (A's third still waits for the limit).
    let (s, w) = cb
        .send_json(
            Method::POST,
            &format!("/api/v1/enrolments/{}/withdraw", ids["Bruno Uno"]),
            json!({}),
        )
        .await;
    assert_eq!((s, state(&w)), (200, "withdrawn"), "{w}");
    let (s, _) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/enrolments/{}/withdraw", ids["Bice Due"]),
            json!({}),
        )
        .await;
    assert_eq!(s, 404, "another entity's sign-up is not found");
    let (_, all) = staff.get(&format!("/api/v1/courses/{id}")).await;
    let st = |name: &str| -> String {
        all["enrolments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .map(|e| e["state"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(
        (st("Berto Tre").as_str(), st("Alba Tre").as_str()),
        ("admitted", "waiting")
    );

    // A passes Anna's seat to a colleague: same place, new person.
    let (s, t) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/enrolments/{}/transfer", ids["Anna Uno"]),
            json!({"name": "Alice Collega", "email": "alice.collega@example.org"}),
        )
        .await;
    assert_eq!(
        (s, state(&t), t["position"].as_i64()),
        (200, "admitted", Some(1)),
        "{t}"
    );
    assert!(t["transferred_from"].as_str().unwrap().contains("Anna Uno"));
    let (s, r) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/enrolments/{}/transfer", ids["Aldo Due"]),
            json!({"name": "Alice", "email": "alice.collega@example.org"}),
        )
        .await;
    assert_eq!(
        (s, r["code"].as_str()),
        (409, Some("already_enrolled")),
        "{r}"
    );

    // Closing: only the staff; A's third takes the seat left; the course is confirmed.
    let (s, _) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/courses/{id}/close-signup"),
            json!({}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, closed) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/courses/{id}/close-signup"),
            json!({}),
        )
        .await;
    assert_eq!(
        (s, state(&closed), closed["admitted"].as_i64()),
        (200, "confirmed", Some(7)),
        "{closed}"
    );
    let (s, r) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/courses/{id}/close-signup"),
            json!({}),
        )
        .await;
    assert_eq!((s, r["code"].as_str()), (409, Some("course_state")));
    let (s, r) = enrol(&ca, id, a, "Tardi Va").await;
    assert_eq!((s, r["code"].as_str()), (409, Some("course_state")), "{r}");

    // Attendance (staff): present, absent without reason (still an entry), excused.
    for (name, att) in [
        ("Anna Uno", "present"),
        ("Aldo Due", "absent"),
        ("Alba Tre", "excused"),
    ] {
        let (s, e) = staff
            .send_json(
                Method::PUT,
                &format!("/api/v1/enrolments/{}/attendance", ids[name]),
                json!({"attendance": att}),
            )
            .await;
        assert_eq!((s, e["attendance"].as_str()), (200, Some(att)), "{e}");
    }
    let (s, _) = ca
        .send_json(
            Method::PUT,
            &format!("/api/v1/enrolments/{}/attendance", ids["Aldo Due"]),
            json!({"attendance": "present"}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, r) = staff
        .send_json(
            Method::PUT,
            &format!("/api/v1/enrolments/{}/attendance", ids["Aldo Due"]),
            json!({"attendance": "forse"}),
        )
        .await;
    assert_eq!(s, 422, "{r}");

    // Entries: A has one for 2031; Aldo's unjustified absence is an extra entry at 80 €.
    let (s, r) = ca
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{a}/training-entries"),
            json!({"year": 2031, "entries": 1}),
        )
        .await;
    assert_eq!(s, 403, "{r}");
    let (s, y) = staff
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{a}/training-entries"),
            json!({"year": 2031, "entries": 1}),
        )
        .await;
    assert_eq!(s, 200, "{y}");
    let (s, y) = ca
        .get(&format!("/api/v1/entities/{a}/training-entries?year=2031"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (
            y["entries"].as_i64(),
            y["used"].as_i64(),
            y["extra"].as_i64(),
            y["extra_amount"].as_str()
        ),
        (Some(1), Some(1), Some(1), Some("80.00")),
        "{y}"
    );
    let uses: Vec<&str> = y["participations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["use"].as_str().unwrap())
        .collect();
    assert_eq!(uses, ["entry", "extra", "nothing"]);
    let (s, _) = ca
        .get(&format!("/api/v1/entities/{bb}/training-entries?year=2031"))
        .await;
    assert_eq!(s, 404);

    // The certificate only for who was present; the register only for the staff.
    let r = ca
        .request(
            Method::GET,
            &format!("/api/v1/enrolments/{}/certificate", ids["Anna Uno"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));
    let (s, r) = ca
        .get(&format!(
            "/api/v1/enrolments/{}/certificate",
            ids["Aldo Due"]
        ))
        .await;
    assert_eq!((s, r["code"].as_str()), (409, Some("course_state")));
    let (s, _) = ca.get(&format!("/api/v1/courses/{id}/register")).await;
    assert_eq!(s, 403);
    let r = staff
        .request(Method::GET, &format!("/api/v1/courses/{id}/register"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF-"));

    // The statement of 2031: A pays one extra entry; C, without entries, two.
    bill(&app, 2031, vec![a, c]).await;
    let la = lines(&app, a, 2031).await;
    let training: Vec<_> = la.iter().filter(|l| l.0 == "training").collect();
    assert_eq!(training.len(), 1, "{la:?}");
    assert_eq!(training[0].1, 8_000);
    assert!(training[0].2.contains("Aldo Due"), "{}", training[0].2);
    let lc = lines(&app, c, 2031).await;
    assert_eq!(
        lc.iter()
            .filter(|l| l.0 == "training")
            .map(|l| l.1)
            .sum::<i64>(),
        16_000,
        "{lc:?}"
    );

    // The e-mails, through a real SMTP server.
    let (smtp, run) = mail_out(&app).await;
    let sent = run.run_due().await.unwrap();
    let got = smtp.wait_messages(sent).await;
    let mails: Vec<mail::Incoming> = got.iter().map(|raw| mail::parse(raw).unwrap()).collect();
    let count = |s: &str| mails.iter().filter(|m| m.subject.contains(s)).count();
    assert_eq!(count("iscrizione ammessa"), 6);
    assert_eq!(count("in lista d'attesa"), 2);
    assert_eq!(count("posto assegnato dalla lista d'attesa"), 1);
    assert_eq!(count("posto passato a un collega"), 1);
    assert_eq!(count("iscrizione a suo nome"), 1);
    assert_eq!(count("corso confermato"), 7);
    assert_eq!(count("iscrizione ritirata"), 1);
}

async fn a_course_short_of_five_is_cancelled_and_everyone_told(b: Backend) {
    let app = spawn_app(b).await;
    let staff = app.api(&app.user("capo", "admin", &[]).await).await;
    let a = entity(&staff, "Comune di Arquà").await;
    let bb = entity(&staff, "Comune di Baone").await;
    // Every entity's primary contact hears of a new course.
    for (id, mail) in [(a, "ced@arqua.example.it"), (bb, "ced@baone.example.it")] {
        crate::delivery::primary_contact(&staff, id, mail).await;
    }
    let (s, course) = staff
        .send_json(
            Method::POST,
            "/api/v1/courses",
            json!({"title": "La PEC", "seats": 20, "starts_at": "2031-05-05T14:30"}),
        )
        .await;
    assert_eq!(s, 201, "{course}");
    let id = course["id"].as_i64().unwrap();
    for (e, n) in [
        (a, "Pia Uno"),
        (a, "Pio Due"),
        (bb, "Ugo Tre"),
        (bb, "Ida Quattro"),
    ] {
        let (s, r) = enrol(&staff, id, e, n).await;
        assert_eq!((s, state(&r)), (201, "admitted"), "{r}");
    }
    let (s, closed) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/courses/{id}/close-signup"),
            json!({}),
        )
        .await;
    assert_eq!((s, state(&closed)), (200, "cancelled"), "{closed}");
    assert!(closed["cancel_reason"]
        .as_str()
        .unwrap()
        .contains("meno di 5"));
    // A cancelled course uses no entries and charges nothing.
    let (_, y) = staff
        .get(&format!("/api/v1/entities/{a}/training-entries?year=2031"))
        .await;
    assert_eq!(y["participations"].as_array().unwrap().len(), 0, "{y}");
    let (s, r) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/courses/{id}/cancel"),
            json!({"reason": "docente malato"}),
        )
        .await;
    assert_eq!((s, r["code"].as_str()), (409, Some("course_state")));

    let (smtp, run) = mail_out(&app).await;
    let sent = run.run_due().await.unwrap();
    let got = smtp.wait_messages(sent).await;
    let mails: Vec<mail::Incoming> = got.iter().map(|raw| mail::parse(raw).unwrap()).collect();
    let count = |s: &str| mails.iter().filter(|m| m.subject.contains(s)).count();
    assert_eq!(count("Nuovo corso: La PEC"), 2, "one per entity");
    assert_eq!(count("corso annullato"), 4);
    let cancelled = mails
        .iter()
        .find(|m| m.subject.contains("corso annullato"))
        .unwrap();
    assert!(
        cancelled.text.contains("meno di 5 partecipanti"),
        "{}",
        cancelled.text
    );
}

async fn an_ltt_class_is_split_among_its_participants(b: Backend) {
    let app = spawn_app(b).await;
    let staff = app.api(&app.user("capo", "admin", &[]).await).await;
    let (s, r) = staff
        .send_json(
            Method::POST,
            "/api/v1/courses",
            json!({"title": "Word", "kind": "ltt", "seats": 16, "starts_at": "2031-02-02T09:00"}),
        )
        .await;
    assert_eq!(
        (s, r["errors"][0]["field"].as_str()),
        (422, Some("seats")),
        "{r}"
    );
    let (s, course) = staff
        .send_json(
            Method::POST,
            "/api/v1/courses",
            json!({"title": "Word", "kind": "ltt", "seats": 15, "per_entity": 15,
                   "starts_at": "2031-02-02T09:00", "announce": false}),
        )
        .await;
    assert_eq!(
        (s, course["price"].as_str()),
        (201, Some("1500.00")),
        "{course}"
    );
    let id = course["id"].as_i64().unwrap();
    let a = entity(&staff, "Comune di Este").await;
    let bb = entity(&staff, "Comune di Monselice").await;
    let c = entity(&staff, "Comune di Montagnana").await;
    for (e, n) in [
        (a, "A1"),
        (a, "A2"),
        (a, "A3"),
        (bb, "B1"),
        (bb, "B2"),
        (c, "C1"),
        (c, "C2"),
    ] {
        let (s, r) = enrol(&staff, id, e, &format!("Persona {n}")).await;
        assert_eq!((s, state(&r)), (201, "admitted"), "{r}");
    }
    let (_, closed) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/courses/{id}/close-signup"),
            json!({}),
        )
        .await;
    assert_eq!(state(&closed), "confirmed");
    // 1.500 € among 7 people: 3/7, 2/7, 2/7, to the cent and adding up.
    bill(&app, 2031, vec![a, bb, c]).await;
    let mut total = 0;
    for (e, want) in [(a, 64_286), (bb, 42_857), (c, 42_857)] {
        let l = lines(&app, e, 2031).await;
        let t: Vec<_> = l.iter().filter(|x| x.0 == "training").collect();
        assert_eq!(t.len(), 1, "{l:?}");
        assert_eq!(t[0].1, want, "{}", t[0].2);
        assert!(t[0].2.contains("7 partecipanti"), "{}", t[0].2);
        total += t[0].1;
    }
    assert_eq!(total, 150_000);
}

async fn sign_ups_at_the_same_moment_keep_order_and_limits(b: Backend) {
    let app = spawn_app(b).await;
    let staff = app.api(&app.user("capo", "admin", &[]).await).await;
    let (_, course) = staff
        .send_json(Method::POST, "/api/v1/courses",
            json!({"title": "Sicurezza", "seats": 10, "starts_at": "2031-06-01T09:00", "announce": false}))
        .await;
    let id = course["id"].as_i64().unwrap();
    let mut entities = vec![];
    for n in ["Uno", "Due", "Tre"] {
        entities.push(entity(&staff, &format!("Comune {n}")).await);
    }
    let mut tasks = vec![];
    for i in 0..30 {
        let api = staff.clone();
        let e = entities[i % 3];
        tasks.push(tokio::spawn(async move {
            enrol(&api, id, e, &format!("Persona {i}")).await
        }));
    }
    for t in tasks {
        let (s, r) = t.await.unwrap();
        assert_eq!(s, 201, "{r}");
    }
    let (_, all) = staff.get(&format!("/api/v1/courses/{id}")).await;
    let list = all["enrolments"].as_array().unwrap();
    assert_eq!(list.len(), 30);
    let positions: Vec<i64> = list
        .iter()
        .map(|e| e["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, (1..=30).collect::<Vec<_>>());
    // Two per entity admitted: the first two of each in sign-up order.
    assert_eq!(all["admitted"], 6);
    for e in &entities {
        let mine: Vec<&Value> = list.iter().filter(|x| x["entity_id"] == *e).collect();
        assert_eq!(mine.len(), 10);
        assert!(mine[..2].iter().all(|x| x["state"] == "admitted"));
        assert!(mine[2..].iter().all(|x| x["state"] == "waiting"));
    }
    // At closing the four seats left go to the first four waiting, whatever their entity.
    let (_, closed) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/courses/{id}/close-signup"),
            json!({}),
        )
        .await;
    assert_eq!(closed["admitted"], 10);
    let (_, all) = staff.get(&format!("/api/v1/courses/{id}")).await;
    let waiting_first: Vec<i64> = list
        .iter()
        .filter(|x| x["state"] == "waiting")
        .take(4)
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    for e in all["enrolments"].as_array().unwrap() {
        if waiting_first.contains(&e["id"].as_i64().unwrap()) {
            assert_eq!(e["state"], "admitted", "{e}");
        }
    }
}
