//! Rules for the siting of a project under environmental impact assessment (建设项目环评选址).

use super::*;

/// Both plans and the EIA regulation (Art. 11: a project whose siting breaks the law is not approved):
/// the EIA of a project sited on listed land is refused, remediation projects aside.
pub(super) fn eia_site_on_rcr_parcel(c: &Ctx<'_>) -> Option<Finding> {
    if c.req.kind != CheckKind::EiaSite || c.is_remediation() {
        return None;
    }
    let hits = nonempty(c.parcels_where(|p| p.state.is_rcr_listed()))?;
    Some(Finding {
        decision: Decision::Denied,
        zh: format!(
            "{}选址涉及已列入建设用地土壤污染风险管控和修复名录的地块 {}，且不属于风险管控、修复项目，其环境影响评价文件不予批准。",
            c.project_zh(),
            zh_ids(&hits)
        ),
        en: format!(
            "The site of {} touches {} on the risk-control and remediation list, and the project is not risk control or remediation, so its environmental impact assessment is not to be approved.",
            c.project_en(),
            en_ids(&hits, "parcel", "parcels")
        ),
        features: c.parcel_refs(&hits),
    })
}

/// Liuzhou 2025 task 3: a new heavy-metal project must analyse its cumulative effect on the farmland
/// around it and replace its emissions 1:1. Any class of farmland counts: all of it grows food. A sliver
/// overlap is still "near" (distance 0), so it is listed here even though it is no occupation. The heavy-metal
/// sources on the register within the same buffer (not closed out) are named with it: "cumulative" means
/// on top of them. Sources alone, with no farmland near, do not make the rule fire: it protects farmland.
pub(super) fn heavy_metal_project_near_farmland(c: &Ctx<'_>) -> Option<Finding> {
    if c.req.kind != CheckKind::EiaSite || c.req.project_kind != Some(ProjectKind::HeavyMetal) {
        return None;
    }
    let buffer = c.s.heavy_metal_buffer_m;
    let hits = nonempty(c.farmland_near(buffer))?;
    let zh_units = hits
        .iter()
        .map(|f| format!("{}（{}，{}）", f.unit_code, f.class.name_zh(), zh_where(f)))
        .collect::<Vec<_>>()
        .join("、");
    let en_units = hits
        .iter()
        .map(|f| format!("{} ({}, {})", f.unit_code, f.class.as_str(), en_where(f)))
        .collect::<Vec<_>>()
        .join(", ");
    // The risk is cumulative: what the sources already on the register emit around the site adds to the
    // project's, so the analysis must take them in.
    let sources = c.sources_near(buffer);
    let (zh_sources, en_sources) = if sources.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!("周边 {buffer} 米范围内已有登记的涉重金属污染源：{}，累积性风险分析应计入其影响。", zh_sources(&sources)),
            format!(
                " Heavy-metal pollution sources on the register lie within {buffer} m: {}; the cumulative analysis must include them.",
                en_sources(&sources)
            ),
        )
    };
    let mut features = c.farmland_refs(&hits, true);
    features.extend(c.source_refs(&sources));
    Some(Finding {
        decision: Decision::Conditional,
        zh: format!(
            "涉重金属项目选址周边 {buffer} 米范围内有耕地：{zh_units}。{zh_sources}环境影响评价文件中应加强重金属排放对周边耕地土壤的累积性风险分析，存在风险的应采取防控措施；重点重金属污染物排放总量按 1:1 “等量替代”。"
        ),
        en: format!(
            "Farmland lies within {buffer} m of the heavy-metal project: {en_units}.{en_sources} The environmental impact assessment must analyse the cumulative heavy-metal risk to this farmland and take control measures where there is risk; emissions of key heavy metals must be offset 1:1."
        ),
        features,
    })
}

/// Farmland of one class around an EIA site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassCount {
    pub class: FarmlandClass,
    pub units: usize,
    /// The units' whole area, m² to 0.1.
    pub area_m2: f64,
}

