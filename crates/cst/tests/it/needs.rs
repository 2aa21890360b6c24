//! The yearly needs form (issue 11): an administrator opens next year's campaign; the entities
//! with an agreement get their form by e-mail (and reminders); a contact answers, saves a
//! draft, sends it; staff read the aggregate priced with next year's list and turn the form
//! into requests and changes. Wrong answers are refused and change nothing.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app, Api, Backend, TestApp};

use super::delivery::setup;
use super::delivery_changes::delivered;

backends!(
    a_needs_campaign_from_opening_to_requests,
    wrong_answers_are_refused_and_the_deadline_closes_the_form,
    the_grouped_aggregate_is_the_engine_over_every_line,
    by_page_a_contact_fills_the_form_and_staff_process_it,
);

/// A second entity with an agreement and a contact account with an address, and a third
/// without an agreement (it gets no form).
async fn more_entities(app: &TestApp, staff: &Api) -> (i64, Api) {
    let mut ids = vec![];
    for name in ["Comune di Alto", "Comune di Basso"] {
        let (s, e) = staff
            .send_json(
                Method::POST,
                "/api/v1/entities",
                json!({"name": name, "population": 1200, "population_date": "2023-01-01"}),
            )
            .await;
        assert_eq!(s, 201, "{e}");
        ids.push(e["id"].as_i64().unwrap());
    }
    let (s, a) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{}/agreements", ids[0]),
            json!({"start_date": "2025-01-01", "term_years": 5, "number": "2/2025", "signed": true}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let account = accounts::store::create(
        &app.db,
        &kernel::Actor::system("t"),
        &accounts::NewUser {
            username: "alto".into(),
            full_name: "Referente di Alto".into(),
            email: "ced@alto.example.it".into(),
            role: "contact".into(),
            password: testkit::PASSWORD.into(),
            entity_ids: vec![ids[0]],
        },
    )
    .await
    .unwrap();
    (ids[0], app.api(&account).await)
}

async fn quote(staff: &Api, entity: i64, service: &str, quantity: u32, activation: &str) -> String {
    let (s, q) = staff
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            json!({"service": service, "entity_id": entity, "quantity": quantity,
                   "activation_date": activation, "year": 2027}),
        )
        .await;
    assert_eq!(s, 201, "{q}");
    q["amount"].as_str().unwrap().to_owned()
}

fn cents(s: &str) -> i64 {
    let (w, f) = s.split_once('.').unwrap();
    w.parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap()
}

