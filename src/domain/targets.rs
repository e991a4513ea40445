//! The plans' targets as data (docs/targets.md, docs/domain.md §10): every numbered target of the Guilin
//! 2023 and Liuzhou 2025 plans, each with its city, indicator, threshold, period, plan document, clause and
//! lead unit, and [`evaluate`], which judges a value against a target as of a date.
//!
//! Rules of the module:
//! - Nothing is met without a value. Indicators the register does not compute yet are `not_computable`
//!   whatever value is passed, so that a placeholder can never read as met.
//! - A target binds its own city only (docs/domain.md §11): [`evaluate_in`] refuses a scope outside it.
//! - The value should be taken as of [`Target::value_date`]: the as-of date, or the period's end if earlier.

use super::indicators::{Indicators, Scope};
use super::key_land::KeyLandRate;
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

/// A plan document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub id: &'static str,
    /// 4-digit prefix of the city's county codes.
    pub city: &'static str,
    pub title_zh: &'static str,
    /// The part that holds the numbered tasks, where it is a separate table.
    pub task_list_zh: Option<&'static str>,
    /// The document number where the plan has one.
    pub doc_no: Option<&'static str>,
    pub issued_on: &'static str,
}

pub const GUILIN_2023: Plan = Plan {
    id: "guilin-2023",
    city: "4503",
    title_zh: "桂林市2023年度土壤污染防治工作计划",
    task_list_zh: None,
    doc_no: Some("市政办〔2023〕20号"),
    issued_on: "2023-05-14",
};

/// Annex 1 of the city's notice, with its task list (附表) numbered 1–13; the seed copy carries no number.
pub const LIUZHOU_2025: Plan = Plan {
    id: "liuzhou-2025",
    city: "4502",
    title_zh: "柳州市2025年度土壤污染防治工作实施方案",
    task_list_zh: Some("柳州市2025年度土壤污染防治重点工作任务清单"),
    doc_no: None,
    issued_on: "2025",
};

/// Where a target binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "level", content = "code", rename_all = "snake_case")]
pub enum Area {
    /// 4-digit prefix; its counties answer to it too (the plans make the counties responsible, 责任主体).
    City(&'static str),
    /// 6-digit county code.
    County(&'static str),
}

/// What the register computes (or will), by indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// `safe_utilisation.rate_percent` of `GET /indicators`.
    SafeUtilisationRate,
    /// `priority_parcels.share_percent`.
    PriorityParcelsUnderControl,
    /// Strict-control farmland with measures in place, percent of its area.
    StrictControlWithMeasures,
    /// [`super::key_land::key_land_rate`] over the developments and enforcement records the bureau records;
    /// its value is an [`Observed::KeyLand`], not one of today's indicators.
    KeyConstructionLandSafelyUsed,
    /// Level-1 ponds inspected twice in the year, once before the flood season, percent of level-1 ponds.
    TailingsLevel1Inspected,
    /// Level-2 ponds inspected once in the year, percent of level-2 ponds.
    TailingsLevel2Inspected,
    /// Level-3 ponds spot-checked in the year, percent of level-3 ponds.
    TailingsLevel3SpotChecked,
    /// Key supervised units whose surrounding soil and groundwater were monitored, a count.
    KeyUnitsSurroundingMonitored,
}

/// Whether the register computes an indicator today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "built", rename_all = "snake_case")]
pub enum Built {
    Now,
    Planned { issue: u32, missing: &'static str },
}

impl Indicator {
    pub fn built(self) -> Built {
        use Indicator::*;
        match self {
            SafeUtilisationRate
            | PriorityParcelsUnderControl
            | StrictControlWithMeasures
            | KeyConstructionLandSafelyUsed
            | TailingsLevel1Inspected
            | TailingsLevel2Inspected
            | TailingsLevel3SpotChecked
            | KeyUnitsSurroundingMonitored => Built::Now,
        }
    }

    /// Whether the value comes from the source-control figures ([`SourceFigures`], `source_control` of
    /// `GET /indicators`) rather than from the farmland and parcel indicators.
    pub fn from_sources(self) -> bool {
        use Indicator::*;
        matches!(
            self,
            TailingsLevel1Inspected
                | TailingsLevel2Inspected
                | TailingsLevel3SpotChecked
                | KeyUnitsSurroundingMonitored
        )
    }

    /// The value from the source-control figures, with how it was computed in English and Chinese (for the
    /// basis); none when the scope has nothing to count (no pond of the level, no key unit) or the indicator
    /// is not one of them.
    pub fn source_value(self, f: &SourceFigures) -> Option<(Observed, String, String)> {
        use Indicator::*;
        let ponds = |level: usize, how_en: &str, how_zh: &str| {
            let (met, total) = f.ponds[level - 1].filter(|(_, total)| *total > 0)?;
            let share = round2(f64::from(met) / f64::from(total) * 100.0);
            Some((
                Observed::Number(share),
                format!("{met} of {total} level-{level} tailings ponds {how_en} in the year, from their inspection records (source_control.tailings_inspections[\"{level}\"].ponds_met / ponds of GET /indicators)"),
                format!("{total}座{level}级尾矿库中{met}座{how_zh}（据巡查记录；即GET /indicators的source_control.tailings_inspections[\"{level}\"]的ponds_met / ponds）"),
            ))
        };
        match self {
            TailingsLevel1Inspected => ponds(
                1,
                "inspected at least the required times, the required ones before the flood season",
                "年内检查次数达到要求且汛前检查已完成",
            ),
            TailingsLevel2Inspected => ponds(2, "inspected at least the required times", "年内检查次数达到要求"),
            TailingsLevel3SpotChecked => ponds(3, "inspected at least once", "年内至少检查一次"),
            KeyUnitsSurroundingMonitored => {
                let (monitored, units) = f.key_units_monitored.filter(|(_, units)| *units > 0)?;
                Some((
                    Observed::Number(f64::from(monitored)),
                    format!("{monitored} of {units} key supervised units with a surrounding_monitoring record dated in the year (source_control.key_units_surrounding_monitored of GET /indicators)"),
                    format!("{units}家重点监管单位中{monitored}家有年内的周边环境监测（surrounding_monitoring）记录（即GET /indicators的source_control.key_units_surrounding_monitored）"),
                ))
            }
            _ => None,
        }
    }

