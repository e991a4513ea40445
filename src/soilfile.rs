//! `landguard soil-grade --file`: a laboratory's table of samples (CSV, XLSX, ODS or any table GDAL reads),
//! graded row by row with the same code as `POST /soil-grade`. All rows or none: one bad row refuses the
//! file, and every bad row is named.

use crate::checks::{soil_grade, CheckError, SoilAnswer};
use gdal::vector::LayerAccess;
use gdal::Dataset;
use serde_json::{Map, Value};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum SoilFileError {
    #[error("cannot read {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("{0}")]
    Columns(String),
    #[error("{refused} of {rows} samples refused, nothing graded: {}", .problems.join("; "))]
    Rows { refused: usize, rows: usize, problems: Vec<String> },
}

/// One graded row.
pub struct Graded {
    pub sample: String,
    pub answer: SoilAnswer,
}

/// Column names a table may use, in English or Chinese, lower-cased; the first that is present wins.
const COLUMNS: &[(&str, &[&str])] = &[
    ("sample", &["sample", "sample_id", "sample_code", "id", "样品编号", "样品编码", "编号"]),
    ("ph", &["ph", "ph值", "酸碱度"]),
    ("land", &["land", "土地利用类型", "用地类型"]),
    ("land_type", &["land_type", "地类编码", "三调地类"]),
    ("crops", &["crops", "农产品", "农产品检测"]),
    ("Cd", &["cd", "镉"]),
    ("Hg", &["hg", "汞"]),
    ("As", &["as", "砷"]),
    ("Pb", &["pb", "铅"]),
    ("Cr", &["cr", "铬"]),
    ("Cu", &["cu", "铜"]),
    ("Ni", &["ni", "镍"]),
    ("Zn", &["zn", "锌"]),
];

const POLLUTANTS: [&str; 8] = ["Cd", "Hg", "As", "Pb", "Cr", "Cu", "Ni", "Zn"];

/// Below the detection limit: graded as zero, which is below every screening value.
fn not_detected(v: &str) -> bool {
    matches!(v.to_ascii_lowercase().as_str(), "nd" | "n.d." | "<dl" | "未检出")
}

/// A cell as JSON: a number when it reads as one, else the text (so that the grading names it).
fn number_or_text(v: &str) -> Value {
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() => serde_json::json!(x),
        _ => Value::String(v.to_string()),
    }
}

