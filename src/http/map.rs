//! The one-map viewer: the built web bundle (`web/dist`, or `LANDGUARD_WEB_DIR`) served at `/map/`.
//! `/map` redirects to `/map/` so that the page's relative URLs (app.js, counties.geojson) resolve.

use super::error::ApiError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use std::path::{Path, PathBuf};
use tower::ServiceExt;
use tower_http::services::ServeDir;

/// Where the built viewer is: `LANDGUARD_WEB_DIR`, else `web/dist` (relative to the working directory).
pub fn web_dir() -> PathBuf {
    std::env::var_os("LANDGUARD_WEB_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("web/dist"))
}

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    routes_for(web_dir())
}

fn routes_for<S: Clone + Send + Sync + 'static>(dir: PathBuf) -> Router<S> {
    let index_dir = dir.clone();
    Router::new()
        // Relative, so that it also works behind a reverse proxy that mounts the service under a prefix.
        .route("/map", get(|| async { Redirect::permanent("map/") }))
        .route("/map/", get(move |req: Request| serve(index_dir.clone(), req)))
        .route("/map/{*path}", get(move |req: Request| serve(dir.clone(), req)))
}

fn not_built(dir: &Path) -> Response {
    ApiError::not_found(format!(
        "the map viewer is not built: {} has no index.html; run `make web` (npm ci and the build in web/), \
         or point LANDGUARD_WEB_DIR at a built viewer",
        dir.display()
    ))
    .into_response()
}

async fn serve(dir: PathBuf, req: Request) -> Response {
    if !dir.join("index.html").is_file() {
        return not_built(&dir);
    }
    let (mut parts, body) = req.into_parts();
    let rest = parts.uri.path().strip_prefix("/map").filter(|r| r.starts_with('/')).unwrap_or("/").to_string();
    let path_and_query = match parts.uri.query() {
        Some(q) => format!("{rest}?{q}"),
        None => rest.clone(),
    };
    parts.uri = path_and_query.parse::<Uri>().unwrap_or_else(|_| Uri::from_static("/"));
    let served =
        ServeDir::new(&dir).append_index_html_on_directories(true).oneshot(Request::from_parts(parts, body)).await;
    let resp = match served {
        Ok(resp) => resp,
        Err(never) => match never {},
    };
    if resp.status() == StatusCode::NOT_FOUND {
        return ApiError::not_found(format!("the map viewer has no file '{}'", rest.trim_start_matches('/')))
            .into_response();
    }
    let mut resp = resp.map(Body::new);
    // File names carry no content hash, so browsers revalidate every file (ServeDir answers 304s).
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if rest.ends_with(".geojson") {
        resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/geo+json"));
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn app(dir: &Path) -> Router {
        routes_for(dir.to_path_buf())
    }

    async fn get_path(app: Router, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let resp = app.oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn serves_the_bundle_and_redirects_to_the_slash() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path();
        std::fs::write(dir.join("index.html"), "<!doctype html><title>map</title>").unwrap();
        std::fs::write(dir.join("app.js"), "console.log(1)").unwrap();
        std::fs::write(dir.join("counties.geojson"), "{}").unwrap();

        let (status, headers, _) = get_path(app(dir), "/map").await;
        assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(headers[header::LOCATION], "map/");

        let (status, headers, body) = get_path(app(dir), "/map/?lang=en").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("<title>map</title>"));
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));

        let (status, _, body) = get_path(app(dir), "/map/app.js").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "console.log(1)"));
        let (_, headers, _) = get_path(app(dir), "/map/counties.geojson").await;
        assert_eq!(headers[header::CONTENT_TYPE], "application/geo+json");

        let (status, headers, _) = get_path(app(dir), "/map/missing.js").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
        let (status, _, _) = get_path(app(dir), "/map/../Cargo.toml").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn an_unbuilt_viewer_says_how_to_build_it() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path().join("dist");
        let (status, headers, body) = get_path(app(&dir), "/map/").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
        assert!(body.contains("make web"), "{body}");
    }
}
