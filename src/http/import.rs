//! `POST /collections/{collection}/import`: a file uploaded from the map (or any HTTP client) goes through
//! the same all-or-nothing import as `landguard import` (src/import), as the caller: the audit log names
//! them, and every feature must lie in their counties. A dry run answers with the report (every problem
//! feature with where it is, so that a page can show it on the map) and writes nothing.

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::features::collection;
use super::params::Params;
use super::AppState;
use crate::import::{ImportError, ImportOptions, OnInvalid, Report};
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

pub fn routes() -> Router<AppState> {
    Router::new().route("/collections/{collection}/import", post(upload))
}

const PARAMS: &[&str] = &["dry_run", "filename", "source_crs", "encoding", "layer", "on_invalid", "fields", "ignore"];

/// The file's extension, which tells GDAL how to read it: from `filename`, else from the Content-Type.
fn extension(filename: Option<&str>, headers: &HeaderMap) -> ApiResult<&'static str> {
    const KNOWN: &[(&str, &[&str])] = &[
        ("zip", &["application/zip", "application/x-zip-compressed"]),
        ("gpkg", &["application/geopackage+sqlite3"]),
        ("geojson", &["application/geo+json", "application/json"]),
        ("csv", &["text/csv"]),
        ("xlsx", &["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]),
        ("ods", &["application/vnd.oasis.opendocument.spreadsheet"]),
        ("kml", &["application/vnd.google-earth.kml+xml"]),
    ];
    let by_name = filename
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .and_then(|e| KNOWN.iter().find(|(k, _)| *k == e || (e == "json" && *k == "geojson")).map(|(k, _)| *k));
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let by_type = content_type.as_deref().and_then(|t| KNOWN.iter().find(|(_, ts)| ts.contains(&t)).map(|(k, _)| *k));
    by_name.or(by_type).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-file",
            "Unsupported file",
            "可导入：压缩的 Shapefile（.zip）、GeoPackage、GeoJSON、带坐标的 CSV/XLSX/ODS、KML；请给出 filename 参数或 Content-Type — \
             import takes a zipped Shapefile (.zip), GeoPackage, GeoJSON, CSV/XLSX/ODS with coordinates or KML: \
             give the file's name (filename=…) or its Content-Type",
        )
    })
}

/// `fields=地块编号:parcel_code,行政区代码:county_code` and `ignore=备注,OBJECTID` as the TOML of a mapping
/// file (docs/import-export.md), so that a page can choose the mapping a file needs.
fn mapping_toml(fields: Option<&str>, ignore: Option<&str>) -> ApiResult<Option<String>> {
    if fields.is_none() && ignore.is_none() {
        return Ok(None);
    }
    // a TOML basic string, escaped by the toml crate (field names may hold quotes or backslashes)
    let quote = |s: &str| toml::Value::String(s.trim().to_string()).to_string();
    let mut text = String::new();
    if let Some(list) = ignore {
        let names: Vec<String> = list.split(',').filter(|s| !s.trim().is_empty()).map(quote).collect();
        text += &format!("ignore = [{}]\n", names.join(", "));
    }
    text += "[fields]\n";
    for pair in fields.unwrap_or("").split(',').filter(|s| !s.trim().is_empty()) {
        let Some((field, property)) = pair.rsplit_once(':') else {
            return Err(ApiError::bad_parameter(
                "fields",
                format!("每项应为 文件字段:属性，如 地块编号:parcel_code — each item is field:property, such as 地块编号:parcel_code, not '{pair}'"),
            ));
        };
        text += &format!("{} = {}\n", quote(field), quote(property));
    }
    Ok(Some(text))
}

