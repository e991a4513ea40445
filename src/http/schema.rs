//! `GET /collections/{id}/schema`: the feature schema of a collection (OGC API Features Part 5 style), made
//! from its description, so that a client builds its forms from it: each property's type, Chinese title and
//! English description, allowed values with their Chinese names (`x-names`), which are required, which the
//! server computes (`readOnly`), their order (`x-ogc-propertySeq`), and for a collection with a lifecycle, its states and the steps allowed from
//! each (`x-lifecycle`).

use super::error::ApiResult;
use super::features::collection;
use super::params::Params;
use super::{base_url, AppState};
use crate::domain::collection::{DefaultValue, Input, Kind, Property};
use crate::domain::lifecycle::ParcelState;
use crate::domain::registry::Collection;
use axum::extract::{Path, RawQuery};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};

pub fn routes() -> Router<AppState> {
    Router::new().route("/collections/{collection}/schema", get(schema))
}

async fn schema(Path(name): Path<String>, headers: HeaderMap, RawQuery(q): RawQuery) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &["f"])?.only_formats(&["json"])?;
    let c = collection(&name)?;
    let mut resp = Json(document(&base_url(&headers), c)).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/schema+json"));
    Ok(resp)
}

/// An allowed value in the JSON type of its property (an integer property's codes are numbers).
fn value_of(kind: Kind, code: &str) -> Value {
    match kind {
        Kind::Int => code.parse::<i64>().map(Value::from).unwrap_or_else(|_| json!(code)),
        _ => json!(code),
    }
}

fn property_schema(c: Collection, p: &Property) -> Value {
    let mut s = match p.kind {
        Kind::Text => json!({"type": "string"}),
        Kind::Bool => json!({"type": "boolean"}),
        Kind::Int => json!({"type": "integer"}),
        Kind::Number => json!({"type": "number"}),
        Kind::Date => json!({"type": "string", "format": "date"}),
        Kind::TextList => json!({"type": "array", "items": {"type": "string"}}),
        Kind::IntList => json!({"type": "array", "items": {"type": "integer"}}),
    };
    s["title"] = json!(p.label.zh);
    s["description"] = json!(p.label.en);
    if !p.values.is_empty() {
        let values: Value = p.values.iter().map(|(v, _)| value_of(p.kind, v)).collect();
        if p.kind.is_list() {
            s["items"]["enum"] = values;
        } else {
            s["enum"] = values;
        }
        let names: Map<String, Value> = p.values.iter().map(|(v, n)| (v.to_string(), json!(n))).collect();
        s["x-names"] = Value::Object(names);
    }
    match p.input {
        // Worked out by the server (in SQL, or by the domain from the other properties): never written.
        Input::Computed(_) | Input::Derived => s["readOnly"] = json!(true),
        Input::Defaulted(DefaultValue::False) => s["default"] = json!(false),
        // No fixed default: the day of the write, which JSON Schema cannot say.
        Input::Defaulted(DefaultValue::Today) => s["x-default"] = json!("today"),
        // Changed only by lifecycle steps (POST .../transitions), never by PUT or PATCH.
        Input::Lifecycle => s["x-lifecycle-state"] = json!(true),
        Input::Required | Input::Optional => {}
    }
    if p.name == c.id_property() {
        s["x-ogc-role"] = json!("id");
    }
    s
}

/// The lifecycle: its states with their names, where a feature starts, the steps allowed from each state
/// (the table the store enforces, src/domain/lifecycle.rs) and the property a step may record.
fn lifecycle(c: Collection) -> Option<Value> {
    let d = c.description();
    let l = d.lifecycle.as_ref()?;
    let states = d.property(l.property).map(|p| p.values).unwrap_or_default();
    let next: Map<String, Value> =
        states.iter().filter_map(|(v, _)| (l.next_states)(v).map(|next| (v.to_string(), json!(next)))).collect();
    Some(json!({
        "property": l.property,
        "initial": l.initial,
        "states": states.iter().map(|(v, n)| json!({"value": v, "name": n})).collect::<Vec<_>>(),
        "next": next,
        "step_property": l.step_property,
        // The state that may record step_property (the one step the service accepts it on).
        "step_property_on": l.step_property.map(|_| ParcelState::Delisted.as_str()),
    }))
}

pub fn document(base: &str, c: Collection) -> Value {
    let d = c.description();
    let mut properties = Map::new();
    for (i, p) in d.properties.iter().enumerate() {
        let mut schema = property_schema(c, p);
        // The published order (a JSON object's members have none): forms list the properties in it.
        schema["x-ogc-propertySeq"] = json!(i + 1);
        properties.insert(p.name.to_string(), schema);
    }
    properties.insert(
        "geometry".into(),
        json!({"title": "几何", "description": "geometry", "format": d.geometry.schema_format(), "x-ogc-role": "primary-geometry"}),
    );
    let required: Vec<&str> = d.properties.iter().filter(|p| p.input == Input::Required).map(|p| p.name).collect();
    let mut doc = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/collections/{c}/schema"),
        "type": "object",
        "title": d.label.zh,
        "description": d.label.en,
        "properties": properties,
        "required": required,
    });
    if let Some(l) = lifecycle(c) {
        doc["x-lifecycle"] = l;
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parcels_schema_from_the_description() {
        let s = document("http://h", Collection::ConstructionParcels);
        let p = &s["properties"];
        assert_eq!(p["parcel_code"]["x-ogc-role"], "id");
        assert_eq!(p["parcel_code"]["x-ogc-propertySeq"], 1);
        assert_eq!(p["name"]["title"], "地块名称");
        assert_eq!(p["name"]["x-ogc-propertySeq"], 3);
        assert_eq!(p["valid_from"]["format"], "date");
        assert_eq!(p["area_mu"]["readOnly"], true);
        assert_eq!(p["remediated_for_class"]["enum"], json!([1, 2]));
        assert_eq!(p["remediated_for_class"]["x-names"]["2"], "第二类用地");
        assert_eq!(p["state"]["x-names"]["listed"], "列入风险管控和修复名录");
        assert!(s["required"].as_array().unwrap().contains(&json!("county_code")));
        assert!(!s["required"].as_array().unwrap().contains(&json!("state")));
        let l = &s["x-lifecycle"];
        assert_eq!(l["step_property"], "remediated_for_class");
        assert_eq!(l["next"]["effect_evaluation"], json!(["under_control", "under_remediation", "delisted"]));
        assert_eq!(l["next"]["post_management"], json!([]));
        assert_eq!(l["states"].as_array().unwrap().len(), ParcelState::ALL.len());
    }

    #[test]
    fn farmland_has_no_lifecycle() {
        let s = document("http://h", Collection::FarmlandUnits);
        assert!(s.get("x-lifecycle").is_none());
        assert_eq!(s["properties"]["class"]["x-names"]["safe_use"], "安全利用类");
        assert_eq!(s["properties"]["measures_in_place"]["default"], false);
    }
}
