//! The access rules of docs/domain.md §4: may this land be rezoned, chosen as a project site, or supplied?
//!
//! The store works out what a query geometry overlaps (and which farmland lies near it) and hands the
//! result in as plain numbers ([`SpatialFacts`]); everything that decides is here, so each rule can be
//! tested without a database. Each rule is one small function listed once in [`RULES`], next to its id
//! and legal basis; docs/rules.md describes the same table for users.

use super::farmland::FarmlandClass;
use super::landuse::{LandUse, LandUsePolicy};
use super::lifecycle::ParcelState;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A name in a request that is not one of the expected values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}' (expected {expected})")]
pub struct UnknownName {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static str,
}

/// Users type these in URLs (`eia-site`) and JSON (`eia_site`); both spellings mean the same thing.
fn normalise(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace('-', "_")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// A change of planned land use (用途变更 / 规划调整).
    Rezoning,
    /// Siting of a construction project under environmental impact assessment (建设项目环评选址).
    EiaSite,
    /// Supply of land use rights by transfer or allocation (出让、划拨).
    LandSupply,
}

impl CheckKind {
    pub const ALL: [CheckKind; 3] = [CheckKind::Rezoning, CheckKind::EiaSite, CheckKind::LandSupply];

    /// The spelling of the HTTP path and the CLI subcommand.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Rezoning => "rezoning",
            CheckKind::EiaSite => "eia-site",
            CheckKind::LandSupply => "land-supply",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CheckKind::Rezoning => "用途变更",
            CheckKind::EiaSite => "建设项目环评选址",
            CheckKind::LandSupply => "土地供应（出让、划拨）",
        }
    }
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CheckKind {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match normalise(s).as_str() {
            "rezoning" => Ok(CheckKind::Rezoning),
            "eia_site" => Ok(CheckKind::EiaSite),
            "land_supply" => Ok(CheckKind::LandSupply),
            _ => Err(UnknownName { what: "check", value: s.to_string(), expected: "rezoning, eia-site or land-supply" }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    /// Soil risk control or remediation itself: the one kind of work allowed on listed land (Art. 66 ¶3).
    Remediation,
    /// A heavy-metal industry project (涉重金属行业), which is also potentially soil-polluting.
    HeavyMetal,
    /// Another project that may pollute soil (可能造成土壤污染的建设项目, Art. 50 ¶2).
    SoilPolluting,
    Other,
}

impl ProjectKind {
    pub const ALL: [ProjectKind; 4] =
        [ProjectKind::Remediation, ProjectKind::HeavyMetal, ProjectKind::SoilPolluting, ProjectKind::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectKind::Remediation => "remediation",
            ProjectKind::HeavyMetal => "heavy_metal",
            ProjectKind::SoilPolluting => "soil_polluting",
            ProjectKind::Other => "other",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ProjectKind::Remediation => "土壤污染风险管控或修复项目",
            ProjectKind::HeavyMetal => "涉重金属行业建设项目",
            ProjectKind::SoilPolluting => "可能造成土壤污染的建设项目",
            ProjectKind::Other => "建设项目",
        }
    }

    fn name_en(self) -> &'static str {
        match self {
            ProjectKind::Remediation => "a risk-control or remediation project",
            ProjectKind::HeavyMetal => "a heavy-metal industry project",
            ProjectKind::SoilPolluting => "a potentially soil-polluting project",
            ProjectKind::Other => "a construction project",
        }
    }
}

impl fmt::Display for ProjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProjectKind {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let n = normalise(s);
        ProjectKind::ALL.into_iter().find(|k| k.as_str() == n).ok_or_else(|| UnknownName {
            what: "project_kind",
            value: s.to_string(),
            expected: "remediation, heavy_metal, soil_polluting or other",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplyKind {
    /// 出让
    Transfer,
    /// 划拨
    Allocation,
}

impl SupplyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SupplyKind::Transfer => "transfer",
            SupplyKind::Allocation => "allocation",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            SupplyKind::Transfer => "出让",
            SupplyKind::Allocation => "划拨",
        }
    }
}

impl fmt::Display for SupplyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SupplyKind {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match normalise(s).as_str() {
            "transfer" | "出让" => Ok(SupplyKind::Transfer),
            "allocation" | "划拨" => Ok(SupplyKind::Allocation),
            _ => Err(UnknownName { what: "supply", value: s.to_string(), expected: "transfer or allocation" }),
        }
    }
}

/// The answer of a check. The derived order (by declaration) is the strength: the strongest reason wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Allowed,
    Conditional,
    Denied,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::Conditional => "conditional",
            Decision::Denied => "denied",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A construction parcel that the query touches, as the store found it (as of the check's date).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParcelFact {
    pub parcel_code: String,
    pub state: ParcelState,
    pub key_unit_land: bool,
    pub priority_supervision: bool,
    pub remediated_for_class: Option<i16>,
    pub area_m2: f64,
    pub overlap_m2: f64,
}

/// A farmland unit that overlaps the query (`overlap_m2 > 0`, `distance_m == 0`) or lies within the
/// heavy-metal buffer of it (`overlap_m2 == 0`, `distance_m > 0`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FarmlandFact {
    pub unit_code: String,
    pub class: FarmlandClass,
    pub area_m2: f64,
    pub overlap_m2: f64,
    pub distance_m: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SpatialFacts {
    pub query_area_m2: f64,
    pub parcels: Vec<ParcelFact>,
    pub farmland: Vec<FarmlandFact>,
}

/// What is asked, with land-use codes already parsed (an unknown code is refused before a check runs).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRequest {
    pub kind: CheckKind,
    pub proposed_use: Option<LandUse>,
    pub current_use: Option<LandUse>,
    pub project_kind: Option<ProjectKind>,
    pub supply: Option<SupplyKind>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleSettings {
    /// Overlaps below this many m² are slivers (LANDGUARD_SLIVER_MIN_M2).
    pub sliver_min_m2: f64,
    /// Overlaps below this share of the smaller of query and feature are slivers (LANDGUARD_SLIVER_MIN_RATIO).
    pub sliver_min_ratio: f64,
    /// Farmland this close to a heavy-metal project counts as nearby (LANDGUARD_HEAVY_METAL_BUFFER_M).
    pub heavy_metal_buffer_m: f64,
    pub land_use: LandUsePolicy,
}

impl Default for RuleSettings {
    fn default() -> Self {
        RuleSettings {
            sliver_min_m2: 1.0,
            sliver_min_ratio: 0.001,
            heavy_metal_buffer_m: 1000.0,
            land_use: LandUsePolicy::default(),
        }
    }
}

/// A registry feature behind a reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureRef {
    /// `construction_parcels` or `farmland_units`, the OGC API collection id.
    pub collection: &'static str,
    pub id: String,
    /// m², to 0.1.
    pub overlap_m2: f64,
    /// Share of the query area that the feature covers, to 4 decimals.
    pub overlap_ratio: f64,
    /// Only for farmland near a heavy-metal project; 0 when it overlaps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub rule: &'static str,
    pub decision: Decision,
    pub basis: &'static str,
    pub message_zh: String,
    pub message_en: String,
    pub features: Vec<FeatureRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub decision: Decision,
    pub reasons: Vec<Reason>,
}

impl Outcome {
    pub fn reason(&self, rule: &str) -> Option<&Reason> {
        self.reasons.iter().find(|r| r.rule == rule)
    }
}

/// An overlap too small to mean anything: digitising noise along shared boundaries. Below the absolute
/// floor, or below the ratio of the *smaller* area, so that a thin strip of a huge parcel still counts
/// against a small query. A NaN overlap is not a sliver: a broken number must not make risk disappear.
pub fn is_sliver(overlap_m2: f64, query_area_m2: f64, feature_area_m2: f64, s: &RuleSettings) -> bool {
    let smaller = query_area_m2.min(feature_area_m2);
    overlap_m2 < s.sliver_min_m2 || overlap_m2 < s.sliver_min_ratio * smaller
}

/// One access rule: its id (docs/domain.md §4), its legal basis, and the function that decides whether it fires.
pub struct Rule {
    pub id: &'static str,
    pub basis: &'static str,
    check: fn(&Ctx<'_>) -> Option<Finding>,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule").field("id", &self.id).field("basis", &self.basis).finish()
    }
}

