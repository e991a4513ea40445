//! Tracing (溯源): from a polluted farmland unit to the sources around it, and from a source to the farmland
//! around it (docs/source-control.md). The store measures the distances; what is said about them is here:
//! the distance asked for, the direction, the farmland around a source summed by class, and the note on a
//! unit whose class is no pollution.

use super::farmland::FarmlandClass;
use super::geometry::M2_PER_MU;
use serde::{Deserialize, Deserializer, Serialize};

/// The distance searched when none is asked for, in metres.
pub const DEFAULT_DISTANCE_M: f64 = 3000.0;

/// Why a distance is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{en}")]
pub struct BadDistance {
    pub zh: String,
    pub en: String,
}

/// `distance_m` as asked: absent means the default; otherwise a number of metres from 0 to `max_m`.
pub fn distance(asked: Option<&str>, max_m: f64) -> Result<f64, BadDistance> {
    let Some(v) = asked else { return Ok(DEFAULT_DISTANCE_M.min(max_m)) };
    match v.trim().parse::<f64>() {
        // a subnormal number (5e-324) is no distance, and PostgreSQL's float8 arithmetic underflows on it
        Ok(d) if (d == 0.0 || d.is_normal()) && (0.0..=max_m).contains(&d) => Ok(d),
        Ok(d) if d.is_finite() && d > max_m => Err(BadDistance {
            zh: format!("距离不得超过 {max_m} 米（设置 trace_max_distance_m），而请求为 {v} 米"),
            en: format!("must be at most {max_m} metres (setting trace_max_distance_m), not {v}"),
        }),
        _ => Err(BadDistance {
            zh: format!("应为 0 至 {max_m} 之间的米数，而不是“{v}”"),
            en: format!("must be a number of metres from 0 to {max_m}, not '{v}'"),
        }),
    }
}

/// A list property (`listed_years`, `pollutants`) as the store hands it over: a JSON array, `null` (no list,
/// or a register without it) read as the empty list.
pub fn list_of<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Option::<Vec<T>>::deserialize(d).map(Option::unwrap_or_default)
}

/// The eight-point compass direction of a bearing (degrees clockwise from north), in English and Chinese.
pub fn compass(bearing_deg: f64) -> (&'static str, &'static str) {
    const POINTS: [(&str, &str); 8] = [
        ("N", "北"),
        ("NE", "东北"),
        ("E", "东"),
        ("SE", "东南"),
        ("S", "南"),
        ("SW", "西南"),
        ("W", "西"),
        ("NW", "西北"),
    ];
    let i = ((bearing_deg.rem_euclid(360.0) + 22.5) / 45.0).floor() as usize % 8;
    POINTS[i]
}

/// Only polluted farmland is traced in earnest: a priority-protection unit still gets its answer, with this
/// note (Chinese, English) saying what it means.
pub fn class_note(class: FarmlandClass) -> Option<(&'static str, &'static str)> {
    (class == FarmlandClass::PriorityProtection).then_some((
        "该单元为优先保护类耕地，未受污染；溯源针对安全利用类和严格管控类耕地，此处列出周边污染源仅供参考。",
        "This unit is priority-protection farmland, which is not polluted; tracing is meant for safe-use and strict-control units, so the sources around it are listed for information only.",
    ))
}

/// A farmland unit found around a source, as the store measured it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NearUnit {
    pub unit_code: String,
    pub class: FarmlandClass,
    pub area_m2: f64,
    pub distance_m: f64,
}

/// Farmland of one class around a source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassArea {
    pub class: FarmlandClass,
    pub name_zh: &'static str,
    pub units: usize,
    /// m² to 0.1, and 亩 to 0.01.
    pub area_m2: f64,
    pub area_mu: f64,
}

/// The farmland around a source in figures: every class (even when 0), then the total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FarmlandSummary {
    pub by_class: Vec<ClassArea>,
    pub units: usize,
    pub area_m2: f64,
    pub area_mu: f64,
    /// The polluted part (safe use and strict control): what a source may have to answer for.
    pub polluted_m2: f64,
    pub polluted_mu: f64,
    /// Distance to the nearest unit, m to 0.1; absent when none was found.
    pub nearest_m: Option<f64>,
}

/// Sums the units by class. Areas are the units' whole areas (a unit partly within the distance counts
/// whole: classes are decided, and measures taken, per unit), rounded once, at the end.
pub fn summarise(units: &[NearUnit]) -> FarmlandSummary {
    let by_class: Vec<ClassArea> = FarmlandClass::ALL
        .into_iter()
        .map(|class| {
            let of: Vec<&NearUnit> = units.iter().filter(|u| u.class == class).collect();
            let m2: f64 = of.iter().map(|u| u.area_m2).sum();
            ClassArea {
                class,
                name_zh: class.name_zh(),
                units: of.len(),
                area_m2: round_to(m2, 1),
                area_mu: round_to(m2 / M2_PER_MU, 2),
            }
        })
        .collect();
    let total: f64 = units.iter().map(|u| u.area_m2).sum();
    let polluted: f64 = units.iter().filter(|u| u.class != FarmlandClass::PriorityProtection).map(|u| u.area_m2).sum();
    FarmlandSummary {
        by_class,
        units: units.len(),
        area_m2: round_to(total, 1),
        area_mu: round_to(total / M2_PER_MU, 2),
        polluted_m2: round_to(polluted, 1),
        polluted_mu: round_to(polluted / M2_PER_MU, 2),
        nearest_m: units.iter().map(|u| u.distance_m).min_by(f64::total_cmp).map(|d| round_to(d, 1)),
    }
}

