//! Receipts of access-rule checks: the facts a check reads together with where it lies and what data it
//! was read from, the answers kept as sent (append-only), and the county outlines that say where the
//! registry holds land.

use super::{Result, Store, StoreError};
use crate::domain::rules::SpatialFacts;
use chrono::NaiveDate;
use futures_util::future::{BoxFuture, FutureExt, Shared};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

/// check_facts.sql inside the receipt statement: the facts and the receipt come from one snapshot, in one
/// round trip. Its parameters are check_facts.sql's, bound in the same order.
static RECEIPT_FACTS: LazyLock<String> = LazyLock::new(|| {
    let facts = include_str!("sql/check_facts.sql").trim_end().trim_end_matches(';');
    include_str!("sql/check_receipt_facts.sql").replace("{check_facts}", facts)
});

const INSERT_ANSWER: &str = "INSERT INTO check_answers (id, kind, answer, asked_by) VALUES ($1, $2, $3, $4)";
const INSERT_ANSWERS: &str =
    "INSERT INTO check_answers (id, kind, answer, asked_by) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])";

/// An answer to keep.
#[derive(Debug, Clone)]
pub struct KeptAnswer {
    pub id: String,
    pub kind: String,
    pub answer: String,
    pub asked_by: Option<String>,
}

/// The answers of concurrent checks, kept like a group commit: at most one INSERT is in flight, and the
/// answers arriving meanwhile go together in the next one, sent once the one in flight has committed.
/// Every check waits for the commit of its own answer, so none is sent unkept; under load many answers
/// share one statement and one commit instead of paying a round trip and a WAL flush each
/// (bench/checks.sh). Alone, an answer goes at once, in a statement of its own.
#[derive(Clone, Default)]
pub struct AnswerBatches {
    inner: Arc<Mutex<Slots>>,
    ids: Arc<AtomicU64>,
}

/// `false` when the batch failed: each of its answers is then kept on its own, to get its own error.
type Batch = Shared<BoxFuture<'static, bool>>;

#[derive(Default)]
struct Slots {
    /// Sent (or about to be): not to be joined.
    in_flight: Option<(u64, Batch)>,
    /// Not sent yet: answers join it.
    next: Option<(u64, Batch, Vec<KeptAnswer>)>,
}

impl AnswerBatches {
    fn lock(&self) -> MutexGuard<'_, Slots> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps `a` on `store` (the primary), returning once it is committed.
    pub async fn keep(&self, store: &Store, a: &KeptAnswer) -> Result<()> {
        let batch = {
            let mut slots = self.lock();
            match &mut slots.next {
                Some((_, batch, rows)) => {
                    rows.push(a.clone());
                    batch.clone()
                }
                None => {
                    let id = self.ids.fetch_add(1, Ordering::Relaxed);
                    let before = slots.in_flight.as_ref().map(|(_, b)| b.clone());
                    let this = self.clone();
                    let store = store.clone();
                    let batch = async move {
                        if let Some(before) = before {
                            before.await;
                        }
                        // From here on the batch is in flight: later answers make the next one.
                        let rows = {
                            let mut slots = this.lock();
                            match slots.next.take() {
                                Some((i, b, rows)) if i == id => {
                                    slots.in_flight = Some((i, b));
                                    Some(rows)
                                }
                                other => {
                                    slots.next = other;
                                    None
                                }
                            }
                        };
                        // (no rows: not this batch's slot, which cannot happen; its answers then go alone)
                        let ok = match rows {
                            Some(rows) => store.keep_answers(&rows).await.is_ok(),
                            None => false,
                        };
                        let mut slots = this.lock();
                        if slots.in_flight.as_ref().is_some_and(|(i, _)| *i == id) {
                            slots.in_flight = None;
                        }
                        ok
                    }
                    .boxed()
                    .shared();
                    slots.next = Some((id, batch.clone(), vec![a.clone()]));
                    batch
                }
            }
        };
        if batch.await {
            Ok(())
        } else {
            store.keep_answer(&a.id, &a.kind, &a.answer, a.asked_by.as_deref()).await
        }
    }
}

/// Where a check's query lies.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Location {
    /// A point inside the query (GeoJSON Point, lon/lat).
    pub point: Value,
    /// The county outlines it touches, by code.
    pub counties: Vec<County>,
    /// False when the registry has no county outlines at all.
    #[serde(skip_serializing)]
    pub counties_loaded: bool,
    /// The CRS the query geometry was sent in (none for a registered parcel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crs: Option<String>,
    /// The coordinates were read easting first, against the CRS's northing-first order (see note_*).
    #[serde(default)]
    pub axes_swapped: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_zh: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_en: Option<String>,
}

impl Location {
    /// The point inside the query as (lon, lat); NaN when PostGIS gave none.
    pub fn lon_lat(&self) -> (f64, f64) {
        let c = |i: usize| self.point.pointer(&format!("/coordinates/{i}")).and_then(Value::as_f64).unwrap_or(f64::NAN);
        (c(0), c(1))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct County {
    pub code: String,
    pub name: String,
}

/// What data a check was read from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegistryRead {
    /// Served by a streaming replica (else the primary).
    pub replica: bool,
    /// The database's clock when the facts were read.
    pub read_at: Value,
    /// On a replica: the commit time of the last transaction it had replayed.
    #[serde(skip_serializing_if = "Value::is_null", default)]
    pub replayed_at: Value,
    /// Each collection's change counter and the time of its last change, as the snapshot held them.
    pub changes: Value,
    /// On a replica: the bound on its lag the check was read under (settings check_max_lag_secs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_lag_secs: Option<u64>,
}

/// The facts of one check and what its receipt says of them.
pub struct ReadFacts {
    pub facts: SpatialFacts,
    pub location: Location,
    pub registry: RegistryRead,
    /// On a replica: the WAL position it had replayed (to compare with the bound a check asks).
    pub replayed_lsn: Option<String>,
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Invalid(format!("{what}: {e}")))
}

