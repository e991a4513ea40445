//! What a person types into the map's search box: which properties of a collection are searched (from its
//! description, so that a new register is searchable without a list kept by hand), how codes are compared
//! (any case, with or without leading zeros), and coordinates, as lon/lat or as a CGCS2000 Gauss-Krüger pair.

use super::collection::{Description, Kind};

/// The free-text properties of a collection that a search matches by substring: stored text that is neither
/// a code from a list (`values`) nor checked as a code (`check`: county codes, land-use codes), and not the
/// id (matched as a code). Names, operators, document numbers and the like.
pub fn text_properties(d: &Description) -> Vec<&'static str> {
    d.stored()
        .filter(|p| p.kind == Kind::Text && p.values.is_empty() && p.check.is_none() && p.name != d.id_property)
        .map(|p| p.name)
        .collect()
}

/// A code as it is compared: upper case, without the leading zeros of each run of digits, so that
/// `lz-1`, `LZ-001` and `LZ-0001` are one code. The database compares with the same expression
/// ([`CODE_KEY_SQL`]), so a change here changes both.
pub fn code_key(code: &str) -> String {
    let chars: Vec<char> = code.trim().chars().collect();
    let mut out = String::with_capacity(chars.len());
    let mut in_leading_zeros = false;
    for (i, &c) in chars.iter().enumerate() {
        let starts_run = c.is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit());
        in_leading_zeros = if starts_run { c == '0' } else { in_leading_zeros && c == '0' };
        let next_is_digit = chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if in_leading_zeros && next_is_digit {
            continue;
        }
        out.extend(c.to_uppercase());
    }
    out
}

/// The same key in SQL, for a text expression `{}`.
pub const CODE_KEY_SQL: &str = "regexp_replace(upper({}), '(^|[^0-9])0+([0-9])', '\\1\\2', 'g')";

/// Coordinates typed into the search box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Coordinates {
    /// Longitude and latitude in degrees (CGCS2000).
    LonLat { lon: f64, lat: f64 },
    /// A CGCS2000 3° Gauss-Krüger pair in metres; `srid` when the easting carries its zone number
    /// (EPSG:4513-4533, whose eastings include it), otherwise the zone is unknown and the caller tries the zones of the register's counties.
    GaussKruger { easting: f64, northing: f64, srid: Option<i32> },
}

fn in_china_lon(v: f64) -> bool {
    (73.0..=136.0).contains(&v)
}

fn in_china_lat(v: f64) -> bool {
    (3.0..=54.0).contains(&v)
}

/// Two numbers separated by a comma (also the full-width one), a semicolon or spaces, as coordinates in
/// China: lon/lat in either order, or a Gauss-Krüger pair in either order (the northing has seven digits, an
/// easting six, or eight with its zone number 25-45 in front). `None` for anything else.
pub fn parse_coordinates(q: &str) -> Option<Coordinates> {
    let parts: Vec<&str> =
        q.split(|c: char| c == ',' || c == '，' || c == ';' || c.is_whitespace()).filter(|s| !s.is_empty()).collect();
    let [a, b] = parts.as_slice() else { return None };
    let (a, b): (f64, f64) = (a.parse().ok()?, b.parse().ok()?);
    if !a.is_finite() || !b.is_finite() {
        return None;
    }
    if in_china_lon(a) && in_china_lat(b) {
        return Some(Coordinates::LonLat { lon: a, lat: b });
    }
    if in_china_lat(a) && in_china_lon(b) {
        return Some(Coordinates::LonLat { lon: b, lat: a });
    }
    let zoned = |v: f64| (25_000_000.0..46_000_000.0).contains(&v);
    let easting = |v: f64| (200_000.0..800_000.0).contains(&v);
    let northing = |v: f64| (300_000.0..6_200_000.0).contains(&v) && !zoned(v);
    let gk = |e: f64, n: f64| {
        if zoned(e) && northing(n) {
            let zone = (e / 1_000_000.0).floor() as i32;
            let local = e - f64::from(zone) * 1_000_000.0;
            // EPSG:4513-4533 take the easting with its zone number, as typed
            easting(local).then_some(Coordinates::GaussKruger { easting: e, northing: n, srid: Some(4513 + zone - 25) })
        } else if easting(e) && northing(n) && n >= 800_000.0 {
            Some(Coordinates::GaussKruger { easting: e, northing: n, srid: None })
        } else {
            None
        }
    };
    gk(a, b).or_else(|| gk(b, a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::collection::{CONSTRUCTION_PARCELS, FARMLAND_UNITS, TAILINGS_PONDS};

    #[test]
    fn codes_compare_in_any_case_without_leading_zeros() {
        for (typed, key) in [
            ("LZ-0001", "LZ-1"),
            ("lz-1", "LZ-1"),
            ("Lz-001", "LZ-1"),
            ("LZ-2020-001", "LZ-2020-1"),
            ("LZ-0010", "LZ-10"),
            ("LZ-0000", "LZ-0"),
            ("450205", "450205"),
            ("0450205", "450205"),
            ("GD-100", "GD-100"),
            ("ab0c", "AB0C"),
            (" gd-01 ", "GD-1"),
        ] {
            assert_eq!(code_key(typed), key, "{typed}");
        }
    }

    #[test]
    fn searched_properties_come_from_the_description() {
        // current_use is a land-use code, but checked against its parcel's code system, not by itself: searched as text.
        assert_eq!(text_properties(&CONSTRUCTION_PARCELS), ["name", "current_use", "former_industry"]);
        assert_eq!(text_properties(&FARMLAND_UNITS), ["basis_doc"]);
        assert!(text_properties(&TAILINGS_PONDS).contains(&"name"));
        assert!(!text_properties(&TAILINGS_PONDS).contains(&"pond_code"));
    }

    #[test]
    fn coordinates_as_people_type_them() {
        use Coordinates::*;
        let table: &[(&str, Option<Coordinates>)] = &[
            ("109.40,24.31", Some(LonLat { lon: 109.40, lat: 24.31 })),
            ("109.40, 24.31", Some(LonLat { lon: 109.40, lat: 24.31 })),
            ("24.31 109.40", Some(LonLat { lon: 109.40, lat: 24.31 })),
            ("109.40，24.31", Some(LonLat { lon: 109.40, lat: 24.31 })),
            ("36541000,2690000", Some(GaussKruger { easting: 36_541_000.0, northing: 2_690_000.0, srid: Some(4524) })),
            ("2690000 36541000", Some(GaussKruger { easting: 36_541_000.0, northing: 2_690_000.0, srid: Some(4524) })),
            ("541000,2690000", Some(GaussKruger { easting: 541_000.0, northing: 2_690_000.0, srid: None })),
            ("2690000,541000", Some(GaussKruger { easting: 541_000.0, northing: 2_690_000.0, srid: None })),
            ("24.31,24.31", None),
            ("LZ-0001", None),
            ("109.4", None),
            ("1,2,3", None),
            ("NaN,24", None),
            ("12,13", None),
        ];
        for (typed, want) in table {
            assert_eq!(parse_coordinates(typed), *want, "{typed}");
        }
    }
}
