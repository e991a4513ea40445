//! An access-rule check from request to answer, shared by HTTP and the CLI: parse and validate the
//! request, resolve the query area (a geometry in any supported CRS, or a registered parcel), fetch the
//! spatial facts in one round trip, and let the pure rule engine decide. The answer goes out with its
//! receipt: an id, where the query lies and what data it was read from (see [`Receipt`]).

use crate::config::Settings;
use crate::domain::crs::Crs;
use crate::domain::geometry::{self, GeometryError};
use crate::domain::landuse::{CodeSystem, LandUse};
use crate::domain::registry::Problem;
use crate::domain::rules::eia::EiaSummary;
use crate::domain::rules::{
    evaluate, CheckKind, CheckRequest, Decision, Examined, Jurisdiction, ProjectKind, Reason, RuleSettings, SupplyKind,
};
use crate::reproject;
use crate::requests::{self, CheckBody, Request, SoilSample};
use crate::store::receipts::{Location, ReadFacts, RegistryRead};
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use geo::{MapCoords, MultiPolygon, Validation};
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("the check request was refused: {}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Problem>),
    #[error("no construction parcel '{code}' in the registry{}", .as_of.map(|d| format!(" on {d}")).unwrap_or_default())]
    UnknownParcel { code: String, as_of: Option<NaiveDate> },
    /// The query touches none of the county outlines the registry holds: most often a wrong CRS or axis
    /// order, which puts a site where nothing is registered and so nothing would stand in its way.
    #[error("the query lies outside every county the registry covers: a point inside it is at lon {lon:.6}, lat {lat:.6}; {}", CheckError::hint_en(.crs, .lon, .lat))]
    /// `crs` is the request's, none for a registered parcel.
    OutsideCoverage { lon: f64, lat: f64, crs: Option<Crs> },
    /// The registry holds no county outlines at all, so no query can be placed.
    #[error("the registry has no county outlines, so it cannot tell where a query lies; checks are refused until they are loaded (landguard counties-load FILE.geojson)")]
    NoCoverage,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CheckError {
    fn hint_en(crs: &Option<Crs>, lon: &f64, lat: &f64) -> String {
        CheckError::coverage_hint(*crs, *lon, *lat).1
    }

    /// Why a query may have landed outside the registry's counties, in Chinese and English.
    pub fn coverage_hint(crs: Option<Crs>, lon: f64, lat: f64) -> (String, String) {
        let Some(crs) = crs else {
            return (
                "该登记地块不在已载入的任何县区界线内：请核对县区界线是否完整（landguard counties-load）".into(),
                "the registered parcel lies outside every county outline loaded: check that the outlines are complete (landguard counties-load)".into(),
            );
        };
        if crs.is_geographic() {
            if crate::domain::geometry::CHINA_EXTENT.contains(lat, lon) {
                return if crs.crs84 {
                    ("CRS84（GeoJSON 默认）为经度在前、纬度在后，而坐标看来是纬度在前".into(), "CRS84 (GeoJSON's default) is longitude, latitude; the coordinates look like latitude, longitude".into())
                } else {
                    ("EPSG:4490/4326 按权威轴序为纬度在前；若坐标为经度在前，请声明 crs 为 CRS84".into(), "EPSG:4490/4326 in authority order is latitude, longitude; for longitude, latitude state crs CRS84".into())
                };
            }
            return (
                format!("请核对坐标参考系（crs 为 {crs}）：CRS84（GeoJSON 默认）为经度在前、纬度在后，EPSG:4490/4326 按权威轴序为纬度在前；投影坐标（如高斯-克吕格 EPSG:4545/4546）须声明 crs"),
                format!("check the coordinate reference system (crs is {crs}): CRS84 (GeoJSON's default) is longitude, latitude, EPSG:4490/4326 in authority order latitude, longitude; projected coordinates (such as Gauss-Krüger EPSG:4545/4546) need their crs stated"),
            );
        }
        if crs.northing_first() {
            return (
                format!("{crs} 按权威轴序为北坐标（X）在前、东坐标（Y）在后，而 ogr2ogr、QGIS 导出的坐标通常为东坐标在前：请按该顺序发送，或转换为 CRS84 经纬度；另请核对分带（中央经线）是否正确"),
                format!("{crs} in authority order is northing (X), easting (Y), while ogr2ogr and QGIS write easting first: send northing first or transform to CRS84 lon/lat; also check the zone (central meridian)"),
            );
        }
        (
            format!("请核对坐标参考系（crs 为 {crs}）和坐标轴顺序"),
            format!("check the coordinate reference system (crs is {crs}) and the axis order"),
        )
    }
}

/// An answer as sent: its id, the answer itself, and what it was read from and where it lies. Kept
/// byte for byte (store::receipts) and returned by `GET /checks/{kind}/{id}`.
#[derive(Debug, Serialize)]
pub struct Receipt {
    pub id: String,
    #[serde(flatten)]
    pub answer: Answer,
    pub registry: RegistryRead,
    pub location: Location,
    pub links: Vec<Value>,
}

impl std::ops::Deref for Receipt {
    type Target = Answer;
    fn deref(&self) -> &Answer {
        &self.answer
    }
}

/// A receipt id: 128 bits from the operating system's random source, as 32 hex digits. Random rather
/// than a sequence or a time-ordered ULID: a receipt can show registry data to whoever holds its link, so
/// its id must not be guessable from another's, nor tell when or how many checks were asked.
pub fn receipt_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Where a check reads: a store and, for a replica, the primary to fall back on and the WAL position the
/// replica must have replayed (store::replicas::ReadRouter::store_for_check).
pub struct Source<'a> {
    pub store: &'a Store,
    pub replica: Option<(&'a Store, u64)>,
}

impl Source<'_> {
    /// The facts, read again from the primary when the replica turns out to be further behind than the
    /// bound a check allows (it fell behind since the router's last probe).
    async fn facts(
        &self,
        query: &str,
        as_of: NaiveDate,
        buffer_m: f64,
        max_lag_secs: u64,
    ) -> Result<ReadFacts, StoreError> {
        let mut read = self.store.check_facts_read(query, as_of, buffer_m).await?;
        if let Some((primary, need)) = self.replica {
            let replayed = read.replayed_lsn.as_deref().and_then(crate::store::replicas::lsn);
            // NULL when the server is not in recovery (a promoted replica): it is its own primary
            if read.registry.replica && replayed.is_none_or(|r| r < need) {
                read = primary.check_facts_read(query, as_of, buffer_m).await?;
            }
        }
        read.registry.max_lag_secs = read.registry.replica.then_some(max_lag_secs);
        Ok(read)
    }
}

