//! `landguard import`: a file that GDAL reads (Shapefile, GeoPackage, GeoJSON, CSV with WKT, KML, …)
//! into a registry collection, all or nothing.
//!
//! How it runs:
//! 1. A reader thread opens the file with GDAL, works out its CRS (from the file or `--source-crs`,
//!    GCJ-02 included), maps its fields to the properties of docs/contract.md (names, Shapefile truncations,
//!    a mapping file), and for every feature builds a GeoJSON Feature in CGCS2000 lon/lat and runs the
//!    same check the HTTP API runs ([`check_feature`]). Invalid geometry is repaired with GEOS MakeValid
//!    when asked. Good features are encoded as binary COPY rows; codes are checked for duplicates.
//! 2. Meanwhile, in one transaction, the rows stream into a temporary staging table (so memory stays
//!    bounded by a few batches, whatever the file's size).
//! 3. If any feature has a problem, the transaction is rolled back and the whole report returned as
//!    [`ImportError::Refused`]. Otherwise one set-based merge (see `store::import`) creates, versions or
//!    leaves each feature, writes one audit row per change, and commits — or, with `--dry-run`, rolls back.
//!
//! [`check_feature`]: crate::domain::registry::check_feature

mod coords;
pub mod lab;
pub mod mapping;
pub mod names;
mod source;
pub(crate) mod text;

pub(crate) use source::quiet_gdal;

