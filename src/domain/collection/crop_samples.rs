//! 农产品样品: crop samples (points), judged against the GB 2762 limits when they are written or imported.

use super::{check_code, check_county_code, label, prop, DefaultValue, Description, GeometryKind, Input, Kind};
use super::{Datum, Property, Record, Tile};
use crate::domain::crops::{self, CropError, CropSample, Metal};
use crate::domain::registry::FeatureLimits;

/// The judgement is the domain's, with the limits of the settings (`[crop_limits]`, by default
/// `CropLimits::default()`: docs/adjustment.md lists them and which are verified). A crop the limits do not know is stored as written, with `compliant` and `worst_ratio` null:
/// not judged, never compliant by default.
fn judge_sample(r: &mut Record, limits: &FeatureLimits) -> Vec<(&'static str, String)> {
    let Some(crop) = r.text("crop").map(str::to_string) else { return Vec::new() };
    let limits = &*limits.crops;
    if let Some(code) = limits.crop_code(&crop) {
        r.set("crop", Datum::Text(code.to_string()));
    }
    let concentrations = Metal::ALL
        .into_iter()
        .filter_map(|m| match r.get(m.as_str()) {
            Some(Datum::Number(x)) => Some((m, *x)),
            _ => None,
        })
        .collect();
    match crops::judge(&CropSample { crop, concentrations }, limits) {
        Ok(j) => {
            r.set("compliant", j.compliant().map_or(Datum::Null, Datum::Bool));
            // Kept to four places: the ratio is read and filtered on, not computed with.
            let ratio = j.worst_ratio.map(|x| (x * 1e4).round() / 1e4);
            r.set("worst_ratio", ratio.map_or(Datum::Null, Datum::Number));
            Vec::new()
        }
        Err(CropError::Concentration { metal, value }) => {
            vec![(property_of(metal), format!("must be a number of mg/kg from 0 to 1000000, not {value}"))]
        }
        Err(e) => vec![("crop", e.to_string())],
    }
}

fn property_of(m: Metal) -> &'static str {
    CROP_SAMPLES.properties.iter().map(|p| p.name).find(|n| *n == m.as_str()).unwrap_or("cd")
}

const fn mg_kg(name: &'static str, zh: &'static str) -> Property {
    prop(name, Kind::Number, label(zh, name), Input::Optional, Tile::Full)
}

pub static CROP_SAMPLES: Description = Description {
    name: "crop_samples",
    table: "crop_sample_versions",
    id_property: "sample_code",
    label: label("农产品样品", "Crop samples"),
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
        prop("crop", Kind::Text, label("农产品", "crop"), Input::Required, Tile::Full),
        mg_kg("cd", "镉（毫克/千克）"),
        mg_kg("pb", "铅（毫克/千克）"),
        mg_kg("as_inorganic", "无机砷（毫克/千克）"),
        mg_kg("hg", "汞（毫克/千克）"),
        mg_kg("cr", "铬（毫克/千克）"),
        prop("lab", Kind::Text, label("检测机构", "laboratory"), Input::Optional, Tile::No),
        prop("report_doc", Kind::Text, label("检测报告", "report document"), Input::Optional, Tile::No),
        prop("compliant", Kind::Bool, label("是否达标", "compliant"), Input::Derived, Tile::Always),
        prop(
            "worst_ratio",
            Kind::Number,
            label("最大超标倍数（检测值/限量）", "worst ratio to the limit"),
            Input::Derived,
            Tile::Always,
        ),
        prop(
            "valid_from",
            Kind::Date,
            label("生效日期", "valid from"),
            Input::Defaulted(DefaultValue::Today),
            Tile::No,
        ),
    ],
    validate: judge_sample,
    tile_z12: false,
    feature_json: true,
};

#[cfg(test)]
mod tests {
    use crate::domain::registry::{check_feature, Collection, Datum, FeatureLimits};
    use chrono::NaiveDate;
    use serde_json::{json, Value};

    #[test]
    fn compliance_and_worst_ratio_are_derived_from_the_limits() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let c: Collection = "crop_samples".parse().unwrap();
        // rice Cd and Pb 0.2 mg/kg
        let table: [(Value, &str, Datum, Datum); 5] = [
            (json!({"cd": 0.1, "pb": 0.05}), "稻谷", Datum::Bool(true), Datum::Number(0.5)),
            (json!({"cd": 0.2}), "rice", Datum::Bool(true), Datum::Number(1.0)),
            (json!({"cd": 0.5, "pb": 0.1}), "大米", Datum::Bool(false), Datum::Number(2.5)),
            (json!({"cd": 0.1, "compliant": false, "worst_ratio": 9}), "rice", Datum::Bool(true), Datum::Number(0.5)),
            (json!({"cd": 0.5}), "甘蔗", Datum::Null, Datum::Null),
        ];
        for (conc, crop, compliant, ratio) in table {
            let mut props =
                json!({"sample_code": "C-1", "county_code": "450222", "sampled_on": "2026-09-01", "crop": crop});
            props.as_object_mut().unwrap().extend(conc.as_object().unwrap().clone());
            let f = json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [109.41, 24.33]}, "properties": props});
            let r = check_feature(c, &f, today, FeatureLimits::default()).unwrap().record;
            assert_eq!(r.get("compliant"), Some(&compliant), "{crop} {conc}");
            assert_eq!(r.get("worst_ratio"), Some(&ratio), "{crop} {conc}");
        }
    }
}
