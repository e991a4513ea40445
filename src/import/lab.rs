//! A laboratory's table of samples: the column names labs write, in Chinese or English, for the
//! `soil_samples` and `crop_samples` properties (the names `landguard soil-grade --file` reads as well), and
//! the longitude/latitude columns that place a sample when the table has no geometry.

use crate::domain::registry::Collection;
use crate::domain::soil::Pollutant;

/// Names besides the property's own, lower-cased; matched after trimming, ignoring letter case.
const COMMON: &[(&str, &[&str])] = &[
    ("sample_code", &["sample", "sample_id", "id", "样品编号", "样品编码", "编号"]),
    ("county_code", &["county", "县级行政区划代码", "县代码", "行政区划代码"]),
    ("sampled_on", &["date", "sampling_date", "采样日期", "采样时间"]),
    ("lab", &["laboratory", "检测机构", "检测单位"]),
    ("report_doc", &["report", "检测报告", "报告编号"]),
];
const SOIL: &[(&str, &[&str])] = &[("land", &["土地利用类型", "用地类型"]), ("ph", &["ph值", "酸碱度"])];
const CROP: &[(&str, &[&str])] = &[("crop", &["农产品", "作物", "农产品名称"]), ("as_inorganic", &["无机砷"])];

/// Columns that hold a sample's longitude and latitude (in the CRS given with `--source-crs`). `x`/`y` are
/// left out on purpose: in Chinese surveying X is the northing.
pub const LON: &[&str] = &["lon", "lng", "longitude", "经度", "东经"];
pub const LAT: &[&str] = &["lat", "latitude", "纬度", "北纬"];

/// The sample property a lab's column name gives, if the collection is a sample register.
pub fn column(c: Collection, field: &str) -> Option<&'static str> {
    let f = field.trim().to_lowercase();
    let own = match c.as_str() {
        "soil_samples" => SOIL,
        "crop_samples" => CROP,
        _ => return None,
    };
    if let Some((p, _)) = COMMON.iter().chain(own).find(|(_, names)| names.contains(&f.as_str())) {
        return Some(p);
    }
    // A metal's Chinese name (镉, 汞, 砷, 铅, 铬, ...), where the register has that metal.
    let p = Pollutant::ALL.into_iter().find(|p| p.name_zh() == f)?;
    let name = p.as_str().to_ascii_lowercase();
    c.description().stored().map(|q| q.name).find(|n| *n == name)
}

pub fn is_lon(field: &str) -> bool {
    LON.contains(&field.trim().to_lowercase().as_str())
}

pub fn is_lat(field: &str) -> bool {
    LAT.contains(&field.trim().to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_column_names() {
        let soil: Collection = "soil_samples".parse().unwrap();
        let crop: Collection = "crop_samples".parse().unwrap();
        let table = [
            (soil, "样品编号", Some("sample_code")),
            (soil, " pH值 ", Some("ph")),
            (soil, "镉", Some("cd")),
            (soil, "砷", Some("as")),
            (soil, "锌", Some("zn")),
            (soil, "采样日期", Some("sampled_on")),
            (crop, "农产品", Some("crop")),
            (crop, "铅", Some("pb")),
            (crop, "无机砷", Some("as_inorganic")),
            (crop, "锌", None),
            (crop, "ph值", None),
            (Collection::FarmlandUnits, "编号", None),
        ];
        for (c, field, property) in table {
            assert_eq!(column(c, field), property, "{c} {field}");
        }
        assert!(is_lon("经度") && is_lon("Longitude") && is_lat("LAT") && !is_lon("x"));
    }
}
