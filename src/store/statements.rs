//! The SQL of a collection, made once from its description: the templates under sql/ filled with the
//! description's table, id and properties. Only names from a description (fixed by the service, never user
//! text) are spliced in; values are always bound.

use crate::domain::collection::{Description, GeometryKind, Input, Kind, Property, Tile};
use crate::domain::registry::Collection;
use crate::domain::time::AsOf;
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

const FEATURE: &str = include_str!("sql/feature.sql");
const INSERT: &str = include_str!("sql/insert.sql");
const TRANSITION: &str = include_str!("sql/transition.sql");
const TILE: &str = include_str!("sql/tile.sql");
const EXPORT: &str = include_str!("sql/export.sql");
const STAGE: &str = include_str!("sql/import_stage.sql");
const PLAN: &str = include_str!("sql/import_plan.sql");
const CONFLICTS: &str = include_str!("sql/import_conflicts.sql");
const IMPORT_INSERT: &str = include_str!("sql/import_insert.sql");
const END_CURRENT: &str = include_str!("sql/import_end_current.sql");
const HISTORY: &str = include_str!("sql/history.sql");
const UNCHANGED: &str = include_str!("sql/version_unchanged.sql");

/// A feature's tile geometry made from `geom` on each request (tile.sql's {geometry}, every zoom).
const LIVE_GEOMETRY: &str = include_str!("sql/tile_geometry_live.sql");
/// A feature's tile geometry cut from the stored `tile_z12`, for tiles of zoom 12 and less.
const Z12_GEOMETRY: &str = include_str!("sql/tile_geometry_z12.sql");

/// The deepest zoom whose tiles a collection with `tile_z12` cuts from it.
pub const Z12: u8 = 12;

/// Every statement the store runs for one collection.
#[derive(Debug)]
pub struct Statements {
    pub table: &'static str,
    pub code: &'static str,
    /// `SELECT version_id, code, feature FROM {table} v`, to which a WHERE clause is appended.
    pub feature_select: String,
    /// Binds the stored properties in order, then geometry, area, actor, change.
    pub insert: String,
    /// Only for collections with a lifecycle.
    pub transition: Option<String>,
    /// The current version of a code, locked: version_id, valid_from, state (NULL without a lifecycle).
    pub lock_current: String,
    pub tile_current: String,
    pub tile_as_of: String,
    /// For tiles of zoom `Z12` and less, when the description has `tile_z12`: cut from the stored column.
    pub tile_z12_current: Option<String>,
    pub tile_z12_as_of: Option<String>,
    pub export: String,
    pub stage: String,
    pub plan: String,
    pub conflicts: String,
    pub import_insert: String,
    pub end_current: String,
    pub history: String,
    pub unchanged: String,
}

/// The SQL type of a property's staged and exported values.
pub fn sql_type(k: Kind) -> &'static str {
    match k {
        Kind::Text => "text",
        Kind::Bool => "boolean",
        Kind::Int => "bigint",
        Kind::Number => "double precision",
        Kind::Date => "date",
        // staged as the write's comma-separated text, made an array by `stored_value`
        Kind::TextList | Kind::IntList => "text",
    }
}

/// The SQL array type a list property is stored as.
fn array_type(k: Kind) -> Option<&'static str> {
    match k {
        Kind::TextList => Some("text[]"),
        Kind::IntList => Some("integer[]"),
        _ => None,
    }
}

/// A value as written (a bound parameter or a staged column) in the type of its column: a list's
/// comma-separated text becomes an array.
fn stored_value(p: &Property, expr: &str) -> String {
    match array_type(p.kind) {
        Some(t) => format!("string_to_array({expr}, ',')::{t}"),
        None => expr.to_string(),
    }
}

/// A property as one text where a format has no arrays: a list joined by commas.
pub fn joined(p: &Property) -> String {
    if p.kind.is_list() {
        format!("array_to_string({}, ',')", p.sql())
    } else {
        p.sql()
    }
}

