//! The demo's system logs: Padova's file server sends its messages to the centre; the demo's
//! contact is marked as Padova's titolare, one system administrator is named, and ten days of
//! logins (some failed, some by other accounts) are stored, so that the review page has
//! something to show. Loaded once, when the source is not there yet.

use std::sync::Arc;

use anyhow::Result;
use db::Db;
use kernel::Actor;

const PEER: &str = "192.0.2.10";

pub async fn load(db: &Db, store: &logs::LogStore) -> Result<()> {
    let actor = Actor::system("demo");
    let padova = crate::demo::by_istat(db, &actor, "028060").await?.id;
    if !logs::sources::of_entity(db, &actor, padova)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    logs::sources::create(
        db,
        &actor,
        padova,
        &logs::SourceDraft {
            name: "File server del Comune".into(),
            address: Some(PEER.into()),
            fingerprint: None,
            time_zone: None,
            expected_minutes: None,
            ticket_on_silence: false,
            relay: false,
        },
    )
    .await?;
    if let Ok(u) = accounts::store::by_username(db, "referente").await {
        logs::review::set_reviewer(db, &actor, padova, u.id, Some("titolare")).await?;
    }
    logs::review::add_admin(
        db,
        &actor,
        padova,
        "Marco Galli",
        &["mgalli".to_owned(), "PADOVA\\mgalli".to_owned()],
        "Amministratore di sistema, Ditta Galli Informatica",
    )
    .await?;
    let sources = logs::sources::all(db).await?;
    let map = logs::ingest::SourceMap::new(&sources);
    let peer: Arc<str> = Arc::from(PEER);
    let from = map.resolve(PEER.parse()?, None);
    let now = chrono::Utc::now();
    let mut chunk = logs::ingest::Chunk::with_capacity(16 * 1024);
    for day in (1..=10).rev() {
        let at = now - chrono::Duration::days(day) + chrono::Duration::minutes(day * 7);
        let stamp = at.format("%Y-%m-%dT%H:%M:%SZ");
        let lines = [
            format!("<86>1 {stamp} fs-padova sshd 4101 - - Accepted publickey for mgalli from 10.20.0.15 port 51{day:03} ssh2: ED25519 SHA256:q2w3e4"),
            format!("<86>1 {stamp} fs-padova sudo - - - mgalli : TTY=pts/0 ; PWD=/home/mgalli ; USER=root ; COMMAND=/usr/bin/systemctl restart smbd"),
            format!("<86>1 {stamp} fs-padova sshd 4102 - - Accepted password for backup from 10.20.0.40 port 40{day:03} ssh2"),
            format!("<30>1 {stamp} fs-padova smbd 880 - - connessione da 10.20.3.{day} chiusa"),
        ];
        for l in &lines {
            chunk.add(l.as_bytes(), &peer, &from, at.timestamp_micros());
        }
        if day % 3 == 0 {
            let l = format!("<86>1 {stamp} fs-padova sshd 4103 - - Failed password for mgalli from 10.20.0.15 port 52{day:03} ssh2");
            chunk.add(l.as_bytes(), &peer, &from, at.timestamp_micros());
        }
    }
    let (ingest, done) = logs::Ingest::start(store, map, kernel::time::Clock::system())?;
    ingest
        .send(chunk.into_records(logs::ingest::Transport::Tcp))
        .await?;
    drop(ingest);
    let _ = done.await;
    Ok(())
}
