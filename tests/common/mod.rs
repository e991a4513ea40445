//! Shared helpers for integration tests: the real router over a real PostGIS database (a fresh one per
//! test, created by `#[sqlx::test]` from DATABASE_URL), driven in-process.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use landguard::config::Settings;
use landguard::domain::access::Role;
use landguard::http::{router, AppState};
use landguard::store::Store;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::sync::Arc;
use tower::ServiceExt;

pub struct TestApp {
    pub app: Router,
    pub store: Store,
    pub editor: String,
    pub viewer: String,
    pub admin: String,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn app_with(pool: PgPool, settings: Settings) -> TestApp {
    let store = Store::from_pool(pool);
    // Checks are refused outside the registry's county outlines: the demo outlines cover the test sites.
    store.load_counties(&county_outlines(), "fixtures/counties.geojson").await.unwrap();
    let editor = store.create_token("test-editor", Role::Editor).await.unwrap();
    let viewer = store.create_token("test-viewer", Role::Viewer).await.unwrap();
    let admin = store.create_token("test-admin", Role::Admin).await.unwrap();
    let app = router(AppState::new(store.clone(), Arc::new(settings)));
    TestApp { app, store, editor, viewer, admin }
}

pub async fn app(pool: PgPool) -> TestApp {
    app_with(pool, Settings::default()).await
}

impl TestApp {
    pub async fn send(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<String>,
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(uri).header("host", "test.local");
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req.header("content-type", "application/json").body(Body::from(b)).unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).to_string();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, headers, body, text }
    }

    /// The body bytes as sent (for checking content encodings).
    pub async fn send_raw(&self, method: &str, uri: &str, headers: &[(&str, &str)]) -> Vec<u8> {
        let mut req = Request::builder().method(method).uri(uri).header("host", "test.local");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = self.app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        resp.into_body().collect().await.unwrap().to_bytes().to_vec()
    }

    pub async fn get(&self, uri: &str) -> Resp {
        self.send("GET", uri, None, &[], None).await
    }

    pub async fn write(&self, method: &str, uri: &str, body: &Value) -> Resp {
        let token = self.editor.clone();
        self.send(method, uri, Some(&token), &[], Some(body.to_string())).await
    }

    pub async fn write_if(&self, method: &str, uri: &str, etag: &str, body: &Value) -> Resp {
        let token = self.editor.clone();
        self.send(method, uri, Some(&token), &[("if-match", etag)], Some(body.to_string())).await
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&self.store.pool).await.unwrap()
    }
}

/// The demo county outlines of Liuzhou and Guilin (fixtures/counties.geojson).
pub fn county_outlines() -> Value {
    serde_json::from_str(include_str!("../../fixtures/counties.geojson")).unwrap()
}

/// A scratch directory for a test's files, removed when dropped (also when the test fails).
pub struct Dir(tempfile::TempDir);

impl Dir {
    pub fn new(name: &str) -> Dir {
        Dir(tempfile::Builder::new().prefix(&format!("landguard-{name}-")).tempdir().expect("a scratch directory"))
    }
    /// A file in the directory.
    pub fn path(&self, f: &str) -> std::path::PathBuf {
        self.0.path().join(f)
    }
    pub fn root(&self) -> &std::path::Path {
        self.0.path()
    }
}

/// A small square polygon (side `d` degrees) at lon/lat.
pub fn square(lon: f64, lat: f64, d: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]})
}

pub fn parcel(code: &str, geometry: Value) -> Value {
    json!({"type": "Feature", "geometry": geometry, "properties": {
        "parcel_code": code, "county_code": "450205", "name": "原柳州市某化工厂地块",
        "priority_supervision": true, "key_unit_land": false, "current_use": "100102",
        "use_code_system": "ydyh2023", "former_industry": "化工", "valid_from": "2020-01-10"}})
}

pub fn unit(code: &str, class: &str, geometry: Value) -> Value {
    json!({"type": "Feature", "geometry": geometry, "properties": {
        "unit_code": code, "county_code": "450222", "class": class, "land_type": "0101",
        "measures_in_place": true, "crops_compliant": true, "valid_from": "2022-03-01", "basis_doc": "柳环发〔2022〕15号"}})
}

/// Registers a parcel (its properties overridden by `extra`) and walks it through the lifecycle to the last of `states`.
pub async fn parcel_in(t: &TestApp, code: &str, geom: Value, states: &[&str], extra: Value) {
    let mut f = parcel(code, geom);
    for (k, v) in extra.as_object().unwrap() {
        f["properties"][k] = v.clone();
    }
    let r = t.write("POST", "/collections/construction_parcels/items", &f).await;
    assert_eq!(r.status, 201, "{}", r.text);
    for (i, s) in states.iter().enumerate() {
        let date = format!("2021-{:02}-01", i + 2);
        let r = t
            .write(
                "POST",
                &format!("/collections/construction_parcels/items/{code}/transitions"),
                &json!({"to": s, "date": date, "document": format!("柳环函〔2021〕{}号", i + 1)}),
            )
            .await;
        assert_eq!(r.status, 200, "{code} -> {s}: {}", r.text);
    }
}

/// The XYZ tile holding a lon/lat at zoom z.
pub fn tile_of(lon: f64, lat: f64, z: u32) -> (u32, u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor() as u32;
    let lat = lat.to_radians();
    let y = ((1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor() as u32;
    (z, x, y)
}
