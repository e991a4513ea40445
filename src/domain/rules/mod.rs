//! The access rules: may this land be rezoned, chosen as a project site, or supplied?
//!
//! The store works out what a query geometry overlaps (and which farmland lies near it) and hands the
//! result in as plain numbers ([`SpatialFacts`]); everything that decides is here, so each rule can be
//! tested without a database. Each rule is one small function in the module of its family
//! (construction land, supply, EIA, farmland), listed once in [`RULES`] with its id, jurisdiction, period
//! and legal basis; docs/rules.md describes the same table for users.

use super::farmland::FarmlandClass;
use super::landuse::{LandUse, LandUsePolicy};
use super::lifecycle::ParcelState;
use chrono::NaiveDate;
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
            _ => {
                Err(UnknownName { what: "check", value: s.to_string(), expected: "rezoning, eia-site or land-supply" })
            }
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
    pub county_code: String,
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
    pub county_code: String,
    pub class: FarmlandClass,
    pub area_m2: f64,
    pub overlap_m2: f64,
    pub distance_m: f64,
}

/// The area (m²) inside the query that two overlapping parcels share. Registry parcels may overlap (a
/// site and its later sub-parcel, two phases of one survey), so coverage is measured on their union.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedArea {
    pub a: String,
    pub b: String,
    pub m2: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SpatialFacts {
    pub query_area_m2: f64,
    pub parcels: Vec<ParcelFact>,
    pub farmland: Vec<FarmlandFact>,
    /// Pairs of `parcels` that overlap each other inside the query.
    #[serde(default)]
    pub parcel_overlaps: Vec<SharedArea>,
    /// The counties whose outlines the query touches, where the registry has outlines (else empty, and
    /// the counties of the features it overlaps stand in).
    #[serde(default)]
    pub located_in: Vec<String>,
    /// Key supervised units whose sites (the key_supervised_units register) the query overlaps.
    #[serde(default)]
    pub key_units: Vec<KeyUnitFact>,
    /// Pollution sources (the pollution_sources register) within the heavy-metal buffer of the query; empty
    /// for other projects.
    #[serde(default)]
    pub sources: Vec<SourceFact>,
}

/// A key supervised unit whose site the query overlaps, as the key_supervised_units register holds it on the
/// check's date. Its site is key-unit land whether or not a parcel there carries `key_unit_land`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyUnitFact {
    pub enterprise_code: String,
    pub name: String,
    pub county_code: String,
    /// The years of the annual lists it is on.
    #[serde(deserialize_with = "super::trace::list_of")]
    pub listed_years: Vec<i32>,
    pub status: String,
    pub area_m2: f64,
    pub overlap_m2: f64,
}

impl KeyUnitFact {
    /// On a list by the check's date: a list of that year or earlier. The year's list comes out in spring,
    /// but a unit on it is named as one from the year's start: the cautious reading for a survey duty.
    pub fn listed_by(&self, day: NaiveDate) -> bool {
        use chrono::Datelike;
        self.listed_years.iter().any(|y| *y <= day.year())
    }
}

/// A heavy-metal pollution source near the query, as the pollution_sources register holds it on the date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceFact {
    pub source_code: String,
    pub name: String,
    pub county_code: String,
    pub kind: String,
    #[serde(deserialize_with = "super::trace::list_of")]
    pub pollutants: Vec<String>,
    pub list: String,
    pub state: String,
    pub distance_m: f64,
}

impl SourceFact {
    /// Still a source: a closed-out (销号) source has been remediated and checked off.
    pub fn active(&self) -> bool {
        self.state != "closed_out"
    }
}

/// What is asked, with land-use codes already parsed (an unknown code is refused before a check runs).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRequest {
    pub kind: CheckKind,
    pub proposed_use: Option<LandUse>,
    pub current_use: Option<LandUse>,
    pub project_kind: Option<ProjectKind>,
    pub supply: Option<SupplyKind>,
    /// The date the answer is for: the registry as it stood then, and the rules in force then.
    pub as_of: NaiveDate,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    National,
    City,
}

/// Who made a rule and where it binds: national law everywhere, a city's plan in that city only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Jurisdiction {
    pub level: Level,
    /// `CN`, or the city's 4-digit prefix of county codes.
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
}

