//! Tracing (溯源): what lies around a farmland unit (pollution sources, tailings ponds, key supervised units'
//! sites) and what farmland lies around one of those, measured by PostGIS in one statement each
//! (sql/trace_sources.sql, sql/trace_farmland.sql) and handed over as JSON.

use super::{Result, Store, StoreError};
use crate::domain::farmland::FarmlandClass;
use crate::domain::time::AsOf;
use crate::domain::trace::{list_of, NearUnit};
use serde::Deserialize;
use serde_json::Value;
use std::sync::LazyLock;

const SOURCES: &str = include_str!("sql/trace_sources.sql");

/// The registers tracing starts from towards the farmland: collection, version table, id column.
const ORIGINS: [(&str, &str, &str); 3] = [
    ("pollution_sources", "pollution_source_versions", "source_code"),
    ("tailings_ponds", "tailings_pond_versions", "pond_code"),
    ("key_supervised_units", "key_supervised_unit_versions", "enterprise_code"),
];

static FARMLAND: LazyLock<Vec<(&'static str, String)>> = LazyLock::new(|| {
    ORIGINS
        .iter()
        .map(|(c, table, code)| {
            (*c, include_str!("sql/trace_farmland.sql").replace("{table}", table).replace("{code}", code))
        })
        .collect()
});

/// The collections `nearby-farmland` starts from.
pub fn farmland_origins() -> impl Iterator<Item = &'static str> {
    ORIGINS.iter().map(|(c, _, _)| *c)
}

/// The farmland unit a trace starts from.
#[derive(Debug, Clone, Deserialize)]
pub struct TracedUnit {
    pub unit_code: String,
    pub county_code: String,
    pub class: FarmlandClass,
    pub area_m2: f64,
}

/// A source, pond or key unit's site near a farmland unit.
#[derive(Debug, Clone, Deserialize)]
pub struct NearbySource {
    /// The collection it belongs to: `pollution_sources`, `tailings_ponds` or `key_supervised_units`.
    pub collection: String,
    pub id: String,
    pub name: String,
    pub county_code: String,
    /// A source's kind; a key unit's industry code.
    pub kind: Option<String>,
    /// A pond's supervision level.
    pub level: Option<i64>,
    pub list: Option<String>,
    pub state: Option<String>,
    /// A pond's or key unit's status.
    pub status: Option<String>,
    #[serde(deserialize_with = "list_of")]
    pub pollutants: Vec<String>,
    /// Geodesic, metres; 0 when it touches or lies inside the unit.
    pub distance_m: f64,
    /// From inside the unit to the feature's nearest point, degrees clockwise from north; none when they meet.
    pub bearing_deg: Option<f64>,
    pub geometry: Value,
}

#[derive(Debug, Clone, Deserialize)]
struct SourcesRead {
    origin: Option<TracedUnit>,
    features: Vec<NearbySource>,
}

/// The source, pond or key unit a trace towards the farmland starts from.
#[derive(Debug, Clone, Deserialize)]
pub struct TracedOrigin {
    pub id: String,
    pub name: String,
    pub county_code: String,
}

/// A farmland unit near a source.
#[derive(Debug, Clone, Deserialize)]
pub struct NearbyUnit {
    pub unit_code: String,
    pub county_code: String,
    pub class: FarmlandClass,
    pub land_type: String,
    pub measures_in_place: bool,
    pub crops_compliant: Option<bool>,
    pub area_m2: f64,
    /// Geodesic, metres; 0 when the source touches or lies inside the unit.
    pub distance_m: f64,
    pub bearing_deg: Option<f64>,
    pub geometry: Value,
}

impl NearbyUnit {
    pub fn near(&self) -> NearUnit {
        NearUnit {
            unit_code: self.unit_code.clone(),
            class: self.class,
            area_m2: self.area_m2,
            distance_m: self.distance_m,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct FarmlandRead {
    origin: Option<TracedOrigin>,
    units: Vec<NearbyUnit>,
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Invalid(format!("trace: {e}")))
}

impl Store {
    /// The sources, ponds and key units' sites within `distance_m` of a farmland unit, nearest first; None
    /// when the unit is not in the registry on that date.
    pub async fn nearby_sources(
        &self,
        unit_code: &str,
        as_of: AsOf,
        distance_m: f64,
    ) -> Result<Option<(TracedUnit, Vec<NearbySource>)>> {
        let text: String = sqlx::query_scalar(SOURCES)
            .bind(unit_code)
            .bind(as_of.date())
            .bind(distance_m)
            .fetch_one(&self.pool)
            .await?;
        let read: SourcesRead = parse(&text)?;
        Ok(read.origin.map(|o| (o, read.features)))
    }

    /// The farmland units within `distance_m` of a source, pond or key unit's site, nearest first; None when
    /// the feature is not in its register on that date, or the collection is not one tracing starts from.
    pub async fn nearby_farmland(
        &self,
        collection: &str,
        id: &str,
        as_of: AsOf,
        distance_m: f64,
    ) -> Result<Option<(TracedOrigin, Vec<NearbyUnit>)>> {
        let Some((_, sql)) = FARMLAND.iter().find(|(c, _)| *c == collection) else { return Ok(None) };
        let text: String =
            sqlx::query_scalar(sql).bind(id).bind(as_of.date()).bind(distance_m).fetch_one(&self.pool).await?;
        let read: FarmlandRead = parse(&text)?;
        Ok(read.origin.map(|o| (o, read.units)))
    }
}
