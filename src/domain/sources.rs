//! The three source-control registers of docs/domain.md §7 as plain records: key supervised units
//! (土壤污染重点监管单位), heavy-metal pollution sources (涉镉等重金属污染源) and tailings ponds (尾矿库), with
//! their codes, the lifecycle of a pollution source, and the kinds of duty records each register takes.
//! The registers are served as collections (src/domain/collection/); storing the duty records is not
//! built yet (docs/source-control.md); the duties computed from the records are in [`super::duties`].

use super::rules::UnknownName;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Users type codes with stray spaces, in either case, and with `-` for `_`.
fn normalise(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace('-', "_")
}

/// A closed set of codes, each with its wire name and its Chinese name; both parse.
macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal, $expected:literal, [$($variant:ident = $code:literal, $zh:literal;)+]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            pub fn name_zh(self) -> &'static str {
                match self {
                    $($name::$variant => $zh,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                // The wire name as stored comes first, with no String made: the store reads tens of
                // thousands of codes for a city's duties.
                if let Some(v) = $name::ALL.iter().copied().find(|v| v.as_str() == s) {
                    return Ok(v);
                }
                let n = normalise(s);
                let t = s.trim();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str().to_ascii_lowercase() == n || v.name_zh() == t)
                    .ok_or_else(|| UnknownName { what: $what, value: s.to_string(), expected: $expected })
            }
        }
    };
}

code_enum!(
    /// The three registers, by their OGC API collection id.
    Register, "collection", "key_supervised_units, pollution_sources or tailings_ponds", [
    KeySupervisedUnits = "key_supervised_units", "土壤污染重点监管单位";
    PollutionSources = "pollution_sources", "涉重金属污染源";
    TailingsPonds = "tailings_ponds", "尾矿库";
]);

impl Register {
    /// The property that identifies a feature of the register.
    pub fn id_property(self) -> &'static str {
        match self {
            Register::KeySupervisedUnits => "enterprise_code",
            Register::PollutionSources => "source_code",
            Register::TailingsPonds => "pond_code",
        }
    }
}

code_enum!(
    /// Whether a key supervised unit still produces: a stop, closure or move away brings the survey duty.
    UnitStatus, "status", "operating, stopped, closed or relocated", [
    Operating = "operating", "在产";
    Stopped = "stopped", "停产";
    Closed = "closed", "关闭";
    Relocated = "relocated", "搬迁";
]);

code_enum!(
    SourceKind, "kind", "enterprise, legacy_solid_waste, mining_area, tailings or other", [
    Enterprise = "enterprise", "涉重金属企业";
    LegacySolidWaste = "legacy_solid_waste", "历史遗留固体废物";
    MiningArea = "mining_area", "矿区";
    Tailings = "tailings", "尾矿堆";
    Other = "other", "其他";
]);

code_enum!(
    /// The key metals of the plans (Cd, Hg, As, Pb, Cr, Tl; Mn for electrolytic manganese residue), and the
    /// other metals a Guangxi source commonly carries. The wire name is the element symbol.
    Pollutant, "pollutant", "an element symbol: Cd, Hg, As, Pb, Cr, Tl, Mn, Sb, Ni, Cu or Zn", [
    Cd = "Cd", "镉";
    Hg = "Hg", "汞";
    As = "As", "砷";
    Pb = "Pb", "铅";
    Cr = "Cr", "铬";
    Tl = "Tl", "铊";
    Mn = "Mn", "锰";
    Sb = "Sb", "锑";
    Ni = "Ni", "镍";
    Cu = "Cu", "铜";
    Zn = "Zn", "锌";
]);

code_enum!(
    /// The three nested lists: every enterprise of the key industries ⊃ those screened near farmland ⊃ the
    /// sources to remediate.
    SourceList, "list", "full, screened or remediation", [
    Full = "full", "全口径清单";
    Screened = "screened", "排查清单";
    Remediation = "remediation", "整治清单";
]);

