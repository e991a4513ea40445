//! Reprojection through PROJ, between a request's CRS (in the axis order it defines) and storage
//! (CGCS2000 geographic, lon/lat as PostGIS holds it).

use crate::domain::crs::Crs;
use geo::{MapCoords, MultiPolygon};
use proj::{Proj, Transform};
use std::cell::RefCell;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum ReprojectError {
    #[error("PROJ cannot transform between EPSG:{from} and EPSG:{to}: {reason}")]
    Create { from: i32, to: i32, reason: String },
    #[error("coordinates cannot be transformed from {crs}: {reason}")]
    Transform { crs: String, reason: String },
}

thread_local! {
    // PROJ objects are costly to create (a proj.db lookup) and not shareable between threads.
    static TRANSFORMS: RefCell<HashMap<(i32, i32), Proj>> = RefCell::new(HashMap::new());
}

fn swap(mp: MultiPolygon<f64>) -> MultiPolygon<f64> {
    mp.map_coords(|c| geo::coord! { x: c.y, y: c.x })
}

/// CGCS2000 and WGS 84 agree to centimetres; PROJ itself uses a null transformation between them.
fn same_datum_geographic(a: i32, b: i32) -> bool {
    matches!((a, b), (4326 | 4490, 4326 | 4490))
}

fn transform(
    mut mp: MultiPolygon<f64>,
    from: i32,
    to: i32,
    crs_name: &str,
) -> Result<MultiPolygon<f64>, ReprojectError> {
    if from == to || same_datum_geographic(from, to) {
        return Ok(mp);
    }
    TRANSFORMS.with(|cache| {
        let mut cache = cache.borrow_mut();
        let p = match cache.entry((from, to)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(
                Proj::new_known_crs(&format!("EPSG:{from}"), &format!("EPSG:{to}"), None)
                    .map_err(|e| ReprojectError::Create { from, to, reason: e.to_string() })?,
            ),
        };
        mp.transform(p).map_err(|e| ReprojectError::Transform { crs: crs_name.to_string(), reason: e.to_string() })?;
        Ok(mp)
    })
}

/// From a request CRS (authority axis order) to storage lon/lat.
pub fn to_storage(mp: MultiPolygon<f64>, from: Crs) -> Result<MultiPolygon<f64>, ReprojectError> {
    let mp = if from.northing_first() { swap(mp) } else { mp };
    transform(mp, from.srid, Crs::STORAGE.srid, &from.uri())
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Coord};

    fn first(mp: &MultiPolygon<f64>) -> Coord<f64> {
        mp.0[0].exterior().0[0]
    }

    #[test]
    fn known_point_in_liuzhou() {
        // Cross-checked: EPSG:4490 -> 4545 gave E = 586679.251, N = 3791876.427 in proj, cs2cs, PostGIS and GDAL.
        let gk = MultiPolygon(vec![
            polygon![(x: 3791876.427, y: 586679.251), (x: 3791886.427, y: 586679.251), (x: 3791886.427, y: 586689.251), (x: 3791876.427, y: 586679.251)],
        ]);
        let ll = to_storage(gk.clone(), Crs::epsg(4545).unwrap()).unwrap();
        // back through PROJ the other way, in the zone's northing-first order
        let back = swap(transform(ll.clone(), Crs::STORAGE.srid, 4545, "EPSG:4545").unwrap());
        let (a, b) = (first(&gk), first(&back));
        assert!((a.x - b.x).abs() < 0.001 && (a.y - b.y).abs() < 0.001, "{a:?} vs {b:?}");
        let p = first(&ll);
        assert!(p.x > 108.0 && p.x < 110.0 && p.y > 34.0 && p.y < 35.0, "{p:?}");
    }
}
