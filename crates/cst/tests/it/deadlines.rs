//! The deadlines calendar (issue 12): made from what the system knows (agreement ends,
//! certificates, yearly renewals, package years, payments) and by hand; renewed ones close and
//! the next follows; reminders by e-mail once; a person's iCalendar feed at a secret address.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app, Api, Backend};

use super::billing::{demo_settings, drafted, issue};
use super::delivery::{mail_out, primary_contact, setup};

backends!(deadlines_come_from_the_data_and_by_hand_renew_remind_and_feed_a_calendar,);

/// Delivers `service`/`item` × `quantity` activated on `date`; gives the active service.
async fn activate(
    staff: &Api,
    contact: &Api,
    id: i64,
    item: (&str, &str),
    quantity: u32,
    date: &str,
) -> Value {
    let (s, r) = contact
        .send_json(
            Method::POST,
            "/api/v1/activation-requests",
            json!({"entity_id": id, "service": item.0, "item": item.1, "quantity": quantity}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let rid = r["id"].as_i64().unwrap();
    staff
        .send_json(
            Method::POST,
            &format!("/api/v1/activation-requests/{rid}/approve"),
            json!({}),
        )
        .await;
    let (s, r) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/activation-requests/{rid}/deliver"),
            json!({ "activation_date": date }),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    r["active_service"].clone()
}

fn find<'a>(list: &'a Value, kind: &str, date: &str) -> &'a Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == kind && d["date"] == date)
        .unwrap_or_else(|| panic!("no {kind} on {date} in {list}"))
}

