//! The duties of docs/domain.md §7 that fall due on key supervised units, tailings ponds and pollution
//! sources, computed from the duty records as of a date. docs/source-control.md describes the same
//! [`DUTIES`] table for users, with how periods are counted.
//!
//! Rules of the whole module:
//! - Records dated after the as-of date do not exist yet.
//! - A duty is `done` only when the records prove it. Where a fact the duty needs is unknown, the duty is
//!   `due` (or `overdue` when it would be overdue whatever the fact is), with the fact named in `unknown`.
//! - `due_by` is the date by which something must next be done: for a `done` recurring duty, the deadline
//!   of the next one; for a `done` one-off duty, none.

use super::sources::{
    DutyRecord, KeySupervisedUnit, PollutionSource, PondLevel, RecordKind, Register, SourceList, SourceState,
    TailingsPond, UnitStatus,
};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

mod period;
pub use period::Period;
mod jurisdiction;
pub use jurisdiction::{
    county_report, county_report_year, county_rules, level3_share, CityDuty, CountyDutyRule, CountyReportYear,
    COUNTY_DUTIES,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyStatus {
    Done,
    Due,
    Overdue,
    /// The duty applies to this entity, but not yet on the as-of date (e.g. a listing that starts later).
    NotYet,
}

impl DutyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DutyStatus::Done => "done",
            DutyStatus::Due => "due",
            DutyStatus::Overdue => "overdue",
            DutyStatus::NotYet => "not_yet",
        }
    }
}

impl fmt::Display for DutyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every interval and count of docs/domain.md §7 that no text we could read fixes exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DutySettings {
    /// (month, day) by which the city's annual list of key supervised units is out. Only listing years are
    /// stored, so a unit counts as listed from this day of its first year.
    pub list_published_by: (u32, u32),
    /// The first hidden-hazard check is due this many years after the listing.
    pub hazard_check_first_within_years: u32,
    /// Later hidden-hazard checks: every this many calendar years.
    pub hazard_check_every_years: u32,
    pub surface_soil_every_years: u32,
    pub deep_soil_every_years: u32,
    /// Groundwater samplings a year (1, 2, 4 or 12), by buried facilities (一类单元) and by a groundwater-sensitive
    /// area within 1 km ("one step more often").
    pub groundwater_per_year_buried: u32,
    pub groundwater_per_year_other: u32,
    pub groundwater_per_year_buried_sensitive: u32,
    pub groundwater_per_year_other_sensitive: u32,
    pub emissions_report_every_years: u32,
    /// Level-1 ponds: inspections a year, and how many of them before the flood season.
    pub pond_level1_per_year: u32,
    pub pond_level1_before_flood_season: u32,
    /// (month, day) the flood season starts; 1 April for Guangxi.
    pub flood_season_start: (u32, u32),
    pub pond_level2_per_year: u32,
    /// The share (%) of a city's level-3 ponds to inspect in a year, rounded up to whole ponds.
    pub pond_level3_share_percent: u32,
    /// A closed-out source is checked again by the end of the calendar year this many years after its close-out.
    pub follow_up_within_years: u32,
    /// Reports a year from each county to the city bureau where the city's plan asks for them (1, 2, 4 or
    /// 12): Guilin 2023 asks for one at every quarter-end.
    pub county_report_per_year: u32,
}

impl Default for DutySettings {
    fn default() -> Self {
        DutySettings {
            list_published_by: (3, 31),
            hazard_check_first_within_years: 1,
            hazard_check_every_years: 3,
            surface_soil_every_years: 1,
            deep_soil_every_years: 3,
            groundwater_per_year_buried: 2,
            groundwater_per_year_other: 1,
            groundwater_per_year_buried_sensitive: 4,
            groundwater_per_year_other_sensitive: 2,
            emissions_report_every_years: 1,
            pond_level1_per_year: 2,
            pond_level1_before_flood_season: 1,
            flood_season_start: (4, 1),
            pond_level2_per_year: 1,
            pond_level3_share_percent: 50,
            follow_up_within_years: 2,
            county_report_per_year: 4,
        }
    }
}

impl DutySettings {
    /// Refuses settings the computation cannot honour; the message names the setting.
    pub fn validate(&self) -> Result<(), String> {
        for (name, (m, d)) in
            [("list_published_by", self.list_published_by), ("flood_season_start", self.flood_season_start)]
        {
            // 2001 is not a leap year: the day must exist every year.
            if NaiveDate::from_ymd_opt(2001, m, d).is_none() {
                return Err(format!("{name}: {m}-{d} is not a day of every year"));
            }
        }
        for (name, v) in [
            ("groundwater_per_year_buried", self.groundwater_per_year_buried),
            ("groundwater_per_year_other", self.groundwater_per_year_other),
            ("groundwater_per_year_buried_sensitive", self.groundwater_per_year_buried_sensitive),
            ("groundwater_per_year_other_sensitive", self.groundwater_per_year_other_sensitive),
            ("county_report_per_year", self.county_report_per_year),
        ] {
            if ![1, 2, 4, 12].contains(&v) {
                return Err(format!("{name}: {v} (expected 1, 2, 4 or 12 a year)"));
            }
        }
        for (name, v) in [
            ("hazard_check_first_within_years", self.hazard_check_first_within_years),
            ("hazard_check_every_years", self.hazard_check_every_years),
            ("surface_soil_every_years", self.surface_soil_every_years),
            ("deep_soil_every_years", self.deep_soil_every_years),
            ("emissions_report_every_years", self.emissions_report_every_years),
            ("pond_level1_per_year", self.pond_level1_per_year),
            ("pond_level2_per_year", self.pond_level2_per_year),
            ("follow_up_within_years", self.follow_up_within_years),
        ] {
            if !(1..=100).contains(&v) {
                return Err(format!("{name}: {v} (expected 1 to 100)"));
            }
        }
        if self.pond_level1_before_flood_season > self.pond_level1_per_year {
            return Err("pond_level1_before_flood_season is more than pond_level1_per_year".into());
        }
        if !(1..=100).contains(&self.pond_level3_share_percent) {
            return Err(format!("pond_level3_share_percent: {} (expected 1 to 100)", self.pond_level3_share_percent));
        }
        Ok(())
    }
}

/// One duty of the table: its id, its register, the record that fulfils it, its basis and its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DutyRule {
    pub id: &'static str,
    pub register: Register,
    pub record: RecordKind,
    pub name_zh: &'static str,
    pub basis: &'static str,
    /// The [`DutySettings`] fields the rule reads.
    pub settings: &'static [&'static str],
    /// Computed per city over all its ponds, not per entity.
    pub city_level: bool,
}

const LAW_21_HJ1209: &str =
    "《中华人民共和国土壤污染防治法》第二十一条；《工业企业土壤和地下水自行监测技术指南（试行）》（HJ 1209-2021）";
const GUILIN_2023_TAILINGS: &str =
    "《桂林市2023年度土壤污染防治工作计划》（市政办〔2023〕20号）第二部分第（二）项；《尾矿库环境监管分类分级技术规程（试行）》";
const GUILIN_2023_SOURCES: &str = "《桂林市2023年度土壤污染防治工作计划》（市政办〔2023〕20号）第二部分第（一）项";

