//! Delivery (issue 11): activation requests from submission to an active service, with the
//! delivery deadline in the entity's working calendar, and every wrong move refused.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app, Api, Backend, TestApp};

backends!(
    a_request_goes_from_submission_to_an_active_service,
    wrong_requests_and_moves_are_refused_and_change_nothing,
    by_page_a_contact_asks_and_staff_deliver,
    the_entity_is_told_by_email_at_each_step,
    work_is_counted_against_packages_in_days_and_hours,
    by_page_staff_log_work_and_the_contact_acknowledges_it,
);

/// The Padova catalogue (PD09 delivered within 10 working days), an admin, and an entity with
/// an agreement in force and its contact.
pub(crate) async fn setup(app: &TestApp) -> (Api, Api, i64) {
    let system = kernel::Actor::system("t");
    catalog::store::load_padova_catalogue(&app.db, &system)
        .await
        .unwrap();
    let pd09 = catalog::store::services::get(&app.db, "PD09")
        .await
        .unwrap();
    let mut card = pd09.card.clone();
    card.delivery_time = Some(catalog::service::DeliveryTime {
        days: 10,
        kind: catalog::service::DayKind::Working,
    });
    catalog::store::services::put(&app.db, &system, &card, None)
        .await
        .unwrap();
    let admin = app.user("capo", "admin", &[]).await;
    let api = app.api(&admin).await;
    let (s, e) = api
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "Comune di Mezzo", "population": 7500, "population_date": "2023-01-01"}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let id = e["id"].as_i64().unwrap();
    let (s, a) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/agreements"),
            json!({"start_date": "2024-01-01", "term_years": 5, "number": "1/2024", "signed": true}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let contact = app.user("referente", "contact", &[id]).await;
    (api, app.api(&contact).await, id)
}

/// A real SMTP server and a job runner that sends the queued e-mails to it.
pub(crate) async fn mail_out(app: &TestApp) -> (testkit::mailservers::SmtpServer, worker::Runner) {
    let smtp = testkit::mailservers::SmtpServer::start().await;
    let sender = std::sync::Arc::new(
        mail::Sender::new(&smtp.url(), "CST <servizi@cst.example.it>", None).unwrap(),
    );
    let run = worker::Runner::new(app.db.clone()).handle(
        mail::SEND_JOB,
        mail::smtp::retry(),
        sender.handler(),
    );
    (smtp, run)
}

