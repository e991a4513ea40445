//! Item queries for OGC API Features: filters, bbox, as-of, sorting, keyset paging and output CRS, turned
//! into one parameterised SQL statement whose rows are finished GeoJSON features, streamed to the client.

use super::layers::{props, queryables, Prop};
use super::statements::statements;
use crate::cql2::{self, Expr, QType, SqlParam};
use crate::domain::crs::Crs;
use crate::domain::registry::Collection;
use crate::domain::time::AsOf;
use futures_util::{Stream, StreamExt};
use serde_json::Value;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{Postgres, Row};

#[derive(Debug, thiserror::Error)]
pub enum ItemsError {
    #[error("filter: {0}")]
    Filter(cql2::Cql2Error),
    #[error("cursor: not a cursor this service issued for this query")]
    Cursor,
}

/// A bounding box in a CRS, in that CRS's axis order.
#[derive(Debug, Clone, Copy)]
pub struct Bbox {
    pub coords: [f64; 4],
    pub crs: Crs,
}

/// One sort key: a published property and its direction.
#[derive(Debug, Clone, Copy)]
pub struct SortKey {
    pub prop: &'static Prop,
    pub descending: bool,
}

#[derive(Debug, Clone)]
pub struct ItemsRequest {
    pub collection: Collection,
    pub as_of: AsOf,
    pub bbox: Option<Bbox>,
    pub filter: Option<Expr>,
    pub sort: Vec<SortKey>,
    /// Properties to include; all when `None`.
    pub properties: Option<Vec<&'static str>>,
    pub crs: Crs,
    /// Decimal places of degrees (geographic output) and of metres (projected output).
    pub precision_deg: u8,
    pub precision_m: u8,
    pub limit: i64,
    /// An opaque cursor from a previous page's `next` link.
    pub cursor: Option<String>,
    /// A single feature by its code.
    pub code: Option<String>,
}

/// A statement ready to run: SQL text and its parameters in order.
#[derive(Debug, Clone)]
pub struct Statement {
    pub sql: String,
    pub params: Vec<SqlParam>,
}

/// The items page and, when asked, the count of everything the query matches.
#[derive(Debug, Clone)]
pub struct ItemsPlan {
    pub page: Statement,
    pub count: Statement,
    /// The types of the page's order keys, the columns after the feature in each row.
    pub keys: Vec<QType>,
}

fn cast(q: QType) -> &'static str {
    match q {
        QType::String => "text",
        QType::Integer => "bigint",
        QType::Number => "numeric",
        QType::Boolean => "boolean",
        QType::Date => "date",
        QType::Geometry => "geometry",
    }
}

fn push(params: &mut Vec<SqlParam>, p: SqlParam) -> String {
    params.push(p);
    format!("${}", params.len())
}

/// The geometry as it is written out: counter-clockwise exteriors, in the requested CRS and axis order.
fn geometry_sql(crs: Crs, precision_deg: u8, precision_m: u8) -> String {
    let g = if crs.is_geographic() {
        "ST_ForcePolygonCCW(v.geom)".to_string()
    } else {
        format!("ST_Transform(ST_ForcePolygonCCW(v.geom), {})", crs.srid)
    };
    let g = if crs.northing_first() { format!("ST_FlipCoordinates({g})") } else { g };
    let precision = if crs.is_geographic() { precision_deg } else { precision_m };
    format!("ST_AsGeoJSON({g}, {precision}, 0)")
}

