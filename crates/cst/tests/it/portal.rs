//! The portal's public modules (issue 14) through the API: events with a waiting list exactly
//! as seed 002 §5.5 says (whole requests, order kept, the administrator told when the freed
//! seats do not cover the first waiting request), calls for tender whose state follows the
//! dates and whose changes are corrections, appointment slots that never take more bookings
//! than places — also with many people at once, on both databases.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app, Api, Backend, TestApp};

use crate::delivery::{mail_out, primary_contact};

backends!(
    events_keep_the_waiting_list_as_the_seed_says,
    simultaneous_sign_ups_never_oversell_and_keep_their_order,
    slots_never_take_more_bookings_than_places,
    a_call_for_tender_follows_its_dates_and_is_corrected_in_the_open,
);

/// An admin and an entity with its contact.
async fn setup(app: &TestApp) -> (Api, Api, i64) {
    let admin = app.user("capo", "admin", &[]).await;
    let api = app.api(&admin).await;
    let (s, e) = api
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "Comune di Vigonza", "population": 23000, "population_date": "2023-01-01"}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let id = e["id"].as_i64().unwrap();
    let contact = app.user("referente", "contact", &[id]).await;
    (api, app.api(&contact).await, id)
}

async fn sign_up(api: &Api, event: i64, name: &str, seats: i64, channel: &str) -> Value {
    let (s, r) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/events/{event}/registrations"),
            json!({"name": name, "email": format!("{}@example.org", name.to_lowercase()),
                   "seats": seats, "channel": channel}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    r
}

fn states(list: &Value) -> Vec<(String, String, Option<i64>)> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["state"].as_str().unwrap().to_owned(),
                r["position"].as_i64(),
            )
        })
        .collect()
}

