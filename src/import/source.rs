//! The reader thread: GDAL in, checked features out as binary COPY rows plus problems and repairs.
//!
//! GDAL handles are not shareable between threads and GDAL calls block, so the whole file is read on one
//! dedicated thread that talks to the async side through a bounded channel (a few batches in flight at
//! most: memory stays bounded whatever the file's size).

use super::coords::{coordinate_hint, coords_for, Coords, CrsInfo};
use super::text::{Recode, NOT_UTF8};
use super::mapping::{lookup_key, Mapping};
use super::names::{is_read_only, property_for_field, KML_STANDARD_FIELDS};
use super::{FeatureProblem, ImportError, Repair};
use crate::domain::gcj02;
use crate::store::copy::CopyRows;
use crate::domain::geometry::{self, GeometryError};
use crate::domain::registry::{check_feature, Checked, Collection, ConstructionParcel, FarmlandUnit, FeatureLimits, Problem, Record};
use chrono::NaiveDate;
use gdal::cpl::CslStringList;
use gdal::vector::{geometry_type_flatten, Geometry, LayerAccess, OGRFieldType, OGRwkbGeometryType};
use gdal::{Dataset, DatasetOptions, GdalOpenFlags};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::path::PathBuf;
use tokio::sync::mpsc;

/// Features per batch sent to the database side.
const BATCH_FEATURES: usize = 2_000;
/// Batches in flight between the reader and the database.
const CHANNEL_BATCHES: usize = 4;
/// Coordinate columns a CSV's WKT geometry may be in.
const CSV_GEOM_NAMES: &str = "WKT,wkt,geom,geometry,the_geom,wkt_geom,shape";

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

// ---------------------------------------------------------------------------------------------------
// Geometry

/// Calls `f` on every polygon of a geometry, recursively; `Err` names the first non-polygonal part
/// (when `strict`; otherwise such parts are skipped, as after a repair that left lines behind).
fn for_each_polygon(g: &Geometry, strict: bool, f: &mut dyn FnMut(&Geometry) -> Result<(), String>) -> Result<(), String> {
    match geometry_type_flatten(g.geometry_type()) {
        OGRwkbGeometryType::wkbPolygon => f(g),
        OGRwkbGeometryType::wkbMultiPolygon | OGRwkbGeometryType::wkbGeometryCollection => {
            for i in 0..g.geometry_count() {
                for_each_polygon(&g.get_geometry(i), strict, f)?;
            }
            Ok(())
        }
        _ if !strict => Ok(()),
        _ => Err(format!("geometry must be a Polygon or MultiPolygon, not {}", g.geometry_name())),
    }
}

/// A geometry GDAL returned as a raw handle we own, as a safe `Geometry` (through WKB; rare paths only).
fn adopt(h: gdal_sys::OGRGeometryH) -> Option<Geometry> {
    if h.is_null() {
        return None;
    }
    // SAFETY: `h` is a valid geometry we own; it is destroyed after being copied out.
    unsafe {
        let n = gdal_sys::OGR_G_WkbSize(h);
        let mut buf = vec![0u8; n.max(0) as usize];
        let err = gdal_sys::OGR_G_ExportToWkb(h, gdal_sys::OGRwkbByteOrder::wkbNDR, buf.as_mut_ptr());
        gdal_sys::OGR_G_DestroyGeometry(h);
        if err != gdal_sys::OGRErr::OGRERR_NONE {
            return None;
        }
        Geometry::from_wkb(&buf).ok()
    }
}

/// Curves (CurvePolygon, MultiSurface) as straight segments; other geometries unchanged.
fn linear(g: Geometry) -> Geometry {
    // SAFETY: OGR_G_HasCurveGeometry and OGR_G_GetLinearGeometry only read `g`; the result is new.
    unsafe {
        if gdal_sys::OGR_G_HasCurveGeometry(g.c_geometry(), 0) == 0 {
            return g;
        }
        adopt(gdal_sys::OGR_G_GetLinearGeometry(g.c_geometry(), 0.0, std::ptr::null_mut())).unwrap_or(g)
    }
}

