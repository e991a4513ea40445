//! Signing in and out: `POST /session` (name and password → an HttpOnly, SameSite=Strict cookie and the
//! CSRF value), `GET /session` (who is signed in), `DELETE /session`.

use super::auth::{require_csrf, session_cookie, token_holder, SESSION_COOKIE};
use super::error::{ApiError, ApiResult};
use super::features::json_body;
use super::AppState;
use crate::domain::access::{csrf_for, dummy_password_hash, new_session_token, verify_password};
use crate::domain::registry::Problem;
use crate::domain::signin::Gate;
use crate::store::tokens::Principal;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new().route("/session", get(who).post(sign_in).delete(sign_out))
}

/// The client's address, for limiting failed sign-ins per address. Behind a reverse proxy this is the
/// proxy's (docs/operations.md says so).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let addr = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(ClientAddr(addr.unwrap_or_else(|| "unknown".into())))
    }
}

fn session_json(p: &Principal, csrf: Option<String>, expires_at: Option<String>, idle_secs: Option<u64>) -> Value {
    let mut v = json!({"name": p.name, "role": p.role, "counties": p.counties, "via": "token"});
    if let Some(csrf) = csrf {
        v["via"] = json!("session");
        v["csrf"] = json!(csrf);
        v["expires_at"] = json!(expires_at);
        v["idle_timeout_secs"] = json!(idle_secs);
    }
    v
}

fn json_response(status: StatusCode, body: Value, cookie: Option<String>) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    // Who is signed in, and the CSRF value, are for this client only.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::SET_COOKIE, c);
    }
    resp
}

/// The cookie: never readable by scripts (HttpOnly), never sent with a request another site starts
/// (SameSite=Strict), Secure when the service is reached over HTTPS (a proxy says so by X-Forwarded-Proto).
fn cookie(headers: &HeaderMap, value: &str, max_age_secs: u64) -> String {
    let https = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https");
    let secure = if https { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}")
}

fn credentials(v: &Value) -> ApiResult<(String, String)> {
    let mut problems = Vec::new();
    let Some(obj) = v.as_object() else {
        return Err(ApiError::bad_request(
            "请求体须为 {\"name\": ..., \"password\": ...} — the body must be an object {\"name\": ..., \"password\": ...}",
        ));
    };
    let mut text = |k: &str| match obj.get(k).and_then(Value::as_str) {
        Some(s) if !s.is_empty() => Some(s.to_string()),
        _ => {
            problems.push(Problem::new(format!("/{k}"), "必填的字符串 — is required, a string"));
            None
        }
    };
    let (name, password) = (text("name"), text("password"));
    for k in obj.keys().filter(|k| !["name", "password"].contains(&k.as_str())) {
        problems.push(Problem::new(
            format!("/{k}"),
            "未知成员（可用：name、password） — unknown member (known: name, password)",
        ));
    }
    match (name, password) {
        (Some(n), Some(p)) if problems.is_empty() => Ok((n.trim().to_string(), p)),
        _ => {
            let mut e = ApiError::invalid_feature(problems);
            e.title = "The sign-in was refused";
            e.detail = "请求有误，未登录 — the request has problems; nobody was signed in".into();
            Err(e)
        }
    }
}

async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let (name, password) = credentials(&json_body(&state.settings, &headers, body)?)?;
    let throttle = state.settings.login_throttle();
    let (attempt, account_failures, client_failures) =
        state.store.begin_login_attempt(&name, &client, throttle.window_secs).await?;
    match throttle.gate(account_failures, client_failures) {
        Gate::Locked { retry_after_secs } => {
            state.store.forget_login_attempt(attempt).await?;
            tracing::warn!(name = %name, client = %client, "sign-in refused: too many failures");
            let mut resp = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-sign-ins",
                "Too many failed sign-ins",
                format!(
                    "登录失败次数过多，请 {retry_after_secs} 秒后再试 — too many failed sign-ins for this name or from this address; try again in {retry_after_secs} s"
                ),
            )
            .into_response();
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return Ok(resp);
        }
        Gate::Open { delay_ms } if delay_ms > 0 => tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await,
        Gate::Open { .. } => {}
    }
    let account = state.store.account(&name).await?;
    let hash = account.as_ref().map_or_else(|| dummy_password_hash().to_string(), |a| a.password_hash.clone());
    // Argon2id takes tens of milliseconds of CPU on purpose: off the async workers.
    let verified = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|_| ApiError::internal())?;
    let account = match account {
        Some(a) if verified => a,
        _ => {
            // The attempt stays counted as a failure.
            tracing::warn!(name = %name, client = %client, "failed sign-in");
            return Err(ApiError::unauthorized("用户名或密码错误 — the name or the password is wrong"));
        }
    };
    if account.disabled {
        return Err(ApiError::forbidden(format!(
            "账号 '{name}' 已停用，请联系管理员 — the account '{name}' is disabled; ask an administrator"
        )));
    }
    let token = new_session_token();
    let max_secs = state.settings.session_max_hours.saturating_mul(3600);
    let expires_at = state.store.start_session(&account, &token, max_secs, &client).await?;
    let idle = state.settings.session_idle_mins.saturating_mul(60);
    let body = session_json(&account.principal, Some(csrf_for(&token)), Some(expires_at.to_rfc3339()), Some(idle));
    Ok(json_response(StatusCode::OK, body, Some(cookie(&headers, &token, max_secs))))
}

/// Who is signed in (a session, with its CSRF value for a page that was reloaded), or whose token this is.
async fn who(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let p = token_holder(&state, value).await?;
        return Ok(json_response(StatusCode::OK, session_json(&p, None, None, None), None));
    }
    let idle = state.settings.session_idle_mins.saturating_mul(60);
    let open = match session_cookie(&headers) {
        Some(token) => state.store.session(&token, idle).await?.map(|o| (token, o)),
        None => None,
    };
    let Some((token, open)) = open else {
        return Err(ApiError::unauthorized("未登录或会话已过期 — nobody is signed in (or the session has ended)"));
    };
    let body = session_json(&open.principal, Some(csrf_for(&token)), Some(open.expires_at.to_rfc3339()), Some(idle));
    Ok(json_response(StatusCode::OK, body, None))
}

/// Signs out. The cookie is cleared whatever the session's state; an open session must be ended with its
/// CSRF value, like any other write.
async fn sign_out(State(state): State<AppState>, method: Method, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = session_cookie(&headers) {
        let idle = state.settings.session_idle_mins.saturating_mul(60);
        if state.store.session(&token, idle).await?.is_some() {
            require_csrf(&method, &headers, &token)?;
        }
        state.store.end_session(&token).await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie(&headers, "", 0)) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}
