//! Registry geometry: polygons in CGCS2000 geographic coordinates (lon/lat), checked for validity and
//! for lying in China, with their areas measured on the ellipsoid.

use geo::orient::Direction;
use geo::{GeodesicArea, MultiPolygon, Orient, Polygon, Validation};

/// Square metres in one 亩 (mu).
pub const M2_PER_MU: f64 = 10_000.0 / 15.0;

/// Longitude/latitude box that holds all of China's territory, islands included.
pub const CHINA_EXTENT: Extent = Extent { min_x: 73.0, min_y: 3.0, max_x: 136.0, max_y: 54.0 };

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Extent {
    pub min_x: f64,
    pub min_y: f64,
    pub max_x: f64,
    pub max_y: f64,
}

impl Extent {
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.min_x && x <= self.max_x && y >= self.min_y && y <= self.max_y
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeometryError {
    #[error("geometry is not valid GeoJSON: {0}")]
    NotGeoJson(String),
    #[error("geometry must be a Polygon or MultiPolygon, not {0}")]
    NotPolygonal(String),
    #[error("geometry must be a Point, not {0}")]
    NotPoint(String),
    #[error("geometry is empty")]
    Empty,
    #[error("几何无效（如边界自相交、部件重叠）：{0} — geometry is invalid: {0}")]
    Invalid(String),
    #[error("geometry has {count} vertices; at most {max} are accepted")]
    TooManyVertices { count: usize, max: usize },
    #[error("coordinate ({x}, {y}) is outside China's extent; {hint}")]
    OutsideChina { x: f64, y: f64, hint: &'static str },
}

/// Why a coordinate outside China is most likely there; users rarely mean to register land abroad.
pub fn outside_china_hint(x: f64, y: f64) -> &'static str {
    if CHINA_EXTENT.contains(y, x) {
        "the axes look swapped: GeoJSON and CRS84 are longitude, latitude (EPSG:4490 in authority order is latitude, longitude)"
    } else if x.abs() > 180.0 || y.abs() > 90.0 {
        "the values look like projected metres (e.g. a Gauss-Krüger zone such as EPSG:4545/4546): state the CRS or transform to lon/lat"
    } else {
        "check the coordinate reference system: the registry holds land in China only"
    }
}

fn polygon(rings: &[Vec<geojson::Position>]) -> Result<Polygon<f64>, GeometryError> {
    let mut out = Vec::with_capacity(rings.len());
    for ring in rings {
        let mut coords = Vec::with_capacity(ring.len());
        for p in ring {
            if p.len() < 2 || p.len() > 3 {
                return Err(GeometryError::NotGeoJson(format!(
                    "a position has {} numbers; it needs 2 (or 3)",
                    p.len()
                )));
            }
            let (x, y) = (p[0], p[1]);
            if !x.is_finite() || !y.is_finite() {
                return Err(GeometryError::NotGeoJson("a coordinate is not a finite number".into()));
            }
            coords.push(geo::coord! { x: x, y: y });
        }
        out.push(geo::LineString(coords));
    }
    let mut rings = out.into_iter();
    let exterior = rings.next().unwrap_or_else(|| geo::LineString(Vec::new()));
    Ok(Polygon::new(exterior, rings.collect()))
}

/// A checked feature's geometry, of the kind its collection holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Polygons(MultiPolygon<f64>),
    Point(geo::Point<f64>),
}

impl Shape {
    pub fn to_geojson(&self) -> geojson::Geometry {
        match self {
            Shape::Polygons(mp) => geojson::Geometry::from(mp),
            Shape::Point(p) => geojson::Geometry::from(p),
        }
    }
}