/// Every duty, in the order of docs/domain.md §7.
pub const DUTIES: &[DutyRule] = &[
    DutyRule {
        id: "hazard_check",
        register: Register::KeySupervisedUnits,
        record: RecordKind::HazardCheck,
        name_zh: "土壤污染隐患排查",
        basis: "《中华人民共和国土壤污染防治法》第二十一条；《工矿用地土壤环境管理办法（试行）》",
        settings: &["list_published_by", "hazard_check_first_within_years", "hazard_check_every_years"],
        city_level: false,
    },
    DutyRule {
        id: "self_monitoring_surface_soil",
        register: Register::KeySupervisedUnits,
        record: RecordKind::SelfMonitoringSurfaceSoil,
        name_zh: "自行监测（表层土壤）",
        basis: LAW_21_HJ1209,
        settings: &["list_published_by", "surface_soil_every_years"],
        city_level: false,
    },
    DutyRule {
        id: "self_monitoring_deep_soil",
        register: Register::KeySupervisedUnits,
        record: RecordKind::SelfMonitoringDeepSoil,
        name_zh: "自行监测（深层土壤）",
        basis: LAW_21_HJ1209,
        settings: &["list_published_by", "deep_soil_every_years"],
        city_level: false,
    },
    DutyRule {
        id: "self_monitoring_groundwater",
        register: Register::KeySupervisedUnits,
        record: RecordKind::SelfMonitoringGroundwater,
        name_zh: "自行监测（地下水）",
        basis: LAW_21_HJ1209,
        settings: &[
            "list_published_by",
            "groundwater_per_year_buried",
            "groundwater_per_year_other",
            "groundwater_per_year_buried_sensitive",
            "groundwater_per_year_other_sensitive",
        ],
        city_level: false,
    },
    DutyRule {
        id: "emissions_report",
        register: Register::KeySupervisedUnits,
        record: RecordKind::EmissionsReport,
        name_zh: "有毒有害物质排放情况年度报告",
        basis: "《中华人民共和国土壤污染防治法》第二十一条",
        settings: &["list_published_by", "emissions_report_every_years"],
        city_level: false,
    },
    DutyRule {
        id: "survey_before_stop",
        register: Register::KeySupervisedUnits,
        record: RecordKind::SurveyReport,
        name_zh: "停产、关闭或搬迁前的土壤污染状况调查",
        basis: "《中华人民共和国土壤污染防治法》第六十七条；《工矿用地土壤环境管理办法（试行）》",
        settings: &[],
        city_level: false,
    },
    DutyRule {
        id: "tailings_level1_before_flood_season",
        register: Register::TailingsPonds,
        record: RecordKind::Inspection,
        name_zh: "一级尾矿库汛前检查",
        basis: GUILIN_2023_TAILINGS,
        settings: &["pond_level1_before_flood_season", "flood_season_start"],
        city_level: false,
    },
    DutyRule {
        id: "tailings_level1_inspections",
        register: Register::TailingsPonds,
        record: RecordKind::Inspection,
        name_zh: "一级尾矿库年度检查",
        basis: GUILIN_2023_TAILINGS,
        settings: &["pond_level1_per_year"],
        city_level: false,
    },
    DutyRule {
        id: "tailings_level2_inspections",
        register: Register::TailingsPonds,
        record: RecordKind::Inspection,
        name_zh: "二级尾矿库年度检查",
        basis: GUILIN_2023_TAILINGS,
        settings: &["pond_level2_per_year"],
        city_level: false,
    },
    DutyRule {
        id: "tailings_level3_share",
        register: Register::TailingsPonds,
        record: RecordKind::Inspection,
        name_zh: "三级尾矿库年度抽查比例",
        basis: GUILIN_2023_TAILINGS,
        settings: &["pond_level3_share_percent"],
        city_level: true,
    },
    DutyRule {
        id: "source_rectification",
        register: Register::PollutionSources,
        record: RecordKind::Rectified,
        name_zh: "污染源按期整治",
        basis: GUILIN_2023_SOURCES,
        settings: &[],
        city_level: false,
    },
    DutyRule {
        id: "source_follow_up_check",
        register: Register::PollutionSources,
        record: RecordKind::FollowUpCheck,
        name_zh: "销号污染源回头看",
        basis: GUILIN_2023_SOURCES,
        settings: &["follow_up_within_years"],
        city_level: false,
    },
];

fn rule(id: &str) -> &'static DutyRule {
    // Every id this module asks for is in DUTIES (the tests find each duty by id); the fallback only keeps a
    // typo from panicking in production.
    let found = DUTIES.iter().find(|r| r.id == id);
    debug_assert!(found.is_some(), "duty {id} is not in DUTIES");
    found.unwrap_or(&DUTIES[0])
}

/// A duty of one entity as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duty {
    pub duty: &'static str,
    pub name_zh: &'static str,
    /// The period the status is about: `2025`, `2025-H1`, `2025-Q3`, `2025-07`, `2023–2025` (a span of years),
    /// `2025-pre-flood`.
    pub period: Period,
    pub due_by: Option<NaiveDate>,
    pub status: DutyStatus,
    pub last_done: Option<NaiveDate>,
    /// The rule's basis, borrowed unless something is added to it (a source's plan document): a city's
    /// answer has tens of thousands of duties.
    pub basis: Cow<'static, str>,
    /// Records counted in the period against those required, where the duty is a count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<(u32, u32)>,
    /// Facts the duty needs that the register does not hold (property names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<&'static str>,
}

impl Duty {
    fn new(
        id: &str,
        period: Period,
        due_by: Option<NaiveDate>,
        status: DutyStatus,
        last_done: Option<NaiveDate>,
    ) -> Duty {
        let (id, name_zh, basis) = match COUNTY_DUTIES.iter().find(|r| r.id == id) {
            Some(r) => (r.id, r.name_zh, r.basis),
            None => {
                let r = rule(id);
                (r.id, r.name_zh, r.basis)
            }
        };
        Duty {
            duty: id,
            name_zh,
            period,
            due_by,
            status,
            last_done,
            basis: Cow::Borrowed(basis),
            count: None,
            unknown: Vec::new(),
        }
    }
}

fn day(year: i32, (m, d): (u32, u32)) -> NaiveDate {
    // Settings are validated; the fallback only keeps a bad setting from panicking.
    NaiveDate::from_ymd_opt(year, m, d).or_else(|| NaiveDate::from_ymd_opt(year, m, 28)).unwrap_or(NaiveDate::MIN)
}

/// `2025-pre-flood`: the inspection before the flood season of a year.
fn pre_flood(year: i32) -> Period {
    let mut p = Period::year(year);
    p.push_str("-pre-flood");
    p
}

fn end_of_year(year: i32) -> NaiveDate {
    day(year, (12, 31))
}

fn add_years(d: NaiveDate, years: u32) -> NaiveDate {
    // 29 February plus a year is 28 February.
    d.checked_add_months(Months::new(12 * years)).unwrap_or(NaiveDate::MAX)
}

fn years_label(from: i32, to: i32) -> Period {
    let mut p = Period::year(from);
    if from != to {
        p.push_str("–");
        p.push_int(to, 1);
    }
    p
}

/// The dates of the records of one kind up to the as-of date, oldest first.
fn dates(records: &[DutyRecord], kind: RecordKind, as_of: NaiveDate) -> Vec<NaiveDate> {
    let mut v: Vec<NaiveDate> = records.iter().filter(|r| r.kind == kind && r.date <= as_of).map(|r| r.date).collect();
    v.sort();
    v
}

/// Whether the bureau monitored the soil and groundwater around a key unit (`surrounding_monitoring`, Liuzhou
/// 2025 task 2) in `year`, by a record dated on or before `as_of`. Not a duty of the unit: the plan names the
/// units, the register does not, so it is counted (`key_units_surrounding_monitored`) rather than owed.
pub fn surrounding_monitored(records: &[DutyRecord], year: i32, as_of: NaiveDate) -> bool {
    dates(records, RecordKind::SurroundingMonitoring, as_of).iter().any(|d| d.year() == year)
}

