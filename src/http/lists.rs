//! Published lists (信息公开), open to anyone whatever the read settings: what a bureau publishes on its
//! website, each as JSON, CSV, XLSX and a plain HTML page (`f=json|csv|xlsx|html`).
//! `GET /public/lists/rcr?as_of=…&since=…`: the RCR list as of a date, and with `since` each parcel as added,
//! kept or removed. `GET /public/lists/key-units?year=2025`: the key supervised units listed for a year (the
//! `key_supervised_units` register's `listed_years`).

use super::error::{ApiError, ApiResult};
use super::html::escape;
use super::params::Params;
use super::AppState;
use crate::domain::geometry::M2_PER_MU;
use crate::domain::indicators::Scope;
use crate::domain::lifecycle::ParcelState;
use crate::domain::lists::ListChange;
use crate::domain::time::{parse_instant, today};
use crate::store::lists::RcrRow;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new().route("/public/lists/rcr", get(rcr)).route("/public/lists/key-units", get(key_units))
}

const RCR_TITLE_ZH: &str = "建设用地土壤污染风险管控和修复名录";
const RCR_TITLE_EN: &str = "Risk-control and remediation list of construction land";
const RCR_BASIS_ZH: &str =
    "《中华人民共和国土壤污染防治法》第五十八条、第六十一条、第六十六条；生态环境部公告2021年第71号";

fn bad(name: &str, zh: &str, en: impl std::fmt::Display) -> ApiError {
    let mut e = ApiError::bad_parameter(name, format!("{zh} / {en}"));
    e.extra.insert("detail_zh".into(), json!(format!("{name}：{zh}")));
    e
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
    Xlsx,
    Html,
}

fn format(params: &Params) -> ApiResult<Format> {
    match params.get("f").unwrap_or("json") {
        "json" => Ok(Format::Json),
        "csv" => Ok(Format::Csv),
        "html" => Ok(Format::Html),
        "xlsx" => Ok(Format::Xlsx),
        other => {
            Err(bad("f", "应为 json、csv、xlsx 或 html", format!("must be json, csv, xlsx or html, not '{other}'")))
        }
    }
}

fn date(params: &Params, name: &str) -> ApiResult<Option<NaiveDate>> {
    params.get(name).map(|v| parse_instant(v).map_err(|e| bad(name, "日期无效", e))).transpose()
}

fn state_zh(state: &str) -> &'static str {
    state.parse::<ParcelState>().map(ParcelState::name_zh).unwrap_or("")
}

struct Entry<'a> {
    row: &'a RcrRow,
    change: Option<ListChange>,
}

async fn rcr(State(state): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let params = Params::parse(q.as_deref(), &["as_of", "since", "county_code", "f"])?;
    let format = format(&params)?;
    let scope =
        Scope::parse(params.get("county_code")).map_err(|e| bad("county_code", "应为6位县级代码或4位城市代码", e))?;
    let as_of = date(&params, "as_of")?.unwrap_or_else(today);
    let since = date(&params, "since")?;
    if since.is_some_and(|s| s > as_of) {
        return Err(bad("since", "不能晚于 as_of", "must not be after as_of"));
    }
    // Public: no token needed, and read from a replica when there is one, like any anonymous read.
    let rows = state.reader(&super::auth::Caller(None)).await.rcr_list(&scope, as_of, since).await?;
    let entries: Vec<Entry> = rows
        .iter()
        .filter_map(|row| match since {
            None => row.on_after.then_some(Entry { row, change: None }),
            Some(_) => ListChange::between(row.on_before, row.on_after).map(|c| Entry { row, change: Some(c) }),
        })
        .collect();
    match format {
        Format::Json => Ok(json_list(&scope, as_of, since, &entries)),
        Format::Csv => Ok(csv_list(as_of, since, &entries)),
        Format::Xlsx => xlsx_list(as_of, since, &entries),
        Format::Html => Ok(html_list(&scope, as_of, since, &entries)),
    }
}

fn count(entries: &[Entry], c: ListChange) -> usize {
    entries.iter().filter(|e| e.change == Some(c)).count()
}

