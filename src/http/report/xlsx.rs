//! The annual report as an Excel workbook: the same figures as the HTML page (the same [`Annual`], read once),
//! laid out as tables a bureau can reuse: targets, the indicators by county and month, the priority parcels,
//! the year's changes of the RCR list, and the method and basis. Text is always written as text (never a
//! formula), figures as numbers.

use super::{status_zh, Annual};
use crate::domain::lifecycle::ParcelState;
use crate::http::error::{ApiError, ApiResult};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde_json::Value;

pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The sheets' names, in order (tests read them back by these names).
pub const SHEETS: [&str; 7] = [
    "目标 targets",
    "分县指标 counties",
    "逐月 monthly",
    "优先监管地块 parcels",
    "名录变化 changes",
    "逾期义务 duties",
    "方法与依据 method",
];

enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn number(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Number)
}

fn fail(e: XlsxError) -> ApiError {
    tracing::error!(error = %e, "cannot write the annual report as XLSX");
    ApiError::internal()
}

/// Writes a table with a bold header row, figures with two decimals.
fn table(sheet: &mut Worksheet, name: &str, head: &[&str], rows: Vec<Vec<Cell>>) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let figure = Format::new().set_num_format("0.00");
    sheet.set_name(name)?;
    for (c, h) in head.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Cell::Text(s) => sheet.write_string(r, c as u16, s)?,
                Cell::Number(n) => sheet.write_number_with_format(r, c as u16, *n, &figure)?,
                Cell::Empty => sheet,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofit();
    Ok(())
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_default()
}

/// The target's threshold: a number, or the plan's words where it gives none.
fn threshold(t: &Value) -> Cell {
    let c = &t["comparison"];
    match str_of(c, "kind") {
        "at_least" => number(c["threshold"].as_f64()),
        "effectively_guaranteed" => text("有效保障：100 %，或不低于95 %且违规开发均已整改到位"),
        _ => text(str_of(c, "words")),
    }
}

fn plan_document(t: &Value) -> String {
    let p = &t["plan"];
    let mut s = str_of(p, "title_zh").to_string();
    if let Some(task) = p["task_list_zh"].as_str() {
        s += &format!("及{task}");
    }
    if let Some(no) = p["doc_no"].as_str() {
        s += &format!("（{no}）");
    }
    s
}

impl Annual {
    pub fn xlsx(&self) -> ApiResult<Vec<u8>> {
        self.workbook().map_err(fail)
    }

