//! Crop samples judged against the maximum levels of GB 2762-2022 (食品安全国家标准 食品中污染物限量), and the
//! crop finding they give for the grade × crop table (docs/adjustment.md).
//!
//! The limits are settings per crop and metal, not constants: only rice's Cd and Pb (0.2 mg/kg) are checked
//! against a text we hold; the other defaults are marked `verified: false` until someone reads them off the
//! standard. A crop or metal without a limit is never judged compliant by default: it is reported as not judged.

use super::farmland::CropFinding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The metals a crop sample reports, as the contract names its columns (`cd`, `pb`, `as_inorganic`, `hg`, `cr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metal {
    Cd,
    Pb,
    /// GB 2762 limits rice by inorganic arsenic, other cereals and vegetables by total arsenic; only the
    /// inorganic figure is judged here.
    AsInorganic,
    Hg,
    Cr,
}

impl Metal {
    pub const ALL: [Metal; 5] = [Metal::Cd, Metal::Pb, Metal::AsInorganic, Metal::Hg, Metal::Cr];

    pub fn as_str(self) -> &'static str {
        match self {
            Metal::Cd => "cd",
            Metal::Pb => "pb",
            Metal::AsInorganic => "as_inorganic",
            Metal::Hg => "hg",
            Metal::Cr => "cr",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Metal::Cd => "镉",
            Metal::Pb => "铅",
            Metal::AsInorganic => "无机砷",
            Metal::Hg => "汞",
            Metal::Cr => "铬",
        }
    }
}

impl fmt::Display for Metal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Metal {
    type Err = CropError;
    fn from_str(s: &str) -> Result<Self, CropError> {
        let t = s.trim();
        Metal::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(t) || m.name_zh() == t)
            .ok_or_else(|| CropError::UnknownMetal(s.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CropError {
    #[error("unknown metal '{0}' (expected cd, pb, as_inorganic, hg or cr)")]
    UnknownMetal(String),
    #[error("{metal} = {value}: a concentration must be a number of mg/kg from 0 to 1000000")]
    Concentration { metal: Metal, value: f64 },
    #[error("{0} is given twice")]
    Twice(Metal),
    #[error("the limit of {metal} in '{crop}' must be a positive number of mg/kg, not {value}")]
    Limit { crop: String, metal: Metal, value: f64 },
    #[error("the severe-exceedance ratio must be a number above 1, not {0}")]
    SevereRatio(f64),
}

/// One maximum level, mg/kg, with whether it has been checked against the standard's text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limit {
    pub mg_kg: f64,
    pub verified: bool,
}

/// The crop-judging settings: limits per crop code and metal, and the ratio above which an exceedance is severe.
#[derive(Debug, Clone, PartialEq)]
pub struct CropLimits {
    /// Keyed by crop code (`rice`, `brown_rice`, ...); the Chinese names in [`CROP_NAMES`] resolve to them.
    pub limits: BTreeMap<String, BTreeMap<Metal, Limit>>,
    /// Worst ratio to the limit strictly above which the finding is severe (default 2: twice the limit).
    pub severe_ratio: f64,
}

/// Crop codes and the names laboratories write (GB 2762's food categories).
pub const CROP_NAMES: [(&str, &str); 7] = [
    ("rice", "稻谷"),
    ("brown_rice", "糙米"),
    ("milled_rice", "大米"),
    ("wheat", "小麦"),
    ("maize", "玉米"),
    ("leafy_vegetables", "叶菜蔬菜"),
    ("vegetables", "新鲜蔬菜"),
];

impl Default for CropLimits {
    /// Rice Cd and Pb 0.2 mg/kg are checked (docs/domain.md §8). The rest are GB 2762 figures as remembered,
    /// `verified: false`, listed in docs/adjustment.md as settings to verify against GB 2762-2022.
    fn default() -> Self {
        use Metal::*;
        let sure = |mg_kg| Limit { mg_kg, verified: true };
        let check = |mg_kg| Limit { mg_kg, verified: false };
        let rice = || -> BTreeMap<Metal, Limit> {
            [(Cd, sure(0.2)), (Pb, sure(0.2)), (AsInorganic, check(0.2)), (Hg, check(0.02)), (Cr, check(1.0))].into()
        };
        let cereal = || -> BTreeMap<Metal, Limit> {
            [(Cd, check(0.1)), (Pb, check(0.2)), (Hg, check(0.02)), (Cr, check(1.0))].into()
        };
        let mut limits = BTreeMap::new();
        for crop in ["rice", "brown_rice", "milled_rice"] {
            limits.insert(crop.to_string(), rice());
        }
        for crop in ["wheat", "maize"] {
            limits.insert(crop.to_string(), cereal());
        }
        limits.insert(
            "leafy_vegetables".to_string(),
            [(Cd, check(0.2)), (Pb, check(0.3)), (Hg, check(0.01)), (Cr, check(0.5))].into(),
        );
        limits.insert(
            "vegetables".to_string(),
            [(Cd, check(0.05)), (Pb, check(0.1)), (Hg, check(0.01)), (Cr, check(0.5))].into(),
        );
        CropLimits { limits, severe_ratio: 2.0 }
    }
}

impl CropLimits {
    /// Refuses settings that would judge nonsense: a limit of zero would make every sample "infinitely" over.
    pub fn validate(&self) -> Result<(), CropError> {
        if !self.severe_ratio.is_finite() || self.severe_ratio <= 1.0 {
            return Err(CropError::SevereRatio(self.severe_ratio));
        }
        for (crop, metals) in &self.limits {
            for (&metal, limit) in metals {
                if !limit.mg_kg.is_finite() || limit.mg_kg <= 0.0 {
                    return Err(CropError::Limit { crop: crop.clone(), metal, value: limit.mg_kg });
                }
            }
        }
        Ok(())
    }

    /// These limits with `overrides` (mg/kg by crop code and metal) put over them: a crop or metal the
    /// defaults lack is added. A changed figure is marked verified (whoever set it read it off the standard);
    /// one set to the default's value keeps the default's mark.
    pub fn with_overrides(mut self, overrides: &BTreeMap<String, BTreeMap<Metal, f64>>) -> CropLimits {
        for (crop, metals) in overrides {
            let entry = self.limits.entry(crop.trim().to_string()).or_default();
            for (&metal, &mg_kg) in metals {
                let verified = entry.get(&metal).is_none_or(|l| l.mg_kg != mg_kg || l.verified);
                entry.insert(metal, Limit { mg_kg, verified });
            }
        }
        self
    }

    /// The settings' crop code for a code or Chinese name, if the settings know it.
    pub fn crop_code<'a>(&'a self, crop: &str) -> Option<&'a str> {
        let t = crop.trim();
        let code = CROP_NAMES.iter().find(|(_, zh)| *zh == t).map_or(t, |(code, _)| *code);
        self.limits.get_key_value(code).map(|(k, _)| k.as_str())
    }
}

/// One crop sample: the crop as the lab wrote it and its concentrations in mg/kg (fresh weight as GB 2762 reads).
#[derive(Debug, Clone)]
pub struct CropSample {
    pub crop: String,
    pub concentrations: Vec<(Metal, f64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CropStatus {
    Compliant,
    Exceeds,
    Severe,
    /// Nothing could be judged: the crop is unknown to the settings, or none of its metals has a limit.
    NotJudged,
}

impl CropStatus {
    /// The finding the grade × crop table reads; none when the sample was not judged.
    pub fn finding(self) -> Option<CropFinding> {
        match self {
            CropStatus::Compliant => Some(CropFinding::Compliant),
            CropStatus::Exceeds => Some(CropFinding::Exceeds),
            CropStatus::Severe => Some(CropFinding::SevereExceedance),
            CropStatus::NotJudged => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetalJudgement {
    pub metal: Metal,
    pub value_mg_kg: f64,
    /// None: no limit for this crop and metal, so the metal is not judged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CropJudgement {
    pub standard: &'static str,
    /// The settings' crop code, or None when the crop is unknown.
    pub crop: Option<String>,
    pub status: CropStatus,
    /// The highest value / limit over the judged metals.
    pub worst_ratio: Option<f64>,
    pub worst_metal: Option<Metal>,
    /// Measured metals without a limit for this crop (or all of them, for an unknown crop).
    pub not_judged: Vec<Metal>,
    pub metals: Vec<MetalJudgement>,
}

impl CropJudgement {
    /// The contract's read-only `compliant`: known only for a judged sample.
    pub fn compliant(&self) -> Option<bool> {
        (self.status != CropStatus::NotJudged).then_some(self.status == CropStatus::Compliant)
    }
}

/// Judges a sample. The sample is compliant when every metal that has a limit is at or below it (and at least
/// one has); exceeds when the worst ratio is above 1; severe when it is above `severe_ratio`.
pub fn judge(sample: &CropSample, settings: &CropLimits) -> Result<CropJudgement, CropError> {
    let code = settings.crop_code(&sample.crop);
    let limits = code.and_then(|c| settings.limits.get(c));
    let mut seen = Vec::new();
    let mut metals = Vec::new();
    for &(metal, value) in &sample.concentrations {
        if !value.is_finite() || !(0.0..=super::soil::MAX_MG_KG).contains(&value) {
            return Err(CropError::Concentration { metal, value });
        }
        if seen.contains(&metal) {
            return Err(CropError::Twice(metal));
        }
        seen.push(metal);
        let limit = limits.and_then(|l| l.get(&metal)).copied();
        metals.push(MetalJudgement { metal, value_mg_kg: value, limit, ratio: limit.map(|l| value / l.mg_kg) });
    }
    metals.sort_by_key(|m| m.metal);
    let worst =
        metals.iter().filter_map(|m| m.ratio.map(|r| (r, m.metal))).fold(None, |acc: Option<(f64, Metal)>, (r, m)| {
            match acc {
                Some((best, _)) if best >= r => acc,
                _ => Some((r, m)),
            }
        });
    let status = match worst {
        None => CropStatus::NotJudged,
        Some((r, _)) if r > settings.severe_ratio => CropStatus::Severe,
        Some((r, _)) if r > 1.0 => CropStatus::Exceeds,
        Some(_) => CropStatus::Compliant,
    };
    Ok(CropJudgement {
        standard: "GB 2762-2022",
        crop: code.map(str::to_string),
        status,
        worst_ratio: worst.map(|w| w.0),
        worst_metal: worst.map(|w| w.1),
        not_judged: metals.iter().filter(|m| m.limit.is_none()).map(|m| m.metal).collect(),
        metals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Metal::*;

    fn sample(crop: &str, c: &[(Metal, f64)]) -> CropSample {
        CropSample { crop: crop.into(), concentrations: c.to_vec() }
    }

    #[test]
    fn rice_cd_and_pb_are_the_checked_limits() {
        let s = CropLimits::default();
        s.validate().unwrap();
        for crop in ["rice", "brown_rice", "milled_rice", "稻谷", "糙米", "大米"] {
            let code = s.crop_code(crop).unwrap();
            for metal in [Cd, Pb] {
                assert_eq!(s.limits[code][&metal], Limit { mg_kg: 0.2, verified: true }, "{crop} {metal}");
            }
        }
        // Everything else is a setting to verify, and says so.
        let verified: usize = s.limits.values().flat_map(|m| m.values()).filter(|l| l.verified).count();
        assert_eq!(verified, 6);
    }

    #[test]
    fn status_at_and_around_the_limit_and_the_severe_ratio() {
        let s = CropLimits::default();
        // rice Cd 0.2: at the limit compliant, above it exceeds, above 2× severe; exactly 2× still only exceeds.
        let table = [
            (0.0, CropStatus::Compliant),
            (0.2, CropStatus::Compliant),
            (0.21, CropStatus::Exceeds),
            (0.4, CropStatus::Exceeds),
            (0.41, CropStatus::Severe),
            (3.0, CropStatus::Severe),
        ];
        for (cd, status) in table {
            let j = judge(&sample("大米", &[(Cd, cd)]), &s).unwrap();
            assert_eq!(j.status, status, "Cd {cd}");
            assert_eq!(j.compliant(), Some(status == CropStatus::Compliant));
            assert_eq!(j.worst_metal, Some(Cd));
        }
        let strict = CropLimits { severe_ratio: 1.5, ..CropLimits::default() };
        assert_eq!(judge(&sample("rice", &[(Cd, 0.31)]), &strict).unwrap().status, CropStatus::Severe);
    }

    #[test]
    fn the_worst_ratio_governs() {
        let j = judge(&sample("rice", &[(Pb, 0.3), (Cd, 0.1), (Hg, 0.01)]), &CropLimits::default()).unwrap();
        assert_eq!((j.status, j.worst_metal), (CropStatus::Exceeds, Some(Pb)));
        assert!((j.worst_ratio.unwrap() - 1.5).abs() < 1e-12);
        assert_eq!(j.metals.iter().map(|m| m.metal).collect::<Vec<_>>(), vec![Cd, Pb, Hg]);
    }

    #[test]
    fn unknown_crops_and_metals_without_limits_are_not_judged() {
        let s = CropLimits::default();
        let unknown = judge(&sample("sugarcane", &[(Cd, 0.01)]), &s).unwrap();
        assert_eq!((unknown.status, unknown.compliant(), unknown.crop), (CropStatus::NotJudged, None, None));
        assert_eq!(unknown.not_judged, vec![Cd]);
        // Wheat has no inorganic-arsenic limit here: alone it is not judged, never compliant by default.
        let wheat_as = judge(&sample("wheat", &[(AsInorganic, 0.01)]), &s).unwrap();
        assert_eq!(wheat_as.status, CropStatus::NotJudged);
        // With Cd judged, the sample is compliant on Cd and still lists As as not judged.
        let wheat = judge(&sample("小麦", &[(AsInorganic, 0.9), (Cd, 0.05)]), &s).unwrap();
        assert_eq!((wheat.status, wheat.not_judged), (CropStatus::Compliant, vec![AsInorganic]));
        assert_eq!(judge(&sample("rice", &[]), &s).unwrap().status, CropStatus::NotJudged);
    }

    #[test]
    fn bad_samples_and_settings_are_refused() {
        let s = CropLimits::default();
        assert_eq!(
            judge(&sample("rice", &[(Cd, -1.0)]), &s).unwrap_err(),
            CropError::Concentration { metal: Cd, value: -1.0 }
        );
        assert_eq!(judge(&sample("rice", &[(Cd, 0.1), (Cd, 0.1)]), &s).unwrap_err(), CropError::Twice(Cd));
        assert!(matches!(judge(&sample("rice", &[(Pb, f64::NAN)]), &s), Err(CropError::Concentration { .. })));
        let mut zero = CropLimits::default();
        zero.limits.get_mut("rice").unwrap().insert(Cd, Limit { mg_kg: 0.0, verified: false });
        assert!(matches!(zero.validate(), Err(CropError::Limit { .. })));
        assert_eq!(
            CropLimits { severe_ratio: 1.0, ..CropLimits::default() }.validate(),
            Err(CropError::SevereRatio(1.0))
        );
        assert_eq!("无机砷".parse::<Metal>().unwrap(), AsInorganic);
        assert_eq!("CD".parse::<Metal>().unwrap(), Cd);
        assert!("as".parse::<Metal>().is_err());
    }

    #[test]
    fn status_gives_the_crop_finding() {
        assert_eq!(CropStatus::Compliant.finding(), Some(CropFinding::Compliant));
        assert_eq!(CropStatus::Exceeds.finding(), Some(CropFinding::Exceeds));
        assert_eq!(CropStatus::Severe.finding(), Some(CropFinding::SevereExceedance));
        assert_eq!(CropStatus::NotJudged.finding(), None);
    }
}
