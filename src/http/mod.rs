//! HTTP: one router per resource, merged here. Handlers parse, call the domain and the store, and answer.

pub mod auth;
pub mod checks;
pub mod error;
pub mod features;
pub mod html;
pub mod items;
pub mod map;
pub mod meta;
pub mod openapi;
pub mod params;
pub mod tiles;

use crate::config::Settings;
use crate::store::Store;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap};
use axum::Router;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    /// The vector-tile cache (a shared handle; one per router).
    pub tiles: crate::tilecache::TileCache,
}

impl AppState {
    /// The state of one router, with a tile cache sized by the settings.
    pub fn new(store: Store, settings: Arc<Settings>) -> AppState {
        let tiles = crate::tilecache::TileCache::new(settings.tile_cache_bytes);
        AppState { store, settings, tiles }
    }
}

pub fn router(state: AppState) -> Router {
    let body_limit = state.settings.max_body_bytes;
    let cors = cors(&state.settings);
    let router = Router::new()
        .merge(meta::routes())
        .merge(features::routes())
        .merge(checks::routes())
        .merge(tiles::routes())
        .merge(map::routes())
        .merge(openapi::routes())
        .fallback(|| async { error::ApiError::not_found("no such resource; the landing page at / lists what there is") })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http());
    match cors {
        Some(c) => router.layer(c).with_state(state),
        None => router.with_state(state),
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
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_MATCH, header::IF_NONE_MATCH, header::ACCEPT])
            .expose_headers([header::ETAG, header::LOCATION, HeaderName::from_static("content-crs")]),
    )
}

/// The URL this request reached the service at, for absolute links (GIS clients follow them).
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1:8080");
    let proto = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    format!("{proto}://{host}")
}

/// Today in China Standard Time: the day documents are dated in.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}