#[derive(Debug, Serialize)]
pub struct Answer {
    pub check: CheckKind,
    pub decision: Decision,
    /// EIA site checks only: the farmland and parcels in and around the site in figures, before the reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eia_summary: Option<EiaSummary>,
    pub reasons: Vec<Reason>,
    /// Whose rules were applied: national, and each city whose plan holds where and when the query is.
    pub jurisdictions: Vec<Jurisdiction>,
    /// The counties the query lies in, as the registry features it overlaps tell.
    pub counties: Vec<String>,
    /// What the check looked at, so that an answer without reasons is not empty.
    pub examined: Vec<Examined>,
    pub as_of: NaiveDate,
    pub query_area_m2: f64,
    pub query_area_mu: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parcel_code: Option<String>,
    pub proposed_use: Option<UseEcho>,
    pub current_use: Option<UseEcho>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_kind: Option<ProjectKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supply: Option<SupplyKind>,
}

#[derive(Debug, Serialize)]
pub struct UseEcho {
    pub code: String,
    pub system: CodeSystem,
    pub name: &'static str,
}

impl From<&LandUse> for UseEcho {
    fn from(u: &LandUse) -> Self {
        UseEcho { code: u.code.clone(), system: u.system, name: u.name }
    }
}

/// A check request read and validated: what the registry is asked, with the query area ready for the
/// database (a parcel's code, or a geometry as GeoJSON in storage lon/lat).
struct Asked {
    kind: CheckKind,
    proposed: Option<LandUse>,
    current: Option<LandUse>,
    project_kind: Option<ProjectKind>,
    supply: Option<SupplyKind>,
    as_of: NaiveDate,
    crs: Crs,
    parcel_code: Option<String>,
    /// The geometry's GeoJSON, and whether its coordinates were read easting first (see query_geometry).
    geometry: Option<(String, bool)>,
}

