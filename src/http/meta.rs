//! Landing page, conformance and the collection catalogue.

use super::error::ApiResult;
use super::features::collection;
use super::params::Params;
use super::{base_url, AppState};
use crate::domain::registry::Collection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(landing))
        .route("/conformance", get(conformance))
        .route("/collections", get(collections))
        .route("/collections/{collection}", get(one_collection))
        .route("/health", get(health))
}

pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
];

async fn landing(headers: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &["f"])?;
    let base = base_url(&headers);
    Ok(Json(json!({
        "title": "landguard",
        "description": "Register of polluted and at-risk land (耕地土壤环境质量类别与建设用地土壤污染风险管控) with access-rule checks",
        "links": [
            {"rel": "self", "type": "application/json", "href": format!("{base}/")},
            {"rel": "conformance", "type": "application/json", "href": format!("{base}/conformance")},
            {"rel": "data", "type": "application/json", "href": format!("{base}/collections")},
        ]
    })))
}

async fn conformance(RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &["f"])?;
    Ok(Json(json!({ "conformsTo": CONFORMANCE })))
}

fn describe(base: &str, c: Collection) -> Value {
    json!({
        "id": c.as_str(),
        "title": c.title(),
        "itemType": "feature",
        "extent": {"spatial": {"bbox": [[73.0, 3.0, 136.0, 54.0]], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
        "storageCrs": "http://www.opengis.net/def/crs/EPSG/0/4490",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "links": [
            {"rel": "self", "type": "application/json", "href": format!("{base}/collections/{c}")},
            {"rel": "items", "type": "application/geo+json", "href": format!("{base}/collections/{c}/items")},
        ]
    })
}

async fn collections(headers: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &["f"])?;
    let base = base_url(&headers);
    Ok(Json(json!({
        "links": [{"rel": "self", "type": "application/json", "href": format!("{base}/collections")}],
        "collections": Collection::ALL.iter().map(|c| describe(&base, *c)).collect::<Vec<_>>(),
    })))
}

async fn one_collection(Path(name): Path<String>, headers: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &["f"])?;
    let c = collection(&name)?;
    Ok(Json(describe(&base_url(&headers), c)))
}

async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.store.pool).await {
        Ok(_) => (axum::http::StatusCode::OK, Json(json!({"status": "ok"}))).into_response(),
        Err(e) => super::error::ApiError::from(crate::store::StoreError::from(e)).into_response(),
    }
}
