//! The two registry collections as plain records, and the checks a feature must pass before it is stored.
//! Every problem in a feature is reported at once, each with a JSON pointer into the request.

use super::farmland::FarmlandClass;
use super::geometry::{self, GeometryError};
use super::landuse::{farmland_type_name, CodeSystem, LandUse};
use super::lifecycle::ParcelState;
use chrono::NaiveDate;
use geo::MultiPolygon;
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Collection {
    FarmlandUnits,
    ConstructionParcels,
}

impl Collection {
    pub const ALL: [Collection; 2] = [Collection::FarmlandUnits, Collection::ConstructionParcels];

    pub fn as_str(self) -> &'static str {
        match self {
            Collection::FarmlandUnits => "farmland_units",
            Collection::ConstructionParcels => "construction_parcels",
        }
    }

    pub fn id_property(self) -> &'static str {
        match self {
            Collection::FarmlandUnits => "unit_code",
            Collection::ConstructionParcels => "parcel_code",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Collection::FarmlandUnits => "耕地土壤环境质量类别单元 Farmland classification units",
            Collection::ConstructionParcels => "建设用地地块 Construction-land parcels",
        }
    }

    /// Properties the server computes; accepted in a request body (so a read can be written back) but ignored.
    pub fn read_only(self) -> &'static [&'static str] {
        match self {
            Collection::FarmlandUnits => &["area_m2", "area_mu"],
            Collection::ConstructionParcels => &["area_m2", "area_mu", "rcr_listed"],
        }
    }
}

impl fmt::Display for Collection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Collection {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Collection::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| format!("unknown collection '{s}'"))
    }
}

/// One thing wrong with a submitted feature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// JSON pointer into the submitted feature, e.g. `/properties/class`.
    pub pointer: String,
    pub detail: String,
}

impl Problem {
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Problem { pointer: pointer.into(), detail: detail.into() }
    }
    fn property(name: &str, detail: impl Into<String>) -> Self {
        Problem::new(format!("/properties/{name}"), detail)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.detail)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FarmlandUnit {
    pub unit_code: String,
    pub county_code: String,
    pub class: FarmlandClass,
    pub land_type: String,
    pub measures_in_place: bool,
    pub crops_compliant: Option<bool>,
    pub valid_from: NaiveDate,
    pub basis_doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConstructionParcel {
    pub parcel_code: String,
    pub county_code: String,
    pub name: String,
    pub state: ParcelState,
    pub priority_supervision: bool,
    pub key_unit_land: bool,
    pub current_use: Option<String>,
    pub use_code_system: CodeSystem,
    pub remediated_for_class: Option<i16>,
    pub former_industry: Option<String>,
    pub valid_from: NaiveDate,
}

/// A checked feature, ready to be stored: its record, and its geometry in lon/lat with CCW exteriors.
#[derive(Debug, Clone)]
pub struct Checked<T> {
    pub record: T,
    pub geometry: MultiPolygon<f64>,
    pub area_m2: f64,
}

/// Limits on what a single feature may hold.
#[derive(Debug, Clone, Copy)]
pub struct FeatureLimits {
    pub max_vertices: usize,
}

impl Default for FeatureLimits {
    fn default() -> Self {
        FeatureLimits { max_vertices: 100_000 }
    }
}

/// Reads typed properties out of a JSON object, collecting every problem instead of stopping at the first.
struct Props<'a> {
    map: &'a Map<String, Value>,
    problems: Vec<Problem>,
}

impl<'a> Props<'a> {
    fn present(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    fn string_opt(&mut self, name: &str) -> Option<String> {
        match self.present(name) {
            None => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(other) => {
                self.problems.push(Problem::property(name, format!("must be a string, not {}", json_kind(other))));
                None
            }
        }
    }

    fn string(&mut self, name: &str) -> Option<String> {
        let v = self.string_opt(name);
        if v.is_none() && !self.problems.iter().any(|p| p.pointer.ends_with(&format!("/{name}"))) {
            self.problems.push(Problem::property(name, "is required"));
        }
        v
    }

    fn parsed<T, E: fmt::Display>(
        &mut self,
        name: &str,
        required: bool,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<T> {
        let s = if required { self.string(name) } else { self.string_opt(name) }?;
        match parse(&s) {
            Ok(v) => Some(v),
            Err(e) => {
                self.problems.push(Problem::property(name, e.to_string()));
                None
            }
        }
    }

    fn bool_opt(&mut self, name: &str) -> Option<bool> {
        match self.present(name) {
            None => None,
            Some(v) => match parse_bool(v) {
                Some(b) => Some(b),
                None => {
                    self.problems.push(Problem::property(name, format!("must be true or false, not {v}")));
                    None
                }
            },
        }
    }

    fn date(&mut self, name: &str, default: NaiveDate) -> NaiveDate {
        match self.string_opt(name) {
            None => default,
            Some(s) => match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
                Ok(d) => d,
                Err(_) => {
                    self.problems.push(Problem::property(name, format!("must be a date YYYY-MM-DD, not '{s}'")));
                    default
                }
            },
        }
    }

    fn county_code(&mut self) -> Option<String> {
        self.parsed("county_code", true, |s| {
            if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
                Ok(s.to_string())
            } else {
                Err(format!("must be a 6-digit administrative division code (行政区划代码), not '{s}'"))
            }
        })
    }

