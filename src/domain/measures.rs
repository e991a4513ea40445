//! The measures ledger (措施台账) of farmland units, and the safe-utilisation rate computed from it by the
//! official method (受污染耕地安全利用率核算方法): (B + C + D) / E, a unit counted once (docs/adjustment.md).
//!
//! [`counted`] is the one rule for a unit: with entries for the year it is counted from the ledger, with none
//! from the register's `measures_in_place` flag. `indicators::Accumulator` folds units by it for
//! `GET /indicators`; `ledger_rate` gives the official method's terms B, C, D and E.

use super::farmland::FarmlandClass;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureGroup {
    /// 安全利用类措施.
    SafeUse,
    /// 严格管控类措施.
    StrictControl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// 低积累品种 / 品种调整.
    Variety,
    /// 石灰调酸.
    Lime,
    /// 水分调控.
    Water,
    /// 叶面阻控.
    Foliar,
    /// 深翻耕.
    DeepPlough,
    /// 其他 (safe use).
    Other,
    /// 种植结构调整.
    PlantingStructure,
    /// 特定农产品严格管控区.
    StrictZone,
    /// 退耕还林还草.
    ForestGrass,
    /// 休耕.
    Fallow,
    /// 转为非耕地.
    NonFarmland,
}

impl MeasureKind {
    pub const ALL: [MeasureKind; 11] = [
        MeasureKind::Variety,
        MeasureKind::Lime,
        MeasureKind::Water,
        MeasureKind::Foliar,
        MeasureKind::DeepPlough,
        MeasureKind::Other,
        MeasureKind::PlantingStructure,
        MeasureKind::StrictZone,
        MeasureKind::ForestGrass,
        MeasureKind::Fallow,
        MeasureKind::NonFarmland,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MeasureKind::Variety => "variety",
            MeasureKind::Lime => "lime",
            MeasureKind::Water => "water",
            MeasureKind::Foliar => "foliar",
            MeasureKind::DeepPlough => "deep_plough",
            MeasureKind::Other => "other",
            MeasureKind::PlantingStructure => "planting_structure",
            MeasureKind::StrictZone => "strict_zone",
            MeasureKind::ForestGrass => "forest_grass",
            MeasureKind::Fallow => "fallow",
            MeasureKind::NonFarmland => "non_farmland",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            MeasureKind::Variety => "低积累品种/品种调整",
            MeasureKind::Lime => "石灰调酸",
            MeasureKind::Water => "水分调控",
            MeasureKind::Foliar => "叶面阻控",
            MeasureKind::DeepPlough => "深翻耕",
            MeasureKind::Other => "其他",
            MeasureKind::PlantingStructure => "种植结构调整",
            MeasureKind::StrictZone => "特定农产品严格管控区",
            MeasureKind::ForestGrass => "退耕还林还草",
            MeasureKind::Fallow => "休耕",
            MeasureKind::NonFarmland => "转为非耕地",
        }
    }

    pub fn group(self) -> MeasureGroup {
        match self {
            MeasureKind::Variety
            | MeasureKind::Lime
            | MeasureKind::Water
            | MeasureKind::Foliar
            | MeasureKind::DeepPlough
            | MeasureKind::Other => MeasureGroup::SafeUse,
            MeasureKind::PlantingStructure
            | MeasureKind::StrictZone
            | MeasureKind::ForestGrass
            | MeasureKind::Fallow
            | MeasureKind::NonFarmland => MeasureGroup::StrictControl,
        }
    }
}