/// A check body read from JSON and validated: every problem of the body at once.
fn read_body(kind: CheckKind, body: &Value, settings: &Settings, today: NaiveDate) -> Result<Asked, CheckError> {
    let requests::Read { request, mut problems } = requests::read::<CheckBody>(body, Request::Check);
    match request.map(|b| validate(kind, &b, settings, today)) {
        Some(Ok(asked)) if problems.is_empty() => Ok(asked),
        Some(Err(more)) => {
            requests::merge(&mut problems, more);
            Err(CheckError::Invalid(problems))
        }
        _ => Err(CheckError::Invalid(problems)),
    }
}

/// What a check body means for a check of `kind`, or every problem with it. No database.
fn validate(kind: CheckKind, b: &CheckBody, settings: &Settings, today: NaiveDate) -> Result<Asked, Vec<Problem>> {
    let mut problems = Vec::new();
    let system = b.use_code_system.unwrap_or_default();
    let mut land_use = |raw: &Option<String>, pointer: &str| {
        raw.as_deref().and_then(|s| match LandUse::parse(system, s) {
            Ok(u) => Some(u),
            Err(e) => {
                problems.push(Problem::new(pointer, e.to_string()));
                None
            }
        })
    };
    let proposed = land_use(&b.proposed_use, "/proposed_use");
    let current = land_use(&b.current_use, "/current_use");
    if kind == CheckKind::Rezoning && b.proposed_use.is_none() {
        problems.push(Problem::new("/proposed_use", "is required for a rezoning check"));
    }
    if b.project_kind.is_some() && kind == CheckKind::Rezoning {
        problems.push(Problem::new("/project_kind", "applies to eia-site and land-supply checks only"));
    }
    if b.supply.is_some() && kind != CheckKind::LandSupply {
        problems.push(Problem::new("/supply", "applies to land-supply checks only"));
    }
    // An EIA whose project kind is not stated is judged as an ordinary project: the cautious reading. Land
    // supply takes the kind only for the one exemption the law makes (supply for remediation, Art. 66 ¶3).
    let project_kind = match kind {
        CheckKind::EiaSite => Some(b.project_kind.unwrap_or(ProjectKind::Other)),
        CheckKind::LandSupply => b.project_kind,
        CheckKind::Rezoning => None,
    };
    let as_of = b.as_of.unwrap_or(today);
    if as_of > today {
        problems.push(Problem::new(
            "/as_of",
            format!("{as_of} is in the future; the registry answers for today or the past"),
        ));
    }
    let crs = b.crs.unwrap_or(Crs::CRS84);
    let geometry = match (&b.geometry, &b.parcel_code) {
        (Some(_), Some(_)) => {
            problems.push(Problem::new("/parcel_code", "give either a geometry or a parcel_code, not both"));
            None
        }
        (None, None) => {
            problems.push(Problem::new(
                "/geometry",
                "is required (a Polygon or MultiPolygon), unless a parcel_code is given",
            ));
            None
        }
        (Some(g), None) => match query_geometry(g, crs, settings.max_vertices) {
            Ok((mp, swapped)) => Some((geojson::Geometry::from(&mp).to_string(), swapped)),
            Err(p) => {
                problems.extend(p);
                None
            }
        },
        (None, Some(_)) => None,
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Asked {
        kind,
        proposed,
        current,
        project_kind,
        supply: b.supply,
        as_of,
        crs,
        parcel_code: b.parcel_code.clone(),
        geometry,
    })
}

/// A geometry given in a request CRS, checked and brought to storage lon/lat; true when its coordinates
/// were plainly easting first in a northing-first Gauss-Krüger CRS and were read that way round.
fn query_geometry(value: &Value, crs: Crs, max_vertices: usize) -> Result<(MultiPolygon<f64>, bool), Vec<Problem>> {
    let at = |e: GeometryError| Problem::new("/geometry", e.to_string());
    let mp = geometry::multipolygon_from_geojson(value).map_err(|e| vec![at(e)])?;
    if geometry::vertex_count(&mp) == 0 {
        return Err(vec![at(GeometryError::Empty)]);
    }
    // Validity does not depend on the CRS, so it is judged on the coordinates as sent.
    let invalid: Vec<Problem> =
        mp.validation_errors().iter().map(|e| at(GeometryError::Invalid(e.to_string()))).collect();
    if !invalid.is_empty() {
        return Err(invalid);
    }
    let coords =
        mp.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| r.0.iter().map(|c| (c.x, c.y)));
    let swapped = crate::domain::crs::gk_easting_first(crs, coords);
    // to_storage swaps northing-first coordinates itself: swapped in advance, they come out as sent
    let mp = if swapped { mp.map_coords(|c| geo::coord! { x: c.y, y: c.x }) } else { mp };
    let lonlat = reproject::to_storage(mp, crs).map_err(|e| vec![Problem::new("/geometry", e.to_string())])?;
    let problems = geometry::check_lonlat(&lonlat, max_vertices);
    if !problems.is_empty() {
        let hint = if crs == Crs::CRS84 { "" } else { " (after transformation from the stated crs)" };
        return Err(problems.into_iter().map(|e| Problem::new("/geometry", format!("{e}{hint}"))).collect());
    }
    Ok((geometry::normalise(lonlat), swapped))
}

