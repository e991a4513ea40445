//! Class adjustment batches through HTTP over the real database: a lab's soil XLSX and crop CSV imported, a
//! batch computed from the samples inside each unit, one proposal overridden, submitted and approved; the
//! classes change from the effective date and not before; a batch is never applied twice; a batch whose unit
//! was edited meanwhile is refused naming it; and the roles and counties that may act on a batch.

mod common;

use common::*;
use landguard::domain::access::Role;
use landguard::domain::registry::Collection;
use landguard::domain::scope::Scopes;
use landguard::import::{self, ImportOptions};
use serde_json::{json, Value};
use sqlx::PgPool;

const D: f64 = 0.005;

/// Four units of 450222 in a row, 0.01° apart: (code, class, lon).
const UNITS: [(&str, &str, f64); 4] = [
    ("U-UP", "priority_protection", 109.40),
    ("U-DOWN", "safe_use", 109.41),
    ("U-BARE", "safe_use", 109.42),
    ("U-OVR", "priority_protection", 109.43),
];
const LAT: f64 = 24.35;

/// The middle of a unit, where its samples are taken.
fn inside(lon: f64) -> (f64, f64) {
    (lon + D / 2.0, LAT + D / 2.0)
}

fn by_id(fc: &Value) -> std::collections::BTreeMap<String, Value> {
    fc["features"].as_array().unwrap().iter().map(|f| (f["id"].as_str().unwrap().to_string(), f.clone())).collect()
}

