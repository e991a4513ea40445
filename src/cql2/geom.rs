//! Geometry literals (WKT in `cql2-text`, GeoJSON in `cql2-json`), validated and turned into
//! GeoJSON text for `ST_GeomFromGeoJSON`. Coordinates are CRS84 longitude, latitude; a third
//! ordinate (Z) is accepted and dropped.

use serde_json::{json, Value};

/// Longitude, latitude.
pub type Coord = [f64; 2];

#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    Point(Coord),
    MultiPoint(Vec<Coord>),
    LineString(Vec<Coord>),
    MultiLineString(Vec<Vec<Coord>>),
    Polygon(Vec<Vec<Coord>>),
    MultiPolygon(Vec<Vec<Vec<Coord>>>),
    GeometryCollection(Vec<Geometry>),
    /// West, south, east, north. West > east crosses the antimeridian.
    BBox([f64; 4]),
}

pub fn check_coord(c: Coord) -> Result<(), String> {
    let [x, y] = c;
    if !x.is_finite() || !y.is_finite() {
        return Err("coordinates must be finite numbers".into());
    }
    if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
        return Err(format!(
            "coordinate ({x} {y}) is outside longitude -180..180, latitude -90..90; geometry literals are CRS84 longitude, latitude"
        ));
    }
    Ok(())
}

pub fn check_line(points: &[Coord]) -> Result<(), String> {
    if points.len() < 2 {
        return Err("a linestring needs at least 2 positions".into());
    }
    Ok(())
}

pub fn check_ring(points: &[Coord]) -> Result<(), String> {
    if points.len() < 4 {
        return Err("a polygon ring needs at least 4 positions".into());
    }
    if points.first() != points.last() {
        return Err("a polygon ring must be closed (its last position equal to its first)".into());
    }
    Ok(())
}

pub fn check_polygon(rings: &[Vec<Coord>]) -> Result<(), String> {
    if rings.is_empty() {
        return Err("a polygon needs at least one ring".into());
    }
    rings.iter().try_for_each(|r| check_ring(r))
}

pub fn check_bbox(b: [f64; 4]) -> Result<(), String> {
    let [w, s, e, n] = b;
    check_coord([w, s])?;
    check_coord([e, n])?;
    if s > n {
        return Err(format!("bbox south ({s}) is greater than north ({n})"));
    }
    Ok(())
}

impl Geometry {
    /// Checks every coordinate and the structure. `depth` bounds nested collections.
    pub fn validate(&self, depth: usize) -> Result<(), String> {
        if depth > crate::cql2::MAX_DEPTH {
            return Err(format!("geometry collections nest deeper than {} levels", crate::cql2::MAX_DEPTH));
        }
        match self {
            Geometry::Point(c) => check_coord(*c),
            Geometry::MultiPoint(ps) => {
                if ps.is_empty() {
                    return Err("a multipoint needs at least one position".into());
                }
                ps.iter().try_for_each(|c| check_coord(*c))
            }
            Geometry::LineString(ps) => {
                check_line(ps)?;
                ps.iter().try_for_each(|c| check_coord(*c))
            }
            Geometry::MultiLineString(ls) => {
                if ls.is_empty() {
                    return Err("a multilinestring needs at least one linestring".into());
                }
                for l in ls {
                    check_line(l)?;
                    l.iter().try_for_each(|c| check_coord(*c))?;
                }
                Ok(())
            }
            Geometry::Polygon(rings) => {
                check_polygon(rings)?;
                rings.iter().flatten().try_for_each(|c| check_coord(*c))
            }
            Geometry::MultiPolygon(polys) => {
                if polys.is_empty() {
                    return Err("a multipolygon needs at least one polygon".into());
                }
                for p in polys {
                    check_polygon(p)?;
                    p.iter().flatten().try_for_each(|c| check_coord(*c))?;
                }
                Ok(())
            }
            Geometry::GeometryCollection(gs) => {
                if gs.is_empty() {
                    return Err("a geometry collection needs at least one geometry".into());
                }
                gs.iter().try_for_each(|g| g.validate(depth + 1))
            }
            Geometry::BBox(b) => check_bbox(*b),
        }
    }

    /// Number of positions (a bbox counts 2).
    pub fn coordinate_count(&self) -> usize {
        match self {
            Geometry::Point(_) => 1,
            Geometry::MultiPoint(ps) | Geometry::LineString(ps) => ps.len(),
            Geometry::MultiLineString(ls) | Geometry::Polygon(ls) => ls.iter().map(Vec::len).sum(),
            Geometry::MultiPolygon(ps) => ps.iter().flatten().map(Vec::len).sum(),
            // Recursion is bounded by `validate`, which callers run first.
            Geometry::GeometryCollection(gs) => gs.iter().map(Geometry::coordinate_count).sum(),
            Geometry::BBox(_) => 2,
        }
    }

    /// GeoJSON geometry text. Call [`Geometry::validate`] first.
    pub fn to_geojson(&self) -> String {
        self.to_value().to_string()
    }

    fn to_value(&self) -> Value {
        match self {
            Geometry::Point(c) => json!({"type": "Point", "coordinates": c}),
            Geometry::MultiPoint(ps) => json!({"type": "MultiPoint", "coordinates": ps}),
            Geometry::LineString(ps) => json!({"type": "LineString", "coordinates": ps}),
            Geometry::MultiLineString(ls) => json!({"type": "MultiLineString", "coordinates": ls}),
            Geometry::Polygon(rs) => json!({"type": "Polygon", "coordinates": rs}),
            Geometry::MultiPolygon(ps) => json!({"type": "MultiPolygon", "coordinates": ps}),
            Geometry::GeometryCollection(gs) => {
                json!({"type": "GeometryCollection", "geometries": gs.iter().map(Geometry::to_value).collect::<Vec<_>>()})
            }
            Geometry::BBox([w, s, e, n]) => {
                let boxed = |w: f64, e: f64| vec![vec![[w, *s], [e, *s], [e, *n], [w, *n], [w, *s]]];
                if w <= e {
                    json!({"type": "Polygon", "coordinates": boxed(*w, *e)})
                } else {
                    json!({"type": "MultiPolygon", "coordinates": [boxed(*w, 180.0), boxed(-180.0, *e)]})
                }
            }
        }
    }
}
