//! Store and forward (issue 13): an instance of cst at an entity forwards its log store to the
//! centre over HTTP(S); while the link is down nothing is lost and nothing moves; once it is up
//! again everything arrives, in order, once, attributed to the entity; a batch sent again after
//! a lost answer is not stored twice; wrong tokens and bodies are refused.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use testkit::{backends, Backend};

use crate::logs::{committed, entity, receiving, tcp_send};

backends!(an_entitys_instance_forwards_its_store_and_loses_nothing_while_the_link_is_down,);

/// A TCP proxy to `target` that can be cut: while down it accepts and closes at once.
async fn proxy(target: std::net::SocketAddr) -> (String, Arc<AtomicBool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let up = Arc::new(AtomicBool::new(false));
    let flag = up.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut inbound, _)) = listener.accept().await else {
                return;
            };
            if !flag.load(Ordering::SeqCst) {
                drop(inbound);
                continue;
            }
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    (format!("http://{addr}"), up)
}

async fn an_entitys_instance_forwards_its_store_and_loses_nothing_while_the_link_is_down(
    b: Backend,
) {
    // The centre, with the entity and its relay source.
    let centre = receiving(b, None).await;
    let staff = centre.api(&centre.user("capo", "admin", &[]).await).await;
    let abano = entity(&staff, "Comune di Abano Terme").await;
    let (s, src) = staff
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-sources"),
            json!({"name": "cst del Comune", "relay": true}),
        )
        .await;
    assert_eq!(s, 201, "{src}");
    assert_eq!(src["relay"], true);
    let token = src["relay_token"].as_str().unwrap().to_owned();
    let (_, listed) = staff
        .get(&format!("/api/v1/entities/{abano}/log-sources"))
        .await;
    assert!(
        !listed.to_string().contains(&token),
        "the token is shown once"
    );

    // The entity's own instance receives 120 messages.
    let onsite = receiving(b, None).await;
    let onsite_admin = onsite.api(&onsite.user("ced", "admin", &[]).await).await;
    let mut lines = Vec::new();
    for i in 0..120 {
        lines.extend(
            if i % 4 == 0 {
                format!("<38>Dec  4 10:00:00 srv-abano sshd[{i}]: Accepted password for mrossi from 10.0.0.5 port {i} ssh2\n")
            } else {
                format!("<13>Dec  4 10:00:00 srv-abano app: messaggio {i}\n")
            }
            .into_bytes(),
        );
    }
    tcp_send(onsite.syslog.as_ref().unwrap().bound.tcp.unwrap(), &lines).await;
    committed(&onsite_admin, 120).await;

    let base: std::net::SocketAddr = centre.base.trim_start_matches("http://").parse().unwrap();
    let (url, up) = proxy(base).await;
    let store = onsite.syslog.as_ref().unwrap().store.clone();
    let client = reqwest::Client::new();
    let to = logs::relay::Forward {
        url,
        token: token.clone(),
    };

    // The link is down: the forwarder fails, nothing moves, nothing is lost.
    assert!(logs::relay::forward_once(&store, &client, &to)
        .await
        .is_err());
    assert!(logs::relay::forward_once(&store, &client, &to)
        .await
        .is_err());
    let (_, none) = staff.get(&format!("/api/v1/entities/{abano}/logs")).await;
    assert_eq!(none["total"], 0, "{none}");

    // Up again: everything arrives, the access events with it.
    up.store(true, Ordering::SeqCst);
    assert_eq!(
        logs::relay::forward_once(&store, &client, &to)
            .await
            .unwrap(),
        120
    );
    assert_eq!(
        logs::relay::forward_once(&store, &client, &to)
            .await
            .unwrap(),
        0
    );
    let (_, all) = staff
        .get(&format!("/api/v1/entities/{abano}/logs?limit=500"))
        .await;
    assert_eq!(all["total"], 120, "{all}");
    let texts: Vec<String> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        texts[0].contains("messaggio 119"),
        "newest first: {}",
        texts[0]
    );
    assert!(all["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["transport"] == "relay" && m["peer"] == "127.0.0.1"));
    let (_, acc) = staff
        .get(&format!("/api/v1/entities/{abano}/access-events"))
        .await;
    assert_eq!(acc["total"], 30, "{acc}");

    // An answer lost: the instance sends the same messages again; the centre keeps them once.
    let raw = crate::logs::raw_store(&onsite).await;
    sqlx::query("UPDATE log_forward SET last_id = 0")
        .execute(&raw)
        .await
        .unwrap();
    assert_eq!(
        logs::relay::forward_once(&store, &client, &to)
            .await
            .unwrap(),
        120
    );
    let (_, again) = staff.get(&format!("/api/v1/entities/{abano}/logs")).await;
    assert_eq!(again["total"], 120, "{again}");

    // The background forwarder of `cst serve` carries what comes next.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(logs::relay::forward(store.clone(), to.clone(), stop_rx));
    tcp_send(
        onsite.syslog.as_ref().unwrap().bound.tcp.unwrap(),
        b"<13>Dec  4 11:00:00 srv-abano app: dopo\n",
    )
    .await;
    let mut total = 0;
    for _ in 0..100 {
        let (_, page) = staff.get(&format!("/api/v1/entities/{abano}/logs")).await;
        total = page["total"].as_i64().unwrap();
        if total == 121 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(total, 121);
    stop_tx.send(true).unwrap();
    task.await.unwrap();
    let (ok, said) = crate::logs::verify(&centre);
    assert!(ok, "{said}");

    // Wrong token, wrong body.
    let relay = |token: &str, body: serde_json::Value| {
        let c = client.clone();
        let url = format!("{}/api/v1/log-relay", centre.base);
        let token = token.to_owned();
        async move {
            let r = c
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                r.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let (s, e) = relay("cstrelay_sbagliato", json!({"messages": []})).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (401, Some("log_relay_token")),
        "{e}"
    );
    let (s, e) = relay(
        &token,
        json!({"messages": [{"id": 999, "received": 1, "peer": "x", "raw": "non base64!"}]}),
    )
    .await;
    assert_eq!(
        (s, e["errors"][0]["field"].as_str()),
        (422, Some("messages[0].raw")),
        "{e}"
    );
    let (s, e) = relay(&token, json!({"messages": [{"id": 1000, "received": 1, "peer": "x", "raw": "eA=="}, {"id": 999, "received": 1, "peer": "x", "raw": "eA=="}]})).await;
    assert_eq!(
        (s, e["errors"][0]["field"].as_str()),
        (422, Some("messages[1].id")),
        "{e}"
    );
    let (_, still) = staff.get(&format!("/api/v1/entities/{abano}/logs")).await;
    assert_eq!(still["total"], 121, "nothing stored from refused batches");
}
