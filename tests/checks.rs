//! Access-rule checks and indicators through HTTP against PostGIS: the cases a planning bureau, an EIA
//! reviewer and a land-supply officer ask about.

mod common;

use common::*;
use serde_json::{json, Value};
use sqlx::PgPool;

const PARCELS: &str = "/collections/construction_parcels/items";
const UNITS: &str = "/collections/farmland_units/items";

/// Registers a parcel and walks it through the lifecycle to the last of `states`.
async fn parcel_in(t: &TestApp, code: &str, geom: Value, states: &[&str], extra: Value) {
    let mut f = parcel(code, geom);
    for (k, v) in extra.as_object().unwrap() {
        f["properties"][k] = v.clone();
    }
    let r = t.write("POST", PARCELS, &f).await;
    assert_eq!(r.status, 201, "{}", r.text);
    for (i, s) in states.iter().enumerate() {
        let date = format!("2021-{:02}-01", i + 2);
        let r = t.write("POST", &format!("{PARCELS}/{code}/transitions"), &json!({"to": s, "date": date, "document": format!("柳环函〔2021〕{}号", i + 1)})).await;
        assert_eq!(r.status, 200, "{code} -> {s}: {}", r.text);
    }
}

async fn check(t: &TestApp, kind: &str, body: Value) -> Value {
    let r = t.send("POST", &format!("/checks/{kind}"), None, &[], Some(body.to_string())).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

fn rules(answer: &Value) -> Vec<String> {
    answer["reasons"].as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap().to_string()).collect()
}

