//! Which field of the file feeds which property (names, Shapefile truncations, the mapping file), and
//! each field's value as JSON.

use super::ReaderConfig;
use crate::import::names::{is_read_only, property_for_field, shapefile_name, KML_STANDARD_FIELDS};
use crate::import::text::{Recode, NOT_UTF8};
use crate::import::ImportError;
use gdal::vector::OGRFieldType;
use serde_json::Value;
use std::collections::HashMap;

/// How one field of the file feeds a property.
pub(super) struct FieldPlan {
    index: i32,
    pub(super) property: &'static str,
    kind: FieldKind,
}

#[derive(Clone, Copy)]
enum FieldKind {
    Integer,
    Boolean,
    Real,
    Date,
    Text,
}

pub(super) fn plan_fields(
    cfg: &ReaderConfig,
    defn: gdal_sys::OGRFeatureDefnH,
    recode: &Recode,
    driver: &str,
    notes: &mut Vec<String>,
) -> Result<Vec<FieldPlan>, ImportError> {
    let c = cfg.collection;
    let kml = driver.contains("KML");
    let mut plans: Vec<FieldPlan> = Vec::new();
    let mut names = Vec::new();
    let mut ignored = Vec::new();
    let mut by_property: HashMap<&'static str, String> = HashMap::new();
    // SAFETY: `defn` belongs to the open layer; field definitions are only read.
    let count = unsafe { gdal_sys::OGR_FD_GetFieldCount(defn) };
    let mut names_lossy = false;
    for i in 0..count {
        let name = recode.field_name(defn, i);
        names_lossy |= name.lossy;
        let name = name.text;
        let (ftype, subtype) = unsafe {
            let fd = gdal_sys::OGR_FD_GetFieldDefn(defn, i);
            (gdal_sys::OGR_Fld_GetType(fd), gdal_sys::OGR_Fld_GetSubType(fd))
        };
        names.push(name.clone());
        let property = match cfg.mapping.rename(&name) {
            Some(p) => Some(p),
            None if cfg.mapping.ignores(&name) => continue,
            None => property_for_field(c, &name),
        };
        let Some(property) = property else {
            if !(kml && KML_STANDARD_FIELDS.iter().any(|k| k.eq_ignore_ascii_case(&name))) {
                ignored.push(name);
            }
            continue;
        };
        if is_read_only(c, property) {
            continue; // computed by the registry (an export writes them); never imported
        }
        if let Some(first) = by_property.insert(property, name.clone()) {
            return Err(ImportError::Fields(format!(
                "fields '{first}' and '{name}' both give {property}; keep one (mapping file: ignore = [\"{name}\"])"
            )));
        }
        let kind = match ftype {
            OGRFieldType::OFTInteger | OGRFieldType::OFTInteger64
                if subtype == gdal_sys::OGRFieldSubType::OFSTBoolean =>
            {
                FieldKind::Boolean
            }
            OGRFieldType::OFTInteger | OGRFieldType::OFTInteger64 => FieldKind::Integer,
            OGRFieldType::OFTReal => FieldKind::Real,
            OGRFieldType::OFTDate | OGRFieldType::OFTDateTime => FieldKind::Date,
            _ => FieldKind::Text,
        };
        plans.push(FieldPlan { index: i, property, kind });
    }
    for (p, _) in &cfg.mapping.constants {
        if let Some(field) = by_property.get(p) {
            notes.push(format!("the mapping's constant for {p} replaces the file's field '{field}'"));
        }
    }
    let required: Vec<&str> = c
        .description()
        .stored()
        .filter(|p| p.input == crate::domain::collection::Input::Required)
        .map(|p| p.name)
        .collect();
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|p| !by_property.contains_key(p) && !cfg.mapping.constants.iter().any(|(k, _)| k == p))
        .collect();
    if !missing.is_empty() {
        let looked: Vec<String> = missing
            .iter()
            .map(|p| {
                let short = shapefile_name(p);
                if short == *p {
                    (*p).to_string()
                } else {
                    format!("{p} or {short}")
                }
            })
            .collect();
        let message = format!(
            "no field gives {} (looked for {}; the file has: {}); name the fields in a mapping file ([fields] FILE_FIELD = \"{}\"){}",
            missing.join(", "),
            looked.join("; "),
            if names.is_empty() { "no fields".to_string() } else { names.join(", ") },
            missing[0],
            if names_lossy { format!("; {NOT_UTF8}") } else { String::new() }
        );
        return Err(ImportError::MissingFields { message, missing, file_fields: names });
    }
    if !ignored.is_empty() {
        notes.push(format!("fields not imported (no such property): {}", ignored.join(", ")));
    }
    if names_lossy {
        notes.push(format!("field names: {NOT_UTF8}"));
    }
    Ok(plans)
}