/// Parse a GeoJSON Point (lon/lat) and check it lies in China.
pub fn point_from_geojson(value: &serde_json::Value) -> Result<geo::Point<f64>, GeometryError> {
    // Deserialised from the borrowed value: a clone of every position first was a sixth of an import's
    // checking time.
    let geom = <geojson::Geometry as serde::Deserialize>::deserialize(value)
        .map_err(|e| GeometryError::NotGeoJson(e.to_string()))?;
    let geojson::GeometryValue::Point { coordinates: p } = &geom.value else {
        return Err(GeometryError::NotPoint(geom.value.type_name().to_string()));
    };
    if p.len() < 2 || p.len() > 3 {
        return Err(GeometryError::NotGeoJson(format!("a position has {} numbers; it needs 2 (or 3)", p.len())));
    }
    let (x, y) = (p[0], p[1]);
    if !x.is_finite() || !y.is_finite() {
        return Err(GeometryError::NotGeoJson("a coordinate is not a finite number".into()));
    }
    if !CHINA_EXTENT.contains(x, y) {
        return Err(GeometryError::OutsideChina { x, y, hint: outside_china_hint(x, y) });
    }
    Ok(geo::Point::new(x, y))
}

/// Parse a GeoJSON geometry object (Polygon or MultiPolygon) into a MultiPolygon.
pub fn multipolygon_from_geojson(value: &serde_json::Value) -> Result<MultiPolygon<f64>, GeometryError> {
    if let Some(t @ ("Feature" | "FeatureCollection")) = value.get("type").and_then(serde_json::Value::as_str) {
        return Err(GeometryError::NotPolygonal(format!("{t} (send a geometry object)")));
    }
    // Deserialised from the borrowed value: a clone of every position first was a sixth of an import's
    // checking time.
    let geom = <geojson::Geometry as serde::Deserialize>::deserialize(value)
        .map_err(|e| GeometryError::NotGeoJson(e.to_string()))?;
    // Converted here rather than by the geojson crate, which indexes positions without checking their
    // length (a one-number position would panic) and accepts non-finite numbers.
    let mp = match &geom.value {
        geojson::GeometryValue::Polygon { coordinates } => MultiPolygon(vec![polygon(coordinates)?]),
        geojson::GeometryValue::MultiPolygon { coordinates } => {
            MultiPolygon(coordinates.iter().map(|p| polygon(p)).collect::<Result<_, _>>()?)
        }
        other => return Err(GeometryError::NotPolygonal(other.type_name().to_string())),
    };
    Ok(mp)
}

pub fn vertex_count(mp: &MultiPolygon<f64>) -> usize {
    mp.0.iter().map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()).sum()
}

/// Check a lon/lat multipolygon: not empty, within the vertex limit, finite, inside China, and valid
/// (no self-intersections such as a bow-tie, no overlapping parts). Every problem found is returned.
pub fn check_lonlat(mp: &MultiPolygon<f64>, max_vertices: usize) -> Vec<GeometryError> {
    let mut problems = Vec::new();
    if mp.0.is_empty() || mp.0.iter().all(|p| p.exterior().0.is_empty()) {
        problems.push(GeometryError::Empty);
        return problems;
    }
    let n = vertex_count(mp);
    if n > max_vertices {
        problems.push(GeometryError::TooManyVertices { count: n, max: max_vertices });
        return problems;
    }
    let outside =
        mp.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| r.0.iter())
            .find(|c| !CHINA_EXTENT.contains(c.x, c.y));
    if let Some(c) = outside {
        problems.push(GeometryError::OutsideChina { x: c.x, y: c.y, hint: outside_china_hint(c.x, c.y) });
        return problems;
    }
    for e in mp.validation_errors() {
        problems.push(GeometryError::Invalid(e.to_string()));
    }
    problems
}

/// Exterior rings counter-clockwise, holes clockwise (RFC 7946 §3.1.6).
pub fn normalise(mp: MultiPolygon<f64>) -> MultiPolygon<f64> {
    mp.orient(Direction::Default)
}

