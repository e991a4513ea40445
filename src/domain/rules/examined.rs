//! What a check looked at, in short statements: an `allowed` answer is never empty, and an officer can
//! see whether "allowed" rests on registry land, unknown land, or land the rules of no city cover.

use super::*;

pub(super) fn statements(c: &Ctx<'_>, jurisdictions: &[Jurisdiction], counties: &[String]) -> Vec<Examined> {
    let mut out = Vec::new();
    out.push(if counties.is_empty() {
        Examined {
            what: "location",
            zh: "查询范围未与任何登记要素相交，登记数据无法确定其所在县（市、区）。".into(),
            en: "The query overlaps no registry feature, so the registry does not tell which county it lies in.".into(),
        }
    } else if !c.facts.located_in.is_empty() {
        Examined {
            what: "location",
            zh: format!("据县级行政区界线，查询范围位于：{}。", counties.join("、")),
            en: format!(
                "By the county outlines the query lies in {} {}.",
                plural(counties.len(), "county", "counties"),
                counties.join(", ")
            ),
        }
    } else {
        Examined {
            what: "location",
            zh: format!("查询范围与登记要素相交的县（市、区）：{}。", counties.join("、")),
            en: format!(
                "The query overlaps registry features in {} {}.",
                plural(counties.len(), "county", "counties"),
                counties.join(", ")
            ),
        }
    });
    let in_force =
        RULES.iter().filter(|r| r.period.holds_on(c.req.as_of) && jurisdictions.contains(&r.jurisdiction)).count();
    out.push(Examined {
        what: "rules",
        zh: format!(
            "适用 {} 有效的规则 {in_force} 条（{}）。",
            c.req.as_of,
            jurisdictions.iter().map(|j| j.name_zh).collect::<Vec<_>>().join("、")
        ),
        en: format!(
            "{in_force} rules in force on {} were applied ({}).",
            c.req.as_of,
            jurisdictions.iter().map(|j| j.name_en).collect::<Vec<_>>().join(", ")
        ),
    });
    let parcels = c.parcels_where(|_| true);
    out.push(if parcels.is_empty() {
        Examined {
            what: "parcels",
            zh: "查询范围未与任何登记的建设用地地块相交。".into(),
            en: "No registered construction parcel overlaps the query.".into(),
        }
    } else {
        Examined {
            what: "parcels",
            zh: format!("与 {} 宗登记的建设用地地块相交：{}。", parcels.len(), zh_ids_with_state(&parcels)),
            en: format!("The query overlaps {}.", en_ids_with_state(&parcels)),
        }
    });
    let units: Vec<&FarmlandFact> = c.facts.farmland.iter().filter(|f| c.overlaps(f.overlap_m2, f.area_m2)).collect();
    let by_class = |zh: bool| {
        FarmlandClass::ALL
            .into_iter()
            .filter_map(|class| {
                let n = units.iter().filter(|f| f.class == class).count();
                (n > 0).then(|| {
                    if zh {
                        format!("{} {n} 个", class.name_zh())
                    } else {
                        format!("{n} {}", class.as_str())
                    }
                })
            })
            .collect::<Vec<_>>()
    };
    out.push(if units.is_empty() {
        Examined {
            what: "farmland",
            zh: "查询范围未与任何耕地类别单元相交。".into(),
            en: "No farmland classification unit overlaps the query.".into(),
        }
    } else {
        Examined {
            what: "farmland",
            zh: format!("与 {} 个耕地类别单元相交：{}。", units.len(), by_class(true).join("、")),
            en: format!(
                "The query overlaps {} farmland {}: {}.",
                units.len(),
                plural(units.len(), "unit", "units"),
                by_class(false).join(", ")
            ),
        }
    });
    if c.req.kind == CheckKind::EiaSite && c.req.project_kind == Some(ProjectKind::HeavyMetal) {
        let buffer = c.s.heavy_metal_buffer_m;
        let near = c.farmland_near(buffer).len();
        out.push(if near == 0 {
            Examined {
                what: "farmland_nearby",
                zh: format!("项目选址周边 {buffer} 米内无耕地类别单元。"),
                en: format!("No farmland unit lies within {buffer} m of the site."),
            }
        } else {
            Examined {
                what: "farmland_nearby",
                zh: format!("项目选址周边 {buffer} 米内有耕地类别单元 {near} 个。"),
                en: format!(
                    "{near} farmland {} within {buffer} m of the site.",
                    plural(near, "unit lies", "units lie")
                ),
            }
        });
    }
    let slivers = c
        .facts
        .parcels
        .iter()
        .map(|p| (p.overlap_m2, p.area_m2))
        .chain(c.facts.farmland.iter().map(|f| (f.overlap_m2, f.area_m2)));
    let slivers = slivers.filter(|(o, a)| *o > 0.0 && !c.overlaps(*o, *a)).count();
    if slivers > 0 {
        out.push(Examined {
            what: "slivers",
            zh: format!(
                "忽略 {slivers} 处边界碎片相交（小于 {} 平方米或小于较小面积的 {}%）。",
                c.s.sliver_min_m2,
                c.s.sliver_min_ratio * 100.0
            ),
            en: format!(
                "{slivers} sliver {} along boundaries (below {} m² or {} % of the smaller area) {} ignored.",
                plural(slivers, "overlap", "overlaps"),
                c.s.sliver_min_m2,
                c.s.sliver_min_ratio * 100.0,
                plural(slivers, "was", "were")
            ),
        });
    }
    out
}
