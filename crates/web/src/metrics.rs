//! `/metrics` in Prometheus' text format: requests by route, method and status with latency
//! histograms (this process, since it started), the job queue by kind and state and the
//! e-mails sent and failed (the database's, shared by every process), and the database pool.
//! Counts only: no entity, person or text appears here.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default, Clone)]
struct Histogram {
    /// Observations at or below each bucket (not cumulative; summed when written).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            self.buckets[i] += 1;
        }
        self.count += 1;
        self.sum += seconds;
    }
}

/// The request counters of this process.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), Histogram>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut m = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        m.entry((method.to_owned(), route.to_owned(), status))
            .or_default()
            .observe(seconds);
    }

    fn write_requests(&self, out: &mut String) {
        let m = self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        out.push_str("# HELP cst_http_requests_seconds Requests served by this process, by route, method and status.\n");
        out.push_str("# TYPE cst_http_requests_seconds histogram\n");
        for ((method, route, status), h) in &m {
            let labels = format!(
                "method=\"{method}\",route=\"{}\",status=\"{status}\"",
                escape(route)
            );
            let mut cumulative = 0;
            for (b, n) in BUCKETS.iter().zip(h.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "cst_http_requests_seconds_bucket{{{labels},le=\"{b}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "cst_http_requests_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "cst_http_requests_seconds_sum{{{labels}}} {}", h.sum);
            let _ = writeln!(
                out,
                "cst_http_requests_seconds_count{{{labels}}} {}",
                h.count
            );
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Times every request under its route's pattern (`/api/v1/entities/{id}`, never the id).
pub async fn track(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let resp = next.run(req).await;
    s.metrics.observe(
        &method,
        &route,
        resp.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    resp
}

/// Counters for Prometheus (text exposition format 0.0.4).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn scrape(State(s): State<AppState>) -> Response {
    let mut out = String::new();
    s.metrics.write_requests(&mut out);
    match worker::admin::counts(&s.db).await {
        Ok(counts) => {
            out.push_str("# HELP cst_jobs Background jobs in the database, by kind and state.\n");
            out.push_str("# TYPE cst_jobs gauge\n");
            for (kind, state, n) in &counts {
                let _ = writeln!(
                    out,
                    "cst_jobs{{kind=\"{}\",state=\"{state}\"}} {n}",
                    escape(kind)
                );
            }
            let mail = |state: &str| {
                counts
                    .iter()
                    .filter(|(k, st, _)| k == mail::SEND_JOB && st == state)
                    .map(|(_, _, n)| n)
                    .sum::<i64>()
            };
            out.push_str("# HELP cst_emails_sent_total E-mails sent.\n# TYPE cst_emails_sent_total counter\n");
            let _ = writeln!(out, "cst_emails_sent_total {}", mail("done"));
            out.push_str("# HELP cst_emails_failed_total E-mails given up after every attempt.\n# TYPE cst_emails_failed_total counter\n");
            let _ = writeln!(out, "cst_emails_failed_total {}", mail("failed"));
            out.push_str("# HELP cst_emails_queued E-mails waiting to be sent.\n# TYPE cst_emails_queued gauge\n");
            let _ = writeln!(out, "cst_emails_queued {}", mail("queued"));
        }
        Err(e) => tracing::warn!("metrics: jobs not readable: {e}"),
    }
    write_syslog(&s, &mut out);
    let pool = s.db.pool();
    let (size, idle) = (pool.size(), pool.num_idle());
    out.push_str("# HELP cst_db_pool_connections Database connections of this process.\n# TYPE cst_db_pool_connections gauge\n");
    let _ = writeln!(out, "cst_db_pool_connections{{state=\"idle\"}} {idle}");
    let _ = writeln!(
        out,
        "cst_db_pool_connections{{state=\"in_use\"}} {}",
        (size as usize).saturating_sub(idle)
    );
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

/// The syslog receivers' counters of this process (none when it does not receive).
fn write_syslog(s: &AppState, out: &mut String) {
    if s.logs.ingest.is_none() {
        return;
    }
    let st = crate::capabilities::logs::api::status_of(s);
    let counters = [
        (
            "cst_syslog_messages_received_total",
            "Syslog frames read off the sockets.",
            st.received,
        ),
        (
            "cst_syslog_messages_committed_total",
            "Syslog messages committed to the log store.",
            st.committed,
        ),
        (
            "cst_syslog_batches_total",
            "Log batches committed.",
            st.batches,
        ),
        (
            "cst_syslog_quarantined_total",
            "Messages committed from unknown sources.",
            st.quarantined,
        ),
        (
            "cst_syslog_access_events_total",
            "Access events read out of messages.",
            st.access_events,
        ),
        (
            "cst_syslog_sequence_gaps_total",
            "Gaps found in senders' sequence numbers.",
            st.sequence_gaps,
        ),
        (
            "cst_syslog_truncated_total",
            "Over-long messages cut to 64 KiB.",
            st.truncated,
        ),
        (
            "cst_syslog_framing_errors_total",
            "Connections closed for a broken octet count.",
            st.framing_errors,
        ),
        (
            "cst_syslog_tls_failures_total",
            "Failed TLS handshakes.",
            st.tls_failures,
        ),
        (
            "cst_syslog_udp_dropped_total",
            "Datagrams the kernel dropped on the UDP socket.",
            st.udp_dropped,
        ),
        (
            "cst_syslog_write_errors_total",
            "Failed log commits (each retried).",
            st.write_errors,
        ),
    ];
    for (name, help, v) in counters {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP cst_syslog_connections Open syslog TCP/TLS connections.\n# TYPE cst_syslog_connections gauge\ncst_syslog_connections {}",
        st.connections
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_in_the_text() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/entities/{id}", 200, 0.003);
        m.observe("GET", "/api/v1/entities/{id}", 200, 0.2);
        let mut out = String::new();
        m.write_requests(&mut out);
        let l = "method=\"GET\",route=\"/api/v1/entities/{id}\",status=\"200\"";
        assert!(out.contains(&format!(
            "cst_http_requests_seconds_bucket{{{l},le=\"0.005\"}} 1\n"
        )));
        assert!(out.contains(&format!(
            "cst_http_requests_seconds_bucket{{{l},le=\"0.25\"}} 2\n"
        )));
        assert!(out.contains(&format!("cst_http_requests_seconds_count{{{l}}} 2\n")));
    }
}
