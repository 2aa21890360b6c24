//! SMS over SMPP 3.4 against a real SMSC (Net::SMPP, an implementation independent of ours):
//! bind, texts split and flagged as the networks expect (GSM-7 and UCS-2, concatenated parts
//! with their header), refusals, delivery receipts read back, a gateway that is down or refuses
//! the password.

use std::time::Duration;

use sms::client::{Config, Outcome, Session, SmppError};
use sms::pdu::Submit;
use testkit::smsc::Smsc;

fn submits(text: &str, to: &str, reference: u8) -> Vec<Submit> {
    let s = sms::text::split(text);
    let total = s.parts.len();
    s.parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut message = vec![];
            if total > 1 {
                message.extend_from_slice(&sms::text::udh(reference, total as u8, i as u8 + 1));
            }
            message.extend_from_slice(p);
            Submit {
                source: "ComunePD".into(),
                destination: to.into(),
                esm_class: if total > 1 { 0x40 } else { 0 },
                data_coding: s.coding.data_coding(),
                registered_delivery: true,
                message,
            }
        })
        .collect()
}

#[tokio::test]
async fn texts_reach_a_real_smsc_and_receipts_come_back() {
    let smsc = Smsc::start().await;
    let config = Config::from_url(&smsc.url()).unwrap();
    let mut s = Session::open(&config).await.unwrap();
    let mut items = submits("Domani l'anagrafe è chiusa. Grazie!", "393471234567", 1);
    let long = format!("È {}", "x".repeat(100));
    items.extend(submits(&long, "393471234568", 2));
    items.extend(submits("ciao", "390001112223", 3));
    items.extend(submits("ciao", "393470000099", 4));
    let r = s.submit_all(&items, 3).await;
    assert!(r.error.is_none(), "{:?}", r.error);
    assert_eq!(r.sent, 5);
    let out = r.outcomes;
    assert_eq!(out.len(), 5);
    let ids: Vec<String> = out
        .iter()
        .filter_map(|o| match o {
            Some(Outcome::Accepted(id)) => Some(id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 4, "{out:?}");
    assert_eq!(out[3], Some(Outcome::Refused(0x0B)));
    let mut receipts = s.receipts(Duration::from_millis(500)).await;
    receipts.sort_by(|a, b| a.message_id.cmp(&b.message_id));
    assert_eq!(receipts.len(), 4, "{receipts:?}");
    let stat = |id: &str| {
        receipts
            .iter()
            .find(|r| r.message_id == id)
            .map(|r| r.stat.clone())
    };
    assert_eq!(stat(&ids[0]).as_deref(), Some("DELIVRD"));
    assert_eq!(stat(&ids[3]).as_deref(), Some("UNDELIV"));
    s.close().await;

    // What the SMSC received: GSM-7 alone; UCS-2 in two parts with the joining header.
    let got = smsc.submitted();
    assert_eq!(got.len(), 4);
    assert_eq!((got[0].data_coding, got[0].esm_class), (0, 0));
    assert_eq!(
        sms::text::gsm_decode(&got[0].message),
        "Domani l'anagrafe è chiusa. Grazie!"
    );
    assert_eq!((got[1].data_coding, got[1].esm_class), (8, 0x40));
    assert_eq!(&got[1].message[..6], &[5, 0, 3, 2, 2, 1]);
    assert_eq!(&got[2].message[..6], &[5, 0, 3, 2, 2, 2]);
    let utf16: Vec<u16> = got[1].message[6..]
        .chunks(2)
        .chain(got[2].message[6..].chunks(2))
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(String::from_utf16(&utf16).unwrap(), long);
    assert_eq!(got[1].message.len() - 6, 67 * 2);
}

#[tokio::test]
async fn a_gateway_down_or_a_wrong_password_is_said_plainly() {
    let mut smsc = Smsc::start().await;
    let mut config = Config::from_url(&smsc.url()).unwrap();
    config.password = "sbagliata".into();
    match Session::open(&config).await {
        Err(SmppError::Bind(0x0E)) => {}
        other => panic!("expected a refused bind, got {:?}", other.err()),
    }
    smsc.stop();
    config.password = testkit::smsc::PASSWORD.into();
    let e = Session::open(&config).await.err().unwrap();
    assert!(matches!(e, SmppError::Connect(_)), "{e:?}");
    assert!(e.to_string().contains("non raggiungibile"));
}

mod queue {
    use std::sync::Arc;

    use reqwest::Method;
    use serde_json::json;
    use testkit::smsc::Smsc;
    use testkit::{backends, spawn_app, Backend};

    use addressbook::sms::job::Gateway;

    backends!(
        sms_are_queued_sent_once_metered_and_followed,
        two_gateways_at_once_never_send_a_part_twice,
        a_receipt_that_comes_later_is_read_by_the_receipts_job,
    );

    async fn states(app: &testkit::TestApp) -> Vec<(String, i64)> {
        use sqlx::Row;
        sqlx::query("SELECT state, COUNT(*) FROM sms_parts GROUP BY state ORDER BY state")
            .fetch_all(app.db.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
    }

    async fn sms_are_queued_sent_once_metered_and_followed(b: Backend) {
        let app = spawn_app(b).await;
        let sys = kernel::Actor::system("t");
        catalog::store::load_padova_catalogue(&app.db, &sys)
            .await
            .unwrap();
        let staff = app.api(&app.user("capo", "admin", &[]).await).await;
        let (_, a) = staff
            .send_json(
                Method::POST,
                "/api/v1/entities",
                json!({"name": "Comune di Teolo"}),
            )
            .await;
        let (_, bb) = staff
            .send_json(
                Method::POST,
                "/api/v1/entities",
                json!({"name": "Comune di Vò"}),
            )
            .await;
        let (a, bb) = (a["id"].as_i64().unwrap(), bb["id"].as_i64().unwrap());
        let ca = app.api(&app.user("ref-a", "contact", &[a]).await).await;
        let cb = app.api(&app.user("ref-b", "contact", &[bb]).await).await;
        let (_, list) = ca
            .send_json(
                Method::POST,
                &format!("/api/v1/entities/{a}/contact-lists"),
                json!({"name": "Volontari"}),
            )
            .await;
        let lid = list["id"].as_i64().unwrap();
        for (n, p) in [
            ("Uno", "347 1110001"),
            ("Due", "+39 347 1110002"),
            ("Tre", "347 1110099"),
        ] {
            let (s, r) = ca
                .send_json(
                    Method::POST,
                    &format!("/api/v1/contact-lists/{lid}/members"),
                    json!({"name": n, "phone": p}),
                )
                .await;
            assert_eq!(s, 201, "{r}");
        }
        let text = format!("Allerta meteo: {}", "domani scuole chiuse. ".repeat(8));
        let body = json!({"entity_id": a, "list_id": lid, "to": ["0039 000 1112223", "347-111.0001"], "text": text});

        // The cost before sending: 4 recipients (a number given twice counts once), 2 parts each.
        let mut dry = body.clone();
        dry["dry_run"] = json!(true);
        let (s, p) = ca.send_json(Method::POST, "/api/v1/sms", dry).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(
            (
                p["messages"].as_i64(),
                p["parts"].as_i64(),
                p["cost"].as_str(),
                p["coding"].as_str()
            ),
            (Some(4), Some(8), Some("0.40"), Some("gsm7")),
            "{p}"
        );
        let (_, p) = ca
            .send_json(Method::POST, "/api/v1/sms", json!({"entity_id": a, "to": ["3471110001"], "text": "È tutto ok", "dry_run": true}))
            .await;
        assert_eq!(
            (p["coding"].as_str(), p["unicode"][0].as_str()),
            (Some("ucs2"), Some("È")),
            "{p}"
        );
        // Wrong requests: refused, nothing queued.
        for (bad, field) in [
            (
                json!({"entity_id": a, "to": ["3471110001"], "text": "  "}),
                "text",
            ),
            (
                json!({"entity_id": a, "to": ["34a"], "text": "ciao"}),
                "to[0]",
            ),
            (json!({"entity_id": a, "text": "ciao"}), "to"),
            (
                json!({"entity_id": a, "to": ["3471110001"], "text": "x".repeat(1531)}),
                "text",
            ),
        ] {
            let (s, r) = ca.send_json(Method::POST, "/api/v1/sms", bad).await;
            assert_eq!(
                (s, r["errors"][0]["field"].as_str()),
                (422, Some(field)),
                "{r}"
            );
        }
        let (s, _) = cb
            .send_json(Method::POST, "/api/v1/sms", body.clone())
            .await;
        assert_eq!(s, 404, "another entity's contact");
        let (s, _) = cb
            .send_json(
                Method::POST,
                "/api/v1/sms",
                json!({"entity_id": bb, "list_id": lid, "text": "x"}),
            )
            .await;
        assert_eq!(s, 404, "another entity's list");
        assert!(states(&app).await.is_empty());

        let (s, p) = ca
            .send_json(Method::POST, "/api/v1/sms", body.clone())
            .await;
        assert_eq!((s, p["parts"].as_i64()), (202, Some(8)), "{p}");
        // The monthly limit: the staff set it; past it a send is refused.
        let (s, _) = ca
            .send_json(
                Method::PUT,
                &format!("/api/v1/entities/{a}/sms-limit"),
                json!({"monthly_parts": 10}),
            )
            .await;
        assert_eq!(s, 403);
        let (s, _) = staff
            .send_json(
                Method::PUT,
                &format!("/api/v1/entities/{a}/sms-limit"),
                json!({"monthly_parts": 10}),
            )
            .await;
        assert_eq!(s, 204);
        let (s, r) = ca
            .send_json(Method::POST, "/api/v1/sms", body.clone())
            .await;
        assert_eq!((s, r["code"].as_str()), (409, Some("sms_limit")), "{r}");
        assert!(
            r["detail"]
                .as_str()
                .unwrap()
                .contains("usate 8 parti su 10"),
            "{r}"
        );

        // The gateway down: nothing lost, everything still queued.
        let closed = Smsc::start().await;
        let mut config = sms::client::Config::from_url(&closed.url()).unwrap();
        drop(closed);
        let down = Gateway::new(app.db.clone(), config.clone());
        assert!(down.pass().await.is_err());
        assert_eq!(states(&app).await, [("queued".to_owned(), 8)]);

        // The gateway up: sent once, refused for good where the number is wrong, receipts.
        let smsc = Smsc::start().await;
        config = sms::client::Config::from_url(&smsc.url()).unwrap();
        let mut gw = Gateway::new(app.db.clone(), config);
        gw.receipt_wait = std::time::Duration::from_millis(500);
        let pass = gw.pass().await.unwrap();
        assert_eq!(
            (pass.accepted, pass.failed, pass.requeued, pass.uncertain),
            (6, 2, 0, 0),
            "{pass:?}"
        );
        assert_eq!(pass.receipts, 6);
        assert_eq!(
            gw.pass().await.unwrap(),
            Default::default(),
            "nothing left, nothing again"
        );
        assert_eq!(smsc.submitted().len(), 6);
        let (s, log) = ca.get(&format!("/api/v1/entities/{a}/sms")).await;
        assert_eq!(s, 200, "{log}");
        let mut got: Vec<(String, String)> = log["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["destination"].as_str().unwrap().to_owned(),
                    m["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("390001112223".to_owned(), "failed".to_owned()),
                ("393471110001".to_owned(), "delivered".to_owned()),
                ("393471110002".to_owned(), "delivered".to_owned()),
                ("393471110099".to_owned(), "undelivered".to_owned()),
            ]
        );
        assert_eq!(
            (log["used_parts"].as_i64(), log["monthly_limit"].as_i64()),
            (Some(6), Some(10))
        );
        let (s, _) = cb.get(&format!("/api/v1/entities/{a}/sms")).await;
        assert_eq!(s, 404);
        // Metered into the entity's statement: one unit per part accepted.
        let q: i64 = sqlx::query_scalar("SELECT quantity FROM meter_readings WHERE entity_id = $1 AND service_code = 'PD02' AND item_code = 'sms'")
            .bind(a)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(q, 6);
    }

    async fn two_gateways_at_once_never_send_a_part_twice(b: Backend) {
        let app = spawn_app(b).await;
        let staff = app.api(&app.user("capo", "admin", &[]).await).await;
        let (_, a) = staff
            .send_json(
                Method::POST,
                "/api/v1/entities",
                json!({"name": "Comune di Teolo"}),
            )
            .await;
        let a = a["id"].as_i64().unwrap();
        let to: Vec<String> = (0..300).map(|i| format!("+39 347 2{i:06}")).collect();
        let (s, p) = staff
            .send_json(
                Method::POST,
                "/api/v1/sms",
                json!({"entity_id": a, "to": to, "text": "Prova"}),
            )
            .await;
        assert_eq!((s, p["parts"].as_i64()), (202, Some(300)), "{p}");
        let smsc = Smsc::start().await;
        let config = sms::client::Config::from_url(&smsc.url()).unwrap();
        let g1 = Arc::new(Gateway::new(app.db.clone(), config.clone()));
        let g2 = Arc::new(Gateway::new(app.db.clone(), config));
        let (r1, r2) = tokio::join!(g1.pass(), g2.pass());
        let (r1, r2) = (r1.unwrap(), r2.unwrap());
        assert_eq!(r1.accepted + r2.accepted, 300, "{r1:?} {r2:?}");
        let got = smsc.submitted();
        assert_eq!(got.len(), 300);
        let mut dests: Vec<&str> = got.iter().map(|s| s.destination.as_str()).collect();
        dests.sort_unstable();
        dests.dedup();
        assert_eq!(dests.len(), 300, "every number exactly once");
    }

    /// A phone that was off: its receipt comes after the sending session closed, and the
    /// receipts job reads it on a session of its own; with nothing waiting it opens none.
    async fn a_receipt_that_comes_later_is_read_by_the_receipts_job(b: Backend) {
        let app = spawn_app(b).await;
        let sys = kernel::Actor::system("t");
        catalog::store::load_padova_catalogue(&app.db, &sys)
            .await
            .unwrap();
        let staff = app.api(&app.user("capo", "admin", &[]).await).await;
        let (_, e) = staff
            .send_json(
                Method::POST,
                "/api/v1/entities",
                json!({"name": "Comune di Teolo"}),
            )
            .await;
        let (s, r) = staff
            .send_json(
                Method::POST,
                "/api/v1/sms",
                json!({"entity_id": e["id"], "to": ["347 1110098"], "text": "Scuole chiuse domani"}),
            )
            .await;
        assert_eq!(s, 202, "{r}");
        let smsc = Smsc::start().await;
        let mut gw = Gateway::new(
            app.db.clone(),
            sms::client::Config::from_url(&smsc.url()).unwrap(),
        );
        gw.receipt_wait = std::time::Duration::from_millis(500);
        let pass = gw.pass().await.unwrap();
        assert_eq!((pass.accepted, pass.receipts), (1, 0), "{pass:?}");
        assert_eq!(states(&app).await, [("accepted".to_owned(), 1)]);
        assert_eq!(gw.late_receipts().await.unwrap(), 1);
        assert_eq!(states(&app).await, [("delivered".to_owned(), 1)]);
        let binds = smsc.log().matches("BIND\tok").count();
        assert_eq!(gw.late_receipts().await.unwrap(), 0);
        assert_eq!(
            smsc.log().matches("BIND\tok").count(),
            binds,
            "nothing waiting: no session opened"
        );
    }
}
