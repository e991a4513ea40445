//! The counties a person or a token may write: each scope is a county code (`450321`) or a city prefix
//! (`4503`, every county of the city). No scope at all means every county, as for the bureau's own admins.

use serde::Serialize;
use std::fmt;

/// The counties a writer may change. Empty: all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Scopes(Vec<String>);

/// The scopes of a writer bound to no county.
pub static ALL: Scopes = Scopes(Vec::new());

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' 不是县级代码（6 位）或市级前缀（4 位） — is not a county code (6 digits) or a city prefix (4 digits), e.g. 450321 or 4503")]
pub struct BadScope(pub String);

impl Scopes {
    /// Scopes from a list such as `4502,450321` (commas or spaces between). Duplicates, and counties already
    /// covered by a listed city, are dropped, so that what is stored and shown is the plain meaning.
    pub fn parse(list: &str) -> Result<Scopes, BadScope> {
        let items: Vec<&str> = list.split([',', ' ', '，']).map(str::trim).filter(|s| !s.is_empty()).collect();
        Scopes::from_codes(items)
    }

    pub fn from_codes<S: AsRef<str>>(codes: impl IntoIterator<Item = S>) -> Result<Scopes, BadScope> {
        let mut out: Vec<String> = Vec::new();
        for code in codes {
            let code = code.as_ref().trim();
            if !(code.len() == 4 || code.len() == 6) || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(BadScope(code.to_string()));
            }
            out.push(code.to_string());
        }
        out.sort();
        out.dedup();
        let cities: Vec<String> = out.iter().filter(|c| c.len() == 4).cloned().collect();
        out.retain(|c| c.len() == 4 || !cities.iter().any(|city| c.starts_with(city.as_str())));
        Ok(Scopes(out))
    }

    /// Every county: no scope.
    pub fn is_all(&self) -> bool {
        self.0.is_empty()
    }

    pub fn codes(&self) -> &[String] {
        &self.0
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            f.write_str("all counties")
        } else {
            f.write_str(&self.0.join(","))
        }
    }
}

/// Whether a writer with `scopes` may write a feature of `county_code` (its `county_code` property).
/// A scoped writer may not write a feature whose county is unknown or malformed: a county that cannot be
/// read is not one of theirs.
pub fn may_write(scopes: &Scopes, county_code: &str) -> bool {
    if scopes.is_all() {
        return true;
    }
    let county = county_code.trim();
    if county.len() != 6 || !county.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    scopes.0.iter().any(|s| county.starts_with(s.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn may_write_table() {
        // (scopes, county, may write)
        let table = [
            ("", "450321", true),
            ("", "", true),
            ("4502", "450203", true),
            ("4502", "450222", true),
            ("4502", "450321", false),
            ("4502", "450300", false),
            ("450321", "450321", true),
            ("450321", "450322", false),
            ("450321", "450203", false),
            ("4502,450321", "450321", true),
            ("4502,450321", "450203", true),
            ("4502,450321", "450381", false),
            ("4502", "4502", false),
            ("4502", "45020", false),
            ("4502", "4502031", false),
            ("4502", "", false),
            ("4502", "4502ab", false),
            ("4502", " 450203 ", true),
        ];
        for (scopes, county, expected) in table {
            let s = Scopes::parse(scopes).unwrap();
            assert_eq!(may_write(&s, county), expected, "scopes '{scopes}', county '{county}'");
        }
    }

    #[test]
    fn parsing_scopes() {
        // (list, codes kept)
        let table: [(&str, &[&str]); 7] = [
            ("", &[]),
            ("  ", &[]),
            ("4502", &["4502"]),
            ("450321, 4502", &["4502", "450321"]),
            ("4502 450203", &["4502"]),
            ("4502，4502,450321", &["4502", "450321"]),
            ("450203,450222", &["450203", "450222"]),
        ];
        for (list, codes) in table {
            let s = Scopes::parse(list).unwrap();
            assert_eq!(s.codes(), codes, "'{list}'");
            assert_eq!(s.is_all(), codes.is_empty());
        }
        for bad in ["45", "45032", "4503211", "45o3", "guilin", "4503;4502"] {
            let err = Scopes::parse(bad).unwrap_err();
            assert!(err.to_string().contains("county code"), "{bad}: {err}");
        }
        assert_eq!(Scopes::parse("4502,450321").unwrap().to_string(), "4502,450321");
        assert_eq!(ALL.to_string(), "all counties");
    }
}
