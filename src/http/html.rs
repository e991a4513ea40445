//! Plain HTML representations (`f=html` or a browser's `Accept: text/html`): readable pages that link
//! to the JSON and to the map, with no script.

use super::error::{ApiError, ApiResult};
use super::params::Params;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Html,
}

/// `f` wins; otherwise a browser that asks for HTML before JSON gets HTML.
pub fn format(params: &Params, headers: &HeaderMap) -> ApiResult<Format> {
    match params.get("f") {
        Some("json") | Some("geojson") => Ok(Format::Json),
        Some("html") => Ok(Format::Html),
        Some(other) => Err(ApiError::bad_parameter("f", format!("must be json or html, not '{other}'"))),
        None => {
            let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
            let html = accept.find("text/html");
            let json = accept.find("json");
            Ok(match (html, json) {
                (Some(h), Some(j)) if h < j => Format::Html,
                (Some(_), None) => Format::Html,
                _ => Format::Json,
            })
        }
    }
}

/// `Vary: Accept` on the reads of a URL that answers HTML or JSON by `Accept` (see [`format`]), 304s
/// included (RFC 9110 §15.4.5), so that a cache never hands a browser's page to a GIS client or the other
/// way round. A URL with `f` answers one format whatever is accepted, and writes answer GeoJSON.
pub async fn vary_accept(req: Request, next: Next) -> Response {
    let negotiated = matches!(*req.method(), Method::GET | Method::HEAD)
        && !form_urlencoded::parse(req.uri().query().unwrap_or("").as_bytes()).any(|(k, _)| k == "f");
    let mut resp = next.run(req).await;
    if negotiated {
        resp.headers_mut().append(header::VARY, HeaderValue::from_static("accept"));
    }
    resp
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "<span class=null>—</span>".into(),
        Value::String(s) => escape(s),
        other => escape(&other.to_string()),
    }
}

pub fn page(title: &str, body: &str) -> Response {
    Html(format!(
        r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t} · landguard</title>
<style>body{{font:14px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;margin:0;color:#1d2733;background:#f6f7f4}}
header{{background:#24423a;color:#fff;padding:.6em 1.2em}}header a{{color:#cfe8d8;margin-right:1em}}main{{padding:1em 1.2em}}
table{{border-collapse:collapse;background:#fff}}td,th{{border:1px solid #d8ddd5;padding:.25em .6em;text-align:left;vertical-align:top}}
th{{background:#eef2ec}}.null{{color:#9aa}}a{{color:#1f5f8b}}</style></head>
<body><header><b>landguard</b> · <a href="/?f=html">首页 Home</a><a href="/collections?f=html">图层 Collections</a><a href="/map/">一张图 Map</a><a href="/api">API</a></header>
<main><h1>{t}</h1>{body}</main></body></html>"#,
        t = escape(title)
    ))
    .into_response()
}

/// Links of a JSON document as a list.
pub fn links(doc: &Value) -> String {
    let items: Vec<String> = doc["links"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let href = l["href"].as_str().unwrap_or("");
            format!(
                "<li><a href=\"{}\">{}</a> <small>({}, {})</small></li>",
                escape(href),
                escape(l["title"].as_str().unwrap_or(l["rel"].as_str().unwrap_or(""))),
                escape(l["rel"].as_str().unwrap_or("")),
                escape(l["type"].as_str().unwrap_or(""))
            )
        })
        .collect();
    format!("<ul>{}</ul>", items.join(""))
}

/// A features page as a table: one row a feature, one column a property.
pub fn features_table(features: &[Value]) -> String {
    let mut cols: Vec<String> = Vec::new();
    for f in features {
        if let Some(props) = f["properties"].as_object() {
            for k in props.keys() {
                if !cols.contains(k) {
                    cols.push(k.clone());
                }
            }
        }
    }
    let head: String = cols.iter().map(|c| format!("<th>{}</th>", escape(c))).collect();
    let rows: String = features
        .iter()
        .map(|f| {
            let id = f["id"].as_str().unwrap_or("");
            let cells: String = cols.iter().map(|c| format!("<td>{}</td>", cell(&f["properties"][c]))).collect();
            format!("<tr><td><a href=\"items/{}?f=html\">{}</a></td>{cells}</tr>", escape(id), escape(id))
        })
        .collect();
    format!("<table><tr><th>id</th>{head}</tr>{rows}</table>")
}

/// One feature's properties as a two-column table.
pub fn properties_table(feature: &Value) -> String {
    let rows: String = feature["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("<tr><th>{}</th><td>{}</td></tr>", escape(k), cell(v)))
        .collect();
    format!("<table>{rows}</table>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("<script>alert('x')</script>&"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;");
    }
}
