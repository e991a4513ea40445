//! Tracing (溯源) over HTTP and PostGIS: from a farmland unit to the sources, ponds and key units' sites
//! around it, and back from a source to the farmland, with distances checked against the meridian arc; and
//! the rules that read the source registers (a site over a key unit's land, sources near a heavy-metal EIA).

mod common;

use common::*;
use serde_json::{json, Value};
use sqlx::PgPool;

const UNITS: &str = "/collections/farmland_units/items";
const SOURCES: &str = "/collections/pollution_sources/items";
const PONDS: &str = "/collections/tailings_ponds/items";
const KEY_UNITS: &str = "/collections/key_supervised_units/items";
// Codes with a valid GB 32100 check character.
const PLANT: &str = "91450222MA5KX00010";
const SMELTER: &str = "91450222MA5KX00023";

/// Metres along the meridian per radian of latitude at `lat` (degrees), on the CGCS2000 ellipsoid: the
/// features below lie due north or south of each other, so their geodesic distance is this arc.
fn meridian_m_per_deg(lat: f64) -> f64 {
    let a = 6_378_137.0_f64;
    let f = 1.0 / 298.257_222_101;
    let e2 = f * (2.0 - f);
    let s = lat.to_radians().sin();
    a * (1.0 - e2) / (1.0 - e2 * s * s).powf(1.5) * std::f64::consts::PI / 180.0
}

/// The latitude `m` metres north (negative: south) of `lat`.
fn north(lat: f64, m: f64) -> f64 {
    // the radius of curvature at the midpoint makes the arc exact to well under a millimetre over kilometres
    let first = m / meridian_m_per_deg(lat);
    m / meridian_m_per_deg(lat + first / 2.0) + lat
}

fn point(lon: f64, lat: f64) -> Value {
    json!({"type": "Point", "coordinates": [lon, lat]})
}

fn source(code: &str, lon: f64, lat: f64, pollutants: Value, state: &str) -> Value {
    json!({"type": "Feature", "geometry": point(lon, lat), "properties": {
        "source_code": code, "name": format!("{code} 历史遗留废渣"), "county_code": "450222",
        "kind": "legacy_solid_waste", "pollutants": pollutants, "list": "remediation", "state": state,
        "deadline": "2026-12-31", "plan_doc": "柳城环〔2025〕3号", "closed_out_doc": "柳城环〔2025〕9号",
        "valid_from": "2025-01-01"}})
}

fn pond(code: &str, lon: f64, lat: f64) -> Value {
    json!({"type": "Feature", "geometry": point(lon, lat), "properties": {
        "pond_code": code, "name": format!("{code} 尾矿库"), "county_code": "450222", "operator": "某矿业公司",
        "level": 2, "level_doc": "桂环函〔2025〕101号", "safety_class": 4, "safety_rating": "normal",
        "status": "operating", "valid_from": "2025-01-01"}})
}

fn key_unit(code: &str, geometry: Value, years: Value) -> Value {
    json!({"type": "Feature", "geometry": geometry, "properties": {
        "enterprise_code": code, "name": "柳城县某磷化工有限公司", "county_code": "450222", "industry": "2619",
        "listed_years": years, "list_doc": "柳环发〔2025〕9号", "buried_facilities": true, "status": "operating",
        "valid_from": "2025-01-01"}})
}

/// A rectangle from (lon0, lat0) to (lon1, lat1).
fn rect(lon0: f64, lat0: f64, lon1: f64, lat1: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]]})
}

async fn post(t: &TestApp, path: &str, f: &Value) {
    let r = t.write("POST", path, f).await;
    assert_eq!(r.status, 201, "{path}: {}", r.text);
}

fn ids(page: &Value) -> Vec<String> {
    page["features"].as_array().unwrap().iter().map(|f| f["properties"]["id"].as_str().unwrap().to_string()).collect()
}

fn distance(page: &Value, id: &str) -> f64 {
    let f = page["features"].as_array().unwrap().iter().find(|f| f["properties"]["id"] == id);
    f.unwrap_or_else(|| panic!("{id} in {page}"))["properties"]["distance_m"].as_f64().unwrap()
}

fn close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() <= 1.0, "{what}: {got} m, expected {want} m");
}

// The safe-use unit: lon 109.400-109.404, lat 24.350-24.354. Everything else lies due north or south of it.
const LON: f64 = 109.400;
const SOUTH: f64 = 24.350;
const NORTH: f64 = 24.354;

