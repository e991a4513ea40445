//! The plans' targets, indicator series and published lists over the real database, through HTTP.

mod common;

use common::*;
use landguard::domain::targets::{Area, Comparison, Period, Source, Unit, TARGETS};
use serde_json::{json, Value};
use sqlx::{PgPool, Row};

async fn step(t: &TestApp, code: &str, to: &str, date: &str, doc: &str) {
    let r = t
        .write(
            "POST",
            &format!("/collections/construction_parcels/items/{code}/transitions"),
            &json!({"to": to, "date": date, "document": doc}),
        )
        .await;
    assert_eq!(r.status, 200, "{code} -> {to}: {}", r.text);
}

/// The seeded rows are the domain table: every column of every target, so that neither can drift.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn seeded_targets_are_the_domain_table(pool: PgPool) {
    let rows = sqlx::query(
        "SELECT t.id, t.plan_id, t.city, t.county_code, t.title_en, t.title_zh, t.source, t.indicator, t.evidence,
                t.comparison, t.threshold, t.words, t.unit, t.period_kind, t.year, t.clause, t.clause_zh, t.quote,
                t.lead_unit, p.city, p.title_zh, p.doc_no
         FROM targets t JOIN plans p ON p.id = t.plan_id ORDER BY t.id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), TARGETS.len());
    for r in rows {
        let id: String = r.get(0);
        let t = TARGETS.iter().find(|t| t.id == id).unwrap_or_else(|| panic!("{id} is stored but not in the domain"));
        let (city, county) = match t.area {
            Area::City(c) => (Some(c.to_string()), None),
            Area::County(c) => (None, Some(c.to_string())),
        };
        let (source, indicator, evidence) = match t.source {
            Source::Register { indicator } => {
                ("register", Some(serde_json::to_value(indicator).unwrap().as_str().unwrap().to_string()), None)
            }
            Source::Entered { evidence } => ("entered", None, Some(evidence.to_string())),
        };
        let (cmp, threshold, words) = match t.comparison {
            Comparison::AtLeast { threshold } => ("at_least", Some(threshold), None),
            Comparison::EffectivelyGuaranteed => ("effectively_guaranteed", None, None),
            Comparison::Unquantified { words } => ("unquantified", None, Some(words.to_string())),
        };
        let unit = if t.unit == Unit::Percent { "percent" } else { "count" };
        let (kind, year) = match t.period {
            Period::Year(y) => ("year", y),
            Period::ByEndOf(y) => ("by_end_of", y),
        };
        assert_eq!(r.get::<String, _>(1), t.plan.id, "{id}");
        assert_eq!((r.get::<Option<String>, _>(2), r.get::<Option<String>, _>(3)), (city, county), "{id}");
        assert_eq!((r.get::<String, _>(4).as_str(), r.get::<String, _>(5).as_str()), (t.title_en, t.title_zh), "{id}");
        assert_eq!(
            (r.get::<String, _>(6), r.get::<Option<String>, _>(7), r.get::<Option<String>, _>(8)),
            (source.to_string(), indicator, evidence),
            "{id}"
        );
        assert_eq!(
            (r.get::<String, _>(9), r.get::<Option<f64>, _>(10), r.get::<Option<String>, _>(11)),
            (cmp.to_string(), threshold, words),
            "{id}"
        );
        assert_eq!((r.get::<String, _>(12).as_str(), r.get::<String, _>(13).as_str()), (unit, kind), "{id}");
        assert_eq!(r.get::<i32, _>(14), year, "{id}");
        assert_eq!(
            (r.get::<String, _>(15).as_str(), r.get::<String, _>(16).as_str(), r.get::<String, _>(17).as_str()),
            (t.clause, t.clause_zh, t.quote),
            "{id}"
        );
        assert_eq!(r.get::<Option<String>, _>(18).as_deref(), t.lead_unit, "{id}");
        assert_eq!(
            (
                r.get::<String, _>(19).as_str(),
                r.get::<String, _>(20).as_str(),
                r.get::<Option<String>, _>(21).as_deref()
            ),
            (t.plan.city, t.plan.title_zh, t.plan.doc_no),
            "{id}"
        );
    }
}

