//! Class adjustment batches (docs/adjustment.md): computed from the samples inside each unit, reviewed,
//! submitted, and approved as new unit versions through the versioned write path (`features::replace_in`),
//! or rejected.

use super::features::{etag_of, replace_in, Actor, Replaced};
use super::{audit, Result, Store, StoreError, Work};
use crate::conditional::Precondition;
use crate::domain::adjustment::{
    direction, propose, summarise, AdjustmentSettings, CropSampleIn, Evidence, Outcome, Proposal, SoilSampleIn,
    UnitInput,
};
use crate::domain::crops::{judge, CropLimits, CropSample, Metal};
use crate::domain::farmland::FarmlandClass;
use crate::domain::indicators::{Scope, Targets};
use crate::domain::measures::{Cover, Period};
use crate::domain::registry::{check_feature, Collection, FeatureLimits};
use crate::domain::scope::may_write;
use crate::domain::soil::{grade, Pollutant, Sample, SoilUse};
use chrono::{Datelike, NaiveDate};
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use sqlx::{PgConnection, Row};
use std::str::FromStr;

const UNITS: &str = include_str!("sql/adjustment_units.sql");
const INSERT_PROPOSALS: &str = include_str!("sql/adjustment_proposals_insert.sql");
const SUMMARY_ROWS: &str = include_str!("sql/adjustment_summary_rows.sql");
const STALE: &str = include_str!("sql/adjustment_stale.sql");
const PROPOSALS_PAGE: &str = include_str!("sql/adjustment_proposals_page.sql");

/// The batch as the API shows it, to which a WHERE clause is appended.
const BATCH_DOC: &str = include_str!("sql/adjustment_batch.sql");

/// Proposals are written this many to a statement.
const CHUNK: usize = 5_000;

/// What starts a batch (`trigger`).
pub const TRIGGERS: [&str; 4] = ["monitoring", "denser_sampling", "boundaries", "land_use_change"];

/// A batch as requested.
#[derive(Debug, Clone)]
pub struct NewBatch {
    pub county_code: String,
    /// Only these units of the county; all its current units when None.
    pub unit_codes: Option<Vec<String>>,
    pub as_of: NaiveDate,
    pub trigger: String,
    pub note: Option<String>,
}

/// The outcome of an approval that was refused because units changed since the batch was computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    Applied(String),
    /// The codes of the units whose current version is not the one their proposal was computed from.
    Stale(Vec<String>),
}

/// A sample's season, for the move-down rule: the quarter of the year it was taken in (early rice is
/// harvested in July, late rice in October or November, so the two crops of a year are two seasons).
fn period(d: NaiveDate) -> Period {
    Period { year: d.year(), season: Some(d.month0() as u8 / 3 + 1) }
}

type SoilRow = (String, NaiveDate, String, f64, [Option<f64>; 8]);
type CropRow = (String, NaiveDate, String, [Option<f64>; 5]);

fn soil_samples(json: &str, unit: &str) -> Result<Vec<SoilSampleIn>> {
    let rows: Vec<Value> = serde_json::from_str(json).map_err(|e| bad_row(unit, e))?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (code, on, land, ph, values): SoilRow = soil_row(&r).ok_or_else(|| bad_row(unit, &r))?;
        let concentrations = Pollutant::ALL.into_iter().zip(values).filter_map(|(p, v)| v.map(|x| (p, x))).collect();
        let Ok(land) = SoilUse::from_str(&land) else { return Err(bad_row(unit, &r)) };
        // Every stored sample was graded when it was written; one that no longer grades (a grading rule
        // changed since) is left out of the evidence rather than stopping the batch.
        match grade(&Sample { ph, land, concentrations }) {
            Ok(grading) => out.push(SoilSampleIn { sample_code: code, period: period(on), grading }),
            Err(e) => tracing::warn!(sample = %code, error = %e, "soil sample left out of an adjustment batch"),
        }
    }
    Ok(out)
}

fn soil_row(r: &Value) -> Option<SoilRow> {
    let a = r.as_array()?;
    let text = |i: usize| a.get(i)?.as_str().map(str::to_string);
    let on = NaiveDate::parse_from_str(a.get(1)?.as_str()?, "%Y-%m-%d").ok()?;
    let mut values = [None; 8];
    for (i, v) in values.iter_mut().enumerate() {
        *v = a.get(4 + i)?.as_f64();
    }
    Some((text(0)?, on, text(2)?, a.get(3)?.as_f64()?, values))
}

