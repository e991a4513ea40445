//! The safe-utilisation rate by the official method (受污染耕地安全利用率核算方法), (B + C + D) / E with its
//! terms in m² and 亩: [`LedgerAccumulator`] folds units one at a time, each with its own ledger entries, by
//! the rule `GET /indicators` counts with ([`measures::counted`]), and says how many units went each way.
//! With no entries at all it gives the flag's rate, the figure published before the ledger existed.

use super::farmland::FarmlandClass;
use super::geometry::M2_PER_MU;
use super::indicators::{Scope, Targets, UnitForIndicator};
use super::measures::{counted, Cover, CropRule, Measure, RateSource};
use serde::Serialize;

/// The official rate's terms, in m² and 亩.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedgerRate {
    pub scope: Scope,
    pub year: i32,
    pub crop_rule: CropRule,
    pub source: RateSource,
    /// Polluted units counted from the ledger and from the flag.
    pub units_from_ledger: u64,
    pub units_from_flag: u64,
    /// Percent to 2 decimals; null without polluted farmland.
    pub rate_percent: Option<f64>,
    pub target_percent: Option<f64>,
    pub meets_target: Option<bool>,
    /// B: slightly polluted land with priority-protection measures. The register does not tell slightly
    /// polluted from clean priority-protection land, so B is 0 and that land is outside E too.
    pub b_m2: f64,
    /// C: safe-use land with measures whose crops pass the crop rule.
    pub c_m2: f64,
    pub c_mu: f64,
    /// D: strict-control land with strict-control measures.
    pub d_m2: f64,
    pub d_mu: f64,
    /// E: all polluted land (safe-use and strict-control units).
    pub e_m2: f64,
    pub e_mu: f64,
}

/// Folds units with their ledger entries into the official rate for one year.
#[derive(Debug, Clone)]
pub struct LedgerAccumulator {
    scope: Scope,
    year: i32,
    crop_rule: CropRule,
    target: Option<f64>,
    from_ledger: u64,
    from_flag: u64,
    c: f64,
    d: f64,
    e: f64,
}

impl LedgerAccumulator {
    pub fn new(scope: Scope, targets: &Targets, year: i32, crop_rule: CropRule) -> LedgerAccumulator {
        LedgerAccumulator {
            target: targets.target_for(&scope),
            scope,
            year,
            crop_rule,
            from_ledger: 0,
            from_flag: 0,
            c: 0.0,
            d: 0.0,
            e: 0.0,
        }
    }

    /// Counts one unit with its ledger entries (entries of other years are ignored), by [`counted`].
    pub fn add_unit(&mut self, u: &UnitForIndicator, ledger: &[Measure]) {
        if !self.scope.contains(&u.county_code) || !u.class.is_polluted() {
            return;
        }
        let c = counted(&u.measures(), Cover::of(ledger, self.year).as_ref(), self.crop_rule);
        self.e += c.area_m2;
        if c.from_ledger {
            self.from_ledger += 1;
        } else {
            self.from_flag += 1;
        }
        match u.class {
            FarmlandClass::SafeUse => self.c += c.counted_m2,
            _ => self.d += c.counted_m2,
        }
    }

    pub fn finish(self) -> LedgerRate {
        let rate = (self.e > 0.0).then(|| round_to((self.c + self.d) / self.e * 100.0, 2));
        let source = RateSource::of_counts(self.from_ledger, self.from_flag);
        LedgerRate {
            scope: self.scope,
            year: self.year,
            crop_rule: self.crop_rule,
            source,
            units_from_ledger: self.from_ledger,
            units_from_flag: self.from_flag,
            rate_percent: rate,
            target_percent: self.target,
            meets_target: rate.zip(self.target).map(|(r, t)| r >= t),
            b_m2: 0.0,
            c_m2: round_to(self.c, 1),
            c_mu: round_to(self.c / M2_PER_MU, 2),
            d_m2: round_to(self.d, 1),
            d_mu: round_to(self.d / M2_PER_MU, 2),
            e_m2: round_to(self.e, 1),
            e_mu: round_to(self.e / M2_PER_MU, 2),
        }
    }
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::indicators::Accumulator;
    use crate::domain::measures::{MeasureKind, Period};
    use FarmlandClass::*;
    use MeasureKind::*;

    fn unit(class: FarmlandClass, measures: bool, crops: Option<bool>, area_m2: f64) -> UnitForIndicator {
        UnitForIndicator {
            county_code: "450302".into(),
            class,
            measures_in_place: measures,
            crops_compliant: crops,
            area_m2,
        }
    }

