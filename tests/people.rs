//! People, sessions and county scopes over HTTP and the real database: signing in and out, the cookie and
//! its CSRF value, failed sign-ins slowed and stopped, disabled people, and writes outside one's counties
//! refused by every path.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use common::*;
use http_body_util::BodyExt;
use landguard::config::Settings;
use landguard::domain::access::{hash_password, Role};
use landguard::domain::scope::Scopes;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tower::ServiceExt;

const PARCELS: &str = "/collections/construction_parcels/items";
const UNITS: &str = "/collections/farmland_units/items";
const BIN: &str = env!("CARGO_BIN_EXE_landguard");
const PASSWORD: &str = "柳州生态环境局-2026";

/// A signed-in browser: its cookie (as the browser would send it back) and the CSRF value.
struct Browser {
    cookie: String,
    csrf: String,
}

async fn add_person(t: &TestApp, name: &str, role: Role, counties: &str) {
    let hash = hash_password(PASSWORD).unwrap();
    t.store.create_user(name, role, &Scopes::parse(counties).unwrap(), &hash).await.unwrap();
}

/// A request from `client` (the peer address a real listener would give).
async fn send_from(
    t: &TestApp,
    client: &str,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Resp {
    let mut req = Request::builder().method(method).uri(uri).header("host", "test.local");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut req = match body {
        Some(b) => req.header("content-type", "application/json").body(Body::from(b.to_string())).unwrap(),
        None => req.body(Body::empty()).unwrap(),
    };
    let addr: SocketAddr = client.parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    let resp = t.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp { status, headers, body, text }
}

async fn sign_in_from(t: &TestApp, client: &str, name: &str, password: &str) -> Resp {
    send_from(t, client, "POST", "/session", &[], Some(json!({"name": name, "password": password}))).await
}

async fn sign_in(t: &TestApp, name: &str) -> Browser {
    let r = sign_in_from(t, "192.0.2.1:40000", name, PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let set_cookie = r.header("set-cookie").expect("a session cookie").to_string();
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    Browser { cookie, csrf: r.body["csrf"].as_str().expect("a csrf value").to_string() }
}

impl Browser {
    /// A request as the map would send it: the cookie, and the CSRF header unless `csrf` is false.
    async fn send(&self, t: &TestApp, method: &str, uri: &str, csrf: bool, body: Option<Value>) -> Resp {
        let mut headers = vec![("cookie", self.cookie.as_str())];
        if csrf {
            headers.push(("x-csrf-token", self.csrf.as_str()));
        }
        t.send(method, uri, None, &headers, body.map(|b| b.to_string())).await
    }
}

fn problem(r: &Resp, status: u16, kind: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/problem+json"), "{}", r.text);
    assert_eq!(r.body["type"], format!("https://landguard.dev/problems/{kind}"), "{}", r.text);
}

/// A parcel of Qixing district, Guilin (450305), and a farmland unit of Lingchuan county (450323).
fn guilin_parcel(code: &str) -> Value {
    let mut f = parcel(code, square(110.31, 25.27, 0.002));
    f["properties"]["county_code"] = json!("450305");
    f["properties"]["name"] = json!("原桂林市某电镀厂地块");
    f
}

fn guilin_unit(code: &str) -> Value {
    let mut f = unit(code, "safe_use", square(110.35, 25.40, 0.002));
    f["properties"]["county_code"] = json!("450323");
    f
}

async fn versions(t: &TestApp, table: &str, code_col: &str, code: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table} WHERE {code_col} = $1"))
        .bind(code)
        .fetch_one(&t.store.pool)
        .await
        .unwrap()
}

// ---------------------------------------------------------------- scopes

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn an_editor_of_liuzhou_cannot_write_guilin_by_any_path(pool: PgPool) {
    let t = app(pool).await;
    // The city's register as an unscoped editor keeps it: a Guilin parcel and unit, and a Liuzhou parcel.
    parcel_in(&t, "GL-0001", square(110.31, 25.27, 0.002), &["surveying"], json!({"county_code": "450305"})).await;
    assert_eq!(t.write("POST", UNITS, &guilin_unit("GL-U1")).await.status, 201);
    parcel_in(&t, "LZ-0001", square(109.41, 24.33, 0.002), &["surveying"], json!({})).await;

    add_person(&t, "liuzhou-editor", Role::Editor, "4502").await;
    let browser = sign_in(&t, "liuzhou-editor").await;
    let token =
        t.store.create_scoped_token("liuzhou-script", Role::Editor, &Scopes::parse("4502").unwrap()).await.unwrap();

    let p = format!("{PARCELS}/GL-0001");
    let u = format!("{UNITS}/GL-U1");
    let mut moved_in = parcel("LZ-0001", square(109.41, 24.33, 0.002));
    moved_in["properties"]["county_code"] = json!("450305");
    moved_in["properties"]["state"] = json!("surveying");
    let mut put_gl = guilin_parcel("GL-0001");
    put_gl["properties"]["name"] = json!("改名");
    put_gl["properties"]["state"] = json!("surveying");
    // (method, uri, body): every write path, and moving a Liuzhou parcel into Guilin
    let writes: Vec<(&str, String, Option<Value>)> = vec![
        ("POST", PARCELS.into(), Some(guilin_parcel("GL-0002"))),
        ("POST", UNITS.into(), Some(guilin_unit("GL-U2"))),
        ("PUT", p.clone(), Some(put_gl)),
        ("PATCH", p.clone(), Some(json!({"properties": {"name": "改名"}}))),
        ("PATCH", p.clone(), Some(json!({"properties": {"county_code": "450205"}}))),
        ("DELETE", format!("{p}?reason=%E8%AF%AF%E5%BD%95"), None),
        (
            "POST",
            format!("{p}/transitions"),
            Some(json!({"to": "cleared", "date": "2024-05-01", "document": "桂环函〔2024〕1号"})),
        ),
        ("PATCH", u.clone(), Some(json!({"properties": {"class": "strict_control"}}))),
        ("DELETE", format!("{u}?reason=%E8%AF%AF%E5%BD%95"), None),
        ("PUT", format!("{PARCELS}/LZ-0001"), Some(moved_in)),
        ("PATCH", format!("{PARCELS}/LZ-0001"), Some(json!({"properties": {"county_code": "450305"}}))),
    ];
    for (method, uri, body) in &writes {
        let by_cookie = browser.send(&t, method, uri, true, body.clone()).await;
        problem(&by_cookie, 403, "out-of-scope");
        let detail = by_cookie.body["detail"].as_str().unwrap();
        assert!(detail.contains("4502") && detail.contains("只能修改"), "{detail}");
        let by_token = t.send(method, uri, Some(&token), &[], body.as_ref().map(|b| b.to_string())).await;
        problem(&by_token, 403, "out-of-scope");
    }
    // Nothing was written: one version per transition walked, no new feature, no audit entry by them.
    assert_eq!(versions(&t, "construction_parcel_versions", "parcel_code", "GL-0001").await, 2);
    assert_eq!(versions(&t, "construction_parcel_versions", "parcel_code", "GL-0002").await, 0);
    assert_eq!(versions(&t, "construction_parcel_versions", "parcel_code", "LZ-0001").await, 2);
    assert_eq!(versions(&t, "farmland_unit_versions", "unit_code", "GL-U1").await, 1);
    assert_eq!(versions(&t, "farmland_unit_versions", "unit_code", "GL-U2").await, 0);
    let theirs: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE actor IN ('liuzhou-editor', 'liuzhou-script') AND collection IS NOT NULL",
    )
    .fetch_one(&t.store.pool)
    .await
    .unwrap();
    assert_eq!(theirs, 0);

    // Their own city they may write, by both paths.
    let r = t
        .send(
            "POST",
            &format!("{PARCELS}/LZ-0001/transitions"),
            Some(&token),
            &[],
            Some(json!({"to": "cleared", "date": "2024-05-01", "document": "柳环函〔2024〕3号"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = browser
        .send(&t, "PATCH", &format!("{PARCELS}/LZ-0001"), true, Some(json!({"properties": {"name": "柳北某厂"}})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut lz2 = parcel("LZ-0002", square(109.42, 24.34, 0.002));
    lz2["properties"]["county_code"] = json!("450203");
    assert_eq!(browser.send(&t, "POST", PARCELS, true, Some(lz2)).await.status, 201);
    assert_eq!(browser.send(&t, "DELETE", &format!("{PARCELS}/LZ-0002?reason=dup"), true, None).await.status, 204);

    // A new scope applies from the next request on, to the same session.
    t.store
        .change_user_scope(
            "liuzhou-editor",
            &landguard::store::people::UserChange { role: None, counties: Some(Scopes::parse("450305").unwrap()) },
        )
        .await
        .unwrap();
    let r = browser.send(&t, "PATCH", &p, true, Some(json!({"properties": {"name": "七星区某电镀厂"}}))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = browser
        .send(&t, "PATCH", &format!("{PARCELS}/LZ-0001"), true, Some(json!({"properties": {"name": "x厂"}})))
        .await;
    problem(&r, 403, "out-of-scope");
    // A viewer writes nowhere, whatever their counties.
    add_person(&t, "guilin-viewer", Role::Viewer, "4503").await;
    let viewer = sign_in(&t, "guilin-viewer").await;
    let r = viewer.send(&t, "PATCH", &p, true, Some(json!({"properties": {"name": "y"}}))).await;
    problem(&r, 403, "forbidden");
}

// ---------------------------------------------------------------- sessions and CSRF

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_cookie_write_needs_the_csrf_header(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "LZ-0001", square(109.41, 24.33, 0.002), &[], json!({})).await;
    add_person(&t, "editor-a", Role::Editor, "").await;
    let r = sign_in_from(&t, "192.0.2.1:40000", "editor-a", PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let set_cookie = r.header("set-cookie").unwrap().to_string();
    for attr in ["landguard_session=lgs_", "HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(set_cookie.contains(attr), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain HTTP: a Secure cookie would never come back");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.body["name"], "editor-a");
    assert_eq!(r.body["role"], "editor");
    assert_eq!(r.body["counties"], json!([]));
    assert_eq!(r.body["via"], "session");
    let cookie_value = set_cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_string();
    assert!(!r.text.contains(&cookie_value), "the cookie's value is only in Set-Cookie");
    let browser = Browser {
        cookie: format!("theme=dark; landguard_session={cookie_value}"),
        csrf: r.body["csrf"].as_str().unwrap().to_string(),
    };

    // GET /session says who is signed in, with the same CSRF value (for a page that was reloaded).
    let who = browser.send(&t, "GET", "/session", false, None).await;
    assert_eq!(who.status, 200, "{}", who.text);
    assert_eq!(who.body["name"], "editor-a");
    assert_eq!(who.body["csrf"], browser.csrf.as_str());
    // Reads need no CSRF value.
    assert_eq!(browser.send(&t, "GET", &format!("{PARCELS}/LZ-0001"), false, None).await.status, 200);

    // A write without the header, or with another session's value, is refused and writes nothing.
    let patch = json!({"properties": {"name": "改名"}});
    let r = browser.send(&t, "PATCH", &format!("{PARCELS}/LZ-0001"), false, Some(patch.clone())).await;
    problem(&r, 403, "csrf");
    assert!(r.body["detail"].as_str().unwrap().contains("X-CSRF-Token"), "{}", r.text);
    let wrong = Browser { cookie: browser.cookie.clone(), csrf: "0".repeat(64) };
    problem(&wrong.send(&t, "PATCH", &format!("{PARCELS}/LZ-0001"), true, Some(patch.clone())).await, 403, "csrf");
    problem(&browser.send(&t, "DELETE", &format!("{PARCELS}/LZ-0001?reason=dup"), false, None).await, 403, "csrf");
    assert_eq!(versions(&t, "construction_parcel_versions", "parcel_code", "LZ-0001").await, 1);
    // With it, the write goes through, in the person's name.
    let r = browser.send(&t, "PATCH", &format!("{PARCELS}/LZ-0001"), true, Some(patch)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let actor: String = sqlx::query_scalar("SELECT actor FROM audit_log WHERE action = 'patch'")
        .fetch_one(&t.store.pool)
        .await
        .unwrap();
    assert_eq!(actor, "editor-a");

    // Behind HTTPS the cookie is Secure.
    let r = send_from(
        &t,
        "192.0.2.1:40000",
        "POST",
        "/session",
        &[("x-forwarded-proto", "https")],
        Some(json!({"name": "editor-a", "password": PASSWORD})),
    )
    .await;
    assert!(r.header("set-cookie").unwrap().ends_with("; Secure"), "{:?}", r.header("set-cookie"));

    // Signing out needs the CSRF value too; then the cookie is cleared and the session is over.
    problem(&browser.send(&t, "DELETE", "/session", false, None).await, 403, "csrf");
    let r = browser.send(&t, "DELETE", "/session", true, None).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    problem(&browser.send(&t, "GET", "/session", false, None).await, 401, "unauthorized");
    let r = browser
        .send(&t, "PATCH", &format!("{PARCELS}/LZ-0001"), true, Some(json!({"properties": {"name": "x"}})))
        .await;
    problem(&r, 401, "unauthorized");
    // An ended session reads as anonymous, like no cookie.
    assert_eq!(browser.send(&t, "GET", &format!("{PARCELS}/LZ-0001"), false, None).await.status, 200);

    // A token is not a session: no cookie, no CSRF value needed, GET /session names its holder.
    let r = t.send("GET", "/session", Some(&t.editor), &[], None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.body["name"].as_str(), r.body["via"].as_str(), r.body.get("csrf")),
        (Some("test-editor"), Some("token"), None)
    );
    let actions: Vec<String> = sqlx::query_scalar("SELECT action FROM audit_log WHERE actor = 'editor-a' ORDER BY id")
        .fetch_all(&t.store.pool)
        .await
        .unwrap();
    assert_eq!(actions, ["session.start", "patch", "session.start", "session.end"]);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn sessions_end_when_idle_or_old(pool: PgPool) {
    let t = app(pool).await;
    add_person(&t, "editor-b", Role::Editor, "").await;
    let browser = sign_in(&t, "editor-b").await;
    assert_eq!(browser.send(&t, "GET", "/session", false, None).await.status, 200);
    // Idle longer than session_idle_mins (60 by default)
    sqlx::query("UPDATE sessions SET last_seen_at = now() - interval '61 minutes'")
        .execute(&t.store.pool)
        .await
        .unwrap();
    problem(&browser.send(&t, "GET", "/session", false, None).await, 401, "unauthorized");
    // Recently seen, but past its end (session_max_hours)
    let browser = sign_in(&t, "editor-b").await;
    sqlx::query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE ended_at IS NULL AND last_seen_at > now() - interval '1 minute'")
        .execute(&t.store.pool)
        .await
        .unwrap();
    problem(&browser.send(&t, "GET", "/session", false, None).await, 401, "unauthorized");
    // A forged or garbled cookie is nobody.
    let forged = Browser { cookie: "landguard_session=lgs_00".into(), csrf: String::new() };
    problem(&forged.send(&t, "GET", "/session", false, None).await, 401, "unauthorized");
    problem(
        &forged.send(&t, "POST", PARCELS, false, Some(parcel("X-1", square(109.4, 24.3, 0.001)))).await,
        401,
        "unauthorized",
    );
}

// ---------------------------------------------------------------- failed sign-ins

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn ten_wrong_passwords_slow_and_then_stop_the_next_attempt(pool: PgPool) {
    let settings = Settings { login_delay_ms: 40, ..Settings::default() };
    let t = app_with(pool, settings).await;
    add_person(&t, "editor-c", Role::Editor, "").await;
    let client = "198.51.100.7:5000";
    // A person who mistypes and then gets it right starts again from nothing.
    for _ in 0..3 {
        problem(&sign_in_from(&t, "198.51.100.70:5000", "editor-c", "mistyped-password").await, 401, "unauthorized");
    }
    assert_eq!(sign_in_from(&t, "198.51.100.70:5000", "editor-c", PASSWORD).await.status, 200);
    let failures = "SELECT count(*) FROM login_failures WHERE name = 'editor-c'";
    assert_eq!(sqlx::query_scalar::<_, i64>(failures).fetch_one(&t.store.pool).await.unwrap(), 0);
    let mut took = Vec::new();
    for i in 0..10 {
        let start = Instant::now();
        let r = sign_in_from(&t, client, "editor-c", &format!("wrong-password-{i}")).await;
        took.push(start.elapsed());
        problem(&r, 401, "unauthorized");
        assert!(r.header("set-cookie").is_none());
        assert!(r.body["detail"].as_str().unwrap().contains("用户名或密码错误"), "{}", r.text);
    }
    // Each failure so far adds the delay to the next attempt: the tenth waited nine steps (360 ms).
    assert!(took[9] >= Duration::from_millis(360), "the tenth attempt took {:?}", took[9]);
    // Against the quickest of the first three (the others may have waited for a busy CPU, not the delay).
    let quickest = took[..3].iter().min().copied().unwrap_or_default();
    assert!(took[9] > quickest + Duration::from_millis(200), "{took:?}");
    // The eleventh is refused without looking at the password, even the right one.
    let start = Instant::now();
    let r = sign_in_from(&t, client, "editor-c", PASSWORD).await;
    problem(&r, 429, "too-many-sign-ins");
    assert_eq!(r.header("retry-after"), Some("900"));
    assert!(start.elapsed() < Duration::from_millis(300), "a refusal answers at once");
    // ...from any address: the limit is the account's.
    problem(&sign_in_from(&t, "203.0.113.9:6000", "editor-c", PASSWORD).await, 429, "too-many-sign-ins");
    // An unknown name fails and counts like a wrong password.
    problem(&sign_in_from(&t, "203.0.113.9:6000", "nobody", PASSWORD).await, 401, "unauthorized");
    // When the window (login_window_secs) has passed, the right password signs in again.
    sqlx::query("UPDATE login_failures SET at = at - interval '901 seconds'").execute(&t.store.pool).await.unwrap();
    let r = sign_in_from(&t, client, "editor-c", PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

/// Guesses sent all at once get no more tries than guesses sent one by one.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_limit_holds_for_guesses_sent_at_once(pool: PgPool) {
    let settings = Settings { login_delay_ms: 0, ..Settings::default() };
    let t = app_with(pool, settings).await;
    add_person(&t, "editor-f", Role::Editor, "").await;
    let guesses = (0..20).map(|i| {
        let t = &t;
        async move {
            sign_in_from(t, &format!("198.51.100.{i}:5000"), "editor-f", &format!("guess-number-{i}")).await.status
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let tried = statuses.iter().filter(|s| s.as_u16() == 401).count();
    let refused = statuses.iter().filter(|s| s.as_u16() == 429).count();
    assert_eq!(tried + refused, 20, "{statuses:?}");
    assert!(tried <= 10, "{tried} of 20 guesses sent at once had their password checked: {statuses:?}");
    // Refused attempts count for nothing: one by one, the rest of the ten are tried, and no more.
    let mut then_tried = 0;
    while sign_in_from(&t, "192.0.2.1:40000", "editor-f", "one-more-guess").await.status == 401 {
        then_tried += 1;
        assert!(tried + then_tried <= 10, "more than ten guesses were checked");
    }
    assert_eq!(tried + then_tried, 10);
    problem(&sign_in_from(&t, "192.0.2.1:40000", "editor-f", PASSWORD).await, 429, "too-many-sign-ins");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn failures_from_one_address_stop_it_for_every_name(pool: PgPool) {
    let settings = Settings { login_delay_ms: 1, login_max_failures_per_client: 5, ..Settings::default() };
    let t = app_with(pool, settings).await;
    add_person(&t, "editor-d", Role::Editor, "").await;
    let guesser = "198.51.100.8:5000";
    for i in 0..5 {
        let r = sign_in_from(&t, guesser, &format!("name-{i}"), "guess-guess-guess").await;
        problem(&r, 401, "unauthorized");
    }
    problem(&sign_in_from(&t, guesser, "editor-d", PASSWORD).await, 429, "too-many-sign-ins");
    // Another address is not held up by that one.
    let r = sign_in_from(&t, "198.51.100.9:5000", "editor-d", PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // Bad bodies are 400s, and count for nothing.
    for body in [
        json!({"name": "editor-d"}),
        json!({"name": "", "password": "x"}),
        json!({"name": "editor-d", "password": PASSWORD, "remember": true}),
        json!([1]),
    ] {
        let r = send_from(&t, "198.51.100.10:5000", "POST", "/session", &[], Some(body)).await;
        assert_eq!(r.status, 400, "{}", r.text);
    }
}

// ---------------------------------------------------------------- disabled people, resets

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_disabled_persons_session_stops_at_once(pool: PgPool) {
    let t = app(pool).await;
    parcel_in(&t, "LZ-0001", square(109.41, 24.33, 0.002), &[], json!({})).await;
    add_person(&t, "editor-e", Role::Editor, "4502").await;
    let browser = sign_in(&t, "editor-e").await;
    let other_browser = sign_in(&t, "editor-e").await;
    let r = browser
        .send(&t, "PATCH", &format!("{PARCELS}/LZ-0001"), true, Some(json!({"properties": {"name": "一"}})))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    t.store.disable_user("editor-e").await.unwrap();
    for b in [&browser, &other_browser] {
        let r =
            b.send(&t, "PATCH", &format!("{PARCELS}/LZ-0001"), true, Some(json!({"properties": {"name": "二"}}))).await;
        problem(&r, 401, "unauthorized");
        problem(&b.send(&t, "GET", "/session", false, None).await, 401, "unauthorized");
    }
    // ...and they cannot sign in again, even with the right password (told so only once it is right).
    let r = sign_in_from(&t, "192.0.2.1:40000", "editor-e", PASSWORD).await;
    problem(&r, 403, "forbidden");
    assert!(r.body["detail"].as_str().unwrap().contains("disabled"), "{}", r.text);
    problem(&sign_in_from(&t, "192.0.2.1:40000", "editor-e", "wrong-password").await, 401, "unauthorized");
    // Enabled again, they sign in anew; the old sessions stay ended.
    t.store.enable_user("editor-e").await.unwrap();
    problem(&browser.send(&t, "GET", "/session", false, None).await, 401, "unauthorized");
    let fresh = sign_in(&t, "editor-e").await;
    assert_eq!(fresh.send(&t, "GET", "/session", false, None).await.status, 200);

    // A password reset ends every session, and the old password stops working.
    t.store.set_password("editor-e", &hash_password("新的密码-桂环2026").unwrap()).await.unwrap();
    problem(&fresh.send(&t, "GET", "/session", false, None).await, 401, "unauthorized");
    problem(&sign_in_from(&t, "192.0.2.1:40000", "editor-e", PASSWORD).await, 401, "unauthorized");
    assert_eq!(sign_in_from(&t, "192.0.2.1:40000", "editor-e", "新的密码-桂环2026").await.status, 200);
}

// ---------------------------------------------------------------- the command line

fn db_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let base = base.split('?').next().unwrap_or(&base).to_string();
    let (server, _) = base.rsplit_once('/').expect("a database URL");
    format!("{server}/{}", pool.connect_options().get_database().expect("a database name"))
}

/// Runs the binary with `stdin` as its standard input (a pipe, not a terminal).
fn landguard(url: &str, args: &[&str], stdin: &str) -> (bool, String, String) {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", url)
        .env_remove("LANDGUARD_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run landguard");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn people_are_managed_from_the_command_line(pool: PgPool) {
    let url = db_url(&pool);
    let t = app(pool).await;
    let (ok, _, err) = landguard(
        &url,
        &["user", "create", "--name", "wang.li", "--role", "editor", "--counties", "4502,450321"],
        &format!("{PASSWORD}\n"),
    );
    assert!(ok, "{err}");
    assert!(err.contains("may write 4502,450321"), "{err}");
    assert!(!err.contains(PASSWORD));
    let (ok, _, err) =
        landguard(&url, &["user", "create", "--name", "chen.admin", "--role", "admin"], &format!("{PASSWORD}\r\n"));
    assert!(ok, "{err}");
    let browser = sign_in(&t, "wang.li").await;
    assert_eq!(browser.send(&t, "GET", "/session", false, None).await.body["counties"], json!(["4502", "450321"]));
    assert_eq!(sign_in_from(&t, "192.0.2.1:1", "chen.admin", PASSWORD).await.body["role"], "admin");

    let (ok, list, err) = landguard(&url, &["user", "list"], "");
    assert!(ok, "{err}");
    let line = list.lines().find(|l| l.starts_with("wang.li\t")).unwrap_or_else(|| panic!("{list}"));
    assert!(line.contains("\teditor\t4502,450321\t") && line.contains("\tactive\t1 open session"), "{line}");
    assert!(list.lines().any(|l| l.starts_with("chen.admin\tadmin\tall\t")), "{list}");
    assert!(!list.contains("argon2"), "never a hash");

    // A reset from standard input; the old sessions end.
    let (ok, _, err) = landguard(&url, &["user", "passwd", "--name", "wang.li"], "另一个足够长的新密码\n");
    assert!(ok, "{err}");
    problem(&browser.send(&t, "GET", "/session", false, None).await, 401, "unauthorized");
    assert_eq!(sign_in_from(&t, "192.0.2.1:1", "wang.li", "另一个足够长的新密码").await.status, 200);
    // New counties and role, effective at once.
    let (ok, _, err) =
        landguard(&url, &["user", "update", "--name", "wang.li", "--counties", "all", "--role", "approver"], "");
    assert!(ok, "{err}");
    let (_, list, _) = landguard(&url, &["user", "list"], "");
    assert!(list.lines().any(|l| l.starts_with("wang.li\tapprover\tall\t")), "{list}");
    let (ok, _, err) = landguard(&url, &["user", "disable", "--name", "wang.li"], "");
    assert!(ok, "{err}");
    let (_, list, _) = landguard(&url, &["user", "list"], "");
    assert!(
        list.lines().any(|l| l.starts_with("wang.li\t") && l.contains("\tdisabled ") && l.ends_with("0 open sessions")),
        "{list}"
    );

    // Scoped tokens for a county's scripts.
    let (ok, out, err) =
        landguard(&url, &["token", "create", "--name", "guilin-sync", "--role", "editor", "--counties", "4503"], "");
    assert!(ok, "{err}");
    let token = out.lines().last().unwrap().trim().to_string();
    let r =
        t.send("POST", PARCELS, Some(&token), &[], Some(parcel("LZ-9", square(109.4, 24.3, 0.001)).to_string())).await;
    problem(&r, 403, "out-of-scope");
    let (_, list, _) = landguard(&url, &["token", "list"], "");
    assert!(list.lines().any(|l| l.starts_with("guilin-sync\teditor\t4503\t")), "{list}");

    // Refusals, each with its reason on one line, changing nothing.
    let refusals: [(&[&str], &str, &str); 8] = [
        (&["user", "create", "--name", "a", "--role", "editor"], "short\n", "at least 10 characters"),
        (&["user", "create", "--name", "b", "--role", "editor"], "", "no password on standard input"),
        (&["user", "create", "--name", "wang.li", "--role", "editor"], "long enough password\n", "exists already"),
        (&["user", "create", "--name", "c d", "--role", "editor"], "long enough password\n", "no spaces"),
        (&["user", "create", "--name", "e", "--role", "root"], "long enough password\n", "unknown role"),
        (
            &["user", "create", "--name", "f", "--role", "editor", "--counties", "45"],
            "long enough password\n",
            "not a county code",
        ),
        (&["user", "disable", "--name", "wang.li"], "", "no enabled person named 'wang.li'"),
        (&["user", "passwd", "--name", "nobody"], "long enough password\n", "no person named 'nobody'"),
    ];
    for (args, stdin, reason) in refusals {
        let (ok, _, err) = landguard(&url, args, stdin);
        assert!(!ok, "{args:?} succeeded");
        assert!(err.lines().next().is_some_and(|l| l.contains(reason)), "{args:?}: {err}");
    }
    let (_, list, _) = landguard(&url, &["user", "list"], "");
    assert_eq!(list.lines().count(), 2, "{list}");
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action || ' ' || feature_id FROM audit_log WHERE action LIKE 'user.%' ORDER BY id")
            .fetch_all(&t.store.pool)
            .await
            .unwrap();
    assert_eq!(
        actions,
        [
            "user.create wang.li",
            "user.create chen.admin",
            "user.passwd wang.li",
            "user.update wang.li",
            "user.disable wang.li"
        ]
    );
}