fn crop_samples(json: &str, unit: &str, limits: &CropLimits) -> Result<Vec<CropSampleIn>> {
    let rows: Vec<Value> = serde_json::from_str(json).map_err(|e| bad_row(unit, e))?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (code, on, crop, values): CropRow = crop_row(&r).ok_or_else(|| bad_row(unit, &r))?;
        let metals = [Metal::Cd, Metal::Pb, Metal::AsInorganic, Metal::Hg, Metal::Cr];
        let concentrations = metals.into_iter().zip(values).filter_map(|(m, v)| v.map(|x| (m, x))).collect();
        match judge(&CropSample { crop, concentrations }, limits) {
            Ok(judgement) => out.push(CropSampleIn { sample_code: code, period: period(on), judgement }),
            Err(e) => tracing::warn!(sample = %code, error = %e, "crop sample left out of an adjustment batch"),
        }
    }
    Ok(out)
}

fn crop_row(r: &Value) -> Option<CropRow> {
    let a = r.as_array()?;
    let text = |i: usize| a.get(i)?.as_str().map(str::to_string);
    let on = NaiveDate::parse_from_str(a.get(1)?.as_str()?, "%Y-%m-%d").ok()?;
    let mut values = [None; 5];
    for (i, v) in values.iter_mut().enumerate() {
        *v = a.get(3 + i)?.as_f64();
    }
    Some((text(0)?, on, text(2)?, values))
}

fn bad_row(unit: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!("the samples of unit {unit} came back malformed: {e}")))
}

fn class(s: &str) -> Result<FarmlandClass> {
    FarmlandClass::from_str(s).map_err(|e| StoreError::Database(sqlx::Error::Protocol(e.to_string())))
}

/// A value of a serde enum as the text it serialises to (`moved`, `up`, ...).
fn word<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn parse_word<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(json!(s)).ok()
}

/// The proposals computed so far, one vector per column of adjustment_proposals.
#[derive(Default)]
struct Columns {
    unit_code: Vec<String>,
    unit_version_id: Vec<i64>,
    current_class: Vec<String>,
    proposed_class: Vec<String>,
    direction: Vec<String>,
    outcome: Vec<String>,
    denser_sampling: Vec<bool>,
    evidence: Vec<String>,
    reason_zh: Vec<String>,
    reason_en: Vec<String>,
}

impl Columns {
    fn push(&mut self, version_id: i64, p: Proposal) -> Result<()> {
        self.evidence.push(serde_json::to_string(&p.evidence).map_err(|e| bad_row(&p.unit_code, e))?);
        self.unit_version_id.push(version_id);
        self.current_class.push(p.current_class.as_str().to_string());
        self.proposed_class.push(p.proposed_class.as_str().to_string());
        self.direction.push(word(p.direction));
        self.outcome.push(word(p.outcome));
        self.denser_sampling.push(p.denser_sampling);
        self.reason_zh.push(p.reason_zh);
        self.reason_en.push(p.reason_en);
        self.unit_code.push(p.unit_code);
        Ok(())
    }

    async fn write(&mut self, conn: &mut PgConnection, batch: i64) -> Result<()> {
        if self.unit_code.is_empty() {
            return Ok(());
        }
        sqlx::query(INSERT_PROPOSALS)
            .bind(batch)
            .bind(&self.unit_code)
            .bind(&self.unit_version_id)
            .bind(&self.current_class)
            .bind(&self.proposed_class)
            .bind(&self.direction)
            .bind(&self.outcome)
            .bind(&self.denser_sampling)
            .bind(&self.evidence)
            .bind(&self.reason_zh)
            .bind(&self.reason_en)
            .execute(conn)
            .await?;
        *self = Columns::default();
        Ok(())
    }
}

fn out_of_scope(actor: &Actor<'_>, county: &str) -> StoreError {
    StoreError::Forbidden(format!(
        "'{name}' 只能处理 {scopes} 的调整批次，该批次属于 {county} — '{name}' may act only on batches in {scopes}; this batch is in county {county}",
        name = actor.name,
        scopes = actor.counties,
    ))
}

fn state_zh(state: &str) -> &'static str {
    match state {
        "draft" => "草稿",
        "submitted" => "已提交",
        "approved" => "已批准",
        "rejected" => "已驳回",
        _ => "未知",
    }
}

