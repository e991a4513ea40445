//! The two registry collections as plain records, and the checks a feature must pass before it is stored.
//! Every problem in a feature is reported at once, each with a JSON pointer into the request.

pub use super::collection::{Collection, Datum, Record};
use super::collection::{DefaultValue, Description, GeometryKind, Input, Kind, Property};
use super::geometry::{self, GeometryError, Shape};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;

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

/// A checked feature, ready to be stored: its record, and its geometry in lon/lat (polygons with CCW
/// exteriors) with its area (0 for a point).
#[derive(Debug, Clone)]
pub struct Checked<T> {
    pub record: T,
    pub geometry: Shape,
    pub area_m2: f64,
}

pub use super::collection::FeatureLimits;

/// Reads a description's properties out of a JSON object, collecting every problem instead of stopping at
/// the first.
struct Props<'a> {
    map: &'a Map<String, Value>,
    problems: Vec<Problem>,
}

impl<'a> Props<'a> {
    fn present(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    fn text(&mut self, name: &str) -> Option<String> {
        match self.present(name) {
            None => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(Value::Number(n)) => Some(n.to_string()),
            // Within a write a list property (pollutants, listed years) is one comma-separated text that its
            // check normalises (stored as an SQL array); an array of plain values is that text.
            Some(Value::Array(a)) if !a.is_empty() && a.iter().all(|v| v.is_string() || v.is_number()) => Some(
                a.iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Some(other) => {
                self.problems.push(Problem::property(name, format!("must be a string, not {}", json_kind(other))));
                None
            }
        }
    }

    /// The value of one property, or `Datum::Null` when it is absent or wrong (the problem is recorded).
    fn read(&mut self, p: &Property, today: NaiveDate) -> Datum {
        if p.input == Input::Derived {
            return Datum::Null; // the description's validate fills it
        }
        let before = self.problems.len();
        let value = match p.kind {
            Kind::Text | Kind::TextList | Kind::IntList => self.text(p.name).and_then(|s| match p.check {
                None => Some(Datum::Text(s)),
                Some(check) => match check(&s) {
                    Ok(v) => Some(Datum::Text(v)),
                    Err(e) => {
                        self.problems.push(Problem::property(p.name, e));
                        None
                    }
                },
            }),
            Kind::Bool => self.present(p.name).and_then(|v| match parse_bool(v) {
                Some(b) => Some(Datum::Bool(b)),
                None => {
                    self.problems.push(Problem::property(p.name, format!("must be true or false, not {v}")));
                    None
                }
            }),
            Kind::Int => self.present(p.name).and_then(|v| {
                let n = v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()));
                match n {
                    Some(n) if p.values.is_empty() || p.values.iter().any(|(c, _)| *c == n.to_string()) => {
                        Some(Datum::Int(n))
                    }
                    _ => {
                        self.problems.push(Problem::property(p.name, must_be(p, "an integer", v)));
                        None
                    }
                }
            }),
            Kind::Number => self.present(p.name).and_then(|v| {
                match v.as_f64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())) {
                    Some(n) if n.is_finite() => Some(Datum::Number(n)),
                    _ => {
                        self.problems.push(Problem::property(p.name, must_be(p, "a number", v)));
                        None
                    }
                }
            }),
            Kind::Date => self.text(p.name).and_then(|s| match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
                Ok(d) => Some(Datum::Date(d)),
                Err(_) => {
                    self.problems.push(Problem::property(p.name, format!("must be a date YYYY-MM-DD, not '{s}'")));
                    None
                }
            }),
        };
        match (value, p.input) {
            (Some(v), _) => v,
            (None, Input::Defaulted(DefaultValue::False)) if self.problems.len() == before => Datum::Bool(false),
            (None, Input::Defaulted(DefaultValue::Today)) if self.problems.len() == before => Datum::Date(today),
            (None, Input::Required) if self.problems.len() == before => {
                self.problems.push(Problem::property(p.name, "is required"));
                Datum::Null
            }
            (None, _) => Datum::Null,
        }
    }

    fn reject_unknown(&mut self, d: &Description) {
        let known: Vec<&str> = d.stored().filter(|p| !p.is_read_only()).map(|p| p.name).collect();
        let mut unknown: Vec<&String> = self.map.keys().filter(|k| d.property(k).is_none()).collect();
        unknown.sort();
        for k in unknown {
            self.problems.push(Problem::property(k, format!("unknown property (known: {})", known.join(", "))));
        }
    }
}