code_enum!(
    /// Where a pollution source stands on its way to being closed out (销号).
    SourceState, "state", "listed, rectifying, rectified or closed_out", [
    Listed = "listed", "列入清单";
    Rectifying = "rectifying", "整治中";
    Rectified = "rectified", "整治完成";
    ClosedOut = "closed_out", "已销号";
]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a pollution source in state '{from}' cannot move to '{to}'; allowed next states: {}", allowed_list(.allowed))]
pub struct SourceMoveNotAllowed {
    pub from: SourceState,
    pub to: SourceState,
    pub allowed: Vec<SourceState>,
}

fn allowed_list(allowed: &[SourceState]) -> String {
    if allowed.is_empty() {
        "none".into()
    } else {
        allowed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    }
}

impl SourceState {
    /// Forward only, one step at a time, each step with its document. A follow-up check (回头看) that finds a
    /// closed-out source polluting again is a record; re-listing it is a new entry on the list, not a move.
    pub fn next_states(self) -> &'static [SourceState] {
        use SourceState::*;
        match self {
            Listed => &[Rectifying],
            Rectifying => &[Rectified],
            Rectified => &[ClosedOut],
            ClosedOut => &[],
        }
    }

    pub fn transition(self, to: SourceState) -> Result<SourceState, SourceMoveNotAllowed> {
        if self.next_states().contains(&to) {
            Ok(to)
        } else {
            Err(SourceMoveNotAllowed { from: self, to, allowed: self.next_states().to_vec() })
        }
    }

    /// The record kind that documents the move into this state.
    pub fn record_kind(self) -> Option<RecordKind> {
        match self {
            SourceState::Listed => None,
            SourceState::Rectifying => Some(RecordKind::PlanApproved),
            SourceState::Rectified => Some(RecordKind::Rectified),
            SourceState::ClosedOut => Some(RecordKind::ClosedOut),
        }
    }
}

code_enum!(
    /// The environmental supervision level on the province's yearly list (环办固体函〔2021〕613号). It is stored
    /// with the document that set it, never computed.
    PondLevel, "level", "1, 2 or 3 (一级, 二级, 三级)", [
    Level1 = "1", "一级";
    Level2 = "2", "二级";
    Level3 = "3", "三级";
]);

impl PondLevel {
    pub fn number(self) -> u8 {
        match self {
            PondLevel::Level1 => 1,
            PondLevel::Level2 => 2,
            PondLevel::Level3 => 3,
        }
    }
}

code_enum!(
    /// The pond's safety class (等别) by dam height and storage: a safety attribute, not the supervision level.
    SafetyClass, "safety_class", "1 to 5 (一等 to 五等)", [
    Class1 = "1", "一等";
    Class2 = "2", "二等";
    Class3 = "3", "三等";
    Class4 = "4", "四等";
    Class5 = "5", "五等";
]);

code_enum!(
    /// The safety rating of the pond's last safety assessment.
    SafetyRating, "safety_rating", "normal, ailing, risky or dangerous (正常库, 病库, 险库, 危库)", [
    Normal = "normal", "正常库";
    Ailing = "ailing", "病库";
    Risky = "risky", "险库";
    Dangerous = "dangerous", "危库";
]);

code_enum!(
    PondStatus, "status", "operating, closed or ownerless", [
    Operating = "operating", "在用";
    Closed = "closed", "闭库";
    Ownerless = "ownerless", "无主";
]);

code_enum!(
    /// What a duty record says was done. Each kind belongs to one register.
    RecordKind, "kind", "a record kind of the register (see docs/source-control.md)", [
    HazardCheck = "hazard_check", "土壤污染隐患排查";
    SelfMonitoringSurfaceSoil = "self_monitoring_surface_soil", "自行监测（表层土壤）";
    SelfMonitoringDeepSoil = "self_monitoring_deep_soil", "自行监测（深层土壤）";
    SelfMonitoringGroundwater = "self_monitoring_groundwater", "自行监测（地下水）";
    EmissionsReport = "emissions_report", "有毒有害物质排放情况年度报告";
    DemolitionPlanFiled = "demolition_plan_filed", "拆除活动土壤污染防治工作方案备案";
    SurroundingMonitoring = "surrounding_monitoring", "周边环境监测";
    SurveyReport = "survey_report", "土壤污染状况调查报告";
    Inspection = "inspection", "环境监管检查";
    PlanApproved = "plan_approved", "整治方案批复";
    Rectified = "rectified", "整治完成";
    ClosedOut = "closed_out", "销号";
    FollowUpCheck = "follow_up_check", "销号回头看";
]);

