//! On the GDAL thread: a feature's geometry to 2-D straight-segment CGCS2000 lon/lat (through the
//! GCJ-02 inverse when the file is in GCJ-02) as GeoJSON, ready for the check.

use super::ReaderConfig;
use crate::domain::collection::GeometryKind;
use crate::domain::gcj02;
use crate::domain::geometry;
use crate::domain::registry::Collection;
use crate::import::coords::{coordinate_hint, Coords};
use crate::import::mapping::lookup_key;
use gdal::vector::{geometry_type_flatten, Geometry, OGRwkbGeometryType};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::{Map, Value};

/// Calls `f` on every polygon of a geometry, recursively; `Err` names the first non-polygonal part
/// (when `strict`; otherwise such parts are skipped, as after a repair that left lines behind).
fn for_each_polygon(
    g: &Geometry,
    strict: bool,
    f: &mut dyn FnMut(&Geometry) -> Result<(), String>,
) -> Result<(), String> {
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

/// The coordinates of a ring (or a point), through the GCJ-02 inverse when asked.
fn coords(r: &Geometry, gcj: bool) -> Result<Vec<Coord<f64>>, String> {
    let n = r.point_count();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (x, y, _) = r.get_point(i as i32);
        let (x, y) = if gcj { gcj02::gcj02_to_wgs84(x, y).map_err(|e| e.to_string())? } else { (x, y) };
        if !x.is_finite() || !y.is_finite() {
            return Err("a coordinate is not a finite number after transformation".into());
        }
        out.push(Coord { x, y });
    }
    Ok(out)
}

/// GeoJSON positions of a ring (or a point), through the GCJ-02 inverse when asked.
fn positions(r: &Geometry, gcj: bool) -> Result<Vec<Value>, String> {
    Ok(coords(r, gcj)?.into_iter().map(|c| Value::Array(vec![Value::from(c.x), Value::from(c.y)])).collect())
}

/// A (lon/lat) Polygon or MultiPolygon as the polygons the check would make of its GeoJSON (`geojson_of`
/// then `domain::geometry::multipolygon_from_geojson`: the same numbers, rings and parts), without the GeoJSON.
fn polygons_of(g: &Geometry, gcj: bool) -> Result<MultiPolygon<f64>, String> {
    let mut polys = Vec::new();
    for_each_polygon(g, true, &mut |p| {
        let mut rings = Vec::with_capacity(p.geometry_count());
        for i in 0..p.geometry_count() {
            rings.push(LineString(coords(&p.get_geometry(i), gcj)?));
        }
        let mut rings = rings.into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString(Vec::new()));
        polys.push(Polygon::new(exterior, rings.collect()));
        Ok(())
    })?;
    Ok(MultiPolygon(polys))
}

/// A (lon/lat) GDAL geometry as GeoJSON: a point as a Point, a polygonal one as a Polygon or MultiPolygon,
/// with its part count. Which kind a collection takes is the check's business, not the reader's.
pub(super) fn geojson_of(g: &Geometry, gcj: bool, strict: bool) -> Result<(Value, usize), String> {
    if geometry_type_flatten(g.geometry_type()) == OGRwkbGeometryType::wkbPoint {
        let mut xy = positions(g, gcj)?;
        return match xy.pop() {
            Some(p) if xy.is_empty() => Ok((typed("Point", "coordinates", p), 1)),
            _ => Err("the point is empty".into()),
        };
    }
    let mut polys = Vec::new();
    for_each_polygon(g, strict, &mut |p| {
        let mut rings = Vec::with_capacity(p.geometry_count());
        for i in 0..p.geometry_count() {
            rings.push(Value::Array(positions(&p.get_geometry(i), gcj)?));
        }
        polys.push(Value::Array(rings));
        Ok(())
    })?;
    let n = polys.len();
    Ok(match (geometry_type_flatten(g.geometry_type()), polys.pop()) {
        (OGRwkbGeometryType::wkbPolygon, Some(p)) if n == 1 => (typed("Polygon", "coordinates", p), 1),
        (_, last) => {
            polys.extend(last);
            (typed("MultiPolygon", "coordinates", Value::Array(polys)), n)
        }
    })
}

