//! The published lists (信息公开): the RCR list as of a date and its changes since another
//! (sql/lists_rcr.sql). Valid time as the registry knows it now, like the province's published batches.

use super::{Result, Store};
use crate::domain::indicators::Scope;
use chrono::NaiveDate;
use sqlx::Row;

const LISTS_RCR: &str = include_str!("sql/lists_rcr.sql");

/// A parcel on the list on either date.
#[derive(Debug, Clone, PartialEq)]
pub struct RcrRow {
    pub parcel_code: String,
    pub on_before: bool,
    pub on_after: bool,
    pub county_code: String,
    pub name: String,
    /// The state as of the later date (for a parcel deleted before it, its last state).
    pub state: String,
    pub area_m2: f64,
    pub former_industry: Option<String>,
    pub listed_on: Option<NaiveDate>,
    pub listed_document: Option<String>,
    pub removed_on: Option<NaiveDate>,
    pub removed_to: Option<String>,
    pub removed_document: Option<String>,
}

const LISTS_KEY_UNITS: &str = include_str!("sql/lists_key_units.sql");

/// A key supervised unit on a year's list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct KeyUnitRow {
    pub enterprise_code: String,
    pub name: String,
    pub county_code: String,
    pub industry: Option<String>,
    pub status: Option<String>,
    pub list_doc: Option<String>,
    pub listed_years: Option<Vec<i32>>,
}

impl Store {
    /// The key supervised units listed for `year`, as the registry stood on `on`.
    pub async fn key_unit_list(&self, scope: &Scope, year: i32, on: NaiveDate) -> Result<Vec<KeyUnitRow>> {
        let prefix = format!("{}%", scope.code_prefix());
        let rows = sqlx::query(LISTS_KEY_UNITS).bind(year).bind(on).bind(&prefix).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(KeyUnitRow {
                    enterprise_code: r.try_get(0)?,
                    name: r.try_get(1)?,
                    county_code: r.try_get(2)?,
                    industry: r.try_get(3)?,
                    status: r.try_get(4)?,
                    list_doc: r.try_get(5)?,
                    listed_years: r.try_get(6)?,
                })
            })
            .collect()
    }

    /// The parcels on the RCR list on `as_of`, and with `since` those on it then.
    pub async fn rcr_list(&self, scope: &Scope, as_of: NaiveDate, since: Option<NaiveDate>) -> Result<Vec<RcrRow>> {
        let prefix = format!("{}%", scope.code_prefix());
        let rows = sqlx::query(LISTS_RCR).bind(as_of).bind(since).bind(&prefix).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(RcrRow {
                    parcel_code: r.try_get(0)?,
                    on_before: r.try_get(1)?,
                    on_after: r.try_get(2)?,
                    county_code: r.try_get(3)?,
                    name: r.try_get(4)?,
                    state: r.try_get(5)?,
                    area_m2: r.try_get(6)?,
                    former_industry: r.try_get(7)?,
                    listed_on: r.try_get(8)?,
                    listed_document: r.try_get(9)?,
                    removed_on: r.try_get(10)?,
                    removed_to: r.try_get(11)?,
                    removed_document: r.try_get(12)?,
                })
            })
            .collect()
    }
}
