//! `GET /metrics`: Prometheus text exposition (format 0.0.4) through the `metrics` facade and its
//! Prometheus exporter: request counts by route template and status class, a latency histogram by route,
//! requests in flight, the connection pool, and the tile cache.
//!
//! Routes are labelled by their template (`/collections/{collection}/items/{fid}`), never by the path as
//! requested, so the number of series stays fixed whatever clients send.
//!
//! Each router has its own recorder (not the process-wide one `metrics` installs globally), so that
//! routers in one process, such as the tests' apps, count apart. Values held elsewhere (the pool, the tile
//! cache's counters) are copied into it when scraped.

use super::AppState;
use crate::tilecache::CacheStats;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics::{
    counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram, Counter, Gauge, Histogram, Unit,
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Instant;

pub fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(exposition))
}

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 13] = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

const REQUESTS: &str = "landguard_http_requests_total";
const DURATION: &str = "landguard_http_request_duration_seconds";
const IN_FLIGHT: &str = "landguard_http_requests_in_flight";

/// The exporter keeps each latency sample until it is folded into the buckets (at a scrape or an
/// upkeep): folded every this many requests, so that memory stays bounded when nothing scrapes.
const UPKEEP_EVERY: u64 = 1024;

/// The recorder of one router.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    recorded: AtomicU64,
    in_flight: Gauge,
    /// The series of each route template, made on its first request. Every request used to build its
    /// label set (the route as an owned string, twice) and look it up in the registry, several
    /// allocations and hashes per request; a cached tile is cheap enough for that to show (perf).
    routes: RwLock<HashMap<String, Arc<RouteSeries>>>,
}

/// The methods with a label of their own (`method_label`), then "other".
const METHODS: [&str; 8] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"];
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

