//! 土壤污染重点监管单位: key supervised units, the enterprises on the city's annual list (Law Art. 21),
//! each drawn as its site. docs/source-control.md says what each property holds.

use super::{check_county_code, label, prop, DefaultValue, Description, GeometryKind, Input, Kind};
use super::{Datum, Property, Record, Tile, AREA_M2, AREA_MU};
use crate::domain::registry::FeatureLimits;
use crate::domain::sources::{EnterpriseCode, UnitStatus};
use std::str::FromStr;

fn check_enterprise_code(s: &str) -> Result<String, String> {
    EnterpriseCode::from_str(s).map(|c| c.as_str().to_string()).map_err(|e| e.to_string())
}

fn check_status(s: &str) -> Result<String, String> {
    UnitStatus::from_str(s).map(|v| v.as_str().to_string()).map_err(|e| e.to_string())
}

/// GB/T 4754 codes are a letter section or 2 to 4 digits (e.g. `2619`, `3216`).
fn check_industry(s: &str) -> Result<String, String> {
    let digits = (2..=4).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let section = s.len() == 1 && s.bytes().all(|b| b.is_ascii_uppercase());
    if digits || section {
        Ok(s.to_string())
    } else {
        Err(format!("must be a GB/T 4754 industry code (2 to 4 digits, e.g. 2619), not '{s}'"))
    }
}

/// The years of the annual lists, sorted and without repeats, as the text `2023,2024,2025` within a write
/// (stored as an array); a request may give an array of years or that text.
pub(crate) fn check_years(s: &str) -> Result<String, String> {
    let mut years = Vec::new();
    for part in s.split([',', '，', ' ', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => years.push(y),
            _ => return Err(format!("must be years of the annual list, e.g. [2024, 2025], not '{s}'")),
        }
    }
    years.sort_unstable();
    years.dedup();
    if years.is_empty() {
        return Err(format!("must name at least one year, not '{s}'"));
    }
    Ok(years.iter().map(i32::to_string).collect::<Vec<_>>().join(","))
}

/// A listing is a published document: years on the list without the list's document cannot be checked.
fn unit_cross_checks(r: &mut Record, _: &FeatureLimits) -> Vec<(&'static str, String)> {
    let listed = r.get("listed_years").is_some_and(|y| *y != Datum::Null);
    if listed && r.get("list_doc") == Some(&Datum::Null) {
        return vec![("list_doc", "is required with listed_years (the document of the annual list)".into())];
    }
    Vec::new()
}

const STATUSES: &[(&str, &str)] =
    &[("operating", "在产"), ("stopped", "停产"), ("closed", "关闭"), ("relocated", "搬迁")];

pub static KEY_SUPERVISED_UNITS: Description = Description {
    name: "key_supervised_units",
    table: "key_supervised_unit_versions",
    id_property: "enterprise_code",
    label: label("土壤污染重点监管单位", "Key supervised units"),
    geometry: GeometryKind::Polygon,
    lifecycle: None,
    properties: &[
        Property {
            check: Some(check_enterprise_code),
            ..prop(
                "enterprise_code",
                Kind::Text,
                label("统一社会信用代码", "unified social credit code"),
                Input::Required,
                Tile::Always,
            )
        },
        prop("name", Kind::Text, label("单位名称", "name"), Input::Required, Tile::Always),
        Property {
            check: Some(check_county_code),
            ..prop("county_code", Kind::Text, label("县级行政区划代码", "county code"), Input::Required, Tile::Full)
        },
        Property {
            check: Some(check_industry),
            ..prop("industry", Kind::Text, label("行业代码（GB/T 4754）", "industry"), Input::Optional, Tile::Full)
        },
        Property {
            check: Some(check_years),
            ..prop("listed_years", Kind::IntList, label("列入名录年份", "listed years"), Input::Optional, Tile::Full)
        },
        prop("list_doc", Kind::Text, label("名录文件", "list document"), Input::Optional, Tile::No),
        prop(
            "buried_facilities",
            Kind::Bool,
            label("有地下设施（一类单元）", "buried facilities"),
            Input::Optional,
            Tile::Full,
        ),
        prop(
            "groundwater_sensitive",
            Kind::Bool,
            label("周边1公里内有地下水敏感区", "groundwater-sensitive area within 1 km"),
            Input::Optional,
            Tile::Full,
        ),
        Property {
            values: STATUSES,
            check: Some(check_status),
            ..prop("status", Kind::Text, label("生产状态", "status"), Input::Required, Tile::Always)
        },
        prop(
            "valid_from",
            Kind::Date,
            label("生效日期", "valid from"),
            Input::Defaulted(DefaultValue::Today),
            Tile::No,
        ),
        prop("area_m2", Kind::Number, label("面积（平方米）", "area m²"), Input::Computed(AREA_M2), Tile::No),
        prop("area_mu", Kind::Number, label("面积（亩）", "area mu"), Input::Computed(AREA_MU), Tile::No),
    ],
    validate: unit_cross_checks,
    tile_z12: false,
    feature_json: true,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_years_and_industry_codes() {
        assert_eq!(check_years("2025,2023, 2024,2023").unwrap(), "2023,2024,2025");
        assert!(check_years("2024,二〇二五").is_err());
        assert!(check_years("1899").is_err());
        assert!(check_years("").is_err());
        for ok in ["2619", "32", "C"] {
            assert!(check_industry(ok).is_ok(), "{ok}");
        }
        for bad in ["26190", "c", "2A"] {
            assert!(check_industry(bad).is_err(), "{bad}");
        }
    }
}
