//! Receipts of access-rule checks (ids, self links, answers kept as sent) and where a check's query lies:
//! never `allowed` outside the counties the registry covers.

mod common;

use common::*;
use serde_json::{json, Value};
use sqlx::PgPool;

const PARCELS: &str = "/collections/construction_parcels/items";

/// Registers a parcel and walks it through the lifecycle to the last of `states`.
async fn parcel_in(t: &TestApp, code: &str, geom: Value, states: &[&str]) {
    let r = t.write("POST", PARCELS, &parcel(code, geom)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    for (i, s) in states.iter().enumerate() {
        let date = format!("2021-{:02}-01", i + 2);
        let r = t.write("POST", &format!("{PARCELS}/{code}/transitions"), &json!({"to": s, "date": date, "document": format!("柳环函〔2021〕{}号", i + 1)})).await;
        assert_eq!(r.status, 200, "{code} -> {s}: {}", r.text);
    }
}

/// A lon/lat geometry in EPSG:4545 as PostGIS, ogr2ogr and QGIS write it: easting, northing.
async fn to_4545_easting_first(t: &TestApp, g: &Value) -> Value {
    let text: String = sqlx::query_scalar("SELECT ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4490), 4545), 3)")
        .bind(g.to_string())
        .fetch_one(&t.store.pool)
        .await
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_red_line_in_epsg4545_sent_easting_first_is_not_allowed(pool: PgPool) {
    let t = app(pool).await;
    // a listed parcel in Liuzhou's 城中区: housing on it is denied
    parcel_in(&t, "LZ-AX", square(109.40, 24.35, 0.002), &["surveying", "risk_assessment", "listed"]).await;
    let red_line = to_4545_easting_first(&t, &square(109.4005, 24.3505, 0.001)).await;
    assert!(red_line["coordinates"][0][0][0].as_f64().unwrap() < 1e6, "easting first: {red_line}");
    // housing to housing: no survey is due, so in the sea nothing at all would stand in the way
    let body = json!({"geometry": red_line, "crs": "http://www.opengis.net/def/crs/EPSG/0/4545", "proposed_use": "070101", "current_use": "070102"});
    let r = t.send("POST", "/checks/rezoning", None, &[], Some(body.to_string())).await;
    // read northing first, as the CRS defines, it lies in the sea at about 127.7°E 5.4°N, where nothing is
    // registered: it must not come back allowed
    assert_ne!(r.body["decision"], "allowed", "{}", r.text);
    // the swap is unambiguous (a northing where the easting belongs): read the other way round, and said
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["decision"], "denied", "{}", r.text);
    assert_eq!(r.body["reasons"][0]["features"][0]["id"], "LZ-AX", "{}", r.text);
    let location = &r.body["location"];
    assert_eq!(location["axes_swapped"], true, "{}", r.text);
    assert!(location["note_en"].as_str().unwrap().contains("easting first"), "{}", r.text);
    assert!(location["note_zh"].as_str().unwrap().contains("东坐标在前"), "{}", r.text);
    assert_eq!(location["counties"], json!([{"code": "450202", "name": "城中区"}]), "{}", r.text);
    let p = &location["point"]["coordinates"];
    assert!((p[0].as_f64().unwrap() - 109.401).abs() < 0.001 && (p[1].as_f64().unwrap() - 24.351).abs() < 0.001, "{}", r.text);
}
