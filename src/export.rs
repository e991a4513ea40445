//! `landguard export COLLECTION OUT.(gpkg|shp|geojson) [--crs EPSG:NNNN] [--as-of DATE]`: a layer for
//! other systems (the territorial spatial basic information platform, desktop GIS).
//!
//! Rows stream from PostGIS in code order through a bounded channel to a writer thread that owns the GDAL
//! dataset, so memory does not grow with the layer. Geometries leave the database as CGCS2000 lon/lat WKB
//! and are reprojected by PROJ (GDAL's OGRCoordinateTransformation, traditional lon/lat and
//! easting/northing axis order) into the requested CRS.
//!
//! Formats: GeoPackage (default CRS EPSG:4490), Shapefile (default EPSG:4490; UTF-8 attributes with a
//! `.cpg`; field names truncated to 10 characters as `import::names::shapefile_name` documents, so the
//! file imports back without a mapping) and GeoJSON (default RFC 7946: CRS84 lon/lat, counter-clockwise
//! exteriors; 9 decimals, 0.1 mm; with `--crs` another CRS is written with a `crs` member and 4 decimals
//! for metres). Existing files are never overwritten.

use crate::domain::registry::Collection;
use crate::import::names::shapefile_name;
use crate::store::import::{export_columns, ExportKind, ExportRow, ExportValue};
use crate::store::{Store, StoreError};
use chrono::{Datelike, NaiveDate};
use futures_util::StreamExt;
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use gdal::vector::{Feature, Geometry, LayerAccess, LayerOptions, OGRFieldType, OGRwkbGeometryType};
use gdal::DriverManager;
use std::ffi::CString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Rows per message to the writer.
const BATCH_ROWS: usize = 1_000;
/// The longest text a DBF field holds, in bytes.
const DBF_TEXT_MAX: usize = 254;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot tell the format of {0}: use .gpkg, .shp or .geojson")]
    Format(String),
    #[error("{0} exists already; remove it or choose another name")]
    Exists(String),
    #[error("--crs '{crs}' is not a CRS PROJ knows: {reason}")]
    Crs { crs: String, reason: String },
    #[error("GDAL: {0}")]
    Gdal(String),
    #[error("{code}: {property} is {len} bytes long in UTF-8; a Shapefile text field holds {DBF_TEXT_MAX} (export to .gpkg or .geojson instead)")]
    TooLong { code: String, property: &'static str, len: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the file writer stopped unexpectedly")]
    Writer,
}

impl From<gdal::errors::GdalError> for ExportError {
    fn from(e: gdal::errors::GdalError) -> Self {
        ExportError::Gdal(e.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GeoPackage,
    Shapefile,
    GeoJson,
}

impl Format {
    pub fn from_path(p: &Path) -> Option<Format> {
        match p.extension()?.to_string_lossy().to_ascii_lowercase().as_str() {
            "gpkg" => Some(Format::GeoPackage),
            "shp" => Some(Format::Shapefile),
            "geojson" | "json" => Some(Format::GeoJson),
            _ => None,
        }
    }

    fn driver(self) -> &'static str {
        match self {
            Format::GeoPackage => "GPKG",
            Format::Shapefile => "ESRI Shapefile",
            Format::GeoJson => "GeoJSON",
        }
    }

    fn default_crs(self) -> &'static str {
        match self {
            Format::GeoJson => "OGC:CRS84",
            _ => "EPSG:4490",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub collection: Collection,
    pub out: PathBuf,
    /// Any CRS PROJ knows (`EPSG:4546`, …); default EPSG:4490, or CRS84 for GeoJSON.
    pub crs: Option<String>,
    /// The registry as it stood on that day; default now.
    pub as_of: Option<NaiveDate>,
    /// Show a spinner on stderr (the CLI sets this when stderr is a terminal).
    pub progress: bool,
}

impl ExportOptions {
    pub fn new(collection: Collection, out: impl Into<PathBuf>) -> Self {
        ExportOptions { collection, out: out.into(), crs: None, as_of: None, progress: false }
    }
}

#[derive(Debug, Clone)]
pub struct ExportSummary {
    pub collection: Collection,
    pub out: PathBuf,
    pub format: Format,
    pub crs: String,
    pub as_of: Option<NaiveDate>,
    pub written: u64,
    pub elapsed: Duration,
}

impl fmt::Display for ExportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exported {} {} to {} ({}, {}, {}) in {:.1} s",
            self.written,
            self.collection,
            self.out.display(),
            self.format.driver(),
            self.crs,
            match self.as_of {
                Some(d) => format!("as of {d}"),
                None => "current".into(),
            },
            self.elapsed.as_secs_f64()
        )
    }
}