/// GeoJSON coordinates of a ring, through the GCJ-02 inverse when asked.
fn ring_json(r: &Geometry, gcj: bool) -> Result<Value, String> {
    let n = r.point_count();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (x, y, _) = r.get_point(i as i32);
        let (x, y) = if gcj { gcj02::gcj02_to_wgs84(x, y).map_err(|e| e.to_string())? } else { (x, y) };
        if !x.is_finite() || !y.is_finite() {
            return Err("a coordinate is not a finite number after transformation".into());
        }
        out.push(json!([x, y]));
    }
    Ok(Value::Array(out))
}

/// A (lon/lat) polygonal GDAL geometry as a GeoJSON Polygon or MultiPolygon, with its polygon count.
fn geojson_of(g: &Geometry, gcj: bool, strict: bool) -> Result<(Value, usize), String> {
    let mut polys = Vec::new();
    for_each_polygon(g, strict, &mut |p| {
        let mut rings = Vec::with_capacity(p.geometry_count());
        for i in 0..p.geometry_count() {
            rings.push(ring_json(&p.get_geometry(i), gcj)?);
        }
        polys.push(Value::Array(rings));
        Ok(())
    })?;
    let n = polys.len();
    Ok(match (geometry_type_flatten(g.geometry_type()), polys.pop()) {
        (OGRwkbGeometryType::wkbPolygon, Some(p)) if n == 1 => (json!({"type": "Polygon", "coordinates": p}), 1),
        (_, last) => {
            polys.extend(last);
            (json!({"type": "MultiPolygon", "coordinates": polys}), n)
        }
    })
}

fn first_vertex(g: &Geometry) -> Option<(f64, f64)> {
    let mut first = None;
    let _ = for_each_polygon(g, false, &mut |p| {
        if first.is_none() && p.geometry_count() > 0 {
            let ring = p.get_geometry(0);
            if ring.point_count() > 0 {
                let (x, y, _) = ring.get_point(0);
                first = Some((x, y));
            }
        }
        Ok(())
    });
    first
}

// ---------------------------------------------------------------------------------------------------
// Fields

/// How one field of the file feeds a property.
struct FieldPlan {
    index: i32,
    property: &'static str,
    kind: FieldKind,
}

#[derive(Clone, Copy)]
enum FieldKind {
    Integer,
    Boolean,
    Real,
    Date,
    Text,
}

