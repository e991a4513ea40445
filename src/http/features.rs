//! Registry features over HTTP: OGC API Features items and Part 4 writes, lifecycle transitions, history.

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::params::Params;
use super::{base_url, AppState};
use crate::domain::lifecycle::ParcelState;
use crate::domain::registry::{check_feature, Collection};
use crate::domain::time::{today, AsOf};
use crate::store::features::TransitionRequest;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

pub const GEOJSON: &str = "application/geo+json";

pub fn collection(name: &str) -> ApiResult<Collection> {
    name.parse().map_err(|_| {
        ApiError::not_found(format!("no collection '{name}' (collections: farmland_units, construction_parcels)"))
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

fn if_match(headers: &HeaderMap) -> Option<&str> {
    // A precondition that cannot be read (bytes outside visible ASCII) matches no ETag: it must fail as
    // 412, never be dropped, which would turn a conditional write into an unconditional one.
    headers.get(header::IF_MATCH).map(|v| v.to_str().unwrap_or("\"unreadable If-Match\""))
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
fn path_segment(s: &str) -> String {
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

/// A parcel write that does not state its `state` keeps the current one: state moves only by transitions.
async fn keep_state(state: &AppState, c: Collection, fid: &str, value: &mut Value) -> ApiResult<()> {
    if c != Collection::ConstructionParcels {
        return Ok(());
    }
    let Some(props) = value.get_mut("properties").and_then(Value::as_object_mut) else { return Ok(()) };
    if props.get("state").is_none_or(Value::is_null) {
        if let Some(s) = state.store.current_state(fid).await? {
            props.insert("state".into(), json!(s));
        }
    }
    Ok(())
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
    let mut value = json_body(&state.settings, &headers, body)?;
    known_members(c, &value)?;
    keep_state(&state, c, &fid, &mut value).await?;
    let checked =
        check_feature(c, &value, today(), state.settings.feature_limits()).map_err(ApiError::invalid_feature)?;
    let doc = state.store.replace(c, &fid, &checked, if_match(&headers), who.actor(), "replace").await?;
    state.wrote(&who.name).await;
    Ok(feature_response(StatusCode::OK, doc.json.clone(), &doc.etag(), None))
}

/// RFC 7396 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
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
    merge_patch(&mut value, &patch);
    // The merged feature carries the old valid_from; a patch takes effect today unless it says otherwise.
    if patch.pointer("/properties/valid_from").is_none() {
        if let Some(p) = value.get_mut("properties").and_then(Value::as_object_mut) {
            p.remove("valid_from");
        }
    }
    let checked =
        check_feature(c, &value, today(), state.settings.feature_limits()).map_err(ApiError::invalid_feature)?;
    // Without If-Match, the version the patch was merged into is the precondition: a concurrent write in
    // between makes this a 412 rather than silently merging into stale data.
    let etag = current.etag();
    let precondition = if_match(&headers).unwrap_or(&etag);
    let doc = state.store.replace(c, &fid, &checked, Some(precondition), who.actor(), "patch").await?;
    state.wrote(&who.name).await;
    Ok(feature_response(StatusCode::OK, doc.json.clone(), &doc.etag(), None))
}

pub(super) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let c = collection(&coll)?;
    let who = caller.writer()?;
    state.store.delete(c, &fid, if_match(&headers), today(), who.actor()).await?;
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
    if c != Collection::ConstructionParcels {
        return Err(ApiError::not_found(
            "only construction parcels have a lifecycle; farmland classes change by PUT or PATCH",
        ));
    }
    let who = caller.writer()?;
    let value = json_body(&state.settings, &headers, body)?;
    let req = parse_transition(&value)?;
    let doc = state.store.transition(&fid, &req, if_match(&headers), who.actor()).await?;
    state.wrote(&who.name).await;
    Ok(feature_response(StatusCode::OK, doc.json.clone(), &doc.etag(), None))
}

fn parse_transition(v: &Value) -> ApiResult<TransitionRequest> {
    use crate::domain::registry::Problem;
    let mut problems = Vec::new();
    let text = |name: &str| v.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let to = match text("to") {
        None => {
            problems.push(Problem::new("/to", "is required: the state to move to"));
            None
        }
        Some(s) => match s.parse() {
            Ok(st) => Some(st),
            Err(e) => {
                problems.push(Problem::new("/to", format!("{e}")));
                None
            }
        },
    };
    let date = match text("date") {
        None => Some(today()),
        Some(s) => match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) if d > today() => {
                problems
                    .push(Problem::new("/date", format!("{d} is in the future; record a step once it has happened")));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(Problem::new("/date", format!("must be a date YYYY-MM-DD, not '{s}'")));
                None
            }
        },
    };
    let document = text("document").map(str::to_string);
    if document.is_none() {
        problems.push(Problem::new(
            "/document",
            "is required: every step is backed by a report and its review (e.g. 桂环函〔2024〕12号)",
        ));
    }
    // The class a remediation met is known when the parcel leaves the list, from the effect-evaluation
    // report; recording it there keeps the checks from reading an unknown class as first-class land.
    let remediated_for_class = match v.get("remediated_for_class") {
        None | Some(Value::Null) => None,
        Some(c) => match c.as_i64() {
            Some(n @ (1 | 2)) if to.is_none_or(|t| t == ParcelState::Delisted) => Some(n as i16),
            Some(1 | 2) => {
                problems.push(Problem::new(
                    "/remediated_for_class",
                    "is recorded only on the step to delisted / 仅在移出名录（delisted）步骤中记录",
                ));
                None
            }
            _ => {
                problems.push(Problem::new(
                    "/remediated_for_class",
                    format!("must be 1 or 2, the GB 36600-2018 class of use whose targets the remediation met, not {c} / 须为 1 或 2（修复达到的 GB 36600-2018 第一类或第二类用地目标）"),
                ));
                None
            }
        },
    };
    if let Some(obj) = v.as_object() {
        for k in
            obj.keys().filter(|k| !["to", "date", "document", "note", "remediated_for_class"].contains(&k.as_str()))
        {
            problems.push(Problem::new(
                format!("/{k}"),
                "unknown member (known: to, date, document, note, remediated_for_class)",
            ));
        }
    } else {
        problems.push(Problem::new(
            "",
            "body must be an object such as {\"to\": \"listed\", \"date\": ..., \"document\": ...}",
        ));
    }
    match (to, date, document) {
        (Some(to), Some(date), Some(document)) if problems.is_empty() => {
            Ok(TransitionRequest { to, date, document, note: text("note").map(str::to_string), remediated_for_class })
        }
        _ => {
            let mut e = ApiError::invalid_feature(problems);
            e.title = "The transition was refused";
            Err(e)
        }
    }
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

    #[test]
    fn merge_patch_follows_rfc7396() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
    }
}
