//! `landguard import` and `landguard export` against a real PostGIS, over files the tests make themselves
//! with GDAL (`ogr2ogr` from gdal-bin, and the gdal crate to look inside them).

mod common;

use chrono::NaiveDate;
use common::{square, Dir};
use landguard::domain::gcj02;
use landguard::domain::registry::Collection;
use landguard::export::{self, ExportOptions};
use landguard::import::{self, ImportError, ImportOptions, OnInvalid, Report};
use landguard::store::Store;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::path::Path;
use std::process::Command;

const UNITS: Collection = Collection::FarmlandUnits;
const PARCELS: Collection = Collection::ConstructionParcels;

/// `n` farmland units on a grid of 0.001° squares from (lon, lat).
fn units(n: usize, lon: f64, lat: f64) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let (x, y) = (lon + (i % 20) as f64 * 0.0015, lat + (i / 20) as f64 * 0.0015);
            json!({"type": "Feature", "geometry": square(x, y, 0.001), "properties": {
                "unit_code": format!("LZ-F-{i:04}"), "county_code": "450222",
                "class": (["priority_protection", "safe_use", "strict_control"][i % 3]), "land_type": "0101",
                "measures_in_place": i % 2 == 0, "crops_compliant": if i % 4 == 0 { Value::Null } else { json!(true) },
                "valid_from": "2024-01-01", "basis_doc": "柳环发〔2024〕3号"}})
        })
        .collect()
}

/// `n` construction parcels in Guilin with Chinese names.
fn parcels(n: usize, lon: f64, lat: f64) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let (x, y) = (lon + (i % 10) as f64 * 0.003, lat + (i / 10) as f64 * 0.003);
            json!({"type": "Feature", "geometry": square(x, y, 0.002), "properties": {
                "parcel_code": format!("GL-{i:03}"), "county_code": "450302",
                "name": format!("桂林市原第{i}化工厂地块（七星区）"),
                "state": if i % 3 == 0 { "listed" } else { "suspected" },
                "priority_supervision": i % 2 == 0, "key_unit_land": i % 5 == 0, "current_use": "1001",
                "use_code_system": "ydyh2023", "remediated_for_class": if i % 4 == 0 { json!(2) } else { Value::Null },
                "former_industry": "化工", "valid_from": "2023-05-01"}})
        })
        .collect()
}

fn write_geojson(path: &Path, features: &[Value]) {
    let fc = json!({"type": "FeatureCollection", "features": features});
    std::fs::write(path, fc.to_string()).unwrap();
}

