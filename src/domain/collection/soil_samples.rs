//! 土壤样品: farmland soil samples (points), graded by GB 15618-2018 when they are written or imported.

use super::{check_code, check_county_code, label, prop, DefaultValue, Description, GeometryKind, Input, Kind};
use super::{Datum, Property, Record, Tile};
use crate::domain::registry::FeatureLimits;
use crate::domain::soil::{self, Pollutant, Sample, SoilError, SoilUse};
use std::str::FromStr;

fn check_land(s: &str) -> Result<String, String> {
    SoilUse::from_str(s).map(|l| l.as_str().to_string()).map_err(|e| e.to_string())
}

/// The property that holds a pollutant's concentration: its symbol in lower case (`cd`, `as`, ...).
fn column(p: Pollutant) -> String {
    p.as_str().to_ascii_lowercase()
}

/// The grade is the domain's, from the sample's own pH, land and concentrations; a sample that cannot be
/// graded is refused with the property at fault, as `POST /soil-grade` would refuse it.
fn grade_sample(r: &mut Record, _: &FeatureLimits) -> Vec<(&'static str, String)> {
    let number = |name: &str| match r.get(name) {
        Some(Datum::Number(x)) => Some(*x),
        _ => None,
    };
    let (Some(ph), Some(land)) = (number("ph"), r.text("land").and_then(|l| SoilUse::from_str(l).ok())) else {
        return Vec::new(); // already reported as required or wrong
    };
    let concentrations = Pollutant::ALL.into_iter().filter_map(|p| number(&column(p)).map(|x| (p, x))).collect();
    match soil::grade(&Sample { ph, land, concentrations }) {
        Ok(g) => {
            r.set("grade", Datum::Text(g.grade.as_str().to_string()));
            Vec::new()
        }
        Err(e) => {
            let at = match &e {
                SoilError::Ph(_) => "ph",
                SoilError::Concentration { pollutant, .. } => property_of(*pollutant),
                _ => "cd",
            };
            vec![(at, e.to_string())]
        }
    }
}

fn property_of(p: Pollutant) -> &'static str {
    SOIL_SAMPLES.properties.iter().map(|q| q.name).find(|n| *n == column(p)).unwrap_or("cd")
}

const fn mg_kg(name: &'static str, zh: &'static str, tile: Tile) -> Property {
    prop(name, Kind::Number, label(zh, name), Input::Optional, tile)
}

pub static SOIL_SAMPLES: Description = Description {
    name: "soil_samples",
    table: "soil_sample_versions",
    id_property: "sample_code",
    label: label("土壤样品", "Soil samples"),
    geometry: GeometryKind::Point,
    lifecycle: None,
    properties: &[
        Property {
            check: Some(check_code),
            ..prop("sample_code", Kind::Text, label("样品编号", "sample code"), Input::Required, Tile::Always)
        },
        Property {
            check: Some(check_county_code),
            ..prop("county_code", Kind::Text, label("县级行政区划代码", "county code"), Input::Required, Tile::Full)
        },
        prop("sampled_on", Kind::Date, label("采样日期", "sampled on"), Input::Required, Tile::Full),
        Property {
            values: &[("paddy", "水田"), ("other", "其他")],
            check: Some(check_land),
            ..prop("land", Kind::Text, label("土地利用类型", "land"), Input::Required, Tile::Full)
        },
        prop("ph", Kind::Number, label("pH值", "pH"), Input::Required, Tile::Full),
        mg_kg("cd", "镉（毫克/千克）", Tile::Full),
        mg_kg("hg", "汞（毫克/千克）", Tile::Full),
        mg_kg("as", "砷（毫克/千克）", Tile::Full),
        mg_kg("pb", "铅（毫克/千克）", Tile::Full),
        mg_kg("cr", "铬（毫克/千克）", Tile::Full),
        mg_kg("cu", "铜（毫克/千克）", Tile::No),
        mg_kg("ni", "镍（毫克/千克）", Tile::No),
        mg_kg("zn", "锌（毫克/千克）", Tile::No),
        prop("lab", Kind::Text, label("检测机构", "laboratory"), Input::Optional, Tile::No),
        prop("report_doc", Kind::Text, label("检测报告", "report document"), Input::Optional, Tile::No),
        Property {
            values: &[("A", "筛选值以下"), ("B", "筛选值与管制值之间"), ("C", "管制值以上")],
            ..prop("grade", Kind::Text, label("GB 15618 等级", "GB 15618 grade"), Input::Derived, Tile::Always)
        },
        prop(
            "valid_from",
            Kind::Date,
            label("生效日期", "valid from"),
            Input::Defaulted(DefaultValue::Today),
            Tile::No,
        ),
    ],
    validate: grade_sample,
    tile_z12: false,
    feature_json: true,
};

#[cfg(test)]
mod tests {
    use crate::domain::registry::{check_feature, Collection, Datum, FeatureLimits};
    use chrono::NaiveDate;
    use serde_json::{json, Value};

    fn sample(props: Value) -> Value {
        json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [109.41, 24.33]}, "properties": props})
    }

    #[test]
    fn the_grade_is_derived_never_taken_from_the_body() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let c: Collection = "soil_samples".parse().unwrap();
        // paddy, pH 6.0: Cd screening 0.4, intervention 2.0 (GB 15618-2018)
        let table = [
            (json!({"cd": 0.3, "pb": 50}), "A"),
            (json!({"cd": 0.41}), "B"),
            (json!({"cd": 2.5, "pb": 50}), "C"),
            (json!({"cd": 0.1, "as": 200}), "C"),
            (json!({"cd": 0.1, "grade": "C"}), "A"),
        ];
        for (conc, grade) in table {
            let mut props = json!({"sample_code": "S-1", "county_code": "450222", "sampled_on": "2026-09-01",
                                   "land": "水田", "ph": 6.0});
            props.as_object_mut().unwrap().extend(conc.as_object().unwrap().clone());
            let r = check_feature(c, &sample(props), today, FeatureLimits::default()).unwrap().record;
            assert_eq!(r.get("grade"), Some(&Datum::Text(grade.into())), "{conc}");
            assert_eq!(r.text("land"), Some("paddy"));
        }
    }

    #[test]
    fn a_sample_that_cannot_be_graded_is_refused_at_the_property_at_fault() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let c: Collection = "soil_samples".parse().unwrap();
        let base = json!({"sample_code": "S-1", "county_code": "450222", "sampled_on": "2026-09-01", "land": "other"});
        let table = [
            (json!({"ph": 15, "cd": 0.1}), "/properties/ph"),
            (json!({"ph": 6, "cd": -1}), "/properties/cd"),
            (json!({"ph": 6, "cu": 10}), "/properties/cd"),
            (json!({"cd": 0.1}), "/properties/ph"),
        ];
        for (extra, pointer) in table {
            let mut props = base.clone();
            props.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            let problems = check_feature(c, &sample(props), today, FeatureLimits::default()).unwrap_err();
            assert!(problems.iter().any(|p| p.pointer == pointer), "{extra}: {problems:?}");
        }
    }
}
