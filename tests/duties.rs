//! Duty records and the duties computed from them, over HTTP and PostGIS: a key unit, a tailings pond and a
//! pollution source, their records, `/duties` as of two dates, the county scope of a record, a wrong kind,
//! and the iCalendar feed.

mod common;

use common::*;
use landguard::domain::access::Role;
use landguard::domain::scope::Scopes;
use serde_json::{json, Value};
use sqlx::PgPool;

const PLANT: &str = "91450222MA5KX00010";

fn point(lon: f64, lat: f64) -> Value {
    json!({"type": "Point", "coordinates": [lon, lat]})
}

async fn registers(t: &TestApp) {
    let unit = json!({"type": "Feature", "geometry": square(109.40, 24.35, 0.004), "properties": {
        "enterprise_code": PLANT, "name": "柳城县某磷化工有限公司", "county_code": "450222", "industry": "2619",
        "listed_years": [2024, 2025], "list_doc": "柳环发〔2024〕9号", "buried_facilities": true,
        "groundwater_sensitive": false, "status": "operating", "valid_from": "2024-01-01"}});
    let pond = json!({"type": "Feature", "geometry": point(109.25, 25.08), "properties": {
        "pond_code": "RS-1", "name": "融水某尾矿库", "county_code": "450225", "operator": "某矿业公司",
        "level": 1, "level_doc": "桂环函〔2024〕101号", "status": "operating", "valid_from": "2024-01-01"}});
    let source = json!({"type": "Feature", "geometry": point(109.41, 24.36), "properties": {
        "source_code": "LC-S1", "name": "柳城某历史遗留废渣", "county_code": "450222", "kind": "legacy_solid_waste",
        "pollutants": ["Cd", "Pb"], "list": "remediation", "state": "rectifying", "deadline": "2025-06-30",
        "plan_doc": "柳城环〔2024〕3号", "valid_from": "2024-01-01"}});
    for (c, f) in [("key_supervised_units", unit), ("tailings_ponds", pond), ("pollution_sources", source)] {
        let r = t.write("POST", &format!("/collections/{c}/items"), &f).await;
        assert_eq!(r.status, 201, "{c}: {}", r.text);
    }
}

async fn record(t: &TestApp, c: &str, id: &str, kind: &str, date: &str) -> Resp {
    t.write(
        "POST",
        &format!("/collections/{c}/items/{id}/records"),
        &json!({"kind": kind, "date": date,
        "document": format!("{kind} 报告 {date}"), "result": "合格", "note": null}),
    )
    .await
}

