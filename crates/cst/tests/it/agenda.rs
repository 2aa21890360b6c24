//! Shared agendas (issue 15): calendars of an entity's people, invisible to other entities;
//! events repeating in Rome's wall-clock time across the clock changes; invitations by e-mail
//! through a real SMTP server with their iCalendar request, answered by the link and by a
//! calendar program's REPLY; changes and cancellations told to the invitees; the person's feed,
//! expanded by an independent iCalendar implementation (PyPI's recurring-ical-events) to the
//! same occurrences as ours; closed days and deadlines as layers.

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app, Api, Backend};

use crate::delivery::mail_out;

backends!(
    agenda_calendars_events_invitations_and_feed,
    invitation_links_use_the_public_address_not_the_request_host,
);

async fn set_email(app: &testkit::TestApp, username: &str, email: &str, name: &str) {
    sqlx::query("UPDATE users SET email = $1, full_name = $2 WHERE username = $3")
        .bind(email)
        .bind(name)
        .bind(username)
        .execute(app.db.pool())
        .await
        .unwrap();
}

fn link_in(text: &str) -> String {
    let at = text.find("/agenda/invito/").expect("link in the e-mail");
    let rest = &text[at..];
    rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())].to_owned()
}

async fn agenda_of(api: &Api, e: i64, q: &str) -> Vec<Value> {
    let (s, d) = api.get(&format!("/api/v1/entities/{e}/agenda?{q}")).await;
    assert_eq!(s, 200, "{d}");
    d["items"].as_array().unwrap().clone()
}

