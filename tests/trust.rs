//! Trust: who may do what (admin-only audit log, the token CLI through the binary, no token in any log),
//! and the limits that keep one request from hurting the service: JSON depth, body size, `limit`, statement
//! time limits per kind of work, the request time limit (which must not cut a streamed page), the bounded
//! pool, graceful shutdown of the real binary, and /metrics.

mod common;

use common::*;
use http_body_util::BodyExt;
use landguard::config::Settings;
use serde_json::{json, Value};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const UNITS: &str = "/collections/farmland_units/items";
const PARCELS: &str = "/collections/construction_parcels/items";
const BIN: &str = env!("CARGO_BIN_EXE_landguard");

/// The URL of the throwaway database behind `pool` (same server as DATABASE_URL).
fn db_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let base = base.split('?').next().unwrap_or(&base).to_string();
    let (server, _) = base.rsplit_once('/').expect("a database URL");
    format!("{server}/{}", pool.connect_options().get_database().expect("a database name"))
}

fn is_problem(r: &Resp, status: u16) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(r.header("content-type"), Some("application/problem+json"), "{}", r.text);
    assert_eq!(r.body["status"], status, "{}", r.text);
}

// ---------------------------------------------------------------- access

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_audit_log_is_for_admins(pool: PgPool) {
    let t = app(pool).await;
    for i in 0..3 {
        let r = t
            .write("POST", UNITS, &unit(&format!("GD-{i}"), "safe_use", square(109.3 + i as f64 * 0.01, 24.6, 0.001)))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let etag = t.get(&format!("{UNITS}/GD-1")).await.header("etag").unwrap().to_string();
    let mut patch = unit("GD-1", "strict_control", square(109.31, 24.6, 0.001));
    patch["properties"]["valid_from"] = json!("2024-01-01");
    assert_eq!(t.write_if("PUT", &format!("{UNITS}/GD-1"), &etag, &patch).await.status, 200);

    // refused to everyone but an admin, before anything is read
    is_problem(&t.send("GET", "/audit", None, &[], None).await, 401);
    is_problem(&t.send("GET", "/audit", Some(&t.viewer), &[], None).await, 403);
    let editor = t.send("GET", "/audit", Some(&t.editor), &[], None).await;
    is_problem(&editor, 403);
    assert!(editor.body["detail"].as_str().unwrap().contains("admin"), "{}", editor.text);

    let all = t.send("GET", "/audit", Some(&t.admin), &[], None).await;
    assert_eq!(all.status, 200, "{}", all.text);
    let entries = all.body["entries"].as_array().unwrap();
    // 3 token.create + 3 create + 1 replace, newest first, each with the token's name
    assert_eq!(entries.len(), 7, "{}", all.text);
    assert_eq!(entries[0]["action"], "replace");
    assert_eq!(entries[0]["actor"], "test-editor");
    assert_eq!(entries[0]["feature_id"], "GD-1");
    assert!(entries.windows(2).all(|w| w[0]["id"].as_i64() > w[1]["id"].as_i64()));

    // filtered by feature, and paged with next links that keep the filter
    let one =
        t.send("GET", "/audit?collection=farmland_units&feature_id=GD-1&limit=1", Some(&t.admin), &[], None).await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.body["entries"].as_array().unwrap().len(), 1);
    assert_eq!(one.body["entries"][0]["action"], "replace");
    let next =
        one.body["links"].as_array().unwrap().iter().find(|l| l["rel"] == "next").unwrap()["href"].as_str().unwrap();
    let next = next.trim_start_matches("http://test.local");
    assert!(next.contains("feature_id=GD-1"), "{next}");
    let two = t.send("GET", next, Some(&t.admin), &[], None).await;
    assert_eq!(two.body["entries"].as_array().unwrap().len(), 1, "{}", two.text);
    assert_eq!(two.body["entries"][0]["action"], "create");
    assert!(two.body["links"].as_array().unwrap().iter().all(|l| l["rel"] != "next"), "the last page has no next link");
    let by_actor = t.send("GET", "/audit?actor=landguard-cli", Some(&t.admin), &[], None).await;
    assert_eq!(by_actor.body["numberReturned"], 3);

    for bad in ["limit=0", "limit=1001", "cursor=abc", "collection=secrets", "colour=red", "feature_id=a%00b"] {
        is_problem(&t.send("GET", &format!("/audit?{bad}"), Some(&t.admin), &[], None).await, 400);
    }
}