/// A duty done once every `n` calendar years: a record in year L covers L … L+n−1, and the next is due by
/// 31 December of L+n. With no record, the first is due by `first_due`.
fn every_years(id: &str, n: u32, done: &[NaiveDate], first_due: (Period, NaiveDate), as_of: NaiveDate) -> Duty {
    let n = n as i32;
    match done.last() {
        None => {
            let (period, due_by) = first_due;
            let status = if as_of <= due_by { DutyStatus::Due } else { DutyStatus::Overdue };
            Duty::new(id, period, Some(due_by), status, None)
        }
        Some(&last) => {
            let next = last.year() + n;
            let due_by = end_of_year(next);
            if as_of.year() < next {
                Duty::new(id, years_label(last.year(), next - 1), Some(due_by), DutyStatus::Done, Some(last))
            } else {
                let status = if as_of <= due_by { DutyStatus::Due } else { DutyStatus::Overdue };
                Duty::new(id, Period::year(next), Some(due_by), status, Some(last))
            }
        }
    }
}

/// Equal slices of the calendar year for a duty done `per_year` times (1, 2, 4 or 12), one in each slice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Slice {
    year: i32,
    index: u32,
    per_year: u32,
}

impl Slice {
    fn containing(d: NaiveDate, per_year: u32) -> Slice {
        let months = 12 / per_year.max(1);
        Slice { year: d.year(), index: d.month0() / months, per_year }
    }

    fn months(self) -> u32 {
        12 / self.per_year.max(1)
    }

    fn start(self) -> NaiveDate {
        day(self.year, (self.index * self.months() + 1, 1))
    }

    fn end(self) -> NaiveDate {
        self.next().start().pred_opt().unwrap_or(NaiveDate::MIN)
    }

    fn next(self) -> Slice {
        if self.index + 1 >= self.per_year {
            Slice { year: self.year + 1, index: 0, ..self }
        } else {
            Slice { index: self.index + 1, ..self }
        }
    }

    fn prev(self) -> Slice {
        if self.index == 0 {
            Slice { year: self.year - 1, index: self.per_year - 1, ..self }
        } else {
            Slice { index: self.index - 1, ..self }
        }
    }

    fn contains(self, d: NaiveDate) -> bool {
        self.start() <= d && d <= self.end()
    }

    fn label(self) -> Period {
        let mut p = Period::year(self.year);
        match self.per_year {
            1 => {}
            2 => {
                p.push_str("-H");
                p.push_int(self.index as i32 + 1, 1);
            }
            4 => {
                p.push_str("-Q");
                p.push_int(self.index as i32 + 1, 1);
            }
            _ => {
                p.push_str("-");
                p.push_int((self.index * self.months() + 1) as i32, 2);
            }
        }
        p
    }
}

/// A duty done once in each slice of the year. A slice is required when it ends after `since`. A missed
/// previous slice is overdue until the current one is done: a record in a later slice cannot make up for it,
/// but the panel of what to do next then rightly moves on.
fn per_slice(id: &str, per_year: u32, done: &[NaiveDate], since: NaiveDate, as_of: NaiveDate) -> Duty {
    let last = done.last().copied();
    let cur = Slice::containing(as_of, per_year);
    if cur.end() <= since {
        let first = {
            let mut s = cur.next();
            while s.end() <= since {
                s = s.next();
            }
            s
        };
        return Duty::new(id, first.label(), Some(first.end()), DutyStatus::NotYet, last);
    }
    if done.iter().any(|d| cur.contains(*d)) {
        return Duty::new(id, cur.label(), Some(cur.next().end()), DutyStatus::Done, last);
    }
    let prev = cur.prev();
    if prev.end() > since && !done.iter().any(|d| prev.contains(*d)) {
        return Duty::new(id, prev.label(), Some(prev.end()), DutyStatus::Overdue, last);
    }
    Duty::new(id, cur.label(), Some(cur.end()), DutyStatus::Due, last)
}

/// Where a key supervised unit stands on the annual lists as of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listing {
    Unknown,
    /// Its first list is not out yet on the as-of date.
    Future {
        first_year: i32,
        since: NaiveDate,
    },
    Listed {
        first_year: i32,
        since: NaiveDate,
    },
    /// It was listed, but is on neither this year's list nor (before this year's is out) last year's.
    Dropped,
}

fn listing(unit: &KeySupervisedUnit, as_of: NaiveDate, s: &DutySettings) -> Listing {
    let Some(first_year) = unit.first_listed_year() else { return Listing::Unknown };
    let since = day(first_year, s.list_published_by);
    let y = as_of.year();
    if as_of < since {
        Listing::Future { first_year, since }
    } else if unit.listed_years.contains(&y)
        || (unit.listed_years.contains(&(y - 1)) && as_of < day(y, s.list_published_by))
    {
        Listing::Listed { first_year, since }
    } else {
        Listing::Dropped
    }
}

/// The periodic duties of a listed key supervised unit, computed as if `as_of` were the date.
fn key_unit_periodic(
    unit: &KeySupervisedUnit,
    records: &[DutyRecord],
    first_year: i32,
    since: NaiveDate,
    as_of: NaiveDate,
    s: &DutySettings,
) -> Vec<Duty> {
    let first_due = |n: u32| {
        let last = first_year + n.max(1) as i32 - 1;
        (years_label(first_year, last), end_of_year(last))
    };
    let mut out = Vec::new();

    let hazard = dates(records, RecordKind::HazardCheck, as_of);
    let first_hazard_due = add_years(since, s.hazard_check_first_within_years);
    out.push(every_years(
        "hazard_check",
        s.hazard_check_every_years,
        &hazard,
        (years_label(first_year, first_hazard_due.year()), first_hazard_due),
        as_of,
    ));

    for (id, kind, n) in [
        ("self_monitoring_surface_soil", RecordKind::SelfMonitoringSurfaceSoil, s.surface_soil_every_years),
        ("self_monitoring_deep_soil", RecordKind::SelfMonitoringDeepSoil, s.deep_soil_every_years),
    ] {
        out.push(every_years(id, n, &dates(records, kind, as_of), first_due(n), as_of));
    }

    out.push(groundwater(unit, &dates(records, RecordKind::SelfMonitoringGroundwater, as_of), since, as_of, s));

    let n = s.emissions_report_every_years;
    out.push(every_years(
        "emissions_report",
        n,
        &dates(records, RecordKind::EmissionsReport, as_of),
        first_due(n),
        as_of,
    ));
    out
}

/// Groundwater by the strictest and the most lenient frequency the unknown facts allow: done only when the
/// strictest is met, overdue only when even the most lenient is missed, otherwise due with the facts named.
fn groundwater(
    unit: &KeySupervisedUnit,
    done: &[NaiveDate],
    since: NaiveDate,
    as_of: NaiveDate,
    s: &DutySettings,
) -> Duty {
    let freq = |buried: bool, sensitive: bool| match (buried, sensitive) {
        (true, true) => s.groundwater_per_year_buried_sensitive,
        (true, false) => s.groundwater_per_year_buried,
        (false, true) => s.groundwater_per_year_other_sensitive,
        (false, false) => s.groundwater_per_year_other,
    };
    let strict = freq(unit.buried_facilities.unwrap_or(true), unit.groundwater_sensitive.unwrap_or(true));
    let lenient = freq(unit.buried_facilities.unwrap_or(false), unit.groundwater_sensitive.unwrap_or(false));
    let id = "self_monitoring_groundwater";
    let mut d = per_slice(id, strict, done, since, as_of);
    if strict == lenient || d.status == DutyStatus::Done {
        return d;
    }
    let l = per_slice(id, lenient, done, since, as_of);
    match (d.status, l.status) {
        (_, DutyStatus::Overdue) => d = l,
        (DutyStatus::NotYet, DutyStatus::NotYet) => return d,
        (DutyStatus::NotYet, _) => {
            d = l;
            d.status = DutyStatus::Due;
        }
        _ => d.status = DutyStatus::Due,
    }
    if unit.buried_facilities.is_none() {
        d.unknown.push("buried_facilities");
    }
    if unit.groundwater_sensitive.is_none() {
        d.unknown.push("groundwater_sensitive");
    }
    d
}

