//! Construction-land rules: the RCR list, surveys before a change of use, key-unit land, remediation class.

use super::*;

/// Art. 61 ¶2: land on the RCR list may not become housing or public-service land, whatever is asked.
pub(super) fn rcr_listed_no_housing_public(c: &Ctx<'_>) -> Option<Finding> {
    let proposed = c.proposed_housing_public()?;
    let hits = nonempty(c.parcels_where(|p| p.state.is_rcr_listed()))?;
    Some(Finding {
        decision: Decision::Denied,
        zh: format!(
            "地块 {} 已列入建设用地土壤污染风险管控和修复名录，不得作为住宅、公共管理与公共服务用地；拟用途 {}属于“一住两公”用地，不予准许。",
            zh_ids(&hits),
            use_label(proposed)
        ),
        en: format!(
            "{} on the risk-control and remediation list for construction land and may not be used as residential or public administration and public service land; the proposed use {} is such a use, so it is refused.",
            en_subject(&hits, "Parcel", "Parcels"),
            use_label_en(proposed)
        ),
        features: c.parcel_refs(&hits),
    })
}

/// Art. 66 ¶3: until the targets are met and the parcel leaves the list, only risk control and
/// remediation may be built there. A rezoning to housing/public use is already refused under Art. 61 ¶2,
/// so this rule stays silent then rather than repeat the refusal; a rezoning to another use may be
/// planned, on the condition that nothing is built before delisting. Land supply is denied because
/// supplying land is the step before construction, and a remediation project (if the request says so) is
/// the one exception the law makes.
pub(super) fn rcr_targets_unmet_no_unrelated_project(c: &Ctx<'_>) -> Option<Finding> {
    let decision = match c.req.kind {
        CheckKind::EiaSite if c.is_remediation() => return None,
        // Supplying the land for the remediation itself is not forbidden, but only on that condition.
        CheckKind::LandSupply if c.is_remediation() => Decision::Conditional,
        CheckKind::EiaSite | CheckKind::LandSupply => Decision::Denied,
        CheckKind::Rezoning if c.proposed_housing_public().is_some() => return None,
        CheckKind::Rezoning => Decision::Conditional,
    };
    let hits = nonempty(c.parcels_where(|p| p.state.is_rcr_listed()))?;
    let head_zh = format!("地块 {} 在建设用地土壤污染风险管控和修复名录内，尚未达到风险管控、修复目标", zh_ids(&hits));
    let head_en = format!(
        "{} on the risk-control and remediation list and {} not yet met {} risk-control or remediation targets",
        en_subject(&hits, "Parcel", "Parcels"),
        has_have(hits.len()),
        plural(hits.len(), "its", "their")
    );
    let (zh, en) = match c.req.kind {
        CheckKind::EiaSite => (
            format!(
                "{head_zh}，禁止开工建设任何与风险管控、修复无关的项目；拟建{}不属于风险管控、修复项目，不得在此开工建设。",
                c.project_zh()
            ),
            format!(
                "{head_en}; no project unrelated to risk control or remediation may start there, and the project is {}, so it may not be built.",
                c.project_en()
            ),
        ),
        CheckKind::LandSupply if c.is_remediation() => (
            format!("{head_zh}，禁止开工建设任何与风险管控、修复无关的项目；土地仅可为风险管控、修复项目供应，出让或划拨文件应载明达到目标并移出名录前不得开工建设与风险管控、修复无关的项目。"),
            format!("{head_en}; the land may be supplied for risk control or remediation only, and the transfer or allocation must state that nothing unrelated to risk control or remediation may be built before the targets are met and the land is delisted."),
        ),
        CheckKind::LandSupply => (
            format!("{head_zh}，禁止开工建设任何与风险管控、修复无关的项目；供地是为开工建设作准备，达到目标并移出名录前不予供地。"),
            format!("{head_en}; no project unrelated to risk control or remediation may start there, and supplying the land prepares construction, so it is refused until the targets are met and the land is delisted."),
        ),
        CheckKind::Rezoning => (
            format!(
                "{head_zh}；用途可规划调整为 {}，但达到目标并移出名录前，不得开工建设任何与风险管控、修复无关的项目。",
                c.proposed_label_zh()
            ),
            format!(
                "{head_en}; the use may be planned as {}, but nothing unrelated to risk control or remediation may be built before the targets are met and the land is delisted.",
                c.proposed_label_en()
            ),
        ),
    };
    Some(Finding { decision, zh, en, features: c.parcel_refs(&hits) })
}