async fn events_keep_the_waiting_list_as_the_seed_says(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, contact, id) = setup(&app).await;
    primary_contact(&staff, id, "segreteria@vigonza.example.it").await;
    let (smtp, run) = mail_out(&app).await;
    // The entity's contact publishes an event with five seats.
    let (s, e) = contact
        .send_json(
            Method::POST,
            "/api/v1/events",
            json!({"entity_id": id, "title": "Concerto di Natale", "starts_at": "2026-12-20T21:00",
                   "seats": 5, "place": "Villa Arrigoni"}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let ev = e["id"].as_i64().unwrap();
    assert_eq!(
        e["starts_at"], "2026-12-20T20:00:00.000000Z",
        "21:00 in Rome"
    );
    assert_eq!(e["seats_left"], 5);

    // Anna 2 and Bruno 3 fill it; Carla asks 3 and waits; Dario asks 1 and waits behind her
    // (a later, smaller request never jumps the list).
    let a = sign_up(&contact, ev, "Anna", 2, "web").await;
    assert_eq!(a["state"], "confirmed");
    assert!(a["cancel_code"].as_str().unwrap().len() >= 32);
    sign_up(&contact, ev, "Bruno", 3, "operator").await;
    let c = sign_up(&contact, ev, "Carla", 3, "web").await;
    assert_eq!(
        (c["state"].as_str(), c["position"].as_i64()),
        (Some("waiting"), Some(1))
    );
    let d = sign_up(&contact, ev, "Dario", 1, "web").await;
    assert_eq!(
        (d["state"].as_str(), d["position"].as_i64()),
        (Some("waiting"), Some(2))
    );
    let (_, e) = contact.get(&format!("/api/v1/events/{ev}")).await;
    assert_eq!(
        (e["seats_left"].as_i64(), e["waiting"].as_i64()),
        (Some(0), Some(2))
    );

    // Anna cancels: 2 seats free, Carla asks 3. Nobody is confirmed (not Carla in part, not
    // Dario ahead of her): the administrator is told.
    let (s, r) = contact
        .send_json(
            Method::POST,
            &format!("/api/v1/registrations/{}/cancel", a["id"]),
            json!({}),
        )
        .await;
    assert_eq!((s, r["state"].as_str()), (200, Some("cancelled")), "{r}");
    let (_, list) = contact
        .get(&format!("/api/v1/events/{ev}/registrations"))
        .await;
    assert_eq!(
        states(&list),
        [
            ("Anna".into(), "cancelled".into(), None),
            ("Bruno".into(), "confirmed".into(), None),
            ("Carla".into(), "waiting".into(), Some(1)),
            ("Dario".into(), "waiting".into(), Some(2)),
        ]
    );
    let (_, notices) = contact.get(&format!("/api/v1/events/{ev}/notices")).await;
    let items = notices["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{notices}");
    assert_eq!(items[0]["free_seats"], 2);
    assert_eq!(items[0]["registration_id"], c["id"]);
    assert_eq!(items[0]["asked"], 3);
    // Cancelling twice is refused, and tells nobody again.
    let (s, r) = contact
        .send_json(
            Method::POST,
            &format!("/api/v1/registrations/{}/cancel", a["id"]),
            json!({}),
        )
        .await;
    assert_eq!((s, r["code"].as_str()), (409, Some("closed")), "{r}");

    // The operator gives the event one more seat: Carla (3) fits and is confirmed, then Dario
    // does not (no seat left): nobody else is told.
    let (s, e) = staff
        .send_json(
            Method::PATCH,
            &format!("/api/v1/events/{ev}"),
            json!({"seats": 6}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let (_, list) = contact
        .get(&format!("/api/v1/events/{ev}/registrations"))
        .await;
    assert_eq!(
        states(&list)[2..],
        [
            ("Carla".into(), "confirmed".into(), None),
            ("Dario".into(), "waiting".into(), Some(1)),
        ]
    );
    assert_eq!(
        (e["seats_left"].as_i64(), e["waiting"].as_i64()),
        (Some(0), Some(1)),
        "{e}"
    );

    // An operator edits Carla's web sign-up (one seat fewer): it counts as the operator's now,
    // and the freed seat goes to Dario.
    let (s, r) = contact
        .send_json(
            Method::PATCH,
            &format!("/api/v1/registrations/{}", c["id"]),
            json!({"seats": 2}),
        )
        .await;
    assert_eq!((s, r["channel"].as_str()), (200, Some("operator")), "{r}");
    let (_, list) = contact
        .get(&format!("/api/v1/events/{ev}/registrations"))
        .await;
    assert_eq!(states(&list)[3], ("Dario".into(), "confirmed".into(), None));
    assert_eq!(list["items"][1]["channel"], "operator");
    assert_eq!(list["items"][3]["channel"], "web");

    // Seats cannot go under those confirmed; the flag closes sign-ups on the web (an operator
    // may still add one).
    let (s, r) = staff
        .send_json(
            Method::PATCH,
            &format!("/api/v1/events/{ev}"),
            json!({"seats": 3}),
        )
        .await;
    assert_eq!(
        (s, r["errors"][0]["field"].as_str()),
        (422, Some("seats")),
        "{r}"
    );
    staff
        .send_json(
            Method::PATCH,
            &format!("/api/v1/events/{ev}"),
            json!({"closed": true}),
        )
        .await;
    let (s, r) = contact
        .send_json(
            Method::POST,
            &format!("/api/v1/events/{ev}/registrations"),
            json!({"name": "Elena", "email": "elena@example.org", "channel": "web"}),
        )
        .await;
    assert_eq!((s, r["code"].as_str()), (409, Some("closed")), "{r}");
    let late = sign_up(&contact, ev, "Fabio", 1, "operator").await;
    assert_eq!(late["state"], "waiting");

    // Wrong input is refused field by field, and nothing is stored.
    for (body, field) in [
        (json!({"name": "", "email": "x@example.org"}), "name"),
        (json!({"name": "Gino", "email": "non-una-mail"}), "email"),
        (
            json!({"name": "Gino", "email": "g@example.org", "seats": 0}),
            "seats",
        ),
        (
            json!({"name": "Gino", "email": "g@example.org", "seats": 11}),
            "seats",
        ),
        (
            json!({"name": "Gino", "email": "g@example.org", "channel": "fax"}),
            "channel",
        ),
        (
            json!({"name": "Gino", "email": "g@example.org", "phone": "abc"}),
            "phone",
        ),
    ] {
        let (s, r) = staff
            .send_json(
                Method::POST,
                &format!("/api/v1/events/{ev}/registrations"),
                body,
            )
            .await;
        assert_eq!(
            (s, r["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{r}"
        );
    }
    for (body, field) in [
        (
            json!({"entity_id": id, "title": "X", "starts_at": "domani", "seats": 5}),
            "starts_at",
        ),
        (
            json!({"entity_id": id, "title": "X", "starts_at": "2027-01-01", "seats": 0}),
            "seats",
        ),
        (
            json!({"entity_id": id, "title": " ", "starts_at": "2027-01-01", "seats": 5}),
            "title",
        ),
    ] {
        let (s, r) = staff.send_json(Method::POST, "/api/v1/events", body).await;
        assert_eq!(
            (s, r["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{r}"
        );
    }
    let (_, list) = contact
        .get(&format!("/api/v1/events/{ev}/registrations"))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 5);
    let (_, all) = contact.get(&format!("/api/v1/events?entity_id={id}")).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);

    // The e-mails, through a real SMTP server: each person told where they stand, the
    // administrator told once.
    let sent = run.run_due().await.unwrap();
    let got = smtp.wait_messages(sent).await;
    let mails: Vec<mail::Incoming> = got.iter().map(|raw| mail::parse(raw).unwrap()).collect();
    let to_admin: Vec<&mail::Incoming> = mails
        .iter()
        .filter(|m| m.subject.contains("lista d'attesa da decidere"))
        .collect();
    assert_eq!(to_admin.len(), 1);
    assert!(
        to_admin[0].text.contains("Si sono liberati 2 posti"),
        "{}",
        to_admin[0].text
    );
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    for want in [
        "Comune di Vigonza – Concerto di Natale: iscrizione confermata",
        "Comune di Vigonza – Concerto di Natale: in lista d'attesa",
        "Comune di Vigonza – Concerto di Natale: iscrizione annullata",
        "Comune di Vigonza – Concerto di Natale: posto confermato dalla lista d'attesa",
    ] {
        assert!(subjects.contains(&want), "{want} not in {subjects:?}");
    }
    let carla = mails
        .iter()
        .find(|m| m.subject.ends_with("in lista d'attesa") && m.text.contains("Gentile Carla"))
        .unwrap();
    assert!(carla.text.contains("/iscrizioni/"), "{}", carla.text);
    // 4 first answers + Anna's cancellation + Carla and Dario promoted + Fabio + the notice.
    assert_eq!(sent, 9, "{subjects:?}");

    // The attendance list, for the door.
    let r = contact
        .request(Method::GET, &format!("/api/v1/events/{ev}/attendance.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = r.text().await.unwrap();
    assert_eq!(csv.lines().count(), 6, "a header and five sign-ups: {csv}");
    assert!(csv.contains("Carla") && csv.contains("confermata") && csv.contains("da operatore"));

    // The audit chain names the sign-ups by number, never the person.
    let (_, audit) = staff
        .get(&format!(
            "/api/v1/audit?object_type=event_registration&object_id={}",
            c["id"]
        ))
        .await;
    let text = audit.to_string();
    assert!(text.contains("event_registration"), "{text}");
    assert!(
        !text.contains("Carla") && !text.contains("carla@"),
        "{text}"
    );
}

async fn simultaneous_sign_ups_never_oversell_and_keep_their_order(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, _, id) = setup(&app).await;
    let (_, e) = staff
        .send_json(
            Method::POST,
            "/api/v1/events",
            json!({"entity_id": id, "title": "Corso di primo soccorso", "starts_at": "2027-02-01T09:00",
                   "seats": 20}),
        )
        .await;
    let ev = e["id"].as_i64().unwrap();
    let mut tasks = Vec::new();
    for i in 0..60 {
        let api = staff.clone();
        tasks.push(tokio::spawn(async move {
            api.send_json(
                Method::POST,
                &format!("/api/v1/events/{ev}/registrations"),
                json!({"name": format!("Persona {i}"), "email": format!("p{i}@example.org"),
                       "seats": 1 + (i % 2), "channel": "web"}),
            )
            .await
        }));
    }
    for t in tasks {
        let (s, r) = t.await.unwrap();
        assert_eq!(s, 201, "{r}");
    }
    let (_, list) = staff
        .get(&format!("/api/v1/events/{ev}/registrations"))
        .await;
    let items = list["items"].as_array().unwrap();
    let confirmed: i64 = items
        .iter()
        .filter(|r| r["state"] == "confirmed")
        .map(|r| r["seats"].as_i64().unwrap())
        .sum();
    assert!(confirmed <= 20, "{confirmed} seats confirmed of 20");
    // In arrival order: every confirmed sign-up came before every waiting one, and the
    // waiting list is numbered 1, 2, 3… in that order.
    let first_waiting = items.iter().position(|r| r["state"] == "waiting").unwrap();
    assert!(items[first_waiting..]
        .iter()
        .all(|r| r["state"] == "waiting"));
    let places: Vec<i64> = items[first_waiting..]
        .iter()
        .map(|r| r["position"].as_i64().unwrap())
        .collect();
    assert_eq!(places, (1..=places.len() as i64).collect::<Vec<_>>());
    let (_, e) = staff.get(&format!("/api/v1/events/{ev}")).await;
    assert_eq!(e["confirmed_seats"].as_i64(), Some(confirmed));
    assert_eq!(e["waiting"].as_i64(), Some(places.len() as i64));
}

async fn slots_never_take_more_bookings_than_places(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, contact, id) = setup(&app).await;
    let (s, slot) = contact
        .send_json(
            Method::POST,
            "/api/v1/appointment-slots",
            json!({"entity_id": id, "office": "Anagrafe", "starts_at": "2026-12-14T09:00",
                   "minutes": 20, "places": 3}),
        )
        .await;
    assert_eq!(s, 201, "{slot}");
    let sid = slot["id"].as_i64().unwrap();
    assert_eq!(
        (slot["office"].as_str(), slot["free"].as_i64()),
        (Some("Anagrafe"), Some(3))
    );
    let mut tasks = Vec::new();
    for i in 0..30 {
        let api = staff.clone();
        tasks.push(tokio::spawn(async move {
            api.send_json(
                Method::POST,
                &format!("/api/v1/appointment-slots/{sid}/bookings"),
                json!({"name": format!("Cittadino {i}"), "email": format!("c{i}@example.org"),
                       "reason": "Carta d'identità elettronica"}),
            )
            .await
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        let (s, r) = t.await.unwrap();
        if s == 409 {
            assert_eq!(r["code"], "slot_full", "{r}");
        }
        codes.push(s);
    }
    assert_eq!(codes.iter().filter(|s| **s == 201).count(), 3, "{codes:?}");
    assert_eq!(codes.iter().filter(|s| **s == 409).count(), 27, "{codes:?}");
    let (_, list) = contact
        .get(&format!("/api/v1/appointment-slots/{sid}/bookings"))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    let (_, slot) = contact
        .get(&format!("/api/v1/appointment-slots/{sid}"))
        .await;
    assert_eq!(
        (slot["booked"].as_i64(), slot["free"].as_i64()),
        (Some(3), Some(0))
    );
    // The same office cannot have two slots at one time; a wrong slot is refused by field.
    let (s, r) = contact
        .send_json(
            Method::POST,
            "/api/v1/appointment-slots",
            json!({"entity_id": id, "office": "Anagrafe", "starts_at": "2026-12-14T09:00",
                   "minutes": 20, "places": 1}),
        )
        .await;
    assert_eq!(s, 409, "{r}");
    let (s, r) = contact
        .send_json(
            Method::POST,
            "/api/v1/appointment-slots",
            json!({"entity_id": id, "office": "", "starts_at": "2026-12-14T10:00",
                   "minutes": 2, "places": 0}),
        )
        .await;
    assert_eq!(s, 422, "{r}");
    let fields: Vec<&str> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["office", "minutes", "places"]);
    // A slot already begun takes no booking.
    let (_, past) = contact
        .send_json(
            Method::POST,
            "/api/v1/appointment-slots",
            json!({"entity_id": id, "office": "Tributi", "starts_at": "2026-11-02T09:00",
                   "minutes": 30, "places": 2}),
        )
        .await;
    let (s, r) = contact
        .send_json(
            Method::POST,
            &format!("/api/v1/appointment-slots/{}/bookings", past["id"]),
            json!({"name": "Tardi", "email": "tardi@example.org"}),
        )
        .await;
    assert_eq!((s, r["code"].as_str()), (409, Some("closed")), "{r}");
}

async fn a_call_for_tender_follows_its_dates_and_is_corrected_in_the_open(b: Backend) {
    let app = spawn_app(b).await;
    let (_, contact, id) = setup(&app).await;
    // TEST_NOW is in November 2026: the call is published today, due in December.
    let today = app.clock.today().to_string();
    let (s, t) = contact
        .send_json(
            Method::POST,
            "/api/v1/tenders",
            json!({"entity_id": id, "title": "Manutenzione delle strade comunali 2027",
                   "category": "lavori", "published_on": today,
                   "deadline_at": "2026-12-15T12:00"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    assert_eq!(
        (t["state"].as_str(), t["published"].as_bool()),
        (Some("active"), Some(true))
    );
    let tid = t["id"].as_i64().unwrap();
    let body = |deadline: &str, outcome_on: Option<&str>, reason: Option<&str>| {
        let mut v = json!({"entity_id": id, "title": "Manutenzione delle strade comunali 2027",
                           "category": "lavori", "published_on": today, "deadline_at": deadline});
        if let Some(o) = outcome_on {
            v["outcome_on"] = json!(o);
            v["outcome"] = json!("Aggiudicata a Strade Venete srl");
        }
        if let Some(r) = reason {
            v["reason"] = json!(r);
        }
        v
    };
    // Published: a change without its reason is refused; with it, it is a dated correction.
    let (s, r) = contact
        .send_json(
            Method::PUT,
            &format!("/api/v1/tenders/{tid}"),
            body("2026-12-22T12:00", None, None),
        )
        .await;
    assert_eq!(
        (s, r["errors"][0]["field"].as_str()),
        (422, Some("reason")),
        "{r}"
    );
    let (s, t) = contact
        .send_json(
            Method::PUT,
            &format!("/api/v1/tenders/{tid}"),
            body(
                "2026-12-22T12:00",
                None,
                Some("Proroga dei termini per festività"),
            ),
        )
        .await;
    assert_eq!(s, 200, "{t}");
    let rect = &t["rectifications"][0];
    assert_eq!(rect["text"], "Proroga dei termini per festività");
    assert_eq!(
        rect["changes"]["deadline_at"],
        json!(["2026-12-15T11:00:00.000000Z", "2026-12-22T11:00:00.000000Z"])
    );
    // After the deadline: expired; the outcome published: expired with outcome (not a
    // correction); twelve months after the deadline: the archive.
    app.clock.set("2026-12-23T08:00:00Z".parse().unwrap());
    let (_, t) = contact.get(&format!("/api/v1/tenders/{tid}")).await;
    assert_eq!(t["state"], "expired");
    let (s, t) = contact
        .send_json(
            Method::PUT,
            &format!("/api/v1/tenders/{tid}"),
            body("2026-12-22T12:00", Some("2026-12-23"), None),
        )
        .await;
    assert_eq!(
        (s, t["state"].as_str()),
        (200, Some("expired_with_outcome")),
        "{t}"
    );
    assert_eq!(t["rectifications"].as_array().unwrap().len(), 1);
    app.clock.set("2027-12-22T11:00:00Z".parse().unwrap());
    let (_, list) = contact
        .get(&format!("/api/v1/tenders?entity_id={id}&state=archived"))
        .await;
    assert_eq!(list["items"][0]["id"].as_i64(), Some(tid), "{list}");
    // A document added to the published call is a correction too, and reads back whole.
    let r = contact
        .request(
            Method::POST,
            &format!("/api/v1/tenders/{tid}/documents?filename=../verbale%20di%20gara.pdf"),
        )
        .header("content-type", "application/pdf; charset=binary")
        .body(b"%PDF-1.4 verbale".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let doc: Value = r.json().await.unwrap();
    assert_eq!(
        (doc["name"].as_str(), doc["content_type"].as_str()),
        (Some("verbale di gara.pdf"), Some("application/pdf"))
    );
    let r = contact
        .request(
            Method::GET,
            &format!("/api/v1/tenders/{tid}/documents/{}", doc["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"%PDF-1.4 verbale");
    let (_, t) = contact.get(&format!("/api/v1/tenders/{tid}")).await;
    assert_eq!(
        t["rectifications"][1]["text"],
        "Aggiunto il documento «verbale di gara.pdf»"
    );
    let r = contact
        .request(Method::POST, &format!("/api/v1/tenders/{tid}/documents"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "an empty document is refused");

    // Wrong input, field by field.
    for (v, field) in [
        (
            json!({"entity_id": id, "title": "X", "category": "giochi", "published_on": today, "deadline_at": "2027-01-01"}),
            "category",
        ),
        (
            json!({"entity_id": id, "title": "X", "category": "lavori", "published_on": "ieri", "deadline_at": "2027-01-01"}),
            "published_on",
        ),
        (
            json!({"entity_id": id, "title": "X", "category": "lavori", "published_on": today, "deadline_at": "2020-01-01"}),
            "deadline_at",
        ),
    ] {
        let (s, r) = contact.send_json(Method::POST, "/api/v1/tenders", v).await;
        assert_eq!(
            (s, r["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{r}"
        );
    }
}
