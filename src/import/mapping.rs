//! The mapping file (`--mapping FILE.toml`): field renames, constants and value tables for files whose
//! fields are not named as docs/contract.md names them (e.g. a county's 地块编码 in a field `DKBM`).
//!
//! ```toml
//! # fields to ignore without a note
//! ignore = ["OBJECTID", "Shape_Leng", "Shape_Area"]
//!
//! # field in the file = contract property
//! [fields]
//! DKBM = "parcel_code"
//! XZQDM = "county_code"
//! DKMC = "name"
//! ZT = "state"
//!
//! # the same value for every feature (replaces what the file holds, if anything)
//! [constants]
//! use_code_system = "gbt21010"
//!
//! # value tables, per contract property: value in the file = value to store
//! [values.state]
//! "疑似" = "suspected"
//! "调查中" = "surveying"
//! ```

use crate::domain::registry::{known_properties, Collection};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
#[error("mapping file {path}: {reason}")]
pub struct MappingError {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    #[serde(default)]
    constants: BTreeMap<String, toml::Value>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, toml::Value>>,
}

/// A checked mapping for one collection.
#[derive(Debug, Default, Clone)]
pub struct Mapping {
    /// File field → contract property.
    pub fields: Vec<(String, &'static str)>,
    pub constants: Vec<(&'static str, Value)>,
    /// Contract property → (file value as text → value to store).
    pub values: BTreeMap<&'static str, BTreeMap<String, Value>>,
    pub ignore: Vec<String>,
}

fn to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => Value::from(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

/// The text a value is looked up by in a value table: strings trimmed, numbers and booleans as written.
pub fn lookup_key(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Mapping {
    pub fn load(path: &Path, collection: Collection) -> Result<Mapping, MappingError> {
        let p = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| MappingError { path: p.clone(), reason: e.to_string() })?;
        Mapping::parse(&text, collection).map_err(|reason| MappingError { path: p, reason })
    }

    pub fn parse(text: &str, collection: Collection) -> Result<Mapping, String> {
        let file: MappingFile =
            toml::from_str(text).map_err(|e| e.to_string().replace('\n', " ").trim().to_string())?;
        let known = known_properties(collection);
        let property = |name: &str, what: &str| -> Result<&'static str, String> {
            known.iter().copied().find(|k| *k == name.trim()).ok_or_else(|| {
                format!("{what} names '{name}', which is not a property of {collection} (known: {})", known.join(", "))
            })
        };
        let mut m = Mapping { ignore: file.ignore, ..Mapping::default() };
        for (field, prop) in &file.fields {
            let target = property(prop, &format!("[fields] {field}"))?;
            if let Some((other, _)) = m.fields.iter().find(|(_, t)| *t == target) {
                return Err(format!("[fields] {other} and {field} both map to {target}"));
            }
            m.fields.push((field.clone(), target));
        }
        for (prop, v) in &file.constants {
            m.constants.push((property(prop, "[constants]")?, to_json(v)));
        }
        for (prop, table) in &file.values {
            let target = property(prop, "[values]")?;
            m.values.insert(target, table.iter().map(|(k, v)| (k.trim().to_string(), to_json(v))).collect());
        }
        Ok(m)
    }

    /// The property a file field is renamed to, by exact name first, then ignoring letter case.
    pub fn rename(&self, field: &str) -> Option<&'static str> {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .or_else(|| self.fields.iter().find(|(f, _)| f.eq_ignore_ascii_case(field)))
            .map(|(_, p)| *p)
    }

    pub fn ignores(&self, field: &str) -> bool {
        self.ignore.iter().any(|f| f.eq_ignore_ascii_case(field))
    }

    /// The value to store for `property`: the table's entry for the file's value, or the value itself.
    pub fn translate(&self, property: &str, v: Value) -> Value {
        match (self.values.get(property), lookup_key(&v)) {
            (Some(table), Some(key)) => table.get(&key).cloned().unwrap_or(v),
            _ => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const EXAMPLE: &str = r#"
ignore = ["OBJECTID"]
[fields]
DKBM = "parcel_code"
XZQDM = "county_code"
[constants]
use_code_system = "gbt21010"
valid_from = 2024-01-01
priority_supervision = true
[values.state]
"疑似" = "suspected"
[values.remediated_for_class]
"一类" = 1
"#;

    #[test]
    fn the_documented_example_parses() {
        let m = Mapping::parse(EXAMPLE, Collection::ConstructionParcels).unwrap();
        assert_eq!(m.rename("DKBM"), Some("parcel_code"));
        assert_eq!(m.rename("xzqdm"), Some("county_code"));
        assert_eq!(m.rename("OTHER"), None);
        assert!(m.ignores("objectid"));
        assert!(m.constants.contains(&("valid_from", json!("2024-01-01"))));
        assert!(m.constants.contains(&("priority_supervision", json!(true))));
        assert_eq!(m.translate("state", json!("疑似")), json!("suspected"));
        assert_eq!(m.translate("state", json!("listed")), json!("listed"));
        assert_eq!(m.translate("remediated_for_class", json!(" 一类 ")), json!(1));
        assert_eq!(m.translate("name", json!("x")), json!("x"));
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            ("[fields]\nDKBM = \"parcel_id\"", "parcel_id"),
            ("[fields]\nA = \"name\"\nB = \"name\"", "both map to name"),
            ("[constants]\narea_m2 = 5", "area_m2"),
            ("[values.colour]\n\"x\" = \"y\"", "colour"),
            ("[field]\nA = \"name\"", "unknown field"),
            ("[fields\n", "expected"),
        ];
        for (text, needle) in cases {
            let e = Mapping::parse(text, Collection::ConstructionParcels).unwrap_err();
            assert!(e.contains(needle), "{text}: {e}");
            assert!(!e.contains('\n'), "one line: {e}");
        }
    }
}