/// The entity's primary contact with an address.
pub(crate) async fn primary_contact(staff: &Api, id: i64, email: &str) {
    let (s, c) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/contacts"),
            json!({"full_name": "Marco Zanon", "email": email, "is_primary": true}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
}

pub(crate) fn request(entity: i64, quantity: u32) -> Value {
    json!({"entity_id": entity, "service": "PD09", "quantity": quantity,
           "notes": "Per la biblioteca civica"})
}

async fn a_request_goes_from_submission_to_an_active_service(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, contact, id) = setup(&app).await;

    // The contact asks; the quote is shown line by line (activated today, 25/11/2026: the
    // activation with training, 3 users × € 265,00; management only from the 2nd year).
    let (s, r) = contact
        .send_json(Method::POST, "/api/v1/activation-requests", request(id, 3))
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["state"], "submitted");
    assert_eq!(r["item"], "postazione");
    assert_eq!(r["quote"]["amount"], "795.00");
    assert!(
        r["quote"]["lines"][0]["text"]
            .as_str()
            .unwrap()
            .contains("3 utenti × € 265,00"),
        "{r}"
    );
    assert_eq!(r["due_date"], Value::Null);
    let rid = r["id"].as_i64().unwrap();
    // The contact cannot approve their own request.
    let path = |what: &str| format!("/api/v1/activation-requests/{rid}/{what}");
    let (s, _) = contact
        .send_json(Method::POST, &path("approve"), json!({}))
        .await;
    assert_eq!(s, 403);

    // Approved on Wednesday 25 November 2026: 10 working days in Padova's calendar skip two
    // weekends and 8 December (a holiday) → Thursday 10 December.
    let (s, r) = staff
        .send_json(Method::POST, &path("approve"), json!({}))
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["state"], "approved");
    assert_eq!(r["approved_on"], "2026-11-25");
    assert_eq!(r["due_date"], "2026-12-10");
    assert_eq!(r["overdue"], false);
    // Overdue once the deadline has passed while still open.
    app.clock.set("2026-12-11T09:00:00Z".parse().unwrap());
    let (_, r) = contact
        .get(&format!("/api/v1/activation-requests/{rid}"))
        .await;
    assert_eq!(r["overdue"], true, "{r}");
    let (_, open) = staff
        .get(&format!(
            "/api/v1/activation-requests?entity_id={id}&state=approved"
        ))
        .await;
    assert_eq!(open["total"], 1);

    // Handed to a technician, then delivered on 1 December (in the past: recorded late).
    let op = app.user("tecnico", "operator", &[]).await;
    let (s, r) = staff
        .send_json(Method::POST, &path("assign"), json!({"assigned_to": op.id}))
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["state"], "in_delivery");
    let (s, r) = staff
        .send_json(
            Method::POST,
            &path("deliver"),
            json!({"activation_date": "2026-12-01", "version": r["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["state"], "delivered");
    assert_eq!(r["activation_date"], "2026-12-01");
    assert_eq!(r["overdue"], false, "delivered is never overdue");
    assert_eq!(r["active_service"]["service"], "PD09");
    assert_eq!(r["active_service"]["quantity"], 3);

    // What the entity had on a day: nothing the day before, the service from that day.
    let services = |day: &'static str| {
        let contact = &contact;
        async move {
            let (s, v) = contact
                .get(&format!("/api/v1/entities/{id}/services?on={day}"))
                .await;
            assert_eq!(s, 200, "{v}");
            v["items"].as_array().unwrap().clone()
        }
    };
    assert!(services("2026-11-30").await.is_empty());
    let on = services("2026-12-01").await;
    assert_eq!(on.len(), 1);
    assert_eq!(on[0]["item"], "postazione");
    assert_eq!(on[0]["activation_date"], "2026-12-01");
    assert_eq!(on[0]["end_date"], Value::Null);
    assert_eq!(services("2030-01-01").await.len(), 1);

    // Every step is in the register, under the entity.
    let (_, audit) = staff
        .get(&format!(
            "/api/v1/audit?entity_id={id}&object_type=activation_request"
        ))
        .await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for a in ["create", "approve", "assign", "deliver"] {
        assert!(actions.contains(&a), "{a} in {audit}");
    }
}

async fn post(api: &Api, path: String, body: Value) -> (u16, Value) {
    api.send_json(Method::POST, &path, body).await
}

async fn wrong_requests_and_moves_are_refused_and_change_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, contact, id) = setup(&app).await;

    // Wrong input: named, with a stable code.
    for (body, field) in [
        (
            json!({"entity_id": id, "service": "PD09", "quantity": 0}),
            "quantity",
        ),
        (
            json!({"entity_id": id, "service": "PD09", "quantity": 1, "wanted_date": "2026-01-01"}),
            "wanted_date",
        ),
        (
            json!({"entity_id": id, "service": "", "quantity": 1}),
            "service",
        ),
    ] {
        let (s, p) = post(&contact, "/api/v1/activation-requests".into(), body).await;
        assert_eq!(s, 422, "{p}");
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
    let (s, p) = post(
        &contact,
        "/api/v1/activation-requests".into(),
        json!({"entity_id": id, "service": "PD99", "quantity": 1}),
    )
    .await;
    assert_eq!(s, 404, "{p}");
    let (s, p) = post(
        &contact,
        "/api/v1/activation-requests".into(),
        json!({"entity_id": id, "service": "PD09", "quantity": 1, "colour": "blu"}),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    // An entity without an agreement in force cannot ask for a chargeable service.
    let (_, other) = staff
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "Comune Senza Convenzione"}),
        )
        .await;
    let (s, p) = post(
        &staff,
        "/api/v1/activation-requests".into(),
        json!({"entity_id": other["id"], "service": "PD09", "quantity": 1}),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("convenzione"), "{p}");
    // Another entity's: not found for a contact.
    let (s, _) = post(
        &contact,
        "/api/v1/activation-requests".into(),
        json!({"entity_id": other["id"], "service": "PD09", "quantity": 1}),
    )
    .await;
    assert_eq!(s, 404);
    let (_, list) = staff.get("/api/v1/activation-requests").await;
    assert_eq!(list["total"], 0, "nothing stored");
    let (s, p) = staff.get("/api/v1/activation-requests?state=boh").await;
    assert_eq!(s, 422, "{p}");

    // Moves out of order: refused with the states in words.
    let (_, r) = post(
        &contact,
        "/api/v1/activation-requests".into(),
        request(id, 2),
    )
    .await;
    let rid = r["id"].as_i64().unwrap();
    let path = |what: &str| format!("/api/v1/activation-requests/{rid}/{what}");
    let (s, p) = post(
        &staff,
        path("deliver"),
        json!({"activation_date": "2026-12-01"}),
    )
    .await;
    assert_eq!(s, 409, "approved first: {p}");
    assert_eq!(p["code"], "activation_request_state");
    assert!(p["detail"].as_str().unwrap().contains("«inviata»"), "{p}");
    // A refusal needs its reason; a stale version is a conflict.
    let (s, p) = post(&staff, path("refuse"), json!({})).await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "reason");
    let (s, _) = post(&staff, path("approve"), json!({"version": 99})).await;
    assert_eq!(s, 409);
    // Assigning to someone who is not staff is refused.
    let (s, _) = post(&staff, path("approve"), json!({})).await;
    assert_eq!(s, 200);
    let other_contact = app.user("altro", "contact", &[id]).await;
    let (s, p) = post(
        &staff,
        path("assign"),
        json!({"assigned_to": other_contact.id}),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    // The contact withdraws it; afterwards nothing moves it again.
    let (s, r) = post(&contact, path("cancel"), json!({"reason": "Non serve più"})).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["state"], "cancelled");
    assert_eq!(r["reason"], "Non serve più");
    for what in ["approve", "cancel"] {
        let (s, _) = post(&staff, path(what), json!({})).await;
        assert_eq!(s, 409, "{what} after cancel");
    }
    // A supplier may not ask.
    let supplier = app.user("fornitore", "supplier", &[id]).await;
    let supplier = app.api(&supplier).await;
    let (s, _) = post(
        &supplier,
        "/api/v1/activation-requests".into(),
        request(id, 1),
    )
    .await;
    assert_eq!(s, 403);
    // Delivering on a day no price list covers is refused, and changes nothing.
    let (_, r) = post(&staff, "/api/v1/activation-requests".into(), request(id, 1)).await;
    let rid2 = r["id"].as_i64().unwrap();
    let path2 = |what: &str| format!("/api/v1/activation-requests/{rid2}/{what}");
    post(&staff, path2("approve"), json!({})).await;
    let (s, p) = post(
        &staff,
        path2("deliver"),
        json!({"activation_date": "2019-01-01"}),
    )
    .await;
    assert_eq!(s, 422, "{p}");
    assert_eq!(p["errors"][0]["field"], "activation_date");
    let (_, r) = staff
        .get(&format!("/api/v1/activation-requests/{rid2}"))
        .await;
    assert_eq!(r["state"], "approved");
    let (_, on) = staff
        .get(&format!("/api/v1/entities/{id}/services?on=2026-12-01"))
        .await;
    assert!(on["items"].as_array().unwrap().is_empty());
    let (s, _) = staff
        .get(&format!("/api/v1/entities/{id}/services?on=ieri"))
        .await;
    assert_eq!(s, 400);
}

