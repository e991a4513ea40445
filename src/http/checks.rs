//! Access-rule checks and indicators over HTTP.

use super::error::{ApiError, ApiResult};
use super::features::collection;
use super::params::Params;
use super::AppState;
use crate::checks::{self, CheckError};
use crate::domain::indicators::Scope;
use crate::domain::rules::CheckKind;
use crate::domain::time::{parse_instant, today};
use crate::store::receipts::{AnswerBatches, KeptAnswer};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/checks/{kind}", post(check))
        .route("/checks/{kind}/{id}", get(kept_answer))
        .route("/soil-grade", post(soil_grade))
        .route("/indicators", get(indicators))
        // one batcher per router: concurrent checks keep their answers in shared INSERTs
        .layer(Extension(AnswerBatches::default()))
}

impl From<CheckError> for ApiError {
    fn from(e: CheckError) -> Self {
        match e {
            CheckError::Invalid(problems) => ApiError::refused(crate::requests::Request::Check, problems),
            e @ CheckError::UnknownParcel { .. } => ApiError::not_found(e.to_string()),
            CheckError::OutsideCoverage { lon, lat, crs } => {
                let e = CheckError::OutsideCoverage { lon, lat, crs };
                let mut err = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "outside-coverage",
                    "The query lies outside the registry's counties",
                    e.to_string(),
                );
                let (hint_zh, hint_en) = CheckError::coverage_hint(crs, lon, lat);
                err.extra.insert("title_zh".into(), json!("查询范围不在登记簿覆盖的县区内"));
                err.extra.insert(
                    "detail_zh".into(),
                    json!(format!("查询范围不在登记簿覆盖的任何县区内，不予答复：其内一点位于经度 {lon:.6}、纬度 {lat:.6}；{hint_zh}")),
                );
                err.extra.insert("landed_at".into(), json!({"type": "Point", "coordinates": [lon, lat]}));
                if let Some(crs) = crs {
                    err.extra.insert("crs".into(), json!(crs.uri()));
                }
                err.extra.insert("suggestion_zh".into(), json!(hint_zh));
                err.extra.insert("suggestion_en".into(), json!(hint_en));
                err
            }
            e @ CheckError::NoCoverage => {
                let mut err = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "no-county-outlines",
                    "The registry has no county outlines",
                    e.to_string(),
                );
                err.extra.insert(
                    "detail_zh".into(),
                    json!("登记簿未载入县区界线，无法判断查询范围所在位置；在载入前不答复核查（landguard counties-load FILE.geojson）"),
                );
                err
            }
            CheckError::Store(s) => s.into(),
        }
    }
}

async fn check(
    State(state): State<AppState>,
    caller: super::auth::Caller,
    Extension(batches): Extension<AnswerBatches>,
    Path(kind): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let kind: CheckKind = kind
        .parse()
        .map_err(|_| ApiError::not_found(format!("no check '{kind}' (checks: rezoning, eia-site, land-supply)")))?;
    Params::parse(q.as_deref(), &[])?;
    for c in ["farmland_units", "construction_parcels"] {
        caller.reader(&state, collection(c)?)?;
    }
    let body = super::features::json_body(&state.settings, &headers, body)?;
    let who = caller.0.as_ref().map(|p| p.name.as_str());
    let (store, replica) = match &state.reads {
        None => (state.store.clone(), None),
        Some(r) => r.store_for_check(&state.store, who),
    };
    let source = checks::Source { store: &store, replica: replica.map(|need| (&state.store, need)) };
    let receipt = checks::run_from(&source, &state.settings, kind, &body, today()).await?;
    let text = serde_json::to_string(&receipt).map_err(|_| ApiError::internal())?;
    // Kept on the primary before it is sent: an answer whose receipt was lost is never given.
    let kept = KeptAnswer {
        id: receipt.id.clone(),
        kind: kind.as_str().into(),
        answer: text,
        asked_by: who.map(str::to_string),
    };
    batches.keep(&state.store, &kept).await?;
    Ok(json_text(kept.answer))
}

fn json_text(text: String) -> Response {
    let mut resp = (StatusCode::OK, text).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// An answer as it was sent, byte for byte, whatever changed in the registry since. Read from the primary,
/// where answers are kept (a replica may not have it yet).
async fn kept_answer(
    State(state): State<AppState>,
    caller: super::auth::Caller,
    Path((kind, id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let kind: CheckKind = kind
        .parse()
        .map_err(|_| ApiError::not_found(format!("no check '{kind}' (checks: rezoning, eia-site, land-supply)")))?;
    Params::parse(q.as_deref(), &[])?;
    for c in ["farmland_units", "construction_parcels"] {
        caller.reader(&state, collection(c)?)?;
    }
    let unknown = || ApiError::not_found(format!("no {kind} answer '{id}' (an answer's id is in its self link)"));
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(unknown());
    }
    match state.store.kept_answer(&id).await? {
        Some((k, text)) if k == kind.as_str() => Ok(json_text(text)),
        _ => Err(unknown()),
    }
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

async fn indicators(
    State(state): State<AppState>,
    caller: super::auth::Caller,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    for c in ["farmland_units", "construction_parcels"] {
        caller.reader(&state, collection(c)?)?;
    }
    let params = Params::parse(q.as_deref(), &["county_code", "as_of", "f"])?;
    params.only_formats(&["json"])?;
    let scope = Scope::parse(params.get("county_code")).map_err(|e| {
        ApiError::bad_parameter("county_code", format!("must be a 6-digit county or 4-digit city code: {}", e.0))
    })?;
    let as_of = match params.get("as_of") {
        None => today(),
        Some(v) => parse_instant(v).map_err(|e| ApiError::bad_parameter("as_of", e))?,
    };
    let ind = state.reader(&caller).await.indicators(scope.clone(), as_of, &state.settings.indicator_targets()).await?;
    let mut v = serde_json::to_value(ind).map_err(|_| ApiError::internal())?;
    let sources = source_control(&state, &caller, &scope, as_of).await?;
    if let Some(o) = v.as_object_mut() {
        o.insert("as_of".into(), json!(as_of));
        if let Some(s) = sources {
            o.insert("source_control".into(), s);
        }
    }
    Ok(Json(v))
}

/// The source-control indicators of the scope's counties and cities, from the duties (crate::duties);
/// a county's city is computed whole. None when the caller may not read the registers.
async fn source_control(
    state: &AppState,
    caller: &super::auth::Caller,
    scope: &Scope,
    as_of: chrono::NaiveDate,
) -> ApiResult<Option<Value>> {
    use crate::domain::sources::Register;
    if Register::ALL.iter().any(|r| collection(r.as_str()).and_then(|c| caller.reader(state, c)).is_err()) {
        return Ok(None);
    }
    let store = state.reader(caller).await;
    let by = crate::duties::scope_indicators(&store, &state.settings.duties, scope, as_of).await?;
    Ok(Some(serde_json::to_value(by).map_err(|_| ApiError::internal())?))
}
