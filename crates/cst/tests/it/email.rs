//! The help desk's e-mail against real servers: aiosmtpd for SMTP, Dovecot for IMAP (started
//! by `testkit::mailservers`). Acknowledgement and take-charge mails, replies by header and
//! by subject, de-duplication by Message-ID, at-least-once fetching, unknown senders kept, and
//! the outbound queue surviving a restart.

use std::sync::Arc;
use std::time::Duration;

use mail::imap::ImapConfig;
use reqwest::Method;
use serde_json::json;
use testkit::mailservers::{ImapServer, SmtpServer};
use testkit::{backends, spawn_app, Backend};

backends!(
    acknowledgement_take_charge_and_replies_by_mail,
    the_outbound_queue_retries_and_survives_a_restart,
    cst_serve_fetches_and_sends_the_help_desk_mail,
    a_mail_with_more_files_than_a_ticket_holds_is_still_accepted
);

fn runner(db: &db::Db, smtp_url: &str, retry: worker::Retry) -> worker::Runner {
    let sender = Arc::new(
        mail::Sender::new(smtp_url, "Assistenza CST <assistenza@cst.example.it>", None).unwrap(),
    );
    worker::Runner::new(db.clone()).handle(mail::SEND_JOB, retry, sender.handler())
}

fn header<'a>(raw: &'a str, name: &str) -> &'a str {
    raw.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or("")
        .trim()
}

async fn contact_with_email(
    app: &testkit::TestApp,
    username: &str,
    email: &str,
    entity: i64,
) -> accounts::User {
    accounts::store::create(
        &app.db,
        &kernel::Actor::system("test"),
        &accounts::NewUser {
            username: username.into(),
            full_name: format!("Referente {username}"),
            email: email.into(),
            role: "contact".into(),
            password: testkit::PASSWORD.into(),
            entity_ids: vec![entity],
        },
    )
    .await
    .unwrap()
}

async fn thread(app: &testkit::TestApp, id: i64) -> Vec<helpdesk::store::Message> {
    helpdesk::store::messages(&app.db, &kernel::Actor::system("t"), id)
        .await
        .unwrap()
}

