//! The reader thread: GDAL in, checked features out as binary COPY rows plus problems and repairs.
//!
//! GDAL handles are not shareable between threads and GDAL calls block, so the whole file is read on one
//! dedicated thread that talks to the async side through a bounded channel (a few batches in flight at
//! most: memory stays bounded whatever the file's size).
//!
//! The thread's pieces: [`open`] opens the file and picks its layer, [`fields`] plans which field feeds
//! which property, [`lonlat`] brings each feature's geometry to CGCS2000 lon/lat GeoJSON, and [`check`]
//! runs on a second thread that checks, repairs and encodes the features.

mod check;
mod fields;
mod lonlat;
mod open;

use super::coords::coords_for;
use super::mapping::Mapping;
use super::{FeatureProblem, ImportError, Repair};
use crate::domain::registry::{Collection, FeatureLimits};
use check::{check_all, CheckConfig, Stage};
use chrono::NaiveDate;
use fields::{field_value, plan_fields, restore_leading_zero};
use gdal::vector::LayerAccess;
use lonlat::prepare;
use open::{choose_layer, open_dataset};
use serde_json::{Map, Value};
use std::path::PathBuf;
use tokio::sync::mpsc;

/// Features per batch sent to the database side.
const BATCH_FEATURES: usize = 2_000;
/// Batches in flight between the reader and the database.
const CHANNEL_BATCHES: usize = 4;

pub(super) struct ReaderConfig {
    pub path: PathBuf,
    pub collection: Collection,
    pub layer: Option<String>,
    pub source_crs: Option<String>,
    pub encoding: Option<String>,
    pub repair: bool,
    pub today: NaiveDate,
    pub limits: FeatureLimits,
    pub mapping: Mapping,
}

pub(super) struct Opened {
    pub driver: String,
    pub layer: String,
    pub crs: String,
    pub count: Option<u64>,
    pub notes: Vec<String>,
}

pub(super) struct Batch {
    pub rows: Vec<u8>,
    pub read: u64,
    pub problems: Vec<FeatureProblem>,
    pub repairs: Vec<Repair>,
}

pub(super) enum Msg {
    Opened(Opened),
    Batch(Batch),
    Done,
    Failed(ImportError),
}

pub(super) fn spawn(cfg: ReaderConfig) -> Result<mpsc::Receiver<Msg>, ImportError> {
    let (tx, rx) = mpsc::channel(CHANNEL_BATCHES);
    std::thread::Builder::new()
        .name("import-read".into())
        .spawn(move || {
            let own = tx.clone();
            let send = |m: Msg| own.blocking_send(m).is_ok();
            if let Err(e) = read(cfg, &send, tx) {
                send(Msg::Failed(e));
            }
        })
        .map_err(|e| ImportError::Reader(e.to_string()))?;
    Ok(rx)
}

/// GDAL's own warnings (e.g. about fields it cannot map) go to the log at debug level, not to stderr:
/// the CLI's stderr carries a progress bar and one line of outcome.
pub(crate) fn quiet_gdal() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        gdal::config::set_error_handler(|class, code, msg| {
            tracing::debug!(target: "landguard::gdal", ?class, code, "{msg}");
        });
    });
}