/// A step the batch's state does not allow, said in Chinese and English.
fn wrong_state(id: i64, state: &str, step_zh: &str, step_en: &str, needs: &str) -> StoreError {
    let again = if state == "approved" && step_en == "approve" {
        "；已批准的批次不会再次执行 — an approved batch is never applied twice"
    } else {
        ""
    };
    StoreError::Conflict(format!(
        "批次 {id} 的状态是{}（{state}），不能{step_zh}：只有{}状态的批次可以{step_zh}{again} — batch {id} is {state}; only a {needs} batch can be {step_en}d",
        state_zh(state),
        state_zh(needs),
    ))
}

/// The batch row, locked for a state change, and its county checked against the actor's.
async fn lock_batch(conn: &mut PgConnection, id: i64, actor: &Actor<'_>) -> Result<(String, String)> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT state, county_code FROM adjustment_batches WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let (state, county) = row.ok_or(StoreError::NotFound)?;
    if !may_write(actor.counties, &county) {
        return Err(out_of_scope(actor, &county));
    }
    Ok((state, county))
}

async fn batch_doc(conn: &mut PgConnection, id: i64) -> Result<String> {
    Ok(sqlx::query_scalar(&format!("{BATCH_DOC} WHERE id = $1")).bind(id).fetch_one(conn).await?)
}

/// The batch's summary over its proposals, each with its override applied, as stored in the batch; the rates
/// count each unit's measures ledger for the batch's year where it has entries, as `GET /indicators` does.
async fn summary(conn: &mut PgConnection, id: i64, county: &str, targets: &Targets) -> Result<Value> {
    let rows = sqlx::query(SUMMARY_ROWS).bind(id).bind(super::measures::safe_use_kinds()).fetch_all(&mut *conn).await?;
    let mut pairs = Vec::with_capacity(rows.len());
    let mut overridden = 0u64;
    for r in rows {
        let current = class(r.try_get("current_class")?)?;
        let over: Option<String> = r.try_get("override_class")?;
        let proposed = match &over {
            Some(o) => {
                overridden += 1;
                class(o)?
            }
            None => class(r.try_get("proposed_class")?)?,
        };
        let unit = UnitInput {
            unit_code: r.try_get("unit_code")?,
            county_code: r.try_get("county_code")?,
            class: current,
            area_m2: r.try_get("area_m2")?,
            measures_in_place: r.try_get("measures_in_place")?,
            crops_compliant: r.try_get("crops_compliant")?,
        };
        let (safe_use_m2, strict_m2): (Option<f64>, Option<f64>) = (r.try_get("safe_use_m2")?, r.try_get("strict_m2")?);
        let cover = safe_use_m2.zip(strict_m2).map(|(safe_use_m2, strict_m2)| Cover { safe_use_m2, strict_m2 });
        let outcome: String = r.try_get("outcome")?;
        let proposal = Proposal {
            unit_code: unit.unit_code.clone(),
            current_class: current,
            proposed_class: proposed,
            direction: direction(current, proposed),
            outcome: parse_word(&outcome).unwrap_or(Outcome::Confirmed),
            denser_sampling: r.try_get("denser_sampling")?,
            evidence: Evidence {
                soil: Vec::new(),
                crops: Vec::new(),
                grade: None,
                crop_finding: None,
                table_class: None,
                clean_seasons: 0,
            },
            reason_zh: String::new(),
            reason_en: String::new(),
        };
        pairs.push((unit, proposal, cover));
    }
    let s = summarise(Scope::County(county.to_string()), targets, pairs.iter().map(|(u, p, c)| (u, p, *c)));
    let mut v = serde_json::to_value(&s).map_err(|e| bad_row(county, e))?;
    if let Some(o) = v.as_object_mut() {
        o.insert("overridden".into(), json!(overridden));
        o.insert("changed".into(), json!(s.changes.iter().map(|c| c.units).sum::<u64>()));
    }
    Ok(v)
}