use crate::domain::registry::{Collection, FeatureLimits, Problem};
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mapping::{Mapping, MappingError};
use source::{Msg, ReaderConfig};
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What to do with a feature whose geometry is invalid (self-intersecting, overlapping parts, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnInvalid {
    /// Refuse the file (the default).
    #[default]
    Reject,
    /// Repair the geometry with GEOS MakeValid (through GDAL) and report it.
    Repair,
}

impl std::str::FromStr for OnInvalid {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "reject" => Ok(OnInvalid::Reject),
            "repair" => Ok(OnInvalid::Repair),
            other => Err(format!("--on-invalid must be reject or repair, not '{other}'")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub file: PathBuf,
    pub collection: Collection,
    /// Layer name; needed when the file has several layers.
    pub layer: Option<String>,
    /// `EPSG:NNNN` (or anything PROJ reads) or `gcj02`; overrides the file's CRS.
    pub source_crs: Option<String>,
    pub mapping: Option<PathBuf>,
    /// A mapping given as its text (the same TOML as the file), when there is no file (an upload).
    pub mapping_toml: Option<String>,
    /// Who imports, when it is a person or a token over HTTP: the audit log names them, and every feature
    /// (as the file gives it, and as it stands now) must lie in their counties. None: the command line,
    /// which runs with the database's own rights.
    pub writer: Option<(String, crate::domain::scope::Scopes)>,
    /// Attribute encoding for Shapefile (overrides `.cpg`) and CSV, e.g. `GBK`.
    pub encoding: Option<String>,
    pub on_invalid: OnInvalid,
    pub dry_run: bool,
    /// The date a feature without `valid_from` holds from.
    pub today: NaiveDate,
    pub limits: FeatureLimits,
    /// Draw a progress bar on stderr (the CLI sets this when stderr is a terminal).
    pub progress: bool,
}

impl ImportOptions {
    pub fn new(file: impl Into<PathBuf>, collection: Collection) -> Self {
        ImportOptions {
            file: file.into(),
            collection,
            layer: None,
            source_crs: None,
            mapping: None,
            mapping_toml: None,
            writer: None,
            encoding: None,
            on_invalid: OnInvalid::Reject,
            dry_run: false,
            today: crate::domain::time::today(),
            limits: FeatureLimits::default(),
            progress: false,
        }
    }

    /// The file's name, as it appears in the audit log (`import:<name>`).
    pub fn file_name(&self) -> String {
        self.file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.file.display().to_string())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot open {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("{path}: {reason}")]
    Layer { path: String, reason: String },
    #[error("{path} has no coordinate reference system (no .prj beside a Shapefile, or none in the file); state it with --source-crs EPSG:NNNN (or --source-crs gcj02 for web-map coordinates)")]
    NoCrs { path: String },
    #[error("{0}")]
    Crs(String),
    #[error(transparent)]
    Mapping(#[from] MappingError),
    #[error("{0}")]
    Fields(String),
    /// Required properties that no field of the file gives (and no mapping names).
    #[error("{message}")]
    MissingFields { message: String, missing: Vec<&'static str>, file_fields: Vec<String> },
    #[error("--encoding {encoding}: {reason}")]
    Encoding { encoding: String, reason: String },
    #[error("{path}: layer {layer} has no features; nothing to import")]
    Empty { path: String, layer: String },
    #[error("GDAL: {0}")]
    Gdal(#[from] gdal::errors::GdalError),
    /// At least one feature is wrong; nothing was written. The report lists every problem.
    #[error("{}", refused_line(.0))]
    Refused(Box<Report>),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Features outside the importer's counties; nothing was written. The report lists them.
    #[error("{}", outside_line(.0))]
    OutsideScope(Box<Report>),
    #[error("the file reader stopped unexpectedly: {0}")]
    Reader(String),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Store(e.into())
    }
}

fn refused_line(r: &Report) -> String {
    let features = r.problems.iter().map(|p| p.ordinal).collect::<std::collections::BTreeSet<_>>().len();
    let first = r.problems.first().map(|p| format!(" (first: {p})")).unwrap_or_default();
    format!(
        "{} refused: {} problem{} in {} of {} features; nothing was written{}",
        r.file,
        r.problems.len(),
        if r.problems.len() == 1 { "" } else { "s" },
        features,
        r.read,
        first
    )
}

fn outside_line(r: &Report) -> String {
    format!(
        "{} refused: {} feature{} outside the counties the importer may write; nothing was written",
        r.file,
        r.problems.len(),
        if r.problems.len() == 1 { " lies" } else { "s lie" }
    )
}

/// One thing wrong with one feature of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureProblem {
    /// 1-based position of the feature in the file (the order `ogrinfo` lists them).
    pub ordinal: u64,
    /// The feature's code (`unit_code` / `parcel_code`) when it has one.
    pub code: Option<String>,
    pub problem: Problem,
    /// Where the feature is (GeoJSON, CGCS2000 lon/lat), when the file gave a geometry that could be read.
    pub geometry: Option<serde_json::Value>,
}

impl fmt::Display for FeatureProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code {
            Some(c) => write!(f, "feature {} ({c}): {}", self.ordinal, self.problem),
            None => write!(f, "feature {}: {}", self.ordinal, self.problem),
        }
    }
}

/// A geometry that was invalid and has been repaired.
#[derive(Debug, Clone, PartialEq)]
pub struct Repair {
    pub ordinal: u64,
    pub code: String,
    /// What was wrong (the validity errors found).
    pub was: String,
    pub area_m2: f64,
    pub parts: usize,
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "feature {} ({}): repaired with GEOS MakeValid into {} polygon{} of {:.1} m² in all; it was: {}",
            self.ordinal,
            self.code,
            self.parts,
            if self.parts == 1 { "" } else { "s" },
            self.area_m2,
            self.was
        )
    }
}