/// The GDAL thread: opens the file, sends `Opened`, then prepares features for the checker thread it
/// starts (reading and checking run on two cores).
fn read(cfg: ReaderConfig, send: &(dyn Fn(Msg) -> bool + Sync), tx: mpsc::Sender<Msg>) -> Result<(), ImportError> {
    quiet_gdal();
    let mut notes = Vec::new();
    let (ds, recode) = open_dataset(&cfg, &mut notes)?;
    let driver = ds.driver().short_name();
    let idx = choose_layer(&ds, &cfg)?;
    let mut layer = ds.layer(idx)?;
    let layer_name = layer.name();
    let coords = coords_for(&cfg.path, cfg.source_crs.as_deref(), layer.spatial_ref(), &mut notes)?;
    // SAFETY: the layer's definition lives as long as the layer.
    let defn = unsafe { layer.defn().c_defn() };
    let plans = plan_fields(&cfg, defn, &recode, &driver, &mut notes)?;
    let lonlat = lonlat_columns(defn, &recode);
    let count = layer.try_feature_count();
    let opened = Opened { driver, layer: layer_name, crs: coords.info.label.clone(), count, notes };
    if !send(Msg::Opened(opened)) {
        return Ok(());
    }

    let check_cfg = CheckConfig {
        collection: cfg.collection,
        today: cfg.today,
        limits: cfg.limits.clone(),
        repair: cfg.repair,
        gcj02: coords.gcj02,
        info: coords.info.clone(),
    };
    let (stage_tx, stage_rx) = std::sync::mpsc::sync_channel::<Stage>(CHANNEL_BATCHES);
    std::thread::Builder::new()
        .name("import-check".into())
        .spawn(move || check_all(check_cfg, stage_rx, &|m: Msg| tx.blocking_send(m).is_ok()))
        .map_err(|e| ImportError::Reader(e.to_string()))?;

    let mut ordinal = 0u64;
    let mut batch = Vec::with_capacity(BATCH_FEATURES);
    for f in layer.features() {
        ordinal += 1;
        // SAFETY: `f` is the live feature of this iteration.
        let h = unsafe { f.c_feature() };
        let mut props = Map::new();
        let mut not_utf8 = Vec::new();
        for p in &plans {
            let v = field_value(h, p, &recode).unwrap_or_else(|lossy| {
                not_utf8.push(p.property);
                Value::String(lossy)
            });
            let v = restore_leading_zero(p.property, cfg.mapping.translate(p.property, v));
            if !v.is_null() {
                props.insert(p.property.to_string(), v);
            }
        }
        for (p, v) in &cfg.mapping.constants {
            props.insert((*p).to_string(), v.clone());
        }
        let point = match (f.geometry(), lonlat) {
            (None, Some((x, y))) => point_of(h, x, y),
            _ => None,
        };
        let mut prepared = prepare(&cfg, &coords, ordinal, props, f.geometry().or(point.as_ref()));
        prepared.not_utf8 = not_utf8;
        batch.push(prepared);
        if batch.len() >= BATCH_FEATURES
            && stage_tx
                .send(Stage::Features(std::mem::replace(&mut batch, Vec::with_capacity(BATCH_FEATURES))))
                .is_err()
        {
            return Ok(()); // the checker has stopped because the database side has gone; it reports why
        }
    }
    if !batch.is_empty() && stage_tx.send(Stage::Features(batch)).is_err() {
        return Ok(());
    }
    let _ = stage_tx.send(Stage::End);
    Ok(())
}

/// The longitude and latitude columns of a table without geometry (a laboratory's CSV or XLSX of samples).
fn lonlat_columns(defn: gdal_sys::OGRFeatureDefnH, recode: &crate::import::text::Recode) -> Option<(i32, i32)> {
    // SAFETY: `defn` belongs to the open layer; field definitions are only read.
    let count = unsafe { gdal_sys::OGR_FD_GetFieldCount(defn) };
    let names: Vec<String> = (0..count).map(|i| recode.field_name(defn, i).text).collect();
    let find = |is: fn(&str) -> bool| names.iter().position(|n| is(n)).map(|i| i as i32);
    Some((find(crate::import::lab::is_lon)?, find(crate::import::lab::is_lat)?))
}

/// A point from a row's longitude and latitude cells; none when either is empty or not a number (the check
/// then reports the missing geometry).
fn point_of(h: gdal_sys::OGRFeatureH, x: i32, y: i32) -> Option<gdal::vector::Geometry> {
    let cell = |i: i32| -> Option<f64> {
        // SAFETY: `h` is the live feature; the string is copied before the next call.
        unsafe {
            if gdal_sys::OGR_F_IsFieldSetAndNotNull(h, i) == 0 {
                return None;
            }
            let s = std::ffi::CStr::from_ptr(gdal_sys::OGR_F_GetFieldAsString(h, i));
            s.to_str().ok()?.trim().parse::<f64>().ok().filter(|v| v.is_finite())
        }
    };
    gdal::vector::Geometry::from_wkt(&format!("POINT ({} {})", cell(x)?, cell(y)?)).ok()
}
