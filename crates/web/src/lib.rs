//! The web edge: an axum router serving the Italian UI (askama templates in the look of
//! Bootstrap Italia, htmx for partial updates) and the JSON API under `/api/v1/` with its
//! OpenAPI document.
//!
//! **Boundary:** handlers extract, call one use case of a capability crate, and render.
//! No SQL here. The handlers of each capability live in `capabilities/<name>/` (API and
//! pages side by side), which gives its routes to the one table, [`routes::table`], with the
//! access each requires; the router is built only from that table, and the tenant-isolation
//! test walks it. Shared helpers: `api/` (typed bodies, the OpenAPI document) and `pages/`
//! (the layout, flash messages, the home page).

pub mod api;
mod assets;
pub mod auth;
pub mod capabilities;
pub mod client;
mod csrf;
pub mod edge;
pub mod error;
pub mod metrics;
pub mod pages;
pub mod public_limit;
pub mod routes;
mod state;

pub use state::{AppState, ImportRuns, LogsState, WebConfig};

use axum::Router;
use std::net::SocketAddr;

/// The whole application.
pub fn app(state: AppState) -> Router {
    routes::router(state)
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
