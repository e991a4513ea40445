//! `landguard soil-grade --file`: a laboratory's table of samples (CSV, XLSX, ODS or any table GDAL reads),
//! graded row by row with the same code as `POST /soil-grade`. All rows or none: one bad row refuses the
//! file, and every bad row is named.

use crate::checks::{soil_grade, CheckError, SoilAnswer};
use crate::domain::soil::Pollutant;
use crate::import::text::{Recode, Utf8, NOT_UTF8};
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

/// What a column of the table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Sample,
    Ph,
    Land,
    LandType,
    Crops,
    Pollutant(Pollutant),
}

/// Column names a table may use for each role besides the pollutants, in English or Chinese,
/// lower-cased; the first that is present wins. A pollutant's column is its symbol or its Chinese name.
const COLUMNS: &[(Role, &[&str])] = &[
    (Role::Sample, &["sample", "sample_id", "sample_code", "id", "样品编号", "样品编码", "编号"]),
    (Role::Ph, &["ph", "ph值", "酸碱度"]),
    (Role::Land, &["land", "土地利用类型", "用地类型"]),
    (Role::LandType, &["land_type", "地类编码", "三调地类"]),
    (Role::Crops, &["crops", "农产品", "农产品检测"]),
];

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
fn body(cells: &[(Role, String)]) -> Value {
    let mut body = Map::new();
    let mut concentrations = Map::new();
    for (role, v) in cells {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        match role {
            Role::Sample => {}
            Role::Ph => {
                body.insert("ph".into(), number_or_text(v));
            }
            Role::Land => {
                body.insert("land".into(), Value::String(v.to_string()));
            }
            Role::LandType => {
                body.insert("land_type".into(), Value::String(v.to_string()));
            }
            Role::Crops => {
                body.insert("crops".into(), Value::String(v.to_string()));
            }
            Role::Pollutant(p) => {
                let value = if not_detected(v) { serde_json::json!(0.0) } else { number_or_text(v) };
                concentrations.insert(p.as_str().into(), value);
            }
        }
    }
    body.insert("concentrations".into(), Value::Object(concentrations));
    Value::Object(body)
}

/// Each role found among the table's column names, with the column's index.
fn roles(names: &[String]) -> Vec<(Role, usize)> {
    let column =
        |aliases: &[&str]| aliases.iter().find_map(|a| names.iter().position(|n| n.trim().to_lowercase() == *a));
    let mut roles: Vec<(Role, usize)> =
        COLUMNS.iter().filter_map(|(role, aliases)| Some((*role, column(aliases)?))).collect();
    for p in Pollutant::ALL {
        if let Some(i) = column(&[&p.as_str().to_lowercase(), p.name_zh()]) {
            roles.push((Role::Pollutant(p), i));
        }
    }
    roles
}