/// One route template's latency histogram and its request counters by method and status class, each
/// counter registered on first use (so that the exposition lists only the series that occurred).
struct RouteSeries {
    route: String,
    duration: Histogram,
    requests: [[OnceLock<Counter>; CLASSES.len()]; METHODS.len()],
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(DURATION.into()), &BUCKETS)
            .map(PrometheusBuilder::build_recorder)
            // BUCKETS is not empty, the one error this could have; a summary instead would still work.
            .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
        let handle = recorder.handle();
        let in_flight = metrics::with_local_recorder(&recorder, || gauge!(IN_FLIGHT));
        let m = Metrics { recorder, handle, recorded: AtomicU64::new(0), in_flight, routes: RwLock::default() };
        m.with(|| {
            describe_gauge!("landguard_build_info", "The running version.");
            gauge!("landguard_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            describe_counter!(REQUESTS, "Requests answered, by method, route template and status class.");
            describe_histogram!(DURATION, Unit::Seconds, "Time from request to response head, by route template.");
            describe_gauge!(IN_FLIGHT, "Requests being handled now.");
            gauge!(IN_FLIGHT).set(0.0);
            describe_gauge!("landguard_db_pool_connections", "Database connections of the pool, by state.");
            describe_gauge!("landguard_db_pool_size", "Open database connections (idle and in use).");
            describe_gauge!("landguard_db_pool_max_connections", "The pool's bound (setting pool_size).");
            describe_counter!("landguard_tile_cache_hits_total", "Tile requests answered from the cache.");
            describe_counter!(
                "landguard_tile_cache_misses_total",
                "Tile requests that did not find their tile (rendered, or waited for a render of the same tile)."
            );
            describe_counter!("landguard_tile_cache_renders_total", "Tiles rendered by the database.");
            describe_counter!(
                "landguard_tile_cache_evictions_total",
                "Tiles dropped from the cache: to stay under its byte bound (size) or because their collection changed (stale)."
            );
            describe_counter!("landguard_tile_cache_not_modified_total", "Tile requests answered 304.");
            describe_counter!(
                "landguard_tile_version_leased_total",
                "Tile requests whose data version came from a lease held on the collection, without a query."
            );
            describe_gauge!("landguard_tile_cache_entries", "Tiles in the cache.");
            describe_gauge!("landguard_tile_cache_bytes", Unit::Bytes, "Bytes the cache's tiles count against its bound.");
            describe_gauge!("landguard_tile_cache_capacity_bytes", Unit::Bytes, "The bound (setting tile_cache_bytes).");
        });
        m
    }
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
    /// Runs `f` with this router's recorder behind the `metrics` macros.
    fn with<T>(&self, f: impl FnOnce() -> T) -> T {
        metrics::with_local_recorder(&self.recorder, f)
    }

    /// The series of a route template (made and kept on its first request).
    fn series(&self, route: &str) -> Arc<RouteSeries> {
        if let Some(s) = self.routes.read().unwrap_or_else(|p| p.into_inner()).get(route) {
            return s.clone();
        }
        let mut routes = self.routes.write().unwrap_or_else(|p| p.into_inner());
        routes
            .entry(route.to_string())
            .or_insert_with(|| {
                Arc::new(RouteSeries {
                    route: route.to_string(),
                    duration: self.with(|| histogram!(DURATION, "route" => route.to_string())),
                    requests: Default::default(),
                })
            })
            .clone()
    }

    pub fn record(&self, method: &'static str, route: &str, status: u16, seconds: f64) {
        self.record_in(&self.series(route), method, status, seconds);
    }

    fn record_in(&self, series: &RouteSeries, method: &'static str, status: u16, seconds: f64) {
        let m = METHODS.iter().position(|l| *l == method).unwrap_or(METHODS.len() - 1);
        let class = status_class(status);
        let c = CLASSES.iter().position(|l| *l == class).unwrap_or(CLASSES.len() - 1);
        series.requests[m][c]
            .get_or_init(|| {
                let route = series.route.clone();
                self.with(|| counter!(REQUESTS, "method" => METHODS[m], "route" => route, "status" => CLASSES[c]))
            })
            .increment(1);
        series.duration.record(seconds);
        if self.recorded.fetch_add(1, Ordering::Relaxed) % UPKEEP_EVERY == UPKEEP_EVERY - 1 {
            self.handle.run_upkeep();
        }
    }

    fn in_flight(&self, delta: f64) {
        self.in_flight.increment(delta);
    }

    /// The text exposition; `pools` names each connection pool with (open connections, idle connections,
    /// maximum), `tiles` the tile cache's counters and its capacity in bytes.
    pub fn render(&self, pools: &[PoolGauge], tiles: (CacheStats, usize)) -> String {
        let (t, capacity) = tiles;
        self.with(|| {
            for p in pools {
                let pool = p.name.clone();
                gauge!("landguard_db_pool_connections", "pool" => pool.clone(), "state" => "idle").set(p.idle as f64);
                gauge!("landguard_db_pool_connections", "pool" => pool.clone(), "state" => "in_use")
                    .set(f64::from(p.size).max(p.idle as f64) - p.idle as f64);
                gauge!("landguard_db_pool_size", "pool" => pool.clone()).set(f64::from(p.size));
                gauge!("landguard_db_pool_max_connections", "pool" => pool).set(f64::from(p.max));
            }
            counter!("landguard_tile_cache_hits_total").absolute(t.hits);
            counter!("landguard_tile_cache_misses_total").absolute(t.misses);
            counter!("landguard_tile_cache_renders_total").absolute(t.renders);
            counter!("landguard_tile_cache_evictions_total", "reason" => "size").absolute(t.evictions);
            counter!("landguard_tile_cache_evictions_total", "reason" => "stale").absolute(t.invalidated);
            counter!("landguard_tile_cache_not_modified_total").absolute(t.not_modified);
            counter!("landguard_tile_version_leased_total").absolute(t.leased);
            gauge!("landguard_tile_cache_entries").set(t.entries as f64);
            gauge!("landguard_tile_cache_bytes").set(t.bytes as f64);
            gauge!("landguard_tile_cache_capacity_bytes").set(capacity as f64);
        });
        self.handle.render()
    }
}

/// One connection pool's gauges.
pub struct PoolGauge {
    pub name: String,
    pub size: u32,
    pub idle: usize,
    pub max: u32,
}

impl PoolGauge {
    fn of(name: &str, pool: &sqlx::PgPool) -> PoolGauge {
        PoolGauge {
            name: name.to_string(),
            size: pool.size(),
            idle: pool.num_idle(),
            max: pool.options().get_max_connections(),
        }
    }

    fn of_pages(name: &str, pool: &crate::store::pages::PagePool) -> PoolGauge {
        PoolGauge { name: name.to_string(), size: pool.size(), idle: pool.num_idle(), max: pool.max_connections() }
    }
}

/// Decrements the in-flight gauge however the request ends, including a client that hangs up.
struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight(-1.0);
    }
}