impl fmt::Display for MeasureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MeasureKind {
    type Err = MeasureError;
    fn from_str(s: &str) -> Result<Self, MeasureError> {
        let t = s.trim();
        MeasureKind::ALL
            .into_iter()
            .find(|k| k.as_str() == t || k.name_zh() == t)
            .ok_or_else(|| MeasureError::UnknownKind(s.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MeasureError {
    #[error("unknown measure '{0}' (expected variety, lime, water, foliar, deep_plough, other, planting_structure, strict_zone, forest_grass, fallow or non_farmland)")]
    UnknownKind(String),
    #[error("{kind}: the area must be a positive number of m², not {area_m2}")]
    Area { kind: MeasureKind, area_m2: f64 },
    #[error("{kind}: a measure needs the document that records it")]
    NoDocument { kind: MeasureKind },
    #[error("year {0} is outside 2000–2100")]
    Year(i32),
    #[error("season {0} is not 1–4")]
    Season(u8),
    #[error("{kind}: {area_m2} m² is more than the unit's own {unit_m2:.1} m²")]
    LargerThanUnit { kind: MeasureKind, area_m2: f64, unit_m2: f64 },
    #[error("{0}")]
    Body(String),
}

impl MeasureError {
    /// The same in Chinese, for the problem answer's `detail` ("中文 — English").
    pub fn message_zh(&self) -> String {
        match self {
            MeasureError::UnknownKind(k) => format!(
                "措施类型'{k}'未知（应为 {}）",
                MeasureKind::ALL
                    .iter()
                    .map(|k| format!("{}（{}）", k.as_str(), k.name_zh()))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            MeasureError::Area { kind, area_m2 } => {
                format!("{}：面积应为大于0的平方米数，而非 {area_m2}", kind.name_zh())
            }
            MeasureError::NoDocument { kind } => format!("{}：须填写记载该措施的文件", kind.name_zh()),
            MeasureError::Year(y) => format!("年度 {y} 不在 2000–2100 之内"),
            MeasureError::Season(s) => format!("季 {s} 应为 1–4"),
            MeasureError::LargerThanUnit { kind, area_m2, unit_m2 } => {
                format!("{}：面积 {area_m2} 平方米大于单元自身面积 {unit_m2:.1} 平方米", kind.name_zh())
            }
            MeasureError::Body(d) => format!("请求体有误：{d}"),
        }
    }
}

/// A measure may exceed the unit's mapped area by this share: the ledger takes the surveyed area of the field
/// and the register the area of the mapped polygon, which differ by a little.
pub const AREA_TOLERANCE: f64 = 0.02;

impl Measure {
    /// Refuses a measure covering more than the unit (beyond the tolerance): a typo of a digit, as a rule.
    pub fn validate_on(&self, unit_m2: f64) -> Result<(), MeasureError> {
        self.validate()?;
        if self.area_m2 > unit_m2 * (1.0 + AREA_TOLERANCE) {
            return Err(MeasureError::LargerThanUnit { kind: self.kind, area_m2: self.area_m2, unit_m2 });
        }
        Ok(())
    }
}

/// `POST .../measures`: `{"year": 2026, "season": 1, "measures": [{"kind": "lime", "area_m2": 5200, "note": ".."}],
/// "document": "...", "note": "..."}`, one document for all the measures it lists.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuresRequest {
    pub measures: Vec<Measure>,
    /// A note per measure (its own, else the request's).
    pub notes: Vec<Option<String>>,
}

impl MeasuresRequest {
    /// Reads and checks a body (not yet against the unit's area: see [`Measure::validate_on`]).
    pub fn from_json(v: &serde_json::Value) -> Result<MeasuresRequest, MeasureError> {
        use serde_json::Value;
        let body = |d: &str| MeasureError::Body(d.to_string());
        let obj = v.as_object().ok_or_else(|| body("the body must be a JSON object"))?;
        for k in obj.keys() {
            if !["year", "season", "measures", "document", "note"].contains(&k.as_str()) {
                return Err(MeasureError::Body(format!(
                    "unknown member '{k}' (expected year, season, measures, document, note)"
                )));
            }
        }
        let year = match obj.get("year") {
            Some(Value::Number(n)) => n
                .as_i64()
                .and_then(|y| i32::try_from(y).ok())
                .ok_or_else(|| MeasureError::Body(format!("year must be a whole number, not {n}")))?,
            _ => return Err(body("year is required: a whole number such as 2026")),
        };
        let season = match obj.get("season") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => Some(
                n.as_u64()
                    .and_then(|s| u8::try_from(s).ok())
                    .ok_or_else(|| MeasureError::Body(format!("season must be 1–4, not {n}")))?,
            ),
            Some(other) => return Err(MeasureError::Body(format!("season must be 1–4, not {other}"))),
        };
        let text = |o: &serde_json::Map<String, Value>, k: &str| -> Result<Option<String>, MeasureError> {
            match o.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
                Some(_) => Err(MeasureError::Body(format!("{k} must be text"))),
            }
        };
        let document = text(obj, "document")?.unwrap_or_default();
        let note = text(obj, "note")?;
        let list = match obj.get("measures") {
            Some(Value::Array(a)) if !a.is_empty() => a,
            _ => return Err(body("measures is required: a non-empty list of {\"kind\", \"area_m2\"}")),
        };
        let period = Period { year, season };
        let mut measures = Vec::new();
        let mut notes = Vec::new();
        for item in list {
            let o = item.as_object().ok_or_else(|| body("each measure must be an object {\"kind\", \"area_m2\"}"))?;
            for k in o.keys() {
                if !["kind", "area_m2", "note"].contains(&k.as_str()) {
                    return Err(MeasureError::Body(format!(
                        "unknown member '{k}' in a measure (expected kind, area_m2, note)"
                    )));
                }
            }
            let kind: MeasureKind = match o.get("kind") {
                Some(Value::String(s)) => s.parse()?,
                _ => return Err(body("each measure needs its kind, such as \"lime\"")),
            };
            let area_m2 = o
                .get("area_m2")
                .and_then(Value::as_f64)
                .ok_or_else(|| MeasureError::Body(format!("{kind}: area_m2 is required, a number of m²")))?;
            let m = Measure { period, kind, area_m2, document: document.clone() };
            m.validate()?;
            notes.push(text(o, "note")?.or_else(|| note.clone()));
            measures.push(m);
        }
        Ok(MeasuresRequest { measures, notes })
    }
}

/// A year, or one season of it (early and late rice are seasons 1 and 2 in Guangxi). The rate is per year: a
/// season counts for its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Period {
    pub year: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub season: Option<u8>,
}

impl Period {
    pub fn validate(&self) -> Result<(), MeasureError> {
        if !(2000..=2100).contains(&self.year) {
            return Err(MeasureError::Year(self.year));
        }
        match self.season {
            Some(s) if !(1..=4).contains(&s) => Err(MeasureError::Season(s)),
            _ => Ok(()),
        }
    }
}

/// One line of the ledger: a measure taken on (part of) a unit in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    pub period: Period,
    pub kind: MeasureKind,
    pub area_m2: f64,
    pub document: String,
}

