//! People (user accounts), their sessions and failed sign-ins. Passwords arrive here already hashed
//! (Argon2id, in crate::domain::access); session cookies are kept as SHA-256, like tokens.

use super::tokens::{stored_scopes, Principal};
use super::{audit, Result, Store, StoreError};
use crate::domain::access::{token_hash, Role};
use crate::domain::scope::Scopes;
use chrono::{DateTime, Utc};
use serde::Serialize;

type Time = DateTime<Utc>;

/// Who manages people from the command line, in the audit log.
const CLI: &str = "landguard-cli";

#[derive(Debug, Clone, Serialize)]
pub struct UserInfo {
    pub name: String,
    pub role: Role,
    pub counties: Scopes,
    pub created_at: Time,
    pub password_changed_at: Time,
    pub disabled_at: Option<Time>,
    pub open_sessions: i64,
}

/// What sign-in needs to know of a name.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub principal: Principal,
    pub password_hash: String,
    pub disabled: bool,
}

/// A session that is still open, with its person as they are now (role and counties read afresh).
#[derive(Debug, Clone)]
pub struct OpenSession {
    pub principal: Principal,
    pub expires_at: Time,
}

/// Changes to a person's role or counties; `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub role: Option<Role>,
    pub counties: Option<Scopes>,
}

