//! System-log tracking (issue 13): syslog received over real UDP, TCP and TLS sockets, stored
//! per source with its access events, unknown senders quarantined until a source claims them,
//! the log store's hash chains verified (and tampering found), the review API in scope, and a
//! `kill -9` during ingest that loses at most the batch not yet committed.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use testkit::{backends, spawn_app_receiving, Api, Backend, TestApp};
use tokio::io::AsyncWriteExt;

backends!(
    syslog_over_udp_tcp_and_tls_is_stored_by_source_with_access_events,
    the_log_store_is_tamper_evident,
);

/// A self-signed certificate and key (PEM) made by openssl, for `CN`, valid for 127.0.0.1.
fn certificate(dir: &std::path::Path, cn: &str) -> (Vec<u8>, Vec<u8>) {
    let (cert, key) = (dir.join(format!("{cn}.crt")), dir.join(format!("{cn}.key")));
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "2", "-subj", &format!("/CN={cn}")])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl is installed by scripts/install-test-deps.sh");
    assert!(ok.success());
    (std::fs::read(cert).unwrap(), std::fs::read(key).unwrap())
}

fn der(pem: &[u8]) -> Vec<u8> {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    tokio_rustls::rustls::pki_types::CertificateDer::from_pem_slice(pem)
        .unwrap()
        .to_vec()
}

/// Waits until the receivers have committed `n` messages in all.
pub(crate) async fn committed(admin: &Api, n: u64) {
    for _ in 0..200 {
        let (_, st) = admin.get("/api/v1/logs/status").await;
        if st["committed"].as_u64().unwrap_or(0) >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, st) = admin.get("/api/v1/logs/status").await;
    panic!("{n} messages not committed: {st}");
}

pub(crate) async fn tcp_send(addr: SocketAddr, bytes: &[u8]) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    s.shutdown().await.unwrap();
}

/// `MSG` framed by octet counting (RFC 6587 §3.4.1).
fn octets(msg: &str) -> Vec<u8> {
    format!("{} {msg}", msg.len()).into_bytes()
}

pub(crate) async fn entity(admin: &Api, name: &str) -> i64 {
    let (s, e) = admin
        .send_json(Method::POST, "/api/v1/entities", json!({ "name": name }))
        .await;
    assert_eq!(s, 201, "{e}");
    e["id"].as_i64().unwrap()
}

/// The first item of a page that `pick` picks.
fn item(page: &Value, pick: impl Fn(&&Value) -> bool) -> &Value {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(pick)
        .unwrap_or_else(|| panic!("no such item in {page}"))
}

fn texts(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) async fn receiving(b: Backend, tls: Option<(Vec<u8>, Vec<u8>)>) -> TestApp {
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    spawn_app_receiving(
        b,
        logs::receive::Listen {
            udp: Some(any),
            tcp: Some(any),
            tls: tls.map(|(cert_pem, key_pem)| logs::receive::TlsListen {
                addr: any,
                cert_pem,
                key_pem,
            }),
        },
    )
    .await
}