fn json_list(scope: &Scope, as_of: NaiveDate, since: Option<NaiveDate>, entries: &[Entry]) -> Response {
    let parcels: Vec<Value> = entries
        .iter()
        .map(|e| {
            let r = e.row;
            let mut o = json!({
                "parcel_code": r.parcel_code, "name": r.name, "county_code": r.county_code,
                "state": r.state, "state_zh": state_zh(&r.state),
                "area_m2": (r.area_m2 * 100.0).round() / 100.0, "area_mu": (r.area_m2 / M2_PER_MU * 100.0).round() / 100.0,
                "former_industry": r.former_industry,
                "listed_on": r.listed_on, "listed_document": r.listed_document,
            });
            if let Some(c) = e.change {
                o["change"] = json!(c);
                o["change_zh"] = json!(c.label_zh());
            }
            if e.change == Some(ListChange::Removed) {
                o["removed_on"] = json!(r.removed_on);
                o["removed_to"] = json!(r.removed_to);
                o["removed_document"] = json!(r.removed_document);
            }
            o
        })
        .collect();
    let on_list = entries.iter().filter(|e| e.row.on_after).count();
    let mut doc = json!({
        "list": "rcr", "title_zh": RCR_TITLE_ZH, "title_en": RCR_TITLE_EN, "basis": RCR_BASIS_ZH,
        "scope": scope, "as_of": as_of, "since": since, "on_list": on_list, "parcels": parcels,
    });
    if since.is_some() {
        doc["changes"] = json!({
            "added": count(entries, ListChange::Added),
            "kept": count(entries, ListChange::Kept),
            "removed": count(entries, ListChange::Removed),
        });
    }
    axum::Json(doc).into_response()
}

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break. A field that a
/// spreadsheet would read as a formula is prefixed with an apostrophe, so that opening a published list
/// runs nothing.
pub(super) fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A cell of the list as a table (CSV, XLSX).
enum Cell {
    Text(String),
    Number(f64),
}

/// The list as a table: headers in Chinese and English, one row a parcel, the same for CSV and XLSX.
fn table(since: Option<NaiveDate>, entries: &[Entry]) -> (Vec<&'static str>, Vec<Vec<Cell>>) {
    let opt = |d: Option<NaiveDate>| Cell::Text(d.map(|d| d.to_string()).unwrap_or_default());
    let text = |s: Option<&str>| Cell::Text(s.unwrap_or_default().to_string());
    let mut head =
        vec!["地块编码 parcel_code", "地块名称 name", "县区代码 county_code", "状态 state", "面积（平方米） area_m2"];
    head.extend(["面积（亩） area_mu", "列入日期 listed_on", "列入文号 listed_document"]);
    if since.is_some() {
        head.extend(["变化 change", "移出日期 removed_on", "移出后状态 removed_to", "移出文号 removed_document"]);
    }
    let rows = entries
        .iter()
        .map(|e| {
            let r = e.row;
            let mut cells = vec![
                Cell::Text(r.parcel_code.clone()),
                Cell::Text(r.name.clone()),
                Cell::Text(r.county_code.clone()),
                Cell::Text(format!("{} {}", state_zh(&r.state), r.state)),
                Cell::Number((r.area_m2 * 100.0).round() / 100.0),
                Cell::Number((r.area_m2 / M2_PER_MU * 100.0).round() / 100.0),
                opt(r.listed_on),
                text(r.listed_document.as_deref()),
            ];
            if let Some(c) = e.change {
                let removed = c == ListChange::Removed;
                cells.push(Cell::Text(format!("{} {}", c.label_zh(), c.as_str())));
                cells.push(if removed { opt(r.removed_on) } else { text(None) });
                cells.push(text(if removed { r.removed_to.as_deref() } else { None }));
                cells.push(text(if removed { r.removed_document.as_deref() } else { None }));
            }
            cells
        })
        .collect();
    (head, rows)
}

