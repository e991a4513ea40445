//! OGC API Features items (Parts 1, 2, 3): GeoJSON built in PostGIS and streamed, keyset paging, CRS,
//! CQL2 filters, sorting, property selection, as-of reads, ETags.

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::features::{collection, feature_response, GEOJSON};
use super::html::{self, Format};
use super::params::Params;
use super::{base_url, AppState};
use crate::conditional::digest;
use crate::cql2;
use crate::domain::crs::Crs;
use crate::domain::registry::Collection;
use crate::store::items::{self, encode_cursor, Bbox, ItemsError, ItemsRequest, SortKey};
use crate::store::layers::{prop_names, props, queryables};
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

pub const ITEMS_PARAMS: &[&str] = &[
    "limit",
    "bbox",
    "bbox-crs",
    "crs",
    "datetime",
    "properties",
    "sortby",
    "filter",
    "filter-lang",
    "filter-crs",
    "f",
    "cursor",
    "numberMatched",
];
const ITEM_PARAMS: &[&str] = &["crs", "datetime", "properties", "f"];

pub const MAX_LIMIT: i64 = 10_000;

impl From<ItemsError> for ApiError {
    fn from(e: ItemsError) -> Self {
        match e {
            ItemsError::Filter(f) => {
                let mut err = ApiError::bad_parameter("filter", &f);
                if let Some(pos) = f.position {
                    err.extra.insert("position".into(), json!(pos));
                }
                if let Some(ptr) = &f.pointer {
                    err.extra.insert("pointer".into(), json!(ptr));
                }
                err
            }
            ItemsError::Cursor => {
                ApiError::bad_parameter("cursor", "is not a cursor this service issued for this query")
            }
        }
    }
}

fn crs_param(params: &Params, name: &str) -> ApiResult<Crs> {
    match params.get(name) {
        None => Ok(Crs::CRS84),
        Some(v) => Crs::parse(v).map_err(|e| ApiError::bad_parameter(name, e)),
    }
}

fn properties_param(params: &Params, c: Collection) -> ApiResult<Option<Vec<&'static str>>> {
    match params.get("properties") {
        None => Ok(None),
        Some(v) => {
            cql2::parse_properties(v, &prop_names(c)).map(Some).map_err(|e| ApiError::bad_parameter("properties", e))
        }
    }
}

fn request(state: &AppState, c: Collection, params: &Params) -> ApiResult<ItemsRequest> {
    let crs = crs_param(params, "crs")?;
    let bbox = match params.bbox()? {
        None => None,
        Some(coords) => Some(Bbox { coords, crs: crs_param(params, "bbox-crs")? }),
    };
    if params.get("bbox-crs").is_some() && bbox.is_none() {
        return Err(ApiError::bad_parameter("bbox-crs", "is given without a bbox"));
    }
    if let Some(fc) = params.get("filter-crs") {
        if Crs::parse(fc).ok() != Some(Crs::CRS84) {
            return Err(ApiError::bad_parameter(
                "filter-crs",
                "spatial literals in filters are read as CRS84 (lon/lat); only CRS84 is accepted",
            ));
        }
    }
    let filter = match params.get("filter") {
        None => {
            if params.get("filter-lang").is_some() {
                return Err(ApiError::bad_parameter("filter-lang", "is given without a filter"));
            }
            None
        }
        Some(text) => Some(match params.get("filter-lang").unwrap_or("cql2-text") {
            // GDAL still sends the pre-standard name.
            "cql2-text" | "cql-text" => cql2::parse_text(text).map_err(ItemsError::Filter)?,
            "cql2-json" => {
                super::limits::check_json_depth(text.as_bytes(), state.settings.max_json_depth).map_err(|_| {
                    ApiError::bad_parameter(
                        "filter",
                        format!("cql2-json nested deeper than {} levels", state.settings.max_json_depth),
                    )
                })?;
                let v: Value = serde_json::from_str(text)
                    .map_err(|e| ApiError::bad_parameter("filter", format!("cql2-json is not valid JSON: {e}")))?;
                cql2::parse_json(&v).map_err(ItemsError::Filter)?
            }
            other => {
                return Err(ApiError::bad_parameter(
                    "filter-lang",
                    format!("must be cql2-text or cql2-json, not '{other}'"),
                ))
            }
        }),
    };
    let sort = match params.get("sortby") {
        None => Vec::new(),
        Some(v) => {
            let keys = cql2::parse_sortby(v, &queryables(c)).map_err(|e| ApiError::bad_parameter("sortby", e))?;
            keys.into_iter()
                .filter_map(|(sql, descending)| {
                    props(c).iter().find(|p| p.filter_sql == sql).map(|prop| SortKey { prop, descending })
                })
                .collect()
        }
    };
    Ok(ItemsRequest {
        collection: c,
        as_of: params.as_of()?,
        bbox,
        filter,
        sort,
        properties: properties_param(params, c)?,
        crs,
        precision_deg: state.settings.coord_precision_deg,
        precision_m: state.settings.coord_precision_m,
        limit: params.limit(100, MAX_LIMIT)?,
        cursor: params.get("cursor").map(str::to_string),
        code: None,
    })
}

