//! A collection made from a description alone: the test describes a register the service has never heard of
//! (sites of a made-up survey), creates its table with the migration's `landguard_versioned_table`, and the
//! service serves it everywhere: writes with ETags, items with CQL2 and sortby, a single feature with its
//! links, queryables, history, a vector tile, the OpenAPI document, an import from a file and an export.
//! Nothing in src/ names this collection.

mod common;

use common::*;
use geozero::mvt::{Message, Tile};
use landguard::config::Settings;
use landguard::domain::collection::{
    self, Collection, Description, GeometryKind, Input, Kind, Label, Property, Record, Tile as InTile,
};
use landguard::export::{self, ExportOptions};
use landguard::import::{self, ImportOptions};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::sync::OnceLock;

fn no_cross_checks(_: &mut Record, _: &landguard::domain::registry::FeatureLimits) -> Vec<(&'static str, String)> {
    Vec::new()
}

const fn prop(name: &'static str, kind: Kind, input: Input, tile: InTile) -> Property {
    Property { name, kind, label: Label { zh: "测试", en: name }, input, values: &[], check: None, tile }
}

static SITES: Description = Description {
    name: "survey_sites",
    table: "survey_site_versions",
    id_property: "site_code",
    label: Label { zh: "调查点位", en: "Survey sites" },
    geometry: GeometryKind::Polygon,
    lifecycle: None,
    properties: &[
        Property {
            check: Some(collection::check_code),
            ..prop("site_code", Kind::Text, Input::Required, InTile::Always)
        },
        Property {
            check: Some(collection::check_county_code),
            ..prop("county_code", Kind::Text, Input::Required, InTile::Full)
        },
        Property {
            values: &[("soil", "土壤"), ("water", "地下水")],
            check: Some(|s| match s {
                "soil" | "water" => Ok(s.to_string()),
                _ => Err(format!("must be soil or water, not '{s}'")),
            }),
            ..prop("medium", Kind::Text, Input::Required, InTile::Always)
        },
        prop("depth_cm", Kind::Int, Input::Optional, InTile::Full),
        prop("valid_from", Kind::Date, Input::Defaulted(collection::DefaultValue::Today), InTile::No),
        prop("area_m2", Kind::Number, Input::Computed("round(v.area_m2::numeric, 2)"), InTile::No),
    ],
    validate: no_cross_checks,
    // opted in to low-zoom tiles from a stored geometry (the migration below adds it)
    tile_z12: true,
    // and to its features rendered on write (the call below, made from this description)
    feature_json: true,
};

/// The migration a new register would ship.
const MIGRATION: &str = "SELECT landguard_versioned_table('survey_sites', 'survey_site_versions', 'site_code', \
    $$county_code text NOT NULL, medium text NOT NULL CHECK (medium IN ('soil', 'water')), depth_cm bigint$$)";

fn sites() -> Collection {
    static C: OnceLock<Collection> = OnceLock::new();
    *C.get_or_init(|| collection::register(&SITES).expect("survey_sites registers"))
}

fn site(code: &str, medium: &str, depth: i64, geometry: Value) -> Value {
    json!({"type": "Feature", "geometry": geometry,
           "properties": {"site_code": code, "county_code": "450222", "medium": medium, "depth_cm": depth}})
}

