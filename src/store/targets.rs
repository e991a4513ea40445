//! The plans' targets as stored (migration `targets`): which targets a city has in a year, and the values
//! the bureau enters, with their evidence, for those the registry cannot compute (funds, emission cuts).
//! Indicator series (series.rs) and the published lists (lists.rs) are read next door.

use super::{audit, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::Row;

/// A value entered for a target, with what it rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnteredValue {
    pub id: i64,
    pub target_id: String,
    /// The date the figure holds for.
    pub as_of: NaiveDate,
    pub value: f64,
    pub evidence: String,
    pub document: Option<String>,
    pub note: Option<String>,
    pub entered_by: String,
    pub entered_at: DateTime<Utc>,
}

/// What an editor enters; checked by the caller (http/targets.rs) against the target.
pub struct NewValue<'a> {
    pub target_id: &'a str,
    pub as_of: NaiveDate,
    pub value: f64,
    pub evidence: &'a str,
    pub document: Option<&'a str>,
    pub note: Option<&'a str>,
}

const VALUE_COLUMNS: &str = "id, target_id, as_of, value, evidence, document, note, entered_by, entered_at";

fn entered(r: &sqlx::postgres::PgRow) -> Result<EnteredValue> {
    Ok(EnteredValue {
        id: r.try_get(0)?,
        target_id: r.try_get(1)?,
        as_of: r.try_get(2)?,
        value: r.try_get(3)?,
        evidence: r.try_get(4)?,
        document: r.try_get(5)?,
        note: r.try_get(6)?,
        entered_by: r.try_get(7)?,
        entered_at: r.try_get(8)?,
    })
}

impl Store {
    /// The ids of the stored targets of a city (4-digit prefix) and, for a county, its own, in a year, in
    /// order of id.
    pub async fn target_ids(&self, city: &str, county: Option<&str>, year: i32) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT t.id FROM targets t
             WHERE t.year = $2 AND (t.city = $1 OR t.county_code = $3)
             ORDER BY t.id",
        )
        .bind(city)
        .bind(year)
        .bind(county)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Whether a target id is stored.
    pub async fn target_exists(&self, id: &str) -> Result<bool> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM targets WHERE id = $1)")
            .bind(id)
            .fetch_one(&self.pool)
            .await?)
    }

    /// The value that holds for `target` on `on`: the latest figure dated from `from` to `on`, and of those
    /// the last entered (a correction is a newer row).
    pub async fn entered_value(&self, target: &str, from: NaiveDate, on: NaiveDate) -> Result<Option<EnteredValue>> {
        let sql = format!(
            "SELECT {VALUE_COLUMNS} FROM target_values WHERE target_id = $1 AND as_of BETWEEN $2 AND $3
             ORDER BY as_of DESC, entered_at DESC, id DESC LIMIT 1"
        );
        let row = sqlx::query(&sql).bind(target).bind(from).bind(on).fetch_optional(&self.pool).await?;
        row.as_ref().map(entered).transpose()
    }

    /// Every value entered for a target, newest first.
    pub async fn entered_values(&self, target: &str) -> Result<Vec<EnteredValue>> {
        let sql = format!(
            "SELECT {VALUE_COLUMNS} FROM target_values WHERE target_id = $1 ORDER BY as_of DESC, entered_at DESC, id DESC"
        );
        let rows = sqlx::query(&sql).bind(target).fetch_all(&self.pool).await?;
        rows.iter().map(entered).collect()
    }

    /// Stores an entered value and its audit record in one transaction.
    pub async fn enter_value(&self, v: &NewValue<'_>, actor: &str) -> Result<EnteredValue> {
        let mut tx = self.begin(super::Work::Write).await?;
        let sql = format!(
            "INSERT INTO target_values (target_id, as_of, value, evidence, document, note, entered_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {VALUE_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(v.target_id)
            .bind(v.as_of)
            .bind(v.value)
            .bind(v.evidence)
            .bind(v.document)
            .bind(v.note)
            .bind(actor)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Database(sqlx::Error::Database(db)) if db.code().as_deref() == Some("23503") => {
                    StoreError::NotFound
                }
                other => other,
            })?;
        let stored = entered(&row)?;
        audit(
            &mut tx,
            actor,
            "target.value",
            None,
            Some(v.target_id),
            None,
            serde_json::json!({"id": stored.id, "as_of": v.as_of, "value": v.value, "evidence": v.evidence,
                "document": v.document, "note": v.note}),
        )
        .await?;
        tx.commit().await?;
        Ok(stored)
    }
}