/// The status of one duty of one entity in a /duties answer.
fn status(body: &Value, id: &str, duty: &str) -> String {
    let found = body["duties"].as_array().unwrap().iter().find(|d| d["id"] == id && d["duty"] == duty);
    found.unwrap_or_else(|| panic!("no {duty} of {id} in {body}"))["status"].as_str().unwrap().to_string()
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn records_change_the_duties_as_of_a_date(pool: PgPool) {
    let t = app(pool).await;
    registers(&t).await;

    // Before any record: the first hazard check is due by 31 March 2025 (listed from 31 March 2024), the
    // source's rectification is due by its deadline, and the pond's before-flood inspection of 2025 is due.
    let before = t.get("/duties?county_code=4502&as_of=2025-02-01").await;
    assert_eq!(before.status, 200, "{}", before.text);
    assert_eq!(status(&before.body, PLANT, "hazard_check"), "due");
    assert_eq!(status(&before.body, "LC-S1", "source_rectification"), "due");
    assert_eq!(status(&before.body, "RS-1", "tailings_level1_before_flood_season"), "due");
    let first = before.body["duties"].as_array().unwrap().iter().find(|d| d["id"] == PLANT).unwrap();
    assert_eq!(first["name"], "柳城县某磷化工有限公司");
    assert_eq!(first["collection"], "key_supervised_units");
    assert!(first["basis"].as_str().unwrap().contains("土壤污染防治法"), "{first}");

    // Records: a hazard check in March, an inspection in August (after the flood season began), and the
    // source rectified late.
    let r = record(&t, "key_supervised_units", PLANT, "hazard_check", "2025-03-20").await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["kind"], "hazard_check");
    assert_eq!(r.body["recorded_by"], "test-editor");
    assert_eq!(record(&t, "tailings_ponds", "RS-1", "inspection", "2025-08-15").await.status, 201);
    assert_eq!(record(&t, "pollution_sources", "LC-S1", "rectified", "2025-07-10").await.status, 201);

    // As of 1 July 2025: the check is done, the before-flood inspection missed, the source overdue.
    let july = t.get("/duties?county_code=4502&as_of=2025-07-01").await;
    assert_eq!(status(&july.body, PLANT, "hazard_check"), "done");
    assert_eq!(status(&july.body, "RS-1", "tailings_level1_before_flood_season"), "overdue");
    assert_eq!(status(&july.body, "LC-S1", "source_rectification"), "overdue");
    // As of 1 September the source is rectified. The pond's two inspections of 2024 were missed, and stay
    // overdue until 2025's two are done: the August one is the first.
    let sept = t.get("/duties?county_code=4502&as_of=2025-09-01").await;
    assert_eq!(status(&sept.body, "RS-1", "tailings_level1_before_flood_season"), "overdue");
    assert_eq!(status(&sept.body, "RS-1", "tailings_level1_inspections"), "overdue");
    assert_eq!(record(&t, "tailings_ponds", "RS-1", "inspection", "2025-10-20").await.status, 201);
    let nov = t.get("/duties?county_code=450225&as_of=2025-11-01").await;
    assert_eq!(status(&nov.body, "RS-1", "tailings_level1_inspections"), "done");
    assert_eq!(status(&sept.body, "LC-S1", "source_rectification"), "done");
    // The indicators count the same duties, per county and city
    let ind = t.get("/indicators?county_code=450222&as_of=2025-09-01").await;
    assert_eq!(ind.status, 200, "{}", ind.text);
    let county = &ind.body["source_control"]["counties"]["450222"];
    assert_eq!(county["key_units"], 1, "{}", ind.text);
    assert_eq!(county["key_units_hazard_check_current"], 1);
    assert_eq!(county["remediation_sources"], 1);
    assert_eq!(county["remediation_rectified"], 1);
    assert_eq!(county["remediation_overdue"], 0);
    assert!(ind.body["source_control"]["counties"].get("450225").is_none(), "{}", ind.text);
    let city = &ind.body["source_control"]["cities"]["4502"];
    assert_eq!(
        city["tailings_inspections"]["1"],
        json!({"done": 1, "required": 2, "ponds": 1, "ponds_met": 0}),
        "{}",
        ind.text
    );
    let july = t.get("/indicators?county_code=4502&as_of=2025-07-01").await;
    assert_eq!(july.body["source_control"]["cities"]["4502"]["remediation_overdue"], 1, "{}", july.text);

    // ...and once closed out, the follow-up check (回头看) is due within two years
    let step = t
        .write(
            "POST",
            "/collections/pollution_sources/items/LC-S1/transitions",
            &json!({"to": "rectified", "date": "2025-07-10", "document": "柳城环〔2025〕8号"}),
        )
        .await;
    assert_eq!(step.status, 200, "{}", step.text);
    assert_eq!(record(&t, "pollution_sources", "LC-S1", "closed_out", "2025-10-01").await.status, 201);
    let dec = t.get("/duties?county_code=450222&as_of=2025-12-01&collection=pollution_sources").await;
    assert_eq!(status(&dec.body, "LC-S1", "source_follow_up_check"), "due");
    assert!(dec.body["duties"].as_array().unwrap().iter().all(|d| d["collection"] == "pollution_sources"));

    // Filters: status and county
    let overdue = t.get("/duties?county_code=4502&as_of=2025-09-01&status=overdue").await;
    let rows = overdue.body["duties"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|d| d["status"] == "overdue"), "{}", overdue.text);
    let guilin = t.get("/duties?county_code=4503&as_of=2025-09-01").await;
    assert_eq!(guilin.body["duties"], json!([]), "{}", guilin.text);
    let bad = t.get("/duties?status=late").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.header("content-type"), Some("application/problem+json"));

    // Records are listed newest first, kept in the audit log, and cannot be changed
    let list = t.get(&format!("/collections/key_supervised_units/items/{PLANT}/records")).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["records"][0]["date"], "2025-03-20");
    assert_eq!(list.body["records"][0]["kind_zh"], "土壤污染隐患排查");
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'record'")
        .fetch_one(&t.store.pool)
        .await
        .unwrap();
    assert_eq!(audited, 5);
    assert!(sqlx::query("UPDATE duty_records SET note = 'x'").execute(&t.store.pool).await.is_err());
    assert!(sqlx::query("DELETE FROM duty_records").execute(&t.store.pool).await.is_err());
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn records_are_refused_outside_scope_with_a_wrong_kind_or_date(pool: PgPool) {
    let t = app(pool).await;
    registers(&t).await;

    // A writer of 融水 (450225) may record the pond's inspection, not the 柳城 plant's check.
    let rongshui =
        t.store.create_scoped_token("rongshui", Role::Editor, &Scopes::parse("450225").unwrap()).await.unwrap();
    let body = json!({"kind": "hazard_check", "date": "2025-03-20", "document": "报告"}).to_string();
    let out = t
        .send(
            "POST",
            &format!("/collections/key_supervised_units/items/{PLANT}/records"),
            Some(&rongshui),
            &[],
            Some(body),
        )
        .await;
    assert_eq!(out.status, 403, "{}", out.text);
    assert_eq!(out.header("content-type"), Some("application/problem+json"));
    let body = json!({"kind": "inspection", "date": "2025-03-20"}).to_string();
    let ok = t.send("POST", "/collections/tailings_ponds/items/RS-1/records", Some(&rongshui), &[], Some(body)).await;
    assert_eq!(ok.status, 201, "{}", ok.text);

    // A kind of another register: 400 with the kinds that fit, in Chinese and English
    let wrong = record(&t, "key_supervised_units", PLANT, "inspection", "2025-03-20").await;
    assert_eq!(wrong.status, 400, "{}", wrong.text);
    assert_eq!(wrong.header("content-type"), Some("application/problem+json"));
    assert!(wrong.body["detail"].as_str().unwrap().contains("记录类型"), "{}", wrong.text);
    assert!(wrong.body["allowed_kinds"].as_array().unwrap().contains(&json!("hazard_check")), "{}", wrong.text);
    // A date in the future, a missing date, an unknown member
    assert_eq!(record(&t, "tailings_ponds", "RS-1", "inspection", "2999-01-01").await.status, 400);
    let r = t.write("POST", "/collections/tailings_ponds/items/RS-1/records", &json!({"kind": "inspection"})).await;
    assert_eq!(r.status, 400);
    let r = t
        .write(
            "POST",
            "/collections/tailings_ponds/items/RS-1/records",
            &json!({"kind": "inspection",
            "date": "2025-03-01", "inspector": "x"}),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    // No such feature, a collection without records, no token
    assert_eq!(record(&t, "tailings_ponds", "NO-SUCH", "inspection", "2025-03-20").await.status, 404);
    assert_eq!(record(&t, "farmland_units", "X", "inspection", "2025-03-20").await.status, 404);
    let anon = t
        .send(
            "POST",
            "/collections/tailings_ponds/items/RS-1/records",
            None,
            &[],
            Some(json!({"kind": "inspection", "date": "2025-03-20"}).to_string()),
        )
        .await;
    assert_eq!(anon.status, 401);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM duty_records").fetch_one(&t.store.pool).await.unwrap();
    assert_eq!(n, 1, "only the 融水 writer's inspection is stored");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_calendar_has_one_event_per_open_duty(pool: PgPool) {
    let t = app(pool).await;
    registers(&t).await;
    assert_eq!(record(&t, "tailings_ponds", "RS-1", "inspection", "2025-08-15").await.status, 201);
    let json = t.get("/duties?county_code=4502&as_of=2025-09-01").await;
    let open = json.body["duties"]
        .as_array()
        .unwrap()
        .iter()
        .chain(json.body["city_duties"].as_array().unwrap())
        .filter(|d| d["status"] == "due" || d["status"] == "overdue")
        .count();
    assert!(open >= 3, "{}", json.text);

    let ics = t.get("/duties.ics?county_code=4502&as_of=2025-09-01").await;
    assert_eq!(ics.status, 200, "{}", ics.text);
    assert_eq!(ics.header("content-type"), Some("text/calendar; charset=utf-8"));
    assert!(ics.text.starts_with("BEGIN:VCALENDAR\r\n"), "{}", ics.text);
    assert!(ics.text.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(ics.text.matches("BEGIN:VEVENT\r\n").count(), open, "{}", ics.text);
    assert!(ics.text.split("\r\n").all(|l| l.len() <= 75), "a line longer than 75 octets");
    assert!(ics.text.contains("DTSTART;VALUE=DATE:20250331"), "the missed before-flood inspection: {}", ics.text);
    // Unfolded, the summary is in Chinese and the URL leads to the feature
    let unfolded = ics.text.replace("\r\n ", "");
    assert!(unfolded.contains("SUMMARY:【逾期】融水某尾矿库：一级尾矿库汛前检查"), "{unfolded}");
    assert!(unfolded.contains("URL:http://test.local/collections/tailings_ponds/items/RS-1"), "{unfolded}");
    // The same request gives the same UIDs
    let api = t.get("/api").await;
    for path in ["/duties", "/duties.ics", "/collections/{collectionId}/items/{featureId}/records"] {
        assert!(api.body["paths"].get(path).is_some(), "{path} documented");
    }
    let again = t.get("/duties.ics?county_code=4502&as_of=2025-09-01").await;
    let uids = |s: &str| s.lines().filter(|l| l.starts_with("UID:")).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(uids(&ics.text), uids(&again.text));
}

/// The demo's records leave duties done, due and overdue in both cities, and load once.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_demo_has_duties_of_every_status_in_both_cities(pool: PgPool) {
    let t = app(pool).await;
    let settings = landguard::config::Settings::default();
    let fixtures = std::path::Path::new("fixtures");
    let said = landguard::demo::load(&t.store, fixtures, &settings).await.unwrap();
    assert!(said.contains("35 duty records"), "{said}");
    let again = landguard::demo::load(&t.store, fixtures, &settings).await.unwrap();
    assert!(said.contains("25 county reports"), "{said}");
    assert!(again.contains("nothing to do"), "{again}");
    // 35 records about features, 25 about Guilin counties (their quarterly reports)
    assert_eq!(t.count("duty_records").await, 60);
    let guilin = t.get("/duties?county_code=4503&as_of=2026-12-05").await;
    let county = |code: &str| {
        guilin.body["county_duties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["county_code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("{code}: {}", guilin.text))
    };
    // 临桂 did not report 2026 Q3: overdue; 秀峰 did, and its Q4 report is due by the year's end
    assert_eq!(
        (county("450312")["period"].as_str(), county("450312")["status"].as_str()),
        (Some("2026-Q3"), Some("overdue"))
    );
    assert_eq!(
        (county("450302")["period"].as_str(), county("450302")["status"].as_str()),
        (Some("2026-Q4"), Some("due"))
    );
    let liuzhou_counties = t.get("/duties?county_code=4502&as_of=2026-12-05").await;
    assert_eq!(
        liuzhou_counties.body["county_duties"],
        serde_json::json!([]),
        "Liuzhou's plan asks for no county report"
    );

    for city in ["4502", "4503"] {
        let r = t.get(&format!("/duties?county_code={city}&as_of=2026-12-05")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        for s in ["done", "due", "overdue"] {
            assert!(r.body["counts"][s].as_u64().unwrap() > 0, "{city} has no {s} duty: {}", r.text);
        }
    }
    let liuzhou = t.get("/duties?county_code=4502&as_of=2026-12-05").await;
    // 川东磷化工, checked in 2023, is due for its next hazard check
    let plant = liuzhou.body["duties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "广西柳城县川东磷化工有限公司" && d["duty"] == "hazard_check")
        .cloned()
        .unwrap_or_else(|| panic!("{}", liuzhou.text));
    assert_eq!(plant["status"], "due", "{plant}");
    assert_eq!(plant["due_by"], "2026-12-31");
    assert_eq!(status(&liuzhou.body, "450225-WK-001", "tailings_level1_before_flood_season"), "overdue");
    let guilin = t.get("/duties?county_code=4503&as_of=2026-12-05").await;
    assert_eq!(status(&guilin.body, "450324-WR-001", "source_follow_up_check"), "overdue");
    assert_eq!(status(&guilin.body, "450332-WR-001", "source_follow_up_check"), "done");
}

/// The county's quarterly report to the city bureau (Guilin 2023): a record whose subject is a county, the
/// duty in `county_duties` and the calendar; no such duty in Liuzhou; wrong codes and kinds refused.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_guilin_county_owes_its_quarterly_report(pool: PgPool) {
    let t = app(pool).await;
    for (code, name) in [("450302", "秀峰区"), ("450222", "柳城县")] {
        sqlx::query(
            "INSERT INTO counties (county_code, name, geom, source)
             VALUES ($1, $2, ST_Multi(ST_MakeEnvelope(110, 25, 110.1, 25.1, 4490)), 'test')
             ON CONFLICT (county_code) DO NOTHING",
        )
        .bind(code)
        .bind(name)
        .execute(&t.store.pool)
        .await
        .unwrap();
    }
    let report = |body: &Value| -> Value {
        let list = body["county_duties"].as_array().unwrap_or_else(|| panic!("{body}"));
        list.iter().find(|d| d["county_code"] == "450302").cloned().unwrap_or_else(|| panic!("{body}"))
    };
    let april = t.get("/duties?county_code=4503&as_of=2025-04-10").await;
    assert_eq!(april.status, 200, "{}", april.text);
    let q1 = report(&april.body);
    assert_eq!(
        (q1["duty"].as_str(), q1["status"].as_str(), q1["period"].as_str()),
        (Some("county_quarterly_report"), Some("overdue"), Some("2025-Q1")),
        "{q1}"
    );
    let name: String = sqlx::query_scalar("SELECT name FROM counties WHERE county_code = '450302'")
        .fetch_one(&t.store.pool)
        .await
        .unwrap();
    assert_eq!(q1["name"], name.as_str());
    assert!(q1["basis"].as_str().unwrap().contains("桂林市2023年度土壤污染防治工作计划"), "{q1}");
    let ics = t.get("/duties.ics?county_code=450302&as_of=2025-04-10").await;
    let unfolded = ics.text.replace("\r\n ", "");
    assert!(
        unfolded.contains(&format!("SUMMARY:【逾期】{name}：县（市、区）季度工作进展报送（2025-Q1）")),
        "{unfolded}"
    );
    assert!(unfolded.contains("URL:http://test.local/counties/450302/records"), "{unfolded}");

    let body = json!({"kind": "quarterly_report", "date": "2025-03-28", "document": "秀环报〔2025〕3号"});
    let r = t.write("POST", "/counties/450302/records", &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        (r.body["kind_zh"].as_str(), r.body["county_code"].as_str()),
        (Some("季度工作进展报告"), Some("450302"))
    );
    // Q1 reported: done at the end of March, and in April the Q2 report is what is due
    let march = report(&t.get("/duties?county_code=450302&as_of=2025-03-30").await.body);
    assert_eq!((march["status"].as_str(), march["period"].as_str()), (Some("done"), Some("2025-Q1")), "{march}");
    let april = report(&t.get("/duties?county_code=450302&as_of=2025-04-10").await.body);
    assert_eq!(
        (april["status"].as_str(), april["period"].as_str(), april["due_by"].as_str()),
        (Some("due"), Some("2025-Q2"), Some("2025-06-30"))
    );
    assert_eq!(april["last_done"], "2025-03-28");
    // The indicators count the same duty: in July Q1 is reported and Q2 missed, which the duty calls overdue
    let july = t.get("/duties?county_code=450302&as_of=2025-07-10").await;
    assert_eq!(
        (report(&july.body)["status"].as_str(), report(&july.body)["period"].as_str()),
        (Some("overdue"), Some("2025-Q2"))
    );
    let ind = t.get("/indicators?county_code=450302&as_of=2025-07-10").await;
    assert_eq!(ind.status, 200, "{}", ind.text);
    assert_eq!(
        ind.body["source_control"]["counties"]["450302"]["county_reports"],
        json!({"counties": 1, "counties_overdue": 1, "required": 2, "done": 1, "missed": {"450302": ["2025-Q2"]}}),
        "{}",
        ind.text
    );
    let city = t.get("/indicators?county_code=4503&as_of=2025-04-10").await;
    let c = &city.body["source_control"]["cities"]["4503"]["county_reports"];
    assert_eq!(c["missed"].get("450302"), None, "Q1 reported: {}", city.text);
    assert!(c["counties"].as_u64() >= Some(1) && c["done"].as_u64() >= Some(1), "{}", city.text);
    assert_eq!(c["required"].as_u64(), c["counties"].as_u64(), "one quarter ended per county: {}", city.text);
    assert!(t.get("/api").await.body["paths"].get("/counties/{countyCode}/records").is_some(), "documented");
    let listed = t.get("/counties/450302/records").await;
    assert_eq!(listed.body["records"].as_array().map(Vec::len), Some(1), "{}", listed.text);

    // Liuzhou's plan asks for no county report: no duty, and a record is refused
    let liuzhou = t.get("/duties?county_code=4502&as_of=2025-04-10").await;
    assert_eq!(liuzhou.body["county_duties"], json!([]), "{}", liuzhou.text);
    for (path, body, status) in [
        ("/counties/450222/records", json!({"kind": "quarterly_report", "date": "2025-03-28"}), 400),
        ("/counties/4503XX/records", json!({"kind": "quarterly_report", "date": "2025-03-28"}), 400),
        ("/counties/450399/records", json!({"kind": "quarterly_report", "date": "2025-03-28"}), 404),
        ("/counties/450302/records", json!({"kind": "inspection", "date": "2025-03-28"}), 400),
    ] {
        let r = t.write("POST", path, &body).await;
        assert_eq!(r.status, status, "{path} {body}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"), "{path}");
    }
    // Without a token: 401 before anything about the county is looked at, even for a county with no duty
    for path in ["/counties/450302/records", "/counties/000000/records"] {
        let body = json!({"kind": "quarterly_report", "date": "2025-03-28"}).to_string();
        let r = t.send("POST", path, None, &[("content-type", "application/json")], Some(body)).await;
        assert_eq!(r.status, 401, "{path}: {}", r.text);
    }
    // With only some registers asked for, county duties are not among them
    let ponds = t.get("/duties?county_code=4503&as_of=2025-04-10&collection=tailings_ponds").await;
    assert_eq!(ponds.body["county_duties"], json!([]));
    assert_eq!(t.count("duty_records").await, 1);
}