/// Rounded, and never -0.0.
pub fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use FarmlandClass::*;

    #[test]
    fn distances_asked() {
        let table: &[(Option<&str>, f64, Result<f64, &str>)] = &[
            (None, 20_000.0, Ok(3000.0)),
            (None, 1000.0, Ok(1000.0)),
            (Some("1500"), 20_000.0, Ok(1500.0)),
            (Some("0"), 20_000.0, Ok(0.0)),
            (Some("20000"), 20_000.0, Ok(20_000.0)),
            (Some("20000.5"), 20_000.0, Err("at most 20000")),
            (Some("-1"), 20_000.0, Err("from 0 to 20000")),
            (Some("NaN"), 20_000.0, Err("from 0 to 20000")),
            (Some("inf"), 20_000.0, Err("from 0 to 20000")),
            (Some("3km"), 20_000.0, Err("not '3km'")),
            (Some("5e-324"), 20_000.0, Err("not '5e-324'")),
            (Some("0.1"), 20_000.0, Ok(0.1)),
        ];
        for (asked, max, want) in table {
            match (distance(*asked, *max), want) {
                (Ok(d), Ok(w)) => assert_eq!(d, *w, "{asked:?}"),
                (Err(e), Err(w)) => {
                    assert!(e.en.contains(w), "{asked:?}: {}", e.en);
                    assert!(!e.zh.is_empty());
                }
                (got, _) => panic!("{asked:?}: {got:?}"),
            }
        }
    }

    #[derive(Deserialize)]
    struct Lists {
        #[serde(deserialize_with = "list_of")]
        years: Vec<i32>,
        #[serde(deserialize_with = "list_of")]
        pollutants: Vec<String>,
    }

    #[test]
    fn lists_and_no_lists() {
        let table = [
            (r#"{"years": [2023, 2024], "pollutants": ["Cd", "Pb"]}"#, vec![2023, 2024], vec!["Cd", "Pb"]),
            (r#"{"years": null, "pollutants": null}"#, vec![], vec![]),
            (r#"{"years": [], "pollutants": []}"#, vec![], vec![]),
        ];
        for (json, years, pollutants) in table {
            let l: Lists = serde_json::from_str(json).unwrap();
            assert_eq!(l.years, years, "{json}");
            assert_eq!(l.pollutants, pollutants, "{json}");
        }
        assert!(serde_json::from_str::<Lists>(r#"{"years": "2023,2024", "pollutants": []}"#).is_err());
    }

    #[test]
    fn compass_points() {
        let table = [
            (0.0, "N"),
            (22.4, "N"),
            (22.5, "NE"),
            (90.0, "E"),
            (180.0, "S"),
            (225.0, "SW"),
            (337.4, "NW"),
            (337.5, "N"),
            (359.9, "N"),
            (-45.0, "NW"),
        ];
        for (b, want) in table {
            assert_eq!(compass(b).0, want, "{b}");
        }
        assert_eq!(compass(135.0), ("SE", "东南"));
    }

    #[test]
    fn only_priority_units_get_the_note() {
        assert!(class_note(PriorityProtection).is_some());
        assert!(class_note(SafeUse).is_none());
        assert!(class_note(StrictControl).is_none());
    }

    fn u(code: &str, class: FarmlandClass, area_m2: f64, distance_m: f64) -> NearUnit {
        NearUnit { unit_code: code.into(), class, area_m2, distance_m }
    }

    #[test]
    fn farmland_is_summed_by_class() {
        let s = summarise(&[
            u("A", SafeUse, 6000.0, 120.04),
            u("B", SafeUse, 4000.0, 900.0),
            u("C", StrictControl, 3000.0, 0.0),
            u("D", PriorityProtection, 1000.0, 2500.0),
        ]);
        let by: Vec<(FarmlandClass, usize, f64, f64)> =
            s.by_class.iter().map(|c| (c.class, c.units, c.area_m2, c.area_mu)).collect();
        assert_eq!(
            by,
            [(PriorityProtection, 1, 1000.0, 1.5), (SafeUse, 2, 10_000.0, 15.0), (StrictControl, 1, 3000.0, 4.5)]
        );
        assert_eq!((s.units, s.area_m2, s.area_mu), (4, 14_000.0, 21.0));
        assert_eq!((s.polluted_m2, s.polluted_mu), (13_000.0, 19.5));
        assert_eq!(s.nearest_m, Some(0.0));
        let none = summarise(&[]);
        assert_eq!((none.units, none.area_m2, none.nearest_m, none.by_class.len()), (0, 0.0, None, 3));
        assert!(none.by_class.iter().all(|c| c.units == 0 && c.area_m2 == 0.0));
    }
}