async fn syslog_over_udp_tcp_and_tls_is_stored_by_source_with_access_events(b: Backend) {
    let dir = std::env::temp_dir().join(format!("cst-tls-{}", testkit::unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let server = certificate(&dir, "cst-syslog");
    let client = certificate(&dir, "firewall-comune");
    let app = receiving(b, Some(server.clone())).await;
    let bound = app.syslog.as_ref().unwrap().bound.clone();
    let admin = app.api(&app.user("capo", "admin", &[]).await).await;
    let abano = entity(&admin, "Comune di Abano Terme").await;
    let borgo = entity(&admin, "Comune di Borgo Veneto").await;

    // Before any source is registered, a message waits in quarantine.
    tcp_send(
        bound.tcp.unwrap(),
        b"<38>Dec  4 10:00:01 srv-anagrafe sshd[811]: Accepted password for mrossi from 10.0.0.5 port 52114 ssh2\n",
    )
    .await;
    committed(&admin, 1).await;
    let (s, q) = admin.get("/api/v1/log-quarantine").await;
    assert_eq!(s, 200, "{q}");
    assert_eq!(q["items"][0]["peer"], "127.0.0.1", "{q}");
    assert_eq!(q["items"][0]["messages"], 1);
    let (s, none) = admin.get(&format!("/api/v1/entities/{abano}/logs")).await;
    assert_eq!((s, none["total"].as_i64()), (200, Some(0)), "{none}");

    // Registering the address assigns what waited, access event included.
    let (s, src) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-sources"),
            json!({"name": "Server anagrafe", "address": "127.0.0.0/8", "expected_minutes": 60}),
        )
        .await;
    assert_eq!(s, 201, "{src}");
    assert_eq!(src["assigned"], 1, "{src}");
    assert_eq!(src["address"], "127.0.0.0/8");
    let (s, dup) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{borgo}/log-sources"),
            json!({"name": "Altro", "address": "127.0.0.1/8"}),
        )
        .await;
    assert_eq!(
        (s, dup["code"].as_str()),
        (409, Some("log_source_taken")),
        "{dup}"
    );
    let (s, bad) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{borgo}/log-sources"),
            json!({"name": "", "address": "10.0.0.999", "time_zone": "Marte/Olympus"}),
        )
        .await;
    assert_eq!(s, 422, "{bad}");
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "address", "time_zone"], "{bad}");

    // TCP: octet counting and LF framing on one connection; RFC 5424 with a sequence number,
    // RFC 3164, a Latin-1 line and a timestamp that cannot be read (kept, with its receive time).
    let mut stream = Vec::new();
    stream.extend(octets(
        "<86>1 2026-12-04T10:15:00.123456+01:00 srv-anagrafe sudo - - [meta sequenceId=\"1\"] \
         mrossi : TTY=pts/0 ; PWD=/home/mrossi ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx",
    ));
    stream.extend(octets(
        "<86>1 2026-12-04T10:16:00Z srv-anagrafe sshd 912 - [meta sequenceId=\"3\"] \
         Failed password for invalid user admin from 203.0.113.9 port 40022 ssh2",
    ));
    stream.extend(b"<38>Dec  4 10:17:00 srv-anagrafe sshd[913]: Accepted publickey for ced from 10.0.0.7 port 50000 ssh2: ED25519 SHA256:abc\n");
    stream.extend(b"<13>Dec  4 10:18:00 srv-anagrafe app: citt\xe0 di Abano, perch\xe9 no\n");
    stream.extend(b"<13>Feb 30 25:61:00 srv-anagrafe app: orario impossibile\n");
    tcp_send(bound.tcp.unwrap(), &stream).await;
    // UDP: one message per datagram.
    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    for m in [
        "<34>Dec  4 10:19:00 fw-sede su: pam_unix(su:session): session opened for user root(uid=0) by mrossi(uid=1000)",
        "<34>Dec  4 10:19:30 fw-sede sshd[77]: pam_unix(sshd:session): session closed for user mrossi",
    ] {
        udp.send_to(m.as_bytes(), bound.udp.unwrap()).await.unwrap();
    }
    committed(&admin, 8).await;

    let (s, page) = admin
        .get(&format!("/api/v1/entities/{abano}/logs?limit=50"))
        .await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["total"], 8, "{page}");
    let all = texts(&page);
    assert!(
        all.iter().any(|t| t.contains("città di Abano, perché no")),
        "{all:?}"
    );
    let latin = item(&page, |m| m["text"].as_str().unwrap().contains("città"));
    assert_eq!(latin["latin1"], true);
    let impossible = item(&page, |m| {
        m["text"].as_str().unwrap().contains("orario impossibile")
    });
    assert_eq!(impossible["timestamp"], Value::Null, "{impossible}");
    assert!(impossible["received_at"]
        .as_str()
        .unwrap()
        .starts_with("20"));
    let sudo = item(&page, |m| m["app"] == "sudo");
    assert_eq!(sudo["format"], "rfc5424");
    assert_eq!(sudo["timestamp"], "2026-12-04T09:15:00.123456Z");
    assert_eq!(sudo["hostname"], "srv-anagrafe");
    assert_eq!(sudo["transport"], "tcp");
    let (_, udp_page) = admin
        .get(&format!("/api/v1/entities/{abano}/logs?host=fw-sede"))
        .await;
    assert_eq!(udp_page["total"], 2, "{udp_page}");
    assert_eq!(udp_page["items"][0]["transport"], "udp");
    let (_, found) = admin
        .get(&format!("/api/v1/entities/{abano}/logs?q=invalid%20user"))
        .await;
    assert_eq!(found["total"], 1, "{found}");
    let (s, wrong) = admin
        .get(&format!("/api/v1/entities/{abano}/logs?from=ieri"))
        .await;
    assert_eq!(
        (s, wrong["errors"][0]["field"].as_str()),
        (422, Some("from")),
        "{wrong}"
    );

    // The access events read out of them.
    let (s, acc) = admin
        .get(&format!(
            "/api/v1/entities/{abano}/access-events?user=mrossi"
        ))
        .await;
    assert_eq!(s, 200, "{acc}");
    let actions: Vec<(&str, &str)> = acc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["action"].as_str().unwrap(), a["family"].as_str().unwrap()))
        .collect();
    assert!(actions.contains(&("login", "sshd")), "{acc}");
    assert!(actions.contains(&("privilege", "sudo")), "{acc}");
    assert!(
        actions.contains(&("session_close", "sshd")) || actions.contains(&("session_close", "pam")),
        "{acc}"
    );
    let login = item(&acc, |a| a["action"] == "login");
    assert_eq!(login["from"], "10.0.0.5");
    assert_eq!(login["outcome"], "success");
    assert_eq!(login["method"], "password");
    assert_eq!(login["host"], "srv-anagrafe");
    let (_, failed) = admin
        .get(&format!(
            "/api/v1/entities/{abano}/access-events?outcome=failure"
        ))
        .await;
    assert_eq!(failed["total"], 1, "{failed}");
    assert_eq!(failed["items"][0]["user"], "admin");
    assert_eq!(failed["items"][0]["from"], "203.0.113.9");
    let (s, bad) = admin
        .get(&format!(
            "/api/v1/entities/{abano}/access-events?outcome=forse"
        ))
        .await;
    assert_eq!(s, 422, "{bad}");

    // The gap in the sequence numbers (1, then 3) is counted.
    let (_, st) = admin.get("/api/v1/logs/status").await;
    assert_eq!(st["sequence_gaps"], 1, "{st}");
    assert_eq!(st["received"], st["committed"], "{st}");

    // TLS with a client certificate registered by its fingerprint: the message goes to Borgo
    // although its address is Abano's.
    let fingerprint = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(der(&client.0)));
    let (s, src) = admin
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{borgo}/log-sources"),
            json!({"name": "Firewall municipio", "fingerprint": fingerprint}),
        )
        .await;
    assert_eq!(s, 201, "{src}");
    tls_send(
        bound.tls.unwrap(),
        &server.0,
        Some(&client),
        &octets("<134>1 2026-12-04T11:00:00Z fw-borgo - - - - date=2026-12-04 time=11:00:00 devname=\"FGT60F\" logid=\"0100032001\" type=\"event\" subtype=\"system\" level=\"information\" logdesc=\"Admin login successful\" user=\"admin\" ui=\"https(10.1.1.5)\" method=\"https\" srcip=10.1.1.5 action=\"login\" status=\"success\" msg=\"Administrator admin logged in successfully from https(10.1.1.5)\""),
    )
    .await;
    // Without a client certificate the same connection is Abano's (by address).
    tls_send(
        bound.tls.unwrap(),
        &server.0,
        None,
        b"<13>Dec  4 11:01:00 srv-anagrafe app: via TLS senza certificato\n",
    )
    .await;
    committed(&admin, 10).await;
    let (_, b_page) = admin.get(&format!("/api/v1/entities/{borgo}/logs")).await;
    assert_eq!(b_page["total"], 1, "{b_page}");
    assert_eq!(b_page["items"][0]["transport"], "tls");
    let (_, a_page) = admin
        .get(&format!("/api/v1/entities/{abano}/logs?q=via%20TLS"))
        .await;
    assert_eq!(a_page["total"], 1, "{a_page}");

    // Scope: another entity's contact does not see Abano at all; Abano's contact does.
    let outsider = app
        .api(&app.user("esterno", "contact", &[borgo]).await)
        .await;
    let (s, _) = outsider
        .get(&format!("/api/v1/entities/{abano}/logs"))
        .await;
    assert_eq!(s, 404);
    let (s, _) = outsider
        .get(&format!("/api/v1/entities/{abano}/access-events"))
        .await;
    assert_eq!(s, 404);
    // The entity's titolare (marked by staff) reads its own.
    let ced = app.user("ced-abano", "contact", &[abano]).await;
    let (s, marked) = admin
        .send_json(
            Method::PUT,
            &format!("/api/v1/entities/{abano}/log-reviewers"),
            json!({"user_id": ced.id, "kind": "titolare"}),
        )
        .await;
    assert_eq!(s, 200, "{marked}");
    let own = app.api(&ced).await;
    let (s, mine) = own
        .get(&format!("/api/v1/entities/{abano}/access-events"))
        .await;
    assert_eq!(s, 200, "{mine}");
    let (s, _) = own.get("/api/v1/log-quarantine").await;
    assert_eq!(s, 403);
    let (s, refused) = own
        .send_json(
            Method::POST,
            &format!("/api/v1/entities/{abano}/log-sources"),
            json!({"name": "Mio", "address": "192.0.2.1"}),
        )
        .await;
    assert_eq!(s, 403, "{refused}");

    // The metrics say the same.
    let metrics = reqwest::get(format!("{}/metrics", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("cst_syslog_messages_committed_total 10"),
        "{metrics}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Sends `bytes` over TLS, trusting `server_pem`, presenting `client` if given.
async fn tls_send(
    addr: SocketAddr,
    server_pem: &[u8],
    client: Option<&(Vec<u8>, Vec<u8>)>,
    bytes: &[u8],
) {
    use rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls::pki_types::CertificateDer::from_pem_slice(server_pem).unwrap())
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots);
    let config = match client {
        Some((cert, key)) => builder
            .with_client_auth_cert(
                vec![rustls::pki_types::CertificateDer::from_pem_slice(cert).unwrap()],
                rustls::pki_types::PrivateKeyDer::from_pem_slice(key).unwrap(),
            )
            .unwrap(),
        None => builder.with_no_client_auth(),
    };
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    tls.write_all(bytes).await.unwrap();
    tls.shutdown().await.unwrap();
}