/// A `MakeWriter` that keeps everything logged.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn tokens_never_reach_the_logs_or_the_tables(pool: PgPool) {
    let t = app(pool).await;
    let capture = Capture::default();
    // Everything, at the most verbose level (sqlx statements, tower-http spans and events, our own).
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let forged = format!("lg_{}", "ab".repeat(32));
    let r = t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await;
    assert_eq!(r.status, 201);
    assert_eq!(t.send("GET", "/audit", Some(&t.admin), &[], None).await.status, 200);
    assert_eq!(t.send("GET", &format!("{UNITS}/GD-1"), Some(&t.viewer), &[], None).await.status, 200);
    assert_eq!(t.send("GET", &format!("{UNITS}?limit=5"), Some(&t.viewer), &[], None).await.status, 200);
    assert_eq!(t.send("POST", UNITS, Some(&forged), &[], Some("{}".into())).await.status, 401);
    assert_eq!(t.send("GET", "/audit", None, &[("authorization", &format!("Basic {forged}"))], None).await.status, 401);
    assert_eq!(t.send("GET", "/nowhere", Some(&t.editor), &[], None).await.status, 404);
    drop(guard);
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("request") && logs.contains("/collections/{collection}/items"),
        "the capture works: {}",
        &logs[..logs.len().min(2000)]
    );
    for token in [&t.editor, &t.viewer, &t.admin, &forged] {
        assert!(!logs.contains(token.as_str()), "a token is in the logs");
        // nor any long piece of it
        assert!(!logs.contains(&token[3..30]), "part of a token is in the logs");
    }
    // at rest: only hashes
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT row_to_json(t)::text FROM api_tokens t UNION ALL SELECT row_to_json(a)::text FROM audit_log a",
    )
    .fetch_all(&t.store.pool)
    .await
    .unwrap();
    for token in [&t.editor, &t.viewer, &t.admin] {
        assert!(rows.iter().all(|r| !r.contains(&token[3..30])), "a token is stored as given");
    }
}