/// One feature as GeoJSON text. Concatenated rather than built with `json_build_object` around the geometry:
/// that would parse the geometry's text back into `json` (a pass over every coordinate) only to print it
/// again, which costs about a fifth of a full pull's statement time (measured on 100 000 units).
fn feature_sql(c: Collection, selected: &[&'static Prop], geometry: &str) -> String {
    let t = statements(c);
    let pairs: Vec<String> = selected.iter().map(|p| format!("'{}', {}", p.name, p.sql)).collect();
    format!(
        r#"'{{"type":"Feature","id":' || to_json(v.{code})::text || ',"geometry":' || coalesce({geometry}, 'null') || ',"properties":' || json_build_object({pairs})::text || '}}'"#,
        code = t.code,
        pairs = pairs.join(", ")
    )
}

/// Decimal places of degrees in the stored rendering, and so the default `coord_precision_deg` (config.rs):
/// a service set to another precision renders every page live.
pub const STORED_PRECISION_DEG: u8 = 6;

/// A feature as the `feature_json` column holds it: the default rendering (CRS84, `STORED_PRECISION_DEG`,
/// every published property in order), the same expression a page uses for it when it renders live.
pub fn stored_rendering(c: Collection) -> String {
    let all: Vec<&'static Prop> = props(c).iter().collect();
    feature_sql(c, &all, &geometry_sql(Crs::CRS84, STORED_PRECISION_DEG, 0))
}

/// The migration statement that gives a collection's version table its `feature_json`
/// (migrations/20261206060001_feature_json.sql): the description's rendering, passed to the trigger.
pub fn feature_json_call(c: Collection) -> String {
    format!("SELECT landguard_feature_json('{}', $r${}$r$);", statements(c).table, stored_rendering(c))
}

/// The box as a CGCS2000 lon/lat polygon; edges are densified before a projected box is transformed, so
/// they follow the projection's curvature.
fn bbox_sql(b: &Bbox, params: &mut Vec<SqlParam>) -> String {
    let [a, bb, c, d] = b.coords;
    let (x0, y0, x1, y1) = if b.crs.northing_first() { (bb, a, d, c) } else { (a, bb, c, d) };
    let env = format!(
        "ST_MakeEnvelope({}, {}, {}, {}, {})",
        push(params, SqlParam::Float(x0)),
        push(params, SqlParam::Float(y0)),
        push(params, SqlParam::Float(x1)),
        push(params, SqlParam::Float(y1)),
        b.crs.srid
    );
    if b.crs.is_geographic() {
        format!("ST_SetSRID({env}, 4490)")
    } else {
        let step = ((x1 - x0).abs().max((y1 - y0).abs()) / 16.0).max(1e-9);
        format!("ST_Transform(ST_Segmentize({env}, {}), 4490)", push(params, SqlParam::Float(step)))
    }
}

/// Keyset condition: rows strictly after `values` in the order (sort keys…, code). NULLs sort last when
/// ascending and first when descending, as PostgreSQL orders them. The last key is the feature code, which
/// is never NULL: its condition is a plain `code > $n`, which the index on current codes turns into a range
/// (with an `OR code IS NULL` arm the index scan would start at the first code and filter its way to the
/// cursor, so every page of a full pull would cost more than the one before).
fn keyset_sql(keys: &[(String, QType, bool)], values: &[Value], params: &mut Vec<SqlParam>) -> Option<String> {
    if keys.len() != values.len() {
        return None;
    }
    let mut ors = Vec::new();
    let mut eqs: Vec<String> = Vec::new();
    for (k, ((expr, qtype, desc), value)) in keys.iter().zip(values).enumerate() {
        let param = if value.is_null() { None } else { Some(push(params, json_param(*qtype, value)?)) };
        let cast = cast(*qtype);
        let not_null = k + 1 == keys.len();
        let after = match (&param, desc) {
            (Some(p), false) if not_null => format!("{expr} > {p}::{cast}"),
            (Some(p), false) => format!("({expr} > {p}::{cast} OR {expr} IS NULL)"),
            (Some(p), true) => format!("{expr} < {p}::{cast}"),
            (None, false) => "FALSE".to_string(),
            (None, true) => format!("{expr} IS NOT NULL"),
        };
        let mut term = eqs.clone();
        term.push(after);
        ors.push(format!("({})", term.join(" AND ")));
        eqs.push(match &param {
            Some(p) => format!("{expr} = {p}::{cast}"),
            None => format!("{expr} IS NULL"),
        });
    }
    Some(format!("({})", ors.join(" OR ")))
}

fn json_param(q: QType, v: &Value) -> Option<SqlParam> {
    Some(match q {
        QType::String => SqlParam::Text(v.as_str()?.to_string()),
        QType::Integer => SqlParam::Int(v.as_i64()?),
        QType::Number => SqlParam::Float(v.as_f64()?),
        QType::Boolean => SqlParam::Bool(v.as_bool()?),
        QType::Date => SqlParam::Date(v.as_str()?.parse().ok()?),
        QType::Geometry => return None,
    })
}

/// `values`: a page's last row's cursor ([`PageRow::cursor`], JSON text).
pub fn encode_cursor(values: &str) -> String {
    hex::encode(values.as_bytes())
}

fn decode_cursor(c: &str) -> Option<Vec<Value>> {
    let bytes = hex::decode(c).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Array(v) => Some(v),
        _ => None,
    }
}

