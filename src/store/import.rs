//! Bulk writes and reads for `landguard import` and `landguard export`: a staging table filled by binary
//! COPY, one set-based merge into the versioned tables with its audit rows, and a streamed as-of read.

use super::copy::HEADER;
use super::Result;
use crate::domain::registry::Collection;
use futures_util::Stream;
use sqlx::postgres::{PgCopyIn, PgRow};
use sqlx::{PgConnection, Row};

const FARMLAND_STAGE: &str = include_str!("sql/import_farmland_stage.sql");
const PARCEL_STAGE: &str = include_str!("sql/import_parcel_stage.sql");
const FARMLAND_PLAN: &str = include_str!("sql/import_farmland_plan.sql");
const PARCEL_PLAN: &str = include_str!("sql/import_parcel_plan.sql");
const CONFLICTS: &str = include_str!("sql/import_conflicts.sql");
const END_CURRENT: &str = include_str!("sql/import_end_current.sql");
const FARMLAND_INSERT: &str = include_str!("sql/import_farmland_insert.sql");
const PARCEL_INSERT: &str = include_str!("sql/import_parcel_insert.sql");
const INVALID: &str = include_str!("sql/import_invalid.sql");
const FARMLAND_EXPORT: &str = include_str!("sql/export_farmland.sql");
const PARCEL_EXPORT: &str = include_str!("sql/export_parcels.sql");

fn table(c: Collection) -> &'static str {
    match c {
        Collection::FarmlandUnits => "farmland_unit_versions",
        Collection::ConstructionParcels => "construction_parcel_versions",
    }
}

/// Starts the import's work in the caller's transaction: no statement timeout (a large file streams for
/// minutes) and an empty staging table.
pub async fn stage(conn: &mut PgConnection, c: Collection) -> Result<()> {
    sqlx::query("SET LOCAL statement_timeout = 0").execute(&mut *conn).await?;
    let sql = match c {
        Collection::FarmlandUnits => FARMLAND_STAGE,
        Collection::ConstructionParcels => PARCEL_STAGE,
    };
    sqlx::query(sql).execute(&mut *conn).await?;
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
    let t = table(c);
    let clock = std::time::Instant::now();
    let lap =
        |what: &str| tracing::debug!(target: "landguard::import", "{what}: {:.3} s", clock.elapsed().as_secs_f64());
    sqlx::query("ANALYZE import_staging").execute(&mut *conn).await?;
    lap("analyze");
    // Writers of this collection wait until the import commits; readers are not blocked.
    sqlx::query(&format!("LOCK TABLE {t} IN SHARE ROW EXCLUSIVE MODE")).execute(&mut *conn).await?;
    let (plan, insert, state) = match c {
        Collection::FarmlandUnits => (FARMLAND_PLAN, FARMLAND_INSERT, "NULL::text"),
        Collection::ConstructionParcels => (PARCEL_PLAN, PARCEL_INSERT, "s.state"),
    };
    sqlx::query(plan).execute(&mut *conn).await?;
    lap("plan");
    let conflicts = sqlx::query(&CONFLICTS.replace("{state}", state)).fetch_all(&mut *conn).await?;
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
    sqlx::query(&END_CURRENT.replace("{table}", t)).bind(actor).execute(&mut *conn).await?;
    lap("end current versions");
    sqlx::query("SAVEPOINT import_insert").execute(&mut *conn).await?;
    match sqlx::query(insert).bind(actor).bind(file).execute(&mut *conn).await {
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

/// One feature as `landguard export` writes it: the properties in docs/contract.md order and the geometry as WKB
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

/// The export's columns in order, with their kinds (the GDAL field types follow from them).
pub fn export_columns(c: Collection) -> &'static [(&'static str, ExportKind)] {
    use ExportKind::*;
    match c {
        Collection::FarmlandUnits => &[
            ("unit_code", Text),
            ("county_code", Text),
            ("class", Text),
            ("land_type", Text),
            ("measures_in_place", Bool),
            ("crops_compliant", Bool),
            ("valid_from", Date),
            ("basis_doc", Text),
            ("area_m2", Real),
            ("area_mu", Real),
        ],
        Collection::ConstructionParcels => &[
            ("parcel_code", Text),
            ("county_code", Text),
            ("name", Text),
            ("state", Text),
            ("rcr_listed", Bool),
            ("priority_supervision", Bool),
            ("key_unit_land", Bool),
            ("current_use", Text),
            ("use_code_system", Text),
            ("remediated_for_class", Int),
            ("former_industry", Text),
            ("valid_from", Date),
            ("area_m2", Real),
            ("area_mu", Real),
        ],
    }
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
            ExportKind::Int => ExportValue::Int(row.try_get::<Option<i16>, _>(i)?.map(i32::from)),
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
    let sql = match c {
        Collection::FarmlandUnits => FARMLAND_EXPORT,
        Collection::ConstructionParcels => PARCEL_EXPORT,
    };
    sqlx::query(sql).bind(as_of).fetch(conn).map(move |r| r.and_then(|row| export_row(c, &row)))
}