fn not_modified(headers: &HeaderMap, etag: &str) -> Option<Response> {
    if crate::conditional::not_modified(headers, etag) {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(v) = HeaderValue::from_str(etag) {
            resp.headers_mut().insert(header::ETAG, v);
        }
        Some(resp)
    } else {
        None
    }
}

fn with_query(url: &str, pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return url.to_string();
    }
    let q = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
    format!("{url}?{q}")
}

pub async fn items(
    State(state): State<AppState>,
    caller: Caller,
    Path(coll): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let c = collection(&coll)?;
    caller.reader(&state, c)?;
    let params = Params::parse(q.as_deref(), ITEMS_PARAMS)?;
    let format = html::format(&params, &headers)?;
    let req = request(&state, c, &params)?;
    let want_count = match params.get("numberMatched") {
        None | Some("false") => false,
        Some("true") => true,
        Some(v) => return Err(ApiError::bad_parameter("numberMatched", format!("must be true or false, not '{v}'"))),
    };
    let plan = req.plan()?;
    let store = state.reader(&caller).await;
    // The page's ETag changes with every write to the collection (from any process), so a 304 is never stale.
    let etag_at = |seq: i64| {
        let repr: &[u8] = if format == Format::Html { b"html" } else { b"json" };
        format!("\"p{seq}-{}\"", digest(&[c.as_str().as_bytes(), q.as_deref().unwrap_or("").as_bytes(), repr]))
    };
    // A conditional request reads the counter first, so that a 304 costs no page. Otherwise the counter
    // comes with the page's rows (see items::stream): one statement, one round trip.
    if headers.contains_key(header::IF_NONE_MATCH) {
        if let Some(resp) = not_modified(&headers, &etag_at(store.change_seq(c).await?)) {
            return Ok(resp);
        }
    }
    // The page (and its count) runs under the pulls' statement time limit.
    let mut db = store.limited(crate::store::Work::Pull).await?;
    let number_matched = if want_count {
        Some(items::count(db.conn(), &plan.count).await.map_err(crate::store::StoreError::from)?)
    } else {
        None
    };

    let base = base_url(&headers);
    let self_url = format!("{base}/collections/{c}/items");
    let kept: Vec<(String, String)> =
        params.pairs().iter().filter(|(k, _)| k != "cursor" && k != "f").cloned().collect();
    let limit = req.limit;
    let crs_uri = req.crs.uri();

    if format == Format::Html {
        let mut rows = Vec::new();
        let mut seq = None;
        let mut stream = Box::pin(items::stream(db.conn(), &plan.page));
        use futures_util::StreamExt;
        while let Some(r) = stream.next().await {
            let row = r.map_err(crate::store::StoreError::from)?;
            seq = Some(row.seq().map_err(crate::store::StoreError::from)?);
            if let Some(f) = row.feature().map_err(crate::store::StoreError::from)? {
                rows.push(serde_json::from_slice::<Value>(f).map_err(|_| ApiError::internal())?);
            }
        }
        drop(stream);
        db.finish().await?;
        let seq = seq.ok_or_else(ApiError::internal)?;
        let json_link =
            with_query(&self_url, &params.pairs().iter().filter(|(k, _)| k != "f").cloned().collect::<Vec<_>>());
        let body = format!(
            "<p>{} features · <a href=\"{}\">GeoJSON</a> · <a href=\"/map/\">在地图上查看 view on the map</a></p>{}",
            rows.len(),
            html::escape(&json_link),
            html::features_table(&rows)
        );
        let mut resp = html::page(&format!("{} — items", c.title()), &body);
        set(&mut resp, header::ETAG, &etag_at(seq));
        return Ok(resp);
    }

    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(32);
    // The status line waits for the first row (or the end): a query that fails or times out before it
    // produces anything (a lock wait, a sort) is answered as a problem, not as a 200 cut short. The first
    // row also brings the change counter the ETag is made of.
    let (first_tx, first_rx) = tokio::sync::oneshot::channel::<Result<i64, sqlx::Error>>();
    tokio::spawn(async move {
        use futures_util::StreamExt;
        let mut rows = Box::pin(items::stream(db.conn(), &plan.page));
        let first = match rows.next().await.map(|r| r.and_then(|row| Ok((row.seq()?, row)))) {
            Some(Ok(first)) => first,
            Some(Err(e)) => {
                let _ = first_tx.send(Err(e));
                return;
            }
            None => {
                let _ = first_tx.send(Err(sqlx::Error::Protocol("the page statement returned no row".into())));
                return;
            }
        };
        if first_tx.send(Ok(first.0)).is_err() {
            return;
        }
        let _ = tx.send(Ok(Bytes::from_static(br#"{"type":"FeatureCollection","features":["#))).await;
        let mut rows = futures_util::stream::iter([Ok(first.1)]).chain(rows);
        let mut n: i64 = 0;
        // The last row so far: only its keys make the `next` link.
        let mut last: Option<items::PageRow> = None;
        // Features are sent in chunks of about CHUNK bytes rather than one by one: a body frame per feature
        // cost the server and the client more than the features themselves. Memory stays bounded (the
        // channel holds at most 32 chunks).
        const CHUNK: usize = 64 * 1024;
        let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + 4096);
        while let Some(row) = rows.next().await {
            match row.and_then(|row| {
                if let Some(feature) = row.feature()? {
                    if n > 0 {
                        buf.push(b',');
                    }
                    buf.extend_from_slice(feature);
                    n += 1;
                }
                Ok(row)
            }) {
                Ok(row) => {
                    last = Some(row);
                    if buf.len() >= CHUNK {
                        let chunk = std::mem::replace(&mut buf, Vec::with_capacity(CHUNK + 4096));
                        if tx.send(Ok(Bytes::from(chunk))).await.is_err() {
                            return;
                        }
                    }
                }
                Err(e) => {
                    // The status line is sent already: end the body short so the client sees a broken
                    // response rather than a page that looks complete.
                    tracing::error!(error = %e, "items stream failed");
                    let _ = tx.send(Err(std::io::Error::other("the query failed mid-stream"))).await;
                    return;
                }
            }
        }
        drop(rows);
        let mut links = vec![
            json!({"rel": "self", "type": GEOJSON, "href": with_query(&self_url, &params_with(&kept, None))}),
            json!({"rel": "alternate", "type": "text/html", "href": with_query(&self_url, &params_with(&kept, Some(("f", "html".into()))))}),
            json!({"rel": "collection", "type": "application/json", "href": format!("{base}/collections/{c}")}),
        ];
        if n == limit {
            if let Some(row) = last {
                let cur = match row.cursor(&plan.keys) {
                    Ok(cur) => cur,
                    Err(e) => {
                        tracing::error!(error = %e, "items cursor unreadable");
                        let _ = tx.send(Err(std::io::Error::other("the next page's cursor could not be read"))).await;
                        return;
                    }
                };
                let next = params_with(&kept, Some(("cursor", encode_cursor(&cur))));
                links.push(json!({"rel": "next", "type": GEOJSON, "href": with_query(&self_url, &next)}));
            }
        }
        let matched = number_matched.map(|m| format!(r#","numberMatched":{m}"#)).unwrap_or_default();
        let tail = format!(
            r#"],"numberReturned":{n}{matched},"timeStamp":"{}","links":{}}}"#,
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            Value::Array(links)
        );
        buf.extend_from_slice(tail.as_bytes());
        let _ = tx.send(Ok(Bytes::from(buf))).await;
        // The body ends when the sender is gone: the client has the whole page before the read-only
        // transaction (if there is one) is committed, which only hands the connection back.
        drop(tx);
        let _ = db.finish().await;
    });
    let seq = match first_rx.await {
        Ok(Ok(seq)) => seq,
        Ok(Err(e)) => return Err(crate::store::StoreError::from(e).into()),
        Err(_) => return Err(ApiError::internal()),
    };
    let etag = etag_at(seq);
    let stream = futures_util::StreamExt::fuse(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }));
    let mut resp = Body::from_stream(stream).into_response();
    set(&mut resp, header::CONTENT_TYPE, GEOJSON);
    set(&mut resp, header::ETAG, &etag);
    set(&mut resp, "content-crs", &format!("<{crs_uri}>"));
    Ok(resp)
}

fn params_with(kept: &[(String, String)], extra: Option<(&str, String)>) -> Vec<(String, String)> {
    let mut v = kept.to_vec();
    if let Some((k, val)) = extra {
        v.push((k.to_string(), val));
    }
    v
}

fn set(resp: &mut Response, name: impl header::IntoHeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

pub async fn item(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let c = collection(&coll)?;
    caller.reader(&state, c)?;
    let params = Params::parse(q.as_deref(), ITEM_PARAMS)?;
    let format = html::format(&params, &headers)?;
    let as_of = params.as_of()?;
    let store = state.reader(&caller).await;
    let doc = store.feature(c, &fid, as_of).await.map_err(|e| match e {
        crate::store::StoreError::NotFound => match as_of.date() {
            Some(d) => ApiError::not_found(format!("{c} has no feature '{fid}' on {d}")),
            None => ApiError::not_found(format!("{c} has no feature '{fid}'")),
        },
        other => other.into(),
    })?;
    let crs = crs_param(&params, "crs")?;
    let properties = properties_param(&params, c)?;
    // The ETag names the version; another CRS, property selection or format is another representation of
    // it. The GeoJSON of the whole feature keeps the plain version tag, which is what If-Match compares.
    let variant = match (crs == Crs::CRS84, &properties) {
        (true, None) => String::new(),
        (_, p) => {
            let props = p.as_ref().map_or_else(|| "*".to_string(), |p| p.join(","));
            format!("-{}", &digest(&[crs.uri().as_bytes(), props.as_bytes()])[..8])
        }
    };
    let html = if format == Format::Html { "-html" } else { "" };
    let etag = format!("\"v{}{variant}{html}\"", doc.version_id);
    if let Some(resp) = not_modified(&headers, &etag) {
        return Ok(resp);
    }
    let json = if variant.is_empty() {
        doc.json
    } else {
        let req = ItemsRequest {
            collection: c,
            as_of,
            bbox: None,
            filter: None,
            sort: Vec::new(),
            properties,
            crs,
            precision_deg: state.settings.coord_precision_deg,
            precision_m: state.settings.coord_precision_m,
            limit: 1,
            cursor: None,
            code: Some(fid.clone()),
        };
        let plan = req.plan()?;
        use futures_util::StreamExt;
        let mut s = Box::pin(items::stream(&store.pool, &plan.page));
        let row = s.next().await.transpose().map_err(crate::store::StoreError::from)?;
        match row.as_ref().map(|r| r.feature()).transpose().map_err(crate::store::StoreError::from)?.flatten() {
            Some(feature) => String::from_utf8(feature.to_vec()).map_err(|_| ApiError::internal())?,
            None => return Err(ApiError::not_found(format!("{c} has no feature '{fid}'"))),
        }
    };
    let links = super::features::feature_links(&base_url(&headers), c, &fid, &params, format);
    if format == Format::Html {
        let f: Value = serde_json::from_str(&json).map_err(|_| ApiError::internal())?;
        let body = format!(
            "{}<p><a href=\"{fid}/history\">历史 history</a> · <a href=\"/map/\">一张图 map</a></p>{}",
            html::links(&json!({ "links": links })),
            html::properties_table(&f),
            fid = html::escape(&fid)
        );
        let mut resp = html::page(&format!("{c} {fid}"), &body);
        set(&mut resp, header::ETAG, &etag);
        return Ok(resp);
    }
    let mut resp = feature_response(StatusCode::OK, super::features::with_links(json, &links), &etag, None);
    set(&mut resp, "content-crs", &format!("<{}>", crs.uri()));
    Ok(resp)
}