const ITEMS: &str = "/collections/survey_sites/items";

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_collection_from_its_description_alone(pool: PgPool) {
    let c = sites();
    sqlx::query(MIGRATION).execute(&pool).await.unwrap();
    sqlx::query("SELECT landguard_tile_geometry('survey_site_versions')").execute(&pool).await.unwrap();
    let rendered = landguard::store::items::feature_json_call(c);
    sqlx::query(&rendered).execute(&pool).await.unwrap();
    let t = app_with(pool, Settings::default()).await;

    // writes, with the description's checks and ETags
    let mut first = site("S-1", "soil", 20, square(109.400, 24.350, 0.002));
    first["properties"]["valid_from"] = json!("2024-01-01");
    let created = t.write("POST", ITEMS, &first).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert!(created.body["properties"]["area_m2"].as_f64().unwrap() > 30_000.0);
    let etag = created.header("etag").unwrap().to_string();
    let bad = t.write("POST", ITEMS, &site("S-2", "air", 20, square(109.404, 24.350, 0.002))).await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert!(bad.text.contains("/properties/medium") && bad.text.contains("soil or water"), "{}", bad.text);
    assert_eq!(t.write("POST", ITEMS, &site("S-2", "water", 300, square(109.404, 24.350, 0.002))).await.status, 201);
    let mut changed = site("S-1", "soil", 40, square(109.400, 24.350, 0.002));
    changed["properties"]["valid_from"] = json!("2025-06-01");
    let stale = t.write_if("PUT", &format!("{ITEMS}/S-1"), "\"v999999\"", &changed).await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    let put = t.write_if("PUT", &format!("{ITEMS}/S-1"), &etag, &changed).await;
    assert_eq!(put.status, 200, "{}", put.text);

    // items with CQL2 and sortby on its own properties
    let page = t.get(&format!("{ITEMS}?filter=medium%3D%27water%27")).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(page.body["features"].as_array().unwrap().len(), 1);
    assert_eq!(page.body["features"][0]["id"], "S-2");
    let sorted = t.get(&format!("{ITEMS}?sortby=-depth_cm")).await;
    let ids: Vec<&str> =
        sorted.body["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["S-2", "S-1"]);

    // a single feature with its links; as of a date before the change; history
    let one = t.get(&format!("{ITEMS}/S-1")).await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.body["properties"]["depth_cm"], 40);
    assert!(one.body["links"].as_array().unwrap().iter().any(|l| l["rel"] == "collection"));
    let before = t.get(&format!("{ITEMS}/S-1?datetime=2025-01-01")).await;
    assert_eq!(before.body["properties"]["depth_cm"], 20, "{}", before.text);
    let history = t.get(&format!("{ITEMS}/S-1/history")).await;
    assert_eq!(history.body["versions"].as_array().unwrap().len(), 2, "{}", history.text);

    // the catalogue, queryables and the OpenAPI document know it
    let coll = t.get("/collections/survey_sites").await;
    assert_eq!(coll.status, 200);
    assert!(coll.body["title"].as_str().unwrap().contains("调查点位"));
    let q = t.get("/collections/survey_sites/queryables").await;
    assert_eq!(q.body["properties"]["medium"]["enum"], json!(["soil", "water"]));
    assert_eq!(q.body["properties"]["depth_cm"]["type"], "integer");
    let api = t.get("/api").await;
    assert!(api.text.contains("survey_sites"), "the OpenAPI document lists the collection");

    // a vector tile with the description's tile properties
    let (z, x, y) = tile_of(109.401, 24.351, 14);
    let tile = t.send_raw("GET", &format!("/collections/survey_sites/tiles/WebMercatorQuad/{z}/{y}/{x}"), &[]).await;
    let decoded = Tile::decode(tile.as_slice()).expect("an MVT");
    let layer = decoded.layers.iter().find(|l| l.name == "survey_sites").expect("the layer");
    assert!(!layer.features.is_empty());
    assert!(layer.keys.iter().any(|k| k == "medium") && layer.keys.iter().any(|k| k == "depth_cm"), "{:?}", layer.keys);
    // and at zoom 12, cut from the stored geometry the description opted in to
    let (z, x, y) = tile_of(109.401, 24.351, 12);
    let tile = t.send_raw("GET", &format!("/collections/survey_sites/tiles/WebMercatorQuad/{z}/{y}/{x}"), &[]).await;
    let decoded = Tile::decode(tile.as_slice()).expect("an MVT");
    let layer = decoded.layers.iter().find(|l| l.name == "survey_sites").expect("the layer at z12");
    assert!(!layer.features.is_empty());
    assert!(landguard::store::tiles::tile_sql(sites(), landguard::domain::time::AsOf::Current, 12).contains("tile_z12"));

    // import from a file, then export what is there
    let dir = Dir::new("house");
    let file = dir.path("sites.geojson");
    let fc = json!({"type": "FeatureCollection", "features": [
        site("S-3", "soil", 10, square(109.408, 24.350, 0.002)),
        site("S-4", "water", 500, square(109.412, 24.350, 0.002)),
    ]});
    std::fs::write(&file, fc.to_string()).unwrap();
    let report = import::run(&t.store, &ImportOptions::new(&file, c)).await.expect("the import is accepted");
    assert_eq!(report.created, 2, "{report}");
    assert_eq!(t.get(ITEMS).await.body["features"].as_array().unwrap().len(), 4);
    let out = dir.path("out.geojson");
    export::run(&t.store, &ExportOptions::new(c, &out)).await.expect("the export runs");
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(written["features"].as_array().unwrap().len(), 4);
    assert!(written["features"].as_array().unwrap().iter().any(|f| f["properties"]["medium"] == "water"));
    // every version's feature was rendered on write, as the page renders it
    let (differ,): (i64,) = sqlx::query_as(&format!(
        "SELECT count(*) FILTER (WHERE feature_json IS DISTINCT FROM ({})) FROM survey_site_versions v",
        landguard::store::items::stored_rendering(c)
    ))
    .fetch_one(&t.store.pool)
    .await
    .unwrap();
    assert_eq!(differ, 0);
    assert!(t.get(ITEMS).await.text.contains(r#""medium" : "water""#));
}

static WELLS: Description = Description {
    name: "monitoring_wells",
    table: "monitoring_well_versions",
    id_property: "well_code",
    label: Label { zh: "地下水监测井", en: "Monitoring wells" },
    geometry: GeometryKind::Point,
    lifecycle: None,
    properties: &[
        Property {
            check: Some(collection::check_code),
            ..prop("well_code", Kind::Text, Input::Required, InTile::Always)
        },
        Property {
            check: Some(collection::check_county_code),
            ..prop("county_code", Kind::Text, Input::Required, InTile::Full)
        },
        prop("depth_m", Kind::Number, Input::Optional, InTile::Always),
        prop("valid_from", Kind::Date, Input::Defaulted(collection::DefaultValue::Today), InTile::No),
    ],
    validate: no_cross_checks,
    tile_z12: false,
    feature_json: false,
};

fn wells() -> Collection {
    static C: OnceLock<Collection> = OnceLock::new();
    *C.get_or_init(|| collection::register(&WELLS).expect("monitoring_wells registers"))
}

fn well(code: &str, lon: f64, lat: f64, depth: f64) -> Value {
    json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
           "properties": {"well_code": code, "county_code": "450222", "depth_m": depth}})
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_point_collection_from_its_description(pool: PgPool) {
    let c = wells();
    sqlx::query(
        "SELECT landguard_versioned_table('monitoring_wells', 'monitoring_well_versions', 'well_code', \
         $$county_code text NOT NULL, depth_m double precision$$, 'Point')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let t = app_with(pool, Settings::default()).await;
    let items = "/collections/monitoring_wells/items";
    let created = t.write("POST", items, &well("W-1", 109.401, 24.351, 12.5)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["geometry"]["type"], "Point");
    let polygon = json!({"type": "Feature", "geometry": square(109.40, 24.35, 0.001),
                         "properties": {"well_code": "W-2", "county_code": "450222"}});
    let refused = t.write("POST", items, &polygon).await;
    assert_eq!(refused.status, 400);
    assert!(refused.text.contains("must be a Point"), "{}", refused.text);
    let abroad = t.write("POST", items, &well("W-3", 24.351, 109.401, 3.0)).await;
    assert_eq!(abroad.status, 400);
    assert!(abroad.text.contains("axes look swapped"), "{}", abroad.text);

    let q = t.get("/collections/monitoring_wells/queryables").await;
    assert_eq!(q.body["properties"]["geometry"]["format"], "geometry-point");
    let near = t.get(&format!("{items}?bbox=109.39,24.34,109.41,24.36")).await;
    assert_eq!(near.body["features"].as_array().unwrap().len(), 1, "{}", near.text);
    let (z, x, y) = tile_of(109.401, 24.351, 14);
    let tile =
        t.send_raw("GET", &format!("/collections/monitoring_wells/tiles/WebMercatorQuad/{z}/{y}/{x}"), &[]).await;
    let decoded = Tile::decode(tile.as_slice()).expect("an MVT");
    let layer = decoded.layers.iter().find(|l| l.name == "monitoring_wells").expect("the layer");
    assert_eq!(layer.features.len(), 1, "a point is drawn at every zoom");
    assert_eq!(layer.features[0].r#type, Some(1), "an MVT point");

    let dir = Dir::new("wells");
    let file = dir.path("wells.geojson");
    let fc = json!({"type": "FeatureCollection", "features": [well("W-4", 109.41, 24.36, 30.0), well("W-5", 109.42, 24.37, 45.0)]});
    std::fs::write(&file, fc.to_string()).unwrap();
    let report = import::run(&t.store, &ImportOptions::new(&file, c)).await.expect("the import is accepted");
    assert_eq!(report.created, 2, "{report}");
    let out = dir.path("out.gpkg");
    export::run(&t.store, &ExportOptions::new(c, &out)).await.expect("the export runs");
    let info = std::process::Command::new("ogrinfo").args(["-so", "-al", out.to_str().unwrap()]).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("Geometry: Point") && info.contains("Feature Count: 3"), "{info}");
}