    fn m(year: i32, kind: MeasureKind, area_m2: f64) -> Measure {
        Measure { period: Period { year, season: None }, kind, area_m2, document: "桂环〔2026〕1号".into() }
    }

    fn fold(rule: CropRule, rows: &[(UnitForIndicator, Vec<Measure>)]) -> LedgerRate {
        let mut acc = LedgerAccumulator::new(Scope::County("450302".into()), &Targets::default(), 2026, rule);
        for (u, ledger) in rows {
            acc.add_unit(u, ledger);
        }
        acc.finish()
    }

    #[test]
    fn ledger_rate_table() {
        use CropRule::*;
        // (name, rule, units with ledgers, rate, C m², D m², E m², source)
        type Row =
            (&'static str, CropRule, Vec<(UnitForIndicator, Vec<Measure>)>, Option<f64>, f64, f64, f64, RateSource);
        let table: Vec<Row> = vec![
            (
                "a safe-use unit with both kinds of measure counts once",
                NotFoundNonCompliant,
                vec![(
                    unit(SafeUse, false, Some(true), 1000.0),
                    vec![m(2026, Lime, 1000.0), m(2026, Water, 800.0), m(2026, Fallow, 600.0)],
                )],
                Some(100.0),
                1000.0,
                0.0,
                1000.0,
                RateSource::Ledger,
            ),
            (
                "a strict unit with both kinds counts once, by its strict measure",
                NotFoundNonCompliant,
                vec![(
                    unit(StrictControl, false, None, 1000.0),
                    vec![m(2026, Lime, 1000.0), m(2026, Fallow, 700.0), m(2026, ForestGrass, 300.0)],
                )],
                Some(70.0),
                0.0,
                700.0,
                1000.0,
                RateSource::Ledger,
            ),
            (
                "safe-use measures alone do not make strict land safely used",
                NotFoundNonCompliant,
                vec![(unit(StrictControl, true, None, 1000.0), vec![m(2026, Lime, 1000.0)])],
                Some(0.0),
                0.0,
                0.0,
                1000.0,
                RateSource::Ledger,
            ),
            (
                "a measure larger than the unit counts the unit",
                NotFoundNonCompliant,
                vec![(unit(SafeUse, false, None, 500.0), vec![m(2026, Variety, 900.0)])],
                Some(100.0),
                500.0,
                0.0,
                500.0,
                RateSource::Ledger,
            ),
            (
                "non-compliant crops: safe-use measures do not count, a strict one does",
                NotFoundNonCompliant,
                vec![
                    (unit(SafeUse, true, Some(false), 1000.0), vec![m(2026, Lime, 1000.0)]),
                    (
                        unit(SafeUse, true, Some(false), 1000.0),
                        vec![m(2026, Lime, 1000.0), m(2026, PlantingStructure, 400.0)],
                    ),
                ],
                Some(20.0),
                400.0,
                0.0,
                2000.0,
                RateSource::Ledger,
            ),
            (
                "the official crop rule needs sampled, compliant crops",
                Compliant,
                vec![
                    (unit(SafeUse, false, None, 1000.0), vec![m(2026, Lime, 1000.0)]),
                    (unit(SafeUse, false, Some(true), 1000.0), vec![m(2026, Lime, 1000.0)]),
                ],
                Some(50.0),
                1000.0,
                0.0,
                2000.0,
                RateSource::Ledger,
            ),
            (
                "another year's entries do not count: the flag decides",
                NotFoundNonCompliant,
                vec![(unit(SafeUse, false, None, 1000.0), vec![m(2025, Lime, 1000.0)])],
                Some(0.0),
                0.0,
                0.0,
                1000.0,
                RateSource::Flag,
            ),
            (
                "ledger where it has entries, flag where none",
                NotFoundNonCompliant,
                vec![
                    (unit(SafeUse, false, None, 1000.0), vec![m(2026, Water, 250.0)]),
                    (unit(StrictControl, true, None, 3000.0), vec![]),
                    (unit(PriorityProtection, false, None, 9000.0), vec![m(2026, Lime, 9000.0)]),
                ],
                Some(81.25),
                250.0,
                3000.0,
                4000.0,
                RateSource::Mixed,
            ),
            (
                "no polluted land",
                NotFoundNonCompliant,
                vec![(unit(PriorityProtection, true, None, 10.0), vec![])],
                None,
                0.0,
                0.0,
                0.0,
                RateSource::None,
            ),
        ];
        for (name, rule, rows, rate, c, d, e, source) in table {
            let r = fold(rule, &rows);
            assert_eq!((r.rate_percent, r.c_m2, r.d_m2, r.e_m2, r.source), (rate, c, d, e, source), "{name}");
            assert_eq!(r.b_m2, 0.0, "{name}");
            assert_eq!(r.target_percent, Some(93.8), "{name}");
            assert_eq!(
                r.units_from_ledger + r.units_from_flag,
                rows.iter().filter(|(u, _)| u.class.is_polluted()).count() as u64
            );
        }
    }

    /// `GET /indicators` counts ledger units by the same rule: a unit with safe-use and strict-control measures
    /// is counted once, at its larger cover, never at their sum, in the breakdown as in the rate.
    #[test]
    fn indicators_count_a_unit_with_both_kinds_once() {
        let rows = [
            (unit(SafeUse, false, Some(true), 1000.0), vec![m(2026, Lime, 600.0), m(2026, Fallow, 700.0)]),
            (unit(SafeUse, false, None, 1000.0), vec![m(2026, Water, 900.0), m(2026, ForestGrass, 400.0)]),
            (unit(StrictControl, true, None, 1000.0), vec![m(2026, Fallow, 800.0), m(2026, Lime, 1000.0)]),
            (unit(SafeUse, true, None, 500.0), vec![m(2025, Lime, 500.0)]),
        ];
        let scope = Scope::County("450302".into());
        let mut ind = Accumulator::new(scope.clone(), &Targets::default());
        let mut ledger = LedgerAccumulator::new(scope, &Targets::default(), 2026, CropRule::NotFoundNonCompliant);
        for (u, entries) in &rows {
            ind.add_unit_with_ledger(u, Cover::of(entries, 2026).as_ref());
            ledger.add_unit(u, entries);
        }
        let (ind, ledger) = (ind.finish().safe_utilisation, ledger.finish());
        // 700 + 900 + 800 + 500 (by the flag: 2025's lime is not 2026's) of 3500
        assert_eq!(ind.safely_used_m2, 2900.0);
        assert_eq!(ind.safe_use.with_measures_and_compliant_m2, 2100.0);
        assert_eq!(ind.strict_control.with_measures_m2, 800.0);
        assert_eq!((ind.rate_percent, ledger.rate_percent), (Some(82.86), Some(82.86)));
        assert_eq!((ind.source, ind.units_from_ledger, ind.units_from_flag), (RateSource::Mixed, 3, 1));
        assert_eq!(Cover::of(&rows[0].1, 2026), Some(Cover { safe_use_m2: 600.0, strict_m2: 700.0 }));
        assert_eq!(Cover::of(&rows[0].1, 2024), None);
    }

    /// Without ledger entries the ledger method is today's `GET /indicators` rate, unit for unit.
    #[test]
    fn without_entries_it_is_todays_rate() {
        let units = [
            unit(SafeUse, true, Some(true), 1000.0),
            unit(SafeUse, true, None, 500.0),
            unit(SafeUse, true, Some(false), 300.0),
            unit(SafeUse, false, Some(true), 200.0),
            unit(StrictControl, true, Some(false), 1000.0),
            unit(StrictControl, false, None, 1000.0),
            unit(PriorityProtection, false, None, 5000.0),
            unit(SafeUse, true, None, f64::NAN),
        ];
        let scope = Scope::City("4503".into());
        let mut today = Accumulator::new(scope.clone(), &Targets::default());
        let mut ledger = LedgerAccumulator::new(scope, &Targets::default(), 2026, CropRule::NotFoundNonCompliant);
        for u in &units {
            today.add_unit(u);
            ledger.add_unit(u, &[]);
        }
        let (today, ledger) = (today.finish().safe_utilisation, ledger.finish());
        assert_eq!(ledger.rate_percent, today.rate_percent);
        assert_eq!(ledger.rate_percent, Some(62.5));
        assert_eq!(ledger.c_m2 + ledger.d_m2, today.safely_used_m2);
        assert_eq!(ledger.e_m2, today.polluted_m2);
        assert_eq!(ledger.meets_target, today.meets_target);
        assert_eq!((ledger.source, ledger.units_from_flag), (RateSource::Flag, 7));
    }
}