/// The demo registry judged against Guilin 2023 and Liuzhou 2025: the computed rate is `/indicators`'s for
/// the same date, what the registry cannot compute says what it lacks, and an entered value with its
/// evidence is judged.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn targets_over_the_demo_data(pool: PgPool) {
    let t = app(pool).await;
    let settings = landguard::config::Settings::default();
    landguard::demo::load(&t.store, std::path::Path::new("fixtures"), &settings).await.unwrap();

    let r = t.get("/targets?city=4503&year=2023&as_of=2023-12-31").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let targets = r.body["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 12, "Guilin 2023 has 12 targets");
    let by_id = |id: &str| targets.iter().find(|x| x["id"] == id).unwrap_or_else(|| panic!("no {id}")).clone();
    let ind = t.get("/indicators?county_code=4503&as_of=2023-12-31").await.body;
    let rate = ind["safe_utilisation"]["rate_percent"].as_f64().expect("the demo has polluted farmland in Guilin");
    let safe = by_id("guilin-2023-safe-use");
    assert_eq!(safe["value"].as_f64(), Some(rate), "{safe}");
    assert_eq!(safe["status"], if rate >= 93.8 { "met" } else { "not_met" }, "{safe}");
    assert_eq!(safe["plan"]["doc_no"], "市政办〔2023〕20号");
    let share = ind["priority_parcels"]["share_percent"].as_f64();
    let prio = by_id("guilin-2023-priority-control");
    assert_eq!(prio["value"].as_f64(), share, "{prio}");
    match share {
        Some(s) => assert_eq!(prio["status"], if s >= 35.0 { "met" } else { "not_met" }),
        None => assert_eq!(prio["status"], "not_computable"),
    }
    // Nothing the registry does not hold is ever met: key construction land, and funds not entered (the
    // tailings targets are in tests/source_targets.rs).
    for id in ["guilin-2023-key-construction-land", "guilin-2023-fund-2021-execution"] {
        let x = by_id(id);
        assert_eq!(x["status"], "not_computable", "{x}");
        assert!(x["value"].is_null() && x["missing_zh"].as_str().is_some_and(|m| !m.is_empty()), "{x}");
    }
    let counts = &r.body["summary"];
    let total: u64 =
        ["met", "not_met", "in_progress", "not_computable"].iter().map(|s| counts[s].as_u64().unwrap()).sum();
    assert_eq!(total, 12);

    // Entering a fund figure: viewers may not, a computed target takes none, the date must lie in the period.
    let uri = "/targets/guilin-2023-fund-2021-execution/values";
    let body = json!({"value": 91.2, "as_of": "2023-12-31", "evidence": "市财政局2023年12月中央土壤污染防治资金执行情况表", "document": "市财函〔2024〕3号"});
    let viewer = t.viewer.clone();
    let r = t.send("POST", uri, Some(&viewer), &[], Some(body.to_string())).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = t.send("POST", uri, None, &[], Some(body.to_string())).await;
    assert_eq!(r.status, 401, "{}", r.text);
    let r = t.write("POST", "/targets/guilin-2023-safe-use/values", &body).await;
    assert_eq!(r.status, 409, "{}", r.text);
    for bad in [
        json!({"value": 91.2, "as_of": "2024-01-15", "evidence": "x"}),
        json!({"value": 120, "as_of": "2023-12-31", "evidence": "x"}),
        json!({"value": 91.2, "as_of": "2023-12-31"}),
        json!({"value": 91.2, "as_of": "2023-12-31", "evidence": "  "}),
        json!({"value": "91", "as_of": "2023-12-31", "evidence": "x"}),
        json!({"value": 91.2, "as_of": "2023-12-31", "evidence": "x", "colour": "red"}),
    ] {
        let r = t.write("POST", uri, &bad).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert!(r.body["detail_zh"].is_string(), "{}", r.text);
    }
    assert_eq!(t.write("POST", "/targets/no-such-target/values", &body).await.status, 404);
    let r = t.write("POST", uri, &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let x = t.get("/targets?city=4503&year=2023&as_of=2024-03-01").await.body["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "guilin-2023-fund-2021-execution")
        .cloned()
        .unwrap();
    assert_eq!((x["status"].as_str(), x["value"].as_f64()), (Some("met"), Some(91.2)), "{x}");
    assert_eq!(x["entered"]["document"], "市财函〔2024〕3号");
    // A correction is a newer row, and the newer one holds.
    let r =
        t.write("POST", uri, &json!({"value": 88.0, "as_of": "2023-12-31", "evidence": "更正后的执行情况表"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let x = t.get("/targets?city=4503&year=2023&as_of=2024-03-01").await.body["targets"][8].clone();
    assert_eq!(
        (x["id"].as_str(), x["status"].as_str(), x["value"].as_f64()),
        (Some("guilin-2023-fund-2021-execution"), Some("not_met"), Some(88.0))
    );
    assert_eq!(t.get(uri).await.body["values"].as_array().unwrap().len(), 2);
    // A county answers to its city's plan, but the city's entered figures are not the county's.
    let r = t.get("/targets?county_code=450302&year=2023&as_of=2023-12-31").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let x = r.body["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "guilin-2023-fund-2021-execution")
        .cloned()
        .unwrap();
    assert_eq!(x["status"], "not_computable");
    assert!(x["missing_en"].as_str().unwrap().contains("the city as a whole"), "{x}");

    // Liuzhou 2025, mid-year: the rate is /indicators', and the 58 parcels (no figure in the plan) are not judged.
    let r = t.get("/targets?city=4502&year=2025&as_of=2025-06-30").await;
    let targets = r.body["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 9);
    let rate =
        t.get("/indicators?county_code=4502&as_of=2025-06-30").await.body["safe_utilisation"]["rate_percent"].as_f64();
    let safe = targets.iter().find(|x| x["id"] == "liuzhou-2025-safe-use").unwrap();
    assert_eq!(safe["value"].as_f64(), rate);
    let want = match rate {
        Some(v) if v >= 93.0 => "met",
        Some(_) => "in_progress",
        None => "not_computable",
    };
    assert_eq!(safe["status"], want, "{safe}");
    let p58 = targets.iter().find(|x| x["id"] == "liuzhou-2025-priority-parcels").unwrap();
    assert_eq!(p58["status"], "not_computable");
    assert!(p58.get("missing_en").is_none(), "the plan sets no figure; nothing is missing: {p58}");

    // A county with nothing registered: not computable, saying what is missing, never met.
    let r = t.get("/targets?county_code=450399&year=2023&as_of=2023-12-31").await;
    let safe =
        r.body["targets"].as_array().unwrap().iter().find(|x| x["id"] == "guilin-2023-safe-use").cloned().unwrap();
    assert_eq!(safe["status"], "not_computable", "{safe}");
    assert!(safe["missing_zh"].as_str().unwrap().contains("耕地"), "{safe}");
    // Bad input is a 400 in both languages; no plan binds all cities.
    for q in ["", "city=45", "city=4502&county_code=450302", "city=4502&year=twenty", "city=4502&as_of=soon"] {
        let r = t.get(&format!("/targets?{q}")).await;
        assert_eq!(r.status, 400, "{q}: {}", r.text);
        assert!(r.body["detail_zh"].is_string(), "{q}: {}", r.text);
    }
    assert!(t.get("/targets?city=4501&year=2025").await.body["targets"].as_array().unwrap().is_empty());
}

fn rcr_total(point: &Value) -> u64 {
    point["indicators"]["rcr_listed_by_state"]["total"].as_u64().unwrap()
}

/// A parcel listed on 15 March counts from March (month), from Q1 (quarter); as known then (each date's
/// registry as it was recorded by then) a step recorded today is not seen in 2025.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn series_counts_a_listing_from_its_month(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "LZ-S1", square(109.41, 24.33, 0.001), &[], json!({"valid_from": "2024-06-01"})).await;
    step(&t, "LZ-S1", "surveying", "2025-01-05", "柳环函〔2025〕1号").await;
    step(&t, "LZ-S1", "risk_assessment", "2025-02-01", "柳环函〔2025〕2号").await;
    step(&t, "LZ-S1", "listed", "2025-03-15", "桂环函〔2025〕8号").await;
    let mut u = unit("LZ-U1", "safe_use", square(109.45, 24.36, 0.001));
    u["properties"]["valid_from"] = json!("2025-03-10");
    u["properties"]["county_code"] = json!("450205");
    assert_eq!(t.write("POST", "/collections/farmland_units/items", &u).await.status, 201);

    let r = t.get("/indicators/series?county_code=4502&from=2025-01-01&to=2025-06-30&step=month").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let points = r.body["points"].as_array().unwrap();
    let labels: Vec<&str> = points.iter().map(|p| p["label_en"].as_str().unwrap()).collect();
    assert_eq!(labels, ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]);
    let listed: Vec<u64> = points.iter().map(rcr_total).collect();
    assert_eq!(listed, [0, 0, 1, 1, 1, 1]);
    let units: Vec<u64> =
        points.iter().map(|p| p["indicators"]["farmland_by_class"]["safe_use"]["units"].as_u64().unwrap()).collect();
    assert_eq!(units, [0, 0, 1, 1, 1, 1]);
    // Per county, inside the city.
    let march = &points[2];
    assert_eq!(march["counties"][0]["scope"], json!({"level": "county", "code": "450205"}));
    assert_eq!(march["counties"][0]["rcr_listed_by_state"]["listed"], 1);
    // The same as /indicators on that date.
    let ind = t.get("/indicators?county_code=4502&as_of=2025-03-31").await.body;
    assert_eq!(march["indicators"]["rcr_listed_by_state"], ind["rcr_listed_by_state"]);
    assert_eq!(march["indicators"]["safe_utilisation"], ind["safe_utilisation"]);

    let r = t.get("/indicators/series?county_code=450205&from=2025-01-01&to=2025-12-31&step=quarter").await;
    let listed: Vec<u64> = r.body["points"].as_array().unwrap().iter().map(rcr_total).collect();
    assert_eq!(listed, [1, 1, 1, 1], "Q1 holds 15 March");
    // Ending before the 15th, nothing sees it.
    let r = t.get("/indicators/series?county_code=4502&from=2025-01-01&to=2025-03-14&step=quarter").await;
    assert_eq!(rcr_total(&r.body["points"][0]), 0);

    // As known then: in 2025 the registry had none of this (it was all recorded today).
    let r = t.get("/indicators/series?county_code=4502&from=2025-01-01&to=2025-06-30&step=quarter&known=then").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["known"], "then");
    let listed: Vec<u64> = r.body["points"].as_array().unwrap().iter().map(rcr_total).collect();
    assert_eq!(listed, [0, 0]);
    // As known then, today is as known now.
    let today = landguard::domain::time::today();
    let q = format!("county_code=4502&from={today}&to={today}&step=month");
    let now = t.get(&format!("/indicators/series?{q}")).await.body["points"][0]["indicators"].clone();
    let then = t.get(&format!("/indicators/series?{q}&known=then")).await.body["points"][0]["indicators"].clone();
    assert_eq!(now, then);
    assert_eq!(now["rcr_listed_by_state"]["total"], 1);
    // Bad parameters: a 400 in both languages.
    for q in
        ["step=week", "from=2025-02-01&to=2025-01-01", "known=later", "county_code=45", "from=2000-01-01&to=2025-01-01"]
    {
        let r = t.get(&format!("/indicators/series?{q}")).await;
        assert_eq!(r.status, 400, "{q}: {}", r.text);
        assert!(r.body["detail_zh"].is_string(), "{q}: {}", r.text);
    }
}

/// The published RCR list: added, kept, removed between two dates, anonymous, as JSON, CSV and HTML.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn published_rcr_list_and_its_changes(pool: PgPool) {
    let t = app(pool).await;
    const TO_CONTROL: &[&str] = &["surveying", "risk_assessment", "listed", "under_control"];
    // Kept: listed in 2021 and still under control.
    parcel_in(&t, "LZ-KEPT", square(109.40, 24.30, 0.001), TO_CONTROL, json!({})).await;
    // Removed: listed in 2021, delisted in May 2025.
    parcel_in(&t, "LZ-GONE", square(109.41, 24.30, 0.001), TO_CONTROL, json!({})).await;
    step(&t, "LZ-GONE", "effect_evaluation", "2025-04-01", "柳环函〔2025〕20号").await;
    step(&t, "LZ-GONE", "delisted", "2025-05-20", "桂环函〔2025〕31号").await;
    // Added: listed in March 2025.
    parcel_in(&t, "LZ-NEW", square(109.42, 24.30, 0.001), &["surveying", "risk_assessment"], json!({})).await;
    step(&t, "LZ-NEW", "listed", "2025-03-15", "桂环函〔2025〕8号").await;
    // Never listed.
    parcel_in(&t, "LZ-NONE", square(109.43, 24.30, 0.001), &["surveying", "cleared"], json!({})).await;

    let r = t.get("/public/lists/rcr?as_of=2025-12-31&since=2024-12-31").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let change = |code: &str| {
        r.body["parcels"].as_array().unwrap().iter().find(|p| p["parcel_code"] == code).map(|p| p["change"].clone())
    };
    assert_eq!(change("LZ-KEPT"), Some(json!("kept")));
    assert_eq!(change("LZ-GONE"), Some(json!("removed")));
    assert_eq!(change("LZ-NEW"), Some(json!("added")));
    assert_eq!(change("LZ-NONE"), None);
    assert_eq!(r.body["changes"], json!({"added": 1, "kept": 1, "removed": 1}));
    assert_eq!(r.body["on_list"], 2);
    let gone = r.body["parcels"].as_array().unwrap().iter().find(|p| p["parcel_code"] == "LZ-GONE").unwrap();
    assert_eq!(
        (&gone["removed_on"], &gone["removed_to"], &gone["removed_document"], &gone["state"]),
        (&json!("2025-05-20"), &json!("delisted"), &json!("桂环函〔2025〕31号"), &json!("delisted"))
    );
    let new = r.body["parcels"].as_array().unwrap().iter().find(|p| p["parcel_code"] == "LZ-NEW").unwrap();
    assert_eq!((&new["listed_on"], &new["listed_document"]), (&json!("2025-03-15"), &json!("桂环函〔2025〕8号")));

    // The list on a date alone: what is on it then, and the same as the registry's RCR count.
    let r = t.get("/public/lists/rcr?as_of=2025-04-30").await;
    let mut codes: Vec<&str> =
        r.body["parcels"].as_array().unwrap().iter().map(|p| p["parcel_code"].as_str().unwrap()).collect();
    codes.sort_unstable();
    assert_eq!(codes, ["LZ-GONE", "LZ-KEPT", "LZ-NEW"]);
    let ind = t.get("/indicators?as_of=2025-04-30").await.body;
    assert_eq!(ind["rcr_listed_by_state"]["total"], 3);

    let r = t.get("/public/lists/rcr?as_of=2025-12-31&since=2024-12-31&f=csv").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    let lines: Vec<&str> = r.text.lines().collect();
    assert_eq!(lines.len(), 4, "{}", r.text);
    assert!(
        lines.iter().any(|l| l.starts_with("LZ-GONE,") && l.contains("移出 removed") && l.contains("2025-05-20")),
        "{}",
        r.text
    );
    // The workbook opens as a zip with the same rows: text cells in the shared strings, areas as numbers.
    let bytes = t.send_raw("GET", "/public/lists/rcr?as_of=2025-12-31&since=2024-12-31&f=xlsx", &[]).await;
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX is a zip");
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut book.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let strings = read("xl/sharedStrings.xml");
    for s in
        ["地块编码 parcel_code", "LZ-GONE", "LZ-KEPT", "LZ-NEW", "移出 removed", "新增 added", "桂环函〔2025〕31号"]
    {
        assert!(strings.contains(s), "{s} not in the workbook");
    }
    assert!(!strings.contains("LZ-NONE"));
    let sheet = read("xl/worksheets/sheet1.xml");
    assert_eq!(sheet.matches("<row ").count(), 4, "a header and three parcels");
    let r = t.get("/public/lists/rcr?as_of=2025-12-31&since=2024-12-31&f=html").await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.text.contains("LZ-GONE") && r.text.contains("移出") && r.text.contains("新增 1"), "{}", r.text);

    let api = t.get("/api").await.body;
    for path in
        ["/targets", "/targets/{id}/values", "/indicators/series", "/public/lists/rcr", "/public/lists/key-units"]
    {
        assert!(api["paths"][path].is_object(), "{path} is not in /api");
    }
    // The key units' list: a unit listed for 2024 and 2025, another for 2023 only.
    for (code, years) in [("91450222MA5KX00010", "2024,2025"), ("91450222MA5KX00023", "2023")] {
        let u = json!({"type": "Feature", "geometry": square(109.40, 24.35, 0.004), "properties": {
            "enterprise_code": code, "name": "柳城县某磷化工有限公司", "county_code": "450222", "industry": "2619",
            "listed_years": years, "list_doc": "柳环发〔2025〕9号", "status": "operating", "valid_from": "2023-01-01"}});
        let w = t.write("POST", "/collections/key_supervised_units/items", &u).await;
        assert_eq!(w.status, 201, "{}", w.text);
    }
    let r = t.get("/public/lists/key-units?year=2025").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["count"], 1, "{}", r.text);
    assert_eq!(r.body["units"][0]["enterprise_code"], "91450222MA5KX00010");
    assert_eq!(t.get("/public/lists/key-units?year=2023").await.body["count"], 1);
    let csv = t.get("/public/lists/key-units?year=2024&f=csv").await;
    assert!(csv.text.contains("91450222MA5KX00010") && !csv.text.contains("MA5KX00023"), "{}", csv.text);
    let r = t.get("/public/lists/key-units?year=2024&f=xlsx").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    let bytes = t.send_raw("GET", "/public/lists/key-units?year=2024&f=xlsx", &[]).await;
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX is a zip");
    let mut strings = String::new();
    std::io::Read::read_to_string(&mut book.by_name("xl/sharedStrings.xml").unwrap(), &mut strings).unwrap();
    assert!(strings.contains("91450222MA5KX00010") && !strings.contains("MA5KX00023"), "{strings}");
    assert!(t.get("/public/lists/key-units?year=2024&f=html").await.text.contains("91450222MA5KX00010"));
    assert_eq!(t.get("/public/lists/key-units?year=1999").await.status, 400);
    for q in ["since=2026-01-01&as_of=2025-12-31", "f=pdf", "county_code=x", "as_of=soon"] {
        let r = t.get(&format!("/public/lists/rcr?{q}")).await;
        assert_eq!(r.status, 400, "{q}: {}", r.text);
    }
}

fn target(body: &Value, id: &str) -> Value {
    body["targets"].as_array().unwrap().iter().find(|x| x["id"] == id).cloned().unwrap_or_else(|| panic!("no {id}"))
}

/// Key construction land safely used (Liuzhou 2025 footnote): 19 of 20 developed only after the chain is
/// 95 %, effectively guaranteed only once the one breach is decided and corrected.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn key_construction_land_follows_the_footnote(pool: PgPool) {
    let t = app(pool).await;
    let tr = &t;
    const KL: &str = "liuzhou-2025-key-construction-land";
    let q = "/targets?city=4502&year=2025&as_of=2025-12-31";
    let x = target(&t.get(q).await.body, KL);
    assert_eq!(x["status"], "not_computable", "nothing developed yet: {x}");
    assert!(x["missing_zh"].as_str().unwrap().contains("开发利用"), "{x}");

    let develop = |code: String, on: &'static str| {
        let body = json!({"parcel_code": code, "developed_on": on, "document": "柳自然资供〔2025〕1号"});
        async move { tr.write("POST", "/key-land/developments", &body).await }
    };
    for i in 0..19 {
        let code = format!("LZ-KL{i:02}");
        parcel_in(&t, &code, square(109.40 + i as f64 * 0.002, 24.20, 0.001), &["surveying", "cleared"], json!({}))
            .await;
        let r = develop(code, "2025-05-01").await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!((&r.body["chain_complete"], &r.body["state_then"]), (&json!(true), &json!("cleared")));
    }
    // Developed while still only suspected: a breach.
    parcel_in(&t, "LZ-KLX", square(109.40, 24.25, 0.001), &[], json!({})).await;
    let r = develop("LZ-KLX".into(), "2025-05-01").await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["chain_complete"], false);
    let breach = r.body["id"].as_i64().unwrap();
    assert_eq!(develop("LZ-KLX".into(), "2025-05-01").await.status, 409, "recorded twice");
    assert_eq!(develop("LZ-NOWHERE".into(), "2025-05-01").await.status, 404);
    assert_eq!(develop("LZ-KLX".into(), "2019-05-01").await.status, 404, "not registered yet on that day");
    let viewer = t.viewer.clone();
    let body = json!({"parcel_code": "LZ-KLX", "developed_on": "2025-06-01", "document": "x"}).to_string();
    assert_eq!(t.send("POST", "/key-land/developments", Some(&viewer), &[], Some(body)).await.status, 403);

    let x = target(&t.get(q).await.body, KL);
    assert_eq!((x["status"].as_str(), x["value"].as_f64()), (Some("not_met"), Some(95.0)), "no enforcement yet: {x}");

    let enforce = |b: Value| {
        let uri = format!("/key-land/developments/{breach}/enforcement");
        async move { tr.write("POST", &uri, &b).await }
    };
    let r = enforce(json!({"decision": "柳环罚〔2025〕12号", "decided_on": "2025-06-01"})).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(target(&t.get(q).await.body, KL)["status"], "not_met", "decided but not corrected");
    let r =
        enforce(json!({"decision": "柳环罚〔2025〕12号", "decided_on": "2025-06-01", "corrected_on": "2025-09-01"}))
            .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let x = target(&t.get(q).await.body, KL);
    assert_eq!((x["status"].as_str(), x["value"].as_f64()), (Some("met"), Some(95.0)), "{x}");
    // Before the correction, in the year: in progress.
    let x = target(&t.get("/targets?city=4502&year=2025&as_of=2025-07-01").await.body, KL);
    assert_eq!(x["status"], "in_progress", "{x}");

    // Enforcement on land developed after the chain, or before the development, or malformed: refused.
    let list = t.get("/key-land/developments?county_code=4502&from=2025-01-01&to=2025-12-31").await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["developments"].as_array().unwrap().len(), 20);
    assert_eq!(list.body["rate"]["rate_percent"], 95.0);
    let ok_id = list.body["developments"][0]["id"].as_i64().unwrap();
    let r = t
        .write(
            "POST",
            &format!("/key-land/developments/{ok_id}/enforcement"),
            &json!({"decision": "x", "decided_on": "2025-06-01"}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    for bad in [
        json!({"decision": "x", "decided_on": "2025-04-01"}),
        json!({"decision": "x", "decided_on": "2025-06-01", "corrected_on": "2025-05-01"}),
        json!({"decided_on": "2025-06-01"}),
        json!({"decision": "x", "decided_on": "June"}),
    ] {
        let r = enforce(bad.clone()).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert!(r.body["detail_zh"].is_string(), "{}", r.text);
    }
    assert_eq!(
        t.write(
            "POST",
            "/key-land/developments/999999/enforcement",
            &json!({"decision": "x", "decided_on": "2025-06-01"})
        )
        .await
        .status,
        404
    );
    // Guilin has no developments recorded: still not computable, never met.
    let x =
        target(&t.get("/targets?city=4503&year=2023&as_of=2023-12-31").await.body, "guilin-2023-key-construction-land");
    assert_eq!(x["status"], "not_computable", "{x}");
}

/// As known then, an end of validity counts only from when it was recorded: a parcel recorded in January
/// 2025 and listed on 1 March by a step recorded only today is, as the registry knew it on 31 March,
/// still in survey; as it is known now, listed from March.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn series_as_known_then_reads_ends_when_recorded(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "LZ-T1", square(109.41, 24.33, 0.001), &["surveying", "risk_assessment"], json!({})).await;
    // Pretend everything so far was recorded on 10 January 2025 (CST).
    sqlx::query(
        "UPDATE construction_parcel_versions SET recorded_at = '2025-01-10T12:00:00+08' WHERE parcel_code = 'LZ-T1'",
    )
    .execute(&t.store.pool)
    .await
    .unwrap();
    step(&t, "LZ-T1", "listed", "2025-03-01", "桂环函〔2025〕3号").await;
    let series = |known: &'static str| {
        let uri =
            format!("/indicators/series?county_code=450205&from=2025-01-01&to=2025-06-30&step=quarter&known={known}");
        let t = &t;
        async move { t.get(&uri).await.body["points"].as_array().unwrap().iter().map(rcr_total).collect::<Vec<u64>>() }
    };
    assert_eq!(series("now").await, [1, 1]);
    assert_eq!(series("then").await, [0, 0], "the listing was recorded after 2025");
    // Before it was recorded at all, nothing; from 10 January, the parcel in risk assessment (not on the list).
    let uri = "/indicators/series?county_code=450205&from=2025-01-01&to=2025-01-09&step=month&known=then";
    let p = t.get(uri).await.body["points"][0]["indicators"]["priority_parcels"]["total"].clone();
    assert_eq!(p, 0, "not recorded yet on 9 January");
    let uri = "/indicators/series?county_code=450205&from=2025-01-01&to=2025-01-31&step=month&known=then";
    let p = t.get(uri).await.body["points"][0]["indicators"].clone();
    assert_eq!((&p["priority_parcels"]["total"], &p["rcr_listed_by_state"]["total"]), (&json!(1), &json!(0)), "{p}");
    let n = |v: &Value| v["points"][0]["counties"][0]["rcr_listed_by_state"]["total"].as_u64();
    let r = t.get("/indicators/series?county_code=450205&from=2025-03-01&to=2025-03-31&step=month&known=then").await;
    assert_eq!(n(&r.body), Some(0), "{}", r.text);
}

/// Where the registry needs a token to read, the targets and series need one too, but the published list
/// stays open: it is what the bureau publishes.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn published_lists_stay_open_when_reads_need_a_token(pool: PgPool) {
    let settings = landguard::config::Settings { anonymous_read: vec![], ..Default::default() };
    let t = app_with(pool, settings).await;
    parcel_in(&t, "LZ-P1", square(109.40, 24.30, 0.001), &["surveying", "risk_assessment", "listed"], json!({})).await;
    for uri in ["/targets?city=4502&year=2025", "/indicators/series", "/targets/liuzhou-2025-fund-started/values"] {
        assert_eq!(t.get(uri).await.status, 401, "{uri}");
        let viewer = t.viewer.clone();
        assert_eq!(t.send("GET", uri, Some(&viewer), &[], None).await.status, 200, "{uri}");
    }
    let r = t.get("/public/lists/rcr").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["parcels"][0]["parcel_code"], "LZ-P1");
}