    fn workbook(&self) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let targets: Vec<Vec<Cell>> = self.targets["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| {
                let status = str_of(t, "status");
                vec![
                    text(str_of(t, "id")),
                    text(str_of(t, "title_zh")),
                    number(t["value"].as_f64()),
                    text(if str_of(t, "unit") == "count" { "个" } else { "%" }),
                    text(format!("{} {status}", status_zh(status))),
                    threshold(t),
                    text(plan_document(t)),
                    text(str_of(t, "clause_zh")),
                    text(str_of(t, "lead_unit")),
                    text(str_of(t, "basis_zh")),
                    text(str_of(t, "missing_zh")),
                ]
            })
            .collect();
        table(
            book.add_worksheet(),
            SHEETS[0],
            &[
                "目标编号 id",
                "目标 target",
                "值 value",
                "单位 unit",
                "状态 status",
                "目标值 threshold",
                "规划文件 plan document",
                "条款 clause",
                "牵头单位 lead unit",
                "依据 basis",
                "缺少 missing",
            ],
            targets,
        )?;

        let mut counties = Vec::new();
        if let Some(y) = self.year_end() {
            for (ind, name) in y
                .counties
                .iter()
                .map(|c| (c, self.county_name(c.scope.code_prefix())))
                .chain([(&y.scope, self.map.city_name.as_deref().unwrap_or("全市"))])
            {
                let (s, p) = (&ind.safe_utilisation, &ind.priority_parcels);
                counties.push(vec![
                    text(ind.scope.code_prefix()),
                    text(name),
                    number(s.rate_percent),
                    number(s.target_percent),
                    text(match s.meets_target {
                        Some(true) => "是",
                        Some(false) => "否",
                        None => "",
                    }),
                    Cell::Number(s.polluted_mu),
                    Cell::Number(s.safely_used_mu),
                    Cell::Number(p.total as f64),
                    Cell::Number(p.under_control as f64),
                    number(p.share_percent),
                    Cell::Number(ind.rcr_listed_by_state.total as f64),
                ]);
            }
        }
        table(
            book.add_worksheet(),
            SHEETS[1],
            &[
                "县区代码 county_code",
                "县区 county",
                "安全利用率 % safe-use rate",
                "目标 % target",
                "达标 met",
                "受污染耕地（亩） polluted mu",
                "安全利用面积（亩） safely used mu",
                "优先监管地块 priority parcels",
                "已管控 under control",
                "管控比例 % share",
                "名录内地块 on the RCR list",
            ],
            counties,
        )?;

        let monthly = self
            .series
            .iter()
            .map(|s| {
                let su = &s.scope.safe_utilisation;
                vec![
                    text(s.as_of.to_string()),
                    number(su.rate_percent),
                    number(su.target_percent),
                    Cell::Number(su.polluted_mu),
                    number(s.scope.priority_parcels.share_percent),
                ]
            })
            .collect();
        table(
            book.add_worksheet(),
            SHEETS[2],
            &[
                "日期 as_of",
                "安全利用率 % safe-use rate",
                "目标 % target",
                "受污染耕地（亩） polluted mu",
                "优先监管地块管控比例 % priority share",
            ],
            monthly,
        )?;

        let parcels = self
            .map
            .parcels
            .iter()
            .map(|p| {
                let state = p.state.as_deref().unwrap_or_default();
                let parsed = state.parse::<ParcelState>().ok();
                let zh = parsed.map(ParcelState::name_zh).unwrap_or_default();
                vec![
                    text(&p.code),
                    text(&p.label),
                    text(format!("{zh} {state}")),
                    text(if parsed.is_some_and(ParcelState::is_rcr_listed) { "是" } else { "否" }),
                ]
            })
            .collect();
        table(
            book.add_worksheet(),
            SHEETS[3],
            &["地块编码 parcel_code", "地块名称 name", "状态 state", "在名录中 on the RCR list"],
            parcels,
        )?;

        let changes = self
            .rcr_changes()
            .map(|(r, change, doc)| {
                let opt = |d: Option<chrono::NaiveDate>| d.map_or(Cell::Empty, |d| text(d.to_string()));
                vec![
                    text(&r.parcel_code),
                    text(&r.name),
                    text(&r.county_code),
                    text(change),
                    text(doc.unwrap_or_default()),
                    opt(r.listed_on),
                    opt(if r.on_after { None } else { r.removed_on }),
                ]
            })
            .collect();
        table(
            book.add_worksheet(),
            SHEETS[4],
            &[
                "地块编码 parcel_code",
                "地块名称 name",
                "县区代码 county_code",
                "变化 change",
                "文件 document",
                "列入日期 listed_on",
                "移出日期 removed_on",
            ],
            changes,
        )?;

        let method = [
            ("报告 report", format!("{} {} 年度土壤污染防治工作报告（{}）", self.map.city_name.as_deref().unwrap_or(&self.city), self.year, self.city)),
            ("数据截至 as of", format!("{}，按登记库现有记录计算（valid time, as known now）", self.end)),
            (
                "安全利用率 safe-use rate",
                "（安全利用类中落实措施的面积 + 严格管控类中落实措施的面积）/ 受污染耕地面积，按各日有效的类别单元版本计算；与 GET /indicators 同一计算".into(),
            ),
            ("优先监管地块 priority parcels", "优先监管地块中处于管控阶段的地块数 / 优先监管地块数（GET /indicators 的 priority_parcels）".into()),
            ("目标 targets", "各目标的值、状态和依据与 GET /targets 相同，见“目标”表的“依据”列".into()),
            ("逐月 monthly", "各月末的数值，与 GET /indicators/series?step=month 相同".into()),
            ("名录变化 changes", format!("建设用地土壤污染风险管控和修复名录：{} 与 {} 比较（GET /public/lists/rcr）", self.end, self.start)),
            (
                "逾期义务 overdue duties",
                format!("重点监管单位、尾矿库和污染源截至 {} 逾期未履行的义务，与 GET /duties?status=overdue 同一计算（三级尾矿库抽查比例为全市义务，不在此列）", self.end),
            ),
        ];
        let overdue = self
            .overdue
            .iter()
            .map(|d| {
                vec![
                    text(&*d.county_code),
                    text(self.county_name(&d.county_code)),
                    text(d.collection),
                    text(&*d.id),
                    text(&*d.name),
                    text(d.duty.name_zh),
                    d.duty.due_by.map_or(Cell::Empty, |x| text(x.to_string())),
                    text(&*d.duty.basis),
                ]
            })
            .collect();
        table(
            book.add_worksheet(),
            SHEETS[5],
            &[
                "县代码 county_code",
                "县 county",
                "登记库 collection",
                "编码 id",
                "名称 name",
                "义务 duty",
                "期限 due_by",
                "依据 basis",
            ],
            overdue,
        )?;
        table(
            book.add_worksheet(),
            SHEETS[6],
            &["项目 item", "方法与依据 method and basis"],
            method.into_iter().map(|(k, v)| vec![text(k), text(v)]).collect(),
        )?;
        book.save_to_buffer()
    }
}
