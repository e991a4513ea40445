//! Field names in files ↔ the property names of docs/contract.md.
//!
//! A DBF (Shapefile) field name holds at most 10 characters, so desktop GIS truncates longer names to
//! their first 10. Import accepts a property's full name and its truncation, in any letter case; export
//! writes Shapefiles with exactly these truncations (and full names everywhere else), so a Shapefile
//! exported by landguard imports back without a mapping file. Within each collection the truncations are
//! unique.

use crate::domain::registry::{known_properties, Collection};

/// The longest field name a DBF holds.
pub const DBF_NAME_MAX: usize = 10;

/// The name a property has in a Shapefile: its first 10 characters.
pub fn shapefile_name(property: &str) -> &str {
    match property.char_indices().nth(DBF_NAME_MAX) {
        Some((i, _)) => &property[..i],
        None => property,
    }
}

/// Every property a file may carry for a collection: the writable ones, then the read-only ones that an
/// export writes (and an import ignores).
pub fn all_properties(collection: Collection) -> impl Iterator<Item = &'static str> {
    known_properties(collection).into_iter().chain(collection.read_only())
}

/// Chinese field names that registers kept by hand commonly use, beside each property's own Chinese label
/// (its description's): the name of the property they mean.
const CHINESE_NAMES: &[(&str, &[&str])] = &[
    ("parcel_code", &["地块编号", "地块代码"]),
    ("unit_code", &["单元编号", "单元编码", "类别单元编号"]),
    ("county_code", &["行政区代码", "行政区划代码", "县区代码", "区县代码", "县代码", "县级代码"]),
    ("name", &["名称", "地块名称", "单位名称", "企业名称"]),
    ("class", &["类别", "质量类别"]),
    ("enterprise_code", &["统一社会信用代码", "信用代码"]),
    ("land_type", &["地类", "地类编码"]),
    ("valid_from", &["生效日期", "起始日期"]),
    ("priority_supervision", &["优先监管"]),
    ("key_unit_land", &["重点监管单位用地"]),
];

/// The property a file field names: by full name or Shapefile truncation, ignoring letter case; by the
/// property's Chinese label or a common Chinese name for it (地块编号, 行政区代码), whole or as a DBF cuts
/// it; or as a laboratory column.
pub fn property_for_field(collection: Collection, field: &str) -> Option<&'static str> {
    let f = field.trim();
    all_properties(collection)
        .find(|p| p.eq_ignore_ascii_case(f) || shapefile_name(p).eq_ignore_ascii_case(f))
        .or_else(|| chinese_name(collection, f))
        .or_else(|| super::lab::column(collection, f))
}

fn chinese_name(collection: Collection, f: &str) -> Option<&'static str> {
    let known = known_properties(collection);
    let labels = collection.description().properties.iter().map(|p| (p.name, p.label.zh));
    let names = CHINESE_NAMES.iter().flat_map(|(p, names)| names.iter().map(move |n| (*p, *n)));
    let candidates: Vec<(&'static str, &'static str)> =
        labels.chain(names).filter(|(p, _)| known.contains(p)).collect();
    if let Some((p, _)) = candidates.iter().find(|(_, n)| *n == f) {
        return Some(p);
    }
    // A DBF field name holds 10 bytes: five Chinese characters in GBK. A name cut there stands for the one
    // property whose name begins with it.
    if f.chars().count() == 5 && !f.is_ascii() {
        let mut cut = candidates.iter().filter(|(_, n)| n.starts_with(f)).map(|(p, _)| *p);
        let first = cut.next()?;
        return cut.all(|p| p == first).then_some(first);
    }
    None
}

pub fn is_read_only(collection: Collection, property: &str) -> bool {
    collection.read_only().contains(&property)
}

/// Fields that KML readers (GDAL's KML and LIBKML drivers) add to every layer; they carry no registry
/// data and are skipped without a note (a `Name` field still feeds `name` when the collection has one).
pub const KML_STANDARD_FIELDS: &[&str] = &[
    "Name",
    "description",
    "timestamp",
    "begin",
    "end",
    "altitudeMode",
    "tessellate",
    "extrude",
    "visibility",
    "drawOrder",
    "icon",
    "snippet",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncations_match_the_documented_table() {
        let table = [
            ("county_code", "county_cod"),
            ("measures_in_place", "measures_i"),
            ("crops_compliant", "crops_comp"),
            ("priority_supervision", "priority_s"),
            ("key_unit_land", "key_unit_l"),
            ("current_use", "current_us"),
            ("use_code_system", "use_code_s"),
            ("remediated_for_class", "remediated"),
            ("former_industry", "former_ind"),
            ("parcel_code", "parcel_cod"),
            ("unit_code", "unit_code"),
            ("valid_from", "valid_from"),
            ("rcr_listed", "rcr_listed"),
        ];
        for (p, t) in table {
            assert_eq!(shapefile_name(p), t);
        }
    }

    #[test]
    fn truncations_are_unique_per_collection() {
        for c in Collection::all() {
            let mut names: Vec<&str> = all_properties(c).map(shapefile_name).collect();
            let n = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), n, "{c}");
        }
    }

    #[test]
    fn fields_resolve_in_any_case() {
        let c = Collection::ConstructionParcels;
        assert_eq!(property_for_field(c, "COUNTY_COD"), Some("county_code"));
        assert_eq!(property_for_field(c, "Priority_S"), Some("priority_supervision"));
        assert_eq!(property_for_field(c, "parcel_code"), Some("parcel_code"));
        assert_eq!(property_for_field(c, "Name"), Some("name"));
        assert_eq!(property_for_field(c, "class"), None);
        assert_eq!(property_for_field(Collection::FarmlandUnits, "measures_i"), Some("measures_in_place"));
        assert_eq!(property_for_field(Collection::FarmlandUnits, "OBJECTID"), None);
    }

    #[test]
    fn chinese_field_names_resolve_to_the_collections_own_properties() {
        let (p, f) = (Collection::ConstructionParcels, Collection::FarmlandUnits);
        for (collection, field, want) in [
            (p, "地块编号", Some("parcel_code")),
            (p, "地块编码", Some("parcel_code")), // the description's own label
            (p, " 行政区代码 ", Some("county_code")),
            (p, "县级行政区划代码", Some("county_code")),
            (p, "地块名称", Some("name")),
            (p, "原行业", Some("former_industry")),
            (p, "类别", None), // a farmland unit's property, not a parcel's
            (f, "类别", Some("class")),
            (f, "单元编号", Some("unit_code")),
            (f, "地块编号", None),
            (p, "备注", None),
            (p, "用途分类体", Some("use_code_system")), // 用途分类体系, cut by a GBK DBF
            (p, "重点监管单", Some("key_unit_land")),
            (p, "县级行政区", Some("county_code")),
        ] {
            assert_eq!(property_for_field(collection, field), want, "{collection} {field}");
        }
    }
}