async fn acknowledgement_take_charge_and_replies_by_mail(b: Backend) {
    let app = spawn_app(b).await;
    let smtp = SmtpServer::start().await;
    let imap = ImapServer::start().await;
    let cfg = ImapConfig::from_url(&imap.url()).unwrap();
    let abano = app.entity("Comune di Abano Terme", None).await;
    let other = app.entity("Comune di Altrove", None).await;
    let ref_user =
        contact_with_email(&app, "referente", "Referente@Abano.example.it", abano.id).await;
    let op = app.user("giulia", "operator", &[]).await;
    let contact_api = app.api(&ref_user).await;
    let op_api = app.api(&op).await;
    let run = runner(&app.db, &smtp.url(), mail::smtp::retry());

    // The contact opens a ticket from the portal: the acknowledgement goes to their address.
    let (s, t) = contact_api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            json!({"entity_id": abano.id, "subject": "Stampante bloccata",
            "description": "Non stampa", "priority": "medium", "channel": "portal"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let number = t["number"].as_str().unwrap().to_owned();
    let id = t["id"].as_i64().unwrap();
    assert_eq!(t["requester_email"], "referente@abano.example.it");
    assert_eq!(run.run_due().await.unwrap(), 1);
    let got = smtp.wait_messages(1).await;
    let ack = String::from_utf8_lossy(&got[0]).into_owned();
    assert_eq!(header(&ack, "To"), "referente@abano.example.it");
    assert_eq!(
        header(&ack, "Subject"),
        format!("[Ticket {number}] Stampante bloccata")
    );
    let ack_text = mail::parse(&got[0]).unwrap().text;
    assert!(
        ack_text.contains(&format!("con il numero {number}")),
        "{ack_text}"
    );
    assert!(ack_text.contains("Priorità: Media"), "{ack_text}");
    assert!(
        ack_text.contains("Sarà presa in carico entro: "),
        "{ack_text}"
    );

    // An operator takes charge: the second mail names them and threads after the first.
    let (s, _) = op_api
        .send_json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/take-charge"),
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(run.run_due().await.unwrap(), 1);
    let got = smtp.wait_messages(2).await;
    let taken = String::from_utf8_lossy(&got[1]).into_owned();
    let taken_text = mail::parse(&got[1]).unwrap().text;
    assert!(
        taken_text.contains("presa in carico da Utente giulia"),
        "the operator is named: {taken_text}"
    );
    let ack_id = header(&ack, "Message-ID").to_owned();
    let taken_id = header(&taken, "Message-ID").to_owned();
    assert!(ack_id.ends_with("@cst.example.it>"), "{ack_id}");
    assert_eq!(header(&taken, "In-Reply-To"), ack_id);

    // Mail arrives in the help-desk mailbox:
    // 1. a reply matched by In-Reply-To (its subject has no number);
    let reply_by_header = format!(
        "From: Mario Rossi <referente@abano.example.it>\r\nTo: assistenza@cst.example.it\r\n\
         Subject: Re: la stampante\r\nMessage-ID: <r1@abano.example.it>\r\nIn-Reply-To: {taken_id}\r\n\
         References: {ack_id} {taken_id}\r\n\r\nHo riavviato, ora lampeggia.\r\n"
    );
    // 2. a reply matched by the number in the subject only;
    let reply_by_subject = format!(
        "From: referente@abano.example.it\r\nSubject: R: [Ticket {number}] Stampante bloccata\r\n\
         Message-ID: <r2@abano.example.it>\r\n\r\nE adesso stampa.\r\n"
    );
    // 3. the same message again (a client that sent it twice);
    // 4. a new request from the contact, with an attachment: a new ticket of their entity;
    let new_request = "From: referente@abano.example.it\r\nSubject: Caselle PEC piene\r\n\
         Message-ID: <n1@abano.example.it>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         La casella protocollo è piena.\r\n--x\r\nContent-Type: image/png\r\n\
         Content-Disposition: attachment; filename=\"../schermata.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         iVBORw0KGgo=\r\n--x--\r\n";
    // 5. a stranger replying to the ticket, and 6. a stranger writing: kept for an operator.
    let stranger_reply = format!(
        "From: curioso@altrove.example.it\r\nSubject: Re: [Ticket {number}] Stampante bloccata\r\n\
         Message-ID: <s1@altrove.example.it>\r\n\r\nPosso vedere?\r\n"
    );
    let stranger = "From: nessuno@example.org\r\nSubject: Offerta\r\nMessage-ID: <s2@example.org>\r\n\r\nCompri!\r\n";
    for raw in [
        reply_by_header.as_str(),
        reply_by_subject.as_str(),
        reply_by_subject.as_str(),
        new_request,
        stranger_reply.as_str(),
        stranger,
    ] {
        mail::imap::append(&cfg, raw.as_bytes()).await.unwrap();
    }
    assert_eq!(mail::imap::count(&cfg).await.unwrap(), 6);

    // If the help desk cannot commit, nothing leaves the mailbox.
    let r = mail::imap::poll_once(&cfg, 100, |_| async {
        Err("database non raggiungibile".to_owned())
    })
    .await
    .unwrap();
    assert_eq!((r.fetched, r.accepted, r.left), (6, 0, 6));
    assert_eq!(mail::imap::count(&cfg).await.unwrap(), 6);

    // A crash after committing but before removing: the message is taken once anyway.
    let outcome = helpdesk::email::accept(&app.db, reply_by_header.as_bytes(), app.clock.now())
        .await
        .unwrap();
    assert_eq!(
        outcome,
        helpdesk::email::Outcome::Reply {
            number: number.clone()
        }
    );

    let r = helpdesk::email::poll(&app.db, &cfg, app.clock.now())
        .await
        .unwrap();
    assert_eq!((r.fetched, r.accepted, r.left), (6, 6, 0));
    assert_eq!(
        mail::imap::count(&cfg).await.unwrap(),
        0,
        "all taken, all removed"
    );

    let msgs = thread(&app, id).await;
    let bodies: Vec<&str> = msgs.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        ["Ho riavviato, ora lampeggia.", "E adesso stampa."],
        "each reply once"
    );
    assert_eq!(msgs[0].author, "Mario Rossi <referente@abano.example.it>");
    assert!(!msgs[0].internal);

    // The new request became a ticket of Abano, by e-mail, acknowledged to the sender.
    let (s, list) = op_api
        .get(&format!("/api/v1/tickets?entity_id={}", abano.id))
        .await;
    assert_eq!(s, 200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let pec = items
        .iter()
        .find(|t| t["subject"] == "Caselle PEC piene")
        .unwrap();
    assert_eq!(pec["channel"], "email");
    assert_eq!(pec["requester_email"], "referente@abano.example.it");
    assert!(pec["description"]
        .as_str()
        .unwrap()
        .contains("casella protocollo"));
    let pec_id = pec["id"].as_i64().unwrap();
    let (s, files) = op_api
        .get(&format!("/api/v1/tickets/{pec_id}/attachments"))
        .await;
    assert_eq!(s, 200, "{files}");
    assert_eq!(
        files["items"][0]["filename"], "schermata.png",
        "no path from a sender"
    );
    assert_eq!(files["items"][0]["content_type"], "image/png");
    assert_eq!(files["items"][0]["size"], 8);
    let r = op_api
        .request(
            Method::GET,
            &format!(
                "/api/v1/tickets/{pec_id}/attachments/{}",
                files["items"][0]["id"]
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"\x89PNG\r\n\x1a\n");

    // Nothing for the other entity; the strangers are kept with the reason.
    let (_, list) = op_api
        .get(&format!("/api/v1/tickets?entity_id={}", other.id))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    let kept = helpdesk::email::unmatched(&app.db, &kernel::Actor::system("t"), 10)
        .await
        .unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().any(|k| k.from_address == "nessuno@example.org"
        && k.reason.contains("non è il referente di alcun ente")
        && k.body.contains("Compri!")));
    assert!(kept
        .iter()
        .any(|k| k.from_address == "curioso@altrove.example.it" && k.reason.contains(&number)));

    // An operator turns the stranger's mail into a ticket of the entity it concerns: the sender
    // is the requester; the same mail cannot be assigned twice.
    let stranger_id = kept
        .iter()
        .find(|k| k.from_address == "nessuno@example.org")
        .unwrap()
        .id;
    let br = app.browser("giulia").await;
    let (s, html) = br
        .post_follow(
            &format!("/helpdesk/mail/{stranger_id}/ticket"),
            &[("entity_id", &other.id.to_string()), ("priority", "low")],
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        html.contains("Offerta") && html.contains("Comune di Altrove"),
        "{html}"
    );
    assert!(
        html.contains("nessuno@example.org"),
        "the sender is the requester"
    );
    let (_, html) = br
        .post_follow(
            &format!("/helpdesk/mail/{stranger_id}/ticket"),
            &[("entity_id", &other.id.to_string()), ("priority", "low")],
        )
        .await;
    assert!(html.contains("già stato assegnato a un ticket"), "{html}");
    let (_, list) = op_api
        .get(&format!("/api/v1/tickets?entity_id={}", other.id))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["channel"], "email");
    assert_eq!(
        helpdesk::email::unmatched(&app.db, &kernel::Actor::system("t"), 10)
            .await
            .unwrap()
            .len(),
        1
    );

    // Every change is in the audit chain, which still verifies.
    db::audit::verify(&app.db).await.unwrap();
    // The acknowledgements of the e-mailed ticket and of the assigned mail are queued too.
    assert_eq!(run.run_due().await.unwrap(), 2);
    let got = smtp.wait_messages(4).await;
    let subjects: Vec<String> = got[2..]
        .iter()
        .map(|r| mail::parse(r).unwrap().subject)
        .collect();
    assert!(
        subjects.iter().any(|s| s.ends_with("] Caselle PEC piene")),
        "{subjects:?}"
    );
    assert!(
        subjects.iter().any(|s| s.ends_with("] Offerta")),
        "{subjects:?}"
    );

    // An out-of-office answer to our mail is not the entity replying: kept, the thread unchanged.
    let ooo = format!(
        "From: referente@abano.example.it\r\nSubject: Fuori ufficio: [Ticket {number}] Stampante bloccata\r\n\
         Message-ID: <ooo1@abano.example.it>\r\nIn-Reply-To: {taken_id}\r\nAuto-Submitted: auto-replied\r\n\r\n\
         Sono in ferie fino a lunedi.\r\n"
    );
    let outcome = helpdesk::email::accept(&app.db, ooo.as_bytes(), app.clock.now())
        .await
        .unwrap();
    assert!(
        matches!(&outcome, helpdesk::email::Outcome::Unmatched { reason } if reason.contains("risposta automatica")),
        "{outcome:?}"
    );
    assert_eq!(thread(&app, id).await.len(), 2);
    // Without a receiving server to believe, e-mailed replies are marked as not verified.
    assert!(thread(&app, id).await.iter().all(|m| m.unverified_sender));

    // With our server's authserv-id: a sender it found forged is kept for an operator; its
    // "pass" counts, a "pass" written by anyone else does not.
    let ours = Some("mx.cst.example.it");
    let reply = |n: &str, results: &str| {
        format!(
            "Authentication-Results: {results}\r\nFrom: referente@abano.example.it\r\n\
             Subject: Re: [Ticket {number}] Stampante bloccata\r\nMessage-ID: <auth{n}@abano.example.it>\r\n\
             In-Reply-To: {taken_id}\r\n\r\nRisposta {n}.\r\n"
        )
    };
    let forged = reply("1", "mx.cst.example.it; spf=fail smtp.mailfrom=abano.example.it; dmarc=fail header.from=abano.example.it");
    let outcome =
        helpdesk::email::accept_trusting(&app.db, ours, forged.as_bytes(), app.clock.now())
            .await
            .unwrap();
    assert!(
        matches!(&outcome, helpdesk::email::Outcome::Unmatched { reason } if reason.contains("non ha autenticato il mittente (SPF, DMARC")),
        "{outcome:?}"
    );
    let claimed = reply(
        "2",
        "mx.evil.example; dmarc=pass header.from=abano.example.it",
    );
    let outcome =
        helpdesk::email::accept_trusting(&app.db, ours, claimed.as_bytes(), app.clock.now())
            .await
            .unwrap();
    assert!(
        matches!(outcome, helpdesk::email::Outcome::Reply { .. }),
        "{outcome:?}"
    );
    let genuine = reply("3", "mx.cst.example.it; dkim=pass header.d=abano.example.it; dmarc=pass header.from=abano.example.it");
    let outcome =
        helpdesk::email::accept_trusting(&app.db, ours, genuine.as_bytes(), app.clock.now())
            .await
            .unwrap();
    assert!(
        matches!(outcome, helpdesk::email::Outcome::Reply { .. }),
        "{outcome:?}"
    );
    let marks: Vec<(String, bool)> = thread(&app, id)
        .await
        .into_iter()
        .skip(2)
        .map(|m| (m.body, m.unverified_sender))
        .collect();
    assert_eq!(
        marks,
        [
            ("Risposta 2.".to_owned(), true),
            ("Risposta 3.".to_owned(), false)
        ]
    );
    let (_, shown) = op_api.get(&format!("/api/v1/tickets/{id}/messages")).await;
    assert_eq!(shown["items"][2]["unverified_sender"], true, "{shown}");

    // Resolved, and the warranty over: a reply by e-mail is new work, a new ticket naming it
    // (a reply within the warranty reopens the ticket: tests/it/tickets.rs).
    for st in ["resolved", "closed"] {
        let (s, _) = op_api
            .send_json(
                Method::POST,
                &format!("/api/v1/tickets/{id}/state"),
                json!({"state": st, "note": "Risolto."}),
            )
            .await;
        assert_eq!(s, 200);
    }
    // Three weeks later the 10 working days of warranty are over.
    app.clock.advance(chrono::Duration::days(21));
    let late = format!(
        "From: referente@abano.example.it\r\nSubject: Re: [Ticket {number}] Stampante bloccata\r\n\
         Message-ID: <r3@abano.example.it>\r\nIn-Reply-To: {taken_id}\r\n\r\nSi è bloccata di nuovo.\r\n"
    );
    let outcome = helpdesk::email::accept(&app.db, late.as_bytes(), app.clock.now())
        .await
        .unwrap();
    let helpdesk::email::Outcome::Ticket { number: follow } = outcome else {
        panic!("a new ticket expected, got {outcome:?}");
    };
    assert_ne!(follow, number);
    let (_, list) = op_api
        .get(&format!("/api/v1/tickets?entity_id={}", abano.id))
        .await;
    let f = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["number"] == follow.as_str())
        .unwrap();
    assert_eq!(
        f["subject"],
        format!(
            "Seguito di {number} (garanzia terminata): Re: [Ticket {number}] Stampante bloccata"
        )
    );
    assert_eq!(
        thread(&app, id).await.len(),
        // Three messages, then the resolution note, which joins the thread as a reply.
        5,
        "the closed ticket is left as it was"
    );
}