/// Every rule, in the order of docs/domain.md §4.
pub const RULES: &[Rule] = &[
    Rule {
        id: "rcr_listed_no_housing_public",
        basis: "《中华人民共和国土壤污染防治法》第六十一条第二款",
        check: rcr_listed_no_housing_public,
    },
    Rule {
        id: "rcr_targets_unmet_no_unrelated_project",
        basis: "《中华人民共和国土壤污染防治法》第六十六条第三款",
        check: rcr_targets_unmet_no_unrelated_project,
    },
    Rule {
        id: "survey_before_housing_public_change",
        basis: "《中华人民共和国土壤污染防治法》第五十九条第二款",
        check: survey_before_housing_public_change,
    },
    Rule {
        id: "key_unit_survey_before_change_or_transfer",
        basis: "《中华人民共和国土壤污染防治法》第六十七条",
        check: key_unit_survey_before_change_or_transfer,
    },
    Rule {
        id: "remediated_for_second_class_only",
        basis: "《土壤环境质量 建设用地土壤污染风险管控标准（试行）》（GB 36600-2018）",
        check: remediated_for_second_class_only,
    },
    Rule {
        id: "incomplete_risk_management_no_land_supply",
        basis: "《桂林市2023年度土壤污染防治工作计划》（市政办〔2023〕20号）第二部分第（四）项",
        check: incomplete_risk_management_no_land_supply,
    },
    Rule {
        id: "eia_site_on_rcr_parcel",
        basis: "《建设项目环境保护管理条例》第十一条；《桂林市2023年度土壤污染防治工作计划》第二部分第（四）项；《柳州市2025年度土壤污染防治重点工作任务清单》第6项",
        check: eia_site_on_rcr_parcel,
    },
    Rule {
        id: "priority_protection_farmland_occupation",
        basis: "《中华人民共和国土壤污染防治法》第五十条；《柳州市2025年度土壤污染防治重点工作任务清单》第5项",
        check: priority_protection_farmland_occupation,
    },
    Rule {
        id: "no_polluting_project_in_basic_farmland_area",
        basis: "《中华人民共和国土壤污染防治法》第五十条第二款",
        check: no_polluting_project_in_basic_farmland_area,
    },
    Rule {
        id: "heavy_metal_project_near_farmland",
        basis: "《柳州市2025年度土壤污染防治重点工作任务清单》第3项",
        check: heavy_metal_project_near_farmland,
    },
];

/// Runs every rule. The decision is the strongest reason's; with no reason the land is allowed.
pub fn evaluate(req: &CheckRequest, facts: &SpatialFacts, settings: &RuleSettings) -> Outcome {
    let ctx = Ctx { req, facts, s: settings };
    let mut reasons: Vec<Reason> = RULES
        .iter()
        .filter_map(|rule| {
            (rule.check)(&ctx).map(|f| Reason {
                rule: rule.id,
                decision: f.decision,
                basis: rule.basis,
                message_zh: f.zh,
                message_en: f.en,
                features: f.features,
            })
        })
        .collect();
    reasons.sort_by(|a, b| b.decision.cmp(&a.decision).then_with(|| a.rule.cmp(b.rule)));
    let decision = reasons.iter().map(|r| r.decision).max().unwrap_or(Decision::Allowed);
    Outcome { decision, reasons }
}

// ---------------------------------------------------------------------------------------------------
// The rules. Each returns None when it does not apply.

/// Art. 61 ¶2: land on the RCR list may not become housing or public-service land, whatever is asked.
fn rcr_listed_no_housing_public(c: &Ctx<'_>) -> Option<Finding> {
    let proposed = c.proposed_housing_public()?;
    let hits = nonempty(c.parcels_where(|p| p.state.is_rcr_listed()))?;
    Some(Finding {
        decision: Decision::Denied,
        zh: format!(
            "地块 {} 已列入建设用地土壤污染风险管控和修复名录，不得作为住宅、公共管理与公共服务用地；拟用途 {}属于“一住两公”用地，不予准许。",
            zh_ids(&hits),
            use_label(proposed)
        ),
        en: format!(
            "{} on the risk-control and remediation list for construction land and may not be used as residential or public administration and public service land; the proposed use {} is such a use, so it is refused.",
            en_subject(&hits, "Parcel", "Parcels"),
            use_label_en(proposed)
        ),
        features: c.parcel_refs(&hits),
    })
}

/// Art. 66 ¶3: until the targets are met and the parcel leaves the list, only risk control and
/// remediation may be built there. A rezoning to housing/public use is already refused under Art. 61 ¶2,
/// so this rule stays silent then rather than repeat the refusal; a rezoning to another use may be
/// planned, on the condition that nothing is built before delisting. Land supply is denied because
/// supplying land is the step before construction, and a remediation project (if the request says so) is
/// the one exception the law makes.
fn rcr_targets_unmet_no_unrelated_project(c: &Ctx<'_>) -> Option<Finding> {
    if c.is_remediation() {
        return None;
    }
    let decision = match c.req.kind {
        CheckKind::EiaSite | CheckKind::LandSupply => Decision::Denied,
        CheckKind::Rezoning if c.proposed_housing_public().is_some() => return None,
        CheckKind::Rezoning => Decision::Conditional,
    };
    let hits = nonempty(c.parcels_where(|p| p.state.is_rcr_listed()))?;
    let head_zh = format!("地块 {} 在建设用地土壤污染风险管控和修复名录内，尚未达到风险管控、修复目标", zh_ids(&hits));
    let head_en = format!(
        "{} on the risk-control and remediation list and {} not yet met {} risk-control or remediation targets",
        en_subject(&hits, "Parcel", "Parcels"),
        has_have(hits.len()),
        plural(hits.len(), "its", "their")
    );
    let (zh, en) = match c.req.kind {
        CheckKind::EiaSite => (
            format!(
                "{head_zh}，禁止开工建设任何与风险管控、修复无关的项目；拟建{}不属于风险管控、修复项目，不得在此开工建设。",
                c.project_zh()
            ),
            format!(
                "{head_en}; no project unrelated to risk control or remediation may start there, and the project is {}, so it may not be built.",
                c.project_en()
            ),
        ),
        CheckKind::LandSupply => (
            format!("{head_zh}，禁止开工建设任何与风险管控、修复无关的项目；供地是为开工建设作准备，达到目标并移出名录前不予供地。"),
            format!("{head_en}; no project unrelated to risk control or remediation may start there, and supplying the land prepares construction, so it is refused until the targets are met and the land is delisted."),
        ),
        CheckKind::Rezoning => (
            format!(
                "{head_zh}；用途可规划调整为 {}，但达到目标并移出名录前，不得开工建设任何与风险管控、修复无关的项目。",
                c.proposed_label_zh()
            ),
            format!(
                "{head_en}; the use may be planned as {}, but nothing unrelated to risk control or remediation may be built before the targets are met and the land is delisted.",
                c.proposed_label_en()
            ),
        ),
    };
    Some(Finding { decision, zh, en, features: c.parcel_refs(&hits) })
}

/// Art. 59 ¶2: a change to housing/public use needs a soil survey first, unless the whole area is already
/// on parcels a survey cleared. The features are the overlapping parcels that do not clear the area (there
/// may be none: land the registry has never looked at needs the survey too).
fn survey_before_housing_public_change(c: &Ctx<'_>) -> Option<Finding> {
    if c.req.kind != CheckKind::Rezoning {
        return None;
    }
    let proposed = c.proposed_housing_public()?;
    let current = c.req.current_use.as_ref();
    if current.is_some_and(|u| u.is_housing_or_public(&c.s.land_use)) {
        return None;
    }
    let query = c.facts.query_area_m2;
    // Registry parcels do not overlap each other, so their overlaps add up; the cap guards bad data.
    let covered: f64 = c.parcels_where(survey_cleared).iter().map(|p| p.overlap_m2).sum::<f64>().min(query);
    let uncovered = (query - covered).max(0.0);
    // The uncovered rest is judged like any overlap: a sliver of the query does not call for a survey.
    let tolerance = c.s.sliver_min_m2.max(c.s.sliver_min_ratio * query);
    if uncovered <= tolerance {
        return None;
    }
    let others = c.parcels_where(|p| !survey_cleared(p));
    let current_zh = match current {
        Some(u) => format!("现用途为 {}", use_label(u)),
        None => "未提供现用途，按非“一住两公”用地处理".to_string(),
    };
    let current_en = match current {
        Some(u) => format!("the current use is {}", use_label_en(u)),
        None => "no current use was given, so it is treated as not residential or public service land".to_string(),
    };
    let (others_zh, others_en) = if others.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!("，其中涉及尚未经调查确认无风险的地块 {}", zh_ids_with_state(&others)),
            format!(", and it touches {}, not cleared by any survey", en_ids_with_state(&others)),
        )
    };
    Some(Finding {
        decision: Decision::Conditional,
        zh: format!(
            "拟将用途变更为“一住两公”用地 {}，{current_zh}。查询范围 {query:.1} 平方米中约 {uncovered:.1} 平方米未被经土壤污染状况调查确认无风险的地块覆盖{others_zh}；用途变更前，应当按照规定进行土壤污染状况调查。",
            use_label(proposed)
        ),
        en: format!(
            "The use is to change to residential or public service land, {}; {current_en}. About {uncovered:.1} m² of the {query:.1} m² queried is not covered by parcels that a soil pollution status survey has cleared{others_en}; a soil pollution status survey is required before the change.",
            use_label_en(proposed)
        ),
        features: c.parcel_refs(&others),
    })
}

