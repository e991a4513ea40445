//! The source-control registers over HTTP and PostGIS: key supervised units (sites), pollution sources and
//! tailings ponds (points), served from their descriptions like every collection, with the checks their
//! descriptions make, and a GBK Shapefile of ponds with Chinese field names and values imported.

mod common;

use common::*;
use geozero::mvt::{Message, Tile};
use landguard::domain::collection::Collection;
use landguard::import::{self, ImportOptions};
use serde_json::{json, Value};
use sqlx::PgPool;
use std::process::Command;

// Codes with a valid GB 32100 check character.
const PLANT: &str = "91450222MA5KX00010";
const SMELTER: &str = "91450222MA5KX00023";

fn point(lon: f64, lat: f64) -> Value {
    json!({"type": "Point", "coordinates": [lon, lat]})
}

fn key_unit(code: &str, years: Value) -> Value {
    json!({"type": "Feature", "geometry": square(109.40, 24.35, 0.004), "properties": {
        "enterprise_code": code, "name": "柳城县某磷化工有限公司", "county_code": "450222", "industry": "2619",
        "listed_years": years, "list_doc": "柳环发〔2025〕9号", "buried_facilities": true, "status": "operating"}})
}

fn source(code: &str, list: &str, state: &str, pollutants: Value, lon: f64) -> Value {
    json!({"type": "Feature", "geometry": point(lon, 24.36), "properties": {
        "source_code": code, "name": format!("{code} 历史遗留废渣"), "county_code": "450222",
        "kind": "legacy_solid_waste", "pollutants": pollutants, "list": list, "state": state,
        "deadline": "2026-12-31", "plan_doc": "柳城环〔2025〕3号"}})
}

fn pond(code: &str, level: i64, lon: f64) -> Value {
    json!({"type": "Feature", "geometry": point(lon, 24.37), "properties": {
        "pond_code": code, "name": format!("{code} 尾矿库"), "county_code": "450225", "operator": "某矿业公司",
        "level": level, "level_doc": "桂环函〔2025〕101号", "safety_class": 4, "safety_rating": "normal",
        "status": "operating"}})
}