pub const NATIONAL: Jurisdiction =
    Jurisdiction { level: Level::National, code: "CN", name_zh: "全国", name_en: "national" };
pub const GUILIN: Jurisdiction =
    Jurisdiction { level: Level::City, code: "4503", name_zh: "桂林市", name_en: "Guilin" };
pub const LIUZHOU: Jurisdiction =
    Jurisdiction { level: Level::City, code: "4502", name_zh: "柳州市", name_en: "Liuzhou" };

/// The dates a rule holds for: from its entry into force (or the plan's issue or year) until, exclusive,
/// the date a successor replaced it (open while none is known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl Period {
    const fn since(y: i32, m: u32, d: u32) -> Period {
        match NaiveDate::from_ymd_opt(y, m, d) {
            Some(from) => Period { from, until: None },
            None => panic!("not a date"),
        }
    }

    pub fn holds_on(&self, day: NaiveDate) -> bool {
        self.from <= day && self.until.is_none_or(|u| day < u)
    }
}

/// The Soil Pollution Prevention and Control Law, in force since 2019-01-01.
const SOIL_LAW: Period = Period::since(2019, 1, 1);
/// GB 36600-2018, in force since 2018-08-01.
const GB36600: Period = Period::since(2018, 8, 1);
/// The Regulations on the Administration of Construction Project Environmental Protection as revised in 2017.
const EIA_REGULATION: Period = Period::since(2017, 10, 1);
/// The Guilin 2023 plan (市政办〔2023〕20号), issued 2023-05-14, until a later plan replaces it.
const GUILIN_2023: Period = Period::since(2023, 5, 14);
/// The Liuzhou 2025 task list, for the year 2025 (it carries no issue date), until a later list replaces it.
const LIUZHOU_2025: Period = Period::since(2025, 1, 1);

/// A registry feature behind a reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureRef {
    /// `construction_parcels`, `farmland_units`, `key_supervised_units` or `pollution_sources`, the OGC API
    /// collection id.
    pub collection: &'static str,
    pub id: String,
    /// m², to 0.1.
    pub overlap_m2: f64,
    /// Share of the query area that the feature covers, to 4 decimals.
    pub overlap_ratio: f64,
    /// Only for farmland and pollution sources near a heavy-metal project; 0 when it overlaps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub rule: &'static str,
    pub decision: Decision,
    /// The rule's own basis, then any city clause that applied, joined by "；".
    pub basis: String,
    /// Whose rules the reason applied: the rule's jurisdiction, then the cities whose clauses it cites.
    pub jurisdiction: Vec<Jurisdiction>,
    pub message_zh: String,
    pub message_en: String,
    pub features: Vec<FeatureRef>,
}

/// One thing a check looked at, so that an answer with no reason still shows what it rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Examined {
    pub what: &'static str,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub decision: Decision,
    pub reasons: Vec<Reason>,
    /// National, and each city whose plan had a rule in force for the query's place and date.
    pub jurisdictions: Vec<Jurisdiction>,
    /// The counties the query lies in: by the county outlines where the registry has them, else as far as
    /// the features it overlaps tell.
    pub counties: Vec<String>,
    pub examined: Vec<Examined>,
    /// For an EIA site check: the farmland and parcels around the site in figures, before the reasons.
    pub eia_summary: Option<eia::EiaSummary>,
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

/// A city-plan clause that repeats or sharpens a national rule: cited in the reason only where the query
/// lies in that city, on a date within the clause's period.
#[derive(Debug)]
pub struct Clause {
    pub jurisdiction: Jurisdiction,
    pub period: Period,
    pub basis: &'static str,
}

/// One access rule: its id, whose it is and when it holds, its legal basis, and the function that
/// decides whether it fires. A city's rule only sees the registry features in that city.
pub struct Rule {
    pub id: &'static str,
    pub jurisdiction: Jurisdiction,
    pub period: Period,
    pub basis: &'static str,
    pub local: &'static [Clause],
    check: fn(&Ctx<'_>) -> Option<Finding>,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("id", &self.id)
            .field("jurisdiction", &self.jurisdiction.code)
            .field("period", &self.period)
            .field("basis", &self.basis)
            .field("local", &self.local)
            .finish()
    }
}

