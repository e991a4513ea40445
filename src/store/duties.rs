//! Records of duties done on the source-control registers (migration `duty_records`, append-only), and the
//! registers as of a date with their records, read into the domain's types for `crate::duties`.

use super::features::Actor;
use super::{audit, Result, Store, StoreError};
use crate::domain::duties::COUNTY_DUTIES;
use crate::domain::registry::Collection;
use crate::domain::sources::{
    DutyRecord, EnterpriseCode, KeySupervisedUnit, PollutionSource, RecordKind, Register, SourceState, TailingsPond,
};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::Row;
use std::str::FromStr;

const KEY_UNITS: &str = include_str!("sql/duties_key_units.sql");
const PONDS: &str = include_str!("sql/duties_ponds.sql");
const SOURCES: &str = include_str!("sql/duties_sources.sql");
const COUNTIES: &str = include_str!("sql/duties_counties.sql");

/// The subject of records about a county (`duty_records.collection`), not a collection of features.
pub const COUNTY_SUBJECT: &str = "counties";

/// A county with the dates of its reports to the city bureau up to a date, for the county duties.
#[derive(Debug, Clone)]
pub struct CountyReports {
    pub county_code: String,
    pub name: String,
    pub reports: Vec<NaiveDate>,
}

/// A record as the client gives it, checked.
#[derive(Debug, Clone)]
pub struct NewRecord<K = RecordKind> {
    pub kind: K,
    pub date: NaiveDate,
    pub document: Option<String>,
    pub result: Option<String>,
    pub note: Option<String>,
}

/// A stored record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRecord {
    pub id: i64,
    pub kind: String,
    pub kind_zh: &'static str,
    pub date: NaiveDate,
    pub document: Option<String>,
    pub result: Option<String>,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

fn stored(r: &PgRow) -> Result<StoredRecord> {
    let kind: String = r.try_get(1)?;
    Ok(StoredRecord {
        id: r.try_get(0)?,
        kind_zh: kind
            .parse::<RecordKind>()
            .map(RecordKind::name_zh)
            .ok()
            .or_else(|| COUNTY_DUTIES.iter().find(|r| r.record == kind).map(|r| r.record_zh))
            .unwrap_or(""),
        kind,
        date: r.try_get(2)?,
        document: r.try_get(3)?,
        result: r.try_get(4)?,
        note: r.try_get(5)?,
        recorded_by: r.try_get(6)?,
        recorded_at: r.try_get(7)?,
    })
}

const RECORD_COLUMNS: &str = "id, kind, date, document, result, note, recorded_by, recorded_at";

/// The record kinds as the register statements take them: a record's kind travels as its position in this
/// list (1-based), not as text, so that no string is made per record.
fn kind_names() -> Vec<&'static str> {
    RecordKind::ALL.iter().map(|k| k.as_str()).collect()
}

/// A kind's position in `kind_names` (0, a kind the list lacks, does not occur for the kinds the table's CHECK
/// allows).
fn record_kind(k: i16) -> Option<RecordKind> {
    RecordKind::ALL.get((k as usize).wrapping_sub(1)).copied()
}

/// The records of a register row, column `col`: 4-byte big-endian integers, (days from 2000-01-01) * 64 plus
/// the kind's position read by `kind` (src/store/sql/duties_key_units.sql says why so), borrowed from the row.
fn records(r: &PgRow, col: usize, kind: &dyn Fn(i16) -> Option<RecordKind>, out: &mut Vec<DutyRecord>) -> Result<()> {
    let bytes: &[u8] = r.try_get(col)?;
    let epoch = EPOCH.num_days_from_ce();
    out.reserve(bytes.len() / 4);
    for b in bytes.chunks_exact(4) {
        let v = i32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        // an arithmetic shift: days before 2000 are negative, the kind stays the low six bits
        let (days, k) = (v >> 6, (v & 63) as i16);
        let date = epoch
            .checked_add(days)
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .ok_or_else(|| StoreError::Invalid(format!("stored record date: {days} days from 2000-01-01")))?;
        if let Some(kind) = kind(k) {
            out.push(DutyRecord { kind, date });
        }
    }
    Ok(())
}

// The kind or state is the low six bits of a record's integer.
const _: () = assert!(RecordKind::ALL.len() < 64 && SourceState::ALL.len() < 64);

/// The day the statements count a record's date from (PostgreSQL's own epoch for dates).
const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// A code column, borrowed from the row: no String per value.
fn code<T: FromStr>(r: &PgRow, i: usize) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    let s: &str = r.try_get(i)?;
    s.parse().map_err(|e: T::Err| StoreError::Invalid(format!("stored value '{s}': {e}")))
}

fn opt_code<T: FromStr>(r: &PgRow, i: usize) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    let s: Option<&str> = r.try_get(i)?;
    s.map(|s| s.parse().map_err(|e: T::Err| StoreError::Invalid(format!("stored value '{s}': {e}")))).transpose()
}