fn ids(page: &Value) -> Vec<String> {
    page["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_string()).collect()
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_three_registers_are_served_from_their_descriptions(pool: PgPool) {
    let t = app(pool).await;
    let units = "/collections/key_supervised_units/items";
    let sources = "/collections/pollution_sources/items";
    let ponds = "/collections/tailings_ponds/items";

    // a key unit's site; its years as an array, stored sorted, and its code checked as GB 32100 says
    let mut unit = key_unit(&PLANT.to_lowercase(), json!([2025, 2023, 2024]));
    unit["properties"]["valid_from"] = json!("2025-04-01");
    let created = t.write("POST", units, &unit).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["id"], PLANT, "stored in capitals");
    assert_eq!(created.body["properties"]["listed_years"], json!([2023, 2024, 2025]));
    assert!(created.body["properties"]["area_m2"].as_f64().unwrap() > 100_000.0);
    let etag = created.header("etag").unwrap().to_string();
    let typo = t.write("POST", units, &key_unit("91450222MA5KX00011", json!([2024]))).await;
    assert_eq!(typo.status, 400, "{}", typo.text);
    assert!(typo.text.contains("/properties/enterprise_code"), "{}", typo.text);
    let mut no_doc = key_unit(SMELTER, json!([2024]));
    no_doc["properties"]["list_doc"] = Value::Null;
    let refused = t.write("POST", units, &no_doc).await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert!(refused.text.contains("/properties/list_doc"), "{}", refused.text);

    // sources: pollutants as an array or Chinese names; only a source to remediate moves past listed
    assert_eq!(
        t.write("POST", sources, &source("S-1", "remediation", "rectifying", json!(["Pb", "Cd"]), 109.40)).await.status,
        201
    );
    let s2 = t.write("POST", sources, &source("S-2", "screened", "listed", json!("砷、汞"), 109.41)).await;
    assert_eq!(s2.status, 201, "{}", s2.text);
    assert_eq!(s2.body["properties"]["pollutants"], json!(["Hg", "As"]));
    let wrong_list = t.write("POST", sources, &source("S-3", "screened", "rectified", json!(["Cd"]), 109.42)).await;
    assert_eq!(wrong_list.status, 400, "{}", wrong_list.text);
    assert!(wrong_list.text.contains("/properties/list"), "{}", wrong_list.text);
    let mut closed = source("S-3", "remediation", "closed_out", json!(["Cd"]), 109.42);
    closed["properties"]["closed_out_doc"] = json!("柳城环〔2024〕30号");
    assert_eq!(t.write("POST", sources, &closed).await.status, 201);
    let mut no_deadline = source("S-5", "remediation", "rectifying", json!(["Cd"]), 109.44);
    no_deadline["properties"]["deadline"] = Value::Null;
    let r = t.write("POST", sources, &no_deadline).await;
    assert_eq!(r.status, 400);
    assert!(r.text.contains("/properties/deadline"), "{}", r.text);
    let unknown = t.write("POST", sources, &source("S-4", "full", "listed", json!(["Fe"]), 109.43)).await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.text.contains("/properties/pollutants"), "{}", unknown.text);

    // ponds: the level is one of the list's, with its document
    for (code, level, lon) in [("P-1", 1, 109.40), ("P-2", 2, 109.41), ("P-3", 3, 109.42)] {
        let r = t.write("POST", ponds, &pond(code, level, lon)).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let level4 = t.write("POST", ponds, &pond("P-4", 4, 109.43)).await;
    assert_eq!(level4.status, 400);
    assert!(level4.text.contains("/properties/level"), "{}", level4.text);
    let mut ownerless = pond("P-5", 3, 109.44);
    ownerless["properties"]["status"] = json!("无主");
    ownerless["properties"]["level_doc"] = Value::Null;
    let r = t.write("POST", ponds, &ownerless).await;
    assert!(r.text.contains("/properties/level_doc") && r.text.contains("/properties/operator"), "{}", r.text);

    // items with CQL2 on each register's own properties
    let cd = t.get(&format!("{sources}?filter=pollutants%20LIKE%20%27%25Cd%25%27&sortby=source_code")).await;
    assert_eq!(cd.status, 200, "{}", cd.text);
    assert_eq!(ids(&cd.body), ["S-1", "S-3"]);
    let level1 = t.get(&format!("{ponds}?filter=level%3D1")).await;
    assert_eq!(ids(&level1.body), ["P-1"], "{}", level1.text);
    let operating = t.get(&format!("{units}?filter=status%3D%27operating%27%20AND%20buried_facilities%3Dtrue")).await;
    assert_eq!(ids(&operating.body), [PLANT], "{}", operating.text);
    let q = t.get("/collections/pollution_sources/queryables").await;
    assert_eq!(q.body["properties"]["state"]["enum"], json!(["listed", "rectifying", "rectified", "closed_out"]));

    // a tile of each layer: ponds as points, the unit's site as a polygon
    let (z, x, y) = tile_of(109.41, 24.37, 14);
    let tile = t.send_raw("GET", &format!("/collections/tailings_ponds/tiles/WebMercatorQuad/{z}/{y}/{x}"), &[]).await;
    let decoded = Tile::decode(tile.as_slice()).expect("an MVT");
    let layer = decoded.layers.iter().find(|l| l.name == "tailings_ponds").expect("the ponds layer");
    assert!(!layer.features.is_empty() && layer.features.iter().all(|f| f.r#type == Some(1)));
    assert!(layer.keys.iter().any(|k| k == "level"), "{:?}", layer.keys);
    let (z, x, y) = tile_of(109.401, 24.351, 14);
    let tile =
        t.send_raw("GET", &format!("/collections/key_supervised_units/tiles/WebMercatorQuad/{z}/{y}/{x}"), &[]).await;
    let decoded = Tile::decode(tile.as_slice()).expect("an MVT");
    let layer = decoded.layers.iter().find(|l| l.name == "key_supervised_units").expect("the units layer");
    assert_eq!(layer.features.first().and_then(|f| f.r#type), Some(3), "an MVT polygon");

    // an ETag write, the unit as of before it, and its history
    let mut stopped = key_unit(PLANT, json!([2023, 2024, 2025]));
    stopped["properties"]["status"] = json!("stopped");
    stopped["properties"]["valid_from"] = json!("2026-03-01");
    assert_eq!(t.write_if("PUT", &format!("{units}/{PLANT}"), "\"v999999\"", &stopped).await.status, 412);
    let put = t.write_if("PUT", &format!("{units}/{PLANT}"), &etag, &stopped).await;
    assert_eq!(put.status, 200, "{}", put.text);
    let before = t.get(&format!("{units}/{PLANT}?datetime=2025-12-31")).await;
    assert_eq!(before.body["properties"]["status"], "operating", "{}", before.text);
    let history = t.get(&format!("{units}/{PLANT}/history")).await;
    assert_eq!(history.body["versions"].as_array().unwrap().len(), 2, "{}", history.text);
}

/// A county's ponds as desktop GIS on a Chinese machine saves them: a Shapefile in GBK with Chinese field
/// names and values, read through a mapping file.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_gbk_shapefile_of_ponds_with_chinese_fields_imports(pool: PgPool) {
    let t = app(pool).await;
    let d = Dir::new("ponds-gbk");
    let features: Vec<Value> = (0..3)
        .map(|i| {
            json!({"type": "Feature", "geometry": point(109.25 + i as f64 * 0.01, 25.06), "properties": {
                "尾矿库编码": format!("450225-WK-{i:03}"), "名称": format!("融水第{i}尾矿库"), "县代码": "450225",
                "运营单位": "融水某选矿厂", "监管级别": (["一级", "二级", "三级"][i]),
                "分级文件": "桂环函〔2025〕101号", "状态": (["在用", "闭库", "在用"][i])}})
        })
        .collect();
    let src = d.path("ponds.geojson");
    std::fs::write(&src, json!({"type": "FeatureCollection", "features": features}).to_string()).unwrap();
    let shp = d.path("ponds.shp");
    let out = Command::new("ogr2ogr")
        .args(["-f", "ESRI Shapefile", shp.to_str().unwrap(), src.to_str().unwrap(), "-lco", "ENCODING=GBK"])
        .output()
        .expect("ogr2ogr (gdal-bin) is installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dbf = std::fs::read(d.path("ponds.dbf")).unwrap();
    assert!(!dbf.windows("尾矿库".len()).any(|w| w == "尾矿库".as_bytes()), "the DBF holds GBK, not UTF-8");

    let mapping = d.path("ponds.toml");
    std::fs::write(
        &mapping,
        r#"
[fields]
"尾矿库编码" = "pond_code"
"名称" = "name"
"县代码" = "county_code"
"运营单位" = "operator"
"监管级别" = "level"
"分级文件" = "level_doc"
"状态" = "status"

[values.level]
"一级" = 1
"二级" = 2
"三级" = 3
"#,
    )
    .unwrap();
    let ponds: Collection = "tailings_ponds".parse().unwrap();
    let o = ImportOptions { mapping: Some(mapping), ..ImportOptions::new(&shp, ponds) };
    let report = import::run(&t.store, &o).await.expect("the import is accepted");
    assert_eq!((report.read, report.created), (3, 3), "{report}");

    // Chinese code-list values (在用, 闭库) are read by the description's own checks
    let row: (String, i64, String) =
        sqlx::query_as("SELECT name, level, status FROM tailings_pond_versions WHERE pond_code = '450225-WK-001'")
            .fetch_one(&t.store.pool)
            .await
            .unwrap();
    assert_eq!(row, ("融水第1尾矿库".to_string(), 2, "closed".to_string()));
    let level1 = t.get("/collections/tailings_ponds/items?filter=level%3D1").await;
    assert_eq!(ids(&level1.body), ["450225-WK-000"], "{}", level1.text);
}

/// A source moves listed → rectifying → rectified → closed_out through the same transitions endpoint as a
/// parcel, by the rules of its own lifecycle, each step with its document; its history keeps every step.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_source_moves_through_its_own_lifecycle(pool: PgPool) {
    let t = app(pool).await;
    let mut s = source("S-9", "remediation", "listed", json!(["Cd"]), 109.40);
    s["properties"]["valid_from"] = json!("2024-01-10");
    assert_eq!(t.write("POST", "/collections/pollution_sources/items", &s).await.status, 201);
    let steps = "/collections/pollution_sources/items/S-9/transitions";

    // a parcel's state, a jump and a missing document are refused
    let parcel_state = t.write("POST", steps, &json!({"to": "under_remediation", "document": "x"})).await;
    assert_eq!(parcel_state.status, 400, "{}", parcel_state.text);
    assert!(parcel_state.text.contains("/to") && parcel_state.text.contains("rectifying"), "{}", parcel_state.text);
    let jump = t.write("POST", steps, &json!({"to": "closed_out", "date": "2024-03-01", "document": "x"})).await;
    assert_eq!(jump.status, 409, "{}", jump.text);
    assert_eq!(jump.body["current_state"], "listed");
    assert_eq!(jump.body["allowed_next_states"], json!(["rectifying"]));
    assert_eq!(t.write("POST", steps, &json!({"to": "rectifying"})).await.status, 400);

    for (to, date, doc) in [
        ("rectifying", "2024-03-01", "柳城环〔2024〕5号 整治方案批复"),
        ("整治完成", "2025-06-30", "整治完成报告"),
        ("closed_out", "2025-09-15", "柳城环〔2025〕30号 销号"),
    ] {
        let r = t.write("POST", steps, &json!({"to": to, "date": date, "document": doc})).await;
        assert_eq!(r.status, 200, "{to}: {}", r.text);
    }
    let now = t.get("/collections/pollution_sources/items/S-9").await;
    assert_eq!(now.body["properties"]["state"], "closed_out");
    let then = t.get("/collections/pollution_sources/items/S-9?datetime=2025-01-01").await;
    assert_eq!(then.body["properties"]["state"], "rectifying", "{}", then.text);
    let history = t.get("/collections/pollution_sources/items/S-9/history").await;
    assert_eq!(history.body["versions"].as_array().unwrap().len(), 4, "{}", history.text);
    let after = t.write("POST", steps, &json!({"to": "listed", "date": "2025-10-01", "document": "x"})).await;
    assert_eq!(after.status, 409, "nothing follows closed_out: {}", after.text);
    assert_eq!(after.body["allowed_next_states"], json!([]));

    // a register without a lifecycle has no transitions
    let ponds = t.write("POST", "/collections/tailings_ponds/items/P-1/transitions", &json!({"to": "closed"})).await;
    assert_eq!(ponds.status, 404, "{}", ponds.text);
}

/// The demo registers load through the same checks as any write, next to the demo farmland.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_demo_registers_load(pool: PgPool) {
    let t = app(pool).await;
    let settings = landguard::config::Settings::default();
    let said = landguard::demo::load(&t.store, std::path::Path::new("fixtures"), &settings).await.unwrap();
    assert!(said.contains("8 key_supervised_units") && said.contains("8 tailings_ponds"), "{said}");
    let plant =
        t.get("/collections/key_supervised_units/items?filter=name%20LIKE%20%27%25%E5%B7%9D%E4%B8%9C%25%27").await;
    assert_eq!(plant.body["features"][0]["properties"]["county_code"], "450222", "{}", plant.text);
    let dalang = t.get("/collections/pollution_sources/items/450225-WR-001").await;
    assert_eq!(dalang.body["properties"]["state"], "rectifying", "{}", dalang.text);
    let level1 = t.get("/collections/tailings_ponds/items?filter=level%3D1").await;
    assert_eq!(level1.body["features"].as_array().unwrap().len(), 2, "{}", level1.text);
}

/// A registry whose demo was loaded before the source registers and samples existed gets them (and their
/// duty records) from a later `demo-load`, and a third load adds nothing.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_demo_loaded_before_the_source_registers_gets_them_later(pool: PgPool) {
    let t = app(pool).await;
    let settings = landguard::config::Settings::default();
    let old = Dir::new("old-demo");
    for f in ["counties.geojson", "farmland_units.geojson", "construction_parcels.geojson", "transitions.json"] {
        std::fs::copy(std::path::Path::new("fixtures").join(f), old.path(f)).unwrap();
    }
    let first = landguard::demo::load(&t.store, old.root(), &settings).await.unwrap();
    assert!(first.starts_with("demo data loaded") && !first.contains("tailings_ponds"), "{first}");
    let later = landguard::demo::load(&t.store, std::path::Path::new("fixtures"), &settings).await.unwrap();
    assert!(later.contains("8 tailings_ponds") && later.contains("duty records"), "{later}");
    assert!(!later.contains("farmland_units") && !later.contains("lifecycle steps"), "{later}");
    let again = landguard::demo::load(&t.store, std::path::Path::new("fixtures"), &settings).await.unwrap();
    assert_eq!(again, "demo data is loaded already; nothing to do");
    let overdue = t.get("/duties?county_code=4502&status=overdue").await;
    assert!(overdue.body["counts"]["overdue"].as_u64().unwrap() > 0, "{}", overdue.text);
}
