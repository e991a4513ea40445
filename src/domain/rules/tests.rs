//! Tests of the engine as a whole: precedence, slivers, serialisation, names, the table.

use super::testkit::*;

#[test]
fn precedence_denied_beats_conditional_beats_allowed() {
    let s = RuleSettings::default();
    // Listed (denied under Art. 61) and key-unit land (conditional) at once.
    let both = case("", rz("070101", Some("1001")), vec![key(p("A", Listed))], vec![], None);
    let out = run(&both, &s);
    assert_eq!(out.decision, Decision::Denied);
    let rules: Vec<(&str, Decision)> = out.reasons.iter().map(|r| (r.rule, r.decision)).collect();
    assert_eq!(
        rules,
        [
            ("rcr_listed_no_housing_public", DENIED),
            ("key_unit_survey_before_change_or_transfer", COND),
            ("survey_before_housing_public_change", COND),
        ]
    );
    // Only conditional reasons.
    let cond = case("", rz("0901", Some("1001")), vec![key(p("K", Cleared))], vec![], None);
    assert_eq!(run(&cond, &s).decision, Decision::Conditional);
    // Nothing fires.
    let none = case("", rz("0901", Some("1001")), vec![p("C", Cleared)], vec![], None);
    let out = run(&none, &s);
    assert_eq!(out.decision, Decision::Allowed);
    assert!(out.reasons.is_empty());
    // Several denials of an EIA: sorted by rule id within the same decision.
    let eia_case =
        case("", eia(HeavyMetal), vec![p("L", Listed)], vec![farm("F", PriorityProtection, 2000.0, 0.0)], None);
    let out = run(&eia_case, &s);
    assert_eq!(out.decision, Decision::Denied);
    for w in out.reasons.windows(2) {
        assert!(
            w[0].decision > w[1].decision || (w[0].decision == w[1].decision && w[0].rule < w[1].rule),
            "{} before {}",
            w[0].rule,
            w[1].rule
        );
    }
    let rules: Vec<&str> = out.reasons.iter().map(|r| r.rule).collect();
    assert_eq!(
        rules,
        [
            "eia_site_on_rcr_parcel",
            "no_polluting_project_in_basic_farmland_area",
            "rcr_targets_unmet_no_unrelated_project",
            "heavy_metal_emission_equal_replacement",
            "heavy_metal_project_near_farmland",
            "priority_protection_farmland_occupation",
        ]
    );
    assert!(Decision::Denied > Decision::Conditional && Decision::Conditional > Decision::Allowed);
}

#[test]
fn slivers_are_ignored_and_thin_overlaps_count() {
    let s = RuleSettings::default();
    // (overlap, query area, feature area, sliver?)
    let table: &[(f64, f64, f64, bool)] = &[
        (0.5, 10_000.0, 10_000.0, true),     // below 1 m²
        (0.99, 100.0, 100.0, true),          // below 1 m² although 1 % of the query
        (5.0, 10_000.0, 10_000.0, true),     // 0.05 % of both
        (9.99, 10_000.0, 1_000_000.0, true), // 0.0999 % of the smaller (the query)
        (10.0, 10_000.0, 10_000.0, false),   // exactly 0.1 %
        (15.0, 10_000.0, 10_000.0, false),   // 0.15 %
        (2.0, 100.0, 1_000_000.0, false),    // a thin strip of a huge parcel against a small query
        (2.0, 1_000_000.0, 1_500.0, false),  // a small parcel inside a huge query
        (1.0, 1_000_000.0, 500.0, false),    // 0.2 % of the small parcel
        (0.9, 1_000_000.0, 500.0, true),
        (f64::NAN, 10_000.0, 10_000.0, false), // unknowable: never silently ignored
    ];
    for (o, q, f, sliver) in table {
        assert_eq!(is_sliver(*o, *q, *f, &s), *sliver, "overlap {o} of query {q} and feature {f}");
    }
    let housing = |parcel: ParcelFact, query: f64| {
        let facts = SpatialFacts {
            query_area_m2: query,
            parcels: vec![parcel],
            farmland: vec![],
            parcel_overlaps: vec![],
            key_units: vec![],
            sources: vec![],
            located_in: vec![],
        };
        evaluate(&rz("070101", Some("0701")), &facts, &s).decision
    };
    assert_eq!(housing(overlap(p("A", Listed), 0.5), QUERY), Decision::Allowed, "0.5 m²");
    assert_eq!(housing(overlap(p("A", Listed), 5.0), QUERY), Decision::Allowed, "0.05 %");
    assert_eq!(housing(overlap(p("A", Listed), 15.0), QUERY), Decision::Denied, "0.15 %");
    let huge = ParcelFact { area_m2: 1_000_000.0, ..overlap(p("A", Listed), 2.0) };
    assert_eq!(housing(huge, 100.0), Decision::Denied, "thin strip of a large parcel");
    // Settings move the line.
    let loose = RuleSettings { sliver_min_m2: 20.0, ..s };
    assert!(is_sliver(15.0, QUERY, QUERY, &loose));
    let strict = RuleSettings { sliver_min_m2: 0.0, sliver_min_ratio: 0.0, ..s };
    assert!(!is_sliver(0.01, QUERY, QUERY, &strict));
}

