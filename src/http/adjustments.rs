//! Class adjustment batches over HTTP (docs/adjustment.md): `POST /adjustments` computes a draft, reviewers
//! override proposals, an editor submits, an approver approves (the changes become unit versions) or rejects.

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::params::Params;
use super::AppState;
use crate::domain::access::Role;
use crate::domain::farmland::FarmlandClass;
use crate::domain::registry::Collection;
use crate::domain::time::today;
use crate::store::adjustments::{Approval, NewBatch, TRIGGERS};
use crate::store::tokens::Principal;
use crate::store::StoreError;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::Router;
use chrono::NaiveDate;
use serde_json::{json, Map, Value};
use std::str::FromStr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/adjustments", get(list).post(create))
        .route("/adjustments/{id}", get(one))
        .route("/adjustments/{id}/proposals", get(proposals))
        .route("/adjustments/{id}/proposals/{unit_code}", patch(override_proposal))
        .route("/adjustments/{id}/submit", post(submit))
        .route("/adjustments/{id}/approve", post(approve))
        .route("/adjustments/{id}/reject", post(reject))
}

fn json_text(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A 400 naming the field, with the reason in Chinese and English.
fn invalid(field: &str, zh: &str, en: &str) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid-value",
        "The request was refused",
        format!("{field}: {zh} / {en}"),
    );
    e.extra.insert("field".into(), json!(field));
    e.extra.insert("detail_zh".into(), json!(format!("{field}：{zh}")));
    e
}

fn body_object(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    allowed: &[&str],
) -> ApiResult<Map<String, Value>> {
    let body = super::features::json_body(&state.settings, headers, body)?;
    let Some(obj) = body.as_object() else {
        return Err(ApiError::bad_request("请求体应为JSON对象 / the body must be a JSON object"));
    };
    if let Some(k) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(invalid(k, "未知字段", &format!("unknown member (accepted: {})", allowed.join(", "))));
    }
    Ok(obj.clone())
}

fn text<'a>(obj: &'a Map<String, Value>, field: &str, required: bool) -> ApiResult<Option<&'a str>> {
    match obj.get(field) {
        None | Some(Value::Null) if !required => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 2000 => Ok(Some(s.trim())),
        _ => {
            Err(invalid(field, "应为非空文字（不超过2000字）", "must be a non-empty string of at most 2000 characters"))
        }
    }
}

fn date(obj: &Map<String, Value>, field: &str) -> ApiResult<Option<NaiveDate>> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| invalid(field, "应为日期，如2026-10-31", "must be a date such as 2026-10-31")),
        _ => Err(invalid(field, "应为日期，如2026-10-31", "must be a date such as 2026-10-31")),
    }
}

fn batch_id(id: &str) -> ApiResult<i64> {
    id.parse().ok().filter(|n| *n > 0).ok_or_else(|| not_found(id))
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("没有调整批次 '{id}' — no adjustment batch '{id}'"))
}

/// Store errors with the batch named; the rest as everywhere.
fn from_store(id: &str) -> impl Fn(StoreError) -> ApiError + '_ {
    move |e| match e {
        StoreError::NotFound => not_found(id),
        other => other.into(),
    }
}

/// Approving and rejecting need an approver or admin.
fn approver(caller: &Caller) -> ApiResult<&Principal> {
    let p = caller.writer()?;
    if p.role >= Role::Approver {
        Ok(p)
    } else {
        Err(ApiError::forbidden(format!(
            "'{}' 的角色是 {}，批准或驳回调整批次须为 approver 或 admin — '{}' has role {}; approving or rejecting a batch needs approver or admin",
            p.name, p.role, p.name, p.role
        )))
    }
}

