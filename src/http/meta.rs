//! Landing page, conformance and the collection catalogue.

use super::error::ApiResult;
use super::features::collection;
use super::html::{self, Format};
use super::params::Params;
use super::{base_url, AppState};
use crate::cql2::QType;
use crate::domain::crs::{self, Crs};
use crate::domain::registry::Collection;
use crate::domain::time::AsOf;
use crate::store::layers;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(landing))
        .route("/conformance", get(conformance))
        .route("/collections", get(collections))
        .route("/collections/{collection}", get(one_collection))
        .route("/collections/{collection}/queryables", get(queryables))
        .route_layer(axum::middleware::from_fn(html::vary_accept))
        .route("/health", get(health))
}

pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
];

fn respond(format: Format, title: &str, doc: Value, body_html: impl FnOnce(&Value) -> String) -> Response {
    match format {
        Format::Json => Json(doc).into_response(),
        Format::Html => html::page(title, &body_html(&doc)),
    }
}

async fn landing(headers: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let params = Params::parse(q.as_deref(), &["f"])?;
    let format = html::format(&params, &headers)?;
    let base = base_url(&headers);
    let doc = json!({
        "title": "landguard",
        "description": "土壤污染风险地块与耕地土壤环境质量类别登记、准入规则核查与“一张图”。Register of polluted and at-risk land with access-rule checks and a one map.",
        "links": [
            {"rel": "self", "type": "application/json", "title": "this document", "href": format!("{base}/")},
            {"rel": "alternate", "type": "text/html", "title": "this document as HTML", "href": format!("{base}/?f=html")},
            {"rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0", "title": "the API definition", "href": format!("{base}/api")},
            {"rel": "conformance", "type": "application/json", "title": "conformance classes", "href": format!("{base}/conformance")},
            {"rel": "data", "type": "application/json", "title": "collections", "href": format!("{base}/collections")},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/map", "type": "text/html", "title": "一张图 web map", "href": format!("{base}/map/")},
        ]
    });
    Ok(respond(format, "landguard", doc, |d| {
        format!("<p>{}</p>{}", html::escape(d["description"].as_str().unwrap_or("")), html::links(d))
    }))
}

async fn conformance(headers: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let params = Params::parse(q.as_deref(), &["f"])?;
    let format = html::format(&params, &headers)?;
    Ok(respond(format, "Conformance", json!({ "conformsTo": CONFORMANCE }), |_| {
        let items: String = CONFORMANCE.iter().map(|c| format!("<li>{}</li>", html::escape(c))).collect();
        format!("<ul>{items}</ul>")
    }))
}