    fn code(&mut self, name: &str) -> Option<String> {
        self.parsed(name, true, |s| {
            if s.chars().count() <= 64 && !s.contains('/') && !s.chars().any(char::is_control) {
                Ok(s.to_string())
            } else {
                Err("must be at most 64 characters with no '/' or control characters".to_string())
            }
        })
    }

    fn reject_unknown(&mut self, known: &[&str], read_only: &[&str]) {
        let mut unknown: Vec<&String> =
            self.map.keys().filter(|k| !known.contains(&k.as_str()) && !read_only.contains(&k.as_str())).collect();
        unknown.sort();
        for k in unknown {
            self.problems.push(Problem::property(k, format!("unknown property (known: {})", known.join(", "))));
        }
    }
}

/// Booleans as bureaus write them: true/false, 1/0, T/F, Y/N, yes/no, 是/否.
pub fn parse_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "t" | "1" | "y" | "yes" | "是" => Some(true),
            "false" | "f" | "0" | "n" | "no" | "否" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

const FARMLAND_PROPS: &[&str] = &[
    "unit_code",
    "county_code",
    "class",
    "land_type",
    "measures_in_place",
    "crops_compliant",
    "valid_from",
    "basis_doc",
];

const PARCEL_PROPS: &[&str] = &[
    "parcel_code",
    "county_code",
    "name",
    "state",
    "priority_supervision",
    "key_unit_land",
    "current_use",
    "use_code_system",
    "remediated_for_class",
    "former_industry",
    "valid_from",
];

pub fn known_properties(c: Collection) -> &'static [&'static str] {
    match c {
        Collection::FarmlandUnits => FARMLAND_PROPS,
        Collection::ConstructionParcels => PARCEL_PROPS,
    }
}

impl FarmlandUnit {
    fn from_properties(props: &mut Props, today: NaiveDate) -> Option<FarmlandUnit> {
        let unit_code = props.code("unit_code");
        let county_code = props.county_code();
        let class = props.parsed("class", true, FarmlandClass::from_str);
        let land_type = props.parsed("land_type", true, |s| {
            farmland_type_name(s).map(|_| s.to_string()).ok_or_else(|| {
                format!("unknown farmland type '{s}' (third land survey codes: 0101 水田, 0102 水浇地, 0103 旱地)")
            })
        });
        let measures_in_place = props.bool_opt("measures_in_place").unwrap_or(false);
        let crops_compliant = props.bool_opt("crops_compliant");
        let valid_from = props.date("valid_from", today);
        let basis_doc = props.string_opt("basis_doc");
        props.reject_unknown(FARMLAND_PROPS, Collection::FarmlandUnits.read_only());
        Some(FarmlandUnit {
            unit_code: unit_code?,
            county_code: county_code?,
            class: class?,
            land_type: land_type?,
            measures_in_place,
            crops_compliant,
            valid_from,
            basis_doc,
        })
    }
}

