//! Where a file's coordinates come from and how they reach CGCS2000 lon/lat: the file's CRS or the one
//! given instead, GCJ-02 web-map coordinates, and a hint naming the likely cause when coordinates
//! cannot be in China (a missing or extra zone prefix, swapped axes, degrees in a projected CRS).

use super::ImportError;
use crate::domain::geometry;
use gdal::spatial_ref::{AxisMappingStrategy, CoordTransform, SpatialRef};
use std::path::Path;

/// How a file's coordinates reach CGCS2000 lon/lat.
pub(super) struct Coords {
    /// PROJ (through GDAL's OGRCoordinateTransformation), when the source is not lon/lat on WGS 84 or
    /// CGCS2000 already.
    pub transform: Option<CoordTransform>,
    /// Then the GCJ-02 inverse.
    pub gcj02: bool,
    pub info: CrsInfo,
}

/// What hints about impossible coordinates need to know of the source CRS.
#[derive(Debug, Clone)]
pub(super) struct CrsInfo {
    pub label: String,
    pub geographic: bool,
    pub epsg: Option<i32>,
    pub false_easting: Option<f64>,
}

fn traditional(mut srs: SpatialRef) -> SpatialRef {
    srs.set_axis_mapping_strategy(AxisMappingStrategy::TraditionalGisOrder);
    srs
}

fn epsg_of(srs: &SpatialRef) -> Option<i32> {
    if srs.auth_name().as_deref() == Some("EPSG") {
        return srs.auth_code().ok();
    }
    // A .prj in ESRI WKT carries no authority; ask GDAL to identify it.
    let mut clone = SpatialRef::from_wkt(&srs.to_wkt().ok()?).ok()?;
    clone.auto_identify_epsg().ok()?;
    (clone.auth_name().as_deref() == Some("EPSG")).then(|| clone.auth_code().ok()).flatten()
}

fn crs_info(srs: &SpatialRef) -> CrsInfo {
    let epsg = epsg_of(srs);
    let name = srs.name().unwrap_or_else(|| "unnamed CRS".into());
    let label = match epsg {
        Some(code) => format!("EPSG:{code} ({name})"),
        None => name,
    };
    CrsInfo {
        label,
        geographic: srs.is_geographic(),
        epsg,
        false_easting: if srs.is_projected() { srs.get_proj_param("false_easting").ok().flatten() } else { None },
    }
}

pub(super) fn is_gcj02(s: &str) -> bool {
    matches!(s.trim().to_ascii_lowercase().replace(['-', '_'], "").as_str(), "gcj02" | "gcj")
}

/// `source_crs` is the --source-crs given, which wins over the file's own CRS (`file_srs`); what was
/// decided against the file goes to `notes`.
pub(super) fn coords_for(
    path: &Path,
    source_crs: Option<&str>,
    file_srs: Option<SpatialRef>,
    notes: &mut Vec<String>,
) -> Result<Coords, ImportError> {
    let path = path.display().to_string();
    let file_info = file_srs.as_ref().map(crs_info);
    let (srs, gcj) = match source_crs {
        Some(s) if is_gcj02(s) => {
            if let Some(fi) = &file_info {
                if !fi.geographic {
                    notes.push(format!("the file's CRS {} is projected; its coordinates are taken back to lon/lat and then read as GCJ-02", fi.label));
                }
            }
            (file_srs.filter(|s| !s.is_geographic()), true)
        }
        Some(s) => {
            let srs = SpatialRef::from_definition(s.trim()).map_err(|e| {
                ImportError::Crs(format!("--source-crs '{s}' is not a CRS PROJ knows ({e}); use EPSG:NNNN or gcj02"))
            })?;
            if let Some(fi) = &file_info {
                let new = crs_info(&srs);
                if fi.epsg.is_none() || fi.epsg != new.epsg {
                    notes.push(format!("the file says {}; --source-crs {} is used instead", fi.label, new.label));
                }
            }
            (Some(srs), false)
        }
        None => match file_srs {
            Some(srs) => (Some(srs), false),
            None => return Err(ImportError::NoCrs { path }),
        },
    };
    let target = traditional(SpatialRef::from_epsg(4490)?);
    let (transform, info) = match srs {
        None => {
            (None, CrsInfo { label: "WGS 84 lon/lat".into(), geographic: true, epsg: Some(4326), false_easting: None })
        }
        Some(srs) => {
            let srs = traditional(srs);
            let info = crs_info(&srs);
            // CGCS2000 and WGS 84 agree to centimetres and PROJ itself uses a null transformation between
            // them; skipping it keeps lon/lat files exactly as they are.
            let identity = matches!(info.epsg, Some(4490 | 4326)) && info.geographic;
            let t = if identity {
                None
            } else {
                Some(CoordTransform::new(&srs, &target).map_err(|e| {
                    ImportError::Crs(format!("PROJ cannot transform from {} to EPSG:4490: {e}", info.label))
                })?)
            };
            if let Ok(Some(datum)) = srs.get_attr_value("DATUM", 0) {
                let d = datum.to_ascii_lowercase();
                if d.contains("xian") || d.contains("beijing") {
                    notes.push(format!(
                        "{} is on the {datum} datum: PROJ has no published transformation from it to CGCS2000 and applies a ballpark (null) datum shift, so positions may be off by tens of metres; for survey accuracy give a .prj or --source-crs with locally derived TOWGS84 parameters",
                        info.label
                    ));
                }
            }
            (t, info)
        }
    };
    let info = if gcj {
        CrsInfo {
            label: format!(
                "GCJ-02 (web-map lon/lat{}; converted by iterative inverse)",
                if transform.is_some() { format!(", from {}", info.label) } else { String::new() }
            ),
            geographic: true,
            ..info
        }
    } else {
        info
    };
    Ok(Coords { transform, gcj02: gcj, info })
}

