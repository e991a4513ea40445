//! Who is calling: a bearer token, checked against the stored hashes.

use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::domain::access::Role;
use crate::domain::registry::Collection;
use crate::store::tokens::Principal;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// The caller of a request: anonymous, or the holder of a valid token.
pub struct Caller(pub Option<Principal>);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(AUTHORIZATION) else {
            return Ok(Caller(None));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::unauthorized("the Authorization header must be 'Bearer TOKEN'"))?;
        match state.store.authenticate(token).await? {
            Some(p) => Ok(Caller(Some(p))),
            None => Err(ApiError::unauthorized("the token is not valid (unknown or revoked)")),
        }
    }
}

impl Caller {
    /// Writes need an editor or admin token.
    pub fn writer(&self) -> ApiResult<&Principal> {
        match &self.0 {
            None => Err(ApiError::unauthorized("writes need 'Authorization: Bearer TOKEN' with role editor or admin")),
            Some(p) if p.role.may_write() => Ok(p),
            Some(p) => {
                Err(ApiError::forbidden(format!("token '{}' has role {}; writes need editor or admin", p.name, p.role)))
            }
        }
    }

    pub fn admin(&self) -> ApiResult<&Principal> {
        match &self.0 {
            None => Err(ApiError::unauthorized("this needs an admin token")),
            Some(p) if p.role == Role::Admin => Ok(p),
            Some(p) => Err(ApiError::forbidden(format!("token '{}' has role {}; this needs admin", p.name, p.role))),
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
