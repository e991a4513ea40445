//! Access-rule checks and indicators over HTTP.

use super::error::{ApiError, ApiResult};
use super::features::collection;
use super::params::Params;
use super::AppState;
use crate::checks::{self, CheckError};
use crate::domain::indicators::{Scope, Targets};
use crate::domain::rules::CheckKind;
use crate::domain::time::{parse_instant, today};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Json;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new().route("/checks/{kind}", post(check)).route("/soil-grade", post(soil_grade)).route("/indicators", get(indicators))
}

impl From<CheckError> for ApiError {
    fn from(e: CheckError) -> Self {
        match e {
            CheckError::Invalid(problems) => {
                let mut err = ApiError::invalid_feature(problems);
                err.kind = "invalid-check";
                err.title = "The check request was refused";
                err.detail = format!("{} problem(s) in the request; see errors", err.errors.len());
                err
            }
            e @ CheckError::UnknownParcel { .. } => ApiError::not_found(e.to_string()),
            CheckError::Store(s) => s.into(),
        }
    }
}

async fn check(
    State(state): State<AppState>,
    caller: super::auth::Caller,
    Path(kind): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    let kind: CheckKind = kind
        .parse()
        .map_err(|_| ApiError::not_found(format!("no check '{kind}' (checks: rezoning, eia-site, land-supply)")))?;
    Params::parse(q.as_deref(), &[])?;
    for c in ["farmland_units", "construction_parcels"] {
        caller.reader(&state, collection(c)?)?;
    }
    let body = super::features::json_body(&state.settings, &headers, body)?;
    let store = state.reader(&caller).await;
    let answer = checks::run(&store, &state.settings, kind, &body, today()).await?;
    Ok(Json(serde_json::to_value(answer).map_err(|_| ApiError::internal())?))
}

/// A soil sample's GB 15618-2018 grade (and class, with the crop finding). Open to anyone: it reads no
/// registry data.
async fn soil_grade(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &[])?;
    let body = super::features::json_body(&state.settings, &headers, body)?;
    let answer = checks::soil_grade(&body)?;
    Ok(Json(serde_json::to_value(answer).map_err(|_| ApiError::internal())?))
}

async fn indicators(State(state): State<AppState>, caller: super::auth::Caller, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    for c in ["farmland_units", "construction_parcels"] {
        caller.reader(&state, collection(c)?)?;
    }
    let params = Params::parse(q.as_deref(), &["county_code", "as_of", "f"])?;
    params.only_formats(&["json"])?;
    let scope = Scope::parse(params.get("county_code"))
        .map_err(|e| ApiError::bad_parameter("county_code", format!("must be a 6-digit county or 4-digit city code: {}", e.0)))?;
    let as_of = match params.get("as_of") {
        None => today(),
        Some(v) => parse_instant(v).map_err(|e| ApiError::bad_parameter("as_of", e))?,
    };
    let targets = Targets {
        safe_use: state.settings.safe_use_targets.clone(),
        priority_control: state.settings.priority_control_targets.clone(),
    };
    let ind = state.reader(&caller).await.indicators(scope, as_of, &targets).await?;
    let mut v = serde_json::to_value(ind).map_err(|_| ApiError::internal())?;
    if let Some(o) = v.as_object_mut() {
        o.insert("as_of".into(), json!(as_of));
    }
    Ok(Json(v))
}
