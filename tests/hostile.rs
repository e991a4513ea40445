//! Hostile input. Property tests (proptest) that the parsers of request input never panic on anything:
//! GeoJSON geometry and whole features (domain::geometry, registry::check_feature), CRS strings, land-use
//! codes, check request bodies (checks::run up to its first database call), dates, scopes and query
//! strings. Then injection attempts through feature ids, query parameters and bodies on every endpoint:
//! always 4xx (or an ordinary answer where the text is only data), never 5xx, nothing executed.
//!
//! Case counts are small so that `make test` stays fast; `PROPTEST_CASES=100000 cargo test --test hostile`
//! runs them longer.

mod common;

use common::*;
use landguard::config::Settings;
use landguard::domain::crs::Crs;
use landguard::domain::geometry;
use landguard::domain::landuse::{CodeSystem, LandUse};
use landguard::domain::registry::{check_feature, Collection, FeatureLimits};
use landguard::domain::rules::CheckKind;
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use sqlx::PgPool;

fn config(default_cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Numbers as hostile clients send them: extremes, tiny, negative zero, and ordinary coordinates.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        (-200.0f64..200.0).prop_map(|f| json!(f)),
        (100.0f64..120.0).prop_map(|f| json!(f)),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(-0.0)),
        Just(json!(5e-324)),
        any::<i64>().prop_map(|i| json!(i)),
        any::<u64>().prop_map(|i| json!(i)),
    ]
}

/// Any JSON value, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Nested coordinate arrays of any depth and shape, mostly numbers.
fn coordinates() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![8 => number(), 1 => any_json()];
    leaf.prop_recursive(5, 200, 8, |inner| prop::collection::vec(inner, 0..8).prop_map(Value::Array))
}

fn geometry_like() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![
        Just("Polygon"),
        Just("MultiPolygon"),
        Just("Point"),
        Just("LineString"),
        Just("GeometryCollection"),
        Just("polygon"),
        Just(""),
    ];
    prop_oneof![
        (kind, coordinates()).prop_map(|(k, c)| json!({"type": k, "coordinates": c})),
        // a real ring, moved and scaled anywhere, closed or not
        (number(), number(), -1.0f64..1.0, any::<bool>()).prop_map(|(x, y, d, closed)| {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            let mut ring = vec![json!([x, y]), json!([x + d, y]), json!([x + d, y + d]), json!([x, y + d])];
            if closed {
                ring.push(json!([x, y]));
            }
            json!({"type": "Polygon", "coordinates": [ring]})
        }),
        any_json(),
    ]
}