/// Guilin 2023 plan §2(2): the key heavy-metal emissions of the key industries are capped, and a new one is
/// offset 1:1 ("等量替代"). Guilin's plan says nothing of the farmland around the site (that is Liuzhou's
/// task 3), so the reason names no features: where the site lies is what makes it apply.
pub(super) fn heavy_metal_emission_equal_replacement(c: &Ctx<'_>) -> Option<Finding> {
    if c.req.kind != CheckKind::EiaSite || c.req.project_kind != Some(ProjectKind::HeavyMetal) {
        return None;
    }
    Some(Finding {
        decision: Decision::Conditional,
        zh: "涉重金属项目选址位于桂林市：应严格落实重点行业重点重金属污染物排放总量控制要求，严格执行“等量替代”，环境影响评价文件中应明确替代来源。".into(),
        en: "The heavy-metal project is sited in Guilin: the caps on key heavy-metal emissions of the key industries apply, and its emissions must be offset 1:1 (equal replacement), with the source of the offset stated in the environmental impact assessment.".into(),
        features: vec![],
    })
}

/// What lies in and around an EIA site, in figures a reviewer reads before the list of reasons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EiaSummary {
    /// The distance searched for farmland: the heavy-metal buffer, or 0 (overlaps only) for other projects.
    pub buffer_m: f64,
    /// Farmland units overlapping the site or within the buffer.
    pub farmland_units: usize,
    /// Every class, in the order priority_protection, safe_use, strict_control, even when 0.
    pub by_class: Vec<ClassCount>,
    /// The units' whole area, m² to 0.1, and in mu to 0.01.
    pub farmland_area_m2: f64,
    pub farmland_area_mu: f64,
    /// Of that, the area the site itself covers, m² to 0.1.
    pub farmland_overlap_m2: f64,
    /// Distance to the nearest unit, m to 0.1 (0 when one overlaps); absent with no farmland found.
    pub nearest_farmland_m: Option<f64>,
    /// Construction parcels the site overlaps, and of them those on the RCR list.
    pub parcels: usize,
    pub rcr_listed_parcels: usize,
}

