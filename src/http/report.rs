//! The plan's annual report (年度报告), `GET /reports/annual?city=4502&year=2025` and `landguard report annual`:
//! one HTML page in Chinese laid out for A4, made from the registry as it is known now: the targets met and
//! missed with their basis (the document `GET /targets` answers), the safe-utilisation rate month by month
//! (`GET /indicators/series`), a map of the counties shaded by their rate with the priority parcels by state,
//! and the RCR list's changes in the year (`GET /public/lists/rcr`). Charts and maps are SVG drawn here from
//! the registry; nothing is fetched from elsewhere. The same page is printed to PDF with Chromium (`f=pdf`
//! and the CLI; docs/targets.md, "The annual report", says why), and its figures laid out as XLSX (`f=xlsx`).

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::html::escape;
use super::params::Params;
use super::targets::{may_read_registry, targets_doc_with};
use super::AppState;
use crate::domain::duties::{DutySettings, DutyStatus};
use crate::domain::indicators::{Scope, Targets};
use crate::domain::sources::Register;
use crate::domain::time::today;
use crate::duties::EntityDuty;
use crate::store::lists::RcrRow;
use crate::store::report::ReportMap;
use crate::store::series::{Known, SeriesValues};
use crate::store::Store;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{Datelike, NaiveDate};
use serde_json::Value;
use std::fmt::Write;

pub mod pdf;
mod xlsx;
pub use xlsx::SHEETS as XLSX_SHEETS;

pub fn routes() -> Router<AppState> {
    Router::new().route("/reports/annual", get(annual))
}

async fn annual(State(state): State<AppState>, caller: Caller, RawQuery(q): RawQuery) -> ApiResult<Response> {
    may_read_registry(&state, &caller)?;
    let params = Params::parse(q.as_deref(), &["city", "year", "f"])?;
    params.only_formats(&["html", "xlsx", "pdf"])?;
    let city = params.get("city").map(str::trim).unwrap_or_default();
    let year = params.get("year").and_then(|y| y.trim().parse::<i32>().ok());
    let (city, year) = check_params(city, year, today())?;
    let store = state.reader(&caller).await;
    let report = Annual::load(&store, &state.settings.indicator_targets(), &state.settings.duties, &city, year).await?;
    if params.get("f") == Some("xlsx") {
        let mut resp = report.xlsx()?.into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(xlsx::CONTENT_TYPE));
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"annual-report-{city}-{year}.xlsx\"")) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        return Ok(resp);
    }
    if params.get("f") == Some("pdf") {
        let mut resp = pdf::pdf_bytes(report.html()).await?.into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
        if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"annual-report-{city}-{year}.pdf\"")) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        return Ok(resp);
    }
    Ok(Html(report.html()).into_response())
}

/// A 4-digit city code and a year that has begun.
pub fn check_params(city: &str, year: Option<i32>, today: NaiveDate) -> ApiResult<(String, i32)> {
    if city.len() != 4 || !city.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad_parameter(
            "city",
            "应为4位城市代码（如4502） / must be a 4-digit city code such as 4502",
        ));
    }
    match year {
        Some(y) if (2000..=today.year()).contains(&y) => Ok((city.to_string(), y)),
        _ => Err(ApiError::bad_parameter(
            "year",
            format!("应为2000至{0}年之间的年份 / must be a year from 2000 to {0}", today.year()),
        )),
    }
}

fn month_ends(year: i32, until: NaiveDate) -> Vec<NaiveDate> {
    (1..=12)
        .filter_map(|m| {
            let next =
                if m == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, m + 1, 1) };
            next.and_then(|d| d.pred_opt())
        })
        .filter(|d| *d <= until)
        .collect()
}

fn status_zh(s: &str) -> &'static str {
    match s {
        "met" => "已完成",
        "not_met" => "未完成",
        "in_progress" => "进行中",
        _ => "无法计算",
    }
}

fn num(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())
}

/// What the report prints, read once from the registry: the HTML and the XLSX are two layouts of these
/// same figures, never a second computation.
pub struct Annual {
    pub city: String,
    pub year: i32,
    pub start: NaiveDate,
    /// The year's end, or today for the year in progress.
    pub end: NaiveDate,
    /// The document `GET /targets` answers for the city and year as of `end`.
    pub targets: Value,
    /// The indicators at each month's end up to `end` (the last is the year-end figure).
    pub series: Vec<SeriesValues>,
    pub map: ReportMap,
    /// The RCR list at `end` against `start`.
    pub rcr: Vec<RcrRow>,
    /// The duties of the city's sources, ponds and key units overdue at `end`, as `GET /duties?status=overdue`
    /// computes them (crate::duties::report), by deadline.
    pub overdue: Vec<EntityDuty>,
}

