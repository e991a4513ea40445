//! What the access rules and indicators read: a registered parcel as a check's query area, and registry
//! rows streamed into the indicator accumulator. A check's spatial facts are read with its receipt
//! (receipts.rs).

use super::{Result, Store};
use crate::domain::indicators::{Accumulator, Indicators, ParcelForIndicator, Scope, Targets, UnitForIndicator};
use crate::domain::measures::Cover;
use chrono::{Datelike, NaiveDate};
use futures_util::TryStreamExt;
use sqlx::Row;

const INDICATORS_FARMLAND: &str = include_str!("sql/indicators_farmland.sql");
const AS_OF: &str = "superseded_at IS NULL AND valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1)";

/// A registered parcel as a check's query area.
pub struct ParcelForCheck {
    /// GeoJSON, lon/lat.
    pub geometry: String,
    pub current_use: Option<String>,
    pub use_code_system: String,
}

impl Store {
    pub async fn parcel_for_check(&self, code: &str, as_of: NaiveDate) -> Result<Option<ParcelForCheck>> {
        let sql = format!(
            "SELECT ST_AsGeoJSON(geom)::text, current_use, use_code_system FROM construction_parcel_versions WHERE parcel_code = $2 AND {AS_OF}"
        );
        let row = sqlx::query(&sql).bind(as_of).bind(code).fetch_optional(&self.pool).await?;
        row.map(|r| {
            Ok(ParcelForCheck { geometry: r.try_get(0)?, current_use: r.try_get(1)?, use_code_system: r.try_get(2)? })
        })
        .transpose()
    }

    /// The indicators for a scope as of a date; rows stream through the accumulator, never all in memory.
    pub async fn indicators(&self, scope: Scope, as_of: NaiveDate, targets: &Targets) -> Result<Indicators> {
        let prefix = format!("{}%", scope.code_prefix());
        let mut acc = Accumulator::new(scope, targets);
        // The measures ledger of the as-of date's year, where a unit has entries for it.
        let mut rows = sqlx::query(INDICATORS_FARMLAND)
            .bind(as_of)
            .bind(&prefix)
            .bind(as_of.year())
            .bind(super::measures::safe_use_kinds())
            .fetch(&self.pool);
        while let Some(r) = rows.try_next().await? {
            let class: String = r.try_get(1)?;
            let Ok(class) = class.parse() else { continue };
            let (safe_use_m2, strict_m2): (Option<f64>, Option<f64>) = (r.try_get(5)?, r.try_get(6)?);
            let cover = safe_use_m2.zip(strict_m2).map(|(safe_use_m2, strict_m2)| Cover { safe_use_m2, strict_m2 });
            let unit = UnitForIndicator {
                county_code: r.try_get(0)?,
                class,
                measures_in_place: r.try_get(2)?,
                crops_compliant: r.try_get(3)?,
                area_m2: r.try_get(4)?,
            };
            acc.add_unit_with_ledger(&unit, cover.as_ref());
        }
        drop(rows);
        let sql = format!(
            "SELECT county_code, state, priority_supervision FROM construction_parcel_versions WHERE {AS_OF} AND county_code LIKE $2"
        );
        let mut rows = sqlx::query(&sql).bind(as_of).bind(&prefix).fetch(&self.pool);
        while let Some(r) = rows.try_next().await? {
            let state: String = r.try_get(1)?;
            let Ok(state) = state.parse() else { continue };
            acc.add_parcel(&ParcelForIndicator {
                county_code: r.try_get(0)?,
                state,
                priority_supervision: r.try_get(2)?,
            });
        }
        Ok(acc.finish())
    }
}