impl ItemsRequest {
    pub fn plan(&self) -> Result<ItemsPlan, ItemsError> {
        let c = self.collection;
        let t = statements(c);
        let all = props(c);
        let selected: Vec<&'static Prop> = match &self.properties {
            None => all.iter().collect(),
            Some(names) => names.iter().filter_map(|n| all.iter().find(|p| p.name == *n)).collect(),
        };
        // Exactly the rendering stored when each version was written: served as those bytes.
        let stored = c.description().feature_json
            && self.crs == Crs::CRS84
            && self.precision_deg == STORED_PRECISION_DEG
            && selected.len() == all.len()
            && selected.iter().zip(all).all(|(s, a)| s.name == a.name);
        let mut params: Vec<SqlParam> = Vec::new();
        let mut conds = Vec::new();
        match self.as_of.date() {
            Some(d) => {
                push(&mut params, SqlParam::Date(d));
                conds.push(self.as_of.condition(params.len()));
            }
            None => conds.push(self.as_of.condition(0)),
        }
        if let Some(code) = &self.code {
            let p = push(&mut params, SqlParam::Text(code.clone()));
            conds.push(format!("v.{} = {p}", t.code));
        }
        if let Some(b) = &self.bbox {
            let env = bbox_sql(b, &mut params);
            conds.push(format!("ST_Intersects(v.geom, {env})"));
        }
        if let Some(f) = &self.filter {
            let (sql, fp) = cql2::to_sql(f, &queryables(c), params.len() + 1).map_err(ItemsError::Filter)?;
            params.extend(fp);
            conds.push(format!("({sql})"));
        }
        let count = Statement {
            sql: format!("SELECT count(*) FROM {} v WHERE {}", t.table, conds.join(" AND ")),
            params: params.clone(),
        };
        let mut keys: Vec<(String, QType, bool)> =
            self.sort.iter().map(|k| (k.prop.filter_sql.to_string(), k.prop.qtype, k.descending)).collect();
        keys.push((format!("v.{}", t.code), QType::String, false));
        if let Some(cur) = &self.cursor {
            let values = decode_cursor(cur).ok_or(ItemsError::Cursor)?;
            conds.push(keyset_sql(&keys, &values, &mut params).ok_or(ItemsError::Cursor)?);
        }
        let order: Vec<String> =
            keys.iter().map(|(e, _, d)| format!("{e} {}", if *d { "DESC" } else { "ASC" })).collect();
        // The order's key values come as plain columns, turned into a cursor only for the row a next link
        // continues from: a JSON cursor made in SQL for every row cost a full pull an eighth of its time.
        let key_columns: Vec<String> =
            keys.iter().enumerate().map(|(i, (e, q, _))| format!("({e})::{} AS k{i}", key_cast(*q))).collect();
        let limit = push(&mut params, SqlParam::Int(self.limit));
        let page = format!(
            "SELECT {feature} AS feature, {key_columns} FROM {table} v WHERE {conds} ORDER BY {order} LIMIT {limit}",
            key_columns = key_columns.join(", "),
            feature = if stored {
                "v.feature_json".to_string()
            } else {
                feature_sql(c, &selected, &geometry_sql(self.crs, self.precision_deg, self.precision_m))
            },
            table = t.table,
            conds = conds.join(" AND "),
            order = order.join(", "),
        );
        // The collection's change counter comes with the rows, read in the page's own snapshot: the page's
        // ETag needs no statement of its own, and it is exactly the counter the page was read at. Joined on
        // `true` to its one row, an empty page is still one row (with no feature). A join without a join
        // clause can only be a nested loop, with the counter's row outside: the page's rows keep their order.
        let sql = format!(
            "SELECT s.seq, p.* FROM (SELECT seq FROM collection_changes WHERE collection = '{c}') s \
             LEFT JOIN ({page}) p ON true",
            c = c.as_str()
        );
        Ok(ItemsPlan { page: Statement { sql, params }, count, keys: keys.iter().map(|(_, q, _)| *q).collect() })
    }
}