/// A check read from `store` (the primary, or a replica without the bound checks: tests and tools), its
/// body given as JSON.
pub async fn run(
    store: &Store,
    settings: &Settings,
    kind: CheckKind,
    body: &Value,
    today: NaiveDate,
) -> Result<Receipt, CheckError> {
    run_from(&Source { store, replica: None }, settings, kind, body, today).await
}

/// `POST /checks/{kind}`: a body as JSON, read from `source`.
pub async fn run_from(
    source: &Source<'_>,
    settings: &Settings,
    kind: CheckKind,
    body: &Value,
    today: NaiveDate,
) -> Result<Receipt, CheckError> {
    let asked = read_body(kind, body, settings, today)?;
    answer(source, settings, asked).await
}

/// `landguard check`: a body built from the command line, read from `store`.
pub async fn ask(
    store: &Store,
    settings: &Settings,
    kind: CheckKind,
    body: &CheckBody,
    today: NaiveDate,
) -> Result<Receipt, CheckError> {
    let asked = validate(kind, body, settings, today).map_err(CheckError::Invalid)?;
    answer(&Source { store, replica: None }, settings, asked).await
}

async fn answer(source: &Source<'_>, settings: &Settings, asked: Asked) -> Result<Receipt, CheckError> {
    let store = source.store;
    let Asked { kind, proposed, mut current, project_kind, supply, as_of, crs, parcel_code, geometry } = asked;
    let swapped = geometry.as_ref().is_some_and(|(_, s)| *s);
    let query = match (&parcel_code, geometry) {
        (Some(code), _) => {
            let p = store
                .parcel_for_check(code, as_of)
                .await?
                .ok_or_else(|| CheckError::UnknownParcel { code: code.clone(), as_of: Some(as_of) })?;
            if current.is_none() {
                // The registered use stands for the current one; it is in the parcel's own code system.
                current = match (p.current_use, p.use_code_system.parse::<CodeSystem>()) {
                    (Some(c), Ok(sys)) => LandUse::parse(sys, &c).ok(),
                    _ => None,
                };
            }
            p.geometry
        }
        (None, Some((q, _))) => q,
        (None, None) => return Err(CheckError::Invalid(vec![Problem::new("/geometry", "is required")])),
    };
    let rules = RuleSettings {
        sliver_min_m2: settings.sliver_min_m2,
        sliver_min_ratio: settings.sliver_min_ratio,
        heavy_metal_buffer_m: settings.heavy_metal_buffer_m,
        land_use: settings.land_use_policy(),
    };
    let buffer = if project_kind == Some(ProjectKind::HeavyMetal) { settings.heavy_metal_buffer_m } else { 0.0 };
    let mut read = source.facts(&query, as_of, buffer, settings.check_max_lag_secs).await?;
    let location = located(read.location, (parcel_code.is_none()).then_some(crs), swapped)?;
    // Which plan applies is decided by where the query lies (the county outlines), not by which features
    // it happens to touch: a site in Liuzhou that overlaps nothing is still in Liuzhou.
    read.facts.located_in = location.counties.iter().map(|c| c.code.clone()).collect();
    let facts = &read.facts;
    let req = CheckRequest {
        kind,
        proposed_use: proposed.clone(),
        current_use: current.clone(),
        project_kind,
        supply,
        as_of,
    };
    let outcome = evaluate(&req, facts, &rules);
    let answer = Answer {
        check: kind,
        decision: outcome.decision,
        eia_summary: outcome.eia_summary,
        reasons: outcome.reasons,
        jurisdictions: outcome.jurisdictions,
        counties: outcome.counties,
        examined: outcome.examined,
        as_of,
        query_area_m2: (facts.query_area_m2 * 10.0).round() / 10.0,
        query_area_mu: (geometry::m2_to_mu(facts.query_area_m2) * 1000.0).round() / 1000.0,
        parcel_code,
        proposed_use: proposed.as_ref().map(UseEcho::from),
        current_use: current.as_ref().map(UseEcho::from),
        project_kind,
        supply,
    };
    let id = receipt_id();
    let links =
        vec![serde_json::json!({"rel": "self", "type": "application/json", "href": format!("/checks/{kind}/{id}")})];
    Ok(Receipt { id, answer, registry: read.registry, location, links })
}

