//! 建设用地地块: construction-land parcels, with the legal lifecycle of docs/domain.md §2.

use super::{check_code, check_county_code, label, prop, DefaultValue, Description, GeometryKind, Input, Kind};
use super::{Datum, Lifecycle, Property, Record, Tile, AREA_M2, AREA_MU};
use crate::domain::landuse::{CodeSystem, LandUse};
use crate::domain::lifecycle::ParcelState;
use crate::domain::registry::FeatureLimits;
use std::str::FromStr;

fn check_state(s: &str) -> Result<String, String> {
    ParcelState::from_str(s).map(|st| st.as_str().to_string()).map_err(|e| e.to_string())
}

fn next_states(s: &str) -> Option<Vec<&'static str>> {
    ParcelState::from_str(s).ok().map(|st| st.next_states().iter().map(|n| n.as_str()).collect())
}

fn check_code_system(s: &str) -> Result<String, String> {
    CodeSystem::from_str(s).map(|c| c.as_str().to_string()).map_err(|e| e.to_string())
}

/// A current use is a code of the parcel's own code system.
fn parcel_cross_checks(r: &mut Record, _: &FeatureLimits) -> Vec<(&'static str, String)> {
    let system = r.text("use_code_system").and_then(|s| s.parse().ok()).unwrap_or_default();
    if r.get("use_code_system") == Some(&Datum::Null) {
        r.set("use_code_system", Datum::Text(CodeSystem::default().as_str().to_string()));
    }
    let Some(current) = r.text("current_use").map(str::to_string) else { return Vec::new() };
    match LandUse::parse(system, &current) {
        Ok(u) => {
            r.set("current_use", Datum::Text(u.code.to_string()));
            Vec::new()
        }
        Err(e) => vec![("current_use", e.to_string())],
    }
}

const STATES: &[(&str, &str)] = &[
    ("suspected", "疑似污染地块"),
    ("surveying", "土壤污染状况调查中"),
    ("cleared", "调查/评估无风险"),
    ("risk_assessment", "风险评估中"),
    ("listed", "列入风险管控和修复名录"),
    ("under_control", "风险管控中"),
    ("under_remediation", "修复中"),
    ("effect_evaluation", "效果评估中"),
    ("delisted", "移出名录"),
    ("post_management", "后期管理"),
];

pub static CONSTRUCTION_PARCELS: Description = Description {
    name: "construction_parcels",
    table: "construction_parcel_versions",
    id_property: "parcel_code",
    label: label("建设用地地块", "Construction-land parcels"),
    geometry: GeometryKind::Polygon,
    lifecycle: Some(Lifecycle {
        property: "state",
        initial: "suspected",
        step_property: Some("remediated_for_class"),
        next_states,
    }),
    properties: &[
        Property {
            check: Some(check_code),
            ..prop("parcel_code", Kind::Text, label("地块编码", "parcel code"), Input::Required, Tile::Always)
        },
        Property {
            check: Some(check_county_code),
            ..prop("county_code", Kind::Text, label("县级行政区划代码", "county code"), Input::Required, Tile::Full)
        },
        prop("name", Kind::Text, label("地块名称", "name"), Input::Required, Tile::Full),
        Property {
            values: STATES,
            check: Some(check_state),
            ..prop("state", Kind::Text, label("所处阶段", "lifecycle state"), Input::Lifecycle, Tile::Always)
        },
        prop(
            "rcr_listed",
            Kind::Bool,
            label("列入风险管控和修复名录", "on the RCR list"),
            Input::Computed("v.rcr_listed"),
            Tile::Always,
        ),
        prop(
            "priority_supervision",
            Kind::Bool,
            label("优先监管地块", "priority supervision"),
            Input::Defaulted(DefaultValue::False),
            Tile::Always,
        ),
        prop(
            "key_unit_land",
            Kind::Bool,
            label("重点监管单位用地", "key supervised unit land"),
            Input::Defaulted(DefaultValue::False),
            Tile::Always,
        ),
        prop("current_use", Kind::Text, label("现状用途", "current use"), Input::Optional, Tile::Full),
        Property {
            values: &[
                ("ydyh2023", "用地用海分类（2023）"),
                ("gbt21010", "GB/T 21010-2017"),
                ("gb50137", "GB 50137-2011"),
            ],
            check: Some(check_code_system),
            ..prop("use_code_system", Kind::Text, label("用途分类体系", "code system"), Input::Optional, Tile::No)
        },
        Property {
            values: &[("1", "第一类用地"), ("2", "第二类用地")],
            ..prop(
                "remediated_for_class",
                Kind::Int,
                label("修复目标用地类别", "remediated for class"),
                Input::Optional,
                Tile::Full,
            )
        },
        prop("former_industry", Kind::Text, label("原行业", "former industry"), Input::Optional, Tile::No),
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
    validate: parcel_cross_checks,
    tile_z12: false,
    feature_json: true,
};