/// The duties of a key supervised unit as of a date: the periodic ones while it is on the annual list, and
/// the survey once it has stopped, closed or moved away.
pub fn key_unit_duties(
    unit: &KeySupervisedUnit,
    records: &[DutyRecord],
    as_of: NaiveDate,
    s: &DutySettings,
) -> Vec<Duty> {
    let mut out = match listing(unit, as_of, s) {
        Listing::Listed { first_year, since } => key_unit_periodic(unit, records, first_year, since, as_of, s),
        Listing::Future { first_year, since } => {
            // The first deadlines, as they will stand once the list is out.
            let mut v = key_unit_periodic(unit, &[], first_year, since, since, s);
            for d in v.iter_mut() {
                d.status = DutyStatus::NotYet;
                d.last_done = dates(records, rule(d.duty).record, as_of).last().copied();
            }
            v
        }
        Listing::Unknown => DUTIES
            .iter()
            .filter(|r| r.register == Register::KeySupervisedUnits && r.id != "survey_before_stop")
            .map(|r| {
                let mut d = Duty::new(
                    r.id,
                    Period::default(),
                    None,
                    DutyStatus::Due,
                    dates(records, r.record, as_of).last().copied(),
                );
                d.unknown.push("listed_years");
                d
            })
            .collect(),
        Listing::Dropped => Vec::new(),
    };
    if unit.status != UnitStatus::Operating {
        let surveys = dates(records, RecordKind::SurveyReport, as_of);
        // The survey comes before the stop; a unit already stopped without one is late, by a date the
        // register does not hold.
        let status = if surveys.is_empty() { DutyStatus::Overdue } else { DutyStatus::Done };
        out.push(Duty::new(
            "survey_before_stop",
            Period::from(unit.status.as_str()),
            None,
            status,
            surveys.last().copied(),
        ));
    }
    out
}

/// The inspections of a tailings pond by its level. Level-3 ponds have no duty of their own: the city's share
/// is [`level3_share`]. `supervised_since` is the day the pond came under supervision at its level (None:
/// before any date asked about); years before it are not required.
pub fn pond_duties(
    pond: &TailingsPond,
    supervised_since: Option<NaiveDate>,
    records: &[DutyRecord],
    as_of: NaiveDate,
    s: &DutySettings,
) -> Vec<Duty> {
    let done = dates(records, RecordKind::Inspection, as_of);
    let last = done.last().copied();
    let since = supervised_since.unwrap_or(NaiveDate::MIN);
    let y = as_of.year();
    let in_year = |year: i32| done.iter().filter(|d| d.year() == year).count() as u32;
    let yearly = |id: &str, n: u32| {
        let (c, prev) = (in_year(y), in_year(y - 1));
        let mut d = if end_of_year(y) <= since {
            Duty::new(id, Period::year(y + 1), Some(end_of_year(y + 1)), DutyStatus::NotYet, last)
        } else if c >= n {
            Duty::new(id, Period::year(y), Some(end_of_year(y + 1)), DutyStatus::Done, last)
        } else if end_of_year(y - 1) > since && prev < n {
            Duty::new(id, Period::year(y - 1), Some(end_of_year(y - 1)), DutyStatus::Overdue, last)
        } else {
            Duty::new(id, Period::year(y), Some(end_of_year(y)), DutyStatus::Due, last)
        };
        d.count = Some(match d.status {
            DutyStatus::NotYet => (0, n),
            DutyStatus::Overdue => (prev, n),
            _ => (c, n),
        });
        d
    };
    match pond.level {
        PondLevel::Level1 => {
            let id = "tailings_level1_before_flood_season";
            let n = s.pond_level1_before_flood_season;
            let deadline = |year: i32| day(year, s.flood_season_start).pred_opt().unwrap_or(NaiveDate::MIN);
            let before = done.iter().filter(|d| d.year() == y && **d <= deadline(y)).count() as u32;
            let mut pre = if deadline(y) <= since {
                Duty::new(id, pre_flood(y + 1), Some(deadline(y + 1)), DutyStatus::NotYet, last)
            } else if before >= n {
                Duty::new(id, pre_flood(y), Some(deadline(y + 1)), DutyStatus::Done, last)
            } else if as_of <= deadline(y) {
                Duty::new(id, pre_flood(y), Some(deadline(y)), DutyStatus::Due, last)
            } else {
                Duty::new(id, pre_flood(y), Some(deadline(y)), DutyStatus::Overdue, last)
            };
            pre.count = Some((if pre.status == DutyStatus::NotYet { 0 } else { before }, n));
            vec![pre, yearly("tailings_level1_inspections", s.pond_level1_per_year)]
        }
        PondLevel::Level2 => vec![yearly("tailings_level2_inspections", s.pond_level2_per_year)],
        PondLevel::Level3 => Vec::new(),
    }
}

