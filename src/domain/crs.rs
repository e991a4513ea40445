//! Coordinate reference systems the service speaks, named by OGC URI, with their axis order.
//!
//! OGC API Features Part 2 uses the axis order the CRS defines: EPSG:4490 and EPSG:4326 are
//! latitude, longitude; the CGCS2000 Gauss-Krüger systems are northing (X), easting (Y); CRS84 and
//! Web Mercator are x-east first. PostGIS and PROJ's "visualisation order" are always x-east first,
//! so coordinates in a northing/latitude-first CRS are swapped on the way in and out.

use std::fmt;

pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const EPSG_PREFIX: &str = "http://www.opengis.net/def/crs/EPSG/0/";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Crs {
    /// The PostGIS SRID (EPSG code); CRS84 is 4326 with longitude first.
    pub srid: i32,
    /// True for CRS84, which is EPSG:4326 with the axes in x-east-first order.
    pub crs84: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported CRS '{0}'; supported: {list}", list = supported_list())]
pub struct UnknownCrs(pub String);

/// CGCS2000 3-degree Gauss-Krüger zones: 4513–4533 carry the zone number in front of the easting (zones
/// 25–45); 4534–4554 do not (central meridians 75°E–135°E).
fn is_cgcs2000_gk(srid: i32) -> bool {
    (4513..=4554).contains(&srid)
}

impl Crs {
    pub const CRS84: Crs = Crs { srid: 4326, crs84: true };
    pub const STORAGE: Crs = Crs { srid: 4490, crs84: false };

    pub fn epsg(srid: i32) -> Result<Crs, UnknownCrs> {
        if matches!(srid, 4326 | 4490 | 3857) || is_cgcs2000_gk(srid) {
            Ok(Crs { srid, crs84: false })
        } else {
            Err(UnknownCrs(format!("EPSG:{srid}")))
        }
    }

    /// Parses an OGC CRS URI (or the short forms `EPSG:4546`, `CRS84`).
    pub fn parse(s: &str) -> Result<Crs, UnknownCrs> {
        let t = s.trim();
        if t == CRS84 || t.eq_ignore_ascii_case("CRS84") || t.eq_ignore_ascii_case("OGC:CRS84") || t == "[OGC:CRS84]" {
            return Ok(Crs::CRS84);
        }
        let code = t
            .strip_prefix(EPSG_PREFIX)
            .or_else(|| t.strip_prefix("https://www.opengis.net/def/crs/EPSG/0/"))
            .or_else(|| t.strip_prefix("EPSG:"))
            .or_else(|| t.strip_prefix("epsg:"))
            .or_else(|| t.strip_prefix("[EPSG:").and_then(|r| r.strip_suffix(']')))
            .ok_or_else(|| UnknownCrs(s.to_string()))?;
        let srid: i32 = code.parse().map_err(|_| UnknownCrs(s.to_string()))?;
        Crs::epsg(srid).map_err(|_| UnknownCrs(s.to_string()))
    }

    pub fn uri(&self) -> String {
        if self.crs84 {
            CRS84.to_string()
        } else {
            format!("{EPSG_PREFIX}{}", self.srid)
        }
    }

    /// Whether the CRS's first axis is latitude or northing, so coordinates must be swapped to reach
    /// x-east-first order.
    pub fn northing_first(&self) -> bool {
        !self.crs84 && (self.srid == 4326 || self.srid == 4490 || is_cgcs2000_gk(self.srid))
    }

    pub fn is_geographic(&self) -> bool {
        self.srid == 4326 || self.srid == 4490
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.uri())
    }
}

/// The CRSs listed on every collection (the service accepts every CGCS2000 GK zone, these are the ones
/// that cover Guangxi and the common web ones).
pub fn advertised() -> Vec<Crs> {
    let mut v = vec![Crs::CRS84, Crs { srid: 4326, crs84: false }, Crs::STORAGE, Crs { srid: 3857, crs84: false }];
    v.extend([4524, 4525, 4544, 4545, 4546, 4547].map(|srid| Crs { srid, crs84: false }));
    v
}