impl Store {
    /// Computes a draft batch: the units and their samples in one statement, the method per unit in Rust,
    /// the proposals written in chunks, the summary stored; all in one transaction.
    pub async fn create_adjustment(
        &self,
        b: &NewBatch,
        settings: &AdjustmentSettings,
        limits: &CropLimits,
        targets: &Targets,
        actor: &Actor<'_>,
    ) -> Result<String> {
        if !may_write(actor.counties, &b.county_code) {
            return Err(out_of_scope(actor, &b.county_code));
        }
        // A batch over a whole county reads every unit and sample in it: the pulls' time limit, not a write's.
        let mut tx = self.begin(Work::Pull).await?;
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM collection_changes WHERE collection = 'farmland_units'")
            .fetch_one(&mut *tx)
            .await?;
        let settings_json = serde_json::to_value(settings).map_err(|e| bad_row("-", e))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO adjustment_batches (county_code, unit_codes, as_of, trigger, note, settings, summary, farmland_seq, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, '{}', $7, $8) RETURNING id",
        )
        .bind(&b.county_code)
        .bind(&b.unit_codes)
        .bind(b.as_of)
        .bind(&b.trigger)
        .bind(&b.note)
        .bind(&settings_json)
        .bind(seq)
        .bind(actor.name)
        .fetch_one(&mut *tx)
        .await?;

