//! `GET /metrics`: Prometheus text exposition (format 0.0.4), written by hand: request counts by route
//! template and status class, a latency histogram by route, requests in flight, and the connection pool.
//!
//! Routes are labelled by their template (`/collections/{collection}/items/{fid}`), never by the path as
//! requested, so the number of series stays fixed whatever clients send.

use super::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

pub fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(exposition))
}

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 13] = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Default)]
struct Histogram {
    /// Count per bucket (not cumulative; summed when written out).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Series {
    /// (method, route, status class) → count
    requests: BTreeMap<(&'static str, String, &'static str), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// The counters of one router. The lock is held for a map update only, never across an await.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<Series>,
    in_flight: AtomicI64,
}

fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        // any other method is a client's invention: one label for all keeps the series bounded
        _ => "other",
    }
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

impl Metrics {
    pub fn record(&self, method: &'static str, route: &str, status: u16, seconds: f64) {
        let Ok(mut s) = self.series.lock() else { return };
        *s.requests.entry((method, route.to_string(), status_class(status))).or_insert(0) += 1;
        let h = s.latency.entry(route.to_string()).or_default();
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            h.buckets[i] += 1;
        }
        h.count += 1;
        h.sum += seconds;
    }

    /// The text exposition; `pool` is (open connections, idle connections, maximum).
    pub fn render(&self, pool: (u32, usize, u32)) -> String {
        let mut out = String::with_capacity(4096);
        let _ = writeln!(out, "# HELP landguard_build_info The running version.\n# TYPE landguard_build_info gauge");
        let _ = writeln!(out, "landguard_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"));
        let _ = writeln!(out, "# HELP landguard_http_requests_total Requests answered, by method, route template and status class.");
        let _ = writeln!(out, "# TYPE landguard_http_requests_total counter");
        if let Ok(s) = self.series.lock() {
            for ((method, route, class), n) in &s.requests {
                let _ = writeln!(
                    out,
                    "landguard_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{class}\"}} {n}",
                    escape(route)
                );
            }
            let _ = writeln!(out, "# HELP landguard_http_request_duration_seconds Time from request to response head, by route template.");
            let _ = writeln!(out, "# TYPE landguard_http_request_duration_seconds histogram");
            for (route, h) in &s.latency {
                let route = escape(route);
                let mut cumulative = 0;
                for (b, n) in BUCKETS.iter().zip(h.buckets.iter()) {
                    cumulative += n;
                    let _ = writeln!(out, "landguard_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {cumulative}");
                }
                let _ = writeln!(out, "landguard_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "landguard_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
                let _ = writeln!(out, "landguard_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
            }
        }
        let _ = writeln!(out, "# HELP landguard_http_requests_in_flight Requests being handled now.");
        let _ = writeln!(out, "# TYPE landguard_http_requests_in_flight gauge");
        let _ = writeln!(out, "landguard_http_requests_in_flight {}", self.in_flight.load(Ordering::Relaxed));
        let (size, idle, max) = pool;
        let idle = idle as u64;
        let size = u64::from(size);
        let _ = writeln!(out, "# HELP landguard_db_pool_connections Database connections of the pool, by state.");
        let _ = writeln!(out, "# TYPE landguard_db_pool_connections gauge");
        let _ = writeln!(out, "landguard_db_pool_connections{{state=\"idle\"}} {idle}");
        let _ = writeln!(out, "landguard_db_pool_connections{{state=\"in_use\"}} {}", size.saturating_sub(idle));
        let _ = writeln!(out, "# HELP landguard_db_pool_size Open database connections (idle and in use).");
        let _ = writeln!(out, "# TYPE landguard_db_pool_size gauge");
        let _ = writeln!(out, "landguard_db_pool_size {size}");
        let _ = writeln!(out, "# HELP landguard_db_pool_max_connections The pool's bound (setting pool_size).");
        let _ = writeln!(out, "# TYPE landguard_db_pool_max_connections gauge");
        let _ = writeln!(out, "landguard_db_pool_max_connections {max}");
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Decrements the in-flight gauge however the request ends, including a client that hangs up.
struct InFlight<'a>(&'a AtomicI64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Middleware: counts and times every request. The time is to the response head; a streamed page's body
/// is not included (its statement has its own limit, `items_timeout_ms`).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_else(|| "unmatched".into());
    let method = method_label(req.method());
    let metrics = state.metrics.clone();
    metrics.in_flight.fetch_add(1, Ordering::Relaxed);
    let _guard = InFlight(&metrics.in_flight);
    let start = Instant::now();
    let resp = next.run(req).await;
    metrics.record(method, &route, resp.status().as_u16(), start.elapsed().as_secs_f64());
    resp
}

async fn exposition(State(state): State<AppState>, caller: super::auth::Caller) -> Response {
    if !state.settings.metrics_public && caller.0.is_none() {
        return super::error::ApiError::unauthorized("metrics need a token on this server (LANDGUARD_METRICS_PUBLIC=false)").into_response();
    }
    let pool = &state.store.pool;
    let body = state.metrics.render((pool.size(), pool.num_idle(), pool.options().get_max_connections()));
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_is_cumulative_and_bounded() {
        let m = Metrics::default();
        m.record("GET", "/collections/{collection}/items", 200, 0.003);
        m.record("GET", "/collections/{collection}/items", 200, 0.2);
        m.record("GET", "/collections/{collection}/items", 503, 40.0);
        m.record("other", "unmatched", 404, 0.001);
        let text = m.render((3, 1, 16));
        assert!(text.contains(r#"landguard_http_requests_total{method="GET",route="/collections/{collection}/items",status="2xx"} 2"#), "{text}");
        assert!(text.contains(r#"status="5xx"} 1"#));
        assert!(text.contains(r#"landguard_http_request_duration_seconds_bucket{route="/collections/{collection}/items",le="0.005"} 1"#));
        assert!(text.contains(r#"landguard_http_request_duration_seconds_bucket{route="/collections/{collection}/items",le="0.25"} 2"#));
        assert!(text.contains(r#"landguard_http_request_duration_seconds_bucket{route="/collections/{collection}/items",le="+Inf"} 3"#));
        assert!(text.contains(r#"landguard_db_pool_connections{state="in_use"} 2"#));
        assert!(text.contains("landguard_db_pool_max_connections 16"));
        assert_eq!(escape("a\"b\\c"), "a\\\"b\\\\c");
    }
}
