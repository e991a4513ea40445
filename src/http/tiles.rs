//! Vector tiles of the collections (the one map): MVT built by PostGIS, TileJSON, and a cache that is
//! never stale.
//!
//! Every tile request reads the collection's data version (one indexed row). The ETag and the cache key
//! both contain it, so a tile made before a write, by this process or any other, is neither answered 304
//! nor served from the cache after the write has committed.

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::features::collection;
use super::params::Params;
use super::{base_url, AppState};
use crate::domain::registry::Collection;
use crate::domain::time::AsOf;
use crate::store::tiles::{DataVersion, TileId, MAX_ZOOM};
use crate::tilecache::{CachedTile, Lookup, TileKey};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const MVT: &str = "application/vnd.mapbox-vector-tile";
/// The one tile matrix set served.
pub const WEB_MERCATOR_QUAD: &str = "WebMercatorQuad";
/// The zoom TileJSON advertises as `maxzoom`: at 18 one unit of the 4096 grid is under 4 cm, so deeper
/// tiles add nothing and clients overzoom instead (tiles are still served down to zoom 22).
pub const TILEJSON_MAXZOOM: u8 = 18;
/// Changes whenever the tile SQL or encoding changes, so clients' ETags from an older build never match.
const TILE_FORMAT: &str = "mvt-3";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/collections/{collection}/tiles", get(tilesets))
        .route("/collections/{collection}/tiles/{tms}", get(tilejson))
        .route("/collections/{collection}/tiles/{tms}/{z}/{y}/{x}", get(tile))
}

fn tile_matrix_set(tms: &str) -> ApiResult<()> {
    if tms == WEB_MERCATOR_QUAD {
        Ok(())
    } else {
        Err(ApiError::not_found(format!("no tile matrix set '{tms}' (served: {WEB_MERCATOR_QUAD})")))
    }
}

fn bad_tile(name: &str, detail: String) -> ApiError {
    let mut e = ApiError::new(StatusCode::BAD_REQUEST, "bad-tile", "Bad tile address", format!("{name}: {detail}"));
    e.extra.insert("parameter".into(), json!(name));
    e
}

/// `{z}/{y}/{x}` of WebMercatorQuad; `x` may carry a `.mvt` or `.pbf` suffix, as some clients add one.
pub fn parse_tile(z: &str, y: &str, x: &str) -> ApiResult<TileId> {
    let x = x.strip_suffix(".mvt").or_else(|| x.strip_suffix(".pbf")).unwrap_or(x);
    let digits = |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
    let z: u8 = match z.parse() {
        Ok(n) if digits(z) && n <= MAX_ZOOM => n,
        _ => return Err(bad_tile("z", format!("must be a zoom level from 0 to {MAX_ZOOM}, not '{z}'"))),
    };
    let n = 1u64 << z;
    let in_range = |name: &str, what: &str, v: &str| -> ApiResult<u32> {
        match v.parse::<u64>() {
            Ok(i) if digits(v) && i < n => Ok(i as u32),
            _ => Err(bad_tile(name, format!("must be a {what} from 0 to {} at zoom {z}, not '{v}'", n - 1))),
        }
    };
    let y = in_range("y", "row", y)?;
    let x = in_range("x", "column", x)?;
    TileId::new(z, x, y).ok_or_else(|| bad_tile("z", format!("tile {z}/{y}/{x} is outside the tile matrix set")))
}

/// ETag of a tile: a hash of everything its bytes depend on.
pub fn tile_etag(c: Collection, t: TileId, as_of: AsOf, v: DataVersion, max_bytes: usize) -> String {
    let date = as_of.date().map(|d| d.to_string()).unwrap_or_default();
    let text = format!(
        "{TILE_FORMAT}|{}|{c}|{}|{}|{}|{date}|{}|{}|{max_bytes}",
        env!("CARGO_PKG_VERSION"),
        t.z,
        t.x,
        t.y,
        v.seq,
        v.stamp
    );
    let digest = Sha256::digest(text.as_bytes());
    // Weak: the compression layer sends the same tile gzipped or not, and a strong tag would have to
    // differ between the two; weak comparison is what If-None-Match uses anyway.
    format!("W/\"t{}\"", hex::encode(&digest[..12]))
}