/// The output's CRS with traditional (x east) axis order.
struct Target {
    srs: SpatialRef,
    label: String,
    /// OGC CRS84: GeoJSON is then written to RFC 7946.
    crs84: bool,
    /// No transformation from storage: the target is lon/lat on CGCS2000, WGS 84 or CRS84, which agree
    /// with storage to centimetres (PROJ itself uses a null transformation).
    identity: bool,
}

fn is_crs84(def: &str) -> bool {
    let d = def.trim().to_ascii_uppercase();
    matches!(
        d.as_str(),
        "OGC:CRS84" | "CRS84" | "URN:OGC:DEF:CRS:OGC:1.3:CRS84" | "HTTP://WWW.OPENGIS.NET/DEF/CRS/OGC/1.3/CRS84"
    )
}

fn target_crs(def: &str) -> Result<Target, ExportError> {
    let crs84 = is_crs84(def);
    let bad = |e: gdal::errors::GdalError| ExportError::Crs { crs: def.to_string(), reason: e.to_string() };
    let mut srs = SpatialRef::from_definition(if crs84 { "OGC:CRS84" } else { def.trim() }).map_err(bad)?;
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    let authority = if crs84 { "OGC:CRS84".to_string() } else { srs.authority().unwrap_or_default() };
    let name = srs.name().unwrap_or_default();
    let label = if authority.is_empty() { name } else { format!("{authority} ({name})") };
    let identity = srs.is_geographic() && matches!(authority.as_str(), "EPSG:4490" | "EPSG:4326" | "OGC:CRS84");
    Ok(Target { srs, label, crs84, identity })
}

struct Writer {
    format: Format,
    collection: Collection,
    out: PathBuf,
    /// The output CRS as given (GDAL objects are made on the writer thread: they cannot cross threads).
    crs: String,
}