impl Store {
    pub async fn create_user(&self, name: &str, role: Role, counties: &Scopes, password_hash: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO users (name, role, counties, password_hash) VALUES ($1, $2, $3, $4)")
            .bind(name)
            .bind(role.as_str())
            .bind(counties.codes())
            .bind(password_hash)
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict(_) => StoreError::Conflict(format!("a person named '{name}' exists already")),
                other => other,
            })?;
        audit(
            &mut tx,
            CLI,
            "user.create",
            None,
            Some(name),
            None,
            serde_json::json!({"role": role, "counties": counties}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_users(&self) -> Result<Vec<UserInfo>> {
        type Row = (String, String, Vec<String>, Time, Time, Option<Time>, i64);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT u.name, u.role, u.counties, u.created_at, u.password_changed_at, u.disabled_at,
                    (SELECT count(*) FROM sessions s
                      WHERE s.user_id = u.id AND s.ended_at IS NULL AND s.expires_at > now())
               FROM users u ORDER BY u.name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(name, role, counties, created_at, password_changed_at, disabled_at, open_sessions)| {
                Some(UserInfo {
                    name,
                    role: role.parse().ok()?,
                    counties: stored_scopes(counties)?,
                    created_at,
                    password_changed_at,
                    disabled_at,
                    open_sessions,
                })
            })
            .collect())
    }

    /// Updates one person and ends their open sessions where `end_sessions`, in one transaction with its audit
    /// entry. The update statement's `$1` is the name.
    async fn change_user(
        &self,
        name: &str,
        update: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
        action: &str,
        detail: serde_json::Value,
        end_sessions: bool,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let n = update.execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::Invalid(format!("no person named '{name}' (see `landguard user list`)")));
        }
        if end_sessions {
            sqlx::query(
                "UPDATE sessions SET ended_at = now()
                  WHERE ended_at IS NULL AND user_id = (SELECT id FROM users WHERE name = $1)",
            )
            .bind(name)
            .execute(&mut *tx)
            .await?;
        }
        audit(&mut tx, CLI, action, None, Some(name), None, detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new password (a reset by an admin); every open session of the person ends.
    pub async fn set_password(&self, name: &str, password_hash: &str) -> Result<()> {
        let q = sqlx::query("UPDATE users SET password_hash = $2, password_changed_at = now() WHERE name = $1")
            .bind(name)
            .bind(password_hash);
        self.change_user(name, q, "user.passwd", serde_json::json!({}), true).await
    }

    /// Signs the person out everywhere and refuses their sign-ins. Their sessions stop working at once: each
    /// request reads the person afresh.
    pub async fn disable_user(&self, name: &str) -> Result<()> {
        let q = sqlx::query("UPDATE users SET disabled_at = now() WHERE name = $1 AND disabled_at IS NULL").bind(name);
        self.change_user(name, q, "user.disable", serde_json::json!({}), true).await.map_err(|e| match e {
            StoreError::Invalid(_) => StoreError::Invalid(format!("no enabled person named '{name}'")),
            other => other,
        })
    }

    pub async fn enable_user(&self, name: &str) -> Result<()> {
        let q =
            sqlx::query("UPDATE users SET disabled_at = NULL WHERE name = $1 AND disabled_at IS NOT NULL").bind(name);
        self.change_user(name, q, "user.enable", serde_json::json!({}), false).await.map_err(|e| match e {
            StoreError::Invalid(_) => StoreError::Invalid(format!("no disabled person named '{name}'")),
            other => other,
        })
    }

    /// A new role or new counties; open sessions carry them from the next request on.
    pub async fn change_user_scope(&self, name: &str, change: &UserChange) -> Result<()> {
        let role = change.role.map(Role::as_str);
        let counties = change.counties.as_ref().map(|c| c.codes().to_vec());
        let q = sqlx::query(
            "UPDATE users SET role = coalesce($2, role), counties = coalesce($3, counties) WHERE name = $1",
        )
        .bind(name)
        .bind(role)
        .bind(counties);
        let detail = serde_json::json!({"role": change.role, "counties": change.counties});
        self.change_user(name, q, "user.update", detail, false).await
    }

    /// The person a sign-in names, if any.
    pub async fn account(&self, name: &str) -> Result<Option<Account>> {
        let row: Option<(i64, String, String, Vec<String>, String, bool)> = sqlx::query_as(
            "SELECT id, name, role, counties, password_hash, disabled_at IS NOT NULL FROM users WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.and_then(|(id, name, role, counties, password_hash, disabled)| {
            let principal = Principal { name, role: role.parse().ok()?, counties: stored_scopes(counties)? };
            Some(Account { id, principal, password_hash, disabled })
        }))
    }

    /// Counts a sign-in attempt as a failure until it succeeds, and returns its id with the failures before it
    /// within the last `window_secs`: of the name, and from the client address. Counting the attempt first
    /// makes the limit hold however many attempts arrive at once: of attempts that start together, each
    /// sees those that counted before it, so no more than the limit get past it.
    pub async fn begin_login_attempt(&self, name: &str, client: &str, window_secs: u64) -> Result<(i64, u32, u32)> {
        let mut conn = self.pool.acquire().await?;
        // Failures older than the window are forgotten on the way.
        sqlx::query("DELETE FROM login_failures WHERE at <= now() - make_interval(secs => $1)")
            .bind(window_secs as f64)
            .execute(&mut *conn)
            .await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO login_failures (name, client) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(client)
            .fetch_one(&mut *conn)
            .await?;
        let (account, from_client): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE name = $1), count(*) FILTER (WHERE client = $2)
               FROM login_failures
              WHERE at > now() - make_interval(secs => $3) AND (name = $1 OR client = $2) AND id <> $4",
        )
        .bind(name)
        .bind(client)
        .bind(window_secs as f64)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        let n = |c: i64| u32::try_from(c).unwrap_or(u32::MAX);
        Ok((id, n(account), n(from_client)))
    }

    /// An attempt that was refused before its password was looked at is no failure of its own: the window
    /// runs from the failures that caused the refusal, as `Retry-After` says.
    pub async fn forget_login_attempt(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM login_failures WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    /// Opens a session for a person who has just given their password; the failures of that name are
    /// forgotten (those of the client address are not: another name may be being guessed from it).
    pub async fn start_session(&self, account: &Account, token: &str, max_secs: u64, client: &str) -> Result<Time> {
        let mut tx = self.pool.begin().await?;
        let expires_at: Time = sqlx::query_scalar(
            "INSERT INTO sessions (token_hash, user_id, expires_at)
             VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING expires_at",
        )
        .bind(token_hash(token))
        .bind(account.id)
        .bind(max_secs as f64)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM login_failures WHERE name = $1")
            .bind(&account.principal.name)
            .execute(&mut *tx)
            .await?;
        let name = account.principal.name.as_str();
        audit(&mut tx, name, "session.start", None, None, None, serde_json::json!({"client": client})).await?;
        tx.commit().await?;
        Ok(expires_at)
    }

    /// The open session a cookie names, if it is open: not ended, not past its end, not idle longer than
    /// `idle_secs`, and its person not disabled. Checked on every request, so a disabled person, or a new role
    /// or counties, takes effect at once.
    pub async fn session(&self, token: &str, idle_secs: u64) -> Result<Option<OpenSession>> {
        type Row = (String, String, Vec<String>, Time, bool);
        let row: Option<Row> = sqlx::query_as(
            "SELECT u.name, u.role, u.counties, s.expires_at, s.last_seen_at < now() - interval '1 minute'
               FROM sessions s JOIN users u ON u.id = s.user_id
              WHERE s.token_hash = $1 AND s.ended_at IS NULL AND u.disabled_at IS NULL
                AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => $2)",
        )
        .bind(token_hash(token))
        .bind(idle_secs as f64)
        .fetch_optional(&self.pool)
        .await?;
        let Some((name, role, counties, expires_at, stale)) = row else { return Ok(None) };
        // The idle clock moves at most once a minute: a map sends the cookie with every tile, and a write per
        // tile would cost more than the minute of idle time it measures.
        if stale {
            sqlx::query("UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1")
                .bind(token_hash(token))
                .execute(&self.pool)
                .await?;
        }
        let (Ok(role), Some(counties)) = (role.parse(), stored_scopes(counties)) else { return Ok(None) };
        Ok(Some(OpenSession { principal: Principal { name, role, counties }, expires_at }))
    }

    /// Signs out: the session ends, whoever holds its cookie.
    pub async fn end_session(&self, token: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let name: Option<String> = sqlx::query_scalar(
            "UPDATE sessions s SET ended_at = now() FROM users u
              WHERE s.token_hash = $1 AND s.ended_at IS NULL AND u.id = s.user_id RETURNING u.name",
        )
        .bind(token_hash(token))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(name) = name {
            audit(&mut tx, &name, "session.end", None, None, None, serde_json::json!({})).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