/// What an import read, found and did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub file: String,
    pub driver: String,
    pub layer: String,
    pub collection: Option<Collection>,
    /// The source CRS as understood (e.g. `EPSG:4546 (CGCS2000 / 3-degree Gauss-Kruger CM 111E)`).
    pub source_crs: String,
    pub read: u64,
    pub created: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub repairs: Vec<Repair>,
    pub problems: Vec<FeatureProblem>,
    /// Things worth knowing that are not problems (ignored fields, a ballpark datum shift, …).
    pub notes: Vec<String>,
    pub dry_run: bool,
    /// Whether the changes were committed.
    pub written: bool,
    pub elapsed: Duration,
    /// Of which: reading, checking and staging the file (the COPY runs alongside the reader).
    pub read_time: Duration,
    /// Of which: the merge into the registry (plan, new versions, audit rows, commit).
    pub merge_time: Duration,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let collection = self.collection.map(|c| c.as_str()).unwrap_or("?");
        writeln!(f, "import {} (layer {}, {}) into {collection}", self.file, self.layer, self.driver)?;
        writeln!(f, "  source CRS: {} → EPSG:4490 (CGCS2000 lon/lat)", self.source_crs)?;
        for n in &self.notes {
            writeln!(f, "  note: {n}")?;
        }
        if !self.repairs.is_empty() {
            writeln!(f, "repaired ({}):", self.repairs.len())?;
            for r in &self.repairs {
                writeln!(f, "  {r}")?;
            }
        }
        if !self.problems.is_empty() {
            writeln!(f, "problems ({}):", self.problems.len())?;
            for p in &self.problems {
                writeln!(f, "  {p}")?;
            }
        }
        let outcome = if !self.problems.is_empty() {
            "refused, nothing written"
        } else if self.dry_run {
            "dry run, nothing written"
        } else if self.written {
            "committed"
        } else {
            "not written"
        };
        writeln!(
            f,
            "summary: read {}, created {}, changed {}, unchanged {}, repaired {}, problems {} — {outcome} in {:.1} s",
            self.read,
            self.created,
            self.changed,
            self.unchanged,
            self.repairs.len(),
            self.problems.len(),
            self.elapsed.as_secs_f64()
        )?;
        if self.problems.is_empty() && self.read > 0 {
            writeln!(
                f,
                "time: reading, checking and staging {:.1} s, merging {:.1} s",
                self.read_time.as_secs_f64(),
                self.merge_time.as_secs_f64()
            )?;
        }
        Ok(())
    }
}

fn progress_bar(enabled: bool, len: Option<u64>) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let pb = match len {
        Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let template = if len.is_some() {
        "{spinner} {bar:40} {pos}/{len} features ({per_sec}, {eta} left)"
    } else {
        "{spinner} {pos} features ({per_sec})"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        pb.set_style(style);
    }
    pb
}