/// Art. 67: key supervised units survey their land before its use changes or the right is recovered or
/// transferred. A rezoning counts as a change unless both uses are given and equal.
fn key_unit_survey_before_change_or_transfer(c: &Ctx<'_>) -> Option<Finding> {
    let (what_zh, what_en) = match c.req.kind {
        CheckKind::Rezoning => {
            if let (Some(p), Some(cur)) = (&c.req.proposed_use, &c.req.current_use) {
                if p == cur {
                    return None;
                }
            }
            ("用途变更", "the change of use")
        }
        CheckKind::LandSupply => ("土地使用权收回、转让（供地）", "the recovery and transfer of the land use right"),
        CheckKind::EiaSite => return None,
    };
    let hits = nonempty(c.parcels_where(|p| p.key_unit_land))?;
    Some(Finding {
        decision: Decision::Conditional,
        zh: format!(
            "地块 {} 为土壤污染重点监管单位生产经营用地；{what_zh}前，应当由土地使用权人按照规定进行土壤污染状况调查，调查报告作为不动产登记资料送交不动产登记机构，并报生态环境主管部门备案。",
            zh_ids(&hits)
        ),
        en: format!(
            "{} land of a key supervised unit for soil pollution; before {what_en}, the land user must carry out a soil pollution status survey, file the report with the real-estate register and report it to the ecology and environment authority.",
            en_subject(&hits, "Parcel", "Parcels")
        ),
        features: c.parcel_refs(&hits),
    })
}

/// GB 36600-2018: second-class screening values are not safe for first-class uses (homes, schools,
/// hospitals, community parks), so land remediated to them must be reassessed before such a use.
fn remediated_for_second_class_only(c: &Ctx<'_>) -> Option<Finding> {
    let proposed = c.req.proposed_use.as_ref().filter(|u| u.is_first_class())?;
    let hits = nonempty(c.parcels_where(|p| p.remediated_for_class == Some(2)))?;
    Some(Finding {
        decision: Decision::Conditional,
        zh: format!(
            "地块 {} 仅按 GB 36600-2018 第二类用地目标完成风险管控或修复，拟用途 {}属于第一类用地；须重新开展土壤污染风险评估，必要时补充修复，达到第一类用地要求后方可使用。",
            zh_ids(&hits),
            use_label(proposed)
        ),
        en: format!(
            "{} remediated to GB 36600-2018 second-class targets only, and the proposed use {} is first-class land; a new soil pollution risk assessment (and further remediation if needed) is required before that use.",
            en_subject(&hits, "Parcel", "Parcels"),
            use_label_en(proposed)
        ),
        features: c.parcel_refs(&hits),
    })
}

/// Guilin 2023 plan §2(4): no transfer or allocation of land whose survey → assessment → control or
/// remediation → effect-evaluation chain is not complete.
fn incomplete_risk_management_no_land_supply(c: &Ctx<'_>) -> Option<Finding> {
    if c.req.kind != CheckKind::LandSupply {
        return None;
    }
    let hits = nonempty(c.parcels_where(|p| !p.state.risk_management_complete()))?;
    let (supply_zh, supply_en) = match c.req.supply {
        Some(SupplyKind::Transfer) => ("出让", "transfer"),
        Some(SupplyKind::Allocation) => ("划拨", "allocation"),
        None => ("出让、划拨", "transfer or allocation"),
    };
    Some(Finding {
        decision: Decision::Denied,
        zh: format!(
            "地块 {}尚未完成土壤污染状况调查、风险评估、风险管控或修复、效果评估等环节，未落实土壤污染风险管控和修复相关措施，不予办理{supply_zh}手续。",
            zh_ids_with_state(&hits)
        ),
        en: format!(
            "The chain of survey, risk assessment, risk control or remediation and effect evaluation is not complete for {}; the land may not be supplied by {supply_en} until it is.",
            en_ids_with_state(&hits)
        ),
        features: c.parcel_refs(&hits),
    })
}

/// Both plans and the EIA regulation (Art. 11: a project whose siting breaks the law is not approved):
/// the EIA of a project sited on listed land is refused, remediation projects aside.
fn eia_site_on_rcr_parcel(c: &Ctx<'_>) -> Option<Finding> {
    if c.req.kind != CheckKind::EiaSite || c.is_remediation() {
        return None;
    }
    let hits = nonempty(c.parcels_where(|p| p.state.is_rcr_listed()))?;
    Some(Finding {
        decision: Decision::Denied,
        zh: format!(
            "{}选址涉及已列入建设用地土壤污染风险管控和修复名录的地块 {}，且不属于风险管控、修复项目，其环境影响评价文件不予批准。",
            c.project_zh(),
            zh_ids(&hits)
        ),
        en: format!(
            "The site of {} touches {} on the risk-control and remediation list, and the project is not risk control or remediation, so its environmental impact assessment is not to be approved.",
            c.project_en(),
            en_ids(&hits, "parcel", "parcels")
        ),
        features: c.parcel_refs(&hits),
    })
}

/// Art. 50 and Liuzhou 2025 task 5: priority-protection farmland is to become permanent basic farmland,
/// so non-agricultural construction on it is strictly controlled. A rezoning that gives no proposed use
/// is treated as non-agricultural: a rezoning of farmland is asked about because it leaves farming.
fn priority_protection_farmland_occupation(c: &Ctx<'_>) -> Option<Finding> {
    let construction = match c.req.kind {
        CheckKind::EiaSite => !c.is_remediation(),
        CheckKind::Rezoning => c.req.proposed_use.as_ref().is_none_or(|u| !u.is_agricultural()),
        CheckKind::LandSupply => true,
    };
    if !construction {
        return None;
    }
    let hits = nonempty(c.priority_farmland())?;
    let area: f64 = hits.iter().map(|f| f.overlap_m2).sum();
    Some(Finding {
        decision: Decision::Conditional,
        zh: format!(
            "拟建设范围占用优先保护类耕地（单元 {}，共 {:.1} 平方米，约 {:.2} 亩）；应严格控制非农业建设占用，确需占用的，须依法按占用永久基本农田办理审批。",
            zh_ids(&hits),
            area,
            area / super::geometry::M2_PER_MU
        ),
        en: format!(
            "The area takes {:.1} m² (about {:.2} mu) of priority-protection farmland ({}); non-agricultural construction there is strictly controlled and, if unavoidable, needs approval as an occupation of permanent basic farmland.",
            area,
            area / super::geometry::M2_PER_MU,
            en_ids(&hits, "unit", "units")
        ),
        features: c.farmland_refs(&hits, false),
    })
}

/// Art. 50 ¶2: no new potentially soil-polluting project in a concentrated area of permanent basic
/// farmland; heavy-metal projects are such projects.
fn no_polluting_project_in_basic_farmland_area(c: &Ctx<'_>) -> Option<Finding> {
    if c.req.kind != CheckKind::EiaSite
        || !matches!(c.req.project_kind, Some(ProjectKind::SoilPolluting | ProjectKind::HeavyMetal))
    {
        return None;
    }
    let hits = nonempty(c.priority_farmland())?;
    Some(Finding {
        decision: Decision::Denied,
        zh: format!(
            "{}选址占用优先保护类耕地（单元 {}）；优先保护类耕地应划为永久基本农田，在永久基本农田集中区域不得新建可能造成土壤污染的建设项目，环境影响评价文件不予批准。",
            c.project_zh(),
            zh_ids(&hits)
        ),
        en: format!(
            "The site of {} takes priority-protection farmland ({}), which is to be designated permanent basic farmland, where no new potentially soil-polluting project may be built; the environmental impact assessment is not to be approved.",
            c.project_en(),
            en_ids(&hits, "unit", "units")
        ),
        features: c.farmland_refs(&hits, false),
    })
}

