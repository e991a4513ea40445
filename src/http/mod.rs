//! HTTP: one router per resource, merged here. Handlers parse, call the domain and the store, and answer.

pub mod adjustments;
pub mod audit;
pub mod auth;
pub mod checks;
pub mod duties;
pub mod error;
pub mod features;
pub mod html;
pub mod ical;
pub mod import;
pub mod items;
pub mod limits;
pub mod lists;
pub mod map;
pub mod measures;
pub mod meta;
pub mod metrics;
pub mod openapi;
pub mod params;
pub mod report;
pub mod schema;
pub mod search;
pub mod session;
pub mod steps;
pub mod targets;
pub mod tiles;
pub mod trace;

use crate::config::Settings;
use crate::store::Store;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap};
use axum::middleware::from_fn;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// The router's state, behind one `Arc`: axum clones the state into every middleware and extractor of
/// every request, and cloning (then dropping) five reference counts each time showed as ~3 % of a cached
/// tile's CPU (perf, bench/tiles.sh). Its fields are read through `Deref`.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What an [`AppState`] shares.
#[derive(Clone)]
pub struct Shared {
    pub store: Store,
    pub settings: Arc<Settings>,
    /// The vector-tile cache (a shared handle; one per router).
    pub tiles: crate::tilecache::TileCache,
    /// Read replicas, when configured.
    pub reads: Option<Arc<crate::store::replicas::ReadRouter>>,
    /// Request counts, latencies and pool use for `/metrics` (one set per router).
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    /// The state of one router, with a tile cache sized by the settings.
    pub fn new(store: Store, settings: Arc<Settings>) -> AppState {
        let tiles = crate::tilecache::TileCache::new(
            settings.tile_cache_bytes,
            std::time::Duration::from_millis(settings.tile_lease_ms),
        );
        // The statement limits per kind of work follow these settings, however the store was made.
        let store = Store { timeouts: crate::store::Timeouts::from_settings(&settings), ..store };
        AppState(Arc::new(Shared { store, settings, tiles, reads: None, metrics: Arc::default() }))
    }

    pub fn with_replicas(mut self, reads: Option<crate::store::replicas::ReadRouter>) -> AppState {
        Arc::make_mut(&mut self.0).reads = reads.map(Arc::new);
        self
    }

    /// Where a read by this caller goes: a replica, or the primary while a writer's own write has not
    /// reached the replica yet.
    pub async fn reader(&self, caller: &auth::Caller) -> Store {
        match &self.reads {
            None => self.store.clone(),
            Some(r) => r.store_for(&self.store, caller.0.as_ref().map(|p| p.name.as_str())).await,
        }
    }

    /// Called after a committed write, for read-your-writes.
    pub async fn wrote(&self, who: &str) {
        if let Some(r) = &self.reads {
            r.note_write(&self.store, who).await;
        }
    }
}

/// The items of a collection: reads (items.rs) and writes, transitions and history (features.rs). Wired
/// here, above both, so that neither module needs the other's handlers.
fn feature_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/collections/{collection}/items",
            get(items::items).layer(from_fn(html::vary_accept)).post(features::create),
        )
        .route(
            "/collections/{collection}/items/{fid}",
            get(items::item)
                .layer(from_fn(html::vary_accept))
                .put(features::replace)
                .patch(features::patch)
                .delete(features::delete),
        )
        .route("/collections/{collection}/items/{fid}/transitions", post(features::transition))
        .route("/collections/{collection}/items/{fid}/history", get(features::history))
        .route("/collections/{collection}/items/{fid}/transitions/withdraw", post(steps::withdraw))
        .route("/collections/{collection}/items/{fid}/transitions/correct", post(steps::correct))
}