/// Imports a file. On success the report says what was created, changed and left alone; a file with any
/// bad feature is refused whole with [`ImportError::Refused`], whose report lists every problem.
pub async fn run(store: &Store, opts: &ImportOptions) -> Result<Report, ImportError> {
    let started = Instant::now();
    let mapping = match (&opts.mapping, &opts.mapping_toml) {
        (Some(p), _) => Mapping::load(p, opts.collection)?,
        (None, Some(text)) => Mapping::parse(text, opts.collection)
            .map_err(|reason| MappingError { path: "the mapping".into(), reason })?,
        (None, None) => Mapping::default(),
    };
    let cfg = ReaderConfig {
        path: opts.file.clone(),
        collection: opts.collection,
        layer: opts.layer.clone(),
        source_crs: opts.source_crs.clone(),
        encoding: opts.encoding.clone(),
        repair: opts.on_invalid == OnInvalid::Repair,
        today: opts.today,
        limits: opts.limits.clone(),
        mapping,
    };
    let mut rx = source::spawn(cfg)?;
    let opened = match rx.recv().await {
        Some(Msg::Opened(o)) => o,
        Some(Msg::Failed(e)) => return Err(e),
        _ => return Err(ImportError::Reader("no answer from the reader".into())),
    };
    let mut report = Report {
        file: opts.file.display().to_string(),
        driver: opened.driver,
        layer: opened.layer,
        collection: Some(opts.collection),
        source_crs: opened.crs,
        notes: opened.notes,
        dry_run: opts.dry_run,
        ..Report::default()
    };
    let pb = progress_bar(opts.progress, opened.count);

    let mut tx = store.pool.begin().await?;
    crate::store::import::stage(&mut tx, opts.collection).await?;
    let mut copy = Some(crate::store::import::copy_in(&mut tx, opts.collection).await?);
    loop {
        match rx.recv().await {
            Some(Msg::Batch(b)) => {
                report.read += b.read;
                pb.inc(b.read);
                report.repairs.extend(b.repairs);
                report.problems.extend(b.problems);
                if report.problems.is_empty() {
                    if let Some(c) = copy.as_mut() {
                        c.send(b.rows).await?;
                    }
                } else if let Some(c) = copy.take() {
                    // Nothing will be written: stop sending, keep checking to report every problem.
                    c.abort("import refused").await.ok();
                }
            }
            Some(Msg::Done) => break,
            Some(Msg::Failed(e)) => {
                pb.finish_and_clear();
                if let Some(c) = copy.take() {
                    c.abort("import failed").await.ok();
                }
                return Err(e);
            }
            Some(Msg::Opened(_)) | None => {
                pb.finish_and_clear();
                return Err(ImportError::Reader("the reader ended without finishing the file".into()));
            }
        }
    }
    pb.finish_and_clear();
    if !report.problems.is_empty() {
        report.elapsed = started.elapsed();
        return Err(ImportError::Refused(Box::new(report)));
    }
    if report.read == 0 {
        if let Some(c) = copy.take() {
            c.abort("empty file").await.ok();
        }
        return Err(ImportError::Empty { path: report.file, layer: report.layer });
    }
    if let Some(mut c) = copy.take() {
        c.send(crate::store::copy::TRAILER).await?;
        c.finish().await?;
    }
    drop(copy);
    report.read_time = started.elapsed();

    if let Some((who, counties)) = &opts.writer {
        let outside = crate::store::import::outside_scope(&mut tx, opts.collection, counties).await?;
        if !outside.is_empty() {
            report.problems = outside
                .into_iter()
                .map(|(ordinal, code, county)| FeatureProblem {
                    ordinal,
                    problem: Problem::new(
                        "/properties/county_code",
                        format!("{county} 不在 '{who}' 可写的县区 {counties} 内 — county {county} is outside the counties '{who}' may write ({counties})"),
                    ),
                    code: Some(code),
                    geometry: None,
                })
                .collect();
            report.elapsed = started.elapsed();
            return Err(ImportError::OutsideScope(Box::new(report)));
        }
    }
    let actor = match &opts.writer {
        Some((who, _)) => who.clone(),
        None => format!("import:{}", opts.file_name()),
    };
    match crate::store::import::merge(&mut tx, opts.collection, &actor, &opts.file_name()).await? {
        Err(conflicts) => {
            report.problems = conflicts
                .into_iter()
                .map(|c| FeatureProblem {
                    ordinal: c.ordinal,
                    code: Some(c.code),
                    problem: Problem::new(c.pointer, c.detail),
                    geometry: None,
                })
                .collect();
            report.elapsed = started.elapsed();
            return Err(ImportError::Refused(Box::new(report)));
        }
        Ok(counts) => {
            report.created = counts.created;
            report.changed = counts.changed;
            report.unchanged = counts.unchanged;
        }
    }
    if opts.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
        report.written = true;
    }
    report.elapsed = started.elapsed();
    report.merge_time = report.elapsed.saturating_sub(report.read_time);
    Ok(report)
}

/// `landguard import`: the report on stdout (also for a refused file), the outcome as the result.
pub async fn run_cli(store: &Store, opts: &ImportOptions) -> Result<(), ImportError> {
    match run(store, opts).await {
        Ok(report) => {
            print!("{report}");
            Ok(())
        }
        Err(ImportError::Refused(report)) => {
            print!("{report}");
            Err(ImportError::Refused(report))
        }
        Err(e) => Err(e),
    }
}