/// Liuzhou 2025 task 3: a new heavy-metal project must analyse its cumulative effect on the farmland
/// around it and replace its emissions 1:1. Any class of farmland counts: all of it grows food. A sliver
/// overlap is still "near" (distance 0), so it is listed here even though it is no occupation.
fn heavy_metal_project_near_farmland(c: &Ctx<'_>) -> Option<Finding> {
    if c.req.kind != CheckKind::EiaSite || c.req.project_kind != Some(ProjectKind::HeavyMetal) {
        return None;
    }
    let buffer = c.s.heavy_metal_buffer_m;
    let mut hits: Vec<&FarmlandFact> = c
        .facts
        .farmland
        .iter()
        .filter(|f| c.overlaps(f.overlap_m2, f.area_m2) || f.distance_m <= buffer)
        .collect();
    hits.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m).then_with(|| a.unit_code.cmp(&b.unit_code)));
    let hits = nonempty(hits)?;
    let zh_units = hits
        .iter()
        .map(|f| format!("{}（{}，{}）", f.unit_code, f.class.name_zh(), zh_where(f)))
        .collect::<Vec<_>>()
        .join("、");
    let en_units = hits
        .iter()
        .map(|f| format!("{} ({}, {})", f.unit_code, f.class.as_str(), en_where(f)))
        .collect::<Vec<_>>()
        .join(", ");
    Some(Finding {
        decision: Decision::Conditional,
        zh: format!(
            "涉重金属项目选址周边 {buffer} 米范围内有耕地：{zh_units}。环境影响评价文件中应加强重金属排放对周边耕地土壤的累积性风险分析，存在风险的应采取防控措施；重点重金属污染物排放总量按 1:1 “等量替代”。"
        ),
        en: format!(
            "Farmland lies within {buffer} m of the heavy-metal project: {en_units}. The environmental impact assessment must analyse the cumulative heavy-metal risk to this farmland and take control measures where there is risk; emissions of key heavy metals must be offset 1:1."
        ),
        features: c.farmland_refs(&hits, true),
    })
}

// ---------------------------------------------------------------------------------------------------
// What the rules share.

struct Finding {
    decision: Decision,
    zh: String,
    en: String,
    features: Vec<FeatureRef>,
}

struct Ctx<'a> {
    req: &'a CheckRequest,
    facts: &'a SpatialFacts,
    s: &'a RuleSettings,
}

impl<'a> Ctx<'a> {
    /// A real overlap: positive (or unknowable) and no sliver. The positive test matters when the sliver
    /// settings are 0: farmland within the buffer comes with overlap 0 and is no occupation.
    fn overlaps(&self, overlap_m2: f64, feature_area_m2: f64) -> bool {
        (overlap_m2 > 0.0 || overlap_m2.is_nan()) && !is_sliver(overlap_m2, self.facts.query_area_m2, feature_area_m2, self.s)
    }

    /// Overlapping parcels that satisfy `pred`, largest overlap first so messages lead with what matters.
    fn parcels_where(&self, pred: impl Fn(&ParcelFact) -> bool) -> Vec<&'a ParcelFact> {
        let mut v: Vec<&ParcelFact> =
            self.facts.parcels.iter().filter(|p| self.overlaps(p.overlap_m2, p.area_m2) && pred(p)).collect();
        v.sort_by(|a, b| b.overlap_m2.total_cmp(&a.overlap_m2).then_with(|| a.parcel_code.cmp(&b.parcel_code)));
        v
    }

    fn priority_farmland(&self) -> Vec<&'a FarmlandFact> {
        let mut v: Vec<&FarmlandFact> = self
            .facts
            .farmland
            .iter()
            .filter(|f| f.class == FarmlandClass::PriorityProtection && self.overlaps(f.overlap_m2, f.area_m2))
            .collect();
        v.sort_by(|a, b| b.overlap_m2.total_cmp(&a.overlap_m2).then_with(|| a.unit_code.cmp(&b.unit_code)));
        v
    }

    /// The proposed use, if it is 一住两公 under the configured code policy.
    fn proposed_housing_public(&self) -> Option<&'a LandUse> {
        self.req.proposed_use.as_ref().filter(|u| u.is_housing_or_public(&self.s.land_use))
    }

    /// Only a project declared as remediation is one; an undeclared kind gets no exemption.
    fn is_remediation(&self) -> bool {
        self.req.project_kind == Some(ProjectKind::Remediation)
    }

    fn project_zh(&self) -> &'static str {
        self.req.project_kind.map_or("建设项目", ProjectKind::name_zh)
    }

    fn project_en(&self) -> &'static str {
        self.req.project_kind.map_or("a construction project", ProjectKind::name_en)
    }

    fn proposed_label_zh(&self) -> String {
        self.req.proposed_use.as_ref().map_or_else(|| "其他用途（未提供拟用途）".to_string(), use_label)
    }

    fn proposed_label_en(&self) -> String {
        self.req.proposed_use.as_ref().map_or_else(|| "another use (none was given)".to_string(), use_label_en)
    }

    fn ratio(&self, overlap_m2: f64) -> f64 {
        let q = self.facts.query_area_m2;
        if q > 0.0 {
            round_to(overlap_m2 / q, 4)
        } else {
            0.0
        }
    }

    fn parcel_refs(&self, ps: &[&ParcelFact]) -> Vec<FeatureRef> {
        ps.iter()
            .map(|p| FeatureRef {
                collection: "construction_parcels",
                id: p.parcel_code.clone(),
                overlap_m2: round_to(p.overlap_m2, 1),
                overlap_ratio: self.ratio(p.overlap_m2),
                distance_m: None,
            })
            .collect()
    }

    fn farmland_refs(&self, fs: &[&FarmlandFact], with_distance: bool) -> Vec<FeatureRef> {
        fs.iter()
            .map(|f| FeatureRef {
                collection: "farmland_units",
                id: f.unit_code.clone(),
                overlap_m2: round_to(f.overlap_m2, 1),
                overlap_ratio: self.ratio(f.overlap_m2),
                distance_m: with_distance.then(|| round_to(f.distance_m, 1)),
            })
            .collect()
    }
}

/// Cleared by a survey for any use: found clean, or delisted after remediation to first-class targets
/// (or with no class recorded, since the list is left only when the targets of the planned use are met).
fn survey_cleared(p: &ParcelFact) -> bool {
    match p.state {
        ParcelState::Cleared => true,
        ParcelState::Delisted | ParcelState::PostManagement => p.remediated_for_class != Some(2),
        _ => false,
    }
}

fn nonempty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// Messages show the same figure as the feature list beside them.
fn one_decimal(x: f64) -> String {
    format!("{:.1}", round_to(x, 1))
}

fn use_label(u: &LandUse) -> String {
    format!("{}（{}）", u.code, u.name)
}

/// Catalogue names exist only in Chinese; English text keeps them, in ASCII brackets.
fn use_label_en(u: &LandUse) -> String {
    format!("{} ({})", u.code, u.name)
}

trait Coded {
    fn code(&self) -> &str;
}

impl Coded for ParcelFact {
    fn code(&self) -> &str {
        &self.parcel_code
    }
}

impl Coded for FarmlandFact {
    fn code(&self) -> &str {
        &self.unit_code
    }
}

fn zh_ids<T: Coded>(xs: &[&T]) -> String {
    xs.iter().map(|x| x.code()).collect::<Vec<_>>().join("、")
}

fn en_ids<T: Coded>(xs: &[&T], one: &str, many: &str) -> String {
    let ids = xs.iter().map(|x| x.code()).collect::<Vec<_>>().join(", ");
    format!("{} {ids}", plural(xs.len(), one, many))
}

/// "Parcel LZ-0001 is" / "Parcels LZ-0001, LZ-0002 are".
fn en_subject<T: Coded>(xs: &[&T], one: &str, many: &str) -> String {
    format!("{} {}", en_ids(xs, one, many), is_are(xs.len()))
}