impl Annual {
    /// The report for a city and year, as of the year's end (or today, for the year in progress).
    pub async fn load(
        store: &Store,
        thresholds: &Targets,
        duty_settings: &DutySettings,
        city: &str,
        year: i32,
    ) -> ApiResult<Annual> {
        let start = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(ApiError::internal)?;
        let end = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(ApiError::internal)?.min(today());
        let scope = Scope::City(city.to_string());
        // the same [duties] settings as GET /targets and the report's own overdue duties below
        let targets =
            targets_doc_with(store, thresholds, Some(duty_settings), scope.clone(), city, None, year, end).await?;
        let series = store.indicator_series(&scope, &month_ends(year, end), Known::Now, thresholds).await?;
        let mut map = store.report_map(city, end).await?;
        let rcr = store.rcr_list(&scope, end, Some(start)).await?;
        let mut overdue = crate::duties::report(store, duty_settings, &scope, end, Register::ALL).await?.duties;
        overdue.retain(|d| d.duty.status == DutyStatus::Overdue);
        // the map marks the entities with a duty overdue
        map.sources.retain(|s| overdue.iter().any(|d| s.code == format!("{}/{}", d.collection, d.id)));
        Ok(Annual { city: city.to_string(), year, start, end, targets, series, map, rcr, overdue })
    }

    /// The indicators at the year's end (or today).
    pub fn year_end(&self) -> Option<&SeriesValues> {
        self.series.last()
    }