fn field_name(format: Format, property: &'static str) -> &'static str {
    if format == Format::Shapefile {
        shapefile_name(property)
    } else {
        property
    }
}

impl Writer {
    fn write(self, mut rx: mpsc::Receiver<Vec<ExportRow>>) -> Result<(u64, String), ExportError> {
        crate::import::quiet_gdal();
        let Target { srs, label, crs84, identity } = target_crs(&self.crs)?;
        let transform = if identity {
            None
        } else {
            let mut storage = SpatialRef::from_epsg(4490)?;
            storage.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
            Some(
                CoordTransform::new(&storage, &srs)
                    .map_err(|e| ExportError::Crs { crs: self.crs.clone(), reason: e.to_string() })?,
            )
        };
        let driver = DriverManager::get_driver_by_name(self.format.driver())?;
        let mut ds = driver.create_vector_only(&self.out)?;
        let hds = ds.c_dataset();
        let layer_name = match self.format {
            Format::Shapefile => self.out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
            _ => self.collection.as_str().to_string(),
        };
        let mut options: Vec<&str> = Vec::new();
        let geographic = srs.is_geographic();
        match self.format {
            Format::Shapefile => options.push("ENCODING=UTF-8"),
            Format::GeoJson => {
                if crs84 {
                    options.push("RFC7946=YES");
                }
                options.push(if geographic { "COORDINATE_PRECISION=9" } else { "COORDINATE_PRECISION=4" });
            }
            Format::GeoPackage => {}
        }
        let layer = ds.create_layer(LayerOptions {
            name: &layer_name,
            srs: Some(&srs),
            ty: match self.collection.description().geometry {
                crate::domain::collection::GeometryKind::Polygon => OGRwkbGeometryType::wkbMultiPolygon,
                crate::domain::collection::GeometryKind::Point => OGRwkbGeometryType::wkbPoint,
            },
            options: Some(&options),
        })?;
        let columns = export_columns(self.collection);
        for (property, kind) in columns {
            let name = CString::new(field_name(self.format, property)).map_err(|e| ExportError::Gdal(e.to_string()))?;
            let (ftype, boolean) = match kind {
                ExportKind::Text => (OGRFieldType::OFTString, false),
                ExportKind::Bool => (OGRFieldType::OFTInteger, true),
                ExportKind::Int => (OGRFieldType::OFTInteger, false),
                ExportKind::Real => (OGRFieldType::OFTReal, false),
                ExportKind::Date => (OGRFieldType::OFTDate, false),
            };
            // SAFETY: a field definition is created, handed to the layer (which copies it) and destroyed.
            let err = unsafe {
                let fd = gdal_sys::OGR_Fld_Create(name.as_ptr(), ftype);
                if boolean {
                    gdal_sys::OGR_Fld_SetSubType(fd, gdal_sys::OGRFieldSubType::OFSTBoolean);
                }
                if self.format == Format::Shapefile && kind == ExportKind::Text {
                    gdal_sys::OGR_Fld_SetWidth(fd, DBF_TEXT_MAX as i32);
                }
                if self.format == Format::Shapefile && kind == ExportKind::Real {
                    gdal_sys::OGR_Fld_SetWidth(fd, 24);
                    gdal_sys::OGR_Fld_SetPrecision(fd, 3);
                }
                let err = gdal_sys::OGR_L_CreateField(layer.c_layer(), fd, 0);
                gdal_sys::OGR_Fld_Destroy(fd);
                err
            };
            if err != gdal_sys::OGRErr::OGRERR_NONE {
                return Err(ExportError::Gdal(format!("cannot create field {property}")));
            }
        }
        // One transaction for the whole layer where the driver has them (GeoPackage): much faster.
        // SAFETY: `hds` is the open dataset.
        let in_tx = unsafe { gdal_sys::GDALDatasetStartTransaction(hds, 0) } == gdal_sys::OGRErr::OGRERR_NONE;
        let mut written = 0u64;
        while let Some(rows) = rx.blocking_recv() {
            for row in rows {
                self.feature(&layer, transform.as_ref(), row)?;
                written += 1;
            }
        }
        if in_tx {
            // SAFETY: as above.
            let err = unsafe { gdal_sys::GDALDatasetCommitTransaction(hds) };
            if err != gdal_sys::OGRErr::OGRERR_NONE {
                return Err(ExportError::Gdal("cannot commit the GeoPackage transaction".into()));
            }
        }
        ds.close()?;
        Ok((written, label))
    }

    fn feature(
        &self,
        layer: &gdal::vector::Layer,
        transform: Option<&CoordTransform>,
        row: ExportRow,
    ) -> Result<(), ExportError> {
        let mut f = Feature::new(layer.defn())?;
        let code = match row.properties.first() {
            Some((_, ExportValue::Text(Some(c)))) => c.clone(),
            _ => String::new(),
        };
        for (i, (property, value)) in row.properties.into_iter().enumerate() {
            match value {
                ExportValue::Text(Some(s)) => {
                    if self.format == Format::Shapefile && s.len() > DBF_TEXT_MAX {
                        return Err(ExportError::TooLong { code, property, len: s.len() });
                    }
                    f.set_field_string(i, &s)?;
                }
                ExportValue::Bool(Some(b)) => f.set_field_integer(i, i32::from(b))?,
                ExportValue::Int(Some(n)) => f.set_field_integer(i, n)?,
                ExportValue::Real(Some(x)) => f.set_field_double(i, x)?,
                ExportValue::Date(Some(d)) => {
                    // SAFETY: `f` is a live feature with field `i` of type Date.
                    unsafe {
                        gdal_sys::OGR_F_SetFieldDateTime(
                            f.c_feature(),
                            i as i32,
                            d.year(),
                            d.month() as i32,
                            d.day() as i32,
                            0,
                            0,
                            0,
                            0,
                        )
                    };
                }
                _ => f.set_field_null(i)?,
            }
        }
        let mut g = Geometry::from_wkb(&row.wkb)?;
        if let Some(t) = transform {
            g.transform_inplace(t).map_err(|e| ExportError::Gdal(format!("{code}: cannot reproject: {e}")))?;
        }
        f.set_geometry(g)?;
        f.create(layer)?;
        Ok(())
    }
}

fn remove_partial(format: Format, out: &Path) {
    if format == Format::Shapefile {
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            let _ = std::fs::remove_file(out.with_extension(ext));
        }
    } else {
        let _ = std::fs::remove_file(out);
    }
}

