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
    out.push(key_units(c));
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
        let sources = c.sources_near(buffer);
        out.push(if sources.is_empty() {
            Examined {
                what: "sources_nearby",
                zh: format!("项目选址周边 {buffer} 米内无登记的涉重金属污染源（已销号的不计）。"),
                en: format!(
                    "No heavy-metal pollution source on the register (closed-out ones aside) lies within {buffer} m of the site."
                ),
            }
        } else {
            Examined {
                what: "sources_nearby",
                zh: format!("项目选址周边 {buffer} 米内有登记的涉重金属污染源 {} 个：{}。", sources.len(), zh_sources(&sources)),
                en: format!(
                    "{} heavy-metal pollution {} on the register within {buffer} m of the site: {}.",
                    sources.len(),
                    plural(sources.len(), "source lies", "sources lie"),
                    en_sources(&sources)
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

/// Whether the query touches a key supervised unit's site on the register, and whether that unit was listed
/// by the date: "no key supervised unit's site" is what an answer without the key-unit reason rests on.
fn key_units(c: &Ctx<'_>) -> Examined {
    let units = c.key_units_on_site();
    if units.is_empty() {
        return Examined {
            what: "key_units",
            zh: "查询范围未与土壤污染重点监管单位名录中任何单位的用地相交。".into(),
            en: "No key supervised unit's site on the register overlaps the query.".into(),
        };
    }
    let (listed, not_yet): (Vec<&KeyUnitFact>, Vec<&KeyUnitFact>) =
        units.into_iter().partition(|u| u.listed_by(c.req.as_of));
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if !listed.is_empty() {
        zh.push(format!("与土壤污染重点监管单位 {}的用地相交", zh_key_units(&listed)));
        en.push(format!("The query overlaps the site of {}", en_key_units(&listed)));
    }
    if !not_yet.is_empty() {
        let names = |sep: &str| {
            not_yet.iter().map(|u| format!("{} ({})", u.name, u.enterprise_code)).collect::<Vec<_>>().join(sep)
        };
        zh.push(format!(
            "与登记簿中截至 {} 尚未列入名录的单位 {} 的用地相交，不作为重点监管单位用地",
            c.req.as_of,
            names("、")
        ));
        en.push(format!(
            "The query overlaps the site of {}, not on any list by {}, so not key-unit land",
            names(", "),
            c.req.as_of
        ));
    }
    Examined { what: "key_units", zh: format!("{}。", zh.join("；")), en: format!("{}.", en.join("; ")) }
}
