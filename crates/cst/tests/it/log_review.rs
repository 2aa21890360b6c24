//! The review of the administrators' accesses (issue 13): only the entity's marked titolare
//! and delegates (and staff) read its logs; the named administrators filter the accesses; the
//! periodic check is signed off with what it saw; the page, its CSV and its forms; a silent
//! source is marked, opens one ticket, and ends its silence when it speaks.

use reqwest::Method;
use serde_json::json;
use testkit::{backends, Backend};

use crate::logs::{committed, entity, receiving, tcp_send};

backends!(
    only_marked_reviewers_read_the_logs_and_sign_the_check,
    a_silent_source_is_marked_and_opens_one_ticket,
);

async fn only_marked_reviewers_read_the_logs_and_sign_the_check(b: Backend) {
    let app = receiving(b, None).await;
    let tcp = app.syslog.as_ref().unwrap().bound.tcp.unwrap();
    let staff = app.api(&app.user("capo", "admin", &[]).await).await;
    let abano = entity(&staff, "Comune di Abano Terme").await;
    let borgo = entity(&staff, "Comune di Borgo Veneto").await;
    let (s, src) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-sources"),
            json!({"name": "Server anagrafe", "address": "127.0.0.0/8"}),
        )
        .await;
    assert_eq!(s, 201, "{src}");
    tcp_send(
        tcp,
        b"<38>Dec  4 10:00:01 srv-anagrafe sshd[1]: Accepted password for mrossi from 10.0.0.5 port 1 ssh2\n\
<38>Dec  4 10:00:02 srv-anagrafe sshd[2]: Failed password for mrossi from 10.0.0.5 port 2 ssh2\n\
<38>Dec  4 10:00:03 srv-anagrafe sshd[3]: Accepted publickey for backup from 10.0.0.9 port 3 ssh2\n\
<38>Dec  4 10:00:04 srv-anagrafe sshd[4]: Failed password for invalid user admin from 203.0.113.9 port 4 ssh2\n",
    )
    .await;
    committed(&staff, 4).await;

    // A contact of the entity, not marked: refused, with the reason. Another entity's: not found.
    let titolare_user = app.user("sindaco", "contact", &[abano]).await;
    let impiegato_user = app.user("impiegato", "contact", &[abano]).await;
    let estraneo_user = app.user("estraneo", "contact", &[borgo]).await;
    let titolare = app.api(&titolare_user).await;
    let impiegato = app.api(&impiegato_user).await;
    let estraneo = app.api(&estraneo_user).await;
    let logs_path = format!("/api/v1/entities/{abano}/access-events");
    let (s, refused) = titolare.get(&logs_path).await;
    assert_eq!(
        (s, refused["code"].as_str()),
        (403, Some("log_reviewers_only")),
        "{refused}"
    );
    assert_eq!(estraneo.get(&logs_path).await.0, 404);

    // Staff mark the titolare; a contact of another entity cannot be marked; contacts cannot mark.
    let mark = |user_id: i64, kind: Option<&str>| json!({"user_id": user_id, "kind": kind});
    let (s, r) = staff
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{abano}/log-reviewers"),
            mark(titolare_user.id, Some("titolare")),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (s, bad) = staff
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{abano}/log-reviewers"),
            mark(estraneo_user.id, Some("delegato")),
        )
        .await;
    assert_eq!(
        (s, bad["errors"][0]["field"].as_str()),
        (422, Some("user_id")),
        "{bad}"
    );
    let (s, _) = titolare
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{abano}/log-reviewers"),
            mark(impiegato_user.id, Some("delegato")),
        )
        .await;
    assert_eq!(s, 403);
    let (s, all) = titolare.get(&logs_path).await;
    assert_eq!((s, all["total"].as_i64()), (200, Some(4)), "{all}");
    assert_eq!(impiegato.get(&logs_path).await.0, 403);

    // The titolare names an administrator; wrong input is named field by field.
    let (s, bad) = titolare
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-admins"),
            json!({"name": " ", "accounts": ["due parole"]}),
        )
        .await;
    assert_eq!(s, 422, "{bad}");
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "accounts", "accounts"], "{bad}");
    let (s, mario) = titolare
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-admins"),
            json!({"name": "Mario Rossi", "accounts": ["mrossi", "COMUNE\\mrossi", "mrossi"], "role": "Ditta Rossi srl"}),
        )
        .await;
    assert_eq!(s, 201, "{mario}");
    assert_eq!(mario["accounts"], json!(["mrossi", "COMUNE\\mrossi"]));
    let (_, only) = titolare.get(&format!("{logs_path}?admins=true")).await;
    assert_eq!(only["total"], 2, "{only}");
    assert!(only["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["user"] == "mrossi"));
    let (_, failed) = titolare
        .get(&format!(
            "{logs_path}?admin={}&outcome=failure",
            mario["id"]
        ))
        .await;
    assert_eq!(failed["total"], 1, "{failed}");
    let (s, nobody) = titolare.get(&format!("{logs_path}?admin=999999")).await;
    assert_eq!(s, 422, "{nobody}");

    // The check, signed off: what it saw is counted from the store.
    let today = app.clock.today();
    let (s, future) = titolare
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-reviews"),
            json!({"from": "2026-01-01", "to": "2099-01-01"}),
        )
        .await;
    assert_eq!(s, 422, "{future}");
    let real_today = chrono::Utc::now().date_naive();
    app.clock
        .set(chrono::Utc::now() + chrono::Duration::days(1));
    let (s, review) = titolare
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-reviews"),
            json!({"from": (real_today - chrono::Days::new(1)).to_string(), "to": (real_today + chrono::Days::new(1)).to_string(), "notes": "Nessuna anomalia; chiesto conto dell'accesso fallito."}),
        )
        .await;
    assert_eq!(s, 201, "{review}");
    assert_eq!(
        (review["events"].as_i64(), review["failures"].as_i64()),
        (Some(2), Some(1)),
        "{review}"
    );
    assert_eq!(
        review["reviewer"],
        format!(
            "{} (sindaco), titolare del trattamento",
            titolare_user.full_name
        )
    );
    assert_eq!(review["digest"].as_str().unwrap().len(), 64);
    let (_, list) = titolare
        .get(&format!("/api/v1/entities/{abano}/log-reviews"))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE entity_id = $1 AND object_type IN ('log_review', 'log_admin', 'log_reviewer')",
    )
    .bind(abano)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(audited, 3);
    let _ = today;

    // A second titolare moves the mark: the first becomes a delegate.
    let (_, r) = staff
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{abano}/log-reviewers"),
            mark(impiegato_user.id, Some("titolare")),
        )
        .await;
    let kinds: Vec<(&str, &str)> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["username"].as_str().unwrap(), x["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("impiegato", "titolare"), ("sindaco", "delegato")]);

    // The page: accesses filtered by administrator, the CSV of the filtered view, the forms.
    let br = app.browser("sindaco").await;
    let (s, page) = br
        .get(&format!(
            "/entities/{abano}/logs?amministratore={}",
            mario["id"]
        ))
        .await;
    assert_eq!(s, 200, "{page}");
    assert!(
        page.contains("Registro degli accessi degli amministratori"),
        "{page}"
    );
    assert!(page.contains("2 accessi"), "{page}");
    assert!(page.contains("Mario Rossi"));
    assert!(!page.contains(">backup<"), "{page}");
    let (s, csv) = br
        .get(&format!("/entities/{abano}/logs.csv?esito=fallito"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(
        csv.contains("fallito") && csv.contains("Mario Rossi"),
        "{csv}"
    );
    let (s, bad) = br
        .post_follow(
            &format!("/entities/{abano}/logs/amministratori"),
            &[("nome", "Anna Bianchi"), ("account", "")],
        )
        .await;
    assert_eq!(s, 200);
    assert!(bad.contains("Indicare almeno un account"), "{bad}");
    assert!(
        bad.contains("value=\"Anna Bianchi\""),
        "the name typed is kept: {bad}"
    );
    let (_, done) = br
        .post_follow(
            &format!("/entities/{abano}/logs/amministratori"),
            &[("nome", "Anna Bianchi"), ("account", "abianchi, backup")],
        )
        .await;
    assert!(done.contains("Anna Bianchi aggiunto"), "{done}");
    let (_, unsigned) = br
        .post_follow(
            &format!("/entities/{abano}/logs/verifiche"),
            &[("dal", "2026-01-01"), ("al", "2026-06-30"), ("note", "x")],
        )
        .await;
    assert!(
        unsigned.contains("va spuntata la dichiarazione"),
        "{unsigned}"
    );
    let (_, signed) = br
        .post_follow(
            &format!("/entities/{abano}/logs/verifiche"),
            &[
                ("dal", "2026-01-01"),
                ("al", "2026-06-30"),
                ("note", "Semestre"),
                ("dichiaro", "1"),
            ],
        )
        .await;
    assert!(
        signed.contains("Verifica dal 01/01/2026 al 30/06/2026 firmata"),
        "{signed}"
    );
    // Removing an administrator asks first.
    let (_, admins) = titolare
        .get(&format!("/api/v1/entities/{abano}/log-admins"))
        .await;
    let anna = admins["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Anna Bianchi")
        .unwrap()["id"]
        .clone();
    let (s, ask) = br
        .post(
            &format!("/entities/{abano}/logs/amministratori/{anna}/togli"),
            &[],
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        ask.contains("Togliere Anna Bianchi dagli amministratori di sistema?"),
        "{ask}"
    );
    let (_, gone) = br
        .post_follow(
            &format!("/entities/{abano}/logs/amministratori/{anna}/togli"),
            &[("confermato", "1")],
        )
        .await;
    assert!(gone.contains("Anna Bianchi tolto"), "{gone}");
    // The raw messages' search.
    let (s, msgs) = br
        .get(&format!(
            "/entities/{abano}/logs/messaggi?testo=invalid+user"
        ))
        .await;
    assert_eq!(s, 200);
    assert!(
        msgs.contains("1 messaggio") && msgs.contains("203.0.113.9"),
        "{msgs}"
    );
    // An unmarked contact meets the reason, not the data.
    let other = app.user("usciere", "contact", &[abano]).await;
    let (s, page) = app
        .browser(&other.username)
        .await
        .get(&format!("/entities/{abano}/logs"))
        .await;
    assert_eq!(s, 403);
    assert!(page.contains("riservati al titolare"), "{page}");
}

async fn a_silent_source_is_marked_and_opens_one_ticket(b: Backend) {
    let app = receiving(b, None).await;
    let tcp = app.syslog.as_ref().unwrap().bound.tcp.unwrap();
    let staff = app.api(&app.user("capo", "admin", &[]).await).await;
    let abano = entity(&staff, "Comune di Abano Terme").await;
    let (s, src) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-sources"),
            json!({"name": "Firewall", "address": "127.0.0.0/8", "expected_minutes": 60, "ticket_on_silence": true}),
        )
        .await;
    assert_eq!(s, 201, "{src}");
    tcp_send(tcp, b"<13>Dec  4 10:00:00 fw app: vivo\n").await;
    committed(&staff, 1).await;
    let store = app.syslog.as_ref().unwrap().store.clone();
    let now = chrono::Utc::now();
    // Within the hour: nothing.
    let r = logs::silence::evaluate(&app.db, &store, now + chrono::Duration::minutes(30))
        .await
        .unwrap();
    assert!(r.silent.is_empty() && r.tickets.is_empty(), "{r:?}");
    // Past it: marked, one ticket, and not a second one on the next round.
    let later = now + chrono::Duration::minutes(90);
    let r = logs::silence::evaluate(&app.db, &store, later)
        .await
        .unwrap();
    assert_eq!((r.silent.len(), r.tickets.len()), (1, 1), "{r:?}");
    let r = logs::silence::evaluate(&app.db, &store, later + chrono::Duration::minutes(5))
        .await
        .unwrap();
    assert!(r.silent.is_empty() && r.tickets.is_empty(), "{r:?}");
    let (_, list) = staff
        .get(&format!("/api/v1/entities/{abano}/log-sources"))
        .await;
    assert!(list["items"][0]["silent_since"].is_string(), "{list}");
    let (_, tickets) = staff
        .get(&format!("/api/v1/tickets?entity_id={abano}"))
        .await;
    let subjects = tickets.to_string();
    assert!(subjects.contains("non invia messaggi"), "{subjects}");
    let br = app.browser("capo").await;
    let (_, page) = br.get(&format!("/entities/{abano}/logs")).await;
    assert!(
        page.contains("La sorgente «Firewall» non invia messaggi dal"),
        "{page}"
    );
    // It speaks again: the silence ends.
    tcp_send(tcp, b"<13>Dec  4 10:00:00 fw app: di nuovo\n").await;
    committed(&staff, 2).await;
    let r = logs::silence::evaluate(&app.db, &store, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(r.back.len(), 1, "{r:?}");
    let (_, list) = staff
        .get(&format!("/api/v1/entities/{abano}/log-sources"))
        .await;
    assert!(list["items"][0]["silent_since"].is_null(), "{list}");
}
