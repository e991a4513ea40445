//! 涉镉等重金属污染源: heavy-metal pollution sources (and legacy mining waste or tailings heaps of the same
//! shape), as points, moving through their own lifecycle (domain::sources::SourceState).

use super::{check_code, check_county_code, label, prop, DefaultValue, Description, GeometryKind, Input, Kind};
use super::{Datum, Lifecycle, Property, Record, Tile};
use crate::domain::registry::FeatureLimits;
use crate::domain::sources::{Pollutant, SourceKind, SourceList, SourceState};
use std::str::FromStr;

fn check_kind(s: &str) -> Result<String, String> {
    SourceKind::from_str(s).map(|v| v.as_str().to_string()).map_err(|e| e.to_string())
}

fn check_list(s: &str) -> Result<String, String> {
    SourceList::from_str(s).map(|v| v.as_str().to_string()).map_err(|e| e.to_string())
}

fn check_state(s: &str) -> Result<String, String> {
    SourceState::from_str(s).map(|v| v.as_str().to_string()).map_err(|e| e.to_string())
}

fn next_states(s: &str) -> Option<Vec<&'static str>> {
    SourceState::from_str(s).ok().map(|st| st.next_states().iter().map(|n| n.as_str()).collect())
}

/// Element symbols in the order of the code list, without repeats, as the text `Cd,Pb` within a write (stored
/// as an array); a request may give an array `["Cd","Pb"]` or that text, symbols or 镉/铅.
fn check_pollutants(s: &str) -> Result<String, String> {
    let mut found = Vec::new();
    for part in s.split([',', '，', '、', ' ', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        found.push(Pollutant::from_str(part).map_err(|e| e.to_string())?);
    }
    found.sort_unstable();
    found.dedup();
    if found.is_empty() {
        return Err(format!("must name at least one pollutant, e.g. [\"Cd\", \"Pb\"], not '{s}'"));
    }
    Ok(found.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(","))
}

/// What the lists imply: only a source to remediate moves past `listed`, and once its remediation has started
/// it has the plan's deadline. (The close-out document is the document of the step to `closed_out`, kept in
/// the history; `closed_out_doc` may repeat it.)
fn source_cross_checks(r: &mut Record, _: &FeatureLimits) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    let state = r.text("state").and_then(|s| SourceState::from_str(s).ok());
    let list = r.text("list").and_then(|s| SourceList::from_str(s).ok());
    if state.is_some_and(|s| s != SourceState::Listed) && list.is_some_and(|l| l != SourceList::Remediation) {
        problems.push((
            "list",
            "must be remediation for a source past listed (only sources to remediate are rectified)".into(),
        ));
    }
    let started = state.is_some_and(|s| s != SourceState::Listed);
    if started && list == Some(SourceList::Remediation) && r.get("deadline") == Some(&Datum::Null) {
        problems.push(("deadline", "is required once remediation has started (the plan's deadline)".into()));
    }
    problems
}

const KINDS: &[(&str, &str)] = &[
    ("enterprise", "涉重金属企业"),
    ("legacy_solid_waste", "历史遗留固体废物"),
    ("mining_area", "矿区"),
    ("tailings", "尾矿堆"),
    ("other", "其他"),
];
const LISTS: &[(&str, &str)] = &[("full", "全口径清单"), ("screened", "排查清单"), ("remediation", "整治清单")];
const STATES: &[(&str, &str)] =
    &[("listed", "列入清单"), ("rectifying", "整治中"), ("rectified", "整治完成"), ("closed_out", "已销号")];

pub static POLLUTION_SOURCES: Description = Description {
    name: "pollution_sources",
    table: "pollution_source_versions",
    id_property: "source_code",
    label: label("涉重金属污染源", "Heavy-metal pollution sources"),
    geometry: GeometryKind::Point,
    lifecycle: Some(Lifecycle { property: "state", initial: "listed", step_property: None, next_states }),
    properties: &[
        Property {
            check: Some(check_code),
            ..prop("source_code", Kind::Text, label("污染源编码", "source code"), Input::Required, Tile::Always)
        },
        prop("name", Kind::Text, label("名称", "name"), Input::Required, Tile::Always),
        Property {
            check: Some(check_county_code),
            ..prop("county_code", Kind::Text, label("县级行政区划代码", "county code"), Input::Required, Tile::Full)
        },
        Property {
            values: KINDS,
            check: Some(check_kind),
            ..prop("kind", Kind::Text, label("污染源类型", "kind"), Input::Required, Tile::Always)
        },
        Property {
            check: Some(check_pollutants),
            ..prop("pollutants", Kind::TextList, label("特征污染物", "pollutants"), Input::Required, Tile::Always)
        },
        Property {
            values: LISTS,
            check: Some(check_list),
            ..prop("list", Kind::Text, label("清单", "list"), Input::Required, Tile::Always)
        },
        Property {
            values: STATES,
            check: Some(check_state),
            ..prop("state", Kind::Text, label("整治状态", "state"), Input::Lifecycle, Tile::Always)
        },
        prop("deadline", Kind::Date, label("整治期限", "deadline"), Input::Optional, Tile::Full),
        prop("plan_doc", Kind::Text, label("整治方案", "plan document"), Input::Optional, Tile::No),
        prop("closed_out_doc", Kind::Text, label("销号文件", "close-out document"), Input::Optional, Tile::No),
        prop(
            "valid_from",
            Kind::Date,
            label("生效日期", "valid from"),
            Input::Defaulted(DefaultValue::Today),
            Tile::No,
        ),
    ],
    validate: source_cross_checks,
    tile_z12: false,
    feature_json: true,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pollutants_are_read_as_symbols_or_chinese_names_into_one_canonical_text() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("Pb,Cd", Ok("Cd,Pb")),
            ("镉、铅、镉", Ok("Cd,Pb")),
            (" as ; hg ", Ok("Hg,As")),
            ("Fe", Err("pollutant")),
            (" , ", Err("at least one")),
        ];
        for (input, want) in cases {
            match (check_pollutants(input), want) {
                (Ok(got), Ok(w)) => assert_eq!(got, *w, "{input}"),
                (Err(e), Err(w)) => assert!(e.contains(w), "{input}: {e}"),
                (got, _) => panic!("{input}: {got:?}"),
            }
        }
    }
}