/// Art. 59 ¶2: a change to housing/public use needs a soil survey first, unless the whole area is already
/// on parcels a survey cleared. The features are the overlapping parcels that do not clear the area (there
/// may be none: land the registry has never looked at needs the survey too).
pub(super) fn survey_before_housing_public_change(c: &Ctx<'_>) -> Option<Finding> {
    if c.req.kind != CheckKind::Rezoning {
        return None;
    }
    let proposed = c.proposed_housing_public()?;
    let current = c.req.current_use.as_ref();
    // Only a change between residential and public-service uses proper is exempt: GB/T 21010 0809
    // (utilities: sewage works, sanitation) and 0810 (parks) are no homes or schools, whatever the setting.
    if current.is_some_and(LandUse::is_housing_or_public_proper) {
        return None;
    }
    let query = c.facts.query_area_m2;
    let uncovered = (query - cleared_union_m2(c)).max(0.0);
    // The uncovered rest is judged like any overlap: a sliver of the query does not call for a survey.
    let tolerance = c.s.sliver_min_m2.max(c.s.sliver_min_ratio * query);
    if uncovered <= tolerance {
        return None;
    }
    let others = c.parcels_where(|p| !survey_cleared(p));
    let current_zh = match current {
        Some(u) => format!("现用途为 {}", use_label(u)),
        None => "未提供现用途，按非“一住两公”用地处理".to_string(),
    };
    let current_en = match current {
        Some(u) => format!("the current use is {}", use_label_en(u)),
        None => "no current use was given, so it is treated as not residential or public service land".to_string(),
    };
    let (others_zh, others_en) = if others.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!("，其中涉及尚未经调查确认无风险的地块 {}", zh_ids_with_state(&others)),
            format!(", and it touches {}, not cleared by any survey", en_ids_with_state(&others)),
        )
    };
    Some(Finding {
        decision: Decision::Conditional,
        zh: format!(
            "拟将用途变更为“一住两公”用地 {}，{current_zh}。查询范围 {query:.1} 平方米中约 {uncovered:.1} 平方米未被经土壤污染状况调查确认无风险的地块覆盖{others_zh}；用途变更前，应当按照规定进行土壤污染状况调查。",
            use_label(proposed)
        ),
        en: format!(
            "The use is to change to residential or public service land, {}; {current_en}. About {uncovered:.1} m² of the {query:.1} m² queried is not covered by parcels that a soil pollution status survey has cleared{others_en}; a soil pollution status survey is required before the change.",
            use_label_en(proposed)
        ),
        features: c.parcel_refs(&others),
    })
}

/// Art. 67: key supervised units survey their land before its use changes or the right is recovered or
/// transferred. A rezoning counts as a change unless both uses are given and equal. Key-unit land is a
/// parcel flagged `key_unit_land` or the site of a unit on the key_supervised_units register, listed by the
/// date: a site drawn in the register needs no flag on the parcels over it.
pub(super) fn key_unit_survey_before_change_or_transfer(c: &Ctx<'_>) -> Option<Finding> {
    let (what_zh, what_en) = match c.req.kind {
        CheckKind::Rezoning => {
            if let (Some(p), Some(cur)) = (&c.req.proposed_use, &c.req.current_use) {
                if p == cur {
                    return None;
                }
            }
            ("用途变更", "the change of use")
        }
        CheckKind::LandSupply => ("土地使用权收回、转让（供地）", "the recovery and transfer of the land use right"),
        // A new project on a key unit's land comes with a change of its use or of who holds the right,
        // unless it is the remediation of that land.
        CheckKind::EiaSite if c.is_remediation() => return None,
        CheckKind::EiaSite => (
            "该地块因建设项目而用途变更或土地使用权收回、转让",
            "the land changes use, or its right is recovered or transferred, for this project",
        ),
    };
    let parcels = c.parcels_where(|p| p.key_unit_land);
    let units: Vec<&KeyUnitFact> = c.key_units_on_site().into_iter().filter(|u| u.listed_by(c.req.as_of)).collect();
    if parcels.is_empty() && units.is_empty() {
        return None;
    }
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if !parcels.is_empty() {
        zh.push(format!("地块 {} 为土壤污染重点监管单位生产经营用地", zh_ids(&parcels)));
        en.push(format!(
            "{} land of a key supervised unit for soil pollution",
            en_subject(&parcels, "Parcel", "Parcels")
        ));
    }
    if !units.is_empty() {
        zh.push(format!("查询范围涉及土壤污染重点监管单位 {}的生产经营用地", zh_key_units(&units)));
        en.push(format!("the query takes land of {}", en_key_units(&units)));
    }
    let mut en = en.join("; ");
    if let Some(first) = en.get(..1) {
        en = first.to_uppercase() + &en[1..];
    }
    let mut features = c.parcel_refs(&parcels);
    features.extend(c.key_unit_refs(&units));
    Some(Finding {
        decision: Decision::Conditional,
        zh: format!(
            "{}；{what_zh}前，应当由土地使用权人按照规定进行土壤污染状况调查，调查报告作为不动产登记资料送交不动产登记机构，并报生态环境主管部门备案。",
            zh.join("；")
        ),
        en: format!(
            "{en}; before {what_en}, the land user must carry out a soil pollution status survey, file the report with the real-estate register and report it to the ecology and environment authority."
        ),
        features,
    })
}