async fn registers(t: &TestApp) {
    post(t, UNITS, &unit("TR-SAFE", "safe_use", rect(LON, SOUTH, LON + 0.004, NORTH))).await;
    post(t, SOURCES, &source("TR-S500", LON + 0.002, north(NORTH, 500.0), json!(["Cd", "Pb"]), "rectifying")).await;
    post(t, SOURCES, &source("TR-S1200", LON + 0.001, north(NORTH, 1200.0), json!(["As"]), "rectifying")).await;
    post(t, SOURCES, &source("TR-S3500", LON + 0.003, north(NORTH, 3500.0), json!(["Cd"]), "rectifying")).await;
    post(t, PONDS, &pond("TR-P2000", LON + 0.003, north(NORTH, 2000.0))).await;
    let k_north = north(SOUTH, -800.0);
    post(t, KEY_UNITS, &key_unit(PLANT, rect(LON, north(k_north, -300.0), LON + 0.002, k_north), json!([2024, 2025])))
        .await;
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_unit_traces_its_sources_nearest_first(pool: PgPool) {
    let t = app(pool).await;
    registers(&t).await;
    let r = t.get(&format!("{UNITS}/TR-SAFE/nearby-sources")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/geo+json"));
    let page = &r.body;
    assert_eq!(page["type"], "FeatureCollection");
    assert_eq!(page["distance_m"], 3000.0, "the default distance");
    assert_eq!(page["origin"]["class"], "safe_use");
    assert!(page.get("note_en").is_none(), "a safe-use unit is what tracing is for");
    assert_eq!(ids(page), ["TR-S500", PLANT, "TR-S1200", "TR-P2000"], "nearest first, the 3.5 km source left out");
    close(distance(page, "TR-S500"), 500.0, "source");
    close(distance(page, PLANT), 800.0, "key unit's site");
    close(distance(page, "TR-S1200"), 1200.0, "source");
    close(distance(page, "TR-P2000"), 2000.0, "pond");
    assert_eq!(page["counts"], json!({"pollution_sources": 2, "tailings_ponds": 1, "key_supervised_units": 1}));

    let first = &page["features"][0];
    assert_eq!(first["geometry"]["type"], "Point");
    let p = &first["properties"];
    assert_eq!(p["collection"], "pollution_sources");
    assert_eq!(p["pollutants"], json!(["Cd", "Pb"]), "pollutants as a list");
    assert_eq!((p["kind"].as_str(), p["state"].as_str()), (Some("legacy_solid_waste"), Some("rectifying")));
    assert_eq!(p["direction"], "N", "{p}");
    assert!(p["href"].as_str().unwrap().ends_with("/collections/pollution_sources/items/TR-S500"), "{p}");
    let followed = t.get(first["links"][0]["href"].as_str().unwrap().trim_start_matches("http://test.local")).await;
    assert_eq!(followed.status, 200, "the link leads to the source");
    let key = &page["features"][1];
    assert_eq!(key["geometry"]["type"], "MultiPolygon");
    assert_eq!(
        (key["properties"]["industry"].as_str(), key["properties"]["direction"].as_str()),
        (Some("2619"), Some("S"))
    );
    assert_eq!(page["features"][3]["properties"]["level"], 2);

    // a wider search takes in the far source; a narrower one only the nearest
    let wide = t.get(&format!("{UNITS}/TR-SAFE/nearby-sources?distance_m=4000")).await;
    assert_eq!(ids(&wide.body).last().map(String::as_str), Some("TR-S3500"));
    close(distance(&wide.body, "TR-S3500"), 3500.0, "far source");
    let narrow = t.get(&format!("{UNITS}/TR-SAFE/nearby-sources?distance_m=600")).await;
    assert_eq!(ids(&narrow.body), ["TR-S500"]);

    // as of a day before the sources were registered, the unit stood alone; before the unit, it was unknown
    let before = t.get(&format!("{UNITS}/TR-SAFE/nearby-sources?as_of=2024-06-30")).await;
    assert_eq!(before.status, 200, "{}", before.text);
    assert_eq!(ids(&before.body), Vec::<String>::new());
    assert_eq!(before.body["as_of"], "2024-06-30");
    let unknown_then = t.get(&format!("{UNITS}/TR-SAFE/nearby-sources?as_of=2020-01-01")).await;
    assert_eq!(unknown_then.status, 404, "{}", unknown_then.text);
    assert!(unknown_then.body["detail_zh"].as_str().is_some());

    // a priority-protection unit is answered, with a note that it is not polluted
    post(&t, UNITS, &unit("TR-PRIO", "priority_protection", rect(LON + 0.005, SOUTH, LON + 0.006, NORTH))).await;
    let prio = t.get(&format!("{UNITS}/TR-PRIO/nearby-sources")).await;
    assert_eq!(prio.status, 200, "{}", prio.text);
    assert!(prio.body["note_en"].as_str().unwrap().contains("priority-protection"), "{}", prio.text);
    assert!(prio.body["note_zh"].as_str().unwrap().contains("优先保护类"), "{}", prio.text);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_source_traces_the_farmland_around_it_by_class(pool: PgPool) {
    let t = app(pool).await;
    registers(&t).await;
    // two more units north of the 500 m source (at 24.354 + 500 m): strict control 300 m beyond it, priority
    // protection 1500 m beyond it
    let s = north(NORTH, 500.0);
    let strict_south = north(s, 300.0);
    post(
        &t,
        UNITS,
        &unit("TR-STRICT", "strict_control", rect(LON, strict_south, LON + 0.004, north(strict_south, 200.0))),
    )
    .await;
    let prio_south = north(s, 1500.0);
    post(
        &t,
        UNITS,
        &unit("TR-PRIO", "priority_protection", rect(LON, prio_south, LON + 0.004, north(prio_south, 100.0))),
    )
    .await;

    let r = t.get(&format!("{SOURCES}/TR-S500/nearby-farmland")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let page = &r.body;
    assert_eq!(ids(page), ["TR-STRICT", "TR-SAFE", "TR-PRIO"], "nearest first");
    close(distance(page, "TR-STRICT"), 300.0, "strict-control unit");
    close(distance(page, "TR-SAFE"), 500.0, "safe-use unit");
    close(distance(page, "TR-PRIO"), 1500.0, "priority unit");
    assert_eq!(page["origin"]["name"], "TR-S500 历史遗留废渣");
    let area = |id: &str| {
        let f = page["features"].as_array().unwrap().iter().find(|f| f["properties"]["id"] == id).unwrap();
        f["properties"]["area_m2"].as_f64().unwrap()
    };
    let summary = &page["summary"];
    assert_eq!(summary["units"], 3);
    let by_class: Vec<(String, i64, f64)> = summary["by_class"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["class"].as_str().unwrap().into(), c["units"].as_i64().unwrap(), c["area_m2"].as_f64().unwrap()))
        .collect();
    assert_eq!(
        by_class,
        [
            ("priority_protection".to_string(), 1, area("TR-PRIO")),
            ("safe_use".to_string(), 1, area("TR-SAFE")),
            ("strict_control".to_string(), 1, area("TR-STRICT"))
        ]
    );
    let total = area("TR-PRIO") + area("TR-SAFE") + area("TR-STRICT");
    assert!((summary["area_m2"].as_f64().unwrap() - total).abs() < 0.2, "{summary}");
    assert!((summary["area_mu"].as_f64().unwrap() - total * 15.0 / 10_000.0).abs() < 0.01, "{summary}");
    assert!((summary["polluted_m2"].as_f64().unwrap() - area("TR-SAFE") - area("TR-STRICT")).abs() < 0.2);
    close(summary["nearest_m"].as_f64().unwrap(), 300.0, "nearest");
    // the TR-SAFE square is 0.004° by 0.004°: about 406 m by 443 m
    assert!((area("TR-SAFE") - 180_000.0).abs() < 3_000.0, "{}", area("TR-SAFE"));

    // from a pond and from a key unit's site too
    // the pond (2000 m north of TR-SAFE) lies inside TR-PRIO, and 1000 m north of TR-STRICT
    let pond = t.get(&format!("{PONDS}/TR-P2000/nearby-farmland?distance_m=999")).await;
    assert_eq!(pond.status, 200, "{}", pond.text);
    assert_eq!(ids(&pond.body), ["TR-PRIO"], "{}", pond.text);
    assert_eq!(distance(&pond.body, "TR-PRIO"), 0.0);
    let pond = t.get(&format!("{PONDS}/TR-P2000/nearby-farmland?distance_m=1001")).await;
    assert_eq!(ids(&pond.body), ["TR-PRIO", "TR-STRICT"], "{}", pond.text);
    assert_eq!(pond.body["features"][1]["properties"]["direction"], "S");
    let key = t.get(&format!("{KEY_UNITS}/{PLANT}/nearby-farmland?distance_m=1000")).await;
    assert_eq!(key.status, 200, "{}", key.text);
    assert_eq!(ids(&key.body), ["TR-SAFE"]);
    close(distance(&key.body, "TR-SAFE"), 800.0, "key unit to unit");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn bad_distances_and_unknown_features_are_problems(pool: PgPool) {
    let t = app(pool).await;
    registers(&t).await;
    for bad in ["20001", "-1", "abc", "NaN"] {
        let r = t.get(&format!("{UNITS}/TR-SAFE/nearby-sources?distance_m={bad}")).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(r.body["parameter"], "distance_m", "{}", r.text);
        assert!(r.body["detail_zh"].as_str().unwrap().contains("distance_m"), "{}", r.text);
        let r = t.get(&format!("{SOURCES}/TR-S500/nearby-farmland?distance_m={bad}")).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
    }
    let too_far = t.get(&format!("{UNITS}/TR-SAFE/nearby-sources?distance_m=20001")).await;
    assert!(too_far.body["detail"].as_str().unwrap().contains("20000"), "{}", too_far.text);
    assert_eq!(t.get(&format!("{UNITS}/TR-SAFE/nearby-sources?distance_m=20000")).await.status, 200);
    assert_eq!(t.get(&format!("{UNITS}/TR-SAFE/nearby-sources?radius=5")).await.status, 400);
    assert_eq!(t.get(&format!("{UNITS}/TR-SAFE/nearby-sources?as_of=yesterday")).await.status, 400);

    for path in [
        format!("{UNITS}/NO-SUCH-UNIT/nearby-sources"),
        format!("{SOURCES}/NO-SUCH-SOURCE/nearby-farmland"),
        format!("{PONDS}/NO-SUCH-POND/nearby-farmland"),
        // tracing starts from the registers it is meant for only
        format!("{SOURCES}/TR-S500/nearby-sources"),
        format!("{UNITS}/TR-SAFE/nearby-farmland"),
        "/collections/no_such_collection/items/X/nearby-farmland".to_string(),
    ] {
        let r = t.get(&path).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"), "{path}");
    }
    let r = t.get(&format!("{UNITS}/NO-SUCH-UNIT/nearby-sources")).await;
    assert!(r.body["detail_zh"].as_str().unwrap().contains("NO-SUCH-UNIT"), "{}", r.text);
}

async fn check(t: &TestApp, kind: &str, body: Value) -> Value {
    let r = t.send("POST", &format!("/checks/{kind}"), None, &[], Some(body.to_string())).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

fn reason<'a>(answer: &'a Value, rule: &str) -> Option<&'a Value> {
    answer["reasons"].as_array().unwrap().iter().find(|r| r["rule"] == rule)
}

fn examined<'a>(answer: &'a Value, what: &str) -> &'a Value {
    answer["examined"].as_array().unwrap().iter().find(|e| e["what"] == what).unwrap_or_else(|| panic!("{answer}"))
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_site_over_a_key_units_land_is_key_unit_land(pool: PgPool) {
    let t = app(pool).await;
    registers(&t).await;
    // a site inside the key unit's polygon, where no parcel is registered at all
    let k_north = north(SOUTH, -800.0);
    let site = rect(LON + 0.0005, north(k_north, -200.0), LON + 0.0015, north(k_north, -100.0));
    let rule = "key_unit_survey_before_change_or_transfer";
    for (kind, body) in [
        ("land-supply", json!({"geometry": site, "supply": "transfer"})),
        ("rezoning", json!({"geometry": site, "current_use": "1001", "proposed_use": "0901"})),
        ("eia-site", json!({"geometry": site, "project_kind": "other"})),
    ] {
        let a = check(&t, kind, body).await;
        assert_ne!(a["decision"], "allowed", "{kind}: {a}");
        let r = reason(&a, rule).unwrap_or_else(|| panic!("{kind}: {a}"));
        assert_eq!(r["decision"], "conditional");
        assert!(r["basis"].as_str().unwrap().contains("第六十七条"), "{r}");
        assert!(r["message_zh"].as_str().unwrap().contains("柳城县某磷化工有限公司"), "{r}");
        assert!(r["message_zh"].as_str().unwrap().contains(PLANT), "{r}");
        assert!(r["message_en"].as_str().unwrap().contains(PLANT), "{r}");
        assert_eq!(r["features"][0]["collection"], "key_supervised_units", "{r}");
        assert_eq!(r["features"][0]["id"], PLANT);
        assert!(examined(&a, "key_units")["en"].as_str().unwrap().contains(PLANT), "{a}");
    }
    // a unit on no list by the date is not (yet) a key supervised unit: no reason, and the answer says why
    let other = rect(LON + 0.01, SOUTH, LON + 0.012, SOUTH + 0.002);
    post(&t, KEY_UNITS, &key_unit(SMELTER, other.clone(), json!([2026]))).await;
    let inside = rect(LON + 0.0105, SOUTH + 0.0005, LON + 0.0115, SOUTH + 0.0015);
    let not_yet =
        check(&t, "land-supply", json!({"geometry": inside, "supply": "transfer", "as_of": "2025-06-30"})).await;
    assert!(reason(&not_yet, rule).is_none(), "{not_yet}");
    assert!(examined(&not_yet, "key_units")["en"].as_str().unwrap().contains("not on any list"), "{not_yet}");
    let listed =
        check(&t, "land-supply", json!({"geometry": inside, "supply": "transfer", "as_of": "2026-06-30"})).await;
    assert_eq!(reason(&listed, rule).unwrap()["features"][0]["id"], SMELTER, "{listed}");

    // elsewhere the answer says it found no key unit's site
    let away = check(
        &t,
        "land-supply",
        json!({"geometry": rect(LON, SOUTH, LON + 0.001, SOUTH + 0.001), "supply": "transfer"}),
    )
    .await;
    assert!(reason(&away, rule).is_none(), "{away}");
    assert!(examined(&away, "key_units")["en"].as_str().unwrap().contains("No key supervised unit"), "{away}");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_heavy_metal_eia_names_the_sources_around_it(pool: PgPool) {
    let t = app(pool).await;
    registers(&t).await;
    // closed-out sources are no longer sources
    post(&t, SOURCES, &source("TR-DONE", LON + 0.001, north(NORTH, 700.0), json!(["Pb"]), "closed_out")).await;
    // a heavy-metal site 600 m north of the safe-use unit (in Liuzhou): the unit is within 1000 m, so are
    // the 500 m and 1200 m sources (100 m and 500 m from the site), not the 3.5 km one
    let south = north(NORTH, 600.0);
    let site = rect(LON, south, LON + 0.002, north(south, 100.0));
    let a = check(&t, "eia-site", json!({"geometry": site, "project_kind": "heavy_metal"})).await;
    let r = reason(&a, "heavy_metal_project_near_farmland").unwrap_or_else(|| panic!("{a}"));
    let features: Vec<(String, String)> = r["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["collection"].as_str().unwrap().into(), f["id"].as_str().unwrap().into()))
        .collect();
    assert_eq!(
        features,
        [
            ("farmland_units".to_string(), "TR-SAFE".to_string()),
            ("pollution_sources".to_string(), "TR-S500".to_string()),
            ("pollution_sources".to_string(), "TR-S1200".to_string())
        ],
        "{r}"
    );
    let s500 = r["features"][1]["distance_m"].as_f64().unwrap();
    close(s500, 100.0, "source to site");
    assert!(
        r["message_zh"].as_str().unwrap().contains("TR-S500") && r["message_zh"].as_str().unwrap().contains("Cd、Pb"),
        "{r}"
    );
    assert!(r["message_en"].as_str().unwrap().contains("cumulative analysis must include them"), "{r}");
    assert!(examined(&a, "sources_nearby")["en"].as_str().unwrap().starts_with("2 heavy-metal"), "{a}");

    // far from every source, the answer says it looked
    let lone = rect(LON + 0.05, SOUTH, LON + 0.051, SOUTH + 0.001);
    let a = check(&t, "eia-site", json!({"geometry": lone, "project_kind": "heavy_metal"})).await;
    assert!(
        examined(&a, "sources_nearby")["en"].as_str().unwrap().starts_with("No heavy-metal pollution source"),
        "{a}"
    );
}
