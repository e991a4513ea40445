//! Import by upload (`POST /collections/{id}/import`), as a county's editor does it from the map: a zipped
//! GBK Shapefile in CGCS2000 Gauss-Krüger with Chinese field names, a dry run that shows each problem
//! feature where it lies, the mapping fixed in the request, then the commit; within the editor's counties.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::*;
use http_body_util::BodyExt;
use landguard::domain::scope::Scopes;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::io::Write;
use std::process::Command;
use tower::ServiceExt;

async fn upload(t: &TestApp, token: Option<&str>, query: &str, content_type: &str, bytes: Vec<u8>) -> (u16, Value) {
    let mut req = Request::builder()
        .method("POST")
        .uri(format!("/collections/construction_parcels/import?{query}"))
        .header("host", "test.local")
        .header("content-type", content_type);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let resp = t.app.clone().oneshot(req.body(Body::from(bytes)).unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// A parcel as a bureau's own table has it: Chinese field names, the code in a field named 宗地号 that
/// nothing recognises.
fn row(code: &str, county: &str, geometry: Value) -> Value {
    json!({"type": "Feature", "geometry": geometry, "properties": {
        "宗地号": code, "行政区代码": county, "地块名称": format!("{code} 原化工厂"), "优先监管": "true",
        "重点监管单位用地": "false", "现状用途": "100102", "用途分类体系": "ydyh2023", "原行业": "化工",
        "生效日期": "2024-05-01"}})
}

/// The rows as a zipped Shapefile in EPSG:4545 with a GBK DBF (made by ogr2ogr, as a desktop GIS would).
fn zipped_shapefile(dir: &Dir, rows: &[Value]) -> Vec<u8> {
    let src = dir.path("parcels.geojson");
    std::fs::write(&src, json!({"type": "FeatureCollection", "features": rows}).to_string()).unwrap();
    let shp = dir.path("地块.shp");
    let out = Command::new("ogr2ogr")
        .args(["-f", "ESRI Shapefile", shp.to_str().unwrap(), src.to_str().unwrap()])
        .args(["-s_srs", "EPSG:4490", "-t_srs", "EPSG:4545", "-lco", "ENCODING=GBK", "-skipfailures"])
        .output()
        .expect("ogr2ogr (gdal-bin) is installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        let path = dir.path(&format!("地块.{ext}"));
        if let Ok(bytes) = std::fs::read(&path) {
            zip.start_file(format!("地块.{ext}"), zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(&bytes).unwrap();
        }
    }
    zip.finish().unwrap().into_inner()
}

fn bowtie(lon: f64, lat: f64) -> Value {
    let d = 0.002;
    json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat + d], [lon + d, lat], [lon, lat + d], [lon, lat]]]})
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn an_editor_uploads_a_gbk_shapefile_dry_runs_it_fixes_the_mapping_and_commits(pool: PgPool) {
    let t = app(pool).await;
    let scoped = t
        .store
        .create_scoped_token("liuzhou-editor", landguard::domain::access::Role::Editor, &Scopes::parse("4502").unwrap())
        .await
        .unwrap();
    let d = Dir::new("upload");
    let rows = [
        row("LZ-U-1", "450205", square(109.40, 24.33, 0.002)),
        row("LZ-U-2", "450205", bowtie(109.41, 24.33)),
        row("LZ-U-3", "450206", square(109.42, 24.33, 0.002)),
    ];
    let file = zipped_shapefile(&d, &rows);
    let zip = "application/zip";

    // nobody signed in, or a viewer: no import
    assert_eq!(upload(&t, None, "dry_run=true", zip, file.clone()).await.0, 401);
    assert_eq!(upload(&t, Some(&t.viewer), "dry_run=true", zip, file.clone()).await.0, 403);

    // a dry run as the file is: 宗地号 is not a known name for the code, and the answer gives what a page
    // needs to offer the mapping; the other Chinese names (some cut to 10 bytes by the DBF) are recognised
    let (status, body) = upload(&t, Some(&scoped), "dry_run=true&filename=地块.zip", zip, file.clone()).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["missing_properties"], json!(["parcel_code"]), "{body}");
    assert!(body["file_fields"].as_array().unwrap().contains(&json!("宗地号")), "{body}");
    assert!(body["detail"].as_str().unwrap().contains("fields=宗地号:parcel_code"), "{body}");

    // with the mapping: only the bow-tie is wrong, and the report says where it is (lon/lat, near 109.41)
    let mapped = "dry_run=true&filename=地块.zip&fields=宗地号:parcel_code";
    let (status, body) = upload(&t, Some(&scoped), mapped, zip, file.clone()).await;
    assert_eq!(status, 422, "{body}");
    let report = &body["report"];
    assert_eq!(report["read"], 3, "{body}");
    assert!(report["source_crs"].as_str().unwrap().contains("4545"), "{body}");
    assert!(body["detail_zh"].as_str().unwrap().contains("未写入"), "{body}");
    let problems = report["problems"].as_array().unwrap();
    assert!(problems.iter().all(|p| p["ordinal"] == 2 && p["code"] == "LZ-U-2"), "{body}");
    assert!(problems.iter().any(|p| p["pointer"] == "/geometry"), "{body}");
    let lon = problems[0]["geometry"]["coordinates"][0][0][0].as_f64().unwrap();
    assert!((lon - 109.41).abs() < 1e-6, "the problem feature is where it lies, in lon/lat: {lon}");

    // repaired, a dry run writes nothing...
    let repaired = format!("{mapped}&on_invalid=repair");
    let (status, body) = upload(&t, Some(&scoped), &repaired, zip, file.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["created"].as_u64(), body["written"].as_bool()), (Some(3), Some(false)), "{body}");
    assert_eq!(body["repairs"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(t.get("/collections/construction_parcels/items/LZ-U-1").await.status, 404);

    // ...and the commit writes all three, in the editor's name
    let commit = repaired.replace("dry_run=true", "dry_run=false");
    let (status, body) = upload(&t, Some(&scoped), &commit, zip, file.clone()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["written"], true);
    let item = t.get("/collections/construction_parcels/items/LZ-U-3").await;
    assert_eq!(item.status, 200, "{}", item.text);
    assert_eq!(item.body["properties"]["name"], "LZ-U-3 原化工厂");
    let by: Vec<String> = sqlx::query_scalar("SELECT DISTINCT actor FROM audit_log WHERE feature_id LIKE 'LZ-U-%'")
        .fetch_all(&t.store.pool)
        .await
        .unwrap();
    assert_eq!(by, ["liuzhou-editor"]);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn an_upload_outside_the_editors_counties_is_refused_whole(pool: PgPool) {
    let t = app(pool).await;
    let scoped = t
        .store
        .create_scoped_token("liuzhou-editor", landguard::domain::access::Role::Editor, &Scopes::parse("4502").unwrap())
        .await
        .unwrap();
    let mut guilin = parcel("GL-U-1", square(110.29, 25.27, 0.002));
    guilin["properties"]["county_code"] = json!("450305");
    let liuzhou = parcel("LZ-U-9", square(109.40, 24.33, 0.002));
    let file = json!({"type": "FeatureCollection", "features": [liuzhou, guilin]}).to_string().into_bytes();

    let (status, body) =
        upload(&t, Some(&scoped), "filename=parcels.geojson", "application/octet-stream", file.clone()).await;
    assert_eq!(status, 403, "{body}");
    let problems = body["report"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{body}");
    assert_eq!((problems[0]["ordinal"].as_u64(), problems[0]["code"].as_str()), (Some(2), Some("GL-U-1")));
    assert_eq!(t.count("construction_parcel_versions").await, 0, "nothing was written");

    // the unscoped editor may; an unknown format and an empty body are told as such
    let (status, body) =
        upload(&t, Some(&t.editor), "filename=parcels.geojson", "application/octet-stream", file).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = upload(&t, Some(&t.editor), "", "application/octet-stream", b"x".to_vec()).await;
    assert_eq!(status, 415, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("Shapefile"), "{body}");
    let (status, _) = upload(&t, Some(&t.editor), "filename=a.geojson", "application/geo+json", Vec::new()).await;
    assert_eq!(status, 400);
    let (status, body) =
        upload(&t, Some(&t.editor), "filename=a.geojson&fields=nocolon", "application/geo+json", b"{}".to_vec()).await;
    assert_eq!((status, body["parameter"].as_str()), (400, Some("fields")), "{body}");
}