impl Measure {
    pub fn validate(&self) -> Result<(), MeasureError> {
        self.period.validate()?;
        if !self.area_m2.is_finite() || self.area_m2 <= 0.0 {
            return Err(MeasureError::Area { kind: self.kind, area_m2: self.area_m2 });
        }
        if self.document.trim().is_empty() {
            return Err(MeasureError::NoDocument { kind: self.kind });
        }
        Ok(())
    }
}

/// How a safe-use unit's crops must stand to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CropRule {
    /// Not found non-compliant: never-sampled crops count (what `GET /indicators` does today; the default).
    NotFoundNonCompliant,
    /// Compliant: only crops sampled and found compliant count (the official method's wording for C).
    Compliant,
}

impl CropRule {
    pub fn passes(self, crops_compliant: Option<bool>) -> bool {
        match self {
            CropRule::NotFoundNonCompliant => crops_compliant != Some(false),
            CropRule::Compliant => crops_compliant == Some(true),
        }
    }
}

/// Where the rate's numerator came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RateSource {
    /// Every polluted unit had ledger entries for the year.
    Ledger,
    /// No polluted unit had any: the `measures_in_place` flag throughout.
    Flag,
    /// Some units from the ledger, the rest from the flag.
    Mixed,
    /// No polluted farmland in scope.
    None,
}

impl RateSource {
    /// From how many polluted units were counted from the ledger and from the flag.
    pub fn of_counts(from_ledger: u64, from_flag: u64) -> RateSource {
        match (from_ledger, from_flag) {
            (0, 0) => RateSource::None,
            (_, 0) => RateSource::Ledger,
            (0, _) => RateSource::Flag,
            _ => RateSource::Mixed,
        }
    }
}

/// What a unit's ledger for one year says, as the rate needs it: the largest area covered by one safe-use
/// measure and by one strict-control measure (0 without one). The store computes it in SQL for many units
/// at once (the ledger part of src/store/sql/indicators_farmland.sql and its kin); [`Cover::of`] is the same from the entries.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cover {
    pub safe_use_m2: f64,
    pub strict_m2: f64,
}

impl Cover {
    /// The cover of the entries of `year` (a season counts for its year); none without any.
    pub fn of(ledger: &[Measure], year: i32) -> Option<Cover> {
        let mut cover = None;
        for m in ledger.iter().filter(|m| m.period.year == year && m.area_m2.is_finite() && m.area_m2 > 0.0) {
            let c: &mut Cover = cover.get_or_insert_with(Cover::default);
            match m.kind.group() {
                MeasureGroup::SafeUse => c.safe_use_m2 = c.safe_use_m2.max(m.area_m2),
                MeasureGroup::StrictControl => c.strict_m2 = c.strict_m2.max(m.area_m2),
            }
        }
        cover
    }
}

/// What [`counted`] reads of a farmland unit (indicators::UnitForIndicator gives it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitMeasures {
    pub class: FarmlandClass,
    pub area_m2: f64,
    pub measures_in_place: bool,
    pub crops_compliant: Option<bool>,
}

/// How much of a polluted unit counts as safely used, and by which method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counted {
    /// The unit's area, or 0 for a degenerate one (a NaN would blank the whole rate).
    pub area_m2: f64,
    /// The part with qualifying measures in place, crops aside (the breakdown's `with_measures_m2`).
    pub with_measures_m2: f64,
    /// The part that counts in the numerator.
    pub counted_m2: f64,
    pub from_ledger: bool,
}