fn set(resp: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

fn not_modified(etag: &str) -> Response {
    let mut resp = StatusCode::NOT_MODIFIED.into_response();
    set(&mut resp, "etag", etag);
    set(&mut resp, "cache-control", "no-cache");
    resp
}

/// An empty tile is 200 with an empty body and the MVT type: OpenLayers and MapLibre both take it as a
/// tile with no features (a 204 is handled too by both, but some proxies and caches treat it oddly).
/// The header values are static or made with the tile (its ETag): a cached tile is answered without
/// formatting, hashing or validating any of them again.
fn tile_response(t: &CachedTile, how: Lookup) -> Response {
    use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG};
    use axum::http::HeaderName;
    let mut resp = (StatusCode::OK, t.mvt.clone()).into_response();
    let h = resp.headers_mut();
    // Room for these and the layers' own (vary, date, content-length) from the start: the map grew
    // twice per tile otherwise, the second time in a layer's lookup of a header it does not set (perf).
    h.reserve(16);
    h.insert(CONTENT_TYPE, HeaderValue::from_static(MVT));
    h.insert(ETAG, t.etag.clone());
    // Clients keep the tile but ask again each time; the answer is a cheap 304 while nothing changed.
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(HeaderName::from_static("x-tile-cache"), HeaderValue::from_static(how.as_str()));
    h.insert(HeaderName::from_static("x-tile-detail"), HeaderValue::from_static(t.detail.as_str()));
    if t.oversize {
        h.insert(HeaderName::from_static("x-tile-oversize"), HeaderValue::from_static("true"));
    }
    resp
}

type TilePath = (String, String, String, String, String);

/// The lon/lat extent of a collection (current or as of a day), computed once per data version.
pub async fn cached_extent(state: &AppState, c: Collection, as_of: AsOf) -> ApiResult<Option<[f64; 4]>> {
    let version = state.tiles.data_version(&state.store, c).await?;
    Ok(match state.tiles.extent(c, as_of.date(), version) {
        Some(b) => b,
        None => {
            let (v, b) = state.store.extent(c, as_of).await?;
            state.tiles.put_extent(c, as_of.date(), v, b);
            b
        }
    })
}

async fn tile(
    State(state): State<AppState>,
    caller: Caller,
    path: Result<Path<TilePath>, PathRejection>,
    RawQuery(q): RawQuery,
    // the request itself rather than a copy of its headers (extracting a HeaderMap clones it)
    request: Request,
) -> ApiResult<Response> {
    let headers = request.headers();
    let Path((coll, tms, z, y, x)) = path.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let c = collection(&coll)?;
    tile_matrix_set(&tms)?;
    caller.reader(&state, c)?;
    let t = parse_tile(&z, &y, &x)?;
    let params = Params::parse(q.as_deref(), &["datetime", "f"])?;
    if let Some(f) = params.get("f").filter(|f| *f != "mvt") {
        return Err(ApiError::bad_parameter("f", format!("tiles are served as mvt only, not '{f}'")));
    }
    let as_of = params.as_of()?;
    let max_bytes = state.settings.tile_max_bytes;

    // With no cache and no replica, the tile's statement is the only one: the version it was made from comes
    // with it (same statement, same snapshot, taken after this request arrived, so as fresh as the last
    // committed write), and its ETag says that version. A conditional request still reads the version
    // first, for a 304 without rendering.
    let conditional = headers.contains_key(axum::http::header::IF_NONE_MATCH);
    if state.tiles.capacity() == 0 && state.reads.is_none() && !conditional {
        let made = state.tiles.render_only(made(&state, &state.store, c, t, as_of, None)).await?;
        return Ok(tile_response(&made, Lookup::Rendered));
    }

    // The current data version, read on every request from the primary (batched with concurrent
    // requests, never older than this request): the cache and the ETag are only ever as fresh as this,
    // and it is as fresh as the last committed write, whoever made it.
    let version = state.tiles.data_version(&state.store, c).await?;
    state.tiles.observe(c, version).await;
    if conditional {
        let etag = tile_etag(c, t, as_of, version, max_bytes);
        if crate::conditional::not_modified(headers, &etag) {
            state.tiles.count_not_modified();
            return Ok(not_modified(&etag));
        }
    }
    let key = TileKey { collection: c, z: t.z, x: t.x, y: t.y, as_of: as_of.date(), version };
    let render = async {
        let store = state.reader(&caller).await;
        made(&state, &store, c, t, as_of, Some(version)).await
    };
    let (made, how) = state.tiles.get_or_render(key, render).await.map_err(|e| shared_error(&e))?;
    Ok(tile_response(&made, how))
}

