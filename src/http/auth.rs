//! Who is calling: a bearer token (machines) or a session cookie (people, see session.rs), each checked
//! against stored hashes.

use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::domain::access::{csrf_matches, Role};
use crate::domain::registry::Collection;
use crate::store::tokens::Principal;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode};

pub const SESSION_COOKIE: &str = "landguard_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The caller of a request: anonymous, the holder of a valid token, or a person signed in.
pub struct Caller(pub Option<Principal>);

/// The session cookie's value, if the request carries one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A browser sends the cookie with whatever request a page makes, even one another site's page made it
/// send; a request that changes anything must also carry the session's CSRF value, which only a page that
/// read it from /session (same origin) has. SameSite=Strict stops most such requests already; this stops
/// the rest (older browsers, a sibling subdomain).
pub fn require_csrf(method: &Method, headers: &HeaderMap, session_token: &str) -> ApiResult<()> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let presented = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
    if csrf_matches(session_token, presented) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "csrf",
        "CSRF token missing or wrong",
        format!(
            "用会话 Cookie 登录后的写操作须带 {CSRF_HEADER} 头（其值见 POST /session 或 GET /session 的 csrf） — a write signed in by the session cookie needs the header X-CSRF-Token with the csrf value that POST /session and GET /session give"
        ),
    ))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(AUTHORIZATION) else {
            let Some(token) = session_cookie(&parts.headers) else { return Ok(Caller(None)) };
            // An ended or expired session is no caller at all: reads go on as anonymous, writes get 401.
            let idle_secs = state.settings.session_idle_mins.saturating_mul(60);
            let Some(open) = state.store.session(&token, idle_secs).await? else { return Ok(Caller(None)) };
            require_csrf(&parts.method, &parts.headers, &token)?;
            return Ok(Caller(Some(open.principal)));
        };
        Ok(Caller(Some(token_holder(state, value).await?)))
    }
}

/// The holder of the bearer token an Authorization header gives; a token that is not valid is an error,
/// not an anonymous caller, so that a script with a revoked token learns so.
pub async fn token_holder(state: &AppState, value: &axum::http::HeaderValue) -> ApiResult<Principal> {
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be 'Bearer TOKEN'"))?;
    state
        .store
        .authenticate(token)
        .await?
        .ok_or_else(|| ApiError::unauthorized("the token is not valid (unknown or revoked)"))
}

impl Caller {
    /// Writes need an editor, approver or admin; where they may write is the store's to check (their counties).
    pub fn writer(&self) -> ApiResult<&Principal> {
        match &self.0 {
            None => Err(ApiError::unauthorized(
                "写操作须先登录（POST /session）或带令牌 — writes need a signed-in session (POST /session) or 'Authorization: Bearer TOKEN', with role editor, approver or admin",
            )),
            Some(p) if p.role.may_write() => Ok(p),
            Some(p) => Err(ApiError::forbidden(format!(
                "'{}' 的角色是 {}，写操作须为 editor、approver 或 admin — '{}' has role {}; writes need editor, approver or admin",
                p.name, p.role, p.name, p.role
            ))),
        }
    }

    pub fn admin(&self) -> ApiResult<&Principal> {
        match &self.0 {
            None => Err(ApiError::unauthorized("须管理员登录或令牌 — this needs an admin session or token")),
            Some(p) if p.role == Role::Admin => Ok(p),
            Some(p) => Err(ApiError::forbidden(format!(
                "'{}' 的角色是 {}，此操作须 admin — '{}' has role {}; this needs admin",
                p.name, p.role, p.name, p.role
            ))),
        }
    }

    /// Reads are open where the settings make a collection public, and need any valid token elsewhere.
    pub fn reader(&self, state: &AppState, c: Collection) -> ApiResult<()> {
        if self.0.is_some() || state.settings.anonymous_read(c) {
            Ok(())
        } else {
            Err(ApiError::unauthorized(format!("reading {c} needs a token on this server")))
        }
    }
}