/// The location of a query, or the refusal of a query that lies outside every county the registry covers.
fn located(mut location: Location, crs: Option<Crs>, swapped: bool) -> Result<Location, CheckError> {
    if !location.counties_loaded {
        return Err(CheckError::NoCoverage);
    }
    let (lon, lat) = location.lon_lat();
    if location.counties.is_empty() {
        return Err(CheckError::OutsideCoverage { lon, lat, crs });
    }
    location.crs = crs.map(|c| c.uri());
    location.axes_swapped = swapped;
    if swapped {
        let crs = crs.map(|c| c.to_string()).unwrap_or_default();
        location.note_zh = Some(format!(
            "坐标按东坐标在前、北坐标在后读取：{crs} 按权威轴序为北坐标在前，但所送坐标的第一个值只能是东坐标、第二个值只能是北坐标（按权威轴序读取，东坐标将远超该分带范围，位置落在海上或境外）。请核对本答复的位置（东经 {lon:.5}°，北纬 {lat:.5}°）。"
        ));
        location.note_en = Some(format!(
            "the coordinates were read easting first: {crs} is northing first in authority order, but every first value sent can only be an easting and every second value only a northing (read in authority order, the easting would lie far outside the zone and the site in the sea or abroad). Check the location of this answer (lon {lon:.5}, lat {lat:.5})."
        ));
    }
    Ok(location)
}

/// The answer to a soil-grade question: the grading, and the class when the crop finding is given.
#[derive(Debug, Serialize)]
pub struct SoilAnswer {
    #[serde(flatten)]
    pub grading: crate::domain::soil::Grading,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crops: Option<crate::domain::farmland::CropFinding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<crate::domain::farmland::FarmlandClass>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_zh: Option<&'static str>,
    /// The law behind the grading and, with a class, what that class entails.
    pub basis: Vec<&'static str>,
}

/// `POST /soil-grade`: a sample given as JSON, every problem of the body at once.
pub fn soil_grade(body: &Value) -> Result<SoilAnswer, CheckError> {
    let requests::Read { request, mut problems } = requests::read::<SoilSample>(body, Request::SoilSample);
    match request.map(|s| grade(&s)) {
        Some(Ok(answer)) if problems.is_empty() => Ok(answer),
        Some(Err(CheckError::Invalid(more))) => {
            // land and land_type are one member in two forms: one that was refused is not also missing
            let land_refused = problems.iter().any(|p| p.pointer == "/land" || p.pointer == "/land_type");
            requests::merge(
                &mut problems,
                more.into_iter().filter(|p| !(land_refused && p.pointer == "/land")).collect(),
            );
            Err(CheckError::Invalid(problems))
        }
        Some(Err(e)) if problems.is_empty() => Err(e),
        _ => Err(CheckError::Invalid(problems)),
    }
}

