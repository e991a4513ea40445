//! Records of duties done on the source-control registers (migration `duty_records`, append-only), and the
//! registers as of a date with their records, read into the domain's types for `crate::duties`.

use super::features::Actor;
use super::{audit, Result, Store, StoreError};
use crate::domain::registry::Collection;
use crate::domain::sources::{
    DutyRecord, EnterpriseCode, KeySupervisedUnit, PollutionSource, RecordKind, Register, SourceState, TailingsPond,
};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::Row;
use std::str::FromStr;

const KEY_UNITS: &str = include_str!("sql/duties_key_units.sql");
const PONDS: &str = include_str!("sql/duties_ponds.sql");
const SOURCES: &str = include_str!("sql/duties_sources.sql");

/// A record as the client gives it, checked.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub kind: RecordKind,
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
        kind_zh: kind.parse::<RecordKind>().map(RecordKind::name_zh).unwrap_or(""),
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

/// The registers as of a date, each entity with its records up to that date.
#[derive(Debug, Clone, Default)]
pub struct Registers {
    pub key_units: Vec<(KeySupervisedUnit, Vec<DutyRecord>)>,
    pub ponds: Vec<(TailingsPond, Vec<DutyRecord>)>,
    pub sources: Vec<(PollutionSource, Vec<DutyRecord>)>,
}

fn code<T: FromStr>(r: &PgRow, i: usize) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    let s: String = r.try_get(i)?;
    s.parse().map_err(|e: T::Err| StoreError::Invalid(format!("stored value '{s}': {e}")))
}

fn opt_code<T: FromStr>(r: &PgRow, i: usize) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    let s: Option<String> = r.try_get(i)?;
    s.map(|s| s.parse().map_err(|e: T::Err| StoreError::Invalid(format!("stored value '{s}': {e}")))).transpose()
}

/// The records of columns `i` (kinds) and `i + 1` (dates). Kinds the table's CHECK allows all parse.
fn records(r: &PgRow, i: usize) -> Result<Vec<DutyRecord>> {
    let kinds: Vec<String> = r.try_get(i)?;
    let dates: Vec<NaiveDate> = r.try_get(i + 1)?;
    Ok(kinds.iter().zip(dates).filter_map(|(k, date)| k.parse().ok().map(|kind| DutyRecord { kind, date })).collect())
}

/// The register a collection is, if it is one of the three source-control registers.
pub fn register_of(c: Collection) -> Option<Register> {
    c.as_str().parse().ok()
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
        let sql = format!(
            "INSERT INTO duty_records (collection, feature_id, kind, date, document, result, note, recorded_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {RECORD_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(c.as_str())
            .bind(fid)
            .bind(rec.kind.as_str())
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
            Some(c.as_str()),
            Some(fid),
            None,
            serde_json::json!({"record_id": out.id, "kind": out.kind, "date": out.date, "document": out.document,
                "result": out.result, "note": out.note}),
        )
        .await?;
        tx.commit().await?;
        Ok(out)
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

    /// The registers named in `which` as they stood on `as_of`, in the counties whose code starts with
    /// `prefix` ('' for all), with their records dated up to `as_of`: one query per register, the three at
    /// once on their own connections (for a city of 10⁴ entities they take 20–50 ms each).
    pub async fn duty_registers(&self, which: &[Register], prefix: &str, as_of: NaiveDate) -> Result<Registers> {
        let pattern = format!("{prefix}%");
        let fetch = |register: Register, sql: &'static str| {
            let pattern = &pattern;
            async move {
                if !which.contains(&register) {
                    return Ok::<_, sqlx::Error>(Vec::new());
                }
                sqlx::query(sql).bind(as_of).bind(pattern).fetch_all(&self.pool).await
            }
        };
        let (unit_rows, pond_rows, source_rows) = tokio::try_join!(
            fetch(Register::KeySupervisedUnits, KEY_UNITS),
            fetch(Register::TailingsPonds, PONDS),
            fetch(Register::PollutionSources, SOURCES)
        )?;
        let mut out = Registers::default();
        {
            let rows = unit_rows;
            for r in &rows {
                let enterprise_code: String = r.try_get(0)?;
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
                out.key_units.push((unit, records(r, 10)?));
            }
        }
        {
            let rows = pond_rows;
            for r in &rows {
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
                out.ponds.push((pond, records(r, 10)?));
            }
        }
        {
            let rows = source_rows;
            for r in &rows {
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
                let mut recs = records(r, 10)?;
                // A lifecycle step is the record of its step, dated as the step.
                let states: Vec<String> = r.try_get(12)?;
                let dates: Vec<NaiveDate> = r.try_get(13)?;
                recs.extend(states.iter().zip(dates).filter_map(|(s, date)| {
                    s.parse::<SourceState>().ok()?.record_kind().map(|kind| DutyRecord { kind, date })
                }));
                out.sources.push((source, recs));
            }
        }
        Ok(out)
    }
}