const LAW_61_2: &str = "《中华人民共和国土壤污染防治法》第六十一条第二款";
const GUILIN_2023_2_4: &str = "《桂林市2023年度土壤污染防治工作计划》（市政办〔2023〕20号）第二部分第（四）项";

/// Every rule, in one table: docs/rules.md describes the same table for users.
pub const RULES: &[Rule] = &[
    Rule {
        id: "rcr_listed_no_housing_public",
        jurisdiction: NATIONAL,
        period: SOIL_LAW,
        basis: LAW_61_2,
        local: &[],
        check: construction::rcr_listed_no_housing_public,
    },
    Rule {
        id: "rcr_targets_unmet_no_unrelated_project",
        jurisdiction: NATIONAL,
        period: SOIL_LAW,
        basis: "《中华人民共和国土壤污染防治法》第六十六条第三款",
        local: &[],
        check: construction::rcr_targets_unmet_no_unrelated_project,
    },
    Rule {
        id: "suspected_land_survey_first",
        jurisdiction: NATIONAL,
        period: SOIL_LAW,
        basis: "《中华人民共和国土壤污染防治法》第五十九条第一款",
        local: &[],
        check: construction::suspected_land_survey_first,
    },
    Rule {
        id: "survey_before_housing_public_change",
        jurisdiction: NATIONAL,
        period: SOIL_LAW,
        basis: "《中华人民共和国土壤污染防治法》第五十九条第二款",
        local: &[],
        check: construction::survey_before_housing_public_change,
    },
    Rule {
        id: "key_unit_survey_before_change_or_transfer",
        jurisdiction: NATIONAL,
        period: SOIL_LAW,
        basis: "《中华人民共和国土壤污染防治法》第六十七条",
        local: &[],
        check: construction::key_unit_survey_before_change_or_transfer,
    },
    Rule {
        id: "remediated_for_second_class_only",
        jurisdiction: NATIONAL,
        period: GB36600,
        basis: "《土壤环境质量 建设用地土壤污染风险管控标准（试行）》（GB 36600-2018）",
        local: &[],
        check: construction::remediated_for_second_class_only,
    },
    Rule {
        id: "remediation_class_unrecorded",
        jurisdiction: NATIONAL,
        period: GB36600,
        basis: "《土壤环境质量 建设用地土壤污染风险管控标准（试行）》（GB 36600-2018）",
        local: &[],
        check: construction::remediation_class_unrecorded,
    },
    Rule {
        id: "incomplete_risk_management_no_land_supply",
        jurisdiction: GUILIN,
        period: GUILIN_2023,
        basis: GUILIN_2023_2_4,
        local: &[],
        check: supply::incomplete_risk_management_no_land_supply,
    },
    Rule {
        id: "eia_site_on_rcr_parcel",
        jurisdiction: NATIONAL,
        period: EIA_REGULATION,
        basis: "《建设项目环境保护管理条例》第十一条",
        local: &[
            Clause { jurisdiction: GUILIN, period: GUILIN_2023, basis: GUILIN_2023_2_4 },
            Clause {
                jurisdiction: LIUZHOU,
                period: LIUZHOU_2025,
                basis: "《柳州市2025年度土壤污染防治重点工作任务清单》第6项",
            },
        ],
        check: eia::eia_site_on_rcr_parcel,
    },
    Rule {
        id: "priority_protection_farmland_occupation",
        jurisdiction: NATIONAL,
        period: SOIL_LAW,
        basis: "《中华人民共和国土壤污染防治法》第五十条",
        local: &[Clause {
            jurisdiction: LIUZHOU,
            period: LIUZHOU_2025,
            basis: "《柳州市2025年度土壤污染防治重点工作任务清单》第5项",
        }],
        check: farmland::priority_protection_farmland_occupation,
    },
    Rule {
        id: "no_polluting_project_in_basic_farmland_area",
        jurisdiction: NATIONAL,
        period: SOIL_LAW,
        basis: "《中华人民共和国土壤污染防治法》第五十条第二款",
        local: &[],
        check: farmland::no_polluting_project_in_basic_farmland_area,
    },
    Rule {
        id: "polluted_farmland_survey_before_construction",
        jurisdiction: NATIONAL,
        period: SOIL_LAW,
        basis: "《中华人民共和国土壤污染防治法》第五十九条",
        local: &[],
        check: farmland::polluted_farmland_survey_before_construction,
    },
    Rule {
        id: "heavy_metal_emission_equal_replacement",
        jurisdiction: GUILIN,
        period: GUILIN_2023,
        basis: "《桂林市2023年度土壤污染防治工作计划》（市政办〔2023〕20号）第二部分第（二）项",
        local: &[],
        check: eia::heavy_metal_emission_equal_replacement,
    },
    Rule {
        id: "heavy_metal_project_near_farmland",
        jurisdiction: LIUZHOU,
        period: LIUZHOU_2025,
        basis: "《柳州市2025年度土壤污染防治重点工作任务清单》第3项",
        local: &[],
        check: eia::heavy_metal_project_near_farmland,
    },
];