async fn a_needs_campaign_from_opening_to_requests(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, contact, id) = setup(&app).await;
    let (smtp, run) = super::delivery::mail_out(&app).await;
    super::delivery::primary_contact(&staff, id, "protocollo@mezzo.example.it").await;
    let (alto, alto_contact) = more_entities(&app, &staff).await;
    // Mezzo has PD09 × 3 since 1 December 2026.
    let pd09 = delivered(&staff, &contact, id).await;
    assert_eq!(run.run_due().await.unwrap(), 3, "the request's own e-mails");
    smtp.wait_messages(3).await;

    // Only an administrator opens a campaign; once a year.
    let (s, _) = contact
        .send_json(
            Method::POST,
            "/api/v1/needs-campaigns",
            json!({"year": 2027, "deadline": "2026-12-15"}),
        )
        .await;
    assert_eq!(s, 403);
    let (s, c) = staff
        .send_json(
            Method::POST,
            "/api/v1/needs-campaigns",
            json!({"year": 2027, "deadline": "2026-12-15"}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(c["forms"], 2, "Mezzo and Alto, not Basso: {c}");
    let cid = c["id"].as_i64().unwrap();
    let (s, e) = staff
        .send_json(
            Method::POST,
            "/api/v1/needs-campaigns",
            json!({"year": 2027, "deadline": "2026-12-20"}),
        )
        .await;
    assert_eq!(s, 409, "{e}");
    // Each entity is invited by e-mail.
    assert_eq!(run.run_due().await.unwrap(), 2);
    let got = smtp.wait_messages(5).await;
    let invites: Vec<mail::Incoming> = got[3..].iter().map(|m| mail::parse(m).unwrap()).collect();
    for m in &invites {
        assert_eq!(
            m.subject,
            "Scheda dei fabbisogni 2027: da compilare entro il 15/12/2026"
        );
        assert!(
            m.text.contains(&format!("/needs/{cid}/forms/")),
            "{}",
            m.text
        );
    }

    // The contact reads the form and saves a draft: PD09 from 3 to 5, PD14 wanted, PD12 not.
    let form = format!("/api/v1/needs-campaigns/{cid}/forms/{id}");
    let (s, f) = contact.get(&form).await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["state"], "sent");
    let answers = json!([
        {"service": "PD09", "answer": "renew", "quantity": 5},
        {"service": "PD14", "answer": "interested", "quantity": 1},
        {"service": "PD12", "answer": "no"},
    ]);
    let (s, f) = contact
        .send_json(
            Method::PUT,
            &form,
            json!({"lines": answers, "notes": "Nuova sede della biblioteca", "submitted": false}),
        )
        .await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["state"], "draft");
    assert_eq!(f["lines"][0]["current_quantity"], 3);
    assert_eq!(f["lines"][0]["active_service_id"], pd09["id"]);
    // A draft is not counted yet.
    let (s, sum) = staff
        .get(&format!("/api/v1/needs-campaigns/{cid}/summary"))
        .await;
    assert_eq!(s, 200, "{sum}");
    assert_eq!(sum["services"], json!([]));
    assert_eq!(sum["forms"]["draft"], 1);
    assert_eq!(sum["forms"]["sent"], 1);
    let (s, _) = contact
        .get(&format!("/api/v1/needs-campaigns/{cid}/summary"))
        .await;
    assert_eq!(s, 403, "the aggregate is the centre's");
    // Another entity's contact cannot read or answer it.
    let (s, _) = alto_contact.get(&form).await;
    assert_eq!(s, 404);
    let (s, _) = alto_contact
        .send_json(Method::PUT, &form, json!({"lines": [], "submitted": true}))
        .await;
    assert_eq!(s, 404);

    // Sent: the aggregate prices each line with next year's list, as the quote engine does.
    let (s, f) = contact
        .send_json(
            Method::PUT,
            &form,
            json!({"lines": answers, "notes": "Nuova sede della biblioteca", "submitted": true, "version": f["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["state"], "submitted");
    let (_, sum) = staff
        .get(&format!("/api/v1/needs-campaigns/{cid}/summary"))
        .await;
    assert_eq!(sum["forms"]["submitted"], 1);
    let service = |code: &str| {
        sum["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service"] == code)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let renewal = quote(&staff, id, "PD09", 5, "2026-12-01").await;
    let new = quote(&staff, id, "PD14", 1, "2027-01-01").await;
    assert_eq!(service("PD09")["entities"], 1);
    assert_eq!(service("PD09")["quantity"], 5);
    assert_eq!(service("PD09")["current_quantity"], 3);
    assert_eq!(service("PD09")["quantity_change"], 2);
    assert_eq!(service("PD09")["estimated_amount"], renewal.as_str());
    assert_eq!(service("PD14")["new_entities"], 1);
    assert_eq!(service("PD14")["estimated_amount"], new.as_str());
    assert_eq!(service("PD12")["entities"], 0);
    assert!(cents(&renewal) > 0 && cents(&new) > 0);
    let (_, who) = staff
        .get(&format!("/api/v1/needs-campaigns/{cid}/forms"))
        .await;
    let states: Vec<(&str, &str)> = who["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["entity_name"].as_str().unwrap(),
                r["state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [("Comune di Alto", "sent"), ("Comune di Mezzo", "submitted")]
    );

    // Reminders: a week before the deadline, to Alto only, once; again the day before.
    app.clock.set("2026-12-08T07:00:00Z".parse().unwrap());
    let today = app.clock.today();
    assert_eq!(
        delivery::store::needs::remind(&app.db, today)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        delivery::store::needs::remind(&app.db, today)
            .await
            .unwrap(),
        0
    );
    let eve = "2026-12-14".parse().unwrap();
    assert_eq!(
        delivery::store::needs::remind(&app.db, eve).await.unwrap(),
        1
    );
    assert_eq!(run.run_due().await.unwrap(), 2);
    let got = smtp.wait_messages(7).await;
    for raw in &got[5..] {
        let m = mail::parse(raw).unwrap();
        assert_eq!(
            m.subject,
            "Promemoria: scheda dei fabbisogni 2027 entro il 15/12/2026"
        );
        assert!(String::from_utf8_lossy(raw).contains("ced@alto.example.it"));
    }
    let _ = alto;

    // Staff turn the form into what it asks, in one action: a request for PD14 from 1 January,
    // PD09's quantity from 1 January; the form is closed.
    let (s, _) = contact
        .send_json(Method::POST, &format!("{form}/process"), json!({}))
        .await;
    assert_eq!(s, 403);
    let (s, p) = staff
        .send_json(Method::POST, &format!("{form}/process"), json!({}))
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["form"]["state"], "processed");
    assert_eq!(p["requests"].as_array().unwrap().len(), 1);
    assert_eq!(p["changed"].as_array().unwrap().len(), 1);
    let rid = p["requests"][0].as_i64().unwrap();
    let (_, r) = contact
        .get(&format!("/api/v1/activation-requests/{rid}"))
        .await;
    assert_eq!(r["service"], "PD14");
    assert_eq!(r["state"], "submitted");
    assert_eq!(r["wanted_date"], "2027-01-01");
    assert_eq!(r["quote"]["amount"], new.as_str());
    let on = |day: &'static str| {
        let contact = &contact;
        async move {
            let (_, v) = contact
                .get(&format!("/api/v1/entities/{id}/services?on={day}"))
                .await;
            v["items"][0]["quantity"].as_i64()
        }
    };
    assert_eq!(on("2026-12-31").await, Some(3));
    assert_eq!(on("2027-01-01").await, Some(5));
    let (s, e) = staff
        .send_json(Method::POST, &format!("{form}/process"), json!({}))
        .await;
    assert_eq!(s, 409, "{e}");
    let (s, e) = contact
        .send_json(Method::PUT, &form, json!({"lines": [], "submitted": true}))
        .await;
    assert_eq!(s, 409, "a processed form is closed: {e}");
}

async fn wrong_answers_are_refused_and_the_deadline_closes_the_form(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, contact, id) = setup(&app).await;
    delivered(&staff, &contact, id).await;
    for (body, why) in [
        (json!({"year": 2031, "deadline": "2026-12-15"}), "year"),
        (json!({"year": 2027, "deadline": "2026-11-01"}), "deadline"),
        (json!({"year": 2027, "deadline": "2028-01-15"}), "deadline"),
    ] {
        let (s, e) = staff
            .send_json(Method::POST, "/api/v1/needs-campaigns", body)
            .await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["errors"][0]["field"], why, "{e}");
    }
    let (_, c) = staff
        .send_json(
            Method::POST,
            "/api/v1/needs-campaigns",
            json!({"year": 2027, "deadline": "2026-12-15"}),
        )
        .await;
    let cid = c["id"].as_i64().unwrap();
    let form = format!("/api/v1/needs-campaigns/{cid}/forms/{id}");
    let (_, before) = contact.get(&form).await;
    for (lines, field) in [
        (
            json!([{"service": "PD12", "answer": "renew"}]),
            "lines[0].answer",
        ),
        (
            json!([{"service": "PD09", "answer": "interested"}]),
            "lines[0].answer",
        ),
        (
            json!([{"service": "PD09", "answer": "maybe"}]),
            "lines[0].answer",
        ),
        (
            json!([{"service": "XX99", "answer": "no"}]),
            "lines[0].service",
        ),
        (
            json!([{"service": "PD09", "answer": "renew", "quantity": 0}]),
            "lines[0].quantity",
        ),
        (
            json!([{"service": "PD14", "answer": "interested"}, {"service": "PD14", "answer": "no"}]),
            "lines[1].service",
        ),
    ] {
        let (s, e) = contact
            .send_json(
                Method::PUT,
                &form,
                json!({"lines": lines, "submitted": true}),
            )
            .await;
        assert_eq!(s, 422, "{lines}: {e}");
        assert_eq!(e["errors"][0]["field"], field, "{e}");
    }
    let (s, e) = contact
        .send_json(
            Method::PUT,
            &form,
            json!({"lines": [], "submitted": true, "extra": 1}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (_, after) = contact.get(&form).await;
    assert_eq!(before, after, "nothing changed");
    // Not answering a service keeps it as it is.
    let (s, f) = contact
        .send_json(Method::PUT, &form, json!({"lines": [], "submitted": false}))
        .await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["lines"][0]["answer"], "renew");
    assert_eq!(f["lines"][0]["quantity"], 3);
    // A draft cannot be processed; after the deadline the contact can no longer save.
    let (s, _) = staff
        .send_json(Method::POST, &format!("{form}/process"), json!({}))
        .await;
    assert_eq!(s, 409);
    app.clock.set("2026-12-16T09:00:00Z".parse().unwrap());
    let (s, e) = contact
        .send_json(Method::PUT, &form, json!({"lines": [], "submitted": true}))
        .await;
    assert_eq!(s, 409, "{e}");
    assert!(
        e["detail"]
            .as_str()
            .unwrap()
            .contains("scaduto il 15/12/2026"),
        "{e}"
    );
    // Staff still can (a form that arrived on paper).
    let (s, f) = staff
        .send_json(
            Method::PUT,
            &form,
            json!({"lines": [{"service": "PD09", "answer": "stop"}], "submitted": true}),
        )
        .await;
    assert_eq!(s, 200, "{f}");
    let (s, p) = staff
        .send_json(Method::POST, &format!("{form}/process"), json!({}))
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["stopped"].as_array().unwrap().len(), 1);
    let (_, v) = contact
        .get(&format!("/api/v1/entities/{id}/services?on=2027-01-01"))
        .await;
    assert_eq!(v["items"], json!([]), "stopped on 31 December");
}