/// `POST /adjustments` `{"county_code", "as_of", "trigger", "note", "unit_codes"}` → 201, a draft batch.
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let who = caller.writer()?;
    let obj = body_object(&state, &headers, body, &["county_code", "as_of", "trigger", "note", "unit_codes"])?;
    let county = text(&obj, "county_code", true)?.unwrap_or_default();
    if county.len() != 6 || !county.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            "county_code",
            "应为6位县级代码，如450222",
            "must be a 6-digit county code such as 450222",
        ));
    }
    let as_of = date(&obj, "as_of")?.unwrap_or_else(today);
    let trigger = text(&obj, "trigger", false)?.unwrap_or("monitoring");
    if !TRIGGERS.contains(&trigger) {
        return Err(invalid(
            "trigger",
            "应为 monitoring（新监测）、denser_sampling（加密采样）、boundaries（边界更新）或 land_use_change（用途变化）",
            &format!("must be one of {}", TRIGGERS.join(", ")),
        ));
    }
    let unit_codes = match obj.get("unit_codes") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a))
            if !a.is_empty() && a.iter().all(|v| v.as_str().is_some_and(|s| !s.trim().is_empty())) =>
        {
            let mut codes: Vec<String> = a.iter().filter_map(Value::as_str).map(|s| s.trim().to_string()).collect();
            codes.sort();
            codes.dedup();
            Some(codes)
        }
        _ => return Err(invalid("unit_codes", "应为非空的单元编码列表", "must be a non-empty list of unit codes")),
    };
    let b = NewBatch {
        county_code: county.to_string(),
        unit_codes,
        as_of,
        trigger: trigger.to_string(),
        note: text(&obj, "note", false)?.map(str::to_string),
    };
    // the limits crop samples were judged against when written ([crop_limits])
    let limits = state.settings.crop_limits();
    let doc = state
        .store
        .create_adjustment(&b, &state.settings.adjustment, &limits, &state.settings.indicator_targets(), &who.actor())
        .await?;
    state.wrote(&who.name).await;
    let id = serde_json::from_str::<Value>(&doc).ok().and_then(|v| v["id"].as_i64()).unwrap_or_default();
    let mut resp = json_text(StatusCode::CREATED, doc);
    if let Ok(loc) = format!("{}/adjustments/{id}", super::base_url(&headers)).parse() {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(resp)
}

/// `GET /adjustments?county_code=4502&state=submitted`: every batch, newest first.
async fn list(State(state): State<AppState>, caller: Caller, RawQuery(q): RawQuery) -> ApiResult<Response> {
    caller.reader(&state, Collection::FarmlandUnits)?;
    let params = Params::parse(q.as_deref(), &["county_code", "state", "f"])?;
    params.only_formats(&["json"])?;
    let prefix = params.get("county_code").map(str::trim);
    if prefix.is_some_and(|p| !(p.len() == 4 || p.len() == 6) || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(ApiError::bad_parameter(
            "county_code",
            "应为6位县级代码或4位城市代码 / a 6-digit county or 4-digit city code",
        ));
    }
    let st = params.get("state");
    if st.is_some_and(|s| !["draft", "submitted", "approved", "rejected"].contains(&s)) {
        return Err(ApiError::bad_parameter(
            "state",
            "应为 draft、submitted、approved 或 rejected / draft, submitted, approved or rejected",
        ));
    }
    let batches = state.reader(&caller).await.adjustments(prefix, st).await?;
    Ok(json_text(StatusCode::OK, format!("{{\"batches\":[{}]}}", batches.join(","))))
}

/// `GET /adjustments/{id}`: the state, the summary and the settings used.
async fn one(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> ApiResult<Response> {
    caller.reader(&state, Collection::FarmlandUnits)?;
    let n = batch_id(&id)?;
    let doc = state.reader(&caller).await.adjustment(n).await.map_err(from_store(&id))?;
    Ok(json_text(StatusCode::OK, doc))
}

/// `GET /adjustments/{id}/proposals?changed=true&limit=1000&offset=0`: GeoJSON, one feature per unit.
async fn proposals(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    caller.reader(&state, Collection::FarmlandUnits)?;
    let n = batch_id(&id)?;
    let params = Params::parse(q.as_deref(), &["changed", "limit", "offset", "f"])?;
    params.only_formats(&["json"])?;
    let changed = match params.get("changed") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(ApiError::bad_parameter("changed", "应为 true 或 false / true or false")),
    };
    let limit = params.limit(10_000, 100_000)?;
    let offset: i64 = match params.get("offset") {
        None => 0,
        Some(v) => v
            .trim()
            .parse()
            .ok()
            .filter(|o| *o >= 0)
            .ok_or_else(|| ApiError::bad_parameter("offset", "应为非负整数 / a whole number, 0 or more"))?,
    };
    let (features, matched) =
        state.reader(&caller).await.adjustment_proposals(n, changed, limit, offset).await.map_err(from_store(&id))?;
    let returned = serde_json::from_str::<Value>(&features).ok().and_then(|v| v.as_array().map(Vec::len)).unwrap_or(0);
    let body = format!(
        r#"{{"type":"FeatureCollection","batch":{n},"numberMatched":{matched},"numberReturned":{returned},"features":{features}}}"#
    );
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, super::features::GEOJSON)], body).into_response())
}