fn props_like(c: Collection) -> impl Strategy<Value = Value> {
    let names: Vec<&'static str> = landguard::domain::registry::known_properties(c).to_vec();
    prop::collection::btree_map(prop::sample::select(names), any_json(), 0..12)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<String, Value>>()))
}

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn geometry_input_never_panics(g in geometry_like()) {
        if let Ok(mp) = geometry::multipolygon_from_geojson(&g) {
            let _ = geometry::vertex_count(&mp);
            let _ = geometry::check_lonlat(&mp, 1000);
            let _ = geometry::area_m2(&geometry::normalise(mp));
        }
    }

    #[test]
    fn features_are_checked_without_panic(g in geometry_like(), p in props_like(Collection::FarmlandUnits), q in props_like(Collection::ConstructionParcels), extra in any_json()) {
        let limits = FeatureLimits { max_vertices: 10_000, ..FeatureLimits::default() };
        for (c, props) in [(Collection::FarmlandUnits, &p), (Collection::ConstructionParcels, &q)] {
            let f = json!({"type": "Feature", "geometry": g, "properties": props});
            if let Ok(checked) = check_feature(c, &f, today(), limits.clone()) {
                // whatever passes is sane enough to store
                prop_assert!(checked.area_m2.is_finite() && checked.area_m2 >= 0.0);
            }
            let _ = check_feature(c, &extra, today(), limits.clone());
        }
    }

    #[test]
    fn crs_strings_never_panic_and_round_trip(s in prop_oneof![
        ".{0,40}",
        "(EPSG:|epsg:|http://www.opengis.net/def/crs/EPSG/0/|urn:ogc:def:crs:EPSG::|http://www.opengis.net/def/crs/OGC/1.3/)[0-9A-Za-z]{0,12}",
        "[0-9]{0,20}",
    ]) {
        if let Ok(c) = Crs::parse(&s) {
            prop_assert_eq!(Crs::parse(&c.uri()).ok(), Some(c));
        }
    }

    #[test]
    fn land_use_codes_never_panic(s in prop_oneof![".{0,16}", "[0-9]{0,10}", "[0-9A-Z]{1,8}"]) {
        for sys in [CodeSystem::Ydyh2023, CodeSystem::Gbt21010, CodeSystem::Gb50137] {
            if let Ok(u) = LandUse::parse(sys, &s) {
                let policy = Settings::default().land_use_policy();
                let _ = (u.is_residential(), u.is_housing_or_public(&policy), u.is_first_class(), u.is_agricultural());
            }
        }
        let _ = s.parse::<CodeSystem>();
        let _ = s.parse::<landguard::domain::lifecycle::ParcelState>();
        let _ = s.parse::<landguard::domain::access::Role>();
        let _ = s.parse::<Collection>();
        let _ = landguard::domain::indicators::Scope::parse(Some(&s));
        let _ = landguard::domain::time::parse_instant(&s);
    }

    #[test]
    fn query_strings_never_panic(raw in ".{0,80}") {
        if let Ok(p) = landguard::http::params::Params::parse(Some(&raw), landguard::http::items::ITEMS_PARAMS) {
            let _ = (p.limit(100, 10_000).is_ok(), p.bbox().is_ok(), p.as_of().is_ok());
        }
    }
}

/// A store whose database cannot be reached: checks::run validates the whole request before its first
/// query, so every answer is a refusal of the request or "unavailable", never a panic or another error.
fn unreachable_store() -> landguard::store::Store {
    let settings = Settings {
        database_url: Some("postgres://nobody@127.0.0.1:1/none".into()),
        acquire_timeout_ms: 20,
        ..Settings::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(landguard::store::Store::connect(&settings)).unwrap()
}

fn check_body() -> impl Strategy<Value = Value> {
    let fields = prop::sample::select(vec![
        "geometry",
        "parcel_code",
        "crs",
        "current_use",
        "proposed_use",
        "use_code_system",
        "project_kind",
        "supply",
        "as_of",
        "colour",
    ]);
    let value = prop_oneof![
        any_json(),
        geometry_like(),
        prop::sample::select(vec![
            "070101",
            "0701",
            "0101",
            "100102",
            "EPSG:4546",
            "EPSG:4490",
            "gbt21010",
            "gb50137",
            "heavy_metal",
            "transfer",
            "2024-01-01",
            "2999-01-01"
        ])
        .prop_map(|s| json!(s)),
    ];
    prop_oneof![
        prop::collection::btree_map(fields, value, 0..8)
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        any_json(),
    ]
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn check_requests_are_refused_or_reach_the_database_never_panic(body in check_body(), kind in prop::sample::select(vec![CheckKind::Rezoning, CheckKind::EiaSite, CheckKind::LandSupply])) {
        use landguard::checks::CheckError;
        use landguard::store::StoreError;
        thread_local! {
            static STORE: landguard::store::Store = unreachable_store();
        }
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let settings = Settings::default();
        let r = STORE.with(|store| rt.block_on(landguard::checks::run(store, &settings, kind, &body, today())));
        match r {
            Err(CheckError::Invalid(problems)) => prop_assert!(!problems.is_empty()),
            Err(CheckError::Store(StoreError::Unavailable(_))) => {}
            other => prop_assert!(false, "unexpected {:?}", other.map(|a| a.decision)),
        }
    }
}

// ---------------------------------------------------------------- injection over HTTP

const PAYLOADS: &[&str] = &[
    "' OR '1'='1",
    "1; DROP TABLE audit_log; --",
    "\"; DELETE FROM farmland_unit_versions; --",
    "x') OR 1=1 --",
    "$1",
    "{table}",
    "\0",
    "a\0b",
    "../../etc/passwd",
    "%00",
    "%2e%2e%2f",
    "<script>alert(1)</script>",
    "地块'--",
    "\u{202e}\u{feff}",
    "1e309",
    "NaN",
    "-0",
    "\\",
    "*",
    "%",
    "_",
];

/// method, uri, body, headers
type Write<'a> = (&'a str, String, Option<String>, Vec<(&'a str, &'a str)>);

