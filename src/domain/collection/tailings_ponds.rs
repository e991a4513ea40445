//! 尾矿库: tailings ponds, as points, with the environmental supervision level of the province's yearly list
//! (stored with its document, never computed) apart from the safety class and rating.

use super::{check_code, check_county_code, label, prop, DefaultValue, Description, GeometryKind, Input, Kind};
use super::{Datum, Property, Record, Tile};
use crate::domain::registry::FeatureLimits;
use crate::domain::sources::{PondStatus, SafetyRating};
use std::str::FromStr;

fn check_rating(s: &str) -> Result<String, String> {
    SafetyRating::from_str(s).map(|v| v.as_str().to_string()).map_err(|e| e.to_string())
}

fn check_status(s: &str) -> Result<String, String> {
    PondStatus::from_str(s).map(|v| v.as_str().to_string()).map_err(|e| e.to_string())
}

/// A level comes from a list, so it comes with the list's document; an ownerless pond has no operator.
fn pond_cross_checks(r: &mut Record, _: &FeatureLimits) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    if r.get("level_doc") == Some(&Datum::Null) {
        problems
            .push(("level_doc", "is required: the province's list that set the level (e.g. 桂环函〔2025〕…号)".into()));
    }
    if r.text("status") == Some("ownerless") && r.get("operator").is_some_and(|o| *o != Datum::Null) {
        problems.push(("operator", "must be empty for an ownerless pond (无主尾矿库)".into()));
    }
    problems
}

pub static TAILINGS_PONDS: Description = Description {
    name: "tailings_ponds",
    table: "tailings_pond_versions",
    id_property: "pond_code",
    label: label("尾矿库", "Tailings ponds"),
    geometry: GeometryKind::Point,
    lifecycle: None,
    properties: &[
        Property {
            check: Some(check_code),
            ..prop("pond_code", Kind::Text, label("尾矿库编码", "pond code"), Input::Required, Tile::Always)
        },
        prop("name", Kind::Text, label("名称", "name"), Input::Required, Tile::Always),
        Property {
            check: Some(check_county_code),
            ..prop("county_code", Kind::Text, label("县级行政区划代码", "county code"), Input::Required, Tile::Full)
        },
        prop("operator", Kind::Text, label("运营单位", "operator"), Input::Optional, Tile::Full),
        Property {
            values: &[("1", "一级"), ("2", "二级"), ("3", "三级")],
            ..prop("level", Kind::Int, label("环境监管级别", "supervision level"), Input::Required, Tile::Always)
        },
        prop("level_doc", Kind::Text, label("分级文件", "level document"), Input::Optional, Tile::No),
        Property {
            values: &[("1", "一等"), ("2", "二等"), ("3", "三等"), ("4", "四等"), ("5", "五等")],
            ..prop("safety_class", Kind::Int, label("等别", "safety class"), Input::Optional, Tile::Full)
        },
        Property {
            values: &[("normal", "正常库"), ("ailing", "病库"), ("risky", "险库"), ("dangerous", "危库")],
            check: Some(check_rating),
            ..prop("safety_rating", Kind::Text, label("安全度", "safety rating"), Input::Optional, Tile::Full)
        },
        Property {
            values: &[("operating", "在用"), ("closed", "闭库"), ("ownerless", "无主")],
            check: Some(check_status),
            ..prop("status", Kind::Text, label("状态", "status"), Input::Required, Tile::Always)
        },
        prop(
            "valid_from",
            Kind::Date,
            label("生效日期", "valid from"),
            Input::Defaulted(DefaultValue::Today),
            Tile::No,
        ),
    ],
    validate: pond_cross_checks,
    tile_z12: false,
    feature_json: true,
};
