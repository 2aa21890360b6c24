//! `cst serve`: migrate, start the background work, serve until SIGTERM or Ctrl-C.

use std::io::Write;
use std::net::SocketAddr;

use anyhow::{Context, Result};

use super::{open, redact, MailArgs, SyslogArgs};

pub async fn run(
    url: &str,
    listen: SocketAddr,
    demo: bool,
    mut config: web::WebConfig,
    mail: &MailArgs,
    syslog: &SyslogArgs,
) -> Result<()> {
    let db = open(url).await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let log_store = logs::LogStore::open(url)
        .await
        .context("opening the log store")?;
    let exports = super::syslog::exports_target(syslog.log_exports.as_deref(), &log_store)
        .context("--log-exports")?;
    let mut tasks =
        crate::background::spawn(&db, &mail.settings()?, (&log_store, &exports), &stop_rx)?;
    let (ingest, writer) = match syslog.listen()? {
        None => (None, None),
        Some(l) => {
            let (ingest, writer, bound) =
                crate::background::receive_syslog(&db, &log_store, &l, &stop_rx, &mut tasks)
                    .await?;
            for (what, addr) in [("UDP", bound.udp), ("TCP", bound.tcp), ("TLS", bound.tls)] {
                if let Some(a) = addr {
                    println!("cst receiving syslog over {what} on {a}");
                }
            }
            (Some(ingest), Some(writer))
        }
    };
    if let (Some(url), Some(token)) = (&syslog.syslog_forward, &syslog.syslog_forward_token) {
        println!("cst forwarding its log store to {url}");
        tasks.push(tokio::spawn(logs::relay::forward(
            log_store.clone(),
            logs::relay::Forward {
                url: url.clone(),
                token: token.clone(),
            },
            stop_rx.clone(),
        )));
    }
    if demo {
        config.demo_logins = crate::demo::load(&db).await.context("loading demo data")?;
        crate::demo_logs::load(&db, &log_store)
            .await
            .context("loading the demo's logs")?;
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!(
        "cst listening on http://{addr}/ (database: {})",
        redact(url)
    );
    for (u, p, what) in &config.demo_logins {
        println!("  demo login: {u} / {p}  ({what})");
    }
    std::io::stdout().flush()?;
    let logs_state = web::LogsState {
        store: log_store.clone(),
        ingest,
        exports,
    };
    let state = web::AppState::new(db.clone(), logs_state, config);
    let served = web::serve(listener, state, shutdown_signal()).await;
    // The job runner finishes the job in hand; an unfinished one is claimed again after its
    // lease on the next start. The receivers stop reading and the log writer commits what it
    // was given.
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    if let Some(w) = writer {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(30), w).await;
    }
    log_store.close().await;
    served?;
    db.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