/// The log store of a test app, opened for SQL (the tampering an attacker with database
/// access would do).
pub(crate) async fn raw_store(app: &TestApp) -> sqlx::AnyPool {
    let url = match logs::store::Location::of(&app.testdb.url).unwrap() {
        logs::store::Location::Sqlite(p) => format!("sqlite://{}", p.display()),
        logs::store::Location::Postgres(u) => u,
    };
    sqlx::AnyPool::connect(&url).await.unwrap()
}

pub(crate) fn verify(app: &TestApp) -> (bool, String) {
    crate::log_exports::run(&["logs", "verify", "--database"], &app.testdb.url)
}

async fn set_data(pool: &sqlx::AnyPool, segment: i64, data: &[u8]) {
    sqlx::query("UPDATE log_segments SET data = $1 WHERE id = $2")
        .bind(data.to_vec())
        .bind(segment)
        .execute(pool)
        .await
        .unwrap();
}

async fn delete_segment(pool: &sqlx::AnyPool, segment: i64) {
    sqlx::query("DELETE FROM log_segments WHERE id = $1")
        .bind(segment)
        .execute(pool)
        .await
        .unwrap();
}

async fn the_log_store_is_tamper_evident(b: Backend) {
    let app = receiving(b, None).await;
    let tcp = app.syslog.as_ref().unwrap().bound.tcp.unwrap();
    let admin = app.api(&app.user("capo", "admin", &[]).await).await;
    // Three batches, so three segments in the quarantine's chain.
    let mut all = Vec::new();
    for i in 0..30 {
        all.extend(format!("<13>Dec  4 10:00:00 host app: messaggio {i}\n").into_bytes());
    }
    tcp_send(tcp, &all).await;
    committed(&admin, 30).await;
    tcp_send(tcp, b"<13>Dec  4 10:00:01 host app: secondo\n").await;
    committed(&admin, 31).await;
    tcp_send(tcp, b"<13>Dec  4 10:00:02 host app: terzo\n").await;
    committed(&admin, 32).await;
    let (ok, said) = verify(&app);
    assert!(ok, "{said}");
    assert!(said.contains("32 messages in 3 batches"), "{said}");

    let pool = raw_store(&app).await;
    let segments: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT id, data FROM log_segments ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(segments.len(), 3);
    // One message's text changed, the segment compressed again as the store writes it.
    let (first, stored) = segments[0].clone();
    let mut data = logs::store::segment::unpack(&stored).unwrap().into_owned();
    let at = data.windows(11).position(|w| w == b"messaggio 4").unwrap();
    data[at..at + 11].copy_from_slice(b"messaggio X");
    set_data(&pool, first, &logs::store::segment::pack(&data)).await;
    let (ok, said) = verify(&app);
    assert!(!ok);
    assert!(
        said.contains(&format!("blocco {first}")) && said.contains("alterati"),
        "{said}"
    );
    // The middle segment removed: the chain no longer links.
    delete_segment(&pool, segments[1].0).await;
    let (_, said) = verify(&app);
    assert!(said.contains("non segue il blocco precedente"), "{said}");
    // The last one removed too: the chain is shorter than its head says.
    delete_segment(&pool, segments[2].0).await;
    let (_, said) = verify(&app);
    assert!(said.contains("troncata"), "{said}");
    // A blob cut short.
    set_data(&pool, first, &segments[0].1[..40]).await;
    let (ok, said) = verify(&app);
    assert!(!ok);
    assert!(
        said.contains("illeggibile") || said.contains("troncato"),
        "{said}"
    );
    pool.close().await;
}