async fn by_page_a_contact_asks_and_staff_deliver(b: Backend) {
    let app = spawn_app(b).await;
    let (_staff, _contact, id) = setup(&app).await;
    let contact = app.browser("referente").await;
    let page = |h: String| h.replace("&#39;", "'");

    // From the service card's link: the entity (the contact's only one) is already chosen.
    let (s, html) = contact.get("/requests/new?servizio=PD09").await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!(r#"<option value="{id}" selected>"#)),
        "{html}"
    );
    // The quote before sending; a wrong quantity said at its field.
    let form = |q: &'static str, action: &'static str| {
        vec![
            ("ente", id.to_string()),
            ("servizio", "PD09".to_owned()),
            ("quantita", q.to_owned()),
            ("note", "Per la biblioteca".to_owned()),
            ("azione", action.to_owned()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let contact = &contact;
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            contact.post("/requests/new", &f).await
        }
    };
    let (s, html) = post(form("tre", "anteprima")).await;
    assert_eq!(s, 422);
    assert!(
        html.contains(r#"id="quantita-error">«tre» non è un numero intero"#),
        "{html}"
    );
    let (s, html) = post(form("3", "anteprima")).await;
    assert_eq!(s, 200);
    assert!(html.contains("Preventivo: € 795,00"), "{html}");
    assert!(html.contains("3 utenti × € 265,00"));
    let sent = {
        let f = form("3", "invia");
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        contact.post_follow("/requests/new", &f).await
    };
    assert_eq!(sent.0, 200);
    assert!(
        sent.1.contains("inviata: il centro servizi la esamina"),
        "{}",
        sent.1
    );
    let (_, home) = contact.get("/").await;
    assert!(
        home.contains("id=\"card-activations\"") && home.contains("inviata"),
        "{home}"
    );

    // Staff: the home says there is one to approve; approve, deliver, the entity has it.
    let staff = app.browser("capo").await;
    let (_, home) = staff.get("/").await;
    let card = &home[home.find("id=\"card-activations\"").unwrap()..];
    assert!(card.contains("da approvare"), "{card}");
    let (_, list) = staff.get("/requests").await;
    assert!(list.contains("1 richiesta"), "{list}");
    let rid = {
        let table = &list[list.find("id=\"request-table\"").unwrap()..];
        let i = table.find("href=\"/requests/").unwrap() + 16;
        table[i..].split('"').next().unwrap().to_owned()
    };
    let (_, html) = staff
        .post_follow(&format!("/requests/{rid}/approva"), &[])
        .await;
    assert!(
        html.contains("Richiesta approvata: da attivare entro il 10/12/2026."),
        "{html}"
    );
    let (_, html) = staff
        .post_follow(&format!("/requests/{rid}/rifiuta"), &[("motivo", "")])
        .await;
    assert!(page(html).contains("Il motivo del rifiuto è obbligatorio"));
    let (_, html) = staff
        .post_follow(
            &format!("/requests/{rid}/attiva"),
            &[("data", "2026-12-01")],
        )
        .await;
    assert!(html.contains("Servizio attivato dal 01/12/2026"), "{html}");
    let (_, entity) = contact.get(&format!("/entities/{id}")).await;
    let services = &entity[entity.find("id=\"active-services\"").unwrap()..];
    assert!(
        services.contains("PD09") && services.contains("dal 01/12/2026"),
        "{services}"
    );

    // Cancelling asks first.
    let sent = {
        let f = form("1", "invia");
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        contact.post_follow("/requests/new", &f).await
    };
    let rid2 = {
        let i = sent.1.find("Richiesta n. ").unwrap() + 13;
        sent.1[i..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .to_owned()
    };
    let (s, html) = contact
        .post(&format!("/requests/{rid2}/annulla"), &[])
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&format!("Annullare la richiesta n. {rid2}?")),
        "{html}"
    );
    let (_, html) = contact
        .post_follow(&format!("/requests/{rid2}/annulla"), &[("confermato", "1")])
        .await;
    assert!(html.contains("Richiesta annullata."), "{html}");
    // A contact cannot approve.
    let (_, html) = contact
        .post_follow(&format!("/requests/{rid2}/approva"), &[])
        .await;
    assert!(page(html).contains("riservata al personale"));
}

async fn the_entity_is_told_by_email_at_each_step(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, _, id) = setup(&app).await;
    let (smtp, run) = mail_out(&app).await;
    // The entity's primary contact, and a contact account with its own address.
    let (s, c) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/contacts"),
            json!({"full_name": "Marco Zanon", "email": "Protocollo@Mezzo.example.it", "is_primary": true}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let account = accounts::store::create(
        &app.db,
        &kernel::Actor::system("t"),
        &accounts::NewUser {
            username: "sindaco".into(),
            full_name: "Sindaco".into(),
            email: "sindaco@mezzo.example.it".into(),
            role: "contact".into(),
            password: testkit::PASSWORD.into(),
            entity_ids: vec![id],
        },
    )
    .await
    .unwrap();
    let contact = app.api(&account).await;
    let (_, r) = contact
        .send_json(Method::POST, "/api/v1/activation-requests", request(id, 3))
        .await;
    let rid = r["id"].as_i64().unwrap();
    let path = |what: &str| format!("/api/v1/activation-requests/{rid}/{what}");
    staff
        .send_json(Method::POST, &path("approve"), json!({}))
        .await;
    staff
        .send_json(
            Method::POST,
            &path("deliver"),
            json!({"activation_date": "2026-12-01"}),
        )
        .await;
    assert_eq!(run.run_due().await.unwrap(), 3, "one e-mail a step");
    let got = smtp.wait_messages(3).await;
    let mut mails: Vec<(String, String, String)> = got
        .iter()
        .map(|raw| {
            let text = String::from_utf8_lossy(raw).into_owned();
            let subject = text
                .lines()
                .find_map(|l| l.strip_prefix("Subject: "))
                .unwrap_or("")
                .to_owned();
            let to = text
                .lines()
                .find_map(|l| l.strip_prefix("To: "))
                .unwrap_or("")
                .to_owned();
            (subject, to, mail::parse(raw).unwrap().text)
        })
        .collect();
    mails.sort();
    let subjects: Vec<&str> = mails.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(
        subjects,
        [
            format!("[Richiesta {rid}] PD09: approvata"),
            format!("[Richiesta {rid}] PD09: ricevuta"),
            format!("[Richiesta {rid}] PD09: servizio attivato"),
        ]
    );
    for (_, to, _) in &mails {
        assert!(
            to.contains("protocollo@mezzo.example.it") && to.contains("sindaco@mezzo.example.it"),
            "{to}"
        );
    }
    assert!(
        mails[0].2.contains("sarà attivato entro il 10/12/2026"),
        "{}",
        mails[0].2
    );
    assert!(
        mails[1].2.contains("Preventivo: € 795,00"),
        "{}",
        mails[1].2
    );
    assert!(
        mails[2].2.contains("è attivo dal 01/12/2026"),
        "{}",
        mails[2].2
    );
}

async fn work_is_counted_against_packages_in_days_and_hours(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, contact, id) = setup(&app).await;
    // PD14: the item's own 5 days; extra days billed at PD15 avanzato's rate (€ 393).
    let (s, p) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/packages"),
            json!({"service": "PD14", "year": 2026}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["days"], "5.00");
    assert_eq!(p["used"], "0.00");
    assert_eq!(p["overage_rate"], "393.00");
    let pid = p["id"].as_i64().unwrap();
    let work = |minutes: u32, mode: &'static str, package: Option<i64>| {
        json!({"entity_id": id, "package_id": package, "date": "2026-11-20", "minutes": minutes,
               "mode": mode, "description": "Aggiornamento dei server"})
    };
    // 3 hours on site: half a day; the call-out fee (no profile: MINIMAL).
    let (s, r) = staff
        .send_json(
            Method::POST,
            "/api/v1/work-reports",
            work(180, "onsite", Some(pid)),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["flags"], json!(["call_out_fee"]));
    assert_eq!(r["package"]["used"], "0.50");
    // 8 hours remote: a whole day; beyond the 30 minutes of assistance.
    let (_, r) = staff
        .send_json(
            Method::POST,
            "/api/v1/work-reports",
            work(480, "remote", Some(pid)),
        )
        .await;
    assert_eq!(r["flags"], json!(["remote_over_30_minutes"]));
    let (s, p) = contact.get(&format!("/api/v1/packages/{pid}")).await;
    assert_eq!(s, 200, "the contact sees the balance: {p}");
    assert_eq!(p["used"], "1.50");
    assert_eq!(p["remaining"], "3.50");
    assert_eq!(p["onsite_share"], "0.333");
    // Beyond the 5 days: billed at € 393 a day (one more full day on site beyond 5: 4,5 + …).
    for _ in 0..4 {
        staff
            .send_json(
                Method::POST,
                "/api/v1/work-reports",
                work(360, "onsite", Some(pid)),
            )
            .await;
    }
    let (_, p) = staff.get(&format!("/api/v1/packages/{pid}")).await;
    assert_eq!(p["used"], "5.50");
    assert_eq!(p["remaining"], "0.00");
    assert_eq!(p["beyond"], "0.50");
    assert_eq!(p["overage_amount"], "196.50");
    assert_eq!(p["warnings"], json!([80, 100]));

    // An hour bank that refuses what goes beyond it.
    let (s, h) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/packages"),
            json!({"service": "PD15", "year": 2026, "hours": 2, "overage": "refused"}),
        )
        .await;
    assert_eq!(s, 201, "{h}");
    assert_eq!(h["hours"], "2.00");
    assert_eq!(h["overage_rate"], Value::Null);
    let hid = h["id"].as_i64().unwrap();
    let (s, _) = staff
        .send_json(
            Method::POST,
            "/api/v1/work-reports",
            work(90, "remote", Some(hid)),
        )
        .await;
    assert_eq!(s, 201);
    let (s, e) = staff
        .send_json(
            Method::POST,
            "/api/v1/work-reports",
            work(31, "remote", Some(hid)),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert!(e["detail"].as_str().unwrap().contains("0,50 ore"), "{e}");
    let (_, h) = staff.get(&format!("/api/v1/packages/{hid}")).await;
    assert_eq!(h["used"], "1.50", "the refused report counted nothing");
    // The totals a balance reads are the sums of the reports, each counted once.
    for (package, on, rem) in [(pid, 180 + 4 * 360, 480), (hid, 0, 90)] {
        let summed = delivery::store::work::summed_minutes(&app.db, package)
            .await
            .unwrap();
        assert_eq!((summed.onsite_minutes, summed.remote_minutes), (on, rem));
    }

    // Wrong reports: named; a contact may not write one; another year's package refused.
    for (body, field) in [
        (work(0, "onsite", None), "minutes"),
        (work(60, "boh", None), "mode"),
        (
            json!({"entity_id": id, "date": "2099-01-01", "minutes": 10, "mode": "remote", "description": "x"}),
            "date",
        ),
        (
            json!({"entity_id": id, "minutes": 10, "mode": "remote", "description": " "}),
            "description",
        ),
        (
            json!({"entity_id": id, "package_id": pid, "date": "2025-12-01", "minutes": 10,
                   "mode": "remote", "description": "x"}),
            "package_id",
        ),
    ] {
        let (s, e) = staff
            .send_json(Method::POST, "/api/v1/work-reports", body)
            .await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["errors"][0]["field"], field, "{e}");
    }
    let (s, _) = contact
        .send_json(
            Method::POST,
            "/api/v1/work-reports",
            work(10, "remote", None),
        )
        .await;
    assert_eq!(s, 403);
    // A package without days of its own needs them said.
    let (s, e) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/packages"),
            json!({"service": "PD15", "year": 2026}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, _) = staff.get("/api/v1/packages/999999").await;
    assert_eq!(s, 404);
}

