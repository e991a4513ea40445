//! Reading the audit log (it is written by `super::audit` inside each write's transaction).

use super::{Result, Store};
use chrono::NaiveDate;
use futures_util::{Stream, StreamExt};

const AUDIT_PAGE: &str = include_str!("sql/audit_page.sql");

/// Which entries of the audit log to read; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub collection: Option<String>,
    pub feature_id: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    /// The first and the last day, inclusive, in China Standard Time.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
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
            .bind(q.from)
            .bind(q.to)
            .fetch_all(&self.pool)
            .await?;
        let more = rows.len() as i64 > q.limit;
        let rows: Vec<(i64, String)> = rows.into_iter().take(q.limit as usize).collect();
        let next_before = if more { rows.last().map(|(id, _)| *id) } else { None };
        Ok(AuditPage { entries: rows.into_iter().map(|(_, json)| json).collect(), next_before })
    }

    /// Every entry the query selects, newest first, as JSON text, read as it is sent (the CSV export); the
    /// cursor and the page size do not apply.
    pub fn audit_entries<'a>(&'a self, q: &'a AuditQuery) -> impl Stream<Item = Result<String>> + 'a {
        sqlx::query_as::<_, (i64, String)>(AUDIT_PAGE)
            .bind(&q.collection)
            .bind(&q.feature_id)
            .bind(&q.actor)
            .bind(&q.action)
            .bind(None::<i64>)
            .bind(None::<i64>)
            .bind(q.from)
            .bind(q.to)
            .fetch(&self.pool)
            .map(|r| r.map(|(_, json)| json).map_err(Into::into))
    }
}