/// The store aggregates in SQL (grouped counts, lines grouped by what their price depends on);
/// the engine aggregates line by line. On random forms (every catalogue service, populations
/// from 50 to 300,000, every answer and form state) they give the same figures.
async fn the_grouped_aggregate_is_the_engine_over_every_line(b: Backend) {
    let app = spawn_app(b).await;
    let sys = kernel::Actor::system("t");
    catalog::store::load_padova_catalogue(&app.db, &sys)
        .await
        .unwrap();
    let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM services ORDER BY code")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let mut seed = 0x1234_5678_9abc_def1_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..40 {
        let population = if i % 7 == 0 {
            None
        } else {
            Some(50 + (next() % 300_000) as i64)
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO entities (name, kind, population, population_date, created_at, updated_at) \
             VALUES ($1, 'comune', $2, '2023-01-01', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z') RETURNING id",
        )
        .bind(format!("Comune {i:02}"))
        .bind(population)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO agreements (entity_id, number, status, start_date, end_date, term_years, \
             created_at, updated_at) VALUES ($1, $2, 'signed', '2024-01-01', '2028-12-31', 5, \
             '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
        )
        .bind(id)
        .bind(format!("{i}/2024"))
        .execute(app.db.pool())
        .await
        .unwrap();
    }
    let c = delivery::store::needs::open(
        &app.db,
        &sys,
        2027,
        "2026-12-15".parse().unwrap(),
        app.clock.today(),
    )
    .await
    .unwrap();
    let forms: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, entity_id FROM needs_forms WHERE campaign_id = $1")
            .bind(c.id)
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    let states = ["sent", "draft", "submitted", "submitted", "processed"];
    for (form, _) in &forms {
        for code in &codes {
            if next() % 3 == 0 {
                continue;
            }
            let (answer, quantity, current, activation) = match next() % 4 {
                0 => (
                    "renew",
                    1 + next() % 40,
                    1 + next() % 40,
                    Some(["2024-03-01", "2026-12-01", "2025-01-01"][(next() % 3) as usize]),
                ),
                1 => ("stop", 0, 1 + next() % 40, Some("2025-06-01")),
                2 => ("interested", next() % 40, 0, None),
                _ => ("no", 0, 0, None),
            };
            sqlx::query(
                "INSERT INTO needs_lines (form_id, campaign_id, service_code, item_code, answer, \
                 quantity, current_quantity, activation_date) VALUES ($1, $2, $3, '', $4, $5, $6, $7)",
            )
            .bind(form)
            .bind(c.id)
            .bind(code)
            .bind(answer)
            .bind(quantity as i64)
            .bind(current as i64)
            .bind(activation)
            .execute(app.db.pool())
            .await
            .unwrap();
        }
        sqlx::query("UPDATE needs_forms SET state = $1 WHERE id = $2")
            .bind(states[(next() % 5) as usize])
            .bind(form)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
    // The engine, line by line.
    let list = catalog::store::price_lists::on(&app.db, "2027-01-01".parse().unwrap())
        .await
        .unwrap();
    type Line = (i64, String, String, i64, i64, Option<String>, Option<i64>);
    let rows: Vec<Line> = sqlx::query_as(
        "SELECT f.entity_id, l.service_code, l.answer, l.quantity, l.current_quantity, \
         l.activation_date, e.population FROM needs_lines l JOIN needs_forms f ON f.id = l.form_id \
         JOIN entities e ON e.id = f.entity_id \
         WHERE l.campaign_id = $1 AND f.state IN ('submitted', 'processed')",
    )
    .bind(c.id)
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert!(rows.len() > 200, "enough lines: {}", rows.len());
    let lines: Vec<delivery::needs::NeedLine> = rows
        .into_iter()
        .map(
            |(entity, service, answer, quantity, current, activation, population)| {
                let answer = delivery::needs::Answer::parse(&answer).unwrap();
                let amount = (answer.wanted() && quantity > 0).then(|| {
                    catalog::fees::quote(
                        &list.list,
                        &catalog::fees::QuoteInput {
                            service: &service,
                            item: None,
                            quantity: quantity as u32,
                            population: population.map(|p| p as u32),
                            activation: activation
                                .map_or("2027-01-01".parse().unwrap(), |d| d.parse().unwrap()),
                            year: 2027,
                        },
                    )
                    .ok()
                    .map(|q| q.amount)
                });
                delivery::needs::NeedLine {
                    entity_id: entity,
                    service,
                    answer,
                    quantity: quantity as u64,
                    current_quantity: current as u64,
                    amount: amount.flatten(),
                }
            },
        )
        .collect();
    let expected = delivery::needs::aggregate(&lines);
    let got = delivery::store::needs::summary(&app.db, &sys, c.id)
        .await
        .unwrap();
    let got: Vec<delivery::needs::ServiceNeed> = got.services.into_iter().map(|(n, _)| n).collect();
    assert_eq!(got, expected);
    assert!(got.iter().any(|n| n.estimated_amount > kernel::Euro::ZERO));
}

/// The row index the form page gives a service (`name="s{i}" value="PD14"`).
fn row_of(page: &str, service: &str) -> String {
    let at = page
        .find(&format!("\" value=\"{service}\""))
        .unwrap_or_else(|| panic!("{service} not on the form"));
    let start = page[..at].rfind("name=\"s").unwrap() + "name=\"s".len();
    page[start..at].to_owned()
}

async fn by_page_a_contact_fills_the_form_and_staff_process_it(b: Backend) {
    let app = spawn_app(b).await;
    let (staff, contact, id) = setup(&app).await;
    delivered(&staff, &contact, id).await;
    let admin = app.browser("capo").await;
    // Opening: a wrong deadline keeps what was typed; then opened.
    let (_, page) = admin
        .post_follow("/needs", &[("anno", "2027"), ("scadenza", "2026-01-10")])
        .await;
    assert!(page.contains("La scadenza è già passata"), "{page}");
    assert!(page.contains("value=\"2026-01-10\""), "{page}");
    let (_, page) = admin
        .post_follow("/needs", &[("anno", "2027"), ("scadenza", "2026-12-15")])
        .await;
    assert!(
        page.contains("Campagna 2027 aperta: 1 schede") || page.contains("Campagna 2027 aperta"),
        "{page}"
    );
    let cid: i64 = sqlx::query_scalar("SELECT id FROM needs_campaigns")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    // The contact finds the form from the list.
    let referente = app.browser("referente").await;
    let (s, list) = referente.get("/needs").await;
    assert_eq!(s, 200);
    let form = format!("/needs/{cid}/forms/{id}");
    assert!(list.contains(&form), "{list}");
    let (s, page) = referente.get(&form).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("Servizi che l'ente ha oggi"), "{page}");
    let pd09 = row_of(&page, "PD09");
    let pd14 = row_of(&page, "PD14");
    let field = |p: &str, i: &str| format!("{p}{i}");
    // A quantity that is not a number: the form comes back with what was typed and the reason.
    let bad = [
        (field("s", &pd09), "PD09".to_owned()),
        (field("a", &pd09), "renew".to_owned()),
        (field("q", &pd09), "cinque".to_owned()),
        (field("s", &pd14), "PD14".to_owned()),
        (field("a", &pd14), "interested".to_owned()),
        (field("q", &pd14), "1".to_owned()),
        ("note".to_owned(), "Nuova sede".to_owned()),
        ("azione".to_owned(), "invia".to_owned()),
    ];
    let as_form = |f: &[(String, String)]| -> Vec<(String, String)> { f.to_vec() };
    let fields = as_form(&bad);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (s, page) = referente.post(&form, &pairs).await;
    assert_eq!(s, 422, "{page}");
    assert!(page.contains("«cinque» non è un numero intero"), "{page}");
    assert!(page.contains("value=\"cinque\""), "{page}");
    assert!(page.contains("Nuova sede"), "{page}");
    let (_, f) = contact
        .get(&format!("/api/v1/needs-campaigns/{cid}/forms/{id}"))
        .await;
    assert_eq!(f["state"], "sent", "nothing saved");
    // A draft, then sent.
    let mut good = bad.clone();
    good[2].1 = "5".into();
    good[7].1 = "bozza".into();
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (_, page) = referente.post_follow(&form, &pairs).await;
    assert!(page.contains("Bozza salvata"), "{page}");
    good[7].1 = "invia".into();
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (_, page) = referente.post_follow(&form, &pairs).await;
    assert!(page.contains("Scheda inviata al centro servizi"), "{page}");
    // Staff read the aggregate and download it.
    let (s, page) = admin.get(&format!("/needs/{cid}")).await;
    assert_eq!(s, 200, "{page}");
    assert!(page.contains("id=\"need-PD09\""), "{page}");
    assert!(page.contains("+2"), "PD09 from 3 to 5: {page}");
    let r = admin
        .http
        .get(format!("{}/needs/{cid}/riepilogo.xlsx", admin.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("fabbisogni-2027.xlsx"));
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX is a zip");
    let (s, _) = referente.get(&format!("/needs/{cid}/riepilogo.xlsx")).await;
    assert_eq!(s, 403, "the aggregate is the centre's");
    // Processing asks first, naming what it will do.
    let (s, ask) = admin.post(&format!("{form}/elabora"), &[]).await;
    assert_eq!(s, 200);
    assert!(
        ask.contains("PD09: quantità da 3 a 5 dal 01/01/2027."),
        "{ask}"
    );
    assert!(ask.contains("Richiesta di attivazione di PD14"), "{ask}");
    let (_, page) = admin
        .post_follow(&format!("{form}/elabora"), &[("confermato", "1")])
        .await;
    assert!(
        page.contains("Scheda elaborata: 1 richiesta di attivazione, 1 cambio di quantità."),
        "{page}"
    );
    // Closed for the contact: read only.
    let (_, page) = referente.get(&form).await;
    assert!(
        page.contains("il centro servizi l'ha già elaborata"),
        "{page}"
    );
    assert!(!page.contains("id=\"form-send\""), "{page}");
}