fn bind<'q>(mut q: Query<'q, Postgres, PgArguments>, params: &[SqlParam]) -> Query<'q, Postgres, PgArguments> {
    for p in params {
        q = match p {
            SqlParam::Text(s) => q.bind(s.clone()),
            SqlParam::Int(i) => q.bind(*i),
            SqlParam::Float(f) => q.bind(*f),
            SqlParam::Bool(b) => q.bind(*b),
            SqlParam::Date(d) => q.bind(*d),
            SqlParam::GeoJson(g) => q.bind(g.clone()),
        };
    }
    q
}

/// One row of a page statement, as PostgreSQL sent it: the change counter, the feature and the order's keys.
/// A page's features are copied from the row into the body as they are, with no type check, UTF-8 check or
/// string of their own per column (those were a tenth of the service's CPU time per bbox page;
/// bench/results/pages-cpu-20261206T073438Z.perf.txt); the keys are read only for the row a next link
/// continues from. PostgreSQL sends text in the connection's encoding, UTF-8 (sqlx sets it).
#[derive(Debug)]
pub struct PageRow(PgRow);

impl PageRow {
    /// The collection's change counter in the page's snapshot (every row carries the same).
    pub fn seq(&self) -> Result<i64, sqlx::Error> {
        self.0.try_get(0)
    }

    /// The feature as GeoJSON text; `None` in the one row of an empty page.
    pub fn feature(&self) -> Result<Option<&[u8]>, sqlx::Error> {
        use sqlx::ValueRef;
        let v = self.0.try_get_raw(1)?;
        if v.is_null() {
            return Ok(None);
        }
        v.as_bytes().map(Some).map_err(sqlx::Error::Decode)
    }

    /// The cursor of a next page that starts after this row: its order's key values as a JSON array
    /// (`keys` from the plan the row was read with).
    pub fn cursor(&self, keys: &[QType]) -> Result<String, sqlx::Error> {
        let row = &self.0;
        let values = keys
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let i = i + 2;
                Ok(match q {
                    QType::String => row.try_get::<Option<String>, _>(i)?.map(Value::from),
                    QType::Integer => row.try_get::<Option<i64>, _>(i)?.map(Value::from),
                    QType::Number => row.try_get::<Option<f64>, _>(i)?.map(Value::from),
                    QType::Boolean => row.try_get::<Option<bool>, _>(i)?.map(Value::from),
                    QType::Date => row.try_get::<Option<chrono::NaiveDate>, _>(i)?.map(|d| Value::from(d.to_string())),
                    QType::Geometry => None,
                }
                .unwrap_or(Value::Null))
            })
            .collect::<Result<Vec<Value>, sqlx::Error>>()?;
        Ok(Value::Array(values).to_string())
    }
}

/// The type a key column is read as: a number as `float8`, as the cursor's JSON holds it anyway.
fn key_cast(q: QType) -> &'static str {
    match q {
        QType::Number => "float8",
        q => cast(q),
    }
}

/// Rows of a page. `ex` is the pool, or a connection carrying the pulls' statement time limit.
pub fn stream<'a, E>(ex: E, st: &'a Statement) -> impl Stream<Item = Result<PageRow, sqlx::Error>> + 'a
where
    E: sqlx::Executor<'a, Database = sqlx::Postgres> + 'a,
{
    bind(sqlx::query(&st.sql), &st.params).fetch(ex).map(|r| r.map(PageRow))
}