async fn by_page_staff_log_work_and_the_contact_acknowledges_it(b: Backend) {
    let app = spawn_app(b).await;
    let (_staff, _contact, id) = setup(&app).await;
    let staff = app.browser("capo").await;
    let contact = app.browser("referente").await;
    let page = |h: String| h.replace("&#39;", "'");
    // A package bought from the entity's page: PD14's own 5 days.
    let (_, html) = staff
        .post_follow(
            &format!("/entities/{id}/packages"),
            &[
                ("servizio", "PD14"),
                ("anno", "2026"),
                ("giornate", ""),
                ("ore", ""),
            ],
        )
        .await;
    assert!(
        html.contains("Pacchetto registrato: 5,00 giornate."),
        "{html}"
    );
    let pid = {
        let (_, e) = contact.get(&format!("/entities/{id}")).await;
        let list = &e[e.find("id=\"package-list\"").unwrap()..];
        let i = list.find("href=\"/packages/").unwrap() + 16;
        list[i..].split('"').next().unwrap().to_owned()
    };
    // Work on it: 3 hours on site is half a day.
    let (_, html) = staff
        .post_follow(
            &format!("/packages/{pid}/interventi"),
            &[
                ("data", "2026-11-20"),
                ("ore", "3"),
                ("minuti", "0"),
                ("modo", "onsite"),
                ("descrizione", "Aggiornamento dei server"),
            ],
        )
        .await;
    assert!(
        html.contains("Intervento registrato: 3 h 00 min in sede; usate 0,50 giornate su 5,00."),
        "{html}"
    );
    // Wrong input keeps what was typed and says what is wrong.
    let (_, html) = staff
        .post_follow(
            &format!("/packages/{pid}/interventi"),
            &[
                ("ore", "tre"),
                ("modo", "onsite"),
                ("descrizione", "Riparazione"),
            ],
        )
        .await;
    assert!(
        html.contains("Ore, minuti e trasferta: numeri interi."),
        "{html}"
    );
    assert!(
        html.contains(">Riparazione</textarea>"),
        "what was typed stays"
    );
    let (_, html) = staff
        .post_follow(
            &format!("/packages/{pid}/interventi"),
            &[
                ("ore", "0"),
                ("minuti", "0"),
                ("modo", "onsite"),
                ("descrizione", "x"),
            ],
        )
        .await;
    assert!(page(html).contains(
        "Indicare la durata (ore e minuti, oppure l'ora di inizio e di fine): da 1 minuto a 24 ore"
    ));
    // The contact reads the balance and acknowledges the report; staff may not for them.
    let (s, html) = contact.get(&format!("/packages/{pid}")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("<strong>0,50</strong> giornate usate su 5,00"),
        "{html}"
    );
    assert!(html.contains("diritto di chiamata"), "{html}");
    let rid = {
        let i = html.find("class=\"audit-line\" id=\"report-").unwrap() + 30;
        html[i..].split('"').next().unwrap().to_owned()
    };
    let (_, html) = contact
        .post_follow(
            &format!("/packages/{pid}/interventi/{rid}/presa-visione"),
            &[],
        )
        .await;
    assert!(html.contains("Presa visione registrata."), "{html}");
    assert!(
        html.contains("presa visione: Utente referente il"),
        "{html}"
    );
    let (s, _) = contact
        .post(
            &format!("/packages/{pid}/interventi"),
            &[("ore", "1"), ("modo", "onsite"), ("descrizione", "x")],
        )
        .await;
    assert_eq!(s, 403, "a contact does not record work");
    let (_, html) = staff
        .post_follow(
            &format!("/packages/{pid}/interventi/{rid}/presa-visione"),
            &[],
        )
        .await;
    assert!(page(html).contains("La presa visione è del referente"));
}