impl Store {
    /// The spatial facts of a check (check_facts.sql, with its parameters) with where the
    /// query lies and what it was read from, in one statement.
    pub async fn check_facts_read(&self, query_geojson: &str, as_of: NaiveDate, buffer_m: f64) -> Result<ReadFacts> {
        let query = sqlx::query_as::<_, (String, String, String, Option<String>)>(&RECEIPT_FACTS)
            .bind(query_geojson)
            .bind(as_of)
            .bind(buffer_m);
        // The statement runs alone (one round trip) unless the checks have a time limit of their own
        // (settings check_timeout_ms) that differs from the connections' default.
        let (facts, location, registry, replayed_lsn) = if self.timeouts.own_limit(super::Work::Check) {
            let mut tx = self.begin(super::Work::Check).await?;
            let row = query.fetch_one(&mut *tx).await?;
            tx.commit().await?;
            row
        } else {
            query.fetch_one(&self.pool).await?
        };
        Ok(ReadFacts {
            facts: parse("spatial facts", &facts)?,
            location: parse("location", &location)?,
            registry: parse("registry", &registry)?,
            replayed_lsn,
        })
    }

    /// Keeps an answer as it was sent. One statement, committed on its own: the answer is not sent before
    /// its receipt is kept.
    pub async fn keep_answer(&self, id: &str, kind: &str, answer: &str, asked_by: Option<&str>) -> Result<()> {
        sqlx::query(INSERT_ANSWER).bind(id).bind(kind).bind(answer).bind(asked_by).execute(&self.pool).await?;
        Ok(())
    }

    /// Keeps several answers in one statement (and one commit).
    pub async fn keep_answers(&self, rows: &[KeptAnswer]) -> Result<()> {
        if let [a] = rows {
            return self.keep_answer(&a.id, &a.kind, &a.answer, a.asked_by.as_deref()).await;
        }
        let col = |f: fn(&KeptAnswer) -> String| rows.iter().map(f).collect::<Vec<String>>();
        sqlx::query(INSERT_ANSWERS)
            .bind(col(|a| a.id.clone()))
            .bind(col(|a| a.kind.clone()))
            .bind(col(|a| a.answer.clone()))
            .bind(rows.iter().map(|a| a.asked_by.clone()).collect::<Vec<Option<String>>>())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A kept answer's text and kind.
    pub async fn kept_answer(&self, id: &str) -> Result<Option<(String, String)>> {
        Ok(sqlx::query_as("SELECT kind, answer FROM check_answers WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn has_counties(&self) -> Result<bool> {
        Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM counties)").fetch_one(&self.pool).await?)
    }

    /// Loads county outlines from a GeoJSON FeatureCollection (properties `county_code`, `name`, `city`;
    /// Polygon or MultiPolygon in lon/lat), replacing those with the same code. Returns how many.
    pub async fn load_counties(&self, collection: &Value, source: &str) -> Result<usize> {
        let features = collection
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| StoreError::Invalid("county outlines: not a GeoJSON FeatureCollection".into()))?;
        let mut tx = self.pool.begin().await?;
        for (i, f) in features.iter().enumerate() {
            let text = |k: &str| f.pointer(&format!("/properties/{k}")).and_then(Value::as_str).map(str::to_string);
            let code = text("county_code")
                .ok_or_else(|| StoreError::Invalid(format!("county outline {i}: no county_code")))?;
            let name =
                text("name").ok_or_else(|| StoreError::Invalid(format!("county outline {i} ({code}): no name")))?;
            let geometry = f
                .get("geometry")
                .filter(|g| !g.is_null())
                .ok_or_else(|| StoreError::Invalid(format!("county outline {code}: no geometry")))?;
            sqlx::query(
                "INSERT INTO counties (county_code, name, city, geom, source)
                 VALUES ($1, $2, $3, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($4), 4490)), $5)
                 ON CONFLICT (county_code) DO UPDATE
                 SET name = EXCLUDED.name, city = EXCLUDED.city, geom = EXCLUDED.geom, source = EXCLUDED.source, loaded_at = now()",
            )
            .bind(&code)
            .bind(&name)
            .bind(text("city"))
            .bind(geometry.to_string())
            .bind(source)
            .execute(&mut *tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Database(e) => StoreError::Invalid(format!("county outline {code}: {e}")),
                other => other,
            })?;
        }
        tx.commit().await?;
        Ok(features.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_receipt_statement_holds_the_facts_statement() {
        assert!(RECEIPT_FACTS.contains("'farmland'"), "check_facts.sql is inside");
        assert!(!RECEIPT_FACTS.contains("{check_facts}"));
    }

    /// The as-of date and the buffer are read through the row `q` only: where a clause compares with `$2` or
    /// `$3` themselves, a plan made with their values in place is costed lower than the generic plan, and
    /// PostgreSQL then plans the statement again for every check (which took as long as running it).
    #[test]
    fn the_facts_plan_does_not_see_the_date_or_the_buffer() {
        let sql: String = include_str!("sql/check_facts.sql")
            .lines()
            .map(|l| l.split("--").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let q_ends = sql.find("), p AS (").expect("the row q comes first");
        for p in ["$2", "$3"] {
            assert!(sql[..q_ends].contains(p), "{p} is bound in q");
            assert!(!sql[q_ends..].contains(p), "{p} is used after q: read it as q.as_of or q.buf");
        }
    }
}