async fn agenda_calendars_events_invitations_and_feed(b: Backend) {
    let app = spawn_app(b).await;
    let staff = app.api(&app.user("capo", "admin", &[]).await).await;
    let mut ids = vec![];
    for n in ["Comune di Teolo", "Comune di Vò"] {
        let (s, e) = staff
            .send_json(Method::POST, "/api/v1/entities", json!({"name": n}))
            .await;
        assert_eq!(s, 201, "{e}");
        ids.push(e["id"].as_i64().unwrap());
    }
    let (a, other) = (ids[0], ids[1]);
    let sindaco = app.user("sindaco", "contact", &[a]).await;
    let segretaria = app.user("segretaria", "contact", &[a]).await;
    let estraneo = app.user("estraneo", "contact", &[other]).await;
    set_email(&app, "sindaco", "sindaco@comune.teolo.pd.it", "Mario Rossi").await;
    set_email(
        &app,
        "segretaria",
        "segreteria@comune.teolo.pd.it",
        "Anna Bianchi",
    )
    .await;
    let ca = app.api(&sindaco).await;
    let cb = app.api(&estraneo).await;

    // Calendars: one person's, one group's; wrong ones refused by field.
    let (s, d) = ca.get(&format!("/api/v1/entities/{a}/calendars")).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["people"].as_array().unwrap().len(), 2, "{d}");
    let (s, mine) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{a}/calendars"),
            json!({"name": "Sindaco", "kind": "person", "owner_id": sindaco.id}),
        )
        .await;
    assert_eq!(s, 201, "{mine}");
    let (s, giunta) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{a}/calendars"),
            json!({"name": "Giunta", "kind": "group", "members": [sindaco.id, segretaria.id]}),
        )
        .await;
    assert_eq!(s, 201, "{giunta}");
    assert_eq!(giunta["members"].as_array().unwrap().len(), 2);
    let giunta_id = giunta["id"].as_i64().unwrap();
    for (body, field) in [
        (json!({"name": "X", "kind": "persona"}), "kind"),
        (
            json!({"name": "X", "kind": "person", "owner_id": estraneo.id}),
            "owner_id",
        ),
        (
            json!({"name": "X", "kind": "group", "members": [estraneo.id]}),
            "members",
        ),
        (json!({"name": "", "kind": "group"}), "name"),
    ] {
        let (s, r) = ca
            .send_json(
                Method::POST,
                &format!("/api/v1/entities/{a}/calendars"),
                body,
            )
            .await;
        assert_eq!(s, 422, "{r}");
        assert_eq!(r["errors"][0]["field"], field, "{r}");
    }
    let (s, r) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{a}/calendars"),
            json!({"name": "giunta", "kind": "group"}),
        )
        .await;
    assert_eq!(
        (s, r["code"].as_str()),
        (409, Some("calendar_conflict")),
        "{r}"
    );
    // Nothing refused was stored.
    let (_, d) = ca.get(&format!("/api/v1/entities/{a}/calendars")).await;
    assert_eq!(d["items"].as_array().unwrap().len(), 2, "{d}");
    // Another entity finds nothing.
    let (s, r) = cb.get(&format!("/api/v1/calendars/{giunta_id}")).await;
    assert_eq!(
        (s, r["code"].as_str()),
        (404, Some("calendar_not_found")),
        "{r}"
    );
    let (s, _) = cb.get(&format!("/api/v1/entities/{a}/agenda")).await;
    assert_eq!(s, 404);

    // A weekly meeting on Tuesdays at 9:00, 4 times, across the start of summer time (28 March
    // 2027); 6 April is left out.
    let (s, ev) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/calendars/{giunta_id}/events"),
            json!({
            "title": "Giunta comunale", "place": "Sala consiliare", "starts": "2027-03-16T09:00",
            "ends": "2027-03-16T10:30", "repeat": "FREQ=WEEKLY;COUNT=5", "except": ["2027-04-06"]}),
        )
        .await;
    assert_eq!(s, 201, "{ev}");
    let ev_id = ev["id"].as_i64().unwrap();
    assert_eq!(ev["repeat_text"], "ogni settimana, 5 volte");
    assert_eq!(ev["organiser_email"], "sindaco@comune.teolo.pd.it");
    for (body, field) in [
        (
            json!({"title": "x", "starts": "2027-03-16T09:00", "ends": "2027-03-16T08:00"}),
            "ends",
        ),
        (
            json!({"title": "x", "starts": "16/03/2027", "ends": "2027-03-16T08:00"}),
            "starts",
        ),
        (
            json!({"title": "x", "starts": "2027-03-16T09:00", "ends": "2027-03-16T10:00", "repeat": "FREQ=HOURLY"}),
            "repeat",
        ),
        (
            json!({"title": "", "starts": "2027-03-16T09:00", "ends": "2027-03-16T10:00"}),
            "title",
        ),
        (
            json!({"title": "x", "starts": "2027-03-16T09:00", "ends": "2027-03-16T10:00",
                   "repeat": "FREQ=DAILY", "except": vec!["2027-03-17"; 400]}),
            "except",
        ),
    ] {
        let (s, r) = ca
            .send_json(
                Method::POST,
                &format!("/api/v1/calendars/{giunta_id}/events"),
                body,
            )
            .await;
        assert_eq!(s, 422, "{r}");
        assert!(
            r["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{r}"
        );
    }
    let (s, _) = cb
        .send_json(
            Method::POST,
            &format!("/api/v1/calendars/{giunta_id}/events"),
            json!({"title": "x", "starts": "2027-03-16T09:00", "ends": "2027-03-16T10:00"}),
        )
        .await;
    assert_eq!(s, 404);

    let items = agenda_of(&ca, a, "from=2027-03-01&to=2027-04-30&layers=events").await;
    let starts: Vec<&str> = items
        .iter()
        .map(|i| i["starts"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2027-03-16T09:00:00+01:00",
            "2027-03-23T09:00:00+01:00",
            "2027-03-30T09:00:00+02:00",
            "2027-04-13T09:00:00+02:00"
        ],
        "{items:?}"
    );
    assert_eq!(items[2]["ends"], "2027-03-30T10:30:00+02:00");
    // The closed days: Easter Monday 2027 is 29 March.
    let closed = agenda_of(&ca, a, "from=2027-03-01&to=2027-04-30&layers=closures").await;
    assert!(
        closed
            .iter()
            .any(|i| i["starts"] == "2027-03-29" && i["kind"] == "closure"),
        "{closed:?}"
    );
    let (s, r) = ca
        .get(&format!(
            "/api/v1/entities/{a}/agenda?from=2027-01-01&to=2029-01-01"
        ))
        .await;
    assert_eq!(s, 422, "{r}");
    let (s, r) = ca
        .get(&format!("/api/v1/entities/{a}/agenda?layers=meteo"))
        .await;
    assert_eq!(s, 422, "{r}");

    // Deadlines appear as a layer.
    let (s, d) = staff
        .send_json(
            Method::POST,
            "/api/v1/deadlines",
            json!({"entity_id": a, "title": "Rinnovo dominio", "due_on": "2027-03-31"}),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    let dl = agenda_of(&ca, a, "from=2027-03-01&to=2027-04-30&layers=deadlines").await;
    assert!(
        dl.iter()
            .any(|i| i["kind"] == "deadline"
                && i["title"].as_str().unwrap().contains("Rinnovo dominio")),
        "{dl:?}"
    );

    // Invitations: a colleague and someone outside, by e-mail with the request.
    let (s, r) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/agenda-events/{ev_id}/invitations"),
            json!({"invitees": [{"email": "non-un-indirizzo"}]}),
        )
        .await;
    assert_eq!(s, 422, "{r}");
    let (s, inv) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/agenda-events/{ev_id}/invitations"),
            json!({"invitees": [{"email": "Segreteria@comune.teolo.pd.it", "name": "Anna Bianchi"},
                                {"email": "assessore@example.org", "name": "Luca Verdi"}]}),
        )
        .await;
    assert_eq!(s, 200, "{inv}");
    assert_eq!(inv["invitations"].as_array().unwrap().len(), 2);
    let (s, r) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/agenda-events/{ev_id}/invitations"),
            json!({"invitees": [{"email": "assessore@example.org"}]}),
        )
        .await;
    assert_eq!(s, 409, "{r}");
    let (smtp, run) = mail_out(&app).await;
    let sent = run.run_due().await.unwrap();
    assert_eq!(sent, 2);
    let got = smtp.wait_messages(2).await;
    let mails: Vec<mail::Incoming> = got.iter().map(|r| mail::parse(r).unwrap()).collect();
    let at = got
        .iter()
        .position(|raw| String::from_utf8_lossy(raw).contains("To: assessore@example.org"))
        .expect("the invitation to the outside person");
    let to_outside = &mails[at];
    assert!(
        to_outside.subject.starts_with("Invito: Giunta comunale"),
        "{}",
        to_outside.subject
    );
    let ics = to_outside
        .calendar
        .clone()
        .expect("the request travels with the e-mail");
    assert!(
        ics.contains("METHOD:REQUEST") && ics.contains("RRULE:FREQ=WEEKLY;COUNT=5"),
        "{ics}"
    );
    assert!(
        ics.contains("DTSTART;TZID=Europe/Rome:20270316T090000"),
        "{ics}"
    );
    assert!(
        ics.contains("EXDATE;TZID=Europe/Rome:20270406T090000"),
        "{ics}"
    );
    assert!(to_outside
        .attachments
        .iter()
        .any(|f| f.filename == "invito.ics"));

    // The outside person answers by the link (no login).
    let link = link_in(&to_outside.text);
    let anon = Anon {
        base: app.url(""),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    };
    let (s, page) = anon.get(&link).await;
    assert_eq!(s, 200);
    assert!(page.contains("Giunta comunale") && page.contains("In attesa di risposta"));
    let (s, _) = anon.post_form(&link, &[("risposta", "boh")]).await;
    assert_eq!(s, 422);
    let (s, _) = anon
        .post_form(
            &link,
            &[("risposta", "si"), ("commento", "Arrivo alle 9:15")],
        )
        .await;
    assert_eq!(s, 303);
    let (s, _) = anon.get("/agenda/invito/inv_nonesiste").await;
    assert_eq!(s, 404);
    // The colleague answers from her calendar program (an iMIP REPLY), from her own address.
    let reply = "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:UID_HERE\r\n\
ATTENDEE;PARTSTAT=DECLINED;CN=Anna Bianchi:mailto:segreteria@comune.teolo.pd.it\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        .replace("UID_HERE", ev["uid"].as_str().unwrap());
    let wrong = agenda::store::invitations::answer_by_mail(&app.db, "altro@example.org", &reply)
        .await
        .unwrap();
    assert!(wrong.is_none(), "only the invitee's own address answers");
    let raw = format!(
        "From: Anna Bianchi <segreteria@comune.teolo.pd.it>\r\nTo: servizi@cst.example.it\r\nSubject: Rifiutato: Giunta comunale\r\nMessage-ID: <r1@comune.teolo.pd.it>\r\nMIME-Version: 1.0\r\nContent-Type: text/calendar; method=REPLY; charset=utf-8\r\n\r\n{reply}"
    );
    let outcome = helpdesk::email::accept(&app.db, raw.as_bytes(), chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(outcome, helpdesk::email::Outcome::AgendaReply);
    let (_, ev2) = ca.get(&format!("/api/v1/agenda-events/{ev_id}")).await;
    let answers: Vec<(&str, &str)> = ev2["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["email"].as_str().unwrap(), i["answer"].as_str().unwrap()))
        .collect();
    assert_eq!(
        answers,
        [
            ("segreteria@comune.teolo.pd.it", "declined"),
            ("assessore@example.org", "accepted")
        ]
    );
    assert_eq!(ev2["invitations"][1]["comment"], "Arrivo alle 9:15");
    // The organiser was told of both answers.
    let sent = run.run_due().await.unwrap();
    assert_eq!(sent, 2);
    let told = smtp.wait_messages(4).await;
    let subjects: Vec<String> = told[2..]
        .iter()
        .map(|r| mail::parse(r).unwrap().subject)
        .collect();
    assert!(
        subjects
            .iter()
            .all(|s| s.starts_with("Risposta all'invito: Giunta comunale")),
        "{subjects:?}"
    );

    // A change: a stale version is refused; the invitees get the new request and answer again.
    let change = json!({"title": "Giunta comunale", "place": "Sala consiliare", "starts": "2027-03-16T09:30",
        "ends": "2027-03-16T11:00", "repeat": "FREQ=WEEKLY;COUNT=5", "except": ["2027-04-06"], "version": 0});
    let (s, r) = ca
        .send_json(
            Method::PUT,
            &format!("/api/v1/agenda-events/{ev_id}"),
            change.clone(),
        )
        .await;
    assert_eq!((s, r["code"].as_str()), (409, Some("edit_conflict")), "{r}");
    let mut change = change;
    change["version"] = ev2["version"].clone();
    let (s, ev3) = ca
        .send_json(
            Method::PUT,
            &format!("/api/v1/agenda-events/{ev_id}"),
            change,
        )
        .await;
    assert_eq!(s, 200, "{ev3}");
    assert!(ev3["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["answer"] == "pending"));
    let sent = run.run_due().await.unwrap();
    assert_eq!(sent, 2);
    let changed = smtp.wait_messages(6).await;
    let m = mail::parse(&changed[4]).unwrap();
    assert!(
        m.subject.starts_with("Appuntamento modificato"),
        "{}",
        m.subject
    );
    assert!(m.calendar.unwrap().contains("SEQUENCE:1"));
    let (s, _) = anon.get(&link).await;
    assert_eq!(s, 404, "the old link no longer works");

    // The person's feed: the group's events reach a member; an independent reader expands it
    // to the same occurrences.
    let seg = app.api(&segretaria).await;
    let (s, f) = seg
        .send_json(Method::POST, "/api/v1/calendar-feed", json!({}))
        .await;
    assert_eq!(s, 201, "{f}");
    let path = f["path"]
        .as_str()
        .unwrap()
        .replace("/calendar/", "/agenda/feed/");
    let (s, feed) = anon.get(&path).await;
    assert_eq!(s, 200);
    assert!(
        feed.contains("BEGIN:VTIMEZONE") && feed.contains("SUMMARY:Giunta comunale"),
        "{feed}"
    );
    let ours: Vec<String> = agenda_of(&ca, a, "from=2027-03-01&to=2027-05-01&layers=events")
        .await
        .iter()
        .map(|i| i["starts"].as_str().unwrap().to_owned())
        .collect();
    let theirs = expand_with_python(&feed, "2027-03-01", "2027-05-01");
    assert_eq!(theirs, ours);
    assert_eq!(ours[2], "2027-03-30T09:30:00+02:00");
    let (s, _) = anon.get("/agenda/feed/cal_nonesiste.ics").await;
    assert_eq!(s, 404);

    // Cancelled: the invitees are told, the occurrences go.
    let (s, c) = ca
        .send_json(
            Method::POST,
            &format!("/api/v1/agenda-events/{ev_id}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!((s, c["cancelled"].as_bool()), (200, Some(true)), "{c}");
    assert_eq!(run.run_due().await.unwrap(), 2);
    let all = smtp.wait_messages(8).await;
    let m = mail::parse(&all[7]).unwrap();
    assert!(
        m.subject.starts_with("Appuntamento annullato"),
        "{}",
        m.subject
    );
    assert!(m.calendar.unwrap().contains("METHOD:CANCEL"));
    assert!(
        agenda_of(&ca, a, "from=2027-03-01&to=2027-05-01&layers=events")
            .await
            .is_empty()
    );

    // A calendar with events is not deleted; an empty one is.
    let (s, r) = ca
        .request(Method::DELETE, &format!("/api/v1/calendars/{giunta_id}"))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(s, 409, "{r:?}");
    let mine_id = mine["id"].as_i64().unwrap();
    let (s, _) = cb
        .request(Method::DELETE, &format!("/api/v1/calendars/{mine_id}"))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(s, 404);
    let (s, _) = ca
        .request(Method::DELETE, &format!("/api/v1/calendars/{mine_id}"))
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(s, 204);
}

/// A visitor without a login (redirects not followed).
struct Anon {
    base: String,
    http: reqwest::Client,
}

impl Anon {
    async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
    async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }
}

/// The feed's occurrences starting in `[from, to)` as PyPI's recurring-ical-events expands
/// them, RFC 3339 in Rome.
fn expand_with_python(feed: &str, from: &str, to: &str) -> Vec<String> {
    let python =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ical-venv/bin/python");
    let script = format!(
        "import sys, icalendar, recurring_ical_events, datetime\n\
cal = icalendar.Calendar.from_ical(sys.stdin.read())\n\
evs = recurring_ical_events.of(cal).between(datetime.date.fromisoformat('{from}'), datetime.date.fromisoformat('{to}'))\n\
for s in sorted(e['DTSTART'].dt.isoformat() for e in evs): print(s)\n"
    );
    let mut child = std::process::Command::new(&python)
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run scripts/install-test-deps.sh)",
                python.display()
            )
        });
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(feed.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// With the site's public address set, an invitation's link uses it, whatever `Host` the
/// request that sent it named (a client could name any).
async fn invitation_links_use_the_public_address_not_the_request_host(b: Backend) {
    let app = testkit::spawn_app_with(
        b,
        web::WebConfig {
            public_url: Some("https://cst.provincia.padova.it".into()),
            ..Default::default()
        },
    )
    .await;
    let staff = app.api(&app.user("capo", "admin", &[]).await).await;
    let (_, e) = staff
        .send_json(
            Method::POST,
            "/api/v1/entities",
            json!({"name": "Comune di Teolo"}),
        )
        .await;
    let (_, c) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{}/calendars", e["id"]),
            json!({"name": "Giunta", "kind": "group"}),
        )
        .await;
    let (s, ev) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/calendars/{}/events", c["id"]),
            json!({"title": "Giunta", "starts": "2027-03-16T09:00", "ends": "2027-03-16T10:00"}),
        )
        .await;
    assert_eq!(s, 201, "{ev}");
    let r = staff
        .request(
            Method::POST,
            &format!("/api/v1/agenda-events/{}/invitations", ev["id"]),
        )
        .header("host", "phishing.example.com")
        .json(&json!({"invitees": [{"email": "assessore@example.org"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let payload: String = sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = 'mail.send'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(
        payload.contains("https://cst.provincia.padova.it/agenda/invito/inv_"),
        "{payload}"
    );
    assert!(!payload.contains("phishing"), "{payload}");
    // The same person invited from two pages at once: one invitation, the other refused.
    let path = format!("/api/v1/agenda-events/{}/invitations", ev["id"]);
    let twice = || {
        staff.send_json(
            Method::POST,
            &path,
            json!({"invitees": [{"email": "sindaco.vicario@example.org"}]}),
        )
    };
    let ((s1, _), (s2, _)) = tokio::join!(twice(), twice());
    let mut got = [s1, s2];
    got.sort_unstable();
    assert_eq!(got, [200, 409]);
}