fn plan_fields(
    cfg: &ReaderConfig,
    defn: gdal_sys::OGRFeatureDefnH,
    recode: &Recode,
    driver: &str,
    notes: &mut Vec<String>,
) -> Result<Vec<FieldPlan>, ImportError> {
    let c = cfg.collection;
    let kml = driver.contains("KML");
    let mut plans: Vec<FieldPlan> = Vec::new();
    let mut names = Vec::new();
    let mut ignored = Vec::new();
    let mut by_property: HashMap<&'static str, String> = HashMap::new();
    // SAFETY: `defn` belongs to the open layer; field definitions are only read.
    let count = unsafe { gdal_sys::OGR_FD_GetFieldCount(defn) };
    let mut names_lossy = false;
    for i in 0..count {
        let name = recode.field_name(defn, i);
        names_lossy |= name.lossy;
        let name = name.text;
        let (ftype, subtype) = unsafe {
            let fd = gdal_sys::OGR_FD_GetFieldDefn(defn, i);
            (gdal_sys::OGR_Fld_GetType(fd), gdal_sys::OGR_Fld_GetSubType(fd))
        };
        names.push(name.clone());
        let property = match cfg.mapping.rename(&name) {
            Some(p) => Some(p),
            None if cfg.mapping.ignores(&name) => continue,
            None => property_for_field(c, &name),
        };
        let Some(property) = property else {
            if !(kml && KML_STANDARD_FIELDS.iter().any(|k| k.eq_ignore_ascii_case(&name))) {
                ignored.push(name);
            }
            continue;
        };
        if is_read_only(c, property) {
            continue; // computed by the registry (an export writes them); never imported
        }
        if let Some(first) = by_property.insert(property, name.clone()) {
            return Err(ImportError::Fields(format!(
                "fields '{first}' and '{name}' both give {property}; keep one (mapping file: ignore = [\"{name}\"])"
            )));
        }
        let kind = match ftype {
            OGRFieldType::OFTInteger | OGRFieldType::OFTInteger64 if subtype == gdal_sys::OGRFieldSubType::OFSTBoolean => {
                FieldKind::Boolean
            }
            OGRFieldType::OFTInteger | OGRFieldType::OFTInteger64 => FieldKind::Integer,
            OGRFieldType::OFTReal => FieldKind::Real,
            OGRFieldType::OFTDate | OGRFieldType::OFTDateTime => FieldKind::Date,
            _ => FieldKind::Text,
        };
        plans.push(FieldPlan { index: i, property, kind });
    }
    for (p, _) in &cfg.mapping.constants {
        if let Some(field) = by_property.get(p) {
            notes.push(format!("the mapping's constant for {p} replaces the file's field '{field}'"));
        }
    }
    let required: &[&str] = match c {
        Collection::FarmlandUnits => &["unit_code", "county_code", "class", "land_type"],
        Collection::ConstructionParcels => &["parcel_code", "county_code", "name"],
    };
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|p| !by_property.contains_key(p) && !cfg.mapping.constants.iter().any(|(k, _)| k == p))
        .collect();
    if !missing.is_empty() {
        let looked: Vec<String> = missing
            .iter()
            .map(|p| {
                let short = super::names::shapefile_name(p);
                if short == *p { (*p).to_string() } else { format!("{p} or {short}") }
            })
            .collect();
        return Err(ImportError::Fields(format!(
            "no field gives {} (looked for {}; the file has: {}); name the fields in a mapping file ([fields] FILE_FIELD = \"{}\"){}",
            missing.join(", "),
            looked.join("; "),
            if names.is_empty() { "no fields".to_string() } else { names.join(", ") },
            missing[0],
            if names_lossy { format!("; {NOT_UTF8}") } else { String::new() }
        )));
    }
    if !ignored.is_empty() {
        notes.push(format!("fields not imported (no such property): {}", ignored.join(", ")));
    }
    if names_lossy {
        notes.push(format!("field names: {NOT_UTF8}"));
    }
    Ok(plans)
}

/// Codes that lose their leading zero in a numeric field: 三调 farmland types are 4 digits (0101), and
/// land-use codes of the 2023 guide have an even number of digits (07, 0701, 070101).
fn restore_leading_zero(property: &str, v: Value) -> Value {
    match (property, &v) {
        ("land_type" | "current_use", Value::Number(n)) => match n.as_i64() {
            Some(i) if i >= 0 => {
                let s = i.to_string();
                Value::String(if property == "land_type" && s.len() < 4 {
                    format!("{i:04}")
                } else if property == "current_use" && s.len() % 2 == 1 {
                    format!("0{s}")
                } else {
                    s
                })
            }
            _ => v,
        },
        _ => v,
    }
}