#[test]
fn zero_sliver_settings_do_not_turn_nearby_farmland_into_occupation() {
    let s = RuleSettings { sliver_min_m2: 0.0, sliver_min_ratio: 0.0, ..RuleSettings::default() };
    let facts = SpatialFacts {
        query_area_m2: QUERY,
        parcels: vec![],
        farmland: vec![farm("F", PriorityProtection, 0.0, 50.0)],
        parcel_overlaps: vec![],
        key_units: vec![],
        sources: vec![],
        located_in: vec![],
    };
    assert_eq!(evaluate(&eia(SoilPolluting), &facts, &s).decision, Decision::Allowed);
}

#[test]
fn gbt21010_0809_0810_setting_changes_the_answer() {
    let parks = |public: bool| {
        let s =
            RuleSettings { land_use: LandUsePolicy { gbt21010_0809_0810_public: public }, ..RuleSettings::default() };
        let req = CheckRequest {
            kind: CheckKind::Rezoning,
            proposed_use: Some(LandUse::parse(CodeSystem::Gbt21010, "0809").unwrap()),
            current_use: Some(LandUse::parse(CodeSystem::Gbt21010, "0601").unwrap()),
            project_kind: None,
            supply: None,
            as_of: AS_OF,
        };
        let facts = SpatialFacts {
            query_area_m2: QUERY,
            parcels: vec![p("A", Listed)],
            farmland: vec![],
            parcel_overlaps: vec![],
            key_units: vec![],
            sources: vec![],
            located_in: vec![],
        };
        evaluate(&req, &facts, &s)
    };
    let on = parks(true);
    assert_eq!(on.decision, Decision::Denied);
    assert!(on.reason("rcr_listed_no_housing_public").is_some());
    assert!(on.reason("survey_before_housing_public_change").is_some());
    assert!(on.reason("rcr_targets_unmet_no_unrelated_project").is_none());
    let off = parks(false);
    assert_eq!(off.decision, Decision::Conditional);
    assert!(off.reason("rcr_listed_no_housing_public").is_none());
    assert!(off.reason("survey_before_housing_public_change").is_none());
    assert_eq!(off.reason("rcr_targets_unmet_no_unrelated_project").map(|r| r.decision), Some(COND));
}

#[test]
fn remediation_project_on_a_listed_site_is_not_denied() {
    for state in [Listed, UnderControl, UnderRemediation, EffectEvaluation] {
        let facts = SpatialFacts {
            query_area_m2: QUERY,
            parcels: vec![p("A", state)],
            farmland: vec![],
            parcel_overlaps: vec![],
            key_units: vec![],
            sources: vec![],
            located_in: vec![],
        };
        let out = evaluate(&eia(Remediation), &facts, &RuleSettings::default());
        assert_eq!(out.decision, Decision::Allowed, "{state}: {out:?}");
        let other = evaluate(&eia(Other), &facts, &RuleSettings::default());
        assert_eq!(other.decision, Decision::Denied, "{state}");
    }
}

#[test]
fn feature_refs_are_rounded_and_serialise_as_the_contract_says() {
    let facts = SpatialFacts {
        query_area_m2: 2940.1,
        parcels: vec![ParcelFact { area_m2: 5000.0, overlap_m2: 1234.5678, ..p("LZ-0001", Listed) }],
        farmland: vec![],
        parcel_overlaps: vec![],
        key_units: vec![],
        sources: vec![],
        located_in: vec![],
    };
    let out = evaluate(&rz("070101", Some("1001")), &facts, &RuleSettings::default());
    let json = serde_json::to_value(&out).unwrap();
    assert_eq!(json["decision"], "denied");
    let first = &json["reasons"][0];
    assert_eq!(first["rule"], "rcr_listed_no_housing_public");
    assert_eq!(first["decision"], "denied");
    assert_eq!(first["basis"], "《中华人民共和国土壤污染防治法》第六十一条第二款");
    assert_eq!(
        first["features"][0],
        serde_json::json!({"collection": "construction_parcels", "id": "LZ-0001", "overlap_m2": 1234.6, "overlap_ratio": 0.4199})
    );
    assert_eq!(
        first["message_zh"],
        "地块 LZ-0001 已列入建设用地土壤污染风险管控和修复名录，不得作为住宅、公共管理与公共服务用地；拟用途 070101（一类城镇住宅用地）属于“一住两公”用地，不予准许。"
    );
    assert!(first["message_en"].as_str().unwrap().starts_with("Parcel LZ-0001 is on the risk-control"));
}

