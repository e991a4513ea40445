//! API tokens at rest: a name, a role, the counties it may write and the token's hash.

use super::{audit, Result, Store, StoreError};
use crate::domain::access::{new_token, token_hash, token_matches, Role};
use crate::domain::scope::Scopes;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub name: String,
    pub role: Role,
    pub counties: Scopes,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The holder of a valid token, or a person signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub name: String,
    pub role: Role,
    pub counties: Scopes,
}

impl Principal {
    /// The writer as the store records it, bound to this caller's counties.
    pub fn actor(&self) -> super::features::Actor<'_> {
        super::features::Actor { name: &self.name, counties: &self.counties }
    }
}

/// Scopes as stored: the CHECK constraint keeps the column well-formed, so a row that fails to parse
/// cannot be; it is read as no principal at all rather than as one bound to no county.
pub(super) fn stored_scopes(codes: Vec<String>) -> Option<Scopes> {
    Scopes::from_codes(codes).ok()
}

impl Store {
    /// Creates a token for every county and returns it; only its hash is stored.
    pub async fn create_token(&self, name: &str, role: Role) -> Result<String> {
        self.create_scoped_token(name, role, &Scopes::default()).await
    }

    /// Creates a token that may write only in `counties` (all when empty).
    pub async fn create_scoped_token(&self, name: &str, role: Role, counties: &Scopes) -> Result<String> {
        let token = new_token();
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO api_tokens (name, role, token_hash, counties) VALUES ($1, $2, $3, $4)")
            .bind(name)
            .bind(role.as_str())
            .bind(token_hash(&token))
            .bind(counties.codes())
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => StoreError::Conflict(format!("a token named '{name}' exists already")),
                other => other,
            })?;
        audit(
            &mut tx,
            "landguard-cli",
            "token.create",
            None,
            Some(name),
            None,
            serde_json::json!({"role": role, "counties": counties}),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    pub async fn authenticate(&self, token: &str) -> Result<Option<Principal>> {
        let row: Option<(String, String, Vec<u8>, Vec<String>)> = sqlx::query_as(
            "SELECT name, role, token_hash, counties FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(name, role, hash, counties)| {
            let role = role.parse().ok()?;
            let counties = stored_scopes(counties)?;
            token_matches(token, &hash).then_some(Principal { name, role, counties })
        }))
    }

    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>> {
        type Row = (String, String, Vec<String>, chrono::DateTime<chrono::Utc>, Option<chrono::DateTime<chrono::Utc>>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT name, role, counties, created_at, revoked_at FROM api_tokens ORDER BY created_at, name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(name, role, counties, created_at, revoked_at)| {
                Some(TokenInfo {
                    name,
                    role: role.parse().ok()?,
                    counties: stored_scopes(counties)?,
                    created_at,
                    revoked_at,
                })
            })
            .collect())
    }

    pub async fn revoke_token(&self, name: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query("UPDATE api_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL")
            .bind(name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        audit(&mut tx, "landguard-cli", "token.revoke", None, Some(name), None, serde_json::json!({})).await?;
        tx.commit().await?;
        Ok(())
    }
}