/// Middleware: counts and times every request. The time is to the response head; a streamed page's body
/// is not included (its statement has its own limit, `items_timeout_ms`).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let metrics = &state.metrics;
    let series = metrics.series(req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()));
    let method = method_label(req.method());
    metrics.in_flight(1.0);
    let _guard = InFlight(metrics);
    let start = Instant::now();
    let resp = next.run(req).await;
    metrics.record_in(&series, method, resp.status().as_u16(), start.elapsed().as_secs_f64());
    resp
}

async fn exposition(State(state): State<AppState>, caller: super::auth::Caller) -> Response {
    if !state.settings.metrics_public && caller.0.is_none() {
        return super::error::ApiError::unauthorized(
            "metrics need a token on this server (LANDGUARD_METRICS_PUBLIC=false)",
        )
        .into_response();
    }
    // Every pool the service holds: the primary's, the pages' own (when their limit differs), the lean one
    // (tiles, and pages at the default limit) and each replica's, so that a saturated one shows whichever
    // it is.
    let mut pools = vec![PoolGauge::of("primary", &state.store.pool)];
    if let Some((_, pull)) = &state.store.pull_pool {
        pools.push(PoolGauge::of_pages("pulls", pull));
    }
    if let Some((_, lean)) = &state.store.lean_pool {
        pools.push(PoolGauge::of_pages("lean", lean));
    }
    if let Some(reads) = &state.reads {
        pools.extend(reads.pools().map(|(label, pool)| PoolGauge::of(&format!("replica {label}"), pool)));
    }
    let body = state.metrics.render(&pools, (state.tiles.stats(), state.tiles.capacity()));
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
        let tiles = CacheStats {
            hits: 5,
            misses: 3,
            renders: 2,
            evictions: 1,
            invalidated: 4,
            entries: 2,
            bytes: 900,
            ..CacheStats::default()
        };
        let pools = [
            PoolGauge { name: "primary".into(), size: 3, idle: 1, max: 16 },
            PoolGauge { name: "replica db2:5432".into(), size: 1, idle: 1, max: 8 },
        ];
        let text = m.render(&pools, (tiles, 4096));
        for want in [
            r#"landguard_http_requests_total{method="GET",route="/collections/{collection}/items",status="2xx"} 2"#,
            r#"landguard_http_requests_total{method="GET",route="/collections/{collection}/items",status="5xx"} 1"#,
            r#"landguard_http_request_duration_seconds_bucket{route="/collections/{collection}/items",le="0.005"} 1"#,
            r#"landguard_http_request_duration_seconds_bucket{route="/collections/{collection}/items",le="0.25"} 2"#,
            r#"landguard_http_request_duration_seconds_bucket{route="/collections/{collection}/items",le="+Inf"} 3"#,
            r#"landguard_http_request_duration_seconds_count{route="/collections/{collection}/items"} 3"#,
            "# TYPE landguard_http_request_duration_seconds histogram",
            "# TYPE landguard_http_requests_total counter",
            r#"landguard_db_pool_connections{pool="primary",state="in_use"} 2"#,
            r#"landguard_db_pool_max_connections{pool="primary"} 16"#,
            r#"landguard_db_pool_connections{pool="replica db2:5432",state="idle"} 1"#,
            r#"landguard_db_pool_max_connections{pool="replica db2:5432"} 8"#,
            "landguard_http_requests_in_flight 0",
            "landguard_tile_cache_hits_total 5",
            "landguard_tile_cache_misses_total 3",
            "landguard_tile_cache_renders_total 2",
            r#"landguard_tile_cache_evictions_total{reason="size"} 1"#,
            r#"landguard_tile_cache_evictions_total{reason="stale"} 4"#,
            "landguard_tile_cache_entries 2",
            "landguard_tile_cache_bytes 900",
            "landguard_tile_cache_capacity_bytes 4096",
            &format!(r#"landguard_build_info{{version="{}"}} 1"#, env!("CARGO_PKG_VERSION")),
        ] {
            assert!(text.contains(want), "missing {want} in\n{text}");
        }
        // label values are escaped
        m.record("GET", "a\"b", 200, 0.001);
        assert!(m.render(&[], (CacheStats::default(), 0)).contains(r#"route="a\"b""#));
    }

    #[test]
    fn routers_count_apart() {
        let (a, b) = (Metrics::default(), Metrics::default());
        a.record("GET", "/", 200, 0.001);
        assert!(a.render(&[], (CacheStats::default(), 0)).contains(r#"route="/",status="2xx"} 1"#));
        assert!(!b.render(&[], (CacheStats::default(), 0)).contains(r#"route="/""#));
    }
}
