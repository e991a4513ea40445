//! The `sortby` and `properties` query parameters.

use super::{quote_user, Cql2Error, QType, Queryable};

/// Most keys in one `sortby`.
pub const MAX_SORT_KEYS: usize = 8;
const MAX_PARAM_BYTES: usize = 4096;

/// Splits on commas, yielding each trimmed item with the byte offset of its start.
fn items(s: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    s.split(',').map(move |raw| {
        let lead = raw.len() - raw.trim_start().len();
        let at = offset + lead;
        offset += raw.len() + 1;
        (at, raw.trim())
    })
}

/// `sortby=+a,-b,c`: each key the name of a non-geometry queryable, `-` for descending, `+` or
/// nothing for ascending (a `+` decoded from a URL as a space is fine). Returns `(sql, descending)`.
pub fn parse_sortby(s: &str, queryables: &[Queryable]) -> Result<Vec<(&'static str, bool)>, Cql2Error> {
    if s.len() > MAX_PARAM_BYTES {
        return Err(Cql2Error::at_offset(format!("sortby is longer than {MAX_PARAM_BYTES} bytes"), MAX_PARAM_BYTES));
    }
    let sortable =
        || queryables.iter().filter(|q| q.qtype != QType::Geometry).map(|q| q.name).collect::<Vec<_>>().join(", ");
    let mut out: Vec<(&'static str, bool)> = Vec::new();
    let mut seen: Vec<&'static str> = Vec::new();
    for (at, item) in items(s) {
        let (desc, name) = match item.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, item.strip_prefix('+').unwrap_or(item)),
        };
        let name_at = at + (item.len() - name.len());
        if name.is_empty() {
            return Err(Cql2Error::at_offset("empty sortby key; expected +name or -name separated by commas", at));
        }
        let Some(q) = queryables.iter().find(|q| q.name == name) else {
            return Err(Cql2Error::at_offset(
                format!("unknown sortby property {}; sortable properties are: {}", quote_user(name), sortable()),
                name_at,
            ));
        };
        if q.qtype == QType::Geometry {
            return Err(Cql2Error::at_offset(
                format!("cannot sort by the geometry {}; sortable properties are: {}", quote_user(name), sortable()),
                name_at,
            ));
        }
        if seen.contains(&q.name) {
            return Err(Cql2Error::at_offset(format!("sortby names {} twice", quote_user(name)), name_at));
        }
        if out.len() == MAX_SORT_KEYS {
            return Err(Cql2Error::at_offset(format!("sortby has more than {MAX_SORT_KEYS} keys"), at));
        }
        seen.push(q.name);
        out.push((q.sql, desc));
    }
    Ok(out)
}

/// `properties=a,b`: the named properties, in request order, duplicates dropped. An empty value
/// selects no properties.
pub fn parse_properties(s: &str, allowed: &[&'static str]) -> Result<Vec<&'static str>, Cql2Error> {
    if s.len() > MAX_PARAM_BYTES {
        return Err(Cql2Error::at_offset(
            format!("properties is longer than {MAX_PARAM_BYTES} bytes"),
            MAX_PARAM_BYTES,
        ));
    }
    let mut out: Vec<&'static str> = Vec::new();
    if s.trim().is_empty() {
        return Ok(out);
    }
    for (at, name) in items(s) {
        if name.is_empty() {
            return Err(Cql2Error::at_offset(
                "empty property name in properties; expected names separated by commas",
                at,
            ));
        }
        let Some(&found) = allowed.iter().find(|a| **a == name) else {
            return Err(Cql2Error::at_offset(
                format!("unknown property {}; the properties are: {}", quote_user(name), allowed.join(", ")),
                at,
            ));
        };
        if !out.contains(&found) {
            out.push(found);
        }
    }
    Ok(out)
}
