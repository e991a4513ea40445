//! 耕地土壤环境质量类别单元: farmland classification units, the register of soil-environment classes.

use super::{check_code, check_county_code, label, prop, DefaultValue, Description, GeometryKind, Input, Kind};
use super::{no_cross_checks, Property, Tile, AREA_M2, AREA_MU};
use crate::domain::farmland::FarmlandClass;
use crate::domain::landuse::farmland_type_name;
use std::str::FromStr;

fn check_class(s: &str) -> Result<String, String> {
    FarmlandClass::from_str(s).map(|c| c.as_str().to_string()).map_err(|e| e.to_string())
}

fn check_land_type(s: &str) -> Result<String, String> {
    farmland_type_name(s).map(|_| s.to_string()).ok_or_else(|| {
        format!("unknown farmland type '{s}' (third land survey codes: 0101 水田, 0102 水浇地, 0103 旱地)")
    })
}

const CLASSES: &[(&str, &str)] =
    &[("priority_protection", "优先保护类"), ("safe_use", "安全利用类"), ("strict_control", "严格管控类")];

pub static FARMLAND_UNITS: Description = Description {
    name: "farmland_units",
    table: "farmland_unit_versions",
    id_property: "unit_code",
    label: label("耕地土壤环境质量类别单元", "Farmland classification units"),
    geometry: GeometryKind::Polygon,
    lifecycle: None,
    properties: &[
        Property {
            check: Some(check_code),
            ..prop("unit_code", Kind::Text, label("类别单元编码", "unit code"), Input::Required, Tile::Always)
        },
        Property {
            check: Some(check_county_code),
            ..prop("county_code", Kind::Text, label("县级行政区划代码", "county code"), Input::Required, Tile::Full)
        },
        Property {
            values: CLASSES,
            check: Some(check_class),
            ..prop("class", Kind::Text, label("土壤环境质量类别", "class"), Input::Required, Tile::Always)
        },
        Property {
            values: &[("0101", "水田"), ("0102", "水浇地"), ("0103", "旱地")],
            check: Some(check_land_type),
            ..prop("land_type", Kind::Text, label("三调地类", "land type"), Input::Required, Tile::Full)
        },
        prop(
            "measures_in_place",
            Kind::Bool,
            label("措施落实", "measures in place"),
            Input::Defaulted(DefaultValue::False),
            Tile::Full,
        ),
        prop("crops_compliant", Kind::Bool, label("农产品达标", "crops compliant"), Input::Optional, Tile::Full),
        prop(
            "valid_from",
            Kind::Date,
            label("生效日期", "valid from"),
            Input::Defaulted(DefaultValue::Today),
            Tile::No,
        ),
        prop("basis_doc", Kind::Text, label("依据文件", "basis document"), Input::Optional, Tile::No),
        prop("area_m2", Kind::Number, label("面积（平方米）", "area m²"), Input::Computed(AREA_M2), Tile::Full),
        prop("area_mu", Kind::Number, label("面积（亩）", "area mu"), Input::Computed(AREA_MU), Tile::No),
    ],
    validate: no_cross_checks,
    tile_z12: true,
    feature_json: true,
};
