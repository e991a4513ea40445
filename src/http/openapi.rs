//! `/api`: the OpenAPI 3.0 definition of every endpoint, self-contained (every `$ref` is local), so offline
//! tools such as schemathesis and code generators can use it as it is.

use super::error::ApiResult;
use super::params::Params;
use super::{base_url, AppState};
use crate::domain::crs;
use crate::domain::registry::Collection;
use crate::store::layers;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new().route("/api", get(api))
}

async fn api(State(_): State<AppState>, headers: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &["f"])?;
    let mut resp = Json(document(&base_url(&headers))).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/vnd.oai.openapi+json;version=3.0"));
    Ok(resp)
}

fn problem(desc: &str) -> Value {
    json!({"description": desc, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}})
}

fn param(name: &str) -> Value {
    json!({"$ref": format!("#/components/parameters/{name}")})
}

/// The GeoJSON geometry types the catalogue's collections take (in requests and answers).
fn geometry_types() -> Vec<&'static str> {
    use crate::domain::collection::GeometryKind;
    let mut types = Vec::new();
    for c in Collection::all() {
        let kinds: &[&str] = match c.description().geometry {
            GeometryKind::Polygon => &["Polygon", "MultiPolygon"],
            GeometryKind::Point => &["Point"],
        };
        for k in kinds {
            if !types.contains(k) {
                types.push(*k);
            }
        }
    }
    types
}

fn feature_properties(c: Collection) -> Value {
    let mut props = serde_json::Map::new();
    for p in layers::props(c) {
        let t = match p.qtype {
            crate::cql2::QType::String => json!({"type": "string", "nullable": true}),
            crate::cql2::QType::Integer => json!({"type": "integer", "nullable": true}),
            crate::cql2::QType::Number => json!({"type": "number", "nullable": true}),
            crate::cql2::QType::Boolean => json!({"type": "boolean", "nullable": true}),
            crate::cql2::QType::Date => json!({"type": "string", "format": "date", "nullable": true}),
            crate::cql2::QType::Geometry => json!({}),
        };
        let mut t = t;
        t["description"] = json!(p.title);
        if !p.values.is_empty() {
            t["enum"] = json!(p.values);
        }
        props.insert(p.name.into(), t);
    }
    json!({"type": "object", "properties": props})
}

