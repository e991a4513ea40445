//! Opening the file: GDAL's open options (CSV geometry columns, Shapefile encoding), notes about what
//! was assumed, and the choice of layer.

use super::ReaderConfig;
use crate::import::text::Recode;
use crate::import::ImportError;
use gdal::vector::LayerAccess;
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use std::path::PathBuf;

/// Coordinate columns a CSV's WKT geometry may be in.
const CSV_GEOM_NAMES: &str = "WKT,wkt,geom,geometry,the_geom,wkt_geom,shape";

pub(super) fn open_dataset(cfg: &ReaderConfig, notes: &mut Vec<String>) -> Result<(Dataset, Recode), ImportError> {
    let path_s = cfg.path.display().to_string();
    if !cfg.path.exists() {
        return Err(ImportError::Open { path: path_s, reason: "no such file".into() });
    }
    let ext = cfg.path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let gdal_path: PathBuf =
        if ext == "zip" { PathBuf::from(format!("/vsizip/{}", cfg.path.display())) } else { cfg.path.clone() };
    let mut options: Vec<String> = Vec::new();
    let mut recode = Recode::default();
    let shapefile = matches!(ext.as_str(), "shp" | "dbf" | "zip");
    if ext == "csv" {
        options.push(format!("GEOM_POSSIBLE_NAMES={CSV_GEOM_NAMES}"));
        options.push("KEEP_GEOM_COLUMNS=NO".into());
    }
    if let Some(enc) = &cfg.encoding {
        let given = Recode::new(Some(enc))
            .map_err(|reason| ImportError::Encoding { encoding: enc.clone(), reason: reason.into() })?;
        if shapefile {
            // The Shapefile driver's ENCODING open option (the per-file form of SHAPE_ENCODING).
            options.push(format!("ENCODING={}", enc.trim()));
        } else if ext == "csv" {
            recode = given;
        } else {
            return Err(ImportError::Encoding {
                encoding: enc.clone(),
                reason: format!("applies to Shapefile and CSV only; .{ext} files are UTF-8 by definition"),
            });
        }
    }
    let opts: Vec<&str> = options.iter().map(String::as_str).collect();
    let ds = Dataset::open_ex(
        &gdal_path,
        DatasetOptions {
            open_flags: GdalOpenFlags::GDAL_OF_VECTOR | GdalOpenFlags::GDAL_OF_READONLY,
            open_options: if opts.is_empty() { None } else { Some(&opts) },
            ..DatasetOptions::default()
        },
    )
    .map_err(|e| ImportError::Open {
        path: path_s.clone(),
        reason: format!("GDAL cannot read it as vector data ({e})"),
    })?;
    if ext == "shp"
        && cfg.encoding.is_none()
        && !cfg.path.with_extension("cpg").exists()
        && !cfg.path.with_extension("CPG").exists()
    {
        notes.push("no .cpg beside the Shapefile: attributes were decoded as the DBF's language driver says (else ISO-8859-1); files from Chinese desktop GIS are usually GBK: if names look wrong, import with --encoding GBK".into());
    }
    if let Some(e) = recode.encoding() {
        notes.push(format!("CSV text decoded from {e}"));
    }
    Ok((ds, recode))
}

pub(super) fn choose_layer(ds: &Dataset, cfg: &ReaderConfig) -> Result<usize, ImportError> {
    let path = cfg.path.display().to_string();
    let names: Vec<String> = ds.layers().map(|l| l.name()).collect();
    let idx = match &cfg.layer {
        Some(want) => names.iter().position(|n| n == want).ok_or_else(|| ImportError::Layer {
            path: path.clone(),
            reason: format!("no layer named '{want}' (layers: {})", names.join(", ")),
        })?,
        None if names.len() == 1 => 0,
        None => names.iter().position(|n| n == cfg.collection.as_str()).ok_or_else(|| ImportError::Layer {
            path: path.clone(),
            reason: if names.is_empty() {
                "no layers".into()
            } else {
                format!("{} layers ({}); choose one with --layer", names.len(), names.join(", "))
            },
        })?,
    };
    Ok(idx)
}
