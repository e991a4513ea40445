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

/// The property a file field names, by full name or Shapefile truncation, ignoring letter case.
pub fn property_for_field(collection: Collection, field: &str) -> Option<&'static str> {
    let f = field.trim();
    all_properties(collection)
        .find(|p| p.eq_ignore_ascii_case(f) || shapefile_name(p).eq_ignore_ascii_case(f))
        .or_else(|| super::lab::column(collection, f))
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
}
