//! Soil grade of a farmland sample against GB 15618-2018 (土壤环境质量 农用地土壤污染风险管控标准), and the
//! class it gives with the crop finding (docs/domain.md §1).
//!
//! The grade is the worst of Cd, Hg, As, Pb and Cr at the sample's pH band and land use: at or below the
//! screening value (筛选值) A, at or below the intervention value (管制值) B, above it C. Cu, Ni and Zn have
//! screening values only; they are reported, but the classification of farmland does not use them.

use super::farmland::{classify, CropFinding, FarmlandClass, SoilGrade};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Pollutant {
    Cd,
    Hg,
    As,
    Pb,
    Cr,
    Cu,
    Ni,
    Zn,
}

impl Pollutant {
    pub const ALL: [Pollutant; 8] = [
        Pollutant::Cd,
        Pollutant::Hg,
        Pollutant::As,
        Pollutant::Pb,
        Pollutant::Cr,
        Pollutant::Cu,
        Pollutant::Ni,
        Pollutant::Zn,
    ];

    /// The five that set the grade.
    pub const GRADED: [Pollutant; 5] = [Pollutant::Cd, Pollutant::Hg, Pollutant::As, Pollutant::Pb, Pollutant::Cr];

    pub fn as_str(self) -> &'static str {
        match self {
            Pollutant::Cd => "Cd",
            Pollutant::Hg => "Hg",
            Pollutant::As => "As",
            Pollutant::Pb => "Pb",
            Pollutant::Cr => "Cr",
            Pollutant::Cu => "Cu",
            Pollutant::Ni => "Ni",
            Pollutant::Zn => "Zn",
        }
    }

    /// The element's Chinese name, as laboratory reports head their columns.
    pub fn name_zh(self) -> &'static str {
        match self {
            Pollutant::Cd => "镉",
            Pollutant::Hg => "汞",
            Pollutant::As => "砷",
            Pollutant::Pb => "铅",
            Pollutant::Cr => "铬",
            Pollutant::Cu => "铜",
            Pollutant::Ni => "镍",
            Pollutant::Zn => "锌",
        }
    }
}

impl fmt::Display for Pollutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Pollutant {
    type Err = SoilError;
    fn from_str(s: &str) -> Result<Self, SoilError> {
        let t = s.trim();
        Pollutant::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| SoilError::UnknownPollutant(s.to_string()))
    }
}

/// The land use the standard distinguishes: paddy (水田) or other farmland (其他).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SoilUse {
    Paddy,
    Other,
}

impl SoilUse {
    pub fn as_str(self) -> &'static str {
        match self {
            SoilUse::Paddy => "paddy",
            SoilUse::Other => "other",
        }
    }

    /// From a third-survey farmland type: `0101` 水田 is paddy, `0102` 水浇地 and `0103` 旱地 are other.
    pub fn from_land_type(code: &str) -> Result<SoilUse, SoilError> {
        match code.trim() {
            "0101" => Ok(SoilUse::Paddy),
            "0102" | "0103" => Ok(SoilUse::Other),
            other => Err(SoilError::UnknownLandType(other.to_string())),
        }
    }
}

impl FromStr for SoilUse {
    type Err = SoilError;
    fn from_str(s: &str) -> Result<Self, SoilError> {
        match s.trim() {
            "paddy" | "水田" => Ok(SoilUse::Paddy),
            "other" | "其他" => Ok(SoilUse::Other),
            other => Err(SoilError::UnknownLand(other.to_string())),
        }
    }
}

/// The standard's four pH bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhBand {
    AtMost5_5,
    AtMost6_5,
    AtMost7_5,
    Above7_5,
}

impl PhBand {
    pub fn of(ph: f64) -> Result<PhBand, SoilError> {
        if !ph.is_finite() || !(0.0..=14.0).contains(&ph) {
            return Err(SoilError::Ph(ph));
        }
        Ok(if ph <= 5.5 {
            PhBand::AtMost5_5
        } else if ph <= 6.5 {
            PhBand::AtMost6_5
        } else if ph <= 7.5 {
            PhBand::AtMost7_5
        } else {
            PhBand::Above7_5
        })
    }

    fn index(self) -> usize {
        self as usize
    }

