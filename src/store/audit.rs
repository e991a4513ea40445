//! Reading the audit log (it is written by `super::audit` inside each write's transaction).

use super::{Result, Store};

const AUDIT_PAGE: &str = include_str!("sql/audit_page.sql");

/// Which entries of the audit log to read; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub collection: Option<String>,
    pub feature_id: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Entries older than this id (the last id of the previous page).
    pub before: Option<i64>,
    pub limit: i64,
}

/// One page: the entries as JSON text, newest first, and the cursor for the next page if more remain.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub entries: Vec<String>,
    pub next_before: Option<i64>,
}

impl Store {
    pub async fn audit_page(&self, q: &AuditQuery) -> Result<AuditPage> {
        let rows: Vec<(i64, String)> = sqlx::query_as(AUDIT_PAGE)
            .bind(&q.collection)
            .bind(&q.feature_id)
            .bind(&q.actor)
            .bind(&q.action)
            .bind(q.before)
            .bind(q.limit + 1)
            .fetch_all(&self.pool)
            .await?;
        let more = rows.len() as i64 > q.limit;
        let rows: Vec<(i64, String)> = rows.into_iter().take(q.limit as usize).collect();
        let next_before = if more { rows.last().map(|(id, _)| *id) } else { None };
        Ok(AuditPage { entries: rows.into_iter().map(|(_, json)| json).collect(), next_before })
    }
}
