//! Vector tiles against a real PostGIS: MVT decoded with geozero, properties per layer, ETag and 304,
//! the cache never serving a tile after a write (through the API or straight in SQL, as another process
//! would), as-of tiles, the size bound, bad tile addresses and TileJSON.

mod common;

use common::*;
use geozero::mvt::{tile, Message, Tile};
use landguard::config::Settings;
use landguard::http::{router, AppState};
use landguard::tilecache::TileCache;
use serde_json::{json, Value};
use sqlx::{Connection, PgPool};
use std::collections::BTreeMap;
use std::sync::Arc;

const PARCELS: &str = "/collections/construction_parcels/items";
const UNITS: &str = "/collections/farmland_units/items";
const MVT: &str = "application/vnd.mapbox-vector-tile";

/// The common test app, with its tile cache at hand for the counters.
async fn tile_app(pool: PgPool, settings: Settings) -> (TestApp, TileCache) {
    let base = app_with(pool, settings.clone()).await;
    let state = AppState::new(base.store.clone(), Arc::new(settings));
    let cache = state.tiles.clone();
    (TestApp { app: router(state), ..base }, cache)
}

fn tile_url(collection: &str, (z, x, y): (u32, u32, u32)) -> String {
    format!("/collections/{collection}/tiles/WebMercatorQuad/{z}/{y}/{x}")
}

/// Raw bytes of a response (the helper's `text` is lossy UTF-8): fetched again through the router.
async fn get_bytes(t: &TestApp, uri: &str, headers: &[(&str, &str)]) -> (u16, axum::http::HeaderMap, Vec<u8>) {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder().method("GET").uri(uri).header("host", "test.local");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = t.app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, bytes)
}

fn header<'a>(h: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn value_json(v: &tile::Value) -> Value {
    if let Some(s) = &v.string_value {
        json!(s)
    } else if let Some(b) = v.bool_value {
        json!(b)
    } else if let Some(i) = v.int_value.or(v.sint_value) {
        json!(i)
    } else if let Some(u) = v.uint_value {
        json!(u)
    } else if let Some(d) = v.double_value {
        json!(d)
    } else if let Some(f) = v.float_value {
        json!(f)
    } else {
        Value::Null
    }
}

