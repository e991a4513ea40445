//! Withdrawing and correcting a lifecycle step, and the reason that these and a deletion must give.

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::features::{collection, feature_response, json_body};
use super::AppState;
use crate::conditional::if_match;
use crate::domain::registry::Collection;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;

/// Longer than any reason a person types; a bound so that the audit log is not a place to store files.
const MAX_REASON: usize = 2000;

/// The reason given for withdrawing, correcting or deleting: required, not blank, one paragraph at most.
pub fn reason(given: Option<&str>) -> ApiResult<String> {
    let r = given.map(str::trim).unwrap_or("");
    if r.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "reason-required",
            "A reason is required",
            "须说明原因（reason），原因会记入审计日志 — give a reason (`reason`); it is kept in the audit log",
        ));
    }
    if r.chars().count() > MAX_REASON || r.contains('\0') {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-reason",
            "Bad reason",
            format!(
                "原因不超过 {MAX_REASON} 个字符且不含 NUL — a reason has at most {MAX_REASON} characters and no NUL"
            ),
        ));
    }
    Ok(r.to_string())
}

/// The members of a JSON object body that are strings, refusing any other member.
fn members<'a>(body: &'a Value, allowed: &[&str]) -> ApiResult<impl Fn(&str) -> ApiResult<Option<&'a str>>> {
    let obj = body.as_object().ok_or_else(|| {
        ApiError::bad_request(format!("请求体应为 JSON 对象 — the body is a JSON object with {}", allowed.join(", ")))
    })?;
    if let Some(k) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::bad_request(format!(
            "不认识的成员 {k} — unknown member '{k}' (known: {})",
            allowed.join(", ")
        )));
    }
    Ok(move |name: &str| match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(ApiError::bad_request(format!("{name} 应为文本 — {name} must be a string"))),
    })
}

fn with_lifecycle(coll: &str) -> ApiResult<Collection> {
    let c = collection(coll)?;
    if c.description().lifecycle.is_none() {
        return Err(ApiError::not_found(format!("{c} has no lifecycle; it has no steps to withdraw or correct")));
    }
    Ok(c)
}

pub(super) async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let c = with_lifecycle(&coll)?;
    let who = caller.writer()?;
    let value = json_body(&state.settings, &headers, body)?;
    let get = members(&value, &["reason"])?;
    let reason = reason(get("reason")?)?;
    let doc = state.store.withdraw_step(c, &fid, &reason, if_match(&headers).as_ref(), who.actor()).await?;
    state.wrote(&who.name).await;
    Ok(feature_response(StatusCode::OK, doc.json.clone(), &doc.etag(), None))
}

pub(super) async fn correct(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let c = with_lifecycle(&coll)?;
    let who = caller.writer()?;
    let value = json_body(&state.settings, &headers, body)?;
    let get = members(&value, &["document", "reason"])?;
    let document = get("document")?.map(str::trim).filter(|d| !d.is_empty()).ok_or_else(|| {
        ApiError::bad_request("须填写更正后的文号（document） — give the corrected document number (`document`)")
    })?;
    if document.contains('\0') || document.chars().count() > 200 {
        return Err(ApiError::bad_request(
            "文号不超过 200 个字符且不含 NUL — a document number has at most 200 characters",
        ));
    }
    let reason = reason(get("reason")?)?;
    let doc = state.store.correct_step(c, &fid, document, &reason, if_match(&headers).as_ref(), who.actor()).await?;
    state.wrote(&who.name).await;
    Ok(feature_response(StatusCode::OK, doc.json.clone(), &doc.etag(), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_required_and_bounded() {
        for (given, ok) in [
            (None, false),
            (Some(""), false),
            (Some("  \n "), false),
            (Some("误录"), true),
            (Some("a\0b"), false),
            (Some(&*"字".repeat(MAX_REASON)), true),
            (Some(&*"字".repeat(MAX_REASON + 1)), false),
        ] {
            assert_eq!(reason(given).is_ok(), ok, "{given:?}");
        }
        assert_eq!(reason(Some("  误录 ")).unwrap(), "误录");
    }
}