/// `PATCH /adjustments/{id}/proposals/{unit_code}` `{"class": "strict_control", "reason": "..."}` (or
/// `{"class": null}` to remove the override): in a draft by an editor or above, in a submitted batch by an
/// approver or admin.
async fn override_proposal(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, unit)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let who = caller.writer()?;
    let n = batch_id(&id)?;
    let obj = body_object(&state, &headers, body, &["class", "reason"])?;
    let class =
        match obj.get("class") {
            Some(Value::Null) => None,
            Some(Value::String(s)) => Some(FarmlandClass::from_str(s).map_err(|e| {
                invalid("class", "应为 priority_protection、safe_use 或 strict_control", &e.to_string())
            })?),
            _ => {
                return Err(invalid(
                    "class",
                    "须给出类别（或 null 以撤销修改）",
                    "give the class (or null to remove the override)",
                ))
            }
        };
    let reason = text(&obj, "reason", class.is_some())?;
    let states: &[&str] = if who.role >= Role::Approver { &["draft", "submitted"] } else { &["draft"] };
    let doc = state
        .store
        .override_proposal(n, &unit, class, reason, states, &state.settings.indicator_targets(), &who.actor())
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::not_found(format!(
                "批次 {id} 中没有单元 '{unit}' 的建议 — batch {id} has no proposal for unit '{unit}'"
            )),
            other => other.into(),
        })?;
    state.wrote(&who.name).await;
    Ok(json_text(StatusCode::OK, doc))
}

/// `POST /adjustments/{id}/submit`: draft → submitted, by an editor or above in the batch's county.
async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let who = caller.writer()?;
    Params::parse(q.as_deref(), &[])?;
    let n = batch_id(&id)?;
    let doc = state.store.submit_adjustment(n, &who.actor()).await.map_err(from_store(&id))?;
    state.wrote(&who.name).await;
    Ok(json_text(StatusCode::OK, doc))
}

/// `POST /adjustments/{id}/approve` `{"document": "...", "effective_from": "2027-01-01"}`.
async fn approve(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let who = approver(&caller)?;
    let n = batch_id(&id)?;
    let obj = body_object(&state, &headers, body, &["document", "effective_from"])?;
    let document = text(&obj, "document", true)?.unwrap_or_default();
    let effective = date(&obj, "effective_from")?.ok_or_else(|| {
        invalid("effective_from", "须给出生效日期，如2027-01-01", "is required: a date such as 2027-01-01")
    })?;
    let outcome = state
        .store
        .approve_adjustment(n, document, effective, today(), state.settings.feature_limits(), &who.actor())
        .await
        .map_err(from_store(&id))?;
    match outcome {
        Approval::Applied(doc) => {
            state.wrote(&who.name).await;
            Ok(json_text(StatusCode::OK, doc))
        }
        Approval::Stale(units) => {
            let shown: Vec<&str> = units.iter().take(50).map(String::as_str).collect();
            let more =
                if units.len() > shown.len() { format!(" (+{})", units.len() - shown.len()) } else { String::new() };
            let mut e = ApiError::new(
                StatusCode::CONFLICT,
                "stale-batch",
                "Units changed since the batch was computed",
                format!(
                    "这些单元在批次计算后已被修改，批次未执行，请重新计算：{list}{more} — these units changed after the batch was computed; nothing was applied; compute a new batch: {list}{more}",
                    list = shown.join(", ")
                ),
            );
            e.extra.insert("title_zh".into(), json!("批次计算后单元已变更"));
            e.extra.insert("stale_units".into(), json!(units));
            Err(e)
        }
    }
}

/// `POST /adjustments/{id}/reject` `{"reason": "..."}`.
async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let who = approver(&caller)?;
    let n = batch_id(&id)?;
    let obj = body_object(&state, &headers, body, &["reason"])?;
    let reason = text(&obj, "reason", true)?.unwrap_or_default();
    let doc = state.store.reject_adjustment(n, reason, &who.actor()).await.map_err(from_store(&id))?;
    state.wrote(&who.name).await;
    Ok(json_text(StatusCode::OK, doc))
}

