//! API tokens at rest: a name, a role and the token's hash.

use super::{audit, Result, Store, StoreError};
use crate::domain::access::{new_token, token_hash, token_matches, Role};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub name: String,
    pub role: Role,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The holder of a valid token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub name: String,
    pub role: Role,
}

impl Store {
    /// Creates a token and returns it; only its hash is stored.
    pub async fn create_token(&self, name: &str, role: Role) -> Result<String> {
        let token = new_token();
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO api_tokens (name, role, token_hash) VALUES ($1, $2, $3)")
            .bind(name)
            .bind(role.as_str())
            .bind(token_hash(&token))
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => StoreError::Conflict(format!("a token named '{name}' exists already")),
                other => other,
            })?;
        audit(&mut tx, "landguard-cli", "token.create", None, Some(name), None, serde_json::json!({"role": role}))
            .await?;
        tx.commit().await?;
        Ok(token)
    }

    pub async fn authenticate(&self, token: &str) -> Result<Option<Principal>> {
        let row: Option<(String, String, Vec<u8>)> = sqlx::query_as(
            "SELECT name, role, token_hash FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(name, role, hash)| {
            let role = role.parse().ok()?;
            token_matches(token, &hash).then_some(Principal { name, role })
        }))
    }

    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>> {
        type Row = (String, String, chrono::DateTime<chrono::Utc>, Option<chrono::DateTime<chrono::Utc>>);
        let rows: Vec<Row> =
            sqlx::query_as("SELECT name, role, created_at, revoked_at FROM api_tokens ORDER BY created_at, name")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(name, role, created_at, revoked_at)| {
                Some(TokenInfo { name, role: role.parse().ok()?, created_at, revoked_at })
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