/// The one rule for a polluted unit (safe-use or strict-control), for `GET /indicators` and the ledger method.
///
/// With a ledger cover for the year, a unit counts the largest area covered by one qualifying measure, never
/// more than its own area: measures on one unit usually overlap (lime and water management on the same field)
/// and the ledger does not say where in the unit each lies, so adding them up would count land twice.
/// Qualifying: on safe-use land, a safe-use measure with crops passing the crop rule, or any strict-control
/// measure (it takes the land out of edible crops); on strict-control land, only a strict-control measure. A
/// unit with both kinds is counted once, at the larger covered area.
///
/// Without one, the register's `measures_in_place` flag: all of the unit or nothing.
pub fn counted(u: &UnitMeasures, cover: Option<&Cover>, rule: CropRule) -> Counted {
    let area = if u.area_m2.is_finite() && u.area_m2 > 0.0 { u.area_m2 } else { 0.0 };
    let crops_pass = rule.passes(u.crops_compliant);
    let safe_use = u.class == FarmlandClass::SafeUse;
    match cover {
        None => {
            let with = if u.measures_in_place { area } else { 0.0 };
            let counted = if safe_use && !crops_pass { 0.0 } else { with };
            Counted { area_m2: area, with_measures_m2: with, counted_m2: counted, from_ledger: false }
        }
        Some(c) => {
            let (with, counted) = if safe_use {
                let safe = if crops_pass { c.safe_use_m2 } else { 0.0 };
                (c.safe_use_m2.max(c.strict_m2), safe.max(c.strict_m2))
            } else {
                (c.strict_m2, c.strict_m2)
            };
            Counted {
                area_m2: area,
                with_measures_m2: with.min(area),
                counted_m2: counted.min(area),
                from_ledger: true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MeasureKind::*;

    fn m(year: i32, kind: MeasureKind, area_m2: f64) -> Measure {
        Measure { period: Period { year, season: None }, kind, area_m2, document: "桂环〔2026〕1号".into() }
    }

    #[test]
    fn kinds_groups_and_names() {
        let safe: Vec<_> = MeasureKind::ALL.into_iter().filter(|k| k.group() == MeasureGroup::SafeUse).collect();
        assert_eq!(safe, vec![Variety, Lime, Water, Foliar, DeepPlough, Other]);
        for k in MeasureKind::ALL {
            assert_eq!(k.as_str().parse::<MeasureKind>().unwrap(), k);
            assert_eq!(k.name_zh().parse::<MeasureKind>().unwrap(), k);
        }
        assert!("liming".parse::<MeasureKind>().is_err());
    }

    #[test]
    fn bad_ledger_lines_are_refused() {
        assert_eq!(m(2026, Lime, 0.0).validate(), Err(MeasureError::Area { kind: Lime, area_m2: 0.0 }));
        assert!(matches!(m(2026, Lime, f64::NAN).validate(), Err(MeasureError::Area { .. })));
        assert_eq!(m(1999, Lime, 1.0).validate(), Err(MeasureError::Year(1999)));
        let mut no_doc = m(2026, Fallow, 1.0);
        no_doc.document = " ".into();
        assert_eq!(no_doc.validate(), Err(MeasureError::NoDocument { kind: Fallow }));
        let mut season = m(2026, Water, 1.0);
        season.period.season = Some(5);
        assert_eq!(season.validate(), Err(MeasureError::Season(5)));
        season.period.season = Some(2);
        assert_eq!(season.validate(), Ok(()));
    }

    #[test]
    fn a_measure_may_exceed_the_unit_only_by_the_tolerance() {
        for (area, ok) in [(1000.0, true), (1019.0, true), (1021.0, false), (5000.0, false)] {
            assert_eq!(m(2026, Lime, area).validate_on(1000.0).is_ok(), ok, "{area}");
        }
        let req = MeasuresRequest::from_json(&serde_json::json!({"year": 2026, "season": 2, "document": "台账",
            "note": "晚稻", "measures": [{"kind": "石灰调酸", "area_m2": 10}, {"kind": "fallow", "area_m2": 5, "note": "x"}]}))
        .unwrap();
        assert_eq!(req.measures.iter().map(|m| m.kind).collect::<Vec<_>>(), vec![Lime, Fallow]);
        assert_eq!(req.measures[0].period, Period { year: 2026, season: Some(2) });
        assert_eq!(req.notes, vec![Some("晚稻".to_string()), Some("x".to_string())]);
        for bad in [
            serde_json::json!([]),
            serde_json::json!({"year": "2026", "measures": [{"kind": "lime", "area_m2": 1}], "document": "d"}),
            serde_json::json!({"year": 2026, "measures": [{"kind": "lime"}], "document": "d"}),
            serde_json::json!({"year": 2026, "measures": [{"kind": "lime", "area_m2": 1, "x": 1}], "document": "d"}),
        ] {
            let e = MeasuresRequest::from_json(&bad).unwrap_err();
            assert!(!e.message_zh().is_empty() && !e.to_string().is_empty(), "{bad}");
        }
    }
}