/// Runs every rule in force on the request's date, each city's rules where the query lies in that city.
/// The decision is the strongest reason's; with no reason the land is allowed, and `examined` says what
/// that rests on.
pub fn evaluate(req: &CheckRequest, facts: &SpatialFacts, settings: &RuleSettings) -> Outcome {
    let base = Ctx { req, facts, s: settings, city: None };
    let mut reasons = Vec::new();
    let mut jurisdictions = vec![NATIONAL];
    for rule in RULES.iter().filter(|r| r.period.holds_on(req.as_of)) {
        let ctx = match rule.jurisdiction.level {
            Level::National => Ctx { city: None, ..base },
            Level::City if base.in_city(rule.jurisdiction.code) => Ctx { city: Some(rule.jurisdiction.code), ..base },
            Level::City => continue,
        };
        if rule.jurisdiction.level == Level::City && !jurisdictions.contains(&rule.jurisdiction) {
            jurisdictions.push(rule.jurisdiction);
        }
        let clauses: Vec<&Clause> =
            rule.local.iter().filter(|c| c.period.holds_on(req.as_of) && base.in_city(c.jurisdiction.code)).collect();
        for c in &clauses {
            if !jurisdictions.contains(&c.jurisdiction) {
                jurisdictions.push(c.jurisdiction);
            }
        }
        if let Some(f) = (rule.check)(&ctx) {
            let basis =
                std::iter::once(rule.basis).chain(clauses.iter().map(|c| c.basis)).collect::<Vec<_>>().join("；");
            let jurisdiction =
                std::iter::once(rule.jurisdiction).chain(clauses.iter().map(|c| c.jurisdiction)).collect();
            reasons.push(Reason {
                rule: rule.id,
                decision: f.decision,
                basis,
                jurisdiction,
                message_zh: f.zh,
                message_en: f.en,
                features: f.features,
            });
        }
    }
    reasons.sort_by(|a, b| b.decision.cmp(&a.decision).then_with(|| a.rule.cmp(b.rule)));
    jurisdictions.sort();
    let decision = reasons.iter().map(|r| r.decision).max().unwrap_or(Decision::Allowed);
    let counties = base.counties();
    let examined = examined::statements(&base, &jurisdictions, &counties);
    let eia_summary = (req.kind == CheckKind::EiaSite).then(|| eia::summary(&base));
    Outcome { decision, reasons, jurisdictions, counties, examined, eia_summary }
}

mod construction;
pub mod eia;
mod examined;
mod farmland;
mod supply;
#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

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
    /// For a city's rule: the city's prefix of county codes; the rule sees only features in that city.
    city: Option<&'static str>,
}

impl<'a> Ctx<'a> {
    /// A real overlap: positive (or unknowable) and no sliver. The positive test matters when the sliver
    /// settings are 0: farmland within the buffer comes with overlap 0 and is no occupation.
    fn overlaps(&self, overlap_m2: f64, feature_area_m2: f64) -> bool {
        (overlap_m2 > 0.0 || overlap_m2.is_nan())
            && !is_sliver(overlap_m2, self.facts.query_area_m2, feature_area_m2, self.s)
    }

    fn in_scope(&self, county_code: &str) -> bool {
        self.city.is_none_or(|c| county_code.starts_with(c))
    }