fn file_name(as_of: NaiveDate, since: Option<NaiveDate>, ext: &str) -> String {
    match since {
        Some(s) => format!("rcr-list-{as_of}-since-{s}.{ext}"),
        None => format!("rcr-list-{as_of}.{ext}"),
    }
}

fn download(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// A published table as CSV: a BOM (so that Excel reads the Chinese as UTF-8), the headers, CRLF rows.
fn csv_text(head: &[&str], rows: impl IntoIterator<Item = Vec<Cell>>) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out += &head.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(",");
    out += "\r\n";
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Text(s) => csv_field(s),
                Cell::Number(n) => format!("{n:.2}"),
            })
            .collect();
        out += &cells.join(",");
        out += "\r\n";
    }
    out.into_bytes()
}

fn csv_list(as_of: NaiveDate, since: Option<NaiveDate>, entries: &[Entry]) -> Response {
    let (head, rows) = table(since, entries);
    download(csv_text(&head, rows), "text/csv; charset=utf-8", &file_name(as_of, since, "csv"))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A published table as an Excel workbook, the same table as the CSV: text stays text (no formula is ever
/// written), areas are numbers.
fn xlsx_text(sheet_name: &str, head: &[&str], rows: impl IntoIterator<Item = Vec<Cell>>) -> ApiResult<Vec<u8>> {
    use rust_xlsxwriter::{Format as XFormat, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| {
        tracing::error!(error = %e, "cannot write a published list as XLSX");
        ApiError::internal()
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name).map_err(fail)?;
    let bold = XFormat::new().set_bold();
    for (c, h) in head.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(fail)?;
    }
    for (i, row) in rows.into_iter().enumerate() {
        let r = i as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(s) => sheet.write_string(r, c as u16, s).map_err(fail)?,
                Cell::Number(n) => sheet.write_number(r, c as u16, *n).map_err(fail)?,
            };
        }
    }
    sheet.autofit();
    book.save_to_buffer().map_err(fail)
}

fn xlsx_list(as_of: NaiveDate, since: Option<NaiveDate>, entries: &[Entry]) -> ApiResult<Response> {
    let (head, rows) = table(since, entries);
    Ok(download(xlsx_text("名录", &head, rows)?, XLSX, &file_name(as_of, since, "xlsx")))
}

fn html_list(scope: &Scope, as_of: NaiveDate, since: Option<NaiveDate>, entries: &[Entry]) -> Response {
    let opt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let where_ = match scope {
        Scope::All => String::new(),
        s => format!("（{}）", escape(s.code_prefix())),
    };
    let mut body = format!(
        "<p>截至 {as_of}{where_}，共 {} 个地块在名录内。依据：{}。</p>",
        entries.iter().filter(|e| e.row.on_after).count(),
        escape(RCR_BASIS_ZH)
    );
    if let Some(s) = since {
        body += &format!(
            "<p>自 {s} 以来：新增 {}，保留 {}，移出 {}。</p>",
            count(entries, ListChange::Added),
            count(entries, ListChange::Kept),
            count(entries, ListChange::Removed)
        );
    }
    let mut head = String::from("<tr><th>地块编码</th><th>地块名称</th><th>县区代码</th><th>状态</th><th>面积（亩）</th><th>列入日期</th><th>列入文号</th>");
    if since.is_some() {
        head += "<th>变化</th><th>移出日期</th><th>移出文号</th>";
    }
    head += "</tr>";
    let rows: String = entries
        .iter()
        .map(|e| {
            let r = e.row;
            let mut tr = format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{}</td><td>{}</td>",
                escape(&r.parcel_code),
                escape(&r.name),
                escape(&r.county_code),
                escape(state_zh(&r.state)),
                r.area_m2 / M2_PER_MU,
                opt(r.listed_on),
                escape(r.listed_document.as_deref().unwrap_or(""))
            );
            if let Some(c) = e.change {
                let removed = c == ListChange::Removed;
                tr += &format!(
                    "<td>{}</td><td>{}</td><td>{}</td>",
                    c.label_zh(),
                    if removed { opt(r.removed_on) } else { String::new() },
                    escape(if removed { r.removed_document.as_deref().unwrap_or("") } else { "" })
                );
            }
            tr + "</tr>"
        })
        .collect();
    body += &format!("<table>{head}{rows}</table>");
    let mut since_q = since.map(|s| format!("&since={s}")).unwrap_or_default();
    if *scope != Scope::All {
        since_q += &format!("&county_code={}", scope.code_prefix());
    }
    body += &format!(
        "<p><a href=\"?as_of={as_of}{since_q}&f=csv\">CSV</a> · <a href=\"?as_of={as_of}{since_q}&f=xlsx\">Excel</a> · <a href=\"?as_of={as_of}{since_q}&f=json\">JSON</a></p>"
    );
    super::html::page(&format!("{RCR_TITLE_ZH}（{as_of}）"), &body)
}

