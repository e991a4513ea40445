//! Faults: racing writers with one ETag, a write whose audit row fails (nothing of it may remain), an
//! import killed with SIGKILL, a pg_dump/pg_restore round trip that keeps history, audit and the audit
//! log's append-only triggers, and the database stopped and restarted under a running service (its own
//! PostgreSQL cluster, made with initdb for this test).

mod common;

use common::*;
use landguard::config::Settings;
use landguard::domain::access::Role;
use landguard::http::{router, AppState};
use landguard::store::Store;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const UNITS: &str = "/collections/farmland_units/items";
const PARCELS: &str = "/collections/construction_parcels/items";

fn pgbin(tool: &str) -> PathBuf {
    let dir = std::env::var("PGBIN").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".into());
    Path::new(&dir).join(tool)
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// libpq-style connection arguments for the database behind `pool`.
fn conn_args(pool: &PgPool) -> Vec<String> {
    let o = pool.connect_options();
    vec![
        "-h".into(),
        o.get_host().to_string(),
        "-p".into(),
        o.get_port().to_string(),
        "-U".into(),
        o.get_username().to_string(),
    ]
}

fn db_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let base = base.split('?').next().unwrap_or(&base).to_string();
    format!("{}/{}", base.rsplit_once('/').unwrap().0, pool.connect_options().get_database().unwrap())
}

/// Everything a write touches, as text: versions of both collections, the audit log, the change counters.
async fn snapshot(pool: &PgPool) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "SELECT coalesce(string_agg(t::text, '|' ORDER BY version_id), '') FROM farmland_unit_versions t",
        "SELECT coalesce(string_agg(t::text, '|' ORDER BY version_id), '') FROM construction_parcel_versions t",
        "SELECT coalesce(string_agg(t::text, '|' ORDER BY id), '') FROM audit_log t",
        "SELECT coalesce(string_agg(t::text, '|' ORDER BY collection), '') FROM collection_changes t",
    ] {
        out.push(sqlx::query_scalar(sql).fetch_one(pool).await.unwrap());
    }
    out
}

// ---------------------------------------------------------------- racing writers

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn racing_writers_with_one_etag_one_wins_the_rest_get_412(pool: PgPool) {
    let t = app(pool).await;
    let t = &t;
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    assert_eq!(t.write("POST", PARCELS, &parcel("LZ-1", square(109.4, 24.3, 0.002))).await.status, 201);
    const N: usize = 8;

    for round in 0..3 {
        let etag = t.get(&format!("{UNITS}/GD-1")).await.header("etag").unwrap().to_string();
        let (versions, audits) = (t.count("farmland_unit_versions").await, t.count("audit_log").await);
        let puts =
            (0..N).map(|i| {
                let mut f = unit(
                    "GD-1",
                    ["safe_use", "strict_control", "priority_protection"][i % 3],
                    square(109.3, 24.6, 0.001),
                );
                f["properties"]["basis_doc"] = json!(format!("race {round}-{i}"));
                let body = f.to_string();
                let etag = etag.clone();
                let token = t.editor.clone();
                async move {
                    t.send("PUT", &format!("{UNITS}/GD-1"), Some(&token), &[("if-match", &etag)], Some(body)).await
                }
            });
        let answers = futures_util::future::join_all(puts).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "round {round}: {statuses:?} {:?}",
            answers.iter().map(|r| &r.text).collect::<Vec<_>>()
        );
        assert_eq!(statuses.iter().filter(|s| **s == 412).count(), N - 1, "round {round}: {statuses:?}");
        for r in answers.iter().filter(|r| r.status == 412) {
            assert_eq!(r.header("content-type"), Some("application/problem+json"));
        }
        // one new version (the same-day correction supersedes the old one) and one audit row
        assert_eq!(t.count("farmland_unit_versions").await, versions + 1);
        assert_eq!(t.count("audit_log").await, audits + 1);
        let winner = answers.iter().find(|r| r.status == 200).unwrap();
        assert_eq!(t.get(&format!("{UNITS}/GD-1")).await.header("etag"), winner.header("etag"));
    }

    // transitions race the same way
    let etag = t.get(&format!("{PARCELS}/LZ-1")).await.header("etag").unwrap().to_string();
    let steps = (0..N).map(|i| {
        let body =
            json!({"to": "surveying", "date": "2021-03-01", "document": format!("柳环函〔2021〕{i}号")}).to_string();
        let etag = etag.clone();
        let token = t.editor.clone();
        async move {
            t.send("POST", &format!("{PARCELS}/LZ-1/transitions"), Some(&token), &[("if-match", &etag)], Some(body))
                .await
        }
    });
    let answers = futures_util::future::join_all(steps).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 412).count(), N - 1, "{statuses:?}");
    let history = t.get(&format!("{PARCELS}/LZ-1/history")).await;
    assert_eq!(history.body["versions"].as_array().unwrap().len(), 2, "{}", history.text);
}