/// `encoding` is a CSV's, when it is not UTF-8 (GBK from Excel on a Chinese desktop).
pub fn grade_file(path: &Path, layer: Option<&str>, encoding: Option<&str>) -> Result<Vec<Graded>, SoilFileError> {
    let open_err = |reason: String| SoilFileError::Open { path: path.display().to_string(), reason };
    if !path.is_file() {
        return Err(open_err("no such file".into()));
    }
    let csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let recode = match encoding {
        Some(e) if !csv => {
            return Err(open_err(format!("--encoding {e} applies to CSV only; spreadsheets are UTF-8 by definition")))
        }
        e => Recode::new(e).map_err(|reason| open_err(format!("--encoding {}: {reason}", e.unwrap_or_default())))?,
    };
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
    // SAFETY: the definition lives as long as the layer.
    let defn = unsafe { layer.defn().c_defn() };
    let names: Vec<Utf8> =
        (0..unsafe { gdal_sys::OGR_FD_GetFieldCount(defn) }).map(|i| recode.field_name(defn, i)).collect();
    let names_lossy = names.iter().any(|n| n.lossy);
    let names: Vec<String> = names.into_iter().map(|n| n.text).collect();
    let roles = roles(&names);
    let has = |r: Role| roles.iter().any(|(x, _)| *x == r);
    if !has(Role::Ph)
        || !(has(Role::Land) || has(Role::LandType))
        || !Pollutant::GRADED.into_iter().any(|p| has(Role::Pollutant(p)))
    {
        return Err(SoilFileError::Columns(format!(
            "the table needs a pH column, a land or land_type column and at least one of Cd, Hg, As, Pb, Cr (English or Chinese names); its columns are: {}{}",
            names.join(", "),
            if names_lossy { format!("; {NOT_UTF8}") } else { String::new() }
        )));
    }
    let mut graded = Vec::new();
    let mut problems = Vec::new();
    let mut rows = 0;
    for feature in layer.features() {
        rows += 1;
        // SAFETY: the feature of this iteration is alive while its cells are read.
        let h = unsafe { feature.c_feature() };
        let cells: Vec<(Role, Utf8)> = roles.iter().map(|(role, i)| (*role, recode.field(h, *i as i32))).collect();
        let sample = cells
            .iter()
            .find(|(r, _)| *r == Role::Sample)
            .map(|(_, v)| v.text.trim().to_string())
            .filter(|s| !s.is_empty());
        // rows are counted from 1 after the header, as a spreadsheet user reads them
        let sample = sample.unwrap_or_else(|| format!("row {}", rows + 1));
        if let Some((_, i)) = cells.iter().zip(&roles).find(|((_, v), _)| v.lossy).map(|(_, r)| *r) {
            problems.push(format!("{sample} {}: {NOT_UTF8}", names[i]));
            continue;
        }
        let cells: Vec<(Role, String)> = cells.into_iter().map(|(r, v)| (r, v.text)).collect();
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
    let names = |ps: &[Pollutant]| ps.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" ");
    let mut out = String::from("sample,ph,land,grade,governing,missing,crops,class,class_zh\n");
    for g in rows {
        let (a, grading) = (&g.answer, &g.answer.grading);
        let cells = [
            g.sample.clone(),
            grading.ph.to_string(),
            grading.land.as_str().to_string(),
            grading.grade.as_str().to_string(),
            names(&grading.governing),
            names(&grading.missing),
            a.crops.map(|c| c.as_str()).unwrap_or_default().to_string(),
            a.class.map(|c| c.as_str()).unwrap_or_default().to_string(),
            a.class_zh.unwrap_or_default().to_string(),
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
            (Role::Sample, "S-1".to_string()),
            (Role::Ph, "6.2".to_string()),
            (Role::LandType, "0101".to_string()),
            (Role::Pollutant(Pollutant::Cd), " 0.45 ".to_string()),
            (Role::Pollutant(Pollutant::Hg), "ND".to_string()),
            (Role::Pollutant(Pollutant::Pb), "".to_string()),
            (Role::Pollutant(Pollutant::As), "abc".to_string()),
        ];
        assert_eq!(
            body(&cells),
            serde_json::json!({"ph": 6.2, "land_type": "0101", "concentrations": {"Cd": 0.45, "Hg": 0.0, "As": "abc"}})
        );
    }

    #[test]
    fn columns_are_found_by_english_or_chinese_name() {
        let names: Vec<String> =
            ["样品编号", "pH值", "Land_Type", "镉", "PB", "锌", "备注"].iter().map(|s| s.to_string()).collect();
        let mut found = roles(&names);
        found.sort_by_key(|(_, i)| *i);
        assert_eq!(
            found,
            vec![
                (Role::Sample, 0),
                (Role::Ph, 1),
                (Role::LandType, 2),
                (Role::Pollutant(Pollutant::Cd), 3),
                (Role::Pollutant(Pollutant::Pb), 4),
                (Role::Pollutant(Pollutant::Zn), 5),
            ]
        );
    }

    #[test]
    fn csv_cells_are_quoted_when_they_must_be() {
        assert_eq!(csv_cell("Cd Pb"), "Cd Pb");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
