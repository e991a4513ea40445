//! The measures ledger of a farmland unit: `GET`/`POST /collections/farmland_units/items/{unit_code}/measures`
//! and `POST .../measures/{id}/withdraw` (docs/api.md#measures-ledger). Other collections have no ledger.

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::features::{collection, json_body};
use super::params::Params;
use super::AppState;
use crate::domain::measures::MeasuresRequest;
use crate::domain::registry::Collection;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/collections/{collection}/items/{fid}/measures", get(list).post(record))
        .route("/collections/{collection}/items/{fid}/measures/{id}/withdraw", post(withdraw))
}

fn farmland(name: &str) -> ApiResult<Collection> {
    let c = collection(name)?;
    if c != Collection::FarmlandUnits {
        return Err(ApiError::not_found(format!(
            "{c} 没有措施台账，只有耕地单元有 — {c} has no measures ledger; only farmland_units have one"
        )));
    }
    Ok(c)
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    let c = farmland(&coll)?;
    caller.reader(&state, c)?;
    Params::parse(q.as_deref(), &["f"])?.only_formats(&["json"])?;
    let entries = state.reader(&caller).await.ledger(&fid).await?.ok_or_else(|| {
        ApiError::not_found(format!("没有耕地单元'{fid}' — farmland_units has never had a unit '{fid}'"))
    })?;
    Ok(Json(json!({"unit_code": fid, "measures": entries})))
}

async fn record(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    farmland(&coll)?;
    let who = caller.writer()?;
    Params::parse(q.as_deref(), &[])?;
    let body = json_body(&state.settings, &headers, body)?;
    let req = MeasuresRequest::from_json(&body).map_err(crate::store::measures::LedgerError::from)?;
    let entries = state.store.record_measures(&fid, &req, who.actor()).await?;
    state.wrote(&who.name).await;
    Ok((StatusCode::CREATED, Json(json!({"unit_code": fid, "measures": entries}))))
}

async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid, id)): Path<(String, String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    farmland(&coll)?;
    let who = caller.writer()?;
    Params::parse(q.as_deref(), &[])?;
    let id: i64 = id.parse().map_err(|_| {
        ApiError::not_found(format!("台账条目编号应为整数 — a ledger entry id is a whole number, not '{id}'"))
    })?;
    let body = json_body(&state.settings, &headers, body)?;
    let reason = body.get("reason").and_then(Value::as_str).unwrap_or_default();
    let entry = state.store.withdraw_measure(&fid, id, reason, who.actor()).await?;
    state.wrote(&who.name).await;
    Ok(Json(serde_json::to_value(entry).map_err(|_| ApiError::internal())?))
}

/// The ledger's OpenAPI paths, added to `/api`'s document.
pub fn openapi_paths(doc: &mut Value, read_errors: &Value, write_errors: &Value) {
    let with = |mut responses: Value, errors: &Value| {
        if let (Some(r), Some(e)) = (responses.as_object_mut(), errors.as_object()) {
            for (k, v) in e {
                r.entry(k.clone()).or_insert(v.clone());
            }
        }
        responses
    };
    let path = |name: &str, schema: Value| json!({"name": name, "in": "path", "required": true, "schema": schema});
    let collection = path("collectionId", json!({"type": "string", "enum": ["farmland_units"]}));
    let unit = path("featureId", json!({"type": "string"}));
    let kinds: Vec<&str> = crate::domain::measures::MeasureKind::ALL.iter().map(|k| k.as_str()).collect();
    let entry = json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "unit_code": {"type": "string"}, "year": {"type": "integer"}, "season": {"type": "integer"},
        "kind": {"type": "string", "enum": kinds}, "kind_zh": {"type": "string"}, "group": {"type": "string", "nullable": true, "enum": ["safe_use", "strict_control"]},
        "area_m2": {"type": "number"}, "area_mu": {"type": "number"}, "document": {"type": "string"}, "note": {"type": "string", "nullable": true},
        "recorded_by": {"type": "string"}, "recorded_at": {"type": "string", "format": "date-time"},
        "withdrawn_at": {"type": "string", "nullable": true, "format": "date-time"}, "withdrawn_by": {"type": "string", "nullable": true}, "withdrawn_reason": {"type": "string", "nullable": true}}});
    let ledger = json!({"description": "the unit's ledger", "content": {"application/json": {"schema": {"type": "object",
        "properties": {"unit_code": {"type": "string"}, "measures": {"type": "array", "items": entry.clone()}}}}}});
    let paths = json!({
        "/collections/{collectionId}/items/{featureId}/measures": {
            "get": {"tags": ["Features"], "summary": "The measures ledger of a farmland unit (措施台账), withdrawn entries included", "operationId": "getMeasures",
                "parameters": [collection.clone(), unit.clone()], "responses": with(json!({"200": ledger}), read_errors)},
            "post": {"tags": ["Registry writes"], "summary": "Record measures taken on a farmland unit in a year (or season), with their document", "operationId": "recordMeasures",
                "security": [{"bearer": []}], "parameters": [collection.clone(), unit.clone()],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["year", "measures", "document"], "additionalProperties": false,
                    "properties": {"year": {"type": "integer", "minimum": 2000, "maximum": 2100}, "season": {"type": "integer", "minimum": 1, "maximum": 4},
                        "measures": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["kind", "area_m2"], "additionalProperties": false,
                            "properties": {"kind": {"type": "string", "description": format!("one of {}, or its Chinese name", kinds.join(", "))}, "area_m2": {"type": "number", "minimum": 0, "exclusiveMinimum": true}, "note": {"type": "string"}}}},
                        "document": {"type": "string", "minLength": 1}, "note": {"type": "string"}}}}}},
                "responses": with(json!({"201": {"description": "the new entries", "content": {"application/json": {"schema": {"type": "object",
                    "properties": {"unit_code": {"type": "string"}, "measures": {"type": "array", "items": entry.clone()}}}}}}}), write_errors)}},
        "/collections/{collectionId}/items/{featureId}/measures/{id}/withdraw": {"post": {"tags": ["Registry writes"], "summary": "Withdraw a ledger entry (it stays listed and no longer counts)", "operationId": "withdrawMeasure",
            "security": [{"bearer": []}], "parameters": [collection, unit, path("id", json!({"type": "integer"}))],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "minLength": 1}}}}}},
            "responses": with(json!({"200": {"description": "the withdrawn entry", "content": {"application/json": {"schema": entry}}}}), write_errors)}},
    });
    if let (Some(all), Value::Object(mine)) = (doc.get_mut("paths").and_then(Value::as_object_mut), paths) {
        all.extend(mine);
    }
}
