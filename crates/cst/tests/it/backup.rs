use reqwest::Method;
use serde_json::json;
use sqlx::Row;
use testkit::{backends, spawn_app, Backend, TestDb};

use crate::cli::cst;

backends!(backup_of_a_running_instance_moves_to_the_other_database_and_back);

async fn dump(db: &db::Db) -> Vec<String> {
    let mut out = Vec::new();
    for (table, order) in db::backup::TABLES {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT * FROM {table} ORDER BY {order}"
        )))
        .fetch_all(db.pool())
        .await
        .unwrap();
        for r in rows {
            let vals: Vec<String> = (0..r.len())
                .map(|i| {
                    r.try_get::<Option<i64>, _>(i)
                        .map(|v| format!("{v:?}"))
                        .or_else(|_| r.try_get::<Option<String>, _>(i).map(|v| format!("{v:?}")))
                        .or_else(|_| {
                            r.try_get::<Option<Vec<u8>>, _>(i)
                                .map(|v| format!("{:?}", v.map(hex::encode)))
                        })
                        .unwrap()
                })
                .collect();
            out.push(format!("{table}: {}", vals.join("|")));
        }
    }
    out
}

/// Puts at least one row in every table of `db::backup::TABLES`, through the API and the
/// stores, as a centre in use would have them. The round trip asserts that no table is empty,
/// so a table added without a row here (and so without being carried) fails it.
async fn fill_every_table(app: &testkit::TestApp) {
    let actor = kernel::Actor::system("t");
    let admin = app.user("admin", "admin", &[]).await;
    let api = app.api(&admin).await;
    let mut ids = Vec::new();
    for (name, istat) in [
        ("Comune di Agna", "028002"),
        ("Comune di Arquà Petrarca", "028005"),
    ] {
        let (s, e) = api
            .send_json(
                Method::POST,
                "/api/v1/entities",
                json!({"name": name, "istat_code": istat, "notes": "àèìòù €\nseconda riga",
                       "population": 3000, "population_date": "2023-01-01"}),
            )
            .await;
        assert_eq!(s, 201, "{e}");
        let id = e["id"].as_i64().unwrap();
        let (s, c) = api
            .send_json(
                Method::POST,
                &format!("/api/v1/entities/{id}/contacts"),
                json!({"full_name": "Referente", "email": format!("referente@{id}.example.it")}),
            )
            .await;
        assert_eq!(s, 201, "{c}");
        ids.push(id);
    }
    let e = ids[0];
    app.user("referente", "contact", &[e]).await;
    let supplier = app.user("fornitore", "supplier", &[e]).await;
    let (s, r) = api
        .send_json(
            Method::PUT,
            "/api/v1/membership-fee-rule",
            json!({"preset": "padova", "valid_from_year": 2025}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    catalog::store::load_padova_catalogue(&app.db, &actor)
        .await
        .unwrap();
    let (s, a) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{e}/agreements"),
            json!({"start_date": "2024-01-01", "term_years": 5, "number": "7/2024", "signed": true}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let (s, q) = api
        .send_json(
            Method::POST,
            "/api/v1/price-quotes",
            json!({"service": "PD09", "entity_id": e, "quantity": 3,
                   "activation_date": "2026-03-01", "year": 2026}),
        )
        .await;
    assert_eq!(s, 201, "{q}");
    // An activation request, delivered: an active service.
    let (s, r) = api
        .send_json(
            Method::POST,
            "/api/v1/activation-requests",
            json!({"service": "PD09", "entity_id": e, "quantity": 2, "notes": "Biblioteca"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let rid = r["id"].as_i64().unwrap();
    let (s, r) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/activation-requests/{rid}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (s, r) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/activation-requests/{rid}/deliver"),
            json!({"activation_date": "2026-11-20"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    // The needs campaign of 2027 with the entity's answers.
    let (s, c) = api
        .send_json(
            Method::POST,
            "/api/v1/needs-campaigns",
            json!({"year": 2027, "deadline": "2026-12-15"}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let (s, f) = api
        .send_json(
            Method::PUT,
            &format!("/api/v1/needs-campaigns/{}/forms/{e}", c["id"]),
            json!({"lines": [{"service": "PD09", "answer": "renew", "quantity": 4}], "submitted": true}),
        )
        .await;
    assert_eq!(s, 200, "{f}");
    // Billing: the centre's settings, a month of SMS, the year's statement issued and paid
    // in part (a run, its draft lines, a payment).
    super::billing::demo_settings(&api).await;
    let (s, r) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{e}/readings"),
            json!({"service": "PD02", "year": 2026, "month": 3, "quantity": 1500, "note": "àè €"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let sid = super::billing::drafted(app, &api, e, 2026).await;
    super::billing::issue(&api, sid).await;
    let (s, st) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/statements/{sid}/payments"),
            json!({"paid_on": app.clock.today().to_string(), "amount": "10.00", "reference": "CRO «1»"}),
        )
        .await;
    assert_eq!(s, 201, "{st}");
    // Its e-invoice, delivered (an SdI receipt).
    sqlx::query(
        "UPDATE entities SET office_code = 'UFAGNA', tax_code = '00644060287', \
         address = 'Piazza Municipio 1', postal_code = '35021', city = 'Agna' WHERE id = $1",
    )
    .bind(e)
    .execute(app.db.pool())
    .await
    .unwrap();
    let (s, inv) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/statements/{sid}/invoice"),
            json!({}),
        )
        .await;
    assert_eq!(s, 201, "{inv}");
    let rc = format!(
        r#"<types:RicevutaConsegna xmlns:types="http://www.fatturapa.gov.it/sdi/messaggi/v1.0" versione="1.0"><IdentificativoSdI>111</IdentificativoSdI><NomeFile>{}</NomeFile><DataOraRicezione>2026-11-26T09:00:00.000+01:00</DataOraRicezione><DataOraConsegna>2026-11-26T10:00:00.000+01:00</DataOraConsegna><MessageId>1</MessageId></types:RicevutaConsegna>"#,
        inv["file_name"].as_str().unwrap()
    );
    let r = api
        .request(Method::POST, "/api/v1/invoices/receipts")
        .header("content-type", "application/xml")
        .body(rc)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    // The deadlines calendar: one by hand (reminded), the agreement's end renewed, a feed.
    let (s, d) = api
        .send_json(
            Method::POST,
            "/api/v1/deadlines",
            json!({"entity_id": e, "title": "Rinnovo «fibra»", "due_on": (app.clock.today() + chrono::Duration::days(5)).to_string(), "every_months": 12}),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    assert!(
        billing::store::deadlines::remind(&app.db, app.clock.today())
            .await
            .unwrap()
            >= 1
    );
    let (s, r) = api
        .send_json(
            Method::POST,
            "/api/v1/deadlines/renew",
            json!({"key": format!("agreement:{}", a["id"]), "date": "2028-12-31"}),
        )
        .await;
    assert_eq!(s, 204, "{r}");
    let (s, f) = api
        .send_json(Method::POST, "/api/v1/calendar-feed", json!({}))
        .await;
    assert_eq!(s, 201, "{f}");
    let (s, c) = api
        .send_json(
            Method::POST,
            "/api/v1/centre-costs",
            json!({"year": 2026, "label": "Personale «tecnico»", "amount": "12000.00"}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let (s, ls) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{e}/log-sources"),
            json!({"name": "Firewall «sede»", "address": "10.20.0.0/16"}),
        )
        .await;
    assert_eq!(s, 201, "{ls}");
    // Its log export settings, a sealed export (signed by the centre's key, made on first use),
    // and a purge (recorded as the retention job records one: six months of records would be
    // needed to make a real one here).
    let (_, recipient) =
        crate::log_exports::age_key(&std::env::temp_dir(), &format!("bk-{}", testkit::unique()));
    let (s, st) = api
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{e}/log-settings"),
            json!({"recipients": [recipient], "schedule": "monthly", "retention_days": 365}),
        )
        .await;
    assert_eq!(s, 200, "{st}");
    let (s, ex) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{e}/log-exports"),
            json!({"from": "2026-11-01", "to": "2026-11-02"}),
        )
        .await;
    assert_eq!(s, 201, "{ex}");
    // Its named administrator, its titolare, and a signed-off check.
    let referente: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'referente'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let (s, r) = api
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{e}/log-reviewers"),
            json!({"user_id": referente, "kind": "titolare"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (s, a) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{e}/log-admins"),
            json!({"name": "Mario «Rossi»", "accounts": ["mrossi", "AGNA\\mrossi"]}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let (s, r) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{e}/log-reviews"),
            json!({"from": "2026-01-01", "to": "2026-06-30", "notes": "Tutto «regolare»"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    sqlx::query(
        "INSERT INTO log_purges (entity_id, before_day, batches, messages, purged_at) \
         VALUES ($1, '2026-05-01', 3, 120, '2026-11-20T02:00:00Z')",
    )
    .bind(e)
    .execute(app.db.pool())
    .await
    .unwrap();
    // A project with a quote.
    let (s, pj) = api
        .send_json(
            Method::POST,
            "/api/v1/projects",
            json!({"entity_id": e, "title": "Nuovo sito"}),
        )
        .await;
    assert_eq!(s, 201, "{pj}");
    let (s, pj) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/projects/{}/quotes", pj["id"]),
            json!({"lines": [{"text": "Sviluppo", "days": "2", "rate": "393.00"}], "valid_until": "2026-12-31"}),
        )
        .await;
    assert_eq!(s, 200, "{pj}");
    // A day package with a work report against it.
    let (s, p) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{e}/packages"),
            json!({"service": "PD14", "year": 2026}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    let (s, w) = api
        .send_json(
            Method::POST,
            "/api/v1/work-reports",
            json!({"entity_id": e, "package_id": p["id"], "date": "2026-11-20", "minutes": 180,
                   "mode": "onsite", "description": "Aggiornamento dei server"}),
        )
        .await;
    assert_eq!(s, 201, "{w}");
    let cal = kernel::calendar::Calendar::preset("padova").unwrap();
    helpdesk::store::set_calendar(&app.db, &admin.actor(), Some(e), "padova", &cal)
        .await
        .unwrap();
    helpdesk::store::set_policy(
        &app.db,
        &admin.actor(),
        &helpdesk::sla::SlaPolicy::default(),
    )
    .await
    .unwrap();
    let (s, p) = api
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{e}/support-profile"),
            json!({"profile": "pro"}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    let (s, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            json!({"entity_id": e, "subject": "Il server non risponde", "description": "Chiamata",
                   "priority": "high", "channel": "phone", "received_at": kernel::time::format(app.clock.now()),
                   "requester_email": format!("referente@{e}.example.it")}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let tid = t["id"].as_i64().unwrap();
    let (s, m) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{tid}/messages"),
            json!({"body": "Ci guardiamo", "internal": false}),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let r = api
        .request(
            Method::POST,
            &format!("/api/v1/tickets/{tid}/attachments?filename=schermata.png"),
        )
        .header("content-type", "image/png")
        .body(vec![0x89, b'P', b'N', b'G', 0, 1, 2, 255])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let (s, ph) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{tid}/phases"),
            json!({"supplier_id": supplier.id, "title": "Bonifica"}),
        )
        .await;
    assert_eq!(s, 201, "{ph}");
    let sapi = app.api(&supplier).await;
    let (s, u) = sapi
        .send_json(
            Method::POST,
            &format!("/api/v1/phases/{}/updates", ph["id"]),
            json!({"state": "in_progress", "body": "Avviata"}),
        )
        .await;
    assert_eq!(s, 200, "{u}");
    let (s, c) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{e}/backup-checks"),
            json!({"name": "Veeam", "email_from": "veeam@agna.example.it", "max_silence_hours": 26}),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/backup-reports"))
        .json(&json!({"token": c["token"], "status": "ok", "detail": "tutto bene"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    // The portal's modules: the mapping, the entity's settings, an event whose waiting list
    // told the administrator, a corrected call for tender, a booked slot.
    let (s, m) = api
        .send_json(
            Method::PUT,
            "/api/v1/portal/modules",
            json!({"items": [{"module": "events", "service": "PD02", "item": "prenotazioni"}]}),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    sqlx::query(
        "INSERT INTO portal_settings (entity_id, retention_days, consent_text, admin_email) \
         VALUES ($1, 90, 'I dati servono solo per l''evento «Natale»', 'urp@agna.example.it')",
    )
    .bind(e)
    .execute(app.db.pool())
    .await
    .unwrap();
    let (s, ev) = api
        .send_json(
            Method::POST,
            "/api/v1/events",
            json!({"entity_id": e, "title": "Concerto «Natale»", "starts_at": "2026-12-20T21:00", "seats": 1}),
        )
        .await;
    assert_eq!(s, 201, "{ev}");
    let mut regs = vec![];
    for (name, seats) in [("Anna", 1), ("Bruno", 2)] {
        let (s, r) = api
            .send_json(
                Method::POST,
                &format!("/api/v1/events/{}/registrations", ev["id"]),
                json!({"name": name, "email": "persona@example.org", "seats": seats}),
            )
            .await;
        assert_eq!(s, 201, "{r}");
        regs.push(r);
    }
    let (s, r) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/registrations/{}/cancel", regs[0]["id"]),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let tender = json!({"entity_id": e, "title": "Lavori «scuola»", "category": "lavori",
                        "published_on": app.clock.today().to_string(), "deadline_at": "2026-12-31"});
    let (s, t) = api
        .send_json(Method::POST, "/api/v1/tenders", tender.clone())
        .await;
    assert_eq!(s, 201, "{t}");
    let mut changed = tender;
    changed["deadline_at"] = json!("2027-01-15");
    changed["reason"] = json!("Proroga");
    let (s, t) = api
        .send_json(
            Method::PUT,
            &format!("/api/v1/tenders/{}", t["id"]),
            changed,
        )
        .await;
    assert_eq!(s, 200, "{t}");
    let r = api
        .request(
            Method::POST,
            &format!(
                "/api/v1/tenders/{}/documents?filename=capitolato.pdf",
                t["id"]
            ),
        )
        .header("content-type", "application/pdf")
        .body("%PDF-1.4 capitolato «scuola»")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let (s, slot) = api
        .send_json(
            Method::POST,
            "/api/v1/appointment-slots",
            json!({"entity_id": e, "office": "Anagrafe", "starts_at": "2026-12-14T09:00", "minutes": 20, "places": 2}),
        )
        .await;
    assert_eq!(s, 201, "{slot}");
    let (s, bk) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/appointment-slots/{}/bookings", slot["id"]),
            json!({"name": "Carla", "email": "carla@example.org", "reason": "Carta d'identità"}),
        )
        .await;
    assert_eq!(s, 201, "{bk}");
    let (s, room) = api
        .send_json(
            Method::POST,
            "/api/v1/rooms",
            json!({"entity_id": e, "name": "Sala «consiliare»", "capacity": 80}),
        )
        .await;
    assert_eq!(s, 201, "{room}");
    let (s, rb) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/rooms/{}/bookings", room["id"]),
            json!({"name": "Pro Loco", "email": "proloco@example.org", "purpose": "Assemblea",
                   "starts_at": "2026-12-15T20:00", "hours": 2}),
        )
        .await;
    assert_eq!(s, 201, "{rb}");
    let (s, a) = api
        .send_json(
            Method::POST,
            "/api/v1/faq",
            json!({"title": "Come si rinnova la «firma»?", "body": "Su appuntamento.\n\nVale tre anni.",
                   "category": "firma", "public": false}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let (s, course) = api
        .send_json(
            Method::POST,
            "/api/v1/courses",
            json!({"title": "La «PEC»", "seats": 10, "announce": false,
                   "sessions": [{"starts_at": "2031-01-12T09:00"}, {"starts_at": "2031-01-19T09:00", "hours": 3}]}),
        )
        .await;
    assert_eq!(s, 201, "{course}");
    let (s, en) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/courses/{}/enrolments", course["id"]),
            json!({"entity_id": e, "name": "Maria «Rossi»", "email": "maria@example.org"}),
        )
        .await;
    assert_eq!(s, 201, "{en}");
    let (s, y) = api
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{e}/training-entries"),
            json!({"year": 2031, "entries": 3}),
        )
        .await;
    assert_eq!(s, 200, "{y}");
    let (s, book) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{e}/address-books"),
            json!({"name": "Fornitori «locali»"}),
        )
        .await;
    assert_eq!(s, 201, "{book}");
    let (s, entry) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/address-books/{}/entries", book["id"]),
            json!({"name": "Ditta «Rossi»", "mobile": "+39 347 1234567", "notes": "riga\naltra"}),
        )
        .await;
    assert_eq!(s, 201, "{entry}");
    let (s, list) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{e}/contact-lists"),
            json!({"name": "Protezione civile"}),
        )
        .await;
    assert_eq!(s, 201, "{list}");
    let (s, m) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/contact-lists/{}/members", list["id"]),
            json!({"entry_id": entry["id"]}),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let (s, sent) = api
        .send_json(
            Method::POST,
            "/api/v1/sms",
            json!({"entity_id": e, "list_id": list["id"], "text": "Allerta «meteo»: scuole chiuse"}),
        )
        .await;
    assert_eq!(s, 202, "{sent}");
    let (s, _) = api
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{e}/sms-limit"),
            json!({"monthly_parts": 1000}),
        )
        .await;
    assert_eq!(s, 204);
    let (s, cal) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{e}/calendars"),
            json!({"name": "Giunta «comunale»", "kind": "group"}),
        )
        .await;
    assert_eq!(s, 201, "{cal}");
    let cal_id = cal["id"].as_i64().unwrap();
    let (s, ev) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/calendars/{cal_id}/events"),
            json!({"title": "Giunta; «ordine» del giorno", "starts": "2027-03-16T09:00",
                   "ends": "2027-03-16T10:30", "repeat": "FREQ=WEEKLY;COUNT=5", "notes": "riga\naltra"}),
        )
        .await;
    assert_eq!(s, 201, "{ev}");
    let (s, inv) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/agenda-events/{}/invitations", ev["id"]),
            json!({"invitees": [{"email": "assessore@example.org", "name": "Luca Verdi"}]}),
        )
        .await;
    assert_eq!(s, 200, "{inv}");
    let contact = app.user("giunta-membro", "contact", &[e]).await;
    let (s, g) = api
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{e}/calendars"),
            json!({"name": "Ufficio tecnico", "kind": "group", "members": [contact.id]}),
        )
        .await;
    assert_eq!(s, 201, "{g}");
    let stranger = "From: nessuno@example.org\r\nSubject: Offerta\r\nMessage-ID: <s2@example.org>\r\n\r\nCompri!\r\n";
    helpdesk::email::accept(&app.db, stranger.as_bytes(), app.clock.now())
        .await
        .unwrap();
}

async fn backup_of_a_running_instance_moves_to_the_other_database_and_back(b: Backend) {
    let app = spawn_app(b).await;
    fill_every_table(&app).await;
    let original = dump(&app.db).await;
    for (table, _) in db::backup::TABLES {
        assert!(
            original
                .iter()
                .any(|l| l.starts_with(&format!("{table}: "))),
            "table {table} has no row in the fixture: add one to fill_every_table"
        );
    }

    let dir = std::env::temp_dir().join(format!("cst-backup-{}-{:?}", std::process::id(), b));
    std::fs::create_dir_all(&dir).unwrap();
    let archive = dir.join("one.cstbak");
    let out = cst(
        &[
            "backup",
            "--out",
            archive.to_str().unwrap(),
            "--database",
            &app.testdb.url,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Into the other kind of database, and back again.
    let other = if b == Backend::Sqlite {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let moved = TestDb::new(other).await;
    let out = cst(
        &[
            "restore",
            archive.to_str().unwrap(),
            "--database",
            &moved.url,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("audit chain intact"));
    let moved_db = moved.connect().await;
    assert_eq!(
        dump(&moved_db).await,
        original,
        "{b:?} -> {other:?} changed the data"
    );
    // The moved instance keeps working: new ids do not collide, the chain goes on.
    let e = members::store::create(
        &moved_db,
        &kernel::Actor::system("t"),
        &members::EntityDraft {
            name: "Nuovo".into(),
            ..Default::default()
        }
        .parse()
        .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(e.id, 3);
    assert!(db::audit::verify(&moved_db).await.is_ok());
    // The same password still logs in.
    assert!(
        accounts::store::authenticate(&moved_db, "admin", testkit::PASSWORD)
            .await
            .is_ok()
    );

    let back_archive = dir.join("two.cstbak");
    let out = cst(
        &[
            "backup",
            "--out",
            back_archive.to_str().unwrap(),
            "--database",
            &moved.url,
        ],
        None,
    );
    assert!(out.status.success());
    let back = TestDb::new(b).await;
    let out = cst(
        &[
            "restore",
            back_archive.to_str().unwrap(),
            "--database",
            &back.url,
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let back_db = back.connect().await;
    assert_eq!(dump(&back_db).await, dump(&moved_db).await);

    // A second restore into a database with data is refused and changes nothing.
    let out = cst(
        &[
            "restore",
            archive.to_str().unwrap(),
            "--database",
            &back.url,
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    assert_eq!(dump(&back_db).await, dump(&moved_db).await);

    // A damaged archive is refused and leaves the target empty.
    let bytes = std::fs::read(&archive).unwrap();
    let cut = dir.join("cut.cstbak");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let empty = TestDb::new(b).await;
    let out = cst(
        &["restore", cut.to_str().unwrap(), "--database", &empty.url],
        None,
    );
    assert!(!out.status.success());
    let empty_db = empty.connect().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entities")
        .fetch_one(empty_db.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn backup_covers_every_table() {
    let sql: String = db::migrations()
        .iter()
        .map(|m| m.render(db::Backend::Sqlite))
        .collect();
    let mut created: Vec<String> = sql
        .lines()
        .filter_map(|l| l.trim().strip_prefix("CREATE TABLE "))
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect();
    created.sort();
    let mut covered: Vec<String> = db::backup::TABLES
        .iter()
        .map(|(t, _)| (*t).to_owned())
        .chain(
            db::backup::SKIPPED
                .iter()
                .filter(|t| **t != "schema_migrations")
                .map(|t| (*t).to_owned()),
        )
        .collect();
    covered.sort();
    assert_eq!(
        created, covered,
        "a table is neither backed up nor deliberately skipped"
    );
}