async fn the_outbound_queue_retries_and_survives_a_restart(b: Backend) {
    let app = spawn_app(b).await;
    let op = app.user("operatore", "operator", &[]).await;
    let api = app.api(&op).await;
    let e = app.entity("Comune di Mezzo", None).await;
    // A phone call logged with the caller's address: the acknowledgement is queued.
    let (s, t) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            json!({"entity_id": e.id, "subject": "Rete lenta",
            "priority": "low", "channel": "phone", "requester_email": "ced@mezzo.example.it"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    // A bad address is refused with the field named, and nothing is stored.
    let (s, p) = api
        .send_json(
            Method::POST,
            "/api/v1/tickets",
            json!({"entity_id": e.id, "subject": "x",
            "priority": "low", "channel": "phone", "requester_email": "non è un indirizzo"}),
        )
        .await;
    assert_eq!(s, 422);
    assert_eq!(p["errors"][0]["field"], "requester_email");

    // The SMTP server is down: the attempt fails and the mail stays queued, with the error.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("smtp://127.0.0.1:{port}");
    let now_retry = worker::Retry {
        max_attempts: 5,
        first_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
    };
    assert_eq!(runner(&app.db, &url, now_retry).run_due().await.unwrap(), 1);
    let jobs = worker::list(&app.db, mail::SEND_JOB, 10).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!((jobs[0].state.as_str(), jobs[0].attempts), ("queued", 1));
    assert!(jobs[0].last_error.as_deref().is_some_and(|e| !e.is_empty()));

    // A worker claims it and dies mid-job: nobody else takes it until its lease runs out.
    let claimed = worker::claim(&app.db, &[mail::SEND_JOB], Duration::from_secs(300))
        .await
        .unwrap();
    assert!(claimed.is_some());
    app.db.close().await;

    // "Restart": a new process with its own pool, and the SMTP server is back on that port.
    let db2 = db::Db::connect(&app.testdb.url).await.unwrap();
    db2.migrate().await.unwrap();
    let smtp = SmtpServer::start_on(port).await;
    // Time is the runner's clock: moved past the dead worker's five-minute lease, not slept.
    let clock = kernel::time::Clock::fixed(chrono::Utc::now());
    let run = runner(&db2, &url, now_retry).with_clock(clock.clone());
    assert_eq!(
        run.run_due().await.unwrap(),
        0,
        "still leased to the dead worker"
    );
    clock.advance(chrono::Duration::minutes(4));
    assert_eq!(
        run.run_due().await.unwrap(),
        0,
        "four minutes: still leased"
    );
    clock.advance(chrono::Duration::minutes(2));
    assert_eq!(run.run_due().await.unwrap(), 1);
    let got = smtp.wait_messages(1).await;
    let raw = String::from_utf8_lossy(&got[0]).into_owned();
    assert_eq!(header(&raw, "To"), "ced@mezzo.example.it");
    assert!(mail::parse(&got[0])
        .unwrap()
        .text
        .contains("Oggetto: Rete lenta"));
    let jobs = worker::list(&db2, mail::SEND_JOB, 10).await.unwrap();
    assert_eq!((jobs[0].state.as_str(), jobs[0].attempts), ("done", 3));
    // Sent once: running again sends nothing.
    assert_eq!(run.run_due().await.unwrap(), 0);
    assert_eq!(smtp.messages().len(), 1);
}

/// The real binary: `cst serve` with an SMTP server and the help-desk mailbox turns a contact's
/// e-mail into a ticket and acknowledges it by e-mail, with nothing but its own background work.
async fn cst_serve_fetches_and_sends_the_help_desk_mail(b: Backend) {
    let app = spawn_app(b).await;
    let smtp = SmtpServer::start().await;
    let imap = ImapServer::start().await;
    let e = app.entity("Comune di Abano Terme", None).await;
    contact_with_email(&app, "referente", "ced@abano.example.it", e.id).await;
    let op = app.user("operatore", "operator", &[]).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cst"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
            &app.testdb.url,
        ])
        .args([
            "--smtp-url",
            &smtp.url(),
            "--mail-from",
            "Assistenza <assistenza@cst.example.it>",
        ])
        .args(["--imap-url", &imap.url(), "--imap-poll-seconds", "1"])
        .env("CST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let cfg = ImapConfig::from_url(&imap.url()).unwrap();
    mail::imap::append(
        &cfg,
        b"From: CED Abano <ced@abano.example.it>\r\nSubject: Scanner in rete non raggiungibile\r\n\
          Message-ID: <serve-1@abano.example.it>\r\n\r\nDal piano terra non si scansiona.\r\n",
    )
    .await
    .unwrap();
    let api = testkit::Api {
        base: format!("http://127.0.0.1:{port}"),
        ..app.api(&op).await
    };
    let mut found = serde_json::Value::Null;
    for _ in 0..200 {
        if let Ok(r) = api
            .request(Method::GET, &format!("/api/v1/tickets?entity_id={}", e.id))
            .send()
            .await
        {
            let v: serde_json::Value = r.json().await.unwrap_or_default();
            if v["items"].as_array().is_some_and(|a| !a.is_empty()) {
                found = v["items"][0].clone();
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        found["subject"], "Scanner in rete non raggiungibile",
        "{found}"
    );
    assert_eq!(found["channel"], "email");
    let got = smtp.wait_messages(1).await;
    let ack = mail::parse(&got[0]).unwrap();
    assert_eq!(
        ack.subject,
        format!(
            "[Ticket {}] Scanner in rete non raggiungibile",
            found["number"].as_str().unwrap()
        )
    );
    assert_eq!(
        mail::imap::count(&cfg).await.unwrap(),
        0,
        "taken from the mailbox"
    );
    let _ = std::process::Command::new("kill")
        .arg(child.id().to_string())
        .status();
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "cst serve stops cleanly on SIGTERM: {status}"
    );
}

/// SMTPS and IMAPS against servers with a certificate of a private authority: refused while
/// the authority is not trusted, working once it is given (`--mail-ca-file`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_mail_servers_are_trusted_only_through_the_given_authority() {
    let ca = testkit::mailservers::TestCa::new();
    let smtp = SmtpServer::start_tls(&ca).await;
    let imap = ImapServer::start_tls(&ca).await;
    assert!(smtp.url().starts_with("smtps://") && imap.url().starts_with("imaps://"));
    let m = mail::Outgoing {
        to: vec!["ced@abano.example.it".into()],
        subject: "Prova TLS".into(),
        body: "Consegna cifrata.".into(),
        local_id: mail::new_local_id("tls"),
        references: vec![],
        calendar: None,
    };
    let from = "Assistenza <assistenza@cst.example.it>";

    // Not trusted: the send fails (worth retrying) and nothing is delivered; IMAP refuses too.
    let untrusted = mail::Sender::new(&smtp.url(), from, None).unwrap();
    assert!(matches!(
        untrusted.send(&m).await,
        Err(worker::Failure::Transient(_))
    ));
    assert!(smtp.messages().is_empty());
    let mut cfg = ImapConfig::from_url(&imap.url()).unwrap();
    let err = mail::imap::count(&cfg).await.unwrap_err().to_string();
    assert!(
        err.contains("certificate") || err.contains("Unknown"),
        "{err}"
    );

    // Trusted through the authority's certificate.
    let trusted = mail::Sender::new(&smtp.url(), from, Some(&ca.ca_pem())).unwrap();
    trusted.send(&m).await.unwrap();
    let got = smtp.wait_messages(1).await;
    assert_eq!(mail::parse(&got[0]).unwrap().subject, "Prova TLS");
    cfg.ca_pem = Some(ca.ca_pem());
    mail::imap::append(&cfg, &got[0]).await.unwrap();
    let r = mail::imap::poll_once(&cfg, 10, |raw| async move {
        assert!(mail::parse(&raw).unwrap().text.contains("Consegna cifrata"));
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!((r.fetched, r.accepted), (1, 1));
    assert_eq!(mail::imap::count(&cfg).await.unwrap(), 0);
    // A file that is not a certificate is refused with the reason.
    assert!(mail::Sender::new(&smtp.url(), from, Some(b"non un certificato")).is_err());
}

/// A mail whose files a ticket cannot all hold (at most 50) used to be refused as a whole, so
/// the poller fetched it again at every round and its text never arrived.
async fn a_mail_with_more_files_than_a_ticket_holds_is_still_accepted(b: Backend) {
    let app = spawn_app(b).await;
    let e = app.entity("Comune di Abano Terme", None).await;
    contact_with_email(&app, "referente", "referente@abano.example.it", e.id).await;
    let mut raw = String::from(
        "From: referente@abano.example.it\r\nSubject: Scansioni\r\n\
         Message-ID: <many@abano.example.it>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"x\"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n\
         Le scansioni di oggi.\r\n",
    );
    for n in 0..52 {
        raw.push_str(&format!(
            "--x\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"scan-{n}.txt\"\r\n\r\n\
             pagina {n}\r\n"
        ));
    }
    raw.push_str("--x--\r\n");
    let outcome = helpdesk::email::accept(&app.db, raw.as_bytes(), app.clock.now())
        .await
        .unwrap();
    let helpdesk::email::Outcome::Ticket { .. } = outcome else {
        panic!("a ticket expected, got {outcome:?}");
    };
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket_attachments")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(stored, 50);
    let reason: String = sqlx::query_scalar(
        "SELECT reason FROM inbound_mail WHERE message_id = 'many@abano.example.it'",
    )
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert!(
        reason.contains("scan-50.txt") && reason.contains("scan-51.txt"),
        "{reason}"
    );
}