/// The figures of [`EiaSummary`]. The buffer is the one the store searched: only heavy-metal projects get one.
pub(super) fn summary(c: &Ctx<'_>) -> EiaSummary {
    let buffer = if c.req.project_kind == Some(ProjectKind::HeavyMetal) { c.s.heavy_metal_buffer_m } else { 0.0 };
    let units = c.farmland_near(buffer);
    let by_class = FarmlandClass::ALL
        .into_iter()
        .map(|class| {
            let of: Vec<&&FarmlandFact> = units.iter().filter(|f| f.class == class).collect();
            ClassCount { class, units: of.len(), area_m2: round_to(of.iter().map(|f| f.area_m2).sum(), 1) }
        })
        .collect();
    let area: f64 = units.iter().map(|f| f.area_m2).sum();
    let parcels = c.parcels_where(|_| true);
    EiaSummary {
        buffer_m: buffer,
        farmland_units: units.len(),
        by_class,
        farmland_area_m2: round_to(area, 1),
        farmland_area_mu: round_to(area / crate::domain::geometry::M2_PER_MU, 2),
        farmland_overlap_m2: round_to(units.iter().map(|f| f.overlap_m2).sum(), 1),
        nearest_farmland_m: units.first().map(|f| round_to(f.distance_m, 1)),
        parcels: parcels.len(),
        rcr_listed_parcels: parcels.iter().filter(|p| p.state.is_rcr_listed()).count(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::*;

    #[test]
    fn rule_eia_site_on_rcr_parcel() {
        check_rule(
            "eia_site_on_rcr_parcel",
            &[
                case("other project on listed", eia(Other), vec![p("A", Listed)], vec![], Some((DENIED, &["A"]))),
                case(
                    "polluting project on effect_evaluation",
                    eia(SoilPolluting),
                    vec![p("A", EffectEvaluation)],
                    vec![],
                    Some((DENIED, &["A"])),
                ),
                case(
                    "heavy metal on under_control",
                    eia(HeavyMetal),
                    vec![p("A", UnderControl)],
                    vec![],
                    Some((DENIED, &["A"])),
                ),
                case("remediation project", eia(Remediation), vec![p("A", Listed)], vec![], None),
                case("delisted", eia(Other), vec![p("A", Delisted)], vec![], None),
                case("suspected", eia(Other), vec![p("A", Suspected)], vec![], None),
                case("rezoning", rz("1001", None), vec![p("A", Listed)], vec![], None),
                case("supply", supply(), vec![p("A", Listed)], vec![], None),
                case("Liuzhou land", eia(Other), vec![p("A", Listed).at("450205")], vec![], Some((DENIED, &["A"]))),
            ],
        );
    }

    #[test]
    fn rule_heavy_metal_emission_equal_replacement() {
        let r = "heavy_metal_emission_equal_replacement";
        check_rule(
            r,
            &[
                case("on Guilin land", eia(HeavyMetal), vec![p("G", Cleared)], vec![], Some((COND, &[]))),
                case(
                    "near Guilin farmland",
                    eia(HeavyMetal),
                    vec![],
                    vec![farm("F", SafeUse, 0.0, 500.0).at("450302")],
                    Some((COND, &[])),
                ),
                case("in Liuzhou", eia(HeavyMetal), vec![p("L", Cleared).at("450205")], vec![], None),
                case("place unknown", eia(HeavyMetal), vec![], vec![], None),
                case("before the plan", on(eia(HeavyMetal), "2023-05-13"), vec![p("G", Cleared)], vec![], None),
                case("not heavy metal", eia(SoilPolluting), vec![p("G", Cleared)], vec![], None),
                case("not an EIA", supply(), vec![p("G", Cleared)], vec![], None),
            ],
        );
        let c = case("", eia(HeavyMetal), vec![p("G", Cleared)], vec![], None);
        let out = run(&c, &RuleSettings::default());
        assert_eq!(out.reason(r).unwrap().jurisdiction, [GUILIN]);
        assert!(out.reason("heavy_metal_project_near_farmland").is_none());
    }

    /// The EIA regulation binds everywhere; each city's plan is cited only in that city and from its date
    /// (issue 11, case 4).
    #[test]
    fn eia_site_basis_cites_the_plan_of_the_city_only() {
        let r = "eia_site_on_rcr_parcel";
        let reg = "《建设项目环境保护管理条例》第十一条";
        let gl = "《桂林市2023年度土壤污染防治工作计划》（市政办〔2023〕20号）第二部分第（四）项";
        let lz = "《柳州市2025年度土壤污染防治重点工作任务清单》第6项";
        let table: &[(&str, &str, String, &[&str])] = &[
            ("450302", "2025-06-30", format!("{reg}；{gl}"), &["CN", "4503"]),
            ("450205", "2025-06-30", format!("{reg}；{lz}"), &["CN", "4502"]),
            ("450205", "2024-12-31", reg.to_string(), &["CN"]),
            ("450302", "2023-05-13", reg.to_string(), &["CN"]),
            ("450102", "2025-06-30", reg.to_string(), &["CN"]),
        ];
        for (county, day, basis, jurisdictions) in table {
            let c = case("", on(eia(Other), day), vec![p("A", Listed).at(county)], vec![], None);
            let out = run(&c, &RuleSettings::default());
            let reason = out.reason(r).unwrap();
            assert_eq!(&reason.basis, basis, "{county} on {day}");
            let codes: Vec<&str> = reason.jurisdiction.iter().map(|j| j.code).collect();
            assert_eq!(codes, *jurisdictions, "{county} on {day}");
        }
    }

    #[test]
    fn rule_heavy_metal_project_near_farmland() {
        let r = "heavy_metal_project_near_farmland";
        check_rule(
            r,
            &[
                case(
                    "safe-use unit at 800 m",
                    eia(HeavyMetal),
                    vec![],
                    vec![farm("F1", SafeUse, 0.0, 800.0)],
                    Some((COND, &["F1"])),
                ),
                case(
                    "exactly at the buffer",
                    eia(HeavyMetal),
                    vec![],
                    vec![farm("F1", PriorityProtection, 0.0, 1000.0)],
                    Some((COND, &["F1"])),
                ),
                case(
                    "overlapping strict control",
                    eia(HeavyMetal),
                    vec![],
                    vec![farm("F1", StrictControl, 500.0, 0.0)],
                    Some((COND, &["F1"])),
                ),
                case(
                    "units beyond the buffer are left out",
                    eia(HeavyMetal),
                    vec![],
                    vec![
                        farm("F1", SafeUse, 0.0, 999.0),
                        farm("F2", SafeUse, 0.0, 1000.1),
                        farm("F3", PriorityProtection, 10.0, 0.0),
                    ],
                    Some((COND, &["F1", "F3"])),
                ),
                case("beyond the buffer", eia(HeavyMetal), vec![], vec![farm("F1", SafeUse, 0.0, 1200.0)], None),
                // Liuzhou's task list binds Liuzhou only, from 2025 (issue 11, case 4: a Guilin answer cited it).
                case(
                    "Guilin farmland",
                    eia(HeavyMetal),
                    vec![],
                    vec![farm("F1", SafeUse, 0.0, 500.0).at("450302")],
                    None,
                ),
                case(
                    "before the task list",
                    on(eia(HeavyMetal), "2024-12-31"),
                    vec![],
                    vec![farm("F1", SafeUse, 0.0, 500.0)],
                    None,
                ),
                case(
                    "a Guilin site near Liuzhou farmland",
                    eia(HeavyMetal),
                    vec![p("G", Cleared)],
                    vec![farm("F1", SafeUse, 0.0, 500.0)],
                    None,
                ),
                case(
                    "soil-polluting, not heavy metal",
                    eia(SoilPolluting),
                    vec![],
                    vec![farm("F1", SafeUse, 0.0, 500.0)],
                    None,
                ),
                case("other project", eia(Other), vec![], vec![farm("F1", SafeUse, 0.0, 500.0)], None),
                case("no farmland", eia(HeavyMetal), vec![], vec![], None),
                case(
                    "rezoning",
                    CheckRequest { project_kind: Some(HeavyMetal), ..rz("1001", None) },
                    vec![],
                    vec![farm("F1", SafeUse, 0.0, 500.0)],
                    None,
                ),
            ],
        );
        // The units come nearest first, each with its distance.
        let c = case(
            "",
            eia(HeavyMetal),
            vec![],
            vec![farm("FAR", SafeUse, 0.0, 750.25), farm("ON", StrictControl, 120.0, 0.0)],
            None,
        );
        let out = run(&c, &RuleSettings::default());
        let reason = out.reason(r).unwrap();
        assert_eq!(reason.features[0].id, "ON");
        assert_eq!(reason.features[0].distance_m, Some(0.0));
        assert_eq!(reason.features[1].distance_m, Some(750.3));
        assert!(reason.message_zh.contains("1000 米"), "{}", reason.message_zh);
        assert!(reason.message_zh.contains("FAR（安全利用类，距离 750.3 米）"), "{}", reason.message_zh);
        assert!(reason.message_en.contains("FAR (safe_use, 750.3 m away)"), "{}", reason.message_en);
        // A smaller buffer setting shrinks the neighbourhood.
        let s = RuleSettings { heavy_metal_buffer_m: 500.0, ..RuleSettings::default() };
        let out = run(&c, &s);
        let ids: Vec<&str> = out.reason(r).unwrap().features.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["ON"]);
    }

    /// The cumulative risk takes in the heavy-metal sources already on the register around the site (issue 15).
    #[test]
    fn heavy_metal_near_farmland_names_the_sources_around_it() {
        let r = "heavy_metal_project_near_farmland";
        let f = || vec![farm("F1", SafeUse, 0.0, 800.0)];
        check_rule(
            r,
            &[
                case("a source within the buffer", eia(HeavyMetal), vec![], f(), Some((COND, &["F1", "S1"])))
                    .sources(vec![src("S1", "rectifying", 300.0)]),
                case(
                    "nearest first, beyond the buffer left out",
                    eia(HeavyMetal),
                    vec![],
                    f(),
                    Some((COND, &["F1", "S1", "S2"])),
                )
                .sources(vec![
                    src("S2", "listed", 1000.0),
                    src("S1", "rectified", 10.0),
                    src("S3", "listed", 1000.5),
                ]),
                case("closed-out sources are no longer sources", eia(HeavyMetal), vec![], f(), Some((COND, &["F1"])))
                    .sources(vec![src("S1", "closed_out", 300.0)]),
                case("a Guilin source near a Liuzhou site", eia(HeavyMetal), vec![], f(), Some((COND, &["F1"])))
                    .sources(vec![src("S1", "listed", 300.0).at("450302")]),
                case("sources alone do not make it fire", eia(HeavyMetal), vec![], vec![], None)
                    .sources(vec![src("S1", "listed", 300.0)]),
                case("not heavy metal", eia(SoilPolluting), vec![], f(), None)
                    .sources(vec![src("S1", "listed", 300.0)]),
            ],
        );
        let c = case("", eia(HeavyMetal), vec![], f(), None)
            .sources(vec![src("S2", "listed", 640.25), src("S1", "rectifying", 120.0)]);
        let out = run(&c, &RuleSettings::default());
        let reason = out.reason(r).unwrap();
        let ids: Vec<(&str, &str, Option<f64>)> =
            reason.features.iter().map(|f| (f.collection, f.id.as_str(), f.distance_m)).collect();
        assert_eq!(
            ids,
            [
                ("farmland_units", "F1", Some(800.0)),
                ("pollution_sources", "S1", Some(120.0)),
                ("pollution_sources", "S2", Some(640.3))
            ]
        );
        assert!(
            reason.message_zh.contains("周边 1000 米范围内已有登记的涉重金属污染源：S1 废渣堆（S1，Cd、Pb，距离 120.0 米）、S2 废渣堆（S2，Cd、Pb，距离 640.3 米），累积性风险分析应计入其影响。"),
            "{}",
            reason.message_zh
        );
        assert!(reason.message_en.contains("S1 废渣堆 (S1, Cd, Pb, 120.0 m away)"), "{}", reason.message_en);
        // what the answer looked at, with sources and without
        let seen = |c: &Case| {
            let out = run(c, &RuleSettings::default());
            out.examined.iter().find(|e| e.what == "sources_nearby").map(|e| e.en.clone())
        };
        assert!(seen(&c).unwrap().starts_with("2 heavy-metal pollution sources lie on the register within 1000 m"));
        let none = case("", eia(HeavyMetal), vec![], vec![], None);
        assert!(seen(&none).unwrap().starts_with("No heavy-metal pollution source on the register"));
        assert_eq!(seen(&case("", eia(Other), vec![], vec![], None)), None, "only heavy-metal projects look");
        // a Guilin site also says what it looked at, though the Liuzhou rule does not apply there
        let guilin = case("", eia(HeavyMetal), vec![p("G", Cleared)], vec![], None)
            .sources(vec![src("S1", "listed", 300.0).at("450302")]);
        assert!(seen(&guilin).unwrap().contains("S1"));
    }

    #[test]
    fn the_summary_counts_farmland_by_class_and_the_nearest() {
        let facts = SpatialFacts {
            query_area_m2: QUERY,
            parcels: vec![p("L", Listed), overlap(p("C", Cleared), 0.5)],
            farmland: vec![
                farm("ON", StrictControl, 120.0, 0.0),
                farm("NEAR", SafeUse, 0.0, 640.25),
                farm("FAR", PriorityProtection, 0.0, 1000.5),
                farm("P2", PriorityProtection, 0.0, 999.0),
            ],
            parcel_overlaps: vec![],
            key_units: vec![],
            sources: vec![],
            located_in: vec![],
        };
        let s = eia::summary(&Ctx { req: &eia(HeavyMetal), facts: &facts, s: &RuleSettings::default(), city: None });
        assert_eq!(s.buffer_m, 1000.0);
        assert_eq!(s.farmland_units, 3, "FAR is beyond the buffer");
        let by: Vec<(FarmlandClass, usize, f64)> = s.by_class.iter().map(|c| (c.class, c.units, c.area_m2)).collect();
        assert_eq!(by, [(PriorityProtection, 1, 20_000.0), (SafeUse, 1, 20_000.0), (StrictControl, 1, 20_000.0)]);
        assert_eq!(s.farmland_area_m2, 60_000.0);
        assert_eq!(s.farmland_area_mu, 90.0);
        assert_eq!(s.farmland_overlap_m2, 120.0);
        assert_eq!(s.nearest_farmland_m, Some(0.0));
        assert_eq!((s.parcels, s.rcr_listed_parcels), (1, 1), "the sliver is not counted");
        // Other projects are searched for overlaps only.
        let s = eia::summary(&Ctx { req: &eia(Other), facts: &facts, s: &RuleSettings::default(), city: None });
        assert_eq!((s.buffer_m, s.farmland_units, s.nearest_farmland_m), (0.0, 1, Some(0.0)));
        let empty = SpatialFacts { query_area_m2: QUERY, ..SpatialFacts::default() };
        let s = eia::summary(&Ctx { req: &eia(HeavyMetal), facts: &empty, s: &RuleSettings::default(), city: None });
        assert_eq!((s.farmland_units, s.nearest_farmland_m), (0, None));
        // Only EIA answers carry it.
        assert!(evaluate(&eia(Other), &empty, &RuleSettings::default()).eia_summary.is_some());
        assert!(evaluate(&supply(), &empty, &RuleSettings::default()).eia_summary.is_none());
    }
}