fn zh_ids_with_state(ps: &[&ParcelFact]) -> String {
    ps.iter()
        .map(|p| {
            let second = if p.remediated_for_class == Some(2) { "，按第二类用地目标修复" } else { "" };
            format!("{}（{}{second}）", p.parcel_code, p.state.name_zh())
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn en_ids_with_state(ps: &[&ParcelFact]) -> String {
    let ids = ps
        .iter()
        .map(|p| {
            let second = if p.remediated_for_class == Some(2) { ", remediated to second-class targets" } else { "" };
            format!("{} ({}{second})", p.parcel_code, p.state.as_str())
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("{} {ids}", plural(ps.len(), "parcel", "parcels"))
}

fn zh_where(f: &FarmlandFact) -> String {
    if f.overlap_m2 > 0.0 {
        format!("相交 {} 平方米", one_decimal(f.overlap_m2))
    } else {
        format!("距离 {} 米", one_decimal(f.distance_m))
    }
}

fn en_where(f: &FarmlandFact) -> String {
    if f.overlap_m2 > 0.0 {
        format!("overlapping {} m²", one_decimal(f.overlap_m2))
    } else {
        format!("{} m away", one_decimal(f.distance_m))
    }
}

fn plural<'s>(n: usize, one: &'s str, many: &'s str) -> &'s str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn is_are(n: usize) -> &'static str {
    plural(n, "is", "are")
}

fn has_have(n: usize) -> &'static str {
    plural(n, "has", "have")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::landuse::CodeSystem;
    use FarmlandClass::*;
    use ParcelState::*;
    use ProjectKind::*;

    const QUERY: f64 = 10_000.0;

    fn lu(code: &str) -> LandUse {
        LandUse::parse(CodeSystem::Ydyh2023, code).unwrap()
    }

    fn rz(proposed: &str, current: Option<&str>) -> CheckRequest {
        CheckRequest {
            kind: CheckKind::Rezoning,
            proposed_use: Some(lu(proposed)),
            current_use: current.map(lu),
            project_kind: None,
            supply: None,
        }
    }

    fn eia(project: ProjectKind) -> CheckRequest {
        CheckRequest { kind: CheckKind::EiaSite, proposed_use: None, current_use: None, project_kind: Some(project), supply: None }
    }

    fn supply() -> CheckRequest {
        CheckRequest {
            kind: CheckKind::LandSupply,
            proposed_use: None,
            current_use: None,
            project_kind: None,
            supply: Some(SupplyKind::Transfer),
        }
    }

    fn with_proposed(mut r: CheckRequest, code: &str) -> CheckRequest {
        r.proposed_use = Some(lu(code));
        r
    }

    /// A 10 000 m² parcel lying wholly inside the 10 000 m² query.
    fn p(code: &str, state: ParcelState) -> ParcelFact {
        ParcelFact {
            parcel_code: code.into(),
            state,
            key_unit_land: false,
            priority_supervision: false,
            remediated_for_class: None,
            area_m2: 10_000.0,
            overlap_m2: 10_000.0,
        }
    }

    fn overlap(mut p: ParcelFact, m2: f64) -> ParcelFact {
        p.overlap_m2 = m2;
        p
    }

    fn key(mut p: ParcelFact) -> ParcelFact {
        p.key_unit_land = true;
        p
    }

    fn rem(mut p: ParcelFact, class: i16) -> ParcelFact {
        p.remediated_for_class = Some(class);
        p
    }

    fn farm(code: &str, class: FarmlandClass, overlap_m2: f64, distance_m: f64) -> FarmlandFact {
        FarmlandFact { unit_code: code.into(), class, area_m2: 20_000.0, overlap_m2, distance_m }
    }

    struct Case {
        name: &'static str,
        req: CheckRequest,
        parcels: Vec<ParcelFact>,
        farmland: Vec<FarmlandFact>,
        /// The rule's decision and the feature ids it must list, or None when it must not fire.
        expect: Option<(Decision, &'static [&'static str])>,
    }

    fn case(
        name: &'static str,
        req: CheckRequest,
        parcels: Vec<ParcelFact>,
        farmland: Vec<FarmlandFact>,
        expect: Option<(Decision, &'static [&'static str])>,
    ) -> Case {
        Case { name, req, parcels, farmland, expect }
    }

    fn run(c: &Case, s: &RuleSettings) -> Outcome {
        let facts = SpatialFacts { query_area_m2: QUERY, parcels: c.parcels.clone(), farmland: c.farmland.clone() };
        evaluate(&c.req, &facts, s)
    }

    /// Runs a table for one rule and checks the invariants every reason must keep.
    fn check_rule(rule: &str, cases: &[Case]) -> usize {
        let basis = RULES.iter().find(|r| r.id == rule).map(|r| r.basis).unwrap();
        for c in cases {
            let out = run(c, &RuleSettings::default());
            let got = out.reason(rule);
            match (&c.expect, got) {
                (None, None) => {}
                (None, Some(r)) => panic!("{rule} / {}: fired unexpectedly: {r:?}", c.name),
                (Some(_), None) => panic!("{rule} / {}: did not fire; outcome {out:?}", c.name),
                (Some((decision, ids)), Some(r)) => {
                    assert_eq!(r.decision, *decision, "{rule} / {}", c.name);
                    assert_eq!(r.basis, basis, "{rule} / {}", c.name);
                    let mut got_ids: Vec<&str> = r.features.iter().map(|f| f.id.as_str()).collect();
                    got_ids.sort();
                    let mut want: Vec<&str> = ids.to_vec();
                    want.sort();
                    assert_eq!(got_ids, want, "{rule} / {}: features", c.name);
                    for id in *ids {
                        assert!(r.message_zh.contains(id), "{rule} / {}: zh message names {id}: {}", c.name, r.message_zh);
                        assert!(r.message_en.contains(id), "{rule} / {}: en message names {id}: {}", c.name, r.message_en);
                    }
                    assert!(r.message_zh.ends_with('。'), "{rule} / {}: {}", c.name, r.message_zh);
                    assert!(r.message_en.ends_with('.'), "{rule} / {}: {}", c.name, r.message_en);
                    assert!(out.decision >= r.decision, "{rule} / {}: outcome at least as strong", c.name);
                }
            }
        }
        cases.len()
    }

    const DENIED: Decision = Decision::Denied;
    const COND: Decision = Decision::Conditional;

    #[test]
    fn rule_rcr_listed_no_housing_public() {
        let n = check_rule(
            "rcr_listed_no_housing_public",
            &[
                case("housing on listed", rz("070101", Some("1001")), vec![p("LZ-0001", Listed)], vec![], Some((DENIED, &["LZ-0001"]))),
                case("school on under_control", rz("080403", Some("1001")), vec![p("A", UnderControl)], vec![], Some((DENIED, &["A"]))),
                case("office on under_remediation", rz("0801", None), vec![p("A", UnderRemediation)], vec![], Some((DENIED, &["A"]))),
                case("hospital on effect_evaluation", rz("0806", None), vec![p("A", EffectEvaluation)], vec![], Some((DENIED, &["A"]))),
                case(
                    "only listed parcels are named",
                    rz("070101", None),
                    vec![p("A", Listed), overlap(p("B", Cleared), 3000.0), overlap(p("C", UnderControl), 2000.0)],
                    vec![],
                    Some((DENIED, &["A", "C"])),
                ),
                case("eia with a housing use", with_proposed(eia(Other), "0702"), vec![p("A", Listed)], vec![], Some((DENIED, &["A"]))),
                case("supply for a school", with_proposed(supply(), "080404"), vec![p("A", Listed)], vec![], Some((DENIED, &["A"]))),
                case("industrial use", rz("1001", Some("1001")), vec![p("A", Listed)], vec![], None),
                case("commercial use", rz("0901", None), vec![p("A", Listed)], vec![], None),
                case("delisted parcel", rz("070101", None), vec![p("A", Delisted)], vec![], None),
                case("suspected parcel", rz("070101", None), vec![p("A", Suspected)], vec![], None),
                case("risk assessment parcel", rz("070101", None), vec![p("A", RiskAssessment)], vec![], None),
                case("sliver overlap", rz("070101", None), vec![overlap(p("A", Listed), 0.5)], vec![], None),
                case("no proposed use", supply(), vec![p("A", Listed)], vec![], None),
                case("no parcels", rz("070101", None), vec![], vec![], None),
            ],
        );
        assert_eq!(n, 15);
    }

    #[test]
    fn rule_rcr_targets_unmet_no_unrelated_project() {
        check_rule(
            "rcr_targets_unmet_no_unrelated_project",
            &[
                case("eia other on listed", eia(Other), vec![p("A", Listed)], vec![], Some((DENIED, &["A"]))),
                case("eia heavy metal on under_remediation", eia(HeavyMetal), vec![p("A", UnderRemediation)], vec![], Some((DENIED, &["A"]))),
                case(
                    "eia without a project kind",
                    CheckRequest { project_kind: None, ..eia(Other) },
                    vec![p("A", EffectEvaluation)],
                    vec![],
                    Some((DENIED, &["A"])),
                ),
                case("supply of listed land", supply(), vec![p("A", Listed)], vec![], Some((DENIED, &["A"]))),
                case("rezoning to industry", rz("1001", Some("0901")), vec![p("A", UnderControl)], vec![], Some((COND, &["A"]))),
                case(
                    "rezoning with no proposed use",
                    CheckRequest { proposed_use: None, ..rz("1001", None) },
                    vec![p("A", Listed)],
                    vec![],
                    Some((COND, &["A"])),
                ),
                case("rezoning to housing: Art. 61 speaks instead", rz("070101", None), vec![p("A", Listed)], vec![], None),
                case("remediation project", eia(Remediation), vec![p("A", Listed)], vec![], None),
                case(
                    "supply for remediation",
                    CheckRequest { project_kind: Some(Remediation), ..supply() },
                    vec![p("A", Listed)],
                    vec![],
                    None,
                ),
                case("delisted parcel", eia(Other), vec![p("A", Delisted)], vec![], None),
                case("cleared parcel", eia(Other), vec![p("A", Cleared)], vec![], None),
                case("sliver", eia(Other), vec![overlap(p("A", Listed), 5.0)], vec![], None),
            ],
        );
    }

    #[test]
    fn rule_survey_before_housing_public_change() {
        let r = "survey_before_housing_public_change";
        check_rule(
            r,
            &[
                case("industry to housing, unknown land", rz("070101", Some("1001")), vec![], vec![], Some((COND, &[]))),
                case("unknown current use", rz("070101", None), vec![], vec![], Some((COND, &[]))),
                case("to a school", rz("080403", Some("0901")), vec![], vec![], Some((COND, &[]))),
                case(
                    "suspected parcel named",
                    rz("070101", Some("1001")),
                    vec![overlap(p("A", Cleared), 6000.0), overlap(p("S", Suspected), 4000.0)],
                    vec![],
                    Some((COND, &["S"])),
                ),
                case("partly cleared", rz("070101", Some("1001")), vec![overlap(p("A", Cleared), 6000.0)], vec![], Some((COND, &[]))),
                case(
                    "remediated for second class only",
                    rz("070101", Some("1001")),
                    vec![rem(p("D", Delisted), 2)],
                    vec![],
                    Some((COND, &["D"])),
                ),
                case("listed parcel", rz("0801", Some("1001")), vec![p("L", Listed)], vec![], Some((COND, &["L"]))),
                case(
                    "uncovered rest of 20 m² is above the 10 m² tolerance",
                    rz("070101", Some("1001")),
                    vec![overlap(p("A", Cleared), 9980.0)],
                    vec![],
                    Some((COND, &[])),
                ),
                case("cleared covers all", rz("070101", Some("1001")), vec![p("A", Cleared)], vec![], None),
                case(
                    "two cleared parcels leave a 5 m² gap",
                    rz("070101", Some("1001")),
                    vec![overlap(p("A", Cleared), 5000.0), overlap(p("B", PostManagement), 4995.0)],
                    vec![],
                    None,
                ),
                case("delisted for first class", rz("070101", Some("1001")), vec![rem(p("D", Delisted), 1)], vec![], None),
                case("post management, class unrecorded", rz("070101", Some("1001")), vec![p("D", PostManagement)], vec![], None),
                case("already housing", rz("070102", Some("0701")), vec![], vec![], None),
                case("public to housing stays within 一住两公", rz("070101", Some("0801")), vec![], vec![], None),
                case("to industry", rz("1001", Some("0901")), vec![], vec![], None),
                case("land supply", with_proposed(supply(), "070101"), vec![], vec![], None),
                case("eia", with_proposed(eia(Other), "070101"), vec![], vec![], None),
            ],
        );
        // The message says what was assumed when the current use is unknown.
        let out = run(&case("", rz("070101", None), vec![], vec![], None), &RuleSettings::default());
        let reason = out.reason(r).unwrap();
        assert!(reason.message_zh.contains("未提供现用途"), "{}", reason.message_zh);
        assert!(reason.message_en.contains("no current use was given"), "{}", reason.message_en);
        assert!(reason.message_zh.contains("10000.0 平方米"), "{}", reason.message_zh);
    }

    #[test]
    fn rule_key_unit_survey_before_change_or_transfer() {
        check_rule(
            "key_unit_survey_before_change_or_transfer",
            &[
                case("industry to commerce", rz("0901", Some("1001")), vec![key(p("K", Cleared))], vec![], Some((COND, &["K"]))),
                case("current use unknown", rz("0901", None), vec![key(p("K", Suspected))], vec![], Some((COND, &["K"]))),
                case("land supply", supply(), vec![key(p("K", PostManagement))], vec![], Some((COND, &["K"]))),
                case(
                    "only key-unit land is named",
                    supply(),
                    vec![key(overlap(p("K", Cleared), 4000.0)), overlap(p("N", Cleared), 6000.0)],
                    vec![],
                    Some((COND, &["K"])),
                ),
                case("no change of use", rz("1001", Some("1001")), vec![key(p("K", Cleared))], vec![], None),
                case("eia", eia(Other), vec![key(p("K", Cleared))], vec![], None),
                case("not key-unit land", rz("0901", Some("1001")), vec![p("N", Cleared)], vec![], None),
                case("sliver", supply(), vec![key(overlap(p("K", Cleared), 0.5))], vec![], None),
            ],
        );
    }

    #[test]
    fn rule_remediated_for_second_class_only() {
        check_rule(
            "remediated_for_second_class_only",
            &[
                case("housing", rz("070101", Some("1001")), vec![rem(p("D", Delisted), 2)], vec![], Some((COND, &["D"]))),
                case("primary school", rz("080403", None), vec![rem(p("D", PostManagement), 2)], vec![], Some((COND, &["D"]))),
                case("community park (first class, not 一住两公)", rz("1401", None), vec![rem(p("D", Delisted), 2)], vec![], Some((COND, &["D"]))),
                case("supply for a hospital", with_proposed(supply(), "0806"), vec![rem(p("D", Delisted), 2)], vec![], Some((COND, &["D"]))),
                case("government offices are second class", rz("0801", None), vec![rem(p("D", Delisted), 2)], vec![], None),
                case("industry", rz("1001", None), vec![rem(p("D", Delisted), 2)], vec![], None),
                case("remediated for first class", rz("070101", None), vec![rem(p("D", Delisted), 1)], vec![], None),
                case("no class recorded", rz("070101", None), vec![p("D", Delisted)], vec![], None),
                case("no proposed use", supply(), vec![rem(p("D", Delisted), 2)], vec![], None),
            ],
        );
    }

    #[test]
    fn rule_incomplete_risk_management_no_land_supply() {
        let r = "incomplete_risk_management_no_land_supply";
        let mut cases = Vec::new();
        for state in ParcelState::ALL {
            let expect: Option<(Decision, &'static [&'static str])> =
                if state.risk_management_complete() { None } else { Some((DENIED, &["P"])) };
            cases.push(case("each state", supply(), vec![p("P", state)], vec![], expect));
        }
        cases.push(case("rezoning is not supply", rz("0901", None), vec![p("P", Suspected)], vec![], None));
        cases.push(case("eia is not supply", eia(Other), vec![p("P", Suspected)], vec![], None));
        cases.push(case("sliver", supply(), vec![overlap(p("P", Suspected), 9.0)], vec![], None));
        cases.push(case("no parcels: not registry land", supply(), vec![], vec![], None));
        assert_eq!(check_rule(r, &cases), 14);

        let alloc = CheckRequest { supply: Some(SupplyKind::Allocation), ..supply() };
        let out = run(&case("", alloc, vec![p("P", Surveying)], vec![], None), &RuleSettings::default());
        let reason = out.reason(r).unwrap();
        assert!(reason.message_zh.contains("不予办理划拨手续"), "{}", reason.message_zh);
        assert!(reason.message_zh.contains("P（土壤污染状况调查中）"), "{}", reason.message_zh);
        assert!(reason.message_en.contains("by allocation"), "{}", reason.message_en);
    }

    #[test]
    fn rule_eia_site_on_rcr_parcel() {
        check_rule(
            "eia_site_on_rcr_parcel",
            &[
                case("other project on listed", eia(Other), vec![p("A", Listed)], vec![], Some((DENIED, &["A"]))),
                case("polluting project on effect_evaluation", eia(SoilPolluting), vec![p("A", EffectEvaluation)], vec![], Some((DENIED, &["A"]))),
                case("heavy metal on under_control", eia(HeavyMetal), vec![p("A", UnderControl)], vec![], Some((DENIED, &["A"]))),
                case("remediation project", eia(Remediation), vec![p("A", Listed)], vec![], None),
                case("delisted", eia(Other), vec![p("A", Delisted)], vec![], None),
                case("suspected", eia(Other), vec![p("A", Suspected)], vec![], None),
                case("rezoning", rz("1001", None), vec![p("A", Listed)], vec![], None),
                case("supply", supply(), vec![p("A", Listed)], vec![], None),
            ],
        );
    }

    #[test]
    fn rule_priority_protection_farmland_occupation() {
        check_rule(
            "priority_protection_farmland_occupation",
            &[
                case("eia", eia(Other), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], Some((COND, &["F1"]))),
                case("eia heavy metal", eia(HeavyMetal), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], Some((COND, &["F1"]))),
                case("rezoning to industry", rz("1001", Some("0101")), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], Some((COND, &["F1"]))),
                case("land supply", supply(), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], Some((COND, &["F1"]))),
                case(
                    "only priority units overlapping",
                    supply(),
                    vec![],
                    vec![
                        farm("F1", PriorityProtection, 3000.0, 0.0),
                        farm("F2", SafeUse, 3000.0, 0.0),
                        farm("F3", PriorityProtection, 0.0, 300.0),
                    ],
                    Some((COND, &["F1"])),
                ),
                case("remediation project", eia(Remediation), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], None),
                case("rezoning to dry land", rz("0103", Some("0101")), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], None),
                case("rezoning to orchard", rz("0201", Some("0101")), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], None),
                case("safe-use farmland", eia(Other), vec![], vec![farm("F1", SafeUse, 3000.0, 0.0)], None),
                case("strict-control farmland", eia(Other), vec![], vec![farm("F1", StrictControl, 3000.0, 0.0)], None),
                case("only near", eia(Other), vec![], vec![farm("F1", PriorityProtection, 0.0, 200.0)], None),
                case("sliver", eia(Other), vec![], vec![farm("F1", PriorityProtection, 0.5, 0.0)], None),
            ],
        );
    }

    #[test]
    fn rule_no_polluting_project_in_basic_farmland_area() {
        check_rule(
            "no_polluting_project_in_basic_farmland_area",
            &[
                case("soil polluting", eia(SoilPolluting), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], Some((DENIED, &["F1"]))),
                case("heavy metal", eia(HeavyMetal), vec![], vec![farm("F1", PriorityProtection, 50.0, 0.0)], Some((DENIED, &["F1"]))),
                case("other project", eia(Other), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], None),
                case("remediation", eia(Remediation), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], None),
                case("strict-control farmland", eia(SoilPolluting), vec![], vec![farm("F1", StrictControl, 3000.0, 0.0)], None),
                case("near, not on", eia(SoilPolluting), vec![], vec![farm("F1", PriorityProtection, 0.0, 100.0)], None),
                case("rezoning", rz("1001", None), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], None),
                case("supply", supply(), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], None),
            ],
        );
    }

    #[test]
    fn rule_heavy_metal_project_near_farmland() {
        let r = "heavy_metal_project_near_farmland";
        check_rule(
            r,
            &[
                case("safe-use unit at 800 m", eia(HeavyMetal), vec![], vec![farm("F1", SafeUse, 0.0, 800.0)], Some((COND, &["F1"]))),
                case("exactly at the buffer", eia(HeavyMetal), vec![], vec![farm("F1", PriorityProtection, 0.0, 1000.0)], Some((COND, &["F1"]))),
                case("overlapping strict control", eia(HeavyMetal), vec![], vec![farm("F1", StrictControl, 500.0, 0.0)], Some((COND, &["F1"]))),
                case(
                    "units beyond the buffer are left out",
                    eia(HeavyMetal),
                    vec![],
                    vec![farm("F1", SafeUse, 0.0, 999.0), farm("F2", SafeUse, 0.0, 1000.1), farm("F3", PriorityProtection, 10.0, 0.0)],
                    Some((COND, &["F1", "F3"])),
                ),
                case("beyond the buffer", eia(HeavyMetal), vec![], vec![farm("F1", SafeUse, 0.0, 1200.0)], None),
                case("soil-polluting, not heavy metal", eia(SoilPolluting), vec![], vec![farm("F1", SafeUse, 0.0, 500.0)], None),
                case("other project", eia(Other), vec![], vec![farm("F1", SafeUse, 0.0, 500.0)], None),
                case("no farmland", eia(HeavyMetal), vec![], vec![], None),
                case(
                    "rezoning",
                    CheckRequest { project_kind: Some(HeavyMetal), ..rz("1001", None) },
                    vec![],
                    vec![farm("F1", SafeUse, 0.0, 500.0)],
                    None,
                ),
            ],
        );
        // The units come nearest first, each with its distance.
        let c = case(
            "",
            eia(HeavyMetal),
            vec![],
            vec![farm("FAR", SafeUse, 0.0, 750.25), farm("ON", StrictControl, 120.0, 0.0)],
            None,
        );
        let out = run(&c, &RuleSettings::default());
        let reason = out.reason(r).unwrap();
        assert_eq!(reason.features[0].id, "ON");
        assert_eq!(reason.features[0].distance_m, Some(0.0));
        assert_eq!(reason.features[1].distance_m, Some(750.3));
        assert!(reason.message_zh.contains("1000 米"), "{}", reason.message_zh);
        assert!(reason.message_zh.contains("FAR（安全利用类，距离 750.3 米）"), "{}", reason.message_zh);
        assert!(reason.message_en.contains("FAR (safe_use, 750.3 m away)"), "{}", reason.message_en);
        // A smaller buffer setting shrinks the neighbourhood.
        let s = RuleSettings { heavy_metal_buffer_m: 500.0, ..RuleSettings::default() };
        let out = run(&c, &s);
        let ids: Vec<&str> = out.reason(r).unwrap().features.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["ON"]);
    }

    #[test]
    fn precedence_denied_beats_conditional_beats_allowed() {
        let s = RuleSettings::default();
        // Listed (denied under Art. 61) and key-unit land (conditional) at once.
        let both = case("", rz("070101", Some("1001")), vec![key(p("A", Listed))], vec![], None);
        let out = run(&both, &s);
        assert_eq!(out.decision, Decision::Denied);
        let rules: Vec<(&str, Decision)> = out.reasons.iter().map(|r| (r.rule, r.decision)).collect();
        assert_eq!(
            rules,
            [
                ("rcr_listed_no_housing_public", DENIED),
                ("key_unit_survey_before_change_or_transfer", COND),
                ("survey_before_housing_public_change", COND),
            ]
        );
        // Only conditional reasons.
        let cond = case("", rz("0901", Some("1001")), vec![key(p("K", Cleared))], vec![], None);
        assert_eq!(run(&cond, &s).decision, Decision::Conditional);
        // Nothing fires.
        let none = case("", rz("0901", Some("1001")), vec![p("C", Cleared)], vec![], None);
        let out = run(&none, &s);
        assert_eq!(out.decision, Decision::Allowed);
        assert!(out.reasons.is_empty());
        // Several denials of an EIA: sorted by rule id within the same decision.
        let eia_case = case(
            "",
            eia(HeavyMetal),
            vec![p("L", Listed)],
            vec![farm("F", PriorityProtection, 2000.0, 0.0)],
            None,
        );
        let out = run(&eia_case, &s);
        assert_eq!(out.decision, Decision::Denied);
        for w in out.reasons.windows(2) {
            assert!(
                w[0].decision > w[1].decision || (w[0].decision == w[1].decision && w[0].rule < w[1].rule),
                "{} before {}",
                w[0].rule,
                w[1].rule
            );
        }
        let rules: Vec<&str> = out.reasons.iter().map(|r| r.rule).collect();
        assert_eq!(
            rules,
            [
                "eia_site_on_rcr_parcel",
                "no_polluting_project_in_basic_farmland_area",
                "rcr_targets_unmet_no_unrelated_project",
                "heavy_metal_project_near_farmland",
                "priority_protection_farmland_occupation",
            ]
        );
        assert!(Decision::Denied > Decision::Conditional && Decision::Conditional > Decision::Allowed);
    }

    #[test]
    fn slivers_are_ignored_and_thin_overlaps_count() {
        let s = RuleSettings::default();
        // (overlap, query area, feature area, sliver?)
        let table: &[(f64, f64, f64, bool)] = &[
            (0.5, 10_000.0, 10_000.0, true),       // below 1 m²
            (0.99, 100.0, 100.0, true),            // below 1 m² although 1 % of the query
            (5.0, 10_000.0, 10_000.0, true),       // 0.05 % of both
            (9.99, 10_000.0, 1_000_000.0, true),   // 0.0999 % of the smaller (the query)
            (10.0, 10_000.0, 10_000.0, false),     // exactly 0.1 %
            (15.0, 10_000.0, 10_000.0, false),     // 0.15 %
            (2.0, 100.0, 1_000_000.0, false),      // a thin strip of a huge parcel against a small query
            (2.0, 1_000_000.0, 1_500.0, false),    // a small parcel inside a huge query
            (1.0, 1_000_000.0, 500.0, false),      // 0.2 % of the small parcel
            (0.9, 1_000_000.0, 500.0, true),
            (f64::NAN, 10_000.0, 10_000.0, false), // unknowable: never silently ignored
        ];
        for (o, q, f, sliver) in table {
            assert_eq!(is_sliver(*o, *q, *f, &s), *sliver, "overlap {o} of query {q} and feature {f}");
        }
        let housing = |parcel: ParcelFact, query: f64| {
            let facts = SpatialFacts { query_area_m2: query, parcels: vec![parcel], farmland: vec![] };
            evaluate(&rz("070101", Some("0701")), &facts, &s).decision
        };
        assert_eq!(housing(overlap(p("A", Listed), 0.5), QUERY), Decision::Allowed, "0.5 m²");
        assert_eq!(housing(overlap(p("A", Listed), 5.0), QUERY), Decision::Allowed, "0.05 %");
        assert_eq!(housing(overlap(p("A", Listed), 15.0), QUERY), Decision::Denied, "0.15 %");
        let huge = ParcelFact { area_m2: 1_000_000.0, ..overlap(p("A", Listed), 2.0) };
        assert_eq!(housing(huge, 100.0), Decision::Denied, "thin strip of a large parcel");
        // Settings move the line.
        let loose = RuleSettings { sliver_min_m2: 20.0, ..s };
        assert!(is_sliver(15.0, QUERY, QUERY, &loose));
        let strict = RuleSettings { sliver_min_m2: 0.0, sliver_min_ratio: 0.0, ..s };
        assert!(!is_sliver(0.01, QUERY, QUERY, &strict));
    }

    #[test]
    fn zero_sliver_settings_do_not_turn_nearby_farmland_into_occupation() {
        let s = RuleSettings { sliver_min_m2: 0.0, sliver_min_ratio: 0.0, ..RuleSettings::default() };
        let facts = SpatialFacts { query_area_m2: QUERY, parcels: vec![], farmland: vec![farm("F", PriorityProtection, 0.0, 50.0)] };
        assert_eq!(evaluate(&eia(SoilPolluting), &facts, &s).decision, Decision::Allowed);
    }

    #[test]
    fn gbt21010_0809_0810_setting_changes_the_answer() {
        let parks = |public: bool| {
            let s = RuleSettings { land_use: LandUsePolicy { gbt21010_0809_0810_public: public }, ..RuleSettings::default() };
            let req = CheckRequest {
                kind: CheckKind::Rezoning,
                proposed_use: Some(LandUse::parse(CodeSystem::Gbt21010, "0809").unwrap()),
                current_use: Some(LandUse::parse(CodeSystem::Gbt21010, "0601").unwrap()),
                project_kind: None,
                supply: None,
            };
            let facts = SpatialFacts { query_area_m2: QUERY, parcels: vec![p("A", Listed)], farmland: vec![] };
            evaluate(&req, &facts, &s)
        };
        let on = parks(true);
        assert_eq!(on.decision, Decision::Denied);
        assert!(on.reason("rcr_listed_no_housing_public").is_some());
        assert!(on.reason("survey_before_housing_public_change").is_some());
        assert!(on.reason("rcr_targets_unmet_no_unrelated_project").is_none());
        let off = parks(false);
        assert_eq!(off.decision, Decision::Conditional);
        assert!(off.reason("rcr_listed_no_housing_public").is_none());
        assert!(off.reason("survey_before_housing_public_change").is_none());
        assert_eq!(off.reason("rcr_targets_unmet_no_unrelated_project").map(|r| r.decision), Some(COND));
    }

    #[test]
    fn remediation_project_on_a_listed_site_is_not_denied() {
        for state in [Listed, UnderControl, UnderRemediation, EffectEvaluation] {
            let facts = SpatialFacts { query_area_m2: QUERY, parcels: vec![p("A", state)], farmland: vec![] };
            let out = evaluate(&eia(Remediation), &facts, &RuleSettings::default());
            assert_eq!(out.decision, Decision::Allowed, "{state}: {out:?}");
            let other = evaluate(&eia(Other), &facts, &RuleSettings::default());
            assert_eq!(other.decision, Decision::Denied, "{state}");
        }
    }

    #[test]
    fn feature_refs_are_rounded_and_serialise_as_the_contract_says() {
        let facts = SpatialFacts {
            query_area_m2: 2940.1,
            parcels: vec![ParcelFact { area_m2: 5000.0, overlap_m2: 1234.5678, ..p("LZ-0001", Listed) }],
            farmland: vec![],
        };
        let out = evaluate(&rz("070101", Some("1001")), &facts, &RuleSettings::default());
        let json = serde_json::to_value(&out).unwrap();
        assert_eq!(json["decision"], "denied");
        let first = &json["reasons"][0];
        assert_eq!(first["rule"], "rcr_listed_no_housing_public");
        assert_eq!(first["decision"], "denied");
        assert_eq!(first["basis"], "《中华人民共和国土壤污染防治法》第六十一条第二款");
        assert_eq!(
            first["features"][0],
            serde_json::json!({"collection": "construction_parcels", "id": "LZ-0001", "overlap_m2": 1234.6, "overlap_ratio": 0.4199})
        );
        assert_eq!(
            first["message_zh"],
            "地块 LZ-0001 已列入建设用地土壤污染风险管控和修复名录，不得作为住宅、公共管理与公共服务用地；拟用途 070101（一类城镇住宅用地）属于“一住两公”用地，不予准许。"
        );
        assert!(first["message_en"].as_str().unwrap().starts_with("Parcel LZ-0001 is on the risk-control"));
    }

    #[test]
    fn names_parse_and_print() {
        for k in CheckKind::ALL {
            assert_eq!(k.as_str().parse::<CheckKind>().unwrap(), k);
            let snake = serde_json::to_value(k).unwrap();
            assert_eq!(snake.as_str().unwrap().parse::<CheckKind>().unwrap(), k);
        }
        assert_eq!(serde_json::to_value(CheckKind::EiaSite).unwrap(), "eia_site");
        assert_eq!(CheckKind::LandSupply.to_string(), "land-supply");
        for k in ProjectKind::ALL {
            assert_eq!(k.as_str().parse::<ProjectKind>().unwrap(), k);
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert_eq!("heavy-metal".parse::<ProjectKind>().unwrap(), HeavyMetal);
        assert!("mining".parse::<ProjectKind>().unwrap_err().to_string().contains("soil_polluting"));
        assert_eq!("划拨".parse::<SupplyKind>().unwrap(), SupplyKind::Allocation);
        assert_eq!(" Transfer ".parse::<SupplyKind>().unwrap(), SupplyKind::Transfer);
        assert!("lease".parse::<SupplyKind>().is_err());
        assert!("zoning".parse::<CheckKind>().is_err());
        assert_eq!(serde_json::to_value(Decision::Conditional).unwrap(), "conditional");
        let d: Decision = serde_json::from_value(serde_json::json!("denied")).unwrap();
        assert_eq!(d, Decision::Denied);
    }

    #[test]
    fn rules_table_matches_the_domain_brief_and_the_docs() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        assert_eq!(
            ids,
            [
                "rcr_listed_no_housing_public",
                "rcr_targets_unmet_no_unrelated_project",
                "survey_before_housing_public_change",
                "key_unit_survey_before_change_or_transfer",
                "remediated_for_second_class_only",
                "incomplete_risk_management_no_land_supply",
                "eia_site_on_rcr_parcel",
                "priority_protection_farmland_occupation",
                "no_polluting_project_in_basic_farmland_area",
                "heavy_metal_project_near_farmland",
            ]
        );
        let docs = include_str!("../../docs/rules.md");
        for r in RULES {
            assert!(docs.contains(&format!("`{}`", r.id)), "docs/rules.md describes {}", r.id);
            assert!(docs.contains(r.basis), "docs/rules.md quotes the basis of {}: {}", r.id, r.basis);
        }
        for var in [
            "LANDGUARD_SLIVER_MIN_M2",
            "LANDGUARD_SLIVER_MIN_RATIO",
            "LANDGUARD_HEAVY_METAL_BUFFER_M",
            "LANDGUARD_GBT21010_0809_0810_PUBLIC",
            "LANDGUARD_SAFE_USE_TARGETS",
            "LANDGUARD_PRIORITY_CONTROL_TARGETS",
        ] {
            assert!(docs.contains(var), "docs/rules.md documents {var}");
        }
    }
}