    /// The counties the query lies in: those of the outlines it touches where known, else those of the
    /// features it really overlaps (slivers along a border do not count).
    fn counties(&self) -> Vec<String> {
        if !self.facts.located_in.is_empty() {
            let mut v = self.facts.located_in.clone();
            v.sort();
            v.dedup();
            return v;
        }
        let parcels =
            self.facts.parcels.iter().filter(|p| self.overlaps(p.overlap_m2, p.area_m2)).map(|p| &p.county_code);
        let units =
            self.facts.farmland.iter().filter(|f| self.overlaps(f.overlap_m2, f.area_m2)).map(|f| &f.county_code);
        let mut v: Vec<String> = parcels.chain(units).cloned().collect();
        v.sort();
        v.dedup();
        v
    }

    /// Whether the query lies in the city with this prefix. Where it overlaps no registry feature its
    /// county is unknown, and the features found near it (farmland in the heavy-metal buffer) decide:
    /// their city's rules protect them.
    fn in_city(&self, prefix: &str) -> bool {
        let counties = self.counties();
        if counties.is_empty() {
            let parcels = self.facts.parcels.iter().map(|p| &p.county_code);
            let units = self.facts.farmland.iter().map(|f| &f.county_code);
            parcels.chain(units).any(|c| c.starts_with(prefix))
        } else {
            counties.iter().any(|c| c.starts_with(prefix))
        }
    }

    /// Overlapping parcels that satisfy `pred`, largest overlap first so messages lead with what matters.
    fn parcels_where(&self, pred: impl Fn(&ParcelFact) -> bool) -> Vec<&'a ParcelFact> {
        let mut v: Vec<&ParcelFact> = self
            .facts
            .parcels
            .iter()
            .filter(|p| self.in_scope(&p.county_code) && self.overlaps(p.overlap_m2, p.area_m2) && pred(p))
            .collect();
        v.sort_by(|a, b| b.overlap_m2.total_cmp(&a.overlap_m2).then_with(|| a.parcel_code.cmp(&b.parcel_code)));
        v
    }

    /// Overlapping farmland units of a class, largest overlap first.
    fn farmland_of(&self, class: FarmlandClass) -> Vec<&'a FarmlandFact> {
        let mut v: Vec<&FarmlandFact> = self
            .facts
            .farmland
            .iter()
            .filter(|f| f.class == class && self.in_scope(&f.county_code) && self.overlaps(f.overlap_m2, f.area_m2))
            .collect();
        v.sort_by(|a, b| b.overlap_m2.total_cmp(&a.overlap_m2).then_with(|| a.unit_code.cmp(&b.unit_code)));
        v
    }

    /// Farmland units that overlap the query or lie within `buffer_m` of it, nearest first. A sliver
    /// overlap is still "near" (distance 0).
    fn farmland_near(&self, buffer_m: f64) -> Vec<&'a FarmlandFact> {
        let mut v: Vec<&FarmlandFact> = self
            .facts
            .farmland
            .iter()
            .filter(|f| {
                self.in_scope(&f.county_code) && (self.overlaps(f.overlap_m2, f.area_m2) || f.distance_m <= buffer_m)
            })
            .collect();
        v.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m).then_with(|| a.unit_code.cmp(&b.unit_code)));
        v
    }

    /// Key supervised units whose sites the query really overlaps (no sliver), largest overlap first.
    fn key_units_on_site(&self) -> Vec<&'a KeyUnitFact> {
        let mut v: Vec<&KeyUnitFact> = self
            .facts
            .key_units
            .iter()
            .filter(|u| self.in_scope(&u.county_code) && self.overlaps(u.overlap_m2, u.area_m2))
            .collect();
        v.sort_by(|a, b| b.overlap_m2.total_cmp(&a.overlap_m2).then_with(|| a.enterprise_code.cmp(&b.enterprise_code)));
        v
    }

    /// Pollution sources not closed out within `buffer_m` of the query, nearest first.
    fn sources_near(&self, buffer_m: f64) -> Vec<&'a SourceFact> {
        let mut v: Vec<&SourceFact> = self
            .facts
            .sources
            .iter()
            .filter(|s| self.in_scope(&s.county_code) && s.active() && s.distance_m <= buffer_m)
            .collect();
        v.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m).then_with(|| a.source_code.cmp(&b.source_code)));
        v
    }

    fn key_unit_refs(&self, us: &[&KeyUnitFact]) -> Vec<FeatureRef> {
        us.iter()
            .map(|u| FeatureRef {
                collection: "key_supervised_units",
                id: u.enterprise_code.clone(),
                overlap_m2: round_to(u.overlap_m2, 1),
                overlap_ratio: self.ratio(u.overlap_m2),
                distance_m: None,
            })
            .collect()
    }

    fn source_refs(&self, ss: &[&SourceFact]) -> Vec<FeatureRef> {
        ss.iter()
            .map(|s| FeatureRef {
                collection: "pollution_sources",
                id: s.source_code.clone(),
                overlap_m2: 0.0,
                overlap_ratio: 0.0,
                distance_m: Some(round_to(s.distance_m, 1)),
            })
            .collect()
    }

    fn priority_farmland(&self) -> Vec<&'a FarmlandFact> {
        self.farmland_of(FarmlandClass::PriorityProtection)
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

