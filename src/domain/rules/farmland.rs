//! Farmland rules: construction on classified farmland.

use super::*;

/// Art. 50 and Liuzhou 2025 task 5: priority-protection farmland is to become permanent basic farmland,
/// so non-agricultural construction on it is strictly controlled. A rezoning that gives no proposed use
/// is treated as non-agricultural: a rezoning of farmland is asked about because it leaves farming.
pub(super) fn priority_protection_farmland_occupation(c: &Ctx<'_>) -> Option<Finding> {
    if !construction(c) {
        return None;
    }
    let hits = nonempty(c.priority_farmland())?;
    let area: f64 = hits.iter().map(|f| f.overlap_m2).sum();
    Some(Finding {
        decision: Decision::Conditional,
        zh: format!(
            "拟建设范围占用优先保护类耕地（单元 {}，共 {:.1} 平方米，约 {:.2} 亩）；应严格控制非农业建设占用，确需占用的，须依法按占用永久基本农田办理审批。",
            zh_ids(&hits),
            area,
            area / crate::domain::geometry::M2_PER_MU
        ),
        en: format!(
            "The area takes {:.1} m² (about {:.2} mu) of priority-protection farmland ({}); non-agricultural construction there is strictly controlled and, if unavoidable, needs approval as an occupation of permanent basic farmland.",
            area,
            area / crate::domain::geometry::M2_PER_MU,
            en_ids(&hits, "unit", "units")
        ),
        features: c.farmland_refs(&hits, false),
    })
}

/// Art. 50 ¶2: no new potentially soil-polluting project in a concentrated area of permanent basic
/// farmland; heavy-metal projects are such projects.
pub(super) fn no_polluting_project_in_basic_farmland_area(c: &Ctx<'_>) -> Option<Finding> {
    if c.req.kind != CheckKind::EiaSite
        || !matches!(c.req.project_kind, Some(ProjectKind::SoilPolluting | ProjectKind::HeavyMetal))
    {
        return None;
    }
    let hits = nonempty(c.priority_farmland())?;
    Some(Finding {
        decision: Decision::Denied,
        zh: format!(
            "{}选址占用优先保护类耕地（单元 {}）；优先保护类耕地应划为永久基本农田，在永久基本农田集中区域不得新建可能造成土壤污染的建设项目，环境影响评价文件不予批准。",
            c.project_zh(),
            zh_ids(&hits)
        ),
        en: format!(
            "The site of {} takes priority-protection farmland ({}), which is to be designated permanent basic farmland, where no new potentially soil-polluting project may be built; the environmental impact assessment is not to be approved.",
            c.project_en(),
            en_ids(&hits, "unit", "units")
        ),
        features: c.farmland_refs(&hits, false),
    })
}

/// Art. 59: safe-use and strict-control farmland is land that monitoring has shown to be polluted (soil
/// above the GB 15618 screening or intervention values, or crops above the food limits). Building on it,
/// or making it housing or public-service land, starts from a soil pollution status survey of that land
/// under the construction-land standard; the reason names the known pollution so the survey can aim at it.
pub(super) fn polluted_farmland_survey_before_construction(c: &Ctx<'_>) -> Option<Finding> {
    if !construction(c) {
        return None;
    }
    let mut hits = c.farmland_of(FarmlandClass::StrictControl);
    hits.extend(c.farmland_of(FarmlandClass::SafeUse));
    let hits = nonempty(hits)?;
    let zh_units = hits
        .iter()
        .map(|f| format!("{}（{}，{}）", f.unit_code, f.class.name_zh(), pollution_zh(f.class)))
        .collect::<Vec<_>>()
        .join("、");
    let en_units = hits
        .iter()
        .map(|f| format!("{} ({}: {})", f.unit_code, f.class.as_str(), pollution_en(f.class)))
        .collect::<Vec<_>>()
        .join(", ");
    let housing = c.proposed_housing_public();
    let (then_zh, then_en) = match housing {
        Some(u) => (
            format!("拟用途 {}属于“一住两公”用地，用途变更前应当按照规定进行土壤污染状况调查，必要时开展风险评估。", use_label(u)),
            format!("the proposed use {} is residential or public service land, so a soil pollution status survey (and a risk assessment where needed) is required before the change.", use_label_en(u)),
        ),
        None => (
            "转为建设用地前，应当按照规定进行土壤污染状况调查，必要时开展风险评估。".to_string(),
            "a soil pollution status survey (and a risk assessment where needed) is required before it becomes construction land.".to_string(),
        ),
    };
    Some(Finding {
        decision: Decision::Conditional,
        zh: format!("拟建设范围占用已查明受污染的耕地：{zh_units}；{then_zh}"),
        en: format!("The area takes farmland known to be polluted: {en_units}; {then_en}"),
        features: c.farmland_refs(&hits, false),
    })
}