// ---------------------------------------------------------------- never half-applied

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn a_write_whose_audit_row_fails_leaves_nothing(pool: PgPool) {
    let t = app(pool.clone()).await;
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    assert_eq!(t.write("POST", PARCELS, &parcel("LZ-1", square(109.4, 24.3, 0.002))).await.status, 201);
    let unit_etag = t.get(&format!("{UNITS}/GD-1")).await.header("etag").unwrap().to_string();
    let parcel_etag = t.get(&format!("{PARCELS}/LZ-1")).await.header("etag").unwrap().to_string();
    let history = t.get(&format!("{PARCELS}/LZ-1/history")).await.text;

    // From now on the audit insert of this editor fails: the last statement of every write's transaction.
    // NOT VALID keeps the rows already there; ALTER TABLE is neither UPDATE, DELETE nor TRUNCATE, so the
    // append-only triggers allow it.
    sqlx::query("ALTER TABLE audit_log ADD CONSTRAINT test_refuse_editor CHECK (actor <> 'test-editor') NOT VALID")
        .execute(&pool)
        .await
        .unwrap();
    let before = snapshot(&pool).await;
    let mut changed = unit("GD-1", "strict_control", square(109.3, 24.6, 0.001));
    changed["properties"]["valid_from"] = json!("2024-06-01");
    let writes: Vec<(&str, String, Option<Value>, Option<&str>)> = vec![
        ("POST", UNITS.into(), Some(unit("GD-2", "safe_use", square(109.31, 24.6, 0.001))), None),
        ("PUT", format!("{UNITS}/GD-1"), Some(changed), Some(&unit_etag)),
        ("PATCH", format!("{UNITS}/GD-1"), Some(json!({"properties": {"class": "strict_control"}})), None),
        ("DELETE", format!("{UNITS}/GD-1?reason=x"), None, Some(&unit_etag)),
        (
            "POST",
            format!("{PARCELS}/LZ-1/transitions"),
            Some(json!({"to": "surveying", "date": "2021-03-01", "document": "柳环函〔2021〕11号"})),
            Some(&parcel_etag),
        ),
    ];
    for (method, uri, body, etag) in writes {
        let headers: Vec<(&str, &str)> = etag.map(|e| vec![("if-match", e)]).unwrap_or_default();
        let r = t.send(method, &uri, Some(&t.editor), &headers, body.map(|b| b.to_string())).await;
        assert_eq!(r.status, 500, "{method} {uri}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert!(
            !r.text.contains("test_refuse_editor") && !r.text.contains("audit_log"),
            "no SQL detail leaks: {}",
            r.text
        );
        assert_eq!(snapshot(&pool).await, before, "{method} {uri} left part of itself behind");
    }
    assert_eq!(t.get(&format!("{UNITS}/GD-1")).await.header("etag"), Some(unit_etag.as_str()));
    assert_eq!(t.get(&format!("{UNITS}/GD-2")).await.status, 404);
    assert_eq!(t.get(&format!("{PARCELS}/LZ-1/history")).await.text, history);

    // with the audit working again, the same write goes through whole
    sqlx::query("ALTER TABLE audit_log DROP CONSTRAINT test_refuse_editor").execute(&pool).await.unwrap();
    let r = t
        .send(
            "POST",
            &format!("{PARCELS}/LZ-1/transitions"),
            Some(&t.editor),
            &[("if-match", &parcel_etag)],
            Some(json!({"to": "surveying", "date": "2021-03-01", "document": "柳环函〔2021〕11号"}).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let audit_rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'transition' AND feature_id = 'LZ-1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(audit_rows, 1);
}

// ---------------------------------------------------------------- killed import

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn an_import_killed_with_sigkill_leaves_the_database_unchanged(pool: PgPool) {
    let t = app(pool.clone()).await;
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    // a large file: 60 000 units on a grid (the import takes seconds, so it is killed mid-way)
    let dir = Dir::new("kill");
    let file = dir.path("big.geojson");
    {
        use std::io::Write;
        let mut w = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        write!(w, r#"{{"type":"FeatureCollection","features":["#).unwrap();
        for i in 0..60_000usize {
            let (x, y) = (108.5 + (i % 300) as f64 * 0.002, 24.0 + (i / 300) as f64 * 0.002);
            let f = json!({"type": "Feature", "geometry": square(x, y, 0.0015), "properties": {
                "unit_code": format!("KILL-{i:06}"), "county_code": "450222", "class": "safe_use", "land_type": "0101",
                "measures_in_place": true, "crops_compliant": true, "valid_from": "2024-01-01", "basis_doc": "柳环发〔2024〕3号"}});
            write!(w, "{}{f}", if i == 0 { "" } else { "," }).unwrap();
        }
        write!(w, "]}}").unwrap();
    }
    let before = snapshot(&pool).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_landguard"))
        .args(["import", file.to_str().unwrap(), "--collection", "farmland_units"])
        .env("DATABASE_URL", db_url(&pool))
        .env("RUST_LOG", "off")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill once rows are flowing into the database (COPY under way), or once the merge runs.
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen = String::new();
    while Instant::now() < deadline {
        let copied: Option<i64> = sqlx::query_scalar(
            "SELECT max(p.tuples_processed) FROM pg_stat_progress_copy p JOIN pg_stat_activity a USING (pid) WHERE a.datname = current_database()",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        let merging: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'landguard' AND state = 'active' AND query ILIKE '%INSERT INTO farmland_unit_versions%'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        if copied.unwrap_or(0) >= 1000 || merging > 0 {
            seen = format!("copied {copied:?}, merging {merging}");
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it could be killed; make the file larger"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!seen.is_empty(), "the import never reached the database");
    assert!(Command::new("kill").args(["-KILL", &child.id().to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed: {status:?} ({seen})");
    // the server ends the orphaned session once it sees the socket closed
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'landguard'")
            .fetch_one(&pool)
            .await
            .unwrap();
        if n == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the killed import's session lingers");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(snapshot(&pool).await, before, "the killed import ({seen}) changed the database");
    let kill_rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM farmland_unit_versions WHERE unit_code LIKE 'KILL-%'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(kill_rows, 0);
    // and the service carries on: a write and an import of a small file both work
    assert_eq!(t.write("POST", UNITS, &unit("GD-2", "safe_use", square(109.31, 24.6, 0.001))).await.status, 201);
}

// ---------------------------------------------------------------- backup and restore

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn pg_dump_and_pg_restore_keep_history_audit_and_triggers(pool: PgPool) {
    let t = app(pool.clone()).await;
    assert_eq!(t.write("POST", PARCELS, &parcel("LZ-1", square(109.4, 24.3, 0.002))).await.status, 201);
    for (to, date) in [("surveying", "2021-03-01"), ("risk_assessment", "2021-09-15"), ("listed", "2022-01-10")] {
        let r = t
            .write(
                "POST",
                &format!("{PARCELS}/LZ-1/transitions"),
                &json!({"to": to, "date": date, "document": format!("柳环函〔{date}〕")}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    let etag = t.get(&format!("{UNITS}/GD-1")).await.header("etag").unwrap().to_string();
    assert_eq!(
        t.send("DELETE", &format!("{UNITS}/GD-1?reason=x"), Some(&t.editor), &[("if-match", &etag)], None).await.status,
        204
    );
    let history = t.get(&format!("{PARCELS}/LZ-1/history")).await.text;
    let unit_history = t.get(&format!("{UNITS}/GD-1/history")).await.text;
    let before = snapshot(&pool).await;

    let db = pool.connect_options().get_database().unwrap().to_string();
    // A short name of its own: the test database's name is 63 characters already, and PostgreSQL would
    // truncate "<it>_restored" back to the original.
    let restored = format!("lg_restore_{}_{}", std::process::id(), before[2].len());
    let scratch = Dir::new("dump");
    let dump = scratch.path(&format!("{db}.dump"));
    let out = Command::new(pgbin("pg_dump"))
        .args(conn_args(&pool))
        .args(["-Fc", "-f", dump.to_str().unwrap(), &db])
        .output()
        .unwrap();
    assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
    sqlx::query(&format!("DROP DATABASE IF EXISTS {restored}")).execute(&pool).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {restored} TEMPLATE template0")).execute(&pool).await.unwrap();
    let out = Command::new(pgbin("pg_restore"))
        .args(conn_args(&pool))
        .args(["--exit-on-error", "--no-owner", "-d", &restored, dump.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "pg_restore: {}", String::from_utf8_lossy(&out.stderr));

    let opts = (*pool.connect_options()).clone().database(&restored);
    let copy = sqlx::postgres::PgPoolOptions::new().max_connections(4).connect_with(opts).await.unwrap();
    assert_eq!(snapshot(&copy).await, before, "every version, audit row and counter is restored as it was");
    // the append-only triggers came along
    for sql in ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
        let err = sqlx::query(sql).execute(&copy).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    // the service over the restored database: same history, tokens still valid, and writes carry on
    // (identity sequences restored: no clash with restored ids)
    let store = Store::from_pool(copy.clone());
    let app2 = router(AppState::new(store, Arc::new(Settings::default())));
    let t2 = TestApp {
        app: app2,
        store: Store::from_pool(copy.clone()),
        editor: t.editor.clone(),
        viewer: t.viewer.clone(),
        admin: t.admin.clone(),
    };
    assert_eq!(t2.get(&format!("{PARCELS}/LZ-1/history")).await.text, history);
    assert_eq!(t2.get(&format!("{UNITS}/GD-1/history")).await.text, unit_history);
    let r = t2
        .write(
            "POST",
            &format!("{PARCELS}/LZ-1/transitions"),
            &json!({"to": "under_control", "date": "2022-06-01", "document": "柳环函〔2022〕27号"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let audit = t2.send("GET", "/audit?feature_id=LZ-1&limit=1", Some(&t.admin), &[], None).await;
    assert_eq!(audit.body["entries"][0]["action"], "transition", "{}", audit.text);
    assert_eq!(audit.body["entries"][0]["actor"], "test-editor");
    drop(t2);
    copy.close().await;
    sqlx::query(&format!("DROP DATABASE {restored} WITH (FORCE)")).execute(&pool).await.unwrap();
}

// ---------------------------------------------------------------- the database stopped and restarted

/// A PostgreSQL cluster of this test's own, stopped and removed when dropped.
struct Cluster {
    dir: Dir,
    port: u16,
}

/// PostgreSQL refuses to run as root. As root, the test's cluster runs as `nobody`, which every Debian has:
/// a test must not create accounts on the machine it runs on.
const UNPRIVILEGED: &str = "nobody";

impl Cluster {
    fn run(&self, tool: &str, args: &[&str]) -> std::process::Output {
        let mut cmd = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", UNPRIVILEGED, "--"]).arg(pgbin(tool));
            c
        } else {
            Command::new(pgbin(tool))
        };
        cmd.args(args).current_dir("/").output().unwrap()
    }

    fn data(&self) -> String {
        self.dir.path("data").to_string_lossy().to_string()
    }

    fn init() -> Cluster {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = Dir::new("pgfault");
        if is_root() {
            let root = dir.root().to_str().unwrap();
            assert!(Command::new("chown").args([&format!("{UNPRIVILEGED}:"), root]).status().unwrap().success());
            let reach = Command::new("runuser").args(["-u", UNPRIVILEGED, "--", "test", "-w", root]).status().unwrap();
            assert!(reach.success(), "{UNPRIVILEGED} cannot reach {root}; set TMPDIR to a directory others may enter");
        }
        let c = Cluster { dir, port };
        let out = c.run("initdb", &["-D", &c.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"]);
        assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
        c.start();
        c
    }

    fn start(&self) {
        let log = self.dir.path("log").to_string_lossy().to_string();
        let opts = format!("-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off", self.port);
        let out = self.run("pg_ctl", &["start", "-w", "-t", "60", "-D", &self.data(), "-l", &log, "-o", &opts]);
        assert!(
            out.status.success(),
            "pg_ctl start: {} {}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    fn stop(&self) {
        let out = self.run("pg_ctl", &["stop", "-w", "-m", "fast", "-D", &self.data()]);
        assert!(out.status.success(), "pg_ctl stop: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.run("pg_ctl", &["stop", "-w", "-m", "immediate", "-D", &self.data()]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_stopped_and_restarted_503_then_recovery() {
    let cluster = tokio::task::spawn_blocking(Cluster::init).await.unwrap();
    let settings =
        Settings { database_url: Some(cluster.url()), acquire_timeout_ms: 1000, pool_size: 4, ..Settings::default() };
    let store = Store::connect(&settings).await.unwrap();
    sqlx::query("CREATE EXTENSION IF NOT EXISTS postgis").execute(&store.pool).await.unwrap();
    store.migrate().await.unwrap();
    // checks are answered inside the registry's county outlines only
    store.load_counties(&county_outlines(), "fixtures/counties.geojson").await.unwrap();
    let editor = store.create_token("fault-editor", Role::Editor).await.unwrap();
    let app = router(AppState::new(store.clone(), Arc::new(settings)));
    let t = TestApp { app, store, editor: editor.clone(), viewer: String::new(), admin: String::new() };
    assert_eq!(t.write("POST", UNITS, &unit("GD-1", "safe_use", square(109.3, 24.6, 0.001))).await.status, 201);
    assert_eq!(t.get(&format!("{UNITS}/GD-1")).await.status, 200);

    tokio::task::block_in_place(|| cluster.stop());
    let check = json!({"geometry": square(109.3, 24.6, 0.01), "proposed_use": "070101"}).to_string();
    let requests: Vec<(&str, String, Option<String>)> = vec![
        ("GET", format!("{UNITS}/GD-1"), None),
        ("GET", format!("{UNITS}?limit=5"), None),
        ("GET", "/health".into(), None),
        ("POST", "/checks/rezoning".into(), Some(check.clone())),
        ("POST", UNITS.into(), Some(unit("GD-2", "safe_use", square(109.31, 24.6, 0.001)).to_string())),
    ];
    for (method, uri, body) in &requests {
        let start = Instant::now();
        let r = t.send(method, uri, Some(&editor), &[], body.clone()).await;
        let took = start.elapsed();
        assert_eq!(r.status, 503, "{method} {uri} while the database is down: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(r.body["type"], "https://landguard.dev/problems/unavailable", "{}", r.text);
        assert!(r.header("retry-after").is_some());
        assert!(took < Duration::from_secs(5), "{method} {uri} took {took:?} to fail");
    }

    tokio::task::block_in_place(|| cluster.start());
    // no restart of the service, no operator: the pool finds its way back
    let start = Instant::now();
    loop {
        let r = t.get(&format!("{UNITS}/GD-1")).await;
        if r.status == 200 {
            break;
        }
        assert_eq!(r.status, 503, "{}", r.text);
        assert!(start.elapsed() < Duration::from_secs(20), "the service did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for (method, uri, body) in &requests {
        let r = t.send(method, uri, Some(&editor), &[], body.clone()).await;
        assert!(r.status.is_success(), "{method} {uri} after recovery: {}", r.text);
    }
    assert_eq!(t.get(&format!("{UNITS}/GD-2")).await.status, 200);
    t.store.pool.close().await;
    drop(cluster);
}

/// A command on a database without this build's migrations says what to run, in one line, and the service
/// does not start on it; `landguard migrate` makes it usable.
#[sqlx::test(migrations = false)]
async fn a_database_without_the_migrations_is_refused_with_what_to_run(pool: PgPool) {
    let name: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&pool).await.unwrap();
    let base = std::env::var("DATABASE_URL").unwrap();
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    let bin = env!("CARGO_BIN_EXE_landguard");
    let run = |args: &[&str]| Command::new(bin).args(args).env("DATABASE_URL", &url).output().unwrap();
    for args in [
        &["demo-status"][..],
        &["serve", "--bind", "127.0.0.1:0"],
        &["report", "annual", "--city", "4502", "--year", "2025", "--out", "/nonexistent/r.html"],
    ] {
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(err.contains("run `landguard migrate` first") && err.trim().lines().count() == 1, "{args:?}: {err}");
    }
    assert!(run(&["migrate"]).status.success());
    assert_eq!(String::from_utf8_lossy(&run(&["demo-status"]).stdout).trim(), "empty");
}
