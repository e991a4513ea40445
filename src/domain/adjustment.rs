//! The method that proposes a farmland unit's class from the samples inside it (动态调整), and the summary of a
//! batch of proposals (docs/adjustment.md). Every choice the method makes is a field of
//! [`AdjustmentSettings`], one table, so a bureau can change it and a batch can say which settings it used.
//!
//! Which samples lie inside a unit, and which are recent enough to count, is the caller's choice (the store
//! will select them by point-in-polygon and date); the method only judges what it is given.

use super::crops::{CropJudgement, CropStatus};
use super::farmland::{classify, CropFinding, FarmlandClass, SoilGrade};
use super::geometry::M2_PER_MU;
use super::indicators::{Accumulator, FarmlandByClass, SafeUtilisation, Scope, Targets, UnitForIndicator};
use super::measures::{Cover, Period};
use super::soil::{Grading, Pollutant};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Grade × crop finding → class. The crop column "not sampled" is for units whose crops have no judged
/// sample; by default it reads like "compliant" (the soil alone decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassTable {
    /// Rows A, B, C; columns not sampled, compliant, exceeds, severe exceedance.
    pub cells: [[FarmlandClass; 4]; 3],
}

impl Default for ClassTable {
    /// `farmland::classify` (docs/domain.md §1), the mapping `POST /soil-grade` serves, plus the
    /// "not sampled" column.
    fn default() -> Self {
        let row = |g| {
            [
                classify(g, CropFinding::Compliant),
                classify(g, CropFinding::Compliant),
                classify(g, CropFinding::Exceeds),
                classify(g, CropFinding::SevereExceedance),
            ]
        };
        ClassTable { cells: [row(SoilGrade::A), row(SoilGrade::B), row(SoilGrade::C)] }
    }
}

impl ClassTable {
    pub fn get(&self, grade: SoilGrade, crops: Option<CropFinding>) -> FarmlandClass {
        let col = match crops {
            None => 0,
            Some(CropFinding::Compliant) => 1,
            Some(CropFinding::Exceeds) => 2,
            Some(CropFinding::SevereExceedance) => 3,
        };
        self.cells[grade as usize][col]
    }
}

/// What a unit with fewer soil samples than the minimum gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TooFewSamples {
    /// Keep the current class and flag the unit for denser sampling (加密采样). The default.
    KeepAndFlag,
    /// Propose from the samples there are (if any) and still flag the unit.
    ProposeAndFlag,
}

/// How several samples in one unit combine into one grade (and one crop finding).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", content = "share", rename_all = "snake_case")]
pub enum Combine {
    /// The worst sample decides. The default: a unit is one class for all its land, and one hot spot is
    /// polluted land whatever the other samples say.
    Worst,
    /// The worst grade that at least this share (0–1] of the samples reach or exceed.
    Share(f64),
}

/// Read from the settings file's `[adjustment]` table (src/config.rs); a missing field keeps its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdjustmentSettings {
    pub table: ClassTable,
    /// Soil samples a unit needs before its class is proposed from them (default 1).
    pub min_soil_samples: usize,
    pub too_few: TooFewSamples,
    /// Consecutive clean crop seasons, counted back from the latest, before a unit may move to a less strict
    /// class (default 2). A move to a stricter class needs none.
    pub clean_seasons_to_move_down: usize,
    pub combine: Combine,
}