/// Non-agricultural construction on the query area: an EIA for any project but remediation, a rezoning to
/// a non-agricultural use (or none given: a rezoning of farmland is asked about because it leaves
/// farming), any land supply.
fn construction(c: &Ctx<'_>) -> bool {
    match c.req.kind {
        CheckKind::EiaSite => !c.is_remediation(),
        CheckKind::Rezoning => c.req.proposed_use.as_ref().is_none_or(|u| !u.is_agricultural()),
        CheckKind::LandSupply => true,
    }
}

fn pollution_zh(class: FarmlandClass) -> &'static str {
    match class {
        FarmlandClass::StrictControl => "土壤污染物含量超过农用地土壤污染风险管制值或农产品严重超标",
        FarmlandClass::SafeUse => "土壤污染物含量超过农用地土壤污染风险筛选值或农产品超标",
        FarmlandClass::PriorityProtection => "未污染或轻微",
    }
}

fn pollution_en(class: FarmlandClass) -> &'static str {
    match class {
        FarmlandClass::StrictControl => {
            "soil above the GB 15618 intervention values, or crops far above the food limits"
        }
        FarmlandClass::SafeUse => "soil above the GB 15618 screening values, or crops above the food limits",
        FarmlandClass::PriorityProtection => "unpolluted or slight",
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::*;

    #[test]
    fn rule_priority_protection_farmland_occupation() {
        check_rule(
            "priority_protection_farmland_occupation",
            &[
                case(
                    "eia",
                    eia(Other),
                    vec![],
                    vec![farm("F1", PriorityProtection, 3000.0, 0.0)],
                    Some((COND, &["F1"])),
                ),
                case(
                    "eia heavy metal",
                    eia(HeavyMetal),
                    vec![],
                    vec![farm("F1", PriorityProtection, 3000.0, 0.0)],
                    Some((COND, &["F1"])),
                ),
                case(
                    "rezoning to industry",
                    rz("1001", Some("0101")),
                    vec![],
                    vec![farm("F1", PriorityProtection, 3000.0, 0.0)],
                    Some((COND, &["F1"])),
                ),
                case(
                    "land supply",
                    supply(),
                    vec![],
                    vec![farm("F1", PriorityProtection, 3000.0, 0.0)],
                    Some((COND, &["F1"])),
                ),
                case(
                    "only priority units overlapping",
                    supply(),
                    vec![],
                    vec![
                        farm("F1", PriorityProtection, 3000.0, 0.0),
                        farm("F2", SafeUse, 3000.0, 0.0),
                        farm("F3", PriorityProtection, 0.0, 300.0),
                    ],
                    Some((COND, &["F1"])),
                ),
                case(
                    "remediation project",
                    eia(Remediation),
                    vec![],
                    vec![farm("F1", PriorityProtection, 3000.0, 0.0)],
                    None,
                ),
                case(
                    "rezoning to dry land",
                    rz("0103", Some("0101")),
                    vec![],
                    vec![farm("F1", PriorityProtection, 3000.0, 0.0)],
                    None,
                ),
                case(
                    "rezoning to orchard",
                    rz("0201", Some("0101")),
                    vec![],
                    vec![farm("F1", PriorityProtection, 3000.0, 0.0)],
                    None,
                ),
                case("safe-use farmland", eia(Other), vec![], vec![farm("F1", SafeUse, 3000.0, 0.0)], None),
                case("strict-control farmland", eia(Other), vec![], vec![farm("F1", StrictControl, 3000.0, 0.0)], None),
                case("only near", eia(Other), vec![], vec![farm("F1", PriorityProtection, 0.0, 200.0)], None),
                case("sliver", eia(Other), vec![], vec![farm("F1", PriorityProtection, 0.5, 0.0)], None),
            ],
        );
        // The Liuzhou task list is cited beside Art. 50 in Liuzhou only.
        let basis = |county: &str, day: &str| {
            let c = case(
                "",
                on(eia(Other), day),
                vec![],
                vec![farm("F1", PriorityProtection, 3000.0, 0.0).at(county)],
                None,
            );
            run(&c, &RuleSettings::default()).reason("priority_protection_farmland_occupation").unwrap().basis.clone()
        };
        let law = "《中华人民共和国土壤污染防治法》第五十条";
        assert_eq!(
            basis("450222", "2025-06-30"),
            format!("{law}；《柳州市2025年度土壤污染防治重点工作任务清单》第5项")
        );
        assert_eq!(basis("450222", "2024-06-30"), law);
        assert_eq!(basis("450302", "2025-06-30"), law);
    }

    #[test]
    fn rule_no_polluting_project_in_basic_farmland_area() {
        check_rule(
            "no_polluting_project_in_basic_farmland_area",
            &[
                case(
                    "soil polluting",
                    eia(SoilPolluting),
                    vec![],
                    vec![farm("F1", PriorityProtection, 3000.0, 0.0)],
                    Some((DENIED, &["F1"])),
                ),
                case(
                    "heavy metal",
                    eia(HeavyMetal),
                    vec![],
                    vec![farm("F1", PriorityProtection, 50.0, 0.0)],
                    Some((DENIED, &["F1"])),
                ),
                case("other project", eia(Other), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], None),
                case("remediation", eia(Remediation), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], None),
                case(
                    "strict-control farmland",
                    eia(SoilPolluting),
                    vec![],
                    vec![farm("F1", StrictControl, 3000.0, 0.0)],
                    None,
                ),
                case(
                    "near, not on",
                    eia(SoilPolluting),
                    vec![],
                    vec![farm("F1", PriorityProtection, 0.0, 100.0)],
                    None,
                ),
                case("rezoning", rz("1001", None), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], None),
                case("supply", supply(), vec![], vec![farm("F1", PriorityProtection, 3000.0, 0.0)], None),
            ],
        );
    }

    #[test]
    fn rule_polluted_farmland_survey_before_construction() {
        let r = "polluted_farmland_survey_before_construction";
        check_rule(
            r,
            &[
                case(
                    "eia on safe use",
                    eia(Other),
                    vec![],
                    vec![farm("F1", SafeUse, 3000.0, 0.0)],
                    Some((COND, &["F1"])),
                ),
                case(
                    "housing on strict control",
                    rz("070101", Some("0101")),
                    vec![],
                    vec![farm("F1", StrictControl, 3000.0, 0.0)],
                    Some((COND, &["F1"])),
                ),
                case(
                    "industry on safe use",
                    rz("1001", Some("0101")),
                    vec![],
                    vec![farm("F1", SafeUse, 3000.0, 0.0)],
                    Some((COND, &["F1"])),
                ),
                case(
                    "supply",
                    supply(),
                    vec![],
                    vec![farm("F1", SafeUse, 3000.0, 0.0), farm("F2", StrictControl, 1000.0, 0.0)],
                    Some((COND, &["F1", "F2"])),
                ),
                case(
                    "priority protection is not polluted",
                    eia(Other),
                    vec![],
                    vec![farm("F1", PriorityProtection, 3000.0, 0.0)],
                    None,
                ),
                case(
                    "staying farmland",
                    rz("0201", Some("0101")),
                    vec![],
                    vec![farm("F1", StrictControl, 3000.0, 0.0)],
                    None,
                ),
                case(
                    "remediation project",
                    eia(Remediation),
                    vec![],
                    vec![farm("F1", StrictControl, 3000.0, 0.0)],
                    None,
                ),
                case("only near", eia(HeavyMetal), vec![], vec![farm("F1", StrictControl, 0.0, 100.0)], None),
                case("sliver", eia(Other), vec![], vec![farm("F1", SafeUse, 0.5, 0.0)], None),
                case(
                    "Guilin farmland: national law",
                    eia(Other),
                    vec![],
                    vec![farm("F1", SafeUse, 3000.0, 0.0).at("450302")],
                    Some((COND, &["F1"])),
                ),
            ],
        );
        // The known pollution is named, and a 一住两公 use is said to be one.
        let c = case("", rz("080403", Some("0101")), vec![], vec![farm("X", StrictControl, 3000.0, 0.0)], None);
        let reason = run(&c, &RuleSettings::default()).reason(r).cloned().unwrap();
        assert!(
            reason.message_zh.contains("X（严格管控类，土壤污染物含量超过农用地土壤污染风险管制值"),
            "{}",
            reason.message_zh
        );
        assert!(reason.message_zh.contains("“一住两公”"), "{}", reason.message_zh);
        assert!(
            reason.message_en.contains("X (strict_control: soil above the GB 15618 intervention values"),
            "{}",
            reason.message_en
        );
    }
}