fn seg(s: &str) -> String {
    // every byte outside the unreserved set is percent-encoded, so the payload arrives whole as one segment
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn q(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn seed(t: &TestApp) {
    assert_eq!(
        t.write("POST", "/collections/farmland_units/items", &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001)))
            .await
            .status,
        201
    );
    assert_eq!(
        t.write("POST", "/collections/construction_parcels/items", &parcel("LZ-1", square(109.4, 24.3, 0.002)))
            .await
            .status,
        201
    );
}

async fn tables(t: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        .fetch_all(&t.store.pool)
        .await
        .unwrap()
}

fn no_5xx(r: &Resp, what: &str) {
    assert!(r.status.as_u16() < 500, "{what}: {} {}", r.status, r.text);
    if r.status.is_client_error() {
        assert_eq!(r.header("content-type"), Some("application/problem+json"), "{what}: {}", r.text);
    }
    let lower = r.text.to_lowercase();
    assert!(
        !lower.contains("syntax error") && !lower.contains("sqlstate") && !lower.contains("invalid byte sequence"),
        "{what} leaks SQL: {}",
        r.text
    );
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn injection_through_ids_parameters_and_bodies_never_reaches_sql(pool: PgPool) {
    let t = app(pool).await;
    seed(&t).await;
    let before_tables = tables(&t).await;
    let (units, parcels) = (t.count("farmland_unit_versions").await, t.count("construction_parcel_versions").await);
    let ed = t.editor.clone();
    for p in PAYLOADS {
        let (s, v) = (seg(p), q(p));
        let mut gets = vec![
            format!("/collections/{s}"),
            format!("/collections/{s}/items"),
            format!("/collections/{s}/queryables"),
            format!("/collections/farmland_units/items/{s}"),
            format!("/collections/construction_parcels/items/{s}"),
            format!("/collections/farmland_units/items/{s}/history"),
            format!("/collections/construction_parcels/items/{s}/history"),
            format!("/collections/farmland_units/items/GD-1?crs={v}"),
            format!("/collections/farmland_units/items/GD-1?datetime={v}"),
            format!("/collections/farmland_units/items/GD-1?properties={v}"),
            format!("/collections/farmland_units/items/GD-1?f={v}"),
            format!("/collections/farmland_units/items/{s}?f=html"),
            format!("/indicators?county_code={v}"),
            format!("/indicators?as_of={v}"),
            format!("/collections/farmland_units/tiles/{s}"),
            format!("/collections/farmland_units/tiles/WebMercatorQuad/{s}/1/1"),
            format!("/collections/farmland_units/tiles/WebMercatorQuad/10/{s}/{s}"),
            format!("/collections/construction_parcels/tiles/WebMercatorQuad/10/421/832?datetime={v}"),
            format!("/audit?feature_id={v}"),
            format!("/audit?actor={v}&action={v}&collection={v}"),
            format!("/audit?cursor={v}"),
            format!("/{s}"),
        ];
        for name in landguard::http::items::ITEMS_PARAMS {
            gets.push(format!("/collections/construction_parcels/items?{name}={v}"));
        }
        gets.push(format!(
            "/collections/farmland_units/items?filter={}",
            q(&format!("basis_doc = '{}'", p.replace('\'', "''")))
        ));
        gets.push(format!(
            "/collections/farmland_units/items?filter={}",
            q(&format!("unit_code LIKE '{}%'", p.replace('\'', "''")))
        ));
        gets.push(format!(
            "/collections/farmland_units/items?filter-lang=cql2-json&filter={}",
            q(&json!({"op": "=", "args": [{"property": p}, p]}).to_string())
        ));
        gets.push(format!("/collections/farmland_units/items?sortby={v},-unit_code"));
        for uri in gets {
            let r = t.send("GET", &uri, Some(&t.admin), &[], None).await;
            no_5xx(&r, &format!("GET {uri}"));
        }
        // writes: the payload as id, as If-Match, and in every field of the body
        let mut f = unit(p, "safe_use", square(109.5, 24.6, 0.001));
        f["properties"]["basis_doc"] = json!(p);
        let mut bad_class = unit("GD-1", p, square(109.3, 24.6, 0.001));
        bad_class["properties"]["county_code"] = json!(p);
        let writes: Vec<Write> = vec![
            ("PUT", format!("/collections/farmland_units/items/{s}"), Some(f.to_string()), vec![]),
            ("PATCH", format!("/collections/farmland_units/items/{s}"), Some(json!({"properties": {"class": p}}).to_string()), vec![]),
            ("PATCH", "/collections/farmland_units/items/GD-1".into(), Some(json!({"properties": {"class": p}}).to_string()), vec![]),
            ("PUT", "/collections/farmland_units/items/GD-1".into(), Some(bad_class.to_string()), vec![("if-match", p)]),
            ("DELETE", format!("/collections/farmland_units/items/{s}?reason=x"), None, vec![]),
            ("DELETE", "/collections/farmland_units/items/GD-1?reason=x".into(), None, vec![("if-match", p)]),
            ("POST", format!("/collections/construction_parcels/items/{s}/transitions"), Some(json!({"to": "surveying", "date": "2021-03-01", "document": p}).to_string()), vec![]),
            ("POST", "/collections/construction_parcels/items/LZ-1/transitions".into(), Some(json!({"to": p, "date": p, "document": p, "note": p}).to_string()), vec![]),
            ("POST", format!("/checks/{s}"), Some("{}".into()), vec![]),
            ("POST", "/checks/rezoning".into(), Some(json!({"parcel_code": p, "proposed_use": "070101"}).to_string()), vec![]),
            ("POST", "/checks/eia-site".into(), Some(json!({"geometry": square(109.3, 24.6, 0.01), "crs": p, "current_use": p, "proposed_use": p, "use_code_system": p, "project_kind": p, "as_of": p}).to_string()), vec![]),
            ("POST", "/checks/land-supply".into(), Some(json!({"geometry": square(109.3, 24.6, 0.01), "supply": p, "proposed_use": "070101"}).to_string()), vec![]),
            ("POST", "/collections/farmland_units/items".into(), Some(f.to_string()), vec![]),
        ];
        for (method, uri, body, headers) in writes {
            // header values cannot carry control characters; the client library would refuse them
            if headers.iter().any(|(_, v)| v.chars().any(char::is_control)) {
                continue;
            }
            // `If-Match: *` is HTTP's "whatever the version": a DELETE with it deletes, as it should
            if method == "DELETE" && headers.iter().any(|(_, v)| *v == "*") {
                continue;
            }
            let r = t.send(method, &uri, Some(&ed), &headers, body).await;
            no_5xx(&r, &format!("{method} {uri}"));
            if !headers.is_empty() && uri.split('?').next().is_some_and(|u| u.ends_with("/GD-1")) {
                assert_eq!(r.status, if method == "PUT" { 400 } else { 412 }, "{method} {uri} {headers:?}: {}", r.text);
            }
        }
    }
    // nothing executed: every table is there, nothing seeded was lost or changed
    assert_eq!(tables(&t).await, before_tables);
    let gd1 = t.get("/collections/farmland_units/items/GD-1").await;
    assert_eq!(gd1.status, 200);
    assert_eq!(gd1.body["properties"]["class"], "safe_use");
    assert_eq!(t.get("/collections/construction_parcels/items/LZ-1").await.body["properties"]["state"], "suspected");
    assert_eq!(t.count("construction_parcel_versions").await, parcels);
    // creates with odd (but valid) codes are plain data; anything else stayed as it was
    let odd: i64 = sqlx::query_scalar("SELECT count(*) FROM farmland_unit_versions WHERE unit_code <> 'GD-1'")
        .fetch_one(&t.store.pool)
        .await
        .unwrap();
    assert_eq!(t.count("farmland_unit_versions").await, units + odd);
    assert!(t.count("audit_log").await >= 5);
}
