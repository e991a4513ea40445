//! The map's search: features of every collection by code or by text, counties by name, and typed
//! coordinates (domain::search says what is searched and how codes compare).

use super::statements::statements;
use super::{Result, Store};
use crate::domain::registry::Collection;
use crate::domain::search::{code_key, text_properties, Coordinates, CODE_KEY_SQL};

const FEATURES: &str = include_str!("sql/search_features.sql");
const PLACES: &str = include_str!("sql/search_places.sql");
const POINT: &str = include_str!("sql/search_point.sql");

/// The part of the search statement for one collection, from its description.
fn collection_part(c: Collection) -> String {
    let d = c.description();
    let t = statements(c);
    let code = format!("v.{}", t.code);
    let texts: String = text_properties(d).iter().map(|p| format!(" OR v.\"{p}\" ILIKE $1")).collect();
    let label = if d.property("name").is_some_and(|p| p.is_stored()) { "v.name".to_string() } else { code.clone() };
    let county = if d.property("county_code").is_some() { "v.county_code" } else { "NULL" };
    FEATURES
        .replace("{collection}", c.as_str())
        .replace("{table}", t.table)
        .replace("{code_key}", &CODE_KEY_SQL.replace("{}", &code))
        .replace("{code}", t.code)
        .replace("{label}", &label)
        .replace("{county}", county)
        .replace("{texts}", &texts)
}

/// Every searched collection's part, as one statement: the best matches first (the code itself, then a
/// code containing the text, then the text in a name), at most $3.
fn features_statement(collections: &[Collection]) -> String {
    let parts: Vec<String> = collections.iter().map(|c| collection_part(*c)).collect();
    format!(
        "SELECT json_build_object(
           'kind', 'feature', 'collection', r.collection, 'id', r.id, 'label', r.label,
           'county_code', r.county_code, 'county_name', k.name,
           'match', CASE WHEN r.rank < 2 THEN 'code' ELSE 'text' END,
           'bbox', json_build_array(ST_XMin(r.geom), ST_YMin(r.geom), ST_XMax(r.geom), ST_YMax(r.geom)),
           'center', json_build_array(ST_X(ST_PointOnSurface(r.geom)), ST_Y(ST_PointOnSurface(r.geom)))
         )::text
         FROM ({}) r LEFT JOIN counties k ON k.county_code = r.county_code
         ORDER BY r.rank, r.label, r.collection, r.id
         LIMIT $3",
        parts.join("\nUNION ALL\n")
    )
}

/// `text` as an ILIKE pattern matching it anywhere, its wildcards taken literally.
fn contains_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

impl Store {
    /// Search results as JSON objects (text), places first: a typed coordinate, then counties, then features.
    pub async fn search(&self, typed: &str, collections: &[Collection], limit: i64) -> Result<Vec<String>> {
        let mut out = Vec::new();
        if let Some(c) = crate::domain::search::parse_coordinates(typed) {
            let (x, y, srid) = match c {
                Coordinates::LonLat { lon, lat } => (lon, lat, Some(4490)),
                Coordinates::GaussKruger { easting, northing, srid } => (easting, northing, srid),
            };
            let points: Vec<String> =
                sqlx::query_scalar(POINT).bind(x).bind(y).bind(srid).fetch_all(&self.pool).await?;
            out.extend(points);
            return Ok(out);
        }
        let pattern = contains_pattern(typed);
        let places: Vec<String> =
            sqlx::query_scalar(PLACES).bind(&pattern).bind(typed).bind(limit).fetch_all(&self.pool).await?;
        out.extend(places);
        if !collections.is_empty() {
            let features: Vec<String> = sqlx::query_scalar(&features_statement(collections))
                .bind(&pattern)
                .bind(code_key(typed))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
            out.extend(features);
        }
        out.truncate(limit as usize);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_collection_has_a_search_part_from_its_description() {
        let sql = features_statement(&Collection::all());
        for c in Collection::all() {
            assert!(sql.contains(&format!("'{c}'::text")), "{c}");
        }
        assert!(!sql.contains('{'), "an unfilled placeholder: {sql}");
        assert!(collection_part(Collection::ConstructionParcels).contains("OR v.\"name\" ILIKE $1"));
        assert_eq!(contains_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