fn landguard(url: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", url)
        .env_remove("LANDGUARD_CONFIG")
        .output()
        .expect("run landguard");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn token_create_list_revoke_through_the_binary(pool: PgPool) {
    let url = db_url(&pool);
    let t = app(pool).await;
    let (ok, out, err) = landguard(&url, &["token", "create", "--name", "cli-editor", "--role", "editor"]);
    assert!(ok, "{err}");
    let token = out.lines().last().unwrap().trim().to_string();
    assert!(token.starts_with("lg_") && token.len() == 67, "{out}");
    assert!(!err.contains(&token));

    let (ok, list, err) = landguard(&url, &["token", "list"]);
    assert!(ok, "{err}");
    let line = list.lines().find(|l| l.starts_with("cli-editor\t")).unwrap_or_else(|| panic!("{list}"));
    assert!(line.contains("\teditor\t") && line.ends_with("active"), "{line}");
    assert!(list.contains("test-admin\tadmin\t"), "{list}");
    assert!(!list.contains(&token[3..]), "list never shows a token");

    // the token works over HTTP until it is revoked
    let r = t
        .send("POST", UNITS, Some(&token), &[], Some(unit("GD-1", "safe_use", square(109.3, 24.6, 0.001)).to_string()))
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let (ok, _, err) = landguard(&url, &["token", "revoke", "--name", "cli-editor"]);
    assert!(ok, "{err}");
    let (_, list, _) = landguard(&url, &["token", "list"]);
    assert!(list.lines().any(|l| l.starts_with("cli-editor\t") && l.contains("revoked")), "{list}");
    let r = t.send("GET", &format!("{UNITS}/GD-1"), Some(&token), &[], None).await;
    is_problem(&r, 401);

    // refusals: one line on stderr, non-zero status
    for (args, says) in [
        (vec!["token", "revoke", "--name", "cli-editor"], "no active token named 'cli-editor'"),
        (vec!["token", "revoke", "--name", "nobody"], "no active token named 'nobody'"),
        (vec!["token", "create", "--name", "test-admin", "--role", "viewer"], "exists already"),
        (vec!["token", "create", "--name", "x", "--role", "root"], "unknown role"),
    ] {
        let (ok, _, err) = landguard(&url, &args);
        assert!(!ok, "{args:?} should fail");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action || ' ' || feature_id FROM audit_log WHERE actor = 'landguard-cli' ORDER BY id",
    )
    .fetch_all(&t.store.pool)
    .await
    .unwrap();
    assert!(
        actions.contains(&"token.create cli-editor".to_string())
            && actions.contains(&"token.revoke cli-editor".to_string()),
        "{actions:?}"
    );
}

// ---------------------------------------------------------------- limits

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn deep_json_large_bodies_and_large_limits_are_refused(pool: PgPool) {
    let settings = Settings { max_body_bytes: 64 * 1024, ..Settings::default() };
    let t = app_with(pool, settings).await;
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    let deep = format!("{{\"type\":\"Feature\",\"geometry\":{}1{}}}", "[".repeat(40), "]".repeat(40));
    let bomb = "[".repeat(60_000);
    for (method, uri) in [
        ("POST", UNITS.to_string()),
        ("PUT", format!("{UNITS}/GD-1")),
        ("PATCH", format!("{UNITS}/GD-1")),
        ("POST", format!("{PARCELS}/P1/transitions")),
        ("POST", "/checks/rezoning".to_string()),
    ] {
        for body in [&deep, &bomb] {
            let r = t.send(method, &uri, Some(&t.editor), &[], Some(body.clone())).await;
            is_problem(&r, 400);
            assert_eq!(r.body["type"], "https://landguard.dev/problems/too-deep", "{method} {uri}: {}", r.text);
        }
    }
    // a filter too
    let deep_filter = format!(
        "{}{{\"op\":\"=\",\"args\":[{{\"property\":\"class\"}},\"safe_use\"]}}{}",
        "{\"op\":\"not\",\"args\":[".repeat(40),
        "]}".repeat(40)
    );
    let r = t.get(&format!("{UNITS}?filter-lang=cql2-json&filter={}", urlenc(&deep_filter))).await;
    is_problem(&r, 400);
    // the default depth leaves room for real features and filters
    let ok_filter = format!(
        "{}{{\"op\":\"=\",\"args\":[{{\"property\":\"class\"}},\"safe_use\"]}}{}",
        "{\"op\":\"not\",\"args\":[".repeat(4),
        "]}".repeat(4)
    );
    assert_eq!(t.get(&format!("{UNITS}?filter-lang=cql2-json&filter={}", urlenc(&ok_filter))).await.status, 200);

    // body size: 413 as a problem, nothing stored
    let mut big = unit("GD-2", "safe_use", square(109.4, 24.6, 0.001));
    big["properties"]["basis_doc"] = json!("x".repeat(100 * 1024));
    let r = t.write("POST", UNITS, &big).await;
    is_problem(&r, 413);
    assert_eq!(t.get(&format!("{UNITS}/GD-2")).await.status, 404);

    // limit: at most 10000
    assert_eq!(t.get(&format!("{UNITS}?limit=10000")).await.status, 200);
    for l in ["10001", "0", "-1", "99999999999999999999"] {
        is_problem(&t.get(&format!("{UNITS}?limit={l}")).await, 400);
    }
}

/// A second router over `store`, with `settings`, sharing the tokens of `seeded` (whose own router has the
/// default limits, so that seeding does not depend on how fast a busy CI machine is).
fn limited(seeded: &TestApp, store: landguard::store::Store, settings: Settings) -> TestApp {
    let app = landguard::http::router(landguard::http::AppState::new(store, std::sync::Arc::new(settings)));
    TestApp {
        app,
        store: seeded.store.clone(),
        editor: seeded.editor.clone(),
        viewer: seeded.viewer.clone(),
        admin: seeded.admin.clone(),
    }
}

fn urlenc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A pool over the same database whose connections carry `statement_timeout`, as `Store::connect` makes them.
async fn pool_with(pool: &PgPool, max: u32, acquire_ms: u64, statement_timeout_ms: u64) -> PgPool {
    let opts = (*pool.connect_options()).clone().options([("statement_timeout", statement_timeout_ms.to_string())]);
    PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_millis(acquire_ms))
        .connect_with(opts)
        .await
        .unwrap()
}

