//! GCJ-02 (国测局坐标, "Mars coordinates"): the obfuscated lon/lat that Chinese commercial web maps
//! (AutoNavi/Gaode, Tencent, Google's China tiles) publish. It is WGS 84 plus a smooth, position-dependent
//! offset of a few hundred metres; it is not an EPSG system and PROJ does not know it.
//!
//! The forward function is the formula that has circulated publicly since about 2010 (the one in
//! `eviltransform`, `coordtransform` and most GIS plug-ins): an offset computed from two trigonometric
//! series in (lon − 105°, lat − 35°), scaled to degrees on the Krasovsky 1940 ellipsoid
//! (a = 6 378 245 m, e² = 0.006 693 421 622 965 943).
//!
//! The formula has no closed-form inverse. [`gcj02_to_wgs84`] solves `forward(w) = g` by fixed-point
//! iteration, `w ← w + (g − forward(w))`, starting from `w = g`. The offset changes by less than
//! 0.1 % of itself per metre moved, so every step gains about three decimal places: four steps reach
//! 10⁻⁹ degrees (0.1 mm), far inside the 1 m the registry asks for. The loop stops when a step moves the
//! point by less than 10⁻¹⁰ degrees, and gives up (an error, never a silently wrong point) after 30.
//!
//! Registry data is CGCS2000, which agrees with WGS 84 to centimetres; the WGS 84 result is stored as is.
//! GCJ-02 itself is never stored.

use std::f64::consts::PI;

/// Krasovsky 1940 semi-major axis used by the formula.
const A: f64 = 6_378_245.0;
/// Krasovsky 1940 first eccentricity squared used by the formula.
const EE: f64 = 0.006_693_421_622_965_943;

/// Where the formula is defined. Outside this box the published implementations return the input
/// unchanged (no offset is applied abroad); the registry refuses such points instead.
pub const DOMAIN: (f64, f64, f64, f64) = (72.004, 0.8293, 137.8347, 55.8271);

/// Stop iterating when a step is smaller than this (degrees; about 0.01 mm).
const STEP_EPS: f64 = 1e-10;
const MAX_STEPS: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum Gcj02Error {
    #[error("({lon}, {lat}) is outside the area where GCJ-02 is defined (China, lon 72.004–137.8347, lat 0.8293–55.8271); GCJ-02 data is longitude, latitude in degrees")]
    OutsideDomain { lon: f64, lat: f64 },
    #[error("the GCJ-02 inverse did not converge at ({lon}, {lat})")]
    NoConvergence { lon: f64, lat: f64 },
}

pub fn in_domain(lon: f64, lat: f64) -> bool {
    let (x0, y0, x1, y1) = DOMAIN;
    lon.is_finite() && lat.is_finite() && lon >= x0 && lon <= x1 && lat >= y0 && lat <= y1
}