/// The duties of a pollution source: rectification by the plan's deadline (sources on the remediation list),
/// and the follow-up check (回头看) of a close-out.
pub fn source_duties(
    source: &PollutionSource,
    records: &[DutyRecord],
    as_of: NaiveDate,
    s: &DutySettings,
) -> Vec<Duty> {
    let mut out = Vec::new();
    let rectified = dates(records, RecordKind::Rectified, as_of);
    let closed = dates(records, RecordKind::ClosedOut, as_of);
    let is_closed = source.state == SourceState::ClosedOut || !closed.is_empty();

    if source.list == SourceList::Remediation {
        let id = "source_rectification";
        let period = source.deadline.map(|d| Period::year(d.year())).unwrap_or_default();
        let last = rectified.last().or(closed.first()).copied();
        let mut d = if matches!(source.state, SourceState::Rectified | SourceState::ClosedOut) || last.is_some() {
            Duty::new(id, period, None, DutyStatus::Done, last)
        } else {
            match source.deadline {
                Some(deadline) if as_of > deadline => Duty::new(id, period, Some(deadline), DutyStatus::Overdue, None),
                Some(deadline) => Duty::new(id, period, Some(deadline), DutyStatus::Due, None),
                None => {
                    let mut d = Duty::new(id, period, None, DutyStatus::Due, None);
                    d.unknown.push("deadline");
                    d
                }
            }
        };
        if let Some(doc) = source.plan_doc.as_deref().filter(|d| !d.trim().is_empty()) {
            d.basis = format!("{}；整治方案{}", d.basis, doc.trim()).into();
        }
        out.push(d);
    }

    if is_closed {
        let id = "source_follow_up_check";
        match closed.first() {
            Some(&c) => {
                let due_year = c.year() + s.follow_up_within_years as i32;
                let due_by = end_of_year(due_year);
                let checks: Vec<NaiveDate> =
                    dates(records, RecordKind::FollowUpCheck, as_of).into_iter().filter(|d| *d >= c).collect();
                let period = years_label(c.year(), due_year);
                out.push(match checks.last() {
                    Some(&l) => Duty::new(id, period, None, DutyStatus::Done, Some(l)),
                    None if as_of <= due_by => Duty::new(id, period, Some(due_by), DutyStatus::Due, None),
                    None => Duty::new(id, period, Some(due_by), DutyStatus::Overdue, None),
                });
            }
            None => {
                // Closed out by its state, but the close-out record with its date is missing.
                let mut d = Duty::new(id, Period::default(), None, DutyStatus::Due, None);
                d.unknown.push("closed_out record");
                out.push(d);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::DutyStatus::{Done, Due, NotYet, Overdue};
    use super::*;
    use crate::domain::sources::{EnterpriseCode, PondStatus, SourceKind};

    pub(super) fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    pub(super) fn recs(kind: RecordKind, dates: &[&str]) -> Vec<DutyRecord> {
        dates.iter().map(|s| DutyRecord { kind, date: d(s) }).collect()
    }

    #[test]
    fn surrounding_monitoring_in_the_year() {
        use RecordKind::{HazardCheck, SurroundingMonitoring};
        // (records, year, as of, monitored)
        let table: &[(Vec<DutyRecord>, i32, &str, bool)] = &[
            (recs(SurroundingMonitoring, &["2025-06-01"]), 2025, "2025-12-31", true),
            (recs(SurroundingMonitoring, &["2025-06-01"]), 2025, "2025-05-31", false), // not yet done then
            (recs(SurroundingMonitoring, &["2024-11-01"]), 2025, "2025-12-31", false), // last year's
            (recs(SurroundingMonitoring, &["2026-01-01"]), 2025, "2026-06-30", false), // next year's
            (recs(HazardCheck, &["2025-06-01"]), 2025, "2025-12-31", false),           // another kind
            (Vec::new(), 2025, "2025-12-31", false),
        ];
        for (records, year, as_of, monitored) in table {
            assert_eq!(surrounding_monitored(records, *year, d(as_of)), *monitored, "{records:?} {year} {as_of}");
        }
    }

    fn unit(listed: &[i32], buried: Option<bool>, sensitive: Option<bool>, status: UnitStatus) -> KeySupervisedUnit {
        KeySupervisedUnit {
            enterprise_code: "91450200198230236A".parse::<EnterpriseCode>().unwrap(),
            name: "柳城县某磷化工有限公司".into(),
            county_code: "450222".into(),
            industry: "2612".into(),
            listed_years: listed.to_vec(),
            list_doc: None,
            buried_facilities: buried,
            groundwater_sensitive: sensitive,
            status,
            valid_from: d("2020-01-01"),
        }
    }

    fn listed(listed: &[i32]) -> KeySupervisedUnit {
        unit(listed, Some(false), Some(false), UnitStatus::Operating)
    }

    pub(super) fn pond(code: &str, county: &str, level: PondLevel) -> TailingsPond {
        TailingsPond {
            pond_code: code.into(),
            name: format!("{code} 尾矿库"),
            county_code: county.into(),
            operator: None,
            level,
            level_doc: Some("桂环函〔2025〕1号".into()),
            safety_class: None,
            safety_rating: None,
            status: PondStatus::Operating,
            valid_from: d("2020-01-01"),
        }
    }

    fn source(list: SourceList, state: SourceState, deadline: Option<&str>) -> PollutionSource {
        PollutionSource {
            source_code: "S-450222-001".into(),
            name: "某铅锌冶炼厂".into(),
            county_code: "450222".into(),
            kind: SourceKind::Enterprise,
            pollutants: vec![],
            list,
            state,
            deadline: deadline.map(d),
            plan_doc: None,
            closed_out_doc: None,
            valid_from: d("2020-01-01"),
        }
    }

    fn find<'a>(duties: &'a [Duty], id: &str) -> &'a Duty {
        duties.iter().find(|x| x.duty == id).unwrap_or_else(|| panic!("no {id} in {duties:#?}"))
    }

    pub(super) fn s() -> DutySettings {
        DutySettings::default()
    }

    /// (case, unit, records, as of, duty, status, period, due_by)
    type UnitCase = (
        &'static str,
        KeySupervisedUnit,
        Vec<DutyRecord>,
        &'static str,
        &'static str,
        DutyStatus,
        &'static str,
        Option<&'static str>,
    );

    fn check_unit_cases(cases: Vec<UnitCase>) {
        for (name, u, r, as_of, id, status, period, due_by) in cases {
            let duties = key_unit_duties(&u, &r, d(as_of), &s());
            let got = find(&duties, id);
            assert_eq!(got.status, status, "{name}: {got:?}");
            assert_eq!(got.period, period, "{name}: {got:?}");
            assert_eq!(got.due_by, due_by.map(d), "{name}: {got:?}");
            assert!(got.status != Done || got.unknown.is_empty(), "{name}: done with unknown facts");
        }
    }

    #[test]
    fn hazard_check() {
        use RecordKind::HazardCheck as H;
        let every = || listed(&[2021, 2022, 2023, 2024, 2025]);
        check_unit_cases(vec![
            (
                "listed 2024, no check, mid 2025",
                listed(&[2024, 2025]),
                vec![],
                "2025-06-01",
                "hazard_check",
                Overdue,
                "2024–2025",
                Some("2025-03-31"),
            ),
            (
                "listed 2024, no check, within the year",
                listed(&[2024]),
                vec![],
                "2024-06-01",
                "hazard_check",
                Due,
                "2024–2025",
                Some("2025-03-31"),
            ),
            (
                "listed 2024, last day",
                listed(&[2024, 2025]),
                vec![],
                "2025-03-31",
                "hazard_check",
                Due,
                "2024–2025",
                Some("2025-03-31"),
            ),
            (
                "checked 2022, in 2024",
                every(),
                recs(H, &["2022-05-10"]),
                "2024-06-01",
                "hazard_check",
                Done,
                "2022–2024",
                Some("2025-12-31"),
            ),
            (
                "checked 2022, due again in 2025",
                every(),
                recs(H, &["2022-05-10"]),
                "2025-06-01",
                "hazard_check",
                Due,
                "2025",
                Some("2025-12-31"),
            ),
            (
                "checked 2022, overdue on 2026-01-01",
                every(),
                recs(H, &["2022-05-10"]),
                "2026-01-01",
                "hazard_check",
                Overdue,
                "2025",
                Some("2025-12-31"),
            ),
            (
                "checked late is still checked",
                listed(&[2024, 2025]),
                recs(H, &["2025-05-01"]),
                "2025-06-01",
                "hazard_check",
                Done,
                "2025–2027",
                Some("2028-12-31"),
            ),
            (
                "a check after the as-of date does not count",
                listed(&[2024, 2025]),
                recs(H, &["2025-07-01"]),
                "2025-06-01",
                "hazard_check",
                Overdue,
                "2024–2025",
                Some("2025-03-31"),
            ),
            (
                "the latest check counts",
                every(),
                recs(H, &["2019-01-01", "2024-02-01"]),
                "2025-06-01",
                "hazard_check",
                Done,
                "2024–2026",
                Some("2027-12-31"),
            ),
        ]);
    }

    #[test]
    fn soil_monitoring_and_emissions() {
        use RecordKind::{EmissionsReport as E, SelfMonitoringDeepSoil as Deep, SelfMonitoringSurfaceSoil as Surf};
        check_unit_cases(vec![
            (
                "surface: done last year, due this year",
                listed(&[2024, 2025]),
                recs(Surf, &["2024-08-01"]),
                "2025-06-01",
                "self_monitoring_surface_soil",
                Due,
                "2025",
                Some("2025-12-31"),
            ),
            (
                "surface: done this year",
                listed(&[2024, 2025]),
                recs(Surf, &["2025-04-01"]),
                "2025-06-01",
                "self_monitoring_surface_soil",
                Done,
                "2025",
                Some("2026-12-31"),
            ),
            (
                "surface: a year missed",
                listed(&[2023, 2024, 2025]),
                recs(Surf, &["2023-08-01"]),
                "2025-06-01",
                "self_monitoring_surface_soil",
                Overdue,
                "2024",
                Some("2024-12-31"),
            ),
            (
                "surface: first year",
                listed(&[2025]),
                vec![],
                "2025-06-01",
                "self_monitoring_surface_soil",
                Due,
                "2025",
                Some("2025-12-31"),
            ),
            (
                "surface: first year missed",
                listed(&[2024, 2025]),
                vec![],
                "2025-01-10",
                "self_monitoring_surface_soil",
                Overdue,
                "2024",
                Some("2024-12-31"),
            ),
            (
                "deep: first cycle",
                listed(&[2023, 2024, 2025]),
                vec![],
                "2025-06-01",
                "self_monitoring_deep_soil",
                Due,
                "2023–2025",
                Some("2025-12-31"),
            ),
            (
                "deep: first cycle missed",
                listed(&[2023, 2024, 2025, 2026]),
                vec![],
                "2026-01-02",
                "self_monitoring_deep_soil",
                Overdue,
                "2023–2025",
                Some("2025-12-31"),
            ),
            (
                "deep: done 2023",
                listed(&[2023, 2024, 2025]),
                recs(Deep, &["2023-10-01"]),
                "2025-06-01",
                "self_monitoring_deep_soil",
                Done,
                "2023–2025",
                Some("2026-12-31"),
            ),
            (
                "deep: due again",
                listed(&[2023, 2024, 2025, 2026]),
                recs(Deep, &["2023-10-01"]),
                "2026-05-01",
                "self_monitoring_deep_soil",
                Due,
                "2026",
                Some("2026-12-31"),
            ),
            (
                "emissions: done last year",
                listed(&[2024, 2025]),
                recs(E, &["2024-12-20"]),
                "2025-03-01",
                "emissions_report",
                Due,
                "2025",
                Some("2025-12-31"),
            ),
            (
                "emissions: done",
                listed(&[2024, 2025]),
                recs(E, &["2025-02-20"]),
                "2025-03-01",
                "emissions_report",
                Done,
                "2025",
                Some("2026-12-31"),
            ),
        ]);
    }

    #[test]
    fn groundwater() {
        use RecordKind::SelfMonitoringGroundwater as G;
        let op = UnitStatus::Operating;
        let buried = || unit(&[2024, 2025, 2026], Some(true), Some(false), op);
        let plain = || unit(&[2024, 2025, 2026], Some(false), Some(false), op);
        let id = "self_monitoring_groundwater";
        check_unit_cases(vec![
            (
                "buried: H1 done",
                buried(),
                recs(G, &["2025-03-10"]),
                "2025-05-01",
                id,
                Done,
                "2025-H1",
                Some("2025-12-31"),
            ),
            (
                "buried: twice a year, H2 due",
                buried(),
                recs(G, &["2025-03-10"]),
                "2025-10-01",
                id,
                Due,
                "2025-H2",
                Some("2025-12-31"),
            ),
            (
                "not buried: once a year is enough",
                plain(),
                recs(G, &["2025-03-10"]),
                "2025-10-01",
                id,
                Done,
                "2025",
                Some("2026-12-31"),
            ),
            (
                "buried: both halves",
                buried(),
                recs(G, &["2025-03-10", "2025-09-01"]),
                "2025-10-01",
                id,
                Done,
                "2025-H2",
                Some("2026-06-30"),
            ),
            ("buried: H1 missed", buried(), vec![], "2025-08-01", id, Overdue, "2025-H1", Some("2025-06-30")),
            (
                "buried: H2 missed, seen in January",
                buried(),
                recs(G, &["2025-03-10"]),
                "2026-01-15",
                id,
                Overdue,
                "2025-H2",
                Some("2025-12-31"),
            ),
            (
                "not buried but sensitive: one step more, twice",
                unit(&[2025], Some(false), Some(true), op),
                recs(G, &["2025-03-10"]),
                "2025-10-01",
                id,
                Due,
                "2025-H2",
                Some("2025-12-31"),
            ),
            (
                "buried and sensitive: quarterly",
                unit(&[2025], Some(true), Some(true), op),
                recs(G, &["2025-05-01"]),
                "2025-08-01",
                id,
                Due,
                "2025-Q3",
                Some("2025-09-30"),
            ),
            (
                "quarterly: the quarter ending on the listing day is not required",
                unit(&[2025], Some(true), Some(true), op),
                vec![],
                "2025-04-02",
                id,
                Due,
                "2025-Q2",
                Some("2025-06-30"),
            ),
            (
                "quarterly: Q2 missed",
                unit(&[2025], Some(true), Some(true), op),
                vec![],
                "2025-07-02",
                id,
                Overdue,
                "2025-Q2",
                Some("2025-06-30"),
            ),
            (
                "unknown buried: once a year done is not proof",
                unit(&[2025], None, Some(false), op),
                recs(G, &["2025-03-10"]),
                "2025-08-01",
                id,
                Due,
                "2025-H2",
                Some("2025-12-31"),
            ),
            (
                "unknown buried: missed however it is read",
                unit(&[2025, 2026], None, Some(false), op),
                vec![],
                "2026-02-01",
                id,
                Overdue,
                "2025",
                Some("2025-12-31"),
            ),
            (
                "unknown buried: twice a year proves it",
                unit(&[2025], None, Some(false), op),
                recs(G, &["2025-03-10", "2025-09-01"]),
                "2025-10-01",
                id,
                Done,
                "2025-H2",
                Some("2026-06-30"),
            ),
        ]);
        let u = unit(&[2025], None, None, op);
        let got = key_unit_duties(&u, &recs(G, &["2025-03-10"]), d("2025-08-01"), &s());
        assert_eq!(find(&got, id).unknown, ["buried_facilities", "groundwater_sensitive"]);
        let got = key_unit_duties(&buried(), &recs(G, &["2025-03-10"]), d("2025-08-01"), &s());
        assert!(find(&got, id).unknown.is_empty());
    }

    #[test]
    fn unknown_future_and_dropped_listings() {
        use RecordKind::*;
        let all: Vec<DutyRecord> = [
            HazardCheck,
            SelfMonitoringSurfaceSoil,
            SelfMonitoringDeepSoil,
            SelfMonitoringGroundwater,
            EmissionsReport,
        ]
        .into_iter()
        .flat_map(|k| recs(k, &["2025-02-01", "2025-05-01", "2025-08-01"]))
        .collect();
        let periodic = [
            "hazard_check",
            "self_monitoring_surface_soil",
            "self_monitoring_deep_soil",
            "self_monitoring_groundwater",
            "emissions_report",
        ];

        // No listing year: every periodic duty is due with the fact named, however many records there are.
        let got =
            key_unit_duties(&unit(&[], Some(true), Some(true), UnitStatus::Operating), &all, d("2025-09-01"), &s());
        assert_eq!(got.iter().map(|x| x.duty).collect::<Vec<_>>(), periodic);
        for x in &got {
            assert_eq!((x.status, x.due_by, x.unknown.as_slice()), (Due, None, &["listed_years"][..]), "{x:?}");
            assert_eq!(x.last_done, Some(d("2025-08-01")), "{x:?}");
        }

        // Listed from 2026: nothing is done or due yet; the first deadlines are shown.
        let got = key_unit_duties(&listed(&[2026]), &all, d("2025-09-01"), &s());
        assert_eq!(got.iter().map(|x| x.duty).collect::<Vec<_>>(), periodic);
        assert!(got.iter().all(|x| x.status == NotYet), "{got:#?}");
        assert_eq!(find(&got, "hazard_check").due_by, Some(d("2027-03-31")));
        assert_eq!(find(&got, "self_monitoring_surface_soil").due_by, Some(d("2026-12-31")));
        assert_eq!(find(&got, "hazard_check").last_done, Some(d("2025-08-01")));
        // Listed in 2025, but the 2025 list is not out before 31 March.
        let got = key_unit_duties(&listed(&[2025]), &[], d("2025-03-30"), &s());
        assert!(got.iter().all(|x| x.status == NotYet), "{got:#?}");

        // Off the list: no periodic duty. Last year's unit stays listed until this year's list is out.
        assert!(key_unit_duties(&listed(&[2020, 2021]), &[], d("2024-06-01"), &s()).is_empty());
        assert_eq!(key_unit_duties(&listed(&[2020, 2021]), &[], d("2022-03-30"), &s()).len(), 5);
        assert!(key_unit_duties(&listed(&[2020, 2021]), &[], d("2022-04-01"), &s()).is_empty());
    }

    #[test]
    fn survey_before_stop() {
        let cases: &[(UnitStatus, &[&str], Option<DutyStatus>)] = &[
            (UnitStatus::Operating, &[], None),
            (UnitStatus::Stopped, &[], Some(Overdue)),
            (UnitStatus::Closed, &["2024-10-01"], Some(Done)),
            (UnitStatus::Relocated, &["2026-10-01"], Some(Overdue)),
        ];
        for (status, dates, want) in cases {
            let u = unit(&[2020], Some(false), Some(false), *status);
            let got = key_unit_duties(&u, &recs(RecordKind::SurveyReport, dates), d("2025-06-01"), &s());
            assert_eq!(got.iter().find(|x| x.duty == "survey_before_stop").map(|x| x.status), *want, "{status}");
        }
    }

    #[test]
    fn tailings_ponds() {
        use RecordKind::Inspection as I;
        // (case, level, supervised since, inspections, as of, duty, status, period, due_by, count)
        type PondCase = (
            &'static str,
            PondLevel,
            Option<&'static str>,
            &'static [&'static str],
            &'static str,
            &'static str,
            DutyStatus,
            &'static str,
            &'static str,
            (u32, u32),
        );
        let pre = "tailings_level1_before_flood_season";
        let l1 = "tailings_level1_inspections";
        let l2 = "tailings_level2_inspections";
        use PondLevel::{Level1, Level2};
        let cases: &[PondCase] = &[
            (
                "L1 one inspection in August: pre-flood missed",
                Level1,
                None,
                &["2025-08-15"],
                "2025-09-01",
                pre,
                Overdue,
                "2025-pre-flood",
                "2025-03-31",
                (0, 1),
            ),
            (
                "L1 one inspection in August: one more due",
                Level1,
                Some("2025-01-01"),
                &["2025-08-15"],
                "2025-09-01",
                l1,
                Due,
                "2025",
                "2025-12-31",
                (1, 2),
            ),
            (
                "L1 March and August: pre-flood done",
                Level1,
                None,
                &["2025-03-10", "2025-08-15"],
                "2025-09-01",
                pre,
                Done,
                "2025-pre-flood",
                "2026-03-31",
                (1, 1),
            ),
            (
                "L1 March and August: year done",
                Level1,
                None,
                &["2025-03-10", "2025-08-15"],
                "2025-09-01",
                l1,
                Done,
                "2025",
                "2026-12-31",
                (2, 2),
            ),
            (
                "L1 on 1 April is already the flood season",
                Level1,
                None,
                &["2025-04-01"],
                "2025-05-01",
                pre,
                Overdue,
                "2025-pre-flood",
                "2025-03-31",
                (0, 1),
            ),
            (
                "L1 before the deadline",
                Level1,
                None,
                &["2025-03-10"],
                "2025-02-15",
                pre,
                Due,
                "2025-pre-flood",
                "2025-03-31",
                (0, 1),
            ),
            (
                "L1 last year short, seen in January",
                Level1,
                None,
                &["2025-08-15"],
                "2026-01-15",
                l1,
                Overdue,
                "2025",
                "2025-12-31",
                (1, 2),
            ),
            (
                "L1 supervised from May: no pre-flood this year",
                Level1,
                Some("2025-05-01"),
                &[],
                "2025-06-01",
                pre,
                NotYet,
                "2026-pre-flood",
                "2026-03-31",
                (0, 1),
            ),
            (
                "L2 inspected once: done",
                Level2,
                None,
                &["2025-06-10"],
                "2025-09-01",
                l2,
                Done,
                "2025",
                "2026-12-31",
                (1, 1),
            ),
            (
                "L2 not yet this year, new this year",
                Level2,
                Some("2025-01-01"),
                &[],
                "2025-06-01",
                l2,
                Due,
                "2025",
                "2025-12-31",
                (0, 1),
            ),
            ("L2 none last year", Level2, None, &[], "2025-06-01", l2, Overdue, "2024", "2024-12-31", (0, 1)),
            (
                "L2 supervised from next year",
                Level2,
                Some("2026-03-01"),
                &[],
                "2025-06-01",
                l2,
                NotYet,
                "2026",
                "2026-12-31",
                (0, 1),
            ),
        ];
        for (name, level, since, dates, as_of, id, status, period, due_by, count) in cases {
            let got = pond_duties(&pond("P1", "450225", *level), since.map(d), &recs(I, dates), d(as_of), &s());
            let x = find(&got, id);
            assert_eq!(
                (x.status, x.period.as_str(), x.due_by, x.count),
                (*status, *period, Some(d(due_by)), Some(*count)),
                "{name}: {x:?}"
            );
        }
        assert_eq!(pond_duties(&pond("P1", "450225", Level1), None, &[], d("2025-06-01"), &s()).len(), 2);
        assert!(pond_duties(&pond("P3", "450225", PondLevel::Level3), None, &[], d("2025-06-01"), &s()).is_empty());
    }

    #[test]
    fn pollution_sources() {
        use RecordKind::{ClosedOut, FollowUpCheck, Rectified};
        use SourceList::{Remediation, Screened};
        use SourceState::{ClosedOut as Closed, Listed, Rectified as RectifiedState, Rectifying};
        let rect = "source_rectification";
        let follow = "source_follow_up_check";
        // (case, list, state, deadline, records, as of, duty, status (None: no such duty), due_by)
        type SourceCase = (
            &'static str,
            SourceList,
            SourceState,
            Option<&'static str>,
            Vec<DutyRecord>,
            &'static str,
            &'static str,
            Option<DutyStatus>,
            Option<&'static str>,
        );
        let cases: Vec<SourceCase> = vec![
            (
                "past its deadline, not rectified",
                Remediation,
                Rectifying,
                Some("2025-06-30"),
                vec![],
                "2025-07-01",
                rect,
                Some(Overdue),
                Some("2025-06-30"),
            ),
            (
                "on its deadline",
                Remediation,
                Rectifying,
                Some("2025-06-30"),
                vec![],
                "2025-06-30",
                rect,
                Some(Due),
                Some("2025-06-30"),
            ),
            (
                "rectified before the deadline",
                Remediation,
                Rectifying,
                Some("2025-06-30"),
                recs(Rectified, &["2025-06-01"]),
                "2025-07-01",
                rect,
                Some(Done),
                None,
            ),
            (
                "rectified by its state",
                Remediation,
                RectifiedState,
                Some("2025-06-30"),
                vec![],
                "2025-07-01",
                rect,
                Some(Done),
                None,
            ),
            (
                "a rectification recorded after the as-of date",
                Remediation,
                Listed,
                Some("2025-06-30"),
                recs(Rectified, &["2025-08-01"]),
                "2025-07-01",
                rect,
                Some(Overdue),
                Some("2025-06-30"),
            ),
            ("no deadline", Remediation, Listed, None, vec![], "2025-07-01", rect, Some(Due), None),
            (
                "only the remediation list has a deadline",
                Screened,
                Listed,
                Some("2025-06-30"),
                vec![],
                "2025-07-01",
                rect,
                None,
                None,
            ),
            (
                "closed out 2021, no follow-up, 2024",
                Remediation,
                Closed,
                None,
                recs(ClosedOut, &["2021-09-01"]),
                "2024-01-01",
                follow,
                Some(Overdue),
                Some("2023-12-31"),
            ),
            (
                "closed out 2021, no follow-up yet, last day",
                Remediation,
                Closed,
                None,
                recs(ClosedOut, &["2021-09-01"]),
                "2023-12-31",
                follow,
                Some(Due),
                Some("2023-12-31"),
            ),
            (
                "closed out 2021, followed up 2023",
                Remediation,
                Closed,
                None,
                [recs(ClosedOut, &["2021-09-01"]), recs(FollowUpCheck, &["2023-05-01"])].concat(),
                "2024-01-01",
                follow,
                Some(Done),
                None,
            ),
            (
                "a check before the close-out is not a follow-up",
                Remediation,
                Closed,
                None,
                [recs(ClosedOut, &["2021-09-01"]), recs(FollowUpCheck, &["2021-03-01"])].concat(),
                "2024-01-01",
                follow,
                Some(Overdue),
                Some("2023-12-31"),
            ),
            ("closed out without its record", Remediation, Closed, None, vec![], "2024-01-01", follow, Some(Due), None),
            ("not closed out", Remediation, Rectifying, None, vec![], "2024-01-01", follow, None, None),
        ];
        for (name, list, state, deadline, r, as_of, id, status, due_by) in cases {
            let got = source_duties(&source(list, state, deadline), &r, d(as_of), &s());
            let x = got.iter().find(|x| x.duty == id);
            assert_eq!(x.map(|x| x.status), status, "{name}: {got:?}");
            if let Some(x) = x {
                assert_eq!(x.due_by, due_by.map(d), "{name}: {x:?}");
                assert_eq!(x.unknown.is_empty(), x.due_by.is_some() || x.status == Done, "{name}: {x:?}");
            }
        }
        let mut src = source(Remediation, Rectifying, Some("2025-06-30"));
        src.plan_doc = Some("柳环函〔2024〕7号".into());
        let got = source_duties(&src, &[], d("2025-01-01"), &s());
        assert!(find(&got, rect).basis.ends_with("；整治方案柳环函〔2024〕7号"), "{got:?}");
    }

    #[test]
    fn settings_validate() {
        assert_eq!(DutySettings::default().validate(), Ok(()));
        type Spoil = fn(&mut DutySettings);
        let bad: &[(Spoil, &str)] = &[
            (|s| s.groundwater_per_year_buried = 3, "groundwater_per_year_buried"),
            (|s| s.flood_season_start = (2, 29), "flood_season_start"),
            (|s| s.hazard_check_every_years = 0, "hazard_check_every_years"),
            (|s| s.pond_level1_before_flood_season = 3, "pond_level1_before_flood_season"),
            (|s| s.pond_level3_share_percent = 0, "pond_level3_share_percent"),
            (|s| s.county_report_per_year = 3, "county_report_per_year"),
        ];
        for (f, name) in bad {
            let mut s = DutySettings::default();
            f(&mut s);
            assert!(s.validate().unwrap_err().contains(name), "{name}");
        }
        // A longer cycle is a setting, not a constant.
        let s2 = DutySettings { hazard_check_every_years: 2, ..DutySettings::default() };
        let got = key_unit_duties(
            &listed(&[2021, 2022, 2023, 2024]),
            &recs(RecordKind::HazardCheck, &["2022-05-10"]),
            d("2024-06-01"),
            &s2,
        );
        assert_eq!((find(&got, "hazard_check").status, find(&got, "hazard_check").period.as_str()), (Due, "2024"));
    }

    /// Periods are written as `format!` wrote them.
    #[test]
    fn period_labels() {
        let slice = |year, index, per_year| Slice { year, index, per_year }.label();
        let cases: [(Period, &str); 13] = [
            (Period::year(2025), "2025"),
            (Period::year(7), "7"),
            (Period::year(-44), "-44"),
            (Period::year(262143), "262143"),
            (years_label(2023, 2025), "2023–2025"),
            (years_label(-262143, 262143), "-262143–262143"),
            (years_label(2025, 2025), "2025"),
            (pre_flood(-262143), "-262143-pre-flood"),
            (slice(2025, 0, 1), "2025"),
            (slice(2025, 1, 2), "2025-H2"),
            (slice(2025, 2, 4), "2025-Q3"),
            (slice(2025, 0, 12), "2025-01"),
            (slice(2025, 11, 12), "2025-12"),
        ];
        for (got, want) in cases {
            assert_eq!(got.as_str(), want);
            assert_eq!(serde_json::to_string(&got).unwrap(), serde_json::to_string(want).unwrap());
        }
        assert_eq!(Period::from("stopped"), "stopped");
        assert_eq!(Period::default(), "");
    }

    #[test]
    fn duty_table_matches_the_docs() {
        let ids: Vec<&str> = DUTIES.iter().map(|r| r.id).collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
        let settings = serde_json::to_value(DutySettings::default()).unwrap();
        let docs = include_str!("../../docs/source-control.md");
        for r in DUTIES {
            assert_eq!(r.record.register(), r.register, "{}", r.id);
            assert!(docs.contains(&format!("`{}`", r.id)), "docs/source-control.md describes {}", r.id);
            assert!(docs.contains(r.basis), "docs/source-control.md quotes the basis of {}: {}", r.id, r.basis);
            for name in r.settings {
                assert!(settings.get(name).is_some(), "{} names a setting that does not exist: {name}", r.id);
            }
        }
        for (name, _) in settings.as_object().unwrap() {
            assert!(docs.contains(&format!("`{name}`")), "docs/source-control.md documents the setting {name}");
        }
        for k in RecordKind::ALL {
            assert!(docs.contains(&format!("`{}`", k.as_str())), "docs/source-control.md names the record kind {k}");
        }
        for r in COUNTY_DUTIES {
            assert!(!DUTIES.iter().any(|d| d.id == r.id), "{} is both an entity and a county duty", r.id);
            for text in [format!("`{}`", r.id), format!("`{}`", r.record), r.basis.to_string()] {
                assert!(docs.contains(&text), "docs/source-control.md describes {}: {text}", r.id);
            }
            for name in r.settings {
                assert!(settings.get(name).is_some(), "{} names a setting that does not exist: {name}", r.id);
            }
        }
    }
}
