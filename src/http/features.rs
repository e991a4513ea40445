//! Registry features over HTTP: OGC API Features items and Part 4 writes, lifecycle transitions, history.

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::params::Params;
use super::{base_url, AppState};
use crate::conditional::{if_match, Precondition};
use crate::domain::registry::{apply_patch, check_feature, Collection};
use crate::domain::time::{today, AsOf};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

pub const GEOJSON: &str = "application/geo+json";

pub fn collection(name: &str) -> ApiResult<Collection> {
    name.parse().map_err(|_| {
        let names: Vec<String> = Collection::all().iter().map(|c| c.to_string()).collect();
        ApiError::not_found(format!("no collection '{name}' (collections: {})", names.join(", ")))
    })
}

/// A JSON request body, with problems told as problem+json rather than as the framework's plain text.
pub fn json_body(
    settings: &crate::config::Settings,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Value> {
    let body = body.map_err(|r| {
        let status = r.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(status, "too-large", "Request body too large", "the body exceeds the service's size limit")
        } else {
            ApiError::bad_request(r.body_text())
        }
    })?;
    if let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if !(mime == "application/json"
            || mime == GEOJSON
            || mime == "application/merge-patch+json"
            || mime.ends_with("+json"))
        {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                format!("send JSON (application/geo+json or application/json), not {mime}"),
            ));
        }
    }
    super::limits::check_json_depth(&body, settings.max_json_depth)?;
    serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "Malformed JSON",
            format!("the body is not valid JSON: {e}"),
        )
    })
}

pub fn feature_response(status: StatusCode, json: String, etag: &str, location: Option<String>) -> Response {
    let mut resp = (status, json).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON));
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    if let Some(loc) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        h.insert(header::LOCATION, loc);
    }
    resp
}

/// A single feature's links, which OGC API Features Part 1 requires (/req/core/f-links): this document, the
/// same feature in the other format, and its collection. The request's own parameters (crs, properties,
/// datetime) are kept so that both links name the same version and representation; only `f` changes.
pub fn feature_links(base: &str, c: Collection, fid: &str, params: &Params, format: super::html::Format) -> Value {
    let url = format!("{base}/collections/{c}/items/{}", path_segment(fid));
    let with_f = |f: Option<&str>| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.extend_pairs(params.pairs().iter().filter(|(k, _)| k != "f"));
        if let Some(f) = f {
            q.append_pair("f", f);
        }
        let q = q.finish();
        if q.is_empty() {
            url.clone()
        } else {
            format!("{url}?{q}")
        }
    };
    let is_html = format == super::html::Format::Html;
    let rel = |this: bool| if this { "self" } else { "alternate" };
    // JSON is the default, but a browser that asks for HTML first is given HTML unless f says otherwise.
    let json_link = json!({"rel": rel(!is_html), "type": GEOJSON, "title": "this feature as GeoJSON",
        "href": with_f(is_html.then_some("json"))});
    let html_link = json!({"rel": rel(is_html), "type": "text/html", "title": "this feature as HTML", "href": with_f(Some("html"))});
    let collection = json!({"rel": "collection", "type": "application/json", "title": format!("the collection {c}"),
        "href": format!("{base}/collections/{c}")});
    if is_html {
        json!([html_link, json_link, collection])
    } else {
        json!([json_link, html_link, collection])
    }
}

/// A feature's GeoJSON (as PostGIS wrote it) with `links` added as its last member.
pub fn with_links(feature: String, links: &Value) -> String {
    match feature.trim_end().strip_suffix('}') {
        Some(head) if head.trim_start().len() > 1 => format!("{head},\"links\":{links}}}"),
        _ => feature,
    }
}

/// A feature id as one URL path segment: anything but unreserved characters is percent-encoded.
pub(crate) fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What a Feature body may hold at its top level. `bbox` and `links` (as a GET answers them) are accepted so
/// that a feature read can be written back; they are ignored.
const FEATURE_MEMBERS: &[&str] = &["type", "id", "geometry", "properties", "bbox", "links"];

/// Unknown top-level members of a Feature body (or of a PATCH) are refused, not ignored: a property written
/// beside `properties` instead of inside it would otherwise be dropped, and the write would store nothing of
/// what was meant.
fn known_members(c: Collection, body: &Value) -> ApiResult<()> {
    use crate::domain::registry::Problem;
    let Some(obj) = body.as_object() else { return Ok(()) };
    let props = crate::store::layers::prop_names(c);
    let problems: Vec<Problem> = obj
        .iter()
        .filter(|(k, _)| !FEATURE_MEMBERS.contains(&k.as_str()))
        .map(|(k, v)| {
            let detail = if props.contains(&k.as_str()) {
                format!(
                    "{k} 是属性，应写在 properties 内 — {k} is a property: it belongs inside \"properties\", as in {}",
                    json!({"properties": {k: v}})
                )
            } else {
                format!(
                    "Feature 顶层不认识的成员 — unknown member at the top level of a Feature (known: {})",
                    FEATURE_MEMBERS.join(", ")
                )
            };
            Problem::new(format!("/{}", k.replace('~', "~0").replace('/', "~1")), detail)
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid_feature(problems))
    }
}

pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(coll): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let c = collection(&coll)?;
    let who = caller.writer()?;
    let value = json_body(&state.settings, &headers, body)?;
    known_members(c, &value)?;
    let checked =
        check_feature(c, &value, today(), state.settings.feature_limits()).map_err(ApiError::invalid_feature)?;
    let doc = state.store.create(c, &checked, who.actor()).await?;
    state.wrote(&who.name).await;
    let location = format!("{}/collections/{c}/items/{}", base_url(&headers), checked.record.code());
    Ok(feature_response(StatusCode::CREATED, doc.json.clone(), &doc.etag(), Some(location)))
}

pub(super) async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let c = collection(&coll)?;
    let who = caller.writer()?;
    let value = json_body(&state.settings, &headers, body)?;
    known_members(c, &value)?;
    let checked =
        check_feature(c, &value, today(), state.settings.feature_limits()).map_err(ApiError::invalid_feature)?;
    let doc = state.store.replace(c, &fid, &checked, if_match(&headers).as_ref(), who.actor(), "replace").await?;
    state.wrote(&who.name).await;
    Ok(feature_response(StatusCode::OK, doc.json.clone(), &doc.etag(), None))
}

pub(super) async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let c = collection(&coll)?;
    let who = caller.writer()?;
    let patch = json_body(&state.settings, &headers, body)?;
    if !patch.is_object() {
        return Err(ApiError::bad_request(
            "a PATCH body is a JSON merge patch: an object such as {\"properties\": {...}}",
        ));
    }
    known_members(c, &patch)?;
    let current = state.store.feature(c, &fid, AsOf::Current).await?;
    let mut value: Value = serde_json::from_str(&current.json).map_err(|_| ApiError::internal())?;
    apply_patch(&mut value, &patch);
    let checked =
        check_feature(c, &value, today(), state.settings.feature_limits()).map_err(ApiError::invalid_feature)?;
    // Without If-Match, the version the patch was merged into is the precondition: a concurrent write in
    // between makes this a 412 rather than silently merging into stale data.
    let etag = current.etag();
    let precondition = if_match(&headers).unwrap_or_else(|| Precondition::exactly(&etag));
    let doc = state.store.replace(c, &fid, &checked, Some(&precondition), who.actor(), "patch").await?;
    state.wrote(&who.name).await;
    Ok(feature_response(StatusCode::OK, doc.json.clone(), &doc.etag(), None))
}

/// DELETE needs a reason, as `?reason=` (any HTTP client can send it) or as a JSON body {"reason": ...}.
pub(super) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let c = collection(&coll)?;
    let who = caller.writer()?;
    let in_query = form_urlencoded::parse(q.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "reason")
        .map(|(_, v)| v.into_owned());
    let in_body = match (&in_query, &body) {
        (None, Ok(b)) if !b.is_empty() => {
            json_body(&state.settings, &headers, body)?.get("reason").and_then(Value::as_str).map(str::to_string)
        }
        _ => None,
    };
    let reason = super::steps::reason(in_query.or(in_body).as_deref())?;
    state.store.delete(c, &fid, if_match(&headers).as_ref(), today(), &reason, who.actor()).await?;
    state.wrote(&who.name).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn transition(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let c = collection(&coll)?;
    if c.description().lifecycle.is_none() {
        return Err(ApiError::not_found(format!("{c} has no lifecycle; its features change by PUT or PATCH")));
    }
    let who = caller.writer()?;
    let value = json_body(&state.settings, &headers, body)?;
    let req = crate::requests::TransitionBody::from_json(&value, today(), c.description())
        .map_err(|p| ApiError::refused(crate::requests::Request::Transition, p))?;
    let doc = state.store.transition(c, &fid, &req, if_match(&headers).as_ref(), who.actor()).await?;
    state.wrote(&who.name).await;
    Ok(feature_response(StatusCode::OK, doc.json.clone(), &doc.etag(), None))
}

pub(super) async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let c = collection(&coll)?;
    caller.reader(&state, c)?;
    Params::parse(q.as_deref(), &["f"])?.only_formats(&["json"])?;
    let json = state
        .reader(&caller)
        .await
        .history(c, &fid)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("{c} has never had a feature '{fid}'")))?;
    let body = format!(r#"{{"collection":"{c}","id":{},"versions":{json}}}"#, json!(fid));
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_added_to_a_feature_and_ids_are_one_path_segment() {
        let links = json!([{"rel": "self"}]);
        let f: Value = serde_json::from_str(&with_links(r#"{"type":"Feature","id":"a"} "#.into(), &links)).unwrap();
        assert_eq!(f["links"], links);
        assert_eq!(f["id"], "a");
        assert_eq!(path_segment("LZ-1.a_b~"), "LZ-1.a_b~");
        assert_eq!(path_segment("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(path_segment("地块"), "%E5%9C%B0%E5%9D%97");
    }
}
