//! Query parameters: parsed once, unknown names refused, each value checked with a message that names it.

use super::error::{ApiError, ApiResult};
use crate::domain::time::{parse_instant, AsOf};

pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Parses a raw query string, refusing names outside `allowed` and repeated names.
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> ApiResult<Params> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        for (i, (k, _)) in pairs.iter().enumerate() {
            if !allowed.contains(&k.as_str()) {
                return Err(ApiError::bad_parameter(
                    k,
                    format!("unknown parameter (accepted here: {})", allowed.join(", ")),
                ));
            }
            if pairs[..i].iter().any(|(k2, _)| k2 == k) {
                return Err(ApiError::bad_parameter(k, "given more than once"));
            }
        }
        Ok(Params { pairs })
    }

    /// For resources served as JSON only: `f` may be absent or one of `formats`.
    pub fn only_formats(&self, formats: &[&str]) -> ApiResult<()> {
        match self.get("f") {
            Some(f) if !formats.contains(&f) => Err(ApiError::bad_parameter(
                "f",
                format!("this resource is served as {} only, not '{f}'", formats.join(" or ")),
            )),
            _ => Ok(()),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    pub fn as_of(&self) -> ApiResult<AsOf> {
        match self.get("datetime") {
            None => Ok(AsOf::Current),
            Some(v) => parse_instant(v).map(AsOf::Date).map_err(|e| ApiError::bad_parameter("datetime", e)),
        }
    }

    pub fn limit(&self, default: i64, max: i64) -> ApiResult<i64> {
        match self.get("limit") {
            None => Ok(default),
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => {
                    Err(ApiError::bad_parameter("limit", format!("must be a whole number from 1 to {max}, not '{v}'")))
                }
            },
        }
    }

    pub fn bbox(&self) -> ApiResult<Option<[f64; 4]>> {
        let Some(v) = self.get("bbox") else { return Ok(None) };
        let nums: Result<Vec<f64>, _> = v.split(',').map(|s| s.trim().parse::<f64>()).collect();
        match nums.as_deref() {
            Ok([a, b, c, d])
                if a.is_finite() && b.is_finite() && c.is_finite() && d.is_finite() && a <= c && b <= d =>
            {
                Ok(Some([*a, *b, *c, *d]))
            }
            _ => {
                Err(ApiError::bad_parameter("bbox", format!("must be minx,miny,maxx,maxy with min <= max, not '{v}'")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_repeated_parameters() {
        assert!(Params::parse(Some("limit=5&colour=red"), &["limit"]).is_err());
        assert!(Params::parse(Some("limit=5&limit=6"), &["limit"]).is_err());
        let p = Params::parse(Some("limit=5&bbox=109,24,110,25"), &["limit", "bbox"]).unwrap();
        assert_eq!(p.limit(10, 100).unwrap(), 5);
        assert_eq!(p.bbox().unwrap(), Some([109.0, 24.0, 110.0, 25.0]));
        let p = Params::parse(Some("limit=0&bbox=110,24,109,25"), &["limit", "bbox"]).unwrap();
        assert!(p.limit(10, 100).is_err());
        assert!(p.bbox().is_err());
    }
}
