//! Billing (issue 12): the year's statements from what an entity had and used, made by a
//! billing run in the background, issued (numbered, frozen), and run again adding only what
//! is new.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app, Api, Backend, TestApp};

use super::delivery::setup;
use super::delivery_changes::delivered;

backends!(
    a_billing_run_makes_the_years_statements_and_a_second_run_adds_only_what_is_new,
    metered_use_is_entered_or_imported_and_billed_once_with_corrections_adjusted,
    payments_add_up_and_the_overdue_are_reminded_by_email_once_a_week,
    an_issued_statement_becomes_a_valid_e_invoice_and_sdi_receipts_move_it,
    every_demo_statement_makes_a_valid_e_invoice,
    revenue_is_reported_per_year_service_and_entity_against_the_centres_costs,
);

/// The demo's billing settings, stored through the API.
pub(crate) async fn demo_settings(admin: &Api) {
    let settings = serde_json::to_value(billing::settings::BillingSettings::demo()).unwrap();
    let (s, r) = admin
        .send_json(
            Method::PUT,
            "/api/v1/billing/settings",
            json!({ "settings": settings }),
        )
        .await;
    assert_eq!(s, 200, "{r}");
}

/// Runs the year's billing for the given entities and waits for the job.
pub(crate) async fn run_year(
    app: &TestApp,
    admin: &Api,
    year: i32,
    ids: Option<Vec<i64>>,
) -> Value {
    let body = match ids {
        Some(ids) => json!({"year": year, "entity_ids": ids}),
        None => json!({ "year": year }),
    };
    let (s, r) = admin
        .send_json(Method::POST, "/api/v1/statements/run", body)
        .await;
    assert_eq!(s, 202, "{r}");
    assert_eq!(r["state"], "queued");
    let runner = billing::jobs::register(worker::Runner::new(app.db.clone()), &app.db);
    assert_eq!(runner.run_due().await.unwrap(), 1);
    let (s, r) = admin
        .get(&format!("/api/v1/statements/runs/{}", r["run_id"]))
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["state"], "done", "{r}");
    r
}

/// Runs `year` for one entity and gives the id of its statement of that year (the first
/// listed: the draft just written, or the newest).
pub(crate) async fn drafted(app: &TestApp, admin: &Api, id: i64, year: i32) -> i64 {
    run_year(app, admin, year, Some(vec![id])).await;
    let (_, list) = admin
        .get(&format!("/api/v1/entities/{id}/statements?year={year}"))
        .await;
    list["items"][0]["id"].as_i64().unwrap()
}

/// Issues a statement (it must be accepted) and gives it.
pub(crate) async fn issue(admin: &Api, sid: i64) -> Value {
    let (s, st) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/statements/{sid}/issue"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{st}");
    st
}

fn line<'a>(st: &'a Value, kind: &str) -> &'a Value {
    st["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} line in {st}"))
}

