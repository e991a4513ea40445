//! Receipts of access-rule checks (ids, self links, answers kept as sent) and where a check's query lies:
//! never `allowed` outside the counties the registry covers.

mod common;

use common::*;
use serde_json::{json, Value};
use sqlx::PgPool;

/// A lon/lat geometry in EPSG:4545 as PostGIS, ogr2ogr and QGIS write it: easting, northing.
async fn to_4545_easting_first(t: &TestApp, g: &Value) -> Value {
    let text: String =
        sqlx::query_scalar("SELECT ST_AsGeoJSON(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4490), 4545), 3)")
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
    parcel_in(&t, "LZ-AX", square(109.40, 24.35, 0.002), &["surveying", "risk_assessment", "listed"], json!({})).await;
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
    assert!(
        (p[0].as_f64().unwrap() - 109.401).abs() < 0.001 && (p[1].as_f64().unwrap() - 24.351).abs() < 0.001,
        "{}",
        r.text
    );
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_query_in_the_sea_is_refused_with_where_it_landed(pool: PgPool) {
    let t = app(pool).await;
    // (body, where it lands (lon, lat), words the suggestion must hold)
    let cases = [
        // lon/lat in the South China Sea, inside China's extent but in no county
        (
            json!({"geometry": square(115.0, 15.0, 0.001), "proposed_use": "070101"}),
            (115.0, 15.0),
            "longitude, latitude",
        ),
        // EPSG:4545 in authority order (northing, easting), but in the Gulf of Tonkin: not a swap, refused
        (
            json!({"geometry": {"type": "Polygon", "coordinates": [[[2_300_000.0, 500_000.0], [2_300_000.0, 500_100.0], [2_300_100.0, 500_100.0], [2_300_000.0, 500_000.0]]]},
                   "crs": "EPSG:4545", "proposed_use": "070101"}),
            (108.0, 20.8),
            "northing (X), easting (Y)",
        ),
    ];
    for (body, (lon, lat), hint) in cases {
        for kind in ["rezoning", "eia-site", "land-supply"] {
            let mut body = body.clone();
            if kind != "rezoning" {
                body.as_object_mut().unwrap().remove("proposed_use");
            }
            let r = t.send("POST", &format!("/checks/{kind}"), None, &[], Some(body.to_string())).await;
            assert_eq!(r.status, 422, "{kind} {body}: {}", r.text);
            assert_eq!(r.header("content-type"), Some("application/problem+json"));
            assert!(r.body["type"].as_str().unwrap().ends_with("/outside-coverage"), "{}", r.text);
            let at = &r.body["landed_at"]["coordinates"];
            assert!(
                (at[0].as_f64().unwrap() - lon).abs() < 0.1 && (at[1].as_f64().unwrap() - lat).abs() < 0.1,
                "{}",
                r.text
            );
            assert!(r.body["detail"].as_str().unwrap().contains("outside every county"), "{}", r.text);
            assert!(r.body["detail_zh"].as_str().unwrap().contains("不在登记簿覆盖的任何县区内"), "{}", r.text);
            assert!(r.body["suggestion_en"].as_str().unwrap().contains(hint), "{}", r.text);
            assert!(!r.body["suggestion_zh"].as_str().unwrap().is_empty());
        }
    }
    // a registered parcel outside the county outlines: refused too, the outlines suspected
    parcel_in(&t, "SEA-1", square(115.0, 15.0, 0.001), &[], json!({})).await;
    let r = t
        .send(
            "POST",
            "/checks/rezoning",
            None,
            &[],
            Some(json!({"parcel_code": "SEA-1", "proposed_use": "070101"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.body["suggestion_en"].as_str().unwrap().contains("counties-load"), "{}", r.text);
    assert!(r.body.get("crs").is_none(), "{}", r.text);
    // refusals are not answers: nothing is kept
    assert_eq!(t.count("check_answers").await, 0);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn without_county_outlines_no_check_is_answered(pool: PgPool) {
    let t = app(pool).await;
    sqlx::query("DELETE FROM counties").execute(&t.store.pool).await.unwrap();
    let r = t
        .send(
            "POST",
            "/checks/rezoning",
            None,
            &[],
            Some(json!({"geometry": square(109.40, 24.35, 0.002), "proposed_use": "070101"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 503, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert!(r.body["type"].as_str().unwrap().ends_with("/no-county-outlines"), "{}", r.text);
    assert!(r.body["detail"].as_str().unwrap().contains("counties-load"), "{}", r.text);
    assert!(r.body["detail_zh"].as_str().unwrap().contains("县区界线"), "{}", r.text);
    assert_eq!(t.count("check_answers").await, 0);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn every_answer_has_a_receipt_that_reads_it_back_byte_for_byte(pool: PgPool) {
    let t = app(pool).await;
    let body = json!({"geometry": square(109.45, 24.35, 0.002), "proposed_use": "070101", "current_use": "1001"});
    let r = t.send("POST", "/checks/rezoning", Some(t.viewer.as_str()), &[], Some(body.to_string())).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let a = &r.body;
    let id = a["id"].as_str().unwrap();
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    let href = format!("/checks/rezoning/{id}");
    assert_eq!(a["links"], json!([{"rel": "self", "type": "application/json", "href": href}]));
    assert_eq!(a["registry"]["replica"], false);
    assert!(a["registry"]["read_at"].is_string(), "{}", r.text);
    let parcels_seq = a["registry"]["changes"]["construction_parcels"]["seq"].as_i64().unwrap();
    assert!(a["registry"]["changes"]["farmland_units"]["seq"].is_i64(), "{}", r.text);
    assert_eq!(a["location"]["counties"], json!([{"code": "450202", "name": "城中区"}]));
    assert_eq!(a["location"]["point"]["type"], "Point");
    assert_eq!(a["location"]["axes_swapped"], false);
    assert_eq!(a["location"]["crs"], "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
    let before = a["decision"].clone();

    // kept as sent, with who asked
    let (kind, asked_by): (String, Option<String>) =
        sqlx::query_as("SELECT kind, asked_by FROM check_answers WHERE id = $1")
            .bind(id)
            .fetch_one(&t.store.pool)
            .await
            .unwrap();
    assert_eq!((kind.as_str(), asked_by.as_deref()), ("rezoning", Some("test-viewer")));
    let g = t.get(&href).await;
    assert_eq!(g.status, 200, "{}", g.text);
    assert_eq!(g.header("content-type"), Some("application/json"));
    assert_eq!(g.text, r.text, "byte for byte");

    // the registry changes: a listed parcel appears under the query; a new check says denied, the old
    // receipt still says what was answered then
    parcel_in(&t, "LZ-RC", square(109.45, 24.35, 0.002), &["surveying", "risk_assessment", "listed"], json!({})).await;
    let again = t.send("POST", "/checks/rezoning", None, &[], Some(body.to_string())).await;
    assert_eq!(again.body["decision"], "denied", "{}", again.text);
    assert_ne!(again.body["id"], a["id"]);
    assert!(again.body["registry"]["changes"]["construction_parcels"]["seq"].as_i64().unwrap() > parcels_seq);
    let g = t.get(&href).await;
    assert_eq!(g.text, r.text);
    assert_eq!(g.body["decision"], before);
    let anonymous: Option<String> = sqlx::query_scalar("SELECT asked_by FROM check_answers WHERE id = $1")
        .bind(again.body["id"].as_str().unwrap())
        .fetch_one(&t.store.pool)
        .await
        .unwrap();
    assert_eq!(anonymous, None);

    // a registered parcel as the query: its location too
    let p = t.send("POST", "/checks/eia-site", None, &[], Some(json!({"parcel_code": "LZ-RC"}).to_string())).await;
    assert_eq!(p.status, 200, "{}", p.text);
    assert_eq!(p.body["location"]["counties"][0]["code"], "450202");
    assert!(p.body["location"].get("crs").is_none(), "{}", p.text);
    let pid = p.body["id"].as_str().unwrap();
    assert_eq!(t.get(&format!("/checks/eia-site/{pid}")).await.text, p.text);

    // unknown ids, ids of another kind, malformed ids and unknown kinds: 404 problem+json
    for path in [
        format!("/checks/eia-site/{id}"),
        format!("/checks/land-supply/{id}"),
        "/checks/rezoning/0123456789abcdef0123456789abcdef".to_string(),
        "/checks/rezoning/nope".to_string(),
        format!("/checks/rezoning/{}", id.to_uppercase()),
        format!("/checks/teleport/{id}"),
    ] {
        let r = t.get(&path).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"), "{path}");
    }
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn kept_answers_are_append_only(pool: PgPool) {
    let t = app(pool).await;
    let r = t
        .send(
            "POST",
            "/checks/rezoning",
            None,
            &[],
            Some(json!({"geometry": square(109.45, 24.35, 0.002), "proposed_use": "070101"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for sql in [
        "UPDATE check_answers SET answer = '{\"decision\":\"allowed\"}'",
        "DELETE FROM check_answers",
        "TRUNCATE check_answers",
    ] {
        let e = sqlx::query(sql).execute(&t.store.pool).await.expect_err(sql);
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    assert_eq!(t.count("check_answers").await, 1);
    assert_eq!(t.get(&format!("/checks/rezoning/{}", r.body["id"].as_str().unwrap())).await.text, r.text);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_api_document_lists_the_receipt_path(pool: PgPool) {
    let t = app(pool).await;
    let api = t.get("/api").await;
    assert_eq!(api.status, 200);
    let get = &api.body["paths"]["/checks/{check}/{id}"]["get"];
    assert_eq!(get["operationId"], "getCheckAnswer", "{}", api.text);
    let answer = &api.body["components"]["schemas"]["CheckAnswer"];
    for field in ["id", "links", "registry", "location"] {
        assert!(answer["required"].as_array().unwrap().contains(&json!(field)), "{field}");
    }
    assert!(api.body["paths"]["/checks/{check}"]["post"]["responses"]["422"].is_object());
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn concurrent_answers_are_each_kept(pool: PgPool) {
    let t = app(pool).await;
    // many at once share INSERTs (AnswerBatches); each must still be kept, and kept as its own
    let t = &t;
    let asks = (0..24).map(|i| {
        let body = json!({"geometry": square(109.40 + 0.003 * (i % 8) as f64, 24.35, 0.002), "proposed_use": "070101"});
        let token = if i % 2 == 0 { Some(t.viewer.clone()) } else { None };
        async move {
            (token.is_some(), t.send("POST", "/checks/rezoning", token.as_deref(), &[], Some(body.to_string())).await)
        }
    });
    let answers = futures_util::future::join_all(asks).await;
    for (by_viewer, r) in &answers {
        assert_eq!(r.status, 200, "{}", r.text);
        let id = r.body["id"].as_str().unwrap();
        assert_eq!(t.get(&format!("/checks/rezoning/{id}")).await.text, r.text);
        let asked_by: Option<String> = sqlx::query_scalar("SELECT asked_by FROM check_answers WHERE id = $1")
            .bind(id)
            .fetch_one(&t.store.pool)
            .await
            .unwrap();
        assert_eq!(asked_by.is_some(), *by_viewer, "{id}");
    }
    assert_eq!(t.count("check_answers").await, 24);
}