fn supported_list() -> String {
    "CRS84, EPSG 4326, 4490, 3857 and the CGCS2000 Gauss-Krüger zones 4513–4554 (as http://www.opengis.net/def/crs/EPSG/0/NNNN)".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_uris_and_axis_order() {
        // (input, srid, crs84, northing/latitude first)
        let table = [
            (CRS84, 4326, true, false),
            ("http://www.opengis.net/def/crs/EPSG/0/4326", 4326, false, true),
            ("http://www.opengis.net/def/crs/EPSG/0/4490", 4490, false, true),
            ("http://www.opengis.net/def/crs/EPSG/0/3857", 3857, false, false),
            ("http://www.opengis.net/def/crs/EPSG/0/4545", 4545, false, true),
            ("http://www.opengis.net/def/crs/EPSG/0/4546", 4546, false, true),
            ("EPSG:4524", 4524, false, true),
            ("[EPSG:4525]", 4525, false, true),
        ];
        for (s, srid, crs84, nf) in table {
            let c = Crs::parse(s).unwrap();
            assert_eq!((c.srid, c.crs84, c.northing_first()), (srid, crs84, nf), "{s}");
            assert_eq!(Crs::parse(&c.uri()).unwrap(), c);
        }
        for bad in ["EPSG:2000", "http://www.opengis.net/def/crs/EPSG/0/abc", "WGS84", "", "EPSG:4546; DROP TABLE x"] {
            assert!(Crs::parse(bad).is_err(), "{bad}");
        }
    }
}

/// The false easting of a CGCS2000 Gauss-Krüger zone, with the zone number in front for 4513–4532.
fn gk_false_easting(srid: i32) -> Option<f64> {
    match srid {
        4513..=4533 => Some(f64::from(srid - 4513 + 25) * 1e6 + 500_000.0),
        4534..=4554 => Some(500_000.0),
        _ => None,
    }
}

/// Whether coordinates sent in a Gauss-Krüger CRS, whose authority order is northing (X), easting (Y),
/// were plainly written easting first (as ogr2ogr and QGIS write them): every first value is an easting
/// of the zone (within 400 km of its central meridian, wider than any 3-degree zone) and every second
/// value a northing in China's latitudes (1 000–6 000 km). Read as the CRS defines, such a second value
/// would be an easting over 1 000 km from the zone's meridian, which no point of the zone has: so the
/// swap is not a guess. Anything less clear-cut is read as the CRS defines.
pub fn gk_easting_first(crs: Crs, coords: impl IntoIterator<Item = (f64, f64)>) -> bool {
    let Some(fe) = gk_false_easting(crs.srid).filter(|_| !crs.crs84) else { return false };
    let mut any = false;
    for (x, y) in coords {
        if !((x - fe).abs() <= 400_000.0 && y > 1_000_000.0 && y <= 6_000_000.0) {
            return false;
        }
        any = true;
    }
    any
}

#[cfg(test)]
mod swap_tests {
    use super::*;

    #[test]
    fn easting_first_is_recognised_only_when_unambiguous() {
        let c = |srid| Crs::epsg(srid).unwrap();
        // (crs, coordinates as sent, easting first?)
        type Case = (Crs, &'static [(f64, f64)], bool);
        let table: &[Case] = &[
            // Liuzhou in EPSG:4545, as ogr2ogr writes it (E, N): swapped
            (c(4545), &[(540_000.0, 2_690_000.0), (540_100.0, 2_690_100.0)], true),
            // the same in authority order (N, E): as sent
            (c(4545), &[(2_690_000.0, 540_000.0), (2_690_100.0, 540_100.0)], false),
            // Guilin, zone CM 111E
            (c(4546), &[(430_000.0, 2_800_000.0)], true),
            // zone-numbered eastings (zone 36 = EPSG:4524, 37 = 4525)
            (c(4524), &[(36_540_000.0, 2_690_000.0)], true),
            (c(4525), &[(37_440_000.0, 2_800_000.0)], true),
            (c(4525), &[(2_800_000.0, 37_440_000.0)], false),
            // an easting without the zone number in a zone-numbered CRS: not clear-cut
            (c(4525), &[(440_000.0, 2_800_000.0)], false),
            // one vertex that fits neither reading: nothing is swapped
            (c(4545), &[(540_000.0, 2_690_000.0), (2_690_000.0, 540_000.0)], false),
            // geographic and Web Mercator CRSs are never swapped here
            (Crs::STORAGE, &[(109.4, 24.3)], false),
            (Crs::CRS84, &[(540_000.0, 2_690_000.0)], false),
            (c(3857), &[(540_000.0, 2_690_000.0)], false),
            (c(4545), &[], false),
        ];
        for (crs, coords, swapped) in table {
            assert_eq!(gk_easting_first(*crs, coords.iter().copied()), *swapped, "{crs} {coords:?}");
        }
    }
}
