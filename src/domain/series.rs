//! The as-of dates of an indicator series (docs/targets.md#indicators-over-time): one per month, quarter or
//! year from `from` to `to`, each the end of its period, the last clipped to `to`. The store evaluates the
//! indicators as of each date; a change dated `d` is seen by the first point whose `as_of` is on or after `d`.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The default for the setting that caps a series' length: twenty years by month.
pub const DEFAULT_MAX_STEPS: u32 = 240;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Month,
    Quarter,
    Year,
}

impl Step {
    fn months(self) -> u32 {
        match self {
            Step::Month => 1,
            Step::Quarter => 3,
            Step::Year => 12,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Month => "month",
            Step::Quarter => "quarter",
            Step::Year => "year",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Step {
    type Err = SeriesError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "month" => Ok(Step::Month),
            "quarter" => Ok(Step::Quarter),
            "year" => Ok(Step::Year),
            _ => Err(SeriesError::UnknownStep(s.to_string())),
        }
    }
}

/// Bad series parameters; each message is in Chinese and English, for a 400 problem+json.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeriesError {
    #[error("步长 '{0}' 无效，应为 month、quarter 或 year / step '{0}' is not one of month, quarter, year")]
    UnknownStep(String),
    #[error("起始日期 {from} 晚于结束日期 {to} / from ({from}) is after to ({to})")]
    FromAfterTo { from: NaiveDate, to: NaiveDate },
    #[error(
        "序列有 {steps} 个时点，超过上限 {max} / the series would have {steps} points, more than the limit of {max}"
    )]
    TooManySteps { steps: u64, max: u32 },
}

/// One point of a series: the indicators are taken as of `as_of`, which ends the period `start..=as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeriesPoint {
    pub start: NaiveDate,
    pub as_of: NaiveDate,
    /// e.g. 2025年第1季度, 2025年3月, 2025年
    pub label_zh: String,
    /// e.g. 2025-Q1, 2025-03, 2025
    pub label_en: String,
}

/// The first day of the calendar period (of `step`) that holds `d`.
fn period_start(d: NaiveDate, step: Step) -> NaiveDate {
    let m0 = (d.month0() / step.months()) * step.months();
    NaiveDate::from_ymd_opt(d.year(), m0 + 1, 1).unwrap_or(d)
}

fn labels(start: NaiveDate, step: Step) -> (String, String) {
    let (y, m) = (start.year(), start.month());
    match step {
        Step::Month => (format!("{y}年{m}月"), format!("{y}-{m:02}")),
        Step::Quarter => {
            let q = (m - 1) / 3 + 1;
            (format!("{y}年第{q}季度"), format!("{y}-Q{q}"))
        }
        Step::Year => (format!("{y}年"), format!("{y}")),
    }
}

