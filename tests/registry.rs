//! The registry over HTTP against a real PostGIS: writes, ETags, lifecycle, history, as-of reads,
//! refusals that leave nothing behind, and the append-only audit log.

mod common;

use common::*;
use serde_json::{json, Value};
use sqlx::PgPool;

const PARCELS: &str = "/collections/construction_parcels/items";
const UNITS: &str = "/collections/farmland_units/items";

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn parcel_lifecycle_history_and_as_of(pool: PgPool) {
    let t = app(pool).await;
    let created = t.write("POST", PARCELS, &parcel("LZ-2020-001", square(109.40, 24.35, 0.002))).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.header("location"),
        Some("http://test.local/collections/construction_parcels/items/LZ-2020-001")
    );
    assert_eq!(created.header("content-type"), Some("application/geo+json"));
    let etag0 = created.header("etag").unwrap().to_string();
    assert_eq!(created.body["properties"]["state"], "suspected");
    assert_eq!(created.body["properties"]["rcr_listed"], false);
    let area = created.body["properties"]["area_m2"].as_f64().unwrap();
    assert!((area - 45_000.0).abs() < 1_500.0, "area {area}");
    assert!((created.body["properties"]["area_mu"].as_f64().unwrap() - area / 666.6667).abs() < 0.01);

    // read, then an update with a stale ETag after a successful one
    let read = t.get(&format!("{PARCELS}/LZ-2020-001")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("etag"), Some(etag0.as_str()));
    let mut changed = parcel("LZ-2020-001", square(109.40, 24.35, 0.002));
    changed["properties"]["name"] = json!("原柳州市某化工厂地块（北区）");
    let ok = t.write_if("PUT", &format!("{PARCELS}/LZ-2020-001"), &etag0, &changed).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_ne!(ok.header("etag"), Some(etag0.as_str()));
    let stale = t.write_if("PUT", &format!("{PARCELS}/LZ-2020-001"), &etag0, &changed).await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    assert_eq!(stale.header("content-type"), Some("application/problem+json"));

    // the whole lifecycle, each step with its document
    let steps = [
        ("surveying", "2021-03-01", "柳环函〔2021〕11号"),
        ("risk_assessment", "2021-09-15", "柳环函〔2021〕40号"),
        ("listed", "2022-01-10", "桂环函〔2022〕8号"),
        ("under_remediation", "2022-06-01", "柳环函〔2022〕27号"),
        ("effect_evaluation", "2023-08-20", "柳环函〔2023〕33号"),
        ("delisted", "2024-02-01", "桂环函〔2024〕12号"),
    ];
    for (to, date, doc) in steps {
        let r = t
            .write(
                "POST",
                &format!("{PARCELS}/LZ-2020-001/transitions"),
                &json!({"to": to, "date": date, "document": doc, "note": "评审通过"}),
            )
            .await;
        assert_eq!(r.status, 200, "{to}: {}", r.text);
        assert_eq!(r.body["properties"]["state"], to);
    }

    // history lists every step with who and when
    let h = t.get(&format!("{PARCELS}/LZ-2020-001/history")).await;
    assert_eq!(h.status, 200, "{}", h.text);
    let versions = h.body["versions"].as_array().unwrap();
    let transitions: Vec<_> = versions.iter().filter(|v| v["change"] == "transition").collect();
    assert_eq!(transitions.len(), 6);
    for (v, (to, date, doc)) in transitions.iter().zip(steps) {
        assert_eq!(v["properties"]["state"], to);
        assert_eq!(v["valid_from"], date);
        assert_eq!(v["properties"]["document"], doc);
        assert_eq!(v["recorded_by"], "test-editor");
        assert!(v["recorded_at"].is_string());
    }

    // as-of reads between two transitions return the state of that day
    let table = [
        ("2020-06-01", "suspected", false),
        ("2021-05-01", "surveying", false),
        ("2022-03-01", "listed", true),
        ("2023-01-01", "under_remediation", true),
        ("2023-12-31", "effect_evaluation", true),
        ("2024-02-01", "delisted", false),
    ];
    for (day, state, listed) in table {
        let r = t.get(&format!("{PARCELS}/LZ-2020-001?datetime={day}")).await;
        assert_eq!(r.status, 200, "{day}: {}", r.text);
        assert_eq!(r.body["properties"]["state"], state, "{day}");
        assert_eq!(r.body["properties"]["rcr_listed"], listed, "{day}");
    }
    let before = t.get(&format!("{PARCELS}/LZ-2020-001?datetime=2019-01-01")).await;
    assert_eq!(before.status, 404);

    // an illegal jump is 409 and names the allowed next states
    let jump = t
        .write(
            "POST",
            &format!("{PARCELS}/LZ-2020-001/transitions"),
            &json!({"to": "listed", "date": "2024-03-01", "document": "x"}),
        )
        .await;
    assert_eq!(jump.status, 409, "{}", jump.text);
    assert_eq!(jump.body["allowed_next_states"], json!(["post_management"]));
    assert!(jump.body["detail"].as_str().unwrap().contains("post_management"));

    // a step dated before the current state is refused: steps are recorded in date order
    let early = t
        .write(
            "POST",
            &format!("{PARCELS}/LZ-2020-001/transitions"),
            &json!({"to": "post_management", "date": "2023-01-01", "document": "x"}),
        )
        .await;
    assert_eq!(early.status, 409, "{}", early.text);

    // every write is in the audit log
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE feature_id = 'LZ-2020-001'")
        .fetch_one(&t.store.pool)
        .await
        .unwrap();
    assert_eq!(audited, 1 + 1 + 6);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn bad_writes_are_refused_whole(pool: PgPool) {
    let t = app(pool).await;
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    let before = (t.count("farmland_unit_versions").await, t.count("audit_log").await);

    let bowtie = json!({"type":"Polygon","coordinates":[[[109.40,24.30],[109.41,24.31],[109.41,24.30],[109.40,24.31],[109.40,24.30]]]});
    let mut unknown_class = unit("GD-2", "polluted", square(109.3, 24.7, 0.001));
    unknown_class["properties"]["land_type"] = json!("0199");
    let mut missing = unit("GD-3", "safe_use", square(109.3, 24.8, 0.001));
    missing["properties"].as_object_mut().unwrap().remove("county_code");
    let cases: Vec<(&str, String, u16, &str)> = vec![
        ("bow-tie", unit("GD-4", "safe_use", bowtie).to_string(), 400, "Self-intersect"),
        ("swapped axes", unit("GD-5", "safe_use", square(24.3, 109.4, 0.001)).to_string(), 400, "swapped"),
        (
            "projected metres",
            unit("GD-6", "safe_use", square(586679.0, 3791876.0, 50.0)).to_string(),
            400,
            "projected metres",
        ),
        ("unknown class and type", unknown_class.to_string(), 400, "unknown farmland class"),
        ("missing property", missing.to_string(), 400, "county_code"),
        ("malformed JSON", "{\"type\": \"Feature\", ".to_string(), 400, "not valid JSON"),
        ("duplicate code", unit("GD-1", "safe_use", square(109.3, 24.9, 0.001)).to_string(), 409, "exists already"),
    ];
    for (name, body, status, needle) in cases {
        let token = t.editor.clone();
        let r = t.send("POST", UNITS, Some(&token), &[], Some(body)).await;
        assert_eq!(r.status, status, "{name}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"), "{name}");
        assert!(r.text.to_lowercase().contains(&needle.to_lowercase()), "{name}: '{needle}' not in {}", r.text);
    }
    // several problems in one feature are listed together
    let mut many = unit("GD-7", "polluted", square(24.3, 109.4, 0.001));
    many["properties"]["land_type"] = json!("0199");
    let r = t.write("POST", UNITS, &many).await;
    let pointers: Vec<&str> =
        r.body["errors"].as_array().unwrap().iter().map(|e| e["pointer"].as_str().unwrap()).collect();
    assert!(
        pointers.contains(&"/geometry")
            && pointers.contains(&"/properties/class")
            && pointers.contains(&"/properties/land_type"),
        "{pointers:?}"
    );

    // parcels: unknown use code, unknown state
    let mut p = parcel("LZ-X", square(109.4, 24.3, 0.001));
    p["properties"]["current_use"] = json!("0799");
    p["properties"]["state"] = json!("demolished");
    let r = t.write("POST", PARCELS, &p).await;
    assert_eq!(r.status, 400);
    assert!(r.text.contains("unknown land-use code") && r.text.contains("unknown lifecycle state"), "{}", r.text);

    assert_eq!(
        (t.count("farmland_unit_versions").await, t.count("audit_log").await),
        before,
        "nothing of a refused write is stored"
    );
    assert_eq!(t.count("construction_parcel_versions").await, 0);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn writes_need_an_editor(pool: PgPool) {
    let t = app(pool).await;
    let body = unit("GD-1", "safe_use", square(109.3, 24.6, 0.001)).to_string();
    let anon = t.send("POST", UNITS, None, &[], Some(body.clone())).await;
    assert_eq!(anon.status, 401);
    assert!(anon.header("www-authenticate").is_some());
    let viewer = t.viewer.clone();
    assert_eq!(t.send("POST", UNITS, Some(&viewer), &[], Some(body.clone())).await.status, 403);
    assert_eq!(t.send("POST", UNITS, Some("lg_not-a-token"), &[], Some(body.clone())).await.status, 401);
    let admin = t.admin.clone();
    assert_eq!(t.send("POST", UNITS, Some(&admin), &[], Some(body)).await.status, 201);
    assert_eq!(t.send("DELETE", &format!("{UNITS}/GD-1"), Some(&viewer), &[], None).await.status, 403);
    assert_eq!(t.count("farmland_unit_versions").await, 1);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn farmland_class_history_patch_and_delete(pool: PgPool) {
    let t = app(pool).await;
    assert_eq!(
        t.write("POST", UNITS, &unit("GD-9", "priority_protection", square(109.3, 24.6, 0.001))).await.status,
        201
    );
    // dynamic adjustment: the class changes from a date on
    let r = t
        .write(
            "PATCH",
            &format!("{UNITS}/GD-9"),
            &json!({"properties": {"class": "safe_use", "valid_from": "2024-07-01", "measures_in_place": false}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["properties"]["class"], "safe_use");
    assert_eq!(r.body["properties"]["unit_code"], "GD-9");
    let then = t.get(&format!("{UNITS}/GD-9?datetime=2024-06-30")).await;
    assert_eq!(then.body["properties"]["class"], "priority_protection");
    let now = t.get(&format!("{UNITS}/GD-9?datetime=2024-07-01")).await;
    assert_eq!(now.body["properties"]["class"], "safe_use");
    // a correction on the same day supersedes, it does not add a day of history
    let fix = t
        .write(
            "PATCH",
            &format!("{UNITS}/GD-9"),
            &json!({"properties": {"valid_from": "2024-07-01", "basis_doc": "柳环发〔2024〕9号"}}),
        )
        .await;
    assert_eq!(fix.status, 200, "{}", fix.text);
    let h = t.get(&format!("{UNITS}/GD-9/history")).await;
    let versions = h.body["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 3);
    assert!(versions[1]["superseded_at"].is_string(), "the corrected version is superseded: {}", h.text);
    // PATCH of a state is refused: it goes through the lifecycle
    t.write("POST", PARCELS, &parcel("LZ-1", square(109.4, 24.3, 0.001))).await;
    let r = t.write("PATCH", &format!("{PARCELS}/LZ-1"), &json!({"properties": {"state": "cleared"}})).await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("transitions"));
    // delete ends the feature; its history stays
    let etag = t.get(&format!("{UNITS}/GD-9")).await.header("etag").unwrap().to_string();
    let token = t.editor.clone();
    assert_eq!(
        t.send("DELETE", &format!("{UNITS}/GD-9?reason=x"), Some(&token), &[("if-match", "\"v1\"")], None).await.status,
        412
    );
    assert_eq!(
        t.send("DELETE", &format!("{UNITS}/GD-9?reason=x"), Some(&token), &[("if-match", &etag)], None).await.status,
        204
    );
    assert_eq!(t.get(&format!("{UNITS}/GD-9")).await.status, 404);
    assert_eq!(t.get(&format!("{UNITS}/GD-9/history")).await.status, 200);
    assert_eq!(
        t.get(&format!("{UNITS}/GD-9?datetime=2024-06-30")).await.body["properties"]["class"],
        "priority_protection"
    );
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn audit_log_refuses_update_and_delete(pool: PgPool) {
    let t = app(pool).await;
    t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await;
    let n = t.count("audit_log").await;
    assert!(n >= 4, "tokens and the write are audited");
    for sql in ["UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
        let err = sqlx::query(sql).execute(&t.store.pool).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(t.count("audit_log").await, n);
    // the database role here owns the table (and is a superuser): the refusal does not depend on privileges
    let owner: String = sqlx::query_scalar("SELECT tableowner::text FROM pg_tables WHERE tablename = 'audit_log'")
        .fetch_one(&t.store.pool)
        .await
        .unwrap();
    let me: String = sqlx::query_scalar("SELECT current_user::text").fetch_one(&t.store.pool).await.unwrap();
    assert_eq!(owner, me);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn items_page_with_next_links(pool: PgPool) {
    let t = app(pool).await;
    for i in 0..5 {
        let r = t
            .write("POST", UNITS, &unit(&format!("GD-{i}"), "safe_use", square(109.3 + i as f64 * 0.01, 24.6, 0.001)))
            .await;
        assert_eq!(r.status, 201);
    }
    let mut url = format!("{UNITS}?limit=2");
    let mut seen = Vec::new();
    for _ in 0..5 {
        let r = t.get(&url).await;
        assert_eq!(r.status, 200, "{}", r.text);
        for f in r.body["features"].as_array().unwrap() {
            seen.push(f["id"].as_str().unwrap().to_string());
        }
        let next = r.body["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .map(|l| l["href"].as_str().unwrap().to_string());
        match next {
            Some(n) => url = n.trim_start_matches("http://test.local").to_string(),
            None => break,
        }
    }
    assert_eq!(seen, vec!["GD-0", "GD-1", "GD-2", "GD-3", "GD-4"]);
    let r = t.get(&format!("{UNITS}?bbox=109.305,24.5,109.325,24.7")).await;
    assert_eq!(r.body["numberReturned"], 2, "{}", r.text);
    assert_eq!(t.get(&format!("{UNITS}?colour=red")).await.status, 400);
    assert_eq!(t.get(&format!("{UNITS}?limit=10001")).await.status, 400);
}

/// Farmland versions and audit rows: what a write leaves behind.
async fn stored(t: &TestApp) -> (i64, i64) {
    (t.count("farmland_unit_versions").await, t.count("audit_log").await)
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn properties_at_the_top_level_are_refused_and_writes_that_change_nothing_record_nothing(pool: PgPool) {
    let t = app(pool).await;
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    let etag = t.get(&format!("{UNITS}/GD-1")).await.header("etag").unwrap().to_string();
    let before = stored(&t).await;

    // the fields beside `properties` instead of inside it: 400, saying where they belong, in both languages
    let r = t
        .write("PATCH", &format!("{UNITS}/GD-1"), &json!({"class": "strict_control", "valid_from": "2024-05-01"}))
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let errors = r.body["errors"].as_array().unwrap();
    let class = errors.iter().find(|e| e["pointer"] == "/class").expect("a problem at /class");
    let detail = class["detail"].as_str().unwrap();
    assert!(detail.contains("应写在 properties 内") && detail.contains("belongs inside \"properties\""), "{detail}");
    assert!(detail.contains(r#"{"properties":{"class":"strict_control"}}"#), "the remedy is spelled out: {detail}");
    assert!(errors.iter().any(|e| e["pointer"] == "/valid_from"), "{}", r.text);
    // other unknown top-level members are refused too, in every kind of write
    let mut odd = unit("GD-2", "safe_use", square(109.31, 24.6, 0.001));
    odd["colour"] = json!("red");
    let r = t.write("POST", UNITS, &odd).await;
    assert_eq!((r.status.as_u16(), r.body["errors"][0]["pointer"].as_str()), (400, Some("/colour")), "{}", r.text);
    assert!(r.text.contains("unknown member at the top level"), "{}", r.text);
    odd["properties"]["unit_code"] = json!("GD-1");
    assert_eq!(t.write("PUT", &format!("{UNITS}/GD-1"), &odd).await.status, 400);
    assert_eq!(t.write("PATCH", &format!("{UNITS}/GD-1"), &json!({"colour": "red"})).await.status, 400);
    assert_eq!(stored(&t).await, before, "nothing of a refused write is stored");
    assert_eq!(t.get(&format!("{UNITS}/GD-1")).await.header("etag"), Some(etag.as_str()));

    // writes that change nothing: 200 with the current version, its ETag unchanged, and no version or audit row.
    // A feature as read (with its links and read-only properties) can be written back.
    let read = t.get(&format!("{UNITS}/GD-1")).await.body;
    assert!(read["links"].is_array());
    assert_eq!(read["geometry"]["type"], "MultiPolygon");
    let mut nudged = read.clone();
    let ring = &mut nudged["geometry"]["coordinates"][0][0];
    let x = ring[0][0].as_f64().unwrap();
    ring[0][0] = json!(x + 1e-9); // well under a millimetre
    let last = ring.as_array().unwrap().len() - 1;
    ring[last] = ring[0].clone();
    let unchanged: Vec<(&str, Value, Option<&str>)> = vec![
        ("PUT as read", read.clone(), Some(&etag)),
        ("PUT without If-Match", read.clone(), None),
        ("PUT a tiny nudge", nudged, Some(&etag)),
        ("PATCH the same class", json!({"properties": {"class": "safe_use"}}), None),
        ("PATCH nothing", json!({}), Some(&etag)),
        ("PATCH empty properties", json!({"properties": {}}), None),
    ];
    for (name, body, if_match) in unchanged {
        let token = t.editor.clone();
        let headers: Vec<(&str, &str)> = if_match.map(|e| vec![("if-match", e)]).unwrap_or_default();
        let method = name.split(' ').next().unwrap();
        let r = t.send(method, &format!("{UNITS}/GD-1"), Some(&token), &headers, Some(body.to_string())).await;
        assert_eq!(r.status, 200, "{name}: {}", r.text);
        assert_eq!(r.header("etag"), Some(etag.as_str()), "{name}: the current version answers");
        assert_eq!(r.body["properties"]["class"], "safe_use", "{name}");
        assert_eq!(stored(&t).await, before, "{name} recorded a version or an audit row");
    }
    let h = t.get(&format!("{UNITS}/GD-1/history")).await;
    assert_eq!(h.body["versions"].as_array().unwrap().len(), 1, "{}", h.text);

    // the real change at its real date, which an empty version dated today used to block (409)
    let r = t
        .write(
            "PATCH",
            &format!("{UNITS}/GD-1"),
            &json!({"properties": {"class": "strict_control", "valid_from": "2024-05-01"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_ne!(r.header("etag"), Some(etag.as_str()));
    assert_eq!(t.get(&format!("{UNITS}/GD-1?datetime=2024-05-01")).await.body["properties"]["class"], "strict_control");
    assert_eq!(stored(&t).await, (before.0 + 1, before.1 + 1));

    // a parcel whose current version came from a transition: written back as read, it stays as it is
    assert_eq!(t.write("POST", PARCELS, &parcel("LZ-1", square(109.4, 24.3, 0.002))).await.status, 201);
    let r = t
        .write(
            "POST",
            &format!("{PARCELS}/LZ-1/transitions"),
            &json!({"to": "surveying", "date": "2021-03-01", "document": "柳环函〔2021〕11号"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let parcel_etag = r.header("etag").unwrap().to_string();
    let mut read = t.get(&format!("{PARCELS}/LZ-1")).await.body;
    read["properties"].as_object_mut().unwrap().remove("state");
    let versions = t.count("construction_parcel_versions").await;
    let r = t.write("PUT", &format!("{PARCELS}/LZ-1"), &read).await;
    assert_eq!((r.status.as_u16(), r.header("etag")), (200, Some(parcel_etag.as_str())), "{}", r.text);
    assert_eq!(r.body["properties"]["state"], "surveying");
    assert_eq!(t.count("construction_parcel_versions").await, versions);
    // and a real change to it is still recorded
    let r = t
        .write("PATCH", &format!("{PARCELS}/LZ-1"), &json!({"properties": {"name": "原柳州市某化工厂地块（北区）"}}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(t.count("construction_parcel_versions").await, versions + 1);
}