fn ogr2ogr(args: &[&str]) {
    let out = Command::new("ogr2ogr").args(args).output().expect("ogr2ogr (gdal-bin) is installed");
    assert!(out.status.success(), "ogr2ogr {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn opts(file: &Path, collection: Collection) -> ImportOptions {
    ImportOptions { today: NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(), ..ImportOptions::new(file, collection) }
}

async fn import_ok(store: &Store, o: &ImportOptions) -> Report {
    match import::run(store, o).await {
        Ok(r) => r,
        Err(ImportError::Refused(r)) => panic!("refused:\n{r}"),
        Err(e) => panic!("{e}"),
    }
}

async fn refused(store: &Store, o: &ImportOptions) -> Report {
    match import::run(store, o).await {
        Err(ImportError::Refused(r)) => *r,
        Ok(r) => panic!("accepted:\n{r}"),
        Err(e) => panic!("failed otherwise: {e}"),
    }
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(pool).await.unwrap()
}

/// Everything an import could change.
async fn snapshot(pool: &PgPool) -> (i64, i64, i64, i64) {
    let seq: i64 = sqlx::query_scalar("SELECT sum(seq)::bigint FROM collection_changes").fetch_one(pool).await.unwrap();
    (
        count(pool, "farmland_unit_versions").await,
        count(pool, "construction_parcel_versions").await,
        count(pool, "audit_log").await,
        seq,
    )
}

/// The largest distance, in metres (measured in Gauss-Krüger zone `metric_srid`), between a stored current
/// geometry and the lon/lat truth of the same code; also how many codes were compared.
async fn max_offset_m(pool: &PgPool, collection: Collection, truth: &[Value], metric_srid: i32) -> (f64, i64) {
    let (table, code) = match collection {
        UNITS => ("farmland_unit_versions", "unit_code"),
        PARCELS => ("construction_parcel_versions", "parcel_code"),
        other => unreachable!("{other} is not imported in these tests"),
    };
    let codes: Vec<String> = truth.iter().map(|f| f["properties"][code].as_str().unwrap().to_string()).collect();
    let geoms: Vec<String> = truth.iter().map(|f| f["geometry"].to_string()).collect();
    let sql = format!(
        "SELECT coalesce(max(ST_HausdorffDistance(ST_Transform(v.geom, $3), \
                ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(t.g), 4490), $3))), -1), count(*) \
         FROM unnest($1::text[], $2::text[]) AS t(code, g) \
         JOIN {table} v ON v.{code} = t.code AND v.valid_to IS NULL AND v.superseded_at IS NULL"
    );
    sqlx::query_as(&sql).bind(codes).bind(geoms).bind(metric_srid).fetch_one(pool).await.unwrap()
}

async fn current_props(pool: &PgPool, sql: &str, code: &str) -> Vec<String> {
    let row: Vec<Option<String>> = sqlx::query_scalar(sql).bind(code).fetch_all(pool).await.unwrap();
    row.into_iter().map(|v| v.unwrap_or_default()).collect()
}

// ---------------------------------------------------------------------------------------------------

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn geopackage_in_4545_and_4525(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    let d = Dir::new("gpkg");

    // farmland in Liuzhou (zone 36, CM 108°E) in EPSG:4545: eastings without zone prefix
    let truth = units(60, 109.40, 24.30);
    write_geojson(&d.path("units.geojson"), &truth);
    ogr2ogr(&[
        "-f",
        "GPKG",
        p(&d.path("units4545.gpkg")),
        p(&d.path("units.geojson")),
        "-t_srs",
        "EPSG:4545",
        "-nln",
        "farmland_units",
    ]);
    let r = import_ok(&store, &opts(&d.path("units4545.gpkg"), UNITS)).await;
    assert_eq!((r.read, r.created, r.changed, r.unchanged), (60, 60, 0, 0), "{r}");
    assert!(r.source_crs.starts_with("EPSG:4545"), "{}", r.source_crs);
    let (off, n) = max_offset_m(&pool, UNITS, &truth, 4545).await;
    assert_eq!(n, 60);
    assert!(off < 0.001, "positions within a millimetre, got {off} m");
    // the import's merge writes the low-zoom tile geometry with each version (a generated column)
    let (drawable, stored): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE tile_z12 IS NOT NULL AND tile_extent_deg > 0) FROM farmland_unit_versions",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((drawable, stored), (60, 60));

    // parcels in Guilin (zone 37, CM 111°E) in EPSG:4525: the easting carries the zone number 37
    let ptruth = parcels(25, 110.28, 25.26);
    write_geojson(&d.path("parcels.geojson"), &ptruth);
    ogr2ogr(&["-f", "GPKG", p(&d.path("parcels4525.gpkg")), p(&d.path("parcels.geojson")), "-t_srs", "EPSG:4525"]);
    {
        use gdal::vector::LayerAccess;
        let ds = gdal::Dataset::open(d.path("parcels4525.gpkg")).unwrap();
        let mut layer = ds.layer(0).unwrap();
        let f = layer.features().next().unwrap();
        let env = f.geometry().unwrap().envelope();
        assert!(env.MinX > 37_000_000.0 && env.MaxX < 38_000_000.0, "zone prefix 37 expected in {env:?}");
    }
    let r = import_ok(&store, &opts(&d.path("parcels4525.gpkg"), PARCELS)).await;
    assert_eq!((r.read, r.created), (25, 25), "{r}");
    let (off, n) = max_offset_m(&pool, PARCELS, &ptruth, 4546).await;
    assert_eq!(n, 25);
    assert!(off < 0.001, "positions within a millimetre, got {off} m");
    let state: String =
        sqlx::query_scalar("SELECT state FROM construction_parcel_versions WHERE parcel_code = 'GL-003'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(state, "listed");
    // one audit row per feature, by the file
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE actor = 'import:parcels4525.gpkg' AND action = 'import'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 25);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn shapefile_with_gbk_attributes_in_4546(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    let d = Dir::new("gbk");
    let truth = parcels(30, 110.28, 25.26);
    write_geojson(&d.path("parcels.geojson"), &truth);
    let shp = d.path("parcels.shp");
    ogr2ogr(&[
        "-f",
        "ESRI Shapefile",
        p(&shp),
        p(&d.path("parcels.geojson")),
        "-t_srs",
        "EPSG:4546",
        "-lco",
        "ENCODING=GBK",
    ]);
    assert_eq!(std::fs::read_to_string(d.path("parcels.cpg")).unwrap().trim(), "GBK");
    let dbf = std::fs::read(d.path("parcels.dbf")).unwrap();
    let utf8 = "化工厂".as_bytes();
    assert!(!dbf.windows(utf8.len()).any(|w| w == utf8), "the DBF must not hold UTF-8 text");
    // the 10-character DBF names the desktop GIS would write
    let dbf_text = String::from_utf8_lossy(&dbf[..600]);
    for short in
        ["parcel_cod", "county_cod", "priority_s", "key_unit_l", "current_us", "use_code_s", "remediated", "former_ind"]
    {
        assert!(dbf_text.contains(short), "{short}");
    }

    // with the .cpg: names come back right, positions to the millimetre
    let r = import_ok(&store, &opts(&shp, PARCELS)).await;
    assert_eq!((r.read, r.created), (30, 30), "{r}");
    assert!(r.source_crs.starts_with("EPSG:4546"), "{}", r.source_crs);
    let names =
        current_props(&pool, "SELECT name FROM construction_parcel_versions WHERE parcel_code = $1", "GL-007").await;
    assert_eq!(names, vec!["桂林市原第7化工厂地块（七星区）".to_string()]);
    let (off, n) = max_offset_m(&pool, PARCELS, &truth, 4546).await;
    assert_eq!(n, 30);
    assert!(off < 0.001, "positions within a millimetre, got {off} m");

    // without the .cpg, --encoding GBK reads the same names: nothing changes
    std::fs::remove_file(d.path("parcels.cpg")).unwrap();
    let o = ImportOptions { encoding: Some("GBK".into()), ..opts(&shp, PARCELS) };
    let r = import_ok(&store, &o).await;
    assert_eq!((r.created, r.changed, r.unchanged), (0, 0, 30), "{r}");

    // without either, the text is not UTF-8: refused rather than stored garbled, each value named with
    // the remedy
    let r = refused(&store, &opts(&shp, PARCELS)).await;
    let names: Vec<_> = r.problems.iter().filter(|p| p.problem.pointer == "/properties/name").collect();
    assert_eq!(names.len(), 30, "{r}");
    assert!(names.iter().all(|p| p.problem.detail.contains("--encoding GBK")), "{r}");
    assert!(r.notes.iter().any(|n| n.contains("--encoding GBK")), "{:?}", r.notes);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn geojson_in_gcj02_is_stored_in_cgcs2000(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    let d = Dir::new("gcj");
    let truth = parcels(12, 110.28, 25.26);
    // the same parcels as traced on a Chinese web map: every vertex through the GCJ-02 offset
    let traced: Vec<Value> = truth
        .iter()
        .map(|f| {
            let mut f = f.clone();
            let ring: Vec<Value> = f["geometry"]["coordinates"][0]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    let (x, y) = gcj02::wgs84_to_gcj02(c[0].as_f64().unwrap(), c[1].as_f64().unwrap()).unwrap();
                    json!([x, y])
                })
                .collect();
            f["geometry"]["coordinates"] = json!([ring]);
            f
        })
        .collect();
    let c0 = &traced[0]["geometry"]["coordinates"][0][0];
    let shift = ((c0[0].as_f64().unwrap() - 110.28) * 100_900.0).hypot((c0[1].as_f64().unwrap() - 25.26) * 110_800.0);
    assert!(shift > 100.0, "GCJ-02 moves points by hundreds of metres ({shift} m)");
    let file = d.path("traced.geojson");
    write_geojson(&file, &traced);

    let o = ImportOptions { source_crs: Some("gcj02".into()), ..opts(&file, PARCELS) };
    let r = import_ok(&store, &o).await;
    assert_eq!(r.created, 12, "{r}");
    assert!(r.source_crs.contains("GCJ-02"), "{}", r.source_crs);
    let (off, n) = max_offset_m(&pool, PARCELS, &truth, 4546).await;
    assert_eq!(n, 12);
    assert!(off < 1.0, "within 1 m of the WGS 84 truth, got {off} m");
    assert!(off < 0.01, "the iterative inverse is far better than 1 m: {off} m");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn csv_with_wkt_and_kml(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    let d = Dir::new("csv");
    // CSV with a WKT column: no CRS in the file, so --source-crs is needed
    let mut csv = String::from(
        "unit_code,county_code,class,land_type,measures_in_place,crops_compliant,valid_from,basis_doc,WKT\n",
    );
    for i in 0..5 {
        let (x, y) = (109.40 + i as f64 * 0.002, 24.30);
        csv.push_str(&format!(
            "CSV-{i},450222,安全利用类,0102,是,否,2024-03-01,柳环发〔2024〕9号,\"POLYGON (({x} {y},{} {y},{} {},{x} {},{x} {y}))\"\n",
            x + 0.001,
            x + 0.001,
            y + 0.001,
            y + 0.001
        ));
    }
    let file = d.path("units.csv");
    std::fs::write(&file, csv).unwrap();
    match import::run(&store, &opts(&file, UNITS)).await {
        Err(e @ ImportError::NoCrs { .. }) => assert!(e.to_string().contains("--source-crs"), "{e}"),
        other => panic!("{other:?}"),
    }
    let o = ImportOptions { source_crs: Some("EPSG:4490".into()), ..opts(&file, UNITS) };
    let r = import_ok(&store, &o).await;
    assert_eq!(r.created, 5, "{r}");
    let row: (String, String, bool, Option<bool>) = sqlx::query_as(
        "SELECT class, land_type, measures_in_place, crops_compliant FROM farmland_unit_versions WHERE unit_code = 'CSV-3'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(row, ("safe_use".to_string(), "0102".to_string(), true, Some(false)));

    // a CSV written in GBK: --encoding GBK recodes its text (安全利用类, 是, 否 as GBK bytes)
    let mut gbk: Vec<u8> =
        b"unit_code,county_code,class,land_type,measures_in_place,crops_compliant,WKT\nGBK-1,450222,".to_vec();
    gbk.extend_from_slice(&[0xb0, 0xb2, 0xc8, 0xab, 0xc0, 0xfb, 0xd3, 0xc3, 0xc0, 0xe0]);
    gbk.extend_from_slice(b",0101,");
    gbk.extend_from_slice(&[0xca, 0xc7]);
    gbk.push(b',');
    gbk.extend_from_slice(&[0xb7, 0xf1]);
    gbk.extend_from_slice(b",\"POLYGON ((109.5 24.3,109.501 24.3,109.501 24.301,109.5 24.301,109.5 24.3))\"\n");
    let gbk_file = d.path("gbk.csv");
    std::fs::write(&gbk_file, gbk).unwrap();
    let o = ImportOptions { source_crs: Some("EPSG:4490".into()), ..opts(&gbk_file, UNITS) };
    let r = refused(&store, &o).await;
    // without --encoding the bytes are not UTF-8: each such value is named once, with the remedy
    let class: Vec<_> = r.problems.iter().filter(|p| p.problem.pointer == "/properties/class").collect();
    assert_eq!(class.len(), 1, "{r}");
    assert!(class[0].problem.detail.contains("--encoding GBK"), "{r}");
    let o = ImportOptions { encoding: Some("GBK".into()), ..o };
    assert_eq!(import_ok(&store, &o).await.created, 1);
    let row: (String, bool, Option<bool>) = sqlx::query_as(
        "SELECT class, measures_in_place, crops_compliant FROM farmland_unit_versions WHERE unit_code = 'GBK-1'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(row, ("safe_use".to_string(), true, Some(false)));

    // KML (written by GDAL's LIBKML driver): WGS 84 by definition; Name carries the parcel's name
    let truth = parcels(8, 110.28, 25.26);
    write_geojson(&d.path("parcels.geojson"), &truth);
    let kml = d.path("parcels.kml");
    ogr2ogr(&["-f", "LIBKML", p(&kml), p(&d.path("parcels.geojson"))]);
    let r = import_ok(&store, &opts(&kml, PARCELS)).await;
    assert_eq!(r.created, 8, "{r}");
    let names =
        current_props(&pool, "SELECT name FROM construction_parcel_versions WHERE parcel_code = $1", "GL-005").await;
    assert_eq!(names, vec!["桂林市原第5化工厂地块（七星区）".to_string()]);
    let (off, _) = max_offset_m(&pool, PARCELS, &truth, 4546).await;
    assert!(off < 0.001, "{off} m");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_bow_tie_is_refused_unless_repair_is_asked(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    let d = Dir::new("bowtie");
    let mut fs = units(3, 109.40, 24.30);
    fs[1]["geometry"] = json!({"type": "Polygon", "coordinates": [[[109.40, 24.31], [109.41, 24.32], [109.41, 24.31], [109.40, 24.32], [109.40, 24.31]]]});
    write_geojson(&d.path("bowtie.geojson"), &fs);
    let file = d.path("bowtie.gpkg");
    ogr2ogr(&["-f", "GPKG", p(&file), p(&d.path("bowtie.geojson")), "-a_srs", "EPSG:4490"]);
    let before = snapshot(&pool).await;

    let r = refused(&store, &opts(&file, UNITS)).await;
    assert_eq!(r.problems.len(), 1, "{r}");
    let text = r.problems[0].to_string();
    assert!(text.starts_with("feature 2 (LZ-F-0001): /geometry:"), "{text}");
    assert!(text.to_lowercase().contains("self-intersect"), "{text}");
    assert_eq!(snapshot(&pool).await, before, "nothing written");

    let o = ImportOptions { on_invalid: OnInvalid::Repair, ..opts(&file, UNITS) };
    let r = import_ok(&store, &o).await;
    assert_eq!((r.created, r.repairs.len()), (3, 1), "{r}");
    assert_eq!((r.repairs[0].ordinal, r.repairs[0].parts), (2, 2), "{r}");
    assert!(r.to_string().contains("repaired with GEOS MakeValid"), "{r}");
    let (valid, parts, area): (bool, i32, f64) = sqlx::query_as(
        "SELECT ST_IsValid(geom), ST_NumGeometries(geom), area_m2 FROM farmland_unit_versions WHERE unit_code = 'LZ-F-0001'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(valid);
    assert_eq!(parts, 2);
    // two triangles, each a quarter of the 0.01° square (about 1 000 m × 1 100 m)
    assert!((area - 0.5 * 1_012.0 * 1_109.0).abs() < 10_000.0, "{area}");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn impossible_coordinates_are_refused_with_their_cause(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    let d = Dir::new("metres");
    write_geojson(&d.path("units.geojson"), &units(4, 109.40, 24.30));
    // Gauss-Krüger metres in a file that says EPSG:4490 (degrees)
    ogr2ogr(&["-f", "GeoJSON", p(&d.path("gk.geojson")), p(&d.path("units.geojson")), "-t_srs", "EPSG:4545"]);
    ogr2ogr(&["-f", "GPKG", p(&d.path("metres.gpkg")), p(&d.path("gk.geojson")), "-a_srs", "EPSG:4490"]);
    let before = snapshot(&pool).await;
    let r = refused(&store, &opts(&d.path("metres.gpkg"), UNITS)).await;
    assert_eq!(r.problems.len(), 4, "{r}");
    assert!(r.problems.iter().all(|p| p.problem.detail.contains("projected metres")), "{r}");

    // zone-numbered eastings (EPSG:4524) in a file that says EPSG:4545 (no zone number)
    ogr2ogr(&["-f", "GeoJSON", p(&d.path("gk36.geojson")), p(&d.path("units.geojson")), "-t_srs", "EPSG:4524"]);
    ogr2ogr(&["-f", "GPKG", p(&d.path("prefixed.gpkg")), p(&d.path("gk36.geojson")), "-a_srs", "EPSG:4545"]);
    let r = refused(&store, &opts(&d.path("prefixed.gpkg"), UNITS)).await;
    assert!(r.problems.iter().all(|p| p.problem.detail.contains("EPSG:4524")), "{r}");

    // lon/lat in a file that says EPSG:4545
    ogr2ogr(&["-f", "GPKG", p(&d.path("degrees.gpkg")), p(&d.path("units.geojson")), "-a_srs", "EPSG:4545"]);
    let r = refused(&store, &opts(&d.path("degrees.gpkg"), UNITS)).await;
    assert!(r.problems.iter().all(|p| p.problem.detail.contains("look like degrees")), "{r}");
    assert_eq!(snapshot(&pool).await, before);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_shapefile_without_prj_needs_source_crs(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    let d = Dir::new("noprj");
    write_geojson(&d.path("units.geojson"), &units(5, 110.30, 25.27));
    let shp = d.path("units.shp");
    ogr2ogr(&[
        "-f",
        "ESRI Shapefile",
        p(&shp),
        p(&d.path("units.geojson")),
        "-t_srs",
        "EPSG:4546",
        "-lco",
        "ENCODING=UTF-8",
    ]);
    std::fs::remove_file(d.path("units.prj")).unwrap();
    let before = snapshot(&pool).await;
    match import::run(&store, &opts(&shp, UNITS)).await {
        Err(e @ ImportError::NoCrs { .. }) => {
            let m = e.to_string();
            assert!(m.contains(".prj") && m.contains("--source-crs"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(snapshot(&pool).await, before);
    let o = ImportOptions { source_crs: Some("EPSG:4546".into()), ..opts(&shp, UNITS) };
    assert_eq!(import_ok(&store, &o).await.created, 5);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_bad_last_feature_leaves_the_database_unchanged(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    let d = Dir::new("last");
    // something in the registry already
    write_geojson(&d.path("first.geojson"), &units(10, 109.60, 24.50));
    import_ok(&store, &opts(&d.path("first.geojson"), UNITS)).await;
    let before = snapshot(&pool).await;

    // 2 500 features: more than one batch has gone to the database when the last one fails
    let mut fs = units(2_500, 109.40, 24.30);
    fs[2_499]["properties"]["class"] = json!("polluted");
    write_geojson(&d.path("many.geojson"), &fs);
    ogr2ogr(&["-f", "GPKG", p(&d.path("many.gpkg")), p(&d.path("many.geojson"))]);
    let r = refused(&store, &opts(&d.path("many.gpkg"), UNITS)).await;
    assert_eq!(r.read, 2_500);
    assert_eq!(r.problems.len(), 1, "{r}");
    assert_eq!((r.problems[0].ordinal, r.problems[0].code.as_deref()), (2_500, Some("LZ-F-2499")));
    assert!(r.problems[0].problem.detail.contains("unknown farmland class"), "{r}");
    assert_eq!(snapshot(&pool).await, before, "the database is unchanged");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_dry_run_reports_and_writes_nothing(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    let d = Dir::new("dry");
    write_geojson(&d.path("units.geojson"), &units(40, 109.40, 24.30));
    let before = snapshot(&pool).await;
    let o = ImportOptions { dry_run: true, ..opts(&d.path("units.geojson"), UNITS) };
    let r = import_ok(&store, &o).await;
    assert_eq!((r.read, r.created, r.written), (40, 40, false), "{r}");
    assert!(r.to_string().contains("dry run, nothing written"), "{r}");
    assert_eq!(snapshot(&pool).await, before);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn duplicates_in_the_file_are_refused(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    let d = Dir::new("dup");
    let mut fs = units(5, 109.40, 24.30);
    fs[4]["properties"]["unit_code"] = json!("LZ-F-0001");
    write_geojson(&d.path("dup.geojson"), &fs);
    let r = refused(&store, &opts(&d.path("dup.geojson"), UNITS)).await;
    assert_eq!(r.problems.len(), 1, "{r}");
    let t = r.problems[0].to_string();
    assert!(t.starts_with("feature 5 (LZ-F-0001)") && t.contains("also feature 2"), "{t}");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn reimport_versions_changes_and_leaves_the_rest(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    let d = Dir::new("reimport");
    let fs = units(20, 109.40, 24.30);
    write_geojson(&d.path("a.geojson"), &fs);
    import_ok(&store, &opts(&d.path("a.geojson"), UNITS)).await;

    let mut next = fs.clone();
    // a reclassification that holds from a later day: the old version ends in valid time
    next[3]["properties"]["class"] = json!("strict_control");
    next[3]["properties"]["valid_from"] = json!("2025-06-30");
    next[3]["properties"]["basis_doc"] = json!("柳环发〔2025〕21号");
    // a corrected boundary on the same day: the old version is superseded
    next[7]["geometry"] = square(109.40 + 7.0 * 0.0015, 24.30, 0.0012);
    // the import date alone is no change
    next[9]["properties"]["valid_from"] = json!("2024-02-01");
    write_geojson(&d.path("b.geojson"), &next);
    let r = import_ok(&store, &opts(&d.path("b.geojson"), UNITS)).await;
    assert_eq!((r.created, r.changed, r.unchanged), (0, 2, 18), "{r}");

    let history = store.history(UNITS, "LZ-F-0003").await.unwrap().unwrap();
    let versions: Vec<Value> = serde_json::from_str(&history).unwrap();
    assert_eq!(versions.len(), 2, "{history}");
    assert_eq!(versions[0]["valid_to"], "2025-06-30");
    assert_eq!(versions[0]["ended_change"], "import");
    assert_eq!(versions[1]["change"], "import");
    assert_eq!(versions[1]["recorded_by"], "import:b.geojson");
    assert_eq!(versions[1]["properties"]["class"], "strict_control");
    // as of a date before the change, the old class
    let old: String = sqlx::query_scalar(
        "SELECT class FROM farmland_unit_versions WHERE unit_code = 'LZ-F-0003' AND superseded_at IS NULL \
         AND valid_from <= '2025-01-01' AND (valid_to IS NULL OR valid_to > '2025-01-01')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(old, fs[3]["properties"]["class"].as_str().unwrap());

    let superseded: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM farmland_unit_versions WHERE unit_code = 'LZ-F-0007' AND superseded_at IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(superseded, 1);
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE actor = 'import:b.geojson'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(audited, 2, "one audit row per changed feature");

    // a change dated before the current version is refused
    next[3]["properties"]["measures_in_place"] = json!(true);
    next[3]["properties"]["valid_from"] = json!("2025-01-01");
    write_geojson(&d.path("c.geojson"), &next);
    let r = refused(&store, &opts(&d.path("c.geojson"), UNITS)).await;
    assert!(r.problems[0].to_string().contains("date order"), "{r}");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_reimport_cannot_move_a_parcel_through_its_lifecycle(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    let d = Dir::new("state");
    let fs = parcels(6, 110.28, 25.26);
    write_geojson(&d.path("a.geojson"), &fs);
    import_ok(&store, &opts(&d.path("a.geojson"), PARCELS)).await;
    let before = snapshot(&pool).await;

    let mut moved = fs.clone();
    moved[1]["properties"]["state"] = json!("surveying");
    write_geojson(&d.path("b.geojson"), &moved);
    let r = refused(&store, &opts(&d.path("b.geojson"), PARCELS)).await;
    assert_eq!(r.problems.len(), 1, "{r}");
    let t = r.problems[0].to_string();
    assert!(t.starts_with("feature 2 (GL-001): /properties/state:") && t.contains("transitions"), "{t}");
    assert_eq!(snapshot(&pool).await, before);

    // a file without state keeps every parcel's state; a changed name is a new version
    let mut stateless = fs.clone();
    for f in &mut stateless {
        f["properties"].as_object_mut().unwrap().remove("state");
    }
    stateless[0]["properties"]["name"] = json!("桂林市原第0化工厂地块（已更名）");
    write_geojson(&d.path("c.geojson"), &stateless);
    let r = import_ok(&store, &opts(&d.path("c.geojson"), PARCELS)).await;
    assert_eq!((r.changed, r.unchanged), (1, 5), "{r}");
    let state: String = sqlx::query_scalar(
        "SELECT state FROM construction_parcel_versions WHERE parcel_code = 'GL-000' AND valid_to IS NULL AND superseded_at IS NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(state, "listed");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_mapping_file_renames_fields_and_translates_values(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    let d = Dir::new("mapping");
    // a county's own schema: pinyin-abbreviated field names, Chinese values
    let fs: Vec<Value> = (0..4)
        .map(|i| {
            json!({"type": "Feature", "geometry": square(110.28 + i as f64 * 0.003, 25.26, 0.002), "properties": {
                "DKBM": format!("GL-M-{i}"), "XZQDM": 450305, "DKMC": format!("原{i}号冶炼厂"),
                "ZT": (["疑似", "调查中", "疑似", "已列入名录"][i]), "YXJG": (["是", "否", "是", "否"][i]),
                "YDDM": 1001, "OBJECTID": i}})
        })
        .collect();
    write_geojson(&d.path("county.geojson"), &fs);
    let mapping = d.path("county.toml");
    std::fs::write(
        &mapping,
        r#"
ignore = ["OBJECTID"]

[fields]
DKBM = "parcel_code"
XZQDM = "county_code"
DKMC = "name"
ZT = "state"
YXJG = "priority_supervision"
YDDM = "current_use"

[constants]
use_code_system = "gbt21010"
valid_from = 2024-07-01
former_industry = "有色金属冶炼"

[values.state]
"疑似" = "suspected"
"调查中" = "surveying"
"已列入名录" = "listed"
"#,
    )
    .unwrap();
    // without the mapping the required fields are missing: refused before reading any feature
    match import::run(&store, &opts(&d.path("county.geojson"), PARCELS)).await {
        Err(e @ ImportError::MissingFields { .. }) => {
            assert!(e.to_string().contains("no field gives parcel_code"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    let o = ImportOptions { mapping: Some(mapping), ..opts(&d.path("county.geojson"), PARCELS) };
    let r = import_ok(&store, &o).await;
    assert_eq!(r.created, 4, "{r}");
    assert!(r.notes.is_empty(), "OBJECTID is ignored silently: {:?}", r.notes);
    let row: (String, String, String, bool, String, String, NaiveDate, String) = sqlx::query_as(
        "SELECT county_code, name, state, priority_supervision, current_use, use_code_system, valid_from, former_industry \
         FROM construction_parcel_versions WHERE parcel_code = 'GL-M-3'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            "450305".into(),
            "原3号冶炼厂".into(),
            "listed".into(),
            false,
            "1001".into(),
            "gbt21010".into(),
            NaiveDate::from_ymd_opt(2024, 7, 1).unwrap(),
            "有色金属冶炼".into()
        )
    );
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn export_then_import_reproduces_the_registry(pool: PgPool) {
    let store = Store::from_pool(pool.clone());
    let d = Dir::new("roundtrip");
    write_geojson(&d.path("units.geojson"), &units(45, 109.40, 24.30));
    write_geojson(&d.path("parcels.geojson"), &parcels(30, 110.28, 25.26));
    import_ok(&store, &opts(&d.path("units.geojson"), UNITS)).await;
    import_ok(&store, &opts(&d.path("parcels.geojson"), PARCELS)).await;
    let before = snapshot(&pool).await;

    let cases: &[(&str, Option<&str>)] = &[
        ("out.gpkg", None),
        ("out.shp", None),
        ("out.geojson", None),
        ("out4546.gpkg", Some("EPSG:4546")),
        ("out4525.shp", Some("EPSG:4525")),
        ("out4545.geojson", Some("EPSG:4545")),
    ];
    for (c, n) in [(UNITS, 45u64), (PARCELS, 30)] {
        for (name, crs) in cases {
            let out = d.path(&format!("{c}-{name}"));
            let e = ExportOptions { crs: crs.map(String::from), ..ExportOptions::new(c, &out) };
            let s = export::run(&store, &e).await.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(s.written, n, "{name}");
            let r = import_ok(&store, &opts(&out, c)).await;
            assert_eq!((r.read, r.created, r.changed, r.unchanged), (n, 0, 0, n), "{c} {name}:\n{r}");
        }
    }
    assert_eq!(snapshot(&pool).await, before, "re-importing exports changes nothing");

    // the Shapefile: UTF-8 with a .cpg, the documented truncations, the CRS asked for
    let cpg = std::fs::read_to_string(d.path("construction_parcels-out4525.cpg")).unwrap();
    assert_eq!(cpg.trim(), "UTF-8");
    {
        use gdal::vector::LayerAccess;
        let ds = gdal::Dataset::open(d.path("construction_parcels-out4525.shp")).unwrap();
        let layer = ds.layer(0).unwrap();
        let names: Vec<String> = layer.defn().fields().map(|f| f.name()).collect();
        assert_eq!(
            names,
            [
                "parcel_cod",
                "county_cod",
                "name",
                "state",
                "rcr_listed",
                "priority_s",
                "key_unit_l",
                "current_us",
                "use_code_s",
                "remediated",
                "former_ind",
                "valid_from",
                "area_m2",
                "area_mu"
            ]
        );
        assert_eq!(layer.spatial_ref().unwrap().auth_code().unwrap(), 4525);
    }
    // GeoJSON defaults to RFC 7946
    let gj: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path("farmland_units-out.geojson")).unwrap()).unwrap();
    assert!(gj.get("crs").is_none());
    assert_eq!(gj["features"][0]["properties"]["measures_in_place"], json!(true));
    let gk: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path("farmland_units-out4545.geojson")).unwrap()).unwrap();
    assert!(gk["crs"]["properties"]["name"].as_str().unwrap().ends_with("4545"), "{}", gk["crs"]);

    // as of a past date
    let mut next = units(45, 109.40, 24.30);
    next[0]["properties"]["class"] = json!("strict_control");
    next[0]["properties"]["valid_from"] = json!("2025-03-01");
    write_geojson(&d.path("next.geojson"), &next);
    import_ok(&store, &opts(&d.path("next.geojson"), UNITS)).await;
    let e = ExportOptions {
        as_of: NaiveDate::from_ymd_opt(2024, 12, 31),
        ..ExportOptions::new(UNITS, d.path("then.geojson"))
    };
    export::run(&store, &e).await.unwrap();
    let then: Value = serde_json::from_str(&std::fs::read_to_string(d.path("then.geojson")).unwrap()).unwrap();
    assert_eq!(then["features"][0]["properties"]["class"], "priority_protection");
    // an existing file is never overwritten
    assert!(matches!(export::run(&store, &e).await, Err(export::ExportError::Exists(_))));
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_cli_refuses_a_bad_file_with_one_line(pool: PgPool) {
    let d = Dir::new("cli");
    let mut fs = units(3, 109.40, 24.30);
    fs[2]["properties"]["land_type"] = json!("0199");
    write_geojson(&d.path("bad.geojson"), &fs);
    let base = std::env::var("DATABASE_URL").unwrap();
    let db = pool.connect_options().get_database().unwrap().to_string();
    let url = format!("{}/{db}", base.rsplit_once('/').unwrap().0);
    let out = Command::new(env!("CARGO_BIN_EXE_landguard"))
        .args(["import", p(&d.path("bad.geojson")), "--collection", "farmland_units"])
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stderr.lines().count(), 1, "one line on stderr: {stderr}");
    assert!(stderr.starts_with("landguard: ") && stderr.contains("nothing was written"), "{stderr}");
    assert!(stdout.contains("feature 3 (LZ-F-0002): /properties/land_type"), "{stdout}");
    assert_eq!(count(&pool, "farmland_unit_versions").await, 0);

    // and a good file: exit 0, the summary on stdout
    write_geojson(&d.path("good.geojson"), &units(3, 109.40, 24.30));
    let out = Command::new(env!("CARGO_BIN_EXE_landguard"))
        .args(["import", p(&d.path("good.geojson")), "--collection", "farmland_units"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("created 3"));
    assert_eq!(count(&pool, "farmland_unit_versions").await, 3);
}

/// A laboratory's sample table graded through the binary: CSV with Chinese headers and ND, the same as an
/// XLSX sheet, and a table with bad rows refused whole with every bad row named.
#[test]
fn soil_grade_reads_a_laboratory_table() {
    let dir = Dir::new("soilfile");
    let csv = dir.path("samples.csv");
    std::fs::write(&csv, "样品编号,pH值,地类编码,镉,汞,砷,铅,铬,农产品\nS-1,6.2,0101,0.45,ND,12,60,80,compliant\nS-2,5.0,0103,2.5,0.1,20,50,90,\nS-3,7.8,0101,0.2,0.2,10,30,60,compliant\n").unwrap();
    let xlsx = dir.path("samples.xlsx");
    ogr2ogr(&["-f", "XLSX", p(&xlsx), p(&csv), "-nln", "详查"]);
    let want = "sample,ph,land,grade,governing,missing,crops,class,class_zh\n\
                S-1,6.2,paddy,B,Cd,,compliant,safe_use,安全利用类\n\
                S-2,5,other,C,Cd,,,,\n\
                S-3,7.8,paddy,A,,,compliant,priority_protection,优先保护类\n";
    for file in [&csv, &xlsx] {
        let out =
            Command::new(env!("CARGO_BIN_EXE_landguard")).args(["soil-grade", "--file", p(file)]).output().unwrap();
        assert!(out.status.success(), "{}: {}", p(file), String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), want, "{}", p(file));
    }

    let bad = dir.path("bad.csv");
    std::fs::write(&bad, "sample,ph,land,Cd,Pb\nA,abc,paddy,0.3,10\nB,6,paddy,0.3,10\nC,6,orchard,-1,x\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_landguard")).args(["soil-grade", "--file", p(&bad)]).output().unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "nothing graded: {}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("2 of 3 samples refused")
            && err.contains("A /ph")
            && err.contains("C /land")
            && err.contains("C /concentrations/Pb"),
        "{err}"
    );

    // the same table saved as GBK (what Excel on a Chinese desktop writes): --encoding GBK reads it the
    // same; without it, the Chinese headers cannot be matched and the error names the remedy
    let gbk = dir.path("samples-gbk.csv");
    let iconv = Command::new("iconv").args(["-f", "UTF-8", "-t", "GBK", p(&csv), "-o", p(&gbk)]).status().unwrap();
    assert!(iconv.success());
    let out = Command::new(env!("CARGO_BIN_EXE_landguard"))
        .args(["soil-grade", "--file", p(&gbk), "--encoding", "GBK"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
    let out = Command::new(env!("CARGO_BIN_EXE_landguard")).args(["soil-grade", "--file", p(&gbk)]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not UTF-8") && err.contains("--encoding GBK"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_landguard"))
        .args(["soil-grade", "--file", p(&xlsx), "--encoding", "GBK"])
        .output()
        .unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("CSV only"));

    // a table with no graded pollutant (only Zn) is refused for its columns, before any row
    let zinc = dir.path("zinc.csv");
    std::fs::write(&zinc, "sample,ph,land,Zn\nA,6,paddy,900\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_landguard")).args(["soil-grade", "--file", p(&zinc)]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("at least one of Cd, Hg, As, Pb, Cr") && err.contains("its columns are: sample, ph, land, Zn"),
        "{err}"
    );
}
