//! The keepers' workspace over HTTP and the real database: withdrawing and correcting a lifecycle step,
//! deleting only with a reason (and never a parcel on the RCR list), and county scopes on both.

mod common;

use common::*;
use landguard::domain::access::Role;
use landguard::domain::scope::Scopes;
use serde_json::{json, Value};
use sqlx::PgPool;

const PARCELS: &str = "/collections/construction_parcels/items";
const UNITS: &str = "/collections/farmland_units/items";

fn problem(r: &Resp, status: u16, kind: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/problem+json"), "{}", r.text);
    assert_eq!(r.body["type"], format!("https://landguard.dev/problems/{kind}"), "{}", r.text);
}

async fn audit_entries(t: &TestApp, action: &str) -> Vec<Value> {
    let r = t.send("GET", &format!("/audit?action={action}"), Some(&t.admin.clone()), &[], None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["entries"].as_array().unwrap().clone()
}

// ---------------------------------------------------------------- withdraw

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_withdrawn_step_leaves_the_state_as_before_and_stays_in_the_history(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "LZ-1", square(109.41, 24.33, 0.002), &["surveying", "cleared"], json!({})).await;
    let item = format!("{PARCELS}/LZ-1");
    let before = t.get(&item).await;
    assert_eq!(before.body["properties"]["state"], "cleared");

    // No reason: refused in both languages; a stale If-Match: 412.
    let r = t.write("POST", &format!("{item}/transitions/withdraw"), &json!({})).await;
    problem(&r, 400, "reason-required");
    assert!(r.body["detail"].as_str().unwrap().contains("原因"), "{}", r.text);
    let r = t.write("POST", &format!("{item}/transitions/withdraw"), &json!({"reason": "  "})).await;
    problem(&r, 400, "reason-required");
    let r = t.write_if("POST", &format!("{item}/transitions/withdraw"), "\"v1\"", &json!({"reason": "误录"})).await;
    assert_eq!(r.status, 412, "{}", r.text);

    let etag = before.header("etag").unwrap().to_string();
    let r = t
        .write_if("POST", &format!("{item}/transitions/withdraw"), &etag, &json!({"reason": "文件未签发，误录"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["properties"]["state"], "surveying");
    assert_eq!(t.get(&item).await.body["properties"]["state"], "surveying");
    // As of a date after the withdrawn step, the parcel was still being surveyed.
    assert_eq!(t.get(&format!("{item}?datetime=2021-06-01")).await.body["properties"]["state"], "surveying");

    let versions = t.get(&format!("{item}/history")).await.body["versions"].as_array().unwrap().clone();
    assert_eq!(versions.len(), 3, "{versions:?}");
    let withdrawn = &versions[2];
    assert_eq!(withdrawn["properties"]["state"], "cleared");
    assert_eq!(withdrawn["ended_change"], "withdraw");
    assert_eq!(withdrawn["ended_by"], "test-editor");
    assert_eq!(withdrawn["ended_reason"], "文件未签发，误录");
    assert!(withdrawn["superseded_at"].is_string());
    assert!(versions[1]["valid_to"].is_null() && versions[1]["ended_change"].is_null(), "{versions:?}");

    let entries = audit_entries(&t, "withdraw").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["detail"]["reason"], "文件未签发，误录");
    assert_eq!(entries[0]["detail"]["from"], "cleared");
    assert_eq!(entries[0]["detail"]["to"], "surveying");

    // The step can be recorded again, and the step before can be withdrawn too; the registration cannot.
    let r = t.write("POST", &format!("{item}/transitions/withdraw"), &json!({"reason": "再撤回"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["properties"]["state"], "suspected");
    let r = t.write("POST", &format!("{item}/transitions/withdraw"), &json!({"reason": "再撤回"})).await;
    problem(&r, 409, "conflict");
    let r = t
        .write(
            "POST",
            &format!("{item}/transitions"),
            &json!({"to": "surveying", "date": "2021-05-01", "document": "柳环函〔2021〕9号"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn only_the_latest_version_can_be_withdrawn_when_it_is_a_step(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "LZ-2", square(109.42, 24.33, 0.002), &["surveying"], json!({})).await;
    let r = t
        .write(
            "PATCH",
            &format!("{PARCELS}/LZ-2"),
            &json!({"properties": {"name": "改名", "valid_from": "2022-01-01"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = t.write("POST", &format!("{PARCELS}/LZ-2/transitions/withdraw"), &json!({"reason": "误录"})).await;
    problem(&r, 409, "conflict");
    assert_eq!(t.get(&format!("{PARCELS}/LZ-2")).await.body["properties"]["name"], "改名");
    // A collection without a lifecycle has no steps to withdraw.
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    let r = t.write("POST", &format!("{UNITS}/GD-1/transitions/withdraw"), &json!({"reason": "误录"})).await;
    assert_eq!(r.status, 404, "{}", r.text);
}

// ---------------------------------------------------------------- correct

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_mistyped_document_is_corrected_not_stepped_again(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "LZ-3", square(109.43, 24.33, 0.002), &["surveying"], json!({})).await;
    let item = format!("{PARCELS}/LZ-3");
    let r = t.write("POST", &format!("{item}/transitions/correct"), &json!({"document": "柳环函〔2021〕11号"})).await;
    problem(&r, 400, "reason-required");
    let r = t.write("POST", &format!("{item}/transitions/correct"), &json!({"reason": "笔误"})).await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = t
        .write(
            "POST",
            &format!("{item}/transitions/correct"),
            &json!({"document": "柳环函〔2021〕11号", "reason": "笔误"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["properties"]["state"], "surveying");

    let versions = t.get(&format!("{item}/history")).await.body["versions"].as_array().unwrap().clone();
    assert_eq!(versions.len(), 3, "{versions:?}");
    let (old, new) = (&versions[1], &versions[2]);
    assert_eq!(old["properties"]["document"], "柳环函〔2021〕1号");
    assert_eq!(old["ended_change"], "correct");
    assert_eq!(old["ended_reason"], "笔误");
    assert_eq!(new["properties"]["document"], "柳环函〔2021〕11号");
    assert_eq!(new["change"], "transition");
    assert_eq!(new["valid_from"], old["valid_from"]);
    assert_eq!(new["properties"]["from_state"], "suspected");
    assert!(new["superseded_at"].is_null() && new["valid_to"].is_null());

    let entries = audit_entries(&t, "correct").await;
    assert_eq!(entries[0]["detail"]["document"], json!({"from": "柳环函〔2021〕1号", "to": "柳环函〔2021〕11号"}));
    // The same number again is nothing to correct; the corrected step can still be withdrawn.
    let r = t
        .write(
            "POST",
            &format!("{item}/transitions/correct"),
            &json!({"document": "柳环函〔2021〕11号", "reason": "再改"}),
        )
        .await;
    problem(&r, 409, "conflict");
    let r = t.write("POST", &format!("{item}/transitions/withdraw"), &json!({"reason": "误录"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["properties"]["state"], "suspected");
}

// ---------------------------------------------------------------- delete

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_delete_needs_a_reason_and_never_takes_a_parcel_off_the_rcr_list(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "LZ-4", square(109.44, 24.33, 0.002), &["surveying"], json!({})).await;
    parcel_in(&t, "LZ-5", square(109.45, 24.33, 0.002), &["surveying", "risk_assessment", "listed"], json!({})).await;
    let editor = t.editor.clone();

    let r = t.send("DELETE", &format!("{PARCELS}/LZ-4"), Some(&editor), &[], None).await;
    problem(&r, 400, "reason-required");
    let detail = r.body["detail"].as_str().unwrap();
    assert!(detail.contains("原因") && detail.contains("reason"), "{detail}");
    let r = t.send("DELETE", &format!("{PARCELS}/LZ-4?reason="), Some(&editor), &[], None).await;
    problem(&r, 400, "reason-required");
    assert_eq!(t.get(&format!("{PARCELS}/LZ-4")).await.status, 200);

    // On the RCR list: never, whatever the reason.
    let r = t.send("DELETE", &format!("{PARCELS}/LZ-5?reason=%E9%87%8D%E5%A4%8D"), Some(&editor), &[], None).await;
    problem(&r, 409, "conflict");
    assert!(r.body["detail"].as_str().unwrap().contains("名录"), "{}", r.text);
    assert_eq!(t.get(&format!("{PARCELS}/LZ-5")).await.status, 200);

    // The reason in the query, or in a JSON body; it is kept in the audit entry.
    let r = t
        .send(
            "DELETE",
            &format!("{PARCELS}/LZ-4?reason=%E9%87%8D%E5%A4%8D%E7%99%BB%E8%AE%B0"),
            Some(&editor),
            &[],
            None,
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(t.get(&format!("{PARCELS}/LZ-4")).await.status, 404);
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    let r = t.write("DELETE", &format!("{UNITS}/GD-1"), &json!({"reason": "图斑合并"})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let entries = audit_entries(&t, "delete").await;
    let reasons: Vec<&str> = entries.iter().map(|e| e["detail"]["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, ["图斑合并", "重复登记"]);
}

// ---------------------------------------------------------------- scopes

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn an_editor_of_liuzhou_cannot_withdraw_correct_or_delete_in_guilin(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "GL-1", square(110.31, 25.27, 0.002), &["surveying"], json!({"county_code": "450305"})).await;
    let token =
        t.store.create_scoped_token("liuzhou-script", Role::Editor, &Scopes::parse("4502").unwrap()).await.unwrap();
    let item = format!("{PARCELS}/GL-1");
    let writes = [
        ("POST", format!("{item}/transitions/withdraw"), Some(json!({"reason": "误录"}))),
        (
            "POST",
            format!("{item}/transitions/correct"),
            Some(json!({"document": "桂环函〔2024〕2号", "reason": "笔误"})),
        ),
        ("DELETE", format!("{item}?reason=x"), None),
    ];
    for (method, uri, body) in writes {
        let r = t.send(method, &uri, Some(&token), &[], body.map(|b| b.to_string())).await;
        problem(&r, 403, "out-of-scope");
    }
    let versions = t.get(&format!("{item}/history")).await.body["versions"].as_array().unwrap().clone();
    assert_eq!(versions.len(), 2);
    assert!(versions.iter().all(|v| v["superseded_at"].is_null()));
}

// ---------------------------------------------------------------- audit log

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_audit_log_filters_by_person_collection_feature_and_day_and_exports_csv(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "LZ-6", square(109.46, 24.33, 0.002), &["surveying"], json!({})).await;
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    let other = t.store.create_token("other-editor", Role::Editor).await.unwrap();
    let r = t
        .send("DELETE", &format!("{UNITS}/GD-1?reason=%E5%9B%BE%E6%96%91%E5%90%88%E5%B9%B6"), Some(&other), &[], None)
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let admin = t.admin.clone();
    let get = |q: String| {
        let admin = admin.clone();
        let t = &t;
        async move { t.send("GET", &format!("/audit?{q}"), Some(&admin), &[], None).await }
    };
    let ids = |r: &Resp| -> Vec<(String, String, String)> {
        r.body["entries"]
            .as_array()
            .unwrap_or_else(|| panic!("{}", r.text))
            .iter()
            .map(|e| {
                (
                    e["actor"].as_str().unwrap().into(),
                    e["action"].as_str().unwrap().into(),
                    e["feature_id"].as_str().unwrap_or("").into(),
                )
            })
            .collect()
    };
    let today = landguard::domain::time::today();
    let yesterday = today.pred_opt().unwrap();

    let by_person = get("actor=other-editor".into()).await;
    assert_eq!(ids(&by_person), [("other-editor".to_string(), "delete".to_string(), "GD-1".to_string())]);
    let by_collection = get("collection=construction_parcels".into()).await;
    assert_eq!(ids(&by_collection).len(), 2, "{}", by_collection.text);
    let by_feature = get("collection=construction_parcels&feature_id=LZ-6&action=transition".into()).await;
    assert_eq!(ids(&by_feature).len(), 1);
    assert_eq!(ids(&get(format!("from={today}&to={today}&collection=farmland_units")).await).len(), 2);
    assert!(ids(&get(format!("to={yesterday}")).await).is_empty());
    assert!(ids(&get(format!("from={}", today.succ_opt().unwrap())).await).is_empty());
    problem(&get(format!("from={today}&to={yesterday}")).await, 400, "bad-parameter");
    problem(&get("from=2026-13-01".into()).await, 400, "bad-parameter");
    problem(&get("f=xml".into()).await, 400, "bad-parameter");

    // CSV: by f=csv or by Accept; the reason has a column of its own; the filters apply.
    for (q, headers) in [("f=csv&actor=other-editor", vec![]), ("actor=other-editor", vec![("accept", "text/csv")])] {
        let r = t.send("GET", &format!("/audit?{q}"), Some(&admin), &headers, None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
        let lines: Vec<&str> = r.text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines.len(), 2, "{}", r.text);
        assert!(lines[0].starts_with("编号 id,时间 at,操作人 actor"), "{}", lines[0]);
        assert!(
            lines[1].contains(",other-editor,delete,farmland_units,GD-1,") && lines[1].contains(",图斑合并,"),
            "{}",
            lines[1]
        );
    }
    let all = t.send("GET", "/audit?f=csv", Some(&admin), &[], None).await;
    assert_eq!(all.text.lines().count(), 1 + ids(&get("limit=1000".into()).await).len());
    // An editor reads no log, in any format.
    let editor = t.editor.clone();
    assert_eq!(t.send("GET", "/audit?f=csv", Some(&editor), &[], None).await.status, 403);
}

// ---------------------------------------------------------------- search

async fn search(t: &TestApp, q: &str) -> Vec<Value> {
    let uri = format!("/search?q={}", form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>());
    let r = t.get(&uri).await;
    assert_eq!(r.status, 200, "{q}: {}", r.text);
    r.body["results"].as_array().unwrap().clone()
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn search_finds_codes_names_counties_and_coordinates(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "LZ-0007", square(109.41, 24.33, 0.002), &[], json!({"name": "原柳州市某化工厂地块"})).await;
    parcel_in(
        &t,
        "LZ-0070",
        square(109.43, 24.33, 0.002),
        &[],
        json!({"name": "柳南区废旧电池回收站", "former_industry": "电池回收"}),
    )
    .await;
    assert_eq!(t.write("POST", UNITS, &unit("GD-0001", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);

    // A code in any case, with or without its leading zeros: the exact code first.
    for typed in ["lz-7", "LZ-007", "Lz-0007"] {
        let r = search(&t, typed).await;
        assert_eq!(r[0]["id"], "LZ-0007", "{typed}: {r:?}");
        assert_eq!(r[0]["collection"], "construction_parcels");
        assert_eq!(r[0]["match"], "code");
        assert_eq!(r[0]["county_name"], "柳北区", "{r:?}");
        assert_eq!(r[0]["bbox"].as_array().unwrap().len(), 4);
    }
    assert_eq!(search(&t, "gd-1").await[0]["collection"], "farmland_units");
    // A part of a name; a name from another collection's text (the unit's basis document).
    let r = search(&t, "化工").await;
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!((r[0]["id"].as_str(), r[0]["label"].as_str()), (Some("LZ-0007"), Some("原柳州市某化工厂地块")));
    assert_eq!(search(&t, "柳环发〔2022〕15号").await[0]["id"], "GD-0001");
    // Wildcards are taken literally.
    assert!(search(&t, "%").await.is_empty());
    // A county by its name: the county, with its extent.
    let r = search(&t, "柳南").await;
    assert_eq!(r[0]["kind"], "county", "{r:?}");
    assert_eq!(r[0]["county_code"], "450204");
    assert!(r.iter().any(|x| x["id"] == "LZ-0070"), "the parcel named after it too: {r:?}");

    // Coordinates: lon/lat in either order, and a Gauss-Krüger pair with or without its zone number.
    for typed in ["109.40,24.31", "24.31 109.40", "642118.58,2690339.28", "2690339.28 36642118.58"] {
        let r = search(&t, typed).await;
        assert_eq!(r.len(), 1, "{typed}: {r:?}");
        assert_eq!(r[0]["kind"], "coordinate");
        let c = r[0]["center"].as_array().unwrap();
        assert!(
            (c[0].as_f64().unwrap() - 109.40).abs() < 1e-6 && (c[1].as_f64().unwrap() - 24.31).abs() < 1e-6,
            "{typed}: {r:?}"
        );
        assert!(r[0]["county_name"].is_string(), "{typed}: {r:?}");
    }
    assert_eq!(search(&t, "642118.58,2690339.28").await[0]["crs"], "EPSG:4545");

    let r = t.get("/search?q=").await;
    problem(&r, 400, "bad-parameter");
    assert!(r.body["detail"].as_str().unwrap().contains("编码"), "{}", r.text);
}