#[test]
fn names_parse_and_print() {
    for k in CheckKind::ALL {
        assert_eq!(k.as_str().parse::<CheckKind>().unwrap(), k);
        let snake = serde_json::to_value(k).unwrap();
        assert_eq!(snake.as_str().unwrap().parse::<CheckKind>().unwrap(), k);
    }
    assert_eq!(serde_json::to_value(CheckKind::EiaSite).unwrap(), "eia_site");
    assert_eq!(CheckKind::LandSupply.to_string(), "land-supply");
    for k in ProjectKind::ALL {
        assert_eq!(k.as_str().parse::<ProjectKind>().unwrap(), k);
        assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
    }
    assert_eq!("heavy-metal".parse::<ProjectKind>().unwrap(), HeavyMetal);
    assert!("mining".parse::<ProjectKind>().unwrap_err().to_string().contains("soil_polluting"));
    assert_eq!("划拨".parse::<SupplyKind>().unwrap(), SupplyKind::Allocation);
    assert_eq!(" Transfer ".parse::<SupplyKind>().unwrap(), SupplyKind::Transfer);
    assert!("lease".parse::<SupplyKind>().is_err());
    assert!("zoning".parse::<CheckKind>().is_err());
    assert_eq!(serde_json::to_value(Decision::Conditional).unwrap(), "conditional");
    let d: Decision = serde_json::from_value(serde_json::json!("denied")).unwrap();
    assert_eq!(d, Decision::Denied);
}

#[test]
fn an_allowed_answer_says_what_it_examined() {
    let s = RuleSettings::default();
    let what = |out: &Outcome| out.examined.iter().map(|e| e.what).collect::<Vec<_>>();
    // Land the registry knows nothing about, to industry.
    let out =
        evaluate(&rz("1001", Some("0901")), &SpatialFacts { query_area_m2: QUERY, ..SpatialFacts::default() }, &s);
    assert_eq!(out.decision, Decision::Allowed);
    assert!(out.reasons.is_empty());
    assert_eq!(what(&out), ["location", "rules", "parcels", "farmland", "key_units"]);
    assert!(out.examined[0].en.contains("does not tell which county"), "{:?}", out.examined[0]);
    assert_eq!(out.examined[1].zh, "适用 2025-06-30 有效的规则 11 条（全国）。");
    assert_eq!(out.examined[1].en, "11 rules in force on 2025-06-30 were applied (national).");
    assert_eq!(out.examined[2].en, "No registered construction parcel overlaps the query.");
    assert_eq!(out.examined[3].zh, "查询范围未与任何耕地类别单元相交。");
    assert_eq!((out.jurisdictions.as_slice(), out.counties.len()), ([NATIONAL].as_slice(), 0));
    // A heavy-metal plant in Nanning (no city plan here) on a cleared parcel, a sliver of a listed one, and
    // safe-use farmland 600 m away: each is named.
    let facts = SpatialFacts {
        query_area_m2: QUERY,
        parcels: vec![p("C", Cleared).at("450102"), overlap(p("L", Listed).at("450102"), 0.5)],
        farmland: vec![farm("F", SafeUse, 0.0, 600.0).at("450102")],
        parcel_overlaps: vec![],
        key_units: vec![],
        sources: vec![],
        located_in: vec![],
    };
    let out = evaluate(&eia(HeavyMetal), &facts, &s);
    assert_eq!(out.decision, Decision::Allowed, "{out:?}");
    assert_eq!(
        what(&out),
        ["location", "rules", "parcels", "farmland", "key_units", "farmland_nearby", "sources_nearby", "slivers"]
    );
    assert_eq!(out.counties, ["450102"]);
    assert_eq!(out.jurisdictions, [NATIONAL]);
    let zero = out.eia_summary.as_ref().unwrap().by_class[0].area_m2;
    assert!(zero == 0.0 && zero.is_sign_positive(), "no -0.0 in answers: {zero}");
    assert!(out.examined[2].zh.contains("C（调查/评估无风险）"), "{:?}", out.examined[2]);
    assert_eq!(out.examined[4].en, "No key supervised unit's site on the register overlaps the query.");
    assert!(out.examined[5].en.starts_with("1 farmland unit lies within 1000 m"), "{:?}", out.examined[5]);
    assert!(out.examined[6].en.starts_with("No heavy-metal pollution source"), "{:?}", out.examined[6]);
    assert!(out.examined[7].en.starts_with("1 sliver overlap"), "{:?}", out.examined[7]);
}

