//! `cst serve`: migrate, start the background work, serve until SIGTERM or Ctrl-C.

use std::io::Write;
use std::net::SocketAddr;

use anyhow::{Context, Result};

use super::{open, redact, MailArgs};

pub async fn run(
    url: &str,
    listen: SocketAddr,
    demo: bool,
    mut config: web::WebConfig,
    mail: &MailArgs,
) -> Result<()> {
    let db = open(url).await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let tasks = crate::background::spawn(&db, &mail.settings()?, &stop_rx)?;
    if demo {
        config.demo_logins = crate::demo::load(&db).await.context("loading demo data")?;
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
    let state = web::AppState::new(db.clone(), config);
    let served = web::serve(listener, state, shutdown_signal()).await;
    // The job runner finishes the job in hand; an unfinished one is claimed again after its
    // lease on the next start.
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
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