pub fn document(base: &str) -> Value {
    let collections: Vec<&str> = Collection::all().iter().map(|c| c.as_str()).collect();
    // The states of every lifecycle (parcels, sources); the collection's own lifecycle decides which apply.
    let mut states: Vec<&str> = Vec::new();
    for c in Collection::all() {
        let d = c.description();
        for (v, _) in d.lifecycle.as_ref().and_then(|l| d.property(l.property)).map_or(&[][..], |p| p.values) {
            if !states.contains(v) {
                states.push(v);
            }
        }
    }
    let crs_list: Vec<String> = crs::advertised().iter().map(|c| c.uri()).collect();
    let geojson = "application/geo+json";
    let mg_kg = json!({"type": "number", "minimum": 0, "maximum": crate::domain::soil::MAX_MG_KG});
    let read_errors = json!({
        "400": problem("a parameter is malformed or unknown"),
        "401": problem("a token is needed to read this collection on this server"),
        "404": problem("no such collection or feature"),
        "503": problem("the database is unavailable or the query took too long"),
    });
    // Members of a Feature body that are accepted whatever they hold and ignored (a feature as read carries them).
    let ignored = json!({"description": "accepted and ignored"});
    let write_errors = json!({
        "400": problem("the feature was refused; every problem is listed in `errors`"),
        "401": problem("no valid bearer token"),
        "403": problem("the token's role may not write"),
        "404": problem("no such collection or feature"),
        "409": problem("conflict: duplicate code, or a state change outside the lifecycle"),
        "412": problem("If-Match does not match the current ETag"),
        "413": problem("the body is too large"),
        "415": problem("the body is not JSON"),
        "503": problem("the database is unavailable"),
    });
    let mut read_404 = read_errors.clone();
    read_404["304"] = json!({"description": "not modified (If-None-Match matched the current ETag)"});
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "landguard",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "土壤污染风险地块与耕地土壤环境质量类别登记：OGC API - Features (Parts 1, 2, 3, 4), access-rule checks with their legal basis, indicators and vector tiles. Errors are RFC 9457 problem details.",
            "license": {"name": "Apache-2.0"}
        },
        "servers": [{"url": base}],
        "tags": [
            {"name": "Capabilities"}, {"name": "Features"}, {"name": "Registry writes"}, {"name": "Checks"},
            {"name": "Indicators"}, {"name": "Source control"}, {"name": "Tiles"}, {"name": "Operations"}
        ],
        "paths": {
            "/": {"get": {"tags": ["Capabilities"], "summary": "Landing page", "operationId": "getLandingPage", "parameters": [param("f")],
                "responses": {"200": {"description": "links to the API, conformance, collections and the map", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/LinksDocument"}}, "text/html": {"schema": {"type": "string"}}}}, "400": problem("bad parameter")}}},
            "/conformance": {"get": {"tags": ["Capabilities"], "summary": "Conformance classes", "operationId": "getConformance", "parameters": [param("f")],
                "responses": {"200": {"description": "conformance classes", "content": {"application/json": {"schema": {"type": "object", "required": ["conformsTo"], "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}}}}, "text/html": {"schema": {"type": "string"}}}}, "400": problem("bad parameter")}}},
            "/api": {"get": {"tags": ["Capabilities"], "summary": "This OpenAPI document", "operationId": "getApi", "parameters": [param("f")],
                "responses": {"200": {"description": "OpenAPI 3.0", "content": {"application/vnd.oai.openapi+json;version=3.0": {"schema": {"type": "object"}}}}, "400": problem("bad parameter")}}},
            "/collections": {"get": {"tags": ["Capabilities"], "summary": "The collections", "operationId": "getCollections", "parameters": [param("f")],
                "responses": {"200": {"description": "collections", "content": {"application/json": {"schema": {"type": "object", "properties": {"links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}}, "collections": {"type": "array", "items": {"$ref": "#/components/schemas/Collection"}}}}}, "text/html": {"schema": {"type": "string"}}}}, "400": problem("bad parameter")}}},
            "/collections/{collectionId}": {"get": {"tags": ["Capabilities"], "summary": "One collection", "operationId": "getCollection", "parameters": [param("collectionId"), param("f")],
                "responses": {"200": {"description": "the collection", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Collection"}}, "text/html": {"schema": {"type": "string"}}}}, "400": problem("bad parameter"), "404": problem("no such collection")}}},
            "/collections/{collectionId}/queryables": {"get": {"tags": ["Capabilities"], "summary": "Queryable properties (JSON Schema)", "operationId": "getQueryables", "parameters": [param("collectionId"), param("f")],
                "responses": {"200": {"description": "queryables", "content": {"application/schema+json": {"schema": {"type": "object"}}, "text/html": {"schema": {"type": "string"}}}}, "400": problem("bad parameter"), "404": problem("no such collection")}}},
            "/collections/{collectionId}/items": {
                "get": {"tags": ["Features"], "summary": "Features, streamed, keyset-paged", "operationId": "getFeatures",
                    "parameters": [param("collectionId"), param("limit"), param("bbox"), param("bbox-crs"), param("crs"), param("datetime"), param("properties"), param("sortby"), param("filter"), param("filter-lang"), param("filter-crs"), param("cursor"), param("numberMatched"), param("f")],
                    "responses": merge(json!({"200": {"description": "a page of features; `links` has `next` while more remain", "headers": {"Content-Crs": {"schema": {"type": "string"}}, "ETag": {"schema": {"type": "string"}}}, "content": {geojson: {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}, "text/html": {"schema": {"type": "string"}}}}}), &read_404)},
                "post": {"tags": ["Registry writes"], "summary": "Register a feature", "operationId": "createFeature", "security": [{"bearer": []}], "parameters": [param("collectionId")],
                    "requestBody": {"required": true, "content": {geojson: {"schema": {"$ref": "#/components/schemas/FeatureInput"}}, "application/json": {"schema": {"$ref": "#/components/schemas/FeatureInput"}}}},
                    "responses": merge(json!({"201": {"description": "created", "headers": {"Location": {"schema": {"type": "string"}}, "ETag": {"schema": {"type": "string"}}}, "content": {geojson: {"schema": {"$ref": "#/components/schemas/Feature"}}}}}), &write_errors)}
            },
            "/collections/{collectionId}/items/{featureId}": {
                "get": {"tags": ["Features"], "summary": "One feature (optionally as of a date)", "operationId": "getFeature", "parameters": [param("collectionId"), param("featureId"), param("crs"), param("datetime"), param("properties"), param("f")],
                    "responses": merge(json!({"200": {"description": "the feature", "headers": {"ETag": {"schema": {"type": "string"}}, "Content-Crs": {"schema": {"type": "string"}}}, "content": {geojson: {"schema": {"$ref": "#/components/schemas/Feature"}}, "text/html": {"schema": {"type": "string"}}}}}), &read_404)},
                "put": {"tags": ["Registry writes"], "summary": "Replace a feature (a new version from its valid_from)", "operationId": "replaceFeature", "security": [{"bearer": []}], "parameters": [param("collectionId"), param("featureId"), param("If-Match")],
                    "requestBody": {"required": true, "content": {geojson: {"schema": {"$ref": "#/components/schemas/FeatureInput"}}, "application/json": {"schema": {"$ref": "#/components/schemas/FeatureInput"}}}},
                    "responses": merge(json!({"200": {"description": "replaced", "content": {geojson: {"schema": {"$ref": "#/components/schemas/Feature"}}}}}), &write_errors)},
                "patch": {"tags": ["Registry writes"], "summary": "Update a feature with a JSON merge patch", "operationId": "updateFeature", "security": [{"bearer": []}], "parameters": [param("collectionId"), param("featureId"), param("If-Match")],
                    "requestBody": {"required": true, "content": {"application/merge-patch+json": {"schema": {"$ref": "#/components/schemas/FeaturePatch"}}, "application/json": {"schema": {"$ref": "#/components/schemas/FeaturePatch"}}}},
                    "responses": merge(json!({"200": {"description": "updated", "content": {geojson: {"schema": {"$ref": "#/components/schemas/Feature"}}}}}), &write_errors)},
                "delete": {"tags": ["Registry writes"], "summary": "End a feature from today, for a reason (its history stays; never a parcel on the RCR list)", "operationId": "deleteFeature", "security": [{"bearer": []}], "parameters": [param("collectionId"), param("featureId"), param("If-Match"),
                        {"name": "reason", "in": "query", "schema": {"type": "string", "maxLength": 2000}, "description": "why (kept in the audit log); required here or as a JSON body {\"reason\": ...}"}],
                    "responses": merge(json!({"204": {"description": "deleted"}}), &write_errors)}
            },
            "/collections/{collectionId}/items/{featureId}/transitions": {"post": {"tags": ["Registry writes"], "summary": "Move a feature one step through its collection's lifecycle (construction parcels, pollution sources)", "operationId": "transitionParcel", "security": [{"bearer": []}],
                "parameters": [param("collectionId"), param("featureId"), param("If-Match")],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Transition"}}}},
                "responses": merge(json!({"200": {"description": "the feature in its new state", "content": {geojson: {"schema": {"$ref": "#/components/schemas/Feature"}}}}}), &write_errors)}},
            "/collections/{collectionId}/import": {"post": {"tags": ["Registry writes"], "summary": "Import a file (zipped Shapefile, GeoPackage, GeoJSON, CSV/XLSX/ODS with coordinates, KML) all or nothing, as the caller and within their counties; dry_run=true writes nothing", "operationId": "importFile", "security": [{"bearer": []}],
                "parameters": [param("collectionId"),
                    {"name": "dry_run", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "filename", "in": "query", "description": "the file's name; its extension says the format", "schema": {"type": "string"}},
                    {"name": "source_crs", "in": "query", "schema": {"type": "string"}},
                    {"name": "encoding", "in": "query", "schema": {"type": "string"}},
                    {"name": "layer", "in": "query", "schema": {"type": "string"}},
                    {"name": "on_invalid", "in": "query", "schema": {"type": "string", "enum": ["reject", "repair"]}},
                    {"name": "fields", "in": "query", "description": "field:property pairs, comma-separated", "schema": {"type": "string"}},
                    {"name": "ignore", "in": "query", "schema": {"type": "string"}}],
                "requestBody": {"required": true, "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                "responses": {"200": {"description": "dry run: the report", "content": {"application/json": {"schema": {"type": "object"}}}},
                    "201": {"description": "written: the report", "content": {"application/json": {"schema": {"type": "object"}}}},
                    "400": problem("a bad parameter or an empty body"), "401": problem("not signed in"),
                    "403": problem("the role may not write, or features lie outside the caller's counties (report listed)"),
                    "404": problem("no such collection"), "413": problem("larger than max_import_bytes"),
                    "415": problem("a format that cannot be told from filename or Content-Type"),
                    "422": problem("the file was refused (report with every problem feature) or cannot be read"),
                    "503": problem("the database is unavailable")}}},
            "/collections/{collectionId}/items/{featureId}/transitions/withdraw": {"post": {"tags": ["Registry writes"], "summary": "Withdraw the latest lifecycle step, for a reason (it stays in the history as withdrawn)", "operationId": "withdrawStep", "security": [{"bearer": []}],
                "parameters": [param("collectionId"), param("featureId"), param("If-Match")],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 2000}}}}}},
                "responses": merge(json!({"200": {"description": "the feature in the state before the step", "content": {geojson: {"schema": {"$ref": "#/components/schemas/Feature"}}}}}), &write_errors)}},
            "/collections/{collectionId}/items/{featureId}/transitions/correct": {"post": {"tags": ["Registry writes"], "summary": "Correct the document number of the latest lifecycle step (a correction, not a new step)", "operationId": "correctStep", "security": [{"bearer": []}],
                "parameters": [param("collectionId"), param("featureId"), param("If-Match")],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["document", "reason"], "properties": {"document": {"type": "string", "maxLength": 200}, "reason": {"type": "string", "maxLength": 2000}}}}}},
                "responses": merge(json!({"200": {"description": "the feature with the corrected step", "content": {geojson: {"schema": {"$ref": "#/components/schemas/Feature"}}}}}), &write_errors)}},
            "/collections/{collectionId}/items/{featureId}/history": {"get": {"tags": ["Features"], "summary": "Every version of a feature, with who recorded it and when", "operationId": "getHistory", "parameters": [param("collectionId"), param("featureId"), param("f-json")],
                "responses": merge(json!({"200": {"description": "versions, oldest first", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/History"}}}}}), &read_errors)}},
            // Tracing (溯源, docs/source-control.md): nearest first, distances geodesic in metres.
            "/collections/farmland_units/items/{featureId}/nearby-sources": {"get": {"tags": ["Features"], "summary": "Tracing (溯源): the pollution sources, tailings ponds and key supervised units' sites near a farmland unit, nearest first", "operationId": "getNearbySources",
                "parameters": [param("featureId"), param("distance_m"), {"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "the registers as they stood that day; now when absent"}, param("f-json")],
                "responses": merge(json!({"200": {"description": "a FeatureCollection: each feature with collection, id, name, kind or level, pollutants, distance_m, bearing_deg, direction and href; the unit in origin (a priority-protection unit with a note)", "content": {geojson: {"schema": {"type": "object"}}}}}), &read_errors)}},
            "/collections/{sourceCollection}/items/{featureId}/nearby-farmland": {"get": {"tags": ["Features"], "summary": "Tracing (溯源): the farmland units near a pollution source, tailings pond or key supervised unit's site, nearest first, with areas by class", "operationId": "getNearbyFarmland",
                "parameters": [{"name": "sourceCollection", "in": "path", "required": true, "schema": {"type": "string", "enum": ["pollution_sources", "tailings_ponds", "key_supervised_units"]}},
                               param("featureId"), param("distance_m"), {"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "the registers as they stood that day; now when absent"}, param("f-json")],
                "responses": merge(json!({"200": {"description": "a FeatureCollection of farmland units (class, area_m2, area_mu, distance_m, bearing_deg) and summary: units and areas by class in m² and 亩", "content": {geojson: {"schema": {"type": "object"}}}}}), &read_errors)}},
            "/checks/{check}": {"post": {"tags": ["Checks"], "summary": "May this land be rezoned, used for this EIA site, or supplied?", "operationId": "check",
                "parameters": [{"name": "check", "in": "path", "required": true, "schema": {"type": "string", "enum": ["rezoning", "eia-site", "land-supply"]}}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckRequest"}}}},
                "responses": merge(json!({"200": {"description": "the decision with every reason, its rule, legal basis and the features behind it; with its receipt (id, self link, registry, location), kept as sent", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckAnswer"}}}}, "413": problem("body too large"), "415": problem("not JSON"),
                    "422": problem("the query lies outside every county the registry covers (landed_at, suggestion_zh/_en: most often the CRS or axis order)"), "503": problem("the registry has no county outlines loaded, or the database is unavailable")}), &read_errors)}},
            "/checks/{check}/{id}": {"get": {"tags": ["Checks"], "summary": "A check answer as it was given, byte for byte, whatever changed since", "operationId": "getCheckAnswer",
                "parameters": [{"name": "check", "in": "path", "required": true, "schema": {"type": "string", "enum": ["rezoning", "eia-site", "land-supply"]}},
                               {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"}, "description": "the answer's id (its self link)"}],
                "responses": merge(json!({"200": {"description": "the answer as it was sent", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CheckAnswer"}}}}}), &read_errors)}},
            "/soil-grade": {"post": {"tags": ["Checks"], "summary": "A soil sample's GB 15618-2018 grade and, with the crop finding, its farmland class", "operationId": "soilGrade",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["ph", "concentrations"],
                    "properties": {
                        "ph": {"type": "number", "minimum": 0, "maximum": 14},
                        "land": {"type": "string", "nullable": true, "enum": ["paddy", "other", "水田", "其他", null], "description": "required unless land_type is given"},
                        "land_type": {"type": "string", "nullable": true, "enum": ["0101", "0102", "0103", null], "description": "third-survey farmland type instead of land"},
                        "concentrations": {"type": "object", "description": "mg/kg by pollutant; Cd, Hg, As, Pb, Cr set the grade, Cu, Ni, Zn are reported only",
                            "minProperties": 1, "additionalProperties": false,
                            "properties": {"Cd": mg_kg.clone(), "Hg": mg_kg.clone(), "As": mg_kg.clone(), "Pb": mg_kg.clone(),
                                           "Cr": mg_kg.clone(), "Cu": mg_kg.clone(), "Ni": mg_kg.clone(), "Zn": mg_kg.clone()}},
                        "crops": {"type": "string", "nullable": true, "enum": ["compliant", "exceeds", "severe_exceedance", null]}}}}}},
                "responses": merge(json!({"200": {"description": "the grade, the pollutants that set it, each pollutant against its screening and intervention values, and the class when crops is given", "content": {"application/json": {"schema": {"type": "object"}}}}, "413": problem("body too large"), "415": problem("not JSON")}), &read_errors)}},
            "/indicators": {"get": {"tags": ["Indicators"], "summary": "Safe-utilisation rate, priority parcels under control, RCR list by state", "operationId": "getIndicators",
                "parameters": [{"name": "county_code", "in": "query", "schema": {"type": "string", "pattern": "^([0-9]{4}([0-9]{2})?)?$"}, "description": "6-digit county or 4-digit city code; all when absent or empty"},
                               {"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"}}, param("f-json")],
                "responses": merge(json!({"200": {"description": "indicators", "content": {"application/json": {"schema": {"type": "object"}}}}}), &read_errors)}},
            "/collections/{collectionId}/tiles/WebMercatorQuad": {"get": {"tags": ["Tiles"], "summary": "TileJSON 3.0 for the collection's vector tiles", "operationId": "getTileJson", "parameters": [param("collectionId"), param("datetime"), {"name": "f", "in": "query", "schema": {"type": "string", "enum": ["json", "tilejson"]}}],
                "responses": merge(json!({"200": {"description": "TileJSON", "content": {"application/json": {"schema": {"type": "object"}}}}}), &read_errors)}},
            "/collections/{collectionId}/tiles/WebMercatorQuad/{z}/{y}/{x}": {"get": {"tags": ["Tiles"], "summary": "A Mapbox vector tile", "operationId": "getTile",
                "parameters": [param("collectionId"),
                    {"name": "z", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0, "maximum": 22}},
                    {"name": "y", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}},
                    {"name": "x", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}},
                    param("datetime"), {"name": "f", "in": "query", "schema": {"type": "string", "enum": ["mvt"]}}],
                "responses": merge(json!({"200": {"description": "MVT", "content": {"application/vnd.mapbox-vector-tile": {"schema": {"type": "string", "format": "binary"}}}}, "304": {"description": "not modified"}}), &read_errors)}},
            "/search": {"get": {"tags": ["Features"], "summary": "Find what a person types: codes (any case, leading zeros or not), names, county names, lon/lat or Gauss-Krüger coordinates", "operationId": "search",
                "parameters": [{"name": "q", "in": "query", "required": true, "schema": {"type": "string", "maxLength": 100}},
                               {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 20}}, param("f-json")],
                "responses": merge(json!({"200": {"description": "results: coordinates, counties and features, each with label, center and (areas) bbox", "content": {"application/json": {"schema": {"type": "object"}}}}}), &read_errors)}},
            "/health": {"get": {"tags": ["Operations"], "summary": "Liveness and database reachability", "operationId": "getHealth",
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}, "503": problem("the database is unavailable")}}},
            "/metrics": {"get": {"tags": ["Operations"], "summary": "Prometheus text exposition: requests by route and status class, latency, pool use, tile cache", "operationId": "getMetrics",
                "responses": {"200": {"description": "metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
            "/audit": {"get": {"tags": ["Operations"], "summary": "The audit log, newest first (admin tokens only)", "operationId": "getAudit",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "collection", "in": "query", "schema": {"type": "string", "enum": collections}},
                    {"name": "feature_id", "in": "query", "schema": {"type": "string"}},
                    {"name": "actor", "in": "query", "schema": {"type": "string"}, "description": "the token name behind the change"},
                    {"name": "action", "in": "query", "schema": {"type": "string"}, "description": "create, replace, patch, delete, transition, withdraw, correct, import, token.create, token.revoke"},
                    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "first day, inclusive (China Standard Time)"},
                    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "last day, inclusive (China Standard Time)"},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "from a next link"},
                    {"name": "f", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"]}, "description": "csv: every selected entry as one CSV file (also by Accept: text/csv)"}],
                "responses": {"200": {"description": "entries and a next link when more remain; or every selected entry as CSV", "content": {"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}}},
                              "400": problem("a bad parameter"), "401": problem("no or unknown token"), "403": problem("not an admin token"), "503": problem("the database is unavailable")}}}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "a token from `landguard token create`"}},
            "parameters": {
                "collectionId": {"name": "collectionId", "in": "path", "required": true, "schema": {"type": "string", "enum": collections}},
                "featureId": {"name": "featureId", "in": "path", "required": true, "schema": {"type": "string"}, "description": "unit_code or parcel_code"},
                "f": {"name": "f", "in": "query", "schema": {"type": "string", "enum": ["json", "html"]}},
                "f-json": {"name": "f", "in": "query", "schema": {"type": "string", "enum": ["json"]}},
                "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}},
                "bbox": {"name": "bbox", "in": "query", "style": "form", "explode": false, "schema": {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}}, "description": "minx,miny,maxx,maxy in bbox-crs axis order"},
                "bbox-crs": {"name": "bbox-crs", "in": "query", "schema": {"type": "string", "enum": crs_list}},
                "crs": {"name": "crs", "in": "query", "schema": {"type": "string", "enum": crs_list}},
                "datetime": {"name": "datetime", "in": "query", "schema": {"type": "string", "minLength": 1}, "description": "an instant (date or RFC 3339): the registry as it stood then"},
                "properties": {"name": "properties", "in": "query", "schema": {"type": "string"}, "description": "comma-separated property names"},
                "sortby": {"name": "sortby", "in": "query", "schema": {"type": "string", "minLength": 1}, "description": "e.g. -area_m2,county_code"},
                "filter": {"name": "filter", "in": "query", "schema": {"type": "string", "minLength": 1}, "description": "CQL2 expression over the queryables"},
                "filter-lang": {"name": "filter-lang", "in": "query", "schema": {"type": "string", "enum": ["cql2-text", "cql2-json"]}},
                "filter-crs": {"name": "filter-crs", "in": "query", "schema": {"type": "string", "enum": [crs::CRS84]}},
                "cursor": {"name": "cursor", "in": "query", "schema": {"type": "string", "minLength": 1}, "description": "opaque; from a `next` link"},
                "numberMatched": {"name": "numberMatched", "in": "query", "schema": {"type": "boolean"}, "description": "count every match (costs a count query)"},
                "distance_m": {"name": "distance_m", "in": "query", "schema": {"type": "number", "minimum": 0, "default": 3000}, "description": "metres searched around the feature (geodesic); at most the setting trace_max_distance_m (20000), 400 beyond"},
                "If-Match": {"name": "If-Match", "in": "header", "schema": {"type": "string"}, "description": "the ETag the change was based on"}
            },
            "schemas": {
                "Link": {"type": "object", "required": ["href"], "properties": {"href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"}, "title": {"type": "string"}}},
                "LinksDocument": {"type": "object", "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}}}},
                "Collection": {"type": "object", "required": ["id", "links"], "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "itemType": {"type": "string"}, "storageCrs": {"type": "string"}, "crs": {"type": "array", "items": {"type": "string"}}, "extent": {"type": "object"}, "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}}}},
                "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {"pointer": {"type": "string"}, "detail": {"type": "string"}}}}}},
                "Geometry": {"type": "object", "required": ["type", "coordinates"], "properties": {"type": {"type": "string", "enum": geometry_types()}, "coordinates": {"type": "array", "items": {}}}},
                "Feature": {"type": "object", "required": ["type", "geometry", "properties"], "properties": {"type": {"type": "string", "enum": ["Feature"]}, "id": {"type": "string"}, "geometry": {"$ref": "#/components/schemas/Geometry"},
                    "properties": {"anyOf": Collection::all().into_iter().map(feature_properties).collect::<Vec<_>>()},
                    "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}, "description": "on a single feature read: self, alternate (the other format) and collection"}}},
                "FeatureInput": {"type": "object", "required": ["type", "geometry", "properties"], "additionalProperties": false,
                    "properties": {"type": {"type": "string", "enum": ["Feature"]}, "id": ignored, "geometry": {"$ref": "#/components/schemas/Geometry"}, "properties": {"type": "object"},
                        "bbox": ignored, "links": ignored},
                    "description": "farmland_units: unit_code, county_code, class, land_type, measures_in_place, crops_compliant, valid_from, basis_doc. construction_parcels: parcel_code, county_code, name, state (on creation), priority_supervision, key_unit_land, current_use, use_code_system, remediated_for_class, former_industry, valid_from."},
                "FeaturePatch": {"type": "object", "additionalProperties": false, "description": "an RFC 7396 merge patch of a Feature: properties go inside `properties`",
                    "properties": {"type": {"type": "string", "enum": ["Feature"]}, "id": ignored, "geometry": {"$ref": "#/components/schemas/Geometry"}, "properties": {"type": "object"},
                        "bbox": ignored, "links": ignored}},
                "FeatureCollection": {"type": "object", "required": ["type", "features"], "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]}, "features": {"type": "array", "items": {"$ref": "#/components/schemas/Feature"}},
                    "numberReturned": {"type": "integer"}, "numberMatched": {"type": "integer"}, "timeStamp": {"type": "string"}, "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}}}},
                "Transition": {"type": "object", "additionalProperties": false, "required": ["to", "document"], "properties": {"to": {"type": "string", "enum": states}, "date": {"type": "string", "format": "date"}, "document": {"type": "string", "example": "桂环函〔2025〕8号"}, "note": {"type": "string"}, "remediated_for_class": {"type": "integer", "nullable": true, "enum": [1, 2, null], "description": "only on the step to delisted: the GB 36600-2018 class of use whose targets the remediation met"}}},
                "History": {"type": "object", "properties": {"collection": {"type": "string"}, "id": {"type": "string"}, "versions": {"type": "array", "items": {"type": "object"}}}},
                "CheckRequest": {"type": "object", "additionalProperties": false, "properties": {
                    "geometry": {"allOf": [{"$ref": "#/components/schemas/Geometry"}], "nullable": true}, "parcel_code": {"type": "string", "nullable": true}, "crs": {"type": "string", "nullable": true},
                    "current_use": {"type": "string", "nullable": true}, "proposed_use": {"type": "string", "nullable": true, "example": "070101"},
                    "use_code_system": {"type": "string", "nullable": true, "enum": ["ydyh2023", "gbt21010", "gb50137", null]},
                    "project_kind": {"type": "string", "nullable": true, "enum": ["remediation", "heavy_metal", "soil_polluting", "other", null]},
                    "supply": {"type": "string", "nullable": true, "enum": ["transfer", "allocation", "出让", "划拨", null]}, "as_of": {"type": "string", "nullable": true, "format": "date"}}},
                "CheckAnswer": {"type": "object", "required": ["id", "decision", "reasons", "as_of", "query_area_m2", "registry", "location", "links"], "properties": {
                    "id": {"type": "string", "pattern": "^[0-9a-f]{32}$", "description": "the receipt id: GET /checks/{check}/{id} returns this answer as it was sent"},
                    "links": {"type": "array", "items": {"$ref": "#/components/schemas/Link"}, "description": "rel self: /checks/{check}/{id}"},
                    "registry": {"type": "object", "required": ["replica", "read_at", "changes"], "description": "what the answer was read from", "properties": {
                        "replica": {"type": "boolean", "description": "served by a streaming replica (else the primary)"},
                        "read_at": {"type": "string", "format": "date-time"},
                        "replayed_at": {"type": "string", "format": "date-time", "description": "replica only: commit time of the last transaction it had replayed"},
                        "max_lag_secs": {"type": "integer", "description": "replica only: the lag bound it was read under"},
                        "changes": {"type": "object", "description": "per collection: seq (change counter) and changed_at", "additionalProperties": {"type": "object", "properties": {"seq": {"type": "integer"}, "changed_at": {"type": "string"}}}}}},
                    "location": {"type": "object", "required": ["point", "counties", "axes_swapped"], "description": "where the query lies", "properties": {
                        "point": {"type": "object", "description": "a GeoJSON Point inside the query, lon/lat"},
                        "counties": {"type": "array", "items": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}},
                        "crs": {"type": "string", "description": "the CRS the geometry was sent in"},
                        "axes_swapped": {"type": "boolean", "description": "the coordinates were read easting first against the Gauss-Krüger CRS's northing-first order; see note_zh, note_en"},
                        "note_zh": {"type": "string"}, "note_en": {"type": "string"}}},
                    "decision": {"type": "string", "enum": ["allowed", "conditional", "denied"]},
                    "reasons": {"type": "array", "items": {"type": "object", "properties": {"rule": {"type": "string"}, "decision": {"type": "string"}, "basis": {"type": "string"}, "message_zh": {"type": "string"}, "message_en": {"type": "string"},
                        "features": {"type": "array", "items": {"type": "object", "properties": {"collection": {"type": "string"}, "id": {"type": "string"}, "overlap_m2": {"type": "number"}, "overlap_ratio": {"type": "number"}, "distance_m": {"type": "number"}}}}}}},
                    "as_of": {"type": "string", "format": "date"}, "query_area_m2": {"type": "number"}, "query_area_mu": {"type": "number"}}}
            }
        }
    });
    super::targets::openapi_paths(&mut doc, &read_errors, &write_errors);
    super::measures::openapi_paths(&mut doc, &read_errors, &write_errors);
    super::duties::openapi_paths(&mut doc, &read_errors, &write_errors);
    super::adjustments::openapi_paths(&mut doc, &read_errors, &write_errors);
    doc
}

fn merge(mut a: Value, b: &Value) -> Value {
    if let (Some(ao), Some(bo)) = (a.as_object_mut(), b.as_object()) {
        for (k, v) in bo {
            ao.entry(k.clone()).or_insert(v.clone());
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if k == "$ref" {
                        out.push(x.as_str().unwrap_or("").to_string());
                    }
                    refs(x, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    #[test]
    fn every_ref_is_local_and_resolves() {
        let doc = document("http://127.0.0.1:8080");
        let mut out = Vec::new();
        refs(&doc, &mut out);
        assert!(!out.is_empty());
        for r in out {
            let path = r.strip_prefix("#/").unwrap_or_else(|| panic!("remote $ref {r}"));
            let target = doc.pointer(&format!("/{path}"));
            assert!(target.is_some(), "unresolved {r}");
        }
    }
}