impl RecordKind {
    pub fn register(self) -> Register {
        use RecordKind::*;
        match self {
            HazardCheck
            | SelfMonitoringSurfaceSoil
            | SelfMonitoringDeepSoil
            | SelfMonitoringGroundwater
            | EmissionsReport
            | DemolitionPlanFiled
            | SurroundingMonitoring
            | SurveyReport => Register::KeySupervisedUnits,
            Inspection => Register::TailingsPonds,
            PlanApproved | Rectified | ClosedOut | FollowUpCheck => Register::PollutionSources,
        }
    }

    /// Parses a kind and refuses one that belongs to another register, naming the kinds that fit.
    pub fn parse_for(register: Register, s: &str) -> Result<RecordKind, WrongRegister> {
        let kinds = || RecordKind::ALL.iter().copied().filter(move |k| k.register() == register);
        match s.parse::<RecordKind>() {
            Ok(k) if k.register() == register => Ok(k),
            _ => Err(WrongRegister { register, value: s.to_string(), allowed: kinds().collect() }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a record kind of {register}; expected one of: {}",
    allowed.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "))]
pub struct WrongRegister {
    pub register: Register,
    pub value: String,
    pub allowed: Vec<RecordKind>,
}

/// A duty done: what and when. The document, result and note of the planned `/records` are not needed to
/// compute duties and are left to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyRecord {
    pub kind: RecordKind,
    pub date: NaiveDate,
}

/// 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet without I, O, S, V and Z, the
/// last one a check character over the first 17.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EnterpriseCode(String);

const CREDIT_CODE_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const NOT_A_CODE_CHAR: u8 = u8::MAX;
/// Each ASCII character's value in CREDIT_CODE_CHARS (its position), NOT_A_CODE_CHAR for the others.
const CREDIT_CODE_VALUES: [u8; 128] = {
    let mut t = [NOT_A_CODE_CHAR; 128];
    let chars = CREDIT_CODE_CHARS.as_bytes();
    let mut i = 0;
    while i < chars.len() {
        t[chars[i] as usize] = i as u8;
        i += 1;
    }
    t
};
const CREDIT_CODE_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnterpriseCodeError {
    #[error("an enterprise code (统一社会信用代码) has 18 characters, '{0}' has {1}")]
    Length(String, usize),
    #[error("'{ch}' at position {position} of '{code}' is not allowed in an enterprise code (统一社会信用代码)")]
    Character { code: String, position: usize, ch: char },
    #[error("the check character of enterprise code '{code}' should be '{expected}' (GB 32100-2015); a character is mistyped")]
    CheckCharacter { code: String, expected: char },
}

impl EnterpriseCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The county part of the registration authority code (positions 3–8), the administrative division of
    /// the authority that issued the code, which is not always where the unit's land lies.
    pub fn registration_division(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for EnterpriseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for EnterpriseCode {
    type Err = EnterpriseCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let code = s.trim().to_ascii_uppercase();
        let n = code.chars().count();
        if n != 18 {
            return Err(EnterpriseCodeError::Length(code, n));
        }
        // A table rather than a search of CREDIT_CODE_CHARS per character: a city's GET /duties parses
        // thousands of stored codes.
        let mut values = [0u32; 18];
        for (i, ch) in code.chars().enumerate() {
            match CREDIT_CODE_VALUES.get(ch as usize).copied().filter(|&v| v != NOT_A_CODE_CHAR) {
                Some(v) => values[i] = v as u32,
                None => return Err(EnterpriseCodeError::Character { code, position: i + 1, ch }),
            }
        }
        let sum: u32 = values.iter().zip(CREDIT_CODE_WEIGHTS).map(|(v, w)| v * w).sum();
        let check = (31 - sum % 31) % 31;
        if values[17] != check {
            let expected = CREDIT_CODE_CHARS.as_bytes()[check as usize] as char;
            return Err(EnterpriseCodeError::CheckCharacter { code, expected });
        }
        Ok(EnterpriseCode(code))
    }
}

impl<'de> Deserialize<'de> for EnterpriseCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A key supervised unit (土壤污染重点监管单位, Law Art. 21): an enterprise on the city's annual list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeySupervisedUnit {
    pub enterprise_code: EnterpriseCode,
    pub name: String,
    pub county_code: String,
    /// GB/T 4754 industry code.
    pub industry: String,
    /// The years of the annual lists the unit is on.
    pub listed_years: Vec<i32>,
    pub list_doc: Option<String>,
    /// Underground tanks, pipes or pits (一类单元 in HJ 1209-2021); None when not known.
    pub buried_facilities: Option<bool>,
    /// A groundwater-sensitive area lies within 1 km; None when not known.
    pub groundwater_sensitive: Option<bool>,
    pub status: UnitStatus,
    pub valid_from: NaiveDate,
}

impl KeySupervisedUnit {
    pub fn first_listed_year(&self) -> Option<i32> {
        self.listed_years.iter().copied().min()
    }
}

/// A heavy-metal pollution source, or a legacy waste pile or tailings heap of the same shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollutionSource {
    pub source_code: String,
    pub name: String,
    pub county_code: String,
    pub kind: SourceKind,
    pub pollutants: Vec<Pollutant>,
    pub list: SourceList,
    pub state: SourceState,
    /// The remediation deadline of the plan (整治方案).
    pub deadline: Option<NaiveDate>,
    pub plan_doc: Option<String>,
    pub closed_out_doc: Option<String>,
    pub valid_from: NaiveDate,
}

/// A tailings pond (尾矿库).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TailingsPond {
    pub pond_code: String,
    pub name: String,
    pub county_code: String,
    pub operator: Option<String>,
    pub level: PondLevel,
    pub level_doc: Option<String>,
    pub safety_class: Option<SafetyClass>,
    pub safety_rating: Option<SafetyRating>,
    pub status: PondStatus,
    pub valid_from: NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enterprise_codes() {
        // The worked example of GB 32100-2015, and a made-up Liuzhou code with its computed check character.
        let ok = ["91350100M000100Y43", "91450200198230236A", " 91450200198230236a "];
        for s in ok {
            let c: EnterpriseCode = s.parse().unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(c.as_str(), s.trim().to_ascii_uppercase());
        }
        assert_eq!("91450200198230236A".parse::<EnterpriseCode>().unwrap().registration_division(), "450200");
        let bad: &[(&str, &str)] = &[
            ("91350100M000100Y44", "should be '3'"),
            ("91450200198230236X", "should be 'A'"),
            ("91350100M000100Y4", "has 17"),
            ("91350100M000100Y433", "has 19"),
            ("", "has 0"),
            ("91350100M0001O0Y43", "'O' at position 14"),
            ("9135010０M000100Y43", "position 8"),
        ];
        for (s, msg) in bad {
            let e = s.parse::<EnterpriseCode>().unwrap_err().to_string();
            assert!(e.contains(msg), "{s}: {e}");
        }
        let v: Result<EnterpriseCode, _> = serde_json::from_value(serde_json::json!("91350100M000100Y44"));
        assert!(v.is_err());
    }

