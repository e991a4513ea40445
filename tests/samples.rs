//! Soil and crop samples: a laboratory's tables imported with their lon/lat columns and Chinese headers,
//! graded by the domain on the way in (GB 15618 / GB 2762), read back over HTTP and filtered by grade.

mod common;

use common::*;
use landguard::config::Settings;
use landguard::domain::registry::Collection;
use landguard::import::{self, ImportOptions};
use serde_json::{json, Value};
use sqlx::PgPool;

fn codes(page: &Value) -> Vec<String> {
    let mut ids: Vec<String> =
        page["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_string()).collect();
    ids.sort();
    ids
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn lab_tables_are_imported_graded_and_filtered(pool: PgPool) {
    let t = app_with(pool, Settings::default()).await;
    let dir = Dir::new("samples");
    let soil: Collection = "soil_samples".parse().unwrap();
    let crop: Collection = "crop_samples".parse().unwrap();

    // a soil lab's CSV: Chinese headers, lon/lat columns, a grade column that is not believed
    let csv = dir.path("soil.csv");
    std::fs::write(
        &csv,
        "样品编号,县级行政区划代码,采样日期,土地利用类型,pH值,镉,铅,砷,经度,纬度,grade\n\
         S-1,450222,2026-09-01,水田,6.0,0.3,50,10,109.401,24.351,C\n\
         S-2,450222,2026-09-01,水田,6.0,0.8,50,10,109.403,24.351,A\n\
         S-3,450222,2026-09-02,其他,5.0,2.5,50,10,109.405,24.351,A\n",
    )
    .unwrap();
    let plain = ImportOptions::new(&csv, soil);
    let o = ImportOptions { source_crs: Some("EPSG:4490".into()), ..plain };
    let r = import::run(&t.store, &o).await.expect("the soil table imports");
    assert_eq!(r.created, 3, "{r}");

    let one = t.get("/collections/soil_samples/items/S-2").await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.body["properties"]["grade"], "B", "{}", one.text);
    assert_eq!(one.body["properties"]["land"], "paddy");
    assert_eq!(one.body["geometry"]["type"], "Point");
    let lon = one.body["geometry"]["coordinates"][0].as_f64().unwrap();
    assert!((lon - 109.403).abs() < 1e-6, "{}", one.text);
    let grades: Vec<(String, Value)> = t.get("/collections/soil_samples/items").await.body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap().to_string(), f["properties"]["grade"].clone()))
        .collect();
    assert!(grades.contains(&("S-1".into(), json!("A"))) && grades.contains(&("S-3".into(), json!("C"))), "{grades:?}");

    let b_or_c = t.get("/collections/soil_samples/items?filter=grade%20IN%20(%27B%27%2C%27C%27)").await;
    assert_eq!(b_or_c.status, 200, "{}", b_or_c.text);
    assert_eq!(codes(&b_or_c.body), ["S-2", "S-3"]);

    // a sample that cannot be graded refuses the whole table, naming the row and property
    let bad = dir.path("bad.csv");
    std::fs::write(
        &bad,
        "样品编号,县级行政区划代码,采样日期,土地利用类型,pH值,镉,经度,纬度\n\
         S-4,450222,2026-09-01,水田,6.0,0.3,109.407,24.351\n\
         S-5,450222,2026-09-01,水田,16,0.3,109.409,24.351\n",
    )
    .unwrap();
    let o = ImportOptions { source_crs: Some("EPSG:4490".into()), ..ImportOptions::new(&bad, soil) };
    let refused = import::run(&t.store, &o).await.expect_err("pH 16 is refused");
    assert!(refused.to_string().contains("/properties/ph"), "{refused}");
    assert_eq!(t.count("soil_sample_versions").await, 3);

    // a crop lab's XLSX: numbers as numbers, the crop in Chinese
    let xlsx = dir.path("crops.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["样品编号", "县级行政区划代码", "采样日期", "农产品", "镉", "铅", "lon", "lat"].iter().enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows =
        [("C-1", "稻谷", 0.1, 0.05, 109.401), ("C-2", "大米", 0.5, 0.1, 109.403), ("C-3", "稻谷", 0.3, 0.1, 109.405)];
    for (i, (code, name, cd, pb, lon)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, *code).unwrap();
        ws.write_string(r, 1, "450222").unwrap();
        ws.write_string(r, 2, "2026-09-10").unwrap();
        ws.write_string(r, 3, *name).unwrap();
        ws.write_number(r, 4, *cd).unwrap();
        ws.write_number(r, 5, *pb).unwrap();
        ws.write_number(r, 6, *lon).unwrap();
        ws.write_number(r, 7, 24.351).unwrap();
    }
    wb.save(&xlsx).unwrap();
    let o = ImportOptions { source_crs: Some("EPSG:4490".into()), ..ImportOptions::new(&xlsx, crop) };
    let r = import::run(&t.store, &o).await.expect("the crop table imports");
    assert_eq!(r.created, 3, "{r}");

    let c2 = t.get("/collections/crop_samples/items/C-2").await;
    assert_eq!(c2.status, 200, "{}", c2.text);
    assert_eq!(c2.body["properties"]["crop"], "milled_rice");
    assert_eq!(c2.body["properties"]["compliant"], false);
    assert_eq!(c2.body["properties"]["worst_ratio"], 2.5);
    let failing = t.get("/collections/crop_samples/items?filter=compliant%3Dfalse").await;
    assert_eq!(codes(&failing.body), ["C-2", "C-3"], "{}", failing.text);
    let severe = t.get("/collections/crop_samples/items?filter=worst_ratio%3E2").await;
    assert_eq!(codes(&severe.body), ["C-2"], "{}", severe.text);

    // over HTTP the derived properties are ignored in a body and worked out again
    let post = t
        .write(
            "POST",
            "/collections/soil_samples/items",
            &json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [109.411, 24.351]},
                    "properties": {"sample_code": "S-9", "county_code": "450222", "sampled_on": "2026-10-01",
                                   "land": "other", "ph": 7.0, "cd": 0.1, "as": 150, "grade": "A"}}),
        )
        .await;
    assert_eq!(post.status, 201, "{}", post.text);
    assert_eq!(post.body["properties"]["grade"], "C", "{}", post.text);
    assert_eq!(post.body["properties"]["as"], 150.0);
}
