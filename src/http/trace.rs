//! Tracing (溯源) over HTTP: `GET /collections/farmland_units/items/{unit_code}/nearby-sources` and
//! `GET /collections/{pollution_sources|tailings_ponds|key_supervised_units}/items/{id}/nearby-farmland`,
//! each a GeoJSON FeatureCollection, nearest first, that GIS clients and the map draw as they are.

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::features::collection;
use super::params::Params;
use super::AppState;
use crate::domain::geometry::M2_PER_MU;
use crate::domain::time::{parse_instant, AsOf};
use crate::domain::trace::{self, class_note, compass, round_to, summarise};
use crate::store::trace::{farmland_origins, NearbySource, NearbyUnit};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};

const PARAMS: &[&str] = &["distance_m", "as_of", "f"];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/collections/{collection}/items/{fid}/nearby-sources", get(nearby_sources))
        .route("/collections/{collection}/items/{fid}/nearby-farmland", get(nearby_farmland))
}

fn bad(name: &str, zh: &str, en: &str) -> ApiError {
    let mut e = ApiError::bad_parameter(name, en);
    e.extra.insert("detail_zh".into(), json!(format!("{name}：{zh}")));
    e
}

fn not_found(zh: String, en: String) -> ApiError {
    let mut e = ApiError::not_found(en);
    e.extra.insert("detail_zh".into(), json!(zh));
    e
}

/// The distance and date asked, checked.
fn asked(params: &Params, state: &AppState) -> ApiResult<(f64, AsOf)> {
    params.only_formats(&["json"])?;
    let distance = trace::distance(params.get("distance_m"), state.settings.trace_max_distance_m)
        .map_err(|e| bad("distance_m", &e.zh, &e.en))?;
    let as_of = match params.get("as_of") {
        None => AsOf::Current,
        Some(v) => AsOf::Date(parse_instant(v).map_err(|e| bad("as_of", "应为日期，例如 2025-03-01", &e))?),
    };
    Ok((distance, as_of))
}

fn unknown(collection: &str, id: &str, as_of: AsOf) -> ApiError {
    match as_of.date() {
        Some(d) => not_found(
            format!("{collection} 在 {d} 没有要素“{id}”"),
            format!("{collection} has no feature '{id}' on {d}"),
        ),
        None => not_found(format!("{collection} 没有要素“{id}”"), format!("{collection} has no feature '{id}'")),
    }
}

fn geojson(body: Value) -> Response {
    let mut resp = axum::Json(body).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/geo+json"));
    resp
}

/// Properties every traced feature carries: where it is, how far and which way, and its link.
fn placed(props: &mut Map<String, Value>, distance_m: f64, bearing_deg: Option<f64>, href: &str) {
    props.insert("distance_m".into(), json!(round_to(distance_m, 1)));
    props.insert("bearing_deg".into(), json!(bearing_deg.map(|b| round_to(b, 0))));
    let (en, zh) = bearing_deg.map(compass).unzip();
    props.insert("direction".into(), json!(en));
    props.insert("direction_zh".into(), json!(zh));
    props.insert("href".into(), json!(href));
}

fn feature(id: &str, geometry: Value, properties: Map<String, Value>, href: &str) -> Value {
    json!({"type": "Feature", "id": id, "geometry": geometry, "properties": properties,
           "links": [{"rel": "item", "type": "application/geo+json", "href": href}]})
}

fn source_feature(base: &str, s: NearbySource) -> Value {
    let href = format!("{base}/collections/{}/items/{}", s.collection, s.id);
    let mut p = Map::new();
    p.insert("collection".into(), json!(s.collection));
    p.insert("id".into(), json!(s.id));
    p.insert("name".into(), json!(s.name));
    p.insert("county_code".into(), json!(s.county_code));
    match s.collection.as_str() {
        "pollution_sources" => {
            p.insert("kind".into(), json!(s.kind));
            p.insert("list".into(), json!(s.list));
            p.insert("state".into(), json!(s.state));
            p.insert("pollutants".into(), json!(s.pollutants));
        }
        "tailings_ponds" => {
            p.insert("level".into(), json!(s.level));
            p.insert("status".into(), json!(s.status));
        }
        _ => {
            p.insert("industry".into(), json!(s.kind));
            p.insert("status".into(), json!(s.status));
        }
    }
    placed(&mut p, s.distance_m, s.bearing_deg, &href);
    feature(&s.id, s.geometry, p, &href)
}