fn describe(base: &str, c: Collection, bbox: Option<[f64; 4]>) -> Value {
    let bbox = bbox.unwrap_or([73.0, 3.0, 136.0, 54.0]);
    json!({
        "id": c.as_str(),
        "title": c.title(),
        "itemType": "feature",
        "extent": {
            "spatial": {"bbox": [bbox], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
            "temporal": {"interval": [[null, null]], "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
        },
        "storageCrs": Crs::STORAGE.uri(),
        "crs": crs::advertised().iter().map(|c| c.uri()).collect::<Vec<_>>(),
        "links": [
            {"rel": "self", "type": "application/json", "title": "this collection", "href": format!("{base}/collections/{c}")},
            {"rel": "alternate", "type": "text/html", "title": "this collection as HTML", "href": format!("{base}/collections/{c}?f=html")},
            {"rel": "items", "type": "application/geo+json", "title": "features", "href": format!("{base}/collections/{c}/items")},
            {"rel": "items", "type": "text/html", "title": "features as HTML", "href": format!("{base}/collections/{c}/items?f=html")},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/queryables", "type": "application/schema+json", "title": "queryables", "href": format!("{base}/collections/{c}/queryables")},
            {"rel": "describedby", "type": "application/schema+json", "title": "feature schema", "href": format!("{base}/collections/{c}/schema")},
            {"rel": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "type": "application/json", "title": "vector tiles (TileJSON)", "href": format!("{base}/collections/{c}/tiles/WebMercatorQuad")},
        ]
    })
}

async fn extent(state: &AppState, c: Collection) -> ApiResult<Option<[f64; 4]>> {
    super::tiles::cached_extent(state, c, AsOf::Current).await
}

async fn collections(State(state): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let params = Params::parse(q.as_deref(), &["f"])?;
    let format = html::format(&params, &headers)?;
    let base = base_url(&headers);
    let mut described = Vec::new();
    for c in Collection::all() {
        described.push(describe(&base, c, extent(&state, c).await?));
    }
    let doc = json!({
        "links": [
            {"rel": "self", "type": "application/json", "title": "collections", "href": format!("{base}/collections")},
            {"rel": "alternate", "type": "text/html", "title": "collections as HTML", "href": format!("{base}/collections?f=html")},
        ],
        "collections": described,
    });
    Ok(respond(format, "Collections", doc, |d| {
        d["collections"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| format!("<h2>{}</h2>{}", html::escape(c["title"].as_str().unwrap_or("")), html::links(c)))
            .collect()
    }))
}

async fn one_collection(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let params = Params::parse(q.as_deref(), &["f"])?;
    let format = html::format(&params, &headers)?;
    let c = collection(&name)?;
    let doc = describe(&base_url(&headers), c, extent(&state, c).await?);
    Ok(respond(format, &c.title(), doc, html::links))
}

/// The queryables as a JSON Schema (OGC API Features Part 3), with no reference to other hosts.
async fn queryables(Path(name): Path<String>, headers: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let params = Params::parse(q.as_deref(), &["f"])?;
    let format = html::format(&params, &headers)?;
    let c = collection(&name)?;
    let base = base_url(&headers);
    let mut properties = serde_json::Map::new();
    for p in layers::props(c) {
        let mut schema = match p.qtype {
            QType::String => json!({"type": "string"}),
            QType::Integer => json!({"type": "integer"}),
            QType::Number => json!({"type": "number"}),
            QType::Boolean => json!({"type": "boolean"}),
            QType::Date => json!({"type": "string", "format": "date"}),
            QType::Geometry => json!({"format": c.description().geometry.schema_format()}),
        };
        schema["title"] = json!(p.title);
        if !p.values.is_empty() {
            schema["enum"] = json!(p.values);
        }
        properties.insert(p.name.to_string(), schema);
    }
    properties.insert(
        "geometry".into(),
        json!({"title": "geometry", "format": c.description().geometry.schema_format(), "x-ogc-role": "primary-geometry"}),
    );
    let doc = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/collections/{c}/queryables"),
        "type": "object",
        "title": c.title(),
        "properties": properties,
        "additionalProperties": false,
    });
    if format == Format::Html {
        let rows: String = doc["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                format!(
                    "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
                    html::escape(k),
                    html::escape(v["title"].as_str().unwrap_or("")),
                    html::escape(&v.to_string())
                )
            })
            .collect();
        return Ok(html::page(&format!("{} — queryables", c.title()), &format!("<table>{rows}</table>")));
    }
    let mut resp = Json(doc).into_response();
    resp.headers_mut()
        .insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/schema+json"));
    Ok(resp)
}

/// 200 while the primary answers. With read replicas it lists them; a replica that is down or behind makes
/// the status "degraded" but not an error, since its reads go elsewhere meanwhile.
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.store.pool).await {
        Ok(_) => {
            let body = match &state.reads {
                None => json!({"status": "ok"}),
                Some(reads) => {
                    let replicas = reads.states();
                    let status = if replicas.iter().all(|r| r.up && !r.behind) { "ok" } else { "degraded" };
                    json!({"status": status, "replicas": replicas})
                }
            };
            (axum::http::StatusCode::OK, Json(body)).into_response()
        }
        Err(e) => super::error::ApiError::from(crate::store::StoreError::from(e)).into_response(),
    }
}