/// A name for the uploaded file in its own directory: the client's base name, kept to safe characters
/// (the audit log shows it), with the extension GDAL needs.
fn stored_name(filename: Option<&str>, ext: &str) -> String {
    let base = filename
        .and_then(|n| n.rsplit(['/', '\\']).next())
        .map(|n| n.rsplit_once('.').map_or(n, |(b, _)| b))
        .map(|b| b.chars().filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.')).take(80).collect::<String>())
        .filter(|b| !b.is_empty() && !b.starts_with('.'))
        .unwrap_or_else(|| "upload".into());
    format!("{base}.{ext}")
}

async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(coll): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let c = collection(&coll)?;
    let who = caller.writer()?;
    let params = Params::parse(q.as_deref(), PARAMS)?;
    let dry_run = match params.get("dry_run") {
        None | Some("false") => false,
        Some("true") => true,
        Some(v) => {
            return Err(ApiError::bad_parameter(
                "dry_run",
                format!("应为 true 或 false — must be true or false, not '{v}'"),
            ))
        }
    };
    let on_invalid = match params.get("on_invalid") {
        None => OnInvalid::Reject,
        Some(v) => v.parse().map_err(|_| {
            ApiError::bad_parameter(
                "on_invalid",
                format!("应为 reject 或 repair — must be reject or repair, not '{v}'"),
            )
        })?,
    };
    let filename = params.get("filename");
    let ext = extension(filename, &headers)?;
    let mapping = mapping_toml(params.get("fields"), params.get("ignore"))?;

    let dir = tempfile::tempdir().map_err(|e| {
        tracing::error!(error = %e, "cannot make a directory for an upload");
        ApiError::internal()
    })?;
    let path = dir.path().join(stored_name(filename, ext));
    save(body, &path, state.settings.max_import_bytes).await?;

    let opts = ImportOptions {
        layer: params.get("layer").map(str::to_string),
        source_crs: params.get("source_crs").map(str::to_string),
        encoding: params.get("encoding").map(str::to_string),
        mapping_toml: mapping,
        writer: Some((who.name.clone(), who.counties.clone())),
        on_invalid,
        dry_run,
        limits: state.settings.feature_limits(),
        ..ImportOptions::new(&path, c)
    };
    let outcome = crate::import::run(&state.store, &opts).await;
    drop(dir);
    match outcome {
        Ok(report) => {
            if report.written {
                state.wrote(&who.name).await;
            }
            let status = if report.written { StatusCode::CREATED } else { StatusCode::OK };
            Ok((status, Json(report_json(&report))).into_response())
        }
        Err(e) => Err(refusal(e)),
    }
}

/// Streams the body into `path`, refusing it past `max` bytes (413) without holding it in memory.
async fn save(body: Body, path: &std::path::Path, max: usize) -> ApiResult<()> {
    let io = |e: std::io::Error| {
        tracing::error!(error = %e, "cannot store an upload");
        ApiError::internal()
    };
    let mut file = tokio::fs::File::create(path).await.map_err(io)?;
    let mut stream = body.into_data_stream();
    let mut size = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("上传中断 — the upload broke off: {e}")))?;
        size += chunk.len();
        if size > max {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "File too large",
                format!("文件超过 {max} 字节的上限（设置 max_import_bytes）— the file is larger than the {max} bytes allowed (setting max_import_bytes)"),
            ));
        }
        file.write_all(&chunk).await.map_err(io)?;
    }
    if size == 0 {
        return Err(ApiError::bad_request(
            "请求体为空：请上传文件 — the body is empty: send the file as the request body",
        ));
    }
    file.flush().await.map_err(io)
}

fn report_json(r: &Report) -> Value {
    json!({
        "file": r.file.rsplit('/').next().unwrap_or(&r.file),
        "collection": r.collection.map(|c| c.as_str()),
        "driver": r.driver,
        "layer": r.layer,
        "source_crs": r.source_crs,
        "read": r.read,
        "created": r.created,
        "changed": r.changed,
        "unchanged": r.unchanged,
        "dry_run": r.dry_run,
        "written": r.written,
        "notes": r.notes,
        "repairs": r.repairs.iter().map(|p| json!({
            "ordinal": p.ordinal, "code": p.code, "was": p.was, "area_m2": p.area_m2, "parts": p.parts,
        })).collect::<Vec<_>>(),
        "problems": r.problems.iter().map(|p| json!({
            "ordinal": p.ordinal, "code": p.code, "pointer": p.problem.pointer, "detail": p.problem.detail,
            "geometry": p.geometry,
        })).collect::<Vec<_>>(),
        "elapsed_s": r.elapsed.as_secs_f64(),
    })
}