/// The request body `soil_grade` takes, from one row's cells by column role.
fn body(cells: &[(&'static str, String)]) -> Value {
    let mut body = Map::new();
    let mut concentrations = Map::new();
    for (role, v) in cells {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        match *role {
            "sample" => {}
            "ph" => {
                body.insert("ph".into(), number_or_text(v));
            }
            "land" | "land_type" | "crops" => {
                body.insert((*role).into(), Value::String(v.to_string()));
            }
            p => {
                let value = if not_detected(v) { serde_json::json!(0.0) } else { number_or_text(v) };
                concentrations.insert(p.into(), value);
            }
        }
    }
    body.insert("concentrations".into(), Value::Object(concentrations));
    Value::Object(body)
}

pub fn grade_file(path: &Path, layer: Option<&str>) -> Result<Vec<Graded>, SoilFileError> {
    let open_err = |reason: String| SoilFileError::Open { path: path.display().to_string(), reason };
    if !path.is_file() {
        return Err(open_err("no such file".into()));
    }
    let unreadable = || open_err("GDAL does not read it as a table (CSV, XLSX, ODS, …)".into());
    // A spreadsheet's first row is its header even when every cell below is text too; by default GDAL
    // guesses from the cell types. (GDAL 3.6 takes this as configuration, not as an open option.)
    for key in ["OGR_XLSX_HEADERS", "OGR_ODS_HEADERS"] {
        gdal::config::set_config_option(key, "FORCE").map_err(|e| open_err(e.to_string()))?;
    }
    let ds = Dataset::open(path).map_err(|_| unreadable())?;
    let mut layer = match layer {
        Some(name) => ds.layer_by_name(name).map_err(|_| {
            let sheets: Vec<String> = ds.layers().map(|l| l.name()).collect();
            open_err(format!("no sheet or layer '{name}' (it has: {})", sheets.join(", ")))
        })?,
        None => ds.layer(0).map_err(|_| open_err("it holds no table".into()))?,
    };
    let names: Vec<String> = layer.defn().fields().map(|f| f.name()).collect();
    let mut roles: Vec<(&'static str, usize)> = Vec::new();
    for (role, aliases) in COLUMNS {
        let found = aliases.iter().find_map(|a| names.iter().position(|n| n.trim().to_lowercase() == *a));
        if let Some(i) = found {
            roles.push((role, i));
        }
    }
    let has = |r: &str| roles.iter().any(|(x, _)| *x == r);
    if !has("ph") || !(has("land") || has("land_type")) || !POLLUTANTS.iter().any(|p| has(p)) {
        return Err(SoilFileError::Columns(format!(
            "the table needs a pH column, a land or land_type column and at least one of Cd, Hg, As, Pb, Cr (English or Chinese names); its columns are: {}",
            names.join(", ")
        )));
    }
    let mut graded = Vec::new();
    let mut problems = Vec::new();
    let mut rows = 0;
    for feature in layer.features() {
        rows += 1;
        let cells: Vec<(&'static str, String)> =
            roles.iter().map(|(role, i)| (*role, feature.field_as_string(*i).ok().flatten().unwrap_or_default())).collect();
        let sample = cells.iter().find(|(r, _)| *r == "sample").map(|(_, v)| v.trim().to_string()).filter(|s| !s.is_empty());
        // rows are counted from 1 after the header, as a spreadsheet user reads them
        let sample = sample.unwrap_or_else(|| format!("row {}", rows + 1));
        match soil_grade(&body(&cells)) {
            Ok(answer) => graded.push(Graded { sample, answer }),
            Err(CheckError::Invalid(ps)) => {
                for p in ps {
                    problems.push(format!("{sample} {}: {}", p.pointer, p.detail));
                }
            }
            Err(e) => problems.push(format!("{sample}: {e}")),
        }
    }
    if rows == 0 {
        return Err(SoilFileError::Columns("the table has no rows".into()));
    }
    if !problems.is_empty() {
        let refused = rows - graded.len();
        if problems.len() > 10 {
            let more = problems.len() - 10;
            problems.truncate(10);
            problems.push(format!("and {more} more"));
        }
        return Err(SoilFileError::Rows { refused, rows, problems });
    }
    Ok(graded)
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The graded rows as CSV: one line a sample, with the grade, what set it, what was missing and the class.
pub fn to_csv(rows: &[Graded]) -> String {
    let mut out = String::from("sample,ph,land,grade,governing,missing,crops,class,class_zh\n");
    for g in rows {
        let a = &g.answer;
        let v = serde_json::to_value(a).unwrap_or_default();
        let list = |key: &str| v[key].as_array().map(|xs| xs.iter().filter_map(|x| x.as_str()).collect::<Vec<_>>().join(" ")).unwrap_or_default();
        let text = |key: &str| v[key].as_str().unwrap_or_default().to_string();
        let cells = [
            g.sample.clone(),
            a.grading.ph.to_string(),
            text("land"),
            text("grade"),
            list("governing"),
            list("missing"),
            text("crops"),
            text("class"),
            text("class_zh"),
        ];
        out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_become_the_request_body() {
        let cells = vec![
            ("sample", "S-1".to_string()),
            ("ph", "6.2".to_string()),
            ("land_type", "0101".to_string()),
            ("Cd", " 0.45 ".to_string()),
            ("Hg", "ND".to_string()),
            ("Pb", "".to_string()),
            ("As", "abc".to_string()),
        ];
        assert_eq!(
            body(&cells),
            serde_json::json!({"ph": 6.2, "land_type": "0101", "concentrations": {"Cd": 0.45, "Hg": 0.0, "As": "abc"}})
        );
    }

    #[test]
    fn csv_cells_are_quoted_when_they_must_be() {
        assert_eq!(csv_cell("Cd Pb"), "Cd Pb");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