#[test]
fn each_city_is_judged_by_its_own_plan() {
    let s = RuleSettings::default();
    let jur = |out: &Outcome| out.jurisdictions.iter().map(|j| j.code).collect::<Vec<_>>();
    // Where the query lies decides, from the features it overlaps.
    let both = SpatialFacts {
        query_area_m2: QUERY,
        parcels: vec![overlap(p("G", Cleared), 5000.0), overlap(p("L", Cleared).at("450205"), 5000.0)],
        ..SpatialFacts::default()
    };
    assert_eq!(jur(&evaluate(&supply(), &both, &s)), ["CN", "4502", "4503"]);
    assert_eq!(evaluate(&supply(), &both, &s).counties, ["450205", "450302"]);
    // A city's rules hold from their date only.
    assert_eq!(jur(&evaluate(&on(supply(), "2024-06-30"), &both, &s)), ["CN", "4503"]);
    assert_eq!(jur(&evaluate(&on(supply(), "2023-01-01"), &both, &s)), ["CN"]);
    // A county of neither city: national rules only.
    let nanning =
        SpatialFacts { query_area_m2: QUERY, parcels: vec![p("N", Suspected).at("450102")], ..SpatialFacts::default() };
    let out = evaluate(&supply(), &nanning, &s);
    assert_eq!(jur(&out), ["CN"]);
    assert_eq!(out.decision, Decision::Conditional, "national Art. 59 ¶1, not the Guilin plan: {out:?}");
    for r in &out.reasons {
        assert_eq!(r.jurisdiction, [NATIONAL], "{}", r.rule);
        assert!(!r.basis.contains("桂林") && !r.basis.contains("柳州"), "{}: {}", r.rule, r.basis);
    }
    // Where the county outlines say where the query lies, they decide, not the features it touches: a
    // Guilin parcel digitised across the city line does not bring Guilin's plan into Liuzhou.
    let outlined = SpatialFacts { located_in: vec!["450205".into()], ..both.clone() };
    assert_eq!(jur(&evaluate(&supply(), &outlined, &s)), ["CN", "4502"]);
    assert_eq!(evaluate(&supply(), &outlined, &s).counties, ["450205"]);
}

