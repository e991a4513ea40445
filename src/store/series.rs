//! Indicator series: the indicators at many dates in two statements, grouped by PostgreSQL by date and
//! county (sql/series_*.sql), folded here into the domain's accumulators per county, city and scope.

use super::{Result, Store};
use crate::domain::indicators::{Accumulator, Indicators, ParcelForIndicator, Scope, Targets, UnitForIndicator};
use crate::domain::measures::Cover;
use chrono::NaiveDate;
use futures_util::TryStreamExt;
use sqlx::Row;
use std::collections::BTreeMap;

const SERIES_FARMLAND: &str = include_str!("sql/series_farmland.sql");
const SERIES_PARCELS: &str = include_str!("sql/series_parcels.sql");

/// Which registry each point reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known {
    /// Each date as the registry knows it now (later corrections and back-dated steps included).
    Now,
    /// Each date as the registry knew it at the end of that day (China Standard Time).
    Then,
}

/// The indicators at one date: over the whole scope, and per city and per county inside it.
pub struct SeriesValues {
    pub as_of: NaiveDate,
    pub scope: Indicators,
    pub cities: Vec<Indicators>,
    pub counties: Vec<Indicators>,
}

struct Point {
    scope: Accumulator,
    cities: BTreeMap<String, Accumulator>,
    counties: BTreeMap<String, Accumulator>,
}

impl Point {
    /// The accumulators a row of `county` counts in: the scope's, its city's and its own.
    fn each(&mut self, county: &str, targets: &Targets, mut f: impl FnMut(&mut Accumulator)) {
        f(&mut self.scope);
        let city = county.get(..4).unwrap_or(county);
        f(self.cities.entry(city.to_string()).or_insert_with(|| Accumulator::new(Scope::City(city.into()), targets)));
        f(self
            .counties
            .entry(county.to_string())
            .or_insert_with(|| Accumulator::new(Scope::County(county.into()), targets)));
    }
}

impl Store {
    /// The indicators of `scope` at each of `dates` (ascending), as known now or then.
    pub async fn indicator_series(
        &self,
        scope: &Scope,
        dates: &[NaiveDate],
        known: Known,
        targets: &Targets,
    ) -> Result<Vec<SeriesValues>> {
        let mut points: BTreeMap<NaiveDate, Point> = dates
            .iter()
            .map(|d| {
                let p = Point {
                    scope: Accumulator::new(scope.clone(), targets),
                    cities: BTreeMap::new(),
                    counties: BTreeMap::new(),
                };
                (*d, p)
            })
            .collect();
        let prefix = format!("{}%", scope.code_prefix());
        let then = known == Known::Then;
        let mut rows = sqlx::query(SERIES_FARMLAND)
            .bind(dates)
            .bind(&prefix)
            .bind(then)
            .bind(super::measures::safe_use_kinds())
            .fetch(&self.pool);
        while let Some(r) = rows.try_next().await? {
            let as_of: NaiveDate = r.try_get(0)?;
            let class: String = r.try_get(2)?;
            let (Some(point), Ok(class)) = (points.get_mut(&as_of), class.parse()) else { continue };
            let n: i64 = r.try_get(5)?;
            let unit = UnitForIndicator {
                county_code: r.try_get(1)?,
                class,
                measures_in_place: r.try_get(3)?,
                crops_compliant: r.try_get(4)?,
                area_m2: r.try_get(6)?,
            };
            let (safe_use_m2, strict_m2): (Option<f64>, Option<f64>) = (r.try_get(7)?, r.try_get(8)?);
            match safe_use_m2.zip(strict_m2) {
                // One unit with ledger entries for the year: the SQL gives it a row of its own.
                Some((safe_use_m2, strict_m2)) => {
                    let cover = Cover { safe_use_m2, strict_m2 };
                    point.each(&unit.county_code, targets, |acc| acc.add_unit_with_ledger(&unit, Some(&cover)));
                }
                None => point.each(&unit.county_code, targets, |acc| acc.add_units(&unit, n.max(0) as u64)),
            }
        }
        drop(rows);
        let mut rows = sqlx::query(SERIES_PARCELS).bind(dates).bind(&prefix).bind(then).fetch(&self.pool);
        while let Some(r) = rows.try_next().await? {
            let as_of: NaiveDate = r.try_get(0)?;
            let state: String = r.try_get(2)?;
            let (Some(point), Ok(state)) = (points.get_mut(&as_of), state.parse()) else { continue };
            let n: i64 = r.try_get(4)?;
            let parcel = ParcelForIndicator { county_code: r.try_get(1)?, state, priority_supervision: r.try_get(3)? };
            point.each(&parcel.county_code, targets, |acc| acc.add_parcels(&parcel, n.max(0) as u64));
        }
        Ok(points
            .into_iter()
            .map(|(as_of, p)| SeriesValues {
                as_of,
                scope: p.scope.finish(),
                cities: p.cities.into_values().map(Accumulator::finish).collect(),
                counties: p.counties.into_values().map(Accumulator::finish).collect(),
            })
            .collect())
    }
}