/// A column name as an SQL identifier (property names are lower-case ASCII, so quoting changes nothing else).
fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

fn export_expr(p: &Property) -> String {
    match p.kind {
        Kind::Int => format!("({})::integer AS {}", p.sql(), p.name),
        Kind::Number => format!("({})::float8 AS {}", p.sql(), p.name),
        _ => format!("{} AS {}", joined(p), p.name),
    }
}

fn tile_expr(p: &Property) -> String {
    match p.kind {
        Kind::Int => format!("({})::integer", p.sql()),
        // whole square metres are ample on a map, and keep tiles small
        Kind::Number => format!("round({})::bigint", p.sql()),
        _ => joined(p),
    }
}

/// A template without its comment lines: they name the placeholders, which must be filled only in code.
fn code(template: &str) -> String {
    template.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n")
}

fn build(d: &'static Description) -> Statements {
    let [feature, insert, transition, tile, export, stage, plan, conflicts, import_insert, end_current, history, unchanged] =
        [
            FEATURE,
            INSERT,
            TRANSITION,
            TILE,
            EXPORT,
            STAGE,
            PLAN,
            CONFLICTS,
            IMPORT_INSERT,
            END_CURRENT,
            HISTORY,
            UNCHANGED,
        ]
        .map(code);
    let stored: Vec<&Property> = d.stored().collect();
    // Quoted: a property may be named like an SQL keyword (a soil sample's `as`, arsenic).
    let columns = stored.iter().map(|p| quoted(p.name)).collect::<Vec<_>>().join(", ");
    let n = stored.len();
    let params =
        stored.iter().enumerate().map(|(i, p)| stored_value(p, &format!("${}", i + 1))).collect::<Vec<_>>().join(", ");
    let fill = |t: &str| t.replace("{table}", d.table).replace("{id}", d.id_property).replace("{collection}", d.name);
    let state = d.lifecycle.as_ref().map(|l| l.property);

    let properties = d.properties.iter().map(|p| format!("'{}', {}", p.name, p.sql())).collect::<Vec<_>>().join(", ");
    let insert = fill(&insert)
        .replace("{columns}", &columns)
        .replace("{params}", &params)
        .replace(
            "{geom_in}",
            &match d.geometry {
                GeometryKind::Polygon => format!("ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(${}), 4490))", n + 1),
                GeometryKind::Point => format!("ST_SetSRID(ST_GeomFromGeoJSON(${}), 4490)", n + 1),
            },
        )
        .replace("${area}", &format!("${}", n + 2))
        .replace("${actor}", &format!("${}", n + 3))
        .replace("${change}", &format!("${}", n + 4));

    let transition = d.lifecycle.as_ref().map(|l| {
        let kept: Vec<&&Property> = stored.iter().filter(|p| p.name != l.property && p.name != "valid_from").collect();
        let values = kept
            .iter()
            .map(|p| {
                if Some(p.name) == l.step_property {
                    format!("coalesce($7, {})", quoted(p.name))
                } else {
                    quoted(p.name)
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let cols = kept.iter().map(|p| quoted(p.name)).collect::<Vec<_>>().join(", ");
        fill(&transition).replace("{columns}", &cols).replace("{values}", &values).replace("{state}", l.property)
    });

    let lock_current = format!(
        "SELECT version_id, valid_from, {state} AS state FROM {table} v WHERE v.{code} = $1 AND {cond} FOR UPDATE",
        state = state.map(|s| format!("v.{s}")).unwrap_or_else(|| "NULL::text".into()),
        table = d.table,
        code = d.id_property,
        cond = AsOf::Current.condition(0)
    );

    let tile_columns = d
        .properties
        .iter()
        .filter_map(|p| match p.tile {
            Tile::Always => Some(format!("{} AS {}", tile_expr(p), p.name)),
            Tile::Full => Some(format!("CASE WHEN $6 THEN {} END AS {}", tile_expr(p), p.name)),
            Tile::No => None,
        })
        .collect::<Vec<_>>()
        .join(",\n           ");
    let large_enough = match d.geometry {
        GeometryKind::Polygon => {
            "greatest(ST_XMax(v.geom) - ST_XMin(v.geom), ST_YMax(v.geom) - ST_YMin(v.geom)) >= $5 * t.unit_deg"
        }
        // $5 stays in the statement so that both kinds bind the same parameters
        GeometryKind::Point => "$5 IS NOT NULL",
    };
    let tile = fill(&tile).replace("{columns}", &tile_columns);
    // With tile_z12 comes tile_extent_deg (the same migration): the larger side of the bounding box, stored.
    let tile_z12 = d.tile_z12.then(|| {
        let stored_extent = match d.geometry {
            GeometryKind::Polygon => "v.tile_extent_deg >= $5 * t.unit_deg",
            GeometryKind::Point => large_enough,
        };
        tile.replace("{large_enough}", stored_extent).replace("{geometry}", code(Z12_GEOMETRY).trim())
    });
    let tile = tile.replace("{large_enough}", large_enough).replace("{geometry}", code(LIVE_GEOMETRY).trim());

    let export_cols = d.properties.iter().map(export_expr).collect::<Vec<_>>().join(",\n       ");

    let stage_cols = stored
        .iter()
        .map(|p| {
            let not_null = matches!(p.input, Input::Required | Input::Defaulted(_));
            format!("{} {}{}", quoted(p.name), sql_type(p.kind), if not_null { " NOT NULL" } else { "" })
        })
        .collect::<Vec<_>>()
        .join(",\n    ");

    let compared: Vec<&&Property> =
        stored.iter().filter(|p| p.name != d.id_property && p.name != "valid_from" && Some(p.name) != state).collect();
    let staged = compared.iter().map(|p| stored_value(p, &format!("s.{}", p.name))).collect::<Vec<_>>().join(", ");
    let current = compared.iter().map(|p| format!("v.{}", p.name)).collect::<Vec<_>>().join(", ");
    let plan = fill(&plan)
        .replace("{staged}", &staged)
        .replace("{current}", &current)
        .replace("{state}", &state.map(|s| format!("v.{s}")).unwrap_or_else(|| "NULL::text".into()));
    let conflicts = fill(&conflicts)
        .replace("{state_name}", state.unwrap_or("state"))
        .replace("{state}", &state.map(|s| format!("s.{s}")).unwrap_or_else(|| "NULL::text".into()));
    let staged_values = stored
        .iter()
        .map(|p| match (&d.lifecycle, p.input) {
            (Some(l), Input::Lifecycle) => format!("coalesce(s.{}, p.current_state, '{}')", p.name, l.initial),
            _ => stored_value(p, &format!("s.{}", p.name)),
        })
        .collect::<Vec<_>>()
        .join(", ");

    Statements {
        table: d.table,
        code: d.id_property,
        feature_select: fill(&feature).replace("{properties}", &properties),
        insert,
        transition,
        lock_current,
        tile_current: tile.replace("{as_of}", &AsOf::Current.condition(7)),
        tile_as_of: tile.replace("{as_of}", &AsOf::Date(chrono::NaiveDate::MIN).condition(7)),
        tile_z12_current: tile_z12.as_ref().map(|t| t.replace("{as_of}", &AsOf::Current.condition(7))),
        tile_z12_as_of: tile_z12.map(|t| t.replace("{as_of}", &AsOf::Date(chrono::NaiveDate::MIN).condition(7))),
        export: fill(&export).replace("{columns}", &export_cols),
        stage: stage.replace("{columns}", &stage_cols).replace("{geometry_type}", d.geometry.postgis()),
        plan,
        conflicts,
        import_insert: fill(&import_insert).replace("{columns}", &columns).replace("{values}", &staged_values),
        end_current: fill(&end_current),
        history: history.replace("{table}", d.table).replace("{code}", d.id_property),
        unchanged: unchanged.replace("{table}", d.table),
    }
}

/// The statements of a collection, made on first use and kept for the life of the process.
pub fn statements(c: Collection) -> &'static Statements {
    static MADE: LazyLock<RwLock<HashMap<&'static str, &'static Statements>>> = LazyLock::new(Default::default);
    let name = c.as_str();
    if let Some(s) = MADE.read().unwrap_or_else(|e| e.into_inner()).get(name) {
        return s;
    }
    let mut made = MADE.write().unwrap_or_else(|e| e.into_inner());
    // Leaked once per collection: statements live as long as the catalogue does.
    made.entry(name).or_insert_with(|| Box::leak(Box::new(build(c.description()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled() {
        for c in Collection::all() {
            let s = statements(c);
            let texts = [
                &s.feature_select,
                &s.insert,
                &s.lock_current,
                &s.tile_current,
                &s.tile_as_of,
                &s.export,
                &s.stage,
                &s.plan,
                &s.conflicts,
                &s.import_insert,
                &s.end_current,
                &s.history,
                &s.unchanged,
            ];
            let extra = [&s.transition, &s.tile_z12_current, &s.tile_z12_as_of];
            for t in texts.into_iter().chain(extra.into_iter().flatten()) {
                let code: String = t.lines().filter(|l| !l.trim_start().starts_with("--")).collect();
                for placeholder in [
                    "{table}",
                    "{id}",
                    "{code}",
                    "{collection}",
                    "{columns}",
                    "{values}",
                    "{params}",
                    "{properties}",
                    "{state}",
                    "{geom_in}",
                    "{geometry_type}",
                    "{large_enough}",
                    "{geometry}",
                    "{state_name}",
                    "{staged}",
                    "{current}",
                    "{as_of}",
                    "${",
                ] {
                    assert!(!code.contains(placeholder), "{c}: {placeholder} unfilled in {code}");
                }
            }
        }
        assert!(statements(Collection::FarmlandUnits).transition.is_none());
        assert!(statements(Collection::ConstructionParcels).insert.contains("$15"));
    }

    #[test]
    fn tiles_carry_the_styled_properties_always_and_the_rest_at_full_detail() {
        let code = |t: &str| t.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<String>();
        let t = code(&statements(Collection::ConstructionParcels).tile_current);
        assert!(t.contains("v.state AS state") && t.contains("CASE WHEN $6 THEN v.name END AS name"), "{t}");
        assert!(!t.contains("former_industry"));
        assert!(!t.contains("$7"), "the current tiles bind no date");
        assert!(code(&statements(Collection::FarmlandUnits).tile_as_of).contains("$7"));
    }

    #[test]
    fn only_collections_with_a_stored_z12_geometry_cut_tiles_from_it() {
        let code = |t: &str| t.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<String>();
        let f = statements(Collection::FarmlandUnits);
        for t in [&f.tile_current, &f.tile_as_of] {
            assert!(!code(t).contains("tile_z12") && code(t).contains("ST_Transform(ST_SetSRID(ST_Simplify(v.geom"));
        }
        let (now, then) = (f.tile_z12_current.as_deref().unwrap(), f.tile_z12_as_of.as_deref().unwrap());
        assert!(code(now).contains("v.tile_z12") && !code(now).contains("$7") && code(then).contains("$7"));
        assert!(!code(now).contains("ST_Transform(ST_SetSRID(ST_Simplify(v.geom"), "no projection per request");
        for c in Collection::all().into_iter().filter(|c| c.description().name != "farmland_units") {
            assert!(statements(c).tile_z12_current.is_none() && statements(c).tile_z12_as_of.is_none(), "{c}");
        }
    }
}
