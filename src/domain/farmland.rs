//! Farmland soil-environment classes (农用地分类管理, Law Art. 49) and the GB 15618-2018 grading that
//! sets them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FarmlandClass {
    /// 优先保护类: unpolluted or slight; to be designated permanent basic farmland (Art. 50).
    PriorityProtection,
    /// 安全利用类: light/moderate; farmed with safe-use measures (Art. 53).
    SafeUse,
    /// 严格管控类: heavy; no edible crops in designated zones (Art. 54).
    StrictControl,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown farmland class '{0}' (expected priority_protection, safe_use or strict_control, or 优先保护类, 安全利用类, 严格管控类)")]
pub struct UnknownClass(pub String);

impl FarmlandClass {
    pub const ALL: [FarmlandClass; 3] =
        [FarmlandClass::PriorityProtection, FarmlandClass::SafeUse, FarmlandClass::StrictControl];

    pub fn as_str(self) -> &'static str {
        match self {
            FarmlandClass::PriorityProtection => "priority_protection",
            FarmlandClass::SafeUse => "safe_use",
            FarmlandClass::StrictControl => "strict_control",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            FarmlandClass::PriorityProtection => "优先保护类",
            FarmlandClass::SafeUse => "安全利用类",
            FarmlandClass::StrictControl => "严格管控类",
        }
    }

    /// The article of the Soil Pollution Prevention and Control Law that says what the class entails.
    pub fn basis(self) -> &'static str {
        match self {
            FarmlandClass::PriorityProtection => "《中华人民共和国土壤污染防治法》第五十条",
            FarmlandClass::SafeUse => "《中华人民共和国土壤污染防治法》第五十三条",
            FarmlandClass::StrictControl => "《中华人民共和国土壤污染防治法》第五十四条",
        }
    }

    /// Polluted farmland, the denominator of the safe-utilisation rate (the measures ledger's E).
    pub fn is_polluted(self) -> bool {
        !matches!(self, FarmlandClass::PriorityProtection)
    }
}

impl fmt::Display for FarmlandClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FarmlandClass {
    type Err = UnknownClass;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        FarmlandClass::ALL
            .into_iter()
            .find(|c| c.as_str() == t || c.name_zh() == t)
            .ok_or_else(|| UnknownClass(s.to_string()))
    }
}

/// Soil grade from sample concentrations against GB 15618-2018: A at or below the screening value, B at or
/// below the intervention value, C above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum SoilGrade {
    A,
    B,
    C,
}

impl SoilGrade {
    pub fn as_str(self) -> &'static str {
        match self {
            SoilGrade::A => "A",
            SoilGrade::B => "B",
            SoilGrade::C => "C",
        }
    }
}

/// What crop sampling found on the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CropFinding {
    Compliant,
    Exceeds,
    /// Exceedance severe enough to move a B-grade unit to strict control. The exact thresholds are not
    /// fixed nationally; bureaus decide, and this table is the one place that encodes the consequence.
    SevereExceedance,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown crop finding '{0}' (expected compliant, exceeds or severe_exceedance)")]
pub struct UnknownCropFinding(pub String);

impl CropFinding {
    pub const ALL: [CropFinding; 3] = [CropFinding::Compliant, CropFinding::Exceeds, CropFinding::SevereExceedance];

    pub fn as_str(self) -> &'static str {
        match self {
            CropFinding::Compliant => "compliant",
            CropFinding::Exceeds => "exceeds",
            CropFinding::SevereExceedance => "severe_exceedance",
        }
    }
}

impl FromStr for CropFinding {
    type Err = UnknownCropFinding;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        CropFinding::ALL.into_iter().find(|c| c.as_str() == t).ok_or_else(|| UnknownCropFinding(s.to_string()))
    }
}

/// The class a unit gets from its soil grade and crop finding (docs/domain.md §1).
pub fn classify(grade: SoilGrade, crops: CropFinding) -> FarmlandClass {
    use CropFinding::*;
    use FarmlandClass::*;
    use SoilGrade::*;
    match (grade, crops) {
        (A, Compliant) => PriorityProtection,
        (A, Exceeds | SevereExceedance) => SafeUse,
        (B, Compliant | Exceeds) => SafeUse,
        (B, SevereExceedance) => StrictControl,
        (C, _) => StrictControl,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_table() {
        use CropFinding::*;
        use FarmlandClass::*;
        use SoilGrade::*;
        let table = [
            (A, Compliant, PriorityProtection),
            (A, Exceeds, SafeUse),
            (A, SevereExceedance, SafeUse),
            (B, Compliant, SafeUse),
            (B, Exceeds, SafeUse),
            (B, SevereExceedance, StrictControl),
            (C, Compliant, StrictControl),
            (C, Exceeds, StrictControl),
            (C, SevereExceedance, StrictControl),
        ];
        for (g, c, expected) in table {
            assert_eq!(classify(g, c), expected, "{g:?} + {c:?}");
        }
    }

    #[test]
    fn parse_codes_and_chinese_names() {
        for c in FarmlandClass::ALL {
            assert_eq!(c.as_str().parse::<FarmlandClass>().unwrap(), c);
            assert_eq!(c.name_zh().parse::<FarmlandClass>().unwrap(), c);
        }
        assert!("polluted".parse::<FarmlandClass>().is_err());
    }
}
