//! Key construction land safely used (重点建设用地安全利用率) and whether its use is "effectively guaranteed"
//! (有效保障), per the definition in the Liuzhou 2025 plan's footnote (docs/domain.md §9, docs/targets.md).
//!
//! Pure: the caller hands in plain records of the key construction land developed (the store keeps them:
//! store/key_land.rs, `POST /key-land/developments`).

use super::indicators::Scope;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What the rate counts. The plan counts parcels; a bureau may report by area instead (a setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateBasis {
    #[default]
    Count,
    Area,
}

/// A decision taken against development found in breach, and when (if ever) the breach was put right.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnforcementRecord {
    /// The decision's document, e.g. its number.
    pub decision: String,
    pub decided_on: NaiveDate,
    /// The date it was found corrected (整改到位); none while it is not.
    pub corrected_on: Option<NaiveDate>,
}

/// One piece of key construction land that was developed (开发利用).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DevelopedLand {
    pub parcel_id: String,
    pub county_code: String,
    pub developed_on: NaiveDate,
    pub area_m2: f64,
    /// Developed only after every step its state required: survey, risk assessment, control or remediation,
    /// and effect evaluation.
    pub chain_complete: bool,
    pub enforcement: Vec<EnforcementRecord>,
}

impl DevelopedLand {
    /// A breach is handled when, by `as_of`, it carries an enforcement decision and has been corrected.
    fn breach_handled(&self, as_of: NaiveDate) -> bool {
        self.enforcement.iter().any(|e| e.decided_on <= as_of && e.corrected_on.is_some_and(|c| c <= as_of))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyLandRate {
    pub basis: RateBasis,
    /// Developed in the period, in scope, known by the as-of date.
    pub developed: u64,
    pub developed_m2: f64,
    pub safely_used: u64,
    pub safely_used_m2: f64,
    /// Percent to 2 decimals, by `basis`; null when nothing was developed (no denominator).
    pub rate_percent: Option<f64>,
    /// Parcels developed in breach whose breach is not yet both decided and corrected.
    pub unhandled_breaches: Vec<String>,
    /// 100 %, or ≥ 95 % with every breach handled. Null when nothing was developed: the plan's rate is
    /// undefined then, and "no value" must never read as met.
    pub effectively_guaranteed: Option<bool>,
}

/// The rate over land developed from `from` to `to` (both inclusive), as known on `as_of`: development and
/// enforcement dated after `as_of` do not exist yet.
pub fn key_land_rate(
    land: &[DevelopedLand],
    scope: &Scope,
    from: NaiveDate,
    to: NaiveDate,
    as_of: NaiveDate,
    basis: RateBasis,
) -> KeyLandRate {
    let last = to.min(as_of);
    let mut r = KeyLandRate {
        basis,
        developed: 0,
        developed_m2: 0.0,
        safely_used: 0,
        safely_used_m2: 0.0,
        rate_percent: None,
        unhandled_breaches: Vec::new(),
        effectively_guaranteed: None,
    };
    for l in land.iter().filter(|l| scope.contains(&l.county_code) && l.developed_on >= from && l.developed_on <= last)
    {
        // As in the indicators: a degenerate area counts as nothing rather than poisoning the sum.
        let area = if l.area_m2.is_finite() && l.area_m2 > 0.0 { l.area_m2 } else { 0.0 };
        r.developed += 1;
        r.developed_m2 += area;
        if l.chain_complete {
            r.safely_used += 1;
            r.safely_used_m2 += area;
        } else if !l.breach_handled(as_of) {
            r.unhandled_breaches.push(l.parcel_id.clone());
        }
    }
    let (num, den) = match basis {
        RateBasis::Count => (r.safely_used as f64, r.developed as f64),
        RateBasis::Area => (r.safely_used_m2, r.developed_m2),
    };
    r.rate_percent = (den > 0.0).then(|| round2(num / den * 100.0));
    r.effectively_guaranteed =
        r.rate_percent.map(|rate| rate >= 100.0 || (rate >= 95.0 && r.unhandled_breaches.is_empty()));
    r.developed_m2 = round1(r.developed_m2);
    r.safely_used_m2 = round1(r.safely_used_m2);
    r
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn land(id: usize, complete: bool, enforcement: Vec<EnforcementRecord>) -> DevelopedLand {
        DevelopedLand {
            parcel_id: format!("P{id}"),
            county_code: "450203".into(),
            developed_on: d(2025, 6, 1),
            area_m2: 1000.0,
            chain_complete: complete,
            enforcement,
        }
    }

    fn corrected(on: NaiveDate) -> EnforcementRecord {
        EnforcementRecord {
            decision: "柳环罚〔2025〕1号".into(), decided_on: d(2025, 7, 1), corrected_on: Some(on)
        }
    }

    fn uncorrected() -> EnforcementRecord {
        EnforcementRecord { decision: "柳环罚〔2025〕2号".into(), decided_on: d(2025, 7, 1), corrected_on: None }
    }

    /// `good` parcels developed properly, then the given breaches.
    fn set(good: usize, breaches: Vec<Vec<EnforcementRecord>>) -> Vec<DevelopedLand> {
        let mut v: Vec<DevelopedLand> = (0..good).map(|i| land(i, true, vec![])).collect();
        for (i, e) in breaches.into_iter().enumerate() {
            v.push(land(1000 + i, false, e));
        }
        v
    }

    #[test]
    fn effectively_guaranteed_table() {
        let end = d(2025, 12, 31);
        // (name, land, rate, guaranteed, unhandled)
        type Row = (&'static str, Vec<DevelopedLand>, Option<f64>, Option<bool>, usize);
        let table: Vec<Row> = vec![
            ("100 %", set(20, vec![]), Some(100.0), Some(true), 0),
            (
                "96 % with every breach corrected",
                set(24, vec![vec![corrected(d(2025, 9, 1))]]),
                Some(96.0),
                Some(true),
                0,
            ),
            (
                "96 % with one breach uncorrected",
                set(48, vec![vec![corrected(d(2025, 9, 1))], vec![uncorrected()]]),
                Some(96.0),
                Some(false),
                1,
            ),
            ("96 % with a breach that has no enforcement record", set(24, vec![vec![]]), Some(96.0), Some(false), 1),
            (
                "exactly 95 %, corrected",
                set(19, vec![vec![uncorrected(), corrected(d(2025, 8, 1))]]),
                Some(95.0),
                Some(true),
                0,
            ),
            (
                "94 % even with every breach corrected",
                set(47, vec![vec![corrected(d(2025, 9, 1))]; 3]),
                Some(94.0),
                Some(false),
                0,
            ),
            (
                "corrected after the as-of date does not count yet",
                set(24, vec![vec![corrected(d(2026, 2, 1))]]),
                Some(96.0),
                Some(false),
                1,
            ),
            ("nothing developed: no rate, not guaranteed either", vec![], None, None, 0),
        ];
        for (name, land, rate, guaranteed, unhandled) in table {
            let r = key_land_rate(&land, &Scope::City("4502".into()), d(2025, 1, 1), end, end, RateBasis::Count);
            assert_eq!(r.rate_percent, rate, "{name}");
            assert_eq!(r.effectively_guaranteed, guaranteed, "{name}");
            assert_eq!(r.unhandled_breaches.len(), unhandled, "{name}");
        }
    }

    #[test]
    fn period_scope_and_area_basis() {
        let mut v = set(3, vec![vec![]]);
        v[0].area_m2 = 7000.0; // one big parcel developed properly
        v.push(DevelopedLand { developed_on: d(2024, 12, 31), ..land(7, false, vec![]) }); // last year
        v.push(DevelopedLand { developed_on: d(2026, 1, 1), ..land(8, false, vec![]) }); // next year
        v.push(DevelopedLand { county_code: "450302".into(), ..land(9, false, vec![]) }); // Guilin
        let (from, to) = (d(2025, 1, 1), d(2025, 12, 31));
        let liuzhou = Scope::City("4502".into());
        let by_count = key_land_rate(&v, &liuzhou, from, to, to, RateBasis::Count);
        assert_eq!((by_count.developed, by_count.safely_used, by_count.rate_percent), (4, 3, Some(75.0)));
        assert_eq!(by_count.unhandled_breaches, vec!["P1000".to_string()]);
        let by_area = key_land_rate(&v, &liuzhou, from, to, to, RateBasis::Area);
        assert_eq!(
            (by_area.developed_m2, by_area.safely_used_m2, by_area.rate_percent),
            (10_000.0, 9000.0, Some(90.0))
        );
        // As known in March: nothing developed yet (all of it is dated June).
        let early = key_land_rate(&v, &liuzhou, from, to, d(2025, 3, 31), RateBasis::Count);
        assert_eq!((early.developed, early.rate_percent, early.effectively_guaranteed), (0, None, None));
    }
}
