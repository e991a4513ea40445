//! The plan indicators (docs/domain.md §1, §2): the safe-utilisation rate of polluted farmland, the share of
//! priority-supervision parcels under control, and the RCR list by state, for a county, a city or all.
//!
//! The store streams rows into an [`Accumulator`] one at a time, so a province-sized registry never has to
//! sit in memory; [`Accumulator::finish`] rounds once, at the end, so rounding never compounds.

use super::farmland::FarmlandClass;
use super::geometry::M2_PER_MU;
use super::lifecycle::ParcelState;
use super::measures::{self, Cover, CropRule, RateSource};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A farmland classification unit as the indicators need it (as of the indicator date).
#[derive(Debug, Clone, PartialEq)]
pub struct UnitForIndicator {
    pub county_code: String,
    pub class: FarmlandClass,
    pub measures_in_place: bool,
    pub crops_compliant: Option<bool>,
    pub area_m2: f64,
}

impl UnitForIndicator {
    /// What the measures rule reads of the unit.
    pub fn measures(&self) -> measures::UnitMeasures {
        measures::UnitMeasures {
            class: self.class,
            area_m2: self.area_m2,
            measures_in_place: self.measures_in_place,
            crops_compliant: self.crops_compliant,
        }
    }
}

/// A construction parcel as the indicators need it (as of the indicator date).
#[derive(Debug, Clone, PartialEq)]
pub struct ParcelForIndicator {
    pub county_code: String,
    pub state: ParcelState,
    pub priority_supervision: bool,
}

/// Plan targets by 4-digit city prefix, in percent. The same shape as the settings
/// LANDGUARD_SAFE_USE_TARGETS and LANDGUARD_PRIORITY_CONTROL_TARGETS (`4503=93.8,4502=93`).
#[derive(Debug, Clone, PartialEq)]
pub struct Targets {
    /// Safe-utilisation rate of polluted farmland.
    pub safe_use: BTreeMap<String, f64>,
    /// Share of priority-supervision parcels under control.
    pub priority_control: BTreeMap<String, f64>,
}

impl Default for Targets {
    /// Guilin 2023 (≥ 93.8 %, priority parcels ≥ 35 % under control) and Liuzhou 2025 (≥ 93 %).
    fn default() -> Self {
        Targets {
            safe_use: [("4503".to_string(), 93.8), ("4502".to_string(), 93.0)].into_iter().collect(),
            priority_control: [("4503".to_string(), 35.0)].into_iter().collect(),
        }
    }
}

impl Targets {
    /// The safe-utilisation target of the scope's city. Plans set targets per city, so a county answers
    /// to its city's target and "everything" (possibly several cities) has none.
    pub fn target_for(&self, scope: &Scope) -> Option<f64> {
        scope.city_prefix().and_then(|p| self.safe_use.get(p).copied())
    }

    pub fn priority_target_for(&self, scope: &Scope) -> Option<f64> {
        scope.city_prefix().and_then(|p| self.priority_control.get(p).copied())
    }
}

/// What an indicator is computed over. Serialises as `{"level": "county", "code": "450203"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "level", content = "code", rename_all = "snake_case")]
pub enum Scope {
    All,
    /// 4-digit prefix of the county codes, e.g. `4503` (Guilin).
    City(String),
    /// 6-digit administrative code, e.g. `450302`.
    County(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("county_code '{0}' is neither a 4-digit city prefix (such as 4503) nor a 6-digit county code (such as 450302)")]
pub struct ScopeError(pub String);

impl Scope {
    /// From the optional `county_code` query parameter: absent or empty → all, 4 digits → city, 6 → county.
    pub fn parse(county_code: Option<&str>) -> Result<Scope, ScopeError> {
        let Some(raw) = county_code else { return Ok(Scope::All) };
        let code = raw.trim();
        if code.is_empty() {
            return Ok(Scope::All);
        }
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ScopeError(raw.to_string()));
        }
        match code.len() {
            4 => Ok(Scope::City(code.to_string())),
            6 => Ok(Scope::County(code.to_string())),
            _ => Err(ScopeError(raw.to_string())),
        }
    }

    pub fn contains(&self, county_code: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::City(prefix) => county_code.len() == 6 && county_code.starts_with(prefix.as_str()),
            Scope::County(code) => county_code == code,
        }
    }

    /// The city whose plan targets apply.
    pub fn city_prefix(&self) -> Option<&str> {
        match self {
            Scope::All => None,
            Scope::City(p) => Some(p),
            Scope::County(c) => c.get(..4),
        }
    }

    /// What every county code in scope starts with ("" for all): lets the store filter with `LIKE 'p%'`.
    pub fn code_prefix(&self) -> &str {
        match self {
            Scope::All => "",
            Scope::City(p) => p,
            Scope::County(c) => c,
        }
    }
}