        let mut columns = Columns::default();
        let mut chunks: Vec<Columns> = Vec::new();
        let mut found = 0usize;
        {
            let mut rows = sqlx::query(UNITS).bind(&b.county_code).bind(&b.unit_codes).bind(b.as_of).fetch(&mut *tx);
            while let Some(r) = rows.try_next().await? {
                let code: String = r.try_get("unit_code")?;
                let unit = UnitInput {
                    county_code: r.try_get("county_code")?,
                    class: class(r.try_get("class")?)?,
                    area_m2: r.try_get("area_m2")?,
                    measures_in_place: r.try_get("measures_in_place")?,
                    crops_compliant: r.try_get("crops_compliant")?,
                    unit_code: code,
                };
                let soil = soil_samples(r.try_get("soil")?, &unit.unit_code)?;
                let crops = crop_samples(r.try_get("crops")?, &unit.unit_code, limits)?;
                columns.push(r.try_get("version_id")?, propose(&unit, &soil, &crops, settings))?;
                found += 1;
                if columns.unit_code.len() == CHUNK {
                    chunks.push(std::mem::take(&mut columns));
                }
            }
        }
        chunks.push(columns);
        for mut c in chunks {
            c.write(&mut tx, id).await?;
        }
        if let Some(asked) = &b.unit_codes {
            if found < asked.len() {
                let have: Vec<String> =
                    sqlx::query_scalar("SELECT unit_code FROM adjustment_proposals WHERE batch_id = $1")
                        .bind(id)
                        .fetch_all(&mut *tx)
                        .await?;
                let missing: Vec<&str> =
                    asked.iter().map(String::as_str).filter(|c| !have.iter().any(|h| h == c)).collect();
                return Err(StoreError::Invalid(format!(
                    "这些单元不是 {county} 的现行类别单元：{list} — not current farmland units of county {county}: {list}",
                    county = b.county_code,
                    list = missing.join(", ")
                )));
            }
        }
        let sum = summary(&mut tx, id, &b.county_code, targets).await?;
        sqlx::query("UPDATE adjustment_batches SET summary = $2 WHERE id = $1")
            .bind(id)
            .bind(&sum)
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, actor.name, "adjustment_create", None, None, None, json!({"batch": id, "units": found})).await?;
        let doc = batch_doc(&mut tx, id).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// Every batch, newest first (of the county or city `prefix` when given).
    pub async fn adjustments(&self, prefix: Option<&str>, state: Option<&str>) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(&format!(
            "{BATCH_DOC} WHERE ($1::text IS NULL OR starts_with(county_code, $1)) AND ($2::text IS NULL OR state = $2) ORDER BY id DESC"
        ))
        .bind(prefix)
        .bind(state)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn adjustment(&self, id: i64) -> Result<String> {
        let mut conn = self.pool.acquire().await?;
        batch_doc(&mut conn, id).await
    }

    /// A page of the batch's proposals as a GeoJSON FeatureCollection's features, and the number matched.
    pub async fn adjustment_proposals(
        &self,
        id: i64,
        changed: Option<bool>,
        limit: i64,
        offset: i64,
    ) -> Result<(String, i64)> {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM adjustment_batches WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        exists.ok_or(StoreError::NotFound)?;
        let mut conn = self.limited(Work::Pull).await?;
        let row: (String, i64) = sqlx::query_as(PROPOSALS_PAGE)
            .bind(id)
            .bind(changed)
            .bind(limit)
            .bind(offset)
            .fetch_one(conn.conn())
            .await?;
        conn.finish().await?;
        Ok(row)
    }

    /// A reviewer's override of one proposal (`class` None removes it), allowed while the batch is in one of
    /// `states`; the batch's summary follows. Returns the batch.
    #[allow(clippy::too_many_arguments)]
    pub async fn override_proposal(
        &self,
        id: i64,
        unit_code: &str,
        class: Option<FarmlandClass>,
        reason: Option<&str>,
        states: &[&str],
        targets: &Targets,
        actor: &Actor<'_>,
    ) -> Result<String> {
        let mut tx = self.begin(Work::Write).await?;
        let (state, county) = lock_batch(&mut tx, id, actor).await?;
        if !states.contains(&state.as_str()) {
            let needs = states.first().copied().unwrap_or("draft");
            return Err(wrong_state(id, &state, "修改建议", "override", needs));
        }
        let n = sqlx::query(
            "UPDATE adjustment_proposals SET override_class = $3, override_reason = $4, override_by = $5,
                 override_at = CASE WHEN $3::text IS NULL THEN NULL ELSE clock_timestamp() END
             WHERE batch_id = $1 AND unit_code = $2",
        )
        .bind(id)
        .bind(unit_code)
        .bind(class.map(FarmlandClass::as_str))
        .bind(class.and(reason))
        .bind(class.map(|_| actor.name))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let sum = summary(&mut tx, id, &county, targets).await?;
        sqlx::query("UPDATE adjustment_batches SET summary = $2 WHERE id = $1")
            .bind(id)
            .bind(&sum)
            .execute(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor.name,
            "adjustment_override",
            None,
            Some(unit_code),
            None,
            json!({"batch": id, "class": class.map(FarmlandClass::as_str), "reason": reason}),
        )
        .await?;
        let doc = batch_doc(&mut tx, id).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// draft → submitted.
    pub async fn submit_adjustment(&self, id: i64, actor: &Actor<'_>) -> Result<String> {
        let mut tx = self.begin(Work::Write).await?;
        let (state, _) = lock_batch(&mut tx, id, actor).await?;
        if state != "draft" {
            return Err(wrong_state(id, &state, "提交", "submit", "draft"));
        }
        sqlx::query(
            "UPDATE adjustment_batches SET state = 'submitted', submitted_by = $2, submitted_at = clock_timestamp() WHERE id = $1",
        )
        .bind(id)
        .bind(actor.name)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, actor.name, "adjustment_submit", None, None, None, json!({"batch": id})).await?;
        let doc = batch_doc(&mut tx, id).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// submitted → rejected.
    pub async fn reject_adjustment(&self, id: i64, reason: &str, actor: &Actor<'_>) -> Result<String> {
        let mut tx = self.begin(Work::Write).await?;
        let (state, _) = lock_batch(&mut tx, id, actor).await?;
        if state != "submitted" {
            return Err(wrong_state(id, &state, "驳回", "reject", "submitted"));
        }
        sqlx::query(
            "UPDATE adjustment_batches SET state = 'rejected', decided_by = $2, decided_at = clock_timestamp(), reject_reason = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(actor.name)
        .bind(reason)
        .execute(&mut *tx)
        .await?;
        audit(&mut tx, actor.name, "adjustment_reject", None, None, None, json!({"batch": id, "reason": reason}))
            .await?;
        let doc = batch_doc(&mut tx, id).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// submitted → approved: every change (the proposed or overridden class differs from the current one)
    /// becomes a new version of its unit, valid from `effective_from`, all in this one transaction with one
    /// audit entry per unit. Refused whole when any unit of the batch changed since it was computed.
    pub async fn approve_adjustment(
        &self,
        id: i64,
        document: &str,
        effective_from: NaiveDate,
        today: NaiveDate,
        limits: FeatureLimits,
        actor: &Actor<'_>,
    ) -> Result<Approval> {
        let mut tx = self.begin(Work::Write).await?;
        let (state, _) = lock_batch(&mut tx, id, actor).await?;
        if state != "submitted" {
            return Err(wrong_state(id, &state, "批准", "approve", "submitted"));
        }
        let stale: Vec<String> = sqlx::query_scalar(STALE).bind(id).fetch_all(&mut *tx).await?;
        if !stale.is_empty() {
            return Ok(Approval::Stale(stale));
        }
        let changes: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT unit_code, unit_version_id, coalesce(override_class, proposed_class) FROM adjustment_proposals
             WHERE batch_id = $1 AND coalesce(override_class, proposed_class) <> current_class ORDER BY unit_code",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let collection = Collection::FarmlandUnits;
        for (code, version, to) in &changes {
            let current = Store::feature_in(&mut tx, collection, *version).await?;
            let mut feature: Value = serde_json::from_str(&current.json).map_err(|e| bad_row(code, e))?;
            let props = &mut feature["properties"];
            props["class"] = json!(to);
            props["valid_from"] = json!(effective_from);
            props["basis_doc"] = json!(document);
            // Measures in place were measures for the old class (docs/adjustment.md): the batch's "after" rate
            // counts the unit without them, and so does the register from the effective date.
            props["measures_in_place"] = json!(false);
            let checked = check_feature(collection, &feature, today, limits.clone()).map_err(|problems| {
                StoreError::Invalid(format!(
                    "单元 {code} 的新版本未通过检查 — the new version of unit {code} was refused: {}",
                    problems.iter().map(|p| format!("{} {}", p.pointer, p.detail)).collect::<Vec<_>>().join("; ")
                ))
            })?;
            let precondition = Precondition::exactly(&etag_of(*version));
            let mut detail = serde_json::Map::new();
            detail.insert("batch".into(), json!(id));
            detail.insert("document".into(), json!(document));
            match replace_in(&mut tx, collection, code, &checked, Some(&precondition), actor, "adjustment", detail)
                .await
            {
                Ok(Replaced::New(_)) => {}
                Ok(Replaced::Unchanged(_)) => {
                    return Err(StoreError::Conflict(format!(
                        "单元 {code} 的类别已是 {to} — unit {code} already has class {to}"
                    )))
                }
                // A write that slipped in after the check above.
                Err(StoreError::PreconditionFailed { .. }) => return Ok(Approval::Stale(vec![code.clone()])),
                Err(StoreError::Conflict(d)) => {
                    return Err(StoreError::Conflict(format!(
                    "单元 {code} 不能自 {effective_from} 起调整 — unit {code} cannot change from {effective_from}: {d}"
                )))
                }
                Err(e) => return Err(e),
            }
        }
        sqlx::query(
            "UPDATE adjustment_batches SET state = 'approved', decided_by = $2, decided_at = clock_timestamp(),
                 document = $3, effective_from = $4, applied_units = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(actor.name)
        .bind(document)
        .bind(effective_from)
        .bind(changes.len() as i32)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor.name,
            "adjustment_approve",
            None,
            None,
            None,
            json!({"batch": id, "document": document, "effective_from": effective_from, "units": changes.len()}),
        )
        .await?;
        let doc = batch_doc(&mut tx, id).await?;
        tx.commit().await?;
        Ok(Approval::Applied(doc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::adjustment::Direction;

    #[test]
    fn a_sample_season_is_its_quarter() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let table = [(d(1, 1), 1), (d(3, 31), 1), (d(4, 1), 2), (d(7, 20), 3), (d(10, 25), 4), (d(12, 31), 4)];
        for (on, season) in table {
            assert_eq!(period(on), Period { year: 2026, season: Some(season) }, "{on}");
        }
    }

    #[test]
    fn sample_rows_are_read_as_the_statement_writes_them() {
        let soil = r#"[["S-1","2026-07-01","paddy",6.0,5.0,null,null,50,null,null,null,null]]"#;
        let s = soil_samples(soil, "U").unwrap();
        assert_eq!((s[0].sample_code.as_str(), s[0].grading.grade), ("S-1", crate::domain::farmland::SoilGrade::C));
        let crops = r#"[["C-1","2026-10-01","rice",0.5,null,null,null,null]]"#;
        let c = crop_samples(crops, "U", &CropLimits::default()).unwrap();
        assert_eq!(c[0].judgement.worst_metal, Some(Metal::Cd));
        assert_eq!(c[0].period, Period { year: 2026, season: Some(4) });
        assert!(soil_samples(r#"[["S-1"]]"#, "U").is_err());
        assert_eq!(word(Direction::Up), "up");
        assert_eq!(parse_word::<Outcome>("too_few_samples"), Some(Outcome::TooFewSamples));
    }
}
