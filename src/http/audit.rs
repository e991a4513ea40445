//! `GET /audit`: the audit log, newest first, for admins only. Editors write, and the log is how others
//! check what they wrote, so an editor does not read it. As JSON pages, or (`f=csv`, `Accept: text/csv`)
//! every selected entry as one CSV file, streamed as it is read.

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::params::Params;
use super::{base_url, AppState};
use crate::domain::registry::Collection;
use crate::store::audit::AuditQuery;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use futures_util::StreamExt;
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(audit))
}

const PARAMS: &[&str] = &["collection", "feature_id", "actor", "action", "from", "to", "limit", "cursor", "f"];
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
                    let names: Vec<String> = Collection::all().iter().map(|c| c.to_string()).collect();
                    ApiError::bad_parameter(
                        "collection",
                        format!("没有图层 '{c}' — no collection '{c}' ({})", names.join(", ")),
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
    let day = |name: &str| -> ApiResult<Option<NaiveDate>> {
        text(name)
            .map(|v| {
                NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| {
                    ApiError::bad_parameter(name, format!("日期应为 YYYY-MM-DD — a day as YYYY-MM-DD, not '{v}'"))
                })
            })
            .transpose()
    };
    let (from, to) = (day("from")?, day("to")?);
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(ApiError::bad_parameter("from", format!("起始日期晚于截止日期 — {f} is after to={t}")));
        }
    }
    let csv = match params.get("f") {
        Some("csv") => true,
        Some("json") => false,
        Some(other) => {
            return Err(ApiError::bad_parameter("f", format!("格式应为 json 或 csv — json or csv, not '{other}'")))
        }
        None => wants_csv(&headers),
    };
    let query = AuditQuery {
        collection,
        feature_id: text("feature_id"),
        actor: text("actor"),
        action: text("action"),
        from,
        to,
        before,
        limit: params.limit(100, MAX_LIMIT)?,
    };
    if csv {
        return Ok(csv_export(state, query));
    }
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

/// CSV when the Accept header names text/csv before (or without) JSON.
fn wants_csv(headers: &HeaderMap) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let at = |m: &str| accept.find(m);
    match (at("text/csv"), at("json")) {
        (Some(c), Some(j)) => c < j,
        (Some(_), None) => true,
        _ => false,
    }
}

const CSV_HEAD: [&str; 9] = [
    "编号 id",
    "时间 at",
    "操作人 actor",
    "操作 action",
    "图层 collection",
    "要素 feature_id",
    "版本 version_id",
    "原因 reason",
    "详情 detail",
];

/// One audit entry (as the store's JSON) as a CSV row; `reason` is lifted out of the details, where
/// withdraw, correct and delete keep it.
fn csv_row(entry: &str) -> String {
    let e: Value = serde_json::from_str(entry).unwrap_or(Value::Null);
    let text = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let cells = [
        text(&e["id"]),
        text(&e["at"]),
        text(&e["actor"]),
        text(&e["action"]),
        text(&e["collection"]),
        text(&e["feature_id"]),
        text(&e["version_id"]),
        text(&e["detail"]["reason"]),
        text(&e["detail"]),
    ];
    let mut line = cells.iter().map(|c| super::lists::csv_field(c)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// The whole selection as CSV, streamed: a BOM (so that Excel reads the Chinese as UTF-8), the head, then
/// each entry as the database returns it, so that a year of log is never held in memory.
fn csv_export(state: AppState, query: AuditQuery) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(32);
    tokio::spawn(async move {
        let head = format!("\u{feff}{}\r\n", CSV_HEAD.join(","));
        if tx.send(Ok(Bytes::from(head))).await.is_err() {
            return;
        }
        let mut entries = std::pin::pin!(state.store.audit_entries(&query));
        let mut buf = String::new();
        while let Some(entry) = entries.next().await {
            match entry {
                Ok(e) => buf.push_str(&csv_row(&e)),
                Err(e) => {
                    tracing::error!(error = %e, "audit CSV export stopped");
                    let _ = tx.send(Err(std::io::Error::other("the audit log could not be read"))).await;
                    return;
                }
            }
            if buf.len() > 32 * 1024 && tx.send(Ok(Bytes::from(std::mem::take(&mut buf)))).await.is_err() {
                return;
            }
        }
        let _ = tx.send(Ok(Bytes::from(buf))).await;
    });
    // Fused: hyper may poll the body once more after its end, which a bare unfold does not allow.
    let stream =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) }).fuse();
    let mut resp = Body::from_stream(stream).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    h.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"audit.csv\""));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_chosen_by_accept_unless_json_comes_first() {
        for (accept, csv) in [
            ("text/csv", true),
            ("text/csv, application/json;q=0.5", true),
            ("application/json, text/csv", false),
            ("*/*", false),
            ("", false),
        ] {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT, HeaderValue::from_str(accept).unwrap());
            assert_eq!(wants_csv(&h), csv, "{accept}");
        }
    }

    #[test]
    fn a_csv_row_lifts_the_reason_and_keeps_formulas_out() {
        let row = csv_row(
            r#"{"id":7,"at":"2026-12-05T10:00:00+00:00","actor":"=cmd","action":"delete","collection":"construction_parcels","feature_id":"LZ-1","version_id":3,"detail":{"reason":"重复, 登记"}}"#,
        );
        assert_eq!(
            row,
            "7,2026-12-05T10:00:00+00:00,'=cmd,delete,construction_parcels,LZ-1,3,\"重复, 登记\",\"{\"\"reason\"\":\"\"重复, 登记\"\"}\"\r\n"
        );
    }
}
