//! What the family tests share: fact builders and a table runner for one rule.

pub use super::*;
pub use crate::domain::landuse::CodeSystem;
pub use FarmlandClass::*;
pub use ParcelState::*;
pub use ProjectKind::*;

pub const QUERY: f64 = 10_000.0;
/// A date within the period of every rule in the table.
pub const AS_OF: NaiveDate = match NaiveDate::from_ymd_opt(2025, 6, 30) {
    Some(d) => d,
    None => panic!(),
};
/// Default counties: parcels in Guilin (桂林 秀峰区), farmland in Liuzhou (柳江区); `at` moves either.
pub const GUILIN_COUNTY: &str = "450302";
pub const LIUZHOU_COUNTY: &str = "450222";

pub trait At {
    fn at(self, county: &str) -> Self;
}

impl At for ParcelFact {
    fn at(mut self, county: &str) -> Self {
        self.county_code = county.into();
        self
    }
}

impl At for FarmlandFact {
    fn at(mut self, county: &str) -> Self {
        self.county_code = county.into();
        self
    }
}

pub fn on(mut r: CheckRequest, day: &str) -> CheckRequest {
    r.as_of = day.parse().unwrap();
    r
}

pub fn lu(code: &str) -> LandUse {
    LandUse::parse(CodeSystem::Ydyh2023, code).unwrap()
}

pub fn rz(proposed: &str, current: Option<&str>) -> CheckRequest {
    CheckRequest {
        kind: CheckKind::Rezoning,
        proposed_use: Some(lu(proposed)),
        current_use: current.map(lu),
        project_kind: None,
        supply: None,
        as_of: AS_OF,
    }
}

pub fn eia(project: ProjectKind) -> CheckRequest {
    CheckRequest {
        kind: CheckKind::EiaSite,
        proposed_use: None,
        current_use: None,
        project_kind: Some(project),
        supply: None,
        as_of: AS_OF,
    }
}

pub fn supply() -> CheckRequest {
    CheckRequest {
        kind: CheckKind::LandSupply,
        proposed_use: None,
        current_use: None,
        project_kind: None,
        supply: Some(SupplyKind::Transfer),
        as_of: AS_OF,
    }
}

pub fn with_proposed(mut r: CheckRequest, code: &str) -> CheckRequest {
    r.proposed_use = Some(lu(code));
    r
}

/// A 10 000 m² parcel lying wholly inside the 10 000 m² query.
pub fn p(code: &str, state: ParcelState) -> ParcelFact {
    ParcelFact {
        parcel_code: code.into(),
        county_code: GUILIN_COUNTY.into(),
        state,
        key_unit_land: false,
        priority_supervision: false,
        remediated_for_class: None,
        area_m2: 10_000.0,
        overlap_m2: 10_000.0,
    }
}

pub fn overlap(mut p: ParcelFact, m2: f64) -> ParcelFact {
    p.overlap_m2 = m2;
    p
}

pub fn key(mut p: ParcelFact) -> ParcelFact {
    p.key_unit_land = true;
    p
}

pub fn rem(mut p: ParcelFact, class: i16) -> ParcelFact {
    p.remediated_for_class = Some(class);
    p
}

pub fn farm(code: &str, class: FarmlandClass, overlap_m2: f64, distance_m: f64) -> FarmlandFact {
    FarmlandFact {
        unit_code: code.into(),
        county_code: LIUZHOU_COUNTY.into(),
        class,
        area_m2: 20_000.0,
        overlap_m2,
        distance_m,
    }
}

pub struct Case {
    pub name: &'static str,
    pub req: CheckRequest,
    pub parcels: Vec<ParcelFact>,
    pub farmland: Vec<FarmlandFact>,
    /// The rule's decision and the feature ids it must list, or None when it must not fire.
    pub expect: Option<(Decision, &'static [&'static str])>,
    pub key_units: Vec<KeyUnitFact>,
    pub sources: Vec<SourceFact>,
}

impl Case {
    /// The same case with key supervised units' sites overlapping the query.
    pub fn key_units(mut self, us: Vec<KeyUnitFact>) -> Case {
        self.key_units = us;
        self
    }

    /// The same case with pollution sources around the query.
    pub fn sources(mut self, ss: Vec<SourceFact>) -> Case {
        self.sources = ss;
        self
    }
}

/// A key supervised unit on the lists of `years` whose 10 000 m² site lies wholly inside the query.
pub fn ku(code: &str, years: &[i32]) -> KeyUnitFact {
    KeyUnitFact {
        enterprise_code: code.into(),
        name: format!("{code} 化工有限公司"),
        county_code: LIUZHOU_COUNTY.into(),
        listed_years: years.to_vec(),
        status: "operating".into(),
        area_m2: 10_000.0,
        overlap_m2: 10_000.0,
    }
}

/// A pollution source with Cd and Pb `distance_m` from the query.
pub fn src(code: &str, state: &str, distance_m: f64) -> SourceFact {
    SourceFact {
        source_code: code.into(),
        name: format!("{code} 废渣堆"),
        county_code: LIUZHOU_COUNTY.into(),
        kind: "legacy_solid_waste".into(),
        pollutants: vec!["Cd".into(), "Pb".into()],
        list: "remediation".into(),
        state: state.into(),
        distance_m,
    }
}

impl At for KeyUnitFact {
    fn at(mut self, county: &str) -> Self {
        self.county_code = county.into();
        self
    }
}

impl At for SourceFact {
    fn at(mut self, county: &str) -> Self {
        self.county_code = county.into();
        self
    }
}

pub fn case(
    name: &'static str,
    req: CheckRequest,
    parcels: Vec<ParcelFact>,
    farmland: Vec<FarmlandFact>,
    expect: Option<(Decision, &'static [&'static str])>,
) -> Case {
    Case { name, req, parcels, farmland, expect, key_units: vec![], sources: vec![] }
}

pub fn run(c: &Case, s: &RuleSettings) -> Outcome {
    let facts = SpatialFacts {
        query_area_m2: QUERY,
        parcels: c.parcels.clone(),
        farmland: c.farmland.clone(),
        parcel_overlaps: vec![],
        key_units: c.key_units.clone(),
        sources: c.sources.clone(),
        located_in: vec![],
    };
    evaluate(&c.req, &facts, s)
}

/// Runs a table for one rule and checks the invariants every reason must keep.
pub fn check_rule(rule: &str, cases: &[Case]) -> usize {
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
                assert!(r.basis.starts_with(basis), "{rule} / {}: {}", c.name, r.basis);
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

pub const DENIED: Decision = Decision::Denied;
pub const COND: Decision = Decision::Conditional;