fn must_be(p: &Property, kind: &str, v: &Value) -> String {
    if p.values.is_empty() {
        format!("must be {kind}, not {v}")
    } else {
        let list: Vec<&str> = p.values.iter().map(|(c, _)| *c).collect();
        format!("must be {} or null, not {v}", list.join(", "))
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

/// The properties a write may give for a collection (the stored ones), in published order.
pub fn known_properties(c: Collection) -> Vec<&'static str> {
    c.description().stored().filter(|p| !p.is_read_only()).map(|p| p.name).collect()
}

/// RFC 7396 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// A PATCH: the merge patch applied to the current feature. The merged feature would carry the current
/// version's valid_from; a patch takes effect on the day of the write unless it states its own date.
pub fn apply_patch(current: &mut Value, patch: &Value) {
    merge_patch(current, patch);
    if patch.pointer("/properties/valid_from").is_none() {
        if let Some(p) = current.get_mut("properties").and_then(Value::as_object_mut) {
            p.remove("valid_from");
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
    check_feature_with(collection, feature, None, today, limits)
}

/// [`check_feature`] for a Feature whose polygons were read as numbers rather than GeoJSON (an import reads
/// them from GDAL): `polygons`, when given, stands for the Feature's `geometry` and gets the same checks
/// (kind, vertices, extent, validity), so that a file's feature is checked as the API checks it without
/// building and parsing GeoJSON for every vertex (a third of an import's reading and checking). Polygons for
/// a collection of points are refused as the MultiPolygon they are.
pub fn check_feature_with(
    collection: Collection,
    feature: &Value,
    polygons: Option<&geo::MultiPolygon<f64>>,
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
    let kind = collection.description().geometry;
    let parsed = match polygons {
        Some(mp) if kind == GeometryKind::Polygon => Some(mp),
        Some(mp) => {
            // not the collection's kind: say so exactly as for the same GeoJSON
            return check_feature(collection, &with_geometry(feature, &Shape::Polygons(mp.clone())), today, limits);
        }
        None => None,
    };
    let geometry = match (parsed, obj.get("geometry")) {
        (Some(mp), _) => {
            let geo_problems = geometry::check_lonlat(mp, limits.max_vertices);
            if geo_problems.is_empty() {
                Some(Shape::Polygons(mp.clone()))
            } else {
                problems.extend(geo_problems.iter().map(|e: &GeometryError| Problem::new("/geometry", e.to_string())));
                None
            }
        }
        (None, g) => parsed_geometry(kind, g, &limits, &mut problems),
    };
    finish(collection, obj, geometry, problems, today, limits)
}

/// A Feature with `shape` as its geometry (GeoJSON).
fn with_geometry(feature: &Value, shape: &Shape) -> Value {
    let mut f = feature.clone();
    if let Some(o) = f.as_object_mut() {
        o.insert("geometry".into(), serde_json::to_value(shape.to_geojson()).unwrap_or(Value::Null));
    }
    f
}

/// The geometry of a Feature's GeoJSON `geometry` member, of the collection's kind; its problems go to
/// `problems`.
fn parsed_geometry(
    kind: GeometryKind,
    geometry: Option<&Value>,
    limits: &FeatureLimits,
    problems: &mut Vec<Problem>,
) -> Option<Shape> {
    match geometry {
        None | Some(Value::Null) => {
            let what = match kind {
                GeometryKind::Polygon => "is required (a Polygon or MultiPolygon)",
                GeometryKind::Point => "is required (a Point)",
            };
            problems.push(Problem::new("/geometry", what));
            None
        }
        Some(g) if kind == GeometryKind::Point => match geometry::point_from_geojson(g) {
            Err(e) => {
                problems.push(Problem::new("/geometry", e.to_string()));
                None
            }
            Ok(p) => Some(Shape::Point(p)),
        },
        Some(g) => match geometry::multipolygon_from_geojson(g) {
            Err(e) => {
                problems.push(Problem::new("/geometry", e.to_string()));
                None
            }
            Ok(mp) => {
                let geo_problems = geometry::check_lonlat(&mp, limits.max_vertices);
                if geo_problems.is_empty() {
                    Some(Shape::Polygons(mp))
                } else {
                    problems
                        .extend(geo_problems.iter().map(|e: &GeometryError| Problem::new("/geometry", e.to_string())));
                    None
                }
            }
        },
    }
}

/// The properties' checks, and the checked record when nothing is wrong.
fn finish(
    collection: Collection,
    obj: &Map<String, Value>,
    geometry: Option<Shape>,
    mut problems: Vec<Problem>,
    today: NaiveDate,
    limits: FeatureLimits,
) -> Result<Checked<Record>, Vec<Problem>> {
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
    let d = collection.description();
    let mut props = Props { map, problems: Vec::new() };
    let values = d.stored().map(|p| props.read(p, today)).collect();
    props.reject_unknown(d);
    let mut record = Record { collection, values };
    props.problems.extend((d.validate)(&mut record, &limits).into_iter().map(|(name, e)| Problem::property(name, e)));
    problems.extend(props.problems);
    match geometry {
        Some(Shape::Polygons(mp)) if problems.is_empty() => {
            let geometry = geometry::normalise(mp);
            let area_m2 = geometry::area_m2(&geometry);
            Ok(Checked { record, geometry: Shape::Polygons(geometry), area_m2 })
        }
        Some(point @ Shape::Point(_)) if problems.is_empty() => Ok(Checked { record, geometry: point, area_m2: 0.0 }),
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
        let u = c.record;
        assert_eq!(u.text("class"), Some("safe_use"));
        assert_eq!(u.get("measures_in_place"), Some(&Datum::Bool(true)));
        assert_eq!(u.get("crops_compliant"), Some(&Datum::Null));
        assert!(c.area_m2 > 40_000.0 && c.area_m2 < 46_000.0, "{}", c.area_m2);
    }

    /// A feature whose polygons come already parsed (an import's) gets exactly the answer the same feature
    /// gets as GeoJSON: the same record, geometry and area, or the same problems in the same order.
    #[test]
    fn polygons_given_as_numbers_are_checked_as_their_geojson() {
        let bow_tie = json!({"type": "Polygon",
            "coordinates": [[[109.40, 24.30], [109.41, 24.31], [109.41, 24.30], [109.40, 24.31], [109.40, 24.30]]]});
        let outside =
            json!({"type": "Polygon", "coordinates": [[[9.40, 4.30], [9.41, 4.30], [9.41, 4.31], [9.40, 4.30]]]});
        let two = json!({"type": "MultiPolygon", "coordinates": [
            [[[109.40, 24.30], [109.41, 24.30], [109.41, 24.31], [109.40, 24.30]]],
            [[[109.50, 24.30], [109.51, 24.30], [109.51, 24.31], [109.50, 24.30]]]]});
        let two_parts = two.clone();
        let empty = json!({"type": "MultiPolygon", "coordinates": []});
        let clockwise = json!({"type": "Polygon",
            "coordinates": [[[109.40, 24.30], [109.40, 24.31], [109.41, 24.31], [109.41, 24.30], [109.40, 24.30]]]});
        let mut bad_props = ok_unit();
        bad_props["class"] = json!("nonsense");
        let limits = FeatureLimits { max_vertices: 4, ..FeatureLimits::default() };
        let cases = [
            (square(109.41, 24.33, 0.002), ok_unit(), FeatureLimits::default()),
            (square(109.41, 24.33, 0.002), bad_props, FeatureLimits::default()),
            (bow_tie, ok_unit(), FeatureLimits::default()),
            (outside, ok_unit(), FeatureLimits::default()),
            (two.clone(), ok_unit(), FeatureLimits::default()),
            (two.clone(), ok_unit(), limits.clone()),
            (empty, ok_unit(), FeatureLimits::default()),
            (clockwise, ok_unit(), FeatureLimits::default()),
        ];
        let mut answers = Vec::new();
        for (geometry, props, limits) in cases {
            let feature = json!({"type": "Feature", "geometry": geometry, "properties": props});
            let as_geojson = check_feature(Collection::FarmlandUnits, &feature, today(), limits.clone());
            let mp = geometry::multipolygon_from_geojson(&feature["geometry"]).unwrap();
            let without = json!({"type": "Feature", "geometry": null, "properties": feature["properties"]});
            let as_numbers = check_feature_with(Collection::FarmlandUnits, &without, Some(&mp), today(), limits);
            match (&as_geojson, &as_numbers) {
                (Ok(a), Ok(b)) => {
                    assert_eq!((&a.record, &a.geometry, a.area_m2), (&b.record, &b.geometry, b.area_m2), "{feature}")
                }
                (Err(a), Err(b)) => assert_eq!(a, b, "{feature}"),
                _ => panic!("{feature}: {as_geojson:?} as GeoJSON, {as_numbers:?} as numbers"),
            }
            answers.push(as_geojson.is_ok());
        }
        // the table holds both outcomes
        assert_eq!(answers, [true, false, false, false, true, false, false, true]);

        // polygons for a collection of points: the GeoJSON check's words for the wrong kind (a MultiPolygon)
        let feature = json!({"type": "Feature", "geometry": two_parts, "properties": {}});
        let mp = geometry::multipolygon_from_geojson(&feature["geometry"]).unwrap();
        let as_geojson =
            check_feature("crop_samples".parse::<Collection>().unwrap(), &feature, today(), FeatureLimits::default())
                .unwrap_err();
        let without = json!({"type": "Feature", "geometry": null, "properties": {}});
        let as_numbers = check_feature_with(
            "crop_samples".parse::<Collection>().unwrap(),
            &without,
            Some(&mp),
            today(),
            FeatureLimits::default(),
        )
        .unwrap_err();
        assert_eq!(as_geojson, as_numbers);
        assert!(as_numbers.iter().any(|p| p.pointer == "/geometry"), "{as_numbers:?}");
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
        let p = c.record;
        assert_eq!(p.state(), Some("listed"));
        assert_eq!(p.get("remediated_for_class"), Some(&Datum::Int(2)));
        assert_eq!(p.get("use_code_system"), Some(&Datum::Text("gb50137".into())));
        assert_eq!(p.valid_from(), today());

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
    fn a_patch_merges_per_rfc7396_and_takes_effect_on_its_own_date() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        apply_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let current = json!({"properties": {"class": "safe_use", "valid_from": "2024-01-01"}});
        let mut f = current.clone();
        apply_patch(&mut f, &json!({"properties": {"class": "strict_control"}}));
        assert_eq!(f, json!({"properties": {"class": "strict_control"}}), "no date: the day of the write");
        let mut f = current;
        apply_patch(&mut f, &json!({"properties": {"valid_from": "2025-03-01"}}));
        assert_eq!(f["properties"]["valid_from"], "2025-03-01");
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