fn unit_feature(base: &str, u: NearbyUnit) -> Value {
    let href = format!("{base}/collections/farmland_units/items/{}", u.unit_code);
    let mut p = Map::new();
    p.insert("collection".into(), json!("farmland_units"));
    p.insert("id".into(), json!(u.unit_code));
    p.insert("county_code".into(), json!(u.county_code));
    p.insert("class".into(), json!(u.class));
    p.insert("class_zh".into(), json!(u.class.name_zh()));
    p.insert("land_type".into(), json!(u.land_type));
    p.insert("measures_in_place".into(), json!(u.measures_in_place));
    p.insert("crops_compliant".into(), json!(u.crops_compliant));
    p.insert("area_m2".into(), json!(round_to(u.area_m2, 1)));
    p.insert("area_mu".into(), json!(round_to(u.area_m2 / M2_PER_MU, 2)));
    placed(&mut p, u.distance_m, u.bearing_deg, &href);
    feature(&u.unit_code, u.geometry, p, &href)
}

fn self_link(base: &str, coll: &str, fid: &str, what: &str, q: Option<&str>) -> Value {
    let query = q.filter(|q| !q.is_empty()).map(|q| format!("?{q}")).unwrap_or_default();
    json!([
        {"rel": "self", "type": "application/geo+json", "href": format!("{base}/collections/{coll}/items/{fid}/{what}{query}")},
        {"rel": "related", "type": "application/geo+json", "title": "the feature traced from",
         "href": format!("{base}/collections/{coll}/items/{fid}")},
    ])
}

/// From a farmland unit: the pollution sources, tailings ponds and key supervised units' sites around it.
async fn nearby_sources(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if coll != "farmland_units" {
        collection(&coll)?;
        return Err(not_found(
            format!("溯源周边污染源仅从耕地类别单元（farmland_units）出发，而非 {coll}"),
            format!("nearby-sources is traced from farmland_units only, not from {coll}"),
        ));
    }
    for c in ["farmland_units", "pollution_sources", "tailings_ponds", "key_supervised_units"] {
        caller.reader(&state, collection(c)?)?;
    }
    let params = Params::parse(q.as_deref(), PARAMS)?;
    let (distance, as_of) = asked(&params, &state)?;
    let store = state.reader(&caller).await;
    let (unit, found) =
        store.nearby_sources(&fid, as_of, distance).await?.ok_or_else(|| unknown("farmland_units", &fid, as_of))?;
    let base = super::base_url(&headers);
    let mut counts = Map::new();
    for c in ["pollution_sources", "tailings_ponds", "key_supervised_units"] {
        counts.insert(c.into(), json!(found.iter().filter(|s| s.collection == c).count()));
    }
    let features: Vec<Value> = found.into_iter().map(|s| source_feature(&base, s)).collect();
    let mut body = json!({
        "type": "FeatureCollection",
        "origin": {
            "collection": "farmland_units", "id": unit.unit_code, "county_code": unit.county_code,
            "class": unit.class, "class_zh": unit.class.name_zh(),
            "area_m2": round_to(unit.area_m2, 1), "area_mu": round_to(unit.area_m2 / M2_PER_MU, 2),
        },
        "distance_m": distance,
        "as_of": as_of.date(),
        "numberReturned": features.len(),
        "counts": counts,
        "features": features,
        "links": self_link(&base, &coll, &fid, "nearby-sources", q.as_deref()),
    });
    if let (Some((zh, en)), Some(o)) = (class_note(unit.class), body.as_object_mut()) {
        o.insert("note_zh".into(), json!(zh));
        o.insert("note_en".into(), json!(en));
    }
    Ok(geojson(body))
}

/// From a pollution source, tailings pond or key unit's site: the farmland around it, with areas by class.
async fn nearby_farmland(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let c = collection(&coll)?;
    if !farmland_origins().any(|o| o == coll) {
        let from = farmland_origins().collect::<Vec<_>>().join(", ");
        return Err(not_found(
            format!("溯源周边耕地从 {from} 出发，而非 {coll}"),
            format!("nearby-farmland is traced from {from}, not from {coll}"),
        ));
    }
    caller.reader(&state, c)?;
    caller.reader(&state, collection("farmland_units")?)?;
    let params = Params::parse(q.as_deref(), PARAMS)?;
    let (distance, as_of) = asked(&params, &state)?;
    let store = state.reader(&caller).await;
    let (origin, units) =
        store.nearby_farmland(&coll, &fid, as_of, distance).await?.ok_or_else(|| unknown(&coll, &fid, as_of))?;
    let near: Vec<_> = units.iter().map(NearbyUnit::near).collect();
    let summary = summarise(&near);
    let base = super::base_url(&headers);
    let features: Vec<Value> = units.into_iter().map(|u| unit_feature(&base, u)).collect();
    Ok(geojson(json!({
        "type": "FeatureCollection",
        "origin": {"collection": coll, "id": origin.id, "name": origin.name, "county_code": origin.county_code},
        "distance_m": distance,
        "as_of": as_of.date(),
        "numberReturned": features.len(),
        "summary": summary,
        "features": features,
        "links": self_link(&base, &coll, &fid, "nearby-farmland", q.as_deref()),
    })))
}