/// Cleared by a survey for any use: found clean, or delisted after remediation to first-class targets. A
/// delisted parcel whose class is not recorded is not cleared: an unrecorded class is not class 1.
fn survey_cleared(p: &ParcelFact) -> bool {
    match p.state {
        ParcelState::Cleared => true,
        ParcelState::Delisted | ParcelState::PostManagement => p.remediated_for_class == Some(1),
        _ => false,
    }
}

/// Delisted (or in post-management) with no record of the class of use the remediation met.
fn class_unrecorded(p: &ParcelFact) -> bool {
    matches!(p.state, ParcelState::Delisted | ParcelState::PostManagement) && p.remediated_for_class.is_none()
}

fn nonempty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// Rounded, and never -0.0 (the sum of nothing is -0.0 in Rust, and "-0.0 m²" reads as a mistake).
fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f + 0.0
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

/// "柳城县某化工有限公司（91450222MA5KX00010，2024、2025 年度名录）".
fn zh_key_units(us: &[&KeyUnitFact]) -> String {
    us.iter()
        .map(|u| {
            let years = u.listed_years.iter().map(i32::to_string).collect::<Vec<_>>().join("、");
            format!("{}（{}，{years} 年度名录）", u.name, u.enterprise_code)
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn en_key_units(us: &[&KeyUnitFact]) -> String {
    let list = us
        .iter()
        .map(|u| {
            let years = u.listed_years.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
            format!("{} ({}, on the lists of {years})", u.name, u.enterprise_code)
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("{} {list}", plural(us.len(), "the key supervised unit", "the key supervised units"))
}

/// "柳城县某废渣堆（S-1，Cd、Pb，距离 320.0 米）".
fn zh_sources(ss: &[&SourceFact]) -> String {
    ss.iter()
        .map(|s| {
            format!(
                "{}（{}，{}，距离 {} 米）",
                s.name,
                s.source_code,
                s.pollutants.join("、"),
                one_decimal(s.distance_m)
            )
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn en_sources(ss: &[&SourceFact]) -> String {
    ss.iter()
        .map(|s| {
            format!("{} ({}, {}, {} m away)", s.name, s.source_code, s.pollutants.join(", "), one_decimal(s.distance_m))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn zh_ids_with_state(ps: &[&ParcelFact]) -> String {
    ps.iter()
        .map(|p| {
            let second = match p.remediated_for_class {
                Some(2) => "，按第二类用地目标修复",
                None if class_unrecorded(p) => "，修复用地类别未记录",
                _ => "",
            };
            format!("{}（{}{second}）", p.parcel_code, p.state.name_zh())
        })
        .collect::<Vec<_>>()
        .join("、")
}

fn en_ids_with_state(ps: &[&ParcelFact]) -> String {
    let ids = ps
        .iter()
        .map(|p| {
            let second = match p.remediated_for_class {
                Some(2) => ", remediated to second-class targets",
                None if class_unrecorded(p) => ", class of remediation not recorded",
                _ => "",
            };
            format!("{} ({}{second})", p.parcel_code, p.state.as_str())
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("{} {ids}", plural(ps.len(), "parcel", "parcels"))
}

/// "Parcel A (suspected) is" / "Parcels A (suspected), B (surveying) are".
fn en_subject_with_state(ps: &[&ParcelFact]) -> String {
    let s = en_ids_with_state(ps);
    let mut chars = s.chars();
    let capital = chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default();
    format!("{capital} {}", is_are(ps.len()))
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
