//! Bulk writes and reads for `landguard import` and `landguard export`: a staging table filled by binary
//! COPY, one set-based merge into the versioned tables with its audit rows, and a streamed as-of read.

use super::copy::HEADER;
use super::statements::statements;
use super::Result;
use crate::domain::collection::Kind;
use crate::domain::registry::Collection;
use futures_util::Stream;
use sqlx::postgres::{PgCopyIn, PgRow};
use sqlx::{PgConnection, Row};

const INVALID: &str = include_str!("sql/import_invalid.sql");

/// Starts the import's work in the caller's transaction: no statement timeout (a large file streams for
/// minutes) and an empty staging table.
///
/// (More work_mem was tried for the merge and left out: the insert then hashed and sorted the staged rows,
/// geometries and all, instead of reading them in order through the staging table's key, which was slower.
/// JIT, which would cost about 0.6 s of compiling per large statement here, is off on every connection of
/// the pool: store::Store.)
pub async fn stage(conn: &mut PgConnection, c: Collection) -> Result<()> {
    sqlx::query("SET LOCAL statement_timeout = 0").execute(&mut *conn).await?;
    sqlx::query(&statements(c).stage).execute(&mut *conn).await?;
    Ok(())
}

/// Opens the binary COPY into the staging table and sends its header; rows follow from
/// `copy::CopyRows`, then `copy::TRAILER`.
pub async fn copy_in(conn: &mut PgConnection, c: Collection) -> Result<PgCopyIn<&mut PgConnection>> {
    let _ = c;
    let mut copy = conn.copy_in_raw("COPY import_staging FROM STDIN (FORMAT binary)").await?;
    copy.send(HEADER).await?;
    Ok(copy)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MergeCounts {
    pub created: u64,
    pub changed: u64,
    pub unchanged: u64,
}

/// A staged feature the registry refuses, found while merging.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub ordinal: u64,
    pub code: String,
    pub pointer: String,
    pub detail: String,
}

fn conflicts_from(rows: Vec<PgRow>) -> Result<Vec<Conflict>> {
    rows.into_iter()
        .map(|r| {
            Ok(Conflict {
                ordinal: r.try_get::<i64, _>(0)?.max(0) as u64,
                code: r.try_get(1)?,
                pointer: r.try_get(2)?,
                detail: r.try_get(3)?,
            })
        })
        .collect()
}

/// Merges the staged features into the collection, in the caller's transaction: new codes get a first
/// version, changed ones a new version (the current one ended as a single write would end it), unchanged
/// ones nothing; one audit row per version written. Returns the conflicts instead when any feature cannot
/// be taken (a parcel's state differs, a change is dated before the current version, PostGIS finds a
/// geometry invalid); the caller then rolls back.
pub async fn merge(
    conn: &mut PgConnection,
    c: Collection,
    actor: &str,
    file: &str,
) -> Result<std::result::Result<MergeCounts, Vec<Conflict>>> {
    let sql = statements(c);
    let t = sql.table;
    let clock = std::time::Instant::now();
    let lap =
        |what: &str| tracing::debug!(target: "landguard::import", "{what}: {:.3} s", clock.elapsed().as_secs_f64());
    // The row count and the join keys are what the plans need; statistics of the geometries (most of a
    // full ANALYZE's time: 0.4 s for 50 000 polygons) are not.
    sqlx::query(&format!("ANALYZE import_staging (ord, {})", sql.code)).execute(&mut *conn).await?;
    lap("analyze");
    // Writers of this collection wait until the import commits; readers are not blocked.
    sqlx::query(&format!("LOCK TABLE {t} IN SHARE ROW EXCLUSIVE MODE")).execute(&mut *conn).await?;
    sqlx::query(&sql.plan).execute(&mut *conn).await?;
    // Without statistics the plan's row count is a guess from its size (a third of the truth for 200 000
    // features) that the insert's joins are planned on; with them the audit rows' join hashes the codes
    // instead of sorting both sides in the database's collation. (At 200 000 features the two took about
    // the same time, 1 s, on a loaded machine; the statistics cost 0.05 s and keep the estimates true.)
    sqlx::query("ANALYZE import_plan").execute(&mut *conn).await?;
    lap("plan");
    let conflicts = sqlx::query(&sql.conflicts).fetch_all(&mut *conn).await?;
    if !conflicts.is_empty() {
        return Ok(Err(conflicts_from(conflicts)?));
    }
    let mut counts = MergeCounts::default();
    for row in sqlx::query("SELECT action, count(*) FROM import_plan GROUP BY action").fetch_all(&mut *conn).await? {
        let n = row.try_get::<i64, _>(1)?.max(0) as u64;
        match row.try_get::<String, _>(0)?.as_str() {
            "create" => counts.created = n,
            "replace" => counts.changed = n,
            _ => counts.unchanged = n,
        }
    }
    lap("conflicts and counts");
    if counts.created + counts.changed == 0 {
        return Ok(Ok(counts));
    }
    sqlx::query(&sql.end_current).bind(actor).execute(&mut *conn).await?;
    lap("end current versions");
    sqlx::query("SAVEPOINT import_insert").execute(&mut *conn).await?;
    match sqlx::query(&sql.import_insert).bind(actor).bind(file).execute(&mut *conn).await {
        Ok(_) => {}
        Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("23514") => {
            // The table's ST_IsValid check caught a geometry that the service's own check passed (GEOS is
            // stricter in a few corner cases): name the features.
            sqlx::query("ROLLBACK TO SAVEPOINT import_insert").execute(&mut *conn).await?;
            let rows = sqlx::query(INVALID).fetch_all(&mut *conn).await?;
            let mut conflicts = conflicts_from(rows)?;
            for c in &mut conflicts {
                c.detail = format!(
                    "geometry is invalid according to PostGIS (ST_IsValid): {}; --on-invalid repair fixes it",
                    c.detail
                );
            }
            if conflicts.is_empty() {
                return Err(sqlx::Error::Database(db).into());
            }
            return Ok(Err(conflicts));
        }
        Err(e) => return Err(e.into()),
    }
    sqlx::query("RELEASE SAVEPOINT import_insert").execute(&mut *conn).await?;
    lap("insert versions and audit rows");
    Ok(Ok(counts))
}