/// Holds ACCESS EXCLUSIVE locks on both registry tables until the transaction is dropped: every query on
/// them waits, which is a slow query on a real path, made on purpose.
async fn lock_registry(pool: &PgPool) -> sqlx::Transaction<'static, sqlx::Postgres> {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE farmland_unit_versions, construction_parcel_versions IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn slow_queries_end_as_503_under_each_kind_of_limit(pool: PgPool) {
    let seeded = app(pool.clone()).await;
    assert_eq!(seeded.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    let etag = seeded.get(&format!("{UNITS}/GD-1")).await.header("etag").unwrap().to_string();
    let settings = Settings {
        items_timeout_ms: 400,
        check_timeout_ms: 400,
        write_timeout_ms: 400,
        request_timeout_ms: 20_000,
        ..Settings::default()
    };
    let t = limited(&seeded, landguard::store::Store::from_pool(pool_with(&pool, 8, 3000, 400).await), settings);
    let versions = t.count("farmland_unit_versions").await;
    let lock = lock_registry(&pool).await;
    let check = json!({"geometry": square(109.3, 24.6, 0.01), "proposed_use": "070101"}).to_string();
    let cases: Vec<(&str, String, Option<String>)> = vec![
        ("GET", format!("{UNITS}?limit=10"), None), // a page: items_timeout_ms
        ("GET", format!("{UNITS}/GD-1"), None),     // a single read: statement_timeout_ms
        ("POST", "/checks/rezoning".into(), Some(check.clone())), // a check: check_timeout_ms
        ("PUT", format!("{UNITS}/GD-1"), Some(unit("GD-1", "strict_control", square(109.3, 24.6, 0.001)).to_string())), // write_timeout_ms
    ];
    for (method, uri, body) in cases {
        let start = Instant::now();
        let r = t.send(method, &uri, Some(&t.editor), &[("if-match", &etag)], body).await;
        let took = start.elapsed();
        is_problem(&r, 503);
        assert_eq!(r.body["type"], "https://landguard.dev/problems/timeout", "{method} {uri}: {}", r.text);
        assert!(r.header("retry-after").is_some());
        assert!(took < Duration::from_secs(3), "{method} {uri} took {took:?}");
        assert!(!r.text.contains("canceling statement"), "no SQL error text: {}", r.text);
    }
    lock.rollback().await.unwrap();
    assert_eq!(t.count("farmland_unit_versions").await, versions, "the timed-out write left nothing");
    assert_eq!(t.get(&format!("{UNITS}?limit=10")).await.status, 200);
    assert_eq!(t.send("POST", "/checks/rezoning", None, &[], Some(check)).await.status, 200);
    let r = t
        .write_if("PUT", &format!("{UNITS}/GD-1"), &etag, &unit("GD-1", "strict_control", square(109.3, 24.6, 0.001)))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_page_without_a_transaction_keeps_the_connections_limit(pool: PgPool) {
    // items_timeout_ms equal to statement_timeout_ms: the page runs on a plain connection (no BEGIN, no
    // SET LOCAL), and the connection's own limit still ends a slow one
    let seeded = app(pool.clone()).await;
    assert_eq!(seeded.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    let settings = Settings {
        items_timeout_ms: 400,
        statement_timeout_ms: 400,
        request_timeout_ms: 20_000,
        ..Settings::default()
    };
    let t = limited(&seeded, landguard::store::Store::from_pool(pool_with(&pool, 4, 3000, 400).await), settings);
    let lock = lock_registry(&pool).await;
    let start = Instant::now();
    let r = t.get(&format!("{UNITS}?limit=10")).await;
    is_problem(&r, 503);
    assert_eq!(r.body["type"], "https://landguard.dev/problems/timeout", "{}", r.text);
    assert!(start.elapsed() < Duration::from_secs(3), "{:?}", start.elapsed());
    lock.rollback().await.unwrap();
    let r = t.get(&format!("{UNITS}?limit=10")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["features"][0]["id"], "GD-1");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_page_runs_on_connections_carrying_the_pulls_limit(pool: PgPool) {
    // items_timeout_ms longer than statement_timeout_ms: Store::connect opens the pages' own connections with
    // the pulls' limit, so a page (no transaction) outlives the default limit while a single read does not
    use sqlx::ConnectOptions;
    let seeded = app(pool.clone()).await;
    assert_eq!(seeded.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    let settings = Settings {
        database_url: Some(pool.connect_options().to_url_lossy().to_string()),
        statement_timeout_ms: 300,
        items_timeout_ms: 20_000,
        request_timeout_ms: 20_000,
        ..Settings::default()
    };
    let store = landguard::store::Store::connect(&settings).await.unwrap();
    assert!(store.pull_pool.is_some());
    let t = limited(&seeded, store, settings);
    let lock = lock_registry(&pool).await;
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        lock.rollback().await.unwrap();
    });
    let start = Instant::now();
    is_problem(&t.get(&format!("{UNITS}/GD-1")).await, 503); // the default limit ends a single read
    assert!(start.elapsed() < Duration::from_millis(1200), "{:?}", start.elapsed());
    let r = t.get(&format!("{UNITS}?limit=10")).await; // waits for the lock, past the default limit
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(start.elapsed() >= Duration::from_millis(1000), "the page waited for the lock: {:?}", start.elapsed());
    assert_eq!(r.body["features"][0]["id"], "GD-1");
    release.await.unwrap();
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn pages_at_the_default_limit_and_tiles_go_back_to_the_lean_pool(pool: PgPool) {
    // With the pulls' limit the default one there is no pages' pool: a page, like a tile, runs on the lean
    // pool's connections (store::pages), each of them back in it, idle, once its statement was read.
    use sqlx::ConnectOptions;
    let seeded = app(pool.clone()).await;
    assert_eq!(seeded.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    let settings = Settings {
        database_url: Some(pool.connect_options().to_url_lossy().to_string()),
        statement_timeout_ms: 5_000,
        items_timeout_ms: 5_000,
        tile_cache_bytes: 0,
        ..Settings::default()
    };
    let store = landguard::store::Store::connect(&settings).await.unwrap();
    assert!(store.pull_pool.is_none());
    let lean = store.lean().cloned().expect("the lean pool");
    let t = limited(&seeded, store, settings);
    let tile = "/collections/farmland_units/tiles/WebMercatorQuad/14/7036/13166";
    assert_eq!(t.get(tile).await.status, 200);
    assert_eq!((lean.size(), lean.num_idle()), (1, 1), "a tile: back in the pool");
    for _ in 0..3 {
        let r = t.get(&format!("{UNITS}?limit=10")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["features"][0]["id"], "GD-1");
        assert_eq!(t.get(tile).await.status, 200);
    }
    assert_eq!((lean.size(), lean.num_idle()), (1, 1), "one connection, reused, back in the pool");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_page_connection_goes_back_only_when_its_statement_was_read_to_the_end(pool: PgPool) {
    // The pages' own pool hands a connection back without asking PostgreSQL anything (store::pages): one
    // whose statement was read to its end is reused as it is; one dropped half way (a client gone
    // mid-page) has a short rest read and is reused, and a long one is closed, its backend ending, rather
    // than the next page finding a half-read answer.
    use futures_util::StreamExt;
    use landguard::store::Work;
    use sqlx::ConnectOptions;
    let settings = Settings {
        database_url: Some(pool.connect_options().to_url_lossy().to_string()),
        statement_timeout_ms: 5_000,
        items_timeout_ms: 20_000,
        ..Settings::default()
    };
    let store = landguard::store::Store::connect(&settings).await.unwrap();
    let (_, pages) = store.pull_pool.clone().expect("the pages' own pool");
    let backend = "SELECT pg_backend_pid()";
    let mut db = store.limited(Work::Pull).await.unwrap();
    let first: i32 = sqlx::query_scalar(backend).fetch_one(db.conn()).await.unwrap();
    db.finish().await.unwrap();
    assert_eq!((pages.size(), pages.num_idle()), (1, 1), "read to its end: back in the pool");
    let settled = |size: u32, idle: usize| {
        let pages = pages.clone();
        async move {
            let start = Instant::now();
            while (pages.size(), pages.num_idle()) != (size, idle) {
                assert!(start.elapsed() < Duration::from_secs(5), "pool at {} / {}", pages.size(), pages.num_idle());
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    };
    let mut db = store.limited(Work::Pull).await.unwrap();
    assert_eq!(sqlx::query_scalar::<_, i32>(backend).fetch_one(db.conn()).await.unwrap(), first, "reused");
    {
        let mut rows = sqlx::query("SELECT g FROM generate_series(1, 100) g").fetch(db.conn());
        rows.next().await.unwrap().unwrap();
    }
    drop(db);
    settled(1, 1).await;
    let mut db = store.limited(Work::Pull).await.unwrap();
    assert_eq!(
        sqlx::query_scalar::<_, i32>(backend).fetch_one(db.conn()).await.unwrap(),
        first,
        "a short rest read: the same connection, its answers in step"
    );
    {
        let mut rows = sqlx::query("SELECT g FROM generate_series(1, 100000000) g").fetch(db.conn());
        rows.next().await.unwrap().unwrap();
    }
    drop(db);
    settled(0, 0).await;
    let start = Instant::now();
    loop {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = $1")
            .bind(first)
            .fetch_one(&pool)
            .await
            .unwrap();
        if n == 0 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "the backend of the dropped page still runs");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut db = store.limited(Work::Pull).await.unwrap();
    assert_ne!(sqlx::query_scalar::<_, i32>(backend).fetch_one(db.conn()).await.unwrap(), first, "a new one");
    db.finish().await.unwrap();
    assert_eq!((pages.size(), pages.num_idle()), (1, 1));
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_request_limit_answers_503_and_rolls_the_write_back(pool: PgPool) {
    let seeded = app(pool.clone()).await;
    assert_eq!(seeded.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    let etag = seeded.get(&format!("{UNITS}/GD-1")).await.header("etag").unwrap().to_string();
    let settings = Settings { request_timeout_ms: 300, write_timeout_ms: 20_000, ..Settings::default() };
    let t = limited(&seeded, landguard::store::Store::from_pool(pool.clone()), settings);
    let (versions, audits) = (t.count("farmland_unit_versions").await, t.count("audit_log").await);
    let lock = lock_registry(&pool).await;
    let start = Instant::now();
    let r = t
        .write_if("PUT", &format!("{UNITS}/GD-1"), &etag, &unit("GD-1", "strict_control", square(109.3, 24.6, 0.001)))
        .await;
    is_problem(&r, 503);
    assert_eq!(r.body["type"], "https://landguard.dev/problems/request-timeout", "{}", r.text);
    assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
    lock.rollback().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(t.count("farmland_unit_versions").await, versions);
    assert_eq!(t.count("audit_log").await, audits);
    // the abandoned transaction holds no lock: the same write goes through
    let r = seeded
        .write_if("PUT", &format!("{UNITS}/GD-1"), &etag, &unit("GD-1", "strict_control", square(109.3, 24.6, 0.001)))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_request_limit_does_not_cut_a_streamed_page(pool: PgPool) {
    // seeded through a router without the tight limit, so that a slow CI machine does not fail the seeding
    let seeder = app(pool.clone()).await;
    for i in 0..60 {
        let r = seeder
            .write(
                "POST",
                UNITS,
                &unit(&format!("GD-{i:02}"), "safe_use", square(109.0 + i as f64 * 0.01, 24.6, 0.001)),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    let t = limited(
        &seeder,
        landguard::store::Store::from_pool(pool),
        Settings { request_timeout_ms: 500, ..Settings::default() },
    );
    use tower::ServiceExt;
    let req = axum::http::Request::builder()
        .uri(format!("{UNITS}?limit=100"))
        .header("host", "test.local")
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = t.app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = resp.into_body();
    let mut bytes = Vec::new();
    // a slow client: it waits past the 500 ms request limit before each chunk it reads, however few
    // chunks the page comes in
    let mut frames = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(600)).await;
        let Some(frame) = body.frame().await else { break };
        let frame = frame.expect("the body is not cut");
        if let Ok(data) = frame.into_data() {
            bytes.extend_from_slice(&data);
        }
        frames += 1;
    }
    assert!(frames >= 1);
    let page: Value = serde_json::from_slice(&bytes).expect("a complete page");
    assert_eq!(page["numberReturned"], 60);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn an_exhausted_pool_answers_503_within_seconds(pool: PgPool) {
    let small = pool_with(&pool, 1, 500, 15_000).await;
    let t = app_with(small.clone(), Settings::default()).await;
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    let held = small.acquire().await.unwrap();
    for uri in [format!("{UNITS}/GD-1"), format!("{UNITS}?limit=5"), "/health".to_string()] {
        let start = Instant::now();
        let r = t.get(&uri).await;
        is_problem(&r, 503);
        assert_eq!(r.body["type"], "https://landguard.dev/problems/unavailable", "{}", r.text);
        assert!(start.elapsed() < Duration::from_secs(2), "{uri}: {:?}", start.elapsed());
    }
    drop(held);
    assert_eq!(t.get(&format!("{UNITS}/GD-1")).await.status, 200);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn metrics_can_require_a_token(pool: PgPool) {
    let t = app_with(pool, Settings { metrics_public: false, ..Settings::default() }).await;
    let anonymous = t.get("/metrics").await;
    is_problem(&anonymous, 401);
    let viewer = t.viewer.clone();
    let scraper = t.send("GET", "/metrics", Some(&viewer), &[], None).await;
    assert_eq!(scraper.status, 200);
    assert!(scraper.text.contains("landguard_http_requests_total"), "{}", scraper.text);
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn metrics_count_by_route_template_and_show_the_pool(pool: PgPool) {
    let t = app(pool).await;
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    for code in ["GD-1", "GD-1", "NOPE"] {
        t.get(&format!("{UNITS}/{code}")).await;
    }
    t.get("/no/such/path").await;
    let m = t.get("/metrics").await;
    assert_eq!(m.status, 200);
    assert!(m.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"));
    let text = &m.text;
    for want in [
        r#"landguard_http_requests_total{method="GET",route="/collections/{collection}/items/{fid}",status="2xx"} 2"#,
        r#"landguard_http_requests_total{method="GET",route="/collections/{collection}/items/{fid}",status="4xx"} 1"#,
        r#"landguard_http_requests_total{method="POST",route="/collections/{collection}/items",status="2xx"} 1"#,
        r#"landguard_http_requests_total{method="GET",route="unmatched",status="4xx"} 1"#,
        r#"landguard_http_request_duration_seconds_count{route="/collections/{collection}/items/{fid}"} 3"#,
        r#"landguard_db_pool_connections{pool="primary",state="idle"}"#,
        r#"landguard_db_pool_connections{pool="primary",state="in_use"}"#,
        r#"landguard_db_pool_max_connections{pool="primary"}"#,
        "landguard_http_requests_in_flight 1",
    ] {
        assert!(text.contains(want), "missing {want} in\n{text}");
    }
    assert!(!text.contains("GD-1") && !text.contains("NOPE"), "paths are never labels");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn metrics_show_the_tile_cache(pool: PgPool) {
    let t = app(pool).await;
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    // the zoom-14 tile {z}/{y}/{x} holding the unit (at low zoom a 100 m square is under a pixel: left out)
    let tile = "/collections/farmland_units/tiles/WebMercatorQuad/14/7036/13166";
    let first = t.get(tile).await;
    assert_eq!(first.status, 200);
    assert_eq!(t.get(tile).await.header("x-tile-cache"), Some("hit"));
    let etag = first.header("etag").unwrap().to_string();
    assert_eq!(t.send("GET", tile, None, &[("if-none-match", &etag)], None).await.status, 304);
    let text = t.get("/metrics").await.text;
    for want in [
        "landguard_tile_cache_hits_total 1",
        "landguard_tile_cache_misses_total 1",
        "landguard_tile_cache_renders_total 1",
        "landguard_tile_cache_not_modified_total 1",
        r#"landguard_tile_cache_evictions_total{reason="size"} 0"#,
        r#"landguard_tile_cache_evictions_total{reason="stale"} 0"#,
        "landguard_tile_cache_entries 1",
        "# TYPE landguard_tile_cache_hits_total counter",
        "# TYPE landguard_tile_cache_bytes gauge",
        r#"landguard_http_requests_total{method="GET",route="/collections/{collection}/tiles/{tms}/{z}/{y}/{x}",status="2xx"} 2"#,
        r#"landguard_http_requests_total{method="GET",route="/collections/{collection}/tiles/{tms}/{z}/{y}/{x}",status="3xx"} 1"#,
    ] {
        assert!(text.contains(want), "missing {want} in\n{text}");
    }
    let bytes: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("landguard_tile_cache_bytes "))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no landguard_tile_cache_bytes in\n{text}"));
    assert!(bytes > 128.0, "a tile with a feature weighs more than the bookkeeping alone: {bytes}");
}

// ---------------------------------------------------------------- the binary: graceful shutdown

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// One HTTP/1.1 request over a fresh connection; (status, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok((status, body))
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn sigterm_finishes_the_request_in_flight(pool: PgPool) {
    let url = db_url(&pool);
    let t = app(pool.clone()).await;
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    let port = free_port();
    let scratch = Dir::new("shutdown");
    let log = scratch.path("serve.log");
    let mut child = Command::new(BIN)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &url)
        .env("RUST_LOG", "trace")
        .env_remove("LANDGUARD_CONFIG")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let ready = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        matches!(http(port, "GET", "/health", None, None), Ok((200, _)))
    });
    assert!(ready, "the server did not start: {}", std::fs::read_to_string(&log).unwrap_or_default());

    // a request that waits on a lock we hold: it is certainly in flight when SIGTERM arrives
    let lock = lock_registry(&pool).await;
    let token = t.viewer.clone();
    let in_flight =
        std::thread::spawn(move || http(port, "GET", "/collections/farmland_units/items/GD-1", Some(&token), None));
    let waiting = async {
        for _ in 0..100 {
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'landguard' AND wait_event_type = 'Lock'")
                .fetch_one(&pool)
                .await
                .unwrap();
            if n > 0 {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    };
    assert!(waiting.await, "the request never reached the database");
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(child.try_wait().unwrap().is_none(), "the server must wait for the request in flight");
    assert!(http(port, "GET", "/health", None, None).is_err(), "no new connections once shutting down");
    lock.rollback().await.unwrap();
    let (status, body) = in_flight.join().unwrap().expect("the request in flight is answered");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("GD-1"), "{body}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the server did not exit after its last request");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(code.success(), "{code:?}");
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(logs.contains("shutting down"), "{logs}");
    // the real binary at RUST_LOG=trace: the token sent never shows up
    assert!(logs.contains("/collections/{collection}/items/{fid}"), "trace logging was on");
    assert!(!logs.contains(&t.viewer[3..30]), "the token is in the server's log");
}

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_database_in_sql_ascii_is_refused(pool: PgPool) {
    // SQL_ASCII hands text over unchecked, and pages copy it into their bodies as it comes (store::pages):
    // `landguard migrate` and every command on the registry refuse such a database, saying what to do.
    use sqlx::ConnectOptions;
    let name = format!("landguard_ascii_{}", std::process::id());
    let admin = |sql: String| {
        let pool = pool.clone();
        async move { sqlx::query(&sql).execute(&pool).await.unwrap() }
    };
    admin(format!("DROP DATABASE IF EXISTS {name}")).await;
    admin(format!("CREATE DATABASE {name} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")).await;
    let url = pool.connect_options().as_ref().clone().database(&name).to_url_lossy().to_string();
    let settings = Settings { database_url: Some(url), ..Settings::default() };
    let store = landguard::store::Store::connect(&settings).await.unwrap();
    let e = store.migrate().await.unwrap_err().to_string();
    assert!(e.contains("SQL_ASCII") && e.contains("ENCODING 'UTF8'"), "{e}");
    let e = landguard::store::Store::open(&settings).await.err().expect("refused").to_string();
    assert!(e.contains("SQL_ASCII"), "{e}");
    store.pool.close().await;
    admin(format!("DROP DATABASE {name} WITH (FORCE)")).await;
}