/// Area on the ellipsoid in m². CGCS2000's ellipsoid differs from WGS 84's by 0.1 mm in its semi-minor
/// axis, far below what a land register measures.
pub fn area_m2(mp: &MultiPolygon<f64>) -> f64 {
    mp.0.iter().map(|p: &Polygon<f64>| p.geodesic_area_unsigned()).sum()
}

pub fn m2_to_mu(m2: f64) -> f64 {
    m2 / M2_PER_MU
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::json;

    /// A small square polygon (side `d` degrees) at lon/lat, as GeoJSON: the unit tests' one test shape.
    pub(crate) fn square(lon: f64, lat: f64, d: f64) -> serde_json::Value {
        json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]})
    }

    #[test]
    fn area_is_geodesic() {
        // 0.001° square at Liuzhou (24.3°N): 111.32 m × cos(24.3°) × 110.7 m ≈ 11 230 m².
        let mp = multipolygon_from_geojson(&square(109.41, 24.33, 0.001)).unwrap();
        let a = area_m2(&mp);
        assert!((a - 11_230.0).abs() < 60.0, "area {a}");
        assert!((m2_to_mu(a) - a / 666.666_666).abs() < 1e-6);
        assert!((m2_to_mu(666.666_666_666_7) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn checks_table() {
        let bowtie = json!({"type":"Polygon","coordinates":[[[109.40,24.30],[109.41,24.31],[109.41,24.30],[109.40,24.31],[109.40,24.30]]]});
        let gk = square(586_679.0, 3_791_876.0, 50.0);
        let swapped = square(24.33, 109.41, 0.001);
        let abroad = square(2.35, 48.85, 0.001);
        let cases: &[(&serde_json::Value, &str)] = &[
            (&square(109.41, 24.33, 0.001), ""),
            (&bowtie, "self-intersect"),
            (&gk, "projected metres"),
            (&swapped, "swapped"),
            (&abroad, "registry holds land in China"),
        ];
        for (g, expected) in cases {
            let mp = multipolygon_from_geojson(g).unwrap();
            let problems = check_lonlat(&mp, 100_000);
            if expected.is_empty() {
                assert!(problems.is_empty(), "{g}: {problems:?}");
            } else {
                let text = problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; ");
                assert!(text.contains(expected), "{g}: expected '{expected}' in '{text}'");
            }
        }
    }

    #[test]
    fn non_polygons_and_limits() {
        let point = json!({"type": "Point", "coordinates": [109.4, 24.3]});
        assert!(matches!(multipolygon_from_geojson(&point), Err(GeometryError::NotPolygonal(_))));
        assert!(matches!(multipolygon_from_geojson(&json!({"type": "Polygon"})), Err(GeometryError::NotGeoJson(_))));
        let short = json!({"type": "Polygon", "coordinates": [[[109.4], [109.5, 24.3], [109.4, 24.4], [109.4]]]});
        assert!(
            matches!(multipolygon_from_geojson(&short), Err(GeometryError::NotGeoJson(_))),
            "a one-number position is refused, not a panic"
        );
        let empty = json!({"type": "MultiPolygon", "coordinates": []});
        let mp = multipolygon_from_geojson(&empty).unwrap();
        assert_eq!(check_lonlat(&mp, 10), vec![GeometryError::Empty]);
        let mp = multipolygon_from_geojson(&square(109.41, 24.33, 0.001)).unwrap();
        assert!(matches!(check_lonlat(&mp, 4)[0], GeometryError::TooManyVertices { count: 5, max: 4 }));
    }

    #[test]
    fn normalise_makes_exteriors_counter_clockwise() {
        use geo::Winding;
        let cw = json!({"type":"Polygon","coordinates":[[[109.40,24.30],[109.40,24.31],[109.41,24.31],[109.41,24.30],[109.40,24.30]]]});
        let mp = normalise(multipolygon_from_geojson(&cw).unwrap());
        assert!(mp.0[0].exterior().is_ccw());
    }
}
