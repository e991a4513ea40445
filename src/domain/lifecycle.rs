//! The legal lifecycle of a construction-land parcel (docs/domain.md §2; Law Art. 59, 61, 66).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ParcelState {
    Suspected,
    Surveying,
    Cleared,
    RiskAssessment,
    Listed,
    UnderControl,
    UnderRemediation,
    EffectEvaluation,
    Delisted,
    PostManagement,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("unknown lifecycle state '{0}'")]
    UnknownState(String),
    #[error("a parcel in state '{from}' cannot move to '{to}'; allowed next states: {}", allowed_list(.allowed))]
    NotAllowed { from: ParcelState, to: ParcelState, allowed: Vec<ParcelState> },
}

fn allowed_list(allowed: &[ParcelState]) -> String {
    if allowed.is_empty() {
        "none".into()
    } else {
        allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    }
}

impl ParcelState {
    pub const ALL: [ParcelState; 10] = [
        ParcelState::Suspected,
        ParcelState::Surveying,
        ParcelState::Cleared,
        ParcelState::RiskAssessment,
        ParcelState::Listed,
        ParcelState::UnderControl,
        ParcelState::UnderRemediation,
        ParcelState::EffectEvaluation,
        ParcelState::Delisted,
        ParcelState::PostManagement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ParcelState::Suspected => "suspected",
            ParcelState::Surveying => "surveying",
            ParcelState::Cleared => "cleared",
            ParcelState::RiskAssessment => "risk_assessment",
            ParcelState::Listed => "listed",
            ParcelState::UnderControl => "under_control",
            ParcelState::UnderRemediation => "under_remediation",
            ParcelState::EffectEvaluation => "effect_evaluation",
            ParcelState::Delisted => "delisted",
            ParcelState::PostManagement => "post_management",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ParcelState::Suspected => "疑似污染地块",
            ParcelState::Surveying => "土壤污染状况调查中",
            ParcelState::Cleared => "调查/评估无风险",
            ParcelState::RiskAssessment => "风险评估中",
            ParcelState::Listed => "列入风险管控和修复名录",
            ParcelState::UnderControl => "风险管控中",
            ParcelState::UnderRemediation => "修复中",
            ParcelState::EffectEvaluation => "效果评估中",
            ParcelState::Delisted => "移出名录",
            ParcelState::PostManagement => "后期管理",
        }
    }

    /// The states a parcel may move to next (docs/domain.md §2).
    pub fn next_states(self) -> &'static [ParcelState] {
        use ParcelState::*;
        match self {
            Suspected => &[Surveying],
            Surveying => &[Cleared, RiskAssessment],
            RiskAssessment => &[Cleared, Listed],
            Listed => &[UnderControl, UnderRemediation],
            UnderControl | UnderRemediation => &[EffectEvaluation],
            EffectEvaluation => &[UnderControl, UnderRemediation, Delisted],
            Delisted => &[PostManagement],
            Cleared => &[Suspected],
            PostManagement => &[],
        }
    }

    pub fn transition(self, to: ParcelState) -> Result<ParcelState, LifecycleError> {
        if self.next_states().contains(&to) {
            Ok(to)
        } else {
            Err(LifecycleError::NotAllowed { from: self, to, allowed: self.next_states().to_vec() })
        }
    }

    /// On the provincial risk-control and remediation list (Law Art. 58, 61).
    pub fn is_rcr_listed(self) -> bool {
        matches!(
            self,
            ParcelState::Listed
                | ParcelState::UnderControl
                | ParcelState::UnderRemediation
                | ParcelState::EffectEvaluation
        )
    }

    /// The survey → assessment → control/remediation → effect-evaluation chain is complete, so the land may
    /// be supplied (Guilin 2023 plan §2(4)).
    pub fn risk_management_complete(self) -> bool {
        matches!(self, ParcelState::Cleared | ParcelState::Delisted | ParcelState::PostManagement)
    }

    /// Counted as "under control" for the priority-supervision indicator: the risk is known and handled.
    pub fn is_under_control(self) -> bool {
        matches!(
            self,
            ParcelState::Cleared
                | ParcelState::UnderControl
                | ParcelState::UnderRemediation
                | ParcelState::EffectEvaluation
                | ParcelState::Delisted
                | ParcelState::PostManagement
        )
    }
}

impl fmt::Display for ParcelState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ParcelState {
    type Err = LifecycleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        ParcelState::ALL
            .into_iter()
            .find(|st| st.as_str() == t || st.name_zh() == t)
            .ok_or_else(|| LifecycleError::UnknownState(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::ParcelState::{self, *};

    /// Every allowed move, written out from docs/domain.md §2; every other pair must be refused.
    const ALLOWED: &[(ParcelState, ParcelState)] = &[
        (Suspected, Surveying),
        (Surveying, Cleared),
        (Surveying, RiskAssessment),
        (RiskAssessment, Cleared),
        (RiskAssessment, Listed),
        (Listed, UnderControl),
        (Listed, UnderRemediation),
        (UnderControl, EffectEvaluation),
        (UnderRemediation, EffectEvaluation),
        (EffectEvaluation, UnderControl),
        (EffectEvaluation, UnderRemediation),
        (EffectEvaluation, Delisted),
        (Delisted, PostManagement),
        (Cleared, Suspected),
    ];

    #[test]
    fn every_pair_of_states() {
        for from in ParcelState::ALL {
            for to in ParcelState::ALL {
                let expected = ALLOWED.contains(&(from, to));
                let got = from.transition(to);
                assert_eq!(got.is_ok(), expected, "{from} -> {to}");
                if !expected {
                    let msg = got.unwrap_err().to_string();
                    for next in from.next_states() {
                        assert!(msg.contains(next.as_str()), "refusal of {from} -> {to} names {next}: {msg}");
                    }
                }
            }
        }
        // ALL is every state: each one's name reads back as itself, and no two share one
        let names: std::collections::BTreeSet<&str> = ParcelState::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names.len(), ParcelState::ALL.len(), "a state is listed twice in ALL");
        for s in ParcelState::ALL {
            assert_eq!(s.as_str().parse::<ParcelState>().ok(), Some(s));
            for next in s.next_states() {
                assert!(ParcelState::ALL.contains(next), "{s} -> {next}: {next} is missing from ALL");
            }
        }
    }

    #[test]
    fn rcr_listed_and_complete_states() {
        let table: &[(ParcelState, bool, bool)] = &[
            // (state, rcr listed, risk management complete)
            (Suspected, false, false),
            (Surveying, false, false),
            (Cleared, false, true),
            (RiskAssessment, false, false),
            (Listed, true, false),
            (UnderControl, true, false),
            (UnderRemediation, true, false),
            (EffectEvaluation, true, false),
            (Delisted, false, true),
            (PostManagement, false, true),
        ];
        for (s, listed, complete) in table {
            assert_eq!(s.is_rcr_listed(), *listed, "{s}");
            assert_eq!(s.risk_management_complete(), *complete, "{s}");
        }
    }

    #[test]
    fn parse_names() {
        for s in ParcelState::ALL {
            assert_eq!(s.as_str().parse::<ParcelState>().unwrap(), s);
            assert_eq!(s.name_zh().parse::<ParcelState>().unwrap(), s);
        }
        assert!("remediated".parse::<ParcelState>().is_err());
    }
}