/// The staged features a writer bound to `counties` may not write, as (ordinal, code, county): the county the
/// file gives a feature and, for one already registered, the county it has now must both be theirs (as for
/// every write, store::scope). A collection without `county_code` lies outside every county.
pub async fn outside_scope(
    conn: &mut PgConnection,
    c: Collection,
    counties: &crate::domain::scope::Scopes,
) -> Result<Vec<(u64, String, String)>> {
    if counties.is_all() {
        return Ok(Vec::new());
    }
    let sql = statements(c);
    let has_county = c.description().property("county_code").is_some();
    let county = |alias: &str| if has_county { format!("{alias}.county_code") } else { "''::text".into() };
    let query = format!(
        "SELECT s.ord, s.{code}::text, {staged}, {current} FROM import_staging s \
         LEFT JOIN {table} v ON v.{code} = s.{code} AND {cond} ORDER BY s.ord",
        code = sql.code,
        staged = county("s"),
        current = if has_county { county("v") } else { "NULL::text".into() },
        table = sql.table,
        cond = crate::domain::time::AsOf::Current.condition(0),
    );
    let mut outside = Vec::new();
    let mut rows = sqlx::query_as::<_, (i32, String, String, Option<String>)>(&query).fetch(&mut *conn);
    use futures_util::TryStreamExt;
    while let Some((ord, code, staged, current)) = rows.try_next().await? {
        for county in std::iter::once(staged).chain(current) {
            if !crate::domain::scope::may_write(counties, &county) {
                outside.push((ord.max(0) as u64, code.clone(), county));
                break;
            }
        }
    }
    Ok(outside)
}

/// One feature as `landguard export` writes it: the properties in the description's published order and the geometry as WKB
/// (CGCS2000 lon/lat, exterior rings counter-clockwise).
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub properties: Vec<(&'static str, ExportValue)>,
    pub wkb: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExportValue {
    Text(Option<String>),
    Bool(Option<bool>),
    Int(Option<i32>),
    Real(Option<f64>),
    Date(Option<chrono::NaiveDate>),
}

/// The export's columns in order, with their kinds (the GDAL field types follow from them): every published
/// property of the collection's description.
pub fn export_columns(c: Collection) -> Vec<(&'static str, ExportKind)> {
    c.description()
        .properties
        .iter()
        .map(|p| {
            let kind = match p.kind {
                Kind::Text | Kind::TextList | Kind::IntList => ExportKind::Text,
                Kind::Bool => ExportKind::Bool,
                Kind::Int => ExportKind::Int,
                Kind::Number => ExportKind::Real,
                Kind::Date => ExportKind::Date,
            };
            (p.name, kind)
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Text,
    Bool,
    Int,
    Real,
    Date,
}

fn export_row(c: Collection, row: &PgRow) -> std::result::Result<ExportRow, sqlx::Error> {
    let cols = export_columns(c);
    let mut properties = Vec::with_capacity(cols.len());
    for (i, (name, kind)) in cols.iter().enumerate() {
        let v = match kind {
            ExportKind::Text => ExportValue::Text(row.try_get(i)?),
            ExportKind::Bool => ExportValue::Bool(row.try_get(i)?),
            ExportKind::Int => ExportValue::Int(row.try_get(i)?),
            ExportKind::Real => ExportValue::Real(row.try_get(i)?),
            ExportKind::Date => ExportValue::Date(row.try_get(i)?),
        };
        properties.push((*name, v));
    }
    Ok(ExportRow { properties, wkb: row.try_get(cols.len())? })
}

/// A read-only transaction for an export, without the statement timeout: a large layer streams for as long
/// as the file writer needs.
pub async fn begin_export(store: &super::Store) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    let mut tx = store.pool.begin().await?;
    sqlx::query("SET TRANSACTION READ ONLY").execute(&mut *tx).await?;
    sqlx::query("SET LOCAL statement_timeout = 0").execute(&mut *tx).await?;
    Ok(tx)
}

/// Every feature of a collection as of a date (or now), in code order, streamed from PostGIS.
pub fn export_rows(
    conn: &mut PgConnection,
    c: Collection,
    as_of: Option<chrono::NaiveDate>,
) -> impl Stream<Item = std::result::Result<ExportRow, sqlx::Error>> + '_ {
    use futures_util::StreamExt;
    sqlx::query(&statements(c).export).bind(as_of).fetch(conn).map(move |r| r.and_then(|row| export_row(c, &row)))
}