    /// A county's name from the outlines, or its code.
    pub fn county_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.map.counties.iter().find(|d| d.code == code).map_or(code, |d| d.label.as_str())
    }

    /// The overdue duties counted by county, in county-code order.
    pub fn overdue_by_county(&self) -> Vec<(&str, usize)> {
        let mut counts = std::collections::BTreeMap::new();
        for d in &self.overdue {
            *counts.entry(&*d.county_code).or_insert(0) += 1;
        }
        counts.into_iter().collect()
    }

    /// The RCR list's rows that changed or stayed, with their change in Chinese and the document that made it.
    pub fn rcr_changes(&self) -> impl Iterator<Item = (&RcrRow, &'static str, Option<&str>)> {
        self.rcr.iter().filter_map(|r| {
            let change = match (r.on_before, r.on_after) {
                (false, true) => "新列入",
                (true, false) => "移出",
                (true, true) => "保留",
                (false, false) => return None,
            };
            let doc = if r.on_after { r.listed_document.as_deref() } else { r.removed_document.as_deref() };
            Some((r, change, doc))
        })
    }

    pub fn html(&self) -> String {
        let (city, year, end, map, targets) = (&self.city, self.year, self.end, &self.map, &self.targets);
        let year_end = self.year_end();
        let rate = year_end.and_then(|s| s.scope.safe_utilisation.rate_percent);
        let mut h = String::with_capacity(64 * 1024);
        let _ = write!(
            h,
            r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{city} {year} 年度土壤污染防治工作报告</title>
<style>
@page {{ size: A4; margin: 16mm 14mm; }}
body {{ font-family: "Noto Sans CJK SC", "Noto Sans SC", sans-serif; font-size: 10.5pt; color: #222; }}
h1 {{ font-size: 18pt; margin: 0 0 4mm; }} h2 {{ font-size: 13pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border: 1px solid #bbb; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }}
th {{ background: #eee; }} .met {{ color: #1a7f37; }} .not_met {{ color: #c62828; font-weight: bold; }} .small {{ font-size: 8.5pt; color: #555; }}
section {{ break-inside: avoid-page; }} svg {{ display: block; margin: 2mm auto; }}
</style></head><body>
<h1>{name} {year} 年度土壤污染防治工作报告</h1>
<p class="small">数据截至 {end}，按登记库现有记录计算（as of {end}, from the registry as it is known now）。受污染耕地安全利用率：<b>{rate}%</b></p>
"#,
            city = escape(city),
            name = escape(map.city_name.as_deref().unwrap_or(city)),
            rate = num(rate),
        );

        // 1. targets
        h.push_str(
            "<section><h2>一、目标完成情况</h2><table><tr><th>目标</th><th>值</th><th>状态</th><th>依据</th></tr>",
        );
        for t in targets["targets"].as_array().into_iter().flatten() {
            let s = t["status"].as_str().unwrap_or_default();
            let value = match &t["value"] {
                Value::Number(n) => n.to_string(),
                Value::Null => "—".into(),
                other => other.to_string(),
            };
            let missing = t["missing_zh"].as_str().map(|m| format!("<br><span class=small>缺少：{}</span>", escape(m)));
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class={s}>{}{}</td><td class=small>{}</td></tr>",
                escape(t["title_zh"].as_str().unwrap_or_default()),
                escape(&value),
                status_zh(s),
                missing.unwrap_or_default(),
                escape(t["basis_zh"].as_str().unwrap_or_default()),
            );
        }
        h.push_str("</table></section>");

        // 2. the rate month by month
        let points: Vec<(NaiveDate, Option<f64>)> =
            self.series.iter().map(|s| (s.as_of, s.scope.safe_utilisation.rate_percent)).collect();
        let target = year_end.and_then(|s| s.scope.safe_utilisation.target_percent);
        h.push_str("<section><h2>二、受污染耕地安全利用率（逐月）</h2>");
        h.push_str(&rate_chart(&points, target));
        h.push_str("<table><tr><th>县（区）</th><th>年末安全利用率 %</th><th>受污染耕地（亩）</th></tr>");
        for c in year_end.map(|s| s.counties.as_slice()).unwrap_or_default() {
            let code = c.scope.code_prefix();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{:.1}</td></tr>",
                escape(self.county_name(code)),
                num(c.safe_utilisation.rate_percent),
                c.safe_utilisation.polluted_mu
            );
        }
        h.push_str("</table></section>");

        // 3. the map
        let rates: Vec<(String, Option<f64>)> = year_end
            .map(|s| {
                s.counties
                    .iter()
                    .map(|c| (c.scope.code_prefix().to_string(), c.safe_utilisation.rate_percent))
                    .collect()
            })
            .unwrap_or_default();
        h.push_str("<section><h2>三、分县安全利用率、优先监管地块与逾期义务</h2>");
        h.push_str(&map_svg(map, &rates, target));
        h.push_str(
            "<p class=small>县（区）按年末安全利用率着色：绿色达到目标，红色未达到，灰色无受污染耕地；\
             圆点为优先监管地块（红：在名录中，蓝：其他阶段）；橙色圆圈为有逾期义务的重点监管单位、尾矿库和污染源（见第五部分）。</p></section>",
        );

        // 4. the RCR list's changes
        h.push_str("<section><h2>四、建设用地土壤污染风险管控和修复名录变化</h2><table><tr><th>地块编码</th><th>名称</th><th>县</th><th>变化</th><th>文件</th></tr>");
        for (r, change, doc) in self.rcr_changes() {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{change}</td><td class=small>{}</td></tr>",
                escape(&r.parcel_code),
                escape(&r.name),
                escape(&r.county_code),
                escape(doc.unwrap_or("—"))
            );
        }
        h.push_str("</table></section>");

        // 5. overdue duties, as GET /duties?status=overdue answers for the city on the report's date
        let _ = write!(
            h,
            "<section><h2>五、逾期义务 overdue duties</h2><p>截至 {}，重点监管单位、尾矿库和污染源逾期未履行的义务共 {} 项\
             （与 GET /duties?status=overdue 同一计算；三级尾矿库抽查比例为全市义务，不在此列）。</p>\
             <table><tr><th>县（区）</th><th>逾期义务（项）</th></tr>",
            self.end,
            self.overdue.len()
        );
        for (code, n) in self.overdue_by_county() {
            let _ = write!(h, "<tr><td>{}</td><td>{n}</td></tr>", escape(self.county_name(code)));
        }
        h.push_str("</table><table><tr><th>县（区）</th><th>对象</th><th>义务</th><th>期限</th><th>依据</th></tr>");
        for d in &self.overdue {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}<br><span class=small>{}</span></td><td>{}</td><td>{}</td><td class=small>{}</td></tr>",
                escape(self.county_name(&d.county_code)),
                escape(&d.name),
                escape(&d.id),
                escape(d.duty.name_zh),
                d.duty.due_by.map_or_else(|| "—".to_string(), |x| x.to_string()),
                escape(&d.duty.basis),
            );
        }
        h.push_str("</table></section>");

        // 6. method
        h.push_str(
            "<section><h2>六、方法与依据</h2><p class=small>安全利用率 =（安全利用类中落实措施的面积 + 严格管控类中落实措施的面积）/ \
             受污染耕地面积，按各日有效的类别单元版本计算（docs/domain.md）。各目标的依据见第一节；\
             数据为登记库对该日的现有认识（valid time, as known now）。名录变化按年初与年末比较。</p></section>",
        );
        h.push_str("</body></html>");
        h
    }
}

