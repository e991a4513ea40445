//! The measures ledger of farmland units over the real database, through HTTP: entries recorded, refused and
//! withdrawn; the safe-utilisation rate counting a unit from its ledger and saying so; and crop samples judged
//! by the crop limits of the settings.

mod common;

use common::*;
use landguard::config::Settings;
use landguard::domain::access::Role;
use landguard::domain::crops::Metal;
use landguard::domain::scope::Scopes;
use serde_json::{json, Value};
use sqlx::PgPool;

const A: &str = "/collections/farmland_units/items/LZ-A/measures";
const B: &str = "/collections/farmland_units/items/LZ-B/measures";
const INDICATORS: &str = "/indicators?county_code=450222&as_of=2026-06-30";

fn problem(r: &Resp, status: u16, kind: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/problem+json"), "{}", r.text);
    assert_eq!(r.body["type"], format!("https://landguard.dev/problems/{kind}"), "{}", r.text);
}

/// Two Liuzhou units (county 450222): A safe-use without measures flagged, B strict-control with them.
async fn two_units(t: &TestApp) -> (f64, f64) {
    let mut a = unit("LZ-A", "safe_use", square(109.40, 24.35, 0.002));
    a["properties"]["measures_in_place"] = json!(false);
    let b = unit("LZ-B", "strict_control", square(109.41, 24.35, 0.001));
    for f in [a, b] {
        let r = t.write("POST", "/collections/farmland_units/items", &f).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let area = |r: Resp| r.body["properties"]["area_m2"].as_f64().unwrap();
    (
        area(t.get("/collections/farmland_units/items/LZ-A").await),
        area(t.get("/collections/farmland_units/items/LZ-B").await),
    )
}

fn rate(r: &Resp) -> (f64, String, u64, u64) {
    assert_eq!(r.status, 200, "{}", r.text);
    let su = &r.body["safe_utilisation"];
    (
        su["rate_percent"].as_f64().unwrap(),
        su["source"].as_str().unwrap().to_string(),
        su["units_from_ledger"].as_u64().unwrap(),
        su["units_from_flag"].as_u64().unwrap(),
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.011
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_rate_follows_the_ledger_and_says_so(pool: PgPool) {
    let t = app(pool).await;
    let (a, b) = two_units(&t).await;
    // Without a ledger: the flag, as before (B counts, A does not).
    let (r, source, ledger, flag) = rate(&t.get(INDICATORS).await);
    assert!(close(r, b / (a + b) * 100.0), "{r}");
    assert_eq!((source.as_str(), ledger, flag), ("flag", 0, 2));

    // A: lime on all of it and water management on part of it, one document; counted once, not twice.
    let r = t
        .write(
            "POST",
            A,
            &json!({"year": 2026, "measures": [{"kind": "lime", "area_m2": a}, {"kind": "water", "area_m2": a / 2.0}],
                    "document": "柳城县2026年受污染耕地安全利用措施台账", "note": "早稻"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["measures"].as_array().unwrap().len(), 2, "{}", r.text);
    assert_eq!(r.body["measures"][0]["kind_zh"], "石灰调酸");
    let (r, source, ledger, flag) = rate(&t.get(INDICATORS).await);
    assert!(close(r, 100.0), "{r}");
    assert_eq!((source.as_str(), ledger, flag), ("mixed", 1, 1));
    // Another year's rate does not see 2026's ledger.
    let (_, source, _, _) = rate(&t.get("/indicators?county_code=450222&as_of=2025-06-30").await);
    assert_eq!(source.as_str(), "flag");

    // B: fallow on half of it (and lime, which does not make strict-control land safely used).
    let r = t
        .write(
            "POST",
            B,
            &json!({"year": 2026, "season": 1, "measures": [{"kind": "休耕", "area_m2": b / 2.0}, {"kind": "lime", "area_m2": b}],
                    "document": "柳城县2026年严格管控措施台账"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let (r, source, ledger, flag) = rate(&t.get(INDICATORS).await);
    assert!(close(r, (a + b / 2.0) / (a + b) * 100.0), "{r}");
    assert_eq!((source.as_str(), ledger, flag), ("ledger", 2, 0));

    // The same rate in the series and the targets, which use the same computation.
    let s = t.get("/indicators/series?county_code=450222&from=2026-01-01&to=2026-12-31&step=year").await;
    assert_eq!(s.status, 200, "{}", s.text);
    let point = &s.body["points"][0]["indicators"]["safe_utilisation"];
    assert_eq!(point["source"], "ledger", "{}", s.text);
    assert!(close(point["rate_percent"].as_f64().unwrap(), (a + b / 2.0) / (a + b) * 100.0));

    // The ledger lists what was recorded, newest year first; each write left one audit entry.
    let list = t.get(A).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let entries = list.body["measures"].as_array().unwrap();
    assert_eq!(entries.iter().map(|e| e["kind"].as_str().unwrap()).collect::<Vec<_>>(), ["lime", "water"]);
    assert_eq!(entries[0]["recorded_by"], "test-editor");
    assert!(close(entries[0]["area_mu"].as_f64().unwrap(), a / 666.666_666_7));
    let audits: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'measures' AND collection = 'farmland_units' AND feature_id IN ('LZ-A', 'LZ-B')",
    )
    .fetch_one(&t.store.pool)
    .await
    .unwrap();
    assert_eq!(audits, 2);

    // Withdrawing B's fallow (a wrong line) leaves only its lime: B is no longer safely used; the entry stays.
    let fallow = t.get(B).await.body["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "fallow")
        .map(|e| e["id"].as_i64().unwrap())
        .unwrap();
    let url = format!("{B}/{fallow}/withdraw");
    let r = t.write("POST", &url, &json!({"reason": "面积录错"})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["withdrawn_by"], "test-editor");
    problem(&t.write("POST", &url, &json!({"reason": "again"})).await, 409, "conflict");
    let (r, _, _, _) = rate(&t.get(INDICATORS).await);
    assert!(close(r, a / (a + b) * 100.0), "{r}");
    assert_eq!(t.get(B).await.body["measures"].as_array().unwrap().len(), 2);
    // The table itself refuses any other change.
    assert!(sqlx::query("DELETE FROM farmland_measures").execute(&t.store.pool).await.is_err());
    assert!(sqlx::query("UPDATE farmland_measures SET area_m2 = 1").execute(&t.store.pool).await.is_err());
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn bad_measures_are_refused_with_reasons(pool: PgPool) {
    let t = app(pool).await;
    let (a, _) = two_units(&t).await;
    let ok = |m: Value| json!({"year": 2026, "measures": [m], "document": "台账"});
    for (body, needle) in [
        (ok(json!({"kind": "liming", "area_m2": 10})), "liming"),
        (ok(json!({"kind": "lime", "area_m2": -5})), "-5"),
        (ok(json!({"kind": "lime", "area_m2": 0})), "0"),
        (ok(json!({"kind": "lime", "area_m2": a * 1.5})), "石灰调酸"),
        (json!({"year": 1990, "measures": [{"kind": "lime", "area_m2": 10}], "document": "台账"}), "1990"),
        (json!({"year": 2026, "measures": [{"kind": "lime", "area_m2": 10}]}), "文件"),
        (json!({"year": 2026, "measures": []}), "measures"),
        (json!({"year": 2026, "season": 7, "measures": [{"kind": "lime", "area_m2": 10}], "document": "x"}), "7"),
        (json!({"year": 2026, "measures": [{"kind": "lime", "area_m2": 10}], "document": "x", "colour": 1}), "colour"),
    ] {
        let r = t.write("POST", A, &body).await;
        problem(&r, 400, "invalid-measure");
        let detail = r.body["detail"].as_str().unwrap();
        assert!(detail.contains(needle) && detail.contains(" — "), "{body}: {detail}");
        assert_eq!(r.body["title_zh"], "措施未被受理");
    }
    // Nothing of it was stored.
    assert_eq!(t.count("farmland_measures").await, 0);

    let body = ok(json!({"kind": "lime", "area_m2": 10}));
    problem(&t.write("POST", "/collections/farmland_units/items/LZ-NONE/measures", &body).await, 404, "not-found");
    problem(&t.get("/collections/farmland_units/items/LZ-NONE/measures").await, 404, "not-found");
    let r = t.write("POST", "/collections/construction_parcels/items/LZ-A/measures", &body).await;
    problem(&r, 404, "not-found");
    assert!(r.body["detail"].as_str().unwrap().contains("措施台账"), "{}", r.text);
    problem(&t.get("/collections/soil_samples/items/S-1/measures").await, 404, "not-found");
    problem(&t.write("POST", &format!("{A}/999/withdraw"), &json!({"reason": "x"})).await, 404, "not-found");

    // Outside the writer's counties: 403. A viewer: 403. Nobody: 401.
    let guilin = t.store.create_scoped_token("guilin", Role::Editor, &Scopes::parse("4503").unwrap()).await.unwrap();
    let r = t.send("POST", A, Some(&guilin), &[], Some(body.to_string())).await;
    problem(&r, 403, "out-of-scope");
    let liuzhou =
        t.store.create_scoped_token("liuzhou", Role::Editor, &Scopes::parse("450222").unwrap()).await.unwrap();
    assert_eq!(t.send("POST", A, Some(&liuzhou), &[], Some(body.to_string())).await.status, 201);
    let viewer = t.viewer.clone();
    problem(&t.send("POST", A, Some(&viewer), &[], Some(body.to_string())).await, 403, "forbidden");
    problem(&t.send("POST", A, None, &[], Some(body.to_string())).await, 401, "unauthorized");
    assert_eq!(t.count("farmland_measures").await, 1);
}

fn crop_sample(code: &str, cd: f64) -> Value {
    json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [109.411, 24.351]},
           "properties": {"sample_code": code, "county_code": "450222", "sampled_on": "2026-09-01",
                          "crop": "稻谷", "cd": cd}})
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn crop_limits_come_from_the_settings(pool: PgPool) {
    // Rice Cd 0.15 mg/kg: within the built-in 0.2, over a stricter 0.1 set in the settings.
    let mut settings = Settings::default();
    settings.crop_limits.limits.insert("rice".into(), [(Metal::Cd, 0.1)].into_iter().collect());
    let strict = app_with(pool, settings).await;
    let r = strict.write("POST", "/collections/crop_samples/items", &crop_sample("C-1", 0.15)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["properties"]["compliant"], false, "{}", r.text);
    assert_eq!(r.body["properties"]["worst_ratio"], 1.5, "{}", r.text);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_built_in_crop_limits_are_the_default(pool: PgPool) {
    let built_in = app(pool).await;
    let r = built_in.write("POST", "/collections/crop_samples/items", &crop_sample("C-2", 0.15)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["properties"]["compliant"], true, "{}", r.text);
    assert_eq!(r.body["properties"]["worst_ratio"], 0.75, "{}", r.text);
}

/// A request as a listener hands it in (with the peer address the sign-in throttle reads).
async fn send_with_peer(t: &TestApp, method: &str, uri: &str, headers: &[(&str, &str)], body: Value) -> Resp {
    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder().method(method).uri(uri).header("host", "test.local");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = req.header("content-type", "application/json").body(Body::from(body.to_string())).unwrap();
    req.extensions_mut().insert(ConnectInfo("192.0.2.1:40000".parse::<std::net::SocketAddr>().unwrap()));
    let resp = t.app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (resp.status(), resp.headers().clone());
    let text = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).to_string();
    Resp { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null), text }
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_write_by_session_cookie_needs_the_csrf_value(pool: PgPool) {
    let t = app(pool).await;
    two_units(&t).await;
    let hash = landguard::domain::access::hash_password("柳城县生态环境局-2026").unwrap();
    t.store.create_user("lc.editor", Role::Editor, &Scopes::parse("450222").unwrap(), &hash).await.unwrap();
    let r =
        send_with_peer(&t, "POST", "/session", &[], json!({"name": "lc.editor", "password": "柳城县生态环境局-2026"}))
            .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let cookie = r.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let csrf = r.body["csrf"].as_str().unwrap().to_string();
    let body = json!({"year": 2026, "measures": [{"kind": "fallow", "area_m2": 10}], "document": "台账"});
    problem(&send_with_peer(&t, "POST", A, &[("cookie", &cookie)], body.clone()).await, 403, "csrf");
    problem(
        &send_with_peer(&t, "POST", A, &[("cookie", &cookie), ("x-csrf-token", "wrong")], body.clone()).await,
        403,
        "csrf",
    );
    assert_eq!(t.count("farmland_measures").await, 0);
    let r = send_with_peer(&t, "POST", A, &[("cookie", &cookie), ("x-csrf-token", &csrf)], body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["measures"][0]["recorded_by"], "lc.editor");
}
