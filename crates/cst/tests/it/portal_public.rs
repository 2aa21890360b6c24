//! The entity's public pages (issue 14) as a citizen meets them, without an account: on only
//! while the entity has the module, the sign-up form with its privacy notice, trap field and
//! brake per address, the sign-up's own page as the cancel link.

use reqwest::Method;
use serde_json::json;
use testkit::{backends, Backend, TestApp};

use crate::delivery::setup;

backends!(a_citizen_signs_up_and_cancels_on_the_public_pages);

/// A client without session that does not follow redirects.
fn citizen() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let r = citizen().get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let r = citizen()
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap();
    let to = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (r.status().as_u16(), to, r.text().await.unwrap())
}

/// The centre maps `module` to PD02's `item`, and the entity gets that item today (an
/// activation request approved and delivered).
pub(crate) async fn give_module(
    app: &TestApp,
    staff: &testkit::Api,
    id: i64,
    module: &str,
    item: &str,
) {
    let (s, m) = staff
        .send_json(
            Method::PUT,
            "/api/v1/portal/modules",
            json!({"items": [{"module": module, "service": "PD02", "item": item}]}),
        )
        .await;
    assert_eq!(s, 200, "{m}");
    let (s, r) = staff
        .send_json(
            Method::POST,
            "/api/v1/activation-requests",
            json!({"entity_id": id, "service": "PD02", "item": item, "quantity": 1}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let rid = r["id"].as_i64().unwrap();
    for (what, body) in [
        ("approve", json!({})),
        (
            "deliver",
            json!({"activation_date": app.clock.today().to_string()}),
        ),
    ] {
        let (s, r) = staff
            .send_json(
                Method::POST,
                &format!("/api/v1/activation-requests/{rid}/{what}"),
                body,
            )
            .await;
        assert_eq!(s, 200, "{what}: {r}");
    }
}

async fn a_citizen_signs_up_and_cancels_on_the_public_pages(b: Backend) {
    let app = testkit::spawn_app(b).await;
    let (staff, _, id) = setup(&app).await;
    let (s, e) = staff
        .send_json(
            Method::POST,
            "/api/v1/events",
            json!({"entity_id": id, "title": "Visita guidata al castello", "starts_at": "2026-12-12T10:00",
                   "seats": 2, "place": "Castello di Mezzo", "description": "Ritrovo all'ingresso.\nDurata: due ore."}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let ev = e["id"].as_i64().unwrap();
    // Without the module the public pages do not exist.
    assert_eq!(page(&app, &format!("/p/{id}")).await.0, 404);
    assert_eq!(page(&app, &format!("/p/{id}/eventi/{ev}")).await.0, 404);

    // The centre maps PD02's booking item to the module; the entity gets the item.
    give_module(&app, &staff, id, "events", "prenotazioni").await;
    let (_, mods) = staff
        .get(&format!("/api/v1/entities/{id}/portal-modules"))
        .await;
    assert_eq!(mods["modules"], json!(["events"]));

    let (s, home) = page(&app, &format!("/p/{id}")).await;
    assert_eq!(s, 200);
    assert!(home.contains("Comune di Mezzo") && home.contains(&format!("/p/{id}/eventi")));
    let (_, list) = page(&app, &format!("/p/{id}/eventi")).await;
    assert!(list.contains("Visita guidata al castello"), "{list}");
    assert!(
        list.contains("sabato 12 dicembre 2026, ore 10:00"),
        "{list}"
    );
    assert!(list.contains("Posti disponibili: 2 su 2"), "{list}");
    let (_, privacy) = page(&app, &format!("/p/{id}/privacy")).await;
    assert!(privacy.contains("Regolamento (UE) 2016/679") && privacy.contains("90 giorni"));
    // The entity writes its own notice and keeps the data 30 days; wrong settings are refused.
    for (body, field) in [
        (json!({"retention_days": 0}), "retention_days"),
        (json!({"admin_email": "non-una-mail"}), "admin_email"),
        (json!({"consent_text": "  "}), "consent_text"),
    ] {
        let (s, r) = staff
            .send_json(
                Method::PUT,
                &format!("/api/v1/entities/{id}/portal-settings"),
                body,
            )
            .await;
        assert_eq!(
            (s, r["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{r}"
        );
    }
    let (s, set) = staff
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{id}/portal-settings"),
            json!({"retention_days": 30, "consent_text": "Informativa del Comune di Mezzo.\nTitolare: il Sindaco."}),
        )
        .await;
    assert_eq!(
        (s, set["retention_days"].as_i64()),
        (200, Some(30)),
        "{set}"
    );
    let (_, privacy) = page(&app, &format!("/p/{id}/privacy")).await;
    assert!(privacy.contains("<p>Titolare: il Sindaco.</p>") && privacy.contains("30 giorni"));

    let form = |name: &'static str, email: &'static str, seats: &'static str| {
        vec![
            ("nome", name),
            ("email", email),
            ("posti", seats),
            ("consenso", "1"),
        ]
    };
    let path = format!("/p/{id}/eventi/{ev}");
    // Without the notice read, or with the robots' field filled: refused, nothing stored.
    let mut f = form("Anna Rossi", "anna@example.org", "2");
    f.retain(|(k, _)| *k != "consenso");
    let (s, _, body) = post(&app, &path, &f).await;
    assert_eq!(s, 422);
    assert!(body.contains("informativa"), "{body}");
    assert!(
        body.contains("value=\"Anna Rossi\""),
        "what was typed is kept"
    );
    let mut f = form("Robot", "robot@example.org", "1");
    f.push(("sito", "http://spam.example"));
    assert_eq!(post(&app, &path, &f).await.0, 400);
    let (s, _, body) = post(&app, &path, &form("Anna Rossi", "non-una-mail", "1")).await;
    assert_eq!(s, 422);
    assert!(body.contains("indirizzo e-mail valido"), "{body}");
    let (_, regs) = staff
        .get(&format!("/api/v1/events/{ev}/registrations"))
        .await;
    assert_eq!(regs["items"].as_array().unwrap().len(), 0);

    // Anna takes both seats; her page is her cancel link.
    let (s, to, _) = post(&app, &path, &form("Anna Rossi", "anna@example.org", "2")).await;
    assert_eq!(s, 303, "a sign-up leads to its own page");
    assert!(
        to.starts_with(&format!("/p/{id}/iscrizioni/")) && to.ends_with("?nuova=1"),
        "{to}"
    );
    let (s, mine) = page(&app, &to).await;
    assert_eq!(s, 200);
    assert!(
        mine.contains("Iscrizione confermata.") && mine.contains("2 posti"),
        "{mine}"
    );
    // Bruno finds it full and waits.
    let (_, full) = page(&app, &path).await;
    assert!(full.contains("Al completo"), "{full}");
    let (_, bruno, _) = post(
        &app,
        &path,
        &form("Bruno Bianchi", "bruno@example.org", "1"),
    )
    .await;
    let (_, his) = page(&app, &bruno).await;
    assert!(his.contains("lista d&#39;attesa, al 1º posto"), "{his}");
    // A wrong code finds nothing.
    let wrong = format!("{}0", to.trim_end_matches("?nuova=1"));
    assert_eq!(page(&app, &wrong).await.0, 404);
    assert_eq!(post(&app, &wrong, &[]).await.0, 404);
    // Anna cancels: Bruno gets a seat.
    let (s, _, after) = post(&app, to.trim_end_matches("?nuova=1"), &[]).await;
    assert_eq!(s, 200);
    assert!(after.contains("annullata"), "{after}");
    let (_, his) = page(&app, &bruno).await;
    assert!(his.contains("confermata"), "{his}");

    // The brake: ten submissions per address in ten minutes (five made so far).
    let mut statuses = vec![];
    for _ in 0..6 {
        statuses.push(
            post(&app, &path, &form("Carla Verdi", "carla@example.org", "1"))
                .await
                .0,
        );
    }
    assert_eq!(statuses, [303, 303, 303, 303, 303, 429], "{statuses:?}");
    let (_, _, body) = post(&app, &path, &form("Carla Verdi", "carla@example.org", "1")).await;
    assert!(
        body.contains("Troppe richieste da questo indirizzo"),
        "{body}"
    );
    let (_, regs) = staff
        .get(&format!("/api/v1/events/{ev}/registrations"))
        .await;
    assert_eq!(regs["items"].as_array().unwrap().len(), 7);

    // Closed by the flag: the page says so and takes no sign-up.
    staff
        .send_json(
            Method::PATCH,
            &format!("/api/v1/events/{ev}"),
            json!({"closed": true}),
        )
        .await;
    let (_, closed) = page(&app, &path).await;
    assert!(closed.contains("Iscrizioni chiuse") && !closed.contains("name=\"nome\""));
}

backends!(the_calls_for_tender_are_public_with_their_corrections_and_feed);

async fn the_calls_for_tender_are_public_with_their_corrections_and_feed(b: Backend) {
    let app = testkit::spawn_app(b).await;
    let (staff, _, id) = setup(&app).await;
    give_module(&app, &staff, id, "tenders", "base").await;
    let today = app.clock.today().to_string();
    let call = |title: &str, published: &str| {
        json!({"entity_id": id, "title": title, "category": "forniture", "published_on": published,
               "deadline_at": "2026-12-20T12:00", "description": "Fornitura di arredi & <sedie>."})
    };
    let (_, open) = staff
        .send_json(
            Method::POST,
            "/api/v1/tenders",
            call("Arredi per la scuola", &today),
        )
        .await;
    let (_, later) = staff
        .send_json(
            Method::POST,
            "/api/v1/tenders",
            call("Bando non ancora pubblicato", "2026-12-10"),
        )
        .await;
    let mut corrected = call("Arredi per la scuola", &today);
    corrected["deadline_at"] = json!("2026-12-27T12:00");
    corrected["reason"] = json!("Proroga per le festività");
    let (s, t) = staff
        .send_json(
            Method::PUT,
            &format!("/api/v1/tenders/{}", open["id"]),
            corrected,
        )
        .await;
    assert_eq!(s, 200, "{t}");
    let r = staff
        .request(
            Method::POST,
            &format!(
                "/api/v1/tenders/{}/documents?filename=capitolato.pdf",
                open["id"]
            ),
        )
        .header("content-type", "application/pdf")
        .body("%PDF-1.4 capitolato")
        .send()
        .await
        .unwrap();
    let doc: serde_json::Value = r.json().await.unwrap();

    let (s, list) = page(&app, &format!("/p/{id}/bandi")).await;
    assert_eq!(s, 200);
    assert!(
        list.contains("Arredi per la scuola") && list.contains("2 rettifiche"),
        "{list}"
    );
    assert!(
        !list.contains("Bando non ancora pubblicato"),
        "not before its day"
    );
    let (_, detail) = page(&app, &format!("/p/{id}/bandi/{}", open["id"])).await;
    assert!(detail.contains("Rettifica del") && detail.contains("Proroga per le festività"));
    assert!(
        detail.contains("Scadenza: 20/12/2026 12:00 → 27/12/2026 12:00"),
        "{detail}"
    );
    assert!(
        detail.contains("arredi &#38; &#60;sedie&#62;"),
        "text is escaped: {detail}"
    );
    assert_eq!(
        page(&app, &format!("/p/{id}/bandi/{}", later["id"]))
            .await
            .0,
        404,
        "a call is public from its publication day"
    );
    let r = citizen()
        .get(app.url(&format!(
            "/p/{id}/bandi/{}/documenti/{}",
            open["id"], doc["id"]
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"%PDF-1.4 capitolato");

    // The feed: one entry per published call, escaped.
    let r = citizen()
        .get(app.url(&format!("/p/{id}/bandi.atom")))
        .send()
        .await
        .unwrap();
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/atom+xml"));
    let feed = r.text().await.unwrap();
    assert_eq!(feed.matches("<entry>").count(), 1, "{feed}");
    assert!(feed.contains("<title>Arredi per la scuola</title>") && feed.contains("2 rettifiche"));

    // After the deadline it moves to the expired tab; with its outcome, to the next.
    app.clock.set("2026-12-28T09:00:00Z".parse().unwrap());
    let (_, active) = page(&app, &format!("/p/{id}/bandi")).await;
    assert!(active.contains("Nessun bando attivo"), "{active}");
    let (_, expired) = page(&app, &format!("/p/{id}/bandi?stato=scaduti")).await;
    assert!(expired.contains("Arredi per la scuola"));
}

backends!(a_citizen_books_an_appointment_is_reminded_and_forgotten);

async fn a_citizen_books_an_appointment_is_reminded_and_forgotten(b: Backend) {
    let app = testkit::spawn_app(b).await;
    let (staff, _, id) = setup(&app).await;
    let (smtp, run) = crate::delivery::mail_out(&app).await;
    give_module(&app, &staff, id, "appointments", "prenotazioni").await;
    // Mondays and Tuesdays 9–10, slots of 20 minutes with one place; 8 December (a Tuesday) is
    // a holiday.
    let (s, w) = staff
        .send_json(
            Method::POST,
            "/api/v1/appointment-slots/weekly",
            json!({"entity_id": id, "office": "Anagrafe", "from": "2026-12-07", "to": "2026-12-13",
                   "openings": [{"weekday": 1, "start": "09:00", "end": "10:00", "minutes": 20, "places": 1},
                                {"weekday": 2, "start": "09:00", "end": "10:00", "minutes": 20, "places": 1}]}),
        )
        .await;
    assert_eq!(s, 201, "{w}");
    assert_eq!(w["created"], 3, "{w}");
    assert_eq!(w["closed_days"], json!(["2026-12-08"]), "{w}");
    let (s, again) = staff
        .send_json(
            Method::POST,
            "/api/v1/appointment-slots/weekly",
            json!({"entity_id": id, "office": "Anagrafe", "from": "2026-12-07", "to": "2026-12-07",
                   "openings": [{"weekday": 1, "start": "09:00", "end": "10:00", "minutes": 20, "places": 1}]}),
        )
        .await;
    assert_eq!(
        (s, again["created"].as_i64(), again["existing"].as_i64()),
        (201, Some(0), Some(3))
    );
    let (s, bad) = staff
        .send_json(
            Method::POST,
            "/api/v1/appointment-slots/weekly",
            json!({"entity_id": id, "office": "Anagrafe", "from": "2026-12-07", "to": "2026-12-01",
                   "openings": [{"weekday": 9, "start": "9", "end": "10:00", "minutes": 20, "places": 1}]}),
        )
        .await;
    assert_eq!(s, 422, "{bad}");
    // A year of five-minute slots every day is more than one publication takes.
    let all_day: Vec<serde_json::Value> = (1..=7)
        .map(|d| json!({"weekday": d, "start": "00:00", "end": "23:55", "minutes": 5, "places": 1}))
        .collect();
    let (s, huge) = staff
        .send_json(
            Method::POST,
            "/api/v1/appointment-slots/weekly",
            json!({"entity_id": id, "office": "Protocollo", "from": "2027-01-01", "to": "2027-12-31",
                   "openings": all_day}),
        )
        .await;
    assert_eq!(
        (s, huge["errors"][0]["field"].as_str()),
        (422, Some("openings")),
        "{huge}"
    );

    let (s, list) = page(&app, &format!("/p/{id}/appuntamenti")).await;
    assert_eq!(s, 200);
    assert!(
        list.contains("Anagrafe") && list.contains("lunedì 7 dicembre 2026"),
        "{list}"
    );
    let first = list
        .split(&format!("/p/{id}/appuntamenti/"))
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_owned();
    let path = format!("/p/{id}/appuntamenti/{first}");
    let form = [
        ("nome", "Giorgio Cecchin"),
        ("email", "giorgio@example.org"),
        ("motivo", "Rinnovo della carta d'identità"),
        ("consenso", "1"),
    ];
    let (s, to, _) = post(&app, &path, &form).await;
    assert_eq!(s, 303);
    let (_, mine) = page(&app, &to).await;
    assert!(
        mine.contains("Appuntamento prenotato")
            && mine.contains("lunedì 7 dicembre 2026, ore 09:00"),
        "{mine}"
    );
    let base = to.trim_end_matches("?nuova=1").to_owned();
    let (s, ics) = page(&app, &format!("{base}/calendario.ics")).await;
    assert_eq!(s, 200);
    assert!(
        ics.contains("DTSTART:20261207T080000Z") && ics.contains("DTEND:20261207T082000Z"),
        "{ics}"
    );
    assert!(ics.contains("SUMMARY:Appuntamento: Anagrafe"), "{ics}");
    // The one place is taken: the next person is told, nothing is stored.
    let (s, _, full) = post(
        &app,
        &path,
        &[
            ("nome", "Altro"),
            ("email", "altro@example.org"),
            ("consenso", "1"),
        ],
    )
    .await;
    assert_eq!(s, 409);
    assert!(
        full.contains("al completo") || full.contains("prenotati"),
        "{full}"
    );

    // The day before, one reminder; asked again, none.
    app.clock.set("2026-12-06T10:00:00Z".parse().unwrap());
    let now = app.clock.now();
    assert_eq!(
        portal::store::slots::public::remind(&app.db, now)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        portal::store::slots::public::remind(&app.db, now)
            .await
            .unwrap(),
        0
    );
    let sent = run.run_due().await.unwrap();
    let got = smtp.wait_messages(sent).await;
    let subjects: Vec<String> = got
        .iter()
        .map(|raw| mail::parse(raw).unwrap().subject)
        .collect();
    assert!(
        subjects.contains(&"Comune di Mezzo – Anagrafe: appuntamento prenotato".to_owned()),
        "{subjects:?}"
    );
    assert!(
        subjects.contains(&"Comune di Mezzo – Anagrafe: promemoria per domani".to_owned()),
        "{subjects:?}"
    );

    // Cancelled from the page: the place is free again.
    let (s, _, after) = post(&app, &base, &[]).await;
    assert_eq!(s, 200);
    assert!(after.contains("annullato"), "{after}");
    let (_, slot) = staff
        .get(&format!("/api/v1/appointment-slots/{first}"))
        .await;
    assert_eq!(slot["free"], 1);

    // After the retention (90 days unless the entity says otherwise) the people are forgotten,
    // the slots stay, and the deletion is audited.
    app.clock.set("2027-03-08T10:00:00Z".parse().unwrap());
    let purged = portal::store::retention::purge(&app.db, app.clock.now())
        .await
        .unwrap();
    assert_eq!(purged.bookings, 1);
    let (_, bookings) = staff
        .get(&format!("/api/v1/appointment-slots/{first}/bookings"))
        .await;
    assert_eq!(bookings["items"], json!([]));
    let (_, audit) = staff
        .get(&format!(
            "/api/v1/audit?object_type=citizen_data&object_id={id}"
        ))
        .await;
    let after: serde_json::Value =
        serde_json::from_str(audit[0]["after"].as_str().unwrap_or("{}")).unwrap();
    assert_eq!(
        (after["bookings"].as_i64(), after["retention_days"].as_i64()),
        (Some(1), Some(90)),
        "{audit}"
    );
}