/// A field's value; `Err` carries the text when it was not UTF-8 (and no encoding was given).
fn field_value(f: gdal_sys::OGRFeatureH, plan: &FieldPlan, recode: &Recode) -> Result<Value, String> {
    let i = plan.index;
    // SAFETY: `f` is a live feature and `i` one of its fields.
    unsafe {
        if gdal_sys::OGR_F_IsFieldSetAndNotNull(f, i) == 0 {
            return Ok(Value::Null);
        }
        Ok(match plan.kind {
            FieldKind::Boolean => Value::Bool(gdal_sys::OGR_F_GetFieldAsInteger64(f, i) != 0),
            FieldKind::Integer => Value::from(gdal_sys::OGR_F_GetFieldAsInteger64(f, i)),
            FieldKind::Real => {
                let d = gdal_sys::OGR_F_GetFieldAsDouble(f, i);
                if d.fract() == 0.0 && d.abs() < 1e15 {
                    Value::from(d as i64)
                } else {
                    Value::from(d)
                }
            }
            FieldKind::Date => {
                let (mut y, mut m, mut d, mut h, mut mi, mut s, mut tz) = (0, 0, 0, 0, 0, 0f32, 0);
                if gdal_sys::OGR_F_GetFieldAsDateTimeEx(f, i, &mut y, &mut m, &mut d, &mut h, &mut mi, &mut s, &mut tz) != 0 {
                    Value::String(format!("{y:04}-{m:02}-{d:02}"))
                } else {
                    Value::String(Recode::default().field(f, i).text)
                }
            }
            FieldKind::Text => {
                let t = recode.field(f, i);
                if t.lossy {
                    return Err(t.text);
                }
                Value::String(t.text)
            }
        })
    }
}

// ---------------------------------------------------------------------------------------------------
// Reading