impl Default for AdjustmentSettings {
    fn default() -> Self {
        AdjustmentSettings {
            table: ClassTable::default(),
            min_soil_samples: 1,
            too_few: TooFewSamples::KeepAndFlag,
            clean_seasons_to_move_down: 2,
            combine: Combine::Worst,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SettingsError {
    #[error("min_soil_samples must be at least 1")]
    MinSamples,
    #[error("the share rule needs a share above 0 and at most 1, not {0}")]
    Share(f64),
}

impl AdjustmentSettings {
    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.min_soil_samples == 0 {
            return Err(SettingsError::MinSamples);
        }
        match self.combine {
            Combine::Share(s) if !(s.is_finite() && s > 0.0 && s <= 1.0) => Err(SettingsError::Share(s)),
            _ => Ok(()),
        }
    }
}

/// The unit as the register holds it when the batch is computed.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitInput {
    pub unit_code: String,
    pub county_code: String,
    pub class: FarmlandClass,
    pub area_m2: f64,
    pub measures_in_place: bool,
    pub crops_compliant: Option<bool>,
}

/// A graded soil sample inside the unit.
#[derive(Debug, Clone)]
pub struct SoilSampleIn {
    pub sample_code: String,
    pub period: Period,
    pub grading: Grading,
}

/// A judged crop sample inside the unit.
#[derive(Debug, Clone)]
pub struct CropSampleIn {
    pub sample_code: String,
    pub period: Period,
    pub judgement: CropJudgement,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SoilEvidence {
    pub sample_code: String,
    pub period: Period,
    pub grade: SoilGrade,
    pub governing: Vec<Pollutant>,
    /// The highest value / screening value over the graded pollutants.
    pub worst_ratio_to_screening: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CropEvidence {
    pub sample_code: String,
    pub period: Period,
    pub crop: Option<String>,
    pub status: CropStatus,
    pub worst_ratio: Option<f64>,
    pub worst_metal: Option<super::crops::Metal>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub soil: Vec<SoilEvidence>,
    pub crops: Vec<CropEvidence>,
    /// The combined grade; none without soil samples.
    pub grade: Option<SoilGrade>,
    /// The combined finding over judged crop samples; none when none was judged.
    pub crop_finding: Option<CropFinding>,
    /// The class the table gives for the combined grade and finding, before the move-down rule.
    pub table_class: Option<FarmlandClass>,
    pub clean_seasons: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The evidence moves the unit to another class.
    Moved,
    /// The evidence gives the class the unit has.
    Confirmed,
    /// Fewer soil samples than the minimum.
    TooFewSamples,
    /// The evidence points to a less strict class, but not for enough clean seasons yet.
    AwaitingCleanSeasons,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Unchanged,
    /// To a stricter class.
    Up,
    /// To a less strict class.
    Down,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub unit_code: String,
    pub current_class: FarmlandClass,
    pub proposed_class: FarmlandClass,
    pub direction: Direction,
    pub outcome: Outcome,
    pub denser_sampling: bool,
    pub evidence: Evidence,
    pub reason_zh: String,
    pub reason_en: String,
}

/// Which way a unit moves from `from` to `to` (a reviewer's override is judged like a proposal).
pub fn direction(from: FarmlandClass, to: FarmlandClass) -> Direction {
    match strictness(to).cmp(&strictness(from)) {
        std::cmp::Ordering::Equal => Direction::Unchanged,
        std::cmp::Ordering::Greater => Direction::Up,
        std::cmp::Ordering::Less => Direction::Down,
    }
}

/// 0 for priority protection, 1 safe use, 2 strict control.
fn strictness(c: FarmlandClass) -> u8 {
    match c {
        FarmlandClass::PriorityProtection => 0,
        FarmlandClass::SafeUse => 1,
        FarmlandClass::StrictControl => 2,
    }
}

fn finding_rank(f: CropFinding) -> u8 {
    match f {
        CropFinding::Compliant => 0,
        CropFinding::Exceeds => 1,
        CropFinding::SevereExceedance => 2,
    }
}

/// Combines ranked items: the worst, or the worst that at least `share` of them reach or exceed.
fn combine<T: Copy>(items: &[T], rank: impl Fn(T) -> u8, rule: Combine) -> Option<T> {
    let mut sorted: Vec<T> = items.to_vec();
    sorted.sort_by_key(|&t| std::cmp::Reverse(rank(t)));
    match rule {
        Combine::Worst => sorted.first().copied(),
        Combine::Share(share) => {
            let n = sorted.len() as f64;
            // The k-th worst is reached or exceeded by k of n samples; take the first k whose share suffices.
            sorted.iter().enumerate().find(|(i, _)| (*i as f64 + 1.0) / n >= share - 1e-12).map(|(_, &t)| t)
        }
    }
}

fn grade_rank(g: SoilGrade) -> u8 {
    g as u8
}

fn soil_evidence(s: &SoilSampleIn) -> SoilEvidence {
    let worst = s
        .grading
        .pollutants
        .iter()
        .filter(|p| p.grade.is_some() && p.screening_mg_kg > 0.0)
        .map(|p| p.value_mg_kg / p.screening_mg_kg)
        .fold(None, |acc: Option<f64>, r| Some(acc.map_or(r, |a| a.max(r))));
    SoilEvidence {
        sample_code: s.sample_code.clone(),
        period: s.period,
        grade: s.grading.grade,
        governing: s.grading.governing.clone(),
        worst_ratio_to_screening: worst,
    }
}

fn crop_evidence(c: &CropSampleIn) -> CropEvidence {
    CropEvidence {
        sample_code: c.sample_code.clone(),
        period: c.period,
        crop: c.judgement.crop.clone(),
        status: c.judgement.status,
        worst_ratio: c.judgement.worst_ratio,
        worst_metal: c.judgement.worst_metal,
    }
}

fn finding_zh(f: Option<CropFinding>) -> &'static str {
    match f {
        None => "无已判定的农产品样品",
        Some(CropFinding::Compliant) => "农产品达标",
        Some(CropFinding::Exceeds) => "农产品超标",
        Some(CropFinding::SevereExceedance) => "农产品严重超标",
    }
}

fn finding_en(f: Option<CropFinding>) -> &'static str {
    match f {
        None => "no judged crop sample",
        Some(CropFinding::Compliant) => "crops compliant",
        Some(CropFinding::Exceeds) => "crops exceed limits",
        Some(CropFinding::SevereExceedance) => "severe crop exceedance",
    }
}

/// Proposes the unit's class from its samples.
pub fn propose(unit: &UnitInput, soil: &[SoilSampleIn], crops: &[CropSampleIn], s: &AdjustmentSettings) -> Proposal {
    let current = unit.class;
    let mut evidence = Evidence {
        soil: soil.iter().map(soil_evidence).collect(),
        crops: crops.iter().map(crop_evidence).collect(),
        grade: None,
        crop_finding: None,
        table_class: None,
        clean_seasons: 0,
    };
    let grades: Vec<SoilGrade> = soil.iter().map(|x| x.grading.grade).collect();
    let judged: Vec<(Period, CropFinding)> =
        crops.iter().filter_map(|c| c.judgement.status.finding().map(|f| (c.period, f))).collect();
    let findings: Vec<CropFinding> = judged.iter().map(|j| j.1).collect();
    evidence.grade = combine(&grades, grade_rank, s.combine);
    evidence.crop_finding = combine(&findings, finding_rank, s.combine);

    let (n, min) = (soil.len(), s.min_soil_samples);
    let too_few = n < min;
    let keep = |outcome, evidence, zh: String, en: String, flag| Proposal {
        unit_code: unit.unit_code.clone(),
        current_class: current,
        proposed_class: current,
        direction: Direction::Unchanged,
        outcome,
        denser_sampling: flag,
        evidence,
        reason_zh: zh,
        reason_en: en,
    };
    let Some(grade) = evidence.grade.filter(|_| !too_few || s.too_few == TooFewSamples::ProposeAndFlag) else {
        return keep(
            Outcome::TooFewSamples,
            evidence,
            format!("单元内土壤样品{n}个，少于最少{min}个：保持{}，需加密采样", current.name_zh()),
            format!("{n} soil sample(s) in the unit, fewer than the minimum of {min}: keeps {current}; flagged for denser sampling"),
            true,
        );
    };
    let table_class = s.table.get(grade, evidence.crop_finding);
    evidence.table_class = Some(table_class);
    let basis_zh =
        format!("土壤{}级、{}，按分类表为{}", grade.as_str(), finding_zh(evidence.crop_finding), table_class.name_zh());
    let basis_en =
        format!("soil grade {}, {}: the table gives {table_class}", grade.as_str(), finding_en(evidence.crop_finding));
    let few_zh = if too_few {
        format!("（土壤样品{n}个，少于最少{min}个，需加密采样）")
    } else {
        String::new()
    };
    let few_en = if too_few {
        format!(" ({n} soil sample(s), fewer than the minimum of {min}: flagged for denser sampling)")
    } else {
        String::new()
    };

    if strictness(table_class) < strictness(current) {
        // Count clean seasons back from the latest: a season is clean when its own crop finding, with the
        // unit's grade, gives a class no stricter than the one proposed. Seasons without judged samples are
        // neither clean nor a break.
        let seasons: BTreeSet<Period> = judged.iter().map(|j| j.0).collect();
        let mut clean = 0;
        for period in seasons.iter().rev() {
            let in_season: Vec<CropFinding> = judged.iter().filter(|j| j.0 == *period).map(|j| j.1).collect();
            let finding = combine(&in_season, finding_rank, s.combine);
            if strictness(s.table.get(grade, finding)) <= strictness(table_class) {
                clean += 1;
            } else {
                break;
            }
        }
        evidence.clean_seasons = clean;
        let need = s.clean_seasons_to_move_down;
        if clean < need {
            return keep(
                Outcome::AwaitingCleanSeasons,
                evidence,
                format!("{basis_zh}；连续达标{clean}季，少于下调所需{need}季：保持{}{few_zh}", current.name_zh()),
                format!("{basis_en}; {clean} clean season(s) in a row, fewer than the {need} needed to move down: keeps {current}{few_en}"),
                too_few,
            );
        }
    }
    let (direction, outcome) = match strictness(table_class).cmp(&strictness(current)) {
        std::cmp::Ordering::Equal => (Direction::Unchanged, Outcome::Confirmed),
        std::cmp::Ordering::Greater => (Direction::Up, Outcome::Moved),
        std::cmp::Ordering::Less => (Direction::Down, Outcome::Moved),
    };
    let (zh, en) = match outcome {
        Outcome::Confirmed => {
            (format!("{basis_zh}：维持{}{few_zh}", current.name_zh()), format!("{basis_en}: stays {current}{few_en}"))
        }
        _ => (
            format!("{basis_zh}：由{}调整为{}{few_zh}", current.name_zh(), table_class.name_zh()),
            format!("{basis_en}: moves from {current} to {table_class}{few_en}"),
        ),
    };
    Proposal {
        unit_code: unit.unit_code.clone(),
        current_class: current,
        proposed_class: table_class,
        direction,
        outcome,
        denser_sampling: too_few,
        evidence,
        reason_zh: zh,
        reason_en: en,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassChange {
    pub from: FarmlandClass,
    pub to: FarmlandClass,
    pub units: u64,
    pub area_m2: f64,
    pub area_mu: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchSummary {
    pub units: u64,
    pub moved_up: u64,
    pub moved_down: u64,
    pub confirmed: u64,
    pub too_few_samples: u64,
    pub awaiting_clean_seasons: u64,
    pub denser_sampling: u64,
    /// Only pairs with a change, ordered from → to by strictness.
    pub changes: Vec<ClassChange>,
    pub before: FarmlandByClass,
    pub after: FarmlandByClass,
    pub rate_before: SafeUtilisation,
    pub rate_after: SafeUtilisation,
}

/// Summarises a batch over `scope` (units outside it are skipped, as the indicators skip them). Each unit
/// comes with the cover of its measures ledger for the batch's year, None without entries for it, and is
/// counted as `GET /indicators` counts it ([`Accumulator::add_unit_with_ledger`]): the ledger where it has
/// entries, the `measures_in_place` flag where not. "After" is the register with every proposed class
/// applied and nothing else, as approval leaves it: a unit that changes class loses its flag (its measures
/// were for the old class), and its ledger entries count for its new class as the official method counts
/// them (a safe-use measure does not make strict-control land safely used).
pub fn summarise<'a>(
    scope: Scope,
    targets: &Targets,
    items: impl IntoIterator<Item = (&'a UnitInput, &'a Proposal, Option<Cover>)>,
) -> BatchSummary {
    let mut before = Accumulator::new(scope.clone(), targets);
    let mut after = Accumulator::new(scope.clone(), targets);
    let mut pairs: BTreeMap<(u8, u8), ClassChange> = BTreeMap::new();
    let (mut units, mut up, mut down, mut confirmed, mut few, mut awaiting, mut denser) = (0, 0, 0, 0, 0, 0, 0);
    for (u, p, cover) in items {
        if !scope.contains(&u.county_code) {
            continue;
        }
        debug_assert_eq!(u.unit_code, p.unit_code, "a proposal summarised with another unit");
        let row = UnitForIndicator {
            county_code: u.county_code.clone(),
            class: u.class,
            measures_in_place: u.measures_in_place,
            crops_compliant: u.crops_compliant,
            area_m2: u.area_m2,
        };
        before.add_unit_with_ledger(&row, cover.as_ref());
        let changed = p.proposed_class != u.class;
        after.add_unit_with_ledger(
            &UnitForIndicator { class: p.proposed_class, measures_in_place: u.measures_in_place && !changed, ..row },
            cover.as_ref(),
        );
        units += 1;
        match p.direction {
            Direction::Up => up += 1,
            Direction::Down => down += 1,
            Direction::Unchanged => {}
        }
        match p.outcome {
            Outcome::Confirmed => confirmed += 1,
            Outcome::TooFewSamples => few += 1,
            Outcome::AwaitingCleanSeasons => awaiting += 1,
            Outcome::Moved => {}
        }
        if p.denser_sampling {
            denser += 1;
        }
        if changed {
            let area = if u.area_m2.is_finite() && u.area_m2 > 0.0 { u.area_m2 } else { 0.0 };
            let c = pairs.entry((strictness(u.class), strictness(p.proposed_class))).or_insert(ClassChange {
                from: u.class,
                to: p.proposed_class,
                units: 0,
                area_m2: 0.0,
                area_mu: 0.0,
            });
            c.units += 1;
            c.area_m2 += area;
        }
    }
    let changes = pairs
        .into_values()
        .map(|c| ClassChange {
            area_m2: (c.area_m2 * 10.0).round() / 10.0,
            area_mu: (c.area_m2 / M2_PER_MU * 100.0).round() / 100.0,
            ..c
        })
        .collect();
    let (before, after) = (before.finish(), after.finish());
    BatchSummary {
        units,
        moved_up: up,
        moved_down: down,
        confirmed,
        too_few_samples: few,
        awaiting_clean_seasons: awaiting,
        denser_sampling: denser,
        changes,
        before: before.farmland_by_class,
        after: after.farmland_by_class,
        rate_before: before.safe_utilisation,
        rate_after: after.safe_utilisation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::crops::{judge, CropLimits, CropSample, Metal};
    use crate::domain::measures::RateSource;
    use crate::domain::soil::{grade, Sample, SoilUse};
    use FarmlandClass::*;

    fn unit(code: &str, class: FarmlandClass, area_m2: f64) -> UnitInput {
        UnitInput {
            unit_code: code.into(),
            county_code: "450302".into(),
            class,
            area_m2,
            measures_in_place: true,
            crops_compliant: None,
        }
    }

    fn period(year: i32, season: u8) -> Period {
        Period { year, season: Some(season) }
    }

    /// Paddy at pH 6.0: Cd 0.2 grades A, 1.0 B, 5.0 C.
    fn soil(code: &str, g: SoilGrade) -> SoilSampleIn {
        let cd = match g {
            SoilGrade::A => 0.2,
            SoilGrade::B => 1.0,
            SoilGrade::C => 5.0,
        };
        let grading =
            grade(&Sample { ph: 6.0, land: SoilUse::Paddy, concentrations: vec![(Pollutant::Cd, cd)] }).unwrap();
        assert_eq!(grading.grade, g);
        SoilSampleIn { sample_code: code.into(), period: period(2026, 1), grading }
    }

    /// Rice Cd against 0.2: 0.1 compliant, 0.3 exceeds, 0.5 severe; "sugarcane" is not judged.
    fn crop(code: &str, p: Period, status: CropStatus) -> CropSampleIn {
        let (crop, cd) = match status {
            CropStatus::Compliant => ("rice", 0.1),
            CropStatus::Exceeds => ("rice", 0.3),
            CropStatus::Severe => ("rice", 0.5),
            CropStatus::NotJudged => ("sugarcane", 0.5),
        };
        let judgement =
            judge(&CropSample { crop: crop.into(), concentrations: vec![(Metal::Cd, cd)] }, &CropLimits::default())
                .unwrap();
        assert_eq!(judgement.status, status);
        CropSampleIn { sample_code: code.into(), period: p, judgement }
    }

    #[test]
    fn every_cell_of_the_default_table() {
        use CropStatus as S;
        use SoilGrade::{A, B, C};
        // (grade, crop sample, class); the "not sampled" column also covers a sample that could not be judged.
        let table = [
            (A, None, PriorityProtection),
            (A, Some(S::NotJudged), PriorityProtection),
            (A, Some(S::Compliant), PriorityProtection),
            (A, Some(S::Exceeds), SafeUse),
            (A, Some(S::Severe), SafeUse),
            (B, None, SafeUse),
            (B, Some(S::Compliant), SafeUse),
            (B, Some(S::Exceeds), SafeUse),
            (B, Some(S::Severe), StrictControl),
            (C, None, StrictControl),
            (C, Some(S::Compliant), StrictControl),
            (C, Some(S::Exceeds), StrictControl),
            (C, Some(S::Severe), StrictControl),
        ];
        let s = AdjustmentSettings::default();
        for (g, c, class) in table {
            let crops: Vec<_> = c.map(|st| crop("c1", period(2026, 1), st)).into_iter().collect();
            // From the least strict class nothing is a move down, so the table alone decides.
            let p = propose(&unit("u", PriorityProtection, 1.0), &[soil("s1", g)], &crops, &s);
            assert_eq!(p.proposed_class, class, "{g:?} {c:?}");
            assert_eq!(p.evidence.table_class, Some(class));
            assert_eq!(p.direction, if class == PriorityProtection { Direction::Unchanged } else { Direction::Up });
            assert!(!p.denser_sampling);
        }
        // The table's three finding columns are `farmland::classify`, the mapping POST /soil-grade serves.
        for g in [A, B, C] {
            for f in CropFinding::ALL {
                assert_eq!(s.table.get(g, Some(f)), classify(g, f));
            }
        }
    }

    #[test]
    fn a_bureau_can_change_a_cell() {
        let mut s = AdjustmentSettings::default();
        s.table.cells[0][2] = PriorityProtection; // A + exceeds stays priority protection
        let p = propose(
            &unit("u", PriorityProtection, 1.0),
            &[soil("s", SoilGrade::A)],
            &[crop("c", period(2026, 1), CropStatus::Exceeds)],
            &s,
        );
        assert_eq!((p.proposed_class, p.outcome), (PriorityProtection, Outcome::Confirmed));
    }

    #[test]
    fn units_without_samples_keep_their_class_and_are_flagged() {
        for too_few in [TooFewSamples::KeepAndFlag, TooFewSamples::ProposeAndFlag] {
            let s = AdjustmentSettings { too_few, ..AdjustmentSettings::default() };
            for class in FarmlandClass::ALL {
                // Crop samples alone do not propose: the grade comes from the soil.
                let p = propose(&unit("u", class, 1.0), &[], &[crop("c", period(2026, 1), CropStatus::Severe)], &s);
                assert_eq!(
                    (p.proposed_class, p.outcome, p.denser_sampling),
                    (class, Outcome::TooFewSamples, true),
                    "{class} {too_few:?}"
                );
                assert_eq!(p.evidence.crops.len(), 1);
                assert!(
                    p.reason_en.contains("0 soil sample(s)") && p.reason_zh.contains("需加密采样"),
                    "{}",
                    p.reason_en
                );
            }
        }
    }

    #[test]
    fn minimum_samples() {
        let three = |too_few| AdjustmentSettings { min_soil_samples: 3, too_few, ..AdjustmentSettings::default() };
        let two = [soil("s1", SoilGrade::B), soil("s2", SoilGrade::A)];
        let u = unit("u", PriorityProtection, 1.0);
        // (settings, samples, proposed, outcome, flagged)
        let table = [
            (three(TooFewSamples::KeepAndFlag), &two[..], PriorityProtection, Outcome::TooFewSamples, true),
            (three(TooFewSamples::ProposeAndFlag), &two[..], SafeUse, Outcome::Moved, true),
            (
                three(TooFewSamples::KeepAndFlag),
                &[soil("s1", SoilGrade::B), soil("s2", SoilGrade::A), soil("s3", SoilGrade::A)][..],
                SafeUse,
                Outcome::Moved,
                false,
            ),
            (AdjustmentSettings::default(), &two[..1], SafeUse, Outcome::Moved, false),
        ];
        for (i, (s, samples, class, outcome, flagged)) in table.into_iter().enumerate() {
            let p = propose(&u, samples, &[], &s);
            assert_eq!(
                (p.proposed_class, p.outcome, p.denser_sampling),
                (class, outcome, flagged),
                "row {i}: {}",
                p.reason_en
            );
            assert_eq!(p.evidence.soil.len(), samples.len());
        }
    }

    #[test]
    fn moving_down_needs_clean_seasons_in_a_row() {
        use CropStatus::*;
        let a = [soil("s", SoilGrade::A)];
        let b = [soil("s", SoilGrade::B)];
        let share = AdjustmentSettings { combine: Combine::Share(0.5), ..AdjustmentSettings::default() };
        let three = AdjustmentSettings { clean_seasons_to_move_down: 3, ..share.clone() };
        let zero = AdjustmentSettings { clean_seasons_to_move_down: 0, ..AdjustmentSettings::default() };
        let d = AdjustmentSettings::default();
        // (name, current, soil, crops, settings, proposed, outcome, clean seasons)
        type Row<'a> = (
            &'a str,
            FarmlandClass,
            &'a [SoilSampleIn],
            Vec<CropSampleIn>,
            &'a AdjustmentSettings,
            FarmlandClass,
            Outcome,
            usize,
        );
        let table: Vec<Row> = vec![
            ("no crop samples: no clean season", SafeUse, &a, vec![], &d, SafeUse, Outcome::AwaitingCleanSeasons, 0),
            (
                "one clean season",
                SafeUse,
                &a,
                vec![crop("c1", period(2026, 1), Compliant)],
                &d,
                SafeUse,
                Outcome::AwaitingCleanSeasons,
                1,
            ),
            (
                "two samples in one season are one season",
                SafeUse,
                &a,
                vec![crop("c1", period(2026, 1), Compliant), crop("c2", period(2026, 1), Compliant)],
                &d,
                SafeUse,
                Outcome::AwaitingCleanSeasons,
                1,
            ),
            (
                "early and late rice clean",
                SafeUse,
                &a,
                vec![crop("c1", period(2026, 1), Compliant), crop("c2", period(2026, 2), Compliant)],
                &d,
                PriorityProtection,
                Outcome::Moved,
                2,
            ),
            (
                "a season not judged is no break",
                SafeUse,
                &a,
                vec![
                    crop("c1", period(2025, 2), Compliant),
                    crop("c2", period(2026, 1), NotJudged),
                    crop("c3", period(2026, 2), Compliant),
                ],
                &d,
                PriorityProtection,
                Outcome::Moved,
                2,
            ),
            ("zero seasons needed", SafeUse, &a, vec![], &zero, PriorityProtection, Outcome::Moved, 0),
            (
                "strict to safe use on two seasons without severe exceedance",
                StrictControl,
                &b,
                vec![crop("c1", period(2025, 1), Exceeds), crop("c2", period(2025, 2), Compliant)],
                &d,
                SafeUse,
                Outcome::Moved,
                2,
            ),
            (
                "an old exceedance outvoted by share: the two latest seasons are clean",
                SafeUse,
                &a,
                vec![
                    crop("c1", period(2024, 1), Exceeds),
                    crop("c2", period(2025, 1), Compliant),
                    crop("c3", period(2025, 2), Compliant),
                ],
                &share,
                PriorityProtection,
                Outcome::Moved,
                2,
            ),
            (
                "the old exceedance breaks the run when three seasons are needed",
                SafeUse,
                &a,
                vec![
                    crop("c1", period(2024, 1), Exceeds),
                    crop("c2", period(2025, 1), Compliant),
                    crop("c3", period(2025, 2), Compliant),
                ],
                &three,
                SafeUse,
                Outcome::AwaitingCleanSeasons,
                2,
            ),
            (
                "the worst rule: any exceedance keeps the unit safe use",
                SafeUse,
                &a,
                vec![
                    crop("c1", period(2024, 1), Exceeds),
                    crop("c2", period(2025, 1), Compliant),
                    crop("c3", period(2025, 2), Compliant),
                ],
                &d,
                SafeUse,
                Outcome::Confirmed,
                0,
            ),
            ("moving up needs no clean season", PriorityProtection, &b, vec![], &d, SafeUse, Outcome::Moved, 0),
        ];
        for (name, current, soil, crops, s, class, outcome, clean) in table {
            let p = propose(&unit("u", current, 1.0), soil, &crops, s);
            assert_eq!(
                (p.proposed_class, p.outcome, p.evidence.clean_seasons),
                (class, outcome, clean),
                "{name}: {}",
                p.reason_en
            );
            assert!(!p.denser_sampling, "{name}");
        }
    }

    #[test]
    fn severe_exceedance_moves_grade_b_land_to_strict_control() {
        let s = AdjustmentSettings::default();
        let p = propose(
            &unit("u", SafeUse, 1.0),
            &[soil("s", SoilGrade::B)],
            &[crop("c1", period(2026, 1), CropStatus::Exceeds), crop("c2", period(2026, 1), CropStatus::Severe)],
            &s,
        );
        assert_eq!((p.proposed_class, p.direction, p.outcome), (StrictControl, Direction::Up, Outcome::Moved));
        assert_eq!(p.evidence.crop_finding, Some(CropFinding::SevereExceedance));
        let c2 = &p.evidence.crops[1];
        assert_eq!((c2.sample_code.as_str(), c2.status, c2.worst_metal), ("c2", CropStatus::Severe, Some(Metal::Cd)));
        assert!((c2.worst_ratio.unwrap() - 2.5).abs() < 1e-9);
        assert_eq!(p.reason_en, "soil grade B, severe crop exceedance: the table gives strict_control: moves from safe_use to strict_control");
        assert_eq!(p.reason_zh, "土壤B级、农产品严重超标，按分类表为严格管控类：由安全利用类调整为严格管控类");
    }

    #[test]
    fn how_samples_combine() {
        use SoilGrade::{A, B, C};
        // (rule, grades, combined)
        let table = [
            (Combine::Worst, vec![A, A, A, C], Some(C)),
            (Combine::Share(0.5), vec![A, A, A, C], Some(A)),
            (Combine::Share(0.25), vec![A, A, A, C], Some(C)),
            (Combine::Share(0.5), vec![A, B, C, A], Some(B)),
            (Combine::Share(1.0), vec![C, B], Some(B)),
            (Combine::Worst, vec![], None),
        ];
        for (rule, grades, expected) in table {
            assert_eq!(combine(&grades, grade_rank, rule), expected, "{rule:?} {grades:?}");
        }
        let p = propose(&unit("u", SafeUse, 1.0), &[soil("s1", A), soil("s2", C)], &[], &AdjustmentSettings::default());
        assert_eq!((p.evidence.grade, p.proposed_class), (Some(C), StrictControl));
        let s2 = &p.evidence.soil[1];
        assert_eq!((s2.grade, s2.governing.clone()), (C, vec![Pollutant::Cd]));
        assert!((s2.worst_ratio_to_screening.unwrap() - 12.5).abs() < 1e-9, "Cd 5.0 against 0.4");
    }

    #[test]
    fn an_override_moves_like_a_proposal() {
        let table = [
            (PriorityProtection, PriorityProtection, Direction::Unchanged),
            (PriorityProtection, SafeUse, Direction::Up),
            (PriorityProtection, StrictControl, Direction::Up),
            (SafeUse, PriorityProtection, Direction::Down),
            (SafeUse, StrictControl, Direction::Up),
            (StrictControl, SafeUse, Direction::Down),
            (StrictControl, StrictControl, Direction::Unchanged),
        ];
        for (from, to, d) in table {
            assert_eq!(direction(from, to), d, "{from} -> {to}");
        }
    }

    #[test]
    fn bad_settings_are_refused() {
        assert_eq!(
            AdjustmentSettings { min_soil_samples: 0, ..AdjustmentSettings::default() }.validate(),
            Err(SettingsError::MinSamples)
        );
        for share in [0.0, 1.1, f64::NAN] {
            assert!(AdjustmentSettings { combine: Combine::Share(share), ..AdjustmentSettings::default() }
                .validate()
                .is_err());
        }
        assert_eq!(AdjustmentSettings::default().validate(), Ok(()));
    }

    #[test]
    fn batch_summary() {
        let s = AdjustmentSettings::default();
        let units = [
            unit("up", SafeUse, 2000.0),
            unit("down", SafeUse, 1000.0),
            unit("same", StrictControl, 3000.0),
            unit("bare", SafeUse, 4000.0),
            unit("new", PriorityProtection, 6000.0),
            UnitInput { county_code: "450203".into(), ..unit("elsewhere", SafeUse, 9999.0) },
        ];
        let clean = vec![
            crop("c1", period(2026, 1), CropStatus::Compliant),
            crop("c2", period(2026, 2), CropStatus::Compliant),
        ];
        let proposals = [
            propose(&units[0], &[soil("s1", SoilGrade::C)], &[], &s),
            propose(&units[1], &[soil("s2", SoilGrade::A)], &clean, &s),
            propose(&units[2], &[soil("s3", SoilGrade::C)], &[], &s),
            propose(&units[3], &[], &[], &s),
            propose(&units[4], &[soil("s4", SoilGrade::B)], &[], &s),
            propose(&units[5], &[soil("s5", SoilGrade::C)], &[], &s),
        ];
        let scope = || Scope::County("450302".into());
        let sum =
            summarise(scope(), &Targets::default(), units.iter().zip(proposals.iter()).map(|(u, p)| (u, p, None)));
        assert_eq!(
            (sum.units, sum.moved_up, sum.moved_down, sum.confirmed, sum.too_few_samples, sum.denser_sampling),
            (5, 2, 1, 1, 1, 1)
        );
        let pairs: Vec<_> = sum.changes.iter().map(|c| (c.from, c.to, c.units, c.area_m2, c.area_mu)).collect();
        assert_eq!(
            pairs,
            vec![
                (PriorityProtection, SafeUse, 1, 6000.0, 9.0),
                (SafeUse, PriorityProtection, 1, 1000.0, 1.5),
                (SafeUse, StrictControl, 1, 2000.0, 3.0),
            ]
        );
        assert_eq!(
            (sum.before.priority_protection.area_m2, sum.before.safe_use.area_m2, sum.before.strict_control.area_m2),
            (6000.0, 7000.0, 3000.0)
        );
        assert_eq!(
            (sum.after.priority_protection.area_m2, sum.after.safe_use.area_m2, sum.after.strict_control.area_m2),
            (1000.0, 10_000.0, 5000.0)
        );
        assert_eq!((sum.after.safe_use.area_mu, sum.after.total.area_mu), (15.0, 24.0));
        // Before: every polluted unit has measures, 10 000 / 10 000. After: the moved units have none for their
        // new class: (4000 bare + 3000 same) / 15 000.
        assert_eq!((sum.rate_before.rate_percent, sum.rate_after.rate_percent), (Some(100.0), Some(46.67)));
        assert_eq!((sum.rate_before.meets_target, sum.rate_after.meets_target), (Some(true), Some(false)));
        assert_eq!(sum.rate_after.target_percent, Some(93.8));
        assert_eq!((sum.rate_before.source, sum.rate_after.source), (RateSource::Flag, RateSource::Flag));

        // With ledger entries for the year the ledger counts, as GET /indicators counts, in place of the flag,
        // before and after; after, a moved unit's entries count for its new class.
        let unflagged: Vec<UnitInput> =
            units.iter().map(|u| UnitInput { measures_in_place: false, ..u.clone() }).collect();
        let safe = |m2| Some(Cover { safe_use_m2: m2, strict_m2: 0.0 });
        let strict = |m2| Some(Cover { safe_use_m2: 0.0, strict_m2: m2 });
        // up (safe use → strict control): safe-use measures, which do not count for strict control;
        // same (strict control): strict measures over half; bare (safe use): safe-use measures over all of it
        let covers = [safe(2000.0), None, strict(1500.0), safe(4000.0), None, None];
        let items = unflagged.iter().zip(proposals.iter()).zip(covers).map(|((u, p), c)| (u, p, c));
        let sum = summarise(scope(), &Targets::default(), items);
        // before: (2000 up + 1500 same + 4000 bare) / 10 000; down has neither entries nor the flag
        assert_eq!(sum.rate_before.rate_percent, Some(75.0));
        assert_eq!((sum.rate_before.source, sum.rate_before.units_from_ledger), (RateSource::Mixed, 3));
        // after: (1500 same + 4000 bare) / 15 000: up's safe-use measures do not count for strict control
        assert_eq!(sum.rate_after.rate_percent, Some(36.67));
        let with_strict = [strict(2000.0), None, strict(1500.0), safe(4000.0), None, None];
        let items = unflagged.iter().zip(proposals.iter()).zip(with_strict).map(|((u, p), c)| (u, p, c));
        let sum = summarise(scope(), &Targets::default(), items);
        assert_eq!(sum.rate_after.rate_percent, Some(50.0), "(2000 + 1500 + 4000) / 15 000");

        let json = serde_json::to_value(&proposals[1]).unwrap();
        assert_eq!(json["proposed_class"], "priority_protection");
        assert_eq!(json["evidence"]["crops"][0]["sample_code"], "c1");
        assert_eq!(
            serde_json::to_value(Combine::Share(0.5)).unwrap(),
            serde_json::json!({"rule": "share", "share": 0.5})
        );
    }
}