/// The points from `from` to `to` inclusive, at most `max_steps` of them. The first period is the calendar
/// period that holds `from` (its `start` is `from` itself); the last ends on `to`.
pub fn series_points(
    from: NaiveDate,
    to: NaiveDate,
    step: Step,
    max_steps: u32,
) -> Result<Vec<SeriesPoint>, SeriesError> {
    if from > to {
        return Err(SeriesError::FromAfterTo { from, to });
    }
    let first = period_start(from, step);
    let last = period_start(to, step);
    let months = (last.year() - first.year()) as i64 * 12 + last.month() as i64 - first.month() as i64;
    let steps = (months / step.months() as i64 + 1) as u64;
    if steps > max_steps as u64 {
        return Err(SeriesError::TooManySteps { steps, max: max_steps });
    }
    let mut points = Vec::with_capacity(steps as usize);
    let mut p = first;
    while p <= to {
        let next = p.checked_add_months(Months::new(step.months())).unwrap_or(NaiveDate::MAX);
        let end = next.pred_opt().unwrap_or(next).min(to);
        let (label_zh, label_en) = labels(p, step);
        points.push(SeriesPoint { start: p.max(from), as_of: end, label_zh, label_en });
        if next == NaiveDate::MAX {
            break;
        }
        p = next;
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn as_ofs(from: NaiveDate, to: NaiveDate, step: Step) -> Vec<NaiveDate> {
        series_points(from, to, step, 1000).unwrap().into_iter().map(|p| p.as_of).collect()
    }

    #[test]
    fn dates_table() {
        let table: &[(NaiveDate, NaiveDate, Step, &[NaiveDate])] = &[
            (
                d(2025, 1, 1),
                d(2025, 12, 31),
                Step::Quarter,
                &[d(2025, 3, 31), d(2025, 6, 30), d(2025, 9, 30), d(2025, 12, 31)],
            ),
            (d(2025, 2, 10), d(2025, 8, 15), Step::Quarter, &[d(2025, 3, 31), d(2025, 6, 30), d(2025, 8, 15)]),
            (d(2024, 1, 15), d(2024, 3, 1), Step::Month, &[d(2024, 1, 31), d(2024, 2, 29), d(2024, 3, 1)]),
            (
                d(2023, 1, 1),
                d(2026, 12, 31),
                Step::Year,
                &[d(2023, 12, 31), d(2024, 12, 31), d(2025, 12, 31), d(2026, 12, 31)],
            ),
            (d(2025, 6, 30), d(2025, 6, 30), Step::Year, &[d(2025, 6, 30)]),
            (d(2025, 11, 30), d(2026, 1, 31), Step::Month, &[d(2025, 11, 30), d(2025, 12, 31), d(2026, 1, 31)]),
        ];
        for (from, to, step, want) in table {
            assert_eq!(as_ofs(*from, *to, *step), want.to_vec(), "{from}..{to} by {step}");
        }
        let p = series_points(d(2025, 2, 10), d(2025, 8, 15), Step::Quarter, 10).unwrap();
        assert_eq!((p[0].start, p[1].start, p[2].start), (d(2025, 2, 10), d(2025, 4, 1), d(2025, 7, 1)));
    }

    /// A parcel listed on 2025-03-15 counts from March: the first point that sees it is the one whose period
    /// holds that date, not the one after.
    #[test]
    fn a_change_in_march_is_first_seen_in_the_period_holding_march() {
        let change = d(2025, 3, 15);
        let table: &[(NaiveDate, NaiveDate, Step, Option<&str>)] = &[
            (d(2025, 1, 1), d(2025, 12, 31), Step::Month, Some("2025-03")),
            (d(2025, 1, 1), d(2025, 12, 31), Step::Quarter, Some("2025-Q1")),
            (d(2025, 1, 1), d(2025, 12, 31), Step::Year, Some("2025")),
            (d(2024, 1, 1), d(2025, 12, 31), Step::Year, Some("2025")),
            (d(2025, 3, 15), d(2025, 3, 15), Step::Month, Some("2025-03")),
            // The series stops before the change: nothing sees it.
            (d(2025, 1, 1), d(2025, 3, 14), Step::Quarter, None),
        ];
        for (from, to, step, want) in table {
            let points = series_points(*from, *to, *step, 100).unwrap();
            let first = points.iter().find(|p| p.as_of >= change).map(|p| p.label_en.as_str());
            assert_eq!(first, *want, "{from}..{to} by {step}");
            // Every earlier point ends before the change, so none of them counts it.
            for p in points.iter().take_while(|p| Some(p.label_en.as_str()) != *want) {
                assert!(p.as_of < change, "{} sees a change dated {change}", p.label_en);
            }
        }
    }

    #[test]
    fn labels_in_both_languages() {
        let table: &[(Step, NaiveDate, &str, &str)] = &[
            (Step::Quarter, d(2025, 1, 1), "2025年第1季度", "2025-Q1"),
            (Step::Quarter, d(2025, 11, 5), "2025年第4季度", "2025-Q4"),
            (Step::Month, d(2025, 3, 15), "2025年3月", "2025-03"),
            (Step::Year, d(2023, 7, 1), "2023年", "2023"),
        ];
        for (step, day, zh, en) in table {
            let p = &series_points(*day, *day, *step, 1).unwrap()[0];
            assert_eq!((p.label_zh.as_str(), p.label_en.as_str()), (*zh, *en));
        }
    }

    #[test]
    fn validation() {
        assert_eq!(
            series_points(d(2025, 2, 1), d(2025, 1, 31), Step::Month, 10),
            Err(SeriesError::FromAfterTo { from: d(2025, 2, 1), to: d(2025, 1, 31) })
        );
        // 2023-01 .. 2026-12 by month: 48 points.
        assert_eq!(series_points(d(2023, 1, 1), d(2026, 12, 31), Step::Month, 48).map(|p| p.len()), Ok(48));
        assert_eq!(
            series_points(d(2023, 1, 1), d(2026, 12, 31), Step::Month, 47),
            Err(SeriesError::TooManySteps { steps: 48, max: 47 })
        );
        assert_eq!("quarter".parse::<Step>(), Ok(Step::Quarter));
        let err = "week".parse::<Step>().unwrap_err().to_string();
        assert!(err.contains("week") && err.contains("步长"), "{err}");
        let err = SeriesError::TooManySteps { steps: 5, max: 4 }.to_string();
        assert!(err.contains("上限") && err.contains("limit"), "{err}");
    }
}