fn open_dataset(cfg: &ReaderConfig, notes: &mut Vec<String>) -> Result<(Dataset, Recode), ImportError> {
    let path_s = cfg.path.display().to_string();
    if !cfg.path.exists() {
        return Err(ImportError::Open { path: path_s, reason: "no such file".into() });
    }
    let ext = cfg.path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let gdal_path: PathBuf = if ext == "zip" { PathBuf::from(format!("/vsizip/{}", cfg.path.display())) } else { cfg.path.clone() };
    let mut options: Vec<String> = Vec::new();
    let mut recode = Recode::default();
    let shapefile = matches!(ext.as_str(), "shp" | "dbf" | "zip");
    if ext == "csv" {
        options.push(format!("GEOM_POSSIBLE_NAMES={CSV_GEOM_NAMES}"));
        options.push("KEEP_GEOM_COLUMNS=NO".into());
    }
    if let Some(enc) = &cfg.encoding {
        let given = Recode::new(Some(enc)).map_err(|reason| ImportError::Encoding { encoding: enc.clone(), reason: reason.into() })?;
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
    .map_err(|e| ImportError::Open { path: path_s.clone(), reason: format!("GDAL cannot read it as vector data ({e})") })?;
    if ext == "shp" && cfg.encoding.is_none() && !cfg.path.with_extension("cpg").exists() && !cfg.path.with_extension("CPG").exists() {
        notes.push("no .cpg beside the Shapefile: attributes were decoded as the DBF's language driver says (else ISO-8859-1); files from Chinese desktop GIS are usually GBK: if names look wrong, import with --encoding GBK".into());
    }
    if let Some(e) = recode.encoding() {
        notes.push(format!("CSV text decoded from {e}"));
    }
    Ok((ds, recode))
}

fn choose_layer(ds: &Dataset, cfg: &ReaderConfig) -> Result<usize, ImportError> {
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

/// A feature as the GDAL thread prepared it: properties and geometry (CGCS2000 lon/lat) as a GeoJSON
/// Feature, ready for the check.
struct Prepared {
    ordinal: u64,
    code: Option<String>,
    state_given: bool,
    feature: Value,
    /// Why the geometry could not be brought to lon/lat (then `feature` has none).
    geometry_problem: Option<String>,
    /// The first vertex in the source CRS, for hints about impossible coordinates.
    source_vertex: Option<(f64, f64)>,
    /// The lon/lat geometry as WKB (before the GCJ-02 inverse), kept only when repairs are asked for.
    lonlat_wkb: Option<Vec<u8>>,
    /// Properties whose text was not UTF-8 (and no encoding was given): stored, they would be mojibake.
    not_utf8: Vec<&'static str>,
}

/// What the checker thread needs to know; plain data, so it can cross threads.
#[derive(Clone)]
struct CheckConfig {
    collection: Collection,
    today: NaiveDate,
    limits: FeatureLimits,
    repair: bool,
    gcj02: bool,
    info: CrsInfo,
}

/// On the GDAL thread: a feature's geometry to 2-D straight-segment CGCS2000 lon/lat, and the Feature
/// the check reads.
fn prepare(cfg: &ReaderConfig, coords: &Coords, ordinal: u64, props: Map<String, Value>, geom: Option<&Geometry>) -> Prepared {
    let c = cfg.collection;
    let code = props.get(c.id_property()).and_then(lookup_key).filter(|s| !s.is_empty());
    let state_given =
        c == Collection::ConstructionParcels && props.get("state").and_then(lookup_key).is_some_and(|s| !s.is_empty());
    let mut geometry = Value::Null;
    let mut geometry_problem = None;
    let mut source_vertex = None;
    let mut lonlat_wkb = None;
    if let Some(g) = geom {
        let mut g = linear(g.clone());
        g.flatten_to_2d();
        source_vertex = first_vertex(&g);
        let transformed = match &coords.transform {
            None => Ok(()),
            Some(t) => g.transform_inplace(t),
        };
        match transformed {
            Err(_) => {
                let hint = source_vertex
                    .map(|(x, y)| coordinate_hint(&coords.info, x, y))
                    .unwrap_or_else(|| "the geometry has no coordinates".into());
                geometry_problem = Some(format!("coordinates cannot be transformed from {}: {hint}", coords.info.label));
            }
            Ok(()) => match geojson_of(&g, coords.gcj02, true) {
                Ok((v, _)) => {
                    geometry = v;
                    if cfg.repair {
                        lonlat_wkb = g.wkb().ok();
                    }
                }
                Err(e) if coords.gcj02 && e.contains("GCJ-02") => {
                    let hint = source_vertex.map(|(x, y)| geometry::outside_china_hint(x, y)).unwrap_or("");
                    geometry_problem = Some(format!("{e}; {hint}"));
                }
                Err(e) => geometry_problem = Some(e),
            },
        }
    }
    let feature = json!({"type": "Feature", "geometry": geometry, "properties": Value::Object(props)});
    Prepared { ordinal, code, state_given, feature, geometry_problem, source_vertex, lonlat_wkb, not_utf8: Vec::new() }
}

/// The checker thread's state: checks features, repairs them when asked, finds duplicate codes and
/// encodes the staging rows.
struct Checker {
    cfg: CheckConfig,
    codes: HashMap<String, u64>,
    rows: CopyRows,
    in_batch: u64,
    problems: Vec<FeatureProblem>,
    repairs: Vec<Repair>,
    /// Once a problem is found nothing will be written, so rows are no longer encoded.
    failed: bool,
}

impl Checker {
    fn new(cfg: CheckConfig) -> Checker {
        Checker {
            cfg,
            codes: HashMap::new(),
            rows: CopyRows::with_capacity(1 << 20),
            in_batch: 0,
            problems: Vec::new(),
            repairs: Vec::new(),
            failed: false,
        }
    }

    fn problem(&mut self, ordinal: u64, code: &Option<String>, pointer: &str, detail: impl Into<String>) {
        self.failed = true;
        self.problems.push(FeatureProblem { ordinal, code: code.clone(), problem: Problem::new(pointer, detail) });
    }

    fn flush(&mut self, send: &dyn Fn(Msg) -> bool) -> bool {
        let rows = std::mem::replace(&mut self.rows, CopyRows::with_capacity(1 << 20));
        let b = Batch {
            rows: rows.buf,
            read: std::mem::take(&mut self.in_batch),
            problems: std::mem::take(&mut self.problems),
            repairs: std::mem::take(&mut self.repairs),
        };
        send(Msg::Batch(b))
    }

    /// Checks one feature (the API's check) and, when it passes, encodes its staging row.
    fn feature(&mut self, p: Prepared) {
        self.in_batch += 1;
        let Prepared { ordinal, code, state_given, mut feature, geometry_problem, source_vertex, lonlat_wkb, not_utf8 } = p;
        let not_utf8: Vec<String> = not_utf8.iter().map(|p| format!("/properties/{p}")).collect();
        for pointer in &not_utf8 {
            self.problem(ordinal, &code, pointer, NOT_UTF8);
        }
        let c = self.cfg.collection;
        let limits = self.cfg.limits;
        let mut checked = check_feature(c, &feature, self.cfg.today, limits);

        // --on-invalid repair: GEOS MakeValid (through GDAL) for geometries that are invalid — by geo's
        // checks (what the API refuses) or by GEOS's (what PostGIS's ST_IsValid constraint refuses).
        if self.cfg.repair && geometry_problem.is_none() {
            let lonlat = lonlat_wkb.as_deref().and_then(|w| Geometry::from_wkb(w).ok());
            let invalid = match &checked {
                Err(_) => invalid_only(&feature["geometry"], limits),
                Ok(_) => lonlat.as_ref().filter(|g| !g.is_valid()).map(|_| "invalid according to GEOS".to_string()),
            };
            if let (Some(was), Some(g)) = (invalid, lonlat.as_ref()) {
                if let Some((repaired, parts)) = repair(g, self.cfg.gcj02) {
                    feature["geometry"] = repaired;
                    let again = check_feature(c, &feature, self.cfg.today, limits);
                    if let Ok(ok) = &again {
                        self.repairs.push(Repair { ordinal, code: ok.record.code().to_string(), was, area_m2: ok.area_m2, parts });
                    }
                    checked = again;
                }
            }
        }

        match checked {
            Err(problems) => {
                if let Some(p) = &geometry_problem {
                    self.problem(ordinal, &code, "/geometry", p.clone());
                }
                for p in problems {
                    if p.pointer == "/geometry" && geometry_problem.is_some() {
                        continue; // the transformation problem above explains the missing geometry
                    }
                    if not_utf8.contains(&p.pointer) {
                        continue; // the value is mojibake; its encoding is the problem to name
                    }
                    if geometry_problem_is_outside(&p) && !self.cfg.info.geographic {
                        // the lon/lat check's hint speaks of lon/lat; name the cause in the source CRS
                        let hint = source_vertex.map(|(x, y)| coordinate_hint(&self.cfg.info, x, y)).unwrap_or_default();
                        let detail = format!("coordinates cannot be in {}: {hint}", self.cfg.info.label);
                        self.problem(ordinal, &code, &p.pointer, detail);
                    } else {
                        self.problem(ordinal, &code, &p.pointer, p.detail);
                    }
                }
            }
            Ok(ok) => {
                let code = ok.record.code().to_string();
                if let Some(first) = self.codes.get(&code) {
                    let msg = format!("{} '{code}' appears twice in the file (also feature {first})", c.id_property());
                    self.problem(ordinal, &Some(code), &format!("/properties/{}", c.id_property()), msg);
                    return;
                }
                self.codes.insert(code, ordinal);
                if !self.failed {
                    encode(&mut self.rows, ordinal, &ok, state_given);
                }
            }
        }
    }
}

/// What the GDAL thread hands the checker.
enum Stage {
    Features(Vec<Prepared>),
    /// The whole file has been read (without it, a closed channel means the reader failed).
    End,
}

/// The checker thread: features in, batches of COPY rows and problems out; `Done` only after `End`.
fn check_all(cfg: CheckConfig, rx: std::sync::mpsc::Receiver<Stage>, send: &dyn Fn(Msg) -> bool) {
    let mut checker = Checker::new(cfg);
    while let Ok(stage) = rx.recv() {
        match stage {
            Stage::Features(fs) => {
                for f in fs {
                    checker.feature(f);
                }
                if !checker.flush(send) {
                    return; // the database side has gone; it reports why
                }
            }
            Stage::End => {
                send(Msg::Done);
                return;
            }
        }
    }
}

fn geometry_problem_is_outside(p: &Problem) -> bool {
    p.pointer == "/geometry" && p.detail.contains("outside China's extent")
}

/// The validity errors of a GeoJSON geometry when they are its only geometry problems (so that a repair
/// can help), joined as one text.
fn invalid_only(geometry: &Value, limits: FeatureLimits) -> Option<String> {
    let mp = geometry::multipolygon_from_geojson(geometry).ok()?;
    let errors = geometry::check_lonlat(&mp, limits.max_vertices);
    let all_invalid = !errors.is_empty() && errors.iter().all(|e| matches!(e, GeometryError::Invalid(_)));
    all_invalid.then(|| errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
}

/// GEOS MakeValid (GDAL's OGR_G_MakeValidEx, "linework" method: the same algorithm as PostGIS's
/// ST_MakeValid), keeping the polygonal parts.
fn repair(g: &Geometry, gcj: bool) -> Option<(Value, usize)> {
    let fixed = g.make_valid(&CslStringList::new()).ok()?;
    let (v, parts) = geojson_of(&fixed, gcj, false).ok()?;
    (parts > 0).then_some((v, parts))
}

fn encode(rows: &mut CopyRows, ordinal: u64, c: &Checked<Record>, state_given: bool) {
    match &c.record {
        Record::Farmland(FarmlandUnit {
            unit_code,
            county_code,
            class,
            land_type,
            measures_in_place,
            crops_compliant,
            valid_from,
            basis_doc,
        }) => {
            rows.row(11);
            rows.int4(ordinal as i32);
            rows.text(unit_code);
            rows.text(county_code);
            rows.text(class.as_str());
            rows.text(land_type);
            rows.bool(*measures_in_place);
            rows.opt_bool(*crops_compliant);
            rows.opt_text(basis_doc.as_deref());
            rows.ewkb_multipolygon(&c.geometry, 4490);
            rows.float8(c.area_m2);
            rows.date(*valid_from);
        }
        Record::Parcel(ConstructionParcel {
            parcel_code,
            county_code,
            name,
            state,
            priority_supervision,
            key_unit_land,
            current_use,
            use_code_system,
            remediated_for_class,
            former_industry,
            valid_from,
        }) => {
            rows.row(14);
            rows.int4(ordinal as i32);
            rows.text(parcel_code);
            rows.text(county_code);
            rows.text(name);
            rows.opt_text(state_given.then(|| state.as_str()));
            rows.bool(*priority_supervision);
            rows.bool(*key_unit_land);
            rows.opt_text(current_use.as_deref());
            rows.text(use_code_system.as_str());
            rows.opt_int2(*remediated_for_class);
            rows.opt_text(former_industry.as_deref());
            rows.ewkb_multipolygon(&c.geometry, 4490);
            rows.float8(c.area_m2);
            rows.date(*valid_from);
        }
    }
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
    let count = layer.try_feature_count();
    let opened = Opened { driver, layer: layer_name, crs: coords.info.label.clone(), count, notes };
    if !send(Msg::Opened(opened)) {
        return Ok(());
    }

    let check_cfg = CheckConfig {
        collection: cfg.collection,
        today: cfg.today,
        limits: cfg.limits,
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
        let mut prepared = prepare(&cfg, &coords, ordinal, props, f.geometry());
        prepared.not_utf8 = not_utf8;
        batch.push(prepared);
        if batch.len() >= BATCH_FEATURES
            && stage_tx.send(Stage::Features(std::mem::replace(&mut batch, Vec::with_capacity(BATCH_FEATURES)))).is_err()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_codes_get_their_zero_back() {
        assert_eq!(restore_leading_zero("land_type", json!(101)), json!("0101"));
        assert_eq!(restore_leading_zero("current_use", json!(701)), json!("0701"));
        assert_eq!(restore_leading_zero("current_use", json!(70101)), json!("070101"));
        assert_eq!(restore_leading_zero("current_use", json!(1001)), json!("1001"));
        assert_eq!(restore_leading_zero("county_code", json!(450222)), json!(450222));
        assert_eq!(restore_leading_zero("land_type", json!("0101")), json!("0101"));
    }
}
