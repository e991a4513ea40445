//! The plans' tailings-pond and key-unit targets, computed from the source-control figures over HTTP and
//! PostGIS: over the demo data with ponds and records added, `GET /targets` gives each a value equal to what
//! `GET /indicators` says under `source_control` for the same date.

mod common;

use common::*;
use serde_json::{json, Value};
use sqlx::PgPool;

async fn record(t: &TestApp, c: &str, id: &str, kind: &str, date: &str) {
    let r = t
        .write(
            "POST",
            &format!("/collections/{c}/items/{id}/records"),
            &json!({"kind": kind, "date": date, "document": format!("{kind} 记录 {date}"), "result": "合格", "note": null}),
        )
        .await;
    assert_eq!(r.status, 201, "{c} {id} {kind} {date}: {}", r.text);
}

fn target(body: &Value, id: &str) -> Value {
    let all = body["targets"].as_array().unwrap_or_else(|| panic!("no targets: {body}"));
    all.iter().find(|x| x["id"] == id).unwrap_or_else(|| panic!("no {id} in {body}")).clone()
}

/// ponds_met / ponds of a level in `source_control`, as percent to 2 decimals.
fn share(sc: &Value, level: &str) -> Option<f64> {
    let c = &sc["tailings_inspections"][level];
    let (met, all) = (c["ponds_met"].as_f64()?, c["ponds"].as_f64()?);
    (all > 0.0).then(|| (met / all * 10000.0).round() / 100.0)
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn tailings_targets_equal_the_indicators(pool: PgPool) {
    let t = app(pool).await;
    let settings = landguard::config::Settings::default();
    landguard::demo::load(&t.store, std::path::Path::new("fixtures"), &settings).await.unwrap();
    // The demo's ponds are on the register from 2025: in 2023 there is nothing to count, and that is what
    // the targets say, not 100 %.
    let r = t.get("/targets?city=4503&year=2023&as_of=2023-12-31").await;
    for level in ["1", "2", "3"] {
        let x = target(&r.body, &format!("guilin-2023-tailings-level{level}"));
        assert_eq!((x["status"].as_str(), &x["value"]), (Some("not_computable"), &Value::Null), "{x}");
        assert!(x["missing_en"].as_str().is_some_and(|m| m.contains(&format!("level-{level}"))), "{x}");
    }
    // Guilin's ponds as they stood in 2023 (registered here, the demo's positions): the level-1 pond inspected
    // in March and August (met), the level-2 pond never (not met), one of the two level-3 ponds spot-checked
    // (50 %, met).
    for (code, county, level, lon, lat) in [
        ("450332-WK-101", "450332", 1, 110.93, 25.035),
        ("450324-WK-101", "450324", 2, 110.96, 25.83),
        ("450323-WK-101", "450323", 3, 110.475, 25.545),
        ("450312-WK-101", "450312", 3, 110.095, 25.12),
    ] {
        let pond = json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": {
            "pond_code": code, "name": format!("{code}尾矿库"), "county_code": county, "operator": "某矿业公司",
            "level": level, "level_doc": "桂环函〔2022〕101号", "status": "operating", "valid_from": "2022-01-01"}});
        let r = t.write("POST", "/collections/tailings_ponds/items", &pond).await;
        assert_eq!(r.status, 201, "{code}: {}", r.text);
    }
    record(&t, "tailings_ponds", "450332-WK-101", "inspection", "2023-03-20").await;
    record(&t, "tailings_ponds", "450332-WK-101", "inspection", "2023-08-01").await;
    record(&t, "tailings_ponds", "450323-WK-101", "inspection", "2023-06-01").await;

    for (as_of, l1, l2, l3) in [
        ("2023-12-31", ("met", 100.0), ("not_met", 0.0), ("met", 50.0)),
        // In May the pre-flood inspection is done but not the second: in progress; level 3 not yet checked.
        ("2023-05-31", ("in_progress", 0.0), ("in_progress", 0.0), ("in_progress", 0.0)),
    ] {
        let r = t.get(&format!("/targets?city=4503&year=2023&as_of={as_of}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let ind = t.get(&format!("/indicators?county_code=4503&as_of={as_of}")).await;
        assert_eq!(ind.status, 200, "{}", ind.text);
        let sc = &ind.body["source_control"]["cities"]["4503"];
        for (level, (status, value)) in [("1", l1), ("2", l2), ("3", l3)] {
            let x = target(&r.body, &format!("guilin-2023-tailings-level{level}"));
            assert_eq!(x["value"].as_f64(), share(sc, level), "level {level} as of {as_of}: {x} vs {sc}");
            assert_eq!((x["status"].as_str(), x["value"].as_f64()), (Some(status), Some(value)), "{as_of}: {x}");
            let basis = x["basis_en"].as_str().unwrap();
            assert!(basis.contains("inspection records") && basis.contains("source_control"), "{basis}");
            assert!(x["basis_zh"].as_str().unwrap().contains("巡查记录"), "{x}");
        }
    }

    // A county answers to its city's targets with its own ponds: Gongcheng has only the level-1 pond, so its
    // level-2 target has nothing to count, and the level-3 share is the city's, never a county's.
    let r = t.get("/targets?county_code=450332&year=2023&as_of=2023-12-31").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ind = t.get("/indicators?county_code=450332&as_of=2023-12-31").await.body;
    let sc = &ind["source_control"]["counties"]["450332"];
    let l1 = target(&r.body, "guilin-2023-tailings-level1");
    assert_eq!((l1["value"].as_f64(), l1["status"].as_str()), (share(sc, "1"), Some("met")), "{l1}");
    for id in ["guilin-2023-tailings-level2", "guilin-2023-tailings-level3"] {
        let x = target(&r.body, id);
        assert_eq!((x["status"].as_str(), &x["value"]), (Some("not_computable"), &Value::Null), "{x}");
        assert!(x["missing_en"].as_str().is_some_and(|m| m.contains("level-")), "{x}");
    }
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn key_unit_monitoring_equals_the_indicators(pool: PgPool) {
    let t = app(pool).await;
    let settings = landguard::config::Settings::default();
    landguard::demo::load(&t.store, std::path::Path::new("fixtures"), &settings).await.unwrap();
    let get = |as_of: &'static str| {
        let t = &t;
        async move {
            let r = t.get(&format!("/targets?city=4502&year=2025&as_of={as_of}")).await;
            assert_eq!(r.status, 200, "{}", r.text);
            let ind = t.get(&format!("/indicators?county_code=4502&as_of={as_of}")).await;
            assert_eq!(ind.status, 200, "{}", ind.text);
            (target(&r.body, "liuzhou-2025-key-unit-monitoring"), ind.body["source_control"]["cities"]["4502"].clone())
        }
    };
    // The demo holds no surrounding monitoring: 0 units of 23, not met at the year's end.
    let (x, sc) = get("2025-12-31").await;
    assert_eq!(x["value"].as_f64(), sc["key_units_surrounding_monitored"].as_f64(), "{x} vs {sc}");
    assert_eq!((x["value"].as_f64(), x["status"].as_str()), (Some(0.0), Some("not_met")), "{x}");

    // Two units monitored in 2025 (one twice), one in 2024 (not this year's), a hazard check (another kind).
    record(&t, "key_supervised_units", "91450222MA5000010C", "surrounding_monitoring", "2025-04-10").await;
    record(&t, "key_supervised_units", "91450222MA5000010C", "surrounding_monitoring", "2025-10-10").await;
    record(&t, "key_supervised_units", "91450223MA5000030W", "surrounding_monitoring", "2025-09-01").await;
    record(&t, "key_supervised_units", "91450225MA5000050U", "surrounding_monitoring", "2024-09-01").await;
    record(&t, "key_supervised_units", "91450225MA5000050U", "hazard_check", "2025-09-01").await;
    let (x, sc) = get("2025-12-31").await;
    assert_eq!(sc["key_units_surrounding_monitored"], 2, "{sc}");
    assert_eq!(x["value"].as_f64(), Some(2.0), "{x}");
    assert_eq!(x["status"], "not_met", "2 of the plan's 23: {x}");
    assert!(x["basis_en"].as_str().unwrap().contains("surrounding_monitoring"), "{x}");
    // In June only the April record counts, and the year is not over.
    let (x, sc) = get("2025-06-30").await;
    assert_eq!((x["value"].as_f64(), sc["key_units_surrounding_monitored"].as_f64()), (Some(1.0), Some(1.0)), "{x}");
    assert_eq!(x["status"], "in_progress", "{x}");
}

/// Where the source-control registers need a token, an anonymous caller gets no figure from them through
/// `GET /targets` either (as `GET /indicators` leaves out `source_control`), and is told why.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn registers_read_with_a_token_only(pool: PgPool) {
    let mut settings = landguard::config::Settings::default();
    settings
        .anonymous_read
        .retain(|c| !["key_supervised_units", "tailings_ponds", "pollution_sources"].contains(&c.as_str()));
    let t = app_with(pool, settings).await;
    let r = t.get("/targets?city=4502&year=2025&as_of=2025-12-31").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let x = target(&r.body, "liuzhou-2025-key-unit-monitoring");
    assert_eq!(x["status"], "not_computable", "{x}");
    assert!(x["missing_en"].as_str().is_some_and(|m| m.contains("token")), "{x}");
    let ind = t.get("/indicators?county_code=4502&as_of=2025-12-31").await;
    assert!(ind.body.get("source_control").is_none(), "{}", ind.text);
    // With a token the figure is there (no key unit registered: nothing to count, and it says so).
    let viewer = t.viewer.clone();
    let r = t.send("GET", "/targets?city=4502&year=2025&as_of=2025-12-31", Some(&viewer), &[], None).await;
    let x = target(&r.body, "liuzhou-2025-key-unit-monitoring");
    assert_eq!(x["status"], "not_computable", "{x}");
    assert!(x["missing_en"].as_str().is_some_and(|m| m.contains("key supervised units registered")), "{x}");
}
