//! The duties of a city or a county as a whole rather than of one entity of a register: the share of a
//! city's level-3 tailings ponds inspected in a year, and a county's reports to its city's bureau where the
//! city's plan asks for them (docs/domain.md §7 and §11). The rules of the parent module hold here too.

use super::{dates, end_of_year, per_slice, rule, Duty, DutySettings, DutyStatus, Slice};
use crate::domain::sources::{DutyRecord, PondLevel, RecordKind, TailingsPond};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// The city-level duty of one year: at least the set share of a city's level-3 ponds inspected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CityDuty {
    /// The first four digits of the county codes.
    pub city_code: String,
    pub duty: &'static str,
    pub name_zh: &'static str,
    pub period: String,
    pub due_by: NaiveDate,
    pub status: DutyStatus,
    pub inspected: u32,
    pub total: u32,
    pub required: u32,
    pub basis: &'static str,
}

/// The level-3 share for `year`, per city, counting inspections up to `as_of`. Ponds of other levels are
/// ignored; a city with no level-3 pond has no such duty.
pub fn level3_share(
    ponds: &[(&TailingsPond, &[DutyRecord])],
    year: i32,
    as_of: NaiveDate,
    s: &DutySettings,
) -> Vec<CityDuty> {
    let mut by_city: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    for (pond, records) in ponds {
        if pond.level != PondLevel::Level3 {
            continue;
        }
        let city: String = pond.county_code.chars().take(4).collect();
        let inspected = dates(records, RecordKind::Inspection, as_of).iter().any(|d| d.year() == year);
        let e = by_city.entry(city).or_default();
        e.0 += inspected as u32;
        e.1 += 1;
    }
    let r = rule("tailings_level3_share");
    let due_by = end_of_year(year);
    by_city
        .into_iter()
        .map(|(city_code, (inspected, total))| {
            let required = (total * s.pond_level3_share_percent).div_ceil(100);
            let status = if inspected >= required {
                DutyStatus::Done
            } else if as_of <= due_by {
                DutyStatus::Due
            } else {
                DutyStatus::Overdue
            };
            CityDuty {
                city_code,
                duty: r.id,
                name_zh: r.name_zh,
                period: year.to_string(),
                due_by,
                status,
                inspected,
                total,
                required,
                basis: r.basis,
            }
        })
        .collect()
}

/// A duty of a county rather than of an entity of a register, with the plan that asks for it. A city's plan
/// binds only that city's counties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountyDutyRule {
    pub id: &'static str,
    /// The record kind that fulfils it (a record whose subject is the county: `duty_records.collection`
    /// `counties`).
    pub record: &'static str,
    pub record_zh: &'static str,
    pub name_zh: &'static str,
    pub basis: &'static str,
    /// The city (first four digits of the county codes) whose plan asks for it.
    pub city_code: &'static str,
    /// The first day it applies: the plan's year.
    pub from: (i32, u32, u32),
    pub settings: &'static [&'static str],
}

/// The county duties. Liuzhou's 2025 plan has no clause on county reports, so only Guilin's counties owe one.
pub const COUNTY_DUTIES: &[CountyDutyRule] = &[CountyDutyRule {
    id: "county_quarterly_report",
    record: "quarterly_report",
    record_zh: "季度工作进展报告",
    name_zh: "县（市、区）季度工作进展报送",
    basis: "《桂林市2023年度土壤污染防治工作计划》（市政办〔2023〕20号）第二部分第（二）项",
    city_code: "4503",
    from: (2023, 1, 1),
    settings: &["county_report_per_year"],
}];

/// The county duty rules that bind a county: those of its city's plan.
pub fn county_rules(county_code: &str) -> impl Iterator<Item = &'static CountyDutyRule> + '_ {
    COUNTY_DUTIES.iter().filter(move |r| county_code.starts_with(r.city_code))
}

/// The county's report to the city bureau as of a date, from the dates of its `quarterly_report` records:
/// one in each slice of the year (a quarter by default), due by the slice's last day, counted like any duty
/// done n times a year (a missed quarter stays overdue until the current one is reported). None when the
/// county's city has no plan that asks for it.
pub fn county_report(county_code: &str, reports: &[NaiveDate], as_of: NaiveDate, s: &DutySettings) -> Option<Duty> {
    let r = county_rules(county_code).find(|r| r.id == "county_quarterly_report")?;
    let (y, m, d) = r.from;
    let since = NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MIN);
    let mut done: Vec<NaiveDate> = reports.iter().copied().filter(|d| *d <= as_of).collect();
    done.sort();
    Some(per_slice(r.id, s.county_report_per_year, &done, since, as_of))
}