/// An import that wrote nothing, as a problem: the file's problems (422) or features outside the caller's
/// counties (403) with the whole report, or what stopped the file being read.
fn refusal(e: ImportError) -> ApiError {
    let with_report = |mut err: ApiError, r: &Report, zh: String| {
        err.extra.insert("detail_zh".into(), json!(zh));
        err.extra.insert("report".into(), report_json(r));
        err
    };
    let unreadable = |zh: &str, en: String| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable-file",
            "The file cannot be imported",
            format!("{zh} — {en}"),
        )
    };
    match e {
        ImportError::Refused(r) => {
            let features = r.problems.iter().map(|p| p.ordinal).collect::<std::collections::BTreeSet<_>>().len();
            let zh = format!("{} 个要素中有 {features} 个有问题（共 {} 处），未写入任何数据", r.read, r.problems.len());
            let err = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "import-refused", "The file was refused", ImportError::Refused(r.clone()).to_string());
            with_report(err, &r, zh)
        }
        ImportError::OutsideScope(r) => {
            let zh = format!("{} 个要素不在您可写的县区内，未写入任何数据", r.problems.len());
            let err = ApiError::new(StatusCode::FORBIDDEN, "out-of-scope", "Outside the counties you may write", ImportError::OutsideScope(r.clone()).to_string());
            with_report(err, &r, zh)
        }
        ImportError::NoCrs { .. } => unreadable(
            "文件没有坐标参考系（Shapefile 缺 .prj）：请用 source_crs 参数指明，如 EPSG:4545",
            "the file has no coordinate reference system (no .prj beside the Shapefile): give source_crs, e.g. EPSG:4545".into(),
        ),
        ImportError::Store(s) => s.into(),
        ImportError::Reader(d) => {
            tracing::error!(error = %d, "import reader");
            ApiError::internal()
        }
        other @ (ImportError::Crs(_) | ImportError::Mapping(_) | ImportError::Encoding { .. }) => {
            let mut err = unreadable("导入参数有误", other.to_string());
            err.status = StatusCode::BAD_REQUEST;
            err
        }
        ImportError::MissingFields { message, missing, file_fields } => {
            // what a page needs to offer the mapping: the properties without a field, and the file's fields
            let mut err = unreadable(&format!("文件中没有字段对应 {}：请用 fields 参数指定，如 fields=宗地号:{}", missing.join("、"), missing[0]), message);
            err.kind = "unmapped-fields";
            err.extra.insert("missing_properties".into(), json!(missing));
            err.extra.insert("file_fields".into(), json!(file_fields));
            err
        }
        ImportError::Empty { .. } => unreadable("文件中没有要素", "the file has no features".into()),
        other => unreadable("无法读取文件（格式、图层或字段）", other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::registry::Collection;
    use crate::import::mapping::Mapping;

    #[test]
    fn a_mapping_from_the_query_reads_back_whatever_the_field_names_hold() {
        let text =
            mapping_toml(Some(r#"宗地"号:parcel_code, a\b :county_code"#), Some("备注,OBJECTID")).unwrap().unwrap();
        let m = Mapping::parse(&text, Collection::ConstructionParcels).unwrap();
        assert_eq!(m.rename(r#"宗地"号"#), Some("parcel_code"), "{text}");
        assert_eq!(m.rename(r"a\b"), Some("county_code"), "{text}");
        assert!(m.ignores("OBJECTID") && m.ignores("备注"));
        assert_eq!(mapping_toml(None, None).unwrap(), None);
        assert!(mapping_toml(Some("no colon"), None).is_err());
    }
}
