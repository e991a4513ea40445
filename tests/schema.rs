//! The feature schema (`/collections/{id}/schema`) over HTTP: what the map builds its forms from.

mod common;

use common::*;
use serde_json::json;
use sqlx::PgPool;

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_schema_describes_each_collection(pool: PgPool) {
    let t = app(pool).await;
    let r = t.get("/collections/construction_parcels/schema").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/schema+json"));
    let p = &r.body["properties"];
    assert_eq!(p["parcel_code"]["x-ogc-role"], "id");
    assert_eq!(p["county_code"]["title"], "县级行政区划代码");
    assert_eq!(p["county_code"]["description"], "county code");
    assert_eq!(p["use_code_system"]["x-names"]["ydyh2023"], "用地用海分类（2023）");
    assert_eq!(p["rcr_listed"]["readOnly"], true);
    assert_eq!(p["valid_from"]["format"], "date");
    assert_eq!(r.body["required"], json!(["parcel_code", "county_code", "name"]));
    assert_eq!(r.body["x-lifecycle"]["next"]["surveying"], json!(["cleared", "risk_assessment"]));
    assert_eq!(r.body["x-lifecycle"]["initial"], "suspected");

    let r = t.get("/collections/farmland_units/schema").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["properties"]["land_type"]["x-names"]["0101"], "水田");
    assert!(r.body.get("x-lifecycle").is_none());

    // the collection links to it
    let r = t.get("/collections/farmland_units").await;
    let links = r.body["links"].as_array().unwrap();
    assert!(links.iter().any(|l| l["rel"] == "describedby" && l["href"].as_str().unwrap().ends_with("/schema")));

    assert_eq!(t.get("/collections/nope/schema").await.status, 404);
    assert_eq!(t.get("/collections/farmland_units/schema?f=html").await.status, 400);
    assert_eq!(t.get("/collections/farmland_units/schema?colour=1").await.status, 400);
}