/// `{"type": kind, key: value}`, taking `value` as it is: `json!` would serialise it into a deep copy, which
/// for a geometry was a copy of every position.
fn typed(kind: &str, key: &str, value: Value) -> Value {
    let mut m = Map::with_capacity(3);
    m.insert("type".into(), Value::String(kind.into()));
    m.insert(key.into(), value);
    Value::Object(m)
}

fn first_vertex(g: &Geometry) -> Option<(f64, f64)> {
    if geometry_type_flatten(g.geometry_type()) == OGRwkbGeometryType::wkbPoint && g.point_count() > 0 {
        let (x, y, _) = g.get_point(0);
        return Some((x, y));
    }
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

/// A feature as the GDAL thread prepared it: properties and geometry (CGCS2000 lon/lat) as a GeoJSON
/// Feature, ready for the check.
pub(super) struct Prepared {
    pub(super) ordinal: u64,
    pub(super) code: Option<String>,
    pub(super) feature: Value,
    /// The geometry, for a polygon collection given a Polygon or MultiPolygon: then `feature` has none and
    /// the check takes these polygons instead (domain::registry::check_feature_with).
    pub(super) polygons: Option<MultiPolygon<f64>>,
    /// The file gave a Polygon (not a MultiPolygon): a report shows the geometry as given.
    pub(super) single_polygon: bool,
    /// Why the geometry could not be brought to lon/lat (then `feature` has none).
    pub(super) geometry_problem: Option<String>,
    /// The first vertex in the source CRS, for hints about impossible coordinates.
    pub(super) source_vertex: Option<(f64, f64)>,
    /// The lon/lat geometry as WKB (before the GCJ-02 inverse), kept only when repairs are asked for.
    pub(super) lonlat_wkb: Option<Vec<u8>>,
    /// Properties whose text was not UTF-8 (and no encoding was given): stored, they would be mojibake.
    pub(super) not_utf8: Vec<&'static str>,
}

/// On the GDAL thread: a feature's geometry to 2-D straight-segment CGCS2000 lon/lat, and the Feature
/// the check reads.
pub(super) fn prepare(
    cfg: &ReaderConfig,
    coords: &Coords,
    ordinal: u64,
    props: Map<String, Value>,
    geom: Option<&Geometry>,
) -> Prepared {
    let c = cfg.collection;
    let code = props.get(c.id_property()).and_then(lookup_key).filter(|s| !s.is_empty());
    let mut geometry = Value::Null;
    let mut geometry_problem = None;
    let mut source_vertex = None;
    let mut lonlat_wkb = None;
    let mut polygons = None;
    let mut single_polygon = false;
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
                geometry_problem =
                    Some(format!("coordinates cannot be transformed from {}: {hint}", coords.info.label));
            }
            Ok(()) => match read_geometry(&g, c, coords.gcj02) {
                Ok(read) => {
                    match read {
                        Read::Polygons(mp) => {
                            single_polygon = geometry_type_flatten(g.geometry_type()) == OGRwkbGeometryType::wkbPolygon;
                            polygons = Some(mp);
                        }
                        Read::GeoJson(v) => geometry = v,
                    }
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
    let mut feature = typed("Feature", "geometry", geometry);
    feature["properties"] = Value::Object(props);
    Prepared {
        ordinal,
        code,
        feature,
        polygons,
        single_polygon,
        geometry_problem,
        source_vertex,
        lonlat_wkb,
        not_utf8: Vec::new(),
    }
}

enum Read {
    Polygons(MultiPolygon<f64>),
    GeoJson(Value),
}

/// A lon/lat geometry as the check takes it: the polygons themselves when the collection holds polygons and
/// the geometry is a Polygon or MultiPolygon (nearly always), GeoJSON otherwise (points, collections, and
/// geometries of the wrong kind, whose messages the GeoJSON check words).
fn read_geometry(g: &Geometry, c: Collection, gcj: bool) -> Result<Read, String> {
    let polygonal = matches!(
        geometry_type_flatten(g.geometry_type()),
        OGRwkbGeometryType::wkbPolygon | OGRwkbGeometryType::wkbMultiPolygon
    );
    if polygonal && c.description().geometry == GeometryKind::Polygon {
        return polygons_of(g, gcj).map(Read::Polygons);
    }
    geojson_of(g, gcj, true).map(|(v, _)| Read::GeoJson(v))
}