/// The soil laboratory's XLSX: Chinese headers, numbers as numbers, lon/lat.
fn soil_xlsx(path: &std::path::Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["样品编号", "县级行政区划代码", "采样日期", "土地利用类型", "pH值", "镉", "铅", "经度", "纬度"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    // paddy at pH 6.0: Cd screening 0.4, intervention 2.0
    let rows = [
        ("S-UP", 109.40, "2026-09-01", 5.0), // C: priority protection moves up to strict control
        ("S-DOWN", 109.41, "2026-09-01", 0.2), // A: safe use moves down after two clean seasons
        ("S-LATE", 109.41, "2026-11-15", 5.0), // after the batch's date: not counted
        ("S-OVR", 109.43, "2026-09-02", 1.0), // B: priority protection moves up to safe use (overridden)
    ];
    for (i, (code, lon, on, cd)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        let (x, y) = inside(*lon);
        ws.write_string(r, 0, *code).unwrap();
        ws.write_string(r, 1, "450222").unwrap();
        ws.write_string(r, 2, *on).unwrap();
        ws.write_string(r, 3, "水田").unwrap();
        ws.write_number(r, 4, 6.0).unwrap();
        ws.write_number(r, 5, *cd).unwrap();
        ws.write_number(r, 6, 40.0).unwrap();
        ws.write_number(r, 7, x).unwrap();
        ws.write_number(r, 8, y).unwrap();
    }
    wb.save(path).unwrap();
}

/// The crop laboratory's CSV: early and late rice of 2026 in U-DOWN, both compliant (Cd 0.1 against 0.2).
fn crop_csv(path: &std::path::Path) {
    let (x, y) = inside(109.41);
    std::fs::write(
        path,
        format!(
            "样品编号,县级行政区划代码,采样日期,农产品,镉,铅,经度,纬度\n\
             C-EARLY,450222,2026-07-20,稻谷,0.1,0.05,{x},{y}\n\
             C-LATE,450222,2026-10-20,稻谷,0.1,0.05,{x},{y}\n"
        ),
    )
    .unwrap();
}

async fn class_on(t: &TestApp, code: &str, date: &str) -> String {
    let r = t.get(&format!("/collections/farmland_units/items/{code}?datetime={date}")).await;
    assert_eq!(r.status, 200, "{code} on {date}: {}", r.text);
    r.body["properties"]["class"].as_str().unwrap().to_string()
}

async fn post(t: &TestApp, token: &str, uri: &str, body: Value) -> Resp {
    t.send("POST", uri, Some(token), &[], Some(body.to_string())).await
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_batch_is_computed_reviewed_and_applied_as_of_its_date(pool: PgPool) {
    let t = app(pool).await;
    let approver = t.store.create_token("test-approver", Role::Approver).await.unwrap();
    let guilin_editor =
        t.store.create_scoped_token("guilin-editor", Role::Editor, &Scopes::parse("4503").unwrap()).await.unwrap();
    for (code, class, lon) in UNITS {
        let r = t.write("POST", "/collections/farmland_units/items", &unit(code, class, square(lon, LAT, D))).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let dir = Dir::new("adjustments");
    let soil = dir.path("soil.xlsx");
    soil_xlsx(&soil);
    let crops = dir.path("crops.csv");
    crop_csv(&crops);
    for (file, collection, n) in [(&soil, "soil_samples", 4), (&crops, "crop_samples", 2)] {
        let c: Collection = collection.parse().unwrap();
        let o = ImportOptions { source_crs: Some("EPSG:4490".into()), ..ImportOptions::new(file, c) };
        let r = import::run(&t.store, &o).await.unwrap_or_else(|e| panic!("{collection}: {e}"));
        assert_eq!(r.created, n, "{r}");
    }

    // who may compute a batch: not a viewer, not an editor of another city
    let body =
        json!({"county_code": "450222", "as_of": "2026-10-31", "trigger": "monitoring", "note": "2026年秋季监测"});
    let viewer = t.viewer.clone();
    assert_eq!(post(&t, &viewer, "/adjustments", body.clone()).await.status, 403);
    let outside = post(&t, &guilin_editor, "/adjustments", body.clone()).await;
    assert_eq!(outside.status, 403, "{}", outside.text);
    assert!(outside.text.contains("450222"), "{}", outside.text);
    let bad = post(&t, &t.editor.clone(), "/adjustments", json!({"county_code": "450222", "trigger": "whim"})).await;
    assert_eq!((bad.status.as_u16(), bad.body["field"].as_str()), (400, Some("trigger")), "{}", bad.text);

    let created = t.write("POST", "/adjustments", &body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let b = &created.body;
    let id = b["id"].as_i64().unwrap();
    assert_eq!(created.header("location"), Some(format!("http://test.local/adjustments/{id}").as_str()));
    assert_eq!((b["state"].as_str(), b["as_of"].as_str()), (Some("draft"), Some("2026-10-31")), "{}", created.text);
    let s = &b["summary"];
    assert_eq!(
        (&s["units"], &s["moved_up"], &s["moved_down"], &s["too_few_samples"], &s["denser_sampling"]),
        (&json!(4), &json!(2), &json!(1), &json!(1), &json!(1)),
        "{s}"
    );
    assert!(s["before"]["safe_use"]["area_mu"].as_f64().unwrap() > 0.0, "{s}");
    assert_eq!(s["rate_before"]["target_percent"], 93.0, "Liuzhou's target: {s}");

    // the proposals: GeoJSON with evidence and reasons
    let fc = t.get(&format!("/adjustments/{id}/proposals")).await;
    assert_eq!(fc.status, 200, "{}", fc.text);
    assert_eq!(fc.body["numberMatched"], 4);
    let p = by_id(&fc.body);
    let up = &p["U-UP"]["properties"];
    assert_eq!(
        (up["current_class"].as_str(), up["proposed_class"].as_str()),
        (Some("priority_protection"), Some("strict_control"))
    );
    assert_eq!(up["evidence"]["soil"][0]["sample_code"], "S-UP");
    assert_eq!(up["evidence"]["soil"][0]["grade"], "C");
    assert!(up["reason"]["zh"].as_str().unwrap().contains("严格管控类"), "{up}");
    assert!(up["reason"]["en"].as_str().unwrap().contains("strict_control"), "{up}");
    let down = &p["U-DOWN"]["properties"];
    assert_eq!(down["proposed_class"], "priority_protection", "{down}");
    assert_eq!(down["evidence"]["soil"].as_array().unwrap().len(), 1, "S-LATE is after as_of: {down}");
    assert_eq!(
        (down["evidence"]["crops"].as_array().unwrap().len(), &down["evidence"]["clean_seasons"]),
        (2, &json!(2))
    );
    let bare = &p["U-BARE"]["properties"];
    assert_eq!(
        (bare["proposed_class"].as_str(), &bare["denser_sampling"], &bare["changed"]),
        (Some("safe_use"), &json!(true), &json!(false))
    );
    assert_eq!(p["U-OVR"]["properties"]["proposed_class"], "safe_use");
    assert_eq!(p["U-UP"]["geometry"]["type"], "MultiPolygon");
    let changed = t.get(&format!("/adjustments/{id}/proposals?changed=true")).await;
    assert_eq!(by_id(&changed.body).keys().cloned().collect::<Vec<_>>(), ["U-DOWN", "U-OVR", "U-UP"]);

    // a reviewer's override needs a reason; it changes the summary
    let uri = format!("/adjustments/{id}/proposals/U-OVR");
    let no_reason = t.write("PATCH", &uri, &json!({"class": "strict_control"})).await;
    assert_eq!(no_reason.status, 400, "{}", no_reason.text);
    let over =
        t.write("PATCH", &uri, &json!({"class": "strict_control", "reason": "周边有涉镉企业，复核为严格管控"})).await;
    assert_eq!(over.status, 200, "{}", over.text);
    assert_eq!(over.body["summary"]["overridden"], 1);
    let pairs = over.body["summary"]["changes"].as_array().unwrap();
    let pp_to_strict =
        pairs.iter().find(|c| c["from"] == "priority_protection" && c["to"] == "strict_control").unwrap();
    assert_eq!(pp_to_strict["units"], 2, "{pairs:?}");
    let missing = t.write("PATCH", &format!("/adjustments/{id}/proposals/U-NONE"), &json!({"class": null})).await;
    assert_eq!(missing.status, 404, "{}", missing.text);

    // the workflow's roles and states
    let uri = |step: &str| format!("/adjustments/{id}/{step}");
    let approval = json!({"document": "柳政函〔2026〕88号", "effective_from": "2027-01-01"});
    assert_eq!(post(&t, &viewer, &uri("submit"), json!({})).await.status, 403, "a viewer cannot submit");
    let early = post(&t, &approver, &uri("approve"), approval.clone()).await;
    assert_eq!(early.status, 409, "a draft is not approved: {}", early.text);
    assert!(early.text.contains("草稿") && early.text.contains("only a submitted batch"), "{}", early.text);
    assert_eq!(early.header("content-type"), Some("application/problem+json"));
    let submitted = post(&t, &t.editor.clone(), &uri("submit"), json!({})).await;
    assert_eq!(
        (submitted.status.as_u16(), submitted.body["state"].as_str()),
        (200, Some("submitted")),
        "{}",
        submitted.text
    );
    assert_eq!(post(&t, &t.editor.clone(), &uri("submit"), json!({})).await.status, 409, "submitted twice");
    let by_editor = post(&t, &t.editor.clone(), &uri("approve"), approval.clone()).await;
    assert_eq!(by_editor.status, 403, "an editor cannot approve: {}", by_editor.text);
    let no_doc = post(&t, &approver, &uri("approve"), json!({"effective_from": "2027-01-01"})).await;
    assert_eq!((no_doc.status.as_u16(), no_doc.body["field"].as_str()), (400, Some("document")), "{}", no_doc.text);

    let versions_before = t.count("farmland_unit_versions").await;
    let approved = post(&t, &approver, &uri("approve"), approval.clone()).await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!((approved.body["state"].as_str(), &approved.body["applied_units"]), (Some("approved"), &json!(3)));
    assert_eq!(approved.body["effective_from"], "2027-01-01");
    assert_eq!(t.count("farmland_unit_versions").await, versions_before + 3);

    // the classes change from the effective date, and not before
    for (code, before, after) in [
        ("U-UP", "priority_protection", "strict_control"),
        ("U-DOWN", "safe_use", "priority_protection"),
        ("U-BARE", "safe_use", "safe_use"),
        ("U-OVR", "priority_protection", "strict_control"),
    ] {
        assert_eq!(class_on(&t, code, "2026-12-31").await, before, "{code} before");
        assert_eq!(class_on(&t, code, "2027-01-01").await, after, "{code} from the effective date");
    }
    let now = t.get("/collections/farmland_units/items/U-UP").await;
    assert_eq!(now.body["properties"]["basis_doc"], "柳政函〔2026〕88号", "{}", now.text);
    assert_eq!(now.body["properties"]["measures_in_place"], false);
    let history = t.get("/collections/farmland_units/items/U-UP/history").await;
    assert!(history.text.contains("\"adjustment\""), "{}", history.text);
    let audited: Vec<(String, Value)> =
        sqlx::query_as("SELECT feature_id, detail FROM audit_log WHERE action = 'adjustment' ORDER BY feature_id")
            .fetch_all(&t.store.pool)
            .await
            .unwrap();
    assert_eq!(audited.iter().map(|a| a.0.as_str()).collect::<Vec<_>>(), ["U-DOWN", "U-OVR", "U-UP"]);
    assert_eq!(audited[0].1["batch"], id);

    // never twice
    let again = post(&t, &approver, &uri("approve"), approval.clone()).await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert!(again.text.contains("never applied twice") && again.text.contains("已批准"), "{}", again.text);
    assert_eq!(t.count("farmland_unit_versions").await, versions_before + 3);

    // a second batch, whose unit is edited before approval: refused, naming it, nothing applied
    let second = t.write("POST", "/adjustments", &json!({"county_code": "450222", "as_of": "2026-10-31"})).await;
    assert_eq!(second.status, 201, "{}", second.text);
    let id2 = second.body["id"].as_i64().unwrap();
    let edit = t
        .write("PATCH", "/collections/farmland_units/items/U-BARE", &json!({"properties": {"land_type": "0102"}}))
        .await;
    assert_eq!(edit.status, 200, "{}", edit.text);
    let over = t
        .write(
            "PATCH",
            &format!("/adjustments/{id2}/proposals/U-BARE"),
            &json!({"class": "strict_control", "reason": "复核"}),
        )
        .await;
    assert_eq!(over.status, 200, "{}", over.text);
    assert_eq!(post(&t, &t.editor.clone(), &format!("/adjustments/{id2}/submit"), json!({})).await.status, 200);
    let versions = t.count("farmland_unit_versions").await;
    let stale = post(&t, &approver, &format!("/adjustments/{id2}/approve"), approval.clone()).await;
    assert_eq!(stale.status, 409, "{}", stale.text);
    assert_eq!(stale.body["stale_units"], json!(["U-BARE"]), "{}", stale.text);
    assert!(stale.text.contains("U-BARE") && stale.text.contains("已被修改"), "{}", stale.text);
    assert_eq!(t.count("farmland_unit_versions").await, versions, "nothing applied");
    assert_eq!(t.get(&format!("/adjustments/{id2}")).await.body["state"], "submitted");

    // an approver of another city may not decide a batch of 450222
    let guilin_approver =
        t.store.create_scoped_token("guilin-approver", Role::Approver, &Scopes::parse("4503").unwrap()).await.unwrap();
    let foreign =
        post(&t, &guilin_approver, &format!("/adjustments/{id2}/reject"), json!({"reason": "不属本市"})).await;
    assert_eq!(foreign.status, 403, "{}", foreign.text);

    // rejected with a reason, after which nothing more happens to it
    assert_eq!(post(&t, &approver, &format!("/adjustments/{id2}/reject"), json!({})).await.status, 400);
    let rejected =
        post(&t, &approver, &format!("/adjustments/{id2}/reject"), json!({"reason": "单元已修改，请重新计算"})).await;
    assert_eq!(
        (rejected.status.as_u16(), rejected.body["state"].as_str()),
        (200, Some("rejected")),
        "{}",
        rejected.text
    );
    assert_eq!(post(&t, &approver, &format!("/adjustments/{id2}/approve"), approval).await.status, 409);

    let list = t.get("/adjustments?county_code=4502").await;
    assert_eq!(list.status, 200, "{}", list.text);
    let states: Vec<&str> =
        list.body["batches"].as_array().unwrap().iter().map(|b| b["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["rejected", "approved"]);
    assert_eq!(t.get("/adjustments?county_code=").await.status, 400, "as /api says: 4 or 6 digits");
    assert_eq!(t.get("/adjustments/999").await.status, 404);
    let api = t.get("/api").await;
    for path in ["/adjustments", "/adjustments/{id}/proposals/{unit_code}", "/adjustments/{id}/approve"] {
        assert!(api.body["paths"].get(path).is_some(), "{path} documented");
    }
    assert_eq!(t.get("/adjustments/abc/proposals").await.status, 404);
}

/// The demo leaves one submitted batch for 柳城 (Liuzhou) and one for 全州 (Guilin), computed from the demo
/// samples, each moving units up and down and flagging the unsampled ones; a second load adds none.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_demo_leaves_a_submitted_batch_per_sampled_county_once(pool: PgPool) {
    let t = app(pool).await;
    let settings = landguard::config::Settings::default();
    let fixtures = std::path::Path::new("fixtures");
    let said = landguard::demo::load(&t.store, fixtures, &settings).await.unwrap();
    assert!(said.contains("2 submitted adjustment batches"), "{said}");
    let again = landguard::demo::load(&t.store, fixtures, &settings).await.unwrap();
    assert_eq!(again, "demo data is loaded already; nothing to do");

    let list = t.get("/adjustments").await;
    assert_eq!(list.status, 200, "{}", list.text);
    let batches = list.body["batches"].as_array().unwrap();
    let mut counties: Vec<&str> = batches.iter().map(|b| b["county_code"].as_str().unwrap()).collect();
    counties.sort();
    assert_eq!(counties, landguard::demo::ADJUSTMENT_COUNTIES, "{}", list.text);
    for b in batches {
        let s = &b["summary"];
        assert_eq!((b["state"].as_str(), b["created_by"].as_str()), (Some("submitted"), Some("demo-loader")), "{b}");
        for n in ["moved_up", "moved_down", "denser_sampling"] {
            assert!(s[n].as_u64().unwrap() > 0, "{}: no {n}: {s}", b["county_code"]);
        }
        // the proposals agree with the summary: units moving each way, and flagged ones
        let id = b["id"].as_i64().unwrap();
        let fc = t.get(&format!("/adjustments/{id}/proposals?limit=10000")).await;
        let props: Vec<&Value> = fc.body["features"].as_array().unwrap().iter().map(|f| &f["properties"]).collect();
        assert_eq!(props.len() as u64, s["units"].as_u64().unwrap());
        for (dir, n) in [("up", "moved_up"), ("down", "moved_down")] {
            let k = props.iter().filter(|p| p["direction"] == dir).count() as u64;
            assert_eq!(k, s[n].as_u64().unwrap(), "{dir}");
        }
        assert!(props
            .iter()
            .any(|p| p["denser_sampling"] == true && p["evidence"]["soil"].as_array().unwrap().is_empty()));
    }
}

/// A registry loaded before the samples existed gets no empty batch then, and its batches with the samples.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_demo_loaded_before_the_samples_gets_its_batches_with_them(pool: PgPool) {
    let t = app(pool).await;
    let settings = landguard::config::Settings::default();
    let old = Dir::new("old-demo-adjust");
    for f in ["counties.geojson", "farmland_units.geojson", "construction_parcels.geojson", "transitions.json"] {
        std::fs::copy(std::path::Path::new("fixtures").join(f), old.path(f)).unwrap();
    }
    let first = landguard::demo::load(&t.store, old.root(), &settings).await.unwrap();
    assert!(!first.contains("adjustment"), "{first}");
    assert_eq!(t.count("adjustment_batches").await, 0);
    let later = landguard::demo::load(&t.store, std::path::Path::new("fixtures"), &settings).await.unwrap();
    assert!(later.contains("235 soil_samples") && later.contains("2 submitted adjustment batches"), "{later}");
    let third = landguard::demo::load(&t.store, std::path::Path::new("fixtures"), &settings).await.unwrap();
    assert_eq!(third, "demo data is loaded already; nothing to do");
    assert_eq!(t.count("adjustment_batches").await, 2);
}

/// A batch's rates count the measures ledger of its year as `GET /indicators` does: before, the figure the
/// indicators give as of the batch's date (from the ledger, where the flags alone would give 0); after, the
/// figure they give once the batch is approved.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_batch_counts_the_measures_ledger_as_the_indicators_do(pool: PgPool) {
    let t = app(pool).await;
    let approver = t.store.create_token("test-approver", Role::Approver).await.unwrap();
    for (code, class, lon) in UNITS {
        let mut f = unit(code, class, square(lon, LAT, D));
        f["properties"]["measures_in_place"] = json!(false);
        let r = t.write("POST", "/collections/farmland_units/items", &f).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let dir = Dir::new("adjustments-ledger");
    let (soil, crops) = (dir.path("soil.xlsx"), dir.path("crops.csv"));
    soil_xlsx(&soil);
    crop_csv(&crops);
    for (file, collection) in [(&soil, "soil_samples"), (&crops, "crop_samples")] {
        let o = ImportOptions {
            source_crs: Some("EPSG:4490".into()),
            ..ImportOptions::new(file, collection.parse().unwrap())
        };
        import::run(&t.store, &o).await.unwrap_or_else(|e| panic!("{collection}: {e}"));
    }
    // safe-use measures over the whole of the two safe-use units in 2026, and an old entry of 2025 elsewhere
    for (code, year) in [("U-DOWN", 2026), ("U-BARE", 2026), ("U-UP", 2025)] {
        let area = t.get(&format!("/collections/farmland_units/items/{code}")).await.body["properties"]["area_m2"]
            .as_f64()
            .unwrap();
        let body =
            json!({"year": year, "measures": [{"kind": "lime", "area_m2": area}], "document": "柳农〔2026〕7号"});
        let r = t.write("POST", &format!("/collections/farmland_units/items/{code}/measures"), &body).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }

    let indicators = |date: &'static str| {
        let t = &t;
        async move {
            let r = t.get(&format!("/indicators?county_code=450222&as_of={date}")).await;
            assert_eq!(r.status, 200, "{}", r.text);
            r.body["safe_utilisation"].clone()
        }
    };
    let created = t.write("POST", "/adjustments", &json!({"county_code": "450222", "as_of": "2026-10-31"})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let s = created.body["summary"].clone();
    let before = indicators("2026-10-31").await;
    assert_eq!(before["rate_percent"], 100.0, "the ledger covers both polluted units: {before}");
    for k in ["rate_percent", "source", "units_from_ledger", "units_from_flag"] {
        assert_eq!(s["rate_before"][k], before[k], "{k}: {s}");
    }
    assert_eq!(s["rate_before"]["source"], "ledger");

    // approved as of a day of the same year: the indicators then give the batch's "after"
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(post(&t, &t.editor.clone(), &format!("/adjustments/{id}/submit"), json!({})).await.status, 200);
    let approval = json!({"document": "柳政函〔2026〕90号", "effective_from": "2026-11-01"});
    let approved = post(&t, &approver, &format!("/adjustments/{id}/approve"), approval).await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    let after = indicators("2026-11-02").await;
    for k in ["rate_percent", "source", "units_from_ledger", "units_from_flag"] {
        assert_eq!(s["rate_after"][k], after[k], "{k}: {s} vs {after}");
    }
    // U-UP (now strict control) has only a 2025 entry and no flag, U-OVR (now safe use) neither: mixed
    assert_eq!((s["rate_after"]["source"].as_str(), &s["rate_after"]["units_from_flag"]), (Some("mixed"), &json!(2)));
    assert!(s["rate_after"]["rate_percent"].as_f64().unwrap() < 100.0, "{s}");
}