/// GB 36600-2018: second-class screening values are not safe for first-class uses (homes, schools,
/// hospitals, community parks), so land remediated to them must be reassessed before such a use.
pub(super) fn remediated_for_second_class_only(c: &Ctx<'_>) -> Option<Finding> {
    let proposed = c.req.proposed_use.as_ref().filter(|u| u.is_first_class())?;
    let hits = nonempty(c.parcels_where(|p| p.remediated_for_class == Some(2)))?;
    Some(Finding {
        decision: Decision::Conditional,
        zh: format!(
            "地块 {} 仅按 GB 36600-2018 第二类用地目标完成风险管控或修复，拟用途 {}属于第一类用地；须重新开展土壤污染风险评估，必要时补充修复，达到第一类用地要求后方可使用。",
            zh_ids(&hits),
            use_label(proposed)
        ),
        en: format!(
            "{} remediated to GB 36600-2018 second-class targets only, and the proposed use {} is first-class land; a new soil pollution risk assessment (and further remediation if needed) is required before that use.",
            en_subject(&hits, "Parcel", "Parcels"),
            use_label_en(proposed)
        ),
        features: c.parcel_refs(&hits),
    })
}

/// GB 36600-2018 sets stricter values for first-class land (homes, schools, hospitals, community parks);
/// a parcel delisted without a record of the class its remediation met is not known to meet them, so the
/// stricter reading applies until the class is recorded.
pub(super) fn remediation_class_unrecorded(c: &Ctx<'_>) -> Option<Finding> {
    let proposed = c.req.proposed_use.as_ref().filter(|u| u.is_first_class())?;
    let hits = nonempty(c.parcels_where(class_unrecorded))?;
    Some(Finding {
        decision: Decision::Conditional,
        zh: format!(
            "地块 {} 已移出名录，但未记录其风险管控或修复达到的 GB 36600-2018 用地类别（remediated_for_class，修复用地类别未记录）；拟用途 {}属于第一类用地，按更严格的理解，不视为已达到第一类用地要求。请依据效果评估报告补录修复用地类别（移出名录步骤的 remediated_for_class，或以 PATCH 更正地块记录），或重新开展土壤污染风险评估后方可使用。",
            zh_ids(&hits),
            use_label(proposed)
        ),
        en: format!(
            "The GB 36600-2018 class of use that the remediation of {} met is not recorded (remediated_for_class), and the proposed use {} is first-class land; on the stricter reading the land is not taken to meet first-class targets. Record the class from the effect-evaluation report (remediated_for_class on the delisting step, or a PATCH of the parcel), or carry out a new soil pollution risk assessment, before that use.",
            en_ids_with_state(&hits),
            use_label_en(proposed)
        ),
        features: c.parcel_refs(&hits),
    })
}

/// Art. 59 ¶1: land that surveys, monitoring or inspection show to be at risk must be surveyed (and, where
/// the survey finds pollution above the standard, assessed) before anything is decided on it: rezoning to
/// any use, an EIA for an ordinary project, or its supply waits for the survey and the assessment.
pub(super) fn suspected_land_survey_first(c: &Ctx<'_>) -> Option<Finding> {
    let (what_zh, what_en) = match c.req.kind {
        CheckKind::Rezoning => ("用途变更", "the change of use"),
        CheckKind::EiaSite if c.is_remediation() => return None,
        CheckKind::EiaSite => ("建设项目选址", "siting the project there"),
        CheckKind::LandSupply => ("供地（出让、划拨）", "supplying the land"),
    };
    let unfinished = |p: &ParcelFact| {
        matches!(p.state, ParcelState::Suspected | ParcelState::Surveying | ParcelState::RiskAssessment)
    };
    let hits = nonempty(c.parcels_where(unfinished))?;
    Some(Finding {
        decision: Decision::Conditional,
        zh: format!(
            "地块 {}有土壤污染风险，尚未完成土壤污染状况调查或风险评估；应当按照规定完成调查（调查表明超标的，进行风险评估），{what_zh}须待其结论。",
            zh_ids_with_state(&hits)
        ),
        en: format!(
            "{} at risk of soil pollution, and the soil pollution status survey or risk assessment is not finished; the survey (and, where it finds pollution above the standard, the risk assessment) must be completed first, and {what_en} waits for its conclusion.",
            en_subject_with_state(&hits)
        ),
        features: c.parcel_refs(&hits),
    })
}