    #[test]
    fn codes_round_trip_by_wire_and_chinese_names() {
        fn check<T: Copy + PartialEq + fmt::Debug + FromStr + Serialize>(
            all: &[T],
            s: fn(T) -> &'static str,
            zh: fn(T) -> &'static str,
        ) {
            for &v in all {
                assert_eq!(s(v).parse::<T>().ok(), Some(v), "{}", s(v));
                assert_eq!(zh(v).parse::<T>().ok(), Some(v), "{}", zh(v));
                assert_eq!(serde_json::to_value(v).unwrap(), s(v));
            }
        }
        check(Register::ALL, Register::as_str, Register::name_zh);
        check(UnitStatus::ALL, UnitStatus::as_str, UnitStatus::name_zh);
        check(SourceKind::ALL, SourceKind::as_str, SourceKind::name_zh);
        check(Pollutant::ALL, Pollutant::as_str, Pollutant::name_zh);
        check(SourceList::ALL, SourceList::as_str, SourceList::name_zh);
        check(SourceState::ALL, SourceState::as_str, SourceState::name_zh);
        check(PondLevel::ALL, PondLevel::as_str, PondLevel::name_zh);
        check(SafetyClass::ALL, SafetyClass::as_str, SafetyClass::name_zh);
        check(SafetyRating::ALL, SafetyRating::as_str, SafetyRating::name_zh);
        check(PondStatus::ALL, PondStatus::as_str, PondStatus::name_zh);
        check(RecordKind::ALL, RecordKind::as_str, RecordKind::name_zh);
        assert_eq!(" cd ".parse::<Pollutant>().unwrap(), Pollutant::Cd);
        assert_eq!("closed-out".parse::<SourceState>().unwrap(), SourceState::ClosedOut);
        assert_eq!(PondLevel::Level3.number(), 3);
        let e = "Fe".parse::<Pollutant>().unwrap_err().to_string();
        assert!(e.contains("unknown pollutant 'Fe'") && e.contains("Tl"), "{e}");
        assert!("4".parse::<PondLevel>().is_err());
        assert!("critical".parse::<SafetyRating>().is_err());
    }

