//! `GET /search?q=`: what a person types into the map's search box. Codes of every collection (any case,
//! with or without leading zeros), names and other free text, county names, and coordinates (lon/lat or a
//! CGCS2000 Gauss-Krüger pair). Each result says where it is (`bbox`, `center`) so that the map can go there.

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::params::Params;
use super::AppState;
use crate::domain::registry::Collection;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

const MAX_QUERY: usize = 100;

async fn search(State(state): State<AppState>, caller: Caller, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let params = Params::parse(q.as_deref(), &["q", "limit", "f"])?;
    params.only_formats(&["json"])?;
    let typed = params.get("q").map(str::trim).unwrap_or("");
    if typed.is_empty() {
        return Err(ApiError::bad_parameter(
            "q",
            "请输入要查找的编码、名称、县区或坐标 — type a code, a name, a county or coordinates",
        ));
    }
    if typed.chars().count() > MAX_QUERY || typed.contains('\0') {
        return Err(ApiError::bad_parameter(
            "q",
            format!("不超过 {MAX_QUERY} 个字符 — at most {MAX_QUERY} characters, no NUL"),
        ));
    }
    let limit = params.limit(20, 50)?;
    // Only the collections this caller may read are searched; the others are not mentioned.
    let collections: Vec<Collection> =
        Collection::all().into_iter().filter(|c| caller.reader(&state, *c).is_ok()).collect();
    let results = state.reader(&caller).await.search(typed, &collections, limit).await?;
    let body = format!(r#"{{"q":{},"results":[{}]}}"#, json!(typed), results.join(","));
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