impl ConstructionParcel {
    fn from_properties(props: &mut Props, today: NaiveDate) -> Option<ConstructionParcel> {
        let parcel_code = props.code("parcel_code");
        let county_code = props.county_code();
        let name = props.string("name");
        let state = props.parsed("state", false, ParcelState::from_str).unwrap_or(ParcelState::Suspected);
        let priority_supervision = props.bool_opt("priority_supervision").unwrap_or(false);
        let key_unit_land = props.bool_opt("key_unit_land").unwrap_or(false);
        let use_code_system = props.parsed("use_code_system", false, CodeSystem::from_str).unwrap_or_default();
        let current_use = props.parsed("current_use", false, |s| LandUse::parse(use_code_system, s).map(|u| u.code));
        let remediated_for_class = match props.present("remediated_for_class") {
            None => None,
            Some(v) => match v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())) {
                Some(c @ (1 | 2)) => Some(c as i16),
                _ => {
                    props
                        .problems
                        .push(Problem::property("remediated_for_class", format!("must be 1, 2 or null, not {v}")));
                    None
                }
            },
        };
        let former_industry = props.string_opt("former_industry");
        let valid_from = props.date("valid_from", today);
        props.reject_unknown(PARCEL_PROPS, Collection::ConstructionParcels.read_only());
        Some(ConstructionParcel {
            parcel_code: parcel_code?,
            county_code: county_code?,
            name: name?,
            state,
            priority_supervision,
            key_unit_land,
            current_use,
            use_code_system,
            remediated_for_class,
            former_industry,
            valid_from,
        })
    }

    pub fn rcr_listed(&self) -> bool {
        self.state.is_rcr_listed()
    }
}

/// A checked feature of either collection.
#[derive(Debug, Clone)]
pub enum Record {
    Farmland(FarmlandUnit),
    Parcel(ConstructionParcel),
}

impl Record {
    pub fn code(&self) -> &str {
        match self {
            Record::Farmland(u) => &u.unit_code,
            Record::Parcel(p) => &p.parcel_code,
        }
    }
    pub fn valid_from(&self) -> NaiveDate {
        match self {
            Record::Farmland(u) => u.valid_from,
            Record::Parcel(p) => p.valid_from,
        }
    }
}