/// Why a coordinate read in `info` cannot be in China, as precisely as the numbers allow.
pub(super) fn coordinate_hint(info: &CrsInfo, x: f64, y: f64) -> String {
    if info.geographic {
        return geometry::outside_china_hint(x, y).to_string();
    }
    if x.abs() <= 180.0 && y.abs() <= 90.0 {
        return "the values look like degrees of longitude/latitude, but the CRS is projected (metres): the file's CRS is wrong; if the data is lon/lat, import it with --source-crs EPSG:4490".into();
    }
    let prefixed = info.false_easting.is_some_and(|fe| fe >= 1_000_000.0);
    let other = |delta: i32| {
        info.epsg
            .filter(|e| (4513..=4554).contains(e))
            .map(|e| format!(" (probably EPSG:{})", e + delta))
            .unwrap_or_default()
    };
    if !prefixed && (10_000_000.0..100_000_000.0).contains(&x) {
        let zone = (x / 1_000_000.0).floor();
        return format!(
            "the easting {x} carries a zone number ({zone}) in front, but the CRS has none: the data is in the zone-numbered Gauss-Krüger system{}; state it with --source-crs",
            other(-21)
        );
    }
    if prefixed && x.abs() < 1_000_000.0 {
        return format!(
            "the easting {x} lacks the zone number that the CRS puts in front of eastings: the data is in the Gauss-Krüger system without zone prefix{}; state it with --source-crs",
            other(21)
        );
    }
    if x > 1_000_000.0 && y.abs() < 1_000_000.0 {
        return format!("X and Y look swapped: ({x}, {y}) has the northing first (in Gauss-Krüger X is the northing); write easting, northing or fix the file's axis order");
    }
    format!("({x}, {y}) does not fall in China in this CRS: check it (zone, central meridian, datum) and state the right one with --source-crs")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gk(epsg: i32, fe: f64) -> CrsInfo {
        CrsInfo { label: format!("EPSG:{epsg}"), geographic: false, epsg: Some(epsg), false_easting: Some(fe) }
    }

    #[test]
    fn hints_name_the_likely_cause() {
        let cases = [
            (gk(4545, 500_000.0), 109.4, 24.3, "look like degrees"),
            (gk(4545, 500_000.0), 36_586_679.0, 3_791_876.0, "EPSG:4524"),
            (gk(4524, 36_500_000.0), 586_679.0, 3_791_876.0, "EPSG:4545"),
            (gk(4545, 500_000.0), 3_791_876.0, 586_679.0, "swapped"),
            (gk(4545, 500_000.0), -9_000_000.0, 3_791_876.0, "does not fall in China"),
        ];
        for (info, x, y, needle) in cases {
            let h = coordinate_hint(&info, x, y);
            assert!(h.contains(needle), "({x}, {y}) in {}: {h}", info.label);
        }
        let geo = CrsInfo { label: "EPSG:4490".into(), geographic: true, epsg: Some(4490), false_easting: None };
        assert!(coordinate_hint(&geo, 586_679.0, 3_791_876.0).contains("projected metres"));
        assert!(coordinate_hint(&geo, 24.3, 109.4).contains("swapped"));
    }

    #[test]
    fn gcj02_spellings() {
        for s in ["gcj02", "GCJ-02", "gcj_02", " GCJ02 "] {
            assert!(is_gcj02(s), "{s}");
        }
        assert!(!is_gcj02("EPSG:4490"));
    }
}
