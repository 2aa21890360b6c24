//! Rooms booked by the hour (issue 14): never two bookings of one hour, even with many people
//! booking at once, on both databases; a citizen's request that waits for the staff's approval
//! holds its hours, a rejection or a cancellation frees them; the e-mails through a real SMTP
//! server, with the public site's address before the links.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, Backend, TestApp};

use crate::delivery::{mail_out, primary_contact, setup};
use crate::portal_public::give_module;

backends!(
    a_room_never_holds_one_hour_twice,
    a_citizen_asks_for_a_room_and_the_staff_decide,
    the_front_desk_and_the_portal_pages,
);

async fn room(api: &testkit::Api, id: i64, name: &str, approval: bool) -> i64 {
    let (s, r) = api
        .send_json(
            Method::POST,
            "/api/v1/rooms",
            json!({"entity_id": id, "name": name, "capacity": 99, "needs_approval": approval,
                   "opens_at": "08:00", "closes_at": "24:00",
                   "description": "Al primo piano del municipio."}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    r["id"].as_i64().unwrap()
}

fn booking(i: usize, starts_at: &str, hours: u32) -> Value {
    json!({"name": format!("Associazione {i}"), "email": format!("a{i}@example.org"),
           "purpose": "Riunione dei soci", "starts_at": starts_at, "hours": hours})
}

async fn a_room_never_holds_one_hour_twice(b: Backend) {
    let app = testkit::spawn_app(b).await;
    let (staff, contact, id) = setup(&app).await;
    let hall = room(&contact, id, "Sala consiliare", false).await;
    // Thirty people ask for the same two hours at once: one gets them.
    let mut tasks = Vec::new();
    for i in 0..30 {
        let api = staff.clone();
        tasks.push(tokio::spawn(async move {
            api.send_json(
                Method::POST,
                &format!("/api/v1/rooms/{hall}/bookings"),
                booking(i, "2026-12-10T18:00", 2),
            )
            .await
        }));
    }
    let mut made = 0;
    for t in tasks {
        let (s, r) = t.await.unwrap();
        match s {
            201 => made += 1,
            409 => assert_eq!(r["code"], "room_taken", "{r}"),
            _ => panic!("{s} {r}"),
        }
    }
    assert_eq!(made, 1);
    // Forty overlapping requests of one to four hours through the day, at once: the hours
    // taken never overlap and each booking holds all its hours.
    let mut tasks = Vec::new();
    for i in 0..40usize {
        let api = staff.clone();
        let start = 8 + (i * 7) % 14;
        let hours = 1 + (i % 4) as u32;
        tasks.push(tokio::spawn(async move {
            api.send_json(
                Method::POST,
                &format!("/api/v1/rooms/{hall}/bookings"),
                booking(i, &format!("2026-12-11T{start:02}:00"), hours),
            )
            .await
        }));
    }
    for t in tasks {
        let (s, r) = t.await.unwrap();
        assert!(
            s == 201 || (s == 409 && r["code"] == "room_taken"),
            "{s} {r}"
        );
    }
    let (s, list) = contact
        .get(&format!(
            "/api/v1/rooms/{hall}/bookings?from=2026-12-11&to=2026-12-11"
        ))
        .await;
    assert_eq!(s, 200, "{list}");
    let items = list["items"].as_array().unwrap();
    assert!(!items.is_empty());
    let mut spans: Vec<(String, String)> = items
        .iter()
        .map(|b| {
            assert_eq!(
                (b["state"].as_str(), b["channel"].as_str()),
                (Some("approved"), Some("operator"))
            );
            (
                b["starts_at"].as_str().unwrap().to_owned(),
                b["ends_at"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    spans.sort();
    for w in spans.windows(2) {
        assert!(w[0].1 <= w[1].0, "overlap: {w:?}");
    }
    let hours_held: i64 = sqlx::query_scalar("SELECT count(*) FROM room_hours WHERE room_id = $1")
        .bind(hall)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let hours_booked: i64 = spans
        .iter()
        .map(|(a, b)| {
            let (a, b) = (
                kernel::time::parse(a).unwrap(),
                kernel::time::parse(b).unwrap(),
            );
            (b - a).num_hours()
        })
        .sum::<i64>()
        + 2;
    assert_eq!(hours_held, hours_booked);

    // Wrong requests say what is wrong and store nothing.
    for (body, status, what) in [
        (booking(0, "2026-12-12T07:00", 2), 422, "hours"),
        (booking(0, "2026-12-12T10:30", 1), 422, "starts_at"),
        (booking(0, "2026-12-12T10:00", 13), 422, "hours"),
        (booking(0, "2026-12-12T23:00", 2), 422, "hours"),
        (booking(0, "2028-12-12T10:00", 1), 422, "starts_at"),
        (
            json!({"name": "", "email": "x", "purpose": " ", "starts_at": "2026-12-12T10:00", "hours": 1}),
            422,
            "name",
        ),
        (booking(0, "2026-11-20T10:00", 1), 409, "closed"),
    ] {
        let (s, r) = staff
            .send_json(
                Method::POST,
                &format!("/api/v1/rooms/{hall}/bookings"),
                body,
            )
            .await;
        let got = r["errors"][0]["field"].as_str().or(r["code"].as_str());
        assert_eq!((s, got), (status, Some(what)), "{r}");
    }
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM room_bookings")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(before as usize, items.len() + 1);
    // A room's own checks: its hours, its name once per entity.
    for (body, field) in [
        (
            json!({"entity_id": id, "name": "Palestra", "opens_at": "08:30"}),
            "opens_at",
        ),
        (
            json!({"entity_id": id, "name": "Palestra", "opens_at": "20:00", "closes_at": "18:00"}),
            "closes_at",
        ),
        (json!({"entity_id": id, "name": "Sala consiliare"}), "name"),
        (
            json!({"entity_id": id, "name": "Palestra", "capacity": -1}),
            "capacity",
        ),
    ] {
        let (s, r) = contact.send_json(Method::POST, "/api/v1/rooms", body).await;
        assert_eq!(
            (s, r["errors"][0]["field"].as_str()),
            (422, Some(field)),
            "{r}"
        );
    }
    let (_, rooms) = contact.get(&format!("/api/v1/entities/{id}/rooms")).await;
    assert_eq!(rooms["items"].as_array().unwrap().len(), 1);
}

/// A client without session that does not follow redirects.
fn citizen() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn ask(app: &TestApp, path: &str, from: &str, to: &str, who: &str) -> (u16, String, String) {
    let email = format!("{}@example.org", who.to_lowercase());
    let r = citizen()
        .post(app.url(path))
        .form(&[
            ("giorno", "2026-12-12"),
            ("dalle", from),
            ("alle", to),
            ("nome", who),
            ("email", email.as_str()),
            ("associazione", "Pro Loco"),
            ("uso", "Assemblea dei soci"),
            ("consenso", "1"),
            ("sito", ""),
        ])
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

async fn a_citizen_asks_for_a_room_and_the_staff_decide(b: Backend) {
    let app = testkit::spawn_app(b).await;
    let (staff, contact, id) = setup(&app).await;
    primary_contact(&staff, id, "segreteria@mezzo.example.it").await;
    let (s, set) = contact
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{id}/portal-settings"),
            json!({"site_url": "https://servizi.mezzo.example.it/"}),
        )
        .await;
    assert_eq!(
        (s, set["site_url"].as_str()),
        (200, Some("https://servizi.mezzo.example.it")),
        "{set}"
    );
    let (s, bad) = contact
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{id}/portal-settings"),
            json!({"site_url": "servizi mezzo"}),
        )
        .await;
    assert_eq!(
        (s, bad["errors"][0]["field"].as_str()),
        (422, Some("site_url")),
        "{bad}"
    );
    let gym = room(&contact, id, "Palestra comunale", true).await;
    let (smtp, run) = mail_out(&app).await;
    // The rooms are part of the appointments module: no module, no page.
    let path = format!("/p/{id}/sale/{gym}");
    assert_eq!(
        citizen().get(app.url(&path)).send().await.unwrap().status(),
        404
    );
    give_module(&app, &staff, id, "appointments", "prenotazioni").await;
    let list = citizen()
        .get(app.url(&format!("/p/{id}/sale")))
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 200);
    let list = list.text().await.unwrap();
    assert!(
        list.contains("Palestra comunale") && list.contains("99 posti"),
        "{list}"
    );
    let day = citizen()
        .get(app.url(&format!("{path}?giorno=2026-12-12")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        day.contains("sabato 12 dicembre 2026") && day.contains("18:00–19:00"),
        "{day}"
    );

    // Days at the ends of the calendar or not days at all: a page, never a failure.
    for q in ["+262142-12-31", "-262143-01-01", "2026-02-30", "domani"] {
        let r = citizen()
            .get(app.url(&format!("{path}?giorno={}", q.replace('+', "%2B"))))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{q}");
    }
    // Anna asks 18–20: it waits for approval and holds its hours.
    let (s, anna, _) = ask(&app, &path, "18", "20", "Anna").await;
    assert_eq!(s, 303, "{anna}");
    let page = citizen()
        .get(app.url(&anna))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("in attesa di approvazione") && page.contains("dalle 18:00 alle 20:00"),
        "{page}"
    );
    // Bruno asks 19–21 and is told the room is taken; 20–22 is free.
    let (s, _, body) = ask(&app, &path, "19", "21", "Bruno").await;
    assert_eq!(s, 409);
    assert!(body.contains("la sala è già riservata"), "{body}");
    let (s, bruno, _) = ask(&app, &path, "20", "22", "Bruno").await;
    assert_eq!(s, 303);
    // Wrong hours are refused with the reason.
    let (s, _, body) = ask(&app, &path, "21", "20", "Carla").await;
    assert_eq!(s, 422);
    assert!(
        body.contains("L&#39;ora di fine deve venire dopo quella d&#39;inizio"),
        "{body}"
    );
    let day = citizen()
        .get(app.url(&format!("{path}?giorno=2026-12-12")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(day.matches("occupata").count(), 4, "{day}");

    // The staff see both waiting, approve Anna's and reject Bruno's; Bruno's hours are free.
    let (_, list) = contact
        .get(&format!(
            "/api/v1/rooms/{gym}/bookings?from=2026-12-12&to=2026-12-12"
        ))
        .await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items
        .iter()
        .all(|b| b["state"] == "requested" && b["channel"] == "web"));
    let (a, b) = (
        items[0]["id"].as_i64().unwrap(),
        items[1]["id"].as_i64().unwrap(),
    );
    let (s, r) = contact
        .send_json(
            Method::POST,
            &format!("/api/v1/room-bookings/{a}/approve"),
            json!({}),
        )
        .await;
    assert_eq!((s, r["state"].as_str()), (200, Some("approved")), "{r}");
    let (s, r) = contact
        .send_json(
            Method::POST,
            &format!("/api/v1/room-bookings/{a}/approve"),
            json!({}),
        )
        .await;
    assert_eq!((s, r["code"].as_str()), (409, Some("closed")), "{r}");
    let (s, r) = contact
        .send_json(
            Method::POST,
            &format!("/api/v1/room-bookings/{b}/reject"),
            json!({"note": "La palestra è chiusa per manutenzione quella sera."}),
        )
        .await;
    assert_eq!((s, r["state"].as_str()), (200, Some("rejected")), "{r}");
    let page = citizen()
        .get(app.url(&bruno))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("respinta") && page.contains("chiusa per manutenzione"),
        "{page}"
    );
    let (s, _, _) = ask(&app, &path, "20", "21", "Carla").await;
    assert_eq!(s, 303);
    // Anna cancels through her link: her hours are free again.
    let r = citizen()
        .post(app.url(&anna))
        .form(&[("x", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("annullata"));
    let (s, _, _) = ask(&app, &path, "18", "19", "Dario").await;
    assert_eq!(s, 303);
    // A wrong code is not found.
    let wrong = format!("{}0", anna.trim_end_matches("?nuova=1"));
    assert_eq!(
        citizen()
            .get(app.url(&wrong))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // The e-mails, through a real SMTP server.
    let sent = run.run_due().await.unwrap();
    let got = smtp.wait_messages(sent).await;
    let mails: Vec<mail::Incoming> = got.iter().map(|raw| mail::parse(raw).unwrap()).collect();
    let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
    for want in [
        "Comune di Mezzo – Palestra comunale: richiesta ricevuta",
        "Comune di Mezzo – Palestra comunale: richiesta approvata",
        "Comune di Mezzo – Palestra comunale: richiesta respinta",
        "Comune di Mezzo – Palestra comunale: prenotazione annullata",
    ] {
        assert!(subjects.contains(&want), "{want} not in {subjects:?}");
    }
    let to_admin = mails
        .iter()
        .filter(|m| m.subject.ends_with("richiesta da approvare"))
        .count();
    assert_eq!(to_admin, 4, "{subjects:?}");
    let first = mails
        .iter()
        .find(|m| m.subject.ends_with("richiesta ricevuta") && m.text.contains("Gentile Anna"))
        .unwrap();
    assert!(
        first.text.contains(&format!(
            "https://servizi.mezzo.example.it{}",
            anna.trim_end_matches("?nuova=1")
        )),
        "{}",
        first.text
    );

    // Past the retention the people are forgotten with their hours; the room stays.
    app.clock.set("2027-04-01T10:00:00Z".parse().unwrap());
    let purged = portal::store::retention::purge(&app.db, app.clock.now())
        .await
        .unwrap();
    assert_eq!(purged.room_bookings, 4);
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM room_hours")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
    let (_, rooms) = contact.get(&format!("/api/v1/entities/{id}/rooms")).await;
    assert_eq!(rooms["items"].as_array().unwrap().len(), 1);
}

async fn the_front_desk_and_the_portal_pages(b: Backend) {
    let app = testkit::spawn_app(b).await;
    let (staff, _, id) = setup(&app).await;
    give_module(&app, &staff, id, "appointments", "prenotazioni").await;
    let br = app.browser("capo").await;
    let desk = format!("/entities/{id}/sportello");
    // An office's week from the form: 8 December is a holiday.
    let (s, page) = br
        .post_follow(
            &format!("{desk}/orario"),
            &[
                ("ufficio", "Anagrafe"),
                ("dal", "2026-12-07"),
                ("al", "2026-12-13"),
                ("lun", "1"),
                ("mar", "1"),
                ("dalle", "09:00"),
                ("alle", "10:00"),
                ("minuti", "20"),
                ("posti", "1"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        page.contains(
            "Orario di «Anagrafe» pubblicato: 3 nuovi appuntamenti, 1 giorno di chiusura saltato."
        ),
        "{page}"
    );
    let (_, page) = br
        .post_follow(
            &format!("{desk}/orario"),
            &[
                ("ufficio", "Anagrafe"),
                ("dalle", "09:00"),
                ("alle", "10:00"),
            ],
        )
        .await;
    assert!(
        page.contains("Scegliere almeno un giorno della settimana."),
        "{page}"
    );
    let (_, page) = br
        .post_follow(
            &format!("{desk}/sale"),
            &[
                ("nome", "Sala consiliare"),
                ("posti", "80"),
                ("apertura", "8"),
                ("chiusura", "23"),
                ("approvazione", "1"),
            ],
        )
        .await;
    assert!(page.contains("Sala «Sala consiliare» aggiunta."), "{page}");
    let (_, page) = br
        .post_follow(
            &format!("{desk}/sale"),
            &[("nome", "Palestra"), ("apertura", "20"), ("chiusura", "18")],
        )
        .await;
    assert!(
        page.contains("La chiusura è un&#39;ora intera dopo l&#39;apertura"),
        "{page}"
    );

    // Someone books Monday at 9:00, someone asks for the hall on Monday evening.
    let (_, slots) = staff.get(&format!("/api/v1/entities/{id}/rooms")).await;
    let hall = slots["items"][0]["id"].as_i64().unwrap();
    let free = sqlx::query_scalar::<_, i64>("SELECT min(id) FROM appointment_slots")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let (s, bk) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/appointment-slots/{free}/bookings"),
            json!({"name": "Elena Ferro", "email": "elena@example.org", "phone": "049 123456", "reason": "Carta d'identità"}),
        )
        .await;
    assert_eq!(s, 201, "{bk}");
    let (s, _, _) = ask_on(
        &app,
        &format!("/p/{id}/sale/{hall}"),
        "2026-12-07",
        "18",
        "20",
        "Gruppo Alpini",
    )
    .await;
    assert_eq!(s, 303);
    for q in ["%2B262142-12-31", "-262143-01-01", "ieri"] {
        assert_eq!(br.get(&format!("{desk}?giorno={q}")).await.0, 200, "{q}");
    }
    let (s, day) = br.get(&format!("{desk}?giorno=2026-12-07")).await;
    assert_eq!(s, 200);
    for want in [
        "lunedì 7 dicembre 2026",
        "Richieste delle sale da decidere",
        "Gruppo Alpini",
        "Elena Ferro",
        "elena@example.org · tel. 049 123456",
        "1 posto libero",
        "Stampa il giorno",
        "18:00–20:00",
    ] {
        assert!(day.contains(want), "{want}: {day}");
    }
    let rid: i64 = sqlx::query_scalar("SELECT id FROM room_bookings")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let (_, page) = br
        .post_follow(
            &format!("/prenotazioni-sale/{rid}/approva"),
            &[("giorno", "2026-12-07")],
        )
        .await;
    assert!(
        page.contains("Prenotazione della sala di Gruppo Alpini: confermata."),
        "{page}"
    );
    assert!(!page.contains("Richieste delle sale da decidere"));
    // Cancelling asks first, then cancels.
    let bid = bk["id"].as_i64().unwrap();
    let (s, ask_first) = br.post(&format!("/prenotazioni/{bid}/annulla"), &[]).await;
    assert_eq!(s, 200);
    assert!(
        ask_first.contains("Annullare l&#39;appuntamento di Elena Ferro?"),
        "{ask_first}"
    );
    let (_, page) = br
        .post_follow(
            &format!("/prenotazioni/{bid}/annulla"),
            &[("confermato", "1"), ("giorno", "2026-12-07")],
        )
        .await;
    assert!(
        page.contains("Appuntamento di Elena Ferro annullato."),
        "{page}"
    );
    let (s, page) = br
        .post(&format!("/prenotazioni-sale/{rid}/annulla"), &[])
        .await;
    assert_eq!(s, 200);
    assert!(
        page.contains("Annullare la prenotazione di Gruppo Alpini?"),
        "{page}"
    );

    // The portal's settings from the page.
    let (s, hub) = br.get(&format!("/entities/{id}/portale")).await;
    assert_eq!(s, 200);
    assert!(hub.contains("Appuntamenti e sale: <a href=\"/p/"), "{hub}");
    let (_, page) = br
        .post_follow(
            &format!("/entities/{id}/portale"),
            &[
                ("conservazione", "30"),
                ("archivio", "12"),
                ("informativa", "I dati servono per la prenotazione."),
                ("sito", "ftp://x"),
            ],
        )
        .await;
    assert!(page.contains("Indicare l&#39;indirizzo del sito"), "{page}");
    let (_, page) = br
        .post_follow(
            &format!("/entities/{id}/portale"),
            &[
                ("conservazione", "30"),
                ("archivio", "12"),
                ("informativa", "I dati servono per la prenotazione."),
                ("sito", "https://servizi.mezzo.example.it"),
            ],
        )
        .await;
    assert!(page.contains("Impostazioni del portale salvate."), "{page}");
    assert!(page.contains("value=\"30\""), "{page}");

    // The logo: a PNG is taken and shown on the public pages; anything else is refused.
    let logo = |bytes: &'static [u8], name: &'static str| {
        let form = reqwest::multipart::Form::new().part(
            "logo",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
        br.http
            .post(format!(
                "{}/entities/{id}/portale/logo?_csrf={}",
                br.base, br.csrf
            ))
            .multipart(form)
            .send()
    };
    let svg: &[u8] = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>";
    assert!(logo(svg, "logo.svg")
        .await
        .unwrap()
        .status()
        .is_redirection());
    let (_, page) = br.get(&format!("/entities/{id}/portale")).await;
    assert!(page.contains("PNG o JPEG"), "{page}");
    assert!(page.contains("portal-error"), "{page}");
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR stemma";
    assert!(logo(png, "stemma.png")
        .await
        .unwrap()
        .status()
        .is_redirection());
    let (_, page) = br.get(&format!("/entities/{id}/portale")).await;
    assert!(
        page.contains("Logo delle pagine pubbliche cambiato."),
        "{page}"
    );
    let home = citizen()
        .get(app.url(&format!("/p/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains(&format!("<img src=\"/p/{id}/logo\"")),
        "{home}"
    );
    let served = citizen()
        .get(app.url(&format!("/p/{id}/logo")))
        .send()
        .await
        .unwrap();
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().as_ref(), png);

    // A call for tender from the page, then a correction that needs its reason.
    let today = app.clock.today().to_string();
    let (s, page) = br
        .post_follow(
            &format!("/entities/{id}/bandi"),
            &[
                ("titolo", "Manutenzione del verde"),
                ("categoria", "servizi"),
                ("pubblicazione", today.as_str()),
                ("scadenza", "2026-12-31"),
                ("ora", "12:00"),
            ],
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        page.contains("Bando registrato.") && page.contains("Manutenzione del verde"),
        "{page}"
    );
    let tid: i64 = sqlx::query_scalar("SELECT id FROM tenders")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let fields = |motivo: &'static str| {
        vec![
            ("titolo", "Manutenzione del verde"),
            ("categoria", "servizi"),
            ("scadenza", "2027-01-15"),
            ("ora", "12:00"),
            ("motivo", motivo),
        ]
    };
    let (_, page) = br.post_follow(&format!("/bandi/{tid}"), &fields("")).await;
    assert!(page.contains("tender-error"), "{page}");
    let (_, page) = br
        .post_follow(&format!("/bandi/{tid}"), &fields("Proroga dei termini"))
        .await;
    assert!(
        page.contains("Rettifica pubblicata con il bando.") && page.contains("Proroga dei termini"),
        "{page}"
    );
    let (_, list) = br.get(&format!("/entities/{id}/bandi")).await;
    assert!(
        list.contains("1 rettifiche") || list.contains("rettifich"),
        "{list}"
    );
}

async fn ask_on(
    app: &TestApp,
    path: &str,
    day: &str,
    from: &str,
    to: &str,
    who: &str,
) -> (u16, String, String) {
    let r = citizen()
        .post(app.url(path))
        .form(&[
            ("giorno", day),
            ("dalle", from),
            ("alle", to),
            ("nome", who),
            ("email", "gruppo@example.org"),
            ("uso", "Riunione"),
            ("consenso", "1"),
        ])
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
