//! `landguard soil-grade --file`: a laboratory's table of samples (CSV, XLSX, ODS or any table GDAL reads),
//! graded row by row with the same code as `POST /soil-grade`. All rows or none: one bad row refuses the
//! file, and every bad row is named.

use crate::checks::{grade, CheckError, SoilAnswer};
use crate::domain::farmland::CropFinding;
use crate::domain::registry::Problem;
use crate::domain::soil::{Pollutant, SoilUse};
use crate::import::text::{Recode, Utf8, NOT_UTF8};
use crate::requests::{Concentrations, SoilSample};
use gdal::vector::LayerAccess;
use gdal::Dataset;
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

/// A cell's number; the sample's own text is named in the problem otherwise.
fn number(v: &str) -> Option<f64> {
    v.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A cell read with `parse`, or its problem at `pointer` (as `POST /soil-grade` would name the member).
fn cell<T, E: std::fmt::Display>(read: Result<T, E>, pointer: String, problems: &mut Vec<Problem>) -> Option<T> {
    read.map_err(|e| problems.push(Problem::new(pointer, e.to_string()))).ok()
}

/// The sample of one row, from its cells by column role, and the problems of the cells that cannot be read.
fn sample(cells: &[(Role, String)]) -> (SoilSample, Vec<Problem>) {
    let mut sample = SoilSample::default();
    let mut concentrations = Vec::new();
    let mut problems = Vec::new();
    for (role, v) in cells {
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        let p = &mut problems;
        match role {
            Role::Sample => {}
            Role::Ph => sample.ph = cell(number(v).ok_or(format!("must be a number, not '{v}'")), "/ph".into(), p),
            Role::Land => sample.land = cell(v.parse::<SoilUse>(), "/land".into(), p),
            Role::LandType => sample.land_type = cell(SoilUse::from_land_type(v), "/land_type".into(), p),
            Role::Crops => sample.crops = cell(v.parse::<CropFinding>(), "/crops".into(), p),
            Role::Pollutant(pollutant) => {
                let x = if not_detected(v) { Some(0.0) } else { number(v) };
                let at = format!("/concentrations/{pollutant}");
                if let Some(x) = cell(x.ok_or(format!("must be a number of mg/kg, not '{v}'")), at, p) {
                    concentrations.push((*pollutant, x));
                }
            }
        }
    }
    sample.concentrations = Some(Concentrations(concentrations));
    (sample, problems)
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
        let graded_row = match self::sample(&cells) {
            (row, ps) if ps.is_empty() => grade(&row),
            (_, ps) => Err(CheckError::Invalid(ps)),
        };
        match graded_row {
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
    fn cells_become_the_sample() {
        let cells = vec![
            (Role::Sample, "S-1".to_string()),
            (Role::Ph, "6.2".to_string()),
            (Role::LandType, "0101".to_string()),
            (Role::Pollutant(Pollutant::Cd), " 0.45 ".to_string()),
            (Role::Pollutant(Pollutant::Hg), "ND".to_string()),
            (Role::Pollutant(Pollutant::Pb), "".to_string()),
        ];
        let (s, problems) = sample(&cells);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((s.ph, s.land, s.land_type, s.crops), (Some(6.2), None, Some(SoilUse::Paddy), None));
        assert_eq!(s.concentrations, Some(Concentrations(vec![(Pollutant::Cd, 0.45), (Pollutant::Hg, 0.0)])));
        // each cell that cannot be read is named where POST /soil-grade would name its member
        let cells = vec![
            (Role::Ph, "abc".to_string()),
            (Role::Land, "orchard".to_string()),
            (Role::Pollutant(Pollutant::As), "12 mg".to_string()),
        ];
        let pointers: Vec<String> = sample(&cells).1.into_iter().map(|p| p.pointer).collect();
        assert_eq!(pointers, ["/ph", "/land", "/concentrations/As"]);
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
