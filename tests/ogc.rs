//! The OGC API Features read side against PostGIS: CRS output and axis order, CQL2 filters, injection
//! attempts, sorting, property selection, keyset paging under concurrent inserts, ETags, queryables, /api.

mod common;

use common::*;
use serde_json::{json, Value};
use sqlx::PgPool;

const UNITS: &str = "/collections/farmland_units/items";
const PARCELS: &str = "/collections/construction_parcels/items";

fn ids(r: &Resp) -> Vec<String> {
    r.body["features"].as_array().unwrap_or(&vec![]).iter().map(|f| f["id"].as_str().unwrap().to_string()).collect()
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn seed(t: &TestApp) {
    // five units with known classes, counties and sizes, west to east
    let rows = [
        ("U1", "priority_protection", "450222", true, Some(true), 0.001),
        ("U2", "safe_use", "450222", true, Some(false), 0.002),
        ("U3", "safe_use", "450223", false, None, 0.0015),
        ("U4", "strict_control", "450223", true, Some(true), 0.003),
        ("U5", "priority_protection", "450312", true, None, 0.0005),
    ];
    for (i, (code, class, county, measures, crops, d)) in rows.iter().enumerate() {
        let mut u = unit(code, class, square(109.30 + i as f64 * 0.01, 24.60, *d));
        u["properties"]["county_code"] = json!(county);
        u["properties"]["measures_in_place"] = json!(measures);
        u["properties"]["crops_compliant"] = json!(crops);
        u["properties"]["basis_doc"] = json!(format!("柳环发〔2022〕{}号", i + 1));
        assert_eq!(t.write("POST", UNITS, &u).await.status, 201);
    }
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn crs_output_and_axis_order(pool: PgPool) {
    let t = app(pool).await;
    seed(&t).await;
    // the first vertex of U1, (109.30, 24.60), in EPSG:4545 from PostGIS as the reference
    let (e, n): (f64, f64) = sqlx::query_as(
        "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(109.30, 24.60), 4490), 4545) p) s",
    )
    .fetch_one(&t.store.pool)
    .await
    .unwrap();
    let r = t.get(&format!("{UNITS}/U1?crs={}", enc("http://www.opengis.net/def/crs/EPSG/0/4545"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-crs"), Some("<http://www.opengis.net/def/crs/EPSG/0/4545>"));
    let ring = r.body["geometry"]["coordinates"][0][0].as_array().unwrap();
    let found =
        ring.iter().any(|c| (c[0].as_f64().unwrap() - n).abs() < 0.01 && (c[1].as_f64().unwrap() - e).abs() < 0.01);
    assert!(found, "northing first, to the centimetre: N={n} E={e} in {ring:?}");
    // EPSG:4490 in authority order: latitude first
    let r = t.get(&format!("{UNITS}/U1?crs={}", enc("http://www.opengis.net/def/crs/EPSG/0/4490"))).await;
    let ring = r.body["geometry"]["coordinates"][0][0].as_array().unwrap();
    assert!(
        ring.iter()
            .any(|c| (c[0].as_f64().unwrap() - 24.60).abs() < 1e-7 && (c[1].as_f64().unwrap() - 109.30).abs() < 1e-7),
        "{ring:?}"
    );
    // CRS84 by default, counter-clockwise exterior
    let r = t.get(&format!("{UNITS}/U1")).await;
    assert_eq!(r.header("content-crs"), Some("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"));
    let ring: Vec<(f64, f64)> = r.body["geometry"]["coordinates"][0][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
        .collect();
    let signed: f64 = ring.windows(2).map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1).sum();
    assert!(signed > 0.0, "counter-clockwise");
    // bbox in a projected CRS, in its axis order (northing, easting)
    let bbox = format!("{},{},{},{}", n - 10.0, e - 10.0, n + 10.0, e + 10.0);
    let r = t.get(&format!("{UNITS}?bbox={bbox}&bbox-crs={}", enc("http://www.opengis.net/def/crs/EPSG/0/4545"))).await;
    assert_eq!(ids(&r), vec!["U1"], "{}", r.text);
    assert_eq!(t.get(&format!("{UNITS}?crs=EPSG:2000")).await.status, 400);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn cql2_operators(pool: PgPool) {
    let t = app(pool).await;
    seed(&t).await;
    let cases: &[(&str, &[&str])] = &[
        ("class = 'safe_use'", &["U2", "U3"]),
        ("class <> 'safe_use'", &["U1", "U4", "U5"]),
        ("area_m2 > 20000", &["U2", "U3", "U4"]),
        ("area_m2 >= 20000 AND county_code = '450223'", &["U3", "U4"]),
        ("area_m2 < 10000 OR class = 'strict_control'", &["U4", "U5"]),
        ("NOT (class = 'priority_protection')", &["U2", "U3", "U4"]),
        ("basis_doc LIKE '%〔2022〕1号'", &["U1"]),
        ("county_code IN ('450222', '450312')", &["U1", "U2", "U5"]),
        ("area_m2 BETWEEN 10000 AND 30000", &["U1", "U3"]),
        ("crops_compliant IS NULL", &["U3", "U5"]),
        ("crops_compliant IS NOT NULL AND measures_in_place = true", &["U1", "U2", "U4"]),
        ("valid_from = DATE('2022-03-01')", &["U1", "U2", "U3", "U4", "U5"]),
        ("S_INTERSECTS(geometry, POINT(109.3305 24.6005))", &["U4"]),
        ("S_INTERSECTS(geometry, BBOX(109.305, 24.5, 109.325, 24.7))", &["U2", "U3"]),
        (
            "S_WITHIN(geometry, POLYGON((109.29 24.59, 109.315 24.59, 109.315 24.61, 109.29 24.61, 109.29 24.59)))",
            &["U1", "U2"],
        ),
        ("S_CONTAINS(geometry, POINT(109.3001 24.6001))", &["U1"]),
    ];
    for (filter, expected) in cases {
        let r = t.get(&format!("{UNITS}?filter={}", enc(filter))).await;
        assert_eq!(r.status, 200, "{filter}: {}", r.text);
        assert_eq!(ids(&r), *expected, "{filter}");
    }
    let json_filter = json!({"op": "and", "args": [
        {"op": "=", "args": [{"property": "class"}, "safe_use"]},
        {"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Polygon", "coordinates": [[[109.305, 24.5], [109.325, 24.5], [109.325, 24.7], [109.305, 24.7], [109.305, 24.5]]]}]}
    ]});
    let r = t.get(&format!("{UNITS}?filter-lang=cql2-json&filter={}", enc(&json_filter.to_string()))).await;
    assert_eq!(ids(&r), vec!["U2", "U3"], "{}", r.text);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn hostile_parameters_are_refused(pool: PgPool) {
    let t = app(pool).await;
    seed(&t).await;
    let before = t.count("farmland_unit_versions").await;
    let cases = [
        ("filter", "class = 'x'; DELETE FROM farmland_unit_versions; --"),
        ("filter", "\"class; DROP TABLE audit_log\" = 'x'"),
        ("filter", "colour = 'red'"),
        ("filter", "class = 'safe_use' AND"),
        ("filter", "area_m2 > 'big'"),
        ("filter", "((((((class = 'a'"),
        ("sortby", "class;DROP TABLE audit_log"),
        ("sortby", "nosuch"),
        ("properties", "class,(SELECT 1)"),
        ("crs", "EPSG:4326'--"),
        ("bbox", "1,2,3"),
        ("datetime", "2025-01-01'; --"),
        ("cursor", "zz"),
        ("limit", "1e9"),
        ("nonsense", "1"),
    ];
    for (name, value) in cases {
        let r = t.get(&format!("{UNITS}?{name}={}", enc(value))).await;
        assert_eq!(r.status, 400, "{name}={value}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"), "{name}={value}");
        assert!(!r.text.to_lowercase().contains("syntax error at"), "no SQL text leaks: {}", r.text);
    }
    // a string that looks like SQL is only ever a value
    let r = t.get(&format!("{UNITS}?filter={}", enc("basis_doc = 'x''; DROP TABLE audit_log; --'"))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(ids(&r), Vec::<String>::new());
    let r = t.get(&format!("{UNITS}/{}", enc("U1' OR '1'='1"))).await;
    assert_eq!(r.status, 404);
    assert_eq!(t.count("farmland_unit_versions").await, before);
    assert!(t.count("audit_log").await > 0);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn sorting_properties_and_counts(pool: PgPool) {
    let t = app(pool).await;
    seed(&t).await;
    let r = t.get(&format!("{UNITS}?sortby={}", enc("-area_m2"))).await;
    assert_eq!(ids(&r), vec!["U4", "U2", "U3", "U1", "U5"]);
    let r = t.get(&format!("{UNITS}?sortby={}", enc("class,-county_code"))).await;
    assert_eq!(ids(&r), vec!["U5", "U1", "U3", "U2", "U4"]);
    // paging two at a time keeps every feature once and in order: through a sort with NULLs (a boolean),
    // a number, a date and the code alone, each key read back from the row into the next link's cursor
    for (sortby, whole) in [
        ("-crops_compliant,county_code", None),
        ("-area_m2", Some(vec!["U4", "U2", "U3", "U1", "U5"])),
        ("valid_from,-unit_code", None),
        ("-unit_code", Some(vec!["U5", "U4", "U3", "U2", "U1"])),
    ] {
        let mut url = format!("{UNITS}?sortby={}&limit=2", enc(sortby));
        let mut seen = Vec::new();
        for _ in 0..5 {
            let r = t.get(&url).await;
            assert_eq!(r.status, 200, "{}", r.text);
            seen.extend(ids(&r));
            match r.body["links"].as_array().unwrap().iter().find(|l| l["rel"] == "next") {
                Some(l) => url = l["href"].as_str().unwrap().trim_start_matches("http://test.local").to_string(),
                None => break,
            }
        }
        let all = ids(&t.get(&format!("{UNITS}?sortby={}", enc(sortby))).await);
        assert_eq!(seen, all, "{sortby}: pages against one page");
        if let Some(whole) = whole {
            assert_eq!(seen, whole, "{sortby}");
        }
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(sorted, vec!["U1", "U2", "U3", "U4", "U5"], "{sortby}: {seen:?}");
    }
    let r = t.get(&format!("{UNITS}?properties=class,area_mu&limit=1")).await;
    let props = r.body["features"][0]["properties"].as_object().unwrap();
    assert_eq!(props.keys().collect::<Vec<_>>(), vec!["area_mu", "class"]);
    let r = t.get(&format!("{UNITS}?numberMatched=true&limit=1&filter={}", enc("class = 'safe_use'"))).await;
    assert_eq!(r.body["numberMatched"], 2);
    assert_eq!(r.body["numberReturned"], 1);
    assert!(t.get(&format!("{UNITS}?limit=1")).await.body.get("numberMatched").is_none(), "not counted unless asked");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn paging_under_concurrent_inserts(pool: PgPool) {
    let t = app(pool).await;
    for i in 0..30 {
        let r = t
            .write("POST", UNITS, &unit(&format!("A{i:03}"), "safe_use", square(109.0 + i as f64 * 0.005, 24.0, 0.001)))
            .await;
        assert_eq!(r.status, 201);
    }
    let mut url = format!("{UNITS}?limit=7");
    let mut seen = Vec::new();
    let mut inserted = 0;
    loop {
        let r = t.get(&url).await;
        assert_eq!(r.status, 200);
        seen.extend(ids(&r));
        // while a client pages, others write: features before and after its position
        for code in [format!("A{:03}a", inserted), format!("Z{inserted:03}")] {
            let i = 100 + inserted;
            assert_eq!(
                t.write("POST", UNITS, &unit(&code, "safe_use", square(109.0 + i as f64 * 0.005, 24.2, 0.001)))
                    .await
                    .status,
                201
            );
        }
        inserted += 1;
        match r.body["links"].as_array().unwrap().iter().find(|l| l["rel"] == "next") {
            Some(l) => url = l["href"].as_str().unwrap().trim_start_matches("http://test.local").to_string(),
            None => break,
        }
    }
    let mut dedup = seen.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), seen.len(), "no feature repeated: {seen:?}");
    for i in 0..30 {
        assert!(seen.contains(&format!("A{i:03}")), "A{i:03} lost");
    }
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn etags_html_queryables_and_api(pool: PgPool) {
    let t = app(pool).await;
    seed(&t).await;
    let r = t.get(&format!("{UNITS}?limit=2")).await;
    let etag = r.header("etag").unwrap().to_string();
    let again = t.send("GET", &format!("{UNITS}?limit=2"), None, &[("if-none-match", &etag)], None).await;
    assert_eq!(again.status, 304);
    // a write anywhere in the collection makes the old page ETag stale
    assert_eq!(t.write("POST", UNITS, &unit("U9", "safe_use", square(109.5, 24.6, 0.001))).await.status, 201);
    let after = t.send("GET", &format!("{UNITS}?limit=2"), None, &[("if-none-match", &etag)], None).await;
    assert_eq!(after.status, 200);
    // an empty page has an ETag too (the counter comes with the page's own statement), and it goes stale
    // when a write puts a feature into the box
    let empty_box = format!("{UNITS}?bbox=109.6,24.5,109.7,24.7");
    let r = t.get(&empty_box).await;
    assert_eq!((r.status.as_u16(), ids(&r).len()), (200, 0), "{}", r.text);
    let etag = r.header("etag").expect("an empty page has an ETag").to_string();
    assert_eq!(t.send("GET", &empty_box, None, &[("if-none-match", &etag)], None).await.status, 304);
    assert_eq!(t.write("POST", UNITS, &unit("U10", "safe_use", square(109.65, 24.6, 0.001))).await.status, 201);
    let r = t.send("GET", &empty_box, None, &[("if-none-match", &etag)], None).await;
    assert_eq!((r.status.as_u16(), ids(&r)), (200, vec!["U10".to_string()]), "{}", r.text);
    assert_ne!(r.header("etag"), Some(etag.as_str()));
    let f = t.get(&format!("{UNITS}/U1")).await;
    let fe = f.header("etag").unwrap().to_string();
    assert_eq!(t.send("GET", &format!("{UNITS}/U1"), None, &[("if-none-match", &fe)], None).await.status, 304);

    let html =
        t.send("GET", &format!("{UNITS}?limit=3"), None, &[("accept", "text/html,application/xhtml+xml")], None).await;
    assert!(html.header("content-type").unwrap().starts_with("text/html"));
    assert!(html.text.contains("U1") && html.text.contains("/map/"));
    assert!(t.get("/collections?f=html").await.text.contains("farmland_units"));

    let q = t.get("/collections/construction_parcels/queryables").await;
    assert_eq!(q.header("content-type"), Some("application/schema+json"));
    assert_eq!(q.body["properties"]["state"]["enum"].as_array().unwrap().len(), 10);
    let c = t.get("/collections/farmland_units").await;
    assert!(c.body["crs"].as_array().unwrap().contains(&json!("http://www.opengis.net/def/crs/EPSG/0/4546")));
    assert_eq!(c.body["storageCrs"], "http://www.opengis.net/def/crs/EPSG/0/4490");

    let api = t.get("/api").await;
    assert_eq!(api.status, 200);
    assert!(!api.text.contains("\"$ref\":\"http"), "no remote $ref");
    for path in [
        "/collections/{collectionId}/items",
        "/checks/{check}",
        "/soil-grade",
        "/indicators",
        "/collections/{collectionId}/items/{featureId}/transitions",
    ] {
        assert!(api.body["paths"].get(path).is_some(), "{path} documented");
    }
    let conf = t.get("/conformance").await;
    let classes: Vec<&str> = conf.body["conformsTo"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(classes.contains(&"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"));
    let _ = Value::Null;
}

fn varies_on_accept(r: &Resp) -> bool {
    r.headers
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case("accept"))
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn html_and_json_of_one_url_vary_on_accept_with_their_own_etags(pool: PgPool) {
    let t = app(pool).await;
    seed(&t).await;
    const HTML: (&str, &str) = ("accept", "text/html,application/xhtml+xml");
    const JSON: (&str, &str) = ("accept", "application/geo+json");
    let negotiated = [
        "/".to_string(),
        "/conformance".into(),
        "/collections".into(),
        "/collections/farmland_units".into(),
        "/collections/farmland_units/queryables".into(),
        format!("{UNITS}?limit=2"),
        format!("{UNITS}/U1"),
        format!("{UNITS}/U1?crs=http://www.opengis.net/def/crs/EPSG/0/4546"),
    ];
    for uri in &negotiated {
        let html = t.send("GET", uri, None, &[HTML], None).await;
        let json = t.send("GET", uri, None, &[JSON], None).await;
        assert_eq!((html.status.as_u16(), json.status.as_u16()), (200, 200), "{uri}");
        assert!(html.header("content-type").is_some_and(|c| c.starts_with("text/html")), "{uri}");
        assert!(json.header("content-type").is_some_and(|c| c.contains("json")), "{uri}");
        assert!(varies_on_accept(&html) && varies_on_accept(&json), "{uri}: Vary: Accept on both");
        // `f` fixes the format: the answer no longer depends on Accept
        let sep = if uri.contains('?') { '&' } else { '?' };
        assert!(!varies_on_accept(&t.send("GET", &format!("{uri}{sep}f=json"), None, &[HTML], None).await), "{uri}");
        if !uri.contains("/items") {
            continue;
        }
        let (he, je) = (html.header("etag").unwrap(), json.header("etag").unwrap());
        assert_ne!(he, je, "{uri}: HTML and JSON are two representations with two ETags");
        // a cache holding the JSON must not be told that it is the HTML, nor the other way round
        let r = t.send("GET", uri, None, &[HTML, ("if-none-match", je)], None).await;
        assert_eq!(r.status, 200, "{uri}: the JSON ETag while asking for HTML");
        assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/html")), "{uri}");
        assert_eq!(t.send("GET", uri, None, &[JSON, ("if-none-match", he)], None).await.status, 200, "{uri}");
        let r = t.send("GET", uri, None, &[HTML, ("if-none-match", he)], None).await;
        assert_eq!((r.status.as_u16(), r.header("etag")), (304, Some(he)), "{uri}");
        assert!(varies_on_accept(&r), "{uri}: a 304 says Vary as its 200 would");
        assert_eq!(t.send("GET", uri, None, &[JSON, ("if-none-match", je)], None).await.status, 304, "{uri}");
    }
    assert!(!varies_on_accept(&t.get("/health").await));
    // the HTML page's ETag names no version a write can be conditional on
    let html_etag =
        t.send("GET", &format!("{UNITS}/U1"), None, &[HTML], None).await.header("etag").unwrap().to_string();
    let u1 = unit("U1", "safe_use", square(109.30, 24.60, 0.001));
    let r = t.write_if("PUT", &format!("{UNITS}/U1"), &html_etag, &u1).await;
    assert_eq!(r.status, 412, "{}", r.text);
    assert!(!varies_on_accept(&t.write("POST", UNITS, &unit("U8", "safe_use", square(109.7, 24.6, 0.001))).await));
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn as_of_items(pool: PgPool) {
    let t = app(pool).await;
    t.write("POST", PARCELS, &parcel("P1", square(109.4, 24.3, 0.001))).await;
    t.write(
        "POST",
        &format!("{PARCELS}/P1/transitions"),
        &json!({"to": "surveying", "date": "2021-01-01", "document": "d1"}),
    )
    .await;
    let r = t.get(&format!("{PARCELS}?datetime=2020-06-01&filter={}", enc("state = 'suspected'"))).await;
    assert_eq!(ids(&r), vec!["P1"]);
    let r = t.get(&format!("{PARCELS}?filter={}", enc("state = 'suspected'"))).await;
    assert!(ids(&r).is_empty());
    let r = t.get(&format!("{PARCELS}?datetime=2019-01-01")).await;
    assert!(ids(&r).is_empty(), "not registered yet");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn gzip_and_cors(pool: PgPool) {
    use std::io::Read;
    let t = app(pool).await;
    seed(&t).await;
    let r = t
        .send(
            "GET",
            &format!("{UNITS}?limit=5"),
            None,
            &[("accept-encoding", "gzip"), ("origin", "https://gis.example.cn")],
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert!(r.header("access-control-expose-headers").unwrap_or("").to_lowercase().contains("etag"));
    let raw = t.send_raw("GET", &format!("{UNITS}?limit=5"), &[("accept-encoding", "gzip")]).await;
    let mut text = String::new();
    flate2::read::GzDecoder::new(&raw[..]).read_to_string(&mut text).unwrap();
    let page: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(page["numberReturned"], 5);
}

/// `rel` → (type, href) of a document's links, each of which must carry both.
fn links_by_rel(doc: &Value) -> std::collections::HashMap<String, (String, String)> {
    doc["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| {
            let (rel, ty, href) = (l["rel"].as_str(), l["type"].as_str(), l["href"].as_str());
            assert!(rel.is_some() && ty.is_some() && href.is_some(), "every link has rel, type and href: {l}");
            (rel.unwrap().to_string(), (ty.unwrap().to_string(), href.unwrap().to_string()))
        })
        .collect()
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_feature_links_itself_its_other_format_and_its_collection(pool: PgPool) {
    let t = app(pool).await;
    seed(&t).await;
    // OGC API Features Part 1, /req/core/f-links, in the GeoJSON representation
    let r = t.get(&format!("{UNITS}/U1")).await;
    assert_eq!(r.status, 200);
    let links = links_by_rel(&r.body);
    assert_eq!(links["self"], ("application/geo+json".into(), format!("http://test.local{UNITS}/U1")));
    assert_eq!(links["alternate"], ("text/html".into(), format!("http://test.local{UNITS}/U1?f=html")));
    assert_eq!(links["collection"], ("application/json".into(), "http://test.local/collections/farmland_units".into()));
    assert_eq!(r.body["id"], "U1", "the feature itself is unchanged");
    // each link leads where it says: the HTML page of the same feature, and the collection
    let html = t.get(&links["alternate"].1.replace("http://test.local", "")).await;
    assert!(html.header("content-type").unwrap().starts_with("text/html") && html.text.contains("U1"));
    assert_eq!(t.get("/collections/farmland_units").await.body["id"], "farmland_units");
    // the request's CRS and date are kept; only the format changes
    let crs = enc("http://www.opengis.net/def/crs/EPSG/0/4490");
    let r = t.get(&format!("{UNITS}/U1?crs={crs}&datetime=2023-01-01")).await;
    let links = links_by_rel(&r.body);
    assert_eq!(links["self"].1, format!("http://test.local{UNITS}/U1?crs={crs}&datetime=2023-01-01"));
    assert_eq!(links["alternate"].1, format!("http://test.local{UNITS}/U1?crs={crs}&datetime=2023-01-01&f=html"));

    // the HTML representation lists the same three, with GeoJSON as the alternate (f=json: a browser that
    // prefers HTML would otherwise get HTML again)
    let html = t.get(&format!("{UNITS}/U1?f=html")).await;
    assert!(html.header("content-type").unwrap().starts_with("text/html"));
    for (href, rel, ty) in [
        (format!("http://test.local{UNITS}/U1?f=html"), "self", "text/html"),
        (format!("http://test.local{UNITS}/U1?f=json"), "alternate", "application/geo+json"),
        ("http://test.local/collections/farmland_units".to_string(), "collection", "application/json"),
    ] {
        assert!(html.text.contains(&format!("<a href=\"{href}\">")), "{href} in {}", html.text);
        assert!(html.text.contains(&format!("({rel}, {ty})")), "{rel} {ty} in {}", html.text);
    }
    let json = t.get(&format!("{UNITS}/U1?f=json")).await;
    assert_eq!(json.header("content-type"), Some("application/geo+json"));
    assert_eq!(links_by_rel(&json.body)["self"].1, format!("http://test.local{UNITS}/U1"));
}

/// Every version's stored feature is its live rendering, whoever wrote it: the API (create, replace,
/// lifecycle steps), the import's merge, and plain SQL (an INSERT, and an UPDATE of a property). Default
/// pages serve the stored bytes, and they read as the live rendering does.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn stored_features_are_the_live_rendering(pool: PgPool) {
    use landguard::domain::registry::Collection;
    use landguard::store::items::stored_rendering;
    let t = app(pool).await;
    seed(&t).await;
    let etag = t.get(&format!("{UNITS}/U2")).await.header("etag").unwrap().to_string();
    let mut u2 = unit("U2", "strict_control", square(109.31, 24.60, 0.002));
    u2["properties"]["valid_from"] = json!("2024-05-01");
    assert_eq!(t.write_if("PUT", &format!("{UNITS}/U2"), &etag, &u2).await.status, 200);
    parcel_in(&t, "LZ-L", square(109.40, 24.35, 0.002), &["surveying", "risk_assessment", "listed"], json!({})).await;

    let dir = Dir::new("stored-features");
    let file = dir.path("units.geojson");
    let mut u1 = unit("U1", "safe_use", square(109.30, 24.60, 0.001));
    u1["properties"]["valid_from"] = json!("2025-01-01");
    let fc =
        json!({"type": "FeatureCollection", "features": [u1, unit("I1", "safe_use", square(109.50, 24.60, 0.001))]});
    std::fs::write(&file, fc.to_string()).unwrap();
    let mut o = landguard::import::ImportOptions::new(&file, Collection::FarmlandUnits);
    o.today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let report = landguard::import::run(&t.store, &o).await.expect("the import is accepted");
    assert_eq!((report.created, report.changed), (1, 1), "{report}");

    for sql in [
        "INSERT INTO farmland_unit_versions (unit_code, county_code, class, land_type, measures_in_place, geom, \
         area_m2, valid_from, recorded_by, change) VALUES ('Q1', '450222', 'safe_use', '0101', false, \
         ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(109.6, 24.6), 4490), 0.001)), 12.5, '2023-01-01', 'psql', 'create')",
        "INSERT INTO construction_parcel_versions (parcel_code, county_code, name, state, priority_supervision, \
         key_unit_land, use_code_system, geom, area_m2, valid_from, recorded_by, change) VALUES ('Q2', '450205', \
         '\"引号\" 地块', 'under_control', false, true, 'gb50137', \
         ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(109.6, 24.7), 4490), 0.001)), 3.25, '2023-01-01', 'psql', 'create')",
        "UPDATE farmland_unit_versions SET basis_doc = 'psql 改' WHERE unit_code = 'U3'",
    ] {
        sqlx::query(sql).execute(&t.store.pool).await.unwrap();
    }

    for c in Collection::all().into_iter().filter(|c| c.description().feature_json) {
        let table = c.description().table;
        let (differ, rows): (i64, i64) = sqlx::query_as(&format!(
            "SELECT count(*) FILTER (WHERE feature_json IS DISTINCT FROM ({})), count(*) FROM {table} v",
            stored_rendering(c)
        ))
        .fetch_one(&t.store.pool)
        .await
        .unwrap();
        assert_eq!(differ, 0, "{c}: {differ} of {rows} stored features differ from the live rendering");
        let expected = match c {
            Collection::FarmlandUnits => 9, // 5 seeded, U2 replaced, U1 replaced and I1 by the import, Q1
            Collection::ConstructionParcels => 5, // created, three steps, Q2
            _ => 0,
        };
        assert_eq!(rows, expected, "{c}");
    }
    let (q2,): (String,) =
        sqlx::query_as("SELECT feature_json FROM construction_parcel_versions WHERE parcel_code = 'Q2'")
            .fetch_one(&t.store.pool)
            .await
            .unwrap();
    assert!(q2.contains(r#""rcr_listed" : true"#), "the generated column as it is stored: {q2}");

    // the default page (stored bytes) and a page rendered live (every property, another order) read alike
    let stored = t.get(UNITS).await;
    let mut names = landguard::store::layers::prop_names(Collection::FarmlandUnits);
    names.reverse();
    let live = t.get(&format!("{UNITS}?properties={}", names.join(","))).await;
    assert_eq!(stored.status, 200, "{}", stored.text);
    assert_eq!(stored.body["features"], live.body["features"]);
    assert_eq!(ids(&stored), ["I1", "Q1", "U1", "U2", "U3", "U4", "U5"]);
    assert!(stored.text.contains(r#""basis_doc" : "psql 改""#), "{}", stored.text);
    let history = t.get(&format!("{UNITS}/U2/history")).await;
    assert_eq!(history.status, 200);
    for stored in ["feature_json", "tile_z12", "tile_extent_deg"] {
        assert!(!history.text.contains(stored), "a version's properties, not what is stored to serve it: {stored}");
    }
}