    /// What the scope must hold for the register to compute a value, in English and Chinese: what a
    /// `not_computable` answer says is missing when the scope has nothing to count.
    pub fn needs(self) -> (&'static str, &'static str) {
        use Indicator::*;
        match self {
            SafeUtilisationRate => (
                "safe-use or strict-control farmland units registered in scope",
                "范围内登记的安全利用类或严格管控类耕地单元",
            ),
            PriorityParcelsUnderControl => {
                ("priority-supervision parcels registered in scope", "范围内登记的优先监管地块")
            }
            StrictControlWithMeasures => {
                ("strict-control farmland units registered in scope", "范围内登记的严格管控类耕地单元")
            }
            KeyConstructionLandSafelyUsed => {
                ("development and enforcement records of key construction land", "重点建设用地开发利用及违规查处记录")
            }
            TailingsLevel1Inspected => ("level-1 tailings ponds registered in scope", "范围内登记的一级尾矿库"),
            TailingsLevel2Inspected => ("level-2 tailings ponds registered in scope", "范围内登记的二级尾矿库"),
            // The spot-check share is a duty of the whole city (docs/source-control.md): a county has no figure.
            TailingsLevel3SpotChecked => (
                "level-3 tailings ponds registered in the city (the spot-check share is the city's, not a county's)",
                "全市登记的三级尾矿库（抽查比例按全市计算，不按县计算）",
            ),
            KeyUnitsSurroundingMonitored => {
                ("key supervised units registered in scope", "范围内登记的土壤污染重点监管单位")
            }
        }
    }

    /// The value from today's indicators, for those the register computes; none when the scope has nothing
    /// to count (e.g. no strict-control farmland) or the indicator is not built.
    pub fn value(self, ind: &Indicators) -> Option<Observed> {
        match self {
            Indicator::SafeUtilisationRate => ind.safe_utilisation.rate_percent.map(Observed::Number),
            Indicator::PriorityParcelsUnderControl => ind.priority_parcels.share_percent.map(Observed::Number),
            Indicator::StrictControlWithMeasures => {
                let sc = &ind.safe_utilisation.strict_control;
                (sc.area_m2 > 0.0).then(|| Observed::Number(round2(sc.with_measures_m2 / sc.area_m2 * 100.0)))
            }
            _ => None,
        }
    }
}

/// The source-control figures of one county or city as of a date, as `source_control` of `GET /indicators`
/// gives them (the service copies them from there; the domain stays free of the store).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SourceFigures {
    /// Per pond level 1–3: (ponds whose year is met, all ponds of the level); none where the indicators have
    /// no entry (level 3 for a county).
    pub ponds: [Option<(u32, u32)>; 3],
    /// (key units with surrounding monitoring in the year, all key units with duties).
    pub key_units_monitored: Option<(u32, u32)>,
}

/// Where a target's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Source {
    Register {
        indicator: Indicator,
    },
    /// Entered by the bureau with its evidence (the register holds no funds or emissions).
    Entered {
        evidence: &'static str,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Comparison {
    AtLeast {
        threshold: f64,
    },
    /// 有效保障: 100 %, or ≥ 95 % with every breach handled (docs/domain.md §9).
    EffectivelyGuaranteed,
    /// The plan states no figure, only these words; a value cannot be judged against them.
    Unquantified {
        words: &'static str,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Percent,
    Count,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "year", rename_all = "snake_case")]
pub enum Period {
    /// Over the plan's year (…年, 每年).
    Year(i32),
    /// By the end of the year (到…年底).
    ByEndOf(i32),
}

impl Period {
    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::ByEndOf(y) => y,
        }
    }

    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), 1, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn end(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), 12, 31).unwrap_or(NaiveDate::MAX)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    pub id: &'static str,
    pub area: Area,
    pub title_en: &'static str,
    pub title_zh: &'static str,
    pub source: Source,
    pub comparison: Comparison,
    pub unit: Unit,
    pub period: Period,
    pub plan: Plan,
    /// As docs/domain.md §10 cites it, e.g. "§2(4)" (Guilin part 二, item （四）) or "task 11" (Liuzhou).
    pub clause: &'static str,
    pub clause_zh: &'static str,
    /// The plan's words for the target.
    pub quote: &'static str,
    /// 牵头单位 where the plan names one for this target.
    pub lead_unit: Option<&'static str>,
}

impl Target {
    pub fn applies_to(&self, scope: &Scope) -> bool {
        match (self.area, scope) {
            (Area::City(p), s) => s.city_prefix() == Some(p),
            (Area::County(c), Scope::County(s)) => s == c,
            (Area::County(_), _) => false,
        }
    }

    /// The date the value should be taken at: the as-of date, or the end of the period if that is earlier.
    pub fn value_date(&self, as_of: NaiveDate) -> NaiveDate {
        as_of.min(self.period.end())
    }
}

/// A value to judge: a number (percent or count, per the target's unit) or the key-construction-land rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Observed {
    Number(f64),
    KeyLand(KeyLandRate),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    NotMet,
    /// The period is not over and the target is not met yet.
    InProgress,
    /// No value: the indicator is not built, nothing was entered, there is nothing to count, or the plan
    /// gives no figure.
    NotComputable,
}

impl Evaluation {
    /// Adds how the value was computed to the basis, where there is a value.
    pub fn explained(mut self, en: &str, zh: &str) -> Evaluation {
        if self.value.is_some() {
            self.basis_en = format!("{}; computed as: {en}", self.basis_en);
            self.basis_zh = format!("{}；计算方法：{zh}", self.basis_zh);
        }
        self
    }
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::NotMet => "not_met",
            Status::InProgress => "in_progress",
            Status::NotComputable => "not_computable",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub target: &'static str,
    pub as_of: NaiveDate,
    pub status: Status,
    /// The figure judged (for the key-construction-land target, its rate); none when not computable.
    pub value: Option<f64>,
    pub basis_en: String,
    pub basis_zh: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("目标 {target} 属于{city}的计划，不适用于 {scope} / target {target} belongs to the plan of city {city} and does not apply to {scope}")]
pub struct OutsideJurisdiction {
    pub target: &'static str,
    pub city: &'static str,
    pub scope: String,
}

