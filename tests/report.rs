//! The annual report over HTTP against a real PostGIS: its figures are the registry's (the rate equals
//! `GET /indicators` for the same date), its map and chart are drawn, and bad parameters get a 400.

mod common;

use common::*;
use serde_json::json;
use sqlx::PgPool;

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_annual_report_prints_the_registry(pool: PgPool) {
    let t = app(pool).await;
    let units = "/collections/farmland_units/items";
    for (i, (class, measures)) in [("safe_use", true), ("safe_use", false), ("strict_control", true)].iter().enumerate()
    {
        let mut u = unit(&format!("LZ-R-{i}"), class, square(109.40 + i as f64 * 0.004, 24.35, 0.002));
        u["properties"]["measures_in_place"] = json!(measures);
        u["properties"]["valid_from"] = json!("2025-01-01");
        assert_eq!(t.write("POST", units, &u).await.status, 201);
    }
    let mut p = parcel("LZ-R-P1", square(109.42, 24.36, 0.002));
    p["properties"]["priority_supervision"] = json!(true);
    p["properties"]["valid_from"] = json!("2025-01-01");
    assert_eq!(t.write("POST", "/collections/construction_parcels/items", &p).await.status, 201);

    let r = t.get("/reports/annual?city=4502&year=2025").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let ind = t.get("/indicators?county_code=4502&as_of=2025-12-31").await;
    let rate = ind.body["safe_utilisation"]["rate_percent"].as_f64().expect("a rate");
    assert!(r.text.contains(&format!("<b>{rate:.2}%</b>")), "the report's rate is /indicators' {rate}");
    assert!(r.text.contains("目标完成情况") && r.text.contains("方法与依据"));
    assert!(r.text.matches("<svg").count() >= 2, "a chart and a map");
    assert!(r.text.contains("<polyline"), "the monthly rate is drawn");
    assert!(r.text.contains("LZ-R-P1") || r.text.contains("<circle"), "the priority parcel is on the map");

    for bad in ["/reports/annual?city=45&year=2025", "/reports/annual?city=4502&year=2999", "/reports/annual?city=4502"]
    {
        let r = t.get(bad).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
    }
}