/// The county's reports in the as-of year, for the indicators: each slice of the year (a quarter by
/// default) that ended before the as-of date and after the plan began, judged by [`county_report`]'s rule
/// as of the slice's last day (done only with a report dated in it). None when the county's city has no
/// plan that asks for the report.
pub fn county_report_year(
    county_code: &str,
    reports: &[NaiveDate],
    as_of: NaiveDate,
    s: &DutySettings,
) -> Option<CountyReportYear> {
    let mut out = CountyReportYear::default();
    let Some(jan1) = NaiveDate::from_ymd_opt(as_of.year(), 1, 1) else { return Some(out) };
    let mut slice = Slice::containing(jan1, s.county_report_per_year);
    while slice.end() < as_of {
        let duty = county_report(county_code, reports, slice.end(), s)?;
        match duty.status {
            DutyStatus::NotYet => {}
            DutyStatus::Done => {
                out.required += 1;
                out.done += 1;
            }
            _ => {
                out.required += 1;
                out.missed.push(slice.label().to_string());
            }
        }
        slice = slice.next();
    }
    county_rules(county_code).next().map(|_| out)
}

/// A county's reports of one year (see [`county_report_year`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CountyReportYear {
    /// Slices of the year that ended by the as-of date, and those of them with a report dated in them.
    pub required: u32,
    pub done: u32,
    /// The periods of those without (`2025-Q1`).
    pub missed: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::super::tests::{d, pond, recs, s};
    use super::*;
    use crate::domain::duties::DutyStatus::{Done, Due, NotYet, Overdue};

    #[test]
    fn level3_share_per_city() {
        use PondLevel::{Level2, Level3};
        let ponds = [
            pond("G1", "450321", Level3),
            pond("G2", "450322", Level3),
            pond("G3", "450323", Level3),
            pond("G4", "450321", Level2),
            pond("L1", "450225", Level3),
        ];
        let r = |dates: &[&str]| recs(RecordKind::Inspection, dates);
        // (case, inspections of G1..G3 and L1, year, as of, Guilin's status, inspected)
        type Case<'a> = (&'a str, [Vec<DutyRecord>; 4], i32, &'a str, DutyStatus, u32);
        let cases: Vec<Case> = vec![
            ("1 of 3 is not met", [r(&["2025-05-01"]), r(&[]), r(&[]), r(&[])], 2025, "2025-09-01", Due, 1),
            (
                "2 of 3 is met",
                [r(&["2025-05-01"]), r(&["2025-07-01", "2025-08-01"]), r(&[]), r(&[])],
                2025,
                "2025-09-01",
                Done,
                2,
            ),
            (
                "last year's inspections do not count",
                [r(&["2024-05-01"]), r(&["2025-07-01"]), r(&[]), r(&[])],
                2025,
                "2025-09-01",
                Due,
                1,
            ),
            (
                "later inspections do not count yet",
                [r(&["2025-05-01"]), r(&["2025-10-01"]), r(&[]), r(&[])],
                2025,
                "2025-09-01",
                Due,
                1,
            ),
            (
                "a past year not met is overdue",
                [r(&["2025-05-01"]), r(&[]), r(&[]), r(&[])],
                2025,
                "2026-01-10",
                Overdue,
                1,
            ),
        ];
        for (name, [a, b, c, l], year, as_of, status, inspected) in cases {
            let empty: Vec<DutyRecord> = vec![];
            let input: Vec<(&TailingsPond, &[DutyRecord])> =
                vec![(&ponds[0], &a), (&ponds[1], &b), (&ponds[2], &c), (&ponds[3], &empty), (&ponds[4], &l)];
            let got = level3_share(&input, year, d(as_of), &s());
            assert_eq!(got.iter().map(|x| x.city_code.as_str()).collect::<Vec<_>>(), ["4502", "4503"], "{name}");
            let g = &got[1];
            assert_eq!((g.status, g.inspected, g.total, g.required), (status, inspected, 3, 2), "{name}: {g:?}");
            assert_eq!(g.due_by, end_of_year(year));
            assert_eq!(
                (g.duty, g.period.as_str(), g.basis),
                ("tailings_level3_share", "2025", rule("tailings_level3_share").basis)
            );
            assert_eq!((got[0].total, got[0].required), (1, 1), "{name}");
        }
        assert!(level3_share(&[(&ponds[3], &[])], 2025, d("2025-06-01"), &s()).is_empty());
    }

    #[test]
    fn county_quarterly_report() {
        // (case, county, report dates, as of, expected (status, period, due_by, last_done) or None)
        type Case = (
            &'static str,
            &'static str,
            &'static [&'static str],
            &'static str,
            Option<(DutyStatus, &'static str, &'static str, Option<&'static str>)>,
        );
        let table: &[Case] = &[
            (
                "Guilin, no report, after Q1",
                "450302",
                &[],
                "2025-04-10",
                Some((Overdue, "2025-Q1", "2025-03-31", None)),
            ),
            // Q1 reported: the duty moves on to Q2
            (
                "Guilin, Q1 reported",
                "450302",
                &["2025-03-28"],
                "2025-04-10",
                Some((Due, "2025-Q2", "2025-06-30", Some("2025-03-28"))),
            ),
            (
                "Guilin, within Q1, reported",
                "450321",
                &["2025-03-28"],
                "2025-03-29",
                Some((Done, "2025-Q1", "2025-06-30", Some("2025-03-28"))),
            ),
            (
                "Guilin, within Q1, not yet",
                "450321",
                &["2024-12-20"],
                "2025-03-20",
                Some((Due, "2025-Q1", "2025-03-31", Some("2024-12-20"))),
            ),
            (
                "Guilin, the last day of Q1",
                "450302",
                &["2024-12-20"],
                "2025-03-31",
                Some((Due, "2025-Q1", "2025-03-31", Some("2024-12-20"))),
            ),
            (
                "a report after the as-of date",
                "450302",
                &["2025-04-20"],
                "2025-04-10",
                Some((Overdue, "2025-Q1", "2025-03-31", None)),
            ),
            // a late Q1 report is the Q2 report (no grace: the plan says quarter-end), Q1 stays missed until then
            (
                "Q1 reported late",
                "450302",
                &["2025-04-02"],
                "2025-04-10",
                Some((Done, "2025-Q2", "2025-09-30", Some("2025-04-02"))),
            ),
            ("before the plan", "450302", &[], "2022-06-01", Some((NotYet, "2023-Q1", "2023-03-31", None))),
            ("the plan's first quarter", "450302", &[], "2023-04-01", Some((Overdue, "2023-Q1", "2023-03-31", None))),
            ("Liuzhou: no such clause", "450222", &["2025-03-28"], "2025-04-10", None),
            ("Liuzhou city district", "450202", &[], "2025-04-10", None),
        ];
        for (case, county, reports, as_of, want) in table {
            let reports: Vec<NaiveDate> = reports.iter().map(|x| d(x)).collect();
            let got = county_report(county, &reports, d(as_of), &s());
            match (got, want) {
                (None, None) => {}
                (Some(g), Some((status, period, due_by, last))) => {
                    assert_eq!(
                        (g.status, g.period.as_str(), g.due_by, g.last_done),
                        (*status, *period, Some(d(due_by)), last.map(d)),
                        "{case}"
                    );
                    assert_eq!(
                        (g.duty, g.basis.as_ref()),
                        ("county_quarterly_report", COUNTY_DUTIES[0].basis),
                        "{case}"
                    );
                }
                (g, w) => panic!("{case}: got {g:?}, want {w:?}"),
            }
        }
        // Half-yearly by the setting.
        let half = DutySettings { county_report_per_year: 2, ..DutySettings::default() };
        let g = county_report("450302", &[], d("2025-08-01"), &half).unwrap();
        assert_eq!((g.status, g.period.as_str()), (Overdue, "2025-H1"));
    }

    #[test]
    fn county_report_year_counts_the_ended_quarters() {
        // (case, county, report dates, as of, expected (required, done, missed) or None)
        type Case = (
            &'static str,
            &'static str,
            &'static [&'static str],
            &'static str,
            Option<(u32, u32, &'static [&'static str])>,
        );
        let table: &[Case] = &[
            ("within Q1: nothing owed yet", "450302", &[], "2025-03-31", Some((0, 0, &[]))),
            ("after Q1, none", "450302", &[], "2025-04-10", Some((1, 0, &["2025-Q1"]))),
            ("after Q1, reported", "450302", &["2025-03-28"], "2025-04-10", Some((1, 1, &[]))),
            // a late report counts for the quarter it is dated in
            ("Q1 late, Q2 ended", "450302", &["2025-04-02"], "2025-07-01", Some((2, 1, &["2025-Q1"]))),
            (
                "year end, Q2 and Q4 missed",
                "450321",
                &["2025-01-05", "2025-08-01", "2024-12-01", "2026-01-02"],
                "2025-12-31",
                Some((3, 2, &["2025-Q2"])),
            ),
            ("a new year", "450302", &["2025-12-01"], "2026-01-05", Some((0, 0, &[]))),
            ("before the plan", "450302", &[], "2022-12-31", Some((0, 0, &[]))),
            ("Liuzhou: no such clause", "450222", &[], "2025-04-10", None),
        ];
        for (case, county, reports, as_of, want) in table {
            let reports: Vec<NaiveDate> = reports.iter().map(|x| d(x)).collect();
            let got = county_report_year(county, &reports, d(as_of), &s());
            let want = want.map(|(required, done, missed)| CountyReportYear {
                required,
                done,
                missed: missed.iter().map(|m| m.to_string()).collect(),
            });
            assert_eq!(got, want, "{case}");
        }
    }
}