/// A tile rendered by `store`, with its ETag. It comes with the version it was made from (same statement,
/// same snapshot), which may be newer than `at_least` if a write committed in between: its ETag says that
/// version. A read replica may render it; one that has not replayed up to `at_least` yet would make a
/// stale tile, so the primary makes it then.
async fn made(
    state: &AppState,
    store: &crate::store::Store,
    c: Collection,
    t: TileId,
    as_of: AsOf,
    at_least: Option<DataVersion>,
) -> ApiResult<CachedTile> {
    let max_bytes = state.settings.tile_max_bytes;
    let mut r = store.tile(c, t, as_of, max_bytes).await?;
    if at_least.is_some_and(|v| r.version.seq < v.seq) {
        r = state.store.tile(c, t, as_of, max_bytes).await?;
    }
    let etag = tile_etag(c, t, as_of, r.version, max_bytes);
    Ok(CachedTile {
        mvt: Bytes::from(r.mvt),
        detail: r.detail,
        oversize: r.oversize,
        version: r.version,
        // hex digits in quotes: always a valid header value
        etag: HeaderValue::try_from(etag).map_err(|_| ApiError::internal())?,
    })
}

/// The error of a render shared by concurrent requests, for each of them.
fn shared_error(e: &ApiError) -> ApiError {
    ApiError {
        detail: e.detail.clone(),
        errors: e.errors.clone(),
        extra: e.extra.clone(),
        ..ApiError::new(e.status, e.kind, e.title, "")
    }
}

/// The properties of a collection's tile layer, as TileJSON `fields` (name → type).
pub fn layer_fields(c: Collection) -> Value {
    use crate::domain::collection::{Kind, Tile};
    let fields: serde_json::Map<String, Value> = c
        .description()
        .properties
        .iter()
        .filter(|p| p.tile != Tile::No)
        .map(|p| {
            let kind = match p.kind {
                Kind::Bool => "Boolean",
                Kind::Int | Kind::Number => "Number",
                // a list is joined into one text: MVT has no arrays
                Kind::Text | Kind::Date | Kind::TextList | Kind::IntList => "String",
            };
            (p.name.to_string(), json!(kind))
        })
        .collect();
    Value::Object(fields)
}

fn template(base: &str, c: Collection, datetime: Option<&str>) -> String {
    let mut url = format!("{base}/collections/{c}/tiles/{WEB_MERCATOR_QUAD}/{{z}}/{{y}}/{{x}}");
    if let Some(d) = datetime {
        url.push('?');
        url.push_str(&form_urlencoded::Serializer::new(String::new()).append_pair("datetime", d).finish());
    }
    url
}