const LISTED: &[&str] = &["surveying", "risk_assessment", "listed"];

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn listed_parcel_rezoning(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "LZ-L", square(109.40, 24.35, 0.002), LISTED, json!({})).await;
    let q = json!({"parcel_code": "LZ-L", "proposed_use": "070101"});
    let a = check(&t, "rezoning", q).await;
    assert_eq!(a["decision"], "denied");
    let reason = &a["reasons"][0];
    assert_eq!(reason["rule"], "rcr_listed_no_housing_public");
    assert_eq!(reason["basis"], "《中华人民共和国土壤污染防治法》第六十一条第二款");
    assert_eq!(reason["features"][0]["id"], "LZ-L");
    assert_eq!(reason["features"][0]["collection"], "construction_parcels");
    assert!((reason["features"][0]["overlap_ratio"].as_f64().unwrap() - 1.0).abs() < 1e-3);
    assert!(reason["message_zh"].as_str().unwrap().contains("LZ-L") && reason["message_en"].as_str().unwrap().contains("LZ-L"));
    assert_eq!(a["current_use"]["code"], "100102", "the registered use stands for the current one");

    let a = check(&t, "rezoning", json!({"parcel_code": "LZ-L", "proposed_use": "100101"})).await;
    assert_eq!(a["decision"], "conditional", "{a}");
    assert!(rules(&a).contains(&"rcr_targets_unmet_no_unrelated_project".to_string()));
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn cleared_unregistered_and_second_class(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "LZ-C", square(109.40, 24.35, 0.002), &["surveying", "cleared"], json!({})).await;
    let a = check(&t, "rezoning", json!({"parcel_code": "LZ-C", "proposed_use": "070101"})).await;
    assert_eq!(a["decision"], "allowed", "{a}");
    assert!(a["reasons"].as_array().unwrap().is_empty());

    // land the registry has never looked at, to housing: a survey first
    let a = check(&t, "rezoning", json!({"geometry": square(109.50, 24.40, 0.002), "proposed_use": "070101", "current_use": "0101"})).await;
    assert_eq!(a["decision"], "conditional");
    assert_eq!(rules(&a), vec!["survey_before_housing_public_change"]);

    // remediated for second-class use only, to a school
    parcel_in(&t, "LZ-R", square(109.45, 24.35, 0.002), &["surveying", "risk_assessment", "listed", "under_remediation", "effect_evaluation", "delisted"], json!({"remediated_for_class": 2})).await;
    let a = check(&t, "rezoning", json!({"parcel_code": "LZ-R", "proposed_use": "080403"})).await;
    assert_eq!(a["decision"], "conditional", "{a}");
    assert!(rules(&a).contains(&"remediated_for_second_class_only".to_string()), "{a}");

    // key-unit land changing use
    parcel_in(&t, "LZ-K", square(109.48, 24.35, 0.002), &[], json!({"key_unit_land": true})).await;
    let a = check(&t, "rezoning", json!({"parcel_code": "LZ-K", "proposed_use": "0901"})).await;
    assert_eq!(a["decision"], "conditional", "{a}");
    assert!(rules(&a).contains(&"key_unit_survey_before_change_or_transfer".to_string()), "{a}");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn land_supply_and_eia(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "LZ-M", square(109.40, 24.35, 0.002), &["surveying", "risk_assessment"], json!({})).await;
    parcel_in(&t, "LZ-D", square(109.43, 24.35, 0.002), &["surveying", "risk_assessment", "listed", "under_control", "effect_evaluation", "delisted"], json!({"remediated_for_class": 1})).await;
    parcel_in(&t, "LZ-L", square(109.46, 24.35, 0.002), LISTED, json!({})).await;

    let a = check(&t, "land-supply", json!({"parcel_code": "LZ-M", "supply": "transfer"})).await;
    assert_eq!(a["decision"], "denied");
    assert!(rules(&a).contains(&"incomplete_risk_management_no_land_supply".to_string()));
    let a = check(&t, "land-supply", json!({"parcel_code": "LZ-D", "supply": "allocation"})).await;
    assert_eq!(a["decision"], "allowed", "{a}");

    let a = check(&t, "eia-site", json!({"parcel_code": "LZ-L", "project_kind": "other"})).await;
    assert_eq!(a["decision"], "denied");
    assert!(rules(&a).contains(&"eia_site_on_rcr_parcel".to_string()));
    let a = check(&t, "eia-site", json!({"parcel_code": "LZ-L", "project_kind": "remediation"})).await;
    assert_ne!(a["decision"], "denied", "{a}");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn farmland_rules_and_slivers(pool: PgPool) {
    let t = app(pool).await;
    assert_eq!(t.write("POST", UNITS, &unit("GD-P", "priority_protection", square(109.30, 24.60, 0.001))).await.status, 201);
    // a soil-polluting project on priority-protection farmland
    let a = check(&t, "eia-site", json!({"geometry": square(109.3002, 24.6002, 0.0005), "project_kind": "soil_polluting"})).await;
    assert_eq!(a["decision"], "denied", "{a}");
    assert!(rules(&a).contains(&"no_polluting_project_in_basic_farmland_area".to_string()));

    // a heavy-metal plant about 500 m east of the farmland
    let a = check(&t, "eia-site", json!({"geometry": square(109.30594, 24.60, 0.001), "project_kind": "heavy_metal"})).await;
    assert_eq!(a["decision"], "conditional", "{a}");
    let r = &a["reasons"][0];
    assert_eq!(r["rule"], "heavy_metal_project_near_farmland");
    let d = r["features"][0]["distance_m"].as_f64().unwrap();
    assert!((d - 500.0).abs() < 25.0, "distance {d}");
    // the same plant beyond the buffer
    let a = check(&t, "eia-site", json!({"geometry": square(109.33, 24.60, 0.001), "project_kind": "heavy_metal"})).await;
    assert_eq!(a["decision"], "allowed", "{a}");

    // a sliver: a listed parcel overlapped by a 0.1 m strip
    parcel_in(&t, "LZ-L", square(109.40, 24.35, 0.002), LISTED, json!({})).await;
    let a = check(&t, "rezoning", json!({"geometry": square(109.401999, 24.35, 0.002), "proposed_use": "070101", "current_use": "070101"})).await;
    assert_eq!(a["decision"], "allowed", "a sliver is ignored: {a}");
    let a = check(&t, "rezoning", json!({"geometry": square(109.4015, 24.35, 0.002), "proposed_use": "070101", "current_use": "070101"})).await;
    assert_eq!(a["decision"], "denied", "a real overlap counts: {a}");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn crs_and_as_of(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "GL-L", square(110.29, 25.27, 0.002), LISTED, json!({})).await; // listed 2021-04-01
    let q84 = square(110.2905, 25.2705, 0.001);
    // the same polygon in EPSG:4546 (Gauss-Krüger zone 37), from PostGIS, in authority order (northing, easting)
    let gk: String = sqlx::query_scalar("SELECT ST_AsGeoJSON(ST_FlipCoordinates(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4490), 4546)), 4)")
        .bind(q84.to_string())
        .fetch_one(&t.store.pool)
        .await
        .unwrap();
    let gk: Value = serde_json::from_str(&gk).unwrap();
    assert!(gk["coordinates"][0][0][0].as_f64().unwrap() > 2_000_000.0, "northing first: {gk}");
    let a84 = check(&t, "rezoning", json!({"geometry": q84, "proposed_use": "070101", "current_use": "1001"})).await;
    let agk = check(&t, "rezoning", json!({"geometry": gk, "crs": "http://www.opengis.net/def/crs/EPSG/0/4546", "proposed_use": "070101", "current_use": "1001"})).await;
    assert_eq!(a84["decision"], "denied");
    assert_eq!(rules(&a84), rules(&agk));
    assert_eq!(a84["decision"], agk["decision"]);
    let (x, y) = (a84["query_area_m2"].as_f64().unwrap(), agk["query_area_m2"].as_f64().unwrap());
    assert!((x - y).abs() < 1.0, "areas {x} vs {y}");
    // EPSG:4490 is lat/lon
    let latlon: Value = json!({"type": "Polygon", "coordinates": [q84["coordinates"][0].as_array().unwrap().iter().map(|c| json!([c[1], c[0]])).collect::<Vec<_>>()]});
    let a4490 = check(&t, "rezoning", json!({"geometry": latlon, "crs": "http://www.opengis.net/def/crs/EPSG/0/4490", "proposed_use": "070101", "current_use": "1001"})).await;
    assert_eq!(a4490["decision"], "denied");

    // before and after the listing
    let before = check(&t, "rezoning", json!({"geometry": q84, "proposed_use": "070101", "current_use": "1001", "as_of": "2021-03-15"})).await;
    let after = check(&t, "rezoning", json!({"geometry": q84, "proposed_use": "070101", "current_use": "1001", "as_of": "2021-04-15"})).await;
    assert_eq!(before["decision"], "conditional", "{before}");
    assert_eq!(after["decision"], "denied", "{after}");
    assert_eq!(before["as_of"], "2021-03-15");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn bad_check_requests(pool: PgPool) {
    let t = app(pool).await;
    let cases = [
        (json!({"geometry": square(109.4, 24.3, 0.001), "proposed_use": "0799"}), 400, "unknown land-use code"),
        (json!({"geometry": square(109.4, 24.3, 0.001), "proposed_use": "070101", "use_code_system": "gb9999"}), 400, "code system"),
        (json!({"geometry": {"type": "Point", "coordinates": [109.4, 24.3]}, "proposed_use": "070101"}), 400, "Polygon or MultiPolygon"),
        (json!({"geometry": {"type": "MultiPolygon", "coordinates": []}, "proposed_use": "070101"}), 400, "empty"),
        (json!({"geometry": {"type":"Polygon","coordinates":[[[109.40,24.30],[109.41,24.31],[109.41,24.30],[109.40,24.31],[109.40,24.30]]]}, "proposed_use": "070101"}), 400, "self-intersect"),
        (json!({"geometry": square(109.4, 24.3, 0.001), "proposed_use": "070101", "crs": "EPSG:999999"}), 400, "unsupported CRS"),
        (json!({"geometry": square(109.4, 24.3, 0.001), "proposed_use": "070101", "colour": 1}), 400, "unknown member"),
        (json!({"geometry": square(109.4, 24.3, 0.001), "proposed_use": "070101", "use_code_system": " "}), 400, "must not be blank"),
        (json!({"proposed_use": "070101"}), 400, "required"),
        (json!({"parcel_code": "NOPE", "proposed_use": "070101"}), 404, "NOPE"),
    ];
    for (body, status, needle) in cases {
        let r = t.send("POST", "/checks/rezoning", None, &[], Some(body.to_string())).await;
        assert_eq!(r.status, status, "{body}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert!(r.text.to_lowercase().contains(&needle.to_lowercase()), "{needle} not in {}", r.text);
    }
    assert_eq!(t.send("POST", "/checks/teleport", None, &[], Some("{}".into())).await.status, 404);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn indicators_for_a_county(pool: PgPool) {
    let t = app(pool).await;
    // safe_use with measures (counts), safe_use without measures (does not), strict_control with measures (counts)
    let units = [("A", "safe_use", true, 0.001), ("B", "safe_use", false, 0.001), ("C", "strict_control", true, 0.002), ("D", "priority_protection", true, 0.003)];
    let mut areas = std::collections::HashMap::new();
    for (i, (code, class, measures, d)) in units.iter().enumerate() {
        let mut u = unit(code, class, square(109.30 + i as f64 * 0.01, 24.60, *d));
        u["properties"]["measures_in_place"] = json!(measures);
        let r = t.write("POST", UNITS, &u).await;
        areas.insert(*code, r.body["properties"]["area_m2"].as_f64().unwrap());
    }
    let r = t.get("/indicators?county_code=450222").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let expected = (areas["A"] + areas["C"]) / (areas["A"] + areas["B"] + areas["C"]) * 100.0;
    let rate = r.body["safe_utilisation"]["rate_percent"].as_f64().unwrap();
    assert!((rate - expected).abs() < 0.01, "{rate} vs {expected}: {}", r.text);
    assert_eq!(r.body["safe_utilisation"]["target_percent"], 93.0);
    assert_eq!(r.body["safe_utilisation"]["meets_target"], false);
    assert_eq!(t.get("/indicators?county_code=450302").await.body["safe_utilisation"]["rate_percent"], Value::Null);
    assert_eq!(t.get("/indicators?county_code=45022").await.status, 400);
    // before the units were valid there is nothing to rate
    assert_eq!(t.get("/indicators?county_code=4502&as_of=2020-01-01").await.body["safe_utilisation"]["rate_percent"], Value::Null);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn soil_grade_of_a_sample(pool: PgPool) {
    let t = app(pool).await;
    // paddy, pH 6.2: Cd screening 0.4, intervention 2.0; Pb 100 / 500
    let r = t
        .send("POST", "/soil-grade", None, &[], Some(json!({"ph": 6.2, "land_type": "0101", "concentrations": {"Cd": 0.45, "Pb": 60}, "crops": "compliant"}).to_string()))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let a = &r.body;
    assert_eq!(a["grade"], "B");
    assert_eq!(a["ph_band"], "5.5<pH≤6.5");
    assert_eq!(a["land"], "paddy");
    assert_eq!(a["governing"], json!(["Cd"]));
    assert_eq!(a["missing"], json!(["Hg", "As", "Cr"]));
    assert_eq!(a["class"], "safe_use");
    assert_eq!(a["class_zh"], "安全利用类");
    assert_eq!(a["pollutants"][0], json!({"pollutant": "Cd", "value_mg_kg": 0.45, "screening_mg_kg": 0.4, "intervention_mg_kg": 2.0, "grade": "B", "exceeds_screening": true}));
    assert!(a["basis"][1].as_str().unwrap().contains("第五十三条"), "{}", r.text);

    // without the crop finding: the grade only
    let r = t.send("POST", "/soil-grade", None, &[], Some(json!({"ph": 8.0, "land": "other", "concentrations": {"As": 101}}).to_string())).await;
    assert_eq!((r.body["grade"].as_str(), r.body.get("class")), (Some("C"), None), "{}", r.text);

    // every problem of a bad sample at once, each with its pointer
    let r = t
        .send("POST", "/soil-grade", None, &[], Some(json!({"ph": "6", "land": "orchard", "concentrations": {"Fe": 1, "Cd": "x"}, "crops": "bad", "depth": 20}).to_string()))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let mut pointers: Vec<&str> = r.body["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
    pointers.sort();
    assert_eq!(pointers, ["/concentrations/Cd", "/concentrations/Fe", "/crops", "/depth", "/land", "/ph"], "{}", r.text);

    for (body, pointer) in [
        (json!({"ph": 14.5, "land": "paddy", "concentrations": {"Cd": 0.1}}), "/ph"),
        (json!({"ph": 6, "land": "paddy", "concentrations": {"Cd": -0.1}}), "/concentrations/Cd"),
        (json!({"ph": 6, "land": "paddy", "concentrations": {"Zn": 900}}), "/concentrations"),
        (json!({"ph": 6, "land": "paddy", "land_type": "0101", "concentrations": {"Cd": 0.1}}), "/land_type"),
        // a blank is not "absent": /api offers null for that
        (json!({"ph": 6, "land": "other", "land_type": "", "concentrations": {"Cd": 0.1}}), "/land_type"),
        // more than the sample's own mass is a unit or typing mistake
        (json!({"ph": 6, "land": "other", "concentrations": {"Ni": 1.0e308}}), "/concentrations/Ni"),
        (json!({"land": "paddy", "concentrations": {"Cd": 0.1}}), "/ph"),
    ] {
        let r = t.send("POST", "/soil-grade", None, &[], Some(body.to_string())).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert_eq!(r.body["errors"][0]["pointer"], pointer, "{body}: {}", r.text);
    }
}
