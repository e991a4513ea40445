//! The measures ledger of farmland units (migrations/20261205184001_measures.sql): entries recorded and
//! withdrawn, each write checked against the writer's counties and audited in its own transaction. What the
//! safe-utilisation rate reads from it is in checks.rs and series.rs (sql/indicators_farmland.sql,
//! sql/series_farmland.sql).

use super::features::Actor;
use super::{audit, Result, Store, StoreError};
use crate::domain::measures::{MeasureError, MeasureGroup, MeasureKind, MeasuresRequest};
use crate::domain::registry::Collection;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

const LEDGER_ENTRIES: &str = include_str!("sql/ledger_entries.sql");

/// Why a ledger write or read was refused; the HTTP layer maps each once (src/http/error.rs).
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Measure(#[from] MeasureError),
    #[error("no farmland unit '{0}' is registered now")]
    UnknownUnit(String),
    #[error("farmland unit '{unit}' has no ledger entry {id}")]
    UnknownEntry { unit: String, id: i64 },
    #[error("ledger entry {id} was already withdrawn on {at}")]
    AlreadyWithdrawn { id: i64, at: DateTime<Utc> },
    #[error("a withdrawal needs its reason")]
    NoReason,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for LedgerError {
    fn from(e: sqlx::Error) -> Self {
        LedgerError::Store(e.into())
    }
}

/// One line of the ledger as `GET .../measures` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerEntry {
    pub id: i64,
    pub unit_code: String,
    pub year: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub season: Option<i16>,
    pub kind: String,
    pub kind_zh: &'static str,
    pub group: Option<MeasureGroup>,
    pub area_m2: f64,
    pub area_mu: f64,
    pub document: String,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<String>,
    pub withdrawn_reason: Option<String>,
}

fn entry(r: &sqlx::postgres::PgRow) -> Result<LedgerEntry> {
    let kind: String = r.try_get("kind")?;
    let parsed = kind.parse::<MeasureKind>().ok();
    let area_m2: f64 = r.try_get("area_m2")?;
    Ok(LedgerEntry {
        id: r.try_get("id")?,
        unit_code: r.try_get("unit_code")?,
        year: r.try_get("year")?,
        season: r.try_get("season")?,
        kind_zh: parsed.map_or("", MeasureKind::name_zh),
        group: parsed.map(MeasureKind::group),
        kind,
        area_m2,
        area_mu: (area_m2 / crate::domain::geometry::M2_PER_MU * 100.0).round() / 100.0,
        document: r.try_get("document")?,
        note: r.try_get("note")?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: r.try_get("recorded_at")?,
        withdrawn_at: r.try_get("withdrawn_at")?,
        withdrawn_by: r.try_get("withdrawn_by")?,
        withdrawn_reason: r.try_get("withdrawn_reason")?,
    })
}