    #[test]
    fn source_lifecycle_every_pair() {
        use SourceState::*;
        let allowed = [(Listed, Rectifying), (Rectifying, Rectified), (Rectified, ClosedOut)];
        for &from in SourceState::ALL {
            for &to in SourceState::ALL {
                let got = from.transition(to);
                assert_eq!(got.is_ok(), allowed.contains(&(from, to)), "{from} -> {to}");
                if let Err(e) = got {
                    let msg = e.to_string();
                    for next in from.next_states() {
                        assert!(msg.contains(next.as_str()), "{msg}");
                    }
                }
            }
        }
        assert!(ClosedOut.transition(Listed).unwrap_err().to_string().contains("allowed next states: none"));
        for (_, to) in allowed {
            assert_eq!(to.record_kind().map(|k| k.register()), Some(Register::PollutionSources));
        }
    }

    #[test]
    fn record_kinds_belong_to_one_register() {
        use RecordKind::*;
        let table: &[(Register, &[RecordKind])] = &[
            (
                Register::KeySupervisedUnits,
                &[
                    HazardCheck,
                    SelfMonitoringSurfaceSoil,
                    SelfMonitoringDeepSoil,
                    SelfMonitoringGroundwater,
                    EmissionsReport,
                    DemolitionPlanFiled,
                    SurroundingMonitoring,
                    SurveyReport,
                ],
            ),
            (Register::TailingsPonds, &[Inspection]),
            (Register::PollutionSources, &[PlanApproved, Rectified, ClosedOut, FollowUpCheck]),
        ];
        let mut seen = 0;
        for (reg, kinds) in table {
            for k in *kinds {
                assert_eq!(k.register(), *reg, "{k}");
                assert_eq!(RecordKind::parse_for(*reg, k.as_str()), Ok(*k));
                seen += 1;
            }
        }
        assert_eq!(seen, RecordKind::ALL.len());
        let e = RecordKind::parse_for(Register::TailingsPonds, "hazard_check").unwrap_err().to_string();
        assert!(e.contains("tailings_ponds") && e.contains("expected one of: inspection"), "{e}");
        assert!(RecordKind::parse_for(Register::PollutionSources, "audit").is_err());
    }
}
