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