impl Store {
    /// Records the measures of one request in one transaction with one audit entry: all or none. The unit must
    /// be registered now and in the writer's counties, and no measure may cover more than it.
    pub async fn record_measures(
        &self,
        unit_code: &str,
        req: &MeasuresRequest,
        actor: Actor<'_>,
    ) -> std::result::Result<Vec<LedgerEntry>, LedgerError> {
        let Some(first) = req.measures.first() else {
            return Err(MeasureError::Body("measures is required: a non-empty list".into()).into());
        };
        let mut tx = self.begin(super::Work::Write).await?;
        // FOR SHARE: the unit's area the measures are checked against cannot change before they are stored.
        let area: Option<f64> = sqlx::query_scalar(
            "SELECT area_m2 FROM farmland_unit_versions WHERE unit_code = $1 AND superseded_at IS NULL AND valid_to IS NULL FOR SHARE",
        )
        .bind(unit_code)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(area) = area else { return Err(LedgerError::UnknownUnit(unit_code.to_string())) };
        super::scope::guard(&mut tx, &actor, Collection::FarmlandUnits, unit_code, None).await?;
        for m in &req.measures {
            m.validate_on(area)?;
        }
        let mut ids = Vec::with_capacity(req.measures.len());
        for (m, note) in req.measures.iter().zip(&req.notes) {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO farmland_measures (unit_code, year, season, kind, area_m2, document, note, recorded_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(unit_code)
            .bind(m.period.year)
            .bind(m.period.season.map(i16::from))
            .bind(m.kind.as_str())
            .bind(m.area_m2)
            .bind(&m.document)
            .bind(note)
            .bind(actor.name)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(id);
        }
        audit(
            &mut tx,
            actor.name,
            "measures",
            Some(Collection::FarmlandUnits.as_str()),
            Some(unit_code),
            None,
            serde_json::json!({"ids": ids, "year": first.period.year, "season": first.period.season,
                "document": first.document,
                "measures": req.measures.iter().zip(&req.notes)
                    .map(|(m, n)| serde_json::json!({"kind": m.kind, "area_m2": m.area_m2, "note": n}))
                    .collect::<Vec<_>>()}),
        )
        .await?;
        let rows = sqlx::query(LEDGER_ENTRIES).bind(unit_code).bind(&ids).fetch_all(&mut *tx).await?;
        let entries = rows.iter().map(entry).collect::<Result<Vec<_>>>()?;
        tx.commit().await?;
        Ok(entries)
    }

    /// Every entry of a unit's ledger, withdrawn ones included, newest year first; `None` when the unit was
    /// never registered.
    pub async fn ledger(&self, unit_code: &str) -> std::result::Result<Option<Vec<LedgerEntry>>, LedgerError> {
        let known: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM farmland_unit_versions WHERE unit_code = $1)")
                .bind(unit_code)
                .fetch_one(&self.pool)
                .await?;
        if !known {
            return Ok(None);
        }
        let rows = sqlx::query(LEDGER_ENTRIES).bind(unit_code).bind(None::<Vec<i64>>).fetch_all(&self.pool).await?;
        Ok(Some(rows.iter().map(entry).collect::<Result<Vec<_>>>()?))
    }

    /// Withdraws one entry (it stays in the ledger, struck through, and no longer counts), with the reason.
    pub async fn withdraw_measure(
        &self,
        unit_code: &str,
        id: i64,
        reason: &str,
        actor: Actor<'_>,
    ) -> std::result::Result<LedgerEntry, LedgerError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(LedgerError::NoReason);
        }
        let mut tx = self.begin(super::Work::Write).await?;
        let row = sqlx::query("SELECT withdrawn_at FROM farmland_measures WHERE id = $1 AND unit_code = $2 FOR UPDATE")
            .bind(id)
            .bind(unit_code)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else { return Err(LedgerError::UnknownEntry { unit: unit_code.to_string(), id }) };
        if let Some(at) = row.try_get::<Option<DateTime<Utc>>, _>(0)? {
            return Err(LedgerError::AlreadyWithdrawn { id, at });
        }
        super::scope::guard(&mut tx, &actor, Collection::FarmlandUnits, unit_code, None).await?;
        sqlx::query(
            "UPDATE farmland_measures SET withdrawn_at = clock_timestamp(), withdrawn_by = $2, withdrawn_reason = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(actor.name)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor.name,
            "withdraw_measure",
            Some(Collection::FarmlandUnits.as_str()),
            Some(unit_code),
            None,
            serde_json::json!({"id": id, "reason": reason}),
        )
        .await?;
        let row = sqlx::query(LEDGER_ENTRIES).bind(unit_code).bind(vec![id]).fetch_one(&mut *tx).await?;
        let e = entry(&row)?;
        tx.commit().await?;
        Ok(e)
    }
}

/// The kinds of safe-use measures, as the SQL that sorts a ledger's measures into the rate's two groups binds them.
pub(super) fn safe_use_kinds() -> Vec<&'static str> {
    MeasureKind::ALL.into_iter().filter(|k| k.group() == MeasureGroup::SafeUse).map(MeasureKind::as_str).collect()
}