async fn tilejson(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, tms)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let c = collection(&coll)?;
    tile_matrix_set(&tms)?;
    caller.reader(&state, c)?;
    let params = Params::parse(q.as_deref(), &["datetime", "f"])?;
    params.only_formats(&["json", "tilejson"])?;
    let as_of = params.as_of()?;
    let bounds = cached_extent(&state, c, as_of).await?;
    let [w, s, e, n] = bounds.unwrap_or([-180.0, -85.051_128_779_806_6, 180.0, 85.051_128_779_806_6]);
    let center_zoom = if bounds.is_some() { 9 } else { 0 };
    let body = json!({
        "tilejson": "3.0.0",
        "name": c.as_str(),
        "description": c.title(),
        "version": "1.0.0",
        "scheme": "xyz",
        "tiles": [template(&base_url(&headers), c, params.get("datetime"))],
        "minzoom": 0,
        "maxzoom": TILEJSON_MAXZOOM,
        "bounds": [w, s, e, n],
        "center": [(w + e) / 2.0, (s + n) / 2.0, center_zoom],
        "vector_layers": [{
            "id": c.as_str(),
            "description": c.title(),
            "minzoom": 0,
            "maxzoom": TILEJSON_MAXZOOM,
            "fields": layer_fields(c),
        }],
    });
    let mut resp = (StatusCode::OK, body.to_string()).into_response();
    set(&mut resp, "content-type", "application/json");
    set(&mut resp, "cache-control", "no-cache");
    Ok(resp)
}

/// OGC API - Tiles style list of a collection's tilesets (one: WebMercatorQuad vector tiles).
async fn tilesets(
    State(state): State<AppState>,
    caller: Caller,
    Path(coll): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let c = collection(&coll)?;
    caller.reader(&state, c)?;
    Params::parse(q.as_deref(), &["f"])?;
    let base = base_url(&headers);
    let body = json!({
        "links": [{"rel": "self", "type": "application/json", "href": format!("{base}/collections/{c}/tiles")}],
        "tilesets": [{
            "title": c.title(),
            "dataType": "vector",
            "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
            "tileMatrixSetURI": "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad",
            "links": [
                {"rel": "self", "type": "application/json", "title": "TileJSON",
                 "href": format!("{base}/collections/{c}/tiles/{WEB_MERCATOR_QUAD}")},
                {"rel": "item", "type": MVT, "templated": true, "href": template(&base, c, None)},
            ],
        }],
    });
    let mut resp = (StatusCode::OK, body.to_string()).into_response();
    set(&mut resp, "content-type", "application/json");
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_addresses() {
        assert_eq!(parse_tile("0", "0", "0").ok(), TileId::new(0, 0, 0));
        assert_eq!(parse_tile("10", "440", "830.mvt").ok(), TileId::new(10, 830, 440));
        assert_eq!(parse_tile("23", "0", "0").unwrap_err().status, StatusCode::BAD_REQUEST);
        assert!(parse_tile("2", "4", "0").is_err());
        assert!(parse_tile("2", "0", "-1").is_err());
        assert!(parse_tile("a", "0", "0").is_err());
        assert!(parse_tile("+2", "0", "0").is_err());
        assert!(parse_tile("2", "0", "99999999999999999999").is_err());
    }

    #[test]
    fn etags_follow_the_data_version() {
        let t = TileId { z: 5, x: 1, y: 2 };
        let v = DataVersion { seq: 4, stamp: 77 };
        let a = tile_etag(Collection::FarmlandUnits, t, AsOf::Current, v, 500_000);
        assert_eq!(a, tile_etag(Collection::FarmlandUnits, t, AsOf::Current, v, 500_000));
        assert_ne!(
            a,
            tile_etag(Collection::FarmlandUnits, t, AsOf::Current, DataVersion { seq: 5, stamp: 78 }, 500_000)
        );
        assert_ne!(a, tile_etag(Collection::ConstructionParcels, t, AsOf::Current, v, 500_000));
        let day = AsOf::Date(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default());
        assert_ne!(a, tile_etag(Collection::FarmlandUnits, t, day, v, 500_000));
    }
}