/// A line chart of the monthly rate against the target, 170 mm wide.
fn rate_chart(points: &[(NaiveDate, Option<f64>)], target: Option<f64>) -> String {
    let (w, hgt, left, top) = (640.0, 220.0, 40.0, 10.0);
    let (pw, ph) = (w - left - 10.0, hgt - top - 30.0);
    let values: Vec<f64> = points.iter().filter_map(|p| p.1).chain(target).collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min).min(100.0).floor().max(0.0) - 1.0;
    let lo = lo.max(0.0);
    let y = |v: f64| top + ph - (v - lo) / (100.0 - lo).max(1.0) * ph;
    let x = |i: usize| left + pw * (i as f64 + 0.5) / 12.0;
    let mut s =
        format!(r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{hgt}" viewBox="0 0 {w} {hgt}">"#);
    let _ = write!(s, r##"<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#999"/>"##);
    for v in [lo, (lo + 100.0) / 2.0, 100.0] {
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" font-size="10" text-anchor="end">{v:.0}</text>"##,
            left - 3.0,
            y(v) + 3.0
        );
    }
    if let Some(t) = target {
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{}" y2="{}" stroke="#c62828" stroke-dasharray="4 3"/><text x="{}" y="{}" font-size="10" fill="#c62828">目标 {t}%</text>"##,
            left + pw,
            y(t),
            y(t),
            left + 4.0,
            y(t) - 3.0
        );
    }
    let line: Vec<String> =
        points.iter().enumerate().filter_map(|(i, p)| p.1.map(|v| format!("{:.1},{:.1}", x(i), y(v)))).collect();
    if !line.is_empty() {
        let _ = write!(s, r##"<polyline points="{}" fill="none" stroke="#1565c0" stroke-width="2"/>"##, line.join(" "));
    }
    for (i, (d, v)) in points.iter().enumerate() {
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" font-size="10" text-anchor="middle">{}月</text>"##,
            x(i),
            top + ph + 14.0,
            d.month()
        );
        if let Some(v) = v {
            let _ = write!(
                s,
                r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#1565c0"><title>{d}: {v:.2}%</title></circle>"##,
                x(i),
                y(*v)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// The counties shaded by their year-end rate against the target, the priority parcels by state, and the
/// key units, ponds and sources with a duty overdue (orange rings).
fn map_svg(map: &ReportMap, rates: &[(String, Option<f64>)], target: Option<f64>) -> String {
    let Some([x0, y0, x1, y1]) = map.extent else {
        return "<p>没有县级边界数据（landguard counties-load）。</p>".into();
    };
    let (w, h) = (x1 - x0, y1 - y0);
    let width = 600.0;
    let height = (width * h / w.max(1.0)).clamp(200.0, 800.0);
    let r = w.max(h) / 150.0;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="{x0} {} {w} {h}" preserveAspectRatio="xMidYMid meet">"#,
        -y1
    );
    for c in &map.counties {
        let rate = rates.iter().find(|(code, _)| *code == c.code).and_then(|(_, r)| *r);
        let fill = match (rate, target) {
            (Some(r), Some(t)) if r >= t => "#a5d6a7",
            (Some(_), Some(_)) => "#ef9a9a",
            (Some(_), None) => "#fff59d",
            (None, _) => "#e0e0e0",
        };
        let _ = write!(
            s,
            r##"<path d="{}" fill="{fill}" stroke="#555" stroke-width="{:.0}"><title>{} {}</title></path>"##,
            c.svg,
            r / 4.0,
            escape(&c.label),
            num(rate)
        );
    }
    for p in &map.parcels {
        let listed =
            matches!(p.state.as_deref(), Some("listed" | "under_control" | "under_remediation" | "effect_evaluation"));
        let colour = if listed { "#c62828" } else { "#1565c0" };
        let _ =
            write!(s, r##"<circle {} r="{r:.0}" fill="{colour}"><title>{}</title></circle>"##, p.svg, escape(&p.label));
    }
    for o in &map.sources {
        let _ = write!(
            s,
            r##"<circle class="overdue-duty" {} r="{:.0}" fill="none" stroke="#ef6c00" stroke-width="{:.0}"><title>逾期义务 {} {}</title></circle>"##,
            o.svg,
            r * 1.6,
            r / 2.0,
            escape(&o.label),
            escape(&o.code)
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_of_a_year_up_to_a_day() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(month_ends(2025, d(2025, 12, 31)).len(), 12);
        assert_eq!(month_ends(2024, d(2024, 12, 31))[1], d(2024, 2, 29));
        assert_eq!(month_ends(2026, d(2026, 3, 30)), vec![d(2026, 1, 31), d(2026, 2, 28)]);
    }

    #[test]
    fn a_city_and_a_begun_year() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        assert!(check_params("4502", Some(2025), today).is_ok());
        assert!(check_params("45", Some(2025), today).is_err());
        assert!(check_params("4502", Some(2027), today).is_err());
        assert!(check_params("4502", None, today).is_err());
    }
}