/// Writes the collection (as of a date, or now) to a file.
pub async fn run(store: &Store, opts: &ExportOptions) -> Result<ExportSummary, ExportError> {
    let started = Instant::now();
    let format = Format::from_path(&opts.out).ok_or_else(|| ExportError::Format(opts.out.display().to_string()))?;
    if opts.out.exists() {
        return Err(ExportError::Exists(opts.out.display().to_string()));
    }
    let crs = opts.crs.clone().unwrap_or_else(|| format.default_crs().to_string());
    let writer = Writer { format, collection: opts.collection, out: opts.out.clone(), crs };

    let (tx, rx) = mpsc::channel::<Vec<ExportRow>>(4);
    let (done_tx, done_rx) = oneshot::channel();
    std::thread::Builder::new()
        .name("export-writer".into())
        .spawn(move || {
            let _ = done_tx.send(writer.write(rx));
        })
        .map_err(|_| ExportError::Writer)?;

    let spinner = if opts.progress {
        let pb = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {pos} features written ({per_sec})") {
            pb.set_style(style);
        }
        pb
    } else {
        indicatif::ProgressBar::hidden()
    };
    let mut db = crate::store::import::begin_export(store).await?;
    let mut stream = Box::pin(crate::store::import::export_rows(&mut db, opts.collection, opts.as_of));
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    let mut read_error = None;
    while let Some(row) = stream.next().await {
        match row {
            Ok(r) => batch.push(r),
            Err(e) => {
                read_error = Some(e);
                break;
            }
        }
        if batch.len() >= BATCH_ROWS {
            spinner.inc(batch.len() as u64);
            if tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS))).await.is_err() {
                break; // the writer failed; its error follows
            }
        }
    }
    if read_error.is_none() && !batch.is_empty() {
        spinner.inc(batch.len() as u64);
        let _ = tx.send(batch).await;
    }
    drop(tx);
    drop(stream);
    db.rollback().await.ok();
    spinner.finish_and_clear();
    let result = done_rx.await.unwrap_or(Err(ExportError::Writer));
    let result = match read_error {
        Some(e) => Err(ExportError::Store(e.into())),
        None => result,
    };
    match result {
        Ok((written, label)) => Ok(ExportSummary {
            collection: opts.collection,
            out: opts.out.clone(),
            format,
            crs: label,
            as_of: opts.as_of,
            written,
            elapsed: started.elapsed(),
        }),
        Err(e) => {
            remove_partial(format, &opts.out);
            Err(e)
        }
    }
}