/// A sample's GB 15618-2018 grade and, with the crop finding, its class: for `POST /soil-grade`,
/// `landguard soil-grade` and each row of a laboratory's table. No database: the standard's tables are in
/// the domain.
pub fn grade(sample: &SoilSample) -> Result<SoilAnswer, CheckError> {
    use crate::domain::soil::{self, Sample};
    let mut problems = Vec::new();
    if sample.ph.is_none() {
        problems.push(Problem::new("/ph", "is required: the sample's pH"));
    }
    let land = match (sample.land, sample.land_type) {
        (Some(_), Some(_)) => {
            problems.push(Problem::new("/land_type", "give land or land_type, not both"));
            None
        }
        (None, None) => {
            problems.push(Problem::new("/land", "is required: paddy or other (or land_type 0101, 0102, 0103)"));
            None
        }
        (land, land_type) => land.or(land_type),
    };
    if sample.concentrations.is_none() {
        problems.push(Problem::new("/concentrations", "is required: an object such as {\"Cd\": 0.45, \"Pb\": 60}"));
    }
    let (Some(ph), Some(land), Some(concentrations), true) =
        (sample.ph, land, &sample.concentrations, problems.is_empty())
    else {
        return Err(CheckError::Invalid(problems));
    };
    let grading = soil::grade(&Sample { ph, land, concentrations: concentrations.0.clone() }).map_err(|e| {
        let pointer = match &e {
            soil::SoilError::Ph(_) => "/ph".to_string(),
            soil::SoilError::Concentration { pollutant, .. } | soil::SoilError::Twice(pollutant) => {
                format!("/concentrations/{pollutant}")
            }
            _ => "/concentrations".to_string(),
        };
        CheckError::Invalid(vec![Problem::new(pointer, e.to_string())])
    })?;
    let crops = sample.crops;
    let class = crops.map(|c| soil::class_of(&grading, c));
    Ok(SoilAnswer {
        crops,
        class_zh: class.map(|c| c.name_zh()),
        basis: std::iter::once("《中华人民共和国土壤污染防治法》第四十九条；GB 15618-2018《土壤环境质量 农用地土壤污染风险管控标准（试行）》")
            .chain(class.map(|c| c.basis()))
            .collect(),
        class,
        grading,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pointers(e: CheckError) -> Vec<String> {
        match e {
            CheckError::Invalid(problems) => {
                let mut p: Vec<String> = problems.into_iter().map(|p| p.pointer).collect();
                p.sort();
                p
            }
            other => panic!("not a refusal: {other}"),
        }
    }

    /// A check body read and validated, without the database: each member missing, of the wrong type or
    /// unknown is named, and what is read after a refused member does not name it twice.
    #[test]
    fn check_bodies_are_refused_with_every_problem() {
        let today = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        let settings = Settings::default();
        let square = json!({"type": "Polygon", "coordinates": [[[109.4, 24.3], [109.401, 24.3], [109.401, 24.301], [109.4, 24.301], [109.4, 24.3]]]});
        let cases: &[(CheckKind, Value, &[&str])] = &[
            // missing
            (CheckKind::Rezoning, json!({}), &["/geometry", "/proposed_use"]),
            (CheckKind::EiaSite, json!({"proposed_use": "070101"}), &["/geometry"]),
            (CheckKind::Rezoning, json!({"geometry": square, "proposed_use": null}), &["/proposed_use"]),
            // wrong type: told once, not again as missing
            (CheckKind::Rezoning, json!({"geometry": square, "proposed_use": 70101}), &["/proposed_use"]),
            (
                CheckKind::Rezoning,
                json!({"parcel_code": ["LZ-1"], "proposed_use": "070101"}),
                &["/geometry", "/parcel_code"],
            ),
            (
                CheckKind::LandSupply,
                json!({"geometry": square, "supply": 1, "as_of": "2999-01-01"}),
                &["/as_of", "/supply"],
            ),
            // unknown, beside a problem found after reading
            (CheckKind::Rezoning, json!({"geometry": square, "colour": "red"}), &["/colour", "/proposed_use"]),
            (
                CheckKind::Rezoning,
                json!({"geometry": square, "proposed_use": "070101", "supply": "transfer"}),
                &["/supply"],
            ),
        ];
        for (kind, body, want) in cases {
            let got = read_body(*kind, body, &settings, today).err().map(pointers);
            let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            assert_eq!(got, Some(want), "{kind} {body}");
        }
        let asked = read_body(CheckKind::EiaSite, &json!({"parcel_code": "LZ-1"}), &settings, today).ok().unwrap();
        assert_eq!((asked.project_kind, asked.as_of, asked.crs), (Some(ProjectKind::Other), today, Crs::CRS84));
    }

    #[test]
    fn soil_samples_are_refused_with_every_problem() {
        let cases: &[(Value, &[&str])] = &[
            (json!({}), &["/concentrations", "/land", "/ph"]),
            (json!({"ph": null, "land": "paddy", "concentrations": {}}), &["/ph"]),
            (json!({"ph": "6", "land": 1, "concentrations": {"Cd": 0.1}}), &["/land", "/ph"]),
            (
                json!({"ph": 6, "land_type": "0109", "concentrations": {"Cd": 0.1}, "depth": 1}),
                &["/depth", "/land_type"],
            ),
            (json!({"ph": 6, "land": "paddy", "concentrations": {"Cd": 0.1, "cd": 0.2}}), &["/concentrations/Cd"]),
        ];
        for (body, want) in cases {
            let got = soil_grade(body).err().map(pointers);
            let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            assert_eq!(got, Some(want), "{body}");
        }
    }
}
