//! Key construction land developed and the enforcement against breaches (migration `targets`), read into
//! the domain's [`DevelopedLand`] for the key-construction-land rate. Whether the whole chain came first is
//! the parcel's state on the day it was developed (`ParcelState::risk_management_complete`), never entered.

use super::{audit, Result, Store, StoreError};
use crate::domain::indicators::Scope;
use crate::domain::key_land::{DevelopedLand, EnforcementRecord};
use crate::domain::lifecycle::ParcelState;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;

const KEY_LAND: &str = include_str!("sql/targets_key_land.sql");

/// A stored development with the parcel's state on its day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Development {
    pub id: i64,
    pub state_then: String,
    pub document: String,
    pub note: Option<String>,
    #[serde(flatten)]
    pub land: DevelopedLand,
}

fn state_complete(state: &str) -> bool {
    state.parse::<ParcelState>().is_ok_and(ParcelState::risk_management_complete)
}

impl Store {
    /// The key construction land of `scope` developed from `from` to `to`.
    pub async fn key_land(&self, scope: &Scope, from: NaiveDate, to: NaiveDate) -> Result<Vec<Development>> {
        let prefix = format!("{}%", scope.code_prefix());
        let rows = sqlx::query(KEY_LAND).bind(from).bind(to).bind(&prefix).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get(5)?;
                let enforcement: String = r.try_get(8)?;
                let enforcement: Vec<EnforcementRecord> = serde_json::from_str(&enforcement)
                    .map_err(|e| StoreError::Invalid(format!("enforcement records: {e}")))?;
                Ok(Development {
                    id: r.try_get(0)?,
                    document: r.try_get(6)?,
                    note: r.try_get(7)?,
                    land: DevelopedLand {
                        parcel_id: r.try_get(1)?,
                        county_code: r.try_get(2)?,
                        developed_on: r.try_get(3)?,
                        area_m2: r.try_get(4)?,
                        chain_complete: state_complete(&state),
                        enforcement,
                    },
                    state_then: state,
                })
            })
            .collect()
    }

    /// Records that a registered parcel was developed on a day. The parcel must be in the registry on that
    /// day (else NotFound): its state then says whether the chain came first.
    pub async fn record_development(
        &self,
        parcel_code: &str,
        developed_on: NaiveDate,
        document: &str,
        note: Option<&str>,
        actor: &str,
    ) -> Result<Development> {
        let mut tx = self.begin(super::Work::Write).await?;
        let parcel = sqlx::query(
            "SELECT county_code, area_m2, state FROM construction_parcel_versions
             WHERE parcel_code = $1 AND superseded_at IS NULL AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)",
        )
        .bind(parcel_code)
        .bind(developed_on)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let state: String = parcel.try_get(2)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO key_land_developments (parcel_code, developed_on, document, note, recorded_by)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(parcel_code)
        .bind(developed_on)
        .bind(document)
        .bind(note)
        .bind(actor)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => {
                StoreError::Conflict(format!("{parcel_code} is already recorded as developed on {developed_on}"))
            }
            other => other,
        })?;
        let chain_complete = state_complete(&state);
        audit(
            &mut tx,
            actor,
            "key_land.development",
            Some("construction_parcels"),
            Some(parcel_code),
            None,
            serde_json::json!({"id": id, "developed_on": developed_on, "document": document, "note": note,
                "state_then": state, "chain_complete": chain_complete}),
        )
        .await?;
        tx.commit().await?;
        Ok(Development {
            id,
            document: document.to_string(),
            note: note.map(str::to_string),
            land: DevelopedLand {
                parcel_id: parcel_code.to_string(),
                county_code: parcel.try_get(0)?,
                developed_on,
                area_m2: parcel.try_get(1)?,
                chain_complete,
                enforcement: Vec::new(),
            },
            state_then: state,
        })
    }

    /// Records an enforcement decision (and, if found, the correction) against a development in breach.
    /// NotFound for an unknown development; Conflict for one that was no breach.
    pub async fn record_enforcement(
        &self,
        development_id: i64,
        record: &EnforcementRecord,
        note: Option<&str>,
        actor: &str,
    ) -> Result<()> {
        let mut tx = self.begin(super::Work::Write).await?;
        let row = sqlx::query(
            "SELECT d.parcel_code, d.developed_on, v.state FROM key_land_developments d
             JOIN construction_parcel_versions v ON v.parcel_code = d.parcel_code AND v.superseded_at IS NULL
              AND v.valid_from <= d.developed_on AND (v.valid_to IS NULL OR v.valid_to > d.developed_on)
             WHERE d.id = $1",
        )
        .bind(development_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let (code, on, state): (String, NaiveDate, String) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        if state_complete(&state) {
            return Err(StoreError::Conflict(format!(
                "{code} was {state} when developed on {on}: the chain was complete, so there is no breach to enforce"
            )));
        }
        if record.decided_on < on {
            return Err(StoreError::Invalid(format!("decided_on is before the development it decides on ({on})")));
        }
        sqlx::query(
            "INSERT INTO key_land_enforcement (development_id, decision, decided_on, corrected_on, note, recorded_by)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(development_id)
        .bind(&record.decision)
        .bind(record.decided_on)
        .bind(record.corrected_on)
        .bind(note)
        .bind(actor)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor,
            "key_land.enforcement",
            Some("construction_parcels"),
            Some(&code),
            None,
            serde_json::json!({"development_id": development_id, "decision": record.decision,
                "decided_on": record.decided_on, "corrected_on": record.corrected_on, "note": note}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