/// [`evaluate`], but only inside the target's own city (or county).
pub fn evaluate_in(
    target: &Target,
    scope: &Scope,
    value: Option<&Observed>,
    as_of: NaiveDate,
) -> Result<Evaluation, OutsideJurisdiction> {
    if !target.applies_to(scope) {
        return Err(OutsideJurisdiction { target: target.id, city: target.plan.city, scope: scope.to_string() });
    }
    Ok(evaluate(target, value, as_of))
}

/// The targets that bind `scope` in `year`, in table order. "All" (several cities) has none.
pub fn targets_for(scope: &Scope, year: i32) -> Vec<&'static Target> {
    TARGETS.iter().filter(|t| t.period.year() == year && t.applies_to(scope)).collect()
}

pub fn find(id: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.id == id)
}

/// Judges `value` against `target` as of `as_of`. The caller is responsible for the value being the one as of
/// [`Target::value_date`] and for the scope ([`evaluate_in`] checks it).
pub fn evaluate(target: &Target, value: Option<&Observed>, as_of: NaiveDate) -> Evaluation {
    let out = |status, value, en: String, zh: String| Evaluation {
        target: target.id,
        as_of,
        status,
        value,
        basis_en: en,
        basis_zh: zh,
    };
    let cite = format!("{} {}", target.plan.id, target.clause);
    let cite_zh = format!("《{}》{}", target.plan.title_zh, target.clause_zh);
    if as_of < target.period.start() {
        return out(
            Status::NotComputable,
            None,
            format!("the period of {cite} starts on {}", target.period.start()),
            format!("{cite_zh}的期限自{}开始", target.period.start()),
        );
    }
    if let Source::Register { indicator } = target.source {
        if let Built::Planned { issue, missing } = indicator.built() {
            return out(
                Status::NotComputable,
                None,
                format!("not computed yet: {missing} (planned, issue {issue})"),
                format!("尚不能计算：登记簿尚未记录所需数据（计划中，issue {issue}）"),
            );
        }
    }
    if let Comparison::Unquantified { words } = target.comparison {
        return out(
            Status::NotComputable,
            None,
            format!("{cite} sets no figure (\"{words}\"), so no value can be judged against it"),
            format!("{cite_zh}未规定数值（“{words}”），无法判定"),
        );
    }
    let Some(value) = value else {
        let (en, zh) = match target.source {
            Source::Entered { evidence } => (
                format!("no value entered yet (to be entered with its evidence: {evidence})"),
                "尚未录入数值及其佐证材料".to_string(),
            ),
            Source::Register { .. } => {
                ("no value: nothing in scope to count".to_string(), "无数值：范围内没有可计算的对象".to_string())
            }
        };
        return out(Status::NotComputable, None, en, zh);
    };
    let (met, shown, how_en, how_zh) = match (target.comparison, value) {
        (Comparison::AtLeast { threshold }, Observed::Number(v)) if v.is_finite() => {
            // Judged on the figure shown (2 decimals), as the indicators are.
            let v = round2(*v);
            let unit = if target.unit == Unit::Percent { " %" } else { "" };
            (
                v >= threshold,
                v,
                format!("{v}{unit} against ≥ {threshold}{unit}"),
                format!("{v}{unit}，目标不低于{threshold}{unit}"),
            )
        }
        (Comparison::EffectivelyGuaranteed, Observed::KeyLand(r)) => match (r.rate_percent, r.effectively_guaranteed) {
            (Some(rate), Some(ok)) => {
                let open = r.unhandled_breaches.len();
                (
                    ok,
                    rate,
                    format!("{rate} % safely used, {open} breach(es) not yet decided and corrected; effectively guaranteed means 100 %, or ≥ 95 % with every breach corrected"),
                    format!("安全利用率{rate}%，尚有{open}宗违规开发未处理整改到位；有效保障指达到100%，或达到95%以上且违规地块全部整改到位"),
                )
            }
            _ => {
                return out(
                    Status::NotComputable,
                    None,
                    "no key construction land was developed in the period, so the rate has no denominator".into(),
                    "期内无重点建设用地开发利用，安全利用率无分母".into(),
                )
            }
        },
        _ => {
            return out(
                Status::NotComputable,
                None,
                format!("the value is not of the kind {cite} is judged on"),
                format!("数值类型与{cite_zh}的判定方式不符"),
            )
        }
    };
    let (status, en, zh) = if met {
        (
            Status::Met,
            format!("met as of {as_of}: {how_en} ({cite})"),
            format!("截至{as_of}已完成：{how_zh}（{cite_zh}）"),
        )
    } else if as_of < target.period.end() {
        (
            Status::InProgress,
            format!("not met yet as of {as_of}, period ends {}: {how_en} ({cite})", target.period.end()),
            format!("截至{as_of}尚未完成，期限{}：{how_zh}（{cite_zh}）", target.period.end()),
        )
    } else {
        (Status::NotMet, format!("not met: {how_en} ({cite})"), format!("未完成：{how_zh}（{cite_zh}）"))
    };
    out(status, Some(shown), en, zh)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

const G_FUNDS_LEAD: Option<&str> = Some("各县（市、区）人民政府牵头，市财政局、市生态环境局、市农业农村局等参与");
const G_FUNDS_QUOTE: &str = "力争到2023年底，2021年获得中央补助资金的项目完工率和资金执行率在90%以上；2022年、2023年获得中央补助资金的项目开工率达到100%，资金执行率分别在80%和52%以上";
const G_FUNDS_EVIDENCE: &str = "the finance bureau's figures on central soil-fund projects";
const G_TAILINGS_LEAD: Option<&str> = Some("市生态环境局牵头，市应急局参与");
const L_TASK5_LEAD: Option<&str> = Some("市农业农村局、生态环境局、市发改委(粮食和物资储备局)等按职责分工牵头负责");
const L_FUNDS_QUOTE: &str =
    "力争到2025年底，2025年获得中央土壤污染防治资金的项目开工率和完工率分别达到80%和20%以上，预算资金执行率达到52%以上";
const L_FUNDS_EVIDENCE: &str = "the finance bureau's figures on 2025 central soil-fund projects";

const fn at_least(threshold: f64) -> Comparison {
    Comparison::AtLeast { threshold }
}

const fn register(indicator: Indicator) -> Source {
    Source::Register { indicator }
}

/// Every target of docs/domain.md §10, Guilin 2023 first, then Liuzhou 2025. docs/targets.md lists the same.
pub const TARGETS: &[Target] = &[
    Target {
        id: "guilin-2023-safe-use",
        area: Area::City("4503"),
        title_en: "safe-utilisation rate of polluted farmland",
        title_zh: "受污染耕地安全利用率",
        source: register(Indicator::SafeUtilisationRate),
        comparison: at_least(93.8),
        unit: Unit::Percent,
        period: Period::Year(2023),
        plan: GUILIN_2023,
        clause: "part 一",
        clause_zh: "一、工作目标",
        quote: "确保全市受污染耕地安全利用率在93.8%以上",
        lead_unit: None,
    },
    Target {
        id: "guilin-2023-priority-control",
        area: Area::City("4503"),
        title_en: "priority-supervision parcels under control",
        title_zh: "优先监管地块实施管控的比例",
        source: register(Indicator::PriorityParcelsUnderControl),
        comparison: at_least(35.0),
        unit: Unit::Percent,
        period: Period::ByEndOf(2023),
        plan: GUILIN_2023,
        clause: "§2(4)",
        clause_zh: "二（四）推进建设用地风险管控与修复",
        quote: "到2023年底，全市实施管控的地块比例不少于35%",
        lead_unit: Some("市生态环境局牵头，市自然资源局等参与"),
    },
    Target {
        id: "guilin-2023-strict-control-measures",
        area: Area::City("4503"),
        title_en: "strict-control farmland with control measures",
        title_zh: "严格管控类耕地落实风险管控措施",
        source: register(Indicator::StrictControlWithMeasures),
        comparison: at_least(100.0),
        unit: Unit::Percent,
        period: Period::Year(2023),
        plan: GUILIN_2023,
        clause: "§2(3)",
        clause_zh: "二（三）强化农用地安全利用和风险管控",
        quote: "对严格管控类耕地实施“前、中、后”闭环管理，原则上全部落实风险管控措施",
        lead_unit: Some("市农业农村局、市发展改革委按职责分工负责，市自然资源局、市生态环境局、市市场监管局等参与"),
    },
    Target {
        id: "guilin-2023-tailings-level1",
        area: Area::City("4503"),
        title_en: "level-1 tailings ponds inspected at least twice, once before the flood season",
        title_zh: "一级环境监管尾矿库现场检查每年不少于2次，汛期前至少1次",
        source: register(Indicator::TailingsLevel1Inspected),
        comparison: at_least(100.0),
        unit: Unit::Percent,
        period: Period::Year(2023),
        plan: GUILIN_2023,
        clause: "§2(2)",
        clause_zh: "二（二）实施尾矿库分类分级环境监管",
        quote: "对一级环境监管尾矿库现场检查每年不少于2次，汛期前至少开展1次",
        lead_unit: G_TAILINGS_LEAD,
    },
    Target {
        id: "guilin-2023-tailings-level2",
        area: Area::City("4503"),
        title_en: "level-2 tailings ponds inspected at least once",
        title_zh: "二级尾矿库现场检查每年不少于1次",
        source: register(Indicator::TailingsLevel2Inspected),
        comparison: at_least(100.0),
        unit: Unit::Percent,
        period: Period::Year(2023),
        plan: GUILIN_2023,
        clause: "§2(2)",
        clause_zh: "二（二）实施尾矿库分类分级环境监管",
        quote: "对二级尾矿库现场检查每年不少于1次",
        lead_unit: G_TAILINGS_LEAD,
    },
    Target {
        id: "guilin-2023-tailings-level3",
        area: Area::City("4503"),
        title_en: "level-3 tailings ponds spot-checked",
        title_zh: "三级尾矿库随机抽查比例",
        source: register(Indicator::TailingsLevel3SpotChecked),
        comparison: at_least(50.0),
        unit: Unit::Percent,
        period: Period::Year(2023),
        plan: GUILIN_2023,
        clause: "§2(2)",
        clause_zh: "二（二）实施尾矿库分类分级环境监管",
        quote: "对三级尾矿库随机抽查，比例不低于50%",
        lead_unit: G_TAILINGS_LEAD,
    },
    Target {
        id: "guilin-2023-key-construction-land",
        area: Area::City("4503"),
        title_en: "key construction land safely used",
        title_zh: "重点建设用地安全利用得到有效保障",
        source: register(Indicator::KeyConstructionLandSafelyUsed),
        comparison: Comparison::EffectivelyGuaranteed,
        unit: Unit::Percent,
        period: Period::Year(2023),
        plan: GUILIN_2023,
        clause: "part 一",
        clause_zh: "一、工作目标",
        quote: "重点建设用地安全利用得到有效保障",
        lead_unit: None,
    },
    Target {
        id: "guilin-2023-fund-2021-completion",
        area: Area::City("4503"),
        title_en: "2021 central-fund projects completed",
        title_zh: "2021年获得中央补助资金的项目完工率",
        source: Source::Entered { evidence: G_FUNDS_EVIDENCE },
        comparison: at_least(90.0),
        unit: Unit::Percent,
        period: Period::ByEndOf(2023),
        plan: GUILIN_2023,
        clause: "§2(6)",
        clause_zh: "二（六）强化土壤污染防治资金与项目管理",
        quote: G_FUNDS_QUOTE,
        lead_unit: G_FUNDS_LEAD,
    },
    Target {
        id: "guilin-2023-fund-2021-execution",
        area: Area::City("4503"),
        title_en: "2021 central funds spent",
        title_zh: "2021年获得中央补助资金的资金执行率",
        source: Source::Entered { evidence: G_FUNDS_EVIDENCE },
        comparison: at_least(90.0),
        unit: Unit::Percent,
        period: Period::ByEndOf(2023),
        plan: GUILIN_2023,
        clause: "§2(6)",
        clause_zh: "二（六）强化土壤污染防治资金与项目管理",
        quote: G_FUNDS_QUOTE,
        lead_unit: G_FUNDS_LEAD,
    },
    Target {
        id: "guilin-2023-fund-2022-2023-started",
        area: Area::City("4503"),
        title_en: "2022 and 2023 central-fund projects started",
        title_zh: "2022年、2023年获得中央补助资金的项目开工率",
        source: Source::Entered { evidence: G_FUNDS_EVIDENCE },
        comparison: at_least(100.0),
        unit: Unit::Percent,
        period: Period::ByEndOf(2023),
        plan: GUILIN_2023,
        clause: "§2(6)",
        clause_zh: "二（六）强化土壤污染防治资金与项目管理",
        quote: G_FUNDS_QUOTE,
        lead_unit: G_FUNDS_LEAD,
    },
    Target {
        id: "guilin-2023-fund-2022-execution",
        area: Area::City("4503"),
        title_en: "2022 central funds spent",
        title_zh: "2022年获得中央补助资金的资金执行率",
        source: Source::Entered { evidence: G_FUNDS_EVIDENCE },
        comparison: at_least(80.0),
        unit: Unit::Percent,
        period: Period::ByEndOf(2023),
        plan: GUILIN_2023,
        clause: "§2(6)",
        clause_zh: "二（六）强化土壤污染防治资金与项目管理",
        quote: G_FUNDS_QUOTE,
        lead_unit: G_FUNDS_LEAD,
    },
    Target {
        id: "guilin-2023-fund-2023-execution",
        area: Area::City("4503"),
        title_en: "2023 central funds spent",
        title_zh: "2023年获得中央补助资金的资金执行率",
        source: Source::Entered { evidence: G_FUNDS_EVIDENCE },
        comparison: at_least(52.0),
        unit: Unit::Percent,
        period: Period::ByEndOf(2023),
        plan: GUILIN_2023,
        clause: "§2(6)",
        clause_zh: "二（六）强化土壤污染防治资金与项目管理",
        quote: G_FUNDS_QUOTE,
        lead_unit: G_FUNDS_LEAD,
    },
    Target {
        id: "liuzhou-2025-safe-use",
        area: Area::City("4502"),
        title_en: "safe-utilisation rate of polluted farmland",
        title_zh: "受污染耕地安全利用率",
        source: register(Indicator::SafeUtilisationRate),
        comparison: at_least(93.0),
        unit: Unit::Percent,
        period: Period::Year(2025),
        plan: LIUZHOU_2025,
        clause: "goals; task 5",
        clause_zh: "一、总体要求（总体目标）；附表任务5",
        quote: "确保受污染耕地安全利用率达到93%",
        lead_unit: L_TASK5_LEAD,
    },
    Target {
        id: "liuzhou-2025-strict-control-measures",
        area: Area::City("4502"),
        title_en: "strict-control farmland with control measures",
        title_zh: "严格管控类耕地落实风险管控措施",
        source: register(Indicator::StrictControlWithMeasures),
        comparison: at_least(100.0),
        unit: Unit::Percent,
        period: Period::Year(2025),
        plan: LIUZHOU_2025,
        clause: "task 5",
        clause_zh: "附表任务5 强化耕地安全利用和风险管控",
        quote: "严格管控类耕地全部落实风险管控措施",
        lead_unit: L_TASK5_LEAD,
    },
    Target {
        id: "liuzhou-2025-priority-parcels",
        area: Area::City("4502"),
        title_en: "the 58 priority-supervision parcels: control basically complete",
        title_zh: "58个优先监管地块基本完成污染管控任务",
        source: register(Indicator::PriorityParcelsUnderControl),
        comparison: Comparison::Unquantified { words: "基本按要求完成污染管控任务" },
        unit: Unit::Percent,
        period: Period::Year(2025),
        plan: LIUZHOU_2025,
        clause: "task 7",
        clause_zh: "附表任务7 落实优先监管地块污染管控",
        quote: "到2025年，我市58个优先监管地块基本按要求完成污染管控任务",
        lead_unit: Some("市生态环境局"),
    },
    Target {
        id: "liuzhou-2025-key-construction-land",
        area: Area::City("4502"),
        title_en: "key construction land safely used",
        title_zh: "重点建设用地安全利用得到有效保障",
        source: register(Indicator::KeyConstructionLandSafelyUsed),
        comparison: Comparison::EffectivelyGuaranteed,
        unit: Unit::Percent,
        period: Period::Year(2025),
        plan: LIUZHOU_2025,
        clause: "goals, footnote",
        clause_zh: "一、总体要求（总体目标）脚注",
        quote: "“十四五”期间“重点建设用地安全利用率”每年达到100%，或者达到95%以上且对存在违规开发利用的地块全部依法处理处罚到位，并督促整改到位（即未对人居环境造成风险）的，认定为实现“有效保障”",
        lead_unit: None,
    },
    Target {
        id: "liuzhou-2025-heavy-metal-emission-cut",
        area: Area::City("4502"),
        title_en: "key heavy-metal emissions of key industries cut (14th five-year plan, cumulative)",
        title_zh: "重点行业重点重金属污染物减排比例（“十四五”累计）",
        source: Source::Entered { evidence: "the emission accounts of the key heavy-metal industries" },
        comparison: at_least(6.0),
        unit: Unit::Percent,
        period: Period::ByEndOf(2025),
        plan: LIUZHOU_2025,
        clause: "task 3",
        clause_zh: "附表任务3 严格控制涉重金属行业重点污染物排放",
        quote: "到2025年底，全市重点行业重点重金属污染物减排比例达到6%以上（“十四五”累计）",
        lead_unit: Some("市生态环境局、市发展改革委"),
    },
    Target {
        id: "liuzhou-2025-key-unit-monitoring",
        area: Area::City("4502"),
        title_en: "surrounding soil and groundwater monitoring of key supervised units",
        title_zh: "重点监管单位周边土壤和地下水环境监测",
        source: register(Indicator::KeyUnitsSurroundingMonitored),
        comparison: at_least(23.0),
        unit: Unit::Count,
        period: Period::Year(2025),
        plan: LIUZHOU_2025,
        clause: "task 2",
        clause_zh: "附表任务2 压实土壤污染重点监管单位监督责任",
        quote: "配合自治区完成广西两面针亿康药业股份有限公司等23家重点监管单位周边土壤和地下水环境监测项目",
        lead_unit: Some("市生态环境局"),
    },
    Target {
        id: "liuzhou-2025-fund-started",
        area: Area::City("4502"),
        title_en: "2025 central-fund projects started",
        title_zh: "2025年获得中央土壤污染防治资金的项目开工率",
        source: Source::Entered { evidence: L_FUNDS_EVIDENCE },
        comparison: at_least(80.0),
        unit: Unit::Percent,
        period: Period::ByEndOf(2025),
        plan: LIUZHOU_2025,
        clause: "task 11",
        clause_zh: "附表任务11 强化中央专项资金项目管理",
        quote: L_FUNDS_QUOTE,
        lead_unit: Some("市生态环境局"),
    },
    Target {
        id: "liuzhou-2025-fund-completed",
        area: Area::City("4502"),
        title_en: "2025 central-fund projects completed",
        title_zh: "2025年获得中央土壤污染防治资金的项目完工率",
        source: Source::Entered { evidence: L_FUNDS_EVIDENCE },
        comparison: at_least(20.0),
        unit: Unit::Percent,
        period: Period::ByEndOf(2025),
        plan: LIUZHOU_2025,
        clause: "task 11",
        clause_zh: "附表任务11 强化中央专项资金项目管理",
        quote: L_FUNDS_QUOTE,
        lead_unit: Some("市生态环境局"),
    },
    Target {
        id: "liuzhou-2025-fund-execution",
        area: Area::City("4502"),
        title_en: "2025 central-fund budget spent",
        title_zh: "2025年中央土壤污染防治资金预算执行率",
        source: Source::Entered { evidence: L_FUNDS_EVIDENCE },
        comparison: at_least(52.0),
        unit: Unit::Percent,
        period: Period::ByEndOf(2025),
        plan: LIUZHOU_2025,
        clause: "task 11",
        clause_zh: "附表任务11 强化中央专项资金项目管理",
        quote: L_FUNDS_QUOTE,
        lead_unit: Some("市生态环境局"),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::farmland::FarmlandClass;
    use crate::domain::indicators::{Accumulator, Targets, UnitForIndicator};
    use crate::domain::key_land::RateBasis;
    use Status::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(id: &str) -> &'static Target {
        find(id).unwrap_or_else(|| panic!("no target {id}"))
    }

    fn n(v: f64) -> Option<Observed> {
        Some(Observed::Number(v))
    }

    #[test]
    fn the_table_is_whole_and_consistent() {
        assert_eq!(TARGETS.len(), 21);
        let mut ids: Vec<&str> = TARGETS.iter().map(|t| t.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), TARGETS.len(), "ids are unique");
        for t in TARGETS {
            // A target's city is its plan's city, and its id and year say which plan.
            assert_eq!(t.area, Area::City(t.plan.city), "{}", t.id);
            assert!(t.id.starts_with(t.plan.id), "{}", t.id);
            assert_eq!(t.period.year().to_string(), &t.plan.id[t.plan.id.len() - 4..], "{}", t.id);
            assert!(!t.quote.is_empty() && !t.clause.is_empty() && !t.clause_zh.is_empty(), "{}", t.id);
            if let Comparison::AtLeast { threshold } = t.comparison {
                assert!(threshold > 0.0 && (t.unit == Unit::Count || threshold <= 100.0), "{}", t.id);
            }
        }
        // The computed targets agree with the defaults `GET /indicators` uses today.
        let defaults = Targets::default();
        for (id, city) in [("guilin-2023-safe-use", "4503"), ("liuzhou-2025-safe-use", "4502")] {
            assert_eq!(t(id).comparison, at_least(defaults.safe_use[city]), "{id}");
        }
        assert_eq!(t("guilin-2023-priority-control").comparison, at_least(defaults.priority_control["4503"]));
        assert_eq!(GUILIN_2023.doc_no, Some("市政办〔2023〕20号"));
    }

    #[test]
    fn computed_targets_status_table() {
        // (target, value, as of, status, value shown)
        type Row = (&'static str, Option<Observed>, NaiveDate, Status, Option<f64>);
        let table: &[Row] = &[
            ("guilin-2023-safe-use", n(93.8), d(2023, 12, 31), Met, Some(93.8)),
            ("guilin-2023-safe-use", n(93.7996), d(2023, 12, 31), Met, Some(93.8)), // shows as 93.80
            ("guilin-2023-safe-use", n(93.79), d(2023, 12, 31), NotMet, Some(93.79)),
            ("guilin-2023-safe-use", n(90.0), d(2024, 6, 30), NotMet, Some(90.0)),
            ("guilin-2023-safe-use", n(90.0), d(2023, 6, 30), InProgress, Some(90.0)),
            ("guilin-2023-safe-use", n(95.0), d(2023, 6, 30), Met, Some(95.0)),
            ("guilin-2023-safe-use", None, d(2023, 12, 31), NotComputable, None),
            ("guilin-2023-safe-use", n(99.0), d(2022, 12, 31), NotComputable, None), // before the period
            ("guilin-2023-priority-control", n(35.0), d(2023, 12, 31), Met, Some(35.0)),
            ("guilin-2023-priority-control", n(34.99), d(2023, 12, 31), NotMet, Some(34.99)),
            ("guilin-2023-priority-control", n(20.0), d(2023, 9, 30), InProgress, Some(20.0)),
            ("guilin-2023-priority-control", None, d(2023, 9, 30), NotComputable, None),
            ("guilin-2023-strict-control-measures", n(100.0), d(2023, 12, 31), Met, Some(100.0)),
            ("guilin-2023-strict-control-measures", n(99.5), d(2023, 12, 31), NotMet, Some(99.5)),
            ("guilin-2023-strict-control-measures", n(80.0), d(2023, 3, 31), InProgress, Some(80.0)),
            ("guilin-2023-strict-control-measures", None, d(2023, 12, 31), NotComputable, None),
            ("liuzhou-2025-safe-use", n(93.0), d(2025, 12, 31), Met, Some(93.0)),
            ("liuzhou-2025-safe-use", n(92.99), d(2025, 12, 31), NotMet, Some(92.99)),
            ("liuzhou-2025-safe-use", n(92.99), d(2025, 11, 30), InProgress, Some(92.99)),
            ("liuzhou-2025-safe-use", None, d(2025, 12, 31), NotComputable, None),
            ("liuzhou-2025-strict-control-measures", n(100.0), d(2025, 12, 31), Met, Some(100.0)),
            ("liuzhou-2025-strict-control-measures", n(97.0), d(2026, 1, 31), NotMet, Some(97.0)),
            ("liuzhou-2025-strict-control-measures", n(97.0), d(2025, 7, 1), InProgress, Some(97.0)),
            ("liuzhou-2025-strict-control-measures", None, d(2025, 7, 1), NotComputable, None),
            // The plan gives no figure for the 58 parcels: even 100 % is not judged.
            ("liuzhou-2025-priority-parcels", n(100.0), d(2025, 12, 31), NotComputable, None),
            ("liuzhou-2025-priority-parcels", None, d(2025, 12, 31), NotComputable, None),
            // Entered with evidence.
            ("guilin-2023-fund-2021-execution", n(91.0), d(2023, 12, 31), Met, Some(91.0)),
            ("guilin-2023-fund-2023-execution", n(51.9), d(2023, 12, 31), NotMet, Some(51.9)),
            ("guilin-2023-fund-2022-2023-started", n(90.0), d(2023, 10, 31), InProgress, Some(90.0)),
            ("liuzhou-2025-heavy-metal-emission-cut", n(6.2), d(2025, 12, 31), Met, Some(6.2)),
            ("liuzhou-2025-heavy-metal-emission-cut", None, d(2025, 12, 31), NotComputable, None),
            ("liuzhou-2025-fund-completed", n(19.0), d(2026, 3, 1), NotMet, Some(19.0)),
            ("liuzhou-2025-fund-started", Some(Observed::Number(f64::NAN)), d(2025, 12, 31), NotComputable, None),
        ];
        for (id, value, as_of, status, shown) in table {
            let e = evaluate(t(id), value.as_ref(), *as_of);
            assert_eq!((e.status, e.value), (*status, *shown), "{id} {value:?} as of {as_of}: {}", e.basis_en);
            assert!(!e.basis_en.is_empty() && !e.basis_zh.is_empty(), "{id}");
            if e.status != NotComputable {
                assert!(e.basis_en.contains(t(id).clause), "{id}: {}", e.basis_en);
                assert!(e.basis_zh.contains(t(id).clause_zh), "{id}: {}", e.basis_zh);
            }
        }
    }

    /// Every register target is computed now; none is left planned.
    #[test]
    fn every_register_target_is_built() {
        for t in TARGETS {
            if let Source::Register { indicator } = t.source {
                assert_eq!(indicator.built(), Built::Now, "{}", t.id);
            }
        }
    }

    /// The tailings and key-unit targets from the source-control figures: share of ponds whose year is met, the
    /// count of units monitored, and no value where the scope has nothing of the kind.
    #[test]
    fn source_control_targets_table() {
        let ponds = |l1: Option<(u32, u32)>, l2: Option<(u32, u32)>, l3: Option<(u32, u32)>| SourceFigures {
            ponds: [l1, l2, l3],
            key_units_monitored: None,
        };
        let units = |m: u32, n: u32| SourceFigures { ponds: [None; 3], key_units_monitored: Some((m, n)) };
        // (target, figures, as of, status, value)
        type Row = (&'static str, SourceFigures, NaiveDate, Status, Option<f64>);
        let table: &[Row] = &[
            ("guilin-2023-tailings-level1", ponds(Some((4, 4)), None, None), d(2023, 12, 31), Met, Some(100.0)),
            ("guilin-2023-tailings-level1", ponds(Some((3, 4)), None, None), d(2023, 12, 31), NotMet, Some(75.0)),
            ("guilin-2023-tailings-level1", ponds(Some((3, 4)), None, None), d(2023, 6, 30), InProgress, Some(75.0)),
            ("guilin-2023-tailings-level1", ponds(Some((0, 3)), None, None), d(2024, 2, 1), NotMet, Some(0.0)),
            // No level-1 pond: nothing to count, not 100 %.
            ("guilin-2023-tailings-level1", ponds(None, Some((1, 1)), None), d(2023, 12, 31), NotComputable, None),
            ("guilin-2023-tailings-level1", ponds(Some((0, 0)), None, None), d(2023, 12, 31), NotComputable, None),
            ("guilin-2023-tailings-level2", ponds(None, Some((2, 2)), None), d(2023, 12, 31), Met, Some(100.0)),
            ("guilin-2023-tailings-level2", ponds(None, Some((2, 3)), None), d(2023, 12, 31), NotMet, Some(66.67)),
            ("guilin-2023-tailings-level2", ponds(Some((1, 1)), None, None), d(2023, 12, 31), NotComputable, None),
            ("guilin-2023-tailings-level3", ponds(None, None, Some((1, 2))), d(2023, 12, 31), Met, Some(50.0)),
            ("guilin-2023-tailings-level3", ponds(None, None, Some((1, 3))), d(2023, 12, 31), NotMet, Some(33.33)),
            ("guilin-2023-tailings-level3", ponds(None, None, Some((1, 3))), d(2023, 10, 1), InProgress, Some(33.33)),
            ("guilin-2023-tailings-level3", ponds(None, None, None), d(2023, 12, 31), NotComputable, None),
            ("guilin-2023-tailings-level3", ponds(None, None, Some((2, 2))), d(2022, 12, 31), NotComputable, None),
            ("liuzhou-2025-key-unit-monitoring", units(23, 40), d(2025, 12, 31), Met, Some(23.0)),
            ("liuzhou-2025-key-unit-monitoring", units(22, 40), d(2025, 12, 31), NotMet, Some(22.0)),
            ("liuzhou-2025-key-unit-monitoring", units(0, 5), d(2025, 8, 1), InProgress, Some(0.0)),
            ("liuzhou-2025-key-unit-monitoring", units(0, 0), d(2025, 12, 31), NotComputable, None),
            ("liuzhou-2025-key-unit-monitoring", SourceFigures::default(), d(2025, 12, 31), NotComputable, None),
        ];
        for (id, figures, as_of, status, shown) in table {
            let Source::Register { indicator } = t(id).source else { panic!("{id} is not computed") };
            assert!(indicator.from_sources(), "{id}");
            let computed = indicator.source_value(figures);
            let mut e = evaluate(t(id), computed.as_ref().map(|(v, _, _)| v), *as_of);
            if let Some((_, en, zh)) = &computed {
                e = e.explained(en, zh);
            }
            assert_eq!((e.status, e.value), (*status, *shown), "{id} {figures:?} as of {as_of}: {}", e.basis_en);
            if e.value.is_some() {
                // The basis says how, from which records, and which figure of GET /indicators it is.
                assert!(e.basis_en.contains("computed as") && e.basis_en.contains("source_control"), "{}", e.basis_en);
                assert!(e.basis_zh.contains("计算方法") && e.basis_zh.contains("记录"), "{}", e.basis_zh);
            }
        }
        // The farmland indicators are not read for these, nor the source figures for the others.
        assert_eq!(Indicator::SafeUtilisationRate.source_value(&units(1, 1)), None);
        assert!(!Indicator::SafeUtilisationRate.from_sources());
    }

    /// The key-construction-land target is judged on the "effectively guaranteed" rule, not on the bare rate.
    #[test]
    fn key_land_follows_the_rule() {
        use crate::domain::key_land::{key_land_rate, DevelopedLand, EnforcementRecord};
        let built = *t("liuzhou-2025-key-construction-land");
        let land = |id: usize, ok: bool, corrected: bool| DevelopedLand {
            parcel_id: format!("P{id}"),
            county_code: "450203".into(),
            developed_on: d(2025, 5, 1),
            area_m2: 100.0,
            chain_complete: ok,
            enforcement: vec![EnforcementRecord {
                decision: "决定".into(),
                decided_on: d(2025, 6, 1),
                corrected_on: corrected.then(|| d(2025, 8, 1)),
            }],
        };
        let mut all: Vec<DevelopedLand> = (0..24).map(|i| land(i, true, false)).collect();
        all.push(land(99, false, true));
        let rate = |v: &[DevelopedLand], as_of| {
            Observed::KeyLand(key_land_rate(
                v,
                &Scope::City("4502".into()),
                d(2025, 1, 1),
                d(2025, 12, 31),
                as_of,
                RateBasis::Count,
            ))
        };
        let e = evaluate(&built, Some(&rate(&all, d(2025, 12, 31))), d(2025, 12, 31));
        assert_eq!((e.status, e.value), (Met, Some(96.0)), "{}", e.basis_en);
        let e = evaluate(&built, Some(&rate(&all, d(2025, 7, 1))), d(2025, 7, 1));
        assert_eq!((e.status, e.value), (InProgress, Some(96.0)), "not yet corrected in July: {}", e.basis_en);
        all.push(land(98, false, false));
        all.extend((100..124).map(|i| land(i, true, false)));
        let e = evaluate(&built, Some(&rate(&all, d(2025, 12, 31))), d(2025, 12, 31));
        assert_eq!((e.status, e.value), (NotMet, Some(96.0)), "{}", e.basis_en);
        let e = evaluate(&built, Some(&rate(&[], d(2025, 12, 31))), d(2025, 12, 31));
        assert_eq!(e.status, NotComputable);
        // A bare number is not the kind of value this target is judged on.
        assert_eq!(evaluate(&built, n(100.0).as_ref(), d(2025, 12, 31)).status, NotComputable);
    }

    #[test]
    fn jurisdiction() {
        let guilin = t("guilin-2023-safe-use");
        let liuzhou = t("liuzhou-2025-safe-use");
        let table: &[(&Target, Scope, bool)] = &[
            (guilin, Scope::City("4503".into()), true),
            (guilin, Scope::County("450302".into()), true),
            (guilin, Scope::City("4502".into()), false),
            (guilin, Scope::County("450203".into()), false),
            (guilin, Scope::All, false),
            (liuzhou, Scope::County("450203".into()), true),
            (liuzhou, Scope::County("450302".into()), false),
            (liuzhou, Scope::City("4501".into()), false),
        ];
        for (target, scope, applies) in table {
            assert_eq!(target.applies_to(scope), *applies, "{} in {scope}", target.id);
            let r = evaluate_in(target, scope, n(99.0).as_ref(), d(target.period.year(), 12, 31));
            match r {
                Ok(e) => assert!(*applies && e.status == Met, "{} in {scope}", target.id),
                Err(err) => {
                    assert!(!*applies, "{} in {scope}", target.id);
                    assert!(err.to_string().contains(target.id) && err.to_string().contains("不适用"), "{err}");
                }
            }
        }
        // No Liuzhou code ever gets a Guilin target, in any year; and the reverse.
        for year in 2020..2030 {
            for code in ["4502", "450203", "450222"] {
                let scope: Scope = code.parse().unwrap();
                assert!(targets_for(&scope, year).iter().all(|t| t.plan.id == "liuzhou-2025"), "{code} {year}");
            }
            assert!(targets_for(&Scope::City("4503".into()), year).iter().all(|t| t.plan.id == "guilin-2023"));
            assert!(targets_for(&Scope::All, year).is_empty());
        }
        assert_eq!(targets_for(&Scope::County("450302".into()), 2023).len(), 12);
        assert_eq!(targets_for(&Scope::City("4502".into()), 2025).len(), 9);
        assert!(targets_for(&Scope::City("4502".into()), 2023).is_empty());
    }

    #[test]
    fn values_from_todays_indicators() {
        let unit = |class, measures, area_m2| UnitForIndicator {
            county_code: "450302".into(),
            class,
            measures_in_place: measures,
            crops_compliant: None,
            area_m2,
        };
        let mut acc = Accumulator::new(Scope::City("4503".into()), &Targets::default());
        for u in [
            unit(FarmlandClass::SafeUse, true, 900.0),
            unit(FarmlandClass::StrictControl, true, 300.0),
            unit(FarmlandClass::StrictControl, false, 100.0),
        ] {
            acc.add_unit(&u);
        }
        let ind = acc.finish();
        assert_eq!(Indicator::SafeUtilisationRate.value(&ind), n(92.31));
        assert_eq!(Indicator::StrictControlWithMeasures.value(&ind), n(75.0));
        assert_eq!(Indicator::PriorityParcelsUnderControl.value(&ind), None, "no priority parcels");
        assert_eq!(Indicator::TailingsLevel3SpotChecked.value(&ind), None);
        // Whatever the register cannot count, the answer says what it would need, in both languages.
        for t in TARGETS {
            if let Source::Register { indicator } = t.source {
                let (en, zh) = indicator.needs();
                assert!(!en.is_empty() && !zh.is_empty(), "{}", t.id);
            }
        }
        assert_eq!(Indicator::PriorityParcelsUnderControl.needs().1, "范围内登记的优先监管地块");
        let target = t("guilin-2023-safe-use");
        let as_of = d(2024, 3, 1);
        assert_eq!(target.value_date(as_of), d(2023, 12, 31));
        let e = evaluate(target, Indicator::SafeUtilisationRate.value(&ind).as_ref(), as_of);
        assert_eq!(e.status, NotMet);
        assert_eq!(serde_json::to_value(e.status).unwrap(), "not_met");
    }
}