    pub fn label(self) -> &'static str {
        match self {
            PhBand::AtMost5_5 => "pH≤5.5",
            PhBand::AtMost6_5 => "5.5<pH≤6.5",
            PhBand::AtMost7_5 => "6.5<pH≤7.5",
            PhBand::Above7_5 => "pH>7.5",
        }
    }
}

impl Serialize for PhBand {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// Screening values, mg/kg, by pH band: (paddy, other). GB 15618-2018 Tables 1 and 2; Cu "other" (its
/// orchard values do not apply to farmland units), Ni and Zn the same for all land.
fn screening_row(p: Pollutant) -> ([f64; 4], [f64; 4]) {
    match p {
        Pollutant::Cd => ([0.3, 0.4, 0.6, 0.8], [0.3, 0.3, 0.3, 0.6]),
        Pollutant::Hg => ([0.5, 0.5, 0.6, 1.0], [1.3, 1.8, 2.4, 3.4]),
        Pollutant::As => ([30.0, 30.0, 25.0, 20.0], [40.0, 40.0, 30.0, 25.0]),
        Pollutant::Pb => ([80.0, 100.0, 140.0, 240.0], [70.0, 90.0, 120.0, 170.0]),
        Pollutant::Cr => ([250.0, 250.0, 300.0, 350.0], [150.0, 150.0, 200.0, 250.0]),
        Pollutant::Cu => ([50.0, 50.0, 100.0, 100.0], [50.0, 50.0, 100.0, 100.0]),
        Pollutant::Ni => ([60.0, 70.0, 100.0, 190.0], [60.0, 70.0, 100.0, 190.0]),
        Pollutant::Zn => ([200.0, 200.0, 250.0, 300.0], [200.0, 200.0, 250.0, 300.0]),
    }
}

/// Intervention values, mg/kg, by pH band, for all farmland. GB 15618-2018 Table 3; Cu, Ni and Zn have none.
fn intervention_row(p: Pollutant) -> Option<[f64; 4]> {
    match p {
        Pollutant::Cd => Some([1.5, 2.0, 3.0, 4.0]),
        Pollutant::Hg => Some([2.0, 2.5, 4.0, 6.0]),
        Pollutant::As => Some([200.0, 150.0, 120.0, 100.0]),
        Pollutant::Pb => Some([400.0, 500.0, 700.0, 1000.0]),
        Pollutant::Cr => Some([800.0, 850.0, 1000.0, 1300.0]),
        Pollutant::Cu | Pollutant::Ni | Pollutant::Zn => None,
    }
}

pub fn screening_value(p: Pollutant, land: SoilUse, band: PhBand) -> f64 {
    let (paddy, other) = screening_row(p);
    match land {
        SoilUse::Paddy => paddy[band.index()],
        SoilUse::Other => other[band.index()],
    }
}

pub fn intervention_value(p: Pollutant, band: PhBand) -> Option<f64> {
    intervention_row(p).map(|v| v[band.index()])
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SoilError {
    #[error("pH {0} is not between 0 and 14")]
    Ph(f64),
    #[error("unknown pollutant '{0}' (GB 15618-2018 lists Cd, Hg, As, Pb, Cr, Cu, Ni, Zn)")]
    UnknownPollutant(String),
    #[error("unknown land '{0}' (expected paddy or other)")]
    UnknownLand(String),
    #[error("land type '{0}' is not farmland (expected 0101 水田, 0102 水浇地 or 0103 旱地)")]
    UnknownLandType(String),
    #[error("{pollutant} = {value}: a concentration must be a number of mg/kg from 0 to 1000000 (a whole kilogram)")]
    Concentration { pollutant: Pollutant, value: f64 },
    #[error("{0} is given twice")]
    Twice(Pollutant),
    #[error("no graded pollutant: give at least one of Cd, Hg, As, Pb, Cr")]
    NothingGraded,
}

/// One soil sample: pH, land use, and total concentrations in mg/kg.
#[derive(Debug, Clone)]
pub struct Sample {
    pub ph: f64,
    pub land: SoilUse,
    pub concentrations: Vec<(Pollutant, f64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PollutantGrade {
    pub pollutant: Pollutant,
    pub value_mg_kg: f64,
    pub screening_mg_kg: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intervention_mg_kg: Option<f64>,
    /// A, B or C for the five graded pollutants; for Cu, Ni and Zn whether the screening value is exceeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<SoilGrade>,
    pub exceeds_screening: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Grading {
    pub standard: &'static str,
    pub ph: f64,
    pub ph_band: PhBand,
    pub land: SoilUse,
    pub grade: SoilGrade,
    /// The pollutants that set the grade (all those at the worst grade, when it is above A).
    pub governing: Vec<Pollutant>,
    /// Graded pollutants the sample does not give: the grade is the worst of those it does.
    pub missing: Vec<Pollutant>,
    pub pollutants: Vec<PollutantGrade>,
}

pub fn grade_of(value: f64, screening: f64, intervention: f64) -> SoilGrade {
    if value <= screening {
        SoilGrade::A
    } else if value <= intervention {
        SoilGrade::B
    } else {
        SoilGrade::C
    }
}

/// No sample holds more than its own mass: 10⁶ mg/kg. A larger figure is a unit or typing mistake.
pub const MAX_MG_KG: f64 = 1.0e6;

/// The sample's grade. Every problem is an error; nothing is guessed.
pub fn grade(sample: &Sample) -> Result<Grading, SoilError> {
    let band = PhBand::of(sample.ph)?;
    let mut seen = Vec::new();
    let mut pollutants = Vec::new();
    for &(p, value) in &sample.concentrations {
        if !value.is_finite() || !(0.0..=MAX_MG_KG).contains(&value) {
            return Err(SoilError::Concentration { pollutant: p, value });
        }
        if seen.contains(&p) {
            return Err(SoilError::Twice(p));
        }
        seen.push(p);
        let screening = screening_value(p, sample.land, band);
        let intervention = intervention_value(p, band);
        pollutants.push(PollutantGrade {
            pollutant: p,
            value_mg_kg: value,
            screening_mg_kg: screening,
            intervention_mg_kg: intervention,
            grade: intervention.map(|iv| grade_of(value, screening, iv)),
            exceeds_screening: value > screening,
        });
    }
    pollutants.sort_by_key(|g| g.pollutant);
    let worst = pollutants.iter().filter_map(|g| g.grade).max().ok_or(SoilError::NothingGraded)?;
    let governing = if worst == SoilGrade::A {
        Vec::new()
    } else {
        pollutants.iter().filter(|g| g.grade == Some(worst)).map(|g| g.pollutant).collect()
    };
    let missing = Pollutant::GRADED.into_iter().filter(|p| !seen.contains(p)).collect();
    Ok(Grading {
        standard: "GB 15618-2018",
        ph: sample.ph,
        ph_band: band,
        land: sample.land,
        grade: worst,
        governing,
        missing,
        pollutants,
    })
}

/// The class a sample's grade gives with the crop finding (see `farmland::classify`).
pub fn class_of(grading: &Grading, crops: CropFinding) -> FarmlandClass {
    classify(grading.grade, crops)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Pollutant::*;
    use SoilGrade::{A, B, C};

    fn sample(ph: f64, land: SoilUse, c: &[(Pollutant, f64)]) -> Sample {
        Sample { ph, land, concentrations: c.to_vec() }
    }

    #[test]
    fn ph_bands_and_their_edges() {
        let table = [
            (0.0, PhBand::AtMost5_5),
            (5.5, PhBand::AtMost5_5),
            (5.51, PhBand::AtMost6_5),
            (6.5, PhBand::AtMost6_5),
            (6.51, PhBand::AtMost7_5),
            (7.5, PhBand::AtMost7_5),
            (7.51, PhBand::Above7_5),
            (14.0, PhBand::Above7_5),
        ];
        for (ph, band) in table {
            assert_eq!(PhBand::of(ph).unwrap(), band, "pH {ph}");
        }
        for ph in [-0.1, 14.1, f64::NAN, f64::INFINITY] {
            assert!(PhBand::of(ph).is_err(), "pH {ph}");
        }
    }

    /// Every value the code holds, against GB 15618-2018 Tables 1–3 copied here by hand: (pollutant, paddy
    /// screening by pH band, other-land screening, intervention). Cu is graded on the "other" row for paddy
    /// too: its orchard row (150, 150, 200, 200) does not apply to farmland units.
    type Bands = [f64; 4];
    const GB15618: [(Pollutant, Bands, Bands, Option<Bands>); 8] = [
        (Cd, [0.3, 0.4, 0.6, 0.8], [0.3, 0.3, 0.3, 0.6], Some([1.5, 2.0, 3.0, 4.0])),
        (Hg, [0.5, 0.5, 0.6, 1.0], [1.3, 1.8, 2.4, 3.4], Some([2.0, 2.5, 4.0, 6.0])),
        (As, [30.0, 30.0, 25.0, 20.0], [40.0, 40.0, 30.0, 25.0], Some([200.0, 150.0, 120.0, 100.0])),
        (Pb, [80.0, 100.0, 140.0, 240.0], [70.0, 90.0, 120.0, 170.0], Some([400.0, 500.0, 700.0, 1000.0])),
        (Cr, [250.0, 250.0, 300.0, 350.0], [150.0, 150.0, 200.0, 250.0], Some([800.0, 850.0, 1000.0, 1300.0])),
        (Cu, [50.0, 50.0, 100.0, 100.0], [50.0, 50.0, 100.0, 100.0], None),
        (Ni, [60.0, 70.0, 100.0, 190.0], [60.0, 70.0, 100.0, 190.0], None),
        (Zn, [200.0, 200.0, 250.0, 300.0], [200.0, 200.0, 250.0, 300.0], None),
    ];

    #[test]
    fn every_value_matches_the_standard() {
        // One pH inside each band, and each band's upper edge, which belongs to it.
        let bands = [(5.0, 5.5), (6.0, 6.5), (7.0, 7.5), (8.0, 14.0)];
        let mut checked = 0;
        for p in Pollutant::ALL {
            let (_, paddy, other, intervention) =
                GB15618.iter().find(|row| row.0 == p).copied().unwrap_or_else(|| panic!("{p} is in the table"));
            for (i, (inside, edge)) in bands.into_iter().enumerate() {
                for ph in [inside, edge] {
                    let band = PhBand::of(ph).unwrap();
                    assert_eq!(screening_value(p, SoilUse::Paddy, band), paddy[i], "{p} paddy pH {ph}");
                    assert_eq!(screening_value(p, SoilUse::Other, band), other[i], "{p} other pH {ph}");
                    assert_eq!(intervention_value(p, band), intervention.map(|v| v[i]), "{p} pH {ph}");
                }
                checked += 3;
            }
            assert_eq!(
                intervention.is_some(),
                Pollutant::GRADED.contains(&p),
                "{p}: graded exactly when it has intervention values"
            );
        }
        assert_eq!(checked, 8 * 4 * 3, "64 screening and 32 intervention values");
        // Where a screening value exists it never exceeds the intervention value of its band.
        for (p, paddy, other, intervention) in GB15618 {
            if let Some(iv) = intervention {
                for i in 0..4 {
                    assert!(paddy[i] <= iv[i] && other[i] <= iv[i], "{p} band {i}");
                }
            }
        }
    }

    #[test]
    fn grade_at_and_around_the_thresholds() {
        // paddy, pH 6.0: Cd screening 0.4, intervention 2.0
        let table = [(0.0, A), (0.4, A), (0.41, B), (2.0, B), (2.01, C), (30.0, C)];
        for (cd, expected) in table {
            let g = grade(&sample(6.0, SoilUse::Paddy, &[(Cd, cd)])).unwrap();
            assert_eq!(g.grade, expected, "Cd {cd}");
        }
    }

    #[test]
    fn the_worst_pollutant_sets_the_grade_and_is_named() {
        let g = grade(&sample(5.0, SoilUse::Other, &[(Pb, 50.0), (Cd, 0.8), (As, 250.0), (Hg, 0.1)])).unwrap();
        assert_eq!(g.grade, C);
        assert_eq!(g.governing, vec![As]);
        assert_eq!(g.missing, vec![Cr]);
        let by: Vec<_> = g.pollutants.iter().map(|p| (p.pollutant, p.grade)).collect();
        assert_eq!(by, vec![(Cd, Some(B)), (Hg, Some(A)), (As, Some(C)), (Pb, Some(A))]);

        let two = grade(&sample(5.0, SoilUse::Other, &[(Cd, 0.8), (Pb, 100.0)])).unwrap();
        assert_eq!((two.grade, two.governing), (B, vec![Cd, Pb]));

        let clean =
            grade(&sample(7.0, SoilUse::Paddy, &[(Cd, 0.2), (Hg, 0.1), (As, 10.0), (Pb, 30.0), (Cr, 60.0)])).unwrap();
        assert_eq!((clean.grade, clean.governing.len(), clean.missing.len()), (A, 0, 0));
    }

    #[test]
    fn the_same_value_grades_differently_by_land_and_ph() {
        // Cd 0.5: above paddy screening at pH ≤ 6.5 (0.3 / 0.4), below it at pH 6.5–7.5 (0.6)
        assert_eq!(grade(&sample(6.0, SoilUse::Paddy, &[(Cd, 0.5)])).unwrap().grade, B);
        assert_eq!(grade(&sample(7.0, SoilUse::Paddy, &[(Cd, 0.5)])).unwrap().grade, A);
        // and above the other-land screening value (0.3) at pH 7.0
        assert_eq!(grade(&sample(7.0, SoilUse::Other, &[(Cd, 0.5)])).unwrap().grade, B);
    }

    #[test]
    fn cu_ni_zn_are_reported_but_do_not_grade() {
        let g = grade(&sample(6.0, SoilUse::Paddy, &[(Cd, 0.1), (Zn, 900.0), (Cu, 10.0)])).unwrap();
        assert_eq!(g.grade, A);
        let zn = g.pollutants.iter().find(|p| p.pollutant == Zn).unwrap();
        assert_eq!((zn.grade, zn.exceeds_screening, zn.intervention_mg_kg), (None, true, None));
        assert_eq!(grade(&sample(6.0, SoilUse::Paddy, &[(Zn, 900.0)])).unwrap_err(), SoilError::NothingGraded);
    }

    #[test]
    fn bad_samples_are_refused() {
        let cases = [
            (sample(15.0, SoilUse::Paddy, &[(Cd, 0.1)]), SoilError::Ph(15.0)),
            (sample(6.0, SoilUse::Paddy, &[(Cd, -0.1)]), SoilError::Concentration { pollutant: Cd, value: -0.1 }),
            (
                sample(6.0, SoilUse::Paddy, &[(Cd, 1.0e6 + 1.0)]),
                SoilError::Concentration { pollutant: Cd, value: 1.0e6 + 1.0 },
            ),
            (sample(6.0, SoilUse::Paddy, &[(Cd, 0.1), (Cd, 0.2)]), SoilError::Twice(Cd)),
            (sample(6.0, SoilUse::Paddy, &[]), SoilError::NothingGraded),
        ];
        for (s, expected) in cases {
            assert_eq!(grade(&s).unwrap_err(), expected);
        }
        assert!(matches!(grade(&sample(6.0, SoilUse::Paddy, &[(Cd, f64::NAN)])), Err(SoilError::Concentration { .. })));
        assert!("Fe".parse::<Pollutant>().is_err());
        assert_eq!("cd".parse::<Pollutant>().unwrap(), Cd);
        assert_eq!(SoilUse::from_land_type("0101").unwrap(), SoilUse::Paddy);
        assert_eq!(SoilUse::from_land_type("0103").unwrap(), SoilUse::Other);
        assert!(SoilUse::from_land_type("0201").is_err());
    }

    #[test]
    fn grade_and_crops_give_the_class() {
        let table = [
            (0.2, CropFinding::Compliant, FarmlandClass::PriorityProtection),
            (0.2, CropFinding::Exceeds, FarmlandClass::SafeUse),
            (1.0, CropFinding::Compliant, FarmlandClass::SafeUse),
            (1.0, CropFinding::SevereExceedance, FarmlandClass::StrictControl),
            (5.0, CropFinding::Compliant, FarmlandClass::StrictControl),
        ];
        for (cd, crops, class) in table {
            let g = grade(&sample(6.0, SoilUse::Paddy, &[(Cd, cd)])).unwrap();
            assert_eq!(class_of(&g, crops), class, "Cd {cd} {crops:?}");
        }
    }
}