pub async fn count<'a, E>(ex: E, st: &'a Statement) -> Result<i64, sqlx::Error>
where
    E: sqlx::Executor<'a, Database = sqlx::Postgres> + 'a,
{
    bind(sqlx::query(&st.sql), &st.params).fetch_one(ex).await?.try_get(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> ItemsRequest {
        ItemsRequest {
            collection: Collection::ConstructionParcels,
            as_of: AsOf::Current,
            bbox: None,
            filter: None,
            sort: Vec::new(),
            properties: None,
            crs: Crs::CRS84,
            precision_deg: STORED_PRECISION_DEG,
            precision_m: 3,
            limit: 10,
            cursor: None,
            code: None,
        }
    }

    #[test]
    fn user_text_stays_in_parameters() {
        let mut r = req();
        r.filter = Some(cql2::parse_text("name = 'x''); DROP TABLE audit_log; --'").unwrap());
        r.cursor = Some(encode_cursor(r#"["'); DROP TABLE t; --"]"#));
        let plan = r.plan().unwrap();
        assert!(!plan.page.sql.contains("DROP"), "{}", plan.page.sql);
        assert!(plan.page.params.iter().any(|p| matches!(p, SqlParam::Text(t) if t.contains("DROP"))));
    }

    #[test]
    fn keyset_orders_with_nulls() {
        let mut params = Vec::new();
        let keys = vec![("v.a".to_string(), QType::String, true), ("v.code".to_string(), QType::String, false)];
        let sql = keyset_sql(&keys, &[Value::Null, Value::String("X".into())], &mut params).unwrap();
        assert_eq!(sql, "((v.a IS NOT NULL) OR (v.a IS NULL AND v.code > $1::text))");
        assert!(keyset_sql(&keys, &[Value::Null], &mut params).is_none());
    }

    #[test]
    fn keyset_on_the_code_alone_is_a_range() {
        // The default order: a plain `code > $n`, so the index on current codes starts at the cursor.
        let mut params = Vec::new();
        let keys = vec![("v.code".to_string(), QType::String, false)];
        let sql = keyset_sql(&keys, &[Value::String("X".into())], &mut params).unwrap();
        assert_eq!(sql, "((v.code > $1::text))");
    }

    /// The last `landguard_feature_json` call per table in migrations/, in the order they run.
    fn migrated_renderings() -> std::collections::HashMap<String, String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        let mut calls = std::collections::HashMap::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for line in text.lines().filter(|l| l.starts_with("SELECT landguard_feature_json('")) {
                let table = line["SELECT landguard_feature_json('".len()..].split('\'').next().unwrap();
                calls.insert(table.to_string(), line.to_string());
            }
        }
        calls
    }

    #[test]
    fn every_stored_rendering_is_the_live_one() {
        // The trigger renders with the expression its migration passed; the pages serve its bytes as the
        // description's rendering. A description that changes what it publishes needs a migration that
        // calls landguard_feature_json again: this prints the call.
        let calls = migrated_renderings();
        for c in Collection::all() {
            let expected = feature_json_call(c);
            let found = calls.get(statements(c).table);
            if c.description().feature_json {
                assert_eq!(found, Some(&expected), "{c}: a migration must end with\n{expected}\n");
            } else {
                assert!(found.is_none(), "{c} has a feature_json column but its description does not use it");
            }
        }
    }

    #[test]
    fn the_default_rendering_reads_the_stored_feature() {
        let stored = |r: &ItemsRequest| r.plan().unwrap().page.sql.contains("v.feature_json AS feature");
        let mut r = req();
        assert!(stored(&r));
        r.properties = Some(props(r.collection).iter().map(|p| p.name).collect());
        assert!(stored(&r), "every property in order is the default rendering");
        r.properties = Some(vec!["name", "state"]);
        assert!(!stored(&r));
        let mut r = req();
        r.crs = Crs::STORAGE;
        assert!(!stored(&r));
        let mut r = req();
        r.precision_deg = 7;
        assert!(!stored(&r));
        assert!(!req().plan().unwrap().page.sql.contains("json_build_object('"), "no live rendering");
    }

    #[test]
    fn output_crs_axis_order() {
        assert!(geometry_sql(Crs::CRS84, 7, 3).starts_with("ST_AsGeoJSON(ST_ForcePolygonCCW"));
        assert!(geometry_sql(Crs::STORAGE, 7, 3).contains("ST_FlipCoordinates"));
        let gk = geometry_sql(Crs::epsg(4546).unwrap(), 7, 3);
        assert!(gk.contains("ST_FlipCoordinates(ST_Transform") && gk.contains("4546") && gk.ends_with("3, 0)"), "{gk}");
        assert!(!geometry_sql(Crs::epsg(3857).unwrap(), 7, 3).contains("Flip"));
    }
}
