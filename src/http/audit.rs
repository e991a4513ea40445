//! `GET /audit`: the audit log, newest first, for admins only. Editors write, and the log is how others
//! check what they wrote, so an editor does not read it.

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::params::Params;
use super::{base_url, AppState};
use crate::domain::registry::Collection;
use crate::store::audit::AuditQuery;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(audit))
}

const PARAMS: &[&str] = &["collection", "feature_id", "actor", "action", "limit", "cursor"];
pub const MAX_LIMIT: i64 = 1000;

async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    caller.admin()?;
    let params = Params::parse(q.as_deref(), PARAMS)?;
    let text = |name: &str| params.get(name).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let collection = match text("collection") {
        None => None,
        Some(c) => Some(
            c.parse::<Collection>()
                .map_err(|_| {
                    ApiError::bad_parameter(
                        "collection",
                        format!("no collection '{c}' (farmland_units, construction_parcels)"),
                    )
                })?
                .as_str()
                .to_string(),
        ),
    };
    // Text bound to SQL cannot carry NUL; refusing it here names the parameter instead of failing in the database.
    for name in ["feature_id", "actor", "action"] {
        if params.get(name).is_some_and(|v| v.contains('\0')) {
            return Err(ApiError::bad_parameter(name, "must not contain a NUL character"));
        }
    }
    let before = match params.get("cursor") {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ApiError::bad_parameter("cursor", "is not a cursor this service issued"))?,
        ),
    };
    let query = AuditQuery {
        collection,
        feature_id: text("feature_id"),
        actor: text("actor"),
        action: text("action"),
        before,
        limit: params.limit(100, MAX_LIMIT)?,
    };
    let page = state.store.audit_page(&query).await?;

    let self_url = format!("{}/audit", base_url(&headers));
    let kept: Vec<(String, String)> = params.pairs().iter().filter(|(k, _)| k != "cursor").cloned().collect();
    let link = |pairs: &[(String, String)]| {
        if pairs.is_empty() {
            self_url.clone()
        } else {
            format!("{self_url}?{}", form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish())
        }
    };
    let mut links = vec![json!({"rel": "self", "type": "application/json", "href": link(params.pairs())})];
    if let Some(b) = page.next_before {
        let mut next = kept.clone();
        next.push(("cursor".into(), b.to_string()));
        links.push(json!({"rel": "next", "type": "application/json", "href": link(&next)}));
    }
    // The entries are JSON built by PostgreSQL; they are spliced in, not parsed again.
    let body = format!(
        r#"{{"entries":[{}],"numberReturned":{},"links":{}}}"#,
        page.entries.join(","),
        page.entries.len(),
        serde_json::Value::Array(links)
    );
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
