//! The checker thread: each prepared feature gets the API's check (and a GEOS repair when asked),
//! duplicate codes are found, and good features are encoded as binary COPY rows for the staging table.

use super::lonlat::{geojson_of, Prepared};
use super::{Batch, Msg};
use crate::domain::geometry::{self, GeometryError, Shape};
use crate::domain::registry::{
    check_feature, check_feature_with, Checked, Collection, Datum, FeatureLimits, Problem, Record,
};
use crate::import::coords::{coordinate_hint, CrsInfo};
use crate::import::text::NOT_UTF8;
use crate::import::{FeatureProblem, Repair};
use crate::store::copy::CopyRows;
use chrono::NaiveDate;
use gdal::cpl::CslStringList;
use gdal::vector::Geometry;
use geo::MultiPolygon;
use serde_json::Value;
use std::collections::HashMap;

/// What the checker thread needs to know; plain data, so it can cross threads.
#[derive(Clone)]
pub(super) struct CheckConfig {
    pub(super) collection: Collection,
    pub(super) today: NaiveDate,
    pub(super) limits: FeatureLimits,
    pub(super) repair: bool,
    pub(super) gcj02: bool,
    pub(super) info: CrsInfo,
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
    /// Problem features whose geometry the report carries.
    located: usize,
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
            located: 0,
        }
    }

    fn problem(&mut self, ordinal: u64, code: &Option<String>, pointer: &str, detail: impl Into<String>) {
        self.failed = true;
        self.problems.push(FeatureProblem {
            ordinal,
            code: code.clone(),
            problem: Problem::new(pointer, detail),
            geometry: None,
        });
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

    /// Checks one feature (the API's check) and, when it passes, encodes its staging row. A feature with a
    /// problem keeps its geometry (lon/lat) in the report, so that a page can show where it is; up to
    /// MAX_PROBLEM_GEOMETRIES of them, which is more than a person reads.
    fn feature(&mut self, p: Prepared) {
        const MAX_PROBLEM_GEOMETRIES: usize = 2_000;
        let before = self.problems.len();
        let geometry = self.check_one(p);
        if self.problems.len() > before && self.located < MAX_PROBLEM_GEOMETRIES {
            // GeoJSON only for a feature with a problem: most have none
            let geometry = match geometry {
                Located::GeoJson(v) => v,
                Located::Polygons(mp, true) if mp.0.len() == 1 => {
                    serde_json::to_value(geojson::Geometry::from(&mp.0[0])).unwrap_or(Value::Null)
                }
                Located::Polygons(mp, _) => {
                    serde_json::to_value(Shape::Polygons(mp).to_geojson()).unwrap_or(Value::Null)
                }
            };
            if !geometry.is_null() {
                self.located += 1;
                for q in &mut self.problems[before..] {
                    q.geometry = Some(geometry.clone());
                }
            }
        }
    }

    /// `feature`'s work; returns the feature's geometry as checked (lon/lat).
    fn check_one(&mut self, p: Prepared) -> Located {
        self.in_batch += 1;
        let Prepared {
            ordinal,
            code,
            mut feature,
            mut polygons,
            single_polygon,
            geometry_problem,
            source_vertex,
            lonlat_wkb,
            not_utf8,
        } = p;
        let not_utf8: Vec<String> = not_utf8.iter().map(|p| format!("/properties/{p}")).collect();
        for pointer in &not_utf8 {
            self.problem(ordinal, &code, pointer, NOT_UTF8);
        }
        let c = self.cfg.collection;
        let limits = &self.cfg.limits;
        let mut checked = check_feature_with(c, &feature, polygons.as_ref(), self.cfg.today, limits.clone());

        // --on-invalid repair: GEOS MakeValid (through GDAL) for geometries that are invalid — by geo's
        // checks (what the API refuses) or by GEOS's (what PostGIS's ST_IsValid constraint refuses).
        if self.cfg.repair && geometry_problem.is_none() {
            let lonlat = lonlat_wkb.as_deref().and_then(|w| Geometry::from_wkb(w).ok());
            let invalid = match &checked {
                Err(_) => match &polygons {
                    Some(mp) => invalid_only(mp, limits),
                    None => geometry::multipolygon_from_geojson(&feature["geometry"])
                        .ok()
                        .and_then(|mp| invalid_only(&mp, limits)),
                },
                Ok(_) => lonlat.as_ref().filter(|g| !g.is_valid()).map(|_| "invalid according to GEOS".to_string()),
            };
            if let (Some(was), Some(g)) = (invalid, lonlat.as_ref()) {
                if let Some((repaired, parts)) = repair(g, self.cfg.gcj02) {
                    feature["geometry"] = repaired;
                    polygons = None;
                    let again = check_feature(c, &feature, self.cfg.today, limits.clone());
                    if let Ok(ok) = &again {
                        self.repairs.push(Repair {
                            ordinal,
                            code: ok.record.code().to_string(),
                            was,
                            area_m2: ok.area_m2,
                            parts,
                        });
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
                        let hint =
                            source_vertex.map(|(x, y)| coordinate_hint(&self.cfg.info, x, y)).unwrap_or_default();
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
                    return located(feature, polygons, single_polygon);
                }
                self.codes.insert(code, ordinal);
                if !self.failed {
                    encode(&mut self.rows, ordinal, &ok);
                }
            }
        }
        located(feature, polygons, single_polygon)
    }
}

/// A feature's geometry as checked, for the report of a feature with a problem: GeoJSON, or polygons (and
/// whether the file gave them as one Polygon) that become GeoJSON only for such a feature.
enum Located {
    GeoJson(Value),
    Polygons(MultiPolygon<f64>, bool),
}

fn located(mut feature: Value, polygons: Option<MultiPolygon<f64>>, single: bool) -> Located {
    match polygons {
        Some(mp) => Located::Polygons(mp, single),
        None => Located::GeoJson(feature["geometry"].take()),
    }
}

/// What the GDAL thread hands the checker.
pub(super) enum Stage {
    Features(Vec<Prepared>),
    /// The whole file has been read (without it, a closed channel means the reader failed).
    End,
}

/// The checker thread: features in, batches of COPY rows and problems out; `Done` only after `End`.
pub(super) fn check_all(cfg: CheckConfig, rx: std::sync::mpsc::Receiver<Stage>, send: &dyn Fn(Msg) -> bool) {
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

/// The validity errors of a geometry when they are its only geometry problems (so that a repair can help),
/// joined as one text.
fn invalid_only(mp: &MultiPolygon<f64>, limits: &FeatureLimits) -> Option<String> {
    let errors = geometry::check_lonlat(mp, limits.max_vertices);
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

/// A staging row: the ordinal, the stored properties in description order (as store::statements makes the
/// staging table), the geometry and its area. A lifecycle state the file leaves out stays NULL, so that the
/// merge keeps the registered one.
fn encode(rows: &mut CopyRows, ordinal: u64, c: &Checked<Record>) {
    let d = c.record.collection.description();
    rows.row(c.record.values.len() as i16 + 3);
    rows.int4(ordinal as i32);
    for (p, v) in d.stored().zip(&c.record.values) {
        match (p.kind, v) {
            (_, Datum::Null) => rows.null(),
            (_, Datum::Text(s)) => rows.text(s),
            (_, Datum::Bool(b)) => rows.bool(*b),
            (_, Datum::Int(i)) => rows.int8(*i),
            (_, Datum::Number(n)) => rows.float8(*n),
            (_, Datum::Date(d)) => rows.date(*d),
        }
    }
    match &c.geometry {
        Shape::Polygons(mp) => rows.ewkb_multipolygon(mp, 4490),
        Shape::Point(p) => rows.ewkb_point(p, 4490),
    }
    rows.float8(c.area_m2);
}
