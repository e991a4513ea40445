//! Land-supply rules (出让、划拨).

use super::*;

/// Guilin 2023 plan §2(4): no transfer or allocation of land whose survey → assessment → control or
/// remediation → effect-evaluation chain is not complete.
pub(super) fn incomplete_risk_management_no_land_supply(c: &Ctx<'_>) -> Option<Finding> {
    if c.req.kind != CheckKind::LandSupply {
        return None;
    }
    let hits = nonempty(c.parcels_where(|p| !p.state.risk_management_complete()))?;
    let (supply_zh, supply_en) = match c.req.supply {
        Some(SupplyKind::Transfer) => ("出让", "transfer"),
        Some(SupplyKind::Allocation) => ("划拨", "allocation"),
        None => ("出让、划拨", "transfer or allocation"),
    };
    Some(Finding {
        decision: Decision::Denied,
        zh: format!(
            "地块 {}尚未完成土壤污染状况调查、风险评估、风险管控或修复、效果评估等环节，未落实土壤污染风险管控和修复相关措施，不予办理{supply_zh}手续。",
            zh_ids_with_state(&hits)
        ),
        en: format!(
            "The chain of survey, risk assessment, risk control or remediation and effect evaluation is not complete for {}; the land may not be supplied by {supply_en} until it is.",
            en_ids_with_state(&hits)
        ),
        features: c.parcel_refs(&hits),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::*;

    #[test]
    fn rule_incomplete_risk_management_no_land_supply() {
        let r = "incomplete_risk_management_no_land_supply";
        let mut cases = Vec::new();
        for state in ParcelState::ALL {
            let expect: Option<(Decision, &'static [&'static str])> =
                if state.risk_management_complete() { None } else { Some((DENIED, &["P"])) };
            cases.push(case("each state", supply(), vec![p("P", state)], vec![], expect));
        }
        cases.push(case("rezoning is not supply", rz("0901", None), vec![p("P", Suspected)], vec![], None));
        cases.push(case("eia is not supply", eia(Other), vec![p("P", Suspected)], vec![], None));
        cases.push(case("sliver", supply(), vec![overlap(p("P", Suspected), 9.0)], vec![], None));
        cases.push(case("no parcels: not registry land", supply(), vec![], vec![], None));
        // The Guilin plan binds Guilin only, from its issue (issue 11, case 4: a Liuzhou answer cited it).
        cases.push(case("Liuzhou land", supply(), vec![p("P", Suspected).at("450205")], vec![], None));
        cases.push(case("before the plan", on(supply(), "2023-05-13"), vec![p("P", Suspected)], vec![], None));
        cases.push(case(
            "on the day it was issued",
            on(supply(), "2023-05-14"),
            vec![p("P", Suspected)],
            vec![],
            Some((DENIED, &["P"])),
        ));
        cases.push(case(
            "a query across both cities names the Guilin parcel only",
            supply(),
            vec![overlap(p("G", Listed), 5000.0), overlap(p("L", Listed).at("450205"), 5000.0)],
            vec![],
            Some((DENIED, &["G"])),
        ));
        cases.push(case(
            "supply for remediation has no exemption in the plan",
            CheckRequest { project_kind: Some(Remediation), ..supply() },
            vec![p("P", Listed)],
            vec![],
            Some((DENIED, &["P"])),
        ));
        assert_eq!(check_rule(r, &cases), 19);
        let out = run(&case("", supply(), vec![p("P", Listed)], vec![], None), &RuleSettings::default());
        let reason = out.reason(r).unwrap();
        assert_eq!(reason.jurisdiction, [GUILIN]);
        assert_eq!(out.jurisdictions, [NATIONAL, GUILIN]);

        let alloc = CheckRequest { supply: Some(SupplyKind::Allocation), ..supply() };
        let out = run(&case("", alloc, vec![p("P", Surveying)], vec![], None), &RuleSettings::default());
        let reason = out.reason(r).unwrap();
        assert!(reason.message_zh.contains("不予办理划拨手续"), "{}", reason.message_zh);
        assert!(reason.message_zh.contains("P（土壤污染状况调查中）"), "{}", reason.message_zh);
        assert!(reason.message_en.contains("by allocation"), "{}", reason.message_en);
    }
}