pub fn router(state: AppState) -> Router {
    let body_limit = state.settings.max_body_bytes;
    let cors = cors(&state.settings);
    let router = Router::new()
        .merge(meta::routes())
        .merge(feature_routes())
        // The measures ledger of farmland units (issue 16).
        .merge(measures::routes())
        .merge(checks::routes())
        .merge(duties::routes())
        .merge(targets::routes())
        .merge(report::routes())
        .merge(lists::routes())
        .merge(tiles::routes())
        .merge(map::routes())
        .merge(openapi::routes())
        .merge(audit::routes())
        .merge(session::routes())
        .merge(schema::routes())
        .merge(import::routes())
        .merge(metrics::routes())
        .merge(trace::routes())
        // class adjustment batches (issue 16)
        .merge(adjustments::routes())
        .merge(search::routes())
        .fallback(|| async {
            error::ApiError::not_found("no such resource; the landing page at / lists what there is")
        })
        .layer(DefaultBodyLimit::max(body_limit))
        // gzip at its fastest level: a browser asks for gzip on every tile and page, and at the default level a
        // page of 1 000 features took 53-60 ms for one client against 21-30 ms, for 20 % fewer bytes.
        .layer(tower_http::compression::CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest))
        .layer(axum::middleware::from_fn_with_state(state.clone(), limits::request_timeout))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        // Spans carry the method, route template and path, never headers: the Authorization header
        // holds a bearer token, which must not reach any log.
        // The fields are evaluated only when the span is enabled: a disabled span costs no allocation.
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            tracing::info_span!(
                "request",
                method = %req.method(),
                route = req.extensions().get::<axum::extract::MatchedPath>().map_or("unmatched", |p| p.as_str()),
                path = %req.uri().path()
            )
        }))
        // ...and should anything print the headers anyway, the token and the session cookie show as "Sensitive".
        .layer(tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
        ]))
        .layer(tower_http::sensitive_headers::SetSensitiveResponseHeadersLayer::new([header::SET_COOKIE]));
    match cors {
        Some(c) => router.layer(c).with_state(state),
        None => router.with_state(state),
    }
}

/// The service's listener. Every accepted socket gets TCP_NODELAY: a response goes out in more than one
/// write (headers, then body frames), and without it Nagle's algorithm holds the last small write back until
/// the client's delayed ACK of the first arrives, about 40 ms on Linux, so one client waited ~43 ms for a
/// 1 ms query.
pub async fn listen(addr: &str) -> std::io::Result<Listener> {
    use axum::serve::ListenerExt;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    Ok(listener.tap_io(nodelay as fn(&mut tokio::net::TcpStream)))
}

/// A named listener type rather than `impl Listener`: axum gives the peer's address (`ConnectInfo`, which
/// limits failed sign-ins per address) only for listener types it can see.
pub type Listener = axum::serve::TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)>;

fn nodelay(tcp: &mut tokio::net::TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::warn!(error = %e, "cannot set TCP_NODELAY on an accepted connection");
    }
}

/// Browsers on other origins may read the register (it is public) and, with a token, write to it.
fn cors(settings: &Settings) -> Option<tower_http::cors::CorsLayer> {
    use axum::http::{HeaderName, HeaderValue, Method};
    use tower_http::cors::{AllowOrigin, CorsLayer};
    if settings.cors_origins.is_empty() {
        return None;
    }
    let origin = if settings.cors_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(settings.cors_origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(origin)
            .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_MATCH,
                header::IF_NONE_MATCH,
                header::ACCEPT,
                HeaderName::from_static(auth::CSRF_HEADER),
            ])
            .expose_headers([header::ETAG, header::LOCATION, HeaderName::from_static("content-crs")]),
    )
}

/// The URL this request reached the service at, for absolute links (GIS clients follow them).
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    let proto = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    format!("{proto}://{host}")
}

#[cfg(test)]
mod tests {
    use axum::serve::Listener;

    /// Not a timing test: the socket option itself, on a connection accepted through the service's listener.
    #[tokio::test]
    async fn accepted_connections_have_tcp_nodelay() {
        let mut listener = super::listen("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (server_side, _) = listener.accept().await;
        assert!(server_side.nodelay().unwrap(), "the listener must set TCP_NODELAY on accepted sockets");
        drop(client);
    }
}