impl FromStr for Scope {
    type Err = ScopeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::parse(Some(s))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::All => f.write_str("all"),
            Scope::City(p) => write!(f, "city {p}"),
            Scope::County(c) => write!(f, "county {c}"),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct ClassSum {
    units: u64,
    area_m2: f64,
}

impl ClassSum {
    fn add(&mut self, units: u64, area_m2: f64) {
        self.units += units;
        self.area_m2 += area_m2;
    }
}

/// Folds units and parcels in any order; rows outside the scope are skipped, so a store that filters
/// loosely (or not at all) still gets the right answer.
#[derive(Debug, Clone)]
pub struct Accumulator {
    scope: Scope,
    safe_use_target: Option<f64>,
    priority_target: Option<f64>,
    priority_protection: ClassSum,
    safe_use: ClassSum,
    strict_control: ClassSum,
    safe_use_with_measures_m2: f64,
    safe_use_counted_m2: f64,
    strict_with_measures_m2: f64,
    units_from_ledger: u64,
    units_from_flag: u64,
    priority_total: u64,
    priority_under_control: u64,
    listed: u64,
    under_control: u64,
    under_remediation: u64,
    effect_evaluation: u64,
}

impl Accumulator {
    pub fn new(scope: Scope, targets: &Targets) -> Accumulator {
        Accumulator {
            safe_use_target: targets.target_for(&scope),
            priority_target: targets.priority_target_for(&scope),
            scope,
            priority_protection: ClassSum::default(),
            safe_use: ClassSum::default(),
            strict_control: ClassSum::default(),
            safe_use_with_measures_m2: 0.0,
            safe_use_counted_m2: 0.0,
            strict_with_measures_m2: 0.0,
            units_from_ledger: 0,
            units_from_flag: 0,
            priority_total: 0,
            priority_under_control: 0,
            listed: 0,
            under_control: 0,
            under_remediation: 0,
            effect_evaluation: 0,
        }
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// Counts one unit. Per docs/domain.md §1, safe-use land counts as safely used when its measures are in
    /// place and its crops are not found non-compliant (not yet sampled counts); strict-control land when
    /// its measures are in place, crops or not, since it should grow no edible crops at all.
    pub fn add_unit(&mut self, u: &UnitForIndicator) {
        self.add_units(u, 1);
    }

    /// Counts `n` units alike in county, class, measures and crops at once, `u.area_m2` being their total
    /// area, none with ledger entries for the year: what a store that groups in SQL hands in (an indicator
    /// series groups by date and county).
    pub fn add_units(&mut self, u: &UnitForIndicator, n: u64) {
        self.add(u, n, None);
    }

    /// Counts one unit with its measures ledger's cover for the indicator's year (docs/targets.md): with a
    /// cover the ledger decides how much of it is safely used, without one the `measures_in_place` flag, as
    /// [`measures::counted`] says for both.
    pub fn add_unit_with_ledger(&mut self, u: &UnitForIndicator, cover: Option<&Cover>) {
        self.add(u, 1, cover);
    }

    fn add(&mut self, u: &UnitForIndicator, n: u64, cover: Option<&Cover>) {
        if !self.scope.contains(&u.county_code) || n == 0 {
            return;
        }
        let c = measures::counted(&u.measures(), cover, CropRule::NotFoundNonCompliant);
        if u.class.is_polluted() {
            if c.from_ledger {
                self.units_from_ledger += n;
            } else {
                self.units_from_flag += n;
            }
        }
        match u.class {
            FarmlandClass::PriorityProtection => self.priority_protection.add(n, c.area_m2),
            FarmlandClass::SafeUse => {
                self.safe_use.add(n, c.area_m2);
                self.safe_use_with_measures_m2 += c.with_measures_m2;
                self.safe_use_counted_m2 += c.counted_m2;
            }
            FarmlandClass::StrictControl => {
                self.strict_control.add(n, c.area_m2);
                self.strict_with_measures_m2 += c.counted_m2;
            }
        }
    }

    pub fn add_parcel(&mut self, p: &ParcelForIndicator) {
        self.add_parcels(p, 1);
    }

    /// Counts `n` parcels alike in county, state and priority supervision at once.
    pub fn add_parcels(&mut self, p: &ParcelForIndicator, n: u64) {
        if !self.scope.contains(&p.county_code) {
            return;
        }
        if p.priority_supervision {
            self.priority_total += n;
            if p.state.is_under_control() {
                self.priority_under_control += n;
            }
        }
        match p.state {
            ParcelState::Listed => self.listed += n,
            ParcelState::UnderControl => self.under_control += n,
            ParcelState::UnderRemediation => self.under_remediation += n,
            ParcelState::EffectEvaluation => self.effect_evaluation += n,
            _ => {}
        }
    }

    pub fn finish(self) -> Indicators {
        let polluted = self.safe_use.area_m2 + self.strict_control.area_m2;
        let safely_used = self.safe_use_counted_m2 + self.strict_with_measures_m2;
        let rate = (polluted > 0.0).then(|| round_to(safely_used / polluted * 100.0, 2));
        let share = (self.priority_total > 0)
            .then(|| round_to(self.priority_under_control as f64 / self.priority_total as f64 * 100.0, 2));
        let total = ClassSum {
            units: self.priority_protection.units + self.safe_use.units + self.strict_control.units,
            area_m2: self.priority_protection.area_m2 + polluted,
        };
        Indicators {
            safe_utilisation: SafeUtilisation {
                rate_percent: rate,
                target_percent: self.safe_use_target,
                meets_target: meets(rate, self.safe_use_target),
                safely_used_m2: m2(safely_used),
                safely_used_mu: mu(safely_used),
                polluted_m2: m2(polluted),
                polluted_mu: mu(polluted),
                polluted_ha: ha(polluted),
                source: RateSource::of_counts(self.units_from_ledger, self.units_from_flag),
                units_from_ledger: self.units_from_ledger,
                units_from_flag: self.units_from_flag,
                safe_use: SafeUseBreakdown {
                    units: self.safe_use.units,
                    area_m2: m2(self.safe_use.area_m2),
                    area_mu: mu(self.safe_use.area_m2),
                    with_measures_m2: m2(self.safe_use_with_measures_m2),
                    with_measures_and_compliant_m2: m2(self.safe_use_counted_m2),
                    with_measures_and_compliant_mu: mu(self.safe_use_counted_m2),
                },
                strict_control: StrictControlBreakdown {
                    units: self.strict_control.units,
                    area_m2: m2(self.strict_control.area_m2),
                    area_mu: mu(self.strict_control.area_m2),
                    with_measures_m2: m2(self.strict_with_measures_m2),
                    with_measures_mu: mu(self.strict_with_measures_m2),
                },
            },
            priority_parcels: PriorityParcels {
                total: self.priority_total,
                under_control: self.priority_under_control,
                share_percent: share,
                target_percent: self.priority_target,
                meets_target: meets(share, self.priority_target),
            },
            rcr_listed_by_state: RcrListedByState {
                listed: self.listed,
                under_control: self.under_control,
                under_remediation: self.under_remediation,
                effect_evaluation: self.effect_evaluation,
                total: self.listed + self.under_control + self.under_remediation + self.effect_evaluation,
            },
            farmland_by_class: FarmlandByClass {
                priority_protection: self.priority_protection.into(),
                safe_use: self.safe_use.into(),
                strict_control: self.strict_control.into(),
                total: total.into(),
            },
            scope: self.scope,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicators {
    pub scope: Scope,
    pub safe_utilisation: SafeUtilisation,
    pub priority_parcels: PriorityParcels,
    pub rcr_listed_by_state: RcrListedByState,
    pub farmland_by_class: FarmlandByClass,
}

/// 受污染耕地安全利用率 and the areas behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SafeUtilisation {
    /// Percent to 2 decimals; null when the scope has no polluted farmland (nothing to use safely).
    pub rate_percent: Option<f64>,
    pub target_percent: Option<f64>,
    /// Null when either the rate or the target is unknown.
    pub meets_target: Option<bool>,
    pub safely_used_m2: f64,
    pub safely_used_mu: f64,
    pub polluted_m2: f64,
    pub polluted_mu: f64,
    pub polluted_ha: f64,
    /// Which method counted the polluted units: the measures ledger of the as-of date's year (`ledger`), the
    /// `measures_in_place` flag (`flag`), both (`mixed`), or neither for want of polluted land (`none`).
    pub source: RateSource,
    pub units_from_ledger: u64,
    pub units_from_flag: u64,
    pub safe_use: SafeUseBreakdown,
    pub strict_control: StrictControlBreakdown,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SafeUseBreakdown {
    pub units: u64,
    pub area_m2: f64,
    pub area_mu: f64,
    pub with_measures_m2: f64,
    /// With measures and crops not found non-compliant: the part that counts as safely used.
    pub with_measures_and_compliant_m2: f64,
    pub with_measures_and_compliant_mu: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrictControlBreakdown {
    pub units: u64,
    pub area_m2: f64,
    pub area_mu: f64,
    pub with_measures_m2: f64,
    pub with_measures_mu: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorityParcels {
    pub total: u64,
    pub under_control: u64,
    /// Percent to 2 decimals; null when there are no priority-supervision parcels.
    pub share_percent: Option<f64>,
    pub target_percent: Option<f64>,
    pub meets_target: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RcrListedByState {
    pub listed: u64,
    pub under_control: u64,
    pub under_remediation: u64,
    pub effect_evaluation: u64,
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FarmlandByClass {
    pub priority_protection: ClassArea,
    pub safe_use: ClassArea,
    pub strict_control: ClassArea,
    pub total: ClassArea,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassArea {
    pub units: u64,
    pub area_m2: f64,
    pub area_mu: f64,
    pub area_ha: f64,
}

impl From<ClassSum> for ClassArea {
    fn from(c: ClassSum) -> Self {
        ClassArea { units: c.units, area_m2: m2(c.area_m2), area_mu: mu(c.area_m2), area_ha: ha(c.area_m2) }
    }
}

/// Judged on the rounded figure the report shows, so a printed 93.80 never reads "misses 93.8".
fn meets(value: Option<f64>, target: Option<f64>) -> Option<bool> {
    Some(value? >= target?)
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

fn m2(x: f64) -> f64 {
    round_to(x, 1)
}

fn mu(x: f64) -> f64 {
    round_to(x / M2_PER_MU, 2)
}

fn ha(x: f64) -> f64 {
    round_to(x / 10_000.0, 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use FarmlandClass::*;
    use ParcelState::*;

    fn unit(county: &str, class: FarmlandClass, measures: bool, crops: Option<bool>, area_m2: f64) -> UnitForIndicator {
        UnitForIndicator {
            county_code: county.into(),
            class,
            measures_in_place: measures,
            crops_compliant: crops,
            area_m2,
        }
    }

    fn parcel(county: &str, state: ParcelState, priority: bool) -> ParcelForIndicator {
        ParcelForIndicator { county_code: county.into(), state, priority_supervision: priority }
    }

    fn fold(scope: Scope, units: &[UnitForIndicator], parcels: &[ParcelForIndicator]) -> Indicators {
        let mut acc = Accumulator::new(scope, &Targets::default());
        for u in units {
            acc.add_unit(u);
        }
        for p in parcels {
            acc.add_parcel(p);
        }
        acc.finish()
    }

    #[test]
    fn safe_utilisation_rate_table() {
        // (name, units, expected rate, expected safely used m², expected polluted m²)
        type Row = (&'static str, Vec<UnitForIndicator>, Option<f64>, f64, f64);
        let table: Vec<Row> = vec![
            (
                "every case of the formula",
                vec![
                    unit("450302", SafeUse, true, Some(true), 1000.0),        // counts
                    unit("450302", SafeUse, true, None, 500.0), // counts: not sampled is not non-compliant
                    unit("450302", SafeUse, true, Some(false), 300.0), // crops non-compliant
                    unit("450302", SafeUse, false, Some(true), 200.0), // no measures
                    unit("450302", StrictControl, true, Some(false), 1000.0), // counts: crops do not matter
                    unit("450302", StrictControl, false, None, 1000.0), // no measures
                    unit("450302", PriorityProtection, false, None, 5000.0), // not polluted: outside the formula
                ],
                Some(62.5),
                2500.0,
                4000.0,
            ),
            ("all safely used", vec![unit("450302", SafeUse, true, Some(true), 666.67)], Some(100.0), 666.7, 666.7),
            ("none safely used", vec![unit("450302", StrictControl, false, None, 1234.0)], Some(0.0), 0.0, 1234.0),
            (
                "a third",
                vec![unit("450302", SafeUse, true, None, 1.0), unit("450302", SafeUse, false, None, 2.0)],
                Some(33.33),
                1.0,
                3.0,
            ),
            (
                "only priority farmland",
                vec![unit("450302", PriorityProtection, true, Some(true), 9000.0)],
                None,
                0.0,
                0.0,
            ),
            ("nothing at all", vec![], None, 0.0, 0.0),
            (
                "bad areas count as nothing",
                vec![
                    unit("450302", SafeUse, true, None, f64::NAN),
                    unit("450302", SafeUse, true, None, -5.0),
                    unit("450302", SafeUse, false, None, 10.0),
                ],
                Some(0.0),
                0.0,
                10.0,
            ),
        ];
        for (name, units, rate, used, polluted) in table {
            let ind = fold(Scope::County("450302".into()), &units, &[]);
            let su = &ind.safe_utilisation;
            assert_eq!(su.rate_percent, rate, "{name}");
            assert_eq!(su.safely_used_m2, used, "{name}");
            assert_eq!(su.polluted_m2, polluted, "{name}");
            assert_eq!(su.target_percent, Some(93.8), "{name}: a Guilin county answers to Guilin's target");
            assert_eq!(su.meets_target, rate.map(|r| r >= 93.8), "{name}");
        }
    }

    #[test]
    fn breakdown_and_units_of_area() {
        let units = [
            unit("450302", SafeUse, true, Some(true), 6000.0),
            unit("450302", SafeUse, true, Some(false), 4000.0),
            unit("450302", SafeUse, false, None, 2000.0),
            unit("450302", StrictControl, true, None, 3000.0),
            unit("450302", StrictControl, false, None, 1000.0),
            unit("450302", PriorityProtection, false, None, 10_000.0),
        ];
        let ind = fold(Scope::City("4503".into()), &units, &[]);
        let su = &ind.safe_utilisation;
        assert_eq!(
            su.safe_use,
            SafeUseBreakdown {
                units: 3,
                area_m2: 12_000.0,
                area_mu: 18.0,
                with_measures_m2: 10_000.0,
                with_measures_and_compliant_m2: 6000.0,
                with_measures_and_compliant_mu: 9.0,
            }
        );
        assert_eq!(
            su.strict_control,
            StrictControlBreakdown {
                units: 2,
                area_m2: 4000.0,
                area_mu: 6.0,
                with_measures_m2: 3000.0,
                with_measures_mu: 4.5,
            }
        );
        assert_eq!(su.rate_percent, Some(56.25));
        assert_eq!((su.safely_used_m2, su.safely_used_mu), (9000.0, 13.5));
        assert_eq!((su.polluted_m2, su.polluted_mu, su.polluted_ha), (16_000.0, 24.0, 1.6));
        assert_eq!(
            ind.farmland_by_class.priority_protection,
            ClassArea { units: 1, area_m2: 10_000.0, area_mu: 15.0, area_ha: 1.0 }
        );
        assert_eq!(ind.farmland_by_class.total, ClassArea { units: 6, area_m2: 26_000.0, area_mu: 39.0, area_ha: 2.6 });
    }

    #[test]
    fn scope_filters_rows() {
        let units = [
            unit("450203", SafeUse, true, None, 100.0),
            unit("450204", SafeUse, false, None, 100.0),
            unit("450302", StrictControl, true, None, 300.0),
            unit("450303", StrictControl, false, None, 100.0),
        ];
        // (scope, rate, polluted m², target)
        let table = [
            (Scope::County("450203".into()), Some(100.0), 100.0, Some(93.0)),
            (Scope::City("4502".into()), Some(50.0), 200.0, Some(93.0)),
            (Scope::City("4503".into()), Some(75.0), 400.0, Some(93.8)),
            (Scope::All, Some(66.67), 600.0, None),
            (Scope::City("4501".into()), None, 0.0, None),
        ];
        for (scope, rate, polluted, target) in table {
            let ind = fold(scope.clone(), &units, &[]);
            assert_eq!(ind.safe_utilisation.rate_percent, rate, "{scope}");
            assert_eq!(ind.safe_utilisation.polluted_m2, polluted, "{scope}");
            assert_eq!(ind.safe_utilisation.target_percent, target, "{scope}");
            assert_eq!(ind.scope, scope);
        }
    }

    #[test]
    fn meeting_the_target_is_judged_on_the_shown_figure() {
        // 93.8 % exactly, and 93.7996 % which shows as 93.80.
        for (used, total, meets) in
            [(938.0, 1000.0, true), (937_996.0, 1_000_000.0, true), (937_949.0, 1_000_000.0, false)]
        {
            let units = [unit("450302", SafeUse, true, None, used), unit("450302", SafeUse, false, None, total - used)];
            let ind = fold(Scope::City("4503".into()), &units, &[]);
            assert_eq!(
                ind.safe_utilisation.meets_target,
                Some(meets),
                "{used}/{total}: {:?}",
                ind.safe_utilisation.rate_percent
            );
        }
    }

    #[test]
    fn priority_parcels_and_rcr_states() {
        let parcels = [
            parcel("450302", Suspected, true),
            parcel("450302", Surveying, true),
            parcel("450302", Cleared, true), // under control: risk known to be acceptable
            parcel("450302", Listed, true),  // listed but nothing done yet
            parcel("450302", UnderControl, true),
            parcel("450302", UnderRemediation, false),
            parcel("450302", EffectEvaluation, false),
            parcel("450302", Listed, false),
            parcel("450302", PostManagement, true),
            parcel("450203", UnderControl, true), // another city
        ];
        let ind = fold(Scope::City("4503".into()), &[], &parcels);
        assert_eq!(
            ind.priority_parcels,
            PriorityParcels {
                total: 6,
                under_control: 3,
                share_percent: Some(50.0),
                target_percent: Some(35.0),
                meets_target: Some(true)
            }
        );
        assert_eq!(
            ind.rcr_listed_by_state,
            RcrListedByState { listed: 2, under_control: 1, under_remediation: 1, effect_evaluation: 1, total: 5 }
        );
        let liuzhou = fold(Scope::City("4502".into()), &[], &parcels);
        assert_eq!(
            liuzhou.priority_parcels,
            PriorityParcels {
                total: 1,
                under_control: 1,
                share_percent: Some(100.0),
                target_percent: None,
                meets_target: None
            }
        );
        let empty = fold(Scope::County("450381".into()), &[], &parcels);
        assert_eq!(empty.priority_parcels.share_percent, None);
        assert_eq!(empty.priority_parcels.meets_target, None);
        assert_eq!(empty.rcr_listed_by_state.total, 0);
    }

    #[test]
    fn scope_parsing_and_membership() {
        let ok: &[(Option<&str>, Scope)] = &[
            (None, Scope::All),
            (Some(""), Scope::All),
            (Some(" 4503 "), Scope::City("4503".into())),
            (Some("450302"), Scope::County("450302".into())),
        ];
        for (q, scope) in ok {
            assert_eq!(&Scope::parse(*q).unwrap(), scope, "{q:?}");
        }
        for bad in ["45", "45030", "4503021", "45030a", "guilin", "４５０３"] {
            let err = Scope::parse(Some(bad)).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
        let city = Scope::City("4503".into());
        assert!(city.contains("450302") && !city.contains("450203") && !city.contains("4503"));
        let county = Scope::County("450302".into());
        assert!(county.contains("450302") && !county.contains("450303"));
        assert!(Scope::All.contains("110101"));
        assert_eq!((Scope::All.code_prefix(), city.code_prefix(), county.code_prefix()), ("", "4503", "450302"));
        assert_eq!(county.city_prefix(), Some("4503"));
        assert_eq!("450203".parse::<Scope>().unwrap(), Scope::County("450203".into()));
    }

    #[test]
    fn targets_per_city() {
        let t = Targets::default();
        let table: &[(Scope, Option<f64>, Option<f64>)] = &[
            (Scope::City("4503".into()), Some(93.8), Some(35.0)),
            (Scope::County("450302".into()), Some(93.8), Some(35.0)),
            (Scope::City("4502".into()), Some(93.0), None),
            (Scope::County("450203".into()), Some(93.0), None),
            (Scope::City("4501".into()), None, None),
            (Scope::All, None, None),
        ];
        for (scope, safe, priority) in table {
            assert_eq!(t.target_for(scope), *safe, "{scope}");
            assert_eq!(t.priority_target_for(scope), *priority, "{scope}");
        }
        let custom =
            Targets { safe_use: [("4501".to_string(), 90.0)].into_iter().collect(), priority_control: BTreeMap::new() };
        assert_eq!(custom.target_for(&Scope::County("450102".into())), Some(90.0));
        assert_eq!(custom.target_for(&Scope::City("4503".into())), None);
    }

    #[test]
    fn json_shape() {
        let ind = fold(
            Scope::County("450302".into()),
            &[unit("450302", SafeUse, true, None, 1500.0), unit("450302", StrictControl, false, None, 500.0)],
            &[parcel("450302", Listed, true)],
        );
        let v = serde_json::to_value(&ind).unwrap();
        assert_eq!(v["scope"], serde_json::json!({"level": "county", "code": "450302"}));
        assert_eq!(serde_json::to_value(Scope::All).unwrap(), serde_json::json!({"level": "all"}));
        let su = &v["safe_utilisation"];
        assert_eq!(su["rate_percent"], 75.0);
        assert_eq!(su["target_percent"], 93.8);
        assert_eq!(su["meets_target"], false);
        assert_eq!(su["safely_used_m2"], 1500.0);
        assert_eq!(su["safely_used_mu"], 2.25);
        assert_eq!(su["polluted_m2"], 2000.0);
        assert_eq!(su["polluted_mu"], 3.0);
        assert_eq!(su["polluted_ha"], 0.2);
        assert_eq!(su["safe_use"]["with_measures_and_compliant_m2"], 1500.0);
        assert_eq!(su["strict_control"]["with_measures_m2"], 0.0);
        assert_eq!(v["priority_parcels"]["share_percent"], 0.0);
        assert_eq!(v["rcr_listed_by_state"]["listed"], 1);
        assert_eq!(v["farmland_by_class"]["safe_use"]["area_mu"], 2.25);
        let empty = serde_json::to_value(fold(Scope::All, &[], &[])).unwrap();
        assert!(empty["safe_utilisation"]["rate_percent"].is_null());
        assert!(empty["safe_utilisation"]["meets_target"].is_null());
        assert!(empty["priority_parcels"]["share_percent"].is_null());
    }

    /// Grouped rows (as an SQL GROUP BY hands them in) give the same indicators as the rows one by one.
    #[test]
    fn grouped_rows_equal_single_rows() {
        type Group = (&'static str, FarmlandClass, bool, Option<bool>, u64, f64);
        type Parcels = (&'static str, ParcelState, bool, u64);
        let table: &[(Scope, &[Group], &[Parcels])] = &[
            (
                Scope::City("4503".into()),
                &[
                    ("450302", SafeUse, true, Some(true), 3, 300.0),
                    ("450302", SafeUse, true, Some(false), 2, 50.0),
                    ("450305", StrictControl, false, None, 4, 120.0),
                    ("450305", PriorityProtection, true, None, 1, 999.0),
                    ("450203", SafeUse, false, None, 7, 700.0), // outside the scope
                ],
                &[("450302", UnderControl, true, 3), ("450302", Listed, true, 2), ("450302", Delisted, false, 5)],
            ),
            (Scope::County("450203".into()), &[("450203", StrictControl, true, Some(false), 2, 10.0)], &[]),
            (Scope::All, &[], &[("450203", EffectEvaluation, false, 0), ("450203", Listed, false, 1)]),
        ];
        for (scope, units, parcels) in table {
            let mut grouped = Accumulator::new(scope.clone(), &Targets::default());
            let mut one_by_one = Vec::new();
            let mut singles = Vec::new();
            for (county, class, measures, crops, n, area) in units.iter() {
                grouped.add_units(&unit(county, *class, *measures, *crops, *area), *n);
                for _ in 0..*n {
                    one_by_one.push(unit(county, *class, *measures, *crops, area / *n as f64));
                }
            }
            for (county, state, priority, n) in parcels.iter() {
                grouped.add_parcels(&parcel(county, *state, *priority), *n);
                singles.extend((0..*n).map(|_| parcel(county, *state, *priority)));
            }
            assert_eq!(grouped.finish(), fold(scope.clone(), &one_by_one, &singles), "{scope}");
        }
    }
}