/// The features of one layer of a tile, as property maps (plus the geometry type under "$type").
fn features(mvt: &[u8], layer: &str) -> Vec<BTreeMap<String, Value>> {
    let tile = Tile::decode(mvt).expect("a valid MVT");
    let Some(l) = tile.layers.iter().find(|l| l.name == layer) else { return Vec::new() };
    assert_eq!(l.extent, Some(4096));
    assert_eq!(l.version, 2);
    l.features
        .iter()
        .map(|f| {
            let mut props: BTreeMap<String, Value> = f
                .tags
                .chunks(2)
                .map(|kv| (l.keys[kv[0] as usize].clone(), value_json(&l.values[kv[1] as usize])))
                .collect();
            props.insert("$type".into(), json!(f.r#type));
            assert!(!f.geometry.is_empty(), "a feature has a geometry");
            props
        })
        .collect()
}

fn find<'a>(fs: &'a [BTreeMap<String, Value>], key: &str, code: &str) -> Option<&'a BTreeMap<String, Value>> {
    fs.iter().find(|f| f.get(key) == Some(&json!(code)))
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn tiles_carry_the_layer_properties(pool: PgPool) {
    let (t, cache) = tile_app(pool, Settings::default()).await;
    let mut u = unit("450222-GD-000001", "strict_control", square(109.400, 24.350, 0.002));
    u["properties"]["crops_compliant"] = json!(false);
    let created = t.write("POST", UNITS, &u).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let area = created.body["properties"]["area_m2"].as_f64().unwrap();
    assert_eq!(
        t.write("POST", UNITS, &unit("450222-GD-000002", "safe_use", square(109.396, 24.350, 0.002))).await.status,
        201
    );
    // far away: not in the tile
    assert_eq!(
        t.write("POST", UNITS, &unit("450222-GD-000003", "safe_use", square(110.5, 25.5, 0.002))).await.status,
        201
    );
    let mut p = parcel("LZ-T-001", square(109.401, 24.353, 0.001));
    p["properties"]["remediated_for_class"] = json!(2);
    assert_eq!(t.write("POST", PARCELS, &p).await.status, 201);

    let z14 = tile_of(109.401, 24.351, 14);
    let (status, h, body) = get_bytes(&t, &tile_url("farmland_units", z14), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), Some(MVT));
    assert_eq!(header(&h, "cache-control"), Some("no-cache"));
    assert_eq!(header(&h, "x-tile-cache"), Some("miss"));
    assert_eq!(header(&h, "x-tile-detail"), Some("full"));
    assert!(header(&h, "etag").is_some_and(|e| e.starts_with("W/\"") && e.ends_with('"')), "a weak ETag (gzip or not)");
    let fs = features(&body, "farmland_units");
    assert_eq!(fs.len(), 2, "{fs:?}");
    let f = find(&fs, "unit_code", "450222-GD-000001").expect("unit 1 in the tile");
    assert_eq!(f["class"], "strict_control");
    assert_eq!(f["county_code"], "450222");
    assert_eq!(f["land_type"], "0101");
    assert_eq!(f["measures_in_place"], true);
    assert_eq!(f["crops_compliant"], false);
    assert_eq!(f["area_m2"], json!(area.round() as i64));
    assert_eq!(f["$type"], json!(3), "polygon");
    assert!(find(&fs, "unit_code", "450222-GD-000003").is_none());
    // only the farmland layer in a farmland tile
    assert_eq!(Tile::decode(body.as_slice()).unwrap().layers.len(), 1);

    // the same tile again: from the cache, byte for byte
    let (_, h2, body2) = get_bytes(&t, &tile_url("farmland_units", z14), &[]).await;
    assert_eq!(header(&h2, "x-tile-cache"), Some("hit"));
    assert_eq!(body2, body);
    assert_eq!(header(&h2, "etag"), header(&h, "etag"));
    let s = cache.stats();
    assert_eq!((s.hits, s.misses, s.entries), (1, 1, 1));

    let (status, _, body) = get_bytes(&t, &tile_url("construction_parcels", z14), &[]).await;
    assert_eq!(status, 200);
    let fs = features(&body, "construction_parcels");
    assert_eq!(fs.len(), 1, "{fs:?}");
    let f = &fs[0];
    assert_eq!(f["parcel_code"], "LZ-T-001");
    assert_eq!(f["name"], "原柳州市某化工厂地块");
    assert_eq!(f["state"], "suspected");
    assert_eq!(f["rcr_listed"], false);
    assert_eq!(f["priority_supervision"], true);
    assert_eq!(f["key_unit_land"], false);
    assert_eq!(f["county_code"], "450205");
    assert_eq!(f["current_use"], "100102");
    assert_eq!(f["remediated_for_class"], json!(2));

    // `f=mvt` is accepted; the `.mvt` suffix too
    let (z, x, y) = z14;
    let r = t.get(&format!("{}?f=mvt", tile_url("farmland_units", z14))).await;
    assert_eq!(r.status, 200);
    let r = t.get(&format!("/collections/farmland_units/tiles/WebMercatorQuad/{z}/{y}/{x}.mvt")).await;
    assert_eq!(r.status, 200);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn empty_tiles_and_small_features_at_low_zoom(pool: PgPool) {
    let (t, _) = tile_app(pool, Settings::default()).await;
    assert_eq!(
        t.write("POST", UNITS, &unit("450222-GD-000001", "safe_use", square(109.400, 24.350, 0.002))).await.status,
        201
    );
    // a tile with nothing in it: 200, empty body, the MVT type
    let (status, h, body) = get_bytes(&t, &tile_url("farmland_units", tile_of(-70.0, -30.0, 8)), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "content-type"), Some(MVT));
    assert!(body.is_empty());
    // ~200 m is under a pixel at zoom 6 (one pixel of a 512-px tile is ~600 m there): left out ...
    let (_, _, body) = get_bytes(&t, &tile_url("farmland_units", tile_of(109.401, 24.351, 6)), &[]).await;
    assert!(features(&body, "farmland_units").is_empty());
    // ... and drawn from zoom 12 on (a pixel is ~19 m)
    let (_, _, body) = get_bytes(&t, &tile_url("farmland_units", tile_of(109.401, 24.351, 12)), &[]).await;
    assert_eq!(features(&body, "farmland_units").len(), 1);
    // the whole world at zoom 0 works
    let (status, _, _) = get_bytes(&t, "/collections/farmland_units/tiles/WebMercatorQuad/0/0/0", &[]).await;
    assert_eq!(status, 200);
    // deepest zoom
    let (status, _, body) = get_bytes(&t, &tile_url("farmland_units", tile_of(109.401, 24.351, 22)), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(features(&body, "farmland_units").len(), 1);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn etag_304_and_no_stale_tile_after_api_writes(pool: PgPool) {
    let (t, cache) = tile_app(pool, Settings::default()).await;
    let code = "450222-GD-000001";
    assert_eq!(
        t.write("POST", UNITS, &unit(code, "priority_protection", square(109.400, 24.350, 0.002))).await.status,
        201
    );
    let url = tile_url("farmland_units", tile_of(109.401, 24.351, 15));

    let (_, h, _) = get_bytes(&t, &url, &[]).await;
    let etag = header(&h, "etag").unwrap().to_string();
    let (status, h304, body) = get_bytes(&t, &url, &[("if-none-match", &etag)]).await;
    assert_eq!(status, 304);
    assert!(body.is_empty());
    assert_eq!(header(&h304, "etag"), Some(etag.as_str()));
    assert_eq!(header(&h304, "cache-control"), Some("no-cache"));
    // a list of tags, and the strong form of the tag, match too; another tag does not
    let strong = etag.trim_start_matches("W/");
    assert_eq!(get_bytes(&t, &url, &[("if-none-match", &format!("\"x\", {strong}"))]).await.0, 304);
    assert_eq!(get_bytes(&t, &url, &[("if-none-match", "\"t000\"")]).await.0, 200);
    assert_eq!(cache.stats().not_modified, 2);

    // PUT: the next request with the old ETag gets the new tile, not a 304 and not the cached body
    let mut changed = unit(code, "strict_control", square(109.400, 24.350, 0.002));
    changed["properties"]["measures_in_place"] = json!(false);
    let put = t.write("PUT", &format!("{UNITS}/{code}"), &changed).await;
    assert_eq!(put.status, 200, "{}", put.text);
    let (status, h, body) = get_bytes(&t, &url, &[("if-none-match", &etag)]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "x-tile-cache"), Some("miss"));
    let etag2 = header(&h, "etag").unwrap().to_string();
    assert_ne!(etag2, etag);
    let fs = features(&body, "farmland_units");
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0]["class"], "strict_control");
    assert_eq!(fs[0]["measures_in_place"], false);

    // PATCH
    let r = t.write("PATCH", &format!("{UNITS}/{code}"), &json!({"properties": {"class": "safe_use"}})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (status, h, body) = get_bytes(&t, &url, &[("if-none-match", &etag2)]).await;
    assert_eq!(status, 200);
    assert_ne!(header(&h, "etag"), Some(etag2.as_str()));
    assert_eq!(features(&body, "farmland_units")[0]["class"], "safe_use");

    // DELETE: the feature leaves the tile
    let d = t.send("DELETE", &format!("{UNITS}/{code}?reason=x"), Some(&t.editor.clone()), &[], None).await;
    assert_eq!(d.status, 204, "{}", d.text);
    let (status, _, body) = get_bytes(&t, &url, &[]).await;
    assert_eq!(status, 200);
    assert!(features(&body, "farmland_units").is_empty());

    // a lifecycle transition of a parcel
    assert_eq!(t.write("POST", PARCELS, &parcel("LZ-T-001", square(109.401, 24.351, 0.001))).await.status, 201);
    let purl = tile_url("construction_parcels", tile_of(109.4015, 24.3515, 15));
    let (_, h, body) = get_bytes(&t, &purl, &[]).await;
    assert_eq!(features(&body, "construction_parcels")[0]["state"], "suspected");
    let petag = header(&h, "etag").unwrap().to_string();
    assert_eq!(get_bytes(&t, &purl, &[]).await.1.get("x-tile-cache").unwrap(), "hit");
    let r = t
        .write(
            "POST",
            &format!("{PARCELS}/LZ-T-001/transitions"),
            &json!({"to": "surveying", "date": "2021-03-01", "document": "柳环函〔2021〕11号"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (status, h, body) = get_bytes(&t, &purl, &[("if-none-match", &petag)]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "x-tile-cache"), Some("miss"));
    assert_eq!(features(&body, "construction_parcels")[0]["state"], "surveying");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_write_in_sql_by_another_process_invalidates(pool: PgPool) {
    let (t, cache) = tile_app(pool, Settings::default()).await;
    let code = "450222-GD-000001";
    assert_eq!(
        t.write("POST", UNITS, &unit(code, "priority_protection", square(109.400, 24.350, 0.002))).await.status,
        201
    );
    let url = tile_url("farmland_units", tile_of(109.401, 24.351, 15));
    let (_, h, _) = get_bytes(&t, &url, &[]).await;
    let mut etag = header(&h, "etag").unwrap().to_string();
    assert_eq!(get_bytes(&t, &url, &[]).await.1.get("x-tile-cache").unwrap(), "hit");

    // Another process (psql, `landguard import`) writes on its own connection; the service is not told.
    let mut other = sqlx::PgConnection::connect_with(&t.store.pool.connect_options()).await.unwrap();
    for class in ["strict_control", "safe_use", "priority_protection", "strict_control"] {
        let n = sqlx::query(
            "UPDATE farmland_unit_versions SET class = $2 WHERE unit_code = $1 AND valid_to IS NULL AND superseded_at IS NULL",
        )
        .bind(code)
        .bind(class)
        .execute(&mut other)
        .await
        .unwrap()
        .rows_affected();
        assert_eq!(n, 1);
        let (status, h, body) = get_bytes(&t, &url, &[("if-none-match", &etag)]).await;
        assert_eq!(status, 200, "a stale 304 after a write in SQL");
        assert_eq!(header(&h, "x-tile-cache"), Some("miss"));
        assert_eq!(features(&body, "farmland_units")[0]["class"], class);
        etag = header(&h, "etag").unwrap().to_string();
        // and it is cached again until the next write
        assert_eq!(get_bytes(&t, &url, &[("if-none-match", &etag)]).await.0, 304);
        assert_eq!(get_bytes(&t, &url, &[]).await.1.get("x-tile-cache").unwrap(), "hit");
    }
    // an uncommitted write changes nothing yet (the tile and its ETag still hold); its commit does
    let mut tx = other.begin().await.unwrap();
    sqlx::query("UPDATE farmland_unit_versions SET class = 'safe_use' WHERE unit_code = $1 AND valid_to IS NULL AND superseded_at IS NULL")
        .bind(code)
        .execute(&mut *tx)
        .await
        .unwrap();
    let (status, _, _) = get_bytes(&t, &url, &[("if-none-match", &etag)]).await;
    assert_eq!(status, 304, "nothing committed yet");
    tx.commit().await.unwrap();
    let (status, _, body) = get_bytes(&t, &url, &[("if-none-match", &etag)]).await;
    assert_eq!(status, 200);
    assert_eq!(features(&body, "farmland_units")[0]["class"], "safe_use");
    // a row inserted in SQL appears too
    sqlx::query(
        "INSERT INTO farmland_unit_versions (unit_code, county_code, class, land_type, measures_in_place, geom, area_m2, \
         valid_from, recorded_by, change) VALUES ('450222-GD-000009', '450222', 'safe_use', '0101', true, \
         ST_Multi(ST_MakeEnvelope(109.4005, 24.3505, 109.4015, 24.3515, 4490)), 10000, '2024-01-01', 'psql', 'import')",
    )
    .execute(&mut other)
    .await
    .unwrap();
    let (_, _, body) = get_bytes(&t, &url, &[]).await;
    let fs = features(&body, "farmland_units");
    assert!(find(&fs, "unit_code", "450222-GD-000009").is_some(), "{fs:?}");
    // a write to the other collection leaves this one's cache alone
    assert_eq!(t.write("POST", PARCELS, &parcel("LZ-T-001", square(109.401, 24.351, 0.001))).await.status, 201);
    assert_eq!(get_bytes(&t, &url, &[]).await.1.get("x-tile-cache").unwrap(), "hit");
    assert!(cache.stats().invalidated >= 4);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn as_of_tiles(pool: PgPool) {
    let (t, _) = tile_app(pool, Settings::default()).await;
    assert_eq!(t.write("POST", PARCELS, &parcel("LZ-T-001", square(109.401, 24.351, 0.001))).await.status, 201);
    let url = tile_url("construction_parcels", tile_of(109.4015, 24.3515, 15));
    let state_on = |body: &[u8]| features(body, "construction_parcels").first().map(|f| f["state"].clone());

    let (_, h_before, body) = get_bytes(&t, &format!("{url}?datetime=2022-06-01"), &[]).await;
    assert_eq!(state_on(&body), Some(json!("suspected")));
    let etag_before = header(&h_before, "etag").unwrap().to_string();
    for (to, date) in [("surveying", "2021-03-01"), ("risk_assessment", "2021-09-15"), ("listed", "2022-01-10")] {
        let r = t
            .write(
                "POST",
                &format!("{PARCELS}/LZ-T-001/transitions"),
                &json!({"to": to, "date": date, "document": "桂环函〔2022〕8号"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    // the same as-of request after the transitions shows the state on that day, as now known
    let (status, h, body) =
        get_bytes(&t, &format!("{url}?datetime=2022-06-01"), &[("if-none-match", &etag_before)]).await;
    assert_eq!(status, 200);
    assert_ne!(header(&h, "etag"), Some(etag_before.as_str()));
    assert_eq!(state_on(&body), Some(json!("listed")));
    let (_, _, body) = get_bytes(&t, &format!("{url}?datetime=2021-06-01"), &[]).await;
    assert_eq!(state_on(&body), Some(json!("surveying")));
    let (_, _, body) = get_bytes(&t, &format!("{url}?datetime=2020-06-01T00:00:00Z"), &[]).await;
    assert_eq!(state_on(&body), Some(json!("suspected")));
    let (_, _, body) = get_bytes(&t, &format!("{url}?datetime=2019-01-01"), &[]).await;
    assert_eq!(state_on(&body), None, "not registered yet");
    let (_, _, body) = get_bytes(&t, &url, &[]).await;
    assert_eq!(state_on(&body), Some(json!("listed")));
    let f = features(&body, "construction_parcels");
    assert_eq!(f[0]["rcr_listed"], true);
    // as-of and current tiles have different ETags
    let (_, h_now, _) = get_bytes(&t, &url, &[]).await;
    let (_, h_then, _) = get_bytes(&t, &format!("{url}?datetime=2022-06-01"), &[]).await;
    assert_ne!(header(&h_now, "etag"), header(&h_then, "etag"));
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn bad_tile_addresses_and_parameters(pool: PgPool) {
    let (t, _) = tile_app(pool, Settings::default()).await;
    let base = "/collections/farmland_units/tiles/WebMercatorQuad";
    for (uri, status) in [
        (format!("{base}/23/0/0"), 400),
        (format!("{base}/-1/0/0"), 400),
        (format!("{base}/2/4/0"), 400),
        (format!("{base}/2/0/4"), 400),
        (format!("{base}/2/0/x"), 400),
        (format!("{base}/0/0/0?colour=red"), 400),
        (format!("{base}/0/0/0?f=json"), 400),
        (format!("{base}/0/0/0?datetime=yesterday"), 400),
        (format!("{base}/0/0/0?datetime=2020-01-01/2021-01-01"), 400),
        ("/collections/rivers/tiles/WebMercatorQuad/0/0/0".to_string(), 404),
        ("/collections/farmland_units/tiles/WorldCRS84Quad/0/0/0".to_string(), 404),
        ("/collections/farmland_units/tiles/WorldCRS84Quad".to_string(), 404),
        (format!("{base}?colour=red"), 400),
    ] {
        let r = t.get(&uri).await;
        assert_eq!(r.status.as_u16(), status, "{uri}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"), "{uri}");
        assert_eq!(r.body["status"], status, "{uri}");
    }
    let r = t.get(&format!("{base}/23/0/0")).await;
    assert_eq!(r.body["parameter"], "z");
    assert!(r.body["detail"].as_str().unwrap().contains("0 to 22"));
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn reads_follow_the_access_settings(pool: PgPool) {
    let settings = Settings { anonymous_read: vec![], ..Settings::default() };
    let (t, _) = tile_app(pool, settings).await;
    let url = "/collections/farmland_units/tiles/WebMercatorQuad/0/0/0";
    assert_eq!(t.get(url).await.status, 401);
    let viewer = t.viewer.clone();
    assert_eq!(t.send("GET", url, Some(&viewer), &[], None).await.status, 200);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_size_bound_reduces_and_says_so(pool: PgPool) {
    let settings = Settings { tile_max_bytes: 700, ..Settings::default() };
    let (t, _) = tile_app(pool, settings).await;
    for i in 0..12 {
        let mut p = parcel(
            &format!("LZ-T-{i:03}"),
            square(109.385 + 0.0015 * f64::from(i % 4), 24.350 + 0.0015 * f64::from(i / 4), 0.001),
        );
        p["properties"]["name"] = json!(format!("一个名字很长的地块，用来让瓦片超过大小上限 {i}"));
        assert_eq!(t.write("POST", PARCELS, &p).await.status, 201);
    }
    let url = tile_url("construction_parcels", tile_of(109.387, 24.352, 14));
    let (status, h, body) = get_bytes(&t, &url, &[]).await;
    assert_eq!(status, 200);
    assert_ne!(header(&h, "x-tile-detail"), Some("full"));
    let fs = features(&body, "construction_parcels");
    assert_eq!(fs.len(), 12, "every feature is still there");
    assert!(fs.iter().all(|f| f.get("name").is_none() && f.contains_key("state") && f.contains_key("rcr_listed")));
    assert!(body.len() <= 700 || header(&h, "x-tile-oversize") == Some("true"), "{} bytes", body.len());
    // the reduced tile is what the cache holds, with its headers
    let (_, h2, body2) = get_bytes(&t, &url, &[]).await;
    assert_eq!(header(&h2, "x-tile-cache"), Some("hit"));
    assert_eq!(header(&h2, "x-tile-detail"), header(&h, "x-tile-detail"));
    assert_eq!(body2, body);

    // a bound nothing fits under: served at minimal detail, marked, never empty
    let settings = Settings { tile_max_bytes: 10, ..Settings::default() };
    let t2 = TestApp {
        app: router(AppState::new(t.store.clone(), Arc::new(settings))),
        store: t.store.clone(),
        editor: t.editor.clone(),
        viewer: t.viewer.clone(),
        admin: t.admin.clone(),
    };
    let (status, h, body) = get_bytes(&t2, &url, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&h, "x-tile-detail"), Some("minimal"));
    assert_eq!(header(&h, "x-tile-oversize"), Some("true"));
    assert_eq!(features(&body, "construction_parcels").len(), 12);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn cache_off_still_serves_fresh_tiles(pool: PgPool) {
    let (t, cache) = tile_app(pool, Settings { tile_cache_bytes: 0, ..Settings::default() }).await;
    assert_eq!(
        t.write("POST", UNITS, &unit("450222-GD-000001", "safe_use", square(109.400, 24.350, 0.002))).await.status,
        201
    );
    let url = tile_url("farmland_units", tile_of(109.401, 24.351, 14));
    let mut etag = String::new();
    for _ in 0..3 {
        let (status, h, body) = get_bytes(&t, &url, &[]).await;
        assert_eq!(status, 200);
        assert_eq!(header(&h, "x-tile-cache"), Some("miss"));
        assert_eq!(features(&body, "farmland_units").len(), 1);
        etag = header(&h, "etag").expect("an etag").to_string();
    }
    assert_eq!(cache.stats().entries, 0);
    // Without a cache the tile's own statement gives the version its ETag names: a 304 while nothing
    // changed, and after a write the new feature and a new ETag, never the tile before it.
    let (status, _, _) = get_bytes(&t, &url, &[("if-none-match", &etag)]).await;
    assert_eq!(status, 304);
    assert_eq!(
        t.write("POST", UNITS, &unit("450222-GD-000002", "safe_use", square(109.3950, 24.3500, 0.0030))).await.status,
        201
    );
    let (status, h, body) = get_bytes(&t, &url, &[("if-none-match", &etag)]).await;
    assert_eq!(status, 200);
    assert_eq!(features(&body, "farmland_units").len(), 2);
    let (status, h2, body2) = get_bytes(&t, &url, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body2, body);
    assert_eq!(header(&h2, "etag"), header(&h, "etag"));
    assert_ne!(header(&h2, "etag"), Some(etag.as_str()));
    assert_eq!(cache.stats().renders, 5);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn tilejson_and_tilesets(pool: PgPool) {
    let (t, _) = tile_app(pool, Settings::default()).await;
    // no data yet: the whole Web Mercator world
    let r = t.get("/collections/farmland_units/tiles/WebMercatorQuad").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["bounds"][0], -180.0);

    assert_eq!(
        t.write("POST", UNITS, &unit("450222-GD-000001", "safe_use", square(109.40, 24.35, 0.002))).await.status,
        201
    );
    assert_eq!(
        t.write("POST", UNITS, &unit("450222-GD-000002", "safe_use", square(110.20, 25.10, 0.002))).await.status,
        201
    );
    let r = t.get("/collections/farmland_units/tiles/WebMercatorQuad").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let j = &r.body;
    assert_eq!(j["tilejson"], "3.0.0");
    assert_eq!(j["scheme"], "xyz");
    assert_eq!(j["tiles"], json!(["http://test.local/collections/farmland_units/tiles/WebMercatorQuad/{z}/{y}/{x}"]));
    assert_eq!(j["minzoom"], 0);
    assert_eq!(j["maxzoom"], 18);
    let b: Vec<f64> = j["bounds"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
    assert!(close(b[0], 109.40) && close(b[1], 24.35) && close(b[2], 110.202) && close(b[3], 25.102), "{b:?}");
    assert_eq!(j["center"].as_array().unwrap().len(), 3);
    let layer = &j["vector_layers"][0];
    assert_eq!(layer["id"], "farmland_units");
    let fields: Vec<&str> = layer["fields"].as_object().unwrap().keys().map(String::as_str).collect();
    for f in ["unit_code", "class", "county_code", "land_type", "measures_in_place", "crops_compliant", "area_m2"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    // bounds follow writes (the extent is cached by data version)
    assert_eq!(
        t.write("POST", UNITS, &unit("450222-GD-000003", "safe_use", square(111.00, 25.10, 0.002))).await.status,
        201
    );
    let r = t.get("/collections/farmland_units/tiles/WebMercatorQuad").await;
    assert!(close(r.body["bounds"][2].as_f64().unwrap(), 111.002), "{}", r.body["bounds"]);
    // as-of TileJSON points its tiles at the same day
    let r = t.get("/collections/construction_parcels/tiles/WebMercatorQuad?datetime=2023-01-01").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["tiles"][0],
        "http://test.local/collections/construction_parcels/tiles/WebMercatorQuad/{z}/{y}/{x}?datetime=2023-01-01"
    );
    assert!(r.body["vector_layers"][0]["fields"]["rcr_listed"].is_string());

    let r = t.get("/collections/construction_parcels/tiles").await;
    assert_eq!(r.status, 200);
    let links = r.body["tilesets"][0]["links"].as_array().unwrap();
    assert!(links.iter().any(|l| l["type"] == MVT && l["templated"] == true));
}

/// A GET through a router of its own (for spawned tasks).
async fn fetch(app: axum::Router, uri: String) -> (u16, Vec<u8>) {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = axum::http::Request::builder().uri(uri).header("host", "test.local").body(Body::empty()).unwrap();
    let resp = app.oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn concurrent_requests_never_get_a_tile_older_than_a_committed_write(pool: PgPool) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let (t, cache) = tile_app(pool, Settings::default()).await;
    let code = "450222-GD-000001";
    assert_eq!(
        t.write("POST", UNITS, &unit(code, "priority_protection", square(109.400, 24.350, 0.002))).await.status,
        201
    );
    let url = tile_url("farmland_units", tile_of(109.401, 24.351, 15));
    // readers in the background keep data-version reads in flight, so requests below share them
    let stop = Arc::new(AtomicBool::new(false));
    let mut background = Vec::new();
    for _ in 0..4 {
        let (app, url, stop) = (t.app.clone(), url.clone(), stop.clone());
        background.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                assert_eq!(fetch(app.clone(), url.clone()).await.0, 200);
                n += 1;
            }
            n
        }));
    }
    let mut other = sqlx::PgConnection::connect_with(&t.store.pool.connect_options()).await.unwrap();
    let classes = ["strict_control", "safe_use", "priority_protection"];
    for i in 0..12 {
        let class = classes[i % 3];
        sqlx::query("UPDATE farmland_unit_versions SET class = $2 WHERE unit_code = $1 AND valid_to IS NULL AND superseded_at IS NULL")
            .bind(code)
            .bind(class)
            .execute(&mut other)
            .await
            .unwrap();
        // committed: every request from now on sees it
        let answers = futures_util::future::join_all((0..8).map(|_| fetch(t.app.clone(), url.clone()))).await;
        for (status, body) in answers {
            assert_eq!(status, 200);
            assert_eq!(features(&body, "farmland_units")[0]["class"], class, "round {i}");
        }
    }
    stop.store(true, Ordering::Relaxed);
    let mut served = 0;
    for b in background {
        served += b.await.unwrap();
    }
    assert!(served > 0);
    assert!(cache.stats().hits > 0);
    // most of these answers knew the version from the lease, not from a query: the writes above were made
    // while it was held, and each waited for it to be given back
    assert!(cache.stats().leased > 0, "{:?}", cache.stats());
}

/// The database's side of a tile lease (migrations/20261206130001_tile_leases.sql and
/// 20261206150001_tile_leases_in_a_transaction.sql), with no service: a write to a collection cannot commit
/// while a lease on it is held, a waiting write gets the key as soon as the lease is given back (the holder's
/// next try fails rather than overtaking it), leases are per collection, and a holder that falls silent loses
/// its lease with its session.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_lease_holds_writes_back_until_given_back_and_never_overtakes_them(pool: PgPool) {
    use landguard::store::tiles::renew_lease;
    let opts = pool.connect_options();
    let c = landguard::domain::registry::Collection::FarmlandUnits;
    let mut holder = sqlx::PgConnection::connect_with(&opts).await.unwrap();
    let write = "UPDATE farmland_unit_versions SET class = class WHERE false";
    // the version that comes with a lease is the one a tile request reads
    let store = landguard::store::Store::from_pool(pool.clone());
    let first = renew_lease(&mut holder, c, false, 60_000).await.unwrap();
    assert_eq!(first, Some(store.data_version(c).await.unwrap()));
    let first = first.unwrap();

    let mut writer = sqlx::PgConnection::connect_with(&opts).await.unwrap();
    sqlx::query("SET lock_timeout = '300ms'").execute(&mut writer).await.unwrap();
    let err = sqlx::query(write).execute(&mut writer).await.unwrap_err();
    assert_eq!(err.as_database_error().and_then(|e| e.code()).as_deref(), Some("55P03"), "{err}");
    // the other collection's writes are not held back
    sqlx::query("UPDATE construction_parcel_versions SET state = state WHERE false")
        .execute(&mut writer)
        .await
        .unwrap();

    // a write that waits, and holds its transaction open once it got through
    sqlx::query("SET lock_timeout = 0").execute(&mut writer).await.unwrap();
    let (commit, committed) = tokio::sync::oneshot::channel::<()>();
    let waiting = tokio::spawn(async move {
        let mut tx = writer.begin().await.unwrap();
        sqlx::query(write).execute(&mut *tx).await.unwrap();
        committed.await.unwrap();
        tx.commit().await.unwrap();
        writer
    });
    let waiters = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted";
    for _ in 0..100 {
        if sqlx::query_scalar::<_, i64>(waiters).fetch_one(&pool).await.unwrap() > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(sqlx::query_scalar::<_, i64>(waiters).fetch_one(&pool).await.unwrap(), 1, "the write waits");
    // given back: the write gets the key, the lease is not taken again past it, nor while it runs
    assert_eq!(renew_lease(&mut holder, c, true, 60_000).await.unwrap(), None);
    assert_eq!(renew_lease(&mut holder, c, true, 60_000).await.unwrap(), None);
    commit.send(()).unwrap();
    let mut writer = waiting.await.unwrap();
    let again = renew_lease(&mut holder, c, true, 60_000).await.unwrap().expect("taken again once the write committed");
    assert_eq!(again.seq, first.seq + 1, "with the version of the write that waited for it");

    // a holder that says nothing for longer than it asked loses the session, and the lease with it
    assert!(renew_lease(&mut holder, c, true, 200).await.unwrap().is_some());
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    sqlx::query("SET lock_timeout = '300ms'").execute(&mut writer).await.unwrap();
    sqlx::query(write).execute(&mut writer).await.expect("the silent holder's lease was given back");
    assert!(renew_lease(&mut holder, c, true, 200).await.is_err(), "its session was ended");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn concurrent_requests_for_a_cold_tile_render_it_once(pool: PgPool) {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let (t, cache) = tile_app(pool, Settings::default()).await;
    assert_eq!(
        t.write("POST", UNITS, &unit("450222-GD-000001", "safe_use", square(109.400, 24.350, 0.002))).await.status,
        201
    );
    let url = tile_url("farmland_units", tile_of(109.401, 24.351, 15));
    // Another session holds the table, so the render waits until every request has missed and is waiting
    // too (the data version is read from another table and is not held up).
    let mut other = sqlx::PgConnection::connect_with(&t.store.pool.connect_options()).await.unwrap();
    let mut lock = other.begin().await.unwrap();
    sqlx::query("LOCK TABLE farmland_unit_versions IN ACCESS EXCLUSIVE MODE").execute(&mut *lock).await.unwrap();
    let requests: Vec<_> = (0..8)
        .map(|_| {
            let (app, url) = (t.app.clone(), url.clone());
            tokio::spawn(async move {
                let req =
                    axum::http::Request::builder().uri(url).header("host", "test.local").body(Body::empty()).unwrap();
                let resp = app.oneshot(req).await.unwrap();
                let (status, how) =
                    (resp.status().as_u16(), header(resp.headers(), "x-tile-cache").map(str::to_string));
                (status, how, resp.into_body().collect().await.unwrap().to_bytes().to_vec())
            })
        })
        .collect();
    let start = std::time::Instant::now();
    while cache.stats().misses < 8 {
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "{:?}", cache.stats());
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    lock.rollback().await.unwrap();
    let mut answers = Vec::new();
    for r in requests {
        answers.push(r.await.unwrap());
    }
    let s = cache.stats();
    assert_eq!((s.misses, s.renders, s.entries), (8, 1, 1), "{s:?}");
    let mut how: Vec<&str> = answers.iter().filter_map(|(_, h, _)| h.as_deref()).collect();
    how.sort();
    assert_eq!(how, ["miss", "shared", "shared", "shared", "shared", "shared", "shared", "shared"]);
    for (status, _, body) in &answers {
        assert_eq!(*status, 200);
        assert_eq!(body, &answers[0].2);
        assert_eq!(features(body, "farmland_units").len(), 1);
    }
    // warm now: a hit, no render
    assert_eq!(header(&get_bytes(&t, &url, &[]).await.1, "x-tile-cache"), Some("hit"));
    assert_eq!(cache.stats().renders, 1);
}

/// Every feature of a tile's layer as one line (id, properties, geometry commands), sorted: two tiles with the
/// same lines draw the same, whatever order their features come in.
fn drawn(mvt: &[u8], layer: &str) -> Vec<String> {
    let tile = Tile::decode(mvt).expect("a valid MVT");
    let Some(l) = tile.layers.iter().find(|l| l.name == layer) else { return Vec::new() };
    let mut lines: Vec<String> = l
        .features
        .iter()
        .map(|f| {
            let props: BTreeMap<String, Value> = f
                .tags
                .chunks(2)
                .map(|kv| (l.keys[kv[0] as usize].clone(), value_json(&l.values[kv[1] as usize])))
                .collect();
            format!("{:?} {props:?} {:?}", f.id, f.geometry)
        })
        .collect();
    lines.sort();
    lines
}

/// A farmland tile made by the statement that draws from `geom` on every request (the one of zooms above 12),
/// run straight on the database.
async fn live_tile(t: &TestApp, (z, x, y): (u32, u32, u32), as_of: Option<chrono::NaiveDate>) -> Vec<u8> {
    use landguard::store::statements::statements;
    let s = statements(landguard::domain::registry::Collection::FarmlandUnits);
    let sql = format!("SELECT mvt FROM ({}) tile", if as_of.is_some() { &s.tile_as_of } else { &s.tile_current });
    let mut q = sqlx::query_scalar::<_, Option<Vec<u8>>>(&sql)
        .bind(z as i32)
        .bind(x as i32)
        .bind(y as i32)
        .bind(1.0f64)
        .bind(8.0f64)
        .bind(true);
    if let Some(d) = as_of {
        q = q.bind(d);
    }
    q.fetch_one(&t.store.pool).await.unwrap().unwrap_or_default()
}

/// The plan of the tile statement the service runs at a zoom, with its output expressions.
async fn tile_plan(t: &TestApp, z: u8) -> String {
    use landguard::domain::registry::Collection;
    use landguard::domain::time::AsOf;
    let sql = landguard::store::tiles::tile_sql(Collection::FarmlandUnits, AsOf::Current, z);
    let rows: Vec<String> = sqlx::query_scalar(&format!("EXPLAIN (VERBOSE, COSTS OFF) {sql}"))
        .bind(i32::from(z))
        .bind(0)
        .bind(0)
        .bind(1.0f64)
        .bind(8.0f64)
        .bind(true)
        .fetch_all(&t.store.pool)
        .await
        .unwrap();
    rows.join("\n")
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn low_zoom_tiles_are_cut_from_the_stored_geometry_and_high_zooms_are_not(pool: PgPool) {
    let (t, _) = tile_app(pool, Settings::default()).await;
    for z in [0, 6, 11, 12] {
        let plan = tile_plan(&t, z).await;
        assert!(
            plan.contains("tile_z12") && !plan.contains("st_transform(st_setsrid(st_simplify(v.geom"),
            "z{z}: {plan}"
        );
    }
    for z in [13, 14, 16, 22] {
        let plan = tile_plan(&t, z).await;
        assert!(
            !plan.contains("tile_z12") && plan.contains("st_transform(st_setsrid(st_simplify(v.geom"),
            "z{z}: {plan}"
        );
    }
    // a collection without the stored geometry draws from geom at every zoom
    let parcels = landguard::store::tiles::tile_sql(
        landguard::domain::registry::Collection::ConstructionParcels,
        landguard::domain::time::AsOf::Current,
        12,
    );
    assert!(!parcels.contains("tile_z12"));
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn z12_tiles_follow_every_write_and_draw_what_geom_draws(pool: PgPool) {
    let (t, _) = tile_app(pool, Settings::default()).await;
    let z12 = tile_of(109.401, 24.351, 12);
    let (_, x, y) = z12;
    let east = (12, x + 1, y);
    // the tile's east edge, in degrees of longitude: a unit across it is clipped by both tiles
    let edge = f64::from(x + 1) / 4096.0 * 360.0 - 180.0;
    let (a, b) = ("450222-GD-000001", "450222-GD-000002");
    assert_eq!(
        t.write("POST", UNITS, &unit(a, "priority_protection", square(109.400, 24.350, 0.002))).await.status,
        201
    );
    assert_eq!(t.write("POST", UNITS, &unit(b, "safe_use", square(edge - 0.001, 24.352, 0.002))).await.status, 201);

    // What the stored geometry draws is what geom draws: the same features, properties and geometry
    // commands, inside the tile (the stored geometry moved) and across its edge (clipped), on both sides.
    let same_as_live = |tile: (u32, u32, u32), why: &'static str| {
        let t = &t;
        async move {
            let (status, h, body) = get_bytes(t, &tile_url("farmland_units", tile), &[]).await;
            assert_eq!(status, 200);
            assert_eq!(
                drawn(&body, "farmland_units"),
                drawn(&live_tile(t, tile, None).await, "farmland_units"),
                "{why}"
            );
            (h, body)
        }
    };
    let (_, body) = same_as_live(z12, "created").await;
    let fs = features(&body, "farmland_units");
    assert_eq!(fs.len(), 2, "{fs:?}");
    assert_eq!(find(&fs, "unit_code", a).unwrap()["class"], "priority_protection");
    let (_, body) = same_as_live(east, "created, east").await;
    assert!(find(&features(&body, "farmland_units"), "unit_code", b).is_some(), "clipped into the next tile too");
    let before = drawn(&body, "farmland_units");

    // PUT: another class and another shape
    let mut changed = unit(a, "strict_control", square(109.405, 24.352, 0.003));
    changed["properties"]["measures_in_place"] = json!(false);
    assert_eq!(t.write("PUT", &format!("{UNITS}/{a}"), &changed).await.status, 200);
    let (h, body) = same_as_live(z12, "put").await;
    let f = features(&body, "farmland_units");
    assert_eq!(find(&f, "unit_code", a).unwrap()["class"], "strict_control");
    assert_eq!(find(&f, "unit_code", a).unwrap()["measures_in_place"], false);
    assert_eq!(header(&h, "x-tile-cache"), Some("miss"));

    // PATCH of the one across the edge: both tiles show it
    let r = t.write("PATCH", &format!("{UNITS}/{b}"), &json!({"properties": {"class": "strict_control"}})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, body) = same_as_live(east, "patch, east").await;
    assert_eq!(find(&features(&body, "farmland_units"), "unit_code", b).unwrap()["class"], "strict_control");
    assert_ne!(drawn(&body, "farmland_units"), before);
    same_as_live(z12, "patch").await;

    // DELETE (the unit's end): gone from both tiles
    let d = t.send("DELETE", &format!("{UNITS}/{b}?reason=x"), Some(&t.editor.clone()), &[], None).await;
    assert_eq!(d.status, 204, "{}", d.text);
    for tile in [z12, east] {
        let (_, body) = same_as_live(tile, "delete").await;
        assert!(find(&features(&body, "farmland_units"), "unit_code", b).is_none());
    }

    // Writes in SQL by another process: an inserted row draws at once, and a geometry changed in place is
    // drawn as changed (the stored geometry is a generated column, made again with geom).
    let mut other = sqlx::PgConnection::connect_with(&t.store.pool.connect_options()).await.unwrap();
    sqlx::query(
        "INSERT INTO farmland_unit_versions (unit_code, county_code, class, land_type, measures_in_place, geom, area_m2, \
         valid_from, recorded_by, change) VALUES ('450222-GD-000009', '450222', 'safe_use', '0101', true, \
         ST_Multi(ST_MakeEnvelope(109.3905, 24.3505, 109.3925, 24.3525, 4490)), 40000, '2024-01-01', 'psql', 'import')",
    )
    .execute(&mut other)
    .await
    .unwrap();
    let (_, body) = same_as_live(z12, "insert in SQL").await;
    assert!(find(&features(&body, "farmland_units"), "unit_code", "450222-GD-000009").is_some());
    let before = drawn(&body, "farmland_units");
    let n = sqlx::query(
        "UPDATE farmland_unit_versions SET geom = ST_Multi(ST_MakeEnvelope(109.3905, 24.3505, 109.3945, 24.3545, 4490)) \
         WHERE unit_code = '450222-GD-000009'",
    )
    .execute(&mut other)
    .await
    .unwrap()
    .rows_affected();
    assert_eq!(n, 1);
    let (_, body) = same_as_live(z12, "geometry updated in SQL").await;
    assert_ne!(drawn(&body, "farmland_units"), before);

    // as of a day: the versions valid then, from their own stored geometry
    let day = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    let (_, _, body) = get_bytes(&t, &format!("{}?datetime=2023-01-01", tile_url("farmland_units", z12)), &[]).await;
    assert_eq!(drawn(&body, "farmland_units"), drawn(&live_tile(&t, z12, Some(day)).await, "farmland_units"));
    assert!(find(&features(&body, "farmland_units"), "unit_code", "450222-GD-000009").is_none(), "valid from 2024");
    assert!(find(&features(&body, "farmland_units"), "unit_code", a).is_some());

    // lower zooms, from the stored geometry scaled down, draw the same features
    for z in [9, 10, 11] {
        let tile = tile_of(109.401, 24.351, z);
        let (_, _, body) = get_bytes(&t, &tile_url("farmland_units", tile), &[]).await;
        let codes = |mvt: &[u8]| {
            let mut c: Vec<String> =
                features(mvt, "farmland_units").iter().map(|f| f["unit_code"].to_string()).collect();
            c.sort();
            c
        };
        let (ours, live) = (codes(&body), codes(&live_tile(&t, tile, None).await));
        assert_eq!(ours, live, "z{z}");
        assert!(!ours.is_empty(), "z{z}");
    }
}

/// A `landguard serve` process of its own (own tile cache, own pool) on the test's database, stopped when
/// dropped.
struct Service {
    child: std::process::Child,
    addr: String,
}

impl Service {
    async fn start(db_url: &str) -> Service {
        // A free port: bound and released here, then given to the process (loopback only).
        let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_landguard"))
            .args(["serve", "--bind", &addr])
            .env("DATABASE_URL", db_url)
            .env("LANDGUARD_TILE_CACHE_BYTES", (16 << 20).to_string())
            .env("RUST_LOG", "warn")
            .env_remove("LANDGUARD_CONFIG")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("run landguard serve");
        let s = Service { child, addr };
        for _ in 0..200 {
            if s.http("GET", "/health", None, None).await.is_some_and(|r| r.0 == 200) {
                return s;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("landguard serve on {} did not come up", s.addr);
    }

    /// One request on a connection of its own: status, headers (lower-case names) and body.
    async fn http(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Option<(u16, BTreeMap<String, String>, Vec<u8>)> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut conn = tokio::net::TcpStream::connect(&self.addr).await.ok()?;
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut req = format!("{method} {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n", self.addr);
        if let Some(t) = token {
            req.push_str(&format!("authorization: Bearer {t}\r\n"));
        }
        if !body.is_empty() {
            req.push_str(&format!("content-type: application/json\r\ncontent-length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        req.push_str(&body);
        conn.write_all(req.as_bytes()).await.ok()?;
        let mut raw = Vec::new();
        conn.read_to_end(&mut raw).await.ok()?;
        let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&raw[..end]).to_string();
        let mut lines = head.split("\r\n");
        let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers: BTreeMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut rest = raw[end + 4..].to_vec();
        if headers.get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
            let mut out = Vec::new();
            loop {
                let nl = rest.windows(2).position(|w| w == b"\r\n")?;
                let n = usize::from_str_radix(String::from_utf8_lossy(&rest[..nl]).trim(), 16).ok()?;
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&rest[nl + 2..nl + 2 + n]);
                rest = rest[nl + 2 + n + 2..].to_vec();
            }
            rest = out;
        }
        Some((status, headers, rest))
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The URL of the throwaway database behind `pool` (same server as DATABASE_URL).
fn db_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let (server, _) = base.rsplit_once('/').expect("a database URL");
    format!("{server}/{}", pool.connect_options().get_database().expect("a database name"))
}

/// Two service processes on one database, each with its own cache and pool: a tile warmed in B's cache is
/// never served by B after a write committed through A's API or by SQL, however soon B is asked.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_second_process_never_serves_a_tile_older_than_a_write_through_the_first(pool: PgPool) {
    let url = db_url(&pool);
    // the counties and the tokens, in the database both processes use
    let t = app_with(pool, Settings::default()).await;
    let (a, b) = (Service::start(&url).await, Service::start(&url).await);
    let code = "450222-GD-000001";
    let first = unit(code, "priority_protection", square(109.400, 24.350, 0.002));
    assert_eq!(a.http("POST", UNITS, Some(&t.editor), Some(&first)).await.unwrap().0, 201);
    // warm B: its second answer comes from its cache
    assert_eq!(class_on(&b).await.0, Some(json!("priority_protection")));
    assert_eq!(class_on(&b).await, (Some(json!("priority_protection")), "hit".to_string()));

    // writes through A's API, each followed at once by a request to B
    for class in ["strict_control", "safe_use", "priority_protection", "strict_control"] {
        answering_from_a_lease(&b).await;
        let patch = json!({"properties": {"class": class}});
        let (status, _, body) =
            a.http("PATCH", &format!("{UNITS}/{code}"), Some(&t.editor), Some(&patch)).await.unwrap();
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        let (seen, how) = class_on(&b).await;
        assert_eq!(seen, Some(json!(class)), "B served a tile older than A's committed write ({how})");
        assert_eq!(how, "miss");
        // and B caches the new tile until the next write
        assert_eq!(class_on(&b).await, (Some(json!(class)), "hit".to_string()));
    }

    // writes in SQL (neither service is told), each followed at once by a request to both
    let mut other = sqlx::PgConnection::connect_with(&t.store.pool.connect_options()).await.unwrap();
    assert_eq!(class_on(&a).await.0, Some(json!("strict_control")));
    for class in ["safe_use", "priority_protection", "strict_control"] {
        answering_from_a_lease(&b).await;
        answering_from_a_lease(&a).await;
        sqlx::query("UPDATE farmland_unit_versions SET class = $2 WHERE unit_code = $1 AND valid_to IS NULL AND superseded_at IS NULL")
            .bind(code)
            .bind(class)
            .execute(&mut other)
            .await
            .unwrap();
        assert_eq!(class_on(&b).await.0, Some(json!(class)), "B, after a write in SQL");
        assert_eq!(class_on(&a).await.0, Some(json!(class)), "A, after a write in SQL");
    }

    // a deletion through A: B's cached tile loses the feature at once
    assert_eq!(class_on(&b).await.1, "hit");
    answering_from_a_lease(&b).await;
    let (status, _, _) = a.http("DELETE", &format!("{UNITS}/{code}?reason=x"), Some(&t.editor), None).await.unwrap();
    assert_eq!(status, 204);
    assert_eq!(class_on(&b).await.0, None, "B still drew a feature A deleted");
}

/// Asks `s` for the tile until an answer knew the data version from a lease held by `s` (no query), so that
/// the write that follows is made while `s` trusts its lease: the case a lease must get right.
async fn answering_from_a_lease(s: &Service) {
    let before = leased_on(s).await;
    for _ in 0..200 {
        class_on(s).await;
        if leased_on(s).await > before {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("{} never answered from a lease", s.addr);
}

/// How many of a process's tile requests knew the data version from a lease (its /metrics).
async fn leased_on(s: &Service) -> u64 {
    let (status, _, body) = s.http("GET", "/metrics", None, None).await.unwrap();
    assert_eq!(status, 200);
    let text = String::from_utf8(body).unwrap();
    let line = text.lines().find(|l| l.starts_with("landguard_tile_version_leased_total ")).unwrap_or_default();
    line.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// The class drawn for the one unit of the two-process test's tile (`None`: no feature), and whether the
/// tile came from the process's cache.
async fn class_on(s: &Service) -> (Option<Value>, String) {
    let tile = tile_url("farmland_units", tile_of(109.401, 24.351, 15));
    let (status, h, body) = s.http("GET", &tile, None, None).await.unwrap();
    assert_eq!(status, 200);
    let class = features(&body, "farmland_units").first().map(|f| f["class"].clone());
    (class, h.get("x-tile-cache").cloned().unwrap_or_default())
}
