//! The published properties of each collection: their names, the SQL that reads them, and their types.
//! One table serves the GeoJSON output, the queryables, `filter`, `sortby` and `properties`, so they
//! cannot disagree. Only these SQL expressions are ever placed in a query; user text never is.

use crate::cql2::{QType, Queryable};
use crate::domain::registry::Collection;

#[derive(Debug)]
pub struct Prop {
    pub name: &'static str,
    pub sql: &'static str,
    pub qtype: QType,
    pub title: &'static str,
    /// Allowed values, for the queryables schema.
    pub values: &'static [&'static str],
}

const CLASSES: &[&str] = &["priority_protection", "safe_use", "strict_control"];
const STATES: &[&str] = &[
    "suspected",
    "surveying",
    "cleared",
    "risk_assessment",
    "listed",
    "under_control",
    "under_remediation",
    "effect_evaluation",
    "delisted",
    "post_management",
];

const fn p(name: &'static str, sql: &'static str, qtype: QType, title: &'static str) -> Prop {
    Prop { name, sql, qtype, title, values: &[] }
}

const AREA_M2: &str = "round(v.area_m2::numeric, 2)";
const AREA_MU: &str = "round((v.area_m2 * 15 / 10000)::numeric, 3)";

pub const FARMLAND: &[Prop] = &[
    p("unit_code", "v.unit_code", QType::String, "类别单元编码 unit code"),
    p("county_code", "v.county_code", QType::String, "县级行政区划代码 county code"),
    Prop {
        name: "class", sql: "v.class", qtype: QType::String, title: "土壤环境质量类别 class", values: CLASSES
    },
    Prop {
        name: "land_type",
        sql: "v.land_type",
        qtype: QType::String,
        title: "三调地类 land type",
        values: &["0101", "0102", "0103"],
    },
    p("measures_in_place", "v.measures_in_place", QType::Boolean, "措施落实 measures in place"),
    p("crops_compliant", "v.crops_compliant", QType::Boolean, "农产品达标 crops compliant"),
    p("valid_from", "v.valid_from", QType::Date, "生效日期 valid from"),
    p("basis_doc", "v.basis_doc", QType::String, "依据文件 basis document"),
    p("area_m2", AREA_M2, QType::Number, "面积（平方米） area m²"),
    p("area_mu", AREA_MU, QType::Number, "面积（亩） area mu"),
];

pub const PARCELS: &[Prop] = &[
    p("parcel_code", "v.parcel_code", QType::String, "地块编码 parcel code"),
    p("county_code", "v.county_code", QType::String, "县级行政区划代码 county code"),
    p("name", "v.name", QType::String, "地块名称 name"),
    Prop { name: "state", sql: "v.state", qtype: QType::String, title: "所处阶段 lifecycle state", values: STATES },
    p("rcr_listed", "v.rcr_listed", QType::Boolean, "列入风险管控和修复名录 on the RCR list"),
    p("priority_supervision", "v.priority_supervision", QType::Boolean, "优先监管地块 priority supervision"),
    p("key_unit_land", "v.key_unit_land", QType::Boolean, "重点监管单位用地 key supervised unit land"),
    p("current_use", "v.current_use", QType::String, "现状用途 current use"),
    Prop {
        name: "use_code_system",
        sql: "v.use_code_system",
        qtype: QType::String,
        title: "用途分类体系 code system",
        values: &["ydyh2023", "gbt21010", "gb50137"],
    },
    p("remediated_for_class", "v.remediated_for_class", QType::Integer, "修复目标用地类别 remediated for class"),
    p("former_industry", "v.former_industry", QType::String, "原行业 former industry"),
    p("valid_from", "v.valid_from", QType::Date, "生效日期 valid from"),
    p("area_m2", AREA_M2, QType::Number, "面积（平方米） area m²"),
    p("area_mu", AREA_MU, QType::Number, "面积（亩） area mu"),
];

pub fn props(c: Collection) -> &'static [Prop] {
    match c {
        Collection::FarmlandUnits => FARMLAND,
        Collection::ConstructionParcels => PARCELS,
    }
}

/// Properties usable in `filter` and `sortby`, plus the geometry for spatial filters.
pub fn queryables(c: Collection) -> Vec<Queryable> {
    let mut q: Vec<Queryable> =
        props(c).iter().map(|p| Queryable { name: p.name, sql: p.sql, qtype: p.qtype }).collect();
    q.push(Queryable { name: "geometry", sql: "v.geom", qtype: QType::Geometry });
    q
}

pub fn prop_names(c: Collection) -> Vec<&'static str> {
    props(c).iter().map(|p| p.name).collect()
}