/// The area (m²) of the query covered by parcels a survey cleared, on their union: overlaps are added and
/// the ground two cleared parcels share is taken off once. Where three or more overlap on the same ground
/// this takes off too much, so the coverage is never overstated and a survey is never waived by a double
/// count.
fn cleared_union_m2(c: &Ctx<'_>) -> f64 {
    let cleared = c.parcels_where(survey_cleared);
    let is_cleared = |code: &str| cleared.iter().any(|p| p.parcel_code == code);
    let sum: f64 = cleared.iter().map(|p| p.overlap_m2).sum();
    let shared: f64 =
        c.facts.parcel_overlaps.iter().filter(|o| is_cleared(&o.a) && is_cleared(&o.b)).map(|o| o.m2).sum();
    (sum - shared).clamp(0.0, c.facts.query_area_m2)
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::*;

    #[test]
    fn rule_rcr_listed_no_housing_public() {
        let n = check_rule(
            "rcr_listed_no_housing_public",
            &[
                case(
                    "housing on listed",
                    rz("070101", Some("1001")),
                    vec![p("LZ-0001", Listed)],
                    vec![],
                    Some((DENIED, &["LZ-0001"])),
                ),
                case(
                    "school on under_control",
                    rz("080403", Some("1001")),
                    vec![p("A", UnderControl)],
                    vec![],
                    Some((DENIED, &["A"])),
                ),
                case(
                    "office on under_remediation",
                    rz("0801", None),
                    vec![p("A", UnderRemediation)],
                    vec![],
                    Some((DENIED, &["A"])),
                ),
                case(
                    "hospital on effect_evaluation",
                    rz("0806", None),
                    vec![p("A", EffectEvaluation)],
                    vec![],
                    Some((DENIED, &["A"])),
                ),
                case(
                    "only listed parcels are named",
                    rz("070101", None),
                    vec![p("A", Listed), overlap(p("B", Cleared), 3000.0), overlap(p("C", UnderControl), 2000.0)],
                    vec![],
                    Some((DENIED, &["A", "C"])),
                ),
                case(
                    "eia with a housing use",
                    with_proposed(eia(Other), "0702"),
                    vec![p("A", Listed)],
                    vec![],
                    Some((DENIED, &["A"])),
                ),
                case(
                    "supply for a school",
                    with_proposed(supply(), "080404"),
                    vec![p("A", Listed)],
                    vec![],
                    Some((DENIED, &["A"])),
                ),
                case("industrial use", rz("1001", Some("1001")), vec![p("A", Listed)], vec![], None),
                case("commercial use", rz("0901", None), vec![p("A", Listed)], vec![], None),
                case("delisted parcel", rz("070101", None), vec![p("A", Delisted)], vec![], None),
                case("suspected parcel", rz("070101", None), vec![p("A", Suspected)], vec![], None),
                case("risk assessment parcel", rz("070101", None), vec![p("A", RiskAssessment)], vec![], None),
                case("sliver overlap", rz("070101", None), vec![overlap(p("A", Listed), 0.5)], vec![], None),
                case("no proposed use", supply(), vec![p("A", Listed)], vec![], None),
                case("no parcels", rz("070101", None), vec![], vec![], None),
            ],
        );
        assert_eq!(n, 15);
    }

    #[test]
    fn rule_rcr_targets_unmet_no_unrelated_project() {
        check_rule(
            "rcr_targets_unmet_no_unrelated_project",
            &[
                case("eia other on listed", eia(Other), vec![p("A", Listed)], vec![], Some((DENIED, &["A"]))),
                case(
                    "eia heavy metal on under_remediation",
                    eia(HeavyMetal),
                    vec![p("A", UnderRemediation)],
                    vec![],
                    Some((DENIED, &["A"])),
                ),
                case(
                    "eia without a project kind",
                    CheckRequest { project_kind: None, ..eia(Other) },
                    vec![p("A", EffectEvaluation)],
                    vec![],
                    Some((DENIED, &["A"])),
                ),
                case("supply of listed land", supply(), vec![p("A", Listed)], vec![], Some((DENIED, &["A"]))),
                case(
                    "rezoning to industry",
                    rz("1001", Some("0901")),
                    vec![p("A", UnderControl)],
                    vec![],
                    Some((COND, &["A"])),
                ),
                case(
                    "rezoning with no proposed use",
                    CheckRequest { proposed_use: None, ..rz("1001", None) },
                    vec![p("A", Listed)],
                    vec![],
                    Some((COND, &["A"])),
                ),
                case(
                    "rezoning to housing: Art. 61 speaks instead",
                    rz("070101", None),
                    vec![p("A", Listed)],
                    vec![],
                    None,
                ),
                case("remediation project", eia(Remediation), vec![p("A", Listed)], vec![], None),
                // Supply for the remediation itself is not refused, but tied to it (issue 11, case 8).
                case(
                    "supply for remediation",
                    CheckRequest { project_kind: Some(Remediation), ..supply() },
                    vec![p("A", Listed)],
                    vec![],
                    Some((COND, &["A"])),
                ),
                case(
                    "supply for another project",
                    CheckRequest { project_kind: Some(Other), ..supply() },
                    vec![p("A", Listed)],
                    vec![],
                    Some((DENIED, &["A"])),
                ),
                case("delisted parcel", eia(Other), vec![p("A", Delisted)], vec![], None),
                case("cleared parcel", eia(Other), vec![p("A", Cleared)], vec![], None),
                case("sliver", eia(Other), vec![overlap(p("A", Listed), 5.0)], vec![], None),
            ],
        );
    }

    #[test]
    fn rule_survey_before_housing_public_change() {
        let r = "survey_before_housing_public_change";
        check_rule(
            r,
            &[
                case(
                    "industry to housing, unknown land",
                    rz("070101", Some("1001")),
                    vec![],
                    vec![],
                    Some((COND, &[])),
                ),
                case("unknown current use", rz("070101", None), vec![], vec![], Some((COND, &[]))),
                case("to a school", rz("080403", Some("0901")), vec![], vec![], Some((COND, &[]))),
                case(
                    "suspected parcel named",
                    rz("070101", Some("1001")),
                    vec![overlap(p("A", Cleared), 6000.0), overlap(p("S", Suspected), 4000.0)],
                    vec![],
                    Some((COND, &["S"])),
                ),
                case(
                    "partly cleared",
                    rz("070101", Some("1001")),
                    vec![overlap(p("A", Cleared), 6000.0)],
                    vec![],
                    Some((COND, &[])),
                ),
                case(
                    "remediated for second class only",
                    rz("070101", Some("1001")),
                    vec![rem(p("D", Delisted), 2)],
                    vec![],
                    Some((COND, &["D"])),
                ),
                case("listed parcel", rz("0801", Some("1001")), vec![p("L", Listed)], vec![], Some((COND, &["L"]))),
                case(
                    "uncovered rest of 20 m² is above the 10 m² tolerance",
                    rz("070101", Some("1001")),
                    vec![overlap(p("A", Cleared), 9980.0)],
                    vec![],
                    Some((COND, &[])),
                ),
                case("cleared covers all", rz("070101", Some("1001")), vec![p("A", Cleared)], vec![], None),
                case(
                    "two cleared parcels leave a 5 m² gap",
                    rz("070101", Some("1001")),
                    vec![overlap(p("A", Cleared), 5000.0), overlap(rem(p("B", PostManagement), 1), 4995.0)],
                    vec![],
                    None,
                ),
                case(
                    "delisted for first class",
                    rz("070101", Some("1001")),
                    vec![rem(p("D", Delisted), 1)],
                    vec![],
                    None,
                ),
                // An unrecorded class is not class 1 (issue 11, case 1: the old answer was allowed).
                case(
                    "post management, class unrecorded",
                    rz("070101", Some("1001")),
                    vec![p("D", PostManagement)],
                    vec![],
                    Some((COND, &["D"])),
                ),
                case(
                    "delisted, class unrecorded",
                    rz("080404", Some("1001")),
                    vec![p("D", Delisted)],
                    vec![],
                    Some((COND, &["D"])),
                ),
                case("already housing", rz("070102", Some("0701")), vec![], vec![], None),
                case("public to housing stays within 一住两公", rz("070101", Some("0801")), vec![], vec![], None),
                case("to industry", rz("1001", Some("0901")), vec![], vec![], None),
                case("land supply", with_proposed(supply(), "070101"), vec![], vec![], None),
                case("eia", with_proposed(eia(Other), "070101"), vec![], vec![], None),
            ],
        );
        // The message says what was assumed when the current use is unknown.
        let out = run(&case("", rz("070101", None), vec![], vec![], None), &RuleSettings::default());
        let reason = out.reason(r).unwrap();
        assert!(reason.message_zh.contains("未提供现用途"), "{}", reason.message_zh);
        assert!(reason.message_en.contains("no current use was given"), "{}", reason.message_en);
        assert!(reason.message_zh.contains("10000.0 平方米"), "{}", reason.message_zh);
    }

    #[test]
    fn rule_key_unit_survey_before_change_or_transfer() {
        check_rule(
            "key_unit_survey_before_change_or_transfer",
            &[
                case(
                    "industry to commerce",
                    rz("0901", Some("1001")),
                    vec![key(p("K", Cleared))],
                    vec![],
                    Some((COND, &["K"])),
                ),
                case(
                    "current use unknown",
                    rz("0901", None),
                    vec![key(p("K", Suspected))],
                    vec![],
                    Some((COND, &["K"])),
                ),
                case("land supply", supply(), vec![key(p("K", PostManagement))], vec![], Some((COND, &["K"]))),
                case(
                    "only key-unit land is named",
                    supply(),
                    vec![key(overlap(p("K", Cleared), 4000.0)), overlap(p("N", Cleared), 6000.0)],
                    vec![],
                    Some((COND, &["K"])),
                ),
                case("no change of use", rz("1001", Some("1001")), vec![key(p("K", Cleared))], vec![], None),
                // Art. 67 for EIAs on key-unit land (issue 11): a new project changes the land's use or holder.
                case("eia", eia(Other), vec![key(p("K", Cleared))], vec![], Some((COND, &["K"]))),
                case("eia for remediation", eia(Remediation), vec![key(p("K", Cleared))], vec![], None),
                case("not key-unit land", rz("0901", Some("1001")), vec![p("N", Cleared)], vec![], None),
                case("sliver", supply(), vec![key(overlap(p("K", Cleared), 0.5))], vec![], None),
            ],
        );
    }

    /// A site on the key_supervised_units register is key-unit land whether or not a parcel carries the flag
    /// (issue 15), once the unit is on a list by the date; the reason names the unit.
    #[test]
    fn rule_key_unit_survey_from_the_register() {
        let r = "key_unit_survey_before_change_or_transfer";
        let k = || ku("91450222MA5KX00010", &[2024, 2025]);
        check_rule(
            r,
            &[
                case("unit's site, no parcel", supply(), vec![], vec![], Some((COND, &["91450222MA5KX00010"])))
                    .key_units(vec![k()]),
                case(
                    "unit's site over an unflagged parcel",
                    rz("0901", Some("1001")),
                    vec![p("N", Cleared)],
                    vec![],
                    Some((COND, &["91450222MA5KX00010"])),
                )
                .key_units(vec![k()]),
                case(
                    "flagged parcel and unit's site",
                    supply(),
                    vec![key(p("K", Cleared))],
                    vec![],
                    Some((COND, &["K", "91450222MA5KX00010"])),
                )
                .key_units(vec![k()]),
                case("eia", eia(SoilPolluting), vec![], vec![], Some((COND, &["91450222MA5KX00010"])))
                    .key_units(vec![k()]),
                case("eia for remediation", eia(Remediation), vec![], vec![], None).key_units(vec![k()]),
                case("no change of use", rz("1001", Some("1001")), vec![], vec![], None).key_units(vec![k()]),
                case(
                    "listed the same year",
                    on(supply(), "2024-01-02"),
                    vec![],
                    vec![],
                    Some((COND, &["91450222MA5KX00010"])),
                )
                .key_units(vec![k()]),
                case("before the first list", on(supply(), "2023-12-31"), vec![], vec![], None).key_units(vec![k()]),
                case("no listing year", supply(), vec![], vec![], None).key_units(vec![ku("X", &[])]),
                case("a sliver of the site", supply(), vec![], vec![], None)
                    .key_units(vec![KeyUnitFact { overlap_m2: 0.5, ..k() }]),
                // a unit that has closed or moved keeps its land's duty: the survey is for the transfer
                case("closed unit", supply(), vec![], vec![], Some((COND, &["91450222MA5KX00010"])))
                    .key_units(vec![KeyUnitFact { status: "closed".into(), ..k() }]),
            ],
        );
        let c = case("", supply(), vec![key(p("K", Cleared))], vec![], None).key_units(vec![k()]);
        let out = run(&c, &RuleSettings::default());
        let reason = out.reason(r).unwrap();
        assert_eq!(reason.features[1].collection, "key_supervised_units");
        assert!(reason.message_zh.starts_with("地块 K 为土壤污染重点监管单位生产经营用地；查询范围涉及土壤污染重点监管单位 91450222MA5KX00010 化工有限公司（91450222MA5KX00010，2024、2025 年度名录）的生产经营用地；"), "{}", reason.message_zh);
        assert!(reason.message_en.starts_with("Parcel K is land of a key supervised unit for soil pollution; the query takes land of the key supervised unit 91450222MA5KX00010 化工有限公司 (91450222MA5KX00010, on the lists of 2024, 2025); before"), "{}", reason.message_en);
        let only_unit = case("", supply(), vec![], vec![], None).key_units(vec![k()]);
        let reason = run(&only_unit, &RuleSettings::default()).reason(r).unwrap().clone();
        assert!(
            reason.message_en.starts_with("The query takes land of the key supervised unit"),
            "{}",
            reason.message_en
        );
        // what the answer looked at: the unit, or that none was there, or that it was not listed yet
        let what = |c: &Case| {
            let out = run(c, &RuleSettings::default());
            out.examined.iter().find(|e| e.what == "key_units").map(|e| e.en.clone()).unwrap()
        };
        assert!(what(&only_unit).contains("91450222MA5KX00010"));
        assert_eq!(
            what(&case("", supply(), vec![], vec![], None)),
            "No key supervised unit's site on the register overlaps the query."
        );
        let early = case("", on(supply(), "2023-06-30"), vec![], vec![], None).key_units(vec![k()]);
        assert!(what(&early).contains("not on any list by 2023-06-30"), "{}", what(&early));
    }

    #[test]
    fn rule_remediated_for_second_class_only() {
        check_rule(
            "remediated_for_second_class_only",
            &[
                case(
                    "housing",
                    rz("070101", Some("1001")),
                    vec![rem(p("D", Delisted), 2)],
                    vec![],
                    Some((COND, &["D"])),
                ),
                case(
                    "primary school",
                    rz("080403", None),
                    vec![rem(p("D", PostManagement), 2)],
                    vec![],
                    Some((COND, &["D"])),
                ),
                // Parents of first-class codes are first class (issue 11, case 2: the old answer was allowed).
                case(
                    "education, parent of schools",
                    rz("0804", None),
                    vec![rem(p("D", Delisted), 2)],
                    vec![],
                    Some((COND, &["D"])),
                ),
                case(
                    "public service, parent of schools",
                    rz("08", None),
                    vec![rem(p("D", Delisted), 2)],
                    vec![],
                    Some((COND, &["D"])),
                ),
                case(
                    "green space, parent of parks",
                    rz("14", None),
                    vec![rem(p("D", Delisted), 2)],
                    vec![],
                    Some((COND, &["D"])),
                ),
                case("culture is second class", rz("0803", None), vec![rem(p("D", Delisted), 2)], vec![], None),
                case(
                    "community park (first class, not 一住两公)",
                    rz("1401", None),
                    vec![rem(p("D", Delisted), 2)],
                    vec![],
                    Some((COND, &["D"])),
                ),
                case(
                    "supply for a hospital",
                    with_proposed(supply(), "0806"),
                    vec![rem(p("D", Delisted), 2)],
                    vec![],
                    Some((COND, &["D"])),
                ),
                case(
                    "government offices are second class",
                    rz("0801", None),
                    vec![rem(p("D", Delisted), 2)],
                    vec![],
                    None,
                ),
                case("industry", rz("1001", None), vec![rem(p("D", Delisted), 2)], vec![], None),
                case("remediated for first class", rz("070101", None), vec![rem(p("D", Delisted), 1)], vec![], None),
                case("no class recorded", rz("070101", None), vec![p("D", Delisted)], vec![], None),
                case("no proposed use", supply(), vec![rem(p("D", Delisted), 2)], vec![], None),
            ],
        );
    }

    #[test]
    fn rule_remediation_class_unrecorded() {
        let r = "remediation_class_unrecorded";
        check_rule(
            r,
            &[
                case(
                    "housing on delisted",
                    rz("070101", Some("1001")),
                    vec![p("D", Delisted)],
                    vec![],
                    Some((COND, &["D"])),
                ),
                case(
                    "kindergarten on post management",
                    rz("080404", None),
                    vec![p("D", PostManagement)],
                    vec![],
                    Some((COND, &["D"])),
                ),
                case(
                    "supply for a school",
                    with_proposed(supply(), "080403"),
                    vec![p("D", Delisted)],
                    vec![],
                    Some((COND, &["D"])),
                ),
                case("parent code 07", rz("07", None), vec![p("D", Delisted)], vec![], Some((COND, &["D"]))),
                case("class 1 recorded", rz("070101", None), vec![rem(p("D", Delisted), 1)], vec![], None),
                case(
                    "class 2 recorded: its own rule",
                    rz("070101", None),
                    vec![rem(p("D", Delisted), 2)],
                    vec![],
                    None,
                ),
                case("industry", rz("1001", None), vec![p("D", Delisted)], vec![], None),
                case("offices are second class", rz("0801", None), vec![p("D", Delisted)], vec![], None),
                case("cleared parcel: no remediation", rz("070101", None), vec![p("C", Cleared)], vec![], None),
                case("still listed: other rules", rz("070101", None), vec![p("L", Listed)], vec![], None),
                case("no proposed use", supply(), vec![p("D", Delisted)], vec![], None),
            ],
        );
        // The reason says the class is unrecorded and how to record it.
        let out = run(
            &case("", rz("070101", Some("1001")), vec![p("GL-9", Delisted)], vec![], None),
            &RuleSettings::default(),
        );
        assert_eq!(out.decision, COND);
        let reason = out.reason(r).unwrap();
        assert!(
            reason.message_zh.contains("未记录") && reason.message_zh.contains("remediated_for_class"),
            "{}",
            reason.message_zh
        );
        assert!(
            reason.message_en.contains("not recorded") && reason.message_en.contains("delisting step"),
            "{}",
            reason.message_en
        );
        let survey = out.reason("survey_before_housing_public_change").unwrap();
        assert!(survey.message_zh.contains("GL-9（移出名录，修复用地类别未记录）"), "{}", survey.message_zh);
    }

    #[test]
    fn rule_suspected_land_survey_first() {
        let r = "suspected_land_survey_first";
        let mut cases = Vec::new();
        for state in ParcelState::ALL {
            let unfinished = matches!(state, Suspected | Surveying | RiskAssessment);
            let expect: Option<(Decision, &'static [&'static str])> =
                if unfinished { Some((COND, &["S"])) } else { None };
            cases.push(case("rezoning to commerce", rz("0901", Some("1001")), vec![p("S", state)], vec![], expect));
            cases.push(case("rezoning to industry", rz("1001", Some("0901")), vec![p("S", state)], vec![], expect));
            cases.push(case("ordinary eia", eia(Other), vec![p("S", state)], vec![], expect));
            cases.push(case("supply", supply(), vec![p("S", state)], vec![], expect));
        }
        cases.push(case("remediation eia", eia(Remediation), vec![p("S", Suspected)], vec![], None));
        cases.push(case("sliver", rz("0901", None), vec![overlap(p("S", Suspected), 0.5)], vec![], None));
        cases.push(case(
            "in Liuzhou too: national law",
            supply(),
            vec![p("S", RiskAssessment).at(LIUZHOU_COUNTY)],
            vec![],
            Some((COND, &["S"])),
        ));
        check_rule(r, &cases);
        // Before the Law was in force it does not apply.
        let old = case("", on(rz("0901", None), "2018-12-31"), vec![p("S", Suspected)], vec![], None);
        assert!(run(&old, &RuleSettings::default()).reason(r).is_none());
    }

    #[test]
    fn survey_from_0809_0810_is_never_exempt() {
        let gbt = |current: &str, proposed: &str| CheckRequest {
            kind: CheckKind::Rezoning,
            proposed_use: Some(LandUse::parse(CodeSystem::Gbt21010, proposed).unwrap()),
            current_use: Some(LandUse::parse(CodeSystem::Gbt21010, current).unwrap()),
            project_kind: None,
            supply: None,
            as_of: AS_OF,
        };
        // (current, proposed, survey needed): issue 11, case 5 — the old answer exempted 0809/0810.
        let table = [
            ("0809", "0701", true),
            ("0810", "0701", true),
            ("0809", "0803", true),
            ("0801", "0701", false),
            ("0701", "0803", false),
            ("0601", "0701", true),
        ];
        for policy in [true, false] {
            let s = RuleSettings {
                land_use: LandUsePolicy { gbt21010_0809_0810_public: policy },
                ..RuleSettings::default()
            };
            for (current, proposed, survey) in table {
                let facts = SpatialFacts { query_area_m2: QUERY, ..SpatialFacts::default() };
                let out = evaluate(&gbt(current, proposed), &facts, &s);
                assert_eq!(
                    out.reason("survey_before_housing_public_change").is_some(),
                    survey,
                    "{current} -> {proposed}, setting {policy}"
                );
            }
        }
    }

    #[test]
    fn coverage_is_the_union_of_cleared_parcels() {
        let s = RuleSettings::default();
        let req = rz("070101", Some("1001"));
        let facts = |a: f64, b: f64, shared: f64| SpatialFacts {
            query_area_m2: QUERY,
            parcels: vec![overlap(p("A", Cleared), a), overlap(rem(p("B", Delisted), 1), b)],
            farmland: vec![],
            parcel_overlaps: if shared > 0.0 {
                vec![SharedArea { a: "A".into(), b: "B".into(), m2: shared }]
            } else {
                vec![]
            },
            located_in: vec![],
            ..SpatialFacts::default()
        };
        // (A's overlap, B's overlap, ground they share, survey needed): issue 11, case 3.
        let table = [
            (5000.0, 5000.0, 0.0, false),       // side by side: covered
            (10000.0, 10000.0, 10000.0, false), // the same ground twice, covering it all
            (5000.0, 5000.0, 5000.0, true),     // the same half twice: the other half was never surveyed
            (6000.0, 6000.0, 2000.0, false),    // 6000 + 6000 - 2000 = 10000
            (6000.0, 6000.0, 2500.0, true),     // 9500: 500 m² uncovered
        ];
        for (a, b, shared, survey) in table {
            let out = evaluate(&req, &facts(a, b, shared), &s);
            assert_eq!(out.reason("survey_before_housing_public_change").is_some(), survey, "{a} + {b} - {shared}");
        }
        // Ground shared with a parcel that does not clear takes nothing off.
        let mut f = facts(5000.0, 5000.0, 0.0);
        f.parcels.push(overlap(p("S", Suspected), 3000.0));
        f.parcel_overlaps.push(SharedArea { a: "A".into(), b: "S".into(), m2: 3000.0 });
        assert!(evaluate(&req, &f, &s).reason("survey_before_housing_public_change").is_none());
        let out = evaluate(&req, &facts(5000.0, 5000.0, 5000.0), &s);
        assert!(out.reason("survey_before_housing_public_change").unwrap().message_en.contains("About 5000.0 m²"));
    }
}