/// The register a collection is, if it is one of the three source-control registers.
pub fn register_of(c: Collection) -> Option<Register> {
    c.as_str().parse().ok()
}

/// The INSERT of a record about `subject` `id` (a feature of a register, or a county) and its audit entry,
/// committed together: the writer's right to it has been checked in `tx` by the caller.
async fn append_record<K>(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    subject: &str,
    id: &str,
    kind: &str,
    rec: &NewRecord<K>,
    actor: Actor<'_>,
) -> Result<StoredRecord> {
    let sql = format!(
        "INSERT INTO duty_records (collection, feature_id, kind, date, document, result, note, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {RECORD_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(subject)
        .bind(id)
        .bind(kind)
        .bind(rec.date)
        .bind(&rec.document)
        .bind(&rec.result)
        .bind(&rec.note)
        .bind(actor.name)
        .fetch_one(&mut *tx)
        .await?;
    let out = stored(&row)?;
    audit(
        &mut tx,
        actor.name,
        "record",
        Some(subject),
        Some(id),
        None,
        serde_json::json!({"record_id": out.id, "kind": out.kind, "date": out.date, "document": out.document,
            "result": out.result, "note": out.note}),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

impl Store {
    /// Appends a record to a feature that exists now, inside the writer's counties (as every write is
    /// guarded), with its audit entry in the same transaction.
    pub async fn record_duty(
        &self,
        c: Collection,
        fid: &str,
        rec: &NewRecord,
        actor: Actor<'_>,
    ) -> Result<StoredRecord> {
        let mut tx = self.begin(super::Work::Write).await?;
        let t = super::statements::statements(c);
        let sql = format!(
            "SELECT 1 FROM {table} v WHERE v.{code} = $1 AND v.valid_to IS NULL AND v.superseded_at IS NULL FOR SHARE",
            table = t.table,
            code = t.code
        );
        sqlx::query(&sql).bind(fid).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
        super::scope::guard(&mut tx, &actor, c, fid, None).await?;
        append_record(tx, c.as_str(), fid, rec.kind.as_str(), rec, actor).await
    }

    /// Appends a record about a county (its report to the city bureau) to a county of the `counties` table
    /// inside the writer's counties, with its audit entry in the same transaction. The kind is checked by the
    /// caller against the county's duties (and by the table's CHECK).
    pub async fn record_county(
        &self,
        county_code: &str,
        rec: &NewRecord<&'static str>,
        actor: Actor<'_>,
    ) -> Result<StoredRecord> {
        let mut tx = self.begin(super::Work::Write).await?;
        sqlx::query("SELECT 1 FROM counties WHERE county_code = $1 FOR SHARE")
            .bind(county_code)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        if !crate::domain::scope::may_write(actor.counties, county_code) {
            return Err(StoreError::Forbidden(format!(
                "'{name}' 只能为 {scopes} 登记，县 {county_code} 不在其中 — '{name}' may record only for {scopes}, not for county {county_code}",
                name = actor.name,
                scopes = actor.counties,
            )));
        }
        append_record(tx, COUNTY_SUBJECT, county_code, rec.kind, rec, actor).await
    }

    /// A county's records, newest first; None if the `counties` table has no such county.
    pub async fn county_records(&self, county_code: &str) -> Result<Option<Vec<StoredRecord>>> {
        if sqlx::query("SELECT 1 FROM counties WHERE county_code = $1")
            .bind(county_code)
            .fetch_optional(&self.pool)
            .await?
            .is_none()
        {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM duty_records WHERE collection = $1 AND feature_id = $2 ORDER BY date DESC, id DESC"
        );
        let rows = sqlx::query(&sql).bind(COUNTY_SUBJECT).bind(county_code).fetch_all(&self.pool).await?;
        Ok(Some(rows.iter().map(stored).collect::<Result<_>>()?))
    }

    /// The counties (of the `counties` table) whose code starts with `prefix`, each with the dates of its
    /// quarterly reports up to `as_of`.
    pub async fn county_reports(&self, prefix: &str, as_of: NaiveDate) -> Result<Vec<CountyReports>> {
        let rows = sqlx::query(COUNTIES).bind(as_of).bind(format!("{prefix}%")).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(CountyReports { county_code: r.try_get(0)?, name: r.try_get(1)?, reports: r.try_get(2)? }))
            .collect()
    }

    /// A feature's records, newest first; None if the collection never had the feature.
    pub async fn duty_records(&self, c: Collection, fid: &str) -> Result<Option<Vec<StoredRecord>>> {
        let t = super::statements::statements(c);
        let sql = format!("SELECT 1 FROM {table} v WHERE v.{code} = $1 LIMIT 1", table = t.table, code = t.code);
        if sqlx::query(&sql).bind(fid).fetch_optional(&self.pool).await?.is_none() {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM duty_records WHERE collection = $1 AND feature_id = $2 ORDER BY date DESC, id DESC"
        );
        let rows = sqlx::query(&sql).bind(c.as_str()).bind(fid).fetch_all(&self.pool).await?;
        Ok(Some(rows.iter().map(stored).collect::<Result<_>>()?))
    }

    /// The key units as they stood on `as_of` in the counties whose code starts with `prefix` ('' for all),
    /// each with its records dated up to `as_of`: one row per unit, its records as one bytea
    /// (src/store/sql/duties_key_units.sql says why).
    ///
    pub async fn duty_key_units(
        &self,
        prefix: &str,
        as_of: NaiveDate,
    ) -> Result<Vec<(KeySupervisedUnit, Vec<DutyRecord>)>> {
        let rows = register_query(KEY_UNITS, prefix, as_of).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let enterprise_code: &str = r.try_get(0)?;
                let enterprise_code: EnterpriseCode =
                    enterprise_code.parse().map_err(|e| StoreError::Invalid(format!("stored enterprise code: {e}")))?;
                let unit = KeySupervisedUnit {
                    enterprise_code,
                    name: r.try_get(1)?,
                    county_code: r.try_get(2)?,
                    industry: r.try_get(3)?,
                    listed_years: r.try_get(4)?,
                    list_doc: r.try_get(5)?,
                    buried_facilities: r.try_get(6)?,
                    groundwater_sensitive: r.try_get(7)?,
                    status: code(r, 8)?,
                    valid_from: r.try_get(9)?,
                };
                let mut recs = Vec::new();
                records(r, 10, &record_kind, &mut recs)?;
                Ok((unit, recs))
            })
            .collect()
    }

    /// The tailings ponds as they stood on `as_of` in the counties whose code starts with `prefix` (the
    /// level-3 share counts a whole city), each with its records dated up to `as_of`.
    pub async fn duty_ponds(&self, prefix: &str, as_of: NaiveDate) -> Result<Vec<(TailingsPond, Vec<DutyRecord>)>> {
        let rows = register_query(PONDS, prefix, as_of).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let pond = TailingsPond {
                    pond_code: r.try_get(0)?,
                    name: r.try_get(1)?,
                    county_code: r.try_get(2)?,
                    operator: r.try_get(3)?,
                    level: code(r, 4)?,
                    level_doc: r.try_get(5)?,
                    safety_class: opt_code(r, 6)?,
                    safety_rating: opt_code(r, 7)?,
                    status: code(r, 8)?,
                    valid_from: r.try_get(9)?,
                };
                let mut recs = Vec::new();
                records(r, 10, &record_kind, &mut recs)?;
                Ok((pond, recs))
            })
            .collect()
    }

    /// The pollution sources as they stood on `as_of` in the counties whose code starts with `prefix`, each
    /// with its records and its lifecycle steps (a step's record: see SourceState::record_kind) up to `as_of`.
    pub async fn duty_sources(
        &self,
        prefix: &str,
        as_of: NaiveDate,
    ) -> Result<Vec<(PollutionSource, Vec<DutyRecord>)>> {
        let states: Vec<&str> = SourceState::ALL.iter().map(|k| k.as_str()).collect();
        let rows = register_query(SOURCES, prefix, as_of).bind(states).fetch_all(&self.pool).await?;
        // a step into `listed` has no record
        let step_kind = |k: i16| SourceState::ALL.get((k as usize).wrapping_sub(1)).copied()?.record_kind();
        rows.iter()
            .map(|r| {
                let source = PollutionSource {
                    source_code: r.try_get(0)?,
                    name: r.try_get(1)?,
                    county_code: r.try_get(2)?,
                    kind: code(r, 3)?,
                    // the duties do not read the pollutants
                    pollutants: Vec::new(),
                    list: code(r, 4)?,
                    state: code(r, 5)?,
                    deadline: r.try_get(6)?,
                    plan_doc: r.try_get(7)?,
                    closed_out_doc: r.try_get(8)?,
                    valid_from: r.try_get(9)?,
                };
                let mut recs = Vec::new();
                records(r, 10, &record_kind, &mut recs)?;
                records(r, 11, &step_kind, &mut recs)?;
                Ok((source, recs))
            })
            .collect()
    }
}

/// A register statement (`KEY_UNITS`, `PONDS`, `SOURCES`) with its first binds: the day, the county prefix and the
/// record kinds' names.
///
/// Not kept prepared (`persistent(false)`): PostgreSQL plans an unnamed statement with the values bound, while a
/// kept one turns to a generic plan after five runs, and for these the generic plan (the county pattern's
/// selectivity unknown) is a merge join that sorts the records by their text id, which took the backend 69 ms of
/// CPU per answer of a city against 55 ms with plans for the values (bench/duties.sh, docs/benchmarks.md).
fn register_query(
    sql: &'static str,
    prefix: &str,
    as_of: NaiveDate,
) -> sqlx::query::Query<'static, sqlx::Postgres, sqlx::postgres::PgArguments> {
    sqlx::query(sql).persistent(false).bind(as_of).bind(format!("{prefix}%")).bind(kind_names())
}