/// The year's key supervised units (土壤污染重点监管单位名录), as of the year's end or today.
async fn key_units(State(state): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let params = Params::parse(q.as_deref(), &["year", "county_code", "f"])?;
    let f = format(&params)?;
    let now = today();
    let year =
        match params.get("year") {
            None => now.year(),
            Some(v) => v.trim().parse::<i32>().ok().filter(|y| (2000..=now.year()).contains(y)).ok_or_else(|| {
                bad("year", "年份无效", format!("must be a year from 2000 to {}, not '{v}'", now.year()))
            })?,
        };
    let scope = Scope::parse(params.get("county_code")).map_err(|e| bad("county_code", "县区代码无效", e))?;
    let on = NaiveDate::from_ymd_opt(year, 12, 31).map_or(now, |d| d.min(now));
    let rows = state.store.key_unit_list(&scope, year, on).await?;
    const HEAD: [&str; 6] = [
        "统一社会信用代码 enterprise_code",
        "单位名称 name",
        "县区代码 county_code",
        "行业 industry",
        "状态 status",
        "名录文件 list_doc",
    ];
    let cells = |r: &crate::store::lists::KeyUnitRow| {
        [
            r.enterprise_code.clone(),
            r.name.clone(),
            r.county_code.clone(),
            r.industry.clone().unwrap_or_default(),
            r.status.clone().unwrap_or_default(),
            r.list_doc.clone().unwrap_or_default(),
        ]
    };
    match f {
        Format::Json => Ok(axum::Json(json!({
            "list": "key_supervised_units", "title_zh": "土壤污染重点监管单位名录", "year": year, "as_of": on,
            "scope": scope, "count": rows.len(), "units": rows,
        }))
        .into_response()),
        Format::Csv => {
            let table = rows.iter().map(|r| cells(r).into_iter().map(Cell::Text).collect());
            Ok(download(csv_text(&HEAD, table), "text/csv; charset=utf-8", &format!("key-units-{year}.csv")))
        }
        Format::Html => {
            let mut body =
                format!("<p>{year} 年土壤污染重点监管单位名录（截至 {on}），共 {} 家。</p><table><tr>", rows.len());
            for h in HEAD {
                body += &format!("<th>{}</th>", escape(h));
            }
            body += "</tr>";
            for r in &rows {
                body += "<tr>";
                for c in cells(r) {
                    body += &format!("<td>{}</td>", escape(&c));
                }
                body += "</tr>";
            }
            body += "</table>";
            Ok(super::html::page(&format!("{year} 年土壤污染重点监管单位名录"), &body))
        }
        Format::Xlsx => {
            let table = rows.iter().map(|r| cells(r).into_iter().map(Cell::Text).collect());
            Ok(download(xlsx_text("重点监管单位", &HEAD, table)?, XLSX, &format!("key-units-{year}.xlsx")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields() {
        let table = [
            ("LZ-0001", "LZ-0001"),
            ("原柳州市某化工厂地块", "原柳州市某化工厂地块"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("line\nbreak", "\"line\nbreak\""),
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("-1", "'-1"),
        ];
        for (raw, want) in table {
            assert_eq!(csv_field(raw), want, "{raw}");
        }
    }
}