/// Check a GeoJSON Feature (as sent to the API or read from a file converted to lon/lat) for a collection.
/// Returns the record with its normalised geometry and area, or every problem found.
pub fn check_feature(
    collection: Collection,
    feature: &Value,
    today: NaiveDate,
    limits: FeatureLimits,
) -> Result<Checked<Record>, Vec<Problem>> {
    let Some(obj) = feature.as_object() else {
        return Err(vec![Problem::new("", "body must be a GeoJSON Feature object")]);
    };
    let mut problems = Vec::new();
    match obj.get("type").and_then(Value::as_str) {
        Some("Feature") => {}
        Some(other) => problems.push(Problem::new("/type", format!("must be \"Feature\", not \"{other}\""))),
        None => problems.push(Problem::new("/type", "is required and must be \"Feature\"")),
    }
    let geometry = match obj.get("geometry") {
        None | Some(Value::Null) => {
            problems.push(Problem::new("/geometry", "is required (a Polygon or MultiPolygon)"));
            None
        }
        Some(g) => match geometry::multipolygon_from_geojson(g) {
            Err(e) => {
                problems.push(Problem::new("/geometry", e.to_string()));
                None
            }
            Ok(mp) => {
                let geo_problems = geometry::check_lonlat(&mp, limits.max_vertices);
                if geo_problems.is_empty() {
                    Some(mp)
                } else {
                    problems
                        .extend(geo_problems.iter().map(|e: &GeometryError| Problem::new("/geometry", e.to_string())));
                    None
                }
            }
        },
    };
    let empty = Map::new();
    let map = match obj.get("properties") {
        Some(Value::Object(m)) => m,
        None | Some(Value::Null) => {
            problems.push(Problem::new("/properties", "is required"));
            &empty
        }
        Some(_) => {
            problems.push(Problem::new("/properties", "must be an object"));
            &empty
        }
    };
    let mut props = Props { map, problems: Vec::new() };
    let record = match collection {
        Collection::FarmlandUnits => FarmlandUnit::from_properties(&mut props, today).map(Record::Farmland),
        Collection::ConstructionParcels => ConstructionParcel::from_properties(&mut props, today).map(Record::Parcel),
    };
    problems.extend(props.problems);
    match (record, geometry) {
        (Some(record), Some(mp)) if problems.is_empty() => {
            let geometry = geometry::normalise(mp);
            let area_m2 = geometry::area_m2(&geometry);
            Ok(Checked { record, geometry, area_m2 })
        }
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::geometry::tests::square;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn unit(props: Value) -> Value {
        json!({"type": "Feature", "geometry": square(109.41, 24.33, 0.002), "properties": props})
    }

    fn ok_unit() -> Value {
        json!({"unit_code": "LZ-F-1", "county_code": "450222", "class": "safe_use", "land_type": "0101",
               "measures_in_place": "是", "crops_compliant": null, "valid_from": "2024-01-01", "basis_doc": "柳环发〔2024〕3号"})
    }

    #[test]
    fn a_good_unit_is_accepted() {
        let c = check_feature(Collection::FarmlandUnits, &unit(ok_unit()), today(), FeatureLimits::default()).unwrap();
        let Record::Farmland(u) = c.record else { panic!() };
        assert_eq!(u.class, FarmlandClass::SafeUse);
        assert!(u.measures_in_place);
        assert_eq!(u.crops_compliant, None);
        assert!(c.area_m2 > 40_000.0 && c.area_m2 < 46_000.0, "{}", c.area_m2);
    }

    #[test]
    fn every_problem_is_reported() {
        let bad = json!({"type": "Feature",
            "geometry": {"type":"Polygon","coordinates":[[[109.40,24.30],[109.41,24.31],[109.41,24.30],[109.40,24.31],[109.40,24.30]]]},
            "properties": {"county_code": "4502", "class": "polluted", "land_type": "0199", "measures_in_place": "maybe", "colour": "red", "area_m2": 5}});
        let problems = check_feature(Collection::FarmlandUnits, &bad, today(), FeatureLimits::default()).unwrap_err();
        let pointers: Vec<&str> = problems.iter().map(|p| p.pointer.as_str()).collect();
        for expected in [
            "/geometry",
            "/properties/unit_code",
            "/properties/county_code",
            "/properties/class",
            "/properties/land_type",
            "/properties/measures_in_place",
            "/properties/colour",
        ] {
            assert!(pointers.contains(&expected), "{expected} missing from {pointers:?}");
        }
        assert!(!pointers.contains(&"/properties/area_m2"), "read-only properties are ignored");
    }

    #[test]
    fn parcel_codes_are_checked_in_their_system() {
        let base = json!({"parcel_code": "LZ-P-1", "county_code": "450202", "name": "原柳州某化工厂", "current_use": "R2",
                          "use_code_system": "gb50137", "state": "listed", "remediated_for_class": 2});
        let f = json!({"type":"Feature","geometry": square(109.41, 24.33, 0.002), "properties": base});
        let c = check_feature(Collection::ConstructionParcels, &f, today(), FeatureLimits::default()).unwrap();
        let Record::Parcel(p) = c.record else { panic!() };
        assert!(p.rcr_listed());
        assert_eq!(p.remediated_for_class, Some(2));
        assert_eq!(p.valid_from, today());

        let mut wrong = f.clone();
        wrong["properties"]["use_code_system"] = json!("ydyh2023");
        wrong["properties"]["state"] = json!("gone");
        wrong["properties"]["remediated_for_class"] = json!(3);
        let problems =
            check_feature(Collection::ConstructionParcels, &wrong, today(), FeatureLimits::default()).unwrap_err();
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(text.iter().any(|t| t.contains("current_use") && t.contains("unknown land-use code 'R2'")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("/state") && t.contains("unknown lifecycle state")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("remediated_for_class")), "{text:?}");
    }

    #[test]
    fn structural_problems() {
        let cases = [
            (json!([1, 2]), ""),
            (json!({"type": "FeatureCollection", "features": []}), "/type"),
            (json!({"type": "Feature", "properties": ok_unit()}), "/geometry"),
            (json!({"type": "Feature", "geometry": square(109.41, 24.33, 0.002)}), "/properties"),
            (
                json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [109.4, 24.3]}, "properties": ok_unit()}),
                "/geometry",
            ),
        ];
        for (body, pointer) in cases {
            let problems =
                check_feature(Collection::FarmlandUnits, &body, today(), FeatureLimits::default()).unwrap_err();
            assert!(problems.iter().any(|p| p.pointer == pointer), "{body}: {problems:?}");
        }
    }

    #[test]
    fn booleans_as_bureaus_write_them() {
        let table = [
            (json!(true), Some(true)),
            (json!("T"), Some(true)),
            (json!("Y"), Some(true)),
            (json!(1), Some(true)),
            (json!("1"), Some(true)),
            (json!("是"), Some(true)),
            (json!("否"), Some(false)),
            (json!("N"), Some(false)),
            (json!(0), Some(false)),
            (json!("false"), Some(false)),
            (json!(2), None),
            (json!("perhaps"), None),
        ];
        for (v, expected) in table {
            assert_eq!(parse_bool(&v), expected, "{v}");
        }
    }
}