fn series_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn series_lon(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// The GCJ-02 offset (Δlon, Δlat) in degrees at a WGS 84 position.
fn offset(lon: f64, lat: f64) -> (f64, f64) {
    let d_lat = series_lat(lon - 105.0, lat - 35.0);
    let d_lon = series_lon(lon - 105.0, lat - 35.0);
    let rad_lat = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad_lat.sin() * rad_lat.sin();
    let sqrt_magic = magic.sqrt();
    let d_lat = (d_lat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let d_lon = (d_lon * 180.0) / (A / sqrt_magic * rad_lat.cos() * PI);
    (d_lon, d_lat)
}

/// WGS 84 lon/lat → GCJ-02 lon/lat (the published forward formula).
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> Result<(f64, f64), Gcj02Error> {
    if !in_domain(lon, lat) {
        return Err(Gcj02Error::OutsideDomain { lon, lat });
    }
    let (dx, dy) = offset(lon, lat);
    Ok((lon + dx, lat + dy))
}

/// GCJ-02 lon/lat → WGS 84 lon/lat, by fixed-point iteration on the forward formula (see the module
/// documentation); the result reproduces the input through [`wgs84_to_gcj02`] to about 10⁻¹⁰ degrees.
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> Result<(f64, f64), Gcj02Error> {
    if !in_domain(lon, lat) {
        return Err(Gcj02Error::OutsideDomain { lon, lat });
    }
    let (mut wx, mut wy) = (lon, lat);
    for _ in 0..MAX_STEPS {
        let (dx, dy) = offset(wx, wy);
        let (nx, ny) = (lon - dx, lat - dy);
        let step = (nx - wx).abs().max((ny - wy).abs());
        wx = nx;
        wy = ny;
        if step < STEP_EPS {
            return Ok((wx, wy));
        }
    }
    Err(Gcj02Error::NoConvergence { lon, lat })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Metres between two lon/lat points (a local flat approximation, good to 0.1 % at these distances).
    fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
        let lat = (a.1 + b.1) / 2.0 * PI / 180.0;
        let dx = (a.0 - b.0) * 111_320.0 * lat.cos();
        let dy = (a.1 - b.1) * 110_574.0;
        (dx * dx + dy * dy).sqrt()
    }

    /// Published pairs (WGS 84 lon, lat → GCJ-02 lon, lat): the test table of googollee/eviltransform
    /// (Shanghai, Shenzhen, Beijing) and the README example of wandergis/coordtransform (Beijing).
    type LonLat = (f64, f64);
    const PUBLISHED: &[(LonLat, LonLat)] = &[
        ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),
        ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),
        ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),
        ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    ];

    #[test]
    fn forward_matches_published_pairs() {
        for &(w, g) in PUBLISHED {
            let got = wgs84_to_gcj02(w.0, w.1).unwrap();
            assert!((got.0 - g.0).abs() < 1e-9 && (got.1 - g.1).abs() < 1e-9, "{w:?}: {got:?} vs {g:?}");
        }
    }

    #[test]
    fn inverse_recovers_published_wgs84() {
        for &(w, g) in PUBLISHED {
            let back = gcj02_to_wgs84(g.0, g.1).unwrap();
            assert!(metres(back, w) < 0.001, "{g:?}: {back:?} is {} m from {w:?}", metres(back, w));
        }
    }

    #[test]
    fn round_trip_over_guangxi_and_china() {
        // a grid over Guangxi (104.5–112°E, 21–26.5°N) and a coarser one over China
        let mut worst: f64 = 0.0;
        let mut pts = Vec::new();
        for i in 0..=30 {
            for j in 0..=22 {
                pts.push((104.5 + i as f64 * 0.25, 21.0 + j as f64 * 0.25));
            }
        }
        for i in 0..=12 {
            for j in 0..=9 {
                pts.push((75.0 + i as f64 * 5.0, 18.0 + j as f64 * 3.5));
            }
        }
        for (lon, lat) in pts {
            let g = wgs84_to_gcj02(lon, lat).unwrap();
            // the offset is the few hundred metres it is known for
            let shift = metres(g, (lon, lat));
            assert!(shift > 1.0 && shift < 1_500.0, "({lon}, {lat}) shifted {shift} m");
            let back = gcj02_to_wgs84(g.0, g.1).unwrap();
            worst = worst.max(metres(back, (lon, lat)));
        }
        assert!(worst < 0.001, "worst round-trip error {worst} m");
    }

    #[test]
    fn guilin_offset_is_in_the_expected_range() {
        // In Guilin the offset is a few hundred metres (docs/domain.md §5: ~300–600 m); the inverse undoes it.
        let w = (110.29, 25.27);
        let g = wgs84_to_gcj02(w.0, w.1).unwrap();
        let d = metres(g, w);
        assert!(d > 100.0 && d < 1_000.0, "offset {d} m");
        assert!(metres(gcj02_to_wgs84(g.0, g.1).unwrap(), w) < 1e-3);
    }

    #[test]
    fn outside_the_domain_is_an_error() {
        assert!(matches!(wgs84_to_gcj02(2.35, 48.85), Err(Gcj02Error::OutsideDomain { .. })));
        assert!(matches!(gcj02_to_wgs84(586_679.0, 3_791_876.0), Err(Gcj02Error::OutsideDomain { .. })));
        assert!(matches!(gcj02_to_wgs84(f64::NAN, 25.0), Err(Gcj02Error::OutsideDomain { .. })));
    }
}