async fn deadlines_come_from_the_data_and_by_hand_renew_remind_and_feed_a_calendar(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, contact, id) = setup(&app).await;
    primary_contact(&admin, id, "ced@mezzo.example.it").await;
    demo_settings(&admin).await;
    let pec = activate(
        &admin,
        &contact,
        id,
        ("PD11", "pec-standard"),
        5,
        "2025-12-10",
    )
    .await;
    activate(
        &admin,
        &contact,
        id,
        ("PD11", "firma-businesskey"),
        2,
        "2024-01-20",
    )
    .await;
    let (s, _) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/packages"),
            json!({"service": "PD14", "year": 2026}),
        )
        .await;
    assert_eq!(s, 201);
    let sid = drafted(&app, &admin, id, 2026).await;
    issue(&admin, sid).await;
    // By hand: the contact for their entity (a yearly check), not for the centre.
    let (s, e) = contact
        .send_json(
            Method::POST,
            "/api/v1/deadlines",
            json!({"title": "Rinnovo del server", "due_on": "2026-12-01"}),
        )
        .await;
    assert_eq!(s, 403, "{e}");
    for (body, field) in [
        (
            json!({"entity_id": id, "title": " ", "due_on": "2026-12-01"}),
            "title",
        ),
        (
            json!({"entity_id": id, "title": "x\u{202e}y", "due_on": "2026-12-01"}),
            "title",
        ),
        (
            json!({"entity_id": id, "title": "Verifica", "due_on": "2026-12-01", "every_months": 500}),
            "every_months",
        ),
    ] {
        let (s, e) = contact
            .send_json(Method::POST, "/api/v1/deadlines", body)
            .await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["errors"][0]["field"], field, "{e}");
    }
    let (s, m) = contact
        .send_json(
            Method::POST,
            "/api/v1/deadlines",
            json!({"entity_id": id, "title": "Verifica annuale dell'impianto di rete", "due_on": "2026-12-01", "every_months": 12}),
        )
        .await;
    assert_eq!(s, 201, "{m}");

    let path = format!("/api/v1/deadlines?entity_id={id}&from=2026-11-25&to=2028-12-31");
    let (s, list) = contact.get(&path).await;
    assert_eq!(s, 200, "{list}");
    let renewal = find(&list, "renewal", "2026-12-10");
    assert!(
        renewal["text"].as_str().unwrap().contains("Caselle PEC"),
        "{renewal}"
    );
    assert_eq!(renewal["key"], format!("service:{}:renewal", pec["id"]));
    find(&list, "renewal", "2027-12-10");
    find(&list, "certificate", "2027-01-20");
    find(&list, "package", "2026-12-31");
    find(&list, "agreement", "2028-12-31");
    find(&list, "manual", "2026-12-01");
    let due = (app.clock.today() + chrono::Duration::days(30)).to_string();
    find(&list, "payment", &due);
    let dates: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "by date");
    for (q, status) in [
        ("kind=nulla", 422),
        ("from=2027-01-01&to=2026-01-01", 422),
        ("from=2026-01-01&to=2030-01-01", 422),
        ("da=2026-01-01", 400),
    ] {
        let (s, e) = contact.get(&format!("/api/v1/deadlines?{q}")).await;
        assert_eq!(s, status, "{q}: {e}");
    }

    // Renewed: the PEC renewal of 2026 closes (once); the next stays open. The manual one
    // closes and makes next year's.
    let (s, _) = contact
        .send_json(
            Method::POST,
            "/api/v1/deadlines/renew",
            json!({"key": renewal["key"], "date": "2026-12-10"}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, e) = admin
        .send_json(
            Method::POST,
            "/api/v1/deadlines/renew",
            json!({"key": renewal["key"], "date": "2026-12-11"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, _) = admin
        .send_json(
            Method::POST,
            "/api/v1/deadlines/renew",
            json!({"key": renewal["key"], "date": "2026-12-10"}),
        )
        .await;
    assert_eq!(s, 204);
    let (s, e) = admin
        .send_json(
            Method::POST,
            "/api/v1/deadlines/renew",
            json!({"key": renewal["key"], "date": "2026-12-10"}),
        )
        .await;
    assert_eq!(s, 409, "{e}");
    let (s, _) = admin
        .send_json(
            Method::POST,
            "/api/v1/deadlines/renew",
            json!({"key": m["key"], "date": "2026-12-01"}),
        )
        .await;
    assert_eq!(s, 204);
    let (_, list) = contact.get(&path).await;
    assert_eq!(find(&list, "renewal", "2026-12-10")["state"], "renewed");
    assert_eq!(find(&list, "renewal", "2027-12-10")["state"], "open");
    assert_eq!(find(&list, "manual", "2026-12-01")["state"], "done");
    assert_eq!(find(&list, "manual", "2027-12-01")["state"], "open");

    // Reminders, each once: within 30 days the certificate is not, the renewed PEC is not;
    // the payment (7 days) not yet; the package (30 days) not yet (36 days away).
    let (smtp, mailer) = mail_out(&app).await;
    let today = app.clock.today();
    let (s, r) = admin
        .send_json(
            Method::POST,
            "/api/v1/deadlines",
            json!({"entity_id": id, "title": "Scade il contratto della fibra", "due_on": (today + chrono::Duration::days(10)).to_string()}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (_, soon) = admin
        .get(&format!(
            "/api/v1/deadlines?from={today}&to={}",
            today + chrono::Duration::days(40)
        ))
        .await;
    assert_eq!(
        billing::store::deadlines::remind(&app.db, today)
            .await
            .unwrap(),
        1,
        "{soon}"
    );
    assert_eq!(
        billing::store::deadlines::remind(&app.db, today)
            .await
            .unwrap(),
        0
    );
    // (The activation requests' e-mails went out too.)
    let n = mailer.run_due().await.unwrap();
    let got = smtp.wait_messages(n).await;
    let reminders: Vec<String> = got
        .iter()
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .filter(|t| t.contains("Scade il contratto della fibra"))
        .collect();
    assert_eq!(reminders.len(), 1, "one reminder");
    assert!(
        reminders[0].contains("ced@mezzo.example.it"),
        "{}",
        reminders[0]
    );

    // The contact's calendar feed: a secret address, readable without logging in; a new one
    // retires the old.
    let (s, feed) = contact
        .send_json(Method::POST, "/api/v1/calendar-feed", json!({}))
        .await;
    assert_eq!(s, 201, "{feed}");
    let url = app.url(feed["path"].as_str().unwrap());
    let r = reqwest::get(&url).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let ics = r.text().await.unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"), "{ics}");
    assert!(ics.contains("DTSTART;VALUE=DATE:20270120"), "{ics}");
    assert!(
        ics.replace("\r\n ", "")
            .contains("Comune di Mezzo: Fine del pacchetto"),
        "{ics}"
    );
    let (_, again) = contact
        .send_json(Method::POST, "/api/v1/calendar-feed", json!({}))
        .await;
    assert_ne!(again["path"], feed["path"]);
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);
    assert_eq!(
        reqwest::get(app.url("/calendar/cal_nonesiste.ics"))
            .await
            .unwrap()
            .status(),
        404
    );
}