async fn a_billing_run_makes_the_years_statements_and_a_second_run_adds_only_what_is_new(
    b: Backend,
) {
    let app = spawn_app(b).await;
    let (admin, contact, id) = setup(&app).await;
    let (s, r) = admin
        .send_json(
            Method::PUT,
            "/api/v1/membership-fee-rule",
            json!({"preset": "padova", "valid_from_year": 2025}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    // PD09 for 3 users from 1 December 2026: € 265,00 each once, the yearly fee from 2027.
    let service = delivered(&admin, &contact, id).await;
    // A PD14 package for 2026 (€ 1.867,00 for 5 days).
    let (s, p) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/packages"),
            json!({"service": "PD14", "year": 2026}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    // Two hours of remote work on a ticket: beyond assistance, a quarter of a € 288,00 day.
    let (s, t) = contact
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            json!({"entity_id": id, "subject": "Stampante", "description": "Non stampa",
                   "priority": "low", "channel": "portal"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let ticket = t["id"].as_i64().unwrap();
    let work = |minutes: u32, date: &str| {
        json!({"entity_id": id, "ticket_id": ticket, "date": date, "minutes": minutes,
               "mode": "remote", "description": "Driver reinstallato"})
    };
    let (s, w) = admin
        .send_json(
            Method::POST,
            "/api/v1/work-reports",
            work(120, "2026-11-20"),
        )
        .await;
    assert_eq!(s, 201, "{w}");

    // Settings are the admin's, checked whole.
    let (s, e) = contact.get("/api/v1/billing/settings").await;
    assert_eq!(s, 403, "{e}");
    let mut bad = serde_json::to_value(billing::settings::BillingSettings::demo()).unwrap();
    bad["centre"]["vat_number"] = json!("123");
    bad["vat_rules"][0]["natura"] = json!("N2");
    let (s, e) = admin
        .send_json(
            Method::PUT,
            "/api/v1/billing/settings",
            json!({"settings": bad}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let fields: Vec<&str> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["centre.vat_number", "vat_rules[0].natura"], "{e}");
    assert!(
        e["errors"][1]["message"].as_str().unwrap().contains("2021"),
        "{e}"
    );
    let (_, got) = admin.get("/api/v1/billing/settings").await;
    assert_eq!(got["version"], Value::Null, "nothing stored: {got}");
    demo_settings(&admin).await;

    // Wrong runs are refused.
    for (body, status) in [
        (json!({"year": 1999}), 422),
        (json!({"year": 2026, "entity_ids": []}), 422),
        (json!({"year": 2026, "entity_ids": [999999]}), 422),
        (json!({"year": 2026, "anno": 1}), 422),
    ] {
        let (s, e) = admin
            .send_json(Method::POST, "/api/v1/statements/run", body.clone())
            .await;
        assert_eq!(s, status, "{body} → {e}");
    }
    let (s, _) = contact
        .send_json(
            Method::POST,
            "/api/v1/statements/run",
            json!({"year": 2026}),
        )
        .await;
    assert_eq!(s, 403);

    let run = run_year(&app, &admin, 2026, None).await;
    assert_eq!(
        (run["done"].as_i64(), run["total"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(run["lines_added"], 4, "{run}");

    let path = format!("/api/v1/entities/{id}/statements?year=2026");
    let (s, list) = admin.get(&path).await;
    assert_eq!(s, 200, "{list}");
    let st = &list["items"][0];
    assert_eq!(st["state"], "draft");
    assert_eq!(st["year"], 2026);
    // 7.500 inhabitants: € 1.000,00 + 2.500 × € 0,10 = € 1.250,00 (outside VAT in the demo).
    let fee = line(st, "membership");
    assert_eq!(fee["amount"], "1250.00");
    assert_eq!(fee["vat"], "N2.2");
    let once = line(st, "one_off");
    assert_eq!(once["amount"], "795.00");
    assert_eq!(
        once["source"],
        format!("/api/v1/active-services/{}", service["id"])
    );
    assert_eq!(line(st, "package")["amount"], "1867.00");
    let w = line(st, "work");
    assert_eq!(w["amount"], "72.00");
    assert!(w["text"].as_str().unwrap().contains("0,25 giornate"), "{w}");
    // Net is the sum of the lines; VAT 22% on the taxable ones; split payment.
    assert_eq!(st["net"], "3984.00");
    let taxable = 79_500 + 186_700 + 7_200;
    let vat = (taxable * 22 + 50) / 100;
    assert_eq!(st["vat"], format!("{}.{:02}", vat / 100, vat % 100));
    let total = 398_400 + vat;
    assert_eq!(st["total"], format!("{}.{:02}", total / 100, total % 100));
    assert_eq!(st["payable"], "3984.00");
    // The contact does not see a draft.
    let (s, theirs) = contact.get(&path).await;
    assert_eq!(s, 200);
    assert_eq!(theirs["items"], json!([]));
    // Totals per service and per entity before issuing.
    let (_, t) = admin.get("/api/v1/statements/totals?year=2026").await;
    assert_eq!(t["draft_net"], "3984.00", "{t}");
    assert_eq!(t["by_entity"][0]["entity_id"], id);
    assert!(
        t["by_service"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["service"] == "PD14" && r["draft"] == "1867.00"),
        "{t}"
    );

    // Running again changes nothing.
    let again = run_year(&app, &admin, 2026, Some(vec![id])).await;
    assert_eq!(again["lines_added"], 0, "{again}");
    let (_, list2) = admin.get(&path).await;
    assert_eq!(list2["items"][0]["version"], st["version"]);
    assert_eq!(list2["items"][0]["id"], st["id"]);

    // Issuing numbers and freezes it; the contact sees it from then on.
    let sid = st["id"].as_i64().unwrap();
    let (s, e) = contact
        .send_json(
            Method::POST,
            &format!("/api/v1/statements/{sid}/issue"),
            json!({}),
        )
        .await;
    assert!(s == 403 || s == 404, "{s} {e}");
    let (s, issued) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/statements/{sid}/issue"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{issued}");
    assert_eq!(issued["state"], "issued");
    assert_eq!(issued["number"], "2026/0001");
    assert_eq!(issued["issued_on"], app.clock.today().to_string());
    // Due by 31 October, already past: 30 days after issue.
    let due = app.clock.today() + chrono::Duration::days(30);
    assert_eq!(issued["due_on"], due.to_string());
    let (s, e) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/statements/{sid}/issue"),
            json!({}),
        )
        .await;
    assert_eq!(s, 409, "{e}");
    assert!(e["detail"].as_str().unwrap().contains("2026/0001"), "{e}");
    let (s, theirs) = contact.get(&format!("/api/v1/statements/{sid}")).await;
    assert_eq!(s, 200, "{theirs}");
    assert_eq!(theirs["total"], issued["total"]);

    // More work and more users: the next run adds a new draft with only the new work and the
    // difference of the one-off (5 users from 15 December: 2 × € 265,00 more).
    let (s, w) = admin
        .send_json(
            Method::POST,
            "/api/v1/work-reports",
            work(240, "2026-11-24"),
        )
        .await;
    assert_eq!(s, 201, "{w}");
    let (s, r) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/active-services/{}/quantity", service["id"]),
            json!({"quantity": 5, "date": "2026-12-15"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let run = run_year(&app, &admin, 2026, None).await;
    assert_eq!(run["lines_added"], 2, "{run}");
    let (_, list) = admin.get(&path).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let draft = items.iter().find(|s| s["state"] == "draft").unwrap();
    let adj = line(draft, "one_off");
    assert_eq!(adj["amount"], "530.00");
    assert_eq!(adj["adjusts"], true);
    assert!(
        adj["text"].as_str().unwrap().starts_with("Conguaglio"),
        "{adj}"
    );
    assert_eq!(line(draft, "work")["amount"], "144.00");
    assert_eq!(draft["net"], "674.00");
    let old = items.iter().find(|s| s["state"] == "issued").unwrap();
    assert_eq!(old["net"], "3984.00", "an issued statement never changes");

    // The year as CSV (one row per line) and XLSX; the statement as XLSX, for its contact too.
    let run_id = run["run_id"].as_i64().unwrap();
    let r = admin
        .request(
            Method::GET,
            &format!("/api/v1/statements/runs/{run_id}/csv"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert!(
        csv.lines().next().unwrap().starts_with("Numero,Anno,Ente"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 1 + 4 + 2, "{csv}");
    assert!(csv.contains("2026/0001,2026,Comune di Mezzo"), "{csv}");
    for (who, path) in [
        (&admin, format!("/api/v1/statements/runs/{run_id}/xlsx")),
        (&contact, format!("/api/v1/statements/{sid}/xlsx")),
    ] {
        let r = who.request(Method::GET, &path).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let bytes = r.bytes().await.unwrap();
        assert_eq!(&bytes[..2], b"PK", "{path}");
    }

    // The printed statement, as its contact downloads it, read back with pdftotext.
    let r = contact
        .request(Method::GET, &format!("/api/v1/statements/{sid}/pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    let dir = tempfile_dir();
    std::fs::write(dir.join("r.pdf"), &pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(dir.join("r.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext (Debian poppler-utils, installed by scripts/install-test-deps.sh)");
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "Rendiconto n. 2026/0001",
        "Provincia di Padova - Centro Servizi Territoriale",
        "Comune di Mezzo",
        "Quota associativa",
        "€ 1.250,00",
        "Totale documento",
        "IT60X0542811101000000123456",
        "Codice avviso pagoPA",
        "Pagina 1 di 1",
    ] {
        assert!(
            text.contains(needle),
            "{needle} missing in the PDF:\n{text}"
        );
    }

    // …and its first page renders (poppler's pdftoppm), kept as a screenshot for people.
    let shot = dir.join("rendiconto");
    let ok = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "72", "-f", "1", "-l", "1", "-singlefile"])
        .arg(dir.join("r.pdf"))
        .arg(&shot)
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(ok.success());
    let png = std::fs::read(dir.join("rendiconto.png")).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{}",
        png.len()
    );

    // The issue is in the audit trail.
    let (_, audit) = admin
        .get(&format!(
            "/api/v1/audit?object_type=statement&object_id={sid}"
        ))
        .await;
    assert!(audit.to_string().contains("2026/0001"), "{audit}");
}

async fn metered_use_is_entered_or_imported_and_billed_once_with_corrections_adjusted(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, contact, id) = setup(&app).await;
    demo_settings(&admin).await;
    let istat: String =
        sqlx::query_scalar("SELECT COALESCE(istat_code, '') FROM entities WHERE id = $1")
            .bind(id)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let path = format!("/api/v1/entities/{id}/readings");
    // Wrong readings are refused by field; a contact may not enter one.
    for (body, field) in [
        (
            json!({"service": "PD02", "year": 2026, "month": 13, "quantity": 10}),
            "month",
        ),
        (
            json!({"service": "PD02", "year": 2026, "month": 1, "quantity": -1}),
            "quantity",
        ),
        (
            json!({"service": "PD09", "item": "postazione", "year": 2026, "month": 1, "quantity": 1}),
            "item",
        ),
        (
            json!({"service": "PD07", "year": 2026, "month": 1, "quantity": 1}),
            "service",
        ),
    ] {
        let (s, e) = admin.send_json(Method::POST, &path, body.clone()).await;
        assert_eq!(s, 422, "{body} → {e}");
        assert_eq!(e["errors"][0]["field"], field, "{e}");
    }
    let sms = json!({"service": "PD02", "year": 2026, "month": 3, "quantity": 1000});
    let (s, _) = contact.send_json(Method::POST, &path, sms.clone()).await;
    assert_eq!(s, 403);
    let (s, r) = admin.send_json(Method::POST, &path, sms).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["item"], "sms");

    // A CSV with one bad row records nothing and names the line.
    let bad = format!(
        "ente;servizio;voce;anno;mese;quantita;nota\n{id};PD02;sms;2026;4;200;aprile\n{id};PD02;sms;2026;quattro;200;\n"
    );
    let r = admin
        .request(Method::POST, "/api/v1/readings/import")
        .header("content-type", "text/csv")
        .body(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["errors"][0]["line"], 3, "{e}");
    let (_, list) = admin.get(&path).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "nothing half-imported"
    );
    let good = if istat.is_empty() {
        format!("ente,servizio,voce,anno,mese,quantita\n{id},PD02,sms,2026,4,200\n")
    } else {
        format!("ente,servizio,voce,anno,mese,quantita\n{istat},PD02,sms,2026,4,200\n")
    };
    let r = admin
        .request(Method::POST, "/api/v1/readings/import")
        .header("content-type", "text/csv")
        .body(good)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());

    // Billed: 1.000 SMS × € 0,05 and 200 × € 0,05, each linked to its reading.
    run_year(&app, &admin, 2026, Some(vec![id])).await;
    let (_, list) = admin
        .get(&format!("/api/v1/entities/{id}/statements?year=2026"))
        .await;
    let st = &list["items"][0];
    let metered: Vec<&Value> = st["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["kind"] == "metered")
        .collect();
    assert_eq!(metered.len(), 2, "{st}");
    assert_eq!(metered[0]["amount"], "50.00");
    assert_eq!(metered[1]["amount"], "10.00");
    assert!(
        !metered[0]["text"].as_str().unwrap().contains("stima"),
        "{st}"
    );
    let (s, reading) = admin.get(metered[0]["source"].as_str().unwrap()).await;
    assert_eq!(s, 200, "{reading}");
    assert_eq!(reading["quantity"], 1000);
    let sid = st["id"].as_i64().unwrap();
    issue(&admin, sid).await;
    // March was 1.100 SMS, not 1.000: corrected, the next run bills the difference only.
    let (s, _) = admin
        .send_json(
            Method::POST,
            &path,
            json!({"service": "PD02", "year": 2026, "month": 3, "quantity": 1100, "note": "rettifica"}),
        )
        .await;
    assert_eq!(s, 201);
    run_year(&app, &admin, 2026, Some(vec![id])).await;
    let (_, list) = admin
        .get(&format!("/api/v1/entities/{id}/statements?year=2026"))
        .await;
    let draft = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["state"] == "draft")
        .unwrap();
    assert_eq!(draft["lines"].as_array().unwrap().len(), 1, "{draft}");
    assert_eq!(draft["lines"][0]["amount"], "5.00");
    assert_eq!(draft["lines"][0]["adjusts"], true);
}

async fn payments_add_up_and_the_overdue_are_reminded_by_email_once_a_week(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, contact, id) = setup(&app).await;
    super::delivery::primary_contact(&admin, id, "ragioneria@mezzo.example.it").await;
    demo_settings(&admin).await;
    let path = format!("/api/v1/entities/{id}/readings");
    let (s, _) = admin
        .send_json(
            Method::POST,
            &path,
            json!({"service": "PD02", "year": 2026, "month": 3, "quantity": 20000}),
        )
        .await;
    assert_eq!(s, 201);
    let sid = drafted(&app, &admin, id, 2026).await;
    let pay = format!("/api/v1/statements/{sid}/payments");
    // Nothing is paid on a draft.
    let (s, e) = admin
        .send_json(
            Method::POST,
            &pay,
            json!({"paid_on": "2026-11-25", "amount": "10.00"}),
        )
        .await;
    assert_eq!(s, 409, "{e}");
    let (s, st) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/statements/{sid}/issue"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{st}");
    // € 1.000,00 of SMS, split payment: the entity owes the centre the net.
    assert_eq!(st["payable"], "1000.00");
    for (body, field) in [
        (json!({"paid_on": "2026-11-25", "amount": "0"}), "amount"),
        (
            json!({"paid_on": "2026-11-25", "amount": "1000.01"}),
            "amount",
        ),
        (
            json!({"paid_on": "2026-11-25", "amount": "12,345"}),
            "amount",
        ),
        (
            json!({"paid_on": "2027-01-01", "amount": "10.00"}),
            "paid_on",
        ),
        (
            json!({"paid_on": "2026-01-01", "amount": "10.00"}),
            "paid_on",
        ),
    ] {
        let (s, e) = admin.send_json(Method::POST, &pay, body.clone()).await;
        assert_eq!(s, 422, "{body} → {e}");
        assert_eq!(e["errors"][0]["field"], field, "{e}");
    }
    let (s, _) = contact
        .send_json(
            Method::POST,
            &pay,
            json!({"paid_on": "2026-11-25", "amount": "10.00"}),
        )
        .await;
    assert!(s == 403 || s == 404);
    let (s, st) = admin
        .send_json(
            Method::POST,
            &pay,
            json!({"paid_on": "2026-11-25", "amount": "400.00", "reference": "CRO 123"}),
        )
        .await;
    assert_eq!(s, 201, "{st}");
    assert_eq!(
        (st["paid"].as_str(), st["state"].as_str()),
        (Some("400.00"), Some("issued"))
    );
    let (_, theirs) = contact.get(&pay).await;
    assert_eq!(theirs["items"][0]["reference"], "CRO 123");

    // Past the due date (30 days after issue), the statement is overdue and reminded by
    // e-mail to the entity and the centre, once a week.
    let (smtp, mailer) = super::delivery::mail_out(&app).await;
    let today = app.clock.today();
    let (_, overdue) = admin.get("/api/v1/statements/overdue").await;
    assert_eq!(overdue["items"], json!([]));
    app.clock.advance(chrono::Duration::days(31));
    let (_, overdue) = admin.get("/api/v1/statements/overdue").await;
    assert_eq!(overdue["items"][0]["id"], sid, "{overdue}");
    let later = today + chrono::Duration::days(31);
    assert_eq!(
        billing::store::payments::remind(&app.db, later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        billing::store::payments::remind(&app.db, later + chrono::Duration::days(3))
            .await
            .unwrap(),
        0,
        "not again within a week"
    );
    assert_eq!(mailer.run_due().await.unwrap(), 1);
    let got = smtp.wait_messages(1).await;
    let text = String::from_utf8_lossy(&got[0]).into_owned();
    assert!(text.contains("ragioneria@mezzo.example.it"), "{text}");
    assert!(
        text.contains("Resta da pagare: =E2=82=AC 600,00")
            || text.contains("Resta da pagare: € 600,00"),
        "{text}"
    );
    // The rest is paid: the statement is paid and no longer overdue.
    let (s, st) = admin
        .send_json(
            Method::POST,
            &pay,
            json!({"paid_on": later.to_string(), "amount": "600.00"}),
        )
        .await;
    assert_eq!(s, 201, "{st}");
    assert_eq!(st["state"], "paid");
    let (_, overdue) = admin.get("/api/v1/statements/overdue").await;
    assert_eq!(overdue["items"], json!([]));
    let (s, e) = admin
        .send_json(
            Method::POST,
            &pay,
            json!({"paid_on": later.to_string(), "amount": "1.00"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
}

/// The receipt SdI sends for a file: `kind` is the root element (RicevutaConsegna,
/// NotificaScarto…), `inner` its own elements.
fn receipt(kind: &str, file: &str, inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<types:{kind} xmlns:types="http://www.fatturapa.gov.it/sdi/messaggi/v1.0" versione="1.0">
  <IdentificativoSdI>3245987650</IdentificativoSdI>
  <NomeFile>{file}</NomeFile>
  <DataOraRicezione>2026-11-26T09:01:12.000+01:00</DataOraRicezione>
  {inner}
  <MessageId>1234567891</MessageId>
</types:{kind}>"#
    )
}

async fn post_receipt(admin: &Api, xml: String) -> (u16, Value) {
    let r = admin
        .request(Method::POST, "/api/v1/invoices/receipts")
        .header("content-type", "application/xml")
        .body(xml)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// Checks a FatturaPA file with the reference validator (xmllint, Debian's libxml2-utils).
pub(crate) fn xmllint_accepts(xml: &str) {
    let path = tempfile_dir().join("fattura.xml");
    std::fs::write(&path, xml).unwrap();
    xmllint_accepts_files(&[path]);
}

/// Checks FatturaPA files with xmllint against the vendored FPA12 1.2.3 schema.
fn xmllint_accepts_files(files: &[std::path::PathBuf]) {
    let xsd = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fatturapa/schema/Schema_del_file_xml_FatturaPA_v1.2.3.xsd"
    );
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema", xsd])
        .args(files)
        .output()
        .expect("xmllint (Debian libxml2-utils, installed by scripts/install-test-deps.sh)");
    assert!(
        out.status.success(),
        "xmllint refuses: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("cst-fpa-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

async fn an_issued_statement_becomes_a_valid_e_invoice_and_sdi_receipts_move_it(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, contact, id) = setup(&app).await;
    demo_settings(&admin).await;
    let (s, _) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/readings"),
            json!({"service": "PD02", "year": 2026, "month": 3, "quantity": 20000}),
        )
        .await;
    assert_eq!(s, 201);
    let sid = drafted(&app, &admin, id, 2026).await;
    let invoice = format!("/api/v1/statements/{sid}/invoice");
    // A draft is not invoiced.
    let (s, e) = admin.send_json(Method::POST, &invoice, json!({})).await;
    assert_eq!(s, 409, "{e}");
    issue(&admin, sid).await;
    // Without the entity's office code the invoice is refused with the reason.
    let (s, e) = admin.send_json(Method::POST, &invoice, json!({})).await;
    assert_eq!(s, 409, "{e}");
    assert!(
        e["detail"]
            .as_str()
            .unwrap()
            .contains("codice univoco ufficio"),
        "{e}"
    );
    let (_, ent) = admin.get(&format!("/api/v1/entities/{id}")).await;
    let (s, ent) = admin
        .send_json(
            Method::PATCH,
            &format!("/api/v1/entities/{id}"),
            json!({"version": ent["version"], "office_code": "UFMZ01", "tax_code": "00644060287",
                   "address": "Piazza del Municipio 1", "postal_code": "35100", "city": "Mezzo",
                   "province": "PD"}),
        )
        .await;
    assert_eq!(s, 200, "{ent}");
    // CIG, CUP and the pagoPA notice code, checked, then carried into the invoice.
    let refs = format!("/api/v1/statements/{sid}");
    let (s, e) = admin
        .send_json(
            Method::PATCH,
            &refs,
            json!({"cig": "123", "notice_code": "abc"}),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["errors"].as_array().unwrap().len(), 2, "{e}");
    let (s, e) = admin
        .send_json(
            Method::PATCH,
            &refs,
            json!({"cig": "z1234567ab", "cup": "J71B21000000001", "notice_code": "301000000000012345"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    assert_eq!(e["cig"], "Z1234567AB");
    let (s, _) = contact.send_json(Method::POST, &invoice, json!({})).await;
    assert!(s == 403 || s == 404);
    let (s, inv) = admin.send_json(Method::POST, &invoice, json!({})).await;
    assert_eq!(s, 201, "{inv}");
    assert_eq!(inv["document_kind"], "TD01");
    assert_eq!(inv["state"], "ready");
    assert_eq!(inv["file_name"], "IT80006510285_00001.xml");
    let (_, st) = admin.get(&format!("/api/v1/statements/{sid}")).await;
    assert_eq!(st["state"], "invoiced");
    // Its XML, as the contact downloads it, passes the reference validator too.
    let r = contact
        .request(Method::GET, &format!("/api/v1/invoices/{}/xml", inv["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let xml = r.text().await.unwrap();
    xmllint_accepts(&xml);
    for needle in [
        "<CodiceDestinatario>UFMZ01</CodiceDestinatario>",
        "<TipoDocumento>TD01</TipoDocumento>",
        "<Numero>2026/0001</Numero>",
        "<EsigibilitaIVA>S</EsigibilitaIVA>",
        "<IBAN>IT60X0542811101000000123456</IBAN>",
        "<ImportoPagamento>1000.00</ImportoPagamento>",
        "<CodiceCIG>Z1234567AB</CodiceCIG>",
        "<CodiceCUP>J71B21000000001</CodiceCUP>",
        "<CodicePagamento>301000000000012345</CodicePagamento>",
    ] {
        assert!(xml.contains(needle), "{needle} missing in\n{xml}");
    }
    let (s, e) = admin
        .send_json(Method::PATCH, &refs, json!({"cig": "Z7654321AB"}))
        .await;
    assert_eq!(s, 409, "once invoiced they stay: {e}");
    // A second invoice while this one lives is refused.
    let (s, e) = admin.send_json(Method::POST, &invoice, json!({})).await;
    assert_eq!(s, 409, "{e}");
    // The year's ZIP holds the file ready to send.
    let r = admin
        .request(Method::GET, "/api/v1/invoices/zip?year=2026")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let zip = r.bytes().await.unwrap();
    assert_eq!(&zip[..2], b"PK");
    assert!(zip.windows(23).any(|w| w == b"IT80006510285_00001.xml"));

    // SdI rejects it (NS with its codes): the statement can be invoiced again, with a new
    // progressive; the rejected file stays in the history.
    let file = inv["file_name"].as_str().unwrap();
    let (s, e) = post_receipt(
        &admin,
        receipt("NotificaScarto", "IT99999999999_00009.xml", ""),
    )
    .await;
    assert_eq!(s, 422, "{e}");
    let (s, e) = post_receipt(&admin, "<niente/>".into()).await;
    assert_eq!(s, 422, "{e}");
    let ns = receipt(
        "NotificaScarto",
        file,
        "<ListaErrori><Errore><Codice>00311</Codice><Descrizione>1.1.4 CodiceDestinatario non valido</Descrizione></Errore></ListaErrori>",
    );
    let (s, r) = post_receipt(&admin, ns).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["state"], "rejected");
    assert_eq!(r["events"][0]["kind"], "NS");
    assert_eq!(r["events"][0]["detail"]["errors"][0]["code"], "00311");
    let (s, again) = admin.send_json(Method::POST, &invoice, json!({})).await;
    assert_eq!(s, 201, "{again}");
    assert_eq!(again["file_name"], "IT80006510285_00002.xml");
    let (_, all) = admin
        .get(&format!("/api/v1/statements/{sid}/invoices"))
        .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    // Delivered (RC), then accepted by the entity (NE EC01).
    let file = again["file_name"].as_str().unwrap();
    let (_, r) = post_receipt(
        &admin,
        receipt(
            "RicevutaConsegna",
            file,
            "<DataOraConsegna>2026-11-26T10:00:00.000+01:00</DataOraConsegna>",
        ),
    )
    .await;
    assert_eq!(r["state"], "delivered", "{r}");
    let ne = receipt(
        "NotificaEsito",
        file,
        "<EsitoCommittente><IdentificativoSdI>3245987650</IdentificativoSdI><Esito>EC01</Esito></EsitoCommittente>",
    );
    let (_, r) = post_receipt(&admin, ne).await;
    assert_eq!(r["state"], "accepted", "{r}");
    let (s, _) = contact
        .request(Method::POST, "/api/v1/invoices/receipts")
        .body("x")
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert!(s == 403 || s == 415, "{s}");
    let (_, audit) = admin
        .get(&format!(
            "/api/v1/audit?object_type=invoice&object_id={}",
            again["id"]
        ))
        .await;
    assert!(audit.to_string().contains("receipt"), "{audit}");
}

/// An 11-digit codice fiscale with its check digit, from a 10-digit body.
fn tax_code(body: u64) -> String {
    let digits: Vec<u32> = format!("{body:010}")
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 0 {
                d
            } else if d * 2 > 9 {
                d * 2 - 9
            } else {
                d * 2
            }
        })
        .sum();
    format!("{body:010}{}", (10 - sum % 10) % 10)
}

/// Every statement of the demo (`cst serve --demo`, the real binary) makes an e-invoice that our
/// validator and xmllint both accept (entities without fiscal data are given some first).
async fn every_demo_statement_makes_a_valid_e_invoice(b: Backend) {
    let app = spawn_app(b).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cst"))
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--database", &app.testdb.url])
        .env("CST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut up = false;
    for _ in 0..1200 {
        if reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(up, "cst serve --demo did not start");
    let sys = kernel::Actor::system("t");
    let year = kernel::time::current_year();
    let list = billing::store::statements::of_year(&app.db, &sys, year)
        .await
        .unwrap();
    assert!(list.len() > 50, "the demo bills its comuni: {}", list.len());
    let settings = billing::store::settings(&app.db).await.unwrap();
    let dir = tempfile_dir();
    let mut files = Vec::new();
    for (n, st) in list.iter().enumerate() {
        sqlx::query(
            "UPDATE entities SET office_code = COALESCE(office_code, $1), tax_code = COALESCE(tax_code, $2), \
             address = CASE WHEN address = '' THEN 'Piazza del Municipio 1' ELSE address END, \
             postal_code = CASE WHEN postal_code = '' THEN '35100' ELSE postal_code END, \
             city = CASE WHEN city = '' THEN name ELSE city END WHERE id = $3",
        )
        .bind(format!("UFT{n:03}"))
        .bind(tax_code(9_000_000_000 + n as u64))
        .bind(st.entity_id)
        .execute(app.db.pool())
        .await
        .unwrap();
        let entity = members::store::get(&app.db, &sys, st.entity_id)
            .await
            .unwrap();
        let mut st = st.clone();
        st.number
            .get_or_insert_with(|| format!("{year}/{:04}", 9000 + n));
        let doc = billing::store::invoices::model(
            &st,
            &entity,
            &settings,
            &fatturapa::progressive(n as u64 + 1).unwrap(),
            app.clock.today(),
            None,
            None,
        )
        .unwrap();
        let xml = fatturapa::to_xml(&doc).unwrap_or_else(|e| panic!("{}: {e}", st.entity_name));
        let path = dir.join(format!("{n}.xml"));
        std::fs::write(&path, xml).unwrap();
        files.push(path);
    }
    xmllint_accepts_files(&files);
}

async fn revenue_is_reported_per_year_service_and_entity_against_the_centres_costs(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, contact, id) = setup(&app).await;
    demo_settings(&admin).await;
    for (year, quantity) in [(2025, 10_000), (2026, 20_000)] {
        let (s, _) = admin
            .send_json(
                Method::POST,
                &format!("/api/v1/entities/{id}/readings"),
                json!({"service": "PD02", "year": year, "month": 6, "quantity": quantity}),
            )
            .await;
        assert_eq!(s, 201);
        let sid = drafted(&app, &admin, id, year).await;
        issue(&admin, sid).await;
    }
    // A draft is not revenue.
    let (s, _) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{id}/readings"),
            json!({"service": "PD02", "year": 2026, "month": 7, "quantity": 1_000_000}),
        )
        .await;
    assert_eq!(s, 201);
    run_year(&app, &admin, 2026, Some(vec![id])).await;
    for (body, field) in [
        (
            json!({"year": 2026, "label": "", "amount": "100.00"}),
            "label",
        ),
        (
            json!({"year": 2026, "label": "Personale", "amount": "0"}),
            "amount",
        ),
        (
            json!({"year": 1900, "label": "Personale", "amount": "100.00"}),
            "year",
        ),
    ] {
        let (s, e) = admin
            .send_json(Method::POST, "/api/v1/centre-costs", body)
            .await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["errors"][0]["field"], field, "{e}");
    }
    let (s, _) = contact
        .send_json(
            Method::POST,
            "/api/v1/centre-costs",
            json!({"year": 2026, "label": "x", "amount": "1.00"}),
        )
        .await;
    assert_eq!(s, 403);
    for (label, amount) in [("Personale", "1500.00"), ("Connettività", "500.00")] {
        let (s, r) = admin
            .send_json(
                Method::POST,
                "/api/v1/centre-costs",
                json!({"year": 2026, "label": label, "amount": amount}),
            )
            .await;
        assert_eq!(s, 201, "{r}");
    }
    let (s, r) = admin.get("/api/v1/reports/revenue?from=2025&to=2026").await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["years"], json!([2025, 2026]));
    assert_eq!(r["totals"], json!(["500.00", "1000.00"]));
    assert_eq!(r["costs"], json!(["", "2000.00"]));
    assert_eq!(r["by_service"][0]["name"], "PD02");
    assert_eq!(r["by_entity"][0]["entity_id"], id);
    let (s, _) = contact.get("/api/v1/reports/revenue").await;
    assert_eq!(s, 403);
    let (s, e) = admin.get("/api/v1/reports/revenue?from=2026&to=2020").await;
    assert_eq!(s, 422, "{e}");
    // The page draws the charts and says the coverage the Italian way; the CSV has every row.
    let page = app.browser("capo").await;
    let html = page.get("/reports/revenue?dal=2025&al=2026").await.1;
    assert!(html.contains("<svg class=\"chart\""), "{html}");
    assert!(html.contains("50,0%"), "coverage of 2026: {html}");
    let csv = page.get("/reports/revenue.csv?dal=2025&al=2026").await.1;
    assert!(csv.contains("Servizio,PD02,2026,1000.00"), "{csv}");
}