/// Codes that lose their leading zero in a numeric field: 三调 farmland types are 4 digits (0101), and
/// land-use codes of the 2023 guide have an even number of digits (07, 0701, 070101).
pub(super) fn restore_leading_zero(property: &str, v: Value) -> Value {
    match (property, &v) {
        ("land_type" | "current_use", Value::Number(n)) => match n.as_i64() {
            Some(i) if i >= 0 => {
                let s = i.to_string();
                Value::String(if property == "land_type" && s.len() < 4 {
                    format!("{i:04}")
                } else if property == "current_use" && s.len() % 2 == 1 {
                    format!("0{s}")
                } else {
                    s
                })
            }
            _ => v,
        },
        _ => v,
    }
}

/// A field's value; `Err` carries the text when it was not UTF-8 (and no encoding was given).
pub(super) fn field_value(f: gdal_sys::OGRFeatureH, plan: &FieldPlan, recode: &Recode) -> Result<Value, String> {
    let i = plan.index;
    // SAFETY: `f` is a live feature and `i` one of its fields.
    unsafe {
        if gdal_sys::OGR_F_IsFieldSetAndNotNull(f, i) == 0 {
            return Ok(Value::Null);
        }
        Ok(match plan.kind {
            FieldKind::Boolean => Value::Bool(gdal_sys::OGR_F_GetFieldAsInteger64(f, i) != 0),
            FieldKind::Integer => Value::from(gdal_sys::OGR_F_GetFieldAsInteger64(f, i)),
            FieldKind::Real => {
                let d = gdal_sys::OGR_F_GetFieldAsDouble(f, i);
                if d.fract() == 0.0 && d.abs() < 1e15 {
                    Value::from(d as i64)
                } else {
                    Value::from(d)
                }
            }
            FieldKind::Date => {
                let (mut y, mut m, mut d, mut h, mut mi, mut s, mut tz) = (0, 0, 0, 0, 0, 0f32, 0);
                if gdal_sys::OGR_F_GetFieldAsDateTimeEx(f, i, &mut y, &mut m, &mut d, &mut h, &mut mi, &mut s, &mut tz)
                    != 0
                {
                    Value::String(format!("{y:04}-{m:02}-{d:02}"))
                } else {
                    Value::String(Recode::default().field(f, i).text)
                }
            }
            FieldKind::Text => {
                let t = recode.field(f, i);
                if t.lossy {
                    return Err(t.text);
                }
                Value::String(t.text)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numeric_codes_get_their_zero_back() {
        assert_eq!(restore_leading_zero("land_type", json!(101)), json!("0101"));
        assert_eq!(restore_leading_zero("current_use", json!(701)), json!("0701"));
        assert_eq!(restore_leading_zero("current_use", json!(70101)), json!("070101"));
        assert_eq!(restore_leading_zero("current_use", json!(1001)), json!("1001"));
        assert_eq!(restore_leading_zero("county_code", json!(450222)), json!(450222));
        assert_eq!(restore_leading_zero("land_type", json!("0101")), json!("0101"));
    }
}