/// Every rule's id, jurisdiction, first day and basis, and the city clauses it may cite, written out here
/// rather than read from the table: a wrong article in code and table together still fails.
/// (city prefix, first day, basis) of a city clause.
type CityClause = (&'static str, &'static str, &'static str);
/// (id, jurisdiction, first day, basis, city clauses).
type Expected = (&'static str, &'static str, &'static str, &'static str, &'static [CityClause]);

const EXPECTED: &[Expected] = &[
    ("rcr_listed_no_housing_public", "CN", "2019-01-01", "《中华人民共和国土壤污染防治法》第六十一条第二款", &[]),
    (
        "rcr_targets_unmet_no_unrelated_project",
        "CN",
        "2019-01-01",
        "《中华人民共和国土壤污染防治法》第六十六条第三款",
        &[],
    ),
    ("suspected_land_survey_first", "CN", "2019-01-01", "《中华人民共和国土壤污染防治法》第五十九条第一款", &[]),
    (
        "survey_before_housing_public_change",
        "CN",
        "2019-01-01",
        "《中华人民共和国土壤污染防治法》第五十九条第二款",
        &[],
    ),
    (
        "key_unit_survey_before_change_or_transfer",
        "CN",
        "2019-01-01",
        "《中华人民共和国土壤污染防治法》第六十七条",
        &[],
    ),
    (
        "remediated_for_second_class_only",
        "CN",
        "2018-08-01",
        "《土壤环境质量 建设用地土壤污染风险管控标准（试行）》（GB 36600-2018）",
        &[],
    ),
    (
        "remediation_class_unrecorded",
        "CN",
        "2018-08-01",
        "《土壤环境质量 建设用地土壤污染风险管控标准（试行）》（GB 36600-2018）",
        &[],
    ),
    (
        "incomplete_risk_management_no_land_supply",
        "4503",
        "2023-05-14",
        "《桂林市2023年度土壤污染防治工作计划》（市政办〔2023〕20号）第二部分第（四）项",
        &[],
    ),
    (
        "eia_site_on_rcr_parcel",
        "CN",
        "2017-10-01",
        "《建设项目环境保护管理条例》第十一条",
        &[
            ("4503", "2023-05-14", "《桂林市2023年度土壤污染防治工作计划》（市政办〔2023〕20号）第二部分第（四）项"),
            ("4502", "2025-01-01", "《柳州市2025年度土壤污染防治重点工作任务清单》第6项"),
        ],
    ),
    (
        "priority_protection_farmland_occupation",
        "CN",
        "2019-01-01",
        "《中华人民共和国土壤污染防治法》第五十条",
        &[("4502", "2025-01-01", "《柳州市2025年度土壤污染防治重点工作任务清单》第5项")],
    ),
    (
        "no_polluting_project_in_basic_farmland_area",
        "CN",
        "2019-01-01",
        "《中华人民共和国土壤污染防治法》第五十条第二款",
        &[],
    ),
    (
        "polluted_farmland_survey_before_construction",
        "CN",
        "2019-01-01",
        "《中华人民共和国土壤污染防治法》第五十九条",
        &[],
    ),
    (
        "heavy_metal_emission_equal_replacement",
        "4503",
        "2023-05-14",
        "《桂林市2023年度土壤污染防治工作计划》（市政办〔2023〕20号）第二部分第（二）项",
        &[],
    ),
    (
        "heavy_metal_project_near_farmland",
        "4502",
        "2025-01-01",
        "《柳州市2025年度土壤污染防治重点工作任务清单》第3项",
        &[],
    ),
];

#[test]
fn every_rule_states_its_jurisdiction_period_and_basis() {
    let got: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    let want: Vec<&str> = EXPECTED.iter().map(|e| e.0).collect();
    assert_eq!(got, want, "the table holds exactly these rules, in this order");
    for (rule, (id, code, from, basis, local)) in RULES.iter().zip(EXPECTED) {
        assert_eq!(rule.jurisdiction.code, *code, "{id}: jurisdiction");
        assert_eq!(rule.jurisdiction.level == Level::National, *code == "CN", "{id}: level");
        assert_eq!(rule.period.from.to_string(), *from, "{id}: in force from");
        assert_eq!(rule.period.until, None, "{id}: no successor is known");
        assert_eq!(rule.basis, *basis, "{id}: basis");
        let clauses: Vec<(&str, String, &str)> =
            rule.local.iter().map(|c| (c.jurisdiction.code, c.period.from.to_string(), c.basis)).collect();
        let want: Vec<(&str, String, &str)> = local.iter().map(|(j, f, b)| (*j, f.to_string(), *b)).collect();
        assert_eq!(clauses, want, "{id}: city clauses");
        // A city's basis names that city and no other.
        for (j, b) in std::iter::once((rule.jurisdiction.code, rule.basis))
            .chain(rule.local.iter().map(|c| (c.jurisdiction.code, c.basis)))
        {
            assert_eq!(b.contains("桂林"), j == "4503", "{id}: {b} under {j}");
            assert_eq!(b.contains("柳州"), j == "4502", "{id}: {b} under {j}");
        }
    }
}

#[test]
fn rules_table_matches_the_docs() {
    let docs = include_str!("../../../docs/rules.md");
    for r in RULES {
        assert!(docs.contains(&format!("`{}`", r.id)), "docs/rules.md describes {}", r.id);
        assert!(docs.contains(r.basis), "docs/rules.md quotes the basis of {}: {}", r.id, r.basis);
        for c in r.local {
            assert!(docs.contains(c.basis), "docs/rules.md quotes the city clause of {}: {}", r.id, c.basis);
        }
    }
    for var in [
        "LANDGUARD_SLIVER_MIN_M2",
        "LANDGUARD_SLIVER_MIN_RATIO",
        "LANDGUARD_HEAVY_METAL_BUFFER_M",
        "LANDGUARD_GBT21010_0809_0810_PUBLIC",
        "LANDGUARD_SAFE_USE_TARGETS",
        "LANDGUARD_PRIORITY_CONTROL_TARGETS",
    ] {
        assert!(docs.contains(var), "docs/rules.md documents {var}");
    }
}