/// The OpenAPI paths of the adjustment batches, added to `/api`'s document.
pub fn openapi_paths(doc: &mut Value, read_errors: &Value, write_errors: &Value) {
    let with = |mut responses: Value, errors: &Value| {
        if let (Some(r), Some(e)) = (responses.as_object_mut(), errors.as_object()) {
            for (k, v) in e {
                r.entry(k.clone()).or_insert(v.clone());
            }
        }
        responses
    };
    let obj = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"type": "object"}}}});
    let conflict = |d: &str| json!({"description": d, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let q = |name: &str, schema: Value, description: &str| json!({"name": name, "in": "query", "schema": schema, "description": description});
    // null: a class removes the override
    let class = json!({"type": "string", "nullable": true, "enum": ["priority_protection", "safe_use", "strict_control", null]});
    let triggers: Vec<Value> = TRIGGERS.iter().map(|t| json!(t)).chain([Value::Null]).collect();
    let body = |required: Value, properties: Value| json!({"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": required, "properties": properties}}}});
    let paths = json!({
        "/adjustments": {
            "get": {"tags": ["Adjustment"], "summary": "Class adjustment batches, newest first", "operationId": "listAdjustments",
                "parameters": [q("county_code", json!({"type": "string", "pattern": "^[0-9]{4}([0-9]{2})?$"}), "a county or city"),
                               q("state", json!({"type": "string", "enum": ["draft", "submitted", "approved", "rejected"]}), "only batches in this state")],
                "responses": with(json!({"200": obj("{\"batches\": [...]}, each with its state and summary")}), read_errors)},
            "post": {"tags": ["Adjustment"], "summary": "Compute a draft batch: a proposed class for each unit of the county from the samples inside it (editor or above, in the county)", "operationId": "createAdjustment",
                "requestBody": body(json!(["county_code"]), json!({"county_code": {"type": "string", "pattern": "^[0-9]{6}$"}, "as_of": {"type": "string", "format": "date", "nullable": true, "description": "samples taken on or before this date count; default today"},
                    "trigger": {"type": "string", "nullable": true, "enum": triggers, "default": "monitoring"}, "note": {"type": "string", "nullable": true},
                    "unit_codes": {"type": "array", "nullable": true, "items": {"type": "string"}, "description": "only these units of the county"}})),
                "responses": with(json!({"201": obj("the draft batch with its summary (changes by class pair, area by class before and after in m² and 亩, the safe-utilisation rate before and after against the target)")}), write_errors)}},
        "/adjustments/{id}": {"get": {"tags": ["Adjustment"], "summary": "A batch: state, summary and the settings it was computed with", "operationId": "getAdjustment",
            "parameters": [id.clone()], "responses": with(json!({"200": obj("the batch")}), read_errors)}},
        "/adjustments/{id}/proposals": {"get": {"tags": ["Adjustment"], "summary": "The batch's proposals as GeoJSON: each unit with current_class, proposed_class, override, class_after, evidence and reason (zh, en)", "operationId": "getAdjustmentProposals",
            "parameters": [id.clone(), q("changed", json!({"type": "boolean"}), "only the units whose class would (true) or would not (false) change"),
                           q("limit", json!({"type": "integer", "minimum": 1, "maximum": 100000, "default": 10000}), "page size"), q("offset", json!({"type": "integer", "minimum": 0}), "skip this many, by unit code")],
            "responses": with(json!({"200": {"description": "a FeatureCollection", "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}}}}), read_errors)}},
        "/adjustments/{id}/proposals/{unit_code}": {"patch": {"tags": ["Adjustment"], "summary": "A reviewer's override of one proposal, with a reason (class null removes it): in a draft by an editor or above, in a submitted batch by an approver or admin", "operationId": "overrideAdjustmentProposal",
            "parameters": [id.clone(), {"name": "unit_code", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": body(json!(["class"]), json!({"class": class, "reason": {"type": "string", "nullable": true}})),
            "responses": with(json!({"200": obj("the batch, its summary recomputed"), "409": conflict("the batch's state does not allow it")}), write_errors)}},
        "/adjustments/{id}/submit": {"post": {"tags": ["Adjustment"], "summary": "draft → submitted (editor or above, in the batch's county)", "operationId": "submitAdjustment",
            "parameters": [id.clone()], "responses": with(json!({"200": obj("the batch"), "409": conflict("not a draft")}), write_errors)}},
        "/adjustments/{id}/approve": {"post": {"tags": ["Adjustment"], "summary": "submitted → approved (approver or admin): every change becomes a new version of its unit from effective_from, in one transaction", "operationId": "approveAdjustment",
            "parameters": [id.clone()],
            "requestBody": body(json!(["document", "effective_from"]), json!({"document": {"type": "string", "example": "柳政函〔2026〕88号"}, "effective_from": {"type": "string", "format": "date"}})),
            "responses": with(json!({"200": obj("the approved batch, with applied_units"), "409": conflict("not submitted (an approved batch is never applied twice), or units changed since the batch was computed (stale_units lists them; nothing is applied)")}), write_errors)}},
        "/adjustments/{id}/reject": {"post": {"tags": ["Adjustment"], "summary": "submitted → rejected, with a reason (approver or admin)", "operationId": "rejectAdjustment",
            "parameters": [id], "requestBody": body(json!(["reason"]), json!({"reason": {"type": "string"}})),
            "responses": with(json!({"200": obj("the rejected batch"), "409": conflict("not submitted")}), write_errors)}},
    });
    if let (Some(all), Value::Object(mine)) = (doc.get_mut("paths").and_then(Value::as_object_mut), paths) {
        all.extend(mine);
    }
    if let Some(tags) = doc.get_mut("tags").and_then(Value::as_array_mut) {
        tags.push(json!({"name": "Adjustment", "description": "Farmland class adjustment batches (动态调整): computed, reviewed, approved or rejected"}));
    }
}
